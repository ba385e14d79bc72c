"""PII detection evaluated against labelled spans (`toolkit eval pii`).

Labelled data is in the format of presidio-research's synthetic datasets, a JSON list of
``{"full_text": str, "spans": [{"entity_type", "entity_value", "start_position", "end_position"}]}``.
A gold span counts as found when a predicted span of the same (aliased) type overlaps it; a
predicted span is correct when it overlaps a gold span of that type. F2 weighs recall twice
as much as precision: a missed phone number costs more than a masked word.

The type-agnostic scores (``any_precision``, ``any_recall``, ``any_f2``) are presidio-research's
"PII" row: a gold span is found when any predicted span overlaps it, whatever either type, and
every prediction counts (a redacted span is redacted whatever we call it).

Token files in CoNLL / BIO form (``token<TAB or space>tag`` per line, a blank line between
posts, as the Broad Twitter Corpus) are read by `load_conll`: the tokens joined by single
spaces make the text.

Predicted types that the dataset never labels (say ORDER_NUMBER on a set without order
numbers) cannot be judged, so they are counted apart (``unscored_predictions``) rather than
as false positives, as presidio-research does for entity types outside a dataset.

Hand-labelled posts are easiest to write inline, one per line, as
``call [[PHONE_NUMBER:0161 496 0753]] pls``; `parse_marked` turns that into a record.
"""

from __future__ import annotations

import json
import re
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

from toolkit.core.paths import SAMPLE_DIR

#: Gold label names of other datasets -> our entity names (Presidio's, plus HANDLE/ORDER_NUMBER).
ALIASES = {
    "ADDRESS": "STREET_ADDRESS",
    "STREET": "STREET_ADDRESS",
    "PHONE": "PHONE_NUMBER",
    "EMAIL": "EMAIL_ADDRESS",
    "NAME": "PERSON",
    "PER": "PERSON",
    "LOC": "LOCATION",
    "GPE": "LOCATION",
    "FAC": "LOCATION",
    "ORG": "ORGANIZATION",
    "NORP": "NRP",
    "IBAN": "IBAN_CODE",
    "IP": "IP_ADDRESS",
    "USERNAME": "HANDLE",
    "US_PASSPORT": "PASSPORT",
    "UK_PASSPORT": "PASSPORT",
}
_MARK = re.compile(r"\[\[(?P<type>[A-Z_]+):(?P<value>.+?)\]\]")


def canonical_type(entity_type: str) -> str:
    """Our name for a gold or predicted entity type (see `ALIASES`)."""
    return ALIASES.get(entity_type, entity_type)


def parse_marked(line: str) -> dict:
    """One presidio-research record from a post marked up as ``[[TYPE:value]]``.

    Parameters
    ----------
    line : str
        Post text with each labelled value written as ``[[ENTITY_TYPE:value]]``.
    """
    text_parts: list[str] = []
    spans = []
    cursor = length = 0
    for m in _MARK.finditer(line):
        before = line[cursor : m.start()]
        text_parts.append(before)
        length += len(before)
        value = m.group("value")
        spans.append(
            {
                "entity_type": m.group("type"),
                "entity_value": value,
                "start_position": length,
                "end_position": length + len(value),
            }
        )
        text_parts.append(value)
        length += len(value)
        cursor = m.end()
    text_parts.append(line[cursor:])
    return {"full_text": "".join(text_parts), "spans": spans}


def load_marked(path: str | Path) -> list[dict]:
    """Records from a text file of marked-up posts (one a line; '#' lines are comments)."""
    lines = Path(path).read_text(encoding="utf-8").splitlines()
    return [parse_marked(line) for line in lines if line.strip() and not line.startswith("#")]


#: Predicted types whose precision is reported on NER token files (people, places, organisations).
NER_PRECISION_TYPES = frozenset({"PERSON", "LOCATION", "ORGANIZATION"})


def load_conll(path: str | Path) -> list[dict]:
    """presidio-research records from a CoNLL / BIO token file (``token<TAB>tag`` lines, blank
    line between posts); the text is the tokens joined by spaces, types are the BIO labels
    (PER, LOC, ORG, ...). A line that is not ``token tag`` with a BIO tag raises ValueError
    naming the line; empty tokens (stripped invisible characters) are skipped."""
    from toolkit.privacy.detect.ner_train import bio_spans, read_conll

    records = []
    for words, tags in read_conll(path):
        starts, cursor = [], 0
        for word in words:
            starts.append(cursor)
            cursor += len(word) + 1
        text = " ".join(words)
        spans = [
            {
                "entity_type": label,
                "entity_value": text[starts[s] : starts[e - 1] + len(words[e - 1])],
                "start_position": starts[s],
                "end_position": starts[e - 1] + len(words[e - 1]),
            }
            for s, e, label in bio_spans(tags)
        ]
        records.append({"full_text": text, "spans": spans})
    return records


def is_conll(path: str | Path) -> bool:
    """Is the file a CoNLL / BIO token file (rather than JSON or marked-up text)?"""
    path = Path(path)
    if path.suffix.lower() in (".json", ".txt"):
        return False
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                tag = line.rstrip("\n").rpartition("\t" if "\t" in line else " ")[2]
                return tag == "O" or tag[:2] in ("B-", "I-")
    return False


def load_pii_dataset(path: str | Path) -> list[dict]:
    """Read a presidio-research style JSON list of labelled texts, a marked-up .txt file, or a
    CoNLL / BIO token file (`load_conll`)."""
    if Path(path).suffix.lower() == ".txt":
        return load_marked(path)
    if is_conll(path):
        return load_conll(path)
    records = json.loads(Path(path).read_text(encoding="utf-8"))
    if not isinstance(records, list) or not all(
        isinstance(r, dict) and "full_text" in r and "spans" in r for r in records
    ):
        raise ValueError(f"{path}: expected a JSON list of {{full_text, spans}} records")
    return records


def sample_pii_dataset(labels_path: Path = SAMPLE_DIR / "labels.jsonl") -> list[dict]:
    """The bundled sample's customer posts and their planted personal data, in that format."""
    records = []
    for line in Path(labels_path).read_text(encoding="utf-8").splitlines():
        item = json.loads(line)
        if item.get("is_brand") or item.get("malformed") or not item.get("text"):
            continue
        spans = [
            {
                "entity_type": s["entity_type"],
                "entity_value": s["value"],
                "start_position": s["start"],
                "end_position": s["end"],
            }
            for s in item["pii"]
        ]
        records.append({"full_text": item["text"], "spans": spans})
    return records


def predict_all(
    records: Sequence[dict], detect: Callable[[str], Iterable[Any]]
) -> tuple[list[list[tuple[int, int, str]]], float]:
    """Predicted (start, end, type) per record, and the seconds the predictions took.

    Parameters
    ----------
    records : sequence of dict
        presidio-research records.
    detect : callable
        text -> spans with ``start``, ``end`` and ``entity_type`` attributes. A bound
        ``Detector.detect`` runs as ``Detector.detect_many`` (NER in batches, as the pipeline
        runs it), after its NER cache is cleared so that every timed run parses every text.
    """
    owner = getattr(detect, "__self__", None)
    batch = getattr(owner, "detect_many", None)
    clear = getattr(owner, "clear_cache", None)
    if clear is not None:
        clear()
    texts = [r["full_text"] for r in records]
    started = time.perf_counter()
    raw = batch(texts) if batch is not None else [list(detect(t)) for t in texts]
    seconds = time.perf_counter() - started
    predictions = [
        [(p.start, p.end, canonical_type(p.entity_type)) for p in spans] for spans in raw
    ]
    return predictions, seconds


def score_predictions(
    records: Sequence[dict], predictions: Sequence[Sequence[tuple[int, int, str]]]
) -> dict:
    """Precision, recall and F2 overall and per entity type, by overlap of same-type spans.

    Parameters
    ----------
    records : sequence of dict
        presidio-research records (gold spans).
    predictions : sequence of sequence of (start, end, entity_type)
        One list per record, types already canonical.
    """
    gold_types = {canonical_type(s["entity_type"]) for r in records for s in r["spans"]}
    tp_gold, n_gold, tp_pred, n_pred, unscored = (
        Counter(),
        Counter(),
        Counter(),
        Counter(),
        Counter(),
    )
    for record, predicted in zip(records, predictions, strict=True):
        gold = [
            (s["start_position"], s["end_position"], canonical_type(s["entity_type"]))
            for s in record["spans"]
        ]
        scored = []
        for start, end, kind in predicted:
            if kind in gold_types:
                scored.append((start, end, kind))
            else:
                unscored[kind] += 1
        for start, end, kind in gold:
            n_gold[kind] += 1
            tp_gold[kind] += any(
                _overlap(start, end, ps, pe) and pk == kind for ps, pe, pk in scored
            )
        for start, end, kind in scored:
            n_pred[kind] += 1
            tp_pred[kind] += any(_overlap(start, end, gs, ge) and gk == kind for gs, ge, gk in gold)
    per_type = {
        kind: _scores(tp_gold[kind], n_gold[kind], tp_pred[kind], n_pred[kind])
        for kind in sorted(set(n_gold) | set(n_pred))
    }
    overall = _scores(
        sum(tp_gold.values()), sum(n_gold.values()), sum(tp_pred.values()), sum(n_pred.values())
    )
    agnostic = any_type_scores(records, predictions)
    for kind, row in per_type.items():
        row["any_recall"] = agnostic["any_recall_per_gold_type"].get(kind)
    return {
        **overall,
        **{k: v for k, v in agnostic.items() if k != "any_recall_per_gold_type"},
        "per_type": per_type,
        "unscored_predictions": dict(sorted(unscored.items())),
    }


def any_type_scores(
    records: Sequence[dict],
    predictions: Sequence[Sequence[tuple[int, int, str]]],
    precision_types: Iterable[str] | None = None,
) -> dict:
    """Type-agnostic precision, recall and F2 (presidio-research's PII row).

    A gold span is found when any predicted span overlaps it; a predicted span is correct when
    it overlaps any gold span. Also the recall per gold type.

    Parameters
    ----------
    records : sequence of dict
        presidio-research records (gold spans).
    predictions : sequence of sequence of (start, end, entity_type)
    precision_types : iterable of str, optional
        Count only predictions of these (canonical) types for precision (default: all).
    """
    kept = None if precision_types is None else frozenset(precision_types)
    found, n_gold = Counter(), Counter()
    tp_pred = n_pred = 0
    for record, predicted in zip(records, predictions, strict=True):
        gold = [(s["start_position"], s["end_position"]) for s in record["spans"]]
        for s in record["spans"]:
            kind = canonical_type(s["entity_type"])
            n_gold[kind] += 1
            found[kind] += any(
                _overlap(s["start_position"], s["end_position"], ps, pe) for ps, pe, _ in predicted
            )
        for start, end, kind in predicted:
            if kept is not None and kind not in kept:
                continue
            n_pred += 1
            tp_pred += any(_overlap(start, end, gs, ge) for gs, ge in gold)
    scores = _scores(sum(found.values()), sum(n_gold.values()), tp_pred, n_pred)
    return {
        "any_precision": scores["precision"],
        "any_recall": scores["recall"],
        "any_f2": scores["f2"],
        "any_n_predicted": n_pred,
        "any_recall_per_gold_type": {
            kind: _round(found[kind] / n_gold[kind]) for kind in sorted(n_gold)
        },
    }


def ner_precision(
    records: Sequence[dict],
    predictions: Sequence[Sequence[tuple[int, int, str]]],
    types: Iterable[str] = NER_PRECISION_TYPES,
) -> dict:
    """Precision of the person / place / organisation predictions on an NER token file: typed
    (the gold span it overlaps has the same type) and type-agnostic (it overlaps any gold span).

    Parameters
    ----------
    records : sequence of dict
    predictions : sequence of sequence of (start, end, entity_type)
    types : iterable of str
        Canonical predicted types scored.
    """
    types = frozenset(types)
    n = typed = any_hit = 0
    for record, predicted in zip(records, predictions, strict=True):
        gold = [
            (s["start_position"], s["end_position"], canonical_type(s["entity_type"]))
            for s in record["spans"]
        ]
        for start, end, kind in predicted:
            if kind not in types:
                continue
            n += 1
            typed += any(_overlap(start, end, gs, ge) and gk == kind for gs, ge, gk in gold)
            any_hit += any(_overlap(start, end, gs, ge) for gs, ge, _ in gold)
    return {
        "types": sorted(types),
        "n_predicted": n,
        "precision": _round(typed / n) if n else None,
        "any_precision": _round(any_hit / n) if n else None,
    }


def evaluate_pii(
    records: Sequence[dict],
    detect: Callable[[str], Iterable[Any]] | None = None,
    model: str = "toolkit.privacy.detect.analyzer",
    ner_file: bool = False,
) -> dict:
    """Precision, recall and F2 overall and per entity type, and posts per second.

    Parameters
    ----------
    records : sequence of dict
        presidio-research records.
    detect : callable, optional
        text -> spans (``start``, ``end``, ``entity_type``); default `toolkit.privacy.detect.analyzer.detect`.
    model : str
        Name reported in the output.
    ner_file : bool
        The records come from an NER token file (`load_conll`): also report the precision of
        the person / place / organisation predictions (`ner_precision`).
    """
    if detect is None:
        from toolkit.privacy.detect.analyzer import default_detector

        detect = default_detector().detect
    if records:
        detect(records[0]["full_text"])  # warm up: loading models is not detection time
    predictions, seconds = predict_all(records, detect)
    out = {
        "model": model,
        "n_posts": len(records),
        **score_predictions(records, predictions),
        "posts_per_second": round(len(records) / seconds, 1) if seconds else None,
    }
    if ner_file:
        out["ner_precision"] = ner_precision(records, predictions)
    return out


def errors(records: Sequence[dict], detect: Callable[[str], Iterable[Any]] | None = None) -> dict:
    """Missed gold spans and wrong predictions, for reading through (not for reports).

    Parameters
    ----------
    records : sequence of dict
    detect : callable, optional
    """
    if detect is None:
        from toolkit.privacy.detect.analyzer import detect
    predictions, _ = predict_all(records, detect)
    gold_types = {canonical_type(s["entity_type"]) for r in records for s in r["spans"]}
    missed, wrong = [], []
    for record, predicted in zip(records, predictions, strict=True):
        text = record["full_text"]
        gold = [
            (s["start_position"], s["end_position"], canonical_type(s["entity_type"]))
            for s in record["spans"]
        ]
        for gs, ge, gk in gold:
            if not any(_overlap(gs, ge, ps, pe) and pk == gk for ps, pe, pk in predicted):
                missed.append((gk, text[gs:ge], text))
        for ps, pe, pk in predicted:
            if pk in gold_types and not any(
                _overlap(ps, pe, gs, ge) and gk == pk for gs, ge, gk in gold
            ):
                wrong.append((pk, text[ps:pe], text))
    return {"missed": missed, "false_positives": wrong}


def _overlap(a_start: int, a_end: int, b_start: int, b_end: int) -> bool:
    return a_start < b_end and b_start < a_end


def _scores(tp_gold: int, n_gold: int, tp_pred: int, n_pred: int) -> dict:
    recall = tp_gold / n_gold if n_gold else None
    precision = tp_pred / n_pred if n_pred else None
    if recall is None or precision is None or (precision + recall) == 0:
        f2 = None
    else:
        f2 = 5 * precision * recall / (4 * precision + recall)
    return {
        "precision": _round(precision),
        "recall": _round(recall),
        "f2": _round(f2),
        "n_gold": n_gold,
        "n_predicted": n_pred,
    }


def _round(x: float | None) -> float | None:
    return None if x is None else round(x, 4)
