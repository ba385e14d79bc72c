import datetime as dt
import math

import pandas as pd
import pytest
from helpers import make_posts

from toolkit.analysis.campaigns import CampaignUptake, campaign_terms_used, campaign_uptake
from toolkit.core.config import Campaign
from toolkit.core.schema import empty_posts

GLOW = Campaign(
    name="Glow Up",
    hashtags=["#NimbusGlowUp"],
    offer_codes=["GLOW25"],
    start=dt.date(2026, 11, 2),
    end=dt.date(2026, 11, 4),
)
TZ = "America/Chicago"


def brand(**row):
    return {"author": "NimbusHome", "is_brand": True, "author_followers": 1000, **row}


def campaign_posts():
    return make_posts(
        brand(
            post_id="B1",
            created_at="2026-11-02T15:00:00Z",
            text="Meet #NimbusGlowUp",
            hashtags=["nimbusglowup"],
            views=500,
            likes=40,
            shares=10,
        ),
        brand(
            post_id="B2",
            created_at="2026-11-03T15:00:00Z",
            text="Use code glow25 today",
            likes=20,
            shares=5,
        ),
        brand(post_id="B3", created_at="2026-10-31T15:00:00Z", text="Fall tips", likes=10),
        brand(
            post_id="B4",
            post_type="reply",
            created_at="2026-11-03T16:00:00Z",
            text="try #NimbusGlowUp",
            likes=99,
        ),
        dict(
            post_id="U1",
            author="u_a",
            created_at="2026-11-02T18:00:00Z",
            text="got mine with GLOW25!",
        ),
        dict(
            post_id="U2",
            author="u_b",
            created_at="2026-11-03T18:00:00Z",
            text="love it",
            hashtags=["nimbusglowup"],
        ),
        dict(
            post_id="U3",
            author="u_a",
            created_at="2026-11-03T19:00:00Z",
            text="#NimbusGlowUp and glow25",
        ),
        dict(
            post_id="U4",
            author="u_c",
            created_at="2026-11-01T18:00:00Z",
            text="teaser? #NimbusGlowUp",
        ),
        dict(
            post_id="U5", author="u_d", created_at="2026-11-05T18:00:00Z", text="glow25 still works"
        ),
        dict(
            post_id="U6",
            author="u_f",
            post_type="share",
            created_at="2026-11-03T18:00:00Z",
            text="RT #NimbusGlowUp",
            hashtags=["nimbusglowup"],
        ),
        dict(
            post_id="U7",
            author="u_g",
            created_at="2026-11-03T18:00:00Z",
            text="GLOW250 and myglow25 and NimbusGlowUp",
        ),
        # 2026-11-04 22:30 CST locally (during); 2026-11-05 in UTC (after)
        dict(post_id="U8", author="u_e", created_at="2026-11-05T04:30:00Z", text="GLOW25"),
    )


def test_campaign_terms_used():
    posts = campaign_posts().set_index("post_id", drop=False)
    used = campaign_terms_used(posts, GLOW)
    assert used["U1"] == ["glow25"]
    assert used["U2"] == ["nimbusglowup"]
    assert used["U3"] == ["nimbusglowup", "glow25"]
    assert used["U7"] == [] and used["B3"] == []


def test_campaign_uptake_headline_numbers():
    result = campaign_uptake(campaign_posts(), GLOW, tz=TZ, baseline_days=3, after_days=2)
    assert isinstance(result, CampaignUptake)
    assert result.brand_posts["post_id"].tolist() == ["B1", "B2"]  # B4 is a reply
    assert result.n_brand_posts == 2
    assert result.reach == 2000
    assert (result.impressions, result.n_posts_with_impressions) == (500, 1)
    assert result.interactions == 75
    assert result.virality == pytest.approx(10 / 500)
    assert result.uptake_posts == 6  # U1 U2 U3 U4 U5 U8
    assert result.uptake_authors == 5
    assert result.uptake_lift == pytest.approx((4 / 3) / (1 / 2))
    assert result.brand_engagement_lift == pytest.approx((75 / 3) / (10 / 2))


def test_campaign_uptake_phases_by_hand():
    result = campaign_uptake(campaign_posts(), GLOW, tz=TZ, baseline_days=3, after_days=2)
    phases = result.phases.set_index("phase")
    assert list(phases.index) == ["baseline", "during", "after"]
    # data covers 2026-10-31..2026-11-05 locally: 2 of 3 baseline days, 1 of 2 after days
    assert phases["n_days"].to_dict() == {"baseline": 2, "during": 3, "after": 1}
    assert phases["n_posts"].to_dict() == {"baseline": 1, "during": 4, "after": 1}
    assert phases["n_authors"].to_dict() == {"baseline": 1, "during": 3, "after": 1}
    assert phases.loc["during", "uptake_posts_per_day"] == pytest.approx(4 / 3)
    assert phases.loc["baseline", "brand_interactions_per_day"] == pytest.approx(5.0)
    assert phases.loc["during", "brand_interactions_per_post"] == pytest.approx(37.5)
    assert phases.loc["baseline", "uptake_posts_lift"] == pytest.approx(1.0)
    assert phases.loc["during", "brand_median_engagement_rate"] == pytest.approx((0.05 + 0.025) / 2)
    assert phases.loc["after", "first_day"] == pd.Timestamp("2026-11-05")


def test_campaign_uptake_daily_and_terms():
    result = campaign_uptake(campaign_posts(), GLOW, tz=TZ, baseline_days=3, after_days=2)
    daily = result.daily.set_index("date")
    assert list(daily.index) == list(pd.date_range("2026-10-30", "2026-11-06"))
    assert daily.loc["2026-11-04", "uptake_posts"] == 1  # U8, by local day
    assert (
        daily.loc["2026-11-03", "uptake_posts"] == 2
        and daily.loc["2026-11-03", "uptake_authors"] == 2
    )
    assert daily.loc["2026-11-03", "brand_interactions"] == 25
    assert daily["covered"].tolist() == [False, True, True, True, True, True, True, False]
    assert (daily["n_posts"] == daily["uptake_posts"]).all() and "n_authors" in daily.columns
    terms = result.terms.set_index("term")
    assert terms["kind"].to_dict() == {"nimbusglowup": "hashtag", "glow25": "offer_code"}
    assert terms["n_posts"].to_dict() == {"nimbusglowup": 3, "glow25": 4}
    assert terms["n_authors"].to_dict() == {"nimbusglowup": 3, "glow25": 3}


def test_campaign_without_baseline_uptake_has_nan_lift():
    posts = make_posts(
        dict(created_at="2026-10-30T18:00:00Z", text="nothing yet"),
        dict(created_at="2026-11-02T18:00:00Z", text="GLOW25"),
    )
    result = campaign_uptake(posts, GLOW, tz=TZ, baseline_days=3)
    assert result.uptake_posts == 1
    assert math.isnan(result.uptake_lift) and math.isnan(result.brand_engagement_lift)
    assert result.n_brand_posts == 0 and result.reach == 0 and math.isnan(result.virality)


def test_campaign_uptake_empty_input():
    result = campaign_uptake(empty_posts(), GLOW, tz=TZ)
    assert result.n_brand_posts == 0 and result.uptake_posts == 0
    assert result.brand_posts.empty and "post_id" in result.brand_posts.columns
    assert len(result.daily) == 14 + 3 + 14 and not result.daily["covered"].any()
    assert result.phases["n_days"].tolist() == [0, 0, 0]
    assert result.terms["n_posts"].tolist() == [0, 0]
    assert math.isnan(result.uptake_lift)


def test_campaign_uptake_by_platform_and_headline_suppression():
    from toolkit.report.brief import campaign_headline

    result = campaign_uptake(campaign_posts(), GLOW, tz=TZ, baseline_days=3, after_days=2)
    table = result.by_platform
    assert table["n_posts"].sum() == result.uptake_posts
    assert list(table.columns) == ["platform", "n_posts", "n_authors"]
    row = campaign_headline(result, k=1)
    assert row["uptake_by_platform"][0]["n_posts"] == table["n_posts"].iloc[0]
    assert campaign_headline(result, k=10_000)["uptake_by_platform"] == []
