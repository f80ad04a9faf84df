"""PDF builders for the extraction tests: born-digital pages drawn with reportlab, plus what a reader should get back.

Each builder writes a PDF and returns a :class:`Built`: the body lines of each
page in reading order, the footnotes, and every body word with its page and box
(top-based PDF points, drawn a little inside the glyphs so that any correct box
contains it).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from reportlab.lib.pagesizes import A4
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen import canvas

WIDTH, HEIGHT = A4
ROOT = Path(__file__).resolve().parent.parent
ESSAY = ROOT / "tests" / "golden" / "china-iss-essay.transcription.txt"

LOREM = (
    "The treaty was signed in the spring of 1919 after months of argument among the delegations. "
    "Its critics said at once that the reparations clauses could not be paid, and the economists agreed with them. "
    "Germany lost territory in the east and the west, and its colonies were shared out as mandates. "
    "Historians still disagree about whether the settlement made a second war more likely "
    "or merely failed to prevent it."
)


@dataclass
class Built:
    """A generated PDF and what extraction should read from it."""

    path: Path
    lines: list[list[str]] = field(default_factory=list)
    footnotes: list[tuple[str, int, str]] = field(default_factory=list)
    words: list[tuple[int, str, tuple[float, float, float, float]]] = field(default_factory=list)


class _Writer:
    """A reportlab canvas that records the body lines and words it draws, in top-based coordinates."""

    def __init__(self, path: Path) -> None:
        self.built = Built(path)
        self.canvas = canvas.Canvas(str(path), pagesize=A4, invariant=1)
        self.page = 1
        self.built.lines.append([])

    def text(self, x: float, baseline: float, text: str, font: str = "Times-Roman", size: float = 11,
             body: bool = True) -> float:
        """Draw ``text`` with its baseline ``baseline`` points below the page top; returns the x after it."""
        self.canvas.setFont(font, size)
        self.canvas.drawString(x, HEIGHT - baseline, text)
        if body:
            pos = x
            for word in text.split(" "):
                width = stringWidth(word, font, size)
                if word:
                    box = (pos + 0.5, baseline - 0.55 * size, pos + width - 0.5, baseline + 0.1 * size)
                    self.built.words.append((self.page, word, box))
                pos += width + stringWidth(" ", font, size)
        return x + stringWidth(text, font, size)

    def line(self, x: float, baseline: float, text: str, **kwargs) -> None:
        """Draw one body line and expect it back as a line."""
        self.text(x, baseline, text, **kwargs)
        self.built.lines[-1].append(text)

    def next_page(self) -> None:
        self.canvas.showPage()
        self.page += 1
        self.built.lines.append([])

    def save(self) -> Built:
        self.canvas.showPage()
        self.canvas.save()
        return self.built


def wrap(text: str, width: float, font: str = "Times-Roman", size: float = 11) -> list[str]:
    """Break ``text`` into lines no wider than ``width`` points."""
    return simpleSplit(text, font, size, width)


def one_column(path: Path) -> Built:
    """Two paragraphs in one column."""
    w = _Writer(path)
    y = 90.0
    for paragraph in (LOREM, LOREM.replace("1919", "1920")):
        for text in wrap(paragraph, 450):
            w.line(72, y, text)
            y += 14
        y += 8
    return w.save()


def columns(path: Path) -> Built:
    """Page 1: a full-width title and abstract over two columns; page 2: three columns. Columns share baselines."""
    w = _Writer(path)
    title = "The Settlement of 1919 and Its Critics"
    w.line((WIDTH - stringWidth(title, "Times-Bold", 18)) / 2, 80, title, font="Times-Bold", size=18)
    y = 110.0
    for text in wrap("Abstract. " + LOREM, 450, size=10):
        w.line(72, y, text, size=10)
        y += 13
    for count, width, gutter in ((2, 215, 20), (3, 140, 15)):
        texts = wrap((LOREM + " ") * count, width)
        per_column = (len(texts) + count - 1) // count
        top = y + 20
        for k in range(count):
            for i, text in enumerate(texts[k * per_column:(k + 1) * per_column]):
                w.line(72 + k * (width + gutter), top + 14 * i, text)
        if count == 2:
            w.next_page()
            y = 60.0
    return w.save()


def running_heads(path: Path) -> Built:
    """Four pages with alternating running heads, page numbers and a download stamp around one-column text."""
    w = _Writer(path)
    heads = ("Journal of Modern History 41 (2019)", "The Settlement and Its Critics")
    for page in range(4):
        w.text(72, 40, heads[page % 2], font="Times-Italic", size=9, body=False)
        y = 80.0
        for text in wrap(LOREM.replace("1919", str(1919 + page)), 450):
            w.line(72, y, text)
            y += 14
        w.text(WIDTH / 2, HEIGHT - 40, str(212 + page), size=10, body=False)
        w.text(72, HEIGHT - 24, f"Downloaded from journals.example.org on 3 May 2021, page {page + 1}", size=7,
               body=False)
        if page < 3:
            w.next_page()
    return w.save()


def footnotes(path: Path) -> Built:
    """Body text with superscript note marks, and a footnote zone in a smaller font above the page number."""
    w = _Writer(path)
    parts = [
        ("The delegates met in the Hall of Mirrors.", "1", " They signed the treaty at three o'clock."),
        ("The press called it a victor's peace.", "2", " Keynes resigned from the delegation."),
    ]
    y = 80.0
    for before, mark, after in parts:
        x = w.text(72, y, before)
        w.text(x, y - 4, mark, size=7, body=False)
        w.text(x + stringWidth(mark, "Times-Roman", 7), y, after)
        w.built.lines[-1].append(before + after)
        y += 14
    w.line(72, y, "Both events are well documented in the archives.")
    notes = [("1", "See the minutes of the Council of Four, 28 June 1919."), ("2", "Quoted in Smith (1998), p. 4.")]
    y = HEIGHT - 110
    w.canvas.line(72, 110, 200, 110)
    for number, text in notes:
        x = w.text(72, y - 3, number, size=6, body=False)
        w.text(x + 1, y, text, size=8.5, body=False)
        y += 11
    w.text(WIDTH / 2, HEIGHT - 40, "7", size=10, body=False)
    w.built.footnotes = [(number, 1, text) for number, text in notes]
    return w.save()


def drop_cap(path: Path) -> Built:
    """A three-line drop cap followed by a small-caps lead-in (capitals at a smaller size)."""
    w = _Writer(path)
    w.text(72, 122, "T", size=44, body=False)
    x = w.text(104, 90, "HE TREATY", size=8.5, body=False)
    texts = wrap("of Versailles was signed in June 1919. " + LOREM, 410 - (x - 104))
    first = texts[0]
    w.text(x + stringWidth(" ", "Times-Roman", 11), 90, first)
    w.built.lines[-1].append("THE TREATY " + first)
    w.built.words.insert(0, (1, "THE", (104.5, 90 - 4.5, x - 20, 90 + 1)))
    rest = wrap(" ".join(texts[1:]), 410)
    y = 104.0
    for i, text in enumerate(rest):
        w.line(104 if i < 2 else 72, y, text)
        y += 14
    return w.save()


def hyphenated(path: Path) -> Built:
    """Lines that end in hard hyphens and in a soft hyphen (U+00AD), which extraction shows as ``-``."""
    w = _Writer(path)
    lines = [
        "The delegations spent months in argu-",
        "ment over the reparations, and the Government-",
        "to-government talks broke down in the sum\u00ad",
        "mer of that year.",
    ]
    for i, text in enumerate(lines):
        w.text(72, 90 + 14 * i, text)
        w.built.lines[-1].append(text.replace("\u00ad", "-"))
    return w.save()


def essay_paragraphs() -> list[str]:
    """The sample essay's paragraphs and headings, from its clean transcription."""
    return [p.strip() for p in ESSAY.read_text(encoding="utf-8").split("\n\n") if p.strip()]


def essay(path: Path) -> Built:
    """The sample essay set in one column over several pages, with a running head and page numbers."""
    w = _Writer(path)
    y = 80.0
    for paragraph in essay_paragraphs():
        texts = wrap(paragraph, 450)
        if len(texts) == 1 and len(paragraph) < 70:
            y += 6  # a heading: some space above
        for text in texts:
            if y > HEIGHT - 90:
                w.text(WIDTH / 2, HEIGHT - 40, str(w.page), size=10, body=False)
                w.next_page()
                y = 80.0
            if y == 80.0:
                w.text(72, 45, "China and the International Space Station", font="Times-Italic", size=9, body=False)
            w.line(72, y, text)
            y += 14
        y += 14  # a blank line between paragraphs
    w.text(WIDTH / 2, HEIGHT - 40, str(w.page), size=10, body=False)
    return w.save()


def scanned(path: Path, dpi: int = 200) -> Built:
    """An image-only PDF: a one-column page rendered to pixels, with no text layer."""
    import pypdfium2 as pdfium

    digital = one_column(path.with_suffix(".digital.pdf"))
    pdf = pdfium.PdfDocument(str(digital.path))
    try:
        image = pdf[0].render(scale=dpi / 72).to_pil().convert("L")
    finally:
        pdf.close()
    image.save(path, "PDF", resolution=dpi)
    return Built(path, digital.lines)
