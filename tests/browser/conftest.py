"""Real-browser fixtures: one JupyterLab server and one Chromium for the whole session (the Voilà server, on a local
Hub, is test_voila.py's).

Chromium missing → the tests skip with the reason; ``LBTOOLS_REQUIRE_BROWSER=1`` (CI) turns that into a failure.
On a failure the page's screenshot and console log (plus the tail of the server log) are saved as
``test-results/<test name>.png`` and ``.log`` (git-ignored). Helpers live in ``browserlib.py``.
"""

from __future__ import annotations

import re
import sys
import time
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
LAB_NOTEBOOKS = HERE.parent / "fixtures" / "report"
if str(HERE) not in sys.path:  # browserlib, whatever pytest's import mode
    sys.path.insert(0, str(HERE))

from browserlib import (  # noqa: E402
    DEFAULT_TIMEOUT_MS,
    LAUNCH_ARGS,
    RESULTS,
    LabPage,
    LabServer,
    base_env,
    find_chromium,
    load_snapshot_facts,
    skip_or_fail,
)


def pytest_collection_modifyitems(config, items):
    for item in items:
        if HERE in Path(str(item.fspath)).resolve().parents:
            item.add_marker(pytest.mark.browser)
            item.add_marker(pytest.mark.slow)  # `pytest -m "not slow"` (the inner loop) leaves every browser test out


# ---------------------------------------------------------------------------------------------------------------------
# Failure artefacts


@pytest.hookimpl(tryfirst=True, hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    rep = outcome.get_result()
    setattr(item, f"rep_{rep.when}", rep)


_OUTCOMES: dict[str, str] = {}


def pytest_runtest_logreport(report):
    if "browser" not in report.keywords:
        return
    if report.when == "call" or report.outcome != "passed":  # setup skips/errors, call results, teardown errors
        if _OUTCOMES.get(report.nodeid) not in ("failed",):
            _OUTCOMES[report.nodeid] = "error" if report.failed and report.when != "call" else report.outcome


def pytest_terminal_summary(terminalreporter):
    """One line saying whether the real-browser tests ran (CI logs must show they did)."""
    if not _OUTCOMES:
        return
    counts: dict[str, int] = {}
    for outcome in _OUTCOMES.values():
        counts[outcome] = counts.get(outcome, 0) + 1
    text = ", ".join(f"{n} {k}" for k, n in sorted(counts.items()))
    where = find_chromium() or "no Chromium found"
    terminalreporter.write_line(f"browser tests (JupyterLab/Voila in {where}): {text}")


def _failed(node) -> bool:
    return any(getattr(getattr(node, f"rep_{w}", None), "failed", False) for w in ("setup", "call"))


def _artefact_stem(node) -> Path:
    return RESULTS / re.sub(r"[^A-Za-z0-9_.-]+", "_", node.name).strip("_")


def _save_artefacts(request, page, console: list[str]) -> None:
    RESULTS.mkdir(parents=True, exist_ok=True)
    stem = _artefact_stem(request.node)
    try:
        page.screenshot(path=str(stem.with_suffix(".png")), full_page=True, timeout=15_000)
    except Exception as exc:  # noqa: BLE001 - the page may be gone; the log still helps
        console.append(f"(screenshot failed: {exc})")
    url = "(closed)" if page.is_closed() else page.url
    lines = [f"test: {request.node.nodeid}", f"url: {url}", "", "== browser console =="] + console
    for name in ("lab_server", "voila_server", "hub_lab_server"):
        if name in request.fixturenames:
            try:
                server = request.getfixturevalue(name)
            except Exception:  # noqa: BLE001 - the server fixture itself failed
                continue
            lines += ["", f"== {server.kind} log (tail) ==", server.log_tail(200)]
    stem.with_suffix(".log").write_text("\n".join(lines) + "\n", encoding="utf-8")


# ---------------------------------------------------------------------------------------------------------------------
# Fixtures


@pytest.fixture(scope="session")
def chromium_path() -> str:
    path = find_chromium()
    if path is None:
        skip_or_fail(
            "Chromium not found: `apt-get install -y chromium` (Debian) or set LBTOOLS_CHROMIUM=/path/to/chromium"
            " (never `playwright install`)"
        )
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError as exc:
        skip_or_fail(f"playwright is not installed ({exc}): `make setup` installs the test extra")
    return path


@pytest.fixture(scope="session")
def browser(chromium_path):
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=DEFAULT_TIMEOUT_MS)
    with sync_playwright() as pw:
        try:
            browser = pw.chromium.launch(executable_path=chromium_path, args=LAUNCH_ARGS, headless=True)
        except Exception as exc:  # noqa: BLE001 - a broken install must not pass silently
            skip_or_fail(f"Chromium at {chromium_path} did not start: {exc}")
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture(scope="session")
def snapshot_facts():
    """What the views should show on the bundled snapshot (leaders per benchmark, picker labels)."""
    return load_snapshot_facts()


@pytest.fixture(scope="session")
def lab_server(chromium_path, tmp_path_factory):
    """The session's JupyterLab on a copy of tests/fixtures/report/ (a tiny notebook, not a curated one: those run in
    the Voilà dashboard, test_voila.py), kernels reading the bundled snapshot (no network)."""
    tmp = tmp_path_factory.mktemp("lab")
    server = LabServer(tmp, LAB_NOTEBOOKS, base_env(tmp)).start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def page(browser, request):
    """A fresh browser context and page; on failure its screenshot and console log go to test-results/."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    page = context.new_page()
    console: list[str] = []
    t0 = time.monotonic()

    def log(text: str) -> None:
        console.append(f"{time.monotonic() - t0:7.2f}s {text}")

    page.on("console", lambda msg: log(f"console.{msg.type}: {msg.text}"))
    page.on("pageerror", lambda err: log(f"pageerror: {err}"))
    page.on("requestfailed", lambda r: log(f"requestfailed: {r.method} {r.url} {r.failure}"))
    page.on("dialog", lambda d: (log(f"dialog {d.type}: {d.message}"), d.dismiss()))
    try:
        yield page
    finally:
        if _failed(request.node):
            _save_artefacts(request, page, console)
        context.close()


@pytest.fixture
def lab(page, lab_server):
    """A JupyterLab page on the session's server; the test's kernels are shut down afterwards."""
    try:
        yield LabPage(page, lab_server)
    finally:
        lab_server.shutdown_kernels()
