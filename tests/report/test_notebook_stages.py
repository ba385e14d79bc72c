"""Notebooks that do not read each other's output run side by side when there are CPUs for
them; findings recorded at the same time are all kept."""

import json
import multiprocessing
import threading
import types

import pytest
from papermill.exceptions import PapermillExecutionError

from toolkit.report import build as report
from toolkit.report import processes
from toolkit.report.build import ReportError, notebook_stages
from toolkit.report.session import FINDINGS_FILE, Session


def test_independent_notebooks_share_a_stage_only_when_allowed():
    assert notebook_stages(report.NOTEBOOKS) == [
        ["01_ingest", "02_topics"], ["03_engagement", "04_privacy_risk"], ["05_changes"],
        ["05_brief"],
    ]  # fmt: skip
    assert all(len(s) == 1 for s in notebook_stages(report.NOTEBOOKS, side_by_side=False))
    assert notebook_stages(["04_privacy_risk", "01_ingest", "03_engagement", "02_topics"]) == [
        ["04_privacy_risk"], ["01_ingest"], ["03_engagement"], ["02_topics"],
    ]  # fmt: skip


def _config(threads=1):
    return types.SimpleNamespace(analysis=types.SimpleNamespace(threads=threads))


@pytest.fixture
def no_publishing(monkeypatch):
    monkeypatch.setattr(report, "_publishable_notebook", lambda *a: None)


def test_a_stage_runs_its_notebooks_at_the_same_time(monkeypatch, tmp_path, no_publishing):
    both_running = threading.Barrier(2, timeout=20)  # broken unless the two overlap
    ran = []

    def execute(config, staging, name):
        if name in report.SIDE_BY_SIDE[1]:
            both_running.wait()
        ran.append(name)

    monkeypatch.setattr(report, "_execute_notebook", execute)
    monkeypatch.setattr(report, "usable_cpus", lambda: {0, 1})
    timings = report._run_notebooks(_config(), tmp_path, lambda line: None)
    assert list(timings) == list(report.NOTEBOOKS)  # in report order, whichever ends first
    assert set(ran[:2]) == {"01_ingest", "02_topics"} and ran[-2:] == ["05_changes", "05_brief"]


@pytest.mark.parametrize("cpus, threads", [({0}, 1), ({0, 1}, 2)])
def test_one_at_a_time_without_a_cpu_for_each(monkeypatch, tmp_path, no_publishing, cpus, threads):
    running = []

    def execute(config, staging, name):
        running.append(name)
        assert len(running) == 1, running
        running.remove(name)

    monkeypatch.setattr(report, "_execute_notebook", execute)
    monkeypatch.setattr(report, "usable_cpus", lambda: cpus)
    report._run_notebooks(_config(threads), tmp_path, lambda line: None)


def test_a_failure_side_by_side_names_its_notebook(monkeypatch, tmp_path, no_publishing):
    def execute(config, staging, name):
        if name == "04_privacy_risk":
            exc = PapermillExecutionError(3, 2, "x = y", "KeyError", "'topic'", [])
            exc.notebook = name
            raise exc

    monkeypatch.setattr(report, "_execute_notebook", execute)
    monkeypatch.setattr(report, "usable_cpus", lambda: {0, 1})
    with pytest.raises(ReportError, match="notebook 04_privacy_risk failed at In \\[2\\]"):
        report._run_notebooks(_config(), tmp_path, lambda line: None)


def _record_many(folder, prefix):
    session = Session(config=None, output_dir=folder)
    for i in range(40):
        session.record(**{f"{prefix}_{i}": i})


def test_findings_recorded_at_the_same_time_are_all_kept(tmp_path):
    context = multiprocessing.get_context("spawn")
    workers = [context.Process(target=_record_many, args=(tmp_path, p)) for p in "ab"]
    for w in workers:
        w.start()
    for w in workers:
        w.join(60)
    assert [w.exitcode for w in workers] == [0, 0]
    findings = json.loads((tmp_path / FINDINGS_FILE).read_text())
    assert set(findings) == {f"{p}_{i}" for p in "ab" for i in range(40)}
    assert [f.name for f in tmp_path.iterdir()] == [FINDINGS_FILE]  # no lock or partial file


def test_work_in_the_background_hands_back_its_result_or_error():
    assert processes.in_background(lambda a, b: a + b, 2, 3).result(timeout=10) == 5

    def fails():
        raise OSError("identifiers.json unreadable")

    with pytest.raises(OSError, match="unreadable"):
        processes.in_background(fails).result(timeout=10)
