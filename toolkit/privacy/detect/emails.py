"""E-mail addresses, written plainly or obfuscated ("jane at gmail dot com", "bob (at) x.net")."""

from __future__ import annotations

import re
from collections.abc import Iterator

_EMAIL = re.compile(
    r"(?<![\w.%+@-])[\w.%+-]{1,64}+@(?:[^\W_](?:[\w-]{0,61}[^\W_])?\.){1,8}[^\W\d_]{2,24}(?![\w-])"
)
# "bob @ example.net" or "bob@example .net", but not "account @lunar.moth" (a handle).
_OBF_AT = r"(?:[ \t]*[(\[{<][ \t]*at[ \t]*[)\]}>][ \t]*|[ \t]+@[ \t]+|@|[ \t]+at[ \t]+)"
# " dot ", "(dot)", "[.]": a dot written out; `_OBF_DOT` also takes a plain ".".
_SPELLED_DOT = r"[ \t]*[(\[{<][ \t]*(?:dot|\.)[ \t]*[)\]}>][ \t]*|[ \t]+dot[ \t]+"
_WORD_DOT = re.compile(rf"(?i){_SPELLED_DOT}")
_OBF_DOT = rf"(?:{_SPELLED_DOT}|\.)"
_OBF_WORD = r"[a-z0-9_%+-]{1,64}+"  # possessive: no backtracking into words
_OBFUSCATED_EMAIL = re.compile(
    rf"(?i)(?<![\w.@+-])(?P<local>{_OBF_WORD}(?:{_OBF_DOT}{_OBF_WORD}){{0,4}})(?P<at>{_OBF_AT})"
    rf"(?P<domain>{_OBF_WORD}(?:{_OBF_DOT}{_OBF_WORD}){{0,4}}{_OBF_DOT}[a-z]{{2,24}})(?![\w-])"
)
_OBF_HINT = re.compile(r"(?i)[(\[{<][ \t]*at[ \t]*[)\]}>]|\sat\s|@")
_MAIL_PROVIDERS = frozenset(
    "gmail.com googlemail.com yahoo.com yahoo.co.uk yahoo.fr yahoo.es hotmail.com hotmail.co.uk "
    "hotmail.fr outlook.com live.com msn.com icloud.com me.com mac.com aol.com protonmail.com "
    "proton.me gmx.de gmx.net gmx.com web.de t-online.de orange.fr free.fr laposte.net sfr.fr "
    "libero.it virgilio.it btinternet.com sky.com mail.com yandex.com yandex.ru zoho.com "
    "fastmail.com hey.com tutanota.com".split()
)


def find_emails(text: str, obfuscated: bool = True) -> Iterator[tuple[int, int, float]]:
    """E-mail addresses in `text` as (start, end, score); with `obfuscated`, also forms such
    as "jane at example dot com" (slower on very large texts)."""
    if "@" in text:
        for m in _EMAIL.finditer(text):
            yield m.start(), m.end(), 1.0
    if obfuscated and _OBF_HINT.search(text):
        pos = 0
        while (m := _OBFUSCATED_EMAIL.search(text, pos)) is not None:
            if _plausible_obfuscated_email(m):
                yield m.start(), m.end(), 0.8
                pos = m.end()
            else:  # "me at j.nakamura (at) proton.me": the real one starts later
                pos = m.start("domain")


def _plausible_obfuscated_email(m: re.Match[str]) -> bool:
    """' at ' is ordinary English: accept it only with ' dot ' or a well-known mail domain."""
    at = m.group("at").strip().lower()
    if at != "at":
        return True
    domain = m.group("domain")
    if domain.lower() in _MAIL_PROVIDERS:
        return True
    labels = _WORD_DOT.split(domain)
    return len(labels) > 1 and re.search("[a-z]", labels[0], re.IGNORECASE) is not None
