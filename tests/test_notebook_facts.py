"""The facts a reader of each curated notebook relies on, checked from the one headless run of that notebook.

That run is nbval's (``pytest --nbval-lax --nbval-current-env``, the way the notebooks are run top to bottom: any
cell that raises fails the test, naming the cell). Each test writes a temporary copy of its notebook with two cells
that are not in the curated notebook: parameters injected after its ``parameters`` cell as papermill does
(``EXPORT_DIR`` under the test's temporary directory, which is also the kernel's working directory, so the run leaves
git clean), and a last cell that reads the bound views from the kernel's namespace and writes them as JSON. nbval runs
that copy in a child pytest, on the bundled snapshot, offline; the test then checks the JSON. So each notebook is
executed once headless per ``make test`` (and once more in the dashboard: in Voilà, tests/browser/test_voila.py,
where its pickers are checked in a real browser; or headless below where no browser runs).

All of it is ``slow``: ``pytest -m "not slow"`` skips it (docs/testing.md).
"""

from __future__ import annotations

import json
import re
import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from lbtools import analysis

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
SNAPSHOT = "snapshot:openevals-2026-03-25"
FACTS_FILE = "_facts.json"

# Injected with the parameters: every Markdown output the notebook displays is kept, so the probe can report the
# source banner as the reader saw it (ipykernel's display publisher hook; the outputs themselves still go out).
CAPTURE_MARKDOWN = """
_markdown_shown = []
def _keep_markdown(msg):
    _markdown_shown.append(msg.get("content", {}).get("data", {}).get("text/markdown", ""))
    return msg
get_ipython().display_pub.register_hook(_keep_markdown)
"""

PROBE_HELPERS = '''
import json as _json
import warnings as _warnings

def _view(v):
    tables = [t.astype(object).where(t.notna(), None) for t in v.tables]
    return {"error": None if v.error is None else repr(v.error), "notes": v.notes, "text": v.text(),
            "html": v.html(), "figures": [f.get_size_inches().tolist() + [f.dpi] for f in v.figures],
            "tables": [t.to_dict("records") for t in tables]}
'''

PROBE_END = f"""
_facts["banner"] = "\\n".join(_markdown_shown)
with open({FACTS_FILE!r}, "w", encoding="utf-8") as _f:
    _json.dump(_facts, _f, default=str)
"""


def nbval(path: Path, timeout: int = 180) -> None:
    """Run the notebook at ``path`` top to bottom with nbval, in a child pytest, in a fresh kernel whose working
    directory is the notebook's folder, on the bundled snapshot and offline. Fails with nbval's report (the cell
    and its traceback) if any cell raised."""
    env = {**os.environ, "LBTOOLS_SOURCE": "snapshot", "MPLBACKEND": "Agg", "HF_HUB_OFFLINE": "1"}
    env.pop("LBTOOLS_SNAPSHOT", None)
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--nbval-lax", "--nbval-current-env",
         f"--nbval-cell-timeout={timeout}", "--rootdir", str(path.parent), "-c", os.devnull, path.name],
        cwd=path.parent, env=env, capture_output=True, text=True, timeout=timeout * 4,
    )
    assert done.returncode == 0, f"nbval failed on {path.name}:\n{done.stdout[-6000:]}\n{done.stderr[-2000:]}"


def run(stem: str, tmp_path: Path, parameters: dict, probe: str, timeout: int = 180) -> dict:
    """Execute ``notebooks/<stem>.ipynb`` once, with nbval, with ``parameters``; return what ``probe`` (code
    assigning a dict to ``_facts``) computed in its namespace, plus the banner shown and the files exported."""
    nb = nbformat.read(NOTEBOOKS / f"{stem}.ipynb", as_version=4)
    at = next(i for i, c in enumerate(nb.cells) if "parameters" in c.metadata.get("tags", []))
    injected = "\n".join(f"{k} = {v!r}" for k, v in {"EXPORT_DIR": str(tmp_path / "exports"), **parameters}.items())
    nb.cells.insert(at + 1, nbformat.v4.new_code_cell(injected + "\n" + CAPTURE_MARKDOWN,
                                                      metadata={"tags": ["injected-parameters"]}))
    nb.cells.append(nbformat.v4.new_code_cell(PROBE_HELPERS + probe + PROBE_END))
    copy = tmp_path / f"{stem}.ipynb"
    nbformat.write(nb, copy)
    nbval(copy, timeout)
    facts = json.loads((tmp_path / FACTS_FILE).read_text(encoding="utf-8"))
    facts["exports"] = sorted(p.name for p in (tmp_path / "exports").glob("*")) if (tmp_path / "exports").exists() \
        else []
    return facts


def test_01_rankings(tmp_path):
    facts = run("01_rankings", tmp_path, {"TOP_N": 5}, '''
_facts = {"ranking": _view(ranking), "model": _view(model_ranking), "overview": _view(overview),
          "toggles": {k: [c.disabled, c.description] for k, c in ranking.controls.items() if k != "benchmark"
                      and hasattr(c, "indent")},
          "top_n_max": ranking.controls["top_n"].max}
''')
    assert f"{SNAPSHOT} (bundled snapshot)" in facts["banner"]
    ranking = facts["ranking"]
    assert ranking["error"] is None and ranking["notes"] == []
    table = ranking["tables"][0]
    assert [(r["rank"], r["model_id"], r["value"]) for r in table[:3]] == [
        (1, "Qwen/Qwen3.5-397B-A17B", 76.4), (2, "MiniMaxAI/MiniMax-M2.5", 75.8), (3, "stepfun-ai/Step-3.5-Flash", 74.4)]
    assert len(table) == 5  # TOP_N reached the view
    assert "Top: Qwen/Qwen3.5-397B-A17B — 76.4" in ranking["text"]
    # Rank intervals from the 500 items of SWE-bench Verified: the leader's interval and the tie line
    assert (table[0]["rank_low"], table[0]["tier"]) == (1, 1) and table[0]["rank_high"] > 1
    # tiers from simultaneous sets for all ranks (issue 20): a joint statement, so more models are tied than the
    # old per-model intervals said (5)
    assert "SWE-bench Verified (500 items): the top 14 are statistically tied at the 95 % level" in ranking["text"]
    assert "(each model's 95 % interval: ranks 1–" in ranking["text"] and "overlaps the runner-up's" in ranking["text"]
    assert '<p class="lb-ties">' in ranking["html"]
    assert facts["top_n_max"] == 23  # SWE-bench Verified has 23 models
    # The bundled snapshot publishes no verified flags and no separate fine-tunes: both toggles say so.
    assert facts["toggles"]["verified_only"] == [True, "Verified only — no entry in this data is marked verified"]
    assert facts["toggles"]["fine_tunes"] == [True, "Include fine-tunes — these leaderboards list no fine-tunes"]
    assert "<th>verified</th>" not in ranking["html"] and "columns left out" in ranking["html"]
    model = facts["model"]
    swe = [r for r in model["tables"][0] if r["dataset_id"] == "SWE-bench/SWE-bench_Verified"]
    assert [(r["rank"], r["n_entries"], r["percentile"]) for r in swe] == [(1, 23, 100.0)]
    overview = {r["dataset_id"]: r for r in facts["overview"]["tables"][0]}
    assert len(overview) == 11 and overview["SWE-bench/SWE-bench_Verified"]["n_items"] == 500
    assert 0 < overview["SWE-bench/SWE-bench_Verified"]["resolution"] < 20
    assert facts["exports"] == ["01_model_ranks.csv", "01_model_ranks.png", "01_model_ranks.svg",
                                "01_rankings.csv", "01_rankings.png", "01_rankings.svg"]


def test_02_correlations(tmp_path):
    facts = run("02_correlations", tmp_path, {"N_BOOT": 500}, '''
_m = analysis.scores_matrix(analysis.dedupe(leaderboards))
_coef, _overlap = analysis.benchmark_correlations(_m, method=METHOD, min_overlap=MIN_OVERLAP)
_facts = {"view": _view(correlations), "n": int(_overlap.loc["Idavidrein/gpqa", "TIGER-Lab/MMLU-Pro"]),
          "rho": float(_coef.loc["Idavidrein/gpqa", "TIGER-Lab/MMLU-Pro"]),
          "diagonal_is_count": bool((_overlap.to_numpy().diagonal() == _m.notna().sum().to_numpy()).all()),
          "min_overlap_min": correlations.controls["min_overlap"].min}
''')
    view = facts["view"]
    assert view["error"] is None and facts["diagonal_is_count"]
    assert (facts["n"], round(facts["rho"], 2)) == (22, 0.94)
    assert "Strongest: GPQA (Diamond) & MMLU-Pro — 0.94 (95% CI " in view["text"] and "n = 22)" in view["text"]
    assert facts["min_overlap_min"] == 3
    assert len(view["figures"]) == 2 and all(w * dpi <= 1000 for w, _, dpi in view["figures"])
    assert "02_correlations.png" in facts["exports"] and "02_correlations-2.png" in facts["exports"]


def test_03_model_metadata(tmp_path):
    facts = run("03_model_metadata", tmp_path, {}, '''
_facts = {"view": _view(size)}
''')
    view = facts["view"]
    assert view["error"] is None
    table = view["tables"][0]
    assert len(table) == 35 and sum(r["parameters"] is not None for r in table) == 28
    assert sum(bool(r["on_frontier"]) for r in table) == 8
    assert all(r["parameters"] is not None for r in table if r["on_frontier"])
    assert all(r["on_frontier"] is None for r in table if r["parameters"] is None)  # not "no": it can't be placed
    assert "Pareto frontier: Qwen/Qwen3.5-0.8B (873.4M, 29.7)" in view["text"]  # parameters with their unit
    assert "03_model_metadata.csv" in facts["exports"]


def test_04_progress_over_time(tmp_path):
    facts = run("04_progress_over_time", tmp_path, {"BENCHMARK": "SWE-bench/SWE-bench_Verified"}, '''
_player = race.controls["as_of"]
_first = race.text()
_player.play.playing = True          # what the Play button does: playing, then +1 per tick
_player.slider.index = 0
_player.play.value = _player.play.value + 1
_facts = {"progress": _view(progress), "race_first": _first, "race_after_tick": race.text(),
          "slider_day": _player.slider.label}
''')
    records = facts["progress"]["tables"][0]
    swe = [r for r in records if r["dataset_id"] == "SWE-bench/SWE-bench_Verified"]
    assert [(r["model_id"], r["best_value"]) for r in swe] == [("Qwen/Qwen3.5-397B-A17B", 76.4)]
    # olmOCR-bench's best published score has no creation date: said, not replaced by the best dated one
    assert any(r["dataset_id"] == "allenai/olmOCR-bench" and r["best_value"] == 82.4 for r in records)
    assert ("olmOCR-bench: the best published score, 85.9 by datalab-to/chandra-ocr-2, has no known creation date, "
            "so it is not on this timeline.") in facts["progress"]["text"]
    assert "The record of each benchmark among models with a known creation date" in facts["progress"]["text"]
    assert "Top as of 2026-03-10: Qwen/Qwen3.5-397B-A17B — 76.4" in facts["race_first"]
    # Play drew the frame the slider shows
    assert f"Top as of {facts['slider_day']}:" in facts["race_after_tick"]
    assert sorted(facts["exports"])[:3] == ["04_progress_over_time.csv", "04_progress_over_time.png",
                                           "04_progress_over_time.svg"]


def test_05_model_profile(tmp_path):
    facts = run("05_model_profile", tmp_path, {"MODELS": ["Qwen/Qwen3.5-397B-A17B", "zai-org/GLM-4.7"]}, '''
_facts = {"view": _view(profiles)}
''')
    view = facts["view"]
    assert view["error"] is None
    rows = view["tables"][0]
    assert len({(r["model_id"], r["dataset_id"]) for r in rows}) == len(rows)  # each pair once
    (swe,) = [r for r in rows if r["model_id"] == "Qwen/Qwen3.5-397B-A17B"
              and r["dataset_id"] == "SWE-bench/SWE-bench_Verified"]
    assert (swe["rank"], swe["n_entries"], swe["value"], swe["percentile"]) == (1, 23, 76.4, 100.0)
    assert swe["rank_low"] == 1 and 1 < swe["rank_high"] <= 23  # its rank with a 95 % interval
    assert "Qwen/Qwen3.5-397B-A17B: 7 eval results; best rank 1 of 29 on GPQA (Diamond)" in view["text"]
    assert "05_model_profile.png" in facts["exports"]


def test_06_capability_index(tmp_path):
    facts = run("06_capability_index", tmp_path, {"SPLITS": 2}, """
_index = analysis.capability_index(leaderboards, level=LEVEL, min_benchmarks=MIN_BENCHMARKS)
_facts = {"top_drawn": index_view.figures[0].axes[0].get_yticklabels()[0].get_text(), "top": _index.model_id[0],
          "index": _view(index_view), "filled": _view(filled_view), "methods": sorted(validation.method),
          "splits": sorted(set(validation.split)), "validation": _view(validation_view)}
""", timeout=300)
    assert facts["index"]["error"] is None and facts["filled"]["error"] is None
    assert facts["top_drawn"] == facts["top"]
    assert "not published results" in facts["filled"]["text"]
    assert facts["methods"] == sorted(analysis.capability.DEFAULT_METHODS * 2)
    assert facts["splits"] == ["random", "time"]  # created_at from lbtools.enrich on the snapshot
    heading = facts["validation"]["text"].splitlines()[0]
    assert "2 random and 2 time splits" in heading, heading  # the heading names every split its table shows
    assert "06_capability_index.png" in facts["exports"]


def _browser_runs_the_dashboard() -> bool:
    """Whether tests/browser/test_voila.py renders the dashboard in this run (Chromium and playwright found, or
    LBTOOLS_REQUIRE_BROWSER=1, where a missing browser fails there)."""
    from browser.browserlib import browser_required, find_chromium

    if browser_required():
        return True
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return False
    return find_chromium() is not None


def test_the_dashboard_shows_every_notebooks_views_and_writes_nothing(tmp_path, request):
    """Headless only where no browser renders it: the dashboard runs every curated notebook's code, so one run of it
    per ``make test`` (in Voilà, tests/browser/test_voila.py, which checks the same facts on the page)."""
    voila = ROOT / "tests" / "browser" / "test_voila.py"
    if _browser_runs_the_dashboard() and any(Path(str(a)).resolve() in (voila, voila.parent, ROOT / "tests")
                                             for a in request.config.args if Path(str(a)).exists()):
        pytest.skip("the dashboard is run once, in Voilà (tests/browser/test_voila.py), in this session")
    folder = tmp_path / "notebooks"
    shutil.copytree(NOTEBOOKS, folder, ignore=shutil.ignore_patterns(".ipynb_checkpoints", "exports"))
    nb = nbformat.read(folder / "dashboard.ipynb", as_version=4)
    nb.cells.insert(0, nbformat.v4.new_code_cell(CAPTURE_STREAMS))
    nb.cells.append(nbformat.v4.new_code_cell(
        "build_all()  # the page fills its tabs in after it shows; here, at once\n"
        "views = [[v for v in p.children if not isinstance(v, ipywidgets.HTML)] for p in tabs.children]\n"
        "import json\nwith open('_facts.json', 'w') as f:\n    json.dump({'tabs': list(tabs.titles), "
        "'views': [[type(v).__name__ for v in p] for p in views], "
        "'errors': [repr(v.error) for p in views for v in p], 'streams': _streams, "
        "'trust': [[v.text(), len(v.figures), [len(t) for t in v.tables], "
        "[t.z.tolist() if 'z' in t else None for t in v.tables]] for v in views[-1]]}, f)"))
    nbformat.write(nb, folder / "dashboard.ipynb")
    before = sorted(p.relative_to(folder) for p in folder.rglob("*"))
    nbval(folder / "dashboard.ipynb", timeout=300)
    facts = json.loads((folder / "_facts.json").read_text(encoding="utf-8"))
    assert facts["tabs"] == ["Rankings", "Correlations", "Size and date", "Progress", "Model profile", "Capability", "Trust"]
    assert all(views and set(views) == {"BoundBox"} for views in facts["views"])
    assert set(facts["errors"]) == {"None"}
    after = sorted(p.relative_to(folder) for p in folder.rglob("*") if p.name != "_facts.json")
    assert after == before  # no exports, no files
    assert facts["streams"] == [], facts["streams"]  # no prints, no warnings, no progress bars on the page
    # 07 on the bundled snapshot, which carries no provenance (its other run, on a Hub with provenance, is
    # tests/test_trust_notebook.py's): as tests/browser/test_voila.py checks on the Trust tab
    provenance, gap, flags, selective = facts["trust"]
    assert "the provenance mix can't be shown" in provenance[0] and provenance[1:3] == [0, []]
    assert "No cell has both a first-party and an independent score" in gap[0]
    assert "A flag is a reason to look, not a verdict" in flags[0]
    assert "No score is flagged at this rate (no independent entries to calibrate against" in flags[0]
    assert flags[2] == [25] and flags[3][0] == sorted(flags[3][0], reverse=True)  # the largest gaps first
    assert re.search(r"benchmarks?: stronger models publish (it|them) more often \(interval above 1; about \d\.\d "
                     r"would be by chance alone\)", selective[0]), selective[0]  # what the count can't tell
    assert selective[1] == 1 and 8 <= selective[2][0] <= 11


# Injected before the dashboard's cell: what its cell prints to stdout/stderr (nothing, on an app page).
CAPTURE_STREAMS = """
import sys as _sys
_streams = []
class _Tee:
    def __init__(self, stream):
        self.stream = stream
    def write(self, text):
        if text.strip():
            _streams.append(text)
        return self.stream.write(text)
    def __getattr__(self, name):
        return getattr(self.stream, name)
_sys.stdout, _sys.stderr = _Tee(_sys.stdout), _Tee(_sys.stderr)
"""


# Last in this module, so every facts test above is defined: a curated notebook with no facts test here is still run
# top to bottom once (nbval only), until it gets one.
# 07_trust_audit's facts run is in tests/test_trust_notebook.py (on a local Hub with provenance).
FACTS_ELSEWHERE = {"07_trust_audit": "tests/test_trust_notebook.py"}
WITHOUT_FACTS = [p.stem for p in sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))
                 if f"test_{p.stem}" not in globals() and p.stem not in FACTS_ELSEWHERE]


@pytest.mark.parametrize("stem", WITHOUT_FACTS)
def test_a_notebook_without_a_facts_test_runs_top_to_bottom(stem, tmp_path):
    nb = nbformat.read(NOTEBOOKS / f"{stem}.ipynb", as_version=4)
    at = next(i for i, c in enumerate(nb.cells) if "parameters" in c.metadata.get("tags", []))
    nb.cells.insert(at + 1, nbformat.v4.new_code_cell(f"EXPORT_DIR = {str(tmp_path / 'exports')!r}",
                                                      metadata={"tags": ["injected-parameters"]}))
    nbformat.write(nb, tmp_path / f"{stem}.ipynb")
    nbval(tmp_path / f"{stem}.ipynb", timeout=300)
