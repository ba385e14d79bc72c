"""Place names from a gazetteer: countries, US states and cities written with capitals.

The NER layer finds most places from context, but misses many that posts write in capitals
("MINSK", "SCARBOROUGH"), inside hashtags ("#Ohio", "#NewHaven") or in lists with no
sentence around them. `find_places` looks every capitalised run of one to four words (and every
hashtag body, split at its capitals) up in `toolkit/resources/places.txt` (GeoNames, built by
`toolkit/resources/build_places.py`). Names that are also ordinary words or people's names
("Nice", "Reading", "Gary") are not in the list, and lower-case words never match.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterator

from toolkit.core.text import CAMEL_PART, HASHTAG
from toolkit.privacy.detect.wordlists import place_names

#: Score of a gazetteer match: as sure as the NER layer's places.
PLACE_SCORE = 0.6
#: Longest place name looked up, in words ("Rio de Janeiro", "Stoke on Trent").
MAX_WORDS = 4
#: Lower-case words that may sit inside a place name.
CONNECTORS = frozenset("de del la le las los da do das dos di of on upon am an der sur y".split())

_WORD = re.compile(r"[^\W\d_](?:[\w'’.-]*[^\W_])?")
#: Characters before or after a word that make it part of a handle, an address or a link.
_NOT_TEXT_BEFORE = frozenset("@#/\\.:_")
_NOT_TEXT_AFTER = frozenset("@/\\_")
_GAPS = frozenset({" ", "-", " - "})


def fold(name: str) -> str:
    """The lookup key of a place name: accents dropped, case folded, one space between words."""
    plain = unicodedata.normalize("NFKD", name)
    plain = "".join(c for c in plain if not unicodedata.combining(c))
    return " ".join(plain.casefold().replace("’", "'").replace("-", " ").split())


@functools.lru_cache(maxsize=1)
def place_keys() -> frozenset[str]:
    """The folded names of `toolkit/resources/places.txt`."""
    return frozenset(fold(name) for name in place_names())


def find_places(text: str) -> Iterator[tuple[int, int, float]]:
    """(start, end, score) of each gazetteer place name in `text`.

    A name matches when each of its words starts with a capital (any lower-case connector
    such as "de" or "upon" aside), or when it is a whole hashtag body that starts with one
    ("#NewHaven", not "#turkey"); the longest name starting at a word wins.
    """
    keys = place_keys()
    words = [m for m in _WORD.finditer(text) if _standalone(text, m)]
    i = 0
    while i < len(words):
        if not words[i].group()[0].isupper():
            i += 1
            continue
        run = _name_run(text, words, i)
        for n in range(len(run), 0, -1):
            if (
                run[n - 1].group()[0].isupper()
                and _key(text[run[0].start() : run[n - 1].end()]) in keys
            ):
                yield run[0].start(), run[n - 1].end(), PLACE_SCORE
                i += n
                break
        else:
            i += 1
    for m in HASHTAG.finditer(text):
        body = m.group(1)
        if body[0].isupper() and _key(" ".join(CAMEL_PART.findall(body)) or body) in keys:
            yield m.start(), m.end(), PLACE_SCORE


def _standalone(text: str, word: re.Match) -> bool:
    """Not part of a handle, an e-mail address, a path or a link."""
    start, end = word.span()
    return not (start and text[start - 1] in _NOT_TEXT_BEFORE) and not (
        end < len(text) and text[end] in _NOT_TEXT_AFTER
    )


def _name_run(text: str, words: list[re.Match], i: int) -> list[re.Match]:
    """The words from `i` on that could make one name: capitalised or connectors, separated by
    single spaces or hyphens only (not across commas or lines), at most `MAX_WORDS`."""
    run = [words[i]]
    for word in words[i + 1 : i + MAX_WORDS]:
        value = word.group()
        if text[run[-1].end() : word.start()] not in _GAPS:
            break
        if not (value[0].isupper() or value in CONNECTORS):
            break
        run.append(word)
    return run


@functools.lru_cache(maxsize=65_536)
def _key(name: str) -> str:
    return fold(name)
