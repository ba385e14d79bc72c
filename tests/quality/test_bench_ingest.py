"""The ingest benchmark suite runs end to end on 1,000 rows (figures are not asserted)."""

import csv
import json

from toolkit.quality.benchmarks import ingest as bench


def test_synthetic_posts_are_deterministic_and_canonical():
    first = list(bench.synthetic_posts(50, seed=3))
    assert first == list(bench.synthetic_posts(50, seed=3))
    assert set(first[0]) == set(bench.COLUMNS)
    assert len({p["post_id"] for p in first}) == 50
    assert first[0]["reply_to_id"] is None
    replies = [p for p in first if p["reply_to_id"]]
    assert all(int(p["reply_to_id"]) < int(p["post_id"]) for p in replies)


def test_write_posts_in_both_formats(tmp_path):
    jsonl = bench.write_posts(tmp_path / "p.jsonl", 20, "jsonl")
    rows = [json.loads(line) for line in jsonl.read_text().splitlines()]
    assert len(rows) == 20 and rows[0]["platform"] == "twitter"
    with bench.write_posts(tmp_path / "p.csv", 20, "csv").open() as handle:
        table = list(csv.DictReader(handle))
    assert len(table) == 20 and list(table[0]) == list(bench.COLUMNS)


def test_max_rows_comes_from_the_environment(monkeypatch):
    monkeypatch.delenv(bench.MAX_ROWS_ENV, raising=False)
    assert bench.max_rows() == 10_000_000
    monkeypatch.setenv(bench.MAX_ROWS_ENV, "1000")
    assert bench.max_rows() == 1000


def test_suite_runs_on_1000_rows(tmp_path, monkeypatch):
    monkeypatch.setenv(bench.MAX_ROWS_ENV, "1000")
    lines = []
    result = bench.run(tmp_path / "unused.yaml", lines.append)
    assert [r["rows"] for r in result["results"]] == [1000, 1000]
    for row in result["results"]:
        assert row["toolkit"]["reconciled"] is True, row
        assert row["toolkit"]["runs"] == 3
        for which in ("toolkit", "baseline"):
            assert row[which]["posts_per_s"] > 0 and row[which]["peak_rss_mb"] >= 0
        assert row["speed_ratio"] > 0 and row["cpu_speed_ratio"] > 0
        assert row["toolkit"]["posts_per_cpu_s"] > 0
    assert json.dumps(result)  # JSON-able
    assert any("baseline" in line for line in lines)
