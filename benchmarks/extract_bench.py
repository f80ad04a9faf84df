"""Extraction benchmark: pages per second of the fast (pdfium) and layout (pdfplumber) paths, against the spaCy stage.

Renders the sample essay to a PDF (tests/pdfs.py), reads it with each engine,
and times the spaCy stage (cleaning plus ``analyze_sentences``) on the same
pages, so the per-page ratio says whether extraction costs more than spaCy.

Run: ``.venv/bin/python benchmarks/extract_bench.py [--repeat 3]``.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

import pdfs  # noqa: E402

from pipeline.clean import clean  # noqa: E402
from pipeline.extract import extract  # noqa: E402
from pipeline.nlp import analyze_sentences, load_nlp  # noqa: E402


def best_seconds(function, repeat: int) -> float:
    """The fastest of ``repeat`` runs of ``function()``, in seconds."""
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement; the fastest counts")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        essay = pdfs.essay(Path(folder) / "essay.pdf").path
        columns = pdfs.columns(Path(folder) / "columns.pdf").path
        raw = extract(essay)
        pages = len(raw.pages)
        nlp = load_nlp()
        analyze_sentences(clean(raw), nlp, raw=raw)  # warm up
        spacy_page = best_seconds(lambda: analyze_sentences(clean(raw), nlp, raw=raw), args.repeat) / pages
        print(f"sample essay rendered to {pages} pages; spaCy stage (clean + sentences): "
              f"{1 / spacy_page:.1f} pages/s ({spacy_page * 1000:.1f} ms/page)")
        rows = [("fast path (pdfium)", essay, "pdfium"), ("layout path (pdfplumber)", essay, "pdfplumber"),
                ("auto (the default)", essay, "auto"), ("auto, 2- and 3-column pages", columns, "auto")]
        for label, path, engine in rows:
            count = len(extract(path, engine=engine).pages)
            per_page = best_seconds(lambda p=path, e=engine: extract(p, engine=e), args.repeat) / count
            print(f"{label:<30} {1 / per_page:7.1f} pages/s  {per_page * 1000:7.1f} ms/page  "
                  f"ratio to spaCy {per_page / spacy_page:5.2f}")


if __name__ == "__main__":
    main()
