"""Rebuild first_names.txt and surnames.txt from Faker's person providers (run by hand).

    python -m toolkit.resources.build_names

Every Latin-script locale of Faker is used (about 80), so names from South Asia, West Africa,
Eastern Europe, Vietnam and Latin America are covered, not only English ones. Tokens that are
ordinary English words (`common_words.txt`) or brands/places that often precede a capitalised
word ("Delta Airlines", "Austin Energy") are left out; ASCII-folded forms are added
("Nguyễn" -> "Nguyen"). Faker is MIT-licensed.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
import unicodedata

from toolkit.privacy.detect.wordlists import common_words
from toolkit.resources.word_list import write_word_list

_LATIN = re.compile(r"^[A-Za-zÀ-ÖØ-öø-ÿĀ-žḀ-ỿ'’-]+$")
#: Tokens that are mostly brands, products, places or dates in customer posts ("Delta
#: Airlines", "Austin Energy", "Chase Bank", "Victoria Road", "April 3"): never a name here.
NOT_NAMES = frozenset(
    "Alexa Siri Echo Nest Ring Google Apple Amazon Delta Chase Target Sky Virgin Orange Three "
    "Tesla Mercedes Ford Lincoln Dell Harley Porsche Mazda Audi Kia Lexus Jaguar Nokia Xbox "
    "Austin Dallas Houston Phoenix Paris London Sydney Chelsea Georgia Virginia Carolina "
    "Florence Adelaide Victoria Regent Jordan Israel India Kenya China Japan Africa America "
    "Europe Asia Boston Denver Orlando Savannah Memphis Nashville Brooklyn Hudson Madison "
    "Alexandria Berlin Milan Roma Sierra Nevada Dakota Montana Cheyenne Indiana Tennessee Kent "
    "Essex Devon York Jersey Wales Ireland Scotland Brighton Windsor Chester Preston Sharp "
    "Canon Philips Bosch Miele Lidl Aldi Asda Boots Costco Hyundai Subaru Fiat Royal Prime "
    "Premier Pixel Galaxy Nova Christmas Easter Monday Tuesday Wednesday Thursday Friday "
    "Saturday Sunday January February March April May June July August September October "
    "November December Allah Jesus God Christ Buddha".split()
)
#: Short forms people sign with or are thanked by ("Cheers Rob"), missing from Faker.
NICKNAMES = frozenset(
    "Rob Robbie Bob Bobby Dave Davey Mike Mikey Jim Jimmy Jamie Tom Tommy Chris Matt Dan Danny "
    "Ben Benny Sam Sammy Alex Andy Tony Steve Stevie Pete Nick Nicky Joe Joey Jon Johnny Liz "
    "Lizzie Beth Kate Katie Kat Jen Jenny Jess Jessie Becky Becca Sue Suzy Pam Meg Nat Vic "
    "Vicky Abby Gabe Josh Zach Nate Jake Luke Rick Ricky Rich Richie Ed Eddie Ted Teddy Fred "
    "Freddie Al Greg Jeff Ken Kenny Larry Ron Ronnie Don Donnie Phil Stu Tim Timmy Tash Mo Raj "
    "Sunny Deb Debbie Cathy Kathy Chrissy Mandy Sandy Cindy Wendy Trish Tricia Patty Val "
    "Mel Ally Ali Izzy Bella Gabby Maddie Manny Rafa Pepe Paco Nacho Kike Lupe Chuy Sasha "
    "Misha Dima Kolya Vova Seb Olly Ollie Alfie Archie Charlie Harry Jack Jackie Bert Bertie "
    "Reggie Gerry Terry Tel Baz Gaz Daz Kev Jules Nico Luca Gio Toni Dom Nando Xan".split()
)
#: Faker locales whose first names are kept even when they are also English words ("Grace",
#: "Bill"): after a strong cue ("my name is") such a word is a name.
CORE_LOCALES = ("en_US", "en_GB", "de_DE", "fr_FR", "es_ES")


def _tokens(values) -> set[str]:
    out = set()
    items = values.keys() if isinstance(values, dict) else values
    for value in items:
        for token in str(value).split():
            if _LATIN.match(token) and token[0].isupper() and len(token) > 1:
                out.add(token)
    return out


def _folded(token: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", token) if not unicodedata.combining(c))


def faker_names(locales: tuple[str, ...] | None = None) -> tuple[set[str], set[str]]:
    """(first names, surnames) of Faker person providers (default: all), Latin script only."""
    import faker.providers.person as person

    first: set[str] = set()
    last: set[str] = set()
    for module in pkgutil.iter_modules(person.__path__):
        if locales is not None and module.name not in locales:
            continue
        provider = importlib.import_module(f"{person.__name__}.{module.name}").Provider
        for attr in dir(provider):
            value = getattr(provider, attr, None)
            if not isinstance(value, dict | list | tuple | set | frozenset):
                continue
            if attr.startswith(("first_names", "first_name_")):
                first |= _tokens(value)
            elif attr.startswith(("last_names", "last_name_")):
                last |= _tokens(value)
    return first, last


def clean(tokens: set[str], common: set[str], keep: set[str] = frozenset()) -> list[str]:
    """Drop common words (unless in `keep`) and brand/place tokens; add ASCII-folded forms."""
    kept = {t for t in tokens if (t in keep or t.lower() not in common) and t not in NOT_NAMES}
    kept |= {_folded(t) for t in kept if _folded(t) not in NOT_NAMES}
    return sorted(kept)


def main() -> None:
    common = common_words()
    first, last = faker_names()
    first |= NICKNAMES
    core_first, _ = faker_names(CORE_LOCALES)
    header = (
        "# {what} (one per line) for the PERSON detector in toolkit/privacy/detect/person_names.py.\n"
        "# Built by toolkit/resources/build_names.py from every Latin-script Faker person\n"
        "# provider (MIT), without common English words and brand/place names.\n"
    )
    write_word_list(
        "first_names.txt",
        header.format(what="First names"),
        clean(first, common, core_first | NICKNAMES),
    )
    write_word_list("surnames.txt", header.format(what="Surnames"), clean(last, common))


if __name__ == "__main__":
    main()
