#!/usr/bin/env python
"""Write binder/environment.yml (pins) and environment.yml (ranges) from pyproject.toml and requirements/lock.txt.

    python scripts/sync_binder_env.py           # rewrite both files (``make lock`` runs this after locking)
    python scripts/sync_binder_env.py --check   # exit 1 when either file differs from what would be written

Both list the same packages: pyproject's runtime dependencies and its ``notebooks`` extra (conda resolves what they
need). environment.yml, for people who use conda, repeats pyproject's ranges. binder/environment.yml pins each to
the version the lock gives Python 3.11 on Linux x86_64 (what Binder builds), plus the locked build backend
(setuptools) that binder/postBuild's ``pip install --no-build-isolation`` needs. Needs ``packaging``.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10: the lock installs tomli there
    import tomli as tomllib

sys.path.insert(0, str(Path(__file__).resolve().parent))
from lock import LOCK, REPO, lock_pins, normalise  # noqa: E402

ENV = REPO / "environment.yml"
BINDER_ENV = REPO / "binder" / "environment.yml"
BINDER_PYTHON = "3.11"
# The marker values of the machine Binder builds on (repo2docker: Linux x86_64, CPython).
_BINDER_MARKERS = {
    "python_version": BINDER_PYTHON,
    "sys_platform": "linux",
    "platform_system": "Linux",
    "platform_machine": "x86_64",
    "os_name": "posix",
    "implementation_name": "cpython",
    "platform_python_implementation": "CPython",
}
# Two ends of 3.11.x: a pin that differs between them would depend on which 3.11 conda picks.
_BINDER_PATCHES = ("3.11.0", "3.11.99")
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


def build_requires() -> list[tuple[str, str]]:
    return [(_NAME.match(r).group(1), _NAME.match(r).group(2).strip()) for r in pyproject()["build-system"]["requires"]]


def binder_pins() -> dict[str, str]:
    """{normalised name: version} of the lock for Binder's Python; fails if 3.11.x patch releases disagree."""
    first, *others = [lock_pins(LOCK, {**_BINDER_MARKERS, "python_full_version": v}) for v in _BINDER_PATCHES]
    names = [normalise(n) for _, deps in sections() for n, _ in deps] + [normalise(n) for n, _ in build_requires()]
    for other in others:
        differ = {n: (first.get(n), other.get(n)) for n in names if first.get(n) != other.get(n)}
        if differ:
            raise SystemExit(f"{LOCK}: pins differ across Python {BINDER_PYTHON}.x: {differ}")
    missing = [n for n in names if n not in first]
    if missing:
        raise SystemExit(f"{LOCK} has no pin for {missing}: run `make lock`")
    return first


def render_binder() -> str:
    pins = binder_pins()
    lines = [
        "# Binder (repo2docker) environment, written by scripts/sync_binder_env.py from requirements/lock.txt",
        "# (`make lock`; tests/test_environment_files.py checks it is up to date): the names of ../environment.yml",
        f"# pinned to the versions the lock gives Python {BINDER_PYTHON} on Linux, the ones `make setup` installs.",
        "# lbtools itself is installed by binder/postBuild (pip, editable, no dependencies, no build isolation: the",
        "# pinned setuptools builds it); its data snapshot ships inside the package, so nothing is fetched at start.",
        "name: lbtools",
        "channels:",
        "  - conda-forge",
        "dependencies:",
        f"  - python={BINDER_PYTHON}",
        "  - pip",
    ]
    for name, _ in build_requires():
        lines.append(f"  - {name}={pins[normalise(name)]}")
    for title, deps in sections():
        lines.append(f"  # {title.split(' ')[0]}")
        lines.extend(f"  - {name}={pins[normalise(name)]}" for name, _ in deps)
    return "\n".join(lines) + "\n"


def render_env() -> str:
    lines = [
        "# Conda environment for lbtools and its notebooks (conda-forge), written by scripts/sync_binder_env.py",
        "# from pyproject.toml (`make lock`; tests/test_environment_files.py checks it is up to date).",
        "#   conda env create -f environment.yml && conda activate lbtools",
        "#   jupyter lab notebooks/        # or: voila notebooks/  (dashboards)",
        "# The ranges are pyproject.toml's; requirements/lock.txt (pip) and binder/environment.yml (conda) pin them.",
        "name: lbtools",
        "channels:",
        "  - conda-forge",
        "dependencies:",
        f"  - python={BINDER_PYTHON}",
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
    wanted = {BINDER_ENV: render_binder(), ENV: render_env()}
    if argv == ["--check"]:
        stale = [str(p.relative_to(REPO)) for p, text in wanted.items() if p.read_text(encoding="utf-8") != text]
        if stale:
            print(f"out of date with pyproject.toml / requirements/lock.txt: {stale}; run "
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
