#!/usr/bin/env python
"""How fast a picker change feels in a real browser: every notebook's dropdowns, and 06's new pick of benchmarks.

    python benchmarks/bench_browser.py [--no-fail]

``bench_views.py`` times the kernel's side of each change, in one process. A reader waits for more: in JupyterLab the
kernel shares the machine with the Jupyter server and Chromium, and the new figures travel to the page and are drawn
there. This opens each curated notebook in JupyterLab (Debian's Chromium at 1400 × 1000, the bundled snapshot,
offline; the browser tests' servers, ``tests/browser/browserlib.py``) and runs it. Then (1) each dropdown of each
bound view is set to its next option, timed until the views' outputs stop changing in the page (the last change
before 0.8 s of quiet); (2) in ``06_capability_index.ipynb``, each "all but one benchmark" pick in turn (each new,
so each fits the model), timed until each view's new figure is in the page. Sliders and text boxes are timed in the
kernel only (``bench_views.py``). Target (issue 24): every change ≤ 1 s on the bundled snapshot.

Prints a markdown table and PASS/FAIL; exits 1 when the target is missed (``--no-fail``: report only) and 2 when no
Chromium is installed (``apt-get install chromium``, see ../shared/docs/TESTING.md).
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "browser"))
NOTEBOOK = "06_capability_index.ipynb"
VIEWS = ("Capability index", "Published and predicted")  # each view's heading starts so
TARGET_S = 1.0

# in the page: a signature of each view's figure (by its heading), and a MutationObserver noting when each changes
_WATCH_JS = """(headings) => {
  const figure = (heading) => {
    for (const out of document.querySelectorAll('.widget-output')) {
      const h = out.querySelector('h4'), img = out.querySelector('img');
      if (h && img && h.textContent.startsWith(heading)) return img.src.length + '|' + img.src.slice(-64);
    }
    return null;
  };
  const before = headings.map(figure);
  const watch = {t0: performance.now(), seen: {}};
  const check = () => headings.forEach((h, k) => {
    const now = figure(h);
    if (now && now !== before[k] && !(k in watch.seen)) watch.seen[k] = (performance.now() - watch.t0) / 1000;
  });
  if (window.__lbWatch) window.__lbWatch.observer.disconnect();
  watch.observer = new MutationObserver(check);
  watch.observer.observe(document.body, {subtree: true, childList: true, attributes: true});
  window.__lbWatch = watch;
}"""


# in the page: the time of the last change to any view's output after a pick (settled after QUIET_MS without one)
_SETTLE_JS = """() => {
  const watch = {t0: performance.now(), last: null};
  if (window.__lbSettle) window.__lbSettle.observer.disconnect();
  watch.observer = new MutationObserver(() => { watch.last = performance.now(); });
  document.querySelectorAll('.lb-output').forEach(o => watch.observer.observe(o,
    {subtree: true, childList: true, attributes: true, characterData: true}));
  window.__lbSettle = watch;
}"""
QUIET_MS = 800
_OPTIONS_JS = "s => Array.from(s.options).map(o => o.textContent)"  # (innerText is empty off screen)


def _dropdown_times(page, bl) -> list[tuple[str, float]]:
    """Each dropdown of the notebook's bound views set to its next option (a list of several: one more picked):
    (its label and the option, seconds until the outputs settled). 06's pick of benchmarks is timed on its own."""
    out = []
    selects = page.locator(".lb-view .lb-controls select")
    for i in range(selects.count()):
        select = selects.nth(i)
        select.scroll_into_view_if_needed()  # as a reader would, before picking
        options = select.evaluate(_OPTIONS_JS)
        if select.is_disabled() or len(options) < 2 or select.evaluate("s => !!s.closest('.lb-benchmark-subset')"):
            continue
        label = select.evaluate("s => (s.parentElement.querySelector('label') || {}).textContent || 'a dropdown'")
        chosen = select.evaluate("s => Array.from(s.selectedOptions).map(o => o.textContent)")
        if select.evaluate("s => s.multiple"):
            option = next((o for o in options if o not in chosen), None)
            if option is None:
                continue
            pick = chosen + [option]
        else:
            now = options.index(chosen[0]) if chosen and chosen[0] in options else 0
            pick = option = options[(now + 1) % len(options)]
        page.evaluate(_SETTLE_JS)
        select.select_option(label=pick)
        page.wait_for_function(f"() => window.__lbSettle.last !== null && "
                               f"performance.now() - window.__lbSettle.last > {QUIET_MS}", timeout=bl.DEFAULT_TIMEOUT_MS)
        seconds = page.evaluate("() => (window.__lbSettle.last - window.__lbSettle.t0) / 1000")
        out.append((f"{label.strip()} → {option}", seconds))
    return out


def _subset_times(page, bl) -> list[list[float]]:
    """06: for each "all but one benchmark" pick, when each view's new figure was in the page (s after the pick)."""
    picker = page.locator(".lb-benchmark-subset select").first
    picker.scroll_into_view_if_needed()
    options = picker.evaluate(_OPTIONS_JS)
    times = []
    for left_out in range(len(options)):
        page.evaluate(_WATCH_JS, list(VIEWS))
        picker.select_option(label=[o for i, o in enumerate(options) if i != left_out])
        page.wait_for_function(f"() => Object.keys(window.__lbWatch.seen).length === {len(VIEWS)}",
                               timeout=bl.DEFAULT_TIMEOUT_MS)
        seen = page.evaluate("() => window.__lbWatch.seen")
        times.append([seen[str(k)] for k in range(len(VIEWS))])
        page.wait_for_timeout(300)  # the kernel idle again before the next pick
    return times


def _browser_times(chromium: str, tmp: Path):
    """({notebook: [(change, seconds)]} for every dropdown, 06's subset pick times)."""
    import browserlib as bl
    from playwright.sync_api import sync_playwright

    # JupyterLab's own windowing (off-screen cells skipped by the browser), as `make lab` opens the notebooks
    server = bl.LabServer(tmp / "server", bl.NOTEBOOKS, bl.base_env(tmp / "env"), windowing=None).start()
    dropdowns, subset = {}, []
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=chromium, args=bl.LAUNCH_ARGS, headless=True)
            for path in bl.curated_notebooks():
                page = browser.new_page(viewport={"width": 1400, "height": 1000})
                lab = bl.LabPage(page, server).open(path.name)
                lab.run_all()
                lab.assert_no_errors()
                page.wait_for_timeout(500)
                dropdowns[path.stem] = _dropdown_times(page, bl)
                if path.name == NOTEBOOK:
                    subset = _subset_times(page, bl)
                page.close()
                server.shutdown_kernels()
            browser.close()
    finally:
        server.stop()
    return dropdowns, subset


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-fail", action="store_true")
    args = parser.parse_args(argv)
    from browserlib import find_chromium

    chromium = find_chromium()
    if chromium is None:
        print("bench_browser: no Chromium (apt-get install chromium); not measured")
        return 2
    with tempfile.TemporaryDirectory(prefix="lbtools-bench-browser-", ignore_cleanup_errors=True) as folder:
        dropdowns, times = _browser_times(chromium, Path(folder))
    ok = True
    print("Every dropdown of every notebook set to its next option, JupyterLab in Chromium, bundled snapshot: until "
          f"the views' outputs settle (no change for {QUIET_MS / 1000:g} s)\n")
    print("| notebook | dropdowns | slowest change | seconds | target | |\n|---|---:|---|---:|---:|---|")
    for stem, changes in dropdowns.items():
        if not changes:
            print(f"| {stem} | 0 | | | | |")
            continue
        what, worst = max(changes, key=lambda c: c[1])
        ok &= worst <= TARGET_S
        print(f"| {stem} | {len(changes)} | {what} | {worst:.2f} s | ≤ {TARGET_S:g} s | "
              f"{'PASS' if worst <= TARGET_S else 'FAIL'} |")
    first = [t[0] for t in times]
    both = [max(t) for t in times]
    ok &= max(both) <= TARGET_S
    print(f"\nA new pick of benchmarks in {NOTEBOOK} ({len(times)} picks, each all benchmarks but one), until each "
          "view's new figure is on the page\n")
    print("| what | median | slowest | target | |\n|---|---:|---:|---:|---|")
    print(f"| the index view's new figure on the page | {statistics.median(first):.2f} s | {max(first):.2f} s | | |")
    print(f"| both views redrawn | {statistics.median(both):.2f} s | {max(both):.2f} s | ≤ {TARGET_S:g} s | "
          f"{'PASS' if max(both) <= TARGET_S else 'FAIL'} |")
    print(f"\nmachine: {os.cpu_count()} cores (load {os.getloadavg()[0]:.1f}), Python {platform.python_version()}")
    return 0 if ok or args.no_fail else 1


if __name__ == "__main__":
    sys.exit(main())
