import json

import pytest
from typer.testing import CliRunner

from toolkit.cli import app
from toolkit.core.paths import PROJECT_DIR as ROOT

runner = CliRunner()


@pytest.mark.parametrize(
    "command",
    ["run", "ingest", "sample", "models", "pipeline", "notebooks", "gate", "bench", "eval"],
)
def test_every_command_has_help(command):
    result = runner.invoke(app, [command, "--help"])
    assert result.exit_code == 0 and "Usage" in result.output


def test_ingest_prints_a_reconciled_summary(tmp_path):
    fixture = ROOT / "data" / "sample" / "reddit.jsonl"
    result = runner.invoke(
        app,
        [
            "ingest",
            str(fixture),
            "--config",
            str(ROOT / "configs" / "sample.yaml"),
            "--out",
            str(tmp_path),
        ],
    )
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["rows_in"] == summary["loaded"] + summary["rejected"] + summary["duplicates"]
    assert summary["rejected_by_reason"] == {"truncated_json": 1}
    assert (tmp_path / "posts.parquet").exists() and (tmp_path / "rejects.csv").exists()


def test_ingest_without_a_key_says_how_to_make_one(tmp_path, monkeypatch):
    monkeypatch.delenv("TOOLKIT_HMAC_KEY", raising=False)
    data = tmp_path / "x.jsonl"
    data.write_text("")
    result = runner.invoke(app, ["ingest", str(data)])
    assert result.exit_code == 1 and "secrets.token_hex" in result.output


def test_run_with_a_bad_config_names_the_key(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\nsources: []\nbrand: {name: B, accounts: {}}\n")
    result = runner.invoke(app, ["run", str(bad)])
    assert result.exit_code == 1 and "sources" in result.output and "unchanged" in result.output


def test_eval_pii_on_an_exported_sample(tmp_path):
    exported = tmp_path / "sample_pii.json"
    first = runner.invoke(app, ["eval", "pii", "--export", str(exported)])
    assert first.exit_code == 0, first.output
    again = runner.invoke(app, ["eval", "pii", str(exported)])
    a, b = json.loads(first.stdout), json.loads(again.stdout)
    assert (
        a["recall"] == b["recall"]
        and a["n_posts"] == b["n_posts"]
        and b["dataset"] == "sample_pii.json"
    )


@pytest.mark.slow
def test_eval_topics_on_a_labelled_csv(tmp_path):
    import random

    rng = random.Random(0)
    vocab = {
        "billing": ["refund", "charged", "invoice", "payment", "subscription", "billing"],
        "shipping": ["delivery", "package", "courier", "shipping", "arrived", "tracking"],
        "outage": ["outage", "offline", "server", "down", "cloud", "status"],
    }
    rows = [
        (" ".join(rng.choices(words, k=6)) + f" {i}", label)
        for label, words in vocab.items()
        for i in range(60)
    ]
    path = tmp_path / "labelled.csv"
    path.write_text("body,truth\n" + "\n".join(f"{t},{lab}" for t, lab in rows))
    result = runner.invoke(app, ["eval", "topics", str(path), "--text", "body", "--label", "truth"])
    assert result.exit_code == 0, result.output
    line = json.loads(result.stdout.strip().splitlines()[-1])
    assert line["model"] == "toolkit" and line["n_docs"] == 180
    assert set(line) >= {"n_topics", "outlier_share", "nmi", "ari", "npmi", "diversity", "seconds"}
    assert line["nmi"] > 0.5
    bad = runner.invoke(app, ["eval", "topics", str(path), "--text", "nope"])
    assert bad.exit_code == 1 and "no column" in bad.output
