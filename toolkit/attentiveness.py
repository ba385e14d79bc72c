"""Brand attentiveness: which customer posts addressed to the brand got a brand reply, and how fast.

`brand_responses` gives one row per customer post addressed to the brand; `response_summary`
turns those into response rate and first-response times per group; `oldest_unanswered` lists
the posts still waiting (ids and pseudonyms only, no text).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

from toolkit.engagement import (
    WEEKDAY_NAMES,
    _list_values,
    brand_handles_of,
    local_times,
    mentions_any,
    select_posts,
)

RESPONSE_COLUMNS = [
    "platform",
    "post_id",
    "author",
    "created_at",
    "thread_id",
    "addressed_by",
    "responded",
    "response_id",
    "response_at",
    "response_match",
    "response_hours",
    "clock_skew",
    "within_sla",
]


def _addressed_by(
    customers: pd.DataFrame, brand: pd.DataFrame, handles: set[str], names: Iterable[str] = ()
) -> pd.Series:
    """Why each customer post counts as addressed to the brand: "reply", "mention", "name" or None."""
    mentions_brand = customers["mentions"].map(lambda cell: bool(handles & set(_list_values(cell))))
    names = [n for n in names if n]
    names_brand = mentions_any(customers, names) if names else pd.Series(False, index=customers.index)
    reply_author = customers["reply_to_author"].fillna("").str.lower().str.lstrip("@")
    brand_ids = set(zip(brand["platform"], brand["post_id"], strict=True))
    replies_to_brand_post = pd.Series(
        [
            (p, r) in brand_ids
            for p, r in zip(customers["platform"], customers["reply_to_id"], strict=True)
        ],
        index=customers.index,
        dtype=bool,
    )
    is_reply = reply_author.isin(handles) | replies_to_brand_post
    reason = np.where(
        is_reply,
        "reply",
        np.where(mentions_brand.astype(bool), "mention", np.where(names_brand.astype(bool), "name", None)),
    )
    return pd.Series(reason, index=customers.index, dtype="object")


def _direct_replies(addressed: pd.DataFrame, brand: pd.DataFrame) -> pd.DataFrame:
    """Brand posts whose reply_to_id is an addressed post: (platform, post_id, id, at)."""
    replies = brand.dropna(subset=["reply_to_id"])[
        ["platform", "reply_to_id", "post_id", "created_at"]
    ]
    replies = replies.rename(
        columns={"reply_to_id": "post_id", "post_id": "response_id", "created_at": "response_at"}
    )
    return (
        addressed[["platform", "post_id"]]
        .merge(replies, on=["platform", "post_id"])
        .assign(response_match="reply")
    )


def _thread_mentions(addressed: pd.DataFrame, brand: pd.DataFrame) -> pd.DataFrame:
    """Brand posts in the same thread, after the post, that mention its author."""
    brand = brand.dropna(subset=["thread_id"])
    brand = brand.assign(mention=brand["mentions"].map(_list_values)).explode("mention")
    brand = brand.dropna(subset=["mention"])[
        ["platform", "thread_id", "mention", "post_id", "created_at"]
    ]
    brand = brand.rename(columns={"post_id": "response_id", "created_at": "response_at"})
    left = addressed.dropna(subset=["thread_id"])[
        ["platform", "post_id", "thread_id", "author", "created_at"]
    ]
    left = left.assign(mention=left["author"].str.lower())
    pairs = left.merge(brand, on=["platform", "thread_id", "mention"])
    pairs = pairs[pairs["response_at"] >= pairs["created_at"]]
    return pairs[["platform", "post_id", "response_id", "response_at"]].assign(
        response_match="thread_mention"
    )


def brand_responses(
    posts: pd.DataFrame,
    sla_hours: float = 24.0,
    brand_handles: Iterable[str] | None = None,
    brand_names: Iterable[str] = (),
) -> pd.DataFrame:
    """One row per customer post addressed to the brand, with the brand's first response.

    A customer post (not a brand account, not a share) is addressed to the brand when it
    replies to a brand handle (`reply_to_author`) or to a brand post (`reply_to_id`), or
    mentions a brand handle, or names the brand in its text (`brand_names`: on forums such as
    Reddit customers write about the brand in its community without tagging it). Its first response is the earliest of: a brand post whose
    `reply_to_id` is the post, or a brand post later in the same thread that mentions the
    post's author. ``response_hours = (response_at - created_at) / 1 h``; a direct reply
    timestamped before the post (clock skew between sources) is clipped to 0 and flagged in
    `clock_skew`. ``within_sla = responded and response_hours <= sla_hours``.

    Parameters
    ----------
    posts : DataFrame
        Canonical posts frame (customer posts and brand posts together).
    sla_hours : float
        Response-time target, e.g. `config.analysis.response_sla_hours`.
    brand_handles : iterable of str, optional
        The brand's handles (`config.brand.handles()`); default: authors of brand posts.
    brand_names : iterable of str
        Names that address the brand when written in a post (e.g. `config.brand.name`),
        matched case-insensitively as whole words.
    """
    handles = brand_handles_of(posts, brand_handles)
    brand = select_posts(posts, "brand", include_shares=True)
    customers = select_posts(posts, "customers")
    reason = _addressed_by(customers, brand, handles, brand_names)
    addressed = customers[reason.notna()].assign(addressed_by=reason[reason.notna()])
    if addressed.empty:
        return _empty_responses()
    candidates = pd.concat(
        [_direct_replies(addressed, brand), _thread_mentions(addressed, brand)], ignore_index=True
    )
    first = candidates.sort_values(["response_at", "response_id"], kind="stable").drop_duplicates(
        ["platform", "post_id"]
    )
    out = addressed[
        ["platform", "post_id", "author", "created_at", "thread_id", "addressed_by"]
    ].merge(first, on=["platform", "post_id"], how="left")
    hours = (out["response_at"] - out["created_at"]).dt.total_seconds() / 3600.0
    out["responded"] = out["response_id"].notna()
    out["clock_skew"] = (hours < 0).fillna(False).astype(bool)
    out["response_hours"] = hours.clip(lower=0.0).astype("float64")
    out["within_sla"] = (out["responded"] & (out["response_hours"] <= sla_hours)).astype(bool)
    return out[RESPONSE_COLUMNS].reset_index(drop=True)


def _empty_responses() -> pd.DataFrame:
    dtypes = {
        "created_at": "datetime64[us, UTC]",
        "response_at": "datetime64[us, UTC]",
        "responded": "bool",
        "clock_skew": "bool",
        "within_sla": "bool",
        "response_hours": "float64",
    }
    return pd.DataFrame({c: pd.Series(dtype=dtypes.get(c, "object")) for c in RESPONSE_COLUMNS})


SUMMARY_COLUMNS = [
    "n_posts",
    "n_authors",
    "n_responded",
    "response_rate",
    "median_response_hours",
    "p90_response_hours",
    "share_within_sla",
    "n_clock_skew",
]


def response_summary(
    responses: pd.DataFrame, by: Sequence[str] = ("platform",), tz: str = "UTC"
) -> pd.DataFrame:
    """Response rate, first-response times and SLA attainment per group.

    - ``response_rate = n_responded / n_posts``.
    - ``median_response_hours`` and ``p90_response_hours`` (linear interpolation) are over
      answered posts only, so read them together with the response rate.
    - ``share_within_sla = posts answered within the SLA / n_posts`` (unanswered posts count
      as missed).

    Parameters
    ----------
    responses : DataFrame
        Output of `brand_responses`.
    by : sequence of str
        Grouping columns of `responses`, plus "weekday" (0 = Monday) and "hour": local time
        of the customer post in `tz`. An empty sequence gives one overall row.
    tz : str
        IANA timezone for "weekday" and "hour" (the brand's timezone).
    """
    by = list(by)
    frame = responses
    if {"weekday", "hour"} & set(by):
        local = local_times(frame["created_at"], tz)
        frame = frame.assign(
            weekday=local.dt.weekday.astype("int64"), hour=local.dt.hour.astype("int64")
        )
    frame = frame.assign(
        _answered_hours=frame["response_hours"].where(frame["responded"].astype(bool)),
        _responded=frame["responded"].astype("int64"),
        _within=frame["within_sla"].astype("int64"),
        _skew=frame["clock_skew"].astype("int64"),
    )
    keys = by or [np.zeros(len(frame), dtype="int64")]
    out = frame.groupby(keys).agg(
        n_posts=("author", "size"),
        n_authors=("author", "nunique"),
        n_responded=("_responded", "sum"),
        median_response_hours=("_answered_hours", "median"),
        p90_response_hours=("_answered_hours", lambda s: s.quantile(0.9)),
        n_within=("_within", "sum"),
        n_clock_skew=("_skew", "sum"),
    )
    out = out.reset_index(drop=not by)
    for col in ["n_posts", "n_authors", "n_responded", "n_within", "n_clock_skew"]:
        out[col] = out[col].astype("int64")
    out["response_rate"] = out["n_responded"] / out["n_posts"]
    out["share_within_sla"] = out["n_within"] / out["n_posts"]
    for col in ["median_response_hours", "p90_response_hours"]:
        out[col] = out[col].astype("float64")
    if "weekday" in by:
        out.insert(
            by.index("weekday") + 1,
            "weekday_name",
            out["weekday"].map(dict(enumerate(WEEKDAY_NAMES))),
        )
    return out[
        [c for c in out.columns if c not in SUMMARY_COLUMNS and c != "n_within"] + SUMMARY_COLUMNS
    ]


def oldest_unanswered(
    responses: pd.DataFrame, now: dt.datetime | pd.Timestamp | str, n: int = 10
) -> pd.DataFrame:
    """The `n` oldest customer posts without a brand response (ids and pseudonyms, no text).

    ``age_hours = (now - created_at) / 1 h``.

    Parameters
    ----------
    responses : DataFrame
        Output of `brand_responses`.
    now : datetime, Timestamp or ISO string
        Reference time; naive values are taken as UTC.
    n : int
        How many posts.
    """
    now = pd.Timestamp(now)
    now = now.tz_localize("UTC") if now.tzinfo is None else now.tz_convert("UTC")
    waiting = responses[~responses["responded"].astype(bool)]
    out = waiting[["platform", "post_id", "author", "created_at", "addressed_by"]].copy()
    out["age_hours"] = ((now - out["created_at"]).dt.total_seconds() / 3600.0).astype("float64")
    out = out.sort_values(["created_at", "platform", "post_id"], kind="stable")
    return out.head(n).reset_index(drop=True)


def response_findings(responses: pd.DataFrame, by_platform: pd.DataFrame, tz: str = "UTC") -> dict:
    """Headline numbers for the brief: overall rate and times, and the slowest platform
    among those published (not suppressed)."""
    overall = response_summary(responses, by=[], tz=tz)
    row = overall.iloc[0] if len(overall) else None
    published = by_platform.dropna(subset=["median_response_hours"])
    slowest = published.sort_values(["median_response_hours", "platform"]).iloc[-1] if len(published) else None

    def value(series, column):
        return None if series is None or pd.isna(series[column]) else float(series[column])

    return {
        "response_rate": value(row, "response_rate"),
        "response_median_hours": value(row, "median_response_hours"),
        "response_p90_hours": value(row, "p90_response_hours"),
        "response_within_sla": value(row, "share_within_sla"),
        "response_slowest_platform": None if slowest is None else str(slowest["platform"]),
        "response_slowest_median_hours": value(slowest, "median_response_hours"),
    }
