"""Held-out edge F1 of the pair linker against the rule linker, and `causes` precision/recall.

Usage: ``python benchmarks/link_eval.py [CORPUS_OR_GLOB] [--json] [--no-encoder]``. The corpus defaults to
``corpus/essays``; a glob such as ``'corpus/essays/a[1-5]-*.json'`` pins the essay list so that runs
stay comparable while the corpus grows. Five essay-grouped folds; roles are predicted in each fold by the
shipped recipe (about 50 minutes on 2 cores, most of it fine-tuning the sentence encoder five times), or by
the stacked scikit-learn model alone with ``--no-encoder`` (about 5 minutes).
"""

from __future__ import annotations

import glob
import json
import sys
import time

from pipeline.corpus import load_corpus, load_essay
from pipeline.train import MISSES, evaluate_links, featurize


def main() -> None:
    """Featurize the corpus and print the held-out edge scores (a table, or JSON with --json)."""
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    source = args[0] if args else "corpus/essays"
    paths = sorted(glob.glob(source))
    essays = [load_essay(p) for p in paths] if len(paths) > 1 else load_corpus(source)
    started = time.perf_counter()
    data = featurize([e for e in essays if e.split != "evaluation"])
    featurized = time.perf_counter()
    report = evaluate_links(data, folds=5, encoder="--no-encoder" not in sys.argv)
    report["seconds"] = {
        "featurize": round(featurized - started, 1),
        "evaluate": round(time.perf_counter() - featurized, 1),
    }
    if "--json" in sys.argv:
        print(json.dumps(report, indent=2, sort_keys=True))
        return
    print(f"{report['essays']} essays, {report['folds']} essay-grouped folds, predicted roles")
    print(f"{'':<30}{'precision':>10}{'recall':>10}{'f1':>8}")
    for key, name in (
        ("pairs", "pair linker"),
        ("rules", "rule linker"),
        ("pairs_gold_roles", "pair linker, gold roles"),
    ):
        r = report[key]
        print(f"{name:<30}{r['precision']:>10.3f}{r['recall']:>10.3f}{r['f1']:>8.3f}")
    for key, name in (("pairs", "pair linker"), ("rules", "rule linker")):
        for relation, r in report[key]["per_relation"].items():
            print(f"  {name + ' ' + relation:<28}{r['precision']:>10.3f}{r['recall']:>10.3f}{r['f1']:>8.3f}")
    for key, name in (("pairs", "pair linker"), ("pairs_gold_roles", "pair linker, gold roles")):
        m = report[key]["missed"]
        print(f"  {name}: {m['found']} of {m['tree_edges']} gold tree edges found; missed: "
              + ", ".join(f"{reason} {m[reason]}" for reason in MISSES))
    c = report["causes_from_pairs"]
    print(
        f"{'causes: cause-effect mapping':<30}{c['precision']:>10.3f}{c['recall']:>10.3f}{c['f1']:>8.3f}"
        f"   ({c['predicted']} mapped, {c['gold']} gold)"
    )
    print(
        f"gain over rules {report['pairs']['f1'] - report['rules']['f1']:+.3f}; "
        f"thesis {report['pairs']['thesis_accuracy']:.3f}; unattached {report['pairs']['unattached']}; "
        f"{report['seconds']['featurize'] + report['seconds']['evaluate']:.0f} s"
    )


if __name__ == "__main__":
    main()
