"""Twitter/X writer: API v2 search pages as twarc2 saves them (twitter.jsonl), with the users and
referenced tweets of each page under `includes`.
"""

from __future__ import annotations

import datetime as dt
import random
import re
from pathlib import Path
from urllib.parse import urlencode

from toolkit.sample.ids import B36
from toolkit.sample.items import Item
from toolkit.sample.people import Account
from toolkit.sample.platforms.output import dumps, escape_api, write_text
from toolkit.sample.scenario import COLLECTED_AT, UTC


def twitter_time(t: dt.datetime) -> str:
    """Twitter's timestamp format: 2026-09-01T12:34:56.000Z."""
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def display_url(url: str) -> str:
    """Twitter's shortened display form of a URL."""
    short = re.sub(r"^https?://(www\.)?", "", url)
    return short if len(short) <= 26 else short[:25] + "…"


def twitter_user(acc: Account) -> dict:
    """One `includes.users` entry."""
    return {
        "id": acc.id,
        "username": acc.username,
        "name": acc.name,
        "created_at": twitter_time(acc.created),
        "description": acc.description,
        "verified": acc.verified,
        "public_metrics": {
            "followers_count": acc.followers,
            "following_count": acc.following,
            "tweet_count": acc.statuses,
            "listed_count": acc.followers // 120,
        },
    }


def tweet(item: Item) -> dict:
    """One tweet object as the v2 API returns it (entity offsets index the unescaped text)."""
    r = item.rendered
    data: dict = {"id": item.post_id, "text": escape_api(r.text), "author_id": item.author.id}
    if item.flaw != "tweet without created_at":
        data["created_at"] = twitter_time(item.created)
    data["conversation_id"] = item.root.post_id if item.kind == "reply" else item.post_id
    if item.kind == "reply":
        data["in_reply_to_user_id"] = item.parent.author.id
    ref_type = {"reply": "replied_to", "quote": "quoted", "share": "retweeted"}.get(item.kind)
    if ref_type:
        data["referenced_tweets"] = [{"type": ref_type, "id": (item.parent or item.ref).post_id}]
    data["lang"] = item.language
    m = item.metrics
    data["public_metrics"] = {
        k: m.get(k, 0)
        for k in (
            "retweet_count",
            "reply_count",
            "like_count",
            "quote_count",
            "bookmark_count",
            "impression_count",
        )
    }
    entities: dict = {}
    if r.hashtags:
        entities["hashtags"] = [{"start": s, "end": e, "tag": tag} for s, e, tag in r.hashtags]
    if r.mentions:
        entities["mentions"] = [
            {"start": s, "end": e, "username": a.username, "id": a.id} for s, e, a in r.mentions
        ]
    if r.urls:
        entities["urls"] = [
            {"start": s, "end": e, "url": u, "expanded_url": x, "display_url": display_url(x)}
            for s, e, u, x in r.urls
        ]
    if entities:
        data["entities"] = entities
    data["edit_history_tweet_ids"] = [item.post_id]
    return data


TWARC_QUERY = {
    "expansions": "author_id,in_reply_to_user_id,referenced_tweets.id,referenced_tweets.id.author_id,entities.mentions.username",
    "tweet.fields": "author_id,conversation_id,created_at,entities,id,in_reply_to_user_id,lang,public_metrics,referenced_tweets,text,edit_history_tweet_ids",
    "user.fields": "created_at,description,id,name,public_metrics,username,verified",
    "query": '(@NimbusHome OR @NimbusSupport OR "Nimbus Home" OR nimbus OR #NimbusGlowUp OR GLOW25)',
    "start_time": "2026-09-01T00:00:00Z",
    "end_time": "2026-11-30T00:00:00Z",
    "max_results": "100",
}


def twitter_pages(items: list[Item], rng: random.Random, page_size: int = 100) -> list[dict]:
    """twarc2 response pages, newest first; two tweets repeat at a page boundary (pagination overlap)."""
    tweets = sorted(
        (i for i in items if i.platform == "twitter"),
        key=lambda i: (i.created, int(i.post_id)),
        reverse=True,
    )
    chunks = [tweets[k : k + page_size] for k in range(0, len(tweets), page_size)]
    for k in (len(chunks) // 4, (2 * len(chunks)) // 3):
        if k + 1 < len(chunks):
            repeated = chunks[k][-1]
            repeated.duplicate = f"same tweet in twarc2 pages {k + 1} and {k + 2}"
            chunks[k + 1] = [repeated] + chunks[k + 1]
    pages, token = [], None
    for n, chunk in enumerate(chunks):
        query = dict(TWARC_QUERY, **({"next_token": token} if token else {}))
        token = "".join(rng.choice(B36) for _ in range(44)) if n + 1 < len(chunks) else None
        meta = {
            "newest_id": chunk[0].post_id,
            "oldest_id": chunk[-1].post_id,
            "result_count": len(chunk),
        }
        if token:
            meta["next_token"] = token
        pages.append(
            {
                "data": [tweet(i) for i in chunk],
                "includes": page_includes(chunk),
                "meta": meta,
                "__twarc": {
                    "url": "https://api.twitter.com/2/tweets/search/all?" + urlencode(query),
                    "version": "2.14.0",
                    "retrieved_at": (COLLECTED_AT + dt.timedelta(seconds=3 * n)).isoformat(),
                },
            }
        )
    return pages


def page_includes(chunk: list[Item]) -> dict:
    """`includes` of a twarc2 page: users seen in it and the tweets it references."""
    users: dict[str, Account] = {}
    referenced: dict[str, Item] = {}
    for item in chunk:
        users.setdefault(item.author.id, item.author)
        for _, _, acc in item.rendered.mentions:
            users.setdefault(acc.id, acc)
        target = item.parent or item.ref
        if target is not None:
            referenced.setdefault(target.post_id, target)
            users.setdefault(target.author.id, target.author)
    return {
        "users": [twitter_user(a) for a in users.values()],
        "tweets": [tweet(i) for i in referenced.values()],
    }


def write_twitter(items: list[Item], out_dir: Path, rng: random.Random) -> list[Item]:
    """Write twitter.jsonl (twarc2 pages); return the tweets written, newest first, each once.

    `items` may hold every platform's items; the others are skipped. `rng` draws the pages'
    next tokens.
    """
    labels: list[Item] = []
    pages = twitter_pages(items, rng)
    seen: set[str] = set()
    lines = []
    for page in pages:
        lines.append(dumps(page))
    twitter_order = [
        i
        for i in sorted(
            (i for i in items if i.platform == "twitter"),
            key=lambda i: (i.created, int(i.post_id)),
            reverse=True,
        )
    ]
    for item in twitter_order:
        if item.post_id not in seen:
            seen.add(item.post_id)
            labels.append(item)
    write_text(out_dir / "twitter.jsonl", "".join(line + "\n" for line in lines))
    return labels
