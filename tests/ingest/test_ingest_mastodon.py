"""Mastodon statuses loader, on a hand-written fixture."""

import json
from pathlib import Path

import pandas as pd
import pytest

from toolkit.core.schema import validate_posts
from toolkit.ingest import ingest_file
from toolkit.privacy.pseudonymise import Pseudonymiser

FIXTURE = Path(__file__).parents[1] / "fixtures" / "ingest" / "mastodon.json"
PS = Pseudonymiser(b"test-key", ["nimbushome"])
BOOSTED_TEXT = "Glow Up starts today! #NimbusGlowUp Code GLOW25 at https://nimbushome.example/glow"


@pytest.fixture(scope="module")
def result():
    return ingest_file(FIXTURE, pseudonymiser=PS)


@pytest.fixture(scope="module")
def posts(result):
    return result.posts.set_index("post_id")


def test_reconciliation(result):
    assert result.format == "mastodon"
    assert (result.rows_in, result.n_loaded, result.n_rejected, result.n_duplicates) == (6, 4, 2, 0)
    assert result.rejects_by_reason == {"bad_timestamp": 1, "missing_field:account.acct": 1}
    assert sorted(result.rejects["source_line"]) == [5, 6]  # item index in the array
    validate_posts(result.posts)


def test_brand_post_html_to_text(posts):
    row = posts.loc["109000000000000001"]
    assert row["text"] == BOOSTED_TEXT
    assert row["author"] == "nimbushome" and row["is_brand"]
    assert (row["likes"], row["shares"], row["replies"], row["author_followers"]) == (12, 3, 1, 900)
    assert list(row["hashtags"]) == ["nimbusglowup"]
    assert list(row["urls"]) == ["https://nimbushome.example/glow"]
    assert row["created_at"] == pd.Timestamp("2026-11-02T14:00:00Z")
    assert row["thread_id"] == "109000000000000001"


def test_reply_text_breaks_paragraphs_and_entities(posts):
    row = posts.loc["109000000000000002"]
    assert row["post_type"] == "reply"
    assert (
        row["text"]
        == '@nimbushome does it work with the thermostat?\nasking for "science" & comfort\n\nsecond para'
    )
    assert (row["reply_to_id"], row["reply_to_author"]) == ("109000000000000001", "nimbushome")
    assert row["author"] == PS.pseudonym("dana@fosstodon.org")
    assert list(row["mentions"]) == ["nimbushome"]


def test_boost_is_a_share_with_the_boosted_text(posts):
    row = posts.loc["109000000000000003"]
    assert row["post_type"] == "share"
    assert row["text"] == BOOSTED_TEXT
    assert row["author"] == PS.pseudonym("sam")


def test_remote_mention_text_and_list_share_one_pseudonym(posts):
    row = posts.loc["109000000000000004"]
    dana = PS.pseudonym("dana@fosstodon.org")
    assert row["text"] == f"@{dana} yes it does"
    assert list(row["mentions"]) == [dana]
    assert row["reply_to_author"] == dana
    assert row["thread_id"] == "109000000000000001"  # root found through the parent


def test_identifiers(result):
    ids = result.identifiers.to_dict()
    assert ids == {
        "handles": ["dana@fosstodon.org", "sam"],
        "display_names": ["Dana K.", "Sam"],
        "user_ids": ["2", "3"],
    }


def test_statuses_as_json_lines(tmp_path):
    statuses = json.loads(FIXTURE.read_text())[:2]
    path = tmp_path / "statuses.jsonl"
    path.write_text("\n".join(json.dumps(s) for s in statuses) + "\n")
    result = ingest_file(path, pseudonymiser=PS)
    assert result.format == "mastodon"
    assert list(result.posts["source_line"]) == [1, 2]


def test_truncated_array_keeps_items_before_the_break(tmp_path):
    text = FIXTURE.read_text()
    path = tmp_path / "cut.json"
    path.write_text(text[: text.index('"id": "109000000000000003"') + 30])
    result = ingest_file(path, format="mastodon", pseudonymiser=PS)
    assert result.n_loaded == 2
    assert result.rejects_by_reason == {"truncated_json": 1}
    assert result.rows_in == 3
