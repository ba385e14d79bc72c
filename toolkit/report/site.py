"""The report site: executed notebooks -> offline HTML pages with navigation, the site
stylesheet, a provenance footer and alt text on every figure.

Pages carry no code, no progress widgets, no stderr logs and no bare return values; they
fetch nothing from the internet (no require.js, MathJax, mermaid, widget loaders or web fonts).

Two depths on every page: the reader's narrative is shown, and the analysts' part (method,
parameters, caveats) is folded into a collapsed "How this was computed" section
(`<details class="toolkit-method">`) where it stands: a whole markdown cell tagged ``method``,
or the part of a markdown cell after a ``<!-- method -->`` line.

Pages with an
interactive chart (`toolkit.report.interactive`) load two local files from the report's `assets/`
folder (`write_assets`): the Plotly library as shipped in the installed `plotly` package, and
the toolkit's small script that draws the charts.
"""

from __future__ import annotations

import copy
import html
import re
import shutil
from collections.abc import Mapping
from importlib import resources
from pathlib import Path

import nbformat

TEMPLATE = "report.html.j2"
STYLESHEET = "site.css"
WIDGET_MIMETYPES = (
    "application/vnd.jupyter.widget-view+json",
    "application/vnd.jupyter.widget-state+json",
)
IMAGE_MIMETYPES = ("image/png", "image/jpeg")
#: The report's local assets (relative paths, as pages link them).
ASSETS_DIR = "assets"
PLOTLY_ASSET = f"{ASSETS_DIR}/plotly.min.js"
CHARTS_ASSET = f"{ASSETS_DIR}/toolkit-charts.js"
_CHART_MARKER = 'class="toolkit-chart"'
_SAVED_FIGURE = re.compile(r"save_figure\(\s*\w+\s*,\s*f?[\"']([^\"']+)[\"']")
_HEADING = re.compile(r"^#{1,6}\s+(.+)$", re.MULTILINE)
#: Cell tag of a markdown cell written for analysts: rendered collapsed.
METHOD_TAG = "method"
METHOD_SUMMARY = "How this was computed"
#: In a markdown cell, what follows this line is the analysts' part.
METHOD_MARKER = "<!-- method -->"


def stylesheet() -> str:
    """The site's CSS (system fonts only, nothing fetched)."""
    return resources.files("toolkit.resources").joinpath(STYLESHEET).read_text(encoding="utf-8")


def plotly_js() -> Path:
    """The Plotly library file shipped inside the installed `plotly` package (MIT)."""
    path = Path(str(resources.files("plotly").joinpath("package_data", "plotly.min.js")))
    if not path.is_file():
        raise FileNotFoundError(f"the plotly package has no bundled plotly.min.js at {path}")
    return path


def vendored_assets() -> dict[str, Path]:
    """Report assets that are third-party files copied unchanged: relative path -> the file
    they are copied from. The privacy gate skips such an asset only while its bytes are
    identical to that file (it holds no report data); any other content is scanned."""
    return {PLOTLY_ASSET: plotly_js()}


def write_assets(report_dir: Path) -> list[Path]:
    """Copy the assets pages link to into `report_dir/assets/`; returns the files written."""
    folder = Path(report_dir) / ASSETS_DIR
    folder.mkdir(parents=True, exist_ok=True)
    written = [Path(shutil.copyfile(plotly_js(), Path(report_dir) / PLOTLY_ASSET))]
    script = resources.files("toolkit.resources").joinpath("charts.js").read_bytes()
    (Path(report_dir) / CHARTS_ASSET).write_bytes(script)
    written.append(Path(report_dir) / CHARTS_ASSET)
    return written


def has_charts(nb: nbformat.NotebookNode) -> bool:
    """Whether a notebook shows an interactive chart (`toolkit.report.interactive`)."""
    return any(
        _CHART_MARKER in "".join(output.get("data", {}).get("text/html", ""))
        for cell in nb.cells
        if cell.cell_type == "code"
        for output in cell.get("outputs", [])
    )


def chart_scripts() -> str:
    """The script tags of a page with charts: local files only, in load order."""
    return "".join(f'<script src="{src}"></script>' for src in (PLOTLY_ASSET, CHARTS_ASSET))


def prepare_notebook(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """A copy of an executed notebook fit for publishing.

    Progress widgets, stderr logs and outputs that are only a value's plain-text repr (a
    cell ending in a call that returns a path, a list, a number) are dropped; markdown cells
    tagged ``method`` are folded into a collapsed "How this was computed" section; every
    image output gets alt text (kept when the kernel gave one; otherwise derived from the
    section heading and the name the figure was saved under).

    Parameters
    ----------
    nb : an executed notebook (nbformat v4).
    """
    nb = copy.deepcopy(nb)
    nb.metadata.pop("widgets", None)
    heading = nb.metadata.get("title", "")
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            heading = _last_heading(cell.source) or heading
            if METHOD_TAG in cell.get("metadata", {}).get("tags", []):
                cell.source = collapsed_method(cell.source)
            elif METHOD_MARKER in cell.source:
                reader, method = cell.source.split(METHOD_MARKER, 1)
                cell.source = reader.rstrip() + "\n\n" + collapsed_method(method)
        elif cell.cell_type == "code":
            cell.outputs = [o for o in cell.get("outputs", []) if not _is_noise(o)]
            figure = _saved_figure(cell.source)
            for output in cell.outputs:
                _ensure_alt(output, fallback_alt(cell.source, heading))
                if figure and "image/png" in output.get("data", {}):
                    # lets the chart script find the PNG twin of an interactive chart
                    output.setdefault("metadata", {}).setdefault("image/png", {})["figure"] = figure
    return nb


def collapsed_method(markdown: str) -> str:
    """Analysts' notes (markdown) inside a closed `<details>` "How this was computed" block."""
    return (
        f'<details class="toolkit-method"><summary>{METHOD_SUMMARY}</summary>\n\n'
        f"{markdown.strip()}\n\n</details>"
    )


def fallback_alt(source: str, heading: str) -> str:
    """Alt text for a figure the kernel gave none: its saved name and the section it is in.

    Parameters
    ----------
    source : the code cell's source (where `session.save_figure(fig, "name")` is called).
    heading : the text of the last markdown heading before the cell ('' if none).
    """
    saved = _SAVED_FIGURE.search(source)
    name = saved.group(1) if saved else ""
    name = re.sub(r"\{[^}]*\}", "", name)  # f-string fields are unknown here
    name = re.sub(r"[_\s]+", " ", name).strip()
    parts = [p for p in (heading.strip(), name) if p]
    return "Figure: " + (" - ".join(parts) if parts else "chart")


def nav_html(pages: Mapping[str, str], current: str, brand: str) -> str:
    """The navigation bar: the brand's report title and one link per page.

    Parameters
    ----------
    pages : page name (file stem) -> title, in display order.
    current : the name of the page being rendered (marked aria-current="page").
    brand : brand name shown at the left.
    """
    links = "".join(
        f'<a href="{html.escape(name)}.html"{_current(name == current)}>{html.escape(title)}</a>'
        for name, title in pages.items()
    )
    return (
        '<nav class="toolkit-nav" aria-label="Reports">'
        f'<span class="toolkit-brand">{html.escape(brand)} insight report</span>{links}</nav>'
    )


def footer_html(summary: Mapping[str, str]) -> str:
    """The provenance footer: one line per manifest summary item, and a link to the manifest.

    Parameters
    ----------
    summary : label -> value (see `toolkit.core.provenance.summary`).
    """
    rows = "".join(
        f"<dt>{html.escape(label)}</dt><dd>{html.escape(value)}</dd>"
        for label, value in summary.items()
    )
    return (
        '<footer class="toolkit-footer"><dl>'
        f"{rows}</dl>"
        "<p>Full provenance (config, seeds, package versions): "
        '<a href="manifest.json">manifest.json</a>.</p></footer>'
    )


def render_page(nb: nbformat.NotebookNode, title: str, nav: str, footer: str) -> str:
    """One report page: the notebook's outputs (no code) in the site template.

    Parameters
    ----------
    nb : an executed notebook; it is not modified.
    title : the page title.
    nav, footer : HTML from `nav_html` and `footer_html`.
    """
    from nbconvert import HTMLExporter

    template = resources.files("toolkit.resources").joinpath(TEMPLATE)
    exporter = HTMLExporter(
        template_name="lab",
        template_file=str(template),
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
    )
    scripts = chart_scripts() if has_charts(nb) else ""
    toolkit = {"css": stylesheet(), "nav": nav, "footer": footer, "scripts": scripts}
    page, _ = exporter.from_notebook_node(
        prepare_notebook(nb), resources={"metadata": {"name": title}, "toolkit": toolkit}
    )
    return page


def _saved_figure(source: str) -> str | None:
    """The name a cell saves its figure under, when it is a plain string (not an f-string)."""
    saved = _SAVED_FIGURE.search(source)
    return saved.group(1) if saved and "{" not in saved.group(1) else None


def _current(is_current: bool) -> str:
    return ' aria-current="page"' if is_current else ""


def _last_heading(markdown: str) -> str:
    found = _HEADING.findall(markdown)
    return found[-1].strip() if found else ""


def _is_noise(output) -> bool:
    if output.get("output_type") == "stream":
        return output.get("name") == "stderr"
    data = output.get("data", {})
    if output.get("output_type") == "execute_result" and set(data) <= {"text/plain"}:
        return True  # a return value's repr (PosixPath('...'), [..], 0.25): not for readers
    return any(m in data for m in WIDGET_MIMETYPES)


def _ensure_alt(output, alt: str) -> None:
    data = output.get("data", {})
    for mimetype in IMAGE_MIMETYPES:
        if mimetype in data:
            meta = output.setdefault("metadata", {}).setdefault(mimetype, {})
            if not meta.get("alt"):
                meta["alt"] = alt
