"""Damage-model benchmark: damage the clean corpus essays, repair them with the cleaner, and measure WER.

Run: ``.venv/bin/python benchmarks/damage_bench.py [--seeds 3] [--first-seed 0] [--essays 'corpus/essays/*.json']
[--worst 5]``. The repair rules were tuned on seeds 0-2; ``--first-seed 3 --seeds 5`` draws damage they never saw.
"""

from __future__ import annotations

import argparse
import glob
import json
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipeline.clean import clean  # noqa: E402
from pipeline.damage import damage, word_error_rate  # noqa: E402
from pipeline.extract import text_pages  # noqa: E402
from pipeline.types import RawDocument  # noqa: E402


def essay_text(path: Path) -> str:
    """An essay's text: the section heading when the section changes, then each paragraph, blank lines between."""
    data = json.loads(path.read_text(encoding="utf-8"))
    blocks: list[str] = []
    section = None
    for paragraph in data["paragraphs"]:
        if paragraph.get("section") and paragraph["section"] != section:
            blocks.append(paragraph["section"])
        section = paragraph.get("section")
        blocks.append(" ".join(s["text"] for s in paragraph["sentences"]))
    return "\n\n".join(blocks)


def repaired(text: str, doc_id: str = "bench") -> str:
    """Clean damaged text as argmap would a .txt file."""
    return clean(RawDocument(doc_id, f"<{doc_id}>", "0" * 64, text_pages(text))).text


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--essays", default=str(ROOT / "corpus" / "essays" / "*.json"))
    parser.add_argument("--seeds", type=int, default=3, help="damage each essay this many times")
    parser.add_argument("--first-seed", type=int, default=0, help="seed of the first damage")
    parser.add_argument("--worst", type=int, default=5, help="list the N worst repaired documents")
    args = parser.parse_args(argv)
    rows = []
    for path in sorted(Path(p) for p in glob.glob(args.essays)):
        truth = essay_text(path)
        for seed in range(args.first_seed, args.first_seed + args.seeds):
            damaged = damage(truth, seed)
            rows.append((path.stem, seed, word_error_rate(truth, damaged), word_error_rate(truth, repaired(damaged))))
    if not rows:
        print(f"no essays match {args.essays}")
        return 1
    damaged_wer = [r[2] for r in rows]
    repaired_wer = [r[3] for r in rows]
    heavy = [r for r in rows if r[2] >= 0.05]
    print(f"{'essays':>6} {'docs':>5} {'mean WER damaged':>17} {'mean WER repaired':>18} {'worst repaired':>15}")
    print(
        f"{len({r[0] for r in rows}):>6} {len(rows):>5} {statistics.mean(damaged_wer):>17.2%} "
        f"{statistics.mean(repaired_wer):>18.2%} {max(repaired_wer):>15.2%}"
    )
    if heavy:
        print(
            f"damaged >= 5%: {len(heavy)} docs, mean repaired {statistics.mean(r[3] for r in heavy):.2%}, "
            f"within 0.5%: {sum(r[3] <= 0.005 for r in heavy)}"
        )
    print("worst repaired:")
    for name, seed, before, after in sorted(rows, key=lambda r: -r[3])[: args.worst]:
        print(f"  {name} seed {seed}: {before:.2%} -> {after:.2%}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
