"""The annotated corpus: one loader for argmap's essay files and for users' own labels.

Essay files follow corpus/GUIDELINES.md §6 (one JSON file per essay). Users
who want to retrain on their own labels can give a CSV or JSONL file with one
row per sentence (``doc_id, text, role`` and optionally ``paragraph_id`` and
``section``). Either way the essay text is rebuilt by one rule — headings and
paragraphs joined by a blank line, a paragraph's sentences by one space — and
every sentence's character offsets are derived from it.
"""

from __future__ import annotations

import csv
import hashlib
import json
from array import array
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import CorpusError
from .types import RELATIONS, ROLES, Block, CleanDocument, Edge, Prediction, Role, Sentence

REGISTERS = ("journal", "policy_brief", "op_ed", "student", "review")
GUIDELINE_VERSION = "1.0"  # of corpus/GUIDELINES.md, which annotation templates are written for


@dataclass(frozen=True, slots=True)
class GoldSentence:
    """An annotated sentence; offsets into its essay's text."""

    key: str
    paragraph_id: int
    section: str | None
    start: int
    end: int
    text: str
    role: Role
    thesis: bool = False


@dataclass(frozen=True, slots=True)
class GoldLink:
    """An annotated edge between two sentences of one essay (by index)."""

    source: int
    target: int
    relation: str


@dataclass(frozen=True, eq=False)
class Essay:
    """One annotated essay."""

    id: str
    register: str
    topic: str
    annotator: str
    split: str
    guideline_version: str
    text: str
    blocks: tuple[Block, ...]
    sentences: tuple[GoldSentence, ...]
    links: tuple[GoldLink, ...]

    def as_clean(self) -> CleanDocument:
        """The essay as a cleaned document (no edits), for the spaCy stage."""
        return CleanDocument(self.id, self.text, self.blocks, (), (), array("l", range(len(self.text) + 1)))

    @property
    def spans(self) -> list[tuple[int, int]]:
        return [(s.start, s.end) for s in self.sentences]


def load_corpus(path: str | Path, *, include_evaluation: bool = False) -> list[Essay]:
    """Load annotated essays from a folder of essay JSON files, or from a CSV/JSONL file of labelled sentences.

    Args:
        path: A folder (``*.json`` essays, sorted by name), one essay JSON file, or a ``.csv``/``.jsonl`` file.
        include_evaluation: Keep essays marked ``"split": "evaluation"`` (never used for training).

    Raises:
        CorpusError: A file does not follow the format; the message names the file and the problem.
    """
    path = Path(path)
    if path.is_dir():
        essays = [load_essay(p) for p in sorted(path.glob("*.json"))]
    elif path.suffix == ".json":
        essays = [load_essay(path)]
    elif path.suffix in (".csv", ".jsonl"):
        essays = _load_rows(path)
    else:
        raise CorpusError(f"{path}: not a corpus folder, essay .json, .csv or .jsonl file")
    if not essays:
        raise CorpusError(f"{path}: no essays found")
    return [e for e in essays if include_evaluation or e.split != "evaluation"]


def load_essay(path: str | Path) -> Essay:
    """Load one essay JSON file (corpus/GUIDELINES.md §6) and derive its text and offsets."""
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        paragraphs = [
            (p.get("section"),
             [(s["id"], s["text"], s["role"], bool(s.get("thesis")), s.get("links", [])) for s in p["sentences"]])
            for p in data["paragraphs"]
        ]
        return _build(path, data["id"], data.get("register", ""), data.get("topic", ""), data.get("annotator", ""),
                      data.get("split", "train"), paragraphs, data.get("guideline_version", ""))
    except (OSError, ValueError, KeyError, TypeError) as e:
        raise CorpusError(f"{path}: {type(e).__name__}: {e}") from e


def annotation_template(doc_id: str, source: str, sentences: Sequence[Sentence],
                        predictions: Sequence[Prediction] | None = None, edges: Sequence[Edge] = (),
                        thesis: int | None = None) -> dict[str, Any]:
    """A processed document as an essay file of GUIDELINES.md §6, for a person to annotate.

    Paragraphs, sections and sentences are the pipeline's, so the annotation
    aligns with what ``argmap evaluate --sample`` processes. Roles are left
    empty (the loader refuses the file until every one is filled in), unless
    ``predictions`` are given: then the predicted roles, ``thesis`` and
    ``edges`` are filled in to be corrected, which is faster but anchors the
    annotator's judgment. ``source`` is the document's path relative to the
    file, and ``split`` is ``evaluation``, so the file is never trained on.
    """
    keys = [f"s{i + 1}" for i in range(len(sentences))]
    paragraphs: list[dict[str, Any]] = []
    for i, sentence in enumerate(sentences):
        if i == 0 or sentence.paragraph_id != sentences[i - 1].paragraph_id:
            paragraphs.append({"section": sentence.section, "sentences": []})
        item: dict[str, Any] = {"id": keys[i], "role": predictions[i].role if predictions else "",
                                "text": " ".join(sentence.text.split())}
        if predictions and i == thesis:
            item["thesis"] = True
        links = [{"to": keys[e.target_id], "rel": e.relation} for e in edges if e.source_id == i] if predictions else []
        if links:
            item["links"] = links
        paragraphs[-1]["sentences"].append(item)
    return {"id": doc_id, "title": doc_id, "register": "journal", "topic": "", "guideline_version": GUIDELINE_VERSION,
            "annotator": "", "split": "evaluation", "source": source, "paragraphs": paragraphs}


def _load_rows(path: Path) -> list[Essay]:
    """Essays from a user's file of labelled sentences, grouped by doc_id in file order."""
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            if path.suffix == ".csv":
                rows = list(csv.DictReader(handle))
            else:
                rows = [json.loads(line) for line in handle if line.strip()]
    except (OSError, ValueError) as e:
        raise CorpusError(f"{path}: {e}") from e
    by_doc: dict[str, list[dict]] = {}
    for n, row in enumerate(rows, start=2):
        if not row.get("doc_id") or not row.get("text") or not row.get("role"):
            raise CorpusError(f"{path}: row {n}: needs doc_id, text and role")
        by_doc.setdefault(str(row["doc_id"]), []).append(row)
    essays = []
    for doc_id, doc_rows in by_doc.items():
        paragraphs: list[tuple[str | None, list]] = []
        last = None
        for i, row in enumerate(doc_rows):
            para = row.get("paragraph_id", 0)
            if not paragraphs or para != last:
                paragraphs.append((row.get("section") or None, []))
                last = para
            paragraphs[-1][1].append((f"s{i + 1}", str(row["text"]).strip(), row["role"], False, []))
        essays.append(_build(path, doc_id, "", "", "", "train", paragraphs, ""))
    return essays


def _build(path: Path, essay_id: str, register: str, topic: str, annotator: str, split: str,
           paragraphs: Sequence[tuple[str | None, list]], guideline_version: str) -> Essay:
    pieces: list[str] = []
    pos = 0
    blocks: list[Block] = []
    sentences: list[GoldSentence] = []
    raw_links: list[tuple[int, str, str]] = []
    keys: dict[str, int] = {}
    section = None

    def add(text: str) -> int:
        nonlocal pos
        if pieces:
            pieces.append("\n\n")
            pos += 2
        start = pos
        pieces.append(text)
        pos += len(text)
        return start

    for paragraph_id, (heading, items) in enumerate(paragraphs):
        if heading and heading != section:
            start = add(heading)
            blocks.append(Block("heading", start, pos, heading))
        section = heading
        para_start = pos + (2 if pieces else 0)
        offset = para_start
        for key, text, role, thesis, links in items:
            if role not in ROLES:
                raise CorpusError(f"{path}: {essay_id} {key}: unknown role {role!r} (use one of {', '.join(ROLES)})")
            if not text or text != text.strip() or "\n" in text:
                raise CorpusError(f"{path}: {essay_id} {key}: sentence text must be one trimmed line")
            keys[key] = len(sentences)
            sentences.append(GoldSentence(key, paragraph_id, heading, offset, offset + len(text), text, role, thesis))
            raw_links.extend((len(sentences) - 1, link["to"], link["rel"]) for link in links)
            offset += len(text) + 1
        add(" ".join(item[1] for item in items))
        blocks.append(Block("paragraph", para_start, pos, heading))
    links = []
    for source, target, relation in raw_links:
        if target not in keys or relation not in RELATIONS:
            raise CorpusError(f"{path}: {essay_id}: bad link {sentences[source].key} -> {target} ({relation})")
        links.append(GoldLink(source, keys[target], relation))
    return Essay(essay_id, register, topic, annotator, split, guideline_version, "".join(pieces), tuple(blocks),
                 tuple(sentences), tuple(links))


def corpus_hash(essays: Iterable[Essay]) -> str:
    """A sha256 over every essay's id, text and labels: names exactly the data a model was trained on."""
    digest = hashlib.sha256()
    for essay in essays:
        digest.update(essay.id.encode())
        for s in essay.sentences:
            digest.update(f"\x00{s.start}:{s.end}:{s.role}:{s.text}".encode())
    return digest.hexdigest()
