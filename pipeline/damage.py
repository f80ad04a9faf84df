"""Measure and simulate OCR damage: word error rate, and a seeded model of what scanning does to an essay.

The damage model reproduces the kinds of damage seen in OCR'd journal essays
(lost capitals, small-caps lead-ins, hyphenated line ends, stray breaks inside
words, glued note numbers, page breaks inside sentences, trailing spaces, and
on request the page numbers, running heads and foot notes of printed pages), so
that the cleaner can be measured on clean text whose truth is known.
"""

from __future__ import annotations

import random
import re
import string

__all__ = ["damage", "pick_lost_letters", "word_error_rate", "word_edit_distance"]


def word_edit_distance(reference: list[str], hypothesis: list[str]) -> int:
    """The Levenshtein distance between two token lists (substitution, insertion, deletion cost 1).

    A banded dynamic programme: a band of half-width ``k`` around the diagonal is
    exact whenever the distance it finds is at most ``k`` (a path leaving the
    band needs more than ``k`` insertions or deletions), so the band doubles
    until that holds. Cost is about ``len * distance`` rather than ``len ** 2``.
    """
    n, m = len(reference), len(hypothesis)
    if n == 0 or m == 0:
        return n + m
    ids: dict[str, int] = {}
    ref = [ids.setdefault(t, len(ids)) for t in reference]
    hyp = [ids.setdefault(t, len(ids)) for t in hypothesis]
    k = max(8, abs(n - m))
    while True:
        distance = _banded_distance(ref, hyp, k)
        if distance <= k:
            return distance
        k *= 2


def _banded_distance(ref: list[int], hyp: list[int], k: int) -> int:
    """Edit distance restricted to cells with ``|i - j| <= k`` (an upper bound, exact when ``<= k``)."""
    n, m = len(ref), len(hyp)
    big = n + m + 1
    prev = [j if j <= k else big for j in range(m + 1)]
    for i in range(1, n + 1):
        lo, hi = max(1, i - k), min(m, i + k)
        cur = [big] * (m + 1)
        if i <= k:
            cur[0] = i
        a = ref[i - 1]
        for j in range(lo, hi + 1):
            cost = prev[j - 1] + (a != hyp[j - 1])
            if prev[j] + 1 < cost:
                cost = prev[j] + 1
            if cur[j - 1] + 1 < cost:
                cost = cur[j - 1] + 1
            cur[j] = cost
        prev = cur
    return prev[m]


def word_error_rate(reference: str, hypothesis: str) -> float:
    """Word error rate of ``hypothesis`` against ``reference`` on whitespace tokens, case- and punctuation-sensitive.

    Returns:
        Word-level edit distance divided by the number of reference words
        (0.0 for two empty texts, 1.0 for text against an empty reference).
    """
    ref, hyp = reference.split(), hypothesis.split()
    if not ref:
        return 0.0 if not hyp else 1.0
    return word_edit_distance(ref, hyp) / len(ref)


# --- the damage model ------------------------------------------------------------

_SENTENCE_END = re.compile(r"(?<=[^\W\d_][.!?])(?= [A-Z\"“(]|$)")
_LETTERS = re.compile(r"[^\W\d_]+")


def pick_lost_letters(text: str, rng: random.Random) -> str:
    """Choose 3–7 of the capital letters that occur in ``text`` for the font to lose (lowercase letters)."""
    present = sorted({c.lower() for c in text if c in string.ascii_uppercase})
    if not present:
        return ""
    return "".join(sorted(rng.sample(present, min(len(present), rng.randint(3, 7)))))


def damage(
    text: str,
    seed: int,
    *,
    lost: str | None = None,
    lost_capitals: bool = True,
    small_caps: bool = True,
    footnotes: bool = True,
    wrap: bool = True,
    width: int = 60,
    hyphenate: bool = True,
    split_words: bool = True,
    page_breaks: bool = True,
    trailing_spaces: bool = True,
    pages: bool = False,
    page_lines: int = 40,
) -> str:
    """Damage clean essay text (paragraphs and heading lines separated by blank lines) as OCR would.

    Args:
        text: Clean text, one paragraph or heading per line, blank lines between.
        seed: Seed of the random choices; the same seed gives the same damage.
        lost: The lowercase letters whose capitals the font loses; by default
            3–7 letters chosen at random among the capitals of ``text``.
        lost_capitals: Extract every capital of a lost letter in lowercase
            (``ESA`` → ``eSA``, ``Russia`` → ``russia``).
        small_caps: Set the first 3–4 words of some paragraphs in small caps
            (every letter uppercase except lost ones: ``To uNderSTANd The``).
        footnotes: Glue climbing note numbers after some sentence ends (``licensure.2 Such``).
        wrap: Break paragraphs into lines of about ``width`` characters.
        width: Line width for wrapping.
        hyphenate: Hyphenate some words across line ends (``inform-`` / ``ation``).
        split_words: Split a few words by a stray space and line break (``p `` / ``rogram``).
        page_breaks: Put blank lines (page breaks) inside a few paragraphs.
        trailing_spaces: Leave spaces at the end of some lines.
        pages: Cut the text into printed pages of ``page_lines`` lines, each ending with the notes whose
            numbers are glued into it and with a page number, a running head or both (off by default: the
            benchmark's main figures predate it).
        page_lines: Lines of text on a page.

    Returns:
        The damaged text.
    """
    rng = random.Random(seed)
    letters = pick_lost_letters(text, rng) if lost is None else lost.lower()
    blocks = [b for b in text.split("\n\n") if b.strip()]
    note = 0
    out: list[str] = []
    for block in blocks:
        heading = "\n" not in block and not block.rstrip().endswith((".", "!", "?", ":", '"', "”"))
        if small_caps and not heading and rng.random() < 0.3:
            block = _small_caps(block, rng.randint(3, 4), letters)
        if lost_capitals:
            block = _lose_capitals(block, letters)
        if footnotes and not heading:
            block, note = _glue_notes(block, note, rng)
        lines = _wrap(block, width, rng, hyphenate, split_words) if wrap else [block]
        if page_breaks and len(lines) > 2 and rng.random() < 0.2:
            cut = rng.randrange(1, len(lines) - 1)
            lines[cut] = "\n" + lines[cut]
        if trailing_spaces:
            lines = [line + " " * rng.choice((0, 0, 1, 1, 2)) if not line.endswith(" ") else line for line in lines]
        out.append("\n".join(lines))
    text = "\n\n".join(out)
    if pages:
        text = _paginate(text, page_lines, rng)
        if lost_capitals:
            text = _lose_capitals(text, letters)
    return text + "\n"


def _lose_capitals(text: str, lost: str) -> str:
    """Extract every capital of a ``lost`` letter in lowercase."""
    return "".join(c.lower() if c.lower() in lost else c for c in text) if lost else text


def _small_caps(block: str, words: int, lost: str) -> str:
    """Set the first ``words`` words in small caps: uppercase, except lost letters, which come out lowercase."""
    parts = block.split(" ")
    head = " ".join(parts[:words])
    head = "".join(c.lower() if c.lower() in lost else c.upper() for c in head)
    return " ".join([head, *parts[words:]]) if len(parts) > words else head


def _glue_notes(block: str, note: int, rng: random.Random) -> tuple[str, int]:
    """Glue note numbers, climbing from ``note + 1``, after some sentence ends that close a word."""
    out, pos = [], 0
    for m in _SENTENCE_END.finditer(block):
        if rng.random() < 0.12:
            note += 1
            out.append(block[pos : m.start()])
            out.append(str(note))
            pos = m.start()
    out.append(block[pos:])
    return "".join(out), note


def _wrap(block: str, width: int, rng: random.Random, hyphenate: bool, split_words: bool) -> list[str]:
    """Fill lines greedily up to ``width``; hyphenate or split some words that overflow."""
    lines: list[str] = []
    line = ""
    words = block.split(" ")
    i = 0
    while i < len(words):
        word = words[i]
        room = width - len(line) - (1 if line else 0)
        if len(word) <= room or not line:
            line = f"{line} {word}" if line else word
            i += 1
            continue
        head, tail = _break_word(word, room, rng, hyphenate, split_words)
        if head:
            lines.append(f"{line} {head}")
            words[i] = tail
        else:
            lines.append(line)
        line = ""
    if line:
        lines.append(line)
    return lines


def _break_word(word: str, room: int, rng: random.Random, hyphenate: bool, split_words: bool) -> tuple[str, str]:
    """How an overflowing word is broken at the line end: ``(head, tail)``, or ``("", word)`` to move it whole."""
    if hyphenate and "-" in word[1:-1] and rng.random() < 0.5:
        cut = word.index("-", 1) + 1
        if cut <= room:
            return word[:cut], word[cut:]
    m = _LETTERS.fullmatch(word)
    if m is None or len(word) < 6 or not word.islower():
        return "", word
    if split_words and rng.random() < 0.05:
        cut = rng.randint(1, 3)
        if cut + 1 <= room:
            return word[:cut] + " ", word[cut:]
    if hyphenate and rng.random() < 0.35:
        cut = rng.randint(3, len(word) - 3)
        if cut + 1 <= room:
            return word[:cut] + "-", word[cut:]
    return "", word


_GLUED = re.compile(r"(?<=[^\W\d_][.!?])(\d{1,3})(?=\s|$)")
_SURNAMES = ("Hale", "Morton", "Okafor", "Lindqvist", "Brandt", "Ferreira", "Nakamura", "Dubois", "Kowalski")
_TITLES = ("The Politics of Trade", "Empire and Its Critics", "A History of the Treaty System", "Markets and Power",
           "The Long Recovery", "Law and the State", "Allies and Rivals")
_CITIES = ("London", "New York", "Chicago", "Oxford", "Cambridge", "Princeton", "Toronto")


def _paginate(text: str, page_lines: int, rng: random.Random) -> str:
    """Cut ``text`` into pages of ``page_lines`` lines and end each with its foot notes and page furniture."""
    lines = text.split("\n")
    journal = rng.choice(("JOURNAL OF POLICY HISTORY", "Review of International Affairs", "HISTORY AND SOCIETY"))
    running = f"{rng.choice(_SURNAMES)} / {rng.choice(_TITLES)}"
    style = rng.choice(("number", "heads", "both"))
    number = rng.randint(1, 400)
    out: list[str] = []
    for start in range(0, len(lines), page_lines):
        page = lines[start:start + page_lines]
        out += page
        notes = [int(n) for line in page for n in _GLUED.findall(line)]
        for note in notes:
            out += ["", f"{note} {_citation(rng)}"] if note == notes[0] else [f"{note} {_citation(rng)}"]
        if start + page_lines >= len(lines):
            break
        if style != "heads":
            out += ["", f"{number}"]
        if style != "number":
            head = f"{number + 1}{' ' * rng.randint(1, 20)}{journal}" if number % 2 else \
                f"{running}{' ' * rng.randint(1, 20)}{number + 1}"
            out += ["", head]
        out.append("")
        number += 1
    return "\n".join(out)


def _citation(rng: random.Random) -> str:
    """An invented reference, as a journal's foot note gives one."""
    surname, title = rng.choice(_SURNAMES), rng.choice(_TITLES)
    return rng.choice((
        f"See {surname}, {title} ({rng.choice(_CITIES)}, {rng.randint(1950, 2020)}), {rng.randint(2, 400)}.",
        f"{surname}, {title}, {rng.randint(2, 400)}-{rng.randint(401, 420)}.",
        f"Ibid., {rng.randint(2, 400)}.",
    ))
