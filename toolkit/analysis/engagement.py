"""Engagement KPIs: per-post rates, KPIs by platform and over time, best time to post,
share of voice and hashtag performance.

Every function takes the canonical posts frame (`toolkit.core.schema`) and returns a new frame.
Published aggregates carry `n_posts` and `n_authors` (distinct authors) so that a privacy
step can suppress cells with too few distinct authors.

The helpers shared with the other analysis modules (`select_posts`, `local_dates`, ...) are
in `toolkit.analysis.posts`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from toolkit.analysis import sql as db
from toolkit.analysis.posts import Authors, as_float, select_posts

#: Interaction counts summed into `interactions` (nulls count as 0).
INTERACTION_COLUMNS = db.INTERACTION_COLUMNS
#: Per-post metric columns added by `post_engagement`.
RATE_COLUMNS = db.RATE_COLUMNS
_NUMBER_COLUMNS = [*INTERACTION_COLUMNS, "views", "author_followers"]


# ------------------------------------------------------------------ per post
def post_engagement(posts: pd.DataFrame) -> pd.DataFrame:
    """Per-post interactions and engagement rates, added as columns to a copy of `posts`.

    Formulas (per post):

    - ``interactions = likes + shares + replies + quotes``, nulls counted as 0.
    - ``engagement_rate_followers = interactions / author_followers``: the usual
      "engagement rate by followers" of social benchmark reports (e.g. Rival IQ), with the
      author's follower count at posting time (as the platform reported it with the post).
    - ``engagement_rate_views = interactions / views``: Twitter Analytics' engagement rate
      (engagements / impressions); ours counts public interactions only, not clicks.
    - ``conversation_rate = replies / author_followers``, ``amplification_rate =
      shares / author_followers``, ``applause_rate = likes / author_followers``:
      Avinash Kaushik, "Best Social Media Metrics: Conversation, Amplification, Applause,
      Economic Value" (Occam's Razor, 2011): replies, shares and likes per post, here
      divided by the author's followers so that accounts of different sizes compare.
    - ``virality = shares / views``: after Facebook Page Insights' virality (people who
      shared / people reached, 2011); views stand in for reach.

    A rate is NaN when its denominator is null or 0, and a component rate is NaN when its
    numerator is null (the platform does not report it, e.g. shares on Reddit). Per
    platform and period, `kpis_by_platform` and `kpis_over_time` give medians and means of
    these per-post rates. The SQL is `toolkit.analysis.sql.scored_sql`.

    Parameters
    ----------
    posts : DataFrame
        Canonical posts frame.
    """
    numbers = pd.DataFrame(
        {c: pd.array(as_float(posts[c]), dtype="Float64") for c in _NUMBER_COLUMNS}
    ).assign(_row=np.arange(len(posts), dtype="int64"))
    sql = f"SELECT interactions, {', '.join(RATE_COLUMNS)} FROM ({db.scored_sql('numbers')}) ORDER BY _row"
    rates = db.query_frame(sql, {"numbers": numbers})
    out = posts.copy()
    out["interactions"] = rates["interactions"].to_numpy(dtype="int64")
    for column in RATE_COLUMNS:
        out[column] = rates[column].to_numpy(dtype="float64", na_value=np.nan)
    return out


# ------------------------------------------------------------------ KPIs
KPI_COLUMNS = [
    "n_posts",
    "n_authors",
    "total_interactions",
    "mean_interactions",
    "median_engagement_rate_followers",
    "mean_engagement_rate_followers",
    "median_engagement_rate_views",
    "mean_engagement_rate_views",
    "median_conversation_rate",
    "median_amplification_rate",
    "median_applause_rate",
    "median_virality",
    "share_with_views",
    "share_with_followers",
]


def kpi_table(
    table: pd.DataFrame, platforms: Iterable[str] | None = None, keys: Sequence[str] = ("platform",)
) -> pd.DataFrame:
    """Typed KPI rows from `toolkit.analysis.sql.kpis_sql`; with `platforms`, a row (n_posts = 0) for each
    listed platform that has no posts."""
    keys = list(keys)
    ints = ["n_posts", "n_authors", "total_interactions"]
    out = table.copy()
    if platforms is not None and keys == ["platform"]:
        wanted = list(dict.fromkeys([*platforms, *out["platform"]]))
        out = out.set_index("platform").reindex(wanted).rename_axis("platform").reset_index()
    out[ints] = out[ints].fillna(0).astype("int64")
    floats = [c for c in KPI_COLUMNS if c not in ints]
    out[floats] = out[floats].astype("float64")
    if "period" in keys:
        out["period"] = pd.to_datetime(out["period"]).astype("datetime64[ns]")
    return out.sort_values(keys, kind="stable").reset_index(drop=True)[[*keys, *KPI_COLUMNS]]


def kpis_by_platform(
    posts: pd.DataFrame, brand_only: bool = True, platforms: Iterable[str] | None = None
) -> pd.DataFrame:
    """Engagement KPIs per platform: posts, total and mean interactions, median and mean rates.

    Means and medians are of the per-post rates of `post_engagement` (not ratios of sums), so
    each post weighs the same; NaN rates (no followers / views) are left out. Shares
    (retweets, boosts) are excluded: their counts belong to the original post.
    `share_with_views` / `share_with_followers` are the fraction of posts whose views /
    follower count is known and > 0, i.e. how much of the platform the rates describe.

    Parameters
    ----------
    posts : DataFrame
        Canonical posts frame.
    brand_only : bool
        Only the brand's own posts (True) or everyone's.
    platforms : iterable of str, optional
        Platforms to report even when they have no posts (rows with n_posts = 0).
    """
    where = db.selection_sql("brand" if brand_only else "all")
    sql = db.kpis_sql(db.scored_sql("posts", where), ["platform"])
    return kpi_table(db.query_frame(sql, {"posts": posts}), platforms)


def kpis_over_time(
    posts: pd.DataFrame, freq: str = "W", tz: str = "UTC", brand_only: bool = True
) -> pd.DataFrame:
    """Engagement KPIs per platform and period (local calendar periods in `tz`).

    Same KPIs and exclusions as `kpis_by_platform`. `period` is the local start of the
    period (naive timestamp); weeks start on Monday.

    Parameters
    ----------
    posts : DataFrame
        Canonical posts frame.
    freq : str
        A pandas period alias: "D", "W", "M", "Q".
    tz : str
        IANA timezone whose calendar defines the periods (the brand's timezone).
    brand_only : bool
        Only the brand's own posts (True) or everyone's.
    """
    where = db.selection_sql("brand" if brand_only else "all")
    scored = f"SELECT *, {db.period_sql(freq, tz)} AS period FROM ({db.scored_sql('posts', where)})"
    sql = db.kpis_sql(scored, ["platform", "period"])
    return kpi_table(db.query_frame(sql, {"posts": posts}), keys=["platform", "period"])


TOP_POST_COLUMNS = [
    "platform",
    "post_id",
    "post_type",
    "created_at",
    "author",
    "likes",
    "shares",
    "replies",
    "quotes",
    "views",
    "author_followers",
    "interactions",
    *RATE_COLUMNS,
]


def top_posts(
    posts: pd.DataFrame,
    n: int = 10,
    by: str = "interactions",
    brand_only: bool = True,
    include_text: bool = False,
) -> pd.DataFrame:
    """The `n` posts with the highest `by` (ties: earlier post first; NaN last); no shares.

    Parameters
    ----------
    posts : DataFrame
        Canonical posts frame.
    n : int
        How many posts.
    by : str
        `interactions` or one of the `post_engagement` rate columns.
    brand_only : bool
        Only the brand's own posts (True) or everyone's.
    include_text : bool
        Add the post text. Off by default: with `brand_only=False` it would quote customers.
    """
    columns = TOP_POST_COLUMNS + (["text"] if include_text else [])
    if by not in columns:
        raise ValueError(f"cannot rank by {by!r}; use interactions or one of {RATE_COLUMNS}")
    scored = post_engagement(select_posts(posts, "brand" if brand_only else "all"))
    ranked = scored.sort_values([by, "created_at"], ascending=[False, True], na_position="last")
    return ranked[columns].head(n).reset_index(drop=True)


def best_time_to_post(
    posts: pd.DataFrame,
    tz: str,
    min_posts: int = 3,
    rate: str = "engagement_rate_followers",
    platform: str | None = None,
) -> pd.DataFrame:
    """Median engagement rate of the brand's original posts per local weekday x hour.

    Local time is wall-clock time in `tz`, converted per post with the tz database (ICU), so
    a post at 09:00 is hour 9 on both sides of a DST change. Original posts are `post` and
    `quote` rows by brand accounts (no replies: those answer customers, they are not
    scheduled). Returns all 7 x 24 cells with their counts; `median_rate` is NaN and
    `masked` True where fewer than `min_posts` posts have a rate (too few to trust).

    Parameters
    ----------
    posts : DataFrame
        Canonical posts frame.
    tz : str
        IANA timezone of the brand, e.g. "America/Chicago".
    min_posts : int
        Minimum support: cells with fewer rated posts are masked.
    rate : str
        Which `post_engagement` rate to summarise.
    platform : str, optional
        Restrict to one platform (rates differ a lot between platforms).

    Returns
    -------
    DataFrame with weekday (0 = Monday), weekday_name, hour, n_posts, n_authors,
    n_rated (posts with a rate), median_rate, masked.
    """
    where = db.selection_sql("brand", originals=True)
    if platform is not None:
        where += f" AND platform = {db.literal(platform)}"
    sql = db.best_time_sql(db.scored_sql("posts", where), tz, rate)
    return db.best_time_grid(db.query_frame(sql, {"posts": posts}), min_posts)


def best_time_findings(best: pd.DataFrame, n: int = 3) -> dict:
    """The `n` best unmasked weekday x hour slots of `best_time_to_post`, for the brief.

    Returns best_slots ("Fri 12:00", best first), best_slots_support (per slot: rated
    posts and distinct brand accounts behind it) and best_time_rated_posts (all rated
    brand posts): the brief uses the support to say when a slot rests on too few posts.
    """
    top = (
        best.dropna(subset=["median_rate"])
        .sort_values(
            ["median_rate", "weekday", "hour"], ascending=[False, True, True], kind="stable"
        )
        .head(n)
    )
    slots = [f"{r.weekday_name} {int(r.hour):02d}:00" for r in top.itertuples()]
    return {
        "best_slots": slots,
        "best_slots_support": [
            {"slot": s, "n_posts": int(r.n_rated), "n_authors": int(r.n_authors)}
            for s, r in zip(slots, top.itertuples(), strict=True)
        ],
        "best_time_rated_posts": int(best["n_rated"].sum()) if len(best) else 0,
    }


# ------------------------------------------------------------------ share of voice
def mentions_any(posts: pd.DataFrame, terms: Iterable[str]) -> pd.Series:
    """Boolean per post: a term is in `mentions` (case-insensitive) or in the text as a word.

    Parameters
    ----------
    posts : DataFrame
        Canonical posts frame.
    terms : iterable of str
        Handles (with or without '@') and names, e.g. ["@NimbusHome", "Nimbus Home"].
    """
    numbered = posts.assign(_row=np.arange(len(posts), dtype="int64"))
    sql = f"SELECT {db.mentions_sql(terms)} AS hit FROM posts ORDER BY _row"
    hits = db.query_frame(sql, {"posts": numbered}, extra=["_row"])["hit"]
    return pd.Series(hits.to_numpy(dtype=bool), index=posts.index, dtype=bool)


def share_of_voice(
    posts: pd.DataFrame,
    brand_terms: Iterable[str],
    competitors: Mapping[str, Iterable[str]] | Iterable[str],
    brand_name: str = "brand",
) -> pd.DataFrame:
    """Customer posts mentioning the brand vs each competitor, per platform and overall.

    ``share_of_voice = n_posts(entity) / sum over entities of n_posts`` within the platform
    (the classic mentions-based share of voice), so shares add up to 1 per platform; a post
    naming two entities counts for both. Only customer posts (not brand accounts, not
    shares) are counted. The overall rows have platform "all".

    Parameters
    ----------
    posts : DataFrame
        Canonical posts frame.
    brand_terms : iterable of str
        The brand's handles and names.
    competitors : mapping or iterable of str
        Competitor name -> its handles and names; a plain list means each name is its own term.
    brand_name : str
        Label of the brand's rows.

    Returns
    -------
    DataFrame with platform, entity, n_posts, n_authors, share_of_voice.
    """
    if not isinstance(competitors, Mapping):
        competitors = {name: [name] for name in competitors}
    entities = {brand_name: list(brand_terms), **{k: list(v) for k, v in competitors.items()}}
    counts = db.query_frame(db.share_of_voice_sql("posts", entities), {"posts": posts})
    return db.share_of_voice_table(counts, list(entities))


# ------------------------------------------------------------------ hashtags
def hashtag_performance(
    posts: pd.DataFrame, min_posts: int = 5, authors: Authors = "all"
) -> pd.DataFrame:
    """Posts, authors and engagement per hashtag, for hashtags used in >= `min_posts` posts.

    Each post counts once per distinct hashtag; shares are excluded.
    ``total_interactions`` sums, ``median_interactions`` and ``median_engagement_rate_followers``
    are medians over the posts using the hashtag (rates as in `post_engagement`).

    Parameters
    ----------
    posts : DataFrame
        Canonical posts frame.
    min_posts : int
        Drop hashtags used in fewer posts.
    authors : {"all", "brand", "customers"}
        Whose posts to count.
    """
    scored = db.scored_sql("posts", db.selection_sql(authors))
    out = db.query_frame(db.hashtags_sql(scored, min_posts), {"posts": posts})
    ints = ["n_posts", "n_authors", "n_brand_posts", "total_interactions"]
    out[ints] = out[ints].astype("int64")
    floats = ["median_interactions", "median_engagement_rate_followers"]
    out[floats] = out[floats].astype("float64")
    return out.reset_index(drop=True)
