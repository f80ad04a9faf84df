from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.damage import damage, pick_lost_letters, word_edit_distance, word_error_rate

ESSAY = (
    "Origins of the crisis\n\n"
    "The European Space Agency (ESA) accepted the U.S. invitation to the space station project. "
    "Representative Christopher Cox submitted the report to Congress. Such sanctions were enforced on China. "
    "The information sharing that followed was cooperative and government-sponsored.\n\n"
    "To understand the causes of the relationship, one must understand the underlying mechanisms. "
    "Russia and Ukraine joined later. The United Nations Office of Outer Space Affairs agreed."
)


@pytest.mark.parametrize(
    ("reference", "hypothesis", "expected"),
    [
        ("a b c d", "a b c d", 0.0),
        ("a b c d", "a x c d", 0.25),
        ("a b c d", "a b c", 0.25),
        ("a b c d", "a b q c d", 0.25),
        ("The U.S. said", "the u.S. said", 2 / 3),  # case-sensitive
        ("it ended.", "it ended", 0.5),  # punctuation-sensitive
        ("one  two\nthree", "one two three", 0.0),  # whitespace tokens
        ("", "", 0.0),
        ("", "word", 1.0),
    ],
)
def test_word_error_rate(reference: str, hypothesis: str, expected: float) -> None:
    assert word_error_rate(reference, hypothesis) == pytest.approx(expected)


def _naive_distance(a: list[str], b: list[str]) -> int:
    prev = list(range(len(b) + 1))
    for i, x in enumerate(a, 1):
        cur = [i]
        for j, y in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (x != y)))
        prev = cur
    return prev[-1]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from("abcd"), max_size=40), st.lists(st.sampled_from("abcd"), max_size=40))
def test_banded_distance_is_exact(a: list[str], b: list[str]) -> None:
    assert word_edit_distance(a, b) == _naive_distance(a, b)


def test_damage_is_seeded_and_varies_with_the_seed() -> None:
    assert damage(ESSAY, 3) == damage(ESSAY, 3)
    assert damage(ESSAY, 3) != damage(ESSAY, 4)


def test_every_kind_of_damage_can_be_switched_off() -> None:
    off = dict(
        lost_capitals=False, small_caps=False, footnotes=False, wrap=False, page_breaks=False, trailing_spaces=False
    )
    assert damage(ESSAY, 1, **off) == ESSAY + "\n"


def test_lost_capitals_everywhere_including_acronyms() -> None:
    out = damage(
        ESSAY, 0, lost="eu", small_caps=False, footnotes=False, wrap=False, page_breaks=False, trailing_spaces=False
    )
    assert "european Space Agency (eSA)" in out and "the u.S. invitation" in out and "ukraine" in out
    assert "E" not in out and "U" not in out


def test_pick_lost_letters_chooses_three_to_seven_capitals_of_the_text() -> None:
    import random

    for seed in range(20):
        letters = pick_lost_letters(ESSAY, random.Random(seed))
        assert 3 <= len(letters) <= 7
        assert all(c.upper() in ESSAY for c in letters)


def test_small_caps_lead_in_keeps_lost_letters_lowercase() -> None:
    text = "To understand the causes of the relationship, one must look."
    found = {
        damage(text, seed, lost="uedrho", footnotes=False, wrap=False, trailing_spaces=False).split(" of ")[0]
        for seed in range(30)
    }
    assert "To uNderSTANd The CAuSeS" in found and "To understand the causes" in found


def test_wrapping_hyphenates_splits_and_breaks_pages() -> None:
    outs = [damage(ESSAY * 3, seed, lost_capitals=False, small_caps=False) for seed in range(20)]
    lines = [line for out in outs for line in out.split("\n")]
    assert max(len(line.rstrip()) for line in lines) <= 60 + 20
    assert any(re.search(r"[a-z]-$", line.rstrip()) for line in lines)  # hyphenated line ends
    assert any(re.search(r"(?:^| )[a-z]{1,3} $", line) for line in lines)  # stray split words
    assert any(re.search(r"[a-z]\.\d+(?: |$)", out) for out in outs)  # glued notes
    assert any(line.endswith(" ") for line in lines)  # trailing spaces
    # page breaks: a blank line inside a paragraph, so more blank lines than paragraph breaks
    assert max(out.count("\n\n") for out in outs) > (ESSAY * 3).count("\n\n")


def test_glued_note_numbers_climb() -> None:
    out = damage(
        ESSAY * 4, 2, lost_capitals=False, small_caps=False, wrap=False, page_breaks=False, trailing_spaces=False
    )
    notes = [int(n) for n in re.findall(r"(?<=[a-z][.!?])(\d+)", out)]
    assert notes == list(range(1, len(notes) + 1))


def test_printed_pages_end_with_their_notes_and_furniture_and_the_cleaner_takes_them_out() -> None:
    from conftest import ROOT

    from pipeline.clean import clean
    from pipeline.corpus import load_essay
    from pipeline.extract import text_pages
    from pipeline.types import RawDocument

    essay = load_essay(ROOT / "corpus" / "essays" / "a1-02-versailles-reparations.json").as_clean().text
    for seed in range(6):
        out = damage(essay, seed, pages=True, page_lines=8, lost_capitals=False, small_caps=False)
        notes = re.findall(r"^(\d+) (?:See |Ibid\.|[A-Z][a-z]+, )", out, re.MULTILINE)
        glued = re.findall(r"[^\W\d_][.!?](\d+)(?=\s|$)", out)
        assert notes == glued  # each note sits under the page its number is glued into
        assert re.search(r"^\d+$|JOURNAL|Review|HISTORY|/ ", out, re.MULTILINE)
        cleaned = clean(RawDocument("d", "<d>", "0" * 64, text_pages(out))).text
        assert word_error_rate(essay, cleaned) < 0.005, seed
    assert damage(essay, 1, pages=False) == damage(essay, 1)
