"""ingest_config: several files, cross-file duplicates, period filter, outputs and privacy."""

import json
import re
import stat
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest
import yaml

from toolkit.core.config import load_config
from toolkit.core.schema import validate_posts
from toolkit.ingest import ingest_config, load_posts
from toolkit.privacy.pseudonymise import Pseudonymiser

FIXTURES = Path(__file__).parents[1] / "fixtures" / "ingest"
BRAND = {
    "twitter": ["NimbusHome", "NimbusSupport"],
    "reddit": ["NimbusHome_Official"],
    "mastodon": ["nimbushome"],
    "facebook": ["NimbusHome"],
    "instagram": ["nimbushome"],
}
GENERIC_MAPPING = {
    "post_id": "id", "created_at": "when", "author": "user", "text": "body", "likes": "likes",
    "language": "lang", "hashtags": "tags", "post_type": "kind", "reply_to_id": "parent",
}  # fmt: skip


def _tweet(tid, created, text, author_id="200", **extra):
    return {
        "id": tid,
        "text": text,
        "author_id": author_id,
        "created_at": created,
        "conversation_id": tid,
        **extra,
    }


def _more_tweets(path: Path) -> None:
    """A second twarc2 file: a duplicate, replies to posts in the first file, and period edges."""
    first_page = json.loads((FIXTURES / "twitter.jsonl").read_text().splitlines()[0])
    dana = next(u for u in first_page["includes"]["users"] if u["username"] == "dana_k")
    t2 = first_page["data"][1]
    reply = {"type": "replied_to", "id": "1830000000000000001"}
    page_a = {"data": [t2, _tweet("1830000000000000012", "2026-09-05T10:00:00Z", "@NimbusHome still broken",
                                  in_reply_to_user_id="100", referenced_tweets=[reply])],
              "includes": {"users": [dana]}}  # fmt: skip
    page_b = {"data": [
        _tweet("1830000000000000010", "2026-11-29T23:59:59Z", "last second inside"),
        _tweet("1830000000000000011", "2026-11-30T00:00:00Z", "first second outside"),
        _tweet("1830000000000000013", "2026-09-01T00:00:00Z", "reply to an old post",
               referenced_tweets=[{"type": "replied_to", "id": "1820000000000000009"}]),
    ], "includes": {"users": [dana]}}  # fmt: skip
    path.write_text(json.dumps(page_a) + "\n" + json.dumps(page_b) + "\n")


@pytest.fixture()
def config(tmp_path, monkeypatch):
    monkeypatch.setenv("TOOLKIT_TEST_HMAC", "pipeline-test-key")
    monkeypatch.setenv("TOOLKIT_WORK_DIR", str(tmp_path / "work"))
    _more_tweets(tmp_path / "twitter_more.jsonl")
    raw = {
        "name": "nimbus-test",
        "sources": [
            {"path": str(FIXTURES / "twitter.jsonl")},
            {"path": "twitter_more.jsonl", "format": "twarc2"},
            {"path": str(FIXTURES / "reddit.jsonl")},
            {"path": str(FIXTURES / "mastodon.json")},
            {"path": str(FIXTURES / "facebook.csv")},
            {"path": str(FIXTURES / "instagram.csv"), "format": "crowdtangle"},
            {
                "path": str(FIXTURES / "generic.csv"),
                "format": "csv",
                "platform": "forum",
                "mapping": GENERIC_MAPPING,
            },
        ],
        "period": {"start": "2026-09-01", "end": "2026-11-29"},
        "brand": {"name": "Nimbus Home", "accounts": BRAND, "timezone": "America/Chicago"},
        "privacy": {"key_env": "TOOLKIT_TEST_HMAC"},
    }
    path = tmp_path / "nimbus.yaml"
    path.write_text(yaml.safe_dump(raw))
    return load_config(path)


@pytest.fixture()
def run(config):
    return ingest_config(config)


def test_reconciliation_per_file_and_total(run):
    files = {f["file"]: f for f in run.summary["files"]}
    expected = {  # file: (rows_in, loaded, rejected, duplicates)
        "twitter.jsonl": (12, 5, 5, 2),
        "twitter_more.jsonl": (5, 3, 1, 1),
        "reddit.jsonl": (8, 5, 3, 0),
        "mastodon.json": (6, 4, 2, 0),
        "facebook.csv": (4, 2, 2, 0),
        "instagram.csv": (2, 2, 0, 0),
        "generic.csv": (9, 4, 4, 1),
    }
    got = {
        name: (f["rows_in"], f["loaded"], f["rejected"], f["duplicates"])
        for name, f in files.items()
    }
    assert got == expected
    total = run.summary["total"]
    assert (total["rows_in"], total["loaded"], total["rejected"], total["duplicates"]) == (
        46,
        25,
        17,
        4,
    )
    assert total["rejected_by_reason"]["outside_period"] == 2
    assert files["twitter.jsonl"]["rejected_by_reason"]["outside_period"] == 1
    assert len(run.posts) == 25 and len(run.rejects) == 17


def test_posts_are_canonical_unique_and_in_period(run):
    posts = run.posts
    validate_posts(posts)
    assert not posts.duplicated(["platform", "post_id"]).any()
    assert posts["created_at"].min() >= pd.Timestamp("2026-09-01T00:00Z")
    assert posts["created_at"].max() == pd.Timestamp("2026-11-29T23:59:59Z")
    assert "1830000000000000011" not in set(posts["post_id"])
    dup = posts.set_index("post_id").loc["1830000000000000002"]
    assert dup["source_file"] == "twitter.jsonl"  # the first file wins


def test_cross_file_reply_authors(run):
    posts = run.posts.set_index("post_id")
    assert posts.loc["1830000000000000012", "reply_to_author"] == "NimbusHome"
    key = Pseudonymiser(b"pipeline-test-key").pseudonym("dana_k")
    assert (
        posts.loc["1830000000000000013", "reply_to_author"] == key
    )  # parent is outside the period


def test_outputs_written(run, config):
    paths = run.paths
    assert paths["posts"] == config.work_dir / "posts.parquet"
    for name in ("posts", "rejects_parquet", "rejects_csv", "summary", "profile", "identifiers"):
        assert paths[name].is_file(), name
    pd.testing.assert_frame_equal(load_posts(config), run.posts)
    assert json.loads(paths["summary"].read_text()) == run.summary
    rejects = pd.read_csv(paths["rejects_csv"])
    assert list(rejects.columns) == ["source_file", "source_line", "reason", "raw"]
    assert len(rejects) == 17 == pq.read_table(paths["rejects_parquet"]).num_rows
    profile = pq.read_table(paths["profile"]).to_pandas()
    assert profile["posts"].sum() == 25
    day = profile[
        (profile["platform"] == "twitter") & (profile["day"] == pd.Timestamp("2026-09-02").date())
    ]
    assert (int(day["posts"].iloc[0]), int(day["brand_posts"].iloc[0])) == (3, 1)


def test_private_identifiers(run):
    path = run.paths["identifiers"]
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    ids = json.loads(path.read_text())
    assert {"dana_k", "sam_r", "dana@fosstodon.org", "lumoralights"} <= set(ids["handles"])
    assert "Dana Kim" in ids["display_names"]
    assert not {"NimbusHome", "nimbushome", "NimbusHome_Official"} & set(ids["handles"])


def test_no_raw_customer_identifier_in_posts(run):
    ids = json.loads(run.paths["identifiers"].read_text())
    text = run.posts.astype(str).to_csv()
    leaked = [
        h
        for h in ids["handles"] + ids["display_names"]
        if re.search(rf"(?<!\w){re.escape(h)}(?!\w)", text)
    ]
    assert leaked == []


def test_load_posts_without_ingest(config):
    with pytest.raises(FileNotFoundError, match="ingest"):
        load_posts(config)


def test_same_key_same_pseudonyms(config, tmp_path):
    first = ingest_config(config, out_dir=tmp_path / "a").posts
    second = ingest_config(config, out_dir=tmp_path / "b").posts
    pd.testing.assert_frame_equal(first, second)


def test_write_outputs_for_one_file(tmp_path):
    from toolkit.ingest import ingest_file, write_outputs

    brand = sorted(
        {h.lower() for handles in BRAND.values() for h in handles}
    )  # as the CLI passes them
    result = ingest_file(
        FIXTURES / "twitter.jsonl", pseudonymiser=Pseudonymiser(b"k", brand), brand_handles=brand
    )
    assert "NimbusHome" in set(result.posts["author"])  # spelling from the data, not the config
    paths = write_outputs(result, tmp_path / "one")
    summary = json.loads(paths["summary"].read_text())
    assert summary["files"] == [result.summary()]
    assert summary["total"]["rows_in"] == 12
    assert len(pd.read_csv(paths["rejects_csv"])) == 4
    assert stat.S_IMODE(paths["identifiers"].stat().st_mode) == 0o600
