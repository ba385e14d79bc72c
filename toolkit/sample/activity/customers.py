"""Customers' own posts: ordinary days with daily and weekly cycles, two small incidents, the
outage burst, campaign chatter, the planted viral posts, and Reddit comments.
"""

from __future__ import annotations

import datetime as dt
import math

from toolkit.sample.compose import Ctx
from toolkit.sample.ids import ALNUM
from toolkit.sample.items import Item
from toolkit.sample.people import Account
from toolkit.sample.scenario import (
    CAMPAIGN_END,
    CAMPAIGN_START,
    OUTAGE_RESOLVED,
    SENTIMENTS,
    SUBREDDITS,
    SUPPORT_TOPICS,
    UTC,
    days,
    in_crisis,
)
from toolkit.sample.segments import Seg
from toolkit.sample.text import (
    CUSTOMER_TEMPLATES,
    FOREIGN_TITLES,
    LATE_CODE_TEMPLATES,
    PEER_REPLIES,
    PLANTED_VIRALS,
    REDDIT_TITLES,
)
from toolkit.sample.timing import HOURLY, WEEKDAY
from toolkit.sample.world import Activity


class CustomerPosts(Activity):
    """Customer posts, submissions and comments."""

    DAILY_ROOTS = {"twitter": 12.4, "reddit": 2.0, "mastodon": 3.0}

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
            topic, sentiment, core = self.world.localized(lang, topic, t)
        sentiment = sentiment or self.world.sentiment_for(topic, t)
        if topic == "glow_up_promo" and core is None:
            core = self.world.promo_core(sentiment, t)
        if core is None and topic == "app_outage" and not in_crisis(t):
            core = rng.choice(
                [c for c in CUSTOMER_TEMPLATES[topic][sentiment] if "outage" not in c]
                or CUSTOMER_TEMPLATES[topic][sentiment]
            )
        ctx = Ctx(platform, topic, lang, author)
        pii = (
            self.world.pii_slots(topic, pii_base, sentiment)
            if lang == "en" or rng.random() < 0.5
            else []
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
        return self.world.add(Item(platform, "post", author, t, segs, lang, topic, sentiment))

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
            return self.world.reddit_submission(
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
            return self.world.reddit_submission(
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
        return self.world.reddit_submission(
            ctx.author, t, title, body, ctx.topic, sentiment, subreddit, flair
        )

    def customer_days(self) -> None:
        """Ordinary days: customer posts with daily/weekly cycles, slow growth and two small incidents."""
        for index, day in enumerate(days()):
            factor = (
                WEEKDAY[day.weekday()] * (1 + 0.12 * index / 89) * self.rng.lognormvariate(0, 0.12)
            )
            for platform, rate in self.DAILY_ROOTS.items():
                for _ in range(self.world.poisson(rate * factor)):
                    t = self.clock.on(day)
                    if t is not None:
                        self.customer_post(platform, t, self.world.topic_for(t))
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
                self.world.sentiment_for("app_outage", t)
                if t >= OUTAGE_RESOLVED
                else self.rng.choices(SENTIMENTS, weights=(0.88, 0.11, 0.01))[0]
            )
            if (
                platform == "reddit"
                and self.world.megathread is not None
                and t > self.world.megathread.created
                and self.rng.random() < 0.75
            ):
                self.comment(self.world.megathread, t, "app_outage", sentiment)
            else:
                self.customer_post(platform, t, "app_outage", sentiment, pii_base=0.04)

    def campaign_posts(self) -> None:
        """Extra campaign chatter: code uptake during the Glow Up and a few late attempts after it."""
        for day in days():
            if CAMPAIGN_START <= day <= CAMPAIGN_END:
                # launch burst that fades, and a last-day rush
                since_start = (day - CAMPAIGN_START).days
                lift = 2.5 + 9 * math.exp(-since_start / 3) + (7 if day == CAMPAIGN_END else 0)
                for _ in range(self.world.poisson(lift)):
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
        """A handful of posts that take off (set `viral`; shares and metrics follow): the
        `PLANTED_VIRALS` of customer_posts.yaml, the Twitter ones by influencers."""
        influencers = [a for a in self.people.customers["twitter"] if a.role == "influencer"]
        on_twitter = [p for p in PLANTED_VIRALS if p["platform"] == "twitter"]
        authors = iter(self.rng.sample(influencers, len(on_twitter)))
        for plan in PLANTED_VIRALS:
            author = next(authors) if plan["platform"] == "twitter" else None
            if author is not None:
                author.lang = "en"
            item = self.customer_post(
                plan["platform"],
                dt.datetime.fromisoformat(plan["time"]).replace(tzinfo=UTC),
                plan["topic"],
                plan["sentiment"],
                core=plan["core"],
                author=author,
                pii_base=0.0,
            )
            if item is not None:
                item.viral = plan["viral"]
                if plan["platform"] == "reddit":  # the viral submission keeps its author
                    item.author.deleted = False

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
            sentiment = self.world.sentiment_for(topic, t)
        if rng.random() < 0.4:
            body = self.text.short(rng.choice(PEER_REPLIES[sentiment]), ctx, sentiment)
        else:
            core = self.world.promo_core(sentiment, t) if topic == "glow_up_promo" else None
            if core is None and topic == "app_outage" and not in_crisis(t):
                core = rng.choice(
                    [c for c in CUSTOMER_TEMPLATES[topic][sentiment] if "outage" not in c]
                    or CUSTOMER_TEMPLATES[topic][sentiment]
                )
            pii = self.world.pii_slots(topic, 0.075, sentiment)
            body = self.text.customer(ctx, sentiment, pii, core=core, limit=900)
        return self.world.add(
            Item("reddit", "comment", author, t, body, "en", topic, sentiment, parent=parent)
        )
