"""Publishing the metric set: which `compute_metrics` table is suppressed how.

`SUPPRESSION` maps each customer-derived table of `toolkit.pipeline.metrics.compute_metrics` to
its small-group policy (the entries of `toolkit.privacy.disclosure`'s table registry, the same
ones the notebooks publish with); `UNSUPPRESSED` says why the other tables are published as
they are; `published_metrics` applies both before a table goes into a report.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from toolkit.analysis.attentiveness import published_requests
from toolkit.privacy import disclosure


#: How each table of `compute_metrics` is suppressed: the policies of `toolkit.privacy.disclosure`
#: (one registry; the notebooks' tables of the same content use the same entries). None as
#: `by` of a policy below is replaced by the table's first column (the topic column, whatever
#: it is called). Brand-only tables are absent: they describe the brand's own public accounts.
def _suppression() -> dict:
    d = disclosure
    campaign_daily = d.table_policy("campaign_*_daily")
    campaign_phases = d.table_policy("campaign_*_phases")
    return {
        "hashtags": d.suppress("hashtag"),
        "share_of_voice": d.table_policy("share_of_voice"),
        "responses_by_platform": d.table_policy("attentiveness_by_platform"),
        "responses_by_weekday_hour": d.table_policy("attentiveness_by_weekday_hour"),
        "responses_overall": d.suppress(),
        "responses_by_topic": None,
        "daily": d.table_policy("tone_daily"),
        "spikes_volume": d.table_policy("tone_spikes"),
        "spikes_sentiment": d.table_policy("tone_dips"),
        "campaign_phases": d.suppress("campaign", "phase", value_cols=campaign_phases.value_cols),
        "campaign_daily": d.suppress("campaign", "date", value_cols=campaign_daily.value_cols),
        "campaign_terms": d.suppress("campaign", "term"),
    }


SUPPRESSION = _suppression()
#: Tables published without suppression, and why.
UNSUPPRESSED = {
    "kpis_by_platform": "brand posts only: describes the brand's own accounts",
    "kpis_over_time": "brand posts only",
    "top_brand_posts": "brand posts only; text only as privacy.quotes allows (apply "
    "`toolkit.privacy.disclosure.with_brand_text`)",
    "best_time": "brand posts only",
    "oldest_unanswered": "a list of requests: published as ranks, pseudonyms and days "
    "(`toolkit.analysis.attentiveness.published_requests`), never post ids or exact times",
    "campaign_summary": "brand campaign posts; customer uptake totals are suppressed below k authors",
}


def published_metrics(metrics: Mapping[str, pd.DataFrame], k: int) -> dict[str, pd.DataFrame]:
    """`compute_metrics` tables ready to publish: customer-derived cells with fewer than `k`
    distinct authors blanked (policies of `toolkit.privacy.disclosure`), and the oldest unanswered
    requests without post ids or exact times.

    Parameters
    ----------
    metrics : mapping of str to DataFrame
        Output of `compute_metrics`.
    k : int
        `config.privacy.min_group_size`.
    """
    out = {}
    for name, table in metrics.items():
        if name in SUPPRESSION:
            policy = SUPPRESSION[name] or disclosure.suppress(table.columns[0])
            out[name] = policy.apply(table, k)
        elif name == "campaign_summary":
            out[name] = _suppress_summary(table, k)
        elif name == "oldest_unanswered":
            out[name] = published_requests(table)
        else:
            out[name] = table
    return out


def _suppress_summary(table: pd.DataFrame, k: int) -> pd.DataFrame:
    if table.empty:
        return table
    out = table.copy()
    small = ~(pd.to_numeric(out["uptake_authors"], errors="coerce") >= k)
    for column in ("uptake_posts", "uptake_authors", "uptake_lift"):
        out[column] = out[column].astype("float64").where(~small)
    out["suppressed"] = small
    return out
