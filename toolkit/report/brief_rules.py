"""The rules that turn recorded findings into the brief's recommendations.

Each card of the brief (`toolkit.report.brief`) takes the first rule of its list whose condition
holds over the findings (`findings.json`), and writes the recommendation from the same
findings. A rule marked *thin* fires when the data cannot support advice: its card then
says what is missing instead of advising. The thresholds are the constants below;
`rules_markdown()` renders the table in docs/brief.md (a test keeps the two equal).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from toolkit.report.tables import percent

#: Spike detection needs this many days before it can flag one (`trends.detect_spikes`).
SPIKE_MIN_DAYS = 14
#: A spike day with fewer customer posts is too small to say what drove it.
SPIKE_MIN_POSTS = 30
#: Negative share of the spike day minus its baseline's: above this, a complaint spike.
NEGATIVE_SHIFT = 0.15
#: Positive share of the spike day minus its baseline's: above this, a positive spike.
POSITIVE_SHIFT = 0.10
#: Share of the spike day's customer posts using a campaign's terms: above this, a campaign spike.
CAMPAIGN_SPIKE_SHARE = 0.20
#: A topic drives a spike when it holds this share of the day's posts ...
TOPIC_DRIVER_SHARE = 0.30
#: ... and this many times its share of the days before.
TOPIC_DRIVER_LIFT = 2.0
#: Fewer customer requests than this are too few to judge response times.
MIN_REQUESTS = 30
#: Share of requests answered within the target below which coverage should grow.
SLA_SHARE_TARGET = 0.80
#: A campaign used by fewer customer posts than this is too small to judge.
MIN_CAMPAIGN_POSTS = 10
#: Uptake lift (during / baseline per day) from which a campaign counts as strong ...
STRONG_LIFT = 2.0
#: ... and from which it counts as up; below FLAT_LIFT_LOW it went down.
UP_LIFT = 1.2
FLAT_LIFT_LOW = 0.8
#: A posting slot resting on fewer rated brand posts than this is too thin to recommend.
MIN_SLOT_POSTS = 10
#: A topic this negative gets an owner.
NEGATIVE_TOPIC_SHARE = 0.5


@dataclass(frozen=True)
class Rule:
    """One recommendation: the card it belongs to, its name, its condition in words (with
    the threshold), the test over the findings and the advice written from them."""

    card: str
    name: str
    when: str
    applies: Callable[[dict], bool]
    advice: Callable[[dict], str]
    thin: bool = False


#: Shares as percentages at the precision their counts justify (see `tables.percent`).
pct = percent


def hours(h: float | None) -> str:
    if h is None:
        return "n/a"
    return f"{h * 60:.0f} min" if h < 1 else f"{h:.1f} h"


# ------------------------------------------------------------------ spikes
def _drivers(f: dict) -> dict:
    return f.get("spike_drivers") or {}


def _shift(d: dict, label: str) -> float:
    day, base = d.get(f"share_{label}"), d.get(f"baseline_share_{label}")
    return 0.0 if day is None or base is None else day - base


def driver_topic(d: dict) -> dict | None:
    """The topic that drove a spike day (share and lift over the thresholds), if any."""
    for topic in d.get("topics") or []:
        lift = topic.get("lift")
        if topic["share"] >= TOPIC_DRIVER_SHARE and (lift is None or lift >= TOPIC_DRIVER_LIFT):
            return topic
    return None


def _where(d: dict) -> str:
    return f" on {d['top_platform']}" if d.get("top_platform") else " on every platform"


SPIKE_RULES = [
    Rule(
        "crisis",
        "too_few_days",
        f"fewer than {SPIKE_MIN_DAYS} days of data (spike detection compares each day with "
        "the weeks before it)",
        lambda f: (
            f.get("spike_days_observed", SPIKE_MIN_DAYS) < f.get("spike_min_days", SPIKE_MIN_DAYS)
        ),
        lambda f: (
            f"Collect at least {f.get('spike_min_days', SPIKE_MIN_DAYS)} days of posts before "
            "judging spikes; until then, read the busiest day's posts before acting on it."
        ),
        thin=True,
    ),
    Rule(
        "crisis",
        "no_spike",
        "no day was flagged as a spike",
        lambda f: not f["spike_days"],
        lambda f: "Keep monitoring daily volume and tone.",
    ),
    Rule(
        "crisis",
        "thin_spike",
        f"the spike day has fewer than {SPIKE_MIN_POSTS} customer posts",
        lambda f: (_drivers(f).get("n_posts") or f.get("spike_top_posts") or 0) < SPIKE_MIN_POSTS,
        lambda f: "Too few posts that day to say what drove the spike; read them before acting.",
        thin=True,
    ),
    Rule(
        "crisis",
        "unexplained",
        "the notebooks recorded no drivers for the spike day",
        lambda f: not _drivers(f),
        lambda f: "Read the spike day's posts to find what drove it before acting.",
    ),
    Rule(
        "crisis",
        "campaign",
        f"at least {CAMPAIGN_SPIKE_SHARE:.0%} of the day's posts used a campaign's terms and "
        f"the negative share rose by less than {NEGATIVE_SHIFT:.0%} points",
        lambda f: (
            (_drivers(f).get("campaign_share") or 0) >= CAMPAIGN_SPIKE_SHARE
            and _shift(_drivers(f), "negative") < NEGATIVE_SHIFT
        ),
        lambda f: (
            f"This was campaign traffic, not an incident: plan reply staffing{_where(_drivers(f))} "
            f"for the next '{_drivers(f)['campaign']}' launch day."
        ),
    ),
    Rule(
        "crisis",
        "complaint_topic",
        f"the negative share rose by at least {NEGATIVE_SHIFT:.0%} points and one topic held "
        f"at least {TOPIC_DRIVER_SHARE:.0%} of the day at {TOPIC_DRIVER_LIFT:g}x its usual share",
        lambda f: (
            _shift(_drivers(f), "negative") >= NEGATIVE_SHIFT
            and driver_topic(_drivers(f)) is not None
        ),
        lambda f: (
            f"Treat '{driver_topic(_drivers(f))['label']}' as an incident: publish status"
            f"{_where(_drivers(f))} within the first hour, pin one update thread that support "
            "replies link to, and give the topic's owner the day's posts."
        ),
    ),
    Rule(
        "crisis",
        "complaint_broad",
        f"the negative share rose by at least {NEGATIVE_SHIFT:.0%} points, no single topic drove it",
        lambda f: _shift(_drivers(f), "negative") >= NEGATIVE_SHIFT,
        lambda f: (
            "Complaints rose across topics: review the day's changes (releases, prices, "
            f"service){_where(_drivers(f))} and answer the most-shared posts first."
        ),
    ),
    Rule(
        "crisis",
        "positive",
        f"the positive share rose by at least {POSITIVE_SHIFT:.0%} points",
        lambda f: _shift(_drivers(f), "positive") >= POSITIVE_SHIFT,
        lambda f: (
            "Customers were unusually positive: thank them and reuse what they praised"
            f"{_where(_drivers(f))}."
        ),
    ),
    Rule(
        "crisis",
        "volume",
        "volume rose without a change in tone",
        lambda f: True,
        lambda f: (
            "Volume rose without a change in tone"
            + (
                f": check what '{driver_topic(_drivers(f))['label']}' was about"
                if driver_topic(_drivers(f))
                else ""
            )
            + "; no incident response is needed."
        ),
    ),
]


# ------------------------------------------------------------------ attentiveness
ATTENTIVENESS_RULES = [
    Rule(
        "attentiveness",
        "no_requests",
        "no customer post addressed the brand",
        lambda f: f.get("response_n_requests", 1) == 0 or f.get("response_rate") is None,
        lambda f: (
            "Check that the config lists the brand's accounts and that the export holds "
            "the posts that mention or answer them."
        ),
        thin=True,
    ),
    Rule(
        "attentiveness",
        "no_replies",
        "the data holds no brand reply",
        lambda f: f.get("response_n_responded", 1) == 0,
        lambda f: (
            "Include the brand accounts' own replies in the export: response times can't "
            "be measured without them."
        ),
        thin=True,
    ),
    Rule(
        "attentiveness",
        "too_few_requests",
        f"fewer than {MIN_REQUESTS} customer requests",
        lambda f: f.get("response_n_requests", MIN_REQUESTS) < MIN_REQUESTS,
        lambda f: "Too few requests to judge response times; look again over a longer period.",
        thin=True,
    ),
    Rule(
        "attentiveness",
        "slow_platform",
        f"fewer than {SLA_SHARE_TARGET:.0%} answered within the target, and a slowest platform is known",
        lambda f: (
            (f.get("response_within_sla") or 0) < SLA_SHARE_TARGET
            and bool(f.get("response_slowest_platform"))
        ),
        lambda f: (
            f"Extend support coverage on {f['response_slowest_platform']} and outside "
            "business hours, where unanswered posts accumulate."
        ),
    ),
    Rule(
        "attentiveness",
        "slow",
        f"fewer than {SLA_SHARE_TARGET:.0%} answered within the target",
        lambda f: (f.get("response_within_sla") or 0) < SLA_SHARE_TARGET,
        lambda f: (
            "Extend support coverage outside business hours, where unanswered posts accumulate."
        ),
    ),
    Rule(
        "attentiveness",
        "on_target",
        f"at least {SLA_SHARE_TARGET:.0%} answered within the target",
        lambda f: True,
        lambda f: (
            f"Keep today's coverage, and watch the slowest tenth of answers "
            f"(90th percentile {hours(f.get('response_p90_hours'))})."
        ),
    ),
]


# ------------------------------------------------------------------ campaigns (one per campaign)
def top_platform(c: dict) -> dict | None:
    """The platform with the most published uptake of a campaign, if any."""
    rows = c.get("uptake_by_platform") or []
    return rows[0] if rows else None


def _best_platform_words(c: dict) -> str:
    top = top_platform(c)
    if not top or not c.get("uptake_posts"):
        return "where uptake was highest"
    return f"on {top['platform']}, which brought {pct(top['n_posts'] / c['uptake_posts'], c['uptake_posts'])} of the uptake"


CAMPAIGN_RULES = [
    Rule(
        "campaign",
        "too_small",
        f"fewer than {MIN_CAMPAIGN_POSTS} customer posts, or fewer customers than the "
        "privacy threshold k, used the campaign's terms",
        lambda c: (
            c["uptake_posts"] < MIN_CAMPAIGN_POSTS
            or c["uptake_authors"] < c.get("min_group_size", 0)
        ),
        lambda c: (
            f"Too few customers used '{c['name']}' to judge its uptake; check that its "
            "hashtags and codes in the config are the ones customers type."
        ),
        thin=True,
    ),
    Rule(
        "campaign",
        "no_baseline",
        "the terms were not used before the campaign (no baseline to compare)",
        lambda c: c.get("uptake_lift") is None,
        lambda c: (
            f"New terms have no baseline: keep '{c['name']}' tracked into the next period, "
            f"and publish its codes {_best_platform_words(c)}."
        ),
    ),
    Rule(
        "campaign",
        "strong",
        f"uptake lift at least {STRONG_LIFT:g}x",
        lambda c: c["uptake_lift"] >= STRONG_LIFT,
        lambda c: (
            f"Repeat the '{c['name']}' format, and publish its codes {_best_platform_words(c)}."
        ),
    ),
    Rule(
        "campaign",
        "up",
        f"uptake lift from {UP_LIFT:g}x to {STRONG_LIFT:g}x",
        lambda c: c["uptake_lift"] >= UP_LIFT,
        lambda c: (
            f"'{c['name']}' lifted uptake modestly: keep the offer and test a stronger call "
            "to action on the platforms that used it least."
        ),
    ),
    Rule(
        "campaign",
        "flat",
        f"uptake lift from {FLAT_LIFT_LOW:g}x to {UP_LIFT:g}x",
        lambda c: c["uptake_lift"] >= FLAT_LIFT_LOW,
        lambda c: (
            f"'{c['name']}' did not change uptake: revise the offer or its placement before repeating it."
        ),
    ),
    Rule(
        "campaign",
        "down",
        f"uptake lift below {FLAT_LIFT_LOW:g}x",
        lambda c: True,
        lambda c: (
            f"Uptake fell during '{c['name']}': find out why (offer, timing, a competing "
            "event) before repeating it."
        ),
    ),
]

BEST_TIME_RULES = [
    Rule(
        "campaign",
        "best_time_thin",
        f"no campaign configured, and the best posting slot rests on fewer than {MIN_SLOT_POSTS} rated brand posts",
        lambda f: (
            not f.get("best_slots")
            or (f.get("best_slots_support") or [{"n_posts": MIN_SLOT_POSTS}])[0]["n_posts"]
            < MIN_SLOT_POSTS
        ),
        lambda f: (
            "Too few brand posts per weekday and hour to compare posting times; add "
            "campaigns (hashtags, offer codes) to the config to measure their uptake."
        ),
        thin=True,
    ),
    Rule(
        "campaign",
        "best_time",
        "no campaign configured",
        lambda f: True,
        lambda f: (
            "Schedule key announcements in the best slots, and add campaigns (hashtags, "
            "offer codes) to the config to measure their uptake."
        ),
    ),
]


# ------------------------------------------------------------------ topics and privacy
TOPIC_RULES = [
    Rule(
        "topics",
        "no_topics",
        "no topic was found",
        lambda f: not f.get("topics_n"),
        lambda f: (
            "Too few posts (or too similar ones) to find topics; look again over a longer period."
        ),
        thin=True,
    ),
    Rule(
        "topics",
        "negative_topic",
        f"the most negative topic is at least {NEGATIVE_TOPIC_SHARE:.0%} negative",
        lambda f: (f["topics_most_negative"].get("share_negative") or 0) >= NEGATIVE_TOPIC_SHARE,
        lambda f: (
            f"Give the product and support owners of '{f['topics_most_negative']['label']}' "
            "this topic's trend as a standing KPI."
        ),
    ),
    Rule(
        "topics",
        "no_negative_topic",
        f"no topic is {NEGATIVE_TOPIC_SHARE:.0%} negative or more",
        lambda f: True,
        lambda f: "No topic is mostly negative: track the largest topics' share month to month.",
    ),
]

PRIVACY_RULES = [
    Rule(
        "privacy",
        "contacts_exposed",
        "at least one customer posted contact details in public",
        lambda f: (f.get("privacy_authors_exposing_contact") or 0) > 0,
        lambda f: (
            "Reply to such posts with a request to continue in a private channel, and "
            "never ask customers for order numbers or contact details in public."
        ),
    ),
    Rule(
        "privacy",
        "no_contacts",
        "no customer posted contact details",
        lambda f: True,
        lambda f: "Keep asking customers to share details only in private channels.",
    ),
]

# ------------------------------------------------------------------ period over period
#: A rise in the share of negative posts, or a fall in the share of requests answered, of at
#: least this many points since the previous period gets advice of its own.
CHANGE_POINTS = 0.05
#: ... as does a median first-reply time at least this much slower (relative).
CHANGE_SLOWER = 0.25


def _metric(f: dict, measure: str) -> dict:
    return (f.get("compare_metrics") or {}).get(measure) or {}


def _moved(f: dict, measure: str, sign: int, threshold: float) -> bool:
    change = _metric(f, measure).get("change")
    return change is not None and sign * change >= threshold


def _topic_list(f: dict, *statuses: str) -> str:
    labels = [label for s in statuses for label in (f.get("compare_topics") or {}).get(s, [])]
    return ", ".join(f"'{label}'" for label in labels[:3]) or "the largest topics"


CHANGE_RULES = [
    Rule(
        "changes",
        "no_previous",
        "no previous report is named (`compare_to`)",
        lambda f: f.get("compare_status") != "ok",
        lambda f: "Name last period's report in the config (`compare_to`) to see what changed.",
        thin=True,
    ),
    Rule(
        "changes",
        "tone_worse",
        f"the share of negative posts rose by {CHANGE_POINTS * 100:.0f} points or more",
        lambda f: _moved(f, "Share of negative posts", 1, CHANGE_POINTS),
        lambda f: (
            "Customers are more negative than last period: start with "
            f"{_topic_list(f, 'new', 'grown')} and give each an owner."
        ),
    ),
    Rule(
        "changes",
        "replies_behind",
        f"the share of requests answered fell by {CHANGE_POINTS * 100:.0f} points or more, or the "
        f"median first reply is {CHANGE_SLOWER:.0%} slower or more",
        lambda f: (
            _moved(f, "Requests the brand answered", -1, CHANGE_POINTS)
            or _moved(f, "Median time to first reply (hours)", 1, CHANGE_SLOWER)
        ),
        lambda f: "Replies fell behind last period: check support staffing against the volume.",
    ),
    Rule(
        "changes",
        "new_topics",
        "at least one topic is new",
        lambda f: bool((f.get("compare_topics") or {}).get("new")),
        lambda f: (
            f"Brief the product and support teams on the new topics: {_topic_list(f, 'new')}."
        ),
    ),
    Rule(
        "changes",
        "steady",
        "none of the above",
        lambda f: True,
        lambda f: "Little changed: keep the current plan and compare again next period.",
    ),
]

RULES = {
    "crisis": SPIKE_RULES,
    "attentiveness": ATTENTIVENESS_RULES,
    "campaign": CAMPAIGN_RULES,
    "best_time": BEST_TIME_RULES,
    "topics": TOPIC_RULES,
    "privacy": PRIVACY_RULES,
    "changes": CHANGE_RULES,
}


def first_rule(rules: list[Rule], facts: dict) -> Rule:
    """The first rule of `rules` whose condition holds over `facts` (the last is a catch-all)."""
    return next(rule for rule in rules if rule.applies(facts))


def rules_markdown() -> str:
    """The documented rules table (docs/brief.md), in the order the cards try them."""
    lines = ["| card | rule | fires when | says |", "| --- | --- | --- | --- |"]
    for rules in RULES.values():
        for rule in rules:
            says = "what is missing (no advice)" if rule.thin else "advice"
            lines.append(f"| {rule.card} | `{rule.name}` | {rule.when} | {says} |")
    return "\n".join(lines) + "\n"
