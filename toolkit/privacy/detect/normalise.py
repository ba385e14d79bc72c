"""Text normalisation before detection: invisible characters dropped, look-alikes mapped.

Zero-width characters, bidi controls and soft hyphens are removed ("jane\u200b@example.com" is
still an email); full-width forms, exotic spaces and dashes are mapped one-to-one. Offsets of
the normalised text map back to the original with `Normalised.original`.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

# Invisible format characters (zero-width, bidi controls, soft hyphen) are dropped before
# detection so "jane\u200b@example.com" is still an email; look-alike characters are mapped
# one-to-one (full-width forms, exotic spaces and dashes). Offsets are mapped back afterwards.
_DROPPED_CHARS = (
    "\u00ad\u061c\u180e\u200b\u200c\u200d\u200e\u200f\u202a\u202b\u202c\u202d\u202e"
    "\u2060\u2061\u2062\u2063\u2064\u2066\u2067\u2068\u2069\ufeff"
)
_DROPPED_RE = re.compile(f"[{_DROPPED_CHARS}]")
_TRANSLATION: dict[int, str | None] = {ord(c): None for c in _DROPPED_CHARS}
_TRANSLATION.update({cp: chr(cp - 0xFEE0) for cp in range(0xFF01, 0xFF5F)})  # full-width ASCII
_TRANSLATION.update(
    {cp: " " for cp in (0x00A0, 0x1680, 0x202F, 0x205F, 0x3000, *range(0x2000, 0x200B))}
)
_TRANSLATION.update({cp: "-" for cp in (0x2010, 0x2011, 0x2012, 0x2013, 0x2014, 0x2015, 0x2212)})
_TRANSLATION.update({0xFE6B: "@", 0x2024: ".", 0x3002: ".", 0x2028: "\n", 0x2029: "\n"})


@dataclass(frozen=True)
class Normalised:
    """Text with invisible characters dropped and look-alikes mapped, and the way back to the
    original offsets."""

    text: str
    #: For each dropped character, its position in the normalised text.
    drops: tuple[int, ...] = ()

    def original(self, start: int, end: int) -> tuple[int, int]:
        """Map a [start, end) span of the normalised text back to the original text."""
        if not self.drops:
            return start, end
        orig_start = start + bisect.bisect_right(self.drops, start)
        orig_end = (end - 1) + bisect.bisect_right(self.drops, end - 1) + 1
        return orig_start, orig_end


_SPECIAL_RE = re.compile("[" + "".join(re.escape(chr(cp)) for cp in sorted(_TRANSLATION)) + "]")


def normalise(text: str) -> Normalised:
    """`text` as the recognisers read it (see the module docstring); offsets map back via
    `Normalised.original`."""
    if text.isascii() or not _SPECIAL_RE.search(text):
        return Normalised(text)
    # sub() touches only the special characters: much faster than translate() on big texts.
    cleaned = _SPECIAL_RE.sub(lambda m: _TRANSLATION[ord(m.group())] or "", text)
    if len(cleaned) == len(text):
        return Normalised(cleaned)
    drops = tuple(m.start() - i for i, m in enumerate(_DROPPED_RE.finditer(text)))
    return Normalised(cleaned, drops)
