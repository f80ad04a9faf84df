"""The orchestrator: chain the stages for one document, from a file or a string to a DocumentResult."""

from __future__ import annotations

import hashlib
import re
import time
from dataclasses import dataclass, field, replace
from pathlib import Path

from .classify import RoleModel, check_model_name, load_model
from .clean import CleanOptions, clean, endnotes, preload
from .errors import InputError
from .extract import DEFAULT_MAX_BYTES, DEFAULT_MAX_PAGES, extract, text_pages
from .link import PairLinker, RuleLinker, check_links_name, load_links, promote_thesis
from .nlp import analyze_sentences, check_pipeline_name, load_nlp
from .types import Block, CleanDocument, DocumentResult, RawDocument

MAX_CHARS = 10_000_000
"""Longer extracted texts are refused: about 1.6 million words, far beyond any essay or book."""
BLOCK_CHARS = 20_000
"""Paragraphs longer than this are parsed in pieces, so memory stays bounded on text without breaks."""
_ENGLISH_SHARE = 0.2


@dataclass(frozen=True)
class Settings:
    """Everything that decides how a document is processed (picklable, so workers can share it)."""

    model: str | None = None
    links: str | None = None
    spacy_model: str | None = None
    clean: CleanOptions = field(default_factory=CleanOptions)
    password: str | None = None
    max_bytes: int = DEFAULT_MAX_BYTES
    max_pages: int = DEFAULT_MAX_PAGES
    ocr: bool = False
    excel_safe: bool = True
    formats: tuple[str, ...] = ("csv",)

    def check(self) -> None:
        """Refuse a role model, linker or spaCy pipeline that does not exist, before a batch writes anything.

        Raises:
            ModelError: ``model`` or ``links`` names a folder without a model, or ``spacy_model`` no pipeline.
        """
        check_model_name(self.model)
        check_links_name(self.links)
        check_pipeline_name(self.spacy_model)


class Processor:
    """Loads the spaCy pipeline, the role model and the linker once, then processes documents one by one."""

    def __init__(self, settings: Settings | None = None) -> None:
        self.settings = settings or Settings()
        preload(self.settings.clean)
        self.nlp = load_nlp(self.settings.spacy_model)
        self.model: RoleModel = load_model(self.settings.model)
        self.linker: PairLinker | RuleLinker = load_links(self.settings.links)

    def process_file(self, path: str | Path, doc_id: str | None = None) -> DocumentResult:
        """Run every stage on one file.

        Raises:
            ArgmapError: The file cannot be read or processed; the message names the file.
        """
        started = time.perf_counter()
        s = self.settings
        raw = extract(path, doc_id, password=s.password, max_bytes=s.max_bytes, max_pages=s.max_pages, ocr=s.ocr)
        return self._analyze(raw, started)

    def process_text(self, text: str, doc_id: str = "text") -> DocumentResult:
        """Run every stage but extraction on a string."""
        started = time.perf_counter()
        digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
        return self._analyze(RawDocument(doc_id, "<text>", digest, text_pages(text)), started)

    def _analyze(self, raw: RawDocument, started: float) -> DocumentResult:
        size = sum(len(line.text) for page in raw.pages for line in page.lines)
        if size > MAX_CHARS:
            raise InputError(raw.path, f"text too long: {size:,} characters (limit {MAX_CHARS:,})")
        cleaned = clean(raw, self.settings.clean)
        notes = endnotes(cleaned)
        cleaned = bounded_blocks(cleaned)
        warnings = raw.warnings + english_warning(cleaned.text)
        sentences = analyze_sentences(cleaned, self.nlp, raw=raw)
        predictions = tuple(self.model.predict(sentences))
        linked = self.linker.link(sentences, predictions)
        predictions = promote_thesis(predictions, linked.thesis)
        return DocumentResult(
            doc_id=raw.doc_id,
            path=raw.path,
            sha256=raw.sha256,
            pages=len(cleaned.page_starts),
            clean=cleaned,
            sentences=sentences,
            predictions=predictions,
            edges=linked.edges,
            model=self.model.name,
            linker=self.linker.name,
            warnings=warnings,
            seconds=time.perf_counter() - started,
            thesis=linked.thesis,
            unattached=linked.unattached,
            footnotes=raw.footnotes + notes,
        )


def bounded_blocks(cleaned: CleanDocument, limit: int = BLOCK_CHARS) -> CleanDocument:
    """Split paragraphs longer than ``limit`` at a sentence end (else a space) so no parse grows without bound."""
    if all(b.end - b.start <= limit for b in cleaned.blocks):
        return cleaned
    blocks: list[Block] = []
    for block in cleaned.blocks:
        start = block.start
        while block.end - start > limit:
            window = cleaned.text[start:start + limit]
            cut = max((m.end() for m in re.finditer(r"[.!?][\"”’)]?\s", window)), default=0) or window.rfind(" ") + 1
            cut = cut if cut > limit // 4 else limit
            blocks.append(Block(block.kind, start, start + cut, block.section))
            start += cut
        blocks.append(Block(block.kind, start, block.end, block.section))
    return replace(cleaned, blocks=tuple(blocks))


def english_warning(text: str, sample_words: int = 5000) -> tuple[str, ...]:
    """A warning when a text has too few English function words to be English prose."""
    from spacy.lang.en.stop_words import STOP_WORDS

    words = re.findall(r"[^\W\d_]+", text[: sample_words * 8].lower())[:sample_words]
    if len(words) < 30:
        return ()
    share = sum(w in STOP_WORDS for w in words) / len(words)
    if share >= _ENGLISH_SHARE:
        return ()
    return (f"may not be English: {share:.0%} English function words (argmap's models are for English)",)
