"""Column-at-a-time conversion of generic records (CSV / JSON lines / Parquet) to canonical rows.

The generic loaders read a batch of records, pull each mapped source column out as a list and
hand them here. Every conversion works on a whole column (timestamps in one pandas call,
handles through a per-batch dict of distinct values), so the per-record Python work is a few
list comprehensions. Results and reject reasons are the same as converting record by record
(see `generic.generic_row`, kept as the reference implementation).
"""

from __future__ import annotations

import json

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from toolkit.core.schema import POST_TYPES
from toolkit.ingest.identities import Identities
from toolkit.ingest.limits import TEXT_TOO_LONG
from toolkit.ingest.textnorm import extract_hashtags, extract_urls, normalise_text, unique
from toolkit.ingest.timestamps import parse_timestamps
from toolkit.ingest.values import id_string, str_or_none, to_int

#: A mapped source key absent from a record (differs from a null value only for `text`).
ABSENT = object()
_INT64_MAX = 2**63 - 1
_INT_OR_NONE = {int, type(None)}
_STR_OR_NONE = {str, type(None)}
#: Shared by records whose list column is empty (never mutated: converted to Arrow as is).
_EMPTY: list[str] = []
_COUNT_COLUMNS = ("likes", "shares", "replies", "quotes", "views", "author_followers")
#: Common spellings of post types in other tools' exports.
POST_TYPE_ALIASES = {
    "tweet": "post", "status": "post", "original": "post", "submission": "post", "toot": "post",
    "retweet": "share", "reblog": "share", "boost": "share", "repost": "share", "reshare": "share",
    "replied_to": "reply", "quoted": "quote", "quote_tweet": "quote", "retweeted": "share",
}  # fmt: skip


def convert_columns(
    raw: dict[str, list],
    n: int,
    platform: str | None,
    identities: Identities,
    timestamp_format: str | None = None,
    max_text_chars: int | None = None,
) -> tuple[dict[str, list], list[str | None]]:
    """Canonical columns for `n` records, and a reject reason per record (None: loaded).

    Parameters
    ----------
    raw : dict
        canonical key -> list of `n` raw values (None for empty cells, ABSENT for keys missing
        from a JSON record). Unmapped keys are simply not in `raw`.
    n : int
        Number of records.
    platform : str or None
        Platform for records that do not map their own.
    identities : Identities
    timestamp_format : str, optional
        strptime format tried first for `created_at`.
    max_text_chars : int, optional
        A raw text longer than this is rejected (`text_too_long`) before it is normalised.

    Returns
    -------
    (columns, reasons)
        `columns` holds every canonical column a loader fills, as lists of `n` values
        (values of rejected records are placeholders); `reasons[i]` is the first problem of
        record i, in the order post_id, created_at, author, text, platform, post_type.
    """
    reasons: list[str | None] = [None] * n
    post_ids = _ids(_get(raw, "post_id", n))
    _flag(reasons, post_ids, "missing_field:post_id")
    created = _created_at(_get(raw, "created_at", n), timestamp_format, reasons)
    handles = [_handle(v) for v in _get(raw, "author", n)]
    _flag(reasons, handles, "missing_field:author")
    texts_raw = _get(raw, "text", n)
    for i, value in enumerate(texts_raw):
        if value is ABSENT and reasons[i] is None:
            reasons[i] = "missing_field:text"
        elif max_text_chars is not None and type(value) is str and len(value) > max_text_chars:
            reasons[i] = reasons[i] or TEXT_TOO_LONG
    platforms = _platforms(_get(raw, "platform", n), platform)
    _flag(reasons, platforms, "missing_field:platform")
    reply_to_ids = _ids(raw.get("reply_to_id"), n)
    post_types = _post_types(_get(raw, "post_type", n), reply_to_ids, reasons)
    loaded_handles = [h if reasons[i] is None else None for i, h in enumerate(handles)]
    authors, brands = identities.authors(loaded_handles)
    _note_names(raw, brands, reasons, identities)
    texts = [_clean_text(v) if reasons[i] is None else "" for i, v in enumerate(texts_raw)]
    scanner = _Scanner(texts)
    hashtags, urls = _hashtags_and_urls(raw, texts, scanner)
    stored_texts, mentions = _texts_and_mentions(raw.get("mentions"), texts, identities, scanner)
    columns = {
        "platform": platforms,
        "post_id": post_ids,
        "post_type": post_types,
        "reply_to_id": reply_to_ids,
        "reply_to_author": _reply_authors(raw.get("reply_to_author"), identities, n),
        "thread_id": _ids(raw.get("thread_id"), n),
        "created_at": created,
        "author": authors,
        "is_brand": brands,
        "text": stored_texts,
        "language": _strings(raw.get("language"), n),
        **{name: _counts(raw.get(name), n) for name in _COUNT_COLUMNS},
        "hashtags": hashtags,
        "mentions": mentions,
        "urls": urls,
    }
    return columns, reasons


def _get(raw: dict[str, list], key: str, n: int) -> list:
    values = raw.get(key)
    return values if values is not None else [None] * n


def _ids(values: list | None, n: int = 0) -> list:
    """`id_string` of each value (ABSENT -> None); None values -> n Nones."""
    if values is None:
        return [None] * n
    return [
        v
        if type(v) is str and v and not v[0].isspace() and not v[-1].isspace()
        else id_string(_present(v))
        for v in values
    ]


def _strings(values: list | None, n: int) -> list:
    if values is None:
        return [None] * n
    return [v if type(v) is str and v else None for v in values]


def _present(value):
    return None if value is ABSENT else value


def _flag(reasons: list, values: list, reason: str) -> None:
    for i, value in enumerate(values):
        if value is None and reasons[i] is None:
            reasons[i] = reason


def _created_at(values: list, fmt: str | None, reasons: list) -> list:
    """Microseconds since the epoch; a blank value is a missing field, a bad one says why."""
    values = [_present(v) for v in values]
    micros, problems = parse_timestamps(values, fmt)
    for i, why in enumerate(problems):
        if why is not None and reasons[i] is None:
            value = values[i]
            blank = value is None or (type(value) is str and not value.strip())
            reasons[i] = "missing_field:created_at" if blank else why
    return micros


def _handle(value) -> str | None:
    """The author handle as `generic_row` reads it (None when missing or blank)."""
    if value is None or value is ABSENT:
        return None
    text = value.strip() if type(value) is str else str(value).strip()
    return text or None


def _clean_text(value) -> str:
    """`normalise_text`, skipping the call for plain ASCII text (the common case)."""
    if type(value) is str and value.isascii() and "\r" not in value and "\x00" not in value:
        return value.strip()
    return normalise_text(_present(value))


def _platforms(values: list, default: str | None) -> list:
    cache: dict = {}
    out = []
    for value in values:
        key = value if type(value) is str else None
        found = cache.get(key, ABSENT)
        if found is ABSENT:
            name = key.strip().lower() if key is not None else ""
            found = cache[key] = name or default or None
        out.append(found)
    return out


def _post_types(values: list, reply_to_ids: list, reasons: list) -> list:
    out = []
    for i, value in enumerate(values):
        if value is None or value is ABSENT or (type(value) is str and not value.strip()):
            out.append("reply" if reply_to_ids[i] else "post")
            continue
        name = str(value).strip().lower()
        name = POST_TYPE_ALIASES.get(name, name)
        if name not in POST_TYPES and reasons[i] is None:
            reasons[i] = f"bad_post_type:{name[:40]}"
        out.append(name)
    return out


def _note_names(raw: dict[str, list], brands: list, reasons: list, identities: Identities):
    """Note mapped display names and user ids of customers (for the privacy gate only)."""
    names, ids = raw.get("author_name"), raw.get("author_id")
    if names is None and ids is None:
        return
    for i, is_brand in enumerate(brands):
        if reasons[i] is None and not is_brand:
            name = _present(names[i]) if names is not None else None
            user_id = _present(ids[i]) if ids is not None else None
            identities.note(None, str_or_none(name), user_id)


def _reply_authors(values: list | None, identities: Identities, n: int) -> list:
    if values is None:
        return [None] * n
    out = []
    for value in values:
        name = str_or_none(_present(value))
        out.append(identities.handle(name) if name else None)
    return out


def _counts(values: list | None, n: int) -> list | pa.Array:
    """Counts as int64 (None where not a whole number); whole-int columns convert in C."""
    if values is None:
        return pa.nulls(n, pa.int64())
    types = set(map(type, values))
    try:
        if types <= _INT_OR_NONE:
            return pa.array(values, pa.int64())
        if types <= _STR_OR_NONE:  # CSV cells: plain digit strings convert in C
            return pc.cast(pa.array(values, pa.string()), pa.int64())
    except (OverflowError, pa.ArrowException):
        pass
    return [
        v if type(v) is int and -_INT64_MAX <= v <= _INT64_MAX else to_int(_present(v))
        for v in values
    ]


class _Scanner:
    """Finds which texts of a batch contain a substring, scanning the column in C."""

    def __init__(self, texts: list[str]):
        self._texts = texts
        try:
            self._array = pa.array(texts, pa.string())
        except (UnicodeEncodeError, pa.ArrowException):  # cannot happen after normalise_text
            self._array = None

    def containing(self, *needles: str) -> list[int]:
        """Indices of the texts containing any of `needles` (case-insensitive)."""
        if self._array is None:
            lowered = [t.lower() for t in self._texts]
            return [i for i, t in enumerate(lowered) if any(n.lower() in t for n in needles)]
        mask = None
        for needle in needles:
            found = pc.match_substring(self._array, needle, ignore_case=True)
            mask = found if mask is None else pc.or_(mask, found)
        return np.flatnonzero(mask.to_numpy(zero_copy_only=False)).tolist()


def _texts_and_mentions(
    mapped: list | None, texts: list[str], identities: Identities, scanner: _Scanner
) -> tuple[list[str], list[list[str]]]:
    """Pseudonymised texts, and mentions (mapped values where given, else the text's @handles)."""
    stored = list(texts)
    mentions: list[list[str]] = [[] for _ in texts] if mapped is not None else [_EMPTY] * len(texts)
    for i in scanner.containing("@", "\uff20"):  # also the full-width at sign
        stored[i], mentions[i] = identities.text_and_mentions(texts[i])
    if mapped is not None:
        for i, value in enumerate(mapped):
            value = _present(value)
            if value is not None:
                mentions[i] = _handles([m.lstrip("@") for m in to_list(value)], identities)
    return stored, mentions


def _hashtags_and_urls(
    raw: dict[str, list], texts: list[str], scanner: _Scanner
) -> tuple[list, list]:
    """hashtags and urls: mapped values where given, else found in the text."""
    hashtags = _from_text_or_mapped(
        raw.get("hashtags"), texts, scanner.containing("#"), _hashtags_in_text, _mapped_hashtags
    )
    urls = _from_text_or_mapped(
        raw.get("urls"),
        texts,
        scanner.containing("http", "www."),
        extract_urls,
        lambda v: unique(to_list(v)),
    )
    return hashtags, urls


def _from_text_or_mapped(values, texts, candidates, from_text, from_value) -> list[list[str]]:
    """Per record: `from_value(v)` for a mapped non-null value, else `from_text(text)`.

    `candidates` are the indices of the texts worth looking into (the others give []).
    """
    n = len(texts)
    out: list[list[str]] = [[] for _ in range(n)] if values is not None else [_EMPTY] * n
    if values is not None:
        for i, value in enumerate(values):
            value = _present(value)
            if value is not None:
                out[i] = from_value(value)
    for i in candidates:
        if values is None or _present(values[i]) is None:
            out[i] = from_text(texts[i])
    return out


def _hashtags_in_text(text: str) -> list[str]:
    tags = extract_hashtags(text)
    return tags if "".join(tags).isascii() else unique(normalise_text(t) for t in tags)


def _mapped_hashtags(value) -> list[str]:
    return unique(normalise_text(h.lstrip("#").lower()) for h in to_list(value))


def _handles(handles: list[str], identities: Identities) -> list[str]:
    return unique(identities.handle(m) for m in handles if m) if handles else []


def to_list(value) -> list[str]:
    """A list of strings from a list, a JSON list in a string, or a comma/space separated string."""
    if value is None:
        return []
    if isinstance(value, list | tuple):
        return [str(v).strip() for v in value if v is not None and str(v).strip()]
    text = str(value).strip()
    if text.startswith("["):
        try:
            parsed = json.loads(text)
        except json.JSONDecodeError:
            parsed = None
        if isinstance(parsed, list):
            return to_list(parsed)
    return [part for part in text.replace(",", " ").split() if part]
