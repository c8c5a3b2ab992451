"""Fault injection: the loaders against a local Hub that fails on purpose, driven by the real huggingface_hub client.

Transient faults (429 with Retry-After and RateLimit, 5xx, a dropped connection, a body cut short, silence past the
timeout) must change nothing in what a loader returns; permanent ones (401, 404) must cost only what they hit; an
endpoint that never answers must fail fast and say what to do. Every fault plan is deterministic (seeded), so a
failure here reproduces.
"""

from __future__ import annotations

import re
import threading
import time
import warnings

import pandas as pd
import pytest

import lbtools
from lbtools._hub import client as lbhub
from localhub import FAULT_KINDS, FaultPlan, SilentServer

SWE = "SWE-bench/SWE-bench_Verified"
HLE = "cais/hle"
GSM8K = "openai/gsm8k"
GPQA = "Idavidrein/gpqa"
OLMOCR = "allenai/olmOCR-bench"
# Every transient kind but silence: the plan allows two faults in a row per URL, and two silences in a row are, by
# design, an endpoint that does not answer (see test_silences_past_the_timeout_are_retried for silence).
TRANSIENT = ("429", "500", "502", "503", "504", "drop", "truncate")


@pytest.fixture(autouse=True)
def no_cache(monkeypatch):
    """Every load goes to the Hub (no response cache)."""
    monkeypatch.setenv("LBTOOLS_CACHE", "off")


@pytest.fixture
def quick_backoff(monkeypatch):
    """Backoff a tenth of the default: the result is what is tested, not the waiting (a 429 still waits its 1 s)."""
    monkeypatch.setattr(lbhub, "BACKOFF_INITIAL_S", lbhub.BACKOFF_INITIAL_S / 10)
    monkeypatch.setattr(lbhub, "BACKOFF_MAX_S", lbhub.BACKOFF_MAX_S / 10)
    monkeypatch.setattr(lbhub, "BACKOFF_JITTER_S", lbhub.BACKOFF_JITTER_S / 10)


def _models(facts, n=30):
    """A spread of models, the one with malformed eval results included (its warnings must survive the faults)."""
    chosen = facts["models"][:: max(1, len(facts["models"]) // n)][:n]
    return sorted(set(chosen) | {next(iter(facts["malformed_models"]))})


LOADERS = {
    "list_benchmarks": lambda facts: lbtools.list_benchmarks(),
    "load_leaderboard": lambda facts: lbtools.load_leaderboard(SWE),
    "load_leaderboards": lambda facts: lbtools.load_leaderboards(),
    "load_eval_results": lambda facts: lbtools.load_eval_results(_models(facts)),
    "load_model_info": lambda facts: lbtools.load_model_info(_models(facts)),
    "enrich": lambda facts: lbtools.enrich(lbtools.load_leaderboard(OLMOCR)),
    "load_aggregate": lambda facts: lbtools.load_aggregate(refresh=True),
}


def _norm(text: str) -> str:
    return re.sub(r"127\.0\.0\.1:\d+", "HUB", text)


def _run(call):
    """``(frame, normalised warning messages, seconds)``."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        started = time.monotonic()
        df = call()
        elapsed = time.monotonic() - started
    return df, sorted({_norm(str(w.message)) for w in caught}), elapsed


def _same_frame(got, expected):
    got, expected = got.copy(), expected.copy()
    failures = {k: _norm(v) for k, v in got.attrs.get("failures", {}).items()}
    expected_failures = {k: _norm(v) for k, v in expected.attrs.get("failures", {}).items()}
    assert failures == expected_failures
    got.attrs, expected.attrs = {}, {}
    pd.testing.assert_frame_equal(got, expected)


# -- transient faults change nothing -----------------------------------------------------------------------------


@pytest.mark.parametrize("loader", list(LOADERS))
def test_every_loader_returns_the_fault_free_result_at_25_percent_faults(loader, start_hub, facts, quick_backoff):
    call = LOADERS[loader]
    clean = start_hub(page_size=5)
    expected, expected_warnings, _ = _run(lambda: call(facts))
    expected_requests = len(clean.requests)
    # A loader of a few requests may draw no fault from one seed: run seeds until at least 3 faults were met.
    requests = faults = 0
    elapsed = 0.0
    for seed in range(20):
        hub = start_hub(page_size=5, faults=FaultPlan(rate=0.25, kinds=TRANSIENT, seed=seed, max_consecutive=2))
        got, got_warnings, seconds = _run(lambda: call(facts))
        _same_frame(got, expected)  # every row, none twice, same order, same dtypes
        assert got_warnings == expected_warnings  # the data's own warnings, and no failure warning
        # Retried, not stormed: each fault cost one more request (a download cut short may cost two: huggingface_hub
        # resumes it itself before lbtools retries).
        retries = len(hub.requests) - expected_requests
        assert len(hub.faults_injected) <= retries <= (2 if loader == "load_aggregate" else 1) * len(hub.faults_injected)
        requests, faults, elapsed = requests + len(hub.requests), faults + len(hub.faults_injected), elapsed + seconds
        if faults >= 3:
            break
    assert faults >= 3, "the plans injected too few faults: the test proves nothing"
    print(f"\n{loader}: {len(expected)} rows, {seed + 1} run(s), {requests} requests, {faults} faults "
          f"({faults / requests:.0%}), {elapsed:.1f} s")


def test_all_fault_kinds_together_with_silences_past_the_timeout(start_hub, facts, monkeypatch):
    """Silence included: the plan faults a URL at most once in a row, so each silence costs one timeout."""
    monkeypatch.setenv("LBTOOLS_TIMEOUT", "1")
    models = _models(facts, 20)
    ids = sorted(facts["openevals_benchmarks"].values())
    clean = start_hub()
    expected = [_run(lambda: lbtools.load_leaderboards(ids))[0], _run(lambda: lbtools.load_model_info(models))[0]]
    expected_requests = len(clean.requests)
    plan = FaultPlan(rate=0.25, kinds=FAULT_KINDS, seed=11, max_consecutive=1, silence_s=1.5)
    hub = start_hub(faults=plan)
    started = time.monotonic()
    got = [_run(lambda: lbtools.load_leaderboards(ids))[0], _run(lambda: lbtools.load_model_info(models))[0]]
    elapsed = time.monotonic() - started
    for g, e in zip(got, expected):
        _same_frame(g, e)
    kinds = {kind for *_, kind in hub.faults_injected}
    assert "silence" in kinds and len(kinds) >= 4
    # Each fault cost one more request, a silence included (one timeout, then answered): nothing was held down.
    assert len(hub.requests) == expected_requests + len(hub.faults_injected)
    print(f"\nall kinds: {len(hub.requests)} requests, {len(hub.faults_injected)} faults "
          f"({len(hub.faults_injected) / len(hub.requests):.0%}: {sorted(kinds)}), {elapsed:.1f} s")


@pytest.mark.parametrize("kind", ["drop", "truncate", "500", "503"])
def test_a_transient_fault_on_every_first_try_is_retried_once(kind, start_hub, facts, quick_backoff):
    """A dropped connection, a JSON body cut short (the server closes early), a 5xx: each retried, once."""
    ids = sorted(facts["openevals_benchmarks"].values())
    start_hub()
    expected = lbtools.load_leaderboards(ids)
    hub = start_hub(faults=FaultPlan(rate=1.0, kinds=(kind,), seed=0, max_consecutive=1))
    _same_frame(lbtools.load_leaderboards(ids), expected)
    assert len(hub.faults_injected) == len(ids) and len(hub.requests) == 2 * len(ids)


def test_the_shared_client_closed_during_a_load_is_retried(start_hub, facts):
    """huggingface_hub closes its shared client after a ConnectError; requests in flight then fail with ReadError."""
    import huggingface_hub

    models = _models(facts, 40)
    start_hub()
    expected = lbtools.load_model_info(models)
    hub = start_hub(latency=0.05)
    stop = threading.Event()

    def close_now_and_then():
        for _ in range(4):  # a few times during the load; each cuts every request in flight
            if stop.wait(0.2):
                return
            huggingface_hub.close_session()

    closer = threading.Thread(target=close_now_and_then, daemon=True)
    closer.start()
    try:
        got = lbtools.load_model_info(models)
    finally:
        stop.set()
        closer.join()
    _same_frame(got, expected)
    assert len(hub.requests) > len(models)  # some requests were cut and sent again


# -- rate limits ------------------------------------------------------------------------------------------------


def test_retry_after_is_honoured_without_a_retry_storm(start_hub, facts):
    ids = sorted(facts["openevals_benchmarks"].values())[:6]
    start_hub()
    expected = lbtools.load_leaderboards(ids)
    hub = start_hub(faults=FaultPlan(rate=1.0, kinds=("429",), seed=0, max_consecutive=1))
    started = time.monotonic()
    got = lbtools.load_leaderboards(ids)
    elapsed = time.monotonic() - started
    _same_frame(got, expected)
    assert elapsed >= 1.0  # Retry-After: 1
    assert hub.count_429 == len(ids) and len(hub.requests) == 2 * len(ids)  # one retry each, no more


def test_a_429_waits_for_the_longer_of_retry_after_and_the_ratelimit_reset():
    import httpx2

    assert lbhub._wait_of_429(httpx2.Headers({"Retry-After": "1", "RateLimit": '"api";r=0;t=42'})) == 42
    assert lbhub._wait_of_429(httpx2.Headers({"RateLimit": '"api";r=0;t=7'})) == 7
    assert lbhub._wait_of_429(httpx2.Headers({"Retry-After": "3"})) == 3
    assert lbhub._wait_of_429(httpx2.Headers({"Retry-After": "soon"})) == 1.0  # unreadable: a second
    assert lbhub._wait_of_429(httpx2.Headers({})) == 1.0


def test_a_real_rate_limit_window_is_waited_out_not_hammered(start_hub, facts):
    ids = sorted(set(facts["leaderboards"]) - {facts["gated_benchmark"]})  # 12 requests against 5 per second
    hub = start_hub(ratelimit=(5, 1.0))
    df = lbtools.load_leaderboards(ids, max_workers=8)
    assert list(dict.fromkeys(df["dataset_id"])) == ids
    per_url = {}
    for _, path, query, _ in hub.requests:
        per_url[(path, query)] = per_url.get((path, query), 0) + 1
    assert hub.count_429 <= 8  # at most the first burst, before any RateLimit header was seen
    assert max(per_url.values()) <= 3


def test_a_rate_limit_longer_than_the_retry_budget_is_a_rate_limited_error(start_hub, monkeypatch):
    monkeypatch.setattr(lbhub, "MAX_TOTAL_S", 5.0)
    hub = start_hub(ratelimit=(0, 60.0))
    with pytest.raises(lbtools.RateLimitedError) as info:
        lbtools.load_leaderboards([SWE, HLE], errors="raise")
    # the 60 s window, plus the pacer's 0.05 s past the reset when the second request follows within 0.05 s
    assert info.value.wait_seconds is not None and 55 <= info.value.wait_seconds <= 60.05 + 1e-6
    assert re.search(r"wait 60 s and try again.*hf auth login", str(info.value))
    assert len(hub.requests) <= 2  # told at once: the wait is past the retry budget, so nothing is retried
    with pytest.warns(UserWarning, match="2 of 2 benchmarks failed"):
        df = lbtools.load_leaderboards([SWE, HLE])  # errors="warn": both reported, with the wait
    assert df.empty and set(df.attrs["failures"]) == {SWE, HLE}
    assert all("rate limit" in reason and "wait" in reason for reason in df.attrs["failures"].values())


def test_a_wait_that_leaves_no_time_for_the_request_after_it_is_told_at_once(start_hub, monkeypatch):
    """The one request that met the 429 slept its 30 s while the load's others were told "wait 30 s" at once: one
    rule now for both, a wait plus one timeout past the budget fails at once."""
    monkeypatch.setattr(lbhub, "MAX_TOTAL_S", 50.0)
    monkeypatch.setenv("LBTOOLS_TIMEOUT", "30")  # 30 s wait + 30 s timeout > 50 s budget
    hub = start_hub(ratelimit=(0, 30.0))
    with pytest.raises(lbtools.RateLimitedError, match="wait 30 s and try again"):
        lbtools.load_leaderboard(SWE)
    assert len(hub.requests) == 1


# -- permanent faults cost only what they hit ------------------------------------------------------------------


def test_permanent_401_and_404_leave_the_other_benchmarks_loaded(start_hub, facts, quick_backoff):
    ids = [SWE, HLE, GSM8K, GPQA, OLMOCR]
    start_hub()
    expected = lbtools.load_leaderboards(ids)
    broken = {f"/api/datasets/{HLE}/leaderboard": 404, f"/api/datasets/{GSM8K}/leaderboard": 401}
    hub = start_hub(permanent=broken, faults=FaultPlan(rate=0.25, kinds=TRANSIENT, seed=3))
    with pytest.warns(UserWarning, match=r"2 of 5 benchmarks failed"):
        got = lbtools.load_leaderboards(ids)
    failures = got.attrs["failures"]
    assert set(failures) == {HLE, GSM8K}
    assert "not found" in failures[HLE] and "check the id" in failures[HLE]
    assert "refused access (401)" in failures[GSM8K] or "gated" in failures[GSM8K]
    assert "hf auth login" in failures[GSM8K]
    kept = expected[expected["dataset_id"].isin([SWE, GPQA, OLMOCR])].reset_index(drop=True)
    got.attrs, kept.attrs = {}, {}
    pd.testing.assert_frame_equal(got, kept)
    for path in broken:  # a 401 or 404 is not retried
        assert sum(1 for _, p, _, _ in hub.requests if p == path) == 1


def test_permanent_faults_on_models_leave_the_other_models_loaded(start_hub, facts, quick_backoff):
    models = _models(facts, 12)
    start_hub()
    expected = lbtools.load_model_info(models)
    missing, gated = models[1], models[4]
    hub = start_hub(permanent={f"/api/models/{missing}": 404, f"/api/models/{gated}": 401},
                    faults=FaultPlan(rate=0.25, kinds=TRANSIENT, seed=5))
    with pytest.warns(UserWarning, match=r"2 of \d+ models failed"):
        got = lbtools.load_model_info(models)
    assert set(got.attrs["failures"]) == {missing, gated}
    kept = expected[~expected["model_id"].isin([missing, gated])].reset_index(drop=True)
    got.attrs, kept.attrs = {}, {}
    pd.testing.assert_frame_equal(got, kept)
    assert hub.faults_injected


@pytest.mark.parametrize(
    "permanent, error, words",
    [
        ({f"/api/datasets/{HLE}/leaderboard": 404}, lbtools.NotFoundError, "check the id"),
        ({f"/api/datasets/{HLE}/leaderboard": 401}, lbtools.GatedBenchmarkError, "hf auth login"),
        ({f"/api/datasets/{HLE}/leaderboard": (403, None)}, lbtools.AccessDeniedError, "HF_TOKEN"),
        ({f"/api/datasets/{HLE}/leaderboard": 503}, lbtools.HubUnavailableError, "try again later"),
    ],
)
def test_errors_raise_gives_the_typed_exception_saying_what_to_do(permanent, error, words, start_hub, monkeypatch):
    monkeypatch.setattr(lbhub, "BACKOFF_INITIAL_S", 0.02)
    monkeypatch.setattr(lbhub, "BACKOFF_MAX_S", 0.05)
    monkeypatch.setattr(lbhub, "BACKOFF_JITTER_S", 0.01)
    start_hub(permanent=permanent)
    with pytest.raises(error, match=words) as info:
        lbtools.load_leaderboards([SWE, HLE], errors="raise")
    assert HLE in str(info.value)


# -- the Hub down: fast, clear failures ----------------------------------------------------------------------------


def test_5xx_until_retries_run_out_is_hub_unavailable(start_hub, monkeypatch):
    monkeypatch.setattr(lbhub, "BACKOFF_INITIAL_S", 0.02)
    monkeypatch.setattr(lbhub, "BACKOFF_MAX_S", 0.1)
    monkeypatch.setattr(lbhub, "BACKOFF_JITTER_S", 0.02)
    path = f"/api/datasets/{SWE}/leaderboard"
    hub = start_hub(permanent={path: 503})
    with pytest.raises(lbtools.HubUnavailableError) as info:
        lbtools.load_leaderboard(SWE)
    message = str(info.value)
    assert SWE in message and "503" in message
    assert "try again later" in message and "LBTOOLS_SOURCE=snapshot" in message
    assert sum(1 for _, p, _, _ in hub.requests if p == path) == lbhub.MAX_ATTEMPTS


def test_retrying_stops_at_the_total_time_cap(start_hub):
    path = f"/api/datasets/{SWE}/leaderboard"
    hub = start_hub(permanent={path: 500})
    client = lbhub.HubClient(lbtools.settings(), max_total=1.5)
    with pytest.raises(lbtools.HubUnavailableError, match="failed after retrying"):
        client.get_json(path, what=f"benchmark {SWE}")
    attempts = sum(1 for _, p, _, _ in hub.requests if p == path)
    # The cap, not MAX_ATTEMPTS, ended it (the default backoff of 0.5, 1, 2 s: the third pause would pass 1.5 s).
    # How long it took is a `make bench` line (benchmarks/bench_faults.py), not an assertion on a shared machine.
    assert 2 <= attempts < lbhub.MAX_ATTEMPTS


@pytest.fixture
def silent(monkeypatch):
    """An endpoint that accepts connections and never answers, with LBTOOLS_TIMEOUT=1."""
    with SilentServer() as server:
        monkeypatch.setenv("HF_ENDPOINT", server.url)
        monkeypatch.setenv("LBTOOLS_SOURCE", "hub")
        monkeypatch.setenv("LBTOOLS_TIMEOUT", "1")
        yield server


@pytest.mark.parametrize(
    "call",
    [
        lambda: lbtools.load_leaderboard(SWE),
        lambda: lbtools.list_benchmarks(),
        lambda: lbtools.load_aggregate(refresh=True),
    ],
    ids=["load_leaderboard", "list_benchmarks", "load_aggregate"],
)
def test_a_silent_endpoint_fails_after_two_timed_out_tries(call, silent):
    """Two tries that each waited one timeout, then a clear error (the seconds: benchmarks/bench_faults.py)."""
    with pytest.raises(lbtools.HubUnavailableError) as info:
        call()
    message = str(info.value)
    assert "did not answer within 1 s" in message and f"({lbhub.MAX_TIMEOUTS} timed-out tries" in message
    assert "try again later" in message and "LBTOOLS_SOURCE=snapshot" in message
    assert silent.accepted <= 4


def test_a_silent_endpoint_fails_a_whole_fan_out_fast(silent, facts):
    ids = sorted(facts["leaderboards"])  # more benchmarks than requests in flight
    with pytest.warns(UserWarning, match=rf"{len(ids)} of {len(ids)} benchmarks failed"):
        df = lbtools.load_leaderboards(ids, max_workers=4)
    assert df.empty and set(df.attrs["failures"]) == set(ids)
    assert all("did not answer" in r or "stopped answering" in r or "kept failing" in r
               for r in df.attrs["failures"].values())
    # Given up once it stopped answering, for the rest of this load: the benchmarks left are not each sent and waited
    # on twice. (A later load tries again: nothing is remembered between loads.)
    assert any("stopped answering" in r for r in df.attrs["failures"].values())
    assert silent.accepted < 2 * len(ids), silent.accepted
    print(f"\nsilent endpoint, {len(ids)} benchmarks: {silent.accepted} connections")


def test_requests_that_time_out_side_by_side_are_retried_not_held_down(start_hub, facts, monkeypatch):
    """Every request of a load silenced once, at the same moment: one timeout each, then answered."""
    monkeypatch.setenv("LBTOOLS_TIMEOUT", "0.5")
    ids = [SWE, HLE, GPQA]
    start_hub()
    expected = lbtools.load_leaderboards(ids)
    hub = start_hub(faults=FaultPlan(rate=1.0, kinds=("silence",), seed=0, max_consecutive=1, silence_s=1.0))
    _same_frame(lbtools.load_leaderboards(ids), expected)
    assert len(hub.faults_injected) == len(ids) and len(hub.requests) == 2 * len(ids)
