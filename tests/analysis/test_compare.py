"""Period over period (toolkit.analysis.compare): metric changes, topic matching, the `compare_to`
config key, what the manifest records, and the brief's card."""

import json

import numpy as np
import pandas as pd
import pytest
from helpers import write_tiny_config

from toolkit.analysis import compare
from toolkit.core.config import ConfigError, load_config
from toolkit.core.provenance import public_config
from toolkit.report import brief

BEFORE = {
    "period_start": "2026-06-01", "period_end": "2026-06-10", "scope_posts": 1000,
    "tone_share_negative": 0.30, "response_rate": 0.50, "response_median_hours": 2.0,
    "response_within_sla": 0.40,
    "campaigns": [{"name": "Spring", "uptake_posts": 40, "uptake_authors": 30}],
}  # fmt: skip


def _now(**changes):
    return {**BEFORE, "period_start": "2026-07-01", "period_end": "2026-07-10", **changes}


def _metric(table, measure):
    return table.set_index("measure").loc[measure]


# ------------------------------------------------------------------ metrics
def test_growth_and_decline_are_measured_per_day_and_in_points():
    now = _now(period_end="2026-07-05", scope_posts=1000, tone_share_negative=0.42,
               response_rate=0.45, response_median_hours=2.05)  # fmt: skip
    table = compare.metric_changes(BEFORE, now)
    volume = _metric(table, "Posts per day")
    assert volume["previous"] == pytest.approx(100) and volume["current"] == pytest.approx(200)
    assert volume["change"] == pytest.approx(1.0) and volume["direction"] == "up"
    tone = _metric(table, "Share of negative posts")
    assert tone["change"] == pytest.approx(0.12) and tone["direction"] == "up"
    assert tone["better"] is False  # more negative posts is bad news
    replies = _metric(table, "Requests the brand answered")
    assert replies["direction"] == "down" and replies["better"] is False
    assert _metric(table, "Median time to first reply (hours)")["direction"] == "about the same"


def test_a_measure_missing_in_one_period_is_not_compared():
    now = _now(response_rate=None, response_median_hours=float("nan"))
    table = compare.metric_changes(BEFORE, now)
    assert _metric(table, "Requests the brand answered")["direction"] == "not comparable"
    assert _metric(table, "Median time to first reply (hours)")["direction"] == "not comparable"
    assert (
        compare.describe_change(_metric(table, "Requests the brand answered")) == "not comparable"
    )


def test_campaigns_of_either_period_are_listed():
    now = _now(campaigns=[{"name": "Glow", "uptake_posts": 90, "uptake_authors": 70}])
    table = compare.campaign_changes(BEFORE, now).set_index("campaign")
    assert table.loc["Glow", "ran"] == "this period only"
    assert table.loc["Spring", "ran"] == "previous period only"
    assert table.loc["Spring", "uptake_authors_before"] == 30
    both = compare.campaign_changes(BEFORE, _now()).set_index("campaign")
    assert both.loc["Spring", "ran"] == "both periods"


# ------------------------------------------------------------------ topics
def _topics(rows):
    return pd.DataFrame(rows, columns=["topic", "label", "size", "share", "n_authors"])


PREVIOUS_TOPICS = _topics([
    (0, "plug pairing", 300, 0.30, 200), (1, "app login", 200, 0.20, 150),
    (2, "thermostat", 100, 0.10, 80), (3, "old promo", 100, 0.10, 60),
    (4, "tiny topic", np.nan, np.nan, np.nan),  # suppressed in the previous report
])  # fmt: skip


def test_topics_new_grown_shrunk_steady_and_gone():
    # this period's posts: topic (current model) and the previous model's topic for each
    current = np.array([10] * 50 + [11] * 20 + [12] * 10 + [13] * 20)
    previous = np.array([0] * 45 + [1] * 5 + [1] * 18 + [-1] * 2 + [2] * 9 + [0] + [-1] * 20)
    current_topics = _topics([
        (10, "plug pairing again", 50, 0.50, 40), (11, "app login", 20, 0.20, 15),
        (12, "thermostat", 10, 0.05, 9), (13, "outage", 20, 0.20, 18),
    ])  # fmt: skip
    table = compare.match_topics(previous, current, PREVIOUS_TOPICS, current_topics)
    status = dict(zip(table["label"], table["status"], strict=True))
    assert status == {
        "outage": "new",
        "plug pairing again": "grown",
        "app login": "steady",
        "thermostat": "shrunk",
        "old promo": "gone",
    }  # the suppressed previous topic is left out
    assert list(table["status"]) == ["new", "grown", "steady", "shrunk", "gone"]
    grown = table.set_index("label").loc["plug pairing again"]
    assert grown["previous_label"] == "plug pairing" and grown["match_share"] == pytest.approx(0.9)
    assert grown["change"] == pytest.approx(0.20)


def test_topic_chart_caption_counts_statuses_and_names_the_largest_move():
    table = pd.DataFrame({
        "status": ["new", "grown", "steady", "gone"],
        "label": ["outage", "plug pairing", "app login", "old promo"],
        "share_before": [None, 0.10, 0.20, 0.05],
        "share_now": [0.04, 0.30, 0.21, None],
    })  # fmt: skip
    table["change"] = table["share_now"].astype(float) - table["share_before"].astype(float)
    line = compare.topics_takeaway(table)
    assert line == "Topics: 1 new, 1 grown, 1 gone. Largest move: plug pairing, 10% → 30% of posts."
    steady = table[table["status"] == "steady"]
    assert compare.topics_takeaway(steady).startswith("The topics are the same")
    assert "20% → 21%" in compare.topics_takeaway(steady)
    assert "12.0% → 8.0%" in compare.topics_takeaway(
        steady.assign(share_before=0.12, share_now=0.08, change=-0.04)
    )
    small = steady.assign(share_before=0.02, share_now=0.031, change=0.011)
    assert "2.0% → 3.1%" in compare.topics_takeaway(small)


def test_a_topic_split_in_two_is_compared_as_a_whole():
    current = np.array([10] * 10 + [11] * 10)
    previous = np.array([0] * 20)
    current_topics = _topics([(10, "plugs A", 10, 0.15, 10), (11, "plugs B", 10, 0.15, 10)])
    table = compare.match_topics(previous, current, PREVIOUS_TOPICS.head(1), current_topics)
    assert set(table["status"]) == {"steady"}  # 0.30 before, 0.15 + 0.15 now


def test_a_suppressed_current_topic_is_not_published():
    current = np.array([10] * 5 + [11] * 5)
    previous = np.array([9] * 10)
    current_topics = _topics(
        [(10, "big", 5, 0.5, 50), (11, "(suppressed)", np.nan, np.nan, np.nan)]
    )
    table = compare.match_topics(previous, current, PREVIOUS_TOPICS, current_topics)
    assert "(suppressed)" not in set(table["label"])
    assert table.set_index("label").loc["big", "status"] == "new"


def test_no_previous_topics_makes_every_topic_new():
    table = compare.match_topics(np.array([-1, -1]), np.array([0, 0]), None,
                                 _topics([(0, "only", 2, 1.0, 12)]))  # fmt: skip
    assert table["status"].tolist() == ["new"]


def test_findings_and_narrative():
    previous = compare.Previous(folder=None, manifest={"report": "june", "data_period": {
        "start": "2026-06-01", "end": "2026-06-10"}}, findings=BEFORE)  # fmt: skip
    now = _now(tone_share_negative=0.45)
    metrics = compare.metric_changes(BEFORE, now)
    topics = compare.match_topics(np.array([-1] * 3), np.array([0] * 3), PREVIOUS_TOPICS,
                                  _topics([(0, "outage", 3, 1.0, 30)]))  # fmt: skip
    found = compare.findings(previous, metrics, topics, compare.campaign_changes(BEFORE, now))
    json.dumps(found)  # JSON-able, for findings.json
    assert found["compare_status"] == "ok"
    assert found["compare_topics"]["new"] == ["outage"]
    assert "plug pairing" in found["compare_topics"]["gone"]
    text = compare.summary_markdown(previous, metrics, topics, now)
    assert "june" in text and "+15.0 points" in text and "*outage*" in text


# ------------------------------------------------------------------ the brief's card
def _card(findings):
    cfg = type("C", (), {"brand": type("B", (), {"name": "Demo"})()})()
    return brief.card("changes", findings, cfg)


def _compared(**metrics):
    base = {m: {"change": 0.0, "change_kind": "points", "direction": "about the same"}
            for m in compare.MEASURES}  # fmt: skip
    base.update(metrics)
    return {"compare_status": "ok", "compare_previous_period": {"start": "2026-06-01", "end": "2026-06-10"},
            "compare_metrics": base, "compare_topics_matched": True,
            "compare_topics": {"new": [], "grown": ["outage"], "shrunk": [], "gone": []}}  # fmt: skip


def test_card_without_previous_period_says_so():
    card = _card({})
    assert card.thin and "no previous period" in card.finding.lower()


def test_card_follows_the_change():
    worse = _card(_compared(**{"Share of negative posts": {
        "change": 0.12, "change_kind": "points", "direction": "up"}}))  # fmt: skip
    assert "more negative" in worse.recommendation and "outage" in worse.recommendation
    assert "+12.0 points" in worse.finding
    slower = _card(_compared(**{"Median time to first reply (hours)": {
        "change": 0.6, "change_kind": "relative", "direction": "up"}}))  # fmt: skip
    assert "Replies fell behind" in slower.recommendation
    new = _compared()
    new["compare_topics"]["new"] = ["firmware"]
    assert "firmware" in _card(new).recommendation
    steady = _card(_compared())
    assert "Little changed" in steady.recommendation
    assert len({worse.recommendation, slower.recommendation, _card(new).recommendation,
                steady.recommendation}) == 4  # fmt: skip


# ------------------------------------------------------------------ config and manifest
@pytest.fixture
def dirs(tmp_path, monkeypatch):

    monkeypatch.setenv("TOOLKIT_HMAC_KEY", "test-key")
    monkeypatch.setenv("TOOLKIT_WORK_DIR", str(tmp_path / "work"))
    monkeypatch.setenv("TOOLKIT_REPORTS_DIR", str(tmp_path / "reports"))
    (tmp_path / "posts.csv").write_text("id,created,user,body\n1,2026-09-01T10:00:00Z,a,hi\n")
    return tmp_path


def _config(folder, compare_to=None, period_start="2026-09-01"):
    cfg = write_tiny_config(folder)
    text = cfg.read_text() + f"period: {{start: {period_start}}}\n"
    if compare_to is not None:
        text += f"compare_to: {compare_to}\n"
    cfg.write_text(text)
    return load_config(cfg)


def _fake_report(folder, brand="Demo", end="2026-08-31", model_hash=None, name="june"):
    folder.mkdir(parents=True)
    manifest = {"report": name, "fingerprint": "f" * 64, "created_at": "2026-09-01T00:00:00+00:00",
                "config": {"brand": {"name": brand}}, "data_period": {"start": "2026-08-01", "end": end},
                "topic_model": {"sha256": model_hash}}  # fmt: skip
    (folder / "manifest.json").write_text(json.dumps(manifest))
    (folder / "findings.json").write_text(json.dumps(BEFORE))
    (folder / "tables").mkdir()
    PREVIOUS_TOPICS.to_csv(folder / "tables" / "topics.csv", index=False)
    return folder


def test_compare_to_names_a_report_folder_or_manifest(dirs):
    assert _config(dirs).compare_to is None
    assert _config(dirs, "june").compare_to == dirs / "reports" / "june"
    assert _config(dirs, "old/june/manifest.json").compare_to == dirs / "old" / "june"
    with pytest.raises(ConfigError, match="compare_to: notes.json is not a report's manifest"):
        _config(dirs, "notes.json")


@pytest.mark.parametrize(
    "setup, message",
    [
        (lambda d: None, "compare_to: no report at .* build the previous period's report first"),
        (
            lambda d: _fake_report(d / "reports" / "june", brand="Other"),
            "is about 'Other', not 'Demo'",
        ),
        (lambda d: _fake_report(d / "reports" / "june", end="2026-09-05"), "does not end before"),
        (
            lambda d: (
                (d / "reports" / "june").mkdir(parents=True)
                or (d / "reports" / "june" / "manifest.json").write_text("{oops")
            ),
            "not a readable manifest",
        ),
    ],
)
def test_a_missing_or_incompatible_previous_report_is_one_line(dirs, setup, message):
    setup(dirs)
    config = _config(dirs, "june")
    with pytest.raises(ConfigError, match=message) as info:
        compare.previous_report(config)
    assert "\n" not in str(info.value)


def test_comparing_with_itself_is_refused(dirs):
    with pytest.raises(ConfigError, match="this report itself"):
        compare.previous_report(_config(dirs, "tiny"))


def test_build_stops_before_any_work_when_the_previous_report_is_missing(dirs):
    from toolkit.report.build import ReportError, build_report

    with pytest.raises(ReportError, match="tiny.yaml: compare_to: no report at"):
        build_report(_config(dirs, "june").path)
    assert not (dirs / "work").exists()


def test_topic_model_is_checked_against_the_previous_manifest(dirs):
    model = dirs / "work" / "june" / "models" / "topics"
    model.mkdir(parents=True)
    (model / "toolkit_topics.json").write_text("{}")
    right = compare.topic_model_hash(model)
    _fake_report(dirs / "reports" / "june", model_hash=right)
    previous = compare.previous_report(_config(dirs, "june"))
    assert previous.model_dir == model and previous.model_note is None
    (model / "toolkit_topics.json").write_text('{"changed": 1}')
    previous = compare.previous_report(_config(dirs, "june"))
    assert (
        previous.model_dir is None and "changed after its report was built" in previous.model_note
    )


def test_manifest_records_the_previous_report_without_local_paths(dirs):
    _fake_report(dirs / "reports" / "june")
    config = _config(dirs, "june")
    previous = compare.previous_report(config)
    record = previous.record()
    assert record["report"] == "june" and record["fingerprint"] == "f" * 64
    assert record["data_period"] == {"start": "2026-08-01", "end": "2026-08-31"}
    assert len(record["manifest_sha256"]) == 64 and record["topics_matched"] is False
    published = json.dumps({"compared_to": record, "config": public_config(config, b"k")})
    assert str(dirs) not in published
    assert public_config(config, b"k")["compare_to"] == "june"


def test_rebuilding_the_previous_report_makes_this_one_out_of_date(dirs):
    from toolkit.core.provenance import fingerprint

    report = _fake_report(dirs / "reports" / "june")
    config = _config(dirs, "june")
    before = fingerprint(config, "key")
    (report / "manifest.json").write_text(json.dumps({"report": "june", "fingerprint": "g"}))
    assert fingerprint(config, "key") != before


# ------------------------------------------------------------------ the sample's previous period
def test_the_previous_period_is_made_from_the_sample_deterministically(tmp_path):
    import gzip

    from toolkit.core.paths import SAMPLE_DIR
    from toolkit.sample.previous import FIRST_DAY, LAST_DAY, write_previous_period

    counts = write_previous_period(SAMPLE_DIR, tmp_path)
    assert all(n > 100 for n in counts.values()), counts
    for name in counts:  # the committed files are what the generator makes
        assert (tmp_path / name).read_bytes() == (SAMPLE_DIR / "previous" / name).read_bytes(), name
    statuses = json.loads(gzip.decompress((tmp_path / "mastodon.json.gz").read_bytes()))
    days = {s["created_at"][:10] for s in statuses}
    assert min(days) >= FIRST_DAY.isoformat() and max(days) <= LAST_DAY.isoformat()


def test_metrics_read_as_percentages_and_words():
    table = compare.metrics_for_people(
        compare.metric_changes(BEFORE, _now(tone_share_negative=0.42))
    )
    tone = table.set_index("measure").loc["Share of negative posts"]
    assert (tone["previous period"], tone["this period"], tone["change"]) == (
        "30%",
        "42%",
        "+12.0 points",
    )
    assert table.set_index("measure").loc["Posts per day", "this period"] == "100.0"
    assert compare.points(float("nan")) is None and compare.points(-0.031) == "-3.1 points"
