"""The documentation site: `make docs` builds docs/ offline (Sphinx + MyST, warnings as errors); a real browser opens
every page in tests/browser/test_docs_site.py."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
DOCS = REPO / "docs"
MY_PAGES = ["index", "install", "data", "notebooks", "report", "development"]


def _toctree_entries() -> list[str]:
    text = (DOCS / "index.md").read_text(encoding="utf-8")
    entries = []
    for block in re.findall(r"```\{toctree\}(.*?)```", text, re.S):
        entries += [line.strip() for line in block.splitlines() if line.strip() and not line.strip().startswith(":")]
    return entries


def test_the_navigation_lists_every_page_and_only_pages():
    entries = _toctree_entries()
    pages = {p.stem for p in DOCS.glob("*.md")} - {"index", "README"}
    assert set(entries) == pages, (set(entries) ^ pages)
    assert len(entries) == len(set(entries))


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
