"""X account archive loader (tweets.js + account.js), on a hand-written fixture."""

import shutil
from pathlib import Path

import pandas as pd
import pytest

from toolkit.core.schema import validate_posts
from toolkit.ingest import detect_format, ingest_file
from toolkit.ingest.x_archive import archive_owner
from toolkit.privacy.pseudonymise import Pseudonymiser

FOLDER = Path(__file__).parents[1] / "fixtures" / "ingest" / "x_archive"
FIXTURE = FOLDER / "tweets.js"
PS = Pseudonymiser(b"test-key", ["NimbusHome"])


@pytest.fixture(scope="module")
def result():
    return ingest_file(FIXTURE, pseudonymiser=PS)


@pytest.fixture(scope="module")
def posts(result):
    return result.posts.set_index("post_id")


def test_detected_and_reconciled(result):
    assert detect_format(FIXTURE) == "x_archive"
    assert result.format == "x_archive"
    # 7 elements: 5 loaded, the older version of the edited tweet, one without a date
    assert (result.rows_in, result.n_loaded, result.n_rejected, result.n_duplicates) == (7, 5, 1, 1)
    assert result.rejects_by_reason == {"missing_field:created_at": 1}
    assert list(result.rejects["source_line"]) == [7]
    validate_posts(result.posts)


def test_counts_from_strings_and_owner_from_account_js(posts):
    row = posts.loc["1840000000000000001"]
    assert (row["likes"], row["shares"]) == (1204, 87)
    assert row["author"] == "NimbusHome" and row["is_brand"]
    assert row["created_at"] == pd.Timestamp("2026-10-01 12:00:00", tz="UTC")
    assert row["text"] == "New bulbs & a brighter app today. #NimbusGlowUp https://t.co/abc"
    assert list(row["hashtags"]) == ["nimbusglowup"]
    assert list(row["urls"]) == ["https://nimbus.example/glow"]
    assert row["thread_id"] == "1840000000000000001"
    assert pd.isna(row["replies"]) and pd.isna(row["views"])


def test_reply_retweet_quote(posts):
    reply = posts.loc["1840000000000000002"]
    dana = PS.pseudonym("dana_k")
    assert reply["post_type"] == "reply"
    assert reply["reply_to_id"] == "1839999999999999999"
    assert reply["reply_to_author"] == dana
    assert list(reply["mentions"]) == [dana]
    assert reply["text"].startswith(f"@{dana} Sorry")
    retweet = posts.loc["1840000000000000003"]
    assert (retweet["post_type"], retweet["shares"]) == ("share", 0)
    assert "sam_r" not in retweet["text"]
    assert posts.loc["1840000000000000006", "post_type"] == "quote"


def test_edit_keeps_latest_version(posts):
    assert "1840000000000000004" not in posts.index
    assert posts.loc["1840000000000000005", "text"].endswith("tonight")
    assert posts.loc["1840000000000000005", "likes"] == 9


def test_without_account_js_the_owner_is_pseudonymous(tmp_path):
    shutil.copy(FIXTURE, tmp_path / "tweets.js")
    result = ingest_file(tmp_path / "tweets.js", pseudonymiser=PS)
    assert result.n_loaded == 5
    authors = set(result.posts["author"])
    assert len(authors) == 1 and authors.pop().startswith("u_")
    assert not result.posts["is_brand"].any()


def test_archive_owner_reads_account_js():
    owner = archive_owner(FOLDER / "account.js")
    assert owner["username"] == "NimbusHome" and owner["accountId"] == "900000000000000001"
    assert archive_owner(FOLDER / "missing.js") is None


def test_cut_off_archive_keeps_the_items_before_the_break(tmp_path):
    data = FIXTURE.read_text()
    (tmp_path / "tweets.js").write_text(data[: data.index('"1840000000000000003"') + 10])
    result = ingest_file(tmp_path / "tweets.js", format="x_archive", pseudonymiser=PS)
    assert result.n_loaded == 2
    assert result.rejects_by_reason == {"truncated_json": 1}
    assert result.rows_in == 3


def test_unwrapped_items_and_empty_file(tmp_path):
    (tmp_path / "tweets.js").write_text(
        'window.YTD.tweets.part0 = [{"id_str": "9", "full_text": "hi", '
        '"created_at": "Thu Oct 01 12:00:00 +0000 2026", "favorite_count": "1"}];'
    )
    result = ingest_file(tmp_path / "tweets.js", pseudonymiser=PS)
    assert result.format == "x_archive"
    assert list(result.posts["post_id"]) == ["9"] and result.posts["likes"].iloc[0] == 1
    (tmp_path / "empty.js").write_text("window.YTD.tweets.part0 = []")
    empty = ingest_file(tmp_path / "empty.js", format="x_archive", pseudonymiser=PS)
    assert (empty.rows_in, empty.n_loaded) == (0, 0)
