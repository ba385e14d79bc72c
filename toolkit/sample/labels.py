"""The sample's ground truth: one labels.jsonl line per item (platform, id, text, brand, spam,
language, topic, sentiment, planted personal data and its spans, flaws and duplicates).
"""

from __future__ import annotations

from toolkit.sample.items import Item


def label(item: Item) -> dict:
    """The ground-truth line of one item (labels.jsonl)."""
    r = item.rendered
    topic = None if item.kind == "share" or item.is_spam else item.topic
    out = {
        "platform": item.platform,
        "post_id": item.post_id,
        "text": r.text,
        "is_brand": item.is_brand,
        "is_spam": item.is_spam,
        "language": item.language,
        "topic": topic,
        "sentiment": item.sentiment,
        "pii": [] if item.kind == "share" else r.pii,
    }
    if item.flaw:
        out.update({"malformed": True, "reason": item.flaw})
    elif item.duplicate:
        out.update({"duplicate": True, "reason": item.duplicate})
    return out
