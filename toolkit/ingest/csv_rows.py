"""Reading CSV rows: the header, then numbered rows or the reason a row could not be read, with
lines above the record limit skipped unread.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator
from pathlib import Path

from toolkit.ingest.limits import DEFAULT_LIMITS, RECORD_TOO_LARGE, Limits
from toolkit.ingest.opening import GZIP_ERRORS, open_text, stream_error_reason

#: An empty or whitespace-only CSV cell, whitespace exactly as `str.isspace` has it (RE2 syntax).
BLANK_CELL = "^[" + "".join(chr(c) for c in range(0x3001) if chr(c).isspace()) + "]*$"


def iter_csv_rows(
    path: str | Path, limits: Limits | None = None
) -> tuple[list[str], Iterator[tuple[int, list[str] | None, object, str | None]]]:
    """(header, rows) of a CSV file; rows yields (1-based data row number, fields, raw, error).

    Blank lines are skipped and not numbered. When a row cannot be read, fields is None,
    error is "bad_csv" (or "record_too_large" for a line above `limits.max_record_bytes`
    characters, skipped unread; or "corrupt_gzip" / "decompression_limit", then reading stops)
    and raw describes the problem. When the header itself cannot be read, header is [] and rows
    yields that one error.
    """
    handle = open_text(path, limits=limits)
    reader = csv.reader(_BoundedLines(handle, (limits or DEFAULT_LIMITS).max_record_bytes))
    try:
        header = _first_row(reader)
    except (csv.Error, _LineTooLarge, *GZIP_ERRORS) as exc:
        handle.close()
        if isinstance(exc, csv.Error):
            reason = "bad_csv"
        elif isinstance(exc, _LineTooLarge):
            reason = RECORD_TOO_LARGE
        else:
            reason = stream_error_reason(exc)
        return [], iter([(1, None, f"unreadable header: {exc}", reason)])
    if header is None:
        handle.close()
        return [], iter(())
    header = [name.strip() for name in header]
    return header, _data_rows(reader, handle)


def csv_rows_or_reject_header(
    path: str | Path, reject: Callable[[int, str, object], None], limits: Limits | None = None
) -> tuple[list[str], Iterator[tuple[int, list[str] | None, object, str | None]]]:
    """`iter_csv_rows`, with a file that has no readable header settled here.

    An empty file, or one whose header cannot be read (its one error goes to `reject(number,
    reason, raw)`, e.g. `Collector.reject`): header [] and no rows. Else the header and the
    rows as `iter_csv_rows` yields them.
    """
    header, rows = iter_csv_rows(path, limits)
    if header:
        return header, rows
    for number, _, raw, error in rows:
        reject(number, error, raw)
    return [], iter(())


def _first_row(reader) -> list[str] | None:
    for row in reader:
        if row:
            return row
    return None


def _data_rows(reader, handle) -> Iterator[tuple[int, list[str] | None, object, str | None]]:
    number = 0
    with handle:
        while True:
            try:
                row = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                number += 1
                yield number, None, f"csv error near line {reader.line_num}: {exc}", "bad_csv"
                continue
            except _LineTooLarge as exc:
                number += 1
                yield number, None, str(exc), RECORD_TOO_LARGE
                continue
            except GZIP_ERRORS as exc:
                reason = stream_error_reason(exc)
                yield number + 1, None, f"unreadable compressed data: {exc}", reason
                return
            if is_skipped_csv_row(row):
                continue
            number += 1
            yield number, row, row, None


class _LineTooLarge(Exception):
    """A CSV line above the record limit (raised through `csv.reader`, which then resets)."""


class _BoundedLines:
    """The lines of a text handle, for `csv.reader`; a line above `cap` characters is skipped
    (read in pieces, never held whole) and raises _LineTooLarge in its place."""

    def __init__(self, handle: io.TextIOWrapper, cap: int):
        self._handle = handle
        self._cap = cap

    def __iter__(self):
        return self

    def __next__(self) -> str:
        line = self._handle.readline(self._cap + 1)
        if not line:
            raise StopIteration
        if len(line) <= self._cap or line.endswith(("\n", "\r")):
            return line
        size, head = len(line), line[:500]
        while (more := self._handle.readline(self._cap + 1)) and not more.endswith(("\n", "\r")):
            size += len(more)
        raise _LineTooLarge(f"line of {size + len(more):,}+ characters: {head}")


def is_skipped_csv_row(fields: list[str]) -> bool:
    """True for a row the CSV readers skip without numbering it: empty or whitespace-only."""
    return not fields or (len(fields) == 1 and not fields[0].strip())


def is_ragged(fields: list[str], width: int) -> bool:
    """True when a CSV row has fewer fields than the header, or extra non-empty ones."""
    return len(fields) < width or any(f.strip() for f in fields[width:])
