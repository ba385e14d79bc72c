"""Brand attentiveness: which customer requests to the brand got a brand response, and how fast.

`brand_responses` gives one row per customer request (by default: per customer and thread);
`response_summary` turns those into response rate and first-response times per group;
`oldest_unanswered` lists the requests still waiting (ids and pseudonyms, no text), and
`published_requests` turns such a list into what may be published (ranks, days, no ids).
The SQL behind them is in `toolkit.analysis.sql_responses` (the same queries run on Parquet at
scale).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Literal

import pandas as pd

from toolkit.analysis import sql as db
from toolkit.analysis import sql_responses
from toolkit.analysis.posts import brand_handles_of

RESPONSE_COLUMNS = [
    "platform",
    "post_id",
    "author",
    "created_at",
    "thread_id",
    "addressed_by",
    "n_customer_posts",
    "responded",
    "response_id",
    "response_at",
    "response_match",
    "response_hours",
    "clock_skew",
    "within_sla",
]
SUMMARY_COLUMNS = [
    "n_posts",
    "n_authors",
    "n_customer_posts",
    "n_responded",
    "response_rate",
    "median_response_hours",
    "p90_response_hours",
    "share_within_sla",
    "n_clock_skew",
]


def brand_responses(
    posts: pd.DataFrame,
    sla_hours: float = 24.0,
    brand_handles: Iterable[str] | None = None,
    brand_names: Iterable[str] = (),
    unit: Literal["thread", "post"] = "thread",
    keep: Sequence[str] = (),
) -> pd.DataFrame:
    """One row per customer request to the brand, with the brand's first response.

    - A customer post (not a brand account, not a share) is *addressed* to the brand when
      it replies to a brand handle (`reply_to_author`) or to a brand post (`reply_to_id`),
      or mentions a brand handle, or names the brand in its text (`brand_names`: on forums
      such as Reddit customers write about the brand in its community without tagging it).
    - A *request* (`unit="thread"`, the default) is a customer's addressed posts in one
      thread (platform, `thread_id`, author; a post without thread is its own thread): a
      customer's follow-ups ("any news?") belong to the same request and are counted in
      `n_customer_posts`, not as new unanswered posts. `post_id` and `created_at` are those
      of the first addressed post. With `unit="post"` every addressed post is a request.
    - A brand post *responds* when it is below one of the request's posts in the reply tree
      (`reply_to_id` chain, any depth: a direct reply, or, as in Reddit comment trees, a
      brand comment under the customer's post or its thread; `response_match` "reply" or
      "tree"), or is in the same thread at or after the request and mentions its author
      ("thread_mention"). The first response is the earliest.
    - ``response_hours = (response_at - created_at) / 1 h``. A reply in the tree that is
      timestamped before the request (clock skew between sources) is clipped to 0 and
      flagged in `clock_skew` (counted by `response_summary` as `n_clock_skew`).
    - ``within_sla = responded and response_hours <= sla_hours``.

    Parameters
    ----------
    posts : DataFrame
        Canonical posts frame (customer posts and brand posts together).
    sla_hours : float
        Response-time target, e.g. `config.analysis.response_sla_hours`.
    brand_handles : iterable of str, optional
        The brand's handles (`config.brand.handles()`); default: authors of brand posts.
    brand_names : iterable of str
        Names that address the brand when written in a post (`config.brand.names()`),
        matched case-insensitively as whole words.
    unit : {"thread", "post"}
        What counts as one request.
    keep : sequence of str
        Columns of `posts` (e.g. a topic) to carry over from the request's first post.
    """
    handles = brand_handles_of(posts, brand_handles)
    con = db.connect()
    try:
        db.register_posts(con, posts, extra=keep)
        sql_responses.create_responses(
            con, "posts", handles, brand_names, sla_hours, unit=unit, keep=list(keep)
        )
        out = con.execute("SELECT * FROM responses ORDER BY platform, created_at, post_id").df()
    finally:
        con.close()
    for column in ("created_at", "response_at"):
        out[column] = pd.to_datetime(out[column], utc=True).astype("datetime64[us, UTC]")
    for column in ("responded", "clock_skew", "within_sla"):
        out[column] = out[column].astype(bool)
    out["n_customer_posts"] = out["n_customer_posts"].astype("int64")
    out["response_hours"] = out["response_hours"].astype("float64")
    return out[[*RESPONSE_COLUMNS, *keep]].reset_index(drop=True)


def response_summary(
    responses: pd.DataFrame,
    by: Sequence[str] = ("platform",),
    tz: str = "UTC",
    platforms: Iterable[str] | None = None,
) -> pd.DataFrame:
    """Response rate, first-response times and SLA attainment per group.

    - ``n_posts`` = requests (see `brand_responses`), ``n_authors`` = distinct customers,
      ``n_customer_posts`` = the addressed posts in them.
    - ``response_rate = n_responded / n_posts``.
    - ``median_response_hours`` and ``p90_response_hours`` (linear interpolation between
      order statistics, as numpy's default) are over answered requests only, so read them
      together with the response rate.
    - ``share_within_sla = requests answered within the SLA / n_posts`` (unanswered
      requests count as missed).

    Parameters
    ----------
    responses : DataFrame
        Output of `brand_responses`.
    by : sequence of str
        Grouping columns of `responses` (e.g. "platform", a topic column), plus "weekday"
        (0 = Monday) and "hour": local time of the request in `tz`. Empty: one overall row.
    tz : str
        IANA timezone for "weekday" and "hour" (the brand's timezone).
    platforms : iterable of str, optional
        With ``by=["platform"]``: platforms to report even without requests (n_posts = 0).
    """
    by = list(by)
    frame = responses
    if "n_customer_posts" not in frame.columns:
        frame = frame.assign(n_customer_posts=1)
    table = db.query_frame(
        sql_responses.response_summary_sql("responses", by, tz), {"responses": frame}
    )
    return summary_table(table, by, platforms)


def summary_table(
    table: pd.DataFrame, by: Sequence[str], platforms: Iterable[str] | None = None
) -> pd.DataFrame:
    """Typed `toolkit.analysis.sql_responses.response_summary_sql` rows: weekday names, empty platforms added."""
    by = list(by)
    out = table.copy()
    if platforms is not None and by == ["platform"]:
        wanted = list(dict.fromkeys([*platforms, *out["platform"]]))
        out = out.set_index("platform").reindex(wanted).rename_axis("platform").reset_index()
        out = out.sort_values("platform", kind="stable").reset_index(drop=True)
    counts = ["n_posts", "n_authors", "n_customer_posts", "n_responded", "n_clock_skew"]
    out[counts] = out[counts].fillna(0).astype("int64")
    rates = [c for c in SUMMARY_COLUMNS if c not in counts]
    out[rates] = out[rates].astype("float64")
    if not by and out.empty:
        out = pd.DataFrame([dict.fromkeys(SUMMARY_COLUMNS, 0)]).astype(
            dict.fromkeys(rates, "float64")
        )
        out[rates] = float("nan")
    if "weekday" in by:
        out["weekday"] = out["weekday"].astype("int64")
        out.insert(
            by.index("weekday") + 1,
            "weekday_name",
            out["weekday"].map(dict(enumerate(db.WEEKDAY_NAMES))),
        )
    if "hour" in by:
        out["hour"] = out["hour"].astype("int64")
    return out[[c for c in out.columns if c not in SUMMARY_COLUMNS] + SUMMARY_COLUMNS]


def oldest_unanswered(
    responses: pd.DataFrame,
    now: dt.datetime | pd.Timestamp | str,
    n: int = 10,
    keep: Sequence[str] = (),
) -> pd.DataFrame:
    """The `n` oldest customer requests without a brand response (ids and pseudonyms, no text).

    ``age_hours = (now - created_at) / 1 h``. For the oldest unanswered *complaints*, pass
    only the negative requests (e.g. ``responses[responses["sentiment"] == "negative"]``,
    after `brand_responses(..., keep=["sentiment"])`); quote their text only through
    `toolkit.privacy.quoting.quote` under the configured policy.

    Parameters
    ----------
    responses : DataFrame
        Output of `brand_responses`.
    now : datetime, Timestamp or ISO string
        Reference time; naive values are taken as UTC.
    n : int
        How many requests.
    keep : sequence of str
        Extra columns of `responses` to return.
    """
    now = pd.Timestamp(now)
    now = now.tz_localize("UTC") if now.tzinfo is None else now.tz_convert("UTC")
    frame = responses[
        ["platform", "post_id", "author", "created_at", "addressed_by", "responded", *keep]
    ]
    out = db.query_frame(
        sql_responses.oldest_unanswered_sql("responses", now, n, keep), {"responses": frame}
    )
    out["created_at"] = pd.to_datetime(out["created_at"], utc=True).astype("datetime64[us, UTC]")
    out["age_hours"] = out["age_hours"].astype("float64")
    return out


#: Columns of `published_requests`: nothing that leads back to a post or its exact time.
PUBLISHED_REQUEST_COLUMNS = ["rank", "platform", "author", "day", "addressed_by", "age_days"]


def published_requests(table: pd.DataFrame, tz: str = "UTC") -> pd.DataFrame:
    """A list of requests (e.g. `oldest_unanswered`, after `with_quotes`) as it may be
    published: platform post ids and exact times never leave the working data.

    Each row gets a ``rank`` (1 = first in `table`) as its key, the local calendar ``day`` it
    was posted instead of ``created_at``, and ``age_days`` (whole days) instead of
    ``age_hours``; ``post_id`` is dropped. The author stays as its keyed pseudonym; extra
    columns (``quote``, kept columns) are kept. Keep `table` privately (e.g.
    `Session.save_private`) to look a rank up.

    Parameters
    ----------
    table : DataFrame
        Rows with platform, post_id, author, created_at, addressed_by and age_hours.
    tz : str
        IANA timezone of the days (the brand's).
    """
    created = pd.to_datetime(table["created_at"], utc=True).dt.tz_convert(tz)
    out = pd.DataFrame(
        {
            "rank": range(1, len(table) + 1),
            "platform": table["platform"].to_numpy(),
            "author": table["author"].to_numpy(),
            "day": created.dt.strftime("%Y-%m-%d").to_numpy(),
            "addressed_by": table["addressed_by"].to_numpy(),
            "age_days": (table["age_hours"] // 24).astype("Int64").to_numpy(),
        }
    )
    private = {"platform", "post_id", "author", "created_at", "addressed_by", "age_hours"}
    for column in table.columns:
        if column not in private and column not in out.columns:
            out[column] = table[column].to_numpy()
    return out


def response_findings(responses: pd.DataFrame, by_platform: pd.DataFrame, tz: str = "UTC") -> dict:
    """Headline numbers for the brief: requests and responses counted, overall rate and
    times, and the slowest platform among those published (not suppressed)."""
    overall = response_summary(responses, by=[], tz=tz)
    row = overall.iloc[0] if len(overall) and overall["n_posts"].iloc[0] else None
    published = by_platform.dropna(subset=["median_response_hours"])
    slowest = (
        published.sort_values(["median_response_hours", "platform"]).iloc[-1]
        if len(published)
        else None
    )

    def value(series, column):
        return None if series is None or pd.isna(series[column]) else float(series[column])

    return {
        "response_n_requests": 0 if row is None else int(row["n_posts"]),
        "response_n_responded": 0 if row is None else int(row["n_responded"]),
        "response_rate": value(row, "response_rate"),
        "response_median_hours": value(row, "median_response_hours"),
        "response_p90_hours": value(row, "p90_response_hours"),
        "response_within_sla": value(row, "share_within_sla"),
        "response_slowest_platform": None if slowest is None else str(slowest["platform"]),
        "response_slowest_median_hours": value(slowest, "median_response_hours"),
    }


def with_quotes(
    table: pd.DataFrame,
    posts: pd.DataFrame,
    policy: Literal["none", "redacted", "full"],
    keep_handles: Iterable[str] = (),
) -> pd.DataFrame:
    """`table` (rows with platform and post_id, e.g. `oldest_unanswered`) with a `quote`
    column of the posts' text under the privacy policy (`toolkit.privacy.quoting.quote`); with
    policy "none" the table is returned without a quote column.

    Parameters
    ----------
    table : DataFrame
        Rows identifying posts by (platform, post_id).
    posts : DataFrame
        Canonical posts with `text`.
    policy : {"none", "redacted", "full"}
        `config.privacy.quotes`.
    keep_handles : iterable of str
        Handles allowed to stay visible (the brand's).
    """
    from toolkit.privacy.quoting import quote

    if policy == "none":
        return table.copy()
    texts = posts.set_index(["platform", "post_id"])["text"]
    texts = texts[~texts.index.duplicated()]
    keys = pd.MultiIndex.from_frame(table[["platform", "post_id"]])
    found = texts.reindex(keys).tolist()
    quotes = [
        quote(t, policy, keep_handles=keep_handles) if isinstance(t, str) else None for t in found
    ]
    return table.assign(quote=quotes)
