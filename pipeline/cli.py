"""The ``argmap`` command: a thin layer that parses options, calls the library and writes results."""

from __future__ import annotations

import logging
import sys
from collections import Counter
from collections.abc import Callable
from contextlib import nullcontext
from pathlib import Path
from typing import Any

import click

from .errors import ArgmapError

EXIT_FAILED_DOCUMENTS = 1
EXIT_USAGE = 2


class UsageError(click.ClickException):
    """An error in what was asked for (paths, output folder): exit code 2, no usage text."""

    exit_code = EXIT_USAGE


def clean_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """The switches that turn OCR repairs off, shared by ``run`` and ``clean``."""
    for flag, help_text in reversed(
        [
            ("--no-case-repair", "Do not restore lost capitals and small caps."),
            ("--no-join-lines", "Keep the line breaks of the input (no de-hyphenation, no paragraph joining)."),
            ("--no-footnote-repair", "Leave note numbers glued to words."),
        ]
    ):
        command = click.option(flag, is_flag=True, help=help_text)(command)
    return command


def _clean_settings(no_case_repair: bool, no_join_lines: bool, no_footnote_repair: bool) -> Any:
    from .clean import CleanOptions

    return CleanOptions(case=not no_case_repair, join_lines=not no_join_lines, footnotes=not no_footnote_repair)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="argmap")
@click.option("-v", "--verbose", count=True, help="Log more (-v info, -vv debug) to stderr.")
def cli(verbose: int) -> None:
    """argmap: from OCR'd essays to argument maps of causes, evidence and conclusions."""
    level = logging.WARNING - 10 * min(verbose, 2)
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")


@cli.command()
@click.argument("paths", nargs=-1, required=True)
@click.option("--out", "-o", "out", required=True, type=click.Path(file_okay=False, path_type=Path), help="Output folder.")
@click.option("--model", default=None, help="Role model: 'rules' (cue rules) or a trained model path.")
@click.option("--spacy-model", default=None, help="Installed spaCy pipeline to use (default: en_core_web_sm).")
@click.option("--jobs", "-j", default=1, show_default=True, type=click.IntRange(1), help="Worker processes.")
@click.option("--resume", is_flag=True, help="Skip documents already finished in OUT with the same content.")
@click.option("--overwrite", is_flag=True, help="Replace argmap's earlier outputs in OUT.")
@click.option("--password", default=None, help="Password for encrypted PDFs.")
@click.option("--max-bytes", default=50_000_000, show_default=True, type=click.IntRange(1), help="Refuse larger files.")
@click.option("--max-pages", default=2_000, show_default=True, type=click.IntRange(1), help="Refuse PDFs with more pages.")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar and no summary.")
@clean_options
def run(paths: tuple[str, ...], out: Path, model: str | None, spacy_model: str | None, jobs: int, resume: bool,
        overwrite: bool, password: str | None, max_bytes: int, max_pages: int, quiet: bool, **switches: bool) -> None:
    """Analyse PATHS (files, folders, globs) and write the argument map tables to OUT."""
    from .batch import discover, run_batch
    from .process import Settings

    settings = Settings(model=model, spacy_model=spacy_model, clean=_clean_settings(**switches),
                        password=password, max_bytes=max_bytes, max_pages=max_pages)
    try:
        files = discover(paths)
        if not files:
            raise ArgmapError("no documents found (looked for .pdf, .txt, .md)")
        show = not quiet and sys.stderr.isatty()
        with click.progressbar(length=len(files), label="argmap", file=sys.stderr) if show else nullcontext() as bar:
            def progress(status: Any) -> None:
                if bar is not None:
                    bar.update(1)
                if status.status == "failed":
                    click.echo(f"failed: {status.error}", err=True)

            summary = run_batch(files, out, settings, jobs=jobs, resume=resume, overwrite=overwrite, progress=progress)
    except ArgmapError as e:
        raise UsageError(str(e)) from e
    if not quiet:
        click.echo(_summary(summary))
    if summary.failed:
        sys.exit(EXIT_FAILED_DOCUMENTS)


def _summary(summary: Any) -> str:
    import pandas as pd

    ok = len(summary.statuses) - len(summary.failed)
    lines = [f"{len(summary.statuses)} documents: {ok} ok, {len(summary.failed)} failed -> {summary.out}"]
    sentences = summary.out / "sentences.csv"
    if ok and sentences.stat().st_size:
        table = pd.read_csv(sentences, usecols=["role"], dtype=str)
        roles = Counter(table["role"])
        edges = len(pd.read_csv(summary.out / "edges.csv", usecols=["relation"]))
        shown = ", ".join(f"{roles.get(r, 0)} {r}" for r in ("cause", "evidence", "conclusion", "other"))
        lines.append(f"{len(table)} sentences ({shown}); {edges} edges; model {summary.model}")
    return "\n".join(lines)


@cli.command("clean")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--diff", is_flag=True, help="List every edit (rule, raw position, before -> after) instead of the text.")
@clean_options
def clean_command(file: Path, diff: bool, **switches: bool) -> None:
    """Print the repaired text of FILE."""
    from .clean import clean
    from .extract import extract

    try:
        cleaned = clean(extract(file), _clean_settings(**switches))
    except ArgmapError as e:
        raise click.ClickException(str(e)) from e
    if not diff:
        click.echo(cleaned.text)
        return
    for edit in cleaned.edits:
        click.echo(f"{edit.rule}\t{edit.raw_start}-{edit.raw_end}\t{edit.before!r} -> {edit.after!r}")


def main() -> None:
    """Entry point of the console script."""
    cli(prog_name="argmap")
