"""The report privacy gate: no customer's personal data may leave in a published artifact.

`collect_identifiers` gathers what identifies customers in a dataset (raw handles and display
names from the private identifiers file written at ingest, the ids of customer posts, and the
personal data the detector finds in customer posts). `scan_dir` then reads the content of
every artifact of a report folder and reports each known identifier it finds, plus any e-mail,
phone, card number or IBAN that is not on the brand's allowlist. `check` turns findings into
a `GateError`; `keep_blocked` keeps a blocked build privately with a findings file that shows
each hit in context.

What is read: the text, tables, alt text and other attributes, JSON data blocks and comments of
HTML / SVG pages (not their CSS and scripts, only the string literals of scripts); every cell
of CSV / TSV tables; every string of JSON and notebooks (outputs and metadata; a notebook's
own cells as shipped in notebooks/ are constant text and skipped, like the page template);
PNG text chunks and JPEG metadata, also of images embedded as base64. Interactive charts
(`toolkit.report.interactive`) carry their data in a page's JSON data block, read like any other. Not
read: a vendored third-party library file (`toolkit.report.site.vendored_assets`, e.g.
assets/plotly.min.js) while its bytes are identical to the installed library's own copy; once
changed in any way it is scanned like any other file.

How identifiers match:
- names and handles across punctuation and spacing ("Dr. Emeka Okafor", "emeka.okafor",
  "emeka_okafor", "Emeka  Okafor" all match the stored "Dr Emeka Okafor");
- a handle that is also an ordinary word ("users", "entity") only where it stands as a handle
  ("@users"); a one-word name that is also a word, or one found by the detector in a post,
  only capitalised as a name ("Corbyn", not "corbyn" in a topic label);
- post ids as whole tokens; a known post id is never taken for a card or phone number.
"""

from __future__ import annotations

import base64
import binascii
import bisect
import csv
import datetime as dt
import functools
import html
import io
import json
import logging
import re
import shutil
import struct
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from html.parser import HTMLParser
from importlib import resources
from pathlib import Path
from urllib.parse import unquote

import pandas as pd
import phonenumbers

from toolkit.privacy.detect.analyzer import (
    CREDIT_CARD,
    EMAIL_ADDRESS,
    HANDLE,
    IBAN_CODE,
    PERSON,
    PHONE_NUMBER,
    STREET_ADDRESS,
    URL,
    Detector,
    common_words,
    default_detector,
    first_names,
)
from toolkit.privacy.detect.recognizers.date_of_birth import DateOfBirthRecognizer
from toolkit.privacy.pseudonymise import default_public_accounts

log = logging.getLogger(__name__)

USER_ID = "USER_ID"
POST_ID = "POST_ID"
DATE_OF_BIRTH = "DATE_OF_BIRTH"
_DATE_OF_BIRTH = DateOfBirthRecognizer()
#: An absolute path of the machine that built the report (it names the analyst, or where the
#: pseudonymisation key is).
LOCAL_PATH = "LOCAL_PATH"
#: Detector types whose values in customer posts become identifiers: every type but those too
#: generic to search reports for (a link, a city, a company, a date, an age).
GENERIC_TYPES = frozenset(
    {URL, HANDLE, "LOCATION", "GPE", "LOC", "FAC", "ORGANIZATION", "ORG", "NRP", "NORP",
     "DATE_TIME", "DATE", "TIME", "AGE", "TITLE", "MONEY", "PERCENT", "CARDINAL", "ORDINAL",
     "QUANTITY", "EVENT", "PRODUCT", "WORK_OF_ART", "LAW", "LANGUAGE", "ORDER_NUMBER"}
)  # fmt: skip
#: Detector types flagged wherever they appear (unless allowlisted).
PATTERN_TYPES = (EMAIL_ADDRESS, PHONE_NUMBER, CREDIT_CARD, IBAN_CODE)
HTML_SUFFIXES = frozenset({".html", ".htm", ".svg", ".xhtml"})
CSV_SUFFIXES = frozenset({".csv", ".tsv"})
TEXT_SUFFIXES = frozenset(
    {".html", ".htm", ".svg", ".xhtml", ".csv", ".tsv", ".txt", ".md", ".xml", ".yaml", ".yml",
     ".tex", ".js", ".mjs", ".css", ".log", ".jsonl", ".ndjson", ".rst", ".py", ".r", ".sql",
     ".ini", ".cfg", ".toml", ".rtf"}
)  # fmt: skip
JPEG_SUFFIXES = frozenset({".jpg", ".jpeg"})
JSON_SUFFIXES = frozenset({".json", ".ipynb", ".geojson"})
PNG_SUFFIXES = frozenset({".png"})
#: Data files the gate cannot read: publishing one is reported, never silently passed.
DATA_SUFFIXES = frozenset(
    {".parquet", ".feather", ".arrow", ".pkl", ".pickle", ".xlsx", ".xls", ".docx", ".pptx",
     ".zip", ".gz", ".tar", ".db", ".sqlite", ".duckdb", ".npy", ".npz", ".h5", ".hdf5",
     ".pdf", ".odt", ".ods", ".bz2", ".xz", ".7z", ".joblib", ".avro", ".orc"}
)  # fmt: skip
UNSCANNABLE = "UNSCANNABLE_DATA"
MAX_MESSAGE_LINES = 50
FINDINGS_FILE = "findings.txt"
#: Blocked builds kept per dataset (older ones are removed).
KEEP_BLOCKED = 3

_MIN_HANDLE = 4
_MIN_SINGLE_NAME = 6
_MIN_PHONE_DIGITS = 7
_MIN_BARE_PHONE_DIGITS = 10
_MIN_NUMERIC_POST_ID = 10
_MIN_POST_ID = 6
_PHONE_SEPARATOR = r"[ \t\-./()]{0,3}"
#: What may stand between the words of a name or the parts of a handle: "Dr. Emeka Okafor",
#: "emeka.okafor", "emeka_okafor", "Emeka  Okafor", "O'Brien", "emekaokafor".
_SEPARATOR_CHARS = r"\s._'’·\-"
_SEPARATORS = re.compile(f"[{_SEPARATOR_CHARS}]+")
_FLEX_SEPARATOR = f"[{_SEPARATOR_CHARS}]"
_BETWEEN_LETTERS = re.compile(r"(?<=[^\W\d_]) (?=[^\W\d_])")
_TITLES = frozenset("dr mr mrs ms miss mx prof sir dame rev fr".split())
_NAME_TOKEN = re.compile(r"\w[\w'’.-]*")
_ENTITY = re.compile(r"&(?:#\d{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
_PERCENT = re.compile(r"%[0-9A-Fa-f]{2}")
_DATA_URI = re.compile(
    r"data:(?P<mime>[\w.+-]+/[\w.+-]+)(?:;[\w.+-]+=[\w.+-]+)*;base64,(?P<data>[A-Za-z0-9+/=]+)"
)
# SVG geometry is lists of numbers (glyph outlines, paths) that can look like phones or cards.
_SVG_GEOMETRY = re.compile(r"""(?<=\s)(?:d|points|transform|viewBox)=(?:"[^"]*"|'[^']*')""")
_BASE64_RUN = re.compile(r"[A-Za-z0-9+/]{200,}={0,2}")
#: Notebook cell ids (random hex, e.g. "09412345") are machine identifiers, not phone numbers.
_CELL_ID_ATTR = re.compile(r"cell-id=[0-9A-Za-z_-]{1,64}")
_CELL_ID = re.compile(r"[0-9A-Za-z_-]{1,64}")
#: CSS at-rules, blanked in stylesheets so that a customer handle "media" is not "@media".
_CSS_AT_RULE = re.compile(
    r"@-?(?:media|import|font-face|keyframes|supports|page|charset|namespace|layer|container|"
    r"property|counter-style|font-feature-values|-webkit-keyframes|document|viewport)\b",
    re.IGNORECASE,
)
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_IMAGE_KEYS = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp", "image/bmp"})
_MAX_INFLATE = 16 * 1024 * 1024
_TOKEN = re.compile(r"[A-Za-z0-9]+(?:[_-][A-Za-z0-9]+)*")
_CONTEXT = 60

#: Why a finding matched, per entity type: known identifiers ...
_KNOWN_REASONS = {
    HANDLE: "a customer handle recorded at ingest (private/identifiers.json)",
    PERSON: "a customer's display name recorded at ingest, or a person's name found in a "
    "customer post",
    USER_ID: "a customer's platform user id recorded at ingest",
    POST_ID: "the id of a customer post (it opens the post and its author)",
    LOCAL_PATH: "a local path of the machine that built the report (home folder, working "
    "data, key file)",
}
#: ... and patterns.
_PATTERN_REASONS = {
    EMAIL_ADDRESS: "looks like an e-mail address (pattern)",
    PHONE_NUMBER: "looks like a phone number (pattern, valid for a region)",
    CREDIT_CARD: "looks like a payment card number (pattern, passes the Luhn check)",
    IBAN_CODE: "looks like an IBAN (pattern, valid checksum)",
}


# ------------------------------------------------------------------ data types
@dataclass
class Finding:
    """One suspected leak. `match` is masked, so printing a finding leaks nothing; `value` and
    `context` hold the raw text for the private findings file only (never in repr)."""

    file: str
    position: int | str
    entity_type: str
    match: str
    reason: str = ""
    value: str = field(default="", repr=False, compare=False)
    context: str = field(default="", repr=False, compare=False)

    def __str__(self) -> str:
        return f"{self.file}:{self.position}: {self.entity_type} {self.match}"


class GateError(RuntimeError):
    """A report folder contains personal data; the message lists the findings (masked)."""

    def __init__(self, message: str, findings: list[Finding] | None = None):
        super().__init__(message)
        self.findings = findings or []


@dataclass(frozen=True)
class Identifiers:
    """Normalised customer identifiers to search reports for.

    Attributes
    ----------
    terms : mapping of str to str
        Canonical text (lower case; names and handles with one space between their parts) ->
        entity type. A space matches any run of spaces and punctuation ("._'-"), or none.
    digits : mapping of str to str
        Digit strings (phones, with and without country code / trunk prefix; cards) -> type.
    handle_terms : mapping of str to str
        Handles that are also ordinary words ("users"): found only as "@users" / "u/users".
    cased_terms : mapping of str to str
        One-word names that are also words, or were found by the detector: found only
        capitalised ("Corbyn", "CORBYN"), as a name stands, not in lower-case labels.
    post_ids : frozenset of str
        Ids of customer posts: found as whole tokens (type POST_ID).
    known_ids : frozenset of str
        Every post id of the dataset (brand posts too): never reported as a card or phone.
    codes : mapping of str to str
        Id-like values found in customer posts (SSN, passport, sort code, licence, NINO,
        postcode, date of birth, ...), lower case without separators -> type: found whatever
        separators stand between their characters ("20-45-77", "20 45 77", "204577").
    """

    terms: Mapping[str, str] = field(default_factory=dict)
    digits: Mapping[str, str] = field(default_factory=dict)
    handle_terms: Mapping[str, str] = field(default_factory=dict)
    cased_terms: Mapping[str, str] = field(default_factory=dict)
    post_ids: frozenset[str] = frozenset()
    known_ids: frozenset[str] = frozenset()
    codes: Mapping[str, str] = field(default_factory=dict)

    def __len__(self) -> int:
        return (
            len(self.terms)
            + len(self.digits)
            + len(self.handle_terms)
            + len(self.cased_terms)
            + len(self.post_ids)
            + len(self.codes)
        )

    @classmethod
    def build(
        cls,
        *,
        handles: Iterable[str] = (),
        names: Iterable[str] = (),
        detected_names: Iterable[str] = (),
        user_ids: Iterable[str] = (),
        emails: Iterable[str] = (),
        phones: Iterable[str] = (),
        cards: Iterable[str] = (),
        addresses: Iterable[str] = (),
        other: Mapping[str, Iterable[str]] | None = None,
        post_ids: Iterable[str] = (),
        known_ids: Iterable[str] = (),
    ) -> Identifiers:
        """Normalise raw values, dropping those too short or too common to search for.

        Parameters
        ----------
        handles : iterable of str
            Customer handles, with or without '@' (kept if >= 4 characters; for Mastodon's
            user@instance the user part is kept too). One that is an ordinary word or a
            platform / service account is searched for only as a handle.
        names : iterable of str
            Display names (kept with >= 2 words, unless every word is a common word; a single
            word only if >= 6 letters and not a common first name). A title ("Dr", "Mrs") is
            also searched for without it.
        detected_names : iterable of str
            Person names the detector found in posts: as `names`, but a single word is only
            searched for capitalised.
        user_ids : iterable of str
            Platform user ids (numeric ones need >= 8 digits, others >= 6 characters).
        emails, phones, cards, addresses : iterable of str
            Contact and payment details (phones need >= 7 digits).
        other : mapping of str to iterable of str, optional
            Further detector types (e.g. US_SSN) -> values found in customer posts (kept with
            >= 6 characters; digit-only ones with >= 7 digits).
        post_ids : iterable of str
            Ids of customer posts (kept with >= 6 characters and a digit; digit-only ones with
            >= 10 digits).
        known_ids : iterable of str
            Every post id (brand posts too): never reported as a card or phone number.
        """
        terms: dict[str, str] = {}
        codes: dict[str, str] = {}
        digits: dict[str, str] = {}
        handle_terms: dict[str, str] = {}
        cased: dict[str, str] = {}
        for handle in handles:
            for term in _handle_terms(handle):
                if _wordlike(term):
                    handle_terms.setdefault(term, HANDLE)
                else:
                    terms.setdefault(term, HANDLE)
        for name, detected in [*((n, False) for n in names), *((n, True) for n in detected_names)]:
            for term in _name_terms(name):
                if " " not in term and (detected or _wordlike(term)):
                    cased.setdefault(term, PERSON)
                else:
                    terms.setdefault(term, PERSON)
        for user_id in user_ids:
            term = _canon(str(user_id))
            if len(term) >= (8 if term.isdigit() else 6):
                terms.setdefault(term, USER_ID)
        for email in emails:
            terms.setdefault(_collapse(email), EMAIL_ADDRESS)
        for address in addresses:
            term = _collapse(address).rstrip(".,;")
            if len(term) >= 8:
                terms.setdefault(term, STREET_ADDRESS)
            # its parts too: "19 folkestone road" and the postcode "ls6 2qa" of
            # "19 Folkestone Road, Leeds LS6 2QA"; a lone postcode ("M1 1AE") as a code
            for part in {term, *(p.strip() for p in term.split(","))}:
                tail = " ".join(part.split()[-2:])  # "leeds ls6 2qa" ends in a postcode
                for code in {part, tail}:
                    if len(code.split()) <= 2 and _code_key(code):
                        codes.setdefault(_code_key(code), STREET_ADDRESS)
                if len(part) >= 12 and _has_digit(part) and part != term:
                    terms.setdefault(part, STREET_ADDRESS)
        for entity_type, values in (other or {}).items():
            for value in values:
                term = _collapse(value).strip(".,;:")  # as written: "10.0.0.1" is no "10 0 0 1"
                key = _code_key(term) if entity_type not in ("IP_ADDRESS",) else None
                if key:  # an id: any separators, or none, between its characters
                    codes.setdefault(key, entity_type)
                    continue
                digit_only = term.replace(" ", "").isdigit()
                if len(term) >= 6 and not (digit_only and len(_digits(term)) < 7):
                    if not _all_common(term):
                        terms.setdefault(term, entity_type)
        for phone in phones:
            for key in _phone_keys(phone):
                digits.setdefault(key, PHONE_NUMBER)
        for card in cards:
            key = _digits(card)
            if len(key) >= 12:
                digits[key] = CREDIT_CARD
        ids = frozenset(str(i) for i in post_ids if _searchable_id(str(i)))
        known = frozenset(str(i) for i in known_ids if i is not None) | ids
        for post_id in known:  # a known id is not also a phone, card or code
            digits.pop(post_id, None)
            codes.pop(post_id.lower(), None)
        return cls(terms, digits, handle_terms, cased, ids, known, codes)


# ------------------------------------------------------------------ normalisation
def _collapse(text: str) -> str:
    return " ".join(text.lower().split())


def _canon(text: str) -> str:
    """Lower case, runs of spaces and name punctuation ("._'-") as one space."""
    return " ".join(t for t in _SEPARATORS.split(str(text).lower()) if t)


def _compact(text: str) -> str:
    """Lower case without spaces and name punctuation: the key a match is looked up by."""
    return _SEPARATORS.sub("", str(text).lower())


def _digits(text: str) -> str:
    return "".join(c for c in text if c.isdecimal() and c.isascii())


@functools.lru_cache(maxsize=1)
def english_words() -> frozenset[str]:
    """Ordinary English words (`toolkit/resources/english_words.txt`), plus the common words."""
    raw = resources.files("toolkit").joinpath("resources", "english_words.txt").read_text("utf-8")
    words = {w.strip() for w in raw.splitlines() if w.strip() and not w.startswith("#")}
    return frozenset(words) | common_words()


@functools.lru_cache(maxsize=1)
def _platform_words() -> frozenset[str]:
    return frozenset(default_public_accounts())


def _wordlike(term: str) -> bool:
    """A one-part term that is also an ordinary word, a platform or a service ("users",
    "twitter"), or a plural of one: searched for only as a handle or a capitalised name."""
    if " " in term or not term.isalpha():
        return False
    words = english_words()
    return (
        term in words
        or term in _platform_words()
        or (term.endswith("s") and term[:-1] in words)
        or (term.endswith("es") and term[:-2] in words)
    )


def _all_common(term: str) -> bool:
    words = common_words()
    return all(t in words for t in term.split())


def _handle_terms(handle: str) -> list[str]:
    handle = str(handle).strip().lstrip("@").lower()
    parts = [handle]
    if "@" in handle:
        parts.append(handle.split("@", 1)[0])
    words = common_words()
    terms = []
    for part in parts:
        term = _canon(part)
        if len(term.replace(" ", "")) >= _MIN_HANDLE and term not in terms:
            # a handle made of one common word ("happy") is only searched for as "@happy"
            terms.append(term)
    return [t for t in terms if t not in words or _wordlike(t)]


def _name_terms(name: str) -> list[str]:
    """Normalised display/person name (and the same without a leading title); none if too
    short or made of common words."""
    tokens = [_canon(t) for t in _NAME_TOKEN.findall(str(name))]
    tokens = [p for t in tokens for p in t.split() if p]
    found = []
    term = _name_term(tokens)
    if term:
        found.append(term)
    if len(tokens) >= 3 and tokens[0] in _TITLES:
        untitled = _name_term(tokens[1:])
        if untitled and untitled not in found:
            found.append(untitled)
    return found


def _name_term(tokens: list[str]) -> str | None:
    words = common_words()
    if len(tokens) >= 2:
        term = " ".join(tokens)
        all_common = all(t in words or t in _TITLES for t in tokens)
        if len(term) < 5 or (all_common and tokens[0].capitalize() not in first_names()):
            return None
        return term
    if len(tokens) == 1:
        token = tokens[0]
        # A lone first name ("Joseph") identifies nobody and is also a place, a brand, ...
        if (
            len(token) >= _MIN_SINGLE_NAME
            and token not in words
            and token.capitalize() not in first_names()
        ):
            return token
    return None


_CODE = re.compile(r"[a-z0-9]+(?:[ \-./][a-z0-9]+)*")


def _code_key(value: str) -> str | None:
    """The key of an id-like value ("219-09-9999", "ab 12 34 56 c", "m1 1ae", "14/03/1987"):
    its letters and digits, lower case; None for text that is not one id (words, or too
    short to search for)."""
    value = value.strip().lower()
    if not _CODE.fullmatch(value):
        return None
    key = re.sub(r"[^a-z0-9]", "", value)
    n_digits = sum(c.isdigit() for c in key)
    return key if len(key) >= 5 and n_digits >= 2 and n_digits >= len(key) // 3 else None


def _searchable_id(post_id: str) -> bool:
    if post_id.isdigit():
        return len(post_id) >= _MIN_NUMERIC_POST_ID
    return (
        len(post_id) >= _MIN_POST_ID
        and any(c.isdigit() for c in post_id)
        and _TOKEN.fullmatch(post_id) is not None
    )


def _phone_keys(phone: str) -> set[str]:
    """Digit strings under which a phone number may appear: as written, without trunk
    prefix, national number, and with the country code."""
    phone = str(phone)
    raw = _digits(phone)
    keys = {raw, raw.lstrip("0")}
    if len(raw) == 11 and raw.startswith("1"):
        keys.add(raw[1:])
    international = phone.strip().startswith("+") or raw.startswith("00")
    try:
        number = phonenumbers.parse("+" + raw.lstrip("0") if international else phone, "US")
    except phonenumbers.NumberParseException:
        number = None
    if number is not None and international:
        national = str(number.national_number)
        keys.update({national, str(number.country_code) + national})
    return {k for k in keys if len(k) >= _MIN_PHONE_DIGITS}


def _mask(value: str, entity_type: str) -> str:
    """Show only the first two characters of each part, e.g. 'da***@ex***'."""
    value = " ".join(value.split())
    if entity_type == EMAIL_ADDRESS and "@" in value:
        local, domain = value.split("@", 1)
        return f"{local[:2]}***@{domain[:2]}***"
    if entity_type == LOCAL_PATH:
        return value[:6] + "***"
    if entity_type in (PHONE_NUMBER, CREDIT_CARD, USER_ID, POST_ID):
        return value[:2] + "***"
    return " ".join(token[:2] + "***" for token in value.split()[:4])


# ------------------------------------------------------------------ identifiers
def collect_identifiers(
    posts: pd.DataFrame | None,
    identifiers_json: Path | str | None = None,
    detector: Detector | None = None,
) -> Identifiers:
    """The customer identifiers known from a dataset.

    Parameters
    ----------
    posts : DataFrame or None
        Canonical posts (needs ``text`` and ``is_brand``; ``post_id``, ``reply_to_id`` and
        ``thread_id`` are used when present). Personal data the detector finds in customer
        posts (every type but `GENERIC_TYPES`) is added, and the ids of customer posts.
    identifiers_json : path, optional
        Private file written by ingest: ``{"handles": [...], "names": [...], "user_ids":
        [...]}`` with raw customer handles, display names (``names`` or ``display_names``)
        and platform user ids. Skipped (with a log message) if missing.
    detector : Detector, optional
    """
    raw: dict[str, list] = {}
    if identifiers_json is not None:
        path = Path(identifiers_json)
        if path.is_file():
            raw = json.loads(path.read_text(encoding="utf-8"))
        else:
            log.info("no identifiers file at %s; using post texts only", path)
    found: dict[str, list[str]] = {}
    post_ids: list[str] = []
    known_ids: set[str] = set()
    if posts is not None and len(posts):
        detector = detector or default_detector()
        customer = ~posts["is_brand"].fillna(False).astype(bool)
        for text in posts.loc[customer, "text"].dropna():
            for span in detector.detect(text):
                if span.entity_type == PERSON and span.score < 0.6:
                    continue  # a NER model's guess ("Glow Strip"): would block every build
                if span.entity_type not in GENERIC_TYPES:
                    found.setdefault(span.entity_type, []).append(span.text)
            # A date is too generic to search reports for, but not a date of birth.
            for start, end, _ in _DATE_OF_BIRTH.analyze(text):
                found.setdefault(DATE_OF_BIRTH, []).append(text[start:end])
        if "post_id" in posts:
            post_ids = posts.loc[customer, "post_id"].dropna().astype(str).tolist()
        for column in ("post_id", "reply_to_id", "thread_id"):
            if column in posts:
                known_ids.update(posts[column].dropna().astype(str))
    main = {EMAIL_ADDRESS, PHONE_NUMBER, CREDIT_CARD, STREET_ADDRESS, PERSON}
    return Identifiers.build(
        handles=raw.get("handles") or (),
        names=[*(raw.get("names") or ()), *(raw.get("display_names") or ())],
        detected_names=found.get(PERSON, ()),
        user_ids=raw.get("user_ids") or (),
        emails=found.get(EMAIL_ADDRESS, ()),
        phones=found.get(PHONE_NUMBER, ()),
        cards=found.get(CREDIT_CARD, ()),
        addresses=found.get(STREET_ADDRESS, ()),
        other={t: v for t, v in found.items() if t not in main},
        post_ids=post_ids,
        known_ids=known_ids,
    )


# ------------------------------------------------------------------ matching
def _trie_regex(terms: Iterable[str], separator: str, digits: bool = False) -> str:
    """Regex source matching any of `terms` through a character trie, so scanning cost does
    not grow with the number of terms. In text terms a space matches `separator` (at least one
    character of it, or none between two letters: "emekaokafor"); in digit terms `separator`
    may appear between any two digits."""
    root: dict = {}
    if not digits:
        terms = (_BETWEEN_LETTERS.sub("\x00", t) for t in terms)
    for term in terms:
        node = root
        for ch in term:
            node = node.setdefault(ch, {})
        node[""] = {}
    return _node_regex(root, separator, digits, depth=0)


def _node_regex(node: dict, separator: str, digits: bool, depth: int) -> str:
    branches = []
    for ch in sorted(k for k in node if k):
        if digits:
            edge = (separator if depth else "") + re.escape(ch)
        elif ch == "\x00":
            edge = separator + "*"
        else:
            edge = separator + "+" if ch == " " else re.escape(ch)
        branches.append(edge + _node_regex(node[ch], separator, digits, depth + 1))
    if not branches:
        return ""
    body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    return f"(?:{body})?" if "" in node else body


class _Allowlist:
    """Values that may appear in reports: the brand's (and competitors') names, handles,
    emails and phone numbers, platform and service accounts, and whatever the user listed in
    `brand.allowlist` (words, names, handles, post ids) after checking a false alarm."""

    def __init__(self, entries: Iterable[str]):
        self.emails: set[str] = set()
        self.handles: set[str] = set()
        self.digits: set[str] = set()
        self.ids: set[str] = set()
        self.terms: set[str] = set()
        self.tokens: set[str] = set()
        self.compact: set[str] = set()
        for entry in entries:
            value = _collapse(str(entry))
            if not value:
                continue
            if re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", value):
                self.emails.add(value)
                self.compact.add(_compact(value))
            elif re.fullmatch(r"\+?[\d\s().\-/]+", value) and len(_digits(value)) >= 7:
                self.digits.update(_phone_keys(value))
                self.digits.add(_digits(value))
                self.ids.add(_digits(value))
            else:
                bare = value.lstrip("@")
                self.ids.add(bare)
                self.ids.add(str(entry).strip().lstrip("@"))
                term = _canon(bare)
                self.handles.add(term)
                self.terms.add(term)
                self.compact.add(_compact(term))
                self.tokens.update(term.split())

    def allows_term(self, term: str, entity_type: str) -> bool:
        compact = _compact(term)
        if compact in self.compact:
            return True
        if entity_type in (PERSON, HANDLE):
            words = common_words()
            tokens = term.split()
            return any(t in self.tokens for t in tokens) and all(
                t in self.tokens or t in words for t in tokens
            )
        return False

    def allows_value(self, value: str, entity_type: str) -> bool:
        if entity_type == EMAIL_ADDRESS:
            return _collapse(value) in self.emails
        if entity_type in (PHONE_NUMBER, CREDIT_CARD):
            return bool(_phone_keys(value) & self.digits) or _digits(value) in self.digits
        return False


@dataclass
class _Hit:
    offset: int
    end: int
    entity_type: str
    value: str
    reason: str


class _Scanner:
    """Finds identifiers and personal-data patterns in text chunks."""

    def __init__(
        self,
        identifiers: Identifiers,
        allowlist: _Allowlist,
        detector: Detector,
        local_paths: Iterable[str] = (),
    ):
        self.allowlist = allowlist
        self.detector = detector
        paths = sorted({str(p).rstrip("/") for p in local_paths if len(str(p).strip("/")) > 1},
                       key=len, reverse=True)  # fmt: skip
        self.paths_re = (
            re.compile("|".join(rf"(?<![\w.-]){re.escape(p)}(?![\w.-])" for p in paths))
            if paths
            else None
        )

        def keep(mapping: Mapping[str, str]) -> dict[str, str]:
            return {t: k for t, k in mapping.items() if not allowlist.allows_term(t, k)}

        self.terms = keep(identifiers.terms)
        self.compact = {_compact(t): k for t, k in self.terms.items()}
        self.handle_terms = keep(identifiers.handle_terms)
        self.cased_terms = keep(identifiers.cased_terms)
        self.digits = {
            k: kind for k, kind in identifiers.digits.items() if k not in allowlist.digits
        }
        self.post_ids = frozenset(identifiers.post_ids - allowlist.ids)
        self.codes = {k: t for k, t in identifiers.codes.items() if k not in allowlist.ids}
        self.codes_re = (
            re.compile(
                r"(?<![A-Za-z0-9])"
                + _trie_regex(self.codes, r"[ \-./]?", digits=True)
                + r"(?![A-Za-z0-9])",
                re.IGNORECASE,
            )
            if self.codes
            else None
        )
        self.known_ids = identifiers.known_ids
        boundary_before, boundary_after = r"(?<![^\W_])", r"(?![^\W_])"
        self.terms_re = (
            re.compile(
                boundary_before + _trie_regex(self.terms, _FLEX_SEPARATOR) + boundary_after,
                re.IGNORECASE,
            )
            if self.terms
            else None
        )
        self.handles_re = (
            re.compile(
                r"(?:(?<![\w.+-])[@\uff20]|(?<![\w/])/?u/)"
                + _trie_regex(self.handle_terms, _FLEX_SEPARATOR)
                + r"(?![A-Za-z0-9_])",
                re.IGNORECASE,
            )
            if self.handle_terms
            else None
        )
        cased = {form for t in self.cased_terms for form in (t.capitalize(), t.upper())}
        self.cased_re = (
            re.compile(boundary_before + _trie_regex(cased, " ") + boundary_after)
            if cased
            else None
        )
        self.digits_re = (
            re.compile(
                r"(?=[+\d])(?<!\d)(?:\+?\d{1,3}"
                + _PHONE_SEPARATOR
                + ")?"
                + _trie_regex(self.digits, _PHONE_SEPARATOR, digits=True)
                + r"(?!\d)"
            )
            if self.digits
            else None
        )

    def scan(self, text: str) -> Iterator[_Hit]:
        """Each hit in `text`: known identifiers first, then patterns."""
        if self.paths_re is not None and "/" in text:
            for m in self.paths_re.finditer(text):
                yield _Hit(m.start(), m.end(), LOCAL_PATH, m.group(), _reason(LOCAL_PATH))
        if self.terms_re is not None:
            for m in self.terms_re.finditer(text):
                kind = self.compact.get(_compact(m.group()), PERSON)
                yield _Hit(m.start(), m.end(), kind, m.group(), _reason(kind))
        if self.handles_re is not None and ("@" in text or "u/" in text or "\uff20" in text):
            for m in self.handles_re.finditer(text):
                yield _Hit(
                    m.start(), m.end(), HANDLE, m.group(), _reason(HANDLE) + ", written as a handle"
                )
        if self.cased_re is not None:
            for m in self.cased_re.finditer(text):
                yield _Hit(
                    m.start(),
                    m.end(),
                    PERSON,
                    m.group(),
                    _reason(PERSON) + ", capitalised as a name",
                )
        has_digit = _has_digit(text)
        if self.codes_re is not None and has_digit:
            for m in self.codes_re.finditer(text):
                kind = self.codes.get(re.sub(r"[^a-z0-9]", "", m.group().lower()))
                if kind:
                    yield _Hit(m.start(), m.end(), kind, m.group(), _reason(kind))
        if self.post_ids and has_digit:
            for m in _TOKEN.finditer(text):
                if m.group() in self.post_ids:
                    yield _Hit(m.start(), m.end(), POST_ID, m.group(), _reason(POST_ID))
        if self.digits_re is not None and has_digit:
            for m in self.digits_re.finditer(text):
                matched = m.group()
                # A bare 7-9 digit number is more likely a count in a table than a phone.
                if matched.isdigit() and len(matched) < _MIN_BARE_PHONE_DIGITS:
                    continue
                if _digits(matched) in self.known_ids:
                    continue
                kind = self._digit_type(matched)
                yield _Hit(m.start(), m.end(), kind, matched, _reason(kind))
        for span in self.detector.detect(text, PATTERN_TYPES):
            if self.allowlist.allows_value(span.text, span.entity_type):
                continue
            if span.entity_type in (CREDIT_CARD, PHONE_NUMBER) and (
                _digits(span.text) in self.known_ids or _digits(span.text) in self.allowlist.ids
            ):
                continue  # a post id (passing Luhn by chance) is no card
            yield _Hit(
                span.start,
                span.end,
                span.entity_type,
                span.text,
                _PATTERN_REASONS.get(span.entity_type, "pattern") + ", not on brand.allowlist",
            )

    def _digit_type(self, matched: str) -> str:
        digits = _digits(matched)
        for i in range(4):
            if digits[i:] in self.digits:
                return self.digits[digits[i:]]
        return PHONE_NUMBER


def _reason(entity_type: str) -> str:
    known = _KNOWN_REASONS.get(entity_type)
    if known:
        return known
    what = entity_type.replace("_", " ").lower()
    return f"a {what} found in a customer post (known identifier)"


_has_digit = re.compile(r"\d").search


# ------------------------------------------------------------------ constant text
@dataclass(frozen=True)
class _Constant:
    """Text the toolkit itself ships (notebook cells, page template): never customer data."""

    sources: frozenset[str] = frozenset()
    corpus: str = ""

    def holds(self, text: str) -> bool:
        """True for a fragment of shipped prose long enough to mean something (>= 20 chars)."""
        collapsed = _collapse(text)
        return len(collapsed) >= 20 and collapsed in self.corpus


@functools.lru_cache(maxsize=4)
def shipped_text(notebooks_dir: Path | None = None) -> _Constant:
    """The cells of the toolkit's notebooks and the text of the page template."""
    from toolkit.core.paths import NOTEBOOKS_DIR

    folder = Path(notebooks_dir) if notebooks_dir else NOTEBOOKS_DIR
    sources: set[str] = set()
    prose: list[str] = []
    for path in sorted(folder.glob("*.ipynb")):
        try:
            cells = json.loads(path.read_text(encoding="utf-8")).get("cells", [])
        except (OSError, json.JSONDecodeError):
            continue
        for cell in cells:
            source = cell.get("source", "")
            source = "".join(source) if isinstance(source, list) else str(source)
            if source.strip():
                sources.add(source.strip())
                if cell.get("cell_type") == "markdown":
                    prose.append(source)
    try:
        template = resources.files("toolkit").joinpath("resources", "report.html.j2").read_text()
        prose.append(re.sub(r"\{[{%#].*?[}%#]\}|<[^>]*>", " ", template, flags=re.S))
    except OSError:
        pass
    # Markdown markup is not in the rendered text: "*jane dot doe*" is shown as "jane dot doe".
    corpus = _collapse(re.sub(r"[*_`#>|]+", " ", "\n".join(prose)))
    raw = _collapse("\n".join(prose))
    return _Constant(frozenset(sources), corpus + "\n" + raw)


# ------------------------------------------------------------------ reading artifacts
@dataclass
class _Chunk:
    """Text to scan and a function giving a human-readable position for an offset in it."""

    text: str
    locate: Callable[[str, int], str]


def _line_col(text: str, offset: int) -> str:
    line = text.count("\n", 0, offset) + 1
    col = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return f"{line}:{col}"


class _Pieces:
    """Text gathered from pieces (cells, strings, text nodes), each with where it came from."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.starts: list[int] = []
        self.where: list[Callable[[str], str]] = []
        self.cursor = 0

    def add(self, text: str, where: str | Callable[[str], str]) -> None:
        if not text:
            return
        self.starts.append(self.cursor)
        self.parts.append(text)
        self.where.append(where if callable(where) else (lambda inner, w=where: w))
        self.cursor += len(text) + 1

    def chunk(self) -> _Chunk:
        joined = "\n".join(self.parts)
        starts, parts, where = self.starts, self.parts, self.where

        def locate(variant: str, offset: int) -> str:
            if not parts:
                return "/"
            i = max(0, bisect.bisect_right(starts, min(offset, len(joined))) - 1)
            inner = parts[i][: max(0, offset - starts[i])] if variant is joined else ""
            return where[i](inner)

        return _Chunk(joined, locate)


def _text_chunks(text: str, where: str | None = None) -> Iterator[_Chunk]:
    """A text (positions as line:col, or `where`) plus the payloads embedded in it."""
    main, payloads = _strip_payloads(text, where or "embedded")
    if where is None:
        yield _Chunk(main, _line_col)
    else:
        yield _Chunk(main, lambda variant, offset: where)
    yield from payloads


def _strip_payloads(text: str, where: str) -> tuple[str, list[_Chunk]]:
    """Blank data URIs, long base64 runs and SVG geometry (same length, so offsets hold) and
    return the chunks decoded from the payloads: PNG metadata, embedded SVG / text."""
    payloads: list[tuple[str, bytes]] = []

    def take_data_uri(m: re.Match[str]) -> str:
        payloads.append((m.group("mime"), _b64decode(m.group("data"))))
        return _blank(m.group())

    def take_base64(m: re.Match[str]) -> str:
        run = m.group()
        # Random base64 mixes cases and digits; long words, paths and hex do not.
        if not (re.search(r"[a-z]", run) and re.search(r"[A-Z]", run) and _has_digit(run)):
            return run
        decoded = _b64decode(run)
        if not decoded:
            return run
        payloads.append(("application/octet-stream", decoded))
        return _blank(run)

    if "cell-id=" in text:
        text = _CELL_ID_ATTR.sub(lambda m: _blank(m.group()), text)
    if "data:" in text:
        text = _DATA_URI.sub(take_data_uri, text)
    if "<path" in text or "<svg" in text or "<polyline" in text:
        text = _SVG_GEOMETRY.sub(lambda m: _blank(m.group()), text)
    if len(text) >= 200:
        text = _BASE64_RUN.sub(take_base64, text)
    chunks = [c for mime, data in payloads for c in _payload_chunks(mime, data, where)]
    return text, chunks


def _blank(removed: str) -> str:
    """Same-length filler: one long word, so the scanners skip it in one step (spaces would
    offer a word start at every position)."""
    if len(removed) < 3:
        return " " * len(removed)
    return " " + "x" * (len(removed) - 2) + " "


def _b64decode(data: str) -> bytes:
    try:
        return base64.b64decode(data + "=" * (-len(data) % 4), validate=True)
    except (binascii.Error, ValueError):
        return b""


def _payload_chunks(mime: str, data: bytes, where: str) -> Iterator[_Chunk]:
    if data.startswith(_PNG_SIGNATURE):
        for label, text in _png_text(data):
            yield _Chunk(text, lambda variant, offset, label=label: f"{where} {label}")
    elif mime in ("image/svg+xml", "text/html"):
        decoded = data.decode("utf-8", errors="replace")
        yield from _html_chunks(decoded, shipped_text(), f"{where} ({mime})")
    elif (
        mime.startswith("text/")
        or mime == "application/json"
        or (mime == "application/octet-stream" and _looks_textual(data))
    ):
        decoded = data.decode("utf-8", errors="replace")
        yield from _text_chunks(decoded, f"{where} ({mime})")


def _looks_textual(data: bytes) -> bool:
    head = data[:4096]
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(head) - 3:  # not just a character cut at the 4 KiB boundary
            return False
        text = head[: exc.start].decode("utf-8")
    return sum(c.isprintable() or c in "\n\r\t" for c in text) >= 0.95 * max(len(text), 1)


def _png_text(data: bytes) -> Iterator[tuple[str, str]]:
    """(label, text) for each tEXt / zTXt / iTXt / eXIf chunk of a PNG; pixels are skipped."""
    pos = len(_PNG_SIGNATURE)
    while pos + 8 <= len(data):
        length, kind = struct.unpack(">I4s", data[pos : pos + 8])
        body = data[pos + 8 : pos + 8 + length]
        pos += 12 + length
        if kind == b"IEND":
            break
        try:
            text = _png_chunk_text(kind, body)
        except (zlib.error, ValueError, IndexError):
            text = body.decode("latin-1")
        if text is not None:
            yield f"png:{kind.decode('latin-1')}", text


def _png_chunk_text(kind: bytes, body: bytes) -> str | None:
    if kind == b"tEXt":
        return body.replace(b"\0", b"\n").decode("latin-1")
    if kind == b"zTXt":
        keyword, _, rest = body.partition(b"\0")
        return keyword.decode("latin-1") + "\n" + _inflate(rest[1:]).decode("latin-1")
    if kind == b"iTXt":
        keyword, _, rest = body.partition(b"\0")
        compressed, rest = rest[0], rest[2:]
        language, _, rest = rest.partition(b"\0")
        translated, _, text = rest.partition(b"\0")
        if compressed:
            text = _inflate(text)
        parts = (keyword, language, translated, text)
        return "\n".join(p.decode("utf-8", errors="replace") for p in parts)
    if kind == b"eXIf":
        return body.decode("latin-1")
    return None


def _jpeg_text(data: bytes) -> Iterator[tuple[str, str]]:
    """(label, text) for each metadata segment of a JPEG (EXIF/XMP in APPn, comments in COM);
    scanning stops at the image data."""
    pos = 2 if data.startswith(b"\xff\xd8") else len(data)
    while pos + 4 <= len(data) and data[pos] == 0xFF:
        marker = data[pos + 1]
        if marker == 0xDA:  # start of scan: pixels follow
            break
        length = struct.unpack(">H", data[pos + 2 : pos + 4])[0]
        body = data[pos + 4 : pos + 2 + length]
        if 0xE0 <= marker <= 0xEF or marker == 0xFE:
            yield (
                f"jpeg:{'COM' if marker == 0xFE else f'APP{marker - 0xE0}'}",
                body.decode("latin-1"),
            )
        pos += 2 + length


def _inflate(data: bytes) -> bytes:
    inflater = zlib.decompressobj()
    return inflater.decompress(data, _MAX_INFLATE)


#: Attributes that hold layout, geometry or styling, never content.
_LAYOUT_ATTRS = frozenset(
    "class style id d points transform viewbox width height x y x1 x2 y1 y2 cx cy r rx ry dx dy "
    "fill stroke stroke-width stroke-linecap stroke-linejoin stroke-dasharray stroke-miterlimit "
    "stroke-opacity fill-opacity opacity clip-path font-size font-family font-weight font-style "
    "text-anchor dominant-baseline xmlns xmlns:xlink version preserveaspectratio rel type lang "
    "dir role charset tabindex colspan rowspan border cellpadding cellspacing align valign "
    "xml:space http-equiv data-jp-theme-light data-jp-theme-name crossorigin integrity media "
    "sizes loading decoding target method".split()
)
_VOID_TAGS = frozenset(
    "area base br col embed hr img input link meta param source track wbr".split()
)
#: Classes of the elements that hold a notebook's markdown cell in nbconvert's HTML.
_MARKDOWN_CELL_CLASSES = ("jp-MarkdownCell", "text_cell_render")
_JS_STRING = re.compile(r""""((?:[^"\\\n]|\\.){3,})"|'((?:[^'\\\n]|\\.){3,})'""")


class _HTMLContent(HTMLParser):
    """The content of an HTML / SVG page: text nodes, attribute values (alt, title, href, data-*,
    meta content, ...), comments, JSON data blocks and the string literals of scripts; not the
    CSS, not the page's geometry, and not the toolkit's own prose (`shipped_text`) where it
    stands in a markdown cell of a notebook page (the same words in a table are read)."""

    def __init__(self, constant: _Constant):
        super().__init__(convert_charrefs=True)
        self.constant = constant
        self.pieces = _Pieces()
        self.json_blocks: list[tuple[str, str]] = []  # (text, "line N")
        self._raw: str | None = None  # "style", "script" or "json" while inside one
        self._raw_tag = ""
        self._raw_parts: list[str] = []
        self._raw_line = 0
        self._open: list[tuple[str, bool]] = []  # (tag, opens a markdown cell)
        self._markdown = 0  # markdown cells we are inside

    def _where(self, line: int, col: int) -> Callable[[str], str]:
        def where(inner: str) -> str:
            newlines = inner.count("\n")
            if newlines:
                return f"{line + newlines}:{len(inner) - inner.rfind(chr(10))}"
            return f"{line}:{col + len(inner) + 1}"

        return where

    def _add(self, text: str) -> None:
        line, col = self.getpos()
        self.pieces.add(text, self._where(line, col))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        # Text nodes and attributes are joined with newlines, which names may span
        # ("<b>Dana</b> Whitfield"), so no tag needs to be told apart.
        tag = tag.lower()
        for name, value in attrs:
            if value and name.lower() not in _LAYOUT_ATTRS:
                self._add(value)
        if tag not in _VOID_TAGS and tag not in ("style", "script"):
            classes = dict(attrs).get("class") or ""
            markdown = any(c in classes for c in _MARKDOWN_CELL_CLASSES)
            self._open.append((tag, markdown))
            self._markdown += markdown
        if tag in ("style", "script"):
            kind = dict(attrs).get("type") or ""
            self._raw = "json" if (tag == "script" and "json" in kind.lower()) else tag
            self._raw_tag = tag
            self._raw_parts = []
            self._raw_line = self.getpos()[0]

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag.lower() in ("style", "script"):
            return
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if self._raw is None and any(t == tag.lower() for t, _ in self._open):
            while self._open:  # close up to the matching tag (HTML may omit end tags)
                opened, markdown = self._open.pop()
                self._markdown -= markdown
                if opened == tag.lower():
                    break
        if self._raw is not None and tag.lower() == self._raw_tag:
            text = "".join(self._raw_parts)
            if self._raw == "json":
                self.json_blocks.append((text, f"line {self._raw_line} <script>"))
            elif self._raw == "script":
                line = self._raw_line
                for m in _JS_STRING.finditer(text):
                    at = line + text.count("\n", 0, m.start())
                    self.pieces.add(_js_string(m.group(1) or m.group(2)), f"{at} <script> string")
            self._raw = None
            self._raw_parts = []

    def handle_data(self, data: str) -> None:
        if self._raw is not None:
            self._raw_parts.append(data)
            return
        if data.strip() and not (self._markdown and self.constant.holds(data)):
            self._add(data)

    def handle_comment(self, data: str) -> None:
        if self._raw is None and data.strip():
            self._add(data)


def _js_string(literal: str) -> str:
    """A JavaScript string literal's value ("\\u0410" -> "А"); as written if it is not JSON-like."""
    if "\\" not in literal:
        return literal
    try:
        return json.loads('"' + literal.replace("\\'", "'") + '"')
    except json.JSONDecodeError:
        return literal


def _html_chunks(text: str, constant: _Constant, where: str | None = None) -> Iterator[_Chunk]:
    """The content of an HTML or SVG document (see `_HTMLContent`), plus its embedded payloads."""
    parser = _HTMLContent(constant)
    try:
        parser.feed(text)
        parser.close()
    except (AssertionError, ValueError) as exc:  # malformed markup: read it as plain text
        log.warning("could not parse %s as HTML (%s); scanning it as text", where or "page", exc)
        yield from _text_chunks(text, where)
        return
    chunk = parser.pieces.chunk()
    main, payloads = _strip_payloads(chunk.text, where or "embedded")
    if where is None:
        yield _Chunk(main, chunk.locate)
    else:
        yield _Chunk(main, lambda variant, offset: f"{where} {chunk.locate(variant, offset)}")
    yield from payloads
    for block, line in parser.json_blocks:
        label = f"{where} {line}" if where else line
        try:
            document = json.loads(block)
        except json.JSONDecodeError:
            yield from _text_chunks(block, label)
            continue
        for inner in _json_chunks(document, constant):
            yield _Chunk(
                inner.text, lambda v, o, inner=inner, label=label: f"{label} {inner.locate(v, o)}"
            )


def _csv_chunks(text: str, delimiter: str) -> Iterator[_Chunk]:
    """Every cell of a CSV / TSV table, each located as "line L, column C (header)"."""
    pieces = _Pieces()
    rows = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header: list[str] = []
    line = 1
    try:
        for index, row in enumerate(rows):
            if index == 0:
                header = row
            for col, cell in enumerate(row):
                name = header[col] if col < len(header) and index else ""
                label = f"line {line}, column {col + 1}" + (f" ({name})" if name else "")
                pieces.add(cell, label)
            line = rows.line_num + 1
    except csv.Error as exc:
        log.warning("unreadable CSV (%s); scanning it as text", exc)
        yield from _text_chunks(text)
        return
    chunk = pieces.chunk()
    main, payloads = _strip_payloads(chunk.text, "cell")
    yield _Chunk(main, chunk.locate)
    yield from payloads


def _json_chunks(document: object, constant: _Constant | None = None) -> Iterator[_Chunk]:
    """All strings (keys included) of a JSON document, positions given as JSON paths; image
    payloads are decoded and only their metadata scanned, HTML outputs read as pages, and a
    notebook cell as shipped with the toolkit skipped."""
    constant = constant or _Constant()
    pieces = _Pieces()
    extra: list[_Chunk] = []

    def walk(node: object, path: str, key: str = "") -> None:
        if isinstance(node, dict):
            for k, v in node.items():
                pieces.add(str(k), path or "/")
                walk(v, f"{path}/{k}", str(k))
        elif isinstance(node, list):
            if node and all(isinstance(v, str) for v in node):
                walk("".join(node), path, key)  # nbformat stores multi-line text as lists
            else:
                for i, v in enumerate(node):
                    walk(v, f"{path}/{i}", key)
        elif isinstance(node, str):
            where = path or "/"
            if key == "id" and path.startswith("/cells/") and _CELL_ID.fullmatch(node):
                return  # a notebook cell id
            if key == "source" and path.startswith("/cells/") and node.strip() in constant.sources:
                return  # the notebook's own text, as shipped
            if key in _IMAGE_KEYS:
                extra.extend(_payload_chunks(key, _b64decode("".join(node.split())), where))
                return
            if key in ("text/html", "image/svg+xml"):
                for inner in _html_chunks(node, constant, where):
                    extra.append(inner)
                return
            main, payloads = _strip_payloads(node, where)
            pieces.add(main, where)
            extra.extend(payloads)
        elif isinstance(node, int | float) and not isinstance(node, bool):
            pieces.add(str(node), path or "/")  # a phone number may be stored as a number

    walk(document, "")
    yield pieces.chunk()
    yield from extra


def _file_chunks(path: Path, constant: _Constant) -> Iterator[_Chunk]:
    suffix = path.suffix.lower()
    data = path.read_bytes()
    if suffix in PNG_SUFFIXES:
        for label, text in _png_text(data):
            yield _Chunk(text, lambda variant, offset, label=label: label)
        return
    if suffix in JPEG_SUFFIXES:
        for label, text in _jpeg_text(data):
            yield _Chunk(text, lambda variant, offset, label=label: label)
        return
    text = _decode(data)
    if suffix in JSON_SUFFIXES:
        try:
            document = json.loads(text)
        except json.JSONDecodeError:
            log.warning("%s is not valid JSON; scanning it as text", path)
        else:
            yield from _json_chunks(document, constant)
            return
    if suffix in HTML_SUFFIXES:
        yield from _html_chunks(text, constant)
    elif suffix in CSV_SUFFIXES:
        yield from _csv_chunks(text, "\t" if suffix == ".tsv" else ",")
    elif suffix == ".css":
        yield from _text_chunks(_CSS_AT_RULE.sub(lambda m: _blank(m.group()), text))
    else:
        yield from _text_chunks(text)


def _decode(data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace")
    return data.decode("utf-8-sig", errors="replace")


def _variants(text: str) -> list[str]:
    """The text as stored, HTML-unescaped and percent-decoded (each only if different)."""
    variants = [text]
    if "&" in text and _ENTITY.search(text):
        variants.append(html.unescape(text))
    if "%" in text and _PERCENT.search(variants[-1]):
        variants.append(unquote(variants[-1]))
    return variants


def _context(text: str, start: int, end: int) -> str:
    """The words around a hit, the hit between [[ ]] (for the private findings file)."""
    before = " ".join(text[max(0, start - _CONTEXT) : start].split())
    after = " ".join(text[end : end + _CONTEXT].split())
    return f"{before} [[{' '.join(text[start:end].split())}]] {after}".strip()


# ------------------------------------------------------------------ public API
def scan_dir(
    report_dir: Path | str,
    identifiers: Identifiers,
    brand_allowlist: Iterable[str] = (),
    detector: Detector | None = None,
    shipped: _Constant | None = None,
    local_paths: Iterable[str] = (),
) -> list[Finding]:
    """Every suspected leak of customer personal data in a report folder.

    Parameters
    ----------
    report_dir : path
        Folder scanned recursively (except a vendored library file, e.g. assets/plotly.min.js,
        while it is byte-identical to the installed library's copy):
        .html/.htm/.svg as pages (content, not CSS or scripts),
        .csv/.tsv cell by cell, .json/.ipynb as JSON (all strings, outputs and metadata),
        .md/.txt/.xml/.yaml/.tex/.js/.css/.jsonl/... as text, .png text chunks and .jpg
        metadata segments; embedded base64 images are decoded and only their metadata
        scanned. Data files the gate cannot read (.parquet, .xlsx, .zip, .pkl, .pdf, ...) are
        findings of their own (UNSCANNABLE_DATA); other files (fonts, .gif, ...) are skipped
        and logged.
    identifiers : Identifiers
        From `collect_identifiers`.
    brand_allowlist : iterable of str
        Values allowed in reports: brand (and competitor) handles and names, brand emails and
        phone numbers, and words, handles or post ids checked to be false alarms. Identifier
        terms made only of these words and common words are ignored. Platform and service
        accounts (`toolkit.privacy.pseudonymise.default_public_accounts`) are always allowed.
    detector : Detector, optional
    shipped : optional
        Text the toolkit ships (`shipped_text()`, the default): skipped in pages and notebooks.
    local_paths : iterable of str, optional
        Absolute paths of the building machine (home folder, project, working data, key file,
        `report.local_paths`): any occurrence is a finding (LOCAL_PATH).

    Returns
    -------
    list of Finding, in file order; each (file, position, type, value) once.
    """
    report_dir = Path(report_dir)
    if not report_dir.is_dir():
        raise FileNotFoundError(f"report folder not found: {report_dir}")
    allowlist = _Allowlist([*brand_allowlist, *default_public_accounts()])
    scanner = _Scanner(identifiers, allowlist, detector or _report_detector(), local_paths)
    constant = shipped if shipped is not None else shipped_text()
    findings: list[Finding] = []
    vendored = _vendored_assets()
    for path in sorted(p for p in report_dir.rglob("*") if p.is_file()):
        suffix = path.suffix.lower()
        name = path.relative_to(report_dir).as_posix()
        if name in vendored and _same_bytes(path, vendored[name]):
            log.info("gate: not scanning %s (identical to the vendored %s)", name, vendored[name])
        elif suffix in DATA_SUFFIXES:
            findings.append(
                Finding(name, 0, UNSCANNABLE, f"{suffix} file", "the gate cannot read this format")
            )
        elif suffix in TEXT_SUFFIXES | JSON_SUFFIXES | PNG_SUFFIXES | JPEG_SUFFIXES:
            findings.extend(_scan_file(path, name, scanner, constant))
        else:
            log.info("gate: not scanning %s (not a text artifact)", path)
    return findings


def _vendored_assets() -> dict[str, Path]:
    """Third-party files a report ships unchanged (`toolkit.report.site.vendored_assets`): skipped only
    while byte-identical to the installed library's file, so they hold no report data."""
    from toolkit.report import site

    try:
        return site.vendored_assets()
    except (FileNotFoundError, ModuleNotFoundError):  # no such library: nothing is skipped
        return {}


def _same_bytes(path: Path, source: Path) -> bool:
    try:
        if path.stat().st_size != source.stat().st_size:
            return False
        return path.read_bytes() == source.read_bytes()
    except OSError:
        return False


def _report_detector() -> Detector:
    """Detector for report artifacts: big texts, so a large phone budget; obfuscated emails
    are skipped (any that came from posts are known identifiers already)."""
    return Detector(phone_budget=100_000, obfuscated_emails=False)


def _scan_file(path: Path, name: str, scanner: _Scanner, constant: _Constant) -> list[Finding]:
    findings: list[Finding] = []
    seen: set[tuple[str, str, str]] = set()
    for chunk in _file_chunks(path, constant):
        for variant in _variants(chunk.text):
            for hit in scanner.scan(variant):
                position = chunk.locate(variant, hit.offset)
                line = position.split(":", 1)[0] if position[:1].isdigit() else position
                key = (line, hit.entity_type, _canon(hit.value))
                if key in seen:
                    continue
                seen.add(key)
                findings.append(
                    Finding(
                        name,
                        position,
                        hit.entity_type,
                        _mask(hit.value, hit.entity_type),
                        hit.reason,
                        hit.value,
                        _context(variant, hit.offset, hit.end),
                    )
                )
    return findings


def check(
    report_dir: Path | str,
    identifiers: Identifiers,
    brand_allowlist: Iterable[str] = (),
    detector: Detector | None = None,
) -> None:
    """Raise GateError listing the findings (masked, at most 50 lines) if `scan_dir` finds any.

    Parameters are those of `scan_dir`; the error's ``findings`` hold them all.
    """
    findings = scan_dir(report_dir, identifiers, brand_allowlist, detector)
    if findings:
        raise GateError(summary_message(findings, report_dir), findings)


def summary_message(findings: list[Finding], where: Path | str) -> str:
    """The first lines of a gate failure: the count, then one masked line per finding."""
    lines = [str(f) for f in findings[:MAX_MESSAGE_LINES]]
    if len(findings) > MAX_MESSAGE_LINES:
        lines.append(f"... and {len(findings) - MAX_MESSAGE_LINES} more")
    return (
        f"privacy gate: {len(findings)} possible personal-data leak(s) in {where}:\n"
        + "\n".join(lines)
    )


ALLOWLIST_HELP = (
    "If a hit is a false alarm (an ordinary word, a public or organisation account, a brand "
    "post id, a brand contact), add it to `brand.allowlist` in {config} and run again; "
    "if it is personal data, fix the notebook or table that published it."
)


def write_findings(findings: list[Finding], path: Path | str, report_dir: str = "") -> Path:
    """Write every finding with its context and reason to a private file (0600).

    The file shows the values (it is private, next to the blocked build), so a false alarm
    can be told from a leak without patching the tool.
    """
    from toolkit.core.private_files import FILE_MODE, private_umask

    path = Path(path)
    lines = [
        f"privacy gate: {len(findings)} possible personal-data leak(s)"
        + (f" in {report_dir}" if report_dir else ""),
        "Private file: it shows each hit (between [[ ]]) with the words around it, and why it",
        "matched. " + ALLOWLIST_HELP.format(config="the config"),
        "",
    ]
    for f in findings:
        lines.append(f"{f.file}:{f.position}: {f.entity_type} {f.value or f.match}")
        lines.append(f"    why: {f.reason or 'matched'}")
        if f.context:
            lines.append(f"    context: {f.context}")
        lines.append("")
    with private_umask():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("\n".join(lines), encoding="utf-8")
    path.chmod(FILE_MODE)
    return path


def keep_blocked(
    report_dir: Path | str,
    findings: list[Finding],
    private_dir: Path | str,
    keep: int = KEEP_BLOCKED,
) -> Path:
    """Move a blocked build into `private_dir/blocked/<UTC time>/report` (folders 0700, files
    0600) with `findings.txt` beside it; keep the newest `keep` blocked builds.

    Returns the folder holding ``report/`` and ``findings.txt``.
    """
    from toolkit.core.private_files import make_private, private_umask

    root = make_private(Path(private_dir) / "blocked")
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%fZ")
    dest = root / stamp
    with private_umask():
        dest.mkdir(parents=True)
        shutil.move(str(report_dir), str(dest / "report"))
    write_findings(findings, dest / FINDINGS_FILE, str(report_dir))
    make_private(dest)
    for old in sorted(p for p in root.iterdir() if p.is_dir())[:-keep]:
        shutil.rmtree(old, ignore_errors=True)
    return dest


def blocked_message(findings: list[Finding], kept: Path, config: Path | str | None) -> str:
    """The message of a report the gate stopped: masked findings, where the build is kept,
    where the findings file is, and how to allowlist a false alarm."""
    return (
        summary_message(findings, "the report")
        + f"\nThe blocked build is kept (private, 0700) in {kept / 'report'}; every hit with the "
        f"words around it and why it matched: {kept / FINDINGS_FILE}\n"
        + ALLOWLIST_HELP.format(config=config or "the config")
    )
