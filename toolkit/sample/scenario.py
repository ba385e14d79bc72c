"""The story of the bundled sample: Nimbus Home's accounts, the period, the outage, the Glow Up
campaign, the topics and their sentiment mix, and helpers that place a time in that story.

Every other module of the generator reads these facts from here; data/sample/README.md tells
the same story in prose.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

DEFAULT_SEED = 20261130
UTC = dt.UTC
LOCAL_TZ = ZoneInfo("America/Chicago")
PERIOD_START = dt.datetime(2026, 9, 1, tzinfo=UTC)
PERIOD_END = dt.datetime(2026, 11, 30, tzinfo=UTC)  # exclusive
FIRST_DAY, LAST_DAY = dt.date(2026, 9, 1), dt.date(2026, 11, 29)
CAMPAIGN_START, CAMPAIGN_END = dt.date(2026, 11, 2), dt.date(2026, 11, 16)  # local dates, inclusive
OFFER_CODE, CAMPAIGN_TAG = "GLOW25", "NimbusGlowUp"
OUTAGE_START = dt.datetime(2026, 10, 14, 13, 0, tzinfo=UTC)
OUTAGE_RESOLVED = dt.datetime(2026, 10, 15, 21, 0, tzinfo=UTC)
COLLECTED_AT = dt.datetime(2026, 11, 30, 6, 12, 44, tzinfo=UTC)

BRAND_NAME = "Nimbus Home"
BRAND_ACCOUNTS = {
    "twitter": ["NimbusHome", "NimbusSupport"],
    "reddit": ["NimbusHome_Official"],
    "mastodon": ["nimbushome"],
    "facebook": ["NimbusHome"],
    "instagram": ["nimbushome"],
}
COMPETITORS = {"Lumora": "LumoraLights", "HaloHub": "HaloHubHQ"}
HOME_INSTANCE = "mastodon.example"
OTHER_INSTANCES = ("toot.example", "fedi.example", "chaos.example", "hachyderm.example")
SUBREDDITS = {"NimbusHome": "t5_3c9f2v", "smarthome": "t5_2qwmx8", "homeautomation": "t5_2r4xk1"}
BRAND_SITE = "https://www.nimbushome.example"
STATUS_URL = "https://status.nimbushome.example"
HELP_URL = "https://help.nimbushome.example/articles/"


#: Per topic: its share among customer posts on an ordinary day (glow_up_promo only in the
#: campaign), and the negative / neutral / positive mix of its customer posts.
TOPIC_TABLE = """
topic                        share  negative  neutral  positive
app_outage                    0.03      0.84     0.13      0.03
wifi_setup_pairing            0.14      0.55     0.30      0.15
billing_refund                0.09      0.65     0.28      0.07
shipping_delivery             0.10      0.50     0.30      0.20
bulb_hardware_defect          0.11      0.72     0.20      0.08
thermostat_schedule           0.11      0.35     0.35      0.30
voice_assistant_integration   0.10      0.38     0.34      0.28
customer_service              0.08      0.52     0.15      0.33
glow_up_promo                 0.00      0.12     0.26      0.62
feature_request               0.10      0.22     0.62      0.16
competitor_comparison         0.07      0.36     0.30      0.34
battery_sensors               0.07      0.42     0.33      0.25
"""
_TOPIC_ROWS = [line.split() for line in TOPIC_TABLE.strip().splitlines()[1:]]
TOPICS = tuple(row[0] for row in _TOPIC_ROWS)
TOPIC_WEIGHTS = {row[0]: float(row[1]) for row in _TOPIC_ROWS}
SENTIMENT_MIX = {row[0]: tuple(float(value) for value in row[2:]) for row in _TOPIC_ROWS}
SENTIMENTS = ("negative", "neutral", "positive")
#: Topics where customers typically need the support team (answered by NimbusSupport on Twitter).
SUPPORT_TOPICS = frozenset(TOPICS) - {"glow_up_promo", "feature_request", "competitor_comparison"}


def in_period(t: dt.datetime) -> bool:
    """Whether `t` falls in the sample period (UTC, end exclusive)."""
    return PERIOD_START <= t < PERIOD_END


def local_date(t: dt.datetime) -> dt.date:
    """The brand's local (America/Chicago) calendar date of `t`."""
    return t.astimezone(LOCAL_TZ).date()


def in_campaign(t: dt.datetime) -> bool:
    """Whether `t` falls on a local date of the Glow Up campaign."""
    return CAMPAIGN_START <= local_date(t) <= CAMPAIGN_END


def in_crisis(t: dt.datetime) -> bool:
    """Whether `t` falls in the outage (plus six hours of aftermath)."""
    return OUTAGE_START <= t < OUTAGE_RESOLVED + dt.timedelta(hours=6)


def days() -> list[dt.date]:
    """Every local date of the sample period, in order."""
    return [FIRST_DAY + dt.timedelta(days=i) for i in range((LAST_DAY - FIRST_DAY).days + 1)]
