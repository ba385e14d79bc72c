"""The ingest cache: ingest a config's sources once, and again only when what the ingest
depends on changed (config, input files, code, packages, NER model, pseudonym key).

The working folder's ``ingest.fingerprint`` (`toolkit.core.paths.WorkLayout`) records the
fingerprint (`toolkit.core.provenance.fingerprint`) of the ingest the folder holds.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

import pandas as pd

from toolkit.core.config import Config
from toolkit.core.private_files import make_private, private_umask
from toolkit.core.provenance import fingerprint, key_id
from toolkit.ingest.pipeline import ingest_config, load_posts
from toolkit.privacy.ner_model import ner_model
from toolkit.privacy.pseudonymise import hmac_key

log = logging.getLogger(__name__)


def config_fingerprint(config: Config) -> str:
    """What a config's ingest depends on (`toolkit.core.provenance.fingerprint` without the
    previous report), with the config's pseudonym key and NER model."""
    return fingerprint(config, key_id(hmac_key(config)), ner_model(config), with_previous=False)


def ensure_ingested(
    config: Config,
    current: str | None = None,
    ingest_on_dask: Callable[[Config], None] | None = None,
) -> pd.DataFrame:
    """Ingest the config's sources unless the working folder already holds this exact ingest.

    Parameters
    ----------
    config : Config
    current : str, optional
        `config_fingerprint(config)` when the caller has already computed it.
    ingest_on_dask : callable, optional
        ``engine: dask`` only: writes the ingest outputs of a config into ``config.work_dir``
        on a Dask cluster (the caller owns the cluster); its outputs must be the local engine's.
    """
    work = config.work
    make_private(config.work_dir)  # raw text lives here: 0700 / 0600 like private/
    current = current or config_fingerprint(config)
    if (
        work.ingest_fingerprint.exists()
        and work.ingest_fingerprint.read_text() == current
        and work.posts.exists()
    ):
        return load_posts(config)
    log.info(
        "ingesting %d source file(s) for %s on the %s engine",
        len(config.sources),
        config.name,
        config.engine,
    )
    with private_umask():
        if config.engine == "dask":
            if ingest_on_dask is None:
                raise ValueError("engine: dask needs a Dask ingest (ingest_on_dask)")
            ingest_on_dask(config)
            posts = load_posts(config)
        else:
            posts = ingest_config(config).posts
        work.ingest_fingerprint.write_text(current)
    make_private(config.work_dir)  # e.g. files a Dask worker wrote with its own umask
    return posts
