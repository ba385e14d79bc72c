"""Any CSV, JSON-lines (or JSON array) or Parquet file, with a column mapping.

`mapping` maps canonical column -> source column (JSON sources may use dotted paths such as
`user.screen_name`). Required: post_id, created_at, author, text, and platform (mapped, or
given by the caller). Extra keys `author_name` and `author_id` are accepted: they only feed the
privacy gate's list of raw identifiers. Without a mapping, source columns named like the
canonical ones are used (so a canonical export can be read back).
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable, Iterator
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from toolkit.schema import COLUMN_NAMES, POST_TYPES

from .base import Collector, RowError
from .identities import Identities
from .readers import is_ragged, iter_csv_rows, iter_json_items
from .textnorm import extract_hashtags, extract_mentions, extract_urls, normalise_text, unique
from .timestamps import TimestampError, parse_timestamp
from .values import id_string, str_or_none, to_int

REQUIRED = ("post_id", "created_at", "author", "text")
IDENTIFIER_KEYS = ("author_name", "author_id")
MAPPABLE = (
    tuple(c for c in COLUMN_NAMES if c not in ("is_brand", "source_file", "source_line"))
    + IDENTIFIER_KEYS
)
#: Common spellings of post types in other tools' exports.
POST_TYPE_ALIASES = {
    "tweet": "post", "status": "post", "original": "post", "submission": "post", "toot": "post",
    "retweet": "share", "reblog": "share", "boost": "share", "repost": "share", "reshare": "share",
    "replied_to": "reply", "quoted": "quote", "quote_tweet": "quote", "retweeted": "share",
}  # fmt: skip
_COUNT_COLUMNS = ("likes", "shares", "replies", "quotes", "views", "author_followers")
_MISSING = object()
_PARQUET_BATCH = 65536


class MappingError(ValueError):
    """The column mapping does not fit the file; the message says what is missing."""


def resolve_mapping(
    mapping: dict | None, available: list[str] | None, platform: str | None
) -> dict[str, str]:
    """Check a canonical -> source column mapping (or build the default one) against a file.

    Parameters
    ----------
    mapping : dict or None
        canonical column -> source column. None: source columns named like canonical ones.
    available : list of str or None
        The file's columns (None when unknown, e.g. an empty JSON file).
    platform : str or None
        Platform given by the caller; required when `platform` is not mapped.
    """
    if not mapping:
        known = set(available or ())
        mapping = {c: c for c in MAPPABLE if c in known} if available is not None else {}
    unknown = sorted(set(mapping) - set(MAPPABLE))
    if unknown:
        raise MappingError(
            f"mapping has unknown canonical columns {unknown}; allowed: {list(MAPPABLE)}"
        )
    missing = [c for c in REQUIRED if c not in mapping]
    if "platform" not in mapping and not platform:
        missing.append("platform")
    if missing:
        shown = f"; the file's columns are {available}" if available is not None else ""
        raise MappingError(f"mapping lacks required canonical columns {missing}{shown}")
    if available is not None:
        absent = sorted(
            {s for s in mapping.values() if s not in available and s.split(".")[0] not in available}
        )
        if absent:
            raise MappingError(
                f"mapped source columns {absent} are not in the file; its columns are {available}"
            )
    return dict(mapping)


def read_csv(
    path: Path, identities: Identities, out: Collector, mapping=None, timestamp_format=None
) -> None:
    """Read a generic CSV file into `out` (one row or reject per data row).

    Parameters
    ----------
    path : Path
    identities : Identities
    out : Collector
    mapping : dict, optional
        canonical column -> source column.
    timestamp_format : str, optional
        strptime format for `created_at`, tried before the automatic formats.
    """
    header, rows = iter_csv_rows(path)
    if not header:
        return
    mapping = resolve_mapping(mapping, header, out.platform)
    position = {name: i for i, name in reversed(list(enumerate(header)))}  # first column wins
    index = {canonical: position[source] for canonical, source in mapping.items()}
    for number, fields, raw, error in rows:
        if error:
            out.reject(number, error, raw)
        elif is_ragged(fields, len(header)):
            out.reject(number, "wrong_field_count", ",".join(fields))
        else:
            _add(
                lambda key, f=fields: _csv_value(f, index, key),
                number,
                fields,
                out,
                identities,
                timestamp_format,
            )


def read_jsonl(
    path: Path, identities: Identities, out: Collector, mapping=None, timestamp_format=None
) -> None:
    """Read a generic JSON-lines file (or JSON array of objects) into `out`; see `read_csv`."""
    items = iter_json_items(path)
    head = _until_first_object(items)
    if not head:
        return
    sample = head[-1][1] if isinstance(head[-1][1], dict) else None
    columns = list(sample) if sample is not None and not mapping else None
    mapping = resolve_mapping(mapping, columns, out.platform)
    for line, item, error, raw in itertools.chain(head, items):
        if error:
            out.reject(line, error, raw)
        elif not isinstance(item, dict):
            out.reject(line, "bad_record:not_an_object", raw)
        else:
            _add(
                lambda key, o=item: _json_value(o, mapping, key),
                line,
                item,
                out,
                identities,
                timestamp_format,
            )


def _until_first_object(items: Iterator, limit: int = 1000) -> list:
    """Items up to and including the first JSON object (at most `limit`), to infer columns from."""
    head = []
    for entry in items:
        head.append(entry)
        if isinstance(entry[1], dict) or len(head) >= limit:
            break
    return head


def read_parquet(
    path: Path, identities: Identities, out: Collector, mapping=None, timestamp_format=None
) -> None:
    """Read a generic Parquet file into `out` in record batches; see `read_csv`.

    A file pyarrow cannot read counts as one reject ("bad_parquet"); so does the unread rest
    of a file that breaks part-way.
    """
    if Path(path).stat().st_size == 0:  # an empty file, not a damaged one
        return
    try:
        parquet = pq.ParquetFile(path)
    except (pa.ArrowException, OSError) as exc:
        out.reject(1, "bad_parquet", str(exc))
        return
    mapping = resolve_mapping(mapping, parquet.schema_arrow.names, out.platform)
    sources = sorted(set(mapping.values()))
    number = 0
    try:
        for batch in parquet.iter_batches(batch_size=_PARQUET_BATCH, columns=sources):
            columns = {name: batch.column(name).to_pylist() for name in sources}
            for i in range(batch.num_rows):
                number += 1
                record = {name: values[i] for name, values in columns.items()}
                _add(
                    lambda key, r=record: _json_value(r, mapping, key),
                    number,
                    record,
                    out,
                    identities,
                    timestamp_format,
                )
    except (pa.ArrowException, OSError) as exc:
        out.reject(number + 1, "bad_parquet", str(exc))


def _add(
    get: Callable[[str], object],
    line: int,
    raw,
    out: Collector,
    identities: Identities,
    timestamp_format,
) -> None:
    try:
        row = generic_row(get, out.platform, identities, timestamp_format)
    except RowError as exc:
        out.reject(line, exc.reason, raw)
    except (TypeError, ValueError, AttributeError, KeyError, IndexError):
        out.reject(line, "bad_record", raw)
    else:
        out.add(row, line)


def _csv_value(fields: list[str], index: dict[str, int], key: str):
    if key not in index:
        return _MISSING
    value = fields[index[key]]
    return value if value.strip() else None


def _json_value(record: dict, mapping: dict[str, str], key: str):
    source = mapping.get(key)
    if source is None:
        return _MISSING
    if source in record:
        return record[source]
    value = record
    for part in source.split("."):
        if not isinstance(value, dict) or part not in value:
            return _MISSING if value is record else None
        value = value[part]
    return value


def generic_row(
    get: Callable[[str], object],
    platform: str | None,
    identities: Identities,
    timestamp_format=None,
) -> dict:
    """The canonical row of one generic record.

    Parameters
    ----------
    get : callable
        canonical column -> raw value (None for empty, a sentinel when the column is unmapped).
    platform : str or None
        Platform for records that do not map their own.
    identities : Identities
    timestamp_format : str, optional
    """
    value = _value_getter(get)
    post_id = id_string(_required(get, "post_id"))
    try:
        created_at = parse_timestamp(_required(get, "created_at"), timestamp_format)
    except TimestampError as exc:
        raise RowError(exc.reason) from None
    handle = str(_required(get, "author")).strip()
    author, is_brand = identities.author(handle)
    identities.note(handle, str_or_none(value("author_name")), value("author_id"))
    raw_text = get("text")
    if raw_text is _MISSING:
        raise RowError("missing_field:text")
    text = normalise_text(raw_text)
    reply_to_id = id_string(value("reply_to_id"))
    reply_to_author = str_or_none(value("reply_to_author"))
    row = {
        "platform": _platform(value("platform"), platform),
        "post_id": post_id,
        "post_type": _post_type(value("post_type"), reply_to_id),
        "reply_to_id": reply_to_id,
        "reply_to_author": identities.handle(reply_to_author) if reply_to_author else None,
        "thread_id": id_string(value("thread_id")),
        "created_at": created_at,
        "author": author,
        "is_brand": is_brand,
        "text": identities.text(text),
        "language": str_or_none(value("language")),
        **{name: to_int(value(name)) for name in _COUNT_COLUMNS},
        **_entities(value, text, identities),
    }
    return row


def _value_getter(get: Callable[[str], object]) -> Callable[[str], object]:
    """`get` with unmapped columns read as None."""

    def value(key: str):
        raw = get(key)
        return None if raw is _MISSING else raw

    return value


def _required(get: Callable[[str], object], key: str):
    raw = get(key)
    if raw is _MISSING or raw is None or (isinstance(raw, str) and not raw.strip()):
        raise RowError(f"missing_field:{key}")
    return raw


def _platform(mapped, default: str | None) -> str:
    name = str_or_none(mapped.strip().lower() if isinstance(mapped, str) else None) or default
    if not name:
        raise RowError("missing_field:platform")
    return name


def _post_type(raw, reply_to_id: str | None) -> str:
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return "reply" if reply_to_id else "post"
    name = str(raw).strip().lower()
    name = POST_TYPE_ALIASES.get(name, name)
    if name not in POST_TYPES:
        raise RowError(f"bad_post_type:{name[:40]}")
    return name


def _entities(
    value: Callable[[str], object], text: str, identities: Identities
) -> dict[str, list[str]]:
    hashtags, mentions, urls = value("hashtags"), value("mentions"), value("urls")
    hashtags = (
        extract_hashtags(text)
        if hashtags is None
        else [h.lstrip("#").lower() for h in to_list(hashtags)]
    )
    mentions = (
        extract_mentions(text) if mentions is None else [m.lstrip("@") for m in to_list(mentions)]
    )
    urls = extract_urls(text) if urls is None else to_list(urls)
    return {
        "hashtags": unique(normalise_text(h) for h in hashtags),
        "mentions": unique(identities.handle(m) for m in mentions if m),
        "urls": unique(urls),
    }


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
