"""Where things are: the project folder, and the layout of the working and report folders.

A *project folder* holds ``configs/``, ``notebooks/``, ``data/`` and, by default, the working
data, the reports and the models. It is, in this order:

1. the folder named by the environment variable ``TOOLKIT_PROJECT_DIR``;
2. the nearest folder at or above the config file's folder that holds ``pyproject.toml`` or a
   ``configs/`` folder;
3. else the same, searched from the current working directory (a config kept outside any
   project belongs to the project it is run from; with no config file, this is the rule);
4. else the config file's folder (or the current working directory) itself.

Never the folder the package is installed in: the toolkit works the same from a source checkout
and from an installed wheel. Inside a project folder::

    configs/            dataset configs (configs/sample.yaml)
    data/sample/        the bundled sample
    data/processed/     working folders, one per dataset      (TOOLKIT_WORK_DIR overrides)
    reports/            built reports, one folder per dataset (TOOLKIT_REPORTS_DIR overrides)
    models/             models built locally                  (TOOLKIT_MODELS_DIR overrides)
    notebooks/          the report's notebooks

The environment variables are read when a path is asked for, not at import. `WorkLayout` and
`ReportLayout` name the files inside one dataset's working and report folders.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

#: A folder holding one of these is a project folder.
PROJECT_MARKERS = ("pyproject.toml", "configs")


def find_project_dir(start: Path | str | None = None) -> Path | None:
    """The nearest folder at or above `start` (default: the working directory) that holds
    one of `PROJECT_MARKERS`; None when there is none.

    Parameters
    ----------
    start : path, optional
        The folder to search from, upwards; None: the current working directory.
    """
    start = Path(start).resolve() if start is not None else Path.cwd().resolve()
    for folder in (start, *start.parents):
        if any((folder / marker).exists() for marker in PROJECT_MARKERS):
            return folder
    return None


def project_dir_of(config_path: Path | str | None = None) -> Path:
    """The project folder of a config file (of the working directory when there is none):
    TOOLKIT_PROJECT_DIR, else the nearest project folder above the config, else the working
    directory's, else the config's own folder (the working directory)."""
    configured = os.environ.get("TOOLKIT_PROJECT_DIR")
    if configured:
        return Path(configured).expanduser().resolve()
    folder = Path(config_path).resolve().parent if config_path else None
    if folder is not None and (found := find_project_dir(folder)) is not None:
        return found
    return find_project_dir() or folder or Path.cwd().resolve()


def _from_env(name: str, default: Path) -> Path:
    value = os.environ.get(name)
    return Path(value) if value else default


def work_root(project: Path) -> Path:
    """Where the datasets' working folders are: TOOLKIT_WORK_DIR, else <project>/data/processed."""
    return _from_env("TOOLKIT_WORK_DIR", project / "data" / "processed")


def reports_root(project: Path) -> Path:
    """Where the reports are built: TOOLKIT_REPORTS_DIR, else <project>/reports."""
    return _from_env("TOOLKIT_REPORTS_DIR", project / "reports")


def models_dir(project: Path | None = None) -> Path:
    """Models built locally: TOOLKIT_MODELS_DIR, else <project>/models (default project: the
    working directory's)."""
    return _from_env("TOOLKIT_MODELS_DIR", (project or project_dir_of()) / "models")


def notebooks_dir(project: Path) -> Path:
    """The report's notebooks: <project>/notebooks."""
    return project / "notebooks"


#: The project of the current working directory (or TOOLKIT_PROJECT_DIR), found at import: the
#: default where no config file is at hand (the CLI's default config, development tools).
PROJECT_DIR = project_dir_of()
CONFIGS_DIR = PROJECT_DIR / "configs"
DATA_DIR = PROJECT_DIR / "data"
SAMPLE_DIR = DATA_DIR / "sample"
NOTEBOOKS_DIR = notebooks_dir(PROJECT_DIR)
DEFAULT_CONFIG = CONFIGS_DIR / "sample.yaml"


#: File names inside a working folder (also inside the per-source folders of a Dask ingest).
POSTS_FILE = "posts.parquet"
REJECTS_FILE = "rejects.parquet"
REJECTS_CSV = "rejects.csv"
SUMMARY_FILE = "ingest_summary.json"
PROFILE_FILE = "profile.parquet"
PRIVATE_DIR = "private"
IDENTIFIERS_FILE = "identifiers.json"


class _File:
    """A path below a layout's root, as a class attribute: ``layout.posts`` is ``root/posts.parquet``."""

    def __init__(self, *parts: str):
        self.parts = parts

    def __get__(self, layout, owner=None):
        return self if layout is None else layout.root.joinpath(*self.parts)


@dataclass(frozen=True)
class WorkLayout:
    """The files of one dataset's private working folder (``config.work_dir``).

    Raw customer identifiers live in ``private/identifiers.json`` and nowhere else; the whole
    folder is private (0700 / 0600)."""

    root: Path

    posts = _File(POSTS_FILE)
    rejects = _File(REJECTS_FILE)
    rejects_csv = _File(REJECTS_CSV)
    #: What the ingest read, kept and rejected.
    summary = _File(SUMMARY_FILE)
    #: The ingest profile (per platform and day).
    profile = _File(PROFILE_FILE)
    private = _File(PRIVATE_DIR)
    #: The raw customer identifiers seen at ingest (the privacy gate looks for them).
    identifiers = _File(PRIVATE_DIR, IDENTIFIERS_FILE)
    #: The fingerprint of the ingest the folder holds (the ingest cache's stamp).
    ingest_fingerprint = _File("ingest.fingerprint")
    topic_model = _File("models", "topics")
    embeddings_cache = _File("cache", "embeddings")


@dataclass(frozen=True)
class ReportLayout:
    """The files of one report folder (``config.report_dir``, or the staging folder a build
    writes before it swaps it in)."""

    root: Path

    tables = _File("tables")
    figures = _File("figures")
    findings = _File("findings.json")
    manifest = _File("manifest.json")
