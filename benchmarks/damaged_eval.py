"""Role classification on OCR-damaged essays, repaired, against the same essays clean (issue 6).

Essay-grouped 5-fold cross-validation: for each fold a classifier is trained on
the other essays' gold sentences; each held-out essay is then run end to end
(clean → spaCy → classify) twice, from its clean text and from a damaged copy
made by ``pipeline.damage`` (seeded), and both are aligned to the gold
annotation. Prints macro-F1 for both and the difference (goal: within 0.03).

    python benchmarks/damaged_eval.py [--write 20]   # --write also stores damaged copies in corpus/damaged/
"""

from __future__ import annotations

import argparse
import random
from pathlib import Path

from pipeline.classify import TrainedRoles, build_classifier
from pipeline.corpus import load_corpus
from pipeline.damage import damage, pick_lost_letters, word_error_rate
from pipeline.process import Processor, Settings
from pipeline.train import DEFAULT_PARAMS, aligned_roles, featurize, role_report

ROOT = Path(__file__).resolve().parent.parent


def damaged_copy(text: str, seed: int) -> str:
    """The essay as OCR might leave it: lost capitals, small caps, broken lines, glued notes, page breaks."""
    return damage(text, seed, lost=pick_lost_letters(text, random.Random(seed)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--write", type=int, default=0,
                        help="store damaged copies of the first N essays in corpus/damaged/")
    args = parser.parse_args()
    from sklearn.model_selection import GroupKFold

    essays = load_corpus(ROOT / "corpus" / "essays")
    if args.write:
        folder = ROOT / "corpus" / "damaged"
        folder.mkdir(exist_ok=True)
        for i, essay in enumerate(essays[: args.write]):
            (folder / f"{essay.id}.ocr.txt").write_text(damaged_copy(essay.text, i), encoding="utf-8")
    data = featurize(essays)
    X, y, groups = data.table()
    processor = Processor(Settings(model="rules"))
    clean_pairs, damaged_pairs, wer = [], [], []
    for train_idx, _ in GroupKFold(n_splits=args.folds).split(X, y, groups):
        fitted = build_classifier(**DEFAULT_PARAMS).fit(X.iloc[train_idx], y[train_idx], groups=groups[train_idx])
        fold_model = TrainedRoles(fitted, {"name": "fold"})
        held_out = sorted(set(range(len(essays))) - set(groups[train_idx]))
        for i in held_out:
            essay = essays[i]
            broken = damaged_copy(essay.text, i)
            repaired = processor.process_text(broken, essay.id)
            wer.append((word_error_rate(essay.text, broken), word_error_rate(essay.text, repaired.clean.text)))
            clean_pairs += aligned_roles(fold_model, essay, processor.process_text(essay.text, essay.id).sentences)
            damaged_pairs += aligned_roles(fold_model, essay, repaired.sentences)
    clean_f1 = role_report(*zip(*clean_pairs, strict=True))["macro_f1"]
    damaged_f1 = role_report(*zip(*damaged_pairs, strict=True))["macro_f1"]
    n = len(wer)
    print(f"{len(essays)} essays, {args.folds}-fold essay-grouped; damage WER {sum(w for w, _ in wer) / n:.2%} "
          f"-> {sum(r for _, r in wer) / n:.2%} after repair")
    print(f"macro-F1 end to end, clean text:            {clean_f1:.3f}")
    print(f"macro-F1 end to end, damaged then repaired: {damaged_f1:.3f}")
    print(f"difference: {clean_f1 - damaged_f1:+.3f} (goal: within 0.03)")


if __name__ == "__main__":
    main()
