"""Cleaning: repair the damage that scanning, OCR and PDF text layers leave.

Each repair is a small pure function ``text -> list[Change]`` that proposes
replacements on the current text. :func:`clean` applies the repairs in a fixed
order and records every change as an :class:`~pipeline.types.Edit` located in
the raw text, so a user can audit exactly what was changed and every cleaned
offset maps back to the raw text.
"""

from __future__ import annotations

import re
import unicodedata
from array import array
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache

from .types import Block, CleanDocument, Edit, FootnoteRef, RawDocument

Change = tuple[int, int, str]
Repair = Callable[[str], list[Change]]

TERMINAL = ".!?:;\"”’)]"
_WORD = r"[^\W\d_]+"
_SPACE = "[ \t\u00a0\u2000-\u200a\u202f\u205f\u3000]"


def apply_changes(text: str, changes: Iterable[Change]) -> str:
    """Apply non-overlapping changes to ``text`` (a repair's ``str -> str`` form)."""
    out, pos = [], 0
    for start, end, replacement in sorted(changes):
        out.append(text[pos:start])
        out.append(replacement)
        pos = end
    out.append(text[pos:])
    return "".join(out)


def repair(rule: Repair, text: str) -> str:
    """Run one repair on a string and return the repaired string."""
    return apply_changes(text, rule(text))


# --- characters ---------------------------------------------------------------

_CHAR_MAP = {
    "\ufb00": "ff", "\ufb01": "fi", "\ufb02": "fl", "\ufb03": "ffi", "\ufb04": "ffl", "\ufb05": "st", "\ufb06": "st",
    "\u00ad": "", "\u200b": "", "\ufeff": "", "\t": " ",
}


def normalize_characters(text: str) -> list[Change]:
    """Expand ligatures, drop soft hyphens and zero-width marks, make odd spaces plain."""
    changes = []
    for i, ch in enumerate(text):
        if ch in _CHAR_MAP:
            changes.append((i, i + 1, _CHAR_MAP[ch]))
        elif ch != " " and ch not in "\n\f" and unicodedata.category(ch) == "Zs":
            changes.append((i, i + 1, " "))
    return changes


# --- lines into paragraphs ------------------------------------------------------

@lru_cache(maxsize=65536)
def _zipf(word: str) -> float:
    from wordfreq import zipf_frequency

    return zipf_frequency(word, "en")


def _join_hyphenated(left: str, right: str) -> bool:
    """Whether ``left-`` at a line end and ``right`` on the next line are one word split by hyphenation.

    A compound keeps its hyphen when the hyphenated form is more frequent in
    English than the closed-up form (``government-sponsored``, ``non-military``).
    """
    if not right[:1].islower():
        return False
    joined = (left + right).lower()
    return _zipf(joined) > max(_zipf(f"{left}-{right}".lower()), 1.5)


def _join_split_word(left: str, right: str) -> bool:
    """Whether a stray break split one word (``space p`` / ``rogram``)."""
    if not (left.isalpha() and right.isalpha() and right[:1].islower()):
        return False
    joined = (left + right).lower()
    known = _zipf(joined)
    return known >= 3.0 and min(_zipf(left.lower()) if len(left) > 1 or left in "aI" else 0, _zipf(right.lower())) < 1.0


def _is_heading(line: str, following: str | None, max_len: float = 70) -> bool:
    """A short line without final punctuation, followed by text: a heading."""
    words = line.split()
    if not words or len(words) > 8 or len(line) > max_len or line[-1] in TERMINAL + ",-–—":
        return False
    if not (line[0].isupper() or line[0].isdigit()):
        return False
    return following is not None and following.strip()[:1].isalnum()


_LAST_WORD = re.compile(rf"({_WORD})(-?){_SPACE}*$")
_FIRST_WORD = re.compile(rf"^{_SPACE}*({_WORD})")


def join_lines(text: str) -> list[Change]:
    """Join the lines of each paragraph, keep paragraph breaks, and set headings apart.

    A blank line is a paragraph break unless the sentence runs on across it
    (a page or column break: no final punctuation before, lowercase after).
    An indented line starts a paragraph. Line-end hyphens are closed up or kept
    by :func:`_join_hyphenated`; a word split by a stray break is closed up.
    """
    lines = text.split("\n")
    starts, pos = [], 0
    for line in lines:
        starts.append(pos)
        pos += len(line) + 1
    content = [i for i, line in enumerate(lines) if line.strip()]
    changes: list[Change] = []
    if content and lines[content[0]] != lines[content[0]].lstrip():
        first = content[0]
        changes.append((0, starts[first] + len(lines[first]) - len(lines[first].lstrip()), ""))
    elif content and content[0] > 0:
        changes.append((0, starts[content[0]], ""))
    lengths = sorted(len(lines[i].strip()) for i in content)
    heading_len = min(70.0, max(30.0, 0.65 * lengths[len(lengths) // 2])) if lengths else 0.0
    for k, (i, j) in enumerate(zip(content, content[1:])):
        prev, nxt = lines[i], lines[j]
        gap_start = starts[i] + len(prev.rstrip())
        gap_end = starts[j] + len(nxt) - len(nxt.lstrip())
        starts_block = k == 0 or content[k - 1] < i - 1 or lines[content[k - 1]].rstrip()[-1:] in TERMINAL
        after = lines[content[k + 2]] if k + 2 < len(content) else None
        heading = starts_block and _is_heading(prev.strip(), nxt, heading_len)
        next_heading = prev.rstrip()[-1:] in TERMINAL and _is_heading(nxt.strip(), after, heading_len)
        runs_on = prev.rstrip()[-1:] not in TERMINAL and nxt.lstrip()[:1].islower()
        if heading or next_heading or (j > i + 1 or nxt[:1].isspace()) and not runs_on:
            changes.append((gap_start, gap_end, "\n\n"))
            continue
        changes.append(_line_join(text, prev.rstrip(), gap_start, gap_end, nxt.lstrip()))
    if content:
        last = content[-1]
        end = starts[last] + len(lines[last].rstrip())
        if end < len(text):
            changes.append((end, len(text), ""))
    return [c for c in changes if text[c[0]:c[1]] != c[2]]


def _line_join(text: str, prev: str, gap_start: int, gap_end: int, nxt: str) -> Change:
    """The change that joins one line to the next inside a paragraph."""
    left, right = _LAST_WORD.search(prev), _FIRST_WORD.match(nxt)
    if left and right:
        word, hyphen = left.group(1), left.group(2)
        if hyphen and _join_hyphenated(word, right.group(1)):
            return (gap_start - 1, gap_end, "")
        if hyphen:
            return (gap_start, gap_end, "")
        if left.end(1) < len(prev) or len(word) <= 3:
            # the line ended in spaces after a short fragment: ``space p`` / ``rogram``
            if _join_split_word(word, right.group(1)):
                return (gap_start - (len(prev) - left.end(1)), gap_end, "")
    return (gap_start, gap_end, " ")


def collapse_spaces(text: str) -> list[Change]:
    """Collapse runs of spaces inside a line to one space."""
    return [(m.start(), m.end(), " ") for m in re.finditer(" {2,}", text)]


# --- footnote numbers ------------------------------------------------------------

_GLUED_NOTE = re.compile(r"(?<=[^\W\d_][.,;:”’\"')])(\d{1,3})(?=\s|$)")


def footnote_numbers(text: str) -> list[Change]:
    """Take out note numbers glued after a word's punctuation (``components.1``).

    Numbers that belong to the text (``Node 2``, ``Canadarm2``, ``1979``) are
    not preceded by punctuation and are left alone. Only numbers that climb
    roughly in order through the document count as notes.
    """
    changes, last = [], 0
    for m in _GLUED_NOTE.finditer(text):
        number = int(m.group(1))
        if 0 < number <= last + 5:
            changes.append((m.start(), m.end(), ""))
            last = max(last, number)
    return changes


# --- lost capitals and small caps ------------------------------------------------

_TOKEN = re.compile(r"[A-Za-z](?:[A-Za-z.&]*[A-Za-z])?\.?")
_MIXED = re.compile(r"^(?=.*[A-Z])(?=.*[a-z])[A-Za-z.&-]+$")


def lost_capitals(text: str) -> frozenset[str]:
    """Infer which capital letters the document's font lost (extracted as lowercase).

    Evidence for a letter: acronym-like tokens with it in lowercase among
    capitals (``eSA``, ``PrC``, ``u.S.``), small-caps words (``uNderSTANd``),
    and sentences that start with it in lowercase. A letter counts as lost when
    it has evidence and its capital is rare in the document: a font that lost
    a capital never prints it, while a chance lowercase start does not hide
    every capital of that letter.
    """
    evidence: Counter[str] = Counter()
    for m in _TOKEN.finditer(text):
        token = m.group()
        core = token.rstrip(".")
        letters = [c for c in core if c.isalpha()]
        uppers = sum(c.isupper() for c in letters)
        if uppers and any(c.islower() for c in letters):
            dotted = re.fullmatch(r"(?:[A-Za-z]\.){2,}[A-Za-z]?", token)
            if dotted or (uppers >= 2 and len(letters) <= 6) or (uppers >= 2 and any(c.isupper() for c in letters[1:])):
                evidence.update(set(c for c in letters if c.islower()))
        elif token[0].islower() and _starts_sentence(text, m.start()):
            evidence[token[0]] += 1
    if sum(evidence.values()) < 3:
        return frozenset()
    capitals = Counter(c.lower() for c in text if c.isupper())
    return frozenset(c for c, n in evidence.items() if capitals[c] <= n / 3)


def _starts_sentence(text: str, start: int) -> bool:
    """Whether position ``start`` begins a sentence (after . ! ? that is not an abbreviation, or a block start)."""
    before = text[max(0, start - 12):start].rstrip(" ")
    if not before or before.endswith("\n"):
        return True
    return before[-1] in ".!?" and not _ABBREVIATION.search(before)


def restore_capitals(text: str) -> list[Change]:
    """Restore capitals the font lost: acronyms, small-caps runs, and sentence starts."""
    lost = lost_capitals(text)
    if not lost:
        return []
    changes: list[Change] = []
    tokens = list(_TOKEN.finditer(text))
    small_caps = _small_caps_spans(tokens, lost)
    for m in tokens:
        token = m.group()
        if m.start() in small_caps:
            fixed = small_caps[m.start()]
        else:
            fixed = _restore_acronym(token, lost) or _restore_sentence_start(text, m, lost) or token
        if fixed != token:
            changes.append((m.start(), m.end(), fixed))
    return changes


def _restore_acronym(token: str, lost: frozenset[str]) -> str | None:
    core = token.rstrip(".") if not re.fullmatch(r"(?:[A-Za-z]\.)+", token) else token
    letters = [c for c in core if c.isalpha()]
    if not letters or not all(c.isupper() or c in lost for c in letters) or not any(c.isupper() for c in letters):
        return None
    if re.fullmatch(r"(?:[A-Za-z]\.){2,}", token):
        return token.upper()
    if "." in core or len(letters) > 6 or _zipf(core.lower()) >= 3.5 and core[0].isupper():
        return None
    if sum(c.isupper() for c in letters) == 1 and letters[0].isupper():
        return None  # an ordinary capitalised word such as "The"
    return token[: len(core)].upper() + token[len(core):]


_ABBREVIATION = re.compile(r"(?:\b(?:[A-Za-z]\.){2,}|\b(?:Mr|Mrs|Ms|Dr|St|No|vs|etc|e\.g|i\.e|cf|p|pp|Vol|ed|eds)\.)$")


def _restore_sentence_start(text: str, m: re.Match[str], lost: frozenset[str]) -> str | None:
    token = m.group()
    if token[0] not in lost or not _starts_sentence(text, m.start()):
        return None
    return token[0].upper() + token[1:]


def _small_caps_spans(tokens: list[re.Match[str]], lost: frozenset[str]) -> dict[int, str]:
    """Find runs of small-caps words (``uNderSTANd The CAuSeS``) and give their normal case."""

    def small_capsish(token: str) -> bool:
        letters = token.rstrip(".")
        return (
            letters.isalpha()
            and all(c.isupper() or c in lost for c in letters)
            and _zipf(letters.lower()) >= 3.0
        )

    def inner_caps(token: str) -> bool:
        return any(c.isupper() for c in token[1:]) and any(c.islower() for c in token)

    out: dict[int, str] = {}
    i = 0
    while i < len(tokens):
        j = i
        while j < len(tokens) and small_capsish(tokens[j].group()):
            j += 1
        run = tokens[i:j]
        if sum(inner_caps(t.group()) for t in run) >= 2 or any(len(t.group()) > 4 and inner_caps(t.group()) and sum(c.isupper() for c in t.group()) >= 3 for t in run):
            for t in run:
                if inner_caps(t.group()) or t is not run[0]:
                    out[t.start()] = t.group().lower()
        i = max(j, i + 1)
    return out


# --- the cleaner -----------------------------------------------------------------

REPAIRS: dict[str, Repair] = {
    "characters": normalize_characters,
    "join-lines": join_lines,
    "spaces": collapse_spaces,
    "footnotes": footnote_numbers,
    "case": restore_capitals,
}


@dataclass(frozen=True, slots=True)
class CleanOptions:
    """Which repairs to run; all are on by default."""

    characters: bool = True
    join_lines: bool = True
    footnotes: bool = True
    case: bool = True

    def repairs(self) -> list[tuple[str, Repair]]:
        wanted = {
            "characters": self.characters, "join-lines": self.join_lines, "spaces": self.join_lines,
            "footnotes": self.footnotes, "case": self.case,
        }
        return [(name, rule) for name, rule in REPAIRS.items() if wanted[name]]


def clean(raw: RawDocument, options: CleanOptions | None = None) -> CleanDocument:
    """Repair a raw document and find its headings and paragraphs.

    Args:
        raw: The extracted document.
        options: Which repairs to run (default: all).

    Returns:
        The cleaned text with its blocks, the edit log, footnote references and
        the map from cleaned to raw offsets.
    """
    options = options or CleanOptions()
    text = raw.text.replace("\f", "\n")
    origin = array("l", range(len(text) + 1))
    edits: list[Edit] = []
    notes: list[tuple[str, int]] = []
    for name, rule in options.repairs():
        changes = sorted(rule(text))
        if name == "footnotes":
            notes = [(text[s:e], s) for s, e, _ in changes]
        text, origin, new_notes = _apply(text, origin, changes, name, raw.text, edits, notes)
        notes = new_notes
    blocks = find_blocks(text)
    return CleanDocument(
        doc_id=raw.doc_id,
        text=text,
        blocks=blocks,
        edits=tuple(sorted(edits, key=lambda e: (e.raw_start, e.raw_end))),
        footnotes=tuple(FootnoteRef(number, pos) for number, pos in notes),
        raw_offsets=origin,
        page_starts=raw.page_starts,
    )


def _apply(
    text: str, origin: array, changes: list[Change], rule: str, raw_text: str, edits: list[Edit], notes: list[tuple[str, int]]
) -> tuple[str, array, list[tuple[str, int]]]:
    """Apply one repair's changes, extend the edit log and carry offsets and note positions along."""
    out: list[str] = []
    new_origin = array("l")
    pos = 0
    shift: list[tuple[int, int]] = []  # (old position, delta after it)
    delta = 0
    for start, end, replacement in changes:
        out.append(text[pos:start])
        new_origin.extend(origin[pos:start])
        raw_start, raw_end = origin[start], origin[end]
        span = max(end - start, 1)
        new_origin.extend(origin[start + min(i, span - 1)] for i in range(len(replacement)))
        out.append(replacement)
        edits.append(Edit(rule, raw_start, raw_end, text[start:end], replacement))
        delta += len(replacement) - (end - start)
        shift.append((end, delta))
        pos = end
    out.append(text[pos:])
    new_origin.extend(origin[pos:])
    moved = []
    for number, p in notes:
        d = 0
        for old, dd in shift:
            if old <= p:
                d = dd
        moved.append((number, p + d))
    return "".join(out), new_origin, moved


def find_blocks(text: str) -> tuple[Block, ...]:
    """Split cleaned text at blank lines into headings and paragraphs, each paragraph under its section."""
    blocks: list[Block] = []
    section: str | None = None
    spans = [(m.start(), m.end()) for m in re.finditer(r"[^\n]+(?:\n(?!\n)[^\n]+)*", text)]
    for k, (start, end) in enumerate(spans):
        chunk = text[start:end]
        following = text[spans[k + 1][0]:spans[k + 1][1]] if k + 1 < len(spans) else None
        if "\n" not in chunk and _is_heading(chunk, following):
            section = chunk.strip()
            blocks.append(Block("heading", start, end, section))
        else:
            blocks.append(Block("paragraph", start, end, section))
    return tuple(blocks)
