"""What of a customer post's text may be published: redaction, quotes and their findability risk.

`quote` (and `quote_column` for a table) is the one way customer post text may reach a report;
`redact` replaces detected personal data with typed placeholders; `quote_risk` scores how
findable a published quote is by exact search.

The default detector is looked up as `toolkit.privacy.detect.analyzer.default_detector` at each
call, so replacing that one function (as tests do) changes the detector everywhere.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Literal

import numpy as np
import pandas as pd

from toolkit.privacy.detect import analyzer
from toolkit.privacy.detect.analyzer import Detector, public_key
from toolkit.privacy.detect.entities import (
    ENTITY_TYPES,
    HANDLE,
    LOCATION,
    NEVER_RAW_TYPES,
    ORGANIZATION,
    PERSON,
    Span,
)
from toolkit.privacy.detect.recognizers import handle_of
from toolkit.privacy.detect.wordlists import common_words

QuotePolicy = Literal["none", "redacted", "full"]
QUOTE_MAX_CHARS = 140


def redact(
    text: str,
    spans: Sequence[Span] | None = None,
    operator: Literal["placeholder", "mask"] = "placeholder",
) -> str:
    """Replace spans with `<ENTITY_TYPE>` placeholders, or with '*' characters ("mask").

    Parameters
    ----------
    text : str
    spans : sequence of Span, optional
        Spans to remove (default: everything `detect` finds). Overlaps are merged first.
    operator : {"placeholder", "mask"}
    """
    if operator not in ("placeholder", "mask"):
        raise ValueError(f"unknown redaction operator {operator!r}")
    spans = analyzer.detect(text) if spans is None else analyzer.resolve_overlaps(text, spans)
    pieces, cursor = [], 0
    for span in spans:
        start, end = max(span.start, cursor), min(span.end, len(text))
        if end <= start:
            continue
        pieces.append(text[cursor:start])
        pieces.append(f"<{span.entity_type}>" if operator == "placeholder" else "*" * (end - start))
        cursor = end
    pieces.append(text[cursor:])
    return "".join(pieces)


def quote(
    text: str | None,
    policy: QuotePolicy,
    *,
    detector: Detector | None = None,
    keep_handles: Iterable[str] = (),
    max_risk: float | None = None,
    author_posts: int = 1,
) -> str | None:
    """The one way customer post text may reach a report.

    Parameters
    ----------
    text : str or None
        A customer post's text.
    policy : {"none", "redacted", "full"}
        "none" (the default in configs): no quote, returns None. "redacted": every detected
        piece of personal data is replaced by a typed placeholder (handles too) and the result
        cut to 140 characters. "full": the whole text, but personal data is still replaced
        (everything except URLs).
    detector : Detector, optional
        Finds the personal data to replace (default: `analyzer.default_detector()`).
    keep_handles : iterable of str
        Handles (e.g. the brand's own accounts) that may stay visible, with or without '@';
        links to these accounts' profiles ("x.com/brand") stay visible too.
    max_risk : float, optional
        With "redacted": shorten the excerpt (word by word, down to 4 words) until its
        `quote_risk` is at most this; if even 4 words are too findable, return None.
    author_posts : int
        Posts by the author in the dataset (author exposure, see `quote_risk`).
    """
    if policy not in ("none", "redacted", "full"):
        raise ValueError(f"unknown quote policy {policy!r}")
    if policy == "none" or not isinstance(text, str):
        return None
    keep = {h.lower().lstrip("@") for h in keep_handles}
    keep_names = {public_key(h) for h in keep_handles}
    detector = detector or analyzer.default_detector()
    wanted = None if policy == "redacted" else tuple(NEVER_RAW_TYPES)
    spans = [
        s
        for s in detector.candidates(text, wanted)
        if not (
            s.entity_type == HANDLE
            and (s.text.lower().lstrip("@") in keep or handle_of(s.text) in keep)
        )
        and not (s.entity_type in _PUBLIC_NAME_TYPES and public_key(s.text) in keep_names)
    ]
    redacted = redact(text, spans)
    if policy == "full":
        return redacted
    excerpt = _truncate(redacted, QUOTE_MAX_CHARS)
    if max_risk is not None:
        return _lower_risk(excerpt, max_risk, author_posts)
    return excerpt


#: NER types that may name the brand itself (kept when it is one of `keep_handles`).
_PUBLIC_NAME_TYPES = frozenset({ORGANIZATION, PERSON, LOCATION})
_PLACEHOLDER_RE = re.compile("<(?:" + "|".join(ENTITY_TYPES) + ")>")
#: What breaks a verbatim search phrase: a placeholder or an ellipsis.
_RUN_BREAK = re.compile("<(?:" + "|".join(ENTITY_TYPES) + ")>|…|\\.\\.\\.")
_RISK_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)?|#\w+")


def quote_risk(text: str | None, author_posts: int = 1) -> float:
    """Risk (0 to 1) that searching the published words verbatim finds the post and its author.

    Most quoted tweets can be found again by exact search (84% in Ayers et al. 2018). The
    searchable part of a quote is its longest run of words not broken by a placeholder or a
    cut (the longest n-gram someone can paste into a search engine), so:

    - length: that run's words / 12, capped at 1 (a dozen words in a row are nearly unique);
    - distinctiveness: the share of the run's words that are not common English words (rare
      words, typos, numbers, hashtags make an n-gram unique), times 3, capped at 1;
    - exposure: log(1 + posts by the author in the data) / log(21), capped at 1.

    ``risk = length * (0.5 + 0.5 * distinctiveness) * (0.75 + 0.25 * exposure)``

    Parameters
    ----------
    text : str or None
        The text as it would be published (after redaction).
    author_posts : int
        Posts by the same author in the dataset.
    """
    if not isinstance(text, str):
        return 0.0
    runs = [_RISK_WORD.findall(part) for part in _RUN_BREAK.split(text)]
    words = max(runs, key=len, default=[])
    if not words:
        return 0.0
    common = common_words()
    rare = sum(1 for w in words if w.lower() not in common)
    length = min(1.0, len(words) / 12)
    distinctiveness = min(1.0, 3 * rare / len(words))
    exposure = min(1.0, np.log1p(max(author_posts, 0)) / np.log1p(20))
    return round(float(length * (0.5 + 0.5 * distinctiveness) * (0.75 + 0.25 * exposure)), 3)


def risk_level(risk: float) -> str:
    """ "high" (>= 0.5), "medium" (>= 0.2) or "low" for a `quote_risk` score."""
    return "high" if risk >= 0.5 else "medium" if risk >= 0.2 else "low"


def _lower_risk(excerpt: str, max_risk: float, author_posts: int) -> str | None:
    if quote_risk(excerpt, author_posts) <= max_risk:
        return excerpt
    words = excerpt.rstrip("…").split()
    while len(words) > 4:
        words = words[:-1]
        shorter = " ".join(words) + "…"
        if quote_risk(shorter, author_posts) <= max_risk:
            return shorter
    return None


def quote_column(
    texts: pd.Series,
    policy: QuotePolicy,
    *,
    authors: pd.Series | None = None,
    keep_handles: Iterable[str] = (),
    max_risk: float | None = None,
    detector: Detector | None = None,
) -> pd.DataFrame:
    """`quote` applied to a column of post texts, with each quote's findability risk.

    Use it wherever post text goes into a report table, e.g.
    ``top = top.join(quote_column(top["text"], config.privacy.quotes, authors=top["author"]))``
    and then drop ``text``.

    Parameters
    ----------
    texts : Series of str
        Post texts (NaN / None allowed).
    policy : {"none", "redacted", "full"}
        See `quote`; usually ``config.privacy.quotes``.
    authors : Series, optional
        Author of each text (same index); each author's number of posts in `texts` is the
        exposure used by `quote_risk`.
    keep_handles : iterable of str
        Brand handles that may stay visible.
    max_risk : float, optional
        See `quote`.
    detector : Detector, optional

    Returns
    -------
    DataFrame with the index of `texts` and columns ``quote`` (None where nothing may be
    published), ``quote_risk`` and ``quote_risk_level``.
    """
    keep = tuple(keep_handles)
    detector = detector or analyzer.default_detector()
    prime = getattr(detector, "prime", None)
    if prime is not None and policy != "none":
        prime(texts.tolist())
    if authors is not None:
        n_posts = authors.map(authors.value_counts()).fillna(1).astype(int).tolist()
    else:
        n_posts = [1] * len(texts)
    quotes, risks = [], []
    for text, n in zip(texts.tolist(), n_posts, strict=True):
        published = quote(
            text, policy, keep_handles=keep, detector=detector, max_risk=max_risk, author_posts=n
        )
        quotes.append(published)
        risks.append(quote_risk(published, n))
    out = pd.DataFrame({"quote": quotes, "quote_risk": risks}, index=texts.index)
    out["quote_risk_level"] = out["quote_risk"].map(risk_level)
    return out


def _truncate(text: str, limit: int) -> str:
    """Cut to at most `limit` characters (ellipsis included), never inside a placeholder."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    open_at = cut.rfind("<")
    if open_at > cut.rfind(">") and re.fullmatch(r"<[A-Z_]*", cut[open_at:]):
        cut = cut[:open_at]
    return cut.rstrip() + "…"
