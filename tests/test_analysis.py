"""load_batch and the analysis functions, on a small hand-built batch folder with known answers."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from pipeline import analysis
from pipeline.errors import InputError
from pipeline.export import DOCUMENT_COLUMNS, TABLES, format_csv
from pipeline.types import RELATIONS, ROLES

# doc a: 2 and 3 support cause 1, which explains conclusion 0; conclusion 4 stands alone.
# doc b: evidence 3 supports conclusion 2, causes 0 and 1 explain it, and 2 supports 0 (a cycle).
SENTENCES = [
    # doc, id, role, confidence, is_claim, text
    ("a", 0, "conclusion", 0.9, True, "The gold standard deepened the Great Depression."),
    ("a", 1, "cause", 0.9, True, "Britain's return to gold in 1925 caused deflation in Britain."),
    ("a", 2, "evidence", 0.8, False, "Prices fell by a third between 1929 and 1933."),
    ("a", 3, "evidence", 0.7, False, "Unemployment in Britain rose to 20 percent."),
    ("a", 4, "conclusion", 0.6, True, "Leaving gold early helped recovery."),
    ("a", 5, "other", 0.5, False, "This essay has three parts."),
    ("b", 0, "cause", 0.6, False, "The return to the gold standard caused deflation in Britain."),
    ("b", 1, "cause", 0.95, True, "Tariffs reduced world trade."),
    ("b", 2, "conclusion", 0.8, True, "Deflation ruined farmers."),
    ("b", 3, "evidence", 0.7, False, "-Farm incomes fell by half."),
]
EDGES = [
    ("a", 2, 1, "supports"), ("a", 3, 1, "supports"), ("a", 1, 0, "explains"), ("a", 5, 0, "contrasts"),
    ("b", 3, 2, "supports"), ("b", 0, 2, "explains"), ("b", 1, 2, "explains"), ("b", 2, 0, "supports"),
]
ENTITIES = [
    ("a", 0, "the Great Depression", "EVENT", "great depression"),
    ("a", 1, "Britain", "GPE", "britain"),
    ("a", 2, "1929", "DATE", "1929"),
    ("a", 3, "Britain", "GPE", "britain"),
    ("b", 0, "Britain", "GPE", "britain"),
]


def write_batch(folder: Path, *, thesis: int | None = None) -> Path:
    """Write the hand-built batch as `argmap run` would, plus columns and a table appended by later versions."""
    rows = []
    for doc_id, sid, role, conf, claim, text in SENTENCES:
        probs = {f"p_{r}": (conf if r == role else round((1 - conf) / 3, 4)) for r in ROLES}
        rows.append({"doc_id": doc_id, "sentence_id": sid, "paragraph_id": 0, "section": "", "page": 1,
                     "start_char": sid * 100, "end_char": sid * 100 + len(text), "text": text, "role": role,
                     "confidence": conf, **probs, "entities": "", "is_claim": claim, "cues": "",
                     "raw_start": sid * 100, "raw_end": sid * 100 + len(text), "footnotes": "1" if sid == 2 else "",
                     "is_thesis": doc_id == "a" and sid == thesis, "x0": 72.0, "top": 10.5, "x1": 500.0, "bottom": 20})
    columns = (*TABLES["sentences"], "is_thesis", "x0", "top", "x1", "bottom")
    (folder / "sentences.csv").write_text(format_csv(columns, rows), encoding="utf-8")
    edges = [{"doc_id": d, "source_id": s, "target_id": t, "relation": r, "score": 0.5, "reason": "test"}
             for d, s, t, r in EDGES]
    (folder / "edges.csv").write_text(format_csv(TABLES["edges"], edges), encoding="utf-8")
    entities = [{"doc_id": d, "sentence_id": s, "text": t, "label": lab, "start_char": 0, "end_char": len(t),
                 "entity_id": e} for d, s, t, lab, e in ENTITIES]
    (folder / "entities.csv").write_text(format_csv(TABLES["entities"], entities), encoding="utf-8")
    (folder / "edits.csv").write_text(format_csv(TABLES["edits"], []), encoding="utf-8")
    documents = [
        {"doc_id": "a", "path": "a.txt", "sha256": "0" * 64, "status": "ok", "pages": 1, "sentences": 6, "model": "m"},
        {"doc_id": "c", "path": "c.pdf", "sha256": "", "status": "failed", "error": "c.pdf: not a PDF"},
        {"doc_id": "b", "path": "b.txt", "sha256": "1" * 64, "status": "ok", "pages": 1, "sentences": 4, "model": "m"},
    ]
    (folder / "documents.csv").write_text(format_csv(DOCUMENT_COLUMNS, documents), encoding="utf-8")
    links = [{"doc_id": "a", "sentence_id": 1, "cause": "return to gold", "effect": "deflation", "cue": "caused",
              "cause_start": 110, "cause_end": 124, "effect_start": 132, "effect_end": 141}]
    (folder / "causal_links.csv").write_text(format_csv(tuple(links[0]), links), encoding="utf-8")
    (folder / "clean").mkdir(exist_ok=True)
    (folder / "clean" / "a.txt").write_text("The gold standard.\n", encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def batch(tmp_path_factory: pytest.TempPathFactory) -> analysis.Batch:
    return analysis.load_batch(write_batch(tmp_path_factory.mktemp("batch")))


def test_load_batch_dtypes(batch: analysis.Batch) -> None:
    s = batch.sentences
    assert list(s.columns[: len(TABLES["sentences"])]) == list(TABLES["sentences"])
    assert isinstance(s["role"].dtype, pd.CategoricalDtype) and list(s["role"].cat.categories) == list(ROLES)
    assert list(batch.edges["relation"].cat.categories) == list(RELATIONS)
    assert isinstance(batch.entities["label"].dtype, pd.CategoricalDtype)
    for column in ("sentence_id", "paragraph_id", "page", "start_char", "raw_end"):
        assert s[column].dtype == "Int64", column
    assert batch.edges["source_id"].dtype == "Int64" and batch.entities["sentence_id"].dtype == "Int64"
    assert s["is_claim"].dtype == "boolean" and s["is_claim"].sum() == 5
    assert s["confidence"].dtype == "float64"
    assert batch.documents["pages"].dtype == "Int64"
    assert list(batch.documents["status"]) == ["ok", "failed", "ok"]


def test_load_batch_keeps_text_as_text(batch: analysis.Batch) -> None:
    s = batch.sentences.set_index(["doc_id", "sentence_id"])
    assert list(batch.sentences["footnotes"]) == ["", "", "1", "", "", "", "", "", "1", ""]
    assert pd.api.types.is_string_dtype(batch.sentences["footnotes"])
    assert s.loc[("a", 0), "section"] == "" and s.loc[("a", 0), "cues"] == ""
    assert s.loc[("b", 3), "text"] == "-Farm incomes fell by half."  # export's formula guard undone
    assert list(batch.entities["entity_id"]) == ["great depression", "britain", "1929", "britain", "britain"]


def test_load_batch_reads_appended_columns_and_tables(batch: analysis.Batch) -> None:
    s = batch.sentences
    assert s["is_thesis"].dtype == "boolean" and not s["is_thesis"].any()
    assert s["x0"].dtype == "float64" and s["bottom"].dtype == "float64"
    links = batch.extra["causal_links"]
    assert list(links["cause"]) == ["return to gold"] and links["cause_start"].dtype == "Int64"
    assert batch.text("a") == "The gold standard."


def test_load_batch_joins(batch: analysis.Batch) -> None:
    joined = batch.entities.merge(batch.sentences, on=["doc_id", "sentence_id"], suffixes=("", "_sentence"))
    assert len(joined) == len(ENTITIES)
    assert list(joined["role"]) == ["conclusion", "cause", "evidence", "evidence", "cause"]


def test_load_batch_refuses_other_folders(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such folder"):
        analysis.load_batch(tmp_path / "missing")
    (tmp_path / "notes.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"not an argmap batch folder \(no documents.csv or sentences.csv\)"):
        analysis.load_batch(tmp_path)


def test_role_profile(batch: analysis.Batch) -> None:
    profile = analysis.role_profile(batch)
    assert list(profile.index) == ["a", "b"]  # manifest order; the failed document has no row
    assert profile.loc["a", list(ROLES)].tolist() == [1, 2, 2, 1]
    assert profile.loc["b", list(ROLES)].tolist() == [2, 1, 1, 0]
    assert profile["sentences"].tolist() == [6, 4]
    assert profile.loc["b", "share_cause"] == pytest.approx(0.5)
    assert profile.loc["a", "share_other"] == pytest.approx(1 / 6)
    assert profile[[f"share_{r}" for r in ROLES]].sum(axis=1).tolist() == pytest.approx([1.0, 1.0])


def test_evidence_per_conclusion(batch: analysis.Batch) -> None:
    table = analysis.evidence_per_conclusion(batch).set_index(["doc_id", "sentence_id"])
    assert list(table.index) == [("a", 0), ("a", 4), ("b", 2)]
    assert table.loc[("a", 0), ["direct", "supporting", "evidence", "causes"]].tolist() == [1, 3, 2, 1]
    assert table.loc[("a", 4), ["direct", "supporting"]].tolist() == [0, 0]
    assert table.loc[("b", 2), ["direct", "supporting", "evidence", "causes"]].tolist() == [3, 3, 1, 2]
    assert table["unsupported"].tolist() == [False, True, False]


def test_entities_by_role(batch: analysis.Batch) -> None:
    table = analysis.entities_by_role(batch)
    assert list(table.index) == ["britain", "great depression"]  # the DATE is not a name
    assert table.loc["britain", list(ROLES)].tolist() == [2, 1, 0, 0]
    assert table.loc["britain", ["total", "documents"]].tolist() == [3, 2]
    assert table.loc["great depression", "conclusion"] == 1
    everything = analysis.entities_by_role(batch, labels=None)
    assert everything.loc["1929", "evidence"] == 1 and len(everything) == 3
    assert list(analysis.entities_by_role(batch, top=1).index) == ["britain"]


def test_recurring_causes(batch: analysis.Batch) -> None:
    table = analysis.recurring_causes(batch)
    assert list(zip(table["doc_id"], table["sentence_id"], strict=True)) == [("a", 1), ("b", 0)]
    assert set(table["cluster"]) == {0} and table["documents"].tolist() == [2, 2]
    assert "britain" in table["terms"].iloc[0] and "deflation" in table["terms"].iloc[0]
    assert analysis.recurring_causes(batch).equals(table)  # deterministic
    assert analysis.recurring_causes(batch, threshold=0.99).empty
    singles = analysis.recurring_causes(batch, min_documents=1)
    assert len(singles) == 3 and singles["cluster"].tolist() == [0, 0, 1]


def test_document_summary(batch: analysis.Batch) -> None:
    summary = analysis.document_summary(batch)
    assert list(summary.index) == ["a", "b"]
    assert summary.loc["a", "thesis_id"] == 0 and summary.loc["a", "thesis_support"] == 3
    assert summary.loc["a", "thesis"] == "The gold standard deepened the Great Depression."
    assert summary.loc["a", "unsupported_ids"] == [4] and summary.loc["a", "unsupported_claims"] == 1
    assert summary.loc["b", "thesis_id"] == 2 and summary.loc["b", "thesis_support"] == 3
    assert summary.loc["b", "strongest_causes"] == ["Tariffs reduced world trade.",
                                                   "The return to the gold standard caused deflation in Britain."]
    assert summary.loc["b", "unsupported_ids"] == [1]


def test_document_summary_prefers_is_thesis(tmp_path: Path) -> None:
    summary = analysis.document_summary(analysis.load_batch(write_batch(tmp_path, thesis=4)))
    assert summary.loc["a", "thesis_id"] == 4 and summary.loc["a", "thesis_support"] == 0
    assert summary.loc["b", "thesis_id"] == 2  # no flag in b: most supported conclusion


def test_analysis_accepts_an_argument_map(sample_result) -> None:
    from pipeline.api import ArgumentMap

    amap = ArgumentMap([sample_result])
    profile = analysis.role_profile(amap)
    assert profile["sentences"].tolist() == [len(sample_result.sentences)]
    summary = analysis.document_summary(amap)
    assert summary["thesis"].iloc[0] in set(amap.sentences["text"])
