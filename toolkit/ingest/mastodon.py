"""Mastodon Status entities: a JSON array as the timelines API returns it (or one status per line).

`content` HTML becomes plain text (see `textnorm.html_to_text`); a status with `reblog` is a
share (its text is the boosted status's when the boost itself has none); `in_reply_to_id`
makes a reply. Threads: a status that is not a reply is its own thread root; replies get their
root later, in `ingest_config`, when the chain up to it is in the data.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path

from toolkit.ingest.base import Collector, RowError, require, require_object, row_timestamp
from toolkit.ingest.identities import Identities
from toolkit.ingest.readers import read_json_entries
from toolkit.ingest.textnorm import (
    extract_hashtags,
    extract_urls,
    html_to_text,
    normalise_text,
    unique,
)
from toolkit.ingest.values import dicts, id_string, str_or_none, to_int

PLATFORM = "mastodon"


def read_mastodon(path: Path, identities: Identities, out: Collector) -> None:
    """Read a Mastodon statuses file (JSON array or JSON lines) into `out`.

    A `Reader` (see `toolkit.ingest.files.Reader`): one row or reject per status.
    """
    read_json_entries(path, out, partial(status_row, identities=identities))


def status_row(status, identities: Identities) -> dict:
    """The canonical row of one Mastodon Status entity.

    Parameters
    ----------
    status : dict
    identities : Identities
    """
    require_object(status)
    post_id = id_string(require(status, "id"))
    created_at = row_timestamp(require(status, "created_at"))
    account = status.get("account")
    if not isinstance(account, dict) or not str_or_none(account.get("acct")):
        raise RowError("missing_field:account.acct")
    author, is_brand = identities.author(account["acct"])
    identities.note(account["acct"], account.get("display_name"), account.get("id"))
    reblog = status.get("reblog") if isinstance(status.get("reblog"), dict) else None
    source = reblog if reblog and not status.get("content") else status
    mentions = dicts(source.get("mentions"))
    for mention in mentions:
        identities.note(str_or_none(mention.get("acct")), None, mention.get("id"))
    text = normalise_text(html_to_text(source.get("content")))
    reply_to_id = id_string(status.get("in_reply_to_id"))
    post_type = _post_type(status, reblog, reply_to_id)
    return {
        "platform": PLATFORM,
        "post_id": post_id,
        "post_type": post_type,
        "reply_to_id": reply_to_id,
        "reply_to_author": _reply_to_author(status, identities),
        "thread_id": None if reply_to_id else post_id,
        "created_at": created_at,
        "author": author,
        "is_brand": is_brand,
        "text": identities.text(text, _aliases(mentions)),
        "language": str_or_none(status.get("language")),
        "likes": to_int(status.get("favourites_count")),
        "shares": to_int(status.get("reblogs_count")),
        "replies": to_int(status.get("replies_count")),
        "quotes": to_int(status.get("quotes_count")),
        "views": None,
        "author_followers": to_int(account.get("followers_count")),
        "hashtags": _hashtags(source, text),
        "mentions": unique(
            identities.handle(m["acct"]) for m in mentions if str_or_none(m.get("acct"))
        ),
        "urls": extract_urls(text),
    }


def _post_type(status: dict, reblog: dict | None, reply_to_id: str | None) -> str:
    if reblog:
        return "share"
    if reply_to_id:
        return "reply"
    quote = status.get("quote")  # Mastodon 4.4+: {"state", "quoted_status"}
    if isinstance(quote, dict) and quote.get("quoted_status"):
        return "quote"
    return "post"


def _reply_to_author(status: dict, identities: Identities) -> str | None:
    """The replied-to account when it is among the mentions (it usually is), else None."""
    account_id = id_string(status.get("in_reply_to_account_id"))
    if not account_id:
        return None
    if (
        isinstance(status.get("account"), dict)
        and id_string(status["account"].get("id")) == account_id
    ):
        return identities.handle(status["account"]["acct"])  # a self-reply (thread)
    for mention in dicts(status.get("mentions")):
        if id_string(mention.get("id")) == account_id and str_or_none(mention.get("acct")):
            return identities.handle(mention["acct"])
    return None


def _aliases(mentions: list[dict]) -> dict[str, str]:
    """username as written in the text -> full acct, so text and mentions share one pseudonym."""
    aliases = {}
    for mention in mentions:
        username, acct = str_or_none(mention.get("username")), str_or_none(mention.get("acct"))
        if username and acct and username.lower() != acct.lower():
            aliases[username.lower()] = acct
    return aliases


def _hashtags(source: dict, text: str) -> list[str]:
    tags = source.get("tags")
    if not isinstance(tags, list):
        return extract_hashtags(text)
    names = (t.get("name") for t in dicts(tags))
    return unique(normalise_text(n).lower() for n in names if isinstance(n, str))
