"""Street addresses the core patterns of `toolkit.privacy.detect.addresses` do not cover.

`toolkit.privacy.detect.addresses` finds numbered US/UK/CA/AU addresses ("221B Baker Street", "1600
Pennsylvania Ave NW, Washington, DC 20500"), German "Hauptstraße 5", French "12 rue de la
Paix", Spanish/Italian "Calle Mayor 5", PO boxes and lower-case addresses after "i live at".
This recogniser adds:

- the flat or suite on its own: "apt 4B", "Apt. 626", "Suite 992", "Flat 3";
- a named street without a house number ("Baker Street", "Elm Road": one to three
  capitalised words and a street word) near an address cue ("I live on", "deliver to",
  "my address") or before a flat or a postcode, and in any case after "I live on";
- streets whose type is a suffix or a word of another language, house number after the
  name: "Lindenallee 4", "Keizersgracht 123", "Strandvejen 5", "Mannerheimintie 12",
  "Rua Augusta 27", "ul. Podleśna 17", "Király u. 23";
- US military addresses: "Unit 8464 Box 4410", "DPO AA 74226".
"""

from __future__ import annotations

from toolkit.privacy.detect.recognizers.base import Pattern, PatternRecognizer
from toolkit.privacy.detect.recognizers.postcode import UK_POSTCODE

STREET_ADDRESS = "STREET_ADDRESS"

_UP = "A-ZÀ-ÖØ-ÞĀ-Ž"
_LOW = "a-zß-öø-ÿā-ž"
_CAP = rf"[{_UP}][{_LOW}'’-]+"
#: Street words after the name that name a street on their own (so "Baker Street" counts).
_STREET_WORDS = "Street|Road|Avenue|Lane|Boulevard|Terrace|Crescent|Parkway|Highway|Mews"
_STREET_WORDS_LOWER_FULL = _STREET_WORDS.lower()
#: Words that never make up a street name: "3 blocks down the road" is not an address.
_FUNCTION_WORDS = (
    "(?:the|a|an|on|in|at|to|of|down|up|my|our|your|his|her|their|this|that|for|from|by|with"
    "|and|or|off|over|across|along|into|onto|per|each|every|more|less|other|same|next|main)"
)
#: After "I live on", these count too (no capital letters needed).
_STREET_WORDS_LOWER = _STREET_WORDS.lower() + "|drive|close|grove|st|rd|ave|ln|dr"
#: Suffixes of compound street names (German, Dutch, Scandinavian, Finnish, Icelandic).
_COMPOUND_SUFFIXES = (
    "straße|strasse|str\\.|weg|allee|platz|gasse|damm|ufer|chaussee|steig|pfad"
    "|straat|laan|plein|gracht|dreef|kade|singel|steeg"
    "|gade|vej|vejen|gaden|gata|gatan|vägen|veien|vegen|veg|gate|gaten|stræde|allé|alléen"
    "|bakken|stien|torget|torv"
    "|katu|tie|kuja|polku|väylä"
    "|vegur|gata|stræti|braut"
)
#: Street words before the name (Portuguese, Spanish, Catalan, Italian, Polish, Czech, ...).
_PREFIX_WORDS = (
    "Rua|Travessa|Largo|Praça|Alameda|Avenida|Av\\.|Calle|C/|Carrer|Rambla|Paseo|Camino"
    "|Via|Viale|Vicolo|Piazza|Corso|Strada|Ulica|ul\\.|Aleja|(?<!et )al\\.|Plac|pl\\.|Ulice"
    "|Náměstí|nám\\.|Odos|Bulevar|Bulevardul|Strada|Calea|Avinguda"
)
_NUMBER = r"\d{1,5}[A-Za-z]?(?:[-/]\d{1,4}[A-Za-z]?)?"
_DETERMINERS = (
    "The|A|An|This|That|These|Those|My|Our|Your|His|Her|Their|Its|Every|Each|Any|No|Some|On|In|At"
)


#: "Baker Street": one to three capitalised words and a street word. Alone it is a place
#: ("the shop on Oxford Street"), so it needs an address cue or a flat / postcode after it.
_NAMED_STREET = (
    rf"(?<![\w'’-])(?!(?:{_DETERMINERS})\b)(?P<id>{_CAP}(?:[ \t]+{_CAP}){{0,2}}[ \t]+"
    rf"(?:{_STREET_WORDS}))\b"
)


class StreetAddressRecognizer(PatternRecognizer):
    entity_type = STREET_ADDRESS
    patterns = (
        Pattern(
            "flat or suite",
            r"(?<![\w])(?:(?i:apt|apartment|suite|ste)\.?|Flat|Unit|Apartment)[ \t]*#?[ \t]*"
            r"(?:\d{1,5}[A-Za-z]?|[A-Za-z]\d{1,4}|[A-Za-z](?=[ \t]*[,\n]))(?![\w-])",
            0.5,
            keywords=("apt", "apartment", "suite", "ste", "flat", "unit"),
        ),
        Pattern(
            "named street near an address cue",
            _NAMED_STREET,
            0.5,
            needs_context=True,
            keywords=tuple(_STREET_WORDS.lower().split("|")),
        ),
        Pattern(
            "named street with a flat or postcode after",
            _NAMED_STREET + rf"(?=,?[ \t]+(?:(?i:apt|apartment|flat|unit|suite|ste)\b|\#\d"
            rf"|{UK_POSTCODE}(?![\w-])))",
            0.5,
            keywords=tuple(_STREET_WORDS.lower().split("|")),
        ),
        Pattern(
            "street after a residence cue, any case",
            r"(?i:\b(?:i[ \t]+)?(?:live[sd]?|living|moved|stay(?:ing)?|based|reside[sd]?)"
            r"[ \t]+(?:on|in|at|to|off)[ \t]+(?:the[ \t]+)?)"
            rf"(?P<id>[{_LOW}{_UP}][{_LOW}{_UP}'’-]+(?:[ \t]+[{_LOW}{_UP}][{_LOW}{_UP}'’-]+){{0,2}}"
            rf"[ \t]+(?i:{_STREET_WORDS_LOWER}))\b\.?",
            0.6,
            keywords=("live", "living", "moved", "stay", "based", "reside"),
        ),
        Pattern(
            "numbered street in lower case",
            rf"(?<![\w.,$€£-])\d{{1,5}}[a-z]?[ \t]+(?!(?:way|mile|one|two|lane|main)\b)"
            rf"(?:(?!{_FUNCTION_WORDS}\b)[{_LOW}]{{2,}}[ \t]+){{1,3}}(?:{_STREET_WORDS_LOWER_FULL})\b"
            r"(?=[ \t]*(?:[,.;:!?)\n]|$|(?i:apt|apartment|suite|ste|flat|unit)\b|[A-Z0-9]))",
            0.5,
            keywords=tuple(_STREET_WORDS_LOWER_FULL.split("|")),
        ),
        Pattern(
            "compound street name, number after",
            rf"(?<![\w-])[{_UP}][{_LOW}-]*(?:{_COMPOUND_SUFFIXES})(?<![ .])\.?[ \t]+{_NUMBER}"
            r"(?![\w-])",
            0.65,
        ),
        Pattern(
            "street word first, number after",
            rf"(?<![\w])(?:{_PREFIX_WORDS})[ \t]+(?:(?:de|do|da|dos|das|del|de[ \t]+la|della"
            rf"|di|d['’])[ \t]*)?{_CAP}(?:[ \t]+(?:{_CAP}|de|do|da|dos|das|del|la|le|della|di)){{0,3}}"
            rf",?[ \t]+(?:n[º°o]\.?[ \t]*)?{_NUMBER}(?![\w-])",
            0.65,
            keywords=tuple(
                w.replace("\\", "").lower()
                for w in _PREFIX_WORDS.replace("(?<!et )", "").split("|")
            ),
        ),
        Pattern(
            "Hungarian utca",
            rf"(?<![\w-]){_CAP}(?:[ \t]+{_CAP})?[ \t]+(?:utca|u\.|út|tér|körút|krt\.)[ \t]+"
            rf"{_NUMBER}\.?(?![\w-])",
            0.65,
            keywords=("utca", "u.", "út", "tér", "körút", "krt."),
        ),
        Pattern(
            "US military",
            r"(?i:(?<![\w])(?:unit|psc|cmr)[ \t]+\d{4}[ \t,]+box[ \t]+\d{1,5}"
            r"|(?<![\w])(?:apo|fpo|dpo)[ \t]+(?:aa|ae|ap)[ \t]+\d{5})(?![\w-])",
            0.7,
            keywords=("box", "apo", "fpo", "dpo"),
        ),
    )
    context = (
        r"live[sd]?", "living", "moved", r"reside[sd]?", r"deliver(?:ed|y|ing)?", "sent", "send",
        r"ship(?:ped|ping)?", "address", "home", "house", "flat", r"stay(?:ing|ed)?",
        r"neighbou?rs?", r"my[ \t]+street", r"post(?:ed)?[ \t]+to", r"mail(?:ed)?[ \t]+to",
    )  # fmt: skip
    context_window = 30
