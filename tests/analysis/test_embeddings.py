"""Tests for toolkit.analysis.topics.embeddings: the on-disk cache (fast, fake embedder) and MiniLM (slow)."""

from __future__ import annotations

import hashlib

import numpy as np
import pytest
from helpers import FakeEmbedder, fake_vector

from toolkit.analysis.topics.embeddings import (
    OFFLINE_ENV,
    EmbeddingCache,
    MiniLMEmbedder,
    force_offline,
    unit_rows,
)


def test_unit_rows_scale_each_row_and_keep_zero_rows():
    rows = unit_rows(np.array([[3.0, 4.0], [0.0, 0.0]]))
    assert rows.tolist() == [[0.6, 0.8], [0.0, 0.0]]


# ------------------------------------------------------------------ EmbeddingCache


def test_cache_key_is_sha256_of_model_name_and_text(tmp_path):
    cache = EmbeddingCache(tmp_path, FakeEmbedder())
    expected = hashlib.sha256(b"fake/hash-embedder\x00hello").hexdigest()
    assert cache.key("hello") == expected
    assert cache.key("hello") != cache.key("hello ")


def test_cache_embeds_only_missing_texts_and_keeps_input_order(tmp_path):
    embedder = FakeEmbedder()
    cache = EmbeddingCache(tmp_path, embedder)
    first = cache.encode(["a", "b"])
    second = cache.encode(["c", "b", "a", "c"])
    assert embedder.calls == [["a", "b"], ["c"]]  # "c" once although asked twice
    np.testing.assert_array_equal(first, np.stack([fake_vector("a"), fake_vector("b")]))
    np.testing.assert_array_equal(second, np.stack([fake_vector(t) for t in ["c", "b", "a", "c"]]))
    assert second.dtype == np.float32
    assert len(cache) == 3


def test_cache_persists_across_instances_without_re_embedding(tmp_path):
    EmbeddingCache(tmp_path, FakeEmbedder()).encode(["x", "y"])
    embedder = FakeEmbedder()
    again = EmbeddingCache(tmp_path, embedder).encode(["y", "x"])
    assert embedder.calls == []
    np.testing.assert_array_equal(again, np.stack([fake_vector("y"), fake_vector("x")]))


def test_cache_sees_chunks_written_by_another_instance(tmp_path):
    reader_embedder = FakeEmbedder()
    reader = EmbeddingCache(tmp_path, reader_embedder)
    reader.encode(["one"])
    EmbeddingCache(tmp_path, FakeEmbedder()).encode(["two"])  # another writer
    reader.encode(["one", "two"])
    assert reader_embedder.calls == [["one"]]


def test_cache_writes_one_chunk_per_call_with_new_texts_and_no_temp_files(tmp_path):
    cache = EmbeddingCache(tmp_path, FakeEmbedder())
    cache.encode(["a"])
    cache.encode(["a"])  # nothing new: no chunk
    cache.encode(["b", "c"])
    files = sorted(p.name for p in cache.model_folder.iterdir())
    assert len([f for f in files if f.endswith(".npy")]) == 2
    assert len([f for f in files if f.endswith(".parquet")]) == 2
    assert not [f for f in files if f.startswith(".tmp")]


def test_cache_never_stores_the_texts(tmp_path):
    EmbeddingCache(tmp_path, FakeEmbedder()).encode(["my email is private-secret-text"])
    for path in tmp_path.rglob("*"):
        if path.is_file():
            assert b"private-secret-text" not in path.read_bytes()


def test_cache_separates_models(tmp_path):
    class Other(FakeEmbedder):
        name = "other/model"

    a = EmbeddingCache(tmp_path, FakeEmbedder())
    b = EmbeddingCache(tmp_path, Other())
    a.encode(["t"])
    b.encode(["t"])
    assert a.model_folder != b.model_folder
    assert b.embedder.calls == [["t"]]


def test_cache_of_empty_input_is_empty_array(tmp_path):
    embedder = FakeEmbedder()
    out = EmbeddingCache(tmp_path, embedder).encode([])
    assert out.shape == (0, 8)
    assert embedder.calls == []


def test_cache_rejects_inconsistent_chunk(tmp_path):
    cache = EmbeddingCache(tmp_path, FakeEmbedder())
    cache.encode(["a", "b"])
    npy = next(cache.model_folder.glob("part-*.npy"))
    np.save(npy, np.zeros((1, 8), dtype=np.float32))
    with pytest.raises(ValueError, match="inconsistent"):
        EmbeddingCache(tmp_path, FakeEmbedder()).encode(["a"])


def test_cache_rejects_embedder_with_wrong_shape(tmp_path):
    class Broken(FakeEmbedder):
        def encode(self, texts):
            return np.zeros((len(texts), 3), dtype=np.float32)

    with pytest.raises(ValueError, match="shape"):
        EmbeddingCache(tmp_path, Broken()).encode(["a"])


# ------------------------------------------------------------------ MiniLMEmbedder


def test_force_offline_sets_switches(monkeypatch):
    for name in OFFLINE_ENV:
        monkeypatch.delenv(name, raising=False)
    force_offline()
    import os

    assert all(os.environ[name] == "1" for name in OFFLINE_ENV)


def test_embedder_rejects_bad_parameters():
    with pytest.raises(ValueError):
        MiniLMEmbedder(batch_size=0)


def test_embedder_empty_input_does_not_load_the_model():
    embedder = MiniLMEmbedder()
    assert embedder.encode([]).shape == (0, 384)
    assert embedder._model is None


@pytest.fixture(scope="module")
def minilm():
    return MiniLMEmbedder(batch_size=16)


@pytest.mark.slow
def test_minilm_vectors_are_unit_float32_and_meaningful(minilm):
    texts = [
        "my smart bulb keeps dropping off the wifi",
        "the bulb disconnects from my wifi",
        "refund please",
    ]
    vectors = minilm.encode(texts)
    assert vectors.shape == (3, 384) and vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert vectors[0] @ vectors[1] > vectors[0] @ vectors[2] + 0.2


@pytest.mark.slow
def test_minilm_vector_does_not_depend_on_input_order(minilm):
    texts = [
        "b text here",
        "a text",
        "c much longer text than the others, with more tokens",
        "a text",
    ]
    forward = minilm.encode(texts)
    backward = minilm.encode(texts[::-1])
    np.testing.assert_array_equal(forward, backward[::-1])
    np.testing.assert_array_equal(forward[1], forward[3])


@pytest.mark.slow
def test_minilm_through_cache_equals_direct(minilm, tmp_path):
    texts = ["the app crashes", "where is my parcel"]
    np.testing.assert_array_equal(
        EmbeddingCache(tmp_path, minilm).encode(texts), minilm.encode(texts)
    )


# ------------------------------------------------------------------ StaticEmbedder


@pytest.fixture(scope="module")
def static_embedder():
    from toolkit.analysis.topics.embeddings import StaticEmbedder, build_static_model

    build_static_model()  # once per machine (~1 minute), then reused from models/
    return StaticEmbedder()


@pytest.mark.slow
def test_static_embedder_gives_unit_vectors_of_its_dimension(static_embedder):
    vectors = static_embedder.encode(["my router keeps dropping wifi", "refund me now", "🙂"])
    assert vectors.shape == (3, static_embedder.dim) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors[:2], axis=1), 1.0, atol=1e-5)
    assert np.linalg.norm(vectors[2]) in (0.0, pytest.approx(1.0, abs=1e-5))


@pytest.mark.slow
def test_static_embedder_keeps_meaning_close(static_embedder):
    a, b, c = static_embedder.encode(
        [
            "the wifi router drops the connection",
            "my router loses its wifi connection",
            "I love the new colour of the lamp",
        ]
    )
    assert a @ b > a @ c + 0.1


@pytest.mark.slow
def test_static_embedder_is_deterministic_and_order_free(static_embedder):
    texts = ["refund still not here", "camera offline again", "great support, thanks"]
    forward = static_embedder.encode(texts)
    backward = static_embedder.encode(texts[::-1])[::-1]
    assert np.array_equal(forward, backward)


def test_static_embedder_of_nothing_is_empty(tmp_path):
    from toolkit.analysis.topics.embeddings import StaticEmbedder

    assert StaticEmbedder(model_path=tmp_path).encode([]).shape == (0, 256)


def test_static_embedder_with_missing_explicit_folder_says_so(tmp_path):
    from toolkit.analysis.topics.embeddings import StaticEmbedder

    with pytest.raises(FileNotFoundError, match="no model2vec model"):
        StaticEmbedder(model_path=tmp_path / "nowhere").encode(["x"])


def test_auto_embedding_is_minilm_for_small_corpora_and_static_for_large():
    from toolkit.analysis.topics.embeddings import AUTO_STATIC_ABOVE, choose_embedding

    assert choose_embedding("auto", 4_000) == "minilm"
    assert choose_embedding("auto", AUTO_STATIC_ABOVE) == "minilm"
    assert choose_embedding("auto", AUTO_STATIC_ABOVE + 1) == "static"
    assert choose_embedding("minilm", 10**6) == "minilm"
    assert choose_embedding("static", 10) == "static"


def test_static_embedding_drops_function_words_but_keeps_negations_and_meaning():
    from toolkit.analysis.topics.embeddings import content_words

    assert content_words("My router is DOWN again, isn't it?") == "router down again , isn't ?"
    assert content_words("not working, never again") == "not working , never again"
    assert content_words("the and") == "the and"  # nothing would be left: kept whole
