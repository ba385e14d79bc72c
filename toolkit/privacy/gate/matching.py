"""The gate's scanner: finds known customer identifiers and personal-data patterns (e-mail,
phone, card, IBAN) in a text, minus what the brand's allowlist permits."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass

from toolkit.privacy.detect.analyzer import Detector
from toolkit.privacy.detect.entities import (
    CREDIT_CARD,
    EMAIL_ADDRESS,
    HANDLE,
    IBAN_CODE,
    PERSON,
    PHONE_NUMBER,
)
from toolkit.privacy.detect.number_shapes import HAS_DIGIT
from toolkit.privacy.detect.wordlists import common_words
from toolkit.privacy.gate.findings import LOCAL_PATH, POST_ID, USER_ID
from toolkit.privacy.gate.identifiers import Identifiers
from toolkit.privacy.gate.text_keys import (
    FLEX_SEPARATOR,
    ID_TOKEN,
    canon,
    collapse,
    compact_key,
    digits_of,
    phone_keys,
)

#: Detector types flagged wherever they appear (unless allowlisted).
PATTERN_TYPES = (EMAIL_ADDRESS, PHONE_NUMBER, CREDIT_CARD, IBAN_CODE)
_MIN_BARE_PHONE_DIGITS = 10
_PHONE_SEPARATOR = r"[ \t\-./()]{0,3}"
_BETWEEN_LETTERS = re.compile(r"(?<=[^\W\d_]) (?=[^\W\d_])")

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


class Allowlist:
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
            value = collapse(str(entry))
            if not value:
                continue
            if re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", value):
                self.emails.add(value)
                self.compact.add(compact_key(value))
            elif re.fullmatch(r"\+?[\d\s().\-/]+", value) and len(digits_of(value)) >= 7:
                self.digits.update(phone_keys(value))
                self.digits.add(digits_of(value))
                self.ids.add(digits_of(value))
            else:
                bare = value.lstrip("@")
                self.ids.add(bare)
                self.ids.add(str(entry).strip().lstrip("@"))
                term = canon(bare)
                self.handles.add(term)
                self.terms.add(term)
                self.compact.add(compact_key(term))
                self.tokens.update(term.split())

    def allows_term(self, term: str, entity_type: str) -> bool:
        compact = compact_key(term)
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
            return collapse(value) in self.emails
        if entity_type in (PHONE_NUMBER, CREDIT_CARD):
            return bool(phone_keys(value) & self.digits) or digits_of(value) in self.digits
        return False


@dataclass
class Hit:
    offset: int
    end: int
    entity_type: str
    value: str
    reason: str


class Scanner:
    """Finds identifiers and personal-data patterns in text chunks."""

    def __init__(
        self,
        identifiers: Identifiers,
        allowlist: Allowlist,
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
        self.compact = {compact_key(t): k for t, k in self.terms.items()}
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
                boundary_before + _trie_regex(self.terms, FLEX_SEPARATOR) + boundary_after,
                re.IGNORECASE,
            )
            if self.terms
            else None
        )
        self.handles_re = (
            re.compile(
                r"(?:(?<![\w.+-])[@\uff20]|(?<![\w/])/?u/)"
                + _trie_regex(self.handle_terms, FLEX_SEPARATOR)
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

    def scan(self, text: str) -> Iterator[Hit]:
        """Each hit in `text`: known identifiers first, then patterns."""
        if self.paths_re is not None and "/" in text:
            for m in self.paths_re.finditer(text):
                yield Hit(m.start(), m.end(), LOCAL_PATH, m.group(), _reason(LOCAL_PATH))
        if self.terms_re is not None:
            for m in self.terms_re.finditer(text):
                kind = self.compact.get(compact_key(m.group()), PERSON)
                yield Hit(m.start(), m.end(), kind, m.group(), _reason(kind))
        if self.handles_re is not None and ("@" in text or "u/" in text or "\uff20" in text):
            for m in self.handles_re.finditer(text):
                yield Hit(
                    m.start(), m.end(), HANDLE, m.group(), _reason(HANDLE) + ", written as a handle"
                )
        if self.cased_re is not None:
            for m in self.cased_re.finditer(text):
                yield Hit(
                    m.start(),
                    m.end(),
                    PERSON,
                    m.group(),
                    _reason(PERSON) + ", capitalised as a name",
                )
        has_digit = HAS_DIGIT(text)
        if self.codes_re is not None and has_digit:
            for m in self.codes_re.finditer(text):
                kind = self.codes.get(re.sub(r"[^a-z0-9]", "", m.group().lower()))
                if kind:
                    yield Hit(m.start(), m.end(), kind, m.group(), _reason(kind))
        if self.post_ids and has_digit:
            for m in ID_TOKEN.finditer(text):
                if m.group() in self.post_ids:
                    yield Hit(m.start(), m.end(), POST_ID, m.group(), _reason(POST_ID))
        if self.digits_re is not None and has_digit:
            for m in self.digits_re.finditer(text):
                matched = m.group()
                # A bare 7-9 digit number is more likely a count in a table than a phone.
                if matched.isdigit() and len(matched) < _MIN_BARE_PHONE_DIGITS:
                    continue
                if digits_of(matched) in self.known_ids:
                    continue
                kind = self._digit_type(matched)
                yield Hit(m.start(), m.end(), kind, matched, _reason(kind))
        for span in self.detector.detect(text, PATTERN_TYPES):
            if self.allowlist.allows_value(span.text, span.entity_type):
                continue
            if span.entity_type in (CREDIT_CARD, PHONE_NUMBER) and (
                digits_of(span.text) in self.known_ids or digits_of(span.text) in self.allowlist.ids
            ):
                continue  # a post id (passing Luhn by chance) is no card
            yield Hit(
                span.start,
                span.end,
                span.entity_type,
                span.text,
                _PATTERN_REASONS.get(span.entity_type, "pattern") + ", not on brand.allowlist",
            )

    def _digit_type(self, matched: str) -> str:
        digits = digits_of(matched)
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
