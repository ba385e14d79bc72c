"""Payment card numbers (Luhn-checked, issuer prefixes, digit grouping as cards are written)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from toolkit.privacy.detect.checksums import luhn_checksum_ok
from toolkit.privacy.detect.number_shapes import FOUR_BY_FOUR, HAS_DIGIT

_CARD_CANDIDATE = re.compile(r"(?<![\w+/.,$€£-])\d(?:[ \t-]?\d){11,40}(?![\w%])(?![.,]\d)")
_CARD_CUE = re.compile(
    r"(?i)\b(?:card|visa|master[ \t]?card|amex|credit|debit|cc|kreditkarte|karte|carte|tarjeta"
    r"|carta)\b[^\n]{0,25}$"
)


def find_cards(text: str) -> Iterator[tuple[int, int, float]]:
    """Payment card numbers in `text` as (start, end, score): Luhn-valid numbers of the major
    networks, and 4x4 digit groups after a card cue even when the checksum fails."""
    if not HAS_DIGIT(text):
        return
    for m in _CARD_CANDIDATE.finditer(text):
        found = _card_in_run(m.group())
        if found:
            yield m.start() + found[0], m.start() + found[1], 1.0
        elif FOUR_BY_FOUR.fullmatch(m.group()) and _CARD_CUE.search(
            text, max(0, m.start() - 30), m.start()
        ):  # "card 4929 1234 5678 9012": a card with a typo (Luhn fails) is still a card
            yield m.start(), m.end(), 0.5


def _card_prefix_ok(digits: str) -> bool:
    """Issuer prefixes of the major networks (Visa, Mastercard, Amex, Discover, JCB, ...)."""
    if digits[0] in "3456":
        return True
    return digits[0] == "2" and 2221 <= int(digits[:4]) <= 2720


def _card_in_run(run: str) -> tuple[int, int] | None:
    """The longest Luhn-valid 13-19 digit card number made of whole digit groups of `run`."""
    groups = [(m.start(), m.end()) for m in re.finditer(r"\d+", run)]
    best = None
    for i in range(len(groups)):
        digits = ""
        for j in range(i, len(groups)):
            digits += run[groups[j][0] : groups[j][1]]
            if len(digits) > 19:
                break
            if (
                len(digits) >= 13
                and _card_grouping_ok([e - s for s, e in groups[i : j + 1]])
                and len(set(digits)) > 1
                and _card_prefix_ok(digits)
                and luhn_checksum_ok(digits)
                and (best is None or groups[j][1] - groups[i][0] > best[1] - best[0])
            ):
                best = (groups[i][0], groups[j][1])
    return best


def _card_grouping_ok(lengths: list[int]) -> bool:
    """Digit groups as card numbers are written: one run, 4-4-4-4(-1..3), Amex 4-6-5,
    Diners 4-6-4; "123-4567890-1234567" (an order number) is not a card."""
    if len(lengths) == 1 or lengths in ([4, 6, 5], [4, 6, 4]):
        return True
    return all(n == 4 for n in lengths[:-1]) and 1 <= lengths[-1] <= 4
