"""What the gate reports: `Finding` (masked when printed), `GateError`, the messages of a
blocked build, the private findings file that shows each hit in context, and blocked builds
kept privately."""

from __future__ import annotations

import datetime as dt
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from toolkit.privacy.detect.entities import CREDIT_CARD, EMAIL_ADDRESS, PHONE_NUMBER

USER_ID = "USER_ID"
POST_ID = "POST_ID"
DATE_OF_BIRTH = "DATE_OF_BIRTH"
#: An absolute path of the machine that built the report (it names the analyst, or where the
#: pseudonymisation key is).
LOCAL_PATH = "LOCAL_PATH"
UNSCANNABLE = "UNSCANNABLE_DATA"
MAX_MESSAGE_LINES = 50
FINDINGS_FILE = "findings.txt"
#: Blocked builds kept per dataset (older ones are removed).
KEEP_BLOCKED = 3


@dataclass
class Finding:
    """One suspected leak. `match` is masked, so printing a finding leaks nothing; `value` and
    `context` hold the raw text for the private findings file only (never in repr)."""

    file: str
    position: int | str
    entity_type: str
    match: str
    reason: str = ""
    value: str = field(default="", repr=False, compare=False)
    context: str = field(default="", repr=False, compare=False)

    def __str__(self) -> str:
        return f"{self.file}:{self.position}: {self.entity_type} {self.match}"


class GateError(RuntimeError):
    """A report folder contains personal data; the message lists the findings (masked)."""

    def __init__(self, message: str, findings: list[Finding] | None = None):
        super().__init__(message)
        self.findings = findings or []


def mask(value: str, entity_type: str) -> str:
    """A value as findings print it: only the first two characters of each part, e.g.
    'da***@ex***'."""
    value = " ".join(value.split())
    if entity_type == EMAIL_ADDRESS and "@" in value:
        local, domain = value.split("@", 1)
        return f"{local[:2]}***@{domain[:2]}***"
    if entity_type == LOCAL_PATH:
        return value[:6] + "***"
    if entity_type in (PHONE_NUMBER, CREDIT_CARD, USER_ID, POST_ID):
        return value[:2] + "***"
    return " ".join(token[:2] + "***" for token in value.split()[:4])


def summary_message(findings: list[Finding], where: Path | str) -> str:
    """The first lines of a gate failure: the count, then one masked line per finding."""
    lines = [str(f) for f in findings[:MAX_MESSAGE_LINES]]
    if len(findings) > MAX_MESSAGE_LINES:
        lines.append(f"... and {len(findings) - MAX_MESSAGE_LINES} more")
    return (
        f"privacy gate: {len(findings)} possible personal-data leak(s) in {where}:\n"
        + "\n".join(lines)
    )


ALLOWLIST_HELP = (
    "If a hit is a false alarm (an ordinary word, a public or organisation account, a brand "
    "post id, a brand contact), add it to `brand.allowlist` in {config} and run again; "
    "if it is personal data, fix the notebook or table that published it."
)


def write_findings(findings: list[Finding], path: Path | str, report_dir: str = "") -> Path:
    """Write every finding with its context and reason to a private file (0600).

    The file shows the values (it is private, next to the blocked build), so a false alarm
    can be told from a leak without patching the tool.
    """
    from toolkit.core.private_files import FILE_MODE, private_umask

    path = Path(path)
    lines = [
        f"privacy gate: {len(findings)} possible personal-data leak(s)"
        + (f" in {report_dir}" if report_dir else ""),
        "Private file: it shows each hit (between [[ ]]) with the words around it, and why it",
        "matched. " + ALLOWLIST_HELP.format(config="the config"),
        "",
    ]
    for f in findings:
        lines.append(f"{f.file}:{f.position}: {f.entity_type} {f.value or f.match}")
        lines.append(f"    why: {f.reason or 'matched'}")
        if f.context:
            lines.append(f"    context: {f.context}")
        lines.append("")
    with private_umask():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("\n".join(lines), encoding="utf-8")
    path.chmod(FILE_MODE)
    return path


def keep_blocked(
    report_dir: Path | str,
    findings: list[Finding],
    private_dir: Path | str,
    keep: int = KEEP_BLOCKED,
) -> Path:
    """Move a blocked build into `private_dir/blocked/<UTC time>/report` (folders 0700, files
    0600) with `findings.txt` beside it; keep the newest `keep` blocked builds.

    Returns the folder holding ``report/`` and ``findings.txt``.
    """
    from toolkit.core.private_files import make_private, private_umask

    root = make_private(Path(private_dir) / "blocked")
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%fZ")
    dest = root / stamp
    with private_umask():
        dest.mkdir(parents=True)
        shutil.move(str(report_dir), str(dest / "report"))
    write_findings(findings, dest / FINDINGS_FILE, str(report_dir))
    make_private(dest)
    for old in sorted(p for p in root.iterdir() if p.is_dir())[:-keep]:
        shutil.rmtree(old, ignore_errors=True)
    return dest


def blocked_message(findings: list[Finding], kept: Path, config: Path | str | None) -> str:
    """The message of a report the gate stopped: masked findings, where the build is kept,
    where the findings file is, and how to allowlist a false alarm."""
    return (
        summary_message(findings, "the report")
        + f"\nThe blocked build is kept (private, 0700) in {kept / 'report'}; every hit with the "
        f"words around it and why it matched: {kept / FINDINGS_FILE}\n"
        + ALLOWLIST_HELP.format(config=config or "the config")
    )
