"""The one-page brief: five findings with a figure and a recommendation each, written from
the values the other notebooks recorded (`findings.json`), never retyped."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, replace
from pathlib import Path

from toolkit.config import Config

#: Finding keys each card needs, recorded by 01-04.
REQUIRED = {
    "crisis": [
        "spike_days",
        "spike_top_day",
        "spike_top_posts",
        "spike_top_share_negative",
        "tone_share_negative",
    ],
    "attentiveness": [
        "response_rate",
        "response_median_hours",
        "response_p90_hours",
        "response_within_sla",
        "response_slowest_platform",
        "response_slowest_median_hours",
    ],
    "campaign": ["campaigns"],
    "topics": ["topics_n", "topics_outlier_share", "topics_top", "topics_most_negative"],
    "privacy": [
        "privacy_share_with_pii",
        "privacy_share_with_contact",
        "privacy_authors_exposing_contact",
        "privacy_posts_scanned",
    ],
}


#: What each figure a card can show draws (the start of its alt text).
FIGURE_DESCRIPTIONS = {
    "tone_daily": "Bar chart of customer posts per day with their mean sentiment as a line; spike days marked",
    "attentiveness_by_platform": "Bar chart of the brand's median and 90th-percentile first-response time per platform, with the response target",
    "topics_sentiment": "Bar chart of the largest topics, each bar split into negative, neutral and positive posts",
    "privacy_by_platform": "Bar chart of the share of customer posts carrying each type of personal data, per platform",
    "engagement_best_time": "Heatmap of the median engagement rate of brand posts by weekday and hour",
}
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]#|~$])")


@dataclass(frozen=True)
class Card:
    """One finding of the brief: a title, the finding, a recommendation and the name of the
    figure (under figures/) that shows it."""

    title: str
    finding: str
    recommendation: str
    figure: str
    key: str = ""

    def markdown(self) -> str:
        return f"### {self.title}\n\n{self.finding}\n\n**Recommendation:** {self.recommendation}"

    @property
    def alt(self) -> str:
        """Alt text of the card's figure: what it draws and the finding it supports."""
        what = FIGURE_DESCRIPTIONS.get(self.figure)
        if what is None and self.figure.startswith("campaign_"):
            what = "Bar chart of customer posts per day using the campaign's code or hashtag, campaign window shaded"
        plain = re.sub(r"\\(.)", r"\1", self.title.replace("**", ""))
        return f"{what or 'Chart'}. Finding: {html.unescape(plain)}"


def md(text) -> str:
    """Data text made safe to put in Markdown: HTML is escaped and Markdown syntax
    (emphasis, links, code, math, tables) is shown literally.

    Parameters
    ----------
    text : any value; it is converted with str().
    """
    return _MARKDOWN_SPECIAL.sub(r"\\\1", html.escape(str(text), quote=False))


def missing_findings(findings: dict) -> list[str]:
    """Keys the brief needs that no notebook recorded (run the notebooks in order)."""
    return sorted({k for keys in REQUIRED.values() for k in keys} - set(findings))


def headline(findings: dict, config: Config) -> str:
    return (
        f"**{md(config.brand.name)}**, {findings['period_start']} to {findings['period_end']}: "
        f"{findings['ingest_loaded']:,} posts on {len(findings['ingest_platforms'])} platforms "
        f"({', '.join(md(p) for p in findings['ingest_platforms'])}); customers talked about "
        f"{findings['topics_n']} main topics."
    )


def card(name: str, findings: dict, config: Config) -> Card:
    """The card for one finding: crisis, attentiveness, campaign, topics or privacy.

    Parameters
    ----------
    name : one of `REQUIRED`'s keys.
    findings : the recorded findings (`findings.json`).
    config : the dataset's config (brand name, response target).
    """
    return replace(_BUILDERS[name](findings, config), key=name)


def _crisis(f: dict, config: Config) -> Card:
    if not f["spike_days"]:
        return Card(
            "No unusual spikes",
            "Daily customer volume stayed within its normal range.",
            "Keep monitoring daily volume and tone.",
            "tone_daily",
        )
    others = [d for d in f["spike_days"] if d != f["spike_top_day"]]
    return Card(
        f"Spike on {f['spike_top_day']}: {f['spike_top_posts']:,} customer posts in a day",
        f"The largest spike of the period was {f['spike_top_day']} with {f['spike_top_posts']:,} customer posts, "
        f"{_pct(f['spike_top_share_negative'])} of them negative (period average: {_pct(f['tone_share_negative'])})."
        + (f" Other flagged days: {', '.join(others)}." if others else ""),
        "Publish incident status proactively on every platform within the first hour of an outage, "
        "and pin a single update thread that support replies can link to.",
        "tone_daily",
    )


def _attentiveness(f: dict, config: Config) -> Card:
    sla = config.analysis.response_sla_hours
    return Card(
        f"The brand answers {_pct(f['response_rate'])} of customers who address it",
        f"Median first response {_hours(f['response_median_hours'])}, 90th percentile "
        f"{_hours(f['response_p90_hours'])}; {_pct(f['response_within_sla'])} answered within the {sla:g} h target. "
        f"Slowest platform: {md(f['response_slowest_platform'])} (median {_hours(f['response_slowest_median_hours'])}).",
        f"Extend support coverage on {md(f['response_slowest_platform'])} and outside business hours, "
        "where unanswered posts accumulate.",
        "attentiveness_by_platform",
    )


def _campaign(f: dict, config: Config) -> Card:
    if not f["campaigns"]:
        return _best_time(f)
    c = f["campaigns"][0]
    lift = c.get("uptake_lift")
    if lift is not None:
        before = f"{lift:.1f}x the daily rate of the weeks before"
    else:
        before = (
            "none in the weeks before" if not c.get("baseline_posts") else "no comparable baseline"
        )
    return Card(
        f"Campaign '{md(c['name'])}': {c['uptake_posts']:,} customer posts used its code or hashtag",
        f"{c['uptake_authors']:,} customers used it; {c['during_posts']:,} posts fell in the campaign window "
        f"({c['start']} to {c['end']}; {before}). "
        f"The brand's {c['n_brand_posts']} campaign posts drew {c['interactions']:,} interactions.",
        "Repeat the offer format; publish codes where uptake was highest and track redemptions per platform.",
        f"campaign_{slug(c['name'])}",
    )


def _best_time(f: dict) -> Card:
    """Stands in for the campaign card when the config lists no campaign."""
    slots = f.get("best_slots") or []
    found = (
        f"Brand posts published {', '.join(md(s) for s in slots)} drew the highest median engagement rate."
        if slots
        else "Too few brand posts per weekday and hour to compare posting times."
    )
    return Card(
        f"When to post: {md(slots[0])}" if slots else "When to post: not enough brand posts yet",
        found + " No campaign is configured, so campaign uptake is not measured.",
        "Schedule key announcements in the best slots, and add campaigns (hashtags, offer codes) "
        "to the config to measure their uptake.",
        "engagement_best_time",
    )


def _topics(f: dict, config: Config) -> Card:
    top = ", ".join(f"{md(t['label'])} ({_pct(t['share'])})" for t in f["topics_top"][:3])
    neg = f["topics_most_negative"]
    return Card(
        f"Customers talk most about: {top}",
        f"{f['topics_n']} topics; {_pct(f['topics_outlier_share'])} of posts fit none. The most negative topic is "
        f"**{md(neg['label'])}** ({_pct(neg['share_negative'])} negative).",
        f"Give the product and support owners of '{md(neg['label'])}' this topic's trend as a standing KPI.",
        "topics_sentiment",
    )


def _privacy(f: dict, config: Config) -> Card:
    return Card(
        f"{_pct(f['privacy_share_with_contact'])} of customer posts expose contact details in public",
        f"Of {f['privacy_posts_scanned']:,} customer posts, {_pct(f['privacy_share_with_pii'])} contain personal data "
        f"(emails, phone numbers, addresses, names, order or card numbers); "
        f"{f['privacy_authors_exposing_contact']:,} customers posted their own contact details. "
        "None of it appears in these reports.",
        "Reply to such posts with a request to continue in a private channel, and never ask customers "
        "for order numbers or contact details in public.",
        "privacy_by_platform",
    )


_BUILDERS = {
    "crisis": _crisis,
    "attentiveness": _attentiveness,
    "campaign": _campaign,
    "topics": _topics,
    "privacy": _privacy,
}


def campaign_headline(uptake) -> dict:
    """The JSON-able numbers of a `campaigns.CampaignUptake` that the brief uses."""
    return {
        "name": uptake.name,
        "start": str(uptake.start),
        "end": str(uptake.end),
        "n_brand_posts": int(uptake.n_brand_posts),
        "interactions": int(uptake.interactions),
        "uptake_posts": int(uptake.uptake_posts),
        "uptake_authors": int(uptake.uptake_authors),
        "uptake_lift": _finite(getattr(uptake, "uptake_lift", None)),
        "during_posts": _phase_posts(uptake.phases, "during"),
        "baseline_posts": _phase_posts(uptake.phases, "baseline"),
    }


def _phase_posts(phases, phase: str) -> int:
    rows = phases.loc[phases["phase"] == phase, "n_posts"]
    return int(rows.iloc[0]) if len(rows) else 0


def chart_values(key: str, findings: dict) -> tuple[str, dict[str, float | None], bool]:
    """The numbers a card's stand-in figure draws: (title, label -> value, values are shares).

    Used when the notebook figure a card names is missing (e.g. its notebook drew nothing).

    Parameters
    ----------
    key : the card's key (crisis, attentiveness, campaign, topics, privacy).
    findings : the recorded findings.
    """
    f = findings
    if key == "crisis":
        day = f.get("spike_top_day") or "top day"
        return (
            "Share of negative customer posts",
            {
                f"spike day {day}": f.get("spike_top_share_negative"),
                "period average": f.get("tone_share_negative"),
            },
            True,
        )
    if key == "attentiveness":
        return (
            "How the brand answers customers",
            {
                "answered": f.get("response_rate"),
                "answered within target": f.get("response_within_sla"),
            },
            True,
        )
    if key == "campaign" and f.get("campaigns"):
        c = f["campaigns"][0]
        return (
            f"Campaign '{c['name']}': customer posts",
            {
                "using code or hashtag": c.get("uptake_posts"),
                "in the campaign window": c.get("during_posts"),
                "baseline weeks": c.get("baseline_posts"),
            },
            False,
        )
    if key == "topics":
        return (
            "Largest topics (share of modelled posts)",
            {t["label"]: t.get("share") for t in (f.get("topics_top") or [])[:5]},
            True,
        )
    if key == "privacy":
        return (
            "Customer posts with personal data",
            {
                "any personal data": f.get("privacy_share_with_pii"),
                "contact details": f.get("privacy_share_with_contact"),
            },
            True,
        )
    return ("", {}, True)


def figure_path(card: Card, figures_dir: Path, findings: dict | None = None) -> Path | None:
    """The PNG that shows a card: the notebook figure it names, or else a chart drawn from
    `findings` (saved as figures/brief_<key>.png). None when there is nothing to draw.

    Parameters
    ----------
    card : the card.
    figures_dir : the report's figures folder.
    findings : the recorded findings, for the stand-in chart.
    """
    figures_dir = Path(figures_dir)
    named = figures_dir / f"{card.figure}.png"
    if card.figure and named.exists():
        return named
    title, values, percent = chart_values(card.key, findings or {})
    if not values:
        return None
    import matplotlib.pyplot as plt

    from toolkit.figures import kpi_bars

    fig = kpi_bars(title, values, percent=percent)
    path = figures_dir / f"brief_{card.key}.png"
    figures_dir.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, metadata={"Software": None})
    plt.close(fig)
    return path


def show(card: Card, figures_dir: Path, findings: dict | None = None) -> None:
    """Display a card and its figure (with alt text) in a notebook.

    Parameters
    ----------
    card : the card.
    figures_dir : the report's figures folder.
    findings : the recorded findings; when given, a card whose figure is missing gets a
        chart drawn from them.
    """
    from IPython.display import Image, Markdown, display

    display(Markdown(card.markdown()))
    path = figure_path(card, figures_dir, findings)
    if path is not None:
        display(Image(filename=str(path), width=720, alt=card.alt))


def slug(name: str) -> str:
    return "".join(ch if ch.isalnum() else "_" for ch in name.lower()).strip("_")


def _finite(value):
    if value is None:
        return None
    value = float(value)
    return value if value == value and value not in (float("inf"), float("-inf")) else None


def _pct(x) -> str:
    return "n/a" if x is None else f"{100 * x:.0f}%"


def _hours(h) -> str:
    if h is None:
        return "n/a"
    return f"{h * 60:.0f} min" if h < 1 else f"{h:.1f} h"
