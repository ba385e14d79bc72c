"""Property: `toolkit run` on small generated configs (empty sources, wrong formats, mixed valid
and invalid sources, bad names, missing files, folders, garbage bytes) never shows a traceback.
Either validation and ingest succeed (the run reaches the notebooks, which are stubbed out: no
report is built here), or it stops with one `error:` line naming the config or source file,
a non-zero exit and the previous report untouched."""

from __future__ import annotations

import gzip
import json
import os
import tempfile
from pathlib import Path
from unittest import mock

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from toolkit.cli import app
from toolkit.core.config import FORMATS
from toolkit.report import build as report

runner = CliRunner()

TWEET = {
    "data": [
        {
            "id": "1",
            "text": "hello @DemoBrand",
            "author_id": "9",
            "created_at": "2026-09-01T10:00:00.000Z",
        }
    ],
    "includes": {"users": [{"id": "9", "username": "alice_w"}]},
}
#: File kinds a user might point a source at: name -> bytes (None: a folder; missing: absent).
CONTENTS = {
    "posts.csv": b"post_id,created_at,author,text\n1,2026-09-01T10:00:00Z,alice_w,hello\n",
    "empty.csv": b"",
    "header_only.csv": b"post_id,created_at,author,text\n",
    "tweets.jsonl": json.dumps(TWEET).encode() + b"\n",
    "garbage.bin": bytes(range(256)) * 4,
    "broken.json.gz": gzip.compress(b'{"data": [')[:-6],
    "not_utf8.csv": "post_id,created_at,author,text\n1,2026-09-01,al,caf\xe9\n".encode("latin-1"),
    "exports": None,
}


class ReachedNotebooks(Exception):
    """Validation and ingest passed: the real run would now execute the notebooks."""


def _stop_before_notebooks(config, staging, progress, *_):
    raise ReachedNotebooks


VALID = {"path": "posts.csv", "format": "csv", "platform": "twitter"}
any_source = st.fixed_dictionaries(
    {
        "path": st.sampled_from([*CONTENTS, "missing.csv"]),
        "format": st.sampled_from([*FORMATS, "xml"]),
    },
    optional={
        "platform": st.sampled_from(["twitter", "reddit", ""]),
        "mapping": st.sampled_from([{}, {"post_id": "id"}, {"text": "nope"}]),
    },
)
source = st.one_of(st.just(VALID), any_source)
name = st.one_of(
    st.just("demo"),
    st.sampled_from(["acme-2026", ".", "..", ".hidden", "a/b", "", "x y"]),
    st.text(alphabet="ab./_-", min_size=1, max_size=4),
)
period = st.sampled_from(
    [
        None,
        {"start": "2026-09-01", "end": "2026-09-30"},
        {"start": "2020-01-01", "end": "2020-01-02"},
    ]
)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    derandomize=True,
)
@given(name=name, sources=st.lists(source, min_size=0, max_size=3), period=period)
def test_run_on_generated_configs_fails_only_with_one_line_naming_the_file_or_key(
    name, sources, period
):
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        for file, content in CONTENTS.items():
            if content is None:
                (base / file).mkdir()
            else:
                (base / file).write_bytes(content)
        previous = base / "reports" / "previous"
        previous.mkdir(parents=True)
        (previous / "index.html").write_text("previous report")
        config = {
            "name": name,
            "sources": sources,
            "brand": {"name": "Demo", "accounts": {"twitter": ["DemoBrand"]}},
        }
        if period:
            config["period"] = period
        path = base / "generated.yaml"
        path.write_text(json.dumps(config))  # JSON is YAML

        with (
            mock.patch.dict(os.environ, {"TOOLKIT_WORK_DIR": str(base / "work")}),
            mock.patch.dict(os.environ, {"TOOLKIT_REPORTS_DIR": str(base / "reports")}),
            mock.patch.object(report, "_run_notebooks", _stop_before_notebooks),
            mock.patch.dict(os.environ, {"TOOLKIT_HMAC_KEY": "test-key"}),
        ):
            result = runner.invoke(app, ["run", str(path)])

        assert (previous / "index.html").read_text() == "previous report"
        if isinstance(result.exception, ReachedNotebooks):
            event("ingested: reached the notebooks")
            return
        assert "Traceback" not in result.output
        assert isinstance(result.exception, SystemExit) and result.exit_code not in (0, None), (
            f"{config}: {result.exception!r}\n{result.output}"
        )
        errors = [line for line in result.output.splitlines() if line.startswith("error:")]
        assert len(errors) == 1, result.output
        event("stopped in ingest" if "[toolkit] ingest" in result.output else "stopped by config")
        named = ["generated.yaml", *(s["path"] for s in sources)]
        assert any(n in errors[0] for n in named), errors[0]
        leftovers = [p.name for p in (base / "reports").iterdir() if p.name != "previous"]
        assert leftovers == [], leftovers
