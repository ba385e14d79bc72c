"""One generated post, reply, comment, share or quote, before a platform writer puts it in its
export format.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from toolkit.sample.people import Account
from toolkit.sample.segments import Rendered, Seg, render


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
