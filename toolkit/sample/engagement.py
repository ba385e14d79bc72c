"""Engagement: heavy-tailed likes, shares, scores and views per platform, consistent with the
replies, shares and quotes present in the sample.
"""

from __future__ import annotations

import math
import random

from toolkit.sample.items import Item
from toolkit.sample.scenario import in_crisis


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


def draw_likes(item: Item, rng: random.Random, customer_mu: float) -> int:
    """Likes (favourites) of one item: heavy-tailed, more for brand posts, followers and virals.

    Parameters
    ----------
    item : Item
        The item.
    rng : random.Random
        Source of randomness.
    customer_mu : float
        Log-scale base of a customer post's likes on this platform.
    """
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
    likes = draw_likes(item, rng, -1.0)
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
        draw_likes(item, rng, -0.9)
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
