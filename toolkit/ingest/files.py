"""Ingest one file: pick the loader, run it, and return posts, rejects and their reconciliation."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from toolkit.ingest.base import Collector, IngestResult
from toolkit.ingest.bluesky import read_bluesky
from toolkit.ingest.crowdtangle import read_crowdtangle
from toolkit.ingest.detect import FORMATS, UnknownFormatError, detect_format
from toolkit.ingest.generic import MappingError, read_csv, read_jsonl, read_parquet
from toolkit.ingest.identities import Identities
from toolkit.ingest.limits import Limits
from toolkit.ingest.mastodon import read_mastodon
from toolkit.ingest.opening import read_head, zip_members
from toolkit.ingest.reddit import read_reddit
from toolkit.ingest.relations import fill_reply_authors, fill_thread_roots
from toolkit.ingest.twarc2 import read_twarc2
from toolkit.ingest.x_archive import read_x_archive
from toolkit.ingest.youtube import read_youtube
from toolkit.privacy.pseudonymise import Pseudonymiser

log = logging.getLogger(__name__)

#: Platform of each platform-specific format (crowdtangle: from the header).
DEFAULT_PLATFORM = {
    "twarc2": "twitter",
    "reddit": "reddit",
    "mastodon": "mastodon",
    "x_archive": "twitter",
    "bluesky": "bluesky",
    "youtube": "youtube",
}
#: The signature every platform loader (`read_twarc2`, `read_reddit`, ...) shares on purpose:
#: read the file at `path`, pseudonymise and note identifiers through `identities`, and send
#: each item to `out` as one row or one reject (or a duplicate, found by `out`). See "Loader
#: signatures" in docs/ingest.md.
Reader = Callable[[Path, Identities, Collector], None]

#: Platform export format -> its loader.
PLATFORM_LOADERS: dict[str, Reader] = {
    "twarc2": read_twarc2,
    "reddit": read_reddit,
    "mastodon": read_mastodon,
    "crowdtangle": read_crowdtangle,
    "x_archive": read_x_archive,
    "bluesky": read_bluesky,
    "youtube": read_youtube,
}
#: Generic table format -> its loader (needs `platform` and a column mapping).
GENERIC_LOADERS: dict[str, Callable] = {
    "csv": read_csv,
    "jsonl": read_jsonl,
    "parquet": read_parquet,
}


def ingest_file(
    path: str | Path,
    format: str = "auto",  # noqa: A002 - the public name
    platform: str | None = None,
    mapping: dict[str, str] | None = None,
    pseudonymiser: Pseudonymiser | None = None,
    brand_handles=(),
    timestamp_format: str | None = None,
    identities: Identities | None = None,
    limits: Limits | None = None,
) -> IngestResult:
    """Read one raw platform file into canonical posts, rejects and a reconciliation.

    Parameters
    ----------
    path : str or Path
        The input file. gzip-compressed files and zip archives holding one file are read
        transparently (a zip with several files is one `unknown_format` reject).
    format : str
        "auto" (detect) or one of FORMATS.
    platform : str, optional
        Platform slug. Required for generic formats unless mapped; overrides the default
        of platform formats (twitter, reddit, mastodon; CrowdTangle infers facebook/instagram).
    mapping : dict, optional
        canonical column -> source column, for the generic csv/jsonl/parquet formats.
    pseudonymiser : Pseudonymiser, optional
        Keyed pseudonymiser. Without one, a one-off random key is used (pseudonyms then
        match nothing outside this call).
    brand_handles : iterable of str
        The brand's handles (any case, with or without '@'), in addition to the pseudonymiser's.
    timestamp_format : str, optional
        strptime format tried first for generic `created_at` values.
    identities : Identities, optional
        Shared across files by `ingest_config`; built from the two arguments above when absent.
    limits : Limits, optional
        Record, text, decompression and timestamp limits (default: `limits.DEFAULT_LIMITS`).

    Returns
    -------
    IngestResult
        With rows_in == n_loaded + n_rejected + n_duplicates (checked on creation).
    """
    path = Path(path)
    if identities is None:
        identities = Identities(pseudonymiser, brand_handles)
    detected = format == "auto"
    format, why = resolve_format(path, format)  # noqa: A001
    if format is None:
        return unknown_format_result(path, identities, why)
    out = Collector(path.name, platform or DEFAULT_PLATFORM.get(format), limits)
    try:
        run_loader(format, path, identities, out, mapping, timestamp_format)
    except MappingError as exc:
        if not detected or mapping:
            raise
        # auto-detected as generic but unlike the canonical columns: we cannot tell what it is
        log.warning(
            "%s: unrecognised format (%s); give format and mapping in the config", path.name, exc
        )
        return unknown_format_result(path, identities, f"looks like generic {format}; {exc}")
    posts, n_duplicates = out.posts()
    result = IngestResult(
        file=path.name,
        format=format,
        posts=fill_thread_roots(fill_reply_authors(posts)),
        rejects=out.rejects(),
        rows_in=out.rows_in,
        n_duplicates=n_duplicates,
        identifiers=identities,
    )
    log.info("%s (%s): %s", path.name, format, result.summary())
    return result


def resolve_format(
    path: Path,
    format: str,  # noqa: A002 - the public name
) -> tuple[str | None, str]:
    """The format to read `path` as, or None and why it cannot be read (one reject).

    Parameters
    ----------
    path : Path
    format : str
        "auto" (detect) or one of FORMATS.

    Returns
    -------
    (format, "") or (None, why)
        None for a zip archive that does not hold exactly one file, or a file "auto" cannot
        recognise.

    Raises
    ------
    ValueError
        When `format` is neither "auto" nor one of FORMATS.
    """
    members = zip_members(path)
    if members is not None and len(members) != 1:
        why = f"a zip archive must hold exactly one data file; it holds {len(members)}"
        return None, f"{why}: {members[:20]}"
    if format == "auto":
        try:
            return detect_format(path), ""
        except UnknownFormatError as exc:
            return None, str(exc)
    if format not in FORMATS:
        raise ValueError(f"unknown format {format!r}; choose 'auto' or one of {list(FORMATS)}")
    return format, ""


def run_loader(
    format: str,  # noqa: A002 - the public name
    path: Path,
    identities: Identities,
    out: Collector,
    mapping: dict[str, str] | None = None,
    timestamp_format: str | None = None,
) -> None:
    """Run the loader of `format` on `path`, sending every item to `out`.

    Parameters
    ----------
    format : str
        One of FORMATS.
    path : Path
    identities : Identities
    out : Collector
    mapping : dict, optional
        Generic formats only.
    timestamp_format : str, optional
        Generic formats only.

    Raises
    ------
    MappingError
        When a generic file's columns do not fit the mapping.
    """
    if format in PLATFORM_LOADERS:
        PLATFORM_LOADERS[format](path, identities, out)
    else:
        GENERIC_LOADERS[format](path, identities, out, mapping, timestamp_format)


def unknown_format_result(path: Path, identities: Identities, why: str) -> IngestResult:
    """The whole file as one reject: it is counted and reported, not silently skipped."""
    out = Collector(path.name)
    members = zip_members(path)
    head = read_head(path, 1000) if members is None or len(members) == 1 else b""
    out.reject(1, "unknown_format", f"{why}\n{head.decode('utf-8', errors='replace')}".rstrip())
    posts, _ = out.posts()
    return IngestResult(path.name, "unknown", posts, out.rejects(), out.rows_in, 0, identities)
