"""Every annotated essay in corpus/ follows GUIDELINES.md: one thesis, edges that fit their roles, no cycles."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from conftest import ROOT

from pipeline.corpus import REGISTERS, Essay, load_essay

FILES = [path for folder in ("essays", "agreement", "samples", "samples/agreement", "inductive")
         for path in sorted((ROOT / "corpus" / folder).glob("*.json"))]
ARGUMENTATIVE = {"cause", "evidence", "conclusion"}
# GUIDELINES.md §5: which roles each relation may join (source roles, target roles).
ALLOWED = {
    "supports": ({"evidence", "conclusion", "cause"}, {"cause", "conclusion"}),
    "explains": ({"cause"}, {"conclusion", "cause"}),
    "causes": ({"cause", "evidence"}, {"cause", "evidence"}),
    "contrasts": (ARGUMENTATIVE, ARGUMENTATIVE),
}


def guideline_problems(essay: Essay) -> list[str]:
    """What in ``essay`` breaks GUIDELINES.md (empty when nothing does)."""
    problems = []
    if essay.register not in REGISTERS:
        problems.append(f"register {essay.register!r}")
    theses = [s for s in essay.sentences if s.thesis]
    if len(theses) != 1:
        problems.append(f"{len(theses)} theses")
    elif theses[0].role not in {"conclusion", "cause"}:
        problems.append(f"thesis {theses[0].key} has role {theses[0].role}")
    keys = [s.key for s in essay.sentences]
    if keys != [f"s{i}" for i in range(1, len(keys) + 1)]:
        problems.append("sentence ids are not s1, s2, … in order")
    graph: dict[int, set[int]] = {}
    for link in essay.links:
        source, target = essay.sentences[link.source], essay.sentences[link.target]
        sources, targets = ALLOWED[link.relation]
        if link.source == link.target:
            problems.append(f"{source.key} links to itself")
        if source.role not in sources or target.role not in targets:
            problems.append(f"{source.key} ({source.role}) -{link.relation}-> {target.key} ({target.role})")
        if link.relation in {"supports", "explains"}:
            graph.setdefault(link.source, set()).add(link.target)
    if _has_cycle(graph):
        problems.append("cycle among supports/explains edges")
    return problems


def _has_cycle(graph: dict[int, set[int]]) -> bool:
    state: dict[int, int] = {}  # 1 = on the current path, 2 = finished

    def visit(node: int) -> bool:
        state[node] = 1
        for nxt in graph.get(node, ()):
            if state.get(nxt) == 1 or (nxt not in state and visit(nxt)):
                return True
        state[node] = 2
        return False

    return any(node not in state and visit(node) for node in list(graph))


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_essay_follows_the_guidelines(path: Path) -> None:
    essay = load_essay(path)
    assert essay.id == path.stem
    assert guideline_problems(essay) == []


def test_the_checker_finds_broken_annotations() -> None:
    essay = load_essay(FILES[0])
    broken = replace(essay, register="blog", sentences=tuple(replace(s, thesis=False) for s in essay.sentences))
    problems = guideline_problems(broken)
    assert "register 'blog'" in problems and "0 theses" in problems


def test_annotation_templates_name_the_guideline_version_in_force() -> None:
    from pipeline.corpus import GUIDELINE_VERSION

    text = (ROOT / "corpus" / "GUIDELINES.md").read_text(encoding="utf-8")
    assert f"Guideline version: **{GUIDELINE_VERSION}**" in text


def test_inductive_essays_are_held_out_and_state_their_thesis_at_the_end() -> None:
    from pipeline.corpus import load_corpus

    folder = ROOT / "corpus" / "inductive"
    essays = load_corpus(folder, include_evaluation=True)
    assert len(essays) == 16 and {e.split for e in essays} == {"evaluation"} and load_corpus(folder) == []
    assert {e.annotator for e in essays} == {"A26", "A27", "A28", "A29"}
    for essay in essays:
        start = next(s.start for s in essay.sentences if s.thesis)
        paragraphs = [block for block in essay.blocks if block.kind == "paragraph"]
        # in the last or next-to-last paragraph, never in the introduction
        assert any(block.start <= start < block.end for block in paragraphs[-2:]), essay.id
