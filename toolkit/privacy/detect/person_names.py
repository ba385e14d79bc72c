"""Person names from rules: context cues ("my name is", "thanks", "my husband", "driver"),
titles ("Dr. Amara Okonkwo"), signatures, and first-name and surname gazetteers; plus the check
that keeps a statistical model's PERSON span only when it is plausibly a name."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from toolkit.privacy.detect.wordlists import common_words, english_words, first_names, surnames

# Latin, Greek and Cyrillic: scripts with capital letters ("Анна Кузнецова", "Νίκος").
_UPPER = "A-ZÀ-ÖØ-ÞĀ-ŽḀ-ỾΆΈ-ΏΑ-ΩЀ-Я"
_LOWER = "a-zß-öø-ÿĀ-žḁ-ỿά-ώа-џ"
#: Scripts whose names the gazetteers (Latin script) cannot confirm.
_NON_LATIN_LETTER = re.compile("[Ͱ-ϿЀ-ӿऀ-ॿ]")
#: A name in a script without capital letters (Devanagari): only after a cue.
_CASELESS_NAME = "[ऀ-ॿ]{2,}(?:[ \t]+[ऀ-ॿ]{2,}){0,2}"
_NAME = rf"[{_UPPER}](?:['’][{_UPPER}]|[{_LOWER}]{{1,2}}[{_UPPER}])?[{_LOWER}]+(?:-[{_UPPER}]?[{_LOWER}]+)?"
_INITIAL = rf"[{_UPPER}]\.?(?![\w])"
# Lower-case particles inside names: "Ludwig van Beethoven", "María de la Cruz", "Ali bin Said".
_PARTICLE = r"(?:van|von|de|da|di|del|della|der|den|du|dos|das|bin|ibn|al|el|la|le)"
_NEXT_TOKEN = rf"[ \t]+(?:{_PARTICLE}[ \t]+(?:{_PARTICLE}[ \t]+)?)?(?:{_NAME}|{_INITIAL})"
#: A name after a cue: one to three capitalised tokens (trailing ordinary words are trimmed
#: later), or one or two lower-case tokens ("thanks john") that the gazetteers know (see
#: `_lowercase_name_end`).
_LOWER_NAME = rf"[{_LOWER}]{{2,}}(?:-[{_LOWER}]+)?"
_CUE_NAME = (
    rf"(?P<name>{_NAME}(?:{_NEXT_TOKEN}){{0,2}}|{_LOWER_NAME}(?:[ \t]+{_LOWER_NAME})?"
    rf"|{_CASELESS_NAME})"
)
#: Cue words after which a lower-case word may be a name ("thanks john", "my son ethan"); not
#: roles ("the agent said") nor "with", "sent", "ask".
_LOWERCASE_CUES = frozenset(
    "my name mein ich je me mi call this sign signed account under in booked addressed parcel ask "
    "asked asking "
    "package delivery letter booking reservation prescription thank thanks thx ty cheers merci "
    "danke gracias grazie obrigado obrigada kudos props big shout shoutout spoke speaking "
    "spoken talked talking chatted chatting named hi hey hello dear regards sincerely best "
    "cordialement saludos grüße grusse gruesse xoxo love".split()
)
#: Lower-case words after "thanks", "cheers", ... that are in the name lists but mean a person
#: in general, not a name.
_NOT_LOWERCASE_NAMES = frozenset(
    "mate babe buddy pal bud boss doc nan bro dude guys team all everyone folks sir madam fam "
    "mom mum dad sis kid son friend lad lads honey hun darling sweetie amigo chief".split()
)
_TWO = rf"(?P<name>{_NAME}(?:{_NEXT_TOKEN}){{1,2}})"
_TITLE = (
    r"(?:Mr|Mrs|Ms|Miss|Mx|Dr|Prof|Sir|Dame|Herr|Frau|Mme|Mlle|Monsieur|Madame|Sr|Sra|Srta"
    r"|Sig|Sig\.ra|Fr|Rev)"
)
_RELATIVES = (
    r"husband|wife|partner|spouse|son|daughter|kid|child|boy|girl|baby|mum|mom|mommy|mummy"
    r"|mother|dad|daddy|father|brother|sister|bro|sis|grandma|grandmother|grandpa|grandfather"
    r"|grand(?:d)?ad|granny|gran|nan|nana|aunt|auntie|aunty|uncle|cousin|nephew|niece|friend"
    r"|mate|buddy|bestie|bff|neighbou?r|landlord|landlady|boss|manager|colleague|co-?worker"
    r"|roommate|flatmate|housemate|boyfriend|girlfriend|bf|gf|fianc[ée]e?|ex|stepson"
    r"|stepdaughter|stepmom|stepdad|(?:mother|father|sister|brother|son|daughter)-in-law"
    r"|tenant|carer|caregiver|nanny|teacher|doctor|therapist|lawyer|accountant|dog[ \t]+walker"
)
_ROLES = (
    r"agent|rep|representative|technician|tech|advis[eo]r|engineer|installer|supervisor|manager"
    r"|driver|courier|postman|postwoman|postie|delivery[ \t]+(?:guy|man|driver)|host|cashier"
    r"|barista|waiter|waitress|server|nurse|doctor|pharmacist|pilot|captain|attendant"
    r"|steward(?:ess)?|associate|employee|staff[ \t]+member|assistant|clerk|seller|mod"
    r"|moderator|operator|specialist|consultant|lady|guy|gentleman|woman|man|chap|bloke"
)
_FOLLOWING_VERBS = (
    r"was|is|has|had|said|says|told|tells|helped|helps|sorted|fixed|explained|called|came"
    r"|replied|answered|went|did|didn['’]t|does|doesn['’]t|made|took|tried|gave|got|asked"
    r"|offered|promised|refused|hung|kept|sent|walked|stayed|waited|will|won['’]t|would"
    r"|wouldn['’]t|can|can['’]t|could|couldn['’]t|should|never|just|also|finally|really"
    r"|isn['’]t|wasn['’]t|going|gonna|wants|needs|from|at"
    r"|in[ \t]+(?:billing|accounts|support|customer[ \t]+service"
    r"|the[ \t]+(?:\w+[ \t]+)?(?:team|department|store|shop|branch|office|warehouse))"
)


@dataclass(frozen=True)
class _Cue:
    """A context cue before a name, tried (anchored) only where one of its `keywords` starts a
    word, so the text is scanned once for all cues instead of once per cue."""

    keywords: frozenset[str]
    pattern: re.Pattern[str]
    strong: bool
    score: float
    sentence_start: bool = False
    #: The name's first word must not be an ordinary word at all ("it's Grace period").
    strict: bool = False


def _cue(keywords: str, pattern: str, strong: bool, score: float, **kwargs: bool) -> _Cue:
    """A `_Cue` from space-separated keywords and a regex with a `name` group."""
    return _Cue(frozenset(keywords.split()), re.compile(pattern), strong, score, **kwargs)


_ROLE_WORDS = (
    "agent rep representative technician tech advisor adviser engineer installer supervisor "
    "manager driver courier postman postwoman postie delivery host cashier barista waiter "
    "waitress server nurse doctor pharmacist pilot captain attendant steward stewardess "
    "associate employee staff assistant clerk seller mod moderator operator specialist "
    "consultant lady guy gentleman woman man chap bloke"
)
# A strong cue ("my name is", "my husband") accepts any capitalised word that is not an
# ordinary English word; a weak cue ("thanks", "driver") needs a gazetteer first name or two
# name-like tokens. See `_name_end`.
_PERSON_CUES: tuple[_Cue, ...] = (
    _cue(
        "my name mein ich je me mi call meu mijn",
        r"(?i:my[ \t]+name[ \t]+is|my[ \t]+name['’]s|name['’]s|mein[ \t]+name[ \t]+ist"
        r"|ich[ \t]+hei(?:ß|ss)e|je[ \t]+m['’]appelle|me[ \t]+llamo|mi[ \t]+nombre[ \t]+es"
        r"|mi[ \t]+chiamo|call[ \t]+me|meu[ \t]+nome[ \t]+[ée]|mijn[ \t]+naam[ \t]+is)[ \t]+"
        + _CUE_NAME,
        True,
        0.85,
    ),
    # "ich bin", "je suis", "soy": also "ich bin Kunde" (a noun), so a known first name only.
    _cue(
        "ich je soy sono sou ik",
        r"(?i:ich[ \t]+bin|je[ \t]+suis|soy|sono|sou|ik[ \t]+ben)[ \t]+" + _CUE_NAME,
        False,
        0.7,
        strict=True,
    ),
    _cue(
        "this",
        r"(?i:this[ \t]+is)[ \t]+" + _CUE_NAME + r"[ \t]+(?i:from|at|with|here)\b",
        True,
        0.85,
    ),
    _cue(
        "it this",
        r"(?i:it['’]s|it[ \t]+is|this[ \t]+is)[ \t]+"
        + _CUE_NAME
        + r"(?![ \t]+(?i:from|at|with|here)\b)",
        False,
        0.7,
        strict=True,
    ),
    _cue("sign signed", r"(?i:sign(?:ed)?(?:[ \t]+off)?)[,:]?[ \t]+" + _CUE_NAME, True, 0.85),
    _cue("i", r"(?i:I['’]m|I[ \t]+am)[ \t]+" + _TWO, True, 0.7),
    _cue(
        "my",
        r"(?i:my[ \t]+(?:(?:\d{1,2}|one|two|three|four|five|six|seven|eight|nine|ten)"
        r"[ \t-]*(?:year|yr|month)s?[ \t-]*old(?:[ \t]+(?:" + _RELATIVES + r"))?"
        r"|(?:little[ \t]+|late[ \t]+|elderly[ \t]+|older[ \t]+|younger[ \t]+|big[ \t]+"
        r"|baby[ \t]+|best[ \t]+|old[ \t]+|new[ \t]+)?(?:" + _RELATIVES + r")))"
        r"[ \t]*,?[ \t]+" + _CUE_NAME,
        True,
        0.8,
    ),
    _cue(
        "account name under in booked addressed parcel package delivery letter post mail "
        "booking reservation prescription order table appointment ticket",
        r"(?i:account[ \t]+holder(?:[ \t]+is)?|name[ \t]+on[ \t]+the[ \t]+(?:account|card"
        r"|booking|order)(?:[ \t]+is)?|(?:under|in)[ \t]+the[ \t]+name(?:[ \t]+of)?"
        r"|(?:account|reservation|booking|order|table|appointment|ticket)[ \t]+(?:is[ \t]+)?"
        r"(?:under|for)|booked[ \t]+(?:under|for)|addressed[ \t]+to"
        r"|(?:parcel|package|delivery|letter|post|mail|booking|reservation|prescription)"
        r"[ \t]+(?:for|addressed[ \t]+to))[:,]?[ \t]+" + _CUE_NAME,
        True,
        0.8,
    ),
    _cue(
        "ask asked",
        r"(?i:ask(?:ed)?(?:[ \t]+for)?)[ \t]+" + _CUE_NAME + r"[ \t]+(?i:at|in|from|on)\b",
        False,
        0.7,
    ),
    _cue("ask asked asking", r"(?i:ask(?:ed|ing)?[ \t]+for)[ \t]+" + _CUE_NAME, False, 0.7),
    _cue(
        "thank thanks thx ty cheers merci danke gracias grazie obrigado obrigada kudos props "
        "big shout shoutout especially esp with spoke speaking spoken talked talking chatted "
        "chatting named called sent met",
        r"(?i:thank(?:s?[ \t]+to|[ \t]+you|s)|thx|ty|cheers|(?:merci|danke|gracias|grazie"
        r"|obrigad[oa])(?:[ \t]+(?:a|à|an))?|kudos(?:[ \t]+to)?|props(?:[ \t]+to)?|named|called"
        r"|sent|met"
        r"|big[ \t]+up(?:[ \t]+to)?|shout[ \t-]?out(?:[ \t]+to)?|especially|esp\."
        r"|with|(?:spoke|speaking|spoken|talked|talking|chatted|chatting)[ \t]+(?:to|with))"
        r"[,!]?[ \t]+" + _CUE_NAME,
        False,
        0.7,
    ),
    _cue(
        "hi hey hello dear",
        r"(?i:hi|hey|hello|dear),?[ \t]+" + _CUE_NAME + r"(?=[ \t]*[,!:\n]|$)",
        False,
        0.7,
        sentence_start=True,
    ),
    _cue(
        _ROLE_WORDS,
        rf"(?i:(?:{_ROLES})(?:[ \t]+(?:named|called))?)(?:[ \t]*,)?[ \t]+" + _CUE_NAME,
        False,
        0.7,
    ),
    _cue(
        "regards sincerely cheers best thanks cordialement saludos grüße grusse gruesse xoxo love "
        "groetjes abraços abracos saluti atentamente",
        r"(?i:regards|sincerely|cheers|best[ \t]+wishes|thanks|cordialement|saludos|gr[üu](?:ß|ss)e"
        r"|gruesse|xoxo|love|groetjes|abra[çc]os|(?:cordiali[ \t]+)?saluti|atentamente)[,!]?\s+"
        + _CUE_NAME
        + r"[ \t]*[.!]?\s*$",
        False,
        0.7,
    ),
)
_CUE_INDEX: dict[str, tuple[_Cue, ...]] = {}
for _c in _PERSON_CUES:
    for _k in _c.keywords:
        _CUE_INDEX[_k] = (*_CUE_INDEX.get(_k, ()), _c)
del _c, _k
_WORD = re.compile(r"[^\W\d_]+")
#: Start of a sentence, or right after the @handles a reply starts with.
_SENTENCE_START = re.compile(r"(?:^|[.!?\n]|@\w+)[ \t]*$")
#: A signature line: "- Dana W." at the end of a post.
_DASH_SIGNATURE = re.compile(r"(?:^|\s)[-–—~][ \t]*" + _CUE_NAME + r"[ \t]*$")
#: "Dr. Amara Okonkwo", "Mrs J. Thompson", "Mr Patel": the title is part of the span.
_TITLED_NAME = re.compile(
    rf"(?<![\w])(?P<name>{_TITLE}\.?[ \t]+(?:[{_UPPER}]\.[ \t]*){{0,2}}{_NAME}(?:{_NEXT_TOKEN}){{0,2}})"
)
#: "Kwame at the Leeds store", "Priya was brilliant", "Laura here": a gazetteer first name
#: followed by a verb or a place word.
_NAME_BEFORE_CUE = re.compile(
    rf"(?<![\w@#/.])(?P<name>{_NAME})(?=[ \t]+(?:(?:{_FOLLOWING_VERBS})\b|here\b[^\w]*(?:$|,|\.|!|-)))"
)
_GAZETTEER_PAIR = re.compile(rf"(?<![\w@#/.-])(?P<name>{_NAME}(?:{_NEXT_TOKEN}){{1,2}})")
#: First words of place names ("Lake Howard", "Port Elizabeth", "San Diego"), never a first name.
_PLACE_PREFIXES = frozenset(
    "Lake Port San Santa Santo Saint St Ste Mount Mt Fort Ft New North South East West Upper "
    "Lower Great Little Los Las El La Le Les Rio Cape Glen Bay Isle Point Palm Grand Old "
    "Royal Bad Bel Val Villa Ville Costa Porto Puerto Sao São".split()
)
_NEXT_WORD = re.compile(r"[ \t]+([A-Za-z]+)")
#: Sentence-initial function words of other languages ("Ich bin Kunde", "Je suis Client"):
#: the English common-word list does not know them.
_FOREIGN_FUNCTION_WORDS = frozenset(
    "ich du er sie wir ihr es der die das den dem des ein eine einen mein meine dein sein und "
    "oder aber nicht ist bin hat habe war auch noch schon nur wie was wer wo heute hallo danke "
    "je tu il elle nous vous ils elles le la les un une des du mon ma mes ton ta son sa et ou "
    "mais est suis ai avec pour dans sur pas bonjour merci yo tú él ella nosotros el los las "
    "uno una mi mis su sus y pero es soy estoy tengo con para por hola gracias io lui lei noi "
    "voi il lo gli mio mia sono ho non ciao grazie eu ele ela nós os um uma meu minha seu sua "
    "não sou tenho olá obrigado ik jij hij zij wij het een mijn en maar niet ben heb met voor "
    "hoi dank".split()
)
#: Words that make a capitalised phrase a place or an organisation, not a person.
_PLACE_SUFFIXES = frozenset(
    "street st road rd avenue ave lane ln drive dr park square sq station airport airlines "
    "airways bank energy mall store shop center centre hotel hotels hospital clinic university "
    "college school academy group inc ltd llc corp company bridge tower towers palace castle "
    "cathedral church chapel museum stadium arena theatre theater hall gardens zoo canyon falls "
    "river lake mountain mountains island islands beach bay valley heights county city "
    "foundation institute insurance motors pharmacy restaurant cafe bar pub".split()
)
_AFTER_CAPITALISED = re.compile(r"(?:(?P<word>[A-Z][\w'’-]*)|\d+)[ \t]+$")
_AND_NAME = re.compile(rf"[ \t]*(?P<joiner>,|&|and|or)[ \t]+(?P<name>{_NAME})")
_TOKEN = re.compile(rf"{_NAME}|[{_UPPER}]\.?|{_PARTICLE}")
# Capitalised words that follow a first name without being a surname.
_NOT_SURNAMES = frozenset(
    "the and or but for from with without at in on to of is was are were will would can could "
    "has have had does did not just please thanks thank support team app home hub plug bulb "
    "bulbs plugs thermostat smart customer service help update here there this that monday "
    "tuesday wednesday thursday friday saturday sunday january february march april may june "
    "july august september october november december street st road rd avenue ave lane drive "
    "park square station airport airlines airways air bank energy mall store shop center "
    "centre hotel hospital university college school group inc ltd llc co corp heights city "
    "county valley beach bay branch office team pro max plus mini ultra edition series "
    "account card insurance mobile wireless broadband fibre fiber apt apartment suite ste flat "
    "unit".split()
)
# Gazetteer names that are mostly something else in customer posts, and dates.
_NOT_FIRST_NAMES = frozenset(
    {"Alexa", "Siri", "Echo", "Nest", "Ring", "Google", "Apple", "Amazon", "Chase", "Delta",
     "Target", "Sky", "Virgin", "Orange", "Three", "Tesla", "Mercedes", "Ford", "Dell",
     "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday", "January",
     "February", "March", "April", "May", "June", "July", "August", "September", "October",
     "November", "December", "Christmas", "Easter"}
)  # fmt: skip


def find_names(text: str) -> Iterator[tuple[int, int, float]]:
    """Person names in `text` as (start, end, score), from context cues, titles and the
    first-name and surname gazetteers (the NER layer is the detector's)."""
    lists = _NameLists(first_names(), surnames(), common_words())
    found = list(_cued_names(text, lists))
    if "." in text or "M" in text or "D" in text or "S" in text or "P" in text:
        for m in _TITLED_NAME.finditer(text):
            end = _titled_name_end(m, lists)
            if end:
                found.append((m.start("name"), end, 0.8))
    for m in _NAME_BEFORE_CUE.finditer(text):
        first = m.group("name")
        # "iPhone 15 Pro Max is": a name after a capitalised word or a number is a product
        # (a real "First Last" pair is the gazetteer rule's).
        if lists.is_first_name(first) and not _after_product_word(text, m.start(), lists):
            found.append((m.start("name"), m.end("name"), 0.6))
    pos = 0
    while (m := _GAZETTEER_PAIR.search(text, pos)) is not None:
        end = _gazetteer_pair_end(m, lists)
        if end:
            found.append((m.start("name"), end, 0.6))
            pos = end
        elif (first := m.group().split()[0]) in _PLACE_PREFIXES:
            pos = m.end()  # "San Antonio Spurs": the whole place name is skipped
        else:  # "Honestly Gordon Ramsay": retry from the next word
            pos = m.start() + len(first)
    # "Tom and Aisha": a first name joined to a name already found.
    for _, end, score in list(found):
        m = _AND_NAME.match(text, end)
        if m and _joined_name_ok(m.group("name"), m.group("joiner") != ",", lists):
            found.append((m.start("name"), m.end("name"), score))
    yield from found


def _cued_names(text: str, lists: _NameLists) -> Iterator[tuple[int, int, float]]:
    """Names right after a cue ("my name is", "thanks", "driver"): each word of the text
    is looked up once; matching cues are tried anchored at that word."""
    for word in _WORD.finditer(text):
        cues = _CUE_INDEX.get(word.group().lower())
        if not cues:
            continue
        start = word.start()
        if start and text[start - 1].isalnum():
            continue
        for cue in cues:
            if cue.sentence_start and not _SENTENCE_START.search(text, max(0, start - 60), start):
                continue
            m = cue.pattern.match(text, start)
            if m is None:
                continue
            if m.group("name")[0].islower() and word.group().lower() not in _LOWERCASE_CUES:
                continue  # "the agent said": only name-like cues take lower-case names
            if cue.strict and m.group("name").split()[0].lower() in lists.words:
                continue
            end = _name_end(m, cue.strong, lists)
            if end:
                yield m.start("name"), end, cue.score
    tail = text[-80:]
    if any(c in tail for c in "-–—~"):
        m = _DASH_SIGNATURE.search(text, max(0, len(text) - 80))
        if m:
            end = _name_end(m, False, lists)
            if end:
                yield m.start("name"), end, 0.7


@dataclass(frozen=True)
class _NameLists:
    first: frozenset[str]
    last: frozenset[str]
    words: frozenset[str]

    def is_first_name(self, token: str) -> bool:
        """A gazetteer first name that is neither an ordinary word nor a brand/place."""
        return (
            token in self.first
            and token not in _NOT_FIRST_NAMES
            and token not in _PLACE_PREFIXES
            and token.lower() not in self.words
        )

    def is_name_like(self, token: str) -> bool:
        """May follow a first name: not an ordinary word (unless a known name) nor a suffix."""
        bare = token.rstrip(".")
        if bare.lower() in _NOT_SURNAMES:
            return False
        return bare.lower() not in self.words or bare in self.last or bare in self.first


def _after_product_word(text: str, start: int, lists: _NameLists) -> bool:
    """Is the word before `start` a number or a capitalised non-word ("15 Pro Max")?"""
    m = _AFTER_CAPITALISED.search(text, max(0, start - 30), start)
    if m is None:
        return False
    word = m.group("word")
    return word is None or word.lower() not in lists.words


def _joined_name_ok(token: str, conjunction: bool, lists: _NameLists) -> bool:
    """After "Marco and": a first name, or any capitalised word that is not an ordinary
    word, brand or place ("Deshawn"); after a comma, only a first name."""
    if token in _NOT_FIRST_NAMES or token in _PLACE_PREFIXES:
        return False
    if not conjunction:
        return lists.is_first_name(token)
    return token in lists.first or token.lower() not in lists.words


def _kept_tokens(m: re.Match[str], lists: _NameLists) -> list[re.Match[str]]:
    """Tokens of the `name` group: the first, then each that still looks like part of a name;
    trailing particles are dropped."""
    tokens = list(_TOKEN.finditer(m.group("name")))
    kept = tokens[:1]
    for token in tokens[1:]:
        value = token.group()
        if (
            re.fullmatch(_PARTICLE, value)
            or len(value.rstrip(".")) == 1
            or lists.is_name_like(value)
        ):
            kept.append(token)
        else:
            break
    while len(kept) > 1 and (
        re.fullmatch(_PARTICLE, kept[-1].group()) or kept[-1].group().islower()
    ):
        kept.pop()
    return kept


def _name_end(m: re.Match[str], strong_cue: bool, lists: _NameLists) -> int | None:
    """End offset of a cue-captured name, or None if it is made of ordinary words.

    After a strong cue ("my name is") any capitalised non-word counts; after a weak one
    ("thanks", "driver") the first token must be a known first name, or two name-like tokens.
    """
    if m.group("name")[0].islower():
        return _lowercase_name_end(m, lists)
    if re.fullmatch(_CASELESS_NAME, m.group("name")):
        return m.end("name")
    kept = _kept_tokens(m, lists)
    first = kept[0].group()
    if (
        first in _NOT_FIRST_NAMES
        or first in _PLACE_PREFIXES
        or (first.lower() in lists.words and first not in lists.first)
    ):
        return None
    if not (strong_cue or first in lists.first or len(kept) > 1 or _NON_LATIN_LETTER.match(first)):
        return None
    return m.start("name") + kept[-1].end()


def _lowercase_name_end(m: re.Match[str], lists: _NameLists) -> int | None:
    """End of a lower-case name after a cue ("thanks john smith"): the first word must be a
    known first name that is not an ordinary word; a second word is kept if it is a known
    surname that is not an ordinary word either."""
    name = m.group("name")
    first, _, rest = name.partition(" ")
    if first in _NOT_LOWERCASE_NAMES or first in lists.words:
        return None
    if not lists.is_first_name(first.capitalize()):
        return None
    end = len(first)
    second = rest.strip()
    if second and second not in lists.words and second.capitalize() in lists.last:
        end = len(name)
    return m.start("name") + end


def _titled_name_end(m: re.Match[str], lists: _NameLists) -> int | None:
    """End of "Mr Patel" / "Dr. Amara Okonkwo": the word after the title must not be an
    ordinary word unless it is a known surname or first name ("Mr Brown")."""
    name = m.group("name")
    tokens = [t for t in _TOKEN.finditer(name) if len(t.group().rstrip(".")) > 1][1:]
    if not tokens:
        return None
    value = tokens[0].group()
    if value.lower() in lists.words and value not in lists.last and value not in lists.first:
        return None
    end = tokens[0].end()
    for token in tokens[1:]:
        if not lists.is_name_like(token.group()):
            break
        end = token.end()
    return m.start("name") + end


def _gazetteer_pair_end(m: re.Match[str], lists: _NameLists) -> int | None:
    """End of "First Last" where the first token is a known first name, or the second a
    known surname (neither an ordinary word); None otherwise, and None for a place or an
    organisation ("Golden Gate Bridge", "Victoria Park Hotel")."""
    following = _NEXT_WORD.match(m.string, m.end())
    words = m.group().split() + ([following.group(1)] if following else [])
    if any(w.lower() in _PLACE_SUFFIXES for w in words[1:]):
        return None
    kept = _kept_tokens(m, lists)
    names = [t.group() for t in kept if not re.fullmatch(_PARTICLE, t.group())]
    if len(names) < 2:
        return None
    first, second = names[0], names[1].rstrip(".")
    if _NON_LATIN_LETTER.match(first) and _NON_LATIN_LETTER.match(second):
        # Gazetteers cannot confirm "Анна Кузнецова"; two capitalised words of another script
        # inside a Latin-script post are a name (in a Russian post, they may be anything).
        return m.start("name") + kept[-1].end() if _mostly_latin(m.string) else None
    if (
        first in _NOT_FIRST_NAMES
        or first in _PLACE_PREFIXES
        or first.lower() in lists.words
        or first.lower() in _FOREIGN_FUNCTION_WORDS
    ):
        return None
    if lists.is_first_name(first) or (
        len(second) > 1
        and second in lists.last
        and second not in lists.first
        and second.lower() not in lists.words
    ):
        return m.start("name") + kept[-1].end()
    return None


def _mostly_latin(text: str) -> bool:
    """More Latin letters than letters of other scripts (checked on the first 2,000)."""
    letters = [c for c in text[:2000] if c.isalpha()]
    return sum(c.isascii() or c <= "\u024f" for c in letters) * 2 > len(letters)


def plausible_ner_person(value: str) -> bool:
    """A model's PERSON span is kept unless it is long (a misread sentence), mostly digits (an
    id such as "ZX9-7781234"; "david_myers77" is kept), or made only of ordinary words that are
    not first names ("Leak sensor")."""
    words = _WORD.findall(value)
    if not words or len(words) > 4:
        return False
    alnum = [c for c in value if c.isalnum()]
    if sum(c.isdigit() for c in alnum) >= 0.3 * len(alnum):
        return False
    first, common = first_names(), common_words()
    if not any(w.lower() not in common or w.capitalize() in first for w in words):
        return False
    # Product and everyday words the model takes for names: "router", "setup" in lower case,
    # "Leak Sensor", "Glow Strip" capitalised. A single capitalised word ("Austin") may be a
    # name; a first name or surname ("Link", "Rose") always may.
    # A user name ("Surf_Photo", "majestic888") or a title ("Duchess of Cambridge") is kept.
    if "_" in value or any(c.isdigit() for c in value) or " of " in value:
        return True
    lower_case = not any(c.isupper() for c in value)
    if lower_case or len(words) > 1:
        english, last = english_words(), surnames()
        return any(
            w.lower() not in english or w.capitalize() in first or w.capitalize() in last
            for w in words
        )
    return True
