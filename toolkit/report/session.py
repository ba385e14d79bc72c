"""What every notebook starts with: the config, the posts, and where figures, tables and
recorded findings go.

Notebooks stay thin: `session = open_session(config_path, output_dir)` and then calls into
the analysis modules. Recorded findings (`session.record`) are what `05_brief` builds on.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from toolkit.analysis import scope
from toolkit.core.config import Config, load_config
from toolkit.ingest import cache as ingest_cache
from toolkit.privacy import disclosure
from toolkit.report.tables import lists_joined, use_readable_tables

log = logging.getLogger(__name__)
FINDINGS_FILE = "findings.json"


@dataclass
class Session:
    """A notebook's handle on one dataset and one output folder."""

    config: Config
    output_dir: Path
    _posts: pd.DataFrame | None = field(default=None, repr=False)
    _published: set[str] = field(default_factory=set, repr=False)

    @property
    def figures_dir(self) -> Path:
        return _mkdir(self.output_dir / "figures")

    @property
    def tables_dir(self) -> Path:
        return _mkdir(self.output_dir / "tables")

    @property
    def posts(self) -> pd.DataFrame:
        """The canonical posts this report covers (the config's `scope`), ingesting first when
        inputs or code changed. Records which posts those are (`scope`, `scope_posts`,
        `scope_posts_total`) for the pages and the brief."""
        if self._posts is None:
            every = ensure_ingested(self.config)
            brand = self.config.brand
            self._posts = scope.select(every, self.config.scope, brand.handles(), brand.names())
            self.record(
                scope=self.config.scope,
                scope_posts=len(self._posts),
                scope_posts_total=len(every),
            )
        return self._posts

    def ingest_summary(self) -> dict:
        return json.loads((self.config.work_dir / "ingest_summary.json").read_text())

    def save_figure(self, fig, name: str) -> None:
        """Save a matplotlib figure as PNG under figures/ (no timestamps: byte-stable).

        The figure must be registered in `toolkit.privacy.disclosure.FIGURES`, and the tables it draws
        must have been published first (`publish` / `save_table`), so that it shows only
        suppressed data. Returns None: a notebook cell ending in this call prints nothing.
        """
        missing = [t for t in disclosure.figure_sources(name) if t not in self._published]
        if missing:
            raise disclosure.DisclosureError(
                f"figure {name!r} draws {missing}: pass them through session.publish() or "
                "session.save_table() first and draw the figure from what they return"
            )
        fig.savefig(self.figures_dir / f"{name}.png", metadata={"Software": None})

    def save_chart(self, chart) -> None:
        """Show an interactive chart (`toolkit.report.interactive`) next to the figure's static PNG.

        The chart's name must be registered in `toolkit.privacy.disclosure.CHARTS` and every table it
        draws must have been published first (`publish` / `save_table`): its hover values are
        exact, so it may show only suppressed data. The page draws it with the report's local
        copy of Plotly (`toolkit.report.site`); the PNG stays for print. A chart with nothing to show
        (no rows, or every cell suppressed) is not shown. Returns None.
        """
        from IPython.display import display

        missing = [t for t in disclosure.chart_sources(chart.name) if t not in self._published]
        if missing:
            raise disclosure.DisclosureError(
                f"chart {chart.name!r} draws {missing}: pass them through session.publish() or "
                "session.save_table() first and build the chart from what they return"
            )
        if chart.has_data:
            display(chart)

    def publish(self, df: pd.DataFrame, name: str) -> pd.DataFrame:
        """`df` as it may be shown in the report under `name`: the registry's disclosure policy
        applied (`toolkit.privacy.disclosure.TABLES`; small groups suppressed with k =
        ``privacy.min_group_size``). Raises DisclosureError when `name` has no policy or the
        table holds post ids or exact times."""
        published = disclosure.publishable(df, name, self.config.privacy.min_group_size)
        self._published.add(name)
        return published

    def save_table(self, df: pd.DataFrame, name: str) -> pd.DataFrame:
        """Publish `df` (see `publish`) and save it as CSV under tables/; returns the published
        table, to show or draw instead of `df`."""
        published = self.publish(df, name)
        lists_joined(published).to_csv(
            self.tables_dir / f"{name}.csv", index=False, float_format="%.6g"
        )
        return published

    def private_path(self, name: str) -> Path:
        """A Parquet path in the dataset's private working folder (never part of a report)."""
        return _mkdir(self.config.work.private) / f"{name}.parquet"

    def save_private(self, df: pd.DataFrame, name: str) -> Path:
        """Keep row-level results (e.g. topic per post) for other notebooks, outside the report."""
        path = self.private_path(name)
        df.to_parquet(path, index=False)
        return path

    def record(self, **values) -> None:
        """Record named findings (JSON-able) for the brief and the tests to read.

        Notebooks that run side by side record into the same file: the update holds a lock on
        the output folder, and the file is replaced whole, so no reader sees half of it."""
        with _locked(self.output_dir):
            findings = self.findings()
            findings.update({k: _jsonable(v) for k, v in values.items()})
            path = self.output_dir / FINDINGS_FILE
            partial = path.with_name(f".{FINDINGS_FILE}.{os.getpid()}")
            partial.write_text(json.dumps(findings, indent=1, sort_keys=True, ensure_ascii=False))
            os.replace(partial, path)

    def findings(self) -> dict:
        path = self.output_dir / FINDINGS_FILE
        return json.loads(path.read_text()) if path.exists() else {}


@contextmanager
def _locked(folder: Path) -> Iterator[None]:
    """An exclusive lock on `folder` (flock on the folder itself: no lock file to publish)."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing releases the lock


def open_session(config_path: str | Path, output_dir: str | Path | None = None) -> Session:
    """Load the config and prepare the output folder (default: the dataset's working folder).

    In a notebook, every DataFrame displayed from then on is shown as a table for people
    (`toolkit.report.tables`); its plain-text form is unchanged."""
    from toolkit.core.private_files import make_private

    config = load_config(config_path)
    make_private(config.work_dir)  # caches the previous notebook wrote (raw text inside)
    out = Path(output_dir) if output_dir else config.work_dir / "notebook_outputs"
    use_readable_tables(config.privacy.min_group_size)
    return Session(config=config, output_dir=_mkdir(out))


def ensure_ingested(config: Config, current: str | None = None, client=None) -> pd.DataFrame:
    """Ingest the config's sources unless the working folder already holds this exact ingest
    (`toolkit.ingest.cache.ensure_ingested`).

    With ``engine: dask`` the files are ingested on the cluster (`config.scheduler`, or a local
    cluster for the duration of the call), without the driver holding the posts on the way;
    the outputs in `config.work_dir` are the same as the local engine's.

    Parameters
    ----------
    config : Config
    current : str, optional
        `toolkit.ingest.cache.config_fingerprint(config)` when the caller has already computed it.
    client : distributed.Client, optional
        ``engine: dask`` only: use this client instead of connecting / starting a cluster.
    """
    return ingest_cache.ensure_ingested(config, current, lambda cfg: _ingest_on_dask(cfg, client))


def _ingest_on_dask(config: Config, client=None) -> None:
    from contextlib import nullcontext

    from toolkit.ingest.dask_ingest import ingest_on_cluster
    from toolkit.pipeline import dask_client

    context = nullcontext(client) if client is not None else dask_client(config.scheduler)
    with context as active:
        ingest_on_cluster(active, config, config.work_dir)


def _mkdir(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    return path


def _jsonable(value):
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    if isinstance(value, pd.Timestamp):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, float) and value != value:  # NaN -> null
        return None
    return value
