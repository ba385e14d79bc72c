"""Input that used to lose data silently, and limits (issue 14): each test failed before the fix."""

import gzip
import json
import subprocess
import sys
import tracemalloc
from pathlib import Path

import pytest
import yaml

import toolkit.core.config
from toolkit.core.config import load_config
from toolkit.ingest import ingest_config, ingest_file
from toolkit.ingest.limits import Limits
from toolkit.ingest.pipeline import SourceRejectedError
from toolkit.ingest.stream import ingest_to_parquet
from toolkit.privacy.pseudonymise import Pseudonymiser

PS = Pseudonymiser(b"loss-key", ["NimbusHome"])
SHARED = Path("/work/shared/fixtures/twitter-v2")
FIXTURES = Path(__file__).parents[1] / "fixtures" / "ingest"


def _tweet(i: int, text: str = "hello", created: str = "2026-10-01T12:00:00.000Z") -> dict:
    return {
        "id": str(1830000000000000000 + i),
        "text": f"{text} {i}",
        "author_id": str(100 + i % 3),
        "created_at": created,
        "conversation_id": str(1830000000000000000 + i),
    }


def _page(n: int) -> dict:
    users = [{"id": str(100 + k), "username": f"user{k}", "name": f"U {k}"} for k in range(3)]
    return {
        "data": [_tweet(i) for i in range(n)],
        "includes": {"users": users},
        "meta": {"result_count": n},
    }


def _summary(path: Path, **kwargs) -> dict:
    result = ingest_file(path, pseudonymiser=PS, **kwargs)
    return result.summary() | {"posts": result.posts, "rejects": result.rejects}


# ---------------------------------------------------------------- 1. truncated twarc2 page
def test_cut_page_salvages_its_complete_tweets(tmp_path):
    line = json.dumps(_page(10))
    cut = line[: line.index('"id": "1830000000000000007"') + 10]  # inside tweet 7
    path = tmp_path / "cut.jsonl"
    first = _page(3) | {"data": [_tweet(i) for i in (20, 21, 22)]}
    path.write_text(json.dumps(first) + "\n" + cut + "\n", encoding="utf-8")
    got = _summary(path, format="twarc2")
    assert got["loaded"] == 3 + 7  # before: 3 (the cut page was one reject)
    assert got["rejected_by_reason"] == {"truncated_json": 1}
    assert got["rows_in"] == got["loaded"] + got["rejected"] + got["duplicates"]


def test_page_cut_in_its_expansions_loads_every_tweet(tmp_path):
    line = json.dumps(_page(10))
    path = tmp_path / "cut.jsonl"
    path.write_text(line[: line.index('"user2"')] + "\n", encoding="utf-8")
    got = _summary(path, format="twarc2")
    assert got["loaded"] == 10 and got["rejected"] == 0
    assert got["posts"]["author"].notna().all()  # users that did not parse: anonymous authors


@pytest.mark.skipif(not (SHARED / "brexit.jsonl").is_file(), reason="shared fixtures absent")
@pytest.mark.parametrize("share", [0.3, 0.7])
def test_real_cut_page_counts_posts_not_lines(tmp_path, share):
    text = (SHARED / "brexit.jsonl").read_text(encoding="utf-8").strip()
    path = tmp_path / "brexit_cut.jsonl"
    path.write_text(text[: int(len(text) * share)] + "\n", encoding="utf-8")
    got = _summary(path, format="twarc2")
    assert got["loaded"] > 10
    assert got["rows_in"] == got["loaded"] + got["rejected"] + got["duplicates"]
    streamed = ingest_to_parquet(path, tmp_path / "out", format="twarc2", pseudonymiser=PS)
    assert streamed["files"][0]["loaded"] == got["loaded"]


# ---------------------------------------------------------------- 2. bare CR between records
@pytest.mark.parametrize("fmt", ["twarc2", "jsonl"])
def test_bare_cr_separates_records(tmp_path, fmt):
    if fmt == "twarc2":
        records = [json.dumps(_page(2)), json.dumps(_page(1) | {"data": [_tweet(5)]})]
    else:
        records = [
            json.dumps(
                {
                    "post_id": str(i),
                    "created_at": "2026-10-01T12:00:00Z",
                    "author": "a",
                    "text": "line\rbreak escaped",
                }
            )
            for i in range(3)
        ]
    path = tmp_path / "cr.jsonl"
    path.write_bytes("\r".join(records).encode() + b"\r\n" + records[0].encode())
    kwargs = {"platform": "forum"} if fmt == "jsonl" else {}
    got = _summary(path, format=fmt, **kwargs)
    assert got["rejected"] == 0  # before: two records merged into one reject
    assert got["loaded"] == (3 if fmt == "twarc2" else 3)
    assert got["duplicates"] == 2 if fmt == "twarc2" else 1
    streamed = ingest_to_parquet(path, tmp_path / "out", format=fmt, pseudonymiser=PS, **kwargs)
    assert streamed["files"][0]["loaded"] == got["loaded"]


def test_cr_at_a_read_boundary_is_one_line_ending(tmp_path):
    record = json.dumps(
        {"post_id": "1", "created_at": "2026-10-01T12:00:00Z", "author": "a", "text": "x" * 900}
    )
    lines = [record.replace('"1"', f'"{i}"') for i in range(6)]
    path = tmp_path / "crlf.jsonl"
    path.write_bytes(b"\r\n".join(line.encode() for line in lines))
    got = _summary(
        path, format="jsonl", platform="forum", limits=Limits(max_record_bytes=1024)
    )  # reads of 1,025 bytes
    assert (got["loaded"], got["rejected"]) == (6, 0)


# ---------------------------------------------------------------- 3. wrong format in the config
def _config(tmp_path, sources: list[dict], monkeypatch) -> toolkit.core.config.Config:
    monkeypatch.setenv("TOOLKIT_WORK_DIR", str(tmp_path / "work"))
    raw = {
        "name": "loss",
        "sources": sources,
        "brand": {"name": "Nimbus", "accounts": {"twitter": ["NimbusHome"]}},
        "privacy": {"allow_demo_key": True},
    }
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump(raw), encoding="utf-8")
    return load_config(path)


def test_wrong_format_stops_the_run_naming_file_and_format(tmp_path, monkeypatch):
    data = tmp_path / "tweets.jsonl"
    data.write_bytes((FIXTURES / "twitter.jsonl").read_bytes())
    config = _config(
        tmp_path, [{"path": str(data), "format": "csv", "platform": "twitter"}], monkeypatch
    )
    with pytest.raises(SourceRejectedError) as info:
        ingest_config(config)
    message = str(info.value)
    assert "\n" not in message and "tweets.jsonl" in message and "twarc2" in message
    assert not (tmp_path / "work" / "loss" / "posts.parquet").exists()


def test_allow_rejects_lets_a_bad_source_through(tmp_path, monkeypatch):
    data = tmp_path / "tweets.jsonl"
    data.write_bytes((FIXTURES / "twitter.jsonl").read_bytes())
    config = _config(
        tmp_path,
        [{"path": str(data), "format": "csv", "platform": "twitter", "allow_rejects": True}],
        monkeypatch,
    )
    assert ingest_config(config).summary["total"]["loaded"] == 0


def test_a_source_rejecting_most_rows_stops_the_run(tmp_path, monkeypatch):
    data = tmp_path / "posts.csv"
    rows = ["post_id,created_at,author,text"] + [f"{i},not a time,a,t" for i in range(6)]
    rows += [f"{i + 10},2026-10-01T12:00:00Z,a,t" for i in range(4)]
    data.write_text("\n".join(rows) + "\n", encoding="utf-8")
    config = _config(
        tmp_path, [{"path": str(data), "format": "csv", "platform": "forum"}], monkeypatch
    )
    with pytest.raises(SourceRejectedError, match="rejected 6 of 10 rows"):
        ingest_config(config)


def test_toolkit_run_prints_one_line(tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from toolkit.cli import app

    data = tmp_path / "tweets.jsonl"
    data.write_bytes((FIXTURES / "twitter.jsonl").read_bytes())
    config = _config(
        tmp_path, [{"path": str(data), "format": "csv", "platform": "twitter"}], monkeypatch
    )
    result = CliRunner().invoke(app, ["run", str(config.path)])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "tweets.jsonl" in result.output and "twarc2" in result.output


# ---------------------------------------------------------------- 4. conflicting duplicates
def _jsonl(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def _post(pid, text="t", created="2026-10-01T12:00:00Z", author="a", likes=0):
    return {"post_id": pid, "created_at": created, "author": author, "text": text, "likes": likes}


@pytest.mark.parametrize("stream", [False, True])
def test_same_id_other_content_is_rejected_not_dropped(tmp_path, stream):
    rows = [
        _post("1"),
        _post("1", likes=5),
        _post("1", text="other"),
        _post("1", author="b"),
        _post("2"),
        _post("2", created="2026-10-02T12:00:00Z"),
    ]
    path = _jsonl(tmp_path / "p.jsonl", rows)
    if stream:
        got = ingest_to_parquet(
            path, tmp_path / "out", platform="forum", pseudonymiser=PS, chunk_rows=1, workers=1
        )["files"][0]
    else:
        got = _summary(path, platform="forum")
    assert got["loaded"] == 2 and got["duplicates"] == 1
    assert got["rejected_by_reason"] == {"conflicting_duplicate": 3}


@pytest.mark.skipif(not (SHARED / "edited.jsonl").is_file(), reason="shared fixtures absent")
def test_edited_tweets_stay_duplicates(tmp_path):
    got = _summary(SHARED / "edited.jsonl", format="twarc2")
    assert "conflicting_duplicate" not in got["rejected_by_reason"]
    assert got["rejected"] == 0


# ---------------------------------------------------------------- 5. implausible timestamps
@pytest.mark.parametrize("stream", [False, True])
def test_implausible_timestamps_are_rejected(tmp_path, stream):
    rows = [
        _post("1", created="2099-01-01T00:00:00Z"),
        _post("2", created="1999-06-01T00:00:00Z"),
        _post("3", created=0),
        _post("4", created="2005-06-01T00:00:00Z"),
        _post("5", created="2026-10-01T12:00:00Z"),
    ]
    path = _jsonl(tmp_path / "p.jsonl", [r | {"platform": "twitter"} for r in rows])
    if stream:
        got = ingest_to_parquet(path, tmp_path / "out", pseudonymiser=PS, workers=1)["files"][0]
    else:
        got = _summary(path)
    assert got["loaded"] == 1
    assert got["rejected_by_reason"] == {"implausible_timestamp": 4}


def test_launch_dates_are_per_platform(tmp_path):
    path = _jsonl(tmp_path / "p.jsonl", [_post("4", created="2005-06-01T00:00:00Z")])
    assert _summary(path, platform="forum")["loaded"] == 1  # before Twitter, not before forums


def test_twarc2_future_tweet_is_rejected(tmp_path):
    page = _page(2)
    page["data"][1]["created_at"] = "2099-01-01T00:00:00.000Z"
    path = _jsonl(tmp_path / "t.jsonl", [page])
    got = _summary(path, format="twarc2")
    assert got["loaded"] == 1 and got["rejected_by_reason"] == {"implausible_timestamp": 1}


# ---------------------------------------------------------------- 6. limits
def test_long_text_is_rejected(tmp_path):
    path = _jsonl(tmp_path / "p.jsonl", [_post("1", text="x" * 2000), _post("2")])
    got = _summary(path, platform="forum", limits=Limits(max_text_chars=1000))
    assert got["loaded"] == 1 and got["rejected_by_reason"] == {"text_too_long": 1}
    page = _page(2)
    page["data"][0]["text"] = "y" * 2000
    tweets = _jsonl(tmp_path / "t.jsonl", [page])
    got = _summary(tweets, format="twarc2", limits=Limits(max_text_chars=1000))
    assert got["loaded"] == 1 and got["rejected_by_reason"] == {"text_too_long": 1}


def _bomb(path: Path, size: int) -> Path:
    """A gzip JSON-lines file: one post, one line of `size` bytes, one post."""
    with gzip.open(path, "wb", compresslevel=9) as out:
        out.write(json.dumps(_post("1")).encode() + b"\n")
        out.write(b'{"post_id": "2", "text": "')
        block = b"a" * (1 << 20)
        for _ in range(size // len(block)):
            out.write(block)
        out.write(b'"}\n' + json.dumps(_post("3")).encode() + b"\n")
    return path


@pytest.mark.parametrize("fmt", ["jsonl", "twarc2"])
def test_huge_line_is_rejected_in_bounded_memory(tmp_path, fmt):
    path = _bomb(tmp_path / "bomb.jsonl.gz", 20 << 20)
    tracemalloc.start()
    try:
        got = _summary(path, format=fmt, platform="forum", limits=Limits(max_record_bytes=1 << 20))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert got["rejected_by_reason"].get("record_too_large") == 1
    assert peak < 12 << 20  # the 20 MB line was never held whole
    if fmt == "jsonl":
        assert got["loaded"] == 2


def test_huge_csv_row_is_rejected(tmp_path):
    path = tmp_path / "big.csv"
    path.write_text(
        "post_id,created_at,author,text\n1,2026-10-01T12:00:00Z,a,t\n"
        + "2,2026-10-01T12:00:00Z,a,"
        + "b" * (3 << 20)
        + "\n"
        + "3,2026-10-01T12:00:00Z,a,t\n",
        encoding="utf-8",
    )
    got = _summary(path, platform="forum", limits=Limits(max_record_bytes=1 << 20))
    assert got["loaded"] == 2 and got["rejected_by_reason"] == {"record_too_large": 1}


def test_decompression_ratio_is_bounded(tmp_path):
    path = _bomb(tmp_path / "bomb.jsonl.gz", 30 << 20)
    limits = Limits(decompressed_floor_bytes=1 << 20, max_decompression_ratio=50)
    got = _summary(path, platform="forum", limits=limits)
    assert got["rejected_by_reason"].get("decompression_limit") == 1
    assert got["loaded"] == 1  # what came before the limit


def test_default_limits_in_a_subprocess_with_a_memory_cap(tmp_path):
    """A 1 GiB-ish post in a small gzip: rejected by default, within 1.5 GB of address space."""
    path = _bomb(tmp_path / "bomb.jsonl.gz", 200 << 20)
    code = (
        "import resource, sys; resource.setrlimit(resource.RLIMIT_AS, (1536 << 20, 1536 << 20));"
        "from toolkit.ingest import ingest_file;"
        f"r = ingest_file({str(path)!r}, platform='forum');"
        "print(r.n_loaded, sorted(r.rejects_by_reason))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.split()[0] == "2" and "record_too_large" in out.stdout


def test_config_sets_the_limits(tmp_path, monkeypatch):
    path = _jsonl(tmp_path / "p.jsonl", [_post("1", text="x" * 50) | {"platform": "forum"}])
    config = _config(tmp_path, [{"path": str(path), "allow_rejects": True}], monkeypatch)
    config = config.model_copy(
        update={"ingest": config.ingest.model_copy(update={"max_text_chars": 10})}
    )
    run = ingest_config(config)
    assert run.summary["total"]["rejected_by_reason"] == {"text_too_long": 1}
