"""Working data with raw post text is private after an ingest (issue 15): folders 0700, files 0600."""

from __future__ import annotations

import os
import stat

import pytest
from helpers import write_tiny_config

from toolkit.core.private_files import make_private, private_umask


@pytest.fixture
def tiny(tmp_path, monkeypatch):
    import toolkit.core.config as config_module

    monkeypatch.setenv("TOOLKIT_HMAC_KEY", "test-key")
    monkeypatch.setenv("TOOLKIT_WORK_DIR", str(tmp_path / "work"))
    (tmp_path / "posts.csv").write_text(
        "id,created,user,body\n"
        "1,2026-09-01T10:00:00Z,alice_w,hello @DemoBrand my phone is 0161 496 0000\n"
        "2,2026-09-01T11:00:00Z,DemoBrand,hi there\n"
        "3,not a date,bob,broken row\n"
    )
    cfg = write_tiny_config(tmp_path)
    return config_module.load_config(cfg)


def _modes(root):
    found = {}
    for folder, dirs, files in os.walk(root):
        for name in [*dirs, *files]:
            path = os.path.join(folder, name)
            found[os.path.relpath(path, root)] = stat.S_IMODE(os.lstat(path).st_mode)
    return found


def test_ingest_leaves_working_data_private(tiny):
    from toolkit.report.session import ensure_ingested, open_session

    old = os.umask(0o022)
    try:
        ensure_ingested(tiny)
        modes = _modes(tiny.work_dir)
        assert {"posts.parquet", "private", "private/identifiers.json"} <= set(modes)
        assert any(name.startswith("rejects") for name in modes)
        assert stat.S_IMODE(tiny.work_dir.stat().st_mode) == 0o700
        for name, mode in modes.items():
            expected = 0o700 if (tiny.work_dir / name).is_dir() else 0o600
            assert mode == expected, (name, oct(mode))
        # a cache a notebook wrote with the usual umask is fixed when the next one opens
        cache = tiny.work_dir / "cache" / "embeddings"
        cache.mkdir(parents=True)
        (cache / "chunk.npy").write_bytes(b"raw")
        (cache / "chunk.npy").chmod(0o644)
        open_session(tiny.path, tiny.work_dir / "out")
        assert stat.S_IMODE((cache / "chunk.npy").stat().st_mode) == 0o600
        assert stat.S_IMODE(cache.stat().st_mode) == 0o700
        assert os.umask(0o022) == 0o022  # the process umask is restored
    finally:
        os.umask(old)


def test_make_private_does_not_follow_links(tmp_path):
    outside = tmp_path / "outside.txt"
    outside.write_text("x")
    outside.chmod(0o644)
    root = tmp_path / "work"
    root.mkdir()
    (root / "link").symlink_to(outside)
    with private_umask():
        (root / "new.txt").write_text("y")
    assert stat.S_IMODE((root / "new.txt").stat().st_mode) == 0o600
    make_private(root)
    assert stat.S_IMODE(outside.stat().st_mode) == 0o644
