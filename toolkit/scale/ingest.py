"""Ingest on a Dask cluster: one task per source file (the loaders are per file), then the
cross-file step and the thread-preserving Parquet partitions on the driver.

Workers read the pseudonymisation key from their own environment (`config.hmac_key()`), so
the key never travels with a task; only pseudonymised posts and the raw identifiers the
privacy gate needs come back.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from toolkit.config import Config
from toolkit.ingest import IngestResult, ingest_file
from toolkit.ingest.identities import Identities
from toolkit.ingest.pipeline import build_summary, combine_results, write_private_json
from toolkit.pseudonymise import Pseudonymiser

from .partition import write_atomically

_PRIVATE_FILE_MODE = 0o600


def ingest_source(config: Config, index: int) -> tuple[IngestResult, dict[str, list[str]]]:
    """Ingest source number `index` of `config` (runs on a worker).

    Returns
    -------
    (result, identifiers)
        The file's `IngestResult` without its `Identities` (which hold the key) and the raw
        identifiers it saw, as `Identities.to_dict()`.
    """
    brand = [h for handles in config.brand.accounts.values() for h in handles]
    identities = Identities(Pseudonymiser(config.hmac_key(), brand), brand)
    src = config.sources[index]
    result = ingest_file(
        src.path,
        src.format,
        src.platform,
        src.mapping or None,
        identities=identities,
        timestamp_format=src.timestamp_format,
    )
    return dataclasses.replace(result, identifiers=None), identities.to_dict()


def merge_identifiers(parts: list[dict[str, list[str]]]) -> dict[str, list[str]]:
    """Union of `Identities.to_dict()` outputs, as sorted lists."""
    keys = ("handles", "display_names", "user_ids")
    return {k: sorted({v for part in parts for v in part.get(k, [])}) for k in keys}


def ingest_on_cluster(client, config: Config, out_dir: str | Path) -> tuple[pd.DataFrame, dict]:
    """Ingest every source of `config` as its own Dask task and combine them like `ingest_config`.

    Writes into `out_dir`: ingest_summary.json, rejects.parquet (0600) and
    private/identifiers.json (0600, folder 0700).

    Parameters
    ----------
    client : distributed.Client
    config : Config
    out_dir : str or Path

    Returns
    -------
    (posts, summary)
        Canonical posts (inside the period, without duplicates) and the reconciliation.
    """
    futures = client.map(
        ingest_source, [config] * len(config.sources), range(len(config.sources)), pure=False
    )
    gathered = client.gather(futures)
    results = [result for result, _ in gathered]
    posts, rejects, files = combine_results(results, config.period)
    summary = build_summary(files, config.name, config.period)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    text = json.dumps(summary, indent=2) + "\n"
    write_atomically(
        out_dir / "ingest_summary.json", lambda p: p.write_text(text, encoding="utf-8")
    )
    table = pa.Table.from_pandas(rejects, preserve_index=False)
    write_atomically(
        out_dir / "rejects.parquet", lambda p: pq.write_table(table, p), _PRIVATE_FILE_MODE
    )
    write_private_json(
        out_dir / "private" / "identifiers.json", merge_identifiers([ids for _, ids in gathered])
    )
    return posts, summary
