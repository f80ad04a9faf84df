"""Export: the contract tables (CSV) and the per-document map formats (JSON, GraphML, DOT, Argdown, HTML).

The column lists below are the public contract of ``argmap run``: columns are
only ever appended, never renamed or reordered. Every table has one row per
item across all documents, in input order then position.
"""

from __future__ import annotations

import csv
import html
import io
import json
import logging
import math
import os
import re
import shutil
import subprocess
import tempfile
import textwrap
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from .errors import ExportError
from .types import ROLES, DocumentResult, DocumentStatus

if TYPE_CHECKING:
    import networkx as nx

logger = logging.getLogger(__name__)

SENTENCE_COLUMNS = (
    "doc_id", "sentence_id", "paragraph_id", "section", "page", "start_char", "end_char", "text", "role",
    "confidence", "p_cause", "p_evidence", "p_conclusion", "p_other", "entities", "is_claim", "cues",
    "raw_start", "raw_end", "footnotes", "is_thesis", "x0", "top", "x1", "bottom",
)
EDGE_COLUMNS = ("doc_id", "source_id", "target_id", "relation", "score", "reason")
ENTITY_COLUMNS = ("doc_id", "sentence_id", "text", "label", "start_char", "end_char", "entity_id")
EDIT_COLUMNS = ("doc_id", "rule", "raw_start", "raw_end", "before", "after")
CAUSAL_LINK_COLUMNS = ("doc_id", "sentence_id", "cause", "effect", "cue", "cause_start", "cause_end", "effect_start",
                       "effect_end")
DOCUMENT_COLUMNS = ("doc_id", "path", "sha256", "status", "error", "pages", "sentences", "seconds", "model", "linker",
                    "warnings", "words")
MODEL_KINDS = ("model", "linker")
"""The manifest's columns that name what labelled a document's sentences (the role model) and linked them."""

FOOTNOTE_COLUMNS = ("doc_id", "number", "page", "text")
TABLES: dict[str, tuple[str, ...]] = {
    "sentences": SENTENCE_COLUMNS,
    "edges": EDGE_COLUMNS,
    "entities": ENTITY_COLUMNS,
    "edits": EDIT_COLUMNS,
    "causal_links": CAUSAL_LINK_COLUMNS,
    "footnotes": FOOTNOTE_COLUMNS,
}
PRECISION = 4
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def sentence_rows(result: DocumentResult) -> Iterator[dict[str, Any]]:
    """One sentences.csv row per sentence."""
    for s, p in zip(result.sentences, result.predictions, strict=True):
        probs = dict(zip(ROLES, p.probabilities, strict=True))
        yield {
            "doc_id": result.doc_id, "sentence_id": s.id, "paragraph_id": s.paragraph_id, "section": s.section or "",
            "page": s.page, "start_char": s.start, "end_char": s.end, "text": s.text, "role": p.role,
            "confidence": round(p.confidence, PRECISION),
            **{f"p_{role}": round(probs[role], PRECISION) for role in ROLES},
            "entities": "; ".join(f"{e.text}|{e.label}" for e in s.entities),
            "is_claim": s.is_claim,
            "cues": "; ".join(f"{c.text}|{c.kind}" for c in s.cues),
            "raw_start": s.raw_start, "raw_end": s.raw_end, "footnotes": "; ".join(s.footnotes),
            "is_thesis": s.id == result.thesis,
            **{k: "" if v is None else round(v, 2) for k, v in (("x0", s.x0), ("top", s.top), ("x1", s.x1),
                                                                ("bottom", s.bottom))},
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


def causal_link_rows(result: DocumentResult) -> Iterator[dict[str, Any]]:
    """One causal_links.csv row per cause–effect pair found inside a sentence."""
    for s in result.sentences:
        for c in s.causal_links:
            yield {"doc_id": result.doc_id, "sentence_id": s.id, "cause": c.cause, "effect": c.effect, "cue": c.cue,
                   "cause_start": c.cause_start, "cause_end": c.cause_end, "effect_start": c.effect_start,
                   "effect_end": c.effect_end}


def footnote_rows(result: DocumentResult) -> Iterator[dict[str, Any]]:
    """One footnotes.csv row per note: a PDF's footnote zones, then the notes sections (:func:`.clean.endnotes`)."""
    for note in result.footnotes:
        yield {"doc_id": result.doc_id, "number": note.number, "page": note.page, "text": note.text}


ROWS = {"sentences": sentence_rows, "edges": edge_rows, "entities": entity_rows, "edits": edit_rows,
        "causal_links": causal_link_rows, "footnotes": footnote_rows}


def status_row(status: DocumentStatus, models: Mapping[str, str]) -> dict[str, Any]:
    """One documents.csv (manifest) row; ``models`` names the document's role model and linker (MODEL_KINDS)."""
    return {
        "doc_id": status.doc_id, "path": status.path, "sha256": status.sha256, "status": status.status,
        "error": status.error, "pages": status.pages, "sentences": status.sentences,
        "seconds": round(status.seconds, 3), **{kind: models[kind] for kind in MODEL_KINDS},
        "warnings": "; ".join(status.warnings), "words": status.words,
    }


def excel_safe(value: Any) -> Any:
    """Neutralise a text cell that a spreadsheet would run as a formula, by prefixing an apostrophe."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def format_csv(columns: Sequence[str], rows: Iterable[Mapping[str, Any]], *, header: bool = True,
               safe: bool = True) -> str:
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


def write_atomic(path: str | Path, text: str, *, together: list[tuple[str, Path]] | None = None) -> None:
    """Write text to ``path`` through a temporary file and a rename, so readers never see half a file.

    With ``together`` (from :func:`replaced_together`) the rename waits for the end of that block.

    Raises:
        ExportError: The file cannot be written.
    """
    with _atomic_file(Path(path), together) as handle:
        handle.write(text)


def concat_csv(path: str | Path, columns: Sequence[str], parts: Iterable[Path], *,
               together: list[tuple[str, Path]] | None = None) -> None:
    """Stream part files (each with a header row) into one table at ``path``, atomically.

    With ``together`` (from :func:`replaced_together`) the rename waits for the end of that block.

    Raises:
        ExportError: The table cannot be written.
    """
    with _atomic_file(Path(path), together) as out:
        out.write(",".join(columns) + "\n")
        for part in parts:
            if not part.exists():
                continue
            with part.open(encoding="utf-8", newline="") as handle:
                handle.readline()
                for line in handle:
                    out.write(line)


@contextmanager
def replaced_together() -> Iterator[list[tuple[str, Path]]]:
    """Several files written in full first, then renamed into place one after another, in the order written.

    Writing a large table takes seconds; the renames take microseconds, so a
    crash almost never leaves the files from different moments, and a file
    written last (a manifest) is never newer than the others. If the block
    fails before its end, no file is replaced.
    """
    together: list[tuple[str, Path]] = []
    try:
        yield together
        while together:
            tmp, path = together[0]
            try:
                os.replace(tmp, path)
            except OSError as e:
                raise ExportError(f"{path}: cannot write: {e.strerror or e}") from e
            together.pop(0)
    finally:
        for tmp, _ in together:
            if os.path.exists(tmp):
                os.unlink(tmp)


@contextmanager
def _atomic_file(path: Path, together: list[tuple[str, Path]] | None = None) -> Iterator[TextIO]:
    """A text handle on a temporary file that replaces ``path`` in one rename when the block ends.

    If the block fails, ``path`` stays as it was and the temporary file is removed.
    With ``together``, the rename is left to :func:`replaced_together`.

    Raises:
        ExportError: The file cannot be written.
    """
    tmp = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        if together is None:
            os.replace(tmp, path)
        else:
            together.append((tmp, path))
        tmp = None
    except OSError as e:
        raise ExportError(f"{path}: cannot write: {e.strerror or e}") from e
    finally:
        if tmp is not None and os.path.exists(tmp):
            os.unlink(tmp)


# --- per-document map formats: JSON, GraphML, DOT, Argdown, HTML ---------------------------------

FORMATS = ("csv", "json", "graphml", "dot", "argdown", "html")
SUFFIX = {"json": ".json", "graphml": ".graphml", "dot": ".dot", "argdown": ".argdown", "html": ".html"}
JSON_SCHEMA = "argmap.map/1"
ROLE_COLOURS = {"cause": "#f4a261", "evidence": "#8ecae6", "conclusion": "#b5e48c", "other": "#eeeeee"}
RELATION_COLOURS = {"supports": "#2a9d8f", "explains": "#e76f51", "causes": "#6a4c93", "contrasts": "#d62828"}
_TREE = ("supports", "explains", "causes")


def map_nodes(result: DocumentResult) -> list[dict[str, Any]]:
    """The map's nodes: sentences.csv rows without ``doc_id``, plus ``unattached``."""
    unattached = set(result.unattached)
    return [{**{k: v for k, v in row.items() if k != "doc_id"}, "unattached": row["sentence_id"] in unattached}
            for row in sentence_rows(result)]


def to_json(result: DocumentResult) -> str:
    """One document's map as JSON (schema ``argmap.map/1``, documented in the README), keys sorted."""
    document = {
        "schema": JSON_SCHEMA, "doc_id": result.doc_id, "path": result.path, "sha256": result.sha256,
        "pages": result.pages, "model": result.model, "linker": result.linker, "warnings": list(result.warnings),
        "thesis": result.thesis, "unattached": list(result.unattached),
        "nodes": map_nodes(result),
        "edges": [{k: v for k, v in row.items() if k != "doc_id"} for row in edge_rows(result)],
    }
    return json.dumps(document, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def to_networkx(result: DocumentResult) -> nx.MultiDiGraph:
    """One document's map as a networkx MultiDiGraph: sentence ids as nodes, every column as an attribute.

    Edges are keyed by relation (two sentences may both support and contrast).
    """
    import networkx as nx

    graph = nx.MultiDiGraph(doc_id=result.doc_id, thesis=-1 if result.thesis is None else result.thesis)
    for node in map_nodes(result):
        attributes = {k: v for k, v in node.items() if k != "sentence_id"}
        graph.add_node(node["sentence_id"], label=_short(node["text"]), **attributes)
    for row in edge_rows(result):
        graph.add_edge(row["source_id"], row["target_id"], key=row["relation"], relation=row["relation"],
                       score=row["score"], reason=row["reason"])
    return graph


def to_graphml(result: DocumentResult) -> str:
    """One document's map as GraphML (Gephi, yEd, Cytoscape): role, confidence and text as node attributes."""
    import networkx as nx

    return "\n".join(nx.generate_graphml(to_networkx(result), prettyprint=True)) + "\n"


def to_dot(result: DocumentResult) -> str:
    """One document's map as Graphviz DOT: argumentative sentences as boxes coloured by role, the thesis bold."""
    lines = [f"digraph {_dot_quote(result.doc_id)} {{",
             f"  graph [rankdir=BT, label={_dot_quote(result.doc_id)}, labelloc=t, fontname=Helvetica];",
             '  node [shape=box, style="rounded,filled", fontname=Helvetica, fontsize=10];',
             "  edge [fontname=Helvetica, fontsize=9];"]
    linked = _linked_ids(result)
    for s, p in zip(result.sentences, result.predictions, strict=True):
        if s.id not in linked and s.id != result.thesis:
            continue
        extra = ""
        if s.id == result.thesis:
            extra = ", penwidth=3"
        elif s.id in result.unattached:
            extra = ', style="rounded,filled,dashed"'
        label = f"{s.id} {p.role}{' (thesis)' if s.id == result.thesis else ''}\\n" + "\\n".join(
            _dot_escape(line) for line in textwrap.wrap(_short(s.text, 160), 40))
        lines.append(f'  s{s.id} [label="{label}", fillcolor="{ROLE_COLOURS[p.role]}"{extra}];')
    for e in result.edges:
        style = ", style=dashed" if e.relation == "contrasts" else ""
        alpha = f"{round(255 * _edge_opacity(e.score)):02x}"
        lines.append(f'  s{e.source_id} -> s{e.target_id} [label="{e.relation} {e.score:.2f}", '
                     f'color="{RELATION_COLOURS[e.relation]}{alpha}", tooltip={_dot_quote(e.reason)}{style}];')
    lines.append("}")
    return "\n".join(lines) + "\n"


def render_dot(dot_path: str | Path) -> Path | None:
    """Render a DOT file to SVG beside it with Graphviz; None (and a logged notice) when ``dot`` is not installed.

    Raises:
        ExportError: Graphviz is installed but fails on the file.
    """
    program = _graphviz()
    if program is None:
        return None
    dot_path = Path(dot_path)
    svg = dot_path.with_suffix(".svg")
    try:
        subprocess.run([program, "-Tsvg", str(dot_path), "-o", str(svg)], check=True, capture_output=True, timeout=120)
    except (OSError, subprocess.SubprocessError) as e:
        raise ExportError(f"{dot_path}: Graphviz could not render it: {e}") from e
    return svg


@lru_cache(maxsize=1)
def _graphviz() -> str | None:
    program = shutil.which("dot")
    if program is None:
        logger.warning("Graphviz 'dot' is not installed: DOT files are written but not rendered to SVG")
    return program


def to_argdown(result: DocumentResult) -> str:
    """One document's map as Argdown: the thesis with its supporters nested under it (``<+``), contrasts as attacks.

    Statements are titled ``s<id>`` and tagged with their role; ``explains`` and
    ``causes`` are written as support, the only positive relation Argdown has.
    Sentences that do not reach the thesis follow under ``# Unattached``.
    """
    roles = {s.id: p.role for s, p in zip(result.sentences, result.predictions, strict=True)}
    text = {s.id: s.text for s in result.sentences}
    children: dict[int, list[tuple[int, str]]] = {}
    for e in result.edges:
        if e.relation in _TREE:
            children.setdefault(e.target_id, []).append((e.source_id, e.relation))
    contrasts = [e for e in result.edges if e.relation == "contrasts"]
    lines = ["===", f"title: {_argdown_yaml(result.doc_id)}", f"model: {_argdown_yaml(result.model)}",
             f"linker: {_argdown_yaml(result.linker)}", "==="]
    written: set[int] = set()

    def statement(node: int, depth: int, relation: str | None) -> None:
        indent = "  " * depth
        prefix = "" if relation is None else "<+ "
        tags = f" #{roles[node]}" + (" #thesis" if node == result.thesis else "") + (
            f" #{relation}" if relation in ("explains", "causes") else "")
        if node in written:  # a node reached twice (should not happen in a forest) is referenced, not repeated
            lines.append(f"{indent}{prefix}[s{node}]")
            return
        written.add(node)
        lines.append(f"{indent}{prefix}[s{node}]: {_argdown_escape(text[node])}{tags}")
        for child, child_relation in sorted(children.get(node, [])):
            statement(child, depth + 1, child_relation)

    if result.thesis is not None:
        lines += ["", "# Thesis", ""]
        statement(result.thesis, 0, None)
    parents = {e.source_id for e in result.edges if e.relation in _TREE}
    roots = [n for n in result.unattached if n not in parents] + [
        n for n in result.unattached if n in parents and n not in written]
    if roots:
        lines += ["", "# Unattached"]
        for node in roots:
            if node not in written:
                lines.append("")
                statement(node, 0, None)
    if contrasts:
        lines += ["", "# Contrasts"]
        for e in contrasts:
            lines += ["", f"[s{e.source_id}]", f"  -> [s{e.target_id}]"]
    return "\n".join(lines) + "\n"


def to_html(result: DocumentResult) -> str:
    """A self-contained HTML report (inline CSS and SVG, no network): the essay by role, the map, the tables."""
    e = html.escape
    roles = {s.id: p.role for s, p in zip(result.sentences, result.predictions, strict=True)}
    essay, paragraph = [], None
    for s, p in zip(result.sentences, result.predictions, strict=True):
        if s.paragraph_id != paragraph:
            essay.append("</p><p>" if paragraph is not None else "<p>")
            paragraph = s.paragraph_id
        title = ", ".join(f"{role} {prob:.2f}" for role, prob in zip(ROLES, p.probabilities, strict=True))
        thesis = " thesis" if s.id == result.thesis else ""
        essay.append(f'<span class="s {p.role}{thesis}" id="s{s.id}" data-role="{p.role}" title="{e(title)}">'
                     f"<sup>{s.id}</sup>{_marked(result, s)}</span> ")
    essay.append("</p>")
    legend = "".join(f'<span class="{role}">{role}</span> ' for role in ROLES)
    legend += "".join(f'<span class="rel" style="color:{c}">&#8594; {r}</span> ' for r, c in RELATION_COLOURS.items())
    legend += '<span class="rel">fainter edges are less sure</span> '
    sentence_table = _html_table(
        ("id", "role", "confidence", "thesis", "unattached", "entities", "cues", "text"),
        [(n["sentence_id"], n["role"], f"{n['confidence']:.2f}", "yes" if n["is_thesis"] else "",
          "yes" if n["unattached"] else "", n["entities"], n["cues"], n["text"]) for n in map_nodes(result)])
    edge_table = _html_table(("source", "target", "relation", "score", "reason"),
                             [(x.source_id, x.target_id, x.relation, f"{x.score:.2f}", x.reason) for x in result.edges])
    thesis = "none found" if result.thesis is None else f"sentence {result.thesis} ({roles[result.thesis]})"
    return (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        f"<title>argmap: {e(result.doc_id)}</title><style>{_CSS}</style></head><body>\n"
        f"<h1>{e(result.doc_id)}</h1>\n<p class=\"meta\">{len(result.sentences)} sentences, {len(result.edges)} edges; "
        f"thesis: {e(thesis)}; unattached: {len(result.unattached)}; model {e(result.model)}, "
        f"linker {e(result.linker)}</p>\n"
        f"<p class=\"legend\">{legend}<mark>entity</mark> <u>cue</u></p>\n"
        f"<h2>Map</h2>\n{svg_map(result)}\n<h2>Essay</h2>\n<div class=\"essay\">{''.join(essay)}</div>\n"
        f"<h2>Sentences</h2>\n{sentence_table}\n<h2>Edges</h2>\n{edge_table}\n</body></html>\n"
    )


def write_formats(result: DocumentResult, out: str | Path, formats: Sequence[str]) -> list[Path]:
    """Write one document's map in each per-document format to ``out/<format>/<doc_id>.<suffix>``.

    ``csv`` is handled by the batch (the contract tables); DOT is also rendered
    to SVG where Graphviz is installed.

    Raises:
        ExportError: An unknown format, or a file that cannot be written.
    """
    writers = {"json": to_json, "graphml": to_graphml, "dot": to_dot, "argdown": to_argdown, "html": to_html}
    unknown = sorted(set(formats) - set(FORMATS))
    if unknown:
        raise ExportError(f"unknown format {', '.join(unknown)} (choose from {', '.join(FORMATS)})")
    written = []
    for name in (f for f in FORMATS if f in formats and f != "csv"):
        path = Path(out) / name / f"{result.doc_id}{SUFFIX[name]}"
        write_atomic(path, writers[name](result))
        written.append(path)
        if name == "dot":
            svg = render_dot(path)
            if svg is not None:
                written.append(svg)
    return written


def _linked_ids(result: DocumentResult) -> set[int]:
    return {e.source_id for e in result.edges} | {e.target_id for e in result.edges} | set(result.unattached)


def _short(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _dot_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')


def _dot_quote(text: str) -> str:
    return f'"{_dot_escape(text)}"'


def _argdown_escape(text: str) -> str:
    """Escape the characters Argdown gives a meaning (brackets, tags, mentions, emphasis) and join lines."""
    return re.sub(r"([\[\]<>#@*_\\{}])", r"\\\1", " ".join(text.split()))


def _argdown_yaml(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def _marked(result: DocumentResult, sentence: Any) -> str:
    """A sentence's text with entities in <mark> and cues in <u>, escaped; plain where offsets do not match."""
    text = result.clean.text[sentence.start:sentence.end]
    if text != sentence.text:
        return html.escape(sentence.text)
    spans = sorted([(x.start, x.end, f'<mark title="{html.escape(x.label)}">', "</mark>") for x in sentence.entities]
                   + [(c.start, c.end, f'<u class="cue-{c.kind}" title="{c.kind} cue">', "</u>")
                      for c in sentence.cues])
    out, pos = [], sentence.start
    for start, end, open_tag, close_tag in spans:
        if start < pos or end > sentence.end:
            continue  # overlapping or outside: the first span wins
        text_before, marked = result.clean.text[pos:start], result.clean.text[start:end]
        out += [html.escape(text_before), open_tag, html.escape(marked), close_tag]
        pos = end
    out.append(html.escape(result.clean.text[pos:sentence.end]))
    return "".join(out)


def _html_table(columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    head = "".join(f"<th>{html.escape(c)}</th>" for c in columns)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(str(v))}</td>" for v in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def svg_map(result: DocumentResult) -> str:
    """The map as inline SVG, drawn as a tree: the thesis (and each unattached root) on top, every sentence one row
    below the sentence it supports or explains, its supporters in essay order beneath it and the node centred over
    them, so that no two subtrees overlap."""
    parent = {e.source_id: e.target_id for e in result.edges if e.relation in _TREE}
    nodes = sorted(_linked_ids(result) | ({result.thesis} if result.thesis is not None else set()))
    if not nodes:
        return '<svg class="map" width="300" height="40" role="img">' \
               '<text x="10" y="25">no argumentative sentences</text></svg>'
    gap_x, gap_y, radius = 44, 90, 15
    slots = _tree_slots(nodes, parent, result.thesis)
    width = int(max(x for x, _ in slots.values()) + 2) * gap_x
    height = (max(d for _, d in slots.values()) + 1) * gap_y + 20
    position = {node: (gap_x * (x + 1), 30 + gap_y * d) for node, (x, d) in slots.items()}
    roles = {s.id: p.role for s, p in zip(result.sentences, result.predictions, strict=True)}
    text = {s.id: s.text for s in result.sentences}
    parts = [f'<svg class="map" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}" role="img" aria-label="argument map">',
             "<defs>" + "".join(
                 f'<marker id="arrow-{r}" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="6" markerHeight="6" '
                 f'orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="{c}"/></marker>'
                 for r, c in RELATION_COLOURS.items()) + "</defs>"]
    for x in result.edges:
        (x1, y1), (x2, y2) = position[x.source_id], position[x.target_id]
        length = math.hypot(x2 - x1, y2 - y1) or 1
        dx, dy = (x2 - x1) / length * radius, (y2 - y1) / length * radius
        dash = ' stroke-dasharray="4 3"' if x.relation == "contrasts" else ""
        parts.append(f'<line class="edge {x.relation}" x1="{x1 + dx:.1f}" y1="{y1 + dy:.1f}" x2="{x2 - dx:.1f}" '
                     f'y2="{y2 - dy:.1f}" stroke="{RELATION_COLOURS[x.relation]}" stroke-width="1.5"{dash} '
                     f'stroke-opacity="{_edge_opacity(x.score):.2f}" marker-end="url(#arrow-{x.relation})"><title>'
                     f'{html.escape(f"{x.source_id} {x.relation} {x.target_id} (score {x.score:.2f}): {x.reason}")}'
                     f'</title></line>')
    for node in nodes:
        cx, cy = position[node]
        stroke = ' stroke="#000" stroke-width="3"' if node == result.thesis else (
            ' stroke="#888" stroke-dasharray="3 2"' if node in result.unattached else ' stroke="#555"')
        parts.append(f'<g class="node {roles[node]}" data-id="{node}"><circle cx="{cx:g}" cy="{cy:g}" r="{radius}" '
                     f'fill="{ROLE_COLOURS[roles[node]]}"{stroke}>'
                     f'<title>{html.escape(f"{node} {roles[node]}: {text[node]}")}</title>'
                     f'</circle><text x="{cx:g}" y="{cy + 4:g}" text-anchor="middle" font-size="11">{node}</text></g>')
    parts.append("</svg>")
    return "".join(parts)


def _edge_opacity(score: float) -> float:
    """How solid an edge is drawn: the pair linker's score is the chance the edge is right, so unsure edges fade."""
    return 0.25 + 0.75 * min(max(score, 0.0), 1.0)


def _tree_slots(nodes: Sequence[int], parent: Mapping[int, int], thesis: int | None) -> dict[int, tuple[float, int]]:
    """(column, row) of each node in a tidy tree: leaves take the next free column, a parent sits over its children.

    Roots are the thesis first, then the other nodes without a parent in essay order; a node whose chain of
    parents loops (which the linker does not produce) is placed as a root.
    """
    children: dict[int, list[int]] = {}
    for node in nodes:
        if node in parent and parent[node] in nodes:
            children.setdefault(parent[node], []).append(node)
    roots = [n for n in nodes if n not in parent or parent[n] not in nodes]
    roots.sort(key=lambda n: (n != thesis, n))
    slots: dict[int, tuple[float, int]] = {}
    next_column = 0.0

    def place(node: int, row: int) -> float:
        nonlocal next_column
        slots[node] = (next_column, row)  # claimed before the children, so a loop ends here
        kids = [k for k in sorted(children.get(node, [])) if k not in slots]
        if not kids:
            next_column += 1
            return slots[node][0]
        columns = [place(k, row + 1) for k in kids]
        slots[node] = ((columns[0] + columns[-1]) / 2, row)
        return slots[node][0]

    for root in roots + [n for n in nodes if n not in roots]:
        if root not in slots:
            place(root, 0)
    return slots


_CSS = (
    "body{font-family:Georgia,serif;max-width:60em;margin:1em auto;padding:0 1em;color:#222}"
    "h1,h2,.meta,.legend,table{font-family:Helvetica,Arial,sans-serif}.meta{color:#555}"
    ".essay{line-height:1.7}.s sup{font-size:.6em;color:#666;margin-right:1px}"
    + "".join(f".{role}{{background:{c}}}" for role, c in ROLE_COLOURS.items())
    + ".legend span{padding:0 4px;border-radius:3px}.thesis{outline:2px solid #000}"
    "mark{background:rgba(255,235,59,.7)}u{text-decoration-thickness:2px}"
    ".map{border:1px solid #ddd;max-width:100%;height:auto;background:#fff}"
    "table{border-collapse:collapse;font-size:.85em;margin-bottom:2em}td,th{border:1px solid #ddd;padding:2px 6px;"
    "vertical-align:top;text-align:left}"
)
