"""Progress bars: on by default, off with TOOLKIT_PROGRESS=0, never change what is iterated."""

from toolkit.core.progress import enabled, progress


def test_progress_yields_every_item_in_order(monkeypatch):
    monkeypatch.setenv("TOOLKIT_PROGRESS", "1")
    assert list(progress(range(5000), "test")) == list(range(5000))


def test_progress_can_be_turned_off(monkeypatch, capsys):
    monkeypatch.setenv("TOOLKIT_PROGRESS", "0")
    assert not enabled()
    assert list(progress(iter(range(3000)), "quiet", total=3000)) == list(range(3000))
    assert "quiet" not in capsys.readouterr().err


def test_progress_draws_a_bar_on_stderr_for_long_steps(monkeypatch, capsys):
    monkeypatch.setenv("TOOLKIT_PROGRESS", "yes")
    list(progress(range(3000), "embedding"))
    assert "embedding" in capsys.readouterr().err
