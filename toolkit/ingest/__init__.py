"""Read raw platform files into the canonical posts table, accounting for every row.

Public API: `ingest_file`, `ingest_config`, `load_posts`, `write_outputs`, `detect_format`, `FORMATS`,
and the result types `IngestResult` and `IngestRun`. Files larger than memory:
`toolkit.ingest.stream.ingest_to_parquet` (imported on demand: it needs DuckDB).
"""

from toolkit.ingest.base import IngestResult, ReconciliationError
from toolkit.ingest.detect import FORMATS, UnknownFormatError, detect_format
from toolkit.ingest.files import ingest_file
from toolkit.ingest.pipeline import IngestRun, ingest_config, load_posts, write_outputs

__all__ = [
    "FORMATS",
    "IngestResult",
    "IngestRun",
    "ReconciliationError",
    "UnknownFormatError",
    "detect_format",
    "ingest_config",
    "ingest_file",
    "load_posts",
    "write_outputs",
]
