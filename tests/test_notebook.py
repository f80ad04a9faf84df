"""examples/analysis.ipynb runs top to bottom and shows every table and figure; the map's HTML display."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest

from pipeline.api import ArgumentMap
from pipeline.types import Cue, Entity, Sentence

NOTEBOOK = Path(__file__).resolve().parent.parent / "examples" / "analysis.ipynb"
TABLES = ("sample-evidence", "role-profile-table", "evidence-table", "entities-table", "recurring-table",
          "summary-table")
FIGURES = ("sample-map", "role-profile-figure", "entities-figure", "batch-map")


def _outputs(cell: dict, mime: str) -> list[str]:
    return [o["data"][mime] for o in cell.get("outputs", []) if mime in o.get("data", {})]


@pytest.fixture(scope="module")
def executed() -> dict[str, dict]:
    """The notebook after running it in a kernel of this Python, its code cells by tag."""
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    pytest.importorskip("ipykernel", reason="no Jupyter kernel: pip install -e '.[test]' installs ipykernel")
    from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel

    try:
        KernelSpecManager().get_kernel_spec("python3")
    except NoSuchKernel:
        pytest.skip("no Jupyter kernel can start: install ipykernel into .venv (pip install -e '.[test]')")
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    client = nbclient.NotebookClient(copy.deepcopy(notebook), timeout=300, kernel_name="python3",
                                     resources={"metadata": {"path": str(NOTEBOOK.parent)}})
    ran = client.execute()  # raises CellExecutionError, with the cell and traceback, if any cell fails
    return {tag: cell for cell in ran.cells if cell.cell_type == "code" for tag in cell.metadata.get("tags", [])}


def test_notebook_is_stored_without_outputs() -> None:
    nbformat = pytest.importorskip("nbformat")
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    nbformat.validate(notebook)
    assert all(not c.get("outputs") for c in notebook.cells if c.cell_type == "code")
    uses = "\n".join(c.source for c in notebook.cells if c.cell_type == "code")
    assert "pipeline._" not in uses and "from pipeline._" not in uses  # public API only


def test_notebook_runs_and_shows_every_table_and_figure(executed: dict[str, dict]) -> None:
    display = _outputs(executed["sample-display"], "text/html")
    assert display and 'class="argmap"' in display[0] and "argmap-entity" in display[0] and "argmap-cue" in display[0]
    for tag in TABLES:
        html = _outputs(executed[tag], "text/html")
        assert html and "<table" in html[0], tag
    for tag in FIGURES:
        assert _outputs(executed[tag], "image/png"), tag
    statuses = "".join(_outputs(executed["batch-run"], "text/plain"))
    assert statuses.count("'ok'") == 3
    recurring = _outputs(executed["recurring-table"], "text/html")[0]
    assert "gold" in recurring  # the gold-standard cause recurs across the essays


def test_map_display_marks_entities_and_cues() -> None:
    text = "Because of <tariffs>, the United States lost trade."
    sentence = Sentence(id=0, paragraph_id=0, section=None, page=1, start=10, end=10 + len(text), raw_start=10,
                        raw_end=10 + len(text), text=text,
                        entities=(Entity("United States", "GPE", 10 + text.index("United"), 10 + text.index(" lost"),
                                         "united states"),
                                  Entity("Because", "ORG", 10, 17)),  # overlaps the cue: the cue wins
                        cues=(Cue("Because of", "cause", 10, 20),))
    marked = ArgumentMap._marked_html(sentence)
    assert marked.startswith('<b class="argmap-cue" title="cue: cause"')
    assert ">Because of</b> &lt;tariffs&gt;, the <u class=\"argmap-entity\"" in marked
    assert "United States<sub" in marked and ">GPE</sub></u> lost trade." in marked
    assert "ORG" not in marked


def test_map_display_has_a_legend(sample_result) -> None:
    page = ArgumentMap([sample_result])._repr_html_()
    for item in ("cause", "evidence", "conclusion", "other", "entity", "cue phrase"):
        assert f">{item}<" in page, item
    assert page.count('class="argmap-entity"') >= 100 and page.count('class="argmap-cue"') >= 30
