"""Compose post text: fill the templates of toolkit/sample/resources/ with products, places,
@mentions, links and planted personal data, add optional parts and noise, and keep to a length.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass

from faker import Faker

from toolkit.sample.ids import ALNUM, IdMaker
from toolkit.sample.noise import Noise
from toolkit.sample.people import Account, People
from toolkit.sample.personal_data import PiiMaker
from toolkit.sample.scenario import (
    BRAND_ACCOUNTS,
    BRAND_SITE,
    HELP_URL,
    OFFER_CODE,
    STATUS_URL,
    SUPPORT_TOPICS,
)
from toolkit.sample.segments import Seg, split_literal
from toolkit.sample.text import (
    CLOSERS,
    CUSTOMER_TEMPLATES,
    DETAILS,
    EMOJI,
    OPENERS,
    PII_ENTITY,
    PII_SENTENCES,
    PII_SENTENCES_LOCAL,
    PRODUCTS,
    REAL_CITIES,
    REPLY_OPENERS,
    SPAM_LINKS,
    TOPIC_HASHTAGS,
    TOPIC_PRODUCTS,
    WORDS,
)

_SLOT = re.compile(r"\{(\w+)\}")


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
        The simulation's one random stream.
    fakers : dict of str to Faker
        Seeded Faker instances by locale, for city names and the planted personal data.
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
