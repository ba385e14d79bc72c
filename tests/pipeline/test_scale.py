"""toolkit.pipeline without a cluster: partitions keep conversations together, and the
per-partition analysis combined over partitions equals the analysis of all posts at once."""

import os

import numpy as np
import pandas as pd
import pytest
from helpers import make_posts

from toolkit.analysis.tone.posts import VaderScorer
from toolkit.ingest.partition import (
    partition_path,
    partition_posts,
    read_partition,
    write_atomically,
)
from toolkit.pipeline import (
    AnalysisSettings,
    analyse_posts,
    combine_privacy,
    conversation_keys,
    n_partitions_for,
    partition_of,
    redact_and_count,
    write_partitions,
)
from toolkit.pipeline.analyse import choose_sample, sample_keys, topic_sample_candidates
from toolkit.privacy.detect import analyzer as privacy
from toolkit.privacy.detect.entities import ENTITY_TYPES
from toolkit.privacy.quoting import redact

SETTINGS = AnalysisSettings(brand_handles=("nimbussupport",), brand_names=("Nimbus",), sla_hours=2)


def conversations() -> pd.DataFrame:
    """Two threads, a reply whose thread is unknown, its brand answer, and a lone post."""
    return make_posts(
        {
            "post_id": "1",
            "thread_id": "1",
            "mentions": ["NimbusSupport"],
            "text": "My hub is offline again, email me at jo@example.com",
        },
        {
            "post_id": "2",
            "thread_id": "1",
            "reply_to_id": "1",
            "post_type": "reply",
            "author": "NimbusSupport",
            "is_brand": True,
            "mentions": ["u_0000000000000001"],
            "created_at": "2026-10-01T13:00:00Z",
            "text": "Sorry! We are on it.",
        },
        {
            "post_id": "3",
            "thread_id": "3",
            "text": "Love the new bulbs @NimbusSupport",
            "mentions": ["NimbusSupport"],
            "author": "u_0000000000000002",
        },
        {
            "post_id": "4",
            "reply_to_id": "99",
            "post_type": "reply",
            "text": "Terrible support",
            "mentions": ["NimbusSupport"],
            "author": "u_0000000000000003",
        },
        {
            "post_id": "5",
            "reply_to_id": "4",
            "post_type": "reply",
            "author": "NimbusSupport",
            "is_brand": True,
            "created_at": "2026-10-01T11:30:00Z",
            "text": "Please DM us",
        },
        {
            "post_id": "6",
            "thread_id": "6",
            "platform": "reddit",
            "text": "Nimbus app is great",
            "likes": 4,
            "author_followers": 8,
        },
    )


# ------------------------------------------------------------------ partitions
def test_conversation_keys_group_threads_and_reply_chains():
    keys = conversation_keys(conversations())
    assert keys.tolist() == [
        "twitter/1",
        "twitter/1",
        "twitter/3",
        "twitter/4",
        "twitter/4",
        "reddit/6",
    ]


def test_conversation_keys_separate_platforms_with_the_same_ids():
    posts = make_posts(
        {"post_id": "1", "thread_id": "1"}, {"post_id": "1", "thread_id": "1", "platform": "reddit"}
    )
    assert conversation_keys(posts).tolist() == ["twitter/1", "reddit/1"]


def test_conversation_keys_follow_a_thread_root_that_is_not_loaded():
    posts = make_posts(
        {"post_id": "7", "thread_id": "100", "reply_to_id": "100"},
        {"post_id": "8", "thread_id": "100", "reply_to_id": "55"},
    )
    assert conversation_keys(posts).tolist() == ["twitter/100", "twitter/100"]


def test_conversation_keys_do_not_depend_on_row_order():
    posts = conversations()
    shuffled = posts.sample(frac=1, random_state=3)
    assert conversation_keys(shuffled).sort_index().tolist() == conversation_keys(posts).tolist()


def test_conversation_keys_of_no_posts_is_empty():
    assert conversation_keys(make_posts()).empty


def test_partition_of_is_a_fixed_hash_mod_n():
    keys = pd.Series(["twitter/1", "twitter/2", "twitter/1"])
    parts = partition_of(keys, 4)
    assert parts[0] == parts[2]
    assert ((parts >= 0) & (parts < 4)).all()
    assert partition_of(keys, 1).tolist() == [0, 0, 0]
    expected = (pd.util.hash_array(keys.to_numpy(dtype=object)) % np.uint64(4)).astype(int)
    assert parts.tolist() == expected.tolist()
    with pytest.raises(ValueError):
        partition_of(keys, 0)


def test_n_partitions_for_rounds_up():
    assert n_partitions_for(0, 10) == 1
    assert n_partitions_for(10, 10) == 1
    assert n_partitions_for(11, 10) == 2
    with pytest.raises(ValueError):
        n_partitions_for(5, 0)


def test_write_partitions_keeps_conversations_whole_and_every_row_once(tmp_path):
    posts = conversations()
    (tmp_path / "part-00009.parquet").write_text("stale")
    paths = write_partitions(posts, tmp_path, 3)
    assert paths == [partition_path(tmp_path, n) for n in range(3)]
    assert sorted(p.name for p in tmp_path.iterdir()) == [p.name for p in paths]
    parts = [read_partition(p) for p in paths]
    combined = pd.concat(parts)
    assert sorted(combined["post_id"]) == sorted(posts["post_id"])
    keys = conversation_keys(posts).set_axis(posts["post_id"])
    for part in parts:
        for key in keys[part["post_id"]].unique():
            assert set(keys[keys == key].index) <= set(part["post_id"])


def test_write_atomically_leaves_no_file_when_the_write_fails(tmp_path):
    target = tmp_path / "out.parquet"

    def failing(tmp):
        tmp.write_text("half")
        raise OSError("disk full")

    with pytest.raises(OSError):
        write_atomically(target, failing)
    assert list(tmp_path.iterdir()) == []
    write_atomically(target, lambda tmp: tmp.write_text("whole"), mode=0o600)
    assert target.read_text() == "whole" and oct(os.stat(target).st_mode & 0o777) == "0o600"


# ------------------------------------------------------------------ privacy
def test_redact_and_count_matches_summarise_and_redact():
    texts = ["mail jo@example.com or call +1 415 555 0100", "nothing here", None]
    redacted, counts = redact_and_count(texts)
    assert redacted == [redact(texts[0]), "nothing here", None]
    expected = privacy.summarise(texts).assign(n_scanned=3)
    pd.testing.assert_frame_equal(counts, expected[counts.columns.tolist()])
    assert counts.set_index("entity_type").loc["EMAIL_ADDRESS", "n_texts"] == 1


def test_combine_privacy_sums_counts_and_recomputes_shares():
    _, a = redact_and_count(["jo@example.com and al@example.org", "hi"])
    _, b = redact_and_count(["bo@example.net"])
    combined = combine_privacy([a, b]).set_index("entity_type")
    assert combined.loc["EMAIL_ADDRESS"].tolist() == [3, 2, 3, pytest.approx(2 / 3)]
    assert combined.loc["PHONE_NUMBER", "share_texts"] == 0.0
    whole = privacy.summarise(["jo@example.com and al@example.org", "hi", "bo@example.net"])
    assert combined["share_texts"].tolist() == whole["share_texts"].tolist()


def test_combine_privacy_of_nothing_is_all_zero():
    empty = combine_privacy([])
    assert empty["entity_type"].tolist() == list(ENTITY_TYPES)
    assert (empty[["n_spans", "n_texts", "n_scanned", "share_texts"]] == 0).all().all()


# ------------------------------------------------------------------ topic sample
def test_topic_sample_is_the_same_however_posts_are_partitioned():
    posts = make_posts(
        *[
            {"post_id": str(i), "thread_id": str(i - i % 3), "text": f"post {i} about hubs"}
            for i in range(40)
        ]
    )
    whole, n_corpus = topic_sample_candidates(posts, SETTINGS, 7)
    assert n_corpus == 40
    numbers = partition_posts(posts, 4)
    parts = [topic_sample_candidates(posts[numbers == n], SETTINGS, 7) for n in range(4)]
    pd.testing.assert_frame_equal(choose_sample([p for p, _ in parts], 7), whole)
    assert sum(n for _, n in parts) == 40
    assert len(whole) == 7
    assert whole["sample_key"].is_monotonic_increasing


def test_topic_sample_leaves_out_brand_posts_and_carries_thread_context():
    sample, n_corpus = topic_sample_candidates(conversations(), SETTINGS, 100)
    assert n_corpus == 4  # the customer posts 1, 3, 4 and 6
    assert "2" not in set(sample["post_id"]) and "5" not in set(sample["post_id"])
    assert sample.set_index("post_id").loc["1", "context"] is None


def test_sample_keys_depend_on_platform_and_id_only():
    a = make_posts({"post_id": "1", "text": "x"})
    b = make_posts({"post_id": "1", "text": "y", "author": "u_0000000000000009"})
    c = make_posts({"post_id": "1", "platform": "reddit"})
    assert sample_keys(a)[0] == sample_keys(b)[0] != sample_keys(c)[0]


def test_choose_sample_of_nothing_has_the_columns():
    assert choose_sample([], 5).columns.tolist() == [
        "platform",
        "post_id",
        "sample_key",
        "text",
        "context",
    ]


# ------------------------------------------------------------------ the analysis
class FirstWordTopics:
    """A stand-in topic model: topic = length of the first word (-1 for empty text)."""

    def transform(self, docs, context=None):
        return np.array([len(d.split()[0]) if d.split() else -1 for d in docs])


def test_analyse_posts_adds_every_per_post_column():
    out = analyse_posts(conversations(), SETTINGS, VaderScorer(), FirstWordTopics())
    posts = out["posts"].set_index("post_id")
    assert posts.loc["1", "text_redacted"] == "My hub is offline again, email me at <EMAIL_ADDRESS>"
    assert posts.loc["3", "sentiment"] == "positive" and posts.loc["4", "sentiment"] == "negative"
    assert posts.loc["6", "interactions"] == 4 and posts.loc["6", "applause_rate"] == 0.5
    # topics only for customer posts in the topic corpus; brand posts get <NA>
    assert posts.loc["1", "topic"] == 2 and pd.isna(posts.loc["2", "topic"])
    assert out["privacy"].set_index("entity_type").loc["EMAIL_ADDRESS", "n_texts"] == 1


def test_analyse_posts_finds_brand_replies_with_the_configured_handles():
    responses = analyse_posts(conversations(), SETTINGS, VaderScorer())["responses"].set_index(
        "post_id"
    )
    assert responses.loc["1", "response_id"] == "2" and responses.loc["1", "within_sla"]
    assert responses.loc["4", "response_id"] == "5" and responses.loc["4", "clock_skew"]
    assert not responses.loc["3", "responded"]


@pytest.mark.parametrize("n_partitions", [2, 5])
def test_analysis_per_partition_combines_to_the_analysis_of_all_posts(n_partitions):
    posts = conversations()
    whole = analyse_posts(posts, SETTINGS, VaderScorer(), FirstWordTopics())
    numbers = partition_posts(posts, n_partitions)
    parts = [
        analyse_posts(
            posts[numbers == n].reset_index(drop=True), SETTINGS, VaderScorer(), FirstWordTopics()
        )
        for n in range(n_partitions)
    ]
    key = ["platform", "post_id"]
    combined = pd.concat([p["posts"] for p in parts]).sort_values(key).reset_index(drop=True)
    pd.testing.assert_frame_equal(combined, whole["posts"].sort_values(key).reset_index(drop=True))
    responses = pd.concat([p["responses"] for p in parts]).sort_values(key).reset_index(drop=True)
    pd.testing.assert_frame_equal(
        responses, whole["responses"].sort_values(key).reset_index(drop=True), check_dtype=False
    )
    pd.testing.assert_frame_equal(
        combine_privacy([p["privacy"] for p in parts]), combine_privacy([whole["privacy"]])
    )


def test_settings_from_config_take_the_brand_handles_names_and_sla():
    from toolkit.core.config import load_config

    config = load_config()
    settings = AnalysisSettings.from_config(config)
    assert "nimbussupport" in settings.brand_handles and settings.brand_names[0] == "Nimbus Home"
    assert settings.sla_hours == config.analysis.response_sla_hours


def test_the_configs_detector_is_used_and_built_once_per_process():
    from toolkit.core.config import Privacy
    from toolkit.pipeline.analyse import detector_for

    text = "stuck with ZX9-7781234 again"
    custom = AnalysisSettings((), (), privacy=Privacy(order_patterns=[r"ZX9-\d{7}"]))
    assert redact_and_count([text], detector_for(custom))[0] == ["stuck with <ORDER_NUMBER> again"]
    assert redact_and_count([text], detector_for(SETTINGS))[0] == [text]
    assert detector_for(custom) is detector_for(custom)
    assert detector_for(SETTINGS) is privacy.default_detector()
    posts = analyse_posts(make_posts({"text": text}), custom, VaderScorer())["posts"]
    assert posts["text_redacted"].tolist() == ["stuck with <ORDER_NUMBER> again"]


def test_default_topic_model_follows_the_config():
    from toolkit.analysis.topics.embeddings import AlignedStaticEmbedder, MiniLMEmbedder
    from toolkit.core.config import load_config
    from toolkit.pipeline.engine import default_topic_model

    config = load_config()
    auto = config.model_copy(
        update={"analysis": config.analysis.model_copy(update={"embedding_model": "auto"})}
    )
    small, large = default_topic_model(auto, 100), default_topic_model(auto, 1_000_000)
    assert isinstance(small.embedder, MiniLMEmbedder)
    assert isinstance(large.embedder, AlignedStaticEmbedder)
    assert small.max_docs is None and small.seed == config.analysis.seed
    assert small.min_topic_size == config.analysis.topics.min_topic_size
    assert "Nimbus Home" in small.brand_terms
