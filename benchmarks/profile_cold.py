#!/usr/bin/env python
"""Where a cold ``load_leaderboards()`` spends its time: cProfile of it, beside the fair peer's time.

    python benchmarks/profile_cold.py [--n 62] [--latency 0.05] [--workers 8] [--repeats 5] [--top 30]

The local Hub runs in a child process (as in bench_fetch.py). Prints the medians of the fair peer
(``ThreadPoolExecutor(workers).map(api.get_dataset_leaderboard, ids)`` into a DataFrame) and of lbtools cold (a new,
empty cache folder each run), then one profiled cold run, sorted by cumulative and by own time.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench_fetch as bf  # noqa: E402


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=62)
    parser.add_argument("--latency", type=float, default=0.05)
    parser.add_argument("--workers", type=int, default=8)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--top", type=int, default=30)
    args = parser.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="lbtools-profile-"))
    hub = None
    try:
        bf.build_tree(work / "hub", args.n, 0)
        hub = bf.HubProcess(work / "hub", args.latency, None)
        import lbtools

        lbtools.configure(reset=True, source="hub", endpoint=hub.url, max_workers=args.workers)
        peer, cold, peer_cpu, cold_cpu = [], [], [], []
        for i in range(args.repeats):
            c = time.process_time()
            t, expected = bf.timed(lambda: bf.fair_peer(hub.url, args.workers))
            peer_cpu.append(time.process_time() - c)
            peer.append(t)
            lbtools.configure(cache_dir=bf.fresh_cache(work, f"cold{i}"))
            c = time.process_time()
            t, got = bf.timed(lambda: lbtools.load_leaderboards(progress=False))
            cold_cpu.append(time.process_time() - c)
            cold.append(t)
        if bf.rows_key(got) != bf.rows_key(expected):
            raise SystemExit("lbtools and the fair peer disagree on the rows")
        print(f"fair peer {bf.median(peer):.3f} s, lbtools cold {bf.median(cold):.3f} s "
              f"({len(got)} rows, {args.n} benchmarks; runs: peer {[round(x, 3) for x in peer]}, "
              f"lbtools {[round(x, 3) for x in cold]})")
        print(f"CPU of this process (all threads): fair peer {bf.median(peer_cpu):.3f} s, "
              f"lbtools cold {bf.median(cold_cpu):.3f} s")
        lbtools.configure(cache_dir=bf.fresh_cache(work, "profiled"))
        # cProfile sees one thread: give every thread started during the load a profiler of its own, then merge.
        profiles = []

        def start_profiling(*_):
            profile = cProfile.Profile()
            profiles.append(profile)
            profile.enable()

        main_profile = cProfile.Profile()
        threading.setprofile(start_profiling)
        main_profile.enable()
        lbtools.load_leaderboards(progress=False)
        main_profile.disable()
        threading.setprofile(None)
        for profile in profiles:
            profile.create_stats()
        print(f"{len(profiles)} worker threads profiled")
        for key in ("tottime", "cumulative"):
            out = io.StringIO()
            stats = pstats.Stats(main_profile, *profiles, stream=out).sort_stats(key)
            stats.print_stats(args.top)
            if key == "tottime":
                stats.print_callers("urandom|posix.open|posix.stat")
            print(out.getvalue())
    finally:
        if hub is not None:
            hub.stop()
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
