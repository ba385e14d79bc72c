"""Generate the bundled sample dataset: the fictional smart-home brand Nimbus Home on five platforms.

The sample is what every report, notebook and test runs on, so it imitates real social media:
customer posts, complaints and praise on Twitter/X, Reddit and Mastodon with brand replies,
the brand's own Facebook and Instagram posts (CrowdTangle exports), a cloud outage on
2026-10-14/15, the "Glow Up" campaign with offer code GLOW25, spam, non-English posts,
typos, heavy-tailed engagement and planted personal data. Each file is written in the
platform's real export shape (see docs/formats.md); `labels.jsonl` holds the ground truth.

Everything is derived from one seed: the same seed gives byte-identical files.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import json
import logging
import math
import random
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

import numpy as np
from faker import Faker

from toolkit.core.paths import SAMPLE_DIR
from toolkit.sample.text import (
    BIOS,
    BRAND_POSTS,
    BRAND_REPLIES_LOCAL,
    BRAND_SECOND_REPLIES,
    BRAND_THANKS,
    CLOSERS,
    CUSTOMER_TEMPLATES,
    DETAILS,
    ELONGATIONS,
    EMOJI,
    FOLLOW_UPS,
    FOREIGN_TITLES,
    LATE_CODE_TEMPLATES,
    LOCALIZED_TEMPLATES,
    OPENERS,
    OUTAGE_UPDATES,
    PEER_REPLIES,
    PII_ENTITY,
    PII_FOLLOW_UPS,
    PII_SENTENCES,
    PII_SENTENCES_LOCAL,
    PRODUCTS,
    PROMO_LAST_DAY,
    PROMO_POSTS,
    PROMO_TEASER,
    PROMO_THANKS,
    QUOTE_TEMPLATES,
    REAL_CITIES,
    REDDIT_TITLES,
    REPLY_OPENERS,
    SPAM_LINKS,
    SPAM_NAMES,
    SPAM_TEMPLATES,
    SUPPORT_REPLIES,
    TEST_CARDS,
    TOPIC_HASHTAGS,
    TOPIC_PRODUCTS,
    WORDS,
)

__all__ = ["DEFAULT_SEED", "generate_sample", "main"]

log = logging.getLogger(__name__)

# ------------------------------------------------------------------ the scenario
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

FILES = ("twitter.jsonl", "reddit.jsonl", "mastodon.json", "facebook.csv", "instagram.csv")
LABELS_FILE = "labels.jsonl"
MAX_TOTAL_BYTES = 10 * 1024 * 1024

TOPICS = (
    "app_outage",
    "wifi_setup_pairing",
    "billing_refund",
    "shipping_delivery",
    "bulb_hardware_defect",
    "thermostat_schedule",
    "voice_assistant_integration",
    "customer_service",
    "glow_up_promo",
    "feature_request",
    "competitor_comparison",
    "battery_sensors",
)
#: Share of each topic among customer posts on an ordinary day (glow_up_promo only in the campaign).
TOPIC_WEIGHTS = {
    "app_outage": 0.03,
    "wifi_setup_pairing": 0.14,
    "billing_refund": 0.09,
    "shipping_delivery": 0.10,
    "bulb_hardware_defect": 0.11,
    "thermostat_schedule": 0.11,
    "voice_assistant_integration": 0.10,
    "customer_service": 0.08,
    "glow_up_promo": 0.0,
    "feature_request": 0.10,
    "competitor_comparison": 0.07,
    "battery_sensors": 0.07,
}
#: (negative, neutral, positive) mix of customer posts per topic.
SENTIMENT_MIX = {
    "app_outage": (0.84, 0.13, 0.03),
    "wifi_setup_pairing": (0.55, 0.30, 0.15),
    "billing_refund": (0.65, 0.28, 0.07),
    "shipping_delivery": (0.50, 0.30, 0.20),
    "bulb_hardware_defect": (0.72, 0.20, 0.08),
    "thermostat_schedule": (0.35, 0.35, 0.30),
    "voice_assistant_integration": (0.38, 0.34, 0.28),
    "customer_service": (0.52, 0.15, 0.33),
    "glow_up_promo": (0.12, 0.26, 0.62),
    "feature_request": (0.22, 0.62, 0.16),
    "competitor_comparison": (0.36, 0.30, 0.34),
    "battery_sensors": (0.42, 0.33, 0.25),
}
SENTIMENTS = ("negative", "neutral", "positive")
#: Topics where customers typically need the support team (answered by NimbusSupport on Twitter).
SUPPORT_TOPICS = frozenset(TOPICS) - {"glow_up_promo", "feature_request", "competitor_comparison"}


# ------------------------------------------------------------------ text composition
@dataclass
class Seg:
    """A piece of post text. `kind` None is free text (noise may touch it); others are kept."""

    text: str
    kind: str | None = None  # mention, hashtag, url, pii, keep
    account: Account | None = None
    expanded: str = ""
    entity: str = ""


@dataclass
class Rendered:
    """Plain text plus the character positions of its entities and planted personal data."""

    text: str
    pii: list[dict]
    mentions: list[tuple[int, int, Account]]
    hashtags: list[tuple[int, int, str]]
    urls: list[tuple[int, int, str, str]]


def render(segs: list[Seg]) -> Rendered:
    """Join segments into NFC text and record entity and PII spans (Python str indices).

    Parameters
    ----------
    segs : list of Seg
        The segments in order.
    """
    out, pii, mentions, hashtags, urls, pos = [], [], [], [], [], 0
    for seg in segs:
        piece = unicodedata.normalize("NFC", seg.text)
        start, end = pos, pos + len(piece)
        if seg.kind == "pii":
            pii.append({"entity_type": seg.entity, "start": start, "end": end, "value": piece})
        elif seg.kind == "mention" and seg.account is not None:
            mentions.append((start, end, seg.account))
        elif seg.kind == "hashtag":
            hashtags.append((start, end, piece[1:]))
        elif seg.kind == "url":
            urls.append((start, end, piece, seg.expanded or piece))
        out.append(piece)
        pos = end
    return Rendered("".join(out), pii, mentions, hashtags, urls)


_LITERAL_TOKENS = re.compile(r"(#[A-Za-z][A-Za-z0-9_]*|https?://\S+)")
_SLOT = re.compile(r"\{(\w+)\}")


def split_literal(text: str) -> list[Seg]:
    """Turn literal template text into segments, keeping hashtags and links intact."""
    segs = []
    for i, part in enumerate(_LITERAL_TOKENS.split(text)):
        if not part:
            continue
        if i % 2 == 0:
            segs.append(Seg(part))
        else:
            segs.append(Seg(part, "hashtag" if part.startswith("#") else "url", expanded=part))
    return segs


class Noise:
    """Typos, elongations, shouting and casual lower-case on free text segments only."""

    def __init__(self, rng: random.Random):
        self.rng = rng

    def apply(self, segs: list[Seg], sentiment: str) -> list[Seg]:
        """Return `segs` with noise applied in place on free segments (also returned).

        Parameters
        ----------
        segs : list of Seg
            Segments of one post.
        sentiment : str
            Angry posts are shouted more often; happy ones elongate.
        """
        rng, free = self.rng, [s for s in segs if s.kind is None and s.text.strip()]
        if not free:
            return segs
        if sentiment == "negative" and rng.random() < 0.09:
            for s in free:
                s.text = s.text.upper()
        elif rng.random() < 0.22:
            for s in free:
                s.text = s.text.lower()
        if rng.random() < 0.12:
            self._elongate(free)
        if rng.random() < 0.10:
            self._typo(free)
        return segs

    def _elongate(self, free: list[Seg]) -> None:
        for plain, long in self.rng.sample(ELONGATIONS, len(ELONGATIONS)):
            for s in free:
                if plain in s.text:
                    s.text = s.text.replace(plain, long, 1)
                    return

    def _typo(self, free: list[Seg]) -> None:
        for _ in range(self.rng.choice((1, 1, 2))):
            seg = self.rng.choice(free)
            words = [m for m in re.finditer(r"[A-Za-z]{4,}", seg.text)]
            if not words:
                continue
            m = self.rng.choice(words)
            i = self.rng.randrange(m.start() + 1, m.end() - 1)
            t = seg.text
            if self.rng.random() < 0.5:  # swap two neighbours
                seg.text = t[:i] + t[i + 1] + t[i] + t[i + 2 :]
            else:  # drop one
                seg.text = t[:i] + t[i + 1 :]


# ------------------------------------------------------------------ people and accounts
@dataclass(eq=False)
class Account:
    """One account on one platform (customer, brand, competitor or spammer)."""

    platform: str
    id: str
    username: str
    name: str
    followers: int
    following: int
    statuses: int
    created: dt.datetime
    role: str = "customer"  # customer, brand, competitor, spam, influencer
    instance: str = ""
    description: str = ""
    verified: bool = False
    deleted: bool = False
    fullname: str = ""
    lang: str = "en"

    @property
    def is_brand(self) -> bool:
        """Whether the author is one of the brand's accounts."""
        return self.role == "brand"

    @property
    def acct(self) -> str:
        """Mastodon `acct`: bare for local accounts, user@instance for remote ones."""
        return (
            self.username if self.instance == HOME_INSTANCE else f"{self.username}@{self.instance}"
        )

    @property
    def profile_url(self) -> str:
        """The account's profile URL on its instance."""
        return f"https://{self.instance}/@{self.username}"


REDDIT_ADJ = (
    "Glittering",
    "Sad",
    "Quiet",
    "Lucky",
    "Brave",
    "Sleepy",
    "Mammoth",
    "Tall",
    "Grumpy",
    "Electric",
    "Rare",
    "Fuzzy",
)
REDDIT_NOUN = (
    "Fox",
    "Otter",
    "Lamp",
    "Pancake",
    "Robot",
    "Falcon",
    "Cactus",
    "Walrus",
    "Toaster",
    "Badger",
    "Comet",
    "Noodle",
)
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


class People:
    """All accounts of the sample, with heavy-tailed activity weights for picking authors.

    Parameters
    ----------
    rng : random.Random
        Source of randomness.
    fakers : dict of str to Faker
        Seeded Faker instances by locale.
    ids : IdMaker
        Id factory.
    """

    SIZES = {"twitter": 2100, "reddit": 720, "mastodon": 420}
    FOREIGN = {"de": "de_DE", "es": "es_ES", "fr": "fr_FR"}

    def __init__(self, rng: random.Random, fakers: dict[str, Faker], ids: IdMaker):
        self.rng, self.fakers, self.ids = rng, fakers, ids
        self.taken: dict[str, set[str]] = {p: set() for p in BRAND_ACCOUNTS}
        self.brand = self._brand_accounts()
        self.competitors = [self._competitor(n, h) for n, h in COMPETITORS.items()]
        self.customers: dict[str, list[Account]] = {}
        self.cum_weights: dict[str, list[float]] = {}
        for platform, size in self.SIZES.items():
            self._customer_pool(platform, size)
        self.spammers = {
            p: [self._spammer(p) for _ in range(n)]
            for p, n in (("twitter", 24), ("mastodon", 6), ("reddit", 5))
        }

    # -- picking
    def pick(self, platform: str, exclude: Account | None = None) -> Account:
        """A customer, more active ones more often (never `exclude`)."""
        pool, cw = self.customers[platform], self.cum_weights[platform]
        while True:
            acc = self.rng.choices(pool, cum_weights=cw)[0]
            if acc is not exclude:
                return acc

    def brand_account(self, platform: str, index: int = 0) -> Account:
        """The brand's account on `platform` (index into BRAND_ACCOUNTS)."""
        return self.brand[(platform, BRAND_ACCOUNTS[platform][index])]

    def all_accounts(self) -> list[Account]:
        """Every account: brand, competitors, customers and spammers."""
        accounts = list(self.brand.values()) + self.competitors
        for platform in self.SIZES:
            accounts += self.customers[platform] + self.spammers[platform]
        return accounts

    # -- construction
    def _unique_name(self, platform: str, candidate: str, limit: int) -> str:
        base = re.sub(r"[^A-Za-z0-9_]", "", candidate)[:limit] or "user"
        name = base
        while name.lower() in self.taken[platform]:
            name = f"{base[: limit - 4]}{self.rng.randrange(10, 9999)}"
        self.taken[platform].add(name.lower())
        return name

    def _created(self, earliest: int = 2008) -> dt.datetime:
        start = dt.datetime(earliest, 1, 1, tzinfo=UTC)
        span = (dt.datetime(2026, 8, 15, tzinfo=UTC) - start).total_seconds()
        return start + dt.timedelta(seconds=int(self.rng.random() * span))

    def _account_id(self, platform: str, created: dt.datetime) -> str:
        if platform == "twitter":
            if created.year < 2011:
                return str(self.rng.randrange(10_000_000, 250_000_000))
            return self.ids.twitter(created)
        if platform == "mastodon":
            return self.ids.mastodon(created)
        return "t2_" + "".join(self.rng.choice(B36) for _ in range(self.rng.choice((8, 8, 9))))

    def _brand_accounts(self) -> dict[tuple[str, str], Account]:
        specs = {
            ("twitter", "NimbusHome"): (
                "Nimbus Home",
                184_300,
                "Smart lighting, heating & sensors that just work. Help: @NimbusSupport",
            ),
            ("twitter", "NimbusSupport"): (
                "Nimbus Support",
                41_250,
                "Official support for Nimbus Home. 7am-9pm CT weekdays. Status: status.nimbushome.example",
            ),
            ("reddit", "NimbusHome_Official"): ("Nimbus Home", 0, ""),
            ("mastodon", "nimbushome"): (
                "Nimbus Home",
                6_420,
                "Smart home devices. Official account.",
            ),
            ("facebook", "NimbusHome"): ("Nimbus Home", 412_000, ""),
            ("instagram", "nimbushome"): ("Nimbus Home", 96_400, ""),
        }
        accounts = {}
        for (platform, handle), (name, followers, bio) in specs.items():
            created = dt.datetime(2015, 4, 21, 14, 2, 11, tzinfo=UTC)
            acc = Account(
                platform,
                self._account_id(platform, created),
                handle,
                name,
                followers,
                310,
                15_400,
                created,
                role="brand",
                instance=HOME_INSTANCE if platform == "mastodon" else "",
                description=bio,
                verified=True,
            )
            acc.fullname = acc.id if platform == "reddit" else ""
            self.taken[platform].add(handle.lower())
            accounts[(platform, handle)] = acc
        return accounts

    def _competitor(self, name: str, handle: str) -> Account:
        created = self._created(2012)
        self.taken["twitter"].add(handle.lower())
        return Account(
            "twitter",
            self._account_id("twitter", created),
            handle,
            name,
            self.rng.randrange(60_000, 260_000),
            900,
            9_800,
            created,
            role="competitor",
            description=f"Official {name} account",
            verified=True,
        )

    def _customer_pool(self, platform: str, size: int) -> None:
        pool = [self._customer(platform) for _ in range(size)]
        activity = [self.rng.lognormvariate(0.0, 1.15) for _ in pool]
        for i in self.rng.sample(range(size), 4):  # a few very active regulars
            activity[i] *= 6
        for i in self.rng.sample(range(size), 6 if platform == "twitter" else 0):
            pool[i].role, pool[i].followers, pool[i].verified = (
                "influencer",
                self.rng.randrange(20_000, 260_000),
                True,
            )
        total, cw = 0.0, []
        for a in activity:
            total += a
            cw.append(total)
        self.customers[platform], self.cum_weights[platform] = pool, cw

    def _customer(self, platform: str) -> Account:
        rng = self.rng
        lang = rng.choices(("en", "de", "es", "fr"), weights=(0.9, 0.035, 0.04, 0.025))[0]
        fake = self.fakers[self.FOREIGN.get(lang, rng.choice(("en_US", "en_US", "en_US", "en_GB")))]
        first, last = fake.first_name(), fake.last_name()
        created = self._created(2008 if platform != "mastodon" else 2017)
        username = self._username(platform, fake, first, last)
        followers = int(rng.lognormvariate(4.7, 1.6)) if platform != "reddit" else 0
        acc = Account(
            platform,
            self._account_id(platform, created),
            username,
            self._display_name(first, last, username),
            followers,
            int(rng.lognormvariate(5.6, 1.0)),
            int(rng.lognormvariate(7.0, 1.5)) + 1,
            created,
            description=rng.choice(BIOS),
            lang=lang,
        )
        if platform == "mastodon":
            acc.instance = HOME_INSTANCE if rng.random() < 0.5 else rng.choice(OTHER_INSTANCES)
            acc.created = acc.created.replace(hour=0, minute=0, second=0)
        if platform == "reddit":
            acc.fullname, acc.deleted = acc.id, rng.random() < 0.04
        return acc

    def _username(self, platform: str, fake: Faker, first: str, last: str) -> str:
        rng = self.rng
        if platform == "reddit":
            style = rng.random()
            if style < 0.4:
                raw = f"{rng.choice(REDDIT_ADJ)}-{rng.choice(REDDIT_NOUN)}-{rng.randrange(1000, 9999)}"
                return self._unique_name(platform, raw.replace("-", "_"), 20).replace("_", "-", 2)
            if style < 0.5:
                return self._unique_name(platform, f"throwaway_{rng.randrange(1000, 99999)}", 20)
            return self._unique_name(platform, fake.user_name(), 20)
        styles = (
            fake.user_name(),
            f"{first}{last[:1]}{rng.randrange(10, 99)}",
            f"{first}_{last}",
            f"the{last}{rng.randrange(1, 9)}",
        )
        name = rng.choices(styles, weights=(0.55, 0.2, 0.15, 0.1))[0]
        return self._unique_name(
            platform, unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode(), 15
        )

    def _display_name(self, first: str, last: str, username: str) -> str:
        rng, r = self.rng, self.rng.random()
        if r < 0.6:
            return f"{first} {last}"
        if r < 0.75:
            return f"{first} {rng.choice(('🌿', '☕', '🏡', '✨', '🎧', last[:1] + '.'))}"
        if r < 0.9:
            return username.lower()
        return (
            f"{first.lower()} {rng.choice(('the builder', 'in chicago', 'reads', 'makes things'))}"
        )

    def _spammer(self, platform: str) -> Account:
        created = dt.datetime(2026, self.rng.randrange(5, 9), self.rng.randrange(1, 28), tzinfo=UTC)
        raw = self.rng.choice(
            (
                "crypto_king",
                "follow4follow",
                "giveaway_",
                "earn_daily",
                "boost_followers",
                "nft_drop",
            )
        )
        username = self._unique_name(
            platform, f"{raw}{self.rng.randrange(100, 99999)}", 15 if platform == "twitter" else 20
        )
        acc = Account(
            platform,
            self._account_id(platform, created),
            username,
            self.rng.choice(SPAM_NAMES),
            self.rng.randrange(0, 40),
            self.rng.randrange(2000, 5000),
            self.rng.randrange(500, 20000),
            created,
            role="spam",
            description="💸 DM for promo 💸",
        )
        if platform == "mastodon":
            acc.instance = self.rng.choice(OTHER_INSTANCES)
        if platform == "reddit":
            acc.fullname = acc.id
        return acc


class PiiMaker:
    """Planted personal data: unique-ish emails, phones, order numbers, addresses, names, cards.

    Phone numbers use ranges reserved for fiction where a country has them (US 555-01xx,
    UK Ofcom drama numbers, FR ARCEP fiction ranges); emails use reserved example domains.

    Parameters
    ----------
    rng : random.Random
        Source of randomness.
    fakers : dict of str to Faker
        Seeded Faker instances by locale.
    """

    EMAIL_DOMAINS = ("example.com", "example.net", "example.org", "mail.example", "inbox.example")

    def __init__(self, rng: random.Random, fakers: dict[str, Faker]):
        self.rng, self.fakers = rng, fakers
        self.used: set[str] = set()
        self.cards_left = 8

    def _fresh(self, make) -> str:
        for _ in range(50):
            value = make()
            if value not in self.used:
                self.used.add(value)
                return value
        return value

    def make(self, slot: str, lang: str = "en") -> str:
        """One value for a PII slot (EMAIL, PHONE, ORDER, ADDRESS, NAME, FIRST, CARD)."""
        maker = {
            "EMAIL": self.email,
            "PHONE": lambda: self.phone(lang),
            "ORDER": self.order,
            "ADDRESS": self.address,
            "NAME": self.name,
            "FIRST": self.first,
            "CARD": self.card,
        }[slot]
        return self._fresh(maker)

    def email(self) -> str:
        """An email address on a reserved example domain."""
        fake = self.fakers[self.rng.choice(("en_US", "en_US", "en_GB", "de_DE", "fr_FR", "es_ES"))]
        first, last = (
            self._ascii(fake.first_name()).lower(),
            self._ascii(fake.last_name()).lower(),
        )
        local = self.rng.choice(
            (
                f"{first}.{last}",
                f"{first}{last}{self.rng.randrange(1, 99)}",
                f"{first[0]}{last}",
                f"{first}_{last[0]}",
                f"{last}.{first}{self.rng.randrange(70, 99)}",
            )
        )
        return f"{local}@{self.rng.choice(self.EMAIL_DOMAINS)}"

    def phone(self, lang: str = "en") -> str:
        """A phone number in a national or international format (fiction ranges where they exist)."""
        rng = self.rng
        country = {"de": "DE", "fr": "FR", "es": "ES"}.get(lang) or rng.choices(
            ("US", "GB", "DE", "FR", "ES"), weights=(0.55, 0.17, 0.1, 0.1, 0.08)
        )[0]
        d = lambda n: "".join(str(rng.randrange(10)) for _ in range(n))  # noqa: E731
        if country == "US":
            area, line = (
                rng.choice(("312", "773", "512", "415", "206", "617", "303", "404", "214", "646")),
                f"01{d(2)}",
            )
            return rng.choice(
                (
                    f"({area}) 555-{line}",
                    f"{area}-555-{line}",
                    f"{area}.555.{line}",
                    f"+1 {area} 555 {line}",
                    f"+1-{area}-555-{line}",
                )
            )
        if country == "GB":
            tail = f"0{d(3)}"
            return rng.choice(
                (
                    f"020 7946 {tail}",
                    f"+44 20 7946 {tail}",
                    f"0161 496 {tail}",
                    f"+44 (0)161 496 {tail}",
                    f"0113 496 {tail}",
                )
            )
        if country == "DE":
            tail = d(3)
            return rng.choice(
                (
                    f"030 23125 {tail}",
                    f"+49 30 23125{tail}",
                    f"+49 (0)30 23125 {tail}",
                    f"030/23125{tail}",
                )
            )
        if country == "FR":
            a, b = d(2), d(2)
            return rng.choice(
                (
                    f"01 99 00 {a} {b}",
                    f"+33 1 99 00 {a} {b}",
                    f"01.99.00.{a}.{b}",
                    f"06 39 98 {a} {b}",
                )
            )
        return rng.choice(
            (
                f"+34 6{d(2)} {d(2)} {d(2)} {d(2)}",
                f"6{d(2)} {d(3)} {d(3)}",
                f"+34 91 {d(3)} {d(2)} {d(2)}",
            )
        )

    def order(self) -> str:
        """A Nimbus order number, NH-123456 or NH123456."""
        digits = str(self.rng.randrange(100000, 999999))
        return self.rng.choice((f"NH-{digits}", f"NH{digits}", f"NH-{digits}"))

    def address(self) -> str:
        """A US or UK street address on one line."""
        if self.rng.random() < 0.7:
            f = self.fakers["en_US"]
            return f"{f.street_address()}, {f.city()}, {f.state_abbr(include_territories=False)} {f.zipcode()}".replace(
                "\n", ", "
            )
        f = self.fakers["en_GB"]
        return f"{f.street_address()}, {f.city()} {f.postcode()}".replace("\n", ", ")

    def name(self) -> str:
        """A full name."""
        fake = self.fakers[self.rng.choice(("en_US", "en_US", "en_GB", "es_ES", "de_DE"))]
        return f"{fake.first_name()} {fake.last_name()}"

    def first(self) -> str:
        """A first name."""
        return self.fakers["en_US"].first_name()

    def card(self) -> str:
        """A Luhn-valid test card number, grouped by spaces or dashes."""
        number = self.rng.choice(TEST_CARDS)
        sep = self.rng.choice((" ", "-"))
        return sep.join(number[i : i + 4] for i in range(0, 16, 4))

    @staticmethod
    def _ascii(text: str) -> str:
        return (
            unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().replace(" ", "")
        )


@dataclass
class Ctx:
    """What a template is being filled for."""

    platform: str
    topic: str | None
    lang: str = "en"
    author: Account | None = None
    product: str = ""
    brand_named: bool = False  # the brand handle already appears (reply prefix)
    brand_post: bool = False
    spam: bool = False


class TextMaker:
    """Fill templates with Faker people and places, mentions, links and planted personal data.

    Parameters
    ----------
    rng : random.Random
        Source of randomness.
    fakers : dict of str to Faker
        Seeded Faker instances by locale.
    people : People
        Accounts, for @mentions.
    ids : IdMaker
        For t.co links.
    """

    def __init__(self, rng: random.Random, fakers: dict[str, Faker], people: People, ids: IdMaker):
        self.rng, self.fakers, self.people, self.ids = rng, fakers, people, ids
        self.pii = PiiMaker(rng, fakers)
        self.noise = Noise(rng)
        self.cities = [fakers["en_US"].city() for _ in range(40)] + list(REAL_CITIES)

    # -- slots
    def fill(self, template: str, ctx: Ctx) -> list[Seg]:
        """Segments of `template` with every {slot} filled for `ctx`."""
        segs: list[Seg] = []
        for i, part in enumerate(_SLOT.split(template)):
            if i % 2 == 0:
                segs += split_literal(part) if part else []
            else:
                segs += self.slot(part, ctx)
        return segs

    def slot(self, name: str, ctx: Ctx) -> list[Seg]:
        """Segments for one slot value."""
        rng = self.rng
        if name in PII_ENTITY:
            return [Seg(self.pii.make(name, ctx.lang), "pii", entity=PII_ENTITY[name])]
        if name == "brand":
            return [self.brand_ref(ctx)]
        if name == "comp":
            return [self.competitor_ref(ctx)]
        if name == "other":
            return [self.other_ref(ctx)]
        if name == "code":
            return [Seg(OFFER_CODE, "keep")]
        if name in ("url", "status", "help"):
            return [self.link(name, ctx)]
        if name == "product":
            ctx.product = ctx.product or self.product(ctx.topic)
            return [Seg(ctx.product)]
        if name in WORDS:
            return [Seg(rng.choice(WORDS[name]))]
        simple = {
            "n": lambda: str(rng.randrange(3, 10)),
            "days": lambda: str(rng.randrange(3, 22)),
            "hours": lambda: str(rng.randrange(2, 10)),
            "mins": lambda: str(rng.choice((15, 20, 25, 30, 45, 50, 90))),
            "city": lambda: rng.choice(self.cities),
            "ver": lambda: f"4.{rng.randrange(8, 14)}.{rng.randrange(0, 4)}",
            "fw": lambda: f"2.{rng.randrange(6, 10)}.{rng.randrange(0, 12)}",
            "temp": lambda: str(rng.randrange(62, 78)),
            "pct": lambda: str(rng.randrange(8, 25)),
            "price": lambda: f"${rng.choice((19.99, 24.99, 34.99, 49.99, 89.99, 129.00, 169.99))}",
            "time": lambda: (
                f"{rng.randrange(1, 12)}:{rng.choice(('00', '15', '30', '45'))}{rng.choice(('am', 'pm'))}"
            ),
        }
        if name in simple:
            return [Seg(simple[name]())]
        raise KeyError(f"unknown template slot {{{name}}}")

    def product(self, topic: str | None) -> str:
        """A product name that fits `topic`."""
        kinds = TOPIC_PRODUCTS.get(topic or "", tuple(PRODUCTS))
        return self.rng.choice(PRODUCTS[self.rng.choice(kinds)])

    def mention(self, account: Account) -> Seg:
        """An @mention of `account` (u/name on Reddit)."""
        prefix = "u/" if account.platform == "reddit" else "@"
        return Seg(
            prefix + account.username,
            "mention" if account.platform != "reddit" else "keep",
            account=account,
        )

    def brand_ref(self, ctx: Ctx) -> Seg:
        """The brand in a customer's words: an @handle or just 'Nimbus'."""
        rng = self.rng
        if ctx.spam and ctx.platform in ("twitter", "mastodon"):
            return self.mention(
                self.people.brand_account(
                    ctx.platform, rng.randrange(len(BRAND_ACCOUNTS[ctx.platform]))
                )
            )
        if ctx.brand_named or ctx.platform == "reddit" or ctx.brand_post:
            return Seg("Nimbus")
        if ctx.platform == "twitter" and rng.random() < 0.45:
            support = ctx.topic in SUPPORT_TOPICS and rng.random() < 0.6
            ctx.brand_named = True
            return self.mention(self.people.brand_account("twitter", 1 if support else 0))
        if ctx.platform == "mastodon" and rng.random() < 0.5:
            ctx.brand_named = True
            return self.mention(self.people.brand_account("mastodon"))
        return Seg("Nimbus")

    def competitor_ref(self, ctx: Ctx) -> Seg:
        """A competitor, by @handle on Twitter or by name."""
        comp = self.rng.choice(self.people.competitors)
        if ctx.platform == "twitter" and self.rng.random() < 0.45:
            return self.mention(comp)
        return Seg(comp.name)

    def other_ref(self, ctx: Ctx) -> Seg:
        """An @mention of another customer on the same platform."""
        if ctx.platform not in self.people.customers:
            return Seg("a friend")
        return self.mention(self.people.pick(ctx.platform, exclude=ctx.author))

    def link(self, kind: str, ctx: Ctx) -> Seg:
        """A link segment: t.co on Twitter, the full URL elsewhere."""
        rng = self.rng
        if kind == "status":
            target = STATUS_URL
        elif kind == "help":
            target = f"{HELP_URL}{rng.randrange(100000, 999999)}"
        elif ctx.spam:
            target = rng.choice(SPAM_LINKS)
        elif ctx.brand_post:
            target = f"{BRAND_SITE}/{rng.choice(('blog', 'news', 'shop', 'app'))}/{rng.randrange(1000, 9999)}"
        else:
            target = rng.choice(
                (
                    f"https://imgur.com/a/{''.join(rng.choice(ALNUM) for _ in range(7))}",
                    f"https://www.youtube.com/watch?v={''.join(rng.choice(ALNUM) for _ in range(11))}",
                    f"https://i.imgur.com/{''.join(rng.choice(ALNUM) for _ in range(7))}.jpeg",
                )
            )
        if ctx.platform == "twitter":
            return Seg(self.ids.tco(), "url", expanded=target)
        return Seg(target, "url", expanded=target)

    # -- whole posts
    def customer(
        self,
        ctx: Ctx,
        sentiment: str,
        pii_slots: list[str],
        *,
        core: str | None = None,
        limit: int = 280,
        rich: bool = True,
    ) -> list[Seg]:
        """A customer post (opener, core, detail, planted data, closer, tags), noise applied.

        Parameters
        ----------
        ctx : Ctx
            Platform, topic, language and author.
        sentiment : str
            negative / neutral / positive.
        pii_slots : list of str
            PII slots to plant (e.g. ["EMAIL", "ORDER"]); empty for none.
        core : str, optional
            Core template; drawn from the topic's templates when omitted.
        limit : int
            Maximum length in characters (280 on Twitter).
        rich : bool
            Whether optional parts (opener, detail, closer, tags, emoji) may be added.
        """
        rng = self.rng
        core = core or rng.choice(CUSTOMER_TEMPLATES[ctx.topic][sentiment])
        english = ctx.lang == "en"
        parts = [(self.fill(core, ctx), False)]
        if english and rich and rng.random() < 0.22:
            parts.insert(0, (self.fill(rng.choice(OPENERS[sentiment]), ctx), True))
        if english and rich and rng.random() < 0.18:
            parts.append((self.fill(self.detail(ctx), ctx), True))
        if english and rich and ctx.platform != "reddit" and rng.random() < 0.06:
            parts.append((self.fill("cc {other}", ctx), True))
        if rich and rng.random() < 0.06:
            parts.append(
                (self.fill(rng.choice(("{url}", "pic: {url}", "video: {url}")), ctx), True)
            )
        parts += [(self.pii_sentence(slot, ctx), False) for slot in pii_slots]
        if english and rich and rng.random() < 0.25:
            parts.append((self.fill(rng.choice(CLOSERS[sentiment]), ctx), True))
        if rich and rng.random() < 0.2:
            parts.append((self.fill(rng.choice(TOPIC_HASHTAGS[ctx.topic]), ctx), True))
        if rich and rng.random() < 0.3:
            parts.append(([Seg(rng.choice(EMOJI[sentiment]) * rng.choice((1, 1, 1, 2, 3)))], True))
        return self.noise.apply(self.join(parts, limit - 8), sentiment)

    def short(
        self, template: str, ctx: Ctx, sentiment: str, pii_slots: list[str] = ()
    ) -> list[Seg]:
        """A short reply: one template, sometimes a closer, emoji or detail, then noise.

        Parameters
        ----------
        template : str
            The reply template.
        ctx : Ctx
            Platform, topic and author.
        sentiment : str
            negative / neutral / positive.
        pii_slots : list of str
            PII slots to plant, if any.
        """
        rng = self.rng
        parts = [(self.fill(template, ctx), False)]
        if rng.random() < 0.12:
            parts.insert(0, (self.fill(rng.choice(REPLY_OPENERS[sentiment]), ctx), True))
        if rng.random() < 0.15:
            parts.append((self.fill(self.detail(ctx), ctx), True))
        parts += [(self.pii_sentence(slot, ctx), False) for slot in pii_slots]
        if rng.random() < 0.15:
            parts.append((self.fill(rng.choice(CLOSERS[sentiment]), ctx), True))
        if rng.random() < 0.3:
            parts.append(([Seg(rng.choice(EMOJI[sentiment]) * rng.choice((1, 1, 2)))], True))
        return self.noise.apply(self.join(parts, 250), sentiment)

    def detail(self, ctx: Ctx) -> str:
        """A side detail; technical ones (app version, firmware, router) only for support topics."""
        if ctx.topic in SUPPORT_TOPICS:
            return self.rng.choice(DETAILS)
        return self.rng.choice(
            [d for d in DETAILS if "{product}" in d or "{city}" in d or "{store}" in d]
        )

    def pii_sentence(self, slot: str, ctx: Ctx) -> list[Seg]:
        """A short sentence planting one identifier, in the post's language."""
        if ctx.lang in PII_SENTENCES_LOCAL:
            key = {"PERSON": "{NAME}"}.get(slot, "{" + slot + "}")
            local = PII_SENTENCES_LOCAL[ctx.lang]
            template = self.rng.choice(
                [t for t in local if key in t] or [t for t in local if "{NAME}" in t]
            )
        else:
            template = self.rng.choice(PII_SENTENCES[slot])
        return self.fill(template, ctx)

    def join(self, parts: list[tuple[list[Seg], bool]], limit: int) -> list[Seg]:
        """Join parts with natural separators, dropping optional parts until it fits `limit`."""
        while True:
            segs: list[Seg] = []
            for i, (part, _) in enumerate(parts):
                if i:
                    segs.append(Seg(self._separator(segs, part)))
                segs += part
            if sum(len(s.text) for s in segs) <= limit or not any(opt for _, opt in parts):
                break
            drop = max(i for i, (_, opt) in enumerate(parts) if opt)
            parts = parts[:drop] + parts[drop + 1 :]
        if segs and segs[0].kind is None and self.rng.random() < 0.5:
            segs[0].text = segs[0].text[:1].upper() + segs[0].text[1:]
        return segs

    def _separator(self, segs: list[Seg], nxt: list[Seg]) -> str:
        tail, head = (segs[-1].text if segs else ""), (nxt[0] if nxt else Seg(""))
        if not tail or tail[-1] in ".!?:,)" or not tail[-1].isascii():
            return " "
        if head.kind in ("hashtag", "url", "mention") or not head.text[:1].isascii():
            return " "
        return self.rng.choice((". ", ". ", " ", " - ", "! "))


# ------------------------------------------------------------------ items and timing
@dataclass(eq=False)
class Item:
    """One post, reply, comment, share or quote, before it is written in a platform's format."""

    platform: str
    kind: str  # post, reply, comment, share, quote
    author: Account
    created: dt.datetime
    segs: list[Seg]
    language: str
    topic: str | None
    sentiment: str
    is_spam: bool = False
    parent: Item | None = None
    ref: Item | None = None  # the retweeted, boosted or quoted item
    title: str = ""  # reddit submissions
    subreddit: str = ""
    link_url: str = ""  # reddit link posts
    flair: str | None = None
    media: str = ""  # facebook / instagram post type
    brand_kind: str = ""  # announce, tip, engage, promo, outage, help_thread, megathread
    viral: float = 0.0
    post_id: str = ""
    flaw: str | None = None
    duplicate: str | None = None
    metrics: dict = field(default_factory=dict)
    _rendered: Rendered | None = None

    @property
    def rendered(self) -> Rendered:
        """The item's text with entity and PII spans (computed once)."""
        if self._rendered is None:
            self._rendered = render(self.segs)
        return self._rendered

    @property
    def text(self) -> str:
        """The item's plain text."""
        return self.rendered.text

    @property
    def root(self) -> Item:
        """The first post of the item's thread."""
        item = self
        while item.parent is not None:
            item = item.parent
        return item

    @property
    def is_brand(self) -> bool:
        """Whether the author is one of the brand's accounts."""
        return self.author.is_brand

    @property
    def is_customer_text(self) -> bool:
        """A customer's own words (not brand, spam or a share)."""
        return not self.is_brand and not self.is_spam and self.kind != "share"


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


# ------------------------------------------------------------------ the simulation
def make_fakers(seed: int) -> dict[str, Faker]:
    """One seeded Faker per locale (instance seeds only, never the global one)."""
    fakers = {}
    for i, locale in enumerate(("en_US", "en_GB", "de_DE", "fr_FR", "es_ES")):
        fake = Faker(locale)
        fake.seed_instance(seed + i)
        fakers[locale] = fake
    return fakers


class Simulation:
    """Build every item of the sample: brand calendar, customer posts, threads, shares, metrics.

    Parameters
    ----------
    seed : int
        The one seed everything derives from.
    """

    DAILY_ROOTS = {"twitter": 12.4, "reddit": 2.0, "mastodon": 3.0}

    def __init__(self, seed: int):
        self.rng = random.Random(seed)
        self.np = np.random.default_rng(seed)
        self.fakers = make_fakers(seed)
        self.ids = IdMaker(self.rng)
        self.people = People(self.rng, self.fakers, self.ids)
        self.text = TextMaker(self.rng, self.fakers, self.people, self.ids)
        self.clock = Clock(self.rng)
        self.items: list[Item] = []
        self.megathread: Item | None = None
        self.replies: dict[int, list[Item]] = {}

    def run(self) -> list[Item]:
        """Generate all items, in creation order."""
        self.brand_calendar()
        self.outage_updates()
        self.customer_days()
        self.crisis_posts()
        self.campaign_posts()
        self.planted_virals()
        for item in list(self.items):
            self.conversation(item)
        self.spam_posts()
        self.shares()
        self.quotes()
        assign_metrics(self.items, self.rng)
        self.plant_flaws()
        return self.items

    # -- basics
    def add(self, item: Item) -> Item | None:
        """Give `item` its platform id and keep it (None when it falls outside the period)."""
        if not in_period(item.created):
            return None
        p = item.platform
        if p == "mastodon":  # Mastodon keeps milliseconds
            item.created = item.created.replace(microsecond=self.rng.randrange(1000) * 1000)
        if p == "twitter":
            item.post_id = self.ids.twitter(item.created)
        elif p == "mastodon":
            item.post_id = self.ids.mastodon(item.created)
        elif p == "reddit":
            item.post_id = self.ids.reddit(item.created, "t1" if item.kind == "comment" else "t3")
        elif p == "facebook":
            item.post_id = self.ids.facebook(item.created)
        else:
            item.post_id = self.ids.instagram()
        self.items.append(item)
        if item.parent is not None:
            self.replies.setdefault(id(item.parent), []).append(item)
        return item

    def poisson(self, mean: float) -> int:
        """A Poisson count with mean `mean`."""
        return int(self.np.poisson(max(mean, 0.0)))

    def sentiment_for(self, topic: str, t: dt.datetime | None = None) -> str:
        """A sentiment drawn from the topic's mix (outage posts soften after the fix)."""
        mix = SENTIMENT_MIX[topic]
        if (
            topic == "app_outage"
            and t is not None
            and t >= OUTAGE_RESOLVED + dt.timedelta(hours=3)
            and t < OUTAGE_RESOLVED + dt.timedelta(days=3)
        ):
            mix = (0.35, 0.3, 0.35)  # relief after the fix
        return self.rng.choices(SENTIMENTS, weights=mix)[0]

    def topic_for(self, t: dt.datetime) -> str:
        """A topic drawn from the day's mix (campaign topics only in the campaign)."""
        weights = dict(TOPIC_WEIGHTS)
        if in_campaign(t):
            weights["glow_up_promo"] = 0.16
        return self.rng.choices(list(weights), weights=list(weights.values()))[0]

    def pii_slots(self, topic: str | None, base: float, sentiment: str = "negative") -> list[str]:
        """Which identifiers (if any) a customer post overshares."""
        rng = self.rng
        factor = {
            "billing_refund": 1.9,
            "shipping_delivery": 1.9,
            "customer_service": 1.6,
            "glow_up_promo": 0.4,
            "feature_request": 0.3,
            "competitor_comparison": 0.4,
        }.get(topic or "", 1.0)
        if rng.random() >= base * factor:
            return []
        weights = {
            "ORDER": 0.26,
            "EMAIL": 0.2,
            "PHONE": 0.2,
            "PERSON": 0.16,
            "ADDRESS": 0.12,
            "CARD": 0.0,
        }
        if topic in ("billing_refund", "shipping_delivery"):
            weights["ORDER"] = 0.5
        if topic == "shipping_delivery":
            weights["ADDRESS"] = 0.3
        if topic == "billing_refund" and self.text.pii.cards_left > 0:
            weights["CARD"] = 0.25
        if (
            sentiment == "positive"
        ):  # happy posts rarely overshare, except names ("ask Dana at the store")
            weights = {"PERSON": 1.0}
        slots = [rng.choices(list(weights), weights=list(weights.values()))[0]]
        if sentiment != "positive" and rng.random() < 0.25:
            extra = rng.choice(("EMAIL", "PHONE", "ORDER", "PERSON"))
            if extra not in slots:
                slots.append(extra)
        if "CARD" in slots:
            self.text.pii.cards_left -= 1
        return slots

    def promo_core(self, sentiment: str, t: dt.datetime) -> str | None:
        """Campaign templates that only mention the code while the code is live."""
        day = local_date(t)
        if day > CAMPAIGN_END and self.rng.random() < 0.5:
            return self.rng.choice(
                [c for s, c in LATE_CODE_TEMPLATES if s == sentiment] or [LATE_CODE_TEMPLATES[0][1]]
            )
        if CAMPAIGN_START <= day <= CAMPAIGN_END:
            return None
        pool = [c for c in CUSTOMER_TEMPLATES["glow_up_promo"][sentiment] if "{code}" not in c]
        return self.rng.choice(pool or CUSTOMER_TEMPLATES["glow_up_promo"]["neutral"][2:3])

    def localized(self, lang: str, topic: str, t: dt.datetime) -> tuple[str, str, str]:
        """(topic, sentiment, template) of a non-English post, preferring `topic`."""
        pool = [
            x
            for x in LOCALIZED_TEMPLATES
            if x[0] == lang and (x[1] != "glow_up_promo" or in_campaign(t))
        ]
        same = [x for x in pool if x[1] == topic]
        _, topic, sentiment, template = self.rng.choice(same or pool)
        return topic, sentiment, template

    # -- brand posts
    def brand_post(
        self,
        platform: str,
        t: dt.datetime,
        template: str,
        topic: str | None,
        kind: str,
        account_index: int = 0,
        media: str = "",
    ) -> Item | None:
        """One brand post on `platform` from `template`."""
        ctx = Ctx(platform, topic, brand_post=True)
        if platform == "instagram":
            template = (
                template.replace("{url}", "Link in bio 🔗")
                + " "
                + self.rng.choice(
                    (
                        "#nimbushome #smarthome",
                        "#nimbushome #cozyhome #smartlighting",
                        "#nimbushome",
                    )
                )
            )
        segs = self.text.fill(template, ctx)
        sentiment = "neutral" if kind in ("outage", "tip", "announce") else "positive"
        item = Item(
            platform,
            "post",
            self.people.brand_account(platform, account_index),
            t,
            segs,
            "en",
            topic,
            sentiment,
            media=media,
            brand_kind=kind,
        )
        return self.add(item)

    def brand_content(self, day: dt.date) -> tuple[str, str | None, str]:
        """(template, topic, kind) of one scheduled brand post on `day`."""
        if dt.date(2026, 10, 29) <= day < CAMPAIGN_START:
            return PROMO_TEASER, "glow_up_promo", "promo"
        if day == CAMPAIGN_END:
            return PROMO_LAST_DAY, "glow_up_promo", "promo"
        if day == CAMPAIGN_END + dt.timedelta(days=1):
            return PROMO_THANKS, "glow_up_promo", "promo"
        if CAMPAIGN_START <= day < CAMPAIGN_END and self.rng.random() < 0.6:
            return self.rng.choice(PROMO_POSTS), "glow_up_promo", "promo"
        pool = [
            b
            for b in BRAND_POSTS
            if "Halloween" not in b[2] or dt.date(2026, 10, 20) <= day <= dt.date(2026, 10, 31)
        ]
        kind, topic, template = self.rng.choices(
            pool, weights=[{"announce": 0.7, "tip": 1.0, "engage": 1.1}[b[0]] for b in pool]
        )[0]
        return template, topic, kind

    def brand_calendar(self) -> None:
        """Scheduled posts: Twitter, Mastodon, Facebook, Instagram, and Reddit threads."""
        rate = {
            "twitter": (1.3, 0.45),
            "mastodon": (0.55, 0.25),
            "facebook": (1.0, 0.3),
            "instagram": (0.75, 0.5),
        }
        for day in days():
            weekend = day.weekday() >= 5
            for platform, (weekday_rate, weekend_rate) in rate.items():
                for _ in range(self.poisson(weekend_rate if weekend else weekday_rate)):
                    t = self.clock.on(day, BRAND_HOURS, minute_step=15)
                    if t is None:
                        continue
                    template, topic, kind = self.brand_content(day)
                    self.brand_post(
                        platform,
                        t,
                        template,
                        topic,
                        kind,
                        media=self.media_type(platform, template),
                    )
            if self.rng.random() < 0.12:
                t = self.clock.on(day, BRAND_HOURS, minute_step=15)
                if t is not None:
                    self.brand_post(
                        "twitter",
                        t,
                        "Our support team is here 7am-9pm CT on weekdays and 9am-5pm on weekends. DM us anytime! {help}",
                        "customer_service",
                        "announce",
                        1,
                    )
            self.reddit_brand_threads(day)

    def media_type(self, platform: str, template: str) -> str:
        """The CrowdTangle post type of a Facebook or Instagram post."""
        if platform == "facebook":
            kinds = (
                ("Photo", "Link", "Native Video", "Status")
                if "{url}" in template
                else ("Photo", "Native Video", "Status", "Album")
            )
            return self.rng.choices(kinds, weights=(0.5, 0.25, 0.15, 0.1))[0]
        if platform == "instagram":
            return self.rng.choices(("Photo", "Album", "Video"), weights=(0.55, 0.25, 0.2))[0]
        return ""

    def reddit_brand_threads(self, day: dt.date) -> None:
        """Brand threads on Reddit: the Monday help thread and occasional announcements."""
        account = self.people.brand_account("reddit")
        if day.weekday() == 0:  # weekly help thread, Monday 8am CT
            t = dt.datetime(day.year, day.month, day.day, 8, 0, tzinfo=LOCAL_TZ).astimezone(UTC)
            month = ("September", "October", "November")[day.month - 9]  # not strftime: locale-free
            title = f"Weekly Help & Questions Thread - {month} {day.day}, {day.year}"
            body = "Ask anything about setup, pairing, automations or your devices. Please don't post order numbers or personal details here, DM us instead."
            self.reddit_submission(
                account,
                t,
                title,
                [Seg(body)],
                None,
                "neutral",
                "NimbusHome",
                "Official",
                "help_thread",
            )
        elif day.weekday() in (1, 3) and self.rng.random() < 0.35:
            t = self.clock.on(day, BRAND_HOURS, minute_step=5)
            if t is not None:
                kind, topic, template = self.rng.choice(
                    [b for b in BRAND_POSTS if b[0] == "announce"]
                )
                segs = self.text.fill(template, Ctx("reddit", topic, brand_post=True))
                headline = re.split(r"(?<=[.:!])\s", render(segs).text)[0].rstrip(" .:")
                title = "[Official] " + re.sub(r"\s*https?://\S+", "", headline)[:100]
                self.reddit_submission(
                    account, t, title, segs, topic, "neutral", "NimbusHome", "Official", kind
                )

    def reddit_submission(
        self,
        author: Account,
        t: dt.datetime,
        title: str,
        body: list[Seg],
        topic: str | None,
        sentiment: str,
        subreddit: str,
        flair: str | None,
        brand_kind: str = "",
        language: str = "en",
        link_url: str = "",
    ) -> Item | None:
        """Add one Reddit submission (text = title, blank line, selftext)."""
        segs = [Seg(title)] + ([Seg("\n\n")] + body if body else [])
        item = Item(
            "reddit",
            "post",
            author,
            t,
            segs,
            language,
            topic,
            sentiment,
            title=title,
            subreddit=subreddit,
            flair=flair,
            brand_kind=brand_kind,
            link_url=link_url,
        )
        return self.add(item)

    def outage_updates(self) -> None:
        """Status updates during the outage on every platform, plus the Reddit megathread."""
        for hours, account_index, template in OUTAGE_UPDATES:
            t = (OUTAGE_START + dt.timedelta(hours=hours)).replace(second=self.rng.randrange(60))
            topic = "app_outage"
            self.brand_post("twitter", t, template, topic, "outage", account_index)
            if account_index == 0 or hours in (0.42, 28.0):
                mastodon = template.replace("@NimbusSupport", "our support team")
                self.brand_post("mastodon", t + dt.timedelta(minutes=3), mastodon, topic, "outage")
            if hours in (0.6, 32.0, 75.0):
                self.brand_post(
                    "facebook",
                    t + dt.timedelta(minutes=7),
                    template.replace("@NimbusSupport", "Nimbus Support"),
                    topic,
                    "outage",
                    media="Status" if hours < 1 else "Link",
                )
            if hours == 32.0:
                self.brand_post(
                    "instagram",
                    t + dt.timedelta(minutes=20),
                    "We're back. Thank you for your patience during yesterday's outage, and we're sorry. Nimbus Plus members get a one-month credit.",
                    topic,
                    "outage",
                    media="Photo",
                )
        t = OUTAGE_START + dt.timedelta(minutes=52)
        body = self.text.fill(
            "We're aware of an outage affecting the Nimbus app and cloud. Devices with local scenes keep working. We'll update this post as we learn more. Status page: {status}\n\nEDIT: fix rolling out, thanks for your patience.",
            Ctx("reddit", "app_outage", brand_post=True),
        )
        self.megathread = self.reddit_submission(
            self.people.brand_account("reddit"),
            t,
            "[Megathread] App and cloud outage - October 14",
            body,
            "app_outage",
            "neutral",
            "NimbusHome",
            "Official",
            "megathread",
        )

    # -- customer posts
    def customer_post(
        self,
        platform: str,
        t: dt.datetime,
        topic: str,
        sentiment: str | None = None,
        *,
        core: str | None = None,
        author: Account | None = None,
        pii_base: float = 0.082,
    ) -> Item | None:
        """A customer's original post (tweet, toot or Reddit submission)."""
        rng = self.rng
        author = author or self.people.pick(platform)
        lang = author.lang if author.lang != "en" and rng.random() < 0.9 else "en"
        if lang != "en":
            topic, sentiment, core = self.localized(lang, topic, t)
        sentiment = sentiment or self.sentiment_for(topic, t)
        if topic == "glow_up_promo" and core is None:
            core = self.promo_core(sentiment, t)
        if core is None and topic == "app_outage" and not in_crisis(t):
            core = rng.choice(
                [c for c in CUSTOMER_TEMPLATES[topic][sentiment] if "outage" not in c]
                or CUSTOMER_TEMPLATES[topic][sentiment]
            )
        ctx = Ctx(platform, topic, lang, author)
        pii = (
            self.pii_slots(topic, pii_base, sentiment) if lang == "en" or rng.random() < 0.5 else []
        )
        if platform == "reddit":
            return self.customer_submission(ctx, t, sentiment, pii, core)
        prefix: list[Seg] = []
        if platform == "twitter" and topic in SUPPORT_TOPICS and rng.random() < 0.35:
            prefix = [
                self.text.mention(
                    self.people.brand_account("twitter", 1 if rng.random() < 0.7 else 0)
                ),
                Seg(" "),
            ]
            ctx.brand_named = True
        limit = 280 - sum(len(s.text) for s in prefix) if platform == "twitter" else 480
        segs = prefix + self.text.customer(ctx, sentiment, pii, core=core, limit=limit)
        return self.add(Item(platform, "post", author, t, segs, lang, topic, sentiment))

    def customer_submission(
        self, ctx: Ctx, t: dt.datetime, sentiment: str, pii: list[str], core: str | None
    ) -> Item | None:
        """A customer's Reddit submission: title, body, sometimes a second paragraph or an edit."""
        rng = self.rng
        subreddit = rng.choices(tuple(SUBREDDITS), weights=(0.45, 0.3, 0.25))[0]
        flair = {"negative": "Help", "neutral": "Question", "positive": "Discussion"}[sentiment]
        if ctx.topic == "feature_request":
            flair = "Feature Request"
        if ctx.lang != "en":
            segs = self.text.customer(ctx, sentiment, pii, core=core, limit=600)
            title = rng.choice(FOREIGN_TITLES[ctx.lang])
            return self.reddit_submission(
                ctx.author,
                t,
                title,
                segs,
                ctx.topic,
                sentiment,
                subreddit,
                flair,
                language=ctx.lang,
            )
        title = rng.choice(REDDIT_TITLES[ctx.topic][sentiment])
        if rng.random() < 0.1 and not pii:  # link post: just a title and an image
            link = f"https://i.imgur.com/{''.join(rng.choice(ALNUM) for _ in range(7))}.jpeg"
            return self.reddit_submission(
                ctx.author, t, title, [], ctx.topic, sentiment, subreddit, flair, link_url=link
            )
        body = self.text.customer(ctx, sentiment, pii, core=core, limit=1500)
        if rng.random() < 0.45:
            extra = rng.choice(CUSTOMER_TEMPLATES[ctx.topic][sentiment])
            body += [Seg("\n\n")] + self.text.noise.apply(self.text.fill(extra, ctx), sentiment)
        if rng.random() < 0.15:
            body += [Seg("\n\n")] + self.text.fill(
                rng.choice(
                    (
                        "EDIT: thanks everyone for the replies!",
                        "EDIT: still happening after a hub reset.",
                        "EDIT: support got back to me, waiting on a replacement.",
                        "Update: tried the 2.4GHz trick & it worked.",
                    )
                ),
                ctx,
            )
        return self.reddit_submission(
            ctx.author, t, title, body, ctx.topic, sentiment, subreddit, flair
        )

    def customer_days(self) -> None:
        """Ordinary days: customer posts with daily/weekly cycles, slow growth and two small incidents."""
        for index, day in enumerate(days()):
            factor = (
                WEEKDAY[day.weekday()] * (1 + 0.12 * index / 89) * self.rng.lognormvariate(0, 0.12)
            )
            for platform, rate in self.DAILY_ROOTS.items():
                for _ in range(self.poisson(rate * factor)):
                    t = self.clock.on(day)
                    if t is not None:
                        self.customer_post(platform, t, self.topic_for(t))
        self.incident(dt.date(2026, 9, 22), "app_outage", 16, range(18, 23))  # short evening blip
        self.incident(
            dt.date(2026, 10, 27), "bulb_hardware_defect", 14, range(8, 23)
        )  # firmware flicker
        self.incident(dt.date(2026, 10, 28), "bulb_hardware_defect", 10, range(8, 23))

    def incident(self, day: dt.date, topic: str, count: int, hours: range) -> None:
        """`count` extra posts about `topic` on `day` in the given local hours."""
        weights = [HOURLY[h] if h in hours else 0 for h in range(24)]
        for _ in range(count):
            t = self.clock.on(day, weights)
            if t is not None:
                platform = self.rng.choices(
                    ("twitter", "mastodon", "reddit"), weights=(0.75, 0.15, 0.1)
                )[0]
                self.customer_post(
                    platform, t, topic, self.rng.choices(SENTIMENTS, weights=(0.8, 0.18, 0.02))[0]
                )

    def crisis_posts(self) -> None:
        """The outage: a burst of mostly angry posts on 2026-10-14/15 and megathread comments."""
        for _ in range(380):
            t = self.clock.outage()
            platform = self.rng.choices(
                ("twitter", "mastodon", "reddit"), weights=(0.78, 0.13, 0.09)
            )[0]
            sentiment = (
                self.sentiment_for("app_outage", t)
                if t >= OUTAGE_RESOLVED
                else self.rng.choices(SENTIMENTS, weights=(0.88, 0.11, 0.01))[0]
            )
            if (
                platform == "reddit"
                and self.megathread is not None
                and t > self.megathread.created
                and self.rng.random() < 0.75
            ):
                self.comment(self.megathread, t, "app_outage", sentiment)
            else:
                self.customer_post(platform, t, "app_outage", sentiment, pii_base=0.04)

    def campaign_posts(self) -> None:
        """Extra campaign chatter: code uptake during the Glow Up and a few late attempts after it."""
        for day in days():
            if CAMPAIGN_START <= day <= CAMPAIGN_END:
                # launch burst that fades, and a last-day rush
                since_start = (day - CAMPAIGN_START).days
                lift = 2.5 + 9 * math.exp(-since_start / 3) + (7 if day == CAMPAIGN_END else 0)
                for _ in range(self.poisson(lift)):
                    t = self.clock.on(day)
                    if t is not None:
                        platform = self.rng.choices(
                            ("twitter", "mastodon", "reddit"), weights=(0.7, 0.2, 0.1)
                        )[0]
                        core = self.rng.choice(
                            [
                                c
                                for c in CUSTOMER_TEMPLATES["glow_up_promo"]["positive"]
                                if "{code}" in c
                            ]
                        )
                        self.customer_post(platform, t, "glow_up_promo", "positive", core=core)
        for offset in (1, 1, 2, 3, 5, 8):
            t = self.clock.on(CAMPAIGN_END + dt.timedelta(days=offset))
            if t is not None:
                sentiment, core = self.rng.choice(LATE_CODE_TEMPLATES)
                self.customer_post(
                    self.rng.choice(("twitter", "twitter", "mastodon")),
                    t,
                    "glow_up_promo",
                    sentiment,
                    core=core,
                )

    def planted_virals(self) -> None:
        """A handful of posts that take off (set `viral`; shares and metrics follow)."""
        influencers = [a for a in self.people.customers["twitter"] if a.role == "influencer"]
        plan = (
            (
                dt.datetime(2026, 10, 14, 15, 12, 8, tzinfo=UTC),
                "app_outage",
                "negative",
                "porch light stuck ON all night because the {brand} cloud is down. neighbors love me",
                1.0,
            ),
            (
                dt.datetime(2026, 10, 30, 2, 41, 37, tzinfo=UTC),
                "bulb_hardware_defect",
                "negative",
                "bulb in the {room} keeps turning on by itself at 3am. haunted or broken?",
                0.8,
            ),
            (
                dt.datetime(2026, 11, 3, 23, 5, 51, tzinfo=UTC),
                "glow_up_promo",
                "positive",
                "just used {code} on {n} {product}s. 25% off, can't beat it #NimbusGlowUp",
                0.45,
            ),
            (
                dt.datetime(2026, 10, 16, 17, 22, 3, tzinfo=UTC),
                "competitor_comparison",
                "negative",
                "switching to {comp}. at least their app works when the wifi hiccups",
                0.6,
            ),
        )
        for (t, topic, sentiment, core, strength), author in zip(
            plan, self.rng.sample(influencers, len(plan)), strict=True
        ):
            author.lang = "en"
            item = self.customer_post(
                "twitter", t, topic, sentiment, core=core, author=author, pii_base=0.0
            )
            if item is not None:
                item.viral = strength
        reddit = self.customer_post(
            "reddit",
            dt.datetime(2026, 9, 19, 14, 31, 2, tzinfo=UTC),
            "battery_sensors",
            "positive",
            core="leak sensor caught a dripping pipe under the sink. paid for itself",
            pii_base=0.0,
        )
        if reddit is not None:
            reddit.viral, reddit.author.deleted = 0.7, False
        toot = self.customer_post(
            "mastodon",
            dt.datetime(2026, 10, 14, 16, 2, 44, tzinfo=UTC),
            "app_outage",
            "negative",
            pii_base=0.0,
        )
        if toot is not None:
            toot.viral = 0.5

    def spam_posts(self) -> None:
        """About 2% spam: crypto, follower selling, fake giveaways, aimed at the brand's handles."""
        brand_tweets = [
            i for i in self.items if i.platform == "twitter" and i.is_brand and i.kind == "post"
        ]
        plan = (("twitter", 100), ("mastodon", 22), ("reddit", 11))
        for platform, count in plan:
            for _ in range(count):
                author = self.rng.choice(self.people.spammers[platform])
                ctx = Ctx(platform, None, author=author, spam=True)
                segs = self.text.fill(self.rng.choice(SPAM_TEMPLATES), ctx)
                parent = None
                if platform == "twitter" and self.rng.random() < 0.5:
                    parent = self.rng.choice(brand_tweets)
                    t = self.clock.after(parent.created, 6, 1.5, awake=False)
                    segs = [self.text.mention(parent.author), Seg(" ")] + segs
                elif platform == "reddit":
                    subs = [i for i in self.items if i.platform == "reddit" and i.kind == "post"]
                    parent = self.rng.choice(subs)
                    t = self.clock.after(parent.created, 120, 1.2, awake=False)
                else:
                    day = FIRST_DAY + dt.timedelta(days=self.rng.randrange(90))
                    t = self.clock.on(day, [1] * 24)
                    if t is None:
                        continue
                if (
                    platform in ("twitter", "mastodon")
                    and parent is None
                    and not any(
                        s.kind == "mention" and s.account and s.account.is_brand for s in segs
                    )
                ):
                    segs = segs + [Seg(" "), self.text.mention(self.people.brand_account(platform))]
                kind = "comment" if platform == "reddit" else ("reply" if parent else "post")
                self.add(
                    Item(
                        platform,
                        kind,
                        author,
                        t,
                        segs,
                        "en",
                        None,
                        "neutral",
                        is_spam=True,
                        parent=parent,
                    )
                )

    # -- conversations
    def conversation(self, item: Item) -> None:
        """Replies and comments under one original post."""
        if item.kind != "post" or item.is_spam:
            return
        if item.platform == "reddit":
            self.reddit_thread(item)
        elif item.platform in ("twitter", "mastodon"):
            if item.is_brand:
                self.brand_post_replies(item)
            else:
                self.support_thread(item)

    def answer_probability(self, item: Item) -> float:
        """How likely the brand answers `item` (lower on Reddit and during the outage)."""
        p = item.platform
        if item.sentiment == "positive" and item.topic not in ("glow_up_promo",):
            base = {"twitter": 0.3, "mastodon": 0.25}.get(p, 0.1)
        elif item.topic in SUPPORT_TOPICS:
            base = {"twitter": 0.74, "mastodon": 0.5}.get(p, 0.3)
        else:
            base = {"twitter": 0.45, "mastodon": 0.35}.get(p, 0.2)
        if in_crisis(item.created):
            base *= 0.45
        return base

    def support_thread(self, root: Item) -> None:
        """Brand answer (maybe), the customer's follow-up, peer replies."""
        rng = self.rng
        if rng.random() < self.answer_probability(root):
            support = root.platform == "twitter" and (
                root.topic in SUPPORT_TOPICS or rng.random() < 0.5
            )
            account = self.people.brand_account(root.platform, 1 if support else 0)
            t = self.clock.response(root.platform, root.created, in_crisis(root.created))
            reply = self.brand_reply(root, t, account)
            if reply is not None and rng.random() < 0.38:
                follow = self.follow_up(reply, root)
                if follow is not None and rng.random() < (0.85 if follow.rendered.pii else 0.45):
                    self.brand_second_reply(follow, account)
        mean_peers = (
            0.12 + (0.25 if root.sentiment == "negative" else 0.05) + (1.2 if root.viral else 0)
        )
        for _ in range(self.poisson(mean_peers)):
            peer = self.peer_reply(root)
            if peer is not None and rng.random() < 0.2:
                self.peer_reply(peer, author=root.author)

    def reply_prefix(self, parent: Item) -> list[Seg]:
        """The leading @mention of a reply."""
        return [self.text.mention(parent.author), Seg(" ")]

    def brand_reply(self, parent: Item, t: dt.datetime, account: Account) -> Item | None:
        """The brand's answer to `parent`: support help, thanks, or a reply in the customer's language."""
        rng = self.rng
        ctx = Ctx(parent.platform, parent.topic, brand_post=True)
        if parent.language != "en":
            body, sentiment = (
                self.text.fill(rng.choice(BRAND_REPLIES_LOCAL[parent.language]), ctx),
                "neutral",
            )
        elif (
            parent.sentiment == "positive"
            and parent.topic not in ("glow_up_promo",)
            or parent.topic is None
        ):
            body, sentiment = self.text.fill(rng.choice(BRAND_THANKS), ctx), "positive"
        else:
            body, sentiment = (
                self.text.fill(rng.choice(SUPPORT_REPLIES[parent.topic]), ctx),
                "neutral",
            )
        if account.username == "NimbusSupport" and rng.random() < 0.35:
            body.append(Seg(f" ^{rng.choice('ABCDEJKLMNPRST')}{rng.choice('ABCDGHKLMNRSTW')}"))
        segs = self.reply_prefix(parent) + body if parent.platform != "reddit" else body
        kind = "comment" if parent.platform == "reddit" else "reply"
        return self.add(
            Item(
                parent.platform,
                kind,
                account,
                t,
                segs,
                parent.language,
                parent.topic,
                sentiment,
                parent=parent,
            )
        )

    def follow_up(self, brand_reply: Item, root: Item) -> Item | None:
        """The customer's answer to the brand: thanks, more anger, or oversharing after 'DM us'."""
        rng = self.rng
        t = self.clock.after(brand_reply.created, 35 if root.platform == "twitter" else 120, 1.1)
        ctx = Ctx(root.platform, root.topic, "en", root.author)
        asked_dm = "DM" in brand_reply.text
        if asked_dm and root.language == "en" and rng.random() < 0.33:
            body, sentiment = self.text.fill(rng.choice(PII_FOLLOW_UPS), ctx), "neutral"
        else:
            weights = (0.7, 0.2, 0.1) if in_crisis(root.created) else (0.4, 0.3, 0.3)
            if root.sentiment == "positive":
                weights = (0.05, 0.25, 0.7)
            sentiment = rng.choices(SENTIMENTS, weights=weights)[0]
            body = self.text.short(rng.choice(FOLLOW_UPS[sentiment]), ctx, sentiment)
        segs = self.reply_prefix(brand_reply) + body if root.platform != "reddit" else body
        kind = "comment" if root.platform == "reddit" else "reply"
        return self.add(
            Item(
                root.platform,
                kind,
                root.author,
                t,
                segs,
                "en",
                root.topic,
                sentiment,
                parent=brand_reply,
            )
        )

    def brand_second_reply(self, parent: Item, account: Account) -> Item | None:
        """The brand's second answer: privacy warning after overshared data, escalation or thanks."""
        key = "pii" if parent.rendered.pii else parent.sentiment
        t = self.clock.response(parent.platform, parent.created, in_crisis(parent.created))
        body = self.text.fill(
            self.rng.choice(BRAND_SECOND_REPLIES[key]),
            Ctx(parent.platform, parent.topic, brand_post=True),
        )
        segs = self.reply_prefix(parent) + body if parent.platform != "reddit" else body
        sentiment = "positive" if key == "positive" else "neutral"
        kind = "comment" if parent.platform == "reddit" else "reply"
        return self.add(
            Item(
                parent.platform,
                kind,
                account,
                t,
                segs,
                "en",
                parent.topic,
                sentiment,
                parent=parent,
            )
        )

    def peer_reply(self, parent: Item, author: Account | None = None) -> Item | None:
        """Another customer chiming in (or the original poster answering them)."""
        rng = self.rng
        author = author or self.people.pick(parent.platform, exclude=parent.author)
        weights = {
            "negative": (0.55, 0.45, 0.0),
            "neutral": (0.3, 0.7, 0.0),
            "positive": (0.0, 0.2, 0.8),
        }[parent.sentiment]
        sentiment = rng.choices(SENTIMENTS, weights=weights)[0]
        ctx = Ctx(parent.platform, parent.topic, "en", author)
        pii = self.pii_slots(parent.topic, 0.015, sentiment)
        body = self.text.short(rng.choice(PEER_REPLIES[sentiment]), ctx, sentiment, pii)
        t = self.clock.after(parent.created, 80, 1.3)
        segs = self.reply_prefix(parent) + body if parent.platform != "reddit" else body
        kind = "comment" if parent.platform == "reddit" else "reply"
        return self.add(
            Item(
                parent.platform, kind, author, t, segs, "en", parent.topic, sentiment, parent=parent
            )
        )

    def brand_post_replies(self, post: Item) -> None:
        """Customers answering the brand's own posts (outage updates draw crowds)."""
        rng = self.rng
        means = {"outage": 16.0, "promo": 3.0, "announce": 1.3, "tip": 0.5, "engage": 2.6}
        mean = means.get(post.brand_kind, 1.0) * (1.0 if post.platform == "twitter" else 0.35)
        for _ in range(self.poisson(mean)):
            t = self.clock.after(post.created, 45, 1.2)
            topic = post.topic or self.topic_for(t)
            if topic == "glow_up_promo" and not in_campaign(t):
                topic = "feature_request"
            sentiment = (
                self.sentiment_for(topic, t)
                if post.brand_kind != "engage"
                else rng.choice(("neutral", "positive"))
            )
            if post.brand_kind == "outage" and t < OUTAGE_RESOLVED:
                sentiment = rng.choices(SENTIMENTS, weights=(0.85, 0.13, 0.02))[0]
            author = self.people.pick(post.platform)
            ctx = Ctx(post.platform, topic, "en", author, brand_named=True)
            core = self.promo_core(sentiment, t) if topic == "glow_up_promo" else None
            pii = self.pii_slots(topic, 0.05, sentiment)
            limit = 280 - len(post.author.username) - 2
            segs = self.reply_prefix(post) + self.text.customer(
                ctx, sentiment, pii, core=core, limit=limit, rich=False
            )
            reply = self.add(
                Item(post.platform, "reply", author, t, segs, "en", topic, sentiment, parent=post)
            )
            if reply is not None and rng.random() < 0.25 * (0.4 if in_crisis(t) else 1.0):
                account = self.people.brand_account(
                    post.platform,
                    1 if post.platform == "twitter" and topic in SUPPORT_TOPICS else 0,
                )
                self.brand_reply(
                    reply, self.clock.response(post.platform, t, in_crisis(t)), account
                )

    def reddit_thread(self, sub: Item) -> None:
        """A Reddit comment tree: other users, the poster answering, sometimes the brand."""
        rng = self.rng
        if sub.brand_kind == "megathread":
            return  # filled by crisis_posts
        if sub.is_brand:
            count = self.poisson(9 if sub.brand_kind == "help_thread" else 5)
        else:
            count = int(rng.lognormvariate(0.75, 0.95)) + (55 if sub.viral else 0)
        comments: list[Item] = []
        for _ in range(count):
            parent = sub if not comments or rng.random() < 0.55 else rng.choice(comments)
            topic = sub.topic or self.topic_for(sub.created)
            if topic == "glow_up_promo" and not in_campaign(sub.created):
                topic = "feature_request"
            author = (
                sub.author
                if parent is not sub
                and parent.author is not sub.author
                and not sub.is_brand
                and rng.random() < 0.3
                else None
            )
            t = self.clock.after(parent.created, 150, 1.2)
            comment = self.comment(parent, t, topic, None, author=author)
            if comment is not None:
                comments.append(comment)
        brand_p = (
            0.0
            if sub.is_brand
            else (0.45 if sub.subreddit == "NimbusHome" else 0.18)
            * (0.4 if in_crisis(sub.created) else 1)
        )
        if rng.random() < brand_p:
            target = sub if not comments or rng.random() < 0.7 else rng.choice(comments)
            self.brand_reply(
                target,
                self.clock.response("reddit", target.created, in_crisis(target.created)),
                self.people.brand_account("reddit"),
            )

    def comment(
        self,
        parent: Item,
        t: dt.datetime,
        topic: str,
        sentiment: str | None,
        author: Account | None = None,
    ) -> Item | None:
        """One Reddit comment on `parent` about `topic`."""
        rng = self.rng
        author = author or self.people.pick("reddit", exclude=parent.author)
        ctx = Ctx("reddit", topic, "en", author)
        if sentiment is None:
            sentiment = self.sentiment_for(topic, t)
        if rng.random() < 0.4:
            body = self.text.short(rng.choice(PEER_REPLIES[sentiment]), ctx, sentiment)
        else:
            core = self.promo_core(sentiment, t) if topic == "glow_up_promo" else None
            if core is None and topic == "app_outage" and not in_crisis(t):
                core = rng.choice(
                    [c for c in CUSTOMER_TEMPLATES[topic][sentiment] if "outage" not in c]
                    or CUSTOMER_TEMPLATES[topic][sentiment]
                )
            pii = self.pii_slots(topic, 0.075, sentiment)
            body = self.text.customer(ctx, sentiment, pii, core=core, limit=900)
        return self.add(
            Item("reddit", "comment", author, t, body, "en", topic, sentiment, parent=parent)
        )

    # -- shares and quotes
    def shares(self) -> None:
        """Retweets on Twitter and boosts on Mastodon, of brand posts and popular customer posts."""
        rng = self.rng
        means = {"promo": 4.0, "outage": 3.0, "announce": 2.4, "tip": 1.1, "engage": 0.9}
        for item in list(self.items):
            if item.platform not in ("twitter", "mastodon") or item.kind != "post" or item.is_spam:
                continue
            if item.is_brand:
                count = self.poisson(
                    means.get(item.brand_kind, 1.0) * (1.0 if item.platform == "twitter" else 0.6)
                )
            elif item.viral:
                count = int(40 * item.viral) + rng.randrange(5)
            elif item.sentiment != "negative" and not item.rendered.pii and rng.random() < 0.04:
                count = rng.choice((1, 1, 2))
            else:
                continue
            for _ in range(count):
                self.share(item)

    def share(self, original: Item) -> Item | None:
        """A retweet or boost of `original` by another customer."""
        author = self.people.pick(original.platform, exclude=original.author)
        t = self.clock.after(original.created, 25 if original.viral else 90, 1.3, awake=False)
        if original.platform == "twitter":
            segs = truncate_segs(
                [Seg("RT "), self.text.mention(original.author), Seg(": ")]
                + [Seg(s.text, s.kind, s.account, s.expanded, s.entity) for s in original.segs],
                140,
            )
        else:
            segs = [Seg(s.text, s.kind, s.account, s.expanded, s.entity) for s in original.segs]
        return self.add(
            Item(
                original.platform,
                "share",
                author,
                t,
                segs,
                original.language,
                None,
                original.sentiment,
                ref=original,
            )
        )

    def quotes(self) -> None:
        """Quote tweets: customers commenting on outage updates, promos and viral posts."""
        rng = self.rng
        targets = [
            i
            for i in self.items
            if i.platform == "twitter"
            and i.kind == "post"
            and not i.is_spam
            and (i.is_brand or i.viral)
        ]
        weights = [
            8.0
            if i.brand_kind == "outage"
            else 3.0
            if i.viral
            else 2.0
            if i.brand_kind == "promo"
            else 0.4
            for i in targets
        ]
        for _ in range(120):
            target = rng.choices(targets, weights=weights)[0]
            topic = target.topic or rng.choice(TOPICS)
            options = [q for q in QUOTE_TEMPLATES if q[0] == topic] or list(QUOTE_TEMPLATES)
            topic, sentiment, template = rng.choice(options)
            author = self.people.pick("twitter", exclude=target.author)
            t = self.clock.after(target.created, 50, 1.2)
            ctx = Ctx("twitter", topic, "en", author)
            segs = self.text.noise.apply(self.text.fill(template, ctx), sentiment)
            link = f"https://twitter.com/{target.author.username}/status/{target.post_id}"
            segs += [Seg(" "), Seg(self.ids.tco(), "url", expanded=link)]
            self.add(Item("twitter", "quote", author, t, segs, "en", topic, sentiment, ref=target))

    # -- imperfections
    def plant_flaws(self) -> None:
        """Mark the few rows that are written broken or twice (see data/sample/README.md)."""
        rng = self.rng
        has_children = {id(i.parent) for i in self.items if i.parent is not None} | {
            id(i.ref) for i in self.items if i.ref is not None
        }

        def leaf(platform: str, kind: str) -> Item:
            """A random item nobody replied to, shared or quoted."""
            pool = [
                i
                for i in self.items
                if i.platform == platform
                and i.kind == kind
                and id(i) not in has_children
                and i.flaw is None
                and i.duplicate is None
                and i.is_customer_text
                and not i.rendered.pii
                and not i.viral
                and not in_crisis(i.created)
            ]
            return rng.choice(pool)

        leaf("twitter", "post").flaw = "tweet without created_at"
        leaf("reddit", "comment").flaw = "line truncated mid-JSON"
        leaf("mastodon", "post").flaw = "status without account"
        rng.choice(
            [i for i in self.items if i.platform == "facebook" and i.brand_kind != "outage"]
        ).flaw = "Post Created is not a date (#VALUE!)"
        leaf("reddit", "comment").duplicate = "same comment written on two consecutive lines"
        leaf(
            "mastodon", "post"
        ).duplicate = "same status returned by two overlapping timeline pages"


def truncate_segs(segs: list[Seg], limit: int) -> list[Seg]:
    """Cut segments to at most `limit` characters at a word boundary, ending with '…' (as retweets are)."""
    if sum(len(s.text) for s in segs) <= limit:
        return segs
    out, used = [], 0
    for seg in segs:
        if used + len(seg.text) <= limit - 1:
            out.append(seg)
            used += len(seg.text)
            continue
        if seg.kind is None:
            room = seg.text[: limit - 1 - used]
            cut = room.rsplit(" ", 1)[0] if " " in room else ""
            if cut:
                out.append(Seg(cut))
        break
    while out and not out[-1].text.strip():
        out.pop()
    out.append(Seg("…"))
    return out


# ------------------------------------------------------------------ engagement
def assign_metrics(items: list[Item], rng: random.Random) -> None:
    """Heavy-tailed engagement consistent with the replies, shares and quotes present in the data.

    Parameters
    ----------
    items : list of Item
        All items; `metrics` is set on each.
    rng : random.Random
        Source of randomness.
    """
    children: dict[int, int] = {}
    shares: dict[int, int] = {}
    quotes: dict[int, int] = {}
    descendants: dict[int, int] = {}
    for item in items:
        if item.parent is not None:
            children[id(item.parent)] = children.get(id(item.parent), 0) + 1
            descendants[id(item.root)] = descendants.get(id(item.root), 0) + 1
        if item.ref is not None:
            target = shares if item.kind == "share" else quotes
            target[id(item.ref)] = target.get(id(item.ref), 0) + 1
    counts = lambda i: (children.get(id(i), 0), shares.get(id(i), 0), quotes.get(id(i), 0))  # noqa: E731
    for item in items:
        if item.kind == "share":
            continue
        replies, shared, quoted = counts(item)
        if item.platform == "twitter":
            item.metrics = twitter_metrics(item, rng, replies, shared, quoted)
        elif item.platform == "mastodon":
            item.metrics = mastodon_metrics(item, rng, replies, shared)
        elif item.platform == "reddit":
            item.metrics = reddit_metrics(item, rng, descendants.get(id(item), 0))
        elif item.platform == "facebook":
            item.metrics = facebook_metrics(item, rng)
        else:
            item.metrics = instagram_metrics(item, rng)
    for item in items:
        if item.kind == "share":
            mirrored = item.ref.metrics.get("retweet_count", 0) if item.platform == "twitter" else 0
            item.metrics = {
                "retweet_count": mirrored,
                "reply_count": 0,
                "like_count": 0,
                "quote_count": 0,
                "bookmark_count": 0,
                "impression_count": 0,
                "reblogs_count": 0,
                "favourites_count": 0,
                "replies_count": 0,
            }


def _likes(item: Item, rng: random.Random, customer_mu: float) -> int:
    if item.viral:
        return min(int(3500 * item.viral * rng.paretovariate(1.6)), 95_000)
    if item.is_brand:
        if item.kind != "post":
            return int(rng.lognormvariate(0.2, 0.9))
        mu = 3.6 + {"promo": 0.5, "outage": 1.3, "engage": 0.3}.get(item.brand_kind, 0.0)
        return int(rng.lognormvariate(mu, 0.7))
    if item.is_spam:
        return rng.choice((0, 0, 0, 1, 2))
    mu = (
        customer_mu
        + 0.33 * math.log(item.author.followers + 1)
        - (0.8 if item.kind != "post" else 0.0)
    )
    return int(rng.lognormvariate(mu, 1.1))


def twitter_metrics(item: Item, rng: random.Random, replies: int, shared: int, quoted: int) -> dict:
    """Twitter `public_metrics` of one item, never below the replies, retweets and quotes present."""
    likes = _likes(item, rng, -1.0)
    followers = item.author.followers
    reach = followers * (rng.uniform(0.01, 0.04) if item.is_brand else rng.uniform(0.03, 0.3))
    return {
        "retweet_count": max(shared, int(likes * rng.uniform(0.03, 0.18))),
        "reply_count": replies + (rng.random() < 0.12),
        "like_count": likes,
        "quote_count": max(quoted, int(likes * rng.uniform(0.0, 0.015))),
        "bookmark_count": int(likes * rng.uniform(0.0, 0.08)),
        "impression_count": int(reach + likes * rng.uniform(25, 110) + rng.randrange(3, 80)),
    }


def mastodon_metrics(item: Item, rng: random.Random, replies: int, shared: int) -> dict:
    """Mastodon counters of one status, never below the replies and boosts present."""
    favourites = (
        _likes(item, rng, -0.9)
        if not item.viral
        else int(300 * item.viral * rng.paretovariate(1.8))
    )
    if item.is_brand and item.kind == "post":
        favourites = int(favourites * 0.35)
    return {
        "replies_count": replies,
        "reblogs_count": max(shared, int(favourites * rng.uniform(0.0, 0.35))),
        "favourites_count": favourites,
    }


def reddit_metrics(item: Item, rng: random.Random, comments: int) -> dict:
    """Reddit score, ratio and comment count (submissions) or score and controversiality (comments)."""
    if item.kind == "post":
        if item.brand_kind == "megathread":
            score = 1400 + rng.randrange(300)
        elif item.viral:
            score = int(2300 * item.viral / 0.7) + rng.randrange(200)
        else:
            score = int(
                rng.lognormvariate(3.4 if item.is_brand else 1.9, 0.6 if item.is_brand else 1.1)
            )
        ratio = round(rng.uniform(0.55, 0.99) if not item.is_spam else rng.uniform(0.2, 0.5), 2)
        return {"score": score, "upvote_ratio": ratio, "num_comments": comments + rng.randrange(3)}
    score = int(rng.lognormvariate(0.7, 1.1)) + (1 if rng.random() < 0.6 else 0)
    if rng.random() < 0.12 or item.is_spam:
        score -= rng.randrange(1, 7)
    if item.is_brand and in_crisis(item.created):
        score -= rng.randrange(3, 16)
    return {"score": score, "controversiality": int(score <= 0 and rng.random() < 0.5)}


def facebook_metrics(item: Item, rng: random.Random) -> dict:
    """CrowdTangle Facebook reactions, comments, shares and video views of one brand post."""
    base = (
        rng.lognormvariate(5.0, 0.6)
        * (1.6 if item.brand_kind == "promo" else 1.0)
        * (1.3 if "Video" in item.media else 1.0)
    )
    outage = item.brand_kind == "outage"
    m = {
        "Likes": int(base * (0.4 if outage else 1.0)),
        "Comments": int(base * rng.uniform(0.05, 0.25) * (6 if outage else 1)),
        "Shares": int(base * rng.uniform(0.02, 0.15)),
        "Love": int(base * rng.uniform(0.05, 0.2) * (0.2 if outage else 1)),
        "Wow": int(base * rng.uniform(0.0, 0.03)),
        "Haha": int(base * rng.uniform(0.0, 0.02) * (4 if outage else 1)),
        "Sad": int(base * rng.uniform(0.0, 0.01) * (20 if outage else 1)),
        "Angry": int(base * (rng.uniform(1.5, 3.0) if outage else rng.uniform(0.0, 0.01))),
        "Care": int(base * rng.uniform(0.0, 0.02)),
    }
    if "Video" in item.media:
        views = int(base * rng.uniform(25, 60))
        m["Post Views"], m["Total Views"] = views, int(views * rng.uniform(1.0, 1.4))
        m["Video Length"] = f"00:{rng.randrange(0, 2):02d}:{rng.randrange(10, 60):02d}"
    return m


def instagram_metrics(item: Item, rng: random.Random) -> dict:
    """CrowdTangle Instagram likes, comments and video views of one brand post."""
    likes = int(rng.lognormvariate(6.6, 0.6) * (1.5 if item.brand_kind == "promo" else 1.0))
    m = {
        "Likes": likes,
        "Comments": int(
            likes * rng.uniform(0.01, 0.05) * (5 if item.brand_kind == "outage" else 1)
        ),
    }
    if item.media == "Video":
        m["Views"] = int(likes * rng.uniform(8, 20))
    return m


def overperforming(total: int, expected: float) -> str:
    """CrowdTangle-style score: ratio to expected, negative reciprocal when under-performing."""
    if total <= 0:
        return "-100.00"
    ratio = total / expected
    return f"{ratio:.2f}" if ratio >= 1 else f"{-1 / ratio:.2f}"


# ------------------------------------------------------------------ platform formats
def twitter_time(t: dt.datetime) -> str:
    """Twitter's timestamp format: 2026-09-01T12:34:56.000Z."""
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def mastodon_time(t: dt.datetime) -> str:
    """Mastodon's timestamp format, with milliseconds."""
    t = t.astimezone(UTC)
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}Z"


def escape_api(text: str) -> str:
    """Escape & < > as the Twitter and Reddit APIs do."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def escape_html(text: str) -> str:
    """Escape text for Mastodon HTML content (& < > " ')."""
    return escape_api(text).replace('"', "&quot;").replace("'", "&#39;")


def display_url(url: str) -> str:
    """Twitter's shortened display form of a URL."""
    short = re.sub(r"^https?://(www\.)?", "", url)
    return short if len(short) <= 26 else short[:25] + "…"


def twitter_user(acc: Account) -> dict:
    """One `includes.users` entry."""
    return {
        "id": acc.id,
        "username": acc.username,
        "name": acc.name,
        "created_at": twitter_time(acc.created),
        "description": acc.description,
        "verified": acc.verified,
        "public_metrics": {
            "followers_count": acc.followers,
            "following_count": acc.following,
            "tweet_count": acc.statuses,
            "listed_count": acc.followers // 120,
        },
    }


def tweet(item: Item) -> dict:
    """One tweet object as the v2 API returns it (entity offsets index the unescaped text)."""
    r = item.rendered
    data: dict = {"id": item.post_id, "text": escape_api(r.text), "author_id": item.author.id}
    if item.flaw != "tweet without created_at":
        data["created_at"] = twitter_time(item.created)
    data["conversation_id"] = item.root.post_id if item.kind == "reply" else item.post_id
    if item.kind == "reply":
        data["in_reply_to_user_id"] = item.parent.author.id
    ref_type = {"reply": "replied_to", "quote": "quoted", "share": "retweeted"}.get(item.kind)
    if ref_type:
        data["referenced_tweets"] = [{"type": ref_type, "id": (item.parent or item.ref).post_id}]
    data["lang"] = item.language
    m = item.metrics
    data["public_metrics"] = {
        k: m.get(k, 0)
        for k in (
            "retweet_count",
            "reply_count",
            "like_count",
            "quote_count",
            "bookmark_count",
            "impression_count",
        )
    }
    entities: dict = {}
    if r.hashtags:
        entities["hashtags"] = [{"start": s, "end": e, "tag": tag} for s, e, tag in r.hashtags]
    if r.mentions:
        entities["mentions"] = [
            {"start": s, "end": e, "username": a.username, "id": a.id} for s, e, a in r.mentions
        ]
    if r.urls:
        entities["urls"] = [
            {"start": s, "end": e, "url": u, "expanded_url": x, "display_url": display_url(x)}
            for s, e, u, x in r.urls
        ]
    if entities:
        data["entities"] = entities
    data["edit_history_tweet_ids"] = [item.post_id]
    return data


TWARC_QUERY = {
    "expansions": "author_id,in_reply_to_user_id,referenced_tweets.id,referenced_tweets.id.author_id,entities.mentions.username",
    "tweet.fields": "author_id,conversation_id,created_at,entities,id,in_reply_to_user_id,lang,public_metrics,referenced_tweets,text,edit_history_tweet_ids",
    "user.fields": "created_at,description,id,name,public_metrics,username,verified",
    "query": '(@NimbusHome OR @NimbusSupport OR "Nimbus Home" OR nimbus OR #NimbusGlowUp OR GLOW25)',
    "start_time": "2026-09-01T00:00:00Z",
    "end_time": "2026-11-30T00:00:00Z",
    "max_results": "100",
}


def twitter_pages(items: list[Item], rng: random.Random, page_size: int = 100) -> list[dict]:
    """twarc2 response pages, newest first; two tweets repeat at a page boundary (pagination overlap)."""
    tweets = sorted(
        (i for i in items if i.platform == "twitter"),
        key=lambda i: (i.created, int(i.post_id)),
        reverse=True,
    )
    chunks = [tweets[k : k + page_size] for k in range(0, len(tweets), page_size)]
    for k in (len(chunks) // 4, (2 * len(chunks)) // 3):
        if k + 1 < len(chunks):
            repeated = chunks[k][-1]
            repeated.duplicate = f"same tweet in twarc2 pages {k + 1} and {k + 2}"
            chunks[k + 1] = [repeated] + chunks[k + 1]
    pages, token = [], None
    for n, chunk in enumerate(chunks):
        query = dict(TWARC_QUERY, **({"next_token": token} if token else {}))
        token = "".join(rng.choice(B36) for _ in range(44)) if n + 1 < len(chunks) else None
        meta = {
            "newest_id": chunk[0].post_id,
            "oldest_id": chunk[-1].post_id,
            "result_count": len(chunk),
        }
        if token:
            meta["next_token"] = token
        pages.append(
            {
                "data": [tweet(i) for i in chunk],
                "includes": page_includes(chunk),
                "meta": meta,
                "__twarc": {
                    "url": "https://api.twitter.com/2/tweets/search/all?" + urlencode(query),
                    "version": "2.14.0",
                    "retrieved_at": (COLLECTED_AT + dt.timedelta(seconds=3 * n)).isoformat(),
                },
            }
        )
    return pages


def page_includes(chunk: list[Item]) -> dict:
    """`includes` of a twarc2 page: users seen in it and the tweets it references."""
    users: dict[str, Account] = {}
    referenced: dict[str, Item] = {}
    for item in chunk:
        users.setdefault(item.author.id, item.author)
        for _, _, acc in item.rendered.mentions:
            users.setdefault(acc.id, acc)
        target = item.parent or item.ref
        if target is not None:
            referenced.setdefault(target.post_id, target)
            users.setdefault(target.author.id, target.author)
    return {
        "users": [twitter_user(a) for a in users.values()],
        "tweets": [tweet(i) for i in referenced.values()],
    }


def mastodon_account(acc: Account) -> dict:
    """The `account` object of a Mastodon status."""
    return {
        "id": acc.id,
        "username": acc.username,
        "acct": acc.acct,
        "display_name": "" if acc.role == "customer" and int(acc.id) % 10 == 0 else acc.name,
        "locked": False,
        "bot": acc.role == "spam",
        "created_at": mastodon_time(acc.created),
        "note": f"<p>{escape_html(acc.description)}</p>" if acc.description else "",
        "url": acc.profile_url,
        "followers_count": acc.followers,
        "following_count": acc.following,
        "statuses_count": acc.statuses,
    }


def mastodon_content(segs: list[Seg]) -> str:
    """Mastodon's HTML for a post: one paragraph, escaped text, mention/hashtag/link anchors."""
    out = []
    for seg in segs:
        text = unicodedata.normalize("NFC", seg.text)
        if seg.kind == "mention" and seg.account is not None:
            out.append(
                f'<span class="h-card"><a href="{seg.account.profile_url}" class="u-url mention">@<span>{seg.account.username}</span></a></span>'
            )
        elif seg.kind == "hashtag":
            tag = text[1:]
            out.append(
                f'<a href="https://{HOME_INSTANCE}/tags/{tag.lower()}" class="mention hashtag" rel="tag">#<span>{tag}</span></a>'
            )
        elif seg.kind == "url":
            out.append(
                f'<a href="{escape_html(text)}" rel="nofollow noopener noreferrer" target="_blank">{escape_html(text)}</a>'
            )
        else:
            out.append(escape_html(text).replace("\n", "<br />"))
    return "<p>" + "".join(out) + "</p>"


def status(item: Item) -> dict:
    """One Mastodon Status entity (boosts wrap the boosted status in `reblog`)."""
    acc, boost = item.author, item.kind == "share"
    uri = f"https://{acc.instance}/users/{acc.username}/statuses/{item.post_id}"
    r = item.rendered
    data = {
        "id": item.post_id,
        "created_at": mastodon_time(item.created),
        "in_reply_to_id": item.parent.post_id if item.parent else None,
        "in_reply_to_account_id": item.parent.author.id if item.parent else None,
        "sensitive": False,
        "spoiler_text": "",
        "visibility": "public",
        "language": None if boost else item.language,
        "uri": uri + "/activity" if boost else uri,
        "url": uri + "/activity" if boost else f"{acc.profile_url}/{item.post_id}",
        "replies_count": item.metrics.get("replies_count", 0),
        "reblogs_count": item.metrics.get("reblogs_count", 0),
        "favourites_count": item.metrics.get("favourites_count", 0),
        "edited_at": None,
        "content": "" if boost else mastodon_content(item.segs),
        "reblog": status(item.ref) if boost else None,
        "account": mastodon_account(acc),
        "media_attachments": [],
        "mentions": [] if boost else _unique_mentions(r.mentions),
        "tags": [] if boost else _unique_tags(r.hashtags),
        "emojis": [],
        "card": None,
        "poll": None,
    }
    if item.flaw == "status without account":
        del data["account"]
    return data


def _unique_mentions(mentions: list[tuple[int, int, Account]]) -> list[dict]:
    seen: dict[str, dict] = {}
    for _, _, a in mentions:
        seen.setdefault(
            a.id, {"id": a.id, "username": a.username, "url": a.profile_url, "acct": a.acct}
        )
    return list(seen.values())


def _unique_tags(hashtags: list[tuple[int, int, str]]) -> list[dict]:
    seen: dict[str, dict] = {}
    for _, _, tag in hashtags:
        seen.setdefault(
            tag.lower(), {"name": tag.lower(), "url": f"https://{HOME_INSTANCE}/tags/{tag.lower()}"}
        )
    return list(seen.values())


def reddit_slug(title: str) -> str:
    """The title slug Reddit puts in permalinks."""
    slug = re.sub(r"[^a-z0-9]+", "_", title.lower()).strip("_")
    return slug[:50].rstrip("_") or "post"


def reddit_thing(item: Item) -> dict:
    """A Reddit `t3` (submission) or `t1` (comment) thing as the API returns it."""
    sub = item.root
    permalink = f"/r/{sub.subreddit}/comments/{sub.post_id}/{reddit_slug(sub.title)}/"
    author: dict = (
        {"author": "[deleted]"}
        if item.author.deleted
        else {"author": item.author.username, "author_fullname": item.author.fullname}
    )
    moderator = (
        item.is_brand
        and sub.subreddit == "NimbusHome"
        and (item.kind == "post" or int(item.post_id, 36) % 5 < 3)
    )
    common = {"subreddit": sub.subreddit, "subreddit_id": SUBREDDITS[sub.subreddit]}
    m = item.metrics
    if item.kind == "post":
        selftext = item.text[len(item.title) + 2 :] if len(item.text) > len(item.title) else ""
        data = {
            "id": item.post_id,
            "name": f"t3_{item.post_id}",
            **author,
            "title": escape_api(item.title),
            "selftext": escape_api(selftext),
            **common,
            "subreddit_name_prefixed": f"r/{sub.subreddit}",
            "created_utc": float(int(item.created.timestamp())),
            "score": m["score"],
            "ups": m["score"],
            "upvote_ratio": m["upvote_ratio"],
            "num_comments": m["num_comments"],
            "permalink": permalink,
            "url": item.link_url or f"https://www.reddit.com{permalink}",
            "is_self": not item.link_url,
            "link_flair_text": item.flair,
            "over_18": False,
            "distinguished": "moderator" if moderator else None,
        }
        return {"kind": "t3", "data": data}
    parent_name = ("t3_" if item.parent.kind == "post" else "t1_") + item.parent.post_id
    data = {
        "id": item.post_id,
        "name": f"t1_{item.post_id}",
        **author,
        "body": escape_api(item.text),
        "parent_id": parent_name,
        "link_id": f"t3_{sub.post_id}",
        "subreddit": sub.subreddit,
        "created_utc": float(int(item.created.timestamp())),
        "score": m["score"],
        "ups": m["score"],
        "permalink": f"{permalink}{item.post_id}/",
        "controversiality": m["controversiality"],
        "distinguished": "moderator" if moderator else None,
        "is_submitter": item.author is sub.author and not item.author.deleted,
    }
    return {"kind": "t1", "data": data}


FACEBOOK_COLUMNS = (
    "Page Name",
    "User Name",
    "Facebook Id",
    "Page Category",
    "Page Admin Top Country",
    "Page Description",
    "Page Created",
    "Likes at Posting",
    "Followers at Posting",
    "Post Created",
    "Post Created Date",
    "Post Created Time",
    "Type",
    "Total Interactions",
    "Likes",
    "Comments",
    "Shares",
    "Love",
    "Wow",
    "Haha",
    "Sad",
    "Angry",
    "Care",
    "Video Share Status",
    "Is Video Owner?",
    "Post Views",
    "Total Views",
    "Total Views For All Crossposts",
    "Video Length",
    "URL",
    "Message",
    "Link",
    "Final Link",
    "Image Text",
    "Link Text",
    "Description",
    "Sponsor Id",
    "Sponsor Name",
    "Sponsor Category",
    "Overperforming Score (Weighted  —  Likes 1x Shares 1x Comments 1x Love 1x Wow 1x Haha 1x Sad 1x Angry 1x Care 1x )",
)
INSTAGRAM_COLUMNS = (
    "Account",
    "User Name",
    "Followers at Posting",
    "Post Created",
    "Post Created Date",
    "Post Created Time",
    "Type",
    "Total Interactions",
    "Likes",
    "Comments",
    "Views",
    "URL",
    "Link",
    "Photo",
    "Title",
    "Description",
    "Image Text",
    "Sponsor Id",
    "Sponsor Name",
    "Overperforming Score",
)
FACEBOOK_PAGE_ID = "100064512338807"


def crowdtangle_created(t: dt.datetime) -> tuple[str, str, str]:
    """(Post Created, Post Created Date, Post Created Time) in the page's local time with zone abbreviation."""
    local = t.astimezone(LOCAL_TZ)
    return f"{local:%Y-%m-%d %H:%M:%S} {local.tzname()}", f"{local:%Y-%m-%d}", f"{local:%H:%M:%S}"


def audience(base: int, t: dt.datetime, per_day: float) -> int:
    """Page followers at posting time: steady growth, faster during the campaign."""
    elapsed = (t - PERIOD_START).total_seconds() / 86400
    boost = max(0.0, min(elapsed, 77) - 62) * per_day * 2
    return int(base + elapsed * per_day + boost)


def facebook_row(item: Item) -> list:
    """One CrowdTangle Facebook CSV row, in FACEBOOK_COLUMNS order."""
    m = item.metrics
    reactions = ("Likes", "Comments", "Shares", "Love", "Wow", "Haha", "Sad", "Angry", "Care")
    total = sum(m[k] for k in reactions)
    created = crowdtangle_created(item.created)
    if item.flaw:
        created = ("#VALUE!", "#VALUE!", "")
    url = f"https://www.facebook.com/NimbusHome/posts/{item.post_id}"
    r = item.rendered
    video = "Video" in item.media
    link = {
        "Link": r.urls[0][3] if r.urls else url,
        "Photo": f"https://www.facebook.com/NimbusHome/photos/a.{item.post_id[:9]}/{item.post_id}/?type=3",
        "Album": f"https://www.facebook.com/media/set/?set=a.{item.post_id[:9]}&type=3",
        "Native Video": f"https://www.facebook.com/NimbusHome/videos/{item.post_id}/",
    }.get(item.media, "")
    return [
        BRAND_NAME,
        "NimbusHome",
        FACEBOOK_PAGE_ID,
        "ELECTRONICS",
        "US",
        "Smart lighting, heating and sensors that just work.",
        "2015-04-21 14:02:11",
        audience(389_000, item.created, 45),
        audience(412_000, item.created, 60),
        *created,
        item.media,
        total,
        *(m[k] for k in reactions),
        "crosspostable" if video else "",
        "Yes" if video else "",
        m.get("Post Views", ""),
        m.get("Total Views", ""),
        m.get("Total Views", ""),
        m.get("Video Length", ""),
        url,
        item.text,
        link,
        link,
        "",
        "Nimbus Home" if item.media == "Link" else "",
        "",
        "",
        "",
        "",
        overperforming(total, 190.0),
    ]


def instagram_row(item: Item, rng: random.Random) -> list:
    """One CrowdTangle Instagram CSV row, in INSTAGRAM_COLUMNS order."""
    m = item.metrics
    url = f"https://www.instagram.com/p/{item.post_id}/"
    photo = f"https://scontent-ord5-1.cdninstagram.com/v/t51.29350-15/{rng.randrange(10**17, 10**18)}_n.jpg"
    return [
        BRAND_NAME,
        "nimbushome",
        audience(96_400, item.created, 40),
        *crowdtangle_created(item.created),
        item.media,
        m["Likes"] + m["Comments"],
        m["Likes"],
        m["Comments"],
        m.get("Views", ""),
        url,
        url,
        photo,
        "",
        item.text,
        "",
        "",
        "",
        overperforming(m["Likes"] + m["Comments"], 900.0),
    ]


# ------------------------------------------------------------------ writing
def label(item: Item) -> dict:
    """The ground-truth line of one item (labels.jsonl)."""
    r = item.rendered
    topic = None if item.kind == "share" or item.is_spam else item.topic
    out = {
        "platform": item.platform,
        "post_id": item.post_id,
        "text": r.text,
        "is_brand": item.is_brand,
        "is_spam": item.is_spam,
        "language": item.language,
        "topic": topic,
        "sentiment": item.sentiment,
        "pii": [] if item.kind == "share" else r.pii,
    }
    if item.flaw:
        out.update({"malformed": True, "reason": item.flaw})
    elif item.duplicate:
        out.update({"duplicate": True, "reason": item.duplicate})
    return out


def dumps(obj, compact: bool = False) -> str:
    """JSON text with keys in insertion order and non-ASCII kept as is."""
    if compact:
        return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))
    return json.dumps(obj, ensure_ascii=False)


def write_files(items: list[Item], out_dir: Path, rng: random.Random) -> dict[str, int]:
    """Write the five raw files and labels.jsonl; return the number of items per file."""
    out_dir.mkdir(parents=True, exist_ok=True)
    labels: list[Item] = []
    counts: dict[str, int] = {}

    pages = twitter_pages(items, rng)
    seen: set[str] = set()
    lines = []
    for page in pages:
        lines.append(dumps(page))
    twitter_order = [
        i
        for i in sorted(
            (i for i in items if i.platform == "twitter"),
            key=lambda i: (i.created, int(i.post_id)),
            reverse=True,
        )
    ]
    for item in twitter_order:
        if item.post_id not in seen:
            seen.add(item.post_id)
            labels.append(item)
    counts["twitter.jsonl"] = len(twitter_order)
    _write_text(out_dir / "twitter.jsonl", "".join(line + "\n" for line in lines))

    reddit = sorted(
        (i for i in items if i.platform == "reddit"), key=lambda i: (i.created, i.post_id)
    )
    lines = []
    for item in reddit:
        line = dumps(reddit_thing(item))
        if item.flaw:
            line = line[: int(len(line) * 0.6)]
        lines.append(line)
        if item.duplicate:
            lines.append(line)
    counts["reddit.jsonl"] = len(reddit)
    labels += reddit
    _write_text(out_dir / "reddit.jsonl", "".join(line + "\n" for line in lines))

    mastodon = sorted(
        (i for i in items if i.platform == "mastodon"),
        key=lambda i: (i.created, int(i.post_id)),
        reverse=True,
    )
    statuses = []
    for item in mastodon:
        statuses.append(status(item))
        if item.duplicate:
            statuses.append(status(item))
    counts["mastodon.json"] = len(mastodon)
    labels += mastodon
    _write_text(
        out_dir / "mastodon.json",
        "[" + ",\n".join(dumps(s, compact=True) for s in statuses) + "]\n",
    )

    for platform, columns, row in (
        ("facebook", FACEBOOK_COLUMNS, facebook_row),
        ("instagram", INSTAGRAM_COLUMNS, lambda i: instagram_row(i, rng)),
    ):
        posts = sorted(
            (i for i in items if i.platform == platform), key=lambda i: i.created, reverse=True
        )
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(columns)
        writer.writerows(row(i) for i in posts)
        _write_text(out_dir / f"{platform}.csv", buffer.getvalue())
        counts[f"{platform}.csv"] = len(posts)
        labels += posts

    _write_text(out_dir / LABELS_FILE, "".join(dumps(label(i)) + "\n" for i in labels))
    counts[LABELS_FILE] = len(labels)
    return counts


def _write_text(path: Path, text: str) -> None:
    with open(path, "w", encoding="utf-8", newline="") as handle:
        handle.write(text)


def generate_sample(out_dir: Path = SAMPLE_DIR, seed: int = DEFAULT_SEED) -> dict[str, int]:
    """Generate the sample dataset into `out_dir`; return the number of items per file.

    Parameters
    ----------
    out_dir : Path
        Folder to write twitter.jsonl, reddit.jsonl, mastodon.json, facebook.csv,
        instagram.csv and labels.jsonl into (created if missing; files are overwritten).
    seed : int
        Seed for every random choice; the same seed gives byte-identical files.

    Returns
    -------
    dict of str to int
        Items per raw file (each post counted once, duplicates and malformed rows included),
        and the number of label lines under "labels.jsonl".
    """
    out_dir = Path(out_dir)
    simulation = Simulation(seed)
    items = simulation.run()
    counts = write_files(items, out_dir, random.Random(seed + 1))
    size = sum((out_dir / name).stat().st_size for name in (*FILES, LABELS_FILE))
    if size > MAX_TOTAL_BYTES:
        raise RuntimeError(
            f"sample is {size / 1e6:.1f} MB, over the {MAX_TOTAL_BYTES / 1e6:.0f} MB budget"
        )
    log.info("sample written to %s: %s (%.1f MB)", out_dir, counts, size / 1e6)
    return counts


def main(argv: list[str] | None = None) -> None:
    """Command-line entry point: `python -m toolkit.sample.generator [--out DIR] [--seed N]`."""
    parser = argparse.ArgumentParser(description="Generate the bundled Nimbus Home sample dataset.")
    parser.add_argument(
        "--out", type=Path, default=SAMPLE_DIR, help="output folder (default: data/sample)"
    )
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="random seed")
    args = parser.parse_args(argv)
    counts = generate_sample(args.out, args.seed)
    for name, count in counts.items():
        print(f"{name:16s} {count:6d}")


if __name__ == "__main__":
    main()
