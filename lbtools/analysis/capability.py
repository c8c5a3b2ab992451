"""A capability index and score predictions over the sparse model × benchmark table, from one fitted object.

On the Hub each model publishes a few benchmarks of its own choosing, so the model × benchmark table is mostly
empty. :func:`fit_capability` fits one latent-ability model to every published cell and returns a
:class:`CapabilityFit`, used four ways:

- :meth:`CapabilityFit.abilities`: one capability number per model on one scale (the index), with an interval;
- :meth:`CapabilityFit.predict`: every model's predicted score on every benchmark, with a prediction interval for a
  newly published score (``cells="held_out"``: each published cell predicted by a fit that did not see it);
- :meth:`CapabilityFit.benchmarks`: each benchmark's difficulty, discrimination and residual spread;
- :meth:`CapabilityFit.validate`: how far off the predictions are, and how often their intervals cover, on
  published cells held out from the fit, against simple baselines.

``capability_index``, ``predict_scores``, ``benchmark_parameters`` and ``validate_predictions`` are thin wrappers
(one fit each). Predictions are **not published results**: they say what the published scores of *other* models
imply. The method, its assumptions and what the intervals guarantee are in ``docs/capability.md``; measured
results on real public tables in ``docs/validation.md``.

The model
---------
Each score is mapped to the logit scale, ``y_ij = logit(p_ij)`` (``p_ij`` the score as a fraction, clipped half an
item away from 0 and 1), and modelled as

    y_ij = b_j + a_j · θ_i + e_ij,   θ_i ~ N(0, I_k),   e_ij ~ N(0, s_j² + v_ij),

the sigmoid item-response curve of Epoch AI's Capabilities Index (one ability per model, a difficulty and slope per
benchmark) generalised to ``k`` dimensions, i.e. a probabilistic factor model of the logit scores with missing
cells (Observational Scaling Laws, Ruan et al. 2024, impute the same table by PCA). ``s_j²`` is the benchmark's
misfit variance and ``v_ij = 1 / (n_j p (1 − p))`` the binomial noise of a score measured on ``n_j`` items, where
the item count is known (``n_items=``). It is fitted by EM with parameter expansion (closed-form k × k solves),
accelerated by SQUAREM [8], a ridge ``penalty`` on the slopes and gentle shrinkage of intercepts and misfit
variances.

**The index** is a one-dimensional fit whose slopes are constrained to be ≥ 0 (a better score never lowers a
model's index, as in Epoch's ECI), fitted from three starts (the two-way additive logit model's model offsets and
two jittered copies of them); the start with the highest penalised marginal likelihood is kept. The leading
eigenvector of the zero-filled table (lbtools' old start) is fitted as a check only, never kept: on sparse tables
with old and new benchmarks sharing few models it finds a local optimum that orders models by which *block* they
published in, and a warning says when it fits about as well as the index kept.

**Predictions** use ``k`` dimensions and a penalty chosen by 5-fold cross-validation over published cells (k = 1,
2, … until a step does not improve, up to ``min(8, m − 1, cells / (models + benchmarks))``), blended with the
other fits tried, rank-r SVD imputation (r up to the same cap) and KNN imputation by the non-negative least-squares
weights of their out-of-fold predictions in the same cross-validation (stacking, Breiman 1996).

**Intervals** are split conformal (Lei, G'Sell, Rinaldo, Tibshirani & Wasserman 2018) with normalised
nonconformity scores ``|y − μ̂_f| / σ̂_f``: the published cells are split at random into 5 folds; the model of fold
``f`` is fitted on the cells outside it, choosing its own ``k``, penalty and blend by cross-validation inside them,
so fold ``f`` is a calibration set that no fit or choice saw. Each cell's interval comes from one fold, drawn at
random independently of the data, calibrated per benchmark (Mondrian classes, Vovk et al. 2005) where that fold
holds ≥ 20 of the benchmark's cells and on the fold's pooled smaller benchmarks otherwise. Above 20,000 published
cells the folds reuse the choice made on all cells, for speed: the guarantee is then approximate. What it
guarantees is in :func:`fit_capability`; why not CV+ (Barber et al. 2021, which lbtools used before) is in
``docs/capability.md``.

Selective reporting
-------------------
The fit assumes cells are **missing at random given ability**: whether a model publishes a benchmark may depend on
its ability, not on how well it did on that benchmark beyond what its ability predicts. A model that publishes only
its best results is rated too high, and its predictions for the rest are too optimistic; the intervals do not
cover that bias. Read an index together with ``n_benchmarks``.

References
----------
.. [1] Barber, R. F., Candès, E. J., Ramdas, A. & Tibshirani, R. J. (2021). Predictive inference with the
   jackknife+. *Annals of Statistics* 49(1), 486–507.
.. [2] Lei, J., G'Sell, M., Rinaldo, A., Tibshirani, R. J. & Wasserman, L. (2018). Distribution-free predictive
   inference for regression. *JASA* 113(523), 1094–1111.
.. [3] Vovk, V., Gammerman, A. & Shafer, G. (2005). *Algorithmic Learning in a Random World*, ch. 4 (Mondrian
   conformal predictors). Springer.
.. [4] Ruan, Y., Maddison, C. J. & Hashimoto, T. (2024). Observational scaling laws and the predictability of
   language model performance. NeurIPS 2024.
.. [5] Ho, A., et al. (Epoch AI, 2025). A Rosetta Stone for AI benchmarks (the Epoch Capabilities Index).
.. [6] Liu, C., Rubin, D. B. & Wu, Y. N. (1998). Parameter expansion to accelerate EM: the PX-EM algorithm.
   *Biometrika* 85(4), 755–770.
.. [7] Breiman, L. (1996). Stacked regressions. *Machine Learning* 24(1), 49–64.
.. [8] Varadhan, R. & Roland, C. (2008). Simple and globally convergent methods for accelerating the convergence
   of any EM algorithm. *Scandinavian Journal of Statistics* 35(2), 335–353.
.. [9] Vovk, V. (2015). Cross-conformal predictors. *Annals of Mathematics and Artificial Intelligence* 74(1–2),
   9–28 (the held-out cells' intervals, ``predict(cells="held_out")``).
"""

from __future__ import annotations

import copy
import warnings
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..errors import AnalysisWarning, user_stacklevel
from .._format import count
from . import _capmodel as cm
from ._checks import as_generator, check_probability, renamed_keywords, require_columns
from .tables import dedupe, detect_scale

__all__ = [
    "CapabilityFit",
    "CapabilityValidation",
    "benchmark_parameters",
    "capability_index",
    "cross_fit_predictions",
    "fit_capability",
    "predict_scores",
    "validate_predictions",
]

VALIDATION_METHODS = ("lbtools",) + cm.BASELINES
# The baselines validate() runs by default: the fast ones (IterativeImputer and rank-k PCA with its own CV take
# seconds per split; benchmarks/validate_real.py runs every one of VALIDATION_METHODS)
DEFAULT_METHODS = (
    "lbtools",
    "benchmark mean",
    "two-way additive",
    "two-way additive (logit)",
    "rank-2 PCA",
    "KNNImputer",
)
_FOLDS = 5


# --------------------------------------------------------------------------------------------
# arguments


def _check_frame(data, func: str) -> None:
    if not isinstance(data, pd.DataFrame):
        raise TypeError(f"{func}: data must be a pandas DataFrame (the load_leaderboards shape); got {type(data).__name__}")
    require_columns(data, ("model_id", "dataset_id", "value"), func, name="data")


def _check_min_benchmarks(min_benchmarks, func: str) -> int:
    if isinstance(min_benchmarks, bool) or not isinstance(min_benchmarks, (int, np.integer)) or min_benchmarks < 1:
        raise ValueError(f"{func}: min_benchmarks must be an integer ≥ 1; got min_benchmarks={min_benchmarks!r}")
    return int(min_benchmarks)


def _item_counts(benchmarks: np.ndarray, n_items, func: str, notes: list) -> np.ndarray:
    """Item counts per benchmark from ``n_items``: a number (every benchmark), a mapping, or the frame
    ``lbtools.benchmark_sizes()`` returns (its first row per benchmark). Never the network."""
    counts = np.full(len(benchmarks), np.nan)
    if n_items is None:
        notes.append("item counts not given (n_items=): the binomial-noise term is skipped, each benchmark's noise "
                     "is estimated from its residuals alone")
        return counts
    if isinstance(n_items, pd.DataFrame):
        require_columns(n_items, ("dataset_id", "n_items"), func, name="n_items")
        first = n_items.drop_duplicates("dataset_id").dropna(subset=["n_items"])
        n_items = dict(zip(first["dataset_id"].astype(str), first["n_items"].astype(float)))
    if isinstance(n_items, (int, float, np.integer, np.floating)) and not isinstance(n_items, bool):
        n_items = {b: n_items for b in benchmarks}
    if not isinstance(n_items, Mapping):
        raise TypeError(f"{func}: n_items must be a number, a mapping dataset_id → number of items, or the "
                        f"lbtools.benchmark_sizes() frame; got {type(n_items).__name__}")
    for j, b in enumerate(benchmarks):
        if b in n_items and n_items[b] is not None and not pd.isna(n_items[b]):
            try:
                v = float(n_items[b])
            except (TypeError, ValueError):
                v = float("nan")
            if not np.isfinite(v) or v < 1:
                raise ValueError(f"{func}: n_items[{b!r}] must be a positive number; got {n_items[b]!r}")
            counts[j] = v
    unknown = [b for b, c in zip(benchmarks, counts) if np.isnan(c)]
    if unknown:
        notes.append(f"item counts unknown for {count(len(unknown), 'benchmark')}, binomial term skipped there: "
                     f"{', '.join(unknown[:8])}{' …' if len(unknown) > 8 else ''}")
    return counts


@dataclass
class _Table:
    """The published cells of ``data`` as dense arrays (models × benchmarks)."""

    models: np.ndarray  # model ids, sorted
    benchmarks: np.ndarray  # dataset ids, sorted
    published: np.ndarray  # (n, m) the values as published (NaN where none): ``observed`` keeps them exactly
    pct: np.ndarray  # (n, m) goodness on 0–100 (100 − value for lower-is-better), NaN where not published
    scale: np.ndarray  # (m,) "0-1" or "0-100"
    lower: np.ndarray  # (m,) lower is better
    n_items: np.ndarray  # (m,) item counts, NaN where unknown
    notes: list
    left_out: list  # what was left out of the fit (also in notes): warned, never silent
    attrs: dict

    @property
    def mask(self) -> np.ndarray:
        return np.isfinite(self.pct)

    def to_published(self, pct: np.ndarray, cols=None) -> np.ndarray:
        """Values on 0–100 goodness back to each benchmark's published scale and direction."""
        lower = self.lower if cols is None else self.lower[cols]
        scale = self.scale if cols is None else self.scale[cols]
        v = np.where(lower, 100.0 - pct, pct)
        return np.where(scale == "0-1", v / 100.0, v)


def _table(data: pd.DataFrame, func: str, *, benchmarks=None, n_items=None) -> _Table:
    """De-duplicate ``data`` by the project's rule and lay its published cells out as a dense table."""
    _check_frame(data, func)
    notes: list[str] = []
    df = data
    if benchmarks is not None:
        if isinstance(benchmarks, str) or not all(isinstance(b, str) for b in benchmarks):
            raise TypeError(f"{func}: benchmarks must be a list of dataset ids (str); got {benchmarks!r}")
        benchmarks = list(dict.fromkeys(benchmarks))
        present = set(data["dataset_id"].dropna().astype(str))
        unknown = [b for b in benchmarks if b not in present]
        if unknown:
            raise ValueError(f"{func}: benchmarks not in data: {', '.join(map(repr, unknown))}")
        if len(benchmarks) < 2:
            raise ValueError(f"{func}: benchmarks must name at least 2 benchmarks; got {benchmarks!r}")
        df = df[df["dataset_id"].isin(benchmarks)]
    df = dedupe(df)
    df = df[["model_id", "dataset_id", "value"] + (["lower_is_better"] if "lower_is_better" in df.columns else [])]
    df = df[df["model_id"].notna() & df["dataset_id"].notna()]
    value = pd.to_numeric(df["value"], errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
    left_out: list[str] = []
    if (~np.isfinite(value)).any():
        left_out.append(f"{count((~np.isfinite(value)).sum(), 'row')} without a finite value left out")
    df = df[np.isfinite(value)]
    value = value[np.isfinite(value)]

    # each benchmark's scale and direction from arrays (a frame filtered per benchmark cost ~1 ms a benchmark)
    codes, bench_ids = pd.factorize(df["dataset_id"].astype(str), sort=True)
    lower_row = (df["lower_is_better"].astype("boolean").fillna(False).to_numpy(dtype=bool)
                 if "lower_is_better" in df.columns else np.zeros(len(df), bool))
    scales, lowers, keep, dropped = [], [], [], []
    for j, b in enumerate(bench_ids):
        rows = codes == j
        s = detect_scale(value[rows])
        if s == "unknown":
            dropped.append(b)
            continue
        keep.append(b)
        scales.append(s)
        lowers.append(bool(lower_row[rows].any()))
    if dropped:
        left_out.append(f"{count(len(dropped), 'benchmark')} left out, {'its' if len(dropped) == 1 else 'their'} "
                        f"scale neither 0–1 nor 0–100: {', '.join(dropped)}")
    bench_ids = np.array(keep, dtype=object)
    if len(bench_ids) < 2:
        raise ValueError(f"{func}: data must hold scores on at least 2 benchmarks with a 0–1 or 0–100 scale; "
                         f"found {len(bench_ids)}")
    df = df[df["dataset_id"].isin(bench_ids)]
    model_ids = np.array(sorted(df["model_id"].astype(str).unique()), dtype=object)
    if len(model_ids) < 2:
        raise ValueError(f"{func}: data must hold scores of at least 2 models; found {len(model_ids)}")

    scale = np.array(scales, dtype=object)
    lower = np.array(lowers, dtype=bool)
    rows = pd.Index(model_ids).get_indexer(df["model_id"].astype(str))
    cols = pd.Index(bench_ids).get_indexer(df["dataset_id"].astype(str))
    v = df["value"].to_numpy(dtype="float64", na_value=np.nan)
    published = np.full((len(model_ids), len(bench_ids)), np.nan)
    published[rows, cols] = v
    v = np.where(scale[cols] == "0-1", v * 100.0, v)
    v = np.where(lower[cols], 100.0 - v, v)
    pct = np.full((len(model_ids), len(bench_ids)), np.nan)
    pct[rows, cols] = v
    counts = _item_counts(bench_ids, n_items, func, notes)
    attrs = copy.deepcopy({k: data.attrs[k] for k in ("source", "fetched_at") if k in data.attrs})
    return _Table(model_ids, bench_ids, published, pct, scale, lower, counts, left_out + notes, left_out, attrs)


def _warn(messages, func: str) -> None:
    for msg in messages:
        warnings.warn(f"{func}: {msg}", AnalysisWarning, stacklevel=user_stacklevel())


# --------------------------------------------------------------------------------------------
# diagnostics


BRIDGE_SHARE = 0.15  # warn when fewer of the models than this publish on both sides of the weakest split …
MIN_BRIDGES = 5  # … or fewer than this many have ≥ 2 scores on each side (Epoch, 30 % dropped: 3 vs ≥ 7 otherwise)


def _parts(mask: np.ndarray) -> tuple[np.ndarray, np.ndarray, int]:
    """``(model_part, benchmark_part, main)``: which connected part of the table (model and benchmark joined by
    each published cell) each model and benchmark is in, and the part holding the most cells. Nothing ties one
    part's scale to another's: shift a part's abilities and difficulties together and no prediction within it
    changes, so only the main part is on the index's scale, and no score is predicted from one part to another."""
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    n, m = mask.shape
    ii, jj = np.nonzero(mask)
    graph = coo_matrix((np.ones(ii.size), (ii, n + jj)), shape=(n + m, n + m))
    _, label = connected_components(graph, directed=False)
    return label[:n], label[n:], int(np.bincount(label[ii]).argmax())


def _unlinked(t: "_Table", model_part, bench_part, main: int) -> str | None:
    """A sentence naming the benchmarks (and counting the models) outside the table's main part (None if none)."""
    apart = [str(b) for b, p in zip(t.benchmarks, bench_part) if p != main]
    if not apart:
        return None
    one = len(apart) == 1
    alone = int((model_part != main).sum())
    return (f"{', '.join(apart[:5])}{' …' if len(apart) > 5 else ''} {'shares' if one else 'share'} no model with "
            f"the other benchmarks: {'its' if one else 'their'} difficulty is not on the index's scale, no score is "
            f"predicted between {'it' if one else 'them'} and the others, and the {count(alone, 'model')} published "
            f"only there {'has' if alone == 1 else 'have'} no ability on the index")


def _connectivity(mask: np.ndarray, benchmarks, covariate: str | None = None) -> str | None:
    """A sentence when the benchmarks split into groups that share few models (None when well connected); with a
    ``covariate`` the index also relates the groups through it, and the sentence says so."""
    active = mask[mask.sum(axis=1) >= 2]
    m = mask.shape[1]
    benchmarks = np.asarray(benchmarks)
    if m < 3 or active.shape[0] < 3:
        return None
    shared = active.T.astype(float) @ active.astype(float)
    np.fill_diagonal(shared, 0)
    # connected components with edges where two benchmarks share ≥ 3 models
    adj = shared >= 3
    seen = np.full(m, -1)
    comp = 0
    for s in range(m):
        if seen[s] >= 0:
            continue
        stack = [s]
        seen[s] = comp
        while stack:
            j = stack.pop()
            for nb in np.flatnonzero(adj[j] & (seen < 0)):
                seen[nb] = comp
                stack.append(nb)
        comp += 1
    notes = []
    if comp > 1:
        sizes = np.bincount(seen)
        main = int(np.argmax(sizes))
        _, part, main_part = _parts(mask)
        unlinked = part != main_part  # said on their own (_unlinked)
        apart = [str(b) for b, c, u in zip(benchmarks, seen, unlinked) if c != main and not u]
        if apart:
            notes.append(f"{count(len(apart), 'benchmark')} {'shares' if len(apart) == 1 else 'share'} fewer "
                         f"than 3 models with the others ({', '.join(apart[:5])}{' …' if len(apart) > 5 else ''}): "
                         f"{'its' if len(apart) == 1 else 'their'} models' abilities rest on those few links")
        keep = seen == main
        shared = shared[keep][:, keep]
        active = active[:, keep]
        benchmarks = np.asarray(benchmarks)[keep]
        if keep.sum() < 3:
            return "; ".join(notes)
    # the Fiedler split of the weighted benchmark graph: how many models publish on both sides of it?
    lap = np.diag(shared.sum(axis=1)) - shared
    d = np.sqrt(np.maximum(shared.sum(axis=1), 1e-12))
    norm = lap / d[:, None] / d[None, :]
    vals, vecs = np.linalg.eigh(norm)
    side = vecs[:, 1] > 0
    if not (side.all() or (~side).all()):
        both = int((active[:, side].any(axis=1) & active[:, ~side].any(axis=1)).sum())
        # bridges: models with ≥ 2 scores on each side (one score on a side barely places a model there), or the
        # one score a side of a single benchmark allows
        bridges = int(((active[:, side].sum(axis=1) >= min(2, side.sum()))
                       & (active[:, ~side].sum(axis=1) >= min(2, (~side).sum()))).sum())
        if both < max(5, BRIDGE_SHARE * active.shape[0]) or bridges < MIN_BRIDGES:
            small = benchmarks[side] if side.sum() <= (~side).sum() else benchmarks[~side]
            notes.insert(0, f"poorly connected table: {int(side.sum())} and {int((~side).sum())} benchmarks form "
                            f"two blocks that only {both} of {active.shape[0]} models published on both sides of, "
                            f"{bridges} with ≥ 2 scores on each side (1 on a side of one benchmark) "
                            f"(e.g. {', '.join(map(str, small[:4]))}); the index relates the blocks through those "
                            + (f"models and through {covariate!r}" if covariate else "models alone"))
    return "; ".join(notes) or None


# --------------------------------------------------------------------------------------------
# the fitted object


@dataclass
class _Models:
    """Everything one fit computes (arrays on the logit scale unless said)."""

    k: int
    penalty: float
    cv_rmse: dict
    full: cm.Fit  # k-dimensional, all published cells (point predictions)
    mu: np.ndarray
    sd: np.ndarray
    low: np.ndarray  # split-conformal ends
    high: np.ndarray
    fold: np.ndarray
    fold_mu: np.ndarray  # (K, n, m)
    fold_sd: np.ndarray
    fold_choice: list  # per fold, its blend ((k, penalty, weight), ...)
    z: np.ndarray  # signed normalised out-of-fold residual per published cell
    classes: np.ndarray  # per benchmark: its own calibration class for the held-out cells (≥ 20 cells), or -1
    blend: tuple = ()  # ((k, penalty, weight), ...): the fits averaged on the logit scale (one: no blend)
    own: np.ndarray | None = None  # (K, m): fold f calibrated benchmark j on its own cells (else pooled)


_PART_NAMES = {"knn": "KNN(5)", **{f"svd{r}": f"rank-{r} SVD" for r in range(1, 10)},
               **{f"knn{r}": f"KNN({r})" for r in range(1, 50)}}


def _blend_text(blend) -> str:
    if len(blend) == 1:
        return f"({blend[0][0]}, {blend[0][1]:g})"
    return " + ".join(f"{w:.2f}·{_PART_NAMES.get(k, k)}" if isinstance(k, str) else f"{w:.2f}·({k}, {lam:g})"
                      for k, lam, w in blend)


INDEX_PENALTY = 3.0  # pseudo-observations shrinking the index's slopes towards their common value


def _fit_index(t: _Table, rng: np.random.Generator, covariate=None) -> cm.Fit:
    """The index: one dimension, slopes ≥ 0, best of the additive start and two jittered copies.

    ``covariate`` (one number per model, NaN where unknown) enters as one more indicator of ability: its percentile
    rank among the models with a value, as a score from 5 to 95 %, in a column of its own whose slope (≥ 0) and misfit
    the fit estimates like a benchmark's; that column's parameters are then dropped (it is no benchmark)."""
    pct, mask, n_items = t.pct, t.mask, t.n_items
    if covariate is not None:
        have = np.isfinite(covariate)
        column = np.full(len(covariate), np.nan)
        column[have] = 5.0 + 90.0 * pd.Series(covariate[have]).rank(pct=True).to_numpy()
        pct, mask, n_items = np.column_stack([pct, column]), np.column_stack([mask, have]), np.append(n_items, np.nan)
    y, binom = cm.to_logit(pct, n_items[None, :])
    if mask.sum() > cm.BIG_CELLS:  # large tables: the additive start alone (the others cost a fit each)
        fit = cm.fit_best(y, mask, binom, 1, INDEX_PENALTY, nonneg=True, rng=rng, starts=("additive",), check=(),
                          max_iter=300, tol=cm.CV_TOL)
    else:
        fit = cm.fit_best(y, mask, binom, 1, INDEX_PENALTY, nonneg=True, rng=rng)
    if covariate is not None:
        m = t.mask.shape[1]
        fit.a, fit.b, fit.s2, fit.item_cov = fit.a[:m], fit.b[:m], fit.s2[:m], fit.item_cov[:m]
    return fit


def _fit_models(t: _Table, level: float, rng: np.random.Generator, *, mask=None) -> _Models:
    """The prediction model: (k, penalty) and blend by cross-validation, the fold fits (each with its own nested
    choice) whose held-out folds calibrate the split-conformal intervals, and the fit on all cells."""
    mask = t.mask if mask is None else mask
    y, binom = cm.to_logit(t.pct, t.n_items[None, :])
    n, m = mask.shape
    n_cells = int(mask.sum())
    n_folds = int(min(_FOLDS, max(2, n_cells // 10)))
    fold = cm.make_folds(mask, n_folds, rng)
    if n > cm.CV_MODELS:
        rows = np.zeros(n, bool)
        rows[rng.choice(n, cm.CV_MODELS, replace=False)] = True
    else:
        rows = np.ones(n, bool)
    present = mask.any(axis=1)
    mk = cm.max_k(int(present.sum()), m, n_cells)
    big = n_cells > cm.BIG_CELLS
    cf = cm.CrossFitter(y, mask, binom, t.n_items, fold, rows & present, mk,
                        penalties=cm.PENALTIES[:1] if big else cm.PENALTIES, max_iter=60 if big else 300)
    if big:
        k, lam, errors = cf.select(())
        blend = ((k, lam, 1.0),)
    else:
        blend, errors = cf.select_blend(())
    k, lam = blend[0][0], blend[0][1]
    fold_mu = np.empty((n_folds, n, m))
    fold_sd = np.empty((n_folds, n, m))
    choice = []
    for f in range(n_folds):
        # the nested choice (the fold's own CV inside its training cells, blend included); on large tables the
        # choice on all cells is reused (thousands of cells per fold: one fold barely moves it)
        bf = cf.select_blend({f})[0] if n_folds > 2 and not big else blend
        fold_mu[f], fold_sd[f] = cf.predict_choice({f}, bf)
        choice.append(bf)
    # each cell's interval comes from one fold's model and calibration cells, the fold drawn independently of the
    # data (split conformal per cell; a separate generator, so the draw leaves the fits' random streams alone)
    pick = np.random.default_rng([int(rng.integers(2**31)), 2]).integers(n_folds, size=(n, m))
    low, high, z, own = cm.split_conformal(fold_mu, fold_sd, y, mask, fold, level, pick)
    classes = cm.conformal_classes(mask)
    point, var, wf = 0.0, 0.0, 0.0
    for kb, lb, w in blend:
        if isinstance(kb, str):  # rank-r SVD or KNN imputation on 0–100
            point = point + w * cf._part((), kb)
            continue
        fb = cm.fit_best(y, mask, binom, kb, lb, rng=rng, starts=("additive",), check=(),
                         max_iter=200 if big else 1000, tol=cm.CV_TOL if big else 1e-4)
        mu_b, var_b = cm.predict(fb, t.n_items)
        point, var, wf = point + w * cm.expected_pct(mu_b, np.sqrt(var_b)), var + w * var_b, wf + w
        if (kb, lb) == (k, lam):
            full = fb
    var = var / wf
    mu = cm.pct_to_mu(point, np.sqrt(var)) if len(blend) > 1 else mu_b
    return _Models(k, lam, errors, full, mu, np.sqrt(var), low, high, fold, fold_mu, fold_sd, choice, z, classes,
                   blend, own)


class CapabilityFit:
    """The capability model fitted once to a table of published scores (see :func:`fit_capability`).

    Attributes
    ----------
    k, penalty : int, float
        The latent dimensions and slope ridge the predictions use (chosen by cross-validation).
    level : float
        The coverage of every interval.
    n_models, n_benchmarks, n_cells : int
        The table fitted.
    diagnostics : list of str
        What the fit checked and found (convergence, starts, connectivity); those that matter were also warned.
    covariate : str or None
        The per-model column the index also reads (``fit_capability(..., covariate=...)``).
    notes : list of str
        What was left out or assumed (rows without a value, unknown item counts).
    """

    def __init__(self, t: _Table, index: cm.Fit, *, level, min_benchmarks, rng, benchmarks, data, n_items, func):
        self._t = t
        self._index = index
        self._models = None
        self.level = level
        self.min_benchmarks = min_benchmarks
        self._rng_seed = rng
        self._benchmarks_arg = benchmarks
        self._data = data
        self._n_items = n_items
        self._func = func
        self.n_models = len(t.models)
        self.n_benchmarks = len(t.benchmarks)
        self.n_cells = int(t.mask.sum())
        self._model_part, self._bench_part, self._main_part = _parts(t.mask)
        self.notes = list(t.notes)
        self.diagnostics: list[str] = []
        self.attrs = dict(t.attrs)
        self.covariate: str | None = None  # the per-model column the index also reads (fit_capability's covariate)

    @property
    def _m(self) -> _Models:
        """The prediction model, fitted on first use (the index alone does not need it)."""
        if self._models is None:
            gen = as_generator(copy.deepcopy(self._rng_seed), self._func)
            gen = np.random.default_rng([int(gen.integers(2**31)), 1])
            with np.errstate(all="ignore"):
                self._models = _fit_models(self._t, self.level, gen)
            warn_now = []
            if not self._models.full.converged:
                msg = (f"the prediction fit did not converge in {self._models.full.iterations} EM iterations; its "
                       "numbers are approximate")
                warn_now.append(msg)
            if not np.isfinite(self._models.low).all() or not np.isfinite(self._models.high).all():
                warn_now.append(f"too few published cells ({self.n_cells}) to calibrate a {self.level:.0%} interval "
                                "for some benchmarks: their intervals span the whole scale")
            self.diagnostics += warn_now
            _warn(warn_now, self._func)
        return self._models

    @property
    def k(self) -> int:
        """Latent dimensions of the prediction model (chosen by cross-validation)."""
        return self._m.k

    @property
    def penalty(self) -> float:
        """Slope ridge of the prediction model (chosen by cross-validation)."""
        return self._m.penalty

    # ---- representation
    def __repr__(self) -> str:
        pred = (f"predictions k={self._models.k}, penalty={self._models.penalty:g}, "
                f"{'converged' if self._models.full.converged else 'NOT converged'}"
                if self._models is not None else "predictions not fitted yet")
        conv = "converged" if self._index.converged else "NOT converged"
        return (f"<CapabilityFit: {self.n_models} models × {self.n_benchmarks} benchmarks, {self.n_cells} published "
                f"cells ({self.n_cells / (self.n_models * self.n_benchmarks):.0%} filled); index 1-D, slopes ≥ 0, "
                f"{f'also reading {self.covariate!r}, ' if self.covariate else ''}"
                f"{conv}; {pred}; {self.level:.0%} split-conformal intervals; "
                f"{count(len(self.diagnostics), 'diagnostic')}>")

    def summary(self) -> pd.DataFrame:
        """The fit in one table: what was fitted, the choices made and the diagnostics (``item``, ``value``)."""
        m = self._m
        rows = [
            ("models × benchmarks", f"{self.n_models} × {self.n_benchmarks}"),
            ("published cells", f"{self.n_cells} ({self.n_cells / (self.n_models * self.n_benchmarks):.0%} filled)"),
            ("prediction model", f"k = {self.k} latent dimensions, slope penalty {self.penalty:g}"),
            ("chosen by", f"{int(m.fold.max()) + 1}-fold cross-validation, RMSE on 0–100: " + ", ".join(
                f"k={k}/λ={lam:g}: {e:.2f}" for (k, lam), e in sorted(m.cv_rmse.items()))),
            ("index", f"1 dimension, slopes ≥ 0 (shrunk towards their mean, {INDEX_PENALTY:g} pseudo-observations), "
                      + (f"{self.covariate!r} read as one more indicator, " if self.covariate else "")
                      + f"best of 3 starts ({self._index.start}); {self._index.iterations} EM iterations, "
                      f"{'converged' if self._index.converged else 'NOT converged'}"),
            ("intervals", f"{self.level:.0%} split conformal (Lei et al. 2018), normalised scores, each cell "
                          f"calibrated on one of {m.fold_mu.shape[0]} folds (drawn at random), per benchmark where "
                          f"that fold holds ≥ {cm.MONDRIAN_MIN} of its cells "
                          f"({count(int(m.own.any(axis=0).sum()), 'benchmark')}), on the fold's pooled smaller "
                          "benchmarks otherwise"),
            ("blend", _blend_text(m.blend)),
            ("fold choices (k, penalty)", "; ".join(_blend_text(c) for c in m.fold_choice)),
        ]
        rows += [("diagnostic", d) for d in self.diagnostics]
        rows += [("note", n) for n in self.notes]
        return pd.DataFrame(rows, columns=["item", "value"]).astype("string")

    # ---- the index
    def abilities(self, *, min_benchmarks: int | None = None) -> pd.DataFrame:
        """One row per model with ≥ ``min_benchmarks`` published scores, most capable first.

        Columns: ``model_id`` (string), ``ability``, ``ability_low``, ``ability_high`` (Float64), ``n_benchmarks``
        (Int64). ``ability`` is the posterior mean of θ in the one-dimensional fit (0 = the mean model fitted,
        1 = one standard deviation of ability among them); NA for a model whose benchmarks share no model with the
        main part of the table (nothing places it on the index's scale; listed last). The interval is
        **approximate**: the posterior of θ given the fitted benchmark parameters (normal on the logit scale),
        ``θ ± z·sd``; the parameters' own uncertainty is not included, so with few models per benchmark it is
        somewhat narrow.
        """
        from scipy.stats import norm

        mb = self.min_benchmarks if min_benchmarks is None else _check_min_benchmarks(min_benchmarks, "abilities")
        z = float(norm.ppf(0.5 + self.level / 2))
        fit = self._index
        off_scale = self._model_part != self._main_part  # no link to the main part: not on the index's scale
        theta = np.where(off_scale, np.nan, fit.theta[:, 0])
        sd = np.sqrt(fit.cov[:, 0, 0])
        counts = self._t.mask.sum(axis=1)
        keep = counts >= mb
        out = pd.DataFrame(
            {
                "model_id": pd.array(self._t.models[keep], dtype="string"),
                "ability": pd.array(theta[keep], dtype="Float64"),
                "ability_low": pd.array((theta - z * sd)[keep], dtype="Float64"),
                "ability_high": pd.array((theta + z * sd)[keep], dtype="Float64"),
                "n_benchmarks": pd.array(counts[keep], dtype="Int64"),
            }
        )
        out = out.sort_values(["ability", "model_id"], ascending=[False, True], kind="mergesort").reset_index(drop=True)
        out.attrs = dict(self.attrs)
        out.attrs["capability"] = {"level": self.level, "interval": "approximate"}
        return out

    def benchmarks(self, *, prediction_error: bool = True) -> pd.DataFrame:
        """Each benchmark on the index's scale, and how well it is predicted.

        ``dataset_id`` (string); ``difficulty`` (the ability at which the expected score is 50 %, NA where the
        discrimination is within two standard errors of 0, or where the benchmark shares no model, directly or
        through other benchmarks, with the main part of the table: its scale is then not tied to the index's);
        ``discrimination`` (≥ 0, logit per ability unit) and ``discrimination_se`` (NA off the index's scale too); ``residual_sd`` (the misfit
        standard deviation of the index fit, **logit units**); ``cv_rmse`` (the cross-validated RMSE of the
        predictions on this benchmark, **0–100 points**); ``n_models`` (Int64, published scores); ``n_items``
        (Float64, NA where unknown). For a lower-is-better benchmark all of them refer to ``100 − score``.

        Parameters
        ----------
        prediction_error : bool
            False: without ``cv_rmse``, so the prediction model (its cross-validation is most of a fit's time) is
            not fitted for this table.
        """
        fit = self._index
        a, b = fit.a[:, 0], fit.b
        se_a = np.sqrt(np.maximum(fit.item_cov[:, 1, 1], 0))
        on_scale = self._bench_part == self._main_part
        tracks = (a > 2 * se_a) & on_scale
        t = self._t
        columns = {
            "dataset_id": pd.array(t.benchmarks, dtype="string"),
            "difficulty": pd.array(np.where(tracks, -b / np.where(tracks, a, 1.0), np.nan), dtype="Float64"),
            "discrimination": pd.array(np.where(on_scale, a, np.nan), dtype="Float64"),
            "discrimination_se": pd.array(np.where(on_scale, se_a, np.nan), dtype="Float64"),
            "residual_sd": pd.array(np.sqrt(fit.s2), dtype="Float64"),
        }
        if prediction_error:
            m = self._m
            cv = np.full(len(t.benchmarks), np.nan)
            for j in range(len(t.benchmarks)):
                sel = t.mask[:, j]
                if sel.any():
                    f = m.fold[sel, j]
                    pred = cm.expected_pct(m.fold_mu[f, np.flatnonzero(sel), j], m.fold_sd[f, np.flatnonzero(sel), j])
                    cv[j] = float(np.sqrt(np.mean((pred - t.pct[sel, j]) ** 2)))
            columns["cv_rmse"] = pd.array(cv, dtype="Float64")
        columns["n_models"] = pd.array(t.mask.sum(axis=0), dtype="Int64")
        columns["n_items"] = pd.array(t.n_items, dtype="Float64")
        out = pd.DataFrame(columns)
        out.attrs = dict(self.attrs)
        return out

    # ---- predictions
    def predict(self, *, cells: str = "all", min_benchmarks: int | None = None) -> pd.DataFrame:
        """Predicted scores with ``level`` prediction intervals, on each benchmark's published scale.

        Parameters
        ----------
        cells : {"all", "held_out"}
            ``"all"``: every model (with ≥ ``min_benchmarks`` scores) × every benchmark: ``model_id``,
            ``dataset_id``, ``observed`` (the published value, NA where none), ``predicted`` (the fit on all
            cells), ``pred_low``, ``pred_high`` (the split-conformal interval for a newly published score); the
            three are NA where no published score links the model to the benchmark (they lie in parts of the
            table that share no model: a "prediction" there would be the benchmark's mean, whatever the model).
            ``"held_out"``: one row per published cell, predicted by the fold fit that did not see it
            (cross-fitting): the columns above plus ``z`` (the signed normalised residual on the logit scale,
            ``(logit(observed) − μ̂) / σ̂``), ``scale`` (``σ̂``), ``p_high`` and ``p_low`` (the share of the cell's
            class whose ``z`` is at least / at most as extreme, the cell counted: a screening rank for one cell)
            and ``fold``. The interval of a held-out cell is ``μ̂ ± q·σ̂`` with ``q`` the class's ``level`` quantile
            of ``|z|`` pooled over the five fold models (a cross-conformal construction, Vovk 2015; not split
            conformal): at least ``level`` of each class's cells lie inside their intervals, by construction.
            The class holds every cell being screened, so its ``p_high`` values are the ranks ``1/n … 1``: no
            multiple-testing correction (Benjamini–Hochberg, Holm, Bonferroni) can reject with them. For flags at
            a false discovery rate use :func:`lbtools.analysis.flag_outliers`, which calibrates on other cells.
        min_benchmarks : int, optional
            Default: the fit's.
        """
        t, m = self._t, self._m
        if cells == "held_out":
            return self._held_out()
        if cells != "all":
            raise ValueError(f"predict: cells must be 'all' or 'held_out'; got cells={cells!r}")
        mb = self.min_benchmarks if min_benchmarks is None else _check_min_benchmarks(min_benchmarks, "predict")
        pred = cm.expected_pct(m.mu, m.sd)
        low = 100 * cm.sigmoid(m.low)
        high = 100 * cm.sigmoid(m.high)
        low, high = np.minimum(low, pred), np.maximum(high, pred)
        across = self._model_part[:, None] != self._bench_part[None, :]  # nothing links the model to the benchmark
        pred, low, high = (np.where(across, np.nan, v) for v in (pred, low, high))
        keep = t.mask.sum(axis=1) >= mb
        n, nb = int(keep.sum()), len(t.benchmarks)
        pub = t.to_published
        lo_pub, hi_pub = pub(low[keep]), pub(high[keep])
        out = pd.DataFrame(
            {
                "model_id": pd.array(np.repeat(t.models[keep], nb), dtype="string"),
                "dataset_id": pd.array(np.tile(t.benchmarks, n), dtype="string"),
                "observed": pd.array(t.published[keep].ravel(), dtype="Float64"),
                "predicted": pd.array(pub(pred[keep]).ravel(), dtype="Float64"),
                "pred_low": pd.array(np.minimum(lo_pub, hi_pub).ravel(), dtype="Float64"),
                "pred_high": pd.array(np.maximum(lo_pub, hi_pub).ravel(), dtype="Float64"),
            }
        )
        out.attrs = dict(self.attrs)
        out.attrs["capability"] = {"level": self.level, "k": m.k, "penalty": m.penalty, "interval": "split conformal"}
        return out

    def _held_out(self) -> pd.DataFrame:
        t, m = self._t, self._m
        ii, jj = np.nonzero(t.mask)
        f = m.fold[ii, jj]
        mu = m.fold_mu[f, ii, jj]
        sd = m.fold_sd[f, ii, jj]
        z = m.z[ii, jj]
        cls = m.classes[jj]
        p_high = np.empty(ii.size)
        p_low = np.empty(ii.size)
        q = np.empty(ii.size)
        for c in np.unique(cls):
            sel = cls == c
            zs = np.sort(z[sel])
            nc = zs.size
            p_high[sel] = (nc - np.searchsorted(zs, z[sel], side="left")) / nc
            p_low[sel] = np.searchsorted(zs, z[sel], side="right") / nc
            r = np.sort(np.abs(zs))
            rank = int(np.ceil(nc * self.level))  # the cell's own score among nc: (n−1)+1 = nc
            q[sel] = r[rank - 1] if 1 <= rank <= nc else np.inf
        pred = cm.expected_pct(mu, sd)
        low, high = 100 * cm.sigmoid(mu - q * sd), 100 * cm.sigmoid(mu + q * sd)
        low, high = np.minimum(low, pred), np.maximum(high, pred)
        pub = lambda v: t.to_published(v, jj)  # noqa: E731
        lo_pub, hi_pub = pub(low), pub(high)
        flip = np.where(t.lower[jj], -1.0, 1.0)  # z and p-values refer to the published direction
        out = pd.DataFrame(
            {
                "model_id": pd.array(t.models[ii], dtype="string"),
                "dataset_id": pd.array(t.benchmarks[jj], dtype="string"),
                "observed": pd.array(t.published[ii, jj], dtype="Float64"),
                "predicted": pd.array(pub(pred), dtype="Float64"),
                "pred_low": pd.array(np.minimum(lo_pub, hi_pub), dtype="Float64"),
                "pred_high": pd.array(np.maximum(lo_pub, hi_pub), dtype="Float64"),
                "z": pd.array(z * flip, dtype="Float64"),
                "scale": pd.array(sd, dtype="Float64"),
                "p_high": pd.array(np.where(t.lower[jj], p_low, p_high), dtype="Float64"),
                "p_low": pd.array(np.where(t.lower[jj], p_high, p_low), dtype="Float64"),
                "fold": pd.array(f, dtype="Int64"),
            }
        )
        out.attrs = dict(self.attrs)
        return out

    # ---- validation
    def validate(self, holdout: float = 0.1, splits: int = 5, by: str = "random", *, methods=DEFAULT_METHODS,
                 rng=None) -> "CapabilityValidation":
        """Hide published cells, refit every method on the rest, and score the hidden cells.

        Parameters
        ----------
        holdout : float
            ``by="random"``: the share of published cells hidden per split (strictly between 0 and 0.5); each
            model keeps at least one cell and each benchmark at least three. Otherwise: the share of models
            (the latest / largest by ``by``) that hide half of their cells (0.2 in the real-table protocol).
        splits : int
            Repeats (each with its own draw).
        by : str
            ``"random"``; ``"time"`` (the latest models by ``created_at``, e.g. from :func:`lbtools.enrich`); or the
            name of any numeric per-model column of ``data`` (e.g. training compute): the models with its
            largest values hide half their cells and are predicted from the rest.
        methods : sequence of str
            ``"lbtools"`` and any of :data:`lbtools.analysis._capmodel.BASELINES`.
        rng : int or Generator, optional
            Default: the fit's ``rng``.

        Returns
        -------
        CapabilityValidation
            ``.summary`` (one row per method: ``method``, ``split``, ``rmse`` on 0–100, ``coverage``, ``n_cells``)
            and ``.cells`` (one row per method, repeat and hidden cell, on 0–100: ``method``, ``split``, ``repeat``,
            ``model_id``, ``dataset_id``, ``observed``, ``predicted``, ``pred_low``, ``pred_high``). lbtools'
            intervals are its split-conformal intervals fitted on the training cells; the baselines' are split-conformal
            half-widths on 0–100 from one calibration fold of the training cells (approximate: the point
            prediction is then refitted on all training cells).
        """
        return _validate(self, holdout=holdout, splits=splits, by=by, methods=methods,
                         rng=copy.deepcopy(self._rng_seed) if rng is None else rng, func="validate")


@dataclass
class CapabilityValidation:
    """The result of :meth:`CapabilityFit.validate`: ``summary`` (per method) and ``cells`` (per hidden cell)."""

    summary: pd.DataFrame
    cells: pd.DataFrame

    def per_benchmark(self, method: str = "lbtools") -> pd.DataFrame:
        """Coverage and RMSE per benchmark for ``method``: ``dataset_id``, ``rmse``, ``coverage``, ``n_cells``."""
        c = self.cells[self.cells["method"] == method]
        inside = (c["pred_low"] <= c["observed"]) & (c["observed"] <= c["pred_high"])
        g = c.assign(inside=inside, sq=(c["predicted"] - c["observed"]) ** 2).groupby("dataset_id")
        return pd.DataFrame({"rmse": np.sqrt(g["sq"].mean()), "coverage": g["inside"].mean(),
                             "n_cells": g.size()}).reset_index()


# --------------------------------------------------------------------------------------------
# fit_capability


@renamed_keywords(long="data", seed="rng")
def fit_capability(data, *, benchmarks=None, min_benchmarks: int = 2, n_items=None, level: float = 0.9,
                   rng=0, covariate: str | None = None) -> CapabilityFit:
    """Fit the capability model once; read the index, predictions, benchmark parameters and validation from it.

    ``data`` is first de-duplicated with :func:`lbtools.analysis.dedupe`; rows without a finite value and
    benchmarks whose scale is neither 0–1 nor 0–100 are left out (an ``AnalysisWarning`` and ``fit.notes`` say
    so). All published cells are used, including those of models with fewer than ``min_benchmarks`` scores; only
    the outputs are restricted.

    Notes
    -----
    **What the intervals guarantee.** *Predictions* (``fit.predict()``): split conformal [1]_ with normalised scores, per cell. The published cells
    are split at random into 5 folds; fold ``f``'s model is fitted, with its ``k``, penalty and blend chosen by
    cross-validation inside its own training cells, on the cells outside fold ``f``, so fold ``f``'s cells are a
    calibration set no fit or choice saw. A cell's interval uses one fold ``f``, drawn at random independently of
    the data: ``μ̂_f ± q·σ̂_f`` on the logit scale (mapped back through the sigmoid), with ``q`` the
    ``⌈level·(n+1)⌉``-th smallest of the normalised scores ``|y − μ̂_f| / σ̂_f`` of the ``n`` calibration cells of
    fold ``f`` in the cell's class: its benchmark where the fold holds ≥ 20 of its cells (Mondrian [2]_), otherwise
    the fold's smaller benchmarks pooled. If a new score and the calibration cells of its class are exchangeable
    (missing at random given the other published scores: no selective reporting beyond ability, no shift between
    the models that published and the one predicted), it falls inside its ``level`` interval with probability at
    least ``level`` [1]_ (Theorem 2.2); a fold drawn at random per cell mixes such intervals, so the bound holds
    for it too, and so it does after the interval is widened, where needed, to contain the prediction of the fit
    on all cells. (The theorem's upper bound, ``level + 1/(n+1)`` without ties, holds for the fold's interval
    before that widening only.) The prediction is the expected score on 0–100 and the interval a quantile
    interval on the logit scale: at a low ``level`` the mean often lies outside the narrow interval, which is then
    widened to reach it, so the prediction sits at one end (on the snapshot without item counts: 48 of 255 cells at
    level 0.5, 7 at 0.8, 1 at 0.9). The guarantee is marginal over a class's cells, not conditional on a model; above
    20,000 published cells, and below 30 (two folds), the fold fits reuse the choice made on all cells (approximate).
    ``docs/validation.md`` measures the coverage on real tables, per benchmark and under time and compute shifts.

    *The index* (``fit.abilities()``): approximate (a normal posterior given the fitted benchmark parameters).

    Parameters
    ----------
    data : DataFrame
        The :func:`lbtools.load_leaderboards` shape: ``model_id``, ``dataset_id``, ``value`` (0–1 or 0–100 per
        benchmark); ``lower_is_better`` is honoured where present; ``created_at`` (or another per-model column)
        is used by :meth:`CapabilityFit.validate`.
    benchmarks : list of str, optional
        The dataset ids to fit on (at least 2); default: all.
    min_benchmarks : int
        Models with fewer published scores are left out of the outputs.
    n_items : int, dict or DataFrame, optional
        Items per benchmark for the binomial-noise term: a number, ``{dataset_id: n}``, or the frame
        :func:`lbtools.benchmark_sizes` returns. Never fetched here. None: no counts, no binomial term (unlike
        :func:`rank_intervals`, which then reads lbtools' own table; pass ``n_items=lbtools.benchmark_sizes()``).
    level : float
        Coverage of every interval, strictly between 0 and 1.
    rng : int or numpy.random.Generator
        Seeds the folds and the random starts; the same int gives the same fit, and so does a Generator seeded with
        it (its state at this call seeds everything the fit draws later, in ``predict``, ``validate`` …).
    covariate : str, optional
        A per-model column the index also reads as one more indicator of ability, e.g. ``"created_at"`` (from
        :func:`lbtools.enrich`) or a number such as training compute: its percentile rank among the models with a
        value enters the one-dimensional fit as a column of its own, with a slope (≥ 0: a later or larger model is
        not taken as less able) and a misfit estimated like a benchmark's, so it weighs what the published scores
        say it is worth. It links models that share no benchmark through the trend of ability with it: on Epoch
        AI's table with 30 % of the benchmarks dropped, the release date kept every refit's order (Kendall τ ≥ 0.90
        with the full fit, where the scores alone fell to 0.57 on the draw that dropped every benchmark old and new
        models share; docs/validation.md). Only the index reads it: not a benchmark in :meth:`CapabilityFit.benchmarks`,
        ``n_benchmarks`` or the predictions. Default None: the published scores alone.

    Returns
    -------
    CapabilityFit

    Warns
    -----
    AnalysisWarning
        The table is poorly connected (benchmark blocks sharing few models); a start reached about the same
        objective with a very different order of models; EM did not converge; too few cells to calibrate.

    References
    ----------
    .. [1] Lei, J., G'Sell, M., Rinaldo, A., Tibshirani, R. J. & Wasserman, L. (2018). Distribution-free
       predictive inference for regression. *JASA* 113(523), 1094–1111.
    .. [2] Vovk, V., Gammerman, A. & Shafer, G. (2005). *Algorithmic Learning in a Random World*, ch. 4 (Mondrian
       conformal predictors). Springer.
    """
    return _fit(data, "fit_capability", benchmarks=benchmarks, min_benchmarks=min_benchmarks, n_items=n_items,
                level=level, rng=rng, covariate=covariate)


def _fit(data, func: str, *, benchmarks=None, min_benchmarks=2, n_items=None, level=0.9, rng=0,
         covariate=None) -> CapabilityFit:
    """:func:`fit_capability` for ``func`` (the public function whose name the messages carry)."""
    level = check_probability(level, "level", func)
    if covariate is not None and not isinstance(covariate, str):
        raise TypeError(f"{func}: covariate must be the name of a per-model column (e.g. 'created_at'); got "
                        f"{covariate!r}")
    min_benchmarks = _check_min_benchmarks(min_benchmarks, func)
    gen = as_generator(rng, func)
    # a Generator's state now seeds the prediction model and validate(), fitted later: an int and a Generator
    # seeded with it give the same fit, and draws the caller makes in between change nothing
    later = copy.deepcopy(gen) if isinstance(rng, np.random.Generator) else rng
    t = _table(data, func, benchmarks=benchmarks, n_items=n_items)
    if np.nanmax(t.pct) - np.nanmin(t.pct) == 0:
        raise ValueError(f"{func}: every published value in data is the same ({np.nanmax(t.pct):g} on 0–100): "
                         "there is nothing to fit")
    values = None if covariate is None else _per_model_value(data, t, covariate, func, arg="covariate")
    with np.errstate(all="ignore"):
        index = _fit_index(t, gen, values)
    fit = CapabilityFit(t, index, level=level, min_benchmarks=min_benchmarks, rng=later, benchmarks=benchmarks,
                        data=data, n_items=n_items, func=func)
    fit.covariate = covariate
    if covariate is not None:
        fit.notes.append(f"the index also reads {covariate!r} ({int(np.isfinite(values).sum())} of "
                         f"{len(values)} models have a value) as one more indicator of ability: its percentile rank, "
                         "with a slope ≥ 0 and a misfit the fit estimates like a benchmark's")
    warn_now = list(t.left_out)
    msg = _unlinked(t, fit._model_part, fit._bench_part, fit._main_part)
    if msg:
        fit.diagnostics.append(msg)
        warn_now.append(msg)
    msg = _connectivity(t.mask, t.benchmarks, covariate)
    if msg:
        fit.diagnostics.append(msg)
        warn_now.append(msg)
    if not index.converged:
        msg = f"the index fit did not converge in {index.iterations} EM iterations; its numbers are approximate"
        fit.diagnostics.append(msg)
        warn_now.append(msg)
    for start, obj, agree in index.others:
        gap = index.objective - obj
        line = (f"index fit: start {start!r} reached objective {obj:.1f} ({gap:+.1f} below the kept start "
                f"{index.start!r}); Spearman of its abilities with the kept ones {agree:.2f}")
        fit.diagnostics.append(line)
        if np.isfinite(agree) and agree < 0.9 and gap < max(2.0, 0.002 * abs(index.objective)):
            warn_now.append(line + ": a very different order of models fits about as well or better (the "
                                   "eigenvector start follows blocks of benchmarks that share few models); the "
                                   "index kept is the one continuous with the additive model's ranking")
    _warn(warn_now, func)
    return fit


@renamed_keywords(long="data", seed="rng")
def cross_fit_predictions(data, *, folds: int = 5, level: float = 0.9, rng=0, n_items=None) -> pd.DataFrame:
    """Every published cell predicted by a fit that did not see it, with a calibrated interval and p-values.

    Shorthand for ``fit_capability(data, min_benchmarks=1, ...).predict(cells="held_out")`` (see
    :meth:`CapabilityFit.predict`): one row per published cell with ``model_id``, ``dataset_id``, ``observed``,
    ``predicted``, ``pred_low``, ``pred_high``, ``z``, ``scale``, ``p_high``, ``p_low``, ``fold``. ``p_high`` says
    how high a cell is against its benchmark's other cells (small = published higher than the other scores imply):
    a screening rank for one cell, valid for a cell exchangeable with the others, but not for a multiple-testing
    correction — every cell screened is in the set it is ranked against, so the values are ``1/n … 1`` and
    Benjamini–Hochberg rejects nothing. For flags at a false discovery rate use
    :func:`lbtools.analysis.flag_outliers`.
    ``folds`` must be 5 (the fit's cross-fitting folds; other values are reserved).
    """
    func = "cross_fit_predictions"
    if folds != _FOLDS:
        raise ValueError(f"{func}: folds must be {_FOLDS} (the fit's cross-fitting folds); got folds={folds!r}")
    return _fit(data, func, min_benchmarks=1, level=level, rng=rng, n_items=n_items).predict(cells="held_out")


# --------------------------------------------------------------------------------------------
# validation


def _hide_random(mask, holdout, rng):
    """Hide ``holdout`` of the published cells at random, keeping each model's last cell and each benchmark's
    last 3 cells in training."""
    idx = np.flatnonzero(mask)
    target = max(1, int(round(holdout * idx.size)))
    per_model = mask.sum(axis=1).copy()
    per_bench = mask.sum(axis=0).copy()
    test = np.zeros_like(mask)
    m = mask.shape[1]
    for cell in rng.permutation(idx):
        i, j = divmod(int(cell), m)
        if per_model[i] > 1 and per_bench[j] > 3:
            test[i, j] = True
            per_model[i] -= 1
            per_bench[j] -= 1
            if test.sum() >= target:
                break
    return test


def _hide_latest(mask, order_value, share, rng):
    """The ``share`` of models (with ≥ 2 cells and a known value) with the largest ``order_value`` hide half
    their cells (at random)."""
    counts = mask.sum(axis=1)
    eligible = np.flatnonzero((counts >= 2) & np.isfinite(order_value))
    n_late = max(1, int(round(len(eligible) * share)))
    late = eligible[np.argsort(order_value[eligible], kind="mergesort")][-n_late:]
    test = np.zeros_like(mask)
    for i in late:
        cols = np.flatnonzero(mask[i])
        test[i, rng.choice(cols, size=max(1, cols.size // 2), replace=False)] = True
    return test


def _per_model_value(data, t, by, func, arg="by"):
    """One number per model of ``t`` from the column ``by`` (``"time"``: ``created_at``): a date's time stamp, the
    earliest (for a date) or largest value a model's rows hold; NaN where none. ``arg``: the argument errors name."""
    col = "created_at" if by == "time" else by
    if col not in data.columns:
        raise ValueError(f"{func}: {arg}={by!r} needs a {col!r} column in data"
                         + (" (add it with lbtools.enrich)" if col == "created_at" else ""))
    v = data[col]
    num = None if by == "time" or pd.api.types.is_datetime64_any_dtype(v) else pd.to_numeric(v, errors="coerce")
    dated = num is None or (num.isna().all() and not pd.api.types.is_numeric_dtype(v))  # dates written as text too
    if dated:
        dt = pd.to_datetime(v, utc=True, errors="coerce", format="mixed")
        num = pd.Series([np.nan if pd.isna(x) else float(x.value) for x in dt], index=v.index)
    else:
        num = num.astype(float)
    per = pd.DataFrame({"model_id": data["model_id"].astype(str), "v": num.to_numpy(dtype=float)}).dropna()
    per = per.groupby("model_id")["v"].min() if dated else per.groupby("model_id")["v"].max()
    out = per.reindex(t.models).to_numpy(dtype=float)
    if np.isfinite(out).sum() < 4:
        raise ValueError(f"{func}: {arg}={by!r}: fewer than 4 models have a value in {col!r}")
    return out


def _baseline_intervals(method, pct, train, test, level, rng, seed):
    """Point predictions from all training cells; a split-conformal half-width (0–100) from one calibration fold
    (a fifth of the training cells) predicted by a fit on the other four fifths."""
    pred = cm.baseline_predict(method, pct, train, seed)[test]
    calib = cm.make_folds(train, 5, rng) == 0
    cal_pred = cm.baseline_predict(method, pct, train & ~calib, seed)
    scores = np.sort(np.abs(cal_pred[calib] - pct[calib]))
    rank = int(np.ceil((scores.size + 1) * level))
    q = scores[rank - 1] if 1 <= rank <= scores.size else np.inf
    return pred, np.clip(pred - q, 0, 100), np.clip(pred + q, 0, 100)


def _validate(fit: CapabilityFit, *, holdout, splits, by, methods, rng, func):
    if isinstance(holdout, bool) or not isinstance(holdout, (int, float)) or not 0 < holdout < 0.5:
        raise ValueError(f"{func}: holdout must be a fraction strictly between 0 and 0.5; got holdout={holdout!r}")
    if isinstance(splits, bool) or not isinstance(splits, (int, np.integer)) or splits < 1:
        raise ValueError(f"{func}: splits must be an integer ≥ 1; got splits={splits!r}")
    if not isinstance(by, str):
        raise TypeError(f"{func}: by must be 'random', 'time' or a column name; got by={by!r}")
    methods = (methods,) if isinstance(methods, str) else tuple(methods)  # one method by its name, not its letters
    bad = [mth for mth in methods if mth not in VALIDATION_METHODS]
    if bad:
        raise ValueError(f"{func}: unknown methods {bad}; choose from {list(VALIDATION_METHODS)}")
    t = fit._t
    mask = t.mask
    if by != "random":
        order_value = _per_model_value(fit._data, t, by, func)
    gen = as_generator(rng, func)
    seed = int(gen.integers(2**31))
    acc = {mth: [] for mth in methods}
    frames = []
    for rep in range(splits):
        test = _hide_random(mask, holdout, gen) if by == "random" else _hide_latest(mask, order_value, holdout * 2
                                                                                     if holdout <= 0.25 else 0.5, gen)
        if not test.any():
            raise ValueError(f"{func}: data has too few published cells to hold any out (each model keeps one "
                             "cell and each benchmark three)")
        train = mask & ~test
        truth = t.pct[test]
        ii, jj = np.nonzero(test)
        for mth in methods:
            inner = np.random.default_rng([seed, rep, VALIDATION_METHODS.index(mth)])
            if mth == "lbtools":
                with np.errstate(all="ignore"):
                    mdl = _fit_models(t, fit.level, inner, mask=train)
                p = cm.expected_pct(mdl.mu, mdl.sd)[test]
                lo = np.minimum(100 * cm.sigmoid(mdl.low[test]), p)
                hi = np.maximum(100 * cm.sigmoid(mdl.high[test]), p)
            else:
                p, lo, hi = _baseline_intervals(mth, t.pct, train, test, fit.level, inner, seed)
            acc[mth].append((truth, p, lo, hi))
            frames.append(pd.DataFrame({
                "method": mth, "split": by, "repeat": rep, "model_id": t.models[ii], "dataset_id": t.benchmarks[jj],
                "observed": truth, "predicted": p, "pred_low": lo, "pred_high": hi}))
    rows = []
    for mth in methods:
        truth, p, lo, hi = (np.concatenate(x) for x in zip(*acc[mth]))
        rows.append({"method": mth, "split": by, "rmse": float(np.sqrt(np.mean((p - truth) ** 2))),
                     "coverage": float(np.mean((truth >= lo) & (truth <= hi))), "n_cells": int(truth.size)})
    summary = pd.DataFrame(rows).astype(
        {"method": "string", "split": "string", "rmse": "Float64", "coverage": "Float64", "n_cells": "Int64"})
    summary.attrs = dict(t.attrs)
    cells = pd.concat(frames, ignore_index=True).astype(
        {"method": "string", "split": "string", "model_id": "string", "dataset_id": "string",
         "observed": "Float64", "predicted": "Float64", "pred_low": "Float64", "pred_high": "Float64"})
    return CapabilityValidation(summary, cells)


# --------------------------------------------------------------------------------------------
# the wrappers (what they returned before, from one fit each)


@renamed_keywords(long="data", seed="rng")
def predict_scores(data, *, level: float = 0.9, min_benchmarks: int = 2, rng=0, n_items=None) -> pd.DataFrame:
    """Predict every model's score on every benchmark, with a ``level`` prediction interval for a newly published
    score: ``fit_capability(data, ...).predict()`` (see there and :meth:`CapabilityFit.predict`).

    Returns one row per (model with ≥ ``min_benchmarks`` scores) × (benchmark), sorted by model then benchmark,
    on each benchmark's published scale: ``model_id``, ``dataset_id`` (string), ``observed``, ``predicted``,
    ``pred_low``, ``pred_high`` (Float64). Predictions are **not published results**.
    """
    return _fit(data, "predict_scores", level=level, min_benchmarks=min_benchmarks, rng=rng,
                n_items=n_items).predict()


@renamed_keywords(long="data", seed="rng")
def capability_index(data, *, level: float = 0.9, benchmarks=None, min_benchmarks: int = 2, n_items=None,
                     rng=0, covariate: str | None = None) -> pd.DataFrame:
    """One capability number per model on one scale: ``fit_capability(data, ...).abilities()``.

    Columns ``model_id``, ``ability``, ``ability_low``, ``ability_high``, ``n_benchmarks``, most capable first (the
    column was ``index`` before this release). The index is a one-dimensional logit item-response fit with
    non-negative discriminations, started from the additive model (see :mod:`lbtools.analysis.capability`); its
    interval is approximate (:meth:`CapabilityFit.abilities`); ``covariate``: see :func:`fit_capability`.
    """
    return _fit(data, "capability_index", benchmarks=benchmarks, min_benchmarks=min_benchmarks, n_items=n_items,
                level=level, rng=rng, covariate=covariate).abilities()


@renamed_keywords(long="data", seed="rng")
def benchmark_parameters(data, *, benchmarks=None, min_benchmarks: int = 2, n_items=None, rng=0) -> pd.DataFrame:
    """Each benchmark's difficulty and discrimination on the index's scale: ``fit_capability(...).benchmarks()``."""
    return _fit(data, "benchmark_parameters", benchmarks=benchmarks, min_benchmarks=min_benchmarks,
                n_items=n_items, rng=rng).benchmarks()


@renamed_keywords(long="data", seed="rng")
def validate_predictions(data, *, holdout: float = 0.1, splits: int = 5, rng=0, level: float = 0.9, n_items=None,
                         methods=DEFAULT_METHODS, return_cells: bool = False):
    """How far off the predictions are, and how often their intervals cover, on held-out published cells.

    ``fit_capability(data, ...).validate(holdout, splits, by=...)`` for ``by="random"`` and, when ``data`` has a
    ``created_at`` column with ≥ 4 dated models, ``by="time"`` (the latest 20 % of models hide half their
    cells). Returns one row per (method, split): ``method``, ``split``, ``rmse`` (0–100), ``coverage``,
    ``n_cells``. The held-out cells themselves: :meth:`CapabilityFit.validate` (``.cells``).
    ``return_cells=True`` still returns ``(table, cells)`` for one release, with a FutureWarning.

    Raises
    ------
    ValueError
        ``data`` holds fewer than 2 models or 2 benchmarks, or every value is the same (nothing to predict).
    """
    func = "validate_predictions"
    if return_cells:
        warnings.warn(f"{func}: return_cells=True is going (next release); use fit_capability(data).validate(...)"
                      ".cells", FutureWarning, stacklevel=user_stacklevel())
    if isinstance(holdout, bool) or not isinstance(holdout, (int, float)) or not 0 < holdout < 0.5:
        raise ValueError(f"{func}: holdout must be a fraction strictly between 0 and 0.5; got holdout={holdout!r}")
    if isinstance(splits, bool) or not isinstance(splits, (int, np.integer)) or splits < 1:
        raise ValueError(f"{func}: splits must be an integer ≥ 1; got splits={splits!r}")
    fit = _fit(data, func, level=level, rng=rng, n_items=n_items)
    results = [fit.validate(holdout, splits, "random", methods=methods)]
    if "created_at" in data.columns:
        try:
            results.append(fit.validate(holdout, splits, "time", methods=methods))
        except ValueError as exc:
            _warn([f"time split skipped: {exc}"], func)
    else:
        _warn(["time split skipped: data has no created_at column (add it with lbtools.enrich)"], func)
    table = pd.concat([r.summary for r in results], ignore_index=True)
    table.attrs = dict(fit.attrs)
    if return_cells:
        cells = pd.concat([r.cells for r in results], ignore_index=True)
        return table, cells
    return table
