"""Benchmark suites behind `make bench`: each writes its figures to reports/bench/<suite>.json.

A suite is a module of this package with `run(config_path, progress) -> dict`. Figures are
measured, never asserted: tests check that a suite runs on tiny inputs, not how fast it is.
"""

from __future__ import annotations

import importlib
import json
from collections.abc import Callable
from pathlib import Path

SUITES = ("report", "ingest", "privacy", "tone", "metrics", "topics", "dask")


def available_suites() -> list[str]:
    """Names of the suites whose module exists in this checkout, in running order."""
    return [
        name for name in SUITES if importlib.util.find_spec(f"toolkit.quality.benchmarks.{name}")
    ]


def run_suites(
    names: list[str],
    config_path: Path,
    out_dir: Path,
    progress: Callable[[str], None] = lambda s: None,
) -> dict[str, dict]:
    """Run the named suites one after another; write each result to `out_dir/<name>.json`."""
    unknown = sorted(set(names) - set(available_suites()))
    if unknown:
        raise ValueError(
            f"unknown benchmark suite(s): {', '.join(unknown)}; "
            f"available: {', '.join(available_suites())}"
        )
    out_dir.mkdir(parents=True, exist_ok=True)
    results = {}
    for name in names:
        progress(f"bench: suite {name}")
        module = importlib.import_module(f"toolkit.quality.benchmarks.{name}")
        results[name] = module.run(Path(config_path), progress)
        (out_dir / f"{name}.json").write_text(json.dumps(results[name], indent=2) + "\n")
    return results
