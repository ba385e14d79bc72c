"""Tests for the bundled sample generator (toolkit/sample/generator.py).

The sample is generated once per test session into a temporary folder; the tests read
the raw files back the way a loader would and compare them with labels.jsonl.
"""

from __future__ import annotations

import csv
import datetime as dt
import html
import json
import random
import statistics
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from toolkit.core.config import load_config
from toolkit.core.paths import CONFIGS_DIR
from toolkit.privacy.detect.checksums import luhn_valid
from toolkit.sample import generator as sample
from toolkit.sample.generator import (
    FACEBOOK_COLUMNS,
    FILES,
    INSTAGRAM_COLUMNS,
    LABELS_FILE,
    Account,
    Noise,
    Seg,
    base36,
    crowdtangle_created,
    display_url,
    escape_api,
    generate_sample,
    is_staffed,
    mastodon_content,
    next_staffed,
    overperforming,
    render,
    truncate_segs,
)

CHICAGO = ZoneInfo("America/Chicago")
UTC = dt.UTC
PII_TYPES = {
    "PERSON",
    "EMAIL_ADDRESS",
    "PHONE_NUMBER",
    "CREDIT_CARD",
    "STREET_ADDRESS",
    "ORDER_NUMBER",
}


# ------------------------------------------------------------------ fixtures and readers
@pytest.fixture(scope="session")
def sample_dir(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("sample")
    counts = generate_sample(out)
    (out / "_counts.json").write_text(json.dumps(counts))
    return out


@pytest.fixture(scope="session")
def labels(sample_dir) -> list[dict]:
    return [
        json.loads(line)
        for line in (sample_dir / LABELS_FILE).read_text(encoding="utf-8").splitlines()
    ]


@pytest.fixture(scope="session")
def raw(sample_dir) -> dict:
    """Every raw item as (platform, post_id) -> {created, text, author, ...}, plus unreadable lines."""
    items: dict[tuple[str, str], dict] = {}
    unreadable: list[str] = []
    rows: Counter = Counter()
    for line in (sample_dir / "twitter.jsonl").read_text(encoding="utf-8").splitlines():
        page = json.loads(line)
        users = {u["id"]: u for u in page["includes"]["users"]}
        assert page["meta"]["result_count"] == len(page["data"])
        for tw in page["data"]:
            rows[("twitter", tw["id"])] += 1
            created = tw.get("created_at")
            items[("twitter", tw["id"])] = {
                "created": dt.datetime.fromisoformat(created.replace("Z", "+00:00"))
                if created
                else None,
                "text": html.unescape(tw["text"]),
                "raw": tw,
                "author": users[tw["author_id"]]["username"],
                "reply_to": next(
                    (r["id"] for r in tw.get("referenced_tweets", []) if r["type"] == "replied_to"),
                    None,
                ),
            }
    for line in (sample_dir / "reddit.jsonl").read_text(encoding="utf-8").splitlines():
        try:
            thing = json.loads(line)
        except json.JSONDecodeError:
            unreadable.append(line)
            continue
        d = thing["data"]
        rows[("reddit", d["id"])] += 1
        if thing["kind"] == "t3":
            selftext = html.unescape(d["selftext"])
            text = html.unescape(d["title"]) + ("\n\n" + selftext if selftext else "")
            reply_to = None
        else:
            text, reply_to = html.unescape(d["body"]), d["parent_id"].split("_", 1)[1]
        items[("reddit", d["id"])] = {
            "created": dt.datetime.fromtimestamp(d["created_utc"], UTC),
            "text": text,
            "raw": d,
            "author": d["author"],
            "reply_to": reply_to,
        }
    for st in json.loads((sample_dir / "mastodon.json").read_text(encoding="utf-8")):
        rows[("mastodon", st["id"])] += 1
        shown = st["reblog"] or st
        items[("mastodon", st["id"])] = {
            "created": dt.datetime.fromisoformat(st["created_at"].replace("Z", "+00:00")),
            "text": html_to_text(shown["content"]),
            "raw": st,
            "author": st["account"]["username"] if "account" in st else None,
            "reply_to": st["in_reply_to_id"],
        }
    for platform, text_col in (("facebook", "Message"), ("instagram", "Description")):
        with open(sample_dir / f"{platform}.csv", encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                post_id = row["URL"].rstrip("/").rsplit("/", 1)[1]
                rows[(platform, post_id)] += 1
                items[(platform, post_id)] = {
                    "created": parse_crowdtangle(row["Post Created"]),
                    "text": row[text_col],
                    "raw": row,
                    "author": row["User Name"],
                    "reply_to": None,
                }
    return {"items": items, "unreadable": unreadable, "rows": rows}


class _ContentToText(HTMLParser):
    """Mastodon content HTML to plain text: anchors -> text, <br /> -> newline, paragraphs joined."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.paragraphs: list[str] = []
        self.current: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "br":
            self.current.append("\n")

    def handle_endtag(self, tag):
        if tag == "p":
            self.paragraphs.append("".join(self.current))
            self.current = []

    def handle_data(self, data):
        self.current.append(data)


def html_to_text(content: str) -> str:
    parser = _ContentToText()
    parser.feed(content)
    parser.close()
    return "\n\n".join(parser.paragraphs + (["".join(parser.current)] if parser.current else []))


def parse_crowdtangle(value: str) -> dt.datetime | None:
    try:
        stamp, zone = value.rsplit(" ", 1)
        local = dt.datetime.strptime(stamp, "%Y-%m-%d %H:%M:%S")
    except ValueError:
        return None
    offset = {"CDT": -5, "CST": -6}[zone]
    return local.replace(tzinfo=dt.timezone(dt.timedelta(hours=offset))).astimezone(UTC)


def is_customer(label: dict) -> bool:
    """A customer's own words: not brand, not spam, not a share."""
    return not label["is_brand"] and not label["is_spam"] and label["topic"] is not None


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


# ------------------------------------------------------------------ the story in the data
def daily_volume(raw) -> Counter:
    return Counter(
        item["created"].date() for item in raw["items"].values() if item["created"] is not None
    )


def test_crisis_day_has_the_most_posts(raw):
    volume = daily_volume(raw)
    top = max(volume, key=volume.get)
    assert top in (dt.date(2026, 10, 14), dt.date(2026, 10, 15))
    median = statistics.median(volume.values())
    assert 5 <= volume[top] / median <= 11


def test_outage_posts_are_mostly_negative(labels):
    outage = [label for label in labels if is_customer(label) and label["topic"] == "app_outage"]
    assert sum(label["sentiment"] == "negative" for label in outage) / len(outage) > 0.7
    promo = [label for label in labels if is_customer(label) and label["topic"] == "glow_up_promo"]
    assert sum(label["sentiment"] == "positive" for label in promo) / len(promo) > 0.4


def test_offer_code_uptake_is_in_the_campaign_window(raw, labels):
    dates = []
    for label in labels:
        if is_customer(label) and "GLOW25" in label["text"]:
            created = raw["items"][(label["platform"], label["post_id"])]["created"]
            dates.append(created.astimezone(CHICAGO).date())
    assert len(dates) >= 40
    inside = sum(dt.date(2026, 11, 2) <= d <= dt.date(2026, 11, 16) for d in dates)
    assert inside / len(dates) >= 0.85
    assert min(dates) >= dt.date(2026, 11, 2)
    assert max(dates) > dt.date(2026, 11, 16), "a few late attempts after the campaign"


def test_all_items_fall_in_the_period(raw):
    stamps = [item["created"] for item in raw["items"].values() if item["created"] is not None]
    assert min(stamps) >= dt.datetime(2026, 9, 1, tzinfo=UTC)
    assert max(stamps) < dt.datetime(2026, 11, 30, tzinfo=UTC)


def test_brand_answers_fastest_on_twitter_and_not_always(raw):
    brand = {"NimbusHome", "NimbusSupport", "NimbusHome_Official", "nimbushome"}
    items = raw["items"]
    delays: dict[str, list[float]] = {"twitter": [], "reddit": [], "mastodon": []}
    answered = set()
    for (platform, _), item in items.items():
        parent = items.get((platform, item["reply_to"])) if item["reply_to"] else None
        if (
            item["author"] in brand
            and parent
            and parent["author"] not in brand
            and parent["created"]
            and item["created"]
        ):
            delays[platform].append((item["created"] - parent["created"]).total_seconds() / 3600)
            answered.add((platform, item["reply_to"]))
    medians = {p: statistics.median(d) for p, d in delays.items()}
    assert medians["twitter"] < 2 < medians["mastodon"]
    assert medians["twitter"] < medians["reddit"]
    roots = [
        k
        for k, i in items.items()
        if k[0] == "twitter"
        and not i["reply_to"]
        and i["author"] not in brand
        and "referenced_tweets" not in i["raw"]
    ]
    share = sum(k in answered for k in roots) / len(roots)
    assert 0.3 < share < 0.9


def test_languages_spam_and_topics(labels):
    n = len(labels)
    assert 0.02 <= sum(label["language"] != "en" for label in labels) / n <= 0.06
    assert {label["language"] for label in labels} == {"en", "de", "es", "fr"}
    assert 0.01 <= sum(label["is_spam"] for label in labels) / n <= 0.03
    topics = {label["topic"] for label in labels if label["topic"]}
    assert topics == set(sample.TOPICS)


def test_engagement_is_heavy_tailed(raw):
    likes = [
        i["raw"]["public_metrics"]["like_count"]
        for k, i in raw["items"].items()
        if k[0] == "twitter" and not i["raw"]["text"].startswith("RT @")
    ]
    assert max(likes) > 100 * max(statistics.median(likes), 1)
    views = [
        i["raw"]["public_metrics"]["impression_count"]
        for k, i in raw["items"].items()
        if k[0] == "twitter"
    ]
    assert min(views) == 0 and max(views) > 100_000  # retweets carry no impressions


def test_texts_do_not_repeat_too_often(labels):
    texts = Counter(label["text"] for label in labels if is_customer(label))
    assert len(texts) >= 0.85 * sum(texts.values())
    assert texts.most_common(1)[0][1] <= 15


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
