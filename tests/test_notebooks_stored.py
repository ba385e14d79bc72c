"""The notebooks' stored outputs are published in git: they must be complete and leak nothing."""

import json

import pytest

from toolkit.config import NOTEBOOKS_DIR, ROOT, load_config
from toolkit.gate import collect_identifiers, scan_dir
from toolkit.ingest import ingest_config
from toolkit.report import NOTEBOOKS


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebook_has_parameters_and_stored_outputs(name):
    nb = json.loads((NOTEBOOKS_DIR / f"{name}.ipynb").read_text())
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    assert any("parameters" in c["metadata"].get("tags", []) for c in code)
    assert sum(bool(c.get("outputs")) for c in code) >= len(code) // 2, "run `make notebooks`"
    assert nb["metadata"]["kernelspec"]["name"] == "toolkit"


def test_stored_outputs_pass_the_privacy_gate(tmp_path):
    config = load_config(ROOT / "configs" / "sample.yaml")
    run = ingest_config(config, out_dir=tmp_path)
    identifiers = collect_identifiers(run.posts, tmp_path / "private" / "identifiers.json")
    assert scan_dir(NOTEBOOKS_DIR, identifiers, brand_allowlist=config.public_names()) == []
