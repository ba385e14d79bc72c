"""Row collection, de-duplication, reconciliation, identities and reply/thread links."""

import hashlib
import hmac

import pandas as pd
import pytest

from toolkit.core.schema import empty_posts, validate_posts
from toolkit.ingest.base import (
    Collector,
    IngestResult,
    ReconciliationError,
    check_reconciliation,
    truncate_raw,
)
from toolkit.ingest.identities import Identities
from toolkit.ingest.relations import fill_reply_authors, fill_thread_roots
from toolkit.privacy.pseudonymise import Pseudonymiser

KEY = b"test-key"


def row(post_id, text="t", **extra):
    return {
        "post_id": post_id,
        "post_type": "post",
        "created_at": 1_788_264_000_000_000,
        "author": "a",
        "is_brand": False,
        "text": text,
        **extra,
    }


def test_collector_builds_canonical_frame_and_dedupes():
    out = Collector("f.jsonl", platform="twitter")
    out.add(row("1", "first"), 1)
    out.add(row("1", "first", likes=3), 2)  # the same post read again: the first is kept
    out.add(row("5", "old edit"), 3, dedupe_key="5", version=5)
    out.add(row("6", "new edit"), 4, dedupe_key="5", version=6)
    out.reject(5, "bad_json", b"{oops")
    posts, duplicates = out.posts()
    validate_posts(posts)
    assert list(posts["post_id"]) == ["1", "6"]
    assert list(posts["text"]) == ["first", "new edit"]
    assert list(posts["source_line"]) == [1, 4]
    assert duplicates == 2
    assert out.rows_in == 5
    assert posts["created_at"].iloc[0] == pd.Timestamp("2026-09-01T12:00Z")
    assert list(posts["hashtags"].iloc[0]) == []
    assert posts.dtypes.equals(empty_posts().dtypes)
    result = IngestResult("f.jsonl", "twarc2", posts, out.rejects(), out.rows_in, duplicates)
    assert result.rejects_by_reason == {"bad_json": 1}
    assert result.rejects.iloc[0]["raw"] == "{oops"


@pytest.mark.parametrize(
    "change", [{"text": "other"}, {"author": "b"}, {"created_at": 1_788_264_060_000_000}]
)
def test_same_id_with_other_content_is_a_conflicting_duplicate(change):
    out = Collector("f.jsonl", platform="twitter")
    out.add(row("1", "first"), 1)
    out.add(row("1", "first", likes=3), 2)  # exact duplicate (counts may differ)
    out.add({**row("1", "first"), "created_at": 1_788_264_000_000_001, **change}, 3)
    posts, duplicates = out.posts()
    rejects = out.rejects()
    assert list(posts["source_line"]) == [1] and duplicates == 1
    assert list(rejects["reason"]) == ["conflicting_duplicate"]
    assert list(rejects["source_line"]) == [3]
    IngestResult("f.jsonl", "twarc2", posts, rejects, out.rows_in, duplicates)  # reconciles


def test_collector_survives_lone_surrogates():
    out = Collector("f", platform="x")
    out.add(row("1", "bad \udc00", hashtags=["a\ud800"]), 1)
    posts, _ = out.posts()
    assert posts.iloc[0]["text"] == "bad \ufffd"
    assert list(posts.iloc[0]["hashtags"]) == ["a\ufffd"]


def test_reconciliation_is_enforced():
    check_reconciliation("ok", 5, 3, 1, 1)
    with pytest.raises(ReconciliationError, match="rows_in=5"):
        check_reconciliation("bad", 5, 3, 1, 0)
    with pytest.raises(ReconciliationError):
        IngestResult("f", "csv", empty_posts(), Collector("f").rejects(), rows_in=1)


def test_truncate_raw():
    assert len(truncate_raw("x" * 5000)) == 2000
    assert truncate_raw({"a": 1}) == '{"a": 1}'
    assert truncate_raw(b"\xff\xfeab") == "\ufffd\ufffdab"


def test_identities_pseudonyms_brand_and_notes():
    ids = Identities(Pseudonymiser(KEY, ["nimbushome"]), ["NimbusHome"])
    expected = "u_" + hmac.new(KEY, b"dana_k", hashlib.sha256).hexdigest()[:16]
    assert ids.handle("@Dana_K") == expected
    assert ids.author("dana_k") == (expected, False)
    assert ids.author("NIMBUSHOME") == ("NIMBUSHOME", True)  # brand: as written in the data
    assert ids.author("[deleted]") == ("deleted", False)
    assert ids.handle(expected) == expected  # already a pseudonym: not hashed twice
    assert (
        ids.text("hi @dana_k and @NimbusHome, mail x@y.com")
        == f"hi @{expected} and @NimbusHome, mail x@y.com"
    )
    assert ids.reddit_text("thx u/dana_k, /u/NimbusHome") == f"thx u/{expected}, /u/NimbusHome"
    assert ids.reddit_text("cc /u/dana_k") == f"cc /u/{expected}"
    ids.note("NimbusHome", "Nimbus Home", 1)  # brand: not noted
    ids.note("sam", " Sam R ", 42)
    assert ids.to_dict() == {
        "handles": ["Dana_K", "dana_k", "sam"],
        "display_names": ["Sam R"],
        "user_ids": ["42"],
    }


def test_identities_without_pseudonymiser_uses_a_random_key():
    a, b = Identities(brand_handles=["NimbusHome"]), Identities(brand_handles=["NimbusHome"])
    assert a.handle("dana") == a.handle("dana") != b.handle("dana")
    assert a.handle("@nimbushome") == "nimbushome"


def _frame(rows):
    out = Collector("f", platform="mastodon")
    for i, r in enumerate(rows, start=1):
        out.add(r, i)
    return out.posts()[0]


def test_fill_reply_authors_from_loaded_parents():
    posts = _frame(
        [
            row("1", author="u_parent", thread_id="1"),
            row("2", post_type="reply", reply_to_id="1"),
            row("3", post_type="reply", reply_to_id="404"),
            row("4", post_type="reply", reply_to_id="1", reply_to_author="kept"),
        ]
    )
    filled = fill_reply_authors(posts)
    assert list(filled["reply_to_author"]) == [None, "u_parent", None, "kept"]
    assert posts["reply_to_author"].iloc[1] is None  # input not modified


def test_fill_thread_roots_follows_chains_and_stops_at_gaps():
    posts = _frame(
        [
            row("1", thread_id="1"),
            row("2", reply_to_id="1"),
            row("3", reply_to_id="2"),
            row("4", reply_to_id="404"),
            row("5", reply_to_id="4"),
            row("6", reply_to_id="7"),
            row("7", reply_to_id="6"),  # a cycle
        ]
    )
    assert list(fill_thread_roots(posts)["thread_id"]) == ["1", "1", "1", None, None, None, None]


def test_first_occurrences_keeps_the_first_of_each_key():
    import pyarrow as pa

    from toolkit.ingest.base import first_occurrences

    platforms = pa.array(["a", "a", "b", "a", "b"])
    ids = pa.array(["1", "2", "1", "1", "1"])
    assert first_occurrences(platforms, ids).to_pylist() == [0, 1, 2]
    assert first_occurrences(pa.array(["a", "b"]), pa.array(["1", "1"])) is None


def test_add_columns_and_drain():
    out = Collector("f.jsonl", "forum")
    columns = {name: [row(str(i))[name] if name in row("x") else None for i in range(3)]
               for name in ("platform", "post_id", "post_type", "reply_to_id", "reply_to_author",
                            "thread_id", "created_at", "author", "is_brand", "text", "language",
                            "likes", "shares", "replies", "quotes", "views", "author_followers")}  # fmt: skip
    columns["post_id"] = ["1", "2", "1"]
    columns["platform"] = ["forum"] * 3
    columns.update(hashtags=[[], ["x"], []], mentions=[[]] * 3, urls=[[]] * 3)
    out.add_columns(columns, [1, 2, 3], [None, "missing_field:text", None], ["r1", "r2", "r3"])
    assert out.rows_in == 3 and out.buffered() == 3
    table, duplicates, rejects, keys = out.drain()
    assert table.column("post_id").to_pylist() == ["1"] and duplicates == 1
    assert table.column("source_line").to_pylist() == [1]
    assert list(rejects["reason"]) == ["missing_field:text"] and list(rejects["raw"]) == ["r2"]
    assert keys.to_pylist() == ["1"]
    assert out.buffered() == 0 and out.rows_in == 3
    posts, n_duplicates = out.posts()
    assert len(posts) == 0 and n_duplicates == 0


def test_is_json_lines(tmp_path):
    from toolkit.ingest.readers import is_json_lines

    cases = {
        "lines.jsonl": '{"a": 1}\n{"a": 2}\n',
        "array.json": '[{"a": 1}]',
        "doc.json": '{\n  "a": 1\n}\n',
    }
    for name, text in cases.items():
        (tmp_path / name).write_text(text)
    (tmp_path / "utf16.jsonl").write_text('{"a": 1}\n', encoding="utf-16")
    assert is_json_lines(tmp_path / "lines.jsonl")
    assert not is_json_lines(tmp_path / "array.json")
    assert not is_json_lines(tmp_path / "doc.json")
    assert not is_json_lines(tmp_path / "utf16.jsonl")
