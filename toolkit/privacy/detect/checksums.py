"""Check digits of the numbers the detector validates: Luhn and IBAN mod-97, one of each."""

from __future__ import annotations


def luhn_checksum_ok(digits: str) -> bool:
    """True when a string of digits passes the Luhn (mod 10) checksum of payment cards."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def luhn_valid(number: str) -> bool:
    """True when `number` (spaces and dashes allowed) has at least 12 digits that pass the Luhn
    checksum."""
    digits = "".join(c for c in number if c.isdigit())
    return len(digits) >= 12 and luhn_checksum_ok(digits)


def iban_checksum_ok(value: str) -> bool:
    """True when an IBAN (spaces allowed) has 15 to 34 characters and passes the mod-97 check."""
    compact = value.replace(" ", "")
    if not 15 <= len(compact) <= 34:
        return False
    rearranged = compact[4:] + compact[:4]
    number = "".join(str(int(c, 36)) for c in rearranged)
    return int(number) % 97 == 1
