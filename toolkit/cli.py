"""The `toolkit` command line: run reports, ingest files, regenerate the sample, gate a folder."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import typer

from toolkit.config import DEFAULT_CONFIG, FORMATS, ConfigError

# Offline by construction, whatever the caller's environment says.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

app = typer.Typer(
    help="Private-by-default insight reports from social-media data.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _say(line: str) -> None:
    typer.echo(f"[toolkit] {line}", err=True)


def _fail(message: str, code: int = 1) -> None:
    typer.secho(f"error: {message}", fg=typer.colors.RED, err=True)
    raise typer.Exit(code)


@app.command()
def run(
    config: Path = typer.Argument(DEFAULT_CONFIG, help="Dataset config (YAML), e.g. configs/sample.yaml."),
    force: bool = typer.Option(False, "--force", help="Rebuild even if nothing changed."),
) -> None:
    """Build the HTML reports for CONFIG into reports/<name>/ (what `make report` calls)."""
    from toolkit.report import ReportError, build_report

    try:
        result = build_report(config, force=force, progress=_say)
    except (ConfigError, ReportError) as exc:
        _fail(f"{exc}\nThe previous report, if any, is unchanged.")
    if result.up_to_date:
        _say(f"up to date (nothing changed): {result.path / 'index.html'}")
        return
    _say(f"done in {result.seconds:.0f} s; per notebook: "
         + ", ".join(f"{k} {v:.0f}s" for k, v in result.notebook_seconds.items()))
    _say(f"open {result.path / 'index.html'}")


@app.command()
def ingest(
    path: Path = typer.Argument(..., exists=True, dir_okay=False, help="A raw export file."),
    format: str = typer.Option("auto", "--format", "-f", help=f"One of: {', '.join(FORMATS)}."),
    platform: str = typer.Option(None, "--platform", help="Platform slug for generic formats."),
    out: Path = typer.Option(None, "--out", help="Write posts.parquet and rejects.csv here."),
    config: Path = typer.Option(None, "--config", help="Config giving brand accounts and key env var."),
) -> None:
    """Load one file into the canonical table and print a JSON summary (rows in, loaded, rejected, duplicates)."""
    from toolkit.ingest import ingest_file, write_outputs

    if format not in FORMATS:
        _fail(f"--format must be one of {', '.join(FORMATS)}")
    try:
        pseudonymiser, brand = _pseudonymiser_for(config)
    except ConfigError as exc:
        _fail(str(exc))
    result = ingest_file(path, format=format, platform=platform, pseudonymiser=pseudonymiser,
                         brand_handles=brand)
    if out:
        write_outputs(result, out)
    typer.echo(json.dumps(result.summary(), indent=2))


def _pseudonymiser_for(config_path: Path | None):
    from toolkit.config import load_config
    from toolkit.pseudonymise import Pseudonymiser

    if config_path:
        cfg = load_config(config_path)
        brand = sorted(cfg.brand.handles())
        return Pseudonymiser(cfg.hmac_key(), brand), brand
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
    """Regenerate the bundled sample dataset (deterministic: same seed, same bytes)."""
    from toolkit.sample import generate_sample

    kwargs = {k: v for k, v in {"out_dir": out, "seed": seed}.items() if v is not None}
    counts = generate_sample(**kwargs)
    typer.echo(json.dumps(counts, indent=2))


@app.command()
def notebooks() -> None:
    """Re-run notebooks/ in place on the sample, refreshing the stored outputs that nbval compares."""
    from toolkit.report import refresh_notebooks

    refresh_notebooks(progress=_say)


@app.command()
def gate(
    folder: Path = typer.Argument(..., exists=True, file_okay=False, help="Folder to scan (e.g. reports/sample)."),
    config: Path = typer.Option(DEFAULT_CONFIG, "--config", help="Config whose data gives the known customer identifiers."),
) -> None:
    """Scan every artifact in FOLDER for personal data; exit 1 naming file, position and type on any hit."""
    from toolkit.config import load_config
    from toolkit.gate import collect_identifiers, scan_dir
    from toolkit.notebook import ensure_ingested

    try:
        cfg = load_config(config)
    except ConfigError as exc:
        _fail(str(exc))
    posts = ensure_ingested(cfg)
    identifiers = collect_identifiers(posts, cfg.work_dir / "private" / "identifiers.json")
    findings = scan_dir(folder, identifiers, brand_allowlist=cfg.public_names())
    for f in findings:
        typer.echo(f"{f.file}:{f.position}: {f.entity_type} {f.match}")
    if findings:
        _fail(f"{len(findings)} personal-data finding(s) in {folder}")
    _say(f"clean: no personal data found in {folder}")


@app.command()
def bench(
    config: Path = typer.Argument(DEFAULT_CONFIG, help="Dataset config to benchmark."),
    only: str = typer.Option("", "--only", help="Comma-separated suites (default: all). "
                             "Suites: report, ingest, privacy, tone, metrics, topics, dask."),
    out: Path = typer.Option(Path("reports/bench"), "--out", help="Folder for the figures (one JSON per suite)."),
) -> None:
    """Run the benchmark suites and write their figures to OUT/<suite>.json."""
    from toolkit.benchmarks import available_suites, run_suites

    names = [n.strip() for n in only.split(",") if n.strip()] or available_suites()
    try:
        results = run_suites(names, config, out, progress=_say)
    except ValueError as error:
        _fail(str(error), code=2)
    typer.echo(json.dumps(results, indent=2))


eval_app = typer.Typer(help="Evaluate against labelled data; prints one JSON line per model.", no_args_is_help=True)
app.add_typer(eval_app, name="eval")


@eval_app.command("pii")
def eval_pii(
    file: Path = typer.Argument(None, exists=True, dir_okay=False,
                                help="presidio-research style JSON: [{full_text, spans: [...]}]. Default: the bundled sample."),
    export: Path = typer.Option(None, "--export", help="Also write the dataset evaluated (e.g. the sample's labels) to this JSON file."),
) -> None:
    """Precision, recall and F2 (overall and per type) of the personal-data detector, and posts/s."""
    from toolkit.evaluation.pii import evaluate_pii, load_pii_dataset, sample_pii_dataset

    try:
        records = load_pii_dataset(file) if file else sample_pii_dataset()
    except ValueError as exc:
        _fail(str(exc))
    if export:
        export.write_text(json.dumps(records, ensure_ascii=False, indent=1), encoding="utf-8")
    typer.echo(json.dumps({"dataset": file.name if file else "sample", **evaluate_pii(records)}))


@eval_app.command("topics")
def eval_topics(
    file: Path = typer.Argument(None, exists=True, dir_okay=False, help="Labelled CSV. Default: the bundled sample."),
    text: str = typer.Option("text", "--text", help="Column with the post text."),
    label: str = typer.Option("label", "--label", help="Column with the true topic."),
    context: str = typer.Option(None, "--context", help="Optional column with thread context (parent post text)."),
    baseline: bool = typer.Option(False, "--baseline", help="Also run stock BERTopic side by side."),
) -> None:
    """Fit topics on a labelled CSV: n_topics, outlier share, NMI, ARI, NPMI, diversity, seconds per model."""
    import pandas as pd

    from toolkit.evaluation.topics import (
        evaluate_topic_model,
        sample_topic_dataset,
        stock_bertopic,
        toolkit_topics,
    )

    if file:
        data = pd.read_csv(file)
        missing = [c for c in (text, label, context) if c and c not in data.columns]
        if missing:
            _fail(f"{file.name}: no column(s) {missing}; columns are {list(data.columns)}")
    else:
        data, text, label, context = sample_topic_dataset(), "text", "label", "context"
    data = data.dropna(subset=[text])
    texts = data[text].astype(str).tolist()
    labels = data[label].tolist()
    contexts = data[context].where(data[context].notna(), None).tolist() if context else None
    name = file.name if file else "sample"
    typer.echo(json.dumps({"dataset": name, **evaluate_topic_model("toolkit", texts, labels, toolkit_topics(contexts=contexts))}))
    if baseline:
        typer.echo(json.dumps({"dataset": name, **evaluate_topic_model("stock-bertopic", texts, labels, stock_bertopic())}))


def main() -> None:  # pragma: no cover - console entry
    sys.exit(app())


if __name__ == "__main__":  # pragma: no cover
    main()
