"""Every page of the built sample report, opened in headless Chromium (driven over the DevTools
protocol): no console error, no failed or remote request, no broken or unlabelled image, no
empty page, no page-wide horizontal scrolling at laptop width. Saves a screenshot of the brief.

Needs a built report (the session's `built_report`, a few minutes) and Chromium: skipped with
the reason when Chromium is absent outside CI; in CI (`CI` set) a missing Chromium fails.
"""

from __future__ import annotations

import base64
import json
import os
import re
import shutil
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--disable-default-apps",
    "--mute-audio",
    "--hide-scrollbars",
    "--window-size=1366,900",
    "--remote-debugging-port=0",
    "--remote-allow-origins=*",
]
#: What the page reports about itself once loaded.
INSPECT = r"""(() => {
  // What a reader sees before opening anything: the page without the folded method sections.
  const visibleText = () => {
    const copy = (document.querySelector('main') || document.body).cloneNode(true);
    copy.querySelectorAll('details:not([open]) > :not(summary)').forEach(e => e.remove());
    copy.querySelectorAll('table, style, script').forEach(e => e.remove());
    return copy.textContent;
  };
  const METHOD_WORDS = /random_state|robust z-score|cached by text hash|\bUMAP\b|\bHDBSCAN\b|c-TF-IDF|min_periods|\btoolkit\.[a-z_]+\b|How this was computed:/g;
  const images = Array.from(document.images);
  const main = document.querySelector('main');
  return {
    title: document.title,
    text: (main ? main.innerText : document.body.innerText).trim().length,
    images: images.length,
    cards: document.querySelectorAll('main h3').length,
    broken: images.filter(i => !i.complete || i.naturalWidth === 0).map(i => i.alt || i.src.slice(0, 80)),
    unlabelled: images.filter(i => !(i.getAttribute('alt') || '').trim()).length,
    overflow: document.documentElement.scrollWidth - window.innerWidth,
    scripts: Array.from(document.scripts).filter(s => s.src).map(s => s.src),
    stylesheets: Array.from(document.querySelectorAll('link[href]')).map(l => l.href),
    charts: document.querySelectorAll('figure.toolkit-chart').length,
    drawnCharts: document.querySelectorAll('figure.toolkit-chart-drawn .js-plotly-plot svg.main-svg').length,
    nav: Array.from(document.querySelectorAll('nav a')).map(a => a.getAttribute('href')),
    footer: (document.querySelector('footer') || {innerText: ''}).innerText,
    reprs: ((main || document.body).innerText.match(/PosixPath\(|WindowsPath\(|<Figure size|dtype: |\bNaT\b/g) || []),
    rawCells: Array.from(document.querySelectorAll('td')).map(td => td.innerText.trim())
      .filter(t => /^\[.*\]?$/.test(t) || /^(nan|NaN|None|<NA>)$/.test(t) || /^-?\d[\d,]*\.0$/.test(t) || /^-?\d+\.\d{6}$/.test(t)),
    proseReprs: (visibleText().match(/\bnan\b|\bNaN\b|(?<![.!?]\s|\n|^)None\b|\b\d{3,}\.0\b|\b\d+\.\d{6}\b|^\[.*\]$/gm) || []),
    methodOpen: Array.from(document.querySelectorAll('details.toolkit-method')).filter(d => d.open).length,
    methodInReadersPath: [...(visibleText().match(METHOD_WORDS) || []),
      ...Array.from(document.querySelectorAll('main h1, main h2, main h3, main h4'))
        .filter(h => !h.closest('details') && /how .* (is|are|was|were) computed|^method/i.test(h.innerText))
        .map(h => h.innerText.trim())],
    uncaptioned: Array.from(document.querySelectorAll('main .jp-Cell')).filter(cell =>
      cell.querySelector('.jp-RenderedImage img') && !cell.querySelector('.toolkit-caption')).length,
    cutTables: Array.from(document.querySelectorAll('table')).filter(t => {
      if (t.getBoundingClientRect().right <= document.documentElement.clientWidth + 1) return false;
      for (let el = t.parentElement; el && el !== document.body; el = el.parentElement) {
        if (['auto', 'scroll'].includes(getComputedStyle(el).overflowX)) return false;
      }
      return true;
    }).length,
  };
})()"""


def chromium_binary() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


class DevTools:
    """A minimal DevTools-protocol client for one page target (websocket-client)."""

    def __init__(self, websocket_url: str):
        import websocket

        self.ws = websocket.create_connection(
            websocket_url,
            timeout=30,
            suppress_origin=True,
            http_no_proxy=["127.0.0.1", "localhost"],
        )
        self.next_id = 0
        self.events: list[dict] = []

    def call(self, method: str, **params) -> dict:
        self.next_id += 1
        self.ws.send(json.dumps({"id": self.next_id, "method": method, "params": params}))
        while True:
            message = json.loads(self.ws.recv())
            if message.get("id") == self.next_id:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message.get("result", {})
            self.events.append(message)

    def wait_for(self, event: str, timeout: float = 30) -> dict:
        deadline = time.monotonic() + timeout
        for i, message in enumerate(self.events):
            if message.get("method") == event:
                return self.events.pop(i)
        while time.monotonic() < deadline:
            message = json.loads(self.ws.recv())
            if message.get("method") == event:
                return message
            self.events.append(message)
        raise TimeoutError(event)

    def drain(self, seconds: float = 0.5) -> None:
        """Collect events that arrive shortly after load (late console errors)."""
        self.ws.settimeout(seconds)
        try:
            while True:
                self.events.append(json.loads(self.ws.recv()))
        except Exception:  # noqa: BLE001 - websocket timeout ends the drain
            pass
        finally:
            self.ws.settimeout(30)

    def close(self) -> None:
        self.ws.close()


def problems(events: list[dict]) -> list[str]:
    """Console errors, uncaught exceptions, failed requests and requests leaving the machine."""
    found = []
    for event in events:
        method, params = event.get("method"), event.get("params", {})
        if method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
            found.append(
                "console error: "
                + " ".join(
                    str(a.get("value", a.get("description", ""))) for a in params.get("args", [])
                )
            )
        elif method == "Runtime.exceptionThrown":
            found.append("exception: " + params["exceptionDetails"].get("text", ""))
        elif method == "Log.entryAdded" and params["entry"].get("level") == "error":
            found.append(
                f"log error: {params['entry'].get('text')} {params['entry'].get('url', '')}"
            )
        elif method == "Network.loadingFailed":
            found.append(f"failed request: {params.get('errorText')}")
        elif method == "Network.requestWillBeSent":
            url = params["request"]["url"]
            if not url.startswith(("file:", "data:", "about:")):
                found.append(f"request leaves the machine: {url}")
        elif method == "Network.responseReceived" and params["response"].get("status", 200) >= 400:
            found.append(f"HTTP {params['response']['status']}: {params['response']['url']}")
    return found


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    binary = chromium_binary()
    if binary is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is not installed (.ci/run installs it)")
        pytest.skip("chromium is not installed: apt-get install chromium (CI installs it)")
    profile = tmp_path_factory.mktemp("chromium-profile")
    process = subprocess.Popen(
        [binary, *FLAGS, f"--user-data-dir={profile}", "about:blank"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        port = _devtools_port(profile, process)
        yield port
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


def _devtools_port(profile: Path, process: subprocess.Popen, timeout: float = 60) -> int:
    active = profile / "DevToolsActivePort"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"chromium exited: {process.stderr.read().decode()[-2000:]}")
        if active.exists() and active.read_text().strip():
            return int(active.read_text().split()[0])
        time.sleep(0.2)
    raise TimeoutError("chromium did not open its DevTools port")


def _local(url: str, method: str = "GET") -> dict | list:
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(urllib.request.Request(url, method=method), timeout=10) as response:
        body = response.read()
    try:
        return json.loads(body)
    except json.JSONDecodeError:
        return {}


#: Screenshot widths: a laptop and a phone (CSS pixels).
PHONE = {"width": 390, "height": 844, "deviceScaleFactor": 1, "mobile": True}


def open_page(
    port: int, path: Path, screenshot: Path | None = None, phone_screenshot: Path | None = None
) -> tuple[dict, list[str]]:
    """Load a page in a fresh tab; return what it reports about itself and its problems.
    Screenshots are taken at the window's laptop width and, when asked, at phone width."""
    target = _local(f"http://127.0.0.1:{port}/json/new?about:blank", method="PUT")
    tools = DevTools(target["webSocketDebuggerUrl"])
    try:
        for domain in ("Page", "Runtime", "Log", "Network"):
            tools.call(f"{domain}.enable")
        tools.call("Network.setCacheDisabled", cacheDisabled=True)
        tools.call("Page.navigate", url=path.resolve().as_uri())
        tools.wait_for("Page.loadEventFired", timeout=60)
        tools.drain(1.0)
        report = tools.call("Runtime.evaluate", expression=INSPECT, returnByValue=True)["result"][
            "value"
        ]
        if screenshot is not None:
            shot = tools.call("Page.captureScreenshot", format="png")
            screenshot.parent.mkdir(parents=True, exist_ok=True)
            screenshot.write_bytes(base64.b64decode(shot["data"]))
        if phone_screenshot is not None:
            tools.call("Emulation.setDeviceMetricsOverride", **PHONE)
            shot = tools.call("Page.captureScreenshot", format="png", captureBeyondViewport=True)
            phone_screenshot.parent.mkdir(parents=True, exist_ok=True)
            phone_screenshot.write_bytes(base64.b64decode(shot["data"]))
        return report, problems(tools.events)
    finally:
        tools.close()
        _local(f"http://127.0.0.1:{port}/json/close/{target['id']}")


def artifacts_dir() -> Path:
    return Path(os.environ.get("TOOLKIT_ARTIFACTS_DIR", "/tmp/toolkit-artifacts"))


def page_issues(report: dict, brief: bool = False) -> list[str]:
    """What a reader would trip over on a page, from what `INSPECT` reported about it."""
    issues = []
    if report["text"] < 200:
        issues.append(f"page is (nearly) empty: {report['text']} characters")
    if report["broken"]:
        issues.append(f"broken images: {report['broken']}")
    if report["unlabelled"]:
        issues.append(f"{report['unlabelled']} image(s) without alt text")
    if report["overflow"] > 2:
        issues.append(f"page scrolls sideways by {report['overflow']} px at 1366 px")
    if report["reprs"] or report["proseReprs"]:
        issues.append(f"Python reprs shown: {(report['reprs'] + report['proseReprs'])[:5]}")
    if report["rawCells"]:
        issues.append(f"table cells as Python writes them: {report['rawCells'][:5]}")
    if report["cutTables"]:
        issues.append(f"{report['cutTables']} table(s) cut off at the page edge")
    if report["methodOpen"] or report["methodInReadersPath"]:
        issues.append(
            f"method notes in the reader's path (not folded under 'How this was computed'): "
            f"{report['methodInReadersPath'][:5]}, {report['methodOpen']} open"
        )
    if report["uncaptioned"] and not brief:
        issues.append(f"{report['uncaptioned']} figure(s) without a one-line takeaway caption")
    # local scripts under the report's assets/ are checked by the caller, which knows the folder
    external = [u for u in report["scripts"] if not u.startswith("file:")]
    if external:
        issues.append(f"external scripts: {external}")
    return issues


def test_problems_are_recognised():
    events = [
        {
            "method": "Runtime.consoleAPICalled",
            "params": {"type": "error", "args": [{"value": "boom"}]},
        },
        {
            "method": "Runtime.consoleAPICalled",
            "params": {"type": "log", "args": [{"value": "fine"}]},
        },
        {
            "method": "Network.requestWillBeSent",
            "params": {"request": {"url": "https://cdn.example/x.js"}},
        },
        {
            "method": "Network.requestWillBeSent",
            "params": {"request": {"url": "file:///r/index.html"}},
        },
        {"method": "Network.loadingFailed", "params": {"errorText": "net::ERR_FILE_NOT_FOUND"}},
    ]
    assert problems(events) == [
        "console error: boom",
        "request leaves the machine: https://cdn.example/x.js",
        "failed request: net::ERR_FILE_NOT_FOUND",
    ]


def test_a_broken_page_is_caught(browser, tmp_path):
    """The check itself can fail: a missing image, a console error and a remote script."""
    page = tmp_path / "broken.html"
    page.write_text(
        "<html><body><main><p>text</p><img src='missing.png'>"
        "<p>PosixPath('/r/x.csv')</p><table style='width:3000px'><tr><td>755.0</td>"
        "<td>[cloud, house]</td><td>nan</td><td>1,234</td><td>0.25</td></tr></table>"
        "<script>console.error('boom')</script>"
        "<script src='https://cdn.example.invalid/x.js'></script></main></body></html>"
    )
    report, found = open_page(browser, page)
    assert report["broken"] and report["unlabelled"] == 1
    assert report["reprs"] == ["PosixPath("] and report["cutTables"] == 1
    assert sorted(report["rawCells"]) == ["755.0", "[cloud, house]", "nan"]
    assert any("boom" in p for p in found)
    assert any("cdn.example.invalid" in p for p in found)


GOOD_PAGE = """<html><body><main><h1>Topics</h1>
<p>The main subjects customers wrote about this period, and how they feel about them. None of the
posts is quoted. Counts below are whole numbers and shares are percentages.</p>
<details class="toolkit-method"><summary>How this was computed</summary>
<p>Embedded, reduced with UMAP (fixed random_state), clustered with HDBSCAN; 0.25 nan None.</p></details>
<div class="jp-Cell"><div class="jp-RenderedImage"><img alt="Bar chart of topics" src="data:image/png;base64,{png}"></div>
<p class="toolkit-caption">Largest topic: delivery (1,204 posts, 31% of the modelled posts).</p></div>
<div style="overflow-x:auto"><table style="width:3000px"><tr><th>Topic</th><th>Posts</th></tr>
<tr><td>delivery</td><td>1,204</td></tr><tr><td>app</td><td>fewer than 10</td></tr></table></div>
</main></body></html>"""
#: Each bad page: the good page with one defect, and the words the check must report.
BAD_PAGES = {
    "open method section": (("<details class=", "<details open class="), "method notes"),
    "method prose in the reader's path": (
        ('<details class="toolkit-method"><summary>How this was computed</summary>', "<div>"),
        "method notes",
    ),
    "method heading": (
        ("<h1>Topics</h1>", "<h1>Topics</h1><h2>How each rate is computed</h2>"),
        "method notes",
    ),
    "path repr": (("None of the", "Saved PosixPath('/r/t.csv'). None of the"), "Python reprs"),
    "list cell": (("<td>delivery</td>", "<td>[cloud, house]</td>"), "table cells"),
    "nan in text": (("whole numbers", "nan numbers"), "Python reprs"),
    "None as a value": (
        ("posts is quoted.", "posts is quoted. Slowest platform: None (median n/a)."),
        "Python reprs",
    ),
    "float count cell": (("<td>1,204</td>", "<td>755.0</td>"), "table cells"),
    "float count in text": (("(1,204 posts", "(14485.000000 posts"), "Python reprs"),
    "cut-off table": (('<div style="overflow-x:auto">', "<div>"), "cut off"),
    "figure without caption": (('<p class="toolkit-caption">', '<p class="other">'), "caption"),
}


def _page(tmp_path, name: str, html: str) -> Path:
    page = tmp_path / f"{name}.html"
    page.write_text(html.replace("{png}", _PIXEL))
    return page


#: A 1x1 PNG.
_PIXEL = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="


def test_a_good_page_passes(browser, tmp_path):
    report, found = open_page(browser, _page(tmp_path, "good", GOOD_PAGE))
    assert found == [] and page_issues(report) == []


@pytest.mark.parametrize("defect", sorted(BAD_PAGES))
def test_each_defect_fails_the_check(browser, tmp_path, defect):
    (old, new), expected = BAD_PAGES[defect]
    assert old in GOOD_PAGE
    report, _ = open_page(browser, _page(tmp_path, "bad", GOOD_PAGE.replace(old, new, 1)))
    issues = page_issues(report)
    assert any(expected in issue for issue in issues), (defect, issues)


def test_every_page_renders_cleanly(browser, built_report):
    from toolkit.report.build import NOTEBOOKS

    pages = ["index.html", *(f"{name}.html" for name in NOTEBOOKS)]
    failures = {}
    for name in pages:
        stem = "brief" if name == "index.html" else name.removesuffix(".html")
        report, found = open_page(
            browser,
            built_report / name,
            screenshot=artifacts_dir() / f"{stem}.png",
            phone_screenshot=artifacts_dir() / f"{stem}-phone.png",
        )
        issues = list(found) + page_issues(report, brief=name in ("index.html", "05_brief.html"))
        assets = (built_report / "assets").resolve().as_uri() + "/"
        remote = [u for u in report["scripts"] if not u.startswith(assets)]
        remote += [u for u in report["stylesheets"] if not u.startswith("file:")]
        if remote:
            issues.append(f"scripts or styles from outside the report's assets/: {remote}")
        if report["drawnCharts"] < report["charts"]:
            issues.append(
                f"{report['charts'] - report['drawnCharts']} interactive chart(s) not drawn"
            )
        if set(report["nav"]) < {f"{n}.html" for n in NOTEBOOKS}:
            issues.append(f"navigation incomplete: {report['nav']}")
        if "Data period" not in report["footer"]:
            issues.append("no provenance footer")
        if issues:
            failures[name] = issues
    assert not failures, json.dumps(failures, indent=1)
    assert (artifacts_dir() / "brief.png").stat().st_size > 10_000


def test_brief_has_a_figure_per_finding(browser, built_report):
    from toolkit.report.brief import CARDS

    # The sample report compares with a previous period, so no card is thin.
    report, _ = open_page(browser, built_report / "index.html")
    assert report["title"].startswith("Brief")
    assert report["cards"] == len(CARDS) == report["images"]


#: Waits for the interactive charts to be drawn, then hovers over the first one with the mouse.
CHART_STATE = r"""(async () => {
  for (let i = 0; i < 100 && document.querySelectorAll('figure.toolkit-chart-drawn').length <
       document.querySelectorAll('figure.toolkit-chart').length; i++) {
    await new Promise(r => setTimeout(r, 100));
  }
  const figure = document.querySelector('figure.toolkit-chart-drawn');
  if (!figure) return {drawn: 0};
  figure.scrollIntoView();
  const area = figure.querySelector('.nsewdrag').getBoundingClientRect();
  const twin = document.querySelector(`img[data-figure="${figure.dataset.figure}"]`);
  return {
    drawn: document.querySelectorAll('figure.toolkit-chart-drawn').length,
    names: Array.from(document.querySelectorAll('figure.toolkit-chart')).map(f => f.dataset.figure),
    zoom: figure.querySelectorAll('.modebar-btn[data-attr="dragmode"][data-val="zoom"]').length,
    twinShown: twin ? getComputedStyle(twin.closest('.jp-RenderedImage') || twin).display !== 'none' : null,
    x: area.left + area.width / 2, y: area.bottom - 4,
  };
})()"""


def _hover_label(port: int, path: Path) -> tuple[dict, str, list[str]]:
    """Open a page, wait for its charts, move the mouse over the first chart's plot area
    (near the axis, where the bars and lines start) and read Plotly's hover label."""
    target = _local(f"http://127.0.0.1:{port}/json/new?about:blank", method="PUT")
    tools = DevTools(target["webSocketDebuggerUrl"])
    try:
        for domain in ("Page", "Runtime", "Log", "Network"):
            tools.call(f"{domain}.enable")
        tools.call("Page.navigate", url=path.resolve().as_uri())
        tools.wait_for("Page.loadEventFired", timeout=60)
        state = tools.call(
            "Runtime.evaluate", expression=CHART_STATE, awaitPromise=True, returnByValue=True
        )["result"]["value"]
        label = ""
        if state.get("drawn"):
            for dx in range(0, 400, 8):  # sweep right until the label of a bar or point shows
                tools.call(
                    "Input.dispatchMouseEvent",
                    type="mouseMoved",
                    x=state["x"] + dx - 200,
                    y=state["y"],
                )
                time.sleep(0.05)
                label = tools.call(
                    "Runtime.evaluate",
                    expression="(document.querySelector('.hoverlayer') || {textContent: ''}).textContent",
                    returnByValue=True,
                )["result"]["value"]
                if label:
                    break
        tools.drain(0.5)
        return state, label, problems(tools.events)
    finally:
        tools.close()
        _local(f"http://127.0.0.1:{port}/json/close/{target['id']}")


@pytest.mark.parametrize(
    ("page", "chart"),
    [
        ("01_ingest.html", "ingest_daily_volume"),
        ("02_topics.html", "topics_over_time"),
        ("03_engagement.html", "tone_daily"),
    ],
)
def test_interactive_charts_draw_offline_and_show_values_on_hover(
    browser, built_report, page, chart
):
    assert (built_report / "assets" / "plotly.min.js").is_file()
    state, label, found = _hover_label(browser, built_report / page)
    assert not found, found  # no console error, no request leaving the machine
    assert chart in state.get("names", []) and state["drawn"] == len(state["names"])
    assert state["zoom"] == 1  # the zoom tool in the chart's toolbar
    assert state["twinShown"] is False  # the static PNG is hidden on screen once drawn
    assert re.search(r"\d", label), f"no hover label with a value: {label!r}"
