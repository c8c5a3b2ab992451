"""The curated notebooks are committed clean and follow one skeleton.

No outputs and no execution counts (so a test run, which never writes them back, leaves git status clean), exactly one
cell tagged ``parameters`` (papermill), the skeleton's headings, a source banner and an export cell, and a picture
per notebook under docs/img/ for the README. Running them is ``pytest --nbval-lax --nbval-current-env notebooks/``.
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
EXPECTED = ["01_rankings", "02_correlations", "03_model_metadata", "04_progress_over_time", "05_model_profile"]


def _read(path):
    return nbformat.read(path, as_version=4)


def _headings(nb):
    return [
        line.lstrip("#").strip().casefold()
        for cell in nb.cells
        if cell.cell_type == "markdown"
        for line in cell.source.splitlines()
        if line.startswith("#")
    ]


def test_the_five_notebooks_are_there():
    assert [p.stem for p in NOTEBOOKS] == EXPECTED


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_has_no_outputs_and_no_execution_counts(path):
    nb = _read(path)
    nbformat.validate(nb)
    for i, cell in enumerate(nb.cells):
        if cell.cell_type == "code":
            assert cell.outputs == [], f"cell {i} has stored outputs: clear them before committing"
            assert cell.execution_count is None, f"cell {i} has an execution count"
    assert "widgets" not in nb.metadata, "stored widget state: save without it"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_has_one_parameters_cell_before_the_imports(path):
    nb = _read(path)
    tagged = [i for i, c in enumerate(nb.cells) if "parameters" in c.get("metadata", {}).get("tags", [])]
    assert len(tagged) == 1, f"cells tagged 'parameters': {tagged}"
    cell = nb.cells[tagged[0]]
    assert cell.cell_type == "code"
    assert re.search(r"^SOURCE = None", cell.source, re.M) and re.search(r"^EXPORT_DIR = ", cell.source, re.M)
    first_import = next(i for i, c in enumerate(nb.cells) if c.cell_type == "code" and "import lbtools" in c.source)
    assert tagged[0] < first_import


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_follows_the_skeleton(path):
    nb = _read(path)
    headings = _headings(nb)
    assert nb.cells[0].cell_type == "markdown" and nb.cells[0].source.startswith(f"# {path.stem[:2]} ")
    for required in ("what you'll see", "data source", "export", "summary", "references"):
        assert required in headings, f"missing heading {required!r}; has {headings}"
    assert headings.index("summary") < headings.index("references") == len(headings) - 1
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    assert "widgets.source_banner(" in code
    assert re.search(r"\.export\(EXPORT_DIR|widgets\.save\(", code)
    assert "check" in headings and "assert " in code
    references = nb.cells[-1].source
    for url in (
        "https://huggingface.co/docs/hub/leaderboard-data-guide",
        "https://huggingface.co/docs/hub/eval-results",
        "https://huggingface.co/datasets/",
    ):
        assert url in references


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_widget_cells_ignore_their_output_in_nbval(path):
    nb = _read(path)
    for cell in nb.cells:
        if cell.cell_type == "code" and re.search(r"widgets\.\w+_view\(", cell.source):
            assert cell.source.startswith("# NBVAL_IGNORE_OUTPUT"), cell.source[:60]


@pytest.mark.parametrize("stem", EXPECTED)
def test_each_notebook_has_a_picture_for_the_readme(stem):
    picture = ROOT / "docs" / "img" / f"{stem}.png"
    assert picture.is_file(), f"run the notebook's export cell and copy its PNG to {picture.relative_to(ROOT)}"
    assert picture.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert picture.stat().st_size < 400_000
