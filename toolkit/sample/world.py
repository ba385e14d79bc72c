"""The shared state of one simulation run (`World`): random sources, accounts, text composer,
clock and the items made so far, with the small draws every activity needs (sentiment, topic,
oversharing) and `add`, which gives an item its platform id.
"""

from __future__ import annotations

import datetime as dt
import random

import numpy as np
from faker import Faker

from toolkit.sample.compose import TextMaker
from toolkit.sample.ids import IdMaker
from toolkit.sample.items import Item
from toolkit.sample.people import Account, People
from toolkit.sample.scenario import (
    CAMPAIGN_END,
    CAMPAIGN_START,
    OUTAGE_RESOLVED,
    SENTIMENT_MIX,
    SENTIMENTS,
    TOPIC_WEIGHTS,
    in_campaign,
    in_period,
    local_date,
)
from toolkit.sample.segments import Seg
from toolkit.sample.text import CUSTOMER_TEMPLATES, LATE_CODE_TEMPLATES, LOCALIZED_TEMPLATES
from toolkit.sample.timing import Clock


def make_fakers(seed: int) -> dict[str, Faker]:
    """One seeded Faker per locale (instance seeds only, never the global one)."""
    fakers = {}
    for i, locale in enumerate(("en_US", "en_GB", "de_DE", "fr_FR", "es_ES")):
        fake = Faker(locale)
        fake.seed_instance(seed + i)
        fakers[locale] = fake
    return fakers


class World:
    """What every part of the simulation shares: the random sources, the people, the text
    composer, the clock, and the items made so far (in creation order).

    Parameters
    ----------
    seed : int
        The one seed everything derives from.
    """

    def __init__(self, seed: int):
        self.rng = random.Random(seed)
        self.np = np.random.default_rng(seed)
        self.fakers = make_fakers(seed)
        self.ids = IdMaker(self.rng)
        self.people = People(self.rng, self.fakers, self.ids)
        self.text = TextMaker(self.rng, self.fakers, self.people, self.ids)
        self.clock = Clock(self.rng)
        self.items: list[Item] = []
        self.megathread: Item | None = None  # the outage's Reddit thread, once posted
        self.replies: dict[int, list[Item]] = {}

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


class Activity:
    """One concern of the simulation (brand posts, conversations, ...), working on a shared `World`.

    Parameters
    ----------
    world : World
        The simulation's shared state; `rng`, `clock`, `people`, `text` and `ids` are its.
    """

    def __init__(self, world: World):
        self.world = world
        self.rng, self.clock, self.ids = world.rng, world.clock, world.ids
        self.people, self.text = world.people, world.text
