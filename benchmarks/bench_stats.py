#!/usr/bin/env python
"""How fast rank intervals are computed for every leaderboard (target: all official leaderboards in < 2 s).

    python benchmarks/bench_stats.py [--repeats 5] [--n-boot 2000] [--no-fail]

Measures, in this process, with nothing on the network:

  (a) the bundled snapshot: ``analysis.rank_intervals`` (``n_boot`` posterior draws and the simultaneous sets, item
      counts from ``lbtools.benchmark_sizes()``, loaded once before timing: analysis never looks them up) and
      ``analysis.resolution`` for each of its 11 leaderboards;
  (b) a synthetic stand-in for the live Hub's official list: 64 leaderboards of 35 models (the size ``bench_fetch``
      uses), and 40 of 200 models, item counts given.

Every figure is the median of ``--repeats`` runs (the first, which imports scipy, is not counted). Prints a markdown
table and PASS/FAIL against the target; exits 1 when it fails (``--no-fail``: report only).
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
TARGET_S = 2.0


def _boards_snapshot():
    import lbtools

    lbtools.configure(source="snapshot", snapshot=lbtools.bundled_snapshot())
    long = lbtools.load_leaderboards(progress=False)
    sizes = lbtools.benchmark_sizes(sorted(long["dataset_id"].unique()))
    return [board for _, board in long.groupby("dataset_id", sort=True)], sizes


def _boards_synthetic(n_boards: int, n_models: int, seed: int = 0):
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(seed)
    boards, sizes = [], {}
    for b in range(n_boards):
        dataset_id = f"synthetic-org/bench-{b}"
        values = np.round(rng.uniform(5, 95, n_models), 1)
        boards.append(pd.DataFrame({"dataset_id": dataset_id, "model_id": [f"m/{i}" for i in range(n_models)],
                                    "value": pd.array(values, dtype="Float64")}))
        sizes[dataset_id] = int(rng.choice([30, 89, 198, 500, 1319, 12032]))
    return boards, sizes


def _run(boards, sizes, n_boot: int) -> float:
    from lbtools import analysis

    started = time.perf_counter()
    for board in boards:
        analysis.rank_intervals(board, n_items=sizes, n_boot=n_boot)
        analysis.resolution(board, n_items=sizes)
    return time.perf_counter() - started


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--n-boot", type=int, default=2000)
    parser.add_argument("--no-fail", action="store_true")
    args = parser.parse_args(argv)
    os.environ.setdefault("LBTOOLS_SOURCE", "snapshot")
    warnings.simplefilter("ignore", UserWarning)  # the snapshot's duplicate-entry notes are not the point here

    cases = [("bundled snapshot (item counts from benchmark_sizes())", *_boards_snapshot()),
             ("synthetic: 64 boards × 35 models", *_boards_synthetic(64, 35)),
             ("synthetic: 40 boards × 200 models", *_boards_synthetic(40, 200))]
    rows, ok = [], True
    for name, boards, sizes in cases:
        _run(boards, sizes, args.n_boot)  # warm-up: imports, the item-count lookup's cache
        times = [_run(boards, sizes, args.n_boot) for _ in range(args.repeats)]
        median = statistics.median(times)
        passed = median < TARGET_S
        ok &= passed
        entries = sum(len(b) for b in boards)
        rows.append(f"| {name} | {len(boards)} | {entries} | {median:.3f} s | < {TARGET_S:g} s | "
                    f"{'PASS' if passed else 'FAIL'} |")
    print(f"rank_intervals (n_boot={args.n_boot}) + resolution for every leaderboard, median of {args.repeats}\n")
    print("| leaderboards | boards | entries | time | target | |\n|---|---:|---:|---:|---:|---|")
    print("\n".join(rows))
    import numpy as np

    print(f"\nmachine: {os.cpu_count()} cores, Python {platform.python_version()}, numpy {np.__version__}")
    return 0 if ok or args.no_fail else 1


if __name__ == "__main__":
    sys.exit(main())
