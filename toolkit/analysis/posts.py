"""Selecting and reading canonical posts: the helpers every analysis module shares.

Whose posts to count (`select_posts`, `Authors`), local calendar time (`local_times`,
`local_dates`), the brand's handles (`brand_handles_of`), group counts with distinct authors
(`count_posts_authors`) and reading number and list columns (`as_float`, `list_values`).
They work on the canonical posts frame of `toolkit.core.schema`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Literal

import numpy as np
import pandas as pd

#: Post types that are the author's own content (not replies, not shares of others' posts).
ORIGINAL_TYPES = frozenset({"post", "quote"})

Authors = Literal["all", "brand", "customers"]


def select_posts(
    posts: pd.DataFrame, authors: Authors = "all", include_shares: bool = False
) -> pd.DataFrame:
    """Rows of `posts` written by the chosen authors, by default without shares.

    Parameters
    ----------
    posts : DataFrame
        Canonical posts frame.
    authors : {"all", "brand", "customers"}
        Whose posts to keep (by `is_brand`).
    include_shares : bool
        Keep retweets/boosts. Off by default: a share's counts and text belong to the
        original post, so counting them would double count.
    """
    if authors not in ("all", "brand", "customers"):
        raise ValueError(f"authors must be 'all', 'brand' or 'customers', not {authors!r}")
    keep = pd.Series(True, index=posts.index)
    is_brand = posts["is_brand"].fillna(False).astype(bool)
    if authors == "brand":
        keep &= is_brand
    elif authors == "customers":
        keep &= ~is_brand
    if not include_shares:
        keep &= posts["post_type"] != "share"
    return posts[keep]


def local_times(created_at: pd.Series, tz: str = "UTC") -> pd.Series:
    """UTC timestamps converted to wall-clock time in `tz` (DST-correct, via the tz database)."""
    return pd.to_datetime(created_at, utc=True).dt.tz_convert(tz)


def local_dates(created_at: pd.Series, tz: str = "UTC") -> pd.Series:
    """Local calendar day (naive midnight timestamps) of UTC timestamps in `tz`."""
    return local_times(created_at, tz).dt.tz_localize(None).dt.normalize().astype("datetime64[ns]")


def brand_handles_of(posts: pd.DataFrame, brand_handles: Iterable[str] | None = None) -> set[str]:
    """Lower-cased brand handles: the ones given, else the authors of brand posts in `posts`."""
    if brand_handles is None:
        brand_handles = posts.loc[posts["is_brand"].fillna(False).astype(bool), "author"]
    return {str(h).lower().lstrip("@") for h in brand_handles}


def count_posts_authors(frame: pd.DataFrame, by: Sequence[str]) -> pd.DataFrame:
    """`n_posts` (rows) and `n_authors` (distinct `author`) per group of `by`, as columns."""
    by = list(by)
    if not by:
        return pd.DataFrame(
            {"n_posts": [len(frame)], "n_authors": [frame["author"].nunique()]}
        ).astype("int64")
    out = frame.groupby(by, dropna=False).agg(
        n_posts=("author", "size"), n_authors=("author", "nunique")
    )
    return out.astype("int64").reset_index()


def as_float(values: pd.Series) -> np.ndarray:
    """Numbers as float64 with NaN for nulls (works for Int64/Float64/object columns)."""
    return pd.to_numeric(values).astype("Float64").to_numpy(dtype="float64", na_value=np.nan)


def list_values(cell) -> list[str]:
    """A list-column cell (list, numpy array or null) as a list of lower-cased strings
    without a leading '@' or '#'."""
    if cell is None or (not isinstance(cell, list | tuple | np.ndarray) and pd.isna(cell)):
        return []
    return [str(v).lower().lstrip("@#") for v in cell]
