"""The report privacy gate: no customer's personal data may leave in a published artifact.

`collect_identifiers` gathers what identifies customers in a dataset (raw handles and display
names from the private identifiers file written at ingest, plus the emails, phones, cards,
addresses and names found in customer posts). `scan_dir` then reads every text artifact of a
report folder, including notebook metadata, HTML-escaped text, SVG text and PNG text chunks,
and reports each known identifier it finds plus any email / phone / card number that is not on
the brand's allowlist. `check` turns findings into a `GateError`.
"""

from __future__ import annotations

import base64
import binascii
import bisect
import html
import json
import logging
import re
import struct
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote

import pandas as pd
import phonenumbers

from toolkit.privacy import (
    CREDIT_CARD,
    EMAIL_ADDRESS,
    HANDLE,
    IBAN_CODE,
    PERSON,
    PHONE_NUMBER,
    STREET_ADDRESS,
    Detector,
    common_words,
    default_detector,
    first_names,
)

log = logging.getLogger(__name__)

USER_ID = "USER_ID"
#: Detector types whose values in customer posts become identifiers.
POST_IDENTIFIER_TYPES = (EMAIL_ADDRESS, PHONE_NUMBER, CREDIT_CARD, STREET_ADDRESS, PERSON)
#: Detector types flagged wherever they appear (unless allowlisted).
PATTERN_TYPES = (EMAIL_ADDRESS, PHONE_NUMBER, CREDIT_CARD, IBAN_CODE)
TEXT_SUFFIXES = frozenset(
    {".html", ".htm", ".csv", ".tsv", ".txt", ".md", ".svg", ".xml", ".yaml", ".yml", ".tex",
     ".js", ".mjs", ".css", ".log", ".jsonl", ".ndjson", ".rst", ".py", ".r", ".sql", ".ini",
     ".cfg", ".toml", ".rtf"}
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

_MIN_HANDLE = 4
_MIN_SINGLE_NAME = 6
_MIN_PHONE_DIGITS = 7
_MIN_BARE_PHONE_DIGITS = 10
_PHONE_SEPARATOR = r"[ \t\-./()]{0,3}"
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
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_IMAGE_KEYS = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp", "image/bmp"})
_MAX_INFLATE = 16 * 1024 * 1024


# ------------------------------------------------------------------ data types
@dataclass
class Finding:
    """One suspected leak; `match` is masked so the gate's own output does not leak."""

    file: str
    position: int | str
    entity_type: str
    match: str

    def __str__(self) -> str:
        return f"{self.file}:{self.position}: {self.entity_type} {self.match}"


class GateError(RuntimeError):
    """A report folder contains personal data; the message lists the findings."""


@dataclass(frozen=True)
class Identifiers:
    """Normalised customer identifiers to search reports for.

    Attributes
    ----------
    terms : mapping of str to str
        Lower-case text (handles, names, emails, addresses, user ids) -> entity type. A space
        matches any run of whitespace.
    digits : mapping of str to str
        Digit strings (phones, with and without country code / trunk prefix; cards) -> type.
    """

    terms: Mapping[str, str] = field(default_factory=dict)
    digits: Mapping[str, str] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.terms) + len(self.digits)

    @classmethod
    def build(
        cls,
        *,
        handles: Iterable[str] = (),
        names: Iterable[str] = (),
        user_ids: Iterable[str] = (),
        emails: Iterable[str] = (),
        phones: Iterable[str] = (),
        cards: Iterable[str] = (),
        addresses: Iterable[str] = (),
    ) -> Identifiers:
        """Normalise raw values, dropping those too short or too common to search for.

        Parameters
        ----------
        handles : iterable of str
            Customer handles, with or without '@' (kept if >= 4 characters and not a common
            English word; for Mastodon's user@instance the user part is kept too).
        names : iterable of str
            Display names or detected person names (kept with >= 2 tokens, unless every token
            is a common word; a single token only if >= 6 letters and neither a common word
            nor a common first name).
        user_ids : iterable of str
            Platform user ids (numeric ones need >= 8 digits, others >= 6 characters).
        emails, phones, cards, addresses : iterable of str
            Contact and payment details (phones need >= 7 digits).
        """
        terms: dict[str, str] = {}
        digits: dict[str, str] = {}
        for handle in handles:
            for term in _handle_terms(handle):
                terms.setdefault(term, HANDLE)
        for name in names:
            term = _name_term(name)
            if term:
                terms.setdefault(term, PERSON)
        for user_id in user_ids:
            term = _collapse(str(user_id))
            if len(term) >= (8 if term.isdigit() else 6):
                terms.setdefault(term, USER_ID)
        for email in emails:
            terms.setdefault(_collapse(email), EMAIL_ADDRESS)
        for address in addresses:
            term = _collapse(address).rstrip(".,;")
            if len(term) >= 8:
                terms.setdefault(term, STREET_ADDRESS)
        for phone in phones:
            for key in _phone_keys(phone):
                digits.setdefault(key, PHONE_NUMBER)
        for card in cards:
            key = _digits(card)
            if len(key) >= 12:
                digits[key] = CREDIT_CARD
        return cls(terms, digits)


# ------------------------------------------------------------------ normalisation
def _collapse(text: str) -> str:
    return " ".join(text.lower().split())


def _digits(text: str) -> str:
    return "".join(c for c in text if c.isdecimal() and c.isascii())


def _handle_terms(handle: str) -> list[str]:
    handle = _collapse(str(handle)).lstrip("@")
    parts = [handle]
    if "@" in handle:
        parts.append(handle.split("@", 1)[0])
    words = common_words()
    return [p for p in parts if len(p) >= _MIN_HANDLE and p not in words]


def _name_term(name: str) -> str | None:
    """Normalised display/person name, or None if too short or made of common words."""
    tokens = [t.rstrip(".'’-") for t in _NAME_TOKEN.findall(str(name))]
    tokens = [t for t in tokens if t]
    words = common_words()
    if len(tokens) >= 2:
        term = " ".join(tokens).lower()
        all_common = all(t.lower() in words for t in tokens)
        if len(term) < 5 or (all_common and tokens[0].capitalize() not in first_names()):
            return None
        return term
    if len(tokens) == 1:
        token = tokens[0].lower()
        # A lone first name ("Joseph") identifies nobody and is also a place, a brand, ...
        if (
            len(token) >= _MIN_SINGLE_NAME
            and token not in words
            and token.capitalize() not in first_names()
        ):
            return token
    return None


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
    if entity_type in (PHONE_NUMBER, CREDIT_CARD, USER_ID):
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
        Canonical posts (needs ``text`` and ``is_brand``); personal data the detector finds
        in customer posts (emails, phones, cards, street addresses, person names) is added.
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
    found: dict[str, list[str]] = {t: [] for t in POST_IDENTIFIER_TYPES}
    if posts is not None and len(posts):
        detector = detector or default_detector()
        customer = ~posts["is_brand"].fillna(False).astype(bool)
        for text in posts.loc[customer, "text"].dropna():
            for span in detector.detect(text, POST_IDENTIFIER_TYPES):
                if span.entity_type == PERSON and span.score < 0.6:
                    continue  # a NER model's guess ("Glow Strip"): would block every build
                found[span.entity_type].append(span.text)
    return Identifiers.build(
        handles=raw.get("handles") or (),
        names=[*(raw.get("names") or ()), *(raw.get("display_names") or ()), *found[PERSON]],
        user_ids=raw.get("user_ids") or (),
        emails=found[EMAIL_ADDRESS],
        phones=found[PHONE_NUMBER],
        cards=found[CREDIT_CARD],
        addresses=found[STREET_ADDRESS],
    )


# ------------------------------------------------------------------ matching
def _trie_regex(terms: Iterable[str], separator: str, digits: bool = False) -> str:
    """Regex source matching any of `terms` through a character trie, so scanning cost does
    not grow with the number of terms. In text terms a space matches `separator`; in digit
    terms `separator` may appear between any two digits."""
    root: dict = {}
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
        else:
            edge = r"\s+" if ch == " " else re.escape(ch)
        branches.append(edge + _node_regex(node[ch], separator, digits, depth + 1))
    if not branches:
        return ""
    body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    return f"(?:{body})?" if "" in node else body


class _Allowlist:
    """Brand values that may appear in reports: handles, emails, phone numbers, names."""

    def __init__(self, entries: Iterable[str]):
        self.emails: set[str] = set()
        self.handles: set[str] = set()
        self.digits: set[str] = set()
        self.terms: set[str] = set()
        self.tokens: set[str] = set()
        for entry in entries:
            value = _collapse(str(entry))
            if re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", value):
                self.emails.add(value)
            elif re.fullmatch(r"\+?[\d\s().\-/]+", value) and len(_digits(value)) >= 7:
                self.digits.update(_phone_keys(value))
            else:
                bare = value.lstrip("@")
                self.handles.add(bare)
                self.terms.add(bare)
                self.tokens.update(_NAME_TOKEN.findall(bare))

    def allows_term(self, term: str, entity_type: str) -> bool:
        if term in self.terms or term in self.emails or term in self.handles:
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


class _Scanner:
    """Finds identifiers and personal-data patterns in text chunks."""

    def __init__(self, identifiers: Identifiers, allowlist: _Allowlist, detector: Detector):
        self.allowlist = allowlist
        self.detector = detector
        self.terms = {
            t: kind for t, kind in identifiers.terms.items() if not allowlist.allows_term(t, kind)
        }
        self.digits = {
            k: kind for k, kind in identifiers.digits.items() if k not in allowlist.digits
        }
        self.terms_re = (
            re.compile(r"(?<!\w)" + _trie_regex(self.terms, r"\s+") + r"(?!\w)", re.IGNORECASE)
            if self.terms
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

    def scan(self, text: str) -> Iterator[tuple[int, str, str]]:
        """(offset, entity type, matched text) for each hit in `text`."""
        if self.terms_re is not None:
            for m in self.terms_re.finditer(text):
                yield m.start(), self.terms.get(_collapse(m.group()), PERSON), m.group()
        if self.digits_re is not None and _has_digit(text):
            for m in self.digits_re.finditer(text):
                matched = m.group()
                # A bare 7-9 digit number is more likely a count in a table than a phone.
                if matched.isdigit() and len(matched) < _MIN_BARE_PHONE_DIGITS:
                    continue
                yield m.start(), self._digit_type(matched), matched
        for span in self.detector.detect(text, PATTERN_TYPES):
            if not self.allowlist.allows_value(span.text, span.entity_type):
                yield span.start, span.entity_type, span.text

    def _digit_type(self, matched: str) -> str:
        digits = _digits(matched)
        for i in range(4):
            if digits[i:] in self.digits:
                return self.digits[digits[i:]]
        return PHONE_NUMBER


_has_digit = re.compile(r"\d").search


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
    elif (
        mime.startswith("text/")
        or mime in ("image/svg+xml", "application/json")
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


def _json_chunks(document: object) -> Iterator[_Chunk]:
    """All strings (keys included) of a JSON document joined into one text, positions given
    as JSON paths; image payloads are decoded and only their metadata scanned."""
    pieces: list[str] = []
    paths: list[str] = []
    starts: list[int] = []
    extra: list[_Chunk] = []
    cursor = 0

    def add(text: str, path: str) -> None:
        nonlocal cursor
        starts.append(cursor)
        pieces.append(text)
        paths.append(path)
        cursor += len(text) + 1

    def walk(node: object, path: str, key: str = "") -> None:
        if isinstance(node, dict):
            for k, v in node.items():
                add(str(k), path)
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
            if key in _IMAGE_KEYS:
                extra.extend(_payload_chunks(key, _b64decode("".join(node.split())), where))
                return
            main, payloads = _strip_payloads(node, where)
            add(main, where)
            extra.extend(payloads)
        elif isinstance(node, int | float) and not isinstance(node, bool):
            add(str(node), path or "/")  # a phone number may be stored as a number

    walk(document, "")
    joined = "\n".join(pieces)

    def locate(variant: str, offset: int) -> str:
        if variant is not joined:
            offset = min(offset, len(joined))
        return paths[max(0, bisect.bisect_right(starts, offset) - 1)] if paths else "/"

    yield _Chunk(joined, locate)
    yield from extra


def _file_chunks(path: Path) -> Iterator[_Chunk]:
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
            yield from _json_chunks(document)
            return
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


# ------------------------------------------------------------------ public API
def scan_dir(
    report_dir: Path | str,
    identifiers: Identifiers,
    brand_allowlist: Iterable[str] = (),
    detector: Detector | None = None,
) -> list[Finding]:
    """Every suspected leak of customer personal data in a report folder.

    Parameters
    ----------
    report_dir : path
        Folder scanned recursively: .html/.htm/.svg/.md/.txt/.csv/.tsv/.xml/.yaml/.tex/.js/
        .css/.jsonl/... as text, .json/.ipynb as JSON (all strings, outputs and metadata),
        .png text chunks and .jpg metadata segments; embedded base64 images are decoded and
        only their metadata scanned. Data files the gate cannot read (.parquet, .xlsx, .zip,
        .pkl, .pdf, ...) are findings of their own (UNSCANNABLE_DATA); other files (fonts,
        .gif, ...) are skipped and logged.
    identifiers : Identifiers
        From `collect_identifiers`.
    brand_allowlist : iterable of str
        Values allowed in reports: brand (and competitor) handles, brand emails and phone
        numbers, brand and product names. Identifier terms made only of these words and
        common words are ignored.
    detector : Detector, optional

    Returns
    -------
    list of Finding, in file order; each (file, position, type, value) once.
    """
    report_dir = Path(report_dir)
    if not report_dir.is_dir():
        raise FileNotFoundError(f"report folder not found: {report_dir}")
    scanner = _Scanner(identifiers, _Allowlist(brand_allowlist), detector or _report_detector())
    findings: list[Finding] = []
    for path in sorted(p for p in report_dir.rglob("*") if p.is_file()):
        suffix = path.suffix.lower()
        name = path.relative_to(report_dir).as_posix()
        if suffix in DATA_SUFFIXES:
            findings.append(Finding(name, 0, UNSCANNABLE, f"{suffix} file"))
        elif suffix in TEXT_SUFFIXES | JSON_SUFFIXES | PNG_SUFFIXES | JPEG_SUFFIXES:
            findings.extend(_scan_file(path, name, scanner))
        else:
            log.info("gate: not scanning %s (not a text artifact)", path)
    return findings


def _report_detector() -> Detector:
    """Detector for report artifacts: big texts, so a large phone budget; obfuscated emails
    are skipped (any that came from posts are known identifiers already)."""
    return Detector(phone_budget=100_000, obfuscated_emails=False)


def _scan_file(path: Path, name: str, scanner: _Scanner) -> list[Finding]:
    findings: list[Finding] = []
    seen: set[tuple[str, str, str]] = set()
    for chunk in _file_chunks(path):
        for variant in _variants(chunk.text):
            for offset, entity_type, value in scanner.scan(variant):
                position = chunk.locate(variant, offset)
                line = position.split(":", 1)[0] if position[:1].isdigit() else position
                key = (line, entity_type, _collapse(value))
                if key in seen:
                    continue
                seen.add(key)
                findings.append(Finding(name, position, entity_type, _mask(value, entity_type)))
    return findings


def check(
    report_dir: Path | str,
    identifiers: Identifiers,
    brand_allowlist: Iterable[str] = (),
    detector: Detector | None = None,
) -> None:
    """Raise GateError listing the findings (at most 50 lines) if `scan_dir` finds any.

    Parameters are those of `scan_dir`.
    """
    findings = scan_dir(report_dir, identifiers, brand_allowlist, detector)
    if not findings:
        return
    lines = [str(f) for f in findings[:MAX_MESSAGE_LINES]]
    if len(findings) > MAX_MESSAGE_LINES:
        lines.append(f"... and {len(findings) - MAX_MESSAGE_LINES} more")
    raise GateError(
        f"privacy gate: {len(findings)} possible personal-data leak(s) in {report_dir}:\n"
        + "\n".join(lines)
    )
