import pandas as pd
import pytest
from helpers import make_posts

from toolkit.privacy import exposure as pr
from toolkit.privacy.detect.entities import Span


def fake_detect(text):
    """Email where the text says 'mail', phone where it says 'call', name where it says 'name'."""
    spans = []
    for word, kind in (
        ("mail", "EMAIL_ADDRESS"),
        ("call", "PHONE_NUMBER"),
        ("name", "PERSON"),
        ("http", "URL"),
    ):
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
    assert sorted(found["entity_type"]) == [
        "EMAIL_ADDRESS",
        "EMAIL_ADDRESS",
        "PERSON",
        "PHONE_NUMBER",
        "PHONE_NUMBER",
    ]
    assert "NimbusHome" not in set(found["author"]) and "f" not in set(
        found["author"]
    )  # brand, share


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
    table = pr.prevalence(posts, found, by=["platform", "entity_type"]).set_index(
        ["platform", "entity_type"]
    )
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
    assign = posts[["platform", "post_id"]].assign(
        topic_label=["x", "x", "y", "y", "y", "y", "b", "s"]
    )
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
    assert (
        found.empty and pr.exposure_summary(posts, found)["value"]["posts with personal data"] == 0
    )
    assert isinstance(pr.weekly_share(posts, found), pd.DataFrame)


def test_weekly_share_counts_authors_with_personal_data(posts):
    found = pr.find_personal_data(posts, detect=fake_detect)
    weekly = pr.weekly_share(posts, found)
    assert weekly.loc[0, "n_authors"] == 3  # a, b, d carry personal data
    assert weekly.loc[0, "customer_authors"] == 5  # a, b, c, d, e (share by f excluded)
    from toolkit.privacy.disclosure import suppress_small_groups

    blanked = suppress_small_groups(weekly, by="week", k=4, value_cols=pr.WEEKLY_VALUES)
    assert blanked["suppressed"].tolist() == [True]
    assert blanked[pr.WEEKLY_VALUES].isna().all(axis=None)
    assert blanked.loc[0, "customer_posts"] == 6  # not describing the few: kept


def test_author_concentration_buckets_hand_computed(posts):
    found = pr.find_personal_data(posts, detect=fake_detect)
    table = pr.author_concentration(found).set_index("bucket")
    # a: 2 posts with personal data; b and d: 1 each; 4 such posts in all
    assert table.loc["1 post", "n_authors"] == 2 and table.loc["1 post", "n_posts"] == 2
    assert table.loc["2 posts", "n_authors"] == 1 and table.loc["2 posts", "n_posts"] == 2
    assert table.loc["3-5 posts", "n_authors"] == 0 and table.loc["6+ posts", "n_posts"] == 0
    assert table["share_of_posts"].tolist() == [0.5, 0.5, 0.0, 0.0]


def test_top_author_share(posts):
    found = pr.find_personal_data(posts, detect=fake_detect)
    assert pr.top_author_share(found, top=0.1) == pytest.approx(2 / 4)  # at least one author: a
    assert pr.top_author_share(found, top=1.0) == 1.0
    assert pr.top_author_share(found.iloc[:0]) == 0.0


def test_contact_recommendation_states_the_figures(posts):
    found = pr.find_personal_data(posts, detect=fake_detect)
    text = pr.contact_recommendation(pr.exposure_summary(posts, found))
    assert text.startswith("2 customers posted") and "(50.0% of customer posts)" in text
    assert "private channel" in text
    empty = pr.exposure_summary(posts, found.iloc[:0])
    assert "nothing to do" in pr.contact_recommendation(empty)


def test_pseudonymisation_summary_names_the_key_source_never_the_key(posts, monkeypatch, tmp_path):
    from toolkit.core.config import load_config

    config = load_config()
    monkeypatch.setenv(config.privacy.key_env, "super-secret-key-value")
    table = pr.pseudonymisation_summary(posts, config)
    assert "super-secret-key-value" not in table.to_string()
    assert (
        table.set_index("item").loc["key source", "value"]
        == f"environment variable {config.privacy.key_env}"
    )


def test_prevalence_with_totals_adds_margin_rows(posts):
    found = pr.find_personal_data(posts, detect=fake_detect)
    table = pr.prevalence(posts, found, by=["platform", "entity_type"], totals=True)
    totals = table[table["platform"] == pr.TOTAL].set_index("entity_type")
    # phone: one twitter post (a) + one reddit post (d) -> 2 posts, 2 authors, of 6 customer posts
    assert (
        totals.loc["PHONE_NUMBER", "n_posts"] == 2 and totals.loc["PHONE_NUMBER", "n_authors"] == 2
    )
    assert totals.loc["PHONE_NUMBER", "share"] == pytest.approx(2 / 6)
    assert len(table) == len(pr.prevalence(posts, found, by=["platform", "entity_type"])) + len(
        totals
    )


def test_platform_cell_cannot_be_recovered_from_its_type_total(posts):
    from toolkit.privacy.disclosure import suppress_small_groups

    found = pr.find_personal_data(posts, detect=fake_detect)
    table = pr.prevalence(posts, found, by=["platform", "entity_type"], totals=True)
    out = suppress_small_groups(table, by=["platform", "entity_type"], k=1).set_index(
        ["platform", "entity_type"]
    )
    assert not out["suppressed"].any()  # k=1: everything published
    # k=2: the PHONE total has 2 authors (kept); twitter and reddit phone cells have 1 each:
    # both primary-suppressed, so neither can be recovered from the total.
    out = suppress_small_groups(table, by=["platform", "entity_type"], k=2).set_index(
        ["platform", "entity_type"]
    )
    assert out.loc[(pr.TOTAL, "PHONE_NUMBER"), "n_posts"] == 2
    assert (
        out.loc[("twitter", "PHONE_NUMBER"), "suppressed"]
        and out.loc[("reddit", "PHONE_NUMBER"), "suppressed"]
    )
