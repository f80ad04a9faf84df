"""Pictures of a batch: role profile bars, an entity-by-role heat map, one document's argument map as a graph.

Each function returns a matplotlib ``Figure`` (made without pyplot, so nothing
piles up in a loop; Jupyter shows it inline). matplotlib is the optional extra
``argmap[plot]``; it is imported only when a figure is drawn.
"""

from __future__ import annotations

import html
import textwrap
from pathlib import Path
from types import SimpleNamespace
from typing import TYPE_CHECKING, Literal

from . import analysis
from .api import ROLE_COLOURS
from .errors import ArgmapError, InputError
from .types import ROLES

if TYPE_CHECKING:
    from collections.abc import Iterable

    from matplotlib.figure import Figure

    from .analysis import Batch, Tables

RELATION_STYLES = {
    "supports": {"edge_color": "#555555", "style": "solid"},
    "explains": {"edge_color": "#d1495b", "style": "solid"},
    "causes": {"edge_color": "#d1495b", "style": "dashed"},
    "contrasts": {"edge_color": "#6a4c93", "style": "dotted"},
}
# Bottom to top: what supports sits below what it supports.
LAYERS = ("other", "evidence", "cause", "conclusion", "thesis")
_EDGE = "#444444"


def role_profile_figure(tables: Tables, *, shares: bool = True) -> Figure:
    """Stacked horizontal bars, one per document, split by role (shares of its sentences, or counts)."""
    Figure = _figure_class()
    profile = analysis.role_profile(tables)
    docs = list(profile.index)[::-1]  # first document on top
    fig = Figure(figsize=(8, 1.2 + 0.35 * max(len(docs), 1)), layout="constrained")
    ax = fig.add_subplot()
    left = [0.0] * len(docs)
    for role in ROLES:
        values = [float(profile.loc[d, f"share_{role}" if shares else role]) for d in docs]
        ax.barh(docs, values, left=left, color=ROLE_COLOURS[role], edgecolor=_EDGE, linewidth=0.5, label=role)
        left = [a + b for a, b in zip(left, values, strict=True)]
    ax.set_xlabel("share of sentences" if shares else "sentences")
    ax.set_ylabel("document")
    if shares:
        ax.set_xlim(0, 1)
    ax.legend(ncols=len(ROLES), loc="lower center", bbox_to_anchor=(0.5, 1.06), frameon=False)
    ax.set_title("Sentence roles per document", pad=28)
    return fig


def entity_role_heatmap(
    tables: Tables, *, top: int = 20, labels: Iterable[str] | None = analysis.NAME_LABELS
) -> Figure:
    """A heat map of entity mentions (rows, the ``top`` most mentioned) by the role of their sentence (columns)."""
    Figure = _figure_class()
    import numpy as np

    counts = analysis.entities_by_role(tables, labels=labels, top=top)[list(ROLES)]
    fig = Figure(figsize=(7.5, 1.5 + 0.3 * max(len(counts), 1)), layout="constrained")
    ax = fig.add_subplot()
    values = counts.to_numpy(dtype=float)
    if len(counts):
        image = ax.imshow(values, cmap="Blues", aspect="auto", vmin=0)
        fig.colorbar(image, ax=ax, label="mentions")
        peak = values.max()
        for (row, col), n in np.ndenumerate(values):
            ax.text(col, row, f"{n:.0f}", ha="center", va="center", fontsize=8,
                    color="white" if peak and n > peak * 0.6 else "black")
    else:
        ax.text(0.5, 0.5, "no entities", ha="center", va="center", transform=ax.transAxes)
    ax.set_xticks(range(len(ROLES)), list(ROLES))
    ax.set_yticks(range(len(counts)), [textwrap.shorten(str(e), 30, placeholder="…") for e in counts.index])
    ax.set_xlabel("role of the sentence")
    ax.set_ylabel("entity")
    ax.set_title("Which entities each role talks about")
    return fig


def argument_map_figure(tables: Tables, doc_id: str | None = None, *, include_other: bool = False) -> Figure:
    """One document's argument map as a layered graph: sentences as nodes coloured by role, links as arrows.

    Nodes are the cause, evidence and conclusion sentences (and any other
    sentence that has a link, or every sentence with ``include_other``),
    labelled with their sentence id; the thesis (see
    :func:`pipeline.analysis.document_summary`) sits alone on the top layer.

    Raises:
        InputError: ``doc_id`` is not in the tables.
    """
    Figure = _figure_class()
    import networkx as nx
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    doc_id = doc_id if doc_id is not None else _first_doc(tables)
    one = _one_document(tables, doc_id)
    thesis = analysis.document_summary(one)["thesis_id"].iloc[0]
    sentences = one.sentences
    linked = set(one.edges["source_id"].astype(int)) | set(one.edges["target_id"].astype(int))
    graph = nx.DiGraph()
    for sid, role in zip(sentences["sentence_id"].astype(int), sentences["role"].astype(str), strict=True):
        if role != "other" or include_other or sid in linked:
            layer = "thesis" if sid == thesis else role
            graph.add_node(sid, role=role, layer=LAYERS.index(layer))
    for source, target, relation in one.edges[["source_id", "target_id", "relation"]].itertuples(index=False):
        if int(source) in graph and int(target) in graph:
            graph.add_edge(int(source), int(target), relation=str(relation))
    pos = _layered_positions(graph)
    widest = max((sum(1 for _, d in graph.nodes(data=True) if d["layer"] == i) for i in range(len(LAYERS))), default=1)
    fig = Figure(figsize=(min(max(8.0, 0.45 * widest), 30.0), 6.5), layout="constrained")
    ax = fig.add_subplot()
    nodes = list(graph)
    drawn = nx.draw_networkx_nodes(
        graph, pos, ax=ax, nodelist=nodes, node_color=[ROLE_COLOURS[graph.nodes[n]["role"]] for n in nodes],
        node_size=[520 if n == thesis else 300 for n in nodes], edgecolors=_EDGE,
        linewidths=[2.5 if n == thesis else 0.8 for n in nodes])
    if drawn is not None:
        drawn.set_gid("argmap-nodes")
    nx.draw_networkx_labels(graph, pos, ax=ax, font_size=7)
    for relation, style in RELATION_STYLES.items():
        edges = [(u, v) for u, v, r in graph.edges(data="relation") if r == relation]
        if edges:
            nx.draw_networkx_edges(graph, pos, ax=ax, edgelist=edges, arrows=True, arrowsize=9, width=0.9,
                                   connectionstyle="arc3,rad=0.08", node_size=300, **style)
    layers = sorted({d["layer"] for _, d in graph.nodes(data=True)})
    ax.set_yticks(layers, [LAYERS[i] for i in layers])
    ax.set_xticks([])
    ax.tick_params(left=False, labelleft=True)  # networkx switches the tick labels off
    for side in ("top", "right", "bottom", "left"):
        ax.spines[side].set_visible(False)
    ax.set_ylabel("role (the thesis on top)")
    ax.set_xlabel(f"sentences by id, {graph.number_of_nodes()} nodes, {graph.number_of_edges()} links")
    title = f"Argument map of {doc_id}"
    if thesis is not None and thesis in graph:
        text = sentences.loc[sentences["sentence_id"] == thesis, "text"].iloc[0]
        title += "\n" + textwrap.fill(textwrap.shorten(f"thesis ({thesis}): {text}", 220), 110)
    ax.set_title(title, fontsize=10)
    handles = [Patch(facecolor=ROLE_COLOURS[r], edgecolor=_EDGE, label=r) for r in ROLES]
    handles += [Line2D([], [], color=s["edge_color"], linestyle=s["style"], label=relation)
                for relation, s in RELATION_STYLES.items()]
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8, frameon=False)
    return fig


def _layered_positions(graph: object) -> dict[int, tuple[float, float]]:
    """Each layer on its own row (y = layer index), its sentences left to right in essay order, centred."""
    rows: dict[int, list[int]] = {}
    for node, layer in graph.nodes(data="layer"):  # type: ignore[attr-defined]
        rows.setdefault(layer, []).append(node)
    pos = {}
    for layer, nodes in rows.items():
        for i, node in enumerate(sorted(nodes)):
            pos[node] = (i - (len(nodes) - 1) / 2, float(layer))
    return pos


def write_report(batch: Batch, folder: str | Path, *, fmt: Literal["png", "svg"] = "png",
                 doc_ids: Iterable[str] | None = None) -> Path:
    """Write the figures and an ``index.html`` that shows them with the analysis tables; returns the index path.

    Args:
        batch: A batch from :func:`pipeline.load_batch`.
        folder: Where to write (created if needed).
        fmt: Image format of the figures.
        doc_ids: Documents to draw argument maps of (default: every document with sentences).

    Raises:
        InputError: A requested document is not in the batch.
        ExportError: A file cannot be written.
    """
    from .export import write_atomic

    folder = Path(folder)
    maps = list(doc_ids) if doc_ids is not None else list(dict.fromkeys(batch.sentences["doc_id"]))
    figures = {"role-profile": role_profile_figure(batch), "entities-by-role": entity_role_heatmap(batch)}
    figures.update({f"map-{doc}": argument_map_figure(batch, doc) for doc in maps})
    _save_all(figures, folder, fmt)
    tables = {
        "Per-document summary": analysis.document_summary(batch),
        "Role profile": analysis.role_profile(batch).round(3),
        "Evidence per conclusion": analysis.evidence_per_conclusion(batch),
        "Recurring causes": analysis.recurring_causes(batch),
        "Entities by role": analysis.entities_by_role(batch, top=50),
    }
    index = folder / "index.html"
    write_atomic(index, _report_html(batch, {name: f"{name}.{fmt}" for name in figures}, tables))
    return index


def _save_all(figures: dict[str, Figure], folder: Path, fmt: str) -> None:
    from .errors import ExportError

    try:
        folder.mkdir(parents=True, exist_ok=True)
        for name, fig in figures.items():
            # No creation date in the file, so the same batch gives the same report.
            fig.savefig(folder / f"{name}.{fmt}", format=fmt, dpi=120,
                        metadata={"Date": None} if fmt == "svg" else {"Software": "argmap"})
    except OSError as e:
        raise ExportError(f"{folder}: cannot write figures: {e.strerror or e}") from e


def _report_html(batch: Batch, images: dict[str, str], tables: dict[str, object]) -> str:
    import pandas as pd

    def image(name: str) -> str:
        source, alt = html.escape(images[name]), html.escape(name)
        return f'<figure><img src="{source}" alt="{alt}" style="max-width:100%"></figure>'

    def table(frame: pd.DataFrame) -> str:
        return frame.to_html(border=0, classes="argmap-table", na_rep="") if len(frame) else "<p><em>none</em></p>"

    parts = [
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">",
        f"<title>argmap report: {html.escape(str(batch.out_dir))}</title>",
        "<style>body{font-family:sans-serif;max-width:70em;margin:2em auto;padding:0 1em}"
        "table{border-collapse:collapse;font-size:.85em}td,th{padding:2px 8px;border-bottom:1px solid #ddd;"
        "text-align:left;vertical-align:top}</style></head><body>",
        f"<h1>argmap report</h1><p>{html.escape(repr(batch))}</p>",
        "<h2>Sentence roles per document</h2>", image("role-profile"), table(tables["Role profile"]),
        "<h2>Per-document summary</h2>", table(tables["Per-document summary"]),
        "<h2>Entities by role</h2>", image("entities-by-role"), table(tables["Entities by role"]),
        "<h2>Recurring causes</h2>", table(tables["Recurring causes"]),
        "<h2>Evidence per conclusion</h2>", table(tables["Evidence per conclusion"]),
        "<h2>Argument maps</h2>",
        *(image(name) for name in images if name.startswith("map-")),
        "</body></html>\n",
    ]
    return "\n".join(parts)


def _figure_class() -> type[Figure]:
    try:
        from matplotlib.figure import Figure
    except ImportError as e:
        raise ArgmapError("figures need matplotlib: pip install 'argmap[plot]'") from e
    return Figure


def _first_doc(tables: Tables) -> str:
    docs = list(dict.fromkeys(tables.sentences["doc_id"]))
    if not docs:
        raise InputError("sentences", "no documents to draw")
    return docs[0]


def _one_document(tables: Tables, doc_id: str) -> SimpleNamespace:
    """The tables of one document only."""
    sentences = tables.sentences[tables.sentences["doc_id"] == doc_id]
    if not len(sentences):
        raise InputError(doc_id, "no such document in the batch (or it has no sentences)")
    return SimpleNamespace(sentences=sentences, edges=tables.edges[tables.edges["doc_id"] == doc_id],
                           entities=tables.entities[tables.entities["doc_id"] == doc_id])
