import pytest

from toolkit.report import brief

FINDINGS = {
    "period_start": "2026-09-01",
    "period_end": "2026-11-29",
    "ingest_loaded": 6000,
    "ingest_platforms": ["reddit", "twitter"],
    "spike_days": ["2026-10-14", "2026-10-15"],
    "spike_top_day": "2026-10-14",
    "spike_top_posts": 412,
    "spike_top_share_negative": 0.81,
    "spike_days_observed": 90,
    "spike_min_days": 14,
    "spike_drivers": {
        "day": "2026-10-14",
        "n_posts": 412,
        "share_negative": 0.81,
        "baseline_share_negative": 0.3,
        "share_positive": 0.05,
        "baseline_share_positive": 0.3,
        "topics": [{"label": "app outage", "share": 0.7, "lift": 12.0}],
        "topic_source": "topic_label",
        "top_platform": "twitter",
        "top_platform_share": 0.8,
        "brand_replies": 40,
        "brand_reply_ratio": 0.1,
        "campaign": None,
        "campaign_share": None,
    },
    "tone_share_negative": 0.3,
    "response_n_requests": 2000,
    "response_n_responded": 1500,
    "response_rate": 0.75,
    "response_median_hours": 0.5,
    "response_p90_hours": 20.0,
    "response_within_sla": 0.7,
    "response_slowest_platform": "reddit",
    "response_slowest_median_hours": 9.25,
    "campaigns": [
        {
            "name": "Glow Up",
            "start": "2026-11-02",
            "end": "2026-11-16",
            "n_brand_posts": 12,
            "interactions": 5400,
            "uptake_posts": 140,
            "uptake_authors": 120,
            "uptake_lift": 14.0,
            "during_posts": 130,
            "baseline_posts": 3,
        }
    ],
    "topics_n": 9,
    "topics_outlier_share": 0.05,
    "topics_top": [{"label": "app · outage", "share": 0.2}, {"label": "refund", "share": 0.1}],
    "topics_most_negative": {"label": "app · outage", "share_negative": 0.8},
    "privacy_share_with_pii": 0.07,
    "privacy_share_with_contact": 0.04,
    "privacy_authors_exposing_contact": 150,
    "privacy_posts_scanned": 4000,
}


class Cfg:  # the two config fields the brief reads
    class brand:
        name = "Nimbus Home"

    class analysis:
        response_sla_hours = 24.0


def test_nothing_missing_when_all_recorded():
    assert brief.missing_findings(FINDINGS) == []
    assert brief.missing_findings({}) != []


@pytest.mark.parametrize("name", list(brief.REQUIRED))
def test_every_card_uses_recorded_values(name):
    card = brief.card(name, FINDINGS, Cfg)
    assert card.title and card.recommendation and card.figure
    assert "**Recommendation:**" in card.markdown()


def test_numbers_come_from_findings():
    crisis = brief.card("crisis", FINDINGS, Cfg)
    assert "2026-10-14" in crisis.title and "412" in crisis.title and "81%" in crisis.finding
    attention = brief.card("attentiveness", FINDINGS, Cfg)
    assert (
        "75%" in attention.title and "30 min" in attention.finding and "9.2 h" in attention.finding
    )
    campaign = brief.card("campaign", FINDINGS, Cfg)
    assert (
        "140" in campaign.title and "14.0x" in campaign.finding and "130 posts" in campaign.finding
    )
    assert campaign.figure == "campaign_glow_up"


def test_no_spike_card():
    card = brief.card("crisis", {**FINDINGS, "spike_days": []}, Cfg)
    assert card.title == "No unusual spikes"


def test_campaign_without_baseline_posts():
    c = {**FINDINGS["campaigns"][0], "uptake_lift": None, "baseline_posts": 0}
    card = brief.card("campaign", {**FINDINGS, "campaigns": [c]}, Cfg)
    assert "none in the weeks before" in card.finding


def test_topic_findings_pick_a_substantial_negative_topic():
    import pandas as pd

    from toolkit.analysis.topics.tables import topic_findings

    published = pd.DataFrame(
        {
            "topic": [0, 1, 2, -1],
            "label": ["outage", "tiny rant", "praise", "no topic"],
            "size": [300.0, 15.0, 200.0, 10.0],
            "share": [0.5, 0.04, 0.33, 0.02],
            "negative": [0.6, 1.0, 0.1, 0.5],
        }
    )
    found = topic_findings(published, n_posts=600, k=10)
    assert found["topics_most_negative"] == {"label": "outage", "share_negative": 0.6}
    assert [t["label"] for t in found["topics_top"]] == ["outage", "praise", "tiny rant"]
    empty = topic_findings(published.iloc[:0], n_posts=0, k=10)
    assert empty["topics_top"] == [] and empty["topics_most_negative"]["share_negative"] is None


def test_response_findings_with_no_responses():
    from toolkit.analysis.attentiveness import brand_responses, response_findings, response_summary
    from toolkit.core.schema import empty_posts

    responses = brand_responses(empty_posts())
    found = response_findings(responses, response_summary(responses))
    assert found["response_rate"] is None and found["response_slowest_platform"] is None


def test_md_shows_data_text_literally():
    assert brief.md("<b>x</b> & *y*") == r"&lt;b&gt;x&lt;/b&gt; &amp; \*y\*"
    assert brief.md("$5_off [link](u) `c` #1 a|b ~z") == r"\$5\_off \[link\](u) \`c\` \#1 a\|b \~z"
    assert brief.md(3) == "3"


def test_data_text_in_cards_is_escaped():
    hostile = {
        **FINDINGS,
        "topics_most_negative": {"label": "<script>x</script>", "share_negative": 0.5},
        "topics_top": [{"label": "a_b *c*", "share": 0.2}],
    }
    card = brief.card("topics", hostile, Cfg)
    assert "<script>" not in card.markdown() and "&lt;script&gt;" in card.finding
    assert r"a\_b \*c\*" in card.title


def test_without_campaigns_the_card_shows_when_to_post():
    card = brief.card(
        "campaign", {**FINDINGS, "campaigns": [], "best_slots": ["Tue 09:00", "Thu 17:00"]}, Cfg
    )
    assert card.title == "When to post: Tue 09:00" and card.figure == "engagement_best_time"
    assert "Tue 09:00, Thu 17:00" in card.finding and "No campaign is configured" in card.finding
    bare = brief.card("campaign", {**FINDINGS, "campaigns": []}, Cfg)
    assert bare.title == "When to post: not enough brand posts yet" and bare.figure


def test_card_alt_text_describes_figure_and_finding():
    card = brief.card("crisis", FINDINGS, Cfg)
    assert card.key == "crisis"
    assert card.alt == (
        "Bar chart of customer posts per day with their mean sentiment as a line; spike days marked. "
        "Finding: Spike on 2026-10-14: 412 customer posts in a day"
    )
    campaign = brief.card(
        "campaign",
        {**FINDINGS, "campaigns": [{**FINDINGS["campaigns"][0], "name": "5_for_<you>"}]},
        Cfg,
    )
    assert campaign.alt.startswith("Bar chart of customer posts per day using the campaign")
    assert campaign.alt.endswith(
        "Campaign '5_for_<you>': 140 customer posts used its code or hashtag"
    )


@pytest.mark.parametrize("name", list(brief.REQUIRED))
def test_every_card_has_chart_values(name):
    title, values, _ = brief.chart_values(name, FINDINGS)
    assert title and values


def test_chart_values_come_from_findings():
    assert brief.chart_values("crisis", FINDINGS)[1] == {
        "spike day 2026-10-14": 0.81,
        "period average": 0.3,
    }
    assert brief.chart_values("campaign", FINDINGS)[1:] == (
        {"using code or hashtag": 140, "in the campaign window": 130, "baseline weeks": 3},
        False,
    )
    assert brief.chart_values("topics", FINDINGS)[1] == {"app · outage": 0.2, "refund": 0.1}
    assert brief.chart_values("unknown", FINDINGS) == ("", {}, True)


def test_figure_path_prefers_the_notebook_figure_and_draws_a_stand_in(tmp_path):
    card = brief.card("privacy", FINDINGS, Cfg)
    stand_in = brief.figure_path(card, tmp_path, FINDINGS)
    assert stand_in == tmp_path / "brief_privacy.png" and stand_in.read_bytes()[:4] == b"\x89PNG"
    (tmp_path / "privacy_by_platform.png").write_bytes(b"\x89PNG notebook figure")
    assert brief.figure_path(card, tmp_path, FINDINGS) == tmp_path / "privacy_by_platform.png"
    assert brief.figure_path(brief.Card("t", "f", "r", "", key="other"), tmp_path, FINDINGS) is None


# ------------------------------------------------------------------ cards follow the data
def _with(**changes):
    return {**FINDINGS, **changes}


def _drivers(**changes):
    return {**FINDINGS["spike_drivers"], **changes}


def _campaign(**changes):
    return {
        **FINDINGS["campaigns"][0],
        "uptake_by_platform": [{"platform": "instagram", "n_posts": 90}],
        "min_group_size": 10,
        **changes,
    }


def test_outage_spike_names_its_topic_and_platform():
    card = brief.card("crisis", FINDINGS, Cfg)
    assert "'app outage' made up 70% of the day" in card.finding
    assert "from twitter" in card.finding and "40 replies" in card.finding
    assert "incident" in card.recommendation and "'app outage'" in card.recommendation
    assert "on twitter" in card.recommendation and not card.thin


def test_campaign_spike_is_not_advised_as_an_outage():
    d = _drivers(
        share_negative=0.3,
        campaign="Glow Up",
        campaign_share=0.45,
        topics=[{"label": "glow code", "share": 0.5, "lift": 8.0}],
    )
    card = brief.card("crisis", _with(spike_drivers=d, spike_top_share_negative=0.3), Cfg)
    assert "incident" not in card.recommendation.replace("not an incident", "")
    assert "campaign traffic" in card.recommendation and "'Glow Up'" in card.recommendation
    assert "45% used the 'Glow Up' campaign's terms" in card.finding


def test_positive_spike_is_not_advised_as_an_outage():
    d = _drivers(share_negative=0.2, share_positive=0.6, topics=[])
    card = brief.card("crisis", _with(spike_drivers=d), Cfg)
    assert "positive" in card.recommendation and "incident" not in card.recommendation


def test_broad_complaint_spike_without_a_driving_topic():
    d = _drivers(topics=[{"label": "misc", "share": 0.1, "lift": 1.1}])
    card = brief.card("crisis", _with(spike_drivers=d), Cfg)
    assert "across topics" in card.recommendation and "no single topic dominated" in card.finding


def test_no_spike_and_too_few_days_differ():
    none = brief.card("crisis", _with(spike_days=[], spike_top_day=None), Cfg)
    assert none.title == "No unusual spikes" and "90 days" in none.finding and not none.thin
    short = brief.card(
        "crisis",
        _with(
            spike_days=[],
            spike_top_day=None,
            spike_days_observed=8,
            daily_busiest_day="2026-02-20",
            daily_busiest_posts=3000,
            daily_median_posts=1500.0,
        ),
        Cfg,
    )
    assert short.thin and "No unusual spikes" not in short.title
    assert "8 days" in short.finding and "needs 14" in short.finding
    assert "2.0x the median day" in short.finding
    assert "What would tell us more" in short.markdown()


def test_campaign_card_follows_lift_and_direction():
    strong = brief.card("campaign", _with(campaigns=[_campaign()]), Cfg)
    assert "Repeat" in strong.recommendation and "on instagram" in strong.recommendation
    down = brief.card("campaign", _with(campaigns=[_campaign(uptake_lift=0.5)]), Cfg)
    assert "fell" in down.recommendation and "Repeat" not in down.recommendation
    flat = brief.card("campaign", _with(campaigns=[_campaign(uptake_lift=1.0)]), Cfg)
    assert "did not change" in flat.recommendation
    thin = brief.card(
        "campaign", _with(campaigns=[_campaign(uptake_posts=4, uptake_authors=4)]), Cfg
    )
    assert thin.thin and "too few" in thin.title.lower() and "Repeat" not in thin.recommendation


def test_every_configured_campaign_is_reported():
    second = _campaign(name="Spring Sale", uptake_lift=0.6, uptake_posts=50)
    card = brief.card("campaign", _with(campaigns=[_campaign(), second]), Cfg)
    assert (
        "2 campaigns" in card.title and "'Glow Up'" in card.title and "'Spring Sale'" in card.title
    )
    assert "Repeat the 'Glow Up' format" in card.recommendation
    assert "Uptake fell during 'Spring Sale'" in card.recommendation


def test_thin_data_cards_say_what_is_missing():
    no_replies = _with(
        response_n_requests=300,
        response_n_responded=0,
        response_rate=0.0,
        response_median_hours=None,
        response_p90_hours=None,
        response_within_sla=None,
        response_slowest_platform=None,
        response_slowest_median_hours=None,
    )
    card = brief.card("attentiveness", no_replies, Cfg)
    assert card.thin and "no brand reply" in card.finding and "None" not in card.markdown()
    best = brief.card(
        "campaign",
        _with(
            campaigns=[],
            best_slots=["Mon 09:00"],
            best_slots_support=[{"slot": "Mon 09:00", "n_posts": 3, "n_authors": 1}],
        ),
        Cfg,
    )
    assert (
        best.thin
        and "3 posts from 1 account" in best.finding
        and "Schedule" not in best.recommendation
    )
    none_rated = brief.card(
        "campaign",
        _with(campaigns=[], best_slots=[], best_slots_support=[], best_time_rated_posts=0),
        Cfg,
    )
    assert none_rated.thin and none_rated.finding.startswith(
        "The period has 0 brand posts with an engagement rate"
    )
    assert none_rated.finding.split(".")[0] not in none_rated.recommendation  # says it once


def test_small_shares_keep_their_precision():
    card = brief.card(
        "privacy",
        _with(
            privacy_share_with_contact=0.004,
            privacy_posts_scanned=10000,
            privacy_authors_exposing_contact=40,
        ),
        Cfg,
    )
    assert card.title.startswith("0.4%")
    from toolkit.report.brief_rules import pct

    assert (
        pct(0) == "0%"
        and pct(0.004, 500) == "<1%"
        and pct(0.0004) == "<0.1%"
        and pct(0.25) == "25%"
    )


def test_rules_are_documented():
    from pathlib import Path

    from toolkit.report.brief_rules import rules_markdown

    docs = (Path(__file__).resolve().parents[2] / "docs" / "brief.md").read_text(encoding="utf-8")
    assert rules_markdown() in docs, (
        "docs/brief.md is stale: paste toolkit.report.brief_rules.rules_markdown()"
    )
