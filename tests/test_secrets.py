"""The token never leaves the request headers: not in cache files, snapshots, logs, warnings, errors or reprs.

Loads run with a sentinel token (gated benchmarks and public ones, live and from the cache, a snapshot save, error
paths with a wrong token and without one), with the huggingface_hub and lbtools loggers at DEBUG and huggingface_hub's
curl-style request dump on; then every file written and every piece of text captured is searched for the token.
"""

from __future__ import annotations

import logging
import os
import traceback
import warnings
from pathlib import Path

import pytest

import lbtools
from conftest import TOKEN
from lbtools._hub import client as lbhub
from localhub import FaultPlan

SWE = "SWE-bench/SWE-bench_Verified"
WRONG = "hf_WRONGsentinelTOKENzz9876543210fedcba"
SECRETS = (TOKEN, WRONG)


class _Collect(logging.Handler):
    def __init__(self):
        super().__init__(level=logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record):
        self.lines.append(self.format(record))
        self.lines.append(repr(record.args))


@pytest.fixture
def debug_logs(monkeypatch):
    """Every record of the huggingface_hub and lbtools loggers (and the root's), at DEBUG, as text."""
    import huggingface_hub.constants

    monkeypatch.setattr(huggingface_hub.constants, "HF_DEBUG", True)  # logs each request as a curl command
    handler = _Collect()
    handler.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))
    loggers = [logging.getLogger(name) for name in ("huggingface_hub", "lbtools", "")]
    levels = [lg.level for lg in loggers]
    for lg in loggers:
        lg.addHandler(handler)
        lg.setLevel(logging.DEBUG)
    yield handler.lines
    for lg, level in zip(loggers, levels):
        lg.removeHandler(handler)
        lg.setLevel(level)


def _error_text(call) -> list[str]:
    try:
        call()
    except Exception as exc:  # noqa: BLE001 - every error is searched
        return [str(exc), repr(exc), "".join(traceback.format_exception(exc))]
    return []


def _occurrences(texts, roots) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for secret in SECRETS:
        for i, text in enumerate(texts):
            if secret in text:
                found.setdefault(secret, []).append(f"captured text #{i}: {text[:120]!r}")
        for root in roots:
            for path in Path(root).rglob("*"):
                if path.is_file() and secret.encode() in path.read_bytes():
                    found.setdefault(secret, []).append(str(path))
    return found


def test_the_token_appears_nowhere(start_hub, facts, tmp_path, monkeypatch, debug_logs, capfd):
    gated = facts["gated_benchmark"]
    models = facts["models"][:8] + ["lbtools-test/gated-model-1"]
    # Faults on the API too: retry paths and their messages must not leak it either. (Downloads are left alone:
    # huggingface_hub's own backoff makes them slow, and test_faults covers them.)
    plan = FaultPlan(rate=0.25, kinds=("500", "503", "drop", "truncate"), seed=2, prefixes=("/api/",))
    hub = start_hub(faults=plan)
    monkeypatch.setattr(lbhub, "BACKOFF_INITIAL_S", 0.02)  # secrets, not timing, are tested here
    monkeypatch.setattr(lbhub, "BACKOFF_JITTER_S", 0.02)
    texts: list[str] = []
    frames = []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        frames.append(lbtools.list_benchmarks(token=TOKEN))
        frames.append(lbtools.load_leaderboard(gated, token=TOKEN))
        frames.append(lbtools.load_leaderboard(gated, token=TOKEN))  # from the cache
        frames.append(lbtools.load_leaderboards(token=TOKEN))  # gated included; some fail (no leaderboard)
        frames.append(lbtools.load_eval_results(models, token=TOKEN))
        frames.append(lbtools.load_model_info(models + ["nobody/missing-model"], token=TOKEN))
        frames.append(lbtools.enrich(frames[1], token=TOKEN))
        frames.append(lbtools.load_aggregate(token=TOKEN, refresh=True))
        monkeypatch.setenv("HF_TOKEN", TOKEN)
        frames.append(lbtools.load_leaderboard(gated, refresh=True))
        snapshot = lbtools.save_snapshot(tmp_path / "snap", token=TOKEN, benchmarks=[gated, "nobody/missing"],
                                         progress=False)
        monkeypatch.delenv("HF_TOKEN")
        # Error paths: a wrong token, no token, a missing benchmark, errors="raise", a client repr.
        texts += _error_text(lambda: lbtools.load_leaderboard(gated, token=WRONG))
        texts += _error_text(lambda: lbtools.load_leaderboard(gated, refresh=True))
        texts += _error_text(lambda: lbtools.load_leaderboards([gated, SWE], token=WRONG, errors="raise"))
        texts += _error_text(lambda: lbtools.load_leaderboard("nobody/missing", token=TOKEN))
        frames.append(lbtools.load_leaderboards([gated, SWE], token=WRONG))
        client = lbhub.HubClient(lbtools.settings(), TOKEN)
        texts += [repr(client), repr(client.__dict__), repr(vars(client.cache))]
        monkeypatch.setattr(lbhub, "MAX_TOTAL_S", 2.0)
        start_hub(ratelimit=(0, 60.0))  # and a rate limit, whose error names the token's benefits
        texts += _error_text(lambda: lbtools.load_leaderboard(gated, token=TOKEN))
        assert "rate limit" in texts[-3]

    # The token was really used: the gated board loaded, authenticated requests were sent, the snapshot says so.
    assert len(frames[1]) == len(facts["leaderboards"][gated])
    assert any(authenticated for *_, authenticated in hub.requests)
    assert lbtools.snapshot_info(snapshot)["authenticated"] is True
    assert hub.faults_injected

    texts += [str(w.message) for w in caught] + debug_logs
    for df in frames:
        texts += [repr(df), df.to_string(), df._repr_html_(), repr(df.attrs)]
    out, err = capfd.readouterr()
    texts += [out, err]
    assert any("curl" in line or "Request" in line for line in debug_logs)  # the request logs were captured
    roots = [os.environ["LBTOOLS_CACHE"], os.environ["HF_HOME"], snapshot, tmp_path]
    written = [p for root in roots for p in Path(root).rglob("*") if p.is_file()]
    assert any(p.suffix == ".json" for p in Path(os.environ["LBTOOLS_CACHE"]).rglob("*"))  # the cache was written
    found = _occurrences(texts, roots)
    assert found == {}, f"token found in: {found}"
    print(f"\nsearched {len(written)} files and {len(texts)} captured texts: 0 token occurrences")


def test_a_redirect_off_the_endpoint_drops_the_token(monkeypatch):
    """The paging guard aside, httpx2 strips Authorization on a redirect to another origin; check it stays so."""
    import httpx2

    seen = {}

    def handler(request: httpx2.Request):
        seen.setdefault(request.url.host, []).append(request.headers.get("authorization"))
        if request.url.host == "hub.example":
            return httpx2.Response(302, headers={"Location": "http://elsewhere.example/data"})
        return httpx2.Response(200, json=[])

    with httpx2.Client(transport=httpx2.MockTransport(handler), follow_redirects=True) as session:
        session.get("http://hub.example/api/datasets", headers={"authorization": f"Bearer {TOKEN}"})
    assert seen["hub.example"] == [f"Bearer {TOKEN}"] and seen["elsewhere.example"] == [None]


def _locals_text(exc: BaseException) -> str:
    return "".join(traceback.TracebackException.from_exception(exc, capture_locals=True).format())


@pytest.mark.parametrize("call", [
    lambda gated: lbtools.load_leaderboard(gated, token=WRONG),
    lambda gated: lbtools.load_leaderboards([gated], token=WRONG, errors="raise"),
    lambda gated: lbtools.load_model_info(["nobody/missing-model"], token=WRONG, errors="raise"),
    lambda gated: lbtools.load_leaderboard(gated, token=WRONG + "\x00"),  # refused before any request
], ids=["load_leaderboard", "load_leaderboards", "load_model_info", "bad-token"])
def test_a_traceback_with_locals_shows_no_token(call, start_hub, facts):
    """Issue 22: a token handed to a loader is wrapped at the boundary (``config.Token``, shown as ``***``), so
    ``%xmode Verbose``, ``capture_locals=True`` or an error tracker never finds it in an lbtools frame."""
    start_hub()
    with pytest.raises(Exception) as info:
        call(facts["gated_benchmark"])
    text = _locals_text(info.value)
    assert "token = ***" in text or "token=***" in text.replace(" ", "")
    assert WRONG not in text and WRONG[3:] not in text


def test_a_token_object_never_shows_its_value():
    from lbtools.config import Token, check_token

    token = check_token(f"  {TOKEN}\n")
    assert repr(token) == str(token) == f"{token}" == "***" and token.reveal() == TOKEN
    with pytest.raises(TypeError):
        import pickle

        pickle.dumps(token)
    assert check_token(Token(TOKEN)).reveal() == TOKEN
