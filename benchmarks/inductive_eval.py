"""The map on essays that reach their thesis at the end (corpus/inductive), and what training the linker on them does.

Most corpus essays state their thesis in the introduction; the user's
sample essay and the held-out essays of corpus/inductive state it in the
conclusion. Roles always come from the shipped role model, which has seen
none of these essays; every essay is processed end to end from its own text,
as ``argmap evaluate --sample`` does, and edges are pooled over essays.

1. The shipped linker on every inductive essay.
2. Leave one writer out: a linker trained on corpus/essays plus the other
   writers' inductive essays, scored on the left-out writer's essays (would
   more essays of this kind help?).
3. The sample essay (both annotations), with the shipped linker and with a
   linker trained on corpus/essays plus every inductive essay.

    python benchmarks/inductive_eval.py        # about 4 minutes
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Any

from pipeline.classify import load_model
from pipeline.cli import _read_sample
from pipeline.corpus import load_corpus, load_essay
from pipeline.link import default_linker, fit_linker
from pipeline.train import (
    LINK_PARAMS,
    edge_scores,
    evaluate_documents,
    evaluate_documents_links,
    featurize,
    link_essays,
)

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = (ROOT / "corpus" / "samples" / "china-iss-essay.json",
           ROOT / "corpus" / "samples" / "agreement" / "china-iss-essay.json")


def main() -> None:
    roles = load_model()
    paths = sorted((ROOT / "corpus" / "inductive").glob("*.json"))
    inductive = [load_essay(p) for p in paths]
    processed = [(gold, sentences, roles.predict(sentences)) for gold, sentences in map(_read_sample, paths)]
    corpus = link_essays(featurize(load_corpus(ROOT / "corpus" / "essays")))
    trained = dict(zip((e.id for e in inductive), link_essays(featurize(inductive)), strict=True))
    writers = sorted({e.annotator for e in inductive})
    print(f"{len(inductive)} inductive essays by {', '.join(writers)}; {len(corpus)} corpus essays")
    print(f"shipped role model: macro-F1 {evaluate_documents(processed)['macro_f1']:.3f}")
    print(f"{'edges':<58}{'precision':>10}{'recall':>8}{'f1':>8}{'thesis':>8}")
    shipped = evaluate_documents_links(processed, default_linker())
    for key, name in (("pairs", "shipped linker, predicted roles"), ("pairs_gold_roles", "shipped linker, gold roles"),
                      ("rules", "rule linker, predicted roles")):
        _row(name, shipped, key)
    by_writer = defaultdict(list)
    for document in processed:
        by_writer[document[0].annotator].append(document)
    pooled: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for writer, documents in by_writer.items():
        others = [trained[e.id] for e in inductive if e.annotator != writer]
        report = evaluate_documents_links(documents, fit_linker(corpus + others, LINK_PARAMS))
        for key in ("pairs", "pairs_gold_roles"):
            pooled[key].append({**report[key], "documents": len(documents)})
    for key, name in (("pairs", "predicted roles"), ("pairs_gold_roles", "gold roles")):
        _row(f"+ other writers' inductive essays, {name}", _pool(pooled[key]), None)
    sample = [(gold, sentences, roles.predict(sentences)) for gold, sentences in map(_read_sample, SAMPLES)]
    with_all = fit_linker(corpus + list(trained.values()), LINK_PARAMS)
    for document in sample:
        name = document[0].annotator
        _row(f"sample ({name}), shipped linker", evaluate_documents_links([document], default_linker()), "pairs")
        _row(f"sample ({name}), + all inductive essays", evaluate_documents_links([document], with_all), "pairs")


def _pool(reports: list[dict[str, Any]]) -> dict[str, Any]:
    """Edge scores pooled over the writers' reports (right edges recovered from precision and edges made)."""
    right = sum(round(r["precision"] * r["predicted"]) for r in reports)
    scores = edge_scores(set(range(sum(r["gold"] for r in reports))),
                         set(range(right)) | {-1 - i for i in range(sum(r["predicted"] for r in reports) - right)})
    documents = sum(r["documents"] for r in reports)
    return {**scores, "thesis_accuracy": sum(r["thesis_accuracy"] * r["documents"] for r in reports) / documents}


def _row(name: str, report: dict[str, Any], key: str | None) -> None:
    r = report[key] if key else report
    print(f"{name:<58}{r['precision']:>10.3f}{r['recall']:>8.3f}{r['f1']:>8.3f}{r['thesis_accuracy']:>8.2f}",
          flush=True)


if __name__ == "__main__":
    main()
