"""Bad input and unwritable folders stop `toolkit run` / `toolkit ingest` with one line naming
the file or key (no traceback), a non-zero exit, and the previous report untouched."""

from __future__ import annotations

import json
import textwrap

import pytest
from typer.testing import CliRunner

from toolkit.cli import app
from toolkit.report import build as report

runner = CliRunner()

POSTS = (
    "id,created,user,body\n"
    "1,2026-09-01T10:00:00Z,alice_w,hello @DemoBrand\n"
    "2,2026-09-01T11:00:00Z,DemoBrand,hi there\n"
)
SOURCE = """
  - path: {path}
    format: {format}
    platform: twitter
    mapping: {{post_id: id, created_at: created, author: user, text: body}}
"""


@pytest.fixture
def folders(tmp_path, monkeypatch):
    """Temporary reports and working folders, a key, and notebooks that must not run."""
    monkeypatch.setenv("TOOLKIT_WORK_DIR", str(tmp_path / "work"))
    monkeypatch.setenv("TOOLKIT_REPORTS_DIR", str(tmp_path / "reports"))
    monkeypatch.setenv("TOOLKIT_HMAC_KEY", "test-key")

    def notebooks_must_not_run(config, staging, progress, *_):
        raise AssertionError("the notebooks ran")

    monkeypatch.setattr(report, "_run_notebooks", notebooks_must_not_run)
    old = tmp_path / "reports" / "tiny"
    old.mkdir(parents=True)
    (old / "index.html").write_text("previous report")
    (old / "manifest.json").write_text(json.dumps({"fingerprint": "old"}))
    return tmp_path


def _config(folder, name="tiny", sources=(("posts.csv", "csv"),), extra=""):
    body = "".join(SOURCE.format(path=p, format=f) for p, f in sources)
    path = folder / "config.yaml"
    path.write_text(
        f'name: "{name}"\nsources:{body}\nbrand: {{name: Demo, accounts: {{twitter: [DemoBrand]}}}}\n'
        + textwrap.dedent(extra)
    )
    return path


def _error_line(result) -> str:
    """The single `error:` line of a failed command (and no traceback anywhere)."""
    assert result.exit_code not in (0, None), result.output
    assert "Traceback" not in result.output and not isinstance(result.exception, AssertionError)
    errors = [line for line in result.output.splitlines() if line.startswith("error:")]
    assert len(errors) == 1, result.output
    return errors[0]


def _unchanged(folder) -> None:
    reports = folder / "reports"
    assert (reports / "tiny" / "index.html").read_text() == "previous report"
    assert sorted(p.name for p in reports.iterdir()) == ["tiny"]  # nothing built, no staging


def test_a_folder_as_source_is_named(folders):
    (folders / "exports").mkdir()
    result = runner.invoke(app, ["run", str(_config(folders, sources=[("exports", "csv")]))])
    line = _error_line(result)
    assert "sources.0.path" in line and "exports is a folder, not a file" in line
    _unchanged(folders)


def test_an_empty_source_says_no_posts_in_the_period_and_builds_nothing(folders):
    (folders / "posts.csv").write_text("")
    period = "period: {start: 2026-09-01, end: 2026-09-30}\n"
    result = runner.invoke(app, ["run", str(_config(folders, extra=period))])
    line = _error_line(result)
    assert "no posts in the period 2026-09-01 to 2026-09-30" in line and "posts.csv" in line
    _unchanged(folders)


def test_posts_all_outside_the_period_say_so(folders):
    (folders / "posts.csv").write_text(POSTS)
    period = "period: {start: 2025-01-01, end: 2025-01-31}\n"
    line = _error_line(runner.invoke(app, ["run", str(_config(folders, extra=period))]))
    assert "no posts in the period 2025-01-01 to 2025-01-31" in line and "outside_period" in line
    _unchanged(folders)


def test_a_wrong_format_names_the_source(folders):
    (folders / "posts.csv").write_text(POSTS)
    (folders / "other.csv").write_text(POSTS)
    config = _config(folders)
    config.write_text(
        config.read_text().replace("brand:", "  - path: other.csv\n    format: crowdtangle\nbrand:")
    )
    line = _error_line(runner.invoke(app, ["run", str(config)]))
    assert "sources.1.path (other.csv, format crowdtangle)" in line
    assert "not a CrowdTangle export" in line
    _unchanged(folders)


def test_a_generic_source_without_platform_says_to_set_it(folders):
    (folders / "posts.csv").write_text(POSTS)
    config = folders / "tiny.yaml"
    config.write_text(
        "name: tiny\nsources:\n  - path: posts.csv\n    format: csv\n"
        "    mapping: {post_id: id, created_at: created, author: user, text: body}\n"
        "brand: {name: Demo, accounts: {twitter: [DemoBrand]}}\n"
    )
    line = _error_line(runner.invoke(app, ["run", str(config)]))
    assert "sources.0.platform (e.g. platform: twitter)" in line
    _unchanged(folders)


def test_an_unwritable_reports_folder_is_named(folders, monkeypatch):
    (folders / "posts.csv").write_text(POSTS)
    blocked = folders / "not-a-folder"
    blocked.write_text("")
    monkeypatch.setenv("TOOLKIT_REPORTS_DIR", str(blocked / "reports"))
    line = _error_line(runner.invoke(app, ["run", str(_config(folders))]))
    assert f"cannot write the report to {blocked / 'reports'}" in line


def test_an_unwritable_working_folder_is_named(folders, monkeypatch):
    (folders / "posts.csv").write_text(POSTS)
    blocked = folders / "not-a-folder"
    blocked.write_text("")
    monkeypatch.setenv("TOOLKIT_WORK_DIR", str(blocked / "work"))
    line = _error_line(runner.invoke(app, ["run", str(_config(folders))]))
    assert f"cannot write working data to {blocked / 'work' / 'tiny'}" in line
    _unchanged(folders)


@pytest.mark.parametrize("name", [".", "..", ".tiny", "../tiny", "x/y"])
def test_a_name_that_is_not_a_plain_folder_name_is_refused(folders, name):
    (folders / "posts.csv").write_text(POSTS)
    line = _error_line(runner.invoke(app, ["run", str(_config(folders, name=name))]))
    assert "name:" in line and "not a plain folder name" in line
    _unchanged(folders)
    assert not (folders / "work").exists()


# ------------------------------------------------------------------ toolkit ingest


def test_a_project_without_the_notebooks_is_named_before_any_work(folders, monkeypatch):
    # A config outside any project, run from a folder that is not one either.
    (folders / "posts.csv").write_text(POSTS)
    monkeypatch.chdir(folders)
    monkeypatch.setattr(report, "_ingest", lambda config: pytest.fail("ingest ran"))
    line = _error_line(runner.invoke(app, ["run", str(_config(folders))]))
    assert "notebooks are not in" in line and "01_ingest.ipynb" in line
    assert "TOOLKIT_PROJECT_DIR" in line
    _unchanged(folders)


def test_ingest_with_a_wrong_format_names_the_file(tmp_path, monkeypatch):
    monkeypatch.setenv("TOOLKIT_HMAC_KEY", "test-key")
    (tmp_path / "Tweets.csv").write_text(POSTS)
    result = runner.invoke(app, ["ingest", str(tmp_path / "Tweets.csv"), "--format", "crowdtangle"])
    assert _error_line(result) == (
        "error: Tweets.csv: not a CrowdTangle export (no 'Post Created' column)"
    )


def test_ingest_of_a_generic_csv_without_platform_says_pass_platform(tmp_path, monkeypatch):
    monkeypatch.setenv("TOOLKIT_HMAC_KEY", "test-key")
    (tmp_path / "Tweets.csv").write_text(
        "post_id,created_at,author,text\n1,2026-09-01T10:00:00Z,alice_w,hello\n"
    )
    result = runner.invoke(app, ["ingest", str(tmp_path / "Tweets.csv"), "--format", "csv"])
    line = _error_line(result)
    assert "Tweets.csv" in line and "['platform']" in line and "--platform twitter" in line
    assert "--map canonical=source" not in line  # nothing else is missing
    fixed = runner.invoke(
        app, ["ingest", str(tmp_path / "Tweets.csv"), "--format", "csv", "--platform", "twitter"]
    )
    assert fixed.exit_code == 0 and json.loads(fixed.stdout)["loaded"] == 1


def test_ingest_into_an_unwritable_out_folder_is_named(tmp_path, monkeypatch):
    monkeypatch.setenv("TOOLKIT_HMAC_KEY", "test-key")
    (tmp_path / "Tweets.csv").write_text(
        "post_id,created_at,author,text\n1,2026-09-01T10:00:00Z,alice_w,hello\n"
    )
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("")
    result = runner.invoke(
        app,
        [
            "ingest",
            str(tmp_path / "Tweets.csv"),
            "--platform",
            "twitter",
            "--out",
            str(blocked / "out"),
        ],
    )
    assert _error_line(result).startswith(f"error: --out: cannot write to {blocked / 'out'}")
