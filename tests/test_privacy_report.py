import pandas as pd
import pytest
from helpers import make_posts

from toolkit import privacy_report as pr
from toolkit.privacy import Span


def fake_detect(text):
    """Email where the text says 'mail', phone where it says 'call', name where it says 'name'."""
    spans = []
    for word, kind in (("mail", "EMAIL_ADDRESS"), ("call", "PHONE_NUMBER"), ("name", "PERSON"), ("http", "URL")):
        if word in text:
            i = text.index(word)
            spans.append(Span(i, i + len(word), kind, 1.0, word))
    return spans


@pytest.fixture
def posts():
    return make_posts(
        {"platform": "twitter", "author": "a", "text": "mail me", "post_type": "reply"},
        {"platform": "twitter", "author": "a", "text": "call me, mail me", "post_type": "reply"},
        {"platform": "twitter", "author": "b", "text": "my name is", "post_type": "post"},
        {"platform": "twitter", "author": "c", "text": "nothing here http", "post_type": "post"},
        {"platform": "reddit", "author": "d", "text": "call", "post_type": "comment"},
        {"platform": "reddit", "author": "e", "text": "plain", "post_type": "post"},
        {"platform": "twitter", "author": "NimbusHome", "is_brand": True, "text": "mail support"},
        {"platform": "twitter", "author": "f", "text": "mail me", "post_type": "share"},
    )


def test_findings_cover_customer_posts_only(posts):
    found = pr.find_personal_data(posts, detect=fake_detect)
    assert sorted(found["entity_type"]) == ["EMAIL_ADDRESS", "EMAIL_ADDRESS", "PERSON", "PHONE_NUMBER", "PHONE_NUMBER"]
    assert "NimbusHome" not in set(found["author"]) and "f" not in set(found["author"])  # brand, share


def test_exposure_summary(posts):
    found = pr.find_personal_data(posts, detect=fake_detect)
    s = pr.exposure_summary(posts, found)["value"]
    assert s["customer posts scanned"] == 6
    assert s["posts with personal data"] == 4
    assert s["share with personal data"] == pytest.approx(4 / 6)
    assert s["posts with contact details"] == 3  # posts 1, 2 and 5
    assert s["authors exposing contact details"] == 2  # a, d


def test_prevalence_by_platform(posts):
    found = pr.find_personal_data(posts, detect=fake_detect)
    table = pr.prevalence(posts, found, by=["platform", "entity_type"]).set_index(["platform", "entity_type"])
    assert table.loc[("twitter", "EMAIL_ADDRESS"), "n_posts"] == 2
    assert table.loc[("twitter", "EMAIL_ADDRESS"), "n_authors"] == 1
    assert table.loc[("twitter", "EMAIL_ADDRESS"), "share"] == pytest.approx(2 / 4)
    assert table.loc[("reddit", "PHONE_NUMBER"), "share"] == pytest.approx(1 / 2)
    with pytest.raises(ValueError):
        pr.prevalence(posts, found, by=["platform"])


def test_contact_exposure_counts_public_replies(posts):
    found = pr.find_personal_data(posts, detect=fake_detect)
    table = pr.contact_exposure(posts, found, by=["platform"]).set_index("platform")
    assert table.loc["twitter", "n_posts"] == 2 and table.loc["twitter", "public_replies"] == 2
    assert table.loc["reddit", "share_of_replies"] == pytest.approx(1.0)


def test_prevalence_by_topic(posts, tmp_path):
    found = pr.find_personal_data(posts, detect=fake_detect)
    assert pr.prevalence_by_topic(posts, found, tmp_path / "missing.parquet") is None
    assign = posts[["platform", "post_id"]].assign(topic_label=["x", "x", "y", "y", "y", "y", "b", "s"])
    assign.to_parquet(tmp_path / "a.parquet")
    table = pr.prevalence_by_topic(posts, found, tmp_path / "a.parquet").set_index("topic_label")
    assert table.loc["x", "share"] == 1.0 and table.loc["y", "share"] == pytest.approx(2 / 4)


def test_weekly_share(posts):
    found = pr.find_personal_data(posts, detect=fake_detect)
    weekly = pr.weekly_share(posts, found)
    assert len(weekly) == 1 and weekly.loc[0, "with_personal_data"] == 4
    assert weekly.loc[0, "share_contact_details"] == pytest.approx(3 / 6)


def test_empty_findings():
    posts = make_posts({"text": "nothing"})
    found = pr.find_personal_data(posts, detect=lambda t: [])
    assert found.empty and pr.exposure_summary(posts, found)["value"]["posts with personal data"] == 0
    assert isinstance(pr.weekly_share(posts, found), pd.DataFrame)
