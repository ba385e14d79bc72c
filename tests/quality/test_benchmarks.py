"""The benchmark registry: suites are found, unknown names are refused, results are written."""

import json

import pytest

from toolkit.quality import benchmarks
from toolkit.quality.benchmarks.measure import median_seconds, timed_call


def test_report_suite_is_available():
    assert "report" in benchmarks.available_suites()
    assert set(benchmarks.available_suites()) <= set(benchmarks.SUITES)


def test_unknown_suite_is_refused_with_the_available_names(tmp_path):
    with pytest.raises(ValueError, match="unknown benchmark suite.*nosuch.*available: report"):
        benchmarks.run_suites(["nosuch"], tmp_path / "c.yaml", tmp_path)


def test_run_suites_writes_one_json_per_suite(tmp_path, monkeypatch):
    import toolkit.quality.benchmarks.report as report

    monkeypatch.setattr(report, "run", lambda config_path, progress: {"seconds": 1.5})
    results = benchmarks.run_suites(["report"], tmp_path / "c.yaml", tmp_path / "out")
    assert results == {"report": {"seconds": 1.5}}
    assert json.loads((tmp_path / "out" / "report.json").read_text()) == {"seconds": 1.5}


def test_timed_call_returns_the_result_and_positive_figures():
    result, figures = timed_call(lambda: sum(range(1000)))
    assert result == 499500
    assert figures["seconds"] >= 0 and figures["peak_rss_mb"] > 10


def test_median_seconds_is_the_middle_of_the_runs():
    assert median_seconds(lambda: None, repeats=3) >= 0
