"""Interactive charts for the report pages (hover values, zoom), drawn with Plotly.

Each builder takes tables that have already been published (`Session.publish` /
`Session.save_table`: small groups suppressed, no post ids, texts or handles) and reads only
their aggregate columns, so a chart shows nothing its table does not. A suppressed cell is a
gap, never a value. `Session.save_chart` checks the chart's sources against
`toolkit.privacy.disclosure.CHARTS` and shows it.

On a page a chart is a ``<figure class="toolkit-chart">`` holding its Plotly spec in a
``<script type="application/json">`` block (read by the privacy gate like any page data);
``assets/toolkit-charts.js`` draws it with the Plotly library served once per report as
``assets/plotly.min.js`` (`toolkit.report.site.write_assets`): nothing is fetched from the internet.
The static PNG of the same figure stays on the page for print and for readers without
JavaScript; the script hides it on screen once the chart is drawn.
"""

from __future__ import annotations

import html
import json
import math
from dataclasses import dataclass, field

import pandas as pd

from toolkit.report.style import ACCENT, HIGHLIGHT, MUTED, platform_color

#: Mimetype Plotly's JupyterLab extension renders (live notebooks); pages use the HTML.
PLOTLY_MIMETYPE = "application/vnd.plotly.v1+json"
#: Decimals kept for non-integer values: stable output across machines, more than a reader needs.
DECIMALS = 4
HINT = "Hover for values; drag to zoom, double-click to reset; click a legend entry to hide it."
_FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif'
_CONFIG = {"displaylogo": False, "responsive": True, "showLink": False, "showSendToCloud": False}
_SERIES_COLORS = (
    "#0072b2",
    "#d55e00",
    "#009e73",
    "#cc79a7",
    "#e69f00",
    "#56b4e9",
    "#332288",
    "#7f7f7f",
)


@dataclass
class InteractiveChart:
    """A Plotly chart spec (``data``, ``layout``) with its name, title and alt text.

    Displayed in a notebook it is an HTML figure (the report page) and Plotly's own mimetype
    (JupyterLab with the plotly extension).
    """

    name: str
    title: str
    alt: str
    data: list[dict]
    layout: dict
    config: dict = field(default_factory=lambda: dict(_CONFIG))

    @property
    def has_data(self) -> bool:
        """Whether any trace has a value to show (all suppressed or no rows: False)."""
        return any(v is not None for trace in self.data for v in trace.get("y", []))

    def spec(self) -> dict:
        return {"data": self.data, "layout": self.layout, "config": self.config}

    def to_json(self) -> str:
        """The spec as compact JSON with sorted keys: the same tables give the same bytes."""
        return json.dumps(
            _clean(self.spec()), sort_keys=True, separators=(",", ":"), ensure_ascii=False
        )

    def to_html(self) -> str:
        """The chart as it stands on a page (drawn by ``assets/toolkit-charts.js``)."""
        payload = self.to_json().replace("</", "<\\/").replace("<!--", "<\\u0021--")
        name = html.escape(self.name)
        return (
            f'<figure class="toolkit-chart" data-figure="{name}">'
            f'<div class="toolkit-chart-plot" role="img" aria-label="{html.escape(self.alt)}"></div>'
            f'<script type="application/json" class="toolkit-chart-data">{payload}</script>'
            f'<figcaption class="toolkit-chart-hint">{html.escape(HINT)}</figcaption>'
            "</figure>"
        )

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict:
        return {
            "text/html": self.to_html(),
            PLOTLY_MIMETYPE: json.loads(self.to_json()),
            "text/plain": f"Interactive chart: {self.title}",
        }


def daily_volume_by_platform(daily: pd.DataFrame) -> InteractiveChart:
    """Posts per day, stacked by platform (click a platform in the legend to hide it).

    Parameters
    ----------
    daily : the published ``ingest_daily_volume`` table (date, platform, n_posts, n_authors,
        suppressed).
    """
    rows = daily.sort_values(["date", "platform"])
    data = []
    for platform in sorted(rows["platform"].unique()):
        series = rows[rows["platform"] == platform]
        hidden = _flags(series)
        data.append(
            {
                "type": "bar",
                "name": str(platform),
                "x": _days(series["date"]),
                "y": _masked(series["n_posts"], hidden),
                "customdata": _masked(series["n_authors"], hidden),
                "marker": {"color": platform_color(str(platform))},
                "hovertemplate": "%{y:,} posts by %{customdata:,} authors",
            }
        )
    layout = _layout(
        "Posts per day and platform",
        xaxis={"title": {"text": "day"}, "type": "date", "hoverformat": "%a %d %b %Y"},
        yaxis={"title": {"text": "posts"}, "rangemode": "tozero"},
        barmode="stack",
    )
    alt = f"Interactive chart: posts per day on {len(data)} platform(s), stacked"
    return InteractiveChart("ingest_daily_volume", layout["title"]["text"], alt, data, layout)


def daily_volume_and_tone(
    daily: pd.DataFrame, spikes: pd.DataFrame | None = None
) -> InteractiveChart:
    """Customer posts per day (bars) and their mean tone (line, right axis), spikes marked.

    Parameters
    ----------
    daily : the published ``tone_daily`` table (date, n_posts, n_authors, mean_sentiment,
        share_negative, suppressed).
    spikes : the published ``tone_spikes`` table (date, n_posts, ...), optional.
    """
    rows = daily.sort_values("date")
    days = _days(rows["date"])
    negative = (
        rows["share_negative"] if "share_negative" in rows else pd.Series(math.nan, rows.index)
    )
    hidden = _flags(rows)
    data = [
        {
            "type": "bar",
            "name": "customer posts",
            "x": days,
            "y": _masked(rows["n_posts"], hidden),
            "customdata": [
                [a, n]
                for a, n in zip(
                    _masked(rows["n_authors"], hidden), _masked(negative, hidden), strict=True
                )
            ],
            "marker": {"color": MUTED},
            "hovertemplate": "%{y:,} posts by %{customdata[0]:,} authors, "
            "%{customdata[1]:.0%} negative<extra></extra>",
        },
        {
            "type": "scatter",
            "mode": "lines",
            "name": "mean tone score",
            "x": days,
            "y": _masked(rows["mean_sentiment"], hidden),
            "yaxis": "y2",
            "connectgaps": False,
            "line": {"color": ACCENT, "width": 1.5},
            "hovertemplate": "mean tone %{y:.2f}<extra></extra>",
        },
    ]
    spike_rows = _shown(spikes) if spikes is not None and len(spikes) else None
    if spike_rows is not None and len(spike_rows):
        data.append(
            {
                "type": "scatter",
                "mode": "markers",
                "name": "spike",
                "x": _days(spike_rows["date"]),
                "y": _values(spike_rows["n_posts"]),
                "marker": {"color": HIGHLIGHT, "size": 11, "line": {"color": ACCENT, "width": 1}},
                "hovertemplate": "spike: %{y:,} posts<extra></extra>",
            }
        )
    layout = _layout(
        "Customer posts per day and their tone",
        xaxis={"title": {"text": "day"}, "type": "date", "hoverformat": "%a %d %b %Y"},
        yaxis={"title": {"text": "customer posts"}, "rangemode": "tozero", "fixedrange": False},
        yaxis2={
            "title": {"text": "mean tone (-1 to 1)"},
            "overlaying": "y",
            "side": "right",
            "range": [-1.05, 1.05],
            "tickmode": "array",  # fixed ticks: Plotly would otherwise align them to the left axis
            "tickvals": [-1, -0.5, 0, 0.5, 1],
            "zeroline": True,
            "showgrid": False,
        },
    )
    alt = f"Interactive chart: customer posts per day and their mean tone, {len(rows)} days" + (
        f", {len(spike_rows)} spike(s) marked" if spike_rows is not None else ""
    )
    return InteractiveChart("tone_daily", layout["title"]["text"], alt, data, layout)


def topics_over_time(
    over_time: pd.DataFrame, labels: dict[int, str], max_topics: int = 8
) -> InteractiveChart:
    """Posts per period of the largest topics, one line each (click the legend to hide one).

    Parameters
    ----------
    over_time : the published ``topics_over_time`` table (topic, period, n_posts, n_authors,
        suppressed).
    labels : topic id -> label as published in the ``topics`` table.
    max_topics : how many of the largest topics to draw.
    """
    rows = over_time[over_time["topic"] >= 0]
    shown = _shown(rows)
    top = shown.groupby("topic")["n_posts"].sum().nlargest(max_topics).index
    data = []
    for i, topic in enumerate(top):
        series = rows[rows["topic"] == topic].sort_values("period")
        hidden = _flags(series)
        label = labels.get(int(topic), f"topic {int(topic)}")
        data.append(
            {
                "type": "scatter",
                "mode": "lines+markers",
                "name": label,
                "x": _days(series["period"]),
                "y": _masked(series["n_posts"], hidden),
                "customdata": _masked(series["n_authors"], hidden),
                "connectgaps": False,
                "line": {"color": _SERIES_COLORS[i % len(_SERIES_COLORS)], "width": 1.8},
                "marker": {"size": 5},
                # unified hover: the week, then one line per topic with its name
                "hovertemplate": "%{y:,} posts by %{customdata:,} authors",
            }
        )
    layout = _layout(
        "Largest topics per week",
        xaxis={"title": {"text": "week"}, "type": "date", "hoverformat": "week of %d %b %Y"},
        yaxis={"title": {"text": "customer posts"}, "rangemode": "tozero"},
    )
    alt = f"Interactive chart: weekly posts of the {len(data)} largest topics"
    return InteractiveChart("topics_over_time", layout["title"]["text"], alt, data, layout)


# ------------------------------------------------------------------ helpers
def _layout(title: str, barmode: str | None = None, **axes) -> dict:
    return {
        **({"barmode": barmode} if barmode else {}),
        "title": {"text": title, "x": 0, "xanchor": "left"},
        "font": {"family": _FONT, "size": 13, "color": "#1f2933"},
        "paper_bgcolor": "#ffffff",
        "plot_bgcolor": "#ffffff",
        # hovering anywhere over a day (week) shows every series' value for it
        "hovermode": "x unified",
        "margin": {"l": 60, "r": 60, "t": 50, "b": 50},
        "height": 420,
        # the legend sits below the plot, so it never covers data
        "legend": {"orientation": "h", "x": 0, "y": -0.2, "yanchor": "top"},
        **{
            name: {"gridcolor": "#e4e7eb", "linecolor": "#52606d", "automargin": True, **axis}
            for name, axis in axes.items()
        },
    }


def _shown(table: pd.DataFrame) -> pd.DataFrame:
    """The rows of a published table that were not suppressed."""
    if "suppressed" not in table.columns:
        return table
    return table[~table["suppressed"].fillna(False).astype(bool)]


def _flags(table: pd.DataFrame) -> list[bool]:
    if "suppressed" not in table.columns:
        return [False] * len(table)
    return table["suppressed"].fillna(False).astype(bool).tolist()


def _days(values: pd.Series) -> list[str]:
    return [pd.Timestamp(v).strftime("%Y-%m-%d") for v in values]


def _values(values: pd.Series) -> list:
    """JSON values: integers as int, others rounded to `DECIMALS`; NaN (suppressed) as None."""
    out = []
    for v in values.tolist():
        if v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NA:
            out.append(None)
        elif float(v).is_integer():
            out.append(int(v))
        else:
            out.append(round(float(v), DECIMALS))
    return out


def _masked(values: pd.Series, hidden: list[bool]) -> list:
    """`_values`, with None wherever the row was suppressed (whatever the cell holds)."""
    return [None if h else v for v, h in zip(_values(values), hidden, strict=True)]


def _clean(value):
    if isinstance(value, dict):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    if isinstance(value, float) and math.isnan(value):
        return None
    if hasattr(value, "item"):  # numpy scalars
        return _clean(value.item())
    return value
