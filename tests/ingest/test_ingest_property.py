"""Property: garbage inserted into a valid file never raises and never loses a row."""

import gzip
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from toolkit.core.schema import from_arrow
from toolkit.ingest import ingest_file
from toolkit.ingest.generic import MappingError
from toolkit.ingest.stream import ingest_to_parquet
from toolkit.privacy.pseudonymise import Pseudonymiser

FIXTURES = Path(__file__).parents[1] / "fixtures" / "ingest"
PS = Pseudonymiser(b"property-key", ["NimbusHome"])
SETTINGS = settings(
    max_examples=int(__import__("os").environ.get("INGEST_PROPERTY_EXAMPLES", 40)),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)

damage = st.lists(
    st.tuples(
        st.integers(min_value=0, max_value=10_000),  # where (modulo the file length)
        st.sampled_from(["insert_line", "insert_bytes", "cut"]),
        st.binary(min_size=0, max_size=40),
    ),
    min_size=1,
    max_size=6,
)


def _damaged(data: bytes, edits) -> bytes:
    for where, kind, junk in edits:
        lines = data.split(b"\n")
        if kind == "insert_line":
            lines.insert(where % (len(lines) + 1), junk)
            data = b"\n".join(lines)
        elif kind == "insert_bytes":
            at = where % (len(data) + 1)
            data = data[:at] + junk + data[at:]
        else:  # cut a piece out
            at = where % (len(data) + 1)
            data = data[:at] + data[at + len(junk) + 1 :]
    return data


def _check(path: Path, fmt: str) -> None:
    result = ingest_file(path, format=fmt, pseudonymiser=PS)
    assert result.rows_in == result.n_loaded + result.n_rejected + result.n_duplicates
    assert result.rejects["raw"].map(len).max() <= 2000 if result.n_rejected else True
    assert not result.posts.duplicated(["platform", "post_id"]).any()


@SETTINGS
@given(edits=damage, fmt=st.sampled_from(["auto", "twarc2"]))
def test_twarc2_garbage(tmp_path_factory, edits, fmt):
    path = tmp_path_factory.mktemp("g") / "t.jsonl"
    path.write_bytes(_damaged((FIXTURES / "twitter.jsonl").read_bytes(), edits))
    _check(path, fmt)


@SETTINGS
@given(edits=damage, fmt=st.sampled_from(["reddit", "jsonl"]))
def test_reddit_and_generic_jsonl_garbage(tmp_path_factory, edits, fmt):
    path = tmp_path_factory.mktemp("g") / "r.jsonl"
    path.write_bytes(_damaged((FIXTURES / "reddit.jsonl").read_bytes(), edits))
    if fmt == "jsonl":  # generic: map the Reddit fields by dotted path
        mapping = {
            "post_id": "data.id",
            "created_at": "data.created_utc",
            "author": "data.author",
            "text": "data.body",
        }
        result = ingest_file(
            path, format="jsonl", platform="reddit", mapping=mapping, pseudonymiser=PS
        )
        assert result.rows_in == result.n_loaded + result.n_rejected + result.n_duplicates
    else:
        _check(path, fmt)


@SETTINGS
@given(edits=damage)
def test_mastodon_array_garbage(tmp_path_factory, edits):
    path = tmp_path_factory.mktemp("g") / "m.json"
    path.write_bytes(_damaged((FIXTURES / "mastodon.json").read_bytes(), edits))
    _check(path, "mastodon")


@SETTINGS
@given(edits=damage)
def test_crowdtangle_csv_garbage(tmp_path_factory, edits):
    path = tmp_path_factory.mktemp("g") / "f.csv"
    path.write_bytes(_damaged((FIXTURES / "facebook.csv").read_bytes(), edits))
    try:
        _check(path, "crowdtangle")
    except ValueError as exc:  # the header itself was destroyed: a clear file-level error
        assert "not a CrowdTangle export" in str(exc)


#: Every loader: (fixture, format, ingest_file keyword arguments).
GENERIC_CSV = {
    "platform": "forum",
    "mapping": {"post_id": "id", "created_at": "when", "author": "user", "text": "body",
                "likes": "likes", "hashtags": "tags", "post_type": "kind", "reply_to_id": "parent"},
}  # fmt: skip
GENERIC_JSONL = {
    "mapping": {"post_id": "post.id", "created_at": "post.ts", "author": "user.name",
                "text": "content", "platform": "net"},
}  # fmt: skip
EVERY_LOADER = [
    ("twitter.jsonl", "twarc2", {}),
    ("reddit.jsonl", "reddit", {}),
    ("mastodon.json", "mastodon", {}),
    ("instagram.csv", "crowdtangle", {"platform": "instagram"}),
    ("x_archive/tweets.js", "x_archive", {}),
    ("bluesky.jsonl", "bluesky", {}),
    ("youtube.json", "youtube", {}),
    ("generic.csv", "csv", GENERIC_CSV),
    ("generic.jsonl", "jsonl", GENERIC_JSONL),
]


def _reconciled(result) -> None:
    assert result.rows_in == result.n_loaded + result.n_rejected + result.n_duplicates
    assert not result.posts.duplicated(["platform", "post_id"]).any()


@SETTINGS
@given(
    case=st.sampled_from(EVERY_LOADER),
    edits=damage,
    wrapper=st.sampled_from(["plain", "gzip", "utf-16", "latin-1", "crlf"]),
)
def test_every_loader_survives_damage(tmp_path_factory, case, edits, wrapper):
    name, fmt, kwargs = case
    data = _damaged((FIXTURES / name).read_bytes(), edits)
    data = _wrapped(data, wrapper)
    path = tmp_path_factory.mktemp("g") / Path(name).name
    path.write_bytes(data)
    for chosen in (fmt, "auto"):
        try:
            result = ingest_file(path, format=chosen, pseudonymiser=PS, **kwargs)
        except MappingError:  # the header / first record itself was destroyed: a clear error
            continue
        except ValueError as exc:
            assert "not a CrowdTangle export" in str(exc)
            continue
        _reconciled(result)


@SETTINGS
@given(case=st.sampled_from(EVERY_LOADER), edits=damage, chunk=st.integers(1, 7))
def test_streaming_agrees_with_the_in_memory_path(tmp_path_factory, case, edits, chunk):
    name, fmt, kwargs = case
    folder = tmp_path_factory.mktemp("s")
    path = folder / Path(name).name
    path.write_bytes(_damaged((FIXTURES / name).read_bytes(), edits))
    try:
        result = ingest_file(path, format=fmt, pseudonymiser=PS, **kwargs)
    except (MappingError, ValueError):
        return
    summary = ingest_to_parquet(
        path, folder / "out", format=fmt, pseudonymiser=PS, chunk_rows=chunk, **kwargs
    )
    total = summary["total"]
    assert total["rows_in"] == result.rows_in
    assert total["rows_in"] == total["loaded"] + total["rejected"] + total["duplicates"]
    assert total["rejected"] == result.n_rejected
    streamed = load_posts_file(folder / "out" / "posts.parquet")
    if fmt in ("twarc2", "x_archive"):  # an edit chain split across chunks keeps its first version
        assert (total["loaded"], total["duplicates"]) == (result.n_loaded, result.n_duplicates)
    else:
        pd.testing.assert_frame_equal(streamed, result.posts)


def _wrapped(data: bytes, wrapper: str) -> bytes:
    if wrapper == "gzip":
        return gzip.compress(data)
    if wrapper == "crlf":
        return data.replace(b"\n", b"\r\n")
    text = data.decode("utf-8", errors="replace")
    if wrapper == "utf-16":
        return text.encode("utf-16")
    if wrapper == "latin-1":
        return text.encode("latin-1", errors="replace")
    return data


def load_posts_file(path: Path):
    return from_arrow(pq.read_table(path))
