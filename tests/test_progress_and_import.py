"""Progress bars (shown when asked or interactive, quiet otherwise) and what ``import lbtools`` pulls in.

``lbtools/__init__.py`` imports its public API explicitly (visible to IDEs and ``help``), so importing it is no longer
meant to be near free; but loading data never drags in the plotting and widget stack. The import checks run a fresh
interpreter and look at ``sys.modules``: which modules an import pulls in, not how long it takes.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import lbtools
from lbtools._hub import pool

ROOT = Path(__file__).resolve().parents[1]
# Only the notebooks' plots and pickers need these.
HEAVY = ("matplotlib", "seaborn", "ipywidgets")


class FakeTerminal(io.StringIO):
    """A stderr that says it is a terminal, and keeps what was written to it."""

    def isatty(self):
        return True


@pytest.fixture
def interactive(monkeypatch):
    """stderr is a terminal, no kernel, no variable that silences bars: the default is to show them.

    Call it in the test body: pytest puts its own ``sys.stderr`` back between a fixture's setup and the test.
    """
    monkeypatch.delenv("HF_HUB_DISABLE_PROGRESS_BARS", raising=False)
    monkeypatch.delenv("TQDM_DISABLE", raising=False)
    monkeypatch.delitem(sys.modules, "ipykernel", raising=False)

    def install() -> FakeTerminal:
        term = FakeTerminal()
        monkeypatch.setattr(sys, "stderr", term)
        return term

    return install


def _bar_shown(text: str) -> bool:
    return "leaderboards" in text and "req" in text


# -- progress bars -------------------------------------------------------------------------------------------------


def test_bars_show_on_an_interactive_terminal_by_default(interactive):
    term = interactive()
    df = lbtools.load_leaderboards()
    assert len(df) > 0
    assert _bar_shown(term.getvalue())


@pytest.mark.parametrize("variable", ["HF_HUB_DISABLE_PROGRESS_BARS", "TQDM_DISABLE"])
@pytest.mark.parametrize("value", ["1", "true", "ON"])
def test_bars_are_quiet_when_a_variable_says_so(interactive, monkeypatch, variable, value):
    term = interactive()
    monkeypatch.setenv(variable, value)
    lbtools.load_leaderboards()
    assert term.getvalue() == ""
    assert pool.progress_enabled(None) is False


def test_bars_are_quiet_when_output_is_not_interactive(monkeypatch, capsys):
    monkeypatch.delenv("HF_HUB_DISABLE_PROGRESS_BARS", raising=False)
    monkeypatch.delenv("TQDM_DISABLE", raising=False)
    monkeypatch.delitem(sys.modules, "ipykernel", raising=False)
    lbtools.load_leaderboards()
    assert capsys.readouterr().err == ""  # pytest's captured stderr is not a terminal


def test_progress_true_shows_a_bar_even_when_not_interactive(monkeypatch, capsys):
    monkeypatch.delenv("TQDM_DISABLE", raising=False)  # tqdm itself reads TQDM_DISABLE; HF_HUB_* stays set
    lbtools.load_leaderboards(progress=True)
    assert _bar_shown(capsys.readouterr().err)


def test_progress_false_is_quiet_on_a_terminal(interactive):
    term = interactive()
    lbtools.load_leaderboards(progress=False)
    assert term.getvalue() == ""


def test_bars_are_on_in_a_notebook_kernel(monkeypatch):
    monkeypatch.delenv("HF_HUB_DISABLE_PROGRESS_BARS", raising=False)
    monkeypatch.delenv("TQDM_DISABLE", raising=False)
    monkeypatch.setitem(sys.modules, "ipykernel", sys.modules.get("ipykernel") or type(sys)("ipykernel"))
    monkeypatch.setattr(sys, "stderr", io.StringIO())  # a kernel's stderr is no terminal
    assert pool.progress_enabled(None) is True
    monkeypatch.setenv("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    assert pool.progress_enabled(None) is False


def test_one_request_shows_no_bar(interactive):
    term = interactive()
    benchmark = lbtools.load_leaderboards()["dataset_id"].iloc[0]
    term.seek(0)
    term.truncate()
    lbtools.load_leaderboards([benchmark], progress=True)
    lbtools.load_leaderboard(benchmark)
    assert term.getvalue() == ""


def test_bars_count_every_request_against_the_hub(start_hub, facts, interactive):
    term = interactive()
    start_hub()
    ids = sorted(set(facts["leaderboards"]) - {facts["gated_benchmark"]})
    lbtools.load_leaderboards(ids)
    assert f"0/{len(ids)} " in term.getvalue()  # one step per request (tqdm throttles what it redraws)


# -- a cheap import ------------------------------------------------------------------------------------------------


def _fresh(code: str) -> dict:
    """Run ``code`` in a new interpreter (no lbtools state, no test imports); it prints a JSON object."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("LBTOOLS_")}
    env["PYTHONPATH"] = str(ROOT)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=ROOT,
                         timeout=120, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def _loaded(statement: str) -> list[str]:
    code = (
        f"import json, sys\n{statement}\n"
        f"print(json.dumps(sorted(m for m in {HEAVY!r} if m in sys.modules)))"
    )
    return _fresh(code)


def test_import_lbtools_loads_no_heavy_module():
    assert _loaded("import lbtools") == []


def test_configuring_and_naming_the_api_loads_no_heavy_module():
    statement = (
        "import lbtools\n"
        "lbtools.configure(source='snapshot')\n"
        "lbtools.settings()\n"
        "f = (lbtools.load_leaderboards, lbtools.load_model_info, lbtools.clear_cache, lbtools.LbtoolsError)"
    )
    assert _loaded(statement) == []


@pytest.mark.parametrize("module", ["loaders", "_hub.sources", "_hub.client", "_hub.cache", "_hub.parse",
                                    "_hub.schema", "_hub.fetch", "_hub.pool", "_snapshot_format", "config", "snapshot", "cli"])
def test_fetching_modules_import_without_heavy_modules(module):
    assert _loaded(f"import lbtools.{module}") == []


def test_loading_data_imports_no_plotting_or_widget_module():
    statement = "import lbtools\nlbtools.configure(source='snapshot')\ndf = lbtools.load_leaderboards(progress=False)"
    assert _loaded(statement) == []

