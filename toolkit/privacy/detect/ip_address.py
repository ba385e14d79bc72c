"""IP addresses: IPv4 (not after "serial", "version", ...) and IPv6 checked by `ipaddress`."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterator

from toolkit.privacy.detect.number_shapes import HAS_DIGIT, NOT_CONTACT_CUE

_IPV4 = re.compile(
    r"(?<![\w.])(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)"
    r"(?![\w]|\.\d)"
)
_IPV6_CANDIDATE = re.compile(r"(?<![\w:.])[0-9A-Fa-f:]{2,39}(?![\w:])")


def find_ips(text: str) -> Iterator[tuple[int, int, float]]:
    """IPv4 and IPv6 addresses in `text` as (start, end, score)."""
    if "." in text and HAS_DIGIT(text):
        for m in _IPV4.finditer(text):
            if not NOT_CONTACT_CUE.search(text[max(0, m.start() - 20) : m.start()]):
                yield m.start(), m.end(), 0.9
    if text.count(":") >= 2:
        for m in _IPV6_CANDIDATE.finditer(text):
            value = m.group()
            if value.count(":") >= 2 and sum(c != ":" for c in value) >= 3 and _is_ip(value):
                yield m.start(), m.end(), 0.9


def _is_ip(value: str) -> bool:
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True
