"""Tests for the bundled sample generator (toolkit/sample/): the files it writes, the planted
personal data, and the building blocks (ids, segments, noise, timing, platform formats).

The sample is generated once per test session into a temporary folder; the tests read
the raw files back the way a loader would and compare them with labels.jsonl.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import random
from collections import Counter

import pytest
from sample_files import CHICAGO, PII_TYPES, UTC, html_to_text, is_customer

from toolkit.core.config import load_config
from toolkit.core.paths import CONFIGS_DIR
from toolkit.privacy.detect.checksums import luhn_valid
from toolkit.sample import generator as sample
from toolkit.sample.generator import FILES, LABELS_FILE, generate_sample
from toolkit.sample.ids import base36
from toolkit.sample.noise import Noise
from toolkit.sample.people import Account
from toolkit.sample.platforms.crowdtangle import (
    FACEBOOK_COLUMNS,
    INSTAGRAM_COLUMNS,
    crowdtangle_created,
    overperforming,
)
from toolkit.sample.platforms.mastodon import mastodon_content
from toolkit.sample.platforms.output import escape_api
from toolkit.sample.platforms.twitter import display_url
from toolkit.sample.segments import Seg, render, truncate_segs
from toolkit.sample.timing import is_staffed, next_staffed


# ------------------------------------------------------------------ determinism and size
def test_regeneration_is_byte_identical(sample_dir, tmp_path):
    generate_sample(tmp_path)
    for name in (*FILES, LABELS_FILE):
        assert (tmp_path / name).read_bytes() == (sample_dir / name).read_bytes(), name


def test_another_seed_gives_another_sample(sample_dir, tmp_path):
    generate_sample(tmp_path, seed=7)
    assert (tmp_path / LABELS_FILE).read_bytes() != (sample_dir / LABELS_FILE).read_bytes()


def test_total_size_is_under_10_mb(sample_dir):
    total = sum((sample_dir / name).stat().st_size for name in (*FILES, LABELS_FILE))
    assert total <= 10 * 1024 * 1024


def test_item_counts_in_range_and_match_return_value(sample_dir, labels):
    counts = json.loads((sample_dir / "_counts.json").read_text())
    assert 5000 <= len(labels) <= 8000
    assert counts[LABELS_FILE] == len(labels)
    per_platform = Counter(label["platform"] for label in labels)
    for name in FILES:
        platform = name.split(".")[0]
        assert counts[name] == per_platform[platform], name


def test_all_five_platforms_present(labels):
    assert {label["platform"] for label in labels} == {
        "twitter",
        "reddit",
        "mastodon",
        "facebook",
        "instagram",
    }


# ------------------------------------------------------------------ labels vs raw files
def test_labels_cover_every_raw_item(raw, labels):
    labelled = {(label["platform"], label["post_id"]) for label in labels}
    assert len(labelled) == len(labels), "one label line per item"
    truncated = [label for label in labels if label.get("reason") == "line truncated mid-JSON"]
    assert len(raw["unreadable"]) == len(truncated) == 1
    readable = set(raw["items"])
    assert readable == labelled - {(t["platform"], t["post_id"]) for t in truncated}


def test_label_text_matches_raw_text(raw, labels):
    for label in labels:
        item = raw["items"].get((label["platform"], label["post_id"]))
        if item is not None:
            assert item["text"] == label["text"], (label["platform"], label["post_id"])


def test_flawed_rows_are_few_and_labelled(raw, labels):
    flawed = [label for label in labels if label.get("malformed") or label.get("duplicate")]
    assert 4 <= len(flawed) <= 10
    assert all(label.get("reason") for label in flawed)
    duplicated = {key for key, n in raw["rows"].items() if n > 1}
    assert duplicated == {
        (label["platform"], label["post_id"]) for label in labels if label.get("duplicate")
    }
    no_date = [key for key, item in raw["items"].items() if item["created"] is None]
    assert sorted(no_date) == sorted(
        (label["platform"], label["post_id"])
        for label in labels
        if label.get("malformed") and label["platform"] in ("twitter", "facebook")
    )
    no_account = [
        key for key, item in raw["items"].items() if key[0] == "mastodon" and item["author"] is None
    ]
    assert no_account == [
        (label["platform"], label["post_id"])
        for label in labels
        if label.get("reason") == "status without account"
    ]


# ------------------------------------------------------------------ planted personal data
def test_pii_spans_index_label_text_exactly(labels):
    spans = [(label, span) for label in labels for span in label["pii"]]
    assert spans
    for label, span in spans:
        assert label["text"][span["start"] : span["end"]] == span["value"]
        assert span["entity_type"] in PII_TYPES


def test_pii_share_of_customer_posts_is_5_to_10_percent(labels):
    customer = [label for label in labels if is_customer(label)]
    share = sum(bool(label["pii"]) for label in customer) / len(customer)
    assert 0.05 <= share <= 0.10
    assert not any(label["pii"] for label in labels if label["is_brand"])


def test_every_pii_type_is_planted_and_cards_are_luhn_valid(labels):
    found = Counter(span["entity_type"] for label in labels for span in label["pii"])
    assert set(found) == PII_TYPES
    assert 1 <= found["CREDIT_CARD"] <= 10
    assert all(
        luhn_valid(s["value"])
        for label in labels
        for s in label["pii"]
        if s["entity_type"] == "CREDIT_CARD"
    )


def test_pii_values_are_mostly_unique(labels):
    values = [
        s["value"]
        for label in labels
        for s in label["pii"]
        if s["entity_type"] in ("EMAIL_ADDRESS", "ORDER_NUMBER")
    ]
    assert len(set(values)) >= 0.95 * len(values)


# ------------------------------------------------------------------ platform formats
def test_twitter_entities_point_into_the_unescaped_text(raw):
    for (platform, _), item in raw["items"].items():
        if platform != "twitter":
            continue
        text, entities = item["text"], item["raw"].get("entities", {})
        for m in entities.get("mentions", []):
            assert text[m["start"] : m["end"]] == "@" + m["username"]
        for h in entities.get("hashtags", []):
            assert text[h["start"] : h["end"]] == "#" + h["tag"]
        for u in entities.get("urls", []):
            assert text[u["start"] : u["end"]] == u["url"]


def test_twitter_pages_have_twarc2_shape(sample_dir):
    lines = (sample_dir / "twitter.jsonl").read_text(encoding="utf-8").splitlines()
    for n, line in enumerate(lines):
        page = json.loads(line)
        assert list(page) == ["data", "includes", "meta", "__twarc"]
        assert len(page["data"]) <= 101
        assert ("next_token" in page["meta"]) == (n + 1 < len(lines))
        user_ids = {u["id"] for u in page["includes"]["users"]}
        included = {t["id"] for t in page["includes"]["tweets"]}
        for tw in page["data"]:
            assert tw["author_id"] in user_ids
            for ref in tw.get("referenced_tweets", []):
                assert ref["id"] in included
            if tw["text"].startswith("RT @"):
                assert tw["referenced_tweets"][0]["type"] == "retweeted"


def test_escaped_characters_survive(raw):
    escaped = [
        i
        for k, i in raw["items"].items()
        if k[0] in ("twitter", "reddit") and "&amp;" in json.dumps(i["raw"])
    ]
    assert escaped, "some posts contain '&' so loaders must unescape"


def test_mastodon_boosts_wrap_the_original(raw):
    boosts = [
        i["raw"] for k, i in raw["items"].items() if k[0] == "mastodon" and i["raw"]["reblog"]
    ]
    assert boosts
    for st in boosts:
        assert st["content"] == "" and st["reblog"]["reblog"] is None


def test_crowdtangle_files_have_the_documented_columns_and_local_times(sample_dir):
    for name, columns in (("facebook.csv", FACEBOOK_COLUMNS), ("instagram.csv", INSTAGRAM_COLUMNS)):
        with open(sample_dir / name, encoding="utf-8", newline="") as handle:
            reader = csv.reader(handle)
            assert tuple(next(reader)) == columns
            rows = list(reader)
        created_col = columns.index("Post Created")
        for row in rows:
            assert len(row) == len(columns)
            value = row[created_col]
            if value == "#VALUE!":
                continue
            day = dt.date.fromisoformat(value[:10])
            assert value.endswith("CDT" if day < dt.date(2026, 11, 1) else "CST"), value


def test_config_loads_and_points_at_the_sample():
    config = load_config(CONFIGS_DIR / "sample.yaml")
    assert config.name == "sample"
    assert {s.path.name for s in config.sources} == set(FILES)
    assert config.brand.handles("twitter") == {"nimbushome", "nimbussupport"}
    assert (
        config.privacy.allow_demo_key
        and config.privacy.min_group_size == 10
        and config.privacy.quotes == "none"
    )
    assert config.campaigns[0].offer_codes == ["GLOW25"]


# ------------------------------------------------------------------ helpers
def test_luhn_valid():
    assert luhn_valid("4111 1111 1111 1111")
    assert luhn_valid("5555-5555-5555-4444")
    assert not luhn_valid("4111 1111 1111 1112")
    assert not luhn_valid("1234")


def test_base36():
    assert base36(0) == "0"
    assert base36(35) == "z"
    assert base36(36) == "10"
    assert base36(36**2 - 1) == "zz"
    with pytest.raises(ValueError):
        base36(-1)


def _account(username: str = "dana") -> Account:
    created = dt.datetime(2020, 1, 1, tzinfo=UTC)
    return Account("mastodon", "1", username, "Dana", 1, 1, 1, created, instance="mastodon.example")


def test_render_records_spans_and_normalises_to_nfc():
    segs = [
        Seg("Cafe\u0301 "),
        Seg("@dana", "mention", account=_account()),
        Seg(" mail "),
        Seg("a@b.example", "pii", entity="EMAIL_ADDRESS"),
        Seg(" "),
        Seg("#Tag", "hashtag"),
    ]
    out = render(segs)
    assert out.text == "Café @dana mail a@b.example #Tag"
    assert out.pii == [
        {"entity_type": "EMAIL_ADDRESS", "start": 16, "end": 27, "value": "a@b.example"}
    ]
    assert [(s, e) for s, e, _ in out.mentions] == [(5, 10)]
    assert out.hashtags == [(28, 32, "Tag")]


def test_noise_never_touches_protected_segments():
    for seed in range(50):
        segs = [
            Seg("this is really so annoying please fix "),
            Seg("NH-123456", "pii", entity="ORDER_NUMBER"),
            Seg(" "),
            Seg("#NimbusDown", "hashtag"),
        ]
        Noise(random.Random(seed)).apply(segs, "negative")
        assert segs[1].text == "NH-123456" and segs[3].text == "#NimbusDown"


def test_truncate_segs_cuts_at_a_word_and_adds_ellipsis():
    segs = [Seg("RT "), Seg("@dana", "mention"), Seg(": "), Seg("one two three four five six")]
    out = render(truncate_segs(segs, 20)).text
    assert out == "RT @dana: one two…"
    assert render(truncate_segs(segs, 100)).text == "RT @dana: one two three four five six"


def test_escape_and_display_url():
    assert escape_api("a & b <3 >") == "a &amp; b &lt;3 &gt;"
    assert (
        display_url("https://www.youtube.com/watch?v=abcdefghijk") == "youtube.com/watch?v=abcde…"
    )
    assert display_url("https://imgur.com/a/xyz") == "imgur.com/a/xyz"


def test_mastodon_content_round_trips():
    segs = [
        Seg("hi "),
        Seg("@dana", "mention", account=_account()),
        Seg(" it's <fine> & "),
        Seg("#Glow", "hashtag"),
        Seg("\nsee "),
        Seg("https://x.example/a?b=1&c=2", "url"),
    ]
    content = mastodon_content(segs)
    assert content.startswith('<p>hi <span class="h-card"><a href="https://mastodon.example/@dana"')
    assert "it&#39;s &lt;fine&gt; &amp; " in content and "<br />" in content
    assert html_to_text(content) == render(segs).text


def test_overperforming():
    assert overperforming(380, 190.0) == "2.00"
    assert overperforming(95, 190.0) == "-2.00"
    assert overperforming(0, 190.0) == "-100.00"


def test_staffing_hours_and_next_shift():
    monday_10 = dt.datetime(2026, 9, 7, 10, tzinfo=CHICAGO)
    monday_3 = dt.datetime(2026, 9, 7, 3, tzinfo=CHICAGO)
    saturday_10 = dt.datetime(2026, 9, 12, 10, tzinfo=CHICAGO)
    assert is_staffed("twitter", monday_10) and is_staffed("reddit", monday_10)
    assert not is_staffed("twitter", monday_3)
    assert is_staffed("twitter", saturday_10) and not is_staffed("reddit", saturday_10)
    assert next_staffed("twitter", monday_3) == dt.datetime(2026, 9, 7, 7, tzinfo=CHICAGO)
    friday_evening = dt.datetime(2026, 9, 11, 19, tzinfo=CHICAGO)
    assert next_staffed("reddit", friday_evening) == dt.datetime(2026, 9, 14, 8, tzinfo=CHICAGO)


def test_crowdtangle_created_uses_the_local_zone_abbreviation():
    before = dt.datetime(2026, 10, 31, 14, 5, tzinfo=UTC)
    after = dt.datetime(2026, 11, 2, 15, 5, tzinfo=UTC)
    assert crowdtangle_created(before) == ("2026-10-31 09:05:00 CDT", "2026-10-31", "09:05:00")
    assert crowdtangle_created(after) == ("2026-11-02 09:05:00 CST", "2026-11-02", "09:05:00")


def test_readme_describes_the_default_sample(sample_dir, labels):
    """data/sample/README.md quotes counts and flawed ids of the default seed; keep it in sync."""
    readme = (sample.SAMPLE_DIR / "README.md").read_text(encoding="utf-8")
    counts = json.loads((sample_dir / "_counts.json").read_text())
    for name, count in counts.items():
        assert f"{count:,}" in readme, f"README count for {name} is stale"
    for label in labels:
        if label.get("malformed") or label.get("duplicate"):
            assert f"`{label['post_id']}`" in readme, f"README does not list {label['post_id']}"
