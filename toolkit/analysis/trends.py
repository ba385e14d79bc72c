"""Trends: daily volume and tone of customer posts, spike detection, and what a spike is about.

Spikes are found with a robust z-score against a trailing window (median and MAD, after
Iglewicz & Hoaglin's modified z-score), which a single extreme day cannot drag along.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from toolkit.analysis import sql as db
from toolkit.analysis.posts import Authors, list_values, local_dates, select_posts
from toolkit.analysis.tone.posts import LABEL_COLUMN, SCORE_COLUMN, sentiment_mix

#: Scale factors that make MAD and mean absolute deviation estimate a normal's sigma.
MAD_TO_SIGMA = 1.4826
MEANAD_TO_SIGMA = 1.253314
DAILY_COLUMNS = ["date", "n_posts", "n_authors", "mean_sentiment", "share_negative"]
TOPIC_COLUMNS = [
    "topic",
    "n_posts",
    "n_authors",
    "share",
    "baseline_share",
    "lift",
    "mean_compound",
    "share_negative",
]


def daily_series(
    posts: pd.DataFrame,
    tz: str = "UTC",
    sentiment_col: str | None = SCORE_COLUMN,
    authors: Authors = "customers",
    start: dt.date | None = None,
    end: dt.date | None = None,
) -> pd.DataFrame:
    """Daily volume and tone of posts, one row per local day, days without posts included.

    ``n_posts`` = posts that day (the volume), ``n_authors`` = distinct authors,
    ``mean_sentiment`` = mean of `sentiment_col` (NaN on days without posts),
    ``share_negative`` = share of posts labelled negative (when a `sentiment` column exists).

    Parameters
    ----------
    posts : DataFrame
        Canonical posts frame, scored with `sentiment.score_posts` unless `sentiment_col` is None.
    tz : str
        IANA timezone whose calendar days are used (the brand's timezone).
    sentiment_col : str or None
        Numeric tone column to average; None to skip tone.
    authors : {"all", "brand", "customers"}
        Whose posts to count (shares are always excluded).
    start, end : date, optional
        First and last day of the series; default: the first and last day with posts.
    """
    if sentiment_col is not None and sentiment_col not in posts.columns:
        raise ValueError(
            f"posts have no {sentiment_col!r} column: run sentiment.score_posts first "
            "or pass sentiment_col=None"
        )
    label = LABEL_COLUMN if LABEL_COLUMN in posts.columns else None
    extra = [c for c in (sentiment_col, label) if c]
    sql = db.daily_sql("posts", tz, authors, sentiment_col, label)
    counts = db.query_frame(sql, {"posts": posts}, extra=extra)
    return fill_days(counts, start, end)


def fill_days(
    daily: pd.DataFrame, start: dt.date | None = None, end: dt.date | None = None
) -> pd.DataFrame:
    """Rows of `toolkit.analysis.sql.daily_sql` with every day from `start` (default: the first day with
    posts) to `end` (default: the last) present; days without posts get 0 posts, NaN tone."""
    daily = daily.assign(date=pd.to_datetime(daily["date"]).astype("datetime64[ns]"))
    first = pd.Timestamp(start) if start is not None else daily["date"].min()
    last = pd.Timestamp(end) if end is not None else daily["date"].max()
    if pd.isna(first) or pd.isna(last):
        days = pd.DatetimeIndex([], dtype="datetime64[ns]", name="date")
    else:
        days = pd.date_range(first, last, freq="D", name="date")
    out = daily.set_index("date").reindex(days)
    out[["n_posts", "n_authors"]] = out[["n_posts", "n_authors"]].fillna(0).astype("int64")
    tone = ["mean_sentiment", "share_negative"]
    out[tone] = out[tone].astype("float64")
    return out.reset_index()[DAILY_COLUMNS]


def _mad(window: np.ndarray) -> float:
    return float(np.nanmedian(np.abs(window - np.nanmedian(window))))


def _mean_ad(window: np.ndarray) -> float:
    return float(np.nanmean(np.abs(window - np.nanmedian(window))))


def robust_zscores(
    values: pd.Series,
    window: int = 28,
    min_periods: int = 14,
    min_scale: float = 0.0,
    poisson_floor: bool = False,
) -> pd.DataFrame:
    """Robust z-score of each value against the `window` values before it.

    ``z = (x - median) / scale`` with ``scale = 1.4826 * MAD`` of the trailing window
    (Iglewicz & Hoaglin 1993, "How to Detect and Handle Outliers"; 1.4826 makes MAD estimate
    sigma for normal data). When MAD is 0 (more than half the window identical) the scale
    falls back to ``1.253314 * mean absolute deviation`` (as IBM SPSS's modified z-score
    does); `min_scale` is a floor on the scale, and with `poisson_floor` so is
    ``sqrt(max(median, 1))``, the standard deviation of a Poisson count with that mean: a
    28-day MAD of daily counts often underestimates their noise, which would flag ordinary
    busy days. The window excludes the day itself, so a
    spike does not raise its own baseline. The first days, with fewer than `min_periods`
    non-missing values before them, get NaN (no baseline yet). A zero scale gives z = 0
    when x equals the median and +-inf otherwise.

    Parameters
    ----------
    values : Series
        The series, in time order, one value per period (gaps as NaN).
    window : int
        Trailing window length.
    min_periods : int
        Fewest non-missing values in the window for a score.
    min_scale : float
        Lower bound on the scale.
    poisson_floor : bool
        Also bound the scale below by the Poisson standard deviation (for daily counts).
    """
    values = pd.Series(values, dtype="float64").reset_index(drop=True)
    prior = values.shift(1).rolling(window, min_periods=min_periods)
    median = prior.median()
    scale = MAD_TO_SIGMA * prior.apply(_mad, raw=True)
    scale = scale.where(scale > 0, MEANAD_TO_SIGMA * prior.apply(_mean_ad, raw=True))
    floor = np.sqrt(np.maximum(median, 1.0)) if poisson_floor else 0.0
    scale = np.maximum(np.maximum(scale, min_scale), floor).where(scale.notna())
    diff = values - median
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(scale > 0, diff / scale.where(scale > 0, 1.0), np.sign(diff) * np.inf)
    z = pd.Series(z, dtype="float64").where(median.notna() & values.notna())
    z = z.where(~((scale == 0) & (diff == 0)), 0.0)
    return pd.DataFrame({"baseline_median": median, "baseline_scale": scale, "z": z})


def detect_spikes(
    daily: pd.DataFrame,
    column: str = "n_posts",
    threshold: float = 3.5,
    window: int = 28,
    min_periods: int = 14,
    direction: Literal["up", "down", "both"] = "up",
    min_scale: float = 0.0,
    counts: bool | None = None,
) -> pd.DataFrame:
    """Days whose `column` is a robust outlier against the trailing window (see `robust_zscores`).

    Flagged when ``z >= threshold`` ("up": volume bursts), ``z <= -threshold`` ("down": e.g.
    a drop in mean sentiment) or ``|z| >= threshold`` ("both"). 3.5 is Iglewicz & Hoaglin's
    recommended cut-off. The MAD of a few weeks of values is itself noisy, so on a
    non-count series (mean sentiment) expect the odd ordinary day to be flagged too; rank
    flags by z, or set `min_scale` to the smallest change that matters.

    Parameters
    ----------
    daily : DataFrame
        One row per day in time order with `date` and `column` (e.g. from `daily_series`).
    column : str
        The series to test: "n_posts" (volume), "mean_sentiment", "share_negative", ...
    threshold : float
        z cut-off.
    window, min_periods, min_scale
        Passed to `robust_zscores`.
    direction : {"up", "down", "both"}
        Which side counts as a spike.
    counts : bool, optional
        The column holds counts: use the Poisson floor of `robust_zscores`. Default: True
        when all its values are non-negative integers (e.g. "n_posts").

    Returns
    -------
    DataFrame of flagged days: date, column, baseline_median, baseline_scale, z (plus
    n_posts / n_authors when `daily` has them).
    """
    if direction not in ("up", "down", "both"):
        raise ValueError(f"direction must be 'up', 'down' or 'both', not {direction!r}")
    daily = daily.reset_index(drop=True)
    if counts is None:
        counts = _looks_like_counts(daily[column])
    scores = robust_zscores(daily[column], window, min_periods, min_scale, poisson_floor=counts)
    z = scores["z"]
    flags = {"up": z >= threshold, "down": z <= -threshold, "both": z.abs() >= threshold}[direction]
    extra = [c for c in ("n_posts", "n_authors") if c in daily.columns and c != column]
    out = pd.concat([daily[["date", column, *extra]], scores], axis=1)
    return out[flags.fillna(False).to_numpy()].reset_index(drop=True)


def _looks_like_counts(values: pd.Series) -> bool:
    numbers = pd.to_numeric(values, errors="coerce").dropna().to_numpy(dtype="float64")
    return bool(len(numbers)) and bool(((numbers >= 0) & (numbers == np.round(numbers))).all())


@dataclass(frozen=True)
class SpikeContext:
    """What the posts of one day are about and how they sound, vs the days before."""

    day: pd.Timestamp
    n_posts: int
    n_authors: int
    #: Rows "day" and "baseline": n_posts, n_authors, share_negative/neutral/positive, mean_compound.
    tone: pd.DataFrame
    #: Top topics (or hashtags) of the day: n_posts, n_authors, share, baseline_share, lift, tone.
    topics: pd.DataFrame
    #: Which column the topics come from: the topic column's name or "hashtags".
    topic_source: str


def _topic_rows(frame: pd.DataFrame, topic_col: str | None) -> pd.DataFrame:
    """One row per (post, topic): the topic column's value, or each distinct hashtag."""
    if topic_col is not None:
        return frame.assign(topic=frame[topic_col]).dropna(subset=["topic"])
    tags = frame["hashtags"].map(lambda cell: sorted(set(list_values(cell))))
    return frame.assign(topic=tags).explode("topic").dropna(subset=["topic"])


def _tone_table(frame: pd.DataFrame) -> pd.DataFrame:
    if LABEL_COLUMN not in frame.columns:
        return pd.DataFrame(columns=["window", "n_posts", "n_authors"])
    return sentiment_mix(frame, by=["window"], authors="all")


def spike_context(
    posts: pd.DataFrame,
    day: dt.date | str | pd.Timestamp,
    tz: str = "UTC",
    topic_col: str | None = None,
    baseline_days: int = 28,
    n: int = 5,
    authors: Authors = "customers",
) -> SpikeContext:
    """Dominant topics and tone of the posts on one local `day`, against the days before.

    ``share = topic posts / day posts``; ``baseline_share`` is the same over the
    `baseline_days` days before; ``lift = share / baseline_share`` (NaN when the topic was
    absent): a high lift says what is new that day. Tone needs `score_posts` columns.

    Parameters
    ----------
    posts : DataFrame
        Canonical posts frame, ideally scored with `sentiment.score_posts`.
    day : date, str or Timestamp
        The local calendar day (e.g. a `date` from `detect_spikes`).
    tz : str
        IANA timezone of the days (the one used for `daily_series`).
    topic_col : str, optional
        Column with one topic per post (e.g. from the topic model); default: hashtags.
    baseline_days : int
        Days before `day` to compare with.
    n : int
        How many topics to return (by posts on the day).
    authors : {"all", "brand", "customers"}
        Whose posts to look at (shares excluded).
    """
    day = pd.Timestamp(day)
    if day.tzinfo is not None:
        day = day.tz_convert(tz).tz_localize(None)
    day = day.normalize()
    frame = select_posts(posts, authors)
    dates = local_dates(frame["created_at"], tz)
    on_day = dates == day
    before = (dates < day) & (dates >= day - pd.Timedelta(days=baseline_days))
    frame = frame.assign(window=np.where(on_day, "day", np.where(before, "baseline", None)))
    frame = frame[frame["window"].notna()]
    today = frame[frame["window"] == "day"]
    return SpikeContext(
        day=day,
        n_posts=len(today),
        n_authors=int(today["author"].nunique()),
        tone=_tone_table(frame),
        topics=_topics_table(frame, topic_col, n),
        topic_source=topic_col or "hashtags",
    )


def _topics_table(frame: pd.DataFrame, topic_col: str | None, n: int) -> pd.DataFrame:
    rows = _topic_rows(frame, topic_col)
    totals = frame.groupby("window").size()
    today = rows[rows["window"] == "day"]
    if today.empty:
        dtypes = {"topic": "object", "n_posts": "int64", "n_authors": "int64"}
        return pd.DataFrame({c: pd.Series(dtype=dtypes.get(c, "float64")) for c in TOPIC_COLUMNS})
    tone = today[SCORE_COLUMN].astype("float64") if SCORE_COLUMN in today.columns else np.nan
    negative = (
        (today[LABEL_COLUMN] == "negative").astype("float64")
        if LABEL_COLUMN in today.columns
        else np.nan
    )
    out = (
        today.assign(_tone=tone, _neg=negative)
        .groupby("topic")
        .agg(
            n_posts=("author", "size"),
            n_authors=("author", "nunique"),
            mean_compound=("_tone", "mean"),
            share_negative=("_neg", "mean"),
        )
    )
    out["share"] = out["n_posts"] / totals.get("day", 0)
    base_counts = rows[rows["window"] == "baseline"].groupby("topic").size()
    base_total = totals.get("baseline", 0)
    out["baseline_share"] = (
        (base_counts.reindex(out.index).fillna(0) / base_total) if base_total else np.nan
    )
    out["lift"] = out["share"] / out["baseline_share"].where(out["baseline_share"] > 0)
    out = out.reset_index().sort_values(
        ["n_posts", "topic"], ascending=[False, True], kind="stable"
    )
    out[["n_posts", "n_authors"]] = out[["n_posts", "n_authors"]].astype("int64")
    return out[TOPIC_COLUMNS].head(n).reset_index(drop=True)


def spike_findings(
    spikes: pd.DataFrame,
    daily: pd.DataFrame | None = None,
    drivers: dict | None = None,
    min_days: int = 14,
) -> dict:
    """Headline numbers of `detect_spikes` output (with `share_negative`) for the brief.

    Returns spike_days (ISO dates), and for the highest-z day spike_top_day, spike_top_posts
    and spike_top_share_negative (None when there is no spike). With `daily` (the series the
    spikes were found in) also the evidence behind "no spike": spike_days_observed,
    spike_min_days (the detector's `min_periods`), and the busiest day against the median
    day (daily_busiest_day, daily_busiest_posts, daily_median_posts). With `drivers`
    (`spike_drivers` of the top day) also spike_drivers.
    """
    out: dict = {
        "spike_days": [],
        "spike_top_day": None,
        "spike_top_posts": None,
        "spike_top_share_negative": None,
    }
    if not spikes.empty:
        top = spikes.sort_values(["z", "date"], ascending=[False, True]).iloc[0]
        out = {
            "spike_days": [str(d.date()) for d in spikes["date"]],
            "spike_top_day": str(top["date"].date()),
            "spike_top_posts": int(top["n_posts"]),
            "spike_top_share_negative": float(top["share_negative"]),
        }
    if daily is not None:
        counts = pd.to_numeric(daily["n_posts"], errors="coerce").fillna(0)
        busiest = int(counts.to_numpy().argmax()) if len(counts) else None
        out |= {
            "spike_days_observed": int(len(daily)),
            "spike_min_days": int(min_days),
            "daily_busiest_day": None
            if busiest is None
            else str(daily["date"].iloc[busiest].date()),
            "daily_busiest_posts": None if busiest is None else int(counts.iloc[busiest]),
            "daily_median_posts": float(counts.median()) if len(counts) else None,
        }
    if drivers is not None:
        out["spike_drivers"] = drivers
    return out


def spike_drivers(
    posts: pd.DataFrame,
    day: dt.date | str | pd.Timestamp,
    *,
    tz: str = "UTC",
    topic_col: str | None = None,
    campaign_terms: dict[str, pd.Series] | None = None,
    k: int = 10,
    baseline_days: int = 28,
) -> dict:
    """What drove one spike day, as JSON-able numbers for the brief's rules.

    - ``share_negative`` / ``share_positive`` of the day's customer posts, and the same over
      the `baseline_days` before (``baseline_share_negative`` / ``baseline_share_positive``);
    - ``topics``: the day's largest topics (`spike_context`) written by at least `k` distinct
      authors, with their share of the day and lift over the baseline;
    - ``top_platform`` and ``top_platform_share`` of the day's customer posts;
    - ``brand_replies`` (brand replies posted that day) and ``brand_reply_ratio`` (per
      customer post that day);
    - ``campaign`` and ``campaign_share``: the campaign whose hashtags or codes the largest
      share of the day's customer posts used (None when none did).

    Parameters
    ----------
    posts : DataFrame
        Canonical posts scored with `sentiment.score_posts`.
    day : the spike's local day.
    tz : IANA timezone of the days.
    topic_col : column with one topic per post, or None for hashtags.
    campaign_terms : campaign name -> per-post list of campaign terms used
        (`campaigns.campaign_terms_used`), aligned with `posts`.
    k : smallest number of distinct authors behind a published topic.
    baseline_days : days before `day` to compare with.
    """
    context = spike_context(posts, day, tz, topic_col, baseline_days, n=5)
    tone = context.tone.set_index("window") if "window" in context.tone.columns else None

    def share(window: str, label: str) -> float | None:
        if tone is None or window not in tone.index or f"share_{label}" not in tone.columns:
            return None
        value = tone.loc[window, f"share_{label}"]
        return None if pd.isna(value) else float(value)

    topics = context.topics[context.topics["n_authors"] >= k]
    on_day = local_dates(posts["created_at"], tz) == context.day
    customers = on_day & ~posts["is_brand"].fillna(False).astype(bool)
    customers &= posts["post_type"] != "share"
    day_posts = posts[customers]
    platforms = day_posts["platform"].value_counts()
    brand_replies = int(
        (
            on_day & posts["is_brand"].fillna(False).astype(bool) & (posts["post_type"] == "reply")
        ).sum()
    )
    campaign, campaign_share = None, 0.0
    for name, used in (campaign_terms or {}).items():
        used_today = used[customers].map(len).gt(0)
        value = float(used_today.mean()) if len(used_today) else 0.0
        if value > campaign_share:
            campaign, campaign_share = name, value
    n_day = len(day_posts)
    return {
        "day": str(context.day.date()),
        "n_posts": n_day,
        "share_negative": share("day", "negative"),
        "baseline_share_negative": share("baseline", "negative"),
        "share_positive": share("day", "positive"),
        "baseline_share_positive": share("baseline", "positive"),
        "topics": [
            {
                "label": str(r.topic),
                "share": float(r.share),
                "lift": None if pd.isna(r.lift) else float(r.lift),
            }
            for r in topics.itertuples()
        ],
        "topic_source": context.topic_source,
        "top_platform": str(platforms.index[0]) if len(platforms) else None,
        "top_platform_share": float(platforms.iloc[0] / n_day) if n_day else None,
        "brand_replies": brand_replies,
        "brand_reply_ratio": brand_replies / n_day if n_day else None,
        "campaign": campaign,
        "campaign_share": campaign_share if campaign else None,
    }
