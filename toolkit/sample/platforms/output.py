"""What every platform writer shares: the APIs' HTML escaping, JSON text in insertion order, and
writing a file byte for byte.
"""

from __future__ import annotations

import json
from pathlib import Path


def escape_api(text: str) -> str:
    """Escape & < > as the Twitter and Reddit APIs do."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def escape_html(text: str) -> str:
    """Escape text for Mastodon HTML content (& < > " ')."""
    return escape_api(text).replace('"', "&quot;").replace("'", "&#39;")


def dumps(obj, compact: bool = False) -> str:
    """JSON text with keys in insertion order and non-ASCII kept as is."""
    if compact:
        return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))
    return json.dumps(obj, ensure_ascii=False)


def write_text(path: Path, text: str) -> None:
    """Write `text` to `path` as UTF-8, line endings exactly as given."""
    with open(path, "w", encoding="utf-8", newline="") as handle:
        handle.write(text)
