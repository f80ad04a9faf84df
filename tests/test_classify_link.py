from __future__ import annotations

import pytest

from pipeline.classify import CueRules, load_model
from pipeline.errors import ModelError
from pipeline.types import ROLES, Cue, Entity, Sentence


def _sentence(i: int, text: str, cues=(), entities=(), paragraph=0, section=None, claim=False) -> Sentence:
    return Sentence(i, paragraph, section, 1, 0, len(text), 0, len(text), text,
                    tuple(entities), tuple(Cue(t, k, 0, 1) for t, k in cues), claim)


@pytest.mark.parametrize(
    ("sentence", "role"),
    [
        (_sentence(0, "Distrust was the main factor that led to the collapse of the talks.",
                   [("factor", "cause"), ("led to", "cause")], claim=True), "cause"),
        (_sentence(0, "In 1991 exports fell by 40 percent, according to the report.",
                   [("1991", "evidence"), ("according to", "evidence")],
                   [Entity("1991", "DATE", 3, 7), Entity("40 percent", "PERCENT", 20, 30)]), "evidence"),
        (_sentence(0, "Therefore the treaty must be revised.", [("therefore", "conclusion"), ("must", "conclusion")],
                   claim=True), "conclusion"),
        (_sentence(0, "Had Britain moved sooner, the war would have ended.", [("would have", "conclusion")],
                   claim=True), "conclusion"),
        (_sentence(0, "This essay examines the question in three parts."), "other"),
        (_sentence(0, "What did the reformers want?"), "other"),
        (_sentence(0, "In 1979 the agreement caused export controls to ease.",
                   [("1979", "evidence"), ("caused", "cause")], [Entity("1979", "DATE", 3, 7)]), "evidence"),
    ],
)
def test_cue_rules_roles(sentence: Sentence, role: str) -> None:
    prediction = CueRules().predict([sentence])[0]
    assert prediction.role == role
    assert sum(prediction.probabilities) == pytest.approx(1, abs=1e-3)
    assert prediction.confidence == prediction.probabilities[ROLES.index(role)]


def test_load_model() -> None:
    assert load_model("rules").name == "rules-v1"
    with pytest.raises(ModelError, match="nope: no such model"):
        load_model("nope")
