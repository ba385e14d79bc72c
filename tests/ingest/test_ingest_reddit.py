"""Reddit things loader, on a hand-written fixture."""

import json
from pathlib import Path

import pandas as pd
import pytest

from toolkit.core.schema import validate_posts
from toolkit.ingest import ingest_file
from toolkit.privacy.pseudonymise import Pseudonymiser

FIXTURE = Path(__file__).parents[1] / "fixtures" / "ingest" / "reddit.jsonl"
PS = Pseudonymiser(b"test-key", ["NimbusHome_Official"])


@pytest.fixture(scope="module")
def result():
    return ingest_file(FIXTURE, pseudonymiser=PS)


@pytest.fixture(scope="module")
def posts(result):
    return result.posts.set_index("post_id")


def test_reconciliation(result):
    assert result.format == "reddit"
    assert (result.rows_in, result.n_loaded, result.n_rejected, result.n_duplicates) == (8, 5, 3, 0)
    assert result.rejects_by_reason == {
        "bad_json": 1,
        "missing_field:created_utc": 1,
        "unsupported_kind:more": 1,
    }
    assert sorted(result.rejects["source_line"]) == [5, 6, 7]
    validate_posts(result.posts)


def test_submission(posts):
    row = posts.loc["abc1"]
    assert row["platform"] == "reddit" and row["post_type"] == "post"
    assert row["text"] == (
        "Nimbus bulbs & the app keep disconnecting\n\nAnyone else? Tagging u/"
        + PS.pseudonym("sam_r")
        + " who had this too."
    )
    assert row["created_at"] == pd.Timestamp("2026-09-05T12:00:00Z")
    assert (row["likes"], row["replies"]) == (42, 3)
    assert row["thread_id"] == "abc1" and row["reply_to_id"] is None
    assert row["author"] == PS.pseudonym("dana_k")
    assert list(row["mentions"]) == [PS.pseudonym("sam_r")]
    assert pd.isna(row["views"]) and pd.isna(row["author_followers"])


def test_brand_comment_strips_prefixes(posts):
    row = posts.loc["c1"]
    assert row["post_type"] == "comment"
    assert (row["reply_to_id"], row["thread_id"]) == ("abc1", "abc1")
    assert row["author"] == "NimbusHome_Official" and row["is_brand"]
    assert row["reply_to_author"] == PS.pseudonym("dana_k")  # filled from the parent row
    assert row["text"] == "Sorry about that! DM us your order number > we will help."
    assert pd.isna(row["replies"])


def test_deleted_author_gets_fixed_pseudonym(posts):
    row = posts.loc["c2"]
    assert row["author"] == "deleted" and not row["is_brand"]
    assert row["reply_to_id"] == "c1"
    assert row["reply_to_author"] == "NimbusHome_Official"


def test_link_post_with_empty_selftext(posts):
    row = posts.loc["abc2"]
    assert row["text"] == "Nimbus Glow Up sale is live"
    assert list(row["urls"]) == ["https://nimbushome.example/glowup"]


def test_listing_children_are_items(posts):
    row = posts.loc["c4"]
    assert row["source_line"] == 7
    assert list(row["mentions"]) == ["NimbusHome_Official"]


def test_bare_pushshift_objects(tmp_path):
    lines = [
        {
            "id": "p1",
            "author": "lee_m",
            "title": "Hi",
            "selftext": "there",
            "created_utc": "1788264000",
            "subreddit": "x",
            "score": 3,
        },
        {
            "id": "k1",
            "author": "[removed]",
            "body": "gone",
            "parent_id": "t3_p1",
            "link_id": "t3_p1",
            "created_utc": 1788264060,
            "subreddit": "x",
        },
    ]
    path = tmp_path / "dump.jsonl"
    path.write_text("\n".join(json.dumps(x) for x in lines))
    result = ingest_file(path, pseudonymiser=PS)
    assert result.format == "reddit"
    assert list(result.posts["post_type"]) == ["post", "comment"]
    assert list(result.posts["author"]) == [PS.pseudonym("lee_m"), "deleted"]
    assert result.posts.iloc[0]["text"] == "Hi\n\nthere"
