"""Loaders against real platform payloads (../shared) and the bundled sample (data/sample).

Both folders may be absent (a user's clone has neither until the sample is generated): the
tests then skip.
"""

import json
import re
from pathlib import Path

import pandas as pd
import pytest
import yaml

import toolkit.core.paths
from toolkit.core.schema import validate_posts
from toolkit.ingest import detect_format, ingest_file
from toolkit.ingest.identities import Identities
from toolkit.privacy.pseudonymise import Pseudonymiser

SHARED = Path(toolkit.core.paths.PROJECT_DIR).parent / "shared" / "fixtures"
TWITTER = SHARED / "twitter-v2"
MASTODON_CASSETTE = SHARED / "mastodon" / "test_status_reply.yaml"
SAMPLE = toolkit.core.paths.SAMPLE_DIR
PS = Pseudonymiser(
    b"shared-test-key", ["NimbusHome", "NimbusSupport", "NimbusHome_Official", "nimbushome"]
)

HANDLE = re.compile(r"@[\w.@-]+")
needs_shared = pytest.mark.skipif(not SHARED.is_dir(), reason="../shared/fixtures not present")


def _twitter_files():
    return sorted(TWITTER.glob("*.json*")) if TWITTER.is_dir() else []


def _tweets_in(path: Path) -> list[dict]:
    """The tweets of a twarc2 file, read independently of the loader."""
    tweets = []
    for line in path.read_text().splitlines():
        if line.strip():
            tweets.extend(json.loads(line).get("data", []))
    return tweets


@needs_shared
@pytest.mark.parametrize("path", _twitter_files(), ids=lambda p: p.name)
def test_real_twarc2_files(path):
    tweets = _tweets_in(path)
    result = ingest_file(path, pseudonymiser=PS)
    assert result.rows_in == result.n_loaded + result.n_rejected + result.n_duplicates
    assert result.n_rejected == 0
    assert result.n_loaded == len({t["id"] for t in tweets})
    validate_posts(result.posts)
    if tweets:
        assert detect_format(path) == "twarc2"
    posts = result.posts.set_index("post_id")
    for tweet in tweets:
        row = posts.loc[tweet["id"]]
        kinds = {r["type"] for r in tweet.get("referenced_tweets", [])}
        expected = (
            "share"
            if "retweeted" in kinds
            else "reply"
            if "replied_to" in kinds
            else "quote"
            if "quoted" in kinds
            else "post"
        )
        assert row["post_type"] == expected
        assert row["created_at"] == pd.Timestamp(tweet["created_at"])
        assert row["likes"] == tweet["public_metrics"]["like_count"]
    # no raw username from the page's users survives in the stored columns, apart from the
    # platform and service accounts that keep their handles (organisations, not people)
    from toolkit.privacy.pseudonymise import default_public_accounts

    users = set()
    for line in path.read_text().splitlines():
        if line.strip():
            users |= {u["username"] for u in json.loads(line).get("includes", {}).get("users", [])}
    stored = " ".join(
        " ".join(map(str, result.posts[c]))
        for c in ("author", "reply_to_author", "text", "mentions")
    )
    assert not [
        u
        for u in users - {a for a in users if a.lower() in default_public_accounts()}
        if f"@{u}" in stored or f"'{u}'" in stored or f" {u} " in f" {stored} "
    ]


@needs_shared
def test_real_edit_history_keeps_latest():
    result = ingest_file(TWITTER / "edited.jsonl", pseudonymiser=PS)
    assert list(result.posts["post_id"]) == ["1576994789110992896"]


@needs_shared
def test_real_brexit_page_replies_and_retweets():
    result = ingest_file(TWITTER / "brexit.jsonl", pseudonymiser=PS)
    posts = result.posts
    assert result.n_loaded == 100
    assert (posts["post_type"] == "share").sum() == sum(
        any(r["type"] == "retweeted" for r in t.get("referenced_tweets", []))
        for t in _tweets_in(TWITTER / "brexit.jsonl")
    )
    assert posts.loc[posts["post_type"] == "share", "text"].str.startswith("RT @u_").all()
    assert posts["author"].str.fullmatch(r"u_[0-9a-f]{16}").all()
    assert posts["author_followers"].notna().all()


@needs_shared
def test_real_mastodon_statuses(tmp_path):
    cassette = yaml.safe_load(MASTODON_CASSETTE.read_text())
    bodies = [json.loads(i["response"]["body"]["string"]) for i in cassette["interactions"]]
    statuses = [b for b in bodies if isinstance(b, dict) and "content" in b and "account" in b]
    path = tmp_path / "statuses.json"
    path.write_text(json.dumps(statuses))
    assert detect_format(path) == "mastodon"
    result = ingest_file(path, pseudonymiser=PS)
    assert result.rows_in == len(statuses) == result.n_loaded + result.n_duplicates
    posts = result.posts.set_index("post_id")
    first, reply = posts.loc["117020583245459824"], posts.loc["117020583258292382"]
    assert first["text"] == "Toot, finally!" and first["language"] == "ja"
    poster = PS.pseudonym("mastodonpy_test_2")
    assert reply["post_type"] == "reply" and reply["reply_to_id"] == "117020583245459824"
    assert reply["text"] == f"@{poster} same!"
    assert list(reply["mentions"]) == [poster]
    assert reply["reply_to_author"] == poster == first["author"]
    assert reply["thread_id"] == "117020583245459824"


# ----------------------------------------------------------------------------- the sample
SAMPLE_FILES = {
    "twitter.jsonl": "twarc2",
    "reddit.jsonl": "reddit",
    "mastodon.json": "mastodon",
    "facebook.csv": "crowdtangle",
    "instagram.csv": "crowdtangle",
}


@pytest.mark.parametrize("name", list(SAMPLE_FILES))
def test_sample_file(name):
    path = SAMPLE / name
    if not path.is_file():
        pytest.skip(f"{path} not generated yet")
    assert detect_format(path) == SAMPLE_FILES[name]
    result = ingest_file(path, pseudonymiser=PS)
    assert result.rows_in == result.n_loaded + result.n_rejected + result.n_duplicates
    assert result.n_loaded > 0
    validate_posts(result.posts)
    assert result.n_rejected <= 0.05 * result.rows_in, result.rejects_by_reason


def _same_text(platform: str, label_text: str, loaded: str, identities: Identities) -> bool:
    """Loaded text == label text with customer handles pseudonymised the way the loader does."""
    if platform == "mastodon":  # `@user` in the text is pseudonymised as user@instance
        return HANDLE.sub("@?", label_text) == HANDLE.sub("@?", loaded)
    if platform == "reddit":
        return identities.reddit_text(label_text) == loaded
    return identities.text(label_text) == loaded


def test_sample_texts_match_labels():
    """Every loaded post's text equals its label's text once customer handles are pseudonymised."""
    labels_path = SAMPLE / "labels.jsonl"
    present = [n for n in SAMPLE_FILES if (SAMPLE / n).is_file()]
    if not labels_path.is_file() or not present:
        pytest.skip("sample not generated yet")
    labels = {}
    for line in labels_path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            label = json.loads(line)
            labels[(label["platform"], str(label["post_id"]))] = label["text"]
    identities = Identities(PS)
    mismatches, compared = [], 0
    for name in present:
        posts = ingest_file(SAMPLE / name, pseudonymiser=PS).posts
        for platform, post_id, text in zip(
            posts["platform"], posts["post_id"], posts["text"], strict=True
        ):
            expected = labels.get((platform, post_id))
            if expected is None:
                continue
            compared += 1
            if not _same_text(platform, expected, text, identities):
                mismatches.append((platform, post_id, expected[:80], text[:80]))
    assert compared > 0
    assert mismatches == [], mismatches[:5]
