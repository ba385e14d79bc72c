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


def test_the_report_bench_builds_the_previous_period_beside_the_sample_as_make_report_does():
    from toolkit.core.config import load_config
    from toolkit.core.paths import DEFAULT_CONFIG
    from toolkit.quality.benchmarks.report import previous_period

    sample = load_config(DEFAULT_CONFIG)
    assert [c.name for c in previous_period(sample)] == ["sample-previous"]
    assert previous_period(previous_period(sample)[0]) == []  # it compares with nothing


def test_timed_call_returns_the_result_and_positive_figures():
    result, figures = timed_call(lambda: sum(range(1000)))
    assert result == 499500
    assert figures["seconds"] >= 0 and figures["peak_rss_mb"] > 10


def test_median_seconds_is_the_middle_of_the_runs():
    assert median_seconds(lambda: None, repeats=3) >= 0


# ------------------------------------------------------------------ README figures from reports/bench
REPORT_JSON = {
    "reports": ["sample-previous", "sample"],
    "cold": {"seconds": 86.4, "peak_rss_mb": 1433.0},
    "unchanged_runs": [
        {"seconds": 1.7, "peak_rss_mb": 58.0},
        {"seconds": 1.6, "peak_rss_mb": 61.0},
        {"seconds": 1.5, "peak_rss_mb": 60.0},
    ],
    "unchanged_median_seconds": 1.6,
    "targets": {"cold_seconds": 120, "unchanged_seconds": 5},
}
TONE_JSON = {
    "n_posts": 100_000,
    "repeats": 3,
    "targets": {"posts_per_s": 20_000},
    "throughput": {"tone": {"posts_per_s": 60_512}, "vader": {"posts_per_s": 26_049}},
}
README = """# x

<!-- bench:report-summary -->
old summary
<!-- /bench -->

text between

<!-- bench:tone -->
| old | tone |
<!-- /bench -->

<!-- bench:privacy -->
| hand-typed | privacy |
<!-- /bench -->
"""


def _bench_dir(tmp_path, **suites):
    folder = tmp_path / "bench"
    folder.mkdir()
    for name, data in suites.items():
        (folder / f"{name}.json").write_text(json.dumps(data))
    return folder


def test_readme_blocks_are_drawn_from_the_json_and_a_second_run_changes_nothing(tmp_path):
    from toolkit.quality.benchmarks.readme import update_readme

    bench = _bench_dir(tmp_path, report=REPORT_JSON, tone=TONE_JSON)
    readme = tmp_path / "README.md"
    readme.write_text(README)
    notes = []
    assert update_readme(readme, bench, notes.append)
    text = readme.read_text()
    assert "| `make report` on the sample (sample-previous and sample) |" in text
    assert (
        "| cold: no working data, reports or embedding caches, new kernels (UMAP's numba code "
        "compiled once by `make setup`) | 86 s | 1.4 GB |" in text
    )
    assert "| nothing changed (median of 3) | 1.6 s | 60 MB |" in text
    assert (
        "| `tone` | scoring 100,000 posts, median of 3 | 60,500 posts/s | VADER 26,000 posts/s |"
        in text
    )
    assert "old summary" not in text and "| old | tone |" not in text
    assert "text between" in text
    assert text.count("<!-- /bench -->") == 3
    # privacy.json is missing: its block stays as it was, and a note says so
    assert "| hand-typed | privacy |\n<!-- /bench -->" in text
    assert len(notes) == 1 and "bench:privacy" in notes[0] and "not found" in notes[0]
    assert not update_readme(readme, bench, notes.append)
    assert readme.read_text() == text


def test_a_readme_block_the_json_cannot_fill_is_left_with_a_note(tmp_path):
    from toolkit.quality.benchmarks.readme import update_text

    bench = _bench_dir(tmp_path, tone={"error": "interrupted"})
    notes = []
    text = "<!-- bench:tone -->\nkept\n<!-- /bench -->\n<!-- bench:nosuch -->\nkept too\n<!-- /bench -->\n"
    assert update_text(text, bench, notes.append) == text
    assert [n.split(":")[1] for n in notes] == ["tone", "nosuch"]


def test_every_suite_table_draws_from_its_suites_json_shape():
    from toolkit.quality.benchmarks import readme

    ingest = {
        "machine": {"cpus": 2},
        "target_posts_per_s": 100_000,
        "results": [
            {
                "rows": 1_000_000,
                "format": fmt,
                "toolkit": {"posts_per_s": 115_912, "peak_rss_mb": 727},
                "toolkit_one_process": {"posts_per_s": 73_200},
                "baseline": {"posts_per_s": 57_000, "peak_rss_mb": 4812},
            }
            for fmt in ("jsonl", "csv")
        ],
    }
    assert (
        "| `ingest` | streaming ingest, 1,000,000 posts JSONL / CSV, 2 workers | 115,900 / 115,900 "
        "posts/s, 727 MB / 727 MB | pandas read + `to_parquet`: 57,000 / 57,000 posts/s, 4.7 GB / "
        "4.7 GB; toolkit in 1 process: 73,200 / 73,200 posts/s | 100,000 posts/s |"
    ) in readme.ingest_suite(ingest)
    topics = {
        "runs": [
            {"model": "stock", "n_docs": 10_000, "posts_per_s": 78.2, "outlier_share": 0.083},
            {
                "model": "toolkit-static",
                "n_docs": 100_000,
                "seconds": 60.2,
                "peak_rss_mb": 2458,
                "outlier_share": 0.035,
                "speedup_vs_stock_per_post": 21.3,
                "target": {"seconds": 180, "peak_rss_mb": 6144},
            },
        ]
    }
    assert (
        "| 60 s, 2.4 GB, 3.5% outliers | stock BERTopic: 78 posts/s (10,000 posts, 8.3% outliers) = "
        "21.3x per post | 180 s, 6.0 GB |" in readme.topics_suite(topics)
    )
    metrics = {
        "rows": 10_000_000,
        "threads": 2,
        "ratio_rows": 1_000_000,
        "pandas_over_duckdb_ratio": 5.6,
        "duckdb": {"median_seconds": 18.0, "peak_rss_mb": 2662},
        "duckdb_at_pandas_size": {"median_seconds": 2.2},
        "pandas": {"median_seconds": 12.0},
        "targets": {"seconds": 20, "peak_rss_gb": 6},
    }
    assert (
        "| 18 s, 2.6 GB | pandas at 1,000,000: 12 s vs DuckDB 2.2 s = 5.6x | 20 s, 6 GB |"
        in readme.metrics_suite(metrics)
    )
    privacy = {
        "targets": {"speed_vs_presidio_sm": 5},
        "files": {
            "btc_dev": {
                "speed_ratio_wall": 3.9,
                "models": [
                    {
                        "model": "toolkit",
                        "n_posts": 1000,
                        "posts_per_second": 499.8,
                        "f2": 0.653,
                        "any_f2": 0.734,
                    },
                    {
                        "model": "presidio",
                        "n_posts": 1000,
                        "posts_per_second": 128.4,
                        "f2": 0.244,
                        "any_f2": 0.327,
                    },
                ],
            }
        },
    }
    assert (
        "| detector on `btc_dev` (1,000 posts; Broad Twitter Corpus, real tweets (dev split, tuned on)) | "
        "500 posts/s, F2 0.65 typed / 0.73 any type | presidio: 128 posts/s, F2 0.24 typed / 0.33 any type; "
        "ours 3.9x faster | 5x Presidio's speed |" in readme.privacy_suite(privacy)
    )
    dask = {
        "targets": {"ratio_dask_to_local": 1.5},
        "sizes": [
            {
                "rows": 1_000_000,
                "local": {"seconds": 136.0},
                "dask_1_worker": {"seconds": 133.0},
                "dask_2_workers": {"seconds": 70.0, "peak_rss_mb_per_worker": [700.0, 690.0]},
                "ratio_dask_1_worker_to_local": 0.978,
                "ratio_dask_2_workers_to_local": 0.514,
            }
        ],
    }
    assert (
        "| 1 worker 133 s, 2 workers 70 s, 700 MB per worker | local engine 136 s: Dask/local 0.98 "
        "and 0.51 | within 1.5x of local |" in readme.dask_suite(dask)
    )
    assert "| 86 s, 1.4 GB / 1.6 s | – | 120 s / 5 s |" in readme.report_suite(REPORT_JSON)


def test_the_readme_marks_only_blocks_the_script_knows():
    from pathlib import Path

    from toolkit.quality.benchmarks.readme import BLOCK, BLOCKS

    text = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    names = [m["name"] for m in BLOCK.finditer(text)]
    assert names and set(names) <= set(BLOCKS)
