"""Streaming ingest to Parquet: same outputs as the in-memory path, in bounded chunks."""

import json
import os
import stat
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from toolkit.core.schema import ARROW_SCHEMA, from_arrow
from toolkit.ingest import fill_links, ingest_file, write_outputs
from toolkit.ingest.fill_links import fill_links_on_disk
from toolkit.ingest.relations import fill_reply_authors, fill_thread_roots
from toolkit.ingest.stream import SeenKeys, ingest_to_parquet, key_hashes
from toolkit.privacy.pseudonymise import Pseudonymiser

FIXTURES = Path(__file__).parents[1] / "fixtures" / "ingest"
PS = Pseudonymiser(b"stream-key", ["NimbusHome", "NimbusHome_Official", "nimbushome"])
OUTPUTS = ("posts.parquet", "rejects.parquet", "rejects.csv", "ingest_summary.json",
           "profile.parquet", "private/identifiers.json")  # fmt: skip


@pytest.mark.parametrize("name", ["reddit.jsonl", "mastodon.json", "twitter.jsonl", "facebook.csv"])
@pytest.mark.parametrize("chunk", [1, 3, 1000])
def test_same_outputs_as_the_in_memory_path(tmp_path, name, chunk):
    summary = ingest_to_parquet(FIXTURES / name, tmp_path / "s", pseudonymiser=PS, chunk_rows=chunk)
    result = ingest_file(FIXTURES / name, pseudonymiser=PS)
    write_outputs(result, tmp_path / "m")
    for output in OUTPUTS:
        assert (tmp_path / "s" / output).is_file(), output
    streamed = from_arrow(pq.read_table(tmp_path / "s" / "posts.parquet"))
    if name != "twitter.jsonl" or chunk == 1000:  # an edit chain split across chunks differs
        pd.testing.assert_frame_equal(streamed, result.posts)
    memory = json.loads((tmp_path / "m" / "ingest_summary.json").read_text())
    assert summary["total"] == memory["total"]
    assert pq.read_table(tmp_path / "s" / "profile.parquet").equals(
        pq.read_table(tmp_path / "m" / "profile.parquet")
    )
    pd.testing.assert_frame_equal(
        pd.read_csv(tmp_path / "s" / "rejects.csv"), pd.read_csv(tmp_path / "m" / "rejects.csv")
    )
    assert stat.S_IMODE(os.stat(tmp_path / "s" / "rejects.csv").st_mode) == 0o600
    assert stat.S_IMODE(os.stat(tmp_path / "s" / "private").st_mode) == 0o700


def test_duplicates_across_chunks_are_counted(tmp_path):
    line = '{"platform": "forum", "post_id": "%s", "created_at": "2026-10-01", "author": "a", "text": "t"}\n'
    path = tmp_path / "dup.jsonl"
    path.write_text("".join(line % i for i in (1, 2, 3, 1, 2, 4)))
    summary = ingest_to_parquet(path, tmp_path / "out", pseudonymiser=PS, chunk_rows=2)
    total = summary["total"]
    assert (total["rows_in"], total["loaded"], total["duplicates"]) == (6, 4, 2)
    posts = pq.read_table(tmp_path / "out" / "posts.parquet")
    assert posts.column("post_id").to_pylist() == ["1", "2", "3", "4"]
    assert posts.schema.equals(ARROW_SCHEMA)


def test_unknown_file_is_one_reject(tmp_path):
    path = tmp_path / "x.bin"
    path.write_bytes(b"\x00\x01\x02 not a table")
    summary = ingest_to_parquet(path, tmp_path / "out", pseudonymiser=PS)
    assert summary["total"]["rejected_by_reason"] == {"unknown_format": 1}


def test_seen_keys_membership_across_levels():
    seen = SeenKeys()
    seen.add(np.array([5, 1], dtype=np.uint64))
    seen.add(np.array([], dtype=np.uint64))
    seen.add(np.array([9], dtype=np.uint64))
    seen.add(np.array([3, 7, 11], dtype=np.uint64))
    assert len(seen) == 6
    asked = np.array([1, 2, 3, 9, 12, 0], dtype=np.uint64)
    assert seen.contains(asked).tolist() == [True, False, True, True, False, False]


def test_key_hashes_tell_platforms_apart():
    hashes = key_hashes(pa.chunked_array([["a", "b", "a"]]), pa.chunked_array([["1", "1", "1"]]))
    assert hashes[0] == hashes[2] and hashes[0] != hashes[1]


def test_fill_links_on_disk_follows_replies_to_the_root(tmp_path):
    result = ingest_file(FIXTURES / "reddit.jsonl", pseudonymiser=PS)
    posts = result.posts.copy()
    expected = posts.copy()
    replies = posts["reply_to_id"].notna()
    posts.loc[replies, ["reply_to_author", "thread_id"]] = None
    table = pa.Table.from_pandas(posts, schema=ARROW_SCHEMA, preserve_index=False)
    pq.write_table(table, tmp_path / "in.parquet")
    fill_links_on_disk(tmp_path / "in.parquet", tmp_path / "out.parquet")
    filled = from_arrow(pq.read_table(tmp_path / "out.parquet"))
    assert list(filled["post_id"]) == list(expected["post_id"])
    known = expected["post_id"].tolist()
    for column in ("reply_to_author", "thread_id"):
        for got, want, parent in zip(
            filled[column], expected[column], expected["reply_to_id"], strict=True
        ):
            if parent is None or parent in known:
                assert got == want, column


def _posts(rows: list[tuple]) -> pa.Table:
    """Posts from (platform, post_id, author, reply_to_id, reply_to_author, thread_id) tuples."""
    names = ("platform", "post_id", "author", "reply_to_id", "reply_to_author", "thread_id")
    frame = pd.DataFrame(rows, columns=list(names))
    n = len(frame)
    frame["post_type"] = np.where(frame["reply_to_id"].notna(), "reply", "post")
    frame["created_at"] = pd.Timestamp("2026-10-01", tz="UTC")
    frame["is_brand"] = False
    frame["text"] = [f"text {i}" for i in range(n)]
    for column in ("language", "likes", "shares", "replies", "quotes", "views", "author_followers"):
        frame[column] = None
    for column in ("hashtags", "mentions", "urls"):
        frame[column] = [[] for _ in range(n)]
    frame["source_file"] = "in.jsonl"
    frame["source_line"] = np.arange(1, n + 1)
    return pa.Table.from_pandas(
        frame[ARROW_SCHEMA.names], schema=ARROW_SCHEMA, preserve_index=False
    )


def _fill(tmp_path, rows, monkeypatch=None, chunk=None) -> pa.Table:
    if monkeypatch is not None:
        monkeypatch.setattr(fill_links, "CHUNK_ROWS", chunk)
    pq.write_table(_posts(rows), tmp_path / "in.parquet", row_group_size=4)
    fill_links_on_disk(tmp_path / "in.parquet", tmp_path / "out.parquet")
    return pq.read_table(tmp_path / "out.parquet")


def test_fill_links_changes_only_the_rows_missing_a_link(tmp_path, monkeypatch):
    rows = [("forum", str(i), f"a{i}", None, None, str(i)) for i in range(10)]
    rows[4] = ("forum", "4", "a4", "1", None, "1")  # lacks its parent's author
    rows[7] = ("forum", "7", "a7", "4", "someone", None)  # lacks its thread
    rows[8] = ("forum", "8", "a8", "2", "kept", "kept")  # complete: left alone
    out = _fill(tmp_path, rows, monkeypatch, chunk=3)
    assert out.schema.equals(ARROW_SCHEMA)
    assert out.column("post_id").to_pylist() == [str(i) for i in range(10)]
    assert out.column("reply_to_author").to_pylist() == (
        [None] * 4 + ["a1", None, None, "someone", "kept", None]
    )
    assert out.column("thread_id").to_pylist() == [
        "0",
        "1",
        "2",
        "3",
        "1",
        "5",
        "6",
        "1",
        "kept",
        "9",
    ]
    unchanged = [c for c in ARROW_SCHEMA.names if c not in ("reply_to_author", "thread_id")]
    assert out.select(unchanged).equals(_posts(rows).select(unchanged))


def test_fill_links_follows_a_deep_chain_across_batches_in_any_order(tmp_path, monkeypatch):
    # 250 replies, each answering the previous one, written leaf first; deeper than the 200
    # levels the previous version followed
    depth = 250
    chain = [
        ("x", f"c{k}", f"u{k}", f"c{k - 1}" if k else "root", None, None) for k in range(depth)
    ]
    rows = [*reversed(chain), ("x", "root", "boss", None, None, "T")]
    out = _fill(tmp_path, rows, monkeypatch, chunk=7)
    assert out.column("thread_id").to_pylist() == ["T"] * (depth + 1)
    authors = out.column("reply_to_author").to_pylist()
    assert authors[-2:] == ["boss", None]  # c0 answers the root, the root answers no one
    assert authors[0] == f"u{depth - 2}"


def test_fill_links_leaves_broken_chains_and_cycles_unknown(tmp_path):
    rows = [
        ("x", "1", "a", "gone", None, None),  # parent not in the file
        ("x", "2", "b", "1", None, None),  # parent present, grandparent absent
        ("x", "3", "c", "4", None, None),  # 3 and 4 answer each other
        ("x", "4", "d", "3", None, None),
        ("x", "5", "e", "3", None, None),  # answers into the cycle
        ("x", "6", "f", "6", None, None),  # answers itself
        ("x", "7", "g", None, None, None),  # a root without a thread id
        ("x", "8", "h", "7", None, None),
    ]
    out = _fill(tmp_path, rows)
    assert out.column("reply_to_author").to_pylist() == [None, "a", "d", "c", "c", "f", None, "g"]
    assert out.column("thread_id").to_pylist() == [None] * 8


def test_fill_links_matches_parents_on_the_same_platform(tmp_path):
    rows = [
        ("reddit", "1", "r_author", None, None, "t_reddit"),
        ("mastodon", "1", "m_author", None, None, "t_mastodon"),
        ("mastodon", "2", "m2", "1", None, None),
        ("reddit", "3", "r3", "1", None, None),
    ]
    out = _fill(tmp_path, rows)
    assert out.column("reply_to_author").to_pylist() == [None, None, "m_author", "r_author"]
    assert out.column("thread_id").to_pylist() == [
        "t_reddit", "t_mastodon", "t_mastodon", "t_reddit",
    ]  # fmt: skip


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_fill_links_agrees_with_the_in_memory_rules(tmp_path, monkeypatch, seed):
    rng = np.random.default_rng(seed)
    n = 300
    rows = []
    for i in range(n):
        parent = None if rng.random() < 0.2 else str(rng.integers(0, n + 20))  # some absent
        author = None if parent is None or rng.random() < 0.7 else "given"
        thread = str(i) if parent is None and rng.random() < 0.8 else None
        if parent is not None and rng.random() < 0.1:
            thread = "given"
        rows.append(("x", str(i), f"u{i}", parent, author, thread))
    out = from_arrow(_fill(tmp_path, rows, monkeypatch, chunk=16))
    expected = fill_thread_roots(fill_reply_authors(from_arrow(_posts(rows))))
    pd.testing.assert_frame_equal(out, expected)


def test_fill_links_refuses_fills_out_of_row_order(tmp_path):
    pq.write_table(_posts([("x", "1", "a", None, None, None)] * 3), tmp_path / "in.parquet")
    fills = pa.table({"r": [2, 1], "reply_to_author": ["p", "q"], "thread_id": [None, None]})
    pq.write_table(fills, tmp_path / "fills.parquet")
    with pytest.raises(ValueError, match="row order"):
        fill_links._merge_fills(
            tmp_path / "in.parquet", tmp_path / "out.parquet", tmp_path / "fills.parquet"
        )


def test_fill_links_with_a_repeated_id_adds_no_rows_and_takes_the_last(tmp_path):
    rows = [
        ("x", "1", "old", None, None, "t_old"),
        ("x", "2", "b", "1", None, None),
        ("x", "1", "new", None, None, "t_new"),
    ]
    out = _fill(tmp_path, rows)
    assert out.column("reply_to_author").to_pylist() == [None, "new", None]
    assert out.column("thread_id").to_pylist() == ["t_old", "t_new", "t_new"]
    expected = fill_thread_roots(fill_reply_authors(from_arrow(_posts(rows))))
    pd.testing.assert_frame_equal(from_arrow(out), expected)
