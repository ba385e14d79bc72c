"""The report's matplotlib charts. Each function takes an analysis table and returns a titled,
labelled matplotlib Figure in the report style (`toolkit.report.style`); saving is the caller's job.

Figures only ever draw aggregates, brand text or redacted strings: never customer text.
"""

from __future__ import annotations

import matplotlib.dates as mdates
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.text import Text
from matplotlib.ticker import PercentFormatter

from toolkit.report.style import (
    ACCENT,
    HIGHLIGHT,
    MUTED,
    SECONDARY,
    SENTIMENT_COLORS,
    SENTIMENT_ORDER,
    TARGET,
    platform_color,
)

WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]


def _fig(title: str, xlabel: str, ylabel: str, figsize=(8, 4)):
    fig, ax = plt.subplots(figsize=figsize)
    ax.set_title(title)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    return fig, ax


def _finish(fig):
    """Show every text of the figure literally: post text and labels may hold $, _ or ^,
    which mathtext would otherwise parse (and fail on)."""
    for text in fig.findobj(Text):
        text.set_parse_math(False)
    return fig


def _legend_below(ax, handles=None, labels=None, ncol: int | None = None):
    """A legend under the axes (below the tick labels and axis label), never over the data.

    The saved figure keeps it (`savefig.bbox: tight` in the report style)."""
    if handles is None:
        handles, labels = ax.get_legend_handles_labels()
    if not handles:
        return None
    fig = ax.figure
    renderer = fig.canvas.get_renderer()
    below = ax.xaxis.get_tightbbox(renderer)
    bottom = ax.transAxes.inverted().transform((0, below.y0))[1] if below is not None else -0.12
    return ax.legend(
        handles,
        labels,
        loc="upper center",
        bbox_to_anchor=(0.5, bottom - 0.02),
        ncol=ncol or min(len(handles), 4),
        frameon=False,
        borderaxespad=0,
    )


def _date_axis(ax) -> None:
    ax.xaxis.set_major_locator(mdates.AutoDateLocator(minticks=4, maxticks=8))
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%d %b"))


def daily_volume_by_platform(posts: pd.DataFrame, tz: str):
    """Stacked daily post counts per platform (local days)."""
    days = posts["created_at"].dt.tz_convert(tz).dt.tz_localize(None).dt.normalize()
    table = (
        posts.assign(day=days)
        .groupby(["day", "platform"])
        .size()
        .unstack(fill_value=0)
        .sort_index()
    )
    fig, ax = _fig("Posts per day and platform", f"day ({tz})", "posts")
    ax.stackplot(
        table.index,
        table.T.to_numpy(),
        labels=table.columns,
        colors=[platform_color(p) for p in table.columns],
        alpha=0.85,
    )
    _date_axis(ax)
    _legend_below(ax, ncol=min(len(table.columns), 5))
    return _finish(fig)


def weekly_engagement(weekly: pd.DataFrame):
    """Median engagement rate (followers) of brand posts per week and platform."""
    fig, ax = _fig(
        "Brand posts: median engagement rate per week", "week", "median engagement rate (followers)"
    )
    for platform, rows in weekly.groupby("platform"):
        ax.plot(
            rows["period"],
            rows["median_engagement_rate_followers"],
            marker="o",
            ms=3,
            label=platform,
            color=platform_color(platform),
        )
    ax.yaxis.set_major_formatter(PercentFormatter(xmax=1))
    _date_axis(ax)
    _legend_below(ax)
    return _finish(fig)


def top_posts_table(top: pd.DataFrame) -> pd.DataFrame:
    """The published columns of `engagement.top_posts` (brand posts only)."""
    out = top.assign(date=top["created_at"].dt.strftime("%Y-%m-%d"))
    cols = [
        "platform",
        "date",
        "post_type",
        "text",
        "interactions",
        "engagement_rate_followers",
        "views",
    ]
    return out[[c for c in cols if c in out.columns]].reset_index(drop=True)


def best_time_heatmap(best: pd.DataFrame, tz: str):
    """Weekday x hour heatmap of the median engagement rate, with post counts in each cell."""
    grid = best.pivot(index="weekday", columns="hour", values="median_rate").reindex(
        index=range(7), columns=range(24)
    )
    counts = best.pivot(index="weekday", columns="hour", values="n_posts").reindex(
        index=range(7), columns=range(24)
    )
    fig, ax = _fig(
        f"Best time to post: median engagement rate ({tz})", "hour of day", "", figsize=(10, 3.6)
    )
    image = ax.imshow(
        np.ma.masked_invalid(grid.to_numpy(dtype=float)), aspect="auto", cmap="YlGnBu"
    )
    for (r, c), n in np.ndenumerate(counts.fillna(0).to_numpy()):
        if n:
            ax.text(c, r, int(n), ha="center", va="center", fontsize=7, color="#333")
    ax.set_yticks(range(7), WEEKDAYS)
    ax.set_xticks(range(0, 24, 2))
    ax.grid(False)
    fig.colorbar(
        image,
        ax=ax,
        label="median engagement rate",
        format=PercentFormatter(xmax=1),
    )
    ax.text(
        0,
        -0.25,
        "numbers = brand posts in the cell; blank = fewer than 3",
        transform=ax.transAxes,
        fontsize=8,
    )
    return _finish(fig)


def response_times(by_platform: pd.DataFrame, sla_hours: float):
    """Median and 90th-percentile first-response time per platform, with the response rate."""
    rows = by_platform.dropna(subset=["median_response_hours"]).sort_values("median_response_hours")
    fig, ax = _fig("How fast the brand answers customers", "hours to first response", "")
    y = np.arange(len(rows))
    colors = [platform_color(p) for p in rows["platform"]]
    ax.barh(y, rows["p90_response_hours"], color=colors, alpha=0.35, label="90th percentile")
    ax.barh(y, rows["median_response_hours"], color=colors, label="median")
    ax.axvline(sla_hours, color=TARGET, ls="--", lw=1, label=f"target {sla_hours:g} h")
    ax.set_yticks(
        y,
        [
            f"{p}  ({100 * r:.0f}% answered)"
            for p, r in zip(rows["platform"], rows["response_rate"], strict=True)
        ],
    )
    _legend_below(ax)
    return _finish(fig)


def response_by_hour(by_hour: pd.DataFrame):
    """Median first-response time by local hour of the customer's post."""
    rows = by_hour.sort_values("hour")
    fig, ax = _fig(
        "Response time by hour the customer posted",
        "hour of day (brand timezone)",
        "median hours to first response",
    )
    ax.bar(rows["hour"], rows["median_response_hours"], color=ACCENT)
    ax.set_xticks(range(0, 24, 2))
    return _finish(fig)


def campaign_uptake(uptake):
    """Customer posts per day using the campaign's code or hashtag, campaign window shaded."""
    daily = uptake.daily
    fig, ax = _fig(
        f"Campaign '{uptake.name}': customer uptake per day",
        "day",
        "customer posts using code or hashtag",
    )
    ax.bar(daily["date"], daily["uptake_posts"], color=ACCENT, width=0.9)
    ax.axvspan(
        pd.Timestamp(uptake.start) - pd.Timedelta(hours=12),
        pd.Timestamp(uptake.end) + pd.Timedelta(hours=12),
        color=HIGHLIGHT,
        alpha=0.3,
        label="campaign window",
    )
    _date_axis(ax)
    _legend_below(ax)
    return _finish(fig)


def daily_volume_and_tone(daily: pd.DataFrame, spikes: pd.DataFrame):
    """Daily customer posts (bars) and mean sentiment (line), spikes marked."""
    fig, ax = _fig("Customer posts per day and their tone", "day", "customer posts")
    ax.bar(daily["date"], daily["n_posts"], color=MUTED, width=0.9, label="posts")
    if len(spikes):
        ax.scatter(
            spikes["date"],
            spikes["n_posts"],
            color=HIGHLIGHT,
            edgecolor=ACCENT,
            zorder=3,
            label="spike",
        )
    tone = ax.twinx()
    tone.plot(daily["date"], daily["mean_sentiment"], color=ACCENT, lw=1.2, label="mean tone score")
    tone.axhline(0, color="#999", lw=0.6)
    tone.set_ylabel("mean sentiment (-1 to 1)")
    tone.grid(False)
    tone.spines["right"].set_visible(True)
    handles = ax.get_legend_handles_labels()[0] + tone.get_legend_handles_labels()[0]
    _date_axis(ax)
    _legend_below(ax, handles, [h.get_label() for h in handles])
    return _finish(fig)


def topic_sentiment(table: pd.DataFrame, max_topics: int = 12):
    """Topic sizes as bars split by sentiment share."""
    rows = table[table["topic"] >= 0].nlargest(max_topics, "size").iloc[::-1]
    fig, ax = _fig(
        "What customers talk about, and how they feel",
        "posts",
        "",
        figsize=(8, 0.45 * len(rows) + 1.5),
    )
    left = np.zeros(len(rows))
    for label in SENTIMENT_ORDER:
        widths = (rows["size"] * rows[label].fillna(0)).to_numpy()
        ax.barh(rows["label"], widths, left=left, color=SENTIMENT_COLORS[label], label=label)
        left += widths
    _legend_below(ax)
    return _finish(fig)


def topics_over_time(over_time: pd.DataFrame, labels: dict[int, str], max_topics: int = 6):
    """Weekly posts of the largest topics."""
    top = (
        over_time[over_time["topic"] >= 0]
        .groupby("topic")["n_posts"]
        .sum()
        .nlargest(max_topics)
        .index
    )
    fig, ax = _fig("Largest topics per week", "week", "customer posts")
    for topic in top:
        rows = over_time[over_time["topic"] == topic]
        ax.plot(
            rows["period"], rows["n_posts"], marker="o", ms=3, label=labels.get(topic, str(topic))
        )
    _date_axis(ax)
    _legend_below(ax, ncol=2)
    return _finish(fig)


def topics_per_platform(per_platform: pd.DataFrame, labels: dict[int, str]):
    """Share of each platform's posts per topic (heatmap)."""
    table = per_platform[per_platform["topic"] >= 0].pivot_table(
        index="topic", columns="platform", values="n_posts", aggfunc="sum", fill_value=0
    )
    share = table / table.sum(axis=0)
    fig, ax = _fig(
        "Topics per platform (share of the platform's posts)",
        "",
        "",
        figsize=(8, 0.4 * len(share) + 1.5),
    )
    image = ax.imshow(share.to_numpy(dtype=float), aspect="auto", cmap="Blues")
    ax.set_yticks(range(len(share)), [labels.get(t, str(t)) for t in share.index])
    ax.set_xticks(range(len(share.columns)), share.columns)
    ax.grid(False)
    fig.colorbar(image, ax=ax, format=plt.FuncFormatter(lambda v, _: f"{100 * v:.0f}%"))
    return _finish(fig)


def privacy_by_platform(by_platform: pd.DataFrame):
    """Share of customer posts carrying each personal-data type, per platform (suppressed cells omitted)."""
    rows = by_platform.dropna(subset=["share"])
    # suppressed or absent cells stay NaN and get no bar: drawing them as 0 would claim "none"
    table = rows.pivot(index="entity_type", columns="platform", values="share")
    fig, ax = _fig(
        "Personal data in customer posts, by platform", "share of the platform's customer posts", ""
    )
    y = np.arange(len(table))
    height = 0.8 / max(len(table.columns), 1)
    for i, platform in enumerate(table.columns):
        shown = table[platform].notna().to_numpy()
        ax.barh(
            (y + i * height)[shown],
            table[platform].to_numpy()[shown],
            height=height,
            color=platform_color(platform),
            label=platform,
        )
    ax.set_yticks(y + 0.4 - height / 2, table.index)
    ax.xaxis.set_major_formatter(PercentFormatter(xmax=1))
    _legend_below(ax)
    return _finish(fig)


def privacy_weekly(weekly: pd.DataFrame):
    """Weekly share of customer posts with personal data and with contact details."""
    fig, ax = _fig("Personal data over time", "week", "share of customer posts")
    for column, colour, label in (
        ("share_personal_data", ACCENT, "any personal data"),
        ("share_contact_details", SECONDARY, "contact details"),
    ):
        ax.plot(weekly["week"], weekly[column], marker="o", ms=3, color=colour, label=label)
    ax.yaxis.set_major_formatter(plt.FuncFormatter(lambda v, _: f"{100 * v:.0f}%"))
    _date_axis(ax)
    _legend_below(ax)
    return _finish(fig)


def kpi_bars(
    title: str,
    values: dict[str, float | None],
    percent: bool = True,
    colors: dict[str, str] | None = None,
):
    """A small horizontal bar chart of a few named numbers (a brief card's own figures).

    Parameters
    ----------
    title : the chart title.
    values : label -> value, drawn top to bottom; None (not measured) is drawn as "n/a".
    percent : values are shares in [0, 1], labelled as percentages.
    colors : label -> colour (default ACCENT).
    """
    labels = list(values)
    numbers = [0.0 if values[k] is None else float(values[k]) for k in labels]
    fig, ax = _fig(title, "share" if percent else "", "", figsize=(7, 0.5 * len(labels) + 1.4))
    y = np.arange(len(labels))[::-1]
    ax.barh(y, numbers, color=[(colors or {}).get(k, ACCENT) for k in labels], height=0.6)
    ax.set_yticks(y, labels)
    ax.grid(axis="y", visible=False)
    right = max(numbers + [1.0 if percent else 0.0]) or 1.0
    ax.set_xlim(0, right * 1.18)
    for yi, label, number in zip(y, labels, numbers, strict=True):
        shown = (
            "n/a"
            if values[label] is None
            else (f"{100 * number:.0f}%" if percent else f"{number:,.0f}")
        )
        ax.text(number + right * 0.01, yi, shown, va="center", fontsize=9)
    if percent:
        ax.xaxis.set_major_formatter(plt.FuncFormatter(lambda v, _: f"{100 * v:.0f}%"))
    return _finish(fig)


def topics_figure(table: pd.DataFrame, n: int = 12):
    """Horizontal bars: each compared topic's share of posts before and now, by status
    (`toolkit.analysis.compare.match_topics` rows)."""
    rows = table.head(n).iloc[::-1]
    fig, ax = plt.subplots(figsize=(8, 0.45 * len(rows) + 1.4))
    y = np.arange(len(rows))
    ax.barh(y + 0.2, rows["share_before"].fillna(0), height=0.4, label="previous period",
            color=MUTED)  # fmt: skip
    ax.barh(y - 0.2, rows["share_now"].fillna(0), height=0.4, label="this period",
            color=ACCENT)  # fmt: skip
    ax.set_yticks(y, [f"{label} ({status})" for label, status in zip(rows["label"], rows["status"],
                                                                     strict=True)])  # fmt: skip
    ax.xaxis.set_major_formatter(plt.FuncFormatter(lambda v, _: f"{v:.0%}"))
    ax.set_xlabel("share of the period's modelled posts")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.12 - 1.0 / max(len(rows), 1)), ncol=2,
              frameon=False)  # fmt: skip
    fig.tight_layout()
    return fig
