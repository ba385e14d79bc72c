"""The sample's planted imperfections: the few rows written broken or twice, as real exports have
them (each is labelled in labels.jsonl and listed in data/sample/README.md).
"""

from __future__ import annotations

from toolkit.sample.items import Item
from toolkit.sample.scenario import in_crisis
from toolkit.sample.world import Activity


class Flaws(Activity):
    """Marks broken and duplicated rows."""

    def plant_flaws(self) -> None:
        """Mark the few rows that are written broken or twice (see data/sample/README.md)."""
        rng = self.rng
        has_children = {id(i.parent) for i in self.world.items if i.parent is not None} | {
            id(i.ref) for i in self.world.items if i.ref is not None
        }

        def leaf(platform: str, kind: str) -> Item:
            """A random item nobody replied to, shared or quoted."""
            pool = [
                i
                for i in self.world.items
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
            [i for i in self.world.items if i.platform == "facebook" and i.brand_kind != "outage"]
        ).flaw = "Post Created is not a date (#VALUE!)"
        leaf("reddit", "comment").duplicate = "same comment written on two consecutive lines"
        leaf(
            "mastodon", "post"
        ).duplicate = "same status returned by two overlapping timeline pages"
