"""The exceptions argmap raises: one hierarchy, messages that name the file and the reason."""

from __future__ import annotations

from pathlib import Path


class ArgmapError(Exception):
    """Base class of every error argmap raises on purpose."""


class InputError(ArgmapError):
    """A document that cannot be read: missing, empty, binary, wrong encoding."""

    def __init__(self, path: str | Path, reason: str) -> None:
        self.path = str(path)
        self.reason = reason
        super().__init__(f"{self.path}: {reason}")


class ExtractionError(InputError):
    """A PDF that cannot be turned into text; `page` is 1-based or None for the whole file."""

    def __init__(self, path: str | Path, reason: str, page: int | None = None) -> None:
        self.page = page
        where = f" (page {page})" if page is not None else ""
        super().__init__(path, f"{reason}{where}")


class CorpusError(ArgmapError):
    """An annotated corpus file that does not follow the format in corpus/GUIDELINES.md."""


class ModelError(ArgmapError):
    """A classifier or spaCy pipeline that cannot be loaded or used."""


class ExportError(ArgmapError):
    """An output that cannot be written."""
