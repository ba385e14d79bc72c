"""Generate the bundled sample dataset: the fictional smart-home brand Nimbus Home on five platforms.

The sample is what every report, notebook and test runs on, so it imitates real social media:
customer posts, complaints and praise on Twitter/X, Reddit and Mastodon with brand replies,
the brand's own Facebook and Instagram posts (CrowdTangle exports), a cloud outage on
2026-10-14/15, the "Glow Up" campaign with offer code GLOW25, spam, non-English posts,
typos, heavy-tailed engagement and planted personal data. Each file is written in the
platform's real export shape (see docs/formats.md); `labels.jsonl` holds the ground truth.

Everything is derived from one seed: the same seed gives byte-identical files.

This module is the top level: `generate_sample` runs the simulation (toolkit/sample/simulation.py)
and hands the items to the platform writers (toolkit/sample/platforms/).
"""

from __future__ import annotations

import argparse
import logging
import random
from pathlib import Path

from toolkit.core.paths import SAMPLE_DIR
from toolkit.sample.items import Item
from toolkit.sample.labels import label
from toolkit.sample.platforms.crowdtangle import write_facebook, write_instagram
from toolkit.sample.platforms.mastodon import write_mastodon
from toolkit.sample.platforms.output import dumps, write_text
from toolkit.sample.platforms.reddit import write_reddit
from toolkit.sample.platforms.twitter import write_twitter
from toolkit.sample.scenario import DEFAULT_SEED
from toolkit.sample.simulation import Simulation

__all__ = ["DEFAULT_SEED", "generate_sample", "main"]

log = logging.getLogger(__name__)

FILES = ("twitter.jsonl", "reddit.jsonl", "mastodon.json", "facebook.csv", "instagram.csv")
LABELS_FILE = "labels.jsonl"
MAX_TOTAL_BYTES = 10 * 1024 * 1024


def write_files(items: list[Item], out_dir: Path, rng: random.Random) -> dict[str, int]:
    """Write the five raw files and labels.jsonl; return the number of items per file."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written = {
        "twitter.jsonl": write_twitter(items, out_dir, rng),
        "reddit.jsonl": write_reddit(items, out_dir),
        "mastodon.json": write_mastodon(items, out_dir),
        "facebook.csv": write_facebook(items, out_dir),
        "instagram.csv": write_instagram(items, out_dir, rng),
    }
    counts = {name: len(posts) for name, posts in written.items()}
    labels = [item for posts in written.values() for item in posts]
    write_text(out_dir / LABELS_FILE, "".join(dumps(label(i)) + "\n" for i in labels))
    counts[LABELS_FILE] = len(labels)
    return counts


def generate_sample(out_dir: Path = SAMPLE_DIR, seed: int = DEFAULT_SEED) -> dict[str, int]:
    """Generate the sample dataset into `out_dir`; return the number of items per file.

    Parameters
    ----------
    out_dir : Path
        Folder to write twitter.jsonl, reddit.jsonl, mastodon.json, facebook.csv,
        instagram.csv and labels.jsonl into (created if missing; files are overwritten).
    seed : int
        Seed for every random choice; the same seed gives byte-identical files.

    Returns
    -------
    dict of str to int
        Items per raw file (each post counted once, duplicates and malformed rows included),
        and the number of label lines under "labels.jsonl".
    """
    out_dir = Path(out_dir)
    simulation = Simulation(seed)
    items = simulation.run()
    counts = write_files(items, out_dir, random.Random(seed + 1))
    size = sum((out_dir / name).stat().st_size for name in (*FILES, LABELS_FILE))
    if size > MAX_TOTAL_BYTES:
        raise RuntimeError(
            f"sample is {size / 1e6:.1f} MB, over the {MAX_TOTAL_BYTES / 1e6:.0f} MB budget"
        )
    log.info("sample written to %s: %s (%.1f MB)", out_dir, counts, size / 1e6)
    return counts


def main(argv: list[str] | None = None) -> None:
    """Command-line entry point: `python -m toolkit.sample.generator [--out DIR] [--seed N]`."""
    parser = argparse.ArgumentParser(description="Generate the bundled Nimbus Home sample dataset.")
    parser.add_argument(
        "--out", type=Path, default=SAMPLE_DIR, help="output folder (default: data/sample)"
    )
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="random seed")
    args = parser.parse_args(argv)
    counts = generate_sample(args.out, args.seed)
    for name, count in counts.items():
        print(f"{name:16s} {count:6d}")


if __name__ == "__main__":
    main()
