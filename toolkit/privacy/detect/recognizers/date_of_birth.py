"""Dates of birth: a date shortly after "DOB", "date of birth", "born (on)", "birthday",
"geboren am", "né le", ... ("DOB 12/03/1988", "born on 3 March 1988", "date of birth:
1988-03-12"), and a year right after "born in". Other dates are not personal data on their
own and are left to the NER layer (DATE_TIME is Presidio's name for both)."""

from __future__ import annotations

import re

from toolkit.privacy.detect.recognizers.base import Pattern, PatternRecognizer

DATE_TIME = "DATE_TIME"
_MONTHS = (
    r"(?i:jan(?:uary|vier)?|feb(?:ruary|ruar)?|f[ée]vrier|mar(?:ch|s)?|m[äa]rz|apr(?:il)?|avril"
    r"|may|mai|june?|juni|juin|july?|juli|juillet|aug(?:ust)?|ao[ûu]t|sep(?:t(?:ember)?)?"
    r"|septembre|oct(?:ober)?|oktober|octobre|nov(?:ember)?|novembre|dec(?:ember)?|dezember"
    r"|d[ée]cembre|enero|febrero|marzo|abril|mayo|junio|julio|agosto|septiembre|octubre"
    r"|noviembre|diciembre)\.?"
)
_DAY = r"(?:[12]\d|3[01]|0?[1-9])(?i:st|nd|rd|th|er)?"
_YEAR = r"(?:19|20)\d{2}"
_DATE = (
    rf"(?:\d{{1,2}}[/.-]\d{{1,2}}[/.-](?:{_YEAR}|\d{{2}})"  # 12/03/1988, 3.12.88
    rf"|{_YEAR}[/.-]\d{{1,2}}[/.-]\d{{1,2}}"  # 1988-03-12
    rf"|{_DAY}(?:[ \t]+(?i:of))?[ \t]+{_MONTHS},?(?:[ \t]+{_YEAR})?"  # 3 March 1988
    rf"|{_MONTHS}[ \t]+{_DAY},?(?:[ \t]+{_YEAR})?)"  # March 3rd, 1988
)


class DateOfBirthRecognizer(PatternRecognizer):
    entity_type = DATE_TIME
    patterns = (
        Pattern("date near a birth cue", rf"(?<![\w/.-])(?P<id>{_DATE})(?![\w/-]|\.\d)", 0.8,
                needs_context=True),
        Pattern("year after 'born in'", rf"(?i:\bborn[ \t]+in)[ \t]+(?P<id>{_YEAR})(?!\d)", 0.6),
    )  # fmt: skip
    context = (
        r"d\.?o\.?b\.?", r"date[ \t]+of[ \t]+birth", r"birth[ \t]?date", "birthday", "bday",
        r"b-day", "born", "geboren", "geburtsdatum", r"n[ée]e?[ \t]+le",
        r"date[ \t]+de[ \t]+naissance", r"fecha[ \t]+de[ \t]+nacimiento", "nacid[oa]",
        r"data[ \t]+di[ \t]+nascita", r"nat[oa][ \t]+il",
    )  # fmt: skip
    context_window = 45
    keywords = (
        "birth", "born", "dob", "d.o.b", "bday", "b-day", "geboren", "geburt", "né", "nee",
        "naissance", "nacid", "nacimiento", "nascita", "nato", "nata",
    )  # fmt: skip
    hint = r"\d"

    def validate_result(self, value: str, match: re.Match[str]) -> bool:
        numbers = [int(n) for n in re.findall(r"\d+", value)]
        if not numbers:
            return False
        if re.fullmatch(r"\d{4}", value):
            return True
        if re.match(r"\d{4}", value):  # year first
            return 1 <= numbers[1] <= 12 and 1 <= numbers[2] <= 31
        if len(numbers) == 3 and re.fullmatch(r"[\d/.-]+", value):
            first, second = numbers[0], numbers[1]
            return 1 <= min(first, second) <= 12 and max(first, second) <= 31
        return True
