"""Benchmarks that write figures to a file (never timed assertions in tests).

`bench_report` times `toolkit run` as a user runs it through make: cold (no working data, no
embedding or numba caches, new kernels) and with nothing changed (median of repeats), with
the peak resident memory of the whole process tree.
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import psutil

from toolkit.config import ROOT, load_config


def measure(cmd: list[str], env: dict | None = None, interval: float = 0.1) -> dict:
    """Run `cmd`, returning wall seconds, exit code and peak RSS (MB) summed over its process tree."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    root = psutil.Process(proc.pid)
    peak = 0
    while proc.poll() is None:
        peak = max(peak, _tree_rss(root))
        time.sleep(interval)
    seconds = time.perf_counter() - t0
    stderr = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
    return {"seconds": round(seconds, 2), "peak_rss_mb": round(peak / 2**20, 1),
            "exit_code": proc.returncode, "stderr_tail": stderr[-2000:] if proc.returncode else ""}


def _tree_rss(root: psutil.Process) -> int:
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


def bench_report(config_path: str | Path, repeats: int = 3,
                 progress: Callable[[str], None] = lambda s: None) -> dict:
    """Cold and unchanged timings of building the report for `config_path`."""
    config = load_config(config_path)
    cmd = [str(Path(sys.executable).parent / "toolkit"), "run", str(config.path)]
    with tempfile.TemporaryDirectory(prefix="toolkit-bench-numba-") as numba_cache:
        shutil.rmtree(config.work_dir, ignore_errors=True)
        shutil.rmtree(config.report_dir, ignore_errors=True)
        env = {**os.environ, "NUMBA_CACHE_DIR": numba_cache}
        progress("bench: cold run (no working data, no caches)")
        cold = measure(cmd, env)
    unchanged = []
    for i in range(repeats):
        progress(f"bench: unchanged run {i + 1}/{repeats}")
        unchanged.append(measure(cmd))
    return {
        "benchmark": "make report",
        "config": config.name,
        "machine": {"cpus": os.cpu_count(), "memory_gb": round(psutil.virtual_memory().total / 2**30, 1)},
        "cold": cold,
        "unchanged_runs": unchanged,
        "unchanged_median_seconds": statistics.median(r["seconds"] for r in unchanged),
        "targets": {"cold_seconds": 120, "unchanged_seconds": 5},
    }
