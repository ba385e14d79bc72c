"""The metric engine: engagement, attentiveness, campaign and trend metrics as DuckDB SQL.

Every metric is one SQL query over a table of canonical posts (`toolkit.core.schema`) that DuckDB
reads from Parquet (out of core, column by column) or from an Arrow table / pandas frame.
The pandas-facing functions of `toolkit.analysis.engagement`, `attentiveness`, `campaigns` and
`trends` call the same queries on a small frame, so there is one code path for each formula;
the formulas and their sources are in those functions' docstrings.

This module is the SQL library only: it imports nothing of the toolkit above `toolkit.core`.
The queries of brand responses are in `toolkit.analysis.sql_responses`.
`toolkit.pipeline.metrics.compute_metrics` runs the full metric set at once over a whole
dataset, with these queries and the analysis modules' table functions.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa

from toolkit.core.schema import COLUMNS

log = logging.getLogger(__name__)

#: Per-post interaction counts summed into `interactions` (nulls count as 0).
INTERACTION_COLUMNS = ["likes", "shares", "replies", "quotes"]
#: Per-post rate columns of `scored_sql`.
RATE_COLUMNS = [
    "engagement_rate_followers",
    "engagement_rate_views",
    "conversation_rate",
    "amplification_rate",
    "applause_rate",
    "virality",
]
WEEKDAY_NAMES = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
#: pandas-style period aliases -> DuckDB date_trunc parts.
PERIODS = {
    "D": "day",
    "W": "week",
    "W-SUN": "week",
    "M": "month",
    "MS": "month",
    "ME": "month",
    "Q": "quarter",
    "QS": "quarter",
    "QE": "quarter",
    "Y": "year",
    "YS": "year",
    "YE": "year",
}
#: RE2 class of characters that continue a word (Unicode letters, digits, underscore).
_WORD = r"\pL\pN_"


# ------------------------------------------------------------------ connection and input
def connect(threads: int = 1, memory_limit: str | None = None) -> duckdb.DuckDBPyConnection:
    """A new in-memory DuckDB connection with a fixed thread count and UTC session time zone.

    Parameters
    ----------
    threads : int
        Worker threads (`config.analysis.threads`): fixed for reproducible timings.
    memory_limit : str, optional
        DuckDB memory limit, e.g. "4GB"; larger-than-memory work spills to a temp folder.
    """
    con = duckdb.connect()
    con.execute(f"SET threads = {int(threads)}")
    con.execute("SET TimeZone = 'UTC'")
    # results are ordered explicitly; not keeping scan order saves memory on large tables
    con.execute("SET preserve_insertion_order = false")
    if memory_limit:
        con.execute(f"SET memory_limit = {literal(memory_limit)}")
    return con


def literal(value: str) -> str:
    """A SQL string literal."""
    return "'" + str(value).replace("'", "''") + "'"


def ident(name: str) -> str:
    """A quoted SQL identifier (a column name given by the caller)."""
    return '"' + str(name).replace('"', '""') + '"'


def _list_lit(values: Iterable[str]) -> str:
    """A SQL list literal of strings (typed, so an empty list is VARCHAR[])."""
    return "[" + ", ".join(literal(v) for v in values) + "]::VARCHAR[]"


def posts_to_arrow(posts: pd.DataFrame, extra: Sequence[str] = ()) -> pa.Table:
    """The canonical columns of `posts` (plus `extra` ones) as an Arrow table for DuckDB.

    Canonical columns get their canonical Arrow types, so an empty frame still has typed
    list columns; missing canonical columns become nulls.

    Parameters
    ----------
    posts : DataFrame
        Canonical posts frame, possibly with analysis columns (sentiment, topic, ...).
    extra : sequence of str
        Non-canonical columns to carry along.
    """
    arrays, fields = [], []
    for name, (arrow_type, _, _) in COLUMNS.items():
        if name in posts.columns:
            column = posts[name]
            if name == "created_at":
                column = pd.to_datetime(column, utc=True).astype("datetime64[us, UTC]")
            arrays.append(pa.array(column, type=arrow_type, from_pandas=True))
        else:
            arrays.append(pa.nulls(len(posts), type=arrow_type))
        fields.append(pa.field(name, arrow_type))
    for name in extra:
        if name in posts.columns and name not in COLUMNS:
            array = pa.array(posts[name], from_pandas=True)
            arrays.append(array)
            fields.append(pa.field(name, array.type))
    return pa.Table.from_arrays(arrays, schema=pa.schema(fields))


def register_posts(
    con: duckdb.DuckDBPyConnection,
    posts: pd.DataFrame | pa.Table | str | Path,
    name: str = "posts",
    extra: Sequence[str] = (),
) -> None:
    """Make `posts` queryable as view `name`: a Parquet file (or glob), Arrow table or frame.

    Parameters
    ----------
    con : DuckDBPyConnection
    posts : DataFrame, Table, str or Path
        Canonical posts. Parquet is read lazily, only the columns a query needs.
    name : str
        View name.
    extra : sequence of str
        For frames: non-canonical columns to keep (e.g. sentiment, topic).
    """
    if isinstance(posts, str | Path):
        con.execute(
            f"CREATE OR REPLACE VIEW {name} AS SELECT * FROM read_parquet({literal(posts)})"
        )
        return
    table = posts if isinstance(posts, pa.Table) else posts_to_arrow(posts, extra)
    con.register(f"{name}_arrow", table)
    con.execute(f"CREATE OR REPLACE VIEW {name} AS SELECT * FROM {name}_arrow")


def query_frame(
    sql: str, frames: Mapping[str, pd.DataFrame], extra: Sequence[str] = (), threads: int = 1
) -> pd.DataFrame:
    """Run `sql` on small pandas frames registered under the given names; return pandas.

    Used by the pandas-facing analysis functions so that they share the engine's SQL.
    Posts frames (with a `created_at` column and canonical columns) are converted with
    `posts_to_arrow`; other frames are registered as they are.
    """
    con = connect(threads)
    try:
        for name, frame in frames.items():
            if "post_type" in frame.columns and "created_at" in frame.columns:
                register_posts(con, frame, name, extra=extra)
            else:
                con.register(name, frame)
        return con.execute(sql).df()
    finally:
        con.close()


# ------------------------------------------------------------------ selections
def is_brand_sql(alias: str = "") -> str:
    """SQL condition: the post is by a brand account (`is_brand`, null counted as a customer)."""
    return f"coalesce({alias}is_brand, false)"


def selection_sql(
    authors: str = "all", include_shares: bool = False, originals: bool = False
) -> str:
    """A SQL condition selecting posts by author kind and post type.

    Parameters
    ----------
    authors : {"all", "brand", "customers"}
        Whose posts (by `is_brand`, null counted as a customer).
    include_shares : bool
        Keep shares (retweets, boosts), whose counts belong to the original post.
    originals : bool
        Only the author's own content: post types `post` and `quote`.
    """
    if authors not in ("all", "brand", "customers"):
        raise ValueError(f"authors must be 'all', 'brand' or 'customers', not {authors!r}")
    parts = ["true"]
    if authors == "brand":
        parts.append(is_brand_sql())
    elif authors == "customers":
        parts.append(f"NOT {is_brand_sql()}")
    if not include_shares:
        parts.append("post_type <> 'share'")
    if originals:
        parts.append("post_type IN ('post', 'quote')")
    return " AND ".join(parts)


def local_sql(tz: str, column: str = "created_at") -> str:
    """Wall-clock local time in `tz` of a UTC timestamp column (DST-correct, ICU tz database)."""
    return f"timezone({literal(tz)}, {column})"


# ------------------------------------------------------------------ per post
def scored_sql(source: str = "posts", where: str = "true") -> str:
    """Per-post interactions and rates (formulas: `toolkit.analysis.engagement.post_engagement`)."""
    ratio = "CASE WHEN {den} > 0 THEN {num} / {den} END"
    rates = {
        "engagement_rate_followers": ("interactions", "author_followers"),
        "engagement_rate_views": ("interactions", "views"),
        "conversation_rate": ("replies", "author_followers"),
        "amplification_rate": ("shares", "author_followers"),
        "applause_rate": ("likes", "author_followers"),
        "virality": ("shares", "views"),
    }
    columns = ",\n  ".join(
        ratio.format(num=num, den=den) + f"::DOUBLE AS {name}" for name, (num, den) in rates.items()
    )
    total = " + ".join(f"coalesce({c}, 0)" for c in INTERACTION_COLUMNS)
    return (
        f"SELECT *,\n  {columns}\nFROM (SELECT *, ({total})::BIGINT AS interactions "
        f"FROM {source} WHERE {where})"
    )


# ------------------------------------------------------------------ KPIs
def kpis_sql(source: str, by: Sequence[str]) -> str:
    """KPI columns (see `toolkit.analysis.engagement.kpis_by_platform`) per group of `by` over a
    scored relation."""
    keys = ", ".join(by)
    head = f"{keys}, " if by else ""
    return f"""
SELECT {head}
  count(*)::BIGINT AS n_posts,
  count(DISTINCT author)::BIGINT AS n_authors,
  sum(interactions)::BIGINT AS total_interactions,
  avg(interactions)::DOUBLE AS mean_interactions,
  median(engagement_rate_followers)::DOUBLE AS median_engagement_rate_followers,
  avg(engagement_rate_followers)::DOUBLE AS mean_engagement_rate_followers,
  median(engagement_rate_views)::DOUBLE AS median_engagement_rate_views,
  avg(engagement_rate_views)::DOUBLE AS mean_engagement_rate_views,
  median(conversation_rate)::DOUBLE AS median_conversation_rate,
  median(amplification_rate)::DOUBLE AS median_amplification_rate,
  median(applause_rate)::DOUBLE AS median_applause_rate,
  median(virality)::DOUBLE AS median_virality,
  avg(CASE WHEN views > 0 THEN 1.0 ELSE 0.0 END)::DOUBLE AS share_with_views,
  avg(CASE WHEN author_followers > 0 THEN 1.0 ELSE 0.0 END)::DOUBLE AS share_with_followers
FROM ({source})
{"GROUP BY " + keys if by else ""}
{"ORDER BY " + keys if by else ""}
"""


def period_sql(freq: str, tz: str) -> str:
    """Local calendar period start (naive timestamp) of `created_at`; weeks start Monday."""
    part = PERIODS.get(freq.upper() if freq else freq)
    if part is None:
        raise ValueError(f"unknown period {freq!r}; use one of {sorted(PERIODS)}")
    return f"date_trunc('{part}', {local_sql(tz)})::TIMESTAMP"


def best_time_sql(source: str, tz: str, rate: str) -> str:
    """Posts, authors, rated posts and median `rate` per local weekday (0 = Monday) x hour."""
    if rate not in RATE_COLUMNS:
        raise ValueError(f"unknown rate {rate!r}; use one of {RATE_COLUMNS}")
    local = local_sql(tz)
    return f"""
SELECT (isodow({local}) - 1)::BIGINT AS weekday, hour({local})::BIGINT AS hour,
  count(*)::BIGINT AS n_posts, count(DISTINCT author)::BIGINT AS n_authors,
  count({rate})::BIGINT AS n_rated, median({rate})::DOUBLE AS median_rate
FROM ({source}) GROUP BY ALL ORDER BY weekday, hour
"""


def best_time_grid(cells: pd.DataFrame, min_posts: int) -> pd.DataFrame:
    """All 7 x 24 weekday x hour cells from `best_time_sql` rows, rates masked below support."""
    grid = pd.MultiIndex.from_product([range(7), range(24)], names=["weekday", "hour"])
    out = cells.set_index(["weekday", "hour"]).reindex(grid)
    counts = ["n_posts", "n_authors", "n_rated"]
    out[counts] = out[counts].fillna(0).astype("int64")
    out["median_rate"] = out["median_rate"].astype("float64").where(out["n_rated"] >= min_posts)
    out["masked"] = out["n_rated"] < min_posts
    out = out.reset_index()
    out.insert(1, "weekday_name", out["weekday"].map(dict(enumerate(WEEKDAY_NAMES))))
    return out


def hashtags_sql(source: str, min_posts: int) -> str:
    """Per hashtag (each post once per distinct tag): posts, authors, brand posts, interactions."""
    return f"""
WITH tags AS (
  SELECT author, is_brand, interactions, engagement_rate_followers,
    unnest(list_distinct(list_filter(
      list_transform(hashtags, lambda x: lower(ltrim(x, '@#'))), lambda x: x <> ''))) AS hashtag
  FROM ({source}) WHERE len(hashtags) > 0)
SELECT hashtag, count(*)::BIGINT AS n_posts, count(DISTINCT author)::BIGINT AS n_authors,
  sum(CASE WHEN coalesce(is_brand, false) THEN 1 ELSE 0 END)::BIGINT AS n_brand_posts,
  sum(interactions)::BIGINT AS total_interactions,
  median(interactions)::DOUBLE AS median_interactions,
  median(engagement_rate_followers)::DOUBLE AS median_engagement_rate_followers
FROM tags GROUP BY hashtag HAVING count(*) >= {int(min_posts)}
ORDER BY n_posts DESC, hashtag
"""


# ------------------------------------------------------------------ term matching
def term_regex(terms: Iterable[str], prefix: str = "") -> str | None:
    """RE2 pattern matching any term as a whole word, case-insensitively (None if no terms).

    Words of a term may be separated by any whitespace; a leading '@' or '#' is dropped
    and `prefix` (e.g. '#') is required instead.
    """
    parts = []
    for term in terms:
        words = str(term).strip().lstrip("@#").split()
        if words:
            parts.append(prefix + r"\s+".join(_re2_escape(w) for w in words))
    if not parts:
        return None
    return rf"(?i)(?:^|[^{_WORD}])(?:{'|'.join(parts)})(?:[^{_WORD}]|$)"


def _re2_escape(word: str) -> str:
    """Escape regex punctuation for RE2 (which rejects escaped letters and spaces)."""
    return re.sub(r"([\\.^$|?*+()\[\]{}#&~\-])", r"\\\1", word)


def norm_terms(terms: Iterable[str]) -> list[str]:
    """Handles and names lower-cased without a leading '@' or '#', once each, sorted."""
    return sorted(
        {str(t).strip().lower().lstrip("@#") for t in terms if str(t).strip().lstrip("@#")}
    )


#: Lower-cased mentions without '@' (NULL when a post has none, which skips the lambda).
MENTIONS_LC = (
    "CASE WHEN len(mentions) > 0 THEN list_transform(mentions, lambda x: lower(ltrim(x, '@#'))) END"
)
TAGS_LC = (
    "CASE WHEN len(hashtags) > 0 THEN list_transform(hashtags, lambda x: lower(ltrim(x, '@#'))) END"
)


def mentions_sql(
    terms: Iterable[str],
    prefix: str = "",
    in_tags: bool = False,
    text: bool = True,
    lists: str | None = None,
) -> str:
    """SQL condition: a post names any of `terms` (as a mention, or with `in_tags` a hashtag,
    or, with `text`, as a whole word of the text); case-insensitive.

    Parameters
    ----------
    terms : iterable of str
        Handles and names; a leading '@' or '#' is ignored.
    prefix : str
        Required before a term in the text (e.g. '#').
    in_tags : bool
        Look in `hashtags` instead of `mentions`.
    text : bool
        Also look in the text.
    lists : str, optional
        SQL of the lower-cased list column to look in (default `MENTIONS_LC` / `TAGS_LC`).
    """
    terms = list(terms)
    handles = norm_terms(terms)
    if not handles:
        return "false"
    lists = lists or (TAGS_LC if in_tags else MENTIONS_LC)
    parts = [f"coalesce(list_has_any({lists}, {_list_lit(handles)}), false)"]
    if text:
        parts.append(text_match_sql(terms, prefix))
    return "(" + " OR ".join(parts) + ")"


def text_match_sql(terms: Iterable[str], prefix: str = "") -> str:
    """SQL condition: the text has one of `terms` as a whole word (`term_regex`), never null."""
    terms = list(terms)
    pattern = term_regex(terms, prefix)
    if pattern is None:
        return "false"
    # a cheap case-insensitive substring test first, so the regex only runs on candidates
    words = {w.lower() for t in terms for w in str(t).strip().lstrip("@#").split()[:1]}
    words = sorted(w for w in words if not any(o != w and o in w for o in words))
    candidates = " OR ".join(f"text ILIKE {literal('%' + w + '%')}" for w in words)
    # CASE, unlike AND in a projection, evaluates the regex only on the candidate rows
    return (
        f"coalesce(CASE WHEN {candidates} THEN regexp_matches(text, {literal(pattern)}) END, false)"
    )


def share_of_voice_sql(
    source: str, entities: Mapping[str, Iterable[str]], conditions: Mapping[str, str] | None = None
) -> str:
    """Customer posts (no shares) naming each entity, per platform and overall ('all').

    `conditions` (entity -> SQL condition) replaces `mentions_sql(terms)`, e.g. with
    precomputed flag columns of `prepare_sql`.
    """
    conditions = conditions or {name: mentions_sql(terms) for name, terms in entities.items()}
    flags = ", ".join(f"CASE WHEN {conditions[name]} THEN {literal(name)} END" for name in entities)
    return f"""
WITH hits AS (
  SELECT platform, author, unnest(list_filter([{flags}]::VARCHAR[], lambda x: x IS NOT NULL)) AS entity
  FROM {source} WHERE {selection_sql("customers")})
SELECT coalesce(platform, 'all') AS platform, entity,
  count(*)::BIGINT AS n_posts, count(DISTINCT author)::BIGINT AS n_authors
FROM hits GROUP BY GROUPING SETS ((platform, entity), (entity))
"""


def share_of_voice_table(counts: pd.DataFrame, entity_order: Sequence[str]) -> pd.DataFrame:
    """Order `share_of_voice_sql` rows (platforms, then 'all') and add shares per platform."""
    columns = ["platform", "entity", "n_posts", "n_authors", "share_of_voice"]
    if counts.empty:
        return pd.DataFrame(
            {
                c: pd.Series(dtype={"platform": "object", "entity": "object"}.get(c, "int64"))
                for c in columns
            }
        ).astype({"share_of_voice": "float64"})
    out = counts.copy()
    out["share_of_voice"] = out["n_posts"] / out.groupby("platform")["n_posts"].transform("sum")
    order = {name: i for i, name in enumerate(entity_order)}
    out = out.assign(_all=out["platform"] == "all", _order=out["entity"].map(order))
    out = out.sort_values(["_all", "platform", "_order"], kind="stable")
    out[["n_posts", "n_authors"]] = out[["n_posts", "n_authors"]].astype("int64")
    return out[columns].reset_index(drop=True)


def replies_to_sql(handles: Iterable[str], alias: str = "") -> str:
    """SQL condition: the post replies to one of `handles` (`reply_to_author`, any case)."""
    author = f"lower(ltrim(coalesce({alias}reply_to_author, ''), '@'))"
    return f"list_contains({_list_lit(norm_terms(handles))}, {author})"


# ------------------------------------------------------------------ daily series
def local_date_sql(tz: str) -> str:
    """Local calendar day in `tz` of `created_at`, as a naive midnight timestamp."""
    return f"date_trunc('day', {local_sql(tz)})::TIMESTAMP"


def daily_sql(
    source: str,
    tz: str,
    authors: str = "customers",
    score: str | None = None,
    label: str | None = None,
) -> str:
    """Posts, distinct authors, mean `score` and share labelled negative per local day."""
    tone = f"avg({ident(score)})::DOUBLE" if score else "NULL::DOUBLE"
    negative = (
        f"avg(CASE WHEN {ident(label)} = 'negative' THEN 1.0 "
        f"WHEN {ident(label)} IS NULL THEN NULL ELSE 0.0 END)::DOUBLE"
        if label
        else "NULL::DOUBLE"
    )
    return f"""
SELECT {local_date_sql(tz)} AS date, count(*)::BIGINT AS n_posts,
  count(DISTINCT author)::BIGINT AS n_authors, {tone} AS mean_sentiment, {negative} AS share_negative
FROM {source} WHERE {selection_sql(authors)} GROUP BY ALL ORDER BY date
"""


# ------------------------------------------------------------------ campaigns
def campaign_terms_sql(hashtags: Iterable[str], offer_codes: Iterable[str]) -> str:
    """SQL list of the campaign hashtags and offer codes a post uses (lower-cased).

    A hashtag is used when it is in `hashtags` or written as ``#tag`` in the text; an offer
    code when it is a whole word of the text; case-insensitive.
    """
    cases = []
    for tag in _ordered_terms(hashtags):
        cond = mentions_sql([tag], prefix="#", in_tags=True)
        cases.append(f"CASE WHEN {cond} THEN {literal(tag)} END")
    for code in _ordered_terms(offer_codes):
        cond = text_match_sql([code])
        cases.append(f"CASE WHEN {cond} THEN {literal(code)} END")
    if not cases:
        return "[]::VARCHAR[]"
    return f"list_filter([{', '.join(cases)}]::VARCHAR[], lambda x: x IS NOT NULL)"


def _ordered_terms(values: Iterable[str]) -> list[str]:
    """Lower-cased terms without '#', in the given order, once each."""
    out = [v.strip().lstrip("#").lower() for v in values if v and v.strip().lstrip("#")]
    return list(dict.fromkeys(out))


def campaign_rows_sql(
    source: str,
    tz: str,
    hashtags: Iterable[str],
    offer_codes: Iterable[str],
    terms: str | None = None,
    scored: bool = False,
) -> str:
    """Rows a campaign needs: brand original posts (all of them) and customer posts using a
    campaign term, with their local day, terms, interactions and rates; no shares.

    `terms` replaces `campaign_terms_sql(...)` (e.g. a precomputed column); `scored` says
    that `source` already has the `scored_sql` columns.
    """
    terms = terms or campaign_terms_sql(hashtags, offer_codes)
    where = selection_sql("all")
    rows = f"SELECT * FROM {source} WHERE {where}" if scored else scored_sql(source, where)
    return f"""
SELECT platform, post_id, author, is_brand, post_type, created_at, date, terms,
  author_followers, views, likes, shares, replies, quotes, interactions,
  engagement_rate_followers, engagement_rate_views, virality
FROM (SELECT *, {local_date_sql(tz)} AS date, {terms} AS terms
      FROM ({rows}))
WHERE len(terms) > 0 OR ({is_brand_sql()} AND post_type IN ('post', 'quote'))
ORDER BY created_at, platform, post_id
"""


def covered_days_sql(source: str, tz: str) -> str:
    """First and last local day with any post (local time is monotonic in UTC time, so the
    conversion is done on the two extremes only)."""
    first = f"date_trunc('day', timezone({literal(tz)}, min(created_at)))::TIMESTAMP"
    last = f"date_trunc('day', timezone({literal(tz)}, max(created_at)))::TIMESTAMP"
    return f"SELECT {first} AS first, {last} AS last FROM {source}"


# ------------------------------------------------------------------ the full metric set
def prepare_sql(
    source: str,
    handles: Iterable[str],
    names: Iterable[str],
    entities: Mapping[str, Iterable[str]],
    campaigns: Sequence = (),
    extra: Sequence[str] = (),
) -> str:
    """A view of the posts with what the metrics need: per-post rates (`scored_sql`) and
    every text test as a column (brand mentions, replies and names, share-of-voice entities as
    `sov_<i>`, campaign terms as `campaign_<i>`); the text itself is left out. DuckDB only
    computes the columns a query uses, so each test runs once, in the query that needs it."""
    ml = "_ml"
    sov = "".join(
        f",\n  {mentions_sql(terms, lists=ml)} AS sov_{i}"
        for i, terms in enumerate(entities.values())
    )
    terms = "".join(
        f",\n  {campaign_terms_sql(c.hashtags, c.offer_codes)} AS campaign_{i}"
        for i, c in enumerate(campaigns)
    )
    kept = "".join(f", {ident(c)}" for c in extra)
    names = [n for n in names if n and str(n).strip()]
    return f"""
SELECT platform, post_id, post_type, reply_to_id, thread_id, created_at, author,
  is_brand, likes, shares, replies, quotes, views, author_followers, {TAGS_LC} AS hashtags,
  interactions,
  {", ".join(RATE_COLUMNS)}{kept},
  CASE WHEN {is_brand_sql()} THEN {ml} END AS mention_lc,
  {mentions_sql(handles, text=False, lists=ml)} AS mentions_brand,
  {replies_to_sql(handles)} AS replies_brand,
  {mentions_sql(names, lists=ml) if names else "false"} AS names_brand{sov}{terms}
FROM (SELECT *, {MENTIONS_LC} AS {ml} FROM ({scored_sql(source)}))
"""
