"""US driver's licence numbers: the states' shapes, only right after a licence cue."""

from __future__ import annotations

import re

from toolkit.privacy.detect.recognizers.base import Pattern, PatternRecognizer

US_DRIVER_LICENSE = "US_DRIVER_LICENSE"
_CUE = (
    r"(?i:driver['’]?s?[ \t]+licen[cs]e|driving[ \t]+licen[cs]e|d\.?l\.?(?=[ \t]*(?:#|no|num|:))"
    r"|dl\b|licen[cs]e[ \t]+(?:no\.?|number|num|#)|lic\.?[ \t]*#)"
)
_CUE_GAP = r"(?i:[ \t]+(?:is|was|number|no\.?|num|id|#))*[ \t]*[:#=]?[ \t]*"


class UsDriverLicenseRecognizer(PatternRecognizer):
    """ "driver's license number is A1234567", "DL# 123456789". The states use 1-2 letters
    followed by 4-14 digits, 5-13 digits alone, or mixes such as "LH329609T"; without the
    cue these shapes are order numbers, phones or serials, so the cue is required."""

    entity_type = US_DRIVER_LICENSE
    patterns = (
        Pattern(
            "after a cue",
            rf"(?<![\w]){_CUE}{_CUE_GAP}(?P<id>(?i:[a-z]{{1,2}}\d{{4,14}}|\d{{5,13}}"
            r"|(?=[a-z]*\d)[a-z0-9]{6,16}))"
            r"(?![\w-])",
            0.8,
        ),
    )
    keywords = ("licen", "dl", "lic")

    def validate_result(self, value: str, match: re.Match[str]) -> bool:
        digits = sum(c.isdigit() for c in value)
        return digits >= 4 and len(set(value)) > 2
