"""UK bank sort codes ("sort code 12-34-56"): six digits in pairs, only after the cue, since
the same shape is a date (12-03-88) or a score."""

from __future__ import annotations

from toolkit.privacy.detect.recognizers.base import Pattern, PatternRecognizer

UK_SORT_CODE = "UK_SORT_CODE"


class UkSortCodeRecognizer(PatternRecognizer):
    entity_type = UK_SORT_CODE
    patterns = (
        Pattern(
            "after a cue",
            r"(?i:\bsort[ \t-]?code|\bs/c)(?i:[ \t]+(?:is|was|number|no\.?))*[ \t]*[:#=]?[ \t]*"
            r"(?P<id>\d{2}([ .-]?)\d{2}\2\d{2})(?![\w-]|\.\d)",
            0.85,
        ),
    )
    keywords = ("sort", "s/c")
