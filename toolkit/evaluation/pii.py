"""PII detection evaluated against labelled spans (`toolkit eval pii`).

Labelled spans are labelled spans in the format of presidio-research's synthetic datasets, a JSON list of
``{"full_text": str, "spans": [{"entity_type", "entity_value", "start_position", "end_position"}]}``.
A gold span counts as found when a predicted span of the same (aliased) type overlaps it; a
predicted span is correct when it overlaps a gold span of that type. F2 weighs recall twice
as much as precision: a missed phone number costs more than a masked word.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from pathlib import Path

from toolkit.config import SAMPLE_DIR

#: Gold label names of other datasets -> our entity names (Presidio's, plus HANDLE/ORDER_NUMBER).
ALIASES = {"LOCATION": "STREET_ADDRESS", "ADDRESS": "STREET_ADDRESS", "PHONE": "PHONE_NUMBER",
           "EMAIL": "EMAIL_ADDRESS", "NAME": "PERSON", "PER": "PERSON"}
#: Predicted types that no gold set labels (URLs, handles) are not counted as false positives
#: unless the gold set uses them.
UNSCORED_UNLESS_LABELLED = {"URL", "HANDLE"}


def load_pii_dataset(path: str | Path) -> list[dict]:
    """Read a presidio-research style JSON list of labelled texts."""
    records = json.loads(Path(path).read_text(encoding="utf-8"))
    if not isinstance(records, list) or not all("full_text" in r and "spans" in r for r in records):
        raise ValueError(f"{path}: expected a JSON list of {{full_text, spans}} records")
    return records


def sample_pii_dataset(labels_path: Path = SAMPLE_DIR / "labels.jsonl") -> list[dict]:
    """The bundled sample's customer posts and their planted personal data, in that format."""
    records = []
    for line in Path(labels_path).read_text(encoding="utf-8").splitlines():
        item = json.loads(line)
        if item.get("is_brand") or item.get("malformed") or not item.get("text"):
            continue
        records.append({
            "full_text": item["text"],
            "spans": [{"entity_type": s["entity_type"], "entity_value": s["value"],
                       "start_position": s["start"], "end_position": s["end"]} for s in item["pii"]],
        })
    return records


def evaluate_pii(records: list[dict], detect=None) -> dict:
    """Precision, recall and F2 overall and per entity type, and posts per second."""
    if detect is None:
        from toolkit.privacy import detect
    gold_types = {ALIASES.get(s["entity_type"], s["entity_type"]) for r in records for s in r["spans"]}
    tp_gold, n_gold, tp_pred, n_pred = Counter(), Counter(), Counter(), Counter()
    started = time.perf_counter()
    predictions = [detect(r["full_text"]) for r in records]
    seconds = time.perf_counter() - started
    for record, predicted in zip(records, predictions, strict=True):
        gold = [(s["start_position"], s["end_position"], ALIASES.get(s["entity_type"], s["entity_type"]))
                for s in record["spans"]]
        pred = [(p.start, p.end, p.entity_type) for p in predicted
                if p.entity_type in gold_types or p.entity_type not in UNSCORED_UNLESS_LABELLED]
        for start, end, kind in gold:
            n_gold[kind] += 1
            tp_gold[kind] += any(_overlap(start, end, ps, pe) and pk == kind for ps, pe, pk in pred)
        for start, end, kind in pred:
            n_pred[kind] += 1
            tp_pred[kind] += any(_overlap(start, end, gs, ge) and gk == kind for gs, ge, gk in gold)
    per_type = {kind: _scores(tp_gold[kind], n_gold[kind], tp_pred[kind], n_pred[kind])
                for kind in sorted(set(n_gold) | set(n_pred))}
    overall = _scores(sum(tp_gold.values()), sum(n_gold.values()), sum(tp_pred.values()), sum(n_pred.values()))
    return {"model": "toolkit.privacy", "n_posts": len(records), **overall,
            "posts_per_second": round(len(records) / seconds, 1) if seconds else None, "per_type": per_type}


def _overlap(a_start: int, a_end: int, b_start: int, b_end: int) -> bool:
    return a_start < b_end and b_start < a_end


def _scores(tp_gold: int, n_gold: int, tp_pred: int, n_pred: int) -> dict:
    recall = tp_gold / n_gold if n_gold else None
    precision = tp_pred / n_pred if n_pred else None
    if recall is None or precision is None or (precision + recall) == 0:
        f2 = None
    else:
        f2 = 5 * precision * recall / (4 * precision + recall)
    return {"precision": _round(precision), "recall": _round(recall), "f2": _round(f2),
            "n_gold": n_gold, "n_predicted": n_pred}


def _round(x):
    return None if x is None else round(x, 4)
