"""Fixtures of the sample tests: the sample generated once per session into a temporary folder,
its labels, and every raw item read back the way a loader would."""

from __future__ import annotations

import csv
import datetime as dt
import html
import json
from collections import Counter
from pathlib import Path

import pytest
from sample_files import UTC, html_to_text, parse_crowdtangle

from toolkit.sample.generator import LABELS_FILE, generate_sample


# ------------------------------------------------------------------ fixtures and readers
@pytest.fixture(scope="session")
def sample_dir(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("sample")
    counts = generate_sample(out)
    (out / "_counts.json").write_text(json.dumps(counts))
    return out


@pytest.fixture(scope="session")
def labels(sample_dir) -> list[dict]:
    return [
        json.loads(line)
        for line in (sample_dir / LABELS_FILE).read_text(encoding="utf-8").splitlines()
    ]


@pytest.fixture(scope="session")
def raw(sample_dir) -> dict:
    """Every raw item as (platform, post_id) -> {created, text, author, ...}, plus unreadable lines."""
    items: dict[tuple[str, str], dict] = {}
    unreadable: list[str] = []
    rows: Counter = Counter()
    for line in (sample_dir / "twitter.jsonl").read_text(encoding="utf-8").splitlines():
        page = json.loads(line)
        users = {u["id"]: u for u in page["includes"]["users"]}
        assert page["meta"]["result_count"] == len(page["data"])
        for tw in page["data"]:
            rows[("twitter", tw["id"])] += 1
            created = tw.get("created_at")
            items[("twitter", tw["id"])] = {
                "created": dt.datetime.fromisoformat(created.replace("Z", "+00:00"))
                if created
                else None,
                "text": html.unescape(tw["text"]),
                "raw": tw,
                "author": users[tw["author_id"]]["username"],
                "reply_to": next(
                    (r["id"] for r in tw.get("referenced_tweets", []) if r["type"] == "replied_to"),
                    None,
                ),
            }
    for line in (sample_dir / "reddit.jsonl").read_text(encoding="utf-8").splitlines():
        try:
            thing = json.loads(line)
        except json.JSONDecodeError:
            unreadable.append(line)
            continue
        d = thing["data"]
        rows[("reddit", d["id"])] += 1
        if thing["kind"] == "t3":
            selftext = html.unescape(d["selftext"])
            text = html.unescape(d["title"]) + ("\n\n" + selftext if selftext else "")
            reply_to = None
        else:
            text, reply_to = html.unescape(d["body"]), d["parent_id"].split("_", 1)[1]
        items[("reddit", d["id"])] = {
            "created": dt.datetime.fromtimestamp(d["created_utc"], UTC),
            "text": text,
            "raw": d,
            "author": d["author"],
            "reply_to": reply_to,
        }
    for st in json.loads((sample_dir / "mastodon.json").read_text(encoding="utf-8")):
        rows[("mastodon", st["id"])] += 1
        shown = st["reblog"] or st
        items[("mastodon", st["id"])] = {
            "created": dt.datetime.fromisoformat(st["created_at"].replace("Z", "+00:00")),
            "text": html_to_text(shown["content"]),
            "raw": st,
            "author": st["account"]["username"] if "account" in st else None,
            "reply_to": st["in_reply_to_id"],
        }
    for platform, text_col in (("facebook", "Message"), ("instagram", "Description")):
        with open(sample_dir / f"{platform}.csv", encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                post_id = row["URL"].rstrip("/").rsplit("/", 1)[1]
                rows[(platform, post_id)] += 1
                items[(platform, post_id)] = {
                    "created": parse_crowdtangle(row["Post Created"]),
                    "text": row[text_col],
                    "raw": row,
                    "author": row["User Name"],
                    "reply_to": None,
                }
    return {"items": items, "unreadable": unreadable, "rows": rows}
