"""Sphinx configuration of lbtools' documentation site (`make docs`: MyST Markdown pages, the furo theme, built
offline into build/docs/; nothing in the built pages is fetched from the network)."""

from __future__ import annotations

import re
from pathlib import Path

HERE = Path(__file__).resolve().parent

project = "lbtools"
author = "lbtools contributors"
copyright = "lbtools contributors"  # noqa: A001 - Sphinx's name
try:
    from lbtools import __version__ as release
except ImportError:  # building the docs without lbtools installed
    release = ""
version = release

extensions = ["myst_parser"]
source_suffix = {".md": "markdown"}
root_doc = "index"
exclude_patterns = ["_build", "README.md"]
myst_heading_anchors = 3  # [text](page.md#a-heading) links work, as on GitHub
myst_enable_extensions = ["deflist"]

html_theme = "furo"
html_title = f"lbtools {release}".strip()
html_static_path: list[str] = []
html_show_sourcelink = False
html_last_updated_fmt = None  # no build time in the pages
# no Google Fonts, no CDN: furo ships its assets; MathJax is loaded only on pages with math, and none has any
html_theme_options = {"navigation_with_keys": True}

# Pages other branches add (each listed in index.md's toctree). Until they land, a build without them must not fail:
# their "nonexisting document" warning is silenced, and only theirs: a missing page not listed here is an error.
PENDING = {
    "reliability": "hub: reliability guarantees, exceptions, warnings, retries",
    "performance": "hub: make bench, how fast, how it is built",
    "testing": "hubrel: the test suite, markers, the local Hub",
    "capability": "capability: capability index and predicted scores",
    "validation": "capability: validation against real tables",
    "inference": "inference: which differences are real (rank intervals)",
    "trust": "trust: provenance, self-report gap, outliers, selective reporting",
}


def _toctree_entries() -> list[str]:
    text = (HERE / "index.md").read_text(encoding="utf-8")
    entries = []
    for block in re.findall(r"```\{toctree\}(.*?)```", text, re.S):
        entries += [line.strip() for line in block.splitlines() if line.strip() and not line.strip().startswith(":")]
    return entries


_missing = [e for e in _toctree_entries() if not (HERE / f"{e}.md").is_file()]
_unknown = [e for e in _missing if e not in PENDING]
if _unknown:
    raise RuntimeError(f"docs/index.md lists pages that do not exist: {_unknown}")
suppress_warnings = ["toc.not_readable"] if _missing else []
missing_pages = _missing
