"""The one set of patterns for what posts carry besides words: links, @mentions, #hashtags,
Reddit u/name mentions and emoji modifiers.

Ingest extracts links, mentions and hashtags with them, pseudonymisation finds the handles it
replaces with them, and the analyses strip them before looking at the words.
"""

from __future__ import annotations

import re

#: What may stand right before an @handle, following twitter-text: anything but a Latin letter,
#: a digit, '_', '@', '/' or '+' (so "dana@example.com" stays an e-mail), which lets through
#: ".@name", "(@name)", "cc:@name", "こんにちは@name"; plus the slash forms "w/@name" and
#: "/@name" when they are not part of a link ("https://mastodon.social/@dana"), and "RT@name".
_URL_CHAR = r"[\w./:%~+=&?#-]"
_BEFORE_HANDLE = (
    r"(?:(?<![A-Za-z0-9_\u00c0-\u024f\u1e00-\u1eff@\uff20/+])"
    rf"|(?<=(?<!{_URL_CHAR})/)"
    rf"|(?<=(?<!{_URL_CHAR})[A-Za-z]/)"
    r"|(?<=(?<![\w+~.-])[Rr][Tt])|(?<=(?<![\w+~.-])[Rr][Tt]:))"
)
#: @handle in post text: Twitter/Instagram/Reddit style, plus Mastodon's @user@instance, with
#: '@' or the full-width '＠' Twitter also accepts. Instagram and Mastodon handles may contain
#: dots, but never end with one ("@jane.doe."); "@name's" and "@name:" end before the quote.
HANDLE_IN_TEXT = re.compile(
    r"(?=[@\uff20])"  # fail fast where there is no at sign
    + _BEFORE_HANDLE
    + r"[@\uff20]([A-Za-z0-9_](?:[A-Za-z0-9_.]{0,28}[A-Za-z0-9_])?"
    r"(?:@[A-Za-z0-9.-]{1,100}\.[A-Za-z]{2,24})?)"
)

#: An http(s) or www. link, up to the next whitespace or quote/angle bracket; not inside a word
#: or right after '@'. Strip `URL_TRAILING` from a match to get the link as written.
URL = re.compile(r"(?<![\w@])(?:https?://|www\.)[^\s<>\"']+", re.IGNORECASE)
#: Punctuation that ends a sentence rather than a link.
URL_TRAILING = ".,;:!?)]}'\"…"
#: A hashtag: '#' then word characters with at least one letter (so '#1' is not a tag).
HASHTAG = re.compile(r"(?<![\w&#/])#(\w*[^\W\d]\w*)")
#: The words of a CamelCase hashtag body ("NimbusGlowUp": Nimbus, Glow, Up; "Tour2026": Tour, 2026).
CAMEL_PART = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|\d+")
#: '@' or '#' and the word characters after it, wherever they stand (an e-mail's domain too):
#: what to strip before counting a text's words, where the exact rules of `HANDLE_IN_TEXT` and
#: `HASHTAG` do not matter.
LOOSE_TAG = re.compile(r"[@#]\w+")
#: Reddit's own mention style: u/name or /u/name.
REDDIT_USER = re.compile(r"(?<![\w/])/?u/([A-Za-z0-9_-]{3,20})\b")
#: What modifies an emoji rather than being one: variation selector 16, the zero-width joiner
#: and the skin-tone modifiers.
EMOJI_MODIFIERS = re.compile("[\ufe0f\u200d\U0001f3fb-\U0001f3ff]")
