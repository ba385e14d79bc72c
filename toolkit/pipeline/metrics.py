"""The full metric set of a dataset in one pass: `compute_metrics`.

The one orchestration of the aggregate analyses: it registers the posts (a frame, an Arrow
table or Parquet files) with DuckDB once, prepares every per-post test as a column
(`toolkit.analysis.sql.prepare_sql`) and builds each table with the queries of
`toolkit.analysis.sql` and the table functions of `toolkit.analysis.engagement`,
`attentiveness`, `campaigns` and `trends`, the same functions the notebooks call. The metrics
benchmark times it and `toolkit.pipeline.engine.run_pipeline` runs it on the analysed posts
of either engine. `toolkit.pipeline.publish.published_metrics` makes its tables publishable.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa

from toolkit.analysis import attentiveness, campaigns, engagement, trends
from toolkit.analysis.sql import (
    best_time_grid,
    best_time_sql,
    campaign_rows_sql,
    connect,
    covered_days_sql,
    daily_sql,
    hashtags_sql,
    kpis_sql,
    period_sql,
    prepare_sql,
    register_posts,
    selection_sql,
    share_of_voice_sql,
    share_of_voice_table,
)
from toolkit.analysis.sql_responses import (
    create_responses,
    oldest_unanswered_sql,
    response_summary_sql,
)


def compute_metrics(
    posts: pd.DataFrame | pa.Table | str | Path,
    config,
    *,
    now: dt.datetime | str | None = None,
    min_support: int = 3,
    hashtag_min_posts: int = 5,
    freq: str = "W",
    score_col: str | None = None,
    label_col: str | None = None,
    topic_col: str | None = None,
    memory_limit: str | None = None,
    con: duckdb.DuckDBPyConnection | None = None,
) -> dict[str, pd.DataFrame]:
    """The full metric set of a dataset, computed by DuckDB; every value is a DataFrame.

    Tables (row-level inputs never leave DuckDB; only aggregates come back):
    `kpis_by_platform`, `kpis_over_time` (brand posts), `top_brand_posts`, `best_time`
    (weekday x hour, `masked` below `min_support` rated posts), `hashtags`,
    `share_of_voice`, `responses_by_platform`, `responses_by_weekday_hour`,
    `responses_overall`, `responses_by_topic` (with `topic_col`), `oldest_unanswered`,
    `daily` (customer volume and tone), `spikes_volume`, `spikes_sentiment` (with
    `score_col`), and per configured campaign `campaign_phases`, `campaign_daily`,
    `campaign_terms`, `campaign_summary` (one row per campaign). Formulas: the docstrings of
    the `toolkit.analysis.engagement`, `attentiveness`, `campaigns` and `trends` functions of the same
    names. Publish through `toolkit.pipeline.publish.published_metrics` (small-group suppression).

    Parameters
    ----------
    posts : DataFrame, Arrow Table, str or Path
        Canonical posts, or a Parquet file / glob of them.
    config : Config
        Brand (handles, names, timezone), competitors, campaigns, `analysis.threads`,
        `analysis.response_sla_hours`.
    now : datetime or str, optional
        Reference time for the age of unanswered posts; default: the latest post.
    min_support : int
        Best-time cells with fewer rated posts are masked.
    hashtag_min_posts : int
        Hashtags used in fewer posts are left out.
    freq : str
        Period of `kpis_over_time` ("D", "W", "M", "Q", "Y").
    score_col, label_col : str, optional
        Sentiment score / label columns (e.g. "sentiment_compound", "sentiment").
    topic_col : str, optional
        A topic column, for attentiveness by topic.
    memory_limit : str, optional
        DuckDB memory limit, e.g. "4GB".
    con : DuckDBPyConnection, optional
        Use this connection (its thread setting) instead of a new one.
    """
    own = con is None
    con = con or connect(config.analysis.threads, memory_limit)
    extra = [c for c in (score_col, label_col, topic_col) if c]
    try:
        register_posts(con, posts, "posts", extra=extra)
        tz = config.brand.timezone
        platforms = list(config.brand.accounts)
        entities = {
            config.brand.name: config.brand.terms(),
            **{k: list(v) for k, v in config.competitors.items()},
        }
        prepared = prepare_sql(
            "posts", config.brand.handles(), config.brand.names(), entities, config.campaigns, extra
        )
        con.execute(f"CREATE OR REPLACE VIEW base AS {prepared}")
        out: dict[str, pd.DataFrame] = {}
        brand = f"SELECT * FROM base WHERE {selection_sql('brand')}"
        out["kpis_by_platform"] = engagement.kpi_table(
            con.execute(kpis_sql(brand, ["platform"])).df(), platforms
        )
        over_time = f"SELECT *, {period_sql(freq, tz)} AS period FROM ({brand})"
        out["kpis_over_time"] = engagement.kpi_table(
            con.execute(kpis_sql(over_time, ["platform", "period"])).df(),
            keys=["platform", "period"],
        )
        top = [c for c in engagement.TOP_POST_COLUMNS]
        out["top_brand_posts"] = con.execute(
            f"SELECT {', '.join(top)} FROM ({brand}) "
            "ORDER BY interactions DESC NULLS LAST, created_at, platform, post_id LIMIT 10"
        ).df()
        originals = f"SELECT * FROM base WHERE {selection_sql('brand', originals=True)}"
        out["best_time"] = best_time_grid(
            con.execute(best_time_sql(originals, tz, "engagement_rate_followers")).df(), min_support
        )
        everyone = f"SELECT * FROM base WHERE {selection_sql('all')}"
        out["hashtags"] = con.execute(hashtags_sql(everyone, hashtag_min_posts)).df()
        sov = {name: f"sov_{i}" for i, name in enumerate(entities)}
        out["share_of_voice"] = share_of_voice_table(
            con.execute(share_of_voice_sql("base", entities, sov)).df(), list(entities)
        )
        out.update(_attentiveness_tables(con, config, tz, platforms, topic_col, now))
        out.update(_trend_tables(con, tz, score_col, label_col))
        out.update(_campaign_tables(con, config, tz))
        return out
    finally:
        if own:
            con.close()


def _attentiveness_tables(con, config, tz, platforms, topic_col, now) -> dict[str, pd.DataFrame]:
    keep = [topic_col] if topic_col else []
    create_responses(
        con,
        "base",
        handles=config.brand.handles(),
        names=config.brand.names(),
        sla_hours=config.analysis.response_sla_hours,
        keep=keep,
        conditions={
            "mention_lc": "mention_lc",
            "mentions_brand": "mentions_brand",
            "names_brand": "names_brand",
            "replies_brand": "c.replies_brand",
        },
    )
    summary = lambda by: con.execute(response_summary_sql("responses", by, tz)).df()  # noqa: E731
    out = {
        "responses_by_platform": attentiveness.summary_table(
            summary(["platform"]), ["platform"], platforms
        ),
        "responses_by_weekday_hour": attentiveness.summary_table(
            summary(["weekday", "hour"]), ["weekday", "hour"]
        ),
        "responses_overall": attentiveness.summary_table(summary([]), []),
    }
    if topic_col:
        out["responses_by_topic"] = attentiveness.summary_table(summary([topic_col]), [topic_col])
    if now is None:
        now = con.execute("SELECT max(created_at) FROM base").fetchone()[0] or dt.datetime.now(
            dt.UTC
        )
    out["oldest_unanswered"] = con.execute(
        oldest_unanswered_sql("responses", _utc(now), 10, keep)
    ).df()
    return out


def _utc(value) -> pd.Timestamp:
    stamp = pd.Timestamp(value)
    return stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")


def _trend_tables(con, tz, score_col, label_col) -> dict[str, pd.DataFrame]:
    daily = trends.fill_days(
        con.execute(daily_sql("base", tz, "customers", score_col, label_col)).df()
    )
    out = {"daily": daily, "spikes_volume": trends.detect_spikes(daily, "n_posts")}
    if score_col:
        out["spikes_sentiment"] = trends.detect_spikes(
            daily, "mean_sentiment", direction="down", counts=False
        )
    return out


def _campaign_tables(con, config, tz) -> dict[str, pd.DataFrame]:
    first, last = con.execute(covered_days_sql("base", tz)).fetchone()
    covered = (pd.Timestamp(first), pd.Timestamp(last)) if first is not None else (pd.NaT, pd.NaT)
    tables: dict[str, list[pd.DataFrame]] = {"phases": [], "daily": [], "terms": [], "summary": []}
    for i, campaign in enumerate(config.campaigns):
        sql = campaign_rows_sql(
            "base", tz, campaign.hashtags, campaign.offer_codes, f"campaign_{i}", scored=True
        )
        rows = con.execute(sql).df()
        up = campaigns.uptake_from_rows(rows, campaign, tz, covered)
        tables["phases"].append(up.phases.assign(campaign=campaign.name))
        tables["daily"].append(up.daily.assign(campaign=campaign.name))
        tables["terms"].append(up.terms.assign(campaign=campaign.name))
        tables["summary"].append(pd.DataFrame([campaigns.headline(up)]))
    out = {}
    for name, frames in tables.items():
        frame = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame({"campaign": []})
        if "campaign" in frame.columns:
            frame = frame[["campaign", *[c for c in frame.columns if c != "campaign"]]]
        out[f"campaign_{name}"] = frame
    return out
