"""The report's topic tables: per topic, over time, per platform, per campaign, quotes, headlines.

Each table takes the modelled posts and their topic ids (`TopicModel.labels_`) and carries
``n_authors`` so it can be suppressed before publishing; `topic_examples` lets post text out
only through `toolkit.privacy.quoting.quote`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

from toolkit.analysis.topics.clustering import NO_TOPIC
from toolkit.analysis.topics.representation import describe_topics, is_list, redact_hashtag_names
from toolkit.privacy import quoting

TOPIC_INFO_COLUMNS = ["topic", "label", "size", "share", "keywords", "description"]


def topic_info_table(
    labels: np.ndarray, names: dict[int, str], keywords: dict[int, list[str]]
) -> pd.DataFrame:
    """The model's own topic table (`TopicModel.topic_info_`): topic, label, size, share,
    keywords, description; sizes count all posts, -1 (outliers and excluded posts) last."""
    sizes = pd.Series(labels).value_counts()
    rows = [
        {"topic": t, "label": names[t], "size": int(sizes.get(t, 0)), "keywords": list(keywords[t])}
        for t in keywords
    ]
    if NO_TOPIC in sizes.index:
        rows.append(
            {"topic": NO_TOPIC, "label": "no topic", "size": int(sizes[NO_TOPIC]), "keywords": []}
        )
    info = pd.DataFrame(rows, columns=["topic", "label", "size", "keywords"])
    info["share"] = info["size"] / len(labels) if len(labels) else 0.0
    info = order_topics(info.astype({"topic": int, "size": int}))
    info["description"] = describe_topics(info)
    return info[TOPIC_INFO_COLUMNS]


def topic_table(
    posts: pd.DataFrame,
    labels: Sequence[int],
    topic_info: pd.DataFrame,
    sentiment_labels: Sequence[str] | None = None,
    trend_days: int = 30,
    examples: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """One row per topic: label, size, share, keywords, description, authors, sentiment mix,
    platforms, trend.

    Parameters
    ----------
    posts : DataFrame
        Canonical posts (needs `platform`, `author`, `created_at`), the rows that were modelled.
    labels : sequence of int
        Topic of each row of `posts` (e.g. `TopicModel.labels_`).
    topic_info : DataFrame
        `TopicModel.topic_info_` (topic, label, keywords).
    sentiment_labels : sequence of str, optional
        negative / neutral / positive per row; adds the share of each per topic.
    trend_days : int
        `trend` = posts in the last `trend_days` days of the data / posts in the
        `trend_days` days before (NaN when there were none before).
    examples : DataFrame, optional
        `topic_examples(...)`: each topic's first example joins its description
        ('posts about …, e.g. "…"'); without it (or under `privacy.quotes: none`, where it is
        empty) descriptions have no example.

    Returns
    -------
    DataFrame with topic, label, size, share, keywords, description, n_authors, negative,
    neutral, positive, platforms (dict platform -> posts), recent, previous, trend; topics
    by size, -1 last.
    """
    frame = _with_topics(posts, labels)
    if sentiment_labels is not None:
        frame["sentiment"] = _aligned(sentiment_labels, frame, "sentiment_labels")
    recent_start = frame["created_at"].max() - pd.Timedelta(days=trend_days)
    previous_start = recent_start - pd.Timedelta(days=trend_days)
    rows = [
        {"topic": int(topic), **_topic_row(group, recent_start, previous_start)}
        for topic, group in frame.groupby("topic", sort=False)
    ]
    table = pd.DataFrame(rows, columns=["topic", *_TOPIC_ROW_COLUMNS])
    table["share"] = table["size"] / len(frame) if len(frame) else 0.0
    table = table.merge(topic_info[["topic", "label", "keywords"]], on="topic", how="left")
    default_labels = table["topic"].map(lambda t: "no topic" if t == NO_TOPIC else f"topic {t}")
    table["label"] = table["label"].fillna(default_labels)
    table["keywords"] = table["keywords"].map(lambda k: list(k) if is_list(k) else [])
    table["description"] = describe_topics(table, examples)
    first = ["topic", "label", "size", "share", "keywords", "description", "n_authors"]
    return order_topics(table)[first + [c for c in _TOPIC_ROW_COLUMNS if c not in first]]


_TOPIC_ROW_COLUMNS = [
    "size", "n_authors", "negative", "neutral", "positive", "platforms", "recent", "previous", "trend",
]  # fmt: skip


def _topic_row(group: pd.DataFrame, recent_start, previous_start) -> dict:
    """Counts, sentiment mix, platforms and trend of one topic's posts."""
    when = group["created_at"]
    recent = int((when > recent_start).sum())
    previous = int(((when > previous_start) & (when <= recent_start)).sum())
    platforms = group["platform"].value_counts().sort_index()
    row = {
        "size": len(group),
        "n_authors": group["author"].nunique(),
        "platforms": {str(k): int(v) for k, v in platforms.items()},
        "recent": recent,
        "previous": previous,
        "trend": recent / previous if previous else float("nan"),
    }
    for sentiment in ("negative", "neutral", "positive"):
        has = "sentiment" in group
        row[sentiment] = float((group["sentiment"] == sentiment).mean()) if has else float("nan")
    return row


def topics_over_time(
    posts: pd.DataFrame, labels: Sequence[int], freq: str = "W", tz: str | None = None
) -> pd.DataFrame:
    """Posts and distinct authors per topic and period, every topic x period (zeros included).

    Parameters
    ----------
    posts : DataFrame
        Canonical posts with `created_at` (UTC) and `author`.
    labels : sequence of int
        Topic of each row of `posts`.
    freq : str
        pandas period alias: "D", "W" (weeks starting Monday), "M".
    tz : str, optional
        Time zone the periods are cut in (e.g. the brand's); default UTC.

    Returns
    -------
    DataFrame with topic, period (start, naive local time), n_posts, n_authors.
    """
    frame = _with_topics(posts, labels)
    columns = ["topic", "period", "n_posts", "n_authors"]
    if frame.empty:
        return pd.DataFrame(columns=columns)
    local = frame["created_at"].dt.tz_convert(tz or "UTC").dt.tz_localize(None)
    frame["period"] = local.dt.to_period(freq).dt.start_time
    counts = frame.groupby(["topic", "period"]).agg(
        n_posts=("author", "size"), n_authors=("author", "nunique")
    )
    periods = pd.period_range(local.min(), local.max(), freq=freq).start_time
    grid = pd.MultiIndex.from_product(
        [sorted(frame["topic"].unique()), periods], names=["topic", "period"]
    )
    out = counts.reindex(grid, fill_value=0).reset_index()
    return out.astype({"topic": int, "n_posts": int, "n_authors": int})[columns]


def topics_per_platform(posts: pd.DataFrame, labels: Sequence[int]) -> pd.DataFrame:
    """Posts and distinct authors per topic and platform (only combinations that occur)."""
    frame = _with_topics(posts, labels)
    out = (
        frame.groupby(["topic", "platform"])
        .agg(n_posts=("author", "size"), n_authors=("author", "nunique"))
        .reset_index()
    )
    return out.astype({"topic": int, "n_posts": int, "n_authors": int})


def topics_per_campaign(
    posts: pd.DataFrame, labels: Sequence[int], campaigns: Sequence, tz: str | None = None
) -> pd.DataFrame:
    """Each topic's share of posts inside each campaign's date window against outside it.

    Parameters
    ----------
    posts : DataFrame
        Canonical posts with `created_at` (UTC) and `author`, the rows that were modelled.
    labels : sequence of int
        Topic of each row of `posts`.
    campaigns : sequence of `toolkit.core.config.Campaign`
        Name, start and end dates (inclusive, in `tz`).
    tz : str, optional
        Time zone of the campaign dates (the brand's); default UTC.

    Returns
    -------
    DataFrame with campaign, topic, n_posts, n_authors (inside the window), share (of the
    window's posts), share_outside (of the other posts) and lift = share / share_outside.
    """
    columns = ["campaign", "topic", "n_posts", "n_authors", "share", "share_outside", "lift"]
    frame = _with_topics(posts, labels)
    if frame.empty or not campaigns:
        return pd.DataFrame(columns=columns)
    day = frame["created_at"].dt.tz_convert(tz or "UTC").dt.date
    tables = []
    for campaign in campaigns:
        inside = ((day >= campaign.start) & (day <= campaign.end)).to_numpy()
        counts = (
            frame[inside]
            .groupby("topic")
            .agg(n_posts=("author", "size"), n_authors=("author", "nunique"))
            .reindex(sorted(frame["topic"].unique()), fill_value=0)
        )
        outside = frame.loc[~inside, "topic"].value_counts()
        counts["share"] = counts["n_posts"] / inside.sum() if inside.any() else np.nan
        counts["share_outside"] = outside.reindex(counts.index, fill_value=0) / max(
            (~inside).sum(), 1
        )
        counts["lift"] = counts["share"] / counts["share_outside"].replace(0, np.nan)
        tables.append(counts.reset_index().assign(campaign=campaign.name))
    out = pd.concat(tables, ignore_index=True)
    return out.astype({"topic": int, "n_posts": int, "n_authors": int})[columns]


def topic_examples(
    texts: Sequence[str],
    representatives: pd.DataFrame,
    policy: str,
    keep_handles: Iterable[str] = (),
    max_risk: float | None = 0.5,
) -> pd.DataFrame:
    """Representative posts as they may be published: through `toolkit.privacy.quoting.quote` only.

    With policy "none" (the default) no text is returned and the table is empty; with
    "redacted", personal data is replaced and excerpts too findable by exact search are
    shortened or dropped (`max_risk`). Names inside hashtags are hidden first
    (`redact_hashtag_names`), as the detector reads a hashtag as one word.

    Parameters
    ----------
    texts : sequence of str
        Raw post texts, indexed by `representatives.position`.
    representatives : DataFrame
        `TopicModel.representatives(...)`.
    policy : {"none", "redacted", "full"}
        `config.privacy.quotes`.
    keep_handles : iterable of str
        The brand's handles, which may stay visible.
    max_risk : float, optional
        Highest `quote_risk` an excerpt may have (redacted policy).
    """
    columns = ["topic", "rank", "example"]
    if policy == "none" or representatives.empty:
        return pd.DataFrame(columns=columns)
    rows = []
    for rep in representatives.itertuples():
        quoted = quoting.quote(
            redact_hashtag_names(texts[rep.position]),
            policy,
            keep_handles=keep_handles,
            max_risk=max_risk if policy == "redacted" else None,
        )
        if quoted:
            rows.append((rep.topic, rep.rank, quoted))
    return pd.DataFrame(rows, columns=columns)


def _with_topics(posts: pd.DataFrame, labels: Sequence[int]) -> pd.DataFrame:
    frame = posts[["platform", "author", "created_at"]].reset_index(drop=True).copy()
    frame["topic"] = _aligned(labels, frame, "labels")
    return frame


def _aligned(values, frame: pd.DataFrame, name: str) -> np.ndarray:
    values = np.asarray(values)
    if len(values) != len(frame):
        raise ValueError(f"{name} has {len(values)} values for {len(frame)} posts")
    return values


def order_topics(table: pd.DataFrame) -> pd.DataFrame:
    """Rows by topic size, largest first (ties by topic id), the -1 row last."""
    table = table.sort_values(["size", "topic"], ascending=[False, True])
    is_outlier = table["topic"] == NO_TOPIC
    return pd.concat([table[~is_outlier], table[is_outlier]]).reset_index(drop=True)


def topic_findings(published: pd.DataFrame, n_posts: int, k: int) -> dict:
    """Headline numbers of a published (suppressed) topic table, for the brief.

    The most negative topic is chosen among topics big enough to matter (at least 2k posts
    and 2% of the modelled posts), so that a handful of angry posts does not headline.
    """
    ranked = published[published["topic"] >= 0].dropna(subset=["size"])
    top = [
        {"label": r.label, "share": float(r.share)} for r in ranked.nlargest(5, "size").itertuples()
    ]
    substantial = ranked[ranked["size"] >= max(2 * k, 0.02 * n_posts)]
    if substantial.empty:
        negative = {"label": "none large enough", "share_negative": None}
    else:
        row = substantial.sort_values(["negative", "topic"], ascending=[False, True]).iloc[0]
        negative = {"label": row["label"], "share_negative": float(row["negative"])}
    return {"topics_top": top, "topics_most_negative": negative}
