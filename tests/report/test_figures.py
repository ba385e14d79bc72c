"""Report figures: data text with $, _ or ^ never breaks matplotlib; alt text describes the
figure; colours per platform and per sentiment come from one place."""

import io
import json
import re

import matplotlib

matplotlib.use("Agg")

import matplotlib as mpl  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from toolkit.core.paths import NOTEBOOKS_DIR  # noqa: E402
from toolkit.core.paths import PROJECT_DIR as ROOT  # noqa: E402
from toolkit.report import figures, style  # noqa: E402

MATHY = "Save $5_off^ now $ or $x^$ a_b"  # mathtext cannot parse this


def draw(fig) -> bytes:
    """Render for real (mathtext errors only show up when drawing)."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    plt.close(fig)
    return buffer.getvalue()


@pytest.fixture(autouse=True)
def mathtext_on():
    """The figures must cope even where the report style (parse_math off) is not applied."""
    with mpl.rc_context({"text.parse_math": True}):
        yield


def test_mathtext_would_break_on_such_text():
    fig, ax = plt.subplots()
    ax.set_title(MATHY)
    with pytest.raises(ValueError):
        draw(fig)


def test_topic_figures_with_math_like_labels():
    table = pd.DataFrame(
        {
            "topic": [0, 1, -1],
            "label": [MATHY, "b_c", "none"],
            "size": [10, 5, 2],
            "negative": [0.5, 0.2, 0.1],
            "neutral": [0.3, 0.3, 0.3],
            "positive": [0.2, 0.5, 0.6],
        }
    )
    assert draw(figures.topic_sentiment(table))
    weeks = pd.to_datetime(["2026-09-07", "2026-09-14"])
    over_time = pd.DataFrame(
        {"topic": [0, 0, 1, 1], "period": list(weeks) * 2, "n_posts": [3, 4, 5, 6]}
    )
    assert draw(figures.topics_over_time(over_time, {0: MATHY, 1: "x^2"}))
    per_platform = pd.DataFrame(
        {"topic": [0, 1], "platform": ["re_ddit$", "twitter"], "n_posts": [3, 4]}
    )
    assert draw(figures.topics_per_platform(per_platform, {0: MATHY, 1: "$"}))


def test_privacy_and_volume_figures_with_math_like_names():
    by_platform = pd.DataFrame(
        {
            "entity_type": ["EMAIL_ADDRESS", "PHONE_NUMBER"],
            "platform": ["a_b$", "c^d$"],
            "share": [0.1, 0.2],
        }
    )
    assert draw(figures.privacy_by_platform(by_platform))
    posts = pd.DataFrame(
        {
            "created_at": pd.to_datetime(["2026-09-01T10:00Z", "2026-09-02T10:00Z"]),
            "platform": ["$a_b", "c^d$"],
        }
    )
    assert draw(figures.daily_volume_by_platform(posts, "UTC"))


def test_campaign_figure_with_math_like_name():
    class Uptake:
        name = "Save $5_now ^^"
        start, end = pd.Timestamp("2026-09-02"), pd.Timestamp("2026-09-03")
        daily = pd.DataFrame(
            {"date": pd.date_range("2026-09-01", periods=4), "uptake_posts": [0, 3, 4, 1]}
        )

    assert draw(figures.campaign_uptake(Uptake))


def test_kpi_bars_draws_the_values_and_marks_missing_ones():
    fig = figures.kpi_bars(MATHY, {"spike day": 0.5, "average": 0.25, "unknown": None})
    ax = fig.axes[0]
    assert [round(p.get_width(), 6) for p in ax.patches] == [0.5, 0.25, 0.0]
    assert [t.get_text() for t in ax.texts] == ["50%", "25%", "n/a"]
    positions = {
        t.get_text(): y for t, y in zip(ax.get_yticklabels(), ax.get_yticks(), strict=True)
    }
    assert sorted(positions, key=positions.get, reverse=True) == ["spike day", "average", "unknown"]
    assert draw(fig)
    counts = figures.kpi_bars("posts", {"before": 3, "during": 1200}, percent=False)
    assert [t.get_text() for t in counts.axes[0].texts] == ["3", "1,200"]
    plt.close(counts)


def test_figure_alt_text_names_title_axes_and_series():
    fig, ax = plt.subplots()
    ax.plot([1, 2], [3, 4], label="twitter")
    ax.plot([1, 2], [4, 5], label="reddit")
    ax.set_title("Posts per day")
    ax.set_xlabel("day")
    ax.set_ylabel("posts")
    ax.legend()
    assert style.figure_alt_text(fig) == (
        "Chart: Posts per day. Horizontal axis: day; vertical axis: posts. Series: twitter, reddit."
    )
    plt.close(fig)
    empty, _ = plt.subplots()
    assert style.figure_alt_text(empty) == "Chart."
    plt.close(empty)


def test_heatmap_alt_text_skips_the_colorbar():
    best = pd.DataFrame(
        {"weekday": [0, 1], "hour": [9, 10], "median_rate": [0.01, 0.02], "n_posts": [3, 4]}
    )
    fig = figures.best_time_heatmap(best, "UTC")
    assert style.figure_alt_text(fig) == (
        "Chart: Best time to post: median engagement rate (UTC). Horizontal axis: hour of day."
    )
    plt.close(fig)


def test_no_alt_text_hook_outside_a_kernel():
    assert style.describe_figures_in_notebook() is False


def test_platform_and_sentiment_colours_are_distinct():
    platforms = [c for p, c in style.PLATFORM_COLORS.items() if p != "other"]
    assert len(set(platforms)) == len(platforms)
    assert len(set(style.SENTIMENT_COLORS.values())) == 3
    assert style.platform_color("Reddit") == style.PLATFORM_COLORS["reddit"]
    assert style.platform_color("myspace") == style.PLATFORM_COLORS["other"]
    assert style.platform_colors(["twitter", "x"]) == [
        style.PLATFORM_COLORS["twitter"],
        "#7f7f7f",
    ]
    meaning = {style.HIGHLIGHT, style.TARGET, style.MUTED, style.SECONDARY}
    assert not meaning & set(style.SENTIMENT_COLORS.values()) and not meaning & set(platforms)


def test_colours_are_only_defined_in_style():
    """Consistent colours across reports: figures and notebooks take them from toolkit.report.style."""
    hex_colour = re.compile(r"[\"']#[0-9a-fA-F]{6}[\"']")
    # notebooks: their cells' code only; stored outputs (charts) carry the colours style chose
    sources = {
        f"figures/{path.name}": path.read_text()
        for path in (ROOT / "toolkit" / "report" / "figures").glob("*.py")
    }
    for path in NOTEBOOKS_DIR.glob("*.ipynb"):
        cells = json.loads(path.read_text())["cells"]
        sources[path.name] = "\n".join(repr("".join(c["source"])) for c in cells)
    offenders = {
        name: hex_colour.findall(text) for name, text in sources.items() if hex_colour.search(text)
    }
    assert offenders == {}


def _legend_overlaps_data(fig) -> bool:
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    for ax in fig.axes:
        legend = ax.get_legend()
        if legend is None:
            continue
        box = legend.get_window_extent(renderer)
        if any(box.overlaps(other.get_window_extent(renderer)) for other in fig.axes):
            return True
    return False


def _every_legend_figure():
    days = pd.date_range("2026-09-01", periods=20, freq="D")
    daily = pd.DataFrame({"date": days, "n_posts": range(20, 40), "mean_sentiment": 0.1})
    spikes = daily.iloc[[5]]
    uptake = type(
        "Up",
        (),
        {
            "name": "Glow",
            "start": days[3].date(),
            "end": days[9].date(),
            "daily": pd.DataFrame({"date": days, "uptake_posts": range(20)}),
        },
    )()
    posts = pd.DataFrame(
        {
            "created_at": pd.date_range("2026-09-01", periods=40, freq="12h", tz="UTC"),
            "platform": ["twitter", "reddit"] * 20,
        }
    )
    table = pd.DataFrame(
        {
            "topic": [0, 1],
            "label": ["a", "b"],
            "size": [10, 5],
            "negative": [0.5, 0.2],
            "neutral": [0.3, 0.3],
            "positive": [0.2, 0.5],
        }
    )
    by_platform = pd.DataFrame(
        {
            "platform": ["twitter", "reddit"],
            "median_response_hours": [2.0, 30.0],
            "p90_response_hours": [10.0, 60.0],
            "response_rate": [0.8, 0.5],
        }
    )
    privacy = pd.DataFrame(
        {
            "entity_type": ["EMAIL", "PHONE"] * 2,
            "platform": ["twitter"] * 2 + ["reddit"] * 2,
            "share": [0.9, 0.5, 0.95, 0.7],
        }
    )
    weekly = pd.DataFrame(
        {
            "week": days[:4],
            "share_personal_data": [0.9, 1.0, 0.95, 0.99],
            "share_contact_details": [0.5, 0.6, 0.7, 0.9],
        }
    )
    return {
        "daily_volume_and_tone": figures.daily_volume_and_tone(daily, spikes),
        "campaign_uptake": figures.campaign_uptake(uptake),
        "daily_volume_by_platform": figures.daily_volume_by_platform(posts, "UTC"),
        "topic_sentiment": figures.topic_sentiment(table),
        "response_times": figures.response_times(by_platform, 24),
        "privacy_by_platform": figures.privacy_by_platform(privacy),
        "privacy_weekly": figures.privacy_weekly(weekly),
    }


def test_legends_sit_outside_the_data():
    """A legend never covers a bar, line or point: it is drawn under the axes."""
    for name, fig in _every_legend_figure().items():
        assert fig.axes[0].get_legend() is not None, name
        assert not _legend_overlaps_data(fig), name
        plt.close(fig)


def test_an_overlapping_legend_is_detected():
    fig, ax = plt.subplots()
    ax.bar([0, 1], [1, 2], label="posts")
    ax.legend(loc="upper left")
    assert _legend_overlaps_data(fig)
    plt.close(fig)


def test_caption_and_missing_lines_are_escaped_html():
    assert (
        figures.caption("Most <b> posts")._repr_html_()
        == '<p class="toolkit-caption">Most &lt;b&gt; posts</p>'
    )
    assert repr(figures.missing("No brand replies")) == "No brand replies"


def test_partial_edge_days_of_a_utc_period_in_a_local_timezone():
    import datetime as dt

    start, end = dt.date(2026, 10, 9), dt.date(2026, 10, 16)
    assert figures.partial_edge_days(start, end, "UTC") == []
    assert figures.partial_edge_days(start, end, "America/Chicago") == [
        dt.date(2026, 10, 8),
        dt.date(2026, 10, 16),
    ]
    assert figures.partial_edge_days(None, None, "America/Chicago") == []
    assert "08 Oct and 16 Oct are partial days" in figures.partial_days_note(
        [dt.date(2026, 10, 8), dt.date(2026, 10, 16)]
    )


def test_full_weeks_leaves_out_partial_edge_weeks():
    weeks = pd.DataFrame(
        {"period": pd.to_datetime(["2026-09-28", "2026-10-05", "2026-10-12"]), "n": [1, 2, 3]}
    )
    kept, dropped = figures.full_weeks(
        weeks, "period", pd.Timestamp("2026-10-01"), pd.Timestamp("2026-10-18")
    )
    assert kept["n"].tolist() == [2, 3] and dropped == 1
    assert "partial week at the edges" in figures.partial_weeks_note(1)
