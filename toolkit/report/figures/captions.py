"""The words beside the report's figures: each figure's one-line takeaway (`caption`), a line
saying what data an analysis lacks (`missing`), and the notes on partial weeks and days at the
edges of the period (with `full_weeks`, which leaves partial weeks out of a weekly table).

Every takeaway is written from the same table its figure draws, so the caption and the chart
can't disagree. Like the charts, the words only quote aggregates: never customer text.
"""

from __future__ import annotations

import pandas as pd


# ------------------------------------------------------------------ text around figures
class _HtmlLine:
    """One line of HTML for a notebook output (IPython shows `_repr_html_`); its plain-text
    form is the sentence itself."""

    def __init__(self, css_class: str, text: str):
        self.css_class, self.text = css_class, str(text)

    def _repr_html_(self) -> str:
        import html

        return f'<p class="{self.css_class}">{html.escape(self.text)}</p>'

    def __repr__(self) -> str:
        return self.text


def caption(text: str) -> _HtmlLine:
    """A figure's one-line takeaway (written from the findings), shown under the figure."""
    return _HtmlLine("toolkit-caption", text)


def missing(text: str) -> _HtmlLine:
    """One line saying what data an analysis lacks, shown instead of its number or chart."""
    return _HtmlLine("toolkit-missing", text)


def full_weeks(frame: pd.DataFrame, column: str, first_day, last_day) -> tuple[pd.DataFrame, int]:
    """Rows of a weekly table whose week (Monday start, in `column`) lies wholly inside the
    period, and how many weeks were left out: a partial first or last week would read as a
    drop or a rise that is only the calendar.

    Parameters
    ----------
    frame : a weekly table (e.g. `engagement.kpis_over_time(..., freq="W")`).
    column : its column of week starts (naive local Mondays).
    first_day, last_day : the first and last local day of the data.
    """
    if frame.empty:
        return frame, 0
    starts = pd.to_datetime(frame[column]).dt.tz_localize(None).dt.normalize()
    first, last = pd.Timestamp(first_day).normalize(), pd.Timestamp(last_day).normalize()
    whole = (starts >= first) & (starts + pd.Timedelta(days=6) <= last)
    return frame[whole], int(starts[~whole].nunique())


def local_days(posts: pd.DataFrame, tz: str) -> tuple:
    """The first and last local day of `posts` (for `full_weeks`)."""
    days = posts["created_at"].dt.tz_convert(tz).dt.tz_localize(None).dt.normalize()
    return days.min(), days.max()


def partial_weeks_note(n: int) -> str:
    return (
        f" The {'partial week' if n == 1 else f'{n} partial weeks'} at the edges of the period "
        f"{'is' if n == 1 else 'are'} left out."
        if n
        else ""
    )


# ------------------------------------------------------------------ one-line takeaways
# Each figure's caption: what a reader should see in it, in words, from the same table the
# figure draws (so the caption and the chart can't disagree).
def _pct(share, n=None) -> str:
    from toolkit.report.tables import percent

    return percent(share, n)


def daily_volume_takeaway(posts: pd.DataFrame, tz: str) -> str:
    days = posts["created_at"].dt.tz_convert(tz).dt.date
    per_day = days.value_counts()
    if per_day.empty:
        return "No posts in the period."
    busiest, top = per_day.idxmax(), int(per_day.max())
    platforms = posts["platform"].value_counts()
    return (
        f"Busiest day: {busiest:%d %b %Y} with {top:,} posts ({top / per_day.median():.1f}x the median day); "
        f"{platforms.index[0]} carried {_pct(platforms.iloc[0] / len(posts), len(posts))} of all posts."
    )


def topics_takeaway(table: pd.DataFrame, n_posts: int) -> str:
    rows = table[(table["topic"] >= 0) & table["size"].notna()]
    largest = rows.loc[rows["size"].idxmax()]
    text = f"Largest topic: {largest['label']} ({int(largest['size']):,} posts, {_pct(largest['size'] / n_posts, n_posts)} of the modelled posts)."
    if rows["negative"].notna().any():
        worst = rows.loc[rows["negative"].idxmax()]
        text += f" Most negative: {worst['label']} ({_pct(worst['negative'], int(worst['size']))} of its posts)."
    return text


def topics_over_time_takeaway(over_time: pd.DataFrame, labels: dict[int, str]) -> str:
    rows = over_time[over_time["topic"] >= 0].dropna(subset=["n_posts"])
    weeks = sorted(rows["period"].unique())
    first = rows[rows["period"] == weeks[0]].set_index("topic")["n_posts"]
    last = rows[rows["period"] == weeks[-1]].set_index("topic")["n_posts"]
    change = last.sub(first, fill_value=0).sort_values()
    grew, shrank = change.index[-1], change.index[0]
    return (
        f"From the first to the last full week, {labels.get(grew, grew)} grew the most "
        f"({int(first.get(grew, 0)):,} to {int(last.get(grew, 0)):,} posts a week)"
        + (
            f" and {labels.get(shrank, shrank)} shrank the most ({int(first.get(shrank, 0)):,} to {int(last.get(shrank, 0)):,})."
            if change.iloc[0] < 0
            else "."
        )
    )


def topics_per_platform_takeaway(per_platform: pd.DataFrame, labels: dict[int, str]) -> str:
    rows = per_platform[per_platform["topic"] >= 0].dropna(subset=["n_posts"])
    table = rows.pivot_table(
        index="topic", columns="platform", values="n_posts", aggfunc="sum", fill_value=0
    )
    tops = []
    for platform in table.sum().sort_values(ascending=False).index[:3]:
        column = table[platform]
        topic = column.idxmax()
        tops.append(
            f"{platform}: {labels.get(topic, topic)} ({_pct(column.max() / column.sum(), int(column.sum()))})"
        )
    return "Largest topic per platform: " + "; ".join(tops) + "."


def weekly_engagement_takeaway(weekly: pd.DataFrame) -> str:
    rate = "median_engagement_rate_followers"
    per_platform = weekly.dropna(subset=[rate]).groupby("platform")[rate].median().sort_values()
    if per_platform.empty:
        return "No brand post had a follower count to rate."
    return (
        f"Highest typical weekly engagement: {per_platform.index[-1]} ({_pct(per_platform.iloc[-1])} of followers per post); "
        f"lowest: {per_platform.index[0]} ({_pct(per_platform.iloc[0])})."
    )


def best_time_takeaway(facts: dict, min_slot_posts: int) -> str:
    slot = facts["best_slots_support"][0]
    text = (
        f"Best slot: {slot['slot']} ({slot['n_posts']} posts from {slot['n_authors']} account(s))."
    )
    if slot["n_posts"] < min_slot_posts:
        text += f" Too few posts to recommend it: at least {min_slot_posts} are needed."
    return text


def response_times_takeaway(by_platform: pd.DataFrame, sla_hours: float) -> str:
    from toolkit.report.brief_rules import hours

    rows = by_platform.dropna(subset=["median_response_hours"]).sort_values("median_response_hours")
    fastest, slowest = rows.iloc[0], rows.iloc[-1]
    over = rows[rows["median_response_hours"] > sla_hours]["platform"].tolist()
    text = f"Fastest: {fastest['platform']} (median {hours(fastest['median_response_hours'])})"
    if len(rows) > 1:
        text += (
            f"; slowest: {slowest['platform']} (median {hours(slowest['median_response_hours'])})"
        )
    return text + (
        f". Over the {sla_hours:g} h target: {', '.join(over)}."
        if over
        else f". Every platform's median is within the {sla_hours:g} h target."
    )


def response_by_hour_takeaway(by_hour: pd.DataFrame) -> str:
    from toolkit.report.brief_rules import hours

    rows = by_hour.dropna(subset=["median_response_hours"])
    slow, fast = (
        rows.loc[rows["median_response_hours"].idxmax()],
        rows.loc[rows["median_response_hours"].idxmin()],
    )
    return (
        f"Posts made at {int(slow['hour']):02d}:00 wait longest (median {hours(slow['median_response_hours'])}); "
        f"at {int(fast['hour']):02d}:00 shortest ({hours(fast['median_response_hours'])})."
    )


def campaign_takeaway(headline: dict) -> str:
    lift = headline.get("uptake_lift")
    versus = f", {lift:.1f}x the daily rate before it" if lift is not None else ""
    return (
        f"'{headline['name']}': {headline['uptake_posts']:,} customer posts by {headline['uptake_authors']:,} customers used its "
        f"code or hashtag; {headline['during_posts']:,} fell in the campaign window{versus}."
    )


def tone_daily_takeaway(facts: dict) -> str:
    observed, needed = facts.get("spike_days_observed"), facts.get("spike_min_days")
    if observed is not None and needed is not None and observed < needed:
        busiest = facts.get("daily_busiest_day")
        return f"{observed} days of posts: too few to flag spikes ({needed} needed)." + (
            f" The busiest day was {busiest} with {facts['daily_busiest_posts']:,} customer posts."
            if busiest
            else ""
        )
    if facts.get("spike_top_day"):
        return (
            f"Largest spike: {facts['spike_top_day']}, {facts['spike_top_posts']:,} customer posts, "
            f"{_pct(facts['spike_top_share_negative'], facts['spike_top_posts'])} of them negative."
        )
    return f"No day stood far above the usual volume over {observed or 'the'} days."


def privacy_by_platform_takeaway(cells: pd.DataFrame) -> str:
    rows = cells.dropna(subset=["share"])
    top = rows.loc[rows["share"].idxmax()]
    return f"Most common: {top['entity_type']} in {_pct(top['share'])} of {top['platform']} customer posts."


def privacy_weekly_takeaway(weekly: pd.DataFrame) -> str:
    shares = weekly["share_personal_data"].dropna()
    return f"Each full week, {_pct(shares.min())} to {_pct(shares.max())} of customer posts carried personal data."


def partial_edge_days(start, end, tz: str) -> list:
    """Local days at the edges of a period that the period covers only in part.

    The config's `period` is cut at UTC midnight; in a brand timezone west or east of UTC
    its first and last local days hold only some hours of posts and would read as a dip.

    Parameters
    ----------
    start, end : the period's first and last UTC dates (inclusive), or None when open.
    tz : the brand's IANA timezone.
    """
    partial = []
    if start is not None:
        first = pd.Timestamp(start, tz="UTC").tz_convert(tz)
        if first != first.normalize():
            partial.append(first.date())
    if end is not None:
        last = (pd.Timestamp(end, tz="UTC") + pd.Timedelta(days=1)).tz_convert(tz)
        if last != last.normalize():
            partial.append(last.date())
    return partial


def partial_days_note(days: list) -> str:
    if not days:
        return ""
    listed = " and ".join(f"{d:%d %b}" for d in days)
    return f" {listed} {'is a partial day' if len(days) == 1 else 'are partial days'} in the brand's timezone."
