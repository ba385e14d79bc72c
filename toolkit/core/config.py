"""The per-dataset YAML config (validated on load).

A config describes one dataset: where its files are, which accounts are the brand's,
campaigns, timezone, analysis parameters and privacy settings. Relative paths in a
config are resolved against the folder the config file is in; the working and report
folders are found through the config's project folder (`toolkit.core.paths`).
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from toolkit.core.paths import (
    DEFAULT_CONFIG,
    WorkLayout,
    notebooks_dir,
    project_dir_of,
    reports_root,
    work_root,
)

#: Documented, public demo key. Only configs that set `privacy.allow_demo_key: true`
#: (the bundled sample) may use it; it protects nothing and must never be used on real data.
DEMO_HMAC_KEY = "toolkit-demo-key-for-the-bundled-sample-only"

FORMATS = (
    "auto",
    "twarc2",
    "reddit",
    "mastodon",
    "crowdtangle",
    "x_archive",
    "bluesky",
    "youtube",
    "csv",
    "jsonl",
    "parquet",
)


class ConfigError(ValueError):
    """A config file is missing, malformed or inconsistent; the message names the key."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


#: Ingest limits (see docs/ingest.md): one record (JSON line, CSV row) and one post text at most
#: this big; a gzip / zip stream may decompress to at most max(floor, ratio x compressed size).
MAX_RECORD_BYTES = 16 * 1024 * 1024
MAX_TEXT_CHARS = 100_000
MAX_DECOMPRESSION_RATIO = 200
DECOMPRESSED_FLOOR_BYTES = 256 * 1024 * 1024
#: Timestamps later than the run time plus this are implausible (clock skew allowance).
FUTURE_SKEW_HOURS = 24.0
#: A source that loads nothing, or rejects more than this share of its rows, stops the run.
MAX_REJECT_SHARE = 0.5


class Source(_Strict):
    """One input file."""

    path: Path
    format: Literal[FORMATS] = "auto"  # type: ignore[valid-type]
    platform: str | None = Field(None, description="Platform slug, needed for generic formats.")
    mapping: dict[str, str] = Field(
        default_factory=dict, description="canonical column -> source column"
    )
    timestamp_format: str | None = None
    allow_rejects: bool = Field(
        False,
        description="true: keep going when this source loads nothing or rejects most of its rows",
    )


class IngestLimits(_Strict):
    """Limits that keep one hostile or broken file from taking the machine."""

    max_record_bytes: int = Field(
        MAX_RECORD_BYTES, ge=1024, description="one JSON line / CSV row at most this many bytes"
    )
    max_text_chars: int = Field(
        MAX_TEXT_CHARS, ge=1, description="one post's text at most this many characters"
    )
    max_decompression_ratio: float = Field(
        MAX_DECOMPRESSION_RATIO,
        gt=1,
        description="a gzip / zip stream may decompress to this many times its compressed size",
    )
    decompressed_floor_bytes: int = Field(
        DECOMPRESSED_FLOOR_BYTES,
        ge=0,
        description="... or to this many bytes, whichever is more",
    )
    future_skew_hours: float = Field(
        FUTURE_SKEW_HOURS, ge=0, description="timestamps later than now + this are rejected"
    )
    max_reject_share: float = Field(
        MAX_REJECT_SHARE,
        gt=0,
        le=1,
        description="a source rejecting more than this share of its rows stops the run",
    )


class Period(_Strict):
    start: dt.date | None = None
    end: dt.date | None = None

    @model_validator(mode="after")
    def _ordered(self):
        if self.start and self.end and self.end < self.start:
            raise ValueError("period.end is before period.start")
        return self


class Brand(_Strict):
    name: str
    aliases: list[str] = Field(
        default_factory=list, description="other names customers use, e.g. Nimbus"
    )
    accounts: dict[str, list[str]] = Field(description="platform -> the brand's own handles")
    timezone: str = "UTC"
    allowlist: list[str] = Field(
        default_factory=list,
        description="values the privacy gate lets through: public contacts (emails, phones), "
        "words, names, handles and post ids that are not personal data (false alarms)",
    )

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown timezone {value!r}") from exc
        return value

    def names(self) -> list[str]:
        """The brand's name and aliases, as customers write them in posts."""
        return [self.name, *self.aliases]

    def handles(self, platform: str | None = None) -> set[str]:
        """Lower-cased brand handles, for one platform or all."""
        groups = [self.accounts.get(platform, [])] if platform else self.accounts.values()
        return {h.lower().lstrip("@") for group in groups for h in group}

    def terms(self) -> list[str]:
        """Names and aliases, then every handle (sorted): what names the brand in a post."""
        return [*self.names(), *sorted(self.handles())]


class Campaign(_Strict):
    name: str
    hashtags: list[str] = Field(default_factory=list)
    offer_codes: list[str] = Field(default_factory=list)
    start: dt.date
    end: dt.date

    @model_validator(mode="after")
    def _ordered(self):
        if self.end < self.start:
            raise ValueError(f"campaign {self.name!r}: end is before start")
        return self


class TopicParams(_Strict):
    min_topic_size: float = Field(
        0.03,
        gt=0,
        description="smallest topic: a share of the posts (< 1) or a number of posts (>= 2)",
    )
    nr_topics: int | None = Field(
        None, ge=2, description="merge down to this many topics; null = as found"
    )
    max_docs: int = Field(
        20000, ge=100, description="fit on at most this many posts, assign the rest"
    )

    @field_validator("min_topic_size")
    @classmethod
    def _size(cls, value: float) -> float:
        if 1 <= value < 2 or (value >= 2 and value != int(value)):
            raise ValueError("use a share in (0, 1) or a whole number of posts >= 2")
        return int(value) if value >= 2 else value


class Analysis(_Strict):
    seed: int = 42
    threads: int = Field(1, ge=1)
    response_sla_hours: float = Field(24.0, gt=0)
    topics: TopicParams = TopicParams()
    embedding_model: Literal["auto", "minilm", "static"] = Field(
        "auto",
        description="minilm: the bundled sentence-transformer; static: model2vec distilled from it, "
        "mapped into minilm's space by a map fitted on 2,000 of the corpus's posts: far faster, "
        "less accurate (figures in docs/topics.md); auto: minilm up to 20,000 posts to model, static above",
    )


class Privacy(_Strict):
    min_group_size: int = Field(
        10, ge=1, description="k: cells with fewer distinct authors are suppressed"
    )
    key_env: str = Field(
        "TOOLKIT_HMAC_KEY", description="environment variable holding the HMAC key"
    )
    key_file: Path | None = Field(
        None,
        description="file holding the HMAC key (permissions 0600 or stricter); used if key_env is unset",
    )
    allow_demo_key: bool = False
    quotes: Literal["none", "redacted", "full"] = Field(
        "none",
        description="customer post text in reports: none, redacted excerpts, or full text (personal data still removed)",
    )
    order_patterns: list[str] = Field(
        default_factory=list,
        description="extra regexes for your order / account / ticket numbers; a group named `id` marks the span",
    )
    phone_regions: list[str] = Field(
        default_factory=list,
        description="ISO regions whose national phone formats are recognised; empty = defaults",
    )
    public_accounts: list[str] = Field(
        default_factory=list,
        description="organisation and service accounts that keep their handles (not people), added "
        "to the shipped list toolkit/resources/public_accounts.txt (@twitter, @google, ...)",
    )
    ner_model: str = Field(
        "auto",
        description="statistical NER layer (people, places, organisations, dates, groups): auto (the bundled "
        "tweet model), tweets, en_core_web_sm, a spaCy pipeline folder, or off",
    )

    @field_validator("order_patterns")
    @classmethod
    def _compiles(cls, patterns: list[str]) -> list[str]:
        import re

        for pattern in patterns:
            try:
                re.compile(pattern)
            except re.error as exc:
                raise ValueError(f"not a valid regular expression {pattern!r}: {exc}") from exc
        return patterns

    @field_validator("phone_regions")
    @classmethod
    def _regions(cls, regions: list[str]) -> list[str]:
        bad = [r for r in regions if not (len(r) == 2 and r.isalpha() and r.isupper())]
        if bad:
            raise ValueError(f"phone regions are two-letter ISO codes such as GB or US, not {bad}")
        return regions


class Config(_Strict):
    name: str = Field(
        description="names the working and report folders: a plain folder name of letters, "
        'digits, "_", "-" and "." that does not start with "."'
    )
    sources: list[Source] = Field(min_length=1)
    period: Period = Period()
    brand: Brand
    competitors: dict[str, list[str]] = Field(
        default_factory=dict, description="competitor name -> the names and handles that mention it"
    )
    campaigns: list[Campaign] = Field(default_factory=list)
    scope: Literal["all", "brand"] = Field(
        "all",
        description="all: every post of the sources; brand: only the brand's posts and the "
        "posts that address it (mentions, names, replies, its conversations)",
    )
    analysis: Analysis = Analysis()
    privacy: Privacy = Privacy()
    compare_to: Path | None = Field(
        None,
        description="a previous report to compare this period with: its name (a folder of the "
        "reports folder, e.g. sample-previous), its folder or its manifest.json; null = none",
    )
    ingest: IngestLimits = IngestLimits()
    engine: Literal["local", "dask"] = Field(
        "local", description="local: this process; dask: a Dask cluster"
    )
    scheduler: str | None = Field(
        None,
        description="engine: dask only: the scheduler address (tcp://host:port); null = a local cluster",
    )
    #: Where the config file lives; not part of the YAML.
    path: Path | None = Field(None, exclude=True)

    @field_validator("name")
    @classmethod
    def _plain_name(cls, value: str) -> str:
        # The name becomes reports/<name>/ and data/processed/<name>/: "." or ".." would put
        # them in the parent folder, a leading dot hides them (and collides with the build's
        # own .<name>.staging-PID folders), a separator nests them elsewhere.
        if not re.fullmatch(r"[A-Za-z0-9_-][A-Za-z0-9_.-]*", value):
            raise ValueError(
                f"{value!r} is not a plain folder name: use letters, digits, '_', '-' and '.', "
                "not starting with '.' (e.g. name: acme-2026)"
            )
        return value

    @property
    def project_dir(self) -> Path:
        """The project folder of this config (`toolkit.core.paths.project_dir_of`)."""
        return project_dir_of(self.path)

    @property
    def work_dir(self) -> Path:
        """Private working folder (Parquet, caches, rejects) for this dataset; outside git."""
        return work_root(self.project_dir) / self.name

    @property
    def work(self) -> WorkLayout:
        """The files of the working folder (posts, rejects, private/identifiers.json, ...)."""
        return WorkLayout(self.work_dir)

    @property
    def report_dir(self) -> Path:
        return reports_root(self.project_dir) / self.name

    @property
    def notebooks_dir(self) -> Path:
        """The report's notebooks: the notebooks/ folder of the config's project."""
        return notebooks_dir(self.project_dir)

    @property
    def timezone(self) -> ZoneInfo:
        return ZoneInfo(self.brand.timezone)

    def public_names(self) -> list[str]:
        """Names the privacy gate allows in reports: the brand's names, handles and public
        contacts, and the competitors' names and handles (organisations, not customers)."""
        competitors = [term for name, terms in self.competitors.items() for term in (name, *terms)]
        return sorted(
            {*self.brand.names(), *self.brand.handles(), *self.brand.allowlist, *competitors}
        )


def load_config(path: str | Path = DEFAULT_CONFIG) -> Config:
    """Read, validate and resolve a YAML config; raise ConfigError naming the bad key."""
    path = Path(path).resolve()
    if not path.is_file():
        raise ConfigError(f"config file not found: {path}")
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path.name}: not valid YAML: {exc}") from exc
    if not isinstance(raw, dict):
        raise ConfigError(f"{path.name}: expected a mapping at the top level")
    try:
        config = Config.model_validate({**raw, "path": path})
    except ValidationError as exc:
        raise ConfigError(f"{path.name}: {_explain(exc)}") from None
    return _resolve_compare_to(_resolve_sources(config, path.parent), path.parent)


def _explain(exc: ValidationError) -> str:
    lines = []
    for err in exc.errors():
        key = ".".join(str(p) for p in err["loc"]) or "(top level)"
        msg = "unknown key" if err["type"] == "extra_forbidden" else err["msg"]
        msg = msg.removeprefix("Value error, ")
        lines.append(f"{key}: {msg}")
    return "; ".join(lines)


def _resolve_sources(config: Config, base: Path) -> Config:
    sources = []
    for i, src in enumerate(config.sources):
        resolved = src.path if src.path.is_absolute() else (base / src.path).resolve()
        if not resolved.exists():
            raise ConfigError(f"sources.{i}.path: file not found: {resolved}")
        if not resolved.is_file():
            raise ConfigError(
                f"sources.{i}.path: {resolved} is a folder, not a file: list each file of it as "
                "its own source"
            )
        sources.append(src.model_copy(update={"path": resolved}))
    return config.model_copy(update={"sources": sources})


def _resolve_compare_to(config: Config, base: Path) -> Config:
    """`compare_to` as an absolute report folder: a plain name is a report of the reports folder
    (`toolkit.core.paths.reports_root` of the config's project, as `toolkit run` writes it), a path is relative to the config's folder, and a
    manifest.json names its folder. Whether a report is there, and whether it can be compared,
    is checked when a report is built (`toolkit.analysis.compare.previous_report`): the notebooks must
    still open without it."""
    target = config.compare_to
    if target is None:
        return config
    if str(target) in ("", "."):
        raise ConfigError("compare_to: empty: name the previous report (or leave the key out)")
    if len(target.parts) == 1 and not str(target).startswith(("~", ".")):
        target = reports_root(project_dir_of(config.path)) / target
    target = target.expanduser()
    target = target if target.is_absolute() else (base / target).resolve()
    if target.name == "manifest.json":
        target = target.parent
    elif target.suffix == ".json":
        raise ConfigError(
            f"compare_to: {target.name} is not a report's manifest.json: name the previous "
            "report's folder or its manifest.json"
        )
    return config.model_copy(update={"compare_to": target})
