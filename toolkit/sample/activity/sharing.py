"""Shares and quotes: retweets and boosts of brand posts and popular customer posts, and quote
tweets commenting on outage updates, promos and viral posts.
"""

from __future__ import annotations

from toolkit.sample.compose import Ctx
from toolkit.sample.items import Item
from toolkit.sample.scenario import TOPICS
from toolkit.sample.segments import Seg, truncate_segs
from toolkit.sample.text import QUOTE_TEMPLATES
from toolkit.sample.world import Activity


class Sharing(Activity):
    """Retweets, boosts and quote tweets."""

    def shares(self) -> None:
        """Retweets on Twitter and boosts on Mastodon, of brand posts and popular customer posts."""
        rng = self.rng
        means = {"promo": 4.0, "outage": 3.0, "announce": 2.4, "tip": 1.1, "engage": 0.9}
        for item in list(self.world.items):
            if item.platform not in ("twitter", "mastodon") or item.kind != "post" or item.is_spam:
                continue
            if item.is_brand:
                count = self.world.poisson(
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
        return self.world.add(
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
            for i in self.world.items
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
            self.world.add(
                Item("twitter", "quote", author, t, segs, "en", topic, sentiment, ref=target)
            )
