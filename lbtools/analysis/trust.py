"""A trust audit of leaderboard entries: who reported each score, how self-reports compare with independent ones,
which scores to look at twice, and whether stronger models publish more.

The Hub's leaderboards mix results a model's own organisation published (*first party*), results someone else
submitted, often by pull request (*third party*), and results the Hub verified. Each function here is pure: it takes a
loaders' frame (:func:`lbtools.load_leaderboards`) and returns a frame; nothing touches the network.

- :func:`provenance`: each entry's provenance, ``"verified"`` / ``"first_party"`` / ``"third_party"``.
- :func:`self_report_gap`: over cells with both a first-party and an independent value, the mean of first-party −
  independent, with a bootstrap interval (Epoch AI did this for GPQA Diamond against its own runs; this does it
  for every benchmark of a hub, against whatever independent entries it holds).
- :func:`flag_outliers`: every published score against the score the model's *other* published scores predict
  (cross-fitted with lbtools' capability model), a one-sided conformal p-value calibrated on the independent entries
  (after Bates et al. 2023; approximately valid, see the function), Benjamini–Hochberg q-values. The idea of
  comparing a model's score with what it should get from reference information is ConStat's (Dekoninck et al.
  2024); here the reference is the model's own results on other benchmarks and other models' results.
- :func:`selective_reporting`: per benchmark, the odds of a model publishing it per +10 points of its predicted
  score (logistic regression).

**A flag is a reason to look, not a verdict.** A published score far above what a model's other scores predict may
be inflated, contaminated, run with a different setup (more samples, tools, a different subset), or simply a model
that is unusually good at one thing. Read the source before concluding anything.

Measured by simulation with a known truth (``tests/test_trust.py``, ``tests/trust_world.py``; see
``docs/trust.md``): 160 models × 14 benchmarks, 6 % of first-party scores inflated by 10–20 points, 25 % of cells
with an independent entry — the numbers are in each function's docstring.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping

import numpy as np
import pandas as pd

from .._format import count
from ..errors import AnalysisWarning, user_stacklevel
from ._checks import as_generator, check_probability, require_columns
from .capability import _parts
from .tables import detect_scale, organisation

__all__ = ["PROVENANCES", "flag_outliers", "provenance", "selective_reporting", "self_report_gap"]

PROVENANCES = ("verified", "first_party", "third_party")
_INDEPENDENT = ("verified", "third_party")
_HUB = "https://huggingface.co"
_FOLDS = 10
_N_BOOT = 2000
_MIN_CALIBRATION = 20  # fewer independent cells than this: calibrate on every published cell (conservative)


def _check_frame(data, func: str) -> None:
    if not isinstance(data, pd.DataFrame):
        raise TypeError(f"{func}: data must be a pandas DataFrame (the load_leaderboards shape); "
                        f"got {type(data).__name__}")
    require_columns(data, ("model_id", "dataset_id", "value"), func, name="data")


def _keep_attrs(out: pd.DataFrame, data: pd.DataFrame) -> pd.DataFrame:
    out.attrs = {k: data.attrs[k] for k in ("source", "fetched_at") if k in data.attrs}
    return out


# --------------------------------------------------------------------------------------------
# provenance


def provenance(data: pd.DataFrame) -> pd.DataFrame:
    """Each entry's provenance: verified by the Hub, published by the model's own organisation, or by someone else.

    - ``"verified"``: the entry is verified (``verified`` is True);
    - ``"first_party"``: not verified, and ``author`` (the account that published the entry) is the model's
      organisation, the part of ``model_id`` before ``/`` (compared case-insensitively);
    - ``"third_party"``: not verified, published by anyone else (a community member or another organisation);
    - missing (``<NA>``): the entry carries no provenance — ``verified`` is missing (entries reconstructed from the
      aggregate Parquet, as in the bundled snapshot, have none), or it is unverified with no ``author``.

    On the live Hub ``author`` is the account the leaderboard names for the entry; a result merged from a community
    pull request into the model's own repository may be named after the repository's owner, so a
    ``pull_request`` number beside a ``first_party`` entry is worth a look (the column is kept).

    Parameters
    ----------
    data : DataFrame
        Leaderboard entries (:func:`lbtools.load_leaderboards`): ``model_id`` required; ``verified`` and ``author``
        used where present.

    Returns
    -------
    DataFrame
        The same rows (index, order, columns, attrs) plus ``provenance`` (string: one of :data:`PROVENANCES` or NA).
    """
    if not isinstance(data, pd.DataFrame):
        raise TypeError(f"provenance: data must be a pandas DataFrame; got {type(data).__name__}")
    require_columns(data, ("model_id",), "provenance", name="data")
    n = len(data)
    verified = (data["verified"].astype("boolean") if "verified" in data.columns
                else pd.Series(pd.array([pd.NA] * n, dtype="boolean"), index=data.index))
    author = (data["author"].astype("string") if "author" in data.columns
              else pd.Series(pd.array([pd.NA] * n, dtype="string"), index=data.index))
    org = organisation(data["model_id"].astype("string")).str.casefold()
    same = author.str.casefold() == org
    out = pd.Series(pd.array([pd.NA] * n, dtype="string"), index=data.index)
    known = verified.notna().to_numpy(dtype=bool)
    is_verified = verified.fillna(False).to_numpy(dtype=bool)
    has_author = author.notna().to_numpy(dtype=bool)
    first = same.fillna(False).to_numpy(dtype=bool)
    out[known & is_verified] = "verified"
    out[known & ~is_verified & has_author & first] = "first_party"
    out[known & ~is_verified & has_author & ~first] = "third_party"
    result = data.copy()
    result["provenance"] = out
    result.attrs = dict(data.attrs)
    return result


def _with_provenance(data: pd.DataFrame) -> pd.DataFrame:
    return data if "provenance" in data.columns else provenance(data)


# --------------------------------------------------------------------------------------------
# cells: one tested entry and (where there is one) one independent entry per (model, benchmark)


def _goodness_pct(values: np.ndarray, scale: np.ndarray, lower: np.ndarray) -> np.ndarray:
    v = np.where(scale == "0-1", values * 100.0, values)
    return np.where(lower, 100.0 - v, v)


def _from_goodness(pct: np.ndarray, scale: np.ndarray, lower: np.ndarray) -> np.ndarray:
    v = np.where(lower, 100.0 - pct, pct)
    return np.where(scale == "0-1", v / 100.0, v)


def _entries(data: pd.DataFrame, func: str, notes: list) -> pd.DataFrame:
    """Entries with a finite value on a benchmark with a known scale, with ``pct`` (goodness on 0–100)."""
    df = _with_provenance(data)
    df = df[df["model_id"].notna() & df["dataset_id"].notna()].copy()
    df["value_f"] = pd.to_numeric(df["value"], errors="coerce").astype("float64")
    bad = ~np.isfinite(df["value_f"].to_numpy())
    if bad.any():
        notes.append(f"{int(bad.sum())} entr{'y' if bad.sum() == 1 else 'ies'} without a finite value left out")
    df = df[~bad]
    df["model_id"] = df["model_id"].astype(str)
    df["dataset_id"] = df["dataset_id"].astype(str)
    scales, lowers, dropped = {}, {}, []
    for b, rows in df.groupby("dataset_id", sort=True):
        s = detect_scale(rows["value_f"])
        if s == "unknown":
            dropped.append(b)
            continue
        scales[b] = s
        lowers[b] = "lower_is_better" in rows.columns and bool(
            rows["lower_is_better"].astype("boolean").fillna(False).any())
    if dropped:
        notes.append(f"scale unknown (not 0–1 or 0–100), left out: {', '.join(dropped)}")
    df = df[df["dataset_id"].isin(list(scales))]
    df["scale"] = df["dataset_id"].map(scales).astype(object)
    df["lower"] = df["dataset_id"].map(lowers).astype(bool)
    df["pct"] = _goodness_pct(df["value_f"].to_numpy(), df["scale"].to_numpy(), df["lower"].to_numpy())
    df["_order"] = np.arange(len(df))
    return df


def _pick(df: pd.DataFrame, order: dict) -> pd.DataFrame:
    """One entry per cell: by ``order`` of provenance (lower first), then the better value, then input order."""
    rank = df["provenance"].map(order).fillna(len(order)).astype(int)
    chosen = df.assign(_rank=rank).sort_values(["_rank", "pct", "_order"], ascending=[True, False, True])
    return chosen.drop_duplicates(["model_id", "dataset_id"], keep="first").drop(columns="_rank")


def _cells(entries: pd.DataFrame) -> pd.DataFrame:
    """One row per published cell: the tested entry (first party where there is one) and the independent value."""
    tested = _pick(entries, {"first_party": 0, "verified": 1, "third_party": 2})
    indep = _pick(entries[entries["provenance"].isin(_INDEPENDENT)], {"verified": 0, "third_party": 1})
    indep = indep[["model_id", "dataset_id", "pct"]].rename(columns={"pct": "indep_pct"})
    cells = tested.merge(indep, on=["model_id", "dataset_id"], how="left")
    return cells.sort_values(["model_id", "dataset_id"]).reset_index(drop=True)


def _n_items_map(n_items, benchmarks, func: str) -> dict:
    """``n_items`` (a number, a mapping or the ``benchmark_sizes()`` frame) as {dataset_id: count}; no network."""
    if n_items is None:
        return {}
    if isinstance(n_items, pd.DataFrame):
        require_columns(n_items, ("dataset_id", "n_items"), func, name="n_items")
        first = n_items.drop_duplicates("dataset_id").dropna(subset=["n_items"])
        n_items = dict(zip(first["dataset_id"].astype(str), first["n_items"].astype(float)))
    if isinstance(n_items, Mapping):
        out = {}
        for b in benchmarks:
            v = n_items.get(b)
            if v is not None and not pd.isna(v):
                v = float(v)
                if not np.isfinite(v) or v < 1:
                    raise ValueError(f"{func}: n_items[{b!r}] must be a positive number; got {n_items[b]!r}")
                out[b] = v
        return out
    if isinstance(n_items, bool) or not isinstance(n_items, (int, float, np.integer, np.floating)) or not n_items >= 1:
        raise TypeError(f"{func}: n_items must be a positive number, a mapping dataset_id → items or the "
                        f"lbtools.benchmark_sizes() frame; got {n_items!r}")
    return {b: float(n_items) for b in benchmarks}


# --------------------------------------------------------------------------------------------
# the one place that talks to the capability model


def _cross_fitted(cells: pd.DataFrame, folds: int, rng: np.random.Generator, n_items: dict) -> pd.DataFrame:
    """Every (model, benchmark) of ``cells`` predicted without its own published value.

    ``cells``: one row per published cell with ``model_id``, ``dataset_id`` and ``fit_pct`` (the value the fit
    uses, goodness on 0–100). Returns the full model × benchmark grid with ``published`` (bool), ``mu`` and ``sd``
    (the capability model's mean and standard deviation of a newly published score, logit of the goodness
    fraction), ``sd_model`` (the same without the binomial term): out of fold (``folds``-fold cross-fitting, ``k``
    and the penalty chosen on the same folds) for the published cells, from the fit on every published cell for
    the others; ``n_items`` (NaN where unknown); ``k``, ``penalty``, ``cv_rmse`` (0–100) of the chosen fit.

    The one place that talks to the capability model (its array-level fit, not its frame API: the trust audit
    chooses which value of a cell the fit sees, and needs the grid's unpublished cells too): the fit_capability
    numerics (``_capmodel``: EM from several starts, ``CrossFitter``).
    """
    from . import _capmodel as cm

    models = np.array(sorted(cells["model_id"].unique()), dtype=object)
    benches = np.array(sorted(cells["dataset_id"].unique()), dtype=object)
    rows = pd.Index(models).get_indexer(cells["model_id"])
    cols = pd.Index(benches).get_indexer(cells["dataset_id"])
    pct = np.full((len(models), len(benches)), np.nan)
    pct[rows, cols] = cells["fit_pct"].to_numpy(dtype=float)
    mask = np.isfinite(pct)
    n, m = pct.shape
    counts = np.array([n_items.get(b, np.nan) for b in benches], dtype=float)
    n_folds = int(min(folds, max(2, mask.sum() // 10)))
    y, binom = cm.to_logit(pct, counts)
    fold = cm.make_folds(mask, n_folds, rng)
    fitter = cm.CrossFitter(y, mask, binom, counts, fold, np.ones(n, dtype=bool),
                            cm.max_k(n, m, int(mask.sum())))
    k, lam, errors = fitter.select(())
    mu, sd = np.full(pct.shape, np.nan), np.full(pct.shape, np.nan)
    for f in range(fitter.n_folds):
        held = fold == f
        mu_f, sd_f = fitter.predict_all({f}, k, lam)
        mu[held], sd[held] = mu_f[held], sd_f[held]
    mu_all, sd_all = fitter.predict_all((), k, lam)
    # a published cell is predicted from its model's other scores only if its fold's training cells hold one of
    # them, in the part of the table its benchmark is tied to (a model with none is a part of its own); else its
    # "prediction" is the benchmark's mean
    informed = np.zeros(pct.shape, dtype=bool)
    for f in range(fitter.n_folds):
        model_part, bench_part, _ = _parts(mask & (fold != f))
        held = mask & (fold == f)
        informed[held] = (model_part[:, None] == bench_part[None, :])[held]
    var = np.where(mask, sd, sd_all) ** 2
    mu = np.where(mask, mu, mu_all)
    binom_var = cm.binomial_var(mu, np.broadcast_to(counts, mu.shape))
    best = (k, lam)
    return pd.DataFrame({
        "model_id": np.repeat(models, m), "dataset_id": np.tile(benches, n),
        "published": mask.ravel(), "informed": informed.ravel(), "mu": mu.ravel(), "sd": np.sqrt(var).ravel(),
        "sd_model": np.sqrt(np.maximum(var - binom_var, 1e-12)).ravel(), "n_items": np.tile(counts, n),
    }).assign(k=best[0], penalty=best[1], cv_rmse=errors[best])


def _logit_pct(pct: np.ndarray, n_items: np.ndarray) -> np.ndarray:
    """Logit of scores on 0–100, clipped half an item from 0 and 100 (0.5 % where the item count is unknown)."""
    known = np.isfinite(n_items)
    clip = np.minimum(np.where(known, 0.5 / np.where(known, n_items, 1.0), 0.005), 0.25)
    p = np.clip(pct / 100.0, clip, 1.0 - clip)
    return np.log(p) - np.log1p(-p)


_GH_X, _GH_W = np.polynomial.hermite.hermgauss(24)


def _upper_z(pct: np.ndarray, mu: np.ndarray, sd: np.ndarray, sd_model: np.ndarray, n_items: np.ndarray) -> np.ndarray:
    """How far above its prediction each published score is, as a standard normal quantile.

    With the item count ``n`` known, the predictive distribution of a newly published score is
    ``Binomial(n, sigmoid(y)) / n`` with ``y ~ N(mu, sd_model²)`` (the model's uncertainty without the binomial
    term); the mid-p upper tail ``P(X > k) + P(X = k) / 2`` at the published count ``k`` is integrated over ``y``
    by Gauss–Hermite quadrature and mapped to ``z = Φ⁻¹(1 − tail)``. This stays sensible at 0 and 100 %, where
    the logit of a clipped score would be an arbitrary large number. Without an item count,
    ``z = (logit(score) − mu) / sd`` on the logit scale (scores clipped at 0.5 % / 99.5 %).
    """
    from scipy.stats import binom, norm

    z = (_logit_pct(pct, n_items) - mu) / sd
    known = np.isfinite(n_items) & np.isfinite(pct)
    if known.any():
        n = n_items[known]
        k = np.clip(np.round(pct[known] / 100.0 * n), 0, n)
        y = mu[known][:, None] + np.sqrt(2.0) * sd_model[known][:, None] * _GH_X[None, :]
        p = 1.0 / (1.0 + np.exp(-y))
        tail = binom.sf(k[:, None], n[:, None], p) + 0.5 * binom.pmf(k[:, None], n[:, None], p)
        tail = (tail * _GH_W[None, :]).sum(axis=1) / np.sqrt(np.pi)
        z[known] = norm.isf(np.clip(tail, 1e-15, 1.0 - 1e-15))
    return z


def _expected_pct(mu, sd):
    # E[sigmoid(y)] for y ~ N(mu, sd²) (probit approximation), as the capability model's point prediction.
    return 100.0 / (1.0 + np.exp(-mu / np.sqrt(1.0 + np.pi * sd**2 / 8.0)))


def _sigmoid_pct(x):
    return 100.0 / (1.0 + np.exp(-x))


# --------------------------------------------------------------------------------------------
# self-report gap


def self_report_gap(data: pd.DataFrame, *, level: float = 0.9, by: str = "dataset_id", rng=0) -> pd.DataFrame:
    """How much higher a model's own organisation reports a score than an independent entry for the same cell.

    Over the (model, benchmark) cells that hold both a first-party value and an independent one (verified, or else
    third party; see :func:`provenance`), the mean of first-party − independent, with a bootstrap interval: the
    comparison Epoch AI made for GPQA Diamond (self-reported scores against its own runs), for every benchmark
    of the data. Several entries of one kind in a cell are averaged (verified entries are preferred over third-party
    ones as the independent value). Gaps are in points on 0–100 (a benchmark published on 0–1 is multiplied by
    100), signed so that a positive gap means the self-report is *better* (for lower-is-better benchmarks, lower).

    The interval is a percentile bootstrap that resamples models (all of a model's cells together, since one
    organisation's reporting habits are shared by its cells), 2000 resamples.

    Measured on the simulated Hub of ``tests/test_trust.py`` (160 models × 14 benchmarks, 6 % of first-party
    scores inflated by 10–20 points, 25 % of cells with an independent entry; seed 0, 289 pairs): the ``"(all)"``
    gap 0.87 points (90 % interval 0.33 to 1.46) around a true mean gap of 0.93; without inflation −0.02 (−0.29
    to 0.22). Over 10 seeds the interval held the true gap and excluded 0 in 10 of 10 worlds, and held 0 in 8 of 10
    worlds without inflation (a 90 % interval; see docs/trust.md).

    Parameters
    ----------
    data : DataFrame
        Leaderboard entries with ``model_id``, ``dataset_id``, ``value``, ``verified`` and ``author`` (or a
        ``provenance`` column from :func:`provenance`).
    level : float
        Coverage of the interval.
    by : str
        The column the rows are grouped by: ``"dataset_id"`` (one row per benchmark), ``"author"`` (per
        organisation: the first-party entry's author) or any other column of ``data`` (taken from the first-party
        entry).
    rng : int or numpy.random.Generator
        Seeds the bootstrap.

    Returns
    -------
    DataFrame
        One row per group with at least one pair (sorted by ``by``) and a last row ``"(all)"``: ``<by>`` (string),
        ``n_pairs`` (Int64), ``gap``, ``gap_low``, ``gap_high`` (Float64; the interval is NA with fewer than 2
        models in a group). With no pairs at all, only the ``"(all)"`` row, ``n_pairs`` 0 and NA values, and an
        ``AnalysisWarning`` saying why.

    References
    ----------
    Epoch AI (2025). "AI developers accurately report GPQA Diamond scores for recent models."
    https://epoch.ai/data-insights/self-reported-gpqa

    Efron, B. & Tibshirani, R. (1993). *An Introduction to the Bootstrap*, ch. 13 (percentile intervals).
    """
    func = "self_report_gap"
    _check_frame(data, func)
    level = check_probability(level, "level", func)
    gen = as_generator(rng, func)
    if not isinstance(by, str) or (by not in data.columns and by != "author"):
        raise ValueError(f"{func}: by must name a column of data (e.g. 'dataset_id' or 'author'); got by={by!r}")
    notes: list = []
    entries = _entries(data, func, notes)
    if by not in entries.columns:
        entries[by] = organisation(entries["model_id"])
    first = entries[entries["provenance"] == "first_party"]
    ver = entries[entries["provenance"] == "verified"]
    third = entries[entries["provenance"] == "third_party"]
    keys = ["model_id", "dataset_id"]
    fp = first.groupby(keys, sort=True).agg(first_pct=("pct", "mean"), group=(by, "first")).reset_index()
    ind = pd.concat([
        ver.groupby(keys)["pct"].mean().rename("indep_pct").reset_index().assign(_p=0),
        third.groupby(keys)["pct"].mean().rename("indep_pct").reset_index().assign(_p=1),
    ]).sort_values(["_p"]).drop_duplicates(keys)
    pairs = fp.merge(ind[keys + ["indep_pct"]], on=keys, how="inner")
    pairs["gap"] = pairs["first_pct"] - pairs["indep_pct"]
    if entries["provenance"].isna().all():
        notes.append("no entry in this data carries provenance (verified/author): no self-report can be compared")
    elif pairs.empty:
        notes.append("no cell has both a first-party and an independent score: nothing to compare")
    for note in notes:
        warnings.warn(note, AnalysisWarning, stacklevel=user_stacklevel())

    alpha = 1.0 - level

    def summary(frame):
        n = len(frame)
        if n == 0:
            return 0, np.nan, np.nan, np.nan
        gap = float(frame["gap"].mean())
        per_model = frame.groupby("model_id")["gap"].agg(["sum", "count"])
        if len(per_model) < 2:
            return n, gap, np.nan, np.nan
        sums, counts = per_model["sum"].to_numpy(), per_model["count"].to_numpy(dtype=float)
        draw = gen.integers(0, len(per_model), size=(_N_BOOT, len(per_model)))
        boot = sums[draw].sum(axis=1) / counts[draw].sum(axis=1)
        low, high = np.quantile(boot, [alpha / 2, 1 - alpha / 2])
        return n, gap, float(low), float(high)

    rows = []
    for group, frame in pairs.groupby("group", sort=True):
        rows.append((str(group), *summary(frame)))
    rows.append(("(all)", *summary(pairs)))
    out = pd.DataFrame(rows, columns=[by, "n_pairs", "gap", "gap_low", "gap_high"]).astype(
        {by: "string", "n_pairs": "Int64", "gap": "Float64", "gap_low": "Float64", "gap_high": "Float64"})
    out.attrs = {k: data.attrs[k] for k in ("source", "fetched_at") if k in data.attrs}
    out.attrs["notes"] = notes
    return out


# --------------------------------------------------------------------------------------------
# outliers


def _conformal_p(scores: np.ndarray, calibration: np.ndarray, own: np.ndarray) -> np.ndarray:
    """p = (1 + #{calibration ≥ s}) / (n_cal + 1), leaving out the cell's own calibration score (``own``, NaN if
    it has none)."""
    cal = np.sort(calibration)
    n = cal.size
    geq = n - np.searchsorted(cal, scores, side="left")
    has_own = np.isfinite(own)
    geq = geq - (has_own & (own >= scores))
    n_cal = n - has_own
    return (1.0 + geq) / (n_cal + 1.0)


def _bh(p: np.ndarray) -> np.ndarray:
    """Benjamini–Hochberg adjusted p-values (q-values)."""
    m = p.size
    if m == 0:
        return p
    order = np.argsort(p, kind="mergesort")
    ranked = p[order] * m / np.arange(1, m + 1)
    q = np.minimum.accumulate(ranked[::-1])[::-1]
    out = np.empty(m)
    out[order] = np.minimum(q, 1.0)
    return out


def _link(model_id, pull_request, filename, source_url):
    if pull_request is not None and not pd.isna(pull_request):
        return f"{_HUB}/{model_id}/discussions/{int(pull_request)}"
    if isinstance(filename, str) and filename:
        return f"{_HUB}/{model_id}/blob/main/{filename.lstrip('/')}"
    if isinstance(source_url, str) and source_url:
        return source_url
    return pd.NA


def flag_outliers(data: pd.DataFrame, *, fdr: float = 0.1, level: float = 0.9, rng=0, n_items=None) -> pd.DataFrame:
    """Published scores well above what the model's other published scores predict, flagged at a false discovery
    rate controlled approximately (Benjamini–Hochberg on conformal p-values; see step 4).

    **A flag is a reason to look, not a verdict**: a score far above prediction may be inflated or contaminated,
    or run with another setup (more samples, tools, a subset), or the model may simply be unusually good at this
    benchmark. Read the source (``link``) first.

    Method:

    1. One row per published (model, benchmark) cell: the first-party entry where the cell has several (the
       better value if several), else the verified, else the third-party entry (:func:`provenance`).
    2. Each cell is predicted with the cell left out: lbtools' capability model (a logit item-response / factor
       model, see :mod:`lbtools.analysis.capability`) is fitted 10 times, each time without a tenth of the cells
       (cross-fitting), ``k`` and the penalty chosen on the same folds. The fit uses the independent value of a
       cell where it has one, so an inflated self-report does not pull the model's other predictions up. A cell
       whose model has no other score in the fit that left it out (or none tied to its benchmark through shared
       models) is **not tested**: its "prediction" would be the benchmark's mean, not what the model's other
       scores imply; ``predicted``, ``z``, ``p_value`` and ``q_value`` are NA, it is listed last, calibrates
       nothing, and a warning counts such cells.
    3. One-sided score ``z``: how far above the predictive distribution of a newly published score the value is,
       as a standard normal quantile. The prediction is ``y ~ N(mu, sd²)`` on the logit scale (posterior of the
       model's ability, the benchmark's parameters and misfit); with the item count ``n`` known, the published
       score is ``Binomial(n, sigmoid(y)) / n`` and ``z = Φ⁻¹(1 − mid-p upper tail)`` (sensible at 0 and 100 %),
       else ``z = (logit(value) − mu) / sd``.
    4. Conformal p-value (Bates et al. 2023): ``p = (1 + #{calibration scores ≥ z}) / (n_cal + 1)``, the
       calibration scores being the same scores of the **independent** entries (verified or third party: nobody
       reports them about their own model), which are exchangeable with clean first-party scores if self-reports
       are not inflated. With fewer than 20 independent cells every published cell calibrates (conservative: few or
       no flags) and an ``AnalysisWarning`` says so. The smallest possible p-value is ``1 / (n_cal + 1)``, so BH
       flags either nothing or at least ``m / (fdr (n_cal + 1))`` cells at once (``attrs["trust"]["min_flags"]``;
       a warning names it when nothing is flagged). Bates et al. prove BH's FDR control for conformal p-values
       from a score fitted apart from the calibration and test cells, with one calibration set shared by every
       test cell. Here the scores are cross-fitted on all cells, ``k`` and the penalty chosen on the same folds,
       and a cell's own independent score is left out of its calibration set, so the control is approximate:
       measured, no flag in any of 10 simulated worlds without inflation nor on real tables with nothing planted
       (docs/trust.md).
    5. ``q_value``: Benjamini–Hochberg (1995) over all cells; ``flagged = q_value <= fdr``.
    6. ``pred_low``/``pred_high``: ``sigmoid(mu ± q·sd)`` with ``q`` the conformal ``level`` quantile of ``|z|``
       over the same calibration scores, on the benchmark's published scale: the normalised-score construction of
       Lei et al. (2018) where item counts are unknown (``z`` is then the logit residual it inverts); with counts,
       ``z`` is the binomial score and the interval an approximation of its inversion (coverage of the
       third-party entries 0.898 against 0.902 for ``|z| ≤ q`` on the simulated Hub).

    Measured on the simulated Hub of ``tests/test_trust.py`` (160 models × 14 benchmarks, 6 % of first-party
    scores inflated by 10–20 points, 25 % of cells with an independent entry; seed 0): AUROC 0.984 of ``z`` for
    inflated against clean cells; at ``fdr=0.1`` 46 flags, 45 of them inflated (precision 0.98, recall 45/77 =
    0.58); 0 flags on the same world without inflation. Over 10 seeds: AUROC 0.956–0.993, precision 0.84–0.98,
    recall 0.43–0.77 (≥ 0.50 in 9 of 10), 0 flags in each world without inflation (docs/trust.md).

    Parameters
    ----------
    data : DataFrame
        Leaderboard entries (:func:`lbtools.load_leaderboards`): ``model_id``, ``dataset_id``, ``value``;
        ``verified``/``author`` (or ``provenance``), ``lower_is_better``, ``source_url``, ``pull_request``,
        ``filename`` used where present.
    fdr : float
        The false discovery rate Benjamini–Hochberg targets (controlled approximately, see step 4).
    level : float
        Coverage of the prediction intervals.
    rng : int or numpy.random.Generator
        Seeds the folds.
    n_items : number, mapping or the ``lbtools.benchmark_sizes()`` frame, optional
        Items per benchmark, for the binomial-noise term; benchmarks without a count have their noise estimated
        from the residuals alone. Never fetched here.

    Returns
    -------
    DataFrame
        One row per published cell, most suspicious first (ascending ``p_value``, then ``z`` descending):
        ``model_id``, ``dataset_id`` (string); ``value`` (Float64, the tested entry as published); ``predicted``
        (the predictive median, where ``z`` is 0), ``pred_low``, ``pred_high`` (Float64, published scale; NA for
        a cell not tested); ``z``, ``p_value``, ``q_value`` (Float64);
        ``flagged`` (boolean); ``provenance`` (string); ``source_url`` (string, the entry's own source);
        ``link`` (string: the pull request, else the result file in the model's repository, else the source URL);
        ``author``, ``pull_request`` where ``data`` has them. ``attrs["trust"]``: ``n_calibration``,
        ``calibration`` (``"independent"`` or ``"all"``), ``min_flags``, ``k``, ``penalty``, ``cv_rmse``, ``notes``.

    References
    ----------
    Bates, S., Candès, E., Lei, L., Romano, Y. & Sesia, M. (2023). Testing for outliers with conformal p-values.
    *Annals of Statistics* 51(1), 149–178.

    Benjamini, Y. & Hochberg, Y. (1995). Controlling the false discovery rate: a practical and powerful approach
    to multiple testing. *JRSS B* 57(1), 289–300.

    Lei, J., G'Sell, M., Rinaldo, A., Tibshirani, R. J. & Wasserman, L. (2018). Distribution-free predictive
    inference for regression. *JASA* 113(523), 1094–1111.

    Dekoninck, J., Müller, M. N. & Vechev, M. (2024). ConStat: performance-based contamination detection in large
    language models. *NeurIPS 2024*. https://github.com/eth-sri/ConStat
    """
    func = "flag_outliers"
    _check_frame(data, func)
    fdr = check_probability(fdr, "fdr", func)
    level = check_probability(level, "level", func)
    gen = as_generator(rng, func)
    notes: list = []
    entries = _entries(data, func, notes)
    cells = _cells(entries)
    if cells["dataset_id"].nunique() < 2 or cells["model_id"].nunique() < 3:
        raise ValueError(f"{func}: data must hold scores of at least 3 models on at least 2 benchmarks with a 0–1 or "
                         "0–100 scale")
    counts = _n_items_map(n_items, sorted(cells["dataset_id"].unique()), func)
    cells["fit_pct"] = cells["indep_pct"].where(cells["indep_pct"].notna(), cells["pct"])
    grid = _cross_fitted(cells, _FOLDS, gen, counts)
    pub = grid[grid["published"]].drop(columns="published")
    cells = cells.merge(pub, on=["model_id", "dataset_id"], how="left")
    items = cells["n_items"].to_numpy(dtype=float)
    mu, sd = cells["mu"].to_numpy(dtype=float), cells["sd"].to_numpy(dtype=float)
    sd_model = cells["sd_model"].to_numpy(dtype=float)

    informed = cells["informed"].to_numpy(dtype=bool)

    def score(pct):  # NaN where nothing else the model published predicts the cell: not tested, not calibrating
        return np.where(informed, _upper_z(pct, mu, sd, sd_model, items), np.nan)

    z = score(cells["pct"].to_numpy(dtype=float))
    if not informed.all():
        alone = int((~informed).sum())
        notes.append(f"{count(alone, 'published score')} {'is' if alone == 1 else 'are'} not tested: nothing else "
                     f"{'its model' if alone == 1 else 'their models'} published predicts "
                     f"{'it' if alone == 1 else 'them'} (no other score, or none tied to that benchmark)")
    has_indep = cells["indep_pct"].notna().to_numpy() & informed
    z_indep = np.where(has_indep, score(cells["indep_pct"].to_numpy(dtype=float)), np.nan)
    if has_indep.sum() >= _MIN_CALIBRATION:
        calibration, own, how = z_indep[has_indep], z_indep, "independent"
    else:
        z_fit = score(cells["fit_pct"].to_numpy(dtype=float))
        calibration, own, how = z_fit, z_fit, "all"
        if cells["provenance"].isna().all():
            notes.append(
                "no entry in this data carries provenance (verified/author; entries reconstructed from the aggregate "
                "have none): p-values are calibrated on every published cell, which is valid but conservative, "
                "and almost nothing can be flagged — the z column still shows how far each score is from prediction")
        else:
            notes.append(
                (f"only {count(int(has_indep.sum()), 'cell')} {'has' if int(has_indep.sum()) == 1 else 'have'}"
                 if has_indep.any() else "no cell has") + " an independent (verified or third-party) entry: p-values "
                "are calibrated on every published cell, which is valid but conservative — an inflated score raises "
                "the bar for the others, and few or no cells can be flagged")
    n_cal = int(np.isfinite(calibration).sum())
    p = np.full(len(cells), np.nan)
    p[informed] = _conformal_p(z[informed], calibration[np.isfinite(calibration)], own[informed])
    q = np.full(len(cells), np.nan)
    q[informed] = _bh(p[informed])  # over the cells tested only
    m = int(informed.sum())
    need = int(np.ceil(m / (fdr * (n_cal + 1)))) if n_cal else m
    if how == "independent" and need > 1 and not (q <= fdr).any():
        notes.append(
            f"{n_cal} independent cells calibrate the p-values, so the smallest is 1/{n_cal + 1}: at fdr={fdr:g} "
            f"over {m} cells Benjamini–Hochberg flags either nothing or at least {need} cells at once (that many "
            "above every independent score, or more cells above nearly every one)")
    absz = np.sort(np.abs(calibration[np.isfinite(calibration)]))
    rank = int(np.ceil((absz.size + 1) * level))
    qz = float(absz[rank - 1]) if 1 <= rank <= absz.size else np.inf
    scale, lower = cells["scale"].to_numpy(), cells["lower"].to_numpy()
    # the prediction is the predictive median, the point z = 0 refers to (its mean, on a skewed distribution, is not)
    pred = np.where(informed, _from_goodness(_sigmoid_pct(mu), scale, lower), np.nan)
    lo = np.where(informed, _from_goodness(_sigmoid_pct(mu - qz * sd), scale, lower), np.nan)
    hi = np.where(informed, _from_goodness(_sigmoid_pct(mu + qz * sd), scale, lower), np.nan)
    for note in notes:
        warnings.warn(note, AnalysisWarning, stacklevel=user_stacklevel())

    def col(name):  # a column a plain frame (not a loader's) may lack: NA in every cell
        return cells[name] if name in cells.columns else pd.Series([pd.NA] * len(cells), index=cells.index)

    out = pd.DataFrame({
        "model_id": pd.array(cells["model_id"], dtype="string"),
        "dataset_id": pd.array(cells["dataset_id"], dtype="string"),
        "value": pd.array(cells["value_f"].to_numpy(dtype=float), dtype="Float64"),
        "predicted": pd.array(pred, dtype="Float64"),
        "pred_low": pd.array(np.minimum(lo, hi), dtype="Float64"),
        "pred_high": pd.array(np.maximum(lo, hi), dtype="Float64"),
        "z": pd.array(z, dtype="Float64"),
        "p_value": pd.array(p, dtype="Float64"),
        "q_value": pd.array(q, dtype="Float64"),
        "flagged": pd.array(np.nan_to_num(q, nan=1.0) <= fdr, dtype="boolean"),
        "provenance": pd.array(cells["provenance"], dtype="string"),
        "source_url": pd.array(col("source_url").astype(object).where(col("source_url").notna(), None),
                               dtype="string"),
        "link": pd.array([_link(mi, pr, fn, su) for mi, pr, fn, su in zip(
            cells["model_id"], col("pull_request"), col("filename"), col("source_url"))], dtype="string"),
    })
    if "author" in cells.columns:
        out["author"] = pd.array(cells["author"].astype(object).where(cells["author"].notna(), None), dtype="string")
    if "pull_request" in cells.columns:
        out["pull_request"] = pd.array(pd.to_numeric(cells["pull_request"], errors="coerce"), dtype="Int64")
    # most suspicious first; the untested (NaN) last
    out = out.iloc[np.lexsort((out["dataset_id"].to_numpy(dtype=object), out["model_id"].to_numpy(dtype=object),
                               np.nan_to_num(-z, nan=np.inf), np.nan_to_num(p, nan=np.inf)))].reset_index(drop=True)
    _keep_attrs(out, data)
    out.attrs["trust"] = {"n_calibration": n_cal, "calibration": how, "fdr": fdr, "level": level,
                          "min_flags": need, "k": int(grid["k"].iloc[0]), "penalty": float(grid["penalty"].iloc[0]),
                          "cv_rmse": float(grid["cv_rmse"].iloc[0]), "notes": list(notes)}
    return out


# --------------------------------------------------------------------------------------------
# selective reporting


def _logistic(x: np.ndarray, y: np.ndarray, max_iter: int = 50):
    """Intercept and slope of a logistic regression by Newton–Raphson, and the slope's standard error."""
    X = np.column_stack([np.ones_like(x), x])
    beta = np.zeros(2)
    for _ in range(max_iter):
        eta = X @ beta
        p = 1.0 / (1.0 + np.exp(-eta))
        w = p * (1 - p)
        H = X.T @ (X * w[:, None]) + 1e-8 * np.eye(2)
        step = np.linalg.solve(H, X.T @ (y - p))
        beta = beta + step
        if np.max(np.abs(step)) < 1e-8:
            break
    p = 1.0 / (1.0 + np.exp(-(X @ beta)))
    cov = np.linalg.inv(X.T @ (X * (p * (1 - p))[:, None]) + 1e-8 * np.eye(2))
    return beta, float(np.sqrt(cov[1, 1]))


def selective_reporting(data: pd.DataFrame, *, level: float = 0.9) -> pd.DataFrame:
    """Per benchmark, how the chance that a model's score is published grows with the model's predicted score.

    For every model with at least 2 published scores and every benchmark, the capability model's predicted score
    (points on 0–100, goodness) — cross-fitted for the published cells (10 folds, the cell left out, as in
    :func:`flag_outliers`), from the fit on all cells for the unpublished ones — and whether the cell is published
    (any entry). A logistic regression per benchmark, ``published ~ predicted / 10``, gives the **odds ratio of
    publishing per +10 points** of predicted score with a Wald interval. An odds ratio above 1 means stronger
    models publish this benchmark more often (or weaker ones withhold it): the published table then looks better
    than the population of models it stands for, and a benchmark's mean published score overstates the typical
    model.

    Measured on the simulated Hub of ``tests/test_trust.py`` (publishing odds × 1.5 per +10 true points; seed 0):
    odds ratios 1.22–1.59, all 14 90 % intervals above 1; with publishing at random, 0.84–1.17, 11 of 14 intervals
    containing 1. Over 10 seeds: every odds ratio above 1 (smallest 1.02), 11–14 of 14 intervals above 1; at random
    11–14 of 14 containing 1 (docs/trust.md).

    Parameters
    ----------
    data : DataFrame
        Leaderboard entries (:func:`lbtools.load_leaderboards`); provenance is not needed.
    level : float
        Coverage of the odds ratio's interval.

    Returns
    -------
    DataFrame
        One row per benchmark (sorted): ``dataset_id`` (string), ``share_published`` (Float64), ``odds_ratio``,
        ``or_low``, ``or_high`` (Float64; NA where every model or no model published the benchmark, or fewer than 5
        models qualify), ``n_models`` (Int64, the models in the regression). The folds of the cross-fitting are
        fixed (seed 0), so the result is deterministic.

    References
    ----------
    Little, R. J. A. & Rubin, D. B. (2019). *Statistical Analysis with Missing Data*, 3rd ed. (missing not at
    random; selection models).
    """
    from scipy.stats import norm

    func = "selective_reporting"
    _check_frame(data, func)
    level = check_probability(level, "level", func)
    notes: list = []
    entries = _entries(data, func, notes)
    cells = _cells(entries) if len(entries) else entries
    if len(cells) == 0 or cells["dataset_id"].nunique() < 2:
        raise ValueError(f"{func}: data must hold scores on at least 2 benchmarks with a 0–1 or 0–100 scale")
    cells["fit_pct"] = cells["pct"]
    grid = _cross_fitted(cells, _FOLDS, np.random.default_rng(0), {})
    per_model = grid.groupby("model_id")["published"].transform("sum")
    grid = grid[per_model >= 2]
    grid["predicted"] = _expected_pct(grid["mu"].to_numpy(), grid["sd"].to_numpy())
    zq = float(norm.ppf(0.5 + level / 2))
    rows = []
    for b, g in grid.groupby("dataset_id", sort=True):
        y = g["published"].to_numpy(dtype=float)
        share = float(y.mean()) if len(y) else np.nan
        ratio = low = high = np.nan
        if 0 < y.sum() < len(y) and len(y) >= 5:
            beta, se = _logistic(g["predicted"].to_numpy() / 10.0, y)
            if np.isfinite(se) and abs(beta[1]) < 20:
                ratio, low, high = np.exp(beta[1]), np.exp(beta[1] - zq * se), np.exp(beta[1] + zq * se)
        rows.append((b, share, ratio, low, high, len(g)))
    for note in notes:
        warnings.warn(note, AnalysisWarning, stacklevel=user_stacklevel())
    out = pd.DataFrame(rows, columns=["dataset_id", "share_published", "odds_ratio", "or_low", "or_high", "n_models"])
    out = out.astype({"dataset_id": "string", "share_published": "Float64", "odds_ratio": "Float64",
                      "or_low": "Float64", "or_high": "Float64", "n_models": "Int64"})
    _keep_attrs(out, data)
    out.attrs["notes"] = notes
    return out
