"""`scan_dir` and `check`: every artifact of a report folder read and scanned for customer
personal data (see the package docstring for what is read and how identifiers match)."""

from __future__ import annotations

import html
import logging
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from urllib.parse import unquote

from toolkit.privacy.detect.analyzer import Detector
from toolkit.privacy.gate.artifacts import (
    DATA_SUFFIXES,
    JPEG_SUFFIXES,
    JSON_SUFFIXES,
    PNG_SUFFIXES,
    TEXT_SUFFIXES,
    ShippedText,
    file_chunks,
    shipped_text,
)
from toolkit.privacy.gate.findings import UNSCANNABLE, Finding, GateError, mask, summary_message
from toolkit.privacy.gate.identifiers import Identifiers
from toolkit.privacy.gate.matching import Allowlist, Scanner
from toolkit.privacy.gate.text_keys import canon
from toolkit.privacy.pseudonymise import default_public_accounts

log = logging.getLogger(__name__)

_ENTITY = re.compile(r"&(?:#\d{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
_PERCENT = re.compile(r"%[0-9A-Fa-f]{2}")
_CONTEXT = 60


def scan_dir(
    report_dir: Path | str,
    identifiers: Identifiers,
    brand_allowlist: Iterable[str] = (),
    detector: Detector | None = None,
    shipped: ShippedText | None = None,
    local_paths: Iterable[str] = (),
    vendored: Mapping[str, Path] | None = None,
) -> list[Finding]:
    """Every suspected leak of customer personal data in a report folder.

    Parameters
    ----------
    report_dir : path
        Folder scanned recursively (except a `vendored` library file, e.g.
        assets/plotly.min.js, while it is byte-identical to the installed library's copy):
        .html/.htm/.svg as pages (content, not CSS or scripts),
        .csv/.tsv cell by cell, .json/.ipynb as JSON (all strings, outputs and metadata),
        .md/.txt/.xml/.yaml/.tex/.js/.css/.jsonl/... as text, .png text chunks and .jpg
        metadata segments; embedded base64 images are decoded and only their metadata
        scanned. Data files the gate cannot read (.parquet, .xlsx, .zip, .pkl, .pdf, ...) are
        findings of their own (UNSCANNABLE_DATA); other files (fonts, .gif, ...) are skipped
        and logged.
    identifiers : Identifiers
        From `collect_identifiers`.
    brand_allowlist : iterable of str
        Values allowed in reports: brand (and competitor) handles and names, brand emails and
        phone numbers, and words, handles or post ids checked to be false alarms. Identifier
        terms made only of these words and common words are ignored. Platform and service
        accounts (`toolkit.privacy.pseudonymise.default_public_accounts`) are always allowed.
    detector : Detector, optional
    shipped : optional
        Text the toolkit ships (`shipped_text()`, the default): skipped in pages and notebooks.
    local_paths : iterable of str, optional
        Absolute paths of the building machine (home folder, project, working data, key file,
        `report.local_paths`): any occurrence is a finding (LOCAL_PATH).
    vendored : mapping of str to path, optional
        Third-party files a report ships unchanged (`toolkit.report.site.vendored_assets()`):
        path relative to `report_dir` -> the installed library file it is a copy of. Such a
        file is skipped only while its bytes are identical to that file (it then holds no
        report data); changed in any way, it is scanned like any other. Default: none.

    Returns
    -------
    list of Finding, in file order; each (file, position, type, value) once.
    """
    report_dir = Path(report_dir)
    if not report_dir.is_dir():
        raise FileNotFoundError(f"report folder not found: {report_dir}")
    allowlist = Allowlist([*brand_allowlist, *default_public_accounts()])
    scanner = Scanner(identifiers, allowlist, detector or _report_detector(), local_paths)
    constant = shipped if shipped is not None else shipped_text()
    findings: list[Finding] = []
    vendored = dict(vendored or {})
    for path in sorted(p for p in report_dir.rglob("*") if p.is_file()):
        suffix = path.suffix.lower()
        name = path.relative_to(report_dir).as_posix()
        if name in vendored and _same_bytes(path, vendored[name]):
            log.info("gate: not scanning %s (identical to the vendored %s)", name, vendored[name])
        elif suffix in DATA_SUFFIXES:
            findings.append(
                Finding(name, 0, UNSCANNABLE, f"{suffix} file", "the gate cannot read this format")
            )
        elif suffix in TEXT_SUFFIXES | JSON_SUFFIXES | PNG_SUFFIXES | JPEG_SUFFIXES:
            findings.extend(_scan_file(path, name, scanner, constant))
        else:
            log.info("gate: not scanning %s (not a text artifact)", path)
    return findings


def _same_bytes(path: Path, source: Path) -> bool:
    try:
        if path.stat().st_size != source.stat().st_size:
            return False
        return path.read_bytes() == source.read_bytes()
    except OSError:
        return False


def _report_detector() -> Detector:
    """Detector for report artifacts: big texts, so a large phone budget; obfuscated emails
    are skipped (any that came from posts are known identifiers already)."""
    return Detector(phone_budget=100_000, obfuscated_emails=False)


def _scan_file(path: Path, name: str, scanner: Scanner, constant: ShippedText) -> list[Finding]:
    findings: list[Finding] = []
    seen: set[tuple[str, str, str]] = set()
    for chunk in file_chunks(path, constant):
        for variant in _variants(chunk.text):
            for hit in scanner.scan(variant):
                position = chunk.locate(variant, hit.offset)
                line = position.split(":", 1)[0] if position[:1].isdigit() else position
                key = (line, hit.entity_type, canon(hit.value))
                if key in seen:
                    continue
                seen.add(key)
                findings.append(
                    Finding(
                        name,
                        position,
                        hit.entity_type,
                        mask(hit.value, hit.entity_type),
                        hit.reason,
                        hit.value,
                        _context(variant, hit.offset, hit.end),
                    )
                )
    return findings


def check(
    report_dir: Path | str,
    identifiers: Identifiers,
    brand_allowlist: Iterable[str] = (),
    detector: Detector | None = None,
    vendored: Mapping[str, Path] | None = None,
) -> None:
    """Raise GateError listing the findings (masked, at most 50 lines) if `scan_dir` finds any.

    Parameters are those of `scan_dir`; the error's ``findings`` hold them all.
    """
    findings = scan_dir(report_dir, identifiers, brand_allowlist, detector, vendored=vendored)
    if findings:
        raise GateError(summary_message(findings, report_dir), findings)


def _variants(text: str) -> list[str]:
    """The text as stored, HTML-unescaped and percent-decoded (each only if different)."""
    variants = [text]
    if "&" in text and _ENTITY.search(text):
        variants.append(html.unescape(text))
    if "%" in text and _PERCENT.search(variants[-1]):
        variants.append(unquote(variants[-1]))
    return variants


def _context(text: str, start: int, end: int) -> str:
    """The words around a hit, the hit between [[ ]] (for the private findings file)."""
    before = " ".join(text[max(0, start - _CONTEXT) : start].split())
    after = " ".join(text[end : end + _CONTEXT].split())
    return f"{before} [[{' '.join(text[start:end].split())}]] {after}".strip()
