"""Property: garbage inserted into a valid file never raises and never loses a row."""

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from toolkit.ingest import ingest_file
from toolkit.pseudonymise import Pseudonymiser

FIXTURES = Path(__file__).parent / "fixtures" / "ingest"
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
