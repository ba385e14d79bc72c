"""Write a rebuilt word list beside the build scripts: its header, then one entry per line."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

HERE = Path(__file__).resolve().parent


def write_word_list(name: str, header: str, entries: Iterable[str]) -> None:
    """Write `toolkit/resources/<name>` and say how many entries it holds."""
    entries = list(entries)
    (HERE / name).write_text(header + "\n".join(entries) + "\n", encoding="utf-8")
    print(f"{name}: {len(entries)} entries")
