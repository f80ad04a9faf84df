"""Batch throughput, overhead over bare spaCy, and memory growth: numbers and ratios for issue 8.

    python benchmarks/batch_bench.py            # quick: 100 documents, memory at 50 vs 500 short documents
    python benchmarks/batch_bench.py --full     # the issue's sizes: 1,000 documents of 1,000-3,000 words

Documents are made reproducibly (seed 0) from the corpus essays.
"""

from __future__ import annotations

import argparse
import random
import subprocess
import sys
import tempfile
import time
from contextlib import nullcontext
from pathlib import Path

from pipeline.batch import discover, run_batch
from pipeline.corpus import load_corpus
from pipeline.persist import one_thread

ROOT = Path(__file__).resolve().parent.parent


def make_batch(folder: Path, n: int, min_words: int, max_words: int, seed: int = 0) -> int:
    """Write ``n`` documents of ``min_words``-``max_words`` words built from corpus essays; return total words."""
    essays = [e.text for e in load_corpus(ROOT / "corpus" / "essays")]
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    total = 0
    for i in range(n):
        target = rng.randint(min_words, max_words)
        parts, words = [], 0
        while words < target:
            text = rng.choice(essays)
            paragraphs = text.split("\n\n")
            start = rng.randrange(len(paragraphs))
            for paragraph in paragraphs[start:]:
                parts.append(paragraph)
                words += len(paragraph.split())
                if words >= target:
                    break
        (folder / f"doc-{i:05d}.txt").write_text("\n\n".join(parts) + "\n", encoding="utf-8")
        total += words
    return total


def throughput(folder: Path, jobs: int, single_thread: bool = True) -> float:
    """Seconds to run the batch. With ``single_thread`` one job runs on one thread, as each worker of a pool does,
    so that the speed-up from workers compares like with like; without it the encoder uses every core."""
    files = discover([folder])
    with tempfile.TemporaryDirectory() as out, one_thread() if single_thread else nullcontext():
        started = time.perf_counter()
        run_batch(files, Path(out) / "o", jobs=jobs)
        return time.perf_counter() - started


def overhead(folder: Path) -> tuple[float, float]:
    """Whole-pipeline seconds (on one thread, as a worker) and bare ``nlp.pipe`` seconds over the same cleaned texts."""
    from pipeline.process import Processor

    processor = Processor()
    paths = sorted(folder.glob("*.txt"))
    processor.process_file(paths[0])
    with one_thread():
        started = time.perf_counter()
        cleaned = [processor.process_file(p).clean.text for p in paths]
        whole = time.perf_counter() - started
    import spacy

    from pipeline.nlp import default_pipeline_name

    bare_nlp = spacy.load(default_pipeline_name())
    list(bare_nlp.pipe(cleaned[:1]))
    started = time.perf_counter()
    for _ in bare_nlp.pipe(cleaned):
        pass
    return whole, time.perf_counter() - started


def peak_memory_mb(folder: Path) -> float:
    """Peak resident memory of one worker: a fresh process runs the batch with one job and reports its VmHWM.

    VmHWM (not ru_maxrss, which Linux carries over from the parent across fork and exec) is the new
    program's own high-water mark.
    """
    code = (
        "import re, sys, tempfile; from pathlib import Path;"
        "from pipeline.batch import discover, run_batch;"
        "d = tempfile.mkdtemp(); run_batch(discover([sys.argv[1]]), Path(d) / 'o', jobs=1);"
        "print(re.search(r'VmHWM:\\s+(\\d+)', open('/proc/self/status').read()).group(1))"
    )
    done = subprocess.run([sys.executable, "-c", code, str(folder)], check=True, capture_output=True, text=True)
    return int(done.stdout.split()[-1]) / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--full", action="store_true", help="the issue's sizes (slow: tens of minutes)")
    args = parser.parse_args()
    docs, lo, hi = (1000, 1000, 3000) if args.full else (100, 1000, 3000)
    small, large = (100, 1000) if args.full else (50, 500)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        words = make_batch(tmp / "batch", docs, lo, hi)
        print(f"batch: {docs} documents, {words:,} words (seed 0)")
        one = throughput(tmp / "batch", 1)
        two = throughput(tmp / "batch", 2)
        print(f"{'workers':>8} {'seconds':>9} {'docs/s':>8} {'words/s':>9}")
        for jobs, seconds in ((1, one), (2, two)):
            print(f"{jobs:>8} {seconds:>9.1f} {docs / seconds:>8.2f} {words / seconds:>9,.0f}")
        print(f"speed-up with 2 workers: {one / two:.2f}x "
              f"(goal >= 1.7x; both include loading the models once per worker; 1 worker on one thread)")
        every = throughput(tmp / "batch", 1, single_thread=False)
        print(f"1 job, the encoder on every core: {every:.1f} s, {words / every:,.0f} words/s")
        whole, bare = overhead(tmp / "batch")
        print(f"whole pipeline {whole:.1f} s vs bare nlp.pipe {bare:.1f} s on the same cleaned text: "
              f"{whole / bare:.2f}x (goal <= 1.3x)")
        make_batch(tmp / "small", small, 150, 400, seed=1)
        make_batch(tmp / "large", large, 150, 400, seed=1)
        m_small, m_large = peak_memory_mb(tmp / "small"), peak_memory_mb(tmp / "large")
        print(f"peak memory per worker: {small} docs {m_small:.0f} MB, {large} docs {m_large:.0f} MB: "
              f"{m_large / m_small:.2f}x (goal <= 1.1x)")


if __name__ == "__main__":
    main()
