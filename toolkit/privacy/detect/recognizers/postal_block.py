"""Postal addresses written out in full: as a block of lines, or after an address cue.

`StreetAddressRecognizer` finds a street by its street word ("Baker Street", "Rua Augusta
27", "Lindenallee 4"). Two common ways of giving an address carry no such word, and there the
form of the text says "address" instead:

- **an address block**, one part a line, as people paste it from a label or a signature::

      Sharon Adamson
      35 Kromwater 38
      Apt. 705
      Zoetermeer
      Netherlands 2711

  A line that is only a flat, suite or PO box ("Apt. 705", "Suite 344", "P.O. Box 108") anchors
  the block. The line just before it is the street when it holds a house number, and the
  up to three short lines after it (city, region, country and postcode) are the rest of the
  address: each is a span. A one-line form, "Apt. 630 39 Rincon 9082" followed by a line
  "Carlos Reyles DU 47621", is read the same way (the street after the flat, and a last line
  that ends in a postcode).
- **a street after an address cue** ("lives at", "his address:", "send it to", "ship to"):
  a street name of up to five words and its house number after it, with or without a
  building number first, in any script and case ("lives at 34 Skolegyden 99", "address: 17 rijksweg 145",
  "lives at 43 Ρ. Φεραίου 13"). A run that neither starts nor ends with a number is not an
  address ("sent to the wrong person").

Names of people in a block (the first line) are left to the name finders.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from toolkit.privacy.detect.recognizers.base import Match, PatternRecognizer

STREET_ADDRESS = "STREET_ADDRESS"

#: A line that is a flat, suite or PO box and nothing else (leading quote marks allowed).
_FLAT_LINE = re.compile(
    r"^[^\w\n]*(?:(?i:apt|apartment|suite|ste|flat|unit)\.?[ \t]*#?[ \t]*[A-Za-z]?\d{1,5}[A-Za-z]?"
    r"|(?i:p\.?[ \t]?o\.?[ \t]*box)[ \t]+\d{1,6})[ \t]*$"
)
#: A flat inside a line, followed by the street: "Apt. 630 39 Rincon 9082".
_FLAT_THEN_STREET = re.compile(
    r"(?i:\b(?:apt|apartment|suite|ste|flat|unit)\.?)[ \t]*#?[ \t]*\d{1,5}[A-Za-z]?"
    r"(?P<street>[ \t]+\d{1,5}[A-Za-z]?[ \t]+[^\W\d_][^\n]{1,60}?)[ \t]*$",
    re.MULTILINE,
)
_HAS_DIGIT = re.compile(r"\d")
#: The visible part of a line: without leading quote marks, bullets or "???" and trailing spaces.
_CONTENT = re.compile(r"[^\W_][^\n]*?(?=[ \t]*$)")
#: A contact line (phone, e-mail, link) ends a block.
_CONTACT = re.compile(r"@|https?:|www\.|\d{3}[^\w\n]{0,2}\d{3}[^\w\n]{0,2}\d{2}")
#: The last line of a one-line block: words, optionally a region code, and a postcode.
_LAST_LINE = re.compile(r"^[^\w\n]*(?P<id>[^\W\d_][^\n]{0,50}?[ \t]\d{4,6}(?:-\d{4})?)[ \t]*$")

_CUE = re.compile(
    r"(?i:\b(?:(?:live[sd]?|living|resides?|residing|stay(?:s|ing)?)[ \t]+at"
    r"|address(?:[ \t]+is)?[ \t]*:?"
    r"|(?:sen[dt]|deliver(?:ed)?|ship(?:ped)?|mail(?:ed)?|post(?:ed)?|forward(?:ed)?)"
    r"(?:[ \t]+(?:it|this|them|that|everything|the[ \t]+\w+))?[ \t]+to))[ \t]+"
)
#: After a cue: a street name and its house number, with or without a building number first
#: ("34 Skolegyden 99", "Hunsrødsletta 7"); a street with its number first is the job of
#: `StreetAddressRecognizer`, which knows street words.
#: A word of a street name: not a word that ends the address ("42 elm street and the wifi").
_STOP = (
    r"(?i:and|or|but|the|is|was|are|were|has|had|for|with|since|because|until|when|where"
    r"|which|who|near|next|so|then|to|in|on|at|from|by|if|it|its|i|we|they|he|she|you)"
)
_WORD = rf"(?!{_STOP}\b)[^\W\d_][^\s,;:!?()]*"
_NUM = r"\d{1,5}[A-Za-z]?(?:[-/]\d{1,4})?"
_NOT_STREET = r"(?i:the|a|an|my|your|his|her|our|their|me|you|him|them|us|it|this|that|all|some)"
_CUED_STREET = re.compile(
    rf"(?:{_NUM}(?:[ \t]+{_WORD}){{1,5}}[ \t]+{_NUM}"
    rf"|(?!{_NOT_STREET}\b)(?:{_WORD}[ \t]+){{1,4}}{_NUM})(?![\w-])"
)
#: A numbered run after a cue that is a quantity, not a street: "sent to 3 people".
_QUANTITY = re.compile(
    r"(?i)^\d+[ \t]+(?:of|more|other|different|people|persons|friends|times|days|weeks|months"
    r"|years|hours|minutes|places|addresses|numbers|emails|customers|agents|departments)\b"
)


class PostalBlockRecognizer(PatternRecognizer):
    """Address blocks anchored on a flat/suite/PO box line, and streets after an address cue."""

    entity_type = STREET_ADDRESS
    keywords = (
        "apt", "apartment", "suite", "ste", "flat", "unit", "box", "live", "living", "resid",
        "stay", "address", "sen", "deliver", "ship", "mail", "post", "forward",
    )  # fmt: skip
    hint = r"\d"

    def analyze(self, text: str) -> Iterator[Match]:
        lower = text.lower()
        if not any(k in lower for k in self.keywords) or not _HAS_DIGIT.search(text):
            return
        if "\n" in text:
            yield from self._blocks(text)
        yield from self._cued(text)

    __call__ = analyze

    @staticmethod
    def _lines(text: str) -> list[tuple[int, int]]:
        spans, start = [], 0
        for line in text.split("\n"):
            spans.append((start, start + len(line)))
            start += len(line) + 1
        return spans

    def _blocks(self, text: str) -> Iterator[Match]:
        lines = self._lines(text)
        for i, (start, end) in enumerate(lines):
            line = text[start:end]
            flat_only = _FLAT_LINE.match(line) is not None
            inline = None if flat_only else _FLAT_THEN_STREET.search(line)
            if not flat_only and inline is None:
                continue
            if inline is not None:
                yield start + inline.start("street") + 1, start + inline.end("street"), 0.6
            elif i > 0:
                prev = self._content(text, *lines[i - 1])
                if prev is not None:
                    street = text[prev[0] : prev[1]]
                    if _HAS_DIGIT.search(street) and not _CONTACT.search(street):
                        yield prev[0], prev[1], 0.6
            yield from self._tail(text, lines[i + 1 : i + 5], one_line=inline is not None)

    def _tail(self, text: str, lines: list[tuple[int, int]], one_line: bool) -> Iterator[Match]:
        """City, region, country and postcode lines after the flat (blank lines skipped)."""
        taken = 0
        for start, end in lines:
            content = self._content(text, start, end)
            if content is None:
                continue
            value = text[content[0] : content[1]]
            if _CONTACT.search(value) or len(value.split()) > 5 or _FLAT_LINE.match(value):
                return
            if one_line:
                m = _LAST_LINE.match(value)
                if m:
                    yield content[0] + m.start("id"), content[0] + m.end("id"), 0.6
                return
            yield content[0], content[1], 0.5
            taken += 1
            if taken == 3:
                return

    @staticmethod
    def _content(text: str, start: int, end: int) -> tuple[int, int] | None:
        m = _CONTENT.search(text, start, end)
        return (m.start(), m.end()) if m else None

    def _cued(self, text: str) -> Iterator[Match]:
        for cue in _CUE.finditer(text):
            m = _CUED_STREET.match(text, cue.end())
            if m is None or _QUANTITY.match(m.group()):
                continue
            yield m.start(), m.end(), 0.6
