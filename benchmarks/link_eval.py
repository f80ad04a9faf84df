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

from pipeline.cli import _links_text
from pipeline.corpus import load_corpus, load_essay
from pipeline.train import evaluate_links, featurize


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
    print(f"roles predicted in each fold ({'stacked model alone' if '--no-encoder' in sys.argv else 'blend'})")
    print(_links_text(report))
    print(f"{report['seconds']['featurize'] + report['seconds']['evaluate']:.0f} s")


if __name__ == "__main__":
    main()
