"""Write the README's tables of measured figures from the benchmark results in reports/bench/*.json.

The README marks each generated table with a block::

    <!-- bench:ingest -->
    | suite | what | measured | baseline, same run | target |
    ...

    <!-- /bench -->

(the empty line ends the table before the closing marker).

`update_readme` rewrites the inside of every block from its suite's JSON (`BLOCKS` says which
file each block reads and how it is drawn). A block whose JSON is missing, or cannot be drawn, is
left as it is and a note says why. Running it twice changes nothing. Run it with
`make readme-figures` (or `python -m toolkit.quality.benchmarks.readme`) after `make bench`.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
from collections.abc import Callable
from pathlib import Path

BLOCK = re.compile(r"(<!-- bench:(?P<name>[\w-]+) -->\n)(?P<body>.*?)(<!-- /bench -->)", re.DOTALL)
HEADER = (
    "| suite | what | measured | baseline, same run | target |\n| --- | --- | --- | --- | --- |\n"
)
NONE = "–"


# ------------------------------------------------------------------ number formats
def count(value: float | None) -> str:
    """A rate as people read it: 115,900 (hundreds above 10,000), 7,664."""
    if value is None:
        return NONE
    return f"{round(value, -2) if value >= 10_000 else round(value):,.0f}"


def posts_per_s(value: float | None) -> str:
    """Throughput: 115,900 posts/s."""
    return NONE if value is None else f"{count(value)} posts/s"


def rates(values: list[float | None]) -> str:
    """Several throughputs with one unit: 115,900 / 125,300 posts/s."""
    return " / ".join(count(v) for v in values) + " posts/s"


def seconds(value: float | None) -> str:
    """Wall time: 86 s, 1.6 s, 1,304 s (whole numbers, such as targets, without a decimal)."""
    if value is None:
        return NONE
    return f"{value:,.0f} s" if value >= 10 or float(value).is_integer() else f"{value:.1f} s"


def memory(mb: float | None) -> str:
    """Peak memory from megabytes: 60 MB, 1.4 GB."""
    if mb is None:
        return NONE
    return f"{mb / 1024:.1f} GB" if mb >= 1024 else f"{mb:.0f} MB"


def share(value: float | None) -> str:
    """A fraction as a percentage with one decimal."""
    return NONE if value is None else f"{100 * value:.1f}%"


def _row(*cells: object) -> str:
    return "| " + " | ".join(str(c) for c in cells) + " |\n"


# ------------------------------------------------------------------ one drawing per block
def report_summary(data: dict) -> str:
    """The table at the top of the README: `make report` cold and with nothing changed."""
    unchanged = data.get("unchanged_runs", [])
    peak = statistics.median(r["peak_rss_mb"] for r in unchanged) if unchanged else None
    both = " and ".join(data.get("reports", [data.get("config", "sample")]))
    return (
        f"| `make report` on the sample ({both}) | wall time | peak memory (whole process tree) |\n"
        "| --- | --- | --- |\n"
        + _row(
            "cold: no working data, reports or embedding caches, new kernels "
            "(UMAP's numba code compiled once by `make setup`)",
            seconds(data["cold"]["seconds"]),
            memory(data["cold"]["peak_rss_mb"]),
        )
        + _row(
            f"nothing changed (median of {len(unchanged)})",
            seconds(data["unchanged_median_seconds"]),
            memory(peak),
        )
    )


def report_suite(data: dict) -> str:
    targets = data.get("targets", {})
    return HEADER + _row(
        "`report`",
        "`make report` on the sample, cold / unchanged",
        f"{seconds(data['cold']['seconds'])}, {memory(data['cold']['peak_rss_mb'])} / "
        f"{seconds(data['unchanged_median_seconds'])}",
        NONE,
        f"{seconds(targets.get('cold_seconds'))} / {seconds(targets.get('unchanged_seconds'))}",
    )


def ingest_suite(data: dict) -> str:
    by_size: dict[int, dict[str, dict]] = {}
    for result in data["results"]:
        by_size.setdefault(result["rows"], {})[result["format"]] = result
    rows = HEADER
    workers = data.get("machine", {}).get("cpus")
    for n, formats in sorted(by_size.items()):
        kinds = [f for f in ("jsonl", "csv") if f in formats]
        ours = [formats[f].get("toolkit", {}) for f in kinds]
        measured = (
            rates([r.get("posts_per_s") for r in ours])
            + ", "
            + " / ".join(memory(r.get("peak_rss_mb")) for r in ours)
        )
        baseline = [formats[f].get("baseline", {}) for f in kinds]
        one = [formats[f].get("toolkit_one_process", {}) for f in kinds]
        parts = []
        if any("posts_per_s" in b for b in baseline):
            parts.append(
                "pandas read + `to_parquet`: "
                + rates([b.get("posts_per_s") for b in baseline])
                + ", "
                + " / ".join(memory(b.get("peak_rss_mb")) for b in baseline)
            )
        if any("posts_per_s" in o for o in one):
            parts.append("toolkit in 1 process: " + rates([o.get("posts_per_s") for o in one]))
        rows += _row(
            "`ingest`",
            f"streaming ingest, {n:,} posts {' / '.join(k.upper() for k in kinds)}, {workers} workers",
            measured,
            "; ".join(parts) or NONE,
            posts_per_s(data.get("target_posts_per_s")),
        )
    return rows


def topics_suite(data: dict) -> str:
    stock = next((r for r in data["runs"] if r["model"] == "stock"), None)
    rows = HEADER
    for run in data["runs"]:
        if run["model"] == "stock":
            continue
        target = run.get("target") or {}
        baseline = NONE
        if stock and run.get("speedup_vs_stock_per_post"):
            baseline = (
                f"stock BERTopic: {posts_per_s(stock.get('posts_per_s'))} "
                f"({stock['n_docs']:,} posts, {share(stock.get('outlier_share'))} outliers)"
                f" = {run['speedup_vs_stock_per_post']}x per post"
            )
        rows += _row(
            "`topics`",
            f"prepare + embed + fit + label, {run['n_docs']:,} posts ({run['model']})",
            f"{seconds(run.get('seconds'))}, {memory(run.get('peak_rss_mb'))}, "
            f"{share(run.get('outlier_share'))} outliers",
            baseline,
            f"{seconds(target.get('seconds'))}, {memory(target.get('peak_rss_mb'))}"
            if target
            else NONE,
        )
    return rows


def tone_suite(data: dict) -> str:
    speed = data["throughput"]
    return HEADER + _row(
        "`tone`",
        f"scoring {data['n_posts']:,} posts, median of {data['repeats']}",
        posts_per_s(speed["tone"]["posts_per_s"]),
        f"VADER {posts_per_s(speed['vader']['posts_per_s'])}",
        posts_per_s(data.get("targets", {}).get("posts_per_s")),
    )


def metrics_suite(data: dict) -> str:
    duck, at_pandas, pandas = data["duckdb"], data["duckdb_at_pandas_size"], data["pandas"]
    baseline = NONE
    if data.get("pandas_over_duckdb_ratio"):
        baseline = (
            f"pandas at {data['ratio_rows']:,}: {seconds(pandas.get('median_seconds'))} vs "
            f"DuckDB {seconds(at_pandas.get('median_seconds'))} = "
            f"{data['pandas_over_duckdb_ratio']}x"
        )
    targets = data.get("targets", {})
    return HEADER + _row(
        "`metrics`",
        f"full metric set, {data['rows']:,} posts (DuckDB, {data['threads']} thread{'s' if data['threads'] != 1 else ''})",
        f"{seconds(duck.get('median_seconds'))}, {memory(duck.get('peak_rss_mb'))}",
        baseline,
        f"{seconds(targets.get('seconds'))}, {targets.get('peak_rss_gb', NONE)} GB",
    )


def privacy_suite(data: dict) -> str:
    from toolkit.quality.benchmarks.privacy import SOURCES

    def quality(model: dict) -> str:
        return f"F2 {model.get('f2') or 0:.2f} typed / {model.get('any_f2') or 0:.2f} any type"

    rows = HEADER
    speed_target = data.get("targets", {}).get("speed_vs_presidio_sm")
    for name, result in data["files"].items():
        ours, *others = result["models"]
        baseline = NONE
        if others:
            theirs = others[0]
            baseline = (
                f"{theirs['model']}: {posts_per_s(theirs.get('posts_per_second'))}, "
                f"{quality(theirs)}; ours {result.get('speed_ratio_wall', NONE)}x faster"
            )
        source = SOURCES.get(name, "")
        rows += _row(
            "`privacy`",
            f"detector on `{name}` ({ours['n_posts']:,} posts{'; ' + source if source else ''})",
            f"{posts_per_s(ours.get('posts_per_second'))}, {quality(ours)}",
            baseline,
            f"{speed_target}x Presidio's speed" if speed_target else NONE,
        )
    return rows


def dask_suite(data: dict) -> str:
    rows = HEADER
    target = data.get("targets", {}).get("ratio_dask_to_local")
    for size in data["sizes"]:
        local, one, two = size["local"], size["dask_1_worker"], size["dask_2_workers"]
        peak = max(two.get("peak_rss_mb_per_worker") or [0]) or None
        rows += _row(
            "`dask`",
            f"tone + detection + engagement + responses, {size['rows']:,} posts",
            f"1 worker {seconds(one['seconds'])}, 2 workers {seconds(two['seconds'])}, "
            f"{memory(peak)} per worker",
            f"local engine {seconds(local['seconds'])}: Dask/local "
            f"{size['ratio_dask_1_worker_to_local']:.2f} and {size['ratio_dask_2_workers_to_local']:.2f}",
            f"within {target}x of local" if target else NONE,
        )
    return rows


#: Block name -> (suite whose reports/bench/<suite>.json it reads, drawing).
BLOCKS: dict[str, tuple[str, Callable[[dict], str]]] = {
    "report-summary": ("report", report_summary),
    "report": ("report", report_suite),
    "ingest": ("ingest", ingest_suite),
    "topics": ("topics", topics_suite),
    "tone": ("tone", tone_suite),
    "metrics": ("metrics", metrics_suite),
    "privacy": ("privacy", privacy_suite),
    "dask": ("dask", dask_suite),
}


def update_text(text: str, bench_dir: Path, note: Callable[[str], None] = print) -> str:
    """`text` with every bench block drawn from `bench_dir`; blocks that cannot be drawn stay."""

    def draw(match: re.Match) -> str:
        name = match["name"]
        if name not in BLOCKS:
            note(f"bench:{name}: no such block (known: {', '.join(BLOCKS)}); left as it is")
            return match[0]
        suite, drawing = BLOCKS[name]
        path = bench_dir / f"{suite}.json"
        if not path.exists():
            note(f"bench:{name}: {path} not found (run `make bench ONLY={suite}`); left as it is")
            return match[0]
        try:
            body = drawing(json.loads(path.read_text())).rstrip("\n") + "\n\n"
        except (KeyError, TypeError, ValueError, IndexError) as exc:
            note(f"bench:{name}: {path} has no figures for this table ({exc!r}); left as it is")
            return match[0]
        return match[1] + body + match[4]

    return BLOCK.sub(draw, text)


def update_readme(readme: Path, bench_dir: Path, note: Callable[[str], None] = print) -> bool:
    """Rewrite the bench blocks of `readme` from `bench_dir`; True if the file changed."""
    text = readme.read_text(encoding="utf-8")
    new = update_text(text, bench_dir, note)
    if new != text:
        readme.write_text(new, encoding="utf-8")
    return new != text


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--readme", type=Path, default=Path("README.md"))
    parser.add_argument(
        "--bench",
        type=Path,
        default=Path("reports/bench"),
        help="folder of the suites' JSON (written by `make bench`)",
    )
    args = parser.parse_args(argv)
    changed = update_readme(args.readme, args.bench, note=lambda s: print(s, file=sys.stderr))
    print(f"{args.readme}: {'figures updated' if changed else 'unchanged'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
