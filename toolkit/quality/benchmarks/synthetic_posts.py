"""Synthetic canonical posts for the metrics benchmark: `generate_posts`.

A vectorised numpy/pyarrow generator that writes canonical posts to Parquet in chunks: brand
posts, customer posts, customer replies to brand posts, brand replies with a lognormal delay,
customer follow-ups, peer replies, shares; skewed authors, lognormal followers, impressions
where the platform gives them; a crisis day and the config's campaigns. The same seed and
size give the same file.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from toolkit.core.config import Config
from toolkit.core.schema import ARROW_SCHEMA

PLATFORMS = np.array(["twitter", "reddit", "mastodon", "facebook", "instagram"])
PLATFORM_WEIGHTS = np.array([0.5, 0.18, 0.14, 0.09, 0.09])
#: Share of rows per kind of post.
KINDS = {
    "brand_post": 0.02,
    "customer_post": 0.36,
    "reply_to_brand": 0.22,
    "brand_reply": 0.12,
    "follow_up": 0.05,
    "peer_reply": 0.16,
    "share": 0.07,
}
BODIES = [
    "the app keeps crashing since the update",
    "still waiting for my refund, order cancelled twice",
    "love the new bulbs, setup took two minutes",
    "hub offline again, anyone else?",
    "how do I reset the hub to factory settings",
    "great support today, thanks",
    "delivery late and no reply from support",
    "the colours are amazing in the living room",
    "down again. this is the third time this week",
    "does it work with my voice assistant?",
    "switched from a competitor and no regrets",
    "battery drains fast on the sensor",
]
BRAND_BODIES = [
    "New colours are here, light up your evenings",
    "Tip: group your lights into rooms for one-tap scenes",
    "We are looking into reports of app issues and will update soon",
    "Thanks for being part of our community",
]
REPLY_BODIES = [
    "sorry to hear that, please DM us your order number",
    "thanks for the kind words!",
    "we are on it, a fix is rolling out today",
    "try restarting the hub, that should clear it",
]


# ------------------------------------------------------------------ generator
class _Gen:
    """State of one generation: the random generator, config terms and time range."""

    def __init__(self, config: Config, n_rows: int, seed: int):
        self.rng = np.random.default_rng(seed)
        self.n_rows = n_rows
        start = config.period.start or dt.date(2026, 9, 1)
        end = config.period.end or start + dt.timedelta(days=89)
        self.t0 = int(pd.Timestamp(start, tz="UTC").value // 1000)
        self.span = (
            int((pd.Timestamp(end, tz="UTC") + pd.Timedelta(days=1)).value // 1000) - self.t0
        )
        self.crisis = self.t0 + int(0.48 * self.span)
        self.handles = {
            p: (config.brand.accounts.get(p) or [config.brand.name])[0] for p in PLATFORMS
        }
        self.competitors = [
            terms[0] if terms else name for name, terms in config.competitors.items()
        ]
        campaign = config.campaigns[0] if config.campaigns else None
        self.campaign_tags = list(campaign.hashtags) if campaign else []
        self.campaign_codes = list(campaign.offer_codes) if campaign else []
        self.campaign_window = (
            (
                int(pd.Timestamp(campaign.start, tz="UTC").value // 1000),
                int((pd.Timestamp(campaign.end, tz="UTC") + pd.Timedelta(days=1)).value // 1000),
            )
            if campaign
            else None
        )
        self.brand_name = config.brand.name
        n_customers = max(10, n_rows // 8)
        self.customers = pa.array(
            [f"u_{i:016x}" for i in self.rng.permutation(n_customers) * 7919 + 17]
        )
        self.next_id = 10**15

    def ids(self, n: int) -> np.ndarray:
        out = np.arange(self.next_id, self.next_id + n, dtype="int64")
        self.next_id += n
        return out

    def times(self, n: int, crisis_share: float = 0.0) -> np.ndarray:
        """Uniform days, daytime-peaked hours (US Central), a share on the crisis day."""
        days = self.rng.integers(0, self.span // 86_400_000_000, n)
        hours = (self.rng.normal(16, 4.5, n) % 24) * 3_600_000_000
        t = self.t0 + days * 86_400_000_000 + hours.astype("int64")
        crisis = self.rng.random(n) < crisis_share
        t[crisis] = self.crisis + self.rng.integers(0, 30 * 3_600_000_000, crisis.sum())
        return t

    def authors(self, n: int) -> np.ndarray:
        """Customer indices, skewed: a few customers post a lot, most post once or twice."""
        return (len(self.customers) * self.rng.random(n) ** 3).astype("int64")

    def counts(self, platform: np.ndarray, scale: np.ndarray) -> dict[str, np.ndarray]:
        """likes, shares, replies, quotes (nulls where the platform has no such count)."""
        lam = scale * self.rng.lognormal(0, 1, len(platform))
        likes = self.rng.poisson(lam)
        shares = self.rng.poisson(lam * 0.15)
        replies = self.rng.poisson(lam * 0.1)
        quotes = self.rng.poisson(lam * 0.02)
        return {
            "likes": likes,
            "shares": np.where(np.isin(platform, ["reddit", "instagram"]), -1, shares),
            "replies": replies,
            "quotes": np.where(platform == "twitter", quotes, -1),
        }


def _int_array(values: np.ndarray) -> pa.Array:
    """int64 Arrow array with -1 meaning null."""
    return pa.array(values, type=pa.int64(), mask=values < 0)


def _lists(rows: list[list[str]], index: np.ndarray) -> pa.Array:
    return pa.array(rows, type=pa.list_(pa.string())).take(pa.array(index))


def _single_lists(values: pa.Array) -> pa.Array:
    offsets = pa.array(np.arange(len(values) + 1, dtype="int32"))
    return pa.ListArray.from_arrays(offsets, values.cast(pa.string()))


def _segment(g: _Gen, kind: str, n: int, ctx: dict) -> tuple[pa.Table, dict]:
    """One kind of post as an Arrow table, and what later kinds need to refer to it."""
    rng = g.rng
    ids = g.ids(n)
    null_str = pa.nulls(n, pa.string())
    empty_lists = _lists([[]], np.zeros(n, dtype="int64"))
    if kind == "brand_post":
        platform = rng.choice(PLATFORMS, n, p=PLATFORM_WEIGHTS)
        created = g.times(n)
        in_campaign = _in_window(g, created)
        tag_choice = np.where(in_campaign & (rng.random(n) < 0.5), 1, 0)
        tags = _lists([[], [t.lstrip("#").lower() for t in g.campaign_tags]], tag_choice)
        extra = np.where(
            tag_choice == 1,
            " " + " ".join(["#" + t.lstrip("#") for t in g.campaign_tags] + g.campaign_codes),
            "",
        )
        text = pc.binary_join_element_wise(
            pa.array(BRAND_BODIES).take(pa.array(rng.integers(0, len(BRAND_BODIES), n))),
            pa.array(extra),
            "",
        )
        authors = pa.array([g.handles[p] for p in PLATFORMS]).take(
            pa.array(_platform_index(platform))
        )
        followers = np.where(
            platform == "reddit", -1, (150_000 * rng.uniform(0.9, 1.1, n)).astype("int64")
        )
        table = _table(
            g,
            ids,
            "post",
            null_str,
            null_str,
            pa.array(ids).cast(pa.string()),
            created,
            authors,
            True,
            text,
            platform,
            g.counts(platform, np.full(n, 60.0)),
            followers,
            tags,
            empty_lists,
        )
        ctx["brand_posts"] = {
            "id": ids,
            "platform": platform,
            "created": created,
            "author": authors,
        }
    elif kind in ("customer_post", "share"):
        platform = rng.choice(PLATFORMS[:3], n, p=[0.6, 0.22, 0.18])
        created = g.times(n, crisis_share=0.02 if kind == "customer_post" else 0.0)
        who = g.authors(n)
        prefixes = ["", "@" + g.handles["twitter"], g.brand_name, *g.competitors]
        prefix_p = np.array(
            [0.35, 0.35, 0.2] + [0.1 / max(1, len(g.competitors))] * len(g.competitors)
        )
        prefix = rng.choice(len(prefixes), n, p=prefix_p / prefix_p.sum())
        suffixes = [
            "",
            "#smarthome",
            *[f"#{t.lstrip('#')}" for t in g.campaign_tags],
            *g.campaign_codes,
        ]
        suffix = np.where(
            _in_window(g, created) & (rng.random(n) < 0.2),
            rng.integers(2, max(3, len(suffixes)), n) % len(suffixes),
            (rng.random(n) < 0.1).astype("int64"),
        )
        text = pc.binary_join_element_wise(
            pa.array(prefixes).take(pa.array(prefix)),
            pa.array(BODIES).take(pa.array(rng.integers(0, len(BODIES), n))),
            pa.array(suffixes).take(pa.array(suffix)),
            " ",
        )
        tag_rows = [[s.lstrip("#").lower()] if s.startswith("#") else [] for s in suffixes]
        mention_rows = [[g.handles["twitter"]] if i == 1 else [] for i in range(len(prefixes))]
        post_type = "share" if kind == "share" else "post"
        followers = np.where(platform == "reddit", -1, rng.lognormal(5.5, 1.6, n).astype("int64"))
        table = _table(
            g,
            ids,
            post_type,
            null_str,
            null_str,
            pa.array(ids).cast(pa.string()),
            created,
            g.customers.take(pa.array(who)),
            False,
            text,
            platform,
            g.counts(platform, np.full(n, 2.0)),
            followers,
            _lists(tag_rows, suffix),
            _lists(mention_rows, prefix),
        )
        if kind == "customer_post":
            ctx["customer_posts"] = {
                "id": ids,
                "platform": platform,
                "created": created,
                "who": who,
                "thread": ids,
            }
    else:
        table = _reply_segment(g, kind, n, ids, ctx)
    return table, ctx


def _platform_index(platform: np.ndarray) -> np.ndarray:
    """Position of each platform name in PLATFORMS."""
    order = np.argsort(PLATFORMS)
    return order[np.searchsorted(PLATFORMS[order], platform)]


def _in_window(g: _Gen, created: np.ndarray) -> np.ndarray:
    if g.campaign_window is None:
        return np.zeros(len(created), dtype=bool)
    return (created >= g.campaign_window[0]) & (created < g.campaign_window[1])


def _reply_segment(g: _Gen, kind: str, n: int, ids: np.ndarray, ctx: dict) -> pa.Table:
    """Replies: to brand posts, brand replies to customers, follow-ups, peer replies.

    Each reply picks a parent (see REPLY_PARENTS) and comes a random delay after it.
    """
    rng = g.rng
    hours = 3_600_000_000
    parents = REPLY_PARENTS[kind](ctx)
    pick = rng.integers(0, len(parents["id"]), n)
    platform = parents["platform"][pick]
    is_brand = kind == "brand_reply"
    if kind == "reply_to_brand":
        delay = rng.exponential(3, n) * hours
        who = g.authors(n)
    elif kind == "brand_reply":
        delay = rng.lognormal(0.5, 1.4, n) * hours
        delay[rng.random(n) < 0.002] *= -0.05  # a few clock-skewed replies
        who = parents["who"][pick]
    elif kind == "follow_up":
        delay = rng.exponential(2, n) * hours
        who = parents["who"][pick]
    else:  # peer_reply
        delay = rng.exponential(5, n) * hours
        who = g.authors(n)
    created = parents["created"][pick] + delay.astype("int64")
    if is_brand:
        authors = pa.array([g.handles[p] for p in PLATFORMS]).take(
            pa.array(_platform_index(platform))
        )
    else:
        authors = g.customers.take(pa.array(who))
    if "author" in parents:  # a brand post or brand reply: answered to the brand's account
        reply_to_author = parents["author"].take(pa.array(pick))
    else:  # a customer's post or reply
        reply_to_author = g.customers.take(pa.array(parents["who"][pick]))
    thread = parents["thread" if "thread" in parents else "id"][pick]  # brand posts start one
    mentions = _single_lists(reply_to_author)
    replies = {"id": ids, "platform": platform, "created": created, "who": who, "thread": thread}
    if kind == "reply_to_brand":
        ctx["replies_to_brand"] = replies
    elif kind == "brand_reply":
        ctx["brand_replies"] = {**replies, "author": authors}
    body = REPLY_BODIES if is_brand else BODIES
    text = pa.array(body).take(pa.array(rng.integers(0, len(body), n)))
    reply_to = pa.array(parents["id"][pick]).cast(pa.string())
    post_type = "reply"  # "comment" on Reddit, see _table
    followers = np.where(
        platform == "reddit",
        -1,
        (150_000 if is_brand else 1)
        * rng.lognormal(0 if is_brand else 5.5, 0.05 if is_brand else 1.6, n),
    )
    return _table(
        g,
        ids,
        post_type,
        reply_to,
        reply_to_author,
        pa.array(thread).cast(pa.string()),
        created,
        authors,
        is_brand,
        text,
        platform,
        g.counts(platform, np.full(n, 1.5)),
        followers.astype("int64"),
        _lists([[]], np.zeros(n, dtype="int64")),
        mentions,
    )


#: The posts each kind of reply answers, from what the earlier segments left in `ctx`.
REPLY_PARENTS = {
    "reply_to_brand": lambda ctx: ctx["brand_posts"],
    "brand_reply": lambda ctx: _concat_parents(ctx["customer_posts"], ctx["replies_to_brand"]),
    "follow_up": lambda ctx: ctx["brand_replies"],
    "peer_reply": lambda ctx: ctx["customer_posts"],
}


def _concat_parents(*groups: dict) -> dict:
    return {
        k: np.concatenate([grp[k] for grp in groups])
        for k in ("id", "platform", "created", "who", "thread")
    }


def _table(
    g,
    ids,
    post_type,
    reply_to,
    reply_to_author,
    thread,
    created,
    authors,
    is_brand,
    text,
    platform,
    counts,
    followers,
    hashtags,
    mentions,
) -> pa.Table:
    n = len(ids)
    views = np.where(
        platform == "twitter",
        (np.maximum(followers, 50) * g.rng.uniform(0.05, 0.6, n)),
        np.where(
            np.isin(platform, ["facebook", "instagram"]) & (g.rng.random(n) < 0.2),
            np.maximum(followers, 50) * g.rng.uniform(0.1, 1.0, n),
            -1,
        ),
    ).astype("int64")
    post_types = (
        np.where(platform == "reddit", "comment", post_type)
        if post_type == "reply"
        else np.full(n, post_type)
    )
    columns = {
        "platform": pa.array(platform),
        "post_id": pa.array(ids).cast(pa.string()),
        "post_type": pa.array(post_types),
        "reply_to_id": reply_to,
        "reply_to_author": reply_to_author,
        "thread_id": thread,
        "created_at": pa.array(created, type=pa.timestamp("us", tz="UTC")),
        "author": authors,
        "is_brand": pa.array(np.full(n, is_brand)),
        "text": text,
        "language": pa.array(np.full(n, "en")),
        **{k: _int_array(v) for k, v in counts.items()},
        "views": _int_array(views),
        "author_followers": _int_array(followers),
        "hashtags": hashtags,
        "mentions": mentions,
        "urls": _lists([[]], np.zeros(n, dtype="int64")),
        "source_file": pa.array(np.full(n, "synthetic.parquet")),
        "source_line": pa.array(ids - ids.min() + 1),
    }
    return pa.Table.from_arrays(
        [columns[f.name].cast(f.type) for f in ARROW_SCHEMA], schema=ARROW_SCHEMA
    )


def generate_posts(
    config: Config, n_rows: int, path: Path, seed: int = 42, chunk: int = 2_000_000
) -> Path:
    """Write about `n_rows` synthetic canonical posts to the Parquet file `path`.

    Parameters
    ----------
    config : Config
        Brand handles, name, competitors, campaign and period to draw from.
    n_rows : int
        Total rows (split over the kinds of `KINDS`).
    path : Path
        Output Parquet file.
    seed : int
        Random seed (same seed and size, same file content).
    chunk : int
        Rows per written slice (bounds the memory of one write).
    """
    g = _Gen(config, n_rows, seed)
    ctx: dict = {}
    sizes = {k: max(1, int(round(share * n_rows))) for k, share in KINDS.items()}
    order = [
        "brand_post",
        "customer_post",
        "reply_to_brand",
        "brand_reply",
        "follow_up",
        "peer_reply",
        "share",
    ]
    with pq.ParquetWriter(path, ARROW_SCHEMA, compression="zstd") as writer:
        for kind in order:
            table, ctx = _segment(g, kind, sizes[kind], ctx)
            for start in range(0, table.num_rows, chunk):
                writer.write_table(table.slice(start, chunk), row_group_size=min(chunk, 1_000_000))
            del table
    return path
