"""The privacy benchmark suite runs on a tiny input, with and without Presidio (no timings asserted)."""

import importlib.util

import pytest

from toolkit.core.paths import DEFAULT_CONFIG
from toolkit.quality import benchmarks
from toolkit.quality.benchmarks import privacy as suite


def test_privacy_suite_is_registered():
    assert "privacy" in benchmarks.available_suites()


def test_suite_skips_presidio_cleanly_when_not_installed(monkeypatch):
    real = importlib.util.find_spec
    monkeypatch.setattr(
        suite.importlib.util,
        "find_spec",
        lambda name, *a: None if name == "presidio_analyzer" else real(name, *a),
    )
    result = suite.bench_privacy(DEFAULT_CONFIG, max_posts=5, repeats=1)
    assert "not installed" in result["presidio"]
    assert {"sample", "realistic_dev", "realistic_heldout", "realistic_heldout2"} <= set(
        result["files"]
    )
    assert set(result["files"]) <= {
        "sample",
        "realistic_dev",
        "realistic_heldout",
        "realistic_heldout2",
        *suite.SHARED_FILES,
    }
    for figures in result["files"].values():
        (ours,) = figures["models"]
        assert ours["model"] == "toolkit.privacy.detect.analyzer" and ours["n_posts"] == 5
        assert {
            "precision",
            "recall",
            "f2",
            "posts_per_second",
            "posts_per_cpu_second",
            "peak_rss_mb",
        } <= set(ours)


@pytest.mark.skipif(
    importlib.util.find_spec("presidio_analyzer") is None, reason="presidio not installed"
)
def test_suite_runs_presidio_side_by_side_offline():
    result = suite.bench_privacy(DEFAULT_CONFIG, max_posts=3, repeats=1)
    model, note = suite.presidio_name()
    assert result["presidio"] == note
    models = result["files"]["realistic_dev"]["models"]
    assert [m["model"] for m in models] == ["toolkit.privacy.detect.analyzer", model]
    assert "any_f2" in models[0] and "any_f2" in models[1]
    assert "speed_ratio_cpu" in result["files"]["realistic_dev"]
