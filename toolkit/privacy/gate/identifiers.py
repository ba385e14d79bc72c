"""What identifies the customers of a dataset: `Identifiers` and `collect_identifiers` (handles,
display names and user ids recorded at ingest, customer post ids, and the personal data the
detector finds in customer posts)."""

from __future__ import annotations

import functools
import json
import logging
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from toolkit.privacy.detect.analyzer import Detector, default_detector
from toolkit.privacy.detect.entities import (
    CREDIT_CARD,
    EMAIL_ADDRESS,
    HANDLE,
    PERSON,
    PHONE_NUMBER,
    STREET_ADDRESS,
    URL,
)
from toolkit.privacy.detect.number_shapes import HAS_DIGIT
from toolkit.privacy.detect.recognizers.date_of_birth import DateOfBirthRecognizer
from toolkit.privacy.detect.wordlists import common_words, english_words, first_names
from toolkit.privacy.gate.findings import DATE_OF_BIRTH, USER_ID
from toolkit.privacy.gate.text_keys import (
    ID_TOKEN,
    canon,
    code_key,
    collapse,
    digits_of,
    phone_keys,
)
from toolkit.privacy.pseudonymise import default_public_accounts

log = logging.getLogger(__name__)

_DATE_OF_BIRTH = DateOfBirthRecognizer()
#: Detector types whose values in customer posts become identifiers: every type but those too
#: generic to search reports for (a link, a city, a company, a date, an age).
GENERIC_TYPES = frozenset(
    {URL, HANDLE, "LOCATION", "GPE", "LOC", "FAC", "ORGANIZATION", "ORG", "NRP", "NORP",
     "DATE_TIME", "DATE", "TIME", "AGE", "TITLE", "MONEY", "PERCENT", "CARDINAL", "ORDINAL",
     "QUANTITY", "EVENT", "PRODUCT", "WORK_OF_ART", "LAW", "LANGUAGE", "ORDER_NUMBER"}
)  # fmt: skip

_MIN_HANDLE = 4
_MIN_SINGLE_NAME = 6
_MIN_NUMERIC_POST_ID = 10
_MIN_POST_ID = 6
_TITLES = frozenset("dr mr mrs ms miss mx prof sir dame rev fr".split())
_NAME_TOKEN = re.compile(r"\w[\w'’.-]*")


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
            term = canon(str(user_id))
            if len(term) >= (8 if term.isdigit() else 6):
                terms.setdefault(term, USER_ID)
        for email in emails:
            terms.setdefault(collapse(email), EMAIL_ADDRESS)
        for address in addresses:
            term = collapse(address).rstrip(".,;")
            if len(term) >= 8:
                terms.setdefault(term, STREET_ADDRESS)
            # its parts too: "19 folkestone road" and the postcode "ls6 2qa" of
            # "19 Folkestone Road, Leeds LS6 2QA"; a lone postcode ("M1 1AE") as a code
            for part in {term, *(p.strip() for p in term.split(","))}:
                tail = " ".join(part.split()[-2:])  # "leeds ls6 2qa" ends in a postcode
                for code in {part, tail}:
                    if len(code.split()) <= 2 and code_key(code):
                        codes.setdefault(code_key(code), STREET_ADDRESS)
                if len(part) >= 12 and HAS_DIGIT(part) and part != term:
                    terms.setdefault(part, STREET_ADDRESS)
        for entity_type, values in (other or {}).items():
            for value in values:
                term = collapse(value).strip(".,;:")  # as written: "10.0.0.1" is no "10 0 0 1"
                key = code_key(term) if entity_type not in ("IP_ADDRESS",) else None
                if key:  # an id: any separators, or none, between its characters
                    codes.setdefault(key, entity_type)
                    continue
                digit_only = term.replace(" ", "").isdigit()
                if len(term) >= 6 and not (digit_only and len(digits_of(term)) < 7):
                    if not _all_common(term):
                        terms.setdefault(term, entity_type)
        for phone in phones:
            for key in phone_keys(phone):
                digits.setdefault(key, PHONE_NUMBER)
        for card in cards:
            key = digits_of(card)
            if len(key) >= 12:
                digits[key] = CREDIT_CARD
        ids = frozenset(str(i) for i in post_ids if _searchable_id(str(i)))
        known = frozenset(str(i) for i in known_ids if i is not None) | ids
        for post_id in known:  # a known id is not also a phone, card or code
            digits.pop(post_id, None)
            codes.pop(post_id.lower(), None)
        return cls(terms, digits, handle_terms, cased, ids, known, codes)


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
        term = canon(part)
        if len(term.replace(" ", "")) >= _MIN_HANDLE and term not in terms:
            # a handle made of one common word ("happy") is only searched for as "@happy"
            terms.append(term)
    return [t for t in terms if t not in words or _wordlike(t)]


def _name_terms(name: str) -> list[str]:
    """Normalised display/person name (and the same without a leading title); none if too
    short or made of common words."""
    tokens = [canon(t) for t in _NAME_TOKEN.findall(str(name))]
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


def _searchable_id(post_id: str) -> bool:
    if post_id.isdigit():
        return len(post_id) >= _MIN_NUMERIC_POST_ID
    return (
        len(post_id) >= _MIN_POST_ID
        and any(c.isdigit() for c in post_id)
        and ID_TOKEN.fullmatch(post_id) is not None
    )


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
        texts = posts.loc[customer, "text"].dropna().tolist()
        for text, spans in zip(texts, detector.detect_many(texts), strict=True):
            for span in spans:
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
