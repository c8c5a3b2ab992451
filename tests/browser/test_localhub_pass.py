"""The dashboard in Voilà on an awkward local Hub (issue 24's browser pass, kept cheap: one render, every tab seen).

The Hub is the fixture Hub (tests/fixtures/build.py: a gated benchmark the kernel has no token for, a model whose
eval results file is broken) plus tests/test_honest_figures_localhub.py's additions: a 0–1 benchmark named by its
card, a model listed twice on GPQA, an official benchmark without a leaderboard. What a reader sees on every tab:
no warning box or file path, notes in plain words, every button named, and the degenerate picks said plainly.
"""

from __future__ import annotations

import re

import pytest

from browserlib import DEFAULT_TIMEOUT_MS, NOTEBOOKS, VoilaServer, base_env, expect, page_errors, unnamed_buttons

TABS = ("Rankings", "Correlations", "Size and date", "Progress", "Model profile", "Capability", "Trust")

pytestmark = pytest.mark.browser

RENDER_TIMEOUT_MS = 240_000
TOKEN = "hf_lbtoolsPASStoken0123456789abcdef"  # the gated benchmark's; the kernel never gets it
# Developer words a reader must not meet in a notes line, a heading or a table.
DEVELOPER = ("first_party", "third_party", "(s)", "lbtools.", "df.attrs", "Warning", "site-packages", "Traceback",
             "verified (verified)", "ValueError", "model_id", "dataset_id")
WRONG_PLURAL = re.compile(r"\b1 (models|benchmarks|entries|pairs|rows|results|cells|leaderboards)\b")


@pytest.fixture(scope="module")
def awkward_hub(chromium_path, tmp_path_factory):
    from fixtures.build import GATED_BENCHMARK, MALFORMED_MODEL, build_hub_tree
    from localhub import LocalHub
    from test_honest_figures_localhub import NO_BOARD, UNIT_NAME, build_second_tree

    base = tmp_path_factory.mktemp("awkward-hub")
    facts = build_hub_tree(base / "fixture", token=TOKEN)
    root, twice, _ = build_second_tree(base / "fixture", base / "tree")
    with LocalHub(root, gated=facts["gated"]) as hub:
        yield {"hub": hub, "gated": GATED_BENCHMARK, "no_board": NO_BOARD, "twice": twice, "unit": UNIT_NAME,
               "malformed": MALFORMED_MODEL}


def _render(browser, hub_url, tmp):
    """The dashboard rendered by Voilà, its kernel reading the Hub at ``hub_url``; (page, close)."""
    from localhub import hub_env

    env = base_env(tmp, {**hub_env(hub_url, tmp / "hf-home"), "LBTOOLS_SOURCE": "hub"})
    env.pop("HF_HUB_OFFLINE", None)
    server = VoilaServer(tmp, NOTEBOOKS, env).start()
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    page = context.new_page()

    def close():
        context.close()
        server.stop()

    try:
        page.goto(f"{server.url}/voila/render/dashboard.ipynb", wait_until="commit")
        page.locator(".lb-dashboard .lb-output .lb-top").first.wait_for(timeout=RENDER_TIMEOUT_MS)
    except BaseException:
        close()
        raise
    return page, close


@pytest.fixture(scope="module")
def page(browser, awkward_hub, tmp_path_factory):
    page, close = _render(browser, awkward_hub["hub"].url, tmp_path_factory.mktemp("voila-awkward"))
    try:
        yield page
    finally:
        close()


@pytest.fixture(scope="module")
def big_page(browser, chromium_path, tmp_path_factory):
    """The dashboard on 160 models × 14 benchmarks (synthetic: no item counts, no provenance, no card names)."""
    from fixtures.build import synthetic_hub_tree
    from localhub import LocalHub

    root = tmp_path_factory.mktemp("big-hub") / "tree"
    synthetic_hub_tree(root, 14, entries_per_benchmark=112, n_models=160)
    with LocalHub(root) as hub:
        page, close = _render(browser, hub.url, tmp_path_factory.mktemp("voila-big"))
        try:
            yield page
        finally:
            close()


def _tab(page, title):
    page.locator(".lb-dashboard .lm-TabBar-tab", has_text=title).first.click()
    expect(page.locator(".lb-dashboard .lb-view:visible").first).to_be_visible()
    page.wait_for_timeout(300)


SHOWN = ", ".join((".lb-notes li", ".lb-note", ".lb-top", ".lb-heading", ".lb-error", ".lb-caption", ".lb-empty-table",
                   "thead", "td", ".lb-tab-about"))


def _shown_text(page) -> str:
    """The words a reader reads in the tab on show: notes, headlines, headings, tables, the tab's definitions."""
    return page.locator(".lb-dashboard").first.evaluate(
        "(root, sel) => Array.from(root.querySelectorAll(sel)).filter(e => e.offsetParent !== null)"
        ".map(e => e.innerText).join('\\n')", SHOWN)


def _assert_plain(page, where):
    text = _shown_text(page)
    said = [w for w in DEVELOPER if w in text] + WRONG_PLURAL.findall(text)
    assert not said, f"{where}: developer words or wrong plurals on the page: {said}"
    notes = page.locator(".lb-dashboard .lb-notes li:visible").all_inner_texts()
    assert not [n for n in notes if re.match(r"^[a-z_]+(\(\))?: ", n)], (where, notes)  # no function name in front
    views = page.locator(".lb-dashboard .lb-view:visible")
    for i in range(views.count()):  # one note per fact in a view
        said = views.nth(i).locator(".lb-notes li").all_inner_texts()
        assert len(said) == len(set(said)), (where, said)
    assert not unnamed_buttons(page, ".lb-dashboard"), (where, unnamed_buttons(page, ".lb-dashboard"))
    assert not page_errors(page), (where, page_errors(page))


def test_every_tab_on_an_awkward_hub_speaks_plainly(page, awkward_hub):
    # the banner says what could not be loaded and what has no leaderboard; no warning box, no file path
    banner = page.locator(".lb-source").first
    expect(banner).to_contain_text(f"could not be loaded and is left out: {awkward_hub['gated']}")
    expect(banner).to_contain_text(awkward_hub["no_board"])
    for mime in ("stderr", "stdout"):
        assert page.locator(f".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.{mime}']").count() == 0
    for title in TABS:
        _tab(page, title)
        expect(page.locator(".lb-dashboard .lb-tab-heading:visible").first).not_to_have_text(title)  # a question
        _assert_plain(page, title)


def test_degenerate_picks_are_said_plainly(page, awkward_hub):
    # Rankings: the 0–1 benchmark by its card's name; its rank axis and table
    _tab(page, "Rankings")
    select = page.locator(".lb-benchmark-picker select:visible").first
    select.select_option(label=awkward_hub["unit"])
    out = page.locator(".lb-view:has(.lb-controls) .lb-output:visible").first
    expect(out.locator(".lb-heading").first).to_contain_text(awkward_hub["unit"])
    _assert_plain(page, "Rankings, the 0–1 benchmark")
    # Model profile: the model whose eval results file is broken: said in the notes, its other results shown
    _tab(page, "Model profile")
    profile = page.locator(".lb-model-picker select:visible").first
    profile.select_option(label=awkward_hub["malformed"])
    out = page.locator(".lb-view:has(.lb-controls) .lb-output:visible").first
    expect(out.locator(".lb-top").first).to_contain_text(f"{awkward_hub['malformed']}:")
    expect(out.locator(".lb-notes").first).to_contain_text(awkward_hub["malformed"])
    _assert_plain(page, "Model profile, a broken eval file")
    # Capability: one benchmark picked is not an error but a sentence
    _tab(page, "Capability")
    subset = page.locator(".lb-benchmark-subset select:visible").first
    first = subset.locator("option").first.inner_text()
    subset.select_option(label=first)
    out = page.locator(".lb-view:has(.lb-controls) .lb-output:visible").first
    expect(out.locator(".lb-top").first).to_contain_text("Pick at least 2 benchmarks")
    assert out.locator(".lb-error").count() == 0
    _assert_plain(page, "Capability, one benchmark")


def test_every_tab_on_160_models_and_14_benchmarks(big_page):
    """No tab fails to build (05 raised 'No objects to concatenate' where no item count is known) and every tab
    speaks plainly; the benchmarks are offered in the order a reader counts (bench-2 before bench-10)."""
    for title in TABS:
        _tab(big_page, title)
        expect(big_page.locator(".lb-dashboard")).not_to_contain_text("Could not build this tab")
        _assert_plain(big_page, title)
    _tab(big_page, "Rankings")
    options = big_page.locator(".lb-benchmark-picker select:visible").first.locator("option").all_inner_texts()
    assert options.index("bench-2") < options.index("bench-10"), options
