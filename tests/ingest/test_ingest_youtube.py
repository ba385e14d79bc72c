"""YouTube commentThreads loader, on a hand-written fixture."""

import json
from pathlib import Path

import pandas as pd
import pytest

from toolkit.core.schema import validate_posts
from toolkit.ingest import detect_format, ingest_file
from toolkit.privacy.pseudonymise import Pseudonymiser

FIXTURE = Path(__file__).parents[1] / "fixtures" / "ingest" / "youtube.json"
PS = Pseudonymiser(b"test-key", ["NimbusHome"])


@pytest.fixture(scope="module")
def result():
    return ingest_file(FIXTURE, pseudonymiser=PS)


@pytest.fixture(scope="module")
def posts(result):
    return result.posts.set_index("post_id")


def test_detected_and_reconciled(result):
    assert detect_format(FIXTURE) == "youtube"
    # thread 1: top-level + 3 replies (one without a date); thread 2: 1; thread 1 again: 1
    assert (result.rows_in, result.n_loaded, result.n_rejected, result.n_duplicates) == (6, 4, 1, 1)
    assert result.rejects_by_reason == {"missing_field:snippet.publishedAt": 1}
    validate_posts(result.posts)


def test_top_level_comment(posts):
    row = posts.loc["UgzTop1"]
    assert (row["post_type"], row["reply_to_id"], row["thread_id"]) == (
        "comment",
        "vid123",
        "vid123",
    )
    assert row["author"] == PS.pseudonym("dana_k")
    assert (row["likes"], row["replies"]) == (5, 3)
    assert list(row["mentions"]) == ["NimbusHome"]
    assert row["created_at"] == pd.Timestamp("2026-10-10 12:00", tz="UTC")


def test_replies(posts):
    brand = posts.loc["UgzTop1.r1"]
    dana = PS.pseudonym("dana_k")
    assert (brand["author"], brand["is_brand"]) == ("NimbusHome", True)
    assert (brand["reply_to_id"], brand["reply_to_author"]) == ("UgzTop1", dana)
    assert brand["text"] == f"@{dana} thanks, we will add it!"
    assert pd.isna(brand["replies"])
    other = posts.loc["UgzTop1.r2"]
    assert other["created_at"] == pd.Timestamp("2026-10-11 06:30", tz="UTC")
    assert list(other["hashtags"]) == ["help"]


def test_html_text_and_channel_only_author(posts):
    row = posts.loc["UgzTop2"]
    assert row["text"] == "Great & bright\nsee https://nimbus.example/faq"
    assert list(row["urls"]) == ["https://nimbus.example/faq"]
    assert row["author"].startswith("u_") and not row["is_brand"]


def test_pages_as_json_lines_and_bare_comments(tmp_path):
    page = json.loads(FIXTURE.read_text())
    path = tmp_path / "pages.jsonl"
    path.write_text(json.dumps(page) + "\n" + json.dumps({**page, "items": []}) + "\n")
    assert detect_format(path) == "youtube"
    result = ingest_file(path, pseudonymiser=PS)
    assert (result.rows_in, result.n_loaded) == (6, 4)
    replies = page["items"][0]["replies"]["comments"]
    bare = tmp_path / "comments.jsonl"
    bare.write_text("\n".join(json.dumps(c) for c in replies) + "\n")
    result = ingest_file(bare, pseudonymiser=PS)
    assert result.format == "youtube"
    assert (result.rows_in, result.n_loaded, result.n_rejected) == (3, 2, 1)
    assert result.posts.set_index("post_id").loc["UgzTop1.r1", "reply_to_author"] is None
