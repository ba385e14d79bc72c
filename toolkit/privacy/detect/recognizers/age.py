"""A person's age: "I'm 34", "34 y/o", "34yo", "aged 34", "34 years old", "my 7-year-old",
"turned 40", "(34F)". The span is the number, so a redacted post reads "I'm <AGE>"."""

from __future__ import annotations

import re

from toolkit.privacy.detect.recognizers.base import Pattern, PatternRecognizer

AGE = "AGE"
_N = r"(?P<id>\d{1,3})"
#: What may follow "I'm 34" for the number to be an age: the end of a clause or "years".
_AGE_END = (
    r"(?=[ \t]*(?:[.,!?;:)\n]|$|&|-[ \t]|(?i:and|but|so|now|today|tomorrow|this|next|soon"
    r"|with|yet|too|myself|years?|yrs?|y/?o|going)\b))"
)
#: "my 3 year old laptop" is the age of a thing, not of a person.
_THINGS = (
    r"phone|iphone|smartphone|laptop|computer|pc|mac|tv|television|car|van|truck|bike|boiler"
    r"|fridge|freezer|washer|dishwasher|router|modem|device|tablet|ipad|console|printer|account"
    r"|house|home|flat|building|roof|mattress|sofa|bug|issue|problem|post|tweet|thread|video"
    r"|song|film|movie|game|order|card|battery|model|contract|policy|plan|machine|product|item"
    r"|system|camera|watch|tyres?|tires?|shoes?|bag|suitcase|engine|kettle|oven|case|ticket"
    r"|complaint|review|app|software|firmware|version|company|brand|business|store|shop"
    r"|jacket|coat|boots|trainers|sneakers|dress|shirt|jeans|clothes|furniture|bed|table|chair"
    r"|carpet|kitchen|bathroom|windows?|doors?|fence|dog|cat|puppy|kitten|horse|pet|tree|wine"
    r"|whisky|whiskey|cheese|bottle|photo|picture|pic|memory|memories|debt|loan|mortgage"
)


class AgeRecognizer(PatternRecognizer):
    entity_type = AGE
    patterns = (
        Pattern(
            "N years old",
            rf"(?<![\w.,$€£-]){_N}[ \t-]*(?i:years?|yrs?|yr)[ \t-]*(?i:old|of[ \t]+age)\b"
            rf"(?![ \t-]+(?i:{_THINGS})\b)",
            0.75,
            keywords=("year", "yr"),
        ),
        Pattern(
            "N y/o",
            rf"(?<![\w.,$€£-]){_N}[ \t]?(?i:y/o|y\.o\.?|yo|yrs?[ \t]+old)(?![\w/])",
            0.75,
            keywords=("y/o", "yo", "y.o", "yr"),
        ),
        Pattern(
            "aged N",
            rf"(?<![\w])(?:(?i:aged)|age(?:[ \t]*:|[ \t]+of)?|Age[ \t]*:)[ \t]*{_N}(?![\w.,%]|[.,]\d)",
            0.7,
            keywords=("age",),
        ),
        Pattern(
            "I'm N",
            r"(?<![\w])(?i:i['’]m|i[ \t]+am|he['’]s|she['’]s|he[ \t]+is|she[ \t]+is|they['’]re"
            r"|(?:just[ \t]+)?turn(?:ed|ing|s)?|will[ \t]+be)[ \t]+" + _N + _AGE_END,
            0.65,
            keywords=("i'm", "i’m", "i am", "he", "she", "they", "turn", "will be"),
        ),
        Pattern(
            "reddit (34F)",
            r"[(\[](?:(?P<id>\d{2})[ \t]?(?i:[mf]|nb)|(?i:[mf]|nb)[ \t]?(?P<id2>\d{2}))[)\]]",
            0.7,
            keywords=("(", "["),
        ),
    )
    hint = r"\d"

    def validate_result(self, value: str, match: re.Match[str]) -> bool:
        return value.isdigit() and 1 <= int(value) <= 120

    def analyze(self, text: str):
        yield from super().analyze(text)
        # "(F34)": the age is the second group; the base class only knows `id`.
        if "(" in text or "[" in text:
            for m in self._compiled[-1][1].finditer(text):
                if m.group("id2") and self.validate_result(m.group("id2"), m):
                    yield m.start("id2"), m.end("id2"), 0.7
