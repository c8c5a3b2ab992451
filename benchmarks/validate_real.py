#!/usr/bin/env python
"""The capability model on real public model × benchmark tables nobody on the project wrote (``make validate``).

    python benchmarks/validate_real.py [--external DIR] [--seeds 5] [--quick] [--only index|predict]

Reads, at run time and never into the repository, ``../shared/data/external/`` (or ``--external`` /
``$LBTOOLS_EXTERNAL``): Epoch AI's benchmark-stitching table (178 models × 39 benchmarks, release dates, Epoch's
Capabilities Index) and ObsScaling's dense base-model table (148 × 8, training FLOPs). Each folder's SOURCE.md
gives the repository, commit, licence and column meanings. Prints markdown tables:

1. the index: Spearman with ECI (Epoch, the models that have one), negative discriminations, and stability with
   30 % of the benchmarks dropped (10 draws: Kendall τ with the full fit, Spearman with ECI);
2. predictions, per table and split, for lbtools and the baselines (fitted on the training cells only): RMSE on
   0–100, lbtools' 90 % coverage overall and the lowest per-benchmark coverage among benchmarks with ≥ 15 hidden
   cells; ``ratio`` = lbtools' RMSE / the best baseline's.

Splits: random = 10 % of published cells hidden, 5 seeds, each model's last cell and each benchmark's last 3 kept;
time (Epoch) = the newest 20 % of models by release date hide half their cells; compute (ObsScaling) = the 20 % of
models with the most training FLOPs hide half their cells. Exits 0 when the tables were found (and prints PASS/FAIL
per target), 2 when they are not there.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
import warnings
from datetime import datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from scipy.stats import kendalltau, spearmanr  # noqa: E402

from lbtools import analysis  # noqa: E402
from lbtools.analysis import _capmodel as cm  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]

# The score column of each external file, as the paper's data_loader.py reads it (benchmark name → (file, column)).
EPOCH_EXTERNAL = {
    "Aider polyglot": ("aider_polyglot", "Percent correct"),
    "ANLI": ("anli", "Score"),
    "ARC-AGI": ("arc_agi", "Score"),
    "ARC AI2": ("arc_ai2", "Challenge score"),
    "Balrog": ("balrog", "Average progress"),
    "BBH": ("bbh", "Average"),
    "CadEval": ("cadeval", "Overall pass (%)"),
    "CSQA2": ("csqa2", "Score"),
    "Cybench": ("cybench", "Unguided % Solved"),
    "DeepResearch Bench": ("deepresearch", "Average score"),
    "Factorio learning environment": ("factorio_learning_environment", "Lab Success %"),
    "Fiction.LiveBench": ("fictionlivebench", "16k token score"),
    "GeoBench": ("geobench", "ACW Country %"),
    "GSM8K": ("gsm8k", "EM"),
    "GSO-Bench": ("gso_bench", "Score OPT@1"),
    "HellaSwag": ("hellaswag", "Overall accuracy"),
    "LAMBADA": ("lambada", "Score"),
    "Lech Mazur Writing": ("lech_mazur_writing", "Mean score"),
    "LiveBench": ("livebench", "Global average"),
    "MMLU": ("mmlu", "EM"),
    "OpenBookQA": ("openbookqa", "Accuracy"),
    "OSWorld": ("os_world", "Score"),
    "OSUniverse": ("osuniverse", "Weighted Score"),
    "PIQA": ("piqa", "Score"),
    "ScienceQA": ("scienceqa", "Score"),
    "SimpleBench": ("simple_bench", "Score (AVG@5)"),
    "SuperGLUE": ("superglue", "Score"),
    "Terminal Bench": ("terminal_bench", "Accuracy mean"),
    "The Agent Company": ("the_agent_company", "% Resolved"),
    "TriviaQA": ("triviaqa", "EM"),
    "VideoMME": ("videomme", "Overall (no subtitles)"),
    "VPCT": ("vpct", "Correct"),
    "WeirdML": ("weirdml", "Accuracy"),
    "Winogrande": ("winogrande", "Accuracy"),
}
EPOCH_INTERNAL = ["GPQA diamond", "MATH level 5", "OTIS Mock AIME 2024-2025", "FrontierMath-2025-02-28-Private",
                  "FrontierMath-Tier-4-2025-07-01-Private", "SWE-Bench verified"]
EPOCH_N_ITEMS = {"GPQA diamond": 198, "MATH level 5": 1324, "OTIS Mock AIME 2024-2025": 45, "SWE-Bench verified": 500,
                 "MMLU": 14042, "GSM8K": 1319, "HellaSwag": 10042, "Winogrande": 1267, "ARC AI2": 1172, "PIQA": 1838,
                 "OpenBookQA": 500, "Aider polyglot": 225, "Cybench": 40, "Terminal Bench": 80}
OBS_BENCH = ["MMLU", "ARC-C", "HellaSwag", "Winograd", "TruthfulQA", "GSM8K", "XWinograd", "HumanEval"]
OBS_N_ITEMS = {"MMLU": 14042, "ARC-C": 1172, "HellaSwag": 10042, "Winograd": 1267, "TruthfulQA": 817, "GSM8K": 1319,
               "HumanEval": 164}


def _fraction(col: pd.Series, name: str) -> pd.Series:
    if name == "Lech Mazur Writing":
        return pd.to_numeric(col, errors="coerce") / 10
    if not pd.api.types.is_numeric_dtype(col):
        return pd.to_numeric(col.astype(str).str.strip().str.rstrip("%"), errors="coerce") / 100
    return pd.to_numeric(col, errors="coerce") / 100


def load_epoch(root: Path):
    """The benchmark-stitching table as the paper's loader builds it: scores to fractions, models with ≥ 4
    benchmarks, joined to release dates (three dates fixed as the loader fixes them), released ≥ 2022-11-01,
    duplicates → the maximum. Returns (long frame with created_at, ECI series by model)."""
    raw = root / "epoch_stitching" / "raw"
    parts = []
    runs = pd.read_csv(raw / "benchmarks_runs.csv", encoding="utf-8-sig")
    runs = runs[runs["task"].isin(EPOCH_INTERNAL)]
    parts.append(pd.DataFrame({"model": runs["model"], "benchmark": runs["task"],
                               "performance": pd.to_numeric(runs["Best score (across scorers)"], errors="coerce")}))
    for name, (stem, column) in EPOCH_EXTERNAL.items():
        df = pd.read_csv(raw / f"external_benchmark_{stem}.csv", encoding="utf-8-sig")
        df = df[["Model version", column]].dropna()
        parts.append(pd.DataFrame({"model": df["Model version"], "benchmark": name,
                                   "performance": _fraction(df[column], name)}))
    scores = pd.concat(parts, ignore_index=True).dropna(subset=["model", "performance"])
    scores = scores[(scores["performance"] >= 0) & (scores["performance"] <= 1)]
    counts = scores.groupby("model")["benchmark"].nunique()
    scores = scores[scores["model"].isin(counts[counts > 3].index)]
    versions = pd.read_csv(raw / "model_versions.csv", encoding="utf-8-sig")[["id", "Model", "Version release date"]]
    versions = versions.rename(columns={"id": "model", "Version release date": "date"})
    fixes = {"gemini-exp-1206": "2024-12-06", "LLaMA-13B": "2023-02-24", "LLaMA-33B": "2023-02-24"}
    for model, date in fixes.items():
        versions.loc[versions["model"] == model, "date"] = date
    versions = versions[versions["Model"] != "Mistral Large"]
    scores = scores.merge(versions[["model", "date"]], on="model")
    scores["date"] = pd.to_datetime(scores["date"], errors="coerce")
    scores = scores[scores["date"] >= pd.Timestamp("2022-11-01")]
    long = scores.groupby(["model", "benchmark"], as_index=False).agg(performance=("performance", "max"),
                                                                        date=("date", "first"))
    data = pd.DataFrame({"model_id": long["model"].astype("string"), "dataset_id": long["benchmark"].astype("string"),
                         "value": long["performance"].astype("Float64"),
                         "created_at": pd.to_datetime(long["date"], utc=True)})
    eci = pd.read_csv(raw / "epoch_capabilities_index.csv", encoding="utf-8-sig")
    eci = eci.dropna(subset=["ECI Score"]).drop_duplicates("Model version").set_index("Model version")["ECI Score"]
    return data, eci


def load_obsscaling(root: Path):
    raw = root / "obsscaling" / "raw"
    df = pd.read_csv(raw / "base_llm_benchmark_eval.csv", encoding="utf-8-sig")
    long = df.melt(id_vars=["Model", "FLOPs (1E21)"], value_vars=OBS_BENCH, var_name="dataset_id",
                   value_name="value").dropna(subset=["value"])
    return pd.DataFrame({"model_id": long["Model"].astype("string"), "dataset_id": long["dataset_id"].astype("string"),
                         "value": long["value"].astype("Float64"),
                         "flops": pd.to_numeric(long["FLOPs (1E21)"], errors="coerce")})


# --------------------------------------------------------------------------------------------


def markdown(df: pd.DataFrame, index: bool = True, digits: int = 3) -> str:
    """A markdown table (pandas' to_markdown needs tabulate, which the lock does not carry)."""
    frame = df.reset_index() if index else df
    def cell(v):
        if isinstance(v, (float, np.floating)):
            return f"{v:.{digits}f}"
        return str(v)
    lines = ["| " + " | ".join(map(str, frame.columns)) + " |", "|" + "---|" * len(frame.columns)]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in frame.itertuples(index=False)]
    return "\n".join(lines)


def quiet(fn, *a, **k):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return fn(*a, **k)


def index_checks(data, eci, n_items, draws=10, covariate=None):
    fit = quiet(analysis.fit_capability, data, n_items=n_items, min_benchmarks=1, covariate=covariate)
    ab = fit.abilities().set_index("model_id")["ability"].astype(float)
    both = ab.index.intersection(eci.index)
    rho = spearmanr(ab[both], eci[both])[0]
    params = fit.benchmarks()
    neg = int((params["discrimination"].astype(float) < 0).sum())
    rng = np.random.default_rng(0)
    benches = np.array(sorted(data["dataset_id"].unique()))
    taus, rhos = [], []
    for _ in range(draws):
        keep = rng.choice(benches, size=int(round(0.7 * len(benches))), replace=False)
        sub = data[data["dataset_id"].isin(keep)]
        f2 = quiet(analysis.fit_capability, sub, n_items=n_items, min_benchmarks=1, covariate=covariate)
        a2 = f2.abilities().set_index("model_id")["ability"].astype(float)
        common = a2.index.intersection(ab.index)
        taus.append(kendalltau(a2[common], ab[common])[0])
        c2 = a2.index.intersection(eci.index)
        rhos.append(spearmanr(a2[c2], eci[c2])[0])
    return fit, rho, len(both), neg, taus, rhos


def prediction_rows(name, data, n_items, by, seeds, baselines):
    """lbtools and the baselines on the same hidden cells, pooled over ``seeds`` repeats."""
    fit = quiet(analysis.fit_capability, data, n_items=n_items, min_benchmarks=1)
    t0 = time.perf_counter()
    holdout = 0.1
    val = quiet(fit.validate, holdout, seeds, by, methods=("lbtools",) + tuple(baselines), rng=0)
    seconds = time.perf_counter() - t0
    s = val.summary.set_index("method")
    per = val.per_benchmark("lbtools")
    c = val.cells[val.cells["method"] == "lbtools"]
    side = pd.DataFrame({"dataset_id": c["dataset_id"], "above": (c["observed"] > c["pred_high"]).astype(float),
                         "below": (c["observed"] < c["pred_low"]).astype(float),
                         "error": (c["observed"] - c["predicted"]).astype(float)}).groupby("dataset_id").mean()
    per = per.join(side, on="dataset_id")
    big = per[per["n_cells"] >= 15]
    best = s.drop(index="lbtools")["rmse"].astype(float)
    return {
        "table": name, "split": by, "cells hidden": int(s.loc["lbtools", "n_cells"]),
        "lbtools RMSE": float(s.loc["lbtools", "rmse"]), "best baseline": best.idxmin(),
        "its RMSE": float(best.min()), "ratio": float(s.loc["lbtools", "rmse"]) / float(best.min()),
        "coverage": float(s.loc["lbtools", "coverage"]),
        "min coverage (≥15 cells)": float(big["coverage"].min()) if len(big) else float("nan"),
        "benchmarks ≥15": int(len(big)), "seconds": seconds,
    }, s, per


def _default_external() -> str:
    """``../shared/data/external`` beside the checkout (or beside its parent, for a git worktree in a subfolder)."""
    for base in (ROOT.parent, ROOT.parent.parent):
        if (base / "shared" / "data" / "external").is_dir():
            return str(base / "shared" / "data" / "external")
    return str(ROOT.parent / "shared" / "data" / "external")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--external", default=os.environ.get("LBTOOLS_EXTERNAL") or _default_external())
    ap.add_argument("--seeds", type=int, default=5)
    ap.add_argument("--only", choices=("index", "predict"), default=None)
    ap.add_argument("--quick", action="store_true", help="fewer baselines and draws (a smoke run)")
    args = ap.parse_args(argv)
    root = Path(args.external)
    if not (root / "epoch_stitching").is_dir() or not (root / "obsscaling").is_dir():
        print(f"validate_real: the external tables are not at {root} (set --external or LBTOOLS_EXTERNAL)")
        return 2
    epoch, eci = load_epoch(root)
    obs = load_obsscaling(root)
    now = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    print(f"# lbtools capability model on real tables ({now}; {platform.machine()}, {os.cpu_count()} cores, "
          f"Python {platform.python_version()})\n")
    print(f"Epoch: {epoch['model_id'].nunique()} models × {epoch['dataset_id'].nunique()} benchmarks, {len(epoch)} "
          f"cells; ECI for {eci.index.isin(epoch['model_id'].unique()).sum()} of them. ObsScaling: "
          f"{obs['model_id'].nunique()} × {obs['dataset_id'].nunique()}, {len(obs)} cells.\n")
    verdicts = []

    def verdict(label, ok):
        verdicts.append((label, ok))

    if args.only in (None, "index"):
        # the published scores alone, then with the release date as one more indicator (fit_capability's covariate)
        for covariate, how in ((None, "the scores alone"), ("created_at", "release date as covariate")):
            fit, rho, n_eci, neg, taus, rhos = index_checks(epoch, eci, EPOCH_N_ITEMS, draws=3 if args.quick else 10,
                                                            covariate=covariate)
            print(f"## The index (Epoch table), {how}\n")
            print(f"- {fit!r}")
            for d in fit.diagnostics:
                if not d.startswith("index fit: start"):
                    print(f"- diagnostic: {d}")
            print(f"- Spearman with ECI: **{rho:.3f}** on {n_eci} models (target ≥ 0.95)")
            print(f"- negative discriminations: **{neg}** (target 0)")
            print(f"- 30 % of benchmarks dropped, {len(taus)} draws: Kendall τ with the full fit {min(taus):.3f}–"
                  f"{max(taus):.3f} (target every ≥ 0.85); Spearman with ECI {min(rhos):.3f}–{max(rhos):.3f} "
                  "(target every ≥ 0.90)")
            print(f"  - per draw: τ {', '.join(f'{x:.3f}' for x in taus)}; Spearman with ECI "
                  f"{', '.join(f'{x:.3f}' for x in rhos)}\n")
            verdict(f"{how}: Spearman with ECI ≥ 0.95", rho >= 0.95)
            verdict(f"{how}: no negative discrimination", neg == 0)
            verdict(f"{how}: drop-30 %: τ ≥ 0.85", min(taus) >= 0.85)
            verdict(f"{how}: drop-30 %: Spearman with ECI ≥ 0.90", min(rhos) >= 0.90)

    if args.only in (None, "predict"):
        baselines = cm.BASELINES if not args.quick else ("benchmark mean", "two-way additive (logit)", "IterativeImputer")
        rows, per_tables = [], []
        for name, data, n_items, by in (("Epoch", epoch, EPOCH_N_ITEMS, "random"), ("Epoch", epoch, EPOCH_N_ITEMS, "time"),
                                        ("ObsScaling", obs, OBS_N_ITEMS, "random"), ("ObsScaling", obs, OBS_N_ITEMS, "flops")):
            row, s, per = prediction_rows(name, data, n_items, by, args.seeds, baselines)
            rows.append(row)
            per_tables.append((name, by, s, per))
        table = pd.DataFrame(rows)
        print("## Predictions of hidden published cells (RMSE on 0–100, 90 % intervals)\n")
        print(markdown(table, index=False))
        print()
        for name, by, s, per in per_tables:
            print(f"### {name}, {by} split: every method\n")
            print(markdown(s[["rmse", "coverage", "n_cells"]].astype(float)))
            print()
            print("lbtools per benchmark (≥ 15 hidden cells): " + ", ".join(
                f"{r.dataset_id} {r.coverage:.2f} (n={r.n_cells})" for r in per[per["n_cells"] >= 15].itertuples()))
            low = per[(per["n_cells"] >= 15) & (per["coverage"] < 0.8)]
            if len(low):
                print("\nBelow 0.80: " + "; ".join(
                    f"{r.dataset_id}: {r.above:.0%} of its hidden cells above the interval, {r.below:.0%} below, mean "
                    f"error (published − predicted) {r.error:+.1f} points" for r in low.itertuples()))
            print()
        for r in rows:
            limit = 0.85 if r["table"] == "Epoch" else 1.00
            verdict(f"{r['table']} {r['split']}: RMSE ≤ {limit:.2f}× best baseline", r["ratio"] <= limit)
            verdict(f"{r['table']} {r['split']}: coverage 0.87–0.93", 0.87 <= r["coverage"] <= 0.93)
            if r["benchmarks ≥15"]:
                verdict(f"{r['table']} {r['split']}: every benchmark ≥ 0.80", r["min coverage (≥15 cells)"] >= 0.80)
    print("## Targets (issue #19)\n")
    for label, ok in verdicts:
        print(f"- {'PASS' if ok else 'FAIL'}: {label}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
