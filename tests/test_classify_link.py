from __future__ import annotations

import pytest

from pipeline.classify import CueRules, load_model
from pipeline.errors import ModelError
from pipeline.link import find_thesis, link
from pipeline.types import ROLES, Cue, Entity, Prediction, Sentence


def _sentence(i: int, text: str, cues=(), entities=(), paragraph=0, section=None, claim=False) -> Sentence:
    return Sentence(i, paragraph, section, 1, 0, len(text), 0, len(text), text,
                    tuple(entities), tuple(Cue(t, k, 0, 1) for t, k in cues), claim)


@pytest.mark.parametrize(
    ("sentence", "role"),
    [
        (_sentence(0, "Distrust was the main factor that led to the collapse of the talks.", [("factor", "cause"), ("led to", "cause")], claim=True), "cause"),
        (_sentence(0, "In 1991 exports fell by 40 percent, according to the report.", [("1991", "evidence"), ("according to", "evidence")],
                   [Entity("1991", "DATE", 3, 7), Entity("40 percent", "PERCENT", 20, 30)]), "evidence"),
        (_sentence(0, "Therefore the treaty must be revised.", [("therefore", "conclusion"), ("must", "conclusion")], claim=True), "conclusion"),
        (_sentence(0, "Had Britain moved sooner, the war would have ended.", [("would have", "conclusion")], claim=True), "conclusion"),
        (_sentence(0, "This essay examines the question in three parts."), "other"),
        (_sentence(0, "What did the reformers want?"), "other"),
        (_sentence(0, "In 1979 the agreement caused export controls to ease.", [("1979", "evidence"), ("caused", "cause")],
                   [Entity("1979", "DATE", 3, 7)]), "evidence"),
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


def _pred(role: str) -> Prediction:
    probs = tuple(0.7 if r == role else 0.1 for r in ROLES)
    return Prediction(role, probs)  # type: ignore[arg-type]


def test_link_builds_acyclic_map_to_thesis() -> None:
    china = Entity("China", "GPE", 0, 5, "china")
    sentences = [
        _sentence(0, "This essay asks why.", paragraph=0),
        _sentence(1, "China was isolated because of its military aims.", entities=[china], paragraph=1),
        _sentence(2, "In 1991 China sold missiles to Pakistan.", entities=[china], paragraph=1),
        _sentence(3, "However, cooperation grew later.", paragraph=1),
        _sentence(4, "In summary, earlier cooperation would have helped.", paragraph=2, section="Conclusion"),
    ]
    predictions = [_pred("other"), _pred("cause"), _pred("evidence"), _pred("conclusion"), _pred("conclusion")]
    assert find_thesis(sentences, predictions) == 4
    edges = {(e.source_id, e.target_id, e.relation) for e in link(sentences, predictions)}
    assert (2, 1, "supports") in edges
    assert (1, 3, "explains") in edges
    assert (3, 4, "supports") in edges
    assert (3, 2, "contrasts") in edges
    assert not any(source == 0 or target == 0 for source, target, _ in edges)


def test_sample_map_reaches_thesis_without_cycles(sample_result) -> None:
    import networkx as nx

    graph = nx.DiGraph()
    graph.add_edges_from((e.source_id, e.target_id) for e in sample_result.edges if e.relation in ("supports", "explains"))
    assert nx.is_directed_acyclic_graph(graph)
    assert {e.relation for e in sample_result.edges} >= {"supports", "explains"}
    for e in sample_result.edges:
        assert e.reason and 0 <= e.score <= 1
