"""Paths come from the config file's folder, the working directory or environment variables,
never from where the package is installed (toolkit.core.paths)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

from toolkit.core import paths
from toolkit.core.config import load_config

REPO = Path(__file__).resolve().parents[2]
PACKAGE = REPO / "toolkit"
ENV_VARS = ("TOOLKIT_PROJECT_DIR", "TOOLKIT_WORK_DIR", "TOOLKIT_REPORTS_DIR", "TOOLKIT_MODELS_DIR")


def test_no_path_derives_from_the_package_location_but_its_own_resources():
    """`__file__` may only reach files inside the package (its resources); anything outside
    (configs, data, notebooks, models, reports) comes from the project folder."""
    escapes = []
    for path in sorted(PACKAGE.rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        assert "toolkit.__file__" not in text, path
        depth = len(path.relative_to(PACKAGE).parts) - 1  # folders between toolkit/ and the file
        for line in text.splitlines():
            if "__file__" not in line:
                continue
            if m := re.search(r"parents\[(\d+)\]", line):
                up = int(m.group(1))
            else:
                up = line.count(".parent") - 1
            if up > depth:
                escapes.append(f"{path.relative_to(REPO)}: {line.strip()}")
    assert escapes == []


def test_project_folder_is_the_nearest_folder_with_a_marker(tmp_path, monkeypatch):
    for name in ENV_VARS:
        monkeypatch.delenv(name, raising=False)
    project = tmp_path / "acme"
    (project / "configs" / "nested").mkdir(parents=True)
    assert paths.find_project_dir(project / "configs" / "nested") == project.resolve()
    assert paths.find_project_dir(tmp_path) is None
    assert paths.project_dir_of(project / "configs" / "x.yaml") == project.resolve()
    loose = tmp_path / "loose"
    loose.mkdir()
    monkeypatch.chdir(tmp_path)  # no project anywhere: the config's own folder
    assert paths.project_dir_of(loose / "x.yaml") == loose.resolve()
    assert paths.project_dir_of(None) == tmp_path.resolve()
    monkeypatch.chdir(project / "configs")  # a loose config belongs to the project it runs from
    assert paths.project_dir_of(loose / "x.yaml") == project.resolve()
    assert paths.project_dir_of(None) == project.resolve()
    monkeypatch.setenv("TOOLKIT_PROJECT_DIR", str(loose))
    assert paths.project_dir_of(project / "configs" / "x.yaml") == loose.resolve()


def test_layout_under_the_project_and_env_overrides(tmp_path, monkeypatch):
    for name in ENV_VARS:
        monkeypatch.delenv(name, raising=False)
    project = tmp_path / "acme"
    (project / "configs").mkdir(parents=True)
    (project / "posts.csv").write_text("a\n1\n")
    cfg = project / "configs" / "acme.yaml"
    cfg.write_text(
        "name: acme\nsources: [{path: ../posts.csv, format: csv, platform: twitter}]\n"
        "brand: {name: Acme, accounts: {twitter: [acme]}}\n"
    )
    config = load_config(cfg)
    root = project.resolve()
    assert config.sources[0].path == root / "posts.csv"  # relative to the config's folder
    assert config.project_dir == root
    assert config.work_dir == root / "data" / "processed" / "acme"
    assert config.work.identifiers == config.work_dir / "private" / "identifiers.json"
    assert config.report_dir == root / "reports" / "acme"
    assert paths.ReportLayout(config.report_dir).tables == config.report_dir / "tables"
    assert config.notebooks_dir == root / "notebooks"
    assert paths.models_dir(root) == root / "models"
    monkeypatch.setenv("TOOLKIT_WORK_DIR", str(tmp_path / "w"))
    monkeypatch.setenv("TOOLKIT_REPORTS_DIR", str(tmp_path / "r"))
    monkeypatch.setenv("TOOLKIT_MODELS_DIR", str(tmp_path / "m"))
    assert config.work_dir == tmp_path / "w" / "acme"
    assert config.report_dir == tmp_path / "r" / "acme"
    assert paths.models_dir(root) == tmp_path / "m"


#: `toolkit run CONFIG` with the build replaced by one that prints the folders it would use.
DRIVER = textwrap.dedent("""
    import json, sys
    from types import SimpleNamespace
    from toolkit.core.config import load_config
    from toolkit.report import build

    def fake_build(config_path, force=False, progress=None):
        config = load_config(config_path)
        print(json.dumps({name: str(getattr(config, name)) for name in
                          ("project_dir", "work_dir", "report_dir", "notebooks_dir")}))
        return SimpleNamespace(up_to_date=True, path=config.report_dir)

    build.build_report = fake_build
    sys.argv = ["toolkit", "run", *sys.argv[1:]]
    from toolkit.cli import main
    main()
""")


def _folders(cwd: Path, config: str) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ENV_VARS}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))
    run = subprocess.run(
        [sys.executable, "-c", DRIVER, config],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    return json.loads(run.stdout.splitlines()[0])


def test_run_from_another_folder_resolves_the_same_project(tmp_path):
    here = _folders(REPO, "configs/sample.yaml")
    assert here["project_dir"] == str(REPO)
    assert here["notebooks_dir"] == str(REPO / "notebooks")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    assert _folders(elsewhere, str(REPO / "configs" / "sample.yaml")) == here
    relative = os.path.relpath(REPO / "configs" / "sample.yaml", elsewhere)
    assert _folders(elsewhere, relative) == here
