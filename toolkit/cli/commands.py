"""The `toolkit` command: run reports, ingest files, regenerate the sample, gate a folder, bench,
train the tweet NER; `toolkit eval ...` is in `toolkit.cli.evaluate`."""

from __future__ import annotations

import json
import os
import re
import signal
import sys
import zipfile
from pathlib import Path

import typer

from toolkit.cli.evaluate import eval_app
from toolkit.cli.output import fail, say
from toolkit.core.config import FORMATS, ConfigError
from toolkit.core.paths import DEFAULT_CONFIG

app = typer.Typer(
    help="Private-by-default insight reports from social-media data.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.add_typer(eval_app, name="eval")


@app.command()
def run(
    configs: list[Path] = typer.Argument(
        None,
        help="Dataset config(s) (YAML), e.g. configs/sample.yaml (the default). Several are "
        "built side by side; one whose compare_to is another's report waits for it where it "
        "reads it.",
        show_default=False,
    ),
    force: bool = typer.Option(False, "--force", help="Rebuild even if nothing changed."),
) -> None:
    """Build the HTML reports for each config into reports/<name>/ (what `make report` calls)."""
    from toolkit.report.build import ReportError, build_report
    from toolkit.report.build_together import build_reports
    from toolkit.report.processes import Interrupted

    configs = configs or [Path(DEFAULT_CONFIG)]
    unchanged = "the previous report, if any, is unchanged"
    try:
        if len(configs) == 1:
            results = [build_report(configs[0], force=force, progress=say)]
        else:
            results = build_reports(configs, force=force, progress=say)
    except (ConfigError, ReportError) as exc:
        fail(str(exc), then=unchanged)
    except Interrupted as exc:
        # Stopping already: a second Ctrl-C or SIGTERM must not cut the exit short.
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, signal.SIG_IGN)
        try:
            fail(f"{exc}: nothing was built", code=exc.exit_code, then=unchanged)
        finally:
            # The cleanup has run; a background thread may still be inside native code (the
            # gate's NER), and interpreter shutdown around it can crash: leave at once.
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(exc.exit_code)
    failed = []
    for path, result in zip(configs, results, strict=True):
        prefix = f"{path.name}: " if len(configs) > 1 else ""
        if isinstance(result, Exception):
            failed.append(f"{prefix}{result}")
        elif result.up_to_date:
            page = result.path / "index.html"
            say(f"{prefix}up to date (nothing changed; --force rebuilds): {page}")
        else:
            for line in _summary(result):
                say(prefix + line)
    if failed:
        fail("\n".join(failed), then="each report that failed is unchanged")


def _summary(result) -> list[str]:
    """The end-of-run lines: time per notebook, what was written, and the page to open."""
    count = {
        kind: len(list((result.path / kind).glob(pattern)))
        for kind, pattern in (("figures", "*.png"), ("tables", "*.csv"))
    }
    pages = len(list(result.path.glob("*.html")))
    return [
        f"done in {result.seconds:.0f} s; per notebook: "
        + ", ".join(f"{k} {v:.0f}s" for k, v in result.notebook_seconds.items()),
        f"wrote {pages} pages, {count['figures']} figures and {count['tables']} tables to {result.path} "
        "(provenance: manifest.json)",
        f"open {result.path / 'index.html'}",
    ]


@app.command()
def ingest(
    path: Path = typer.Argument(
        ..., exists=True, dir_okay=False, help="A raw export file (gzip / one-file zip too)."
    ),
    format: str = typer.Option(
        "auto",
        "--format",
        "-f",
        help="auto, or one of: twarc2, reddit, mastodon, "
        "crowdtangle, x_archive, bluesky, youtube, csv, jsonl, parquet.",
    ),
    platform: str = typer.Option(None, "--platform", help="Platform slug for generic formats."),
    out: Path = typer.Option(
        None, "--out", help="Write posts.parquet, rejects and the summary here, streamed."
    ),
    config: Path = typer.Option(
        None, "--config", help="Config giving brand accounts and key env var."
    ),
    map_: list[str] = typer.Option(
        None,
        "--map",
        help="Generic formats: canonical=source column "
        "(repeatable), e.g. --map post_id=id --map text=body.",
    ),
    timestamp_format: str = typer.Option(
        None, "--timestamp-format", help="strptime format tried first."
    ),
    workers: int = typer.Option(
        None,
        "--workers",
        min=1,
        help="With --out: processes converting generic CSV/JSONL/Parquet records "
        "(default: one per core, at most 4). The output is the same for any number.",
    ),
) -> None:
    """Load one file into the canonical table and print a JSON summary (rows in, loaded, rejected, duplicates)."""
    from toolkit.ingest import FORMATS as INGEST_FORMATS
    from toolkit.ingest import ingest_file
    from toolkit.ingest.generic import MappingError
    from toolkit.ingest.stream import ingest_to_parquet

    known = [*FORMATS, *(f for f in INGEST_FORMATS if f not in FORMATS)]  # config's names first
    if format not in known:
        fail(f"--format must be one of {', '.join(known)}")
    mapping = dict(item.split("=", 1) for item in map_ or [] if "=" in item)
    if len(mapping) != len(map_ or []):
        fail("--map takes canonical=source, e.g. --map post_id=id")
    try:
        pseudonymiser, brand = _pseudonymiser_for(config)
    except ConfigError as exc:
        fail(str(exc))
    options = dict(
        format=format,
        platform=platform,
        mapping=mapping or None,
        pseudonymiser=pseudonymiser,
        brand_handles=brand,
        timestamp_format=timestamp_format,
    )
    if out:
        _check_writable(out, "--out")
    try:
        if out:
            from toolkit.core.private_files import make_private, private_umask

            with private_umask():  # the Parquet holds raw post text: 0600 files, 0700 folders
                summary = ingest_to_parquet(path, out, workers=workers, **options)["files"][0]
            make_private(out)
        else:
            summary = ingest_file(path, **options).summary()
    except MappingError as exc:
        fail(f"{path.name}: {exc} ({_mapping_hint(str(exc), platform)})")
    except OSError as exc:
        if out and exc.filename and _inside(Path(exc.filename), out):
            fail(f"--out: cannot write to {out}: {exc.strerror or exc}")
        fail(_one_line(exc, path))
    except (ValueError, EOFError, LookupError, zipfile.BadZipFile) as exc:
        # Bad input (wrong --format, undecodable bytes, a broken archive): name the file.
        fail(_one_line(exc, path))
    typer.echo(json.dumps(summary, indent=2))


def _mapping_hint(message: str, platform: str | None) -> str:
    """What to pass for the canonical columns a generic file lacks."""
    missing = re.search(r"columns (\[[^\]]*\])", message)
    names = missing.group(1) if missing else ""
    hints = []
    if "'platform'" in names and not platform:
        hints.append(
            "pass the platform with --platform, e.g. --platform twitter, or map a platform "
            "column with --map platform=COLUMN"
        )
    if re.sub(r"'platform'", "", names).strip("[], "):
        hints.append("give the other columns with --map canonical=source, e.g. --map post_id=id")
    return "; ".join(hints) or "give the columns with --map canonical=source"


def _one_line(exc: BaseException, path: Path) -> str:
    """An input error as one line naming the file: the message, with the exception's type
    unless it is a plain ValueError or one of the toolkit's own (written for users)."""
    message = " ".join(str(exc).split())
    if not (type(exc) is ValueError or type(exc).__module__.startswith("toolkit")):
        message = f"{type(exc).__name__}: {message}" if message else type(exc).__name__
    return message if message.startswith(f"{path.name}:") else f"{path.name}: {message}"


def _check_writable(folder: Path, what: str) -> None:
    """Fail with one line unless `folder` exists (or can be created) and takes a new file."""
    import tempfile

    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as exc:
        fail(f"{what}: cannot write to {folder}: {exc.strerror or exc}")


def _inside(path: Path, folder: Path) -> bool:
    return path.resolve().is_relative_to(folder.resolve())


def _pseudonymiser_for(config_path: Path | None):
    from toolkit.core.config import load_config
    from toolkit.privacy.pseudonymise import Pseudonymiser, pseudonymiser_for

    if config_path:
        cfg = load_config(config_path)
        brand = sorted(cfg.brand.handles())
        return pseudonymiser_for(cfg), brand
    key = os.environ.get("TOOLKIT_HMAC_KEY")
    if not key:
        raise ConfigError(
            "no pseudonymisation key: pass --config CONFIG, or set TOOLKIT_HMAC_KEY, e.g.\n"
            "  export TOOLKIT_HMAC_KEY=$(python -c 'import secrets; print(secrets.token_hex(32))')"
        )
    return Pseudonymiser(key.encode(), ()), []


@app.command()
def sample(
    out: Path = typer.Option(None, "--out", help="Folder to write to (default data/sample/)."),
    seed: int = typer.Option(None, "--seed", help="Random seed (default: the sample's own)."),
) -> None:
    """Regenerate the bundled sample dataset (deterministic: same seed, same bytes), and its
    previous period (previous/: three weeks of June, for the period-over-period comparison)."""
    from toolkit.sample.generator import generate_sample
    from toolkit.sample.previous import write_previous_period

    kwargs = {k: v for k, v in {"out_dir": out, "seed": seed}.items() if v is not None}
    counts = generate_sample(**kwargs)
    if out is not None:
        counts["previous"] = write_previous_period(out)
    else:
        counts["previous"] = write_previous_period()
    typer.echo(json.dumps(counts, indent=2))


@app.command()
def models(
    force: bool = typer.Option(False, "--force", help="Rebuild even if the model exists."),
) -> None:
    """Distil the static embedding model from the bundled MiniLM into models/ (once, about a minute)."""
    from toolkit.analysis.topics.embeddings import build_static_model

    say("models: distilling the static embedding model (about a minute, once)")
    say(f"models: ready in {build_static_model(force=force)}")


@app.command()
def precompile() -> None:
    """Compile UMAP's numba code into numba's on-disk cache (`make setup` runs this once), so
    that a first report does not spend its first minute compiling."""
    import time

    from toolkit.analysis.topics.clustering import UMAPReduction

    started = time.perf_counter()
    UMAPReduction().compile()
    say(
        f"precompile: UMAP's numba code compiled and cached in {time.perf_counter() - started:.0f} s"
    )


@app.command()
def pipeline(
    config: Path = typer.Argument(
        DEFAULT_CONFIG, help="Dataset config (engine: local|dask, scheduler)."
    ),
    engine: str = typer.Option(
        None, "--engine", help="local or dask; default: the config's `engine`."
    ),
    partition_rows: int = typer.Option(
        100_000, "--partition-rows", help="Dask: posts per partition (bounds worker memory)."
    ),
    topics: bool = typer.Option(True, "--topics/--no-topics", help="Fit and assign topics."),
) -> None:
    """Ingest and analyse every post (tone, personal data, engagement, topics) on one machine or a Dask cluster;
    the analysed posts are written as Parquet partitions and a JSON summary is printed."""
    from toolkit.core.config import load_config
    from toolkit.core.private_files import make_private, private_umask
    from toolkit.pipeline import run_pipeline

    try:
        cfg = load_config(config)
        with private_umask():  # working data holds raw post text: 0600 files, 0700 folders
            result = run_pipeline(
                cfg, engine, partition_rows=partition_rows, with_topics=topics, collect_posts=False
            )
        if result.out_dir is not None:
            make_private(result.out_dir)
    except (ConfigError, ValueError) as exc:
        fail(str(exc))
    typer.echo(
        json.dumps(
            {
                "engine": result.engine,
                "ingest": {
                    k: v
                    for k, v in result.ingest_summary["total"].items()
                    if k != "rejected_by_reason"
                },
                "partitions": result.n_partitions,
                "topics": None if result.topic_model is None else result.topic_model.n_topics_,
                "output": str(result.posts_dir or result.out_dir),
            },
            indent=2,
            default=str,
        )
    )


@app.command()
def notebooks() -> None:
    """Re-run notebooks/ in place on the sample, refreshing the stored outputs that nbval compares."""
    from toolkit.report.build import refresh_notebooks

    refresh_notebooks(progress=say)


@app.command()
def gate(
    folder: Path = typer.Argument(
        ..., exists=True, file_okay=False, help="Folder to scan (e.g. reports/sample)."
    ),
    config: Path = typer.Option(
        DEFAULT_CONFIG, "--config", help="Config whose data gives the known customer identifiers."
    ),
) -> None:
    """Scan every artifact in FOLDER for personal data; exit 1 naming file, position and type on any hit.

    The values stay masked here; every hit with the words around it and why it matched is
    written to the dataset's private folder (0600), whose path is printed."""
    from toolkit.core.config import load_config
    from toolkit.privacy.gate.findings import ALLOWLIST_HELP, write_findings
    from toolkit.privacy.gate.identifiers import collect_identifiers
    from toolkit.privacy.gate.scan import scan_dir
    from toolkit.report import site
    from toolkit.report.session import ensure_ingested

    try:
        cfg = load_config(config)
    except ConfigError as exc:
        fail(str(exc))
    posts = ensure_ingested(cfg)
    identifiers = collect_identifiers(posts, cfg.work.identifiers)
    findings = scan_dir(
        folder, identifiers, brand_allowlist=cfg.public_names(), vendored=site.vendored_assets()
    )
    for f in findings:
        typer.echo(f"{f.file}:{f.position}: {f.entity_type} {f.match}  ({f.reason})")
    if findings:
        details = write_findings(findings, cfg.work.private / "gate" / "findings.txt", str(folder))
        fail(
            f"{len(findings)} personal-data finding(s) in {folder}\n"
            f"Each hit in context (private): {details}\n" + ALLOWLIST_HELP.format(config=config)
        )
    say(f"clean: no personal data found in {folder}")


@app.command()
def bench(
    config: Path = typer.Argument(DEFAULT_CONFIG, help="Dataset config to benchmark."),
    only: str = typer.Option(
        "",
        "--only",
        help="Comma-separated suites (default: all). "
        "Suites: report, ingest, privacy, tone, metrics, topics, dask.",
    ),
    out: Path = typer.Option(
        Path("reports/bench"), "--out", help="Folder for the figures (one JSON per suite)."
    ),
) -> None:
    """Run the benchmark suites and write their figures to OUT/<suite>.json."""
    from toolkit.quality.benchmarks import available_suites, run_suites

    names = [n.strip() for n in only.split(",") if n.strip()] or available_suites()
    try:
        results = run_suites(names, config, out, progress=say)
    except ValueError as error:
        fail(str(error), code=2)
    typer.echo(json.dumps(results, indent=2))


@app.command("ner-train")
def ner_train(
    train: Path = typer.Argument(
        ..., exists=True, dir_okay=False, help="CoNLL training file (BTC train)."
    ),
    dev: Path = typer.Argument(..., exists=True, dir_okay=False, help="CoNLL dev file (BTC dev)."),
    out: Path = typer.Option(
        None, "--out", help="Model folder to write (default: toolkit/resources/ner_tweets)."
    ),
    epochs: int = typer.Option(12, "--epochs"),
    seed: int = typer.Option(0, "--seed"),
) -> None:
    """Fine-tune the small English NER on tweets (seeded) and write the tweet model folder."""
    from toolkit.privacy.detect.ner import TWEETS_DIR
    from toolkit.privacy.detect.ner_train import train as train_model

    target = out or TWEETS_DIR
    attribution = [p for p in (target / "ATTRIBUTION.md", target / "LICENSE-BTC") if p.exists()]
    kept = {p.name: p.read_bytes() for p in attribution}
    summary = train_model(train, dev, target, epochs=epochs, seed=seed, progress=say)
    for name, data in kept.items():  # the attribution files are not part of the training output
        (target / name).write_bytes(data)
    typer.echo(json.dumps({k: summary[k] for k in ("kept_epoch", "dev_before", "dev_after")}))


def main() -> None:  # pragma: no cover - console entry
    sys.exit(app())
