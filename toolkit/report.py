"""Build a report: ingest, run the notebooks with papermill, render HTML, write the manifest,
gate the artifacts for personal data, then move the finished report into place atomically.

A failure anywhere leaves the previous report untouched and raises ReportError naming the
notebook and cell.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import nbformat

from toolkit.config import NOTEBOOKS_DIR, REPORTS_DIR, Config, load_config
from toolkit.manifest import (
    fingerprint,
    git_commit,
    input_hashes,
    key_id,
    ner_model,
    package_versions,
)

log = logging.getLogger(__name__)

#: The notebooks of a report, in the order they run; the brief comes last and opens the site.
NOTEBOOKS = ("01_ingest", "02_topics", "03_engagement", "04_privacy_risk", "05_brief")
TITLES = {
    "05_brief": "Brief",
    "01_ingest": "Ingest profile",
    "02_topics": "Topics",
    "03_engagement": "Engagement & tone",
    "04_privacy_risk": "Privacy risk",
}
KERNEL = "toolkit"
#: The kernel's own log (e.g. the warning about kernels on local TCP ports) is noise in the
#: terminal; errors in cells are reported by papermill.
KERNEL_ARGS = ["--IPKernelApp.log_level=ERROR"]


class ReportError(RuntimeError):
    """The report could not be built; the previous report (if any) is untouched."""


@dataclass
class ReportResult:
    path: Path
    up_to_date: bool
    seconds: float
    notebook_seconds: dict[str, float]


def build_report(
    config_path: str | Path, force: bool = False, progress: Callable[[str], None] = log.info
) -> ReportResult:
    """Build `reports/<config name>/` for a config; skip everything when it is already current.

    Parameters
    ----------
    config_path : path of the dataset's YAML config.
    force : rebuild even when the existing report's fingerprint matches.
    progress : called with one line per step (the CLI prints them).
    """
    started = time.perf_counter()
    config = load_config(config_path)
    current = fingerprint(config, key_id(config.hmac_key()))
    if not force and _existing_fingerprint(config.report_dir) == current:
        return ReportResult(config.report_dir, True, time.perf_counter() - started, {})

    staging = REPORTS_DIR / f".{config.name}.staging-{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    try:
        progress(f"ingest: {len(config.sources)} source file(s), {config.engine} engine")
        from toolkit.notebook import ensure_ingested

        posts = ensure_ingested(config, current)
        timings = _run_notebooks(config, staging, progress)
        manifest = _manifest(staging, config, current, timings)
        progress("render: HTML pages")
        _render_site(staging, config, manifest)
        (staging / "manifest.json").write_text(json.dumps(manifest, indent=2, ensure_ascii=False))
        progress("gate: scanning every artifact for personal data")
        _gate(staging, config, posts)
        _swap_into_place(staging, config.report_dir)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return ReportResult(config.report_dir, False, time.perf_counter() - started, timings)


def _existing_fingerprint(report_dir: Path) -> str | None:
    manifest = report_dir / "manifest.json"
    if not (manifest.exists() and (report_dir / "index.html").exists()):
        return None
    try:
        return json.loads(manifest.read_text()).get("fingerprint")
    except json.JSONDecodeError:
        return None


def _run_notebooks(config: Config, staging: Path, progress) -> dict[str, float]:
    import papermill
    from papermill.exceptions import PapermillExecutionError

    timings = {}
    for i, name in enumerate(NOTEBOOKS, 1):
        progress(f"notebook {i}/{len(NOTEBOOKS)}: {name} ({TITLES.get(name, name)}) running...")
        t0 = time.perf_counter()
        try:
            papermill.execute_notebook(
                NOTEBOOKS_DIR / f"{name}.ipynb",
                staging / f"{name}.ipynb",
                parameters={"config_path": str(config.path), "output_dir": str(staging)},
                kernel_name=KERNEL,
                cwd=str(NOTEBOOKS_DIR),
                progress_bar=False,
                log_output=False,
                extra_arguments=KERNEL_ARGS,
            )
        except PapermillExecutionError as exc:
            raise ReportError(
                f"notebook {name} failed at In [{exc.exec_count}] (cell {exc.cell_index + 1} of the "
                f"executed notebook, parameters cell included): {exc.ename}: {exc.evalue}"
            ) from None
        timings[name] = round(time.perf_counter() - t0, 2)
        progress(f"notebook {i}/{len(NOTEBOOKS)}: {name} done in {timings[name]:.1f} s")
        _fix_injected_cell_id(staging / f"{name}.ipynb")
    return timings


def _fix_injected_cell_id(path: Path) -> None:
    """papermill gives its injected-parameters cell a random id: make it stable so that the
    same inputs give the same notebook."""
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if "injected-parameters" in cell.metadata.get("tags", []):
            cell["id"] = "injected-parameters"
    nbformat.write(nb, path)


def _render_site(staging: Path, config: Config, manifest: dict) -> None:
    """One HTML page per notebook (no code) with navigation and the provenance footer;
    index.html is the brief."""
    from toolkit import site
    from toolkit.manifest import summary

    footer = site.footer_html(summary(manifest))
    for name in NOTEBOOKS:
        nb = nbformat.read(staging / f"{name}.ipynb", as_version=4)
        nav = site.nav_html(TITLES, name, config.brand.name)
        page = site.render_page(nb, f"{TITLES[name]} - {config.brand.name}", nav, footer)
        (staging / f"{name}.html").write_text(page, encoding="utf-8")
    shutil.copyfile(staging / f"{NOTEBOOKS[-1]}.html", staging / "index.html")


def _manifest(staging: Path, config: Config, current: str, timings: dict) -> dict:
    """What manifest.json records: provenance of the report being built in `staging`."""
    findings = _read_json(staging / "findings.json")
    manifest = {
        "report": config.name,
        "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "fingerprint": current,
        "git_commit": git_commit(),
        "config_file": config.path.name if config.path else None,
        "config": json.loads(config.model_dump_json()),
        "parameters": {"config_path": config.path.name if config.path else None},
        "seeds": {"analysis.seed": config.analysis.seed, "threads": config.analysis.threads},
        "data_period": _data_period(findings, config),
        "inputs": input_hashes(config),
        "packages": package_versions(),
        "ner_model": ner_model(config),
        "notebook_seconds": timings,
    }
    # Absolute paths are machine-specific: publish file names only.
    for src in manifest["config"]["sources"]:
        src["path"] = Path(src["path"]).name
    return manifest


def _data_period(findings: dict, config: Config) -> dict:
    """First and last day of the posts (as recorded by 01_ingest), else the configured period."""
    if findings.get("period_start") and findings.get("period_end"):
        return {"start": findings["period_start"], "end": findings["period_end"]}
    period = json.loads(config.model_dump_json()).get("period") or {}
    return {"start": period.get("start"), "end": period.get("end")}


def _read_json(path: Path) -> dict:
    try:
        return json.loads(path.read_text())
    except (OSError, json.JSONDecodeError):
        return {}


def _gate(staging: Path, config: Config, posts) -> None:
    from toolkit.gate import GateError, check, collect_identifiers

    identifiers = collect_identifiers(posts, config.work_dir / "private" / "identifiers.json")
    allow = config.public_names()
    try:
        check(staging, identifiers, brand_allowlist=allow)
    except GateError as exc:
        raise ReportError(f"privacy gate stopped the report:\n{exc}") from None


def _swap_into_place(staging: Path, target: Path) -> None:
    """Replace `target` with `staging` so that a reader never sees a half-written report."""
    old = target.with_name(f".{target.name}.old-{os.getpid()}")
    if target.exists():
        target.rename(old)
    staging.rename(target)
    shutil.rmtree(old, ignore_errors=True)


def refresh_notebooks(names=NOTEBOOKS, progress: Callable[[str], None] = log.info) -> None:
    """Re-run notebooks/ in place with default parameters (the outputs nbval compares)."""
    import papermill

    for name in names:
        progress(f"refresh notebooks/{name}.ipynb")
        path = NOTEBOOKS_DIR / f"{name}.ipynb"
        papermill.execute_notebook(
            path,
            path,
            kernel_name=KERNEL,
            cwd=str(NOTEBOOKS_DIR),
            progress_bar=False,
            extra_arguments=KERNEL_ARGS,
        )
        _strip_volatile_metadata(path)


def _strip_volatile_metadata(path: Path) -> None:
    """Remove papermill timings so that refreshing an unchanged notebook leaves no diff."""
    nb = nbformat.read(path, as_version=4)
    nb.metadata.pop("papermill", None)
    for cell in nb.cells:
        cell.metadata.pop("papermill", None)
        cell.metadata.pop("execution", None)
    nbformat.write(nb, path)
