"""Guessing the language of untagged posts from function words."""

import pandas as pd
import pytest

from toolkit.core.language import detect_languages, fill_languages, guess_language, stop_words


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("my router keeps dropping the wifi every night and support is not answering", "en"),
        ("llevo una hora intentando conectar la plug mini al wifi, es imposible", "es"),
        ("Le thermostat suit mon planning, la maison est chaude au réveil", "fr"),
        ("Seit zwei Stunden versuche ich die Sensor zu koppeln, keine Chance mit der App", "de"),
        ("o meu pedido chegou em 20 dias, mas não está a funcionar", "pt"),
        ("ok 👍", None),  # too short
        ("Nimbus Hub Mini E-408 https://t.co/x @NimbusSupport", None),  # names and codes only
        (None, None),
    ],
)
def test_guess_language(text, expected):
    assert guess_language(text) == expected


def test_guess_language_ignores_handles_hashtags_and_links():
    assert guess_language("@la @el @los #las https://es.example.com/la/el wifi router down") is None


def test_fill_languages_only_fills_missing_or_undetermined_tags():
    languages = pd.Series(["en", None, "und", "fr", None])
    texts = pd.Series(
        [
            "la app no funciona otra vez y nadie responde",  # tagged en: kept as tagged
            "la app no funciona otra vez y nadie responde",
            "the app is down again and nobody answers",
            "whatever the text says",
            "ok",
        ]
    )
    assert fill_languages(languages, texts).tolist() == ["en", "es", "en", "fr", None]


# Italian posts like the untagged ones of issue 16 ("salvini · il"): the old function-word
# guesser left all but two of them unknown, so they were modelled as English.
ITALIAN = [
    "Salvini ha ragione, basta sbarchi e porti aperti",
    "Salvini: chiudiamo i porti, prima gli italiani",
    "Ma davvero qualcuno crede ancora a queste promesse elettorali?",
    "Oggi in piazza a Milano con migliaia di persone, bellissima giornata",
    "Vergogna, il ministro dell'interno pensa solo alla propaganda",
    "Buongiorno a tutti, oggi si vota: andate a votare!",
]


def test_detects_italian_posts_without_many_function_words():
    assert detect_languages(ITALIAN) == ["it"] * len(ITALIAN)


@pytest.mark.parametrize(
    "text",
    [
        # short English posts that Lingua's low-accuracy mode alone calls Dutch or German
        "@jjones Happening to me too 😩 so frustrating",
        "@SusanR22 move the hub closer to the Motion Sensor, range is short 👀",
        "@EdwinB23 Yep, 5 of my bulbs too. fix it pls",
    ],
)
def test_short_english_posts_are_not_taken_for_another_language(text):
    assert detect_languages([text])[0] in ("en", None)


def test_other_scripts_are_detected():
    assert detect_languages(
        ["Это просто ужасно, опять ничего не работает", "東京の天気は今日とても良いです"]
    ) == [
        "ru",
        "ja",
    ]


def test_fill_languages_keeps_the_index_and_detects_in_bulk():
    languages = pd.Series([None, "en", "und"], index=[10, 20, 30])
    texts = pd.Series(ITALIAN[:1] + ["x", ITALIAN[1]], index=[10, 20, 30])
    out = fill_languages(languages, texts)
    assert out.index.tolist() == [10, 20, 30]
    assert out.tolist() == ["it", "en", "it"]


def test_stop_words_per_language():
    italian = stop_words(["it"])
    assert {"il", "la", "di", "non", "le"} <= italian
    assert "salvini" not in italian
    both = stop_words(["it", "en-GB", None, "xx"])
    assert {"il", "the", "and"} <= both
    assert not {"work", "problem", "home"} & stop_words(["en"])  # a list fit for topic keywords
    assert stop_words([]) == set()
