"""Tests for AlignedStaticEmbedder: the static model mapped into MiniLM's space per corpus."""

from __future__ import annotations

import numpy as np
import pytest
from helpers import FakeEmbedder, fake_vector

from toolkit.analysis.topics.embeddings import (
    AlignedStaticEmbedder,
    EmbeddingCache,
    MiniLMEmbedder,
    StaticEmbedder,
    embedder_for_saved,
    make_embedder,
    unloaded_copy,
)
from toolkit.analysis.topics.model import TopicModel

RNG = np.random.default_rng(7)
#: The fake teacher is a known affine function of the fake static vectors.
MAP = RNG.normal(size=(8, 5)).astype(np.float32)
SHIFT = RNG.normal(size=5).astype(np.float32)


class FakeStatic(FakeEmbedder):
    """8-dim hash vectors; the empty text has no known word (zero vector)."""

    name = "fake/static"
    path = "/nowhere/static"

    def encode(self, texts):
        texts = list(texts)
        self.calls.append(texts)
        rows = [np.zeros(8) if t == "" else fake_vector(t) for t in texts]
        return np.array(rows, dtype=np.float32).reshape(-1, 8)


class FakeTeacher:
    name = "fake/teacher-model"
    dim = 5

    def __init__(self):
        self.calls: list[list[str]] = []

    def encode(self, texts):
        texts = list(texts)
        self.calls.append(texts)
        x = np.array([fake_vector(t) for t in texts], dtype=np.float32).reshape(-1, 8)
        return x @ MAP + SHIFT


def unit(v):
    return v / np.linalg.norm(v, axis=1, keepdims=True)


def aligned(**kwargs):
    return AlignedStaticEmbedder(FakeStatic(), FakeTeacher(), **{"alpha": 1e-6, **kwargs})


WORDS = "wifi router signal refund money order parcel courier driver app update screen".split()


def distinct_posts(n: int) -> list[str]:
    """`n` distinct posts of three words each (numbers would be cleaned away)."""
    return [" ".join(WORDS[(i // 12**k) % 12] for k in range(3)) for i in range(n)]


TEXTS = [f"post number {i} about topic {i % 7}" for i in range(300)]


def test_the_map_learns_the_teacher_and_applies_to_texts_it_never_saw():
    embedder = aligned(n_align=100).fit(TEXTS)
    unseen = ["a post nobody wrote before", "another new one", "refund please"]
    expected = unit(FakeTeacher().encode(unseen))
    vectors = embedder.encode(unseen)
    assert vectors.shape == (3, 5) and vectors.dtype == np.float32
    np.testing.assert_allclose(vectors, expected, atol=1e-3)


def test_only_the_alignment_sample_goes_through_the_teacher():
    embedder = aligned(n_align=50)
    embedder.fit(TEXTS + TEXTS[:10] + [""])  # duplicates and empty texts are dropped
    assert len(embedder.teacher.calls) == 1 and len(embedder.teacher.calls[0]) == 50
    assert len(set(embedder.teacher.calls[0])) == 50
    embedder.encode(TEXTS)
    assert len(embedder.teacher.calls) == 1  # encoding never calls the teacher


def test_the_map_depends_on_the_corpus_not_on_its_order():
    forward = aligned(n_align=40).fit(TEXTS)
    backward = aligned(n_align=40).fit(TEXTS[::-1])
    np.testing.assert_array_equal(forward.weight_, backward.weight_)
    assert forward.name == backward.name
    other_seed = aligned(n_align=40, seed=1).fit(TEXTS)
    assert other_seed.name != forward.name


def test_the_name_carries_a_digest_of_the_map_so_caches_keep_maps_apart(tmp_path):
    first = aligned().fit(TEXTS[:100])
    second = aligned().fit(TEXTS[100:])
    assert first.name.startswith("fake/static+aligned-to-teacher-model-")
    assert first.name != second.name
    cache_one, cache_two = EmbeddingCache(tmp_path, first), EmbeddingCache(tmp_path, second)
    assert cache_one.key("x") != cache_two.key("x")
    assert cache_one.model_folder != cache_two.model_folder


def test_a_text_with_no_known_word_gets_a_zero_vector():
    vectors = aligned().fit(TEXTS).encode(["", "known words"])
    assert not vectors[0].any()
    assert np.linalg.norm(vectors[1]) == pytest.approx(1.0, abs=1e-5)


def test_it_must_be_fitted_on_some_text_before_it_encodes():
    with pytest.raises(RuntimeError, match="fit the alignment first"):
        aligned().encode(["x"])
    with pytest.raises(ValueError, match="no text to align"):
        aligned().fit(["", ""])
    with pytest.raises(ValueError, match="n_align"):
        AlignedStaticEmbedder(FakeStatic(), FakeTeacher(), n_align=0)


def test_a_map_of_the_wrong_shape_is_refused():
    with pytest.raises(ValueError, match="does not take 8 to 5 dimensions"):
        aligned().set_map(np.zeros((5, 8)), np.zeros(5))


def test_an_unloaded_copy_keeps_the_map_and_drops_the_models():
    embedder = AlignedStaticEmbedder(StaticEmbedder(), MiniLMEmbedder())
    embedder.set_map(np.ones((256, 384)), np.zeros(384))
    embedder.static._model = embedder.teacher._model = object()  # as if loaded
    light = unloaded_copy(embedder)
    assert light.static._model is None and light.teacher._model is None
    assert light.name == embedder.name
    assert embedder.static._model is not None  # the original is untouched


def test_topic_model_fits_the_map_and_a_saved_model_assigns_like_the_fitted_one(tmp_path):
    docs = distinct_posts(120)
    embedder = aligned(n_align=30)
    model = TopicModel(embedder=embedder, min_topic_size=10).fit(docs)
    assert embedder.weight_ is not None
    path = model.save(tmp_path / "model")
    loaded = TopicModel.load(path, embedder=aligned())
    np.testing.assert_array_equal(loaded._base_embedder().weight_, embedder.weight_)
    new = ["wifi router problem again", "refund money", "something else"]
    assert loaded.transform(new).tolist() == model.transform(new).tolist()


def test_loading_with_another_map_is_refused(tmp_path):
    model = TopicModel(embedder=aligned(), min_topic_size=10).fit(distinct_posts(120))
    assert model._base_embedder().weight_ is not None
    path = model.save(tmp_path / "model")
    other = aligned().fit(["different", "texts"])
    with pytest.raises(ValueError, match="topics were fitted with"):
        TopicModel.load(path, cache=EmbeddingCache(tmp_path / "c", _Frozen(other)))


class _Frozen:
    """An embedder whose map cannot be replaced (a cache over someone else's model)."""

    def __init__(self, inner):
        self.name, self.dim, self.encode = inner.name, inner.dim, inner.encode


def test_make_embedder_gives_the_aligned_model_for_static_and_the_plain_one_on_request():
    static = make_embedder("static", threads=2)
    assert isinstance(static, AlignedStaticEmbedder) and static.teacher.threads == 2
    assert isinstance(make_embedder("static-unaligned"), StaticEmbedder)
    with pytest.raises(ValueError, match="unknown embedding model 'glove'"):
        make_embedder("glove")
    assert isinstance(embedder_for_saved(static.name), AlignedStaticEmbedder)
    assert isinstance(embedder_for_saved(StaticEmbedder.name), StaticEmbedder)
    assert isinstance(embedder_for_saved(MiniLMEmbedder.name), MiniLMEmbedder)


@pytest.mark.slow
def test_real_aligned_vectors_of_unseen_posts_point_where_minilm_s_do():
    from toolkit.analysis.topics.embeddings import build_static_model

    build_static_model()
    train = [f"{a} {b}" for a in SUBJECTS for b in SUBJECTS if a != b] + SUBJECTS
    embedder = AlignedStaticEmbedder(n_align=500).fit(train)
    unseen = [
        "the wifi keeps dropping every evening",
        "still waiting for my refund after three weeks",
        "the delivery driver left the parcel in the rain",
        "love the new update, the app is so fast now",
    ]
    mapped, teacher = embedder.encode(unseen), embedder.teacher.encode(unseen)
    own = np.sum(mapped * teacher, axis=1)
    best = (mapped @ teacher.T).argmax(axis=1)
    assert best.tolist() == [0, 1, 2, 3]  # each post is nearest its own MiniLM vector
    assert own.min() > 0.5


SUBJECTS = [
    "my router drops the wifi connection",
    "the internet is down again",
    "I want my money back",
    "refund still not processed",
    "parcel never arrived",
    "courier lost my package",
    "great app update",
    "the new version is really fast",
    "customer service was rude",
    "the agent hung up on me",
    "price went up again",
    "too expensive for what it is",
]


def test_a_fitted_map_is_saved_even_when_no_topic_has_a_centroid(tmp_path):
    from toolkit.analysis.topics.storage import read_topic_files, write_topic_files

    embedder = aligned().fit(TEXTS)
    path = write_topic_files(
        tmp_path / "m", {"params": {}}, None, None, embedding_map=(embedder.weight_, embedder.bias_)
    )
    _, centroids, offset, embedding_map = read_topic_files(path)
    assert centroids is None and offset is None
    np.testing.assert_array_equal(embedding_map[0], embedder.weight_)
    reloaded = aligned()
    reloaded.set_map(*embedding_map)
    assert reloaded.name == embedder.name
