"""Extraction: turn one input file (PDF or text) into pages of lines.

PDFs are read page by page and closed before returning. pdfium (pypdfium2) reads
every page's characters quickly; a page with one font size in one column is laid
out from those, any other page is read again with pdfplumber, whose characters
carry exact font metrics. Layout then rebuilds rows from baselines, finds 1-3
columns from the gaps that rows share, joins drop caps, takes superscript note
marks out of the words, drops running heads, page numbers and download stamps,
and separates the footnote zone. Pages without a text layer fail, or with
``ocr=True`` go through Tesseract. Text files are decoded strictly, so that a
wrong encoding is refused or reported rather than turned silently into mojibake.
"""

from __future__ import annotations

import codecs
import hashlib
import io
import logging
import re
import shutil
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from .errors import ExtractionError, InputError
from .types import Footnote, Line, Page, RawDocument

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
    ocr: bool = False,
    engine: Engine = "auto",
) -> RawDocument:
    """Read a PDF or text file into a RawDocument.

    Args:
        path: The file to read; the suffix decides how (.pdf, or .txt/.md).
        doc_id: Identifier for the document; defaults to the file stem.
        password: Password for an encrypted PDF.
        max_bytes: Files larger than this are refused.
        max_pages: PDFs with more pages than this are refused.
        ocr: Run Tesseract on PDF pages without a text layer (needs the ``ocr`` extra).
        engine: Where PDF characters come from: ``auto`` (pdfium for plain pages,
            pdfplumber for the rest), or one of them for every page.

    Returns:
        The document's pages, each a tuple of lines in reading order, and its footnotes.

    Raises:
        InputError: The file is missing, unreadable, too large, empty or binary.
        ExtractionError: A PDF that cannot be parsed or has no text layer.
    """
    path = Path(path)
    data = _read_bytes(path, max_bytes)
    digest = hashlib.sha256(data).hexdigest()
    doc_id = doc_id or path.stem
    notes: tuple[Footnote, ...] = ()
    if path.suffix.lower() in PDF_SUFFIXES:
        pages, notes, warnings = _pdf_document(path, data, password, max_pages, ocr, engine)
    else:
        text, warnings = decode_text(data, path)
        pages = text_pages(text)
    if not any(line.text.strip() for page in pages for line in page.lines):
        raise InputError(path, "empty document: no text")
    return RawDocument(doc_id, str(path), digest, pages, warnings, notes)


def text_pages(text: str) -> tuple[Page, ...]:
    """Split plain text into pages at form feeds and pages into lines."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return tuple(
        Page(number, tuple(Line(line) for line in chunk.split("\n")))
        for number, chunk in enumerate(text.split("\f"), start=1)
    )


def decode_text(data: bytes, path: str | Path = "<text>") -> tuple[str, tuple[str, ...]]:
    """Decode a text file: UTF-8 (with or without BOM), UTF-16 (with BOM, or recognised without), else Windows-1252.

    Returns the text and any warnings about how it was read.

    Raises:
        InputError: The bytes are binary data, not text.
    """
    for bom, encoding in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
                          (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            try:
                return data.decode(encoding), ()
            except UnicodeDecodeError as e:
                raise InputError(path, f"invalid {encoding} text at byte {e.start}") from e
    if b"\x00" in data[:8192]:
        unmarked = _utf16_without_bom(data)
        if unmarked is None:
            raise InputError(path, "binary file, not text")
        return unmarked, ("read as UTF-16 without a byte-order mark",)
    try:
        return data.decode("utf-8"), ()
    except UnicodeDecodeError:
        pass
    text = data.decode("cp1252", errors="replace")
    if "\ufffd" in text or _control_share(text) > 0.01:
        raise InputError(path, "not UTF-8 text and not Windows-1252 either: convert it to UTF-8")
    return text, ("read as Windows-1252 (not valid UTF-8)",)


def _utf16_without_bom(data: bytes) -> str | None:
    """The text of UTF-16 bytes without a byte-order mark, told apart from binary by where the zero bytes fall.

    Mostly-Latin UTF-16 has a zero in nearly every odd (little-endian) or
    even (big-endian) byte and almost none in the others; binary files do not.
    """
    sample = data[:8192] if len(data) % 2 == 0 else b""
    if len(sample) < 16:
        return None
    for encoding, zeros, others in (("utf-16-le", sample[1::2], sample[0::2]),
                                    ("utf-16-be", sample[0::2], sample[1::2])):
        if zeros.count(0) > 0.9 * len(zeros) and others.count(0) < 0.01 * len(others):
            try:
                text = data.decode(encoding)
            except UnicodeDecodeError:
                return None
            return text if _control_share(text) <= 0.01 else None
    return None


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


# --- PDF: opening, checks, errors ------------------------------------------------

_EOF_WINDOW = 1024
_BROKEN = "corrupt or truncated PDF"
_STARTXREF = re.compile(rb"startxref\s+(\d+)\s*%%EOF\s*$")
_XREF_TARGET = re.compile(rb"\s*(?:xref|\d+\s+\d+\s+obj)")


def _check_structure(path: Path, data: bytes) -> None:
    """Refuse what pdfminer and pdfium would quietly repair: a cut-off file or a broken cross-reference table."""
    if not data.lstrip()[:5].startswith(b"%PDF-"):
        raise ExtractionError(path, "not a PDF (no %PDF header)")
    tail = data[-_EOF_WINDOW:]
    if b"%%EOF" not in tail:
        raise ExtractionError(path, f"{_BROKEN} (the file ends before its %%EOF marker: it was cut short)")
    found = _STARTXREF.search(tail)
    offset = int(found.group(1)) if found else -1
    if not found or offset >= len(data) or not _XREF_TARGET.match(data, offset):
        raise ExtractionError(path, f"{_BROKEN} (the cross-reference table does not match the file)")


def _open_pdfium(path: Path, data: bytes, password: str | None) -> Any:
    import pypdfium2 as pdfium
    import pypdfium2.raw as pdfium_c

    try:
        return pdfium.PdfDocument(data, password=password or None)
    except pdfium.PdfiumError as e:
        if getattr(e, "err_code", None) == pdfium_c.FPDF_ERR_PASSWORD:
            if password:
                raise ExtractionError(path, "encrypted PDF: the password given with --password is wrong") from e
            raise ExtractionError(path, "encrypted PDF: give the password with --password") from e
        raise ExtractionError(path, f"corrupt or truncated PDF ({e})") from e


def _pdfminer_reason(error: Exception) -> str:
    """Name the real pdfminer failure that pdfplumber wraps in PdfminerException.args[0]."""
    inner = error.args[0] if error.args else error
    name = type(inner).__name__
    if "Password" in name or "Encrypt" in name:
        return "encrypted PDF: give the password with --password"
    if name in {"PDFSyntaxError", "PSEOF", "PSSyntaxError"}:
        return f"corrupt or truncated PDF ({name}: {inner})"
    return f"unreadable PDF ({name}: {inner})"


def _pdf_document(
    path: Path, data: bytes, password: str | None, max_pages: int, ocr: bool, engine: Engine
) -> tuple[tuple[Page, ...], tuple[Footnote, ...], tuple[str, ...]]:
    """Read every page: pdfium for plain pages and text-layer checks, pdfplumber for pages that need layout."""
    _check_structure(path, data)
    pdf = _open_pdfium(path, data, password)
    warnings: list[str] = []
    try:
        count = len(pdf)
        if count > max_pages:
            raise ExtractionError(path, f"too many pages: {count} (limit {max_pages}, see --max-pages)")
        read: dict[int, _PageGlyphs] = {}
        layout: list[int] = []
        scans: list[int] = []
        for index in range(count):
            glyphs = _pdfium_page(pdf, index)
            if not glyphs.glyphs:
                scans.append(index)
            elif engine == "pdfium" or engine == "auto" and _plain(glyphs):
                read[index] = glyphs
            else:
                layout.append(index)
        if len(scans) == count and not ocr:
            raise ExtractionError(path, NO_TEXT_LAYER)
        ocr_lines = _ocr_pages(path, pdf, scans) if ocr and scans else {}
    finally:
        pdf.close()
    if layout:
        read.update(_plumber_pages(path, data, password, layout))
    if scans and not ocr:
        warnings.append(f"no text layer on page{'s' if len(scans) > 1 else ''} "
                        f"{', '.join(str(i + 1) for i in scans)}: run OCR first, for example ocrmypdf")
    pages, notes = _assemble([read.get(i) for i in range(count)])
    pages = tuple(Page(p.number, ocr_lines.get(p.number - 1, p.lines)) for p in pages)
    logger.info("%s: %d pages (%d layout, %d fast, %d OCR)", path, count, len(layout), count - len(layout) - len(scans),
                len(ocr_lines))
    return pages, notes, tuple(warnings)


def _plumber_pages(path: Path, data: bytes, password: str | None, indexes: list[int]) -> dict[int, _PageGlyphs]:
    import pdfplumber
    from pdfplumber.utils.exceptions import PdfminerException

    read: dict[int, _PageGlyphs] = {}
    try:
        with pdfplumber.open(io.BytesIO(data), password=password or "") as pdf:
            for index in indexes:
                page = pdf.pages[index]
                try:
                    read[index] = _PageGlyphs(index + 1, float(page.height), _plumber_glyphs(page.chars))
                except PdfminerException as e:
                    raise ExtractionError(path, _pdfminer_reason(e), index + 1) from e
                finally:
                    page.close()
    except PdfminerException as e:
        raise ExtractionError(path, _pdfminer_reason(e)) from e
    return read


def _plumber_glyphs(chars: list[dict[str, Any]]) -> list[_Glyph]:
    """pdfplumber's characters as glyphs; the baseline comes from the text matrix."""
    out = []
    for c in chars:
        if not c.get("upright", True) or not c["text"].strip():
            continue
        base = c["bottom"] - (c["matrix"][5] - c["y0"])
        out.append(_glyph(c["text"], c["x0"], c["top"], c["x1"], c["bottom"], round(c["size"], 2), base,
                          _small_caps_font(c.get("fontname", ""))))
    return out


def _pdfium_page(pdf: Any, index: int) -> _PageGlyphs:
    """The glyphs of one page read through pdfium: one C call per property, no layout analysis."""
    import ctypes

    import pypdfium2.raw as c

    page = pdf[index]
    textpage = page.get_textpage()
    try:
        height = page.get_height()
        tp = textpage.raw
        rect = c.FS_RECTF()
        x, y = ctypes.c_double(), ctypes.c_double()
        name = ctypes.create_string_buffer(128)
        glyphs: list[_Glyph] = []
        last_object, caps = None, False
        for i in range(c.FPDFText_CountChars(tp)):
            ch = chr(c.FPDFText_GetUnicode(tp, i))
            ch = "-" if ch == "\x02" else ch  # pdfium's code for a hyphen at a line end (hard or soft)
            if not ch.strip() or c.FPDFText_IsGenerated(tp, i) == 1 or c.FPDFText_GetCharAngle(tp, i) > 0.01:
                continue
            obj = c.FPDFText_GetTextObject(tp, i)
            address = ctypes.cast(obj, ctypes.c_void_p).value
            if address != last_object:
                last_object = address
                font = c.FPDFTextObj_GetFont(obj)
                size = c.FPDFFont_GetBaseFontName(font, name, len(name)) if font else 0
                caps = _small_caps_font(name.value.decode("latin-1")) if size else False
            c.FPDFText_GetLooseCharBox(tp, i, rect)
            c.FPDFText_GetCharOrigin(tp, i, x, y)
            glyphs.append(_glyph(ch, rect.left, height - rect.top, rect.right, height - rect.bottom,
                                 round(c.FPDFText_GetFontSize(tp, i), 2), height - y.value, caps))
        return _PageGlyphs(index + 1, height, glyphs)
    finally:
        textpage.close()
        page.close()


def _plain(page: _PageGlyphs) -> bool:
    """A page that needs no layout analysis: one column, one font size inside the outermost rows (heads, folios)."""
    rows = _rows(page.glyphs)
    sizes = {g.size for row in rows[1:-1] for g in row.glyphs}
    return (not sizes or max(sizes) - min(sizes) <= 0.5) and not _gutters(rows)


# --- OCR ----------------------------------------------------------------------------

OCR_DPI = 300


def _ocr_pages(path: Path, pdf: Any, indexes: list[int]) -> dict[int, tuple[Line, ...]]:
    """Run Tesseract (through pytesseract) on pages without a text layer; lines in PDF points, top-based."""
    try:
        import pytesseract
    except ImportError as e:
        raise ExtractionError(path, "--ocr needs the OCR extra: pip install 'argmap[ocr]'") from e
    if shutil.which(pytesseract.pytesseract.tesseract_cmd) is None:
        raise ExtractionError(path, "--ocr needs Tesseract: install it, for example apt-get install tesseract-ocr")
    scale = 72 / OCR_DPI
    out: dict[int, tuple[Line, ...]] = {}
    for index in indexes:
        page = pdf[index]
        try:
            image = page.render(scale=OCR_DPI / 72, grayscale=True).to_pil()
        finally:
            page.close()
        try:
            data = pytesseract.image_to_data(image, output_type=pytesseract.Output.DICT)
        except pytesseract.TesseractError as e:
            raise ExtractionError(path, f"OCR failed: {e}", index + 1) from e
        lines: dict[tuple[int, int, int], list[int]] = {}
        for k, word in enumerate(data["text"]):
            if word.strip():
                lines.setdefault((data["block_num"][k], data["par_num"][k], data["line_num"][k]), []).append(k)
        result = []
        for key in sorted(lines):
            ks = lines[key]
            left = min(data["left"][k] for k in ks)
            top = min(data["top"][k] for k in ks)
            right = max(data["left"][k] + data["width"][k] for k in ks)
            bottom = max(data["top"][k] + data["height"][k] for k in ks)
            text = " ".join(data["text"][k].strip() for k in ks)
            result.append(Line(text, left * scale, top * scale, right * scale, bottom * scale))
        out[index] = tuple(result)
    return out


# --- layout: glyphs -> rows -> words -> columns -> lines -----------------------------

Engine = Literal["auto", "pdfium", "pdfplumber"]
_LIGATURES = str.maketrans({"\ufb00": "ff", "\ufb01": "fi", "\ufb02": "fl", "\ufb03": "ffi", "\ufb04": "ffl",
                            "\ufb05": "st", "\ufb06": "st"})
_SMALL_CAPS = re.compile(r"(?:SC|SmallCaps|Smcp|Caps|CapsSC)(?:[-_][A-Za-z]+)?$|[-_](?:SC|Caps)\b", re.IGNORECASE)
_MARK = re.compile(r"\d{1,3}|[*\u2020\u2021\u00a7\u00b6]{1,3}|[a-z]")
_NOTE_START = re.compile(r"(\d{1,3})[.)]?\s+(?=\S)")
_PAGE_NUMBER = re.compile(
    r"[-\u2013\u2014\s]*(?:page\s*)?(?:\d{1,4}|[ivxlc]{1,7})(?:\s*(?:of|/)\s*\d{1,4})?[-\u2013\u2014\s]*", re.IGNORECASE
)
_STAMP = re.compile(r"downloaded from|this content downloaded|all use subject to|printed (?:in|by)|"
                    r"for personal use only|https?://\S+ on \d", re.IGNORECASE)
WORD_GAP = 0.18
"""A gap wider than this many ems between two glyphs of a row separates words."""
EDGE_ZONE = 0.12
"""Running heads and footers sit within this share of the page height from its top or bottom."""


@dataclass(slots=True)
class _Glyph:
    text: str
    x0: float
    top: float
    x1: float
    bottom: float
    size: float
    base: float


@dataclass(slots=True)
class _PageGlyphs:
    number: int
    height: float
    glyphs: list[_Glyph]


@dataclass(slots=True)
class _Row:
    glyphs: list[_Glyph]
    base: float
    size: float = 0.0
    marks: list[tuple[float, str]] = field(default_factory=list)


@dataclass(slots=True)
class _Word:
    text: str
    x0: float
    top: float
    x1: float
    bottom: float


@dataclass(slots=True)
class _Segment:
    """A row of a page, or the part of it inside one column (``column`` None: the row spans the columns)."""

    text: str
    notes: tuple[tuple[int, str], ...]
    x0: float
    top: float
    x1: float
    bottom: float
    size: float
    column: int | None

    def line(self) -> Line:
        box = (round(self.x0, 2), round(self.top, 2), round(self.x1, 2), round(self.bottom, 2))
        return Line(self.text, *box, notes=self.notes)


def _glyph(text: str, x0: float, top: float, x1: float, bottom: float, size: float, base: float, caps: bool) -> _Glyph:
    text = text.translate(_LIGATURES)
    return _Glyph(text.upper() if caps else text, x0, top, x1, bottom, size, base)


def _small_caps_font(name: str) -> bool:
    """Whether a font name (``ABCDEF+Minion-SC``) is a small-caps font, whose lowercase glyphs print as capitals."""
    return bool(_SMALL_CAPS.search(name.rpartition("+")[2]))


def _median(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[len(ordered) // 2] if ordered else 0.0


def _rows(glyphs: list[_Glyph]) -> list[_Row]:
    """Group glyphs into rows by baseline; superscript marks go to their row, a drop cap to its first line."""
    body = _median([g.size for g in glyphs])
    caps = [g for g in glyphs if g.size >= 2.2 * body and g.text.isalpha() and len(g.text) == 1]
    rows: list[_Row] = []
    for g in sorted((g for g in glyphs if g not in caps), key=lambda g: g.base):
        if rows and g.base - rows[-1].base <= max(1.0, 0.15 * g.size):
            rows[-1].glyphs.append(g)
        else:
            rows.append(_Row([g], g.base))
    for row in rows:
        row.glyphs.sort(key=lambda g: g.x0)
        row.size = _median([g.size for g in row.glyphs])
    kept = [row for row in rows if not _attach_marks(row, rows)]
    for cap in caps:
        _join_drop_cap(cap, kept)
    return kept


def _attach_marks(row: _Row, rows: list[_Row]) -> bool:
    """Record a row of small raised marks (``1``, ``*``) on the row it stands above; whether it was one."""
    host = next((h for h in rows if h is not row and row.size <= 0.8 * h.size
                 and h.base - 0.9 * h.size <= row.base < h.base - 0.1 * h.size
                 and row.glyphs[0].x0 < h.glyphs[-1].x1 + h.size and row.glyphs[-1].x1 > h.glyphs[0].x0 - h.size), None)
    if host is None:
        return False
    groups = _words(row)
    if not all(_MARK.fullmatch(w.text) for w in groups):
        return False
    host.marks.extend((w.x0, w.text) for w in groups)
    return True


def _join_drop_cap(cap: _Glyph, rows: list[_Row]) -> None:
    """Put a drop cap in front of the first glyph of the topmost line beside it."""
    beside = [r for r in rows if cap.top - 0.5 * r.size <= r.base <= cap.base + 1
              and any(0 <= g.x0 - cap.x1 <= 2.5 * r.size for g in r.glyphs)]
    if not beside:
        return
    row = min(beside, key=lambda r: r.base)
    first = next(g for g in row.glyphs if g.x0 >= cap.x1)
    row.glyphs.insert(row.glyphs.index(first), _Glyph(cap.text, first.x0, first.top, first.x0, first.bottom,
                                                        first.size, first.base))


def _words(row: _Row) -> list[_Word]:
    """Split a row into words at gaps wider than WORD_GAP ems."""
    words: list[_Word] = []
    prev: _Glyph | None = None
    for g in row.glyphs:
        if prev is not None and g.x0 - prev.x1 <= WORD_GAP * max(g.size, prev.size) and g.x0 >= prev.x0:
            w = words[-1]
            w.text += g.text
            w.x1, w.top, w.bottom = max(w.x1, g.x1), min(w.top, g.top), max(w.bottom, g.bottom)
        else:
            words.append(_Word(g.text, g.x0, g.top, g.x1, g.bottom))
        prev = g
    return words


def _gutters(rows: list[_Row]) -> list[tuple[float, float]]:
    """Column gutters: x ranges that the wide gaps of many rows share (one per boundary of 2-3 columns)."""
    gaps: list[tuple[float, float]] = []
    for row in rows:
        words = _words(row)
        gaps += [(a.x1, b.x0) for a, b in zip(words, words[1:], strict=False) if b.x0 - a.x1 >= max(7.0, row.size)]
    if len(gaps) < 3:
        return []
    lo = int(min(a for a, _ in gaps))
    counts = [0] * (int(max(b for _, b in gaps)) - lo + 2)
    for a, b in gaps:
        for x in range(int(a) + 1 - lo, int(b) - lo):
            counts[x] += 1
    need = max(3, 0.3 * len(rows))
    runs, start = [], None
    for x, n in enumerate([*counts, 0]):
        if n >= need and start is None:
            start = x
        elif n < need and start is not None:
            peak = max(counts[start:x])
            core = [k for k in range(start, x) if counts[k] == peak]
            runs.append((lo + core[0], lo + core[-1] + 1))
            start = None
    return [r for r in runs if r[1] - r[0] >= 5][:2]


def _segments(page: _PageGlyphs) -> list[_Segment]:
    """The rows of a page cut at the column gutters, each with its text, footnote marks and box."""
    rows = _rows(page.glyphs)
    gutters = _gutters(rows)
    out: list[_Segment] = []
    for row in rows:
        words = _words(row)
        spans = any(g0 + 1 < w.x1 and w.x0 < g1 - 1 for w in words for g0, g1 in gutters)
        groups: dict[int | None, list[_Word]] = {}
        for w in words:
            groups.setdefault(None if spans else sum(g1 <= w.x0 + 1 for _, g1 in gutters), []).append(w)
        for column, group in groups.items():
            out.append(_segment(group, row, column))
    return out


def _segment(words: list[_Word], row: _Row, column: int | None) -> _Segment:
    text, notes = "", []
    left, right = words[0].x0, words[-1].x1
    for k, w in enumerate(words):
        text += (" " if text else "") + w.text
        limit = words[k + 1].x0 if k + 1 < len(words) else right + 2 * row.size
        notes += [(len(text), m) for x, m in row.marks if w.x1 - 1 <= x < limit]
        if k == 0:
            notes[:0] = [(0, m) for x, m in row.marks if left - 2 * row.size <= x < w.x1 - 1]
    if text.endswith("\u00ad"):
        text = text[:-1] + "-"
    if "\u00ad" in text:
        cut = [i for i, ch in enumerate(text) if ch == "\u00ad"]
        notes = [(o - sum(i < o for i in cut), m) for o, m in notes]
        text = text.replace("\u00ad", "")
    return _Segment(text, tuple(notes), left, min(w.top for w in words), right, max(w.bottom for w in words),
                    row.size, column)


def _assemble(pages: list[_PageGlyphs | None]) -> tuple[tuple[Page, ...], tuple[Footnote, ...]]:
    """Lay out every page, then drop running heads and page numbers and separate the footnotes, in reading order."""
    laid = [(p.height, _segments(p)) if p else (0.0, []) for p in pages]
    weights: Counter[float] = Counter()
    for _, segments in laid:
        for s in segments:
            weights[round(s.size)] += len(s.text)
    body = weights.most_common(1)[0][0] if weights else 0.0
    furniture = _furniture(laid, body)
    out, notes = [], []
    for number, (_, segments) in enumerate(laid, start=1):
        kept = [s for s in segments if id(s) not in furniture]
        lead, zone = _footnote_zone(kept, body)
        if lead and notes:  # a note running on from the page before
            for s in _reading_order(lead):
                notes[-1] = _continue_note(notes[-1], s.text)
        for s in _reading_order(zone):
            start = _note_start(s)
            if start:
                notes.append(Footnote(start[0], number, s.text[start[1]:]))
            elif notes:
                notes[-1] = _continue_note(notes[-1], s.text)
        zone_ids = {id(s) for s in zone + (lead if notes else [])}
        body_segments = [s for s in kept if id(s) not in zone_ids]
        out.append(Page(number, tuple(s.line() for s in _reading_order(body_segments))))
    return tuple(out), tuple(notes)


def _furniture(laid: list[tuple[float, list[_Segment]]], body: float) -> set[int]:
    """Ids of page furniture: page numbers, download stamps, and edge lines repeated on other pages."""
    edges: list[list[_Segment]] = []
    for height, segments in laid:
        tops = sorted({round(s.top) for s in segments})
        # the outermost row, and the next one in only when it is not set in the body size (a journal line, a DOI)
        rows = {tops[0], tops[-1]} if tops else set()
        rows |= {top for top in tops[1:2] + tops[-2:-1] if all(abs(s.size - body) > 0.75 for s in segments
                                                                if round(s.top) == top)}
        edges.append([s for s in segments if round(s.top) in rows
                      and (s.top < EDGE_ZONE * height or s.bottom > (1 - EDGE_ZONE) * height)])
    keys = Counter(key for page in edges for key in {furniture_key(s.text) for s in page})
    repeated = max(2.0, 0.25 * sum(1 for _, segments in laid if segments))
    return {id(s) for page in edges for s in page
            if _PAGE_NUMBER.fullmatch(s.text) or _STAMP.search(s.text) or keys[furniture_key(s.text)] >= repeated}


def furniture_key(text: str) -> str:
    """What a running head keeps from page to page: its words, lowercased, with any number as ``#``."""
    return " ".join(re.sub(r"\d+", "#", text.lower()).split())


def _footnote_zone(segments: list[_Segment], body: float) -> tuple[list[_Segment], list[_Segment]]:
    """The footnote zone, the smaller-font run at the page bottom: unnumbered lines before its first note, the rest."""
    zone: list[_Segment] = []
    for s in sorted(segments, key=lambda s: s.top, reverse=True):
        if s.size >= body - 0.75:
            break
        zone.append(s)
    zone.reverse()
    first = next((k for k, s in enumerate(zone) if _note_start(s)), None)
    return ([], []) if first is None else (zone[:first], zone[first:])


def _note_start(segment: _Segment) -> tuple[str, int] | None:
    """The note number a footnote line begins with (a raised mark or ``12.``), and where its text starts."""
    if segment.notes and segment.notes[0][0] == 0:
        return segment.notes[0][1], 0
    found = _NOTE_START.match(segment.text)
    return (found.group(1), found.end()) if found else None


def _continue_note(note: Footnote, text: str) -> Footnote:
    joined = note.text[:-1] + text if note.text.endswith("-") and text[:1].islower() else f"{note.text} {text}"
    return Footnote(note.number, note.page, joined)


def _reading_order(segments: list[_Segment]) -> list[_Segment]:
    """Top to bottom through bands of full-width rows and of columns; a column band is read column by column."""
    bands: list[tuple[bool, list[_Segment]]] = []
    for s in sorted(segments, key=lambda s: (s.top, s.x0)):
        full = s.column is None
        if bands and bands[-1][0] == full:
            bands[-1][1].append(s)
        else:
            bands.append((full, [s]))
    ordered: list[_Segment] = []
    for full, band in bands:
        ordered += band if full else sorted(band, key=lambda s: (s.column or 0, s.top))
    return ordered
