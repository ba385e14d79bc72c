"""The pattern recognisers of `toolkit.privacy.detect.recognizers` as the detector runs them: positives,
near-miss negatives (prices, model numbers, times, order numbers, ids, years, versions),
redaction and quoting of the new types, and linear-time regexes."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from toolkit.privacy.detect.analyzer import Detector
from toolkit.privacy.detect.entities import ENTITY_TYPES, NEVER_RAW_TYPES
from toolkit.privacy.detect.recognizers import (
    AgeRecognizer,
    PatternRecognizer,
    PostalBlockRecognizer,
    default_recognizers,
    handle_of,
)
from toolkit.privacy.quoting import quote, redact

#: The pattern recognisers are tested alone: the NER layer (tests/privacy/test_ner.py) adds places,
#: organisations and dates on top of them.
RULES = Detector(ner=None)


def detect(text):
    return RULES.detect(text)


def found(text: str) -> list[tuple[str, str]]:
    return [(s.entity_type, s.text) for s in detect(text)]


def assert_found(text: str, entity_type: str, value: str) -> None:
    assert (entity_type, value) in found(text), found(text)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("The office is 1600 Pennsylvania Ave NW, Washington, DC 20500", None),
        ("send it to 221B Baker Street please", "221B Baker Street"),
        ("I live on Baker Street, apt 4B", "Baker Street"),
        ("my apt 4B is flooded again", "apt 4B"),
        ("Write to PO Box 1234, Springfield", "PO Box 1234"),
        ("10 Downing Street, London SW1A 2AA", "10 Downing Street, London SW1A 2AA"),
        ("Hauptstraße 5 in Berlin", "Hauptstraße 5"),
        ("Berliner Str. 12a, 10115 Berlin", "Berliner Str. 12a, 10115 Berlin"),
        ("12 rue de la Paix", "12 rue de la Paix"),
        ("8, avenue des Champs-Élysées 75008 Paris", "8, avenue des Champs-Élysées"),
        ("wohne jetzt in der Lindenallee 4", "Lindenallee 4"),
        ("moved to Keizersgracht 123 last year", "Keizersgracht 123"),
        ("Rua Augusta 27, Lisboa", "Rua Augusta 27"),
        ("deliver to 19 folkestone road, leeds", "19 folkestone road"),
        ("i'd like it sent to Unit 8464 Box 4410", "Unit 8464 Box 4410"),
    ],
)
def test_street_addresses(text, value):
    spans = [s for s in detect(text) if s.entity_type == "STREET_ADDRESS"]
    assert spans, text
    if value is not None:
        assert any(value in s.text for s in spans), [s.text for s in spans]  # NER may widen it


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("my postcode is SW1A 2AA and nobody came", "SW1A 2AA"),
        ("still waiting in M1 1AE for the engineer", "M1 1AE"),
        ("postcode: sw1a 2aa", "sw1a 2aa"),
        ("zip 90210", "90210"),
        ("my zip code is 86786", "86786"),
        ("Springfield, IL 62704", "62704"),
        ("PLZ 10115", "10115"),
        ("code postal 75008", "75008"),
    ],
)
def test_postcodes(text, value):
    assert_found(text, "STREET_ADDRESS", value)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("I'm 34 and never been treated like this", "34"),
        ("34 y/o mum here", "34"),
        ("34yo, been a customer for years", "34"),
        ("aged 34", "34"),
        ("I am 34 years old", "34"),
        ("my 7-year-old cried all the way home", "7"),
        ("she's 81 and doesn't do twitter", "81"),
        ("just turned 40 today", "40"),
        ("AITA? (34F) my landlord", "34"),
        ("me (F29) and my partner", "29"),
    ],
)
def test_ages(text, value):
    assert_found(text, "AGE", value)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("DOB 12/03/1988", "12/03/1988"),
        ("born on 3 March 1988", "3 March 1988"),
        ("date of birth: 1988-03-12", "1988-03-12"),
        ("Please tell me your date of birth. It's 8/10/1988", "8/10/1988"),
        ("my birthday is March 3rd, 1990", "March 3rd, 1990"),
        ("I was born in 1988", "1988"),
    ],
)
def test_dates_of_birth(text, value):
    assert_found(text, "DATE_TIME", value)


@pytest.mark.parametrize(
    ("text", "entity_type", "value"),
    [
        ("Here's my SSN: 566-64-4119", "US_SSN", "566-64-4119"),
        ("his social security number is 312367379", "US_SSN", "312367379"),
        ("ssn 312 36 7379", "US_SSN", "312 36 7379"),
        ("My driver's license number is LH329609T", "US_DRIVER_LICENSE", "LH329609T"),
        ("DL# A1234567", "US_DRIVER_LICENSE", "A1234567"),
        ("passport no. 123456789", "PASSPORT", "123456789"),
        ("my passport number is A12345678", "PASSPORT", "A12345678"),
        ("Sort code 40-47-84, can someone call", "UK_SORT_CODE", "40-47-84"),
        ("NI number AB 12 34 56 C", "UK_NINO", "AB 12 34 56 C"),
        ("my national insurance no is ab123456c", "UK_NINO", "ab123456c"),
    ],
)
def test_identity_numbers(text, entity_type, value):
    assert_found(text, entity_type, value)


@pytest.mark.parametrize(
    "text",
    [
        "SSN 000-12-3456",  # area 000
        "SSN 666-12-3456",  # area 666
        "SSN 912-12-3456",  # area 9xx
        "SSN 123-00-4567",  # group 00
        "SSN 123-45-0000",  # serial 0000
        "call 312367379",  # nine digits without the cue
    ],
)
def test_invalid_ssns_are_not_ssns(text):
    assert "US_SSN" not in {t for t, _ in found(text)}


def test_nino_with_a_prefix_never_issued_is_not_a_nino():
    assert "UK_NINO" not in {t for t, _ in found("ref QQ 12 34 56 C and GB123456A")}


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("facebook.com/jane.doe.1987", "facebook.com/jane.doe.1987"),
        ("see https://www.instagram.com/janedoe.", "https://www.instagram.com/janedoe"),
        ("x.com/jdoe", "x.com/jdoe"),
        ("twitter.com/jdoe/status/123456", "twitter.com/jdoe/status/123456"),
        ("linkedin.com/in/jane-doe-123", "linkedin.com/in/jane-doe-123"),
        ("tiktok.com/@janedoe", "tiktok.com/@janedoe"),
        ("https://mastodon.social/@jane", "https://mastodon.social/@jane"),
    ],
)
def test_profile_links_are_handles(text, value):
    assert_found(text, "HANDLE", value)


@pytest.mark.parametrize(
    "text",
    ["facebook.com/help", "https://x.com/i/flow/login", "instagram.com/p/Cx1abc", "x.com/search"],
)
def test_site_pages_are_not_profiles(text):
    assert "HANDLE" not in {t for t, _ in found(text)}


def test_handle_of_names_the_account():
    assert handle_of("@Jane") == "jane"
    assert handle_of("u/jane") == "jane"
    assert handle_of("https://x.com/Jane/status/1") == "jane"
    assert handle_of("linkedin.com/in/jane-doe") == "jane-doe"


def test_the_brands_own_profile_link_stays_in_quotes():
    text = "follow x.com/AcmeSupport not facebook.com/jane.doe"
    quoted = quote(text, "full", keep_handles=["@AcmeSupport"], detector=RULES)
    assert "x.com/AcmeSupport" in quoted
    assert "jane.doe" not in quoted and "<HANDLE>" in quoted


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("mail m.okeke[at]proton[.]me asap", "m.okeke[at]proton[.]me"),
        ("jane dot doe at gmail dot com", "jane dot doe at gmail dot com"),
        ("j.smith (at) example (.) com", "j.smith (at) example (.) com"),
    ],
)
def test_obfuscated_emails(text, value):
    assert_found(text, "EMAIL_ADDRESS", value)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("Thanks to the team and to Анна Кузнецова from the call centre", "Анна Кузнецова"),
        ("my name is अनिल कुमार", "अनिल कुमार"),
        ("thanks Анна!", "Анна"),
        ("my name is john smith", "john smith"),
        ("ask for sarah at the front desk", "sarah"),
        ("I asked the manager, Jane, to help", "Jane"),
        ("Dr. Emeka Okafor was rude", "Dr. Emeka Okafor"),
        ("Mrs Smith at the desk", "Mrs Smith"),
    ],
)
def test_names(text, value):
    assert_found(text, "PERSON", value)


def test_cyrillic_words_in_a_russian_post_are_not_all_names():
    assert found("Москва Сити сегодня закрыта, Красная Площадь тоже") == []


@pytest.mark.parametrize(
    "text",
    [
        "paid $34,500 for this and it broke",
        "it costs £12.99 or 34.50 EUR",
        "the Galaxy S23 Ultra and the iPhone 15 Pro Max",
        "model WH-1000XM5 keeps disconnecting",
        "meeting at 10:30 and again at 14:45",
        "tweet id 1234567890123456789",
        "in 2019 and 2020 we had issues",
        "version 2.13.0 broke everything, upgrade to 3.4.1",
        "firmware 12-34-56 released",
        "the score was 12-34-56",
        "I'm 5 minutes away",
        "I'm 100% sure about this",
        "I'm 2 hours into this call",
        "I am 3rd in the queue",
        "waited 34 years for this",
        "my 3 year old laptop died",
        "repaired my 12 year old jacket for free",
        "Google Drive is down again",
        "Is the store on Oxford Street open on bank holidays?",
        "Spring 2024 collection",
        "Windows 11 update 22H2",
        "I have 12345 followers",
        "I walked 3 blocks down the road",
        "5 new road signs",
        "back in Feb 2020 I ordered",
        "my 2 kids are 5 and 7",
        "age of empires 2",
    ],
)
def test_near_misses_are_not_personal_data(text):
    assert found(text) == []


def test_order_numbers_stay_order_numbers():
    assert found("order #12345678 still not here") == [("ORDER_NUMBER", "12345678")]


def test_new_types_are_registered_and_never_raw():
    for recognizer in default_recognizers():
        assert recognizer.entity_type in ENTITY_TYPES
    for entity_type in ("AGE", "DATE_TIME", "US_SSN", "US_DRIVER_LICENSE", "PASSPORT",
                        "UK_SORT_CODE", "UK_NINO"):  # fmt: skip
        assert entity_type in NEVER_RAW_TYPES


def test_redaction_and_full_quotes_remove_the_new_types():
    text = "I'm 34, DOB 12/03/1988, SSN 566-64-4119, sort code 40-47-84, postcode SW1A 2AA"
    assert redact(text, RULES.detect(text)) == (
        "I'm <AGE>, DOB <DATE_TIME>, SSN <US_SSN>, sort code <UK_SORT_CODE>, "
        "postcode <STREET_ADDRESS>"
    )
    assert quote(text, "full", detector=RULES) == redact(text, RULES.detect(text))


def test_a_detector_without_pattern_recognizers_keeps_the_core():
    core = Detector(recognizers=(), ner=None)
    assert [s.entity_type for s in core.detect("SSN 566-64-4119 mail a@b.com")] == ["EMAIL_ADDRESS"]


def test_custom_recognizer_is_composed():
    class Badge(PatternRecognizer):
        entity_type = "AGE"
        from toolkit.privacy.detect.recognizers import Pattern

        patterns = (Pattern("badge", r"\bBADGE-(?P<id>\d{3})\b", 0.9),)

    detector = Detector(recognizers=(Badge(), AgeRecognizer()), ner=None)
    assert [s.text for s in detector.detect("BADGE-123, I'm 40.")] == ["123", "40"]


_ALPHABET = st.sampled_from(
    list("aA1 .,-/:#@()[]\t\nStreetRoadapt") + ["Straße", "rue ", "I'm ", "DOB ", "SSN ", "Анна "]
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_ALPHABET, min_size=1, max_size=400))
def test_recognizers_run_in_linear_time_on_long_random_text(pieces):
    # A regex with catastrophic backtracking never finishes on such input; a linear one
    # takes milliseconds. (Speed itself is measured in `toolkit bench`, not asserted here.)
    text = "".join(pieces) * 25  # long: a few thousand to tens of thousands of characters
    for recognizer in default_recognizers():
        for start, end, score in recognizer.analyze(text):
            assert 0 <= start < end <= len(text) and 0 < score <= 1


@pytest.mark.parametrize(
    "text",
    [
        "1 " * 5000,
        "Aaaa " * 3000 + "Street",
        "a " * 5000 + "road",
        "12-" * 4000,
        "x.com/" + "a" * 10000,
        "DOB " + "1/" * 5000,
        "Apt " * 3000,
    ],
)
def test_pathological_inputs_finish(text):
    for span in detect(text):
        assert span.text == text[span.start : span.end]


def _covered(text: str, value: str) -> bool:
    """Some STREET_ADDRESS span overlaps `value` in `text`."""
    start = text.index(value)
    end = start + len(value)
    return any(
        s.entity_type == "STREET_ADDRESS" and s.start < end and start < s.end for s in detect(text)
    )


@pytest.mark.parametrize(
    ("text", "parts"),
    [
        (
            "Sharon Adamson\n\n35 Kromwater 38\n Apt. 705\n Zoetermeer\n Netherlands 2711\n",
            ("35 Kromwater 38", "Zoetermeer", "Netherlands 2711"),
        ),
        (
            ">Kayla B\n>17 31 Rue Al Imam Al Bakri\n>Suite 656\n>Cite Merzgui\n>Morocco 38695",
            ("17 31 Rue Al Imam Al Bakri", "Cite Merzgui", "38695"),
        ),
        ("43 P.O. Box 108\n Apt. 282\n Qaanaaq\n Greenland 3961", ("Qaanaaq", "3961")),
        ("Dr. Megan Sato Apt. 630 39 Rincon 9082\nCarlos Reyles DU 47621", ("39 Rincon", "47621")),
    ],
)
def test_postal_address_blocks(text, parts):
    for part in parts:
        assert _covered(text, part), (part, found(text))


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("Toni lives at 34 Skolegyden 99, København K", "34 Skolegyden 99"),
        ("James had given Mary his address: 85 Trg revolucije 12", "85 Trg revolucije 12"),
        ("michael lives at 43 Ρ. Φεραίου 13, ΒΙΚΛΑ", "43 Ρ. Φεραίου 13"),
        ("please ship it to Hunsrødsletta 7, Sandefjord", "Hunsrødsletta 7"),
    ],
)
def test_streets_after_an_address_cue(text, value):
    assert_found(text, "STREET_ADDRESS", value)


@pytest.mark.parametrize(
    "text",
    [
        "they sent it to 3 people and nobody answered",
        "I sent this to my manager 2 times",
        "it was shipped to the wrong branch",
        "Meeting notes\nApt. 5\nBring the charger and a 12 inch cable today for the demo",
        "call 0161 496 0753\nSuite 2\nhttps://example.com/x 555 123 4567",
    ],
)
def test_no_address_without_an_address_form(text):
    assert list(PostalBlockRecognizer().analyze(text)) == []
