"""Keyed HMAC pseudonyms for customer identities.

A pseudonym is stable for one key (the same handle always maps to the same pseudonym)
and unlinkable across keys. Brand accounts keep their handles.
"""

from __future__ import annotations

import hashlib
import hmac
import re

#: @handle in post text: Twitter/Instagram/Reddit style, plus Mastodon's @user@instance.
#: Instagram and Mastodon handles may contain dots, but never end with one ("@jane.doe.").
HANDLE_IN_TEXT = re.compile(
    r"(?<![\w@/.])@([A-Za-z0-9_](?:[A-Za-z0-9_.]{0,28}[A-Za-z0-9_])?(?:@[A-Za-z0-9.-]{1,100}\.[A-Za-z]{2,24})?)"
)
PSEUDONYM_PREFIX = "u_"
PSEUDONYM = re.compile(r"\bu_[0-9a-f]{16}\b")


class Pseudonymiser:
    """Map customer handles to `u_<16 hex>` with HMAC-SHA256; leave brand handles as they are.

    Parameters
    ----------
    key : bytes
        Secret key; never logged or written to any output.
    brand_handles : iterable of str
        The brand's own handles (any platform, with or without '@'); matched case-insensitively.
    """

    def __init__(self, key: bytes, brand_handles=()):
        if not key:
            raise ValueError("an empty HMAC key protects nothing")
        self._key = bytes(key)
        self.brand_handles = {h.lower().lstrip("@") for h in brand_handles}

    def __repr__(self) -> str:  # never show the key
        return f"Pseudonymiser(brand_handles={sorted(self.brand_handles)})"

    def is_brand(self, handle: str | None) -> bool:
        return bool(handle) and _normalise(handle) in self.brand_handles

    def pseudonym(self, handle: str) -> str:
        """The pseudonym of one customer handle (brand handles are returned unchanged)."""
        norm = _normalise(handle)
        if norm in self.brand_handles:
            return handle.lstrip("@")
        digest = hmac.new(self._key, norm.encode("utf-8"), hashlib.sha256).hexdigest()
        return PSEUDONYM_PREFIX + digest[:16]

    def text(self, text: str) -> str:
        """Replace every non-brand @handle in `text` with '@' + its pseudonym."""
        return HANDLE_IN_TEXT.sub(lambda m: "@" + self.pseudonym(m.group(1)), text)


def _normalise(handle: str) -> str:
    """Lower-case, without '@', and for Mastodon's user@instance keep only the user part
    when the instance is absent elsewhere, so '@dana' and '@dana@example.social' differ."""
    return handle.strip().lstrip("@").lower()
