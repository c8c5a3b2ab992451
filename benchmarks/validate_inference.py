#!/usr/bin/env python
"""Rank and correlation intervals on real public tables (``make validate``): do they hold what they say?

    python benchmarks/validate_inference.py [--external DIR] [--draws 100] [--quick]

Both parts read ``../shared/data/external/`` (or ``--external`` / ``$LBTOOLS_EXTERNAL``) at run time, never into the
repository; each folder's SOURCE.md gives the repository, commit and licence.

**1. Rank intervals.**
Leaderboards publish one score per model, so ``lbtools.analysis.rank_intervals`` treats each score as a binomial
proportion of ``n_items`` and each model as if it had answered its own items. Eval-Arena (github.com/crux-eval/
eval-arena, read at run time from ``../shared/data/external/eval_arena``, never copied into the repository; its
SOURCE.md gives the commit and licence) publishes every model's result on every item of seven code benchmarks, so
the claim can be checked on real models answering the same real items:

- the truth: each benchmark's items are the population; a model's true accuracy is its mean over all of them and
  its true rank is its rank by that accuracy (models tied there may take any rank of their tie);
- a published leaderboard: N items drawn with replacement from the population (N = the benchmark's size), each
  model's score its mean over the draw; lbtools sees only those scores and ``n_items = N``;
- per draw: whether each model's 95 % interval holds its true rank (``simultaneous=False``), whether every model's
  simultaneous 95 % set holds its true rank at once (``simultaneous=True``), whether tier 1 holds the true leader, and
  ``p_top1`` of the true leader;
- what a per-item analysis would give instead (what lbtools cannot do from published scores): the spread of each
  pairwise score difference across the draws, against the spread the independent binomial model assumes.

**2. Correlation intervals.** ObsScaling's dense table (``obsscaling/raw/base_llm_benchmark_eval.csv``: base models
× 8 benchmarks) is the population: a pair's true Spearman coefficient is the one over every model with both scores.
A notebook sees only the models someone evaluated, so each draw takes ``n`` models (10 or 25) without replacement
and asks

- whether ``bootstrap_ci``'s 95 % BCa interval holds the pair's true coefficient (every pair, every draw);
- whether ``strongest_pair``'s interval, which allows for having picked the largest of the 28 coefficients, holds
  the true coefficient of the pair it picked.

Drawing without replacement from a finite population makes the truth a little less variable than an infinite one
would (the finite-population factor ``1 - n / N`` is 0.92 at n = 10 and 0.80 at n = 25 of the 124 models with all
8 scores), which errs towards coverage.

Prints markdown tables with PASS/FAIL on the coverage claims. Exits 2 when neither table is there.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import platform
import sys
import time
import warnings
from datetime import datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from lbtools import analysis  # noqa: E402
from lbtools.errors import AnalysisWarning  # noqa: E402
from validate_real import markdown  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
LEVEL = 0.95


def load_items(path: Path) -> pd.DataFrame:
    """Models × items of ``pass1`` (the share of a model's attempts on the item that passed)."""
    with gzip.open(path, "rt", encoding="utf-8") as f:
        rows = [json.loads(line) for line in f]
    frame = pd.DataFrame(rows)
    table = frame.pivot(index="model", columns="example_id", values="pass1")
    if table.isna().any().any():
        # a model missing items would make its mean over a different set of items: keep complete rows only
        missing = table.index[table.isna().any(axis=1)].tolist()
        print(f"  {path.name}: left out {len(missing)} models without every item: {', '.join(missing)}")
        table = table.dropna()
    return table


def true_rank_range(accuracy: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Best and worst rank each model may take by its true accuracy (equal accuracies may come in any order)."""
    better = (accuracy[None, :] > accuracy[:, None]).sum(axis=1)
    not_worse = (accuracy[None, :] >= accuracy[:, None]).sum(axis=1)
    return better + 1, not_worse


def check_benchmark(name: str, table: pd.DataFrame, draws: int, gen: np.random.Generator) -> dict:
    models = table.index.to_numpy(dtype=object)
    items = table.to_numpy(dtype=float)  # models × items
    m, n = items.shape
    accuracy = items.mean(axis=1)
    best, worst = true_rank_range(accuracy)
    leader = accuracy == accuracy.max()

    held_each = held_all = leader_in_tier1 = 0
    width_each = width_all = 0.0
    p_leader = []
    scores = np.empty((draws, m))
    for d in range(draws):
        drawn = items[:, gen.integers(0, n, size=n)].mean(axis=1)
        scores[d] = drawn
        board = pd.DataFrame({"model_id": models, "value": drawn * 100})
        for simultaneous in (False, True):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", AnalysisWarning)
                out = analysis.rank_intervals(board, n_items=n, level=LEVEL, simultaneous=simultaneous,
                                              n_boot=1000, rng=int(gen.integers(2**31)))
            out = out.set_index("model_id").loc[models]
            low = out["rank_low"].to_numpy(dtype=int)
            high = out["rank_high"].to_numpy(dtype=int)
            holds = (low <= worst) & (high >= best)
            if simultaneous:
                held_all += bool(holds.all())
                width_all += float((high - low + 1).mean())
            else:
                held_each += int(holds.sum())
                width_each += float((high - low + 1).mean())
                tier1 = out["tier"].to_numpy(dtype=int) == 1
                leader_in_tier1 += bool(tier1[leader].any())
                p_leader.append(float(out["p_top1"].to_numpy(dtype=float)[leader].sum()))

    # Spread of each pairwise difference across the draws (what the items really do) against the spread the
    # independent binomial model gives it, for the pairs among the top ten by true accuracy.
    top = np.argsort(-accuracy)[: min(10, m)]
    j, k = np.triu_indices(top.size, 1)
    a, b = top[j], top[k]
    real_sd = (scores[:, a] - scores[:, b]).std(axis=0, ddof=1)
    p = scores.mean(axis=0)
    independent_sd = np.sqrt(p[a] * (1 - p[a]) / n + p[b] * (1 - p[b]) / n)
    ratio = real_sd / independent_sd
    return {
        "benchmark": name,
        "models": m,
        "items": n,
        "each model's 95 % interval holds": held_each / (draws * m),
        "all at once (simultaneous sets)": held_all / draws,
        "tier 1 holds the true leader": leader_in_tier1 / draws,
        "mean p_top1 of the true leader": float(np.mean(p_leader)),
        "mean width, each": width_each / draws,
        "mean width, simultaneous": width_all / draws,
        "paired / independent SD (median, top 10)": float(np.median(ratio)),
    }


def load_obsscaling(path: Path) -> pd.DataFrame:
    """Models × the 8 benchmarks of ObsScaling's base-model table, models with every score only."""
    table = pd.read_csv(path)
    scores = table.set_index("Model")[["MMLU", "ARC-C", "HellaSwag", "Winograd", "TruthfulQA", "GSM8K", "XWinograd",
                                       "HumanEval"]]
    return scores.dropna()


def check_correlations(table: pd.DataFrame, n: int, draws: int, gen: np.random.Generator) -> dict:
    truth = table.corr(method="spearman")
    names = list(table.columns)
    pairs = [(a, b) for i, a in enumerate(names) for b in names[i + 1:]]
    held = total = strongest_held = 0
    width = 0.0
    for _ in range(draws):
        sample = table.iloc[gen.choice(len(table), size=n, replace=False)]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", AnalysisWarning)
            for a, b in pairs:
                ci = analysis.bootstrap_ci(sample[a], sample[b], method="spearman", n_boot=1000, level=LEVEL,
                                           rng=int(gen.integers(2**31)))
                held += ci.low <= truth.loc[a, b] <= ci.high
                width += ci.high - ci.low
                total += 1
            top = analysis.strongest_pair(sample, method="spearman", level=LEVEL)
        strongest_held += top.low <= truth.loc[top.benchmark_a, top.benchmark_b] <= top.high
    return {
        "models drawn": n,
        "population": len(table),
        "pairs": len(pairs),
        "bootstrap_ci 95 % holds the true ρ": held / total,
        "mean width": width / total,
        "strongest_pair's interval holds its true ρ": strongest_held / draws,
    }


def verdict(ok: bool, text: str) -> None:
    print(f"{'PASS' if ok else 'FAIL'}: {text}")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    default = os.environ.get("LBTOOLS_EXTERNAL") or str(ROOT.parent / "shared" / "data" / "external")
    parser.add_argument("--external", default=default, help="folder holding eval_arena/ and obsscaling/ "
                        "(default: %(default)s)")
    parser.add_argument("--draws", type=int, default=100, help="simulated leaderboards or model samples per case")
    parser.add_argument("--quick", action="store_true", help="20 draws (a smoke run)")
    args = parser.parse_args(argv)
    external = Path(args.external)
    arena, obsscaling = external / "eval_arena" / "raw", external / "obsscaling" / "raw"
    if not arena.is_dir() and not obsscaling.is_dir():
        print(f"Neither eval_arena/ nor obsscaling/ is under {external}: nothing to validate (see --external).")
        return 2
    draws = 20 if args.quick else args.draws
    print(f"Run {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC on {platform.machine()}, {os.cpu_count()} cores, "
          f"Python {platform.python_version()}, {draws} draws per case.\n")

    if arena.is_dir():
        started = time.perf_counter()
        gen = np.random.default_rng(0)
        results = pd.DataFrame([check_benchmark(path.name.removesuffix(".jsonl.gz"), load_items(path), draws, gen)
                                for path in sorted(arena.glob("*.jsonl.gz"))])
        print(f"## Rank intervals on Eval-Arena's per-item results ({time.perf_counter() - started:.0f} s)\n")
        print(markdown(results, index=False) + "\n")
        each = results["each model's 95 % interval holds"].min()
        at_once = results["all at once (simultaneous sets)"].min()
        verdict(each >= LEVEL, f"each model's interval holds its true rank in ≥ {LEVEL:.0%} of model-draws on every "
                f"benchmark (lowest {each:.3f})")
        verdict(at_once >= LEVEL, f"the simultaneous sets hold every true rank at once in ≥ {LEVEL:.0%} of draws on "
                f"every benchmark (lowest {at_once:.3f})")
        print()

    if obsscaling.is_dir():
        started = time.perf_counter()
        gen = np.random.default_rng(1)
        table = load_obsscaling(obsscaling / "base_llm_benchmark_eval.csv")
        results = pd.DataFrame([check_correlations(table, n, draws, gen) for n in (10, 25)])
        print(f"## Correlation intervals on ObsScaling's base-model table ({time.perf_counter() - started:.0f} s)\n")
        print(markdown(results, index=False) + "\n")
        each = results["bootstrap_ci 95 % holds the true ρ"].min()
        top = results["strongest_pair's interval holds its true ρ"].min()
        # a 95 % interval's coverage estimated from this many intervals has a binomial standard error; allow 2 of them
        verdict(each >= LEVEL - 2 * np.sqrt(LEVEL * (1 - LEVEL) / (draws * 28)),
                f"bootstrap_ci's 95 % interval holds the true coefficient (lowest {each:.3f})")
        verdict(top >= LEVEL - 2 * np.sqrt(LEVEL * (1 - LEVEL) / draws),
                f"strongest_pair's interval holds its pair's true coefficient (lowest {top:.3f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
