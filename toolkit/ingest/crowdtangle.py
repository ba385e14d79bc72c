"""CrowdTangle historical-data CSV exports (Facebook pages and Instagram accounts).

`Post Created` is local time with a zone abbreviation (`2026-09-03 09:05:00 CDT`); reactions
count as likes; the post id is the last path part of `URL`. The platform comes from the
caller, or from the header: Facebook exports have `Page Name`, Instagram exports `Account`.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from urllib.parse import urlsplit

from toolkit.ingest.base import Collector, RowError, row_timestamp
from toolkit.ingest.csv_rows import csv_rows_or_reject_header, is_ragged
from toolkit.ingest.identities import Identities
from toolkit.ingest.textnorm import (
    extract_hashtags,
    extract_mentions,
    extract_urls,
    normalise_text,
    unique,
)
from toolkit.ingest.values import to_int

#: Facebook reactions that count as likes, on top of `Likes`.
REACTIONS = ("Love", "Wow", "Haha", "Sad", "Angry", "Care")
VIEW_COLUMNS = ("Post Views", "Total Views", "Views")


def crowdtangle_platform(header: list[str]) -> str | None:
    """'facebook' or 'instagram' from a CrowdTangle header, None if it is not one."""
    names = set(header)
    if "Post Created" not in names:
        return None
    if "Page Name" in names or "Facebook Id" in names:
        return "facebook"
    if "Account" in names:
        return "instagram"
    return None


def read_crowdtangle(path: Path, identities: Identities, out: Collector) -> None:
    """Read a CrowdTangle CSV export into `out`.

    A `Reader` (see `toolkit.ingest.files.Reader`): one row or reject per data row. `out.platform`, when set, overrides the one
    inferred from the header.
    """
    header, rows = csv_rows_or_reject_header(path, out.reject, out.limits)
    if not header:
        return
    platform = out.platform or crowdtangle_platform(header)
    if platform is None:
        raise ValueError(f"{Path(path).name}: not a CrowdTangle export (no 'Post Created' column)")
    out.platform = platform
    for number, fields, raw, error in rows:
        if error:
            out.reject(number, error, raw)
            continue
        if is_ragged(fields, len(header)):
            out.reject(number, "wrong_field_count", _csv_line(fields))
            continue
        try:
            row = post_row(dict(zip(header, fields, strict=False)), platform, identities)
        except RowError as exc:
            out.reject(number, exc.reason, _csv_line(fields))
        else:
            out.add(row, number)


def post_row(record: dict[str, str], platform: str, identities: Identities) -> dict:
    """The canonical row of one CrowdTangle export row.

    Parameters
    ----------
    record : dict
        Column name -> cell text.
    platform : str
        "facebook" or "instagram" (decides the text column: Message or Description).
    identities : Identities
    """
    post_id = post_id_from_url(_cell(record, "URL"))
    if not post_id:
        raise RowError("missing_field:URL")
    created = _cell(record, "Post Created")
    if not created:
        raise RowError("missing_field:Post Created")
    created_at = row_timestamp(created)
    handle = _cell(record, "User Name") or _cell(record, "Facebook Id")
    if not handle:
        raise RowError("missing_field:User Name")
    author, is_brand = identities.author(handle)
    identities.note(
        handle, _cell(record, "Page Name") or _cell(record, "Account"), _cell(record, "Facebook Id")
    )
    text = normalise_text(_cell(record, "Message" if platform == "facebook" else "Description"))
    return {
        "platform": platform,
        "post_id": post_id,
        "post_type": "post",
        "thread_id": post_id,
        "created_at": created_at,
        "author": author,
        "is_brand": is_brand,
        "text": identities.text(text),
        "likes": _likes(record),
        "shares": to_int(_cell(record, "Shares")),
        "replies": to_int(_cell(record, "Comments")),
        "views": next(
            (v for v in (to_int(_cell(record, c)) for c in VIEW_COLUMNS) if v is not None), None
        ),
        "author_followers": to_int(_cell(record, "Followers at Posting")),
        "hashtags": extract_hashtags(text),
        "mentions": unique(identities.handle(h) for h in extract_mentions(text)),
        "urls": _urls(record, text),
    }


def post_id_from_url(url: str | None) -> str | None:
    """The last non-empty path part of a post URL (query and fragment ignored)."""
    if not url:
        return None
    parts = [p for p in urlsplit(url.strip()).path.split("/") if p]
    return parts[-1] if parts else None


def _likes(record: dict[str, str]) -> int | None:
    counts = [to_int(_cell(record, c)) for c in ("Likes", *REACTIONS)]
    known = [c for c in counts if c is not None]
    return sum(known) if known else None


def _urls(record: dict[str, str], text: str) -> list[str]:
    urls = extract_urls(text)
    if _cell(record, "Type") == "Link":
        urls = unique([*urls, _cell(record, "Final Link") or _cell(record, "Link")])
    return urls


def _cell(record: dict[str, str], column: str) -> str:
    return (record.get(column) or "").strip()


def _csv_line(fields: list[str]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer).writerow(fields)
    return buffer.getvalue()
