"""Phone numbers: phone-shaped candidates validated with `phonenumbers`, numbers spelled out
("five five five, oh one four two") and cues ("call", "tel", "whatsapp") for the doubtful ones."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator

import phonenumbers

from toolkit.privacy.detect.number_shapes import FOUR_BY_FOUR, HAS_DIGIT, NOT_CONTACT_CUE

#: ISO regions whose national phone formats are recognised by default ("+" numbers always are).
DEFAULT_PHONE_REGIONS: tuple[str, ...] = (
    "US", "GB", "DE", "FR", "ES", "IT", "NL", "IN", "AU", "CA", "BR", "MX",
)  # fmt: skip

# Phone candidates: 7-15 digits with phone punctuation, not glued to words, decimals or ids.
_PHONE_CANDIDATE = re.compile(
    r"(?<![\w+/.$€£¥%])(?<!\d[-./])(?:\+[ \t]?)?\(?\d[\d \t\-./()]{5,24}\d"
    r"(?:[ \t]?(?:x|ext\.?|extension)[ \t]?\d{1,6})?(?![\w%])(?![-./]\d)"
)
#: A phone extension at the end of a candidate ("555-123-4567 x89", "ext. 12").
_PHONE_EXTENSION = re.compile(r"[ \t]?(?:x|ext\.?|extension)[ \t]?\d{1,6}$")
_PHONE_CUE = re.compile(
    r"(?i)\b(?:call(?:ed|ing)?|phone|tel|telephone|mobile|cell(?:phone)?|whats ?app|text(?:ed)? me"
    r"|sms|ring|fax|reach me|contact|number|hotline|helpline|landline|telefon|handy|t[ée]l[ée]phone"
    r"|portable|tel[ée]fono|m[óo]vil|cellulare|office|home)\b"
)
_DATE_LIKE = re.compile(r"(?<!\d)(\d{1,4})[-./](\d{1,2})[-./](\d{2,4})(?!\d)")
_YEARS_ONLY = re.compile(r"(?:(?:19|20)\d\d[ \t\-./]*)+")
_THOUSANDS = re.compile(r"[1-9]\d{0,2}(?:([.,'])\d{3})(?:\1\d{3})*|[1-9]\d?(?: \d{3})+")
# Digits written as words or one by one: "five five five, oh one four two", "0 7 7 0 0 9 ...".
_DIGIT_WORDS = {
    "zero": "0", "oh": "0", "o": "0", "nought": "0", "one": "1", "two": "2", "three": "3",
    "four": "4", "five": "5", "six": "6", "seven": "7", "eight": "8", "nine": "9",
}  # fmt: skip
_SPELLED_TOKEN = (
    r"(?:zero|oh|o|nought|one|two|three|four|five|six|seven|eight|nine|double|triple|\d)"
)
_SPELLED_NUMBER = re.compile(
    rf"(?i)(?<![\w.,-]){_SPELLED_TOKEN}\b(?:[ \t]*[,.\-/]?[ \t]*\b{_SPELLED_TOKEN}\b){{6,24}}+"
    r"(?![\w]|[.,-]\d)"
)
_DIGIT_WORD_HINT = re.compile("zero|one|two|three|four|five|six|seven|eight|nine|double|nought")
_SPELLED_PART = re.compile(rf"(?i)\b{_SPELLED_TOKEN}\b")
_SPACED_DIGITS = re.compile(r"\d[ \t,.-]+\d[ \t,.-]+\d[ \t,.-]+\d[ \t,.-]+\d(?!\d)")
_DECIMAL = re.compile(r"\d+\.\d+")
_DIGIT_GROUPS = re.compile(r"\d+")
_SEPARATORS = re.compile(r"(?<=\d)[ \t\-./]+(?=[\d(])")


def find_phones(
    text: str, regions: tuple[str, ...], budget: int
) -> Iterator[tuple[int, int, float]]:
    """Phone numbers in `text` as (start, end, score), validated for `regions` by
    `phonenumbers`; after `budget` candidates the rest are reported unvalidated (score 0.3)."""
    if _may_hold_spelled_number(text):
        yield from _spelled_phones(text, regions)
    if not HAS_DIGIT(text):
        return
    for m in _PHONE_CANDIDATE.finditer(text):
        candidate = _PHONE_EXTENSION.sub("", m.group())
        digits = sum(map(str.isdigit, candidate))
        if digits < 7:
            continue
        shaped = _phone_shaped(candidate, digits)
        cue = shaped is not False and _phone_cue_near(text, m.start(), m.end())
        if not (shaped or cue) or NOT_CONTACT_CUE.search(text[max(0, m.start() - 20) : m.start()]):
            continue
        if budget <= 0:  # pathological text: redact unvalidated rather than spend seconds
            yield m.start(), m.end(), 0.3
            continue
        budget -= 1
        for rel_start, rel_end, score in _phone_matches(candidate, regions, cue):
            yield m.start() + rel_start, m.start() + rel_end, score


def _spelled_phones(text: str, regions: tuple[str, ...]) -> Iterator[tuple[int, int, float]]:
    """Numbers written as words or digit by digit ("five five five, oh one four two")."""
    for m in _SPELLED_NUMBER.finditer(text):
        digits, words = _spelled_digits(m.group())
        if not 7 <= len(digits) <= 15:
            continue
        cue = _phone_cue_near(text, m.start(), m.end())
        if not (cue or words >= 4 or len(digits) >= 10):
            continue
        valid, possible = _validity(digits, regions)
        if valid or (possible and cue):
            yield m.start(), m.end(), 0.6


def _phone_matches(
    candidate: str, regions: tuple[str, ...], cue: bool
) -> tuple[tuple[int, int, float], ...]:
    """Phone numbers inside one phone-shaped candidate, as (start, end, score) offsets.

    Valid numbers (per `phonenumbers`) score 0.75; with a phone cue nearby ("call", "tel",
    "whatsapp", ...), a merely possible number written with separators or of at least 10
    digits is accepted at 0.5.
    """
    valid, possible = _phone_spans(candidate, regions)
    if valid:
        return tuple((s, e, 0.75) for s, e in valid)
    if cue and possible and (not candidate.isdigit() or len(candidate) >= 10):
        return ((0, len(candidate), 0.5),)
    return ()


def _phone_shaped(candidate: str, digits: int) -> bool | None:
    """Does the candidate look like a phone number? None: only with a phone cue nearby.

    Dates, years, decimals, thousands, coordinates and lists of small numbers are not phones;
    a bare run of digits needs a cue (or a trunk '0' and 10+ digits).
    """
    stripped = candidate.strip()
    if stripped.isdigit():  # the common case in tables: decide without regexes
        if digits > 15:  # one long run of digits: an id, not a phone
            return False
        return True if stripped.startswith("0") and digits >= 10 else None
    if _contains_date(stripped) or _YEARS_ONLY.fullmatch(stripped):
        return False
    groups = _DIGIT_GROUPS.findall(stripped)
    if sum(len(g) == 1 for g in groups) > 1 or FOUR_BY_FOUR.fullmatch(stripped):
        return False
    if stripped.startswith("+"):
        return True
    separators = set(_SEPARATORS.findall(stripped))
    if "." in separators and len(separators) > 1:
        return False
    if _THOUSANDS.fullmatch(stripped) or _DECIMAL.fullmatch(stripped):
        return False
    return True


def _phone_cue_near(text: str, start: int, end: int) -> bool:
    """A phone word ("call", "tel", ...) shortly before or after, within the same line or
    table cell (HTML tags, tabs and pipes end the window)."""
    before = text[max(0, start - 40) : start]
    cut = max(before.rfind(c) for c in "<>\n|\t")
    after = text[end : end + 20]
    stops = [i for i in (after.find(c) for c in "<>\n|\t") if i >= 0]
    return bool(
        _PHONE_CUE.search(before[cut + 1 :]) or _PHONE_CUE.search(after[: min(stops, default=20)])
    )


def _may_hold_spelled_number(text: str) -> bool:
    """Cheap pre-check for `_SPELLED_NUMBER`: four digit words, or five spaced digits."""
    if len(_DIGIT_WORD_HINT.findall(text.lower())) >= 3:
        return True
    return HAS_DIGIT(text) is not None and _SPACED_DIGITS.search(text) is not None


def _spelled_digits(value: str) -> tuple[str, int]:
    """(the digits a spelled number stands for, how many tokens were words)."""
    digits, words, repeat = [], 0, 1
    for token in _SPELLED_PART.findall(value):
        lower = token.lower()
        if lower in ("double", "triple"):
            repeat = 2 if lower == "double" else 3
            continue
        digit = _DIGIT_WORDS.get(lower, token)
        words += not token.isdigit()
        digits.append(digit * repeat)
        repeat = 1
    return "".join(digits), words


@functools.lru_cache(maxsize=4096)
def _validity(digits: str, regions: tuple[str, ...]) -> tuple[bool, bool]:
    """(valid phone number in some region, possible phone number in some region)."""
    region, possible = _first_valid_region(digits, regions)
    return (True, True) if region is not None else (False, possible)


def _first_valid_region(text: str, regions: tuple[str, ...]) -> tuple[str | None, bool]:
    """(the first of `regions` where `text` parses as a valid phone number, or None; whether
    it is a possible number in a region tried up to then)."""
    possible = False
    for region in regions:
        try:
            number = phonenumbers.parse(text, region)
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_valid_number(number):
            return region, possible
        possible = possible or phonenumbers.is_possible_number(number)
    return None, possible


def _contains_date(text: str) -> bool:
    """True for yyyy-mm-dd, dd.mm.yyyy, mm/dd/yy and the like (with plausible day and month)."""
    for m in _DATE_LIKE.finditer(text):
        first, second, third = (int(g) for g in m.groups())
        if len(m.group(1)) == 4:  # year first
            if 1 <= second <= 12 and 1 <= third <= 31 and len(m.group(3)) <= 2:
                return True
        elif len(m.group(1)) <= 2 and 1 <= min(first, second) <= 12 and max(first, second) <= 31:
            return True
    return False


@functools.lru_cache(maxsize=16384)
def _phone_spans(
    candidate: str, regions: tuple[str, ...]
) -> tuple[tuple[tuple[int, int], ...], bool]:
    """(spans of valid numbers found by PhoneNumberMatcher, whether the candidate is a possible
    number in some region). The first region where the whole candidate parses as a valid number
    is used for matching; candidates long enough to hold two numbers try every region."""
    if candidate.lstrip().startswith("+"):
        regions = regions[:1] or ("US",)
    valid_region, possible = _first_valid_region(candidate, regions)
    if valid_region is not None:
        return _matcher_spans(candidate, valid_region), True
    if sum(c.isdigit() for c in candidate) >= 14:
        for region in regions:
            spans = _matcher_spans(candidate, region)
            if spans:
                return spans, True
    return (), possible


def _matcher_spans(candidate: str, region: str) -> tuple[tuple[int, int], ...]:
    matches = phonenumbers.PhoneNumberMatcher(candidate, region, phonenumbers.Leniency.VALID)
    # Short codes (e.g. some German 4-digit numbers) validate too; they identify nobody.
    return tuple((m.start, m.end) for m in matches if sum(c.isdigit() for c in m.raw_string) >= 7)
