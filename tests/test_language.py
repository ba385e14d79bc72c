"""Guessing the language of untagged posts from function words."""

import pandas as pd
import pytest

from toolkit.language import fill_languages, guess_language


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
