"""The documentation site: `make docs` builds docs/ offline (Sphinx + MyST, warnings as errors), and a real browser
opens every page, following every link and loading every image, with the network cut off."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest

REPO = Path(__file__).resolve().parents[1]
DOCS = REPO / "docs"
sys.path.insert(0, str(REPO / "tests" / "browser"))
from browserlib import LAUNCH_ARGS, find_chromium, skip_or_fail  # noqa: E402

sys.path.pop(0)

MY_PAGES = ["index", "install", "data", "notebooks", "report", "development"]


def _conf():
    import importlib.util

    spec = importlib.util.spec_from_file_location("docs_conf", DOCS / "conf.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_nav_entry_is_a_page_or_a_page_another_branch_adds():
    conf = _conf()
    entries = conf._toctree_entries()
    assert set(MY_PAGES) - {"index"} <= set(entries)
    for entry in entries:
        assert (DOCS / f"{entry}.md").is_file() or entry in conf.PENDING, entry
    assert set(conf.missing_pages) <= set(conf.PENDING)


def test_readme_is_short_and_links_the_docs():
    text = (REPO / "README.md").read_text(encoding="utf-8")
    assert len(text.splitlines()) <= 200
    for page in MY_PAGES[1:]:
        assert f"(docs/{page}.md" in text, page
    for name in re.findall(r"\]\((docs/img/[^)]+)\)", text):
        assert (REPO / name).is_file(), name


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    pytest.importorskip("sphinx")
    out = tmp_path_factory.mktemp("docs") / "html"
    run = subprocess.run([sys.executable, "-m", "sphinx", "-W", "--keep-going", "-q", "-b", "html", str(DOCS),
                          str(out)], capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-3000:]
    return out


@pytest.mark.slow
def test_built_pages_load_nothing_from_the_network(site):
    for page in site.glob("*.html"):
        text = page.read_text(encoding="utf-8")
        remote = re.findall(r'<(?:script|link|img|iframe)\b[^>]*\b(?:src|href)="((?:https?:)?//[^"]+)"', text)
        assert not remote, (page.name, remote)
    assert {f"{p}.html" for p in MY_PAGES} <= {p.name for p in site.glob("*.html")}


@pytest.mark.slow
@pytest.mark.browser
def test_browser_finds_no_broken_link_or_image(site):
    """From index.html, every page reachable by links is opened in Chromium offline (any request that is not a
    file of the site is aborted and counted); every internal link must reach an existing page and anchor, every image
    must decode."""
    chromium = find_chromium()
    if chromium is None:
        skip_or_fail("Chromium not found (apt-get install chromium)")
    sync_api = pytest.importorskip("playwright.sync_api")
    remote, broken, pages_seen = [], [], set()
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=LAUNCH_ARGS)
        try:
            page = browser.new_page()

            def route(r):
                if r.request.url.startswith("file://"):
                    return r.continue_()
                remote.append(r.request.url)
                return r.abort()

            page.route("**/*", route)
            queue = [site / "index.html"]
            while queue:
                path = queue.pop()
                if path in pages_seen:
                    continue
                pages_seen.add(path)
                page.goto(path.as_uri())
                page.wait_for_load_state("load")
                images = page.eval_on_selector_all(
                    "img", "els => els.map(e => [e.getAttribute('src'), e.complete && e.naturalWidth > 0])")
                broken += [f"{path.name}: image {src}" for src, ok in images if not ok]
                ids = set(page.eval_on_selector_all("[id]", "els => els.map(e => e.id)"))
                hrefs = page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)")
                for href in hrefs:
                    url = urlparse(href)
                    if url.scheme in ("http", "https", "mailto"):
                        continue  # outside the site: not fetched offline
                    target = Path(unquote(url.path))
                    if target.is_dir():
                        target = target / "index.html"
                    if not target.is_file() or site not in target.parents:
                        broken.append(f"{path.name}: link {href}")
                        continue
                    if url.fragment:
                        known = ids if target == path else set(
                            re.findall(r'\bid="([^"]+)"', target.read_text(encoding="utf-8")))
                        if unquote(url.fragment) not in known:
                            broken.append(f"{path.name}: anchor {href}")
                    if target.suffix == ".html" and target not in pages_seen:
                        queue.append(target)
        finally:
            browser.close()
    assert {f"{p}.html" for p in MY_PAGES} <= {p.name for p in pages_seen}
    assert not broken, broken
    assert not remote, f"the site requested the network: {remote}"
