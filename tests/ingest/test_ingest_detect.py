"""Format auto-detection."""

import gzip
import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from toolkit.core.config import FORMATS as CONFIG_FORMATS
from toolkit.ingest import detect_format, ingest_file
from toolkit.ingest.detect import UnknownFormatError
from toolkit.privacy.pseudonymise import Pseudonymiser

FIXTURES = Path(__file__).parents[1] / "fixtures" / "ingest"


@pytest.mark.parametrize(
    "name, expected",
    [
        ("twitter.jsonl", "twarc2"),
        ("reddit.jsonl", "reddit"),
        ("mastodon.json", "mastodon"),
        ("facebook.csv", "crowdtangle"),
        ("instagram.csv", "crowdtangle"),
        ("generic.csv", "csv"),
        ("generic.jsonl", "jsonl"),
        ("x_archive/tweets.js", "x_archive"),
        ("bluesky.jsonl", "bluesky"),
        ("youtube.json", "youtube"),
    ],
)
def test_fixtures(name, expected):
    assert detect_format(FIXTURES / name) == expected


def test_every_format_a_config_may_name_has_a_loader():
    from toolkit.ingest.files import GENERIC_LOADERS, PLATFORM_LOADERS

    assert set(CONFIG_FORMATS) - {"auto"} == set(PLATFORM_LOADERS) | set(GENERIC_LOADERS)


def test_gzip_is_looked_into(tmp_path):
    path = tmp_path / "reddit.jsonl.gz"
    path.write_bytes(gzip.compress((FIXTURES / "reddit.jsonl").read_bytes()))
    assert detect_format(path) == "reddit"


def test_parquet_by_magic_bytes(tmp_path):
    path = tmp_path / "data.bin"
    pq.write_table(pa.table({"a": [1]}), path)
    assert detect_format(path) == "parquet"


def test_broken_first_line_is_skipped(tmp_path):
    lines = (FIXTURES / "twitter.jsonl").read_text().splitlines()
    path = tmp_path / "t.jsonl"
    path.write_text("{not json\n" + "\n".join(lines))
    assert detect_format(path) == "twarc2"


def test_pretty_printed_page_and_empty_files(tmp_path):
    page = json.loads((FIXTURES / "twitter.jsonl").read_text().splitlines()[0])
    pretty = tmp_path / "page.json"
    pretty.write_text(json.dumps(page, indent=2))
    assert detect_format(pretty) == "twarc2"
    result = ingest_file(pretty, pseudonymiser=Pseudonymiser(b"k"))
    assert result.n_loaded == 3
    for name, expected in (("e.json", "jsonl"), ("e.csv", "csv"), ("e.jsonl.gz", "jsonl")):
        path = tmp_path / name
        path.write_bytes(gzip.compress(b"") if name.endswith(".gz") else b"")
        assert detect_format(path) == expected


def test_mastodon_array_with_big_first_item(tmp_path):
    status = json.loads((FIXTURES / "mastodon.json").read_text())[0]
    status["content"] = "<p>" + "x" * 100_000 + "</p>"
    path = tmp_path / "big.json"
    path.write_text(json.dumps([status]))
    assert detect_format(path) == "mastodon"


def test_unknown_format_raises_and_ingest_reports_it(tmp_path):
    path = tmp_path / "notes.bin"
    path.write_bytes(b"\x00\x01\x02 binary junk")
    with pytest.raises(UnknownFormatError):
        detect_format(path)
    result = ingest_file(path, pseudonymiser=Pseudonymiser(b"k"))
    assert result.summary() == {
        "file": "notes.bin",
        "format": "unknown",
        "rows_in": 1,
        "loaded": 0,
        "rejected": 1,
        "rejected_by_reason": {"unknown_format": 1},
        "duplicates": 0,
    }


def test_explicit_unknown_format_name_is_an_error():
    with pytest.raises(ValueError, match="unknown format"):
        ingest_file(FIXTURES / "generic.csv", format="xlsx")


@pytest.mark.parametrize(
    "fmt, content",
    [
        ("twarc2", b""),
        ("reddit", b"\n\n"),
        ("mastodon", b""),
        ("mastodon", b"[]"),
        ("crowdtangle", b""),
        ("parquet", b""),
    ],
)
def test_empty_files_give_zero_rows_in_every_format(tmp_path, fmt, content):
    path = tmp_path / "empty"
    path.write_bytes(content)
    mapping = (
        {"post_id": "a", "created_at": "b", "author": "c", "text": "d"}
        if fmt == "parquet"
        else None
    )
    result = ingest_file(
        path, format=fmt, platform="x", mapping=mapping, pseudonymiser=Pseudonymiser(b"k")
    )
    assert (result.rows_in, result.n_loaded, result.n_rejected) == (0, 0, 0)


def test_unrecognised_generic_file(tmp_path):
    from toolkit.ingest.generic import MappingError

    path = tmp_path / "survey.csv"
    path.write_text("respondent,score\n1,5\n2,3\n")
    result = ingest_file(path, pseudonymiser=Pseudonymiser(b"k"))  # auto: reported, not raised
    assert result.rejects_by_reason == {"unknown_format": 1}
    assert "looks like generic csv" in result.rejects.iloc[0]["raw"]
    with pytest.raises(MappingError, match="post_id"):  # explicit format: the mapping must fit
        ingest_file(path, format="csv", platform="forum", pseudonymiser=Pseudonymiser(b"k"))
