"""End to end on thin data (issue 18): eight days of the sample with no brand replies (the
brand's accounts are set to one that never posts). The report still builds; no page shows
"None", "nan" or an empty chart, and each analysis the data can't support says why in one
line instead of a number, chart or advice.

Runs the real notebooks (a few minutes); builds into temporary folders."""

from __future__ import annotations

import html
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from toolkit.core.paths import PROJECT_DIR as ROOT
from toolkit.core.paths import SAMPLE_DIR
from toolkit.report.build import NOTEBOOKS

pytestmark = pytest.mark.slow
TOOLKIT = str(Path(sys.executable).parent / "toolkit")
#: Python's words for "no value" as a reader would see them ("None of it ..." is English).
NO_VALUE = re.compile(r"\bnan\b|\bNaN\b|\bNaT\b|<NA>|(?<![.!?]\s)(?<!^)\bNone\b", re.M)


@pytest.fixture(scope="module")
def thin_report(tmp_path_factory) -> Path:
    base = tmp_path_factory.mktemp("thin")
    config = base / "thin.yaml"
    config.write_text(
        textwrap.dedent(f"""
        name: thin
        sources:
          - path: {SAMPLE_DIR / "twitter.jsonl"}
            format: twarc2
          - path: {SAMPLE_DIR / "reddit.jsonl"}
            format: reddit
        period: {{start: 2026-10-09, end: 2026-10-16}}
        brand:
          name: Nimbus Home
          aliases: [Nimbus]
          accounts: {{twitter: [NimbusHomeArchive]}}
          timezone: UTC  # the period's days are whole days
        competitors: {{Lumora: [Lumora, LumoraLights], HaloHub: [HaloHub, HaloHubHQ]}}
        campaigns: []
        privacy: {{min_group_size: 10, key_env: TOOLKIT_HMAC_KEY, allow_demo_key: true, quotes: none, ner_model: "off"}}
        """)
    )
    env = {
        **os.environ,
        "TOOLKIT_REPORTS_DIR": str(base / "reports"),
        "TOOLKIT_WORK_DIR": str(base / "work"),
        "TOOLKIT_PROGRESS": "0",
    }
    run = subprocess.run(
        [TOOLKIT, "run", str(config)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=1800,
    )
    assert run.returncode == 0, run.stderr[-4000:]
    return base / "reports" / "thin"


def reader_text(page: str) -> str:
    """A page's text as a reader sees it first: no folded method notes, tags or styles."""
    page = re.sub(r"<style.*?</style>|<script.*?</script>", "", page, flags=re.S)
    page = re.sub(r'<details class="toolkit-method">.*?</details>', "", page, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", " ", page))


def missing_lines(page: str) -> list[str]:
    found = re.findall(r'<p class="toolkit-missing">(.*?)</p>', page, flags=re.S)
    return [html.unescape(line) for line in found]


def test_no_page_shows_a_python_no_value(thin_report):
    for name in ["index", *NOTEBOOKS]:
        text = reader_text((thin_report / f"{name}.html").read_text())
        shown = [text[max(m.start() - 40, 0) : m.end() + 20] for m in NO_VALUE.finditer(text)]
        assert not shown, (name, shown)


def test_analyses_the_data_cannot_support_are_not_drawn(thin_report):
    drawn = {p.stem for p in (thin_report / "figures").glob("*.png")}
    # no brand reply, no rated brand post, one full week at most
    for absent in (
        "attentiveness_by_platform",
        "attentiveness_by_hour",
        "engagement_best_time",
        "engagement_weekly",
        "privacy_weekly",
        "topics_over_time",
    ):
        assert absent not in drawn
    assert "tone_daily" in drawn  # volume per day is still worth showing


def test_each_missing_analysis_says_why_in_one_line(thin_report):
    engagement = missing_lines((thin_report / "03_engagement.html").read_text())
    assert any(line.startswith("No brand reply in the data") for line in engagement)
    assert any(
        "Spike detection needs 14 days of posts; this period has 8." == line for line in engagement
    )
    assert any(line.startswith("No campaign is configured") for line in engagement)
    assert any(line.startswith("Best time to post needs") for line in engagement)
    topics = missing_lines((thin_report / "02_topics.html").read_text())
    assert any(line.startswith("Topic trends need 60 days") for line in topics)
    for page in ["02_topics", "03_engagement", "04_privacy_risk"]:
        for line in missing_lines((thin_report / f"{page}.html").read_text()):
            assert "\n" not in line.strip() and line.count(". ") <= 1, (page, line)


def test_the_brief_says_what_is_missing_instead_of_advising(thin_report):
    brief = reader_text((thin_report / "index.html").read_text())
    assert "Spikes: not enough days to tell" in brief
    assert "8 days of posts; spike detection needs 14" in brief
    assert "Response times: no brand replies in the data" in brief
    assert "Extend support coverage" not in brief and "No unusual spikes" not in brief
