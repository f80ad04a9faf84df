"""Batch runs: many documents, one manifest, nothing finished ever lost.

Each document is processed on its own and its rows are written to its own
part folder (``OUT/.argmap/parts/<doc_id>/``), finished by an atomic
``status.json``. The contract tables in OUT are then merged from the parts in
input order, so they are the same whatever order documents finish in, and a
run that is interrupted can be resumed (``resume=True``) where it stopped.
"""

from __future__ import annotations

import json
import logging
import multiprocessing
import os
import re
import shutil
import signal
import threading
import time
import traceback
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import asdict, dataclass
from glob import glob
from hashlib import sha256
from pathlib import Path

from .errors import ArgmapError
from .export import (
    DOCUMENT_COLUMNS,
    FORMATS,
    MODEL_KINDS,
    ROWS,
    TABLES,
    concat_csv,
    format_csv,
    replaced_together,
    status_row,
    write_atomic,
    write_formats,
)
from .extract import SUFFIXES
from .persist import one_thread
from .process import Processor, Settings
from .types import DocumentStatus

logger = logging.getLogger(__name__)

STATE_DIR = ".argmap"
OUTPUTS = ("documents.csv", *(f"{name}.csv" for name in TABLES), "clean", STATE_DIR,
           *(f for f in FORMATS if f != "csv"))


@dataclass(frozen=True, slots=True)
class InputFile:
    """A document of the batch and its id."""

    path: Path
    doc_id: str


def discover(paths: Sequence[str | Path]) -> list[InputFile]:
    """Expand files, folders (recursively: .pdf, .txt, .md) and glob patterns into a batch.

    Folders are walked without following symbolic links, in sorted order.
    Each document gets an id from its path relative to the folder it was
    found in; ids that would collide get ``-2``, ``-3``, … in input order.

    Raises:
        ArgmapError: A path that does not exist and matches nothing as a glob.
    """
    found: list[tuple[Path, str]] = []
    for arg in paths:
        path = Path(arg)
        if path.is_dir():
            found.extend((f, _relative_id(f, path)) for f in _walk(path))
        elif path.exists() or path.is_symlink():
            found.append((path, path.stem))
        else:
            matches = sorted(glob(str(arg), recursive=True))
            if not matches:
                raise ArgmapError(f"{arg}: no such file or folder")
            for match in matches:
                m = Path(match)
                if m.is_dir():
                    found.extend((f, _relative_id(f, m)) for f in _walk(m))
                else:
                    found.append((m, m.stem))
    seen: set[Path] = set()
    used: set[str] = set()
    batch = []
    for path, base in found:
        key = path.resolve() if path.exists() else path
        if key in seen:
            continue
        seen.add(key)
        doc_id, n = base, 1
        while doc_id in used:
            n += 1
            doc_id = f"{base}-{n}"
        used.add(doc_id)
        batch.append(InputFile(path, doc_id))
    return batch


def _walk(folder: Path) -> list[Path]:
    """The documents under a folder, sorted by relative path, hidden files and folders skipped."""
    found = []
    for root, dirs, files in os.walk(folder, followlinks=False):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        found.extend(Path(root) / name for name in files
                     if Path(name).suffix.lower() in SUFFIXES and not name.startswith("."))
    return sorted(found, key=lambda p: p.relative_to(folder).parts)


def _relative_id(path: Path, folder: Path) -> str:
    relative = path.relative_to(folder).with_suffix("")
    return slugify("-".join(relative.parts))


def slugify(text: str) -> str:
    """A file-name-safe id: letters, digits, dots, dashes and underscores."""
    slug = re.sub(r"[^\w.-]+", "-", text, flags=re.UNICODE).strip("-.")
    return slug or "document"


@dataclass(frozen=True)
class BatchSummary:
    """What a batch did: one status per document, in input order."""

    statuses: tuple[DocumentStatus, ...]
    out: Path
    model: str
    linker: str

    @property
    def failed(self) -> tuple[DocumentStatus, ...]:
        return tuple(s for s in self.statuses if s.status == "failed")


Progress = Callable[[DocumentStatus], None]


def run_batch(
    files: Sequence[InputFile],
    out: str | Path,
    settings: Settings | None = None,
    *,
    jobs: int = 1,
    resume: bool = False,
    overwrite: bool = False,
    timeout: float | None = None,
    engine: str = "local",
    scheduler: str | None = None,
    merge_every: float = 30.0,
    progress: Progress | None = None,
) -> BatchSummary:
    """Process a batch of documents into the contract tables in ``out``.

    Args:
        files: The documents, from :func:`discover`.
        out: The output folder.
        settings: How to process each document.
        jobs: Worker processes (local engine) or workers of a local Dask cluster; 1 runs in this process.
        resume: Keep documents already finished in ``out`` with the same sha256.
        overwrite: Replace argmap's earlier outputs in ``out``.
        timeout: Seconds one document may take before it is failed (local engine).
        engine: ``local`` (processes on this machine) or ``dask`` (a dask.distributed cluster).
        scheduler: Address of a running Dask scheduler; without it a LocalCluster is started.
        merge_every: Seconds between refreshes of the tables while the batch runs.
        progress: Called with each document's status as it finishes.

    Returns:
        The status of every document, in input order.

    Raises:
        ArgmapError: The output folder is not empty (without resume/overwrite) or not writable,
            the role model or linker does not exist, or the Dask engine is asked for but not installed.
    """
    settings = settings or Settings()
    settings.check()
    out = Path(out)
    _prepare_out(out, resume=resume, overwrite=overwrite)
    parts = out / STATE_DIR / "parts"
    done: dict[str, DocumentStatus] = {}
    todo: list[InputFile] = []
    for item in files:
        previous = _finished(parts / item.doc_id, item.path) if resume else None
        if previous is not None:
            done[item.doc_id] = previous
        else:
            todo.append(item)
    order = [f.doc_id for f in files]
    if engine == "dask":
        statuses_of = _process_dask(todo, out, settings, jobs, scheduler)
    elif engine == "local":
        statuses_of = _process_local(todo, out, settings, jobs, timeout)
    else:
        raise ArgmapError(f"unknown engine {engine!r}: use local or dask")
    last_merge = time.monotonic()
    try:
        for status in statuses_of:
            done[status.doc_id] = status
            if progress:
                progress(status)
            if time.monotonic() - last_merge > merge_every:
                merge(out, [d for d in order if d in done])
                last_merge = time.monotonic()
    finally:
        statuses = tuple(done[d] for d in order if d in done)
        models = merge(out, [s.doc_id for s in statuses])
    used = {kind: ", ".join(sorted({m[kind] for m in models} - {""})) for kind in MODEL_KINDS}
    return BatchSummary(statuses, out, **used)


def _prepare_out(out: Path, *, resume: bool, overwrite: bool) -> None:
    if out.exists() and not out.is_dir():
        raise ArgmapError(f"{out}: output path exists and is not a folder")
    if out.exists() and any(out.iterdir()) and not (resume or overwrite):
        raise ArgmapError(f"{out}: output folder is not empty: use --resume to finish it or --overwrite to replace it")
    if overwrite and not resume:
        for name in OUTPUTS:
            target = out / name
            if target.is_dir():
                shutil.rmtree(target)
            elif target.exists():
                target.unlink()
    try:
        (out / STATE_DIR / "parts").mkdir(parents=True, exist_ok=True)
        (out / "clean").mkdir(exist_ok=True)
    except OSError as e:
        raise ArgmapError(f"{out}: cannot create output folder: {e.strerror or e}") from e
    if not os.access(out, os.W_OK):
        raise ArgmapError(f"{out}: output folder is not writable")


def _read_status(part: Path) -> tuple[DocumentStatus, dict[str, str]]:
    """A finished document's status and the models that labelled and linked it (MODEL_KINDS), from its part folder."""
    data = json.loads((part / "status.json").read_text(encoding="utf-8"))
    models = {kind: data.pop(kind, "") or "" for kind in MODEL_KINDS}
    data["warnings"] = tuple(data.get("warnings", ()))
    return DocumentStatus(**data), models


def _finished(part: Path, path: Path) -> DocumentStatus | None:
    """The earlier status of a document if it finished ok from the same bytes."""
    try:
        status, _ = _read_status(part)
        digest = sha256(path.read_bytes()).hexdigest()
    except (OSError, ValueError, TypeError):
        return None
    return status if status.status == "ok" and status.sha256 == digest else None


def _process_local(
    todo: Sequence[InputFile], out: Path, settings: Settings, jobs: int, timeout: float | None
) -> Iterator[DocumentStatus]:
    """Process documents in this process (jobs=1) or in a pool of worker processes, yielding as each finishes."""
    if not todo:
        return
    workers = min(jobs, len(todo))
    if workers <= 1:
        processor = _processor(settings)
        for item in todo:
            yield process_into(processor, item, out, timeout)
        return
    # forkserver, not fork: forking a parent that already runs BLAS or spaCy threads can deadlock a worker
    context = multiprocessing.get_context("forkserver")
    with ProcessPoolExecutor(workers, context, initializer=_init_worker, initargs=(settings,)) as pool:
        futures = [pool.submit(_work, item, out, timeout) for item in todo]
        try:
            for future in as_completed(futures):
                yield future.result()
        finally:
            for future in futures:
                future.cancel()


_PROCESSORS: dict[Settings, Processor] = {}


def _processor(settings: Settings) -> Processor:
    """The worker's Processor for these settings, loaded once per process (the spaCy pipeline and models)."""
    if settings not in _PROCESSORS:
        _PROCESSORS[settings] = Processor(settings)
    return _PROCESSORS[settings]


_WORKER_SETTINGS: Settings | None = None
_WORKER_THREADS: object = None  # the worker's thread limits, kept for its lifetime


def _init_worker(settings: Settings) -> None:
    global _WORKER_SETTINGS, _WORKER_THREADS
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl-C and merges what finished
    _WORKER_SETTINGS = settings
    _processor(settings)
    # one worker per core: native thread pools (BLAS, OpenMP) loaded by now get one thread each, for good
    _WORKER_THREADS = one_thread()


def _work(item: InputFile, out: Path, timeout: float | None) -> DocumentStatus:
    assert _WORKER_SETTINGS is not None, "worker not initialised"
    return process_into(_processor(_WORKER_SETTINGS), item, out, timeout)


def _process_dask(
    todo: Sequence[InputFile], out: Path, settings: Settings, jobs: int, scheduler: str | None
) -> Iterator[DocumentStatus]:
    """Run the same per-document function on a dask.distributed cluster, one task per chunk of files.

    Workers must see the input files and ``out`` at the same paths (a shared
    file system); each loads the pipeline once and writes its documents' parts.
    """
    try:
        from dask.distributed import Client, LocalCluster
        from dask.distributed import as_completed as dask_completed
    except ImportError as e:
        raise ArgmapError("the dask engine needs dask.distributed: pip install 'argmap[dask]'") from e
    if not todo:
        return
    cluster = None if scheduler else LocalCluster(n_workers=max(jobs, 1), threads_per_worker=1, processes=True,
                                                  dashboard_address=None)
    client = Client(scheduler or cluster)
    try:
        size = max(1, min(16, len(todo) // (4 * max(jobs, 1)) or 1))
        chunks = [list(todo[i:i + size]) for i in range(0, len(todo), size)]
        futures = [client.submit(_dask_chunk, chunk, str(out), settings, pure=False) for chunk in chunks]
        for future in dask_completed(futures):
            yield from future.result()
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def _dask_chunk(chunk: list[InputFile], out: str, settings: Settings) -> list[DocumentStatus]:
    processor = _processor(settings)
    return [process_into(processor, item, Path(out)) for item in chunk]


class DocumentTimeout(Exception):
    """Raised inside a document's processing when it runs past the time limit."""


def process_into(processor: Processor, item: InputFile, out: Path, timeout: float | None = None) -> DocumentStatus:
    """Process one document and write its part files; never raises for a bad document.

    With ``timeout`` (seconds; only in a process's main thread), a document
    that takes longer is failed with a one-line reason instead of hanging the batch.
    """
    part = out / STATE_DIR / "parts" / item.doc_id
    started = time.perf_counter()
    models = dict.fromkeys(MODEL_KINDS, "")
    try:
        with _time_limit(timeout):
            result = processor.process_file(item.path, item.doc_id)
    except DocumentTimeout:
        status = _failed(item, f"{item.path}: timed out after {timeout:g} s (see --timeout)")
    except ArgmapError as e:
        status = _failed(item, e)
    except Exception as e:  # a bug must cost one document, not the batch
        logger.error("internal error on %s:\n%s", item.path, traceback.format_exc())
        status = _failed(item, f"{item.path}: internal error: {type(e).__name__}: {e}")
    else:
        for name, columns in TABLES.items():
            write_atomic(part / f"{name}.csv",
                         format_csv(columns, ROWS[name](result), safe=processor.settings.excel_safe))
        write_atomic(out / "clean" / f"{item.doc_id}.txt", result.clean.text + "\n")
        write_formats(result, out, processor.settings.formats)
        status = DocumentStatus(item.doc_id, str(item.path), result.sha256, "ok", "", result.pages,
                                len(result.sentences), result.seconds, result.warnings, len(result.clean.text.split()))
        models = {"model": result.model, "linker": result.linker}
    if status.status == "failed":
        status = DocumentStatus(**{**asdict(status), "seconds": time.perf_counter() - started})
    record = {**asdict(status), "warnings": list(status.warnings), **models}
    write_atomic(part / "status.json", json.dumps(record, sort_keys=True, indent=1) + "\n")
    return status


def _failed(item: InputFile, error: object) -> DocumentStatus:
    return DocumentStatus(item.doc_id, str(item.path), _digest(item.path), "failed", " ".join(str(error).split()))


class _time_limit:
    """Raise DocumentTimeout in the main thread after ``seconds`` (a no-op without a limit or off the main thread)."""

    def __init__(self, seconds: float | None) -> None:
        self.seconds = seconds if seconds and threading.current_thread() is threading.main_thread() else None

    def __enter__(self) -> None:
        if self.seconds:
            self.previous = signal.signal(signal.SIGALRM, self._expire)
            signal.setitimer(signal.ITIMER_REAL, self.seconds)

    def __exit__(self, *exc: object) -> None:
        if self.seconds:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, self.previous)

    @staticmethod
    def _expire(signum: int, frame: object) -> None:
        raise DocumentTimeout


def _digest(path: Path) -> str:
    try:
        return sha256(path.read_bytes()).hexdigest()
    except OSError:
        return ""


def merge(out: Path, doc_ids: Sequence[str]) -> list[dict[str, str]]:
    """Write the contract tables and the manifest in ``out`` from the finished part folders, in order.

    All files are written before any replaces its old version, and the manifest
    is replaced last: even after ``kill -9`` every document the manifest lists
    has all its rows in every table.

    Returns the names of each document's models (MODEL_KINDS).
    """
    parts = out / STATE_DIR / "parts"
    rows, models = [], []
    for doc_id in doc_ids:
        status, used = _read_status(parts / doc_id)
        rows.append(status_row(status, used))
        models.append(used)
    with replaced_together() as together:
        for name, columns in TABLES.items():
            concat_csv(out / f"{name}.csv", columns, [parts / d / f"{name}.csv" for d in doc_ids], together=together)
        write_atomic(out / "documents.csv", format_csv(DOCUMENT_COLUMNS, rows), together=together)
    return models
