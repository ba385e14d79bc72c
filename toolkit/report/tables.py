"""Tables for people: how every table shown on a report page reads.

One renderer for every published table: column names in words, counts as integers with
thousands separators, rates and shares as percentages, lists joined, dates without
midnight times, no index, no "nan", and suppressed cells shown as "fewer than k". The CSV
under tables/ is written from the DataFrame itself and stays machine-readable; only the
HTML on the pages goes through `to_html`.

`use_readable_tables(k)` makes it the HTML form of every DataFrame a notebook displays;
the plain-text form (what nbval compares) is left as pandas writes it.
"""

from __future__ import annotations

import html
import re

import numpy as np
import pandas as pd

#: Column names that read better as other words.
COLUMN_WORDS = {
    "n_posts": "posts",
    "n_authors": "authors",
    "n_customer_posts": "customer posts",
    "n_responded": "answered",
    "n_rated": "rated posts",
    "n_replies": "replies",
    "n_threads": "threads",
    "n_days": "days",
    "n_clock_skew": "clock-skew replies",
    "median_response_hours": "median response (h)",
    "p90_response_hours": "90th pct response (h)",
    "share_within_sla": "answered within target",
    "response_rate": "response rate",
    "mean_compound": "mean tone",
    "mean_sentiment": "mean tone",
    "mean_score": "mean tone",
    "share_of_voice": "share of voice",
    "topic_label": "topic",
    "weekday_name": "weekday",
    "z": "z-score",
}
#: Column-name patterns of counts (shown as integers).
_COUNT = re.compile(
    r"^(n_\w+|size|count|likes|shares|replies|quotes|views|interactions|total_\w+|"
    r"posts|authors|recent|previous|\w+_posts|\w+_authors|author_followers|reach|impressions|rows\w*|loaded|rejected|duplicates)$"
)
#: Column-name patterns of shares and rates (shown as percentages).
_SHARE = re.compile(
    r"^(share\w*|\w+_share|response_rate|share_within_sla|negative|positive|neutral)$"
)
#: Column-name patterns of per-post rates (engagement rate, conversation rate, virality):
#: percentages, at the precision of the rate itself (they are medians or means of ratios,
#: not shares of the table's posts).
_RATE = re.compile(r"^(\w*_rate|rate|\w*_rate_\w+|\w*virality)$")


def column_label(name: object) -> str:
    """A column name in words: `COLUMN_WORDS`, else underscores as spaces."""
    text = str(name)
    words = COLUMN_WORDS.get(text)
    if words is None:
        words = re.sub(r"^share_", "share ", text).replace("_", " ")
    return words[:1].upper() + words[1:]


def percent(share: float | None, n: int | None = None) -> str:
    """A share as a percentage with the precision its count justifies.

    Whole percents; a non-zero share never reads "0%": below 1% it shows one decimal when
    the count (if given) is at least 1,000, "<1%" when it is smaller, and "<0.1%" below a
    tenth of a percent. "n/a" for None or NaN.

    Parameters
    ----------
    share : float or None
    n : int, optional
        The number of items the share is of.
    """
    if share is None or share != share:
        return "n/a"
    value = 100 * share
    if value == 0 or abs(value) >= 1:
        return f"{value:.0f}%"
    if n is not None and n < 1000:
        return "<1%"
    return f"{value:.1f}%" if abs(value) >= 0.1 else "<0.1%"


def _is_missing(value) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, float) and value != value


def _whole_numbers(column: pd.Series) -> bool:
    values = pd.to_numeric(column, errors="coerce").dropna().to_numpy(dtype="float64")
    return len(values) > 0 and bool(np.all(values == np.round(values)))


def column_kind(name: object, column: pd.Series) -> str:
    """How a column is shown: "count", "share", "rate", "number", "date", "list" or "text"."""
    text = str(name)
    if pd.api.types.is_bool_dtype(column):
        return "text"
    if pd.api.types.is_datetime64_any_dtype(column):
        return "date"
    if column.map(_is_list).any():
        return "list"
    if pd.api.types.is_numeric_dtype(column):
        if _SHARE.match(text):
            return "share"
        if _RATE.match(text):
            return "rate"
        if (
            pd.api.types.is_integer_dtype(column)
            or _COUNT.match(text)
            or (text in ("hour", "weekday", "topic") and _whole_numbers(column))
        ):
            return "count"
        return "number"
    return "text"


def _cell(value, kind: str, n: int | None) -> str:
    if _is_missing(value):
        return "–"
    if kind == "count":
        return f"{int(round(float(value))):,}"
    if kind == "share":
        return percent(float(value), n)
    if kind == "rate":
        return percent(float(value))
    if kind == "number":
        value = float(value)
        return (
            f"{value:,.0f}"
            if abs(value) >= 100
            else f"{value:,.2f}"
            if abs(value) >= 1
            else f"{value:.3f}"
        )
    if kind == "date":
        stamp = pd.Timestamp(value)
        return (
            stamp.strftime("%Y-%m-%d")
            if stamp == stamp.normalize()
            else stamp.strftime("%Y-%m-%d %H:%M")
        )
    if kind == "list":
        return _joined(value)
    if isinstance(value, bool | np.bool_):
        return "yes" if value else "no"
    return str(value)


def _is_list(value) -> bool:
    return isinstance(value, list | tuple | np.ndarray)


def _joined(value) -> str:
    return ", ".join(str(v) for v in value)


def lists_joined(df: pd.DataFrame) -> pd.DataFrame:
    """`df` with each list in a cell written as its items joined by ", " ("cloud, outage,
    app"), as `readable` shows them, and every other value as it is: what a CSV file of the
    table holds instead of Python's "['cloud', 'outage', 'app']"."""
    lists = [c for c in df.columns if column_kind(c, df[c]) == "list"]
    if not lists:
        return df
    out = df.copy()
    for column in lists:
        out[column] = out[column].map(lambda v: _joined(v) if _is_list(v) else v)
    return out


def readable(df: pd.DataFrame, k: int | None = None) -> pd.DataFrame:
    """`df` as strings for people (see the module docstring).

    A named or non-integer index becomes columns; an unnamed integer index (row numbers,
    e.g. left in disorder by a sort) is dropped. With a boolean `suppressed` column, that
    column is dropped and the missing cells of its suppressed rows read "fewer than k".

    Parameters
    ----------
    df : DataFrame
    k : int, optional
        The smallest group published (`privacy.min_group_size`).
    """
    if any(df.index.names):
        df = df.reset_index()
    elif not isinstance(df.index, pd.RangeIndex):
        df = df.reset_index(drop=pd.api.types.is_integer_dtype(df.index))
    suppressed = (
        df["suppressed"].fillna(False).astype(bool)
        if "suppressed" in df.columns
        else pd.Series(False, index=df.index)
    )
    df = df.drop(columns=["suppressed"], errors="ignore")
    n = (
        int(pd.to_numeric(df["n_posts"], errors="coerce").sum())
        if "n_posts" in df.columns
        else None
    )
    hidden = f"fewer than {k}" if k else "suppressed"
    out = {}
    for name in df.columns:
        kind = column_kind(name, df[name])
        cells = [_cell(v, kind, n) for v in df[name]]
        cells = [hidden if s and c == "–" else c for c, s in zip(cells, suppressed, strict=True)]
        out[column_label(name)] = cells
    return pd.DataFrame(out, columns=list(out)) if out else pd.DataFrame()


def to_html(df: pd.DataFrame, k: int | None = None) -> str:
    """The HTML of a table for people, in a box that scrolls sideways when it is wide."""
    table = readable(df, k)
    numeric = {
        column_label(c) for c in df.columns if column_kind(c, df[c]) in ("count", "share", "number")
    }
    head = "".join(
        f'<th class="{"num" if c in numeric else "txt"}">{html.escape(str(c))}</th>'
        for c in table.columns
    )
    rows = "".join(
        "<tr>"
        + "".join(
            f'<td class="{"num" if c in numeric else "txt"}">{html.escape(v)}</td>'
            for c, v in zip(table.columns, row, strict=True)
        )
        + "</tr>"
        for row in table.itertuples(index=False)
    )
    return (
        '<div class="toolkit-table"><table class="people">'
        f"<thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table></div>"
    )


def use_readable_tables(k: int | None = None, shell=None) -> None:
    """Show every DataFrame a notebook displays as `to_html` (the HTML the report pages use).

    Parameters
    ----------
    k : int, optional
        The config's `privacy.min_group_size`, for "fewer than k" cells.
    shell : IPython shell, optional
        Default: the running one; nothing happens outside IPython.
    """
    if shell is None:
        try:
            from IPython import get_ipython
        except ImportError:
            return
        shell = get_ipython()
    if shell is None:
        return
    formatter = shell.display_formatter.formatters["text/html"]
    formatter.for_type(pd.DataFrame, lambda df: to_html(df, k))
