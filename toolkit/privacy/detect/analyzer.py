"""Personal data in post text: detection, redaction, safe quoting and small-group suppression.

Customer handles are pseudonymised at ingest (`toolkit.privacy.pseudonymise`); this module finds the
personal data that remains *inside* post text. Detection is layered: fast regular expressions,
checksums (Luhn, IBAN mod-97), the `phonenumbers` library for phone validation, obfuscated
forms ("jane at gmail dot com", digits spelled out), and for names context cues ("my husband",
"thanks", "Mr") plus first-name and surname gazetteers, with an optional spaCy NER plug-in
(`spacy_ner`) when a model is installed. Entity names follow Microsoft Presidio.

`quote` (and `quote_column` for a table) is the one way customer post text may reach a
report; `quote_risk` scores how findable a quote is by exact search. `suppress_small_groups`
applies k-anonymity style disclosure control to aggregate tables.
"""

from __future__ import annotations

import bisect
import functools
import importlib.util
import ipaddress
import logging
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from importlib import resources
from typing import Any, Literal

import numpy as np
import pandas as pd
import phonenumbers

from toolkit.privacy.detect.checksums import luhn_checksum_ok
from toolkit.privacy.detect.recognizers import (
    AGE,
    DATE_TIME,
    PASSPORT,
    UK_NINO,
    UK_SORT_CODE,
    US_DRIVER_LICENSE,
    US_SSN,
    PatternRecognizer,
    default_recognizers,
    handle_of,
)

log = logging.getLogger(__name__)

EMAIL_ADDRESS = "EMAIL_ADDRESS"
PHONE_NUMBER = "PHONE_NUMBER"
CREDIT_CARD = "CREDIT_CARD"
IBAN_CODE = "IBAN_CODE"
IP_ADDRESS = "IP_ADDRESS"
URL = "URL"
HANDLE = "HANDLE"
ORDER_NUMBER = "ORDER_NUMBER"
STREET_ADDRESS = "STREET_ADDRESS"
PERSON = "PERSON"
# From the statistical NER layer (`toolkit.privacy.detect.ner`), named as Presidio names them.
LOCATION = "LOCATION"
ORGANIZATION = "ORGANIZATION"
NRP = "NRP"

#: Every entity type `detect` can return, in report order.
ENTITY_TYPES: tuple[str, ...] = (
    EMAIL_ADDRESS,
    PHONE_NUMBER,
    CREDIT_CARD,
    IBAN_CODE,
    US_SSN,
    UK_NINO,
    PASSPORT,
    US_DRIVER_LICENSE,
    UK_SORT_CODE,
    STREET_ADDRESS,
    DATE_TIME,
    AGE,
    PERSON,
    LOCATION,
    ORGANIZATION,
    NRP,
    HANDLE,
    ORDER_NUMBER,
    IP_ADDRESS,
    URL,
)
#: Types found by the NER layer (all but PERSON come only from it).
NER_ONLY_TYPES = frozenset({LOCATION, ORGANIZATION, NRP, DATE_TIME})
#: Types that let someone contact the person directly.
CONTACT_TYPES = frozenset({EMAIL_ADDRESS, PHONE_NUMBER, STREET_ADDRESS})
#: Types that are redacted even under the "full" quote policy: everything but URLs. PERSON is
#: included because the report gate treats every name found in customer posts as a customer
#: identifier; order numbers and IPs link a post to a customer record; an age or a date of
#: birth narrows a person down among the few who wrote about the same thing.
NEVER_RAW_TYPES = frozenset(
    {
        EMAIL_ADDRESS,
        PHONE_NUMBER,
        CREDIT_CARD,
        IBAN_CODE,
        US_SSN,
        UK_NINO,
        PASSPORT,
        US_DRIVER_LICENSE,
        UK_SORT_CODE,
        STREET_ADDRESS,
        DATE_TIME,
        AGE,
        HANDLE,
        PERSON,
        ORDER_NUMBER,
        IP_ADDRESS,
        LOCATION,
        ORGANIZATION,
        NRP,
    }
)
QuotePolicy = Literal["none", "redacted", "full"]
QUOTE_MAX_CHARS = 140
DEFAULT_PHONE_REGIONS: tuple[str, ...] = (
    "US", "GB", "DE", "FR", "ES", "IT", "NL", "IN", "AU", "CA", "BR", "MX",
)  # fmt: skip
#: Order / ticket / account / booking references. A named group `id` (if present) is the span;
#: else the whole match. Users add their own formats with `privacy.order_patterns`.
DEFAULT_ORDER_PATTERNS: tuple[str, ...] = (
    # A standalone id of capitals and digits ("NH-1234567", "CS0912384") or "#1234567".
    r"(?:(?<=#)|(?<![\w#-]))(?P<id>[A-Z]{1,4}-?\d{5,10}|(?<=#)\d{5,12})(?![\w-])",
    # After a cue word: "order number 123456", "Kundennummer 4711087236", "tracking 1Z...".
    r"(?i:\b(?:order|ticket|case|invoice|confirmation|reference|ref|rma|tracking|booking"
    r"|itinerary|reservation|account|acct|customer|member(?:ship)?|policy|claim|complaint"
    r"|incident|request|pnr|parcel|shipment|consignment|return|contract|subscription|purchase"
    r"|transaction|payment|receipt|refund"
    r"|kundennummer|bestellnummer|auftragsnummer|vertragsnummer|rechnungsnummer|commande"
    r"|r[ée]f[ée]rence|dossier|pedido|referencia|ordine)"
    r"(?:[ \t]+(?:number|no\.?|nr\.?|num|id|code|ref(?:erence)?|n[°º]|#))?"
    r"(?:[ \t]+is)?[ \t]*[:(]?[ \t]*)"
    r"#?[ \t]?(?P<id>[A-Z]{0,4}-?\d{5,16}|1Z[0-9A-Z]{16}"
    r"|(?=[A-Z0-9-]{5,24}(?![\w-]))(?=[A-Z-]*\d)[A-Z0-9]+(?:-[A-Z0-9]+)*)(?![\w-])",
    # Airline / travel booking codes (PNR): six capitals or digits after a booking cue.
    r"(?i:\b(?:booking|confirmation|pnr|reservation)(?:[ \t]+(?:ref(?:erence)?|code|number"
    r"|no\.?|#))?(?:[ \t]+is)?[ \t]*[:(]?[ \t]*)(?P<id>[A-Z0-9]{6})(?![\w-])",
)

# Overlapping spans are merged into one span of the most specific type (highest rank wins).
_SPECIFICITY = {
    CREDIT_CARD: 9,
    IBAN_CODE: 9,
    EMAIL_ADDRESS: 8,
    US_SSN: 8,
    UK_NINO: 8,
    PASSPORT: 8,
    US_DRIVER_LICENSE: 8,
    UK_SORT_CODE: 8,
    ORDER_NUMBER: 7,
    IP_ADDRESS: 6,
    PHONE_NUMBER: 5,
    STREET_ADDRESS: 4,
    DATE_TIME: 4,
    AGE: 4,
    HANDLE: 3,
    PERSON: 2,
    LOCATION: 1.6,
    NRP: 1.5,
    ORGANIZATION: 1.4,
    URL: 1,
}


@dataclass(frozen=True)
class Span:
    """One piece of personal data: character offsets into the original text, type, confidence."""

    start: int
    end: int
    entity_type: str
    score: float
    text: str


# ------------------------------------------------------------------ text normalisation
# Invisible format characters (zero-width, bidi controls, soft hyphen) are dropped before
# detection so "jane\u200b@example.com" is still an email; look-alike characters are mapped
# one-to-one (full-width forms, exotic spaces and dashes). Offsets are mapped back afterwards.
_DROPPED_CHARS = (
    "\u00ad\u061c\u180e\u200b\u200c\u200d\u200e\u200f\u202a\u202b\u202c\u202d\u202e"
    "\u2060\u2061\u2062\u2063\u2064\u2066\u2067\u2068\u2069\ufeff"
)
_DROPPED_RE = re.compile(f"[{_DROPPED_CHARS}]")
_TRANSLATION: dict[int, str | None] = {ord(c): None for c in _DROPPED_CHARS}
_TRANSLATION.update({cp: chr(cp - 0xFEE0) for cp in range(0xFF01, 0xFF5F)})  # full-width ASCII
_TRANSLATION.update(
    {cp: " " for cp in (0x00A0, 0x1680, 0x202F, 0x205F, 0x3000, *range(0x2000, 0x200B))}
)
_TRANSLATION.update({cp: "-" for cp in (0x2010, 0x2011, 0x2012, 0x2013, 0x2014, 0x2015, 0x2212)})
_TRANSLATION.update({0xFE6B: "@", 0x2024: ".", 0x3002: ".", 0x2028: "\n", 0x2029: "\n"})


@dataclass(frozen=True)
class _Normalised:
    text: str
    #: For each dropped character, its position in the normalised text.
    drops: tuple[int, ...] = ()

    def original(self, start: int, end: int) -> tuple[int, int]:
        """Map a [start, end) span of the normalised text back to the original text."""
        if not self.drops:
            return start, end
        orig_start = start + bisect.bisect_right(self.drops, start)
        orig_end = (end - 1) + bisect.bisect_right(self.drops, end - 1) + 1
        return orig_start, orig_end


_SPECIAL_RE = re.compile("[" + "".join(re.escape(chr(cp)) for cp in sorted(_TRANSLATION)) + "]")


def _normalise(text: str) -> _Normalised:
    if text.isascii() or not _SPECIAL_RE.search(text):
        return _Normalised(text)
    # sub() touches only the special characters: much faster than translate() on big texts.
    cleaned = _SPECIAL_RE.sub(lambda m: _TRANSLATION[ord(m.group())] or "", text)
    if len(cleaned) == len(text):
        return _Normalised(cleaned)
    drops = tuple(m.start() - i for i, m in enumerate(_DROPPED_RE.finditer(text)))
    return _Normalised(cleaned, drops)


# ------------------------------------------------------------------ resources
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


# ------------------------------------------------------------------ patterns
_HAS_DIGIT = re.compile(r"\d").search
_EMAIL = re.compile(
    r"(?<![\w.%+@-])[\w.%+-]{1,64}+@(?:[^\W_](?:[\w-]{0,61}[^\W_])?\.){1,8}[^\W\d_]{2,24}(?![\w-])"
)
# "bob @ example.net" or "bob@example .net", but not "account @lunar.moth" (a handle).
_OBF_AT = r"(?:[ \t]*[(\[{<][ \t]*at[ \t]*[)\]}>][ \t]*|[ \t]+@[ \t]+|@|[ \t]+at[ \t]+)"
_OBF_DOT = r"(?:[ \t]*[(\[{<][ \t]*(?:dot|\.)[ \t]*[)\]}>][ \t]*|[ \t]+dot[ \t]+|\.)"
_OBF_WORD = r"[a-z0-9_%+-]{1,64}+"  # possessive: no backtracking into words
_OBFUSCATED_EMAIL = re.compile(
    rf"(?i)(?<![\w.@+-])(?P<local>{_OBF_WORD}(?:{_OBF_DOT}{_OBF_WORD}){{0,4}})(?P<at>{_OBF_AT})"
    rf"(?P<domain>{_OBF_WORD}(?:{_OBF_DOT}{_OBF_WORD}){{0,4}}{_OBF_DOT}[a-z]{{2,24}})(?![\w-])"
)
_OBF_HINT = re.compile(r"(?i)[(\[{<][ \t]*at[ \t]*[)\]}>]|\sat\s|@")
_WORD_DOT = re.compile(r"(?i)[ \t]*[(\[{<][ \t]*(?:dot|\.)[ \t]*[)\]}>][ \t]*|[ \t]+dot[ \t]+")
_MAIL_PROVIDERS = frozenset(
    "gmail.com googlemail.com yahoo.com yahoo.co.uk yahoo.fr yahoo.es hotmail.com hotmail.co.uk "
    "hotmail.fr outlook.com live.com msn.com icloud.com me.com mac.com aol.com protonmail.com "
    "proton.me gmx.de gmx.net gmx.com web.de t-online.de orange.fr free.fr laposte.net sfr.fr "
    "libero.it virgilio.it btinternet.com sky.com mail.com yandex.com yandex.ru zoho.com "
    "fastmail.com hey.com tutanota.com".split()
)

# Phone candidates: 7-15 digits with phone punctuation, not glued to words, decimals or ids.
_PHONE_CANDIDATE = re.compile(
    r"(?<![\w+/.$€£¥%])(?<!\d[-./])(?:\+[ \t]?)?\(?\d[\d \t\-./()]{5,24}\d"
    r"(?:[ \t]?(?:x|ext\.?|extension)[ \t]?\d{1,6})?(?![\w%])(?![-./]\d)"
)
#: A phone extension at the end of a candidate ("555-123-4567 x89", "ext. 12").
_PHONE_EXTENSION = re.compile(r"[ \t]?(?:x|ext\.?|extension)[ \t]?\d{1,6}$")
_PHONE_CUE = re.compile(
    r"(?i)\b(?:call(?:ed|ing)?|phone|tel|telephone|mobile|cell(?:phone)?|whats ?app|text(?:ed)? me"
    r"|sms|ring|fax|reach me|contact|number|hotline|helpline|landline|telefon|handy|t[ée]l[ée]phone"
    r"|portable|tel[ée]fono|m[óo]vil|cellulare|office|home)\b"
)
_DATE_LIKE = re.compile(r"(?<!\d)(\d{1,4})[-./](\d{1,2})[-./](\d{2,4})(?!\d)")
_YEARS_ONLY = re.compile(r"(?:(?:19|20)\d\d[ \t\-./]*)+")
_THOUSANDS = re.compile(r"[1-9]\d{0,2}(?:([.,'])\d{3})(?:\1\d{3})*|[1-9]\d?(?: \d{3})+")
# Digits written as words or one by one: "five five five, oh one four two", "0 7 7 0 0 9 ...".
_DIGIT_WORDS = {
    "zero": "0", "oh": "0", "o": "0", "nought": "0", "one": "1", "two": "2", "three": "3",
    "four": "4", "five": "5", "six": "6", "seven": "7", "eight": "8", "nine": "9",
}  # fmt: skip
_SPELLED_TOKEN = (
    r"(?:zero|oh|o|nought|one|two|three|four|five|six|seven|eight|nine|double|triple|\d)"
)
_SPELLED_NUMBER = re.compile(
    rf"(?i)(?<![\w.,-]){_SPELLED_TOKEN}\b(?:[ \t]*[,.\-/]?[ \t]*\b{_SPELLED_TOKEN}\b){{6,24}}+"
    r"(?![\w]|[.,-]\d)"
)
_DIGIT_WORD_HINT = re.compile("zero|one|two|three|four|five|six|seven|eight|nine|double|nought")
_SPELLED_PART = re.compile(rf"(?i)\b{_SPELLED_TOKEN}\b")
_SPACED_DIGITS = re.compile(r"\d[ \t,.-]+\d[ \t,.-]+\d[ \t,.-]+\d[ \t,.-]+\d(?!\d)")
# Numbers right after these words are serials, versions or part numbers, not phones or IPs.
_NOT_CONTACT_CUE = re.compile(
    r"(?i)\b(?:serial|s/?n|imei|model|part|sku|upc|ean|isbn|asin|version|ver\.?|v|build|firmware"
    r"|update|release|patch|kb)[ \t]*(?:number|no\.?|nr\.?|#)?[ \t:#]*$"
)
_DECIMAL = re.compile(r"\d+\.\d+")
_DIGIT_GROUPS = re.compile(r"\d+")
_SEPARATORS = re.compile(r"(?<=\d)[ \t\-./]+(?=[\d(])")
_CARD_CANDIDATE = re.compile(r"(?<![\w+/.,$€£-])\d(?:[ \t-]?\d){11,40}(?![\w%])(?![.,]\d)")
_FOUR_BY_FOUR = re.compile(r"\d{4}([ \t-])\d{4}\1\d{4}\1\d{4}")
_CARD_CUE = re.compile(
    r"(?i)\b(?:card|visa|master[ \t]?card|amex|credit|debit|cc|kreditkarte|karte|carte|tarjeta"
    r"|carta)\b[^\n]{0,25}$"
)
_IBAN = re.compile(r"(?<![\w])[A-Z]{2}\d{2}(?:[ ]?[A-Z0-9]{4}){2,7}+(?:[ ]?[A-Z0-9]{1,3})?(?![\w])")
_IPV4 = re.compile(
    r"(?<![\w.])(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)"
    r"(?![\w]|\.\d)"
)
_IPV6_CANDIDATE = re.compile(r"(?<![\w:.])[0-9A-Fa-f:]{2,39}(?![\w:])")
_URL = re.compile(r"(?i)(?<![\w@/])(?:https?://|www\.)[^\s<>\"'`]+")
_BARE_DOMAIN = re.compile(
    r"(?i)(?<![\w@./-])(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.){1,6}"
    r"(?:com|net|org|edu|gov|io|co\.uk|uk|de|fr|es|nl|eu|info|biz|app|dev|ly|gl|example|social)"
    r"(?:/[^\s<>\"'`]*)?(?![\w-])"
)
_TLD_HINT = re.compile(
    r"(?i)\.(?:com|net|org|edu|gov|io|uk|de|fr|es|nl|eu|info|biz|app|dev|ly|gl|example|social)\b"
)
_URL_TRAILING = ".,;:!?)]}'\""
_HANDLE = re.compile(
    r"(?<![\w@/.])@[A-Za-z0-9_](?:[A-Za-z0-9_.]{0,28}[A-Za-z0-9_])?"
    r"(?:@(?:[A-Za-z0-9-]{1,63}\.){1,6}[A-Za-z]{2,24})?(?![\w@])"
)
_REDDIT_USER = re.compile(r"(?<![\w/])/?u/[A-Za-z0-9_-]{3,20}(?![\w-])")

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

# Latin, Greek and Cyrillic: scripts with capital letters ("Анна Кузнецова", "Νίκος").
_UPPER = "A-ZÀ-ÖØ-ÞĀ-ŽḀ-ỾΆΈ-ΏΑ-ΩЀ-Я"
_LOWER = "a-zß-öø-ÿĀ-žḁ-ỿά-ώа-џ"
#: Scripts whose names the gazetteers (Latin script) cannot confirm.
_NON_LATIN_LETTER = re.compile("[Ͱ-ϿЀ-ӿऀ-ॿ]")
#: A name in a script without capital letters (Devanagari): only after a cue.
_CASELESS_NAME = "[ऀ-ॿ]{2,}(?:[ \t]+[ऀ-ॿ]{2,}){0,2}"
_NAME = rf"[{_UPPER}](?:['’][{_UPPER}]|[{_LOWER}]{{1,2}}[{_UPPER}])?[{_LOWER}]+(?:-[{_UPPER}]?[{_LOWER}]+)?"
_INITIAL = rf"[{_UPPER}]\.?(?![\w])"
# Lower-case particles inside names: "Ludwig van Beethoven", "María de la Cruz", "Ali bin Said".
_PARTICLE = r"(?:van|von|de|da|di|del|della|der|den|du|dos|das|bin|ibn|al|el|la|le)"
_NEXT_TOKEN = rf"[ \t]+(?:{_PARTICLE}[ \t]+(?:{_PARTICLE}[ \t]+)?)?(?:{_NAME}|{_INITIAL})"
#: A name after a cue: one to three capitalised tokens (trailing ordinary words are trimmed
#: later), or one or two lower-case tokens ("thanks john") that the gazetteers know (see
#: `_lowercase_name_end`).
_LOWER_NAME = rf"[{_LOWER}]{{2,}}(?:-[{_LOWER}]+)?"
_CUE_NAME = (
    rf"(?P<name>{_NAME}(?:{_NEXT_TOKEN}){{0,2}}|{_LOWER_NAME}(?:[ \t]+{_LOWER_NAME})?"
    rf"|{_CASELESS_NAME})"
)
#: Cue words after which a lower-case word may be a name ("thanks john", "my son ethan"); not
#: roles ("the agent said") nor "with", "sent", "ask".
_LOWERCASE_CUES = frozenset(
    "my name mein ich je me mi call this sign signed account under in booked addressed parcel ask "
    "asked asking "
    "package delivery letter booking reservation prescription thank thanks thx ty cheers merci "
    "danke gracias grazie obrigado obrigada kudos props big shout shoutout spoke speaking "
    "spoken talked talking chatted chatting named hi hey hello dear regards sincerely best "
    "cordialement saludos grüße grusse gruesse xoxo love".split()
)
#: Lower-case words after "thanks", "cheers", ... that are in the name lists but mean a person
#: in general, not a name.
_NOT_LOWERCASE_NAMES = frozenset(
    "mate babe buddy pal bud boss doc nan bro dude guys team all everyone folks sir madam fam "
    "mom mum dad sis kid son friend lad lads honey hun darling sweetie amigo chief".split()
)
_TWO = rf"(?P<name>{_NAME}(?:{_NEXT_TOKEN}){{1,2}})"
_TITLE = (
    r"(?:Mr|Mrs|Ms|Miss|Mx|Dr|Prof|Sir|Dame|Herr|Frau|Mme|Mlle|Monsieur|Madame|Sr|Sra|Srta"
    r"|Sig|Sig\.ra|Fr|Rev)"
)
_RELATIVES = (
    r"husband|wife|partner|spouse|son|daughter|kid|child|boy|girl|baby|mum|mom|mommy|mummy"
    r"|mother|dad|daddy|father|brother|sister|bro|sis|grandma|grandmother|grandpa|grandfather"
    r"|grand(?:d)?ad|granny|gran|nan|nana|aunt|auntie|aunty|uncle|cousin|nephew|niece|friend"
    r"|mate|buddy|bestie|bff|neighbou?r|landlord|landlady|boss|manager|colleague|co-?worker"
    r"|roommate|flatmate|housemate|boyfriend|girlfriend|bf|gf|fianc[ée]e?|ex|stepson"
    r"|stepdaughter|stepmom|stepdad|(?:mother|father|sister|brother|son|daughter)-in-law"
    r"|tenant|carer|caregiver|nanny|teacher|doctor|therapist|lawyer|accountant|dog[ \t]+walker"
)
_ROLES = (
    r"agent|rep|representative|technician|tech|advis[eo]r|engineer|installer|supervisor|manager"
    r"|driver|courier|postman|postwoman|postie|delivery[ \t]+(?:guy|man|driver)|host|cashier"
    r"|barista|waiter|waitress|server|nurse|doctor|pharmacist|pilot|captain|attendant"
    r"|steward(?:ess)?|associate|employee|staff[ \t]+member|assistant|clerk|seller|mod"
    r"|moderator|operator|specialist|consultant|lady|guy|gentleman|woman|man|chap|bloke"
)
_FOLLOWING_VERBS = (
    r"was|is|has|had|said|says|told|tells|helped|helps|sorted|fixed|explained|called|came"
    r"|replied|answered|went|did|didn['’]t|does|doesn['’]t|made|took|tried|gave|got|asked"
    r"|offered|promised|refused|hung|kept|sent|walked|stayed|waited|will|won['’]t|would"
    r"|wouldn['’]t|can|can['’]t|could|couldn['’]t|should|never|just|also|finally|really"
    r"|isn['’]t|wasn['’]t|going|gonna|wants|needs|from|at"
    r"|in[ \t]+(?:billing|accounts|support|customer[ \t]+service"
    r"|the[ \t]+(?:\w+[ \t]+)?(?:team|department|store|shop|branch|office|warehouse))"
)


@dataclass(frozen=True)
class _Cue:
    """A context cue before a name, tried (anchored) only where one of its `keywords` starts a
    word, so the text is scanned once for all cues instead of once per cue."""

    keywords: frozenset[str]
    pattern: re.Pattern[str]
    strong: bool
    score: float
    sentence_start: bool = False
    #: The name's first word must not be an ordinary word at all ("it's Grace period").
    strict: bool = False


def _cue(keywords: str, pattern: str, strong: bool, score: float, **kwargs: bool) -> _Cue:
    """A `_Cue` from space-separated keywords and a regex with a `name` group."""
    return _Cue(frozenset(keywords.split()), re.compile(pattern), strong, score, **kwargs)


_ROLE_WORDS = (
    "agent rep representative technician tech advisor adviser engineer installer supervisor "
    "manager driver courier postman postwoman postie delivery host cashier barista waiter "
    "waitress server nurse doctor pharmacist pilot captain attendant steward stewardess "
    "associate employee staff assistant clerk seller mod moderator operator specialist "
    "consultant lady guy gentleman woman man chap bloke"
)
# A strong cue ("my name is", "my husband") accepts any capitalised word that is not an
# ordinary English word; a weak cue ("thanks", "driver") needs a gazetteer first name or two
# name-like tokens. See `_name_end`.
_PERSON_CUES: tuple[_Cue, ...] = (
    _cue(
        "my name mein ich je me mi call meu mijn",
        r"(?i:my[ \t]+name[ \t]+is|my[ \t]+name['’]s|name['’]s|mein[ \t]+name[ \t]+ist"
        r"|ich[ \t]+hei(?:ß|ss)e|je[ \t]+m['’]appelle|me[ \t]+llamo|mi[ \t]+nombre[ \t]+es"
        r"|mi[ \t]+chiamo|call[ \t]+me|meu[ \t]+nome[ \t]+[ée]|mijn[ \t]+naam[ \t]+is)[ \t]+"
        + _CUE_NAME,
        True,
        0.85,
    ),
    # "ich bin", "je suis", "soy": also "ich bin Kunde" (a noun), so a known first name only.
    _cue(
        "ich je soy sono sou ik",
        r"(?i:ich[ \t]+bin|je[ \t]+suis|soy|sono|sou|ik[ \t]+ben)[ \t]+" + _CUE_NAME,
        False,
        0.7,
        strict=True,
    ),
    _cue(
        "this",
        r"(?i:this[ \t]+is)[ \t]+" + _CUE_NAME + r"[ \t]+(?i:from|at|with|here)\b",
        True,
        0.85,
    ),
    _cue(
        "it this",
        r"(?i:it['’]s|it[ \t]+is|this[ \t]+is)[ \t]+"
        + _CUE_NAME
        + r"(?![ \t]+(?i:from|at|with|here)\b)",
        False,
        0.7,
        strict=True,
    ),
    _cue("sign signed", r"(?i:sign(?:ed)?(?:[ \t]+off)?)[,:]?[ \t]+" + _CUE_NAME, True, 0.85),
    _cue("i", r"(?i:I['’]m|I[ \t]+am)[ \t]+" + _TWO, True, 0.7),
    _cue(
        "my",
        r"(?i:my[ \t]+(?:(?:\d{1,2}|one|two|three|four|five|six|seven|eight|nine|ten)"
        r"[ \t-]*(?:year|yr|month)s?[ \t-]*old(?:[ \t]+(?:" + _RELATIVES + r"))?"
        r"|(?:little[ \t]+|late[ \t]+|elderly[ \t]+|older[ \t]+|younger[ \t]+|big[ \t]+"
        r"|baby[ \t]+|best[ \t]+|old[ \t]+|new[ \t]+)?(?:" + _RELATIVES + r")))"
        r"[ \t]*,?[ \t]+" + _CUE_NAME,
        True,
        0.8,
    ),
    _cue(
        "account name under in booked addressed parcel package delivery letter post mail "
        "booking reservation prescription order table appointment ticket",
        r"(?i:account[ \t]+holder(?:[ \t]+is)?|name[ \t]+on[ \t]+the[ \t]+(?:account|card"
        r"|booking|order)(?:[ \t]+is)?|(?:under|in)[ \t]+the[ \t]+name(?:[ \t]+of)?"
        r"|(?:account|reservation|booking|order|table|appointment|ticket)[ \t]+(?:is[ \t]+)?"
        r"(?:under|for)|booked[ \t]+(?:under|for)|addressed[ \t]+to"
        r"|(?:parcel|package|delivery|letter|post|mail|booking|reservation|prescription)"
        r"[ \t]+(?:for|addressed[ \t]+to))[:,]?[ \t]+" + _CUE_NAME,
        True,
        0.8,
    ),
    _cue(
        "ask asked",
        r"(?i:ask(?:ed)?(?:[ \t]+for)?)[ \t]+" + _CUE_NAME + r"[ \t]+(?i:at|in|from|on)\b",
        False,
        0.7,
    ),
    _cue("ask asked asking", r"(?i:ask(?:ed|ing)?[ \t]+for)[ \t]+" + _CUE_NAME, False, 0.7),
    _cue(
        "thank thanks thx ty cheers merci danke gracias grazie obrigado obrigada kudos props "
        "big shout shoutout especially esp with spoke speaking spoken talked talking chatted "
        "chatting named called sent met",
        r"(?i:thank(?:s?[ \t]+to|[ \t]+you|s)|thx|ty|cheers|(?:merci|danke|gracias|grazie"
        r"|obrigad[oa])(?:[ \t]+(?:a|à|an))?|kudos(?:[ \t]+to)?|props(?:[ \t]+to)?|named|called"
        r"|sent|met"
        r"|big[ \t]+up(?:[ \t]+to)?|shout[ \t-]?out(?:[ \t]+to)?|especially|esp\."
        r"|with|(?:spoke|speaking|spoken|talked|talking|chatted|chatting)[ \t]+(?:to|with))"
        r"[,!]?[ \t]+" + _CUE_NAME,
        False,
        0.7,
    ),
    _cue(
        "hi hey hello dear",
        r"(?i:hi|hey|hello|dear),?[ \t]+" + _CUE_NAME + r"(?=[ \t]*[,!:\n]|$)",
        False,
        0.7,
        sentence_start=True,
    ),
    _cue(
        _ROLE_WORDS,
        rf"(?i:(?:{_ROLES})(?:[ \t]+(?:named|called))?)(?:[ \t]*,)?[ \t]+" + _CUE_NAME,
        False,
        0.7,
    ),
    _cue(
        "regards sincerely cheers best thanks cordialement saludos grüße grusse gruesse xoxo love "
        "groetjes abraços abracos saluti atentamente",
        r"(?i:regards|sincerely|cheers|best[ \t]+wishes|thanks|cordialement|saludos|gr[üu](?:ß|ss)e"
        r"|gruesse|xoxo|love|groetjes|abra[çc]os|(?:cordiali[ \t]+)?saluti|atentamente)[,!]?\s+"
        + _CUE_NAME
        + r"[ \t]*[.!]?\s*$",
        False,
        0.7,
    ),
)
_CUE_INDEX: dict[str, tuple[_Cue, ...]] = {}
for _c in _PERSON_CUES:
    for _k in _c.keywords:
        _CUE_INDEX[_k] = (*_CUE_INDEX.get(_k, ()), _c)
del _c, _k
_WORD = re.compile(r"[^\W\d_]+")
#: Start of a sentence, or right after the @handles a reply starts with.
_SENTENCE_START = re.compile(r"(?:^|[.!?\n]|@\w+)[ \t]*$")
#: A signature line: "- Dana W." at the end of a post.
_DASH_SIGNATURE = re.compile(r"(?:^|\s)[-–—~][ \t]*" + _CUE_NAME + r"[ \t]*$")
#: "Dr. Amara Okonkwo", "Mrs J. Thompson", "Mr Patel": the title is part of the span.
_TITLED_NAME = re.compile(
    rf"(?<![\w])(?P<name>{_TITLE}\.?[ \t]+(?:[{_UPPER}]\.[ \t]*){{0,2}}{_NAME}(?:{_NEXT_TOKEN}){{0,2}})"
)
#: "Kwame at the Leeds store", "Priya was brilliant", "Laura here": a gazetteer first name
#: followed by a verb or a place word.
_NAME_BEFORE_CUE = re.compile(
    rf"(?<![\w@#/.])(?P<name>{_NAME})(?=[ \t]+(?:(?:{_FOLLOWING_VERBS})\b|here\b[^\w]*(?:$|,|\.|!|-)))"
)
_GAZETTEER_PAIR = re.compile(rf"(?<![\w@#/.-])(?P<name>{_NAME}(?:{_NEXT_TOKEN}){{1,2}})")
#: First words of place names ("Lake Howard", "Port Elizabeth", "San Diego"), never a first name.
_PLACE_PREFIXES = frozenset(
    "Lake Port San Santa Santo Saint St Ste Mount Mt Fort Ft New North South East West Upper "
    "Lower Great Little Los Las El La Le Les Rio Cape Glen Bay Isle Point Palm Grand Old "
    "Royal Bad Bel Val Villa Ville Costa Porto Puerto Sao São".split()
)
_FIRST_WORD = re.compile(r"\S+")
_NEXT_WORD = re.compile(r"[ \t]+([A-Za-z]+)")
#: Sentence-initial function words of other languages ("Ich bin Kunde", "Je suis Client"):
#: the English common-word list does not know them.
_FOREIGN_FUNCTION_WORDS = frozenset(
    "ich du er sie wir ihr es der die das den dem des ein eine einen mein meine dein sein und "
    "oder aber nicht ist bin hat habe war auch noch schon nur wie was wer wo heute hallo danke "
    "je tu il elle nous vous ils elles le la les un une des du mon ma mes ton ta son sa et ou "
    "mais est suis ai avec pour dans sur pas bonjour merci yo tú él ella nosotros el los las "
    "uno una mi mis su sus y pero es soy estoy tengo con para por hola gracias io lui lei noi "
    "voi il lo gli mio mia sono ho non ciao grazie eu ele ela nós os um uma meu minha seu sua "
    "não sou tenho olá obrigado ik jij hij zij wij het een mijn en maar niet ben heb met voor "
    "hoi dank".split()
)
#: Words that make a capitalised phrase a place or an organisation, not a person.
_PLACE_SUFFIXES = frozenset(
    "street st road rd avenue ave lane ln drive dr park square sq station airport airlines "
    "airways bank energy mall store shop center centre hotel hotels hospital clinic university "
    "college school academy group inc ltd llc corp company bridge tower towers palace castle "
    "cathedral church chapel museum stadium arena theatre theater hall gardens zoo canyon falls "
    "river lake mountain mountains island islands beach bay valley heights county city "
    "foundation institute insurance motors pharmacy restaurant cafe bar pub".split()
)
_AFTER_CAPITALISED = re.compile(r"(?:(?P<word>[A-Z][\w'’-]*)|\d+)[ \t]+$")
_AND_NAME = re.compile(rf"[ \t]*(?P<joiner>,|&|and|or)[ \t]+(?P<name>{_NAME})")
_TOKEN = re.compile(rf"{_NAME}|[{_UPPER}]\.?|{_PARTICLE}")
# Capitalised words that follow a first name without being a surname.
_NOT_SURNAMES = frozenset(
    "the and or but for from with without at in on to of is was are were will would can could "
    "has have had does did not just please thanks thank support team app home hub plug bulb "
    "bulbs plugs thermostat smart customer service help update here there this that monday "
    "tuesday wednesday thursday friday saturday sunday january february march april may june "
    "july august september october november december street st road rd avenue ave lane drive "
    "park square station airport airlines airways air bank energy mall store shop center "
    "centre hotel hospital university college school group inc ltd llc co corp heights city "
    "county valley beach bay branch office team pro max plus mini ultra edition series "
    "account card insurance mobile wireless broadband fibre fiber apt apartment suite ste flat "
    "unit".split()
)
# Gazetteer names that are mostly something else in customer posts, and dates.
_NOT_FIRST_NAMES = frozenset(
    {"Alexa", "Siri", "Echo", "Nest", "Ring", "Google", "Apple", "Amazon", "Chase", "Delta",
     "Target", "Sky", "Virgin", "Orange", "Three", "Tesla", "Mercedes", "Ford", "Dell",
     "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday", "January",
     "February", "March", "April", "May", "June", "July", "August", "September", "October",
     "November", "December", "Christmas", "Easter"}
)  # fmt: skip


# ------------------------------------------------------------------ the detector
class Detector:
    """Find personal data in text; holds the configurable parts (order patterns, phone regions).

    Parameters
    ----------
    order_patterns : sequence of str
        Regexes for order / ticket numbers; a named group ``id`` marks the span.
    phone_regions : sequence of str
        ISO regions whose national phone formats are recognised ('+' numbers always are).
    phone_budget : int
        Phone-shaped candidates validated per text; any beyond are reported unvalidated
        (score 0.3) so a pathological text cannot take minutes. Posts never come close.
    obfuscated_emails : bool
        Also look for 'jane at example dot com' forms (slower on very large texts).
    ner : str, NerLayer, callable or None
        The statistical layer (`toolkit.privacy.detect.ner`): people, places (LOCATION), organisations,
        dates (DATE_TIME) and NRP. "auto" (default): the bundled tweet model; another string
        names a model (see `toolkit.privacy.detect.ner.resolve_model`); a `toolkit.privacy.detect.ner.NerLayer`; any callable
        text -> iterable of ``(start, end, spaCy label)``; None or "off": rules only.
    public_terms : iterable of str
        Names that are not personal data (the brand's and competitors' names and handles,
        ``Config.public_names``): an NER span that is one of them is dropped.
    recognizers : sequence of toolkit.privacy.detect.recognizers.PatternRecognizer, optional
        Pattern recognisers run next to the core ones (street address forms, postcodes,
        ages, dates of birth, SSN, driver's licence, passport, sort code, NI number, profile
        links). Default: `toolkit.privacy.detect.recognizers.default_recognizers()`.
    """

    def __init__(
        self,
        order_patterns: Sequence[str] = DEFAULT_ORDER_PATTERNS,
        phone_regions: Sequence[str] = DEFAULT_PHONE_REGIONS,
        phone_budget: int = 300,
        obfuscated_emails: bool = True,
        ner: Any = "auto",
        public_terms: Iterable[str] = (),
        recognizers: Sequence[PatternRecognizer] | None = None,
    ):
        self.order_patterns = tuple(re.compile(p) for p in order_patterns)
        self.phone_regions = tuple(phone_regions)
        self.phone_budget = phone_budget
        self.obfuscated_emails = obfuscated_emails
        self.ner = _ner_layer(ner)
        self.public_terms = frozenset(filter(None, (_public_key(t) for t in public_terms)))
        self._recognisers = {
            EMAIL_ADDRESS: self._emails,
            PHONE_NUMBER: self._phones,
            CREDIT_CARD: self._cards,
            IBAN_CODE: self._ibans,
            IP_ADDRESS: self._ips,
            URL: self._urls,
            HANDLE: self._handles,
            ORDER_NUMBER: self._orders,
            STREET_ADDRESS: self._addresses,
            PERSON: self._persons,
            **{kind: functools.partial(self._ner_only, kind) for kind in NER_ONLY_TYPES},
        }
        self.recognizers = tuple(default_recognizers() if recognizers is None else recognizers)
        for recognizer in self.recognizers:  # a type may have a core and a pattern recogniser
            core = self._recognisers.get(recognizer.entity_type)
            self._recognisers[recognizer.entity_type] = (
                recognizer.analyze if core is None else _chained(core, recognizer.analyze)
            )

    @classmethod
    def from_config(cls, privacy: Any, public_terms: Iterable[str] = ()) -> Detector:
        """The detector a config asks for: its extra order patterns, phone regions and NER.

        Parameters
        ----------
        privacy : toolkit.core.config.Privacy, or a whole toolkit.core.config.Config
            ``order_patterns`` are added to the defaults; ``phone_regions`` (if set) replace
            them; ``ner_model`` "auto" (default) uses the bundled tweet NER model, "off" no NER,
            any other value names the model (see `toolkit.privacy.detect.ner.resolve_model`). Given a whole
            config, its `Config.public_names` (brand, competitors) are `public_terms` too.
        public_terms : iterable of str
            See `Detector`.
        """
        if hasattr(privacy, "public_names") and hasattr(privacy, "privacy"):
            public_terms = (*public_terms, *privacy.public_names())
            privacy = privacy.privacy
        regions = getattr(privacy, "phone_regions", None) or DEFAULT_PHONE_REGIONS
        extra = tuple(getattr(privacy, "order_patterns", None) or ())
        ner_model = getattr(privacy, "ner_model", "auto") or "off"
        return cls(
            order_patterns=DEFAULT_ORDER_PATTERNS + extra,
            phone_regions=regions,
            ner=ner_model,
            public_terms=public_terms,
        )

    def prime(self, texts: Iterable[Any]) -> None:
        """Run the NER layer over many texts at once (batched `nlp.pipe`) and cache the
        results, so that `detect` on each of them afterwards does not parse them one by one."""
        if self.ner is not None:
            self.ner.entities_many([_normalise(t).text for t in texts if isinstance(t, str) and t])

    def detect_many(
        self, texts: Sequence[Any], entities: Iterable[str] | None = None
    ) -> list[list[Span]]:
        """`detect` of each text (non-strings give []), with the NER layer run in batches."""
        wanted = ENTITY_TYPES if entities is None else tuple(entities)
        if self.ner is not None and (PERSON in wanted or NER_ONLY_TYPES & set(wanted)):
            self.prime(texts)
        return [self.detect(t, wanted) if isinstance(t, str) else [] for t in texts]

    def clear_cache(self) -> None:
        """Forget the NER layer's cached texts."""
        if self.ner is not None:
            self.ner.clear_cache()

    def ner_info(self) -> dict | None:
        """Name, version and file hash of the NER model (None when the layer is off)."""
        return None if self.ner is None else self.ner.info()

    def candidates(self, text: str, entities: Iterable[str] | None = None) -> list[Span]:
        """All raw detections, overlapping ones included (offsets into `text`).

        Parameters
        ----------
        text : str
            Any text.
        entities : iterable of str, optional
            Restrict to these entity types (default: every type this detector finds).
        """
        if not text:
            return []
        wanted = tuple(self._recognisers) if entities is None else tuple(entities)
        unknown = set(wanted) - set(self._recognisers)
        if unknown:
            raise ValueError(f"unknown entity types: {sorted(unknown)}")
        norm = _normalise(text)
        spans = []
        for entity_type in wanted:
            for start, end, score in self._recognisers[entity_type](norm.text):
                orig_start, orig_end = norm.original(start, end)
                spans.append(
                    Span(orig_start, orig_end, entity_type, score, text[orig_start:orig_end])
                )
        return spans

    def detect(self, text: str, entities: Iterable[str] | None = None) -> list[Span]:
        """Non-overlapping personal-data spans in `text`, sorted by start (see `detect`)."""
        return resolve_overlaps(text, self.candidates(text, entities))

    # Each recogniser yields (start, end, score) in the normalised text.
    def _emails(self, text: str) -> Iterator[tuple[int, int, float]]:
        if "@" in text:
            for m in _EMAIL.finditer(text):
                yield m.start(), m.end(), 1.0
        if self.obfuscated_emails and _OBF_HINT.search(text):
            pos = 0
            while (m := _OBFUSCATED_EMAIL.search(text, pos)) is not None:
                if _plausible_obfuscated_email(m):
                    yield m.start(), m.end(), 0.8
                    pos = m.end()
                else:  # "me at j.nakamura (at) proton.me": the real one starts later
                    pos = m.start("domain")

    def _phones(self, text: str) -> Iterator[tuple[int, int, float]]:
        if _may_hold_spelled_number(text):
            yield from self._spelled_phones(text)
        if not _HAS_DIGIT(text):
            return
        budget = self.phone_budget
        for m in _PHONE_CANDIDATE.finditer(text):
            candidate = _PHONE_EXTENSION.sub("", m.group())
            digits = sum(map(str.isdigit, candidate))
            if digits < 7:
                continue
            shaped = _phone_shaped(candidate, digits)
            cue = shaped is not False and _phone_cue_near(text, m.start(), m.end())
            if not (shaped or cue) or _NOT_CONTACT_CUE.search(
                text[max(0, m.start() - 20) : m.start()]
            ):
                continue
            if budget <= 0:  # pathological text: redact unvalidated rather than spend seconds
                yield m.start(), m.end(), 0.3
                continue
            budget -= 1
            for rel_start, rel_end, score in _phone_matches(candidate, self.phone_regions, cue):
                yield m.start() + rel_start, m.start() + rel_end, score

    def _spelled_phones(self, text: str) -> Iterator[tuple[int, int, float]]:
        """Numbers written as words or digit by digit ("five five five, oh one four two")."""
        for m in _SPELLED_NUMBER.finditer(text):
            digits, words = _spelled_digits(m.group())
            if not 7 <= len(digits) <= 15:
                continue
            cue = _phone_cue_near(text, m.start(), m.end())
            if not (cue or words >= 4 or len(digits) >= 10):
                continue
            valid, possible = _validity(digits, self.phone_regions)
            if valid or (possible and cue):
                yield m.start(), m.end(), 0.6

    def _cards(self, text: str) -> Iterator[tuple[int, int, float]]:
        if not _HAS_DIGIT(text):
            return
        for m in _CARD_CANDIDATE.finditer(text):
            found = _card_in_run(m.group())
            if found:
                yield m.start() + found[0], m.start() + found[1], 1.0
            elif _FOUR_BY_FOUR.fullmatch(m.group()) and _CARD_CUE.search(
                text, max(0, m.start() - 30), m.start()
            ):  # "card 4929 1234 5678 9012": a card with a typo (Luhn fails) is still a card
                yield m.start(), m.end(), 0.5

    def _ibans(self, text: str) -> Iterator[tuple[int, int, float]]:
        if not _HAS_DIGIT(text):
            return
        for m in _IBAN.finditer(text):
            if _iban_checksum_ok(m.group()):
                yield m.start(), m.end(), 1.0

    def _ips(self, text: str) -> Iterator[tuple[int, int, float]]:
        if "." in text and _HAS_DIGIT(text):
            for m in _IPV4.finditer(text):
                if not _NOT_CONTACT_CUE.search(text[max(0, m.start() - 20) : m.start()]):
                    yield m.start(), m.end(), 0.9
        if text.count(":") >= 2:
            for m in _IPV6_CANDIDATE.finditer(text):
                value = m.group()
                if value.count(":") >= 2 and sum(c != ":" for c in value) >= 3 and _is_ip(value):
                    yield m.start(), m.end(), 0.9

    def _urls(self, text: str) -> Iterator[tuple[int, int, float]]:
        if "." not in text:
            return
        patterns = [(_URL, 0.6)]
        if _TLD_HINT.search(text):
            patterns.append((_BARE_DOMAIN, 0.5))
        for pattern, score in patterns:
            for m in pattern.finditer(text):
                end = m.start() + len(_trim_url(m.group()))
                if end > m.start():
                    yield m.start(), end, score

    def _handles(self, text: str) -> Iterator[tuple[int, int, float]]:
        if "@" in text:
            for m in _HANDLE.finditer(text):
                yield m.start(), m.end(), 0.9
        if "u/" in text:
            for m in _REDDIT_USER.finditer(text):
                yield m.start(), m.end(), 0.9

    def _orders(self, text: str) -> Iterator[tuple[int, int, float]]:
        if not _HAS_DIGIT(text):
            return
        for pattern in self.order_patterns:
            for m in pattern.finditer(text):
                group = "id" if "id" in pattern.groupindex and m.group("id") else 0
                yield m.start(group), m.end(group), 0.9

    def _addresses(self, text: str) -> Iterator[tuple[int, int, float]]:
        if not _HAS_DIGIT(text):
            return
        for pattern in _ADDRESS_PATTERNS:
            for m in pattern.finditer(text):
                group = "id" if "id" in pattern.groupindex else 0
                yield m.start(group), m.end(group), 0.7

    def _persons(self, text: str) -> Iterator[tuple[int, int, float]]:
        lists = _NameLists(first_names(), surnames(), common_words())
        found = list(self._cued_names(text, lists))
        if "." in text or "M" in text or "D" in text or "S" in text or "P" in text:
            for m in _TITLED_NAME.finditer(text):
                end = _titled_name_end(m, lists)
                if end:
                    found.append((m.start("name"), end, 0.8))
        for m in _NAME_BEFORE_CUE.finditer(text):
            first = m.group("name")
            # "iPhone 15 Pro Max is": a name after a capitalised word or a number is a product
            # (a real "First Last" pair is the gazetteer rule's).
            if lists.is_first_name(first) and not _after_product_word(text, m.start(), lists):
                found.append((m.start("name"), m.end("name"), 0.6))
        pos = 0
        while (m := _GAZETTEER_PAIR.search(text, pos)) is not None:
            end = _gazetteer_pair_end(m, lists)
            if end:
                found.append((m.start("name"), end, 0.6))
                pos = end
            elif _FIRST_WORD.match(m.group()).group() in _PLACE_PREFIXES:
                pos = m.end()  # "San Antonio Spurs": the whole place name is skipped
            else:  # "Honestly Gordon Ramsay": retry from the next word
                pos = m.start() + len(_FIRST_WORD.match(m.group()).group())
        # "Tom and Aisha": a first name joined to a name already found.
        for _, end, score in list(found):
            m = _AND_NAME.match(text, end)
            if m and _joined_name_ok(m.group("name"), m.group("joiner") != ",", lists):
                found.append((m.start("name"), m.end("name"), score))
        yield from found
        yield from self._ner_only(PERSON, text)

    def _ner_only(self, kind: str, text: str) -> Iterator[tuple[int, int, float]]:
        if self.ner is None:
            return
        for entity in self.ner(text):
            if entity.entity_type != kind:
                continue
            value = text[entity.start : entity.end]
            if self.public_terms and self._is_public(value):
                continue
            if kind == PERSON and not _plausible_ner_person(value):
                continue
            yield entity.start, entity.end, entity.score

    def _is_public(self, value: str) -> bool:
        """The brand's or a competitor's name ("Nimbus Home", "@NimbusHome", "Nimbus support")."""
        if _public_key(value) in self.public_terms:
            return True
        words = [_public_key(w) for w in re.split(r"[\s/]+", value)]
        return any(w in self.public_terms for w in words) and all(
            w in self.public_terms or w in _GENERIC_ORG_WORDS for w in words
        )

    @staticmethod
    def _cued_names(text: str, lists: _NameLists) -> Iterator[tuple[int, int, float]]:
        """Names right after a cue ("my name is", "thanks", "driver"): each word of the text
        is looked up once; matching cues are tried anchored at that word."""
        for word in _WORD.finditer(text):
            cues = _CUE_INDEX.get(word.group().lower())
            if not cues:
                continue
            start = word.start()
            if start and text[start - 1].isalnum():
                continue
            for cue in cues:
                if cue.sentence_start and not _SENTENCE_START.search(
                    text, max(0, start - 60), start
                ):
                    continue
                m = cue.pattern.match(text, start)
                if m is None:
                    continue
                if m.group("name")[0].islower() and word.group().lower() not in _LOWERCASE_CUES:
                    continue  # "the agent said": only name-like cues take lower-case names
                if cue.strict and m.group("name").split()[0].lower() in lists.words:
                    continue
                end = _name_end(m, cue.strong, lists)
                if end:
                    yield m.start("name"), end, cue.score
        tail = text[-80:]
        if any(c in tail for c in "-–—~"):
            m = _DASH_SIGNATURE.search(text, max(0, len(text) - 80))
            if m:
                end = _name_end(m, False, lists)
                if end:
                    yield m.start("name"), end, 0.7


def _chained(
    *finders: Callable[[str], Iterable[tuple[int, int, float]]],
) -> Callable[[str], Iterator[tuple[int, int, float]]]:
    def run(text: str) -> Iterator[tuple[int, int, float]]:
        for finder in finders:
            yield from finder(text)

    return run


@dataclass(frozen=True)
class _NameLists:
    first: frozenset[str]
    last: frozenset[str]
    words: frozenset[str]

    def is_first_name(self, token: str) -> bool:
        """A gazetteer first name that is neither an ordinary word nor a brand/place."""
        return (
            token in self.first
            and token not in _NOT_FIRST_NAMES
            and token not in _PLACE_PREFIXES
            and token.lower() not in self.words
        )

    def is_name_like(self, token: str) -> bool:
        """May follow a first name: not an ordinary word (unless a known name) nor a suffix."""
        bare = token.rstrip(".")
        if bare.lower() in _NOT_SURNAMES:
            return False
        return bare.lower() not in self.words or bare in self.last or bare in self.first


def _after_product_word(text: str, start: int, lists: _NameLists) -> bool:
    """Is the word before `start` a number or a capitalised non-word ("15 Pro Max")?"""
    m = _AFTER_CAPITALISED.search(text, max(0, start - 30), start)
    if m is None:
        return False
    word = m.group("word")
    return word is None or word.lower() not in lists.words


def _joined_name_ok(token: str, conjunction: bool, lists: _NameLists) -> bool:
    """After "Marco and": a first name, or any capitalised word that is not an ordinary
    word, brand or place ("Deshawn"); after a comma, only a first name."""
    if token in _NOT_FIRST_NAMES or token in _PLACE_PREFIXES:
        return False
    if not conjunction:
        return lists.is_first_name(token)
    return token in lists.first or token.lower() not in lists.words


def _kept_tokens(m: re.Match[str], lists: _NameLists) -> list[re.Match[str]]:
    """Tokens of the `name` group: the first, then each that still looks like part of a name;
    trailing particles are dropped."""
    tokens = list(_TOKEN.finditer(m.group("name")))
    kept = tokens[:1]
    for token in tokens[1:]:
        value = token.group()
        if (
            re.fullmatch(_PARTICLE, value)
            or len(value.rstrip(".")) == 1
            or lists.is_name_like(value)
        ):
            kept.append(token)
        else:
            break
    while len(kept) > 1 and (
        re.fullmatch(_PARTICLE, kept[-1].group()) or kept[-1].group().islower()
    ):
        kept.pop()
    return kept


def _name_end(m: re.Match[str], strong_cue: bool, lists: _NameLists) -> int | None:
    """End offset of a cue-captured name, or None if it is made of ordinary words.

    After a strong cue ("my name is") any capitalised non-word counts; after a weak one
    ("thanks", "driver") the first token must be a known first name, or two name-like tokens.
    """
    if m.group("name")[0].islower():
        return _lowercase_name_end(m, lists)
    if re.fullmatch(_CASELESS_NAME, m.group("name")):
        return m.end("name")
    kept = _kept_tokens(m, lists)
    first = kept[0].group()
    if (
        first in _NOT_FIRST_NAMES
        or first in _PLACE_PREFIXES
        or (first.lower() in lists.words and first not in lists.first)
    ):
        return None
    if not (strong_cue or first in lists.first or len(kept) > 1 or _NON_LATIN_LETTER.match(first)):
        return None
    return m.start("name") + kept[-1].end()


def _lowercase_name_end(m: re.Match[str], lists: _NameLists) -> int | None:
    """End of a lower-case name after a cue ("thanks john smith"): the first word must be a
    known first name that is not an ordinary word; a second word is kept if it is a known
    surname that is not an ordinary word either."""
    name = m.group("name")
    first, _, rest = name.partition(" ")
    if first in _NOT_LOWERCASE_NAMES or first in lists.words:
        return None
    if not lists.is_first_name(first.capitalize()):
        return None
    end = len(first)
    second = rest.strip()
    if second and second not in lists.words and second.capitalize() in lists.last:
        end = len(name)
    return m.start("name") + end


def _titled_name_end(m: re.Match[str], lists: _NameLists) -> int | None:
    """End of "Mr Patel" / "Dr. Amara Okonkwo": the word after the title must not be an
    ordinary word unless it is a known surname or first name ("Mr Brown")."""
    name = m.group("name")
    tokens = [t for t in _TOKEN.finditer(name) if len(t.group().rstrip(".")) > 1][1:]
    if not tokens:
        return None
    value = tokens[0].group()
    if value.lower() in lists.words and value not in lists.last and value not in lists.first:
        return None
    end = tokens[0].end()
    for token in tokens[1:]:
        if not lists.is_name_like(token.group()):
            break
        end = token.end()
    return m.start("name") + end


def _gazetteer_pair_end(m: re.Match[str], lists: _NameLists) -> int | None:
    """End of "First Last" where the first token is a known first name, or the second a
    known surname (neither an ordinary word); None otherwise, and None for a place or an
    organisation ("Golden Gate Bridge", "Victoria Park Hotel")."""
    following = _NEXT_WORD.match(m.string, m.end())
    words = m.group().split() + ([following.group(1)] if following else [])
    if any(w.lower() in _PLACE_SUFFIXES for w in words[1:]):
        return None
    kept = _kept_tokens(m, lists)
    names = [t.group() for t in kept if not re.fullmatch(_PARTICLE, t.group())]
    if len(names) < 2:
        return None
    first, second = names[0], names[1].rstrip(".")
    if _NON_LATIN_LETTER.match(first) and _NON_LATIN_LETTER.match(second):
        # Gazetteers cannot confirm "Анна Кузнецова"; two capitalised words of another script
        # inside a Latin-script post are a name (in a Russian post, they may be anything).
        return m.start("name") + kept[-1].end() if _mostly_latin(m.string) else None
    if (
        first in _NOT_FIRST_NAMES
        or first in _PLACE_PREFIXES
        or first.lower() in lists.words
        or first.lower() in _FOREIGN_FUNCTION_WORDS
    ):
        return None
    if lists.is_first_name(first) or (
        len(second) > 1
        and second in lists.last
        and second not in lists.first
        and second.lower() not in lists.words
    ):
        return m.start("name") + kept[-1].end()
    return None


def _mostly_latin(text: str) -> bool:
    """More Latin letters than letters of other scripts (checked on the first 2,000)."""
    letters = [c for c in text[:2000] if c.isalpha()]
    return sum(c.isascii() or c <= "\u024f" for c in letters) * 2 > len(letters)


def _plausible_obfuscated_email(m: re.Match[str]) -> bool:
    """' at ' is ordinary English: accept it only with ' dot ' or a well-known mail domain."""
    at = m.group("at").strip().lower()
    if at != "at":
        return True
    domain = m.group("domain")
    if domain.lower() in _MAIL_PROVIDERS:
        return True
    labels = _WORD_DOT.split(domain)
    return len(labels) > 1 and re.search("[a-z]", labels[0], re.IGNORECASE) is not None


def _trim_url(url: str) -> str:
    while url and url[-1] in _URL_TRAILING:
        if url[-1] == ")" and url.count("(") >= url.count(")"):
            break
        url = url[:-1]
    return url


def _is_ip(value: str) -> bool:
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True


# ------------------------------------------------------------------ phones
def _phone_matches(
    candidate: str, regions: tuple[str, ...], cue: bool
) -> tuple[tuple[int, int, float], ...]:
    """Phone numbers inside one phone-shaped candidate, as (start, end, score) offsets.

    Valid numbers (per `phonenumbers`) score 0.75; with a phone cue nearby ("call", "tel",
    "whatsapp", ...), a merely possible number written with separators or of at least 10
    digits is accepted at 0.5.
    """
    valid, possible = _phone_spans(candidate, regions)
    if valid:
        return tuple((s, e, 0.75) for s, e in valid)
    if cue and possible and (not candidate.isdigit() or len(candidate) >= 10):
        return ((0, len(candidate), 0.5),)
    return ()


def _phone_shaped(candidate: str, digits: int) -> bool | None:
    """Does the candidate look like a phone number? None: only with a phone cue nearby.

    Dates, years, decimals, thousands, coordinates and lists of small numbers are not phones;
    a bare run of digits needs a cue (or a trunk '0' and 10+ digits).
    """
    stripped = candidate.strip()
    if stripped.isdigit():  # the common case in tables: decide without regexes
        if digits > 15:  # one long run of digits: an id, not a phone
            return False
        return True if stripped.startswith("0") and digits >= 10 else None
    if _contains_date(stripped) or _YEARS_ONLY.fullmatch(stripped):
        return False
    groups = _DIGIT_GROUPS.findall(stripped)
    if sum(len(g) == 1 for g in groups) > 1 or _FOUR_BY_FOUR.fullmatch(stripped):
        return False
    if stripped.startswith("+"):
        return True
    separators = set(_SEPARATORS.findall(stripped))
    if "." in separators and len(separators) > 1:
        return False
    if _THOUSANDS.fullmatch(stripped) or _DECIMAL.fullmatch(stripped):
        return False
    return True


def _phone_cue_near(text: str, start: int, end: int) -> bool:
    """A phone word ("call", "tel", ...) shortly before or after, within the same line or
    table cell (HTML tags, tabs and pipes end the window)."""
    before = text[max(0, start - 40) : start]
    cut = max(before.rfind(c) for c in "<>\n|\t")
    after = text[end : end + 20]
    stops = [i for i in (after.find(c) for c in "<>\n|\t") if i >= 0]
    return bool(
        _PHONE_CUE.search(before[cut + 1 :]) or _PHONE_CUE.search(after[: min(stops, default=20)])
    )


def _may_hold_spelled_number(text: str) -> bool:
    """Cheap pre-check for `_SPELLED_NUMBER`: four digit words, or five spaced digits."""
    if len(_DIGIT_WORD_HINT.findall(text.lower())) >= 3:
        return True
    return _HAS_DIGIT(text) is not None and _SPACED_DIGITS.search(text) is not None


def _spelled_digits(value: str) -> tuple[str, int]:
    """(the digits a spelled number stands for, how many tokens were words)."""
    digits, words, repeat = [], 0, 1
    for token in _SPELLED_PART.findall(value):
        lower = token.lower()
        if lower in ("double", "triple"):
            repeat = 2 if lower == "double" else 3
            continue
        digit = _DIGIT_WORDS.get(lower, token)
        words += not token.isdigit()
        digits.append(digit * repeat)
        repeat = 1
    return "".join(digits), words


@functools.lru_cache(maxsize=4096)
def _validity(digits: str, regions: tuple[str, ...]) -> tuple[bool, bool]:
    """(valid phone number in some region, possible phone number in some region)."""
    possible = False
    for region in regions:
        try:
            number = phonenumbers.parse(digits, region)
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_valid_number(number):
            return True, True
        possible = possible or phonenumbers.is_possible_number(number)
    return False, possible


def _contains_date(text: str) -> bool:
    """True for yyyy-mm-dd, dd.mm.yyyy, mm/dd/yy and the like (with plausible day and month)."""
    for m in _DATE_LIKE.finditer(text):
        first, second, third = (int(g) for g in m.groups())
        if len(m.group(1)) == 4:  # year first
            if 1 <= second <= 12 and 1 <= third <= 31 and len(m.group(3)) <= 2:
                return True
        elif len(m.group(1)) <= 2 and 1 <= min(first, second) <= 12 and max(first, second) <= 31:
            return True
    return False


@functools.lru_cache(maxsize=16384)
def _phone_spans(
    candidate: str, regions: tuple[str, ...]
) -> tuple[tuple[tuple[int, int], ...], bool]:
    """(spans of valid numbers found by PhoneNumberMatcher, whether the candidate is a possible
    number in some region). The first region where the whole candidate parses as a valid number
    is used for matching; candidates long enough to hold two numbers try every region."""
    if candidate.lstrip().startswith("+"):
        regions = regions[:1] or ("US",)
    possible = False
    for region in regions:
        try:
            number = phonenumbers.parse(candidate, region)
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_valid_number(number):
            return _matcher_spans(candidate, region), True
        possible = possible or phonenumbers.is_possible_number(number)
    if sum(c.isdigit() for c in candidate) >= 14:
        for region in regions:
            spans = _matcher_spans(candidate, region)
            if spans:
                return spans, True
    return (), possible


def _matcher_spans(candidate: str, region: str) -> tuple[tuple[int, int], ...]:
    matches = phonenumbers.PhoneNumberMatcher(candidate, region, phonenumbers.Leniency.VALID)
    # Short codes (e.g. some German 4-digit numbers) validate too; they identify nobody.
    return tuple((m.start, m.end) for m in matches if sum(c.isdigit() for c in m.raw_string) >= 7)


# ------------------------------------------------------------------ cards, IBAN
def _card_prefix_ok(digits: str) -> bool:
    """Issuer prefixes of the major networks (Visa, Mastercard, Amex, Discover, JCB, ...)."""
    if digits[0] in "3456":
        return True
    return digits[0] == "2" and 2221 <= int(digits[:4]) <= 2720


def _card_in_run(run: str) -> tuple[int, int] | None:
    """The longest Luhn-valid 13-19 digit card number made of whole digit groups of `run`."""
    groups = [(m.start(), m.end()) for m in re.finditer(r"\d+", run)]
    best = None
    for i in range(len(groups)):
        digits = ""
        for j in range(i, len(groups)):
            digits += run[groups[j][0] : groups[j][1]]
            if len(digits) > 19:
                break
            if (
                len(digits) >= 13
                and _card_grouping_ok([e - s for s, e in groups[i : j + 1]])
                and len(set(digits)) > 1
                and _card_prefix_ok(digits)
                and luhn_checksum_ok(digits)
                and (best is None or groups[j][1] - groups[i][0] > best[1] - best[0])
            ):
                best = (groups[i][0], groups[j][1])
    return best


def _card_grouping_ok(lengths: list[int]) -> bool:
    """Digit groups as card numbers are written: one run, 4-4-4-4(-1..3), Amex 4-6-5,
    Diners 4-6-4; "123-4567890-1234567" (an order number) is not a card."""
    if len(lengths) == 1 or lengths in ([4, 6, 5], [4, 6, 4]):
        return True
    return all(n == 4 for n in lengths[:-1]) and 1 <= lengths[-1] <= 4


def _iban_checksum_ok(value: str) -> bool:
    compact = value.replace(" ", "")
    if not 15 <= len(compact) <= 34:
        return False
    rearranged = compact[4:] + compact[:4]
    number = "".join(str(int(c, 36)) for c in rearranged)
    return int(number) % 97 == 1


# ------------------------------------------------------------------ overlaps, public API
def resolve_overlaps(text: str, spans: Iterable[Span]) -> list[Span]:
    """Merge overlapping spans: each cluster becomes one span of its most specific type.

    The preferred span is the one with the highest specificity (card/IBAN > email > order >
    IP > phone > address > handle > person > URL), then score, then length. The merged span
    covers the union of the cluster, so nothing that was detected is left unredacted.

    Parameters
    ----------
    text : str
        The text the spans index into.
    spans : iterable of Span
    """
    ordered = sorted(spans, key=lambda s: (s.start, -s.end))
    resolved: list[Span] = []
    cluster: list[Span] = []
    cluster_end = -1
    for span in ordered:
        if cluster and span.start >= cluster_end:
            resolved.append(_merge(text, cluster))
            cluster = []
        cluster.append(span)
        cluster_end = max(cluster_end, span.end) if len(cluster) > 1 else span.end
    if cluster:
        resolved.append(_merge(text, cluster))
    return resolved


def _merge(text: str, cluster: list[Span]) -> Span:
    best = max(
        cluster, key=lambda s: (_SPECIFICITY.get(s.entity_type, 0), s.score, s.end - s.start)
    )
    start = min(s.start for s in cluster)
    end = max(s.end for s in cluster)
    if (start, end) == (best.start, best.end):
        return best
    return Span(start, end, best.entity_type, best.score, text[start:end])


_GENERIC_ORG_WORDS = frozenset(
    "app apps support help helpdesk team care customer customers service services official "
    "uk us usa ca au de fr store shop inc ltd llc co corp".split()
)


def _plausible_ner_person(value: str) -> bool:
    """A model's PERSON span is kept unless it is long (a misread sentence), mostly digits (an
    id such as "ZX9-7781234"; "david_myers77" is kept), or made only of ordinary words that are
    not first names ("Leak sensor")."""
    words = _WORD.findall(value)
    if not words or len(words) > 4:
        return False
    alnum = [c for c in value if c.isalnum()]
    if sum(c.isdigit() for c in alnum) >= 0.3 * len(alnum):
        return False
    first, common = first_names(), common_words()
    if not any(w.lower() not in common or w.capitalize() in first for w in words):
        return False
    # Product and everyday words the model takes for names: "router", "setup" in lower case,
    # "Leak Sensor", "Glow Strip" capitalised. A single capitalised word ("Austin") may be a
    # name; a first name or surname ("Link", "Rose") always may.
    # A user name ("Surf_Photo", "majestic888") or a title ("Duchess of Cambridge") is kept.
    if "_" in value or any(c.isdigit() for c in value) or " of " in value:
        return True
    lower_case = not any(c.isupper() for c in value)
    if lower_case or len(words) > 1:
        english, last = _english_words(), surnames()
        return any(
            w.lower() not in english or w.capitalize() in first or w.capitalize() in last
            for w in words
        )
    return True


@functools.lru_cache(maxsize=1)
def _english_words() -> frozenset[str]:
    """Ordinary English words (`resources/english_words.txt`) and the common words."""
    return _read_resource("english_words.txt") | common_words()


def _public_key(term: str) -> str:
    """A name compared without case, '@', '#', spaces or punctuation."""
    return re.sub(r"[\W_]+", "", str(term).casefold())


def _ner_layer(ner: Any) -> Any:
    """A `toolkit.privacy.detect.ner.NerLayer` (or None) from the Detector's `ner` argument."""
    from toolkit.privacy.detect import ner as ner_module

    if ner is None or ner == "off":
        return None
    if isinstance(ner, str):
        return ner_module.NerLayer(ner)
    if hasattr(ner, "entities_many"):
        return ner
    if callable(ner):
        return ner_module.CallableNer(ner)
    raise TypeError(f"ner must be a model name, a NerLayer, a callable or None, not {ner!r}")


#: spaCy models tried, best first, when `spacy_ner` is asked for "any installed model".
SPACY_MODELS = ("en_core_web_trf", "en_core_web_lg", "en_core_web_md", "en_core_web_sm")


def spacy_ner(
    model: str | None = None, loader: Callable[[str], Any] | None = None
) -> Callable[[str], list[tuple[int, int, str]]] | None:
    """An NER plug-in for `Detector(ner=...)` from an installed spaCy model, or None.

    Nothing is downloaded: if spaCy or the model is not installed, None is returned (and
    logged) and the detector works without it.

    Parameters
    ----------
    model : str, optional
        spaCy model name (e.g. "en_core_web_sm"). Default: the first of `SPACY_MODELS`
        that is installed.
    loader : callable, optional
        Model name -> spaCy ``Language`` (default ``spacy.load``); tests pass a fake.
    """
    candidates = (model,) if model else SPACY_MODELS
    if loader is None:
        # Models are Python packages: skip importing spaCy (seconds) when none is installed.
        candidates = tuple(n for n in candidates if importlib.util.find_spec(n) is not None)
        if not candidates:
            log.info("no spaCy model installed: person names from cues and gazetteers only")
            return None
        try:
            import spacy
        except ImportError:
            log.info("spaCy is not installed: person names come from cues and gazetteers only")
            return None
        loader = spacy.load
    for name in candidates:
        try:
            nlp = loader(name)
        except (OSError, ImportError, ValueError):
            continue
        log.info("person names: also using the spaCy model %s", name)
        return functools.partial(_spacy_entities, nlp)
    log.info("no spaCy model %s installed: person names from cues and gazetteers only", model or "")
    return None


def _spacy_entities(nlp: Any, text: str) -> list[tuple[int, int, str]]:
    return [(ent.start_char, ent.end_char, ent.label_) for ent in nlp(text[:100_000]).ents]


@functools.lru_cache(maxsize=1)
def default_detector() -> Detector:
    """The detector with default order patterns and phone regions (built once)."""
    return Detector()


def detect(
    text: str, entities: Iterable[str] | None = None, detector: Detector | None = None
) -> list[Span]:
    """Personal data in `text`: non-overlapping spans sorted by start offset.

    Parameters
    ----------
    text : str
        Post text (any length, any script).
    entities : iterable of str, optional
        Only look for these entity types (default: all of `ENTITY_TYPES`).
    detector : Detector, optional
        A configured detector (default: `default_detector()`).
    """
    return (detector or default_detector()).detect(text, entities)


def redact(
    text: str,
    spans: Sequence[Span] | None = None,
    operator: Literal["placeholder", "mask"] = "placeholder",
) -> str:
    """Replace spans with `<ENTITY_TYPE>` placeholders, or with '*' characters ("mask").

    Parameters
    ----------
    text : str
    spans : sequence of Span, optional
        Spans to remove (default: everything `detect` finds). Overlaps are merged first.
    operator : {"placeholder", "mask"}
    """
    if operator not in ("placeholder", "mask"):
        raise ValueError(f"unknown redaction operator {operator!r}")
    spans = detect(text) if spans is None else resolve_overlaps(text, spans)
    pieces, cursor = [], 0
    for span in spans:
        start, end = max(span.start, cursor), min(span.end, len(text))
        if end <= start:
            continue
        pieces.append(text[cursor:start])
        pieces.append(f"<{span.entity_type}>" if operator == "placeholder" else "*" * (end - start))
        cursor = end
    pieces.append(text[cursor:])
    return "".join(pieces)


def contains_contact_details(spans: Iterable[Span]) -> bool:
    """True if any span is an email address, phone number or street address."""
    return any(span.entity_type in CONTACT_TYPES for span in spans)


def summarise(texts: Iterable[str | None], detector: Detector | None = None) -> pd.DataFrame:
    """Prevalence of each entity type across texts.

    Parameters
    ----------
    texts : iterable of str
        Post texts (None / NaN count as empty).
    detector : Detector, optional

    Returns
    -------
    DataFrame with one row per entity type (in `ENTITY_TYPES` order): ``entity_type``,
    ``n_spans`` (total detections), ``n_texts`` (texts with at least one) and ``share_texts``.
    """
    n_spans = dict.fromkeys(ENTITY_TYPES, 0)
    n_texts = dict.fromkeys(ENTITY_TYPES, 0)
    total = 0
    texts = list(texts)
    prime = getattr(detector or default_detector(), "prime", None)
    if prime is not None:  # the NER layer parses all texts in batches, once
        prime(texts)
    for text in texts:
        total += 1
        if not isinstance(text, str):
            continue
        found = detect(text, detector=detector)
        for span in found:
            n_spans[span.entity_type] += 1
        for entity_type in {span.entity_type for span in found}:
            n_texts[entity_type] += 1
    frame = pd.DataFrame(
        {
            "entity_type": list(ENTITY_TYPES),
            "n_spans": [n_spans[t] for t in ENTITY_TYPES],
            "n_texts": [n_texts[t] for t in ENTITY_TYPES],
        }
    )
    frame["share_texts"] = frame["n_texts"] / total if total else 0.0
    return frame


def quote(
    text: str | None,
    policy: QuotePolicy,
    *,
    keep_handles: Iterable[str] = (),
    detector: Detector | None = None,
    max_risk: float | None = None,
    author_posts: int = 1,
) -> str | None:
    """The one way customer post text may reach a report.

    Parameters
    ----------
    text : str or None
        A customer post's text.
    policy : {"none", "redacted", "full"}
        "none" (the default in configs): no quote, returns None. "redacted": every detected
        piece of personal data is replaced by a typed placeholder (handles too) and the result
        cut to 140 characters. "full": the whole text, but personal data is still replaced
        (everything except URLs).
    keep_handles : iterable of str
        Handles (e.g. the brand's own accounts) that may stay visible, with or without '@';
        links to these accounts' profiles ("x.com/brand") stay visible too.
    detector : Detector, optional
    max_risk : float, optional
        With "redacted": shorten the excerpt (word by word, down to 4 words) until its
        `quote_risk` is at most this; if even 4 words are too findable, return None.
    author_posts : int
        Posts by the author in the dataset (author exposure, see `quote_risk`).
    """
    if policy not in ("none", "redacted", "full"):
        raise ValueError(f"unknown quote policy {policy!r}")
    if policy == "none" or not isinstance(text, str):
        return None
    keep = {h.lower().lstrip("@") for h in keep_handles}
    keep_names = {_public_key(h) for h in keep_handles}
    detector = detector or default_detector()
    wanted = None if policy == "redacted" else tuple(NEVER_RAW_TYPES)
    spans = [
        s
        for s in detector.candidates(text, wanted)
        if not (
            s.entity_type == HANDLE
            and (s.text.lower().lstrip("@") in keep or handle_of(s.text) in keep)
        )
        and not (s.entity_type in _PUBLIC_NAME_TYPES and _public_key(s.text) in keep_names)
    ]
    redacted = redact(text, spans)
    if policy == "full":
        return redacted
    excerpt = _truncate(redacted, QUOTE_MAX_CHARS)
    if max_risk is not None:
        return _lower_risk(excerpt, max_risk, author_posts)
    return excerpt


#: NER types that may name the brand itself (kept when it is one of `keep_handles`).
_PUBLIC_NAME_TYPES = frozenset({ORGANIZATION, PERSON, LOCATION})
_PLACEHOLDER_RE = re.compile("<(?:" + "|".join(ENTITY_TYPES) + ")>")
#: What breaks a verbatim search phrase: a placeholder or an ellipsis.
_RUN_BREAK = re.compile("<(?:" + "|".join(ENTITY_TYPES) + ")>|…|\\.\\.\\.")
_RISK_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)?|#\w+")


def quote_risk(text: str | None, author_posts: int = 1) -> float:
    """Risk (0 to 1) that searching the published words verbatim finds the post and its author.

    Most quoted tweets can be found again by exact search (84% in Ayers et al. 2018). The
    searchable part of a quote is its longest run of words not broken by a placeholder or a
    cut (the longest n-gram someone can paste into a search engine), so:

    - length: that run's words / 12, capped at 1 (a dozen words in a row are nearly unique);
    - distinctiveness: the share of the run's words that are not common English words (rare
      words, typos, numbers, hashtags make an n-gram unique), times 3, capped at 1;
    - exposure: log(1 + posts by the author in the data) / log(21), capped at 1.

    ``risk = length * (0.5 + 0.5 * distinctiveness) * (0.75 + 0.25 * exposure)``

    Parameters
    ----------
    text : str or None
        The text as it would be published (after redaction).
    author_posts : int
        Posts by the same author in the dataset.
    """
    if not isinstance(text, str):
        return 0.0
    runs = [_RISK_WORD.findall(part) for part in _RUN_BREAK.split(text)]
    words = max(runs, key=len, default=[])
    if not words:
        return 0.0
    common = common_words()
    rare = sum(1 for w in words if w.lower() not in common)
    length = min(1.0, len(words) / 12)
    distinctiveness = min(1.0, 3 * rare / len(words))
    exposure = min(1.0, np.log1p(max(author_posts, 0)) / np.log1p(20))
    return round(float(length * (0.5 + 0.5 * distinctiveness) * (0.75 + 0.25 * exposure)), 3)


def risk_level(risk: float) -> str:
    """ "high" (>= 0.5), "medium" (>= 0.2) or "low" for a `quote_risk` score."""
    return "high" if risk >= 0.5 else "medium" if risk >= 0.2 else "low"


def _lower_risk(excerpt: str, max_risk: float, author_posts: int) -> str | None:
    if quote_risk(excerpt, author_posts) <= max_risk:
        return excerpt
    words = excerpt.rstrip("…").split()
    while len(words) > 4:
        words = words[:-1]
        shorter = " ".join(words) + "…"
        if quote_risk(shorter, author_posts) <= max_risk:
            return shorter
    return None


def quote_column(
    texts: pd.Series,
    policy: QuotePolicy,
    *,
    authors: pd.Series | None = None,
    keep_handles: Iterable[str] = (),
    max_risk: float | None = None,
    detector: Detector | None = None,
) -> pd.DataFrame:
    """`quote` applied to a column of post texts, with each quote's findability risk.

    Use it wherever post text goes into a report table, e.g.
    ``top = top.join(quote_column(top["text"], config.privacy.quotes, authors=top["author"]))``
    and then drop ``text``.

    Parameters
    ----------
    texts : Series of str
        Post texts (NaN / None allowed).
    policy : {"none", "redacted", "full"}
        See `quote`; usually ``config.privacy.quotes``.
    authors : Series, optional
        Author of each text (same index); each author's number of posts in `texts` is the
        exposure used by `quote_risk`.
    keep_handles : iterable of str
        Brand handles that may stay visible.
    max_risk : float, optional
        See `quote`.
    detector : Detector, optional

    Returns
    -------
    DataFrame with the index of `texts` and columns ``quote`` (None where nothing may be
    published), ``quote_risk`` and ``quote_risk_level``.
    """
    keep = tuple(keep_handles)
    detector = detector or default_detector()
    prime = getattr(detector, "prime", None)
    if prime is not None and policy != "none":
        prime(texts.tolist())
    if authors is not None:
        n_posts = authors.map(authors.value_counts()).fillna(1).astype(int).tolist()
    else:
        n_posts = [1] * len(texts)
    quotes, risks = [], []
    for text, n in zip(texts.tolist(), n_posts, strict=True):
        published = quote(
            text, policy, keep_handles=keep, detector=detector, max_risk=max_risk, author_posts=n
        )
        quotes.append(published)
        risks.append(quote_risk(published, n))
    out = pd.DataFrame({"quote": quotes, "quote_risk": risks}, index=texts.index)
    out["quote_risk_level"] = out["quote_risk"].map(risk_level)
    return out


def _truncate(text: str, limit: int) -> str:
    """Cut to at most `limit` characters (ellipsis included), never inside a placeholder."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    open_at = cut.rfind("<")
    if open_at > cut.rfind(">") and re.fullmatch(r"<[A-Z_]*", cut[open_at:]):
        cut = cut[:open_at]
    return cut.rstrip() + "…"


# ------------------------------------------------------------------ disclosure control
def suppress_small_groups(
    df: pd.DataFrame,
    by: str | Sequence[str],
    k: int,
    author_col: str = "author",
    value_cols: Sequence[str] | None = None,
    *,
    total_label: str = "Total",
    published_total: bool = False,
) -> pd.DataFrame:
    """Blank the cells of an aggregate table that describe fewer than `k` distinct authors.

    Two inputs are accepted. A pre-aggregated table with a column ``n_authors`` (distinct
    authors per cell) is used as it is. Otherwise `df` is taken as raw rows (one per post):
    they are grouped by `by` into ``n_posts`` and ``n_authors`` (distinct `author_col`), plus
    the per-group sum of any `value_cols`.

    Primary suppression: a cell with ``n_authors < k`` (or unknown) gets NaN in every value
    column and in ``n_authors``, and ``suppressed=True``.

    Complementary suppression, applied only when a margin is present: for each `by` column,
    the cells that share the other `by` values form a group, and the row whose value in that
    column is `total_label` is the group's margin. If exactly one cell of a group is
    suppressed while its margin is not, its value could be recovered by subtraction, so the
    unsuppressed cell of that group with the smallest ``n_authors`` (first in table order on
    ties) is suppressed too. This repeats until no group changes.

    With `published_total`, the table's grand total is published elsewhere (e.g. "posts with
    personal data" in a summary): if exactly one non-margin cell of the whole table is then
    suppressed, the smallest other cell is suppressed too.

    Parameters
    ----------
    df : DataFrame
        Pre-aggregated table with ``n_authors``, or raw rows with `author_col`.
    by : str or sequence of str
        Columns that identify a cell.
    k : int
        Minimum number of distinct authors a published cell must describe.
    author_col : str
        Author column of raw rows.
    value_cols : sequence of str, optional
        Columns to blank. Default: every column other than the `by` columns, text included
        (a suppressed topic's label or keywords would describe its few authors). For raw
        rows: the columns to sum per group (``n_posts`` is always blanked too).
    total_label : str
        Value in a `by` column that marks a margin (total) row.
    published_total : bool
        The sum over all cells is published elsewhere.

    Returns
    -------
    DataFrame: a copy with value columns as float (NaN where suppressed) and a boolean
    ``suppressed`` column.
    """
    by = [by] if isinstance(by, str) else list(by)
    if k < 1:
        raise ValueError("k must be at least 1")
    missing = [c for c in by if c not in df.columns]
    if missing:
        raise KeyError(f"columns not in the table: {missing}")
    if "n_authors" in df.columns:
        table = df.copy()
    else:
        table = _aggregate_authors(df, by, author_col, value_cols or [])
        value_cols = ["n_posts", *(value_cols or [])]
    if value_cols is None:  # everything that describes the cell: counts, shares, labels, keywords
        value_cols = [c for c in table.columns if c not in by and c != "suppressed"]
    value_cols = list(dict.fromkeys([*value_cols, "n_authors"]))
    n_authors = pd.to_numeric(table["n_authors"], errors="coerce")
    suppressed = ~(n_authors >= k)
    suppressed = _complementary(table, by, n_authors, suppressed.to_numpy(), total_label)
    if published_total:
        suppressed = _against_grand_total(table, by, n_authors, suppressed, total_label)
        suppressed = _complementary(table, by, n_authors, suppressed, total_label)
    out = table.copy()
    for col in value_cols:
        if _numeric(out[col]):
            out[col] = pd.to_numeric(out[col], errors="coerce").astype("float64")
            out.loc[suppressed, col] = np.nan
        else:  # text (a topic's label or keywords) describes the cell too
            out[col] = out[col].astype(object).where(~suppressed, None)
    out["suppressed"] = suppressed
    return out


def _numeric(column: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column)


def _aggregate_authors(
    df: pd.DataFrame, by: list[str], author_col: str, value_cols: Sequence[str]
) -> pd.DataFrame:
    if author_col not in df.columns:
        raise KeyError(f"raw rows need an author column {author_col!r} (or pass n_authors)")
    grouped = df.groupby(by, dropna=False, sort=True)
    table = grouped.size().rename("n_posts").to_frame()
    table["n_authors"] = grouped[author_col].nunique()
    for col in value_cols:
        table[col] = grouped[col].sum()
    return table.reset_index()


def _against_grand_total(
    table: pd.DataFrame,
    by: list[str],
    n_authors: pd.Series,
    suppressed: np.ndarray,
    total_label: str,
) -> np.ndarray:
    """One hidden cell next to a published grand total is recoverable: hide the smallest other."""
    cells = ~table[by].eq(total_label).any(axis=1).to_numpy()
    hidden = np.flatnonzero(cells & suppressed)
    visible = np.flatnonzero(cells & ~suppressed)
    if len(hidden) != 1 or len(visible) == 0:
        return suppressed
    sizes = n_authors.fillna(-1).to_numpy()
    smallest = min(visible, key=lambda r: (sizes[r], r))
    out = suppressed.copy()
    out[smallest] = True
    return out


def _complementary(
    table: pd.DataFrame,
    by: list[str],
    n_authors: pd.Series,
    suppressed: np.ndarray,
    total_label: str,
) -> np.ndarray:
    suppressed = suppressed.copy()
    keys = table[by].astype(object).where(table[by].notna(), None).to_numpy()
    sizes = n_authors.fillna(-1).to_numpy()
    changed = True
    while changed:
        changed = False
        for col_index in range(len(by)):
            groups: dict[tuple, list[int]] = {}
            margins: dict[tuple, list[int]] = {}
            for row, key in enumerate(keys):
                rest = tuple(v for i, v in enumerate(key) if i != col_index)
                target = margins if key[col_index] == total_label else groups
                target.setdefault(rest, []).append(row)
            for rest, rows in groups.items():
                margin_rows = margins.get(rest, [])
                if not margin_rows or all(suppressed[r] for r in margin_rows):
                    continue
                hidden = [r for r in rows if suppressed[r]]
                visible = [r for r in rows if not suppressed[r]]
                if len(hidden) == 1 and visible:
                    smallest = min(visible, key=lambda r: (sizes[r], r))
                    suppressed[smallest] = True
                    changed = True
    return suppressed
