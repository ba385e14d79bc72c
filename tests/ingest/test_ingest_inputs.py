"""Input plumbing: zip archives, JSON-lines batches, vectorised timestamps, identity helpers."""

import gzip
import zipfile
from pathlib import Path

import pytest

from toolkit.ingest import ingest_file
from toolkit.ingest.identities import Identities
from toolkit.ingest.opening import ArchiveError, open_binary, zip_members
from toolkit.ingest.readers import json_line_batches
from toolkit.ingest.timestamps import TimestampError, parse_timestamp, parse_timestamps
from toolkit.privacy.pseudonymise import Pseudonymiser

FIXTURES = Path(__file__).parents[1] / "fixtures" / "ingest"
PS = Pseudonymiser(b"inputs-key", ["NimbusHome"])


def _zip(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


def test_one_file_zip_reads_like_the_file(tmp_path):
    data = (FIXTURES / "reddit.jsonl").read_bytes()
    packed = _zip(tmp_path / "reddit.zip", {"reddit.jsonl": data, "__MACOSX/._reddit.jsonl": b"x"})
    assert zip_members(packed) == ["reddit.jsonl"]
    with open_binary(packed) as handle:
        assert handle.read() == data
    plain = ingest_file(FIXTURES / "reddit.jsonl", pseudonymiser=PS)
    zipped = ingest_file(packed, pseudonymiser=PS)
    assert zipped.format == "reddit"
    assert zipped.summary() | {"file": "x"} == plain.summary() | {"file": "x"}


def test_zip_with_several_files_is_one_reject(tmp_path):
    packed = _zip(tmp_path / "two.zip", {"a.jsonl": b"{}", "b.csv": b"a,b"})
    with pytest.raises(ArchiveError, match="exactly one data file"):
        open_binary(packed)
    result = ingest_file(packed, pseudonymiser=PS)
    assert (result.rows_in, result.n_rejected) == (1, 1)
    assert result.rejects_by_reason == {"unknown_format": 1}
    assert "a.jsonl" in result.rejects["raw"].iloc[0]


def test_cut_off_zip_is_one_reject(tmp_path):
    packed = _zip(tmp_path / "r.zip", {"r.jsonl": (FIXTURES / "reddit.jsonl").read_bytes()})
    cut = tmp_path / "cut.zip"
    cut.write_bytes(packed.read_bytes()[:200])
    assert zip_members(cut) == []
    assert ingest_file(cut, pseudonymiser=PS).rejects_by_reason == {"unknown_format": 1}
    assert zip_members(FIXTURES / "reddit.jsonl") is None


def test_json_line_batches_number_lines_and_explain_failures(tmp_path):
    path = tmp_path / "x.jsonl"
    path.write_bytes(
        b'\xef\xbb\xbf{"a": 1}\r\n\n  \n{"a": 2, "b": [1\n\xff\xfe{"x"}\n18446744073709551616\n{"a": 3}'
    )
    batches = list(json_line_batches(path, size=3))
    numbers = [n for b in batches for n in b[0]]
    values = [v for b in batches for v in b[1]]
    errors = [(n, reason) for b in batches for n, reason, _ in b[2]]
    assert numbers == [1, 6, 7] and values == [{"a": 1}, 2**64, {"a": 3}]
    assert errors == [(4, "truncated_json"), (5, "bad_encoding")]


def test_json_line_batches_report_a_broken_gzip_once(tmp_path):
    path = tmp_path / "x.jsonl.gz"
    path.write_bytes(gzip.compress(b'{"a": 1}\n' * 5000)[:-30])
    batches = list(json_line_batches(path, size=100_000))
    errors = [e for b in batches for e in b[2]]
    assert len(errors) == 1 and errors[0][1] == "corrupt_gzip"


def test_parse_timestamps_matches_parse_timestamp():
    values = ["2026-10-01T12:00:00Z", "2026-10-01 12:00:00", "2026-10-01T14:00:00+02:00",
              "2026-10-01T12:00:00.123456789Z", "1790856000", 1790856000, 1790856000123,
              "2026-09-03 09:05:00 CDT", "2026-09-03 09:05:00 XYZ", "1969-01-01", None, "",
              "Thu Oct 01 12:00:00 +0000 2026", "garbage", True]  # fmt: skip
    micros, reasons = parse_timestamps(values)
    for value, got, why in zip(values, micros, reasons, strict=True):
        try:
            assert (got, why) == (parse_timestamp(value), None)
        except TimestampError as exc:
            assert (got, why) == (None, exc.reason)
    assert micros[0] == micros[1] == micros[2] == 1790856000000000
    assert micros[3] == 1790856000123456


def test_parse_timestamps_with_a_format():
    micros, reasons = parse_timestamps(
        ["01/10/2026 12:00", "2026-10-01T12:00:00Z"], "%d/%m/%Y %H:%M"
    )
    assert micros == [1790856000000000, 1790856000000000] and reasons == [None, None]


def test_identities_authors_and_text_and_mentions():
    identities = Identities(PS, ["NimbusHome"])
    authors, brands = identities.authors(["dana", None, "nimbushome", "dana", "[deleted]"])
    assert authors == [PS.pseudonym("dana"), None, "nimbushome", PS.pseudonym("dana"), "deleted"]
    assert brands == [False, False, True, False, False]
    assert identities.handles == {"dana"}
    text, mentions = identities.text_and_mentions("@NimbusHome hi @dana and @dana again")
    dana = PS.pseudonym("dana")
    assert text == f"@NimbusHome hi @{dana} and @{dana} again"
    assert mentions == ["NimbusHome", dana]
    assert identities.text_and_mentions("no handles") == ("no handles", [])


def test_json_items_or_reject_yields_good_items_and_rejects_bad_lines(tmp_path):
    from toolkit.ingest.readers import json_items_or_reject

    path = tmp_path / "mixed.jsonl"
    path.write_text('{"a": 1}\n{broken\n{"a": 2}\n', encoding="utf-8")
    rejected = []
    items = list(json_items_or_reject(path, lambda *args: rejected.append(args)))
    assert [(line, item) for line, item, _ in items] == [(1, {"a": 1}), (3, {"a": 2})]
    assert [(line, reason.split(":")[0]) for line, reason, _ in rejected] == [(2, "bad_json")]
