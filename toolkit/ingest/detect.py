"""Guess an input file's format from its name and first bytes.

twarc2 lines have `data` plus `includes`/`meta`; Reddit lines have `kind` t1/t3 (or Listing);
Mastodon is a JSON array of objects with `account` and `content`; a CrowdTangle CSV header has
`Post Created` and `Page Name`/`Account`; an X archive file starts `window.YTD.`; Bluesky
documents hold `at://` post views (or `feed`/`posts` of them); YouTube objects have a `kind`
starting `youtube#`. Anything else that is CSV, JSON lines / JSON or
Parquet is the matching generic format. gzip-compressed files are looked into.
"""

from __future__ import annotations

import csv
import io
import itertools
import json
from pathlib import Path

from toolkit.core.config import FORMATS as CONFIG_FORMATS
from toolkit.ingest.base import RowError
from toolkit.ingest.bluesky import is_bluesky_page
from toolkit.ingest.crowdtangle import crowdtangle_platform
from toolkit.ingest.opening import bom_encoding, read_head
from toolkit.ingest.readers import JS_ASSIGNMENT, iter_json_items, iter_lines, parse_json
from toolkit.ingest.youtube import is_youtube

#: Concrete formats (a config's "auto" resolves to one of these); the config lists them all.
FORMATS = tuple(name for name in CONFIG_FORMATS if name != "auto")
_CSV_SUFFIXES = (".csv", ".tsv", ".txt")
_JSON_SUFFIXES = (".json", ".jsonl", ".ndjson", ".jsonlines")
_PARQUET_SUFFIXES = (".parquet", ".pq")
_HEAD_BYTES = 1 << 16
_MAX_FIRST_ITEM_BYTES = 1 << 24
_LINES_TO_TRY = 20


class UnknownFormatError(ValueError):
    """The file is none of the supported formats."""


def detect_format(path: str | Path) -> str:
    """The format name (one of FORMATS) of an input file.

    Parameters
    ----------
    path : str or Path

    Raises
    ------
    UnknownFormatError
        When the content is neither JSON, CSV nor Parquet.
    """
    path = Path(path)
    suffix = _suffix(path)
    head = read_head(path, _HEAD_BYTES)
    if (head.startswith(b"PAR1") and _ends_with_parquet_magic(path)) or (
        suffix in _PARQUET_SUFFIXES and not head
    ):
        return "parquet"
    if not head.strip():
        return "csv" if suffix in _CSV_SUFFIXES else "jsonl"
    text = _decode(head)
    if JS_ASSIGNMENT.match(text):
        return "x_archive"
    first = text.lstrip()[:1]
    if first == "[":
        item = _first_array_item(path, text)
        return _classify(item if item is not None else _first_line_object(path))
    if first == "{" or suffix in _JSON_SUFFIXES:
        return _classify(_first_line_object(path))
    header = _csv_header(text)
    if header and crowdtangle_platform(header):
        return "crowdtangle"
    if header and (suffix in _CSV_SUFFIXES or len(header) > 1):
        return "csv"
    raise UnknownFormatError(f"{path.name}: not JSON, CSV or Parquet")


def _ends_with_parquet_magic(path: Path) -> bool:
    """Parquet files start and end with b"PAR1" (a text file may merely start with it)."""
    with open(path, "rb") as handle:
        handle.seek(0, 2)
        if handle.tell() < 12:
            return False
        handle.seek(-4, 2)
        return handle.read(4) == b"PAR1"


def _suffix(path: Path) -> str:
    suffixes = [s.lower() for s in path.suffixes]
    if suffixes and suffixes[-1] in (".gz", ".gzip"):
        suffixes.pop()
    return suffixes[-1] if suffixes else ""


def _decode(head: bytes) -> str:
    encoding, bom_length = bom_encoding(head)
    return head[bom_length:].decode(encoding or "utf-8", errors="replace")


def _classify(item) -> str:
    """Format name from one parsed item."""
    if not isinstance(item, dict):
        return "jsonl"
    keys = item.keys()
    if "data" in keys and ("includes" in keys or "meta" in keys or "__twarc" in keys):
        return "twarc2"
    if is_youtube(item):
        return "youtube"
    if is_bluesky_page(item):
        return "bluesky"
    if item.get("kind") in ("t1", "t3", "Listing"):
        return "reddit"
    if "account" in keys and "content" in keys:
        return "mastodon"
    if "author_id" in keys and "text" in keys and "id" in keys and "conversation_id" in keys:
        return "twarc2"  # a flattened tweet
    if "subreddit" in keys and ("body" in keys or "title" in keys) and "created_utc" in keys:
        return "reddit"  # a Pushshift-style dump line
    return "jsonl"


def _first_array_item(path: Path, head_text: str):
    """The first element of a JSON array file (None if it cannot be read)."""
    decoder = json.JSONDecoder()
    text = head_text
    for _ in range(2):
        start = text.index("[") + 1
        while start < len(text) and text[start] in " \t\r\n":
            start += 1
        try:
            return decoder.raw_decode(text, start)[0]
        except (json.JSONDecodeError, RecursionError):
            text = _decode(read_head(path, _MAX_FIRST_ITEM_BYTES))  # the first item is big
    return None


def _first_line_object(path: Path):
    """The first JSON object among the first lines of the file, or of a pretty-printed one."""
    for _, text, _, error in itertools.islice(iter_lines(path), _LINES_TO_TRY):
        if error:
            continue
        try:
            item = parse_json(text)
        except RowError:
            continue
        if isinstance(item, list):  # a one-line JSON array
            item = next((x for x in item if isinstance(x, dict)), None)
        if isinstance(item, dict):
            return item
    for _, item, error, _ in itertools.islice(iter_json_items(path), 1):  # a multi-line document
        if not error and isinstance(item, dict):
            return item
    return None


def _csv_header(text: str) -> list[str] | None:
    try:
        header = next(csv.reader(io.StringIO(text)), None)
    except csv.Error:
        return None
    return [name.strip() for name in header] if header else None
