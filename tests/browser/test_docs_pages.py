"""The documentation site in a real browser: every page reachable from index.html opened offline in Chromium (the
session's browser, tests/browser/conftest.py), every internal link and anchor followed, every image decoded."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest

from test_docs_site import MY_PAGES, site  # noqa: F401 - the built site, a fixture


@pytest.mark.slow
@pytest.mark.browser
def test_browser_finds_no_broken_link_or_image(site, page):
    """From index.html, every page reachable by links is opened in Chromium offline (any request that is not a
    file of the site is aborted and counted); every internal link must reach an existing page and anchor, every image
    must decode."""
    remote, broken, pages_seen = [], [], set()

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
    assert {f"{p}.html" for p in MY_PAGES} <= {p.name for p in pages_seen}
    assert not broken, broken
    assert not remote, f"the site requested the network: {remote}"
