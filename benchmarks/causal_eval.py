"""Score argmap's cause–effect extractor on the causal gold set and time argmap's spaCy components.

Usage: .venv/bin/python benchmarks/causal_eval.py [corpus/causal/gold.jsonl]
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from pipeline.nlp import COMPONENTS, evaluate_causal, load_nlp

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    gold = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "corpus" / "causal" / "gold.jsonl"
    nlp = load_nlp()
    s = evaluate_causal(gold, nlp)
    print(
        f"causal pairs ({gold.name}): {s['sentences']} sentences, {s['gold_pairs']} gold pairs, "
        f"{s['predicted_pairs']} predicted, {s['matched']} matched"
    )
    print(f"precision {s['precision']:.3f}  recall {s['recall']:.3f}  F1 {s['f1']:.3f}  (target F1 >= 0.75)")
    print(
        f"false causal pairs on non-causal sentences: {s['false_causal_rate']:.1%} of {s['non_causal']} (target < 10%)"
    )
    text = (ROOT / "tests" / "golden" / "china-iss-essay.transcription.txt").read_text(encoding="utf-8")
    paragraphs = [p for p in text.split("\n\n") if p.strip()] * 5
    timings = {}
    for label, disabled in (("spaCy alone", list(COMPONENTS)), ("with argmap components", [])):
        with nlp.select_pipes(disable=disabled):
            started = time.perf_counter()
            for _ in nlp.pipe(paragraphs):
                pass
            timings[label] = time.perf_counter() - started
    words = len(" ".join(paragraphs).split())
    for label, seconds in timings.items():
        print(f"{label}: {seconds:.2f} s for {words} words")
    print(f"argmap components add {timings['with argmap components'] / timings['spaCy alone'] - 1:+.1%}")


if __name__ == "__main__":
    main()
