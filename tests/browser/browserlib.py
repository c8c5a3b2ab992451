"""Helpers of the browser tests: find Chromium, run JupyterLab / Voilà servers on 127.0.0.1, drive a notebook.

Recipe (../shared/docs/TESTING.md): Debian's ``chromium`` driven by PyPI ``playwright`` (never
``playwright install``); servers on 127.0.0.1 with a free port, serving a temporary copy of ``notebooks/`` with their
own settings, runtime and IPython dirs, so a test run never writes into the repository or the user's Jupyter config.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from contextlib import contextmanager
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
TESTS = REPO / "tests"
NOTEBOOKS = REPO / "notebooks"
RESULTS = REPO / "test-results"

if str(TESTS) not in sys.path:  # localhub.py and fixtures/ live in tests/
    sys.path.insert(0, str(TESTS))

CHROMIUM_CANDIDATES = ("chromium", "chromium-browser")
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SERVER_START_TIMEOUT = 90.0
# Playwright timeouts (ms): generous, the first kernel start of a session also imports pandas/matplotlib cold.
DEFAULT_TIMEOUT_MS = 60_000
RUN_TIMEOUT_MS = 120_000


# ---------------------------------------------------------------------------------------------------------------------
# Chromium: found, or a clear skip (a failure where the browser tests are required)


def browser_required() -> bool:
    return os.environ.get("LBTOOLS_REQUIRE_BROWSER", "").strip().lower() in ("1", "true", "yes")


def find_chromium() -> str | None:
    """Path of a Chromium executable: ``LBTOOLS_CHROMIUM``, ``chromium`` on PATH, or /usr/bin/chromium."""
    explicit = os.environ.get("LBTOOLS_CHROMIUM")
    if explicit:
        return explicit if os.access(explicit, os.X_OK) else None
    for name in CHROMIUM_CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    for path in ("/usr/bin/chromium", "/usr/bin/chromium-browser"):
        if os.access(path, os.X_OK):
            return path
    return None


def skip_or_fail(reason: str):
    if browser_required():
        pytest.fail(f"LBTOOLS_REQUIRE_BROWSER=1 but the browser tests cannot run: {reason}", pytrace=False)
    pytest.skip(reason)


# ---------------------------------------------------------------------------------------------------------------------
# Servers


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _copy_notebooks(src: Path, dest: Path) -> Path:
    shutil.copytree(
        src, dest, ignore=shutil.ignore_patterns(".ipynb_checkpoints", "exports", "__pycache__", "*.pyc")
    )
    return dest


def base_env(tmp: Path, extra: dict[str, str] | None = None) -> dict[str, str]:
    """Environment of a test server (and so of its kernels): isolated config, offline snapshot by default."""
    env = dict(os.environ)
    for key in ("HF_TOKEN", "HUGGING_FACE_HUB_TOKEN", "JUPYTER_TOKEN", "LBTOOLS_SNAPSHOT"):
        env.pop(key, None)
    for sub in ("jupyter-config", "jupyter-runtime", "ipython", "cache", "hf-home", "mpl"):
        (tmp / sub).mkdir(parents=True, exist_ok=True)
    env.update(
        {
            "JUPYTER_CONFIG_DIR": str(tmp / "jupyter-config"),
            "JUPYTER_RUNTIME_DIR": str(tmp / "jupyter-runtime"),
            "JUPYTER_PLATFORM_DIRS": "1",
            "IPYTHONDIR": str(tmp / "ipython"),
            "MPLCONFIGDIR": str(tmp / "mpl"),
            "HF_HOME": str(tmp / "hf-home"),
            "HF_HUB_DISABLE_TELEMETRY": "1",
            "HF_HUB_OFFLINE": "1",
            "LBTOOLS_SOURCE": "snapshot",
            "LBTOOLS_CACHE": str(tmp / "cache"),
            "PYTHONUNBUFFERED": "1",
        }
    )
    env.update(extra or {})
    return env


class Server:
    """A Jupyter-family server process in its own process group, killed (with its kernels) by ``stop()``."""

    kind = "server"

    def __init__(self, tmp: Path, env: dict[str, str]):
        self.tmp = tmp
        self.env = env
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = tmp / f"{self.kind}.log"
        self.proc: subprocess.Popen | None = None

    def command(self) -> list[str]:
        raise NotImplementedError

    def ready_path(self) -> str:
        raise NotImplementedError

    def start(self) -> "Server":
        """Start and wait until it answers; once more on a new port if the free port was taken meanwhile."""
        try:
            return self._start()
        except RuntimeError:
            if "already in use" not in self.log_tail(200).lower():
                raise
            self.port = free_port()
            self.url = f"http://127.0.0.1:{self.port}"
            return self._start()

    def _start(self) -> "Server":
        log = open(self.log_path, "wb")
        self.proc = subprocess.Popen(
            self.command(), cwd=self.tmp, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        log.close()
        deadline = time.monotonic() + SERVER_START_TIMEOUT
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.kind} exited with {self.proc.returncode} on start:\n{self.log_tail()}")
            try:
                with urllib.request.urlopen(self.url + self.ready_path(), timeout=5) as resp:
                    if resp.status == 200:
                        return self
            except (urllib.error.URLError, OSError):
                pass
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"{self.kind} did not answer within {SERVER_START_TIMEOUT:.0f} s:\n{self.log_tail()}")
            time.sleep(0.25)

    def stop(self) -> None:
        proc, self.proc = self.proc, None
        if proc is None:
            return
        if proc.poll() is None:
            try:
                os.killpg(proc.pid, signal.SIGTERM)  # the group we started: the server and its kernels
            except ProcessLookupError:
                pass
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                pass
        try:
            os.killpg(proc.pid, signal.SIGKILL)  # kernels that outlived the server
        except (ProcessLookupError, PermissionError):
            pass
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            pass

    def log_tail(self, lines: int = 80) -> str:
        try:
            text = self.log_path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])

    def api(self, method: str, path: str):
        req = urllib.request.Request(self.url + path, method=method)
        with urllib.request.urlopen(req, timeout=10) as resp:
            body = resp.read()
        return json.loads(body) if body else None


class LabServer(Server):
    """JupyterLab on a temporary copy of a notebooks folder (TESTING.md's command line and settings)."""

    kind = "jupyterlab"

    def __init__(self, tmp: Path, notebooks: Path, env: dict[str, str], *, windowing: str | None = "none"):
        """``windowing``: the notebook's windowing mode; ``"none"`` (tests: off-screen cells rendered too), or None for
        JupyterLab's own default, as ``make lab`` opens it (the speed benchmark)."""
        super().__init__(tmp, env)
        self.root = _copy_notebooks(notebooks, tmp / "root")
        self.settings = tmp / "lab-settings"
        self.workspaces = tmp / "lab-workspaces"
        self.workspaces.mkdir(parents=True, exist_ok=True)
        settings = [("@jupyterlab/apputils-extension/notification.jupyterlab-settings", {"fetchNews": "false"})]
        if windowing is not None:
            settings.append(("@jupyterlab/notebook-extension/tracker.jupyterlab-settings", {"windowingMode": windowing}))
        for rel, value in settings:
            path = self.settings / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(value), encoding="utf-8")

    def command(self) -> list[str]:
        return [
            sys.executable, "-m", "jupyterlab",
            "--no-browser", "--allow-root",
            "--ServerApp.ip=127.0.0.1", f"--port={self.port}", "--ServerApp.port_retries=0",
            "--IdentityProvider.token=", "--ServerApp.password=",
            f"--ServerApp.root_dir={self.root}",
            f"--LabApp.user_settings_dir={self.settings}",
            f"--LabApp.workspaces_dir={self.workspaces}",
            "--LabApp.expose_app_in_browser=True",
        ]  # fmt: skip

    def ready_path(self) -> str:
        return "/api/status"

    def shutdown_kernels(self) -> None:
        """Stop every kernel the last test left running (one notebook at a time keeps the suite light)."""
        try:
            for session in self.api("GET", "/api/sessions") or []:
                self.api("DELETE", f"/api/sessions/{session['id']}")
        except (urllib.error.URLError, OSError, ValueError):
            pass


class VoilaServer(Server):
    """Voilà serving a temporary copy of a notebooks folder."""

    kind = "voila"

    def __init__(self, tmp: Path, notebooks: Path, env: dict[str, str]):
        super().__init__(tmp, env)
        self.root = _copy_notebooks(notebooks, tmp / "root")

    def command(self) -> list[str]:
        return [
            sys.executable, "-m", "voila", str(self.root),
            "--no-browser", f"--port={self.port}", "--Voila.ip=127.0.0.1",
            "--show_tracebacks=True",
        ]  # fmt: skip

    def ready_path(self) -> str:
        return "/voila/tree"


# ---------------------------------------------------------------------------------------------------------------------
# Pages: a notebook opened in JupyterLab, run, checked


_ERRORS_JS = """
() => {
  const nb = window.jupyterapp.shell.currentWidget;
  const out = [];
  const cells = Array.from(nb.content.model.cells);
  cells.forEach((cell, i) => {
    if (cell.type !== 'code') return;
    for (let j = 0; j < cell.outputs.length; j++) {
      const o = cell.outputs.get(j).toJSON();
      if (o.output_type === 'error') out.push(`cell ${i}: ${o.ename}: ${o.evalue}`);
    }
  });
  return out;
}
"""

_RUN_STATE_JS = """
() => {
  const nb = window.jupyterapp.shell.currentWidget;
  if (!nb || !nb.content || !nb.content.model || !nb.sessionContext) return null;
  const cells = Array.from(nb.content.model.cells);
  let pending = 0, errors = 0;
  for (const cell of cells) {
    if (cell.type !== 'code') continue;
    if (cell.sharedModel.getSource().trim() === '') continue;
    if (cell.executionCount === null || cell.executionCount === undefined) pending++;
    for (let j = 0; j < cell.outputs.length; j++) {
      if (cell.outputs.get(j).type === 'error') errors++;
    }
  }
  const kernel = nb.sessionContext.session && nb.sessionContext.session.kernel;
  const status = kernel ? kernel.status : 'none';
  const busyPrompt = document.querySelector('.jp-Notebook .jp-InputPrompt') &&
    Array.from(document.querySelectorAll('.jp-Notebook .jp-InputPrompt')).some(p => p.textContent.includes('*'));
  if (errors) return {done: true, errors, pending, status};
  if (pending === 0 && status === 'idle' && !busyPrompt) return {done: true, errors, pending, status};
  return null;
}
"""

# What an error looks like on the page: a traceback in an output area (a notebook cell or a widgets.Output), Voilà's
# cell error notice, or a widget that failed to render.
ERROR_SELECTORS = (
    ".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.error']",
    ".jupyter-widgets.jupyter-widgets-error-widget",
)
ERROR_TEXTS = (
    "Traceback (most recent call last)",
    "Error displaying widget",
    "There was an error when executing cell",
)


def page_errors(page) -> list[str]:
    """Error outputs visible on the page (text of each, shortened)."""
    found = []
    for sel in ERROR_SELECTORS:
        loc = page.locator(sel)
        for i in range(loc.count()):
            found.append(f"{sel}: {loc.nth(i).inner_text(timeout=5_000).strip()[:800]}")
    for text in ERROR_TEXTS:
        loc = page.get_by_text(text)
        for i in range(loc.count()):
            found.append(f"text {text!r}: {loc.nth(i).inner_text(timeout=5_000).strip()[:800]}")
    return found


class LabPage:
    """Drive one notebook in JupyterLab."""

    def __init__(self, page, server: LabServer):
        self.page = page
        self.server = server

    def open(self, notebook: str) -> "LabPage":
        page = self.page
        page.goto(f"{self.server.url}/lab/workspaces/t{uuid.uuid4().hex[:10]}/tree/{notebook}")
        page.wait_for_selector(".jp-Notebook", timeout=DEFAULT_TIMEOUT_MS)
        page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']", timeout=DEFAULT_TIMEOUT_MS)
        state = page.wait_for_function(
            """() => {
              if (document.querySelector('.jp-Dialog')) return 'dialog';
              const w = window.jupyterapp && window.jupyterapp.shell.currentWidget;
              return (w && w.sessionContext && w.sessionContext.isReady) ? 'ready' : null;
            }""",
            timeout=DEFAULT_TIMEOUT_MS,
        ).json_value()
        if state == "dialog":  # e.g. "Select Kernel" for a notebook with no kernelspec: a reader would see it too
            text = page.locator(".jp-Dialog").first.inner_text()
            raise AssertionError(f"a dialog blocks {notebook} on opening: {text!r}")
        return self

    def run_all(self, timeout_ms: int = RUN_TIMEOUT_MS) -> None:
        """Run all cells and wait until every code cell ran (or one failed) and the kernel is idle."""
        page = self.page
        page.evaluate("() => { window.jupyterapp.commands.execute('notebook:run-all-cells'); return true; }")
        page.wait_for_timeout(300)
        page.wait_for_function(_RUN_STATE_JS, timeout=timeout_ms, polling=250)
        page.wait_for_timeout(300)  # let widget views and late outputs render

    def cell_errors(self) -> list[str]:
        return list(self.page.evaluate(_ERRORS_JS)) + page_errors(self.page)

    def assert_no_errors(self) -> None:
        errors = self.cell_errors()
        assert not errors, "the notebook shows errors:\n" + "\n".join(errors)


# ---------------------------------------------------------------------------------------------------------------------
# Curated notebooks, the facts their views should show, and page helpers shared by the JupyterLab and Voilà tests


def curated_notebooks() -> list[Path]:
    return sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))


def curated(prefix: str) -> Path:
    found = [p for p in curated_notebooks() if p.name.startswith(prefix + "_")]
    assert len(found) == 1, f"expected one notebooks/{prefix}_*.ipynb, found {[p.name for p in found]}"
    return found[0]


# ---------------------------------------------------------------------------------------------------------------------
# The facts a reader should see, from the bundled snapshot


@contextmanager
def _env(**values):
    old = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def _tops(df) -> dict[str, tuple[str, str]]:
    from lbtools import analysis
    from lbtools.widgets import format_value

    top = analysis.top_n(df[df["value"].notna().to_numpy(dtype=bool)], 1)
    return {str(d): (str(m), format_value(v)) for d, m, v in zip(top["dataset_id"], top["model_id"], top["value"])}


def load_snapshot_facts(**env: str) -> dict:
    """Leaderboard leaders on the bundled snapshot (or, with ``env``, on the source it names, e.g. a local Hub:
    ``LBTOOLS_SOURCE="hub", HF_ENDPOINT=url``): overall, and among models with a creation date (the race)."""
    import warnings

    import lbtools
    from lbtools.widgets import benchmark_labels

    settings = {"LBTOOLS_SOURCE": "snapshot", "LBTOOLS_CACHE": "off", **env}
    offline = os.environ.pop("HF_HUB_OFFLINE", None) if settings["LBTOOLS_SOURCE"] == "hub" else None
    try:
        with _env(**settings), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            boards = lbtools.load_leaderboards()
            enriched = lbtools.enrich(boards)
            labels = benchmark_labels(boards, lbtools.list_benchmarks())  # as the notebooks label their pickers
    finally:
        if offline is not None:
            os.environ["HF_HUB_OFFLINE"] = offline
    dated = enriched[enriched["created_at"].notna().to_numpy(dtype=bool)]
    return {
        "boards": boards,
        "labels": labels,  # dataset id -> readable name
        "ids_by_label": {name: ds for ds, name in labels.items()},
        "top": _tops(boards),
        "top_dated": _tops(dated),
    }


# ---------------------------------------------------------------------------------------------------------------------
# Page helpers


def expect(locator):
    from playwright.sync_api import expect as pw_expect

    return pw_expect(locator)


def main_output(page):
    """The output of the first visible view that has pickers (a view with none, e.g. a summary table, is skipped)."""
    return page.locator(".lb-view:has(.lb-controls) .lb-output:visible").first


def figure_src(page) -> str | None:
    img = main_output(page).locator("img")
    return img.first.get_attribute("src") if img.count() else None


def selected_label(select) -> str:
    return select.evaluate("s => s.selectedIndex >= 0 ? s.options[s.selectedIndex].text : ''")


def option_labels(select) -> list[str]:
    return [t.strip() for t in select.locator("option").all_inner_texts()]


def choose(options: list[str], preferred: list[str], avoid: str) -> str:
    """The first preferred label on offer that is not the current one (else any other option)."""
    for label in preferred + options:
        if label in options and label != avoid:
            return label
    raise AssertionError(f"the picker offers nothing to change to: {options}")


@contextmanager
def redrawn(page):
    """Wait, after the ``with`` block (a pick, a search), until the main output changed: its text, and its figure
    when it has one."""
    out = main_output(page)
    before_text, before_src = out.inner_text(), figure_src(page)
    yield
    expect(out).not_to_have_text(before_text)
    if before_src is not None:
        page.wait_for_function(
            "([el, old]) => { const i = el.querySelector('img'); return i && i.src !== old; }",
            arg=[out.element_handle(), before_src],
        )


def ready(page):
    """Wait for the main view: the output and its first line drawn."""
    out = main_output(page)
    expect(out).to_be_visible()
    expect(out.locator(".lb-top").first).to_be_visible()
    return out


def pick_benchmark(page, facts, preferred_ids: list[str]) -> tuple[str, str]:
    """Change the benchmark picker to a preferred benchmark; returns (label, dataset id)."""
    select = page.locator(".lb-benchmark-picker select:visible").first
    expect(select).to_be_visible()
    options = option_labels(select)
    current = selected_label(select)
    known = [o for o in options if o in facts["ids_by_label"]]
    assert known, f"no picker option is a readable benchmark name: {options}"
    preferred = [facts["labels"][d] for d in preferred_ids if d in facts["labels"]]
    label = choose(known, preferred, current)
    with redrawn(page):
        select.select_option(label=label)
    return label, facts["ids_by_label"][label]


_UNNAMED_BUTTONS_JS = """
(root) => Array.from(root.querySelectorAll('button, [role=button]'))
  .filter(b => b.offsetParent !== null || b.getClientRects().length)  // shown on the page
  .filter(b => !(b.textContent.trim() || (b.getAttribute('title') || '').trim() ||
                 (b.getAttribute('aria-label') || '').trim() || (b.getAttribute('aria-labelledby') || '').trim()))
  .map(b => b.outerHTML.slice(0, 200))
"""


def unnamed_buttons(page, selector: str = "body") -> list[str]:
    """Buttons shown under ``selector`` that have no visible text, ``title`` or ``aria-label`` (a bare icon)."""
    return page.locator(selector).first.evaluate(_UNNAMED_BUTTONS_JS)
