"""The map from human roles: the pair linker fed a second annotator's roles (issue 7).

How much edge F1 would better roles buy? The 35 essays of corpus/agreement
were labelled twice; the second annotator's roles agree with the first's about
as well as annotators do (raw agreement 0.90), far better than the role
model. Essay-grouped 5-fold cross-validation over corpus/essays, as
``argmap evaluate``: in each fold the pair linker is fitted on the other
essays (gold roles, as in training), and each held-out essay that has a
second annotation is linked three ways, each scored against the first
annotation's edges:

- from the first annotation's own roles (gold roles: linking errors only);
- from the second annotator's roles (human-level role errors);
- the second annotator's own edges, on the essays whose edges were annotated twice.

About 2 minutes on 2 cores: no role model is trained.

    python benchmarks/human_roles.py
"""

from __future__ import annotations

from pathlib import Path

from sklearn.metrics import f1_score
from sklearn.model_selection import GroupKFold

from pipeline.corpus import load_corpus
from pipeline.link import fit_linker
from pipeline.train import LINK_PARAMS, edge_scores, featurize, link_essays
from pipeline.types import Prediction

ROOT = Path(__file__).resolve().parent.parent

Edges = set[tuple[str, int, int, str]]


def main() -> None:
    data = featurize([e for e in load_corpus(ROOT / "corpus" / "essays") if e.split != "evaluation"])
    second = {e.id: e for e in load_corpus(ROOT / "corpus" / "agreement")}
    X, y, groups = data.table()
    essays = link_essays(data)
    runs = ("pair linker, first annotation's roles", "pair linker, second annotator's roles",
            "second annotator's own edges")
    gold: dict[str, Edges] = {"all": set(), "twice": set()}
    found: dict[tuple[str, str], Edges] = {(run, kind): set() for run in runs for kind in gold}
    theses = dict.fromkeys(runs[:2], 0)
    first_roles: list[str] = []
    second_roles: list[str] = []
    for train_idx, test_idx in GroupKFold(n_splits=5).split(X, y, groups):
        linker = fit_linker([essays[e] for e in sorted(set(groups[train_idx]))], LINK_PARAMS)
        for e in sorted(set(groups[test_idx])):
            key = data.essays[e].id
            if key not in second:
                continue
            sentences, roles, thesis, links = essays[e]
            other = [s.role for s in second[key].sentences]
            first_roles += roles
            second_roles += other
            kinds = ("all", "twice") if second[key].links else ("all",)
            for kind in kinds:
                gold[kind] |= {(key, s, t, rel) for s, t, rel in links}
            for run, shown in zip(runs[:2], (roles, other), strict=True):
                result = linker.link(sentences, [Prediction.certain(r) for r in shown])
                theses[run] += result.thesis == thesis
                for kind in kinds:
                    found[run, kind] |= {(key, x.source_id, x.target_id, x.relation) for x in result.edges}
            if second[key].links:
                found[runs[2], "twice"] |= {(key, x.source, x.target, x.relation) for x in second[key].links}
    essays_twice = len({k for k, *_ in gold["twice"]})
    print(f"{len({k for k, *_ in gold['all']})} essays annotated twice ({essays_twice} with their edges)")
    agreement = sum(a == b for a, b in zip(first_roles, second_roles, strict=True)) / len(first_roles)
    macro_f1 = f1_score(first_roles, second_roles, average="macro")
    print(f"second annotator's roles against the first: macro-F1 {macro_f1:.3f}, agreement {agreement:.3f}")
    print(f"{'edge F1 against the first annotation':<40} {'all':>6} {'edges twice':>12} {'thesis':>7}")
    for run in runs:
        cells = [f"{edge_scores(gold[kind], found[run, kind])['f1']:.3f}" if found[run, kind] else "—" for kind in gold]
        print(f"{run:<40} {cells[0]:>6} {cells[1]:>12} {theses.get(run, '—'):>7}")


if __name__ == "__main__":
    main()
