"""A fitted topic model on disk: BERTopic's safetensors files, the toolkit's summary and centroids.

`TopicModel.save` and `TopicModel.load` read and write through these two functions. No post
text is written.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

#: The toolkit's summary: status, parameters, counts and the topic table.
SUMMARY_FILE = "toolkit_topics.json"
#: Topic centroids and the centring offset, what `transform` needs.
CENTROIDS_FILE = "toolkit_centroids.safetensors"


def write_topic_files(
    path,
    summary: dict,
    centroids: dict[int, np.ndarray] | None,
    offset: np.ndarray | None,
    bertopic=None,
    embedding_model: str | bool = False,
    embedding_map: tuple[np.ndarray, np.ndarray] | None = None,
) -> Path:
    """Write a fitted model to folder `path` (created if needed).

    Parameters
    ----------
    summary : dict
        JSON-ready summary, written as `SUMMARY_FILE`.
    centroids : dict of topic id -> vector, optional
        Written with `offset` (when not None) as `CENTROIDS_FILE`.
    bertopic : BERTopic, optional
        Saved as safetensors with its c-TF-IDF, pointing at `embedding_model` (the local
        embedding model folder, or False), so `BERTopic.load(path)` works offline here.
    embedding_map : (weight, bias), optional
        The embedder's map fitted on the corpus (`AlignedStaticEmbedder`), saved beside the
        centroids: `transform` must embed new posts the same way.
    """
    path = Path(path)
    path.mkdir(parents=True, exist_ok=True)
    if bertopic is not None:
        bertopic.save(
            path,
            serialization="safetensors",
            save_ctfidf=True,
            save_embedding_model=embedding_model,
        )
    (path / SUMMARY_FILE).write_text(json.dumps(summary, indent=2), encoding="utf-8")
    tensors = {}
    if centroids:
        ids = np.array(sorted(centroids), dtype=int)
        matrix = np.stack([centroids[t] for t in ids])
        tensors = {"topic_ids": ids.astype(np.int64), "centroids": matrix.astype(np.float32)}
        if offset is not None:
            tensors["offset"] = np.asarray(offset, dtype=np.float32)
    if embedding_map is not None:  # also without centroids: the embedder's name depends on it
        tensors["embedding_map_weight"] = np.asarray(embedding_map[0], dtype=np.float32)
        tensors["embedding_map_bias"] = np.asarray(embedding_map[1], dtype=np.float32)
    if tensors:
        from safetensors.numpy import save_file

        save_file(tensors, str(path / CENTROIDS_FILE))
    return path


def read_topic_files(path) -> tuple[dict, dict | None, np.ndarray | None, tuple | None]:
    """The summary, centroids (None when none were saved), offset and embedding map (None
    when the embedder had none) that `write_topic_files` wrote."""
    path = Path(path)
    summary = json.loads((path / SUMMARY_FILE).read_text(encoding="utf-8"))
    centroids = offset = embedding_map = None
    centroid_file = path / CENTROIDS_FILE
    if centroid_file.is_file():
        from safetensors.numpy import load_file

        tensors = load_file(str(centroid_file))
        if "topic_ids" in tensors:
            centroids = dict(zip(tensors["topic_ids"].tolist(), tensors["centroids"], strict=True))
        offset = tensors.get("offset")
        if "embedding_map_weight" in tensors:
            embedding_map = tensors["embedding_map_weight"], tensors["embedding_map_bias"]
    return summary, centroids, offset, embedding_map
