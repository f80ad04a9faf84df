"""The sample essay's tables, compared byte for byte with reviewed golden files.

Regenerate with ``pytest --update-golden`` and review the diff before committing.
"""

from __future__ import annotations

import pytest
from conftest import GOLDEN

from pipeline.export import ROWS, TABLES, format_csv


@pytest.mark.parametrize("name", ["sentences", "edges", "entities", "edits"])
def test_sample_tables_match_golden(sample_result, update_golden: bool, name: str) -> None:
    text = format_csv(TABLES[name], ROWS[name](sample_result))
    golden = GOLDEN / "sample" / f"{name}.csv"
    if update_golden:
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(text, encoding="utf-8")
    assert text == golden.read_text(encoding="utf-8")


def test_sample_clean_text_matches_golden(sample_result, update_golden: bool) -> None:
    golden = GOLDEN / "sample" / "clean.txt"
    if update_golden:
        golden.write_text(sample_result.clean.text + "\n", encoding="utf-8")
    assert sample_result.clean.text + "\n" == golden.read_text(encoding="utf-8")
