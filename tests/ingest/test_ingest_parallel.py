"""Parallel conversion in streaming ingest: the same outputs for any number of workers."""

import csv
import json
import random
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

from toolkit.ingest import generic, stream
from toolkit.ingest.base import RawBatch
from toolkit.ingest.identities import Identities
from toolkit.ingest.parallel import BatchPool, convert_batch, default_workers
from toolkit.ingest.stream import ingest_to_parquet
from toolkit.privacy.pseudonymise import Pseudonymiser

PS = Pseudonymiser(b"parallel-key", ["NimbusHome"])
OUTPUTS = ("posts.parquet", "rejects.parquet", "profile.parquet")
ROWS = 1_200


@pytest.fixture
def small_batches(monkeypatch):
    """Batches of 100 records, and workers from the first one, so a small file uses the pool."""
    monkeypatch.setattr(generic, "BATCH_ROWS", 100)
    monkeypatch.setattr(stream, "PARALLEL_MIN_ROWS", 50)


def messy_records(n: int, seed: int = 0) -> list[dict]:
    """Posts with every kind of trouble: missing fields, bad times, duplicates, replies."""
    rng = random.Random(seed)
    records = []
    for i in range(n):
        record = {
            "platform": "twitter",
            "post_id": str(rng.randrange(n)) if rng.random() < 0.05 else str(i + n),
            "created_at": f"2026-10-{1 + i % 28:02d}T{i % 24:02d}:00:00Z",
            "author": rng.choice(["@NimbusHome", "dana_k", "sam", "lee.w", f"user{i % 97}"]),
            "text": f"post {i} @dana_k @user{i % 13} #Tag{i % 5} https://x.example/{i}",
            "likes": i % 17,
            "reply_to_id": str(i + n - 1) if i and rng.random() < 0.2 else None,
        }
        if records and rng.random() < 0.05:  # the same post again (exact duplicate)
            record = {**rng.choice(records), "likes": i % 17}
        trouble = rng.random()
        if trouble < 0.03:
            record.pop("author")
        elif trouble < 0.06:
            record["created_at"] = "yesterday-ish"
        records.append(record)
    return records


def write_jsonl(path: Path, records: list[dict], bad_every: int = 97) -> Path:
    """JSON lines with a broken line every `bad_every` lines and a blank one now and then."""
    with path.open("w", encoding="utf-8") as out:
        for i, record in enumerate(records):
            if i % bad_every == 5:
                out.write('{"post_id": "broken", "text": \n')
            if i % 211 == 7:
                out.write("\n")
            out.write(json.dumps(record) + "\n")
    return path


def write_csv(path: Path, records: list[dict]) -> Path:
    """CSV with a ragged row every 89 rows."""
    columns = ["platform", "post_id", "created_at", "author", "text", "likes", "reply_to_id"]
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(columns)
        for i, record in enumerate(records):
            if i % 89 == 3:
                writer.writerow(["twitter", "ragged"])
            writer.writerow([record.get(c) for c in columns])
    return path


def ingest_with(path: Path, out: Path, workers: int) -> dict:
    return ingest_to_parquet(path, out, pseudonymiser=PS, workers=workers, chunk_rows=250)


@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
def test_outputs_do_not_depend_on_the_number_of_workers(tmp_path, small_batches, fmt):
    writer = write_jsonl if fmt == "jsonl" else write_csv
    path = writer(tmp_path / f"posts.{fmt}", messy_records(ROWS))
    one = ingest_with(path, tmp_path / "one", workers=1)
    two = ingest_with(path, tmp_path / "two", workers=2)
    assert one == two
    total = two["total"]
    assert total["rows_in"] == total["loaded"] + total["rejected"] + total["duplicates"]
    assert total["duplicates"] > 0 and total["rejected"] > 0  # the file exercises both
    assert total["rejected_by_reason"]["conflicting_duplicate"] > 0  # same id, other text
    for name in OUTPUTS:
        assert pq.read_table(tmp_path / "one" / name).equals(pq.read_table(tmp_path / "two" / name))
    assert (tmp_path / "one" / "rejects.csv").read_text() == (
        tmp_path / "two" / "rejects.csv"
    ).read_text()
    identifiers = "private/identifiers.json"
    assert json.loads((tmp_path / "two" / identifiers).read_text()) == json.loads(
        (tmp_path / "one" / identifiers).read_text()
    )


def test_rejects_found_while_reading_and_while_converting_all_arrive(tmp_path, small_batches):
    path = write_jsonl(tmp_path / "posts.jsonl", messy_records(ROWS), bad_every=41)
    summary = ingest_with(path, tmp_path / "out", workers=2)
    rejects = pd.read_parquet(tmp_path / "out" / "rejects.parquet")
    assert len(rejects) == summary["total"]["rejected"]
    assert rejects["source_line"].is_unique
    assert {"truncated_json", "missing_field:author", "bad_timestamp"} <= set(rejects["reason"])


def test_identifiers_seen_in_workers_reach_the_parent(tmp_path, small_batches):
    path = write_jsonl(tmp_path / "posts.jsonl", messy_records(ROWS))
    ingest_with(path, tmp_path / "out", workers=2)
    seen = json.loads((tmp_path / "out" / "private" / "identifiers.json").read_text())
    assert {"dana_k", "sam", "lee.w", "user0", "user12"} <= set(seen["handles"])
    assert "NimbusHome" not in seen["handles"]


def test_convert_batch_matches_collector_and_moves_identifiers():
    records = messy_records(50)
    batch = RawBatch(records, list(range(1, 51)), _canonical_columns)
    identities = Identities(PS)
    converted = convert_batch(batch, "f.jsonl", None, identities)
    assert converted.rows_in == 50
    assert converted.table.num_rows + converted.n_duplicates + len(converted.rejects) == 50
    assert "dana_k" in converted.identifiers["handles"]
    assert identities.to_dict()["handles"] == []  # moved into the result


def test_batch_pool_gives_results_of_each_batch(tmp_path):
    records = messy_records(300)
    pool = BatchPool(2, Identities(PS), "f.jsonl", None)
    try:
        futures = [
            pool.submit(
                RawBatch(records[i : i + 100], list(range(i + 1, i + 101)), _canonical_columns)
            )
            for i in range(0, 300, 100)
        ]
        results = [f.result() for f in futures]
    finally:
        pool.close()
    firsts = [r.table.column("source_line")[0].as_py() for r in results if r.table.num_rows]
    assert firsts == sorted(firsts) and firsts[0] <= 3
    assert sum(r.rows_in for r in results) == 300


def _canonical_columns(records):
    keys = ["platform", "post_id", "created_at", "author", "text", "likes", "reply_to_id"]
    return generic._json_columns(records, {k: k for k in keys})


def test_default_workers_is_bounded():
    assert 1 <= default_workers() <= 4


def _report_default_workers(queue):
    queue.put(default_workers())


def test_default_workers_is_one_inside_a_daemonic_process():
    import multiprocessing

    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    process = context.Process(target=_report_default_workers, args=(queue,), daemon=True)
    process.start()
    process.join(30)
    assert queue.get(timeout=5) == 1


def test_an_error_in_a_worker_stops_the_ingest_and_leaves_no_outputs(
    tmp_path, small_batches, monkeypatch
):
    from toolkit.ingest import base

    def broken(*args, **kwargs):
        raise RuntimeError("conversion bug")

    path = write_jsonl(tmp_path / "posts.jsonl", messy_records(ROWS))
    monkeypatch.setattr(base, "convert_columns", broken)  # forked workers inherit it
    with pytest.raises(RuntimeError, match="conversion bug"):
        ingest_with(path, tmp_path / "out", workers=2)
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == []
