"""Read raw platform files into the canonical posts table, accounting for every row.

Public API: `ingest_file`, `ingest_config`, `load_posts`, `write_outputs`, `detect_format`, `FORMATS`,
and the result types `IngestResult` and `IngestRun`.
"""

from toolkit.config import FORMATS as _CONFIG_FORMATS

from .base import IngestResult, ReconciliationError
from .detect import FORMATS, UnknownFormatError, detect_format
from .files import ingest_file
from .pipeline import IngestRun, ingest_config, load_posts, write_outputs

if set(FORMATS) != set(_CONFIG_FORMATS) - {"auto"}:  # pragma: no cover - a programming error
    raise ImportError("toolkit.ingest.FORMATS and toolkit.config.FORMATS disagree")

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
