"""The one-page brief: five findings with a figure and a recommendation each, written from
the values the other notebooks recorded (`findings.json`), never retyped."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, replace
from pathlib import Path

from toolkit.core.config import Config
from toolkit.report import brief_rules as rules

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

#: The brief's cards, in page order. "changes" reads the findings of 05_changes, which records
#: a "no comparison" finding when the config names no previous report.
CARDS = (*REQUIRED, "changes")

#: What each figure a card can show draws (the start of its alt text).
FIGURE_DESCRIPTIONS = {
    "tone_daily": "Bar chart of customer posts per day with their mean sentiment as a line; spike days marked",
    "attentiveness_by_platform": "Bar chart of the brand's median and 90th-percentile first-response time per platform, with the response target",
    "topics_sentiment": "Bar chart of the largest topics, each bar split into negative, neutral and positive posts",
    "privacy_by_platform": "Bar chart of the share of customer posts carrying each type of personal data, per platform",
    "changes_topics": "Bar chart of each topic's share of posts in the previous period and in this one, by status (new, grown, shrunk, gone)",
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
    #: The data can't support advice: the card says what is missing, and shows no chart.
    thin: bool = False

    def markdown(self) -> str:
        label = "What would tell us more" if self.thin else "Recommendation"
        return f"### {self.title}\n\n{self.finding}\n\n**{label}:** {self.recommendation}"

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
    covered = (
        f" The report covers the {findings['scope_posts']:,} posts that address the brand."
        if findings.get("scope") == "brand"
        else ""
    )
    return (
        f"**{md(config.brand.name)}**, {findings['period_start']} to {findings['period_end']}: "
        f"{findings['ingest_loaded']:,} posts on {len(findings['ingest_platforms'])} platforms "
        f"({', '.join(md(p) for p in findings['ingest_platforms'])}); customers talked about "
        f"{findings['topics_n']} main topics." + covered
    )


def _escaped(value):
    """`value` with every string made Markdown-safe (`md`), for the rules' advice text."""
    if isinstance(value, str):
        return md(value)
    if isinstance(value, dict):
        return {k: _escaped(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_escaped(v) for v in value]
    return value


def card(name: str, findings: dict, config: Config) -> Card:
    """The card for one finding: crisis, attentiveness, campaign, topics or privacy.

    Parameters
    ----------
    name : one of `REQUIRED`'s keys.
    findings : the recorded findings (`findings.json`).
    config : the dataset's config (brand name, response target).
    """
    return replace(_BUILDERS[name](_escaped(findings), config), key=name)


def _ruled_card(rule: rules.Rule, f: dict, figure: str, title: str, finding: str) -> Card:
    """A card whose recommendation is `rule`'s advice, thin when the rule is (the data can't
    support advice)."""
    return Card(title, finding, rule.advice(f), figure, thin=rule.thin)


def _crisis(f: dict, config: Config) -> Card:
    rule = rules.first_rule(rules.SPIKE_RULES, f)
    if rule.name == "too_few_days":
        busiest = ""
        if f.get("daily_busiest_day") and f.get("daily_median_posts"):
            ratio = f["daily_busiest_posts"] / f["daily_median_posts"]
            busiest = (
                f" The busiest day, {f['daily_busiest_day']}, had {f['daily_busiest_posts']:,} "
                f"customer posts ({ratio:.1f}x the median day)."
            )
        return _ruled_card(
            rule,
            f,
            "tone_daily",
            "Spikes: not enough days to tell",
            f"The period has {f['spike_days_observed']} days of posts; spike detection needs "
            f"{f['spike_min_days']}." + busiest,
        )
    if rule.name == "no_spike":
        days = f" over {f['spike_days_observed']} days" if f.get("spike_days_observed") else ""
        return _ruled_card(
            rule,
            f,
            "tone_daily",
            "No unusual spikes",
            f"Daily customer volume stayed within its normal range{days}.",
        )
    others = [d for d in f["spike_days"] if d != f["spike_top_day"]]
    return _ruled_card(
        rule,
        f,
        "tone_daily",
        f"Spike on {f['spike_top_day']}: {f['spike_top_posts']:,} customer posts in a day",
        f"The largest spike of the period was {f['spike_top_day']} with {f['spike_top_posts']:,} customer posts, "
        f"{_pct(f['spike_top_share_negative'])} of them negative (period average: {_pct(f['tone_share_negative'])})."
        + _spike_drivers_text(f.get("spike_drivers") or {})
        + (f" Other flagged days: {', '.join(others)}." if others else ""),
    )


def _spike_drivers_text(d: dict) -> str:
    """What drove the spike day, in words: topic, campaign, platform and brand replies."""
    if not d:
        return ""
    parts = []
    topic = rules.driver_topic(d)
    if topic is not None:
        lift = f", {topic['lift']:.1f}x its usual share" if topic.get("lift") else ", new that day"
        parts.append(f"'{topic['label']}' made up {_pct(topic['share'])} of the day{lift}")
    elif d.get("topics"):
        parts.append("no single topic dominated")
    if d.get("campaign"):
        parts.append(f"{_pct(d['campaign_share'])} used the '{d['campaign']}' campaign's terms")
    if d.get("top_platform"):
        parts.append(f"{_pct(d['top_platform_share'])} came from {d['top_platform']}")
    if d.get("brand_replies") is not None:
        parts.append(f"the brand posted {d['brand_replies']:,} replies that day")
    return (" Drivers: " + "; ".join(parts) + ".") if parts else ""


def _attentiveness(f: dict, config: Config) -> Card:
    sla = config.analysis.response_sla_hours
    rule = rules.first_rule(rules.ATTENTIVENESS_RULES, f)
    n = f.get("response_n_requests")
    missing = {
        "no_requests": (
            "Response times: no customer requests found",
            "No customer post in the period addressed the brand's accounts.",
        ),
        "no_replies": (
            "Response times: no brand replies in the data",
            f"{n or 0:,} customer posts addressed the brand, but the data holds no brand "
            "reply, so the response rate and times can't be measured.",
        ),
        "too_few_requests": (
            "Response times: too few requests to judge",
            f"Only {n or 0:,} customer posts addressed the brand; at least "
            f"{rules.MIN_REQUESTS} are needed.",
        ),
    }
    if rule.name in missing:
        title, finding = missing[rule.name]
        return _ruled_card(rule, f, "attentiveness_by_platform", title, finding)
    slowest = (
        f" Slowest platform: {f['response_slowest_platform']} "
        f"(median {_hours(f['response_slowest_median_hours'])})."
        if f.get("response_slowest_platform")
        else ""
    )
    return _ruled_card(
        rule,
        f,
        "attentiveness_by_platform",
        f"The brand answers {_pct(f['response_rate'], n)} of customers who address it",
        f"Median first response {_hours(f['response_median_hours'])}, 90th percentile "
        f"{_hours(f['response_p90_hours'])}; {_pct(f['response_within_sla'], n)} answered within the {sla:g} h target."
        + slowest,
    )


def _campaign(f: dict, config: Config) -> Card:
    if not f["campaigns"]:
        return _best_time(f)
    judged = [(c, rules.first_rule(rules.CAMPAIGN_RULES, c)) for c in f["campaigns"]]
    first = f["campaigns"][0]
    if len(judged) == 1:
        c, rule = judged[0]
        title = (
            f"Campaign '{c['name']}': too few customer posts to judge"
            if rule.thin
            else f"Campaign '{c['name']}': {c['uptake_posts']:,} customer posts used its code or hashtag"
        )
    else:
        names = ", ".join(f"'{c['name']}'" for c in f["campaigns"])
        title = f"{len(judged)} campaigns: {names}"
    return Card(
        title,
        " ".join(_campaign_text(c) for c, _ in judged),
        " ".join(rule.advice(c) for c, rule in judged),
        f"campaign_{slug(first['name'])}",
        thin=all(rule.thin for _, rule in judged),
    )


def _campaign_text(c: dict) -> str:
    lift = c.get("uptake_lift")
    if lift is not None:
        before = f"{lift:.1f}x the daily rate of the weeks before"
    else:
        before = (
            "none in the weeks before" if not c.get("baseline_posts") else "no comparable baseline"
        )
    top = rules.top_platform(c)
    where = (
        f" Most uptake came from {top['platform']} ({top['n_posts']:,} posts)."
        if top and len(c.get("uptake_by_platform") or []) > 1
        else ""
    )
    return (
        f"'{c['name']}': {c['uptake_authors']:,} customers used it in {c['uptake_posts']:,} posts; "
        f"{c['during_posts']:,} posts fell in the campaign window ({c['start']} to {c['end']}; {before}). "
        f"The brand's {c['n_brand_posts']} campaign posts drew {c['interactions']:,} interactions."
        + where
    )


def _best_time(f: dict) -> Card:
    """Stands in for the campaign card when the config lists no campaign."""
    rule = rules.first_rule(rules.BEST_TIME_RULES, f)
    slots = f.get("best_slots") or []
    support = f.get("best_slots_support") or []
    if rule.thin:
        rested = (
            f" The best slot, {slots[0]}, rests on {support[0]['n_posts']} posts from "
            f"{support[0]['n_authors']} account(s); at least {rules.MIN_SLOT_POSTS} are needed."
            if slots and support
            else ""
        )
        rated = f.get("best_time_rated_posts")
        return _ruled_card(
            rule,
            f,
            "engagement_best_time",
            "When to post: not enough brand posts yet",
            (
                f"The period has {rated:,} brand posts with an engagement rate to compare."
                if rated is not None and not slots
                else "Too few brand posts per weekday and hour to compare posting times."
            )
            + rested
            + " No campaign is configured, so campaign uptake is not measured.",
        )
    return _ruled_card(
        rule,
        f,
        "engagement_best_time",
        f"When to post: {slots[0]}",
        f"Brand posts published {', '.join(s for s in slots)} drew the highest median engagement rate."
        " No campaign is configured, so campaign uptake is not measured.",
    )


def _topics(f: dict, config: Config) -> Card:
    rule = rules.first_rule(rules.TOPIC_RULES, f)
    if rule.thin:
        finding = "No topic was found in the customer posts of this period."
        return _ruled_card(rule, f, "topics_sentiment", "Topics: none found", finding)
    top = ", ".join(f"{t['label']} ({_pct(t['share'])})" for t in f["topics_top"][:3])
    neg = f["topics_most_negative"]
    finding = (
        f"{f['topics_n']} topics; {_pct(f['topics_outlier_share'])} of posts fit none. The most negative topic is "
        f"**{neg['label']}** ({_pct(neg['share_negative'])} negative)."
    )
    return _ruled_card(rule, f, "topics_sentiment", f"Customers talk most about: {top}", finding)


def _privacy(f: dict, config: Config) -> Card:
    n = f["privacy_posts_scanned"]
    rule = rules.first_rule(rules.PRIVACY_RULES, f)
    title = f"{_pct(f['privacy_share_with_contact'], n)} of customer posts expose contact details in public"
    finding = (
        f"Of {n:,} customer posts, {_pct(f['privacy_share_with_pii'], n)} contain personal data "
        f"(emails, phone numbers, addresses, names, order or card numbers); "
        f"{f['privacy_authors_exposing_contact']:,} customers posted their own contact details. "
        "None of it appears in these reports."
    )
    return _ruled_card(rule, f, "privacy_by_platform", title, finding)


def _changes(f: dict, config: Config) -> Card:
    """Period over period (05_changes): read from the `compare_*` findings."""
    rule = rules.first_rule(rules.CHANGE_RULES, f)
    if rule.thin:
        finding = "There is no previous period to compare with."
        return _ruled_card(rule, f, "changes_topics", "Changes: no previous period", finding)
    period = f.get("compare_previous_period") or {}
    moved = []
    for measure, m in (f.get("compare_metrics") or {}).items():
        if m.get("direction") in ("up", "down") and m.get("change") is not None:
            change = (
                f"{m['change'] * 100:+.1f} points"
                if m.get("change_kind") == "points"
                else f"{m['change']:+.0%}"
            )
            moved.append(f"{measure.lower()} {change}")
    topics = f.get("compare_topics") or {}
    counts = ", ".join(f"{len(topics.get(s, []))} {s}" for s in ("new", "grown", "shrunk", "gone"))
    matched = (
        f"Topics: {counts}."
        if f.get("compare_topics_matched")
        else f"Topics not matched: {f.get('compare_topics_note') or 'no topic model'}."
    )
    return _ruled_card(
        rule,
        f,
        "changes_topics",
        f"Since the previous period ({period.get('start')} to {period.get('end')})",
        (
            "; ".join(moved).capitalize() + ". "
            if moved
            else "Volume, tone and replies about the same. "
        )
        + matched,
    )


_BUILDERS = {
    "crisis": _crisis,
    "attentiveness": _attentiveness,
    "campaign": _campaign,
    "topics": _topics,
    "privacy": _privacy,
    "changes": _changes,
}


def campaign_headline(uptake, k: int = 0) -> dict:
    """The JSON-able numbers of a `campaigns.CampaignUptake` that the brief uses.

    Uptake per platform is listed only for platforms with at least `k` distinct customers
    (the config's `privacy.min_group_size`), largest first.
    """
    platforms = getattr(uptake, "by_platform", None)
    published = (
        []
        if platforms is None
        else [
            {"platform": str(r.platform), "n_posts": int(r.n_posts)}
            for r in platforms.itertuples()
            if r.n_authors >= k
        ]
    )
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
        "uptake_by_platform": published,
        "min_group_size": int(k),
    }


def _phase_posts(phases, phase: str) -> int:
    rows = phases.loc[phases["phase"] == phase, "n_posts"]
    return int(rows.iloc[0]) if len(rows) else 0


#: The stand-in charts that draw shares recorded in the findings: card key -> (title,
#: label -> findings key); "{day}" in a label is the spike's top day.
SHARE_CHARTS = {
    "crisis": (
        "Share of negative customer posts",
        {"spike day {day}": "spike_top_share_negative", "period average": "tone_share_negative"},
    ),
    "attentiveness": (
        "How the brand answers customers",
        {"answered": "response_rate", "answered within target": "response_within_sla"},
    ),
    "privacy": (
        "Customer posts with personal data",
        {
            "any personal data": "privacy_share_with_pii",
            "contact details": "privacy_share_with_contact",
        },
    ),
}


def chart_values(key: str, findings: dict) -> tuple[str, dict[str, float | None], bool]:
    """The numbers a card's stand-in figure draws: (title, label -> value, values are shares).

    Used when the notebook figure a card names is missing (e.g. its notebook drew nothing).

    Parameters
    ----------
    key : the card's key (crisis, attentiveness, campaign, topics, privacy).
    findings : the recorded findings.
    """
    f = findings
    if key in SHARE_CHARTS:
        title, labels = SHARE_CHARTS[key]
        day = f.get("spike_top_day") or "top day"
        return title, {label.format(day=day): f.get(name) for label, name in labels.items()}, True
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

    from toolkit.report.figures.charts import kpi_bars

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
    if card.thin:
        return
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


_pct = rules.pct
_hours = rules.hours
