"""toolkit.ingest.dask_ingest: the Dask engine's out-of-core ingest gives `ingest_config`'s summary,
rejects and (partitioned) posts, and `write_partitions_from_parquet` gives `write_partitions`'
files. A synchronous stand-in client runs the worker tasks in this process (the real cluster
is covered by tests/pipeline/test_scale_dask.py)."""

import json
import os

import pandas as pd
import pyarrow.parquet as pq
import pytest
import yaml
from helpers import make_posts

from toolkit.core.config import load_config
from toolkit.core.paths import POSTS_FILE
from toolkit.core.schema import from_arrow, to_arrow
from toolkit.ingest import ingest_config
from toolkit.ingest.dask_ingest import (
    SOURCES_DIR,
    combine_on_disk,
    ingest_source,
    ingest_to_partitions,
    merge_identifiers,
    source_dir,
)
from toolkit.ingest.partition import (
    n_partitions_for,
    read_partition,
    write_partitions,
    write_partitions_from_parquet,
)
from toolkit.privacy.pseudonymise import Pseudonymiser

KEY = "scale-ingest-test-key"
PERIOD = {"start": "2026-09-01", "end": "2026-11-29"}


class SyncClient:
    """The two `distributed.Client` methods the ingest uses, run here, one task after another."""

    def __init__(self):
        self.calls = []

    def map(self, func, *iterables, pure=True, **kwargs):
        self.calls.append((func, [list(i) for i in iterables], kwargs))
        return [func(*args, **kwargs) for args in zip(*iterables, strict=True)]

    def gather(self, futures):
        return futures


def _jsonl(path, rows):
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")


def _post(post_id, created_at, author, text="hello", reply_to_id=None, thread_id=None):
    """A generic record; every row has every key (the loader maps the first row's keys)."""
    return {
        "post_id": post_id,
        "created_at": created_at,
        "author": author,
        "text": text,
        "reply_to_id": reply_to_id,
        "thread_id": thread_id,
    }


@pytest.fixture()
def config(tmp_path, monkeypatch):
    """Three generic JSONL files: a cross-file duplicate in b and c, replies whose parents are in
    an earlier file (one parent outside the period), rows outside the period, a malformed row."""
    monkeypatch.setenv("TOOLKIT_SCALE_INGEST_KEY", KEY)
    monkeypatch.setenv("TOOLKIT_WORK_DIR", str(tmp_path / "work"))
    _jsonl(
        tmp_path / "a.jsonl",
        [
            _post("1", "2026-10-01T10:00:00Z", "alice", "root", thread_id="1"),
            _post("2", "2026-10-01T11:00:00Z", "bob", "reply in a", reply_to_id="1"),
            _post("3", "2026-08-01T00:00:00Z", "carol", "old post", thread_id="3"),
            _post("4", None, "dan", "no time"),
        ],
    )
    _jsonl(
        tmp_path / "b.jsonl",
        [
            _post("1", "2026-10-01T10:00:00Z", "alice", "root", thread_id="1"),  # the same post
            _post("5", "2026-10-02T09:00:00Z", "erin", "answer to an old post", reply_to_id="3"),
            _post("6", "2026-10-03T09:00:00Z", "NimbusHome", "we are on it", reply_to_id="5"),
            _post("7", "2026-11-30T00:00:00Z", "gina", "first second after the period"),
        ],
    )
    _jsonl(
        tmp_path / "c.jsonl",
        [
            _post("8", "2026-11-29T23:59:59Z", "hank", "answer to bob", reply_to_id="2"),
            _post("5", "2026-10-02T09:00:00Z", "erin", "answer to an old post", reply_to_id="3"),
        ],
    )
    raw = {
        "name": "scale-ingest",
        "sources": [
            {"path": name, "format": "jsonl", "platform": "forum"}
            for name in ("a.jsonl", "b.jsonl", "c.jsonl")
        ],
        "period": PERIOD,
        "brand": {"name": "Nimbus", "accounts": {"forum": ["NimbusHome"]}},
        "privacy": {"key_env": "TOOLKIT_SCALE_INGEST_KEY"},
    }
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump(raw), encoding="utf-8")
    return load_config(path)


@pytest.fixture()
def both(config, tmp_path):
    """(ingest_config run, ingest_to_partitions result) for the same config."""
    local = ingest_config(config, tmp_path / "local")
    disk = ingest_to_partitions(
        SyncClient(), config, tmp_path / "dask", tmp_path / "partitions", partition_rows=2
    )
    return local, disk


def test_reconciliation_is_ingest_configs(both):
    local, disk = both
    assert disk.summary == local.summary
    got = {
        f["file"]: (f["rows_in"], f["loaded"], f["rejected"], f["duplicates"])
        for f in disk.summary["files"]
    }
    assert got == {"a.jsonl": (4, 2, 2, 0), "b.jsonl": (4, 2, 1, 1), "c.jsonl": (2, 1, 0, 1)}
    total = disk.summary["total"]
    assert (total["rows_in"], total["loaded"], total["rejected"], total["duplicates"]) == (
        10,
        5,
        3,
        2,
    )
    assert total["rejected_by_reason"]["outside_period"] == 2
    assert disk.n_posts == 5


def test_partitions_hold_write_partitions_rows_in_the_same_order(both, tmp_path):
    local, disk = both
    n = n_partitions_for(len(local.posts), 2)
    assert len(disk.paths) == n == 3
    expected = write_partitions(local.posts, tmp_path / "expected", n)
    for want, got in zip(expected, disk.paths, strict=True):
        assert want.name == got.name
        pd.testing.assert_frame_equal(read_partition(got), read_partition(want))


def test_first_file_wins_and_links_are_filled_across_files(both):
    _, disk = both
    posts = pd.concat([read_partition(p) for p in disk.paths]).set_index("post_id")
    assert sorted(posts.index) == ["1", "2", "5", "6", "8"]
    assert posts.loc["1", "text"] == "root" and posts.loc["1", "source_file"] == "a.jsonl"
    assert posts.loc["5", "source_file"] == "b.jsonl"
    pseudonym = Pseudonymiser(KEY.encode(), ["NimbusHome"]).pseudonym
    # 5 answers carol's post 3: outside the period, yet its author and thread are known
    assert posts.loc["5", "reply_to_author"] == pseudonym("carol")
    assert posts.loc["5", "thread_id"] == "3"
    assert posts.loc["6", "thread_id"] == "3"  # 6 -> 5 -> 3, across files
    assert posts.loc["6", "author"] == "NimbusHome"
    assert posts.loc["8", "reply_to_author"] == pseudonym("bob")  # parent 2 is in a.jsonl
    assert posts.loc["8", "thread_id"] == "1"


def test_rejects_are_ingest_configs_and_owner_only(both, tmp_path):
    local, _ = both
    got = pd.read_parquet(tmp_path / "dask" / "rejects.parquet")
    pd.testing.assert_frame_equal(got, pd.read_parquet(local.paths["rejects_parquet"]))
    assert got["reason"].tolist()[-2:] == ["outside_period", "outside_period"]
    assert got["source_line"].tolist()[-2:] == [3, 4]
    assert oct(os.stat(tmp_path / "dask" / "rejects.parquet").st_mode & 0o777) == "0o600"


def test_ingest_folder_holds_what_ingest_config_writes_and_no_work_files(both, tmp_path):
    local, _ = both
    folder = tmp_path / "dask"
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        p.name for p in (tmp_path / "local").iterdir()
    )
    written = json.loads((folder / "ingest_summary.json").read_text())
    assert written == json.loads(local.paths["summary"].read_text())
    identifiers = folder / "private" / "identifiers.json"
    assert oct(os.stat(identifiers).st_mode & 0o777) == "0o600"
    assert json.loads(identifiers.read_text()) == json.loads(local.paths["identifiers"].read_text())
    assert (folder / "rejects.csv").read_text() == local.paths["rejects_csv"].read_text()
    assert oct(os.stat(folder / "rejects.csv").st_mode & 0o777) == "0o600"
    assert pq.read_table(folder / "profile.parquet").equals(pq.read_table(local.paths["profile"]))
    pd.testing.assert_frame_equal(from_arrow(pq.read_table(folder / "posts.parquet")), local.posts)
    assert not list((tmp_path / "partitions").glob(".*"))


def test_the_bundled_sample_gives_ingest_configs_summary_and_partitions(tmp_path):
    config = load_config()
    local = ingest_config(config, tmp_path / "local")
    disk = ingest_to_partitions(
        SyncClient(), config, tmp_path / "dask", tmp_path / "partitions", partition_rows=2000
    )
    assert disk.summary == local.summary
    expected = write_partitions(local.posts, tmp_path / "expected", len(disk.paths))
    assert len(expected) == n_partitions_for(len(local.posts), 2000) == 4
    for want, got in zip(expected, disk.paths, strict=True):
        pd.testing.assert_frame_equal(read_partition(got), read_partition(want))


def test_tasks_carry_the_config_and_an_index_never_the_key(config, tmp_path):
    client = SyncClient()
    ingest_to_partitions(client, config, tmp_path / "dask", tmp_path / "partitions")
    [(func, iterables, kwargs)] = client.calls
    assert func is ingest_source and iterables[1] == [0, 1, 2]
    sent = repr((iterables, kwargs))
    assert KEY not in sent and KEY.encode().hex() not in sent


def test_ingest_source_writes_parquet_and_returns_only_the_summary_and_identifiers(
    config, tmp_path
):
    summary, identifiers = ingest_source(config, 1, tmp_path)
    assert (summary["file"], summary["rows_in"], summary["loaded"]) == ("b.jsonl", 4, 4)
    assert "alice" in identifiers["handles"] and "NimbusHome" not in identifiers["handles"]
    posts = pq.read_table(source_dir(tmp_path, 1) / POSTS_FILE)
    assert posts.column("post_id").to_pylist() == ["1", "5", "6", "7"]


def test_a_failed_source_leaves_no_work_folder(config, tmp_path):
    (config.sources[2].path).unlink()
    with pytest.raises(FileNotFoundError):
        ingest_to_partitions(SyncClient(), config, tmp_path / "dask", tmp_path / "partitions")
    assert not (tmp_path / "dask" / SOURCES_DIR).exists()


def test_combine_on_disk_without_a_period_keeps_every_unique_row(config, tmp_path):
    folders, summaries = [], []
    for i in range(3):
        summary, _ = ingest_source(config, i, tmp_path)
        folders.append(source_dir(tmp_path, i))
        summaries.append(summary)
    files = combine_on_disk(
        folders, summaries, None, tmp_path / "posts.parquet", tmp_path / "rejects.parquet"
    )
    assert [(f["loaded"], f["rejected"], f["duplicates"]) for f in files] == [
        (3, 1, 0),
        (3, 0, 1),
        (1, 0, 1),
    ]
    posts = pq.read_table(tmp_path / "posts.parquet")
    assert posts.column("post_id").to_pylist() == ["1", "2", "3", "5", "6", "7", "8"]
    assert pd.read_parquet(tmp_path / "rejects.parquet")["reason"].tolist() == [
        "missing_field:created_at"
    ]


def test_merge_identifiers_is_the_sorted_union():
    parts = [{"handles": ["b", "a"], "user_ids": ["1"]}, {"handles": ["a", "c"]}]
    assert merge_identifiers(parts) == {
        "handles": ["a", "b", "c"],
        "display_names": [],
        "user_ids": ["1"],
    }


def _conversations():
    """Posts in several conversations and platforms, linked by threads and replies."""
    return make_posts(
        *[
            {
                "post_id": str(i),
                "platform": "reddit" if i % 9 == 0 else "twitter",
                "thread_id": str(i // 3) if i % 3 == 2 else None,
                "reply_to_id": str(i - 1) if i % 5 == 1 else None,
                "text": f"post {i}",
                "hashtags": ["tag"] if i % 4 else [],
                "likes": i if i % 2 else None,
            }
            for i in range(120)
        ]
    )


@pytest.mark.parametrize("n_partitions", [1, 4, 200])
def test_write_partitions_from_parquet_equals_write_partitions(tmp_path, n_partitions):
    posts = _conversations()
    pq.write_table(to_arrow(posts), tmp_path / "posts.parquet")
    want = write_partitions(posts, tmp_path / "memory", n_partitions)
    got = write_partitions_from_parquet(tmp_path / "posts.parquet", tmp_path / "disk", n_partitions)
    assert [p.name for p in got] == [p.name for p in want]
    for a, b in zip(want, got, strict=True):
        pd.testing.assert_frame_equal(read_partition(b), read_partition(a))
    assert sum(len(read_partition(p)) for p in got) == len(posts)
    assert not list((tmp_path / "disk").glob(".*"))


def test_write_partitions_from_parquet_of_no_posts_writes_empty_partitions(tmp_path):
    pq.write_table(to_arrow(make_posts()), tmp_path / "posts.parquet")
    paths = write_partitions_from_parquet(tmp_path / "posts.parquet", tmp_path / "out", 2)
    assert [len(read_partition(p)) for p in paths] == [0, 0]


def test_write_partitions_from_parquet_removes_a_previous_runs_extra_files(tmp_path):
    pq.write_table(to_arrow(_conversations()), tmp_path / "posts.parquet")
    write_partitions_from_parquet(tmp_path / "posts.parquet", tmp_path / "out", 5)
    paths = write_partitions_from_parquet(tmp_path / "posts.parquet", tmp_path / "out", 2)
    assert sorted((tmp_path / "out").glob("part-*.parquet")) == paths


def test_partition_numbers_of_an_arrow_table_are_partition_posts(monkeypatch):
    import toolkit.ingest.partition as partition

    monkeypatch.setattr(partition, "_BATCH_ROWS", 7)  # hash the conversation keys in chunks
    posts = _conversations()
    ids = to_arrow(posts).select(partition.ID_COLUMNS)
    for n in (1, 3, 16):
        expected = partition.partition_posts(posts, n)
        assert partition.partition_numbers(ids, n).tolist() == expected.tolist()
    assert partition.partition_numbers(ids.slice(0, 0), 3).tolist() == []
