"""The canonical table of posts: one row per post, whatever platform it came from.

This module is the one place where the columns are defined. Loaders produce it,
analyses consume it, and `validate_posts` checks a frame against it.
"""

from __future__ import annotations

import pandas as pd
import pyarrow as pa

#: Column name -> (arrow type, nullable, description). Order is the canonical order.
COLUMNS: dict[str, tuple[pa.DataType, bool, str]] = {
    "platform": (
        pa.string(),
        False,
        "Platform slug: twitter, reddit, mastodon, facebook, instagram, ...",
    ),
    "post_id": (pa.string(), False, "The platform's own id of the post, as a string."),
    "post_type": (pa.string(), False, "post, reply, comment, share (retweet/boost) or quote."),
    "reply_to_id": (pa.string(), True, "Post id this post answers (platform id), if any."),
    "reply_to_author": (
        pa.string(),
        True,
        "Author (pseudonym or brand handle) of the post answered, if known.",
    ),
    "thread_id": (
        pa.string(),
        True,
        "Id of the conversation's root post (conversation_id, link_id, ...).",
    ),
    "created_at": (pa.timestamp("us", tz="UTC"), False, "When the post was made, in UTC."),
    "author": (
        pa.string(),
        False,
        "Brand handle for brand accounts; HMAC pseudonym (`u_` + 16 hex) for everyone else.",
    ),
    "is_brand": (
        pa.bool_(),
        False,
        "True when the author is one of the brand's configured accounts.",
    ),
    "text": (
        pa.string(),
        False,
        "Post text, Unicode NFC, HTML converted to text, customer @handles pseudonymised.",
    ),
    "language": (
        pa.string(),
        True,
        "BCP-47 language code when the platform gives one (en, de, es, ...).",
    ),
    "likes": (pa.int64(), True, "Likes / favourites / upvotes / reactions."),
    "shares": (pa.int64(), True, "Shares / retweets / boosts."),
    "replies": (pa.int64(), True, "Replies / comments received."),
    "quotes": (pa.int64(), True, "Quote posts received (Twitter/X only)."),
    "views": (
        pa.int64(),
        True,
        "Impressions or views, where the platform gives them; null elsewhere.",
    ),
    "author_followers": (
        pa.int64(),
        True,
        "Author's follower count as seen at collection/posting time.",
    ),
    "hashtags": (pa.list_(pa.string()), False, "Hashtags without '#', lower-cased."),
    "mentions": (
        pa.list_(pa.string()),
        False,
        "Mentioned accounts: brand handles as-is, others pseudonymised.",
    ),
    "urls": (pa.list_(pa.string()), False, "Expanded URLs in the post."),
    "source_file": (
        pa.string(),
        False,
        "Input file the row came from (file name, not the full path).",
    ),
    "source_line": (
        pa.int64(),
        False,
        "1-based line (JSONL/CSV row) or item index (JSON array) in that file.",
    ),
}

COLUMN_NAMES: list[str] = list(COLUMNS)
ARROW_SCHEMA = pa.schema([pa.field(n, t, nullable=nl) for n, (t, nl, _) in COLUMNS.items()])
POST_TYPES = frozenset({"post", "reply", "comment", "share", "quote"})
INT_COLUMNS = [n for n, (t, _, _) in COLUMNS.items() if pa.types.is_integer(t)]
LIST_COLUMNS = [n for n, (t, _, _) in COLUMNS.items() if pa.types.is_list(t)]


def empty_posts() -> pd.DataFrame:
    """An empty canonical frame with the right dtypes."""
    return ARROW_SCHEMA.empty_table().to_pandas(types_mapper=_types_mapper)


def to_arrow(df: pd.DataFrame) -> pa.Table:
    """Convert a canonical pandas frame to an Arrow table with the canonical schema."""
    return pa.Table.from_pandas(df[COLUMN_NAMES], schema=ARROW_SCHEMA, preserve_index=False)


def from_arrow(table: pa.Table) -> pd.DataFrame:
    """Convert an Arrow table to pandas with nullable integer columns kept nullable."""
    return table.to_pandas(types_mapper=_types_mapper)


def _types_mapper(arrow_type: pa.DataType):
    if pa.types.is_integer(arrow_type):
        return pd.Int64Dtype()
    if pa.types.is_boolean(arrow_type):
        return pd.BooleanDtype()
    return None


def validate_posts(df: pd.DataFrame) -> None:
    """Raise ValueError naming the first problem if `df` is not a canonical posts frame."""
    missing = [c for c in COLUMN_NAMES if c not in df.columns]
    if missing:
        raise ValueError(f"canonical posts frame lacks columns: {missing}")
    for name, (_, nullable, _) in COLUMNS.items():
        if not nullable and df[name].isna().any():
            raise ValueError(f"column {name!r} has nulls but is required")
    bad = set(df["post_type"]) - POST_TYPES
    if bad:
        raise ValueError(f"unknown post_type values: {sorted(bad)}")


def describe_columns() -> str:
    """Markdown table of the canonical columns (used by the README and the ingest notebook)."""
    rows = ["| column | type | nullable | meaning |", "| --- | --- | --- | --- |"]
    for name, (t, nullable, doc) in COLUMNS.items():
        rows.append(f"| `{name}` | {t} | {'yes' if nullable else 'no'} | {doc} |")
    return "\n".join(rows)
