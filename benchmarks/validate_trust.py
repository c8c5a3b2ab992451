#!/usr/bin/env python
"""The trust audit's outlier flags on real public tables (``make validate``): inflation planted in real scores.

    python benchmarks/validate_trust.py [--external DIR] [--seeds 5] [--quick]

``lbtools.analysis.flag_outliers`` was measured on a simulated Hub (docs/trust.md). Here the scores are real: Epoch
AI's benchmark-stitching table (178 models × 39 benchmarks, 19 % filled) and ObsScaling's dense base-model table
(148 × 8), read from ``../shared/data/external/`` (or ``--external`` / ``$LBTOOLS_EXTERNAL``) through the loaders of
``validate_real.py``, never copied into the repository. What the real tables lack, who published each score, is
planted as in the simulated Hub of ``tests/trust_world.py``:

- every cell has a first-party entry (published by the model's own organisation) holding the real score;
- 25 % of the cells (as in the simulated Hub; then 50 %), at random, also have an independent (verified) entry
  holding the same real score;
- 6 % of the first-party entries, among scores of at most 80 %, are raised by 10–20 points.

Per table and seed: the AUROC of ``z`` for inflated against clean cells, flags at ``fdr=0.1`` (precision and recall
against the planted inflation), and the flags on the same table with nothing planted: real scores that sit far above
what a model's other scores predict (the table lists them; they are the cells a researcher would be sent to read).

Prints markdown tables. Exits 2 when the tables are not there.
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
sys.path.insert(0, str(Path(__file__).resolve().parent))

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from lbtools import analysis  # noqa: E402
from lbtools.errors import AnalysisWarning  # noqa: E402
from validate_real import load_epoch, load_obsscaling, markdown  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
FDR = 0.1
INDEPENDENT_SHARES = (0.25, 0.5)


def entries(cells: pd.DataFrame, seed: int, *, inflate: bool, share: float) -> tuple[pd.DataFrame, np.ndarray]:
    """Leaderboard entries for the real cells (``model_id``, ``dataset_id``, ``value`` on 0–1) with planted
    provenance; returns the entries and, per cell, the points added to its first-party entry."""
    gen = np.random.default_rng(seed)
    cells = cells.reset_index(drop=True)
    n = len(cells)
    value = cells["value"].to_numpy(dtype=float)
    inflation = np.zeros(n)
    if inflate:
        eligible = np.flatnonzero(value <= 0.8)
        pick = gen.choice(eligible, size=int(round(0.06 * n)), replace=False)
        inflation[pick] = np.round(gen.uniform(10, 20, size=pick.size), 1)
    # a model id the audit can read an organisation from; the first-party entry's author is that organisation
    model_id = "lab-" + cells["model_id"].astype(str).str.replace("/", "-", regex=False) + "/model"
    org = model_id.str.split("/").str[0]
    first = pd.DataFrame({"model_id": model_id, "dataset_id": cells["dataset_id"].astype(str),
                          "value": np.minimum(value + inflation / 100, 1.0), "verified": False, "author": org})
    independent = gen.random(n) < share
    second = pd.DataFrame({"model_id": model_id[independent], "dataset_id": cells["dataset_id"][independent].astype(str),
                           "value": value[independent], "verified": True, "author": "evaluator"})
    data = pd.concat([first, second], ignore_index=True)
    data["value"] = data["value"].astype("Float64")
    data["verified"] = data["verified"].astype("boolean")
    return data, inflation


def auroc(scores: np.ndarray, positive: np.ndarray) -> float:
    from scipy.stats import rankdata

    ranks = rankdata(scores)
    n_pos, n_neg = positive.sum(), (~positive).sum()
    return float((ranks[positive].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))


def audit(cells: pd.DataFrame, seed: int, *, inflate: bool, share: float) -> tuple[pd.DataFrame, np.ndarray]:
    data, inflation = entries(cells, seed, inflate=inflate, share=share)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", AnalysisWarning)
        flags = analysis.flag_outliers(data, fdr=FDR, rng=seed)
    keys = data.iloc[: len(cells)][["model_id", "dataset_id"]].assign(inflation=inflation)
    return flags.merge(keys, on=["model_id", "dataset_id"], how="left"), inflation


def check_table(name: str, cells: pd.DataFrame, seeds: int, share: float) -> tuple[list[dict], pd.DataFrame]:
    rows = []
    for seed in range(seeds):
        started = time.perf_counter()
        flags, _ = audit(cells, seed, inflate=True, share=share)
        inflated = flags["inflation"].to_numpy(dtype=float) > 0
        flagged = flags["flagged"].to_numpy(dtype=bool)
        clean_flags, _ = audit(cells, seed, inflate=False, share=share)
        rows.append({
            "table": name, "independent": share, "seed": seed, "cells": len(cells), "inflated": int(inflated.sum()),
            "AUROC": auroc(flags["z"].to_numpy(dtype=float), inflated),
            "flags": int(flagged.sum()),
            "precision": float(inflated[flagged].mean()) if flagged.any() else float("nan"),
            "recall": float(flagged[inflated].mean()),
            "flags with nothing planted": int(clean_flags["flagged"].sum()),
            "seconds": time.perf_counter() - started,
        })
    untouched = clean_flags[clean_flags["flagged"].to_numpy(dtype=bool)]
    untouched = untouched.assign(model=untouched["model_id"].str.removeprefix("lab-").str.removesuffix("/model"))
    return rows, untouched[["model", "dataset_id", "value", "predicted", "q_value"]]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    default = os.environ.get("LBTOOLS_EXTERNAL") or str(ROOT.parent / "shared" / "data" / "external")
    parser.add_argument("--external", default=default, help="folder holding epoch_stitching/ and obsscaling/ "
                        "(default: %(default)s)")
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="one seed (a smoke run)")
    args = parser.parse_args(argv)
    external = Path(args.external)
    tables = {}
    if (external / "epoch_stitching" / "raw").is_dir():
        tables["Epoch"] = load_epoch(external)[0]
    if (external / "obsscaling" / "raw").is_dir():
        tables["ObsScaling"] = load_obsscaling(external)
    if not tables:
        print(f"Neither epoch_stitching/ nor obsscaling/ is under {external}: nothing to validate (see --external).")
        return 2
    seeds = 1 if args.quick else args.seeds
    print(f"## Outlier flags on real tables with planted inflation (fdr {FDR}, {seeds} seeds)\n")
    print(f"Run {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC on {platform.machine()}, {os.cpu_count()} cores, "
          f"Python {platform.python_version()}.\n")
    rows, found = [], {}
    for name, cells in tables.items():
        for share in INDEPENDENT_SHARES:
            table_rows, found[name, share] = check_table(name, cells[["model_id", "dataset_id", "value"]], seeds,
                                                         share)
            rows += table_rows
    results = pd.DataFrame(rows)
    print(markdown(results, index=False) + "\n")
    for (name, share), flagged in found.items():
        print(f"### {name}, {share:.0%} independent: real scores flagged with nothing planted ({len(flagged)})\n")
        print((markdown(flagged, index=False) if len(flagged) else "None.") + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
