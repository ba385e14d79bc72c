"""The one-page brief: five findings with a figure and a recommendation each, written from
the values the other notebooks recorded (`findings.json`), never retyped."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from toolkit.config import Config

#: Finding keys each card needs, recorded by 01-04.
REQUIRED = {
    "crisis": ["spike_days", "spike_top_day", "spike_top_posts", "spike_top_share_negative", "tone_share_negative"],
    "attentiveness": ["response_rate", "response_median_hours", "response_p90_hours", "response_within_sla",
                      "response_slowest_platform", "response_slowest_median_hours"],
    "campaign": ["campaigns"],
    "topics": ["topics_n", "topics_outlier_share", "topics_top", "topics_most_negative"],
    "privacy": ["privacy_share_with_pii", "privacy_share_with_contact", "privacy_authors_exposing_contact",
                "privacy_posts_scanned"],
}


@dataclass(frozen=True)
class Card:
    """One finding of the brief."""

    title: str
    finding: str
    recommendation: str
    figure: str

    def markdown(self) -> str:
        return f"### {self.title}\n\n{self.finding}\n\n**Recommendation:** {self.recommendation}"


def missing_findings(findings: dict) -> list[str]:
    """Keys the brief needs that no notebook recorded (run the notebooks in order)."""
    return sorted({k for keys in REQUIRED.values() for k in keys} - set(findings))


def headline(findings: dict, config: Config) -> str:
    return (
        f"**{config.brand.name}**, {findings['period_start']} to {findings['period_end']}: "
        f"{findings['ingest_loaded']:,} posts on {len(findings['ingest_platforms'])} platforms "
        f"({', '.join(findings['ingest_platforms'])}); customers talked about "
        f"{findings['topics_n']} main topics."
    )


def card(name: str, findings: dict, config: Config) -> Card:
    """The card for one finding: crisis, attentiveness, campaign, topics or privacy."""
    return _BUILDERS[name](findings, config)


def _crisis(f: dict, config: Config) -> Card:
    if not f["spike_days"]:
        return Card("No unusual spikes", "Daily customer volume stayed within its normal range.",
                    "Keep monitoring daily volume and tone.", "tone_daily")
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
        f"Slowest platform: {f['response_slowest_platform']} (median {_hours(f['response_slowest_median_hours'])}).",
        f"Extend support coverage on {f['response_slowest_platform']} and outside business hours, "
        "where unanswered posts accumulate.",
        "attentiveness_by_platform",
    )


def _campaign(f: dict, config: Config) -> Card:
    if not f["campaigns"]:
        return Card("No campaign configured", "The config lists no campaigns.", "Add campaigns to the config to track uptake.", "")
    c = f["campaigns"][0]
    lift = c.get("uptake_lift")
    if lift is not None:
        before = f"{lift:.1f}x the daily rate of the weeks before"
    else:
        before = "none in the weeks before" if not c.get("baseline_posts") else "no comparable baseline"
    return Card(
        f"Campaign '{c['name']}': {c['uptake_posts']:,} customer posts used its code or hashtag",
        f"{c['uptake_authors']:,} customers used it; {c['during_posts']:,} posts fell in the campaign window "
        f"({c['start']} to {c['end']}; {before}). "
        f"The brand's {c['n_brand_posts']} campaign posts drew {c['interactions']:,} interactions.",
        "Repeat the offer format; publish codes where uptake was highest and track redemptions per platform.",
        f"campaign_{slug(c['name'])}",
    )


def _topics(f: dict, config: Config) -> Card:
    top = ", ".join(f"{t['label']} ({_pct(t['share'])})" for t in f["topics_top"][:3])
    neg = f["topics_most_negative"]
    return Card(
        f"Customers talk most about: {top}",
        f"{f['topics_n']} topics; {_pct(f['topics_outlier_share'])} of posts fit none. The most negative topic is "
        f"**{neg['label']}** ({_pct(neg['share_negative'])} negative).",
        f"Give the product and support owners of '{neg['label']}' this topic's trend as a standing KPI.",
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


_BUILDERS = {"crisis": _crisis, "attentiveness": _attentiveness, "campaign": _campaign,
             "topics": _topics, "privacy": _privacy}


def campaign_headline(uptake) -> dict:
    """The JSON-able numbers of a `campaigns.CampaignUptake` that the brief uses."""
    return {
        "name": uptake.name, "start": str(uptake.start), "end": str(uptake.end),
        "n_brand_posts": int(uptake.n_brand_posts), "interactions": int(uptake.interactions),
        "uptake_posts": int(uptake.uptake_posts), "uptake_authors": int(uptake.uptake_authors),
        "uptake_lift": _finite(getattr(uptake, "uptake_lift", None)),
        "during_posts": _phase_posts(uptake.phases, "during"),
        "baseline_posts": _phase_posts(uptake.phases, "baseline"),
    }


def _phase_posts(phases, phase: str) -> int:
    rows = phases.loc[phases["phase"] == phase, "n_posts"]
    return int(rows.iloc[0]) if len(rows) else 0


def show(card: Card, figures_dir: Path) -> None:
    """Display a card and its figure in a notebook."""
    from IPython.display import Image, Markdown, display

    display(Markdown(card.markdown()))
    figure = Path(figures_dir) / f"{card.figure}.png"
    if card.figure and figure.exists():
        display(Image(filename=str(figure), width=720))


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
