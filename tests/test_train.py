"""The trained role classifier: corpus loading, fitting, safe persistence, evaluation, and the shipped model's card."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from conftest import ROOT

from pipeline.classify import DEFAULT_MODEL, TRUSTED_TYPES, load_model, load_trained, save_trained
from pipeline.cli import cli
from pipeline.corpus import corpus_hash, load_corpus, load_essay
from pipeline.errors import CorpusError, ModelError
from pipeline.persist import MODEL_FILE
from pipeline.stacking import StackedClassifier
from pipeline.train import (
    agreement,
    cross_validate,
    expected_calibration_error,
    featurize,
    score_calibration,
    train,
)
from pipeline.types import ROLES, Prediction

ESSAYS = ROOT / "corpus" / "essays"


@pytest.fixture(scope="session")
def small():
    essays = load_corpus(ESSAYS)[:8]
    return featurize(essays)


@pytest.fixture(scope="session")
def fitted(small):
    return train(small, {"char_max_features": 5000}, encoder=False)


def test_corpus_offsets_and_text(small) -> None:
    for essay in small.essays:
        for s in essay.sentences:
            assert essay.text[s.start:s.end] == s.text
        assert sum(s.thesis for s in essay.sentences) == 1
    assert len(corpus_hash(small.essays)) == 64


def test_sample_annotation_rebuilds_the_transcription() -> None:
    sample = load_essay(ROOT / "corpus" / "samples" / "china-iss-essay.json")
    assert sample.split == "evaluation"
    assert sample.text + "\n" == (ROOT / "tests" / "golden" / "china-iss-essay.transcription.txt").read_text(
        encoding="utf-8")
    assert all(e.split != "evaluation" for e in load_corpus(ESSAYS))


def test_user_csv_corpus(tmp_path: Path) -> None:
    path = tmp_path / "mine.csv"
    path.write_text("doc_id,paragraph_id,text,role\nd1,0,Prices rose in 1923.,evidence\nd1,0,So the mark fell.,cause\n"
                    "d1,1,Reform must come.,conclusion\n", encoding="utf-8")
    (essay,) = load_corpus(path)
    assert essay.text == "Prices rose in 1923. So the mark fell.\n\nReform must come."
    assert [s.role for s in essay.sentences] == ["evidence", "cause", "conclusion"]
    path.write_text("doc_id,text,role\nd1,Something.,claim\n", encoding="utf-8")
    with pytest.raises(CorpusError, match="unknown role 'claim'"):
        load_corpus(path)


def test_classifier_probabilities_and_labels(fitted, small) -> None:
    assert list(fitted.pipeline.classes_) == sorted(ROLES)
    sentences = small.sentences[0]
    proba = fitted.probabilities(sentences)
    assert proba.shape == (len(sentences), 4)
    assert np.allclose(proba.sum(axis=1), 1)
    predictions = fitted.predict(sentences)
    gold = [s.role for s in small.essays[0].sentences]
    assert sum(p.role == g for p, g in zip(predictions, gold, strict=True)) / len(gold) > 0.8  # fitted on this essay


def test_model_round_trip_is_safe_and_exact(fitted, small, tmp_path: Path) -> None:
    import skops.io as sio

    save_trained(fitted, tmp_path / "m")
    assert sorted(sio.get_untrusted_types(file=tmp_path / "m" / MODEL_FILE)) == TRUSTED_TYPES
    loaded = load_trained(tmp_path / "m")
    assert np.array_equal(loaded.probabilities(small.sentences[1]), fitted.probabilities(small.sentences[1]))
    assert json.loads((tmp_path / "m" / "model-card.json").read_text())["labels"] == list(ROLES)
    _assert_vocabularies_are_plain_ints(tmp_path / "m" / MODEL_FILE)


def test_shipped_model_stores_vocabularies_as_plain_ints() -> None:
    _assert_vocabularies_are_plain_ints(DEFAULT_MODEL / MODEL_FILE)


def _assert_vocabularies_are_plain_ints(path: Path) -> None:
    """A vocabulary of NumPy integers is stored by skops as one file per term, and takes seconds to load."""
    import zipfile

    names = zipfile.ZipFile(path).namelist()
    assert len(names) < 5000, f"{path}: {len(names)} files in the archive"


class Crafted:
    """Not a type any argmap model holds."""


def test_model_with_unknown_types_is_refused(tmp_path: Path) -> None:
    import skops.io as sio

    (tmp_path / "bad").mkdir()
    sio.dump({"payload": Crafted()}, tmp_path / "bad" / MODEL_FILE)
    (tmp_path / "bad" / "model-card.json").write_text("{}", encoding="utf-8")
    with pytest.raises(ModelError, match="refusing to load: untrusted types .*Crafted"):
        load_trained(tmp_path / "bad")
    with pytest.raises(ModelError, match="no such model"):
        load_model(tmp_path / "missing")


def test_training_is_reproducible(fitted, small) -> None:
    again = train(small, {"char_max_features": 5000}, encoder=False)
    assert np.array_equal(again.probabilities(small.sentences[2]), fitted.probabilities(small.sentences[2]))


def test_cross_validation_is_nested_and_reports_model_and_baseline(small, monkeypatch) -> None:
    fitted_on: list[set[int]] = []
    fit = StackedClassifier.fit

    def spy(self, X, y, groups=None):
        fitted_on.append(set(groups))
        return fit(self, X, y, groups=groups)

    monkeypatch.setattr(StackedClassifier, "fit", spy)
    report = cross_validate(small, {"char_max_features": 5000}, folds=2, encoder=False)
    essays = set(range(len(small.essays)))
    held_out = [essays - seen for seen in fitted_on]
    assert len(held_out) == 2 and all(held_out) and set.union(*held_out) == essays and not set.intersection(*held_out)
    assert len(report["fold_macro_f1"]) == 2
    assert set(report["per_role"]) == set(ROLES)
    assert 0 <= report["ece"] <= 1 and 0 <= report["baseline"]["macro_f1"] <= 1
    assert sum(map(sum, report["confusion"])) == sum(len(e.sentences) for e in small.essays)


def test_expected_calibration_error() -> None:
    proba = np.array([[0.9, 0.05, 0.03, 0.02], [0.6, 0.2, 0.1, 0.1]])
    assert expected_calibration_error(["cause", "evidence"], proba) == pytest.approx(0.5 * 0.1 + 0.5 * 0.6, abs=1e-4)


def test_score_calibration_bins_edge_scores_by_how_often_they_are_right() -> None:
    result = score_calibration([0.0, 0.1, 0.9, 0.9, 0.5], [False, False, True, False, True])
    # ECE bins are (lo, hi]: the 0.0 score falls in none; 0.1 is off by 0.1, 0.9 by 0.4, 0.5 by 0.5
    assert result["ece"] == pytest.approx(0.2 * 0.1 + 0.4 * 0.4 + 0.2 * 0.5)
    assert [(b["edges"], b["right"]) for b in result["bins"]] == [(2, 0.0), (0, None), (1, 1.0), (0, None), (2, 0.5)]


def test_agreement_needs_same_sentences(small) -> None:
    essays = small.essays[:2]
    same = agreement(essays, essays)
    assert same["kappa"] == 1.0 and same["edges"]["f1"] == 1.0 and same["same_thesis"] == 2
    with pytest.raises(CorpusError):
        agreement(essays[:1], essays[1:])


def test_agreement_leaves_a_roles_only_second_annotation_out_of_the_edge_scores(small) -> None:
    first, other = small.essays[:2]
    result = agreement([first, other], [replace(first, links=()), other])
    assert result["essays"] == 2 and result["edge_essays"] == [other.id] and result["kappa"] == 1.0
    assert result["edges"]["f1"] == 1.0 and result["edges"]["gold"] == len(other.links) > 0
    from pipeline.cli import _agreement_text

    text = _agreement_text(result, Path("agreement"), {"f1": 0.25})
    assert "(1 essays with edges annotated twice): precision 1.000" in text and "same essays" in text


def test_agreement_scores_the_second_annotations_edges_and_thesis(small) -> None:
    first = small.essays[0]
    kept = first.links[: len(first.links) // 2]
    moved = [replace(s, thesis=not s.thesis) if i < 2 else s for i, s in enumerate(first.sentences)]
    second = replace(first, links=kept, sentences=tuple(moved))
    result = agreement([first], [second])
    assert result["edges"] == {"precision": 1.0, "recall": round(len(kept) / len(first.links), 4),
                               "f1": result["edges"]["f1"], "gold": len(first.links), "predicted": len(kept)}
    assert result["same_thesis"] == 0 and result["kappa"] == 1.0
    linked = {x.source for x in kept if x.relation != "contrasts"}
    assert linked and result["targets"] == {"both_linked": len(linked), "same_target": len(linked)}
    retargeted = replace(first, links=tuple(replace(x, target=x.source) for x in first.links))
    assert agreement([first], [retargeted])["targets"]["same_target"] == 0


def test_train_and_evaluate_commands_on_a_user_csv(tmp_path: Path) -> None:
    rows = ["doc_id,text,role"]
    for d in range(4):
        rows += [f"d{d},In {1900 + d} exports fell by {d + 10} percent.,evidence",
                 f"d{d},The crisis happened because credit dried up.,cause",
                 f"d{d},Therefore the policy must change.,conclusion",
                 f"d{d},This essay asks why.,other"]
    (tmp_path / "labels.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    runner = CliRunner()
    done = runner.invoke(cli, ["train", "--corpus", str(tmp_path / "labels.csv"), "--out", str(tmp_path / "m"),
                               "--folds", "2"])
    assert done.exit_code == 0, done.output
    assert "macro-F1" in done.output and (tmp_path / "m" / MODEL_FILE).exists()
    card = json.loads((tmp_path / "m" / "model-card.json").read_text())
    assert card["sentences"] == 16 and card["scores"]["cross_validation"]["folds"] == 2
    done = runner.invoke(cli, ["evaluate", "--corpus", str(tmp_path / "labels.csv"), "--folds", "2",
                               "--agreement", str(tmp_path / "labels.csv")])
    assert done.exit_code == 0 and "cue-rule baseline macro-F1" in done.output
    assert "Cohen's kappa 1.000" in done.output and "edges, second annotation" not in done.output  # no edges to score


def test_shipped_model_card_backs_its_claims() -> None:
    card = json.loads((DEFAULT_MODEL / "model-card.json").read_text(encoding="utf-8"))
    cv, sample = card["scores"]["cross_validation"], card["scores"]["sample"]
    assert card["labels"] == list(ROLES) and card["essays"] >= 80 and card["sentences"] >= 3000
    assert cv["macro_f1"] - cv["baseline"]["macro_f1"] >= 0.10 and cv["ece"] <= 0.05
    assert card["corpus_hash"] == corpus_hash(load_corpus(ESSAYS))
    assert load_model().name == card["name"]
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for figure in (cv["macro_f1"], cv["ece"], cv["baseline"]["macro_f1"], sample["macro_f1"]):
        assert f"{figure:.3f}" in readme, f"README does not state the model card's figure {figure:.3f}"


@pytest.mark.parametrize(("documents", "folds"), [(1, 2), (2, 2), (4, 5)])
def test_train_and_evaluate_refuse_too_few_documents_in_one_line(tmp_path: Path, documents: int, folds: int) -> None:
    rows = ["doc_id,text,role"] + [f"d{d},Therefore the policy must change.,conclusion" for d in range(documents)]
    labels = tmp_path / "labels.csv"
    labels.write_text("\n".join(rows) + "\n", encoding="utf-8")
    runner = CliRunner()
    for command in (["train", "--out", str(tmp_path / "m")], ["evaluate"]):
        done = runner.invoke(cli, [*command, "--corpus", str(labels), "--folds", str(folds)])
        assert done.exit_code == 1 and done.exception is not None and isinstance(done.exception, SystemExit)
        line = f"Error: {labels}: {documents} annotated document(s) (told apart by doc_id); "
        assert done.output == line + f"{folds}-fold cross-validation needs at least {max(folds, 3)}\n"
    assert not (tmp_path / "m").exists()


def test_a_fold_that_would_train_on_one_document_is_refused_in_one_line(tmp_path: Path) -> None:
    # GroupKFold balances folds by sentences: one long document fills a fold, the other three the other one.
    rows = ["doc_id,text,role"] + [f"long,In {1900 + i} exports fell.,evidence" for i in range(12)]
    rows += [f"d{d},Therefore the policy must change.,conclusion" for d in range(3)]
    labels = tmp_path / "labels.csv"
    labels.write_text("\n".join(rows) + "\n", encoding="utf-8")
    done = CliRunner().invoke(cli, ["train", "--out", str(tmp_path / "m"), "--corpus", str(labels), "--folds", "2"])
    assert done.exit_code == 1 and isinstance(done.exception, SystemExit)
    assert done.output == (f"Error: {labels}: 4 annotated documents of unequal length leave a 2-fold training part "
                           "with one document (folds are balanced by sentences); use fewer folds or more documents\n")


def test_printed_agreement_sets_the_annotators_edges_beside_the_linker() -> None:
    from pipeline.cli import _agreement_text

    agreed = agreement(load_corpus(ROOT / "corpus" / "essays"), load_corpus(ROOT / "corpus" / "agreement"))
    assert agreed["essays"] >= 10 and agreed["edges"]["gold"] > agreed["edges"]["predicted"] > 0
    text = _agreement_text(agreed, Path("corpus/agreement"), {"f1": 0.4321})
    assert f"f1 {agreed['edges']['f1']:.3f}" in text and f"same thesis in {agreed['same_thesis']} essays" in text
    assert f"{agreed['targets']['same_target']} with the same target" in text
    assert text.endswith("f1 0.432")
    readme = (ROOT / "corpus" / "README.md").read_text(encoding="utf-8")
    assert f"F1 {agreed['edges']['f1']:.3f}" in readme, "corpus/README.md does not state the edge agreement"


def test_certain_prediction_puts_all_probability_on_its_role() -> None:
    assert Prediction.certain("conclusion") == Prediction("conclusion", (0.0, 0.0, 1.0, 0.0))
