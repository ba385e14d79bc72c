"""Shapes of numbers that several core recognisers share (phones, cards, IP addresses)."""

from __future__ import annotations

import re

#: Does a text hold a digit at all (the cheap pre-check of the numeric recognisers).
HAS_DIGIT = re.compile(r"\d").search
#: Four groups of four digits with one separator: a card, never a phone.
FOUR_BY_FOUR = re.compile(r"\d{4}([ \t-])\d{4}\1\d{4}\1\d{4}")
#: Numbers right after these words are serials, versions or part numbers, not phones or IPs.
NOT_CONTACT_CUE = re.compile(
    r"(?i)\b(?:serial|s/?n|imei|model|part|sku|upc|ean|isbn|asin|version|ver\.?|v|build|firmware"
    r"|update|release|patch|kb)[ \t]*(?:number|no\.?|nr\.?|#)?[ \t:#]*$"
)
