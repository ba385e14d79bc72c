"""Benchmark suite "report": how long `make report` takes (it builds no report of its own).

The module keeps the name `report` because it is the suite's name: `toolkit bench --only report`
and `make bench ONLY=report` pick it, and it writes reports/bench/report.json. The report builder
itself is `toolkit.report.build`.

`bench_report` times `toolkit run` as `make report` runs it: with the config's previous period
(the config its `compare_to` names, from the same folder) built beside it. Cold: no working
data, reports or embedding caches, new kernels; numba's code as `make setup` leaves it (compiled
once by `toolkit precompile`). Then with nothing changed (median of repeats). Each with the peak
resident memory of the whole process tree.
"""

from __future__ import annotations

import shutil
import statistics
import sys
from collections.abc import Callable
from pathlib import Path

from toolkit.core.config import Config, load_config
from toolkit.quality.benchmarks.measure import machine, measure
from toolkit.report.build_together import compares_with


def bench_report(
    config_path: str | Path, repeats: int = 3, progress: Callable[[str], None] = lambda s: None
) -> dict:
    """Cold and unchanged timings of `make report` for `config_path`."""
    config = load_config(config_path)
    configs = [*previous_period(config), config]
    cmd = [str(Path(sys.executable).parent / "toolkit"), "run", *(str(c.path) for c in configs)]
    for each in configs:
        shutil.rmtree(each.work_dir, ignore_errors=True)
        shutil.rmtree(each.report_dir, ignore_errors=True)
    progress("bench: cold run (no working data, reports or embedding caches)")
    cold = measure(cmd)
    unchanged = []
    for i in range(repeats):
        progress(f"bench: unchanged run {i + 1}/{repeats}")
        unchanged.append(measure(cmd))
    return {
        "benchmark": "make report",
        "config": config.name,
        "reports": [c.name for c in configs],
        "machine": machine(),
        "cold": cold,
        "unchanged_runs": unchanged,
        "unchanged_median_seconds": statistics.median(r["seconds"] for r in unchanged),
        "targets": {"cold_seconds": 120, "unchanged_seconds": 5},
    }


def previous_period(config: Config) -> list[Config]:
    """The config in `config`'s folder whose report its `compare_to` names (as the Makefile's
    PREVIOUS for the sample), or none."""
    if config.compare_to is None or config.path is None:
        return []
    others = (p for p in sorted(config.path.parent.glob("*.yaml")) if p != config.path)
    return [other for other in map(load_config, others) if compares_with(config, other)][:1]


def run(config_path: Path, progress: Callable[[str], None]) -> dict:
    """Suite entry point (see `toolkit.quality.benchmarks`)."""
    return bench_report(config_path, progress=progress)
