"""`run_pipeline`: ingest, personal data, tone, engagement, brand responses and topics, on
the local engine (this process, all posts at once) or on Dask (partition by partition), then
the full metric set of the analysed posts (`toolkit.pipeline.metrics.compute_metrics`).

Both engines call the same functions (`toolkit.pipeline.analyse`); the Dask engine maps them
over thread-preserving Parquet partitions and combines the pieces exactly, so the tables
are equal. What runs where on Dask (`toolkit.ingest.dask_ingest` for the ingest steps):

- workers: reading each source file straight to Parquet (one task per file, bounded memory),
  and per partition every per-post step and the brand responses; each partition's rows are
  written by its task to a fixed file name, atomically, so a task retried after a worker
  died replaces its file instead of adding rows;
- driver, out of core (DuckDB spilling to disk, Arrow batches): the cross-file ingest step
  (duplicates, reply links, period) and writing the partitions; it holds the posts' four id
  columns to find conversations, never the posts themselves;
- driver: choosing the topic sample and fitting the topic model, combining small tables, and
  the metric set (DuckDB over the analysed partitions' Parquet files, out of core).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from contextlib import nullcontext
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from toolkit.analysis import attentiveness
from toolkit.analysis.tone import posts as sentiment
from toolkit.analysis.topics import model as topics
from toolkit.core.config import Config
from toolkit.ingest.partition import (
    DEFAULT_PARTITION_ROWS,
    partition_path,
    read_partition,
    write_atomically,
)
from toolkit.pipeline.analyse import (
    TOPIC_COLUMN,
    AnalysisSettings,
    analyse_posts,
    choose_sample,
    combine_privacy,
    fit_topic_model,
    topic_sample_candidates,
)
from toolkit.pipeline.cluster import DEFAULT_MEMORY_LIMIT, dask_client
from toolkit.pipeline.metrics import compute_metrics

log = logging.getLogger(__name__)
ENGINES = ("local", "dask")


@dataclass(eq=False)
class PipelineResult:
    """Tables of one pipeline run (the same on either engine).

    Attributes
    ----------
    engine : str
    posts : DataFrame or None
        Canonical posts with sentiment, redacted text, engagement rates and topic (None
        when the Dask engine ran with ``collect_posts=False``: read `posts_dir` instead).
    privacy : DataFrame
        Personal data found per entity type (`analysis.PRIVACY_COLUMNS`).
    responses : DataFrame
        `attentiveness.brand_responses` rows.
    response_summary : DataFrame
        `attentiveness.response_summary` per platform.
    metrics : dict of str to DataFrame
        `compute_metrics` of the analysed posts (tone and, with topics, the topic column):
        unsuppressed; publish through `toolkit.pipeline.publish.published_metrics`.
    ingest_summary : dict
        The ingest reconciliation.
    topic_model : TopicModel or None
        The model fitted on the topic sample.
    n_partitions : int
        1 on the local engine.
    out_dir : Path
        Where the run wrote its files.
    posts_dir : Path or None
        Dask engine: the per-partition Parquet files of `posts` (for `dask.dataframe.read_parquet`).
    """

    engine: str
    posts: pd.DataFrame | None
    privacy: pd.DataFrame
    responses: pd.DataFrame
    response_summary: pd.DataFrame
    ingest_summary: dict
    metrics: dict[str, pd.DataFrame] = field(default_factory=dict, repr=False)
    topic_model: topics.TopicModel | None = field(default=None, repr=False)
    n_partitions: int = 1
    out_dir: Path | None = None
    posts_dir: Path | None = None


def default_topic_model(config: Config, n_posts: int) -> topics.TopicModel:
    """An unfitted TopicModel with the config's topic parameters, seed, brand terms and
    embedding model (`embedding_model: auto` resolved for `n_posts` posts to model).

    `max_docs` is None: the pipeline chooses the sample itself (`analysis.choose_sample`).
    """
    from toolkit.analysis.topics.embeddings import choose_embedding, make_embedder

    backend = choose_embedding(config.analysis.embedding_model, n_posts)
    params = config.analysis.topics
    return topics.TopicModel(
        min_topic_size=params.min_topic_size,
        nr_topics=params.nr_topics,
        max_docs=None,
        seed=config.analysis.seed,
        embedder=make_embedder(backend, threads=config.analysis.threads, progress=False),
        brand_terms=config.brand.terms(),
    )


@dataclass(frozen=True)
class _ModelChoice:
    """Whether to model topics, and the unfitted model to fit (None: from the config)."""

    wanted: bool
    model: topics.TopicModel | None

    def fit(self, config: Config, sample: pd.DataFrame, n_posts: int) -> topics.TopicModel:
        return fit_topic_model(sample, self.model or default_topic_model(config, n_posts))


def run_pipeline(
    config: Config,
    engine: str | None = None,
    *,
    client=None,
    out_dir: str | Path | None = None,
    partition_rows: int = DEFAULT_PARTITION_ROWS,
    topic_model: topics.TopicModel | None = None,
    with_topics: bool = True,
    scorer: sentiment.SentimentScorer | None = None,
    n_workers: int = 2,
    memory_limit: str | int = DEFAULT_MEMORY_LIMIT,
    collect_posts: bool = True,
) -> PipelineResult:
    """Run ingest and the per-post analyses of a config on the local or the Dask engine.

    Parameters
    ----------
    config : Config
    engine : {"local", "dask"}, optional
        Default `config.engine`.
    client : distributed.Client, optional
        Dask engine: use this client. Default: `dask_client(config.scheduler, n_workers,
        memory_limit)` for the duration of the run.
    out_dir : str or Path, optional
        Working folder of the run; default ``config.work_dir / "pipeline" / engine``. On a
        remote cluster it must be a path the driver and every worker see (shared storage).
    partition_rows : int
        Dask engine: target posts per partition. A worker holds one partition and its
        results at a time, so this bounds memory per worker (see the README).
    topic_model : TopicModel, optional
        Unfitted model to fit on the topic sample; default `default_topic_model`.
    with_topics : bool
        Fit and assign topics.
    scorer : SentimentScorer, optional
        Default `sentiment.default_scorer()` (the toolkit's tone model).
    n_workers, memory_limit :
        For the local cluster started when no client and no scheduler are given.
    collect_posts : bool
        Dask engine: read the analysed posts back into `PipelineResult.posts`. Turn off when
        they do not fit in the driver's memory and read `PipelineResult.posts_dir` with Dask.
    """
    engine = engine or config.engine
    if engine not in ENGINES:
        raise ValueError(f"engine must be one of {ENGINES}, not {engine!r}")
    out_dir = Path(out_dir) if out_dir is not None else config.work_dir / "pipeline" / engine
    scorer = scorer or sentiment.default_scorer()
    choice = _ModelChoice(with_topics, topic_model)
    if engine == "local":
        return _run_local(config, out_dir, scorer, choice)
    context = (
        nullcontext(client)
        if client is not None
        else dask_client(config.scheduler, n_workers=n_workers, memory_limit=memory_limit)
    )
    with context as active:
        return _run_dask(active, config, out_dir, scorer, choice, partition_rows, collect_posts)


def _run_local(config, out_dir: Path, scorer, choice: _ModelChoice) -> PipelineResult:
    from toolkit.ingest import ingest_config

    run = ingest_config(config, out_dir / "ingest")
    settings = AnalysisSettings.from_config(config)
    model = None
    if choice.wanted:
        model = choice.fit(config, *topic_sample_candidates(run.posts, settings, _size(config)))
    tables = analyse_posts(run.posts, settings, scorer, model)
    return _result(
        config,
        engine="local",
        posts=tables["posts"],
        metrics_source=tables["posts"],
        privacy_parts=[tables["privacy"]],
        responses=tables["responses"],
        ingest_summary=run.summary,
        topic_model=model,
        n_partitions=1,
        out_dir=out_dir,
    )


def _run_dask(
    client,
    config,
    out_dir: Path,
    scorer,
    choice: _ModelChoice,
    partition_rows: int,
    collect_posts: bool,
) -> PipelineResult:
    from toolkit.ingest.dask_ingest import ingest_to_partitions

    ingested = ingest_to_partitions(
        client, config, out_dir / "ingest", out_dir / "partitions", partition_rows
    )
    paths, n_partitions = ingested.paths, len(ingested.paths)
    settings = AnalysisSettings.from_config(config)
    model = None
    if choice.wanted:
        model = choice.fit(config, *sample_on_cluster(client, paths, settings, _size(config)))
    folder = out_dir / "analysed"
    results = map_partitions(client, paths, folder, settings, scorer, model)
    posts = read_outputs(folder / "posts", paths) if collect_posts else None
    return _result(
        config,
        engine="dask",
        posts=posts,
        metrics_source=posts if posts is not None else str(folder / "posts" / "*.parquet"),
        privacy_parts=[r["privacy"] for r in results],
        responses=read_outputs(folder / "responses", paths),
        ingest_summary=ingested.summary,
        topic_model=model,
        n_partitions=n_partitions,
        out_dir=out_dir,
        posts_dir=folder / "posts",
    )


def _size(config: Config) -> int:
    return config.analysis.topics.max_docs


def _result(config, *, metrics_source, privacy_parts, responses, **fields) -> PipelineResult:
    topic_col = TOPIC_COLUMN if fields.get("topic_model") is not None else None
    return PipelineResult(
        privacy=combine_privacy(privacy_parts),
        responses=responses,
        response_summary=attentiveness.response_summary(
            responses, by=["platform"], tz=config.brand.timezone
        ),
        metrics=compute_metrics(
            metrics_source,
            config,
            score_col=sentiment.SCORE_COLUMN,
            label_col=sentiment.LABEL_COLUMN,
            topic_col=topic_col,
        ),
        **fields,
    )


def sample_on_cluster(
    client, paths: Sequence[Path], settings: AnalysisSettings, size: int
) -> tuple[pd.DataFrame, int]:
    """The topic sample of the partitions (each partition's smallest keys, then overall) and
    the number of posts in the topic corpus."""
    futures = client.map(_sample_file, list(paths), settings=settings, size=size, pure=False)
    parts = client.gather(futures)
    return choose_sample([p for p, _ in parts], size), sum(n for _, n in parts)


def _sample_file(path: Path, settings: AnalysisSettings, size: int) -> tuple[pd.DataFrame, int]:
    return topic_sample_candidates(read_partition(path), settings, size)


def analyse_partition_file(
    path: Path,
    out_dir: Path,
    settings: AnalysisSettings,
    scorer: sentiment.SentimentScorer,
    model: topics.TopicModel | None = None,
) -> dict:
    """Analyse one partition file (runs on a worker) and write its rows atomically.

    Writes ``out_dir/posts/<partition file>`` and ``out_dir/responses/<partition file>``:
    fixed names, so running the task twice leaves one copy of each row.

    Returns
    -------
    dict with partition (file name), rows (posts analysed) and privacy (counts).
    """
    path = Path(path)
    tables = analyse_posts(read_partition(path), settings, scorer, model)
    for name in ("posts", "responses"):
        target = Path(out_dir) / name / path.name
        target.parent.mkdir(parents=True, exist_ok=True)
        frame = tables[name]
        write_atomically(target, lambda tmp, f=frame: f.to_parquet(tmp, index=False))
    return {"partition": path.name, "rows": len(tables["posts"]), "privacy": tables["privacy"]}


def map_partitions(
    client,
    paths: Sequence[Path],
    out_dir: str | Path,
    settings: AnalysisSettings,
    scorer: sentiment.SentimentScorer,
    model: topics.TopicModel | None = None,
    task: Callable[..., dict] = analyse_partition_file,
) -> list[dict]:
    """Run `task` on every partition file on the cluster; the fitted model is sent to each
    worker once (`client.scatter(broadcast=True)`), not with every task.

    Parameters
    ----------
    client : distributed.Client
    paths : sequence of Path
        Partition files (`write_partitions` or `write_partitions_from_parquet`).
    out_dir : str or Path
        Output folder of the tasks.
    settings, scorer, model :
        As for `analyse_partition_file`.
    task : callable
        The per-partition function, `analyse_partition_file` or one with its signature.

    Returns
    -------
    list of the tasks' results, in partition order.
    """
    # only what `transform` needs: centroids and the (unloaded) embedder, not BERTopic
    shared = client.scatter(model.assigner(), broadcast=True) if model is not None else None
    futures = client.map(
        task,
        [Path(p) for p in paths],
        out_dir=Path(out_dir),
        settings=settings,
        scorer=scorer,
        model=shared,
        pure=False,
    )
    return client.gather(futures)


def read_outputs(folder: Path, paths: Sequence[Path]) -> pd.DataFrame:
    """Concatenate the output files of the given partitions (in partition order)."""
    frames = [pd.read_parquet(partition_path(folder, _number(p))) for p in paths]
    frames = [f for f in frames if len(f)] or frames[:1]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def _number(path: Path) -> int:
    return int(Path(path).stem.split("-")[1])
