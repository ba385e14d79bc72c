import math

import pandas as pd
import pytest
from helpers import make_posts

from toolkit.analysis.attentiveness import (
    RESPONSE_COLUMNS,
    brand_responses,
    oldest_unanswered,
    response_summary,
)
from toolkit.core.schema import empty_posts


def brand(**row):
    return {"author": "NimbusSupport", "is_brand": True, "post_type": "reply", **row}


def conversation():
    """c1 mention, answered after 2 h; c2 reply to a brand post, answered in-thread after 30 h;
    c3 mention, never answered; c4 mention, brand reply stamped 1 h early (clock skew);
    c5 not addressed to the brand; c6 a share; b0 the brand's own post."""
    return make_posts(
        dict(
            post_id="b0",
            author="NimbusHome",
            is_brand=True,
            thread_id="b0",
            created_at="2026-10-01T08:00:00Z",
        ),
        dict(
            post_id="c1",
            author="u_a",
            mentions=["NimbusHome"],
            thread_id="c1",
            created_at="2026-10-01T10:00:00Z",
        ),
        brand(post_id="r1", reply_to_id="c1", thread_id="c1", created_at="2026-10-01T12:00:00Z"),
        brand(post_id="r1b", reply_to_id="c1", thread_id="c1", created_at="2026-10-01T13:00:00Z"),
        dict(
            post_id="c2",
            author="u_b",
            post_type="reply",
            reply_to_id="b0",
            thread_id="b0",
            created_at="2026-10-01T09:00:00Z",
        ),
        brand(
            post_id="r2",
            reply_to_id="b0",
            thread_id="b0",
            mentions=["u_b"],
            created_at="2026-10-02T15:00:00Z",
        ),
        dict(
            post_id="c3",
            author="u_c",
            mentions=["nimbushome"],
            thread_id="c3",
            created_at="2026-09-30T00:00:00Z",
        ),
        dict(
            post_id="c4",
            author="u_d",
            mentions=["@NimbusSupport"],
            thread_id="c4",
            created_at="2026-10-01T12:00:00Z",
        ),
        brand(post_id="r4", reply_to_id="c4", thread_id="c4", created_at="2026-10-01T11:00:00Z"),
        dict(post_id="c5", author="u_e", text="love my bulbs", thread_id="c5"),
        dict(post_id="c6", author="u_f", post_type="share", mentions=["NimbusHome"]),
    )


def test_brand_responses_by_hand():
    out = brand_responses(conversation(), sla_hours=24).set_index("post_id")
    assert list(out.index) == ["c3", "c2", "c1", "c4"]  # by platform, then time
    assert out["addressed_by"].to_dict() == {
        "c1": "mention",
        "c2": "reply",
        "c3": "mention",
        "c4": "mention",
    }
    assert out.loc["c1", "response_id"] == "r1" and out.loc[
        "c1", "response_hours"
    ] == pytest.approx(2.0)
    assert out.loc["c1", "response_match"] == "reply"
    assert out.loc["c2", "response_id"] == "r2" and out.loc[
        "c2", "response_hours"
    ] == pytest.approx(30.0)
    assert out.loc["c2", "response_match"] == "thread_mention"
    assert not out.loc["c3", "responded"] and math.isnan(out.loc["c3", "response_hours"])
    assert out["within_sla"].to_dict() == {"c1": True, "c2": False, "c3": False, "c4": True}
    assert out["clock_skew"].to_dict() == {"c1": False, "c2": False, "c3": False, "c4": True}
    assert out.loc["c4", "response_hours"] == 0.0
    assert sorted(out.reset_index().columns) == sorted(RESPONSE_COLUMNS)


def test_reply_to_brand_author_counts_and_thread_mention_before_post_does_not():
    posts = make_posts(
        dict(
            post_id="c1",
            author="u_a",
            post_type="reply",
            reply_to_author="NimbusHome",
            reply_to_id="x",
            thread_id="t",
        ),
        # mentions the customer in the same thread, but before the post: not a response
        brand(post_id="r0", thread_id="t", mentions=["u_a"], created_at="2026-10-01T11:00:00Z"),
    )
    out = brand_responses(posts, brand_handles=["@NimbusHome", "NimbusSupport"])
    assert out["addressed_by"].tolist() == ["reply"]
    assert out["responded"].tolist() == [False]


def test_brand_handles_default_to_brand_authors():
    posts = make_posts(
        dict(post_id="c1", mentions=["NimbusSupport"])
    )  # no brand posts in the frame
    assert brand_responses(posts).empty
    assert len(brand_responses(posts, brand_handles=["NimbusSupport"])) == 1


def test_no_brand_replies_at_all():
    posts = make_posts(
        dict(post_id="c1", author="u_a", mentions=["NimbusHome"]),
        dict(post_id="c2", author="u_b", mentions=["NimbusHome"]),
    )
    out = brand_responses(posts, brand_handles=["NimbusHome"])
    assert not out["responded"].any() and out["response_hours"].isna().all()
    summary = response_summary(out).iloc[0]
    assert summary["response_rate"] == 0.0 and summary["share_within_sla"] == 0.0
    assert math.isnan(summary["median_response_hours"]) and math.isnan(
        summary["p90_response_hours"]
    )


def test_response_summary_by_hand():
    out = response_summary(brand_responses(conversation()), by=["platform"]).iloc[0]
    assert out["platform"] == "twitter"
    assert (out["n_posts"], out["n_authors"], out["n_responded"], out["n_clock_skew"]) == (
        4,
        4,
        3,
        1,
    )
    assert out["response_rate"] == pytest.approx(0.75)
    assert out["median_response_hours"] == pytest.approx(2.0)  # of 2, 30, 0
    assert out["p90_response_hours"] == pytest.approx(24.4)  # 2 + 0.8 * (30 - 2)
    assert out["share_within_sla"] == pytest.approx(0.5)
    overall = response_summary(brand_responses(conversation()), by=[])
    assert (
        len(overall) == 1 and overall["n_posts"].iloc[0] == 4 and "platform" not in overall.columns
    )


def test_response_summary_by_local_weekday_hour():
    responses = brand_responses(conversation())
    out = response_summary(responses, by=["weekday", "hour"], tz="America/Chicago")
    # c1 10:00Z and c4 12:00Z on Thu 2026-10-01 are 05:00 and 07:00 CDT; c2 09:00Z is 04:00 CDT
    thursday = out[out["weekday"] == 3].set_index("hour")
    assert thursday["n_posts"].to_dict() == {4: 1, 5: 1, 7: 1}
    assert thursday["weekday_name"].unique().tolist() == ["Thu"]
    assert out.loc[out["weekday"] == 1, "hour"].tolist() == [19]  # c3: Tue 2026-09-29 19:00 CDT


def test_oldest_unanswered():
    responses = brand_responses(conversation())
    out = oldest_unanswered(responses, now="2026-10-02T00:00:00Z", n=5)
    assert out["post_id"].tolist() == ["c3"]
    assert out["age_hours"].tolist() == [48.0]
    assert "text" not in out.columns
    naive = oldest_unanswered(responses, now=pd.Timestamp("2026-10-02 00:00"), n=5)
    assert naive["age_hours"].tolist() == [48.0]


def test_empty_inputs():
    out = brand_responses(empty_posts())
    assert out.empty and list(out.columns) == RESPONSE_COLUMNS
    summary = response_summary(out)
    assert summary.empty and {"platform", "n_posts", "n_authors", "response_rate"} <= set(
        summary.columns
    )
    assert oldest_unanswered(out, now="2026-10-02").empty
    assert response_summary(out, by=["weekday", "hour"], tz="America/Chicago").empty


def follow_up_thread():
    """u_a complains (c1), follows up twice (c1b, c1c); the brand answers c1c after 5 h."""
    return make_posts(
        dict(post_id="c1", author="u_a", mentions=["NimbusHome"], thread_id="c1",
             created_at="2026-10-01T10:00:00Z"),
        dict(post_id="c1b", author="u_a", post_type="reply", reply_to_id="c1", thread_id="c1",
             mentions=["NimbusHome"], created_at="2026-10-01T12:00:00Z"),
        dict(post_id="c1c", author="u_a", post_type="reply", reply_to_id="c1b", thread_id="c1",
             mentions=["NimbusHome"], created_at="2026-10-01T14:00:00Z"),
        brand(post_id="r1", reply_to_id="c1c", thread_id="c1", created_at="2026-10-01T15:00:00Z"),
        dict(post_id="c2", author="u_b", post_type="reply", reply_to_id="c1", thread_id="c1",
             mentions=["NimbusHome"], created_at="2026-10-01T11:00:00Z"),
    )  # fmt: skip


def test_follow_ups_count_once_per_customer_thread():
    out = brand_responses(follow_up_thread(), brand_handles=["NimbusHome"]).set_index("post_id")
    assert list(out.index) == ["c1", "c2"]  # u_b in the same thread is their own request
    assert out.loc["c1", "n_customer_posts"] == 3
    assert out.loc["c1", "responded"] and out.loc["c1", "response_hours"] == pytest.approx(5.0)
    assert out.loc["c1", "response_match"] == "reply"
    assert not out.loc["c2", "responded"]  # r1 answers u_a's post, not u_b's
    per_post = brand_responses(follow_up_thread(), brand_handles=["NimbusHome"], unit="post")
    assert per_post.set_index("post_id")["responded"].to_dict() == {
        "c1": True,  # r1 is below c1 in the reply tree (c1 <- c1b <- c1c <- r1)
        "c2": False,
        "c1b": True,
        "c1c": True,
    }
    with pytest.raises(ValueError):
        brand_responses(follow_up_thread(), unit="conversation")


def test_reddit_brand_comment_deep_in_the_tree_answers_the_submission():
    posts = make_posts(
        dict(post_id="s1", platform="reddit", author="u_a", thread_id="s1",
             text="Nimbus hub keeps dropping", created_at="2026-10-01T10:00:00Z"),
        dict(post_id="k1", platform="reddit", author="u_b", post_type="comment",
             reply_to_id="s1", thread_id="s1", created_at="2026-10-01T11:00:00Z"),
        dict(post_id="k2", platform="reddit", author="u_c", post_type="comment",
             reply_to_id="k1", thread_id="s1", created_at="2026-10-01T12:00:00Z"),
        brand(post_id="rb", platform="reddit", author="NimbusHome_Official", post_type="comment",
              reply_to_id="k2", thread_id="s1", created_at="2026-10-01T16:00:00Z"),
        dict(post_id="s2", platform="reddit", author="u_d", thread_id="s2",
             text="Nimbus question", created_at="2026-10-01T10:00:00Z"),
    )  # fmt: skip
    out = brand_responses(posts, brand_names=["Nimbus"]).set_index("post_id")
    assert out.loc["s1", "addressed_by"] == "name"
    assert out.loc["s1", "response_match"] == "tree" and out.loc["s1", "response_hours"] == 6.0
    assert not out.loc["s2", "responded"]


def test_keep_columns_and_summary_by_topic_and_empty_platforms():
    posts = conversation().assign(topic="billing")
    posts.loc[posts["post_id"] == "c3", "topic"] = "outage"
    out = brand_responses(posts, keep=["topic"])
    by_topic = response_summary(out, by=["topic"]).set_index("topic")
    assert by_topic["n_posts"].to_dict() == {"billing": 3, "outage": 1}
    assert by_topic.loc["outage", "response_rate"] == 0.0
    by_platform = response_summary(out, platforms=["reddit", "twitter"]).set_index("platform")
    assert by_platform.loc["reddit", "n_posts"] == 0 and math.isnan(
        by_platform.loc["reddit", "response_rate"]
    )
    assert list(oldest_unanswered(out, now="2026-10-02", keep=["topic"])["topic"]) == ["outage"]


def test_response_findings_with_no_requests():
    from toolkit.analysis.attentiveness import response_findings

    found = response_findings(
        brand_responses(empty_posts()), response_summary(brand_responses(empty_posts()))
    )
    assert found["response_rate"] is None and found["response_slowest_platform"] is None
    assert found["response_n_requests"] == 0 and found["response_n_responded"] == 0


def test_with_quotes_follows_the_policy():
    from toolkit.analysis.attentiveness import with_quotes

    posts = make_posts(
        dict(post_id="c1", author="u_a", text="call me on 0151 496 0999 @NimbusHome"),
        dict(post_id="c2", author="u_b", text="plain complaint"),
    )
    table = pd.DataFrame({"platform": ["twitter", "twitter"], "post_id": ["c1", "nope"]})
    assert "quote" not in with_quotes(table, posts, "none").columns
    quoted = with_quotes(table, posts, "redacted", keep_handles=["NimbusHome"])
    assert "0151" not in quoted["quote"].iloc[0] and "@NimbusHome" in quoted["quote"].iloc[0]
    assert quoted["quote"].iloc[1] is None
