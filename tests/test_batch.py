"""Batch runs: ids, parallel and Dask engines, resume, time limits, and interruption (Ctrl-C and kill -9)."""

from __future__ import annotations

import csv
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from pipeline.batch import discover, run_batch
from pipeline.process import Settings

TABLE_FILES = ("sentences.csv", "edges.csv", "entities.csv", "edits.csv")
TOPICS = ["the treaty", "the tariff", "the embargo", "the reform", "the blockade", "the loan", "the strike",
          "the census"]


# Batch mechanics do not depend on the role model: where a test starts fresh processes, the shipped model
# without its sentence encoder spares each of them loading torch (the two-worker test keeps the full model).
FAST = Settings(model="stacked")


def write_batch(folder: Path, n: int) -> Path:
    """A folder of ``n`` short, distinct essays."""
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        topic = TOPICS[i % len(TOPICS)]
        text = (
            f"Essay {i} asks why {topic} failed.\n\n"
            f"In {1900 + i} {topic} was signed by {i + 2} states, according to the report.\n"
            f"It failed because nobody enforced it, and trade fell by {10 + i} percent.\n\n"
            f"Therefore {topic} must be judged a failure of will, not of design.\n"
        )
        (folder / f"essay-{i:03d}.txt").write_text(text, encoding="utf-8")
    return folder


def read_tables(out: Path) -> dict[str, str]:
    tables = {name: (out / name).read_text(encoding="utf-8") for name in TABLE_FILES}
    with (out / "documents.csv").open(encoding="utf-8", newline="") as handle:
        rows = [{k: v for k, v in row.items() if k != "seconds"} for row in csv.DictReader(handle)]
    tables["documents"] = repr(rows)
    return tables


def doc_ids(path: Path) -> set[str]:
    with path.open(encoding="utf-8", newline="") as handle:
        return {row["doc_id"] for row in csv.DictReader(handle)}


@pytest.fixture(scope="module")
def essays(tmp_path_factory) -> Path:
    return write_batch(tmp_path_factory.mktemp("essays"), 12)


@pytest.fixture(scope="module")
def reference(essays: Path, tmp_path_factory) -> dict[str, str]:
    out = tmp_path_factory.mktemp("ref") / "out"
    summary = run_batch(discover([essays]), out, jobs=1)
    assert len(summary.statuses) == 12 and not summary.failed
    return read_tables(out)


def test_discover_ids_are_unique_and_stable(tmp_path: Path) -> None:
    for folder in ("a", "b", "c d", "é"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "essay.txt").write_text("Text.", encoding="utf-8")
    (tmp_path / "a" / "essay.md").write_text("Text.", encoding="utf-8")
    (tmp_path / "loop").symlink_to(tmp_path, target_is_directory=True)
    ids = [f.doc_id for f in discover([tmp_path])]
    assert ids == ["a-essay", "a-essay-2", "b-essay", "c-d-essay", "é-essay"]
    assert [f.doc_id for f in discover([tmp_path])] == ids


def test_two_workers_give_identical_tables(essays: Path, reference: dict[str, str], tmp_path: Path) -> None:
    run_batch(discover([essays]), tmp_path / "out", jobs=2)
    assert read_tables(tmp_path / "out") == reference


def test_dask_engine_gives_identical_tables(essays: Path, tmp_path: Path) -> None:
    pytest.importorskip("dask.distributed")
    files = discover([essays])
    run_batch(files, tmp_path / "one", FAST, jobs=1)
    run_batch(files, tmp_path / "out", FAST, jobs=2, engine="dask")
    assert read_tables(tmp_path / "out") == read_tables(tmp_path / "one")


def test_resume_after_partial_run_gives_identical_tables(essays: Path, reference: dict[str, str],
                                                         tmp_path: Path) -> None:
    files = discover([essays])
    run_batch(files[:5], tmp_path / "out", jobs=1)
    seen = []
    summary = run_batch(files, tmp_path / "out", jobs=1, resume=True, progress=lambda s: seen.append(s.doc_id))
    assert len(seen) == 7 and len(summary.statuses) == 12
    assert read_tables(tmp_path / "out") == reference


def test_timeout_fails_one_document(essays: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from pipeline import batch

    original = batch.Processor.process_file

    def slow(self, path, doc_id=None):
        if doc_id == "essay-001":
            time.sleep(5)
        return original(self, path, doc_id)

    monkeypatch.setattr(batch.Processor, "process_file", slow)
    summary = run_batch(discover([essays])[:3], tmp_path / "out", jobs=1, timeout=0.5)
    failed = {s.doc_id: s.error for s in summary.failed}
    assert list(failed) == ["essay-001"] and failed["essay-001"].endswith("timed out after 0.5 s (see --timeout)")
    assert doc_ids(tmp_path / "out" / "sentences.csv") == {"essay-000", "essay-002"}


def _start(essays: Path, out: Path, *extra: str) -> subprocess.Popen:
    script = Path(sys.executable).parent / "argmap"
    return subprocess.Popen([str(script), "run", str(essays), "--out", str(out), "-j", "1", "-q", "--model", FAST.model,
                             *extra],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def _wait_for_parts(out: Path, n: int, limit: float = 120) -> None:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if len(list((out / ".argmap" / "parts").glob("*/status.json"))) >= n:
            return
        time.sleep(0.05)
    raise AssertionError("batch made no progress")


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGKILL])
def test_interrupted_batch_is_consistent_and_resumes(sig: int, tmp_path: Path) -> None:
    essays = write_batch(tmp_path / "essays", 30)
    out = tmp_path / "out"
    process = _start(essays, out, "--merge-every", "0.2")
    _wait_for_parts(out, 8)
    os.kill(process.pid, sig)
    process.wait(timeout=60)
    assert process.returncode != 0
    if (out / "documents.csv").exists():
        manifest = doc_ids(out / "documents.csv")
        assert 0 < len(manifest) < 30
        for name in TABLE_FILES:
            with (out / name).open(encoding="utf-8", newline="") as handle:
                list(csv.reader(handle))  # every table parses
        # the manifest is replaced last, so a kill between two renames can leave tables one merge ahead of it
        assert manifest <= doc_ids(out / "sentences.csv") and manifest <= doc_ids(out / "edges.csv")
        if sig == signal.SIGINT:
            assert doc_ids(out / "sentences.csv") == manifest
    else:
        assert sig == signal.SIGKILL
    files = discover([essays])
    run_batch(files, out, FAST, jobs=1, resume=True)
    run_batch(files, tmp_path / "whole", FAST, jobs=1)
    assert read_tables(out) == read_tables(tmp_path / "whole")


def test_settings_are_hashable_for_worker_caches() -> None:
    assert hash(Settings()) == hash(Settings())
