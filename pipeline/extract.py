"""Extraction: turn one input file (PDF or text) into pages of lines.

PDFs are read with pdfplumber one page at a time and closed before returning;
text files are decoded strictly, so that a wrong encoding is refused or
reported rather than turned silently into mojibake.
"""

from __future__ import annotations

import codecs
import hashlib
import logging
from pathlib import Path

from .errors import ExtractionError, InputError
from .types import Line, Page, RawDocument

logger = logging.getLogger(__name__)

TEXT_SUFFIXES = frozenset({".txt", ".md"})
PDF_SUFFIXES = frozenset({".pdf"})
SUFFIXES = TEXT_SUFFIXES | PDF_SUFFIXES

DEFAULT_MAX_BYTES = 50_000_000
DEFAULT_MAX_PAGES = 2_000
NO_TEXT_LAYER = "no text layer: run OCR first, for example ocrmypdf"


def extract(
    path: str | Path,
    doc_id: str | None = None,
    *,
    password: str | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_pages: int = DEFAULT_MAX_PAGES,
) -> RawDocument:
    """Read a PDF or text file into a RawDocument.

    Args:
        path: The file to read; the suffix decides how (.pdf, or .txt/.md).
        doc_id: Identifier for the document; defaults to the file stem.
        password: Password for an encrypted PDF.
        max_bytes: Files larger than this are refused.
        max_pages: PDFs with more pages than this are refused.

    Returns:
        The document's pages, each a tuple of lines.

    Raises:
        InputError: The file is missing, unreadable, too large, empty or binary.
        ExtractionError: A PDF that cannot be parsed or has no text layer.
    """
    path = Path(path)
    data = _read_bytes(path, max_bytes)
    digest = hashlib.sha256(data).hexdigest()
    doc_id = doc_id or path.stem
    if path.suffix.lower() in PDF_SUFFIXES:
        pages, warnings = _pdf_pages(path, data, password, max_pages), ()
    else:
        text, warnings = decode_text(data, path)
        pages = text_pages(text)
    if not any(line.text.strip() for page in pages for line in page.lines):
        raise InputError(path, "empty document: no text")
    return RawDocument(doc_id, str(path), digest, pages, warnings)


def text_pages(text: str) -> tuple[Page, ...]:
    """Split plain text into pages at form feeds and pages into lines."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return tuple(
        Page(number, tuple(Line(line) for line in chunk.split("\n")))
        for number, chunk in enumerate(text.split("\f"), start=1)
    )


def decode_text(data: bytes, path: str | Path = "<text>") -> tuple[str, tuple[str, ...]]:
    """Decode a text file: UTF-8 (with or without BOM), UTF-16 with BOM, else Windows-1252.

    Returns the text and any warnings about how it was read.

    Raises:
        InputError: The bytes are binary data, not text.
    """
    for bom, encoding in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            try:
                return data.decode(encoding), ()
            except UnicodeDecodeError as e:
                raise InputError(path, f"invalid {encoding} text at byte {e.start}") from e
    if b"\x00" in data[:8192]:
        raise InputError(path, "binary file, not text")
    try:
        return data.decode("utf-8"), ()
    except UnicodeDecodeError:
        pass
    text = data.decode("cp1252", errors="replace")
    if "\ufffd" in text or _control_share(text) > 0.01:
        raise InputError(path, "not UTF-8 text and not Windows-1252 either: convert it to UTF-8")
    return text, ("read as Windows-1252 (not valid UTF-8)",)


def _control_share(text: str) -> float:
    control = sum(1 for ch in text if ord(ch) < 32 and ch not in "\n\r\t\f")
    return control / max(len(text), 1)


def _read_bytes(path: Path, max_bytes: int) -> bytes:
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise InputError(path, f"file too large: {size:,} bytes (limit {max_bytes:,}, see --max-bytes)")
        return path.read_bytes()
    except FileNotFoundError as e:
        raise InputError(path, "no such file") from e
    except IsADirectoryError as e:
        raise InputError(path, "is a directory") from e
    except PermissionError as e:
        raise InputError(path, "permission denied") from e
    except OSError as e:
        raise InputError(path, f"cannot read: {e.strerror or e}") from e


def _pdf_pages(path: Path, data: bytes, password: str | None, max_pages: int) -> tuple[Page, ...]:
    import pdfplumber
    from pdfplumber.utils.exceptions import PdfminerException

    if not data.lstrip()[:5].startswith(b"%PDF-"):
        raise ExtractionError(path, "not a PDF (no %PDF header)")
    pages: list[Page] = []
    try:
        with pdfplumber.open(path, password=password or "") as pdf:
            if len(pdf.pages) > max_pages:
                raise ExtractionError(path, f"too many pages: {len(pdf.pages)} (limit {max_pages}, see --max-pages)")
            for number, page in enumerate(pdf.pages, start=1):
                try:
                    rows = page.extract_text_lines(return_chars=False)
                except PdfminerException as e:
                    raise ExtractionError(path, _pdfminer_reason(e), number) from e
                finally:
                    page.close()
                pages.append(Page(number, tuple(Line(r["text"], r["x0"], r["top"], r["x1"], r["bottom"]) for r in rows)))
    except PdfminerException as e:
        raise ExtractionError(path, _pdfminer_reason(e)) from e
    if not any(page.lines for page in pages):
        raise ExtractionError(path, NO_TEXT_LAYER)
    return tuple(pages)


def _pdfminer_reason(error: Exception) -> str:
    """Name the real pdfminer failure that pdfplumber wraps in PdfminerException.args[0]."""
    inner = error.args[0] if error.args else error
    name = type(inner).__name__
    if "Password" in name or "Encrypt" in name:
        return "encrypted PDF: give the password with --password"
    if name in {"PDFSyntaxError", "PSEOF", "PSSyntaxError"}:
        return f"corrupt or truncated PDF ({name}: {inner})"
    return f"unreadable PDF ({name}: {inner})"
