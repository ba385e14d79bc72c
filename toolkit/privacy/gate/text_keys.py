"""How the gate normalises values to compare them: names and handles across spacing and
punctuation, digit strings of phone numbers, id-like codes whatever their separators."""

from __future__ import annotations

import re

import phonenumbers

#: Shortest digit string searched for as a phone number.
MIN_PHONE_DIGITS = 7
#: What may stand between the words of a name or the parts of a handle: "Dr. Emeka Okafor",
#: "emeka.okafor", "emeka_okafor", "Emeka  Okafor", "O'Brien", "emekaokafor".
_SEPARATOR_CHARS = r"\s._'’·\-"
_SEPARATORS = re.compile(f"[{_SEPARATOR_CHARS}]+")
#: A separator character inside a name or handle (see `canon`).
FLEX_SEPARATOR = f"[{_SEPARATOR_CHARS}]"
#: An id-like token: letters and digits, joined by '_' or '-'.
ID_TOKEN = re.compile(r"[A-Za-z0-9]+(?:[_-][A-Za-z0-9]+)*")


def collapse(text: str) -> str:
    """Lower case, runs of whitespace as one space."""
    return " ".join(text.lower().split())


def canon(text: str) -> str:
    """Lower case, runs of spaces and name punctuation ("._'-") as one space."""
    return " ".join(t for t in _SEPARATORS.split(str(text).lower()) if t)


def compact_key(text: str) -> str:
    """Lower case without spaces and name punctuation: the key a match is looked up by."""
    return _SEPARATORS.sub("", str(text).lower())


def digits_of(text: str) -> str:
    """The ASCII digits of `text`, in order."""
    return "".join(c for c in text if c.isdecimal() and c.isascii())


_CODE = re.compile(r"[a-z0-9]+(?:[ \-./][a-z0-9]+)*")


def code_key(value: str) -> str | None:
    """The key of an id-like value ("219-09-9999", "ab 12 34 56 c", "m1 1ae", "14/03/1987"):
    its letters and digits, lower case; None for text that is not one id (words, or too
    short to search for)."""
    value = value.strip().lower()
    if not _CODE.fullmatch(value):
        return None
    key = re.sub(r"[^a-z0-9]", "", value)
    n_digits = sum(c.isdigit() for c in key)
    return key if len(key) >= 5 and n_digits >= 2 and n_digits >= len(key) // 3 else None


def phone_keys(phone: str) -> set[str]:
    """Digit strings under which a phone number may appear: as written, without trunk
    prefix, national number, and with the country code."""
    phone = str(phone)
    raw = digits_of(phone)
    keys = {raw, raw.lstrip("0")}
    if len(raw) == 11 and raw.startswith("1"):
        keys.add(raw[1:])
    international = phone.strip().startswith("+") or raw.startswith("00")
    try:
        number = phonenumbers.parse("+" + raw.lstrip("0") if international else phone, "US")
    except phonenumbers.NumberParseException:
        number = None
    if number is not None and international:
        national = str(number.national_number)
        keys.update({national, str(number.country_code) + national})
    return {k for k in keys if len(k) >= MIN_PHONE_DIGITS}
