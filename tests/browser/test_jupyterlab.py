"""Every curated notebook in a real JupyterLab, once each: run all cells, no error anywhere, change the main picker,
see the output redraw with the expected content. 02-06 read the bundled snapshot; 01_rankings reads a local Hub this
suite builds instead (data the bundled snapshot does not have, and a leaderboard note carrying HTML that must stay
text) — its bundled-snapshot facts are checked in its headless run (tests/test_notebook_facts.py).

Expected content comes from the data (the bundled snapshot, read here in the test process), not from the notebooks.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from browserlib import (
    NOTEBOOKS,
    LabPage,
    LabServer,
    base_env,
    choose,
    curated,
    curated_notebooks,
    expect,
    expect_redrawn,
    figure_src,
    main_output,
    option_labels,
    pick_benchmark,
    ready,
    selected_label,
)

pytestmark = pytest.mark.browser

EXPECTED_PREFIXES = ("01", "02", "03", "04", "05", "06")
ON_THE_SNAPSHOT = EXPECTED_PREFIXES[1:]  # 01 runs once, against the local Hub (test_rankings_against_an_unseen_hub)
XSS_NOTE = '<img src=x onerror="window.__lb_xss=1">'


# ---------------------------------------------------------------------------------------------------------------------
# Per-notebook checks after "run all": change the main picker, check the redraw


def check_correlations(page, facts):
    out = ready(page)
    select = page.locator(".lb-method-picker select").first
    current = selected_label(select)
    label = choose(option_labels(select), ["Kendall τ (rank)", "Pearson r (linear)"], current)
    word = label.split()[0]  # "Kendall"
    before, src = out.inner_text(), figure_src(page)
    select.select_option(label=label)
    expect_redrawn(page, before, src)
    expect(out.locator(".lb-heading").first).to_contain_text(f"{word} correlation between")
    expect(out.locator(".lb-top").first).to_have_text(
        re.compile(r"^(Strongest: .+ — -?[0-9.]+ \(95% CI -?[0-9.]+ to -?[0-9.]+, n = \d+\)|No pair)"))
    expect(out.locator("img")).to_have_count(2)  # the heatmap and the pair's scatter, both redrawn


def check_metadata(page, facts):
    ready(page)
    label, ds = pick_benchmark(page, facts, ["TIGER-Lab/MMLU-Pro", "Idavidrein/gpqa"])
    model, value = facts["top"][ds]
    out = main_output(page)
    expect(out.locator(".lb-heading").first).to_contain_text(label)
    expect(out.locator(".lb-top").first).to_contain_text(re.compile(r"Pareto frontier|No model here has a parameter"))
    expect(out.locator("table.lb-table").last).to_contain_text(model)


def check_progress(page, facts):
    ready(page)
    label, ds = pick_benchmark(page, facts, ["Idavidrein/gpqa", "TIGER-Lab/MMLU-Pro"])
    out = main_output(page)
    expect(out.locator(".lb-heading").first).to_contain_text(label)
    if ds in facts["top_dated"]:  # the slider starts at the latest date: every dated entry is in the race
        model, value = facts["top_dated"][ds]
        expect(out.locator(".lb-top").first).to_contain_text(
            re.compile(rf"Top as of \d{{4}}-\d{{2}}-\d{{2}}: {re.escape(model)} — {re.escape(value)}")
        )
    else:
        expect(out.locator(".lb-top").first).to_contain_text("Nothing to replay")


def check_profile(page, facts):
    out = ready(page)
    select = page.locator(".lb-model-picker select").first
    expect(select).to_be_visible()
    options = option_labels(select)
    current = select.evaluate("s => Array.from(s.selectedOptions).map(o => o.text)")
    leaders = [m for m, _ in facts["top"].values()]
    model = next((m for m in leaders + options if m in options and m not in current), None)
    assert model, f"no model to pick in {options[:10]}…"
    before, src = out.inner_text(), figure_src(page)
    select.select_option(label=model)  # a SelectMultiple: exactly this model
    expect_redrawn(page, before, src)
    top = out.locator(".lb-top").first
    expect(top).to_contain_text(f"{model}:")
    expect(top).to_contain_text(re.compile(r"\d+ eval results?|no eval results"))
    if model in leaders:
        expect(top).to_contain_text("best rank 1 of")
    for other in current:
        expect(top).not_to_contain_text(f"{other}:")


def check_capability(page, facts):
    import warnings

    import lbtools
    from lbtools import analysis

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "item counts unknown": said in the notebook, not checked here
        index = analysis.capability_index(lbtools.load_leaderboards())  # the bundled snapshot, as the kernel reads
    top = index[index["n_benchmarks"] >= 5]["model_id"].iloc[0]  # the headline rests on ≥ 5 benchmarks
    other = next(m for m in index["model_id"] if m.split("/")[0] != top.split("/")[0])
    out = ready(page)
    expect(out.locator(".lb-top").first).to_contain_text(f"Most capable (of models with ≥ 5 benchmarks): {top}")
    search = page.locator(".lb-model-search input").first
    before, src = out.inner_text(), figure_src(page)
    search.fill(other.split("/")[0])
    search.press("Enter")
    expect_redrawn(page, before, src)
    expect(out.locator("table.lb-table").first).to_contain_text(other)
    expect(out.locator("table.lb-table").first).not_to_contain_text(top)
    expect(page.locator(".jp-Notebook")).to_contain_text("not published results")


CHECKS = {
    "01": None,  # run against the local Hub: test_rankings_against_an_unseen_hub
    "02": check_correlations,
    "03": check_metadata,
    "04": check_progress,
    "05": check_profile,
    "06": check_capability,
    "07": None,  # its views: the dashboard's Trust tab in Voilà (test_voila) and headless on a Hub with provenance
}


# ---------------------------------------------------------------------------------------------------------------------
# Tests


def test_every_curated_notebook_has_a_browser_check():
    found = {p.name[:2] for p in curated_notebooks()}
    assert set(EXPECTED_PREFIXES) <= found, f"missing curated notebooks: {sorted(set(EXPECTED_PREFIXES) - found)}"
    assert found <= set(CHECKS), f"notebooks with no browser check here: {sorted(found - set(CHECKS))}"


@pytest.mark.parametrize("prefix", ON_THE_SNAPSHOT)
def test_notebook_in_jupyterlab(lab, snapshot_facts, prefix):
    """Open in JupyterLab, run all, no error; change the main picker, the output redraws with the expected content."""
    nb = curated(prefix)
    lab.open(nb.name)
    lab.run_all()
    lab.assert_no_errors()
    expect(lab.page.locator(".jp-Notebook")).to_contain_text("bundled snapshot")  # the source banner
    CHECKS[prefix](lab.page, snapshot_facts)
    lab.assert_no_errors()


# ---------------------------------------------------------------------------------------------------------------------
# 01_rankings against a Hub this test builds (never the bundled snapshot), with HTML in a leaderboard note

UNSEEN_BENCHMARK = "TIGER-Lab/MMLU-Pro"
UNSEEN_MODEL = "lbtools-test/unseen-hub-leader"
UNSEEN_VALUE = 93.7


def _inject_unseen_leader(root: Path) -> None:
    """Put a new leader (not in any snapshot) on one leaderboard, its note carrying HTML, plus its model record."""
    from lbtools._hub.recording import response_relpath

    board_path = root / response_relpath(f"/api/datasets/{UNSEEN_BENCHMARK}/leaderboard")
    board = json.loads(board_path.read_text(encoding="utf-8"))
    template = board[0]
    entry = {
        **{k: v for k, v in template.items() if k not in ("num_parameters", "pullRequest", "source")},
        "rank": 1,
        "modelId": UNSEEN_MODEL,
        "author": {"name": UNSEEN_MODEL.split("/")[0], "type": "org"},
        "value": UNSEEN_VALUE,
        "notes": XSS_NOTE,
    }
    for i, e in enumerate(board, start=2):
        e["rank"] = i
    board_path.write_text(json.dumps([entry] + board, indent=1), encoding="utf-8")

    model_path = root / response_relpath(f"/api/models/{UNSEEN_MODEL}")
    model_path.parent.mkdir(parents=True, exist_ok=True)
    model_path.write_text(
        json.dumps(
            {
                "id": UNSEEN_MODEL,
                "author": UNSEEN_MODEL.split("/")[0],
                "private": False,
                "gated": False,
                "disabled": False,
                "downloads": 0,
                "likes": 0,
                "tags": [],
                "createdAt": "2026-03-01T00:00:00.000Z",
                "evalResults": [
                    {
                        "filename": template["filename"],
                        "verified": False,
                        "data": {"dataset": {"id": UNSEEN_BENCHMARK, "task_id": "mmlu_pro"}, "value": UNSEEN_VALUE,
                                 "notes": XSS_NOTE},
                    }
                ],
            },
            indent=1,
        ),
        encoding="utf-8",
    )


@pytest.fixture(scope="module")
def local_hub(chromium_path, tmp_path_factory):
    from fixtures.build import build_hub_tree
    from localhub import LocalHub

    root = tmp_path_factory.mktemp("hub") / "tree"
    build_hub_tree(root, token="hf_lbtools_browser_test_token")
    _inject_unseen_leader(root)
    with LocalHub(root) as hub:
        yield hub


@pytest.fixture(scope="module")
def hub_lab_server(local_hub, tmp_path_factory):
    """JupyterLab whose kernels read the local Hub live (LBTOOLS_SOURCE=hub, HF_ENDPOINT=hub.url)."""
    from localhub import hub_env

    tmp = tmp_path_factory.mktemp("hublab")
    env = base_env(tmp, {**hub_env(local_hub.url, tmp / "hf-home"), "LBTOOLS_SOURCE": "hub"})
    env.pop("HF_HUB_OFFLINE", None)
    server = LabServer(tmp, NOTEBOOKS, env).start()
    try:
        yield server
    finally:
        server.stop()


def test_rankings_against_an_unseen_hub(page, hub_lab_server, local_hub, snapshot_facts):
    """01_rankings on a Hub it has never seen: the picked benchmark's leader is that Hub's, and a note with HTML
    in it shows as text and runs nothing."""
    lab = LabPage(page, hub_lab_server)
    try:
        lab.open(curated("01").name)
        lab.run_all()
        lab.assert_no_errors()
        expect(page.locator(".jp-Notebook")).to_contain_text(f"live Hub ({local_hub.url})")
        ready(page)

        select = page.locator(".lb-benchmark-picker select").first
        label = snapshot_facts["labels"][UNSEEN_BENCHMARK]
        if selected_label(select) == label:  # start elsewhere so that picking it redraws
            other = choose(option_labels(select), [], label)
            before = main_output(page).inner_text()
            select.select_option(label=other)
            expect(main_output(page)).not_to_have_text(before)
        out = main_output(page)
        before, src = out.inner_text(), figure_src(page)
        select.select_option(label=label)
        expect_redrawn(page, before, src)

        expect(out.locator(".lb-heading").first).to_contain_text(UNSEEN_BENCHMARK)
        expect(out.locator(".lb-top").first).to_contain_text(f"Top: {UNSEEN_MODEL} — {UNSEEN_VALUE:g}")
        table = out.locator("table.lb-table").first
        expect(table).to_contain_text(XSS_NOTE)  # the note, literally
        assert out.locator("img[src='x'], img[onerror]").count() == 0, "the note was rendered as HTML"
        page.wait_for_timeout(500)
        assert page.evaluate("() => typeof window.__lb_xss") == "undefined", "the note's HTML was executed"
        lab.assert_no_errors()

        paths = local_hub.paths("GET")
        assert any(p == f"/api/datasets/{UNSEEN_BENCHMARK}/leaderboard" for p in paths), paths[:20]
    finally:
        hub_lab_server.shutdown_kernels()
