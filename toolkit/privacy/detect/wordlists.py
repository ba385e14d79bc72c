"""Word lists the detector and the report gate read from `toolkit/resources` (each read once).

First names and surnames are the gazetteers of the person-name rules, place names that of
the place rules; common words are single tokens too ambiguous to be names; English words are
ordinary words (not names, not handles).
"""

from __future__ import annotations

import functools
from importlib import resources


def _read_resource(name: str) -> frozenset[str]:
    raw = resources.files("toolkit").joinpath("resources", name).read_text(encoding="utf-8")
    return frozenset(
        line.strip() for line in raw.splitlines() if line.strip() and not line.startswith("#")
    )


@functools.lru_cache(maxsize=1)
def first_names() -> frozenset[str]:
    """The first-name gazetteer (capitalised, from Faker's Latin-script name providers)."""
    return _read_resource("first_names.txt")


@functools.lru_cache(maxsize=1)
def surnames() -> frozenset[str]:
    """The surname gazetteer (capitalised, from Faker's Latin-script name providers)."""
    return _read_resource("surnames.txt")


@functools.lru_cache(maxsize=1)
def common_words() -> frozenset[str]:
    """Lower-case common English words: single tokens too ambiguous to treat as names."""
    return _read_resource("common_words.txt")


@functools.lru_cache(maxsize=1)
def english_words() -> frozenset[str]:
    """Ordinary English words (`resources/english_words.txt`) and the common words."""
    return _read_resource("english_words.txt") | common_words()


@functools.lru_cache(maxsize=1)
def place_names() -> frozenset[str]:
    """The place-name gazetteer (GeoNames countries, US states, continents, cities of 50k+)."""
    return _read_resource("places.txt")
