"""The figures (checked for content: labels, bars, cells, nodes) and the `argmap report` command."""

from __future__ import annotations

from pathlib import Path

import pytest

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")

from click.testing import CliRunner  # noqa: E402
from test_analysis import write_batch  # noqa: E402

from pipeline import analysis, figures  # noqa: E402
from pipeline.cli import cli  # noqa: E402
from pipeline.errors import InputError  # noqa: E402
from pipeline.types import ROLES  # noqa: E402


@pytest.fixture(scope="module")
def batch_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_batch(tmp_path_factory.mktemp("figures"))


@pytest.fixture(scope="module")
def batch(batch_dir: Path) -> analysis.Batch:
    return analysis.load_batch(batch_dir)


def _labels(ticks: list) -> list[str]:
    return [t.get_text() for t in ticks]


def test_role_profile_figure(batch: analysis.Batch) -> None:
    ax = figures.role_profile_figure(batch).axes[0]
    assert ax.get_xlabel() == "share of sentences" and ax.get_ylabel() == "document"
    assert len(ax.patches) == 2 * len(ROLES)  # one bar segment per document and role
    assert _labels(ax.get_yticklabels()) == ["b", "a"]  # first document on top
    assert [t.get_text() for t in ax.get_legend().get_texts()] == list(ROLES)
    widths = {(bar.get_y(), round(bar.get_x() + bar.get_width(), 6)) for bar in ax.patches}
    assert {right for _, right in widths} >= {1.0}
    counts = figures.role_profile_figure(batch, shares=False).axes[0]
    assert counts.get_xlabel() == "sentences"
    cause_bars = [bar.get_width() for bar in counts.containers[0]]
    assert cause_bars == [2, 1]  # b has two causes, a one (b drawn first, at the bottom)


def test_entity_role_heatmap(batch: analysis.Batch) -> None:
    fig = figures.entity_role_heatmap(batch)
    ax = fig.axes[0]
    assert ax.get_xlabel() == "role of the sentence" and ax.get_ylabel() == "entity"
    assert _labels(ax.get_xticklabels()) == list(ROLES)
    assert _labels(ax.get_yticklabels()) == ["britain", "great depression"]
    cells = ax.images[0].get_array()
    assert cells.shape == (2, 4) and cells[0].tolist() == [2, 1, 0, 0] and cells[1].tolist() == [0, 0, 1, 0]
    assert [t.get_text() for t in ax.texts] == ["2", "1", "0", "0", "0", "0", "1", "0"]
    assert fig.axes[1].get_ylabel() == "mentions"  # the colour bar


def test_entity_role_heatmap_without_entities(batch: analysis.Batch) -> None:
    ax = figures.entity_role_heatmap(batch, labels=("LAW",)).axes[0]
    assert not ax.images and [t.get_text() for t in ax.texts] == ["no entities"]


def _nodes(fig) -> list[tuple[float, float]]:
    (collection,) = [c for c in fig.axes[0].collections if c.get_gid() == "argmap-nodes"]
    return [tuple(xy) for xy in collection.get_offsets()]


def test_argument_map_figure(batch: analysis.Batch) -> None:
    fig = figures.argument_map_figure(batch, "a")
    ax = fig.axes[0]
    nodes = _nodes(fig)
    assert len(nodes) == 6  # five argumentative sentences and the "other" one that contrasts
    assert ax.get_xlabel() == "sentences by id, 6 nodes, 4 links"
    assert _labels(ax.get_yticklabels()) == ["other", "evidence", "cause", "conclusion", "thesis"]
    assert max(y for _, y in nodes) == 4.0  # the thesis alone on top
    assert sorted(t.get_text() for t in ax.texts) == ["0", "1", "2", "3", "4", "5"]
    assert ax.get_title().startswith("Argument map of a\nthesis (0): The gold standard deepened")
    b = figures.argument_map_figure(batch, "b")
    assert len(_nodes(b)) == 4 and b.axes[0].get_xlabel().endswith("4 nodes, 4 links")


def test_argument_map_figure_defaults_and_errors(batch: analysis.Batch) -> None:
    assert figures.argument_map_figure(batch).axes[0].get_title().startswith("Argument map of a")
    with pytest.raises(InputError, match="no such document"):
        figures.argument_map_figure(batch, "c")


def test_report_command(batch_dir: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["report", str(batch_dir), "--to", str(tmp_path / "r"), "--format", "svg"])
    assert result.exit_code == 0, result.output
    assert result.output == f"wrote {tmp_path / 'r' / 'index.html'}\n"
    written = sorted(p.name for p in (tmp_path / "r").iterdir())
    assert written == ["entities-by-role.svg", "index.html", "map-a.svg", "map-b.svg", "role-profile.svg"]
    page = (tmp_path / "r" / "index.html").read_text(encoding="utf-8")
    for name in written:
        assert name == "index.html" or f'src="{name}"' in page
    for heading in ("Per-document summary", "Evidence per conclusion", "Recurring causes", "Entities by role"):
        assert f"<h2>{heading}</h2>" in page
    assert "The return to the gold standard caused deflation in Britain." in page
    assert (tmp_path / "r" / "map-a.svg").read_text(encoding="utf-8").lstrip().startswith("<?xml")


def test_report_command_default_folder_and_one_map(batch_dir: Path) -> None:
    result = CliRunner().invoke(cli, ["report", str(batch_dir), "--doc", "b"])
    assert result.exit_code == 0, result.output
    report = batch_dir / "report"
    assert sorted(p.name for p in report.iterdir()) == ["entities-by-role.png", "index.html", "map-b.png",
                                                       "role-profile.png"]
    assert (report / "map-b.png").read_bytes().startswith(b"\x89PNG")


def test_report_command_refuses_a_folder_that_is_not_a_batch(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["report", str(tmp_path)])
    assert result.exit_code == 2
    assert result.output == (f"Error: {tmp_path}: not an argmap batch folder (no documents.csv or sentences.csv): "
                             "run `argmap run` first\n")
    result = CliRunner().invoke(cli, ["report", str(tmp_path / "missing")])
    assert result.exit_code == 2 and result.output == f"Error: {tmp_path / 'missing'}: no such folder\n"


def test_report_command_unknown_document(batch_dir: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["report", str(batch_dir), "--to", str(tmp_path), "--doc", "zz"])
    assert result.exit_code == 1
    assert result.output == "Error: zz: no such document in the batch (or it has no sentences)\n"
