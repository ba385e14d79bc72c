"""The DuckDB metric engine: formulas on hand-computed fixtures, the same answers as the
pandas-facing functions, Parquet input, suppression, and the sample's crisis."""

import datetime as dt
import math

import numpy as np
import pandas as pd
import pytest
from helpers import make_posts

from toolkit.analysis import attentiveness, engagement, trends
from toolkit.analysis import sql as db
from toolkit.core.config import Brand, Campaign, Config, load_config
from toolkit.core.paths import DEFAULT_CONFIG
from toolkit.core.schema import empty_posts, to_arrow
from toolkit.pipeline.metrics import compute_metrics
from toolkit.pipeline.publish import published_metrics

TZ = "America/Chicago"


def config(**update) -> Config:
    base = Config.model_construct(
        name="t",
        sources=[],
        brand=Brand(
            name="Nimbus Home",
            aliases=["Nimbus"],
            accounts={
                "twitter": ["NimbusHome"],
                "reddit": ["NimbusHome_Official"],
                "facebook": ["NimbusHome"],
            },
            timezone=TZ,
        ),
        competitors={"Lumora": ["Lumora", "LumoraLights"]},
        campaigns=[
            Campaign(
                name="Glow",
                hashtags=["NimbusGlowUp"],
                offer_codes=["GLOW25"],
                start=dt.date(2026, 10, 2),
                end=dt.date(2026, 10, 3),
            )
        ],
    )
    return base.model_copy(update=update)


def brand(**row):
    return {"author": "NimbusHome", "is_brand": True, **row}


def fixture_posts():
    """b1/b2 brand posts (b2 with zero followers and no views), c1 a complaint answered after
    3 h with a follow-up, c2 a Reddit submission answered deep in its comment tree, c3 a
    mention never answered, c4 answered 1 h *before* it was posted (clock skew), c5 names a
    competitor, c6 uses the offer code."""
    return make_posts(
        brand(
            post_id="b1",
            created_at="2026-10-01T14:00:00Z",
            likes=8,
            shares=2,
            replies=4,
            quotes=1,
            views=500,
            author_followers=1000,
            hashtags=["NimbusGlowUp"],
        ),
        brand(post_id="b2", created_at="2026-10-02T14:00:00Z", likes=3, author_followers=0),
        dict(
            post_id="c1",
            author="u_a",
            thread_id="c1",
            created_at="2026-10-01T10:00:00Z",
            text="app down again @NimbusHome",
            mentions=["NimbusHome"],
        ),
        dict(
            post_id="c1b",
            author="u_a",
            thread_id="c1",
            post_type="reply",
            reply_to_id="c1",
            created_at="2026-10-01T11:00:00Z",
            text="any news?",
            mentions=["NimbusHome"],
        ),
        brand(
            post_id="r1",
            post_type="reply",
            thread_id="c1",
            reply_to_id="c1b",
            created_at="2026-10-01T13:00:00Z",
            mentions=["u_a"],
        ),
        dict(
            post_id="c2",
            platform="reddit",
            author="u_b",
            thread_id="c2",
            created_at="2026-10-01T10:00:00Z",
            text="Is Nimbus support slow for anyone?",
        ),
        dict(
            post_id="p2",
            platform="reddit",
            author="u_x",
            post_type="comment",
            thread_id="c2",
            reply_to_id="c2",
            created_at="2026-10-01T11:00:00Z",
            text="same here",
        ),
        brand(
            post_id="r2",
            platform="reddit",
            author="NimbusHome_Official",
            post_type="comment",
            thread_id="c2",
            reply_to_id="p2",
            created_at="2026-10-01T15:00:00Z",
        ),
        dict(
            post_id="c3",
            author="u_c",
            thread_id="c3",
            created_at="2026-09-30T10:00:00Z",
            mentions=["nimbushome"],
        ),
        dict(
            post_id="c4",
            author="u_d",
            thread_id="c4",
            created_at="2026-10-01T12:00:00Z",
            mentions=["NimbusHome"],
        ),
        brand(
            post_id="r4",
            post_type="reply",
            thread_id="c4",
            reply_to_id="c4",
            created_at="2026-10-01T11:00:00Z",
        ),
        dict(
            post_id="c5", author="u_e", created_at="2026-10-02T12:00:00Z", text="Lumora is better"
        ),
        dict(post_id="c6", author="u_f", created_at="2026-10-02T18:00:00Z", text="got GLOW25!"),
    )


@pytest.fixture(scope="module")
def computed():
    return compute_metrics(fixture_posts(), config(), now="2026-10-03T10:00:00Z")


# ------------------------------------------------------------------ formulas by hand
def test_per_post_rates_by_hand():
    scored = db.query_frame(
        f"SELECT post_id, interactions, {', '.join(db.RATE_COLUMNS)} "
        f"FROM ({db.scored_sql('posts')}) ORDER BY post_id",
        {"posts": fixture_posts()},
    ).set_index("post_id")
    b1 = scored.loc["b1"]
    assert b1["interactions"] == 15
    assert b1["engagement_rate_followers"] == pytest.approx(15 / 1000)
    assert b1["engagement_rate_views"] == pytest.approx(15 / 500)
    assert b1["conversation_rate"] == pytest.approx(4 / 1000)
    assert b1["amplification_rate"] == pytest.approx(2 / 1000)
    assert b1["applause_rate"] == pytest.approx(8 / 1000)
    assert b1["virality"] == pytest.approx(2 / 500)
    b2 = scored.loc["b2"]  # zero followers and missing views: no rate, no division error
    assert b2["interactions"] == 3
    assert all(math.isnan(b2[c]) for c in db.RATE_COLUMNS)


def test_kpis_match_the_pandas_function_and_list_empty_platforms(computed):
    kpis = computed["kpis_by_platform"].set_index("platform")
    assert list(kpis.index) == ["facebook", "reddit", "twitter"]
    assert kpis.loc["facebook", "n_posts"] == 0 and math.isnan(
        kpis.loc["facebook", "median_engagement_rate_followers"]
    )
    twitter = kpis.loc["twitter"]
    assert (twitter["n_posts"], twitter["total_interactions"]) == (4, 18)  # b1 b2 r1 r4
    assert twitter["share_with_views"] == pytest.approx(1 / 4)
    expected = engagement.kpis_by_platform(
        fixture_posts(), platforms=["twitter", "reddit", "facebook"]
    )
    pd.testing.assert_frame_equal(computed["kpis_by_platform"], expected)


def test_best_time_is_local_and_masked(computed):
    best = computed["best_time"].set_index(["weekday", "hour"])
    assert len(best) == 7 * 24
    # b1: Thu 2026-10-01 14:00 UTC = 09:00 CDT; b2 Fri 09:00 CDT
    assert best.loc[(3, 9), "n_posts"] == 1 and best.loc[(4, 9), "n_posts"] == 1
    assert best["masked"].all()  # no cell has 3 rated posts
    loose = db.best_time_grid(
        db.query_frame(
            db.best_time_sql(db.scored_sql("posts", "is_brand"), TZ, "engagement_rate_followers"),
            {"posts": fixture_posts()},
        ),
        min_posts=1,
    ).set_index(["weekday", "hour"])
    assert loose.loc[(3, 9), "median_rate"] == pytest.approx(0.015)
    assert loose.loc[(4, 9), "masked"]  # b2 has no rate (zero followers)


def test_share_of_voice_and_hashtags(computed):
    sov = computed["share_of_voice"].set_index(["platform", "entity"])
    # customers naming the brand: c1, c1b, c3, c4 (mentions), c2 ('Nimbus' on reddit); c5 Lumora
    assert sov.loc[("twitter", "Nimbus Home"), "n_posts"] == 4
    assert sov.loc[("twitter", "Lumora"), "n_posts"] == 1
    assert sov.loc[("all", "Nimbus Home"), "share_of_voice"] == pytest.approx(5 / 6)
    assert computed["hashtags"].empty  # one post per hashtag < 5


def test_attentiveness_by_hand(computed):
    by_platform = computed["responses_by_platform"].set_index("platform")
    twitter = by_platform.loc["twitter"]
    # requests: c1 (with its follow-up c1b), c3, c4; c1 answered after 3 h (to c1b), c4 skewed
    assert (twitter["n_posts"], twitter["n_customer_posts"], twitter["n_responded"]) == (3, 4, 2)
    assert twitter["n_clock_skew"] == 1
    assert twitter["median_response_hours"] == pytest.approx(1.5)  # of 3 and 0 (clipped)
    reddit = by_platform.loc["reddit"]
    assert (reddit["n_posts"], reddit["n_responded"]) == (1, 1)
    assert reddit["median_response_hours"] == pytest.approx(5.0)  # r2 is under c2's tree
    assert by_platform.loc["facebook", "n_posts"] == 0
    oldest = computed["oldest_unanswered"]
    assert oldest["post_id"].tolist() == ["c3"] and oldest["age_hours"].tolist() == [72.0]
    overall = computed["responses_overall"].iloc[0]
    assert overall["response_rate"] == pytest.approx(3 / 4)


def test_engine_and_pandas_functions_give_the_same_attentiveness():
    posts = fixture_posts()
    responses = attentiveness.brand_responses(
        posts,
        brand_handles=["NimbusHome", "NimbusHome_Official"],
        brand_names=["Nimbus Home", "Nimbus"],
    )
    summary = attentiveness.response_summary(
        responses, tz=TZ, platforms=["twitter", "reddit", "facebook"]
    )
    computed = compute_metrics(posts, config())
    pd.testing.assert_frame_equal(computed["responses_by_platform"], summary)


def test_daily_and_campaign(computed):
    daily = computed["daily"].set_index("date")
    expected = trends.daily_series(fixture_posts(), tz=TZ, sentiment_col=None).set_index("date")
    pd.testing.assert_frame_equal(daily, expected)
    summary = computed["campaign_summary"].iloc[0]
    assert summary["campaign"] == "Glow" and summary["uptake_posts"] == 1  # c6
    assert summary["n_brand_posts"] == 1 and summary["reach"] == 1000  # b1 by its hashtag
    assert summary["virality"] == pytest.approx(2 / 500)
    phases = computed["campaign_phases"]
    assert phases["phase"].tolist() == ["baseline", "during", "after"]


def test_parquet_input_gives_the_same_tables(tmp_path, computed):
    path = tmp_path / "posts.parquet"
    import pyarrow.parquet as pq

    pq.write_table(to_arrow(fixture_posts()), path)
    from_parquet = compute_metrics(path, config(), now="2026-10-03T10:00:00Z")
    assert set(from_parquet) == set(computed)
    for name in computed:
        pd.testing.assert_frame_equal(from_parquet[name], computed[name], check_dtype=False)


def test_empty_posts_and_no_brand_replies():
    out = compute_metrics(empty_posts(), config())
    assert out["kpis_by_platform"]["n_posts"].tolist() == [0, 0, 0]
    assert out["responses_overall"]["n_posts"].tolist() == [0]
    assert out["daily"].empty and out["spikes_volume"].empty
    no_replies = make_posts(
        dict(post_id="c1", author="u_a", mentions=["NimbusHome"]),
        dict(post_id="c2", author="u_b", mentions=["NimbusHome"]),
    )
    overall = compute_metrics(no_replies, config())["responses_overall"].iloc[0]
    assert overall["response_rate"] == 0.0 and overall["share_within_sla"] == 0.0
    assert math.isnan(overall["median_response_hours"])


def test_published_metrics_suppress_customer_tables_only(computed):
    published = published_metrics(computed, k=2)
    twitter = published["responses_by_platform"].set_index("platform").loc["twitter"]
    assert bool(twitter["suppressed"]) is False and twitter["n_posts"] == 3
    reddit = published["responses_by_platform"].set_index("platform").loc["reddit"]
    assert reddit["suppressed"] and math.isnan(reddit["response_rate"])
    assert published["responses_overall"]["suppressed"].tolist() == [False]
    assert published_metrics(computed, k=50)["responses_overall"]["suppressed"].tolist() == [True]
    summary = published_metrics(computed, k=2)["campaign_summary"].iloc[0]
    assert (
        summary["suppressed"] and math.isnan(summary["uptake_posts"]) and summary["reach"] == 1000
    )
    assert published["kpis_by_platform"] is computed["kpis_by_platform"]  # brand accounts only
    assert set(published) == set(computed)


# ------------------------------------------------------------------ term matching
@pytest.mark.parametrize(
    ("text", "hit"),
    [
        ("I love Nimbus Home!", True),
        ("nimbus   home rocks", True),
        ("#nimbus deals", True),
        ("Nimbusy clouds", False),
        ("supernimbus", False),
        ("(Nimbus)", True),
        ("", False),
    ],
)
def test_text_match_is_whole_word_and_case_insensitive(text, hit):
    posts = make_posts(dict(text=text))
    sql = f"SELECT {db.text_match_sql(['Nimbus Home', 'Nimbus'])} AS hit FROM posts"
    assert db.query_frame(sql, {"posts": posts})["hit"].tolist() == [hit]


def test_mentions_sql_handles_case_and_at_sign():
    posts = make_posts(dict(mentions=["@NIMBUSHOME"]), dict(mentions=["other"]), dict(mentions=[]))
    sql = f"SELECT {db.mentions_sql(['nimbushome'], text=False)} AS hit FROM posts ORDER BY source_line"
    assert db.query_frame(sql, {"posts": posts})["hit"].tolist() == [True, False, False]
    assert db.mentions_sql([]) == "false"


def test_unknown_period_and_rate_are_refused():
    with pytest.raises(ValueError):
        db.period_sql("fortnight", TZ)
    with pytest.raises(ValueError):
        db.best_time_sql("posts", TZ, "likes")
    with pytest.raises(ValueError):
        db.selection_sql("robots")


# ------------------------------------------------------------------ the sample
@pytest.fixture(scope="module")
def sample_posts(tmp_path_factory):
    from toolkit.ingest.pipeline import ingest_config

    sample = load_config(DEFAULT_CONFIG)
    return sample, ingest_config(sample, tmp_path_factory.mktemp("sample")).posts


def test_the_sample_crisis_is_the_biggest_volume_spike(sample_posts):
    sample, posts = sample_posts
    out = compute_metrics(posts, sample)
    spikes = out["spikes_volume"].sort_values("z", ascending=False)
    assert spikes["date"].iloc[0] == pd.Timestamp("2026-10-14")
    assert pd.Timestamp("2026-10-15") in set(spikes["date"])
    daily = out["daily"].set_index("date")["n_posts"]
    assert daily.idxmax() == pd.Timestamp("2026-10-14")
    assert np.isfinite(spikes["z"]).all()


def test_tone_and_topic_columns_flow_through():
    posts = fixture_posts()
    posts["sentiment_compound"] = np.linspace(-1, 1, len(posts))
    posts["sentiment"] = np.where(posts["sentiment_compound"] < 0, "negative", "positive")
    posts["topic label"] = np.where(posts["platform"] == "reddit", "hub", "app")  # a space: quoted
    out = compute_metrics(
        posts,
        config(),
        score_col="sentiment_compound",
        label_col="sentiment",
        topic_col="topic label",
    )
    by_topic = out["responses_by_topic"].set_index("topic label")
    assert by_topic["n_posts"].to_dict() == {"app": 3, "hub": 1}
    expected = trends.daily_series(posts, tz=TZ).set_index("date")
    pd.testing.assert_frame_equal(out["daily"].set_index("date"), expected)
    assert "spikes_sentiment" in out and "topic label" in out["oldest_unanswered"].columns
    published = published_metrics(out, k=2)
    assert published["responses_by_topic"].set_index("topic label")["suppressed"].to_dict() == {
        "app": False,
        "hub": True,
    }
