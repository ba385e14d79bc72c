"""Generic CSV / JSON lines / Parquet loaders with a column mapping."""

import json
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from toolkit.core.schema import to_arrow, validate_posts
from toolkit.ingest import ingest_file
from toolkit.ingest.generic import MappingError, to_list
from toolkit.privacy.pseudonymise import Pseudonymiser

FIXTURES = Path(__file__).parents[1] / "fixtures" / "ingest"
PS = Pseudonymiser(b"test-key", ["NimbusHome"])
CSV_MAPPING = {
    "post_id": "id", "created_at": "when", "author": "user", "text": "body", "likes": "likes",
    "language": "lang", "hashtags": "tags", "post_type": "kind", "reply_to_id": "parent",
}  # fmt: skip
JSONL_MAPPING = {
    "post_id": "post.id", "created_at": "post.ts", "author": "user.name", "text": "content",
    "platform": "net", "author_name": "user.display", "author_id": "user.id",
}  # fmt: skip


@pytest.fixture(scope="module")
def csv_result():
    return ingest_file(
        FIXTURES / "generic.csv", platform="forum", mapping=CSV_MAPPING, pseudonymiser=PS
    )


def test_csv_reconciliation(csv_result):
    assert csv_result.format == "csv"
    assert (
        csv_result.rows_in,
        csv_result.n_loaded,
        csv_result.n_rejected,
        csv_result.n_duplicates,
    ) == (9, 4, 4, 1)
    assert csv_result.rejects_by_reason == {
        "bad_post_type:retweeted-ish": 1,
        "bad_timestamp": 1,
        "missing_field:post_id": 1,
        "wrong_field_count": 1,
    }
    validate_posts(csv_result.posts)


def test_csv_rows(csv_result):
    posts = csv_result.posts.set_index("post_id")
    assert list(posts.index) == ["g1", "g2", "g3", "g4"]
    assert set(posts["platform"]) == {"forum"}
    assert list(posts["created_at"]) == [
        pd.Timestamp("2026-09-05T12:00:00Z"),  # ISO Z
        pd.Timestamp("2026-09-05T13:30:00Z"),  # epoch seconds
        pd.Timestamp("2026-09-06T09:00:00Z"),  # epoch milliseconds
        pd.Timestamp("2026-09-06T10:00:00Z"),  # naive = UTC
    ]
    assert list(posts["post_type"]) == [
        "post",
        "reply",
        "reply",
        "post",
    ]  # g3: reply inferred from parent
    assert posts.loc["g2", "reply_to_author"] == "NimbusHome"
    assert list(posts.loc["g3", "hashtags"]) == ["outage", "nimbus"]
    assert list(posts.loc["g2", "mentions"]) == ["NimbusHome"]  # not mapped: from the text
    assert posts.loc["g3", "text"] == 'Same here, "offline" since noon'
    assert pd.isna(posts.loc["g3", "likes"]) and posts.loc["g1", "likes"] == 10
    assert posts.loc["g1", "is_brand"] and posts.loc["g2", "author"] == PS.pseudonym("dana_k")
    assert posts.loc["g4", "language"] is None


def test_jsonl_dotted_paths(tmp_path):
    result = ingest_file(FIXTURES / "generic.jsonl", mapping=JSONL_MAPPING, pseudonymiser=PS)
    assert result.format == "jsonl"
    assert (result.rows_in, result.n_loaded, result.n_rejected) == (5, 2, 3)
    assert result.rejects_by_reason == {
        "bad_record:not_an_object": 1,
        "missing_field:created_at": 1,
        "missing_field:text": 1,
    }
    first = result.posts.iloc[0]
    assert (first["post_id"], first["platform"]) == ("501", "forum")
    assert (
        first["text"]
        == f"Loving my Nimbus bulbs @{PS.pseudonym('sam_r')} https://nimbushome.example/bulbs."
    )
    assert list(first["urls"]) == ["https://nimbushome.example/bulbs"]
    assert result.identifiers.to_dict() == {
        "handles": ["dana_k", "sam_r"],
        "display_names": ["Dana Kim"],
        "user_ids": ["77"],
    }


def test_parquet_in_batches_and_round_trip(tmp_path, csv_result):
    path = tmp_path / "posts.parquet"
    pq.write_table(to_arrow(csv_result.posts), path, row_group_size=2)
    again = ingest_file(path, pseudonymiser=PS)  # no mapping: canonical names
    assert again.format == "parquet"
    assert again.n_loaded == 4 and again.n_rejected == 0
    columns = [
        "platform",
        "post_id",
        "post_type",
        "reply_to_id",
        "created_at",
        "author",
        "is_brand",
        "text",
        "likes",
    ]
    pd.testing.assert_frame_equal(
        again.posts[columns], csv_result.posts[columns]
    )  # pseudonyms are not re-hashed
    assert list(again.posts["hashtags"].map(list)) == list(csv_result.posts["hashtags"].map(list))


def test_parquet_with_typed_timestamps(tmp_path):
    table = pa.table(
        {
            "pid": pa.array([1, 2], pa.int64()),
            "ts": pa.array([pd.Timestamp("2026-09-01T12:00Z"), None], pa.timestamp("ms", tz="UTC")),
            "who": ["dana_k", "sam_r"],
            "msg": ["a", "b"],
        }
    )
    path = tmp_path / "typed.parquet"
    pq.write_table(table, path)
    result = ingest_file(
        path,
        platform="forum",
        mapping={"post_id": "pid", "created_at": "ts", "author": "who", "text": "msg"},
        pseudonymiser=PS,
    )
    assert list(result.posts["post_id"]) == ["1"]
    assert result.posts.iloc[0]["created_at"] == pd.Timestamp("2026-09-01T12:00Z")
    assert result.rejects_by_reason == {"missing_field:created_at": 1}


def test_mapping_errors_name_the_problem(tmp_path):
    with pytest.raises(MappingError, match="platform"):
        ingest_file(FIXTURES / "generic.csv", mapping=CSV_MAPPING, pseudonymiser=PS)
    with pytest.raises(MappingError, match="nope"):
        ingest_file(
            FIXTURES / "generic.csv",
            platform="x",
            mapping={**CSV_MAPPING, "text": "nope"},
            pseudonymiser=PS,
        )
    with pytest.raises(MappingError, match="unknown canonical"):
        ingest_file(
            FIXTURES / "generic.csv",
            platform="x",
            mapping={**CSV_MAPPING, "colour": "id"},
            pseudonymiser=PS,
        )
    with pytest.raises(MappingError, match="text"):
        ingest_file(
            FIXTURES / "generic.csv",
            platform="x",
            mapping={"post_id": "id", "created_at": "when", "author": "user"},
            pseudonymiser=PS,
        )


def test_timestamp_format_from_config(tmp_path):
    path = tmp_path / "dates.csv"
    path.write_text("id,d,u,t\n1,01/09/2026 12:00,a,x\n")
    mapping = {"post_id": "id", "created_at": "d", "author": "u", "text": "t"}
    result = ingest_file(
        path, platform="forum", mapping=mapping, timestamp_format="%d/%m/%Y %H:%M", pseudonymiser=PS
    )
    assert result.posts.iloc[0]["created_at"] == pd.Timestamp("2026-09-01T12:00Z")


def test_empty_and_header_only_files(tmp_path):
    for name, content in (
        ("empty.csv", ""),
        ("header.csv", "id,when,user,body\n"),
        ("empty.jsonl", ""),
        ("blank.jsonl", "\n\n"),
    ):
        path = tmp_path / name
        path.write_text(content)
        result = ingest_file(
            path,
            platform="x",
            mapping={"post_id": "id", "created_at": "when", "author": "user", "text": "body"},
            pseudonymiser=PS,
        )
        assert (result.rows_in, result.n_loaded, result.n_rejected) == (0, 0, 0), name
        validate_posts(result.posts)


@pytest.mark.parametrize(
    "value, expected",
    [
        (None, []),
        (["a", None, " b "], ["a", "b"]),
        ('["x", "y"]', ["x", "y"]),
        ("#a, #b c", ["#a", "#b", "c"]),
        ("", []),
    ],
)
def test_to_list(value, expected):
    assert to_list(value) == expected


def test_json_array_of_objects(tmp_path):
    path = tmp_path / "arr.json"
    path.write_text(
        json.dumps([{"id": 1, "ts": "2026-09-01T00:00:00Z", "u": "a", "t": "x", "p": "forum"}])
    )
    result = ingest_file(
        path,
        mapping={"post_id": "id", "created_at": "ts", "author": "u", "text": "t", "platform": "p"},
        pseudonymiser=PS,
    )
    assert result.format == "jsonl" and result.n_loaded == 1
