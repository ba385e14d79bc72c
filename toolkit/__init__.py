"""toolkit: private-by-default insight reports from a company's social-media data.

The data flows ingest -> privacy -> analysis -> report. The packages, bottom layer first (each
imports only the packages listed before it; docs/layout.md is the map):

- `toolkit.core`      config, schema, paths, language, progress, provenance: what every layer needs
- `toolkit.privacy`   pseudonymise (used by ingest), detect/ (personal-data recognisers), disclosure
                      (suppression of small groups), exposure tables, the publishing gate
- `toolkit.ingest`    one reader per platform export into the canonical posts table; streaming,
                      Dask-side ingest and partitioning, the ingest cache and profile tables
- `toolkit.analysis`  sql (DuckDB queries), engagement, attentiveness, campaigns, trends, compare,
                      tone/, topics/
- `toolkit.pipeline`  the one orchestration of the analyses, locally or on Dask
- `toolkit.report`    build (papermill + gate + atomic swap), session (what a notebook uses),
                      site, brief, figures, tables
- `toolkit.sample`    the generator of the bundled sample in data/sample/
- `toolkit.quality`   evaluation/ against labelled data, benchmarks/ (`make bench`)
- `toolkit.cli`       the `toolkit` command

The main entry points are importable from here (`from toolkit import load_config`). They are
loaded on first use, so `import toolkit` stays cheap and adds no import edge between packages.
"""

from __future__ import annotations

import importlib

__version__ = "0.1.0"

#: Public name -> module that defines it (loaded lazily by `__getattr__`).
ENTRY_POINTS = {
    "load_config": "toolkit.core.config",
    "Config": "toolkit.core.config",
    "ingest_file": "toolkit.ingest.files",
    "ingest_config": "toolkit.ingest.pipeline",
    "load_posts": "toolkit.ingest.pipeline",
    "Pseudonymiser": "toolkit.privacy.pseudonymise",
    "Detector": "toolkit.privacy.detect.analyzer",
    "scan_dir": "toolkit.privacy.gate.scan",
    "ToneScorer": "toolkit.analysis.tone.posts",
    "TopicModel": "toolkit.analysis.topics.model",
    "run_pipeline": "toolkit.pipeline.engine",
    "build_report": "toolkit.report.build",
    "open_session": "toolkit.report.session",
}

__all__ = ["__version__", *ENTRY_POINTS]


def __getattr__(name: str):
    """Import an entry point from its module the first time it is asked for."""
    module = ENTRY_POINTS.get(name)
    if module is None:
        raise AttributeError(f"module 'toolkit' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(ENTRY_POINTS))
