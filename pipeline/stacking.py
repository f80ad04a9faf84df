"""Stacking: a second classifier that re-reads the first ones' out-of-fold probabilities with a few raw columns.

Support for :mod:`pipeline.classify`, kept apart because scikit-learn takes over a second to import and
``import pipeline`` should not pay for it: this module is imported only when a role model is built or loaded.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.model_selection import GroupKFold
from sklearn.utils.validation import check_is_fitted

from .persist import one_thread

if TYPE_CHECKING:
    import pandas as pd


class StackedClassifier(ClassifierMixin, BaseEstimator):
    """``features``, then each of ``firsts`` on them, then ``second`` on their class probabilities plus ``passthrough``.

    ``second`` learns from *out-of-fold* probabilities: an inner group K-fold
    (groups = essays) gives each row the probabilities of first stages (and
    features) that never saw its group. In-sample probabilities would be
    near-certain, and the second stage would learn to trust them blindly. The
    features and ``firsts`` are then refitted on all rows for prediction.
    Several first stages that err differently (a linear model and naive Bayes)
    give the second stage more to go on than one; they share one fitted
    ``features`` so the text is vectorised once.

    Args:
        features: A transformer from X (a DataFrame) to the first stages' input.
        firsts: Classifiers over the features.
        second: A classifier over the stage-2 table: each first stage's probabilities in ``classes_`` order,
            then ``passthrough``.
        passthrough: Columns of X that the second stage also sees.
        inner_folds: Folds of the inner split (fewer when there are fewer groups).
    """

    def __init__(self, features: Any, firsts: Sequence[Any], second: Any, passthrough: Sequence[str] = (),
                 inner_folds: int = 5) -> None:
        self.features = features
        self.firsts = firsts
        self.second = second
        self.passthrough = passthrough
        self.inner_folds = inner_folds

    def fit(self, X: pd.DataFrame, y: Sequence[str], groups: Sequence[Any] | None = None) -> StackedClassifier:
        """Fit features and first stages on inner folds (out-of-fold probabilities), then on all rows; then ``second``.

        Raises:
            ValueError: ``groups`` is missing or has fewer than two distinct values.
        """
        if groups is None:
            raise ValueError("StackedClassifier.fit needs groups (the essay of each row): out-of-fold probabilities "
                             "must come from models that never saw the row's essay")
        y, groups = np.asarray(y), np.asarray(groups)
        n_groups = len(np.unique(groups))
        if n_groups < 2:
            raise ValueError(f"StackedClassifier.fit needs at least 2 groups, got {n_groups}")
        self.classes_ = np.unique(y)
        out_of_fold = np.zeros((len(y), len(self.classes_) * len(self.firsts)))
        with one_thread():
            for train, held_out in GroupKFold(n_splits=min(self.inner_folds, n_groups)).split(X, y, groups):
                features, firsts = self._fit_firsts(X.iloc[train], y[train])
                out_of_fold[held_out] = self._firsts_proba(firsts, features.transform(X.iloc[held_out]))
            self.features_, self.firsts_ = self._fit_firsts(X, y)
            self.second_ = clone(self.second).fit(self._second_input(X, out_of_fold), y)
        return self

    def predict_proba(self, X: pd.DataFrame) -> np.ndarray:
        """Class probabilities in ``classes_`` order, one row per row of X."""
        check_is_fitted(self)
        with one_thread():
            proba = self._firsts_proba(self.firsts_, self.features_.transform(X))
            return self.second_.predict_proba(self._second_input(X, proba))

    def predict(self, X: pd.DataFrame) -> np.ndarray:
        """The most probable class of each row."""
        return self.classes_[self.predict_proba(X).argmax(axis=1)]

    def _fit_firsts(self, X: pd.DataFrame, y: np.ndarray) -> tuple[Any, list[Any]]:
        features = clone(self.features)
        table = features.fit_transform(X)
        return features, [clone(first).fit(table, y) for first in self.firsts]

    def _firsts_proba(self, firsts: Sequence[Any], table: Any) -> np.ndarray:
        """Each first stage's probabilities in ``classes_`` order, side by side; 0 for a class it never saw."""
        out = np.zeros((table.shape[0], len(self.classes_) * len(firsts)))
        for k, model in enumerate(firsts):
            columns = k * len(self.classes_) + np.searchsorted(self.classes_, model.classes_)
            out[:, columns] = model.predict_proba(table)
        return out

    def _second_input(self, X: pd.DataFrame, proba: np.ndarray) -> np.ndarray:
        # Raw probabilities, not log-probabilities: trees split on thresholds, so both give the same model (measured).
        return np.hstack([proba, X[list(self.passthrough)].to_numpy(dtype=float)])
