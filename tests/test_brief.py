import pytest

from toolkit import brief

FINDINGS = {
    "period_start": "2026-09-01",
    "period_end": "2026-11-29",
    "ingest_loaded": 6000,
    "ingest_platforms": ["reddit", "twitter"],
    "spike_days": ["2026-10-14", "2026-10-15"],
    "spike_top_day": "2026-10-14",
    "spike_top_posts": 412,
    "spike_top_share_negative": 0.81,
    "tone_share_negative": 0.3,
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

    from toolkit.topics import topic_findings

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
    from toolkit.attentiveness import brand_responses, response_findings, response_summary
    from toolkit.schema import empty_posts

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
