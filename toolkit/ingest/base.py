"""Row results shared by all loaders: collecting rows and rejects, de-duplication, reconciliation.

Every item a loader reads ends in exactly one of three places: a loaded post, a reject (with a
reason), or a duplicate of a post already loaded. `IngestResult` checks
``rows_in == loaded + rejected + duplicates`` when it is created.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from toolkit.core.schema import ARROW_SCHEMA, COLUMN_NAMES, COLUMNS, from_arrow
from toolkit.ingest.columnar import convert_columns
from toolkit.ingest.identities import Identities
from toolkit.ingest.limits import (
    CONFLICTING_DUPLICATE,
    DEFAULT_LIMITS,
    TEXT_TOO_LONG,
    Limits,
    timestamp_problem,
)
from toolkit.ingest.textnorm import safe_str
from toolkit.ingest.timestamps import TimestampError, parse_timestamp

#: Columns of a rejects table, in order.
REJECT_COLUMNS = ["source_file", "source_line", "reason", "raw"]
#: Raw input kept per reject, in characters.
RAW_LIMIT = 2000
#: What makes two rows with the same platform and post id different posts (a conflict), rather
#: than the same post read twice (a duplicate; counts such as likes may differ between copies).
CONTENT_COLUMNS = ("text", "created_at", "author")
#: Columns a loader fills per row (the rest are constant per file or computed here).
_ROW_COLUMNS = [c for c in COLUMN_NAMES if c not in ("source_file", "source_line")]
_LIST_COLUMNS = ("hashtags", "mentions", "urls")
_STRING_COLUMNS = [n for n, (t, _, _) in COLUMNS.items() if pa.types.is_string(t)]
#: Errors a row function raises on a malformed item it did not foresee: reject "bad_record".
MALFORMED_ERRORS = (TypeError, ValueError, AttributeError, KeyError, IndexError)


class RowError(ValueError):
    """One item cannot become a post; `reason` is the reject reason."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class ReconciliationError(RuntimeError):
    """Rows were lost or double counted: rows_in != loaded + rejected + duplicates."""


def require(record: dict, key: str, label: str | None = None):
    """`record[key]`, or RowError("missing_field:<label>") when absent, None or ""."""
    value = record.get(key)
    if value is None or value == "":
        raise RowError(f"missing_field:{label or key}")
    return value


def require_object(item: object, reason: str = "bad_record:not_an_object") -> dict:
    """`item` when it is a JSON object (a dict), else RowError(reason)."""
    if not isinstance(item, dict):
        raise RowError(reason)
    return item


def row_timestamp(value: object, fmt: str | None = None) -> int:
    """`parse_timestamp(value, fmt)`; a timestamp it cannot read raises RowError(its reason)."""
    try:
        return parse_timestamp(value, fmt)
    except TimestampError as exc:
        raise RowError(exc.reason) from None


def truncate_raw(raw: object) -> str:
    """The raw input of a reject as text, cut to RAW_LIMIT characters."""
    if isinstance(raw, bytes):
        text = raw.decode("utf-8", errors="replace")
    elif isinstance(raw, str):
        text = raw
    else:
        try:
            text = json.dumps(raw, ensure_ascii=False, default=str)
        except (TypeError, ValueError):
            text = repr(raw)
    return safe_str(text[:RAW_LIMIT].rstrip("\r\n"))


@dataclass(frozen=True)
class RawBatch:
    """Records read but not converted yet, with what converting them needs.

    A batch is a task for `Collector.add_batch`: calling it converts the records and sends
    the rows and rejects to a collector. Everything in it is picklable, so that the
    conversion can run in another process (`parallel.BatchPool`).

    Attributes
    ----------
    records : sequence
        The records as read (CSV fields, JSON objects...); indexed only for rejects.
    numbers : list of int
        1-based line / data-row number of each record.
    columns_of : callable
        records -> {canonical key: list of raw values}, the input of
        `columnar.convert_columns`: a module-level function or a `functools.partial` of one.
    """

    records: Sequence
    numbers: list[int]
    columns_of: Callable[[Sequence], dict[str, list]]

    def __len__(self) -> int:
        return len(self.numbers)

    def __call__(
        self, out: Collector, identities: Identities, timestamp_format: str | None = None
    ) -> None:
        """Convert the records and keep the rows in `out` (rejects with their reason)."""
        if not self.numbers:
            return
        columns, reasons = convert_columns(
            self.columns_of(self.records),
            len(self.numbers),
            out.platform,
            identities,
            timestamp_format,
            out.limits.max_text_chars,
        )
        out.add_columns(columns, self.numbers, reasons, self.records)


class Collector:
    """Accumulates loaded rows (column lists) and rejects for one input file.

    Parameters
    ----------
    source_file : str
        File name written into `source_file` of every row and reject.
    platform : str or None
        Platform slug used for rows that do not set their own.
    limits : Limits, optional
        Record / text size and timestamp limits (`toolkit.ingest.limits`); rows whose text is
        too long or whose timestamp is implausible become rejects here, for every loader.

    De-duplication: rows with the same platform and post id are one post read twice (the first
    is kept, the others are duplicates) when their text, timestamp and author agree; otherwise
    the later ones are rejects with reason ``conflicting_duplicate``.
    """

    def __init__(self, source_file: str, platform: str | None = None, limits: Limits | None = None):
        self.source_file = source_file
        self.platform = platform
        self.limits = limits or DEFAULT_LIMITS
        self._latest = self.limits.latest_micros()
        self.rows_in = 0
        self._columns: dict[str, list] = {name: [] for name in _ROW_COLUMNS}
        self._lines: list[int] = []
        self._dedupe_keys: list[str] = []
        self._versions: list[int] = []
        self._reject_lines: list[int] = []
        self._reject_reasons: list[str] = []
        self._reject_raws: list[str] = []
        self._tables: list[pa.Table] = []
        self._dropped_before = 0  # duplicates of rows folded into _tables by a conflict

    def add(self, row: dict, line: int, dedupe_key: str | None = None, version: int = 0) -> None:
        """Keep one post.

        Parameters
        ----------
        row : dict
            Canonical column -> value (missing nullable columns are null, lists empty).
        line : int
            1-based line / item / data-row number in the file.
        dedupe_key : str, optional
            Rows sharing platform and key are one post (default: the post id).
        version : int
            Among rows sharing a key the highest version is kept (Twitter edits); ties keep the first.
        """
        if row.get("platform") is None:
            row["platform"] = self.platform
        problem = self._problem(row.get("text"), row.get("created_at"), row["platform"])
        if problem is not None:
            self.reject(line, problem, row)
            return
        self.rows_in += 1
        for name, values in self._columns.items():
            value = row.get(name)
            if value is None and name in _LIST_COLUMNS:
                value = []
            values.append(value)
        self._lines.append(line)
        self._dedupe_keys.append(dedupe_key if dedupe_key is not None else row["post_id"])
        self._versions.append(version)

    def add_item(self, line: int, item: object, convert: Callable[[object], dict | tuple]) -> None:
        """Convert one item and keep its row, or reject the item.

        Parameters
        ----------
        line : int
            1-based line / item number of the item in the file.
        item : object
            The item as read (a JSON object...); the raw input of its reject.
        convert : callable
            item -> canonical row, or (row, dedupe_key, version) as `add` takes them. A
            `RowError` rejects the item with its reason; one of MALFORMED_ERRORS with
            "bad_record".
        """
        try:
            converted = convert(item)
        except RowError as exc:
            self.reject(line, exc.reason, item)
        except MALFORMED_ERRORS:
            self.reject(line, "bad_record", item)
        else:
            if isinstance(converted, tuple):
                row, dedupe_key, version = converted
                self.add(row, line, dedupe_key, version)
            else:
                self.add(converted, line)

    def add_columns(self, columns: dict[str, list], lines: list[int], reasons: list, raws) -> None:
        """Keep a batch of rows given column-wise; rows with a reason become rejects instead.

        Parameters
        ----------
        columns : dict
            Canonical column -> list of values, one per row (every column `add` would fill;
            list columns hold lists). The post id is the de-duplication key.
        lines : list of int
            1-based line / data-row number of each row.
        reasons : list
            None for a row to keep, else its reject reason.
        raws : sequence
            Raw input of each row (indexed only for rejects).
        """
        reasons = list(reasons)
        texts, times, platforms = columns["text"], columns["created_at"], columns["platform"]
        for i, reason in enumerate(reasons):
            if reason is None:
                reasons[i] = self._problem(texts[i], times[i], platforms[i])
        keep = [i for i, reason in enumerate(reasons) if reason is None]
        if len(keep) < len(lines):
            for i, reason in enumerate(reasons):
                if reason is not None:
                    self.reject(lines[i], reason, raws[i])
        if not keep:
            return
        self.rows_in += len(keep)
        table = _to_table(
            {**columns, "source_file": [self.source_file] * len(lines), "source_line": lines}
        )
        if len(keep) < len(lines):
            table = table.take(pa.array(keep, pa.int64()))
        self._tables.append(table)

    def add_batch(
        self, batch: Callable, identities: Identities, timestamp_format: str | None = None
    ) -> None:
        """Run one batch task (a `RawBatch`, or a loader's own) that sends its rows here.

        Parameters
        ----------
        batch : callable
            ``batch(collector, identities, timestamp_format)``; picklable, with ``len(batch)``
            its number of records (a streaming collector may run it in a worker process).
        identities : Identities
        timestamp_format : str, optional
            strptime format tried first for `created_at`.
        """
        batch(self, identities, timestamp_format)

    def _problem(self, text, created_at, platform) -> str | None:
        """The reject reason of a converted row that breaks a limit, else None."""
        if isinstance(text, str) and len(text) > self.limits.max_text_chars:
            return TEXT_TOO_LONG
        return timestamp_problem(created_at, platform, self._latest)

    def reject(self, line: int, reason: str, raw: object) -> None:
        """Record one item that cannot be loaded, with its reason and (truncated) raw input."""
        self.rows_in += 1
        self._add_reject(line, reason, raw)

    def _add_reject(self, line: int, reason: str, raw: object) -> None:
        """A reject of a row already counted in rows_in (a conflict found at de-duplication)."""
        self._reject_lines.append(line)
        self._reject_reasons.append(reason)
        self._reject_raws.append(truncate_raw(raw))

    def posts(self) -> tuple[pd.DataFrame, int]:
        """The canonical posts frame (duplicates removed) and the number of duplicates dropped."""
        table, n_duplicates = self.table()
        return from_arrow(table), n_duplicates

    def table(self) -> tuple[pa.Table, int]:
        """The canonical posts as an Arrow table (duplicates removed) and the duplicates dropped."""
        table, n_duplicates, _ = self._table_and_keys()
        return table, n_duplicates

    def _table_and_keys(self) -> tuple[pa.Table, int, pa.Array | pa.ChunkedArray]:
        """`table()` plus the de-duplication key (edit chain or post id) of each kept row."""
        self._reject_row_conflicts()
        keep = self._kept_indices()
        n_duplicates = self._dropped_before + (0 if keep is None else len(self._lines) - len(keep))
        columns = {name: _select(values, keep) for name, values in self._columns.items()}
        columns["source_file"] = [self.source_file] * (len(self._lines) - n_duplicates)
        columns["source_line"] = _select(self._lines, keep)
        tables = [_to_table(columns), *self._tables]
        table = pa.concat_tables(tables) if len(tables) > 1 else tables[0]
        if not self._tables:
            return table, n_duplicates, pa.array(_select(self._dedupe_keys, keep), pa.string())
        # batches: de-duplicate on (platform, post_id) over everything
        first, conflicts = duplicates_and_conflicts(table)
        if len(conflicts):
            for line, raw in zip(
                table.column("source_line").take(conflicts).to_pylist(),
                rows_as_json(table.take(conflicts)),
                strict=True,
            ):
                self._add_reject(line, CONFLICTING_DUPLICATE, raw)
            # settled: a second call finds the same posts and no conflicts
            self._columns = {name: [] for name in _ROW_COLUMNS}
            self._lines, self._dedupe_keys, self._versions = [], [], []
            kept = np.ones(table.num_rows, dtype=bool)
            kept[conflicts] = False
            table = table.filter(pa.array(kept))
            self._tables = [table]
            self._dropped_before = n_duplicates
            first, _ = duplicates_and_conflicts(table)
        if first is not None:
            n_duplicates += table.num_rows - len(first)
            table = table.take(first)
        return table, n_duplicates, table.column("post_id")

    def rejects(self) -> pd.DataFrame:
        """The rejects table: source_file, source_line, reason, raw."""
        return make_rejects(
            [self.source_file] * len(self._reject_lines),
            self._reject_lines,
            self._reject_reasons,
            self._reject_raws,
        )

    def buffered(self) -> int:
        """Rows and rejects held in memory (what `drain` would hand over)."""
        return len(self._lines) + sum(t.num_rows for t in self._tables) + len(self._reject_lines)

    def drain(self) -> tuple[pa.Table, int, pd.DataFrame, pa.Array | pa.ChunkedArray]:
        """Hand over what is buffered and forget it.

        Used to stream a file in bounded memory: duplicates are found within one drain only.
        `rows_in` keeps counting across drains.

        Returns
        -------
        (posts table, duplicates among them, rejects, de-duplication key of each post)
        """
        table, n_duplicates, keys = self._table_and_keys()
        rejects = self.rejects()
        self._columns = {name: [] for name in _ROW_COLUMNS}
        self._lines, self._dedupe_keys, self._versions, self._tables = [], [], [], []
        self._reject_lines, self._reject_reasons, self._reject_raws = [], [], []
        self._dropped_before = 0
        return table, n_duplicates, rejects, keys

    def _reject_row_conflicts(self) -> None:
        """Move rows (from `add`) that reuse an earlier row's platform and post id with other
        content to the rejects (`conflicting_duplicate`)."""
        platforms, ids = self._columns["platform"], self._columns["post_id"]
        contents = list(zip(*(self._columns[c] for c in CONTENT_COLUMNS), strict=True))
        first: dict[tuple, int] = {}
        conflicts = []
        for i, key in enumerate(zip(platforms, ids, strict=True)):
            j = first.setdefault(key, i)
            if j != i and contents[i] != contents[j]:
                conflicts.append(i)
        if not conflicts:
            return
        for i in conflicts:
            row = {name: values[i] for name, values in self._columns.items()}
            self._add_reject(self._lines[i], CONFLICTING_DUPLICATE, row)
        dropped = set(conflicts)
        kept = [i for i in range(len(self._lines)) if i not in dropped]
        self._columns = {name: [v[i] for i in kept] for name, v in self._columns.items()}
        self._lines = [self._lines[i] for i in kept]
        self._dedupe_keys = [self._dedupe_keys[i] for i in kept]
        self._versions = [self._versions[i] for i in kept]

    def _kept_indices(self) -> list[int] | None:
        """Indices of the rows to keep, or None when every row is kept."""
        best: dict[tuple[str, str], int] = {}
        platforms = self._columns["platform"]
        for i, key in enumerate(self._dedupe_keys):
            slot = (platforms[i], key)
            j = best.get(slot)
            if j is None or self._versions[i] > self._versions[j]:
                best[slot] = i
        if len(best) == len(self._dedupe_keys):
            return None
        return sorted(best.values())


def first_occurrences(*keys: pa.ChunkedArray | pa.Array) -> pa.Array | None:
    """Indices (ascending) of the first row of each distinct key tuple; None when all differ.

    Parameters
    ----------
    *keys : Arrow arrays of equal length
    """
    n = len(keys[0])
    names = [f"k{i}" for i in range(len(keys))]
    table = pa.table({**dict(zip(names, keys, strict=True)), "i": pa.array(np.arange(n))})
    grouped = table.group_by(names, use_threads=False).aggregate([("i", "min")])
    if grouped.num_rows == n:
        return None
    return pa.array(np.sort(grouped.column("i_min").to_numpy()))


def duplicates_and_conflicts(table: pa.Table) -> tuple[pa.Array | None, np.ndarray]:
    """Duplicates and conflicts among rows with the same (platform, post_id).

    Returns
    -------
    (first, conflicts)
        `first`: indices (ascending) of the first row of each (platform, post_id), None when all
        differ; `conflicts`: indices of later rows whose CONTENT_COLUMNS differ from their first
        row's (the other later rows are exact duplicates).
    """
    platform, post_id = table.column("platform"), table.column("post_id")
    first = first_occurrences(platform, post_id)
    if first is None:
        return None, np.empty(0, dtype=np.int64)
    joined = pc.binary_join_element_wise(
        pc.fill_null(platform, ""), pc.fill_null(post_id, ""), "\x1f"
    )
    group = pc.dictionary_encode(joined).combine_chunks().indices.to_numpy()
    _, first_of_group = np.unique(group, return_index=True)
    first_row = first_of_group[group]
    later = np.flatnonzero(first_row != np.arange(len(group)))
    differs = np.zeros(len(later), dtype=bool)
    at, origin = pa.array(later), pa.array(first_row[later])
    for name in CONTENT_COLUMNS:
        a, b = table.column(name).take(at), table.column(name).take(origin)
        same = pc.or_kleene(
            pc.fill_null(pc.equal(a, b), False), pc.and_(pc.is_null(a), pc.is_null(b))
        )
        differs |= ~same.to_numpy(zero_copy_only=False)
    return first, later[differs]


def rows_as_json(table: pa.Table) -> list[str]:
    """Each row of a posts table as one JSON line (the raw of a reject found after conversion)."""
    rows = from_arrow(table).drop(columns=["source_file", "source_line"])
    text = rows.to_json(orient="records", lines=True, date_format="iso", force_ascii=False)
    return text.splitlines()


def make_rejects(files, lines, reasons, raws) -> pd.DataFrame:
    """A rejects frame from four equally long sequences."""
    return pd.DataFrame(
        {
            "source_file": pd.Series(list(files), dtype=object),
            "source_line": pd.array(list(lines), dtype="Int64"),
            "reason": pd.Series(list(reasons), dtype=object),
            "raw": pd.Series(list(raws), dtype=object),
        },
        columns=REJECT_COLUMNS,
    )


def empty_rejects() -> pd.DataFrame:
    """A rejects frame with no rows."""
    return make_rejects([], [], [], [])


def _select(values: list, keep: list[int] | None) -> list:
    return values if keep is None else [values[i] for i in keep]


def _to_table(columns: dict[str, list | pa.Array]) -> pa.Table:
    """An Arrow table in the canonical schema from columns given as lists or Arrow arrays."""
    try:
        arrays = [_array(columns[n], t) for n, (t, _, _) in COLUMNS.items()]
    except (UnicodeEncodeError, pa.ArrowException):
        columns = _sanitised(columns)
        arrays = [_array(columns[n], t) for n, (t, _, _) in COLUMNS.items()]
    return pa.Table.from_arrays(arrays, schema=ARROW_SCHEMA)


def _array(values: list | pa.Array, arrow_type: pa.DataType) -> pa.Array:
    if isinstance(values, pa.Array):
        return values if values.type == arrow_type else values.cast(arrow_type)
    return pa.array(values, type=arrow_type)


def _sanitised(columns: dict[str, list]) -> dict[str, list]:
    """Columns with lone surrogates replaced (they cannot be stored as UTF-8)."""
    out = {n: v.to_pylist() if isinstance(v, pa.Array) else v for n, v in columns.items()}
    columns = out
    for name in _STRING_COLUMNS:
        out[name] = [safe_str(v) for v in columns[name]]
    for name in _LIST_COLUMNS:
        out[name] = [[safe_str(v) for v in items] for items in columns[name]]
    return out


@dataclass(eq=False)
class IngestResult:
    """What one input file gave: posts, rejects and the reconciliation of the two.

    Attributes
    ----------
    file : str
        File name.
    format : str
        Format the file was read as.
    posts : DataFrame
        Canonical posts (see `toolkit.core.schema`).
    rejects : DataFrame
        source_file, source_line, reason, raw (truncated to 2,000 characters).
    rows_in : int
        Items read (tweets, things, statuses, data rows; an unparseable line counts as one).
    n_duplicates : int
        Items dropped because the same post (or a newer version of it) was already loaded.
    identifiers : Identities
        Raw customer identifiers seen (for the privacy gate only).
    """

    file: str
    format: str
    posts: pd.DataFrame
    rejects: pd.DataFrame
    rows_in: int
    n_duplicates: int = 0
    identifiers: Identities | None = field(default=None, repr=False)

    def __post_init__(self):
        check_reconciliation(
            self.file, self.rows_in, self.n_loaded, self.n_rejected, self.n_duplicates
        )

    @property
    def n_loaded(self) -> int:
        return len(self.posts)

    @property
    def n_rejected(self) -> int:
        return len(self.rejects)

    @property
    def rejects_by_reason(self) -> dict[str, int]:
        """Reject reason -> count, most frequent first."""
        return count_reasons(self.rejects)

    def summary(self) -> dict:
        """JSON-able reconciliation of this file."""
        return {
            "file": self.file,
            "format": self.format,
            "rows_in": self.rows_in,
            "loaded": self.n_loaded,
            "rejected": self.n_rejected,
            "rejected_by_reason": self.rejects_by_reason,
            "duplicates": self.n_duplicates,
        }


def count_reasons(rejects: pd.DataFrame) -> dict[str, int]:
    """Reject reason -> count, most frequent first (ties by name)."""
    counts = Counter(rejects["reason"])
    return {reason: int(n) for reason, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))}


def check_reconciliation(
    label: str, rows_in: int, loaded: int, rejected: int, duplicates: int
) -> None:
    """Raise ReconciliationError unless rows_in == loaded + rejected + duplicates."""
    if rows_in != loaded + rejected + duplicates:
        raise ReconciliationError(
            f"{label}: rows_in={rows_in} but loaded={loaded} + rejected={rejected} "
            f"+ duplicates={duplicates} = {loaded + rejected + duplicates}"
        )
