"""The curated notebooks are committed clean and follow one skeleton.

No outputs and no execution counts (so a test run, which never writes them back, leaves git status clean), no test
code (no ``assert``, no ``NBVAL_*`` marker: their facts are checked from tests/test_notebook_facts.py), exactly one
cell tagged ``parameters`` (papermill), the skeleton (title, a link to notebooks/README.md, source banner, views bound
with ``widgets.bind``, an export cell tagged ``export``, a summary), and a picture per notebook under docs/img/ for
the README. Running them is ``pytest --nbval-lax --nbval-current-env notebooks/``.
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
DASHBOARD = ROOT / "notebooks" / "dashboard.ipynb"
EXPECTED = ["01_rankings", "02_correlations", "03_model_metadata", "04_progress_over_time", "05_model_profile",
            "06_capability_index", "07_trust_audit"]


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


@pytest.mark.parametrize("path", NOTEBOOKS + [DASHBOARD], ids=lambda p: p.stem)
def test_notebook_has_no_outputs_and_no_execution_counts(path):
    nb = _read(path)
    nbformat.validate(nb)
    for i, cell in enumerate(nb.cells):
        if cell.cell_type == "code":
            assert cell.outputs == [], f"cell {i} has stored outputs: clear them before committing"
            assert cell.execution_count is None, f"cell {i} has an execution count"
    assert "widgets" not in nb.metadata, "stored widget state: save without it"


@pytest.mark.parametrize("path", NOTEBOOKS + [DASHBOARD], ids=lambda p: p.stem)
def test_notebook_has_no_test_code(path):
    """Checks belong in tests/, not in what a reader copies: no assert, no nbval marker, no snapshot constants."""
    code = "\n".join(c.source for c in _read(path).cells if c.cell_type == "code")
    assert not re.search(r"^\s*assert\b", code, re.M), "an assert in a curated notebook: move it to tests/"
    assert "NBVAL" not in code, "an NBVAL_* marker: the notebooks run with --nbval-lax, which needs none"
    assert "openevals-2026-03-25" not in code, "a snapshot constant: check facts of the snapshot in tests/"


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
    first = nb.cells[0]
    assert first.cell_type == "markdown" and first.source.startswith(f"# {path.stem[:2]} ")
    assert "(README.md)" in first.source, "the title cell links notebooks/README.md for how to run"
    for required in ("data source", "export", "summary"):
        assert required in headings, f"missing heading {required!r}; has {headings}"
    assert headings[-1] == "summary"
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    assert "widgets.source_banner(" in code
    assert "widgets.bind(" in code and re.search(r"^def show_\w+\(", code, re.M), "views are functions bound here"
    exports = [c for c in nb.cells if "export" in c.get("metadata", {}).get("tags", [])]
    assert len(exports) == 1 and "widgets.save_view(" in exports[0].source and "EXPORT_DIR" in exports[0].source
    prose = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    for boilerplate in ("## References", "How to run.**"):  # lives once, in notebooks/README.md
        assert boilerplate not in prose


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_views_are_short_functions(path):
    """Each view function reads in one screen (about 10-25 lines), so a researcher can copy and change it."""
    functions = []
    for cell in _read(path).cells:
        for match in re.finditer(r"^def (show_\w+)\(.*?(?=^\S)", cell.source + "\nEND", re.M | re.S):
            lines = [ln for ln in match.group(0).splitlines() if ln.strip()]
            functions.append((match.group(1), len(lines)))
    assert functions and all(n <= 26 for _, n in functions), functions


def test_the_dashboard_shows_views_only():
    """One code cell, no prose (Voilà hides code); that it shows every view and writes and prints nothing is checked
    by running it (tests/browser/test_voila.py, or headless in tests/test_notebook_facts.py)."""
    nb = _read(DASHBOARD)
    assert [c.cell_type for c in nb.cells] == ["code"], "no prose: one code cell (hidden by Voilà)"
    assert all(p.name in nb.cells[0].source for p in NOTEBOOKS)


def test_the_readme_holds_the_shared_boilerplate():
    readme = (ROOT / "notebooks" / "README.md").read_text(encoding="utf-8")
    for url in (
        "https://huggingface.co/docs/hub/leaderboard-data-guide",
        "https://huggingface.co/docs/hub/eval-results",
        "https://huggingface.co/datasets/",
    ):
        assert url in readme
    assert "## How to run" in readme and "## Copy a notebook and change a view" in readme


@pytest.mark.parametrize("stem", EXPECTED)
def test_each_notebook_has_a_picture_for_the_readme(stem):
    picture = ROOT / "docs" / "img" / f"{stem}.png"
    assert picture.is_file(), f"run the notebook's export cell and copy its PNG to {picture.relative_to(ROOT)}"
    assert picture.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert picture.stat().st_size < 400_000
