"""Ingest every source of a config into one canonical posts table, and account for every row.

Reconciliation, per file and in total: ``rows_in == loaded + rejected + duplicates`` where
- duplicates are rows already loaded (same platform and post id, same text, timestamp and
  author) from the same file or an earlier file in `config.sources` (the first one is kept),
  plus older versions of edited tweets;
- rejected are malformed rows (reason says why), rows whose platform and post id an earlier
  row has with other content (``conflicting_duplicate``), plus rows outside `config.period`,
  which are rejects with reason ``outside_period`` (the period is inclusive, whole UTC days).

A source that loads nothing, or rejects more than `ingest.max_reject_share` of its rows,
stops the run with a `SourceRejectedError` (unless the source sets `allow_rejects: true`).
Cross-file duplicates are removed before the period filter, and reply authors / thread roots
are filled from all loaded rows (so a reply inside the period can name a parent outside it).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from toolkit.core.config import Config, ConfigError, Period
from toolkit.core.paths import WorkLayout
from toolkit.core.schema import empty_posts, from_arrow, to_arrow, validate_posts
from toolkit.ingest.base import (
    IngestResult,
    check_reconciliation,
    duplicates_and_conflicts,
    empty_rejects,
    make_rejects,
    truncate_raw,
)
from toolkit.ingest.detect import UnknownFormatError, detect_format
from toolkit.ingest.files import ingest_file, unknown_format_result
from toolkit.ingest.generic import MappingError
from toolkit.ingest.identities import Identities
from toolkit.ingest.limits import CONFLICTING_DUPLICATE, Limits
from toolkit.ingest.relations import fill_reply_authors, fill_thread_roots
from toolkit.privacy.pseudonymise import pseudonymiser_for

log = logging.getLogger(__name__)

OUTSIDE_PERIOD = "outside_period"
_PRIVATE_DIR_MODE = 0o700
_PRIVATE_FILE_MODE = 0o600


@dataclass(eq=False)
class IngestRun:
    """The outcome of `ingest_config`.

    Attributes
    ----------
    posts : DataFrame
        Canonical posts inside the period, without duplicates.
    summary : dict
        Per-file and total reconciliation (also written to ingest_summary.json).
    paths : dict
        Output name -> path: posts, rejects_parquet, rejects_csv, summary, profile, identifiers.
    rejects : DataFrame
        All rejects, including rows outside the period.
    """

    posts: pd.DataFrame
    summary: dict
    paths: dict[str, Path]
    rejects: pd.DataFrame = field(default_factory=empty_rejects, repr=False)


class SourceRejectedError(ConfigError):
    """A source loaded nothing or rejected most of its rows: probably the wrong format.

    The message is one line naming the file, what it gave and the format it looks like.
    """


def check_sources(config: Config, file_summaries: list[dict]) -> None:
    """Raise SourceRejectedError for the first source that loaded nothing, or rejected more than
    `config.ingest.max_reject_share` of its rows, unless it sets `allow_rejects: true`.

    Rows outside the period and duplicates do not count against a source: only rejects for
    other reasons (a file that is all outside the period is a period question, not a format one).

    Parameters
    ----------
    config : Config
    file_summaries : list of dict
        Per-source summaries in `config.sources` order (as `combine_results` returns them).
    """
    share = config.ingest.max_reject_share
    for i, (source, summary) in enumerate(zip(config.sources, file_summaries, strict=True)):
        if source.allow_rejects or summary["rows_in"] == 0:
            continue  # an empty file is no format problem (a run with no posts says so later)
        reasons = summary["rejected_by_reason"]
        bad = summary["rejected"] - reasons.get(OUTSIDE_PERIOD, 0)
        rows = summary["rows_in"]
        read_something = summary["loaded"] + summary["duplicates"] + reasons.get(OUTSIDE_PERIOD, 0)
        if read_something and bad <= share * rows:
            continue
        top = ", ".join(f"{r} {n:,}" for r, n in list(reasons.items())[:3]) or "nothing read"
        what = (
            f"loaded nothing from {rows:,} rows"
            if not read_something
            else f"rejected {bad:,} of {rows:,} rows (over {share:.0%})"
        )
        raise SourceRejectedError(
            f"sources.{i} {source.path.name}: read as {summary['format']}, {what} ({top}); "
            f"{_format_hint(source.path, summary['format'])}set allow_rejects: true on this "
            "source to go on anyway"
        )


def _format_hint(path: Path, used: str) -> str:
    """ "it looks like <format>: set format: <format>; " when the detector sees another format."""
    try:
        detected = detect_format(path)
    except (UnknownFormatError, OSError, ValueError):
        return "the format detector does not recognise it; "
    if detected == used:
        return ""
    return f"it looks like {detected}: set format: {detected} (or auto); "


def ingest_config(config: Config, out_dir: str | Path | None = None) -> IngestRun:
    """Ingest all of a config's sources and write the canonical table and its reports.

    Parameters
    ----------
    config : Config
        Sources, brand accounts (kept as-is), period, and the pseudonymisation key setting.
    out_dir : str or Path, optional
        Output folder; default `config.work_dir`.

    Returns
    -------
    IngestRun
        Written: posts.parquet, rejects.parquet, rejects.csv, ingest_summary.json,
        profile.parquet and private/identifiers.json (mode 0600 in a 0700 folder).
    """
    out_dir = Path(out_dir) if out_dir is not None else config.work_dir
    brand = [h for handles in config.brand.accounts.values() for h in handles]
    identities = Identities(pseudonymiser_for(config), brand)
    limits = Limits.from_config(config.ingest)
    results = [_ingest_source(config, i, identities, limits) for i in range(len(config.sources))]
    posts, rejects, files = combine_results(results, config.period)
    check_sources(config, files)
    summary = build_summary(files, config.name, config.period)
    paths = _write_all(out_dir, posts, rejects, summary, identities.to_dict())
    return IngestRun(posts=posts, summary=summary, paths=paths, rejects=rejects)


def _ingest_source(config: Config, index: int, identities: Identities, limits: Limits):
    """`ingest_file` for source `index`; a mapping that does not fit the file (e.g. a twarc2 file
    given as csv) is a SourceRejectedError, or with `allow_rejects` one unknown_format reject."""
    src = config.sources[index]
    try:
        return ingest_file(
            src.path,
            src.format,
            src.platform,
            src.mapping or None,
            identities=identities,
            timestamp_format=src.timestamp_format,
            limits=limits,
        )
    except MappingError as exc:
        if not src.allow_rejects:
            why = str(exc).split("; the file's columns")[0]
            raise SourceRejectedError(
                f"sources.{index} {src.path.name}: read as {src.format}, {why}; "
                f"{_format_hint(src.path, src.format)}set allow_rejects: true on this "
                "source to go on anyway"
            ) from None
        return unknown_format_result(src.path, identities, f"read as {src.format}: {exc}")


def write_outputs(result: IngestResult, out_dir: str | Path) -> dict[str, Path]:
    """Write one file's ingest (e.g. from the CLI) like `ingest_config` does, into `out_dir`.

    Parameters
    ----------
    result : IngestResult
    out_dir : str or Path

    Returns
    -------
    dict
        Output name -> path (posts, rejects_parquet, rejects_csv, summary, profile, identifiers).
    """
    summary = build_summary([result.summary()])
    identifiers = result.identifiers.to_dict() if result.identifiers is not None else {}
    return _write_all(Path(out_dir), result.posts, result.rejects, summary, identifiers)


def combine_results(
    results: list[IngestResult], period: Period | None
) -> tuple[pd.DataFrame, pd.DataFrame, list[dict]]:
    """Concatenate per-file results, drop cross-file duplicates, fill links, apply the period.

    Parameters
    ----------
    results : list of IngestResult
        In source order (earlier files win duplicates).
    period : Period or None
        Inclusive UTC date range; None or open ends do not filter.

    Returns
    -------
    (posts, rejects, file summaries)
        Each file summary satisfies rows_in == loaded + rejected + duplicates.
    """
    frames = [r.posts for r in results if len(r.posts)]
    posts = pd.concat(frames, ignore_index=True) if frames else empty_posts()
    origin = _origins(results)
    duplicate, conflict = _duplicates_across_files(posts)
    duplicate_origin, conflict_origin = origin[duplicate], origin[conflict]
    conflict_rejects = rows_to_rejects(posts[conflict], CONFLICTING_DUPLICATE)
    dropped = duplicate | conflict
    posts, origin = posts[~dropped].reset_index(drop=True), origin[~dropped]
    posts = fill_thread_roots(fill_reply_authors(posts))
    inside = period_mask(posts["created_at"], period)
    outside_rows, outside_origin = posts[~inside], origin[~inside]
    posts, origin = posts[inside].reset_index(drop=True), origin[inside]
    rejects = pd.concat(
        [r.rejects for r in results] + [conflict_rejects, outside_rejects(outside_rows)],
        ignore_index=True,
    )
    files = [
        update_file_summary(
            result.summary(),
            loaded=int((origin == i).sum()),
            extra_duplicates=int((duplicate_origin == i).sum()),
            outside=int((outside_origin == i).sum()),
            conflicts=int((conflict_origin == i).sum()),
        )
        for i, result in enumerate(results)
    ]
    return posts, rejects, files


def _duplicates_across_files(posts: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """(duplicate, conflict) masks: rows whose platform and post id an earlier row has, with
    the same content (a duplicate) or not (a conflicting duplicate)."""
    duplicate = np.zeros(len(posts), dtype=bool)
    conflict = np.zeros(len(posts), dtype=bool)
    if not posts.duplicated(["platform", "post_id"], keep="first").any():
        return duplicate, conflict
    keys = pa.table(
        {
            name: pa.array(posts[name].astype(object).where(posts[name].notna(), None))
            for name in ("platform", "post_id", "text", "author")
        }
    ).append_column(
        "created_at", pa.array(posts["created_at"].to_numpy("datetime64[ns]").view("int64"))
    )
    first, conflicts = duplicates_and_conflicts(keys)
    duplicate[:] = True
    duplicate[first.to_numpy()] = False
    duplicate[conflicts] = False
    conflict[conflicts] = True
    return duplicate, conflict


def _origins(results: list[IngestResult]) -> np.ndarray:
    """For each concatenated post, the index of the result it came from."""
    return np.repeat(np.arange(len(results)), [len(r.posts) for r in results]).astype(int)


def update_file_summary(
    summary: dict, loaded: int, extra_duplicates: int, outside: int, conflicts: int = 0
) -> dict:
    """A file's summary after the cross-file step, checked: rows_in == loaded + rejected + duplicates.

    Parameters
    ----------
    summary : dict
        The file's own summary (`IngestResult.summary()` or `ingest_to_parquet`'s), not changed.
    loaded : int
        Its posts kept after the cross-file step.
    extra_duplicates : int
        Its posts dropped as duplicates of an earlier file's.
    outside : int
        Its posts outside the period (counted as `outside_period` rejects).
    conflicts : int
        Its posts whose platform and post id an earlier file has with other content
        (`conflicting_duplicate` rejects).
    """
    summary = dict(summary)
    reasons = dict(summary["rejected_by_reason"])
    if outside:
        reasons[OUTSIDE_PERIOD] = reasons.get(OUTSIDE_PERIOD, 0) + outside
    if conflicts:
        reasons[CONFLICTING_DUPLICATE] = reasons.get(CONFLICTING_DUPLICATE, 0) + conflicts
    summary.update(
        loaded=loaded,
        rejected=summary["rejected"] + outside + conflicts,
        rejected_by_reason=dict(sorted(reasons.items(), key=lambda kv: (-kv[1], kv[0]))),
        duplicates=summary["duplicates"] + extra_duplicates,
    )
    check_reconciliation(
        summary["file"], summary["rows_in"], loaded, summary["rejected"], summary["duplicates"]
    )
    return summary


def period_mask(created_at: pd.Series, period: Period | None) -> np.ndarray:
    """Boolean array: True where `created_at` falls in the inclusive UTC date period."""
    inside = np.ones(len(created_at), dtype=bool)
    if period is None:
        return inside
    if period.start is not None:
        inside &= (created_at >= _utc_midnight(period.start)).to_numpy()
    if period.end is not None:
        inside &= (created_at < _utc_midnight(period.end + dt.timedelta(days=1))).to_numpy()
    return inside


def _utc_midnight(day: dt.date) -> pd.Timestamp:
    return pd.Timestamp(day.year, day.month, day.day, tz="UTC")


def outside_rejects(rows: pd.DataFrame) -> pd.DataFrame:
    """Reject records (reason outside_period) for rows outside the period; raw = the row as JSON."""
    return rows_to_rejects(rows, OUTSIDE_PERIOD)


def rows_to_rejects(rows: pd.DataFrame, reason: str) -> pd.DataFrame:
    """Reject records with `reason` for canonical rows; raw = the row as JSON."""
    if rows.empty:
        return empty_rejects()
    raws = rows.drop(columns=["source_file", "source_line"]).to_json(
        orient="records", lines=True, date_format="iso", force_ascii=False
    )
    return make_rejects(
        rows["source_file"],
        rows["source_line"],
        [reason] * len(rows),
        [truncate_raw(line) for line in raws.splitlines()],
    )


def build_summary(
    files: list[dict], dataset: str | None = None, period: Period | None = None
) -> dict:
    """The JSON-able reconciliation: per file, and the total (checked to add up).

    Parameters
    ----------
    files : list of dict
        `IngestResult.summary()`-shaped dicts.
    dataset : str, optional
        Config name.
    period : Period, optional
    """
    reasons: dict[str, int] = {}
    for f in files:
        for reason, n in f["rejected_by_reason"].items():
            reasons[reason] = reasons.get(reason, 0) + n
    total = {
        key: sum(f[key] for f in files) for key in ("rows_in", "loaded", "rejected", "duplicates")
    }
    check_reconciliation(
        "total", total["rows_in"], total["loaded"], total["rejected"], total["duplicates"]
    )
    total["rejected_by_reason"] = dict(sorted(reasons.items(), key=lambda kv: (-kv[1], kv[0])))
    start, end = (period.start, period.end) if period is not None else (None, None)
    return {
        "dataset": dataset,
        "period": {
            "start": start.isoformat() if start else None,
            "end": end.isoformat() if end else None,
        },
        "reconciliation": "rows_in == loaded + rejected + duplicates; rejected includes "
        "rows outside the period (reason outside_period) and rows reusing a loaded post's id "
        "with other text, time or author (reason conflicting_duplicate); duplicates include "
        "rows already loaded from an earlier file and older versions of edited tweets",
        "files": files,
        "total": total,
    }


def _write_all(
    out_dir: Path, posts: pd.DataFrame, rejects: pd.DataFrame, summary: dict, identifiers: dict
) -> dict[str, Path]:
    """Write the ingest outputs into `out_dir` and return their paths.

    Raw customer identifiers go only to private/identifiers.json (0600, folder 0700); the
    rejects keep raw input, so they are owner-only too.
    """
    validate_posts(posts)
    out_dir.mkdir(parents=True, exist_ok=True)
    work = WorkLayout(out_dir)
    paths = {
        "posts": work.posts,
        "rejects_parquet": work.rejects,
        "rejects_csv": work.rejects_csv,
        "summary": work.summary,
        "profile": work.profile,
        "identifiers": work.identifiers,
    }
    rejects_table = pa.Table.from_pandas(rejects, preserve_index=False)
    _atomic(paths["posts"], lambda p: pq.write_table(to_arrow(posts), p))
    _atomic(
        paths["rejects_parquet"], lambda p: pq.write_table(rejects_table, p), _PRIVATE_FILE_MODE
    )
    _atomic(paths["rejects_csv"], lambda p: rejects.to_csv(p, index=False), _PRIVATE_FILE_MODE)
    _atomic(
        paths["summary"],
        lambda p: p.write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8"),
    )
    _atomic(paths["profile"], lambda p: pq.write_table(daily_profile(posts), p))
    write_private_json(paths["identifiers"], identifiers)
    return paths


def daily_profile(posts: pd.DataFrame) -> pa.Table:
    """Posts (and brand posts) per platform and UTC day, as an Arrow table."""
    frame = pd.DataFrame(
        {
            "platform": posts["platform"].astype(object),
            "day": posts["created_at"].dt.tz_convert("UTC").dt.date,
            "brand": posts["is_brand"].fillna(False).astype(bool),
        }
    )
    grouped = (
        frame.groupby(["platform", "day"], sort=True)["brand"].agg(["size", "sum"]).reset_index()
    )
    return pa.table(
        {
            "platform": grouped["platform"].tolist(),
            "day": grouped["day"].tolist(),
            "posts": grouped["size"].astype("int64").tolist(),
            "brand_posts": grouped["sum"].astype("int64").tolist(),
        },
        schema=daily_profile_schema(),
    )


def daily_profile_schema() -> pa.Schema:
    """Columns of `daily_profile`: platform, day, posts, brand_posts."""
    return pa.schema(
        [
            ("platform", pa.string()),
            ("day", pa.date32()),
            ("posts", pa.int64()),
            ("brand_posts", pa.int64()),
        ]
    )


def write_private_json(path: Path, payload: dict) -> None:
    """Write JSON readable by the owner only (file 0600, folder 0700), replacing atomically."""
    path.parent.mkdir(mode=_PRIVATE_DIR_MODE, parents=True, exist_ok=True)
    os.chmod(path.parent, _PRIVATE_DIR_MODE)
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, _PRIVATE_FILE_MODE)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        os.fchmod(handle.fileno(), _PRIVATE_FILE_MODE)
        json.dump(payload, handle, ensure_ascii=False, indent=2)
        handle.write("\n")
    os.replace(tmp, path)


def _atomic(path: Path, write, mode: int | None = None) -> None:
    """Write via a temporary file and rename, so a crash never leaves half a file."""
    tmp = path.with_name(path.name + ".tmp")
    write(tmp)
    if mode is not None:
        os.chmod(tmp, mode)
    os.replace(tmp, path)


def load_posts(config: Config) -> pd.DataFrame:
    """The canonical posts written by `ingest_config` for this config.

    Parameters
    ----------
    config : Config
    """
    path = config.work.posts
    if not path.is_file():
        raise FileNotFoundError(f"{path} not found: run the ingest step for {config.name!r} first")
    return from_arrow(pq.read_table(path))
