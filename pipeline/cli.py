"""The ``argmap`` command: a thin layer that parses options, calls the library and writes results."""

from __future__ import annotations

import logging
import os
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
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
            ("--no-join-lines", "Keep the lines of the input (no de-hyphenation, no paragraph joining, no removal of "
                                 "page numbers and running heads)."),
            ("--no-footnote-repair", "Leave note numbers glued to words and notes at the foot of pages in the text."),
        ]
    ):
        command = click.option(flag, is_flag=True, help=help_text)(command)
    return command


def _clean_settings(no_case_repair: bool, no_join_lines: bool, no_footnote_repair: bool) -> Any:
    from .clean import CleanOptions

    return CleanOptions(case=not no_case_repair, join_lines=not no_join_lines, footnotes=not no_footnote_repair)


# Shared by ``train`` and ``evaluate``.
_ENCODER = click.option(
    "--encoder/--no-encoder", default=True, show_default=True,
    help="Fine-tune and blend in the sentence encoder (about 12 minutes per fit on 2 cores for the bundled corpus); "
         "--no-encoder gives the stacked scikit-learn model alone, in about a minute.")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="argmap")
@click.option("-v", "--verbose", count=True, help="Log more (-v info, -vv debug) to stderr.")
def cli(verbose: int) -> None:
    """argmap: from OCR'd essays to argument maps of causes, evidence and conclusions."""
    level = logging.WARNING - 10 * min(verbose, 2)
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")


@cli.command()
@click.argument("paths", nargs=-1, required=True)
@click.option("--out", "-o", "out", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Output folder.")
@click.option("--model", default=None,
              help="Role model: a trained model folder (default: the shipped one), 'stacked' (the shipped one without "
                   "its sentence encoder: about twice as fast, macro-F1 0.771 instead of 0.812) or 'rules'.")
@click.option("--links", default=None,
              help="Linker: a link model folder from 'argmap train --links' (default: the shipped one) or 'rules' "
                   "(the transparent baseline rules).")
@click.option("--spacy-model", default=None, help="Installed spaCy pipeline to use (default: en_core_web_sm).")
@click.option("--jobs", "-j", default=os.cpu_count() or 1, show_default="number of cores", type=click.IntRange(1),
              help="Worker processes.")
@click.option("--engine", type=click.Choice(["local", "dask"]), default="local", show_default=True,
              help="Run on this machine's processes or on a dask.distributed cluster (pip install 'argmap[dask]').")
@click.option("--scheduler", default=None, help="Dask scheduler address (tcp://HOST:8786); default: a local cluster.")
@click.option("--resume", is_flag=True, help="Skip documents already finished in OUT with the same content.")
@click.option("--overwrite", is_flag=True, help="Replace argmap's earlier outputs in OUT.")
@click.option("--timeout", default=600.0, show_default=True, type=click.FloatRange(min=0),
              help="Seconds one document may take before it is failed (0: no limit).")
@click.option("--password", default=None, help="Password for encrypted PDFs.")
@click.option("--ocr", is_flag=True, help="OCR PDF pages that have no text layer (needs Tesseract and argmap[ocr]).")
@click.option("--max-bytes", default=50_000_000, show_default=True, type=click.IntRange(1), help="Refuse larger files.")
@click.option("--max-pages", default=2_000, show_default=True, type=click.IntRange(1),
              help="Refuse PDFs with more pages.")
@click.option("--no-excel-safe", is_flag=True, help="Do not prefix cells starting with = + - @ (for pandas-only use).")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar and no summary.")
@click.option("--merge-every", default=30.0, hidden=True, help="Seconds between refreshes of the tables during a run.")
@click.option("--format", "formats", default="csv", show_default=True,
              callback=lambda ctx, param, value: _formats(value),
              help="Comma-separated outputs: csv,json,graphml,dot,argdown,html (the CSV tables are always written).")
@clean_options
def run(paths: tuple[str, ...], out: Path, model: str | None, links: str | None, spacy_model: str | None, jobs: int,
        engine: str, scheduler: str | None, resume: bool, overwrite: bool, timeout: float, password: str | None,
        ocr: bool, max_bytes: int, max_pages: int, no_excel_safe: bool, quiet: bool, merge_every: float,
        formats: tuple[str, ...], **switches: bool) -> None:
    """Analyse PATHS (files, folders, globs) and write the argument map tables to OUT."""
    from .batch import discover, run_batch
    from .process import Settings

    settings = Settings(model=model, links=links, spacy_model=spacy_model, clean=_clean_settings(**switches),
                        password=password, max_bytes=max_bytes, max_pages=max_pages, excel_safe=not no_excel_safe,
                        ocr=ocr, formats=formats)
    try:
        files = discover(paths)
        if not files:
            raise ArgmapError("no documents found (looked for .pdf, .txt, .md)")
        show = not quiet and sys.stderr.isatty()
        with (click.progressbar(length=len(files), label="argmap", file=sys.stderr, show_eta=True) if show
              else nullcontext()) as bar:
            progress = _Progress(bar)
            summary = run_batch(files, out, settings, jobs=jobs, resume=resume, overwrite=overwrite,
                                timeout=timeout or None, engine=engine, scheduler=scheduler, merge_every=merge_every,
                                progress=progress)
    except ArgmapError as e:
        raise UsageError(str(e)) from e
    if not quiet:
        click.echo(_summary(summary))
    if summary.failed:
        sys.exit(EXIT_FAILED_DOCUMENTS)


class _Progress:
    """Counts documents done and failed and words per second; reports failures on stderr as they happen."""

    def __init__(self, bar: Any) -> None:
        self.bar = bar
        self.ok = self.failed = self.words = 0
        self.started = time.monotonic()

    def __call__(self, status: Any) -> None:
        if status.status == "failed":
            self.failed += 1
            click.echo(f"failed: {status.error}", err=True)
        else:
            self.ok += 1
            self.words += status.words
        if self.bar is not None:
            rate = self.words / max(time.monotonic() - self.started, 1e-9)
            self.bar.label = f"{self.ok} ok, {self.failed} failed, {rate:,.0f} words/s"
            self.bar.update(1)


def _formats(value: str) -> tuple[str, ...]:
    """Parse ``--format``: known names only, in the order given, csv always included."""
    from .export import FORMATS

    names = tuple(dict.fromkeys(n.strip().lower() for n in value.split(",") if n.strip()))
    unknown = [n for n in names if n not in FORMATS]
    if unknown:
        raise click.BadParameter(f"unknown format {', '.join(unknown)} (choose from {', '.join(FORMATS)})")
    return tuple(dict.fromkeys(("csv", *names)))


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
        lines.append(f"{len(table)} sentences ({shown}); {edges} edges; model {summary.model}, linker {summary.linker}")
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


@cli.command("template")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--out", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Annotation file to write (JSON, corpus/GUIDELINES.md §6); never overwritten.")
@click.option("--prefill", is_flag=True,
              help="Fill in the predicted roles, thesis and edges to correct (faster, but they anchor your "
                   "judgment: leave out to annotate blind).")
def template_command(file: Path, out: Path, prefill: bool) -> None:
    """Write FILE's sentences as an annotation file to fill in, then score the map on it with evaluate --sample."""
    import json

    from .corpus import annotation_template
    from .export import write_atomic
    from .process import Processor, Settings

    if out.exists():
        raise UsageError(f"{out}: exists; refusing to overwrite an annotation")
    try:
        result = Processor(Settings(model=None if prefill else "rules")).process_file(file)  # blank: no model needed
        source = os.path.relpath(file.resolve(), out.resolve().parent)
        template = annotation_template(result.doc_id, source, result.sentences, result.predictions if prefill else None,
                                       result.edges, result.thesis)
        write_atomic(out, json.dumps(template, indent=2, ensure_ascii=False) + "\n")
    except ArgmapError as e:
        raise click.ClickException(str(e)) from e
    click.echo(f"wrote {out}: {len(result.sentences)} sentences to annotate under corpus/GUIDELINES.md"
               + ("" if prefill else " (fill in every role, one thesis and the links)"))


@cli.command("train")
@click.option("--corpus", "corpus_path", required=True, type=click.Path(exists=True, path_type=Path),
              help="Essay folder (corpus/essays) or a CSV/JSONL file of labelled sentences (doc_id, text, role).")
@click.option("--out", required=True, type=click.Path(file_okay=False, path_type=Path), help="Model folder to write.")
@click.option("--sample", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
              help="An evaluation essay JSON with a 'source' document, scored end to end into the model card.")
@click.option("--folds", default=5, show_default=True, type=click.IntRange(2),
              help="Cross-validation folds for the card.")
@click.option("-C", "C", default=2.5, show_default=True, help="Inverse regularisation of the logistic regression.")
@click.option("--links", "links_out", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Also train the pair linker on the corpus's edges and save it here (models/links).")
@_ENCODER
def train_command(corpus_path: Path, out: Path, sample: Path | None, folds: int, C: float,
                  links_out: Path | None, encoder: bool) -> None:
    """Train the role classifier on an annotated corpus and save it with its model card."""
    from .classify import save_trained
    from .corpus import load_corpus
    from .train import cross_validate, evaluate_documents, featurize, held_out_probabilities, require_essays, train

    try:
        essays = load_corpus(corpus_path)
        require_essays(essays, folds, str(corpus_path))
        data = featurize(essays)
        params = {"C": C}
        proba = held_out_probabilities(data, params, folds, encoder=encoder)
        scores = {"cross_validation": cross_validate(data, params, folds, encoder=encoder, proba=proba)}
        model = train(data, params, encoder=encoder, scores=scores)
        scored = None
        if sample is not None:
            gold, sentences = _read_sample(sample)
            scored = (gold, sentences, model.predict(sentences))
            model.card["scores"]["sample"] = evaluate_documents([scored])
        model.card["corpus"] = str(corpus_path)
        model.card["guideline_version"] = ", ".join(sorted({e.guideline_version for e in essays} - {""}))
        save_trained(model, out)
        if links_out is not None:
            _train_links(data, corpus_path, links_out, proba, folds, scored)
    except ArgmapError as e:
        raise click.ClickException(str(e)) from e
    click.echo(_report_text("cross-validation", scores["cross_validation"]))
    if sample is not None:
        click.echo(_report_text("sample", model.card["scores"]["sample"]))
    click.echo(f"saved {out}")


def _train_links(data: Any, corpus_path: Path, out: Path, proba: Any, folds: int,
                 sample: tuple[Any, Any, Any] | None) -> None:
    """Score the pair linker on held-out essays (roles: ``proba``), then fit it on the whole corpus and save it.

    ``sample`` (gold essay, its processed sentences, their predicted roles) is also scored into the card.
    """
    from .link import save_linker
    from .train import evaluate_documents_links, evaluate_links, train_links

    report = evaluate_links(data, folds, proba=proba)
    linker = train_links(data, scores={"held_out": report})
    linker.card["corpus"] = str(corpus_path)
    on_sample = evaluate_documents_links([sample], linker) if sample is not None and sample[0].links else None
    if on_sample is not None:
        linker.card["scores"]["sample"] = on_sample
    save_linker(linker, out)
    click.echo(_links_text(report))
    if on_sample is not None:
        click.echo(_sample_links_text(f"the sample {sample[0].id}", on_sample))
    click.echo(f"saved {out}")


_LINKERS = {"pairs": "pair classifier", "rules": "rule linker", "pairs_gold_roles": "pair classifier, gold roles"}


def _edge_table(report: dict[str, Any]) -> list[str]:
    """Precision, recall, F1 and thesis (accuracy, or the sentence found in one document) of each linker scored."""
    lines = [f"{'linker':<28}{'precision':>10}{'recall':>10}{'f1':>10}{'thesis':>10}"]
    for key, name in _LINKERS.items():
        if key in report:
            r = report[key]
            thesis = r.get("thesis") or (f"{r['thesis_accuracy']:.3f}" if "thesis_accuracy" in r else "")
            lines.append(f"{name:<28}{r['precision']:>10.3f}{r['recall']:>10.3f}{r['f1']:>10.3f}{thesis:>10}")
    return lines


def _sample_links_text(title: str, report: dict[str, Any]) -> str:
    """Edge scores on evaluation essays processed end to end (``train.evaluate_documents_links``)."""
    thesis = f"; gold thesis {report['gold_thesis']}" if "gold_thesis" in report else ""
    lines = [f"== edges on {title} ({report['gold_edges']} gold edges, {report['aligned_sentences']} "
             f"sentences aligned by shared words{thesis})", *_edge_table(report)]
    if "pairs" in report:
        lines += _scores_line(report["pairs"])
        lines.append(f"gain over the rule linker {report['pairs']['f1'] - report['rules']['f1']:+.3f} F1")
    return "\n".join(lines)


def _scores_line(pairs: dict[str, Any]) -> list[str]:
    """How often the pair classifier's edges were right by score (``train.score_calibration``), if scored."""
    scores = pairs.get("scores")
    if not scores:
        return []
    return [f"  pair classifier scores as the chance an edge is right: calibration error {scores['ece']:.3f}; "
            + ", ".join(f"scored {b['from']:.1f}-{b['to']:.1f} {b['edges']} edges, {b['right']:.0%} right"
                        for b in scores["bins"] if b["edges"])]


def _links_text(report: dict[str, Any]) -> str:
    """Edge scores of the pair linker and the rule linker, as printed by ``train --links`` and ``evaluate``."""
    lines = [f"== edges on held-out essays ({report['essays']} essays, {report['folds']} essay-grouped folds; "
             "source, target and relation must all match)", *_edge_table(report)]
    for key in ("pairs", "rules"):
        if "per_relation" in report[key]:
            f1 = ", ".join(f"{rel} {r['f1']:.3f}" for rel, r in report[key]["per_relation"].items())
            lines.append(f"  {_LINKERS[key]} F1 by relation: {f1}")
    for key in ("pairs", "pairs_gold_roles"):
        if "missed" in report[key]:
            m = report[key]["missed"]
            lines.append(f"  {_LINKERS[key]}: {m['found']} of {m['tree_edges']} gold supports/explains/causes edges "
                         f"found; missed because the source's role was wrong {m['source_role']}, the target's "
                         f"role {m['target_role']}, the source was left unattached {m['unattached']}, right "
                         f"target by another relation {m['relation']}, another target {m['target']}")
    lines += _scores_line(report["pairs"])
    if "essay_f1" in report["pairs"]:
        spread = report["pairs"]["essay_f1"]
        lines.append(f"  pair classifier F1 per essay: 10th percentile {spread['p10']:.3f}, quartiles "
                     f"{spread['p25']:.3f} / {spread['p50']:.3f} / {spread['p75']:.3f}, 90th {spread['p90']:.3f}")
    if "causes_from_pairs" in report:
        c = report["causes_from_pairs"]
        lines.append(f"  cause-effect pairs mapped to sentence pairs, against gold causes edges: "
                     f"precision {c['precision']:.3f}, recall {c['recall']:.3f}")
    lines.append(f"gain over the rule linker {report['pairs']['f1'] - report['rules']['f1']:+.3f} F1; "
                 f"{report['pairs']['unattached']} argumentative sentences left unattached")
    return "\n".join(lines)


@cli.command("evaluate")
@click.option("--corpus", "corpus_path", default=None, type=click.Path(exists=True, path_type=Path),
              help="Annotated corpus to cross-validate the classifier and the linker on.")
@click.option("--model", default=None,
              help="Model to score on --sample: a model folder, 'stacked' or 'rules' (default: the shipped model).")
@click.option("--sample", "samples", multiple=True, type=click.Path(exists=True, path_type=Path),
              help="An annotated essay JSON, or a folder of them, whose 'source' document (else its own text) is "
                   "processed end to end and scored with --model and --links (repeatable: each essay alone, then "
                   "all pooled; without --corpus only these are scored).")
@click.option("--links", "links_path", default=None, type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="Link model folder to score on --sample (default: the shipped models/links).")
@click.option("--agreement", "agreement_path", type=click.Path(exists=True, path_type=Path), default=None,
              help="A second annotation of some essays: prints Cohen's kappa against --corpus.")
@click.option("--folds", default=5, show_default=True, type=click.IntRange(2), help="Cross-validation folds.")
@click.option("-C", "C", default=2.5, show_default=True, help="Inverse regularisation of the logistic regression.")
@_ENCODER
def evaluate_command(corpus_path: Path | None, model: str | None, samples: tuple[Path, ...], links_path: Path | None,
                     agreement_path: Path | None, folds: int, C: float, encoder: bool) -> None:
    """Score roles and edges: essay-grouped cross-validation on --corpus, annotated essays end to end (--sample)."""
    if corpus_path is None and not samples:
        raise UsageError("give --corpus, --sample or both")
    if agreement_path is not None and corpus_path is None:
        raise UsageError("--agreement needs --corpus")
    try:
        if corpus_path is not None:
            _evaluate_corpus(corpus_path, agreement_path, folds, C, encoder)
        if samples:
            _evaluate_samples(samples, model, links_path)
    except ArgmapError as e:
        raise click.ClickException(str(e)) from e


def _evaluate_corpus(corpus_path: Path, agreement_path: Path | None, folds: int, C: float, encoder: bool) -> None:
    """Cross-validate the classifier (against the cue rules) and the linker on a corpus; score a second annotation."""
    from .corpus import load_corpus
    from .train import agreement, cross_validate, evaluate_links, featurize, held_out_probabilities, require_essays

    essays = load_corpus(corpus_path)
    require_essays(essays, folds, str(corpus_path))
    second = load_corpus(agreement_path) if agreement_path is not None else []
    agreed = agreement(essays, second) if second else None  # before the long run: refuse mismatched essays early
    data = featurize(essays)
    proba = held_out_probabilities(data, {"C": C}, folds, encoder=encoder)
    click.echo(_report_text(f"cross-validation ({folds} folds, essay-grouped)",
                            cross_validate(data, {"C": C}, folds, encoder=encoder, proba=proba)))
    links: dict[str, Any] = {}
    if any(essay.links for essay in essays):
        links = evaluate_links(data, folds, proba=proba, subset=agreed["edge_essays"] if agreed else ())
        click.echo(_links_text(links))
    else:
        click.echo("edges: the corpus has no link annotations; edge scores skipped")
    if agreed is not None:
        click.echo(_agreement_text(agreed, agreement_path, links.get("subset")))


def _evaluate_samples(samples: Sequence[Path], model: str | None, links: Path | None) -> None:
    """Score the role model ``model`` and a linker on annotated essays (files, or folders of them) processed end to end.

    The linker is the one in ``links``, else the shipped one. Each essay is
    scored alone, then (when there are several) all of them pooled.
    """
    from .classify import load_model
    from .link import default_linker, load_linker
    from .train import evaluate_documents, evaluate_documents_links

    paths = []
    for sample in samples:
        found = sorted(sample.glob("*.json")) if sample.is_dir() else [sample]
        if not found:
            raise ArgmapError(f"{sample}: no annotated essays (*.json) in this folder")
        paths += found
    roles, linker = load_model(model), load_linker(links) if links is not None else default_linker()
    documents = []
    for path in paths:
        gold, sentences = _read_sample(path)
        documents.append((gold, sentences, roles.predict(sentences)))
        click.echo(_report_text(f"sample {path}", evaluate_documents(documents[-1:])))
        if gold.links:
            click.echo(_sample_links_text(f"the sample {path}", evaluate_documents_links(documents[-1:], linker)))
    if len(documents) > 1:
        click.echo(_report_text(f"{len(documents)} samples pooled", evaluate_documents(documents)))
        linked = [d for d in documents if d[0].links]
        if len(linked) > 1:
            click.echo(_sample_links_text(f"{len(linked)} samples pooled", evaluate_documents_links(linked, linker)))


def _agreement_text(agreed: dict[str, Any], path: Path | None, linker: dict[str, Any] | None) -> str:
    """A second annotation's agreement with the first (``train.agreement``), beside the linker on the same essays."""
    lines = [f"== agreement with {path}: {agreed['essays']} essays, {agreed['sentences']} sentences",
             f"roles: Cohen's kappa {agreed['kappa']:.3f}, raw agreement {agreed['agreement']:.3f}; "
             f"same thesis in {agreed['same_thesis']} essays"]
    e, t = agreed["edges"], agreed["targets"]
    if agreed["edge_essays"]:
        lines += [f"edges, second annotation against the first ({len(agreed['edge_essays'])} essays with edges "
                  f"annotated twice): precision {e['precision']:.3f}, recall {e['recall']:.3f}, f1 {e['f1']:.3f}",
                  f"sentences both annotations link (supports/explains/causes): {t['both_linked']}, "
                  f"{t['same_target']} with the same target"]
    if linker is not None:
        lines.append(f"edges, pair classifier on the same essays (held out, predicted roles): f1 {linker['f1']:.3f}")
    return "\n".join(lines)


def _read_sample(gold_path: Path) -> tuple[Any, list[Any]]:
    """An evaluation essay's annotation and its 'source' document (else its own text), processed end to end."""
    import json

    from .corpus import load_essay
    from .process import Processor, Settings

    gold = load_essay(gold_path)
    source = json.loads(gold_path.read_text(encoding="utf-8")).get("source")
    processor = Processor(Settings(model="rules"))
    result = (processor.process_file(gold_path.parent / source) if source
              else processor.process_text(gold.text, doc_id=gold.id))
    return gold, list(result.sentences)


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


@cli.command("report")
@click.argument("out_dir", type=click.Path(path_type=Path))
@click.option("--to", "folder", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Folder for the report (default: OUT_DIR/report).")
@click.option("--format", "fmt", type=click.Choice(["png", "svg"]), default="png", show_default=True,
              help="Image format of the figures.")
@click.option("--doc", "doc_ids", multiple=True, help="Draw the argument map of this document only (repeatable).")
def report_command(out_dir: Path, folder: Path | None, fmt: str, doc_ids: tuple[str, ...]) -> None:
    """Write figures and an index.html page of the analysis of the batch in OUT_DIR (needs argmap[plot])."""
    from .analysis import load_batch
    from .errors import InputError

    try:
        batch = load_batch(out_dir)
    except InputError as e:
        raise UsageError(str(e)) from e
    try:
        from .figures import write_report

        index = write_report(batch, folder or out_dir / "report", fmt=fmt, doc_ids=doc_ids or None)  # type: ignore[arg-type]
    except ArgmapError as e:
        raise click.ClickException(str(e)) from e
    click.echo(f"wrote {index}")


def main() -> None:
    """Entry point of the console script."""
    cli(prog_name="argmap")
