"""toolkit.pipeline on a real LocalCluster of 2 worker processes (started once for this module):
the Dask engine gives the local engine's tables, and a worker killed mid-run loses no row
and duplicates none."""

import os
import sys
from pathlib import Path

import cloudpickle
import numpy as np
import pandas as pd
import pytest

from toolkit.analysis.tone.posts import default_scorer
from toolkit.analysis.topics import model as topics
from toolkit.core.config import load_config
from toolkit.pipeline import (
    AnalysisSettings,
    analyse_partition_file,
    dask_client,
    map_partitions,
    n_partitions_for,
    run_pipeline,
)
from toolkit.pipeline.cluster import worker_pids
from toolkit.pipeline.engine import read_outputs

KEY = ["platform", "post_id"]
# Workers unpickle this module's helpers by value: they cannot import a test module.
cloudpickle.register_pickle_by_value(sys.modules[__name__])


class HashEmbedder:
    """A fast, deterministic stand-in for MiniLM: L2-normalised hashed word counts."""

    name = "test-hash"
    dim = 64

    def encode(self, texts):
        from sklearn.feature_extraction.text import HashingVectorizer

        vectors = HashingVectorizer(n_features=self.dim, alternate_sign=False, norm="l2")
        out = vectors.transform(list(texts)).toarray().astype(np.float32)
        out[out.sum(axis=1) == 0, 0] = 1.0
        return out


def small_topic_model(config):
    return topics.TopicModel(
        min_topic_size=0.05,
        seed=config.analysis.seed,
        embedder=HashEmbedder(),
        representation="ctfidf",
        brand_terms=config.brand.names(),
    )


@pytest.fixture(scope="module")
def config():
    base = load_config()
    params = base.analysis.topics.model_copy(update={"max_docs": 500})
    return base.model_copy(update={"analysis": base.analysis.model_copy(update={"topics": params})})


@pytest.fixture(scope="module")
def client():
    with dask_client(n_workers=2, memory_limit="2GiB") as active:
        yield active


@pytest.fixture(scope="module")
def runs(config, client, tmp_path_factory):
    """Both engines on the sample, without topics (see the slow test for topics)."""
    out = tmp_path_factory.mktemp("scale")
    local = run_pipeline(config, "local", out_dir=out / "local", with_topics=False)
    dask = run_pipeline(
        config, "dask", client=client, out_dir=out / "dask", partition_rows=1000, with_topics=False
    )
    return local, dask


def by_key(frame):
    return frame.sort_values(KEY, kind="stable").reset_index(drop=True)


def assert_same_posts(local, dask, extra=()):
    a, b = by_key(local.posts), by_key(dask.posts)
    assert len(a) == len(b) == local.ingest_summary["total"]["loaded"]
    assert a[KEY].equals(b[KEY])
    exact = [
        "post_type",
        "thread_id",
        "author",
        "text",
        "text_redacted",
        "sentiment",
        "interactions",
        "created_at",
        *extra,
    ]
    pd.testing.assert_frame_equal(a[exact], b[exact])
    floats = [
        "sentiment_compound",
        "engagement_rate_followers",
        "engagement_rate_views",
        "virality",
    ]
    pd.testing.assert_frame_equal(a[floats], b[floats], check_exact=False, rtol=1e-12)


def test_dask_engine_gives_the_local_engines_posts(runs):
    local, dask = runs
    assert dask.engine == "dask" and local.n_partitions == 1
    assert dask.n_partitions == n_partitions_for(len(local.posts), 1000) > 2
    assert_same_posts(local, dask)
    assert "topic" not in dask.posts.columns and dask.topic_model is None


def test_dask_engine_gives_the_local_engines_tables(runs):
    local, dask = runs
    assert dask.ingest_summary == local.ingest_summary
    pd.testing.assert_frame_equal(dask.privacy, local.privacy)
    assert dask.privacy["n_scanned"].iloc[0] == len(local.posts)
    responses_local, responses_dask = by_key(local.responses), by_key(dask.responses)
    assert len(responses_local) > 100
    pd.testing.assert_frame_equal(responses_dask, responses_local, check_dtype=False)
    pd.testing.assert_frame_equal(
        dask.response_summary, local.response_summary, check_exact=False, rtol=1e-12
    )


def test_dask_engine_gives_the_local_engines_metric_set(runs):
    """One orchestration: both engines end with `compute_metrics` of the analysed posts."""
    local, dask = runs
    assert set(dask.metrics) == set(local.metrics) and "daily" in local.metrics
    assert "spikes_sentiment" in local.metrics and "responses_by_topic" not in local.metrics
    for name, table in local.metrics.items():
        pd.testing.assert_frame_equal(dask.metrics[name], table, check_exact=False, rtol=1e-9)


@pytest.mark.slow
def test_dask_engine_assigns_the_local_engines_topics(config, client, tmp_path):
    """The model is fitted on the same hash-chosen sample, then broadcast to the workers."""
    local = run_pipeline(
        config, "local", out_dir=tmp_path / "local", topic_model=small_topic_model(config)
    )
    dask = run_pipeline(
        config,
        "dask",
        client=client,
        out_dir=tmp_path / "dask",
        partition_rows=1000,
        topic_model=small_topic_model(config),
    )
    assert local.topic_model.model_ is not None and local.topic_model.n_topics_ >= 2
    assert dask.topic_model.topic_info_.equals(local.topic_model.topic_info_)
    assert_same_posts(local, dask, extra=["topic"])
    topic = by_key(local.posts)["topic"]
    assert topic.notna().sum() > 1000 and topic.nunique() >= 2


def test_dask_engine_outputs_read_back_with_dask_dataframe(runs, client):
    import dask.dataframe as dd

    local, dask = runs
    frame = dd.read_parquet(dask.posts_dir)
    assert frame.npartitions == dask.n_partitions
    counts = frame.groupby("sentiment")["post_id"].count().compute().sort_index()
    assert counts.to_dict() == local.posts["sentiment"].value_counts().sort_index().to_dict()


def test_dask_engine_writes_the_ingest_outputs(runs):
    _, dask = runs
    ingest = dask.out_dir / "ingest"
    assert (ingest / "ingest_summary.json").is_file()
    assert oct(os.stat(ingest / "rejects.parquet").st_mode & 0o777) == "0o600"
    assert oct(os.stat(ingest / "private" / "identifiers.json").st_mode & 0o777) == "0o600"
    assert len(list((dask.out_dir / "partitions").glob("part-*.parquet"))) == dask.n_partitions


def dies_once(path, *, out_dir, settings, scorer, model=None, flag_dir):
    """The real task, except that the worker process dies on the first attempt of partitions
    0 (before any write) and 1 (after writing its output): the scheduler retries elsewhere."""
    flag = Path(flag_dir) / f"{Path(path).stem}.died"
    first_attempt = not flag.exists()
    if first_attempt and Path(path).name == "part-00000.parquet":
        flag.touch()
        os._exit(1)
    result = analyse_partition_file(path, out_dir, settings, scorer, model)
    if first_attempt and Path(path).name == "part-00001.parquet":
        flag.touch()
        os._exit(1)
    return result


def test_a_worker_killed_mid_run_loses_and_duplicates_no_row(runs, client, config, tmp_path):
    local, dask = runs
    before = set(worker_pids(client).values())
    paths = sorted((dask.out_dir / "partitions").glob("part-*.parquet"))
    task = lambda path, **kw: dies_once(path, flag_dir=tmp_path, **kw)  # noqa: E731
    results = map_partitions(
        client,
        paths,
        tmp_path / "out",
        AnalysisSettings.from_config(config),
        default_scorer(),
        task=task,
    )
    assert sorted(p.name for p in tmp_path.glob("*.died")) == ["part-00000.died", "part-00001.died"]
    client.wait_for_workers(2, timeout=60)
    assert set(worker_pids(client).values()) != before  # the nanny replaced the dead workers
    assert sum(r["rows"] for r in results) == len(local.posts)
    posts = read_outputs(tmp_path / "out" / "posts", paths)
    assert not posts.duplicated(KEY).any()
    assert by_key(posts)[KEY].equals(by_key(local.posts)[KEY])
    assert by_key(posts)["sentiment"].equals(by_key(local.posts)["sentiment"])
    assert not list((tmp_path / "out" / "posts").glob(".*tmp"))


def test_dask_client_connects_to_an_existing_scheduler_and_leaves_it_running(client):
    with dask_client(client.scheduler.address) as remote:
        assert remote.submit(sum, [1, 2, 3], pure=False).result() == 6
    assert client.submit(sum, [4, 5], pure=False).result() == 9
    assert len(worker_pids(client)) == 2


def test_run_pipeline_refuses_an_unknown_engine(config):
    with pytest.raises(ValueError, match="engine must be one of"):
        run_pipeline(config, "spark")


def test_reports_ingest_on_the_dask_engine_gives_the_local_engines_files(
    config, client, tmp_path, monkeypatch
):
    from toolkit.report.session import ensure_ingested

    monkeypatch.setenv("TOOLKIT_WORK_DIR", str(tmp_path / "dask"))
    on_dask = ensure_ingested(config.model_copy(update={"engine": "dask"}), client=client)
    monkeypatch.setenv("TOOLKIT_WORK_DIR", str(tmp_path / "local"))
    local = ensure_ingested(config)
    pd.testing.assert_frame_equal(on_dask, local)
    for name in ("ingest_summary.json", "rejects.csv", "private/identifiers.json"):
        dask_file = tmp_path / "dask" / config.name / name
        assert dask_file.read_text() == (tmp_path / "local" / config.name / name).read_text()
