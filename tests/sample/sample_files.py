"""Readers shared by the sample tests: Mastodon HTML and CrowdTangle times back to plain values,
and which labels are a customer's own words."""

from __future__ import annotations

import datetime as dt
from html.parser import HTMLParser
from zoneinfo import ZoneInfo

CHICAGO = ZoneInfo("America/Chicago")
UTC = dt.UTC
PII_TYPES = {
    "PERSON",
    "EMAIL_ADDRESS",
    "PHONE_NUMBER",
    "CREDIT_CARD",
    "STREET_ADDRESS",
    "ORDER_NUMBER",
}


class _ContentToText(HTMLParser):
    """Mastodon content HTML to plain text: anchors -> text, <br /> -> newline, paragraphs joined."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.paragraphs: list[str] = []
        self.current: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "br":
            self.current.append("\n")

    def handle_endtag(self, tag):
        if tag == "p":
            self.paragraphs.append("".join(self.current))
            self.current = []

    def handle_data(self, data):
        self.current.append(data)


def html_to_text(content: str) -> str:
    parser = _ContentToText()
    parser.feed(content)
    parser.close()
    return "\n\n".join(parser.paragraphs + (["".join(parser.current)] if parser.current else []))


def parse_crowdtangle(value: str) -> dt.datetime | None:
    try:
        stamp, zone = value.rsplit(" ", 1)
        local = dt.datetime.strptime(stamp, "%Y-%m-%d %H:%M:%S")
    except ValueError:
        return None
    offset = {"CDT": -5, "CST": -6}[zone]
    return local.replace(tzinfo=dt.timezone(dt.timedelta(hours=offset))).astimezone(UTC)


def is_customer(label: dict) -> bool:
    """A customer's own words: not brand, not spam, not a share."""
    return not label["is_brand"] and not label["is_spam"] and label["topic"] is not None
