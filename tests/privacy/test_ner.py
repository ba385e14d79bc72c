"""The statistical NER layer (toolkit/privacy/detect/ner.py) and its wiring in the detector, the manifest and
the evaluation (type-agnostic scores, CoNLL files)."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

import pytest

from toolkit.core.config import Privacy, load_config
from toolkit.core.paths import DEFAULT_CONFIG
from toolkit.privacy.detect import ner
from toolkit.privacy.detect.analyzer import Detector
from toolkit.privacy.quoting import quote
from toolkit.quality.evaluation.pii import (
    any_type_scores,
    evaluate_pii,
    is_conll,
    load_conll,
    load_pii_dataset,
    ner_precision,
)

SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "eval"
if not SHARED.is_dir():
    SHARED = Path(__file__).resolve().parents[4] / "shared" / "eval"


def fake_loader(path):
    """A spaCy-like pipeline: 'Zorblax' PERSON, 'Paris' GPE, 'Acme' ORG, '12 May' DATE,
    'today' DATE, 'five' CARDINAL."""

    def doc(text):
        ents = []
        for word, label in [("Zorblax", "PERSON"), ("Paris", "GPE"), ("Acme", "ORG"),
                            ("12 May", "DATE"), ("today", "DATE"), ("five", "CARDINAL")]:  # fmt: skip
            i = text.find(word)
            if i >= 0:
                ents.append(SimpleNamespace(start_char=i, end_char=i + len(word), label_=label))
        return SimpleNamespace(ents=ents)

    class Nlp:
        calls = 0

        def pipe(self, texts, batch_size=256, n_process=1):
            for t in texts:
                Nlp.calls += 1
                yield doc(t)

    return Nlp()


def fake_layer():
    return ner.NerLayer("en_core_web_sm", loader=fake_loader)


def test_labels_map_to_presidio_names_and_relative_dates_are_dropped():
    layer = fake_layer()
    text = "Zorblax flew to Paris with Acme on 12 May, five bags, today"
    got = {(text[e.start : e.end], e.entity_type) for e in layer(text)}
    assert got == {
        ("Zorblax", "PERSON"),
        ("Paris", "LOCATION"),
        ("Acme", "ORGANIZATION"),
        ("12 May", "DATE_TIME"),
    }


def test_lone_at_joins_the_following_entity_and_edges_are_trimmed():
    raw = [(0, 1, "PER"), (2, 10, "PER"), (14, 24, "PERSON")]
    text = "@ NikoWavy and Zorblax's,"
    got = [(text[e.start : e.end], e.entity_type) for e in ner._entities(text, raw)]
    assert got == [("@ NikoWavy", "PERSON"), ("Zorblax", "PERSON")]


def test_batching_gives_the_same_spans_as_one_by_one_and_caches():
    texts = ["Zorblax in Paris", "nothing here", "Acme on 12 May", "Zorblax in Paris", "!!"]
    one_by_one = [fake_layer()(t) for t in texts]
    layer = fake_layer()
    assert layer.entities_many(texts) == one_by_one
    calls = type(layer._load()).calls
    layer.entities_many(texts)  # cached: nothing parsed again
    assert type(layer._load()).calls == calls


def test_detector_finds_ner_types_and_the_switch_turns_them_off():
    on = Detector(ner=fake_layer())
    found = {(s.entity_type, s.text) for s in on.detect("Zorblax from Acme, Paris")}
    assert {("PERSON", "Zorblax"), ("ORGANIZATION", "Acme"), ("LOCATION", "Paris")} <= found
    off = Detector.from_config(Privacy(ner_model="off"))
    assert off.ner is None and off.ner_info() is None
    found = [(s.entity_type, s.text) for s in off.detect("Zorblax from Acme, Paris")]
    assert found == [("LOCATION", "Paris")]  # from the place gazetteer; no model guess
    assert Detector.from_config(Privacy()).ner is not None  # on by default


def test_detect_many_equals_detect():
    detector = Detector(ner=fake_layer())
    texts = ["Zorblax in Paris, call 020 7946 0958", None, "Acme on 12 May"]
    assert detector.detect_many(texts) == [
        Detector(ner=fake_layer()).detect(t) if t else [] for t in texts
    ]


def test_brand_and_competitors_are_not_redacted_as_organisations():
    detector = Detector(ner=fake_layer(), public_terms=["Acme", "@acme_support"])
    assert [s.entity_type for s in detector.detect("Zorblax at Acme")] == ["PERSON"]
    plain = Detector(ner=fake_layer())
    assert quote("Zorblax at Acme", "full", keep_handles=["acme"], detector=plain) == (
        "<PERSON> at Acme"
    )


def test_numpy_matmul_finds_the_same_entities_as_thinc_s_blis():
    import spacy

    _, path = ner.resolve_model("auto")
    blis = spacy.load(path, exclude=list(ner.EXCLUDED))
    fast = ner._spacy_loader(path)
    layers = list(fast.get_pipe("ner").model.walk())
    assert all(not getattr(layer.ops, "use_blis", True) for layer in layers)
    texts = [
        "Flying from Lagos to Manchester with @ChiomaA on 12 May, thanks to Dr. Emeka Okafor",
        "anyone at the Apple store on Regent Street? Tom Parker said it opens at 10",
        "RT @NikoWavy: NEW YORK we love you!! #Tour2026 w/ Priya and Tomasz",
        "my gran in Leeds voted for the Greens, like every Catholic in the family",
    ] * 3

    def entities(nlp):
        return [[(e.start_char, e.end_char, e.label_) for e in d.ents] for d in nlp.pipe(texts)]

    assert entities(fast) == entities(blis)
    assert any(entities(fast))


def test_the_bundled_model_predicts_only_the_labels_the_detector_reads():
    import spacy

    nlp = spacy.load(ner.TWEETS_DIR, exclude=list(ner.EXCLUDED))
    assert set(nlp.get_pipe("ner").labels) <= set(ner.ENTITY_MAP)
    assert json.loads((ner.TWEETS_DIR / "meta.json").read_text())["labels"]["ner"] == sorted(
        nlp.get_pipe("ner").labels
    )


def test_keeping_some_labels_leaves_their_entities_as_they_were(tmp_path):
    import spacy

    from toolkit.privacy.detect.ner_train import keep_only_labels

    base = spacy.load(ner.base_model_path(), exclude=list(ner.EXCLUDED))
    folder = tmp_path / "model"
    base.to_disk(folder)
    (folder / "training.json").write_text("{}")
    assert keep_only_labels(folder, ("PERSON", "GPE", "DATE")) == ["DATE", "GPE", "PERSON"]
    pruned = spacy.load(folder)
    assert sorted(pruned.get_pipe("ner").labels) == ["DATE", "GPE", "PERSON"]
    assert (folder / "training.json").exists()  # files spaCy does not write are kept
    texts = [
        "Flying from Lagos to Manchester with Chioma on 12 May, thanks to Dr. Emeka Okafor",
        "Tom Parker paid $40 for 3 tickets to Star Wars at the Odeon in Leeds last Friday",
        "my gran in Leeds voted for the Greens, like every Catholic in the family",
    ]

    def kept(nlp):
        return [
            [
                (e.start_char, e.end_char, e.label_)
                for e in doc.ents
                if e.label_ in {"PERSON", "GPE", "DATE"}
            ]
            for doc in nlp.pipe(texts)
        ]

    assert kept(pruned) == kept(base) and any(kept(base))
    assert keep_only_labels(folder, ("PERSON", "GPE", "DATE")) == ["DATE", "GPE", "PERSON"]


def test_the_model_parses_with_one_blas_thread_and_gives_the_others_back():
    from threadpoolctl import threadpool_info

    def blas_threads():  # of numpy's own BLAS, the one thinc's NumpyOps multiplies with
        return {
            i["num_threads"]
            for i in threadpool_info()
            if i["user_api"] == "blas" and "numpy" in Path(i["filepath"]).parent.name
        }

    seen = []

    def loader(path):
        nlp = fake_loader(path)
        parse = nlp.pipe

        def pipe(texts, **kwargs):
            seen.append(blas_threads())
            yield from parse(texts, **kwargs)

        nlp.pipe = pipe
        return nlp

    before = blas_threads()
    ner.NerLayer("en_core_web_sm", loader=loader).entities_many(["Zorblax in Paris"])
    assert before and seen == [{1}]
    assert blas_threads() == before


def test_manifest_records_the_model_name_version_and_hash():
    from toolkit.privacy.ner_model import ner_model

    config = load_config(DEFAULT_CONFIG)
    info = ner_model(config)
    assert info["name"] and info["version"] != "unknown" and len(info["sha256"]) == 64
    assert ner_model(config.model_copy(update={"privacy": Privacy(ner_model="off")})) == {
        "name": "off"
    }


def test_bundled_tweet_model_has_attribution():
    assert (ner.TWEETS_DIR / "config.cfg").exists()
    text = (ner.TWEETS_DIR / "ATTRIBUTION.md").read_text(encoding="utf-8")
    assert "Broad Twitter Corpus" in text and "CC BY 4.0" in text
    assert ner.resolve_model("auto")[1] == ner.TWEETS_DIR


def test_conll_parsing(tmp_path):
    path = tmp_path / "tiny.dev"
    path.write_text("RT\tO\n@\tB-PER\nNikoWavy\tB-PER\nin\tO\nNew\tB-LOC\nYork\tI-LOC\n\n"
                    "hi O\n\tO\nBob I-PER\n", encoding="utf-8")  # fmt: skip
    assert is_conll(path)
    records = load_conll(path)
    assert records[0]["full_text"] == "RT @ NikoWavy in New York"
    assert [(s["entity_type"], s["entity_value"]) for s in records[0]["spans"]] == [
        ("PER", "@"), ("PER", "NikoWavy"), ("LOC", "New York")
    ]  # fmt: skip
    assert records[1]["full_text"] == "hi Bob"  # empty token skipped, stray I- starts an entity
    assert records[1]["spans"][0]["entity_value"] == "Bob"
    assert load_pii_dataset(path) == records
    bad = tmp_path / "bad.dev"
    bad.write_text("word\tX-PER\n", encoding="utf-8")
    with pytest.raises(ValueError, match="bad.dev:1"):
        load_conll(bad)


def test_any_type_scores_by_hand():
    records = [
        {"full_text": "Bob in Leeds at Acme", "spans": [
            {"entity_type": "PERSON", "start_position": 0, "end_position": 3},
            {"entity_type": "LOCATION", "start_position": 7, "end_position": 12},
            {"entity_type": "ORGANIZATION", "start_position": 16, "end_position": 20},
        ]},
    ]  # fmt: skip
    # Bob found as ORGANIZATION (counts, any type), Leeds missed, one prediction on clean text.
    predictions = [[(0, 3, "ORGANIZATION"), (16, 20, "ORGANIZATION"), (4, 6, "PERSON")]]
    out = any_type_scores(records, predictions)
    assert out["any_recall"] == pytest.approx(2 / 3, abs=1e-4)
    assert out["any_precision"] == pytest.approx(2 / 3, abs=1e-4)
    assert out["any_f2"] == pytest.approx(2 / 3, abs=1e-4)
    assert out["any_recall_per_gold_type"] == {"LOCATION": 0.0, "ORGANIZATION": 1.0, "PERSON": 1.0}
    precision = ner_precision(records, predictions)
    assert precision["n_predicted"] == 3
    assert precision["precision"] == pytest.approx(1 / 3, abs=1e-4)
    assert precision["any_precision"] == pytest.approx(2 / 3, abs=1e-4)


@pytest.mark.skipif(
    not (SHARED / "presidio" / "generated_large.json").exists(), reason="no shared eval data"
)
def test_floor_on_the_shared_presidio_dev_set():
    records = load_pii_dataset(SHARED / "presidio" / "generated_large.json")[:600]
    out = evaluate_pii(records, Detector().detect)
    assert out["any_f2"] >= 0.65  # rules alone: 0.39 on the held-out set


@pytest.mark.skipif(not (SHARED / "btc" / "btc.dev").exists(), reason="no shared eval data")
def test_floor_on_the_shared_btc_dev_set():
    records = load_conll(SHARED / "btc" / "btc.dev")[:400]
    out = evaluate_pii(records, Detector().detect, ner_file=True)
    assert out["per_type"]["PERSON"]["any_recall"] >= 0.7
    assert out["per_type"]["LOCATION"]["any_recall"] >= 0.5
    assert out["ner_precision"]["any_precision"] >= 0.75
    json.dumps(out)


def test_model_guesses_that_are_ids_or_ordinary_words_are_not_people():
    from toolkit.privacy.detect.person_names import plausible_ner_person as _plausible_ner_person

    assert not _plausible_ner_person("ZX9-7781234")
    assert not _plausible_ner_person("Llevo una hora intentando conectar la")
    assert _plausible_ner_person("david_myers77") and _plausible_ner_person("Anna Kowalski")


@pytest.mark.parametrize(
    ("value", "kept"),
    [("30 seconds", False), ("5-7 days", False), ("24h", False), ("2.4GHz", False),
     ("Only 3 days", False), ("Dec 16", True), ("1984", True), ("3am", True)],
)  # fmt: skip
def test_durations_are_not_dates(value, kept):
    def loader(path):
        class Nlp:
            def pipe(self, texts, batch_size=256, n_process=1):
                for t in texts:
                    i = t.find(value)
                    yield SimpleNamespace(
                        ents=[SimpleNamespace(start_char=i, end_char=i + len(value), label_="DATE")]
                    )

        return Nlp()

    layer = ner.NerLayer("en_core_web_sm", loader=loader)
    got = [e.entity_type for e in layer(f"it took {value} to answer")]
    assert got == (["DATE_TIME"] if kept else [])
