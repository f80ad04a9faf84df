from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import SAMPLE, make_pdf

from pipeline.cli import cli
from pipeline.export import DOCUMENT_COLUMNS, EDGE_COLUMNS, ENTITY_COLUMNS, SENTENCE_COLUMNS

ESSAY = ("The treaty failed because nobody enforced it.\n\nIn 1923 prices rose by 40 percent.\n\n"
         "Therefore reform must come first.\n")


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _run(args: list[str]):
    return CliRunner().invoke(cli, args, catch_exceptions=False)


@pytest.fixture()
def batch(tmp_path: Path) -> Path:
    folder = tmp_path / "in"
    (folder / "a").mkdir(parents=True)
    (folder / "b").mkdir()
    (folder / "a" / "essay.txt").write_text(ESSAY, encoding="utf-8")
    (folder / "b" / "essay.txt").write_text(ESSAY.replace("1923", "1924"), encoding="utf-8")
    make_pdf(folder / "report.pdf", [["The embargo was lifted in 1979.", "Trade grew because of it."]])
    (folder / "notes.csv").write_text("ignored,file\n", encoding="utf-8")
    return folder


def test_run_writes_every_table_with_contract_columns(batch: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = _run(["run", str(batch), "--out", str(out), "-j", "1"])  # workers: test_batch.py
    assert result.exit_code == 0, result.output
    assert "3 documents: 3 ok, 0 failed" in result.output
    for name, columns in [("sentences", SENTENCE_COLUMNS), ("edges", EDGE_COLUMNS), ("entities", ENTITY_COLUMNS),
                          ("documents", DOCUMENT_COLUMNS)]:
        with (out / f"{name}.csv").open(encoding="utf-8") as handle:
            assert next(csv.reader(handle)) == list(columns)
    documents = _read(out / "documents.csv")
    assert [d["doc_id"] for d in documents] == ["a-essay", "b-essay", "report"]
    assert {d["status"] for d in documents} == {"ok"}
    sentences = _read(out / "sentences.csv")
    assert {s["doc_id"] for s in sentences} == {"a-essay", "b-essay", "report"}
    clean = (out / "clean" / "a-essay.txt").read_text(encoding="utf-8")
    for s in sentences:
        if s["doc_id"] == "a-essay":
            assert clean[int(s["start_char"]):int(s["end_char"])] == s["text"]
    assert next(s for s in sentences if s["doc_id"] == "report")["page"] == "1"


def test_run_one_bad_file_fails_alone(batch: Path, tmp_path: Path) -> None:
    (batch / "broken.pdf").write_bytes(b"%PDF-1.4\n%garbage that is no pdf\n")
    (batch / "binary.txt").write_bytes(b"\x00\x01\x02\x03" * 10)
    out = tmp_path / "out"
    result = _run(["run", str(batch), "--out", str(out), "-j", "1"])  # in this process: its model is loaded once
    assert result.exit_code == 1
    documents = {d["doc_id"]: d for d in _read(out / "documents.csv")}
    assert documents["broken"]["status"] == "failed"
    assert documents["broken"]["error"].startswith(f"{batch / 'broken.pdf'}: ")
    assert documents["binary"]["error"] == f"{batch / 'binary.txt'}: binary file, not text"
    assert "\n" not in documents["broken"]["error"]
    assert documents["a-essay"]["status"] == "ok" and documents["report"]["status"] == "ok"
    assert {s["doc_id"] for s in _read(out / "sentences.csv")} == {"a-essay", "b-essay", "report"}
    assert "failed: " in result.output


def test_run_usage_errors_exit_2(tmp_path: Path) -> None:
    assert _run(["run", "--out", str(tmp_path / "o")]).exit_code == 2
    missing = _run(["run", str(tmp_path / "missing"), "--out", str(tmp_path / "o")])
    assert missing.exit_code == 2
    assert f"Error: {tmp_path / 'missing'}: no such file or folder" in missing.output


def test_run_links_chooses_the_linker_and_the_manifest_names_it(tmp_path: Path) -> None:
    essay = tmp_path / "essay.txt"
    essay.write_text(ESSAY.replace(".\n\nIn 1923", ". In 1923"), encoding="utf-8")
    shipped = _run(["run", str(essay), "--out", str(tmp_path / "shipped"), "-j", "1"])
    rules = _run(["run", str(essay), "--out", str(tmp_path / "rules"), "-j", "1", "--links", "rules"])
    assert "linker links-hgb-v1" in shipped.output and "linker rules" in rules.output
    assert [d["linker"] for d in _read(tmp_path / "shipped" / "documents.csv")] == ["links-hgb-v1"]
    assert [d["linker"] for d in _read(tmp_path / "rules" / "documents.csv")] == ["rules"]
    # the rules: evidence supports the nearest claim of its paragraph
    edges = _read(tmp_path / "rules" / "edges.csv")
    assert [(e["source_id"], e["target_id"], e["relation"]) for e in edges] == [("1", "0", "supports")]


def test_run_refuses_a_missing_model_linker_or_pipeline_before_writing(tmp_path: Path) -> None:
    essay = tmp_path / "essay.txt"
    essay.write_text(ESSAY, encoding="utf-8")
    missing = _run(["run", str(essay), "--out", str(tmp_path / "bad"), "--links", str(tmp_path)])
    assert missing.exit_code == 2
    assert f"Error: {tmp_path}: no such link model (expected model.skops in it, or 'rules')" in missing.output
    assert not (tmp_path / "bad").exists()  # refused before writing, so the corrected command can use the folder
    missing = _run(["run", str(essay), "--out", str(tmp_path / "bad"), "--model", str(tmp_path / "none")])
    assert missing.exit_code == 2 and "no such model" in missing.output and not (tmp_path / "bad").exists()
    missing = _run(["run", str(essay), "--out", str(tmp_path / "bad"), "--spacy-model", "no_such_pipeline"])
    assert missing.exit_code == 2 and "cannot load spaCy pipeline 'no_such_pipeline'" in missing.output
    assert not (tmp_path / "bad").exists()


def test_run_refuses_non_empty_out_then_overwrite_and_resume(tmp_path: Path) -> None:
    essay = tmp_path / "essay.txt"
    essay.write_text(ESSAY, encoding="utf-8")
    out = tmp_path / "out"
    out.mkdir()
    (out / "mine.txt").write_text("user file", encoding="utf-8")
    refused = _run(["run", str(essay), "--out", str(out)])
    assert refused.exit_code == 2 and "output folder is not empty" in refused.output
    assert _run(["run", str(essay), "--out", str(out), "--overwrite", "-q"]).exit_code == 0
    first = (out / "sentences.csv").read_text(encoding="utf-8")
    assert (out / "mine.txt").exists()
    assert _run(["run", str(essay), "--out", str(out), "--resume", "-q"]).exit_code == 0
    assert (out / "sentences.csv").read_text(encoding="utf-8") == first


def test_clean_command_prints_text_and_diff() -> None:
    text = _run(["clean", str(SAMPLE)])
    assert text.exit_code == 0
    assert "To understand the causes of the strategic" in text.output
    diff = _run(["clean", str(SAMPLE), "--diff"])
    assert "footnotes\t" in diff.output and "'eSA' -> 'ESA'" in diff.output
    off = _run(["clean", str(SAMPLE), "--no-case-repair"])
    assert "eSA" in off.output


def test_clean_command_bad_file_one_line_error(tmp_path: Path) -> None:
    result = _run(["clean", str(tmp_path / "nope.txt")])
    assert result.exit_code == 1
    assert result.output.strip() == f"Error: {tmp_path / 'nope.txt'}: no such file"


def test_console_script_runs(tmp_path: Path) -> None:
    script = Path(sys.executable).parent / "argmap"
    done = subprocess.run([str(script), "--version"], capture_output=True, text=True, check=False)
    assert done.returncode == 0 and "0.1.0" in done.stdout


def test_an_annotation_template_scores_the_map_against_itself_and_a_blank_one_is_refused(tmp_path: Path,
                                                                                       sample_result) -> None:
    import json

    from test_corpus import guideline_problems

    from pipeline.corpus import annotation_template, load_essay

    runner = CliRunner()
    prefilled = tmp_path / "notes" / "sample.json"
    prefilled.parent.mkdir()
    done = runner.invoke(cli, ["template", str(SAMPLE), "--out", str(prefilled), "--prefill"])
    assert done.exit_code == 0
    assert done.output == f"wrote {prefilled}: 61 sentences to annotate under corpus/GUIDELINES.md\n"
    data = json.loads(prefilled.read_text(encoding="utf-8"))
    assert not Path(data["source"]).is_absolute() and (prefilled.parent / data["source"]).resolve() == SAMPLE.resolve()
    essay = load_essay(prefilled)
    assert essay.split == "evaluation" and guideline_problems(essay) == []
    assert [s.text for s in essay.sentences] == [" ".join(s.text.split()) for s in sample_result.sentences]
    # The map scored against its own output: every edge right, as the alignment must give.
    done = runner.invoke(cli, ["evaluate", "--sample", str(prefilled)])
    assert done.exit_code == 0, done.output
    row = next(line for line in done.output.splitlines() if line.startswith("pair classifier "))
    assert row.split()[2:5] == ["1.000", "1.000", "1.000"]
    done = runner.invoke(cli, ["template", str(SAMPLE), "--out", str(prefilled)])
    assert done.exit_code == 2 and done.output == f"Error: {prefilled}: exists; refusing to overwrite an annotation\n"

    blank = tmp_path / "blank.json"
    blank.write_text(json.dumps(annotation_template("doc", str(SAMPLE), sample_result.sentences)), encoding="utf-8")
    paragraphs = json.loads(blank.read_text(encoding="utf-8"))["paragraphs"]
    assert {s["role"] for p in paragraphs for s in p["sentences"]} == {""}
    assert not any("links" in s or "thesis" in s for p in paragraphs for s in p["sentences"])
    done = runner.invoke(cli, ["evaluate", "--sample", str(blank)])
    assert done.exit_code == 1
    assert done.output == (f"Error: {blank}: doc s1: unknown role '' (use one of cause, evidence, conclusion, "
                           "other)\n")
