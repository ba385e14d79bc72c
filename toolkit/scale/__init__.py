"""Scale out on Dask: the same analyses over thread-preserving Parquet partitions.

`run_pipeline(config, engine="local" | "dask")` gives the same tables on either engine;
`dask_client` connects to a scheduler or starts a local cluster; `write_partitions` keeps
conversations together. See the README section "Scaling out on Dask".
"""

from .analysis import AnalysisSettings, analyse_posts, combine_privacy, redact_and_count
from .cluster import dask_client
from .partition import (
    DEFAULT_PARTITION_ROWS,
    conversation_keys,
    n_partitions_for,
    partition_of,
    write_partitions,
)
from .pipeline import PipelineResult, analyse_partition_file, map_partitions, run_pipeline

__all__ = [
    "DEFAULT_PARTITION_ROWS",
    "AnalysisSettings",
    "PipelineResult",
    "analyse_partition_file",
    "analyse_posts",
    "combine_privacy",
    "conversation_keys",
    "dask_client",
    "map_partitions",
    "n_partitions_for",
    "partition_of",
    "redact_and_count",
    "run_pipeline",
    "write_partitions",
]
