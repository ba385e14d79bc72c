"""Mastodon writer: a JSON array of Status entities, newest first (mastodon.json), with HTML
content, mention and hashtag anchors, and boosts wrapping the boosted status.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from pathlib import Path

from toolkit.sample.items import Item
from toolkit.sample.people import Account
from toolkit.sample.platforms.output import dumps, escape_html, write_text
from toolkit.sample.scenario import HOME_INSTANCE, UTC
from toolkit.sample.segments import Seg


def mastodon_time(t: dt.datetime) -> str:
    """Mastodon's timestamp format, with milliseconds."""
    t = t.astimezone(UTC)
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}Z"


def mastodon_account(acc: Account) -> dict:
    """The `account` object of a Mastodon status."""
    return {
        "id": acc.id,
        "username": acc.username,
        "acct": acc.acct,
        "display_name": "" if acc.role == "customer" and int(acc.id) % 10 == 0 else acc.name,
        "locked": False,
        "bot": acc.role == "spam",
        "created_at": mastodon_time(acc.created),
        "note": f"<p>{escape_html(acc.description)}</p>" if acc.description else "",
        "url": acc.profile_url,
        "followers_count": acc.followers,
        "following_count": acc.following,
        "statuses_count": acc.statuses,
    }


def mastodon_content(segs: list[Seg]) -> str:
    """Mastodon's HTML for a post: one paragraph, escaped text, mention/hashtag/link anchors."""
    out = []
    for seg in segs:
        text = unicodedata.normalize("NFC", seg.text)
        if seg.kind == "mention" and seg.account is not None:
            out.append(
                f'<span class="h-card"><a href="{seg.account.profile_url}" class="u-url mention">@<span>{seg.account.username}</span></a></span>'
            )
        elif seg.kind == "hashtag":
            tag = text[1:]
            out.append(
                f'<a href="https://{HOME_INSTANCE}/tags/{tag.lower()}" class="mention hashtag" rel="tag">#<span>{tag}</span></a>'
            )
        elif seg.kind == "url":
            out.append(
                f'<a href="{escape_html(text)}" rel="nofollow noopener noreferrer" target="_blank">{escape_html(text)}</a>'
            )
        else:
            out.append(escape_html(text).replace("\n", "<br />"))
    return "<p>" + "".join(out) + "</p>"


def status(item: Item) -> dict:
    """One Mastodon Status entity (boosts wrap the boosted status in `reblog`)."""
    acc, boost = item.author, item.kind == "share"
    uri = f"https://{acc.instance}/users/{acc.username}/statuses/{item.post_id}"
    r = item.rendered
    data = {
        "id": item.post_id,
        "created_at": mastodon_time(item.created),
        "in_reply_to_id": item.parent.post_id if item.parent else None,
        "in_reply_to_account_id": item.parent.author.id if item.parent else None,
        "sensitive": False,
        "spoiler_text": "",
        "visibility": "public",
        "language": None if boost else item.language,
        "uri": uri + "/activity" if boost else uri,
        "url": uri + "/activity" if boost else f"{acc.profile_url}/{item.post_id}",
        "replies_count": item.metrics.get("replies_count", 0),
        "reblogs_count": item.metrics.get("reblogs_count", 0),
        "favourites_count": item.metrics.get("favourites_count", 0),
        "edited_at": None,
        "content": "" if boost else mastodon_content(item.segs),
        "reblog": status(item.ref) if boost else None,
        "account": mastodon_account(acc),
        "media_attachments": [],
        "mentions": [] if boost else _unique_mentions(r.mentions),
        "tags": [] if boost else _unique_tags(r.hashtags),
        "emojis": [],
        "card": None,
        "poll": None,
    }
    if item.flaw == "status without account":
        del data["account"]
    return data


def _unique_mentions(mentions: list[tuple[int, int, Account]]) -> list[dict]:
    seen: dict[str, dict] = {}
    for _, _, a in mentions:
        seen.setdefault(
            a.id, {"id": a.id, "username": a.username, "url": a.profile_url, "acct": a.acct}
        )
    return list(seen.values())


def _unique_tags(hashtags: list[tuple[int, int, str]]) -> list[dict]:
    seen: dict[str, dict] = {}
    for _, _, tag in hashtags:
        seen.setdefault(
            tag.lower(), {"name": tag.lower(), "url": f"https://{HOME_INSTANCE}/tags/{tag.lower()}"}
        )
    return list(seen.values())


def write_mastodon(items: list[Item], out_dir: Path) -> list[Item]:
    """Write mastodon.json, newest first; return the statuses written (each once).

    `items` may hold every platform's items; the others are skipped.
    """
    mastodon = sorted(
        (i for i in items if i.platform == "mastodon"),
        key=lambda i: (i.created, int(i.post_id)),
        reverse=True,
    )
    statuses = []
    for item in mastodon:
        statuses.append(status(item))
        if item.duplicate:
            statuses.append(status(item))
    write_text(
        out_dir / "mastodon.json",
        "[" + ",\n".join(dumps(s, compact=True) for s in statuses) + "]\n",
    )
    return mastodon
