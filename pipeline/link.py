"""Linking: turn labelled sentences into the edges of an argument map.

The rule linker connects each evidence sentence to the claim it most plausibly
supports in its paragraph, each cause to the conclusion it explains, each
conclusion to the thesis, and marks contrasts signalled by ``however``,
``yet``, ``but``. Every edge carries a score and a reason in words.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from .types import Edge, Prediction, Relation, Sentence

_CONTRAST_OPENERS = re.compile(r"^(however|yet|but|though|although|nevertheless|nonetheless|still|on the other hand)\b", re.I)
_SUMMARY = re.compile(r"\b(in summary|in sum|in conclusion|to conclude|overall|therefore|thus|it is apparent|clearly)\b", re.I)


def find_thesis(sentences: Sequence[Sentence], predictions: Sequence[Prediction]) -> int | None:
    """Pick the essay's main conclusion: the best-scored conclusion by section, cues and position."""
    best, best_score = None, float("-inf")
    last_paragraph = max((s.paragraph_id for s in sentences), default=0)
    for sentence, prediction in zip(sentences, predictions):
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


def link(sentences: Sequence[Sentence], predictions: Sequence[Prediction]) -> tuple[Edge, ...]:
    """Link the sentences of one document into an argument map.

    Args:
        sentences: The document's sentences in order.
        predictions: Their roles, one per sentence.

    Returns:
        Edges sorted by source and target; ``supports``/``explains`` never form a cycle
        because they only point to a claim of a higher rank (evidence → cause →
        conclusion → thesis).
    """
    roles = {s.id: p.role for s, p in zip(sentences, predictions)}
    thesis = find_thesis(sentences, predictions)
    edges: list[Edge] = []
    for sentence in sentences:
        role = roles[sentence.id]
        if role == "evidence":
            target = _nearest_claim(sentence, sentences, roles, ("cause", "conclusion"))
            if target is not None:
                edges.append(_edge(sentence, target, "supports"))
        elif role == "cause":
            target = _nearest_claim(sentence, sentences, roles, ("conclusion",))
            if target is None and thesis is not None:
                target = sentences[thesis]
            if target is not None:
                edges.append(_edge(sentence, target, "explains"))
        elif role == "conclusion" and thesis is not None and sentence.id != thesis:
            edges.append(_edge(sentence, sentences[thesis], "supports"))
        if role != "other" and _CONTRAST_OPENERS.match(sentence.text):
            previous = _previous_argumentative(sentence, sentences, roles)
            if previous is not None:
                edges.append(_edge(sentence, previous, "contrasts"))
    return tuple(sorted(edges, key=lambda e: (e.source_id, e.target_id, e.relation)))


def _nearest_claim(
    sentence: Sentence, sentences: Sequence[Sentence], roles: dict[int, str], wanted: tuple[str, ...]
) -> Sentence | None:
    """The closest sentence of a wanted role in the same paragraph, preferring one that shares entities."""
    candidates = [s for s in sentences if s.paragraph_id == sentence.paragraph_id and s.id != sentence.id and roles[s.id] in wanted]
    if not candidates:
        return None
    keys = _entity_keys(sentence)
    return min(candidates, key=lambda s: (abs(s.id - sentence.id) - 1.5 * len(keys & _entity_keys(s)), s.id > sentence.id, s.id))


def _previous_argumentative(sentence: Sentence, sentences: Sequence[Sentence], roles: dict[int, str]) -> Sentence | None:
    for other in reversed(sentences[: sentence.id]):
        if roles[other.id] != "other":
            return other
    return None


def _entity_keys(sentence: Sentence) -> set[str]:
    return {e.entity_id for e in sentence.entities if e.label not in {"ORDINAL", "CARDINAL"}}


def _edge(source: Sentence, target: Sentence, relation: Relation) -> Edge:
    distance = abs(source.id - target.id)
    shared = sorted(_entity_keys(source) & _entity_keys(target))
    reasons = ["same paragraph" if source.paragraph_id == target.paragraph_id else f"{abs(source.paragraph_id - target.paragraph_id)} paragraphs apart"]
    if shared:
        reasons.append("shares entity " + ", ".join(shared[:3]))
    cue = next((c.text for c in source.cues if relation == "contrasts" and c.kind == "contrast" or relation != "contrasts" and c.kind in ("cause", "evidence", "conclusion")), None)
    if cue:
        reasons.append(f'cue "{cue}"')
    score = round(min(1.0, 1.0 / (1 + 0.3 * distance) + 0.15 * len(shared)), 3)
    return Edge(source.id, target.id, relation, score, "; ".join(reasons))
