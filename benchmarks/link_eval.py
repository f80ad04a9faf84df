"""Edge F1 and thesis accuracy of the pair linker against the rule linker, essay-grouped folds (prints JSON)."""

from __future__ import annotations

import json
import sys
import time

from pipeline.corpus import load_corpus
from pipeline.train import evaluate_links, featurize


def main() -> None:
    """Featurize corpus/essays and print the held-out edge scores."""
    started = time.perf_counter()
    data = featurize(load_corpus(sys.argv[1] if len(sys.argv) > 1 else "corpus/essays"))
    featurized = time.perf_counter()
    report = evaluate_links(data, folds=5)
    report["seconds"] = {
        "featurize": round(featurized - started, 1),
        "evaluate": round(time.perf_counter() - featurized, 1),
    }
    print(json.dumps(report, indent=2, sort_keys=True))


if __name__ == "__main__":
    main()
