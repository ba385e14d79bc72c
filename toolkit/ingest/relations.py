"""Fill reply and thread links that a single payload cannot know, from the other rows loaded."""

from __future__ import annotations

import pandas as pd


def fill_reply_authors(posts: pd.DataFrame) -> pd.DataFrame:
    """Set a null `reply_to_author` to the author of the parent post when the parent is loaded.

    Parameters
    ----------
    posts : DataFrame
        Canonical posts; parents are matched on (platform, reply_to_id) == (platform, post_id).

    Returns
    -------
    DataFrame
        `posts` itself when nothing changes, else a copy with the filled values.
    """
    need = (posts["reply_to_id"].notna() & posts["reply_to_author"].isna()).to_numpy()
    if not need.any():
        return posts
    author_of = dict(
        zip(zip(posts["platform"], posts["post_id"], strict=True), posts["author"], strict=True)
    )
    wanted = zip(
        posts["platform"].to_numpy()[need], posts["reply_to_id"].to_numpy()[need], strict=True
    )
    found = [author_of.get(key) for key in wanted]
    if all(a is None for a in found):
        return posts
    posts = posts.copy()
    posts.loc[need, "reply_to_author"] = found
    return posts


def fill_thread_roots(posts: pd.DataFrame) -> pd.DataFrame:
    """Set a null `thread_id` by following `reply_to_id` up to a loaded post whose thread is known.

    Replies whose chain breaks (an ancestor is not in the data) keep a null thread_id: the
    root is unknown, and a guess would merge or split conversations wrongly.

    Parameters
    ----------
    posts : DataFrame
        Canonical posts.
    """
    need = (posts["thread_id"].isna() & posts["reply_to_id"].notna()).to_numpy()
    if not need.any():
        return posts
    keys = list(zip(posts["platform"], posts["post_id"], strict=True))
    parent = dict(zip(keys, posts["reply_to_id"], strict=True))
    thread: dict = {
        k: t for k, t in zip(keys, posts["thread_id"], strict=True) if isinstance(t, str)
    }
    found = [_root(key, parent, thread) for key, missing in zip(keys, need, strict=True) if missing]
    if all(t is None for t in found):
        return posts
    posts = posts.copy()
    posts.loc[need, "thread_id"] = found
    return posts


def _root(key: tuple, parent: dict, thread: dict) -> str | None:
    """Thread id for `key` (None if unknown), memoised in `thread` for every post on the way up."""
    path: list[tuple] = []
    visited_set: set[tuple] = set()
    current = key
    root = None
    while current not in thread:
        up = parent.get(current)
        if current in visited_set or not isinstance(up, str):
            break  # a cycle, or an ancestor that is not in the data: root unknown
        path.append(current)
        visited_set.add(current)
        current = (current[0], up)
    else:
        root = thread[current]
    for visited in path:
        thread[visited] = root
    return root
