"""Order, ticket, account and booking references (add formats with `privacy.order_patterns`)."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

from toolkit.privacy.detect.number_shapes import HAS_DIGIT

#: Order / ticket / account / booking references. A named group `id` (if present) is the span;
#: else the whole match. Users add their own formats with `privacy.order_patterns`.
DEFAULT_ORDER_PATTERNS: tuple[str, ...] = (
    # A standalone id of capitals and digits ("NH-1234567", "CS0912384") or "#1234567".
    r"(?:(?<=#)|(?<![\w#-]))(?P<id>[A-Z]{1,4}-?\d{5,10}|(?<=#)\d{5,12})(?![\w-])",
    # After a cue word: "order number 123456", "Kundennummer 4711087236", "tracking 1Z...".
    r"(?i:\b(?:order|ticket|case|invoice|confirmation|reference|ref|rma|tracking|booking"
    r"|itinerary|reservation|account|acct|customer|member(?:ship)?|policy|claim|complaint"
    r"|incident|request|pnr|parcel|shipment|consignment|return|contract|subscription|purchase"
    r"|transaction|payment|receipt|refund"
    r"|kundennummer|bestellnummer|auftragsnummer|vertragsnummer|rechnungsnummer|commande"
    r"|r[ée]f[ée]rence|dossier|pedido|referencia|ordine)"
    r"(?:[ \t]+(?:number|no\.?|nr\.?|num|id|code|ref(?:erence)?|n[°º]|#))?"
    r"(?:[ \t]+is)?[ \t]*[:(]?[ \t]*)"
    r"#?[ \t]?(?P<id>[A-Z]{0,4}-?\d{5,16}|1Z[0-9A-Z]{16}"
    r"|(?=[A-Z0-9-]{5,24}(?![\w-]))(?=[A-Z-]*\d)[A-Z0-9]+(?:-[A-Z0-9]+)*)(?![\w-])",
    # Airline / travel booking codes (PNR): six capitals or digits after a booking cue.
    r"(?i:\b(?:booking|confirmation|pnr|reservation)(?:[ \t]+(?:ref(?:erence)?|code|number"
    r"|no\.?|#))?(?:[ \t]+is)?[ \t]*[:(]?[ \t]*)(?P<id>[A-Z0-9]{6})(?![\w-])",
)


def find_order_numbers(
    text: str, patterns: Sequence[re.Pattern[str]]
) -> Iterator[tuple[int, int, float]]:
    """References in `text` as (start, end, score); a pattern's group `id` (if any) is the span."""
    if not HAS_DIGIT(text):
        return
    for pattern in patterns:
        for m in pattern.finditer(text):
            group = "id" if "id" in pattern.groupindex and m.group("id") else 0
            yield m.start(group), m.end(group), 0.9
