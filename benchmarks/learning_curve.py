"""Learning curve of the role classifier on the found-text essays (a6–a13): would more of them help? (issue 6)

Essay-grouped 4-fold cross-validation over the found-text essays only. Each
fold trains the shipped classifier (``build_classifier``, stacked, nested)
on all first 85 essays (a1–a5) plus a seeded random share of the other folds'
found-text essays, and scores the held-out found-text essays. Prints
macro-F1 per share: the slope says what writing more found-text essays is
worth.

    python benchmarks/learning_curve.py [--shares 0,0.5,1]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from pipeline.classify import build_classifier
from pipeline.corpus import load_corpus
from pipeline.train import DEFAULT_PARAMS, featurize, role_report

ROOT = Path(__file__).resolve().parent.parent
FIRST_WRITERS = frozenset({"A1", "A2", "A3", "A4", "A5"})  # who knew the labels as they wrote (corpus/README.md)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--shares", default="0,0.5,1", help="shares of the training folds' found-text essays")
    args = parser.parse_args()
    from sklearn.model_selection import GroupKFold

    essays = load_corpus(ROOT / "corpus" / "essays")
    X, y, groups = featurize(essays).table()
    found = np.array([e.annotator not in FIRST_WRITERS for e in essays])[groups]
    found_essays = np.unique(groups[found])
    print(f"{len(found_essays)} found-text essays, {int(found.sum())} sentences; "
          f"{len(essays) - len(found_essays)} other essays always in training")
    print(f"{'share':>6} {'found-text essays in training':>30} {'macro-F1 on held-out found text':>32}")
    for share in (float(s) for s in args.shares.split(",")):
        rng = np.random.default_rng(0)
        predicted = np.empty(len(y), dtype=object)
        sizes = []
        for train_part, test_part in GroupKFold(n_splits=4).split(found_essays, groups=found_essays):
            pool = found_essays[train_part]
            kept = rng.permutation(pool)[: round(share * len(pool))]
            train = ~found | np.isin(groups, kept)
            test = np.isin(groups, found_essays[test_part])
            model = build_classifier(**DEFAULT_PARAMS).fit(X[train], y[train], groups=groups[train])
            predicted[test] = model.predict(X[test])
            sizes.append(len(kept))
        score = role_report(y[found], predicted[found])["macro_f1"]
        print(f"{share:>6.2f} {np.mean(sizes):>30.0f} {score:>32.3f}")


if __name__ == "__main__":
    main()
