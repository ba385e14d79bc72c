"""The one analysis orchestration: ingest, the per-post analyses and the full metric set, on
this machine or on Dask over thread-preserving Parquet partitions.

`run_pipeline(config, engine="local" | "dask")` gives the same tables on either engine and
ends with `compute_metrics` (`toolkit.pipeline.metrics`) of the analysed posts;
`published_metrics` (`toolkit.pipeline.publish`) makes those tables publishable;
`dask_client` connects to a scheduler or starts a local cluster; `ingest_to_partitions`
ingests a config's sources on the workers and writes partitions that keep conversations
together without the driver holding the posts. See the README section "Scaling out on Dask".
"""

from toolkit.ingest.dask_ingest import IngestedPartitions, ingest_to_partitions
from toolkit.ingest.partition import (
    DEFAULT_PARTITION_ROWS,
    conversation_keys,
    n_partitions_for,
    partition_of,
    write_partitions,
    write_partitions_from_parquet,
)
from toolkit.pipeline.analyse import (
    AnalysisSettings,
    analyse_posts,
    combine_privacy,
    redact_and_count,
)
from toolkit.pipeline.cluster import dask_client
from toolkit.pipeline.engine import (
    PipelineResult,
    analyse_partition_file,
    map_partitions,
    run_pipeline,
)
from toolkit.pipeline.metrics import compute_metrics
from toolkit.pipeline.publish import published_metrics

__all__ = [
    "DEFAULT_PARTITION_ROWS",
    "AnalysisSettings",
    "IngestedPartitions",
    "PipelineResult",
    "analyse_partition_file",
    "analyse_posts",
    "combine_privacy",
    "compute_metrics",
    "conversation_keys",
    "dask_client",
    "ingest_to_partitions",
    "map_partitions",
    "n_partitions_for",
    "partition_of",
    "published_metrics",
    "redact_and_count",
    "run_pipeline",
    "write_partitions",
    "write_partitions_from_parquet",
]
