"""The documentation site: `make docs` builds docs/ offline (Sphinx + MyST, warnings as errors); a real browser opens
every page in tests/browser/test_docs_site.py."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest

REPO = Path(__file__).resolve().parents[1]
DOCS = REPO / "docs"
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
