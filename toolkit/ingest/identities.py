"""Who is who while loading: organisations' handles kept, people pseudonymised, raw identifiers noted.

Kept as written: the brand's accounts, and the public accounts of the pseudonymiser (competitors,
platforms and services; `toolkit.privacy.pseudonymise.default_public_accounts`), so that share of voice
can count them; they are not customers and are not recorded as identifiers.

The raw identifiers (handles, display names, user ids of customers) are collected only so that
the privacy gate can check that none of them reaches a report; they are written to
`private/identifiers.json` and nowhere else.
"""

from __future__ import annotations

import logging
import re
import secrets

from toolkit.core.text import HANDLE_IN_TEXT, REDDIT_USER
from toolkit.privacy.pseudonymise import PSEUDONYM_PREFIX, Pseudonymiser

log = logging.getLogger(__name__)

#: Fixed author for Reddit's "[deleted]" / "[removed]" accounts: not a person we can pseudonymise.
DELETED_AUTHOR = "deleted"
_DELETED_NAMES = frozenset({"[deleted]", "[removed]"})
_FULL_PSEUDONYM = re.compile(r"u_[0-9a-f]{16}")  # a whole `toolkit.privacy.pseudonymise.PSEUDONYM`


class Identities:
    """Map handles to what may be stored (brand handle or pseudonym) and remember raw identifiers.

    Parameters
    ----------
    pseudonymiser : Pseudonymiser or None
        Keyed pseudonymiser. None uses a one-off random key: pseudonyms are then consistent
        within this object only and cannot be matched with any other run.
    brand_handles : iterable of str
        Extra brand handles, added to the pseudonymiser's own. Brand handles are matched
        case-insensitively and stored with the spelling found in the data.
    """

    def __init__(self, pseudonymiser: Pseudonymiser | None = None, brand_handles=()):
        if pseudonymiser is None:
            log.warning("no pseudonymiser given: using a one-off random key for this file")
            pseudonymiser = Pseudonymiser(secrets.token_bytes(32), brand_handles)
        self._pseudonymiser = pseudonymiser
        self._brand = set(pseudonymiser.brand_handles) | {
            h.strip().lstrip("@").lower() for h in brand_handles
        }
        self._kept = self._brand | set(pseudonymiser.public_handles)
        self._kept_cache: dict[str, bool] = {}
        self._cache: dict[str, str] = {}
        self._author_cache: dict[str, tuple[str, bool]] = {}
        self._brand_cache: dict[str, bool] = {}
        self._mention_cache: dict[str, tuple[str, str | None]] = {}  # written -> (stored, text)
        self.handles: set[str] = set()
        self.display_names: set[str] = set()
        self.user_ids: set[str] = set()

    def is_brand(self, handle: str | None) -> bool:
        """True when `handle` (with or without '@', any case) is one of the brand's."""
        return _listed(handle, self._brand, self._brand_cache)

    def is_kept(self, handle: str | None) -> bool:
        """True for the brand's handles and public (organisation) accounts: never pseudonymised."""
        return _listed(handle, self._kept, self._kept_cache)

    def handle(self, handle: str) -> str:
        """What to store for `handle`: a brand or public handle as written (without '@'), else
        the pseudonym."""
        cached = self._cache.get(handle)
        if cached is not None:
            return cached
        bare = handle.strip().lstrip("@")
        if bare.lower() in self._kept:
            result = bare
        elif bare.startswith(PSEUDONYM_PREFIX) and _FULL_PSEUDONYM.fullmatch(bare):
            result = bare  # already pseudonymised (re-ingested output)
        else:
            self.handles.add(bare)
            result = self._pseudonymiser.pseudonym(bare)
        self._cache[handle] = result
        return result

    def author(self, handle: str) -> tuple[str, bool]:
        """(stored author, is_brand) for a post's author handle; Reddit's deleted accounts -> "deleted"."""
        if handle in _DELETED_NAMES:
            return DELETED_AUTHOR, False
        return self.handle(handle), self.is_brand(handle)

    def authors(self, handles: list) -> tuple[list, list]:
        """`author` for many handles at once (None stays None), noting each new handle once.

        Parameters
        ----------
        handles : list of str or None

        Returns
        -------
        (list, list)
            Stored authors and is_brand flags (None / False where the handle is None).
        """
        cache = self._author_cache
        for handle in set(handles).difference(cache):
            if handle is not None:
                cache[handle] = self.author(handle)
                self.note(handle)
        found = [cache.get(h, (None, False)) for h in handles]
        return [f[0] for f in found], [f[1] for f in found]

    def anonymous(self, user_id: str) -> str:
        """Pseudonym for an author known only by a numeric user id (no handle in the payload)."""
        self.user_ids.add(user_id)
        return self._pseudonymiser.pseudonym(f"id:{user_id}")

    def text(self, text: str, aliases: dict[str, str] | None = None) -> str:
        """Replace every customer @handle in `text` with '@' + pseudonym; brand and public
        handles stay.

        Parameters
        ----------
        text : str
        aliases : dict, optional
            Lower-cased handle as written in the text -> the account to pseudonymise instead
            (Mastodon writes `@user` in the text for `user@instance` in the mentions).
        """
        if "@" not in text and "\uff20" not in text:
            return text

        def replace(match: re.Match) -> str:
            written = match.group(1)
            if self.is_kept(written):
                return match.group(0)
            account = aliases.get(written.lower(), written) if aliases else written
            return "@" + self.handle(account)

        return HANDLE_IN_TEXT.sub(replace, text)

    def text_and_mentions(self, text: str) -> tuple[str, list[str]]:
        """(`text(text)`, the stored form of each @handle in it): one regex pass for both.

        Parameters
        ----------
        text : str

        Returns
        -------
        (str, list of str)
            The pseudonymised text, and the mentions (brand handles as written, else
            pseudonyms) in first-occurrence order without repeats.
        """
        if "@" not in text and "\uff20" not in text:
            return text, []
        cache = self._mention_cache
        mentions: dict[str, None] = {}

        def replace(match: re.Match) -> str:
            written = match.group(1)
            found = cache.get(written)
            if found is None:
                stored = self.handle(written)
                found = cache[written] = (stored, None if self.is_kept(written) else "@" + stored)
            mentions[found[0]] = None
            return match.group(0) if found[1] is None else found[1]

        return HANDLE_IN_TEXT.sub(replace, text), list(mentions)

    def reddit_text(self, text: str) -> str:
        """Like `text`, and also pseudonymise Reddit's `u/name` mentions."""
        text = self.text(text)
        if "u/" not in text:
            return text

        def replace(match: re.Match) -> str:
            name = match.group(1)
            prefix = match.group(0)[: match.start(1) - match.start(0)]  # "u/" or "/u/"
            return match.group(0) if self.is_kept(name) else prefix + self.handle(name)

        return REDDIT_USER.sub(replace, text)

    def note(
        self, handle: str | None = None, display_name: str | None = None, user_id: object = None
    ) -> None:
        """Remember a customer's raw identifiers (ignored for brand and public accounts and
        empty values)."""
        if handle and self.is_kept(handle):
            return
        if handle and handle not in _DELETED_NAMES:
            self.handles.add(handle.strip().lstrip("@"))
        if isinstance(display_name, str) and display_name.strip():
            self.display_names.add(display_name.strip())
        if user_id not in (None, ""):
            self.user_ids.add(str(user_id))

    def update(self, other: Identities) -> None:
        """Add the raw identifiers another instance has seen."""
        self.handles |= other.handles
        self.display_names |= other.display_names
        self.user_ids |= other.user_ids

    def add_seen(self, seen: dict[str, list[str]]) -> None:
        """Add raw identifiers given as `to_dict()` gives them (e.g. from another process)."""
        self.handles.update(seen.get("handles", ()))
        self.display_names.update(seen.get("display_names", ()))
        self.user_ids.update(seen.get("user_ids", ()))

    def pop_seen(self) -> dict[str, list[str]]:
        """`to_dict()`, then forget the raw identifiers (the pseudonym caches stay)."""
        seen = self.to_dict()
        self.handles, self.display_names, self.user_ids = set(), set(), set()
        return seen

    def to_dict(self) -> dict[str, list[str]]:
        """The raw identifiers seen, as sorted lists (for `private/identifiers.json` only)."""
        return {
            "handles": sorted(self.handles),
            "display_names": sorted(self.display_names),
            "user_ids": sorted(self.user_ids),
        }


def _listed(handle: str | None, handles: set[str], cache: dict[str, bool]) -> bool:
    """True when `handle` (with or without '@', any case) is in `handles` (lower case, no '@');
    the answer is kept in `cache`, by the handle as written."""
    if not handle:
        return False
    known = cache.get(handle)
    if known is None:
        known = cache[handle] = handle.strip().lstrip("@").lower() in handles
    return known
