"""`toolkit eval pii | sentiment | topics`: score the detector, the tone model and the topic
model against labelled data, side by side with the stock tools; one JSON line per model."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from toolkit.cli.output import fail, say
from toolkit.core.config import ConfigError
from toolkit.core.paths import DEFAULT_CONFIG

HEADROOM_HELP = (
    "Also score a classifier trained on the file's own labels over MiniLM (5-fold): how far "
    "that embedding lets any model go. A measurement only; nothing of it ships."
)


def labelled_file(help: str):
    """The optional FILE argument of every `toolkit eval` command (default: the sample's)."""
    return typer.Argument(None, exists=True, dir_okay=False, help=help)


eval_app = typer.Typer(
    help="Evaluate against labelled data; prints one JSON line per model.", no_args_is_help=True
)


@eval_app.command("pii")
def eval_pii(
    file: Path = labelled_file(
        "presidio-research style JSON: [{full_text, spans: [...]}], a .txt of "
        "posts marked up as [[TYPE:value]], or a CoNLL/BIO token file (token<TAB>tag lines, "
        "blank line between posts, e.g. the Broad Twitter Corpus). Default: the bundled sample."
    ),
    export: Path = typer.Option(
        None,
        "--export",
        help="Also write the dataset evaluated (e.g. the sample's labels) to this JSON file.",
    ),
    config: Path = typer.Option(
        DEFAULT_CONFIG, "--config", help="Config whose privacy section configures the detector."
    ),
    baseline: bool = typer.Option(
        False,
        "--baseline",
        help="Also run Presidio with spaCy's small English model (the bench extra) if installed.",
    ),
) -> None:
    """Typed and type-agnostic (any_*) precision, recall and F2 of the personal-data detector,
    per type and overall, and posts/s; on a CoNLL file also the recall per gold type and the
    precision of person/place/organisation predictions. One JSON line per model."""
    import tempfile

    from toolkit.core.config import load_config
    from toolkit.privacy.detect.analyzer import Detector
    from toolkit.quality.evaluation.pii import (
        evaluate_pii,
        is_conll,
        load_pii_dataset,
        sample_pii_dataset,
    )

    try:
        records = load_pii_dataset(file) if file else sample_pii_dataset()
        detector = Detector.from_config(load_config(config))
    except (ValueError, ConfigError, FileNotFoundError) as exc:
        fail(str(exc))
    ner_file = bool(file) and is_conll(file)
    if export:
        export.write_text(json.dumps(records, ensure_ascii=False, indent=1), encoding="utf-8")
    name = file.name if file else "sample"
    info = detector.ner_info()
    ours = evaluate_pii(records, detector.detect, ner_file=ner_file)
    typer.echo(json.dumps({"dataset": name, **ours, "ner_model": info}))
    if baseline:
        from toolkit.quality.benchmarks.privacy import presidio_name, presidio_span_detector

        with tempfile.TemporaryDirectory(prefix="toolkit-presidio-") as tmp:
            presidio = presidio_span_detector(Path(tmp))
            if presidio is None:
                say(
                    "presidio-analyzer is not installed (pip install -e '.[bench]'): baseline skipped"
                )
                return
            model, note = presidio_name()
            result = evaluate_pii(records, presidio, model=model, ner_file=ner_file)
            typer.echo(json.dumps({"dataset": name, **result, "note": note}))


@eval_app.command("sentiment")
def eval_sentiment(
    file: Path = labelled_file(
        "Labelled CSV (negative/neutral/positive, -1/0/1 or 0/2/4). Default: the sample's planted tone."
    ),
    text: str = typer.Option("text", "--text", help="Column with the post text."),
    label: str = typer.Option("label", "--label", help="Column with the gold label."),
    adaptive: bool = typer.Option(
        False,
        "--adaptive",
        help="Also evaluate the corpus-adapted tone model (embeds every post with MiniLM: slower).",
    ),
    headroom: bool = typer.Option(False, "--headroom", help=HEADROOM_HELP),
) -> None:
    """Macro-recall, macro-F1, accuracy and posts/s of VADER and our tone model, one JSON line each."""
    from toolkit.analysis.tone.adaptive import AdaptiveToneScorer
    from toolkit.analysis.tone.posts import ToneScorer, VaderScorer
    from toolkit.quality.evaluation.sentiment import (
        compare_scorers,
        load_sentiment_csv,
        sample_sentiment_dataset,
    )

    try:
        data = load_sentiment_csv(file, text, label) if file else sample_sentiment_dataset()
    except ValueError as exc:
        fail(str(exc))
    name = file.name if file else "sample"
    for row in compare_scorers(
        data["text"].tolist(),
        data["label"].tolist(),
        [VaderScorer(), ToneScorer()] + ([AdaptiveToneScorer()] if adaptive else []),
    ):
        typer.echo(json.dumps({"dataset": name, **row}))
    if headroom:
        from toolkit.quality.evaluation.headroom import tone_headroom

        try:
            rows = tone_headroom(data["text"].tolist(), data["label"].tolist())
        except ValueError as exc:
            fail(f"--headroom: {exc}")
        for row in rows:
            typer.echo(json.dumps({"dataset": name, **row}))


@eval_app.command("topics")
def eval_topics(
    file: Path = labelled_file("Labelled CSV. Default: the bundled sample."),
    text: str = typer.Option("text", "--text", help="Column with the post text."),
    label: str = typer.Option("label", "--label", help="Column with the true topic."),
    context: str = typer.Option(
        None, "--context", help="Optional column with thread context (parent post text)."
    ),
    baseline: bool = typer.Option(
        False, "--baseline", help="Also run stock BERTopic side by side."
    ),
    embedding: str = typer.Option(
        "minilm",
        "--embedding",
        help="Embedding backend(s) of the toolkit's model: minilm, static (mapped into "
        "minilm's space on the corpus), static-unaligned, or both (minilm,static); comma-separated.",
    ),
    headroom: bool = typer.Option(False, "--headroom", help=HEADROOM_HELP),
) -> None:
    """Fit topics on a labelled CSV: n_topics, outlier share, NMI, ARI, NPMI, diversity, seconds per model."""
    import pandas as pd

    from toolkit.analysis.topics.embeddings import EMBEDDING_NAMES
    from toolkit.quality.evaluation.topics import (
        evaluate_topic_model,
        sample_topic_dataset,
        stock_bertopic,
        toolkit_topics,
    )

    if file:
        data = pd.read_csv(file)
        missing = [c for c in (text, label, context) if c and c not in data.columns]
        if missing:
            fail(f"{file.name}: no column(s) {missing}; columns are {list(data.columns)}")
    else:
        data, text, label, context = sample_topic_dataset(), "text", "label", "context"
    data = data.dropna(subset=[text])
    texts = data[text].astype(str).tolist()
    labels = data[label].tolist()
    contexts = data[context].where(data[context].notna(), None).tolist() if context else None
    name = file.name if file else "sample"
    backends = (
        ["minilm", "static"] if embedding == "both" else [e.strip() for e in embedding.split(",")]
    )
    unknown = sorted(set(backends) - set(EMBEDDING_NAMES))
    if unknown:
        fail(
            f"--embedding: unknown backend(s) {unknown}; use {', '.join(EMBEDDING_NAMES)} or both",
            code=2,
        )
    for backend in backends:
        fit_predict = toolkit_topics(contexts=contexts, embedding=backend)
        model_name = (
            "toolkit" if backend == "minilm" and len(backends) == 1 else f"toolkit-{backend}"
        )
        typer.echo(
            json.dumps(
                {"dataset": name, **evaluate_topic_model(model_name, texts, labels, fit_predict)}
            )
        )
    if baseline:
        typer.echo(
            json.dumps(
                {
                    "dataset": name,
                    **evaluate_topic_model("stock-bertopic", texts, labels, stock_bertopic()),
                }
            )
        )
    if headroom:
        from toolkit.quality.evaluation.headroom import topic_headroom

        try:
            row = topic_headroom(texts, labels)
        except ValueError as exc:
            fail(f"--headroom: {exc}")
        typer.echo(json.dumps({"dataset": name, **row}))
