"""The topics benchmark suite runs end to end on a tiny corpus (figures are not asserted)."""

import pytest

from toolkit.quality.benchmarks.topics import bench_topics, synthetic_corpus


def test_synthetic_corpus_has_distinct_posts_built_on_the_base_texts():
    corpus = synthetic_corpus(["router drops wifi", "refund still missing"], 500, seed=1)
    assert len(corpus) == 500
    assert corpus["text"].nunique() > 450
    assert corpus["text"].str.startswith(("router drops wifi ", "refund still missing ")).all()
    assert corpus.equals(
        synthetic_corpus(["router drops wifi", "refund still missing"], 500, seed=1)
    )


@pytest.mark.slow
def test_bench_topics_runs_ours_and_stock_side_by_side():
    figures = bench_topics(sizes=(400,), stock_docs=200)
    models = {run["model"]: run for run in figures["runs"]}
    assert set(models) == {"stock", "toolkit-static"}
    for run in models.values():
        assert run["exit_code"] == 0, run["stderr_tail"]
        assert run["seconds"] > 0 and run["peak_rss_mb"] > 0 and run["n_topics"] >= 1
    assert "speedup_vs_stock_per_post" in models["toolkit-static"]
