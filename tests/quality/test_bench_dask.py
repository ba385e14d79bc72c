"""The Dask benchmark suite runs end to end on ~2,000 synthetic posts (figures are not asserted)."""

import json
from pathlib import Path

import pandas as pd
import pytest

from toolkit.core.schema import validate_posts
from toolkit.ingest.partition import read_partition
from toolkit.pipeline import conversation_keys
from toolkit.quality.benchmarks import dask as bench


def test_sizes_to_run_are_capped_by_the_environment(monkeypatch):
    assert bench.sizes_to_run(10_000_000) == [1_000_000, 10_000_000]
    assert bench.sizes_to_run(5_000_000) == [1_000_000]
    assert bench.sizes_to_run(2_000) == [2_000]
    monkeypatch.setenv(bench.MAX_ROWS_ENV, "1500")
    assert bench.sizes_to_run() == [1500]
    monkeypatch.delenv(bench.MAX_ROWS_ENV)
    assert bench.sizes_to_run() == [1_000_000, 10_000_000]


def test_synthetic_partition_is_canonical_and_deterministic():
    posts = bench.synthetic_partition(300, 4, seed=1)
    validate_posts(posts)
    assert len(posts) == 300 and posts["post_id"].is_unique
    assert posts["post_id"].str.startswith("4-").all()
    pd.testing.assert_frame_equal(posts, bench.synthetic_partition(300, 4, seed=1))
    assert not posts["text"].equals(bench.synthetic_partition(300, 4, seed=2)["text"])
    replies = posts[posts["post_type"] == "reply"]
    parents = posts.set_index("post_id").loc[replies["reply_to_id"]]
    assert (parents["created_at"].to_numpy() <= replies["created_at"].to_numpy()).all()
    assert set(posts.loc[posts["is_brand"], "author"]) == {bench.BRAND}
    assert posts["text"].str.contains("@example.com").any()


def test_synthetic_partitions_hold_whole_conversations(tmp_path):
    paths = bench.write_synthetic(tmp_path, 1000, 300)
    assert [p.name for p in paths] == [f"part-0000{i}.parquet" for i in range(4)]
    parts = [read_partition(p) for p in paths]
    assert [len(p) for p in parts] == [300, 300, 300, 100]
    keys = [set(conversation_keys(p)) for p in parts]
    whole = conversation_keys(pd.concat(parts, ignore_index=True))
    assert whole.nunique() == sum(len(k) for k in keys)  # no conversation spans two files


def test_the_suite_runs_on_2000_posts(monkeypatch):
    monkeypatch.setenv(bench.MAX_ROWS_ENV, "2000")
    messages = []
    result = bench.run(Path("unused.yaml"), messages.append)
    json.dumps(result)  # JSON-able
    (size,) = result["sizes"]
    assert size["rows"] == 2000 and size["partitions"] == 8
    for name in ("local", "dask_1_worker", "dask_2_workers"):
        assert size[name]["rows"] == 2000 and size[name]["seconds"] > 0
    assert len(size["dask_1_worker"]["peak_rss_mb_per_worker"]) == 1
    assert len(size["dask_2_workers"]["peak_rss_mb_per_worker"]) == 2
    assert all(mb > 50 for mb in size["dask_2_workers"]["peak_rss_mb_per_worker"])
    assert size["ratio_dask_1_worker_to_local"] == pytest.approx(
        size["dask_1_worker"]["seconds"] / size["local"]["seconds"], rel=1e-2
    )
    assert result["machine"]["cpus"] >= 1 and "added_posts_per_second_per_worker" in size
    assert any("Dask, 2 worker(s)" in m for m in messages)
