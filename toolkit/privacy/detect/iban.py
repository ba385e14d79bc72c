"""International bank account numbers (IBAN), accepted only when the mod-97 check passes."""

from __future__ import annotations

import re
from collections.abc import Iterator

from toolkit.privacy.detect.checksums import iban_checksum_ok
from toolkit.privacy.detect.number_shapes import HAS_DIGIT

_IBAN = re.compile(r"(?<![\w])[A-Z]{2}\d{2}(?:[ ]?[A-Z0-9]{4}){2,7}+(?:[ ]?[A-Z0-9]{1,3})?(?![\w])")


def find_ibans(text: str) -> Iterator[tuple[int, int, float]]:
    """IBANs in `text` as (start, end, score)."""
    if not HAS_DIGIT(text):
        return
    for m in _IBAN.finditer(text):
        if iban_checksum_ok(m.group()):
            yield m.start(), m.end(), 1.0
