"""US Social Security numbers: 3-2-4 digits, validated as the SSA issues them."""

from __future__ import annotations

import re

from toolkit.privacy.detect.recognizers.base import Pattern, PatternRecognizer

US_SSN = "US_SSN"
_CUE = (
    r"(?i:ssn|ss[ \t]?#|ss[ \t]+no\.?|social[ \t]+security(?:[ \t]+(?:number|no\.?|num|#))?"
    r"|social[ \t]+sec(?:urity)?[ \t]+#?)"
)
_CUE_GAP = r"(?:[ \t]+(?:is|was|number|no\.?|#))*[ \t]*[:#=]?[ \t]*"


class UsSsnRecognizer(PatternRecognizer):
    """ "123-45-6789" anywhere; "123 45 6789", "123.45.6789" and "123456789" only right after
    "SSN" or "social security (number)". The area is never 000, 666 or 900-999, the group
    never 00 and the serial never 0000 (SSA rules since 2011); one repeated digit and the
    advertising number 078-05-1120 are rejected."""

    entity_type = US_SSN
    patterns = (
        Pattern("dashed", r"(?<![\w-])(?P<id>\d{3}-\d{2}-\d{4})(?![\w-]|\.\d)", 0.5),
        Pattern(
            "after a cue",
            rf"\b{_CUE}{_CUE_GAP}(?P<id>\d{{3}}([ .-]?)\d{{2}}\2\d{{4}})(?![\w-]|\.\d)",
            0.85,
        ),
    )
    context = ("ssn", r"social[ \t]+security", "ss#", "social sec")
    context_boost = 0.35
    hint = r"\d{3}[ .-]?\d{2}[ .-]?\d{4}"

    def validate_result(self, value: str, match: re.Match[str]) -> bool:
        digits = re.sub(r"\D", "", value)
        area, group, serial = digits[:3], digits[3:5], digits[5:]
        if area in ("000", "666") or area[0] == "9" or group == "00" or serial == "0000":
            return False
        return len(set(digits)) > 1 and digits not in ("078051120", "123456789")
