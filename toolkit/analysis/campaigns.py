"""Campaign and offer uptake: the brand's campaign posts, customers using the campaign's
hashtags or offer codes, and a before / during / after comparison against a baseline window.

Campaign dates (`Campaign.start`, `Campaign.end`, both inclusive) are calendar days in the
timezone passed as `tz`: pass the brand's timezone (`config.brand.timezone`) so that a day
means the brand's local day; pass "UTC" for UTC days.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from toolkit.analysis import sql as db
from toolkit.analysis.posts import ORIGINAL_TYPES, as_float, count_posts_authors
from toolkit.core.config import Campaign

PHASES = ("baseline", "during", "after")


@dataclass(frozen=True)
class CampaignUptake:
    """Tables and headline numbers of one campaign (see `campaign_uptake`)."""

    name: str
    start: dt.date
    end: dt.date
    tz: str
    #: One row per brand campaign post: ids, phase, followers, views, interactions, rates.
    brand_posts: pd.DataFrame
    #: One row per local day from baseline start to after end: uptake and brand engagement.
    daily: pd.DataFrame
    #: One row per phase (baseline, during, after): daily averages and lift vs baseline.
    phases: pd.DataFrame
    #: One row per campaign hashtag / offer code: customer posts and authors using it.
    terms: pd.DataFrame
    n_brand_posts: int
    #: Sum of author_followers over brand campaign posts: potential reach, not deduplicated.
    reach: int
    #: Sum of views over brand campaign posts that report views (see n_posts_with_impressions).
    impressions: int
    n_posts_with_impressions: int
    interactions: int
    #: sum(shares) / sum(views) over brand campaign posts that report both.
    virality: float
    uptake_posts: int
    uptake_authors: int
    #: during / baseline customer uptake posts per day (NaN when the baseline has none).
    uptake_lift: float
    #: during / baseline brand interactions per day (NaN when the baseline has none).
    brand_engagement_lift: float
    #: One row per platform: customer uptake posts and authors (all phases).
    by_platform: pd.DataFrame | None = None


def _normalise_terms(values: Iterable[str]) -> list[str]:
    return [v.strip().lstrip("#").lower() for v in values if v and v.strip().lstrip("#")]


def campaign_terms_used(posts: pd.DataFrame, campaign: Campaign) -> pd.Series:
    """Per post, the campaign hashtags and offer codes it uses (a list, lower-cased).

    A hashtag is used when it is in `hashtags` or written as ``#tag`` in the text; an offer
    code when it is in the text as a whole word; both case-insensitive.

    Parameters
    ----------
    posts : DataFrame
        Canonical posts frame.
    campaign : Campaign
        The campaign (hashtags with or without '#').
    """
    terms = db.campaign_terms_sql(campaign.hashtags, campaign.offer_codes)
    numbered = posts.assign(_row=np.arange(len(posts), dtype="int64"))
    sql = f"SELECT {terms} AS terms FROM posts ORDER BY _row"
    used = db.query_frame(sql, {"posts": numbered}, extra=["_row"])["terms"]
    return pd.Series([list(v) for v in used], index=posts.index, dtype="object")


def _phase_windows(campaign: Campaign, baseline_days: int, after_days: int) -> dict[str, tuple]:
    one = dt.timedelta(days=1)
    return {
        "baseline": (campaign.start - baseline_days * one, campaign.start - one),
        "during": (campaign.start, campaign.end),
        "after": (campaign.end + one, campaign.end + after_days * one),
    }


def _phase_of(days: pd.Series, windows: dict[str, tuple]) -> pd.Series:
    phase = pd.Series(None, index=days.index, dtype="object")
    for name, (first, last) in windows.items():
        inside = (days >= pd.Timestamp(first)) & (days <= pd.Timestamp(last))
        phase[inside] = name
    return phase


def _daily(
    uptake: pd.DataFrame, brand: pd.DataFrame, windows: dict[str, tuple], covered: tuple
) -> pd.DataFrame:
    """Per local day: customer uptake posts/authors and brand original posts/interactions."""
    first, last = windows["baseline"][0], windows["after"][1]
    days = pd.Series(pd.date_range(first, last, freq="D"), name="date")
    out = pd.DataFrame({"date": days, "phase": _phase_of(days, windows)})
    out["covered"] = (days >= covered[0]) & (days <= covered[1])  # False for NaT (no posts)
    up = count_posts_authors(uptake, ["date"]).rename(
        columns={"n_posts": "uptake_posts", "n_authors": "uptake_authors"}
    )
    br = brand.groupby("date").agg(
        brand_posts=("author", "size"), brand_interactions=("interactions", "sum")
    )
    out = out.merge(up, on="date", how="left").merge(br.reset_index(), on="date", how="left")
    counts = ["uptake_posts", "uptake_authors", "brand_posts", "brand_interactions"]
    out[counts] = out[counts].fillna(0).astype("int64")
    # privacy: the customer cells of a day are uptake_posts / uptake_authors
    out["n_posts"], out["n_authors"] = out["uptake_posts"], out["uptake_authors"]
    return out


def _ratio_or_nan(num: float, den: float) -> float:
    """num / den, NaN when den is 0 or NaN."""
    return float(num / den) if den and not np.isnan(den) else float("nan")


def _median_or_nan(values: pd.Series) -> float:
    """Median of the non-missing values, NaN (without a warning) when there are none."""
    values = pd.to_numeric(values, errors="coerce").dropna()
    return float(values.median()) if len(values) else float("nan")


def _phases(
    daily: pd.DataFrame, uptake: pd.DataFrame, brand: pd.DataFrame, windows
) -> pd.DataFrame:
    """Daily averages per phase over the days the data covers, and lift vs the baseline."""
    rows = []
    for name, (first, last) in windows.items():
        days = daily[(daily["phase"] == name) & daily["covered"]]
        in_phase = uptake[uptake["phase"] == name]
        brand_in = brand[brand["phase"] == name]
        n_days = len(days)
        rows.append(
            {
                "phase": name,
                "first_day": pd.Timestamp(first),
                "last_day": pd.Timestamp(last),
                "n_days": n_days,
                "n_posts": len(in_phase),
                "n_authors": in_phase["author"].nunique(),
                "uptake_posts_per_day": _ratio_or_nan(days["uptake_posts"].sum(), n_days),
                "brand_posts_per_day": _ratio_or_nan(days["brand_posts"].sum(), n_days),
                "brand_interactions_per_day": _ratio_or_nan(
                    days["brand_interactions"].sum(), n_days
                ),
                "brand_interactions_per_post": _ratio_or_nan(
                    days["brand_interactions"].sum(), days["brand_posts"].sum()
                ),
                "brand_median_engagement_rate": _median_or_nan(
                    brand_in["engagement_rate_followers"]
                ),
            }
        )
    out = pd.DataFrame(rows)
    base = out.set_index("phase").loc["baseline"]
    for col in ["uptake_posts_per_day", "brand_interactions_per_day"]:
        out[col.replace("_per_day", "_lift")] = [_ratio_or_nan(v, base[col]) for v in out[col]]
    return out


def _terms_table(uptake: pd.DataFrame, campaign: Campaign) -> pd.DataFrame:
    terms = _normalise_terms(campaign.hashtags) + _normalise_terms(campaign.offer_codes)
    kinds = {t: "hashtag" for t in _normalise_terms(campaign.hashtags)}
    exploded = uptake.explode("terms").rename(columns={"terms": "term"})
    table = count_posts_authors(exploded, ["term"]).set_index("term").reindex(terms, fill_value=0)
    table = table.rename_axis("term").reset_index()
    table.insert(1, "kind", table["term"].map(lambda t: kinds.get(t, "offer_code")))
    return table


def campaign_uptake(
    posts: pd.DataFrame,
    campaign: Campaign,
    tz: str = "UTC",
    baseline_days: int = 14,
    after_days: int | None = None,
) -> CampaignUptake:
    """Brand campaign posts, customer uptake and before / during / after comparison.

    - Brand campaign posts: brand original posts (post, quote; any date) using a campaign
      hashtag or code; replies to customers are not campaign posts.
      ``reach = sum(author_followers)`` (potential reach, accounts counted once per post),
      ``impressions = sum(views)`` where reported, ``virality = sum(shares) / sum(views)``
      over posts reporting both (Facebook Insights' virality, views standing in for reach).
    - Customer uptake: customer posts (no shares) using a hashtag or code
      (`campaign_terms_used`), per local day.
    - Phases: baseline = the `baseline_days` days before `start`; during = start..end;
      after = the `after_days` days after `end`. Daily averages divide by the phase's days
      that the data covers (between the first and last post in `posts`), so a window cut
      short by the data is not diluted. ``lift = during per-day value / baseline per-day
      value`` (NaN when the baseline is 0: a new hashtag has no baseline).
      Brand engagement = interactions on all brand original posts (post, quote) per day.

    Parameters
    ----------
    posts : DataFrame
        Canonical posts frame.
    campaign : Campaign
        From the config (`config.campaigns`).
    tz : str
        IANA timezone in which the campaign's dates are calendar days (the brand's timezone).
    baseline_days : int
        Length of the baseline window before the campaign.
    after_days : int, optional
        Length of the after window; default `baseline_days`.
    """
    sql = db.campaign_rows_sql("posts", tz, campaign.hashtags, campaign.offer_codes)
    covered_sql = db.covered_days_sql("posts", tz)
    rows = db.query_frame(sql, {"posts": posts})
    first, last = db.query_frame(covered_sql, {"posts": posts}).iloc[0]
    return uptake_from_rows(rows, campaign, tz, (first, last), baseline_days, after_days)


def uptake_from_rows(
    rows: pd.DataFrame,
    campaign: Campaign,
    tz: str,
    covered: tuple,
    baseline_days: int = 14,
    after_days: int | None = None,
) -> CampaignUptake:
    """`campaign_uptake` from the rows of `toolkit.analysis.sql.campaign_rows_sql` (brand original posts
    and customer posts using a campaign term) and the first and last local day of the data.

    Parameters
    ----------
    rows : DataFrame
        Output of `toolkit.analysis.sql.campaign_rows_sql` for this campaign.
    campaign : Campaign
    tz : str
        The timezone the rows' `date` is in.
    covered : (Timestamp, Timestamp)
        First and last local day with posts (NaT when there are none).
    baseline_days, after_days : int
        As in `campaign_uptake`.
    """
    after_days = baseline_days if after_days is None else after_days
    windows = _phase_windows(campaign, baseline_days, after_days)
    covered = tuple(pd.Timestamp(d) if pd.notna(d) else pd.NaT for d in covered)
    rows = rows.assign(
        date=pd.to_datetime(rows["date"]).astype("datetime64[ns]"),
        terms=[list(t) for t in rows["terms"]],
    )
    rows["phase"] = _phase_of(rows["date"], windows)
    uses = rows["terms"].map(len) > 0
    is_brand = rows["is_brand"].fillna(False).astype(bool)
    brand_originals = rows[is_brand & rows["post_type"].isin(ORIGINAL_TYPES)]
    brand_campaign = brand_originals[uses[brand_originals.index]]
    uptake = rows[~is_brand & uses]
    daily = _daily(uptake, brand_originals, windows, covered)
    phases = _phases(daily, uptake, brand_originals, windows)
    both = brand_campaign["shares"].notna() & (as_float(brand_campaign["views"]) > 0)
    with_views = brand_campaign["views"].notna()
    base = phases.set_index("phase")
    return CampaignUptake(
        name=campaign.name,
        start=campaign.start,
        end=campaign.end,
        tz=tz,
        brand_posts=_brand_posts_table(brand_campaign),
        daily=daily,
        phases=phases,
        terms=_terms_table(uptake, campaign),
        n_brand_posts=len(brand_campaign),
        reach=int(brand_campaign["author_followers"].fillna(0).sum()),
        impressions=int(brand_campaign["views"].fillna(0).sum()),
        n_posts_with_impressions=int(with_views.sum()),
        interactions=int(brand_campaign["interactions"].sum()),
        virality=_ratio_or_nan(
            float(brand_campaign.loc[both, "shares"].sum()),
            float(brand_campaign.loc[both, "views"].sum()),
        ),
        uptake_posts=len(uptake),
        uptake_authors=int(uptake["author"].nunique()),
        uptake_lift=float(base.loc["during", "uptake_posts_lift"]),
        brand_engagement_lift=float(base.loc["during", "brand_interactions_lift"]),
        by_platform=count_posts_authors(uptake, ["platform"])
        .sort_values(["n_posts", "platform"], ascending=[False, True], kind="stable")
        .reset_index(drop=True),
    )


def headline(uptake: CampaignUptake) -> dict:
    """The scalar figures of a campaign as one table row (for `toolkit.pipeline.metrics.compute_metrics`)."""
    fields = [
        "name", "start", "end", "n_brand_posts", "reach", "impressions",
        "n_posts_with_impressions", "interactions", "virality", "uptake_posts",
        "uptake_authors", "uptake_lift", "brand_engagement_lift",
    ]  # fmt: skip
    row = {f: getattr(uptake, f) for f in fields}
    return {"campaign": row.pop("name"), **row}


def _brand_posts_table(brand_campaign: pd.DataFrame) -> pd.DataFrame:
    columns = [
        "platform",
        "post_id",
        "author",
        "created_at",
        "date",
        "phase",
        "terms",
        "author_followers",
        "views",
        "likes",
        "shares",
        "replies",
        "quotes",
        "interactions",
        "engagement_rate_followers",
        "engagement_rate_views",
        "virality",
    ]
    return brand_campaign[columns].sort_values("created_at", kind="stable").reset_index(drop=True)
