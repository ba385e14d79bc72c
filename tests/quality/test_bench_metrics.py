"""The metrics benchmark suite on ~2,000 synthetic posts: the generator's data is canonical
and realistic, the pandas baseline agrees with the engine, and the suite reports its figures.
Timings are never asserted."""

import pandas as pd
import pyarrow.parquet as pq
import pytest

from toolkit.core.config import load_config
from toolkit.core.paths import DEFAULT_CONFIG
from toolkit.core.schema import ARROW_SCHEMA, from_arrow, validate_posts
from toolkit.pipeline.metrics import compute_metrics
from toolkit.quality.benchmarks import metrics as bench
from toolkit.quality.benchmarks import synthetic_posts as synthetic

ROWS = 2000


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    config = load_config(DEFAULT_CONFIG)
    path = synthetic.generate_posts(
        config, ROWS, tmp_path_factory.mktemp("bench") / "posts.parquet", seed=1
    )
    return config, path


def test_generated_posts_are_canonical_and_realistic(generated):
    config, path = generated
    table = pq.read_table(path)
    assert table.schema.equals(ARROW_SCHEMA)
    posts = from_arrow(table)
    validate_posts(posts)
    assert abs(len(posts) - ROWS) <= len(synthetic.KINDS)
    assert posts["post_id"].is_unique
    brand = posts["is_brand"].astype(bool)
    assert 0.1 < brand.mean() < 0.2 and {"post", "reply", "comment"} <= set(
        posts.loc[brand, "post_type"]
    )
    replies = posts.dropna(subset=["reply_to_id"])
    assert replies["reply_to_id"].isin(set(posts["post_id"])).all()  # every parent is loaded
    assert posts.loc[posts["platform"] == "reddit", "views"].isna().all()
    assert posts.loc[posts["platform"] == "twitter", "views"].notna().all()
    assert posts["author"].nunique() > 100
    assert set(posts["platform"]) == set(synthetic.PLATFORMS)
    in_campaign = posts["text"].str.contains("GLOW25", regex=False)
    assert in_campaign.any()


def test_same_seed_same_file(generated, tmp_path):
    config, path = generated
    again = synthetic.generate_posts(config, ROWS, tmp_path / "again.parquet", seed=1)
    assert pq.read_table(again).equals(pq.read_table(path))


def test_pandas_baseline_agrees_with_the_engine(generated):
    config, path = generated
    engine = compute_metrics(path, config)
    baseline = bench.pandas_metrics(path, config)
    kpis = engine["kpis_by_platform"].set_index("platform")
    base_kpis = baseline["kpis_by_platform"].set_index("platform")
    for platform, row in base_kpis.iterrows():
        assert kpis.loc[platform, "n_posts"] == row["n_posts"]
        assert kpis.loc[platform, "total_interactions"] == row["total_interactions"]
        assert kpis.loc[platform, "median_engagement_rate_followers"] == pytest.approx(
            row["median_engagement_rate_followers"], nan_ok=True
        )
    responses = engine["responses_by_platform"].set_index("platform")
    for platform, row in baseline["responses_by_platform"].set_index("platform").iterrows():
        assert responses.loc[platform, "n_posts"] == row["n_posts"]
    sov = engine["share_of_voice"].set_index(["platform", "entity"])["n_posts"]
    base_sov = baseline["share_of_voice"].set_index(["platform", "entity"])["n_posts"]
    assert base_sov.to_dict() == sov.drop("all", level="platform").to_dict()
    daily = engine["daily"].set_index("date")["n_posts"]
    base_daily = baseline["daily"].set_index("local")["n_posts"]
    assert base_daily.sum() == daily.sum()
    assert list(base_daily.to_numpy()) == list(daily[daily > 0].to_numpy())


def test_suite_reports_both_engines_at_a_small_size(monkeypatch):
    monkeypatch.setenv("TOOLKIT_BENCH_MAX_ROWS", str(ROWS))
    result = bench.bench_metrics(DEFAULT_CONFIG, repeats=1)
    assert result["rows"] == ROWS and result["ratio_rows"] == ROWS
    for engine in ("duckdb", "pandas"):
        run = result[engine]
        assert "error" not in run, run.get("error")
        assert run["rows"] == ROWS and len(run["seconds"]) == 1
        assert run["median_seconds"] > 0 and run["peak_rss_mb"] > 0
    assert result["pandas_over_duckdb_ratio"] > 0
    assert result["targets"] == {"seconds": 20, "peak_rss_gb": 6, "rows": 10_000_000}
    assert isinstance(pd.Series(result["parquet_mb"]).sum(), float)
