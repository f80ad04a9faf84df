"""The sample essay's tables, compared byte for byte with reviewed golden files.

Regenerate with ``pytest --update-golden`` and review the diff before committing.
"""

from __future__ import annotations

import pytest

from pipeline.export import ROWS, TABLES, format_csv


@pytest.mark.parametrize("name", ["sentences", "edges", "entities", "edits"])
def test_sample_tables_match_golden(sample_result, golden, name: str) -> None:
    golden(f"sample/{name}.csv", format_csv(TABLES[name], ROWS[name](sample_result)))


def test_sample_clean_text_matches_golden(sample_result, golden) -> None:
    golden("sample/clean.txt", sample_result.clean.text + "\n")
