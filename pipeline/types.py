"""The plain data passed between stages, defined once.

Stages exchange frozen dataclasses with character offsets, never spaCy objects,
so that each stage can be tested and rerun alone. Offsets are half-open
``[start, end)`` positions in the text named by the field (``raw_*`` into the
extracted text, the rest into the cleaned text).
"""

from __future__ import annotations

from array import array
from bisect import bisect_right
from dataclasses import dataclass, field
from typing import Literal

Role = Literal["cause", "evidence", "conclusion", "other"]
ROLES: tuple[Role, ...] = ("cause", "evidence", "conclusion", "other")

Relation = Literal["supports", "explains", "causes", "contrasts"]
RELATIONS: tuple[Relation, ...] = ("supports", "explains", "causes", "contrasts")

CueKind = Literal["cause", "evidence", "conclusion", "contrast"]
CUE_KINDS: tuple[CueKind, ...] = ("cause", "evidence", "conclusion", "contrast")


@dataclass(frozen=True, slots=True)
class Line:
    """One line of extracted text, with its box in PDF points where known."""

    text: str
    x0: float | None = None
    top: float | None = None
    x1: float | None = None
    bottom: float | None = None
    notes: tuple[tuple[int, str], ...] = ()
    """Footnote marks taken out of ``text``: (offset in ``text`` where the mark stood, mark)."""


@dataclass(frozen=True, slots=True)
class Footnote:
    """One note of a PDF's footnote zone; ``page`` is 1-based."""

    number: str
    page: int
    text: str


@dataclass(frozen=True, slots=True)
class Page:
    """One page of a document; ``number`` is 1-based."""

    number: int
    lines: tuple[Line, ...]

    @property
    def text(self) -> str:
        return "\n".join(line.text for line in self.lines)


@dataclass(frozen=True, slots=True)
class RawDocument:
    """What extraction returns: the pages of one input file."""

    doc_id: str
    path: str
    sha256: str
    pages: tuple[Page, ...]
    warnings: tuple[str, ...] = ()
    footnotes: tuple[Footnote, ...] = ()

    @property
    def text(self) -> str:
        """The raw text: lines joined by newlines, pages by a blank line."""
        return "\n\n".join(page.text for page in self.pages)

    @property
    def page_starts(self) -> tuple[int, ...]:
        """Offset in ``text`` where each page begins."""
        starts, pos = [], 0
        for page in self.pages:
            starts.append(pos)
            pos += len(page.text) + 2
        return tuple(starts)


@dataclass(frozen=True, slots=True)
class Edit:
    """One change the cleaner made, located in the raw text."""

    rule: str
    raw_start: int
    raw_end: int
    before: str
    after: str


@dataclass(frozen=True, slots=True)
class Block:
    """A heading, a paragraph, or a block of back matter (``notes``, ``references``) of the cleaned text.

    Back matter is the text under a heading such as ``Notes`` or ``Bibliography``: it keeps its place in the cleaned
    text, but it is not argument, so it yields no sentences.
    """

    kind: Literal["heading", "paragraph", "notes", "references"]
    start: int
    end: int
    section: str | None


@dataclass(frozen=True, slots=True)
class FootnoteRef:
    """A note number taken out of the running text at ``position`` of the cleaned text."""

    number: str
    position: int


@dataclass(frozen=True, eq=False)
class CleanDocument:
    """The repaired text of one document, with everything needed to trace it back.

    ``raw_offsets[i]`` is the raw-text offset of cleaned character ``i``
    (one entry more than the text, for end offsets).
    """

    doc_id: str
    text: str
    blocks: tuple[Block, ...]
    edits: tuple[Edit, ...]
    footnotes: tuple[FootnoteRef, ...]
    raw_offsets: array
    page_starts: tuple[int, ...] = (0,)

    def to_raw(self, offset: int) -> int:
        """Map an offset of the cleaned text to the raw text."""
        return self.raw_offsets[offset]

    def page_at(self, offset: int) -> int:
        """The 1-based page number of a cleaned-text offset."""
        return self.raw_page_at(self.to_raw(offset))

    def raw_page_at(self, raw_offset: int) -> int:
        """The 1-based page number of a raw-text offset (of text the cleaner may have taken out)."""
        return bisect_right(self.page_starts, raw_offset)

    @property
    def paragraphs(self) -> tuple[Block, ...]:
        return tuple(b for b in self.blocks if b.kind == "paragraph")


@dataclass(frozen=True, slots=True)
class Entity:
    """A named entity, offsets into the cleaned text."""

    text: str
    label: str
    start: int
    end: int
    entity_id: str = ""


@dataclass(frozen=True, slots=True)
class Cue:
    """A discourse cue phrase and the role it points to."""

    text: str
    kind: CueKind
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Sentence:
    """One sentence of the cleaned text with what the spaCy stage found in it."""

    id: int
    paragraph_id: int
    section: str | None
    page: int
    start: int
    end: int
    raw_start: int
    raw_end: int
    text: str
    entities: tuple[Entity, ...] = ()
    cues: tuple[Cue, ...] = ()
    is_claim: bool = False
    footnotes: tuple[str, ...] = ()
    tags: str = ""
    x0: float | None = None
    top: float | None = None
    x1: float | None = None
    bottom: float | None = None
    causal_links: tuple[CausalLink, ...] = ()


@dataclass(frozen=True, slots=True)
class CausalLink:
    """A cause–effect pair inside one sentence (``argmap_causal``), offsets into the cleaned text."""

    cause: str
    effect: str
    cue: str
    cause_start: int
    cause_end: int
    effect_start: int
    effect_end: int


@dataclass(frozen=True, slots=True)
class Prediction:
    """The role given to one sentence and the probability of every role (in ROLES order)."""

    role: Role
    probabilities: tuple[float, float, float, float]

    @property
    def confidence(self) -> float:
        return max(self.probabilities)

    @classmethod
    def certain(cls, role: str) -> Prediction:
        """A prediction of ``role`` with probability 1: annotated roles handed to a linker."""
        return cls(role, tuple(float(role == r) for r in ROLES))  # type: ignore[arg-type]


@dataclass(frozen=True, slots=True)
class Edge:
    """A link of the argument map between two sentences of one document."""

    source_id: int
    target_id: int
    relation: Relation
    score: float
    reason: str


@dataclass(frozen=True, slots=True)
class LinkResult:
    """What linking returns: the edges, the thesis sentence, and argumentative sentences not connected to it."""

    edges: tuple[Edge, ...]
    thesis: int | None = None
    unattached: tuple[int, ...] = ()


@dataclass(frozen=True, eq=False)
class DocumentResult:
    """Everything argmap found in one document."""

    doc_id: str
    path: str
    sha256: str
    pages: int
    clean: CleanDocument
    sentences: tuple[Sentence, ...]
    predictions: tuple[Prediction, ...]
    edges: tuple[Edge, ...]
    model: str
    warnings: tuple[str, ...] = ()
    seconds: float = 0.0
    thesis: int | None = None
    unattached: tuple[int, ...] = ()
    footnotes: tuple[Footnote, ...] = ()
    linker: str = ""


Status = Literal["ok", "failed"]


@dataclass(frozen=True, slots=True)
class DocumentStatus:
    """One row of the manifest, documents.csv."""

    doc_id: str
    path: str
    sha256: str
    status: Status
    error: str = ""
    pages: int = 0
    sentences: int = 0
    seconds: float = 0.0
    warnings: tuple[str, ...] = field(default=())
    words: int = 0
