"""Period over period: what changed since a previous report (config `compare_to`).

A report's comparison reads only what the previous report published (its `manifest.json`,
`findings.json` and `tables/topics.csv`) plus the previous period's saved topic model from the
working data (`<work dir>/<previous name>/models/topics`, never published), which the previous
manifest identifies by hash:

- `metric_changes`: volume (posts per day), tone (share of negative posts), response rate,
  median response time and replies within the target, previous vs this period;
- `campaign_changes`: each campaign's uptake (posts and authors using its hashtag or code) in
  either period;
- `match_topics`: this period's posts are assigned to the previous period's topics with the
  previous model (`TopicModel.transform`); a topic of this period whose posts fall mostly
  (`MATCH_SHARE`) into one previous topic is that topic again, and is grown, shrunk or steady
  by its share of posts; unmatched topics are new, previous topics that no topic matches are gone.

Only topics published in both periods' topic tables are compared (small topics are suppressed
there), so the comparison publishes nothing the two reports did not.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import html
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from toolkit.core.config import Config, ConfigError

#: A topic of this period is a previous topic again when at least this share of its posts is
#: assigned to that topic by the previous period's model.
MATCH_SHARE = 0.5
#: A matched topic has grown (shrunk) when its share of posts is at least this many times
#: (at most 1 / this) its previous share, and moved by at least MIN_POINTS.
GROWTH_RATIO = 1.25
MIN_POINTS = 0.01
#: A rate that moved by less than this (in points of share) or a count / time that moved by
#: less than this relative change is reported as "about the same".
STEADY_POINTS = 0.01
STEADY_RELATIVE = 0.05
MODEL_FILES = ("toolkit_topics.json", "toolkit_centroids.safetensors")
STATUS_ORDER = ("new", "grown", "steady", "shrunk", "gone")


@dataclass
class Previous:
    """A previous report, checked and loaded for comparison."""

    folder: Path
    manifest: dict
    findings: dict
    topics: pd.DataFrame | None = None
    model_dir: Path | None = None
    #: Why the topics cannot be matched (None when they can).
    model_note: str | None = None
    manifest_sha256: str = ""
    extra: dict = field(default_factory=dict)

    @property
    def period(self) -> dict:
        return self.manifest.get("data_period") or {}

    def record(self) -> dict:
        """What this report's manifest records about the previous one: its name, fingerprint,
        manifest hash, period and topic model hash; no local paths."""
        return {
            "report": self.manifest.get("report"),
            "fingerprint": self.manifest.get("fingerprint"),
            "manifest_sha256": self.manifest_sha256,
            "created_at": self.manifest.get("created_at"),
            "data_period": self.period,
            "topic_model_sha256": (self.manifest.get("topic_model") or {}).get("sha256"),
            "topics_matched": self.model_note is None,
        }


def topic_model_hash(model_dir: Path) -> str | None:
    """SHA-256 over a saved topic model's own files (topics and centroids), or None."""
    model_dir = Path(model_dir)
    files = [model_dir / name for name in MODEL_FILES if (model_dir / name).is_file()]
    if not files:
        return None
    digest = hashlib.sha256()
    for path in files:
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def previous_report(config: Config) -> Previous | None:
    """The report `config.compare_to` names, checked; None when no comparison is configured.

    Raises ConfigError (one line) when there is no report there, or it cannot be compared:
    this report itself, another brand, or a period that does not end before this one starts.
    A topic model that is missing or changed since the previous report is not an error: the
    comparison then says its topics cannot be matched (`Previous.model_note`).
    """
    folder = config.compare_to
    if folder is None:
        return None
    if folder.resolve() == config.report_dir.resolve():
        raise ConfigError(
            f"compare_to: {folder} is this report itself: name the previous period's report"
        )
    manifest_path = folder / "manifest.json"
    if not manifest_path.is_file():
        raise ConfigError(
            f"compare_to: no report at {folder} (no manifest.json): build the previous "
            "period's report first (toolkit run <its config>)"
        )
    raw = manifest_path.read_bytes()
    manifest = _json(raw, f"compare_to: {manifest_path} is not a readable manifest")
    findings_path = folder / "findings.json"
    if not findings_path.is_file():
        raise ConfigError(f"compare_to: {folder} has no findings.json: rebuild that report")
    findings = _json(findings_path.read_bytes(), f"compare_to: {findings_path} is not readable")
    brand = ((manifest.get("config") or {}).get("brand") or {}).get("name")
    if brand != config.brand.name:
        raise ConfigError(
            f"compare_to: the report at {folder} is about {brand!r}, not {config.brand.name!r}"
        )
    period = manifest.get("data_period") or {}
    if config.period.start and period.get("end") and period["end"] >= str(config.period.start):
        raise ConfigError(
            f"compare_to: the report at {folder} covers {period.get('start')} to "
            f"{period['end']}, which does not end before this period starts "
            f"({config.period.start})"
        )
    previous = Previous(
        folder=folder,
        manifest=manifest,
        findings=findings,
        manifest_sha256=hashlib.sha256(raw).hexdigest(),
    )
    topics_csv = folder / "tables" / "topics.csv"
    if topics_csv.is_file():
        previous.topics = pd.read_csv(topics_csv)
    model_dir = config.work_dir.parent / str(manifest.get("report")) / "models" / "topics"
    expected = (manifest.get("topic_model") or {}).get("sha256")
    found = topic_model_hash(model_dir)
    if previous.topics is None:
        previous.model_note = "the previous report published no topic table"
    elif found is None:
        previous.model_note = (
            "the previous period's topic model is not in this machine's working data: "
            "rebuild the previous report here to match topics"
        )
    elif expected is None or found != expected:
        previous.model_note = (
            "the previous period's topic model changed after its report was built: "
            "rebuild the previous report to match topics"
        )
    else:
        previous.model_dir = model_dir
    return previous


def _json(raw: bytes, message: str) -> dict:
    try:
        value = json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise ConfigError(message) from None
    if not isinstance(value, dict):
        raise ConfigError(message)
    return value


# ------------------------------------------------------------------ volume, tone, response
def days_covered(findings: dict) -> int | None:
    """Days from the first to the last day of the posts (both included), or None."""
    try:
        start = dt.date.fromisoformat(str(findings["period_start"])[:10])
        end = dt.date.fromisoformat(str(findings["period_end"])[:10])
    except (KeyError, ValueError):
        return None
    return (end - start).days + 1


def _per_day(findings: dict) -> float | None:
    days, posts = days_covered(findings), findings.get("scope_posts")
    return None if not days or posts is None else posts / days


#: measure -> (how to read it from findings, "share" (compared in points) or "amount"
#: (compared relatively), whether a rise is good news).
MEASURES = {
    "Posts per day": (_per_day, "amount", None),
    "Share of negative posts": (lambda f: f.get("tone_share_negative"), "share", False),
    "Requests the brand answered": (lambda f: f.get("response_rate"), "share", True),
    "Median time to first reply (hours)": (
        lambda f: f.get("response_median_hours"),
        "amount",
        False,
    ),
    "Requests answered within the target": (lambda f: f.get("response_within_sla"), "share", True),
}


def _number(value) -> float | None:
    if value is None:
        return None
    try:
        value = float(value)
    except (TypeError, ValueError):
        return None
    return value if np.isfinite(value) else None


def metric_changes(previous: dict, current: dict) -> pd.DataFrame:
    """One row per measure: previous and current value, the change (points of share for
    rates, relative for amounts) and its direction (up, down, about the same, or
    not comparable when either period lacks the measure)."""
    rows = []
    for measure, (read, kind, rise_is_good) in MEASURES.items():
        before, now = _number(read(previous)), _number(read(current))
        change = direction = None
        if before is None or now is None:
            direction = "not comparable"
        else:
            if kind == "share":
                change = now - before
                steady = abs(change) < STEADY_POINTS
            elif before == 0:
                change, steady = None, now == 0
            else:
                change = now / before - 1
                steady = abs(change) < STEADY_RELATIVE
            direction = "about the same" if steady else ("up" if now > before else "down")
        rows.append(
            {
                "measure": measure,
                "previous": before,
                "current": now,
                "change": change,
                "change_kind": "points" if kind == "share" else "relative",
                "direction": direction,
                "better": None
                if rise_is_good is None or direction not in ("up", "down")
                else (direction == "up") == rise_is_good,
            }
        )
    return pd.DataFrame(rows)


def campaign_changes(previous: dict, current: dict) -> pd.DataFrame:
    """Each campaign of either period: its uptake (posts and distinct authors using its
    hashtags or codes) before and now, and in which periods it ran."""
    before = {c["name"]: c for c in previous.get("campaigns") or [] if c.get("name")}
    now = {c["name"]: c for c in current.get("campaigns") or [] if c.get("name")}
    rows = []
    for name in [*now, *(n for n in before if n not in now)]:
        b, c = before.get(name) or {}, now.get(name) or {}
        ran = "both periods" if b and c else ("this period only" if c else "previous period only")
        rows.append(
            {
                "campaign": name,
                "ran": ran,
                "uptake_posts_before": b.get("uptake_posts"),
                "uptake_posts_now": c.get("uptake_posts"),
                "uptake_authors_before": b.get("uptake_authors"),
                "uptake_authors_now": c.get("uptake_authors"),
            }
        )
    columns = ["campaign", "ran", "uptake_posts_before", "uptake_posts_now",
               "uptake_authors_before", "uptake_authors_now"]  # fmt: skip
    return pd.DataFrame(rows, columns=columns)


# ------------------------------------------------------------------ topics
def _published(table: pd.DataFrame | None) -> pd.DataFrame:
    """Topic rows a report published with their figures (not suppressed, not 'no topic')."""
    if table is None or table.empty:
        return pd.DataFrame(columns=["topic", "label", "share", "size", "n_authors"])
    keep = table[(table["topic"] != -1) & table["share"].notna() & table["size"].notna()]
    return keep[["topic", "label", "share", "size", "n_authors"]].reset_index(drop=True)


def match_topics(
    previous_labels: np.ndarray,
    current_labels: np.ndarray,
    previous_topics: pd.DataFrame | None,
    current_topics: pd.DataFrame | None,
    match_share: float = MATCH_SHARE,
) -> pd.DataFrame:
    """New, grown, steady, shrunk and gone topics.

    Parameters
    ----------
    previous_labels : the previous period's topic of each post of this period (its model's
        `transform`; -1 for none).
    current_labels : this period's topic of each of the same posts.
    previous_topics, current_topics : the two reports' published topic tables (`topics.csv`:
        topic, label, size, share, n_authors); suppressed rows are left out.
    match_share : see `MATCH_SHARE`.

    Returns
    -------
    DataFrame, one row per compared topic: status, label (this period's, or the previous one
    for a gone topic), previous_label, share_before, share_now, change (points), match_share
    (share of the topic's posts the previous model puts in its match), n_posts, n_authors.
    Ordered new, grown, steady, shrunk, gone; by size within each.
    """
    previous_labels = np.asarray(previous_labels)
    current_labels = np.asarray(current_labels)
    if len(previous_labels) != len(current_labels):
        raise ValueError("previous_labels and current_labels must describe the same posts")
    before = _published(previous_topics).set_index("topic")
    now = _published(current_topics)
    matches = {}
    for topic in now["topic"]:
        mine = previous_labels[current_labels == topic]
        mine = mine[mine != -1]
        if not len(mine):
            continue
        ids, counts = np.unique(mine, return_counts=True)
        best = int(np.argmax(counts))
        share = counts[best] / (current_labels == topic).sum()
        if share >= match_share and int(ids[best]) in before.index:
            matches[int(topic)] = (int(ids[best]), float(share))
    combined = {}
    for topic, (prev, _) in matches.items():
        combined[prev] = combined.get(prev, 0.0) + float(
            now.loc[now["topic"] == topic, "share"].iloc[0]
        )
    rows = []
    for row in now.itertuples(index=False):
        match = matches.get(int(row.topic))
        base = {"label": row.label, "share_now": float(row.share), "n_posts": int(row.size),
                "n_authors": int(row.n_authors)}  # fmt: skip
        if match is None:
            rows.append({**base, "status": "new", "previous_label": None, "share_before": None,
                         "match_share": None})  # fmt: skip
            continue
        prev, share = match
        was = float(before.loc[prev, "share"])
        rows.append({**base, "status": _growth(was, combined[prev]),
                     "previous_label": before.loc[prev, "label"], "share_before": was,
                     "match_share": share})  # fmt: skip
    for prev, row in before.iterrows():
        if prev not in combined:
            rows.append({"status": "gone", "label": row["label"], "previous_label": row["label"],
                         "share_before": float(row["share"]), "share_now": None,
                         "match_share": None, "n_posts": None, "n_authors": None})  # fmt: skip
    columns = ["status", "label", "previous_label", "share_before", "share_now", "change",
               "match_share", "n_posts", "n_authors"]  # fmt: skip
    if not rows:
        return pd.DataFrame(columns=columns)
    table = pd.DataFrame(rows)
    table["change"] = table["share_now"].astype(float) - table["share_before"].astype(float)
    table["_order"] = table["status"].map(STATUS_ORDER.index)
    table["_size"] = table["share_now"].fillna(table["share_before"])
    table = table.sort_values(["_order", "_size"], ascending=[True, False], kind="stable")
    return table[columns].reset_index(drop=True)


def _growth(before: float, now: float) -> str:
    if now >= before * GROWTH_RATIO and now - before >= MIN_POINTS:
        return "grown"
    if now * GROWTH_RATIO <= before and before - now >= MIN_POINTS:
        return "shrunk"
    return "steady"


def previous_topic_labels(
    config: Config, previous: Previous, texts: list[str], prepared: list[str] | None = None
) -> np.ndarray:
    """The previous period's topic of each of `texts` (posts of this period), with the
    previous period's saved model; embeddings come from this dataset's cache where present.
    `prepared`: the texts as this period's model embedded them (its `prepared_`), used when
    both models clean alike (same brand terms), so the personal-data detector does not run
    over them again."""
    from toolkit.analysis.topics.embeddings import EmbeddingCache, embedder_for_saved
    from toolkit.analysis.topics.model import TopicModel

    saved = json.loads((previous.model_dir / "toolkit_topics.json").read_text(encoding="utf-8"))
    name = str(saved.get("params", {}).get("embedding_model"))
    embedder = embedder_for_saved(name, threads=config.analysis.threads)
    cache = EmbeddingCache(config.work_dir / "cache" / "embeddings", embedder)
    model = TopicModel.load(previous.model_dir, cache=cache)
    if prepared is not None and set(model.brand_terms) != set(config.brand.terms()):
        prepared = None
    return model.transform(texts, prepared=prepared)


# ------------------------------------------------------------------ findings
def findings(
    previous: Previous, metrics: pd.DataFrame, topics: pd.DataFrame | None, campaigns: pd.DataFrame
) -> dict:
    """What the brief and the tests read (recorded as `compare_*` findings)."""

    def labels(status):
        if topics is None or topics.empty:
            return []
        return topics.loc[topics["status"] == status, "label"].tolist()

    return {
        "compare_status": "ok",
        "compare_previous_report": previous.manifest.get("report"),
        "compare_previous_period": previous.period,
        "compare_metrics": {
            r.measure: {
                "previous": _number(r.previous),
                "current": _number(r.current),
                "change": _number(r.change),
                "change_kind": r.change_kind,
                "direction": r.direction,
            }  # fmt: skip
            for r in metrics.itertuples(index=False)
        },
        "compare_topics_matched": topics is not None,
        "compare_topics_note": previous.model_note,
        "compare_topics": {s: labels(s) for s in STATUS_ORDER},
        "compare_campaigns": campaigns.replace({np.nan: None}).to_dict(orient="records"),
    }


def no_comparison() -> dict:
    """The findings of a report that compares with nothing (clears any earlier comparison)."""
    return {"compare_status": "none"}


def describe_change(row) -> str:
    """One metric change in words: '+12%', '-3.1 points', 'about the same', 'not comparable'."""
    if row["direction"] in ("not comparable", "about the same") or row["change"] is None:
        return row["direction"]
    if row["change_kind"] == "points":
        return f"{row['change'] * 100:+.1f} points"
    return f"{row['change']:+.0%}"


# ------------------------------------------------------------------ for the notebook
def current_posts_and_topics(session) -> tuple[list[str], np.ndarray, list[str] | None]:
    """This period's modelled posts (texts), their topics and their texts as 02_topics
    embedded them (None when the assignments do not carry them), from the assignments
    02_topics kept in the private working data."""
    assignments = pd.read_parquet(session.private_path("topic_assignments"))
    posts = session.posts[["platform", "post_id", "text"]]
    joined = assignments.merge(posts, on=["platform", "post_id"], how="inner")
    prepared = joined["prepared_text"].tolist() if "prepared_text" in joined else None
    return joined["text"].fillna("").tolist(), joined["topic_id"].to_numpy(), prepared


#: Characters Markdown reads as syntax (emphasis, links, code, math, tables).
MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]#|~$])")


def markdown_text(text) -> str:
    """Data text made safe to put in Markdown: HTML is escaped and Markdown syntax is shown
    literally (the escaping of `toolkit.report.brief.md`, kept here so that analysis needs no
    report code)."""
    return MARKDOWN_SPECIAL.sub(r"\\\1", html.escape(str(text), quote=False))


def summary_markdown(previous: Previous, metrics: pd.DataFrame, topics: pd.DataFrame | None,
                     current: dict) -> str:  # fmt: skip
    """The page's and the brief's opening lines: the two periods and what moved most."""
    period = previous.period
    lines = [
        f"Compared with the previous report (**{markdown_text(previous.manifest.get('report'))}**, "
        f"{period.get('start')} to {period.get('end')}; this period {current.get('period_start')} "
        f"to {current.get('period_end')}):",
        "",
    ]
    for row in metrics.to_dict(orient="records"):
        if row["direction"] == "not comparable":
            lines.append(f"- {row['measure']}: not comparable (missing in one period)")
            continue
        lines.append(
            f"- {row['measure']}: {_value(row['previous'], row['change_kind'])} → "
            f"{_value(row['current'], row['change_kind'])} ({describe_change(row)})"
        )
    if topics is not None and not topics.empty:
        for status, words in (("new", "New topics"), ("grown", "Grown"), ("shrunk", "Shrunk"),
                              ("gone", "Gone")):  # fmt: skip
            labels = topics.loc[topics["status"] == status, "label"].tolist()
            if labels:
                lines.append(
                    f"- {words}: " + ", ".join(f"*{markdown_text(label)}*" for label in labels)
                )
    return "\n".join(lines)


def _value(value, kind: str) -> str:
    if value is None or (isinstance(value, float) and not np.isfinite(value)):
        return "n/a"
    return f"{value:.0%}" if kind == "points" else f"{value:,.1f}"


def topics_takeaway(table: pd.DataFrame) -> str:
    """The topic chart's one-line caption: how many topics are new, grown, shrunk or gone, and
    the one whose share moved most."""
    counts = table["status"].value_counts()
    parts = [f"{int(counts[s])} {s}" for s in ("new", "grown", "shrunk", "gone") if counts.get(s)]
    line = ("Topics: " + ", ".join(parts) + "." if parts
            else "The topics are the same as in the previous period, at about the same size.")  # fmt: skip
    moved = table.assign(size=table["change"].abs()).dropna(subset=["size"])
    if len(moved):
        row = moved.loc[moved["size"].idxmax()]
        before, now = row["share_before"], row["share_now"]
        digits = 0 if min(before, now) >= 0.1 else 1
        line += f" Largest move: {row['label']}, {before:.{digits}%} → {now:.{digits}%} of posts."
    return line


def metrics_for_people(metrics: pd.DataFrame) -> pd.DataFrame:
    """The metric changes as a page shows them: shares as percentages, amounts with one
    decimal, the change in words."""
    return pd.DataFrame(
        {
            "measure": metrics["measure"],
            "previous period": [
                _value(v, k)
                for v, k in zip(metrics["previous"], metrics["change_kind"], strict=True)
            ],
            "this period": [
                _value(v, k)
                for v, k in zip(metrics["current"], metrics["change_kind"], strict=True)
            ],
            "change": metrics.apply(describe_change, axis=1),
        }
    )


def points(value) -> str | None:
    """A change of share in points ('+2.5 points'); None (shown as '–') when there is none."""
    value = _number(value)
    return None if value is None else f"{value * 100:+.1f} points"
