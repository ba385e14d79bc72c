"""Social-media handles: "@name" (also fediverse "@name@server.social") and Reddit "u/name"."""

from __future__ import annotations

import re
from collections.abc import Iterator

_HANDLE = re.compile(
    r"(?<![\w@/.])@[A-Za-z0-9_](?:[A-Za-z0-9_.]{0,28}[A-Za-z0-9_])?"
    r"(?:@(?:[A-Za-z0-9-]{1,63}\.){1,6}[A-Za-z]{2,24})?(?![\w@])"
)
_REDDIT_USER = re.compile(r"(?<![\w/])/?u/[A-Za-z0-9_-]{3,20}(?![\w-])")


def find_handles(text: str) -> Iterator[tuple[int, int, float]]:
    """Handles in `text` as (start, end, score)."""
    if "@" in text:
        for m in _HANDLE.finditer(text):
            yield m.start(), m.end(), 0.9
    if "u/" in text:
        for m in _REDDIT_USER.finditer(text):
            yield m.start(), m.end(), 0.9
