"""YouTube Data API v3 `commentThreads.list` responses: top-level comments and their replies.

Accepted, one JSON document per line or one per file: list responses
`{"kind": "youtube#commentThreadListResponse", "items": [commentThread, ...]}`, bare
`youtube#commentThread` objects, or `youtube#comment` objects (as `comments.list` returns).
Each comment (a thread's top-level comment and each of `replies.comments`) is one item.

Field mapping to the canonical columns:

- post_id: the comment `id`; post_type: `comment` (comments answer a video, as Reddit's do)
- reply_to_id: `snippet.parentId` for a reply, else the `videoId`; thread_id: the `videoId`
  (the video is the conversation's root, like Reddit's link_id)
- reply_to_author: for a reply, the author of its thread's top-level comment
- created_at: `snippet.publishedAt`
- author: `snippet.authorDisplayName` (today the channel's `@handle`; the '@' is dropped),
  pseudonymised unless a brand handle; `authorChannelId.value` is noted as a raw identifier.
  A comment without a display name is authored by its channel id (pseudonymised).
- text: `snippet.textOriginal`, else `snippet.textDisplay` converted from HTML
- likes: `snippet.likeCount`; replies: the thread's `totalReplyCount` (top-level comments);
  shares, quotes, views, author_followers, language: null (the API does not give them)
- hashtags, mentions, urls: from the text
"""

from __future__ import annotations

from functools import partial
from pathlib import Path

from toolkit.ingest.base import Collector, RowError, require, require_object, row_timestamp
from toolkit.ingest.identities import Identities
from toolkit.ingest.readers import json_entries_or_reject
from toolkit.ingest.textnorm import (
    extract_hashtags,
    extract_mentions,
    extract_urls,
    html_to_text,
    normalise_text,
    unique,
)
from toolkit.ingest.values import id_string, str_or_none, to_int

PLATFORM = "youtube"


def is_youtube(item: object) -> bool:
    """True for a YouTube Data API object (a `kind` starting with `youtube#`)."""
    return isinstance(item, dict) and str(item.get("kind", "")).startswith("youtube#")


def read_youtube(path: Path, identities: Identities, out: Collector) -> None:
    """Read a YouTube commentThreads file into `out`.

    A `Reader` (see `toolkit.ingest.files.Reader`): one row or reject per comment.
    """
    not_youtube = "bad_record:not_a_youtube_comment"
    for line, thread in json_entries_or_reject(path, out.reject, out.limits, _threads, not_youtube):
        for comment, context in _comments(thread):
            out.add_item(
                line, comment, partial(comment_row, identities=identities, context=context)
            )


def _threads(item) -> list | None:
    """The commentThread / comment objects in one document (None when it holds none)."""
    if isinstance(item, list):
        return item
    if not isinstance(item, dict):
        return None
    if isinstance(item.get("items"), list):
        return item["items"]
    if item.get("kind") in ("youtube#commentThread", "youtube#comment"):
        return [item]
    if str(item.get("kind", "")).endswith("ListResponse"):  # a page without items
        return []
    return None


def _comments(thread) -> list[tuple[object, dict]]:
    """(comment, thread context) pairs: the top-level comment first, then the replies."""
    if not isinstance(thread, dict) or thread.get("kind") == "youtube#comment":
        return [(thread, {})]
    snippet = thread.get("snippet") if isinstance(thread.get("snippet"), dict) else {}
    top = snippet.get("topLevelComment")
    context = {
        "video_id": snippet.get("videoId"),
        "total_replies": snippet.get("totalReplyCount"),
        "top_author": _display_name(top.get("snippet")) if isinstance(top, dict) else None,
    }
    replies = thread.get("replies") if isinstance(thread.get("replies"), dict) else {}
    listed = replies.get("comments") if isinstance(replies.get("comments"), list) else []
    return [(top, {**context, "top_level": True}), *((c, context) for c in listed)]


def comment_row(comment, identities: Identities, context: dict | None = None) -> dict:
    """The canonical row of one `youtube#comment`.

    Parameters
    ----------
    comment : dict
    identities : Identities
    context : dict, optional
        From its thread: video_id, total_replies, top_author, top_level.
    """
    context = context or {}
    require_object(comment)
    post_id = id_string(require(comment, "id"))
    snippet = comment.get("snippet")
    if not isinstance(snippet, dict):
        raise RowError("missing_field:snippet")
    created_at = row_timestamp(require(snippet, "publishedAt", "snippet.publishedAt"))
    author, is_brand = _author(snippet, identities)
    text = normalise_text(_text(snippet))
    video_id = id_string(snippet.get("videoId")) or id_string(context.get("video_id"))
    parent_id = id_string(snippet.get("parentId"))
    top_author = context.get("top_author")
    return {
        "platform": PLATFORM,
        "post_id": post_id,
        "post_type": "comment",
        "reply_to_id": parent_id or video_id,
        "reply_to_author": identities.handle(top_author) if parent_id and top_author else None,
        "thread_id": video_id,
        "created_at": created_at,
        "author": author,
        "is_brand": is_brand,
        "text": identities.text(text),
        "likes": to_int(snippet.get("likeCount")),
        "replies": to_int(context.get("total_replies")) if context.get("top_level") else None,
        "hashtags": extract_hashtags(text),
        "mentions": unique(identities.handle(m) for m in extract_mentions(text)),
        "urls": extract_urls(text),
    }


def _display_name(snippet) -> str | None:
    if not isinstance(snippet, dict):
        return None
    name = str_or_none(snippet.get("authorDisplayName"))
    return name.strip().lstrip("@") or None if name else None


def _author(snippet: dict, identities: Identities) -> tuple[str, bool]:
    channel = snippet.get("authorChannelId")
    channel_id = str_or_none(channel.get("value")) if isinstance(channel, dict) else None
    handle = _display_name(snippet)
    if handle:
        identities.note(handle, None, channel_id)
        return identities.author(handle)
    if channel_id:
        return identities.anonymous(channel_id), False
    raise RowError("missing_field:snippet.authorDisplayName")


def _text(snippet: dict) -> str:
    original = snippet.get("textOriginal")
    if isinstance(original, str):
        return original
    display = snippet.get("textDisplay")
    if isinstance(display, str):
        return html_to_text(display)
    raise RowError("missing_field:snippet.textOriginal")
