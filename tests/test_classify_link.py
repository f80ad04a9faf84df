from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.preprocessing import FunctionTransformer

from pipeline.classify import CueRules, load_model
from pipeline.errors import ModelError
from pipeline.stacking import StackedClassifier
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


class EssayMemory(ClassifierMixin, BaseEstimator):
    """A spy first stage: probability 1 for the first class on rows whose essay it was fitted on, uniform elsewhere."""

    def fit(self, X, y):
        self.classes_ = np.unique(y)
        self.essays_ = set(X["essay"])
        return self

    def predict_proba(self, X):
        seen = X["essay"].isin(self.essays_).to_numpy()
        return np.where(seen[:, None], np.eye(len(self.classes_))[0], 1 / len(self.classes_))


class Recorder(ClassifierMixin, BaseEstimator):
    """A spy second stage: keeps the table it was fitted on."""

    def fit(self, X, y):
        self.classes_ = np.unique(y)
        self.table_ = X
        return self

    def predict_proba(self, X):
        return np.full((len(X), len(self.classes_)), 1 / len(self.classes_))


def _stack(groups) -> StackedClassifier:
    X = pd.DataFrame({"essay": np.repeat(np.arange(8), 5), "length": np.arange(40.0)})
    y = np.tile(["cause", "other"], 20)
    firsts = [EssayMemory(), EssayMemory()]
    stack = StackedClassifier(FunctionTransformer(), firsts, Recorder(), passthrough=("length",), inner_folds=4)
    return stack.fit(X, y, groups=groups)


def test_second_stage_is_fitted_on_out_of_fold_probabilities_only() -> None:
    model = _stack(groups=np.repeat(np.arange(8), 5))
    table = model.second_.table_
    assert table.shape == (40, 5)  # two classes from each of the two first stages, then the passthrough column
    assert np.allclose(table[:, :4], 0.5), "a first stage saw the essay of a row it gave stage 2 probabilities for"
    assert np.array_equal(table[:, 4], np.arange(40.0))
    assert all(first.essays_ == set(range(8)) for first in model.firsts_)  # those used for prediction see everything
    # the check has teeth: folds by row instead of by essay let the inner models see the held-out rows' essays
    assert not np.allclose(_stack(groups=np.arange(40)).second_.table_[:, :4], 0.5)


def test_stacking_needs_groups() -> None:
    X = pd.DataFrame({"essay": [0, 1], "length": [1.0, 2.0]})
    with pytest.raises(ValueError, match="needs groups"):
        StackedClassifier(FunctionTransformer(), [EssayMemory()], Recorder()).fit(X, ["cause", "other"])
    with pytest.raises(ValueError, match="at least 2 groups"):
        StackedClassifier(FunctionTransformer(), [EssayMemory()], Recorder()).fit(X, ["cause", "other"], groups=[0, 0])
