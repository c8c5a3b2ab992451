#!/usr/bin/env python
"""How fast the capability model fits and predicts: 10,000 models × 50 benchmarks, 20 % of cells published.

    python benchmarks/bench_capability.py [--models 10000] [--benchmarks 50] [--fill 0.2] [--repeats 3] [--no-fail]

Simulates a leaderboard table from a known two-dimensional logit model (binomial noise on 100–1000 items,
model misfit 0.2 on the logit scale, missingness tilted towards able models), then times, in this process,
``lbtools.analysis.fit_capability(long)`` followed by ``.predict()`` and ``.abilities()`` (de-duplication, the
table, the index fit from three starts, cross-validated choice of k and the penalty with a nested choice per
fold, the split-conformal intervals, the final fit and the predictions for every cell). Every figure is the median of ``--repeats`` runs, each after a
garbage collection. Prints a markdown table with the target (< 10 s for fit + predict) and PASS/FAIL; exits 1
when it fails (``--no-fail``: report only). The RMSE of the predictions for unpublished cells against the
simulated truth is printed beside the time, so a fast wrong answer shows.
"""

from __future__ import annotations

import argparse
import gc
import os
import platform
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

TARGET_S = 10.0


def simulate(n_models: int, n_bench: int, fill: float, seed: int):
    rng = np.random.default_rng(seed)
    theta = rng.normal(size=(n_models, 2))
    a = np.column_stack([np.abs(rng.normal(1.0, 0.3, n_bench)), rng.normal(0, 0.6, n_bench)])
    b = rng.normal(0, 1.2, n_bench)
    n_items = rng.integers(100, 1000, n_bench)
    p = 1 / (1 + np.exp(-(b + theta @ a.T + rng.normal(0, 0.2, (n_models, n_bench)))))
    score = rng.binomial(n_items, p) / n_items * 100
    z = np.log(fill / (1 - fill)) + 0.5 * theta[:, :1]
    obs = rng.random((n_models, n_bench)) < 1 / (1 + np.exp(-z))
    ii, jj = np.nonzero(obs)
    long = pd.DataFrame(
        {
            "model_id": pd.array([f"org/model-{i:05d}" for i in ii], dtype="string"),
            "dataset_id": pd.array([f"bench/b{j:02d}" for j in jj], dtype="string"),
            "value": pd.array(score[ii, jj], dtype="Float64"),
        }
    )
    return long, score, obs, {f"bench/b{j:02d}": int(n) for j, n in enumerate(n_items)}


def timed(fn, repeats: int):
    times, out = [], None
    for _ in range(repeats):
        gc.collect()
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--models", type=int, default=10_000)
    ap.add_argument("--benchmarks", type=int, default=50)
    ap.add_argument("--fill", type=float, default=0.2)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--no-fail", action="store_true")
    args = ap.parse_args(argv)

    from lbtools import analysis

    long, score, obs, n_items = simulate(args.models, args.benchmarks, args.fill, args.seed)
    # The simulated item counts are passed in (the analysis never looks them up).
    def fit_and_predict():
        fit = analysis.fit_capability(long, n_items=n_items)
        return fit, fit.predict(), fit.abilities()

    t_all, (fit, pred, _) = timed(fit_and_predict, args.repeats)

    models = sorted(set(long["model_id"]))
    rows = pd.Index([f"org/model-{i:05d}" for i in range(args.models)]).get_indexer(pred["model_id"])
    cols = pd.Index([f"bench/b{j:02d}" for j in range(args.benchmarks)]).get_indexer(pred["dataset_id"])
    unpublished = ~obs[rows, cols]
    truth = score[rows, cols][unpublished]
    got = pred["predicted"].to_numpy(float)[unpublished]
    rmse = float(np.sqrt(np.mean((got - truth) ** 2)))
    lo, hi = pred["pred_low"].to_numpy(float)[unpublished], pred["pred_high"].to_numpy(float)[unpublished]
    cover = float(np.mean((lo <= truth) & (truth <= hi)))

    ok = t_all < TARGET_S
    print(f"{len(models)} models with a score × {args.benchmarks} benchmarks, {len(long)} published cells "
          f"({len(long) / (args.models * args.benchmarks):.0%})\n")
    print("| measurement | median | |")
    print("|---|---:|---|")
    print(f"| fit_capability + .predict() + .abilities() (CV over {len(fit._m.cv_rmse)} settings; "
          f"chose k={fit.k}, penalty={fit.penalty:g}) | {t_all:.2f} s | target < {TARGET_S:g} s: "
          f"{'PASS' if ok else 'FAIL'} |")
    print(f"| RMSE on unpublished cells vs simulated truth (0–100) | {rmse:.2f} | |")
    print(f"| 90 % split-conformal intervals: coverage of unpublished cells' simulated scores | {cover:.3f} | |")
    print(f"\nmachine: {os.cpu_count()} cores, Python {platform.python_version()}, numpy {np.__version__}, "
          f"load average {os.getloadavg()[0]:.1f}")
    return 0 if ok or args.no_fail else 1


if __name__ == "__main__":
    sys.exit(main())
