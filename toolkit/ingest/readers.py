"""Reading JSON: JSON lines, JSON documents and arrays, X archives' JS arrays, and what can be
salvaged from a cut-off document.

Nothing here knows about platforms; loaders get items (with their 1-based position) or a reason
why an item could not be read. Opening files (gzip, zip, encodings): `toolkit.ingest.opening`;
CSV rows: `toolkit.ingest.csv_rows`.
"""

from __future__ import annotations

import codecs
import dataclasses
import io
import itertools
import json
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from toolkit.ingest.base import Collector, RowError
from toolkit.ingest.limits import (
    DECOMPRESSION_LIMIT,
    DEFAULT_LIMITS,
    RECORD_TOO_LARGE,
    DecompressionLimitError,
    Limits,
    TooLarge,
)
from toolkit.ingest.opening import (
    CHUNK_BYTES,
    GZIP_ERRORS,
    bom_encoding,
    open_binary,
    read_head,
    read_upto,
    stream_error_reason,
)

try:  # orjson is optional: faster on large files, same results
    import orjson

    _loads = orjson.loads
    _DECODE_ERRORS: tuple[type[Exception], ...] = (orjson.JSONDecodeError, ValueError)
except ImportError:  # pragma: no cover - depends on the environment
    orjson = None
    _loads = json.loads
    _DECODE_ERRORS = (json.JSONDecodeError, ValueError, RecursionError)


def iter_lines(
    path: str | Path, limits: Limits | None = None
) -> Iterator[tuple[int, str | None, str | bytes, str | None]]:
    """Yield (line number, text, raw, error) for every non-blank line of a JSON-lines file.

    Lines end at \n, \r\n or a bare \r (a raw \r cannot be inside a JSON string).
    `error` is None for a readable line; "bad_encoding" when the line is not valid text in
    the file's encoding (UTF-8, or UTF-16 with a BOM), text is then None and raw the bytes;
    "record_too_large" for a line above `limits.max_record_bytes` (skipped unread, raw is its
    start); "corrupt_gzip" (or "decompression_limit") once, at the end, when a compressed
    stream is damaged or cut off (or decompresses beyond its limit).
    """
    encoding, _ = bom_encoding(read_head(path, 4))
    lines = _text_lines(path, limits) if encoding == "utf-16" else _byte_lines(path, limits)
    number = 0
    for raw in lines:
        if isinstance(raw, tuple):
            yield number + 1, None, raw[1], raw[2]
            return
        number += 1
        if isinstance(raw, TooLarge):
            yield number, None, raw.describe(), RECORD_TOO_LARGE
            continue
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


def _text_lines(path: str | Path, limits: Limits | None) -> Iterator[str | TooLarge | tuple]:
    """Lines of a UTF-16 file (universal newlines), capped like `_byte_lines`."""
    cap = (limits or DEFAULT_LIMITS).max_record_bytes // 2  # characters of 2+ bytes
    with io.TextIOWrapper(open_binary(path, limits), encoding="utf-16", errors="replace") as text:
        try:
            while line := text.readline(cap + 1):
                if len(line) <= cap or line.endswith("\n"):
                    yield line
                    continue
                size = len(line)
                while (more := text.readline(cap + 1)) and not more.endswith("\n"):
                    size += len(more)
                yield TooLarge(line[:500].encode("utf-8", "replace"), 2 * (size + len(more)))
        except GZIP_ERRORS as exc:
            yield (None, f"unreadable compressed data: {exc}", stream_error_reason(exc))


def json_line_batches(
    path: str | Path, size: int, limits: Limits | None = None
) -> Iterator[tuple[list[int], list[object], list[tuple[int, str, object]]]]:
    """Batches of a UTF-8 JSON-lines file: (line numbers, parsed values, errors).

    The fast path for large files: each batch's lines go to orjson in one list comprehension.
    A batch covers up to `size` lines; `errors` holds (line number, reason, raw) for lines that
    did not parse ("bad_encoding", "truncated_json", "bad_json", or "corrupt_gzip" once when a
    compressed stream breaks). Blank lines are skipped. Files with a UTF-16 byte-order mark
    must go through `iter_lines` instead.
    """
    for chunk in json_line_chunks(path, size, limits):
        yield parse_json_lines(chunk.lines, chunk.first_number)
        if chunk.broken is not None:
            yield [], [], [chunk.broken]


@dataclass(frozen=True)
class LineChunk:
    """Consecutive raw lines of a file, not parsed yet.

    Attributes
    ----------
    lines : list of bytes (or `TooLarge` for a line skipped as too large)
    first_number : int
        1-based number of the first line.
    broken : tuple or None
        (line number, "corrupt_gzip" or "decompression_limit", message) when the compressed
        stream broke after them.
    """

    lines: list[bytes | TooLarge]
    first_number: int
    broken: tuple[int, str, str] | None = None


def json_line_chunks(
    path: str | Path, size: int, limits: Limits | None = None
) -> Iterator[LineChunk]:
    """Up to `size` raw lines at a time of a UTF-8 JSON-lines file (parse with `parse_json_lines`)."""
    lines = _byte_lines(path, limits)
    number = 0
    while batch := list(itertools.islice(lines, size)):
        broken = batch.pop() if isinstance(batch[-1], tuple) else None
        chunk = LineChunk(batch, number + 1)
        number += len(batch)
        if broken is not None:
            yield dataclasses.replace(chunk, broken=(number + 1, broken[2], broken[1]))
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


def _loads_or_fail(line: bytes | TooLarge) -> object:
    try:
        return _loads(line)
    except (*_DECODE_ERRORS, TypeError):  # TypeError: a TooLarge marker
        return _FAILED


def _split_failures(batch: list[bytes], parsed: list, numbers: range) -> tuple[list, list, list]:
    """(numbers, values, errors) of a batch with unparsed lines (blank ones dropped)."""
    good_numbers, values, errors = [], [], []
    for line, value, number in zip(batch, parsed, numbers, strict=True):
        if value is _FAILED:
            if isinstance(line, TooLarge):
                errors.append((number, RECORD_TOO_LARGE, line.describe()))
                continue
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


def is_json_lines(path: str | Path, limits: Limits | None = None) -> bool:
    """True when `iter_json_items` reads `path` line by line and `json_line_batches` can too."""
    encoding, _ = bom_encoding(read_head(path, 4))
    if encoding == "utf-16":
        return False
    first = first_char(path)
    return not (first == "[" or (first == "{" and _is_one_document(path, limits)))


def _byte_lines(
    path: str | Path, limits: Limits | None = None
) -> Iterator[bytes | TooLarge | tuple]:
    """Lines of a file as bytes (UTF-8 BOM dropped), split at \n, \r\n and bare \r.

    A raw \r cannot be inside a JSON string (it would be escaped), so a bare one ends a record.
    A line longer than `limits.max_record_bytes` is skipped without being kept in memory and
    given as a `TooLarge`; a compressed stream that breaks ends the lines with
    (None, message, reason).
    """
    cap = (limits or DEFAULT_LIMITS).max_record_bytes
    with open_binary(path, limits) as handle:
        rest = carry = b""
        skipping: TooLarge | None = None  # the start of a line too large, while skipping it
        first = True
        while True:
            try:
                # read1: a damaged gzip stream still yields the blocks before the damage
                chunk = handle.read1(min(CHUNK_BYTES * 8, cap + 1))
            except GZIP_ERRORS as exc:  # the line cut by the break is part of the reject
                yield (None, f"unreadable compressed data: {exc}", stream_error_reason(exc))
                return
            if first:
                first = False
                if chunk.startswith(codecs.BOM_UTF8):
                    chunk = chunk[len(codecs.BOM_UTF8) :]
            if not chunk:
                if skipping is not None:
                    yield skipping
                elif rest:
                    yield rest
                return
            chunk, carry = carry + chunk, b""
            if b"\r" in chunk:
                if chunk.endswith(b"\r"):  # maybe the first half of a \r\n
                    chunk, carry = chunk[:-1], b"\r"
                chunk = chunk.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
            if skipping is not None:
                end = chunk.find(b"\n")
                if end < 0:
                    skipping = TooLarge(skipping.head, skipping.size + len(chunk))
                    continue
                yield TooLarge(skipping.head, skipping.size + end)
                skipping, chunk = None, chunk[end + 1 :]
            lines = (rest + chunk).split(b"\n")
            rest = lines.pop()
            for line in lines:
                yield line if len(line) <= cap else TooLarge(line[:500], len(line))
            if len(rest) > cap:
                skipping, rest = TooLarge(rest[:500], len(rest)), b""


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


def iter_json_items(
    path: str | Path, limits: Limits | None = None
) -> Iterator[tuple[int, object, str | None, object]]:
    """Yield (position, item, error reason, raw) for a JSON array file or a JSON-lines file.

    For an array, position is the 1-based item index; a broken array yields every item before
    the break and then one error for the rest. A single (even pretty-printed) top-level object
    counts as one item. For JSON lines, position is the line number and each bad line is one error.
    """
    first = first_char(path)
    if first == "[" or (first == "{" and _is_one_document(path, limits)):
        yield from _iter_document(path, limits)
        return
    for number, text, raw, error in iter_lines(path, limits):
        if error:
            yield number, None, error, raw
            continue
        try:
            yield number, parse_json(text), None, raw
        except RowError as exc:
            yield number, None, exc.reason, raw


def json_items_or_reject(
    path: str | Path, reject: Callable[[int, str, object], None], limits: Limits | None = None
) -> Iterator[tuple[int, object, object]]:
    """`iter_json_items` without the errors: each bad item goes to `reject(position, reason,
    raw)` (e.g. `Collector.reject`); the others are yielded as (position, item, raw)."""
    return reject_errors(iter_json_items(path, limits), reject)


def reject_errors(
    items: Iterable[tuple[int, object, str | None, object]],
    reject: Callable[[int, str, object], None],
) -> Iterator[tuple[int, object, object]]:
    """(position, item, raw) of the items read; each error goes to `reject(position, reason,
    raw)` instead.

    Parameters
    ----------
    items : iterable
        (position, item, error, raw) as `iter_json_items` or `iter_js_array_items` yield them.
    reject : callable
        E.g. `Collector.reject`.
    """
    for position, item, error, raw in items:
        if error:
            reject(position, error, raw)
        else:
            yield position, item, raw


def json_entries_or_reject(
    path: str | Path,
    reject: Callable[[int, str, object], None],
    limits: Limits | None,
    entries_of: Callable[[object], list | None],
    not_a_document: str,
) -> Iterator[tuple[int, object]]:
    """(position, entry) of each entry of each JSON item (page, list, single object).

    Parameters
    ----------
    path, reject, limits
        As for `json_items_or_reject`: unreadable items go to `reject`.
    entries_of : callable
        item -> the entries it holds (a page's posts...), or None when it is none of the
        documents the loader reads.
    not_a_document : str
        Reject reason of an item `entries_of` gives None for (its raw input is the item's).
    """
    for position, item, raw in json_items_or_reject(path, reject, limits):
        entries = entries_of(item)
        if entries is None:
            reject(position, not_a_document, raw)
            continue
        for entry in entries:
            yield position, entry


def read_json_entries(
    path: str | Path,
    out: Collector,
    convert: Callable[[object], dict | tuple],
    entries_of: Callable[[object], list | None] = lambda item: [item],
    not_a_document: str = "bad_record",
) -> None:
    """The body of a JSON loader: each entry of each JSON item becomes a row or a reject in `out`.

    Parameters
    ----------
    path : str or Path
    out : Collector
        Receives the rows (`Collector.add_item`, numbered by the item's position) and rejects.
    convert : callable
        entry -> canonical row (or row, dedupe key, version), as `Collector.add_item` takes it.
    entries_of, not_a_document
        As for `json_entries_or_reject` (default: each item is one entry).
    """
    for position, entry in json_entries_or_reject(
        path, out.reject, out.limits, entries_of, not_a_document
    ):
        out.add_item(position, entry, convert)


def first_char(path: str | Path) -> str:
    """The first non-whitespace character of a text file ("" when empty or undecodable)."""
    head = read_head(path, 4096)
    encoding, bom_length = bom_encoding(head)
    text = head[bom_length:].decode(encoding or "utf-8", errors="ignore").lstrip()
    return text[:1]


def _is_one_document(path: str | Path, limits: Limits | None = None) -> bool:
    """True when the file is one multi-line JSON object rather than JSON lines."""
    first_line = next(iter_lines(path, limits), (0, None, b"", None))[1]
    if first_line is None:
        return False
    try:
        json.loads(first_line)
        return False
    except (json.JSONDecodeError, RecursionError):
        pass
    text = _read_document_text(path, limits)
    try:
        return text is not None and isinstance(json.loads(text), dict)
    except (json.JSONDecodeError, RecursionError):
        return False


def _iter_document(
    path: str | Path, limits: Limits | None = None, prepare: Callable[[str], str] | None = None
) -> Iterator[tuple[int, object, str | None, object]]:
    """(item index, item, error, raw) of a whole-file JSON document (see `_document_items`).

    An unreadable file is one error; `prepare` edits the text before it is parsed.
    """
    try:
        text = _read_document_text(path, limits, strict=True)
    except DecompressionLimitError as exc:
        yield 1, None, DECOMPRESSION_LIMIT, str(exc)
        return
    if text is None:
        yield 1, None, "bad_encoding", read_head(path, 4096)
        return
    yield from _document_items(text if prepare is None else prepare(text))


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


def _read_document_text(
    path: str | Path, limits: Limits | None = None, strict: bool = False
) -> str | None:
    # a cut-off gzip stream shows up as truncated JSON; one beyond its limit raises if strict
    data = read_upto(path, None, limits, strict)
    encoding, bom_length = bom_encoding(data[:4])
    try:
        return data[bom_length:].decode(encoding or "utf-8")
    except UnicodeDecodeError:
        return None


#: The assignment an X (Twitter) account archive puts before each data array.
JS_ASSIGNMENT = re.compile(r"^\s*window\.YTD\.[\w.]+\s*=\s*")


def iter_js_array_items(
    path: str | Path, limits: Limits | None = None
) -> Iterator[tuple[int, object, str | None, object]]:
    """Yield (item index, item, error, raw) from an archive file `window.YTD.x.part0 = [...]`.

    The assignment is stripped and the rest read as a JSON array (a broken array yields every
    item before the break, then one error for the rest); no assignment: a plain JSON document.
    """
    yield from _iter_document(path, limits, _strip_js_assignment)


def _strip_js_assignment(text: str) -> str:
    """The JSON of an archive file: without `window.YTD... =` and the closing ';'."""
    return JS_ASSIGNMENT.sub("", text, count=1).rstrip().rstrip(";")


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


def salvage_prefix(text: str) -> tuple[object, tuple[str, ...] | None, str]:
    """The complete part of a JSON object or array cut off at the end of `text`.

    Object members are kept when complete, and salvaged the same way when they are objects or
    arrays themselves; array items are kept whole or not at all (a cut tweet is not half a
    tweet). Used to recover the tweets of a truncated twarc2 page.

    Returns
    -------
    (value, cut, rest)
        `value`: the salvaged object / list (None when `text` does not start one); `cut`: the
        keys / indices leading to the member or item that was cut, None when nothing was;
        `rest`: the text of that member or item (what was lost).
    """
    decoder = json.JSONDecoder()
    position = _skip_space(text, 0)
    if position >= len(text) or text[position] not in "[{":
        return None, (), text
    value, cut, rest, _ = _salvage_container(text, position, decoder)
    return value, cut, rest


def _salvage_container(text: str, position: int, decoder: json.JSONDecoder):
    """(value, cut path, rest, end position) of the container starting at `position`."""
    is_object = text[position] == "{"
    value: dict | list = {} if is_object else []
    closing = "}" if is_object else "]"
    position = _skip_space(text, position + 1)
    index = 0
    while True:
        if position >= len(text):
            return value, (), "", position
        if text[position] == closing:
            return value, None, "", position + 1
        start = position
        key: str | int = index
        if is_object:
            try:
                key, position = decoder.raw_decode(text, position)
            except (json.JSONDecodeError, RecursionError):
                return value, (), text[start:], position
            position = _skip_space(text, position)
            if position >= len(text) or text[position] != ":" or not isinstance(key, str):
                return value, (), text[start:], position
            position = _skip_space(text, position + 1)
        try:
            item, position = decoder.raw_decode(text, position)
        except (json.JSONDecodeError, RecursionError):
            if is_object and position < len(text) and text[position] in "[{":
                inner, cut, rest, _ = _salvage_container(text, position, decoder)
                value[key] = inner
                return value, (key, *(cut or ())), rest, len(text)
            return value, (key,) if is_object else (), text[start:], len(text)
        if is_object:
            value[key] = item
        else:
            value.append(item)
        index += 1
        position = _skip_space(text, position)
        if position < len(text) and text[position] == ",":
            position = _skip_space(text, position + 1)
        elif position < len(text) and text[position] != closing:
            return value, (), text[position:], len(text)
