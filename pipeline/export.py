"""Export: the contract tables (CSV) built from document results, written atomically.

The column lists below are the public contract of ``argmap run``: columns are
only ever appended, never renamed or reordered. Every table has one row per
item across all documents, in input order then position.
"""

from __future__ import annotations

import csv
import io
import os
import tempfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from .errors import ExportError
from .types import ROLES, DocumentResult, DocumentStatus

SENTENCE_COLUMNS = (
    "doc_id", "sentence_id", "paragraph_id", "section", "page", "start_char", "end_char", "text", "role",
    "confidence", "p_cause", "p_evidence", "p_conclusion", "p_other", "entities", "is_claim", "cues",
    "raw_start", "raw_end", "footnotes",
)
EDGE_COLUMNS = ("doc_id", "source_id", "target_id", "relation", "score", "reason")
ENTITY_COLUMNS = ("doc_id", "sentence_id", "text", "label", "start_char", "end_char", "entity_id")
EDIT_COLUMNS = ("doc_id", "rule", "raw_start", "raw_end", "before", "after")
DOCUMENT_COLUMNS = ("doc_id", "path", "sha256", "status", "error", "pages", "sentences", "seconds", "model", "warnings")

TABLES: dict[str, tuple[str, ...]] = {
    "sentences": SENTENCE_COLUMNS,
    "edges": EDGE_COLUMNS,
    "entities": ENTITY_COLUMNS,
    "edits": EDIT_COLUMNS,
}
PRECISION = 4
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def sentence_rows(result: DocumentResult) -> Iterator[dict[str, Any]]:
    """One sentences.csv row per sentence."""
    for s, p in zip(result.sentences, result.predictions):
        probs = dict(zip(ROLES, p.probabilities))
        yield {
            "doc_id": result.doc_id, "sentence_id": s.id, "paragraph_id": s.paragraph_id, "section": s.section or "",
            "page": s.page, "start_char": s.start, "end_char": s.end, "text": s.text, "role": p.role,
            "confidence": round(p.confidence, PRECISION),
            **{f"p_{role}": round(probs[role], PRECISION) for role in ROLES},
            "entities": "; ".join(f"{e.text}|{e.label}" for e in s.entities),
            "is_claim": s.is_claim,
            "cues": "; ".join(f"{c.text}|{c.kind}" for c in s.cues),
            "raw_start": s.raw_start, "raw_end": s.raw_end, "footnotes": "; ".join(s.footnotes),
        }


def edge_rows(result: DocumentResult) -> Iterator[dict[str, Any]]:
    """One edges.csv row per edge."""
    for e in result.edges:
        yield {"doc_id": result.doc_id, "source_id": e.source_id, "target_id": e.target_id, "relation": e.relation,
               "score": round(e.score, PRECISION), "reason": e.reason}


def entity_rows(result: DocumentResult) -> Iterator[dict[str, Any]]:
    """One entities.csv row per entity mention."""
    for s in result.sentences:
        for e in s.entities:
            yield {"doc_id": result.doc_id, "sentence_id": s.id, "text": e.text, "label": e.label,
                   "start_char": e.start, "end_char": e.end, "entity_id": e.entity_id}


def edit_rows(result: DocumentResult) -> Iterator[dict[str, Any]]:
    """One edits.csv row per change the cleaner made."""
    for e in result.clean.edits:
        yield {"doc_id": result.doc_id, "rule": e.rule, "raw_start": e.raw_start, "raw_end": e.raw_end,
               "before": e.before, "after": e.after}


ROWS = {"sentences": sentence_rows, "edges": edge_rows, "entities": entity_rows, "edits": edit_rows}


def status_row(status: DocumentStatus, model: str = "") -> dict[str, Any]:
    """One documents.csv (manifest) row."""
    return {
        "doc_id": status.doc_id, "path": status.path, "sha256": status.sha256, "status": status.status,
        "error": status.error, "pages": status.pages, "sentences": status.sentences,
        "seconds": round(status.seconds, 3), "model": model, "warnings": "; ".join(status.warnings),
    }


def excel_safe(value: Any) -> Any:
    """Neutralise a text cell that a spreadsheet would run as a formula, by prefixing an apostrophe."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def format_csv(columns: Sequence[str], rows: Iterable[Mapping[str, Any]], *, header: bool = True, safe: bool = True) -> str:
    """Render rows as CSV text: UTF-8, ``\\n`` line ends, minimal quoting, booleans as true/false."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    if header:
        writer.writerow(columns)
    for row in rows:
        values = [_cell(row.get(c, "")) for c in columns]
        writer.writerow([excel_safe(v) for v in values] if safe else values)
    return buffer.getvalue()


def _cell(value: Any) -> Any:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:.{PRECISION}f}".rstrip("0").rstrip(".") if value == value else ""
    return value


def write_atomic(path: str | Path, text: str) -> None:
    """Write text to ``path`` through a temporary file and a rename, so readers never see half a file.

    Raises:
        ExportError: The file cannot be written.
    """
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except OSError as e:
        raise ExportError(f"{path}: cannot write: {e.strerror or e}") from e


def concat_csv(path: str | Path, columns: Sequence[str], parts: Iterable[Path]) -> None:
    """Stream part files (each with a header row) into one table at ``path``, atomically."""
    path = Path(path)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as out:
            out.write(",".join(columns) + "\n")
            for part in parts:
                if not part.exists():
                    continue
                with part.open(encoding="utf-8", newline="") as handle:
                    handle.readline()
                    for line in handle:
                        out.write(line)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    except OSError as e:
        raise ExportError(f"{path}: cannot write: {e.strerror or e}") from e
