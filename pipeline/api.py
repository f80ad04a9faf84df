"""The notebook API: ``analyze`` one essay or ``analyze_many``, and get tables back as DataFrames."""

from __future__ import annotations

import html
from collections.abc import Iterable, Iterator, Sequence
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import InputError
from .export import ROWS, TABLES, format_csv, write_atomic
from .extract import SUFFIXES
from .process import Processor, Settings
from .types import ROLES, DocumentResult

if TYPE_CHECKING:
    import pandas as pd

ROLE_COLOURS = {"cause": "#f4a261", "evidence": "#8ecae6", "conclusion": "#b5e48c", "other": "#eeeeee"}


class ArgumentMap:
    """The argument map of one or more documents, as pandas tables.

    ``sentences``, ``edges``, ``entities`` and ``edits`` have the columns of the
    CSV files that ``argmap run`` writes; in Jupyter the map shows itself as the
    essay with each sentence coloured by role.
    """

    def __init__(self, results: Sequence[DocumentResult]) -> None:
        self.results = tuple(results)

    def _table(self, name: str) -> pd.DataFrame:
        import pandas as pd

        rows = [row for result in self.results for row in ROWS[name](result)]
        return pd.DataFrame(rows, columns=list(TABLES[name]))

    @property
    def sentences(self) -> pd.DataFrame:
        """One row per sentence: position, page, text, role, probabilities, entities, cues."""
        return self._table("sentences")

    @property
    def edges(self) -> pd.DataFrame:
        """One row per link of the map."""
        return self._table("edges")

    @property
    def entities(self) -> pd.DataFrame:
        """One row per entity mention."""
        return self._table("entities")

    @property
    def edits(self) -> pd.DataFrame:
        """One row per change the OCR repair made."""
        return self._table("edits")

    @property
    def text(self) -> str:
        """The cleaned text (of the first document) that the offsets point into."""
        return self.results[0].clean.text if self.results else ""

    def to_csv(self, folder: str | Path) -> None:
        """Write the tables as CSV files (the same format as ``argmap run``) into ``folder``."""
        folder = Path(folder)
        for name, columns in TABLES.items():
            rows = (row for result in self.results for row in ROWS[name](result))
            write_atomic(folder / f"{name}.csv", format_csv(columns, rows))

    def __repr__(self) -> str:
        counts = {role: 0 for role in ROLES}
        for result in self.results:
            for p in result.predictions:
                counts[p.role] += 1
        shown = ", ".join(f"{n} {role}" for role, n in counts.items())
        edges = sum(len(r.edges) for r in self.results)
        return f"<ArgumentMap {len(self.results)} document(s): {shown}; {edges} edges>"

    def _repr_html_(self) -> str:
        legend = " ".join(
            f'<span style="background:{c};padding:0 4px;border-radius:3px">{role}</span>' for role, c in ROLE_COLOURS.items()
        )
        parts = [f'<div class="argmap" style="font-family:Georgia,serif;line-height:1.6;max-width:48em">'
                 f"<div style='margin-bottom:.5em'>{legend}</div>"]
        for result in self.results:
            parts.append(f"<h4>{html.escape(result.doc_id)}</h4><p>")
            paragraph = None
            for s, p in zip(result.sentences, result.predictions):
                if paragraph is not None and s.paragraph_id != paragraph:
                    parts.append("</p><p>")
                paragraph = s.paragraph_id
                title = ", ".join(f"{role} {prob:.2f}" for role, prob in zip(ROLES, p.probabilities))
                parts.append(
                    f'<span class="argmap-{p.role}" title="{html.escape(title)}" '
                    f'style="background:{ROLE_COLOURS[p.role]}">{html.escape(s.text)}</span> '
                )
            parts.append("</p>")
        parts.append("</div>")
        return "".join(parts)


@lru_cache(maxsize=2)
def _processor(settings: Settings) -> Processor:
    return Processor(settings)


def analyze(source: str | Path, *, model: str | None = None, spacy_model: str | None = None) -> ArgumentMap:
    """Analyse one essay: a path to a PDF/text file, or the text itself.

    Args:
        source: A file path, or a string of essay text.
        model: The role model name (see :func:`pipeline.classify.load_model`).
        spacy_model: An installed spaCy pipeline to use instead of the default.

    Returns:
        The essay's argument map.

    Raises:
        ArgmapError: The file cannot be read or processed.
    """
    processor = _processor(Settings(model=model, spacy_model=spacy_model))
    if isinstance(source, Path) or _looks_like_path(source):
        path = Path(source)
        if not path.exists():
            raise InputError(path, "no such file")
        return ArgumentMap([processor.process_file(path)])
    return ArgumentMap([processor.process_text(source)])


def analyze_many(
    sources: Iterable[str | Path], *, model: str | None = None, spacy_model: str | None = None
) -> Iterator[ArgumentMap]:
    """Analyse essays one by one, yielding each map as soon as it is done (the pipeline loads once)."""
    for source in sources:
        yield analyze(source, model=model, spacy_model=spacy_model)


def _looks_like_path(source: str) -> bool:
    return "\n" not in source and len(source) < 4096 and (Path(source).suffix.lower() in SUFFIXES or Path(source).exists())
