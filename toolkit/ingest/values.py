"""Small, forgiving converters for raw field values (counts, ids, strings, lists)."""

from __future__ import annotations

import math

_INT64_MAX = 2**63 - 1


def to_int(value: object) -> int | None:
    """An integer count from an int, integral float or numeric string ("1,234" allowed), else None."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if abs(value) <= _INT64_MAX else None
    if isinstance(value, str):
        value = value.strip().replace(",", "")
        if not value:
            return None
        if value.lstrip("-").isdigit():
            number = int(value)
            return number if abs(number) <= _INT64_MAX else None
    try:
        number = float(value)
    except (TypeError, ValueError, OverflowError):
        return None
    if not math.isfinite(number) or not number.is_integer() or abs(number) > _INT64_MAX:
        return None
    return int(number)


def str_or_none(value: object) -> str | None:
    """`value` if it is a non-empty string, else None."""
    return value if isinstance(value, str) and value else None


def id_string(value: object) -> str | None:
    """A platform id as a string: ints as digits, integral floats without '.0', "" -> None."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, float):
        if not math.isfinite(value):
            return None
        if value.is_integer():
            return str(int(value))
    text = str(value).strip()
    return text or None


def dicts(values: object) -> list[dict]:
    """The dict elements of a list (anything else -> [])."""
    return [v for v in values if isinstance(v, dict)] if isinstance(values, list) else []


def strip_prefix(fullname: object) -> str | None:
    """Reddit fullname "t3_abc" -> "abc" (ids without a kind prefix pass through)."""
    text = id_string(fullname)
    if text is None:
        return None
    kind, sep, rest = text.partition("_")
    return rest if sep and len(kind) == 2 and kind[0] == "t" and kind[1].isdigit() else text
