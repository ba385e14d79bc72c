"""The report runner's guarantees, without running the notebooks: a failure leaves the previous
report untouched and exits with a clear error; an unchanged input is not rebuilt."""

import json
import textwrap

import pytest
from helpers import write_tiny_config

from toolkit.report import build as report
from toolkit.report.build import ReportError, build_report


@pytest.fixture
def tiny_config(tmp_path, monkeypatch):
    monkeypatch.setenv("TOOLKIT_HMAC_KEY", "test-key")
    (tmp_path / "posts.csv").write_text(
        "id,created,user,body\n"
        "1,2026-09-01T10:00:00Z,alice_w,hello @DemoBrand\n"
        "2,2026-09-01T11:00:00Z,DemoBrand,hi there\n"
    )
    cfg = write_tiny_config(tmp_path)

    monkeypatch.setenv("TOOLKIT_WORK_DIR", str(tmp_path / "work"))
    monkeypatch.setenv("TOOLKIT_REPORTS_DIR", str(tmp_path / "reports"))
    return cfg


def _previous_report(tmp_path):
    old = tmp_path / "reports" / "tiny"
    old.mkdir(parents=True)
    (old / "index.html").write_text("previous report")
    (old / "manifest.json").write_text(json.dumps({"fingerprint": "old"}))
    return old


def test_failed_notebook_leaves_previous_report(tiny_config, tmp_path, monkeypatch):
    old = _previous_report(tmp_path)

    def boom(config, staging, progress, *_):
        (staging / "01_ingest.ipynb").write_text("half-written")
        raise ReportError("notebook 02_topics failed in cell 4 (cell index 6): ValueError: boom")

    monkeypatch.setattr(report, "_run_notebooks", boom)
    with pytest.raises(ReportError, match="02_topics failed in cell 4"):
        build_report(tiny_config)
    assert (old / "index.html").read_text() == "previous report"
    assert [p.name for p in (tmp_path / "reports").iterdir()] == ["tiny"]  # staging removed


def test_gate_stops_a_leak_and_keeps_previous_report(tiny_config, tmp_path, monkeypatch):
    old = _previous_report(tmp_path)

    def leaky_notebooks(config, staging, progress, *_):
        for name in report.NOTEBOOKS:
            (staging / f"{name}.ipynb").write_text("{}")
        return {}

    def leaky_site(staging, config, manifest):
        (staging / "index.html").write_text("<p>top fan: alice_w, mail alice.w@example.com</p>")

    monkeypatch.setattr(report, "_run_notebooks", leaky_notebooks)
    monkeypatch.setattr(report, "_render_site", leaky_site)
    with pytest.raises(ReportError, match="privacy gate") as caught:
        build_report(tiny_config)
    assert (old / "index.html").read_text() == "previous report"
    # the blocked build is kept privately, with every hit in context and how to allowlist one
    message = str(caught.value)
    assert "alice_w" not in message and "alice.w@" not in message
    blocked = tmp_path / "work" / "tiny" / "private" / "blocked"
    (kept,) = list(blocked.iterdir())
    assert f"{kept / 'report'}" in message and f"{kept / 'findings.txt'}" in message
    assert "brand.allowlist" in message and str(tiny_config) in message
    assert (kept / "report" / "index.html").exists()
    assert [p.name for p in (tmp_path / "reports").iterdir()] == ["tiny"]  # no staging left
    for path in [blocked, kept, kept / "report"]:
        assert path.stat().st_mode & 0o777 == 0o700
    findings = (kept / "findings.txt").read_text()
    assert (kept / "findings.txt").stat().st_mode & 0o777 == 0o600
    assert "index.html:1:" in findings and "[[alice_w]]" in findings and "top fan:" in findings
    assert "why: a customer handle recorded at ingest" in findings


def test_successful_build_swaps_in_and_then_is_up_to_date(tiny_config, tmp_path, monkeypatch):
    _previous_report(tmp_path)
    calls = []

    def fake_notebooks(config, staging, progress, *_):
        calls.append(1)
        return {name: 0.0 for name in report.NOTEBOOKS}

    def fake_site(staging, config, manifest):
        (staging / "index.html").write_text("<p>new report</p>")

    monkeypatch.setattr(report, "_run_notebooks", fake_notebooks)
    monkeypatch.setattr(report, "_render_site", fake_site)
    first = build_report(tiny_config)
    assert not first.up_to_date
    new = tmp_path / "reports" / "tiny"
    assert (new / "index.html").read_text() == "<p>new report</p>"
    manifest = json.loads((new / "manifest.json").read_text())
    assert set(manifest) >= {
        "fingerprint",
        "git_commit",
        "inputs",
        "packages",
        "config",
        "seeds",
        "notebook_seconds",
    }
    assert (
        manifest["inputs"]["posts.csv"] and manifest["config"]["sources"][0]["path"] == "posts.csv"
    )
    second = build_report(tiny_config)
    assert second.up_to_date and len(calls) == 1
    (tmp_path / "posts.csv").write_text(
        (tmp_path / "posts.csv").read_text() + "3,2026-09-02T10:00:00Z,bob,hey\n"
    )
    assert not build_report(tiny_config).up_to_date


def test_a_real_notebook_failure_names_notebook_and_cell(tiny_config, tmp_path, monkeypatch):
    """papermill runs a notebook that raises in its second code cell, in the `toolkit` kernel."""
    import nbformat

    notebooks = tmp_path / "nbs"
    notebooks.mkdir()
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "toolkit", "display_name": "toolkit", "language": "python"}
    params = nbformat.v4.new_code_cell('config_path = ""\noutput_dir = ""')
    params.metadata["tags"] = ["parameters"]
    nb.cells = [params, nbformat.v4.new_code_cell("raise ValueError('no data for this period')")]
    nbformat.write(nb, notebooks / "01_broken.ipynb")
    monkeypatch.setattr(report, "NOTEBOOKS_DIR", notebooks)
    monkeypatch.setattr(report, "NOTEBOOKS", ("01_broken",))
    old = _previous_report(tmp_path)
    with pytest.raises(
        ReportError, match=r"01_broken failed at In \[3\] .*ValueError: no data for this period"
    ):
        build_report(tiny_config)
    assert (old / "index.html").read_text() == "previous report"


def test_progress_names_each_step_and_the_manifest_records_the_period(
    tiny_config, tmp_path, monkeypatch
):
    lines = []

    def fake_notebooks(config, staging, progress, *_):
        (staging / "findings.json").write_text(
            json.dumps({"period_start": "2026-09-01", "period_end": "2026-09-02"})
        )
        return {name: 1.0 for name in report.NOTEBOOKS}

    rendered = {}

    def fake_site(staging, config, manifest):
        rendered.update(manifest)
        (staging / "index.html").write_text("<p>new report</p>")

    monkeypatch.setattr(report, "_run_notebooks", fake_notebooks)
    monkeypatch.setattr(report, "_render_site", fake_site)
    result = build_report(tiny_config, progress=lines.append)
    assert [line.split(":")[0] for line in lines] == ["ingest", "render", "gate"]
    manifest = json.loads((result.path / "manifest.json").read_text())
    assert (
        manifest["data_period"]
        == {"start": "2026-09-01", "end": "2026-09-02"}
        == rendered["data_period"]
    )


def test_render_site_builds_every_page_with_nav_and_footer(tiny_config, tmp_path):
    import nbformat

    from toolkit.core.config import load_config

    staging = tmp_path / "staging"
    staging.mkdir()
    for name in report.NOTEBOOKS:
        nb = nbformat.v4.new_notebook()
        nb.cells = [nbformat.v4.new_markdown_cell(f"# {report.TITLES[name]}\n\nText of {name}.")]
        nbformat.write(nb, staging / f"{name}.ipynb")
    manifest = {
        "data_period": {"start": "2026-09-01", "end": "2026-09-30"},
        "inputs": {"posts.csv": "ab" * 32},
        "git_commit": "c0ffee" * 7,
        "created_at": "2026-10-01T00:00:00+00:00",
    }
    report._render_site(staging, load_config(tiny_config), manifest)
    index = (staging / "index.html").read_text()
    assert index == (staging / "05_brief.html").read_text() and "Text of 05_brief." in index
    assert "<title>Brief - Demo</title>" in index
    topics = (staging / "02_topics.html").read_text()
    assert '<a aria-current="page" href="02_topics.html">Topics</a>' in topics
    for name in report.NOTEBOOKS:
        assert f'href="{name}.html"' in topics
    assert "2026-09-01 to 2026-09-30" in topics and "posts.csv abababababab" in topics
    assert "c0ffeec0ffee" in topics and "2026-10-01 00:00 UTC" in topics


def test_run_summary_says_what_was_written_and_where_to_look(tmp_path):
    from toolkit.cli.commands import _summary

    (tmp_path / "figures").mkdir()
    (tmp_path / "figures" / "a.png").write_bytes(b"")
    (tmp_path / "tables").mkdir()
    for name in ("index.html", "05_brief.html"):
        (tmp_path / name).write_text("")
    result = report.ReportResult(tmp_path, False, 81.4, {"01_ingest": 10.2, "02_topics": 40.0})
    assert _summary(result) == [
        "done in 81 s; per notebook: 01_ingest 10s, 02_topics 40s",
        f"wrote 2 pages, 1 figures and 0 tables to {tmp_path} (provenance: manifest.json)",
        f"open {tmp_path / 'index.html'}",
    ]


def test_manifest_records_the_key_fingerprint_never_the_key_file(tmp_path, monkeypatch):
    """privacy.key_file held /home/alice.smith/...: the manifest names the key by its
    fingerprint only (issue 15)."""
    import hashlib

    monkeypatch.delenv("TOOLKIT_HMAC_KEY", raising=False)
    monkeypatch.setenv("TOOLKIT_WORK_DIR", str(tmp_path / "work"))
    monkeypatch.setenv("TOOLKIT_REPORTS_DIR", str(tmp_path / "reports"))
    home = tmp_path / "home" / "alice.smith"
    home.mkdir(parents=True)
    (home / ".toolkit_key").write_text("a-secret-key\n")
    (home / ".toolkit_key").chmod(0o600)
    (tmp_path / "posts.csv").write_text("id,created,user,body\n1,2026-09-01T10:00:00Z,al,hi\n")
    cfg = tmp_path / "tiny.yaml"
    cfg.write_text(
        textwrap.dedent(f"""
        name: tiny
        sources:
          - {{path: posts.csv, format: csv, platform: twitter,
              mapping: {{post_id: id, created_at: created, author: user, text: body}}}}
        brand: {{name: Demo, accounts: {{twitter: [DemoBrand]}}}}
        privacy: {{key_file: {home / ".toolkit_key"}}}
    """)
    )
    monkeypatch.setattr(report, "_run_notebooks", lambda c, s, p, *_: {})
    monkeypatch.setattr(
        report, "_render_site", lambda s, c, m: (s / "index.html").write_text("<p>ok</p>")
    )
    result = build_report(cfg)
    text = (result.path / "manifest.json").read_text()
    assert "alice.smith" not in text and "toolkit_key" not in text
    manifest = json.loads(text)
    expected = hashlib.sha256(b"a-secret-key").hexdigest()[:16]
    assert manifest["key_fingerprint"] == expected
    assert manifest["config"]["privacy"]["key_fingerprint"] == expected
    assert "key_file" not in manifest["config"]["privacy"]


def test_executed_notebooks_carry_no_local_path(tmp_path, monkeypatch):
    """papermill injects the absolute config and output paths into a parameters cell and the
    notebook's metadata; a published notebook must not carry them, nor the home folder or the
    key file's path (issue 15). The gate catches any that get through."""
    import nbformat

    from toolkit.core.config import load_config
    from toolkit.core.paths import NOTEBOOKS_DIR, PROJECT_DIR
    from toolkit.privacy.gate.findings import LOCAL_PATH
    from toolkit.privacy.gate.identifiers import Identifiers
    from toolkit.privacy.gate.scan import scan_dir

    home = tmp_path / "home" / "alice.smith"
    (home / "keys").mkdir(parents=True)
    key = home / "keys" / "toolkit.key"
    key.write_text("a-secret-key\n")
    key.chmod(0o600)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("TOOLKIT_WORK_DIR", str(home / "work"))
    monkeypatch.setenv("TOOLKIT_REPORTS_DIR", str(home / "reports"))
    project = home / "project"
    project.mkdir()
    (project / "posts.csv").write_text("id,created,user,body\n1,2026-09-01T10:00:00Z,al,hi\n")
    cfg = project / "tiny.yaml"
    cfg.write_text(write_tiny_config(tmp_path).read_text() + f"privacy: {{key_file: {key}}}\n")
    config = load_config(cfg)
    staging = home / "reports" / ".tiny.staging-1"
    staging.mkdir(parents=True)
    injected = nbformat.v4.new_code_cell(
        f'# Parameters\nconfig_path = "{cfg}"\noutput_dir = "{staging}"\n'
    )
    injected.metadata["tags"] = ["injected-parameters"]
    warning = nbformat.v4.new_output(
        "stream", name="stdout", text=f"read {config.work_dir}/posts.parquet; key {key}\n"
    )
    nb = nbformat.v4.new_notebook(
        cells=[injected, nbformat.v4.new_code_cell("x", outputs=[warning])],
        metadata={
            "papermill": {
                "input_path": str(NOTEBOOKS_DIR / "01_ingest.ipynb"),
                "output_path": str(staging / "01_ingest.ipynb"),
                "parameters": {"config_path": str(cfg), "output_dir": str(staging)},
            }
        },
    )
    path = staging / "01_ingest.ipynb"
    nbformat.write(nb, path)
    paths = report.local_paths(config, staging)
    assert scan_dir(staging, Identifiers(), local_paths=paths)  # the gate sees them

    report._publishable_notebook(path, config, staging)
    text = path.read_text()
    for leak in ("alice.smith", str(tmp_path), "toolkit.key", str(PROJECT_DIR)):
        assert leak not in text, leak
    published = nbformat.read(path, as_version=4)
    assert published.cells[0].id == "injected-parameters"
    assert 'config_path = "tiny.yaml"' in published.cells[0].source
    assert "<working data>/posts.parquet" in text and "<key file>" in text
    assert published.metadata.papermill.parameters == {
        "config_path": "tiny.yaml",
        "output_dir": ".",
    }
    assert not [f for f in scan_dir(staging, Identifiers(), local_paths=paths)
                if f.entity_type == LOCAL_PATH]  # fmt: skip
