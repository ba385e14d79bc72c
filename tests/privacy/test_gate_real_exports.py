"""Real exports (../shared/fixtures, real twarc2 and Mastodon payloads; skipped when absent):
share of voice counts the brand's and the competitors' handles, as a plain count of the raw
text does (issue 15: competitor handles were pseudonymised, so United's share read 89.8%
instead of about 26%), and a report builds on the first try with no allowlist."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from toolkit.analysis import engagement
from toolkit.core.config import load_config
from toolkit.core.paths import PROJECT_DIR as ROOT
from toolkit.report.session import ensure_ingested

SHARED = Path(os.environ.get("TOOLKIT_SHARED_DIR", ROOT.parent / "shared")) / "fixtures"
BREXIT = SHARED / "twitter-v2" / "brexit.jsonl"
needs_shared = pytest.mark.skipif(not BREXIT.is_file(), reason="../shared/fixtures not present")

BRAND = ("Boris Johnson", ["BorisJohnson"])
COMPETITORS = {"POTUS": ["POTUS"], "Nigel Farage": ["Nigel Farage", "Nigel_Farage"],
               "Angela Rayner": ["Angela Rayner", "AngelaRayner"], "Labour": ["Labour"]}  # fmt: skip


def _config(folder: Path) -> Path:
    cfg = folder / "brexit.yaml"
    cfg.write_text(
        textwrap.dedent(f"""
        name: brexit
        sources: [{{path: {BREXIT}, format: twarc2}}]
        brand: {{name: {BRAND[0]}, accounts: {{twitter: {BRAND[1]}}}}}
        competitors: {json.dumps(COMPETITORS)}
        analysis: {{seed: 1, threads: 1}}
        privacy: {{allow_demo_key: true, min_group_size: 1}}
        """)
    )
    return cfg


def _plain_share(terms_by_entity: dict[str, list[str]]) -> dict[str, float]:
    """Share of voice counted on the raw tweets: original customer tweets (no retweets, not
    by the brand) naming each entity by handle or name, whole word, any case."""
    counts = dict.fromkeys(terms_by_entity, 0)
    users: dict[str, str] = {}
    tweets = []
    for line in BREXIT.read_text().splitlines():
        page = json.loads(line)
        users.update({u["id"]: u["username"] for u in page["includes"].get("users", [])})
        tweets.extend(page["data"])
    brand = {h.lower() for h in BRAND[1]}
    for tweet in tweets:
        retweet = any(r["type"] == "retweeted" for r in tweet.get("referenced_tweets", []))
        if retweet or users.get(tweet["author_id"], "").lower() in brand:
            continue
        for entity, terms in terms_by_entity.items():
            pattern = r"(?<![\w])@?(?:" + "|".join(re.escape(t) for t in terms) + r")(?!\w)"
            counts[entity] += bool(re.search(pattern, tweet["text"], re.IGNORECASE))
    total = sum(counts.values())
    return {e: n / total for e, n in counts.items()}


@needs_shared
def test_share_of_voice_counts_competitor_handles_like_the_raw_text(tmp_path, monkeypatch):
    monkeypatch.setenv("TOOLKIT_WORK_DIR", str(tmp_path / "work"))
    config = load_config(_config(tmp_path))
    posts = ensure_ingested(config)
    sov = engagement.share_of_voice(
        posts,
        brand_terms=[*config.brand.names(), *config.brand.handles()],
        competitors=config.competitors,
        brand_name=config.brand.name,
    )
    measured = sov[sov["platform"] == "all"].set_index("entity")["share_of_voice"].to_dict()
    expected = _plain_share({BRAND[0]: [BRAND[0], *BRAND[1]], **COMPETITORS})
    assert expected[BRAND[0]] > 0 and expected["POTUS"] > 0  # handles are in the raw text
    for entity, share in expected.items():
        assert measured.get(entity, 0.0) == pytest.approx(share, abs=0.02), (entity, measured)
    # the handles were kept at ingest, customers' were pseudonymised
    text = " ".join(posts["text"])
    assert "@borisjohnson" in text.lower() and "@potus" in text.lower()
    assert "@andrewknight226" not in text.lower()


@needs_shared
@pytest.mark.slow
def test_a_real_export_builds_on_the_first_try_with_no_allowlist(tmp_path):
    cfg = _config(tmp_path)
    env = {
        **os.environ,
        "TOOLKIT_REPORTS_DIR": str(tmp_path / "reports"),
        "TOOLKIT_WORK_DIR": str(tmp_path / "work"),
        "TOOLKIT_PROGRESS": "0",
    }
    run = subprocess.run(
        [sys.executable, "-m", "toolkit.cli", "run", str(cfg)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=3600,
    )
    assert run.returncode == 0, run.stderr[-4000:]
    assert (tmp_path / "reports" / "brexit" / "index.html").exists()
