"""Classification: give each sentence a role and the probability of every role.

Two kinds of model share one interface (:class:`RoleModel`): the transparent
cue-rule baseline defined here, and the trained scikit-learn pipeline
(``argmap train``). Both return probabilities in ``ROLES`` order.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from .errors import ModelError
from .types import ROLES, Prediction, Role, Sentence

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


def load_model(name: str | None = None) -> RoleModel:
    """Load a role model by name; ``rules`` (the default) is the cue-rule baseline.

    Raises:
        ModelError: No model of that name.
    """
    if name in (None, "rules"):
        return CueRules()
    raise ModelError(f"unknown model {name!r}: use 'rules'")
