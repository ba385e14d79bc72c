"""The report site: navigation, footer, alt text, offline pages, and post text that is shown as
text (never run as markup) through the real path: a notebook cell in the `toolkit` kernel ->
nbconvert HTML."""

import base64
import re
from html.parser import HTMLParser

import nbformat
import pytest

from toolkit.core.provenance import summary
from toolkit.report import site

PNG = base64.b64encode(
    bytes.fromhex(
        "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
        "1f15c4890000000d49444154789c6360000002000001e221bc330000000049454e44ae426082"
    )
).decode()
PAGES = {"05_brief": "Brief", "01_ingest": "Ingest profile", "02_topics": "Topics & tone"}
HOSTILE = "<script>alert('x')</script> <b>bold</b> <img src=x onerror=alert(1)> $5 off_now ^^"


class _Images(HTMLParser):
    def __init__(self):
        super().__init__()
        self.alts = []

    def handle_starttag(self, tag, attrs):
        if tag == "img":
            self.alts.append(dict(attrs).get("alt"))


def image_alts(page: str) -> list[str | None]:
    parser = _Images()
    parser.feed(page)
    return parser.alts


def executed(*cells) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.cells = list(cells)
    return nb


def image_cell(source: str, alt: str | None = None):
    cell = nbformat.v4.new_code_cell(source)
    metadata = {"image/png": {"alt": alt}} if alt else {}
    cell.outputs = [
        nbformat.v4.new_output(
            "display_data", data={"image/png": PNG, "text/plain": "<Figure>"}, metadata=metadata
        )
    ]
    return cell


def test_nav_marks_the_current_page_and_escapes():
    nav = site.nav_html(PAGES, "01_ingest", "Acme <&> Co")
    assert re.findall(r'href="([^"]+)"', nav) == [
        "05_brief.html",
        "01_ingest.html",
        "02_topics.html",
    ]
    assert '<a href="01_ingest.html" aria-current="page">Ingest profile</a>' in nav
    assert nav.count("aria-current") == 1
    assert "Acme &lt;&amp;&gt; Co insight report" in nav and "Topics &amp; tone" in nav


def test_footer_lists_the_summary_escaped():
    footer = site.footer_html({"Data period": "2026-09-01 to 2026-11-29", "Code": "<abc>"})
    assert "<dt>Data period</dt><dd>2026-09-01 to 2026-11-29</dd>" in footer
    assert "<dd>&lt;abc&gt;</dd>" in footer and 'href="manifest.json"' in footer


def test_manifest_summary():
    manifest = {
        "data_period": {"start": "2026-09-01", "end": "2026-11-29"},
        "inputs": {"a.jsonl": "0123456789abcdef" * 4, "b.csv": "f" * 64},
        "git_commit": "89abcdef0123456789abcdef0123456789abcdef-dirty",
        "created_at": "2026-11-30T03:47:48+02:00",
    }
    assert summary(manifest) == {
        "Data period": "2026-09-01 to 2026-11-29",
        "Inputs (SHA-256)": "a.jsonl 0123456789ab, b.csv ffffffffffff",
        "Code": "89abcdef0123 with uncommitted changes",
        "Built": "2026-11-30 01:47 UTC",
    }
    empty = summary({})
    assert empty["Data period"] == "not recorded" and empty["Code"] == "unknown commit"
    assert empty["Inputs (SHA-256)"] == "none" and empty["Built"] == "unknown"


@pytest.mark.parametrize(
    ("source", "heading", "expected"),
    [
        (
            'session.save_figure(fig, "tone_daily")\nplt.show()',
            "Tone over time",
            "Figure: Tone over time - tone daily",
        ),
        (
            'session.save_figure(fig, f"campaign_{brief.slug(up.name)}")',
            "Campaigns",
            "Figure: Campaigns - campaign",
        ),
        ("plt.show()", "Topics", "Figure: Topics"),
        ("plt.show()", "", "Figure: chart"),
    ],
)
def test_fallback_alt(source, heading, expected):
    assert site.fallback_alt(source, heading) == expected


def test_prepare_notebook_drops_noise_and_labels_every_image():
    widget = nbformat.v4.new_output(
        "display_data",
        data={"application/vnd.jupyter.widget-view+json": {"model_id": "1"}, "text/plain": "bar"},
    )
    stderr = nbformat.v4.new_output("stream", name="stderr", text="WARNING something")
    stdout = nbformat.v4.new_output("stream", name="stdout", text="kept")
    noisy = nbformat.v4.new_code_cell("x")
    noisy.outputs = [widget, stderr, stdout]
    nb = executed(
        nbformat.v4.new_markdown_cell("# Report\n\n## Volume per day"),
        image_cell('session.save_figure(fig, "daily_volume")'),
        image_cell("plt.show()", alt="Chart: posts per day."),
        noisy,
    )
    nb.metadata["widgets"] = {"state": {}}
    ready = site.prepare_notebook(nb)
    alts = [c.outputs[0].metadata["image/png"]["alt"] for c in ready.cells[1:3]]
    assert alts == ["Figure: Volume per day - daily volume", "Chart: posts per day."]
    assert ready.cells[3].outputs == [stdout] and "widgets" not in ready.metadata
    assert "alt" not in nb.cells[1].outputs[0].metadata.get("image/png", {})  # input untouched


def test_rendered_page_is_offline_and_complete():
    nb = executed(
        nbformat.v4.new_markdown_cell("# Brief\n\nSome text."),
        image_cell("plt.show()", alt='A "quoted" chart'),
    )
    page = site.render_page(
        nb,
        "Brief - Acme",
        site.nav_html(PAGES, "05_brief", "Acme"),
        site.footer_html({"Data period": "x to y"}),
    )
    assert "<title>Brief - Acme</title>" in page
    assert re.findall(r"<script[^>]*\bsrc=", page) == []
    assert not re.search(r"<link[^>]+href=\"https?:", page) and "@import" not in page
    assert "mathjax" not in page.lower() and "mermaid.esm" not in page
    assert image_alts(page) == ['A "quoted" chart']
    assert (
        page.index('class="toolkit-nav"')
        < page.index("<main>")
        < page.index('class="toolkit-footer"')
    )
    assert ".toolkit-report .jp-RenderedImage img" in page  # the site stylesheet is inlined


def test_stylesheet_uses_no_web_fonts_or_remote_urls():
    css = site.stylesheet()
    assert "url(" not in css and "@import" not in css and "@font-face" not in css
    assert "overflow-x: auto" in css and "max-width: 100%" in css


def test_post_text_renders_as_text_through_the_real_notebook_path():
    """A DataFrame and a brief card holding hostile post text, displayed in a real kernel, then
    rendered to HTML: the markup arrives as text, no live tag survives, and $ _ ^ in figure text
    do not break matplotlib."""
    from nbclient import NotebookClient

    nb = executed(
        nbformat.v4.new_code_cell(
            "import pandas as pd\nimport matplotlib.pyplot as plt\n"
            "from IPython.display import Markdown, display\n"
            "from toolkit.report import brief, figures\nfrom toolkit.report.style import use_style\nuse_style()\n"
            f"hostile = {HOSTILE!r}"
        ),
        nbformat.v4.new_code_cell("pd.DataFrame({'platform': ['reddit'], 'text': [hostile]})"),
        nbformat.v4.new_code_cell("display(Markdown('Top topic: **' + brief.md(hostile) + '**'))"),
        nbformat.v4.new_code_cell(
            "fig = figures.kpi_bars(hostile, {hostile: 0.5, 'b': None})\nplt.show()"
        ),
    )
    nb.metadata["kernelspec"] = {"name": "toolkit", "display_name": "toolkit", "language": "python"}
    NotebookClient(nb, kernel_name="toolkit", timeout=120).execute()
    page = site.render_page(nb, "Test", "", "")
    body = page[page.index("<main>") :]
    assert "<script" not in body and "<b>bold</b>" not in body and "<img src=x" not in body
    assert "onerror=alert" not in re.sub(r"&lt;img src=x onerror=alert\(1\)&gt;", "", body)
    assert body.count("&lt;script&gt;alert(") == 3  # table cell, markdown and alt text, as text
    assert "$5 off_now ^^" in body
    alts = image_alts(body)
    assert len(alts) == 1 and alts[0].startswith("Chart: <script>alert('x')</script>")


def _render(*cells) -> str:
    return site.render_page(
        executed(*cells), "Page", site.nav_html(PAGES, "05_brief", "Acme"), site.footer_html({})
    )


def test_method_notes_are_folded_under_how_this_was_computed():
    marked = nbformat.v4.new_markdown_cell(
        "## Topics\n\nWhat customers talk about.\n\n<!-- method -->\nReduced with **UMAP**."
    )
    tagged = nbformat.v4.new_markdown_cell("| rate | formula |\n| --- | --- |\n| a | b / c |")
    tagged.metadata["tags"] = ["method"]
    plain = nbformat.v4.new_markdown_cell("Plain reader text.")
    page = _render(marked, tagged, plain)
    folded = re.findall(r'<details class="toolkit-method">(.*?)</details>', page, re.S)
    assert len(folded) == 2 and all("How this was computed" in f for f in folded)
    assert "<strong>UMAP</strong>" in folded[0] and "<table>" in folded[1]
    assert page.index("What customers talk about.") < page.index('<details class="toolkit-method">')
    assert "<details open" not in page
    assert "Plain reader text." not in "".join(folded)


def test_bare_return_values_are_not_published():
    cell = nbformat.v4.new_code_cell("session.save_table(df, 'x')")
    cell.outputs = [
        nbformat.v4.new_output(
            "execute_result", data={"text/plain": "PosixPath('/r/x.csv')"}, execution_count=1
        ),
        nbformat.v4.new_output(
            "execute_result",
            data={"text/plain": "   a\n0  1", "text/html": "<table><tr><td>1</td></tr></table>"},
            execution_count=1,
        ),
        nbformat.v4.new_output("stream", name="stdout", text="printed on purpose"),
    ]
    page = _render(cell)
    assert "PosixPath" not in page
    assert "<td>1</td>" in page and "printed on purpose" in page
