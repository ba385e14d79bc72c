"""Where a report is built before it replaces the previous one, and what a dead build leaves.

A build writes into `.<name>.staging-PID` next to the report folder and, once the report is
complete and gated, swaps it in: the previous report moves aside to `.<name>.old-PID`, the new
one takes its name, the old one is removed. A reader never sees a half-written report. A build
killed halfway (SIGKILL, power loss) leaves one of these folders; `sweep_stale` tidies them at
the next build.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path


def staging_folder(report_dir: Path) -> Path:
    """The folder this process builds `report_dir` in."""
    return report_dir.with_name(f".{report_dir.name}.staging-{os.getpid()}")


_LEFTOVER = re.compile(r"^\.(?P<name>.+)\.(?P<kind>staging|old)-(?P<pid>\d+)$")


def sweep_stale(reports_dir: Path) -> list[str]:
    """Remove the staging folders (`.<name>.staging-PID`) of builds whose process is gone, and
    put back a previous report (`.<name>.old-PID`) that a dead build had moved aside but not
    replaced. Returns one line per folder handled."""
    lines = []
    if not reports_dir.is_dir():
        return lines
    for path in sorted(reports_dir.iterdir()):
        match = _LEFTOVER.match(path.name)
        if not match or not path.is_dir() or _pid_alive(int(match["pid"])):
            continue
        target = reports_dir / match["name"]
        if match["kind"] == "old" and not target.exists():
            try:
                path.rename(target)
            except OSError:
                continue  # a read-only reports folder: the build says so when it writes
            lines.append(f"restored the previous report {target} (its replacement never finished)")
        else:
            shutil.rmtree(path, ignore_errors=True)
            lines.append(
                f"removed {path.name}, left by an unfinished build (process {match['pid']})"
            )
    return lines


def _pid_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process
    return True


def swap_into_place(staging: Path, target: Path) -> None:
    """Replace `target` with `staging` so that a reader never sees a half-written report."""
    old = target.with_name(f".{target.name}.old-{os.getpid()}")
    if target.exists():
        target.rename(old)
    staging.rename(target)
    shutil.rmtree(old, ignore_errors=True)
