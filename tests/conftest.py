"""Shared fixtures: the sample essay, one Processor per session, PDFs made on the fly, golden files."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "corpus" / "samples" / "china-iss-essay.ocr.txt"

ESSAY_WITH_BACK_MATTER = """The Tariff

The tariff deepened the crash.1 Congress raised duties again.2

5. Notes

1. Frank Taussig, The Tariff History (New York: Putnam, 1931), vol. 2 (of 3), 489. 2. See Douglas
Irwin, Peddling Protectionism (Princeton, 2011), 12-15.

3. Ibid., 101, a note that runs on over the page
break.

Bibliography

Irwin, Douglas. Peddling Protectionism. Princeton, 2011.

Appendix

A table of duties follows."""
"""An essay with a numbered notes section, a bibliography and an appendix after them."""
GOLDEN = Path(__file__).resolve().parent / "golden"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-golden", action="store_true", help="Rewrite golden files from the current output.")


@pytest.fixture(scope="session")
def update_golden(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-golden"))


@pytest.fixture(scope="session")
def golden(update_golden: bool):
    """Compare text with a golden file under tests/golden/ (rewriting it first with --update-golden)."""

    def check(relative: str, text: str) -> None:
        path = GOLDEN / relative
        if update_golden:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        assert text == path.read_text(encoding="utf-8")

    return check


@pytest.fixture(scope="session")
def processor():
    from pipeline.process import Processor

    return Processor()


@pytest.fixture(scope="session")
def sample_result(processor):
    return processor.process_file(SAMPLE)


def make_pdf(path: Path, pages: list[list[str]], font_size: int = 11) -> Path:
    """Write a simple one-column PDF whose pages hold the given lines (a real text layer, via reportlab)."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    c = canvas.Canvas(str(path), pagesize=A4)
    width, height = A4
    for lines in pages:
        text = c.beginText(72, height - 72)
        text.setFont("Times-Roman", font_size)
        for line in lines:
            text.textLine(line)
        c.drawText(text)
        c.showPage()
    c.save()
    return path
