from __future__ import annotations

from conftest import SAMPLE

import pipeline
from pipeline.export import EDGE_COLUMNS, ENTITY_COLUMNS, SENTENCE_COLUMNS


def test_analyze_path_gives_dataframes_with_contract_columns() -> None:
    amap = pipeline.analyze(SAMPLE)
    assert list(amap.sentences.columns) == list(SENTENCE_COLUMNS)
    assert list(amap.edges.columns) == list(EDGE_COLUMNS)
    assert list(amap.entities.columns) == list(ENTITY_COLUMNS)
    assert set(amap.sentences["role"]) <= {"cause", "evidence", "conclusion", "other"}
    assert amap.sentences["role"].nunique() >= 3
    assert {"China", "ESA", "U.S."} <= set(amap.entities["text"])
    assert len(amap.edges) > 0


def test_analyze_text_and_html_view(tmp_path) -> None:
    amap = pipeline.analyze("The treaty failed because nobody enforced it. Therefore reform must come first.")
    assert len(amap.sentences) == 2
    html = amap._repr_html_()
    assert html.count("<span class=\"argmap-") == 2 and "title=\"cause" in html
    amap.to_csv(tmp_path)
    assert (tmp_path / "sentences.csv").read_text(encoding="utf-8").startswith("doc_id,sentence_id,")
    assert "ArgumentMap 1 document" in repr(amap)


def test_analyze_many_streams(tmp_path) -> None:
    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    a.write_text("Prices rose in 1923.", encoding="utf-8")
    b.write_text("The war ended because money ran out.", encoding="utf-8")
    maps = pipeline.analyze_many([a, b])
    assert next(maps).sentences["doc_id"].tolist() == ["a"]
    assert next(maps).sentences["doc_id"].tolist() == ["b"]


def test_analyze_links_rules_uses_the_rule_linker() -> None:
    amap = pipeline.analyze("The treaty failed because nobody enforced it. In 1923 prices rose by 40 percent.",
                            links="rules")
    assert amap.edges[["source_id", "target_id", "relation"]].values.tolist() == [[1, 0, "supports"]]
    assert amap.results[0].linker == "rules"
