"""argmap's spaCy components: cues, entities, claims and cause–effect pairs, their lexicons and their persistence."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path

import pytest
import spacy
from spacy.matcher import Matcher

from pipeline.components import default_aliases, default_causal_lexicon, default_lexicon
from pipeline.export import ROWS, TABLES
from pipeline.nlp import evaluate_causal, load_nlp

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture(scope="module")
def nlp():
    return load_nlp()


def _links(nlp, text: str) -> list[tuple[str, str, str]]:
    return [(c.text, e.text, q.text) for c, e, q in nlp(text)._.causal_links]


# --- argmap_cues ---


def test_every_cue_phrase_matches_in_context(nlp) -> None:
    for kind, phrases in default_lexicon()["phrases"].items():
        for phrase in phrases:
            doc = nlp(f"Historians note {phrase} here.")
            assert (phrase, kind) in {(s.text.lower(), s.label_) for s in doc.spans["cues"]}, (phrase, kind)


def test_every_cue_pattern_matches_its_example(nlp) -> None:
    for kind, patterns in default_lexicon()["patterns"].items():
        for entry in patterns:
            matcher = Matcher(nlp.vocab)
            matcher.add(kind, [entry["pattern"]])
            doc = nlp(entry["example"])
            assert matcher(doc), entry
            assert kind in {s.label_ for s in doc.spans["cues"]}, entry


def test_cue_lexicon_has_no_duplicates() -> None:
    for phrases in default_lexicon()["phrases"].values():
        assert len(phrases) == len(set(phrases))


# --- argmap_entities ---


def test_acronyms_link_to_long_forms_on_blank_pipeline() -> None:
    blank = spacy.blank("en")
    blank.add_pipe("argmap_entities")
    doc = blank(
        "The European Space Agency (ESA) joined in 1998. Later ESA and the U.S. signed the Missile Technology "
        "Control Regime (MTCR) rules."
    )
    ents = [(e.text, e.label_, e._.entity_id) for e in doc.ents]
    assert ents == [
        ("European Space Agency", "ORG", "esa"),
        ("ESA", "ORG", "esa"),
        ("ESA", "ORG", "esa"),
        ("U.S.", "MISC", "us"),
        ("Missile Technology Control Regime", "ORG", "mtcr"),
        ("MTCR", "ORG", "mtcr"),
    ]
    assert doc._.acronyms == {
        "ESA": ["European Space Agency", "ORG"],
        "MTCR": ["Missile Technology Control Regime", "ORG"],
    }


def test_long_form_must_match_the_acronym_letters() -> None:
    blank = spacy.blank("en")
    blank.add_pipe("argmap_entities")
    assert not blank("The agreement was signed by both sides (USA) in Geneva.")._.acronyms


def test_entity_ids_group_spellings(nlp) -> None:
    linker = nlp.get_pipe("argmap_entities")
    assert {linker.entity_id(t) for t in ("U.S.", "US", "the United States", "United States of America")} == {"us"}
    assert linker.entity_id("People’s Republic of China") == linker.entity_id("PRC") == "china"
    assert linker.entity_id("Committee on Earth Observation Satellites") == "committee-on-earth-observation-satellites"


def test_acronym_defined_in_one_paragraph_is_known_in_the_next(sample_result) -> None:
    ids = {e.text: e.entity_id for s in sample_result.sentences for e in s.entities}
    assert ids["China National Space Administration"] == ids["CNSA"] == "cnsa"
    assert ids["AMS"] == "ams"


def _missed(found: Iterable[str]) -> tuple[list[str], int]:
    """The fixture's key entities of the sample essay not among ``found``, and how many there are."""
    gold = json.loads((FIXTURES / "sample_entities.json").read_text(encoding="utf-8"))
    found = {_norm(text) for text in found}
    return [g["text"] for g in gold if _norm(g["text"]) not in found], len(gold)


def _norm(text: str) -> str:
    return text.lower().replace("’", "'").removeprefix("the ").strip()


def test_key_entities_of_the_ocr_repaired_sample(sample_result) -> None:
    """Recall of the committed entity list on the sample as argmap reads it: OCR text, repaired, then spaCy."""
    missed, total = _missed(e.text for s in sample_result.sentences for e in s.entities)
    assert total >= 35 and 1 - len(missed) / total >= 0.9, f"recall {1 - len(missed) / total:.3f}, missed {missed}"


def test_key_entities_of_the_sample_transcription(nlp) -> None:
    """Recall of the committed entity list on the careful transcription: what the spaCy stage alone can reach."""
    text = (ROOT / "tests" / "golden" / "china-iss-essay.transcription.txt").read_text(encoding="utf-8")
    missed, total = _missed(e.text for doc in nlp.pipe(p for p in text.split("\n\n") if p.strip()) for e in doc.ents)
    assert 1 - len(missed) / total >= 0.9, f"recall {1 - len(missed) / total:.3f}, missed {missed}"


def _names(doc) -> list[tuple[str, str]]:
    return [(e.text, e.label_) for e in doc.ents]


def test_proper_nouns_the_ner_missed_on_blank_pipeline() -> None:
    """Runs of capitalised words become entities, joined by ``of``, labelled by their head or the noun they modify."""
    blank = spacy.blank("en")
    blank.add_pipe("argmap_entities")
    doc = blank("In 1998 the crew of the U.S. Department of Energy used Canadarm2 on the Orion module, the "
                "Alpha-Magnetic Spectrometer and the Zvezda Service Module.")
    assert _names(doc) == [
        ("U.S. Department of Energy", "ORG"),
        ("Canadarm2", "MISC"),
        ("Orion", "PRODUCT"),
        ("Alpha-Magnetic Spectrometer", "PRODUCT"),
        ("Zvezda Service Module", "PRODUCT"),
    ]
    assert doc.ents[0]._.entity_id == "us-department-of-energy"


@pytest.mark.parametrize(
    "text",
    [
        "Deadlock was rooted in regional interests.",  # a sentence's first word
        'The minister replied: "We will give up nothing."',  # a quotation's first word
        "The U.S.-led coalition and the U.S.-China talks stalled.",  # compound modifiers
        "The Franco-Russian convention held until the war.",  # an adjective
        "Reports name Charles Darwin and Representative Christopher Cox.",  # a title before a person
    ],
)
def test_capitalised_words_that_are_not_new_names(nlp, text: str) -> None:
    doc = nlp(text)
    off = nlp.get_pipe("argmap_entities")
    names = set(_names(doc))
    off.proper_nouns = False
    try:
        assert names == set(_names(nlp(text)))
    finally:
        off.proper_nouns = True


def test_proper_nouns_extend_and_keep_the_ner(nlp) -> None:
    """A longer name with a telling head replaces the NER's piece; nationalities, places and persons stay apart."""
    doc = nlp("The surviving China-U.S. Understanding on Cooperation in Space Technology agreement helped the "
              "Russian Soyuz spacecraft and the Japanese Kibo laboratory, as Irene Klotz wrote in China.")
    names = _names(doc)
    assert ("Understanding on Cooperation in Space Technology", "LAW") in names
    doc = nlp("NASA modified the Orion module and the Alpha Magnetic Spectrometer of the ISS.")
    assert ("ISS", "ORG") in _names(doc)
    assert {"China", "Russian", "Soyuz", "Japanese", "Kibo", "Irene Klotz"} <= {text for text, _ in names}


def test_dates_narrowed_to_the_date(nlp) -> None:
    doc = nlp("Space programmes have grown from the start of the twentieth century to the modern space age.")
    assert [(e.text, e._.entity_id) for e in doc.ents if e.label_ == "DATE"] == [
        ("the twentieth century", "twentieth-century")
    ]


def test_proper_noun_step_can_be_switched_off_and_is_saved(tmp_path) -> None:
    blank = spacy.blank("en")
    blank.add_pipe("argmap_entities", config={"proper_nouns": False})
    assert not blank("We saw the Zvezda Service Module.").ents
    blank.to_disk(tmp_path / "p")
    assert not spacy.load(tmp_path / "p")("We saw the Zvezda Service Module.").ents


# --- argmap_claims ---


def test_claim_is_the_main_clause_without_fronted_frames(nlp) -> None:
    doc = nlp("Because of the embargo, the treaty must be seen as a failure.")
    sent = next(doc.sents)
    assert sent._.is_claim
    assert [c.text for c in doc.spans["claims"]] == ["the treaty must be seen as a failure"]


@pytest.mark.parametrize("text", ["The museum opened in 1901.", "Why did the treaty fail?"])
def test_description_and_questions_are_not_claims(nlp, text: str) -> None:
    doc = nlp(text)
    assert not next(doc.sents)._.is_claim and not list(doc.spans["claims"])


# --- argmap_causal ---


def test_dev_sentences() -> None:
    """Project-written development sentences (not the gold set): constructions and look-alike distractors."""
    nlp = load_nlp()
    rows = [json.loads(line) for line in (FIXTURES / "causal_dev.jsonl").read_text(encoding="utf-8").splitlines()]
    wrong = [
        r["text"]
        for r in rows
        if _links(nlp, r["text"]) != ([(r["cause"], r["effect"], r["cue"])] if r["cause"] else [])
    ]
    assert len(wrong) <= 2, wrong


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The fire was caused by a faulty stove.", [("a faulty stove", "The fire", "was caused by")]),
        (
            "The drought led to a failed harvest, which in turn caused a famine.",
            [("The drought", "a failed harvest", "led to"), ("a failed harvest", "a famine", "caused")],
        ),
        ("Since 1998 the archive has been closed.", []),
        ("She led the delegation to Vienna.", []),
    ],
)
def test_causal_constructions(nlp, text: str, expected: list[tuple[str, str, str]]) -> None:
    assert _links(nlp, text) == expected


def test_causal_gold_set_targets(nlp) -> None:
    scores = evaluate_causal(ROOT / "corpus" / "causal" / "gold.jsonl", nlp)
    assert scores["f1"] >= 0.75 and scores["false_causal_rate"] < 0.10, scores


def test_causal_links_exported_with_offsets(sample_result) -> None:
    rows = list(ROWS["causal_links"](sample_result))
    assert rows and set(rows[0]) == set(TABLES["causal_links"])
    text = sample_result.clean.text
    for row in rows:
        assert text[row["cause_start"] : row["cause_end"]] == row["cause"]
        assert text[row["effect_start"] : row["effect_end"]] == row["effect"]


# --- persistence ---


def test_lexicons_are_versioned() -> None:
    for lexicon in (default_lexicon(), default_causal_lexicon(), default_aliases()):
        assert lexicon["version"]


def test_saved_pipeline_loads_in_a_fresh_process(tmp_path) -> None:
    """Entry points register the factories: a new interpreter needs no ``import pipeline``."""
    blank = spacy.blank("en")
    blank.add_pipe("argmap_entities")
    cues = blank.add_pipe("argmap_cues")
    blank.add_pipe("argmap_claims")
    causal = blank.add_pipe("argmap_causal")
    cues.lexicon = {"phrases": {"cause": ["owing to"]}, "patterns": {}}
    cues._build()
    causal.lexicon = {**causal.lexicon, "subordinators": ["because"]}
    blank.to_disk(tmp_path / "p")
    script = (
        "import json, sys, spacy\n"
        "nlp = spacy.load(sys.argv[1])\n"
        "doc = nlp('The European Space Agency (ESA) grew owing to demand.')\n"
        "print(json.dumps({'pipes': nlp.pipe_names, 'cues': [s.text for s in doc.spans['cues']],"
        " 'ents': [e.text for e in doc.ents],"
        " 'subordinators': nlp.get_pipe('argmap_causal').lexicon['subordinators']}))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", script, str(tmp_path / "p")], capture_output=True, text=True, check=True
    )
    result = json.loads(out.stdout)
    assert result == {
        "pipes": ["argmap_entities", "argmap_cues", "argmap_claims", "argmap_causal"],
        "cues": ["owing to"],
        "ents": ["European Space Agency", "ESA"],
        "subordinators": ["because"],
    }
