"""Tables for the ingest profile: reconciliation per file, rejects by reason, platforms."""

from __future__ import annotations

import pandas as pd

RECONCILIATION_COLUMNS = ["file", "format", "rows_in", "loaded", "rejected", "duplicates"]


def reconciliation(summary: dict) -> pd.DataFrame:
    """One row per input file plus a total: rows in = loaded + rejected + duplicates."""
    rows = [{k: f[k] for k in RECONCILIATION_COLUMNS} for f in summary["files"]]
    total = {
        "file": "total",
        "format": "",
        **{k: summary["total"][k] for k in RECONCILIATION_COLUMNS[2:]},
    }
    return pd.DataFrame([*rows, total], columns=RECONCILIATION_COLUMNS)


def rejects_by_reason(summary: dict) -> pd.DataFrame:
    """Rejected rows per file and reason (counts only; the rows stay in the private folder)."""
    rows = [
        {"file": f["file"], "reason": reason, "rows": n}
        for f in summary["files"]
        for reason, n in f["rejected_by_reason"].items()
    ]
    return pd.DataFrame(rows, columns=["file", "reason", "rows"])


def daily_volume(posts: pd.DataFrame, tz: str) -> pd.DataFrame:
    """Posts and distinct authors per local day and platform (days with posts only), for the
    ``ingest_daily_volume`` table (suppressed per day and platform) and its interactive chart.

    Parameters
    ----------
    posts : canonical posts with `created_at` (UTC), `platform` and `author`.
    tz : IANA timezone whose calendar days are used (the brand's).
    """
    columns = ["date", "platform", "n_posts", "n_authors"]
    if posts.empty:
        return pd.DataFrame(columns=columns)
    days = posts["created_at"].dt.tz_convert(tz).dt.tz_localize(None).dt.normalize()
    out = (
        posts.assign(date=days)
        .groupby(["date", "platform"], observed=True)
        .agg(n_posts=("author", "size"), n_authors=("author", "nunique"))
        .reset_index()
        .sort_values(["date", "platform"], ignore_index=True)
    )
    return out[columns]


def platform_profile(posts: pd.DataFrame) -> pd.DataFrame:
    """Per platform: posts, brand and customer posts, shares, replies, authors, first and last day,
    and the share of posts that carry impressions and follower counts."""
    g = posts.assign(
        brand=posts["is_brand"].astype(bool),
        customer=~posts["is_brand"].astype(bool),
        share=posts["post_type"].eq("share"),
        reply=posts["post_type"].isin(["reply", "comment"]),
        has_views=posts["views"].notna(),
        has_followers=posts["author_followers"].notna(),
    ).groupby("platform")
    out = pd.DataFrame(
        {
            "posts": g.size(),
            "brand_posts": g["brand"].sum(),
            "customer_posts": g["customer"].sum(),
            "shares": g["share"].sum(),
            "replies": g["reply"].sum(),
            "authors": g["author"].nunique(),
            "first_day": g["created_at"].min().dt.date,
            "last_day": g["created_at"].max().dt.date,
            "share_with_views": g["has_views"].mean().round(3),
            "share_with_followers": g["has_followers"].mean().round(3),
        }
    )
    return out.reset_index()
