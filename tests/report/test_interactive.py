"""Interactive charts (toolkit.report.interactive): built from published tables only, suppressed cells
stay gaps, the page loads Plotly from the report's own assets/, and the privacy gate reads the
chart's data while skipping only a byte-identical vendored library file."""

from __future__ import annotations

import json
import re

import nbformat
import pandas as pd
import pytest
from helpers import write_tiny_config

from toolkit.privacy import disclosure
from toolkit.privacy.disclosure import DisclosureError
from toolkit.privacy.gate.identifiers import Identifiers
from toolkit.privacy.gate.scan import scan_dir
from toolkit.report import interactive, site
from toolkit.report.session import open_session

K = 3
CANARY_EMAIL = "dana.whitfield@example.net"
CANARY_HANDLE = "dana_w_1987"


def _daily() -> pd.DataFrame:
    table = pd.DataFrame(
        {
            "date": pd.to_datetime(["2026-10-01", "2026-10-02", "2026-10-03", "2026-10-04"]),
            "n_posts": [40, 7777, 55, 120],  # 7777: a day of two authors, suppressed
            "n_authors": [30, 2, 41, 90],
            "mean_sentiment": [0.12345678, -0.9876, -0.25, 0.5],
            "share_negative": [0.2, 0.9, 0.4, 0.1],
        }
    )
    return disclosure.publishable(table, "tone_daily", K)


def _spikes() -> pd.DataFrame:
    table = pd.DataFrame(
        {"date": pd.to_datetime(["2026-10-04"]), "n_posts": [120], "n_authors": [90]}
    )
    return disclosure.publishable(table, "tone_spikes", K)


def _over_time() -> pd.DataFrame:
    weeks = pd.to_datetime(["2026-09-28", "2026-10-05"])
    table = pd.DataFrame(
        {
            "topic": [0, 0, 1, 1, 2, 2, -1, -1],
            "period": list(weeks) * 4,
            "n_posts": [50, 60, 20, 4242, 9, 8, 100, 100],  # 4242: two authors, suppressed
            "n_authors": [40, 45, 15, 2, 6, 5, 80, 80],
        }
    )
    return disclosure.publishable(table, "topics_over_time", K)


def _chart_values(chart: interactive.InteractiveChart) -> list:
    return [v for trace in chart.data for v in trace["y"]]


# ------------------------------------------------------------------ chart builders
def test_daily_chart_shows_the_published_values_and_gaps_where_suppressed():
    chart = interactive.daily_volume_and_tone(_daily(), _spikes())
    bars, tone, spikes = chart.data
    assert bars["x"] == ["2026-10-01", "2026-10-02", "2026-10-03", "2026-10-04"]
    assert bars["y"] == [40, None, 55, 120]
    assert tone["y"] == pytest.approx([0.1235, None, -0.25, 0.5], abs=1e-9, nan_ok=True)
    assert [row[0] for row in bars["customdata"]] == [30, None, 41, 90]
    assert spikes["x"] == ["2026-10-04"] and spikes["y"] == [120]
    text = chart.to_json()
    assert "7777" not in text and "-0.9876" not in text and "0.9," not in text
    assert chart.has_data


def test_suppressed_cells_stay_gaps_even_when_a_value_was_left_in_them():
    daily = _daily()
    daily.loc[daily["suppressed"], "n_posts"] = 7777  # a table someone forgot to blank
    assert interactive.daily_volume_and_tone(daily).data[0]["y"][1] is None


def test_topics_chart_draws_the_largest_topics_by_their_published_labels():
    labels = {0: "delivery delays", 1: "app login", 2: "refunds"}
    chart = interactive.topics_over_time(_over_time(), labels, max_topics=2)
    assert [t["name"] for t in chart.data] == ["delivery delays", "app login"]  # no outliers (-1)
    assert chart.data[0]["y"] == [50, 60]
    assert chart.data[1]["y"] == [20, None]
    assert chart.data[1]["customdata"] == [15, None]
    assert "4242" not in chart.to_json()
    everything = interactive.topics_over_time(_over_time(), labels)
    assert [t["name"] for t in everything.data] == ["delivery delays", "app login", "refunds"]


def test_a_chart_of_suppressed_cells_only_has_no_data():
    daily = _daily().assign(suppressed=True)
    assert not interactive.daily_volume_and_tone(daily).has_data


def test_the_same_tables_give_the_same_bytes():
    one = interactive.daily_volume_and_tone(_daily(), _spikes()).to_html()
    two = interactive.daily_volume_and_tone(_daily(), _spikes()).to_html()
    assert one == two


def test_chart_html_keeps_its_json_inside_the_script_block():
    labels = {0: "</script><script>alert(1)</script>", 1: "b", 2: "c"}
    page = interactive.topics_over_time(_over_time(), labels).to_html()
    assert page.count("</script>") == 1
    block = re.search(r'<script type="application/json"[^>]*>(.*?)</script>', page, re.S).group(1)
    assert json.loads(block)["data"][0]["name"] == labels[0]


def test_mimebundle_has_the_page_html_and_plotly_json():
    bundle = interactive.daily_volume_and_tone(_daily())._repr_mimebundle_()
    assert 'class="toolkit-chart"' in bundle["text/html"]
    assert bundle[interactive.PLOTLY_MIMETYPE]["data"][0]["y"] == [40, None, 55, 120]


# ------------------------------------------------------------------ session and registry
@pytest.fixture
def session(tmp_path, monkeypatch):
    monkeypatch.setenv("TOOLKIT_HMAC_KEY", "test-key")
    (tmp_path / "posts.csv").write_text("id,created,user,body\n1,2026-09-01T10:00:00Z,a,hi\n")
    return open_session(write_tiny_config(tmp_path), tmp_path / "out")


def test_save_chart_needs_its_tables_published_first(session):
    chart = interactive.daily_volume_and_tone(_daily(), _spikes())
    with pytest.raises(DisclosureError, match="tone_daily"):
        session.save_chart(chart)
    session.publish(_daily(), "tone_daily")
    session.publish(_spikes(), "tone_spikes")
    session.save_chart(chart)  # now allowed


def test_every_chart_is_registered_with_tables_that_have_a_policy(session):
    chart = interactive.daily_volume_and_tone(_daily())
    chart.name = "daily_raw_posts"
    with pytest.raises(DisclosureError, match="no disclosure policy"):
        session.save_chart(chart)
    for name, sources in disclosure.CHARTS.items():
        assert sources, name  # a chart's hover shows exact values: never drawn from raw posts
        for table in sources:
            assert disclosure.table_policy(table).suppresses, (name, table)


# ------------------------------------------------------------------ site
def _notebook_with_chart(chart_html: str) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    png = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
    static = nbformat.v4.new_code_cell('session.save_figure(fig, "tone_daily")')
    static.outputs = [nbformat.v4.new_output("display_data", data={"image/png": png})]
    chart = nbformat.v4.new_code_cell("session.save_chart(chart)")
    chart.outputs = [
        nbformat.v4.new_output("display_data", data={"text/html": chart_html, "text/plain": "c"})
    ]
    nb.cells = [nbformat.v4.new_markdown_cell("# Tone"), static, chart]
    return nb


def test_pages_with_charts_load_plotly_from_the_local_assets_only():
    chart = interactive.daily_volume_and_tone(_daily(), _spikes())
    page = site.render_page(_notebook_with_chart(chart.to_html()), "Tone", "", "")
    sources = re.findall(r'<script[^>]*\bsrc="([^"]+)"', page)
    assert sources == [site.PLOTLY_ASSET, site.CHARTS_ASSET]
    assert not re.search(r'(src|href)="(https?:)?//', page)
    assert 'data-figure="tone_daily"' in page  # the PNG twin the script hides on screen
    assert 'class="toolkit-chart-data"' in page

    plain = nbformat.v4.new_notebook()
    plain.cells = [nbformat.v4.new_markdown_cell("# No charts")]
    assert "<script src=" not in site.render_page(plain, "Plain", "", "")


def test_write_assets_copies_the_installed_plotly_unchanged(tmp_path):
    written = site.write_assets(tmp_path)
    assert [p.relative_to(tmp_path).as_posix() for p in written] == [
        site.PLOTLY_ASSET,
        site.CHARTS_ASSET,
    ]
    assert (tmp_path / site.PLOTLY_ASSET).read_bytes() == site.plotly_js().read_bytes()
    assert "Plotly.newPlot" in (tmp_path / site.CHARTS_ASSET).read_text()
    library = (tmp_path / site.PLOTLY_ASSET).read_text(errors="replace")
    assert "cdn.plot.ly" not in (tmp_path / site.CHARTS_ASSET).read_text()
    assert len(library) > 1_000_000  # the full bundle: no partial build fetched at run time


# ------------------------------------------------------------------ privacy gate
def _canary_ids() -> Identifiers:
    return Identifiers.build(handles=[CANARY_HANDLE], emails=[CANARY_EMAIL])


def test_gate_reads_the_data_of_a_chart_on_a_page(tmp_path):
    site.write_assets(tmp_path)
    clean = interactive.topics_over_time(_over_time(), {0: "delivery", 1: "app", 2: "refunds"})
    (tmp_path / "02_topics.html").write_text(
        site.render_page(_notebook_with_chart(clean.to_html()), "Topics", "", "")
    )
    assert scan_dir(tmp_path, _canary_ids(), vendored=site.vendored_assets()) == []

    leaky = interactive.topics_over_time(
        _over_time(), {0: f"write to {CANARY_EMAIL}", 1: f"ask @{CANARY_HANDLE}", 2: "x"}
    )
    (tmp_path / "02_topics.html").write_text(
        site.render_page(_notebook_with_chart(leaky.to_html()), "Topics", "", "")
    )
    found = {
        (f.file, f.entity_type)
        for f in scan_dir(tmp_path, _canary_ids(), vendored=site.vendored_assets())
    }
    assert ("02_topics.html", "EMAIL_ADDRESS") in found
    assert ("02_topics.html", "HANDLE") in found


def test_gate_skips_the_vendored_library_only_while_it_is_unchanged(tmp_path):
    site.write_assets(tmp_path)
    assert scan_dir(tmp_path, _canary_ids(), vendored=site.vendored_assets()) == []
    library = tmp_path / site.PLOTLY_ASSET
    library.write_bytes(library.read_bytes() + f"\n// {CANARY_EMAIL}\n".encode())
    found = {
        (f.file, f.entity_type)
        for f in scan_dir(tmp_path, _canary_ids(), vendored=site.vendored_assets())
    }
    # changed, it is scanned like any file (with false alarms from its digit strings too,
    # which is why the unchanged library is skipped rather than scanned)
    assert (site.PLOTLY_ASSET, "EMAIL_ADDRESS") in found
    assert {file for file, _ in found} == {site.PLOTLY_ASSET}


def test_gate_scans_the_toolkit_chart_script(tmp_path):
    site.write_assets(tmp_path)
    script = tmp_path / site.CHARTS_ASSET
    script.write_text(script.read_text() + f"\n// {CANARY_EMAIL}\n")
    found = scan_dir(tmp_path, _canary_ids(), vendored=site.vendored_assets())
    assert [(f.file, f.entity_type) for f in found] == [(site.CHARTS_ASSET, "EMAIL_ADDRESS")]


def test_daily_volume_per_platform_from_posts_to_chart():
    from helpers import make_posts

    from toolkit.ingest import profile

    rows = [
        {"platform": "twitter", "author": f"u{i}", "created_at": "2026-10-01T12:00:00Z"}
        for i in range(4)
    ]
    rows += [
        {"platform": "reddit", "author": "u9", "created_at": "2026-10-01T13:00:00Z"},
        {"platform": "reddit", "author": "u9", "created_at": "2026-10-02T01:00:00Z"},  # 1 Oct in NY
        {"platform": "twitter", "author": "u1", "created_at": "2026-10-02T15:00:00Z"},
    ]
    daily = profile.daily_volume(make_posts(*rows), "America/New_York")
    assert daily[["platform", "n_posts", "n_authors"]].values.tolist() == [
        ["reddit", 2, 1],
        ["twitter", 4, 4],
        ["twitter", 1, 1],
    ]
    published = disclosure.publishable(daily, "ingest_daily_volume", K)
    chart = interactive.daily_volume_by_platform(published)
    assert [t["name"] for t in chart.data] == ["reddit", "twitter"]
    assert chart.data[0]["y"] == [None]  # one author: suppressed
    assert chart.data[1]["x"] == ["2026-10-01", "2026-10-02"]
    assert chart.data[1]["y"] == [4, None]
    assert chart.layout["barmode"] == "stack"
