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

from toolkit.ingest import ingest_file, write_outputs
from toolkit.ingest.stream import SeenKeys, fill_links_on_disk, ingest_to_parquet, key_hashes
from toolkit.pseudonymise import Pseudonymiser
from toolkit.schema import ARROW_SCHEMA, from_arrow

FIXTURES = Path(__file__).parent / "fixtures" / "ingest"
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
