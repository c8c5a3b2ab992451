"""Notebook 07 (trust audit), run top to bottom in a fresh kernel with injected parameters (no test code in it):
on the bundled snapshot, which carries no provenance, and on a local Hub serving the simulated world of
``tests/trust_world.py`` (provenance, inflated self-reports, independent entries), offline.

Reuses ``run`` (and its probe helpers) of ``tests/test_notebook_facts.py`` on the bundled snapshot; for the local Hub,
``run_on_hub`` does the same with the kernel pointed at the server instead of the bundled snapshot.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import nbformat
import pytest
from localhub import LocalHub
from nbclient import NotebookClient
from test_notebook_facts import NOTEBOOKS, PROBE_HELPERS, SNAPSHOT, run
from trust_world import simulate, write_hub_tree

PROBE = '''
_facts = {"provenance": _view(provenance_view), "gap": _view(gap_view), "flags": _view(flags_view),
          "selective": _view(selective_view), "has_provenance": has_provenance,
          "outliers": outliers.astype(object).where(outliers.notna(), None).to_dict("records"),
          "counts": entries.provenance.value_counts(dropna=False).rename(str).to_dict()}
'''
EXPORTS = sorted(f"07_{stem}.{ext}" for stem in ("provenance", "self_report_gap", "selective_reporting")
                 for ext in ("csv", "png", "svg")) + ["07_flagged_scores.csv"]


@pytest.mark.slow
def test_07_on_the_bundled_snapshot_says_there_is_no_provenance(tmp_path):
    facts = run("07_trust_audit", tmp_path, {}, PROBE, timeout=300)
    assert f"{SNAPSHOT} (bundled snapshot)" in facts["banner"]
    assert "This data carries no provenance" in facts["banner"]
    assert facts["has_provenance"] is False and facts["counts"] == {"<NA>": 207}
    for name in ("provenance", "gap", "flags", "selective"):
        assert facts[name]["error"] is None, (name, facts[name]["error"])
    assert "the provenance mix can't be shown" in facts["provenance"]["text"]
    assert facts["provenance"]["tables"] == [] and facts["provenance"]["figures"] == []
    assert "No cell has both a first-party and an independent score" in facts["gap"]["text"]
    flags = facts["flags"]
    assert "A flag is a reason to look, not a verdict" in flags["text"]
    assert "No score is flagged at this rate (no independent entries to calibrate against" in flags["text"]
    assert not any(r["flagged"] for r in facts["outliers"]) and len(facts["outliers"]) == 207
    shown = flags["tables"][0]
    assert len(shown) == 25 and shown[0]["z"] == max(r["z"] for r in facts["outliers"])  # largest gaps first
    # selective reporting needs no provenance: it is shown
    selective = facts["selective"]
    assert len(selective["figures"]) == 1 and 8 <= len(selective["tables"][0]) <= 11
    assert "benchmarks: stronger models publish them more often" in selective["text"]
    # what the views show is what is exported: here the flags' table and the selective-reporting figure and table
    assert facts["exports"] == ["07_flagged_scores.csv", "07_selective_reporting.csv", "07_selective_reporting.png",
                                "07_selective_reporting.svg"]


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
    assert len(mix) == 14 and sum(r["first_party"] + r["third_party"] + r["verified"] for r in mix) == len(e)
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


def _views_of(stem: str, parameters: dict) -> dict:
    """Run the code cells of ``notebooks/<stem>.ipynb`` in this process (as the dashboard does), export cells left
    out, with ``parameters`` set after its parameters cell; return the namespace."""
    namespace: dict = {}
    for cell in nbformat.read(NOTEBOOKS / f"{stem}.ipynb", as_version=4).cells:
        if cell.cell_type != "code" or "export" in cell.metadata.get("tags", []):
            continue
        exec(cell.source, namespace)
        if "parameters" in cell.metadata.get("tags", []):
            namespace.update(parameters)
    return namespace


@pytest.mark.slow
def test_the_01_and_05_tables_say_who_reported_each_entry(trust_hub, monkeypatch):
    world, hub = trust_hub
    monkeypatch.setenv("HF_ENDPOINT", hub.url)
    monkeypatch.setenv("LBTOOLS_SOURCE", "hub")
    monkeypatch.setenv("MPLBACKEND", "Agg")
    e = world.entries
    board = e[e.dataset_id == "trust-bench/bench-00"]
    both = board.groupby("model_id").filter(lambda g: (~g.verified).all() and g.author.nunique() == 2)
    model = sorted(both.model_id)[0]  # a model with a first-party and a third-party entry on bench-00
    ns = _views_of("01_rankings", {"BENCHMARK": "trust-bench/bench-00", "MODEL": model, "TOP_N": 50})
    view = ns["ranking"]
    assert view.error is None, view.error
    table = view.tables[0]
    assert "<th>reported by</th>" in view.html()
    org = table.model_id.str.split("/").str[0]
    # one entry per model (the rule picks the better value); its provenance is that entry's
    expected = ["verified" if v else "first_party" if a == o else "third_party"
                for v, a, o in zip(table.verified, table.author, org)]
    assert table.provenance.tolist() == expected and set(expected) == {"verified", "first_party", "third_party"}
    ns = _views_of("05_model_profile", {"MODELS": [model]})
    view = ns["profiles"]
    assert view.error is None, view.error
    assert "<th>reported by</th>" in view.html()
    rows = view.tables[0]
    assert rows.provenance.notna().any() and set(rows.provenance.dropna()) <= set(("verified", "first_party",
                                                                                   "third_party"))
