"""Hostile input: every bad file gets a one-line answer in the manifest, and the good ones are complete.

Every input is generated here; nothing binary is stored in git.
"""

from __future__ import annotations

import codecs
import csv
import os
import random
import zlib
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.cli import cli
from pipeline.errors import ArgmapError

GOOD = ("The treaty failed because nobody enforced it.\n\nIn 1923 prices rose by 40 percent.\n\n"
        "Therefore reform must come first.\n")


def _pdf(path: Path, pages: list[str], **canvas_args) -> Path:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    c = canvas.Canvas(str(path), pagesize=canvas_args.pop("pagesize", A4), **canvas_args)
    for text in pages:
        if text:
            c.drawString(72, 700, text)
        c.showPage()
    c.save()
    return path


def _bomb(path: Path, megabytes: int) -> Path:
    """A one-page PDF whose content stream inflates to ``megabytes`` of spaces."""
    stream = zlib.compress(b"BT /F1 12 Tf 72 700 Td (Bomb) Tj ET" + b" " * (megabytes << 20), 9)
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 << /Type /Font /Subtype /Type1 /BaseFont /Helvetica >> >> >> >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream) + stream + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    path.write_bytes(bytes(out))
    return path


@pytest.fixture(scope="module")
def hostile(tmp_path_factory) -> tuple[Path, dict[str, dict[str, str]], str]:
    """One batch of every hostile input next to good documents, run once; the manifest rows by doc_id."""
    root = tmp_path_factory.mktemp("hostile")
    d = root / "in"
    (d / "one").mkdir(parents=True)
    (d / "two").mkdir()
    (d / "good.txt").write_text(GOOD, encoding="utf-8")
    (d / "one" / "essay.txt").write_text(GOOD, encoding="utf-8")
    (d / "two" / "essay.txt").write_text(GOOD.replace("1923", "1924"), encoding="utf-8")
    (d / "with space é.txt").write_text(GOOD, encoding="utf-8")
    (d / "empty.txt").write_bytes(b"")
    (d / "blank.txt").write_text(" \n\t\n  \n", encoding="utf-8")
    (d / "binary.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    (d / "latin1.txt").write_bytes("Caf\u00e9 society met in 1923, because the r\u00e9gime fell.".encode("latin-1"))
    (d / "utf16.txt").write_bytes(codecs.BOM_UTF16_LE + GOOD.encode("utf-16-le"))
    (d / "utf16-nobom.txt").write_bytes(GOOD.encode("utf-16-be"))
    (d / "german.txt").write_text(
        "Der Vertrag scheiterte, weil niemand ihn durchsetzte. Die Preise stiegen im Jahr 1923 um vierzig Prozent, "
        "und die Regierung musste handeln. Deshalb muss die Reform zuerst kommen, "
        "sagte der Minister im Parlament. " * 3,
        encoding="utf-8")
    (d / "html.pdf").write_text("<!DOCTYPE html><html><body>Not a PDF</body></html>", encoding="utf-8")
    good_pdf = _pdf(root / "good.pdf", ["The embargo was lifted in 1979 because trade mattered."])
    (d / "truncated.pdf").write_bytes(good_pdf.read_bytes()[:400])
    (d / "corrupt.pdf").write_bytes(b"%PDF-1.4\n" + random.Random(0).randbytes(3000))
    _pdf(d / "encrypted.pdf", ["Secret text about the 1919 treaty."], encrypt="secret")
    _pdf(d / "scan.pdf", [""])
    _pdf(d / "long.pdf", [f"Page {i} says the war went on." for i in range(12)])
    _bomb(d / "bomb.pdf", 64)
    _pdf(d / "hugepage.pdf", ["A page two hundred inches wide, from 1919."], pagesize=(14400, 14400))
    words = "the treaty failed because nobody enforced its terms and prices rose".split()
    rng = random.Random(1)
    (d / "nopunct.txt").write_text(" ".join(rng.choice(words) for _ in range(8000)), encoding="utf-8")
    (d / "longtoken.txt").write_text("x" * 120_000 + " is a token. " + GOOD, encoding="utf-8")
    (d / "formula.txt").write_text("=HYPERLINK(\"http://x\") starts this line.\n\n" + GOOD, encoding="utf-8")
    (d / "selfloop.txt").symlink_to(d / "selfloop.txt")
    (d / "dirloop").symlink_to(d, target_is_directory=True)
    out = root / "out"
    result = CliRunner().invoke(cli, ["run", str(d), "--out", str(out), "-j", "1", "--max-pages", "10",
                                      "--timeout", "120"],
                                catch_exceptions=False)
    with (out / "documents.csv").open(encoding="utf-8", newline="") as handle:
        rows = {row["doc_id"]: row for row in csv.DictReader(handle)}
    return out, rows, result.output


REFUSED = {
    "empty": "empty document: no text",
    "blank": "empty document: no text",
    "binary": "binary file, not text",
    "html": "not a PDF (no %PDF header)",
    "encrypted": "encrypted PDF: give the password with --password",
    "scan": "no text layer: run OCR first, for example ocrmypdf",
    "long": "too many pages: 12 (limit 10, see --max-pages)",
}


@pytest.mark.parametrize(("doc_id", "reason"), sorted(REFUSED.items()))
def test_refused_with_one_line_reason(hostile, doc_id: str, reason: str) -> None:
    _, rows, _ = hostile
    row = rows[doc_id]
    assert row["status"] == "failed"
    assert row["error"].endswith(reason) and row["path"] in row["error"] and "\n" not in row["error"]


@pytest.mark.parametrize("doc_id", ["truncated", "corrupt"])
def test_broken_pdfs_refused(hostile, doc_id: str) -> None:
    _, rows, _ = hostile
    assert rows[doc_id]["status"] == "failed"
    assert any(word in rows[doc_id]["error"] for word in ("corrupt", "truncated", "unreadable", "no text layer"))


def test_symlink_loop_refused_and_folder_loop_not_followed(hostile) -> None:
    _, rows, _ = hostile
    assert rows["selfloop"]["status"] == "failed" and "cannot read" in rows["selfloop"]["error"]
    assert not any(doc_id.startswith("dirloop") for doc_id in rows)


def test_good_documents_complete_and_distinct(hostile) -> None:
    out, rows, output = hostile
    for doc_id in ("good", "one-essay", "two-essay", "with-space-é", "latin1", "utf16", "utf16-nobom", "german",
                   "nopunct", "longtoken"):
        assert rows[doc_id]["status"] == "ok", rows[doc_id]
        assert (out / "clean" / f"{doc_id}.txt").exists()
    with (out / "sentences.csv").open(encoding="utf-8", newline="") as handle:
        sentences = list(csv.DictReader(handle))
    assert {"one-essay", "two-essay", "good"} <= {s["doc_id"] for s in sentences}
    assert "failed: " in output


def test_encodings_read_correctly(hostile) -> None:
    out, rows, _ = hostile
    assert "Windows-1252" in rows["latin1"]["warnings"]
    assert "r\u00e9gime" in (out / "clean" / "latin1.txt").read_text(encoding="utf-8")
    assert (out / "clean" / "utf16.txt").read_text(encoding="utf-8").startswith("The treaty failed")
    assert (out / "clean" / "utf16-nobom.txt").read_text(encoding="utf-8").startswith("The treaty failed")
    assert rows["utf16-nobom"]["warnings"] == "read as UTF-16 without a byte-order mark"
    assert rows["german"]["warnings"].startswith("may not be English")


def test_decompression_bomb_and_enormous_page_are_answered(hostile) -> None:
    _, rows, _ = hostile
    assert rows["bomb"]["status"] in ("ok", "failed") and float(rows["bomb"]["seconds"]) < 120
    assert rows["hugepage"]["status"] == "ok" and float(rows["hugepage"]["seconds"]) < 60


def test_formula_cells_neutralised(hostile) -> None:
    out, _, _ = hostile
    text = (out / "sentences.csv").read_text(encoding="utf-8")
    assert "'=HYPERLINK" in text and ",=HYPERLINK" not in text


def test_no_excel_safe_keeps_cells(tmp_path: Path) -> None:
    (tmp_path / "f.txt").write_text("=1+1 is a formula.\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["run", str(tmp_path / "f.txt"), "--out", str(tmp_path / "o"), "-q",
                                      "--no-excel-safe"])
    assert result.exit_code == 0
    assert ",=1+1 is a formula.," in (tmp_path / "o" / "sentences.csv").read_text(encoding="utf-8")


def test_password_opens_encrypted_pdf(tmp_path: Path) -> None:
    _pdf(tmp_path / "locked.pdf", ["The 1919 treaty failed because nobody enforced it."], encrypt="secret")
    result = CliRunner().invoke(cli, ["run", str(tmp_path / "locked.pdf"), "--out", str(tmp_path / "o"), "-q",
                                      "--password", "secret"])
    assert result.exit_code == 0, result.output
    assert "1919 treaty" in (tmp_path / "o" / "clean" / "locked.txt").read_text(encoding="utf-8")


def test_huge_text_file_refused(tmp_path: Path) -> None:
    big = tmp_path / "big.txt"
    with big.open("wb") as handle:
        handle.truncate(50_000_001)
    result = CliRunner().invoke(cli, ["run", str(big), "--out", str(tmp_path / "o"), "-q"])
    assert result.exit_code == 1
    assert "file too large: 50,000,001 bytes (limit 50,000,000, see --max-bytes)" in result.output


def test_output_folder_that_is_a_file(tmp_path: Path) -> None:
    (tmp_path / "f.txt").write_text(GOOD, encoding="utf-8")
    (tmp_path / "taken").write_text("x", encoding="utf-8")
    result = CliRunner().invoke(cli, ["run", str(tmp_path / "f.txt"), "--out", str(tmp_path / "taken" / "sub"), "-q"])
    assert result.exit_code == 2 and result.output.startswith("Error: ") and result.output.count("\n") == 1


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads and writes everything; permission errors cannot be made")
def test_unreadable_file_and_unwritable_output(tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    secret = tmp_path / "in" / "secret.txt"
    secret.write_text(GOOD, encoding="utf-8")
    secret.chmod(0)
    result = CliRunner().invoke(cli, ["run", str(tmp_path / "in"), "--out", str(tmp_path / "o"), "-q"])
    assert result.exit_code == 1 and "permission denied" in (tmp_path / "o" / "documents.csv").read_text()
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    result = CliRunner().invoke(cli, ["run", str(tmp_path / "in"), "--out", str(locked / "o"), "-q"])
    assert result.exit_code == 2


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(st.text(max_size=300))
def test_text_path_survives_any_unicode(processor, text: str) -> None:
    try:
        result = processor.process_text(text)
    except ArgmapError:
        return
    clean = result.clean.text
    for s in result.sentences:
        assert clean[s.start:s.end] == s.text
        assert 0 <= s.raw_start <= s.raw_end <= len(
            text.replace("\r\n", "\n").replace("\r", "\n").replace("\f", "\n")) + 2
    assert processor.process_text(clean).clean.text == clean
