from __future__ import annotations

import spacy
from conftest import ESSAY_WITH_BACK_MATTER

from pipeline.components import default_lexicon, entity_key


def test_sentences_point_into_clean_text(sample_result) -> None:
    text = sample_result.clean.text
    assert len(sample_result.sentences) > 50
    for s in sample_result.sentences:
        assert text[s.start:s.end] == s.text
        for e in s.entities:
            assert text[e.start:e.end] == e.text and s.start <= e.start < e.end <= s.end
        for c in s.cues:
            assert text[c.start:c.end] == c.text


def test_sentences_keep_raw_positions(sample_result) -> None:
    raw = open(sample_result.path, encoding="utf-8").read()
    first = sample_result.sentences[0]
    assert raw[first.raw_start:first.raw_end].startswith("According to most historiography")
    assert [s.raw_start for s in sample_result.sentences] == sorted(s.raw_start for s in sample_result.sentences)


def test_sections_and_footnotes_on_sentences(sample_result) -> None:
    by_text = {s.text[:30]: s for s in sample_result.sentences}
    assert by_text["In summary, the transformation"].section == "Conclusion"
    noted = [s for s in sample_result.sentences if s.footnotes]
    assert [n for s in noted for n in s.footnotes] == ["1", "2", "3", "4"]
    assert noted[0].text.endswith("in addition to American components.")


def test_back_matter_yields_notes_not_sentences(processor) -> None:
    from pipeline.export import footnote_rows

    result = processor.process_text(ESSAY_WITH_BACK_MATTER, "tariff")
    assert [s.text for s in result.sentences] == [
        "The tariff deepened the crash.", "Congress raised duties again.", "A table of duties follows."]
    assert [s.footnotes for s in result.sentences[:2]] == [("1",), ("2",)]
    assert [(row["number"], row["text"][:12]) for row in footnote_rows(result)] == [
        ("1", "Frank Taussi"), ("2", "See Douglas "), ("3", "Ibid., 101, ")]


def test_key_entities_found(sample_result) -> None:
    keys = {e.entity_id for s in sample_result.sentences for e in s.entities}
    assert {"china", "esa", "us", "nasa", "pakistan"} <= keys


def test_entity_key_groups_variants() -> None:
    assert entity_key("U.S.") == entity_key("US") == "us"
    assert entity_key("the ESA") == entity_key("ESA’s") == "esa"


def test_cue_component_on_blank_pipeline() -> None:
    nlp = spacy.blank("en")
    nlp.add_pipe("argmap_cues")
    doc = nlp("Because of the embargo, exports fell by 40 percent in 1991; "
              "therefore the treaty failed, however slowly.")
    found = {(span.text.lower(), span.label_) for span in doc.spans["cues"]}
    assert {("because of", "cause"), ("therefore", "conclusion"), ("however", "contrast"),
            ("1991", "evidence")} <= found
    assert ("40 percent", "evidence") in found


def test_cue_component_round_trip(tmp_path) -> None:
    nlp = spacy.blank("en")
    cues = nlp.add_pipe("argmap_cues")
    cues.lexicon = {"phrases": {"cause": ["owing to"]}, "patterns": {}}
    cues._build()
    nlp.to_disk(tmp_path / "p")
    loaded = spacy.load(tmp_path / "p")
    doc = loaded("It sank owing to ice.")
    assert [(s.text, s.label_) for s in doc.spans["cues"]] == [("owing to", "cause")]


def test_lexicon_is_versioned_and_has_every_kind() -> None:
    lexicon = default_lexicon()
    assert lexicon["version"]
    assert set(lexicon["phrases"]) == {"cause", "evidence", "conclusion", "contrast"}
