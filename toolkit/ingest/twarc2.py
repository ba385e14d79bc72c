"""Twitter API v2 as twarc2 writes it: one response page per line (also `twarc2 flatten` output).

Each tweet in a page's `data` is one item; its author and the replied-to user are resolved
through the page's `includes.users`. When several versions of an edited tweet appear, the
latest (highest id) is kept and the older ones count as duplicates.

A page cut off (a truncated line) is salvaged: its complete tweets are loaded (with the users
of `includes` that are complete, else without the expansion), and the tweet the cut runs
through is one `truncated_json` reject. Tweets after the cut are not in the file at all, so
they cannot be counted; the log says how many tweets a cut page gave.
"""

from __future__ import annotations

import logging
from functools import partial
from pathlib import Path

from toolkit.ingest.base import Collector, RowError, require, require_object, row_timestamp
from toolkit.ingest.identities import Identities
from toolkit.ingest.readers import iter_json_items, salvage_prefix
from toolkit.ingest.textnorm import (
    extract_hashtags,
    extract_mentions,
    extract_urls,
    normalise_text,
    unescape_basic,
    unique,
)
from toolkit.ingest.values import dicts, str_or_none, to_int

log = logging.getLogger(__name__)

PLATFORM = "twitter"
#: Twitter's pseudo language codes (undetermined, media only, hashtags only, ...): no language.
NO_LANGUAGE = frozenset({"und", "zxx", "qme", "qst", "qam", "qct", "qht", "qlt", "art"})
#: referenced_tweets type -> post_type; a reply that also quotes is a reply (it is in a conversation).
_TYPE_PRIORITY = (("retweeted", "share"), ("replied_to", "reply"), ("quoted", "quote"))


def read_twarc2(path: Path, identities: Identities, out: Collector) -> None:
    """Read a twarc2 JSON-lines file into `out`.

    A `Reader` (see `toolkit.ingest.files.Reader`): one row or reject per tweet (one reject per unparseable line).
    """
    for line, item, error, raw in iter_json_items(path, out.limits):
        if error == "truncated_json" and _salvage_page(raw, line, identities, out):
            continue
        if error:
            out.reject(line, error, raw)
        elif not isinstance(item, dict):
            out.reject(line, "bad_record:not_an_object", raw)
        elif "data" in item:
            _read_page(item, line, identities, out)
        elif "id" in item and ("text" in item or "note_tweet" in item):
            users = _flattened_users(item)
            _note_users(users.values(), identities)
            _read_tweet(item, users, line, identities, out)
        elif not ("errors" in item or "meta" in item):  # pages without tweets hold no items
            out.reject(line, "bad_record:not_a_twarc2_page", raw)


def _salvage_page(raw, line: int, identities: Identities, out: Collector) -> bool:
    """Load the complete tweets of a page cut short; False when `raw` is no such page."""
    text = raw.decode("utf-8", errors="replace") if isinstance(raw, bytes) else raw
    if not isinstance(text, str) or '"data"' not in text[:200]:
        return False
    page, cut, rest = salvage_prefix(text)
    tweets = page.get("data") if isinstance(page, dict) else None
    if not isinstance(tweets, list) or not tweets:
        return False
    _read_page(page, line, identities, out)
    if cut and cut[0] == "data":
        out.reject(line, "truncated_json", rest)  # the tweet the cut runs through
        log.warning(
            "%s line %d: page cut off after %d complete tweets (loaded); the rest is lost",
            out.source_file,
            line,
            len(tweets),
        )
    else:
        log.warning(
            "%s line %d: page cut off in %s; its %d tweets loaded, expansions partly lost",
            out.source_file,
            line,
            ".".join(map(str, cut or ())) or "its end",
            len(tweets),
        )
    return True


def _read_page(page: dict, line: int, identities: Identities, out: Collector) -> None:
    tweets = page["data"]
    if isinstance(tweets, dict):  # single-tweet lookups return an object
        tweets = [tweets]
    elif tweets is None:
        tweets = []
    if not isinstance(tweets, list):
        out.reject(line, "bad_record:data_not_a_list", page)
        return
    users = _page_users(page)
    _note_users(users.values(), identities)
    for tweet in tweets:
        _read_tweet(tweet, users, line, identities, out)


def _read_tweet(tweet, users: dict, line: int, identities: Identities, out: Collector) -> None:
    out.add_item(line, tweet, partial(_checked_tweet_row, users=users, identities=identities))


def _checked_tweet_row(tweet, users: dict, identities: Identities) -> tuple[dict, str, int]:
    return tweet_row(require_object(tweet, "bad_record:tweet_not_an_object"), users, identities)


def _page_users(page: dict) -> dict[str, dict]:
    includes = page.get("includes")
    listed = includes.get("users") if isinstance(includes, dict) else None
    if not isinstance(listed, list):
        return {}
    return {str(u["id"]): u for u in listed if isinstance(u, dict) and u.get("id") is not None}


def _flattened_users(tweet: dict) -> dict[str, dict]:
    """Users embedded by `twarc2 flatten` (author, in_reply_to_user)."""
    users = {}
    for key in ("author", "in_reply_to_user"):
        user = tweet.get(key)
        if isinstance(user, dict) and user.get("id") is not None:
            users[str(user["id"])] = user
    return users


def _note_users(users, identities: Identities) -> None:
    for user in users:
        identities.note(str_or_none(user.get("username")), user.get("name"), user.get("id"))


def tweet_row(tweet: dict, users: dict[str, dict], identities: Identities) -> tuple[dict, str, int]:
    """(canonical row, edit-chain key, version) for one v2 tweet object.

    Parameters
    ----------
    tweet : dict
        A tweet from `data` (or a flattened tweet).
    users : dict
        User id -> user object from `includes.users`.
    identities : Identities
    """
    post_id = str(require(tweet, "id"))
    note = tweet.get("note_tweet") if isinstance(tweet.get("note_tweet"), dict) else {}
    raw_text = note.get("text") or require(tweet, "text")
    if not isinstance(raw_text, str):
        raise RowError("bad_record:text_not_a_string")
    created_at = row_timestamp(require(tweet, "created_at"))
    author, is_brand, followers = _author(tweet, users, identities)
    refs = _references(tweet.get("referenced_tweets"))
    post_type = next((kind for ref, kind in _TYPE_PRIORITY if ref in refs), "post")
    text = normalise_text(unescape_basic(raw_text))
    entities = (
        note.get("entities") if isinstance(note.get("entities"), dict) else tweet.get("entities")
    )
    metrics = tweet.get("public_metrics") if isinstance(tweet.get("public_metrics"), dict) else {}
    row = {
        "platform": PLATFORM,
        "post_id": post_id,
        "post_type": post_type,
        "reply_to_id": refs.get("replied_to"),
        "reply_to_author": _reply_to_author(tweet, users, identities),
        "thread_id": str_or_none(tweet.get("conversation_id")),
        "created_at": created_at,
        "author": author,
        "is_brand": is_brand,
        "text": identities.text(text),
        "language": tweet_language(tweet.get("lang")),
        "likes": to_int(metrics.get("like_count")),
        # a retweet's retweet_count is the original's; a retweet itself cannot be retweeted
        "shares": 0 if post_type == "share" else to_int(metrics.get("retweet_count")),
        "replies": to_int(metrics.get("reply_count")),
        "quotes": to_int(metrics.get("quote_count")),
        "views": to_int(metrics.get("impression_count")),
        "author_followers": followers,
        **_entities(entities, text, identities),
    }
    return row, _edit_chain_key(tweet, post_id), _version(post_id)


def _author(tweet: dict, users: dict, identities: Identities) -> tuple[str, bool, int | None]:
    author_id = str(require(tweet, "author_id"))
    user = users.get(author_id)
    username = str_or_none(user.get("username")) if user else None
    if not username:  # user missing from includes (suspended, or a partial export)
        return identities.anonymous(author_id), False, None
    author, is_brand = identities.author(username)
    metrics = user.get("public_metrics") if isinstance(user.get("public_metrics"), dict) else {}
    return author, is_brand, to_int(metrics.get("followers_count"))


def _reply_to_author(tweet: dict, users: dict, identities: Identities) -> str | None:
    user_id = tweet.get("in_reply_to_user_id")
    user = users.get(str(user_id)) if user_id is not None else None
    username = str_or_none(user.get("username")) if user else None
    return identities.handle(username) if username else None


def _references(refs) -> dict[str, str]:
    """referenced_tweets as type -> id (first of each type)."""
    found: dict[str, str] = {}
    if isinstance(refs, list):
        for ref in refs:
            if isinstance(ref, dict) and ref.get("type") and ref.get("id") is not None:
                found.setdefault(ref["type"], str(ref["id"]))
    return found


def _entities(entities, text: str, identities: Identities) -> dict[str, list[str]]:
    """hashtags, mentions and urls from the API's entities, or from the text when absent."""
    if not isinstance(entities, dict):
        mentions = extract_mentions(text)
        return {
            "hashtags": extract_hashtags(text),
            "mentions": unique(identities.handle(m) for m in mentions),
            "urls": extract_urls(text),
        }
    hashtags = [h.get("tag") for h in dicts(entities.get("hashtags"))]
    mentions = [m.get("username") for m in dicts(entities.get("mentions"))]
    urls = [u.get("expanded_url") or u.get("url") for u in dicts(entities.get("urls"))]
    for m in dicts(entities.get("mentions")):
        identities.note(str_or_none(m.get("username")), None, m.get("id"))
    return {
        "hashtags": unique(normalise_text(h).lower() for h in hashtags if isinstance(h, str)),
        "mentions": unique(identities.handle(m) for m in mentions if isinstance(m, str) and m),
        "urls": unique(u for u in urls if isinstance(u, str)),
    }


def _edit_chain_key(tweet: dict, post_id: str) -> str:
    """The first tweet id of the edit chain (the id itself for unedited tweets)."""
    history = tweet.get("edit_history_tweet_ids")
    if isinstance(history, list) and history:
        ids = [str(i) for i in history if str(i).isdigit()]
        if ids:
            return min(ids, key=int)
    return post_id


def _version(post_id: str) -> int:
    return int(post_id) if post_id.isdigit() else 0


def tweet_language(code) -> str | None:
    """A tweet's `lang` as the language column: None for Twitter's pseudo codes (NO_LANGUAGE)."""
    if not isinstance(code, str) or not code or code in NO_LANGUAGE:
        return None
    return code
