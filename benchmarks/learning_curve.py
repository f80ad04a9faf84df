"""Learning curves: would more annotated essays help the role classifier, and the map? (issues 6 and 7)

Roles (default): essay-grouped 4-fold cross-validation over the found-text
essays only. Each fold trains the shipped classifier (``build_classifier``,
stacked, nested) on all first 85 essays (a1–a5) plus a seeded random share
of the other folds' found-text essays, and scores the held-out found-text
essays. Prints macro-F1 per share: the slope says what writing more
found-text essays is worth.

Map (``--map``): essay-grouped 5-fold cross-validation over the whole corpus.
Each fold fits the stacked role classifier and the pair linker on a seeded
random share of its training essays (the shares are nested: a larger share
keeps the smaller one's essays) and links the held-out essays from predicted
roles, as in use. Prints, per share, role macro-F1 and held-out edge F1 from
predicted and from gold roles: the slope says how far more essays of the
kind we have would take the map.

    python benchmarks/learning_curve.py [--shares 0,0.5,1]
    python benchmarks/learning_curve.py --map [--shares 0.25,0.5,1]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from pipeline.classify import build_classifier, in_role_order, sentence_features
from pipeline.corpus import load_corpus
from pipeline.link import fit_linker
from pipeline.train import (
    DEFAULT_PARAMS,
    LINK_PARAMS,
    Featurized,
    edge_scores,
    featurize,
    link_essays,
    role_report,
)
from pipeline.types import ROLES, Prediction

ROOT = Path(__file__).resolve().parent.parent
FIRST_WRITERS = frozenset({"A1", "A2", "A3", "A4", "A5"})  # who knew the labels as they wrote (corpus/README.md)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--shares", help="shares of the training essays (roles: of the found-text ones)")
    parser.add_argument("--map", action="store_true", help="the map's curve over the whole corpus")
    args = parser.parse_args()
    data = featurize(load_corpus(ROOT / "corpus" / "essays"))
    if args.map:
        map_curve(data, [float(s) for s in (args.shares or "0.25,0.5,1").split(",")])
    else:
        role_curve(data, [float(s) for s in (args.shares or "0,0.5,1").split(",")])


def role_curve(data: Featurized, shares: list[float]) -> None:
    """Macro-F1 on held-out found-text essays per share of the other found-text essays in training."""
    from sklearn.model_selection import GroupKFold

    X, y, groups = data.table()
    found = np.array([e.annotator not in FIRST_WRITERS for e in data.essays])[groups]
    found_essays = np.unique(groups[found])
    print(f"{len(found_essays)} found-text essays, {int(found.sum())} sentences; "
          f"{len(data.essays) - len(found_essays)} other essays always in training")
    print(f"{'share':>6} {'found-text essays in training':>30} {'macro-F1 on held-out found text':>32}")
    for share in shares:
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


def map_curve(data: Featurized, shares: list[float], folds: int = 5) -> None:
    """Role macro-F1 and held-out edge F1 (predicted and gold roles) per share of each fold's training essays."""
    from sklearn.model_selection import GroupKFold

    X, y, groups = data.table()
    essays = link_essays(data)
    print(f"{len(essays)} essays, {len(y)} sentences, {folds} essay-grouped folds; stacked role model")
    print(f"{'share':>6} {'training essays':>16} {'role macro-F1':>14} {'edge F1':>8} {'edge F1, gold roles':>20}")
    splits = list(GroupKFold(n_splits=folds).split(X, y, groups))
    for share in shares:
        predicted = np.empty(len(y), dtype=object)
        gold: set[tuple[int, int, int, str]] = set()
        found: dict[str, set[tuple[int, int, int, str]]] = {"roles": set(), "gold": set()}
        sizes = []
        for k, (train_idx, test_idx) in enumerate(splits):
            pool = np.unique(groups[train_idx])
            kept = np.random.default_rng(k).permutation(pool)[: round(share * len(pool))]
            rows = np.isin(groups, kept)
            model = build_classifier(**DEFAULT_PARAMS).fit(X[rows], y[rows], groups=groups[rows])
            linker = fit_linker([essays[e] for e in sorted(kept)], LINK_PARAMS)
            sizes.append(len(kept))
            for e in np.unique(groups[test_idx]):
                sentences, gold_roles, _, links = essays[e]
                proba = in_role_order(model.classes_, model.predict_proba(sentence_features(sentences)))
                predictions = [Prediction(ROLES[int(p.argmax())], tuple(p)) for p in proba]
                predicted[groups == e] = [p.role for p in predictions]
                gold |= {(e, s, t, rel) for s, t, rel in links}
                for name, shown in (("roles", predictions), ("gold", [Prediction.certain(r) for r in gold_roles])):
                    found[name] |= {(e, x.source_id, x.target_id, x.relation)
                                    for x in linker.link(sentences, shown).edges}
        f1 = role_report(y, predicted)["macro_f1"]
        print(f"{share:>6.2f} {np.mean(sizes):>16.0f} {f1:>14.3f} {edge_scores(gold, found['roles'])['f1']:>8.3f} "
              f"{edge_scores(gold, found['gold'])['f1']:>20.3f}", flush=True)


if __name__ == "__main__":
    main()
