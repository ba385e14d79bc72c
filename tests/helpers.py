"""Shared test helpers."""

import textwrap
from pathlib import Path

import pandas as pd

from toolkit.schema import COLUMN_NAMES, empty_posts, from_arrow, to_arrow


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
