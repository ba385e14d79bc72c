"""The shared base of the pattern recognisers: patterns, context words and a validate step.

Modelled on Presidio's `PatternRecognizer`: each recogniser finds one entity type with a few
regular expressions, each with a score. A pattern may require a context word (such as "SSN"
or "passport") shortly before the match, and `validate_result` rejects matches that have the
right shape but cannot be real (an SSN with area 000, the 31st month). `keywords` and `hint`
are cheap tests that let a post skip a recogniser (or one pattern) entirely: most posts hold
no digits and no cue words, and a substring test is much faster than a regex scan.

Every regex here must run in linear time: no nested quantifiers over overlapping classes.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

#: (start, end, score) in the text given to `analyze`.
Match = tuple[int, int, float]


@dataclass(frozen=True)
class Pattern:
    """One regex of a recogniser. A named group ``id`` (if it matched) is the span.

    ``needs_context``: the match counts only with one of the recogniser's context words in
    the `context_window` characters before it (or a few characters after it).
    ``keywords``: lower-case substrings; the pattern is tried only if the lower-cased text
    holds one of them.
    """

    name: str
    regex: str
    score: float
    needs_context: bool = False
    keywords: tuple[str, ...] = ()


class PatternRecognizer:
    """Find one entity type with patterns, context words and a validate step.

    Subclasses set the class attributes and may override `validate_result`.
    """

    entity_type: str = ""
    patterns: tuple[Pattern, ...] = ()
    #: Words (or short regexes) that make a match more likely; see `Pattern.needs_context`.
    context: tuple[str, ...] = ()
    #: Characters before a match searched for a context word (same line only).
    context_window: int = 40
    #: Characters after a match searched for a context word.
    context_after: int = 0
    #: Added to a pattern's score when a context word is near (capped at 1.0).
    context_boost: float = 0.15
    #: Lower-case substrings: the recogniser runs only if the lower-cased text holds one.
    keywords: tuple[str, ...] = ()
    #: A cheap regex that must match somewhere in the text before any pattern is tried.
    hint: str | None = None

    def __init__(self) -> None:
        self._compiled = tuple((p, re.compile(p.regex)) for p in self.patterns)
        self._context = (
            re.compile(r"(?i)(?<![^\W_])(?:" + "|".join(self.context) + r")(?![^\W_])")
            if self.context
            else None
        )
        self._hint = re.compile(self.hint) if self.hint else None

    def validate_result(self, value: str, match: re.Match[str]) -> bool:
        """False rejects a match of the right shape that cannot be real (default: accept)."""
        return True

    def context_near(self, text: str, start: int, end: int) -> bool:
        """A context word shortly before `start` (or after `end`) on the same line."""
        if self._context is None:
            return False
        before = text[max(0, start - self.context_window) : start]
        before = before[before.rfind("\n") + 1 :]
        if self._context.search(before):
            return True
        if self.context_after:
            after = text[end : end + self.context_after].split("\n", 1)[0]
            return self._context.search(after) is not None
        return False

    def analyze(self, text: str) -> Iterator[Match]:
        """Every match in `text` as (start, end, score)."""
        lower = text.lower()
        if self.keywords and not any(k in lower for k in self.keywords):
            return
        if self._hint is not None and self._hint.search(text) is None:
            return
        has_context = None
        for pattern, regex in self._compiled:
            if pattern.keywords and not any(k in lower for k in pattern.keywords):
                continue
            if pattern.needs_context:
                if has_context is None:  # one scan of the whole text before any window
                    has_context = self._context is not None and bool(self._context.search(text))
                if not has_context:
                    continue
            for m in regex.finditer(text):
                group = "id" if "id" in regex.groupindex and m.group("id") is not None else 0
                start, end = m.span(group)
                if end <= start or not self.validate_result(text[start:end], m):
                    continue
                score = pattern.score
                if self._context is not None:
                    near = self.context_near(text, start, end)
                    if pattern.needs_context and not near:
                        continue
                    if near and not pattern.needs_context:
                        score = min(1.0, score + self.context_boost)
                yield start, end, score

    __call__ = analyze

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.entity_type})"
