"""Progress bars for long steps (embedding, detection, fitting), in the terminal and in notebooks.

`tqdm.auto` draws a widget in Jupyter and a text bar in a terminal. Bars go to stderr, so papermill
keeps them out of the stored outputs' values; `TOOLKIT_PROGRESS=0` turns them off (tests, CI logs).
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from typing import TypeVar

from tqdm.auto import tqdm

T = TypeVar("T")

#: Steps shorter than this many items are not worth a bar.
MIN_ITEMS = 2_000


def enabled() -> bool:
    """Whether bars are drawn: on unless TOOLKIT_PROGRESS is 0/false/no."""
    return os.environ.get("TOOLKIT_PROGRESS", "1").strip().lower() not in {"0", "false", "no"}


def progress(
    items: Iterable[T], desc: str, total: int | None = None, unit: str = "post"
) -> Iterator[T]:
    """Iterate over `items` with a progress bar labelled `desc` (counted in `unit`s of `total`)."""
    if total is None and hasattr(items, "__len__"):
        total = len(items)  # type: ignore[arg-type]
    show = enabled() and (total is None or total >= MIN_ITEMS)
    yield from tqdm(
        items,
        desc=desc,
        total=total,
        unit=unit,
        disable=not show,
        leave=False,
        dynamic_ncols=True,
        mininterval=0.5,
    )
