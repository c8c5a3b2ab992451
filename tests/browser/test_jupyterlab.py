"""JupyterLab itself: a notebook opens, runs all with no error anywhere, and its bound view redraws when its picker
changes. On the tiny notebook of tests/fixtures/report/ (one bound view with a benchmark picker, a figure and a
table), not a curated one: each curated notebook runs at most twice per `make test` (docs/testing.md), once headless
with its facts and once in the Voilà dashboard (test_voila.py), where its pickers are checked in a real browser.

Expected content comes from the data (the bundled snapshot, read here in the test process), not from the notebook.
"""

from __future__ import annotations

import pytest

from browserlib import expect, main_output, pick_benchmark, ready

pytestmark = pytest.mark.browser


def test_a_bound_view_in_jupyterlab(lab, snapshot_facts):
    """Open in JupyterLab, run all, no error; change the benchmark picker, the output redraws (figure and table)."""
    lab.open("tiny_report.ipynb")
    lab.run_all()
    lab.assert_no_errors()
    expect(lab.page.locator(".jp-Notebook")).to_contain_text("bundled snapshot")  # the source banner
    out = ready(lab.page)
    expect(out.locator("img").first).to_be_visible()
    label, ds = pick_benchmark(lab.page, snapshot_facts, ["TIGER-Lab/MMLU-Pro", "SWE-bench/SWE-bench_Verified"])
    model, _ = snapshot_facts["top"][ds]
    out = main_output(lab.page)
    expect(out.locator(".lb-heading").first).to_contain_text(label)
    expect(out.locator(".lb-top").first).to_contain_text(f"Top: {model}")
    expect(out.locator("table.lb-table").first).to_contain_text(model)
    expect(out.locator("img")).to_have_count(1)
    lab.assert_no_errors()
