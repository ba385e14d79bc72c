"""Text clean-up shared by every loader: Unicode NFC, mojibake repair, HTML to text, entities.

Everything here works on one string at a time and is written to be cheap on the common case
(plain, already-normalised text), because loaders call it once per post.
"""

from __future__ import annotations

import html
import re
import unicodedata

import ftfy

from toolkit.core.text import HANDLE_IN_TEXT, HASHTAG, REDDIT_USER, URL, URL_TRAILING

#: Two-character sequences that UTF-8 read as cp1252/Latin-1 produces ("Ã©", "â€™", "ðŸ"),
#: plus stray C1 control characters. Only texts with one of these go through ftfy, which is slow.
_MOJIBAKE_HINT = re.compile(
    "[\u00c2\u00c3\u00c5\u00e2\u00f0][\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e"
    "\u0192\u02c6\u02dc\u2013\u2014\u2018-\u201e\u2020-\u2022\u2026\u2030\u2039\u203a\u20ac\u2122]"
    "|[\u0080-\u009f]"
)
#: Only repair encodings; keep quotes, widths, ligatures and line breaks as the author wrote them.
_FTFY_CONFIG = ftfy.TextFixerConfig(
    unescape_html=False,
    remove_terminal_escapes=False,
    fix_latin_ligatures=False,
    fix_character_width=False,
    uncurl_quotes=False,
    fix_line_breaks=False,
    remove_control_chars=False,
    normalization="NFC",
)
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")

_HTML_BREAK = re.compile(r"<br\s*/?>", re.IGNORECASE)
_HTML_BLOCK_GAP = re.compile(
    r"</(?:p|blockquote|pre|ol|ul|h[1-6])>\s*<(?:p|blockquote|pre|ol|ul|h[1-6])\b[^>]*>",
    re.IGNORECASE,
)
_HTML_LIST_ITEM = re.compile(r"</li>\s*<li\b[^>]*>", re.IGNORECASE)
_HTML_TAG = re.compile(r"<[^>]*>")


def normalise_text(text: object) -> str:
    """Clean one post text: NFC, mojibake repaired, newlines unified, outer whitespace stripped.

    Parameters
    ----------
    text : str or None
        Raw text; None (or any non-string) becomes "" (non-strings are converted with str()).
    """
    if text is None:
        return ""
    if not isinstance(text, str):
        text = str(text)
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if "\x00" in text:
        text = text.replace("\x00", "")
    if not text.isascii():
        text = clean_unicode(text)
    return text.strip()


def clean_unicode(text: str) -> str:
    """Repair mojibake (ftfy, only when the text looks broken), drop lone surrogates, apply NFC."""
    if _MOJIBAKE_HINT.search(text):
        text = ftfy.fix_text(text, _FTFY_CONFIG)
    if _LONE_SURROGATE.search(text):
        text = _LONE_SURROGATE.sub("\ufffd", text)
    if not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    return text


def safe_str(value: object) -> str | None:
    """A string safe to store in Arrow (no lone surrogates), or None for None."""
    if value is None:
        return None
    text = value if isinstance(value, str) else str(value)
    if not text.isascii() and _LONE_SURROGATE.search(text):
        text = _LONE_SURROGATE.sub("\ufffd", text)
    return text


def unescape_basic(text: str) -> str:
    """Undo the escaping Twitter and Reddit apply to post text: &lt; &gt; &amp; only.

    Other entities are left alone on purpose: the APIs do not produce them, so an '&quot;'
    in the text is what the author typed.
    """
    if "&" not in text:
        return text
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def html_to_text(markup: str | None) -> str:
    """Convert Mastodon-style status HTML to plain text.

    Anchors become their text (so `@<span>user</span>` -> `@user`, and link spans marked
    invisible/ellipsis join back into the full URL), `<br />` becomes a newline, paragraphs
    are joined by a blank line, and HTML entities are unescaped last (so escaped markup stays text).

    Parameters
    ----------
    markup : str or None
        The `content` field of a status.
    """
    if not markup:
        return ""
    if "<" not in markup:
        return html.unescape(markup)
    text = _HTML_BREAK.sub("\n", markup)
    text = _HTML_BLOCK_GAP.sub("\n\n", text)
    text = _HTML_LIST_ITEM.sub("\n", text)
    text = _HTML_TAG.sub("", text)
    return html.unescape(text)


def extract_hashtags(text: str) -> list[str]:
    """Hashtags in `text`, without '#', lower-cased, first occurrence order, no repeats."""
    if "#" not in text:
        return []
    found = HASHTAG.findall(text)
    if len(found) == 1:  # the common case, without the generator
        return [found[0].lower()]
    return unique(tag.lower() for tag in found)


def extract_mentions(text: str) -> list[str]:
    """Raw @handles in `text` (without '@'), first occurrence order, no repeats."""
    if "@" not in text and "\uff20" not in text:
        return []
    found = HANDLE_IN_TEXT.findall(text)
    return found if len(found) < 2 else unique(found)


def extract_reddit_users(text: str) -> list[str]:
    """Raw Reddit u/name mentions in `text`, first occurrence order, no repeats."""
    if "u/" not in text:
        return []
    return unique(REDDIT_USER.findall(text))


def extract_urls(text: str) -> list[str]:
    """Links in `text` (http(s):// or www.), trailing punctuation removed, no repeats."""
    if "http" not in text and "www." not in text and "HTTP" not in text and "WWW." not in text:
        return []
    found = URL.findall(text)
    if len(found) == 1:
        url = found[0].rstrip(URL_TRAILING)
        return [url] if url else []
    return unique(url.rstrip(URL_TRAILING) for url in found)


def unique(values) -> list:
    """The values in first-occurrence order without repeats, Nones and empty strings dropped."""
    seen = {}
    for value in values:
        if value and value not in seen:
            seen[value] = None
    return list(seen)
