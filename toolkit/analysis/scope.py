"""What a report is about: every post of the export, or only the posts that address the brand.

An export of "every tweet that mentions an airline" holds other brands' conversations too;
`scope: brand` in the config keeps the brand's own posts and the customer posts that address
it, so that topics, tone and share of voice describe the brand's customers.
"""

from __future__ import annotations

import pandas as pd

from toolkit.analysis.engagement import mentions_any

SCOPES = ("all", "brand")


def addresses_brand(posts: pd.DataFrame, handles: set[str], names: list[str]) -> pd.Series:
    """Boolean per post: it is the brand's, or it addresses the brand.

    A post addresses the brand when it mentions one of its handles, names it (a name, alias
    or handle as a whole word of the text, or as a hashtag), replies to a brand account, or
    belongs to a conversation the brand took part in.

    Parameters
    ----------
    posts : DataFrame
        Canonical posts frame.
    handles : set of str
        The brand's handles, lower-cased, without '@'.
    names : list of str
        The brand's name and aliases.
    """
    if posts.empty:
        return pd.Series(False, index=posts.index, dtype=bool)
    is_brand = posts["is_brand"].fillna(False).astype(bool)
    terms = [*names, *(f"@{h}" for h in handles)]
    named = mentions_any(posts, terms)
    squashed = {t.lower().lstrip("@").replace(" ", "") for t in terms}
    tagged = posts["hashtags"].map(
        lambda tags: any(str(t).lower() in squashed for t in (tags if tags is not None else []))
    )
    replied = posts["reply_to_author"].fillna("").str.lower().str.lstrip("@").isin(handles)
    threads = set(posts.loc[is_brand, "thread_id"].dropna()) | set(posts.loc[is_brand, "post_id"])
    in_thread = posts["thread_id"].isin(threads) & posts["thread_id"].notna()
    return is_brand | named | tagged.astype(bool) | replied | in_thread


def select(posts: pd.DataFrame, scope: str, handles: set[str], names: list[str]) -> pd.DataFrame:
    """The posts a report with this `scope` covers ("all": every post; "brand": see
    `addresses_brand`)."""
    if scope not in SCOPES:
        raise ValueError(f"scope must be one of {SCOPES}, not {scope!r}")
    if scope == "all":
        return posts
    return posts[addresses_brand(posts, handles, names)].reset_index(drop=True)


def describe(scope: str, kept: int, total: int) -> str:
    """One line for the report: which posts it covers."""
    if scope == "all":
        return f"All {total:,} posts of the export."
    return f"The {kept:,} of {total:,} posts that address the brand (its own posts, mentions, replies and conversations)."
