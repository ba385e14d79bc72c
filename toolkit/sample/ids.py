"""Platform ids that grow with time like the real ones: Twitter and Mastodon snowflakes, Reddit
base-36 counters, Facebook post ids, Instagram shortcodes and t.co links.
"""

from __future__ import annotations

import datetime as dt
import random

from toolkit.sample.scenario import PERIOD_START

B36 = "0123456789abcdefghijklmnopqrstuvwxyz"
ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"


def base36(number: int) -> str:
    """Lower-case base-36 digits of a non-negative integer (Reddit ids).

    Parameters
    ----------
    number : int
        Value to encode, >= 0.
    """
    if number < 0:
        raise ValueError("base36 needs a non-negative number")
    digits = ""
    while True:
        number, rem = divmod(number, 36)
        digits = B36[rem] + digits
        if number == 0:
            return digits


def epoch_ms(t: dt.datetime) -> int:
    """Milliseconds since the Unix epoch."""
    return int(t.timestamp() * 1000)


class IdMaker:
    """Platform ids that grow with time like the real ones (snowflakes, base-36 counters)."""

    TWITTER_EPOCH_MS = 1288834974657

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.seen: set[str] = set()

    def _unique(self, make) -> str:
        while True:
            value = make()
            if value not in self.seen:
                self.seen.add(value)
                return value

    def twitter(self, t: dt.datetime) -> str:
        """A snowflake tweet or user id for time `t`."""
        ms = max(epoch_ms(t) - self.TWITTER_EPOCH_MS, 0)
        return self._unique(lambda: str((ms << 22) | self.rng.getrandbits(22)))

    def mastodon(self, t: dt.datetime) -> str:
        """A Mastodon snowflake id for time `t`."""
        return self._unique(lambda: str((epoch_ms(t) << 16) | self.rng.getrandbits(16)))

    def reddit(self, t: dt.datetime, kind: str) -> str:
        """A base-36 Reddit id for time `t` (`kind` t3 submissions, t1 comments)."""
        secs = int((t - PERIOD_START).total_seconds())
        base, rate = (int("1n00000", 36), 11) if kind == "t3" else (int("o000000", 36), 57)
        return self._unique(lambda: base36(base + secs * rate + self.rng.randrange(rate)))

    def facebook(self, t: dt.datetime) -> str:
        """A numeric Facebook post id for time `t`."""
        secs = int((t - PERIOD_START).total_seconds())
        return self._unique(
            lambda: str(1_228_000_000_000_000 + secs * 1000 + self.rng.randrange(1000))
        )

    def instagram(self) -> str:
        """An Instagram shortcode."""
        return self._unique(lambda: "D" + "".join(self.rng.choice(ALNUM + "_-") for _ in range(10)))

    def tco(self) -> str:
        """A fresh t.co short link."""
        return self._unique(
            lambda: "https://t.co/" + "".join(self.rng.choice(ALNUM) for _ in range(10))
        )
