"""Linking: turn labelled sentences into an argument map (edges, a thesis, and what stays unattached).

Two linkers share one output (:class:`~pipeline.types.LinkResult`):

- the **rule linker** (:func:`link_rules`, or :class:`RuleLinker`), the transparent baseline: each
  evidence sentence supports the nearest claim of its paragraph, each cause
  explains the nearest conclusion, each conclusion supports the thesis, and
  ``however``/``yet``/``but`` openers contrast with the previous claim;
- the **pair classifier** (:class:`PairLinker`), trained on the corpus's edge
  annotations (``argmap train --links``): every candidate pair from a window
  (same paragraph, neighbouring paragraphs, the introduction and the
  conclusion, the thesis) is scored by a stock scikit-learn model, and the
  scores are decoded into a map whose ``supports``/``explains``/``causes``
  edges form a forest rooted at the thesis. A sentence whose chain does not
  reach the thesis is reported as unattached.

The pair classifier's thesis is chosen by a small logistic model over
position, section, conclusion cues, the predicted role and lexical
centrality. :func:`load_links` names either linker.
"""

from __future__ import annotations

import logging
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from itertools import accumulate
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import CorpusError, ModelError
from .persist import MODEL_FILE, load_model_file, one_thread, save_model
from .types import CUE_KINDS, ROLES, Edge, LinkResult, Prediction, Relation, Role, Sentence

if TYPE_CHECKING:
    import numpy as np

logger = logging.getLogger(__name__)

DEFAULT_LINK_MODEL = Path(__file__).resolve().parent.parent / "models" / "links"

# Reviewed: the one type a link model file holds that skops does not trust by default
# (the fitted trees of the histogram gradient boosting: arrays of split nodes, no code).
# Tests keep this list equal to what a saved model needs.
TRUSTED_TYPES: list[str] = ["sklearn.ensemble._hist_gradient_boosting.predictor.TreePredictor"]

LABELS = ("none", "supports", "explains", "causes", "contrasts")
TREE_RELATIONS: tuple[Relation, ...] = ("supports", "explains", "causes")
ARGUMENTATIVE: frozenset[str] = frozenset({"cause", "evidence", "conclusion"})
# corpus/GUIDELINES.md §5: the (source role, relation, target role) a tree edge may have. The thesis is the
# essay's main conclusion whatever its role (a purely explanatory essay's thesis is a cause), so any conclusion
# may also support it and any cause explain it (:func:`allowed`).
ALLOWED: frozenset[tuple[str, str, str]] = frozenset(
    {
        ("evidence", "supports", "cause"),
        ("evidence", "supports", "conclusion"),
        ("conclusion", "supports", "conclusion"),
        ("cause", "explains", "conclusion"),
        *((s, "causes", t) for s in ("cause", "evidence") for t in ("cause", "evidence")),
    }
)
CONTRAST_THRESHOLD = 0.3
# A source whose best allowed target scores below this stays unattached rather than forced onto a guess.
ATTACH_THRESHOLD = 0.05
# A cause–effect pair that maps to two sentences becomes a `causes` edge when the classifier gives it this much.
CAUSES_THRESHOLD = 0.2

_CONTRAST_OPENERS = re.compile(
    r"^(however|yet|but|though|although|nevertheless|nonetheless|still|on the other hand)\b", re.I
)
_SUMMARY = re.compile(
    r"\b(in summary|in sum|in conclusion|to conclude|overall|therefore|thus|it is apparent|clearly)\b", re.I
)
_ARGUE = re.compile(
    r"\b(i (shall |will |would )?(argue|contend|suggest|maintain)|this (essay|article|paper|brief|review) "
    r"(argues|contends|suggests|maintains|shows)|the answer|the argument here|main(ly)?|chiefly)\b",
    re.I,
)
_WORD = re.compile(r"[a-z][a-z'-]{2,}")
_STOP = frozenset(
    "the and for that with this was were are but not its their they from had have has been which what when who whom "
    "into than then there these those also more most such only over under after before about would could should "
    "will shall may might can one two all any each other some his her our out upon very much many".split()
)


# --- the rule linker (baseline) -----------------------------------------------------------------


def find_thesis(sentences: Sequence[Sentence], predictions: Sequence[Prediction]) -> int | None:
    """The rule baseline's thesis: the best-scored conclusion by section, cues and position."""
    best, best_score = None, float("-inf")
    last_paragraph = max((s.paragraph_id for s in sentences), default=0)
    for sentence, prediction in zip(sentences, predictions, strict=True):
        if prediction.role != "conclusion":
            continue
        score = prediction.probabilities[2]
        if sentence.section and "conclu" in sentence.section.lower():
            score += 1.0
        if sentence.paragraph_id in (0, 1, last_paragraph):
            score += 0.5
        if _SUMMARY.search(sentence.text):
            score += 0.5
        if score >= best_score:
            best, best_score = sentence.id, score
    return best


def promote_thesis(predictions: Sequence[Prediction], thesis: int | None) -> tuple[Prediction, ...]:
    """The predictions with the thesis shown as a conclusion where the role model called it ``other``.

    The thesis is the essay's main conclusion (GUIDELINES.md §5), and an ``other`` sentence takes no edges;
    its probabilities are kept, so the table still shows what the role model thought.
    """
    return tuple(
        replace(p, role="conclusion") if i == thesis and p.role == "other" else p for i, p in enumerate(predictions)
    )


def introduction_and_conclusion(sentences: Sequence[Sentence]) -> frozenset[int]:
    """The sentences of an essay's introduction and conclusion, where GUIDELINES.md §5 expects the thesis.

    The introduction is the text before the first heading, or the first section
    when a heading opens the essay, or the first two paragraphs of an essay
    without headings; the conclusion is a section named like one ("Conclusion",
    "Summary") or else the last paragraph. In the corpus, 210 of 213 annotated
    theses stand there.
    """
    if not sentences:
        return frozenset()
    last_paragraph = max(s.paragraph_id for s in sentences)
    headed = [s for s in sentences if s.section]
    if not headed:
        intro = {s.id for s in sentences if s.paragraph_id <= 1}
    elif sentences[0].section:
        intro = {s.id for s in sentences if s.section == sentences[0].section}
    else:
        intro = {s.id for s in sentences if s.paragraph_id < headed[0].paragraph_id}
    closing = {s.id for s in sentences if any(w in (s.section or "").lower() for w in ("conclu", "summary"))}
    return frozenset(intro | (closing or {s.id for s in sentences if s.paragraph_id == last_paragraph}))


def link_rules(sentences: Sequence[Sentence], predictions: Sequence[Prediction]) -> LinkResult:
    """Link sentences with the transparent rules (the baseline).

    ``supports``/``explains`` never form a cycle because they only point to a
    claim of a higher rank (evidence → cause → conclusion → thesis).
    """
    roles = {s.id: p.role for s, p in zip(sentences, predictions, strict=True)}
    thesis = find_thesis(sentences, predictions)
    edges: list[Edge] = []
    for sentence in sentences:
        role = roles[sentence.id]
        if role == "evidence":
            target = _nearest_claim(sentence, sentences, roles, ("cause", "conclusion"))
            if target is not None:
                edges.append(_rule_edge(sentence, target, "supports"))
        elif role == "cause":
            target = _nearest_claim(sentence, sentences, roles, ("conclusion",))
            if target is None and thesis is not None:
                target = sentences[thesis]
            if target is not None:
                edges.append(_rule_edge(sentence, target, "explains"))
        elif role == "conclusion" and thesis is not None and sentence.id != thesis:
            edges.append(_rule_edge(sentence, sentences[thesis], "supports"))
        if role != "other" and _CONTRAST_OPENERS.match(sentence.text):
            previous = _previous_argumentative(sentence, sentences, roles)
            if previous is not None:
                edges.append(_rule_edge(sentence, previous, "contrasts"))
    return _result(edges, thesis, roles)


def _nearest_claim(
    sentence: Sentence, sentences: Sequence[Sentence], roles: dict[int, str], wanted: tuple[str, ...]
) -> Sentence | None:
    """The closest sentence of a wanted role in the same paragraph, preferring one that shares entities."""
    candidates = [
        s
        for s in sentences
        if s.paragraph_id == sentence.paragraph_id and s.id != sentence.id and roles[s.id] in wanted
    ]
    if not candidates:
        return None
    keys = _entity_keys(sentence)
    return min(
        candidates,
        key=lambda s: (abs(s.id - sentence.id) - 1.5 * len(keys & _entity_keys(s)), s.id > sentence.id, s.id),
    )


def _previous_argumentative(
    sentence: Sentence, sentences: Sequence[Sentence], roles: dict[int, str]
) -> Sentence | None:
    for other in reversed(sentences[: sentence.id]):
        if roles[other.id] != "other":
            return other
    return None


def _rule_edge(source: Sentence, target: Sentence, relation: Relation) -> Edge:
    distance = abs(source.id - target.id)
    shared = _entity_keys(source) & _entity_keys(target)
    score = round(min(1.0, 1.0 / (1 + 0.3 * distance) + 0.15 * len(shared)), 3)
    return Edge(source.id, target.id, relation, score, _reason(source, target, relation, None))


# --- shared helpers -----------------------------------------------------------------------------


def _entity_names(sentence: Sentence) -> dict[str, str]:
    """The sentence's entities, numbers left out, keyed by entity id (else lowercase text), each as first written."""
    names: dict[str, str] = {}
    for e in sentence.entities:
        if e.label not in {"ORDINAL", "CARDINAL"}:
            names.setdefault(e.entity_id or e.text.lower(), e.text)
    return names


def _entity_keys(sentence: Sentence) -> set[str]:
    return set(_entity_names(sentence))


def _words(sentence: Sentence) -> set[str]:
    return {w for w in _WORD.findall(sentence.text.lower()) if w not in _STOP}


def _reason(source: Sentence, target: Sentence, relation: Relation, thesis: int | None) -> str:
    """Why an edge is there, in words: place, the thesis, shared entities and words, the cue."""
    apart = abs(source.paragraph_id - target.paragraph_id)
    reasons = ["same paragraph" if apart == 0 else f"{apart} paragraph{'s' if apart > 1 else ''} apart"]
    if target.id == thesis:
        reasons.append("target is the thesis")
    names = _entity_names(source)
    shared = sorted(names.keys() & _entity_keys(target))
    if shared:
        reasons.append("shares entity " + ", ".join(names[key] for key in shared[:3]))  # "U.S.", not its id "us"
    words = sorted(_words(source) & _words(target))
    if words and not shared:
        reasons.append("shares words " + ", ".join(words[:3]))
    wanted = ("contrast",) if relation == "contrasts" else ("cause", "evidence", "conclusion")
    cue = next((c.text for c in source.cues if c.kind in wanted), None)
    if cue:
        reasons.append(f'cue "{cue}"')
    return "; ".join(reasons)


def _result(
    edges: list[Edge], thesis: int | None, roles: Mapping[int, str], parent: Mapping[int, int] | None = None
) -> LinkResult:
    """Sort the edges and list the argumentative sentences whose tree edges (``parent``) do not lead to the thesis."""
    if parent is None:
        parent = {e.source_id: e.target_id for e in edges if e.relation in TREE_RELATIONS}
    unattached = []
    for node, role in roles.items():
        if role not in ARGUMENTATIVE or node == thesis:
            continue
        seen, current = {node}, node
        while current in parent and parent[current] not in seen:
            current = parent[current]
            seen.add(current)
        if current != thesis:
            unattached.append(node)
    ordered = tuple(sorted(edges, key=lambda e: (e.source_id, e.target_id, e.relation)))
    return LinkResult(ordered, thesis, tuple(sorted(unattached)))


def allowed(source_role: str, relation: str, target_role: str, to_thesis: bool) -> bool:
    """Whether GUIDELINES §5 allows a tree edge of this relation between these roles.

    The thesis counts as a conclusion whatever its role: in the corpus 119 gold edges are a cause explaining a
    thesis whose role is cause, which the role table alone would forbid.
    """
    return (source_role, relation, target_role) in ALLOWED or (
        to_thesis and (source_role, relation) in (("conclusion", "supports"), ("cause", "explains"))
    )


# A cause or effect span that only points back ("this", "such delays", "it") stands for the sentence before.
_ANAPHOR = re.compile(r"^(this|that|these|those|such|it|they)\b", re.I)


def causal_pairs(sentences: Sequence[Sentence], roles: Sequence[str]) -> dict[tuple[int, int], str]:
    """Sentence pairs (cause sentence, effect sentence) from the cause–effect pairs inside sentences, with why.

    A pair lives inside one sentence; it names a second sentence when one of its spans is anaphoric (a
    short ``this``/``such X``/``it`` span stands for the previous argumentative sentence of the paragraph)
    or shares at least a third of its content words with an argumentative sentence at most two away.
    """
    out: dict[tuple[int, int], str] = {}
    for s in sentences:
        i = s.id
        if roles[i] not in ARGUMENTATIVE:
            continue
        previous = next(
            (
                k
                for k in range(i - 1, -1, -1)
                if roles[k] in ARGUMENTATIVE and sentences[k].paragraph_id == s.paragraph_id
            ),
            None,
        )
        for c in s.causal_links:
            pair = f'cause–effect pair "{_clip(c.cause)}" → "{_clip(c.effect)}"; cue "{c.cue}"'
            for span, forward in ((c.cause, True), (c.effect, False)):
                words = _stems(span)
                if previous is not None and _ANAPHOR.match(span) and len(words) <= 3:
                    other, how = previous, "refers to the previous sentence"
                else:
                    near = [
                        (len(words & _stems(sentences[k].text)) / len(words), -abs(k - i), k)
                        for k in range(max(0, i - 2), min(len(sentences), i + 3))
                        if k != i and roles[k] in ARGUMENTATIVE and len(words) >= 2
                    ]
                    share, _, other = max(near, default=(0.0, 0, -1))
                    if share < 1 / 3:
                        continue
                    how = f"its {'cause' if forward else 'effect'} shares words with s{other}"
                out.setdefault((other, i) if forward else (i, other), f"{pair}; {how}")
    return out


def _stems(text: str) -> set[str]:
    """Content words cut to six letters, so that inflections match (``ratified``/``ratification``)."""
    return {w[:6] for w in _WORD.findall(text.lower()) if w not in _STOP}


def _clip(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


# --- the pair classifier ------------------------------------------------------------------------

# The columns of the pair classifier. "target_conclusion" appears twice: both columns hold the target's role
# (a one-hot of ROLES), not its section, as the shipped model was trained. The section flag in the first one's
# place gave held-out edge F1 0.469 against 0.471 (149 essays), so it is left out.
PAIR_FEATURES = (
    "distance",
    "abs_distance",
    "log_distance",
    "target_before",
    "paragraph_distance",
    "same_paragraph",
    "between_argumentative",
    "nearest_of_role",
    "target_is_thesis",
    "target_first_paragraph",
    "target_last_paragraph",
    "target_intro",
    "target_conclusion",
    "source_first_paragraph",
    "source_last_paragraph",
    "source_in_conclusion",
    "source_first_in_paragraph",
    "source_last_in_paragraph",
    "target_first_in_paragraph",
    "target_last_in_paragraph",
    "source_pos",
    "target_pos",
    "word_overlap",
    "shared_words",
    "shared_entities",
    "source_contrast_opener",
    "causal_pair",
    *(f"source_{r}" for r in ROLES),
    *(f"target_{r}" for r in ROLES),
    *(f"source_cue_{k}" for k in CUE_KINDS),
    *(f"target_cue_{k}" for k in CUE_KINDS),
)
THESIS_FEATURES = (
    "first_paragraph",
    "last_paragraph",
    "intro",
    "conclusion_section",
    "from_paragraph_end",
    "last_in_paragraph",
    "pos_in_essay",
    "p_cause",
    "p_evidence",
    "p_conclusion",
    "p_other",
    "cue_conclusion",
    "summary",
    "argue",
    "centrality",
    "log_length",
)

CausalPairs = frozenset[tuple[int, int]]


@dataclass(frozen=True)
class _Layout:
    """What the pair and thesis features need to know about one document's sentences."""

    sentences: Sequence[Sentence]
    roles: Sequence[str]
    last_paragraph: int
    paragraph_members: Mapping[int, list[int]]
    words: Sequence[set[str]]
    entities: Sequence[set[str]]
    # running counts: counts[kind][k] sentences before k have role ``kind`` (or any argumentative role)
    counts: Mapping[str, Sequence[int]]

    @classmethod
    def of(cls, sentences: Sequence[Sentence], roles: Sequence[str]) -> _Layout:
        members: dict[int, list[int]] = {}
        for i, s in enumerate(sentences):
            members.setdefault(s.paragraph_id, []).append(i)
        return cls(
            sentences,
            roles,
            max((s.paragraph_id for s in sentences), default=0),
            members,
            [_words(s) for s in sentences],
            [_entity_keys(s) for s in sentences],
            {
                kind: list(accumulate((r == kind or kind == "argumentative" and r in ARGUMENTATIVE for r in roles),
                                      initial=0))
                for kind in (*ROLES, "argumentative")
            },
        )

    def between(self, i: int, j: int, kind: str) -> int:
        """How many sentences strictly between i and j have role ``kind`` (``argumentative``: any argumentative)."""
        lo, hi = min(i, j), max(i, j)
        return max(self.counts[kind][hi] - self.counts[kind][lo + 1], 0)

    def section(self, i: int, name: str) -> bool:
        section = (self.sentences[i].section or "").lower()
        return name in section or (name == "conclu" and "summary" in section)

    def in_window(self, i: int, j: int, thesis: int | None) -> bool:
        """Whether sentence j is a candidate target for sentence i."""
        s, t = self.sentences[i], self.sentences[j]
        return (
            i != j
            and self.roles[j] in ARGUMENTATIVE
            and (
                abs(s.paragraph_id - t.paragraph_id) <= 1
                or j == thesis
                or t.paragraph_id in (0, self.last_paragraph)
                or self.section(j, "intro")
                or self.section(j, "conclu")
            )
        )

    def position(self, i: int) -> tuple[int, int]:
        members = self.paragraph_members[self.sentences[i].paragraph_id]
        return members.index(i), len(members)


def candidates(sentences: Sequence[Sentence], roles: Sequence[str], thesis: int | None) -> list[tuple[int, int]]:
    """The (source, target) index pairs the pair classifier scores: argumentative sentences within the window."""
    layout = _Layout.of(sentences, roles)
    return [
        (i, j)
        for i in range(len(sentences))
        if roles[i] in ARGUMENTATIVE
        for j in range(len(sentences))
        if layout.in_window(i, j, thesis)
    ]


def pair_features(
    sentences: Sequence[Sentence],
    roles: Sequence[str],
    pairs: Sequence[tuple[int, int]],
    thesis: int | None,
    causal: CausalPairs = frozenset(),
) -> np.ndarray:
    """One row of PAIR_FEATURES per (source, target) pair of one document.

    What a sentence brings as a source or a target (position, section, role, cues) is computed once per
    sentence and indexed by the pairs; only overlaps and counts between the two are computed per pair.
    """
    import numpy as np

    if not pairs:
        return np.zeros((0, len(PAIR_FEATURES)))
    layout = _Layout.of(sentences, roles)
    source, target = (np.array(ends) for ends in zip(*pairs, strict=True))
    paragraph = np.array([s.paragraph_id for s in sentences])
    position = [layout.position(k) for k in range(len(sentences))]
    kinds = [[c.kind for c in s.cues] for s in sentences]
    side = {
        name: np.asarray(values, dtype=float)
        for name, values in {
            "first_paragraph": paragraph == 0,
            "last_paragraph": paragraph == layout.last_paragraph,
            "intro": [layout.section(k, "intro") for k in range(len(sentences))],
            "in_conclusion": [layout.section(k, "conclu") for k in range(len(sentences))],
            "first_in_paragraph": [k == 0 for k, _ in position],
            "last_in_paragraph": [k == size - 1 for k, size in position],
            "pos": [k / max(size - 1, 1) for k, size in position],
            "contrast_opener": [bool(_CONTRAST_OPENERS.match(s.text)) for s in sentences],
            **{r: [role == r for role in roles] for r in ROLES},
            **{f"cue_{kind}": [k.count(kind) for k in kinds] for kind in CUE_KINDS},
        }.items()
    }
    shared = np.array([len(layout.words[i] & layout.words[j]) for i, j in pairs], dtype=float)
    union = np.array([len(layout.words[i] | layout.words[j]) for i, j in pairs], dtype=float)
    distance = target - source
    columns = {
        "distance": distance,
        "abs_distance": np.abs(distance),
        "log_distance": [math.log1p(abs(d)) for d in distance],  # math, not NumPy: the same last bit as in training
        "target_before": target < source,
        "paragraph_distance": paragraph[target] - paragraph[source],
        "same_paragraph": paragraph[target] == paragraph[source],
        "between_argumentative": [layout.between(i, j, "argumentative") for i, j in pairs],
        "nearest_of_role": [not layout.between(i, j, roles[j]) for i, j in pairs],
        "target_is_thesis": target == (-1 if thesis is None else thesis),
        "word_overlap": shared / np.maximum(union, 1),
        "shared_words": shared,
        "shared_entities": [len(layout.entities[i] & layout.entities[j]) for i, j in pairs],
        "causal_pair": [pair in causal for pair in pairs],
        **{f"source_{name}": values[source] for name, values in side.items()},
        **{f"target_{name}": values[target] for name, values in side.items()},
    }
    return np.column_stack([np.asarray(columns[name], dtype=float) for name in PAIR_FEATURES])


def thesis_features(sentences: Sequence[Sentence], probabilities: Sequence[Sequence[float]]) -> np.ndarray:
    """One row of THESIS_FEATURES per sentence: position, section, role probabilities, cues, lexical centrality."""
    import numpy as np

    roles = [ROLES[int(np.argmax(p))] for p in probabilities]
    layout = _Layout.of(sentences, roles)
    argumentative = [k for k, r in enumerate(roles) if r in ARGUMENTATIVE]
    rows = np.zeros((len(sentences), len(THESIS_FEATURES)))
    for i, s in enumerate(sentences):
        k, n = layout.position(i)
        overlaps = [
            len(layout.words[i] & layout.words[o]) / (len(layout.words[i] | layout.words[o]) or 1)
            for o in argumentative
            if o != i
        ]
        values = {
            "first_paragraph": s.paragraph_id == 0,
            "last_paragraph": s.paragraph_id == layout.last_paragraph,
            "intro": layout.section(i, "intro"),
            "conclusion_section": layout.section(i, "conclu"),
            "from_paragraph_end": min(n - 1 - k, 5),
            "last_in_paragraph": k == n - 1,
            "pos_in_essay": i / max(len(sentences) - 1, 1),
            **{f"p_{r}": probabilities[i][m] for m, r in enumerate(ROLES)},
            "cue_conclusion": sum(c.kind == "conclusion" for c in s.cues),
            "summary": bool(_SUMMARY.search(s.text)),
            "argue": bool(_ARGUE.search(s.text)),
            "centrality": sum(overlaps) / max(len(overlaps), 1),
            "log_length": math.log1p(len(s.text.split())),
        }
        rows[i] = [float(values[name]) for name in THESIS_FEATURES]
    return rows


def build_pair_classifier(max_iter: int = 200, learning_rate: float = 0.05, random_state: int = 0) -> Any:
    """The pair classifier: histogram gradient boosting over PAIR_FEATURES, labels LABELS."""
    from sklearn.ensemble import HistGradientBoostingClassifier

    return HistGradientBoostingClassifier(
        max_iter=max_iter,
        learning_rate=learning_rate,
        max_leaf_nodes=31,
        l2_regularization=1.0,
        random_state=random_state,
    )


def build_thesis_classifier(C: float = 1.0) -> Any:
    """The thesis scorer: standardised THESIS_FEATURES into a logistic regression."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import StandardScaler

    return Pipeline(
        [("scale", StandardScaler()), ("model", LogisticRegression(C=C, max_iter=2000, class_weight="balanced"))]
    )


class PairLinker:
    """A fitted pair classifier and thesis scorer with their model card, decoded into an acyclic map."""

    def __init__(self, pairs: Any, thesis: Any, card: dict[str, Any]) -> None:
        self.pairs = pairs
        self.thesis = thesis
        self.card = card
        self.name = str(card.get("name", "links"))

    def find_thesis(self, sentences: Sequence[Sentence], predictions: Sequence[Prediction]) -> int | None:
        """The sentence most likely to be the thesis (None when no sentence is argumentative).

        The candidates are the introduction and the conclusion (:func:`introduction_and_conclusion`) whatever
        their predicted role: the thesis scorer weighs the role probabilities itself, and in cross-validation
        10 of the 24 wrong theses were gold theses that the role model had called ``other``.
        """
        if not any(p.role in ARGUMENTATIVE for p in predictions):
            return None
        candidates = sorted(introduction_and_conclusion(sentences))
        scores = self.thesis.predict_proba(thesis_features(sentences, [p.probabilities for p in predictions]))[:, 1]
        return max(candidates, key=lambda i: (scores[i], -i))

    def link(self, sentences: Sequence[Sentence], predictions: Sequence[Prediction]) -> LinkResult:
        """Score every candidate pair and decode the scores into a map rooted at the thesis.

        Each argumentative sentence gets one tree edge (``supports``/``explains``/``causes``): to the
        target with the highest probability of any tree relation among those GUIDELINES §5 allows for
        the two roles, with the most likely allowed relation. Sources choose in order of confidence and
        skip a target whose chain leads back to them, so the tree has no cycle; a sentence without an
        allowed target scoring at least ATTACH_THRESHOLD is unattached. Each source contrasts with at
        most one target, its best one when that scores at least CONTRAST_THRESHOLD. Cause–effect pairs
        that map to a sentence pair (:func:`causal_pairs`) are a feature, and become extra ``causes``
        edges where the roles allow it and the classifier gives them at least CAUSES_THRESHOLD.

        An edge's ``score`` is the chance that it is right: the classifier's probability of its relation,
        which it learned from gold roles, times the role model's probability that the source has the role
        the relation follows from (for ``contrasts``, any argumentative role). On held-out essays the raw
        probability was overconfident (calibration error 0.12 against 0.03 for the product).

        Args:
            sentences: One document's sentences, in order (``id`` = position), with their cause–effect pairs.
            predictions: Their roles.

        Returns:
            Edges, the thesis and the unattached argumentative sentences.
        """
        thesis = self.find_thesis(sentences, predictions)
        shown = promote_thesis(predictions, thesis)
        roles = [p.role for p in shown]
        causal = causal_pairs(sentences, roles)
        pairs = candidates(sentences, roles, thesis)
        proba = self._proba(sentences, roles, pairs, thesis, frozenset(causal))
        options: dict[int, list[tuple[float, int, Relation]]] = {}
        contrast: dict[int, tuple[float, int]] = {}
        for n, ((i, j), p) in enumerate(zip(pairs, proba, strict=True)):
            fits = [r for r in TREE_RELATIONS if allowed(roles[i], r, roles[j], j == thesis)]
            score = float(sum(p[LABELS.index(r)] for r in fits))
            if i != thesis and fits and score >= ATTACH_THRESHOLD:
                relation = max(fits, key=lambda r: p[LABELS.index(r)])
                options.setdefault(i, []).append((score, j, relation))
            score = float(p[LABELS.index("contrasts")])
            if score >= CONTRAST_THRESHOLD and score > contrast.get(i, (0.0, -1))[0]:
                contrast[i] = (score, n)
        edges = [self._edge(sentences, shown, *pairs[n], "contrasts", proba[n], thesis) for _, n in contrast.values()]
        # Greedy forest: the most confident sources choose first; a target whose chain leads back is skipped.
        index = {pair: n for n, pair in enumerate(pairs)}
        parent: dict[int, int] = {}
        for i in sorted(options, key=lambda i: (-max(options[i])[0], i)):
            for _score, j, relation in sorted(options[i], key=lambda o: (-o[0], abs(o[1] - i), o[1])):
                if not _leads_to(parent, j, i):
                    parent[i] = j
                    edges.append(self._edge(sentences, shown, i, j, relation, proba[index[i, j]], thesis))
                    break
        for (i, j), why in sorted(causal.items()):
            n = index.get((i, j))
            if (
                n is not None
                and proba[n][LABELS.index("causes")] >= CAUSES_THRESHOLD
                and parent.get(i) != j
                and allowed(roles[i], "causes", roles[j], False)
                and not _leads_to(parent, j, i)
            ):
                edge = self._edge(sentences, shown, i, j, "causes", proba[n], thesis)
                edges.append(replace(edge, reason=f"{why}; {edge.reason}"))
        return _result(_dedupe(edges), thesis, dict(enumerate(roles)), parent)

    def _proba(
        self,
        sentences: Sequence[Sentence],
        roles: Sequence[str],
        pairs: Sequence[tuple[int, int]],
        thesis: int | None,
        causal: CausalPairs,
    ) -> np.ndarray:
        import numpy as np

        if not pairs:
            return np.zeros((0, len(LABELS)))
        with one_thread():
            raw = self.pairs.predict_proba(pair_features(sentences, roles, pairs, thesis, causal))
        columns = list(self.pairs.classes_)
        return np.column_stack(
            [raw[:, columns.index(label)] if label in columns else np.zeros(len(pairs)) for label in LABELS]
        )

    @staticmethod
    def _edge(sentences: Sequence[Sentence], shown: Sequence[Prediction], i: int, j: int, relation: Relation, p: Any,
              thesis: int | None) -> Edge:
        source = shown[i].probabilities
        role_right = 1 - source[ROLES.index("other")] if relation == "contrasts" else source[ROLES.index(shown[i].role)]
        score = round(float(p[LABELS.index(relation)]) * role_right, 4)
        return Edge(i, j, relation, score, _reason(sentences[i], sentences[j], relation, thesis))


def _leads_to(parent: Mapping[int, int], start: int, goal: int) -> bool:
    """Whether following tree edges from ``start`` reaches ``goal`` (adding goal → start would close a cycle)."""
    current, seen = start, set()
    while current not in seen:
        if current == goal:
            return True
        seen.add(current)
        if current not in parent:
            return False
        current = parent[current]
    return False


def _dedupe(edges: list[Edge]) -> list[Edge]:
    best: dict[tuple[int, int, str], Edge] = {}
    for e in edges:
        key = (e.source_id, e.target_id, e.relation)
        if key not in best or e.score > best[key].score:
            best[key] = e
    return list(best.values())


# --- training data, persistence, the default linker -------------------------------------------


def training_rows(
    sentences: Sequence[Sentence], roles: Sequence[Role], thesis: int | None, links: Sequence[tuple[int, int, str]]
) -> tuple[np.ndarray, list[str], np.ndarray, list[str]]:
    """Pair features and labels (LABELS) for one annotated essay, plus its thesis features and labels.

    Gold roles are used (one-hot probabilities), so the classifier learns from
    the annotation, not from the role model's mistakes.
    """
    gold = {(s, t): rel for s, t, rel in reversed(links)}
    pairs = candidates(sentences, roles, thesis)
    X = pair_features(sentences, roles, pairs, thesis, frozenset(causal_pairs(sentences, roles)))
    y = [gold.get(pair, "none") for pair in pairs]
    one_hot = [[float(r == role) for r in ROLES] for role in roles]
    return X, y, thesis_features(sentences, one_hot), ["thesis" if i == thesis else "no" for i in range(len(sentences))]


def fit_linker(
    essays: Sequence[tuple[Sequence[Sentence], Sequence[Role], int | None, Sequence[tuple[int, int, str]]]],
    params: dict[str, Any] | None = None,
    card: dict[str, Any] | None = None,
) -> PairLinker:
    """Fit the pair classifier and the thesis scorer on annotated essays (sentences, gold roles, thesis, links).

    Raises:
        CorpusError: No essay has link annotations and a marked thesis.
    """
    import numpy as np

    if not any(links and thesis is not None for _, _, thesis, links in essays):
        raise CorpusError("no essay has link annotations and a thesis: the linker cannot be trained")
    rows = [training_rows(*essay) for essay in essays]
    with one_thread():
        X, y = np.vstack([r[0] for r in rows]), sum((r[1] for r in rows), [])
        pairs = build_pair_classifier(**(params or {})).fit(X, y)
    thesis = build_thesis_classifier().fit(np.vstack([r[2] for r in rows]), sum((r[3] for r in rows), []))
    return PairLinker(pairs, thesis, card or {})


def save_linker(linker: PairLinker, folder: str | Path) -> None:
    """Save a pair linker with skops (no pickle) and its model card as JSON and Markdown."""
    save_model({"pairs": linker.pairs, "thesis": linker.thesis}, linker.card, folder)


def load_linker(folder: str | Path) -> PairLinker:
    """Load a pair linker folder, refusing any file that holds types outside TRUSTED_TYPES.

    Raises:
        ModelError: Unknown types in the file, or an unreadable model or card.
    """
    models, card = load_model_file(folder, TRUSTED_TYPES, "link model")
    return PairLinker(models["pairs"], models["thesis"], card)


class RuleLinker:
    """The rule linker (:func:`link_rules`) behind the pair linker's interface: ``name`` and ``link``."""

    name = "rules"

    def link(self, sentences: Sequence[Sentence], predictions: Sequence[Prediction]) -> LinkResult:
        """Link one document's sentences by the rules."""
        return link_rules(sentences, predictions)


def load_links(name: str | Path | None = None) -> PairLinker | RuleLinker:
    """Load a linker: ``rules``, a link model folder (``argmap train --links``), or None for the shipped one.

    The shipped linker is ``models/links``; where it is missing, the rules
    are used and a warning says so.

    Raises:
        ModelError: The named folder holds no link model, or one that cannot be loaded safely.
    """
    if name == "rules":
        return RuleLinker()
    if name is None:
        return default_linker() or RuleLinker()
    check_links_name(name)
    return load_linker(name)


def check_links_name(name: str | Path | None) -> None:
    """Refuse a linker name that is not ``rules``, None or a link model folder, without loading it.

    Raises:
        ModelError: ``name`` is a path that holds no link model.
    """
    if name not in (None, "rules") and not (Path(name) / MODEL_FILE).exists():
        raise ModelError(f"{name}: no such link model (expected {MODEL_FILE} in it, or 'rules')")


@lru_cache(maxsize=1)
def default_linker() -> PairLinker | None:
    """The shipped pair linker (models/links), or None (with a logged warning) where it is missing."""
    if not (DEFAULT_LINK_MODEL / MODEL_FILE).exists():
        logger.warning("no link model at %s: using the rule linker", DEFAULT_LINK_MODEL)
        return None
    return load_linker(DEFAULT_LINK_MODEL)
