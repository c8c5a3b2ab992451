#!/usr/bin/env python
"""Write environment.yml (pyproject's ranges, for people who use conda) from pyproject.toml.

    python scripts/sync_binder_env.py           # rewrite it (``make lock`` runs this after locking)
    python scripts/sync_binder_env.py --check   # exit 1 when it differs from what would be written

It lists pyproject's runtime dependencies and its ``notebooks`` extra (conda resolves what they need). Binder does
not use it: binder/requirements.txt installs requirements/lock.txt itself with pip (binder/runtime.txt: Python 3.11),
the same pins ``make setup`` installs.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10: the lock installs tomli there
    import tomli as tomllib

REPO = Path(__file__).resolve().parents[1]
ENV = REPO / "environment.yml"
CONDA_PYTHON = "3.11"
_NAME = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[[^\]]*\])?\s*([^;]*)")


def pyproject() -> dict:
    return tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))


def sections() -> list[tuple[str, list[tuple[str, str]]]]:
    """[(title, [(name as pyproject spells it, constraint)])] for the runtime dependencies and the notebooks extra."""
    project = pyproject()["project"]

    def parse(deps):
        out = []
        for dep in deps:
            m = _NAME.match(dep)
            out.append((m.group(1).lower(), m.group(2).strip()))  # conda names are lower case (adjustText)
        return out

    return [
        ("runtime (pyproject [project].dependencies)", parse(project["dependencies"])),
        ("notebooks (pyproject [project.optional-dependencies].notebooks)",
         parse(project["optional-dependencies"]["notebooks"])),
    ]


def render_env() -> str:
    lines = [
        "# Conda environment for lbtools and its notebooks (conda-forge), written by scripts/sync_binder_env.py",
        "# from pyproject.toml (`make lock`; tests/test_environment_files.py checks it is up to date).",
        "#   conda env create -f environment.yml && conda activate lbtools",
        "#   jupyter lab notebooks/        # or: voila notebooks/  (dashboards)",
        "# The ranges are pyproject.toml's; requirements/lock.txt pins them (pip: `make setup` and Binder).",
        "name: lbtools",
        "channels:",
        "  - conda-forge",
        "dependencies:",
        f"  - python={CONDA_PYTHON}",
        "  - pip",
    ]
    for title, deps in sections():
        lines.append(f"  # {title}")
        lines.extend(f"  - {name}{constraint}" for name, constraint in deps)
    lines += [
        "  - pip:",
        "      # lbtools itself, editable, from this folder (its dependencies are all installed by conda above)",
        "      - -e .",
    ]
    return "\n".join(lines) + "\n"


def main(argv: list[str]) -> int:
    wanted = {ENV: render_env()}
    if argv == ["--check"]:
        stale = [str(p.relative_to(REPO)) for p, text in wanted.items() if p.read_text(encoding="utf-8") != text]
        if stale:
            print(f"out of date with pyproject.toml: {stale}; run "
                  "`python scripts/sync_binder_env.py`", file=sys.stderr)
            return 1
        return 0
    if argv:
        print(__doc__, file=sys.stderr)
        return 2
    for path, text in wanted.items():
        old = path.read_text(encoding="utf-8") if path.exists() else ""
        path.write_text(text, encoding="utf-8")
        print(f"{path.relative_to(REPO)}: {'rewritten' if old != text else 'unchanged'}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
