"""twarc2 (Twitter API v2 pages) loader, on a hand-written fixture."""

import gzip
import hashlib
import hmac
import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

from toolkit.core.schema import validate_posts
from toolkit.ingest import ingest_file
from toolkit.privacy.pseudonymise import Pseudonymiser

FIXTURE = Path(__file__).parents[1] / "fixtures" / "ingest" / "twitter.jsonl"
KEY = b"test-key"
BRAND = ["NimbusHome", "NimbusSupport"]


def pseudo(handle: str) -> str:
    """Hand-rolled HMAC pseudonym, independent of the code under test."""
    return "u_" + hmac.new(KEY, handle.lower().encode(), hashlib.sha256).hexdigest()[:16]


@pytest.fixture(scope="module")
def result():
    return ingest_file(FIXTURE, pseudonymiser=Pseudonymiser(KEY, BRAND))


@pytest.fixture(scope="module")
def posts(result):
    return result.posts.set_index("post_id")


def test_reconciliation(result):
    assert result.format == "twarc2"
    assert (result.rows_in, result.n_loaded, result.n_rejected, result.n_duplicates) == (
        12,
        6,
        4,
        2,
    )
    assert result.rows_in == result.n_loaded + result.n_rejected + result.n_duplicates
    assert result.rejects_by_reason == {
        "bad_json": 1,
        "bad_timestamp": 1,
        "missing_field:author_id": 1,
        "truncated_json": 1,
    }
    assert result.summary() == {
        "file": "twitter.jsonl",
        "format": "twarc2",
        "rows_in": 12,
        "loaded": 6,
        "rejected": 4,
        "rejected_by_reason": result.rejects_by_reason,
        "duplicates": 2,
    }
    json.dumps(result.summary())
    validate_posts(result.posts)


def test_reject_lines_and_raw(result):
    rejects = result.rejects.sort_values(["source_line", "reason"])
    assert list(rejects["source_line"]) == [4, 5, 5, 6]
    assert set(rejects["source_file"]) == {"twitter.jsonl"}
    assert rejects["raw"].str.len().max() <= 2000
    assert rejects.iloc[0]["raw"] == '{"data": [oops}'


def test_brand_post(posts):
    row = posts.loc["1830000000000000001"]
    assert row["post_type"] == "post"
    assert row["author"] == "NimbusHome" and row["is_brand"]
    assert (
        row["text"] == "Meet the new Nimbus Hub & app! #NimbusGlowUp https://t.co/abc"
    )  # &amp; unescaped
    assert row["created_at"] == pd.Timestamp("2026-09-02T15:00:00Z")
    assert (row["likes"], row["shares"], row["replies"], row["quotes"], row["views"]) == (
        40,
        5,
        2,
        1,
        1200,
    )
    assert row["author_followers"] == 5000
    assert list(row["hashtags"]) == ["nimbusglowup"]
    assert list(row["urls"]) == ["https://nimbushome.example/hub"]
    assert row["thread_id"] == "1830000000000000001"
    assert row["language"] == "en"


def test_reply_resolves_ids_and_keeps_brand_handle(posts):
    row = posts.loc["1830000000000000002"]
    assert row["post_type"] == "reply"
    assert row["reply_to_id"] == "1830000000000000001"
    assert row["reply_to_author"] == "NimbusHome"
    assert row["thread_id"] == "1830000000000000001"
    assert row["author"] == pseudo("dana_k") and not row["is_brand"]
    assert row["text"] == "@NimbusHome my bulbs keep dropping offline <3 hours after setup"
    assert list(row["mentions"]) == ["NimbusHome"]


def test_retweet_is_a_share_without_the_originals_counts(posts):
    row = posts.loc["1830000000000000003"]
    assert row["post_type"] == "share"
    assert row["shares"] == 0
    assert row["reply_to_id"] is None
    assert row["text"].startswith("RT @NimbusHome: Meet")


def test_quote_pseudonymises_customer_mentions_in_text_and_list(posts):
    row = posts.loc["1830000000000000004"]
    assert row["post_type"] == "quote"
    assert row["text"] == f"This is exactly my problem @{pseudo('sam_r')} https://t.co/q"
    assert list(row["mentions"]) == [pseudo("sam_r")]
    assert "sam_r" not in row["text"]
    assert row["created_at"] == pd.Timestamp("2026-09-03T08:00:00Z")


def test_edited_tweet_keeps_latest_version(posts):
    assert "1830000000000000005" not in posts.index
    row = posts.loc["1830000000000000006"]
    assert row["text"] == "Hub firmware 2.1 is out now"
    assert row["source_line"] == 7
    assert row["author"] == "NimbusSupport" and row["is_brand"]


def test_pseudo_language_codes_become_null(posts):
    assert posts.loc["1820000000000000009", "language"] is None


def test_no_raw_customer_handle_anywhere(result):
    frame = result.posts.astype(str)
    for handle in ("dana_k", "sam_r", "Dana Kim"):
        assert not frame.apply(lambda col, h=handle: col.str.contains(h, regex=False)).any().any()


def test_identifiers_collected_for_customers_only(result):
    ids = result.identifiers.to_dict()
    assert ids["handles"] == ["dana_k", "sam_r"]
    assert ids["display_names"] == ["Dana Kim", "Sam Rivera"]
    assert "NimbusHome" not in ids["handles"]


def test_gzip_input_gives_the_same_rows(tmp_path, result):
    packed = tmp_path / "twitter.jsonl.gz"
    with open(FIXTURE, "rb") as src, gzip.open(packed, "wb") as dst:
        shutil.copyfileobj(src, dst)
    again = ingest_file(packed, pseudonymiser=Pseudonymiser(KEY, BRAND))
    assert again.format == "twarc2"
    assert list(again.posts["post_id"]) == list(result.posts["post_id"])
    assert again.summary()["rows_in"] == 12


def test_flattened_tweets(tmp_path):
    tweet = {
        "id": "9", "text": "hi @NimbusHome", "author_id": "5", "conversation_id": "9",
        "created_at": "2026-09-09T09:09:09.000Z",
        "author": {"id": "5", "username": "lee_m", "name": "Lee", "public_metrics": {"followers_count": 7}},
    }  # fmt: skip
    path = tmp_path / "flat.jsonl"
    path.write_text(json.dumps(tweet) + "\n")
    result = ingest_file(path, pseudonymiser=Pseudonymiser(KEY, BRAND))
    assert result.format == "twarc2"
    row = result.posts.iloc[0]
    assert (row["author"], row["author_followers"]) == (pseudo("lee_m"), 7)
    assert list(row["mentions"]) == ["NimbusHome"]  # no entities: taken from the text


def test_author_missing_from_includes_gets_an_id_pseudonym(tmp_path):
    page = {
        "data": [{"id": "1", "text": "x", "author_id": "77", "created_at": "2026-09-09T00:00:00Z"}],
        "includes": {},
    }
    path = tmp_path / "p.jsonl"
    path.write_text(json.dumps(page))
    result = ingest_file(path, format="twarc2", pseudonymiser=Pseudonymiser(KEY, BRAND))
    assert result.posts.iloc[0]["author"] == pseudo("id:77")
    assert result.identifiers.to_dict()["user_ids"] == ["77"]


def test_cut_off_gzip_keeps_earlier_lines_and_reports_the_break(tmp_path):
    packed = gzip.compress(FIXTURE.read_bytes())
    path = tmp_path / "cut.jsonl.gz"
    path.write_bytes(packed[:-40])  # the end of the stream and its trailer are missing
    result = ingest_file(path, pseudonymiser=Pseudonymiser(KEY, BRAND))
    assert result.rows_in == result.n_loaded + result.n_rejected + result.n_duplicates
    assert result.n_loaded >= 3  # the first page at least
    assert (
        "corrupt_gzip" in result.rejects_by_reason or "truncated_json" in result.rejects_by_reason
    )


@pytest.mark.parametrize("encoding, bom", [("utf-16", b""), ("utf-8", b"\xef\xbb\xbf")])
def test_utf16_and_bom_and_crlf(tmp_path, result, encoding, bom):
    path = tmp_path / f"t-{encoding}.jsonl"
    path.write_bytes(
        bom + FIXTURE.read_text(encoding="utf-8").replace("\n", "\r\n").encode(encoding)
    )
    again = ingest_file(path, pseudonymiser=Pseudonymiser(KEY, BRAND))
    assert again.format == "twarc2"
    assert again.summary() | {"file": "twitter.jsonl"} == result.summary()
    assert list(again.posts["text"]) == list(result.posts["text"])


def test_withheld_loads_and_deleted_tweets_are_not_items(tmp_path):
    page = {
        "data": [
            {"id": "21", "text": "visible elsewhere", "author_id": "5", "conversation_id": "21",
             "created_at": "2026-09-09T00:00:00Z",
             "withheld": {"copyright": False, "country_codes": ["DE", "FR"]}},
        ],
        "includes": {"users": [{"id": "5", "username": "lee_m"}]},
        "errors": [{"resource_id": "22", "resource_type": "tweet", "title": "Not Found Error",
                    "detail": "Could not find tweet with ids: [22]."}],
    }  # fmt: skip
    only_errors = {"errors": page["errors"], "meta": {"result_count": 0}}
    path = tmp_path / "w.jsonl"
    path.write_text(json.dumps(page) + "\n" + json.dumps(only_errors) + "\n")
    result = ingest_file(path, pseudonymiser=Pseudonymiser(KEY, BRAND))
    assert (result.rows_in, result.n_loaded, result.n_rejected) == (1, 1, 0)
    assert result.posts.iloc[0]["text"] == "visible elsewhere"


def test_flattened_edit_history_keeps_the_latest(tmp_path):
    base = {"author_id": "5", "conversation_id": "30", "created_at": "2026-09-09T00:00:00Z",
            "author": {"id": "5", "username": "lee_m"}}  # fmt: skip
    old = {**base, "id": "30", "text": "tpyo", "edit_history_tweet_ids": ["30"]}
    new = {**base, "id": "31", "text": "typo", "edit_history_tweet_ids": ["30", "31"]}
    path = tmp_path / "edits.jsonl"
    path.write_text(json.dumps(new) + "\n" + json.dumps(old) + "\n")
    result = ingest_file(path, pseudonymiser=Pseudonymiser(KEY, BRAND))
    assert (result.rows_in, result.n_loaded, result.n_duplicates) == (2, 1, 1)
    assert list(result.posts["text"]) == ["typo"]
