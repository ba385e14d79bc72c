"""End to end on a made-up airline with ~40 planted canaries (tests/privacy/canary_airline.py): three
reports are built (`privacy.quotes: none`, `redacted`, and `redacted` with early unanswered
complaints carrying identity numbers), and no canary, customer handle, customer post id, post
URL or exact post time may appear in ANY published file: pages, tables, JSON, notebooks
(outputs and metadata), figures' metadata. Issue 15."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from canary_airline import published_leaks, write_dataset

from toolkit.core.paths import PROJECT_DIR as ROOT


def test_the_leak_check_finds_every_planted_value_in_the_raw_export(tmp_path):
    """The check below is not vacuous: run on the raw export, it finds every canary, handle
    and post id (and the generator is deterministic)."""
    dataset = write_dataset(tmp_path / "a", unanswered=True, quotes="redacted")
    write_dataset(tmp_path / "b", unanswered=True, quotes="redacted")
    for name in ("twitter.jsonl", "forum.csv", "mastodon.json"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
    found = {line.split(": ", 1)[1] for line in published_leaks(tmp_path / "a", dataset)}
    expected = [f"{k} {v}" for k, v in dataset["canaries"]]
    expected += [f"post id {i}" for i in dataset["post_ids"]]
    expected += [f"handle {h}" for h in dataset["handles"]]
    expected += [f"post url {u}" for u in dataset["urls"]]
    assert [e for e in expected if e not in found] == []
    assert len(dataset["canaries"]) >= 40


@pytest.mark.slow
@pytest.mark.parametrize(
    ("quotes", "unanswered"), [("none", False), ("redacted", False), ("redacted", True)]
)
def test_no_canary_post_id_url_or_exact_time_is_published(tmp_path, quotes, unanswered):
    dataset = write_dataset(tmp_path / "data", unanswered=unanswered, quotes=quotes)
    env = {
        **os.environ,
        "TOOLKIT_REPORTS_DIR": str(tmp_path / "reports"),
        "TOOLKIT_WORK_DIR": str(tmp_path / "work"),
        "TOOLKIT_PROGRESS": "0",
    }
    run = subprocess.run(
        [sys.executable, "-m", "toolkit.cli", "run", str(dataset["config"])],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=3600,
    )
    assert run.returncode == 0, run.stderr[-4000:]  # builds, and the gate lets it through
    (report,) = (tmp_path / "reports").iterdir()
    assert (report / "index.html").exists() and list((report / "tables").glob("*.csv"))
    assert published_leaks(report, dataset) == []
    for leak in (str(tmp_path), str(ROOT), os.path.expanduser("~")):
        hits = [p for p in report.rglob("*") if p.is_file() and leak in p.read_text("latin-1")]
        assert hits == [], (leak, hits)
