"""One disclosure policy for everything a report publishes: which tables and figures may leave
the working data, and how each one's small groups are suppressed.

`TABLES` maps a published table's name (the CSV under ``tables/`` or a table shown on a page)
to its `Policy`; `FIGURES` maps a figure's name to the published tables it is drawn from, or to
the reason it needs none. `Session.save_table`, `Session.publish` and `Session.save_figure`
(toolkit.report.session) look names up here and refuse a name that is not registered, so a new table
cannot reach a report without someone deciding how it is protected. Names may hold `*`
wildcards (``campaign_*_phases``: one table per campaign).

Small groups are suppressed by `suppress_small_groups` (k-anonymity style, with complementary
suppression against margins), the one suppression rule every table goes through. Apart from
suppression, every table is checked for columns that must never be published (platform post
ids, URLs, exact times of customer posts): see `check_columns`.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from toolkit.privacy.exposure import TOTAL, WEEKLY_VALUES


class DisclosureError(ValueError):
    """A table or figure has no disclosure policy, or holds something that may not be published."""


@dataclass(frozen=True)
class Policy:
    """How one table is published.

    by : cell columns for `suppress_small_groups` (cells with fewer than
        ``privacy.min_group_size`` distinct authors are blanked); ``()`` means the whole table
        is one cell; None means the table is published as it is, for `reason`.
    value_cols : columns to blank in a suppressed cell (None: all but `by`).
    total_label : the value marking a margin (total) row in a `by` column.
    published_total : the sum over all cells is published elsewhere (see suppress_small_groups).
    reason : why a table needs no suppression (required when `by` is None).
    """

    by: tuple[str, ...] | None
    value_cols: tuple[str, ...] | None = None
    total_label: str = "Total"
    published_total: bool = False
    reason: str | None = None

    def __post_init__(self):
        if self.by is None and not self.reason:
            raise ValueError("a table published without suppression needs a reason")

    @property
    def suppresses(self) -> bool:
        return self.by is not None

    def apply(self, df: pd.DataFrame, k: int) -> pd.DataFrame:
        """`df` as it may be published: small groups suppressed (a copy), or unchanged."""
        if self.by is None:
            return df
        value_cols = list(self.value_cols) if self.value_cols is not None else None
        if not self.by:  # one overall cell
            keyed = df.assign(_all="all")
            out = suppress_small_groups(keyed, by="_all", k=k, value_cols=value_cols)
            return out.drop(columns="_all")
        return suppress_small_groups(
            df,
            by=list(self.by),
            k=k,
            value_cols=value_cols,
            total_label=self.total_label,
            published_total=self.published_total,
        )


def suppress(
    *by: str,
    value_cols: Sequence[str] | None = None,
    total_label: str = "Total",
    published_total: bool = False,
) -> Policy:
    """A policy that blanks cells (identified by the `by` columns) with fewer than k authors."""
    return Policy(
        by=tuple(by),
        value_cols=tuple(value_cols) if value_cols is not None else None,
        total_label=total_label,
        published_total=published_total,
    )


def as_is(reason: str) -> Policy:
    """A table published without suppression: say why it describes no small group of customers."""
    return Policy(by=None, reason=reason)


BRAND_ONLY = "brand posts only: describes the brand's own public accounts"
_CAMPAIGN_DAILY = ("n_posts", "uptake_posts", "uptake_authors")
_CAMPAIGN_PHASES = ("n_posts", "uptake_posts_per_day", "uptake_posts_lift")

#: Every table a report publishes (as CSV, or shown on a page), by name.
TABLES: dict[str, Policy] = {
    # 01_ingest: an inventory of the input files
    "ingest_reconciliation": as_is("rows per input file: counts of rows, not of people"),
    "ingest_rejects_by_reason": as_is("rejected rows per file and reason: counts of rows"),
    "ingest_platform_profile": as_is(
        "rows and authors per platform: each platform holds the brand's accounts or many customers"
    ),
    "ingest_daily_volume": suppress("date", "platform"),
    # 02_topics
    "topics_other_languages": suppress("language"),
    "topics": suppress("topic"),
    "topics_over_time": suppress("topic", "period"),
    "topics_per_platform": suppress("topic", "platform"),
    # the topic's label (public in `topics`, "(suppressed)" there when small) is not blanked
    "topics_per_campaign": suppress(
        "campaign", "topic", value_cols=("n_posts", "n_authors", "share", "share_outside", "lift")
    ),
    # 03_engagement: the brand's own posts
    "engagement_kpis_by_platform": as_is(BRAND_ONLY),
    "engagement_top_brand_posts": as_is(BRAND_ONLY + "; text only as privacy.quotes allows"),
    "engagement_best_time_top_slots": as_is(BRAND_ONLY),
    # 03_engagement: customers addressing the brand
    "attentiveness_by_platform": suppress("platform"),
    "attentiveness_by_hour": suppress("hour"),
    "attentiveness_by_weekday_hour": suppress("weekday", "hour"),
    "attentiveness_by_topic": suppress("topic_label"),
    "attentiveness_oldest_unanswered_complaints": as_is(
        "a list of requests: rank, pseudonym, day and age in days only (no post ids, no exact "
        "times); text only as privacy.quotes allows"
    ),
    "campaign_*_daily": suppress("date", value_cols=_CAMPAIGN_DAILY),
    "campaign_*_phases": suppress("phase", value_cols=_CAMPAIGN_PHASES),
    "tone_daily": suppress("date"),
    "tone_spikes": suppress("date"),
    "tone_dips": suppress("date"),
    "tone_spike_topics": suppress("topic"),
    "tone_spike_windows": suppress("window"),
    "tone_by_platform": suppress("platform"),
    "tone_brand_replies": suppress("platform"),
    "tone_after_brand_reply": suppress("platform"),
    # the "all" rows are the margins of each entity over the platforms
    "share_of_voice": suppress("platform", "entity", total_label="all"),
    # 04_privacy_risk: counts only
    "privacy_exposure_summary": as_is("dataset-wide totals over all customer posts"),
    "privacy_by_type": suppress("entity_type"),
    # the per-type "Total" rows are margins
    "privacy_by_platform": suppress("platform", "entity_type", total_label=TOTAL),
    "privacy_contact_exposure": suppress("platform"),
    # the total (posts with personal data) is in the exposure summary
    "privacy_author_concentration": suppress("bucket", published_total=True),
    "privacy_by_topic": suppress("topic_label"),
    "privacy_weekly": suppress("week", value_cols=WEEKLY_VALUES, published_total=True),
    "privacy_pseudonymisation": as_is("how pseudonymisation works and how many ids it replaced"),
    # 05_changes: period over period (toolkit.analysis.compare)
    "changes_summary": as_is(
        "dataset-wide volume, tone and response figures of two periods, each already published "
        "in its own period's brief"
    ),
    "changes_campaigns": as_is(
        "each campaign's total uptake in two periods, each already published in its own brief"
    ),
    "changes_topics": as_is(
        "built from the two periods' published topic tables only (toolkit.analysis.compare.match_topics "
        "leaves out the topics they suppressed): every row is a topic of at least k authors"
    ),
}

#: Every figure a report publishes: the published tables it draws (each must have passed
#: through `Session.publish` / `Session.save_table` first), or why it needs none.
FIGURES: dict[str, tuple[str, ...] | str] = {
    "ingest_daily_volume": "posts per platform and day: volume of rows, no customer attribute",
    "topics_sentiment": ("topics",),
    "topics_over_time": ("topics_over_time", "topics"),
    "topics_per_platform": ("topics_per_platform", "topics"),
    "engagement_weekly": BRAND_ONLY,
    "engagement_best_time": BRAND_ONLY,
    "attentiveness_by_platform": ("attentiveness_by_platform",),
    "attentiveness_by_hour": ("attentiveness_by_hour",),
    "campaign_*": ("campaign_*_daily",),
    "tone_daily": ("tone_daily", "tone_spikes"),
    "privacy_by_platform": ("privacy_by_platform",),
    "privacy_weekly": ("privacy_weekly",),
    "changes_topics": ("changes_topics",),
}

#: Every interactive chart a report publishes (`toolkit.report.interactive`, `Session.save_chart`) and
#: the published tables it draws. Unlike a PNG, a chart's hover shows exact values, so every
#: chart must be drawn from suppressed, published tables: there is no "reason" entry here.
CHARTS: dict[str, tuple[str, ...]] = {
    "ingest_daily_volume": ("ingest_daily_volume",),
    "tone_daily": ("tone_daily", "tone_spikes"),
    "topics_over_time": ("topics_over_time", "topics"),
}

#: Columns that identify a platform post or account, or carry its exact time: never published.
FORBIDDEN_COLUMNS = frozenset(
    {
        "post_id",
        "parent_id",
        "conversation_id",
        "root_id",
        "reply_to_id",
        "quoted_id",
        "author_id",
        "url",
        "permalink",
        "created_at",
    }
)


def _lookup(registry: dict, name: str, what: str):
    if name in registry:
        return registry[name], name
    for pattern, value in registry.items():
        if "*" in pattern and fnmatch.fnmatchcase(name, pattern):
            return value, pattern
    raise DisclosureError(
        f"{what} {name!r} has no disclosure policy: add it to toolkit.privacy.disclosure.{what.upper()}S "
        "(suppress(...) with its cell columns, or as_is(reason))"
    )


def table_policy(name: str) -> Policy:
    """The policy of a published table; DisclosureError when it has none."""
    return _lookup(TABLES, name, "table")[0]


def figure_sources(name: str) -> tuple[str, ...]:
    """The tables a figure draws (with the figure's wildcards filled in), or () when its
    registry entry is a reason; DisclosureError when the figure is not registered."""
    value, pattern = _lookup(FIGURES, name, "figure")
    if isinstance(value, str):
        return ()
    if "*" in pattern:
        stem = _wildcard_value(pattern, name)
        return tuple(source.replace("*", stem) for source in value)
    return tuple(value)


def chart_sources(name: str) -> tuple[str, ...]:
    """The published tables an interactive chart draws; DisclosureError when it is not
    registered in `CHARTS`."""
    return tuple(_lookup(CHARTS, name, "chart")[0])


def _wildcard_value(pattern: str, name: str) -> str:
    head, _, tail = pattern.partition("*")
    return name[len(head) : len(name) - len(tail) if tail else None]


def check_columns(df: pd.DataFrame, name: str) -> None:
    """Refuse post ids, URLs and exact times: a published row must not lead back to a post."""
    bad = sorted(c for c in df.columns if str(c).lower() in FORBIDDEN_COLUMNS)
    if bad:
        raise DisclosureError(
            f"table {name!r} has column(s) {bad} that identify posts or their exact time: "
            "publish a rank or pseudonymous key and a coarse time (day or hour) instead"
        )
    for column in df.columns:
        series = df[column]
        if pd.api.types.is_datetime64_any_dtype(series):
            values = series.dropna()
            if len(values) and (values != values.dt.floor("h")).any():
                raise DisclosureError(
                    f"table {name!r}, column {column!r}: exact times may not be published; "
                    "coarsen to the hour or the day"
                )


def publishable(df: pd.DataFrame, name: str, k: int) -> pd.DataFrame:
    """`df` as the registry lets it be published under `name`: suppressed and checked."""
    policy = table_policy(name)
    check_columns(df, name)
    return policy.apply(df, k)


def with_brand_text(
    table: pd.DataFrame, policy: str, keep_handles: Sequence[str] = (), column: str = "text"
) -> pd.DataFrame:
    """A table of the brand's own posts with their `column` text as `privacy.quotes` allows.

    Brand posts follow the same policy as customer posts (`toolkit.privacy.quoting.quote_column`):
    with "none" the text column is dropped; with "redacted" or "full" the personal data of
    the customers they answer (names, handles, contacts, order numbers) is replaced, "full"
    included. The brand's own handles (`keep_handles`) stay.
    """
    from toolkit.privacy.quoting import quote_column

    if column not in table.columns:
        return table
    if policy == "none":
        return table.drop(columns=column)
    quoted = quote_column(table[column], policy, keep_handles=keep_handles)["quote"]
    return table.assign(**{column: quoted})


# ------------------------------------------------------------------ small-group suppression
def suppress_small_groups(
    df: pd.DataFrame,
    by: str | Sequence[str],
    k: int,
    author_col: str = "author",
    value_cols: Sequence[str] | None = None,
    *,
    total_label: str = "Total",
    published_total: bool = False,
) -> pd.DataFrame:
    """Blank the cells of an aggregate table that describe fewer than `k` distinct authors.

    Two inputs are accepted. A pre-aggregated table with a column ``n_authors`` (distinct
    authors per cell) is used as it is. Otherwise `df` is taken as raw rows (one per post):
    they are grouped by `by` into ``n_posts`` and ``n_authors`` (distinct `author_col`), plus
    the per-group sum of any `value_cols`.

    Primary suppression: a cell with ``n_authors < k`` (or unknown) gets NaN in every value
    column and in ``n_authors``, and ``suppressed=True``.

    Complementary suppression, applied only when a margin is present: for each `by` column,
    the cells that share the other `by` values form a group, and the row whose value in that
    column is `total_label` is the group's margin. If exactly one cell of a group is
    suppressed while its margin is not, its value could be recovered by subtraction, so the
    unsuppressed cell of that group with the smallest ``n_authors`` (first in table order on
    ties) is suppressed too. This repeats until no group changes.

    With `published_total`, the table's grand total is published elsewhere (e.g. "posts with
    personal data" in a summary): if exactly one non-margin cell of the whole table is then
    suppressed, the smallest other cell is suppressed too.

    Parameters
    ----------
    df : DataFrame
        Pre-aggregated table with ``n_authors``, or raw rows with `author_col`.
    by : str or sequence of str
        Columns that identify a cell.
    k : int
        Minimum number of distinct authors a published cell must describe.
    author_col : str
        Author column of raw rows.
    value_cols : sequence of str, optional
        Columns to blank. Default: every column other than the `by` columns, text included
        (a suppressed topic's label or keywords would describe its few authors). For raw
        rows: the columns to sum per group (``n_posts`` is always blanked too).
    total_label : str
        Value in a `by` column that marks a margin (total) row.
    published_total : bool
        The sum over all cells is published elsewhere.

    Returns
    -------
    DataFrame: a copy with value columns as float (NaN where suppressed) and a boolean
    ``suppressed`` column.
    """
    by = [by] if isinstance(by, str) else list(by)
    if k < 1:
        raise ValueError("k must be at least 1")
    missing = [c for c in by if c not in df.columns]
    if missing:
        raise KeyError(f"columns not in the table: {missing}")
    if "n_authors" in df.columns:
        table = df.copy()
    else:
        table = _aggregate_authors(df, by, author_col, value_cols or [])
        value_cols = ["n_posts", *(value_cols or [])]
    if value_cols is None:  # everything that describes the cell: counts, shares, labels, keywords
        value_cols = [c for c in table.columns if c not in by and c != "suppressed"]
    value_cols = list(dict.fromkeys([*value_cols, "n_authors"]))
    n_authors = pd.to_numeric(table["n_authors"], errors="coerce")
    suppressed = ~(n_authors >= k)
    cells = _Cells(table, by, n_authors.fillna(-1).to_numpy(), total_label)
    suppressed = cells.complementary(suppressed.to_numpy())
    if published_total:
        suppressed = cells.against_grand_total(suppressed)
        suppressed = cells.complementary(suppressed)
    out = table.copy()
    for col in value_cols:
        if _numeric(out[col]):
            out[col] = pd.to_numeric(out[col], errors="coerce").astype("float64")
            out.loc[suppressed, col] = np.nan
        else:  # text (a topic's label or keywords) describes the cell too
            out[col] = out[col].astype(object).where(~suppressed, None)
    out["suppressed"] = suppressed
    return out


def _numeric(column: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column)


def _aggregate_authors(
    df: pd.DataFrame, by: list[str], author_col: str, value_cols: Sequence[str]
) -> pd.DataFrame:
    if author_col not in df.columns:
        raise KeyError(f"raw rows need an author column {author_col!r} (or pass n_authors)")
    grouped = df.groupby(by, dropna=False, sort=True)
    table = grouped.size().rename("n_posts").to_frame()
    table["n_authors"] = grouped[author_col].nunique()
    for col in value_cols:
        table[col] = grouped[col].sum()
    return table.reset_index()


@dataclass(frozen=True, eq=False)
class _Cells:
    """The cells of an aggregate table, as complementary suppression sees them."""

    table: pd.DataFrame
    by: list[str]
    #: Distinct authors per row (-1 where unknown).
    sizes: np.ndarray
    #: The value in a `by` column that marks a margin row.
    total_label: str

    def smallest(self, rows: Iterable[int]) -> int:
        """The row with the fewest authors (the first in table order on ties)."""
        return min(rows, key=lambda r: (self.sizes[r], r))

    def against_grand_total(self, suppressed: np.ndarray) -> np.ndarray:
        """One hidden cell next to a published grand total is recoverable: hide the smallest
        other."""
        inner = ~self.table[self.by].eq(self.total_label).any(axis=1).to_numpy()
        hidden = np.flatnonzero(inner & suppressed)
        visible = np.flatnonzero(inner & ~suppressed)
        if len(hidden) != 1 or len(visible) == 0:
            return suppressed
        out = suppressed.copy()
        out[self.smallest(visible)] = True
        return out

    def complementary(self, suppressed: np.ndarray) -> np.ndarray:
        """Hide the smallest visible cell of every group with exactly one hidden cell and a
        visible margin, until no group changes."""
        suppressed = suppressed.copy()
        table, by = self.table, self.by
        keys = table[by].astype(object).where(table[by].notna(), None).to_numpy()
        changed = True
        while changed:
            changed = False
            for col_index in range(len(by)):
                groups: dict[tuple, list[int]] = {}
                margins: dict[tuple, list[int]] = {}
                for row, key in enumerate(keys):
                    rest = tuple(v for i, v in enumerate(key) if i != col_index)
                    target = margins if key[col_index] == self.total_label else groups
                    target.setdefault(rest, []).append(row)
                for rest, rows in groups.items():
                    margin_rows = margins.get(rest, [])
                    if not margin_rows or all(suppressed[r] for r in margin_rows):
                        continue
                    hidden = [r for r in rows if suppressed[r]]
                    visible = [r for r in rows if not suppressed[r]]
                    if len(hidden) == 1 and visible:
                        suppressed[self.smallest(visible)] = True
                        changed = True
        return suppressed
