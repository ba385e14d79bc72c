"""Shared fixtures: one built sample report per test session."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from toolkit.core.paths import PROJECT_DIR as ROOT

TOOLKIT = str(Path(sys.executable).parent / "toolkit")


@pytest.fixture(scope="session")
def built_sample(tmp_path_factory) -> dict:
    """`toolkit run configs/sample.yaml` once per session, into temporary folders (a few
    minutes), after its previous period (configs/sample-previous.yaml, which it is compared
    with): {"report": report folder, "work": working folder, "env": the environment used,
    "stderr": what the run printed, "previous": the previous period's report folder}. A
    developer's reports/ and data/processed/ are untouched."""
    base = tmp_path_factory.mktemp("built-sample")
    env = {
        **os.environ,
        "TOOLKIT_REPORTS_DIR": str(base / "reports"),
        "TOOLKIT_WORK_DIR": str(base / "work"),
        "TOOLKIT_PROGRESS": "0",
    }
    for config in ("configs/sample-previous.yaml", "configs/sample.yaml"):
        run = subprocess.run(
            [TOOLKIT, "run", config],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=1800,
        )
        assert run.returncode == 0, run.stderr[-4000:]
    return {
        "previous": base / "reports" / "sample-previous",
        "report": base / "reports" / "sample",
        "work": base / "work" / "sample",
        "env": env,
        "stderr": run.stderr,
    }


@pytest.fixture(scope="session")
def built_report(request) -> Path:
    """The built sample report folder. Set TOOLKIT_TEST_REPORT to a report folder that is
    already built (e.g. reports/sample) to check it instead of building one."""
    existing = os.environ.get("TOOLKIT_TEST_REPORT")
    if existing:
        return Path(existing)
    return request.getfixturevalue("built_sample")["report"]
