"""Notebook analysis: read a batch folder back as typed DataFrames and ask questions across documents.

Every function takes a :class:`Batch` (from :func:`load_batch`) or anything
else with ``sentences``, ``edges`` and ``entities`` DataFrames in the columns
of ``argmap run`` (an :class:`~pipeline.api.ArgumentMap` works too), and
returns a DataFrame with a stable row order.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from .errors import InputError
from .export import DOCUMENT_COLUMNS, TABLES
from .types import RELATIONS, ROLES

if TYPE_CHECKING:
    from collections.abc import Iterable

    import pandas as pd

#: Relations along which support flows towards a conclusion.
SUPPORT_RELATIONS = ("supports", "explains")
#: Entity labels that name something: spaCy's, and argmap's MISC for names the NER missed
#: (dates, numbers, ordinals left out).
NAME_LABELS = ("PERSON", "NORP", "FAC", "ORG", "GPE", "LOC", "PRODUCT", "EVENT", "WORK_OF_ART", "LAW", "LANGUAGE",
               "MISC")

# Fixed dtypes of the contract columns; columns appended later are inferred (see _infer).
_INTEGERS = {
    "sentence_id", "paragraph_id", "page", "start_char", "end_char", "raw_start", "raw_end", "source_id",
    "target_id", "pages", "sentences", "cause_start", "cause_end", "effect_start", "effect_end",
}
_FLOATS = {"confidence", "p_cause", "p_evidence", "p_conclusion", "p_other", "score", "seconds",
           "x0", "top", "x1", "bottom"}
_BOOLEANS = {"is_claim", "is_thesis"}
_CATEGORIES: dict[str, tuple[str, ...] | None] = {
    "role": ROLES, "relation": RELATIONS, "status": ("ok", "failed"), "label": None, "rule": None,
}
# Text whatever it looks like: a footnote number "1" or an entity id "1998" stays a string.
_TEXT = ({c for columns in (*TABLES.values(), DOCUMENT_COLUMNS) for c in columns}
         | {"cause", "effect", "cue", "number"}) - _INTEGERS - _FLOATS - _BOOLEANS - set(_CATEGORIES)
_CORE = ("sentences", "edges", "entities", "edits")
_INTEGER = re.compile(r"-?\d+")
_NON_WORD = re.compile(r"\W+")
_FLOAT = re.compile(r"-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?|nan|inf|-inf")
_FORMULA_ESCAPED = ("'=", "'+", "'-", "'@", "'\t", "'\r")


class Tables(Protocol):
    """Anything with the argument-map tables as DataFrames: a :class:`Batch` or an ``ArgumentMap``."""

    @property
    def sentences(self) -> pd.DataFrame: ...

    @property
    def edges(self) -> pd.DataFrame: ...

    @property
    def entities(self) -> pd.DataFrame: ...


@dataclass(frozen=True)
class Batch:
    """The tables of one ``argmap run`` output folder, typed and ready to join on ``doc_id`` and ``sentence_id``.

    ``extra`` holds any other table found in the folder (for example
    ``causal_links`` or ``footnotes``), keyed by file name without ``.csv``.
    """

    out_dir: Path
    documents: pd.DataFrame
    sentences: pd.DataFrame
    edges: pd.DataFrame
    entities: pd.DataFrame
    edits: pd.DataFrame
    extra: dict[str, pd.DataFrame] = field(default_factory=dict)

    def text(self, doc_id: str) -> str:
        """The cleaned text of one document, which the ``start_char``/``end_char`` offsets point into."""
        path = self.out_dir / "clean" / f"{doc_id}.txt"
        if not path.exists():
            raise InputError(path, "no such file")
        return path.read_text(encoding="utf-8").removesuffix("\n")

    def __repr__(self) -> str:
        ok = int((self.documents["status"] == "ok").sum()) if len(self.documents) else 0
        return (f"<Batch {self.out_dir}: {len(self.documents)} documents ({ok} ok), {len(self.sentences)} sentences, "
                f"{len(self.edges)} edges, {len(self.entities)} entity mentions>")


def load_batch(out_dir: str | Path) -> Batch:
    """Read the tables of an ``argmap run`` output folder as DataFrames with proper dtypes.

    Roles, relations, entity labels, edit rules and statuses are categoricals
    (roles always with the four categories of ``ROLES``), ids and offsets
    nullable integers (``Int64``), ``is_*`` flags booleans, and text columns
    strings with empty cells as ``""``. Columns appended to the tables later
    are read too, with an inferred dtype.

    Args:
        out_dir: The ``--out`` folder of ``argmap run``.

    Returns:
        The batch's tables.

    Raises:
        InputError: The folder is not an argmap batch folder (no ``documents.csv``/``sentences.csv``).
    """
    out = Path(out_dir)
    if not out.is_dir():
        raise InputError(out, "no such folder")
    missing = [name for name in ("documents", *_CORE) if not (out / f"{name}.csv").is_file()]
    if "documents" in missing or "sentences" in missing:
        raise InputError(out, "not an argmap batch folder (no documents.csv or sentences.csv): run `argmap run` first")
    tables = {name: read_table(out / f"{name}.csv") if name not in missing else _empty(name)
              for name in ("documents", *_CORE)}
    extra = {p.stem: read_table(p) for p in sorted(out.glob("*.csv")) if p.stem not in tables}
    return Batch(out, extra=extra, **tables)


def read_table(path: str | Path) -> pd.DataFrame:
    """Read one argmap CSV table with the dtypes described in :func:`load_batch`."""
    import pandas as pd

    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    except (OSError, UnicodeDecodeError, pd.errors.ParserError) as e:
        raise InputError(path, f"cannot read table: {e}") from e
    except pd.errors.EmptyDataError:
        return pd.DataFrame()
    return frame.apply(_typed)


def _empty(name: str) -> pd.DataFrame:
    import pandas as pd

    return pd.DataFrame({c: pd.Series([], dtype=str) for c in TABLES[name]}).apply(_typed)


def _typed(column: pd.Series) -> pd.Series:
    import pandas as pd

    name = str(column.name)
    if name in _INTEGERS:
        return pd.to_numeric(column.replace("", None), errors="raise").astype("Int64")
    if name in _FLOATS:
        return pd.to_numeric(column.replace("", None), errors="raise").astype("float64")
    if name in _BOOLEANS:
        return column.map({"true": True, "false": False, "": None}).astype("boolean")
    if name in _CATEGORIES:
        fixed = _CATEGORIES[name]
        return column.astype(pd.CategoricalDtype(fixed if fixed is not None else sorted(set(column) - {""})))
    if name in _TEXT:
        return column.map(_unescape)
    return _infer(column)


def _infer(column: pd.Series) -> pd.Series:
    """A dtype for a column this version does not know: boolean, integer, float, else text."""
    import pandas as pd

    values = set(column) - {""}
    if values and values <= {"true", "false"}:
        return column.map({"true": True, "false": False, "": None}).astype("boolean")
    if values and all(_INTEGER.fullmatch(v) for v in values):
        return pd.to_numeric(column.replace("", None)).astype("Int64")
    if values and all(_FLOAT.fullmatch(v) for v in values):
        return pd.to_numeric(column.replace("", None)).astype("float64")
    return column.map(_unescape)


def _unescape(value: str) -> str:
    """Undo the apostrophe that export put before a cell a spreadsheet would run as a formula."""
    return value[1:] if value.startswith(_FORMULA_ESCAPED) else value


def role_profile(tables: Tables) -> pd.DataFrame:
    """Sentences per role in each document: counts, total, and shares (``share_cause`` …), one row per document."""
    import pandas as pd

    sentences = _sentences(tables)
    counts = pd.crosstab(sentences["doc_id"], sentences["role"], dropna=False).reindex(
        index=_doc_order(tables, sentences), columns=list(ROLES), fill_value=0)
    counts.columns = list(ROLES)
    counts["sentences"] = counts[list(ROLES)].sum(axis=1)
    for role in ROLES:
        counts[f"share_{role}"] = (counts[role] / counts["sentences"].where(counts["sentences"] > 0)).fillna(0.0)
    counts.index.name = "doc_id"
    return counts


def evidence_per_conclusion(tables: Tables) -> pd.DataFrame:
    """How much support reaches each conclusion through ``supports``/``explains`` edges, directly and transitively.

    One row per conclusion sentence, in document order: ``direct`` (edges into
    it), ``supporting`` (distinct sentences with a path to it), how many of
    those are ``evidence`` and ``causes``, and ``unsupported`` (nothing reaches it).
    """
    import pandas as pd

    sentences = _sentences(tables)
    conclusions = sentences[sentences["role"] == "conclusion"]
    reach = _supporters(tables.edges)
    role_of = {(r.doc_id, r.sentence_id): r.role for r in sentences[["doc_id", "sentence_id", "role"]].itertuples()}
    rows = []
    for doc_id, sid, text in conclusions[["doc_id", "sentence_id", "text"]].itertuples(index=False):
        direct, everyone = reach.get((doc_id, int(sid)), (set(), set()))
        roles = [role_of.get((doc_id, s)) for s in everyone]
        rows.append({"doc_id": doc_id, "sentence_id": int(sid), "text": text, "direct": len(direct),
                     "supporting": len(everyone), "evidence": roles.count("evidence"),
                     "causes": roles.count("cause"), "unsupported": not everyone})
    columns = ["doc_id", "sentence_id", "text", "direct", "supporting", "evidence", "causes", "unsupported"]
    return pd.DataFrame(rows, columns=columns).astype({"sentence_id": "Int64", "unsupported": "boolean"})


def entities_by_role(
    tables: Tables, *, labels: Iterable[str] | None = NAME_LABELS, top: int | None = None
) -> pd.DataFrame:
    """Entity mentions counted by the role of the sentence they are in: ``entity_id`` × role, plus totals.

    Args:
        tables: A batch or argument map.
        labels: Entity labels to keep (default: names, no dates or numbers); None keeps all.
        top: Keep only the most mentioned entities.

    Returns:
        One row per entity (index ``entity_id``), most mentioned first (ties by id), with a
        column per role, ``total`` and ``documents`` (how many documents mention it).
    """
    import pandas as pd

    entities = tables.entities
    if labels is not None:
        entities = entities[entities["label"].astype(str).isin(set(labels))]
    roles = _sentences(tables)[["doc_id", "sentence_id", "role"]]
    keys = entities[["doc_id", "sentence_id"]].astype({"sentence_id": "Int64"})
    ids = entities["entity_id"].astype(str).where(entities["entity_id"].astype(str) != "",
                                                  entities["text"].astype(str).str.lower())
    mentions = keys.assign(entity_id=ids.to_numpy()).merge(roles, on=["doc_id", "sentence_id"], how="inner")
    table = pd.crosstab(mentions["entity_id"], mentions["role"], dropna=False)
    table = table.reindex(columns=list(ROLES), fill_value=0)
    table.columns = list(ROLES)
    table["total"] = table[list(ROLES)].sum(axis=1)
    table["documents"] = mentions.groupby("entity_id")["doc_id"].nunique().reindex(table.index).fillna(0).astype(int)
    table = table.reset_index().sort_values(["total", "entity_id"], ascending=[False, True], kind="stable")
    table = table.set_index("entity_id")
    table.columns.name = None
    return table.head(top) if top is not None else table


def recurring_causes(tables: Tables, *, threshold: float = 0.35, min_documents: int = 2) -> pd.DataFrame:
    """Cause sentences that recur across documents, clustered by their words and entities.

    Each cause sentence becomes a TF-IDF vector of its words (English stop words
    removed) and its entity ids; clusters are built by average-linkage
    agglomerative clustering on cosine distance, cut where similarity falls
    below ``threshold``. Deterministic: no random state is involved.

    Args:
        tables: A batch or argument map.
        threshold: Minimum average cosine similarity within a cluster (0–1).
        min_documents: Keep clusters whose sentences come from at least this many documents.

    Returns:
        One row per clustered sentence: ``cluster`` (0 = the cluster spanning most documents),
        ``terms`` (its three heaviest terms), ``documents``, ``size``, ``doc_id``, ``sentence_id``,
        ``text``, ``confidence``.
    """
    import numpy as np
    import pandas as pd
    from sklearn.cluster import AgglomerativeClustering
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.metrics.pairwise import cosine_similarity

    columns = ["cluster", "terms", "documents", "size", "doc_id", "sentence_id", "text", "confidence"]
    causes = _sentences(tables)
    causes = causes[causes["role"] == "cause"].reset_index(drop=True)
    if len(causes) < 2:
        return pd.DataFrame(columns=columns)
    mentions = defaultdict(list)
    for doc_id, sid, eid in tables.entities[["doc_id", "sentence_id", "entity_id"]].itertuples(index=False):
        if str(eid):
            mentions[(doc_id, int(sid))].append("ent_" + _NON_WORD.sub("_", str(eid)))
    texts = [f"{text} {' '.join(mentions[(doc_id, int(sid))])}"
             for doc_id, sid, text in causes[["doc_id", "sentence_id", "text"]].itertuples(index=False)]
    vectorizer = TfidfVectorizer(stop_words="english", sublinear_tf=True)
    try:
        vectors = vectorizer.fit_transform(texts)
    except ValueError:  # only stop words: nothing to compare
        return pd.DataFrame(columns=columns)
    distance = np.clip(1.0 - cosine_similarity(vectors), 0.0, None)
    labels = AgglomerativeClustering(n_clusters=None, metric="precomputed", linkage="average",
                                     distance_threshold=1.0 - threshold).fit_predict(distance)
    causes["raw"] = labels
    spread = causes.groupby("raw")["doc_id"].agg(["nunique", "size"])
    keep = spread[spread["nunique"] >= min_documents]
    first = causes.reset_index().groupby("raw")["index"].min()
    order = sorted(keep.index, key=lambda c: (-keep.loc[c, "nunique"], -keep.loc[c, "size"], first[c]))
    vocabulary = np.array(vectorizer.get_feature_names_out())
    rows = []
    for number, raw in enumerate(order):
        members = causes.index[causes["raw"] == raw]
        weights = np.asarray(vectors[members].sum(axis=0)).ravel()
        best = sorted(range(len(weights)), key=lambda i: (-weights[i], vocabulary[i]))[:3]
        terms = ", ".join(vocabulary[i].removeprefix("ent_").replace("_", " ") for i in best if weights[i] > 0)
        for i in members:
            rows.append({"cluster": number, "terms": terms, "documents": int(keep.loc[raw, "nunique"]),
                         "size": int(keep.loc[raw, "size"]), "doc_id": causes.at[i, "doc_id"],
                         "sentence_id": int(causes.at[i, "sentence_id"]), "text": causes.at[i, "text"],
                         "confidence": float(causes.at[i, "confidence"])})
    return pd.DataFrame(rows, columns=columns).astype({"sentence_id": "Int64"})


def document_summary(tables: Tables, *, causes: int = 3) -> pd.DataFrame:
    """One row per document: its thesis, strongest causes and unsupported claims.

    The thesis is the sentence flagged ``is_thesis`` when the table has that
    column, else the conclusion with the most supporting sentences (ties: most
    direct support, then the earliest). Strongest causes are the cause sentences
    of highest confidence. Unsupported claims are claims (``is_claim``) labelled
    cause or conclusion that no ``supports``/``explains`` edge reaches.

    Args:
        tables: A batch or argument map.
        causes: How many causes to list per document.

    Returns:
        Columns ``doc_id`` (index), ``sentences``, ``thesis_id``, ``thesis``, ``thesis_support``,
        ``strongest_causes`` (list of texts), ``unsupported_claims`` (count), ``unsupported_ids`` (list).
    """
    import pandas as pd

    sentences = _sentences(tables)
    support = evidence_per_conclusion(tables)
    reach = _supporters(tables.edges)
    rows = []
    for doc_id in _doc_order(tables, sentences):
        doc = sentences[sentences["doc_id"] == doc_id]
        thesis_id = _thesis(doc, support[support["doc_id"] == doc_id])
        thesis = doc[doc["sentence_id"] == thesis_id]["text"].iloc[0] if thesis_id is not None else ""
        strongest = doc[doc["role"] == "cause"].sort_values(["confidence", "sentence_id"], ascending=[False, True],
                                                            kind="stable")
        claims = doc[doc["is_claim"].fillna(False).astype(bool) & doc["role"].isin(["cause", "conclusion"])]
        unsupported = [int(s) for s in claims["sentence_id"] if not reach.get((doc_id, int(s)), ((), ()))[1]]
        rows.append({"doc_id": doc_id, "sentences": len(doc), "thesis_id": thesis_id, "thesis": thesis,
                     "thesis_support": len(reach.get((doc_id, thesis_id), ((), ()))[1]) if thesis_id is not None else 0,
                     "strongest_causes": list(strongest["text"].head(causes)),
                     "unsupported_claims": len(unsupported), "unsupported_ids": unsupported})
    columns = ["doc_id", "sentences", "thesis_id", "thesis", "thesis_support", "strongest_causes",
               "unsupported_claims", "unsupported_ids"]
    return pd.DataFrame(rows, columns=columns).astype({"thesis_id": "Int64"}).set_index("doc_id")


def _thesis(doc: pd.DataFrame, support: pd.DataFrame) -> int | None:
    """The thesis sentence id of one document (see :func:`document_summary`)."""
    if "is_thesis" in doc.columns:
        flagged = doc[doc["is_thesis"].fillna(False).astype(bool)]
        if len(flagged):
            return int(flagged["sentence_id"].iloc[0])
    if not len(support):
        return None
    best = support.sort_values(["supporting", "direct", "sentence_id"], ascending=[False, False, True], kind="stable")
    return int(best["sentence_id"].iloc[0])


def _supporters(edges: pd.DataFrame) -> dict[tuple[str, int], tuple[set[int], set[int]]]:
    """For every sentence with incoming support: (direct sources, every sentence with a path to it)."""
    incoming: dict[tuple[str, int], set[int]] = defaultdict(set)
    relevant = edges[edges["relation"].astype(str).isin(SUPPORT_RELATIONS)]
    for doc_id, source, target in relevant[["doc_id", "source_id", "target_id"]].itertuples(index=False):
        if int(source) != int(target):
            incoming[(doc_id, int(target))].add(int(source))
    reach = {}
    for (doc_id, target), direct in incoming.items():
        seen: set[int] = set()
        stack = list(direct)
        while stack:
            node = stack.pop()
            if node in seen or node == target:
                continue
            seen.add(node)
            stack.extend(incoming.get((doc_id, node), ()))
        reach[(doc_id, target)] = (direct, seen)
    return reach


def _sentences(tables: Tables) -> pd.DataFrame:
    """The sentences table with ``role`` as the fixed categorical, whatever its source."""
    import pandas as pd

    sentences = tables.sentences
    return sentences.assign(role=sentences["role"].astype(str).astype(pd.CategoricalDtype(ROLES)),
                            sentence_id=sentences["sentence_id"].astype("Int64"))


def _doc_order(tables: Tables, sentences: pd.DataFrame) -> list[str]:
    """Documents in manifest order (finished ones, even without sentences), else in order of appearance."""
    documents = getattr(tables, "documents", None)
    listed = list(documents.loc[documents["status"] == "ok", "doc_id"]) if documents is not None else []
    return list(dict.fromkeys([*listed, *sentences["doc_id"]]))
