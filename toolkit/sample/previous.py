"""The bundled sample's previous period: three weeks of June 2026, for period-over-period reports.

It is made from the sample itself (`data/sample/`), so it needs no generator of its own: the
Twitter, Reddit and Mastodon items of the sample's first three weeks (1-21 September) are moved
13 weeks back (to 2-22 June; whole weeks keep weekdays and, in UTC, times of day) and written,
gzip-compressed, to `data/sample/previous/`. The same people appear in both periods, so
pseudonyms match; there is no outage and no campaign in June. Deterministic: same sample, same
bytes (gzip headers carry no time or name).

    python -m toolkit.sample.previous          # or: toolkit sample (writes both periods)
"""

from __future__ import annotations

import datetime as dt
import gzip
import io
import json
import re
from pathlib import Path

from toolkit.core.paths import SAMPLE_DIR

#: The items kept: the sample's first three weeks, UTC, end exclusive.
KEEP_FROM = dt.datetime(2026, 9, 1, tzinfo=dt.UTC)
KEEP_UNTIL = dt.datetime(2026, 9, 22, tzinfo=dt.UTC)
#: How far back they move: 13 weeks, so Tuesday 1 September becomes Tuesday 2 June.
SHIFT = dt.timedelta(weeks=13)
FIRST_DAY = (KEEP_FROM - SHIFT).date()
LAST_DAY = (KEEP_UNTIL - SHIFT).date() - dt.timedelta(days=1)
FILES = {"twitter.jsonl": "twitter.jsonl.gz", "reddit.jsonl": "reddit.jsonl.gz",
         "mastodon.json": "mastodon.json.gz"}  # fmt: skip
#: Reddit's timestamps are epoch seconds under these keys.
EPOCH_KEYS = frozenset({"created_utc", "created", "retrieved_on", "edited"})
_ISO = re.compile(r"^(\d{4}-\d{2}-\d{2})([T ][0-9:.]+(?:Z|[+-]\d{2}:?\d{2})?)?$")


def _shift(value):
    """`value` with every ISO date / timestamp string and Reddit epoch moved back by SHIFT."""
    if isinstance(value, dict):
        return {
            k: (v - SHIFT.total_seconds() if k in EPOCH_KEYS and _is_number(v) else _shift(v))
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [_shift(v) for v in value]
    if isinstance(value, str) and (match := _ISO.match(value)):
        day = dt.date.fromisoformat(match[1]) - SHIFT
        return day.isoformat() + (match[2] or "")
    return value


def _is_number(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _in_window(moment: dt.datetime) -> bool:
    return KEEP_FROM <= moment < KEEP_UNTIL


def _iso_time(text) -> dt.datetime:
    """The UTC time of an ISO timestamp; a missing or broken one (the sample's planted rejects)
    gives a time outside the window."""
    try:
        return dt.datetime.fromisoformat(str(text).replace("Z", "+00:00"))
    except ValueError:
        return KEEP_UNTIL


def _records(lines: list[str]):
    """The JSON records of a JSON-lines file; the sample's planted broken lines are left out."""
    for line in lines:
        try:
            record = json.loads(line)
        except json.JSONDecodeError:
            continue
        if isinstance(record, dict):
            yield record


def _twitter(lines: list[str]) -> list[str]:
    pages = []
    for page in _records(lines):
        page["data"] = [
            t for t in page.get("data", []) if _in_window(_iso_time(t.get("created_at")))
        ]
        if page["data"]:
            pages.append(json.dumps(_shift(page), ensure_ascii=False))
    return pages


def _reddit(lines: list[str]) -> list[str]:
    kept = []
    for thing in _records(lines):
        epoch = thing.get("data", {}).get("created_utc")
        if _is_number(epoch) and _in_window(dt.datetime.fromtimestamp(epoch, dt.UTC)):
            kept.append(json.dumps(_shift(thing), ensure_ascii=False))
    return kept


def _mastodon(text: str) -> str:
    statuses = [s for s in json.loads(text) if _in_window(_iso_time(s.get("created_at")))]
    return json.dumps(_shift(statuses), ensure_ascii=False, separators=(",", ":"))


def _write_gzip(path: Path, text: str) -> None:
    buffer = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buffer, mtime=0, compresslevel=9) as gz:
        gz.write(text.encode("utf-8"))
    path.write_bytes(buffer.getvalue())


def write_previous_period(sample_dir: Path = SAMPLE_DIR, out_dir: Path | None = None) -> dict:
    """Write the previous period from the sample in `sample_dir` to `out_dir` (default
    `sample_dir/previous`). Returns file name -> items written."""
    out_dir = Path(out_dir) if out_dir else Path(sample_dir) / "previous"
    out_dir.mkdir(parents=True, exist_ok=True)
    counts = {}
    for source, target in FILES.items():
        text = (Path(sample_dir) / source).read_text(encoding="utf-8")
        if source == "mastodon.json":
            body = _mastodon(text)
            counts[target] = len(json.loads(body))
        else:
            rows = (_twitter if source == "twitter.jsonl" else _reddit)(text.splitlines())
            body = "".join(row + "\n" for row in rows)
            counts[target] = (
                sum(len(json.loads(r)["data"]) for r in rows) if source == "twitter.jsonl"
                else len(rows)
            )  # fmt: skip
        _write_gzip(out_dir / target, body)
    return counts


if __name__ == "__main__":
    for name, n in write_previous_period().items():
        print(f"{name}: {n} items")
