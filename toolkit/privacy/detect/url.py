"""Links: URLs with a scheme or "www.", and bare domains of common top-level domains."""

from __future__ import annotations

import re
from collections.abc import Iterator

from toolkit.core.text import URL, URL_TRAILING

_BARE_DOMAIN = re.compile(
    r"(?i)(?<![\w@./-])(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.){1,6}"
    r"(?:com|net|org|edu|gov|io|co\.uk|uk|de|fr|es|nl|eu|info|biz|app|dev|ly|gl|example|social)"
    r"(?:/[^\s<>\"'`]*)?(?![\w-])"
)
_TLD_HINT = re.compile(
    r"(?i)\.(?:com|net|org|edu|gov|io|uk|de|fr|es|nl|eu|info|biz|app|dev|ly|gl|example|social)\b"
)


def find_urls(text: str) -> Iterator[tuple[int, int, float]]:
    """Links in `text` as (start, end, score), trailing punctuation trimmed."""
    if "." not in text:
        return
    patterns = [(URL, 0.6)]
    if _TLD_HINT.search(text):
        patterns.append((_BARE_DOMAIN, 0.5))
    for pattern, score in patterns:
        for m in pattern.finditer(text):
            end = m.start() + len(_trim_url(m.group()))
            if end > m.start():
                yield m.start(), end, score


def _trim_url(url: str) -> str:
    while url and url[-1] in URL_TRAILING:
        if url[-1] == ")" and url.count("(") >= url.count(")"):
            break
        url = url[:-1]
    return url
