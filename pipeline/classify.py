"""Classification: give each sentence a role and the probability of every role.

Two kinds of model share one interface (:class:`RoleModel`): the transparent
cue-rule baseline defined here, and the trained model (``argmap train``): the
two-stage scikit-learn model of ``build_classifier``, blended with a
fine-tuned sentence encoder (:mod:`pipeline.encoder`) where the model has one.
Both return probabilities in ``ROLES`` order.
"""

from __future__ import annotations

import logging
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from .errors import ModelError
from .persist import CARD_FILE, ENCODER_FILE, MODEL_FILE, load_model_file, save_model
from .types import CUE_KINDS, ROLES, Prediction, Role, Sentence

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

    from .encoder import SentenceEncoder
    from .stacking import StackedClassifier

logger = logging.getLogger(__name__)

MODELS_DIR = Path(__file__).resolve().parent.parent / "models"
DEFAULT_MODEL = MODELS_DIR / "roles"

_YEAR = re.compile(r"\b(1[5-9]|20)\d\d(?:[’']?s)?\b")
_NUMBER = re.compile(r"\b\d[\d,.]*\b|%")
_QUOTE = re.compile(r"[\"“”]")
_SIGNPOST = re.compile(
    r"^(this|the present|in this|the following|the next|the sections?|these sections?|first,? we|we (will|shall)|"
    r"this (essay|paper|article|brief|chapter|review))\b|\b(examines?|explores?|discuss(es)?|turns? to|considers?)\b",
    re.IGNORECASE,
)
_COUNTERFACTUAL = re.compile(r"^(had|were)\s|\b(would|could|might|should) have\b", re.IGNORECASE)
_EVIDENCE_LABELS = frozenset({"DATE", "CARDINAL", "PERCENT", "MONEY", "QUANTITY", "LAW", "WORK_OF_ART", "PERSON"})


class RoleModel(Protocol):
    """What the pipeline needs of a role classifier."""

    name: str

    def predict(self, sentences: Sequence[Sentence]) -> list[Prediction]:
        """One prediction per sentence, in order."""
        ...


@dataclass(frozen=True)
class CueRules:
    """The cue-rule baseline: scores each role from cue phrases, dates, figures, quotations and stance.

    Scores become probabilities through a softmax with ``temperature``. Ties
    follow the guideline's decision order (other, evidence, cause, conclusion).
    """

    name: str = "rules-v1"
    temperature: float = 1.0

    def scores(self, sentence: Sentence) -> dict[Role, float]:
        """The raw evidence for each role in one sentence."""
        text = sentence.text
        kinds = [cue.kind for cue in sentence.cues]
        labels = [entity.label for entity in sentence.entities]
        score: dict[Role, float] = {"other": 0.8, "evidence": 0.0, "cause": 0.0, "conclusion": 0.0}
        score["cause"] += 1.4 * kinds.count("cause")
        score["evidence"] += 1.0 * kinds.count("evidence")
        score["evidence"] += 0.9 * min(len(_YEAR.findall(text)), 2) + 0.3 * min(len(_NUMBER.findall(text)), 3)
        score["evidence"] += 0.8 * bool(_QUOTE.search(text)) + 0.4 * sum(label in _EVIDENCE_LABELS for label in labels)
        score["conclusion"] += 1.2 * kinds.count("conclusion") + 1.5 * bool(_COUNTERFACTUAL.search(text))
        if sentence.is_claim:
            score["conclusion"] += 0.6
            score["cause"] += 0.3
        if _YEAR.search(text) and kinds.count("cause"):
            score["evidence"] += 0.6  # a dated event phrased causally is evidence (guideline H1)
        if text.rstrip().endswith("?") or _SIGNPOST.search(text):
            score["other"] += 2.0
        if sentence.section and "conclu" in sentence.section.lower():
            score["conclusion"] += 0.8
        return score

    def predict(self, sentences: Sequence[Sentence]) -> list[Prediction]:
        """Predict a role with probabilities for each sentence."""
        return [self._predict_one(s) for s in sentences]

    def _predict_one(self, sentence: Sentence) -> Prediction:
        score = self.scores(sentence)
        top = max(score.values())
        weights = [math.exp((score[role] - top) / self.temperature) for role in ROLES]
        total = sum(weights)
        probabilities = tuple(round(w / total, 4) for w in weights)
        order = ("other", "evidence", "cause", "conclusion")
        role = max(order, key=lambda r: (score[r], -order.index(r)))
        return Prediction(role, probabilities)  # type: ignore[arg-type]


@lru_cache(maxsize=8)
def load_model(name: str | Path | None = None) -> RoleModel:
    """Load a role model: ``rules`` (cue rules), ``stacked``, a trained model folder, or None for the shipped one.

    The shipped model is ``models/roles``; where it is missing, the cue rules
    are used and a warning says so. ``stacked`` is the shipped model without
    its sentence encoder: macro-F1 0.771 instead of 0.812 in cross-validation,
    for about twice the pipeline's speed. Models are read-only, so each is
    loaded once per process.

    Raises:
        ModelError: The named model does not exist or cannot be loaded safely.
    """
    if name == "rules":
        return CueRules()
    if name == "stacked":
        return load_trained(DEFAULT_MODEL, encoder=False)
    if name is None:
        if not (DEFAULT_MODEL / MODEL_FILE).exists():
            logger.warning("no trained model at %s: using the cue rules", DEFAULT_MODEL)
            return CueRules()
        name = DEFAULT_MODEL
    check_model_name(name)
    return load_trained(name)


def check_model_name(name: str | Path | None) -> None:
    """Refuse a role model name that is not ``rules``, ``stacked``, None or a model folder, without loading it.

    Raises:
        ModelError: ``name`` is a path that holds no model.
    """
    if name not in (None, "rules", "stacked") and not (Path(name) / MODEL_FILE).exists():
        raise ModelError(f"{name}: no such model (expected {MODEL_FILE} and {CARD_FILE} in it, 'rules' or 'stacked')")


# --- the trained model --------------------------------------------------------------

NUMERIC_COLUMNS = (
    "pos_in_paragraph", "first_in_paragraph", "last_in_paragraph", "pos_in_essay", "first_paragraph", "last_paragraph",
    "section_conclusion", "section_intro", "log_length", "n_dates", "n_numbers", "n_names", "n_documents", "has_year",
    "has_quote", "question", "is_claim", "cue_cause", "cue_evidence", "cue_conclusion", "cue_contrast",
    "prev_cue_cause", "prev_cue_evidence", "prev_cue_conclusion", "next_cue_cause", "next_cue_evidence",
    "next_cue_conclusion",
)
_NUMBER_LABELS = frozenset({"CARDINAL", "PERCENT", "MONEY", "QUANTITY"})
_NAME_LABELS = frozenset({"PERSON", "ORG", "GPE", "NORP"})
_DOCUMENT_LABELS = frozenset({"LAW", "WORK_OF_ART", "EVENT"})


def sentence_features(sentences: Sequence[Sentence]) -> pd.DataFrame:
    """The classifier's input for one document: text, cue tokens, neighbour text and numeric features.

    Sentences must be one document's, in order; position, section and the
    neighbouring sentences are part of what the model sees.
    """
    import numpy as np
    import pandas as pd

    n = len(sentences)
    last_paragraph = max((s.paragraph_id for s in sentences), default=0)
    by_paragraph: dict[int, list[int]] = {}
    for i, s in enumerate(sentences):
        by_paragraph.setdefault(s.paragraph_id, []).append(i)
    kinds = [[c.kind for c in s.cues] for s in sentences]
    rows = []
    for i, s in enumerate(sentences):
        members = by_paragraph[s.paragraph_id]
        k = members.index(i)
        labels = [e.label for e in s.entities]
        section = (s.section or "").lower()
        prev_kinds = kinds[i - 1] if i > 0 else []
        next_kinds = kinds[i + 1] if i + 1 < n else []
        rows.append({
            "text": s.text,
            "cues": " ".join([f"{c.kind}:{c.text.lower().replace(' ', '_')}" for c in s.cues]
                             + [c.kind for c in s.cues]),
            "context": " ".join(x.text for x in sentences[max(0, i - 1):i] + sentences[i + 1:i + 2]),
            "tags": s.tags,
            "pos_in_paragraph": k / max(len(members) - 1, 1),
            "first_in_paragraph": float(k == 0),
            "last_in_paragraph": float(k == len(members) - 1),
            "pos_in_essay": i / max(n - 1, 1),
            "first_paragraph": float(s.paragraph_id == 0),
            "last_paragraph": float(s.paragraph_id == last_paragraph),
            "section_conclusion": float("conclu" in section or "summary" in section),
            "section_intro": float("intro" in section),
            "log_length": float(np.log1p(len(s.text.split()))),
            "n_dates": float(labels.count("DATE")),
            "n_numbers": float(sum(label in _NUMBER_LABELS for label in labels)),
            "n_names": float(sum(label in _NAME_LABELS for label in labels)),
            "n_documents": float(sum(label in _DOCUMENT_LABELS for label in labels)),
            "has_year": float(bool(_YEAR.search(s.text))),
            "has_quote": float(bool(_QUOTE.search(s.text))),
            "question": float(s.text.rstrip().endswith("?")),
            "is_claim": float(s.is_claim),
            **{f"cue_{kind}": float(kinds[i].count(kind)) for kind in CUE_KINDS},
            **{f"prev_cue_{kind}": float(prev_kinds.count(kind)) for kind in ("cause", "evidence", "conclusion")},
            **{f"next_cue_{kind}": float(next_kinds.count(kind)) for kind in ("cause", "evidence", "conclusion")},
        })
    return pd.DataFrame(rows, columns=["text", "cues", "context", "tags", *NUMERIC_COLUMNS])


# The second stage, as measured on the corpus's essay-grouped folds (README, "argmap evaluate"). Few small
# leaves and many slow steps: it corrects the first stage where position, section and cues say it is wrong,
# and stays calibrated; early stopping is off so that a fit does not depend on a random validation split.
STAGE2_PARAMS: dict[str, Any] = {
    "max_iter": 300, "learning_rate": 0.03, "max_leaf_nodes": 8, "min_samples_leaf": 40, "l2_regularization": 1.0,
    "class_weight": "balanced", "early_stopping": False,
}


def build_classifier(C: float = 2.5, char_max_features: int = 60000, random_state: int = 0,
                     inner_folds: int = 5, nb_alpha: float = 0.3) -> StackedClassifier:
    """The role classifier: two first stages and a second, stacked; fit it with ``groups`` (the essay of each row).

    Features: word and character n-grams, cues, context, tags and the numeric
    features scaled to [0, 1]. First stages: logistic regression and
    complement naive Bayes over them (the two err differently; together they
    gave +0.012 macro-F1 over logistic regression alone, in every fold).
    Second stage: gradient boosting over both first stages' out-of-fold role
    probabilities (``inner_folds`` essay-grouped folds) and the numeric
    features, which catches the combinations a linear model misses.
    """
    from sklearn.compose import ColumnTransformer
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.naive_bayes import ComplementNB
    from sklearn.preprocessing import MinMaxScaler

    from .stacking import StackedClassifier

    features = ColumnTransformer(
        [
            ("words", TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True), "text"),
            ("chars", TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), min_df=3, sublinear_tf=True,
                                      max_features=char_max_features), "text"),
            ("cues", CountVectorizer(token_pattern=r"\S+", lowercase=False, binary=True), "cues"),
            ("context", TfidfVectorizer(min_df=3, sublinear_tf=True, max_features=20000), "context"),
            ("tags", TfidfVectorizer(token_pattern=r"\S+", lowercase=False, ngram_range=(1, 3), min_df=3,
                                     sublinear_tf=True), "tags"),
            # [0, 1] and clipped, not standardised: naive Bayes takes no negative input.
            ("numbers", MinMaxScaler(clip=True), list(NUMERIC_COLUMNS)),
        ]
    )
    firsts = [
        LogisticRegression(C=C, max_iter=3000, class_weight="balanced", random_state=random_state),
        ComplementNB(alpha=nb_alpha),
    ]
    second = HistGradientBoostingClassifier(**STAGE2_PARAMS, random_state=random_state)
    return StackedClassifier(features, firsts, second, passthrough=NUMERIC_COLUMNS, inner_folds=inner_folds)


def in_role_order(classes: Sequence[str], proba: np.ndarray) -> np.ndarray:
    """``proba``'s columns (one per class of ``classes``) reordered to ROLES."""
    return proba[:, [list(classes).index(role) for role in ROLES]]


def blend(stacked: np.ndarray, encoded: np.ndarray, weight: float) -> np.ndarray:
    """The stacked model's and the encoder's role probabilities combined as a weighted geometric mean.

    A geometric mean, not an average: where the two disagree it stays as
    calibrated as the stacked model (expected calibration error 0.016 against
    0.040 for the average, on the corpus's held-out folds), while the
    fine-tuned encoder alone is overconfident (0.090).
    """
    import numpy as np

    log = (1 - weight) * np.log(np.clip(stacked, 1e-9, 1)) + weight * np.log(np.clip(encoded, 1e-9, 1))
    proba = np.exp(log - log.max(axis=1, keepdims=True))
    return proba / proba.sum(axis=1, keepdims=True)


class TrainedRoles:
    """A fitted role classifier with its model card; implements :class:`RoleModel`.

    ``pipeline`` is ``build_classifier``'s stacked model; ``encoder``, when
    there is one, is blended in with the weight ``card["parameters"]["encoder"]["weight"]``.
    """

    def __init__(self, pipeline: StackedClassifier, card: dict[str, Any],
                 encoder: SentenceEncoder | None = None) -> None:
        self.pipeline = pipeline
        self.card = card
        self.encoder = encoder
        self.name = str(card.get("name", "trained"))
        if encoder is None and (card.get("parameters") or {}).get("encoder"):
            self.name += "/stacked"  # a blended model's stacked stage used alone

    def probabilities(self, sentences: Sequence[Sentence]) -> np.ndarray:
        """Role probabilities in ROLES order, one row per sentence."""
        import numpy as np

        if not sentences:
            return np.zeros((0, len(ROLES)))
        proba = in_role_order(self.pipeline.classes_, self.pipeline.predict_proba(sentence_features(sentences)))
        if self.encoder is None:
            return proba
        # torch's own threads: one in a batch worker (a pool's worker holds one_thread for its life; Dask starts
        # its workers with OMP_NUM_THREADS=1), every core in a single process, where the encoder runs 1.85x faster
        # on two idle cores than on one
        encoded = in_role_order(self.encoder.classes_, self.encoder.predict_proba([s.text for s in sentences]))
        return blend(proba, encoded, float(self.card["parameters"]["encoder"]["weight"]))

    def predict(self, sentences: Sequence[Sentence]) -> list[Prediction]:
        """Predict a role with probabilities for each sentence."""
        out = []
        for row in self.probabilities(sentences):
            probabilities = tuple(round(float(p), 4) for p in row)
            out.append(Prediction(ROLES[int(row.argmax())], probabilities))  # type: ignore[arg-type]
        return out


# --- safe persistence -----------------------------------------------------------------

# Reviewed: the types a role model file holds that skops does not trust by default; tests keep
# this list equal to what a saved model needs. Both are plain data, no code:
# - our StackedClassifier (pipeline/stacking.py): its two fitted stages, parameters and classes;
# - the fitted trees of the histogram gradient boosting (arrays of split nodes), as in models/links.
TRUSTED_TYPES: list[str] = [
    "pipeline.stacking.StackedClassifier",
    "sklearn.ensemble._hist_gradient_boosting.predictor.TreePredictor",
]


def save_trained(model: TrainedRoles, folder: str | Path) -> None:
    """Save a trained model with skops (no pickle), its encoder with safetensors, and its card as JSON and Markdown."""
    for _, transformer, _ in model.pipeline.features_.transformers_:
        if hasattr(transformer, "stop_words_"):
            del transformer.stop_words_  # the pruned vocabulary: only needed to inspect a fit, and most of the file
        if hasattr(transformer, "vocabulary_"):
            # a vocabulary cut to max_features maps terms to NumPy integers, which skops stores one file each
            # (42,000 of them, 4 s to load); plain ints are stored in its JSON
            transformer.vocabulary_ = {term: int(index) for term, index in transformer.vocabulary_.items()}
    save_model(model.pipeline, model.card, folder)
    if model.encoder is not None:
        model.encoder.save(folder)


def load_trained(folder: str | Path, encoder: bool = True) -> TrainedRoles:
    """Load a trained model folder, refusing any file that holds types outside TRUSTED_TYPES.

    Its sentence encoder, where it has one, is loaded too unless ``encoder`` is False.

    Raises:
        ModelError: Unknown types in the file, or an unreadable model or card.
    """
    pipeline, card = load_model_file(folder, TRUSTED_TYPES)
    if not encoder or not (Path(folder) / ENCODER_FILE).exists():
        return TrainedRoles(pipeline, card)
    from .encoder import SentenceEncoder

    return TrainedRoles(pipeline, card, SentenceEncoder.load(folder))
