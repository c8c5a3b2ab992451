"""Sphinx configuration of lbtools' documentation site (`make docs`: MyST Markdown pages, the furo theme, built
offline into build/docs/; nothing in the built pages is fetched from the network)."""

from __future__ import annotations

project = "lbtools"
author = "lbtools contributors"
copyright = "lbtools contributors"  # noqa: A001 - Sphinx's name
try:
    from lbtools import __version__ as release
except ImportError:  # building the docs without lbtools installed
    release = ""
version = release

extensions = ["myst_parser", "sphinx.ext.autodoc", "numpydoc"]
# the API page: the docstrings are numpydoc; signatures as written, members in source order
numpydoc_show_class_members = False
# a References section lists works a docstring does not cite inline; that is how numpydoc docstrings are written
suppress_warnings = ["ref.citation"]
autodoc_member_order = "bysource"
autodoc_typehints = "none"
source_suffix = {".md": "markdown", ".rst": "restructuredtext"}  # .rst: numpydoc's autosummary
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
