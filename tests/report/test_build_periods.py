"""`build_reports`: two periods built side by side (what `make report` does for the sample) give
the reports building them one after the other gives, and a failure of the previous period
stops the period that compares with it."""

import hashlib
import json
import textwrap
import threading
import time

import pytest

from toolkit.core.config import load_config
from toolkit.report import build as report
from toolkit.report.build import ReportError
from toolkit.report.build_together import build_reports


@pytest.fixture
def periods(tmp_path, monkeypatch):
    """june.yaml and july.yaml (compare_to: june) over one tiny CSV; notebooks, pages and the
    notebook check are fakes that record when each notebook of each report ran."""
    monkeypatch.setenv("TOOLKIT_HMAC_KEY", "test-key")
    monkeypatch.setenv("TOOLKIT_WORK_DIR", str(tmp_path / "work"))
    monkeypatch.setenv("TOOLKIT_REPORTS_DIR", str(tmp_path / "reports"))
    (tmp_path / "posts.csv").write_text(
        "id,created,user,body\n"
        "1,2026-09-01T10:00:00Z,alice_w,hello @DemoBrand\n"
        "2,2026-09-01T11:00:00Z,DemoBrand,hi there\n"
    )
    for name, extra in [("june", ""), ("july", "compare_to: june\n")]:
        (tmp_path / f"{name}.yaml").write_text(
            textwrap.dedent(f"""
            name: {name}
            sources:
              - path: posts.csv
                format: csv
                platform: twitter
                mapping: {{post_id: id, created_at: created, author: user, text: body}}
            brand: {{name: Demo, accounts: {{twitter: [DemoBrand]}}}}
            """)
            + extra
        )
    events: list[tuple[str, str, str]] = []
    both_started = threading.Barrier(2, timeout=20)

    def execute(config, staging, name):
        events.append((config.name, name, "start"))
        if name == report.NOTEBOOKS[0] and execute.together:
            both_started.wait()  # the two reports really are built at the same time
        if name == "02_topics" and config.name == "june":
            time.sleep(0.5)  # the previous period is still running when July reaches 03/04
        if getattr(execute, "fail", None) == (config.name, name):
            raise ReportError(f"notebook {name} failed")
        (staging / f"{name}.ipynb").write_text("{}")
        (staging / "findings.json").write_text("{}")
        events.append((config.name, name, "end"))

    def site(staging, config, manifest):
        (staging / "index.html").write_text(f"<p>{config.name}</p>")

    execute.together = True
    monkeypatch.setattr(report, "usable_cpus", lambda: {0})
    monkeypatch.setattr(report, "_execute_notebook", execute)
    monkeypatch.setattr(report, "_publishable_notebook", lambda *a: None)
    monkeypatch.setattr(report, "_render_site", site)
    return tmp_path, events, execute


def _when(events, report_name, notebook, what):
    return events.index((report_name, notebook, what))


def test_two_periods_side_by_side_compare_as_built_one_after_the_other(periods):
    folder, events, _ = periods
    june, july = build_reports([folder / "june.yaml", folder / "july.yaml"])
    assert not isinstance(july, Exception), july
    assert not june.up_to_date and not july.up_to_date
    # July started before June had finished, and read June's report only once it was done.
    assert _when(events, "july", "01_ingest", "start") < _when(events, "june", "05_brief", "end")
    assert _when(events, "june", "05_brief", "end") < _when(events, "july", "05_changes", "start")
    june_manifest = folder / "reports" / "june" / "manifest.json"
    compared = json.loads((folder / "reports" / "july" / "manifest.json").read_text())
    assert (
        compared["compared_to"]["manifest_sha256"]
        == hashlib.sha256(june_manifest.read_bytes()).hexdigest()
    )
    assert (
        compared["compared_to"]["fingerprint"]
        == json.loads(june_manifest.read_text())["fingerprint"]
    )
    # July's fingerprint is the one a build after June's computes, so nothing is out of date.
    assert compared["fingerprint"] == report._fingerprint(load_config(folder / "july.yaml"))
    ran = len(events)
    again = build_reports([folder / "june.yaml", folder / "july.yaml"])
    assert [r.up_to_date for r in again] == [True, True] and len(events) == ran
    assert sorted(p.name for p in (folder / "reports").iterdir()) == ["july", "june"]


def test_a_failed_previous_period_stops_the_one_that_compares_with_it(periods):
    folder, events, execute = periods
    execute.fail = ("june", "02_topics")
    june, july = build_reports([folder / "june.yaml", folder / "july.yaml"])
    assert isinstance(june, ReportError) and "02_topics failed" in str(june)
    assert isinstance(july, ReportError) and "previous period's report" in str(july)
    assert ("july", "05_changes", "start") not in events
    assert not (folder / "reports").exists() or not list((folder / "reports").iterdir())


def test_an_unchanged_previous_period_lets_the_next_one_build_as_before(periods):
    folder, events, execute = periods
    build_reports([folder / "june.yaml", folder / "july.yaml"])
    (folder / "july.yaml").write_text(
        (folder / "july.yaml").read_text() + "privacy: {min_group_size: 7}\n"
    )
    events.clear()
    execute.together = False  # June is current: only July is built
    june, july = build_reports([folder / "june.yaml", folder / "july.yaml"])
    assert june.up_to_date and not july.up_to_date
    assert {name for name, _, _ in events} == {"july"}


def test_a_previous_period_that_fails_before_it_starts_stops_the_next_one_too():
    link = report.BuildLink(rebuilding=False, failed=True)
    link.decided.set()
    with pytest.raises(ReportError, match="previous period's report"):
        report._rebuilds(link, None)
    link = report.BuildLink(rebuilding=True)
    link.decided.set()
    assert report._rebuilds(link, None) is True
