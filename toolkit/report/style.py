"""One matplotlib style for every report: colours per platform and per sentiment, titled axes,
and alt text for every figure a notebook shows."""

from __future__ import annotations

import os

import matplotlib as mpl

#: One colour per platform in every report (Okabe-Ito palette: distinguishable with colour
#: blindness; no two platforms share a hue family).
PLATFORM_COLORS = {
    "twitter": "#56b4e9",
    "facebook": "#0072b2",
    "reddit": "#d55e00",
    "instagram": "#cc79a7",
    "mastodon": "#009e73",
    "youtube": "#e69f00",
    "bluesky": "#332288",
    "tiktok": "#000000",
    "other": "#7f7f7f",
}
#: Diverging red-grey-blue: readable with red-green colour blindness.
SENTIMENT_COLORS = {"negative": "#b2182b", "neutral": "#b0b0b0", "positive": "#2166ac"}
SENTIMENT_ORDER = ["negative", "neutral", "positive"]
ACCENT = "#264653"
#: Colours with one meaning across reports (never a platform or a sentiment colour).
HIGHLIGHT = "#e9c46a"  # a period that matters: campaign window, spike day
TARGET = "#6d597a"  # a target or threshold line (e.g. the response-time SLA)
MUTED = "#9fb7c4"  # context bars behind the series that carries the point
SECONDARY = "#f4a261"  # a second series next to ACCENT

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
    "axes.prop_cycle": mpl.cycler(
        color=[
            "#264653",
            "#2a9d8f",
            "#e9c46a",
            "#f4a261",
            "#e76f51",
            "#8ab17d",
            "#6d597a",
            "#b56576",
        ]
    ),
    "legend.frameon": False,
    # Post text may contain $, _ or ^: never interpret data text as mathtext.
    "text.parse_math": False,
    "svg.hashsalt": "toolkit",
}


def use_style() -> None:
    """Apply the report style to matplotlib's rcParams (call once per notebook); in a Jupyter
    kernel, also give every displayed figure alt text (see `figure_alt_text`)."""
    mpl.rcParams.update(STYLE)
    describe_figures_in_notebook()


def platform_color(platform: str) -> str:
    """The report colour of a platform (grey for platforms without one)."""
    return PLATFORM_COLORS.get(str(platform).lower(), PLATFORM_COLORS["other"])


def platform_colors(platforms) -> list[str]:
    """`platform_color` of each platform, in order."""
    return [platform_color(p) for p in platforms]


def sentiment_color(label: str) -> str:
    """The report colour of a sentiment label (negative, neutral, positive)."""
    return SENTIMENT_COLORS[label]


def figure_alt_text(fig) -> str:
    """A one-sentence description of a figure for screen readers: its titles, axes and series.

    Parameters
    ----------
    fig : a matplotlib Figure.
    """
    parts = []
    suptitle = fig._suptitle.get_text() if getattr(fig, "_suptitle", None) else ""
    if suptitle:
        parts.append(suptitle)
    for ax in fig.axes:
        if ax.get_label() == "<colorbar>":
            continue
        parts.extend(_describe_axes(ax))
    text = ". ".join(p for p in parts if p)
    return f"Chart: {text}." if text else "Chart."


def _describe_axes(ax) -> list[str]:
    parts = [ax.get_title()]
    axes = [
        f"{name} axis: {label}"
        for name, label in (("horizontal", ax.get_xlabel()), ("vertical", ax.get_ylabel()))
        if label
    ]
    if axes:
        sentence = "; ".join(axes)
        parts.append(sentence[0].upper() + sentence[1:])
    legend = ax.get_legend()
    if legend is not None:
        labels = [t.get_text() for t in legend.get_texts() if t.get_text()]
        if labels:
            parts.append("Series: " + ", ".join(labels))
    return parts


def describe_figures_in_notebook() -> bool:
    """In an IPython kernel, make every PNG of a matplotlib figure carry `figure_alt_text` as
    its `alt` metadata (the report site writes it into <img alt>). Returns whether it is on."""
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython ships with the toolkit
        return False
    shell = get_ipython()
    if shell is None or not hasattr(shell, "display_formatter"):
        return False
    _load_inline_backend()
    from matplotlib.figure import Figure

    png = shell.display_formatter.formatters["image/png"]
    draw = png.lookup_by_type(Figure) if Figure in png else None
    if draw is None or getattr(draw, "_toolkit_alt", False):
        return draw is not None
    png.for_type(Figure, _with_alt(draw))
    return True


def _with_alt(draw):
    def formatter(fig):
        data = draw(fig)
        if data is None:
            return None
        return data, {"alt": figure_alt_text(fig)}

    formatter._toolkit_alt = True
    return formatter


def _load_inline_backend() -> None:
    """Import the inline backend now: importing it registers its figure formatter, which
    would otherwise replace ours when the first figure is drawn."""
    resolved = getattr(
        mpl.rcParams, "_get_backend_or_none", None
    )  # does not trigger auto-selection
    backend = str((resolved() if resolved else os.environ.get("MPLBACKEND")) or "").lower()
    if "inline" in backend:
        import matplotlib_inline.backend_inline  # noqa: F401
