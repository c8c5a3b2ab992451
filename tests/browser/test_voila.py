"""01_rankings as a Voilà dashboard (what `make dashboard` serves): rendered with no code and no error, and the
benchmark picker redraws the ranking."""

from __future__ import annotations

import pytest

from browserlib import curated, expect, main_output, page_errors, pick_benchmark, ready

pytestmark = pytest.mark.browser

RENDER_TIMEOUT_MS = 45_000  # cold kernel + all cells; about 4 s when healthy


def test_rankings_dashboard_in_voila(page, voila_server, snapshot_facts):
    page.goto(f"{voila_server.url}/voila/render/{curated('01').name}", wait_until="commit")
    try:
        page.locator(".lb-output .lb-top").first.wait_for(timeout=RENDER_TIMEOUT_MS)
    except Exception as exc:  # noqa: BLE001 - say what the page shows instead
        shown = page.locator("body").inner_text(timeout=5_000)[:300]
        hint = ""
        if "Executing" in shown:
            hint = (
                " Voila's executor (nbclient) stopped waiting for a cell's reply. Seen here when a view draws into a"
                " widgets.Output with `with output:` while the cell runs (nbclient then syncs the Output widget over"
                " the shell channel); setting `output.outputs` directly does not hang."
            )
        raise AssertionError(f"the dashboard did not render within {RENDER_TIMEOUT_MS / 1000:.0f} s; the page shows"
                             f" {shown!r}.{hint}") from exc
    out = ready(page)
    expect(out.locator(".lb-top").first).to_contain_text("Top: ")
    expect(page.locator("body")).to_contain_text("bundled snapshot")  # the source banner
    # A dashboard: markdown and outputs, no code (neither editors nor the code cells' text).
    assert page.locator(".jp-CodeCell .jp-InputArea, .jp-InputArea-editor, .cm-editor").count() == 0, "code is shown"
    expect(page.locator("body")).not_to_contain_text('BENCHMARK = "')  # the parameters cell
    assert not page_errors(page), page_errors(page)

    label, ds = pick_benchmark(page, snapshot_facts, ["Idavidrein/gpqa", "TIGER-Lab/MMLU-Pro"])
    model, value = snapshot_facts["top"][ds]
    out = main_output(page)
    expect(out.locator(".lb-heading").first).to_contain_text(label)
    expect(out.locator(".lb-top").first).to_contain_text(f"Top: {model} — {value}")
    expect(out.locator("table.lb-table").first).to_contain_text(model)
    assert not page_errors(page), page_errors(page)
