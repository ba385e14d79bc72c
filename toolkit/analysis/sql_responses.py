"""Brand responses as DuckDB SQL: customer requests to the brand and the first brand response.

`create_responses` builds the table of requests (one row per customer and thread, or per post)
with the brand's first response found in the reply tree or by a later mention in the thread;
`response_summary_sql` and `oldest_unanswered_sql` query that table. The definitions are in
`toolkit.analysis.attentiveness.brand_responses`; the shared query pieces (term matching,
selections, literals) in `toolkit.analysis.sql`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import duckdb
import pandas as pd

from toolkit.analysis.sql import (
    MENTIONS_LC,
    ident,
    is_brand_sql,
    literal,
    local_sql,
    mentions_sql,
    norm_terms,
    replies_to_sql,
)

#: How many reply links a brand response may be below the request.
MAX_REPLY_DEPTH = 50


def create_responses(
    con: duckdb.DuckDBPyConnection,
    source: str = "posts",
    handles: Iterable[str] = (),
    names: Iterable[str] = (),
    sla_hours: float = 24.0,
    unit: str = "thread",
    keep: Sequence[str] = (),
    table: str = "responses",
    max_depth: int = MAX_REPLY_DEPTH,
    conditions: Mapping[str, str] | None = None,
) -> None:
    """Create table `table`: one row per customer request to the brand and its first response.

    Definitions: `toolkit.analysis.attentiveness.brand_responses`. `conditions` may give precomputed
    SQL for "mention_lc" (lower-cased mentions), "mentions_brand", "names_brand" and
    "replies_brand" (customer row alias `c.`; see `toolkit.analysis.sql.prepare_sql`); by default they are
    computed from `handles` and `names`.
    """
    if unit not in ("thread", "post"):
        raise ValueError(f"unit must be 'thread' or 'post', not {unit!r}")
    handles = norm_terms(handles)
    names = [n for n in names if n and str(n).strip()]
    cond = {
        "mention_lc": MENTIONS_LC,
        "replies_brand": replies_to_sql(handles, "c."),
        "mentions_brand": mentions_sql(handles, text=False),
        "names_brand": mentions_sql(names) if names else "false",
        **(conditions or {}),
    }
    unit_key = "coalesce(c.thread_id, c.post_id)" if unit == "thread" else "c.post_id"
    kept = "".join(f", c.{ident(k)}" for k in keep)
    first_fields = ", ".join(
        f"{ident(k)} := {ident(k)}"
        for k in ["created_at", "post_id", "thread_id", "addressed_by", *keep]
    )
    statements = [
        f"""CREATE OR REPLACE TEMP TABLE _brand AS
        SELECT platform, post_id, reply_to_id, thread_id, created_at, {cond["mention_lc"]} AS mention_lc
        FROM {source} WHERE {is_brand_sql()}""",
        f"""CREATE OR REPLACE TEMP TABLE _addressed AS
        SELECT * FROM (
          SELECT c.platform, c.post_id, c.author, c.created_at, c.thread_id{kept},
            {unit_key} AS unit_key,
            CASE WHEN {cond["replies_brand"]} OR b.post_id IS NOT NULL THEN 'reply'
                 WHEN {cond["mentions_brand"]} THEN 'mention'
                 WHEN {cond["names_brand"]} THEN 'name' END AS addressed_by
          FROM {source} c
          LEFT JOIN (SELECT DISTINCT platform, post_id FROM _brand) b
            ON b.platform = c.platform AND b.post_id = c.reply_to_id
          WHERE NOT {is_brand_sql("c.")} AND c.post_type <> 'share')
        WHERE addressed_by IS NOT NULL""",
        f"""CREATE OR REPLACE TEMP TABLE _units AS
        SELECT platform, unit_key, author, first.*, n_customer_posts FROM (
          SELECT platform, unit_key, author, min(struct_pack({first_fields})) AS first,
            count(*)::BIGINT AS n_customer_posts
          FROM _addressed GROUP BY platform, unit_key, author)""",
        f"""CREATE OR REPLACE TEMP TABLE _up AS
        WITH RECURSIVE up(platform, response_id, response_at, ancestor_id, depth) AS (
          SELECT platform, post_id, created_at, reply_to_id, 1 FROM _brand WHERE reply_to_id IS NOT NULL
          UNION ALL
          SELECT up.platform, up.response_id, up.response_at, p.reply_to_id, up.depth + 1
          FROM up JOIN (SELECT platform, post_id, reply_to_id FROM {source}
                        WHERE reply_to_id IS NOT NULL) p
            ON p.platform = up.platform AND p.post_id = up.ancestor_id
          WHERE up.depth < {int(max_depth)})
        SELECT * FROM up""",
        """CREATE OR REPLACE TEMP TABLE _first AS
        SELECT platform, unit_key, author, first.* FROM (
          SELECT platform, unit_key, author,
            min(struct_pack(response_at := response_at, response_id := response_id,
                            response_match := response_match)) AS first
          FROM (
            SELECT a.platform, a.unit_key, a.author, up.response_id, up.response_at,
              CASE WHEN up.depth = 1 THEN 'reply' ELSE 'tree' END AS response_match
            FROM _up up JOIN _addressed a ON a.platform = up.platform AND a.post_id = up.ancestor_id
            UNION ALL
            SELECT u.platform, u.unit_key, u.author, b.post_id, b.created_at, 'thread_mention'
            FROM _units u JOIN _brand b ON b.platform = u.platform AND b.thread_id = u.thread_id
            WHERE list_contains(b.mention_lc, lower(u.author)) AND b.created_at >= u.created_at)
          GROUP BY platform, unit_key, author)""",
        f"""CREATE OR REPLACE TEMP TABLE {table} AS
        WITH joined AS (
          SELECT u.*, f.response_id, f.response_at, f.response_match,
            date_diff('microsecond', u.created_at, f.response_at) / 3600e6 AS _hours
          FROM _units u LEFT JOIN _first f USING (platform, unit_key, author))
        SELECT platform, post_id, author, created_at, thread_id, addressed_by, n_customer_posts,
          response_id IS NOT NULL AS responded, response_id, response_at, response_match,
          (CASE WHEN _hours < 0 THEN 0.0 ELSE _hours END)::DOUBLE AS response_hours,
          coalesce(_hours < 0, false) AS clock_skew,
          coalesce(_hours <= {float(sla_hours)}, false) AS within_sla{"".join(f", {ident(k)}" for k in keep)}
        FROM joined""",
    ]
    for statement in statements:
        con.execute(statement)
    for name in ("_brand", "_addressed", "_units", "_up", "_first"):
        con.execute(f"DROP TABLE IF EXISTS {name}")


def response_summary_sql(source: str, by: Sequence[str], tz: str = "UTC") -> str:
    """Response rate, first-response median / p90 and SLA share per group of `by` (which may
    include the local "weekday" and "hour" of the customer's first post)."""
    by = list(by)
    local = local_sql(tz)
    derived = {"weekday": f"(isodow({local}) - 1)::BIGINT", "hour": f"hour({local})::BIGINT"}
    extra = "".join(f", {expr} AS _{name}" for name, expr in derived.items() if name in by)
    inner = f"SELECT *{extra} FROM {source}"
    groups = ", ".join(f"_{c}" if c in derived else ident(c) for c in by)
    selected = "".join(f"_{c} AS {c}, " if c in derived else f"{ident(c)}, " for c in by)
    answered = "CASE WHEN responded THEN response_hours END"
    return f"""
SELECT {selected}
  count(*)::BIGINT AS n_posts,
  count(DISTINCT author)::BIGINT AS n_authors,
  sum(responded::INTEGER)::BIGINT AS n_responded,
  (sum(responded::INTEGER) / count(*))::DOUBLE AS response_rate,
  quantile_cont({answered}, 0.5)::DOUBLE AS median_response_hours,
  quantile_cont({answered}, 0.9)::DOUBLE AS p90_response_hours,
  avg(within_sla::INTEGER)::DOUBLE AS share_within_sla,
  sum(clock_skew::INTEGER)::BIGINT AS n_clock_skew,
  sum(n_customer_posts)::BIGINT AS n_customer_posts
FROM ({inner})
{"GROUP BY " + groups if by else ""}
{"ORDER BY " + groups if by else ""}
"""


def oldest_unanswered_sql(source: str, now: pd.Timestamp, n: int, keep: Sequence[str] = ()) -> str:
    """The `n` oldest requests without a response, with their age in hours at `now`."""
    kept = "".join(f", {ident(k)}" for k in keep)
    return f"""
SELECT platform, post_id, author, created_at, addressed_by{kept},
  (date_diff('microsecond', created_at, {literal(now.isoformat())}::TIMESTAMPTZ) / 3600e6)::DOUBLE
    AS age_hours
FROM {source} WHERE NOT responded ORDER BY created_at, platform, post_id LIMIT {int(n)}
"""
