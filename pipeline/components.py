"""argmap's spaCy components, registered as factories so any spaCy pipeline can use them.

They are exposed through the ``spacy_factories`` entry point, so ``spacy.load``
of a pipeline saved with them works in a fresh process without importing
argmap by hand.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from importlib import resources
from pathlib import Path
from typing import Any

import srsly
from spacy.language import Language
from spacy.matcher import Matcher, PhraseMatcher
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

CUE_KINDS = ("cause", "evidence", "conclusion", "contrast")


def default_lexicon() -> dict[str, Any]:
    """The cue lexicon shipped with argmap (pipeline/data/cues.json)."""
    return json.loads(resources.files("pipeline").joinpath("data/cues.json").read_text(encoding="utf-8"))


class CueMatcher:
    """Mark discourse cues (causal connectives, evidence markers, conclusion markers, contrasts).

    Matches go to ``doc.spans[spans_key]`` with the cue kind as the span label.
    The lexicon is data: phrases matched on lowercase text and spaCy Matcher
    token patterns, per kind.
    """

    def __init__(self, nlp: Language, name: str, lexicon: dict[str, Any], spans_key: str) -> None:
        self.name = name
        self.spans_key = spans_key
        self.vocab = nlp.vocab
        self.lexicon = lexicon
        self._build()

    def _build(self) -> None:
        self.phrase_matcher = PhraseMatcher(self.vocab, attr="LOWER")
        self.matcher = Matcher(self.vocab)
        make = self.vocab.strings.add
        for kind, phrases in self.lexicon.get("phrases", {}).items():
            self.phrase_matcher.add(kind, [self._tokenize(p) for p in phrases])
            make(kind)
        for kind, patterns in self.lexicon.get("patterns", {}).items():
            self.matcher.add(kind, patterns)

    def _tokenize(self, phrase: str) -> Doc:
        return Doc(self.vocab, words=phrase.split())

    def __call__(self, doc: Doc) -> Doc:
        matches = list(self.phrase_matcher(doc)) + list(self.matcher(doc))
        spans = [Span(doc, start, end, label=label) for label, start, end in matches]
        doc.spans[self.spans_key] = sorted(filter_spans(spans), key=lambda s: s.start)
        return doc

    def pipe(self, docs: Iterable[Doc], batch_size: int = 128) -> Iterable[Doc]:
        for doc in docs:
            yield self(doc)

    def to_disk(self, path: str | Path, exclude: Iterable[str] = ()) -> None:
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        srsly.write_json(path / "lexicon.json", self.lexicon)

    def from_disk(self, path: str | Path, exclude: Iterable[str] = ()) -> CueMatcher:
        self.lexicon = srsly.read_json(Path(path) / "lexicon.json")
        self._build()
        return self


@Language.factory(
    "argmap_cues",
    default_config={"lexicon": None, "spans_key": "cues"},
    assigns=["doc.spans"],
)
def make_cues(nlp: Language, name: str, lexicon: str | None, spans_key: str) -> CueMatcher:
    """Create the cue matcher; ``lexicon`` is a path to a lexicon JSON file, or None for argmap's own."""
    data = srsly.read_json(lexicon) if lexicon else default_lexicon()
    return CueMatcher(nlp, name, data, spans_key)
