"""Stacking: a second classifier that re-reads the first one's out-of-fold probabilities with a few raw columns.

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
    """``first`` on the whole input, then ``second`` on its class probabilities plus the ``passthrough`` columns.

    ``second`` learns from *out-of-fold* probabilities: an inner group K-fold
    (groups = essays) gives each row the probabilities of a ``first`` that never
    saw its group. In-sample probabilities would be near-certain, and the second
    stage would learn to trust them blindly. ``first`` is then refitted on all
    rows for prediction.

    Args:
        first: A classifier over X (a DataFrame).
        second: A classifier over the stage-2 table: probabilities in ``classes_`` order, then ``passthrough``.
        passthrough: Columns of X that the second stage also sees.
        inner_folds: Folds of the inner split (fewer when there are fewer groups).
    """

    def __init__(self, first: Any, second: Any, passthrough: Sequence[str] = (), inner_folds: int = 5) -> None:
        self.first = first
        self.second = second
        self.passthrough = passthrough
        self.inner_folds = inner_folds

    def fit(self, X: pd.DataFrame, y: Sequence[str], groups: Sequence[Any] | None = None) -> StackedClassifier:
        """Fit first stages on the inner folds (out-of-fold probabilities), then ``first`` on all rows and ``second``.

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
        out_of_fold = np.zeros((len(y), len(self.classes_)))
        with one_thread():
            for train, held_out in GroupKFold(n_splits=min(self.inner_folds, n_groups)).split(X, y, groups):
                inner = clone(self.first).fit(X.iloc[train], y[train])
                out_of_fold[held_out] = self._first_proba(inner, X.iloc[held_out])
            self.first_ = clone(self.first).fit(X, y)
            self.second_ = clone(self.second).fit(self._second_input(X, out_of_fold), y)
        return self

    def predict_proba(self, X: pd.DataFrame) -> np.ndarray:
        """Class probabilities in ``classes_`` order, one row per row of X."""
        check_is_fitted(self)
        with one_thread():
            return self.second_.predict_proba(self._second_input(X, self._first_proba(self.first_, X)))

    def predict(self, X: pd.DataFrame) -> np.ndarray:
        """The most probable class of each row."""
        return self.classes_[self.predict_proba(X).argmax(axis=1)]

    def _first_proba(self, model: Any, X: pd.DataFrame) -> np.ndarray:
        """A first stage's probabilities in ``classes_`` order; 0 for a class missing from its training rows."""
        proba = np.zeros((len(X), len(self.classes_)))
        proba[:, np.searchsorted(self.classes_, model.classes_)] = model.predict_proba(X)
        return proba

    def _second_input(self, X: pd.DataFrame, proba: np.ndarray) -> np.ndarray:
        # Raw probabilities, not log-probabilities: trees split on thresholds, so both give the same model (measured).
        return np.hstack([proba, X[list(self.passthrough)].to_numpy(dtype=float)])
