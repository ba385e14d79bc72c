"""Passport numbers, only right after a passport cue (in English, French, German, Spanish,
Italian, Dutch): UK and US passports are 9 digits (US also a letter and 8 digits), most
others 6-9 letters and digits."""

from __future__ import annotations

import re

from toolkit.privacy.detect.recognizers.base import Pattern, PatternRecognizer

PASSPORT = "PASSPORT"
_CUE = r"(?i:passport|passeport|reisepass|pasaporte|passaporto|paspoort)"
_CUE_GAP = (
    r"(?i:[ \t]+(?:is|was|number|no\.?|nr\.?|num|n[°º]|nummer|numéro|número|numero|#))*"
    r"[ \t]*[:#=]?[ \t]*"
)


class PassportRecognizer(PatternRecognizer):
    """ "passport no. 123456789", "Reisepass C01X00T47", "my passport number is A12345678"."""

    entity_type = PASSPORT
    patterns = (
        Pattern(
            "after a cue",
            rf"(?<![\w]){_CUE}{_CUE_GAP}(?P<id>(?=[A-Za-z]*\d)[A-Za-z0-9]{{6,9}})(?![\w-])",
            0.8,
        ),
    )
    keywords = ("passport", "passeport", "reisepass", "pasaporte", "passaporto", "paspoort")

    def validate_result(self, value: str, match: re.Match[str]) -> bool:
        return sum(c.isdigit() for c in value) >= 5 and len(set(value)) > 2
