"""Tests for the detector layers added for real posts: obfuscated contacts, spelled digits,
person-name cues and gazetteers, order/booking references, the NER plug-in, configuration,
quote risk, and fuzzing with binary junk and huge texts."""

from __future__ import annotations

import threading
from types import SimpleNamespace

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from toolkit.core.config import Privacy
from toolkit.privacy.detect.analyzer import Detector, detect
from toolkit.privacy.detect.entities import ENTITY_TYPES
from toolkit.privacy.detect.ner import spacy_ner
from toolkit.privacy.detect.order_numbers import DEFAULT_ORDER_PATTERNS
from toolkit.privacy.detect.wordlists import first_names, surnames
from toolkit.privacy.quoting import quote, quote_column, quote_risk, redact, risk_level

_RULES = Detector(ner=None)


@pytest.fixture(autouse=True)
def _rules_only(monkeypatch):
    """These tests pin the pattern, checksum and name-list layers; the statistical NER layer
    (on by default) has its own tests in tests/privacy/test_ner.py."""
    import toolkit.privacy.detect.analyzer

    monkeypatch.setattr(toolkit.privacy.detect.analyzer, "default_detector", lambda: _RULES)


def found(text: str, entity_type: str | None = None, detector: Detector | None = None):
    spans = (detector or Detector(ner=None)).detect(text) if detector else detect(text)
    return [(s.entity_type, s.text) for s in spans if entity_type in (None, s.entity_type)]


def finishes_within(fn, seconds: float = 60.0):
    """Run `fn` in a thread; fail if it has not returned after `seconds` (a generous bound for
    catastrophic backtracking, not a speed test). Returns its result."""
    result, error = [], []

    def target():
        try:
            result.append(fn())
        except BaseException as exc:
            error.append(exc)

    worker = threading.Thread(target=target, daemon=True)
    worker.start()
    worker.join(seconds)
    assert not worker.is_alive(), f"did not finish within {seconds} s"
    if error:
        raise error[0]
    return result[0]


# ------------------------------------------------------------------ contacts
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("reach me: m.kowalski at gmail dot com", "m.kowalski at gmail dot com"),
        (
            "tanya (dot) mcbride (at) outlook (dot) com pls",
            "tanya (dot) mcbride (at) outlook (dot) com",
        ),
    ],
)
def test_obfuscated_emails(text, expected):
    assert found(text, "EMAIL_ADDRESS") == [("EMAIL_ADDRESS", expected)]


def test_handle_after_a_word_is_not_an_obfuscated_email():
    assert found("my friend's account @lunar.moth got banned") == [("HANDLE", "@lunar.moth")]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "call five one two, five five five, zero one four two",
            "five one two, five five five, zero one four two",
        ),
        ("my number is 0 7 7 0 0 9 0 0 1 2 3 thanks", "0 7 7 0 0 9 0 0 1 2 3"),
        (
            "text me: seven one eight double five five two two nine one",
            "seven one eight double five five two two nine one",
        ),
    ],
)
def test_phone_numbers_spelled_or_spaced(text, expected):
    assert found(text, "PHONE_NUMBER") == [("PHONE_NUMBER", expected)]


@pytest.mark.parametrize(
    "text",
    [
        "I have one two three problems and four five six more, seven eight",
        "scores were 1, 2, 3, 4, 5, 6, 7 and 8",
        "steps 1 2 3 4 5 6 7 8 9 10",
    ],
)
def test_counting_is_not_a_spelled_phone(text):
    assert found(text, "PHONE_NUMBER") == []


@pytest.mark.parametrize(
    "phone",
    [
        "+91 98450 12345",
        "0412 345 678",
        "+31 6 12345678",
        "06-12345678",
        "0171 2345678",
        "+49 30 12345678",
        "07 456 789 012",
        "+353 87 123 4567",
        "+234 803 123 4567",
        "(02) 9876 5432",
    ],
)
def test_national_phone_formats(phone):
    assert found(f"call me on {phone} today", "PHONE_NUMBER") == [("PHONE_NUMBER", phone)]


@pytest.mark.parametrize(
    "text",
    [
        "my Sky Q box, Serial 0123456789",
        "stuck after update 37.128.6.29",
        "firmware v 10.0.19045.3570",
    ],
)
def test_serials_and_versions_are_not_contacts(text):
    assert [t for t, _ in found(text)] == []


def test_order_number_luhn_collision_is_not_a_card():
    assert found("Order 123-4567890-1234567 never arrived") == [
        ("ORDER_NUMBER", "123-4567890-1234567")
    ]


def test_card_with_a_typo_after_a_card_cue():
    assert found("charged my card 4929 1234 5678 9012 twice") == [
        ("CREDIT_CARD", "4929 1234 5678 9012")
    ]
    assert found("refund 4929 1234 5678 9012", "PHONE_NUMBER") == []  # 16 digits: never a phone


# ------------------------------------------------------------------ orders
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Confirmation KXJ4PL is useless", "KXJ4PL"),
        ("Booking ref QZ7KLM please", "QZ7KLM"),
        ("Kundennummer 4711087236, bitte", "4711087236"),
        ("warranty claim CS0912384 open", "CS0912384"),
        ("Tracking H00Y1A0012345678 stuck", "H00Y1A0012345678"),
        ("My account number is 00417265 ok", "00417265"),
        ("Case VM-20394857 closed", "VM-20394857"),
    ],
)
def test_order_booking_and_account_references(text, expected):
    assert found(text, "ORDER_NUMBER") == [("ORDER_NUMBER", expected)]


def test_detector_from_config_adds_order_patterns_and_regions():
    privacy = Privacy(
        order_patterns=[r"\bZX(?P<id>\d{4})\b"], phone_regions=["GB"], ner_model="off"
    )
    detector = Detector.from_config(privacy)
    assert detector.phone_regions == ("GB",)
    assert len(detector.order_patterns) == len(DEFAULT_ORDER_PATTERNS) + 1
    assert found("got ZX1234 back", "ORDER_NUMBER", detector) == [("ORDER_NUMBER", "1234")]
    assert found("got ZX1234 back", "ORDER_NUMBER") == []
    assert detector.ner is None


def test_config_rejects_bad_patterns_and_regions():
    with pytest.raises(ValueError, match="regular expression"):
        Privacy(order_patterns=["(unclosed"])
    with pytest.raises(ValueError, match="two-letter"):
        Privacy(phone_regions=["gbr"])


# ------------------------------------------------------------------ names
@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("@comcastcares my neighbor Jim has the same outage", ["Jim"]),
        ("My husband Carlos tried calling", ["Carlos"]),
        ("my 4 year old Isabella left her bunny", ["Isabella"]),
        ("spoke to Priya on live chat", ["Priya"]),
        ("Shoutout to Kwame at the Leeds store", ["Kwame"]),
        ("Cheers Rob, that fixed it", ["Rob"]),
        ("driver Ahmed was amazing", ["Ahmed"]),
        ("Thanks to Tom and Aisha at the store", ["Tom", "Aisha"]),
        ("my landlord Mr Patel says no", ["Mr Patel"]),
        ("Thanks, Dr. Amara Okonkwo, for the reply", ["Dr. Amara Okonkwo"]),
        ("a letter addressed to Mrs J. Thompson here", ["Mrs J. Thompson"]),
        ("parcel for Nguyen Van Minh stuck", ["Nguyen Van Minh"]),
        ("my details: Ravi Shankar Iyer, +91", ["Ravi Shankar Iyer"]),
        ("Honestly Gordon Ramsay would have a fit", ["Gordon Ramsay"]),
        ("Hey all, Laura here, mod of this sub.", ["Laura"]),
        ("@Verizon hey Mike, thanks for the call", ["Mike"]),
        ("grazie a Francesca del negozio", ["Francesca"]),
        ('the rep said "Carla will call you back"', ["Carla"]),
        ("reservation under Kowalczyk, confirmation", ["Kowalczyk"]),
        ("they sent Marco and Deshawn out", ["Marco", "Deshawn"]),
    ],
)
def test_person_names_in_real_post_shapes(text, names):
    assert [t for _, t in found(text, "PERSON")] == names


@pytest.mark.parametrize(
    "text",
    [
        "Thanks Apple for ruining my phone",
        "Called Comcast twice today",
        "Will this work with Google Home?",
        "Virginia Beach store is closed",
        "iPhone 15 Pro Max is better",
        "we're in Lake Howard, great place",
        "my router is a TP-Link Deco",
        "I met Santa at the mall lol",
        "Hey Siri, call mom",
        "Mein Name ist Jürgen Weber, Kundennummer 4711087236",
    ],
)
def test_brands_places_and_products_are_not_names(text):
    assert ("PERSON", "Kundennummer") not in found(text)
    names = [t for _, t in found(text, "PERSON")]
    assert names in ([], ["Jürgen Weber"])


def test_gazetteers_cover_many_cultures_without_common_words():
    names, last = first_names(), surnames()
    for name in (
        "Kwame",
        "Priya",
        "Siobhan",
        "Tomasz",
        "Oluwaseun" if "Oluwaseun" in names else "Amara",
    ):
        assert name in names
    for name in ("Okonkwo", "Patel", "Nguyen", "Adeyemi"):
        assert name in last
    assert "Apple" not in names and "Austin" not in names and "The" not in names


class FakeEntity(SimpleNamespace):
    pass


def fake_spacy_loader(name):
    if name != "en_fake_model":
        raise OSError(f"[E050] Can't find model '{name}'")

    def nlp(text):
        i = text.find("Zorblax")
        ents = [FakeEntity(start_char=i, end_char=i + 7, label_="PERSON")] if i >= 0 else []
        ents.append(FakeEntity(start_char=0, end_char=2, label_="GPE"))
        return SimpleNamespace(ents=ents)

    return nlp


def test_ner_plugin_adds_person_spans_from_a_spacy_like_model():
    ner = spacy_ner("en_fake_model", loader=fake_spacy_loader)
    assert ner("hello Zorblax") == [(6, 13, "PERSON"), (0, 2, "GPE")]
    detector = Detector(ner=ner)
    assert found("so Zorblax fixed it", "PERSON", detector) == [("PERSON", "Zorblax")]
    assert found("so Zorblax fixed it", "PERSON") == []  # not without the plug-in


def test_ner_plugin_is_none_without_a_model():
    assert spacy_ner("en_missing", loader=fake_spacy_loader) is None
    assert spacy_ner(None, loader=fake_spacy_loader) is None  # none of SPACY_MODELS loads
    assert spacy_ner("no_such_package_model_xyz") is None  # real path: nothing installed


# ------------------------------------------------------------------ quotes
def test_quote_risk_hand_computed():
    # 3 common words: length 3/12, distinctiveness 0, one post -> exposure log(2)/log(21)
    import math

    exposure = math.log(2) / math.log(21)
    assert quote_risk("thanks so much") == pytest.approx(
        0.25 * 0.5 * (0.75 + 0.25 * exposure), abs=1e-3
    )
    # 12+ words, all rare -> length 1, distinctiveness 1; 20 posts -> exposure 1 -> risk 1
    rare = " ".join(["zorblax"] * 12)
    assert quote_risk(rare, author_posts=20) == pytest.approx(1.0)
    assert quote_risk("<PERSON> <PHONE_NUMBER>") == 0.0
    assert quote_risk(None) == 0.0
    assert risk_level(0.6) == "high" and risk_level(0.3) == "medium" and risk_level(0.1) == "low"


def test_quote_max_risk_shortens_or_drops_the_excerpt():
    text = "the zorblax hub keeps dropping wifi every night since the quuxfirm update broke it"
    short = quote(text, "redacted", max_risk=0.3)
    assert short.endswith("…") and len(short.split()) < len(text.split())
    assert quote_risk(short) <= 0.3
    assert quote("zorblax quux frobnicate blarg", "redacted", max_risk=0.01) is None


def test_quote_column_on_a_dataframe():
    posts = pd.DataFrame(
        {
            "text": ["call me on 0161 496 0753", None, "@NimbusSupport thanks"],
            "author": ["a", "b", "a"],
        },
        index=[10, 11, 12],
    )
    out = quote_column(
        posts["text"], "redacted", authors=posts["author"], keep_handles=["NimbusSupport"]
    )
    assert list(out.index) == [10, 11, 12]
    assert out["quote"].tolist() == ["call me on <PHONE_NUMBER>", None, "@NimbusSupport thanks"]
    assert list(out.columns) == ["quote", "quote_risk", "quote_risk_level"]
    assert out.loc[11, "quote_risk"] == 0.0
    assert quote_column(posts["text"], "none")["quote"].isna().all()


def test_quote_full_keeps_urls_but_redacts_orders_and_ips():
    text = "order #12345678 from 86.143.22.190, see https://example.com/x"
    assert (
        quote(text, "full") == "order #<ORDER_NUMBER> from <IP_ADDRESS>, see https://example.com/x"
    )


# ------------------------------------------------------------------ bad input
@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=400))
def test_binary_junk_never_crashes(data):
    text = data.decode("utf-8", errors="replace") + data.decode("latin-1")
    for span in detect(text):
        assert 0 <= span.start < span.end <= len(text) and span.entity_type in ENTITY_TYPES
    redact(text)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.sampled_from(
            [
                "Anna ",
                "Smith ",
                "my son ",
                "Mr ",
                "thanks ",
                "five ",
                "0 ",
                "7 ",
                "@x ",
                " at ",
                " dot ",
                "\u200b",
                "\u200f",
                "\u202e",
                "\u2066",
                "\ufeff",
                "مرحبا ",
                "שלום ",
                "日本 ",
                "Привет ",
                "١٢٣ ",
                "+44 ",
                "(0)",
                "-",
                "gmail",
                ".com",
                "Rd ",
                "Street, ",
                "NW1 6XE ",
            ]
        ),
        max_size=80,
    ).map("".join)
)
def test_mixed_scripts_and_invisible_characters_keep_offsets(text):
    previous = 0
    for span in detect(text):
        assert span.text == text[span.start : span.end] and span.start >= previous
        previous = span.end


def test_zero_width_and_rtl_marks_do_not_hide_a_phone():
    text = "call \u200f0161\u200b 496 \u20660753\u2069 now"
    (span,) = detect(text, ["PHONE_NUMBER"])
    assert text[span.start : span.end] == span.text and "0161" in span.text


@pytest.mark.parametrize(
    "make",
    [
        lambda: "five " * 20_000,
        lambda: "Anna and " * 11_000,
        lambda: "my son " * 15_000,
        lambda: ("\u202eAnna\u202c \u200b" * 10_000)[:100_000],
        lambda: "x" * 99_990 + "@gmail.com",
        lambda: "(" * 50_000 + "0" * 50_000,
        lambda: "1." * 50_000,
    ],
)
def test_100k_character_posts_finish(make):
    text = make()
    spans = finishes_within(lambda: detect(text))
    assert all(0 <= s.start < s.end <= len(text) for s in spans)


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("thanks john for the help", ["john"]),
        ("my name is john smith and i want a refund", ["john smith"]),
        ("spoke to priya on chat", ["priya"]),
        ("my son ethan loves it", ["ethan"]),
        ("hey sarah, any news?", ["sarah"]),
        ("cheers mate", []),
        ("thanks again", []),
        ("thanks guys", []),
        ("with love from rome", []),
        ("that's literally what the last agent said", []),  # "Said" is a name; "said" is not
        ("talked to support for ages", []),
    ],
)
def test_lower_case_names_only_after_name_cues(text, names):
    assert [t for _, t in found(text, "PERSON")] == names


@pytest.mark.parametrize(
    ("text", "address"),
    [
        ("i live at 42 elm street and the wifi is bad", "42 elm street"),
        ("ship it to 1600 pennsylvania ave nw asap", "1600 pennsylvania ave nw"),
        ("my address is 12 baker st apt 4, london", "12 baker st apt 4"),
    ],
)
def test_lower_case_addresses_after_an_address_cue(text, address):
    assert found(text, "STREET_ADDRESS") == [("STREET_ADDRESS", address)]


@pytest.mark.parametrize("text", ["it's a 5 min drive from here", "sent to 3 different people"])
def test_distances_are_not_addresses(text):
    assert found(text, "STREET_ADDRESS") == []


def test_obfuscated_email_after_an_ordinary_at():
    assert found("Ping me at j.nakamura (at) proton.me") == [
        ("EMAIL_ADDRESS", "j.nakamura (at) proton.me")
    ]


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("hi, it's Tomás again, the MacBook still won't boot", ["Tomás"]),
        ("it's Grace period ending", []),
        ("engineer booked for Tuesday never showed", []),
        ("it's Monday again", []),
    ],
)
def test_its_cue_and_dates(text, names):
    assert [t for _, t in found(text, "PERSON")] == names


def test_places_and_landmarks_are_not_names():
    assert found("San Antonio Spurs drafted Victor Wembanyama", "PERSON") == [
        ("PERSON", "Victor Wembanyama")
    ]
    assert found("The Golden Gate Bridge was foggy", "PERSON") == []


def test_quote_risk_counts_the_longest_searchable_run():
    import math

    exposure = math.log(2) / math.log(21)
    # runs: "zorblax quux frob" (3 rare words) and "a b": the first counts -> 3/12 * 1.0
    assert quote_risk("zorblax quux frob <PERSON> a b") == pytest.approx(
        0.25 * (0.75 + 0.25 * exposure), abs=1e-3
    )
    # a placeholder in the middle halves the searchable phrase
    whole = quote_risk("one two three four five six seven eight")
    broken = quote_risk("one two three four <PERSON> five six seven eight")
    assert broken == pytest.approx(whole / 2, abs=1e-3)


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("Hallo, ich bin Jürgen und mein Router ist kaputt", ["Jürgen"]),
        ("meu nome é João Silva", ["João Silva"]),
        ("mijn naam is Sanne de Vries", ["Sanne de Vries"]),
        ("soy Álvaro, cliente desde hace años", ["Álvaro"]),
        ("Groetjes, Pieter", ["Pieter"]),
        ("Ich bin Kunde seit 2019", []),  # German nouns are capitalised
        ("Je suis Client depuis 2010", []),
    ],
)
def test_names_in_other_languages(text, names):
    assert [t for _, t in found(text, "PERSON")] == names


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("call me on 555-123-4567 ext. 89 today", "555-123-4567"),
        ("151.081.7740x2347 mobile", "151.081.7740"),
        ("975 97 287 office", "975 97 287"),
    ],
)
def test_phones_with_an_extension_or_an_office_label(text, value):
    spans = [(s.entity_type, s.text) for s in Detector(ner=None).detect(text)]
    assert ("PHONE_NUMBER", value) in spans, spans


@pytest.mark.parametrize("value", ["Leak Sensor", "Glow Strip", "setup"])
def test_model_person_guesses_on_everyday_words_are_dropped(value):
    from toolkit.privacy.detect.person_names import plausible_ner_person as _plausible_ner_person

    assert not _plausible_ner_person(value)


@pytest.mark.parametrize(
    "value",
    ["Austin", "Harry Styles", "Donald Trump", "john", "Surf_Photo", "Duchess of Cambridge"],
)
def test_model_person_names_are_kept(value):
    from toolkit.privacy.detect.person_names import plausible_ner_person as _plausible_ner_person

    assert _plausible_ner_person(value)
