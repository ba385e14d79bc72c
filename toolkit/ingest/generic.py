"""Any CSV, JSON-lines (or JSON array) or Parquet file, with a column mapping.

`mapping` maps canonical column -> source column (JSON sources may use dotted paths such as
`user.screen_name`). Required: post_id, created_at, author, text, and platform (mapped, or
given by the caller). Extra keys `author_name` and `author_id` are accepted: they only feed the
privacy gate's list of raw identifiers. Without a mapping, source columns named like the
canonical ones are used (so a canonical export can be read back). Unknown extra columns are
ignored.

Records are read and converted in batches of BATCH_ROWS, column by column
(`columnar.convert_columns`); `generic_row` converts one record and is the reference the
batch conversion is tested against.
"""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial
from itertools import repeat
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from toolkit.core.schema import COLUMN_NAMES, POST_TYPES
from toolkit.ingest.arrow_csv import ArrowCsvReader, ArrowCsvRows, arrow_csv_columns
from toolkit.ingest.base import Collector, RawBatch, RowError, row_timestamp
from toolkit.ingest.columnar import ABSENT, POST_TYPE_ALIASES, to_list
from toolkit.ingest.csv_rows import BLANK_CELL, csv_rows_or_reject_header, is_ragged
from toolkit.ingest.identities import Identities
from toolkit.ingest.readers import (
    LineChunk,
    is_json_lines,
    iter_json_items,
    json_line_chunks,
    parse_json_lines,
)
from toolkit.ingest.textnorm import (
    extract_hashtags,
    extract_mentions,
    extract_urls,
    normalise_text,
    unique,
)
from toolkit.ingest.values import id_string, str_or_none, to_int

REQUIRED = ("post_id", "created_at", "author", "text")
IDENTIFIER_KEYS = ("author_name", "author_id")
MAPPABLE = (
    tuple(c for c in COLUMN_NAMES if c not in ("is_brand", "source_file", "source_line"))
    + IDENTIFIER_KEYS
)
_COUNT_COLUMNS = ("likes", "shares", "replies", "quotes", "views", "author_followers")
#: What `_json_value` returns for a key that is not mapped, or whose source the record lacks.
MISSING = object()
#: Records converted at a time (bounds the memory of one conversion step).
BATCH_ROWS = 20_000


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

    Arrow's reader takes the file as far as it reads it exactly like Python's `csv` module
    (`arrow_csv.ArrowCsvReader`); `iter_csv_rows` reads the rest, if any.

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
    arrow = ArrowCsvReader(path, BATCH_ROWS, limits=out.limits)
    if arrow.header is not None:
        index = _csv_index(arrow.header, mapping, out.platform)
        for batch in arrow:
            first = arrow.rows - batch.num_rows + 1
            rows = RawBatch(
                ArrowCsvRows(batch),
                list(range(first, arrow.rows + 1)),
                partial(arrow_csv_columns, index=index),
            )
            out.add_batch(rows, identities, timestamp_format)
        if arrow.complete:
            return
    read_csv_rows(path, identities, out, mapping, timestamp_format, after=arrow.rows)


def read_csv_rows(
    path: Path, identities: Identities, out: Collector, mapping, timestamp_format, after: int
) -> None:
    """Read the CSV's data rows numbered above `after` with Python's `csv` module."""
    header, rows = csv_rows_or_reject_header(path, out.reject, out.limits)
    if not header:
        return
    index = _csv_index(header, mapping, out.platform)
    width = len(header)
    if after:
        rows = itertools.dropwhile(lambda row: row[0] <= after, rows)
    for batch in _batches(rows):
        numbers, records = [], []
        for number, fields, raw, error in batch:
            if error:
                out.reject(number, error, raw)
            elif len(fields) != width and is_ragged(fields, width):
                out.reject(number, "wrong_field_count", ",".join(fields))
            else:
                numbers.append(number)
                records.append(fields)
        out.add_batch(
            RawBatch(records, numbers, partial(_csv_columns, index=index)),
            identities,
            timestamp_format,
        )


def _csv_index(header: list[str], mapping, platform: str | None) -> dict[str, int]:
    """canonical key -> position of its source column in the header (the first of duplicates)."""
    mapping = resolve_mapping(mapping, header, platform)
    position = {name: i for i, name in reversed(list(enumerate(header)))}
    return {canonical: position[source] for canonical, source in mapping.items()}


def _csv_columns(records: list[list[str]], index: dict[str, int]) -> dict[str, list]:
    """canonical key -> its column of the rows (position `index[key]`), blank cells as None.

    Every record has at least as many fields as the header (ragged rows are rejected before).
    """
    columns = list(zip(*records, strict=False)) if records else []
    return {key: _blank_to_none(columns[i]) if records else [] for key, i in index.items()}


def _blank_to_none(cells: tuple[str, ...]) -> list:
    """The cells as a list, with empty and whitespace-only ones (`str.isspace`) as None.

    Arrow finds the blank cells of the whole column in C; the Python test is the fallback
    for text Arrow cannot hold (lone surrogates).
    """
    values = list(cells)
    try:
        blank = pc.match_substring_regex(pa.array(values, pa.string()), BLANK_CELL)
    except (UnicodeEncodeError, pa.ArrowException):
        return [v if v and not v.isspace() else None for v in values]
    for i in np.flatnonzero(blank.to_numpy(zero_copy_only=False)).tolist():
        values[i] = None
    return values


def read_jsonl(
    path: Path, identities: Identities, out: Collector, mapping=None, timestamp_format=None
) -> None:
    """Read a generic JSON-lines file (or JSON array of objects) into `out`; see `read_csv`.

    JSON lines are handed to `out` unparsed, batch by batch (`_JsonLines`), so that a
    streaming collector can parse and convert them in worker processes; only the first
    batches are parsed here, to check the mapping against the first object's keys.
    """
    if is_json_lines(path, out.limits):
        tasks = (_JsonLines(chunk) for chunk in json_line_chunks(path, BATCH_ROWS, out.limits))
    else:
        tasks = (_JsonBatch(*batch) for batch in _item_batches(iter_json_items(path, out.limits)))
    head = []
    for task in tasks:  # up to the first batch holding a value, to infer columns from
        head.append(task.parsed())
        if head[-1].items:
            break
    if not head:
        return
    mapping = _jsonl_mapping(mapping, head[-1].items, out.platform)
    for task in itertools.chain(head, tasks):
        out.add_batch(dataclasses.replace(task, mapping=mapping), identities, timestamp_format)


@dataclass(frozen=True)
class _JsonBatch:
    """Parsed JSON values of consecutive lines / items, as a batch task (`Collector.add_batch`).

    Errors (lines that did not parse) are rejected first, then values that are not objects,
    then the objects are converted with `mapping`; `broken` (a compressed stream that broke
    after these lines) is rejected last.
    """

    numbers: list[int]
    items: list
    errors: list[tuple[int, str, object]]
    broken: tuple[int, str, str] | None = None
    mapping: dict[str, str] | None = None

    def __len__(self) -> int:
        return len(self.numbers) + len(self.errors)

    def parsed(self) -> _JsonBatch:
        return self

    def __call__(self, out: Collector, identities: Identities, timestamp_format=None) -> None:
        for line, reason, raw in self.errors:
            out.reject(line, reason, raw)
        numbers, items = self.numbers, self.items
        good = [i for i, item in enumerate(items) if isinstance(item, dict)]
        if len(good) < len(items):
            for i, item in enumerate(items):
                if not isinstance(item, dict):
                    out.reject(numbers[i], "bad_record:not_an_object", item)
            numbers, items = [numbers[i] for i in good], [items[i] for i in good]
        columns_of = partial(_json_columns, mapping=self.mapping)
        RawBatch(items, numbers, columns_of)(out, identities, timestamp_format)
        if self.broken is not None:
            out.reject(*self.broken)


@dataclass(frozen=True)
class _JsonLines:
    """Raw JSON lines as a batch task: parsed where the task runs (maybe a worker process)."""

    chunk: LineChunk
    mapping: dict[str, str] | None = None

    def __len__(self) -> int:
        return len(self.chunk.lines)

    def parsed(self) -> _JsonBatch:
        numbers, items, errors = parse_json_lines(self.chunk.lines, self.chunk.first_number)
        return _JsonBatch(numbers, items, errors, self.chunk.broken, self.mapping)

    def __call__(self, out: Collector, identities: Identities, timestamp_format=None) -> None:
        self.parsed()(out, identities, timestamp_format)


def _jsonl_mapping(mapping, first_items: list, platform):
    """The mapping checked against the first JSON object's keys (no mapping: canonical names)."""
    sample = next((item for item in first_items if isinstance(item, dict)), None)
    columns = list(sample) if sample is not None and not mapping else None
    return resolve_mapping(mapping, columns, platform)


def _item_batches(items: Iterator) -> Iterator[tuple[list, list, list]]:
    """`json_line_batches`-shaped batches from `iter_json_items` (arrays, UTF-16, documents)."""
    for batch in _batches(items):
        numbers, values, errors = [], [], []
        for line, item, error, raw in batch:
            if error:
                errors.append((line, error, raw))
            else:
                numbers.append(line)
                values.append(item)
        yield numbers, values, errors


def _json_columns(records: list[dict], mapping: dict[str, str]) -> dict[str, list]:
    """canonical key -> the values of its mapped source in each record."""
    return {key: _json_column(records, source) for key, source in mapping.items()}


def _json_column(records: list[dict], source: str) -> list:
    """The values of `source` (a key or dotted path) in each record; ABSENT where it is missing."""
    if "." not in source:  # map over the bound method runs the loop in C
        return list(map(dict.get, records, repeat(source), repeat(ABSENT)))
    values = [_json_value(r, {"key": source}, "key") for r in records]
    return [ABSENT if v is MISSING else v for v in values]


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
        for batch in parquet.iter_batches(batch_size=BATCH_ROWS, columns=sources):
            columns = {name: batch.column(name).to_pylist() for name in sources}
            numbers = list(range(number + 1, number + batch.num_rows + 1))
            number += batch.num_rows
            out.add_batch(
                RawBatch(_RecordView(columns), numbers, partial(_view_columns, mapping=mapping)),
                identities,
                timestamp_format,
            )
    except (pa.ArrowException, OSError) as exc:
        out.reject(number + 1, "bad_parquet", str(exc))


class _RecordView:
    """records[i] -> {column: value} of row i, built only when asked (for rejects)."""

    def __init__(self, columns: dict[str, list]):
        self.columns = columns

    def __getitem__(self, i: int) -> dict:
        return {name: values[i] for name, values in self.columns.items()}


def _view_columns(view: _RecordView, mapping: dict[str, str]) -> dict[str, list]:
    """canonical key -> the column of its mapped source."""
    return {key: view.columns[source] for key, source in mapping.items()}


def _batches(entries: Iterator, size: int | None = None) -> Iterator[list]:
    """Lists of up to `size` (default BATCH_ROWS) consecutive entries."""
    size = size or BATCH_ROWS
    while batch := list(itertools.islice(entries, size)):
        yield batch


def _json_value(record: dict, mapping: dict[str, str], key: str):
    source = mapping.get(key)
    if source is None:
        return MISSING
    if source in record:
        return record[source]
    value = record
    for part in source.split("."):
        if not isinstance(value, dict) or part not in value:
            return MISSING if value is record else None
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
    created_at = row_timestamp(_required(get, "created_at"), timestamp_format)
    handle = str(_required(get, "author")).strip()
    author, is_brand = identities.author(handle)
    identities.note(handle, str_or_none(value("author_name")), value("author_id"))
    raw_text = get("text")
    if raw_text is MISSING:
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
        return None if raw is MISSING else raw

    return value


def _required(get: Callable[[str], object], key: str):
    raw = get(key)
    if raw is MISSING or raw is None or (isinstance(raw, str) and not raw.strip()):
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
