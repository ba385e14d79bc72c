"""Build a report: ingest, run the notebooks with papermill, render HTML, write the manifest,
gate the artifacts for personal data, then move the finished report into place atomically.

A failure anywhere leaves the previous report untouched and raises ReportError naming the
notebook and cell. So does an interrupt: SIGINT (Ctrl-C) or SIGTERM stops the build, including
the notebook kernel, removes the half-built staging folder and raises `Interrupted`; staging
folders left by a process that died without cleaning up (SIGKILL, power loss) are swept at the
next build.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import re
import shutil
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from toolkit.core import paths
from toolkit.core.config import Config, load_config
from toolkit.core.provenance import (
    fingerprint,
    git_commit,
    input_hashes,
    key_id,
    package_versions,
    public_config,
)
from toolkit.privacy.ner_model import ner_model
from toolkit.privacy.pseudonymise import hmac_key
from toolkit.report.processes import (
    child_pids,
    in_background,
    in_worker_threads,
    signals_stop_the_build,
    stop_new_children,
)
from toolkit.report.staging import staging_folder, swap_into_place, sweep_stale

log = logging.getLogger(__name__)

#: The notebooks of a report, in the order they run; the brief comes last and opens the site.
#: The folder of notebooks to run instead of the config's project's notebooks/ folder
#: (`Config.notebooks_dir`); None: the project's.
NOTEBOOKS_DIR: Path | None = None

NOTEBOOKS = (
    "01_ingest", "02_topics", "03_engagement", "04_privacy_risk", "05_changes", "05_brief"
)  # fmt: skip
TITLES = {
    "05_brief": "Brief",
    "01_ingest": "Ingest profile",
    "02_topics": "Topics",
    "03_engagement": "Engagement & tone",
    "04_privacy_risk": "Privacy risk",
    "05_changes": "Changes",
}
#: Groups of notebooks that read only what ingest and the notebooks before them wrote, never
#: each other's output: neighbours in one group run side by side when the machine has CPUs
#: for both (`analysis.threads` each).
SIDE_BY_SIDE = (
    frozenset({"01_ingest", "02_topics"}),
    frozenset({"03_engagement", "04_privacy_risk"}),
)
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


@dataclass
class BuildLink:
    """What a build running beside others (`toolkit.report.build_together`) tells the build
    that compares with it: `decided` is set once it knows whether it rebuilds (`rebuilding`),
    `finished` when it has ended (`failed` if it raised)."""

    decided: threading.Event = field(default_factory=threading.Event)
    rebuilding: bool = False
    finished: threading.Event = field(default_factory=threading.Event)
    failed: bool = False


#: The first notebook that reads the previous period's report (`compare_to`).
READS_PREVIOUS = "05_changes"


def build_report(
    config_path: str | Path,
    force: bool = False,
    progress: Callable[[str], None] = log.info,
    *,
    previous_build: BuildLink | None = None,
    this_build: BuildLink | None = None,
    stop: threading.Event | None = None,
) -> ReportResult:
    """Build `reports/<config name>/` for a config; skip everything when it is already current.

    Parameters
    ----------
    config_path : path of the dataset's YAML config.
    force : rebuild even when the existing report's fingerprint matches.
    progress : called with one line per step (the CLI prints them).
    previous_build, this_build, stop : set by `toolkit.report.build_together` only: the
        build of the report this one compares with, running at the same time; what this build
        tells the build that compares with it; set when the run is interrupted.
    """
    this_build = this_build or BuildLink()
    try:
        return _build(config_path, force, progress, previous_build, this_build, stop)
    except BaseException:
        this_build.failed = True
        raise
    finally:
        this_build.decided.set()
        this_build.finished.set()


def _build(config_path, force, progress, previous_build, this_build, stop) -> ReportResult:
    started = time.perf_counter()
    with signals_stop_the_build() as protect:
        config = load_config(config_path)
        _check_notebooks(config)
        # While the previous period's report is being rebuilt beside this one, its manifest
        # (part of this report's fingerprint) and its topic model are known only once it is done.
        waits = previous_build is not None and _rebuilds(previous_build, stop)
        previous = current = None
        if not waits:
            previous = _previous_report(config)
            current = _fingerprint(config)
            if not force and _existing_fingerprint(config.report_dir) == current:
                return ReportResult(config.report_dir, True, time.perf_counter() - started, {})
        this_build.rebuilding = True
        this_build.decided.set()

        def previous_period_ready() -> None:  # does nothing unless `waits`
            nonlocal previous, current
            if current is None:
                if not previous_build.finished.is_set():
                    progress("waiting for the previous period's report (compare_to)")
                _wait_for(previous_build, previous_build.finished, stop)
                previous = _previous_report(config)
                current = _fingerprint(config)

        reports_dir = config.report_dir.parent
        for line in sweep_stale(reports_dir):
            progress(line)
        staging = staging_folder(config.report_dir)
        children = child_pids()
        try:
            try:
                staging.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise ReportError(_cannot_write("the report", reports_dir, exc)) from None
            progress(f"ingest: {len(config.sources)} source file(s), {config.engine} engine")
            posts = _ingest(config)
            # The gate's customer identifiers need only the posts: gather them (the detector
            # over every customer post) while the notebooks run, on the CPU they leave idle.
            identifiers = in_background(_collect_identifiers, posts, config.work.identifiers)
            timings = _run_notebooks(config, staging, progress, previous_period_ready)
            previous_period_ready()  # in case no notebook reads the previous report
            manifest = _manifest(staging, config, current, timings, previous)
            progress("render: HTML pages")
            _render_site(staging, config, manifest)
            (staging / "manifest.json").write_text(
                json.dumps(manifest, indent=2, ensure_ascii=False)
            )
            progress("gate: scanning every artifact for personal data")
            _gate(staging, config, identifiers.result())
            if stop is not None and stop.is_set():
                raise ReportError("stopped: the run was interrupted")
            with protect():
                swap_into_place(staging, config.report_dir)
        except BaseException as exc:
            with protect():
                if isinstance(exc, KeyboardInterrupt):
                    stop_new_children(children)
                shutil.rmtree(staging, ignore_errors=True)
            raise
    return ReportResult(config.report_dir, False, time.perf_counter() - started, timings)


PREVIOUS_FAILED = (
    "the previous period's report (compare_to) failed to build, so this period cannot be "
    "compared with it; fix that one first"
)


def _check_notebooks(config: Config) -> None:
    """Stop before any work when the project folder lacks the report's notebooks (a config
    kept outside any project, run from a folder that is not one either)."""
    folder = NOTEBOOKS_DIR or config.notebooks_dir
    missing = [f"{name}.ipynb" for name in NOTEBOOKS if not (folder / f"{name}.ipynb").is_file()]
    if missing:
        raise ReportError(
            f"the report's notebooks are not in {folder} (missing {', '.join(missing)}); "
            f"the project folder of {config.path} was taken to be {config.project_dir}. Run "
            "from the toolkit's project folder (the one holding notebooks/ and configs/), or "
            "set TOOLKIT_PROJECT_DIR to it"
        )


def _rebuilds(build: BuildLink, stop: threading.Event | None) -> bool:
    """Whether `build` rebuilds its report (False: it found it current)."""
    _wait_for(build, build.decided, stop)
    return build.rebuilding


def _wait_for(build: BuildLink, event: threading.Event, stop: threading.Event | None) -> None:
    """Wait until `event` of `build` is set; raise if the run was interrupted meanwhile or
    `build` failed."""
    while not event.wait(0.1):
        if stop is not None and stop.is_set():
            raise ReportError("stopped: the run was interrupted")
    if build.failed:
        raise ReportError(PREVIOUS_FAILED)


def _fingerprint(config: Config) -> str:
    try:
        return fingerprint(config, key_id(hmac_key(config)), ner_model(config))
    except OSError as exc:  # e.g. a source file that cannot be read
        raise ReportError(f"cannot read {exc.filename}: {exc.strerror or exc}") from None


# ------------------------------------------------------------------ staging
def _cannot_write(what: str, folder: Path, exc: OSError) -> str:
    return f"cannot write {what} to {folder}: {exc.strerror or exc}"


# ------------------------------------------------------------------ ingest stage
#: Errors that bad input raises while a file is read (decoding, parsing, mapping, archives).
INPUT_ERRORS = (ValueError, OSError, EOFError, LookupError)


def _ingest(config: Config):
    """Ingest the config's sources; a bad file becomes a ReportError naming it, and a period
    with no posts stops the build before any notebook runs."""
    import zipfile

    from toolkit.report.session import ensure_ingested

    try:
        config.work_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ReportError(_cannot_write("working data", config.work_dir, exc)) from None
    try:
        posts = ensure_ingested(config)
    except (*INPUT_ERRORS, zipfile.BadZipFile) as exc:
        raise ReportError(_describe_ingest_error(config, exc)) from None
    if len(posts) == 0:
        raise ReportError(_no_posts(config))
    return posts


def _describe_ingest_error(config: Config, exc: BaseException) -> str:
    """One line naming the source (by its key and file) that raised `exc`, with a hint where
    the usual fix is known."""
    index = _failing_source(config, exc)
    message = " ".join(str(exc).split())
    if type(exc) is not ValueError and not type(exc).__module__.startswith("toolkit"):
        message = f"{type(exc).__name__}: {message}" if message else type(exc).__name__
    if isinstance(exc, OSError) and exc.strerror and exc.filename:
        message = f"{exc.strerror}: {exc.filename}"
        if Path(exc.filename).resolve().is_relative_to(config.work_dir.resolve()):
            return _cannot_write("working data", config.work_dir, exc)
    if index is None:
        names = ", ".join(s.path.name for s in config.sources)
        return f"ingest failed ({names}): {message}"
    source = config.sources[index]
    message = message.removeprefix(f"{source.path.name}: ")
    hints = []
    missing = re.search(r"mapping lacks required canonical columns (\[[^\]]*\])", message)
    if missing and "'platform'" in missing.group(1) and not source.platform:
        hints.append(
            f"set sources.{index}.platform (e.g. platform: twitter) or map a platform column "
            f"in sources.{index}.mapping"
        )
    if missing and missing.group(1).replace("'platform'", "").strip("[], "):
        hints.append(f"map the other columns in sources.{index}.mapping (canonical: your column)")
    hint = "".join(f"; {h}" for h in hints)
    return f"sources.{index}.path ({source.path.name}, format {source.format}): {message}{hint}"


def _failing_source(config: Config, exc: BaseException) -> int | None:
    """Which source raised `exc`: the innermost frame of the traceback that holds one of the
    config's source paths as a local variable (every reader takes the file's path)."""
    paths = {str(s.path): i for i, s in enumerate(config.sources)}
    found = None
    tb = exc.__traceback__
    while tb is not None:
        for value in tb.tb_frame.f_locals.values():
            if isinstance(value, str | Path) and str(value) in paths:
                found = paths[str(value)]
        tb = tb.tb_next
    if found is None and len(config.sources) == 1:
        return 0
    return found


def _no_posts(config: Config) -> str:
    """The message for an ingest that left no posts: the period and what each source gave."""
    period = config.period
    if period.start or period.end:
        span = f"{period.start or 'the start'} to {period.end or 'the end'}"
    else:
        span = "(none set: any date)"
    summary = _read_json(config.work_dir / "ingest_summary.json")
    files = summary.get("files") or [{"file": s.path.name} for s in config.sources]
    counts = ", ".join(
        f"{f.get('file')}: {f.get('rows_in', '?')} rows in, {f.get('loaded', '?')} loaded"
        + (f", rejected {f['rejected_by_reason']}" if f.get("rejected_by_reason") else "")
        for f in files
    )
    return f"no posts in the period {span} ({counts}); nothing was built"


def _existing_fingerprint(report_dir: Path) -> str | None:
    manifest = report_dir / "manifest.json"
    if not (manifest.exists() and (report_dir / "index.html").exists()):
        return None
    try:
        return json.loads(manifest.read_text()).get("fingerprint")
    except json.JSONDecodeError:
        return None


def _run_notebooks(
    config: Config, staging: Path, progress, before_reading_previous: Callable | None = None
) -> dict[str, float]:
    from papermill.exceptions import PapermillExecutionError

    timings: dict[str, float] = {}
    position = {name: i for i, name in enumerate(NOTEBOOKS, 1)}
    side_by_side = len(usable_cpus()) // config.analysis.threads >= 2

    def run(name: str) -> None:
        step = f"notebook {position[name]}/{len(NOTEBOOKS)}: {name}"
        progress(f"{step} ({TITLES.get(name, name)}) running...")
        t0 = time.perf_counter()
        _execute_notebook(config, staging, name)
        timings[name] = round(time.perf_counter() - t0, 2)
        progress(f"{step} done in {timings[name]:.1f} s")

    for stage in notebook_stages(NOTEBOOKS, side_by_side):
        if before_reading_previous is not None and READS_PREVIOUS in stage:
            before_reading_previous()
        try:
            in_worker_threads([(run, (name,)) for name in stage])
        except PapermillExecutionError as exc:
            raise ReportError(
                f"notebook {exc.notebook} failed at In [{exc.exec_count}] (cell {exc.cell_index + 1} "
                f"of the executed notebook, parameters cell included): {exc.ename}: {exc.evalue}"
            ) from None
        for name in stage:
            _publishable_notebook(staging / f"{name}.ipynb", config, staging)
    return {name: timings[name] for name in NOTEBOOKS}


def _execute_notebook(config: Config, staging: Path, name: str) -> None:
    import papermill
    from papermill.exceptions import PapermillExecutionError

    try:
        papermill.execute_notebook(
            (NOTEBOOKS_DIR or config.notebooks_dir) / f"{name}.ipynb",
            staging / f"{name}.ipynb",
            parameters={"config_path": str(config.path), "output_dir": str(staging)},
            kernel_name=KERNEL,
            cwd=str(NOTEBOOKS_DIR or config.notebooks_dir),
            progress_bar=False,
            log_output=False,
            extra_arguments=KERNEL_ARGS,
        )
    except PapermillExecutionError as exc:
        exc.notebook = name  # which of the notebooks running side by side failed
        raise


def usable_cpus() -> set[int]:
    """The CPUs this process may run on (its affinity, e.g. under `taskset`)."""
    try:
        return os.sched_getaffinity(0)
    except AttributeError:  # not on Linux
        return set(range(os.cpu_count() or 1))


def notebook_stages(names, side_by_side: bool = True) -> list[list[str]]:
    """`names` in order, grouped into the stages that run one after another: neighbours in
    one group of `SIDE_BY_SIDE` share a stage when `side_by_side`, every other notebook has
    its own."""
    stages: list[list[str]] = []
    for name in names:
        if (
            side_by_side
            and stages
            and any(name in group and stages[-1][-1] in group for group in SIDE_BY_SIDE)
        ):
            stages[-1].append(name)
        else:
            stages.append([name])
    return stages


def local_paths(config: Config, staging: Path | None = None) -> dict[str, str]:
    """Absolute local paths a build knows of -> what a published file says instead.

    The executed notebooks would otherwise carry them (papermill's parameters cell and
    metadata, warnings, tracebacks): a path such as /home/<user>/... names the analyst, and
    the key file's path says where the key is. Longest first, so that a path inside another
    one is replaced whole."""
    found: dict[str, str] = {}
    if staging is not None:
        found[str(staging)] = "."
        found[str(staging.resolve())] = "."
    if config.path:
        found[str(config.path)] = config.path.name
        found[str(config.path.resolve())] = config.path.name
        found[str(config.path.resolve().parent)] = "<config folder>"
    key_file = config.privacy.key_file
    if key_file:
        found[str(Path(key_file).expanduser())] = "<key file>"
        found[str(Path(key_file).expanduser().resolve())] = "<key file>"
    for folder, label in (
        (config.work_dir, "<working data>"),
        (config.report_dir.parent, "<reports>"),
        (NOTEBOOKS_DIR or config.notebooks_dir, "notebooks"),
        (paths.NOTEBOOKS_DIR, "notebooks"),
        (config.project_dir, "<toolkit>"),
        (paths.PROJECT_DIR, "<toolkit>"),
        (Path.home(), "~"),
    ):
        found.setdefault(str(folder), label)
        found.setdefault(str(Path(folder).resolve()), label)
    return {k: found[k] for k in sorted(found, key=len, reverse=True) if len(k) > 1 and k != "/"}


def _publishable_notebook(path: Path, config: Config, staging: Path) -> None:
    """Make an executed notebook fit to publish: no local paths (papermill injects the
    absolute config and output paths into a parameters cell and into the notebook's
    metadata), and a stable id for the injected cell, so that the same inputs give the same
    notebook."""
    nb = nbformat.read(path, as_version=4)
    paths = local_paths(config, staging)
    name = config.path.name if config.path else ""
    for cell in nb.cells:
        if "injected-parameters" in cell.metadata.get("tags", []):
            cell["id"] = "injected-parameters"
            cell.source = f'# Parameters\nconfig_path = "{name}"\noutput_dir = "."\n'
    meta = nb.metadata.get("papermill")
    if meta:
        meta["input_path"] = f"notebooks/{path.name}"
        meta["output_path"] = path.name
        meta["parameters"] = {"config_path": name, "output_dir": "."}
    text = nbformat.writes(nb)
    for local, label in paths.items():
        # as JSON writes it; not inside a word or a base64 image ("/root" in "x/rootY")
        escaped = re.escape(json.dumps(local)[1:-1])
        text = re.sub(rf"(?<![\w+]){escaped}(?![\w+])", lambda m, label=label: label, text)
    path.write_text(text, encoding="utf-8")


def _render_site(staging: Path, config: Config, manifest: dict) -> None:
    """One HTML page per notebook (no code) with navigation and the provenance footer;
    index.html is the brief."""
    from toolkit.core.provenance import summary
    from toolkit.report import site

    footer = site.footer_html(summary(manifest))
    charts = False
    for name in NOTEBOOKS:
        nb = nbformat.read(staging / f"{name}.ipynb", as_version=4)
        nav = site.nav_html(TITLES, name, config.brand.name)
        page = site.render_page(nb, f"{TITLES[name]} - {config.brand.name}", nav, footer)
        (staging / f"{name}.html").write_text(page, encoding="utf-8")
        charts = charts or site.has_charts(nb)
    if charts:  # the local Plotly copy and chart script the pages link to
        site.write_assets(staging)
    shutil.copyfile(staging / f"{NOTEBOOKS[-1]}.html", staging / "index.html")


def _previous_report(config: Config):
    """The previous report `compare_to` names, checked before any work (a one-line error
    when it is missing or cannot be compared), or None."""
    from toolkit.analysis.compare import previous_report
    from toolkit.core.config import ConfigError

    try:
        return previous_report(config)
    except ConfigError as exc:
        raise ReportError(f"{config.path.name if config.path else 'config'}: {exc}") from None


def _manifest(staging: Path, config: Config, current: str, timings: dict, previous=None) -> dict:
    """What manifest.json records: provenance of the report being built in `staging`, the
    hash of its topic model (so that a later report can check it compares with this one's
    model) and the previous report it was compared with."""
    from toolkit.analysis.compare import topic_model_hash

    findings = _read_json(staging / "findings.json")
    manifest = {
        "report": config.name,
        "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "fingerprint": current,
        "git_commit": git_commit(config.project_dir),
        "config_file": config.path.name if config.path else None,
        "config": public_config(config, hmac_key(config)),
        "parameters": {"config_path": config.path.name if config.path else None},
        "seeds": {"analysis.seed": config.analysis.seed, "threads": config.analysis.threads},
        "data_period": _data_period(findings, config),
        "inputs": input_hashes(config),
        "packages": package_versions(),
        "ner_model": ner_model(config),
        "notebook_seconds": timings,
        "topic_model": {"sha256": topic_model_hash(config.work_dir / "models" / "topics")},
        "compared_to": previous.record() if previous is not None else None,
    }
    manifest["key_fingerprint"] = manifest["config"]["privacy"]["key_fingerprint"]
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


def _collect_identifiers(posts, identifiers_json: Path):
    from toolkit.privacy.detect.analyzer import Detector
    from toolkit.privacy.gate.identifiers import collect_identifiers

    # A detector of its own: builds running side by side (`build_together`) then never share
    # an NER cache, so what each finds does not depend on which parsed a post first.
    return collect_identifiers(posts, identifiers_json, detector=Detector())


def _gate(staging: Path, config: Config, identifiers) -> None:
    from toolkit.privacy.gate.findings import blocked_message, keep_blocked
    from toolkit.privacy.gate.scan import scan_dir
    from toolkit.report import site

    findings = scan_dir(
        staging,
        identifiers,
        brand_allowlist=config.public_names(),
        local_paths=local_paths(config, staging),
        vendored=site.vendored_assets(),
    )
    if findings:  # keep the blocked build privately, with each hit in context
        kept = keep_blocked(staging, findings, config.work.private)
        message = blocked_message(findings, kept, config.path)
        raise ReportError(f"privacy gate stopped the report:\n{message}")


def refresh_notebooks(names=NOTEBOOKS, progress: Callable[[str], None] = log.info) -> None:
    """Re-run notebooks/ in place with default parameters (the outputs nbval compares)."""
    import papermill

    for name in names:
        progress(f"refresh notebooks/{name}.ipynb")
        path = (NOTEBOOKS_DIR or paths.NOTEBOOKS_DIR) / f"{name}.ipynb"
        papermill.execute_notebook(
            path,
            path,
            kernel_name=KERNEL,
            cwd=str(NOTEBOOKS_DIR or paths.NOTEBOOKS_DIR),
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
