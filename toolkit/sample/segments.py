"""Post text as segments: free text that noise may touch, and mentions, hashtags, links and
planted personal data that are kept intact and whose character spans are recorded.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from toolkit.sample.people import Account


@dataclass
class Seg:
    """A piece of post text. `kind` None is free text (noise may touch it); others are kept."""

    text: str
    kind: str | None = None  # mention, hashtag, url, pii, keep
    account: Account | None = None
    expanded: str = ""
    entity: str = ""


@dataclass
class Rendered:
    """Plain text plus the character positions of its entities and planted personal data."""

    text: str
    pii: list[dict]
    mentions: list[tuple[int, int, Account]]
    hashtags: list[tuple[int, int, str]]
    urls: list[tuple[int, int, str, str]]


def render(segs: list[Seg]) -> Rendered:
    """Join segments into NFC text and record entity and PII spans (Python str indices).

    Parameters
    ----------
    segs : list of Seg
        The segments in order.
    """
    out, pii, mentions, hashtags, urls, pos = [], [], [], [], [], 0
    for seg in segs:
        piece = unicodedata.normalize("NFC", seg.text)
        start, end = pos, pos + len(piece)
        if seg.kind == "pii":
            pii.append({"entity_type": seg.entity, "start": start, "end": end, "value": piece})
        elif seg.kind == "mention" and seg.account is not None:
            mentions.append((start, end, seg.account))
        elif seg.kind == "hashtag":
            hashtags.append((start, end, piece[1:]))
        elif seg.kind == "url":
            urls.append((start, end, piece, seg.expanded or piece))
        out.append(piece)
        pos = end
    return Rendered("".join(out), pii, mentions, hashtags, urls)


_LITERAL_TOKENS = re.compile(r"(#[A-Za-z][A-Za-z0-9_]*|https?://\S+)")


def split_literal(text: str) -> list[Seg]:
    """Turn literal template text into segments, keeping hashtags and links intact."""
    segs = []
    for i, part in enumerate(_LITERAL_TOKENS.split(text)):
        if not part:
            continue
        if i % 2 == 0:
            segs.append(Seg(part))
        else:
            segs.append(Seg(part, "hashtag" if part.startswith("#") else "url", expanded=part))
    return segs


def truncate_segs(segs: list[Seg], limit: int) -> list[Seg]:
    """Cut segments to at most `limit` characters at a word boundary, ending with '…' (as retweets are)."""
    if sum(len(s.text) for s in segs) <= limit:
        return segs
    out, used = [], 0
    for seg in segs:
        if used + len(seg.text) <= limit - 1:
            out.append(seg)
            used += len(seg.text)
            continue
        if seg.kind is None:
            room = seg.text[: limit - 1 - used]
            cut = room.rsplit(" ", 1)[0] if " " in room else ""
            if cut:
                out.append(Seg(cut))
        break
    while out and not out[-1].text.strip():
        out.pop()
    out.append(Seg("…"))
    return out
