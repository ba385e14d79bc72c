"""Conversations under posts: brand answers, customers' follow-ups (some oversharing after
"DM us"), the brand's second answers, peer replies, replies to brand posts, Reddit comment trees.
"""

from __future__ import annotations

import datetime as dt

from toolkit.sample.activity.customers import CustomerPosts
from toolkit.sample.compose import Ctx
from toolkit.sample.items import Item
from toolkit.sample.people import Account
from toolkit.sample.scenario import (
    OUTAGE_RESOLVED,
    SENTIMENTS,
    SUPPORT_TOPICS,
    in_campaign,
    in_crisis,
)
from toolkit.sample.segments import Seg
from toolkit.sample.text import (
    BRAND_REPLIES_LOCAL,
    BRAND_SECOND_REPLIES,
    BRAND_THANKS,
    FOLLOW_UPS,
    PEER_REPLIES,
    PII_FOLLOW_UPS,
    SUPPORT_REPLIES,
)
from toolkit.sample.world import Activity, World


class Conversations(Activity):
    """Replies and comments under original posts.

    Parameters
    ----------
    world : World
        The simulation's shared state.
    customers : CustomerPosts
        Writes the Reddit comments of a thread.
    """

    def __init__(self, world: World, customers: CustomerPosts):
        super().__init__(world)
        self.customers = customers

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
        for _ in range(self.world.poisson(mean_peers)):
            peer = self.peer_reply(root)
            if peer is not None and rng.random() < 0.2:
                self.peer_reply(peer, author=root.author)

    def reply_prefix(self, parent: Item) -> list[Seg]:
        """The leading @mention of a reply."""
        return [self.text.mention(parent.author), Seg(" ")]

    def reply(
        self,
        parent: Item,
        author: Account,
        t: dt.datetime,
        body: list[Seg],
        language: str,
        sentiment: str,
    ) -> Item | None:
        """Add `body` by `author` as an answer to `parent`, on its platform and about its topic: a
        Reddit comment, elsewhere a reply that starts with an @mention of `parent`'s author."""
        segs = self.reply_prefix(parent) + body if parent.platform != "reddit" else body
        kind = "comment" if parent.platform == "reddit" else "reply"
        return self.world.add(
            Item(
                parent.platform,
                kind,
                author,
                t,
                segs,
                language,
                parent.topic,
                sentiment,
                parent=parent,
            )
        )

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
        return self.reply(parent, account, t, body, parent.language, sentiment)

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
        return self.reply(brand_reply, root.author, t, body, "en", sentiment)

    def brand_second_reply(self, parent: Item, account: Account) -> Item | None:
        """The brand's second answer: privacy warning after overshared data, escalation or thanks."""
        key = "pii" if parent.rendered.pii else parent.sentiment
        t = self.clock.response(parent.platform, parent.created, in_crisis(parent.created))
        body = self.text.fill(
            self.rng.choice(BRAND_SECOND_REPLIES[key]),
            Ctx(parent.platform, parent.topic, brand_post=True),
        )
        sentiment = "positive" if key == "positive" else "neutral"
        return self.reply(parent, account, t, body, "en", sentiment)

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
        pii = self.world.pii_slots(parent.topic, 0.015, sentiment)
        body = self.text.short(rng.choice(PEER_REPLIES[sentiment]), ctx, sentiment, pii)
        t = self.clock.after(parent.created, 80, 1.3)
        return self.reply(parent, author, t, body, "en", sentiment)

    def brand_post_replies(self, post: Item) -> None:
        """Customers answering the brand's own posts (outage updates draw crowds)."""
        rng = self.rng
        means = {"outage": 16.0, "promo": 3.0, "announce": 1.3, "tip": 0.5, "engage": 2.6}
        mean = means.get(post.brand_kind, 1.0) * (1.0 if post.platform == "twitter" else 0.35)
        for _ in range(self.world.poisson(mean)):
            t = self.clock.after(post.created, 45, 1.2)
            topic = post.topic or self.world.topic_for(t)
            if topic == "glow_up_promo" and not in_campaign(t):
                topic = "feature_request"
            sentiment = (
                self.world.sentiment_for(topic, t)
                if post.brand_kind != "engage"
                else rng.choice(("neutral", "positive"))
            )
            if post.brand_kind == "outage" and t < OUTAGE_RESOLVED:
                sentiment = rng.choices(SENTIMENTS, weights=(0.85, 0.13, 0.02))[0]
            author = self.people.pick(post.platform)
            ctx = Ctx(post.platform, topic, "en", author, brand_named=True)
            core = self.world.promo_core(sentiment, t) if topic == "glow_up_promo" else None
            pii = self.world.pii_slots(topic, 0.05, sentiment)
            limit = 280 - len(post.author.username) - 2
            segs = self.reply_prefix(post) + self.text.customer(
                ctx, sentiment, pii, core=core, limit=limit, rich=False
            )
            reply = self.world.add(
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
            count = self.world.poisson(9 if sub.brand_kind == "help_thread" else 5)
        else:
            count = int(rng.lognormvariate(0.75, 0.95)) + (55 if sub.viral else 0)
        comments: list[Item] = []
        for _ in range(count):
            parent = sub if not comments or rng.random() < 0.55 else rng.choice(comments)
            topic = sub.topic or self.world.topic_for(sub.created)
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
            comment = self.customers.comment(parent, t, topic, None, author=author)
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
