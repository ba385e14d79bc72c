"""Opening an input file: gzip and zip (within the decompression limits), byte-order marks and
text encodings.

Nothing here knows about formats; `toolkit.ingest.readers` (JSON) and `toolkit.ingest.csv_rows`
read what these functions open.
"""

from __future__ import annotations

import codecs
import gzip
import io
import zipfile
import zlib
from pathlib import Path
from typing import BinaryIO

from toolkit.ingest.limits import (
    DECOMPRESSION_LIMIT,
    DEFAULT_LIMITS,
    BoundedStream,
    DecompressionLimitError,
    Limits,
)

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
#: How much is read at a time.
CHUNK_BYTES = 1 << 20


class ArchiveError(ValueError):
    """A zip archive that does not hold exactly one data file."""


def open_binary(path: str | Path, limits: Limits | None = None) -> BinaryIO:
    """Open `path` for reading bytes, transparently decompressing gzip or a one-file zip.

    A compressed stream raises `DecompressionLimitError` (an EOFError, like a damaged stream)
    once it decompressed beyond `limits.decompressed_limit(compressed size)`.

    Raises
    ------
    ArchiveError
        For a zip archive with no data file or several (list each one as its own source).
    """
    limits = limits or DEFAULT_LIMITS
    handle = open(path, "rb")  # noqa: SIM115 - returned to the caller
    magic = handle.read(4)
    if magic[:3] == GZIP_MAGIC:
        handle.close()
        limit = limits.decompressed_limit(Path(path).stat().st_size)
        return BoundedStream(gzip.open(path, "rb"), limit, Path(path).name)
    if magic == ZIP_MAGIC:
        handle.close()
        return _open_zip_member(path, limits)
    handle.seek(0)
    return handle


def stream_error_reason(exc: BaseException) -> str:
    """The reject reason of a compressed stream that stopped being readable."""
    return DECOMPRESSION_LIMIT if isinstance(exc, DecompressionLimitError) else "corrupt_gzip"


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


def _open_zip_member(path: str | Path, limits: Limits) -> BinaryIO:
    members = zip_members(path)
    if not members or len(members) != 1:
        raise ArchiveError(
            f"{Path(path).name}: a zip archive must hold exactly one data file, it holds "
            f"{len(members or [])}: {(members or [])[:10]}; extract it and list each file as a source"
        )
    # the member keeps the archive's file open until it is closed itself
    with zipfile.ZipFile(path) as archive:
        member = archive.open(members[0])
        limit = limits.decompressed_limit(archive.getinfo(members[0]).compress_size)
        return BoundedStream(member, limit, Path(path).name)


def read_head(path: str | Path, size: int = 65536) -> bytes:
    """The first `size` (decompressed) bytes of a file (fewer if a gzip stream breaks early)."""
    return read_upto(path, size)


def read_upto(
    path: str | Path, size: int | None, limits: Limits | None = None, strict: bool = False
) -> bytes:
    """Up to `size` bytes (None: all); a damaged gzip stream gives what was readable.

    With `strict`, a stream beyond its decompression limit raises DecompressionLimitError.
    """
    parts, total = [], 0
    with open_binary(path, limits) as handle:
        try:
            while size is None or total < size:
                # read1: a damaged gzip stream still yields the blocks before the damage
                chunk = handle.read1(
                    CHUNK_BYTES if size is None else min(CHUNK_BYTES, size - total)
                )
                if not chunk:
                    break
                parts.append(chunk)
                total += len(chunk)
        except GZIP_ERRORS as exc:
            if strict and isinstance(exc, DecompressionLimitError):
                raise
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
            while chunk := handle.read(CHUNK_BYTES):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    except GZIP_ERRORS:  # a damaged stream is reported when the rows are read
        pass
    return True


def open_text(
    path: str | Path, encoding: str | None = None, limits: Limits | None = None
) -> io.TextIOWrapper:
    """Open a text file (gzip, BOM and encoding handled) with newline="" as the csv module wants."""
    encoding = encoding or detect_text_encoding(path)
    return io.TextIOWrapper(open_binary(path, limits), encoding=encoding, newline="")
