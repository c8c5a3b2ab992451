#!/usr/bin/env python
"""How long lbtools takes to fail when the Hub is down or over its limit: the timings the unit tests do not assert.

    python benchmarks/bench_faults.py [--no-fail]

The unit tests (tests/test_faults.py, tests/test_snapshot.py) check the policy by counting requests and tries; how
many seconds that policy costs on this machine is measured here, each case once, against the bound the policy
implies (LBTOOLS_TIMEOUT=1 unless said). Servers are local (tests/localhub.py: LocalHub, SilentServer). Exits 1 when a
bound is missed (``--no-fail``: report only); a busy machine can push a case past its bound, so read `uptime` too.
"""

from __future__ import annotations

import argparse
import os
import socket
import sys
import tempfile
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))


def timed(fn) -> tuple[float, str]:
    """(seconds, what happened: the exception's type, or where the frame came from)."""
    started = time.monotonic()
    try:
        df = fn()
        outcome = f"returned ({df.attrs.get('source')})" if hasattr(df, "attrs") else "returned"
    except Exception as exc:  # noqa: BLE001 - most cases fail on purpose; the unit tests check the messages
        outcome = type(exc).__name__
    return time.monotonic() - started, outcome


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--no-fail", action="store_true", help="report missed bounds but exit 0")
    args = parser.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="lbtools-bench-faults-"))
    for name in list(os.environ):
        if name.startswith("LBTOOLS_") or name in ("HF_TOKEN", "HF_ENDPOINT", "HF_HUB_OFFLINE"):
            os.environ.pop(name)
    os.environ.update({"HF_HOME": str(work / "hf-home"), "HF_HUB_DISABLE_TELEMETRY": "1", "LBTOOLS_CACHE": "off",
                       "LBTOOLS_SOURCE": "hub", "LBTOOLS_TIMEOUT": "1"})
    warnings.simplefilter("ignore")

    from fixtures.build import synthetic_hub_tree
    from localhub import LocalHub, SilentServer

    import lbtools

    rows = []

    def case(name, result, bound):
        seconds, outcome = result
        rows.append((name, outcome, seconds, bound))
        print(f"{name}: {outcome}, {seconds:.2f} s (bound {bound:g} s)", flush=True)

    facts = synthetic_hub_tree(work / "hub", 13, entries_per_benchmark=5, n_models=5, seed=0)
    ids = facts["official_ids"]
    with SilentServer() as silent:
        os.environ["HF_ENDPOINT"] = silent.url
        for label, call in [("load_leaderboard", lambda: lbtools.load_leaderboard(ids[0])),
                            ("list_benchmarks", lbtools.list_benchmarks)]:
            lbtools.configure(reset=True)
            case(f"silent endpoint, {label}: fails after 2 timed-out tries", timed(call), 3.0)
        case(f"silent endpoint, load_leaderboards of {len(ids)} (max_workers=4): all fail",
             timed(lambda: lbtools.load_leaderboards(ids, max_workers=4)), 3.0)
        lbtools.configure(source="hub", timeout=0.5)
        case("silent endpoint, LBTOOLS_TIMEOUT=0.5, source='hub'", timed(lambda: lbtools.load_leaderboard(ids[0])),
             1.5 * 3)
        lbtools.configure(reset=True, source="auto")
        case("silent endpoint, source='auto': falls back to the bundled snapshot",
             timed(lambda: lbtools.load_leaderboard("SWE-bench/SWE-bench_Verified")), 10.0)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    os.environ["HF_ENDPOINT"] = f"http://127.0.0.1:{port}"
    lbtools.configure(reset=True, source="auto")
    case("refused port, source='auto': falls back to the bundled snapshot",
         timed(lambda: lbtools.load_leaderboard("SWE-bench/SWE-bench_Verified")), 3.0)

    with LocalHub(work / "hub", ratelimit=(0, 300.0)) as hub:
        os.environ["HF_ENDPOINT"] = hub.url
        lbtools.configure(reset=True, source="hub")
        case("quota spent for 300 s, past the 120 s retry budget: RateLimitedError at once",
             timed(lambda: lbtools.load_leaderboards(ids[:2], errors="raise")), 2.0)

    # Transient faults (25 % of requests: 429, 5xx, dropped or cut-short answers) change nothing in any frame.
    from localhub import FaultPlan

    lbtools.configure(reset=True, source="hub")
    loaders = {"list_benchmarks": lbtools.list_benchmarks, "load_leaderboard": lambda: lbtools.load_leaderboard(ids[0]),
               "load_leaderboards": lbtools.load_leaderboards,
               "load_eval_results": lambda: lbtools.load_eval_results(facts["models"]),
               "load_model_info": lambda: lbtools.load_model_info(facts["models"])}  # (no aggregate in this tree)
    transient = ("429", "500", "502", "503", "504", "drop", "truncate")
    for name, call in loaders.items():
        with LocalHub(work / "hub", page_size=5) as hub:
            os.environ["HF_ENDPOINT"] = hub.url
            expected = call()
        same, faults, requests, seconds = True, 0, 0, 0.0
        for seed in range(20):
            with LocalHub(work / "hub", page_size=5,
                          faults=FaultPlan(rate=0.25, kinds=transient, seed=seed, max_consecutive=2)) as hub:
                os.environ["HF_ENDPOINT"] = hub.url
                started = time.monotonic()
                try:
                    got = call()
                    got.attrs, expected.attrs = {}, {}
                    same = same and got.equals(expected)
                except Exception:  # noqa: BLE001 - any failure is a difference
                    same = False
                seconds += time.monotonic() - started
                faults, requests = faults + len(hub.faults_injected), requests + len(hub.requests)
            if faults >= 3:
                break
        case(f"25 % faults, {name}: the fault-free frame ({faults} faults in {requests} requests)",
             (seconds, "same frame" if same else "DIFFERENT"), 30.0 if same else -1)

    print()
    print("| case | outcome | seconds | bound | |")
    print("|---|---|---:|---:|---|")
    failed = 0
    for name, outcome, seconds, bound in rows:
        ok = seconds <= bound
        failed += not ok
        print(f"| {name} | {outcome} | {seconds:.2f} | ≤ {bound:g} | {'PASS' if ok else 'FAIL'} |")
    print(f"\nload average: {os.getloadavg()[0]:.2f} (2 cores: above ~2, other work competes with these timings)")
    return 1 if failed and not args.no_fail else 0


if __name__ == "__main__":
    sys.exit(main())
