"""Ctrl-C and SIGTERM stop `toolkit run` cleanly: exit 130 / 143, the notebook kernel ended, the
previous report untouched and no staging folder left; leftovers of a killed build are swept at
the next build.

The run is real (the CLI, papermill and the `toolkit` kernel) but its notebook is one cell that
records the kernel's pid and sleeps, so each case takes seconds."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import nbformat
import psutil
import pytest
from helpers import write_tiny_config

from toolkit.core.paths import PROJECT_DIR as ROOT
from toolkit.report import build as report
from toolkit.report import staging

#: Runs `toolkit run CONFIG` with the report's notebooks replaced by the one in NOTEBOOKS_DIR.
DRIVER = textwrap.dedent("""
    import sys
    from pathlib import Path
    from toolkit.report import build as report
    report.NOTEBOOKS_DIR = Path(sys.argv[1])
    report.NOTEBOOKS = ("01_sleep",)
    sys.argv = ["toolkit", "run", *sys.argv[2:]]
    from toolkit.cli import main
    main()
""")


def _sleeping_notebook(folder: Path, marker: Path, per_config: bool = False) -> Path:
    """A notebook that writes its kernel's pid to `marker` (with `per_config`, to a file named
    after the config in the folder `marker`), then sleeps 40 s."""
    target = f"pathlib.Path({str(marker)!r})"
    if per_config:
        target += " / pathlib.Path(config_path).stem"
    folder.mkdir()
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "toolkit", "display_name": "toolkit", "language": "python"}
    params = nbformat.v4.new_code_cell('config_path = ""\noutput_dir = ""')
    params.metadata["tags"] = ["parameters"]
    sleep = nbformat.v4.new_code_cell(
        f"import os, pathlib, time\n({target}).write_text(str(os.getpid()))\ntime.sleep(40)"
    )
    nb.cells = [params, sleep]
    nbformat.write(nb, folder / "01_sleep.ipynb")
    return folder


def _run_env(tmp_path: Path, reports: Path) -> dict:
    return {
        **os.environ,
        "TOOLKIT_REPORTS_DIR": str(reports),
        "TOOLKIT_WORK_DIR": str(tmp_path / "work"),
        "TOOLKIT_HMAC_KEY": "test-key",
        "TOOLKIT_PROGRESS": "0",
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
    }


def _tiny_config(tmp_path: Path) -> Path:
    (tmp_path / "posts.csv").write_text(
        "id,created,user,body\n"
        "1,2026-09-01T10:00:00Z,alice_w,hello @DemoBrand\n"
        "2,2026-09-01T11:00:00Z,DemoBrand,hi there\n"
    )
    cfg = write_tiny_config(tmp_path)
    return cfg


def _previous_report(reports: Path) -> Path:
    old = reports / "tiny"
    old.mkdir(parents=True)
    (old / "index.html").write_text("previous report")
    (old / "manifest.json").write_text(json.dumps({"fingerprint": "old"}))
    return old


def _ignore_sigint():
    # What a non-interactive shell does to a command started with `&`: the child inherits
    # SIGINT ignored. An explicit `kill -INT` must stop the run all the same.
    signal.signal(signal.SIGINT, signal.SIG_IGN)


@pytest.mark.parametrize(
    "signum, inherit_ignored, code",
    [
        (signal.SIGINT, True, 130),
        (signal.SIGINT, False, 130),
        (signal.SIGTERM, False, 143),
    ],
    ids=["sigint-background", "sigint", "sigterm"],
)
def test_a_signal_stops_the_run_and_keeps_the_previous_report(
    tmp_path, signum, inherit_ignored, code
):
    reports = tmp_path / "reports"
    old = _previous_report(reports)
    marker = tmp_path / "kernel.pid"
    notebooks = _sleeping_notebook(tmp_path / "nbs", marker)
    env = _run_env(tmp_path, reports)
    run = subprocess.Popen(
        [sys.executable, "-c", DRIVER, str(notebooks), str(_tiny_config(tmp_path))],
        cwd=tmp_path,
        env=env,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=_ignore_sigint if inherit_ignored else None,
    )
    try:
        deadline = time.monotonic() + 120
        while not (marker.exists() and marker.read_text()):
            assert run.poll() is None, run.stderr.read()
            assert time.monotonic() < deadline, "the notebook never started"
            time.sleep(0.2)
        kernel = int(marker.read_text())
        assert list(reports.glob(".tiny.staging-*")), "the run should be building in staging"
        run.send_signal(signum)
        time.sleep(0.5)
        if run.poll() is None:
            run.send_signal(signum)  # a second Ctrl-C must not cut the cleanup short
        # The notebook sleeps 40 s: a run that ignored the signal would still be running.
        returncode = run.wait(timeout=25)
    finally:
        if run.poll() is None:
            run.kill()
            run.wait()
    stderr = run.stderr.read()
    assert returncode == code, stderr
    assert "Traceback" not in stderr and "unchanged" in stderr
    assert (old / "index.html").read_text() == "previous report"
    assert sorted(p.name for p in reports.iterdir()) == ["tiny"]  # no staging left
    assert not _running(kernel), "the notebook kernel outlived the run"


def _running(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_sweep_removes_staging_of_dead_builds_and_restores_a_moved_report(tmp_path):
    dead, alive = _dead_pid(), os.getppid()
    (tmp_path / f".tiny.staging-{dead}" / "figures").mkdir(parents=True)
    (tmp_path / f".other.staging-{alive}").mkdir()  # a build still running: leave it
    moved = tmp_path / f".gone.old-{dead}"  # killed between moving the old report and the swap
    moved.mkdir()
    (moved / "index.html").write_text("previous report")
    (tmp_path / "kept").mkdir()
    (tmp_path / f".kept.old-{dead}").mkdir()  # the swap finished: the old copy is garbage

    lines = staging.sweep_stale(tmp_path)

    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        ["gone", "kept", f".other.staging-{alive}"]
    )
    assert (tmp_path / "gone" / "index.html").read_text() == "previous report"
    assert len(lines) == 3 and any("restored" in line for line in lines)


def test_the_next_build_sweeps_a_stale_staging_folder(tmp_path, monkeypatch):

    reports = tmp_path / "reports"
    monkeypatch.setenv("TOOLKIT_WORK_DIR", str(tmp_path / "work"))
    monkeypatch.setenv("TOOLKIT_REPORTS_DIR", str(reports))
    monkeypatch.setenv("TOOLKIT_HMAC_KEY", "test-key")
    stale = reports / f".tiny.staging-{_dead_pid()}"
    stale.mkdir(parents=True)
    (stale / "index.html").write_text("<p>half-built, never gated</p>")

    def fake_notebooks(config, staging, progress, *_):
        return {name: 0.0 for name in report.NOTEBOOKS}

    def fake_site(staging, config, manifest):
        (staging / "index.html").write_text("<p>new report</p>")

    monkeypatch.setattr(report, "_run_notebooks", fake_notebooks)
    monkeypatch.setattr(report, "_render_site", fake_site)
    lines = []
    report.build_report(_tiny_config(tmp_path), progress=lines.append)
    assert sorted(p.name for p in reports.iterdir()) == ["tiny"]
    assert lines[0].startswith(f"removed {stale.name}")


def test_an_exception_in_a_build_removes_its_staging(tmp_path, monkeypatch):

    reports = tmp_path / "reports"
    monkeypatch.setenv("TOOLKIT_WORK_DIR", str(tmp_path / "work"))
    monkeypatch.setenv("TOOLKIT_REPORTS_DIR", str(reports))
    monkeypatch.setenv("TOOLKIT_HMAC_KEY", "test-key")
    old = _previous_report(reports)

    def crash(config, staging, progress, *_):
        (staging / "figures").mkdir()
        raise RuntimeError("unexpected")

    monkeypatch.setattr(report, "_run_notebooks", crash)
    with pytest.raises(RuntimeError):
        report.build_report(_tiny_config(tmp_path))
    assert sorted(p.name for p in reports.iterdir()) == ["tiny"]
    assert (old / "index.html").read_text() == "previous report"


def test_an_interrupt_stops_every_report_built_side_by_side(tmp_path):
    reports = tmp_path / "reports"
    old = _previous_report(reports)
    markers = tmp_path / "kernels"
    markers.mkdir()
    folder = _sleeping_notebook(tmp_path / "nbs", markers, per_config=True)
    first = _tiny_config(tmp_path)
    second = tmp_path / "other.yaml"
    second.write_text(first.read_text().replace("name: tiny", "name: other"))
    env = _run_env(tmp_path, reports)
    run = subprocess.Popen(
        [sys.executable, "-c", DRIVER, str(folder), str(first), str(second)],
        cwd=tmp_path,
        env=env,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 120
        while len([m for m in markers.iterdir() if m.read_text()]) < 2:
            assert run.poll() is None, run.stderr.read()
            assert time.monotonic() < deadline, "the two notebooks never ran at the same time"
            time.sleep(0.2)
        kernels = [int(m.read_text()) for m in markers.iterdir()]
        run.send_signal(signal.SIGINT)
        returncode = run.wait(timeout=30)  # the notebooks sleep 40 s
    finally:
        if run.poll() is None:
            run.kill()
            run.wait()
    stderr = run.stderr.read()
    assert returncode == 130, stderr
    assert "Traceback" not in stderr and "unchanged" in stderr
    assert (old / "index.html").read_text() == "previous report"
    assert sorted(p.name for p in reports.iterdir()) == ["tiny"]  # no staging of either build
    assert not any(_running(k) for k in kernels), "a notebook kernel outlived the run"
