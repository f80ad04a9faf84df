"""Role classification on OCR-damaged essays, repaired, against the same essays clean (issue 6).

Essay-grouped 5-fold cross-validation: for each fold a classifier is trained on
the other essays' gold sentences (``train.fold_models``: the blend of the
stacked model and a fine-tuned encoder, as shipped, or with ``--no-encoder``
the stacked model alone); each held-out essay is then run end to end
(clean → spaCy → classify) twice, from its clean text and from a damaged copy
made by ``pipeline.damage`` (seeded), and both are aligned to the gold
annotation. Prints macro-F1 for both and the difference (goal: within 0.03).

    python benchmarks/damaged_eval.py [--no-encoder] [--write 20]   # --write also stores copies in corpus/damaged/

With the encoder this fine-tunes five encoders: about 70 minutes on 2 cores (6 without).
"""

from __future__ import annotations

import argparse
import random
from pathlib import Path

from pipeline.corpus import load_corpus
from pipeline.damage import damage, pick_lost_letters, word_error_rate
from pipeline.process import Processor, Settings
from pipeline.train import aligned_roles, featurize, fold_models, role_report

ROOT = Path(__file__).resolve().parent.parent


def damaged_copy(text: str, seed: int) -> str:
    """The essay as OCR might leave it: lost capitals, small caps, broken lines, glued notes, page breaks."""
    return damage(text, seed, lost=pick_lost_letters(text, random.Random(seed)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--no-encoder", dest="encoder", action="store_false",
                        help="the stacked model alone, without the fine-tuned encoder")
    parser.add_argument("--write", type=int, default=0,
                        help="store damaged copies of the first N essays in corpus/damaged/")
    args = parser.parse_args()

    essays = load_corpus(ROOT / "corpus" / "essays")
    if args.write:
        folder = ROOT / "corpus" / "damaged"
        folder.mkdir(exist_ok=True)
        for i, essay in enumerate(essays[: args.write]):
            (folder / f"{essay.id}.ocr.txt").write_text(damaged_copy(essay.text, i), encoding="utf-8")
    processor = Processor(Settings(model="rules"))
    clean_pairs, damaged_pairs, wer = [], [], []
    for held_out, fold_model in fold_models(featurize(essays), folds=args.folds, encoder=args.encoder):
        for i in held_out:
            essay = essays[i]
            broken = damaged_copy(essay.text, i)
            repaired = processor.process_text(broken, essay.id)
            wer.append((word_error_rate(essay.text, broken), word_error_rate(essay.text, repaired.clean.text)))
            for pairs, sentences in ((clean_pairs, processor.process_text(essay.text, essay.id).sentences),
                                     (damaged_pairs, repaired.sentences)):
                pairs += aligned_roles(essay, sentences, fold_model.predict(sentences))
    clean_f1 = role_report(*zip(*clean_pairs, strict=True))["macro_f1"]
    damaged_f1 = role_report(*zip(*damaged_pairs, strict=True))["macro_f1"]
    n = len(wer)
    model = "blend (stacked + encoder)" if args.encoder else "stacked model alone"
    print(f"{len(essays)} essays, {args.folds}-fold essay-grouped, {model}; "
          f"damage WER {sum(w for w, _ in wer) / n:.2%} -> {sum(r for _, r in wer) / n:.2%} after repair")
    print(f"macro-F1 end to end, clean text:            {clean_f1:.3f}")
    print(f"macro-F1 end to end, damaged then repaired: {damaged_f1:.3f}")
    print(f"difference: {clean_f1 - damaged_f1:+.3f} (goal: within 0.03)")


if __name__ == "__main__":
    main()
