"""Benchmark of ingest: posts per second and peak memory, side by side with plain pandas.

For each size (100k, 1M and 10M posts; capped by the environment variable
TOOLKIT_BENCH_MAX_ROWS) and each of JSON lines and CSV, the suite writes a generic file of
synthetic posts (the bundled sample's texts, with their @handles, hashtags and links, scaled
up with fresh ids, authors, times and counts; one post in ten is a reply) to a temporary
folder and ingests it in a child process, measuring:

- toolkit: `toolkit.ingest.stream.ingest_to_parquet` (what `toolkit ingest FILE --out DIR`
  runs): every row validated, timestamps parsed, handles pseudonymised, entities extracted,
  duplicates and rejects accounted for, posts.parquet written in chunks; records parsed and
  converted by one worker process per core (the default);
- toolkit_one_process: the same with `workers=1` (up to the baseline's size cap), to show
  what the workers bring;
- baseline: `pandas.read_json(lines=True)` / `pandas.read_csv` then `DataFrame.to_parquet`,
  i.e. reading and writing only (no validation, no privacy), holding the whole file in memory.
  Skipped above TOOLKIT_BENCH_BASELINE_MAX_ROWS (default 1,000,000) where it needs many GB.

posts/s is rows / wall seconds of the ingest call inside the child (interpreter start-up
excluded); posts_per_cpu_s divides by the CPU time of the child and its worker processes
instead, which a machine shared with other work disturbs less; peak RSS is that of the child
and its workers together (shared pages counted in each, so an upper bound), sampled every 0.1 s by `measure`. At 100k rows each figure is the
median of 3 runs; larger sizes run once.
"""

from __future__ import annotations

import csv
import json
import os
import random
import resource
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import orjson

from toolkit.core.paths import SAMPLE_DIR
from toolkit.quality.benchmarks.measure import machine, measure

SIZES = (100_000, 1_000_000, 10_000_000)
FORMATS = ("jsonl", "csv")
REPEATS_AT_SMALLEST = 3
MAX_ROWS_ENV = "TOOLKIT_BENCH_MAX_ROWS"
#: The toolkit run with `workers=1`, side by side with the default (one worker per core).
ONE_PROCESS = "toolkit_one_process"
BASELINE_MAX_ROWS_ENV = "TOOLKIT_BENCH_BASELINE_MAX_ROWS"
COLUMNS = (
    "platform", "post_id", "created_at", "author", "text", "language", "likes", "shares",
    "replies", "reply_to_id",
)  # fmt: skip
_FALLBACK_TEXTS = (
    "My @NimbusHome hub dropped offline again #outage https://status.nimbus.example",
    "Loving the new bulbs, the app finally pairs in seconds",
    "@dana_k did the firmware update fix the thermostat schedule for you?",
    "Glow Up deal: code GLOW25 works on plugs too #NimbusGlowUp",
)
_PERIOD_START = 1_788_220_800  # 2026-09-01 UTC
_PERIOD_SECONDS = 90 * 86_400
_AUTHORS = 50_000


def sample_texts(limit: int = 20_000) -> list[str]:
    """Post texts from the bundled sample's labels (a few built-in ones if it is absent)."""
    path = SAMPLE_DIR / "labels.jsonl"
    if not path.is_file():
        return list(_FALLBACK_TEXTS)
    with path.open("rb") as handle:
        texts = [orjson.loads(line)["text"] for _, line in zip(range(limit), handle, strict=False)]
    return [t for t in texts if t] or list(_FALLBACK_TEXTS)


def synthetic_posts(n: int, seed: int = 0):
    """Yield `n` generic posts (dicts with COLUMNS), deterministic for a seed."""
    rng = random.Random(seed)
    texts = sample_texts()
    for i in range(n):
        reply = i > 0 and rng.random() < 0.1
        yield {
            "platform": "twitter",
            "post_id": str(10**17 + i),
            "created_at": _iso(_PERIOD_START + rng.randrange(_PERIOD_SECONDS)),
            "author": f"user_{int(rng.paretovariate(1.2)) % _AUTHORS}",
            "text": texts[rng.randrange(len(texts))],
            "language": "en",
            "likes": rng.randrange(200),
            "shares": rng.randrange(20),
            "replies": rng.randrange(10),
            "reply_to_id": str(10**17 + rng.randrange(i)) if reply else None,
        }


def _iso(epoch: int) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(epoch))


def write_posts(path: Path, n: int, fmt: str, seed: int = 0) -> Path:
    """Write `n` synthetic posts as JSON lines or CSV to `path`."""
    with path.open(
        "wb" if fmt == "jsonl" else "w", **({} if fmt == "jsonl" else {"newline": ""})
    ) as out:
        if fmt == "jsonl":
            for post in synthetic_posts(n, seed):
                out.write(orjson.dumps(post) + b"\n")
        else:
            writer = csv.DictWriter(out, fieldnames=COLUMNS)
            writer.writeheader()
            writer.writerows(synthetic_posts(n, seed))
    return path


def max_rows() -> int:
    """The largest size to run (TOOLKIT_BENCH_MAX_ROWS, default 10,000,000)."""
    return int(os.environ.get(MAX_ROWS_ENV, SIZES[-1]))


def run(
    config_path: Path, progress: Callable[[str], None], sizes: tuple[int, ...] | None = None
) -> dict:
    """Measure both implementations at every size up to `max_rows()`; see the module docstring.

    Parameters
    ----------
    config_path : Path
        Unused (the suite makes its own data); part of the suite interface.
    progress : callable
        Receives one line per step.
    sizes : tuple of int, optional
        Sizes to run (default SIZES up to `max_rows()`).
    """
    sizes = sizes or tuple(s for s in SIZES if s <= max_rows()) or (max_rows(),)
    baseline_cap = int(os.environ.get(BASELINE_MAX_ROWS_ENV, 1_000_000))
    results = []
    with tempfile.TemporaryDirectory(prefix="bench_ingest_") as tmp:
        for n in sizes:
            for fmt in FORMATS:
                progress(f"bench ingest: writing {n:,} posts as {fmt}")
                data = write_posts(Path(tmp) / f"posts_{n}.{fmt}", n, fmt)
                repeats = REPEATS_AT_SMALLEST if n == sizes[0] else 1
                row = {"rows": n, "format": fmt, "file_mb": round(data.stat().st_size / 2**20, 1)}
                progress(f"bench ingest: toolkit on {n:,} {fmt} rows")
                row["toolkit"] = _runs(data, "toolkit", repeats, Path(tmp))
                if n <= baseline_cap:
                    progress(f"bench ingest: toolkit in one process on {n:,} {fmt} rows")
                    row[ONE_PROCESS] = _runs(data, ONE_PROCESS, repeats, Path(tmp))
                    row["speed_up_from_workers"] = _ratio(row["toolkit"], row[ONE_PROCESS])
                if n <= baseline_cap:
                    progress(f"bench ingest: pandas baseline on {n:,} {fmt} rows")
                    row["baseline"] = _runs(data, "baseline", repeats, Path(tmp))
                    row["speed_ratio"] = _ratio(row["toolkit"], row["baseline"])
                    row["cpu_speed_ratio"] = _ratio(
                        row["toolkit"], row["baseline"], "posts_per_cpu_s"
                    )
                else:
                    row["baseline"] = {"skipped": f"above {BASELINE_MAX_ROWS_ENV}={baseline_cap:,}"}
                results.append(row)
                data.unlink()
    return {
        "machine": machine(),
        "what": "posts/s of toolkit ingest (validate, pseudonymise, write Parquet in chunks) vs "
        "pandas read + to_parquet; peak RSS of the child process",
        "target_posts_per_s": 100_000,
        "results": results,
    }


def _runs(data: Path, which: str, repeats: int, workdir: Path) -> dict:
    """Median posts/s, seconds and peak RSS over `repeats` child runs."""
    runs = [_child(data, which, workdir) for _ in range(repeats)]
    failed = [r for r in runs if r.get("error")]
    if failed:
        return {"error": failed[0]["error"]}
    return {
        "posts_per_s": round(statistics.median(r["posts_per_s"] for r in runs)),
        "posts_per_cpu_s": round(statistics.median(r["posts_per_cpu_s"] for r in runs)),
        "seconds": round(statistics.median(r["seconds"] for r in runs), 3),
        "cpu_seconds": round(statistics.median(r["cpu_seconds"] for r in runs), 3),
        "peak_rss_mb": round(statistics.median(r["peak_rss_mb"] for r in runs), 1),
        "runs": repeats,
        **(
            {"reconciled": all(r.get("reconciled", True) for r in runs)}
            if which.startswith("toolkit")
            else {}
        ),
    }


def _child(data: Path, which: str, workdir: Path) -> dict:
    figures_path = workdir / f"figures_{which}.json"
    out_dir = workdir / f"out_{which}"
    cmd = [
        sys.executable,
        "-m",
        "toolkit.quality.benchmarks.ingest",
        which,
        str(data),
        str(out_dir),
        str(figures_path),
    ]
    outside = measure(cmd, env={**os.environ, "PYTHONHASHSEED": "0"})
    if outside["exit_code"] != 0:
        return {"error": outside["stderr_tail"] or f"exit code {outside['exit_code']}"}
    inside = json.loads(figures_path.read_text())
    return {**inside, "peak_rss_mb": outside["peak_rss_mb"]}


def _ratio(toolkit: dict, baseline: dict, key: str = "posts_per_s") -> float | None:
    if key not in toolkit or key not in baseline or not baseline[key]:
        return None
    return round(toolkit[key] / baseline[key], 2)


def ingest_once(which: str, data: Path, out_dir: Path) -> dict:
    """Run one implementation on `data` in this process; return rows, seconds and posts/s."""
    out_dir.mkdir(parents=True, exist_ok=True)
    fmt = data.suffix.lstrip(".")
    import pandas as pd  # imports are not part of the measure

    from toolkit.ingest.stream import ingest_to_parquet
    from toolkit.privacy.pseudonymise import Pseudonymiser

    start, cpu_start = time.perf_counter(), _cpu_seconds()
    if which.startswith("toolkit"):
        summary = ingest_to_parquet(
            data,
            out_dir,
            format=fmt,
            pseudonymiser=Pseudonymiser(b"bench-key", ["NimbusHome"]),
            workers=1 if which == ONE_PROCESS else None,
        )
        total = summary["total"]
        rows = total["rows_in"]
        extra = {"reconciled": rows == total["loaded"] + total["rejected"] + total["duplicates"]}
    else:
        frame = pd.read_json(data, lines=True, dtype=False) if fmt == "jsonl" else pd.read_csv(data)
        frame.to_parquet(out_dir / "posts.parquet", index=False)
        rows, extra = len(frame), {}
    seconds, cpu = time.perf_counter() - start, _cpu_seconds() - cpu_start
    return {
        "rows": rows,
        "seconds": seconds,
        "cpu_seconds": cpu,
        "posts_per_s": rows / seconds if seconds else 0.0,
        "posts_per_cpu_s": rows / cpu if cpu else 0.0,
        **extra,
    }


def _cpu_seconds() -> float:
    """CPU time of this process and of its finished worker processes."""
    own, children = (
        resource.getrusage(who) for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)
    )
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def main(argv: list[str]) -> None:
    """Child entry point: `python -m toolkit.quality.benchmarks.ingest WHICH DATA OUT_DIR FIGURES_JSON`."""
    which, data, out_dir, figures = argv
    result = ingest_once(which, Path(data), Path(out_dir))
    Path(figures).write_text(json.dumps(result))


if __name__ == "__main__":
    main(sys.argv[1:])
