#!/usr/bin/env python
"""The pins of requirements/lock.txt, and whether an environment holds exactly them.

    python scripts/lock.py check    # exit 1 and list the differences when this interpreter's packages differ
    python scripts/lock.py sync     # uninstall what is installed but not in the lock (pip-sync's half pip lacks)

Run with the interpreter of the environment to look at (``make setup`` runs both with ``.venv/bin/python``). The lock
is universal (``uv pip compile --universal``): a pin whose environment marker does not hold for this interpreter is
not expected here. Installed versions are read from ``pip freeze --all --exclude-editable`` (lbtools itself is the
editable one); ``pip`` is the venv's own installer and is not part of the lock.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
LOCK = REPO / "requirements" / "lock.txt"
NOT_LOCKED = {"pip"}

_PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;]+)\s*(?:;\s*(.+))?$")


def normalise(name: str) -> str:
    """PEP 503: huggingface_hub, huggingface-hub and HuggingFace.Hub are one name."""
    return re.sub(r"[-_.]+", "-", name).lower()


def lock_lines(path: Path = LOCK) -> list[tuple[str, str, str | None]]:
    """Every pin of the lock as (normalised name, version, marker or None), markers unevaluated."""
    pins = []
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.split(" #", 1)[0].strip()
        if not line or line.startswith("#"):
            continue
        m = _PIN.match(line)
        if not m:
            raise ValueError(f"{path}: not a name==version pin: {raw!r}")
        pins.append((normalise(m.group(1)), m.group(2), m.group(3)))
    return pins


def lock_pins(path: Path = LOCK, environment: dict | None = None) -> dict[str, str]:
    """{name: version} the lock asks for in ``environment`` (PEP 508 marker values; default: this interpreter)."""
    from packaging.markers import Marker

    pins: dict[str, str] = {}
    for name, version, marker in lock_lines(path):
        if marker is not None and not Marker(marker).evaluate(environment):
            continue
        if name in pins:
            raise ValueError(f"{path}: {name} pinned twice for one environment ({pins[name]}, {version})")
        pins[name] = version
    return pins


def installed(python: str = sys.executable) -> dict[str, str]:
    """{name: version} of ``pip freeze --all --exclude-editable`` of ``python``, less the installer itself."""
    out = subprocess.run([python, "-m", "pip", "freeze", "--all", "--exclude-editable"], check=True,
                         capture_output=True, text=True).stdout
    found = {}
    for line in out.splitlines():
        name, sep, version = line.partition("==")
        if not sep:
            raise ValueError(f"pip freeze: not a name==version line: {line!r}")
        if normalise(name) not in NOT_LOCKED:
            found[normalise(name)] = version.strip()
    return found


def differences(python: str = sys.executable) -> dict[str, tuple[str | None, str | None]]:
    """{name: (locked version or None, installed version or None)} where the two differ."""
    want, have = lock_pins(), installed(python)
    return {n: (want.get(n), have.get(n)) for n in sorted(set(want) | set(have)) if want.get(n) != have.get(n)}


def main(argv: list[str]) -> int:
    if argv not in (["check"], ["sync"]):
        print(__doc__, file=sys.stderr)
        return 2
    diff = differences()
    if argv == ["sync"]:
        extra = sorted(n for n, (want, _) in diff.items() if want is None)
        if extra:
            print(f"removing packages not in {LOCK.relative_to(REPO)}: {' '.join(extra)}")
            subprocess.run([sys.executable, "-m", "pip", "uninstall", "--yes", "--quiet", *extra], check=True)
        return 0
    if diff:
        print(f"{sys.prefix} differs from {LOCK.relative_to(REPO)} (name: locked, installed):", file=sys.stderr)
        for name, (want, have) in diff.items():
            print(f"  {name}: {want or '-'}, {have or '-'}", file=sys.stderr)
        print("run `make clean setup` to rebuild the environment from the lock", file=sys.stderr)
        return 1
    print(f"{sys.prefix}: {len(lock_pins())} packages, exactly the pins of {LOCK.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
