"""Low-level reading: gzip and zip, byte-order marks, encodings, JSON lines, JSON arrays and CSV rows.

Nothing here knows about platforms; loaders get items (with their 1-based position) or a reason
why an item could not be read.
"""

from __future__ import annotations

import codecs
import csv
import dataclasses
import gzip
import io
import itertools
import json
import re
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from .base import RowError

try:  # orjson is optional: 3-5x faster on large files, same results
    import orjson

    _loads = orjson.loads
    _DECODE_ERRORS: tuple[type[Exception], ...] = (orjson.JSONDecodeError, ValueError)
except ImportError:  # pragma: no cover - depends on the environment
    orjson = None
    _loads = json.loads
    _DECODE_ERRORS = (json.JSONDecodeError, ValueError, RecursionError)

GZIP_MAGIC = b"\x1f\x8b\x08"  # gzip magic + deflate, the only method gzip defines
ZIP_MAGIC = b"PK\x03\x04"
#: What a damaged or cut-off gzip (or zip) stream raises while being read.
GZIP_ERRORS = (EOFError, zlib.error, gzip.BadGzipFile, zipfile.BadZipFile)
_ZIP_JUNK = ("__MACOSX/", ".DS_Store")
_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_CHUNK = 1 << 20
#: An empty or whitespace-only CSV cell, whitespace exactly as `str.isspace` has it (RE2 syntax).
BLANK_CELL = "^[" + "".join(chr(c) for c in range(0x3001) if chr(c).isspace()) + "]*$"


class ArchiveError(ValueError):
    """A zip archive that does not hold exactly one data file."""


def open_binary(path: str | Path) -> BinaryIO:
    """Open `path` for reading bytes, transparently decompressing gzip or a one-file zip.

    Raises
    ------
    ArchiveError
        For a zip archive with no data file or several (list each one as its own source).
    """
    handle = open(path, "rb")  # noqa: SIM115 - returned to the caller
    magic = handle.read(4)
    if magic[:3] == GZIP_MAGIC:
        handle.close()
        return gzip.open(path, "rb")
    if magic == ZIP_MAGIC:
        handle.close()
        return _open_zip_member(path)
    handle.seek(0)
    return handle


def zip_members(path: str | Path) -> list[str] | None:
    """The data files in a zip archive (folders and macOS metadata left out); None if not a zip."""
    with open(path, "rb") as handle:
        if handle.read(4) != ZIP_MAGIC:
            return None
    try:
        with zipfile.ZipFile(path) as archive:
            return [
                info.filename
                for info in archive.infolist()
                if not info.is_dir() and not any(j in info.filename for j in _ZIP_JUNK)
            ]
    except (zipfile.BadZipFile, OSError, EOFError):
        return []


def _open_zip_member(path: str | Path) -> BinaryIO:
    members = zip_members(path)
    if not members or len(members) != 1:
        raise ArchiveError(
            f"{Path(path).name}: a zip archive must hold exactly one data file, it holds "
            f"{len(members or [])}: {(members or [])[:10]}; extract it and list each file as a source"
        )
    # the member keeps the archive's file open until it is closed itself
    with zipfile.ZipFile(path) as archive:
        return archive.open(members[0])


def read_head(path: str | Path, size: int = 65536) -> bytes:
    """The first `size` (decompressed) bytes of a file (fewer if a gzip stream breaks early)."""
    return _read_upto(path, size)


def _read_upto(path: str | Path, size: int | None) -> bytes:
    """Up to `size` bytes (None: all); a damaged gzip stream gives what was readable."""
    parts, total = [], 0
    with open_binary(path) as handle:
        try:
            while size is None or total < size:
                # read1: a damaged gzip stream still yields the blocks before the damage
                chunk = handle.read1(_CHUNK if size is None else min(_CHUNK, size - total))
                if not chunk:
                    break
                parts.append(chunk)
                total += len(chunk)
        except GZIP_ERRORS:
            pass
    return b"".join(parts)


def bom_encoding(head: bytes) -> tuple[str | None, int]:
    """(encoding, BOM length) from a byte-order mark at the start of `head`, else (None, 0)."""
    for bom, encoding in _BOMS:
        if head.startswith(bom):
            return encoding, len(bom)
    return None, 0


def detect_text_encoding(path: str | Path) -> str:
    """The encoding to read a text file with: BOM, else UTF-8 if it decodes, else cp1252, else Latin-1."""
    encoding, _ = bom_encoding(read_head(path, 4))
    if encoding == "utf-8":
        return "utf-8-sig"
    if encoding:
        return encoding
    for candidate in ("utf-8", "cp1252"):
        if _decodes(path, candidate):
            return candidate
    return "latin-1"


def _decodes(path: str | Path, encoding: str) -> bool:
    decoder = codecs.getincrementaldecoder(encoding)()
    try:
        with open_binary(path) as handle:
            while chunk := handle.read(_CHUNK):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    except GZIP_ERRORS:  # a damaged stream is reported when the rows are read
        pass
    return True


def open_text(path: str | Path, encoding: str | None = None) -> io.TextIOWrapper:
    """Open a text file (gzip, BOM and encoding handled) with newline="" as the csv module wants."""
    encoding = encoding or detect_text_encoding(path)
    return io.TextIOWrapper(open_binary(path), encoding=encoding, newline="")


def iter_lines(path: str | Path) -> Iterator[tuple[int, str | None, str | bytes, str | None]]:
    """Yield (line number, text, raw, error) for every non-blank line of a JSON-lines file.

    `error` is None for a readable line; "bad_encoding" when the line is not valid text in
    the file's encoding (UTF-8, or UTF-16 with a BOM), text is then None and raw the bytes;
    "corrupt_gzip" once, at the end, when a compressed stream is damaged or cut off.
    """
    with open_binary(path) as handle:
        lines, number = _raw_lines(handle), 0
        while True:
            try:
                raw = next(lines)
            except StopIteration:
                return
            except GZIP_ERRORS as exc:
                yield number + 1, None, f"unreadable compressed data: {exc}", "corrupt_gzip"
                return
            number += 1
            if not raw.strip():
                continue
            if isinstance(raw, str):
                yield number, raw, raw, None
                continue
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError:
                yield number, None, raw, "bad_encoding"
                continue
            yield number, text, raw, None


def _raw_lines(handle: BinaryIO) -> Iterator[bytes | str]:
    """Lines as bytes (UTF-8, BOM skipped) or as text (UTF-16 with a BOM)."""
    encoding, bom_length = bom_encoding(handle.read(4))
    handle.seek(bom_length if encoding != "utf-16" else 0)
    if encoding == "utf-16":
        yield from io.TextIOWrapper(handle, encoding="utf-16", errors="replace")
    else:
        yield from handle


def json_line_batches(
    path: str | Path, size: int
) -> Iterator[tuple[list[int], list[object], list[tuple[int, str, object]]]]:
    """Batches of a UTF-8 JSON-lines file: (line numbers, parsed values, errors).

    The fast path for large files: each batch's lines go to orjson in one list comprehension.
    A batch covers up to `size` lines; `errors` holds (line number, reason, raw) for lines that
    did not parse ("bad_encoding", "truncated_json", "bad_json", or "corrupt_gzip" once when a
    compressed stream breaks). Blank lines are skipped. Files with a UTF-16 byte-order mark
    must go through `iter_lines` instead.
    """
    for chunk in json_line_chunks(path, size):
        yield parse_json_lines(chunk.lines, chunk.first_number)
        if chunk.broken is not None:
            yield [], [], [chunk.broken]


@dataclass(frozen=True)
class LineChunk:
    """Consecutive raw lines of a file, not parsed yet.

    Attributes
    ----------
    lines : list of bytes
    first_number : int
        1-based number of the first line.
    broken : tuple or None
        (line number, "corrupt_gzip", message) when the compressed stream broke after them.
    """

    lines: list[bytes]
    first_number: int
    broken: tuple[int, str, str] | None = None


def json_line_chunks(path: str | Path, size: int) -> Iterator[LineChunk]:
    """Up to `size` raw lines at a time of a UTF-8 JSON-lines file (parse with `parse_json_lines`)."""
    lines = _byte_lines(path)
    number = 0
    while batch := list(itertools.islice(lines, size)):
        broken = batch.pop() if isinstance(batch[-1], tuple) else None
        chunk = LineChunk(batch, number + 1)
        number += len(batch)
        if broken is not None:
            yield dataclasses.replace(chunk, broken=(number + 1, "corrupt_gzip", broken[1]))
            return
        yield chunk


def parse_json_lines(
    lines: list[bytes], first_number: int
) -> tuple[list[int], list[object], list[tuple[int, str, object]]]:
    """(line numbers, parsed values, errors) of consecutive lines; blank lines are skipped."""
    parsed = [_loads_or_fail(line) for line in lines]
    numbers = range(first_number, first_number + len(lines))
    if _FAILED in parsed:
        return _split_failures(lines, parsed, numbers)
    return list(numbers), parsed, []


_FAILED = object()


def _loads_or_fail(line: bytes) -> object:
    try:
        return _loads(line)
    except _DECODE_ERRORS:
        return _FAILED


def _split_failures(batch: list[bytes], parsed: list, numbers: range) -> tuple[list, list, list]:
    """(numbers, values, errors) of a batch with unparsed lines (blank ones dropped)."""
    good_numbers, values, errors = [], [], []
    for line, value, number in zip(batch, parsed, numbers, strict=True):
        if value is _FAILED:
            if not line.strip():
                continue
            try:  # the standard library also reads what orjson refuses (e.g. 2**64)
                value = json.loads(line)
            except (ValueError, RecursionError):
                errors.append((number, *_line_error(line)))
                continue
        good_numbers.append(number)
        values.append(value)
    return good_numbers, values, errors


def _line_error(line: bytes) -> tuple[str, object]:
    """(reason, raw) for a line orjson rejected."""
    try:
        text = line.decode("utf-8")
    except UnicodeDecodeError:
        return "bad_encoding", line
    return _json_error_reason(text, ValueError()), line


def is_json_lines(path: str | Path) -> bool:
    """True when `iter_json_items` reads `path` line by line and `json_line_batches` can too."""
    encoding, _ = bom_encoding(read_head(path, 4))
    if encoding == "utf-16":
        return False
    first = first_char(path)
    return not (first == "[" or (first == "{" and _is_one_document(path)))


def _byte_lines(path: str | Path) -> Iterator[bytes | tuple]:
    """Lines of a file as bytes (UTF-8 BOM dropped); (None, message) if a compressed stream breaks."""
    with open_binary(path) as handle:
        rest = b""
        first = True
        while True:
            try:
                chunk = handle.read(_CHUNK * 8)
            except GZIP_ERRORS as exc:
                if rest:
                    yield rest
                yield (None, f"unreadable compressed data: {exc}")
                return
            if first:
                first = False
                if chunk.startswith(codecs.BOM_UTF8):
                    chunk = chunk[len(codecs.BOM_UTF8) :]
            if not chunk:
                if rest:
                    yield rest
                return
            lines = (rest + chunk).split(b"\n")
            rest = lines.pop()
            yield from lines


def parse_json(text: str) -> object:
    """Parse one JSON text; RowError("truncated_json") if it stops early, else RowError("bad_json")."""
    try:
        return _loads(text)
    except _DECODE_ERRORS as exc:
        raise RowError(_json_error_reason(text, exc)) from None


def _json_error_reason(text: str, exc: Exception) -> str:
    """Tell a line cut short (the parser ran off the end) from other malformed JSON."""
    stripped = text.rstrip()
    if isinstance(exc, RecursionError):
        return "bad_json"
    try:
        json.loads(stripped)
    except json.JSONDecodeError as std:  # stdlib messages/positions are the ones we can read
        if std.msg.startswith("Unterminated string") or std.pos >= len(stripped):
            return "truncated_json"
    except (ValueError, RecursionError):
        pass
    return "bad_json"


def iter_json_items(path: str | Path) -> Iterator[tuple[int, object, str | None, object]]:
    """Yield (position, item, error reason, raw) for a JSON array file or a JSON-lines file.

    For an array, position is the 1-based item index; a broken array yields every item before
    the break and then one error for the rest. A single (even pretty-printed) top-level object
    counts as one item. For JSON lines, position is the line number and each bad line is one error.
    """
    first = first_char(path)
    if first == "[" or (first == "{" and _is_one_document(path)):
        yield from _iter_document(path)
        return
    for number, text, raw, error in iter_lines(path):
        if error:
            yield number, None, error, raw
            continue
        try:
            yield number, parse_json(text), None, raw
        except RowError as exc:
            yield number, None, exc.reason, raw


def json_items_or_reject(
    path: str | Path, reject: Callable[[int, str, object], None]
) -> Iterator[tuple[int, object, object]]:
    """`iter_json_items` without the errors: each bad item goes to `reject(position, reason,
    raw)` (e.g. `Collector.reject`); the others are yielded as (position, item, raw)."""
    for position, item, error, raw in iter_json_items(path):
        if error:
            reject(position, error, raw)
        else:
            yield position, item, raw


def first_char(path: str | Path) -> str:
    """The first non-whitespace character of a text file ("" when empty or undecodable)."""
    head = read_head(path, 4096)
    encoding, bom_length = bom_encoding(head)
    text = head[bom_length:].decode(encoding or "utf-8", errors="ignore").lstrip()
    return text[:1]


def _is_one_document(path: str | Path) -> bool:
    """True when the file is one multi-line JSON object rather than JSON lines."""
    first_line = next(iter_lines(path), (0, None, b"", None))[1]
    if first_line is None:
        return False
    try:
        json.loads(first_line)
        return False
    except (json.JSONDecodeError, RecursionError):
        pass
    text = _read_document_text(path)
    try:
        return text is not None and isinstance(json.loads(text), dict)
    except (json.JSONDecodeError, RecursionError):
        return False


def _iter_document(path: str | Path) -> Iterator[tuple[int, object, str | None, object]]:
    text = _read_document_text(path)
    if text is None:
        yield 1, None, "bad_encoding", read_head(path, 4096)
        return
    yield from _document_items(text)


def _document_items(text: str) -> Iterator[tuple[int, object, str | None, object]]:
    """(item index, item, error, raw) of a JSON document: an array's items, or the document.

    A broken array yields every item before the break, then one error for the rest.
    """
    if not text.strip():
        return
    try:
        document = _loads(text)
    except _DECODE_ERRORS:
        yield from _salvage_array(text)
        return
    items = document if isinstance(document, list) else [document]
    for index, item in enumerate(items, start=1):
        yield index, item, None, item


def _read_document_text(path: str | Path) -> str | None:
    data = _read_upto(path, None)  # a cut-off gzip stream shows up as truncated JSON
    encoding, bom_length = bom_encoding(data[:4])
    try:
        return data[bom_length:].decode(encoding or "utf-8")
    except UnicodeDecodeError:
        return None


#: The assignment an X (Twitter) account archive puts before each data array.
JS_ASSIGNMENT = re.compile(r"^\s*window\.YTD\.[\w.]+\s*=\s*")


def iter_js_array_items(path: str | Path) -> Iterator[tuple[int, object, str | None, object]]:
    """Yield (item index, item, error, raw) from an archive file `window.YTD.x.part0 = [...]`.

    The assignment is stripped and the rest read as a JSON array (a broken array yields every
    item before the break, then one error for the rest); no assignment: a plain JSON document.
    """
    text = _read_document_text(path)
    if text is None:
        yield 1, None, "bad_encoding", read_head(path, 4096)
        return
    yield from _document_items(JS_ASSIGNMENT.sub("", text, count=1).rstrip().rstrip(";"))


def _salvage_array(text: str) -> Iterator[tuple[int, object, str | None, object]]:
    """Items of a broken JSON array up to the break, then one error for the remainder."""
    decoder = json.JSONDecoder()
    position = _skip_space(text, 0)
    index = 0
    if position >= len(text) or text[position] != "[":
        yield 1, None, _json_error_reason(text, ValueError()), text
        return
    position = _skip_space(text, position + 1)
    while position < len(text):
        if text[position] == "]":
            return
        try:
            item, position = decoder.raw_decode(text, position)
        except (json.JSONDecodeError, RecursionError) as exc:
            rest = text[position:]
            yield index + 1, None, _json_error_reason(rest, exc), rest
            return
        index += 1
        yield index, item, None, item
        position = _skip_space(text, position)
        if position < len(text) and text[position] == ",":
            position = _skip_space(text, position + 1)
        elif position < len(text) and text[position] != "]":
            rest = text[position:]
            yield index + 1, None, "bad_json", rest
            return
    yield index + 1, None, "truncated_json", ""


def _skip_space(text: str, position: int) -> int:
    while position < len(text) and text[position] in " \t\r\n":
        position += 1
    return position


def iter_csv_rows(
    path: str | Path,
) -> tuple[list[str], Iterator[tuple[int, list[str] | None, object, str | None]]]:
    """(header, rows) of a CSV file; rows yields (1-based data row number, fields, raw, error).

    Blank lines are skipped and not numbered. When a row cannot be read, fields is None,
    error is "bad_csv" (or "corrupt_gzip", then reading stops) and raw describes the problem.
    When the header itself cannot be read, header is [] and rows yields that one error.
    """
    handle = open_text(path)
    reader = csv.reader(handle)
    try:
        header = _first_row(reader)
    except (csv.Error, *GZIP_ERRORS) as exc:
        handle.close()
        reason = "bad_csv" if isinstance(exc, csv.Error) else "corrupt_gzip"
        return [], iter([(1, None, f"unreadable header: {exc}", reason)])
    if header is None:
        handle.close()
        return [], iter(())
    header = [name.strip() for name in header]
    return header, _data_rows(reader, handle)


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
            except GZIP_ERRORS as exc:
                yield number + 1, None, f"unreadable compressed data: {exc}", "corrupt_gzip"
                return
            if is_skipped_csv_row(row):
                continue
            number += 1
            yield number, row, row, None


def is_skipped_csv_row(fields: list[str]) -> bool:
    """True for a row the CSV readers skip without numbering it: empty or whitespace-only."""
    return not fields or (len(fields) == 1 and not fields[0].strip())


def is_ragged(fields: list[str], width: int) -> bool:
    """True when a CSV row has fewer fields than the header, or extra non-empty ones."""
    return len(fields) < width or any(f.strip() for f in fields[width:])
