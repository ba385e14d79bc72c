"""Working data that holds raw post text is private: folders 0700, files 0600.

The working folder of a dataset (`config.work_dir`: posts.parquet, rejects, caches, private/)
holds what customers wrote before redaction, so only its owner may read it, like `private/`.
`private_umask` makes new files private as they are created (so there is no moment when they
are readable by others); `make_private` fixes what is already there.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

DIR_MODE = 0o700
FILE_MODE = 0o600


@contextmanager
def private_umask() -> Iterator[None]:
    """Create files 0600 and folders 0700 inside the block (the process umask, restored after)."""
    old = os.umask(0o077)
    try:
        yield
    finally:
        os.umask(old)


def make_private(root: Path | str) -> Path:
    """Create `root` if needed and make it and everything under it private (0700 / 0600).

    Symbolic links are not followed: what they point to is not part of the working data.
    """
    root = Path(root)
    root.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
    _chmod(root, DIR_MODE)
    for folder, dirs, files in os.walk(root):
        for name in dirs:
            _chmod(Path(folder, name), DIR_MODE)
        for name in files:
            _chmod(Path(folder, name), FILE_MODE)
    return root


def _chmod(path: Path, mode: int) -> None:
    try:
        st = path.lstat()
    except FileNotFoundError:  # removed meanwhile (a temporary file)
        return
    if stat.S_ISLNK(st.st_mode) or stat.S_IMODE(st.st_mode) == mode:
        return
    try:
        os.chmod(path, mode)
    except FileNotFoundError:
        pass
