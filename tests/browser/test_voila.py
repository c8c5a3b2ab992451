"""The dashboard as Voilà serves it (what `make dashboard` opens): an app page with pickers, charts and tables only —
no prose, no code, no checks, no widget errors, no files written — whose pickers redraw the views in every tab.

The dashboard runs every curated notebook's code, so it is rendered once per session: both tests share one page
(``dashboard``), in test order. Where no browser runs, tests/test_notebook_facts.py runs it headless instead.
"""

from __future__ import annotations

import re

import pytest

from browserlib import DEFAULT_TIMEOUT_MS, RESULTS, expect, main_output, page_errors, pick_benchmark, ready

pytestmark = pytest.mark.browser

# Cold kernel + the six notebooks' code (06 validates its predictions): about 25 s on an idle machine, over 90 s on
# 2 cores shared with other work. The bound is for a hang, not for speed.
RENDER_TIMEOUT_MS = 240_000
TABS = ["Rankings", "Correlations", "Size and date", "Progress", "Model profile", "Capability", "Trust"]


def _open(page, voila_server):
    page.goto(f"{voila_server.url}/voila/render/dashboard.ipynb", wait_until="commit")
    try:
        page.locator(".lb-dashboard .lb-output .lb-top").first.wait_for(timeout=RENDER_TIMEOUT_MS)
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


def _tab(page, title):
    page.locator(".lb-dashboard .lm-TabBar-tab", has_text=title).first.click()


@pytest.fixture(scope="module")
def dashboard(browser, voila_server):
    """One rendered dashboard page for this module's tests; the server's notebooks folder listed before."""
    before = sorted(p.relative_to(voila_server.root) for p in voila_server.root.rglob("*"))
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    page = context.new_page()
    try:
        _open(page, voila_server)  # a failure here is kept by pytest for the module: never a second render
        yield page, before
    finally:
        context.close()


@pytest.fixture
def page(dashboard, request):
    """The shared dashboard page; its screenshot goes to test-results/ when a test fails."""
    yield dashboard[0]
    if any(getattr(getattr(request.node, f"rep_{w}", None), "failed", False) for w in ("setup", "call")):
        RESULTS.mkdir(parents=True, exist_ok=True)
        try:
            dashboard[0].screenshot(path=str(RESULTS / f"{request.node.name}.png"), full_page=True, timeout=15_000)
        except Exception:  # noqa: BLE001 - the page may be gone
            pass


def test_dashboard_is_an_app_page(page, dashboard, voila_server):
    page.wait_for_timeout(1_000)  # late widget views (a progress bar closing would show its error now)
    assert not page_errors(page), page_errors(page)
    expect(page.locator(".lb-source")).to_contain_text("bundled snapshot")  # where the data came from
    # No code, no prose, no checks: no input areas, no markdown, nothing the notebooks print.
    assert page.locator(".jp-CodeCell .jp-InputArea, .jp-InputArea-editor, .cm-editor").count() == 0, "code shown"
    assert page.locator(".jp-MarkdownCell, .jp-RenderedMarkdown").count() == 0, "prose shown"
    body = page.locator("body")
    for text in ('BENCHMARK = "', "How to run", "## Summary", "assert ", "Traceback", "Error displaying widget",
                 "exports/"):
        expect(body).not_to_contain_text(text)
    # Nothing printed: no stream output (prints, warnings, progress bars) on the page.
    assert page.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']").count() == 0
    assert page.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stdout']").count() == 0
    titles = [t.strip() for t in page.locator(".lb-dashboard .lm-TabBar-tab").all_inner_texts()]
    assert titles == TABS
    for title in TABS:  # every tab shows drawn views: pickers and a chart (Trust on data without provenance: in its
        _tab(page, title)  # selective-reporting view only, its others say why they have nothing to draw)
        ready(page)
        expect(page.locator(".lb-view .lb-output:visible img").first).to_be_visible()
    assert not page_errors(page), page_errors(page)
    # No exports, no files: the served notebooks folder is as it was before the render.
    assert sorted(p.relative_to(voila_server.root) for p in voila_server.root.rglob("*")) == dashboard[1]


def test_dashboard_pickers_redraw(page, snapshot_facts):
    _tab(page, "Rankings")
    label, ds = pick_benchmark(page, snapshot_facts, ["Idavidrein/gpqa", "TIGER-Lab/MMLU-Pro"])
    model, value = snapshot_facts["top"][ds]
    out = main_output(page)
    expect(out.locator(".lb-heading").first).to_contain_text(label)
    expect(out.locator(".lb-top").first).to_contain_text(f"Top: {model} — {value}")
    expect(out.locator("table.lb-table").first).to_contain_text(model)

    _tab(page, "Correlations")
    out = ready(page)
    before = out.inner_text()
    page.locator(".lb-method-picker select:visible").first.select_option(label="Kendall τ (rank)")
    expect(out).not_to_have_text(before)
    expect(out.locator(".lb-heading").first).to_contain_text("Kendall correlation between")
    expect(out.locator(".lb-top").first).to_have_text(re.compile(r"^(Strongest: .+ \(95% CI .+\)|No pair)"))
    assert not page_errors(page), page_errors(page)
