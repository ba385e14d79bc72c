"""The notebooks' stored outputs are published in git: they must be complete and leak nothing."""

import json
import re

import pytest

from toolkit.core.config import load_config
from toolkit.core.paths import NOTEBOOKS_DIR
from toolkit.core.paths import PROJECT_DIR as ROOT
from toolkit.ingest import ingest_config
from toolkit.privacy.gate.identifiers import collect_identifiers
from toolkit.privacy.gate.scan import scan_dir
from toolkit.report.build import NOTEBOOKS


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebook_has_parameters_and_stored_outputs(name):
    nb = json.loads((NOTEBOOKS_DIR / f"{name}.ipynb").read_text())
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    assert any("parameters" in c["metadata"].get("tags", []) for c in code)
    assert sum(bool(c.get("outputs")) for c in code) >= len(code) // 2, "run `make notebooks`"
    assert nb["metadata"]["kernelspec"]["name"] == "toolkit"


@pytest.fixture(scope="module")
def sample_ingest(tmp_path_factory):
    out = tmp_path_factory.mktemp("ingest")
    config = load_config(ROOT / "configs" / "sample.yaml")
    return config, ingest_config(config, out_dir=out), out


def test_stored_outputs_pass_the_privacy_gate(sample_ingest):
    config, run, out = sample_ingest
    identifiers = collect_identifiers(run.posts, out / "private" / "identifiers.json")
    assert scan_dir(NOTEBOOKS_DIR, identifiers, brand_allowlist=config.public_names()) == []


def _outputs(name):
    """(cell index, tags, text) of every stored output of a notebook (text, markdown, HTML)."""
    nb = json.loads((NOTEBOOKS_DIR / f"{name}.ipynb").read_text())
    for i, cell in enumerate(nb["cells"]):
        for output in cell.get("outputs", []):
            parts = [output.get("text", "")]
            parts += [v for k, v in output.get("data", {}).items() if not k.startswith("image/")]
            text = "".join("".join(p) if isinstance(p, list) else str(p) for p in parts)
            yield i, cell["metadata"].get("tags", []), text


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_no_cell_prints_a_return_value_such_as_a_path(name):
    for i, _, text in _outputs(name):
        assert "PosixPath(" not in text and "WindowsPath(" not in text, f"{name} cell {i}"


def test_stored_outputs_hold_no_post_id(sample_ingest):
    """Post ids lead back to a post and its author: they never leave the working data."""
    _, run, _ = sample_ingest
    ids = {str(i) for i in run.posts["post_id"] if len(str(i)) >= 6}
    assert len(ids) > 5000
    for name in NOTEBOOKS:
        for i, _, text in _outputs(name):
            found = ids & set(re.findall(r"[A-Za-z0-9_]{6,}", text))
            assert not found, f"{name} cell {i} shows post ids {sorted(found)[:3]}"


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_nbval_compares_no_topic_dependent_output(name):
    """Topic assignments differ slightly between machines and thread counts (UMAP floats), so
    a cell showing a topic label (`word · word`) must be tagged nbval-ignore-output; the
    values are checked with tolerances in tests/report/test_e2e_report.py."""
    for i, tags, text in _outputs(name):
        if "nbval-ignore-output" not in tags:
            assert " · " not in text, f"{name} cell {i} shows topic labels but nbval compares it"
