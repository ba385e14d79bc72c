"""Arrow's CSV reader reads generic CSV files exactly as the Python `csv` reader does."""

import gzip

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from toolkit.ingest.arrow_csv import ArrowCsvReader, ArrowCsvRows, arrow_csv_columns
from toolkit.ingest.base import Collector
from toolkit.ingest.generic import read_csv, read_csv_rows
from toolkit.ingest.identities import Identities
from toolkit.privacy.pseudonymise import Pseudonymiser

PS = Pseudonymiser(b"test-key", ["NimbusHome"])
HEADER = "platform,post_id,created_at,author,text,likes\n"
ROW = "twitter,{i},2026-09-05T12:00:00Z,user_{i},post number {i},{i}\n"


def _rows(numbers) -> str:
    return "".join(ROW.format(i=i) for i in numbers)


def _read(path, python_only: bool):
    """(posts, rejects) of one CSV file read by `read_csv`, or by the Python reader alone."""
    out = Collector(path.name)
    identities = Identities(PS)
    if python_only:
        read_csv_rows(path, identities, out, None, None, after=0)
    else:
        read_csv(path, identities, out)
    posts, duplicates = out.posts()
    return posts, out.rejects(), duplicates


def _assert_same_as_python(path):
    posts, rejects, duplicates = _read(path, python_only=False)
    expected_posts, expected_rejects, expected_duplicates = _read(path, python_only=True)
    pd.testing.assert_frame_equal(posts, expected_posts)
    pd.testing.assert_frame_equal(rejects, expected_rejects)
    assert duplicates == expected_duplicates
    return posts, rejects


def _write(tmp_path, text: str, name: str = "posts.csv", encoding: str = "utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def test_a_clean_file_is_read_by_arrow_alone(tmp_path):
    path = _write(tmp_path, HEADER + _rows(range(1, 301)))
    reader = ArrowCsvReader(path, batch_rows=100, block_bytes=4096)
    batches = list(reader)
    assert reader.complete and reader.rows == 300
    sizes = [batch.num_rows for batch in batches]
    assert len(sizes) > 1 and sum(sizes) == 300
    assert all(size >= 100 for size in sizes[:-1])  # 4 KB blocks grouped to >= batch_rows
    posts, rejects = _assert_same_as_python(path)
    assert list(posts["post_id"][:3]) == ["1", "2", "3"] and len(posts) == 300
    assert rejects.empty


def test_whitespace_only_lines_do_not_stop_arrow(tmp_path):
    path = _write(tmp_path, HEADER + _rows([1]) + "  \t \n" + '""\n' + _rows([2]))
    reader = ArrowCsvReader(path)
    assert sum(batch.num_rows for batch in reader) == 2 and reader.complete
    posts, _ = _assert_same_as_python(path)
    assert list(posts["post_id"]) == ["1", "2"]


def test_a_ragged_row_hands_the_rest_to_the_python_reader(tmp_path):
    text = HEADER + _rows(range(1, 201)) + "twitter,x,short row\n" + _rows(range(201, 301))
    path = _write(tmp_path, text)
    reader = ArrowCsvReader(path, batch_rows=50, block_bytes=2048)
    given_rows = sum(batch.num_rows for batch in reader)
    assert not reader.complete and 0 < given_rows < 200 and reader.rows == given_rows
    posts, rejects = _assert_same_as_python(path)
    assert len(posts) == 300
    assert list(rejects["reason"]) == ["wrong_field_count"]
    assert list(rejects["source_line"]) == [201]  # data rows are numbered across both readers


@pytest.mark.parametrize(
    "text",
    [
        HEADER + "twitter,1,2026-09-05T12:00:00Z,a,b,1,,\n",  # extra empty fields: tolerated
        HEADER + "   \n" + _rows([1]) + '""\n' + _rows([2]),  # whitespace-only lines: skipped
        "\n\n" + HEADER + "\r\n" + _rows([1, 2]),  # blank lines before the header and after it
        HEADER + 'twitter,1,2026-09-05T12:00:00Z,a,"two\nlines, a ""quote""",1\n',
        HEADER.replace("text", " text ") + _rows([1]),  # a padded header name
        HEADER.rstrip("\n") + ",text\n" + _rows([1]).rstrip("\n") + ",second\n",  # duplicate name
        HEADER + 'twitter,1,2026-09-05T12:00:00Z,a,"never closed,1\n' + _rows([2]),
        HEADER + "twitter,1,2026-09-05T12:00:00Z,a, ,1\n",  # a blank required field: a reject
        HEADER + _rows([1, 1, 2]),  # a duplicate
        "\ufeff" + HEADER + _rows([1]),  # a byte-order mark
        HEADER + _rows([1]).rstrip("\n"),  # no newline at the end
        "post_id,text\n1,only two columns\n",  # required columns missing: MappingError
    ],
)
def test_edge_cases_read_as_the_python_reader_reads_them(tmp_path, text):
    path = _write(tmp_path, text)
    try:
        _assert_same_as_python(path)
    except Exception as exc:  # the same error from both, then
        with pytest.raises(type(exc)):
            _read(path, python_only=True)


def test_a_field_above_the_csv_limit_is_left_to_the_python_reader(tmp_path):
    huge = "x" * 200_000
    path = _write(tmp_path, HEADER + _rows([1]) + ROW.format(i=2).replace("post number 2", huge))
    posts, rejects = _assert_same_as_python(path)
    assert list(posts["post_id"]) == ["1"]
    assert list(rejects["reason"]) == ["bad_csv"]


def test_files_that_are_not_utf8_or_have_one_column_are_not_for_arrow(tmp_path):
    latin = _write(tmp_path, HEADER + _rows([1]).replace("post", "café"), "l.csv", "latin-1")
    assert ArrowCsvReader(latin).header is None
    _assert_same_as_python(latin)
    one_column = _write(tmp_path, "text\nhello\n   \n", "one.csv")
    assert ArrowCsvReader(one_column).header is None
    assert ArrowCsvReader(_write(tmp_path, "", "empty.csv")).header is None


def test_gzip_and_a_cut_off_gzip(tmp_path):
    data = (HEADER + _rows(range(1, 2001))).encode()
    whole = tmp_path / "whole.csv.gz"
    whole.write_bytes(gzip.compress(data))
    posts, _ = _assert_same_as_python(whole)
    assert len(posts) == 2000
    cut = tmp_path / "cut.csv.gz"
    cut.write_bytes(gzip.compress(data)[:4000])
    posts, rejects = _assert_same_as_python(cut)
    assert "corrupt_gzip" in set(rejects["reason"])


def test_columns_make_blank_cells_null(tmp_path):
    path = _write(tmp_path, "a,b\nx, \n\t,y\n")
    batch = next(iter(ArrowCsvReader(path)))
    columns = arrow_csv_columns(ArrowCsvRows(batch), {"first": 0, "second": 1})
    assert columns == {"first": ["x", None], "second": [None, "y"]}
    assert ArrowCsvRows(batch)[0] == ["x", " "]  # the raw fields, for rejects


_CELL = st.sampled_from(
    ["", " ", "x", "a,b", 'say "hi"', "two\nlines", "café ☕", "\t", "1", "user_1"]
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    rows=st.lists(
        st.one_of(st.lists(_CELL, min_size=6, max_size=6), st.lists(_CELL, max_size=8)),
        max_size=30,
    ),
    quote_all=st.booleans(),
)
def test_any_mix_of_rows_reads_the_same(tmp_path, rows, quote_all):
    def cell(value: str) -> str:
        if quote_all or any(c in value for c in ',"\n'):
            return '"' + value.replace('"', '""') + '"'
        return value

    body = "".join(",".join(cell(v) for v in row) + "\n" for row in rows)
    path = _write(tmp_path, HEADER + body, "fuzz.csv")
    _assert_same_as_python(path)
