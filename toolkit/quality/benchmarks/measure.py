"""Measuring tools shared by the benchmark suites: wall time, medians and peak memory."""

from __future__ import annotations

import os
import statistics
import subprocess
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psutil

from toolkit.core.paths import PROJECT_DIR as ROOT


def machine() -> dict:
    """CPU count and total memory of this machine, to print beside every figure."""
    return {"cpus": os.cpu_count(), "memory_gb": round(psutil.virtual_memory().total / 2**30, 1)}


def measure(
    cmd: list[str], env: dict | None = None, interval: float = 0.1, cwd: Path = ROOT
) -> dict:
    """Run `cmd`, returning wall seconds, exit code and peak RSS (MB) summed over its process tree."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        cmd, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    root = psutil.Process(proc.pid)
    peak = 0
    while proc.poll() is None:
        peak = max(peak, tree_rss(root))
        time.sleep(interval)
    seconds = time.perf_counter() - t0
    stderr = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
    return {
        "seconds": round(seconds, 2),
        "peak_rss_mb": round(peak / 2**20, 1),
        "exit_code": proc.returncode,
        "stderr_tail": stderr[-2000:] if proc.returncode else "",
    }


def tree_rss(root: psutil.Process) -> int:
    """Resident bytes of `root` and all its descendants (0 once it has gone)."""
    try:
        procs = [root, *root.children(recursive=True)]
    except psutil.NoSuchProcess:
        return 0
    total = 0
    for p in procs:
        try:
            total += p.memory_info().rss
        except psutil.NoSuchProcess:
            pass
    return total


def timed_call(fn: Callable[[], Any], interval: float = 0.05) -> tuple[Any, dict]:
    """Call `fn()` in this process; return its result and {seconds, peak_rss_mb} (process tree, sampled)."""
    me = psutil.Process()
    peak = [tree_rss(me)]
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            peak[0] = max(peak[0], tree_rss(me))
            done.wait(interval)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    t0 = time.perf_counter()
    try:
        result = fn()
    finally:
        seconds = time.perf_counter() - t0
        done.set()
        sampler.join()
    return result, {"seconds": round(seconds, 3), "peak_rss_mb": round(peak[0] / 2**20, 1)}


def median_seconds(fn: Callable[[], Any], repeats: int = 3) -> float:
    """Median wall seconds of `repeats` calls of `fn()`."""
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return round(statistics.median(times), 4)
