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


@cli.command("train")
@click.option("--corpus", "corpus_path", required=True, type=click.Path(exists=True, path_type=Path),
              help="Essay folder (corpus/essays) or a CSV/JSONL file of labelled sentences (doc_id, text, role).")
@click.option("--out", required=True, type=click.Path(file_okay=False, path_type=Path), help="Model folder to write.")
@click.option("--sample", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
              help="An evaluation essay JSON with a 'source' document, scored end to end into the model card.")
@click.option("--folds", default=5, show_default=True, type=click.IntRange(2), help="Cross-validation folds for the card.")
@click.option("-C", "C", default=4.0, show_default=True, help="Inverse regularisation of the logistic regression.")
def train_command(corpus_path: Path, out: Path, sample: Path | None, folds: int, C: float) -> None:
    """Train the role classifier on an annotated corpus and save it with its model card."""
    from .classify import save_trained
    from .corpus import load_corpus
    from .train import cross_validate, featurize, train

    try:
        essays = load_corpus(corpus_path)
        data = featurize(essays)
        params = {"C": C}
        scores = {"cross_validation": cross_validate(data, params, folds)}
        model = train(data, params, scores=scores)
        if sample is not None:
            model.card["scores"]["sample"] = _score_sample(model, sample)
        model.card["corpus"] = str(corpus_path)
        model.card["guideline_version"] = ", ".join(sorted({e.guideline_version for e in essays} - {""}))
        save_trained(model, out)
    except ArgmapError as e:
        raise click.ClickException(str(e)) from e
    click.echo(_report_text("cross-validation", scores["cross_validation"]))
    if sample is not None:
        click.echo(_report_text("sample", model.card["scores"]["sample"]))
    click.echo(f"saved {out}")


@cli.command("evaluate")
@click.option("--corpus", "corpus_path", required=True, type=click.Path(exists=True, path_type=Path), help="Annotated corpus.")
@click.option("--model", default=None, help="Model to score on --sample: a model folder or 'rules' (default: the shipped model).")
@click.option("--sample", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
              help="An evaluation essay JSON whose 'source' document is processed end to end and scored.")
@click.option("--agreement", "agreement_path", type=click.Path(exists=True, path_type=Path), default=None,
              help="A second annotation of some essays: prints Cohen's kappa against --corpus.")
@click.option("--folds", default=5, show_default=True, type=click.IntRange(2), help="Cross-validation folds.")
@click.option("-C", "C", default=4.0, show_default=True, help="Inverse regularisation of the logistic regression.")
def evaluate_command(corpus_path: Path, model: str | None, sample: Path | None, agreement_path: Path | None,
                     folds: int, C: float) -> None:
    """Essay-grouped cross-validation of the classifier against the cue-rule baseline on the same folds."""
    from .classify import load_model
    from .corpus import load_corpus
    from .train import agreement, cross_validate, featurize

    try:
        essays = load_corpus(corpus_path)
        click.echo(_report_text(f"cross-validation ({folds} folds, essay-grouped)", cross_validate(featurize(essays), {"C": C}, folds)))
        if sample is not None:
            click.echo(_report_text(f"sample {sample.name}", _score_sample(load_model(model), sample)))
        if agreement_path is not None:
            result = agreement(essays, load_corpus(agreement_path))
            click.echo(f"agreement: {result['essays']} essays, {result['sentences']} sentences, "
                       f"Cohen's kappa {result['kappa']:.3f}, raw agreement {result['agreement']:.3f}")
    except ArgmapError as e:
        raise click.ClickException(str(e)) from e


def _score_sample(model: Any, gold_path: Path) -> dict[str, Any]:
    """Process an evaluation essay's source document end to end and score ``model`` against its annotation."""
    import json

    from .corpus import load_essay
    from .process import Processor, Settings
    from .train import evaluate_document

    gold = load_essay(gold_path)
    source = json.loads(gold_path.read_text(encoding="utf-8")).get("source")
    if not source:
        raise ArgmapError(f"{gold_path}: no 'source' document named to evaluate on")
    result = Processor(Settings(model="rules")).process_file(gold_path.parent / source)
    return evaluate_document(model, gold, result.sentences)


def _report_text(title: str, report: dict[str, Any]) -> str:
    from .types import ROLES

    lines = [f"== {title}", f"{'role':<12}{'precision':>10}{'recall':>10}{'f1':>10}{'support':>10}"]
    for role in ROLES:
        r = report["per_role"][role]
        lines.append(f"{role:<12}{r['precision']:>10.3f}{r['recall']:>10.3f}{r['f1']:>10.3f}{r['support']:>10}")
    lines.append(f"macro-F1 {report['macro_f1']:.3f}  accuracy {report['accuracy']:.3f}")
    if "ece" in report:
        lines.append(f"expected calibration error {report['ece']:.3f}")
    if "baseline" in report:
        gain = report["macro_f1"] - report["baseline"]["macro_f1"]
        lines.append(f"cue-rule baseline macro-F1 {report['baseline']['macro_f1']:.3f} (gain {gain:+.3f})")
    lines.append("confusion (rows gold, columns predicted: " + ", ".join(ROLES) + ")")
    lines += ["  " + " ".join(f"{n:>5}" for n in row) for row in report["confusion"]]
    return "\n".join(lines)


def main() -> None:
    """Entry point of the console script."""
    cli(prog_name="argmap")
