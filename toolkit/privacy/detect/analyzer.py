"""The detector: finds personal data in post text by running every recogniser over it.

Customer handles are pseudonymised at ingest (`toolkit.privacy.pseudonymise`); the detector
finds the personal data that remains *inside* post text. Detection is layered, the way
Presidio's analyzer composes its recognisers: the core recognisers of this package (`emails`,
`phones`, `credit_card`, `iban`, `ip_address`, `url`, `handles`, `order_numbers`, `addresses`,
`person_names`, `places`), the pattern recognisers of `recognizers/`, and the statistical NER layer
(`ner`). Text is normalised first (`normalise`) and overlapping detections are merged into one
span of the most specific type (`resolve_overlaps`). Entity names follow Microsoft Presidio
(`entities`).

What may be published of post text is decided in `toolkit.privacy.quoting`.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

import pandas as pd

from toolkit.privacy.detect.addresses import find_street_addresses
from toolkit.privacy.detect.credit_card import find_cards
from toolkit.privacy.detect.emails import find_emails
from toolkit.privacy.detect.entities import (
    AGE,
    CONTEXT_TYPES,
    CREDIT_CARD,
    DATE_TIME,
    EMAIL_ADDRESS,
    ENTITY_TYPES,
    HANDLE,
    IBAN_CODE,
    IP_ADDRESS,
    LOCATION,
    NRP,
    ORDER_NUMBER,
    ORGANIZATION,
    PASSPORT,
    PERSON,
    PHONE_NUMBER,
    STREET_ADDRESS,
    UK_NINO,
    UK_SORT_CODE,
    URL,
    US_DRIVER_LICENSE,
    US_SSN,
    Span,
)
from toolkit.privacy.detect.handles import find_handles
from toolkit.privacy.detect.iban import find_ibans
from toolkit.privacy.detect.ip_address import find_ips
from toolkit.privacy.detect.normalise import normalise
from toolkit.privacy.detect.order_numbers import DEFAULT_ORDER_PATTERNS, find_order_numbers
from toolkit.privacy.detect.person_names import find_names, plausible_ner_person
from toolkit.privacy.detect.phones import DEFAULT_PHONE_REGIONS, find_phones
from toolkit.privacy.detect.places import find_places
from toolkit.privacy.detect.recognizers import PatternRecognizer, default_recognizers
from toolkit.privacy.detect.url import find_urls

#: The types the NER layer finds: people, and the types only it finds.
NER_LAYER_TYPES = CONTEXT_TYPES | {PERSON}

#: Overlapping spans are merged into one span of the most specific type (highest rank wins).
SPECIFICITY = {
    CREDIT_CARD: 9,
    IBAN_CODE: 9,
    EMAIL_ADDRESS: 8,
    US_SSN: 8,
    UK_NINO: 8,
    PASSPORT: 8,
    US_DRIVER_LICENSE: 8,
    UK_SORT_CODE: 8,
    ORDER_NUMBER: 7,
    IP_ADDRESS: 6,
    PHONE_NUMBER: 5,
    STREET_ADDRESS: 4,
    DATE_TIME: 4,
    AGE: 4,
    HANDLE: 3,
    PERSON: 2,
    LOCATION: 1.6,
    NRP: 1.5,
    ORGANIZATION: 1.4,
    URL: 1,
}


class Detector:
    """Find personal data in text; holds the configurable parts (order patterns, phone regions).

    Parameters
    ----------
    order_patterns : sequence of str
        Regexes for order / ticket numbers; a named group ``id`` marks the span.
    phone_regions : sequence of str
        ISO regions whose national phone formats are recognised ('+' numbers always are).
    phone_budget : int
        Phone-shaped candidates validated per text; any beyond are reported unvalidated
        (score 0.3) so a pathological text cannot take minutes. Posts never come close.
    obfuscated_emails : bool
        Also look for 'jane at example dot com' forms (slower on very large texts).
    ner : str, NerLayer, callable or None
        The statistical layer (`toolkit.privacy.detect.ner`): people, places (LOCATION), organisations,
        dates (DATE_TIME) and NRP. "auto" (default): the bundled tweet model; another string
        names a model (see `toolkit.privacy.detect.ner.resolve_model`); a `toolkit.privacy.detect.ner.NerLayer`; any callable
        text -> iterable of ``(start, end, spaCy label)``; None or "off": rules only.
    public_terms : iterable of str
        Names that are not personal data (the brand's and competitors' names and handles,
        ``Config.public_names``): an NER span that is one of them is dropped.
    recognizers : sequence of toolkit.privacy.detect.recognizers.PatternRecognizer, optional
        Pattern recognisers run next to the core ones (street address forms, postcodes,
        ages, dates of birth, SSN, driver's licence, passport, sort code, NI number, profile
        links). Default: `toolkit.privacy.detect.recognizers.default_recognizers()`.
    """

    def __init__(
        self,
        order_patterns: Sequence[str] = DEFAULT_ORDER_PATTERNS,
        phone_regions: Sequence[str] = DEFAULT_PHONE_REGIONS,
        phone_budget: int = 300,
        obfuscated_emails: bool = True,
        ner: Any = "auto",
        public_terms: Iterable[str] = (),
        recognizers: Sequence[PatternRecognizer] | None = None,
    ):
        self.order_patterns = tuple(re.compile(p) for p in order_patterns)
        self.phone_regions = tuple(phone_regions)
        self.phone_budget = phone_budget
        self.obfuscated_emails = obfuscated_emails
        self.ner = _ner_layer(ner)
        self.public_terms = frozenset(filter(None, (public_key(t) for t in public_terms)))
        self._recognisers = {
            EMAIL_ADDRESS: self._emails,
            PHONE_NUMBER: self._phones,
            CREDIT_CARD: find_cards,
            IBAN_CODE: find_ibans,
            IP_ADDRESS: find_ips,
            URL: find_urls,
            HANDLE: find_handles,
            ORDER_NUMBER: self._orders,
            STREET_ADDRESS: find_street_addresses,
            PERSON: find_names,
            **{kind: _nothing for kind in CONTEXT_TYPES},  # the NER layer finds these
            LOCATION: self._places,
        }
        self.recognizers = tuple(default_recognizers() if recognizers is None else recognizers)
        for recognizer in self.recognizers:  # a type may have a core and a pattern recogniser
            core = self._recognisers.get(recognizer.entity_type)
            self._recognisers[recognizer.entity_type] = (
                recognizer.analyze
                if core in (None, _nothing)
                else _chained(core, recognizer.analyze)
            )

    @classmethod
    def from_config(cls, privacy: Any, public_terms: Iterable[str] = ()) -> Detector:
        """The detector a config asks for: its extra order patterns, phone regions and NER.

        Parameters
        ----------
        privacy : toolkit.core.config.Privacy, or a whole toolkit.core.config.Config
            ``order_patterns`` are added to the defaults; ``phone_regions`` (if set) replace
            them; ``ner_model`` "auto" (default) uses the bundled tweet NER model, "off" no NER,
            any other value names the model (see `toolkit.privacy.detect.ner.resolve_model`). Given a whole
            config, its `Config.public_names` (brand, competitors) are `public_terms` too.
        public_terms : iterable of str
            See `Detector`.
        """
        if hasattr(privacy, "public_names") and hasattr(privacy, "privacy"):
            public_terms = (*public_terms, *privacy.public_names())
            privacy = privacy.privacy
        regions = getattr(privacy, "phone_regions", None) or DEFAULT_PHONE_REGIONS
        extra = tuple(getattr(privacy, "order_patterns", None) or ())
        ner_model = getattr(privacy, "ner_model", "auto") or "off"
        return cls(
            order_patterns=DEFAULT_ORDER_PATTERNS + extra,
            phone_regions=regions,
            ner=ner_model,
            public_terms=public_terms,
        )

    def prime(self, texts: Iterable[Any]) -> None:
        """Run the NER layer over many texts at once (batched `nlp.pipe`) and cache the
        results, so that `detect` on each of them afterwards does not parse them one by one."""
        if self.ner is not None:
            self.ner.entities_many([normalise(t).text for t in texts if isinstance(t, str) and t])

    def detect_many(
        self, texts: Sequence[Any], entities: Iterable[str] | None = None
    ) -> list[list[Span]]:
        """`detect` of each text (non-strings give []), with the NER layer run in batches."""
        wanted = ENTITY_TYPES if entities is None else tuple(entities)
        if self.ner is not None and NER_LAYER_TYPES & set(wanted):
            self.prime(texts)
        return [self.detect(t, wanted) if isinstance(t, str) else [] for t in texts]

    def clear_cache(self) -> None:
        """Forget the NER layer's cached texts."""
        if self.ner is not None:
            self.ner.clear_cache()

    def ner_info(self) -> dict | None:
        """Name, version and file hash of the NER model (None when the layer is off)."""
        return None if self.ner is None else self.ner.info()

    def candidates(
        self, text: str, entities: Iterable[str] | None = None, ner: bool = True
    ) -> list[Span]:
        """All raw detections, overlapping ones included (offsets into `text`).

        Parameters
        ----------
        text : str
            Any text.
        entities : iterable of str, optional
            Restrict to these entity types (default: every type this detector finds).
        ner : bool
            Also run the NER layer (when the detector has one); False: rules and patterns only.
        """
        if not text:
            return []
        wanted = tuple(self._recognisers) if entities is None else tuple(entities)
        unknown = set(wanted) - set(self._recognisers)
        if unknown:
            raise ValueError(f"unknown entity types: {sorted(unknown)}")
        norm = normalise(text)
        spans = []
        for entity_type in wanted:
            found = list(self._recognisers[entity_type](norm.text))
            if ner and entity_type in NER_LAYER_TYPES:
                found += self._ner(entity_type, norm.text)
            for start, end, score in found:
                orig_start, orig_end = norm.original(start, end)
                spans.append(
                    Span(orig_start, orig_end, entity_type, score, text[orig_start:orig_end])
                )
        return spans

    def detect(
        self, text: str, entities: Iterable[str] | None = None, ner: bool = True
    ) -> list[Span]:
        """Non-overlapping personal-data spans in `text`, sorted by start (see `detect`);
        `ner` as in `candidates`."""
        return resolve_overlaps(text, self.candidates(text, entities, ner))

    # Each recogniser yields (start, end, score) in the normalised text.
    def _emails(self, text: str) -> Iterator[tuple[int, int, float]]:
        return find_emails(text, self.obfuscated_emails)

    def _phones(self, text: str) -> Iterator[tuple[int, int, float]]:
        return find_phones(text, self.phone_regions, self.phone_budget)

    def _orders(self, text: str) -> Iterator[tuple[int, int, float]]:
        return find_order_numbers(text, self.order_patterns)

    def _places(self, text: str) -> Iterator[tuple[int, int, float]]:
        for start, end, score in find_places(text):
            if not (self.public_terms and self._is_public(text[start:end])):
                yield start, end, score

    def _ner(self, kind: str, text: str) -> Iterator[tuple[int, int, float]]:
        if self.ner is None:
            return
        for entity in self.ner(text):
            if entity.entity_type != kind:
                continue
            value = text[entity.start : entity.end]
            if self.public_terms and self._is_public(value):
                continue
            if kind == PERSON and not plausible_ner_person(value):
                continue
            yield entity.start, entity.end, entity.score

    def _is_public(self, value: str) -> bool:
        """The brand's or a competitor's name ("Nimbus Home", "@NimbusHome", "Nimbus support")."""
        if public_key(value) in self.public_terms:
            return True
        words = [public_key(w) for w in re.split(r"[\s/]+", value)]
        return any(w in self.public_terms for w in words) and all(
            w in self.public_terms or w in _GENERIC_ORG_WORDS for w in words
        )


def _nothing(text: str) -> tuple:
    return ()


def _chained(
    *finders: Callable[[str], Iterable[tuple[int, int, float]]],
) -> Callable[[str], Iterator[tuple[int, int, float]]]:
    def run(text: str) -> Iterator[tuple[int, int, float]]:
        for finder in finders:
            yield from finder(text)

    return run


def resolve_overlaps(text: str, spans: Iterable[Span]) -> list[Span]:
    """Merge overlapping spans: each cluster becomes one span of its most specific type.

    The preferred span is the one with the highest specificity (card/IBAN > email > order >
    IP > phone > address > handle > person > URL), then score, then length. The merged span
    covers the union of the cluster, so nothing that was detected is left unredacted.

    Parameters
    ----------
    text : str
        The text the spans index into.
    spans : iterable of Span
    """
    ordered = sorted(spans, key=lambda s: (s.start, -s.end))
    resolved: list[Span] = []
    cluster: list[Span] = []
    cluster_end = -1
    for span in ordered:
        if cluster and span.start >= cluster_end:
            resolved.append(_merge(text, cluster))
            cluster = []
        cluster.append(span)
        cluster_end = max(cluster_end, span.end) if len(cluster) > 1 else span.end
    if cluster:
        resolved.append(_merge(text, cluster))
    return resolved


def _merge(text: str, cluster: list[Span]) -> Span:
    best = max(cluster, key=lambda s: (SPECIFICITY.get(s.entity_type, 0), s.score, s.end - s.start))
    start = min(s.start for s in cluster)
    end = max(s.end for s in cluster)
    if (start, end) == (best.start, best.end):
        return best
    return Span(start, end, best.entity_type, best.score, text[start:end])


_GENERIC_ORG_WORDS = frozenset(
    "app apps support help helpdesk team care customer customers service services official "
    "uk us usa ca au de fr store shop inc ltd llc co corp".split()
)


def public_key(term: str) -> str:
    """A name compared without case, '@', '#', spaces or punctuation."""
    return re.sub(r"[\W_]+", "", str(term).casefold())


def _ner_layer(ner: Any) -> Any:
    """A `toolkit.privacy.detect.ner.NerLayer` (or None) from the Detector's `ner` argument."""
    from toolkit.privacy.detect import ner as ner_module

    if ner is None or ner == "off":
        return None
    if isinstance(ner, str):
        return ner_module.NerLayer(ner)
    if hasattr(ner, "entities_many"):
        return ner
    if callable(ner):
        return ner_module.CallableNer(ner)
    raise TypeError(f"ner must be a model name, a NerLayer, a callable or None, not {ner!r}")


@functools.lru_cache(maxsize=1)
def default_detector() -> Detector:
    """The detector with default order patterns and phone regions (built once)."""
    return Detector()


def detect(
    text: str, entities: Iterable[str] | None = None, detector: Detector | None = None
) -> list[Span]:
    """Personal data in `text`: non-overlapping spans sorted by start offset.

    Parameters
    ----------
    text : str
        Post text (any length, any script).
    entities : iterable of str, optional
        Only look for these entity types (default: all of `ENTITY_TYPES`).
    detector : Detector, optional
        A configured detector (default: `default_detector()`).
    """
    return (detector or default_detector()).detect(text, entities)


def summarise(texts: Iterable[str | None], detector: Detector | None = None) -> pd.DataFrame:
    """Prevalence of each entity type across texts.

    Parameters
    ----------
    texts : iterable of str
        Post texts (None / NaN count as empty).
    detector : Detector, optional

    Returns
    -------
    DataFrame with one row per entity type (in `ENTITY_TYPES` order): ``entity_type``,
    ``n_spans`` (total detections), ``n_texts`` (texts with at least one) and ``share_texts``.
    """
    n_spans = dict.fromkeys(ENTITY_TYPES, 0)
    n_texts = dict.fromkeys(ENTITY_TYPES, 0)
    total = 0
    texts = list(texts)
    prime = getattr(detector or default_detector(), "prime", None)
    if prime is not None:  # the NER layer parses all texts in batches, once
        prime(texts)
    for text in texts:
        total += 1
        if not isinstance(text, str):
            continue
        found = detect(text, detector=detector)
        for span in found:
            n_spans[span.entity_type] += 1
        for entity_type in {span.entity_type for span in found}:
            n_texts[entity_type] += 1
    frame = pd.DataFrame(
        {
            "entity_type": list(ENTITY_TYPES),
            "n_spans": [n_spans[t] for t in ENTITY_TYPES],
            "n_texts": [n_texts[t] for t in ENTITY_TYPES],
        }
    )
    frame["share_texts"] = frame["n_texts"] / total if total else 0.0
    return frame
