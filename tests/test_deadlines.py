"""Every wait lbtools causes ends (issue 11, findings 2, 3, 9 and 15).

A server that trickles bytes answers every read within any per-read timeout: only an overall deadline ends the call.
These are hang tests, not speed tests: the call runs in a thread given far more time than the deadline allows
(``join(timeout=30)`` against ``LBTOOLS_TIMEOUT=1`` and a trickle of 0.3 s per byte that would last minutes), and the
test asserts that it ended, and how (the right lbtools error, or the fallback).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
import warnings
from pathlib import Path

import pytest

import lbtools
from bounded import finishes_within
from localhub import SilentServer
from signals import DEFAULT_SIGINT, default_sigint

ROOT = Path(__file__).resolve().parents[1]
SWE = "SWE-bench/SWE-bench_Verified"
HANG_LIMIT_S = 30.0  # the calls below end within a few timeouts of 1 s; minutes of trickle are left


def _ends(call) -> dict:
    """Run ``call`` in a thread; returns ``{"value"|"error": ..., "warnings": [...]}`` or fails if it hangs."""
    return finishes_within(call, HANG_LIMIT_S)


@pytest.fixture
def one_second(monkeypatch):
    monkeypatch.setenv("LBTOOLS_TIMEOUT", "1")
    monkeypatch.setenv("LBTOOLS_CACHE", "off")


# -- finding 3a: headers (or a body) trickled ----------------------------------------------------------------------


@pytest.mark.parametrize("phase", ["headers", "body"])
def test_a_trickled_answer_ends_in_a_hub_unavailable_error(phase, start_hub, one_second):
    start_hub(trickle={f"/api/datasets/{SWE}/leaderboard": (phase, 0.3)})
    outcome = _ends(lambda: lbtools.load_leaderboard(SWE))
    assert isinstance(outcome.get("error"), lbtools.HubUnavailableError), outcome
    assert "within 1 s" in str(outcome["error"]) and "LBTOOLS_TIMEOUT" in str(outcome["error"])


def test_other_benchmarks_load_while_one_trickles(start_hub, facts, one_second):
    start_hub(trickle={f"/api/datasets/{SWE}/leaderboard": ("headers", 0.3)})
    ids = ["cais/hle", SWE, "openai/gsm8k"]
    outcome = _ends(lambda: lbtools.load_leaderboards(ids))
    df = outcome["value"]
    assert list(df.attrs["failures"]) == [SWE]
    assert list(dict.fromkeys(df["dataset_id"])) == ["cais/hle", "openai/gsm8k"]


# -- finding 2: the probe of auto mode --------------------------------------------------------------------------


@pytest.mark.parametrize("phase", ["headers", "body"])
def test_auto_mode_falls_back_when_the_probe_is_trickled(phase, start_hub, one_second, monkeypatch):
    start_hub(trickle={"/api/datasets": (phase, 0.3)})
    monkeypatch.setenv("LBTOOLS_SOURCE", "auto")
    outcome = _ends(lambda: lbtools.load_leaderboard(SWE))
    df = outcome["value"]
    assert df.attrs["source"].startswith("snapshot:")
    fallbacks = [w for w in outcome["warnings"] if issubclass(w.category, lbtools.SourceFallbackWarning)]
    assert len(fallbacks) == 1 and "no answer within 1 s" in str(fallbacks[0].message)


# -- finding 15: an answer that is not the Hub's ---------------------------------------------------------------


@pytest.mark.parametrize(
    "options, reason",
    [
        (dict(permanent={"/": 503}), "answered 503"),
        (dict(portal=True), "web page, not the Hub's API"),
        (dict(answers={"/api/datasets": {"not": "the hub"}}), None),  # JSON of the wrong shape still is the Hub
    ],
    ids=["503-everywhere", "captive-portal", "json-object"],
)
def test_auto_mode_treats_an_answer_that_is_not_the_hubs_as_unreachable(options, reason, start_hub, monkeypatch):
    hub = start_hub(**options)
    monkeypatch.setenv("LBTOOLS_SOURCE", "auto")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            df = lbtools.load_leaderboard(SWE)
        except lbtools.LbtoolsError:
            df = None
    fallbacks = [w for w in caught if issubclass(w.category, lbtools.SourceFallbackWarning)]
    if reason is None:
        assert fallbacks == []
        return
    assert df is not None and df.attrs["source"].startswith("snapshot:")
    assert len(fallbacks) == 1 and reason in str(fallbacks[0].message)
    assert len(hub.requests) == 1  # the probe, and nothing retried for ~20 s


# -- finding 3b: huggingface_hub's agent-harness registry -------------------------------------------------------


@pytest.fixture
def agent_detection(monkeypatch, tmp_path):
    """huggingface_hub as a user without HF_HUB_DISABLE_TELEMETRY has it: agent detection on, no registry yet."""
    from huggingface_hub import constants
    from huggingface_hub.utils import _detect_agent

    monkeypatch.setattr(constants, "HF_HUB_DISABLE_TELEMETRY", False)
    monkeypatch.setattr(constants, "AGENT_HARNESSES_PATH", str(tmp_path / "agent_harnesses.json"))
    monkeypatch.setattr(_detect_agent, "_registry", None)

    def point_at(hub):
        monkeypatch.setattr(constants, "ENDPOINT", hub.url)

    return point_at


def test_a_trickled_agent_registry_never_holds_a_load(start_hub, facts, one_second, agent_detection):
    hub = start_hub(agent_harnesses={"standardEnvVars": [], "harnesses": {}},
                    trickle={"/api/agent-harnesses": ("body", 0.3)})
    agent_detection(hub)
    outcome = _ends(lambda: lbtools.load_leaderboard(SWE))
    assert list(outcome["value"]["model_id"]) == [m for m, _ in facts["leaderboards"][SWE]]
    assert "/api/agent-harnesses" not in hub.paths()  # lbtools never causes that request


def test_a_malformed_agent_registry_breaks_no_loader_and_no_fallback(start_hub, facts, agent_detection, monkeypatch):
    from huggingface_hub.utils import _detect_agent, build_hf_headers

    hub = start_hub(agent_harnesses=[])
    agent_detection(hub)
    try:  # the user's own huggingface_hub call fetches the registry first, outside lbtools
        build_hf_headers()
    except AttributeError:
        pass
    assert _detect_agent._registry == []  # huggingface_hub now fails every header build in this process
    df = lbtools.load_leaderboard(SWE)
    assert list(df["model_id"]) == [m for m, _ in facts["leaderboards"][SWE]]
    try:
        lbtools.load_aggregate()
    except Exception as exc:  # noqa: BLE001 - what matters is its kind
        assert isinstance(exc, lbtools.LbtoolsError), repr(exc)
    # auto mode still falls back when the Hub is gone
    hub.stop()
    monkeypatch.setenv("LBTOOLS_SOURCE", "auto")
    with pytest.warns(lbtools.SourceFallbackWarning):
        assert lbtools.load_leaderboard(SWE).attrs["source"].startswith("snapshot:")


# -- finding 9: Ctrl-C ---------------------------------------------------------------------------------------------


def test_ctrl_c_stops_a_fan_out_against_a_silent_hub_and_leaves_no_thread(facts, monkeypatch):
    """Ctrl-C returns at once (the default timeout is 30 s); the requests in flight end within their own timeout
    (5 s here) or when the server lets go, and no lbtools thread is left."""
    ids = sorted(facts["leaderboards"])
    with SilentServer() as server:
        monkeypatch.setenv("HF_ENDPOINT", server.url)
        monkeypatch.setenv("LBTOOLS_SOURCE", "hub")
        monkeypatch.setenv("LBTOOLS_TIMEOUT", "5")
        main = threading.get_ident()
        sent = threading.Timer(0.5, lambda: signal.pthread_kill(main, signal.SIGINT))
        started = time.monotonic()
        sent.start()
        with default_sigint(), pytest.raises(KeyboardInterrupt):  # also when started with SIGINT ignored
            lbtools.load_leaderboards(ids, max_workers=4)
        stopped_after = time.monotonic() - started
        workers = [t for t in threading.enumerate() if t.name.startswith("lbtools")]
        for thread in workers:
            thread.join(timeout=10)
        assert not any(t.is_alive() for t in workers), "lbtools threads kept waiting after Ctrl-C"
    # Well within one timeout: a request in flight was abandoned, not waited for.
    assert stopped_after < 2.0, f"{stopped_after:.1f} s"


@pytest.mark.parametrize("signum, code", [(signal.SIGINT, 130), (signal.SIGTERM, 128 + signal.SIGTERM)])
def test_an_interrupted_cli_save_stops_and_removes_its_partial_folder(signum, code, tmp_path):
    """``lbtools snapshot save`` against a Hub that never answers, interrupted: it exits, leaving nothing behind.

    Control comes back at once; the process itself ends once the requests already sent time out (a thread can't be
    killed), so the timeout is 5 s here rather than the default 30."""
    with SilentServer() as server:
        dest = tmp_path / "snap"
        env = {**os.environ, "HF_ENDPOINT": server.url, "LBTOOLS_CACHE": "off", "PYTHONPATH": str(ROOT),
               "LBTOOLS_SOURCE": "hub", "LBTOOLS_TIMEOUT": "5"}
        proc = subprocess.Popen([sys.executable, "-m", "lbtools", "snapshot", "save", str(dest), "--no-progress"],
                                env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, preexec_fn=DEFAULT_SIGINT)
        deadline = time.monotonic() + 60  # a busy machine may take a while to start Python
        while time.monotonic() < deadline and not list(tmp_path.glob(".snap.partial-*")):
            time.sleep(0.05)
        assert list(tmp_path.glob(".snap.partial-*")), "the save never started"
        time.sleep(0.3)
        proc.send_signal(signum)
        try:
            proc.wait(timeout=HANG_LIMIT_S)
        finally:
            proc.kill()
        assert proc.returncode == code, proc.stderr.read().decode()
    assert not dest.exists()
    assert list(tmp_path.glob(".snap.partial-*")) == []



def test_an_interrupted_save_leaves_no_partial_folder_behind_requests_in_flight(start_hub, tmp_path):
    """Issue 25, finding 10: requests still in flight after Ctrl-C recreated the removed ``.partial`` folder."""
    hub = start_hub(latency=0.4)
    script = (f"import lbtools\nlbtools.save_snapshot({str(tmp_path / 'snap')!r}, models=False, aggregate=False, "
              "progress=False)\n")
    env = {**os.environ, "PYTHONPATH": str(ROOT), "LBTOOLS_CACHE": "off"}
    proc = subprocess.Popen([sys.executable, "-c", script], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            preexec_fn=DEFAULT_SIGINT)  # Ctrl-C reaches it even when the suite runs as a background job
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not [p for p in tmp_path.glob(".snap.partial-*/responses/api/datasets/*")]:
        time.sleep(0.02)  # the listing is recorded: leaderboard requests are in flight now
    time.sleep(0.1)
    proc.send_signal(signal.SIGINT)
    proc.communicate(timeout=HANG_LIMIT_S)
    time.sleep(1.0)  # anything still in flight has answered by now
    assert list(tmp_path.glob(".snap.partial-*")) == [] and not (tmp_path / "snap").exists()
    assert len(hub.requests) > 1
