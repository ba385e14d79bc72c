"""Reddit API things, one per line: `{"kind": "t3"|"t1", "data": {...}}`.

Also accepted: `Listing` lines (each child is one item) and bare submission/comment objects as
Pushshift-style dumps write them (t3 when they have a title, t1 when they have a body).
Submissions become posts (title + blank line + selftext), comments become comments.
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
    extract_reddit_users,
    extract_urls,
    normalise_text,
    unescape_basic,
    unique,
)
from toolkit.ingest.values import id_string, str_or_none, strip_prefix, to_int

PLATFORM = "reddit"


def read_reddit(path: Path, identities: Identities, out: Collector) -> None:
    """Read a Reddit JSON-lines file into `out`.

    A `Reader` (see `toolkit.ingest.files.Reader`): one row or reject per thing.
    """
    read_json_entries(path, out, partial(thing_row, identities=identities), _things)


def _things(item) -> list:
    """The items in one line: a Listing's children, or the line itself."""
    if isinstance(item, dict) and item.get("kind") == "Listing":
        data = item.get("data")
        children = data.get("children") if isinstance(data, dict) else None
        return children if isinstance(children, list) else [item]
    return [item]


def thing_row(thing, identities: Identities) -> dict:
    """The canonical row of one Reddit thing (t3 submission or t1 comment).

    Parameters
    ----------
    thing : dict
        `{"kind", "data"}` or a bare submission/comment object.
    identities : Identities
    """
    require_object(thing)
    kind, data = _kind_and_data(thing)
    post_id = id_string(data.get("id")) or strip_prefix(require(data, "name", "id"))
    created_at = row_timestamp(require(data, "created_utc"))
    author_name = data.get("author")
    if not isinstance(author_name, str) or not author_name:
        author_name = "[deleted]"
    author, is_brand = identities.author(author_name)
    identities.note(author_name, None, data.get("author_fullname"))
    if kind == "t3":
        text = _join_title(data)
        fields = _submission_fields(data, post_id)
    else:
        if "body" not in data:
            raise RowError("missing_field:body")
        text = normalise_text(unescape_basic(str(data["body"] or "")))
        fields = _comment_fields(data)
    link_url = fields.pop("link_url", None)
    return {
        "platform": PLATFORM,
        "post_id": post_id,
        "created_at": created_at,
        "author": author,
        "is_brand": is_brand,
        "text": identities.reddit_text(text),
        "likes": to_int(data.get("score", data.get("ups"))),
        **fields,
        **_entities(text, link_url, identities),
    }


def _kind_and_data(thing: dict) -> tuple[str, dict]:
    if "kind" in thing:
        kind, data = thing.get("kind"), thing.get("data")
        if kind not in ("t1", "t3"):
            raise RowError(f"unsupported_kind:{kind}")
        if not isinstance(data, dict):
            raise RowError("missing_field:data")
        return kind, data
    if "title" in thing:
        return "t3", thing
    if "body" in thing:
        return "t1", thing
    raise RowError("bad_record:not_a_reddit_thing")


def _join_title(data: dict) -> str:
    title = str(require(data, "title"))
    selftext = data.get("selftext") or ""
    return normalise_text(unescape_basic(f"{title}\n\n{selftext}"))


def _submission_fields(data: dict, post_id: str) -> dict:
    link = str_or_none(data.get("url"))
    is_link_post = link and data.get("is_self") is False
    return {
        "post_type": "post",
        "thread_id": post_id,
        "replies": to_int(data.get("num_comments")),
        "link_url": link if is_link_post else None,
    }


def _comment_fields(data: dict) -> dict:
    return {
        "post_type": "comment",
        "reply_to_id": strip_prefix(data.get("parent_id")),
        "thread_id": strip_prefix(data.get("link_id")),
    }


def _entities(text: str, link_url: str | None, identities: Identities) -> dict[str, list[str]]:
    handles = extract_mentions(text) + extract_reddit_users(text)
    urls = extract_urls(text)
    return {
        "hashtags": extract_hashtags(text),
        "mentions": unique(identities.handle(h) for h in handles),
        "urls": unique([link_url, *urls]) if link_url else urls,
    }
