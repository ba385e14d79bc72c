"""Reddit writer: `t3` submissions and `t1` comments as the Reddit API returns them, one thing per
line (reddit.jsonl), with the planted truncated and repeated lines.
"""

from __future__ import annotations

import re
from pathlib import Path

from toolkit.sample.items import Item
from toolkit.sample.platforms.output import dumps, escape_api, write_text
from toolkit.sample.scenario import SUBREDDITS


def reddit_slug(title: str) -> str:
    """The title slug Reddit puts in permalinks."""
    slug = re.sub(r"[^a-z0-9]+", "_", title.lower()).strip("_")
    return slug[:50].rstrip("_") or "post"


def reddit_thing(item: Item) -> dict:
    """A Reddit `t3` (submission) or `t1` (comment) thing as the API returns it."""
    sub = item.root
    permalink = f"/r/{sub.subreddit}/comments/{sub.post_id}/{reddit_slug(sub.title)}/"
    author: dict = (
        {"author": "[deleted]"}
        if item.author.deleted
        else {"author": item.author.username, "author_fullname": item.author.fullname}
    )
    moderator = (
        item.is_brand
        and sub.subreddit == "NimbusHome"
        and (item.kind == "post" or int(item.post_id, 36) % 5 < 3)
    )
    common = {"subreddit": sub.subreddit, "subreddit_id": SUBREDDITS[sub.subreddit]}
    m = item.metrics
    if item.kind == "post":
        selftext = item.text[len(item.title) + 2 :] if len(item.text) > len(item.title) else ""
        data = {
            "id": item.post_id,
            "name": f"t3_{item.post_id}",
            **author,
            "title": escape_api(item.title),
            "selftext": escape_api(selftext),
            **common,
            "subreddit_name_prefixed": f"r/{sub.subreddit}",
            "created_utc": float(int(item.created.timestamp())),
            "score": m["score"],
            "ups": m["score"],
            "upvote_ratio": m["upvote_ratio"],
            "num_comments": m["num_comments"],
            "permalink": permalink,
            "url": item.link_url or f"https://www.reddit.com{permalink}",
            "is_self": not item.link_url,
            "link_flair_text": item.flair,
            "over_18": False,
            "distinguished": "moderator" if moderator else None,
        }
        return {"kind": "t3", "data": data}
    parent_name = ("t3_" if item.parent.kind == "post" else "t1_") + item.parent.post_id
    data = {
        "id": item.post_id,
        "name": f"t1_{item.post_id}",
        **author,
        "body": escape_api(item.text),
        "parent_id": parent_name,
        "link_id": f"t3_{sub.post_id}",
        "subreddit": sub.subreddit,
        "created_utc": float(int(item.created.timestamp())),
        "score": m["score"],
        "ups": m["score"],
        "permalink": f"{permalink}{item.post_id}/",
        "controversiality": m["controversiality"],
        "distinguished": "moderator" if moderator else None,
        "is_submitter": item.author is sub.author and not item.author.deleted,
    }
    return {"kind": "t1", "data": data}


def write_reddit(items: list[Item], out_dir: Path) -> list[Item]:
    """Write reddit.jsonl, oldest first; return the things written (each once).

    `items` may hold every platform's items; the others are skipped.
    """
    reddit = sorted(
        (i for i in items if i.platform == "reddit"), key=lambda i: (i.created, i.post_id)
    )
    lines = []
    for item in reddit:
        line = dumps(reddit_thing(item))
        if item.flaw:
            line = line[: int(len(line) * 0.6)]
        lines.append(line)
        if item.duplicate:
            lines.append(line)
    write_text(out_dir / "reddit.jsonl", "".join(line + "\n" for line in lines))
    return reddit
