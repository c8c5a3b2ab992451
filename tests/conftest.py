"""Shared fixtures: a local Hub serving real data from tests/fixtures, and a clean lbtools environment per test.

No test reaches huggingface.co: unless a test starts a local Hub, lbtools reads the bundled snapshot.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

# huggingface_hub reads HF_HOME when it is imported: give the whole run a throwaway home (no cached login, no shared
# download cache) before anything imports it.
os.environ["HF_HOME"] = tempfile.mkdtemp(prefix="lbtools-test-hf-home-")
os.environ.pop("HF_TOKEN", None)
os.environ["HF_HUB_DISABLE_TELEMETRY"] = "1"
os.environ["HF_HUB_DISABLE_XET"] = "1"

import pytest  # noqa: E402

TESTS = Path(__file__).resolve().parent
sys.path.insert(0, str(TESTS))

from fixtures.build import build_hub_tree  # noqa: E402
from localhub import LocalHub  # noqa: E402

# A sentinel token: tests search every file lbtools writes for it.
TOKEN = "hf_lbtoolsSENTINELtoken0123456789abcdef"


@pytest.fixture(scope="session")
def hub_tree(tmp_path_factory):
    """``(root, facts)`` of the fixture Hub tree built once per session from the real data."""
    root = tmp_path_factory.mktemp("hub-tree")
    facts = build_hub_tree(root, token=TOKEN)
    return root, facts


@pytest.fixture(autouse=True)
def lb_env(monkeypatch, tmp_path):
    """Every test starts from defaults: bundled snapshot, empty cache in tmp, no token, no progress bars."""
    import lbtools

    for name in list(os.environ):
        if name.startswith("LBTOOLS_") or name in ("HF_TOKEN", "HF_HUB_OFFLINE", "HF_ENDPOINT"):
            monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LBTOOLS_SOURCE", "snapshot")
    monkeypatch.setenv("LBTOOLS_CACHE", str(tmp_path / "lbtools-cache"))
    monkeypatch.setenv("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    lbtools.configure(reset=True)  # also forgets which endpoints answered auto mode's probe
    yield
    lbtools.configure(reset=True)


@pytest.fixture
def start_hub(hub_tree, monkeypatch):
    """Start a local Hub on the fixture tree (options as ``LocalHub``) and point lbtools at it."""
    root, facts = hub_tree
    started = []

    def start(**options):
        options.setdefault("gated", facts["gated"])
        hub = LocalHub(options.pop("root", root), **options).start()
        started.append(hub)
        monkeypatch.setenv("HF_ENDPOINT", hub.url)
        monkeypatch.setenv("LBTOOLS_SOURCE", "hub")
        return hub

    yield start
    for hub in started:
        hub.stop()


@pytest.fixture
def hub(start_hub):
    """A local Hub with default options, lbtools pointed at it."""
    return start_hub()


@pytest.fixture
def facts(hub_tree):
    return hub_tree[1]
