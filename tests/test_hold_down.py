"""A load gives up on an endpoint only when it really stopped answering (issue 11, findings 4 and 14).

A 5xx on one path, a dropped answer, a client-side error or a local disk error is the failure of that request alone:
the next valid call is sent, not refused with "stopped answering". Refused connections end the rest of the load at
once, and so do timeouts (tests/test_faults.py); the next load tries again.
"""

from __future__ import annotations

import pytest

import lbtools
from lbtools._hub import client as lbhub
from localhub import FaultPlan

SWE = "SWE-bench/SWE-bench_Verified"
HLE = "cais/hle"


@pytest.fixture
def quick_backoff(monkeypatch):
    monkeypatch.setattr(lbhub, "BACKOFF_INITIAL_S", 0.02)
    monkeypatch.setattr(lbhub, "BACKOFF_MAX_S", 0.1)
    monkeypatch.setattr(lbhub, "BACKOFF_JITTER_S", 0.02)


def _board(facts, dataset_id):
    return [m for m, _ in facts["leaderboards"][dataset_id]]


@pytest.mark.parametrize(
    "options",
    [
        dict(permanent={f"/api/datasets/{SWE}/leaderboard": 500}),
        dict(faults=FaultPlan(rate=1.0, kinds=("drop",), max_consecutive=100, prefixes=(f"/api/datasets/{SWE}",))),
        dict(faults=FaultPlan(rate=1.0, kinds=("truncate",), max_consecutive=100,
                              prefixes=(f"/api/datasets/{SWE}",))),
    ],
    ids=["500-on-one-path", "dropped", "truncated"],
)
def test_one_failing_path_does_not_hold_the_endpoint_down(options, start_hub, facts, quick_backoff):
    hub = start_hub(**options)
    with pytest.raises(lbtools.HubUnavailableError) as info:
        lbtools.load_leaderboard(SWE)
    assert "stopped answering" not in str(info.value)
    df = lbtools.load_leaderboard(HLE)
    assert list(df["model_id"]) == _board(facts, HLE)
    assert f"/api/datasets/{HLE}/leaderboard" in hub.paths()


def test_a_token_httpx_would_refuse_never_reaches_the_network_nor_holds_anything(start_hub, facts):
    hub = start_hub()
    with pytest.raises(ValueError, match="token"):
        lbtools.load_leaderboard(SWE, token="hf_abc\r\nX-Injected: 1")
    assert hub.requests == []
    assert list(lbtools.load_leaderboard(SWE)["model_id"]) == _board(facts, SWE)


def test_a_local_disk_error_is_reported_as_local_and_not_retried(start_hub, facts, tmp_path, monkeypatch):
    from huggingface_hub import constants

    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the download cache should be")
    monkeypatch.setattr(constants, "HF_HUB_CACHE", str(blocker / "hub"))
    hub = start_hub()
    with pytest.raises(OSError) as info:
        lbtools.load_aggregate()
    assert not isinstance(info.value, lbtools.HubUnavailableError)
    assert "local" in str(info.value) and "not the Hub's" in str(info.value)
    resolves = [p for m, p, _, _ in hub.requests if "/resolve/" in p and m == "GET"]
    assert len(resolves) <= 1  # not retried as if the Hub had failed
    assert list(lbtools.load_leaderboard(SWE)["model_id"]) == _board(facts, SWE)


def test_refused_connections_end_the_rest_of_the_load_at_once(start_hub, facts, quick_backoff, monkeypatch):
    hub = start_hub()
    url = hub.url
    hub.stop()  # nothing listens on the port any more
    monkeypatch.setenv("HF_ENDPOINT", url)
    with pytest.raises(lbtools.HubUnavailableError, match="failed after retrying"):
        lbtools.load_leaderboard(SWE)
    ids = sorted(facts["leaderboards"])
    with pytest.warns(lbtools.PartialLoadWarning):
        df = lbtools.load_leaderboards(ids, max_workers=1)
    reasons = list(df.attrs["failures"].values())
    assert "failed after retrying" in reasons[0]
    assert all("stopped answering during this load" in r for r in reasons[1:])


# -- finding 14: Retry-After in the past ---------------------------------------------------------------------------


@pytest.mark.parametrize("header, wait", [("-5", 0.0), ("0", 0.0), ("2.5", 2.5)])
def test_a_retry_after_and_the_message_agree(header, wait, start_hub):
    hub = start_hub()
    client = lbhub.HubClient(lbtools.settings())
    seconds = lbhub._wait_of_429({"retry-after": header})
    error = client._rate_limited("benchmark x/y", seconds)
    assert error.wait_seconds == wait
    # a wait under a second is no advice after eight refusals: "a few minutes" (the Hub's window), never "wait 0 s"
    assert (f"wait {wait:.0f} s" if wait >= 1 else "wait a few minutes") in str(error)
    hub.stop()
