#!/usr/bin/env python
"""How fast lbtools fetches, against what a user would write, on a local Hub with a set latency per request.

    python benchmarks/bench_fetch.py [--latency 0.05] [--n 64] [--workers 8] [--repeats 3] [--no-fail]

Starts ``tests/localhub.py`` in a child process (so the server does not share this process's GIL, as a remote Hub
would not) on a synthetic tree of N official benchmarks (about 35 entries each) and 100 models. First one untimed run
of each loader: lbtools, the fair peer and the docs' recipe must agree on every row, or nothing is timed. Then, in
this one process:

  (a) the docs' recipe: ``HfApi.list_datasets(benchmark=True)``, then ``get_dataset_leaderboard`` one by one, into a
      DataFrame;
  (a') the fair peer: the same list, then ``ThreadPoolExecutor(workers).map(api.get_dataset_leaderboard, ids)`` into
      a DataFrame (the same requests in flight as lbtools);
  (b) ``lbtools.load_leaderboards()`` cold (a new, empty cache folder each repeat), against both and against the
      bound (ceil(N / workers) + 1 for the listing) × latency;
  (c) the same warm, in the same process: cache hits, no request;
  (d) the same warm from the disk cache, in a new ``python -c`` process (the load is timed inside it; the whole
      process, interpreter start-up included, is reported beside it);
  (e) metadata of 100 models: the docs' ``model_info`` loop against ``lbtools.load_model_info`` (cold);
  (f) a rate limit the load reaches (half its requests per 1 s window): 429s met by the fair peer and by lbtools;

then how the cost grows: ``load_leaderboards()`` from snapshots of 10, 100 and 1000 benchmarks. Every figure is the
median of ``--repeats`` runs. Prints a markdown table with the ratios, the targets and PASS/FAIL; exits 1 when a target
fails (``--no-fail``: report only). ``benchmarks/README.md`` explains how to read it.
"""

from __future__ import annotations

import argparse
import gc
import json
import math
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TESTS = ROOT / "tests"
SCALING_N = (10, 100, 1000)
ENTRIES = 35
N_MODELS = 100
RATE_WINDOW_S = 1.0  # (f): a window the load reaches within a second

# The docs' recipe, step (d)'s child process and the scaling step print nothing else on stdout.
CHILD = r"""
import json, sys, time
t0 = time.perf_counter()
import lbtools
t1 = time.perf_counter()
import pandas  # the first cell of any notebook that uses lbtools; timed apart from the load
t2 = time.perf_counter()
df = lbtools.load_leaderboards(progress=False)
t3 = time.perf_counter()
print(json.dumps({"import_lbtools": t1 - t0, "import_pandas": t2 - t1, "load": t3 - t2,
                  "rows": len(df), "value_sum": float(df["value"].sum()), "source": df.attrs.get("source"),
                  "modules": sorted(m for m in ("huggingface_hub", "tenacity", "filelock", "httpx2") if m in sys.modules)}))
"""


# -- the local Hub, in a child process ----------------------------------------------------------------------------


def _serve(root: str, latency: float, ratelimit, conn) -> None:  # runs in the child process
    sys.path.insert(0, str(TESTS))
    from localhub import LocalHub

    hub = LocalHub(root, latency=latency, ratelimit=ratelimit).start()
    conn.send(hub.url)
    while True:
        command = conn.recv()
        if command == "stats":
            conn.send({"requests": len(hub.requests), "max_in_flight": hub.max_in_flight,
                       "count_429": hub.count_429})
        elif command == "reset":
            hub.reset_stats()
            conn.send(True)
        else:
            hub.stop()
            conn.send(True)
            return


class HubProcess:
    """``tests/localhub.LocalHub`` in a child process, driven over a pipe."""

    def __init__(self, root: Path, latency: float, ratelimit):
        import multiprocessing as mp

        ctx = mp.get_context("spawn")
        self._conn, child = ctx.Pipe()
        self._proc = ctx.Process(target=_serve, args=(str(root), latency, ratelimit, child), daemon=True)
        self._proc.start()
        self.url = self._conn.recv()

    def _ask(self, command):
        self._conn.send(command)
        return self._conn.recv()

    def stats(self) -> dict:
        return self._ask("stats")

    def reset(self) -> None:
        """Clear the request stats and start a new rate-limit window."""
        self._ask("reset")

    def stop(self) -> None:
        try:
            self._ask("stop")
        finally:
            self._proc.join(timeout=10)


class ExternalHub:
    """A Hub given with ``--endpoint``: nothing to start, and no server-side stats."""

    def __init__(self, url: str):
        self.url = url.rstrip("/")

    def stats(self):
        return None

    def reset(self):
        pass

    def stop(self):
        pass


# -- trees -------------------------------------------------------------------------------------------------------


def build_tree(dest: Path, n: int, seed: int) -> dict:
    sys.path.insert(0, str(TESTS))
    from fixtures.build import synthetic_hub_tree

    return synthetic_hub_tree(dest, n, entries_per_benchmark=ENTRIES, n_models=N_MODELS, seed=seed)


def build_snapshot(dest: Path, n: int, seed: int) -> int:
    """A snapshot folder of ``n`` synthetic benchmarks with a valid manifest (each file's sha256 in it, as a save
    writes them); returns its number of entries."""
    import lbtools
    from lbtools._snapshot_format import HASHES, MANIFEST, SNAPSHOT_FORMAT_VERSION, recorded_hashes

    facts = build_tree(dest, n, seed)
    manifest = {
        "format_version": SNAPSHOT_FORMAT_VERSION,
        "name": dest.name,
        "taken_at": "2026-03-25T00:00:00Z",
        "endpoint": "http://127.0.0.1 (synthetic, benchmarks/bench_fetch.py)",
        "authenticated": False,
        "lbtools_version": lbtools.__version__,
        "huggingface_hub_version": None,
        "benchmarks": sorted(facts["official_ids"]),
        "failures": {},
        "other_failures": {},
        "aggregate": None,
        "counts": {"benchmarks": n, "leaderboard_entries": sum(len(b) for b in facts["leaderboards"].values())},
        "provenance": f"synthetic: tests/fixtures/build.py synthetic_hub_tree(n={n}, entries={ENTRIES}, seed={seed})",
        HASHES: recorded_hashes(dest),  # as a save records them: every file a load reads is checked
    }
    (dest / MANIFEST).write_text(json.dumps(manifest, indent=1), encoding="utf-8")
    return manifest["counts"]["leaderboard_entries"]


# -- what is measured --------------------------------------------------------------------------------------------


def _entry_row(dataset_id: str, e) -> dict:
    return {
        "dataset_id": dataset_id,
        "rank": e.rank,
        "model_id": e.model_id,
        "value": e.value,
        "verified": e.verified,
        "author": getattr(e.author, "name", None) or getattr(e.author, "username", None),
        "source": e.source,
        "filename": e.filename,
        "pull_request": e.pull_request,
        "notes": e.notes,
    }


def docs_recipe(url: str):
    """The recipe of the Hub's documentation, literally: list, then one leaderboard after the other."""
    import pandas as pd
    from huggingface_hub import HfApi

    api = HfApi(endpoint=url)
    ids = [d.id for d in api.list_datasets(benchmark=True)]
    return pd.DataFrame([_entry_row(i, e) for i in ids for e in api.get_dataset_leaderboard(i)])


def fair_peer(url: str, max_workers: int):
    """What a user who knows threads writes: the same list, then the leaderboards on a pool of ``max_workers``
    (the same number of requests in flight as lbtools), into a DataFrame. No cache, no retries, no pacing."""
    from concurrent.futures import ThreadPoolExecutor

    import pandas as pd
    from huggingface_hub import HfApi

    api = HfApi(endpoint=url)
    ids = [d.id for d in api.list_datasets(benchmark=True)]
    with ThreadPoolExecutor(max_workers) as pool:
        boards = list(pool.map(api.get_dataset_leaderboard, ids))
    return pd.DataFrame([_entry_row(i, e) for i, board in zip(ids, boards) for e in board])


def docs_model_loop(url: str, models: list[str]):
    from huggingface_hub import HfApi

    api = HfApi(endpoint=url)
    out = []
    for m in models:
        info = api.model_info(m, expand=["createdAt", "safetensors"])
        out.append((info.id, info.created_at, info.safetensors.total if info.safetensors else None))
    return out


def timed(fn):
    gc.collect()  # garbage of the previous run is not this run's cost
    started = time.perf_counter()
    result = fn()
    return time.perf_counter() - started, result


def median(values) -> float:
    return statistics.median(values)


def rows_key(df) -> list:
    """What must agree between the recipe, the fair peer and lbtools: every (benchmark, rank, model, value,
    verified, filename, pull request, notes)."""
    import pandas as pd

    def col(name):
        return [None if v is None or v is pd.NA or (isinstance(v, float) and v != v) else v
                for v in df[name].astype(object).tolist()]

    return sorted(zip(col("dataset_id"), col("rank"), col("model_id"), col("value"), col("verified"),
                      col("filename"), col("pull_request"), col("notes")), key=repr)


def fresh_cache(base: Path, label: str) -> Path:
    path = Path(tempfile.mkdtemp(prefix=f"{label}-", dir=base))
    return path


class Phase:
    """Adds up what the Hub saw during the runs of one kind (requests, most in flight, 429s).

    Each run starts from fresh stats and a new rate-limit window, so runs of different kinds can alternate.
    """

    def __init__(self, hub, name: str, results: dict):
        self.hub, self.name, self.results = hub, name, results

    def __enter__(self):
        self.hub.reset()
        return self

    def __exit__(self, *exc):
        stats = self.hub.stats()
        if stats is None:
            self.results.setdefault(self.name, None)
            return
        total = self.results.get(self.name) or {"requests": 0, "max_in_flight": 0, "count_429": 0, "runs": 0}
        total["requests"] += stats["requests"]
        total["max_in_flight"] = max(total["max_in_flight"], stats["max_in_flight"])
        total["count_429"] += stats["count_429"]
        total["runs"] += 1
        self.results[self.name] = total


def alternate(first, second, n_first: int, n_second: int) -> None:
    """``first()`` and ``second()`` taking turns (then the rest of the longer one), so that both see the same
    moments of a machine shared with other work."""
    take_turns([(first, n_first), (second, n_second)])


def take_turns(runs) -> None:
    """``[(fn, n), ...]``: each ``fn(i)`` run ``n`` times, all taking turns."""
    for i in range(max(n for _, n in runs)):
        for fn, n in runs:
            if i < n:
                fn(i)


# -- the run -----------------------------------------------------------------------------------------------------


def run(args) -> int:
    work = Path(tempfile.mkdtemp(prefix="lbtools-bench-"))
    for name in list(os.environ):
        if name.startswith("LBTOOLS_") or name in ("HF_TOKEN", "HF_ENDPOINT", "HF_HUB_OFFLINE"):
            os.environ.pop(name)
    os.environ.update(
        {
            "HF_HOME": str(work / "hf-home"),
            "HF_HUB_DISABLE_TELEMETRY": "1",
            "HF_HUB_DISABLE_XET": "1",
            "HF_HUB_DISABLE_PROGRESS_BARS": "1",
        }
    )
    R, N, W, latency = args.repeats, args.n, args.workers, args.latency
    RL = max(R, 7)  # lbtools' runs are short: more of them for steadier medians
    hub = None
    try:
        print(f"# lbtools fetch benchmark: N={N} benchmarks, latency {latency * 1000:g} ms, max_workers={W}, "
              f"{R} repeats", flush=True)
        if args.endpoint:
            hub = ExternalHub(args.endpoint)
            quota = None
        else:
            t, facts = timed(lambda: build_tree(work / "hub", N, args.seed))
            # No rate limit here (one far above the load would test nothing); (f) uses one the load reaches.
            quota = None
            hub = HubProcess(work / "hub", latency, None)
            print(f"# local Hub {hub.url} (child process), tree built in {t:.1f} s", flush=True)

        import pandas as pd  # noqa: F401 - imported before anything is timed, as in a notebook

        import lbtools

        lbtools.configure(reset=True, source="hub", endpoint=hub.url, max_workers=W)
        results: dict = {}
        phases: dict = {}

        # Correct before fast: one untimed run of each, compared field by field.
        lbtools.configure(cache_dir=fresh_cache(work, "check"))
        checked = {"docs' recipe": docs_recipe(hub.url), "fair peer": fair_peer(hub.url, W),
                   "lbtools": lbtools.load_leaderboards(progress=False)}
        keys = {name: rows_key(df) for name, df in checked.items()}
        if not keys["lbtools"] or any(k != keys["lbtools"] for k in keys.values()):
            raise SystemExit(f"the loaders disagree ({ {n: len(k) for n, k in keys.items()} } rows): "
                             "a fast wrong answer is not measured")
        print(f"correct: lbtools, the fair peer and the docs' recipe agree on all {len(keys['lbtools'])} rows "
              "(benchmark, rank, model, value, verified, filename, pull request, notes)", flush=True)

        # (a) the docs' recipe, (a') the fair peer and (b) lbtools cold (an empty cache folder each time), in turns
        results["recipe"], results["peer"], results["cold"], caches, last = [], [], [], [], {}

        def run_recipe(i):
            with Phase(hub, "recipe", phases):
                t, last["recipe"] = timed(lambda: docs_recipe(hub.url))
            results["recipe"].append(t)

        def run_peer(i):
            with Phase(hub, "peer", phases):
                t, last["peer"] = timed(lambda: fair_peer(hub.url, W))
            results["peer"].append(t)

        def run_cold(i):
            cache = fresh_cache(work, f"cold{i}")
            caches.append(cache)
            lbtools.configure(cache_dir=cache)
            with Phase(hub, "cold", phases):
                t, last["cold"] = timed(lambda: lbtools.load_leaderboards(progress=False))
            results["cold"].append(t)

        take_turns([(run_recipe, R), (run_peer, RL), (run_cold, RL)])
        recipe, cold = last["recipe"], last["cold"]
        print(f"(a') fair peer: {median(results['peer']):.3f} s", flush=True)
        n_bench = recipe["dataset_id"].nunique()
        print(f"(a) docs' recipe: {median(results['recipe']):.3f} s  ({len(recipe)} rows, {n_bench} benchmarks)",
              flush=True)
        requests_per_cold = phases["cold"]["requests"] / RL if phases["cold"] else None
        print(f"(b) lbtools cold: {median(results['cold']):.3f} s  ({len(cold)} rows"
              + (f", {requests_per_cold:g} requests per load)" if requests_per_cold else ")"), flush=True)
        if not rows_key(cold) == rows_key(recipe) == rows_key(last["peer"]):
            raise SystemExit("lbtools, the fair peer and the docs' recipe disagree on the rows")

        # (c) warm, same process (the cache folder of the last cold run)
        times = []
        with Phase(hub, "warm", phases):
            for _ in range(RL):
                t, warm = timed(lambda: lbtools.load_leaderboards(progress=False))
                times.append(t)
        results["warm"] = times
        pd.testing.assert_frame_equal(warm, cold)
        if phases["warm"] and phases["warm"]["requests"]:
            raise SystemExit(f"warm loads sent {phases['warm']['requests']} requests")
        print(f"(c) lbtools warm, same process: {median(times) * 1000:.1f} ms", flush=True)

        # (d) warm from disk, new process
        env = dict(os.environ, LBTOOLS_SOURCE="hub", HF_ENDPOINT=hub.url, LBTOOLS_CACHE=str(caches[-1]),
                   LBTOOLS_MAX_WORKERS=str(W))
        loads, walls, children = [], [], []
        with Phase(hub, "disk", phases):
            for _ in range(RL):
                t, out = timed(lambda: subprocess.run([sys.executable, "-c", CHILD], env=env, check=True,
                                                      capture_output=True, text=True, cwd=work))
                child = json.loads(out.stdout.strip().splitlines()[-1])
                children.append(child)
                loads.append(child["load"])
                walls.append(t)
        if phases["disk"] and phases["disk"]["requests"]:
            raise SystemExit(f"warm loads in a new process sent {phases['disk']['requests']} requests")
        if children[-1]["rows"] != len(cold) or abs(children[-1]["value_sum"] - float(cold["value"].sum())) > 1e-6:
            raise SystemExit("the new process loaded different rows")
        results["disk"] = loads
        results["disk_wall"] = walls
        results["disk_first_call"] = [c["import_pandas"] + c["load"] for c in children]
        results["disk_import"] = [c["import_lbtools"] for c in children]
        print(f"(d) lbtools warm from disk, new process: load {median(loads) * 1000:.1f} ms "
              f"(+ import pandas {median(c['import_pandas'] for c in children) * 1000:.0f} ms, "
              f"import lbtools {median(results['disk_import']) * 1000:.1f} ms; whole process "
              f"{median(walls):.2f} s; modules loaded: {', '.join(children[-1]['modules']) or 'none of the Hub stack'})",
              flush=True)

        # (e) metadata of 100 models: the docs' loop and lbtools (cold), taking turns
        models = list(dict.fromkeys(recipe["model_id"]))[:N_MODELS]
        results["models_recipe"], results["models"] = [], []

        def run_model_loop(i):
            with Phase(hub, "models_recipe", phases):
                t, last["infos"] = timed(lambda: docs_model_loop(hub.url, models))
            results["models_recipe"].append(t)

        def run_model_info(i):
            lbtools.configure(cache_dir=fresh_cache(work, f"models{i}"))
            with Phase(hub, "models", phases):
                t, last["meta"] = timed(lambda: lbtools.load_model_info(models, progress=False))
            results["models"].append(t)

        alternate(run_model_loop, run_model_info, R, RL)
        infos, meta = last["infos"], last["meta"]
        if list(meta["model_id"]) != [m for m, _, _ in infos] or list(meta["num_parameters"]) != [
            p for _, _, p in infos
        ]:
            raise SystemExit("load_model_info and the docs' model_info loop disagree")
        print(f"(e) {len(models)} models: docs' loop {median(results['models_recipe']):.3f} s, "
              f"lbtools {median(results['models']):.3f} s", flush=True)

        # (f) a rate limit the load reaches: half the load's requests per window
        limited = None
        if not args.endpoint:
            n_requests = n_bench + 1
            policy = (math.ceil(n_requests / 2), RATE_WINDOW_S)
            limited_hub = HubProcess(work / "hub", latency, policy)
            try:
                limited = {"policy": policy, "requests": n_requests}
                limited_hub.reset()
                try:
                    timed_peer = timed(lambda: fair_peer(limited_hub.url, W))
                    limited["peer_outcome"] = f"complete ({len(timed_peer[1])} rows)"
                except Exception as exc:  # noqa: BLE001 - what a user without pacing meets is the point
                    limited["peer_outcome"] = f"failed: {type(exc).__name__}"
                limited["peer_429"] = limited_hub.stats()["count_429"]
                limited_hub.reset()
                lbtools.configure(endpoint=limited_hub.url, cache_dir=fresh_cache(work, "limited"))
                t, df = timed(lambda: lbtools.load_leaderboards(progress=False))
                stats = limited_hub.stats()
                limited.update(lbtools_s=t, lbtools_429=stats["count_429"], lbtools_requests=stats["requests"],
                               lbtools_complete=rows_key(df) == rows_key(cold))
                lbtools.configure(endpoint=hub.url)
            finally:
                limited_hub.stop()
            print(f"(f) rate limit {policy[0]} requests per {policy[1]:g} s, {n_requests} requests a load: fair peer "
                  f"{limited['peer_429']} × 429, {limited['peer_outcome']}; lbtools {limited['lbtools_429']} × 429, "
                  f"{'every row' if limited['lbtools_complete'] else 'ROWS DIFFER'}, {limited['lbtools_s']:.2f} s",
                  flush=True)

        # how the cost grows: snapshots of 10, 100, 1000 benchmarks
        scaling = []
        for n in args.scaling:
            dest = work / f"snapshot-{n}"
            entries = build_snapshot(dest, n, args.seed)
            lbtools.configure(reset=True, source="snapshot", snapshot=dest, max_workers=W)
            times = []
            for _ in range(RL):
                t, df = timed(lambda: lbtools.load_leaderboards(progress=False))
                times.append(t)
            if len(df) != entries:
                raise SystemExit(f"snapshot of {n}: loaded {len(df)} rows of {entries}")
            scaling.append((n, entries, median(times)))
            print(f"    snapshot of {n} benchmarks: {median(times):.3f} s ({entries} rows)", flush=True)
        lbtools.configure(reset=True)
    finally:
        if hub is not None:
            hub.stop()
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)

    return report(args, results, phases, scaling, n_bench, quota, limited)


def report(args, results, phases, scaling, n_bench, quota, limited=None) -> int:
    W, latency = args.workers, args.latency
    m = {k: median(v) for k, v in results.items()}
    # The floor of any client: the listing, then ceil(N / W) rounds of W requests in flight, each one latency.
    rounds = math.ceil(n_bench / W)
    bound = (rounds + 1) * latency
    checks = []

    def check(name, value, target, ok):
        checks.append((name, value, target, ok))

    check("cold vs the fair peer (lbtools time / peer time)", f"{m['cold'] / m['peer']:.2f}×", "≤ 1.15×",
          m["cold"] <= 1.15 * m["peer"])
    check("cold vs docs' recipe", f"{m['recipe'] / m['cold']:.1f}×", "≥ 6×", m["recipe"] / m["cold"] >= 6)
    check(f"cold vs bound ({rounds} + 1) × {latency * 1000:g} ms = {bound:.2f} s", f"{m['cold'] / bound:.2f}×",
          "≤ 1.25×", m["cold"] <= 1.25 * bound)
    check("warm, same process (cache hits), vs recipe", f"{m['recipe'] / m['warm']:.0f}×", "≥ 10×",
          m["recipe"] / m["warm"] >= 10)
    check("warm from disk (cache hits), new process, vs recipe", f"{m['recipe'] / m['disk']:.1f}×", "≥ 10×",
          m["recipe"] / m["disk"] >= 10)
    check("100-model metadata vs docs' loop", f"{m['models_recipe'] / m['models']:.1f}×", "≥ 6×",
          m["models_recipe"] / m["models"] >= 6)
    lb_phases = [p for p in ("cold", "models") if phases.get(p)]
    if lb_phases:
        most = max(phases[p]["max_in_flight"] for p in lb_phases)
        check("requests in flight (lbtools, most seen by the Hub)", str(most), f"≤ {W}", most <= W)
    if limited:
        q, w = limited["policy"]
        check(f"429 answers to lbtools under {q} requests / {w:g} s ({limited['requests']} a load; the fair peer: "
              f"{limited['peer_429']} × 429, {limited['peer_outcome']})", str(limited["lbtools_429"]), "0",
              limited["lbtools_429"] == 0 and limited["lbtools_complete"])
    if scaling:
        n_max, rows_max, t_max = scaling[-1]
        check(f"snapshot of {n_max} benchmarks ({rows_max} rows)", f"{t_max:.2f} s", "< 5 s", t_max < 5)
        per = [t / rows * 1e5 for _, rows, t in scaling]
        if len(scaling) >= 2:
            growth = per[-1] / per[-2]
            check(f"per-row cost, {scaling[-1][0]} vs {scaling[-2][0]} benchmarks (linear: ≈ 1)", f"{growth:.2f}",
                  "≤ 1.5", growth <= 1.5)

    print()
    print(f"## Fetch benchmark: N={n_bench} benchmarks × ~{ENTRIES} entries, {N_MODELS} models, "
          f"latency {latency * 1000:g} ms, max_workers={W}; medians of {args.repeats} runs (docs' recipe) and "
          f"{max(args.repeats, 7)} (fair peer, lbtools)")
    print()
    print("| measurement | median | vs docs' recipe | vs fair peer |")
    print("|---|---:|---:|---:|")
    r, f = m["recipe"], m["peer"]
    print(f"| (a) docs' recipe: list_datasets + get_dataset_leaderboard one by one | {r:.3f} s | 1× | |")
    print(f"| (a′) fair peer: list_datasets, then ThreadPoolExecutor({W}).map(get_dataset_leaderboard), DataFrame "
          f"| {f:.3f} s | {r / f:.1f}× | 1× |")
    print(f"| (b) lbtools.load_leaderboards(), cold (empty cache) | {m['cold']:.3f} s | {r / m['cold']:.1f}× "
          f"| {f / m['cold']:.2f}× |")
    print(f"| bound: ({rounds} rounds of {W} + the listing) × {latency * 1000:g} ms | {bound:.3f} s "
          f"| {r / bound:.1f}× | {f / bound:.2f}× |")
    print(f"| (c) … warm, same process: cache hits, no request | {m['warm'] * 1000:.1f} ms | {r / m['warm']:.0f}× | |")
    print(f"| (d) … warm from disk, new process (cache hits): the load | {m['disk'] * 1000:.1f} ms "
          f"| {r / m['disk']:.1f}× | |")
    print(f"| (d′) … new process: import pandas + the load | {m['disk_first_call'] * 1000:.0f} ms "
          f"| {r / m['disk_first_call']:.1f}× | |")
    print(f"| (d″) … new process: the whole `python -c` (interpreter start-up included) | {m['disk_wall']:.2f} s "
          f"| {r / m['disk_wall']:.1f}× | |")
    print(f"| (e) docs' model_info loop, {N_MODELS} models | {m['models_recipe']:.3f} s | — | |")
    print(f"| (e) lbtools.load_model_info, {N_MODELS} models, cold | {m['models']:.3f} s "
          f"| {m['models_recipe'] / m['models']:.1f}× | |")
    if limited:
        q, w = limited["policy"]
        print(f"| (f) rate limit {q} requests / {w:g} s: fair peer | {limited['peer_429']} × 429 "
              f"| {limited['peer_outcome']} | |")
        print(f"| (f) rate limit {q} requests / {w:g} s: lbtools (paced) | {limited['lbtools_429']} × 429 "
              f"| {'every row' if limited['lbtools_complete'] else 'rows differ'}, {limited['lbtools_s']:.2f} s | |")
    print()
    if scaling:
        print("| snapshot | rows | load_leaderboards() | per 100k rows |")
        print("|---:|---:|---:|---:|")
        for n, rows, t in scaling:
            print(f"| {n} benchmarks | {rows} | {t:.3f} s | {t / rows * 1e5:.2f} s |")
        print()
    print("| target | measured | goal | |")
    print("|---|---:|---:|---|")
    failed = 0
    for name, value, target, ok in checks:
        failed += not ok
        print(f"| {name} | {value} | {target} | {'PASS' if ok else 'FAIL'} |")
    print()
    print(f"machine: {machine_line()}")
    if failed:
        print(f"{failed} target(s) missed" + (" (--no-fail: reported only)" if args.no_fail else ""))
    return 1 if failed and not args.no_fail else 0


def machine_line() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    import huggingface_hub
    import pandas

    return (f"{os.cpu_count()} cores, {cpu}, Python {platform.python_version()}, pandas {pandas.__version__}, "
            f"huggingface_hub {huggingface_hub.__version__}")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--latency", type=float, default=0.05, help="seconds the local Hub waits per request")
    parser.add_argument("--n", type=int, default=64, help="official benchmarks on the local Hub")
    parser.add_argument("--workers", type=int, default=8, help="lbtools max_workers")
    parser.add_argument("--repeats", type=int, default=3, help="runs per measurement (median reported; >= 3)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the synthetic tree")
    parser.add_argument("--scaling", type=int, nargs="*", default=list(SCALING_N),
                        help="snapshot sizes (benchmarks) for the cost-growth table")
    parser.add_argument("--endpoint", help="measure against this Hub instead of starting the local one "
                        "(no server-side stats; --latency is then the assumed latency for the bound)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    parser.add_argument("--no-fail", action="store_true", help="report missed targets but exit 0")
    args = parser.parse_args(argv)
    if args.repeats < 3:
        parser.error("--repeats: at least 3 (medians)")
    return run(args)


if __name__ == "__main__":
    sys.exit(main())
