"""The map formats (JSON, GraphML, DOT, Argdown, HTML) on a small fixed essay: golden files, round trips, a browser."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from array import array
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import SAMPLE

from pipeline import export
from pipeline.cli import cli
from pipeline.errors import ExportError
from pipeline.types import ROLES, Block, CleanDocument, Cue, DocumentResult, Edge, Entity, Prediction, Sentence

CHROMIUM = Path("/usr/bin/chromium")
ARGDOWN = Path(__file__).parent / "argdown"
PARAGRAPHS = [
    ["Why did the talks fail?", "Distrust, I shall argue, doomed the talks of 1998."],
    [
        "Washington feared that ESA would share rocket secrets.",
        "In 1998 the Cox Report listed <12> transfers.",
        "However, ESA kept working with China.",
    ],
    ["In sum, distrust & secrecy explain the failure.", "Cooperation would have helped both sides."],
]


def _essay() -> DocumentResult:
    """A seven-sentence essay with roles, entities, cues, a thesis, a contrast and one unattached sentence."""
    text, blocks, spans = "", [], []
    for p, sentences in enumerate(PARAGRAPHS):
        if text:
            text += "\n\n"
        start = len(text)
        for k, s in enumerate(sentences):
            if k:
                text += " "
            spans.append((p, len(text), len(text) + len(s)))
            text += s
        blocks.append(Block("paragraph", start, len(text), "Conclusion" if p == 2 else None))
    clean = CleanDocument("tiny", text, tuple(blocks), (), (), array("l", range(len(text) + 1)))

    def find(i: int, word: str) -> tuple[int, int]:
        start = text.index(word, spans[i][1])
        return start, start + len(word)

    entities = {
        1: [("1998", "DATE")],
        2: [("Washington", "GPE"), ("ESA", "ORG")],
        3: [("1998", "DATE"), ("Cox Report", "LAW")],
        4: [("ESA", "ORG"), ("China", "GPE")],
    }
    cues = {
        1: [("argue", "conclusion")],
        3: [("In 1998", "evidence")],
        4: [("However", "contrast")],
        5: [("In sum", "conclusion")],
        6: [("would have", "conclusion")],
    }
    roles = ["other", "conclusion", "cause", "evidence", "conclusion", "conclusion", "conclusion"]
    sentences, predictions = [], []
    for i, (p, start, end) in enumerate(spans):
        ents = tuple(Entity(w, label, *find(i, w), w.lower()) for w, label in entities.get(i, []))
        cs = tuple(Cue(w, kind, *find(i, w)) for w, kind in cues.get(i, []))  # type: ignore[arg-type]
        sentences.append(
            Sentence(
                i,
                p,
                "Conclusion" if p == 2 else None,
                1,
                start,
                end,
                start,
                end,
                text[start:end],
                ents,
                cs,
                roles[i] != "other",
            )
        )
        probs = tuple(0.7 if r == roles[i] else 0.1 for r in ROLES)
        predictions.append(Prediction(roles[i], probs))  # type: ignore[arg-type]
    edges = (
        Edge(2, 1, "explains", 0.81, "1 paragraph apart; target is the thesis"),
        Edge(3, 2, "supports", 0.9, 'same paragraph; cue "In 1998"'),
        Edge(4, 2, "contrasts", 0.62, 'same paragraph; shares entity esa; cue "However"'),
        Edge(4, 1, "supports", 0.4, "1 paragraph apart; target is the thesis"),
        Edge(5, 1, "supports", 0.77, "2 paragraphs apart; target is the thesis"),
    )
    return DocumentResult(
        "tiny",
        "tiny.txt",
        "0" * 64,
        1,
        clean,
        tuple(sentences),
        tuple(predictions),
        edges,
        "test-model",
        thesis=1,
        unattached=(6,),
        linker="test-linker",
    )


@pytest.fixture(scope="module")
def essay() -> DocumentResult:
    return _essay()


WRITERS = {
    "json": export.to_json,
    "graphml": export.to_graphml,
    "dot": export.to_dot,
    "argdown": export.to_argdown,
    "html": export.to_html,
}


@pytest.mark.parametrize("name", sorted(WRITERS))
def test_format_matches_golden(essay, golden, name: str) -> None:
    golden(f"formats/tiny{export.SUFFIX[name]}", WRITERS[name](essay))


def test_map_draws_unsure_edges_fainter(essay) -> None:
    svg = export.svg_map(essay)
    drawn = {(int(source), int(target)): float(opacity) for opacity, source, target
             in re.findall(r'stroke-opacity="([\d.]+)"[^>]*><title>(\d+) \w+ (\d+)', svg)}
    scores = {(e.source_id, e.target_id): e.score for e in essay.edges}
    assert drawn.keys() == scores.keys()
    assert [drawn[k] for k in sorted(scores, key=scores.get)] == sorted(drawn.values())
    assert drawn[4, 1] < 0.6 < drawn[3, 2]
    assert "(score 0.40)" in svg and 'label="supports 0.40", color="#2a9d8f8c"' in export.to_dot(essay)


def test_csv_marks_the_thesis(essay, golden) -> None:
    text = export.format_csv(export.SENTENCE_COLUMNS, export.sentence_rows(essay))
    import csv

    assert [row["is_thesis"] for row in csv.DictReader(text.splitlines())] == ["false", "true"] + ["false"] * 5
    golden("formats/tiny.sentences.csv", text)


def test_json_round_trip(essay) -> None:
    data = json.loads(export.to_json(essay))
    assert data["schema"] == export.JSON_SCHEMA and data["thesis"] == 1 and data["unattached"] == [6]
    assert data["nodes"] == json.loads(json.dumps(export.map_nodes(essay)))
    assert [(e["source_id"], e["target_id"], e["relation"], e["score"], e["reason"]) for e in data["edges"]] == [
        (e.source_id, e.target_id, e.relation, e.score, e.reason) for e in essay.edges
    ]
    assert [n["unattached"] for n in data["nodes"]] == [False] * 6 + [True]


def test_graphml_round_trip_in_networkx(essay, tmp_path) -> None:
    import networkx as nx

    path = tmp_path / "tiny.graphml"
    path.write_text(export.to_graphml(essay), encoding="utf-8")
    graph = nx.read_graphml(path, node_type=int)
    assert sorted(graph.nodes) == list(range(7))
    for s, p in zip(essay.sentences, essay.predictions, strict=True):
        node = graph.nodes[s.id]
        assert (node["role"], node["text"], node["confidence"]) == (p.role, s.text, pytest.approx(p.confidence))
    assert graph.nodes[1]["is_thesis"] is True and graph.nodes[6]["unattached"] is True
    relations = sorted((u, v, d["relation"]) for u, v, d in graph.edges(data=True))
    assert relations == sorted((e.source_id, e.target_id, e.relation) for e in essay.edges)


def test_dot_renders_to_svg_where_graphviz_is_installed(essay, tmp_path) -> None:
    path = tmp_path / "tiny.dot"
    path.write_text(export.to_dot(essay), encoding="utf-8")
    if shutil.which("dot") is None:
        pytest.skip("Graphviz 'dot' is not installed: DOT rendering not tested (apt-get install graphviz)")
    svg = export.render_dot(path)
    assert svg is not None and "<svg" in svg.read_text(encoding="utf-8")


def test_dot_without_graphviz_is_skipped_with_a_notice(essay, tmp_path, monkeypatch, caplog) -> None:
    monkeypatch.setattr(export.shutil, "which", lambda name: None)
    export._graphviz.cache_clear()
    try:
        written = export.write_formats(essay, tmp_path, ["dot"])
    finally:
        export._graphviz.cache_clear()
    assert written == [tmp_path / "dot" / "tiny.dot"]
    assert "Graphviz 'dot' is not installed" in caplog.text


def test_argdown_nests_supporters_under_the_thesis(essay) -> None:
    text = export.to_argdown(essay)
    lines = text.splitlines()
    thesis = lines.index("# Thesis") + 2
    assert lines[thesis].startswith("[s1]: Distrust, I shall argue, doomed the talks of 1998. #conclusion #thesis")
    assert "  <+ [s2]: Washington feared that ESA would share rocket secrets. #cause #explains" in lines
    assert "    <+ [s3]: In 1998 the Cox Report listed \\<12\\> transfers. #evidence" in lines
    assert lines[lines.index("# Unattached") + 2].startswith("[s6]: ")
    assert lines[-2:] == ["[s4]", "  -> [s2]"]


def _parse_argdown(path: Path) -> dict:
    """What the reference Argdown parser (@argdown/core, run by Node.js) reads in an Argdown file."""
    node = shutil.which("node")
    if node is None or not (ARGDOWN / "node_modules" / "@argdown" / "core").is_dir():
        pytest.skip("the Argdown parser needs Node.js and `npm ci --prefix tests/argdown` (run by `make test`)")
    command = [node, str(ARGDOWN / "parse.js"), str(path)]
    return json.loads(subprocess.run(command, capture_output=True, text=True, timeout=120, check=True).stdout)


@pytest.mark.parametrize("which", ["tiny", "sample"])
def test_argdown_reads_back_in_the_reference_parser(which, essay, sample_result, tmp_path) -> None:
    result = essay if which == "tiny" else sample_result
    path = tmp_path / f"{which}.argdown"
    path.write_text(export.to_argdown(result), encoding="utf-8")
    parsed = _parse_argdown(path)
    assert parsed["errors"] == []
    roles = {f"s{s.id}": p.role for s, p in zip(result.sentences, result.predictions, strict=True) if p.role != "other"}
    assert set(parsed["statements"]) == set(roles)  # every argumentative sentence, each once
    assert all(roles[title] in tags for title, tags in parsed["statements"].items())
    kind = {"contrasts": "attack", "supports": "support", "explains": "support", "causes": "support"}
    relations = {(f"s{e.source_id}", f"s{e.target_id}", kind[e.relation]) for e in result.edges}
    assert {tuple(r) for r in parsed["relations"]} == relations
    assert "thesis" in parsed["statements"][f"s{result.thesis}"]


def test_write_formats_paths_and_unknown_format(essay, tmp_path) -> None:
    written = export.write_formats(essay, tmp_path, ["csv", "json", "html", "argdown", "graphml"])
    assert {p.relative_to(tmp_path).as_posix() for p in written} == {
        "json/tiny.json",
        "html/tiny.html",
        "argdown/tiny.argdown",
        "graphml/tiny.graphml",
    }
    with pytest.raises(ExportError, match="unknown format pdf"):
        export.write_formats(essay, tmp_path, ["pdf"])


def test_html_report_is_self_contained(essay) -> None:
    page = export.to_html(essay)
    assert not re.search(r"(src|href)=|https?://|@import", page)
    assert page.count('class="s ') == 7 and page.count("<mark title=") == 6 and page.count("<u class=") == 5


@pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason="headless Chromium not installed at /usr/bin/chromium "
    "(make test installs it when run as root: apt-get install chromium)",
)
def test_html_report_renders_in_headless_chromium(essay, tmp_path) -> None:
    probe = """<script>
    const box = e => e.getBoundingClientRect();
    const svg = document.querySelector('svg.map');
    const out = {svgWidth: box(svg).width, svgHeight: box(svg).height,
      nodes: [...svg.querySelectorAll('g.node circle')].filter(c => box(c).width > 0).length,
      edges: [...svg.querySelectorAll('line.edge')].filter(l => box(l).width + box(l).height > 0).length,
      sentences: [...document.querySelectorAll('.essay span.s')].filter(s => box(s).width > 0).length,
      thesisColour: getComputedStyle(document.getElementById('s1')).backgroundColor,
      rows: document.querySelectorAll('table tbody tr').length};
    document.body.setAttribute('data-probe', JSON.stringify(out));
    </script></body>"""
    page = tmp_path / "tiny.html"
    page.write_text(export.to_html(essay).replace("</body>", probe), encoding="utf-8")
    command = [
        str(CHROMIUM),
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={tmp_path / 'profile'}",
        "--dump-dom",
        page.as_uri(),
    ]
    dom = subprocess.run(command, capture_output=True, text=True, timeout=120, check=True).stdout
    found = re.search(r"data-probe=\"([^\"]+)\"", dom)
    assert found, dom[:500]
    probe_data = json.loads(found.group(1).replace("&quot;", '"'))
    assert probe_data["svgWidth"] > 100 and probe_data["svgHeight"] > 100
    assert probe_data["nodes"] == 6 and probe_data["edges"] == 5
    assert probe_data["sentences"] == 7 and probe_data["rows"] == 7 + 5
    assert probe_data["thesisColour"] == "rgb(181, 228, 140)"  # the conclusion colour


def test_run_writes_requested_formats(tmp_path) -> None:
    out = tmp_path / "out"
    result = CliRunner().invoke(
        cli, ["run", str(SAMPLE), "--out", str(out), "--format", "json,argdown,html", "-q", "-j", "1"]
    )
    assert result.exit_code == 0, result.output
    doc = SAMPLE.stem
    data = json.loads((out / "json" / f"{doc}.json").read_text(encoding="utf-8"))
    assert (out / "sentences.csv").exists() and (out / "html" / f"{doc}.html").exists()
    assert (out / "argdown" / f"{doc}.argdown").read_text(encoding="utf-8").startswith("===\ntitle:")
    argumentative = {n["sentence_id"] for n in data["nodes"] if n["role"] != "other"}
    assert data["thesis"] in argumentative
    bad = CliRunner().invoke(cli, ["run", str(SAMPLE), "--out", str(tmp_path / "bad"), "--format", "csv,pdf"])
    assert bad.exit_code == 2 and "unknown format pdf" in bad.output


def test_notebook_map_methods(essay, tmp_path) -> None:
    from pipeline.api import ArgumentMap

    amap = ArgumentMap([essay])
    graph = amap.to_networkx()
    assert graph.nodes[1]["is_thesis"] and graph.number_of_edges() == len(essay.edges)
    assert amap.to_graphml(tmp_path / "m.graphml") == export.to_graphml(essay)
    assert amap.to_argdown() == export.to_argdown(essay)
    assert amap.map_view()._repr_html_().count('<g class="node') == 6
    from dataclasses import replace

    two = ArgumentMap([essay, replace(essay, doc_id="other")]).to_networkx()
    assert "tiny:1" in two and "other:6" in two and two.number_of_nodes() == 14


def test_map_layout_is_a_tree_without_overlaps() -> None:
    # 4 and 5 support 2; 2 and 3 support the thesis 1; 6 and 7 point at each other (never made by the linker)
    slots = export._tree_slots([1, 2, 3, 4, 5, 6, 7], {2: 1, 3: 1, 4: 2, 5: 2, 6: 7, 7: 6}, thesis=1)
    assert slots[1] == (1.25, 0) and slots[2] == (0.5, 1) and slots[4] == (0.0, 2) and slots[5] == (1.0, 2)
    assert slots[3] == (2.0, 1)
    assert len(set(slots.values())) == 7 and {slots[6][1], slots[7][1]} == {0, 1}


def test_a_failed_atomic_write_leaves_the_old_file_and_no_temporary_file(tmp_path: Path) -> None:
    table = tmp_path / "sentences.csv"
    export.write_atomic(table, "doc_id\nold\n")

    def parts():
        yield tmp_path / "missing.csv"
        raise RuntimeError("worker died")

    with pytest.raises(RuntimeError):
        export.concat_csv(table, ["doc_id"], parts())
    assert table.read_text(encoding="utf-8") == "doc_id\nold\n"
    assert [p.name for p in tmp_path.iterdir()] == ["sentences.csv"]
    with pytest.raises(export.ExportError, match="cannot write"):
        export.write_atomic(table / "inside-a-file.csv", "x")


def test_files_replaced_together_change_only_when_all_are_written(tmp_path: Path) -> None:
    first, manifest = tmp_path / "sentences.csv", tmp_path / "documents.csv"
    export.write_atomic(first, "old\n")
    export.write_atomic(manifest, "old\n")
    with pytest.raises(RuntimeError), export.replaced_together() as together:
        export.write_atomic(first, "new\n", together=together)
        assert first.read_text(encoding="utf-8") == "old\n"
        raise RuntimeError("killed before the manifest")
    assert first.read_text(encoding="utf-8") == "old\n" and sorted(p.name for p in tmp_path.iterdir()) == [
        "documents.csv", "sentences.csv"]
    with export.replaced_together() as together:
        export.concat_csv(first, ["doc_id"], [], together=together)
        export.write_atomic(manifest, "new\n", together=together)
        assert [path for _, path in together] == [first, manifest]
    assert first.read_text(encoding="utf-8") == "doc_id\n" and manifest.read_text(encoding="utf-8") == "new\n"
