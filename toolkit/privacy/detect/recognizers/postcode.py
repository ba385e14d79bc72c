"""Postcodes and zip codes: a UK postcode in its full shape anywhere; a US zip code or a
German / French / Spanish / Italian five-digit postcode only in context (a cue such as "zip",
"postcode", "PLZ", "code postal", a US state before it or a city name after it), since five
digits alone are prices, order numbers and counts."""

from __future__ import annotations

import re

from toolkit.privacy.detect.recognizers.base import Pattern, PatternRecognizer
from toolkit.privacy.detect.wordlists import common_words

STREET_ADDRESS = "STREET_ADDRESS"

#: The Royal Mail's postcode shapes: outward code (area letters, district) and inward code
#: (sector digit, unit letters without C, I, K, M, O, V).
UK_POSTCODE = (
    r"(?:(?:[A-PR-UWYZ][0-9][0-9A-HJKPSTUW]?|[A-PR-UWYZ][A-HK-Y][0-9][0-9ABEHMNPRVWXY]?)"
    r"[ \t]?[0-9][ABD-HJLNP-UW-Z]{2}|GIR[ \t]?0AA)"
)
_US_STATES = frozenset(
    (
        "AL AK AZ AR CA CO CT DE DC FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH "
        "NJ NM NY NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY PR GU VI AS MP AA AE AP"
    ).split()
)
_CUE = (
    r"zip(?:[ \t]?code)?", r"post[ \t]?code", r"postal[ \t]+code", "plz", "postleitzahl",
    r"code[ \t]+postal", "cp", r"c\.p\.", r"codice[ \t]+postale", r"c[óo]digo[ \t]+postal",
    "postcode", "postnummer", "postinumero", r"kod[ \t]+pocztowy",
)  # fmt: skip


class PostcodeRecognizer(PatternRecognizer):
    """ "SW1A 2AA" anywhere; "zip 90210", "DC 20500", "10115 Berlin", "75008 Paris",
    "PLZ 10115"."""

    entity_type = STREET_ADDRESS
    patterns = (
        Pattern("UK postcode", rf"(?<![\w-])(?P<id>{UK_POSTCODE})(?![\w-])", 0.6),
        Pattern(
            "UK postcode, any case, after a cue",
            rf"(?<![\w-])(?P<id>(?i:{UK_POSTCODE}))(?![\w-])",
            0.6,
            needs_context=True,
        ),
        Pattern(
            "5 digits after a cue",
            r"(?<![\w.,$€£¥-])(?P<id>\d{5}(?:-\d{4})?)(?![\w%€$£-]|[.,]\d)",
            0.6,
            needs_context=True,
        ),
        Pattern(
            "US state and zip",
            r"(?P<state>[A-Z]{2})(?<![\w][A-Z]{2}),?[ \t]+(?P<id>\d{5}(?:-\d{4})?)(?![\w-]|[.,]\d)",
            0.6,
        ),
        Pattern(
            "5 digits before a city",
            r"(?<![\w.,$€£¥#-])(?P<id>\d{5})[ \t]+(?P<city>[A-ZÀ-ÖØ-Þ][a-zß-öø-ÿ]{2,}"
            r"(?:-[A-ZÀ-ÖØ-Þ][a-zß-öø-ÿ]+)?)(?![\w-])",
            0.5,
        ),
    )
    context = _CUE
    context_window = 25

    hint = r"\d"

    def validate_result(self, value: str, match: re.Match[str]) -> bool:
        if "city" in match.re.groupindex:
            return match.group("city").lower() not in common_words()
        if "state" in match.re.groupindex:
            return match.group("state") in _US_STATES
        return True
