"""argmap's spaCy components, registered as factories so any spaCy pipeline can use them.

- ``argmap_cues``: discourse cue phrases to ``doc.spans["cues"]`` (label: the cue kind).
- ``argmap_entities``: adds proper names the NER missed, links acronyms to the long
  forms an essay defines and gives every entity a normalised ``Span._.entity_id``.
- ``argmap_claims``: the asserting clause of each claim sentence to
  ``doc.spans["claims"]`` and ``Span._.is_claim`` on sentences.
- ``argmap_causal``: cause–effect pairs read off the dependency parse, to
  ``doc.spans["causes"]``, ``doc.spans["effects"]`` and ``doc.spans["causal_cues"]``
  (aligned by position) and ``Doc._.causal_links``.

Each component's lexicon is a JSON file in ``pipeline/data`` that users can copy
and extend; it is saved with the pipeline by ``to_disk``. The factories are
exposed through the ``spacy_factories`` entry point, so ``spacy.load`` of a
pipeline saved with them works in a fresh process without importing argmap by hand.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from importlib import resources
from pathlib import Path
from typing import Any

import srsly
from spacy.language import Language
from spacy.matcher import Matcher, PhraseMatcher
from spacy.tokens import Doc, Span, Token
from spacy.util import filter_spans

if not Span.has_extension("is_claim"):
    Span.set_extension("is_claim", default=False)
if not Span.has_extension("entity_id"):
    Span.set_extension("entity_id", default="")
if not Doc.has_extension("acronyms"):
    Doc.set_extension("acronyms", default=None)
if not Doc.has_extension("causal_links"):
    Doc.set_extension(
        "causal_links", getter=lambda doc: list(zip(*(doc.spans.get(k, []) for k in _LINK_KEYS), strict=True))
    )

_LINK_KEYS = ("causes", "effects", "causal_cues")


def _data(name: str) -> dict[str, Any]:
    return json.loads(resources.files("pipeline").joinpath(f"data/{name}").read_text(encoding="utf-8"))


def default_lexicon() -> dict[str, Any]:
    """The cue lexicon shipped with argmap (pipeline/data/cues.json)."""
    return _data("cues.json")


def default_causal_lexicon() -> dict[str, Any]:
    """The causal trigger lexicon shipped with argmap (pipeline/data/causal.json)."""
    return _data("causal.json")


def default_aliases() -> dict[str, Any]:
    """The entity alias table shipped with argmap (pipeline/data/entities.json)."""
    return _data("entities.json")


class _LexiconComponent:
    """Shared state handling: a JSON lexicon kept in ``self.lexicon``, rebuilt into matchers by ``_build``."""

    lexicon: dict[str, Any]

    def _build(self) -> None:
        """Turn ``self.lexicon`` into whatever the component matches with."""

    def pipe(self, docs: Iterable[Doc], batch_size: int = 128) -> Iterator[Doc]:
        for doc in docs:
            yield self(doc)  # type: ignore[operator]

    def to_disk(self, path: str | Path, exclude: Iterable[str] = ()) -> None:
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        srsly.write_json(path / "lexicon.json", self.lexicon)

    def from_disk(self, path: str | Path, exclude: Iterable[str] = ()) -> _LexiconComponent:
        self.lexicon = srsly.read_json(Path(path) / "lexicon.json")
        self._build()
        return self


def _read_lexicon(path: str | None, default: dict[str, Any]) -> dict[str, Any]:
    return srsly.read_json(path) if path else default


# --- argmap_cues ---------------------------------------------------------------------


class CueMatcher(_LexiconComponent):
    """Mark discourse cues (causal connectives, evidence markers, conclusion markers, contrasts).

    Matches go to ``doc.spans[spans_key]`` with the cue kind as the span label.
    The lexicon is data: phrases matched on lowercase text, and spaCy Matcher
    token patterns per kind (``{"pattern": [...], "example": "..."}``).
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
        for kind, phrases in self.lexicon.get("phrases", {}).items():
            self.phrase_matcher.add(kind, [Doc(self.vocab, words=p.split()) for p in phrases])
            self.vocab.strings.add(kind)
        for kind, patterns in self.lexicon.get("patterns", {}).items():
            self.matcher.add(kind, [p["pattern"] if isinstance(p, dict) else p for p in patterns])

    def __call__(self, doc: Doc) -> Doc:
        matches = list(self.phrase_matcher(doc)) + (list(self.matcher(doc)) if len(self.matcher) else [])
        spans = [Span(doc, start, end, label=label) for label, start, end in matches]
        doc.spans[self.spans_key] = sorted(filter_spans(spans), key=lambda s: s.start)
        return doc


@Language.factory("argmap_cues", default_config={"lexicon": None, "spans_key": "cues"}, assigns=["doc.spans"])
def make_cues(nlp: Language, name: str, lexicon: str | None, spans_key: str) -> CueMatcher:
    """Create the cue matcher; ``lexicon`` is a path to a lexicon JSON file, or None for argmap's own."""
    return CueMatcher(nlp, name, _read_lexicon(lexicon, default_lexicon()), spans_key)


# --- argmap_entities -----------------------------------------------------------------

_ACRONYM = re.compile(r"^[A-Z][A-Za-z&]*[A-Z][0-9]?$")
_LONG_FORM_FILLERS = frozenset({"of", "on", "and", "for", "the", "in", "to", "at", "with", "'s", "’s", "&", "-"})
_DECADE_SUFFIX = frozenset({"’s", "'s", "s"})


def entity_key(text: str) -> str:
    """A normalised key so that spelling variants of one name group together (``U.S.``, ``US`` → ``us``)."""
    key = text.lower().replace(".", "").replace("’s", "").replace("'s", "").strip()
    return key[4:] if key.startswith("the ") else key


def _slug(key: str) -> str:
    return re.sub(r"[^\w]+", "-", key).strip("-")


class EntityLinker(_LexiconComponent):
    """Complete the statistical NER, link acronyms to the long forms a text defines and give every entity an id.

    ``European Space Agency (ESA)`` makes the long form an entity, marks every
    later ``ESA`` with the same label, and gives both the id ``esa``. Names the
    NER missed or cut short (``Canadarm2``, ``U.S. Department of Energy``) are
    added from runs of capitalised words (see :meth:`names`). The alias table
    maps other spellings to one id (``the United States`` → ``us``).
    Definitions found go to ``Doc._.acronyms`` (acronym → [long form, label]).
    """

    def __init__(self, nlp: Language, name: str, lexicon: dict[str, Any], proper_nouns: bool = True) -> None:
        self.name = name
        self.lexicon = lexicon
        self.proper_nouns = proper_nouns
        self._build()

    def _build(self) -> None:
        self.aliases = {entity_key(k): v for k, v in self.lexicon.get("aliases", {}).items()}
        # A lexicon saved before version 1.1 has no "names" or "date_frames": use argmap's own.
        shipped = default_aliases()
        names = self.lexicon.get("names") or shipped["names"]
        self.connectors = frozenset(names["connectors"])
        self.head_connectors = frozenset(names["head_connectors"])
        self.after_connector = frozenset(names["after_connector"])
        self.articles = frozenset(names["articles"])
        self.joiners = frozenset(names["joiners"])
        self.fallback_label = names["fallback_label"]
        self.heads = {word: label for label, words in names["heads"].items() for word in words}
        self.date_frames = frozenset(self.lexicon.get("date_frames", shipped["date_frames"]))

    def __call__(self, doc: Doc) -> Doc:
        acronyms: dict[str, list[str]] = {}
        definitions = []
        for long_form, acronym in self.definitions(doc):
            label = _overlapping_label(doc, long_form) or "ORG"
            definitions.append(Span(doc, long_form.start, long_form.end, label=label))
            acronyms[acronym] = [long_form.text, label]
        _set_ents(doc, definitions, replace_overlaps=True)
        if self.proper_nouns:
            _set_ents(doc, list(self.names(doc, definitions)), replace_overlaps=True)
        doc._.acronyms = acronyms
        return self.link(doc, acronyms)

    def definitions(self, doc: Doc) -> Iterator[tuple[Span, str]]:
        """Each ``Long Form (LF)`` in the text: the long-form span and the acronym."""
        for token in doc[:-2]:
            acronym = token.nbor(1).text
            if token.text != "(" or token.nbor(2).text != ")" or not _ACRONYM.match(acronym):
                continue
            start = _long_form_start(doc, token.i, [c for c in acronym if c.isupper()])
            if start is not None:
                yield doc[start : token.i], acronym

    def names(self, doc: Doc, protected: Iterable[Span] = ()) -> Iterator[Span]:
        """Proper names the NER missed or cut short, from runs of capitalised words.

        A run is capitalised words that are not function words and do not open
        a sentence or quotation (a sentence's first word only when tagged
        ``PROPN`` and followed by more of the name), kept together by connectors
        (``Department of Energy``, ``Committee on …``; see :meth:`_across`) and
        joiners (``Alpha-Magnetic``). Leading nationality adjectives (``Russian
        Soyuz``) and place compounds (``China-U.S. Understanding``) are
        modifiers, not part of the name; a person, a date or number, and a
        place after a connector end the run. A run may replace NER entities
        only when its head word names a kind of thing (``Department`` → ``ORG``,
        table ``names.heads``), and never an acronym's long form in
        ``protected``. The label is that of the head word, else see
        :meth:`_evident_label`.
        """
        owner = {i: ent for ent in doc.ents for i in range(ent.start, ent.end)}
        known = {ent.text: ent.label_ for ent in doc.ents}
        kept = {(s.start, s.end) for s in protected}
        i = 0
        while i < len(doc):
            start, end, head = self._run(doc, i, owner)
            i = max(i + 1, end)
            if start == end:
                continue
            covered = {owner[k] for k in range(start, end) if k in owner}
            if any(e.end > end or (e.start < start and doc[e.start : start].text.lower() != "the") for e in covered):
                continue  # the NER drew other boundaries: trust it
            if any((e.start, e.end) in kept or (e.start <= start and end <= e.end) for e in covered):
                continue  # an acronym's long form, or a name the NER found whole
            if end < len(doc) and _label(doc[end], owner) == "PERSON":
                continue  # a title or a first name the NER left out: "Representative Christopher Cox"
            label = self.heads.get(doc[head].lower_)
            if covered and label is None:
                continue
            yield Span(doc, start, end, label=label or self._evident_label(doc[start:end], known))

    def _run(self, doc: Doc, i: int, owner: dict[int, Span]) -> tuple[int, int, int]:
        """The name starting at token ``i`` as (start, end, head token); start == end when there is none."""
        first = doc[i]
        initial = _sentence_initial(first)
        if not self._can_open(first, owner) or (initial and first.pos_ != "PROPN"):
            return i, i, i
        end = _unit_end(first, owner)
        units, head, prepositions, titled = [(i, end)], None, 0, False
        while end < len(doc):
            token = doc[end]
            if _name_token(token, owner):  # adjacent: "Zvezda Service Module"
                if _label(token, owner) == "PERSON":
                    break
                units.append((end, _unit_end(token, owner)))
            elif token.text in self.joiners and not token.whitespace_ and not doc[end - 1].whitespace_:
                if end + 1 >= len(doc) or not _name_token(doc[end + 1], owner):
                    break
                units.append((end + 1, _unit_end(doc[end + 1], owner)))
            elif (j := self._across(doc, end, owner, titled, prepositions)) is not None:
                if token.lower_ not in self.after_connector:
                    prepositions += 1
                    head = units[-1][1] - 1 if head is None else head
                titled = titled or token.lower_ in self.head_connectors
                units.append((j, _unit_end(doc[j], owner)))
            else:
                break
            end = units[-1][1]
        name = _without_modifiers(doc, units, owner)
        if not name or (initial and len(units) == 1 and not any(c.isdigit() for c in first.text)):
            return end, end, end  # a sentence's first word alone is too often a capitalised common noun
        start = name[0][0]
        return start, end, end - 1 if head is None or head < start else head

    def _can_open(self, token: Token, owner: dict[int, Span]) -> bool:
        """Whether a name can start at ``token``: not a person, function word or number, nor inside a longer name."""
        if not _name_token(token, owner) or _label(token, owner) == "PERSON" or token.like_num:
            return False
        if _function_word(token):
            return False  # "The", "We", "With"
        if token.i == 0:
            return True
        before = token.doc[token.i - 1]
        if before.text in self.joiners and not before.whitespace_:
            return False  # "Ratcliffe-on-Soar"
        # After a capitalised word that could not open a name ("Part V", "Marshall Plans"): a fragment.
        return not _name_token(before, owner) or _function_word(before) or _label(before, owner) == "NORP"

    def _across(self, doc: Doc, k: int, owner: dict[int, Span], titled: bool, prepositions: int) -> int | None:
        """The name word after a connector at token ``k``, when the connector can stand inside this name.

        ``of`` always can; ``on``/``for``/``in`` after a head word (``Committee on``) or once the name
        has one; ``and``/``with`` after any of those (``Cooperation in Science and Technology``).
        """
        word = doc[k].lower_
        if word in self.head_connectors:
            allowed = titled or doc[k - 1].lower_ in self.heads
        else:
            allowed = word in self.connectors or (prepositions > 0 and word in self.after_connector)
        j = k + 1
        while j < len(doc) and doc[j].lower_ in self.articles:
            j += 1
        if not allowed or j >= len(doc) or not _name_token(doc[j], owner):
            return None
        label = _label(doc[j], owner)
        if label == "PERSON":
            return None
        # A place ("in China"), or a name the NER found after an article ("module of the ISS"), is a name of
        # its own, unless more capitalised words follow it ("on U.S. National Security").
        if label in _PLACE_LABELS or (label is not None and j > k + 1):
            after = _unit_end(doc[j], owner)
            return j if after < len(doc) and _name_token(doc[after], owner) else None
        return j

    def _evident_label(self, name: Span, known: dict[str, str]) -> str:
        """A label for a name without a telling head word.

        In order: the label the NER gave the same text elsewhere in the doc,
        the label of the common noun the name modifies (``the Orion module`` →
        PRODUCT), NORP for a lone capitalised adjective (``Chinese``), else the
        fallback label.
        """
        if name.text in known:
            return known[name.text]
        doc, last = name.doc, name[-1]
        if doc.has_annotation("DEP"):
            noun = last.head if last.dep_ in {"compound", "nmod", "amod"} and last.head.i > last.i else None
        else:
            noun = doc[last.i + 1] if last.i + 1 < len(doc) else None
        if noun is not None and noun.lower_ in self.heads:
            return self.heads[noun.lower_]
        return "NORP" if len(name) == 1 and last.pos_ == "ADJ" else self.fallback_label

    def link(self, doc: Doc, acronyms: dict[str, list[str]]) -> Doc:
        """Mark mentions of known acronyms as entities and set ``entity_id`` on every entity."""
        mentions = [Span(doc, t.i, t.i + 1, label=acronyms[t.text][1]) for t in doc if t.text in acronyms]
        _set_ents(doc, mentions, replace_overlaps=False)
        _set_ents(doc, list(self.dates(doc)), replace_overlaps=True)
        long_forms = {entity_key(long): entity_key(short) for short, (long, _) in acronyms.items()}
        for ent in doc.ents:
            ent._.entity_id = self.entity_id(ent.text, long_forms)
        return doc

    def dates(self, doc: Doc) -> Iterator[Span]:
        """Date entities narrowed to the date itself.

        ``the start of the twentieth century`` → ``the twentieth century`` (words
        of ``date_frames``), and a decade cut before its ``’s`` (``the early
        1970’s``) extended to include it.
        """
        for ent in doc.ents:
            if ent.label_ != "DATE":
                continue
            start, end = ent.start, ent.end
            of = next((t.i for t in ent if t.lower_ == "of"), None)
            if of is not None and any(t.lower_ in self.date_frames for t in doc[start:of]) and of + 1 < end:
                start = of + 1
            if end < len(doc) and ent[-1].like_num and doc[end].text in _DECADE_SUFFIX:
                end += 1
            if (start, end) != (ent.start, ent.end):
                yield Span(doc, start, end, label="DATE")

    def entity_id(self, text: str, long_forms: dict[str, str] | None = None) -> str:
        """The normalised id of an entity's text, given long-form → acronym keys."""
        key = entity_key(text)
        key = (long_forms or {}).get(key, key)
        return _slug(self.aliases.get(key, key))


_PLACE_LABELS = frozenset({"GPE", "NORP", "LOC"})
_NOT_NAMES = frozenset({"DATE", "TIME", "PERCENT", "MONEY", "QUANTITY", "ORDINAL", "CARDINAL"})
_SENTENCE_ENDS = frozenset({".", "!", "?"})
_OPENERS = frozenset({"“", '"', "‘", "'"})
_FUNCTION_POS = frozenset({"PRON", "AUX", "ADP", "DET", "CCONJ", "SCONJ", "PART", "NUM"})


def _label(token: Token, owner: dict[int, Span]) -> str | None:
    ent = owner.get(token.i)
    return ent.label_ if ent is not None else None


def _name_token(token: Token, owner: dict[int, Span]) -> bool:
    """A capitalised word that can be part of a name: not ``I``, not in a date or number entity."""
    text, label = token.text, _label(token, owner)
    if label is None and "-" in text[1:]:  # "U.S.-led", "U.S.-China": a compound modifier, not a name
        return False
    return text[:1].isupper() and text != "I" and not token.is_punct and label not in _NOT_NAMES


def _function_word(token: Token) -> bool:
    """A pronoun, determiner, preposition…: by its tag, or without a tagger by spaCy's stop list (not acronyms)."""
    return token.pos_ in _FUNCTION_POS if token.pos_ else token.is_stop and not token.is_upper


def _sentence_initial(token: Token) -> bool:
    """Whether a word opens a sentence or a quotation (where any word is capitalised)."""
    doc, i = token.doc, token.i
    if i > 0 and doc[i - 1].text in _OPENERS:
        return True
    return i == 0 or bool(token.is_sent_start) or doc[i - 1].text in _SENTENCE_ENDS or "\n" in doc[i - 1].text


def _unit_end(token: Token, owner: dict[int, Span]) -> int:
    """Where the name unit opened by ``token`` ends: the end of its entity, or the next token."""
    ent = owner.get(token.i)
    return ent.end if ent is not None else token.i + 1


def _without_modifiers(doc: Doc, units: list[tuple[int, int]], owner: dict[int, Span]) -> list[tuple[int, int]]:
    """Drop a leading nationality (``Russian Soyuz``) or place compound (``China-U.S. Understanding``)."""
    places = 0
    while places < len(units) - 1 and _label(doc[units[places][0]], owner) in _PLACE_LABELS:
        places += 1
    if places and any(doc[s - 1].text == "-" for s, _ in units[1 : places + 1]):
        return units[places + 1 :]
    if len(units) > 1 and (_label(doc[units[-1][0]], owner) == "NORP" or doc[units[-1][1] - 1].pos_ == "ADJ"):
        return []  # "Franco-Russian": an adjective
    if len(units) > 1 and _label(doc[units[0][0]], owner) == "NORP":
        return units[1:]
    return units


def _long_form_start(doc: Doc, paren: int, letters: list[str]) -> int | None:
    """Walk back from ``(`` matching capitalised initials to the acronym's letters, skipping fillers."""
    k, start = len(letters) - 1, None
    for j in range(paren - 1, max(-1, paren - 2 * len(letters) - 4), -1):
        token = doc[j]
        if k < 0:
            break
        if token.lower_ in _LONG_FORM_FILLERS or token.is_punct:
            if start is None:
                return None
            continue
        if not (token.text[0].isupper() and token.text[0] == letters[k]):
            return None
        k, start = k - 1, j
    return start if k < 0 else None


def _overlapping_label(doc: Doc, span: Span) -> str | None:
    labels = [e.label_ for e in doc.ents if e.start < span.end and span.start < e.end]
    return max(labels, key=labels.count) if labels else None


def _set_ents(doc: Doc, spans: list[Span], *, replace_overlaps: bool) -> None:
    """Add spans to ``doc.ents``, replacing what they overlap, or only where nothing but an exact match overlaps."""
    if not spans:
        return
    spans = filter_spans(spans)
    taken = {i for s in spans for i in range(s.start, s.end)}
    kept = []
    exact = {(s.start, s.end) for s in spans}
    for ent in doc.ents:
        overlaps = any(i in taken for i in range(ent.start, ent.end))
        if not overlaps or (not replace_overlaps and (ent.start, ent.end) not in exact):
            kept.append(ent)
    held = {i for e in kept for i in range(e.start, e.end)}
    added = [s for s in spans if not any(i in held for i in range(s.start, s.end))]
    doc.ents = sorted(kept + added, key=lambda s: s.start)


@Language.factory(
    "argmap_entities",
    default_config={"aliases": None, "proper_nouns": True},
    assigns=["doc.ents"],
    requires=["doc.ents"],
)
def make_entities(nlp: Language, name: str, aliases: str | None, proper_nouns: bool) -> EntityLinker:
    """Create the entity linker; ``aliases`` is a path to an entity lexicon JSON file, or None for argmap's own.

    ``proper_nouns`` switches on the step that adds names the NER missed (:meth:`EntityLinker.names`).
    """
    return EntityLinker(nlp, name, _read_lexicon(aliases, default_aliases()), proper_nouns)


# --- argmap_claims -------------------------------------------------------------------

_STANCE_DEPS = frozenset({"acomp", "attr", "ccomp", "xcomp", "oprd"})
_FRAME_DEPS = frozenset({"advcl", "prep", "advmod", "npadvmod", "cc", "mark", "intj", "punct", "dep"})
_SUBJECT_DEPS = frozenset({"nsubj", "nsubjpass", "csubj", "csubjpass", "expl"})


def claim_clause(sent: Span, cues_key: str = "cues") -> Span | None:
    """The asserting clause of a sentence, or None when it asserts nothing the reader is asked to accept.

    A claim has a finite main verb, is not a question, and carries stance: a
    modal, a predicate judgment (``is important``), a clausal complement
    (``shows that …``) or a cue phrase of cause or conclusion. The clause is the
    main clause without fronted frames (``Because of X,``, ``In 1998,``) and
    trailing adverbial clauses.
    """
    root = sent.root
    if root.pos_ not in {"VERB", "AUX"} or sent.text.rstrip().endswith("?"):
        return None
    stance = any(t.tag_ == "MD" for t in sent) or any(t.dep_ in _STANCE_DEPS and t.head == root for t in sent)
    if not stance and not any(
        span.label_ in {"cause", "conclusion"} and sent.start <= span.start < sent.end
        for span in sent.doc.spans.get(cues_key, [])
    ):
        return None
    children = [c for c in root.children if sent.start <= c.i < sent.end]
    subject = min((c.i for c in children if c.dep_ in _SUBJECT_DEPS), default=root.i)
    kept = [
        c
        for c in children
        if c.dep_ != "punct"
        and not (c.dep_ in _FRAME_DEPS and c.i < subject)
        and not (c.dep_ == "advcl" and c.i > root.i)
    ]
    start = min([root.i] + [c.left_edge.i for c in kept])
    end = max([root.i] + [c.right_edge.i for c in kept]) + 1
    return sent.doc[start:end]


class ClaimFinder:
    """Mark the claim of each argumentative sentence: ``doc.spans[spans_key]`` and ``Span._.is_claim``."""

    def __init__(self, name: str, spans_key: str, cues_key: str) -> None:
        self.name = name
        self.spans_key = spans_key
        self.cues_key = cues_key

    def __call__(self, doc: Doc) -> Doc:
        claims = []
        if doc.has_annotation("DEP"):
            for sent in doc.sents:
                clause = claim_clause(sent, self.cues_key)
                sent._.is_claim = clause is not None
                if clause is not None:
                    claims.append(clause)
        doc.spans[self.spans_key] = claims
        return doc


@Language.factory(
    "argmap_claims",
    default_config={"spans_key": "claims", "cues_key": "cues"},
    assigns=["doc.spans", "span._.is_claim"],
    requires=["token.dep"],
)
def make_claims(nlp: Language, name: str, spans_key: str, cues_key: str) -> ClaimFinder:
    """Create the claim finder (it reads the cue spans of ``argmap_cues`` when present)."""
    return ClaimFinder(name, spans_key, cues_key)


# --- argmap_causal -------------------------------------------------------------------

_VERBAL = frozenset({"VERB", "AUX"})
_OBJECT_DEPS = frozenset({"dobj", "obj"})
_EFFECT_TAIL_DEPS = frozenset({"dobj", "xcomp", "ccomp", "oprd"})
_CLAUSE_SEPARATORS = frozenset({",", ";", "and", "—", "–"})
_PERSONAL = frozenset({"he", "she", "they", "i", "we", "you"})
_TRIM = frozenset({"that", "and", "but", "which", "who", "in", "turn", "thereby", "then"})
_NOT_SO = frozenset({"that", "far", "called", "long", "as", "to", "-", "forth", "on"})

Pair = tuple[tuple[int, int], tuple[int, int], tuple[int, int]]


class CausalExtractor(_LexiconComponent):
    """Find cause–effect pairs in each sentence from the dependency parse.

    Constructions: forward verbs (``X led to / caused / resulted in Y``,
    ``X kept Y from Z``, ``X made it difficult for Y to Z``, ``X meant that Y``),
    their passives (``Y was caused by X``), backward verbs (``Y stemmed from X``),
    nominal forms (``Y was the result of X``, ``X was a factor in Y``,
    ``X's role in Y``), adverbials (``Y because (of) X``, ``Due to X, Y``,
    causal ``Since X, Y``) and connectives (``X, so Y``, ``X; therefore Y``).
    Pair *i* is ``doc.spans[causes_key][i]``, ``doc.spans[effects_key][i]`` and
    ``doc.spans[cues_key][i]``; ``Doc._.causal_links`` zips them.
    """

    def __init__(
        self, nlp: Language, name: str, lexicon: dict[str, Any], causes_key: str, effects_key: str, cues_key: str
    ) -> None:
        self.name = name
        self.vocab = nlp.vocab
        self.keys = (causes_key, effects_key, cues_key)
        self.lexicon = lexicon
        self._build()

    def _build(self) -> None:
        lex = self.lexicon
        self.verbs: dict[str, list[tuple[str, dict[str, Any]]]] = {}
        for direction in ("forward", "backward"):
            for entry in lex.get(direction, {}).values():
                for form in entry["forms"]:
                    self.verbs.setdefault(form, []).append((direction, entry))
        self.result_nouns = frozenset(lex.get("result_nouns", ()))
        self.factor_nouns = {k: frozenset(v) for k, v in lex.get("factor_nouns", {}).items()}
        self.responsible = dict(lex.get("responsible", {}))
        self.subordinators = frozenset(lex.get("subordinators", ()))
        self.hedges = frozenset(lex.get("hedges", ()))
        self.temporal_since = frozenset(lex.get("temporal_since", ()))
        self.phrases = PhraseMatcher(self.vocab, attr="LOWER")
        self.phrases.add("adverbial", [Doc(self.vocab, words=p.split()) for p in lex.get("adverbial_phrases", ())])
        self.phrases.add("connective", [Doc(self.vocab, words=p.split()) for p in lex.get("connectives", ())])

    def __call__(self, doc: Doc) -> Doc:
        pairs: list[Pair] = []
        if doc.has_annotation("DEP"):
            matches = [(self.vocab.strings[m], s, e) for m, s, e in self.phrases(doc)]
            for sent in doc.sents:
                pairs += self.sentence_pairs(sent, [m for m in matches if sent.start <= m[1] < sent.end])
        for index, (key, label) in enumerate(zip(self.keys, ("cause", "effect", "cue"), strict=True)):
            doc.spans[key] = [Span(doc, *pair[index], label=label) for pair in pairs]
        return doc

    def sentence_pairs(self, sent: Span, matches: list[tuple[str, int, int]]) -> list[Pair]:
        """The (cause, effect, cue) token ranges of one sentence, at most one pair per cue."""
        found: list[Pair] = []
        used: set[int] = set()
        for kind, start, end in matches:
            if any(i in used for i in range(start, end)):
                continue
            pair = self._adverbial(sent, start, end) if kind == "adverbial" else self._connective(sent, start, end)
            if pair is not None:
                found.append(self._trim_pair(sent.doc, pair))
                used.update(range(start, end))
        for token in sent:
            if token.i in used or _quoted(token, sent):
                continue
            pair = self._token_pair(token)
            if pair is not None:
                found.append(self._trim_pair(sent.doc, pair))
                used.add(token.i)
        return [p for p in found if _valid(p)]

    def _token_pair(self, token: Token) -> Pair | None:
        lower = token.lower_
        if lower in self.verbs and token.pos_ in _VERBAL and token.dep_ not in {"amod", "compound"}:
            for direction, entry in self.verbs[lower]:
                pair = self._verb(token, direction, entry)
                if pair is not None:
                    return pair
        if lower in self.result_nouns or lower in self.factor_nouns:
            return self._nominal(token)
        if lower in self.responsible:
            return self._responsible(token)
        if lower in self.subordinators and token.dep_ == "mark":
            return self._subordinate(token)
        return None

    # -- verbs --

    def _verb(self, verb: Token, direction: str, entry: dict[str, Any]) -> Pair | None:
        agent = _child(verb, {"agent"}, "by")
        if direction == "forward" and agent is not None and _passive(verb):
            cause = _child(agent, {"pobj"})
            effect = _subject_range(verb)
            cue = (min([verb.i] + [c.i for c in verb.lefts if c.dep_ in {"aux", "auxpass"}]), agent.i + 1)
            return self._pair(_range(cause), effect, cue)
        if _passive(verb) and direction == "forward":
            return None
        prep = entry.get("prep")
        if direction == "backward":
            link = _child(verb, {"prep", "agent"}, prep)
            if link is None:
                return None
            return self._pair(_range(_child(link, {"pobj", "pcomp"})), _subject_range(verb), (verb.i, link.i + 1))
        cause = _subject_range(verb)
        subject = _child(verb, {"nsubj"})
        if subject is not None and subject.lower_ in entry.get("literal_subjects", ()):
            return None
        if entry.get("abstract_subject") and _personal_subject(verb):
            return None
        effect, cue_end = self._forward_effect(verb, entry)
        return self._pair(cause, effect, (verb.i, cue_end))

    def _forward_effect(self, verb: Token, entry: dict[str, Any]) -> tuple[tuple[int, int] | None, int]:
        """The effect range of an active forward verb and where its cue ends."""
        obj = _child(verb, _OBJECT_DEPS)
        if "prep" in entry:
            if "object" in entry and (obj is None or obj.lower_ != entry["object"]):
                return None, verb.i + 1
            if "object" not in entry and obj is not None:  # "led the delegation to Vienna": not causal
                return None, verb.i + 1
            holders = [verb] + ([obj] if obj is not None else [])
            link = next((p for h in holders if (p := _child(h, {"prep", "dative"}, entry["prep"])) is not None), None)
            if link is not None and any(c.dep_ == "prep" and verb.i < c.i < link.i for c in verb.children):
                return None, verb.i + 1  # "led through the forest to": a path, not a consequence
            if link is None:
                return None, verb.i + 1
            return _range(_child(link, {"pobj", "pcomp"})), link.i + 1
        if "particle" in entry:
            particle = next((c for c in verb.children if c.lower_ == entry["particle"]), None)
            if particle is None:
                return None, verb.i + 1
            target = _child(particle, {"pobj"})
            target = obj if target is None else target
            return _range(target), particle.i + 1
        if "object_prep" in entry:
            link = _child(verb, {"prep"}, entry["object_prep"])
            if obj is None or link is None:
                return None, verb.i + 1
            return (obj.left_edge.i, link.right_edge.i + 1), verb.i + 1
        if "clause" in entry:
            clause = _child(verb, {"ccomp", "advcl", "xcomp"})
            if clause is None or (entry["clause"] == "why" and not any(t.lower_ == "why" for t in clause.lefts)):
                return None, verb.i + 1
            marked = clause.left_edge.lower_ == entry["clause"] == "that"
            return (clause.left_edge.i + marked, clause.right_edge.i + 1), verb.i + 1 + marked
        if "adjectives" in entry:
            adjective = next((t for t in verb.subtree if t.lower_ in entry["adjectives"] and t.i > verb.i), None)
            if adjective is None or not any(t.lower_ == "it" for t in verb.subtree if verb.i < t.i < adjective.i):
                return None, verb.i + 1
            marker = next((t for t in verb.subtree if t.i > adjective.i and t.lower_ == "for"), adjective)
            return (marker.i + 1, verb.right_edge.i + 1), marker.i + 1
        if obj is None:
            return None, verb.i + 1
        tail = [
            c.right_edge.i
            for c in verb.rights
            if c.dep_ in _EFFECT_TAIL_DEPS
            or (
                c.dep_ == "prep"
                and (c.lower_ in {"from", "to", "into"} or c.i == obj.right_edge.i + 1 and not _dated(c))
            )
        ]
        return (obj.left_edge.i, max([obj.right_edge.i] + tail) + 1), verb.i + 1

    # -- nouns and adjectives --

    def _nominal(self, noun: Token) -> Pair | None:
        lower = noun.lower_
        preps = {"of"} if lower in self.result_nouns else self.factor_nouns.get(lower, frozenset())
        link = next((c for c in noun.rights if c.dep_ == "prep" and c.lower_ in preps), None)
        target = None if link is None else _child(link, {"pobj", "pcomp"})
        if target is None:
            return None
        cue_end = link.i + 1
        owner = _child(noun, {"poss"})
        if owner is not None and lower in self.factor_nouns:
            return self._pair(_subtree(owner), _subtree(target), (noun.i, cue_end))
        head = noun.head
        if noun.dep_ == "dobj" and lower in self.factor_nouns:  # "X played a role in Y"
            return self._pair(_subject_range(head), _subtree(target), (noun.i, cue_end))
        if noun.dep_ != "attr" or head.lower_ not in {"is", "was", "are", "were", "be", "been", "being"}:
            return None
        subject = _subject_range(head)
        if lower in self.result_nouns:
            return self._pair(_subtree(target), subject, (head.i, cue_end))
        return self._pair(subject, _subtree(target), (noun.left_edge.i, cue_end))

    def _responsible(self, adjective: Token) -> Pair | None:
        link = _child(adjective, {"prep"}, self.responsible[adjective.lower_])
        target = None if link is None else _child(link, {"pobj", "pcomp"})
        if target is None or adjective.dep_ != "acomp":
            return None
        cue = (adjective.head.i, link.i + 1)
        if adjective.lower_ == "responsible":
            return self._pair(_subject_range(adjective.head), _subtree(target), cue)
        return self._pair(_subtree(target), _subject_range(adjective.head), cue)

    # -- adverbials and connectives --

    def _subordinate(self, mark: Token) -> Pair | None:
        clause, sent = mark.head, mark.sent
        if clause.dep_ != "advcl" or _quoted(mark, sent):
            return None
        main = clause.head
        if mark.lower_ == "since" and self._temporal_since(mark, clause, main):
            return None
        cause = (mark.i + 1, clause.right_edge.i + 1)
        return self._pair(
            cause, _clause_without(main, clause.left_edge.i, clause.right_edge.i + 1), (mark.i, mark.i + 1)
        )

    def _temporal_since(self, mark: Token, clause: Token, main: Token) -> bool:
        before = mark.doc[mark.i - 1] if mark.i > 0 else None
        perfect = main.tag_ == "VBN" and any(
            c.dep_ == "aux" and c.lower_ in {"has", "have", "had"} for c in main.children
        )
        return perfect or _dated(clause) or (before is not None and before.lower_ in self.temporal_since)

    def _adverbial(self, sent: Span, start: int, end: int) -> Pair | None:
        doc = sent.doc
        first = doc[start]
        if _quoted(first, sent) or (first.lower_ == "due" and first.head.pos_ in {"NOUN", "PROPN"}):
            return None
        target = next(
            (c for t in doc[start:end] for c in t.children if c.dep_ in {"pobj", "pcomp"} and c.i >= end), None
        )
        if target is None:
            return None
        cause = (end, target.right_edge.i + 1)
        head = first
        while head.pos_ not in _VERBAL and head.head is not head:
            head = head.head
        if head.pos_ not in _VERBAL:
            return None
        if first.dep_ in {"acomp", "attr"} and head.lower_ in {"is", "was", "are", "were", "be", "been"}:
            return self._pair(cause, _subject_range(head), (start, end))
        return self._pair(cause, _clause_without(head, start, cause[1]), (start, end))

    def _connective(self, sent: Span, start: int, end: int) -> Pair | None:
        doc = sent.doc
        if end < sent.end and doc[end].lower_ == "of" or _quoted(doc[start], sent):
            return None
        before = doc[start - 1] if start > sent.start else None
        if doc[start].lower_ == "so":
            after = doc[end] if end < sent.end else None
            if (
                before is None
                or before.lower_ not in _CLAUSE_SEPARATORS
                or after is None
                or after.lower_ in _NOT_SO
                or after.is_punct
                or any(t.lower_ == "that" for t in doc[end : min(end + 4, sent.end)])
            ):
                return None  # "so deeply divided that", "so far", "or so": not a causal "so"
        head = doc[start].head
        if head.dep_ == "conj" and head.i > start:
            cause, effect = (sent.start, head.left_edge.i), (end, head.right_edge.i + 1)
        else:
            boundary = max((t.i for t in doc[sent.start : start] if t.lower_ in _CLAUSE_SEPARATORS), default=None)
            if boundary is None:
                return None
            cause, effect = (sent.start, boundary), (end, sent.end)
            if start > boundary + 1:  # "prices therefore rose": the effect keeps its subject
                effect = (boundary + 1, sent.end)
                effect_tokens = [i for i in range(*effect) if not start <= i < end]
                effect = (effect_tokens[0], effect_tokens[-1] + 1) if effect_tokens else effect
        if not any(t.pos_ in _VERBAL for t in doc[cause[0] : cause[1]]):
            return None
        return self._pair(cause, effect, (start, end))

    # -- shared --

    @staticmethod
    def _pair(cause: tuple[int, int] | None, effect: tuple[int, int] | None, cue: tuple[int, int]) -> Pair | None:
        return None if cause is None or effect is None else (cause, effect, cue)

    def _trim_pair(self, doc: Doc, pair: Pair) -> Pair:
        cause, effect, cue = pair
        return self._trim(doc, cause, cue), self._trim(doc, effect, cue), cue

    def _trim(self, doc: Doc, span: tuple[int, int], cue: tuple[int, int]) -> tuple[int, int]:
        """Narrow a range to the phrase: no punctuation, cue, linking words, possessive or hedges at its edges."""
        start, end = span

        def loose(i: int) -> bool:
            t = doc[i]
            return (
                t.is_punct
                or t.is_space
                or cue[0] <= i < cue[1]
                or t.lower_ in _TRIM
                or t.lower_ in self.hedges
                or t.tag_ == "POS"
            )

        while start < end and loose(start):
            start += 1
        while end > start and loose(end - 1):
            end -= 1
        return start, end


def _valid(pair: Pair) -> bool:
    (cs, ce), (es, ee), _ = pair
    return cs < ce and es < ee and (ce <= es or ee <= cs)


def _child(token: Token, deps: set[str] | frozenset[str], lower: str | None = None) -> Token | None:
    return next((c for c in token.children if c.dep_ in deps and (lower is None or c.lower_ == lower)), None)


def _subtree(token: Token) -> tuple[int, int]:
    """A token's phrase, without a non-restrictive relative clause (``, which …``): that is an aside."""
    end = token.right_edge.i + 1
    for child in token.rights:
        if child.dep_ == "relcl" and child.left_edge.i > 0 and token.doc[child.left_edge.i - 1].text == ",":
            end = min(end, child.left_edge.i - 1)
    return token.left_edge.i, end


def _range(token: Token | None) -> tuple[int, int] | None:
    return None if token is None else _subtree(token)


def _passive(verb: Token) -> bool:
    return any(c.dep_ in {"auxpass", "nsubjpass"} for c in verb.children)


def _subject_range(verb: Token) -> tuple[int, int] | None:
    """The subject of a verb: its own, a coordinated or governing verb's, or the noun a relative clause modifies."""
    for _ in range(4):
        subject = _child(verb, _SUBJECT_DEPS - {"expl"})
        if subject is not None and subject.lower_ not in {"which", "that", "who"}:
            return _subtree(subject)
        if verb.dep_ == "relcl" or (subject is not None and verb.dep_ in {"relcl", "acl"}) or verb.dep_ == "acl":
            return verb.head.left_edge.i, verb.left_edge.i
        if verb.dep_ == "advcl" and subject is None:  # "..., leading to Y": the main clause is the cause
            return verb.head.left_edge.i, verb.left_edge.i
        if verb.dep_ not in {"conj", "xcomp"} or verb.head is verb:
            return None
        verb = verb.head
    return None


def _dated(token: Token) -> bool:
    return any(t.ent_type_ in {"DATE", "TIME", "CARDINAL"} or t.like_num for t in token.subtree)


def _personal_subject(verb: Token) -> bool:
    subject = _child(verb, {"nsubj"})
    return subject is not None and (subject.lower_ in _PERSONAL or subject.ent_type_ == "PERSON")


def _clause_without(head: Token, start: int, end: int) -> tuple[int, int] | None:
    """The clause of ``head`` without the range [start, end): the part before it, or after it when it is fronted."""
    left, right = head.left_edge.i, head.right_edge.i + 1
    if start <= left:
        return end, right
    return left, start


def _quoted(token: Token, sent: Span) -> bool:
    """Whether a token stands inside quotation marks opened earlier in its sentence."""
    before = sent.doc[sent.start : token.i].text
    return before.count("“") > before.count("”") or before.count('"') % 2 == 1


@Language.factory(
    "argmap_causal",
    default_config={"lexicon": None, "causes_key": "causes", "effects_key": "effects", "cues_key": "causal_cues"},
    assigns=["doc.spans", "doc._.causal_links"],
    requires=["token.dep", "token.pos"],
)
def make_causal(
    nlp: Language, name: str, lexicon: str | None, causes_key: str, effects_key: str, cues_key: str
) -> CausalExtractor:
    """Create the cause–effect extractor; ``lexicon`` is a path to a trigger JSON file, or None for argmap's own."""
    return CausalExtractor(
        nlp, name, _read_lexicon(lexicon, default_causal_lexicon()), causes_key, effects_key, cues_key
    )
