import math

import numpy as np
import pandas as pd
import pytest
from helpers import make_posts

from toolkit.analysis.engagement import (
    KPI_COLUMNS,
    RATE_COLUMNS,
    best_time_to_post,
    hashtag_performance,
    kpis_by_platform,
    kpis_over_time,
    mentions_any,
    post_engagement,
    share_of_voice,
    top_posts,
)
from toolkit.analysis.posts import local_dates, select_posts
from toolkit.core.schema import empty_posts

BRAND = {"author": "NimbusHome", "is_brand": True}


# ------------------------------------------------------------------ post_engagement
def test_post_engagement_formulas_by_hand():
    posts = make_posts(
        dict(likes=10, shares=4, replies=5, quotes=1, views=200, author_followers=1000)
    )
    row = post_engagement(posts).iloc[0]
    assert row["interactions"] == 20
    assert row["engagement_rate_followers"] == pytest.approx(20 / 1000)
    assert row["engagement_rate_views"] == pytest.approx(20 / 200)
    assert row["conversation_rate"] == pytest.approx(5 / 1000)
    assert row["amplification_rate"] == pytest.approx(4 / 1000)
    assert row["applause_rate"] == pytest.approx(10 / 1000)
    assert row["virality"] == pytest.approx(4 / 200)


def test_post_engagement_nulls_zero_followers_and_missing_views():
    posts = make_posts(
        dict(likes=3, author_followers=0),  # zero followers, no views, no shares
        dict(likes=None, shares=None, replies=2, views=0, author_followers=None),
    )
    out = post_engagement(posts)
    assert out["interactions"].tolist() == [3, 2]
    assert out["interactions"].dtype == "int64"
    for column in RATE_COLUMNS:
        assert out[column].isna().all(), column
    assert len(out.columns) == len(posts.columns) + 1 + len(RATE_COLUMNS)


def test_post_engagement_empty():
    out = post_engagement(empty_posts())
    assert out.empty and {"interactions", *RATE_COLUMNS} <= set(out.columns)


# ------------------------------------------------------------------ kpis
def kpi_posts():
    return make_posts(
        dict(**BRAND, likes=10, author_followers=1000, views=100),  # rate .01
        dict(**BRAND, likes=20, author_followers=1000),  # rate .02
        dict(**BRAND, likes=60, author_followers=1000),  # rate .06
        dict(**BRAND, post_type="share", likes=999, author_followers=1000),  # excluded
        dict(likes=500, author_followers=10),  # customer, excluded by brand_only
        dict(
            platform="mastodon", author="nimbushome", is_brand=True, likes=1, author_followers=None
        ),
    )


def test_kpis_by_platform_by_hand():
    out = kpis_by_platform(kpi_posts()).set_index("platform")
    twitter = out.loc["twitter"]
    assert twitter["n_posts"] == 3 and twitter["n_authors"] == 1
    assert twitter["total_interactions"] == 90
    assert twitter["mean_interactions"] == pytest.approx(30)
    assert twitter["median_engagement_rate_followers"] == pytest.approx(0.02)
    assert twitter["mean_engagement_rate_followers"] == pytest.approx(0.03)
    assert twitter["median_engagement_rate_views"] == pytest.approx(0.1)
    assert twitter["share_with_views"] == pytest.approx(1 / 3)
    assert twitter["share_with_followers"] == pytest.approx(1.0)
    mastodon = out.loc["mastodon"]
    assert mastodon["n_posts"] == 1 and math.isnan(mastodon["median_engagement_rate_followers"])
    assert list(out.columns) == KPI_COLUMNS


def test_kpis_by_platform_everyone_and_platform_without_data():
    out = kpis_by_platform(kpi_posts(), brand_only=False, platforms=["reddit"]).set_index(
        "platform"
    )
    assert out.loc["twitter", "n_posts"] == 4
    assert out.loc["twitter", "n_authors"] == 2
    assert out.loc["reddit", "n_posts"] == 0
    assert out.loc["reddit", "n_authors"] == 0
    assert math.isnan(out.loc["reddit", "median_engagement_rate_followers"])


def test_kpis_by_platform_empty():
    out = kpis_by_platform(empty_posts())
    assert out.empty and list(out.columns) == ["platform", *KPI_COLUMNS]
    out = kpis_by_platform(empty_posts(), platforms=["twitter"])
    assert out["n_posts"].tolist() == [0]


def test_kpis_over_time_uses_local_weeks():
    posts = make_posts(
        # Sunday 2026-10-04 22:00 CDT: week of Mon 2026-09-28 locally, of 2026-10-05 in UTC
        dict(**BRAND, created_at="2026-10-05T03:00:00Z", likes=4, author_followers=100),
        dict(**BRAND, created_at="2026-10-06T15:00:00Z", likes=2, author_followers=100),
    )
    local = kpis_over_time(posts, freq="W", tz="America/Chicago")
    assert local["period"].tolist() == [pd.Timestamp("2026-09-28"), pd.Timestamp("2026-10-05")]
    assert local["total_interactions"].tolist() == [4, 2]
    utc = kpis_over_time(posts, freq="W", tz="UTC")
    assert utc["period"].tolist() == [pd.Timestamp("2026-10-05")]
    assert utc["n_posts"].tolist() == [2]


def test_kpis_over_time_months_and_unknown_period():
    posts = make_posts(
        # 2026-11-01 03:00 UTC is still 31 October in Chicago
        dict(**BRAND, created_at="2026-11-01T03:00:00Z", likes=4, author_followers=100),
        dict(**BRAND, created_at="2026-11-01T15:00:00Z", likes=2, author_followers=100),
    )
    out = kpis_over_time(posts, freq="M", tz="America/Chicago")
    assert out["period"].tolist() == [pd.Timestamp("2026-10-01"), pd.Timestamp("2026-11-01")]
    assert out["median_applause_rate"].tolist() == pytest.approx([0.04, 0.02])
    with pytest.raises(ValueError):
        kpis_over_time(posts, freq="fortnight")


def test_kpis_over_time_empty():
    out = kpis_over_time(empty_posts(), tz="America/Chicago")
    assert out.empty and {"platform", "period", "n_posts", "n_authors"} <= set(out.columns)


# ------------------------------------------------------------------ top posts
def test_top_posts_order_ties_and_nan():
    posts = make_posts(
        dict(**BRAND, post_id="a", likes=5, created_at="2026-10-02T00:00:00Z"),
        dict(**BRAND, post_id="b", likes=9),
        dict(**BRAND, post_id="c", likes=5, created_at="2026-10-01T00:00:00Z"),
        dict(post_id="d", likes=100),  # customer
        dict(**BRAND, post_id="e", post_type="share", likes=100),
    )
    out = top_posts(posts, n=3)
    assert out["post_id"].tolist() == ["b", "c", "a"]
    assert "text" not in out.columns
    assert top_posts(posts, n=1, brand_only=False)["post_id"].tolist() == ["d"]
    assert "text" in top_posts(posts, include_text=True).columns
    by_rate = top_posts(
        posts.assign(author_followers=pd.array([10, None, 100, 1, 1], dtype="Int64")),
        by="engagement_rate_followers",
    )
    assert by_rate["post_id"].tolist() == ["a", "c", "b"]  # .5, .05, NaN last
    with pytest.raises(ValueError):
        top_posts(posts, by="text_length")


def test_top_posts_empty():
    assert top_posts(empty_posts()).empty


# ------------------------------------------------------------------ best time to post
def test_best_time_to_post_across_dst_change_chicago():
    monday_9am = [
        ("2026-10-26T14:00:00Z", 10),  # Mon 09:00 CDT (UTC-5)
        ("2026-11-02T15:00:00Z", 20),  # Mon 09:00 CST (UTC-6), after DST ended on 2026-11-01
        ("2026-11-09T15:00:00Z", 30),  # Mon 09:00 CST
    ]
    rows = [
        dict(**BRAND, created_at=t, likes=likes, author_followers=1000) for t, likes in monday_9am
    ]
    rows += [
        # 01:30 twice on Sunday 2026-11-01: once CDT, once CST (the repeated hour)
        dict(**BRAND, created_at="2026-11-01T06:30:00Z", likes=1, author_followers=1000),
        dict(**BRAND, created_at="2026-11-01T07:30:00Z", likes=1, author_followers=1000),
        dict(
            **BRAND,
            created_at="2026-11-02T15:00:00Z",
            post_type="reply",
            likes=500,
            author_followers=1000,
        ),
        dict(created_at="2026-11-02T15:00:00Z", likes=500, author_followers=1000),
    ]
    out = best_time_to_post(make_posts(*rows), tz="America/Chicago", min_posts=3)
    assert len(out) == 7 * 24
    cell = out[(out["weekday"] == 0) & (out["hour"] == 9)].iloc[0]
    assert cell["weekday_name"] == "Mon"
    assert cell["n_posts"] == 3 and cell["n_rated"] == 3 and cell["n_authors"] == 1
    assert cell["median_rate"] == pytest.approx(0.02)
    sunday_1am = out[(out["weekday"] == 6) & (out["hour"] == 1)].iloc[0]
    assert sunday_1am["n_posts"] == 2 and math.isnan(sunday_1am["median_rate"])  # masked
    assert sunday_1am["masked"] and not cell["masked"]
    assert out["masked"].sum() == 7 * 24 - 1
    assert out["n_posts"].sum() == 5
    assert out.loc[(out["hour"] != 9) | (out["weekday"] != 0), "median_rate"].isna().all()


def test_best_time_to_post_platform_filter_and_empty():
    posts = make_posts(dict(**BRAND, likes=1, author_followers=10))
    assert best_time_to_post(posts, tz="UTC", platform="reddit")["n_posts"].sum() == 0
    out = best_time_to_post(empty_posts(), tz="America/Chicago")
    assert len(out) == 168 and out["median_rate"].isna().all()


# ------------------------------------------------------------------ share of voice
COMPETITORS = {"Lumora": ["Lumora", "@LumoraLights"], "HaloHub": ["HaloHub", "@HaloHubHQ"]}
BRAND_TERMS = ["@NimbusHome", "NimbusSupport", "Nimbus Home"]


def sov_posts():
    return make_posts(
        dict(author="u_a", text="love it @NimbusHome", mentions=["NimbusHome"]),
        dict(author="u_b", text="nimbus  home bulbs beat LUMORA any day"),
        dict(author="u_c", text="#lumora ftw"),
        dict(author="u_a", text="asked support", mentions=["halohubhq"]),
        dict(author="u_d", text="LumoraLightsFan is not a mention of anyone"),
        dict(author="u_d", text="nimbushomeless is not the brand either"),
        dict(**BRAND, text="we beat Lumora"),  # brand account: excluded
        dict(author="u_e", post_type="share", text="RT @NimbusHome: hi", mentions=["NimbusHome"]),
        dict(author="u_f", platform="reddit", text="Nimbus Home support is slow"),
    )


def test_share_of_voice_by_hand():
    out = share_of_voice(sov_posts(), BRAND_TERMS, COMPETITORS, brand_name="Nimbus")
    twitter = out[out["platform"] == "twitter"].set_index("entity")
    assert twitter["n_posts"].to_dict() == {"Nimbus": 2, "Lumora": 2, "HaloHub": 1}
    assert twitter["share_of_voice"].to_dict() == pytest.approx(
        {"Nimbus": 0.4, "Lumora": 0.4, "HaloHub": 0.2}
    )
    overall = out[out["platform"] == "all"].set_index("entity")
    assert overall.loc["Nimbus", "n_posts"] == 3 and overall.loc["Nimbus", "n_authors"] == 3
    assert overall["share_of_voice"].sum() == pytest.approx(1.0)
    reddit = out[out["platform"] == "reddit"]
    assert reddit["entity"].tolist() == ["Nimbus"] and reddit["share_of_voice"].tolist() == [1.0]
    assert out["platform"].iloc[-1] == "all"


def test_share_of_voice_plain_competitor_list_and_empty():
    out = share_of_voice(sov_posts(), BRAND_TERMS, ["HaloHub"])
    assert set(out["entity"]) == {"brand"}  # "halohubhq" mention is not the word HaloHub
    empty = share_of_voice(empty_posts(), BRAND_TERMS, COMPETITORS)
    assert empty.empty and list(empty.columns) == [
        "platform",
        "entity",
        "n_posts",
        "n_authors",
        "share_of_voice",
    ]


def test_mentions_any_handles_and_words():
    posts = sov_posts()
    hits = mentions_any(posts, ["@LumoraLights", "Lumora"])
    assert hits.tolist() == [False, True, True, False, False, False, True, False, False]


# ------------------------------------------------------------------ hashtags
def test_hashtag_performance_by_hand():
    posts = make_posts(
        dict(author="u_a", hashtags=["smarthome", "nimbus"], likes=10, author_followers=100),
        dict(author="u_b", hashtags=["smarthome", "smarthome"], likes=2, author_followers=100),
        dict(**BRAND, hashtags=["smarthome"], likes=6, author_followers=200),
        dict(author="u_c", hashtags=["nimbus"], post_type="share", likes=50),
        dict(author="u_c", hashtags=[]),
    )
    out = hashtag_performance(posts, min_posts=2).set_index("hashtag")
    assert list(out.index) == ["smarthome"]  # nimbus: 1 post once the share is dropped
    row = out.loc["smarthome"]
    assert (row["n_posts"], row["n_authors"], row["n_brand_posts"]) == (3, 3, 1)
    assert row["total_interactions"] == 18
    assert row["median_interactions"] == 6
    assert row["median_engagement_rate_followers"] == pytest.approx(0.03)  # .1, .02, .03
    customers = hashtag_performance(posts, min_posts=1, authors="customers").set_index("hashtag")
    assert customers.loc["smarthome", "n_posts"] == 2 and customers.loc["nimbus", "n_posts"] == 1


def test_hashtag_performance_empty():
    out = hashtag_performance(empty_posts())
    assert out.empty and {"hashtag", "n_posts", "n_authors"} <= set(out.columns)
    assert hashtag_performance(make_posts(dict(hashtags=[]))).empty


# ------------------------------------------------------------------ helpers
def test_select_posts_and_local_dates():
    posts = make_posts(dict(**BRAND), dict(post_type="share"), dict())
    assert len(select_posts(posts, "brand")) == 1
    assert len(select_posts(posts, "customers")) == 1
    assert len(select_posts(posts, "customers", include_shares=True)) == 2
    with pytest.raises(ValueError):
        select_posts(posts, "everyone")
    days = local_dates(
        pd.Series(pd.to_datetime(["2026-10-15T03:00:00Z"], utc=True)), "America/Chicago"
    )
    assert days.tolist() == [pd.Timestamp("2026-10-14")]
    assert np.issubdtype(days.dtype, np.datetime64)


# ------------------------------------------------------------------ share of voice on an export
def test_share_of_voice_after_ingest_matches_a_plain_count_of_the_raw_text(tmp_path):
    """Competitor handles survive ingest (issue 15): the shares equal a plain count of the
    handles and names in the raw export, within 2 points."""
    import csv
    import random
    import re

    from toolkit.core.config import load_config
    from toolkit.ingest import ingest_config

    entities = {
        "United": ["United", "united"],
        "Southwest": ["Southwest", "SouthwestAir"],
        "American": ["American Airlines", "AmericanAir"],
    }
    forms = [
        "@{h} help",
        ".@{h} why",
        "w/@{h} today",
        "(@{h})",
        "@{h}'s app",
        "RT @{h}: ok",
        "flew {n}",
    ]
    rng = random.Random(7)
    rows = []
    for i in range(600):
        named = rng.sample(list(entities), rng.choice([1, 1, 1, 2]))
        parts = []
        for entity in named:
            name, handle = entities[entity]
            parts.append(rng.choice(forms).format(h=handle, n=name))
        customer = f"cust_{rng.randrange(150)}"
        rows.append([str(10**17 + i), f"2026-03-0{1 + i % 9}T10:00:00Z", customer,
                     " ".join(parts) + f" cc @{customer}_friend"])  # fmt: skip
    path = tmp_path / "export.csv"
    with open(path, "w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows([["id", "created_at", "screen_name", "text"], *rows])

    def raw_hits(text, terms):
        return any(re.search(rf"(?<![\w]){re.escape(t)}(?!\w)", text, re.I) for t in terms)

    raw = {e: sum(raw_hits(r[3], terms) for r in rows) for e, terms in entities.items()}
    raw_share = {e: n / sum(raw.values()) for e, n in raw.items()}

    cfg = tmp_path / "c.yaml"
    cfg.write_text(
        "name: sov\nsources: [{path: export.csv, format: csv, platform: twitter,"
        " mapping: {post_id: id, author: screen_name, created_at: created_at, text: text}}]\n"
        "brand: {name: United, accounts: {twitter: [united]}}\n"
        "competitors: {Southwest: [Southwest, SouthwestAir], American: [American Airlines, AmericanAir]}\n"
        "privacy: {allow_demo_key: true}\n"
    )
    config = load_config(cfg)
    posts = ingest_config(config, tmp_path / "work").posts
    assert len(posts) == 600
    assert not posts["text"].str.contains("cust_").any()  # customers are still pseudonymised
    out = share_of_voice(
        posts, [*config.brand.names(), *config.brand.handles()], config.competitors, "United"
    )
    overall = out[out["platform"] == "all"].set_index("entity")
    assert overall["n_posts"].to_dict() == raw
    for entity, share in raw_share.items():
        assert abs(overall.loc[entity, "share_of_voice"] - share) <= 0.02


def test_best_time_findings_carry_the_support_of_each_slot():
    import pandas as pd

    from toolkit.analysis.engagement import best_time_findings

    best = pd.DataFrame(
        {
            "weekday": [0, 4, 1],
            "weekday_name": ["Mon", "Fri", "Tue"],
            "hour": [9, 12, 18],
            "n_posts": [3, 12, 5],
            "n_authors": [1, 2, 1],
            "n_rated": [3, 12, 0],
            "median_rate": [0.02, 0.01, float("nan")],
            "masked": [False, False, True],
        }
    )
    found = best_time_findings(best)
    assert found["best_slots"] == ["Mon 09:00", "Fri 12:00"]
    assert found["best_slots_support"][0] == {"slot": "Mon 09:00", "n_posts": 3, "n_authors": 1}
    assert found["best_time_rated_posts"] == 15
