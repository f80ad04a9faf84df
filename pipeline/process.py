"""The orchestrator: chain the stages for one document, from a file or a string to a DocumentResult."""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass, field
from pathlib import Path

from .classify import RoleModel, load_model
from .clean import CleanOptions, clean
from .extract import DEFAULT_MAX_BYTES, DEFAULT_MAX_PAGES, extract, text_pages
from .link import link
from .nlp import analyze_sentences, load_nlp
from .types import DocumentResult, RawDocument


@dataclass(frozen=True)
class Settings:
    """Everything that decides how a document is processed (picklable, so workers can share it)."""

    model: str | None = None
    spacy_model: str | None = None
    clean: CleanOptions = field(default_factory=CleanOptions)
    password: str | None = None
    max_bytes: int = DEFAULT_MAX_BYTES
    max_pages: int = DEFAULT_MAX_PAGES


class Processor:
    """Loads the spaCy pipeline and the role model once, then processes documents one by one."""

    def __init__(self, settings: Settings | None = None) -> None:
        self.settings = settings or Settings()
        self.nlp = load_nlp(self.settings.spacy_model)
        self.model: RoleModel = load_model(self.settings.model)

    def process_file(self, path: str | Path, doc_id: str | None = None) -> DocumentResult:
        """Run every stage on one file.

        Raises:
            ArgmapError: The file cannot be read or processed; the message names the file.
        """
        started = time.perf_counter()
        s = self.settings
        raw = extract(path, doc_id, password=s.password, max_bytes=s.max_bytes, max_pages=s.max_pages)
        return self._analyze(raw, started)

    def process_text(self, text: str, doc_id: str = "text") -> DocumentResult:
        """Run every stage but extraction on a string."""
        started = time.perf_counter()
        digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
        return self._analyze(RawDocument(doc_id, "<text>", digest, text_pages(text)), started)

    def _analyze(self, raw: RawDocument, started: float) -> DocumentResult:
        cleaned = clean(raw, self.settings.clean)
        sentences = analyze_sentences(cleaned, self.nlp)
        predictions = tuple(self.model.predict(sentences))
        return DocumentResult(
            doc_id=raw.doc_id,
            path=raw.path,
            sha256=raw.sha256,
            pages=len(raw.pages),
            clean=cleaned,
            sentences=sentences,
            predictions=predictions,
            edges=link(sentences, predictions),
            model=self.model.name,
            warnings=raw.warnings,
            seconds=time.perf_counter() - started,
        )
