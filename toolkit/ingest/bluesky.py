"""Bluesky post views (`app.bsky.feed.defs#postView`) as the AppView API returns them.

Accepted, one JSON document per line or one document per file: `getAuthorFeed` / timeline
responses `{"feed": [{"post": postView, "reply": ..., "reason": ...}], "cursor"}`,
`searchPosts` responses `{"posts": [postView, ...]}`, single feed items, or bare post views.
Every post view (and every feed item) is one item.

Field mapping to the canonical columns:

- post_id: `uri` (the full `at://did/app.bsky.feed.post/rkey`; the rkey alone is only unique
  per account); thread_id: `record.reply.root.uri`, else the post's own uri
- post_type: `reply` when `record.reply.parent.uri` is set (that uri is `reply_to_id`),
  `quote` when `record.embed` embeds a record, `share` for a feed item whose `reason` is
  `#reasonRepost`, else `post`
- created_at: `record.createdAt` (a repost: `reason.indexedAt`); author: `author.handle`
  (a repost: `reason.by.handle`), pseudonymised unless a brand handle
- reply_to_author: the feed item's `reply.parent.author.handle` when present
- text: `record.text`; language: first of `record.langs`
- likes / shares / replies / quotes: `likeCount` / `repostCount` / `replyCount` / `quoteCount`
  (null for a repost: those counts belong to the original); views: null;
  author_followers: `author.followersCount` when the view carries it
- hashtags / urls: `#tag` and `#link` facets (plus an external embed's uri), else from the text;
  mentions: @handles in the text

A repost has no uri of its own in older responses: its post_id is then
`repost:<reposter did>:<post uri>`.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path

from toolkit.ingest.base import Collector, RowError, require, require_object, row_timestamp
from toolkit.ingest.identities import Identities
from toolkit.ingest.readers import read_json_entries
from toolkit.ingest.textnorm import (
    extract_hashtags,
    extract_mentions,
    extract_urls,
    normalise_text,
    unique,
)
from toolkit.ingest.values import dicts, str_or_none, to_int

PLATFORM = "bluesky"
_REPOST = "app.bsky.feed.defs#reasonRepost"
_RECORD_EMBEDS = ("app.bsky.embed.record", "app.bsky.embed.recordWithMedia")


def is_post_view(item: object) -> bool:
    """True for a post view or a feed item wrapping one (an `at://` uri plus a record)."""
    if isinstance(item, dict) and isinstance(item.get("post"), dict):
        item = item["post"]
    return (
        isinstance(item, dict)
        and isinstance(item.get("uri"), str)
        and item["uri"].startswith("at://")
        and "record" in item
    )


def is_bluesky_page(item: object) -> bool:
    """True for a getAuthorFeed / searchPosts response, a feed item, or a post view."""
    if not isinstance(item, dict):
        return False
    for key in ("feed", "posts"):
        listed = item.get(key)
        if isinstance(listed, list) and listed and is_post_view(listed[0]):
            return True
    return is_post_view(item)


def read_bluesky(path: Path, identities: Identities, out: Collector) -> None:
    """Read a Bluesky file (responses or post views, JSON lines or one document) into `out`.

    A `Reader` (see `toolkit.ingest.files.Reader`): one row or reject per post view / feed item.
    """
    convert = partial(feed_item_row, identities=identities)
    read_json_entries(path, out, convert, _entries, "bad_record:not_a_bluesky_post")


def _entries(item) -> list | None:
    """The post views / feed items in one document (None when it is none of them)."""
    if isinstance(item, list):
        return item
    if not isinstance(item, dict):
        return None
    for key in ("feed", "posts"):
        if isinstance(item.get(key), list):
            return item[key]
    if "uri" in item or "post" in item:
        return [item]
    if "cursor" in item:  # an empty last page
        return []
    return None


def feed_item_row(entry, identities: Identities) -> dict:
    """The canonical row of one feed item `{"post", "reply"?, "reason"?}` or bare post view.

    Parameters
    ----------
    entry : dict
    identities : Identities
    """
    require_object(entry)
    post = entry.get("post") if isinstance(entry.get("post"), dict) else entry
    reason = entry.get("reason") if isinstance(entry.get("reason"), dict) else None
    if reason is not None and reason.get("$type") == _REPOST:
        return _repost_row(post, reason, identities)
    row = post_view_row(post, identities)
    parent_author = _parent_author(entry)
    if row["reply_to_id"] and parent_author:
        row["reply_to_author"] = identities.handle(parent_author)
    return row


def post_view_row(post: dict, identities: Identities) -> dict:
    """The canonical row of one `app.bsky.feed.defs#postView`.

    Parameters
    ----------
    post : dict
    identities : Identities
    """
    uri = str_or_none(require(post, "uri"))
    if uri is None:
        raise RowError("bad_record:uri_not_a_string")
    record = post.get("record")
    if not isinstance(record, dict):
        raise RowError("missing_field:record")
    created_at = _timestamp(record, "createdAt", "record.createdAt")
    author, is_brand, followers = _author(post.get("author"), identities)
    raw_text = record.get("text", "")
    if not isinstance(raw_text, str):
        raise RowError("bad_record:text_not_a_string")
    text = normalise_text(raw_text)
    reply = record.get("reply") if isinstance(record.get("reply"), dict) else {}
    parent_uri = _uri(reply.get("parent"))
    post_type = "reply" if parent_uri else ("quote" if _embeds_record(record) else "post")
    return {
        "platform": PLATFORM,
        "post_id": uri,
        "post_type": post_type,
        "reply_to_id": parent_uri,
        "thread_id": _uri(reply.get("root")) or (None if parent_uri else uri),
        "created_at": created_at,
        "author": author,
        "is_brand": is_brand,
        "text": identities.text(text),
        "language": _language(record.get("langs")),
        "likes": to_int(post.get("likeCount")),
        "shares": to_int(post.get("repostCount")),
        "replies": to_int(post.get("replyCount")),
        "quotes": to_int(post.get("quoteCount")),
        "author_followers": followers,
        **_entities(record, text, identities),
    }


def _repost_row(post: dict, reason: dict, identities: Identities) -> dict:
    original = post_view_row(post, identities)
    reposter, is_brand, followers = _author(reason.get("by"), identities)
    by = reason["by"]
    post_id = str_or_none(reason.get("uri")) or f"repost:{by.get('did')}:{original['post_id']}"
    return {
        **original,
        "post_id": post_id,
        "post_type": "share",
        "reply_to_id": None,
        "reply_to_author": None,
        "thread_id": post_id,
        "created_at": _timestamp(reason, "indexedAt", "reason.indexedAt"),
        "author": reposter,
        "is_brand": is_brand,
        "likes": None,
        "shares": None,
        "replies": None,
        "quotes": None,
        "author_followers": followers,
    }


def _timestamp(record: dict, key: str, label: str) -> int:
    return row_timestamp(require(record, key, label))


def _author(profile, identities: Identities) -> tuple[str, bool, int | None]:
    """(stored author, is_brand, followers) from a profileViewBasic."""
    if not isinstance(profile, dict) or not str_or_none(profile.get("handle")):
        raise RowError("missing_field:author.handle")
    handle = profile["handle"]
    identities.note(handle, profile.get("displayName"), profile.get("did"))
    author, is_brand = identities.author(handle)
    return author, is_brand, to_int(profile.get("followersCount"))


def _parent_author(entry: dict) -> str | None:
    reply = entry.get("reply") if isinstance(entry.get("reply"), dict) else {}
    parent = reply.get("parent") if isinstance(reply.get("parent"), dict) else {}
    author = parent.get("author") if isinstance(parent.get("author"), dict) else {}
    return str_or_none(author.get("handle"))


def _uri(ref) -> str | None:
    return str_or_none(ref.get("uri")) if isinstance(ref, dict) else None


def _embeds_record(record: dict) -> bool:
    embed = record.get("embed")
    return isinstance(embed, dict) and embed.get("$type") in _RECORD_EMBEDS


def _language(langs) -> str | None:
    if isinstance(langs, list) and langs and isinstance(langs[0], str) and langs[0]:
        return langs[0]
    return None


def _entities(record: dict, text: str, identities: Identities) -> dict[str, list[str]]:
    """hashtags and urls from the facets (else the text); mentions from the text."""
    features = [f for facet in dicts(record.get("facets")) for f in dicts(facet.get("features"))]
    tags = [f.get("tag") for f in features if str(f.get("$type", "")).endswith("#tag")]
    links = [f.get("uri") for f in features if str(f.get("$type", "")).endswith("#link")]
    embed = record.get("embed") if isinstance(record.get("embed"), dict) else {}
    external = embed.get("external") if isinstance(embed.get("external"), dict) else {}
    links.append(external.get("uri"))
    tags = [t for t in tags if isinstance(t, str)]
    links = [u for u in links if isinstance(u, str) and u]
    return {
        "hashtags": unique(t.lower() for t in tags) if tags else extract_hashtags(text),
        "mentions": unique(identities.handle(m) for m in extract_mentions(text)),
        "urls": unique(links) if links else extract_urls(text),
    }
