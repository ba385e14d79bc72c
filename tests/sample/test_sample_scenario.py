"""Tests that the generated sample tells its story (toolkit/sample/scenario.py): the outage, the
campaign, the period, brand response times, languages, spam, topics and engagement."""

from __future__ import annotations

import datetime as dt
import statistics
from collections import Counter

from sample_files import CHICAGO, UTC, is_customer

from toolkit.sample import scenario as sample


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
