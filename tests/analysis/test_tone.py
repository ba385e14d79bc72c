import pandas as pd
import pytest
from helpers import make_posts

from toolkit.analysis.tone.brand_replies import (
    CHANGE_COLUMNS,
    brand_replies,
    brand_reply_tone,
    tone_after_reply,
    tone_change_summary,
)
from toolkit.core.schema import empty_posts


def at(hour, minute=0):
    return f"2026-10-01T{hour:02d}:{minute:02d}:00Z"


def scored(*rows):
    """Posts with hand-set `sentiment_compound` (key `c`) and labels from the usual cut-offs."""
    compounds = [row.pop("c", 0.0) for row in rows]
    posts = make_posts(*rows)
    labels = [
        "positive" if c >= 0.3 else "negative" if c <= -0.15 else "neutral" for c in compounds
    ]
    return posts.assign(sentiment_compound=compounds, sentiment=labels)


BRAND = dict(author="Brand", is_brand=True)


def thread_posts():
    return scored(
        # t1: u_a complains twice, the brand answers p1, u_a comes back happier
        dict(post_id="p1", thread_id="p1", author="u_a", created_at=at(10), c=-0.6),
        dict(post_id="p2", thread_id="p1", author="u_a", created_at=at(10, 30), post_type="reply", c=-0.2),
        dict(post_id="b1", thread_id="p1", created_at=at(11), post_type="reply", reply_to_id="p1",
             reply_to_author="u_a", c=0.5, **BRAND),
        dict(post_id="p3", thread_id="p1", author="u_a", created_at=at(12), post_type="reply", c=0.4),
        dict(post_id="p4", thread_id="p1", author="u_a", created_at=at(12, 5), post_type="share", c=-0.9),
        # someone else in t1 the brand never answered
        dict(post_id="e1", thread_id="p1", author="u_e", created_at=at(10, 45), post_type="reply", c=-0.5),
        dict(post_id="e2", thread_id="p1", author="u_e", created_at=at(13), post_type="reply", c=0.5),
        # t2: the brand answers u_b by naming them (no reply_to_id); u_b gets angrier
        dict(post_id="q1", thread_id="q1", author="u_b", created_at=at(10), c=-0.5),
        dict(post_id="b2", thread_id="q1", created_at=at(11), post_type="reply", reply_to_author="u_b",
             c=0.0, **BRAND),
        dict(post_id="q3", thread_id="q1", author="u_b", created_at=at(12), post_type="reply", c=-0.7),
        # t3: no brand answer
        dict(post_id="r1", thread_id="r1", author="u_c", created_at=at(10), c=-0.5),
        dict(post_id="r2", thread_id="r1", author="u_c", created_at=at(11), post_type="reply", c=0.5),
        # t4: answered, but the customer never came back
        dict(post_id="s1", thread_id="s1", author="u_d", created_at=at(10), c=-0.5),
        dict(post_id="b4", thread_id="s1", created_at=at(11), post_type="reply", reply_to_id="s1",
             reply_to_author="u_d", c=-0.1, **BRAND),
        # t5: the brand's answer is stamped before the customer's first post (clock skew): not counted
        dict(post_id="b5", thread_id="v1", created_at=at(9), post_type="reply", mentions=["u_f"], c=0.2,
             **BRAND),
        dict(post_id="v1", thread_id="v1", author="u_f", created_at=at(10), c=-0.5),
        dict(post_id="v2", thread_id="v1", author="u_f", created_at=at(11), post_type="reply", c=0.5),
        # the brand's own announcement and a reddit comment answering u_g
        dict(post_id="b6", created_at=at(8), c=0.9, **BRAND),
        dict(post_id="b7", platform="reddit", thread_id="x1", created_at=at(9), post_type="comment",
             reply_to_author="u_g", c=0.6, **BRAND),
    )  # fmt: skip


def test_brand_replies_are_answers_only():
    assert sorted(brand_replies(thread_posts())["post_id"]) == ["b1", "b2", "b4", "b5", "b7"]


def test_brand_reply_tone_by_hand():
    out = brand_reply_tone(thread_posts()).set_index("platform")
    twitter = out.loc["twitter"]
    # b1 0.5 positive, b2 0.0 neutral, b4 -0.1 neutral, b5 0.2 neutral
    assert twitter["n_replies"] == 4
    assert twitter["n_authors"] == 3  # u_a, u_b, u_d named as reply_to_author (b5 names no one)
    assert twitter["mean_score"] == pytest.approx((0.5 + 0.0 - 0.1 + 0.2) / 4)
    assert twitter["share_positive"] == pytest.approx(0.25)
    assert twitter["share_neutral"] == pytest.approx(0.75)
    assert twitter["share_negative"] == 0.0
    assert (out.loc["reddit", "n_replies"], out.loc["reddit", "n_authors"]) == (1, 1)
    overall = brand_reply_tone(thread_posts(), by=[])
    assert overall["n_replies"].tolist() == [5] and overall["n_authors"].tolist() == [4]


def test_tone_after_reply_by_hand():
    out = tone_after_reply(thread_posts())
    assert list(out.columns) == CHANGE_COLUMNS
    assert out["author"].tolist() == ["u_a", "u_b"]
    a, b = out.iloc[0], out.iloc[1]
    assert (a["thread_id"], a["n_before"], a["n_after"]) == ("p1", 2, 1)  # the share is ignored
    assert a["score_before"] == pytest.approx(-0.4) and a["score_after"] == pytest.approx(0.4)
    assert a["change"] == pytest.approx(0.8)
    assert a["reply_at"] == pd.Timestamp(at(11))
    assert bool(a["negative_before"]) and not bool(a["negative_after"])
    assert b["change"] == pytest.approx(-0.2) and bool(b["negative_after"])


def test_tone_change_summary_by_hand():
    summary = tone_change_summary(tone_after_reply(thread_posts())).set_index("platform")
    row = summary.loc["twitter"]
    assert (row["n_threads"], row["n_authors"]) == (2, 2)
    assert row["mean_before"] == pytest.approx(-0.45)
    assert row["mean_after"] == pytest.approx(-0.15)
    assert row["mean_change"] == pytest.approx(0.3)
    assert row["share_improved"] == 0.5 and row["share_worsened"] == 0.5
    assert row["share_negative_before"] == 1.0 and row["share_negative_after"] == 0.5
    # a change within min_change counts as neither better nor worse
    calm = tone_change_summary(tone_after_reply(thread_posts()), by=[], min_change=0.5)
    assert calm["share_improved"].tolist() == [0.5] and calm["share_worsened"].tolist() == [0.0]


def test_no_brand_replies_and_empty_input():
    only_customers = thread_posts().query("not is_brand")
    assert tone_after_reply(only_customers).empty
    assert brand_reply_tone(only_customers).empty
    empty = tone_after_reply(empty_posts())
    assert empty.empty and list(empty.columns) == CHANGE_COLUMNS
    summary = tone_change_summary(empty)
    assert summary.empty and {"n_threads", "n_authors", "share_improved"} <= set(summary.columns)


def test_unscored_posts_are_scored_with_our_model():
    posts = make_posts(
        dict(post_id="1", thread_id="1", author="u_a", created_at=at(10), text="still waiting, flight cancelled"),
        dict(post_id="2", thread_id="1", author="Brand", is_brand=True, created_at=at(11),
             post_type="reply", reply_to_id="1", text="Sorry about that, we have rebooked you."),
        dict(post_id="3", thread_id="1", author="u_a", created_at=at(12), post_type="reply",
             text="thank you so much, all sorted!"),
    )  # fmt: skip
    out = tone_after_reply(posts)
    assert len(out) == 1 and out["change"].iloc[0] > 0.5
    assert bool(out["negative_before"].iloc[0]) and not bool(out["negative_after"].iloc[0])
    assert brand_reply_tone(posts)["n_replies"].tolist() == [1]


def test_after_reply_findings_suppress_below_k():
    from toolkit.analysis.tone.brand_replies import after_reply_findings

    changes = tone_after_reply(thread_posts())  # 2 threads, 2 customers, one improved
    assert after_reply_findings(changes, k=2) == {
        "tone_after_reply_threads": 2,
        "tone_after_reply_share_improved": 0.5,
    }
    assert after_reply_findings(changes, k=3)["tone_after_reply_share_improved"] is None
    assert after_reply_findings(tone_after_reply(empty_posts()), k=1) == {
        "tone_after_reply_threads": 0,
        "tone_after_reply_share_improved": None,
    }
