"""Linking: the rule baseline, the pair classifier's candidates, decoding, thesis, persistence and held-out scores."""

from __future__ import annotations

import json

import numpy as np
import pytest
from conftest import ROOT

from pipeline import link as linking
from pipeline.corpus import load_corpus, load_essay
from pipeline.errors import ModelError
from pipeline.link import (
    LABELS,
    PairLinker,
    allowed,
    candidates,
    causal_pairs,
    find_thesis,
    introduction_and_conclusion,
    link_rules,
    load_linker,
    load_links,
    pair_features,
    promote_thesis,
    save_linker,
)
from pipeline.persist import CARD_FILE, MODEL_FILE
from pipeline.train import (
    MISSES,
    agreement,
    edge_scores,
    evaluate_documents_links,
    evaluate_links,
    featurize,
    link_essays,
    missed_tree_edges,
    train_links,
)
from pipeline.types import ROLES, CausalLink, Cue, Edge, Entity, LinkResult, Prediction, Sentence

SAMPLE_GOLD = ROOT / "corpus" / "samples" / "china-iss-essay.json"
SAMPLE_SECOND = ROOT / "corpus" / "samples" / "agreement" / "china-iss-essay.json"


def _sentence(i: int, text: str, cues=(), entities=(), paragraph=0, section=None, causal=()) -> Sentence:
    return Sentence(
        i,
        paragraph,
        section,
        1,
        0,
        len(text),
        0,
        len(text),
        text,
        tuple(entities),
        tuple(Cue(t, k, 0, 1) for t, k in cues),
        causal_links=tuple(CausalLink(c, e, cue, 0, 1, 0, 1) for c, cue, e in causal),
    )


def _pred(role: str) -> Prediction:
    return Prediction(role, tuple(0.7 if r == role else 0.1 for r in ROLES))  # type: ignore[arg-type]


CHINA = Entity("China", "GPE", 0, 5, "china")
SENTENCES = [
    _sentence(0, "This essay asks why.", paragraph=0),
    _sentence(1, "China was isolated because of its military aims.", entities=[CHINA], paragraph=1),
    _sentence(2, "In 1991 China sold missiles to Pakistan.", entities=[CHINA], paragraph=1),
    _sentence(3, "However, cooperation grew later.", paragraph=1),
    _sentence(4, "In summary, earlier cooperation would have helped.", paragraph=2, section="Conclusion"),
]
PREDICTIONS = [_pred("other"), _pred("cause"), _pred("evidence"), _pred("conclusion"), _pred("conclusion")]


def _reaches_thesis_or_unattached(result, predictions) -> None:
    import networkx as nx

    tree = nx.DiGraph()
    tree.add_edges_from(
        (e.source_id, e.target_id) for e in result.edges if e.relation in ("supports", "explains", "causes")
    )
    assert nx.is_directed_acyclic_graph(tree)
    assert all(
        d <= 1
        for _, d in tree.edge_subgraph(
            [(e.source_id, e.target_id) for e in result.edges if e.relation in ("supports", "explains")]
        ).out_degree()
    )
    for node, p in enumerate(predictions):
        if p.role == "other":
            assert node not in tree
        elif node != result.thesis:
            reaches = node in tree and result.thesis in tree and nx.has_path(tree, node, result.thesis)
            assert reaches != (node in result.unattached), node


def test_rule_linker_builds_acyclic_map_to_thesis() -> None:
    assert find_thesis(SENTENCES, PREDICTIONS) == 4
    result = link_rules(SENTENCES, PREDICTIONS)
    edges = {(e.source_id, e.target_id, e.relation) for e in result.edges}
    assert {(2, 1, "supports"), (1, 3, "explains"), (3, 4, "supports"), (3, 2, "contrasts")} <= edges
    assert result.thesis == 4 and result.unattached == ()
    assert not any(0 in (s, t) for s, t, _ in edges)
    _reaches_thesis_or_unattached(result, PREDICTIONS)


def test_candidates_window() -> None:
    paragraphs = [0, 1, 2, 3, 4, 5]
    sentences = [_sentence(i, f"Claim {i} stands.", paragraph=p) for i, p in enumerate(paragraphs)]
    roles = ["conclusion", "cause", "evidence", "cause", "other", "conclusion"]
    pairs = set(candidates(sentences, roles, thesis=0))
    assert (2, 1) in pairs and (2, 3) in pairs  # neighbouring paragraphs
    assert (3, 0) in pairs and (3, 5) in pairs  # the introduction and the conclusion
    assert (1, 3) not in pairs  # two paragraphs apart, in the body
    assert not any(4 in pair for pair in pairs)  # other sentences are never linked
    assert pair_features(sentences, roles, sorted(pairs), 0).shape == (len(pairs), len(linking.PAIR_FEATURES))


class _Fixed:
    """A stand-in pair model whose scores come from a table, to test decoding alone."""

    classes_ = np.array(LABELS)

    def __init__(self, table: dict[tuple[int, int], dict[str, float]], pairs: list[tuple[int, int]]) -> None:
        self.rows = [table.get(pair, {"none": 1.0}) for pair in pairs]

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        return np.array([[row.get(label, 0.0) for label in LABELS] for row in self.rows])


class _ThesisAt:
    """A stand-in thesis scorer that picks one sentence."""

    def __init__(self, index: int) -> None:
        self.index = index

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        scores = np.zeros(len(X))
        scores[self.index] = 1.0
        return np.column_stack([1 - scores, scores])


def test_decoding_breaks_cycles_and_reports_unattached() -> None:
    # 1 and 2 each prefer the other (a cycle); 3 contrasts with 2; 1 can also reach the thesis 4.
    table = {
        (1, 2): {"explains": 0.9, "none": 0.1},
        (2, 1): {"supports": 0.95, "none": 0.05},
        (1, 4): {"explains": 0.6, "none": 0.4},
        (3, 2): {"contrasts": 0.7, "none": 0.3},
    }
    roles = [p.role for p in PREDICTIONS]
    pairs = candidates(SENTENCES, roles, 4)
    result = PairLinker(_Fixed(table, pairs), _ThesisAt(4), {"name": "fixed"}).link(SENTENCES, PREDICTIONS)
    edges = {(e.source_id, e.target_id, e.relation) for e in result.edges}
    assert result.thesis == 4
    assert (2, 1, "supports") in edges and (1, 4, "explains") in edges and (1, 2, "explains") not in edges
    assert (3, 2, "contrasts") in edges
    _reaches_thesis_or_unattached(result, PREDICTIONS)
    assert all(e.reason for e in result.edges)
    reason = next(e.reason for e in result.edges if (e.source_id, e.target_id) == (2, 1))
    assert reason == "same paragraph; shares entity China"  # as written, not the entity id "china"


def test_reason_names_a_shared_entity_as_the_source_writes_it() -> None:
    us, usa = Entity("U.S.", "GPE", 0, 4, "us"), Entity("United States", "GPE", 0, 13, "us")
    source = _sentence(0, "The U.S. lifted its embargo in 1979.", entities=[us])
    target = _sentence(1, "The United States chose cooperation.", entities=[usa])
    assert linking._reason(source, target, "supports", None) == "same paragraph; shares entity U.S."


def test_a_thesis_called_other_is_linked_as_a_conclusion() -> None:
    # The concluding sentence 4 is the thesis though the role model called it other: 1 may still explain it.
    predictions = [*PREDICTIONS[:4], _pred("other")]
    shown = promote_thesis(predictions, 4)
    pairs = candidates(SENTENCES, [p.role for p in shown], 4)
    table = {(1, 4): {"explains": 0.6, "none": 0.4}, (2, 1): {"supports": 0.9, "none": 0.1}}
    result = PairLinker(_Fixed(table, pairs), _ThesisAt(4), {"name": "fixed"}).link(SENTENCES, predictions)
    assert result.thesis == 4 and (1, 4, "explains") in {(e.source_id, e.target_id, e.relation) for e in result.edges}
    assert shown[4] == Prediction("conclusion", predictions[4].probabilities) and shown[:4] == tuple(predictions[:4])
    _reaches_thesis_or_unattached(result, shown)
    assert promote_thesis(predictions, None) == tuple(predictions)


CAUSAL = [
    _sentence(0, "In summary, the embargo ruined the treaty.", paragraph=0),
    _sentence(1, "Beijing banned exports of rare earths in 2010.", paragraph=1),
    _sentence(
        2,
        "This led to a scramble for new suppliers.",
        paragraph=1,
        causal=[("This", "led to", "a scramble for new suppliers")],
    ),
    _sentence(3, "Suppliers in Australia gained contracts.", paragraph=1),
    _sentence(
        4,
        "The scramble for suppliers raised prices.",
        paragraph=1,
        causal=[("The scramble for suppliers", "raised", "prices")],
    ),
]
CAUSAL_ROLES = ["conclusion", "evidence", "cause", "evidence", "cause"]


def test_cause_effect_pairs_map_to_sentence_pairs() -> None:
    mapped = causal_pairs(CAUSAL, CAUSAL_ROLES)
    # an anaphoric cause ("This") is the previous argumentative sentence; s2 and s4 share the scramble
    assert set(mapped) == {(1, 2), (2, 4)}
    assert mapped[1, 2].startswith('cause–effect pair "This" → "a scramble for new suppliers"; cue "led to"')
    assert "refers to the previous sentence" in mapped[1, 2] and "shares words with s" in mapped[2, 4]
    assert causal_pairs(CAUSAL, ["conclusion", "other", "cause", "other", "cause"]) == {(2, 4): mapped[2, 4]}


def test_causal_pairs_become_causes_edges_when_scored() -> None:
    predictions = [_pred(r) for r in CAUSAL_ROLES]
    pairs = candidates(CAUSAL, CAUSAL_ROLES, 0)
    table = {(2, 4): {"causes": 0.3, "none": 0.7}, (2, 0): {"explains": 0.9, "none": 0.1}}
    result = PairLinker(_Fixed(table, pairs), _ThesisAt(0), {}).link(CAUSAL, predictions)
    causes = {(e.source_id, e.target_id): e for e in result.edges if e.relation == "causes"}
    assert (2, 0, "explains") in {(e.source_id, e.target_id, e.relation) for e in result.edges}
    assert set(causes) == {(2, 4)} and causes[2, 4].reason.startswith("cause–effect pair")
    _reaches_thesis_or_unattached(result, predictions)


def test_unattached_when_no_allowed_target_scores() -> None:
    # 1 (evidence) is only given a score towards 3, another evidence: GUIDELINES §5 allows no evidence →
    # evidence supports, so it stays unattached; 3 supports 4 (a cause), which explains the thesis.
    predictions = [_pred(r) for r in CAUSAL_ROLES]
    pairs = candidates(CAUSAL, CAUSAL_ROLES, 0)
    table = {
        (1, 3): {"supports": 0.9, "none": 0.1},
        (3, 4): {"supports": 0.8, "none": 0.2},
        (4, 0): {"explains": 0.7, "none": 0.3},
        (2, 0): {"explains": 0.6, "none": 0.4},
    }
    result = PairLinker(_Fixed(table, pairs), _ThesisAt(0), {}).link(CAUSAL, predictions)
    assert result.unattached == (1,)
    assert not any(e.source_id == 1 for e in result.edges)
    assert not allowed("evidence", "supports", "evidence", False) and allowed("conclusion", "supports", "cause", True)
    # The thesis counts as a conclusion whatever its role: a cause may explain a cause only when that is the thesis.
    assert allowed("cause", "explains", "cause", True) and not allowed("cause", "explains", "cause", False)
    _reaches_thesis_or_unattached(result, predictions)


def test_edge_scores() -> None:
    gold = {("a", 1, 2, "supports"), ("a", 3, 2, "explains")}
    assert edge_scores(gold, {("a", 1, 2, "supports"), ("a", 3, 2, "supports")})["f1"] == 0.5


@pytest.fixture(scope="session")
def small_corpus():
    return featurize(load_corpus(ROOT / "corpus" / "essays")[:6])


@pytest.fixture(scope="session")
def small_linker(small_corpus):
    return train_links(small_corpus, {"max_iter": 15})


def test_trained_linker_maps_an_essay(small_corpus, small_linker) -> None:
    sentences, roles, thesis, _ = link_essays(small_corpus)[0]
    predictions = [_pred(r) for r in roles]
    result = small_linker.link(sentences, predictions)
    shown = promote_thesis(predictions, result.thesis)
    assert result.thesis is not None and shown[result.thesis].role != "other"
    _reaches_thesis_or_unattached(result, shown)
    assert {e.relation for e in result.edges} >= {"supports", "explains"}
    assert all(0 <= e.score <= 1 for e in result.edges)


def test_edge_score_is_the_pair_probability_times_the_sources_role_probability(small_corpus, small_linker) -> None:
    sentences, roles, _, _ = link_essays(small_corpus)[0]
    sure = [Prediction(r, tuple(float(r == x) for x in ROLES)) for r in roles]  # type: ignore[arg-type]
    before = small_linker.link(sentences, sure)
    frame = introduction_and_conclusion(sentences)
    source = next(e.source_id for e in before.edges if e.source_id not in frame and e.relation != "contrasts")
    unsure = list(sure)
    unsure[source] = Prediction(roles[source], tuple(0.55 if r == roles[source] else 0.15 for r in ROLES))
    after = small_linker.link(sentences, unsure)
    assert after.thesis == before.thesis and len(after.edges) == len(before.edges)
    for old, new in zip(before.edges, after.edges, strict=True):
        assert (old.source_id, old.target_id, old.relation) == (new.source_id, new.target_id, new.relation)
        # a contrast needs the source to be argumentative at all: 1 - P(other) = 0.85
        factor = (0.85 if old.relation == "contrasts" else 0.55) if old.source_id == source else 1.0
        expected = old.score * factor
        assert new.score == pytest.approx(expected, abs=1e-4)
    assert any(e.source_id == source and e.score < 0.56 for e in after.edges)


def test_linker_round_trip_and_trusted_types(small_corpus, small_linker, tmp_path) -> None:
    import skops.io as sio

    save_linker(small_linker, tmp_path)
    assert sorted(sio.get_untrusted_types(file=tmp_path / MODEL_FILE)) == sorted(linking.TRUSTED_TYPES)
    loaded = load_linker(tmp_path)
    sentences, roles, _, _ = link_essays(small_corpus)[1]
    predictions = [_pred(r) for r in roles]
    assert loaded.link(sentences, predictions) == small_linker.link(sentences, predictions)
    assert json.loads((tmp_path / CARD_FILE).read_text())["labels"] == list(LABELS)


def test_load_links_names_the_rules_a_link_model_folder_or_the_shipped_linker(small_corpus, small_linker,
                                                                               tmp_path) -> None:
    sentences, roles, _, _ = link_essays(small_corpus)[1]
    predictions = [_pred(r) for r in roles]
    rules = load_links("rules")
    assert rules.name == "rules" and rules.link(sentences, predictions) == link_rules(sentences, predictions)
    save_linker(small_linker, tmp_path / "mine")
    assert load_links(tmp_path / "mine").link(sentences, predictions) == small_linker.link(sentences, predictions)
    assert load_links() is linking.default_linker()
    with pytest.raises(ModelError, match="no such link model"):
        load_links(tmp_path)


def test_linker_refuses_untrusted_types(small_linker, tmp_path, monkeypatch) -> None:
    save_linker(small_linker, tmp_path)
    monkeypatch.setattr(linking, "TRUSTED_TYPES", [])
    with pytest.raises(ModelError, match="refusing to load: untrusted types"):
        load_linker(tmp_path)


def test_evaluate_links_on_held_out_essays(small_corpus) -> None:
    first = small_corpus.essays[0]
    report = evaluate_links(small_corpus, folds=2, role_params={"char_max_features": 2000},
                            link_params={"max_iter": 10}, encoder=False, subset={first.id, "not-in-the-corpus"})
    for name in ("pairs", "rules", "pairs_gold_roles"):
        assert 0 <= report[name]["f1"] <= 1 and report[name]["gold"] == sum(len(e.links) for e in small_corpus.essays)
    assert 0 <= report["pairs"]["thesis_accuracy"] <= 1 and report["folds"] == 2
    spread = list(report["pairs"]["essay_f1"].values())
    assert spread == sorted(spread) and 0 <= spread[0] <= spread[-1] <= 1 and spread[0] < spread[-1]
    tree = sum(x.relation != "contrasts" for e in small_corpus.essays for x in e.links)
    for name in ("pairs", "pairs_gold_roles"):
        missed = report[name]["missed"]
        assert missed["tree_edges"] == tree == missed["found"] + sum(missed[m] for m in MISSES)
    scores = report["pairs"]["scores"]
    assert 0 <= scores["ece"] <= 1 and sum(b["edges"] for b in scores["bins"]) == report["pairs"]["predicted"]
    from_gold = report["pairs_gold_roles"]["missed"]
    assert from_gold["source_role"] == from_gold["target_role"] == 0
    assert report["subset"]["essays"] == 1 and report["subset"]["gold"] == len(first.links)


def test_missed_tree_edges_names_the_first_reason_that_applies() -> None:
    gold_roles = ["conclusion", "cause", "evidence", "evidence", "evidence", "conclusion", "cause"]
    roles = ["conclusion", "cause", "cause", "evidence", "evidence", "other", "cause"]
    gold = [(1, 0, "explains"), (2, 0, "supports"), (3, 5, "supports"), (4, 1, "supports"), (6, 0, "explains"),
            (3, 4, "causes"), (5, 0, "supports"), (3, 0, "contrasts")]
    made = [(1, 0, "explains"), (2, 0, "explains"), (4, 1, "causes"), (6, 1, "explains"), (3, 0, "contrasts")]
    result = LinkResult(tuple(Edge(s, t, r, 0.5, "") for s, t, r in made), thesis=0)
    assert missed_tree_edges(gold, gold_roles, roles, result) == {
        "tree_edges": 7, "found": 1, "source_role": 2, "target_role": 1, "unattached": 1, "relation": 1, "target": 1,
    }


class _FixedLinker:
    """A linker that returns the same map whatever it is given, and records the roles it was given."""

    def __init__(self, edges: list[tuple[int, int, str]], thesis: int) -> None:
        self.result = LinkResult(tuple(Edge(s, t, r, 0.5, "") for s, t, r in edges), thesis=thesis)
        self.roles: list[list[str]] = []

    def link(self, sentences, predictions) -> LinkResult:
        self.roles.append([p.role for p in predictions])
        return self.result


def test_a_document_processed_end_to_end_is_scored_on_edges_through_its_aligned_sentences(tmp_path) -> None:
    def sentence(key, role, text, links=(), thesis=False):
        return {"id": key, "role": role, "thesis": thesis, "text": text,
                "links": [{"to": to, "rel": rel} for to, rel in links]}

    annotation = {"id": "e1", "title": "T", "register": "journal", "topic": "space", "guideline_version": "1.0",
                  "annotator": "A1", "split": "evaluation", "paragraphs": [
                      {"section": None, "sentences": [
                          sentence("s1", "conclusion", "Earlier cooperation would have helped both programmes.",
                                   thesis=True)]},
                      {"section": "Causes", "sentences": [
                          sentence("s2", "cause", "China was isolated because of its military aims.",
                                   [("s1", "explains")]),
                          sentence("s3", "evidence", "In 1991 China sold missiles to Pakistan.", [("s2", "supports")]),
                          sentence("s4", "evidence", "Congress published the Cox report in 1999.",
                                   [("s2", "supports")])]}]}
    path = tmp_path / "e1.json"
    path.write_text(json.dumps(annotation), encoding="utf-8")
    gold = load_essay(path)
    # As OCR and the pipeline left it: a word split over a line, the last two sentences in the other order.
    sentences = [_sentence(0, "Earlier cooperation would have helped both pro- grammes."),
                 _sentence(1, "China was isolated because of its military aims.", paragraph=1),
                 _sentence(2, "Congress published the Cox report in 1999.", paragraph=1),
                 _sentence(3, "In 1991 China sold missiles to Pakistan.", paragraph=1)]
    linker = _FixedLinker([(1, 0, "explains"), (2, 1, "supports"), (3, 2, "supports")], thesis=0)
    predictions = [_pred("conclusion"), _pred("cause"), _pred("evidence"), _pred("cause")]
    report = evaluate_documents_links([(gold, sentences, predictions)], linker)  # type: ignore[arg-type]
    assert report["gold_edges"] == 3 and report["gold_thesis"] == "s1"
    # s2 -> s1 and s4 -> s2 are right; s3 -> s4 is not a gold edge.
    scores = report["pairs"].pop("scores")
    assert report["pairs"] == {"precision": 0.6667, "recall": 0.6667, "f1": 0.6667, "gold": 3, "predicted": 3,
                               "thesis_accuracy": 1.0, "thesis": "s1"}
    assert [(b["edges"], b["right"]) for b in scores["bins"]][2] == (3, 0.6667)  # every edge scored 0.5
    assert linker.roles == [["conclusion", "cause", "evidence", "cause"],  # the predicted roles, then the gold ones
                            ["conclusion", "cause", "evidence", "evidence"]]
    assert report["pairs_gold_roles"]["f1"] == 0.6667 and 0 <= report["rules"]["f1"] <= 1
    assert set(evaluate_documents_links([(gold, sentences, predictions)], None)) == {
        "gold_edges", "aligned_sentences", "gold_thesis", "rules"}
    # Pooled with a copy whose annotated thesis is s2: edges add up, the thesis is found in one of the two.
    annotation["id"], annotation["paragraphs"][0]["sentences"][0]["thesis"] = "e2", False
    annotation["paragraphs"][1]["sentences"][0]["thesis"] = True
    path.write_text(json.dumps(annotation), encoding="utf-8")
    pooled = evaluate_documents_links([(gold, sentences, predictions), (load_essay(path), sentences, predictions)],
                                      linker)  # type: ignore[arg-type]
    assert pooled["gold_edges"] == 6 and pooled["documents"] == 2 and pooled["aligned_sentences"] == 8
    assert "gold_thesis" not in pooled and "thesis" not in pooled["pairs"]
    assert {k: pooled["pairs"][k] for k in ("precision", "recall", "gold", "predicted", "thesis_accuracy")} == {
        "precision": 0.6667, "recall": 0.6667, "gold": 6, "predicted": 6, "thesis_accuracy": 0.5}
    assert pooled["pairs"]["scores"]["bins"][2]["edges"] == 6


def test_shipped_linker_card_scores_the_sample_as_evaluate_does(sample_result) -> None:
    from pipeline.classify import load_model
    from pipeline.cli import _sample_links_text

    card = json.loads((linking.DEFAULT_LINK_MODEL / CARD_FILE).read_text(encoding="utf-8"))
    gold = load_essay(SAMPLE_GOLD)
    sentences = sample_result.sentences
    report = evaluate_documents_links([(gold, sentences, load_model().predict(sentences))],
                                      linking.default_linker())
    assert report == card["scores"]["sample"]
    assert report["pairs"]["thesis"] == "s4" and report["gold_edges"] == len(gold.links)
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for name in ("pairs", "rules", "pairs_gold_roles"):
        assert f"{report[name]['f1']:.3f}" in readme, f"README does not state the sample's edge F1 for {name}"
    assert f"calibration error is {report['pairs']['scores']['ece']:.3f}" in readme
    lines = _sample_links_text(f"the sample {SAMPLE_GOLD.name}", report).splitlines()
    assert lines[0].startswith(f"== edges on the sample {SAMPLE_GOLD.name} ({len(gold.links)} gold edges")
    assert lines[2].split() == ["pair", "classifier", *(f"{report['pairs'][k]:.3f}" for k in ("precision", "recall",
                                                                                            "f1")), "s4"]


def test_the_samples_second_annotation_and_the_map_against_it_are_as_documented(sample_result) -> None:
    from pipeline.classify import load_model

    first, second = load_essay(SAMPLE_GOLD), load_essay(SAMPLE_SECOND)
    assert second.split == "evaluation" and [s.text for s in second.sentences] == [s.text for s in first.sentences]
    agreed = agreement([first], [second])
    readme = " ".join((ROOT / "README.md").read_text(encoding="utf-8").split())
    datasheet = " ".join((ROOT / "corpus" / "README.md").read_text(encoding="utf-8").split())
    for text in (readme, datasheet):
        assert f"kappa {agreed['kappa']:.3f}" in text and f"F1 {agreed['edges']['f1']:.3f}" in text
    assert f"same target for {agreed['targets']['same_target']} of the {agreed['targets']['both_linked']}" in readme
    sentences = sample_result.sentences
    report = evaluate_documents_links([(second, sentences, load_model().predict(sentences))],
                                      linking.default_linker())
    assert (f"pair classifier scores {report['pairs']['f1']:.3f} and the rule linker {report['rules']['f1']:.3f}"
            in readme)


def test_shipped_linker_card_backs_the_readme() -> None:
    card = json.loads((linking.DEFAULT_LINK_MODEL / CARD_FILE).read_text(encoding="utf-8"))
    held_out = card["scores"]["held_out"]
    assert held_out["essays"] == card["essays"]
    assert held_out["pairs"]["f1"] - held_out["rules"]["f1"] >= 0.10
    assert held_out["pairs_gold_roles"]["f1"] >= 0.60
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for figure in (held_out["pairs"]["f1"], held_out["rules"]["f1"], held_out["pairs_gold_roles"]["f1"]):
        assert f"{figure:.3f}" in readme, f"README does not state the link model card's figure {figure:.3f}"
    assert set(held_out["pairs"]["per_relation"]) == {"supports", "explains", "causes", "contrasts"}
    missed = held_out["pairs"]["missed"]
    for count in (missed["tree_edges"], missed["found"], missed["source_role"], missed["target_role"],
                  held_out["pairs_gold_roles"]["missed"]["target"]):
        assert f"{count:,}" in readme, f"README does not state the card's missed-edge count {count:,}"
    scores = held_out["pairs"]["scores"]
    assert scores["ece"] <= 0.05 and f"calibration error is {scores['ece']:.3f}" in readme
    for b in scores["bins"]:
        assert f"| {b['from']:.1f}–{b['to']:.1f} | {b['edges']:,} | {b['right']:.0%} |" in readme
    assert 0 <= held_out["causes_from_pairs"]["precision"] <= 1
    spread = held_out["pairs"]["essay_f1"]
    assert spread["p10"] < held_out["pairs"]["f1"] < spread["p90"]
    assert (f"10th percentile of {spread['p10']:.3f}, quartiles {spread['p25']:.3f} / {spread['p50']:.3f} / "
            f"{spread['p75']:.3f} and a 90th percentile of {spread['p90']:.3f}") in " ".join(readme.split())


def test_printed_edge_scores_show_each_relation_and_the_pair_mapping() -> None:
    from pipeline.cli import _links_text

    held_out = json.loads((linking.DEFAULT_LINK_MODEL / CARD_FILE).read_text(encoding="utf-8"))["scores"]["held_out"]
    text = _links_text(held_out)
    by_relation = [line for line in text.splitlines() if "F1 by relation" in line]
    assert len(by_relation) == 2
    assert all(f"{rel} " in by_relation[0] for rel in ("supports", "explains", "causes", "contrasts"))
    assert f"{held_out['pairs']['f1']:.3f}" in text
    assert f"recall {held_out['causes_from_pairs']['recall']:.3f}" in text


@pytest.mark.parametrize(
    ("layout", "frame"),
    [
        # (paragraph, section) per sentence
        ([(0, None), (0, None), (1, "Background"), (2, "Background"), (3, "Conclusion")], {0, 1, 4}),
        ([(0, "Introduction"), (1, "Introduction"), (2, "Causes"), (3, "Causes")], {0, 1, 3}),
        ([(0, None), (1, None), (2, None), (3, None), (4, None)], {0, 1, 4}),
        ([(0, "Overview"), (1, "Causes"), (2, "In summary"), (2, "In summary")], {0, 2, 3}),
    ],
)
def test_introduction_and_conclusion(layout, frame) -> None:
    sentences = [_sentence(i, "Text.", paragraph=p, section=s) for i, (p, s) in enumerate(layout)]
    assert introduction_and_conclusion(sentences) == frame


def test_sample_map_has_a_thesis_and_no_loose_nodes(sample_result) -> None:
    # The issue: the thesis is a sentence of the conclusion section or the introduction's thesis
    # (the sample's introduction is the text before its first heading; the gold thesis is in the conclusion).
    thesis = sample_result.sentences[sample_result.thesis]
    section = (thesis.section or "").lower()
    first_heading = min(s.id for s in sample_result.sentences if s.section)
    assert "conclu" in section or "intro" in section or thesis.id < first_heading
    assert sample_result.predictions[thesis.id].role in ("conclusion", "cause")
    _reaches_thesis_or_unattached(sample_result, sample_result.predictions)
    for e in sample_result.edges:
        assert e.reason and 0 <= e.score <= 1


def test_evaluate_scores_annotated_essays_end_to_end_without_a_corpus(tmp_path) -> None:
    from click.testing import CliRunner

    from pipeline.cli import cli

    sample = json.loads(SAMPLE_GOLD.read_text(encoding="utf-8"))
    del sample["source"]  # then its own text is processed
    (tmp_path / "mine").mkdir()
    without_links = tmp_path / "mine" / "no-links.json"
    for paragraph in sample["paragraphs"]:
        for sentence in paragraph["sentences"]:
            sentence.pop("links", None)
    without_links.write_text(json.dumps(sample), encoding="utf-8")
    runner = CliRunner()
    done = runner.invoke(cli, ["evaluate", "--sample", str(SAMPLE_GOLD), "--sample", str(SAMPLE_SECOND),
                               "--sample", str(without_links.parent), "--model", "rules",  # a folder of them
                               "--links", str(linking.DEFAULT_LINK_MODEL)])
    assert done.exit_code == 0, done.output
    assert "cross-validation" not in done.output
    gold_edges = len(load_essay(SAMPLE_SECOND).links)
    assert [line for line in done.output.splitlines() if line.startswith("==")] == [
        f"== sample {SAMPLE_GOLD}",
        f"== edges on the sample {SAMPLE_GOLD} (56 gold edges, 61 sentences aligned by shared words; gold thesis s60)",
        f"== sample {SAMPLE_SECOND}",
        f"== edges on the sample {SAMPLE_SECOND} ({gold_edges} gold edges, 61 sentences aligned by shared words; "
        "gold thesis s58)",
        f"== sample {without_links}",  # no edges annotated: roles only
        "== 3 samples pooled",
        f"== edges on 2 samples pooled ({56 + gold_edges} gold edges, 122 sentences aligned by shared words)",
    ]
    pooled = done.output[done.output.index("== 3 samples pooled"):].splitlines()
    assert sum(int(line.split()[-1]) for line in pooled[2:6]) == 3 * 61  # every sentence of the three, by role
    table = done.output[done.output.index("== edges on the sample"):].splitlines()
    assert [line.split()[0] for line in table[2:5]] == ["pair", "rule", "pair"]
    (tmp_path / "empty").mkdir()
    done = runner.invoke(cli, ["evaluate", "--sample", str(tmp_path / "empty")])
    assert done.exit_code == 1
    assert done.output == f"Error: {tmp_path / 'empty'}: no annotated essays (*.json) in this folder\n"
    for args, message in ((["evaluate"], "Error: give --corpus, --sample or both"),
                          (["evaluate", "--sample", str(SAMPLE_GOLD), "--agreement", str(tmp_path)],
                           "Error: --agreement needs --corpus")):
        done = runner.invoke(cli, args)
        assert done.exit_code == 2 and done.output == message + "\n"


def test_training_the_linker_with_a_sample_scores_it_into_the_card(small_corpus, sample_result, tmp_path) -> None:
    from pipeline.classify import CueRules
    from pipeline.cli import _train_links

    roles = [s.role for e in small_corpus.essays for s in e.sentences]
    proba = np.array([[0.7 if r == role else 0.1 for r in ROLES] for role in roles])
    gold = load_essay(SAMPLE_GOLD)
    sentences = sample_result.sentences
    _train_links(small_corpus, ROOT / "corpus" / "essays", tmp_path / "links", proba, 2,
                 (gold, sentences, CueRules().predict(sentences)))
    card = json.loads((tmp_path / "links" / CARD_FILE).read_text(encoding="utf-8"))
    sample = card["scores"]["sample"]
    assert sample["gold_edges"] == len(gold.links) and sample["gold_thesis"] == "s60"
    assert set(sample) >= {"pairs", "rules", "pairs_gold_roles"} and card["scores"]["held_out"]["folds"] == 2
