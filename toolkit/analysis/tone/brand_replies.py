"""Tone around brand replies: how the brand sounds when it answers, and whether customers sound
better after it did.

Both analyses read scored posts (`sentiment.score_posts`; unscored posts are scored with
`sentiment.default_scorer()`). Every table carries ``n_authors`` (distinct customers) so the
caller can pass it to `privacy.suppress_small_groups` before publishing.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from toolkit.analysis.posts import list_values, select_posts
from toolkit.analysis.tone.posts import (
    LABEL_COLUMN,
    LABELS,
    SCORE_COLUMN,
    SentimentScorer,
    count_and_average,
    score_posts,
)

REPLY_TYPES = ("reply", "comment", "quote")
CHANGE_COLUMNS = [
    "platform",
    "thread_id",
    "author",
    "reply_at",
    "n_before",
    "n_after",
    "score_before",
    "score_after",
    "change",
    "negative_before",
    "negative_after",
]


def _scored(posts: pd.DataFrame, scorer: SentimentScorer | None) -> pd.DataFrame:
    """`posts` with sentiment columns, scoring them only when they are missing."""
    if {SCORE_COLUMN, LABEL_COLUMN} <= set(posts.columns) and scorer is None:
        return posts
    return score_posts(posts, scorer)


def _thread_keys(posts: pd.DataFrame) -> pd.Series:
    """Thread of each post: `thread_id`, or the post's own id for a root without one."""
    return posts["thread_id"].where(posts["thread_id"].notna(), posts["post_id"]).astype(str)


def brand_replies(posts: pd.DataFrame) -> pd.DataFrame:
    """Brand posts that answer someone: replies, comments and quotes, or posts with a `reply_to_id`.

    Parameters
    ----------
    posts : DataFrame
        Canonical posts frame.
    """
    brand = select_posts(posts, "brand")
    answering = brand["post_type"].isin(REPLY_TYPES) | brand["reply_to_id"].notna()
    return brand[answering]


def brand_reply_tone(
    posts: pd.DataFrame,
    by: Sequence[str] = ("platform",),
    scorer: SentimentScorer | None = None,
) -> pd.DataFrame:
    """Tone of the brand's replies per group: label shares and mean score.

    ``share_<label> = replies with that label / n_replies``; ``mean_score`` is the mean
    compound score in [-1, 1]. ``n_authors`` counts the distinct people answered
    (`reply_to_author`, brand accounts excluded), the figure small-group suppression needs.

    Parameters
    ----------
    posts : DataFrame
        Canonical posts frame, ideally scored with `sentiment.score_posts`.
    by : sequence of str
        Grouping columns; empty for one overall row.
    scorer : SentimentScorer, optional
        Scorer for posts not yet scored (default: `sentiment.default_scorer()`).
    """
    by = list(by)
    replies = _scored(brand_replies(posts), scorer)
    handles = {a.lower() for a in select_posts(posts, "brand", include_shares=True)["author"]}
    answered = (
        replies["reply_to_author"]
        .astype("object")
        .where(~replies["reply_to_author"].fillna("").str.lower().str.lstrip("@").isin(handles))
    )
    frame = replies.assign(
        _answered=answered,
        _score=replies[SCORE_COLUMN].astype("float64"),
        **{
            f"share_{label}": (replies[LABEL_COLUMN] == label).astype("float64") for label in LABELS
        },
    )
    shares = {f"share_{label}": f"share_{label}" for label in LABELS}
    return count_and_average(frame, by, "n_replies", "_answered", **shares, mean_score="_score")


def _first_brand_reply(customers: pd.DataFrame, brand: pd.DataFrame) -> pd.DataFrame:
    """Per (platform, thread, customer): when the brand first answered that customer there.

    A brand post answers the customer when it replies to one of the customer's posts
    (`reply_to_id`), names the customer as `reply_to_author`, or mentions the customer, and
    comes after the customer's first post in the thread.
    """
    own = customers[["platform", "post_id", "_thread", "author"]]
    by_id = brand[["platform", "_thread", "reply_to_id", "created_at"]].merge(
        own.rename(columns={"post_id": "reply_to_id", "_thread": "_t"}),
        on=["platform", "reply_to_id"],
    )[["platform", "_thread", "author", "created_at"]]
    by_author = brand.assign(author=brand["reply_to_author"].astype("object"))[
        ["platform", "_thread", "author", "created_at"]
    ]
    by_mention = brand.assign(author=brand["mentions"].map(list_values)).explode("author")[
        ["platform", "_thread", "author", "created_at"]
    ]
    answers = pd.concat([by_id, by_author, by_mention], ignore_index=True).dropna(subset=["author"])
    answers["author"] = answers["author"].astype(str).str.lower().str.lstrip("@")
    first_post = (
        customers.assign(_key=customers["author"].str.lower())
        .groupby(["platform", "_thread", "_key"], as_index=False)
        .agg(author=("author", "first"), first_at=("created_at", "min"))
    )
    pairs = first_post.merge(
        answers.rename(columns={"author": "_key", "created_at": "reply_at"}),
        on=["platform", "_thread", "_key"],
    )
    pairs = pairs[pairs["reply_at"] > pairs["first_at"]]
    return pairs.groupby(["platform", "_thread", "author"], as_index=False)["reply_at"].min()


def tone_after_reply(posts: pd.DataFrame, scorer: SentimentScorer | None = None) -> pd.DataFrame:
    """One row per thread where a customer posted, the brand answered them, and they posted again.

    For each (platform, thread, customer) with a first brand answer at ``reply_at`` (see
    `_first_brand_reply`): ``score_before`` = mean compound score of the customer's posts in
    the thread before ``reply_at``, ``score_after`` = mean over their posts after it,
    ``change = score_after - score_before``; ``negative_before`` / ``negative_after`` say
    whether the customer's last post before / first post after the answer was labelled
    negative. Shares are excluded; threads without a post on both sides are dropped.

    Parameters
    ----------
    posts : DataFrame
        Canonical posts frame (customer and brand posts), ideally scored.
    scorer : SentimentScorer, optional
        Scorer for posts not yet scored (default: `sentiment.default_scorer()`).
    """
    posts = posts.assign(_thread=_thread_keys(posts))
    customers = _scored(select_posts(posts, "customers"), scorer)
    brand = select_posts(posts, "brand")
    if customers.empty or brand.empty:
        return _empty_changes()
    replies = _first_brand_reply(customers, brand)
    if replies.empty:
        return _empty_changes()
    rows = customers.merge(replies, on=["platform", "_thread", "author"])
    rows = rows.sort_values(["created_at", "post_id"], kind="stable")
    rows = rows.assign(
        _after=rows["created_at"] > rows["reply_at"],
        _negative=rows[LABEL_COLUMN] == "negative",
        _score=rows[SCORE_COLUMN].astype("float64"),
    )
    keys = ["platform", "_thread", "author", "reply_at"]
    before = (
        rows[~rows["_after"]]
        .groupby(keys)
        .agg(
            n_before=("_score", "size"),
            score_before=("_score", "mean"),
            negative_before=("_negative", "last"),
        )
    )
    after = (
        rows[rows["_after"]]
        .groupby(keys)
        .agg(
            n_after=("_score", "size"),
            score_after=("_score", "mean"),
            negative_after=("_negative", "first"),
        )
    )
    out = before.join(after, how="inner").reset_index().rename(columns={"_thread": "thread_id"})
    if out.empty:
        return _empty_changes()
    out["change"] = out["score_after"] - out["score_before"]
    out[["n_before", "n_after"]] = out[["n_before", "n_after"]].astype("int64")
    out[["negative_before", "negative_after"]] = out[["negative_before", "negative_after"]].astype(
        bool
    )
    return (
        out[CHANGE_COLUMNS]
        .sort_values(["platform", "reply_at"], kind="stable")
        .reset_index(drop=True)
    )


def _empty_changes() -> pd.DataFrame:
    dtypes = {
        "reply_at": "datetime64[us, UTC]",
        "n_before": "int64",
        "n_after": "int64",
        "negative_before": "bool",
        "negative_after": "bool",
    }
    return pd.DataFrame(
        {c: pd.Series(dtype=dtypes.get(c, "float64")) for c in CHANGE_COLUMNS}
    ).astype({"platform": "object", "thread_id": "object", "author": "object"})


def tone_change_summary(
    changes: pd.DataFrame, by: Sequence[str] = ("platform",), min_change: float = 0.05
) -> pd.DataFrame:
    """Whether customers sound better after a brand answer, per group.

    - ``mean_before`` / ``mean_after``: means of the per-thread scores; ``mean_change`` =
      mean_after - mean_before.
    - ``share_improved`` = threads with ``change > min_change`` / n_threads;
      ``share_worsened`` = threads with ``change < -min_change`` / n_threads.
    - ``share_negative_before`` / ``share_negative_after``: threads whose customer post just
      before / after the answer is negative.
    - ``n_threads`` and ``n_authors`` (distinct customers) for small-group suppression.

    Parameters
    ----------
    changes : DataFrame
        Output of `tone_after_reply`.
    by : sequence of str
        Grouping columns of `changes`; empty for one overall row.
    min_change : float
        Change of the mean compound score that counts as better or worse (scores in [-1, 1]).
    """
    by = list(by)
    frame = changes.assign(
        _improved=(changes["change"] > min_change).astype("float64"),
        _worsened=(changes["change"] < -min_change).astype("float64"),
        _neg_before=changes["negative_before"].astype("float64"),
        _neg_after=changes["negative_after"].astype("float64"),
    )
    out = count_and_average(
        frame,
        by,
        "n_threads",
        mean_before="score_before",
        mean_after="score_after",
        share_improved="_improved",
        share_worsened="_worsened",
        share_negative_before="_neg_before",
        share_negative_after="_neg_after",
    )
    out.insert(len(by) + 4, "mean_change", out["mean_after"] - out["mean_before"])
    return out


def after_reply_findings(changes: pd.DataFrame, k: int) -> dict:
    """Headline numbers of `tone_after_reply` for the brief: threads, and the share whose tone
    improved (None when fewer than `k` distinct customers are behind it)."""
    overall = tone_change_summary(changes, by=[])
    enough = not overall.empty and overall["n_authors"].iloc[0] >= k
    return {
        "tone_after_reply_threads": int(len(changes)),
        "tone_after_reply_share_improved": float(overall["share_improved"].iloc[0])
        if enough
        else None,
    }
