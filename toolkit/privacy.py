"""Personal data in post text: detection, redaction, safe quoting and small-group suppression.

Customer handles are pseudonymised at ingest (`toolkit.pseudonymise`); this module finds the
personal data that remains *inside* post text. Detection is layered: fast regular expressions,
checksums (Luhn, IBAN mod-97), the `phonenumbers` library for phone validation, context cues and a
first-name gazetteer for names. Entity names follow Microsoft Presidio.

`quote` is the one function through which customer post text may reach a report, and
`suppress_small_groups` applies k-anonymity style disclosure control to aggregate tables.
"""

from __future__ import annotations

import bisect
import functools
import ipaddress
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from importlib import resources
from typing import Literal

import numpy as np
import pandas as pd
import phonenumbers

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

#: Every entity type `detect` can return, in report order.
ENTITY_TYPES: tuple[str, ...] = (
    EMAIL_ADDRESS,
    PHONE_NUMBER,
    CREDIT_CARD,
    IBAN_CODE,
    STREET_ADDRESS,
    PERSON,
    HANDLE,
    ORDER_NUMBER,
    IP_ADDRESS,
    URL,
)
#: Types that let someone contact the person directly.
CONTACT_TYPES = frozenset({EMAIL_ADDRESS, PHONE_NUMBER, STREET_ADDRESS})
#: Types that are redacted even under the "full" quote policy. PERSON is included because the
#: report gate treats every name found in customer posts as a customer identifier.
NEVER_RAW_TYPES = frozenset(
    {EMAIL_ADDRESS, PHONE_NUMBER, CREDIT_CARD, IBAN_CODE, STREET_ADDRESS, HANDLE, PERSON}
)
QUOTE_MAX_CHARS = 140
DEFAULT_PHONE_REGIONS: tuple[str, ...] = (
    "US", "GB", "DE", "FR", "ES", "IT", "NL", "IN", "AU", "CA", "BR", "MX",
)  # fmt: skip
#: Order / ticket references. A named group `id` (if present) is the span; else the whole match.
DEFAULT_ORDER_PATTERNS: tuple[str, ...] = (
    r"(?<![\w#-])#?NH-?\d{5,8}(?!\w)",
    r"(?i:\b(?:order|ticket|case|invoice|confirmation|reference|ref|rma|tracking)"
    r"(?:[ \t]+(?:number|no\.?|nr\.?|num|id|code))?[ \t]*[:(]?[ \t]*)"
    r"#?[ \t]?(?P<id>[A-Z]{0,4}-?\d{5,16}|1Z[0-9A-Z]{16})(?!\w)",
)

# Overlapping spans are merged into one span of the most specific type (highest rank wins).
_SPECIFICITY = {
    CREDIT_CARD: 9,
    IBAN_CODE: 9,
    EMAIL_ADDRESS: 8,
    ORDER_NUMBER: 7,
    IP_ADDRESS: 6,
    PHONE_NUMBER: 5,
    STREET_ADDRESS: 4,
    HANDLE: 3,
    PERSON: 2,
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
    """The first-name gazetteer (capitalised, from Faker's en/de/fr/es name providers)."""
    return _read_resource("first_names.txt")


@functools.lru_cache(maxsize=1)
def common_words() -> frozenset[str]:
    """Lower-case common English words: single tokens too ambiguous to treat as names."""
    return _read_resource("common_words.txt")


# ------------------------------------------------------------------ patterns
_HAS_DIGIT = re.compile(r"\d").search
_EMAIL = re.compile(
    r"(?<![\w.%+@-])[\w.%+-]{1,64}+@(?:[^\W_](?:[\w-]{0,61}[^\W_])?\.){1,8}[^\W\d_]{2,24}(?![\w-])"
)
_OBF_AT = r"(?:[ \t]*[(\[{<][ \t]*at[ \t]*[)\]}>][ \t]*|[ \t]*@[ \t]*|[ \t]+at[ \t]+)"
_OBF_DOT = r"(?:[ \t]*[(\[{<][ \t]*dot[ \t]*[)\]}>][ \t]*|[ \t]+dot[ \t]+|\.)"
_OBF_WORD = r"[a-z0-9_%+-]{1,64}+"  # possessive: no backtracking into words
_OBFUSCATED_EMAIL = re.compile(
    rf"(?i)(?<![\w.@+-])(?P<local>{_OBF_WORD}(?:{_OBF_DOT}{_OBF_WORD}){{0,4}})(?P<at>{_OBF_AT})"
    rf"(?P<domain>{_OBF_WORD}(?:{_OBF_DOT}{_OBF_WORD}){{0,4}}{_OBF_DOT}[a-z]{{2,24}})(?![\w-])"
)
_OBF_HINT = re.compile(r"(?i)[(\[{<][ \t]*at[ \t]*[)\]}>]|\sat\s|@")
_WORD_DOT = re.compile(r"(?i)[ \t]*[(\[{<][ \t]*dot[ \t]*[)\]}>][ \t]*|[ \t]+dot[ \t]+")
_MAIL_PROVIDERS = frozenset(
    "gmail.com googlemail.com yahoo.com yahoo.co.uk yahoo.fr yahoo.es hotmail.com hotmail.co.uk "
    "hotmail.fr outlook.com live.com msn.com icloud.com me.com mac.com aol.com protonmail.com "
    "proton.me gmx.de gmx.net gmx.com web.de t-online.de orange.fr free.fr laposte.net sfr.fr "
    "libero.it virgilio.it btinternet.com sky.com mail.com yandex.com yandex.ru zoho.com "
    "fastmail.com hey.com tutanota.com".split()
)

# Phone candidates: 7-15 digits with phone punctuation, not glued to words, decimals or ids.
_PHONE_CANDIDATE = re.compile(
    r"(?<![\w+/.$€£¥%])(?<!\d[-./])(?:\+[ \t]?)?\(?\d[\d \t\-./()]{5,24}\d(?![\w%])(?![-./]\d)"
)
_PHONE_CUE = re.compile(
    r"(?i)\b(?:call(?:ed|ing)?|phone|tel|telephone|mobile|cell(?:phone)?|whats ?app|text(?:ed)? me"
    r"|sms|ring|fax|reach me|contact|number|hotline|helpline|landline|telefon|handy|t[ée]l[ée]phone"
    r"|portable|tel[ée]fono|m[óo]vil|cellulare)\b"
)
_DATE_LIKE = re.compile(r"(?<!\d)(\d{1,4})[-./](\d{1,2})[-./](\d{2,4})(?!\d)")
_YEARS_ONLY = re.compile(r"(?:(?:19|20)\d\d[ \t\-./]*)+")
_THOUSANDS = re.compile(r"\d{1,3}(?:([.,'])\d{3})(?:\1\d{3})*|\d{1,2}(?: \d{3})+")
_DECIMAL = re.compile(r"\d+\.\d+")
_DIGIT_GROUPS = re.compile(r"\d+")
_SEPARATORS = re.compile(r"(?<=\d)[ \t\-./]+(?=[\d(])")
_CARD_CANDIDATE = re.compile(r"(?<![\w+/.,$€£-])\d(?:[ \t-]?\d){11,40}(?![\w%])(?![.,]\d)")
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
_ADDRESS_PATTERNS = (
    _US_UK_ADDRESS,
    _TAILED_ADDRESS,
    _UK_ADDRESS,
    _DE_ADDRESS,
    _FR_ADDRESS,
    _ES_IT_ADDRESS,
    _PO_BOX,
)

_UPPER = "A-ZÀ-ÖØ-ÞĀ-Ž"
_LOWER = "a-zß-öø-ÿĀ-ž"
_NAME = rf"[{_UPPER}](?:['’][{_UPPER}]|[{_LOWER}]{{1,2}}[{_UPPER}])?[{_LOWER}]+(?:-[{_UPPER}]?[{_LOWER}]+)?"
_INITIAL = rf"[{_UPPER}]\.?(?![\w])"
_ONE_OR_TWO = rf"(?P<name>{_NAME}(?:[ \t]+(?:{_NAME}|{_INITIAL}))?)"
_TWO = rf"(?P<name>{_NAME}[ \t]+{_NAME})"


def _cue(first_letters: str, pattern: str) -> re.Pattern[str]:
    """Compile a cue regex behind a look-ahead on its possible first letters (a fast pre-scan)."""
    letters = first_letters.lower() + first_letters.upper()
    return re.compile(f"(?=[{letters}])" + pattern)


# Each cue: (regex, strong cue?, score). See `_acceptable_name`.
_PERSON_CUES: tuple[tuple[re.Pattern[str], bool, float], ...] = (
    (
        _cue(
            "mnij",
            r"(?i:\bmy[ \t]+name[ \t]+is|\bmy[ \t]+name['’]s|\bname['’]s|\bmein[ \t]+name[ \t]+ist"
            r"|\bich[ \t]+hei(?:ß|ss)e|\bje[ \t]+m['’]appelle|\bme[ \t]+llamo|\bmi[ \t]+nombre[ \t]+es"
            r"|\bmi[ \t]+chiamo)[ \t]+" + _ONE_OR_TWO,
        ),
        True,
        0.85,
    ),
    (
        _cue("t", r"(?i:\bthis[ \t]+is)[ \t]+" + _ONE_OR_TWO + r"[ \t]+(?i:from|at|with)\b"),
        True,
        0.85,
    ),
    (_cue("s", r"(?i:\bsign(?:ed)?(?:[ \t]+off)?)[,:]?[ \t]+" + _ONE_OR_TWO), True, 0.85),
    (_cue("i", r"(?i:\bI['’]m|\bI[ \t]+am)[ \t]+" + _TWO), True, 0.7),
    (
        _cue("a", r"(?i:\bask(?:[ \t]+for)?)[ \t]+" + _ONE_OR_TWO + r"[ \t]+(?i:at|in|from|on)\b"),
        False,
        0.7,
    ),
    (_cue("t", r"(?i:\bthank(?:s?[ \t]+to|[ \t]+you|s))[,!]?[ \t]+" + _ONE_OR_TWO), False, 0.7),
    (
        _cue(
            "artseim",
            r"(?i:\b(?:agent|rep|representative|technician|tech|advis[eo]r|engineer|installer"
            r"|supervisor|manager)(?:[ \t]+(?:named|called))?)[ \t]+" + _ONE_OR_TWO,
        ),
        False,
        0.7,
    ),
    (
        _cue(
            "rscbt",
            r"(?i:\bregards|\bsincerely|\bcheers|\bbest[ \t]+wishes|\bthanks)[,!]?\s+"
            + _ONE_OR_TWO
            + r"[ \t]*[.!]?\s*$",
        ),
        False,
        0.7,
    ),
    (re.compile(r"(?:^|\s)[-–—~][ \t]*" + _ONE_OR_TWO + r"[ \t]*$"), False, 0.7),
)
_GAZETTEER_PAIR = re.compile(
    rf"(?<![\w@#/.])(?P<first>[{_UPPER}][{_LOWER}]+(?:-[{_UPPER}][{_LOWER}]+)?)"
    rf"(?=[ \t]+(?P<last>{_NAME}))"
)
# Capitalised words that follow a first name without being a surname.
_NOT_SURNAMES = frozenset(
    "the and or but for from with without at in on to of is was are were will would can could "
    "has have had does did not just please thanks thank support team app home hub plug bulb "
    "bulbs plugs thermostat smart customer service help update here there this that monday "
    "tuesday wednesday thursday friday saturday sunday january february march april may june "
    "july august september october november december".split()
)
# Gazetteer names that are mostly something else in smart-home posts.
_NOT_FIRST_NAMES = frozenset({"Alexa", "Siri", "Echo", "Nest", "Ring", "Google", "Apple"})


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
    """

    def __init__(
        self,
        order_patterns: Sequence[str] = DEFAULT_ORDER_PATTERNS,
        phone_regions: Sequence[str] = DEFAULT_PHONE_REGIONS,
        phone_budget: int = 300,
        obfuscated_emails: bool = True,
    ):
        self.order_patterns = tuple(re.compile(p) for p in order_patterns)
        self.phone_regions = tuple(phone_regions)
        self.phone_budget = phone_budget
        self.obfuscated_emails = obfuscated_emails
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
        }

    def candidates(self, text: str, entities: Iterable[str] | None = None) -> list[Span]:
        """All raw detections, overlapping ones included (offsets into `text`).

        Parameters
        ----------
        text : str
            Any text.
        entities : iterable of str, optional
            Restrict to these entity types (default: all of `ENTITY_TYPES`).
        """
        if not text:
            return []
        wanted = ENTITY_TYPES if entities is None else tuple(entities)
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
            for m in _OBFUSCATED_EMAIL.finditer(text):
                if _plausible_obfuscated_email(m):
                    yield m.start(), m.end(), 0.8

    def _phones(self, text: str) -> Iterator[tuple[int, int, float]]:
        if not _HAS_DIGIT(text):
            return
        budget = self.phone_budget
        for m in _PHONE_CANDIDATE.finditer(text):
            candidate = m.group()
            digits = sum(map(str.isdigit, candidate))
            if digits < 7:
                continue
            shaped = _phone_shaped(candidate, digits)
            cue = shaped is not False and _phone_cue_near(text, m.start(), m.end())
            if not (shaped or cue):
                continue
            if budget <= 0:  # pathological text: redact unvalidated rather than spend seconds
                yield m.start(), m.end(), 0.3
                continue
            budget -= 1
            for rel_start, rel_end, score in _phone_matches(candidate, self.phone_regions, cue):
                yield m.start() + rel_start, m.start() + rel_end, score

    def _cards(self, text: str) -> Iterator[tuple[int, int, float]]:
        if not _HAS_DIGIT(text):
            return
        for m in _CARD_CANDIDATE.finditer(text):
            found = _card_in_run(m.group())
            if found:
                yield m.start() + found[0], m.start() + found[1], 1.0

    def _ibans(self, text: str) -> Iterator[tuple[int, int, float]]:
        if not _HAS_DIGIT(text):
            return
        for m in _IBAN.finditer(text):
            if _iban_checksum_ok(m.group()):
                yield m.start(), m.end(), 1.0

    def _ips(self, text: str) -> Iterator[tuple[int, int, float]]:
        if "." in text and _HAS_DIGIT(text):
            for m in _IPV4.finditer(text):
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
                yield m.start(), m.end(), 0.7

    def _persons(self, text: str) -> Iterator[tuple[int, int, float]]:
        names, words = first_names(), common_words()
        for pattern, strong_cue, score in _PERSON_CUES:
            for m in pattern.finditer(text):
                tokens = m.group("name").split()
                if _acceptable_name(tokens, strong_cue, names, words):
                    yield m.start("name"), m.end("name"), score
        for m in _GAZETTEER_PAIR.finditer(text):
            first, last = m.group("first"), m.group("last")
            if (
                first in names
                and first not in _NOT_FIRST_NAMES
                and first.lower() not in words
                and last.lower() not in _NOT_SURNAMES
            ):
                yield m.start("first"), m.end("last"), 0.6


def _acceptable_name(
    tokens: list[str], strong_cue: bool, names: frozenset[str], words: frozenset[str]
) -> bool:
    """A cue-captured name is kept unless it is made of ordinary words.

    After a strong cue ("my name is") any capitalised non-word counts; after a weak one
    ("thanks", "ask") the first token must be a known first name, or both tokens non-words.
    """
    first = tokens[0]
    if first in _NOT_FIRST_NAMES or (first.lower() in words and first not in names):
        return False
    if len(tokens) > 1 and tokens[1].rstrip(".").lower() in _NOT_SURNAMES:
        return False
    if strong_cue or first in names:
        return True
    return len(tokens) > 1 and tokens[1].rstrip(".").lower() not in words


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
    if sum(len(g) == 1 for g in groups) > 1:
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
def _luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


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
                and len(set(digits)) > 1
                and _card_prefix_ok(digits)
                and _luhn_ok(digits)
                and (best is None or groups[j][1] - groups[i][0] > best[1] - best[0])
            ):
                best = (groups[i][0], groups[j][1])
    return best


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
    policy: Literal["none", "redacted", "full"],
    *,
    keep_handles: Iterable[str] = (),
    detector: Detector | None = None,
) -> str | None:
    """The one way customer post text may reach a report.

    Parameters
    ----------
    text : str or None
        A customer post's text.
    policy : {"none", "redacted", "full"}
        "none": no quote (returns None). "redacted": every detected piece of personal data
        is replaced by a placeholder and the result truncated to 140 characters. "full": the
        whole text is kept but emails, phones, cards, IBANs, street addresses, handles and
        person names are still replaced (order numbers, URLs and IPs stay).
    keep_handles : iterable of str
        Handles (e.g. the brand's own accounts) that may stay visible, with or without '@'.
    detector : Detector, optional
    """
    if policy not in ("none", "redacted", "full"):
        raise ValueError(f"unknown quote policy {policy!r}")
    if policy == "none" or text is None:
        return None
    keep = {h.lower().lstrip("@") for h in keep_handles}
    detector = detector or default_detector()
    wanted = ENTITY_TYPES if policy == "redacted" else tuple(NEVER_RAW_TYPES)
    spans = [
        s
        for s in detector.candidates(text, wanted)
        if not (s.entity_type == HANDLE and s.text.lower().lstrip("@") in keep)
    ]
    redacted = redact(text, spans)
    return _truncate(redacted, QUOTE_MAX_CHARS) if policy == "redacted" else redacted


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
