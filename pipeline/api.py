"""The notebook API: ``analyze`` one essay or ``analyze_many``, and get tables back as DataFrames."""

from __future__ import annotations

import html
from collections.abc import Iterable, Iterator, Sequence
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import InputError
from .export import ROLE_COLOURS, ROWS, TABLES, format_csv, write_atomic
from .extract import SUFFIXES
from .process import Processor, Settings
from .types import ROLES, DocumentResult, Sentence

if TYPE_CHECKING:
    import networkx as nx
    import pandas as pd

_ENTITY_STYLE = "text-decoration:underline 2px #355070;text-underline-offset:3px"
_LABEL_STYLE = "font-family:sans-serif;font-size:.6em;color:#355070;margin-left:1px"
_CUE_STYLE = "font-weight:bold;text-decoration:underline dotted"


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

    def to_networkx(self) -> nx.MultiDiGraph:
        """The map as a networkx MultiDiGraph; with several documents, nodes are ``"<doc_id>:<sentence_id>"``."""
        import networkx as nx

        from .export import to_networkx

        graphs = [to_networkx(result) for result in self.results]
        if len(graphs) == 1:
            return graphs[0]
        return nx.union_all(
            [nx.relabel_nodes(g, {n: f"{r.doc_id}:{n}" for n in g}) for g, r in zip(graphs, self.results, strict=True)]
        ) if graphs else nx.MultiDiGraph()

    def to_graphml(self, path: str | Path | None = None) -> str:
        """The map as GraphML text (Gephi, yEd, Cytoscape), also written to ``path`` if given."""
        import networkx as nx

        text = "\n".join(nx.generate_graphml(self.to_networkx(), prettyprint=True)) + "\n"
        if path is not None:
            write_atomic(path, text)
        return text

    def to_argdown(self, path: str | Path | None = None) -> str:
        """The map as Argdown text (one block per document), also written to ``path`` if given."""
        from .export import to_argdown

        text = "\n".join(to_argdown(result) for result in self.results)
        if path is not None:
            write_atomic(path, text)
        return text

    def map_view(self) -> MapView:
        """The map drawn as SVG (thesis on top, supporters below); shows itself in Jupyter."""
        from .export import svg_map

        return MapView("".join(svg_map(result) for result in self.results))

    def __repr__(self) -> str:
        counts = {role: 0 for role in ROLES}
        for result in self.results:
            for p in result.predictions:
                counts[p.role] += 1
        shown = ", ".join(f"{n} {role}" for role, n in counts.items())
        edges = sum(len(r.edges) for r in self.results)
        return f"<ArgumentMap {len(self.results)} document(s): {shown}; {edges} edges>"

    def _repr_html_(self) -> str:
        chip = "padding:0 4px;border-radius:3px"
        legend = " ".join(
            f'<span style="background:{c};{chip}">{role}</span>' for role, c in ROLE_COLOURS.items()
        ) + (f' &nbsp; <u style="{_ENTITY_STYLE}">entity<sub style="{_LABEL_STYLE}">LABEL</sub></u>'
             f' &nbsp; <b style="{_CUE_STYLE}">cue phrase</b>'
             " &nbsp; <small>(hover a sentence for its role probabilities, a cue for its kind)</small>")
        parts = [f'<div class="argmap" style="font-family:Georgia,serif;line-height:1.7;max-width:48em">'
                 f"<div style='margin-bottom:.5em;font-family:sans-serif;font-size:.85em'>{legend}</div>"]
        for result in self.results:
            parts.append(f"<h4>{html.escape(result.doc_id)}</h4><p>")
            paragraph = None
            for s, p in zip(result.sentences, result.predictions, strict=True):
                if paragraph is not None and s.paragraph_id != paragraph:
                    parts.append("</p><p>")
                paragraph = s.paragraph_id
                title = ", ".join(f"{role} {prob:.2f}" for role, prob in zip(ROLES, p.probabilities, strict=True))
                parts.append(
                    f'<span class="argmap-{p.role}" title="{html.escape(title)}" '
                    f'style="background:{ROLE_COLOURS[p.role]}">{self._marked_html(s)}</span> '
                )
            parts.append("</p>")
        parts.append("</div>")
        return "".join(parts)

    @staticmethod
    def _marked_html(sentence: Sentence) -> str:
        """The sentence as escaped HTML with its cue phrases in bold and its entities underlined and labelled.

        Where a cue and an entity overlap, the cue is shown (it says more about the role).
        """
        spans = [(c.start, c.end, "cue", c.kind) for c in sentence.cues]
        spans += [(e.start, e.end, "entity", e.label) for e in sentence.entities]
        out, pos = [], sentence.start
        for start, end, kind, tag in sorted(spans, key=lambda x: (x[0], x[2] != "cue", -x[1])):
            if start < pos or end > sentence.end:
                continue  # overlaps a span already marked
            inner = html.escape(sentence.text[start - sentence.start:end - sentence.start])
            out.append(html.escape(sentence.text[pos - sentence.start:start - sentence.start]))
            if kind == "cue":
                out.append(f'<b class="argmap-cue" title="cue: {html.escape(tag)}" style="{_CUE_STYLE}">{inner}</b>')
            else:
                out.append(f'<u class="argmap-entity" style="{_ENTITY_STYLE}">{inner}'
                           f'<sub style="{_LABEL_STYLE}">{html.escape(tag)}</sub></u>')
            pos = end
        out.append(html.escape(sentence.text[pos - sentence.start:]))
        return "".join(out)


class MapView:
    """An argument map drawn as inline SVG, rendered by Jupyter."""

    def __init__(self, svg: str) -> None:
        self.svg = svg

    def _repr_html_(self) -> str:
        return f'<div class="argmap-map">{self.svg}</div>'


@lru_cache(maxsize=2)
def _processor(settings: Settings) -> Processor:
    return Processor(settings)


def analyze(source: str | Path, *, model: str | None = None, links: str | None = None,
            spacy_model: str | None = None) -> ArgumentMap:
    """Analyse one essay: a path to a PDF/text file, or the text itself.

    Args:
        source: A file path, or a string of essay text.
        model: The role model name (see :func:`pipeline.classify.load_model`).
        links: The linker: ``rules`` or a link model folder (see :func:`pipeline.link.load_links`).
        spacy_model: An installed spaCy pipeline to use instead of the default.

    Returns:
        The essay's argument map.

    Raises:
        ArgmapError: The file cannot be read or processed.
    """
    processor = _processor(Settings(model=model, links=links, spacy_model=spacy_model))
    if isinstance(source, Path) or _looks_like_path(source):
        path = Path(source)
        if not path.exists():
            raise InputError(path, "no such file")
        return ArgumentMap([processor.process_file(path)])
    return ArgumentMap([processor.process_text(source)])


def analyze_many(
    sources: Iterable[str | Path], *, model: str | None = None, links: str | None = None,
    spacy_model: str | None = None,
) -> Iterator[ArgumentMap]:
    """Analyse essays one by one, yielding each map as soon as it is done (the pipeline loads once)."""
    for source in sources:
        yield analyze(source, model=model, links=links, spacy_model=spacy_model)


def _looks_like_path(source: str) -> bool:
    return "\n" not in source and len(source) < 4096 and (Path(source).suffix.lower() in SUFFIXES
                                                          or Path(source).exists())
