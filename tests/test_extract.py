from __future__ import annotations

import codecs

import pytest
from conftest import make_pdf

from pipeline.errors import ExtractionError, InputError
from pipeline.extract import NO_TEXT_LAYER, decode_text, extract, text_pages


@pytest.mark.parametrize(
    ("data", "text", "warned"),
    [
        ("Plain ASCII.".encode(), "Plain ASCII.", False),
        ("Caf\u00e9 \u2019quoted\u2019".encode(), "Caf\u00e9 \u2019quoted\u2019", False),
        (codecs.BOM_UTF8 + "BOM text".encode(), "BOM text", False),
        (codecs.BOM_UTF16_LE + "UTF-16 text".encode("utf-16-le"), "UTF-16 text", False),
        ("Caf\u00e9 \u2013 na\u00efve".encode("cp1252"), "Caf\u00e9 \u2013 na\u00efve", True),
    ],
)
def test_decode_text_reads_each_encoding(data: bytes, text: str, warned: bool) -> None:
    decoded, warnings = decode_text(data)
    assert decoded == text
    assert bool(warnings) == warned


def test_decode_text_refuses_binary() -> None:
    with pytest.raises(InputError, match="binary file"):
        decode_text(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "image.txt")


def test_text_pages_split_at_form_feeds() -> None:
    pages = text_pages("one\ntwo\fthree")
    assert [p.number for p in pages] == [1, 2]
    assert [p.text for p in pages] == ["one\ntwo", "three"]


def test_extract_text_file_hash_and_pages(tmp_path) -> None:
    path = tmp_path / "essay.txt"
    path.write_text("First line.\fSecond page.", encoding="utf-8")
    raw = extract(path)
    assert raw.doc_id == "essay"
    assert len(raw.pages) == 2
    assert raw.text == "First line.\n\nSecond page."
    assert raw.page_starts == (0, 13)
    assert len(raw.sha256) == 64


@pytest.mark.parametrize(("content", "reason"), [(b"", "empty document"), (b"  \n\t\n", "empty document")])
def test_extract_refuses_empty(tmp_path, content: bytes, reason: str) -> None:
    path = tmp_path / "empty.txt"
    path.write_bytes(content)
    with pytest.raises(InputError, match=reason):
        extract(path)


def test_extract_missing_file_names_it(tmp_path) -> None:
    with pytest.raises(InputError) as info:
        extract(tmp_path / "nope.txt")
    assert str(info.value) == f"{tmp_path / 'nope.txt'}: no such file"


def test_extract_pdf_lines_and_pages(tmp_path) -> None:
    path = make_pdf(tmp_path / "two.pdf", [["The treaty was signed in 1919.", "It failed."], ["Page two begins here."]])
    raw = extract(path)
    assert [p.number for p in raw.pages] == [1, 2]
    assert [line.text for line in raw.pages[0].lines] == ["The treaty was signed in 1919.", "It failed."]
    assert raw.pages[1].lines[0].text == "Page two begins here."
    line = raw.pages[0].lines[0]
    assert line.x0 == pytest.approx(72, abs=1) and line.top is not None and line.top < line.bottom


def test_extract_pdf_without_text_layer(tmp_path) -> None:
    path = make_pdf(tmp_path / "blank.pdf", [[]])
    with pytest.raises(ExtractionError, match=NO_TEXT_LAYER):
        extract(path)


def test_extract_not_a_pdf(tmp_path) -> None:
    path = tmp_path / "fake.pdf"
    path.write_text("<html>not a pdf</html>", encoding="utf-8")
    with pytest.raises(ExtractionError, match="not a PDF"):
        extract(path)


def test_extract_truncated_pdf(tmp_path) -> None:
    good = make_pdf(tmp_path / "good.pdf", [["Some text on the page."]])
    bad = tmp_path / "truncated.pdf"
    bad.write_bytes(good.read_bytes()[:300])
    with pytest.raises(ExtractionError, match=r"truncated\.pdf: (corrupt|unreadable|no text layer)"):
        extract(bad)


def test_extract_refuses_oversized(tmp_path) -> None:
    path = tmp_path / "big.txt"
    path.write_text("word " * 100, encoding="utf-8")
    with pytest.raises(InputError, match="file too large"):
        extract(path, max_bytes=100)
