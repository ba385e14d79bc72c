"""Benchmark suite "report": how long `make report` takes (it builds no report of its own).

The module keeps the name `report` because it is the suite's name: `toolkit bench --only report`
and `make bench ONLY=report` pick it, and it writes reports/bench/report.json. The report builder
itself is `toolkit.report.build`.

`bench_report` times `toolkit run` as a user runs it through make: cold (no working data, no
embedding or numba caches, new kernels) and with nothing changed (median of repeats), with
the peak resident memory of the whole process tree.
"""

from __future__ import annotations

import os
import shutil
import statistics
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from toolkit.core.config import load_config
from toolkit.quality.benchmarks.measure import machine, measure


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
        "machine": machine(),
        "cold": cold,
        "unchanged_runs": unchanged,
        "unchanged_median_seconds": statistics.median(r["seconds"] for r in unchanged),
        "targets": {"cold_seconds": 120, "unchanged_seconds": 5},
    }


def run(config_path: Path, progress: Callable[[str], None]) -> dict:
    """Suite entry point (see `toolkit.quality.benchmarks`)."""
    return bench_report(config_path, progress=progress)
