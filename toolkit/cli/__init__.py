"""The `toolkit` command line (`toolkit --help`).

`commands` holds the commands (run, ingest, gate, bench, ...), `evaluate` the `toolkit eval`
group, and `output` the progress and error lines they print.
"""

import os

# Offline by construction, whatever the caller's environment says.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

from toolkit.cli.commands import app, main  # noqa: E402

__all__ = ["app", "main"]
