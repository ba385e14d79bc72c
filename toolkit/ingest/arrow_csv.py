"""CSV data rows read by Arrow's C++ reader, exactly as the Python reader would read them.

`readers.iter_csv_rows` (Python's `csv` module) is the reference: it numbers data rows, skips
blank lines, tolerates extra empty fields and reports unreadable rows. Arrow parses the same
dialect several times faster but cannot express all of those rules, so `ArrowCsvReader` reads
only while the file stays inside what both agree on: UTF-8 text whose header is the first row,
every data row as wide as the header, no field above the `csv` module's size limit. At the first
block that leaves that, it stops and says how many rows it gave; the caller reads the rest with
`iter_csv_rows`, from the next row on. The rows, and their numbers, are the same either way.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from toolkit.ingest.csv_rows import BLANK_CELL, is_skipped_csv_row
from toolkit.ingest.limits import Limits
from toolkit.ingest.opening import GZIP_ERRORS, detect_text_encoding, open_binary, open_text

#: Bytes Arrow parses at a time (about 7,000 short posts); blocks are grouped into batches.
BLOCK_BYTES = 1 << 20
#: Rows handed out at a time, as the other generic readers do (`generic.BATCH_ROWS`).
BATCH_ROWS = 20_000
_READ_ERRORS = (pa.ArrowException, OSError, ValueError, *GZIP_ERRORS)


class ArrowCsvReader:
    """Iterate a CSV file's data rows as all-string record batches while Arrow reads them right.

    Parameters
    ----------
    path : str or Path
        A CSV file (gzip / one-file zip read transparently).
    batch_rows : int
        Rows per batch handed out (the last one may have fewer, a batch may have more).
    block_bytes : int
        Bytes Arrow parses at a time.

    Attributes
    ----------
    header : list of str or None
        The header's names (stripped), or None when the file is not for this reader (not UTF-8,
        no header, fewer than two columns): read it all with `iter_csv_rows`.
    rows : int
        Data rows handed out so far.
    complete : bool
        True once the whole file was read; False after a stop part-way (or before reading).
    """

    def __init__(
        self,
        path: str | Path,
        batch_rows: int = BATCH_ROWS,
        block_bytes: int = BLOCK_BYTES,
        limits: Limits | None = None,
    ):
        self.path = Path(path)
        self.limits = limits
        self.batch_rows = batch_rows
        self.block_bytes = block_bytes
        self.rows = 0
        self.complete = False
        self._raw_header = _python_header(self.path)
        width = len(self._raw_header or ())
        self.header = [name.strip() for name in self._raw_header] if width >= 2 else None

    def __iter__(self) -> Iterator[pa.RecordBatch]:
        if self.header is None:
            return
        pending: list[pa.RecordBatch] = []
        for block in self._blocks():
            pending.append(block)
            if sum(b.num_rows for b in pending) >= self.batch_rows:
                yield self._hand_out(pending)
                pending = []
        if pending:
            yield self._hand_out(pending)

    def _hand_out(self, blocks: list[pa.RecordBatch]) -> pa.RecordBatch:
        batch = pa.Table.from_batches(blocks).combine_chunks().to_batches()[0]
        self.rows += batch.num_rows
        return batch

    def _blocks(self) -> Iterator[pa.RecordBatch]:
        """The data rows block by block; sets `complete` when the whole file was read."""
        stopped = False

        def on_invalid_row(row) -> str:
            nonlocal stopped
            if is_skipped_csv_row(_python_fields(row.text)):
                return "skip"  # a whitespace-only line: the Python reader skips it too
            stopped = True
            return "error"

        try:
            with open_binary(self.path, self.limits) as handle:
                first = True
                for block in self._open(handle, on_invalid_row):
                    if first:
                        if not self._starts_with_header(block):
                            return
                        block, first = block.slice(1), False
                    if _has_oversized_field(block):
                        return
                    if block.num_rows:
                        yield block
        except _READ_ERRORS:
            return  # a ragged row, a damaged stream...: the Python reader says what
        self.complete = not stopped

    def _open(self, handle, on_invalid_row) -> pacsv.CSVStreamingReader:
        width = len(self._raw_header)
        return pacsv.open_csv(
            handle,
            read_options=pacsv.ReadOptions(
                autogenerate_column_names=True, use_threads=False, block_size=self.block_bytes
            ),
            parse_options=pacsv.ParseOptions(
                newlines_in_values=True, invalid_row_handler=on_invalid_row
            ),
            convert_options=pacsv.ConvertOptions(
                column_types={f"f{i}": pa.string() for i in range(width)},
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )

    def _starts_with_header(self, batch: pa.RecordBatch) -> bool:
        if batch.num_columns != len(self._raw_header) or batch.num_rows == 0:
            return False
        return [column[0].as_py() for column in batch.columns] == self._raw_header


class ArrowCsvRows:
    """records[i] -> the fields of row i of a record batch, as the Python reader gives them."""

    def __init__(self, batch: pa.RecordBatch):
        self.batch = batch

    def __len__(self) -> int:
        return self.batch.num_rows

    def __getitem__(self, i: int) -> list[str]:
        return [column[i].as_py() for column in self.batch.columns]


def arrow_csv_columns(rows: ArrowCsvRows, index: dict[str, int]) -> dict[str, list]:
    """canonical key -> its column of the rows (position `index[key]`), blank cells as None."""
    return {key: blank_to_none(rows.batch.column(i)).to_pylist() for key, i in index.items()}


def blank_to_none(column: pa.Array) -> pa.Array:
    """The column with empty and whitespace-only cells (as `str.isspace` has it) made null."""
    blank = pc.match_substring_regex(column, BLANK_CELL)
    return pc.if_else(blank, pa.scalar(None, pa.string()), column)


def _python_header(path: Path) -> list[str] | None:
    """The header row as `iter_csv_rows` reads it (unstripped), or None when Arrow should not read."""
    if detect_text_encoding(path) not in ("utf-8", "utf-8-sig"):
        return None
    try:
        with open_text(path, "utf-8-sig") as handle:
            return next((row for row in csv.reader(handle) if row), None)
    except (csv.Error, *_READ_ERRORS):
        return None


def _python_fields(text: str) -> list[str]:
    try:
        return next(csv.reader([text]), [])
    except csv.Error:
        return ["unreadable"]


def _has_oversized_field(batch: pa.RecordBatch) -> bool:
    """True when a field exceeds the `csv` module's limit, which the Python reader rejects."""
    limit = csv.field_size_limit()
    for column in batch.columns:
        longest = pc.max(pc.binary_length(column)).as_py()
        if longest is not None and longest > limit:
            return True
    return False
