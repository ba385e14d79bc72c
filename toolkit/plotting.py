"""One matplotlib style for every report: colours per platform and per sentiment, titled axes."""

from __future__ import annotations

import matplotlib as mpl

PLATFORM_COLORS = {
    "twitter": "#1d9bf0",
    "reddit": "#ff4500",
    "mastodon": "#6364ff",
    "facebook": "#1877f2",
    "instagram": "#c13584",
    "youtube": "#ff0000",
    "bluesky": "#0085ff",
    "other": "#7f7f7f",
}
SENTIMENT_COLORS = {"negative": "#d62728", "neutral": "#9e9e9e", "positive": "#2ca02c"}
SENTIMENT_ORDER = ["negative", "neutral", "positive"]
ACCENT = "#264653"

STYLE = {
    "figure.figsize": (8.0, 4.0),
    "figure.dpi": 100,
    "savefig.dpi": 110,
    "savefig.bbox": "tight",
    "font.size": 10,
    "axes.titlesize": 12,
    "axes.titleweight": "bold",
    "axes.labelsize": 10,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "axes.prop_cycle": mpl.cycler(color=["#264653", "#2a9d8f", "#e9c46a", "#f4a261", "#e76f51", "#8ab17d", "#6d597a", "#b56576"]),
    "legend.frameon": False,
    # Post text may contain $, _ or ^: never interpret data text as mathtext.
    "text.parse_math": False,
    "svg.hashsalt": "toolkit",
}


def use_style() -> None:
    """Apply the report style to matplotlib's global rcParams (call once per notebook)."""
    mpl.rcParams.update(STYLE)


def platform_color(platform: str) -> str:
    return PLATFORM_COLORS.get(platform, PLATFORM_COLORS["other"])


def platform_colors(platforms) -> list[str]:
    return [platform_color(p) for p in platforms]
