"""Spam: crypto, follower selling and fake giveaways aimed at the brand's handles (about 2%)."""

from __future__ import annotations

import datetime as dt

from toolkit.sample.compose import Ctx
from toolkit.sample.items import Item
from toolkit.sample.scenario import FIRST_DAY
from toolkit.sample.segments import Seg
from toolkit.sample.text import SPAM_TEMPLATES
from toolkit.sample.world import Activity


class SpamPosts(Activity):
    """Spam posts, replies and comments."""

    def spam_posts(self) -> None:
        """About 2% spam: crypto, follower selling, fake giveaways, aimed at the brand's handles."""
        brand_tweets = [
            i
            for i in self.world.items
            if i.platform == "twitter" and i.is_brand and i.kind == "post"
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
                    subs = [
                        i for i in self.world.items if i.platform == "reddit" and i.kind == "post"
                    ]
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
                self.world.add(
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
