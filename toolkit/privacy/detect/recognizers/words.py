"""Word lists shared by the recognisers (read once from `toolkit/resources`)."""

from __future__ import annotations

import functools
from importlib import resources


@functools.lru_cache(maxsize=1)
def common_words() -> frozenset[str]:
    """Lower-case common English words (the same list `toolkit.privacy.detect.analyzer` uses)."""
    raw = resources.files("toolkit").joinpath("resources", "common_words.txt").read_text("utf-8")
    return frozenset(
        line.strip() for line in raw.splitlines() if line.strip() and not line.startswith("#")
    )
