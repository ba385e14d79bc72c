"""CrowdTangle writer: the brand's Facebook page and Instagram account as CrowdTangle CSV exports
(facebook.csv, instagram.csv), times in the page's local zone, reactions and overperforming scores.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
from pathlib import Path

from toolkit.sample.items import Item
from toolkit.sample.platforms.output import write_text
from toolkit.sample.scenario import BRAND_NAME, LOCAL_TZ, PERIOD_START

#: The post columns both exports share, in the same order.
POST_COLUMNS = (
    "Followers at Posting",
    "Post Created",
    "Post Created Date",
    "Post Created Time",
    "Type",
    "Total Interactions",
    "Likes",
    "Comments",
)

FACEBOOK_COLUMNS = (
    "Page Name",
    "User Name",
    "Facebook Id",
    "Page Category",
    "Page Admin Top Country",
    "Page Description",
    "Page Created",
    "Likes at Posting",
    *POST_COLUMNS,
    "Shares",
    "Love",
    "Wow",
    "Haha",
    "Sad",
    "Angry",
    "Care",
    "Video Share Status",
    "Is Video Owner?",
    "Post Views",
    "Total Views",
    "Total Views For All Crossposts",
    "Video Length",
    "URL",
    "Message",
    "Link",
    "Final Link",
    "Image Text",
    "Link Text",
    "Description",
    "Sponsor Id",
    "Sponsor Name",
    "Sponsor Category",
    "Overperforming Score (Weighted  —  Likes 1x Shares 1x Comments 1x Love 1x Wow 1x Haha 1x Sad 1x Angry 1x Care 1x )",
)


INSTAGRAM_COLUMNS = (
    "Account",
    "User Name",
    *POST_COLUMNS,
    "Views",
    "URL",
    "Link",
    "Photo",
    "Title",
    "Description",
    "Image Text",
    "Sponsor Id",
    "Sponsor Name",
    "Overperforming Score",
)


FACEBOOK_PAGE_ID = "100064512338807"


def overperforming(total: int, expected: float) -> str:
    """CrowdTangle-style score: ratio to expected, negative reciprocal when under-performing."""
    if total <= 0:
        return "-100.00"
    ratio = total / expected
    return f"{ratio:.2f}" if ratio >= 1 else f"{-1 / ratio:.2f}"


def crowdtangle_created(t: dt.datetime) -> tuple[str, str, str]:
    """(Post Created, Post Created Date, Post Created Time) in the page's local time with zone abbreviation."""
    local = t.astimezone(LOCAL_TZ)
    return f"{local:%Y-%m-%d %H:%M:%S} {local.tzname()}", f"{local:%Y-%m-%d}", f"{local:%H:%M:%S}"


def audience(base: int, t: dt.datetime, per_day: float) -> int:
    """Page followers at posting time: steady growth, faster during the campaign."""
    elapsed = (t - PERIOD_START).total_seconds() / 86400
    boost = max(0.0, min(elapsed, 77) - 62) * per_day * 2
    return int(base + elapsed * per_day + boost)


def facebook_row(item: Item) -> list:
    """One CrowdTangle Facebook CSV row, in FACEBOOK_COLUMNS order."""
    m = item.metrics
    reactions = ("Likes", "Comments", "Shares", "Love", "Wow", "Haha", "Sad", "Angry", "Care")
    total = sum(m[k] for k in reactions)
    created = crowdtangle_created(item.created)
    if item.flaw:
        created = ("#VALUE!", "#VALUE!", "")
    url = f"https://www.facebook.com/NimbusHome/posts/{item.post_id}"
    r = item.rendered
    video = "Video" in item.media
    link = {
        "Link": r.urls[0][3] if r.urls else url,
        "Photo": f"https://www.facebook.com/NimbusHome/photos/a.{item.post_id[:9]}/{item.post_id}/?type=3",
        "Album": f"https://www.facebook.com/media/set/?set=a.{item.post_id[:9]}&type=3",
        "Native Video": f"https://www.facebook.com/NimbusHome/videos/{item.post_id}/",
    }.get(item.media, "")
    return [
        BRAND_NAME,
        "NimbusHome",
        FACEBOOK_PAGE_ID,
        "ELECTRONICS",
        "US",
        "Smart lighting, heating and sensors that just work.",
        "2015-04-21 14:02:11",
        audience(389_000, item.created, 45),
        audience(412_000, item.created, 60),
        *created,
        item.media,
        total,
        *(m[k] for k in reactions),
        "crosspostable" if video else "",
        "Yes" if video else "",
        m.get("Post Views", ""),
        m.get("Total Views", ""),
        m.get("Total Views", ""),
        m.get("Video Length", ""),
        url,
        item.text,
        link,
        link,
        "",
        "Nimbus Home" if item.media == "Link" else "",
        "",
        "",
        "",
        "",
        overperforming(total, 190.0),
    ]


def instagram_row(item: Item, rng: random.Random) -> list:
    """One CrowdTangle Instagram CSV row, in INSTAGRAM_COLUMNS order."""
    m = item.metrics
    url = f"https://www.instagram.com/p/{item.post_id}/"
    photo = f"https://scontent-ord5-1.cdninstagram.com/v/t51.29350-15/{rng.randrange(10**17, 10**18)}_n.jpg"
    return [
        BRAND_NAME,
        "nimbushome",
        audience(96_400, item.created, 40),
        *crowdtangle_created(item.created),
        item.media,
        m["Likes"] + m["Comments"],
        m["Likes"],
        m["Comments"],
        m.get("Views", ""),
        url,
        url,
        photo,
        "",
        item.text,
        "",
        "",
        "",
        overperforming(m["Likes"] + m["Comments"], 900.0),
    ]


def write_crowdtangle(
    items: list[Item], out_dir: Path, platform: str, columns: tuple[str, ...], row
) -> list[Item]:
    """Write `<platform>.csv` as a CrowdTangle export, newest first; return the posts written.

    `platform` is facebook or instagram (the other platforms' items are skipped); `columns` is the
    header row and `row` turns one item into its cells, in that order.
    """
    posts = sorted(
        (i for i in items if i.platform == platform), key=lambda i: i.created, reverse=True
    )
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows(row(i) for i in posts)
    write_text(out_dir / f"{platform}.csv", buffer.getvalue())
    return posts


def write_facebook(items: list[Item], out_dir: Path) -> list[Item]:
    """Write facebook.csv (the brand page's CrowdTangle export); return the posts written."""
    return write_crowdtangle(items, out_dir, "facebook", FACEBOOK_COLUMNS, facebook_row)


def write_instagram(items: list[Item], out_dir: Path, rng: random.Random) -> list[Item]:
    """Write instagram.csv (the brand account's CrowdTangle export); return the posts written."""
    return write_crowdtangle(
        items, out_dir, "instagram", INSTAGRAM_COLUMNS, lambda i: instagram_row(i, rng)
    )
