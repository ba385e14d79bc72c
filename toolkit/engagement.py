"""Engagement KPIs: per-post rates, KPIs by platform and over time, best time to post,
share of voice and hashtag performance.

Every function takes the canonical posts frame (`toolkit.schema`) and returns a new frame.
Published aggregates carry `n_posts` and `n_authors` (distinct authors) so that a privacy
step can suppress cells with too few distinct authors.

A few helpers here (`select_posts`, `local_times`, `brand_handles_of`, `count_posts_authors`)
are shared by the other analysis modules.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Literal

import numpy as np
import pandas as pd

#: Interaction counts summed into `interactions` (nulls count as 0).
INTERACTION_COLUMNS = ["likes", "shares", "replies", "quotes"]
#: Per-post metric columns added by `post_engagement`.
RATE_COLUMNS = [
    "engagement_rate_followers",
    "engagement_rate_views",
    "conversation_rate",
    "amplification_rate",
    "applause_rate",
    "virality",
]
#: Post types that are the author's own content (not replies, not shares of others' posts).
ORIGINAL_TYPES = frozenset({"post", "quote"})
WEEKDAY_NAMES = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]

Authors = Literal["all", "brand", "customers"]


# ------------------------------------------------------------------ shared helpers
def select_posts(
    posts: pd.DataFrame, authors: Authors = "all", include_shares: bool = False
) -> pd.DataFrame:
    """Rows of `posts` written by the chosen authors, by default without shares.

    Parameters
    ----------
    posts : DataFrame
        Canonical posts frame.
    authors : {"all", "brand", "customers"}
        Whose posts to keep (by `is_brand`).
    include_shares : bool
        Keep retweets/boosts. Off by default: a share's counts and text belong to the
        original post, so counting them would double count.
    """
    if authors not in ("all", "brand", "customers"):
        raise ValueError(f"authors must be 'all', 'brand' or 'customers', not {authors!r}")
    keep = pd.Series(True, index=posts.index)
    is_brand = posts["is_brand"].fillna(False).astype(bool)
    if authors == "brand":
        keep &= is_brand
    elif authors == "customers":
        keep &= ~is_brand
    if not include_shares:
        keep &= posts["post_type"] != "share"
    return posts[keep]


def local_times(created_at: pd.Series, tz: str = "UTC") -> pd.Series:
    """UTC timestamps converted to wall-clock time in `tz` (DST-correct, via the tz database)."""
    return pd.to_datetime(created_at, utc=True).dt.tz_convert(tz)


def local_dates(created_at: pd.Series, tz: str = "UTC") -> pd.Series:
    """Local calendar day (naive midnight timestamps) of UTC timestamps in `tz`."""
    return local_times(created_at, tz).dt.tz_localize(None).dt.normalize().astype("datetime64[ns]")


def brand_handles_of(posts: pd.DataFrame, brand_handles: Iterable[str] | None = None) -> set[str]:
    """Lower-cased brand handles: the ones given, else the authors of brand posts in `posts`."""
    if brand_handles is None:
        brand_handles = posts.loc[posts["is_brand"].fillna(False).astype(bool), "author"]
    return {str(h).lower().lstrip("@") for h in brand_handles}


def count_posts_authors(frame: pd.DataFrame, by: Sequence[str]) -> pd.DataFrame:
    """`n_posts` (rows) and `n_authors` (distinct `author`) per group of `by`, as columns."""
    by = list(by)
    if not by:
        return pd.DataFrame(
            {"n_posts": [len(frame)], "n_authors": [frame["author"].nunique()]}
        ).astype("int64")
    out = frame.groupby(by, dropna=False).agg(
        n_posts=("author", "size"), n_authors=("author", "nunique")
    )
    return out.astype("int64").reset_index()


def _as_float(values: pd.Series) -> np.ndarray:
    """Numbers as float64 with NaN for nulls (works for Int64/Float64/object columns)."""
    return pd.to_numeric(values).astype("Float64").to_numpy(dtype="float64", na_value=np.nan)


def _ratio(numerator: pd.Series, denominator: pd.Series) -> np.ndarray:
    """numerator / denominator, NaN where either is null or the denominator is <= 0."""
    num, den = _as_float(numerator), _as_float(denominator)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(den > 0, num / np.where(den > 0, den, 1.0), np.nan)


def _list_values(cell) -> list[str]:
    """A list-column cell (list, numpy array or null) as a list of lower-cased strings."""
    if cell is None or (not isinstance(cell, list | tuple | np.ndarray) and pd.isna(cell)):
        return []
    return [str(v).lower().lstrip("@#") for v in cell]


# ------------------------------------------------------------------ per post
def post_engagement(posts: pd.DataFrame) -> pd.DataFrame:
    """Per-post interactions and engagement rates, added as columns to a copy of `posts`.

    Formulas (per post):

    - ``interactions = likes + shares + replies + quotes``, nulls counted as 0.
    - ``engagement_rate_followers = interactions / author_followers``: the usual
      "engagement rate by followers" of social benchmark reports (e.g. Rival IQ).
    - ``engagement_rate_views = interactions / views``: Twitter Analytics' engagement rate
      (engagements / impressions); ours counts public interactions only, not clicks.
    - ``conversation_rate = replies / author_followers``, ``amplification_rate =
      shares / author_followers``, ``applause_rate = likes / author_followers``:
      Avinash Kaushik, "Best Social Media Metrics: Conversation, Amplification, Applause,
      Economic Value" (Occam's Razor, 2011), normalised per follower so that accounts of
      different sizes compare.
    - ``virality = shares / views``: after Facebook Page Insights' virality (people who
      shared / people reached, 2011); views stand in for reach.

    A rate is NaN when its denominator is null or 0, and a component rate is NaN when its
    numerator is null (the platform does not report it, e.g. shares on Reddit).

    Parameters
    ----------
    posts : DataFrame
        Canonical posts frame.
    """
    out = posts.copy()
    counts = posts[INTERACTION_COLUMNS].apply(pd.to_numeric).fillna(0).astype("int64")
    out["interactions"] = counts.sum(axis=1).astype("int64")
    followers, views = posts["author_followers"], posts["views"]
    out["engagement_rate_followers"] = _ratio(out["interactions"], followers)
    out["engagement_rate_views"] = _ratio(out["interactions"], views)
    out["conversation_rate"] = _ratio(posts["replies"], followers)
    out["amplification_rate"] = _ratio(posts["shares"], followers)
    out["applause_rate"] = _ratio(posts["likes"], followers)
    out["virality"] = _ratio(posts["shares"], views)
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


def _kpis(frame: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """KPI_COLUMNS per group of `by` for a frame that already has `post_engagement` columns."""
    if frame.empty:
        return pd.DataFrame({c: pd.Series(dtype="object") for c in by} | _empty_kpis())
    frame = frame.assign(
        _has_views=frame["views"].notna() & (_as_float(frame["views"]) > 0),
        _has_followers=frame["author_followers"].notna()
        & (_as_float(frame["author_followers"]) > 0),
    )
    grouped = frame.groupby(by, dropna=False)
    out = grouped.agg(
        n_posts=("author", "size"),
        n_authors=("author", "nunique"),
        total_interactions=("interactions", "sum"),
        mean_interactions=("interactions", "mean"),
        median_engagement_rate_followers=("engagement_rate_followers", "median"),
        mean_engagement_rate_followers=("engagement_rate_followers", "mean"),
        median_engagement_rate_views=("engagement_rate_views", "median"),
        mean_engagement_rate_views=("engagement_rate_views", "mean"),
        median_conversation_rate=("conversation_rate", "median"),
        median_amplification_rate=("amplification_rate", "median"),
        median_applause_rate=("applause_rate", "median"),
        median_virality=("virality", "median"),
        share_with_views=("_has_views", "mean"),
        share_with_followers=("_has_followers", "mean"),
    )
    return out.reset_index()


def _empty_kpis() -> dict[str, pd.Series]:
    ints = {"n_posts", "n_authors", "total_interactions"}
    return {c: pd.Series(dtype="int64" if c in ints else "float64") for c in KPI_COLUMNS}


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
    selected = select_posts(posts, "brand" if brand_only else "all")
    out = _kpis(post_engagement(selected), ["platform"])
    if platforms is not None:
        wanted = list(dict.fromkeys([*platforms, *out["platform"]]))
        out = out.set_index("platform").reindex(wanted).rename_axis("platform").reset_index()
        out[["n_posts", "n_authors", "total_interactions"]] = (
            out[["n_posts", "n_authors", "total_interactions"]].fillna(0).astype("int64")
        )
    return out.sort_values("platform", kind="stable").reset_index(drop=True)


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
    selected = post_engagement(select_posts(posts, "brand" if brand_only else "all"))
    local = local_times(selected["created_at"], tz).dt.tz_localize(None)
    selected = selected.assign(period=local.dt.to_period(freq).dt.start_time)
    out = _kpis(selected, ["platform", "period"])
    if out.empty:
        out["period"] = pd.Series(dtype="datetime64[ns]")
    return out.sort_values(["platform", "period"], kind="stable").reset_index(drop=True)


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

    Local time is wall-clock time in `tz`, converted per post with the tz database, so a
    post at 09:00 is hour 9 on both sides of a DST change. Original posts are `post` and
    `quote` rows by brand accounts (no replies: those answer customers, they are not
    scheduled). Returns all 7 x 24 cells; `median_rate` is NaN where fewer than
    `min_posts` posts have a rate (too few to trust).

    Parameters
    ----------
    posts : DataFrame
        Canonical posts frame.
    tz : str
        IANA timezone of the brand, e.g. "America/Chicago".
    min_posts : int
        Cells with fewer rated posts are masked.
    rate : str
        Which `post_engagement` rate to summarise.
    platform : str, optional
        Restrict to one platform (rates differ a lot between platforms).

    Returns
    -------
    DataFrame with weekday (0 = Monday), weekday_name, hour, n_posts, n_authors,
    n_rated (posts with a rate), median_rate.
    """
    brand = select_posts(posts, "brand")
    brand = brand[brand["post_type"].isin(ORIGINAL_TYPES)]
    if platform is not None:
        brand = brand[brand["platform"] == platform]
    scored = post_engagement(brand)
    local = local_times(scored["created_at"], tz)
    scored = scored.assign(weekday=local.dt.weekday, hour=local.dt.hour, _rate=scored[rate])
    grid = pd.MultiIndex.from_product([range(7), range(24)], names=["weekday", "hour"])
    cells = scored.groupby(["weekday", "hour"]).agg(
        n_posts=("author", "size"),
        n_authors=("author", "nunique"),
        n_rated=("_rate", "count"),
        median_rate=("_rate", "median"),
    )
    out = cells.reindex(grid)
    counts = ["n_posts", "n_authors", "n_rated"]
    out[counts] = out[counts].fillna(0).astype("int64")
    out["median_rate"] = out["median_rate"].astype("float64").where(out["n_rated"] >= min_posts)
    out = out.reset_index()
    out.insert(1, "weekday_name", out["weekday"].map(dict(enumerate(WEEKDAY_NAMES))))
    return out


# ------------------------------------------------------------------ share of voice
def _term_pattern(terms: Iterable[str]) -> re.Pattern | None:
    """One case-insensitive regex matching any term as a whole word ('@' and '#' allowed)."""
    parts = []
    for term in terms:
        term = str(term).strip().lstrip("@#")
        if term:
            parts.append(r"\s+".join(re.escape(w) for w in term.split()))
    if not parts:
        return None
    return re.compile(r"(?<!\w)(?:" + "|".join(parts) + r")(?!\w)", re.IGNORECASE)


def mentions_any(posts: pd.DataFrame, terms: Iterable[str]) -> pd.Series:
    """Boolean per post: a term is in `mentions` (case-insensitive) or in the text as a word.

    Parameters
    ----------
    posts : DataFrame
        Canonical posts frame.
    terms : iterable of str
        Handles (with or without '@') and names, e.g. ["@NimbusHome", "Nimbus Home"].
    """
    terms = [str(t) for t in terms]
    handles = {t.strip().lower().lstrip("@") for t in terms}
    by_handle = posts["mentions"].map(lambda cell: bool(handles & set(_list_values(cell))))
    pattern = _term_pattern(terms)
    by_text = (
        posts["text"].fillna("").str.contains(pattern, regex=True) if pattern is not None else False
    )
    return (by_handle.astype(bool) | by_text).astype(bool)


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
    customers = select_posts(posts, "customers")
    columns = ["platform", "entity", "n_posts", "n_authors", "share_of_voice"]
    frames = [
        customers.loc[mentions_any(customers, terms), ["platform", "author"]].assign(entity=name)
        for name, terms in entities.items()
    ]
    hits = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    if hits.empty:
        return _empty_frame(
            columns, {"n_posts": "int64", "n_authors": "int64", "share_of_voice": "float64"}
        )
    per_platform = count_posts_authors(hits, ["platform", "entity"])
    overall = count_posts_authors(hits, ["entity"]).assign(platform="all")
    out = pd.concat([per_platform, overall], ignore_index=True)
    totals = out.groupby("platform")["n_posts"].transform("sum")
    out["share_of_voice"] = out["n_posts"] / totals
    order = {name: i for i, name in enumerate(entities)}
    out = out.assign(_all=out["platform"] == "all", _order=out["entity"].map(order))
    out = out.sort_values(["_all", "platform", "_order"], kind="stable")
    return out[columns].reset_index(drop=True)


def _empty_frame(columns: list[str], dtypes: Mapping[str, str]) -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=dtypes.get(c, "object")) for c in columns})


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
    columns = [
        "hashtag",
        "n_posts",
        "n_authors",
        "n_brand_posts",
        "total_interactions",
        "median_interactions",
        "median_engagement_rate_followers",
    ]
    scored = post_engagement(select_posts(posts, authors))
    scored = scored.assign(hashtag=scored["hashtags"].map(lambda c: sorted(set(_list_values(c)))))
    exploded = scored.explode("hashtag").dropna(subset=["hashtag"])
    exploded = exploded[exploded["hashtag"] != ""]
    if exploded.empty:
        return _empty_frame(
            columns, {c: "int64" for c in columns[1:5]} | {c: "float64" for c in columns[5:]}
        )
    exploded = exploded.assign(_brand=exploded["is_brand"].fillna(False).astype(bool))
    out = exploded.groupby("hashtag").agg(
        n_posts=("author", "size"),
        n_authors=("author", "nunique"),
        n_brand_posts=("_brand", "sum"),
        total_interactions=("interactions", "sum"),
        median_interactions=("interactions", "median"),
        median_engagement_rate_followers=("engagement_rate_followers", "median"),
    )
    out = out[out["n_posts"] >= min_posts].reset_index()
    out[columns[1:5]] = out[columns[1:5]].astype("int64")
    out["median_interactions"] = out["median_interactions"].astype("float64")
    return out.sort_values(["n_posts", "hashtag"], ascending=[False, True])[columns].reset_index(
        drop=True
    )
