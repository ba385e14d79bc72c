"""Shared test helpers."""

import hashlib
import textwrap
from pathlib import Path

import numpy as np
import pandas as pd

from toolkit.core.schema import COLUMN_NAMES, empty_posts, from_arrow, to_arrow


def make_posts(*rows: dict) -> pd.DataFrame:
    """Canonical posts frame from partial rows; other columns get neutral defaults."""
    if not rows:
        return empty_posts()
    defaults = {
        "platform": "twitter",
        "post_type": "post",
        "created_at": "2026-10-01T12:00:00Z",
        "author": "u_0000000000000001",
        "is_brand": False,
        "text": "",
        "hashtags": [],
        "mentions": [],
        "urls": [],
        "source_file": "test.jsonl",
    }
    records = [
        {**defaults, "post_id": str(i + 1), "source_line": i + 1, **row}
        for i, row in enumerate(rows)
    ]
    frame = pd.DataFrame(records)
    for column in COLUMN_NAMES:
        if column not in frame:
            frame[column] = None
    frame["created_at"] = pd.to_datetime(frame["created_at"], utc=True)
    return from_arrow(to_arrow(frame))


def write_tiny_config(folder) -> Path:
    """tiny.yaml in `folder`: one generic CSV source, posts.csv (the caller writes it), with
    columns id, created, user, body, and the brand DemoBrand on Twitter."""
    cfg = Path(folder) / "tiny.yaml"
    cfg.write_text(
        textwrap.dedent("""
        name: tiny
        sources:
          - path: posts.csv
            format: csv
            platform: twitter
            mapping: {post_id: id, created_at: created, author: user, text: body}
        brand: {name: Demo, accounts: {twitter: [DemoBrand]}}
    """)
    )
    return cfg


class FakeEmbedder:
    """Deterministic 8-dimensional unit vectors derived from a hash of the text; records calls."""

    name = "fake/hash-embedder"
    dim = 8

    def __init__(self):
        self.calls: list[list[str]] = []

    def encode(self, texts):
        self.calls.append(list(texts))
        return np.array([fake_vector(t) for t in texts], dtype=np.float32).reshape(-1, self.dim)


def fake_vector(text: str) -> np.ndarray:
    raw = (
        np.frombuffer(hashlib.sha256(text.encode()).digest()[:8], dtype=np.uint8).astype(np.float32)
        + 1
    )
    return raw / np.linalg.norm(raw)
