"""Bluesky post views (getAuthorFeed / searchPosts responses), on a hand-written fixture."""

import json
from pathlib import Path

import pandas as pd
import pytest

from toolkit.core.schema import validate_posts
from toolkit.ingest import detect_format, ingest_file
from toolkit.ingest.bluesky import is_bluesky_page
from toolkit.privacy.pseudonymise import Pseudonymiser

FIXTURE = Path(__file__).parents[1] / "fixtures" / "ingest" / "bluesky.jsonl"
PS = Pseudonymiser(b"test-key", ["nimbushome.bsky.social"])
BRAND1 = "at://did:plc:brand/app.bsky.feed.post/3lbrand1"
BRAND2 = "at://did:plc:brand/app.bsky.feed.post/3lbrand2"
SAM2 = "at://did:plc:sam/app.bsky.feed.post/3lsam002"
DANA1 = "at://did:plc:dana/app.bsky.feed.post/3ldana01"
REPOST = "repost:did:plc:brand:at://did:plc:sam/app.bsky.feed.post/3lsam001"


@pytest.fixture(scope="module")
def result():
    return ingest_file(FIXTURE, pseudonymiser=PS)


@pytest.fixture(scope="module")
def posts(result):
    return result.posts.set_index("post_id")


def test_detected_and_reconciled(result):
    assert detect_format(FIXTURE) == "bluesky"
    # line 1: 3 feed items; line 2: 3 post views (one already loaded, one without a date);
    # line 3: a cut-off document
    assert (result.rows_in, result.n_loaded, result.n_rejected, result.n_duplicates) == (7, 4, 2, 1)
    assert result.rejects_by_reason == {"missing_field:record.createdAt": 1, "truncated_json": 1}
    assert sorted(result.posts["post_id"]) == sorted([BRAND1, BRAND2, SAM2, REPOST])
    validate_posts(result.posts)


def test_post_with_facets(posts):
    row = posts.loc[BRAND1]
    assert (row["post_type"], row["author"], row["is_brand"]) == (
        "post",
        "nimbushome.bsky.social",
        True,
    )
    assert (row["likes"], row["shares"], row["replies"], row["quotes"]) == (25, 3, 1, 1)
    assert list(row["hashtags"]) == ["nimbusglowup"]
    assert list(row["urls"]) == ["https://nimbus.example/glow"]  # the facet, not the shortened text
    assert row["thread_id"] == BRAND1 and row["language"] == "en"


def test_reply_links_and_pseudonyms(posts):
    row = posts.loc[BRAND2]
    dana = PS.pseudonym("dana.bsky.social")
    assert (row["post_type"], row["reply_to_id"], row["thread_id"]) == ("reply", DANA1, DANA1)
    assert row["reply_to_author"] == dana  # from the feed item's reply context
    assert row["text"] == f"@{dana} sorry! Can you DM us?"
    assert list(row["mentions"]) == [dana]


def test_repost_is_a_share_by_the_reposter(posts):
    row = posts.loc[REPOST]
    assert (row["post_type"], row["author"]) == ("share", "nimbushome.bsky.social")
    assert row["created_at"] == pd.Timestamp("2026-11-04 20:00", tz="UTC")
    assert row["text"] == "the new bulbs are lovely"
    assert pd.isna(row["likes"]) and pd.isna(row["shares"])


def test_quote_and_offset_timestamp(posts):
    row = posts.loc[SAM2]
    assert row["post_type"] == "quote"
    assert row["author"] == PS.pseudonym("sam.example.com") and not row["is_brand"]
    assert row["language"] is None
    assert list(row["mentions"]) == ["nimbushome.bsky.social"]


def test_bare_post_view_lines_and_pages_are_recognised(tmp_path):
    page = json.loads(FIXTURE.read_text().splitlines()[1])
    assert is_bluesky_page(page) and is_bluesky_page(page["posts"][0])
    assert not is_bluesky_page({"uri": "https://x", "record": {}})
    path = tmp_path / "views.jsonl"
    path.write_text("\n".join(json.dumps(p) for p in page["posts"]) + "\n")
    assert detect_format(path) == "bluesky"
    result = ingest_file(path, pseudonymiser=PS)
    assert (result.rows_in, result.n_loaded, result.n_rejected) == (3, 2, 1)
    assert list(result.posts["source_line"]) == [1, 2]


def test_a_document_that_is_not_bluesky_is_one_reject(tmp_path):
    path = tmp_path / "b.jsonl"
    path.write_text('{"hello": 1}\n{"cursor": "x", "feed": []}\n')
    result = ingest_file(path, format="bluesky", pseudonymiser=PS)
    assert (result.rows_in, result.n_rejected) == (1, 1)
    assert result.rejects_by_reason == {"bad_record:not_a_bluesky_post": 1}
