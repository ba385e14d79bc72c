"""The core street-address patterns: numbered US/UK addresses ("221B Baker Street"), German,
French, Spanish and Italian street forms, PO boxes, and any-case addresses after a cue ("i live
at 42 elm street"). More forms are in `toolkit.privacy.detect.recognizers.street_address`."""

from __future__ import annotations

import re
from collections.abc import Iterator

from toolkit.privacy.detect.number_shapes import HAS_DIGIT

_STREET_SUFFIXES = (
    "Street St Avenue Ave Av Road Rd Lane Ln Boulevard Blvd Drive Dr Way Court Ct Place Pl Terrace "
    "Ter Circle Cir Parkway Pkwy Highway Hwy Square Sq Close Crescent Cres Gardens Grove Row Mews "
    "Hill Trail Trl Alley Loop Walk Park Plaza Pike"
).split()
_SUFFIX_ANY_CASE = (
    "(?:" + "|".join(f"[{w[0]}{w[0].lower()}]{w[1:]}" for w in _STREET_SUFFIXES) + ")"
)
_CAP_WORD = r"[A-Z][A-Za-z'’-]*\.?"
_ORDINAL = r"\d{1,3}(?:st|nd|rd|th)"
_CITY = r"(?:St\.[ \t]+)?[A-Z][A-Za-z'’-]+(?:[ \t]+[A-Z][A-Za-z'’-]+){0,2}"
_UK_POSTCODE = r"[A-Z]{1,2}\d[A-Z\d]?[ \t]*\d[A-Z]{2}"
_US_TAIL = r"[A-Z]{2}(?:[ \t]+\d{5}(?:-\d{4})?)?"
_US_UK_ADDRESS = re.compile(
    rf"(?<![\w,.-])\d{{1,5}}[A-Za-z]?(?:-\d{{1,5}})?[ \t]+(?:[NSEW]\.?[ \t]+)?"
    rf"(?:(?:{_CAP_WORD}|{_ORDINAL})[ \t]+){{1,4}}{_SUFFIX_ANY_CASE}\b\.?"
    rf"(?:,?[ \t]*(?:Apt|Apartment|Suite|Ste|Unit|Flat|Fl|Floor|\#)\.?[ \t]*\#?[\w-]{{1,6}})?"
    rf"(?:,[ \t]*{_CITY}(?:(?:,[ \t]*|[ \t]+)(?:{_UK_POSTCODE}|{_US_TAIL}|\d{{5}}))?(?![\w]))?"
)
# Any street name is accepted when a full "City, ST 12345" (US) or "City POSTCODE" (UK) tail
# follows: that tail is specific enough (USPS suffixes like Ports, Flats, Vista are endless).
_TAILED_ADDRESS = re.compile(
    rf"(?<![\w,.-])\d{{1,6}}[A-Za-z]?(?:-\d{{1,5}})?[ \t]+(?:[NSEW]\.?[ \t]+)?"
    rf"(?:(?:{_CAP_WORD}|{_ORDINAL})[ \t]+){{0,3}}{_CAP_WORD}"
    rf"(?:,?[ \t]*(?:Apt|Apartment|Suite|Ste|Unit|Flat|Fl|Floor|\#)\.?[ \t]*\#?[\w-]{{1,6}})?"
    rf",[ \t]*{_CITY}(?:,?[ \t]+[A-Z]{{2}}[ \t]+\d{{5}}(?:-\d{{4}})?|[ \t]*,?[ \t]+{_UK_POSTCODE})"
    rf"(?![\w])"
)
_UK_ADDRESS = re.compile(
    rf"(?<![\w])(?:(?:Flat|Studio|Apartment|Apt|Unit|Suite|Room)\.?[ \t]+[\w-]{{1,5}},?[ \t]+"
    rf"|\d{{1,5}}[A-Za-z]?,?[ \t]+)?(?:{_CAP_WORD}[ \t]+){{0,3}}{_CAP_WORD},[ \t]*{_CITY},?[ \t]+"
    rf"{_UK_POSTCODE}(?![\w])"
)
_DE_ADDRESS = re.compile(
    r"(?<![\w])(?:[A-ZÄÖÜ][a-zäöüß]+[ \t-])?"
    r"(?:[A-ZÄÖÜ][a-zäöüß-]*(?:straße|strasse|str\.|weg|allee|platz|gasse)"
    r"|Straße|Strasse|Str\.|Weg|Allee|Platz|Gasse)"
    r"[ \t]+\d{1,4}[a-z]?(?:,[ \t]*\d{5}[ \t]+[A-ZÄÖÜ][a-zäöüß]+(?:[ \t-][A-ZÄÖÜ][a-zäöüß]+)?)?"
    r"(?![\w])"
)
_FR_ADDRESS = re.compile(
    r"(?<![\w])\d{1,4}(?:[ \t]?(?:bis|ter))?,?[ \t]+"
    r"(?i:rue|avenue|av\.|boulevard|bd|place|chemin|all[ée]e|impasse|quai|route|cours)[ \t]+"
    r"(?i:d[eu][ \t]+(?:la[ \t]+)?|des[ \t]+|de[ \t]+l['’]|l['’])?"
    r"[A-ZÀ-Ý][\w'’-]+(?:[ \t]+[A-ZÀ-Ý][\w'’-]+){0,3}"
    r"(?:,[ \t]*\d{5}[ \t]+[A-ZÀ-Ý][\w'’-]+(?:[ \t-][A-ZÀ-Ý][\w'’-]+)?)?"
)
_ES_IT_ADDRESS = re.compile(
    r"(?<![\w])(?:Calle|C/|Avenida|Avda\.?|Plaza|Paseo|Camino|Via|Viale|Piazza|Corso)[ \t]+"
    r"(?:(?:de|del|della|di)[ \t]+(?:la[ \t]+|los[ \t]+|las[ \t]+)?)?"
    r"[A-ZÀ-Ý][\w'’-]+(?:[ \t]+[A-ZÀ-Ý][\w'’-]+){0,3},?[ \t]+(?:n[º°o]\.?[ \t]*)?\d{1,4}(?![\w])"
)
_PO_BOX = re.compile(r"(?i)(?<![\w])P\.?[ \t]?O\.?[ \t]+Box[ \t]+\d{1,6}(?![\w])")
# Any case, but only right after an address cue: "i live at 42 elm street apt 3".
_CUED_ADDRESS = re.compile(
    r"(?i)\b(?:my[ \t]+address[ \t]+is|address[ \t]*:|(?:i[ \t]+)?live[sd]?[ \t]+at|living[ \t]+at"
    r"|(?:ship|deliver|send|sent|mail|post)(?:ped|ed)?[ \t]+(?:it[ \t]+|them[ \t]+)?to"
    r"|moved[ \t]+to|located[ \t]+at|come[ \t]+to|drop[ \t]+(?:it[ \t]+)?(?:off[ \t]+)?at)"
    r"[ \t:]+(?P<id>\d{1,5}[a-z]?[ \t]+(?:(?:[nsew]\.?|[a-z0-9'’-]{2,20})[ \t]+){1,4}"
    r"(?:" + "|".join(_STREET_SUFFIXES) + r")\b\.?(?:[ \t]+(?:nw|ne|sw|se|n|s|e|w)\b\.?)?"
    r"(?:,?[ \t]*(?:apt|apartment|suite|ste|unit|flat|fl|floor|\#)\.?[ \t]*\#?[\w-]{1,6})?)"
)
_ADDRESS_PATTERNS = (
    _US_UK_ADDRESS,
    _TAILED_ADDRESS,
    _UK_ADDRESS,
    _DE_ADDRESS,
    _FR_ADDRESS,
    _ES_IT_ADDRESS,
    _PO_BOX,
    _CUED_ADDRESS,
)


def find_street_addresses(text: str) -> Iterator[tuple[int, int, float]]:
    """Street addresses in `text` as (start, end, score)."""
    if not HAS_DIGIT(text):
        return
    for pattern in _ADDRESS_PATTERNS:
        for m in pattern.finditer(text):
            group = "id" if "id" in pattern.groupindex else 0
            yield m.start(group), m.end(group), 0.7
