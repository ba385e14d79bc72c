"""X (Twitter) account archive `data/tweets.js`: `window.YTD.tweets.part0 = [{"tweet": {...}}]`.

The archive's own (v1.1-style) tweet objects, with every number stored as a string. Also read:
`tweets-part1.js` and later parts, `deleted-tweets.js`, and items without the `tweet` wrapper
(older archives). Each array element is one item.

The archive is one account's: its handle is not in tweets.js but in `account.js` beside it
(`window.YTD.account.part0 = [{"account": {"username", "accountId", ...}}]`). Without that
file the author is a pseudonym of "x-archive-owner" (a warning is logged).

Field mapping to the canonical columns:

- post_id: `id_str` (else `id`); created_at: `created_at` (`Wed Oct 10 20:19:24 +0000 2018`)
- post_type: `share` when `full_text` starts with `RT @`, `reply` when
  `in_reply_to_status_id_str` is set (that is `reply_to_id`), `quote` when a URL expands to an
  x.com / twitter.com status, else `post`
- reply_to_author: `in_reply_to_screen_name`; thread_id: the post's own id when it is not a
  reply (a reply's root is filled later when its parent is in the data)
- author: the archive owner (see above); text: `full_text` (`&amp; &lt; &gt;` unescaped)
- language: `lang` (Twitter's pseudo codes such as `und` -> null)
- likes: `favorite_count`, shares: `retweet_count` (0 for a retweet), both from strings;
  replies, quotes, views, author_followers: null (the archive does not keep them)
- hashtags / mentions / urls: `entities.hashtags[].text`, `entities.user_mentions[].screen_name`,
  `entities.urls[].expanded_url`
- edits: `edit_info` lists the tweet ids of one edit chain; the latest version is kept and the
  older ones count as duplicates
"""

from __future__ import annotations

import logging
import re
from functools import partial
from pathlib import Path

from toolkit.ingest.base import Collector, RowError, require_object, row_timestamp
from toolkit.ingest.identities import Identities
from toolkit.ingest.readers import iter_js_array_items, reject_errors
from toolkit.ingest.textnorm import normalise_text, unescape_basic, unique
from toolkit.ingest.twarc2 import tweet_language
from toolkit.ingest.values import dicts, id_string, str_or_none, to_int

log = logging.getLogger(__name__)

PLATFORM = "twitter"
OWNER_FALLBACK = "x-archive-owner"
_STATUS_URL = re.compile(r"^https?://(?:www\.|mobile\.)?(?:twitter|x)\.com/\w+/status(?:es)?/\d+")


def read_x_archive(path: Path, identities: Identities, out: Collector) -> None:
    """Read an X archive tweets file into `out`.

    A `Reader` (see `toolkit.ingest.files.Reader`): one row or reject per array element.
    """
    owner = archive_owner(Path(path).parent / "account.js")
    if owner is None:
        log.warning("%s: no account.js beside it; tweets get a pseudonymous owner", path)
    convert = partial(archive_tweet_row, owner=owner, identities=identities)
    for position, item, _raw in reject_errors(iter_js_array_items(path, out.limits), out.reject):
        out.add_item(position, item, convert)


def archive_owner(account_js: Path) -> dict | None:
    """{"username", "accountId", "accountDisplayName"} from an archive's account.js, else None."""
    if not account_js.is_file():
        return None
    for _, item, error, _ in iter_js_array_items(account_js):
        if error is None and isinstance(item, dict):
            account = item.get("account", item)
            if isinstance(account, dict) and str_or_none(account.get("username")):
                return account
    return None


def archive_tweet_row(item, owner: dict | None, identities: Identities) -> tuple[dict, str, int]:
    """(canonical row, edit-chain key, version) for one archive element.

    Parameters
    ----------
    item : dict
        `{"tweet": {...}}` or the bare tweet object.
    owner : dict or None
        The account from account.js.
    identities : Identities
    """
    require_object(item)
    tweet = require_object(item.get("tweet", item), "bad_record:tweet_not_an_object")
    post_id = id_string(tweet.get("id_str")) or id_string(tweet.get("id"))
    if not post_id:
        raise RowError("missing_field:id_str")
    raw_text = tweet.get("full_text", tweet.get("text"))
    if not isinstance(raw_text, str):
        raise RowError("missing_field:full_text")
    created = tweet.get("created_at")
    if created in (None, ""):
        raise RowError("missing_field:created_at")
    created_at = row_timestamp(created)
    author, is_brand = _owner(owner, identities)
    text = normalise_text(unescape_basic(raw_text))
    entities = tweet.get("entities") if isinstance(tweet.get("entities"), dict) else {}
    urls = [u.get("expanded_url") or u.get("url") for u in dicts(entities.get("urls"))]
    urls = [u for u in urls if isinstance(u, str) and u]
    reply_to_id = id_string(tweet.get("in_reply_to_status_id_str")) or id_string(
        tweet.get("in_reply_to_status_id")
    )
    post_type = _post_type(text, reply_to_id, urls)
    reply_to = str_or_none(tweet.get("in_reply_to_screen_name"))
    row = {
        "platform": PLATFORM,
        "post_id": post_id,
        "post_type": post_type,
        "reply_to_id": reply_to_id,
        "reply_to_author": identities.handle(reply_to) if reply_to else None,
        "thread_id": None if reply_to_id else post_id,
        "created_at": created_at,
        "author": author,
        "is_brand": is_brand,
        "text": identities.text(text),
        "language": tweet_language(tweet.get("lang")),
        "likes": to_int(tweet.get("favorite_count")),
        "shares": 0 if post_type == "share" else to_int(tweet.get("retweet_count")),
        "hashtags": _hashtags(entities),
        "mentions": _mentions(entities, identities),
        "urls": unique(urls),
    }
    return row, _chain_key(tweet, post_id), int(post_id) if post_id.isdigit() else 0


def _owner(owner: dict | None, identities: Identities) -> tuple[str, bool]:
    if owner is None:
        return identities.anonymous(OWNER_FALLBACK), False
    identities.note(owner["username"], owner.get("accountDisplayName"), owner.get("accountId"))
    return identities.author(owner["username"])


def _post_type(text: str, reply_to_id: str | None, urls: list[str]) -> str:
    if text.startswith("RT @"):
        return "share"
    if reply_to_id:
        return "reply"
    if any(_STATUS_URL.match(u) for u in urls):
        return "quote"
    return "post"


def _hashtags(entities: dict) -> list[str]:
    tags = [h.get("text") for h in dicts(entities.get("hashtags"))]
    return unique(normalise_text(t).lower() for t in tags if isinstance(t, str))


def _mentions(entities: dict, identities: Identities) -> list[str]:
    found = []
    for mention in dicts(entities.get("user_mentions")):
        name = str_or_none(mention.get("screen_name"))
        if name:
            identities.note(name, mention.get("name"), mention.get("id_str"))
            found.append(identities.handle(name))
    return unique(found)


def _chain_key(tweet: dict, post_id: str) -> str:
    """The first tweet id of the edit chain (`edit_info.initial` or `edit_info.edit`)."""
    info = tweet.get("edit_info") if isinstance(tweet.get("edit_info"), dict) else {}
    initial = info.get("initial") if isinstance(info.get("initial"), dict) else {}
    edit = info.get("edit") if isinstance(info.get("edit"), dict) else {}
    ids = initial.get("editTweetIds") or (edit.get("editControlInitial") or {}).get("editTweetIds")
    ids = [str(i) for i in ids if str(i).isdigit()] if isinstance(ids, list) else []
    if edit.get("initialTweetId") is not None and str(edit["initialTweetId"]).isdigit():
        ids.append(str(edit["initialTweetId"]))
    return min(ids, key=int) if ids else post_id
