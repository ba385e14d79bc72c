import math

import numpy as np
import pandas as pd
import pytest
from helpers import make_posts

from toolkit.analysis.trends import (
    DAILY_COLUMNS,
    TOPIC_COLUMNS,
    daily_series,
    detect_spikes,
    robust_zscores,
    spike_context,
)
from toolkit.core.schema import empty_posts


def scored(*rows: dict) -> pd.DataFrame:
    """Posts with `sentiment_compound`, `sentiment` (default neutral 0) and `topic` per row."""
    sentiment = [r.pop("compound", 0.0) for r in rows]
    topics = [r.pop("topic", None) for r in rows]
    posts = make_posts(*rows)
    labels = [
        "positive" if c >= 0.05 else "negative" if c <= -0.05 else "neutral" for c in sentiment
    ]
    return posts.assign(sentiment_compound=sentiment, sentiment=labels, topic=topics)


# ------------------------------------------------------------------ daily_series
def test_daily_series_local_days_gaps_and_tone():
    posts = scored(
        dict(author="u_a", created_at="2026-10-14T04:00:00Z", compound=-0.5),  # 10-13 23:00 CDT
        dict(author="u_a", created_at="2026-10-14T13:00:00Z", compound=-0.7),
        dict(author="u_b", created_at="2026-10-14T20:00:00Z", compound=0.4),
        dict(author="u_c", created_at="2026-10-16T15:00:00Z", compound=0.0),
        dict(author="NimbusHome", is_brand=True, created_at="2026-10-14T15:00:00Z", compound=0.9),
        dict(author="u_d", post_type="share", created_at="2026-10-14T15:00:00Z", compound=-0.9),
    )
    out = daily_series(posts, tz="America/Chicago")
    assert list(out.columns) == DAILY_COLUMNS
    assert out["date"].tolist() == list(pd.date_range("2026-10-13", "2026-10-16"))
    assert out["n_posts"].tolist() == [1, 2, 0, 1]
    assert out["n_authors"].tolist() == [1, 2, 0, 1]
    assert out["mean_sentiment"].iloc[1] == pytest.approx(-0.15)
    assert math.isnan(out["mean_sentiment"].iloc[2])
    assert out["share_negative"].iloc[1] == pytest.approx(0.5)
    utc = daily_series(posts, tz="UTC")
    assert utc["n_posts"].tolist() == [3, 0, 1]


def test_daily_series_options_and_empty():
    posts = make_posts(dict(created_at="2026-10-02T12:00:00Z"))
    with pytest.raises(ValueError, match="score_posts"):
        daily_series(posts)
    out = daily_series(
        posts,
        sentiment_col=None,
        start=pd.Timestamp("2026-10-01").date(),
        end=pd.Timestamp("2026-10-03").date(),
    )
    assert out["n_posts"].tolist() == [0, 1, 0] and out["mean_sentiment"].isna().all()
    empty = daily_series(empty_posts(), sentiment_col=None)
    assert empty.empty and list(empty.columns) == DAILY_COLUMNS


# ------------------------------------------------------------------ robust z-scores
def test_robust_zscores_by_hand():
    out = robust_zscores(pd.Series([10, 12, 11, 13, 10, 12, 11, 50]), window=7, min_periods=7)
    assert out["z"].iloc[:7].isna().all()  # first days: no baseline yet
    assert out["baseline_median"].iloc[7] == 11
    assert out["baseline_scale"].iloc[7] == pytest.approx(1.4826)  # MAD of the window is 1
    assert out["z"].iloc[7] == pytest.approx(39 / 1.4826)


def test_robust_zscores_zero_mad_falls_back_to_mean_deviation():
    out = robust_zscores(pd.Series([5, 5, 5, 5, 5, 9, 5, 12]), window=7, min_periods=7)
    assert out["baseline_scale"].iloc[7] == pytest.approx(1.253314 * 4 / 7)
    assert out["z"].iloc[7] == pytest.approx(7 / (1.253314 * 4 / 7))


def test_robust_zscores_flat_baseline_and_min_scale():
    values = pd.Series([0] * 8 + [3])
    out = robust_zscores(values, window=7, min_periods=7)
    assert out["z"].iloc[7] == 0.0
    assert out["z"].iloc[8] == math.inf
    floored = robust_zscores(values, window=7, min_periods=7, min_scale=1.0)
    assert floored["z"].iloc[8] == pytest.approx(3.0)


def test_poisson_floor_on_counts():
    values = pd.Series([20, 21, 19, 20, 22, 20, 18, 30])  # MAD 1 -> z 6.7; Poisson sd sqrt(20)
    assert robust_zscores(values, window=7, min_periods=7)["z"].iloc[7] == pytest.approx(
        10 / 1.4826
    )
    floored = robust_zscores(values, window=7, min_periods=7, poisson_floor=True)
    assert floored["z"].iloc[7] == pytest.approx(10 / math.sqrt(20))
    daily = pd.DataFrame({"date": pd.date_range("2026-10-01", periods=8), "n_posts": values})
    assert detect_spikes(daily, window=7, min_periods=7).empty  # counts detected: floored z 2.2
    assert len(detect_spikes(daily, window=7, min_periods=7, counts=False)) == 1


def test_robust_zscores_skip_missing_values():
    values = pd.Series([1.0, np.nan, 1.0, 2.0, 1.0, np.nan, 9.0])
    out = robust_zscores(values, window=6, min_periods=3)
    assert math.isnan(out["z"].iloc[5])  # the value itself is missing
    assert out["baseline_median"].iloc[6] == 1.0
    assert out["z"].iloc[6] > 3.5


# ------------------------------------------------------------------ detect_spikes
def synthetic_daily(seed=0):
    rng = np.random.default_rng(seed)
    dates = pd.date_range("2026-09-01", periods=60, freq="D")
    volume = rng.poisson(20, size=60)
    crisis = dates.get_indexer(pd.to_datetime(["2026-10-14", "2026-10-15"]))
    volume[crisis] = [120, 80]
    sentiment = rng.normal(0.1, 0.05, size=60)
    sentiment[crisis] = [-0.6, -0.4]
    return pd.DataFrame(
        {"date": dates, "n_posts": volume, "n_authors": volume, "mean_sentiment": sentiment}
    )


def test_detect_spikes_flags_a_two_day_crisis():
    daily = synthetic_daily()
    spikes = detect_spikes(daily, column="n_posts")
    assert spikes["date"].tolist() == [pd.Timestamp("2026-10-14"), pd.Timestamp("2026-10-15")]
    assert (spikes["z"] >= 3.5).all()
    assert {"baseline_median", "baseline_scale", "n_authors"} <= set(spikes.columns)
    # a 3.5-sigma cut on 60 noisy days may also catch an ordinary bad day; the crisis must
    # be caught and be the deepest dip
    dips = detect_spikes(daily, column="mean_sentiment", direction="down")
    deepest = dips.nsmallest(2, "z")["date"].sort_values().tolist()
    assert deepest == [pd.Timestamp("2026-10-14"), pd.Timestamp("2026-10-15")]
    assert len(dips) <= 3
    ups = detect_spikes(daily, column="mean_sentiment", direction="up")["date"].tolist()
    assert pd.Timestamp("2026-10-14") not in ups and pd.Timestamp("2026-10-15") not in ups


def test_detect_spikes_ignores_the_first_days_and_checks_direction():
    daily = synthetic_daily()
    daily.loc[2, "n_posts"] = 500  # too early for a baseline (min_periods=14)
    assert pd.Timestamp("2026-09-03") not in detect_spikes(daily)["date"].tolist()
    with pytest.raises(ValueError):
        detect_spikes(daily, direction="sideways")


def test_detect_spikes_empty():
    out = detect_spikes(daily_series(empty_posts(), sentiment_col=None))
    assert out.empty and {"date", "n_posts", "z"} <= set(out.columns)


# ------------------------------------------------------------------ spike_context
def context_posts():
    day = "2026-10-14T18:00:00Z"
    before = "2026-10-10T18:00:00Z"
    return scored(
        dict(
            author="u_a", created_at=day, hashtags=["outage", "app"], topic="outage", compound=-0.8
        ),
        dict(author="u_b", created_at=day, hashtags=["outage"], topic="outage", compound=-0.6),
        dict(author="u_c", created_at=day, hashtags=["bulbs"], topic="bulbs", compound=0.5),
        dict(author="u_d", created_at=day, topic=None, compound=0.0),
        dict(author="u_e", created_at=before, hashtags=["bulbs"], topic="bulbs", compound=0.3),
        dict(author="u_f", created_at=before, hashtags=["outage"], topic="outage", compound=-0.2),
        dict(
            author="u_g", created_at="2026-08-01T18:00:00Z", hashtags=["outage"], topic="outage"
        ),  # too early
        dict(
            author="NimbusHome",
            is_brand=True,
            created_at=day,
            hashtags=["outage"],
            topic="outage",
            compound=0.2,
        ),
    )


def test_spike_context_topics_by_hand():
    ctx = spike_context(context_posts(), "2026-10-14", tz="America/Chicago", topic_col="topic")
    assert (ctx.n_posts, ctx.n_authors) == (4, 4)
    assert ctx.topic_source == "topic"
    topics = ctx.topics.set_index("topic")
    assert list(ctx.topics.columns) == TOPIC_COLUMNS
    assert list(topics.index) == ["outage", "bulbs"]
    assert topics.loc["outage", "n_posts"] == 2 and topics.loc["outage", "share"] == pytest.approx(
        0.5
    )
    assert topics.loc["outage", "baseline_share"] == pytest.approx(0.5)  # 1 of 2 baseline posts
    assert topics.loc["outage", "lift"] == pytest.approx(1.0)
    assert topics.loc["outage", "mean_compound"] == pytest.approx(-0.7)
    assert topics.loc["outage", "share_negative"] == 1.0
    tone = ctx.tone.set_index("window")
    assert tone.loc["day", "n_posts"] == 4 and tone.loc["day", "share_negative"] == pytest.approx(
        0.5
    )
    assert tone.loc["baseline", "n_posts"] == 2


def test_spike_context_hashtags_by_default():
    ctx = spike_context(context_posts(), "2026-10-14", tz="America/Chicago", n=2)
    topics = ctx.topics.set_index("topic")
    assert ctx.topic_source == "hashtags"
    assert list(topics.index) == ["outage", "app"]  # n=2; app and bulbs tie at 1, alphabetical
    assert topics.loc["outage", "share"] == pytest.approx(0.5)
    assert math.isnan(topics.loc["app", "lift"])  # absent from the baseline


def test_spike_context_empty_day():
    ctx = spike_context(context_posts(), "2026-11-20", tz="America/Chicago")
    assert ctx.n_posts == 0 and ctx.topics.empty and list(ctx.topics.columns) == TOPIC_COLUMNS
    ctx = spike_context(empty_posts(), "2026-10-14")
    assert ctx.n_posts == 0 and ctx.topics.empty
    # a tz-aware day is read in tz: 2026-10-15 02:00 UTC is 2026-10-14 in Chicago
    aware = spike_context(context_posts(), pd.Timestamp("2026-10-15T02:00Z"), tz="America/Chicago")
    assert aware.day == pd.Timestamp("2026-10-14") and aware.n_posts == 4
    assert ctx.n_posts == 0 and ctx.topics.empty


def test_spike_findings_pick_the_highest_z_day():
    from toolkit.analysis.trends import spike_findings

    spikes = pd.DataFrame(
        {
            "date": pd.to_datetime(["2026-10-14", "2026-10-15", "2026-10-27"]),
            "z": [9.0, 4.0, 9.0],
            "n_posts": [502, 120, 98],
            "share_negative": [0.68, 0.5, 0.2],
        }
    )
    assert spike_findings(spikes) == {
        "spike_days": ["2026-10-14", "2026-10-15", "2026-10-27"],
        "spike_top_day": "2026-10-14",  # ties on z: the earlier day
        "spike_top_posts": 502,
        "spike_top_share_negative": 0.68,
    }
    assert spike_findings(spikes.iloc[0:0])["spike_top_day"] is None


# ------------------------------------------------------------------ spike_drivers / findings
def test_spike_drivers_record_tone_topics_platform_replies_and_campaign():
    from toolkit.analysis.trends import spike_drivers

    posts = context_posts()
    reply = make_posts(
        dict(
            author="NimbusHome", is_brand=True, post_type="reply", created_at="2026-10-14T19:00:00Z"
        )
    )
    posts = pd.concat(
        [posts, reply.assign(sentiment_compound=0.0, sentiment="neutral", topic=None)],
        ignore_index=True,
    )
    used = pd.Series([["glow25"] if a == "u_c" else [] for a in posts["author"]], index=posts.index)
    d = spike_drivers(
        posts, "2026-10-14", tz="UTC", topic_col="topic", k=2, campaign_terms={"Glow Up": used}
    )
    assert d["day"] == "2026-10-14" and d["n_posts"] == 4
    assert d["share_negative"] == pytest.approx(0.5) and d[
        "baseline_share_negative"
    ] == pytest.approx(0.5)
    assert [t["label"] for t in d["topics"]] == ["outage"]  # "bulbs" has one author < k
    assert d["topics"][0]["share"] == pytest.approx(0.5)
    assert d["top_platform"] == "twitter" and d["top_platform_share"] == 1.0
    assert d["brand_replies"] == 1 and d["brand_reply_ratio"] == pytest.approx(0.25)
    assert d["campaign"] == "Glow Up" and d["campaign_share"] == pytest.approx(0.25)
    import json

    json.dumps(d)  # recorded in findings.json


def test_spike_findings_record_the_evidence_of_no_spike():
    from toolkit.analysis.trends import spike_findings

    daily = pd.DataFrame(
        {"date": pd.date_range("2026-02-17", periods=8), "n_posts": [10, 12, 30, 11, 9, 10, 28, 12]}
    )
    found = spike_findings(daily.iloc[0:0].assign(z=[], share_negative=[]), daily)
    assert found["spike_days"] == [] and found["spike_days_observed"] == 8
    assert found["spike_min_days"] == 14 and found["daily_busiest_day"] == "2026-02-19"
    assert found["daily_busiest_posts"] == 30 and found["daily_median_posts"] == 11.5
