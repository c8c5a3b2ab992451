"""Notebook 07 (trust audit), run top to bottom once, headless, in a fresh kernel with injected parameters (no test
code in it), on a local Hub serving the simulated world of ``tests/trust_world.py`` (provenance, inflated
self-reports, independent entries), offline. Its other run is in the dashboard (tests/browser/test_voila.py's Trust
tab, or headless in tests/test_notebook_facts.py where no browser runs), on data with no provenance, where its views'
facts on such data are checked. ``run_on_hub`` does what ``test_notebook_facts.run`` does, with the kernel pointed
at the server instead of the bundled snapshot.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import nbformat
import pytest
from localhub import LocalHub
from nbclient import NotebookClient
from test_notebook_facts import NOTEBOOKS, PROBE_HELPERS
from trust_world import simulate, write_hub_tree

PROBE = '''
_facts = {"provenance": _view(provenance_view), "gap": _view(gap_view), "flags": _view(flags_view),
          "selective": _view(selective_view), "has_provenance": has_provenance,
          "outliers": outliers.astype(object).where(outliers.notna(), None).to_dict("records"),
          "counts": entries.provenance.value_counts(dropna=False).rename(str).to_dict()}
'''
EXPORTS = sorted(f"07_{stem}.{ext}" for stem in ("provenance", "self_report_gap", "selective_reporting")
                 for ext in ("csv", "png", "svg")) + ["07_flagged_scores.csv"]


def test_the_bundled_snapshot_carries_no_provenance(monkeypatch):
    """What 07 says on the bundled snapshot ("This data carries no provenance") rests on this; what its views show
    there is checked where the snapshot's data is rendered: the dashboard's Trust tab (tests/browser/test_voila.py, or
    headless in tests/test_notebook_facts.py where no browser runs). 07 itself runs once headless, on the Hub below."""
    import warnings

    import lbtools
    from lbtools import analysis

    monkeypatch.setenv("LBTOOLS_SOURCE", "snapshot")
    monkeypatch.delenv("LBTOOLS_SNAPSHOT", raising=False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        entries = analysis.provenance(lbtools.load_leaderboards())
    assert entries.provenance.value_counts(dropna=False).rename(str).to_dict() == {"<NA>": 207}


@pytest.fixture(scope="module")
def trust_hub(tmp_path_factory):
    world = simulate(0)
    root = tmp_path_factory.mktemp("trust-hub")
    write_hub_tree(world, root)
    with LocalHub(root) as hub:
        yield world, hub


def run_on_hub(hub_url: str, tmp_path: Path, parameters: dict, probe: str, timeout: int = 300) -> dict:
    """As ``test_notebook_facts.run`` for notebook 07, with the kernel pointed at the local Hub at ``hub_url``
    (``LBTOOLS_SOURCE=hub``, ``HF_ENDPOINT``) instead of the bundled snapshot; no other network is reachable."""
    nb = nbformat.read(NOTEBOOKS / "07_trust_audit.ipynb", as_version=4)
    at = next(i for i, c in enumerate(nb.cells) if "parameters" in c.metadata.get("tags", []))
    injected = "\n".join(f"{k} = {v!r}" for k, v in {"EXPORT_DIR": str(tmp_path / "exports"), **parameters}.items())
    nb.cells.insert(at + 1, nbformat.v4.new_code_cell(injected, metadata={"tags": ["injected-parameters"]}))
    nb.cells.append(nbformat.v4.new_code_cell(
        PROBE_HELPERS + probe + "\nwith open('_facts.json', 'w') as _f:\n    _json.dump(_facts, _f, default=str)"))
    env_before = dict(os.environ)
    os.environ.update(LBTOOLS_SOURCE="hub", HF_ENDPOINT=hub_url, MPLBACKEND="Agg")
    os.environ.pop("HF_HUB_OFFLINE", None)
    os.environ.pop("LBTOOLS_SNAPSHOT", None)
    try:
        NotebookClient(nb, timeout=timeout, kernel_name="python3",
                       resources={"metadata": {"path": str(tmp_path)}}).execute()
    finally:
        os.environ.clear()
        os.environ.update(env_before)
    facts = json.loads((tmp_path / "_facts.json").read_text(encoding="utf-8"))
    facts["banner"] = "\n".join(o.get("data", {}).get("text/markdown", "") for c in nb.cells
                                 for o in c.get("outputs", []))
    facts["exports"] = sorted(p.name for p in (tmp_path / "exports").glob("*"))
    return facts


@pytest.mark.slow
def test_07_on_a_local_hub_with_provenance(trust_hub, tmp_path):
    world, hub = trust_hub
    facts = run_on_hub(hub.url, tmp_path, {"SOURCE": "hub"}, PROBE)
    assert facts["has_provenance"] is True
    assert "no provenance" not in facts["banner"]
    for name in ("provenance", "gap", "flags", "selective"):
        assert facts[name]["error"] is None, (name, facts[name]["error"])
    # provenance as served: every entry classified, the counts of the world
    e = world.entries
    org = e.model_id.str.split("/").str[0]
    assert facts["counts"] == {"first_party": int(((~e.verified) & (e.author == org)).sum()),
                               "third_party": int(((~e.verified) & (e.author != org)).sum()),
                               "verified": int(e.verified.sum())}
    mix = facts["provenance"]["tables"][0]
    assert len(mix) == 14 and sum(r["first party"] + r["third party"] + r["verified"] for r in mix) == len(e)
    # the gap over all pairs holds the world's true mean gap and excludes 0
    (total,) = [r for r in facts["gap"]["tables"][0] if r["group"] == "(all)"]
    assert total["gap_low"] <= world.true_gap <= total["gap_high"] and total["gap_low"] > 0
    # flags: mostly the inflated self-reports, each linked to its result file on the Hub
    inflated = {(m, d) for m, d in zip(world.inflated.model_id, world.inflated.dataset_id)}
    flagged = [r for r in facts["outliers"] if r["flagged"]]
    hits = sum((r["model_id"], r["dataset_id"]) in inflated for r in flagged)
    assert hits / len(flagged) >= 0.8 and hits / len(inflated) >= 0.5
    table = facts["flags"]["tables"][0]
    assert len(table) == min(25, len(flagged)) and all(r["provenance"] == "first_party" for r in table)
    html = facts["flags"]["html"]
    assert 'href="https://huggingface.co/trust-org-' in html and "result file" in html
    assert "A flag is a reason to look, not a verdict" in facts["flags"]["text"]
    assert sum(r["or_low"] > 1 for r in facts["selective"]["tables"][0]) >= 12
    assert facts["exports"] == sorted(EXPORTS)


# The columns 01_rankings and 05_model_profile show, as their view functions name them (checked in their source, so
# this test executes no notebook code: each notebook runs at most twice per `make test`, docs/testing.md).
REPORTED_BY = '"provenance": "reported by"'


def _source(stem: str) -> str:
    return "\n".join(c.source for c in nbformat.read(NOTEBOOKS / f"{stem}.ipynb", as_version=4).cells
                     if c.cell_type == "code")


@pytest.mark.slow
def test_the_01_and_05_tables_say_who_reported_each_entry(trust_hub, monkeypatch):
    """On a Hub with provenance, the tables 01's ranking and 05's profile build (the same lbtools calls as their view
    functions: ``analysis.provenance(analysis.top_n(board, n))`` and the board entries' provenance merged into the
    profile) say who reported each entry, and ``show_table`` with their column names shows the column."""
    import lbtools
    import pandas as pd
    from lbtools import analysis, widgets

    for stem, call in (("01_rankings", "analysis.provenance(analysis.top_n(board, top_n))"),
                       ("05_model_profile", "analysis.provenance(leaderboards).drop_duplicates")):
        assert REPORTED_BY in _source(stem) and call in _source(stem), stem
    world, hub = trust_hub
    monkeypatch.setenv("HF_ENDPOINT", hub.url)
    monkeypatch.setenv("LBTOOLS_SOURCE", "hub")
    monkeypatch.setenv("LBTOOLS_CACHE", "off")
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    e = world.entries
    board = e[e.dataset_id == "trust-bench/bench-00"]
    both = board.groupby("model_id").filter(lambda g: (~g.verified).all() and g.author.nunique() == 2)
    model = sorted(both.model_id)[0]  # a model with a first-party and a third-party entry on bench-00
    with pytest.warns(lbtools.DataRepairedWarning, match="listed more than once"):  # the world's second entries
        leaderboards = lbtools.load_leaderboards()
    with pytest.warns(lbtools.AnalysisWarning, match="listed 2 times; kept"):
        table = analysis.provenance(analysis.top_n(leaderboards.query("dataset_id == 'trust-bench/bench-00'"), 50))
    org = table.model_id.str.split("/").str[0]
    # one entry per model (the rule picks the better value); its provenance is that entry's
    expected = ["verified" if v else "first_party" if a == o else "third_party"
                for v, a, o in zip(table.verified, table.author, org)]
    assert table.provenance.tolist() == expected and set(expected) == {"verified", "first_party", "third_party"}
    shown = widgets.bind(lambda: widgets.show_table(table, {"model_id": "model", "provenance": "reported by"}))
    assert shown.error is None and "<th>reported by</th>" in shown.html()
    profile = pd.DataFrame({"model_id": [model]}).merge(
        analysis.provenance(leaderboards).drop_duplicates(["model_id", "dataset_id"])[
            ["model_id", "dataset_id", "provenance"]], on="model_id", how="left")
    assert profile.provenance.notna().any() and set(profile.provenance.dropna()) <= {"verified", "first_party",
                                                                                     "third_party"}
