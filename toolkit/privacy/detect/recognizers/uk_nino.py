"""UK National Insurance numbers ("AB 12 34 56 C"): two prefix letters, six digits and a
suffix A-D, validated against HMRC's rules for the prefix."""

from __future__ import annotations

import re

from toolkit.privacy.detect.recognizers.base import Pattern, PatternRecognizer

UK_NINO = "UK_NINO"
# D, F, I, Q, U and V are never used; O never second.
_PREFIX = r"[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z]"
_INVALID_PREFIXES = frozenset({"BG", "GB", "KN", "NK", "NT", "TN", "ZZ"})


class UkNinoRecognizer(PatternRecognizer):
    """Capitals anywhere (the shape is specific); any case only after "NI number",
    "national insurance" or "NINO"."""

    entity_type = UK_NINO
    patterns = (
        Pattern(
            "capitals",
            rf"(?<![\w-])(?P<id>{_PREFIX}([ \t]?)\d{{2}}\2\d{{2}}\2\d{{2}}\2[A-D])(?![\w-])",
            0.6,
        ),
        Pattern(
            "any case after a cue",
            rf"(?<![\w-])(?P<id>(?i:{_PREFIX}([ \t]?)\d{{2}}\2\d{{2}}\2\d{{2}}\2[A-D]))(?![\w-])",
            0.85,
            needs_context=True,
        ),
    )
    context = (r"ni[ \t]+(?:number|no\.?|#)", r"national[ \t]+insurance", "nino", r"n\.i\.")
    context_boost = 0.3
    hint = r"\d{2}[ \t]?\d{2}[ \t]?\d{2}[ \t]?[A-Da-d]"

    def validate_result(self, value: str, match: re.Match[str]) -> bool:
        return value[:2].upper() not in _INVALID_PREFIXES
