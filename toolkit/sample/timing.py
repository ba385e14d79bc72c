"""When things happen: customers' daily and weekly activity cycles, the brand team's working
hours, and `Clock`, which draws timestamps and reply delays from them.
"""

from __future__ import annotations

import datetime as dt
import math
import random

from toolkit.sample.scenario import LOCAL_TZ, OUTAGE_RESOLVED, OUTAGE_START, UTC, in_period

#: Relative posting activity of customers by local hour (0-23) and weekday (Mon-Sun).
HOURLY = (
    0.35,
    0.2,
    0.12,
    0.08,
    0.07,
    0.1,
    0.25,
    0.55,
    0.85,
    1.0,
    1.0,
    1.05,
    1.1,
    1.05,
    1.0,
    1.0,
    1.05,
    1.15,
    1.3,
    1.45,
    1.5,
    1.35,
    1.0,
    0.65,
)


WEEKDAY = (1.12, 1.04, 1.0, 0.98, 0.86, 0.94, 1.08)


BRAND_HOURS = (
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0.2,
    0.8,
    1.0,
    1.0,
    0.9,
    0.6,
    0.9,
    1.0,
    0.9,
    0.7,
    0.3,
    0.15,
    0.05,
    0,
    0,
    0,
    0,
)


def is_staffed(platform: str, t: dt.datetime) -> bool:
    """Whether the brand's social team is working at `t` (longer hours on Twitter).

    Parameters
    ----------
    platform : str
        Platform slug.
    t : datetime
        Aware timestamp.
    """
    local = t.astimezone(LOCAL_TZ)
    weekday, hour = local.weekday(), local.hour
    if platform == "twitter":
        return (weekday < 5 and 7 <= hour < 21) or (weekday >= 5 and 9 <= hour < 17)
    return (weekday < 5 and 8 <= hour < 18) or (
        platform == "mastodon" and weekday == 5 and 10 <= hour < 14
    )


def next_staffed(platform: str, t: dt.datetime) -> dt.datetime:
    """The first quarter hour at or after `t` when the team is working."""
    probe = t
    for _ in range(4 * 24 * 4):
        if is_staffed(platform, probe):
            return probe
        probe += dt.timedelta(minutes=15)
    return probe


class Clock:
    """Random timestamps with daily and weekly cycles in the brand's local time.

    Parameters
    ----------
    rng : random.Random
        Source of randomness.
    """

    def __init__(self, rng: random.Random):
        self.rng = rng

    def on(self, day: dt.date, hours=HOURLY, minute_step: int = 1) -> dt.datetime | None:
        """A UTC time on local `day`, hour drawn from `hours`; None if outside the period."""
        rng = self.rng
        hour = rng.choices(range(24), weights=hours)[0]
        minute = rng.randrange(0, 60, minute_step)
        second = rng.randrange(60) if minute_step == 1 else 0
        # fold picks either occurrence of the repeated hour when DST ends (2026-11-01 01:xx)
        local = dt.datetime(
            day.year,
            day.month,
            day.day,
            hour,
            minute,
            second,
            tzinfo=LOCAL_TZ,
            fold=rng.randrange(2),
        )
        t = local.astimezone(UTC)
        return t if in_period(t) else None

    def after(
        self, t: dt.datetime, median_minutes: float, sigma: float = 1.0, awake: bool = True
    ) -> dt.datetime:
        """`t` plus a lognormal delay; people mostly wait until morning to answer at night."""
        delay = self.rng.lognormvariate(math.log(median_minutes), sigma)
        out = t + dt.timedelta(minutes=max(delay, 0.3))
        if awake and out.astimezone(LOCAL_TZ).hour < 6 and self.rng.random() < 0.7:
            out += dt.timedelta(hours=6 - out.astimezone(LOCAL_TZ).hour + self.rng.random() * 3)
        return out.replace(microsecond=0) + dt.timedelta(seconds=self.rng.randrange(60))

    def response(self, platform: str, t: dt.datetime, crisis: bool) -> dt.datetime:
        """When the brand answers a post made at `t` (fast in office hours, slow at night)."""
        median = {"twitter": 22.0, "mastodon": 150.0, "reddit": 280.0}[platform] * (
            4.0 if crisis else 1.0
        )
        start = t
        if not is_staffed(platform, t):
            night_crew = platform == "twitter" and self.rng.random() < 0.3
            start = t if night_crew else next_staffed(platform, t)
            median = 140.0 if night_crew else median * 0.8
        return self.after(start, median, 0.85, awake=False)

    def outage(self) -> dt.datetime:
        """A time drawn from the outage's intensity: sharp rise, long plateau, decaying tail."""
        span = (OUTAGE_RESOLVED - OUTAGE_START).total_seconds() + 30 * 3600
        while True:
            t = OUTAGE_START + dt.timedelta(seconds=int(self.rng.random() * span))
            hours_in = (t - OUTAGE_START).total_seconds() / 3600
            if t < OUTAGE_RESOLVED:
                envelope = min(1.0, hours_in / 0.5) * (1.0 - 0.35 * hours_in / 32)
            else:
                envelope = 0.65 * math.exp(-(t - OUTAGE_RESOLVED).total_seconds() / 3600 / 5)
            if self.rng.random() < envelope * HOURLY[t.astimezone(LOCAL_TZ).hour] / 1.5:
                return t
