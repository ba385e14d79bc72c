"""Tests for toolkit.privacy.detect.places: the place-name gazetteer recogniser."""

from __future__ import annotations

import pytest

from toolkit.privacy.detect.analyzer import Detector
from toolkit.privacy.detect.entities import LOCATION
from toolkit.privacy.detect.places import find_places, place_keys


def places(text: str) -> list[str]:
    return [text[start:end] for start, end, _ in find_places(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("flying to MINSK tomorrow", ["MINSK"]),
        ("I LOVE NEW YORK", ["NEW YORK"]),
        ("Rio de Janeiro is hot", ["Rio de Janeiro"]),
        ("stuck in Stoke-on-Trent again", ["Stoke-on-Trent"]),
        ("#NewHaven weather and #Ohio", ["#NewHaven", "#Ohio"]),
        ("New York Knicks won", ["New York"]),  # the longest name wins
        ("from Boston, Paris and Gary", ["Boston", "Paris"]),  # Gary is a first name
    ],
)
def test_capitalised_place_names_and_hashtags_are_found(text, expected):
    assert places(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Nice to meet you",  # ordinary words that are also towns
        "Reading the manual, Split the bill, Mobile app",
        "paris and london in lower case",
        "#turkey dinner",  # a lower-case hashtag is a word
        "mail london@example.com or see http://paris.example/x and @Boston",
        "New\nYork",  # not across lines
    ],
)
def test_words_addresses_handles_and_lower_case_are_not_places(text):
    assert places(text) == []


def test_the_gazetteer_keeps_countries_states_and_big_cities_but_not_ambiguous_words():
    keys = place_keys()
    assert {"france", "ohio", "new york", "boston", "charlotte", "sao paulo"} <= keys
    assert not {"nice", "reading", "sale", "male", "gary", "taylor", "metro"} & keys


def test_the_detector_reports_gazetteer_places_without_the_ner_layer():
    spans = Detector(ner="off").detect("shipping to MINSK on Monday")
    assert [(s.entity_type, s.text) for s in spans] == [(LOCATION, "MINSK")]


def test_a_brand_named_after_a_place_is_not_a_place():
    detector = Detector(ner="off", public_terms=["Boston Dynamics", "Boston"])
    assert detector.detect("Boston support never answers") == []
