"""The simulation of the sample: the order in which its activities run on one shared `World`
(the order matters: every random draw comes from one seeded stream).
"""

from __future__ import annotations

from toolkit.sample.activity.brand import BrandPosts
from toolkit.sample.activity.conversations import Conversations
from toolkit.sample.activity.customers import CustomerPosts
from toolkit.sample.activity.flaws import Flaws
from toolkit.sample.activity.sharing import Sharing
from toolkit.sample.activity.spam import SpamPosts
from toolkit.sample.engagement import assign_metrics
from toolkit.sample.items import Item
from toolkit.sample.world import World


class Simulation:
    """Build every item of the sample: brand calendar, customer posts, threads, shares, metrics.

    Parameters
    ----------
    seed : int
        The one seed everything derives from.
    """

    def __init__(self, seed: int):
        self.world = World(seed)
        self.brand = BrandPosts(self.world)
        self.customers = CustomerPosts(self.world)
        self.conversations = Conversations(self.world, self.customers)
        self.spam = SpamPosts(self.world)
        self.sharing = Sharing(self.world)
        self.flaws = Flaws(self.world)

    def run(self) -> list[Item]:
        """Generate all items, in creation order."""
        world = self.world
        self.brand.brand_calendar()
        self.brand.outage_updates()
        self.customers.customer_days()
        self.customers.crisis_posts()
        self.customers.campaign_posts()
        self.customers.planted_virals()
        for item in list(world.items):
            self.conversations.conversation(item)
        self.spam.spam_posts()
        self.sharing.shares()
        self.sharing.quotes()
        assign_metrics(world.items, world.rng)
        self.flaws.plant_flaws()
        return world.items
