"""The text the gate reads out of each kind of report artifact: pages (content, attributes,
data blocks, script string literals; not CSS), CSV cells, JSON strings, PNG text chunks, JPEG
metadata and images embedded as base64; and the text the toolkit itself ships, skipped."""

from __future__ import annotations

import base64
import binascii
import bisect
import csv
import functools
import io
import json
import logging
import re
import struct
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from importlib import resources
from pathlib import Path

from toolkit.privacy.detect.number_shapes import HAS_DIGIT
from toolkit.privacy.gate.text_keys import collapse

log = logging.getLogger(__name__)

HTML_SUFFIXES = frozenset({".html", ".htm", ".svg", ".xhtml"})
CSV_SUFFIXES = frozenset({".csv", ".tsv"})
TEXT_SUFFIXES = frozenset(
    {".html", ".htm", ".svg", ".xhtml", ".csv", ".tsv", ".txt", ".md", ".xml", ".yaml", ".yml",
     ".tex", ".js", ".mjs", ".css", ".log", ".jsonl", ".ndjson", ".rst", ".py", ".r", ".sql",
     ".ini", ".cfg", ".toml", ".rtf"}
)  # fmt: skip
JPEG_SUFFIXES = frozenset({".jpg", ".jpeg"})
JSON_SUFFIXES = frozenset({".json", ".ipynb", ".geojson"})
PNG_SUFFIXES = frozenset({".png"})
#: Data files the gate cannot read: publishing one is reported, never silently passed.
DATA_SUFFIXES = frozenset(
    {".parquet", ".feather", ".arrow", ".pkl", ".pickle", ".xlsx", ".xls", ".docx", ".pptx",
     ".zip", ".gz", ".tar", ".db", ".sqlite", ".duckdb", ".npy", ".npz", ".h5", ".hdf5",
     ".pdf", ".odt", ".ods", ".bz2", ".xz", ".7z", ".joblib", ".avro", ".orc"}
)  # fmt: skip
_DATA_URI = re.compile(
    r"data:(?P<mime>[\w.+-]+/[\w.+-]+)(?:;[\w.+-]+=[\w.+-]+)*;base64,(?P<data>[A-Za-z0-9+/=]+)"
)
# SVG geometry is lists of numbers (glyph outlines, paths) that can look like phones or cards.
_SVG_GEOMETRY = re.compile(r"""(?<=\s)(?:d|points|transform|viewBox)=(?:"[^"]*"|'[^']*')""")
_BASE64_RUN = re.compile(r"[A-Za-z0-9+/]{200,}={0,2}")
#: Notebook cell ids (random hex, e.g. "09412345") are machine identifiers, not phone numbers.
_CELL_ID = re.compile(r"[0-9A-Za-z_-]{1,64}")
_CELL_ID_ATTR = re.compile("cell-id=" + _CELL_ID.pattern)
#: CSS at-rules, blanked in stylesheets so that a customer handle "media" is not "@media".
_CSS_AT_RULE = re.compile(
    r"@-?(?:media|import|font-face|keyframes|supports|page|charset|namespace|layer|container|"
    r"property|counter-style|font-feature-values|-webkit-keyframes|document|viewport)\b",
    re.IGNORECASE,
)
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_IMAGE_KEYS = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp", "image/bmp"})
_MAX_INFLATE = 16 * 1024 * 1024


@dataclass(frozen=True)
class ShippedText:
    """Text the toolkit itself ships (notebook cells, page template): never customer data."""

    sources: frozenset[str] = frozenset()
    corpus: str = ""

    def holds(self, text: str) -> bool:
        """True for a fragment of shipped prose long enough to mean something (>= 20 chars)."""
        collapsed = collapse(text)
        return len(collapsed) >= 20 and collapsed in self.corpus


@functools.lru_cache(maxsize=4)
def shipped_text(notebooks_dir: Path | None = None) -> ShippedText:
    """The cells of the toolkit's notebooks and the text of the page template."""
    from toolkit.core.paths import NOTEBOOKS_DIR

    folder = Path(notebooks_dir) if notebooks_dir else NOTEBOOKS_DIR
    sources: set[str] = set()
    prose: list[str] = []
    for path in sorted(folder.glob("*.ipynb")):
        try:
            cells = json.loads(path.read_text(encoding="utf-8")).get("cells", [])
        except (OSError, json.JSONDecodeError):
            continue
        for cell in cells:
            source = cell.get("source", "")
            source = "".join(source) if isinstance(source, list) else str(source)
            if source.strip():
                sources.add(source.strip())
                if cell.get("cell_type") == "markdown":
                    prose.append(source)
    try:
        template = resources.files("toolkit").joinpath("resources", "report.html.j2").read_text()
        prose.append(re.sub(r"\{[{%#].*?[}%#]\}|<[^>]*>", " ", template, flags=re.S))
    except OSError:
        pass
    # Markdown markup is not in the rendered text: "*jane dot doe*" is shown as "jane dot doe".
    corpus = collapse(re.sub(r"[*_`#>|]+", " ", "\n".join(prose)))
    raw = collapse("\n".join(prose))
    return ShippedText(frozenset(sources), corpus + "\n" + raw)


@dataclass
class Chunk:
    """Text to scan and a function giving a human-readable position for an offset in it."""

    text: str
    locate: Callable[[str, int], str]


def _line_col(text: str, offset: int) -> str:
    line = text.count("\n", 0, offset) + 1
    col = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return f"{line}:{col}"


class _Pieces:
    """Text gathered from pieces (cells, strings, text nodes), each with where it came from."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.starts: list[int] = []
        self.where: list[Callable[[str], str]] = []
        self.cursor = 0

    def add(self, text: str, where: str | Callable[[str], str]) -> None:
        if not text:
            return
        self.starts.append(self.cursor)
        self.parts.append(text)
        self.where.append(where if callable(where) else (lambda inner, w=where: w))
        self.cursor += len(text) + 1

    def chunk(self) -> Chunk:
        joined = "\n".join(self.parts)
        starts, parts, where = self.starts, self.parts, self.where

        def locate(variant: str, offset: int) -> str:
            if not parts:
                return "/"
            i = max(0, bisect.bisect_right(starts, min(offset, len(joined))) - 1)
            inner = parts[i][: max(0, offset - starts[i])] if variant is joined else ""
            return where[i](inner)

        return Chunk(joined, locate)


def _text_chunks(text: str, where: str | None = None) -> Iterator[Chunk]:
    """A text (positions as line:col, or `where`) plus the payloads embedded in it."""
    main, payloads = _strip_payloads(text, where or "embedded")
    if where is None:
        yield Chunk(main, _line_col)
    else:
        yield Chunk(main, lambda variant, offset: where)
    yield from payloads


def _strip_payloads(text: str, where: str) -> tuple[str, list[Chunk]]:
    """Blank data URIs, long base64 runs and SVG geometry (same length, so offsets hold) and
    return the chunks decoded from the payloads: PNG metadata, embedded SVG / text."""
    payloads: list[tuple[str, bytes]] = []

    def take_data_uri(m: re.Match[str]) -> str:
        payloads.append((m.group("mime"), _b64decode(m.group("data"))))
        return _blank(m.group())

    def take_base64(m: re.Match[str]) -> str:
        run = m.group()
        # Random base64 mixes cases and digits; long words, paths and hex do not.
        if not (re.search(r"[a-z]", run) and re.search(r"[A-Z]", run) and HAS_DIGIT(run)):
            return run
        decoded = _b64decode(run)
        if not decoded:
            return run
        payloads.append(("application/octet-stream", decoded))
        return _blank(run)

    if "cell-id=" in text:
        text = _CELL_ID_ATTR.sub(lambda m: _blank(m.group()), text)
    if "data:" in text:
        text = _DATA_URI.sub(take_data_uri, text)
    if "<path" in text or "<svg" in text or "<polyline" in text:
        text = _SVG_GEOMETRY.sub(lambda m: _blank(m.group()), text)
    if len(text) >= 200:
        text = _BASE64_RUN.sub(take_base64, text)
    chunks = [c for mime, data in payloads for c in _payload_chunks(mime, data, where)]
    return text, chunks


def _blank(removed: str) -> str:
    """Same-length filler: one long word, so the scanners skip it in one step (spaces would
    offer a word start at every position)."""
    if len(removed) < 3:
        return " " * len(removed)
    return " " + "x" * (len(removed) - 2) + " "


def _b64decode(data: str) -> bytes:
    try:
        return base64.b64decode(data + "=" * (-len(data) % 4), validate=True)
    except (binascii.Error, ValueError):
        return b""


def _payload_chunks(mime: str, data: bytes, where: str) -> Iterator[Chunk]:
    if data.startswith(_PNG_SIGNATURE):
        for label, text in _png_text(data):
            yield Chunk(text, lambda variant, offset, label=label: f"{where} {label}")
    elif mime in ("image/svg+xml", "text/html"):
        decoded = data.decode("utf-8", errors="replace")
        yield from _html_chunks(decoded, shipped_text(), f"{where} ({mime})")
    elif (
        mime.startswith("text/")
        or mime == "application/json"
        or (mime == "application/octet-stream" and _looks_textual(data))
    ):
        decoded = data.decode("utf-8", errors="replace")
        yield from _text_chunks(decoded, f"{where} ({mime})")


def _looks_textual(data: bytes) -> bool:
    head = data[:4096]
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(head) - 3:  # not just a character cut at the 4 KiB boundary
            return False
        text = head[: exc.start].decode("utf-8")
    return sum(c.isprintable() or c in "\n\r\t" for c in text) >= 0.95 * max(len(text), 1)


def _png_text(data: bytes) -> Iterator[tuple[str, str]]:
    """(label, text) for each tEXt / zTXt / iTXt / eXIf chunk of a PNG; pixels are skipped."""
    pos = len(_PNG_SIGNATURE)
    while pos + 8 <= len(data):
        length, kind = struct.unpack(">I4s", data[pos : pos + 8])
        body = data[pos + 8 : pos + 8 + length]
        pos += 12 + length
        if kind == b"IEND":
            break
        try:
            text = _png_chunk_text(kind, body)
        except (zlib.error, ValueError, IndexError):
            text = body.decode("latin-1")
        if text is not None:
            yield f"png:{kind.decode('latin-1')}", text


def _png_chunk_text(kind: bytes, body: bytes) -> str | None:
    if kind == b"tEXt":
        return body.replace(b"\0", b"\n").decode("latin-1")
    if kind == b"zTXt":
        keyword, _, rest = body.partition(b"\0")
        return keyword.decode("latin-1") + "\n" + _inflate(rest[1:]).decode("latin-1")
    if kind == b"iTXt":
        keyword, _, rest = body.partition(b"\0")
        compressed, rest = rest[0], rest[2:]
        language, _, rest = rest.partition(b"\0")
        translated, _, text = rest.partition(b"\0")
        if compressed:
            text = _inflate(text)
        parts = (keyword, language, translated, text)
        return "\n".join(p.decode("utf-8", errors="replace") for p in parts)
    if kind == b"eXIf":
        return body.decode("latin-1")
    return None


def _jpeg_text(data: bytes) -> Iterator[tuple[str, str]]:
    """(label, text) for each metadata segment of a JPEG (EXIF/XMP in APPn, comments in COM);
    scanning stops at the image data."""
    pos = 2 if data.startswith(b"\xff\xd8") else len(data)
    while pos + 4 <= len(data) and data[pos] == 0xFF:
        marker = data[pos + 1]
        if marker == 0xDA:  # start of scan: pixels follow
            break
        length = struct.unpack(">H", data[pos + 2 : pos + 4])[0]
        body = data[pos + 4 : pos + 2 + length]
        if 0xE0 <= marker <= 0xEF or marker == 0xFE:
            yield (
                f"jpeg:{'COM' if marker == 0xFE else f'APP{marker - 0xE0}'}",
                body.decode("latin-1"),
            )
        pos += 2 + length


def _inflate(data: bytes) -> bytes:
    inflater = zlib.decompressobj()
    return inflater.decompress(data, _MAX_INFLATE)


#: Attributes that hold layout, geometry or styling, never content.
_LAYOUT_ATTRS = frozenset(
    "class style id d points transform viewbox width height x y x1 x2 y1 y2 cx cy r rx ry dx dy "
    "fill stroke stroke-width stroke-linecap stroke-linejoin stroke-dasharray stroke-miterlimit "
    "stroke-opacity fill-opacity opacity clip-path font-size font-family font-weight font-style "
    "text-anchor dominant-baseline xmlns xmlns:xlink version preserveaspectratio rel type lang "
    "dir role charset tabindex colspan rowspan border cellpadding cellspacing align valign "
    "xml:space http-equiv data-jp-theme-light data-jp-theme-name crossorigin integrity media "
    "sizes loading decoding target method".split()
)
_VOID_TAGS = frozenset(
    "area base br col embed hr img input link meta param source track wbr".split()
)
#: Classes of the elements that hold a notebook's markdown cell in nbconvert's HTML.
_MARKDOWN_CELL_CLASSES = ("jp-MarkdownCell", "text_cell_render")
_JS_STRING = re.compile(r""""((?:[^"\\\n]|\\.){3,})"|'((?:[^'\\\n]|\\.){3,})'""")


class _HTMLContent(HTMLParser):
    """The content of an HTML / SVG page: text nodes, attribute values (alt, title, href, data-*,
    meta content, ...), comments, JSON data blocks and the string literals of scripts; not the
    CSS, not the page's geometry, and not the toolkit's own prose (`shipped_text`) where it
    stands in a markdown cell of a notebook page (the same words in a table are read)."""

    def __init__(self, constant: ShippedText):
        super().__init__(convert_charrefs=True)
        self.constant = constant
        self.pieces = _Pieces()
        self.json_blocks: list[tuple[str, str]] = []  # (text, "line N")
        self._raw: str | None = None  # "style", "script" or "json" while inside one
        self._raw_tag = ""
        self._raw_parts: list[str] = []
        self._raw_line = 0
        self._open: list[tuple[str, bool]] = []  # (tag, opens a markdown cell)
        self._markdown = 0  # markdown cells we are inside

    def _where(self, line: int, col: int) -> Callable[[str], str]:
        def where(inner: str) -> str:
            newlines = inner.count("\n")
            if newlines:
                return f"{line + newlines}:{len(inner) - inner.rfind(chr(10))}"
            return f"{line}:{col + len(inner) + 1}"

        return where

    def _add(self, text: str) -> None:
        line, col = self.getpos()
        self.pieces.add(text, self._where(line, col))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        # Text nodes and attributes are joined with newlines, which names may span
        # ("<b>Dana</b> Whitfield"), so no tag needs to be told apart.
        tag = tag.lower()
        for name, value in attrs:
            if value and name.lower() not in _LAYOUT_ATTRS:
                self._add(value)
        if tag not in _VOID_TAGS and tag not in ("style", "script"):
            classes = dict(attrs).get("class") or ""
            markdown = any(c in classes for c in _MARKDOWN_CELL_CLASSES)
            self._open.append((tag, markdown))
            self._markdown += markdown
        if tag in ("style", "script"):
            kind = dict(attrs).get("type") or ""
            self._raw = "json" if (tag == "script" and "json" in kind.lower()) else tag
            self._raw_tag = tag
            self._raw_parts = []
            self._raw_line = self.getpos()[0]

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag.lower() in ("style", "script"):
            return
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if self._raw is None and any(t == tag.lower() for t, _ in self._open):
            while self._open:  # close up to the matching tag (HTML may omit end tags)
                opened, markdown = self._open.pop()
                self._markdown -= markdown
                if opened == tag.lower():
                    break
        if self._raw is not None and tag.lower() == self._raw_tag:
            text = "".join(self._raw_parts)
            if self._raw == "json":
                self.json_blocks.append((text, f"line {self._raw_line} <script>"))
            elif self._raw == "script":
                line = self._raw_line
                for m in _JS_STRING.finditer(text):
                    at = line + text.count("\n", 0, m.start())
                    self.pieces.add(_js_string(m.group(1) or m.group(2)), f"{at} <script> string")
            self._raw = None
            self._raw_parts = []

    def handle_data(self, data: str) -> None:
        if self._raw is not None:
            self._raw_parts.append(data)
            return
        if data.strip() and not (self._markdown and self.constant.holds(data)):
            self._add(data)

    def handle_comment(self, data: str) -> None:
        if self._raw is None and data.strip():
            self._add(data)


def _js_string(literal: str) -> str:
    """A JavaScript string literal's value ("\\u0410" -> "А"); as written if it is not JSON-like."""
    if "\\" not in literal:
        return literal
    try:
        return json.loads('"' + literal.replace("\\'", "'") + '"')
    except json.JSONDecodeError:
        return literal


def _html_chunks(text: str, constant: ShippedText, where: str | None = None) -> Iterator[Chunk]:
    """The content of an HTML or SVG document (see `_HTMLContent`), plus its embedded payloads."""
    parser = _HTMLContent(constant)
    try:
        parser.feed(text)
        parser.close()
    except (AssertionError, ValueError) as exc:  # malformed markup: read it as plain text
        log.warning("could not parse %s as HTML (%s); scanning it as text", where or "page", exc)
        yield from _text_chunks(text, where)
        return
    chunk = parser.pieces.chunk()
    main, payloads = _strip_payloads(chunk.text, where or "embedded")
    if where is None:
        yield Chunk(main, chunk.locate)
    else:
        yield Chunk(main, lambda variant, offset: f"{where} {chunk.locate(variant, offset)}")
    yield from payloads
    for block, line in parser.json_blocks:
        label = f"{where} {line}" if where else line
        try:
            document = json.loads(block)
        except json.JSONDecodeError:
            yield from _text_chunks(block, label)
            continue
        for inner in _json_chunks(document, constant):
            yield Chunk(
                inner.text, lambda v, o, inner=inner, label=label: f"{label} {inner.locate(v, o)}"
            )


def _csv_chunks(text: str, delimiter: str) -> Iterator[Chunk]:
    """Every cell of a CSV / TSV table, each located as "line L, column C (header)"."""
    pieces = _Pieces()
    rows = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header: list[str] = []
    line = 1
    try:
        for index, row in enumerate(rows):
            if index == 0:
                header = row
            for col, cell in enumerate(row):
                name = header[col] if col < len(header) and index else ""
                label = f"line {line}, column {col + 1}" + (f" ({name})" if name else "")
                pieces.add(cell, label)
            line = rows.line_num + 1
    except csv.Error as exc:
        log.warning("unreadable CSV (%s); scanning it as text", exc)
        yield from _text_chunks(text)
        return
    chunk = pieces.chunk()
    main, payloads = _strip_payloads(chunk.text, "cell")
    yield Chunk(main, chunk.locate)
    yield from payloads


def _json_chunks(document: object, constant: ShippedText | None = None) -> Iterator[Chunk]:
    """All strings (keys included) of a JSON document, positions given as JSON paths; image
    payloads are decoded and only their metadata scanned, HTML outputs read as pages, and a
    notebook cell as shipped with the toolkit skipped."""
    constant = constant or ShippedText()
    pieces = _Pieces()
    extra: list[Chunk] = []

    def walk(node: object, path: str, key: str = "") -> None:
        if isinstance(node, dict):
            for k, v in node.items():
                pieces.add(str(k), path or "/")
                walk(v, f"{path}/{k}", str(k))
        elif isinstance(node, list):
            if node and all(isinstance(v, str) for v in node):
                walk("".join(node), path, key)  # nbformat stores multi-line text as lists
            else:
                for i, v in enumerate(node):
                    walk(v, f"{path}/{i}", key)
        elif isinstance(node, str):
            where = path or "/"
            if key == "id" and path.startswith("/cells/") and _CELL_ID.fullmatch(node):
                return  # a notebook cell id
            if key == "source" and path.startswith("/cells/") and node.strip() in constant.sources:
                return  # the notebook's own text, as shipped
            if key in _IMAGE_KEYS:
                extra.extend(_payload_chunks(key, _b64decode("".join(node.split())), where))
                return
            if key in ("text/html", "image/svg+xml"):
                for inner in _html_chunks(node, constant, where):
                    extra.append(inner)
                return
            main, payloads = _strip_payloads(node, where)
            pieces.add(main, where)
            extra.extend(payloads)
        elif isinstance(node, int | float) and not isinstance(node, bool):
            pieces.add(str(node), path or "/")  # a phone number may be stored as a number

    walk(document, "")
    yield pieces.chunk()
    yield from extra


def file_chunks(path: Path, constant: ShippedText) -> Iterator[Chunk]:
    suffix = path.suffix.lower()
    data = path.read_bytes()
    if suffix in PNG_SUFFIXES:
        for label, text in _png_text(data):
            yield Chunk(text, lambda variant, offset, label=label: label)
        return
    if suffix in JPEG_SUFFIXES:
        for label, text in _jpeg_text(data):
            yield Chunk(text, lambda variant, offset, label=label: label)
        return
    text = _decode(data)
    if suffix in JSON_SUFFIXES:
        try:
            document = json.loads(text)
        except json.JSONDecodeError:
            log.warning("%s is not valid JSON; scanning it as text", path)
        else:
            yield from _json_chunks(document, constant)
            return
    if suffix in HTML_SUFFIXES:
        yield from _html_chunks(text, constant)
    elif suffix in CSV_SUFFIXES:
        yield from _csv_chunks(text, "\t" if suffix == ".tsv" else ",")
    elif suffix == ".css":
        yield from _text_chunks(_CSS_AT_RULE.sub(lambda m: _blank(m.group()), text))
    else:
        yield from _text_chunks(text)


def _decode(data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace")
    return data.decode("utf-8-sig", errors="replace")
