"""One disclosure policy: every published table and figure goes through the registry in
toolkit.privacy.disclosure, via the notebook session; nothing that leads back to a post is published."""

import json
import math
import re
import textwrap

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from toolkit.analysis.attentiveness import published_requests  # noqa: E402
from toolkit.core.paths import NOTEBOOKS_DIR  # noqa: E402
from toolkit.pipeline import publish as metrics  # noqa: E402
from toolkit.privacy import disclosure
from toolkit.privacy.disclosure import (
    DisclosureError,  # noqa: E402
    suppress_small_groups,  # noqa: E402
)
from toolkit.report.session import open_session  # noqa: E402


@pytest.fixture
def session(tmp_path, monkeypatch):
    monkeypatch.setenv("TOOLKIT_HMAC_KEY", "test-key")
    (tmp_path / "posts.csv").write_text("id,created,user,body\n1,2026-09-01T10:00:00Z,a,hi\n")
    cfg = tmp_path / "tiny.yaml"
    cfg.write_text(
        textwrap.dedent("""
        name: tiny
        sources:
          - path: posts.csv
            format: csv
            platform: twitter
            mapping: {post_id: id, created_at: created, author: user, text: body}
        brand: {name: Demo, accounts: {twitter: [DemoBrand]}}
        privacy: {min_group_size: 3}
    """)
    )
    return open_session(cfg, tmp_path / "out")


def _by_platform(**authors):
    return pd.DataFrame(
        {
            "platform": list(authors),
            "n_posts": [2 * n for n in authors.values()],
            "n_authors": list(authors.values()),
        }
    )


def test_save_table_applies_the_registry_policy_with_k_from_the_config(session):
    table = _by_platform(twitter=5, reddit=2)
    published = session.save_table(table, "tone_by_platform")
    assert published.set_index("platform")["suppressed"].to_dict() == {
        "twitter": False,
        "reddit": True,
    }
    written = pd.read_csv(session.tables_dir / "tone_by_platform.csv")
    assert math.isnan(written.set_index("platform").loc["reddit", "n_posts"])
    pd.testing.assert_frame_equal(published, suppress_small_groups(table, by="platform", k=3))


def test_a_list_in_a_published_cell_is_written_as_plain_words(session):
    table = _by_platform(twitter=5).assign(keywords=[["cloud", "outage", "app crashes"]])
    published = session.save_table(table, "tone_by_platform")
    assert published.loc[0, "keywords"] == ["cloud", "outage", "app crashes"]  # for the notebook
    written = pd.read_csv(session.tables_dir / "tone_by_platform.csv")
    assert written.loc[0, "keywords"] == "cloud, outage, app crashes"


def test_a_table_without_policy_is_refused(session):
    with pytest.raises(DisclosureError, match="'my_new_table' has no disclosure policy"):
        session.save_table(_by_platform(twitter=5), "my_new_table")
    with pytest.raises(DisclosureError, match="no disclosure policy"):
        session.publish(_by_platform(twitter=5), "my_new_table")
    assert not (session.tables_dir / "my_new_table.csv").exists()


def test_a_figure_needs_a_policy_and_its_published_tables(session):
    fig = plt.figure()
    with pytest.raises(DisclosureError, match="no disclosure policy"):
        session.save_figure(fig, "unregistered_chart")
    with pytest.raises(DisclosureError, match="draws \\['tone_daily', 'tone_spikes'\\]"):
        session.save_figure(fig, "tone_daily")
    daily = pd.DataFrame({"date": pd.to_datetime(["2026-10-01"]), "n_posts": [4], "n_authors": [4]})
    session.save_table(daily, "tone_daily")
    session.publish(daily, "tone_spikes")
    assert session.save_figure(fig, "tone_daily") is None  # nothing for a notebook to print
    assert (session.figures_dir / "tone_daily.png").exists()
    campaign_daily = daily.assign(uptake_posts=2, uptake_authors=2)
    session.publish(campaign_daily, "campaign_glow_up_daily")  # wildcards: one per campaign
    session.save_figure(fig, "campaign_glow_up")
    plt.close(fig)


def test_post_ids_urls_and_exact_times_are_refused(session):
    rows = pd.DataFrame({"platform": ["twitter"], "post_id": ["1900000000000000001"]})
    with pytest.raises(DisclosureError, match="post_id"):
        session.save_table(rows, "attentiveness_oldest_unanswered_complaints")
    exact = pd.DataFrame({"platform": ["x"], "when": pd.to_datetime(["2026-10-01 13:25:27"])})
    with pytest.raises(DisclosureError, match="exact times"):
        session.save_table(exact, "attentiveness_oldest_unanswered_complaints")
    days = pd.DataFrame(
        {
            "date": pd.to_datetime(["2026-10-01", "2026-10-02"]),
            "n_posts": [5, 6],
            "n_authors": [5, 6],
        }
    )
    assert len(session.save_table(days, "tone_daily")) == 2  # days (and hours) are fine


def test_share_of_voice_treats_all_rows_as_margins():
    """Notebook 03 passed total_label="all" by hand while metrics.SUPPRESSION did not: with
    the margin, a lone small cell could be recovered by subtraction from the "all" row."""
    sov = pd.DataFrame(
        {
            "platform": ["twitter", "reddit", "all"],
            "entity": ["Lumora"] * 3,
            "n_posts": [30, 2, 32],
            "n_authors": [25, 2, 27],
        }
    )
    policy = disclosure.table_policy("share_of_voice")
    published = policy.apply(sov, k=10)
    assert published["suppressed"].tolist() == [True, True, False]  # complementary suppression
    assert metrics.SUPPRESSION["share_of_voice"] is policy
    pd.testing.assert_frame_equal(
        published,
        suppress_small_groups(sov, by=["platform", "entity"], k=10, total_label="all"),
    )


def test_metrics_and_notebooks_share_policies():
    assert metrics.SUPPRESSION["responses_by_platform"] is disclosure.table_policy(
        "attentiveness_by_platform"
    )
    assert metrics.SUPPRESSION["daily"] is disclosure.table_policy("tone_daily")
    assert (
        metrics.SUPPRESSION["campaign_phases"].value_cols
        == disclosure.table_policy("campaign_glow_up_phases").value_cols
    )


def _notebook_sources():
    for path in sorted(NOTEBOOKS_DIR.glob("*.ipynb")):
        nb = json.loads(path.read_text())
        for cell in nb["cells"]:
            if cell["cell_type"] == "code":
                yield path.name, "".join(cell["source"])


def test_notebooks_publish_only_through_the_registry():
    names = re.compile(r"session\.(save_table|publish|save_figure)\([^\n]*?,\s*f?\"([^\"]+)\"\)")
    used = set()
    for notebook, source in _notebook_sources():
        assert "suppress_small_groups" not in source, f"{notebook}: suppression by hand"
        assert ".to_csv(" not in source and ".savefig(" not in source, notebook
        for method, name in names.findall(source):
            concrete = re.sub(r"\{[^}]*\}", "x", name)  # f-string fields, e.g. a campaign slug
            if method == "save_figure":
                disclosure.figure_sources(concrete)
            else:
                disclosure.table_policy(concrete)
            used.add((method, name))
    assert ("save_table", "share_of_voice") in used and ("save_figure", "tone_daily") in used
    registered = {n for m, n in used if m != "save_figure"}
    assert len(registered) >= 25


def test_brand_post_text_follows_the_quote_policy():
    top = pd.DataFrame(
        {
            "platform": ["twitter"],
            "text": [
                "Thanks @NimbusHome team and to Sarah Johnson from the call centre! "
                "Write to jane.doe@example.com"
            ],
            "interactions": [10],
        }
    )
    assert "text" not in disclosure.with_brand_text(top, "none").columns
    for policy in ("full", "redacted"):
        text = disclosure.with_brand_text(top, policy, keep_handles=["NimbusHome"])["text"].iloc[0]
        assert "Sarah Johnson" not in text and "jane.doe@example.com" not in text, policy
        assert "@NimbusHome" in text
    assert disclosure.with_brand_text(top, "full", keep_handles=["NimbusHome"]).shape == top.shape


def test_published_requests_have_ranks_days_and_no_post_ids():
    oldest = pd.DataFrame(
        {
            "platform": ["twitter", "mastodon"],
            "post_id": ["2094778662910377252", "117201680095642746"],
            "author": ["u_0b80b90021ca5a13", "u_789366e09e6ae1da"],
            "created_at": pd.to_datetime(["2026-09-01 23:25:27", "2026-09-02 13:28:34"], utc=True),
            "addressed_by": ["reply", "mention"],
            "age_hours": [2146.23, 23.9],
            "quote": [None, None],
        }
    )
    out = published_requests(oldest, tz="Europe/Berlin")
    assert list(out.columns) == [
        "rank",
        "platform",
        "author",
        "day",
        "addressed_by",
        "age_days",
        "quote",
    ]
    assert out["rank"].tolist() == [1, 2]
    assert out["day"].tolist() == ["2026-09-02", "2026-09-02"]  # local days
    assert out["age_days"].tolist() == [89, 0]
    disclosure.check_columns(out, "attentiveness_oldest_unanswered_complaints")
    assert not any(i in out.to_csv() for i in oldest["post_id"])
    computed = {"oldest_unanswered": oldest.drop(columns="quote")}
    assert "post_id" not in metrics.published_metrics(computed, k=3)["oldest_unanswered"]


def test_every_policy_names_its_cells_or_its_reason():
    for name, policy in disclosure.TABLES.items():
        assert policy.suppresses or policy.reason, name
    for value in disclosure.FIGURES.values():
        if not isinstance(value, str):
            for source in value:
                disclosure.table_policy(source.replace("*", "x"))
    with pytest.raises(ValueError, match="needs a reason"):
        disclosure.Policy(by=None)
