"""Rank uncertainty on one leaderboard: which differences between published scores are real.

Only published scores exist (no per-item results), so each score is treated as a binomial proportion: a model that
solved a fraction ``p`` of ``n`` items could, on another draw of ``n`` items of the same kind, have solved
``Binomial(n, p) / n``. A parametric bootstrap redraws the whole board that way many times, ranks every redraw, and
reads each model's rank interval, its probability of being first and its tier off the redrawn ranks.

The independence assumption, and why: the redraws of two models are independent, as if each had answered its own
sample of items. In reality every model answers the same items, and a paired per-item analysis (McNemar, or a
bootstrap over items) would cancel the shared item difficulty and give narrower intervals. Leaderboards publish no
per-item results, so the independent model is the one the published numbers support; it errs on the side of calling
models tied (intervals too wide rather than too narrow).
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd

from ..errors import AnalysisWarning
from .tables import check_probability, require_columns

__all__ = ["rank_intervals", "resolution", "resolution_table", "tie_summary"]

_OUT_DTYPES = {
    "dataset_id": "string",
    "model_id": "string",
    "value": "Float64",
    "rank": "Int64",
    "rank_low": "Int64",
    "rank_high": "Int64",
    "p_top1": "Float64",
    "tier": "Int64",
}


# --------------------------------------------------------------------------------------------
# shared checks


def _check_board(board, func: str) -> pd.DataFrame:
    if not isinstance(board, pd.DataFrame):
        raise TypeError(f"{func}: board must be a pandas DataFrame (one benchmark's load_leaderboard frame); "
                        f"got {type(board).__name__}")
    require_columns(board, ("model_id", "value"), func, name="board")
    if "dataset_id" in board.columns:
        ids = board["dataset_id"].dropna().unique()
        if len(ids) > 1:
            raise ValueError(f"{func}: board holds {len(ids)} benchmarks ({', '.join(map(str, ids[:5]))}); pass one "
                             "benchmark's rows, e.g. board[board.dataset_id == 'org/name']")
    return board


def _dataset_id(board: pd.DataFrame):
    if "dataset_id" not in board.columns:
        return None
    ids = board["dataset_id"].dropna().unique()
    return str(ids[0]) if len(ids) else None


def _lower_is_better(board: pd.DataFrame, func: str) -> bool:
    if "lower_is_better" not in board.columns:
        return False
    flags = board["lower_is_better"].astype("boolean").dropna().unique()
    if len(flags) > 1:
        raise ValueError(f"{func}: board's lower_is_better column holds both True and False; one benchmark has one "
                         "direction")
    return bool(flags[0]) if len(flags) else False


def _scale_of(values: np.ndarray, func: str, benchmark) -> float:
    """100 for a 0–100 board, 1 for a 0–1 board; a ValueError for anything that is not a proportion."""
    from .tables import detect_scale

    scale = detect_scale(values)
    if scale == "0-100":
        return 100.0
    if scale == "0-1" or (values.size and values.min() >= 0 and values.max() <= 1):
        return 1.0
    where = f" of benchmark {benchmark}" if benchmark else ""
    raise ValueError(
        f"{func}: the values{where} run from {values.min():g} to {values.max():g}, outside [0, 1] and [0, 100]; "
        "rank intervals treat each score as the share of items a model solved (accuracy, pass rate), so other "
        "metrics (Elo ratings, perplexities, costs) can't be used"
    )


def _n_items(board: pd.DataFrame, n_items, func: str) -> tuple[int, str]:
    """``(n, source)``: the item count of the board's benchmark, from the caller, else ``lbtools.benchmark_sizes``."""
    benchmark = _dataset_id(board)
    how = ("pass n_items=<number of questions in the benchmark>"
           + (f" or n_items={{{benchmark!r}: n}}" if benchmark else ""))
    if n_items is None:
        if benchmark is None:
            raise ValueError(f"{func}: board has no dataset_id, so its item count can't be looked up; {how}")
        import lbtools

        sizes = lbtools.benchmark_sizes([benchmark])
        known = sizes[sizes["n_items"].notna()]
        if known.empty:
            raise ValueError(
                f"{func}: no item count is known for benchmark {benchmark} (its dataset card on the Hub publishes "
                f"none for the split its eval.yaml names, and lbtools' table lacks it); {how}"
            )
        return int(known["n_items"].iloc[0]), str(known["n_items_source"].iloc[0])
    if isinstance(n_items, dict):
        if benchmark is None or benchmark not in n_items:
            raise ValueError(f"{func}: n_items has no entry for benchmark {benchmark!r} "
                             f"(it has {', '.join(map(repr, list(n_items)[:5])) or 'none'}); {how}")
        n_items = n_items[benchmark]
    if isinstance(n_items, bool) or not isinstance(n_items, (int, np.integer)):
        raise TypeError(f"{func}: n_items must be an int, a {{dataset_id: int}} mapping or None; "
                        f"got {type(n_items).__name__}")
    if n_items < 1:
        raise ValueError(f"{func}: n_items must be at least 1; got {n_items}")
    return int(n_items), "user"


def _one_row_per_model(board: pd.DataFrame, func: str) -> pd.DataFrame:
    """The board with rows lacking a value dropped and duplicates resolved by the project's de-dup rule, warning
    which rows went."""
    from . import dedupe_results

    has_value = board["value"].notna().to_numpy(dtype=bool)
    if not has_value.all():
        gone = board.loc[~has_value, "model_id"].astype("string").tolist()
        warnings.warn(f"{func}: left out {len(gone)} rows without a value: {', '.join(map(str, gone[:10]))}",
                      AnalysisWarning, stacklevel=3)
        board = board[has_value]
    if not board["model_id"].duplicated().any():
        return board
    with warnings.catch_warnings():
        # Its count is repeated below with the rows themselves.
        warnings.simplefilter("ignore", AnalysisWarning)
        kept = dedupe_results(board, keys=("model_id",))
    dropped = board.loc[~board.index.isin(kept.index)]
    listed = "; ".join(f"{m} {v:g}" for m, v in zip(dropped["model_id"], dropped["value"].astype(float)))
    warnings.warn(
        f"{func}: {len(dropped)} duplicate entries dropped by lbtools.analysis.dedupe_results (one row per model): "
        f"{listed}",
        AnalysisWarning,
        stacklevel=3,
    )
    return kept


# --------------------------------------------------------------------------------------------
# rank intervals


# Above this binomial variance (items²) a count is drawn from the normal approximation, rounded to whole items:
# indistinguishable from the binomial at that size (skewness under 0.1) and some 20× faster than numpy's sampler.
_NORMAL_VARIANCE = 100.0


def _draw_counts(p: np.ndarray, n: int, n_boot: int, rng) -> np.ndarray:
    """``(n_boot, m)`` item counts ``~ Binomial(n, p)`` (see ``_NORMAL_VARIANCE``)."""
    from scipy.stats import binom

    variance = n * p * (1 - p)
    large = variance > _NORMAL_VARIANCE
    counts = np.empty((n_boot, p.size))
    if large.any():
        z = rng.standard_normal((n_boot, int(large.sum())))
        counts[:, large] = np.clip(np.rint(n * p[large] + np.sqrt(variance[large]) * z), 0, n)
    small = np.flatnonzero(~large)
    if small.size:
        # Exact draws by inverting each model's binomial CDF (a small table: the variance is small here), several
        # times faster than numpy's sampler. Row j of the table is shifted by 2j so that all rows form one sorted
        # array and one searchsorted serves every model.
        cdf = binom.cdf(np.arange(n + 1)[None, :], n, p[small, None])
        shift = 2.0 * np.arange(small.size)[:, None]
        u = rng.random((small.size, n_boot)) + shift
        found = np.searchsorted((cdf + shift).ravel(), u.ravel(), side="right").reshape(small.size, n_boot)
        counts[:, small] = np.minimum(found - (n + 1) * np.arange(small.size)[:, None], n).T
    return counts


def _bootstrap_ranks(p: np.ndarray, n: int, n_boot: int, rng, lower_is_better: bool) -> np.ndarray:
    """``(n_boot, m)`` ranks (1 = best) of the models in redraws of the board, ties broken at random."""
    # Centred on (k + 1) / (n + 2), not k / n: a perfect (or zero) score would otherwise be redrawn as perfect every
    # time and its model called first with certainty; with the +1/+2 p_top1 is calibrated (see rank_intervals).
    counts = _draw_counts((p * n + 1) / (n + 2), n, n_boot, rng)
    # Counts are whole numbers: a uniform fraction added to each breaks ties at random and nothing else.
    key = (counts if lower_is_better else -counts) - rng.random(counts.shape)
    order = np.argsort(key, axis=-1)
    ranks = np.empty_like(order)
    np.put_along_axis(ranks, order, np.arange(1, p.size + 1)[None, :], axis=-1)
    return ranks


def _rank_quantiles(ranks: np.ndarray, alpha: float):
    """``(rank_low, rank_high, p_top1)`` per model from ``(n_boot, m)`` ranks: the ``alpha / 2`` quantile by
    numpy's ``"lower"`` rule and the ``1 - alpha / 2`` one by its ``"higher"`` rule, read off each model's histogram
    of ranks (ranks are 1..m, so counting beats sorting)."""
    n_boot, m = ranks.shape
    cells = (ranks - 1) * m + np.arange(m)[None, :]
    hist = np.bincount(cells.ravel(), minlength=m * m).reshape(m, m)  # [rank - 1, model]
    at_most = np.cumsum(hist, axis=0)
    # numpy's "lower"/"higher" quantile q is the sorted value at floor / ceil of q * (n_boot - 1) (0-based).
    low_index = math.floor(alpha / 2 * (n_boot - 1))
    high_index = math.ceil((1 - alpha / 2) * (n_boot - 1))
    rank_low = np.argmax(at_most >= low_index + 1, axis=0) + 1
    rank_high = np.argmax(at_most >= high_index + 1, axis=0) + 1
    return rank_low.astype(np.int64), rank_high.astype(np.int64), hist[0] / n_boot


def _tiers(rank_low: np.ndarray, published: np.ndarray) -> np.ndarray:
    """Tiers of models in ranking order (see ``rank_intervals``): a tier that starts at position ``s`` holds the
    models from there on whose ``rank_low`` is at most ``s``; the first model that can't reach ``s`` starts the next
    tier at its own position, unless it shares its published rank with the model before it."""
    tiers = np.empty(rank_low.size, dtype=np.int64)
    tier, start = 0, 0
    for position, (low, rank) in enumerate(zip(rank_low, published), start=1):
        if position == 1 or (low > start and rank != published[position - 2]):
            tier += 1
            start = position
        tiers[position - 1] = tier
    return tiers


def rank_intervals(board, *, n_items=None, level: float = 0.95, n_boot: int = 2000, seed=0) -> pd.DataFrame:
    """Each model's rank on one leaderboard with its ``level`` interval, its chance of being first and its tier.

    Method: each published score is a proportion ``p`` of ``n_items`` items (values on 0–100 are divided by 100),
    ``k = p * n_items`` items solved. The whole board is redrawn ``n_boot`` times, every model's count drawn
    independently from ``Binomial(n_items, (k + 1) / (n_items + 2))`` (a parametric bootstrap, all models × redraws
    drawn at once; where the binomial variance exceeds 100 items², from its normal approximation rounded to whole
    items, which is indistinguishable there and much faster). The ``+1``/``+2`` (the posterior mean under a uniform
    prior) keeps a perfect or zero score from being redrawn identically every time and so called first with
    certainty. Each redraw is ranked
    (``lower_is_better`` respected, ties broken at random). ``rank_low``/``rank_high`` are the ``(1 - level) / 2``
    and ``(1 + level) / 2`` quantiles of a model's redrawn ranks (the lower and the higher order statistic, so
    rounding never narrows the interval), ``p_top1`` the share of redraws in which it is first.

    Independence: the redraws of two models are independent, as if each had answered its own items. All models of a
    leaderboard answer the same items, and a paired analysis of per-item results would give narrower intervals, but
    leaderboards publish no per-item results. The intervals therefore err towards "tied".

    Tiers: tier 1 is the models whose interval reaches rank 1: at ``level`` none of them can be told apart from the
    leader, each could be the best. Down the ranking, a tier that starts at position ``s`` holds the models from
    there on whose ``rank_low`` is at most ``s`` (each could be the best of the models not in a higher tier); the
    first model whose ``rank_low`` is beyond ``s`` starts the next tier at its own position. Tiers are contiguous
    blocks of the ranking numbered 1, 2, … (a partition, so "same tier" is transitive); models with equal published
    values always share a tier.

    Validation (``tests/test_ranks.py``, fixed seeds, ``n_boot=400``): with 10 models 3 points apart (87 … 60 %) and
    200 items, the 95 % intervals covered the true rank in 99.3 % of 1,200 model-replicates (every model ≥ 97.5 %),
    mean width 4.3 of 10 ranks; 1 point apart, 96.5 % (worst model 92 %), width 7.4; models 20 points apart on 500
    items got width-1 intervals in every replicate. ``p_top1`` is the probability of being the true leader under a
    flat prior on each accuracy: with 10 true accuracies drawn uniformly on [0, 1] and 30 items, every bin of
    predicted ``p_top1`` matched the share of true leaders within 0.04. It overstates the observed leader's chance
    when the true accuracies are bunched much closer than a flat prior (5 models uniform on 60–80 %, 100 items:
    predicted 0.87, observed 0.79 in the 0.80–0.95 bin): the observed leader is partly the luckiest one.

    Parameters
    ----------
    board : pandas.DataFrame
        One benchmark's ``load_leaderboard`` frame (``model_id``, ``value``; ``dataset_id`` and ``lower_is_better``
        when present). Values on 0–1 or 0–100. Rows without a value are left out, and a model's duplicate entries
        are resolved by ``lbtools.analysis.dedupe_results``, each with a warning naming the rows.
    n_items : int, dict or None
        Items (questions, tasks) each score is over: an int, a ``{dataset_id: n}`` mapping, or None to look it up
        with ``lbtools.benchmark_sizes`` (the dataset card on the Hub in use, then lbtools' table).
    level : float
        Coverage of the rank intervals, in (0, 1).
    n_boot : int
        Redraws of the board (at least 100).
    seed : int, numpy.random.Generator or None
        The same seed gives the same result.

    Returns
    -------
    pandas.DataFrame
        One row per model, by ``rank`` then ``model_id``:

        ==========  =======  ==================================================================
        dataset_id  string   the benchmark (empty when the board has none)
        model_id    string
        value       Float64  as published
        rank        Int64    the published ranking (ties share the best rank)
        rank_low    Int64    best rank within the ``level`` interval
        rank_high   Int64    worst rank within the ``level`` interval
        p_top1      Float64  share of redraws in which the model ranks first
        tier        Int64    1 = can't be separated from the leader at ``level``; 2 = the next group; …
        ==========  =======  ==================================================================

        ``attrs`` keeps the board's and adds ``n_items``, ``n_items_source``, ``level``, ``n_boot``, ``scale``.

    Raises
    ------
    ValueError
        Values outside [0, 1] and [0, 100]; no item count known (the message says how to pass ``n_items=``);
        several benchmarks in ``board``; bad ``level``/``n_boot``.
    """
    func = "rank_intervals"
    board = _check_board(board, func)
    level = check_probability(level)
    if isinstance(n_boot, bool) or not isinstance(n_boot, (int, np.integer)) or n_boot < 100:
        raise ValueError(f"n_boot must be an int of at least 100; got {n_boot!r}")
    rows = _one_row_per_model(board, func)
    benchmark = _dataset_id(board)
    lower = _lower_is_better(rows, func)
    values = rows["value"].to_numpy(dtype="float64", na_value=np.nan)
    if values.size == 0:
        out = pd.DataFrame({c: pd.array([], dtype=t) for c, t in _OUT_DTYPES.items()})
        out.attrs = dict(board.attrs)
        return out
    scale = _scale_of(values, func, benchmark)
    n, source = _n_items(rows, n_items, func)
    p = np.clip(values / scale, 0.0, 1.0)

    rng = np.random.default_rng(seed)
    ranks = _bootstrap_ranks(p, n, int(n_boot), rng, lower)
    rank_low, rank_high, p_top1 = _rank_quantiles(ranks, 1.0 - level)

    better = -values if not lower else values
    published = pd.Series(better).rank(method="min").to_numpy(dtype=np.int64)
    model_ids = rows["model_id"].astype("string").to_numpy(dtype=object)
    order = np.lexsort((model_ids.astype(str), published))
    rank_low, rank_high = rank_low[order], rank_high[order]
    out = pd.DataFrame(
        {
            "dataset_id": pd.array([benchmark] * values.size, dtype="string"),
            "model_id": pd.array(model_ids[order], dtype="string"),
            "value": pd.array(rows["value"].to_numpy(dtype="float64")[order], dtype="Float64"),
            "rank": pd.array(published[order], dtype="Int64"),
            "rank_low": pd.array(rank_low, dtype="Int64"),
            "rank_high": pd.array(rank_high, dtype="Int64"),
            "p_top1": pd.array(p_top1[order], dtype="Float64"),
            "tier": pd.array(_tiers(rank_low, published[order]), dtype="Int64"),
        }
    )
    out.attrs = dict(board.attrs)
    out.attrs.update(n_items=n, n_items_source=source, level=level, n_boot=int(n_boot),
                     scale="0-100" if scale == 100 else "0-1")
    return out


# --------------------------------------------------------------------------------------------
# resolution


def resolution(board, *, n_items=None, level: float = 0.95, power: float = 0.8) -> float:
    """The smallest score gap the benchmark can resolve at the leader's score, in the board's units.

    The gap ``d`` at which a two-sided two-sample test of proportions at ``1 - level`` significance, with
    ``n = n_items`` items per model, has the given ``power`` against a model ``d`` below the leader's proportion
    ``p1`` (above it when lower is better). It solves the standard sample-size formula for two proportions
    (Fleiss, *Statistical Methods for Rates and Proportions*, pooled variance under the null) for ``d``:

        sqrt(n) * d = z_{(1+level)/2} * sqrt(2 * pbar * (1 - pbar)) + z_{power} * sqrt(p1 (1 - p1) + p2 (1 - p2)),
        p2 = p1 - d,  pbar = (p1 + p2) / 2,

    with ``scipy.optimize.brentq``. Example: AIME 2026 (30 problems) with a leader at 93.3 % resolves about 29
    points; a gap of 16 points is not even significant once observed. Gaps smaller than this are noise on this
    benchmark.

    Parameters
    ----------
    board : pandas.DataFrame
        One benchmark's leaderboard, as for ``rank_intervals``.
    n_items, level
        As for ``rank_intervals``.
    power : float
        In (0, 1).

    Returns
    -------
    float
        The gap in the board's units (points on a 0–100 board, a proportion on a 0–1 board); ``inf`` when no gap
        within the scale can be resolved (too few items).
    """
    from scipy.optimize import brentq
    from scipy.stats import norm

    func = "resolution"
    board = _check_board(board, func)
    level = check_probability(level)
    power = check_probability(power, "power")
    rows = board[board["value"].notna()]
    values = rows["value"].to_numpy(dtype="float64", na_value=np.nan)
    if values.size == 0:
        raise ValueError(f"{func}: board has no values")
    scale = _scale_of(values, func, _dataset_id(board))
    n, _ = _n_items(rows, n_items, func)
    lower = _lower_is_better(rows, func)
    p1 = float(np.clip((values.min() if lower else values.max()) / scale, 0.0, 1.0))
    # Work downwards from the leader; a lower-is-better board is the mirror image.
    if lower:
        p1 = 1.0 - p1
    z_a, z_b = norm.ppf((1 + level) / 2), norm.ppf(power)

    def shortfall(d: float) -> float:
        p2 = p1 - d
        pbar = (p1 + p2) / 2
        need = z_a * math.sqrt(2 * pbar * (1 - pbar)) + z_b * math.sqrt(p1 * (1 - p1) + p2 * (1 - p2))
        return need - math.sqrt(n) * d

    if p1 <= 0 or shortfall(p1) > 0:
        return math.inf
    d = brentq(shortfall, 1e-12, p1, xtol=1e-10)
    return float(d * scale)


def resolution_table(long, *, n_items=None, level: float = 0.95, power: float = 0.8) -> pd.DataFrame:
    """Item count and resolvable gap of every benchmark in a ``load_leaderboards`` frame (for a summary table).

    Item counts are looked up once for all benchmarks (``lbtools.benchmark_sizes``) unless ``n_items`` gives them
    (an int for every benchmark, or ``{dataset_id: n}``); a benchmark without a known count gets NA and its reason in
    ``attrs["missing"]`` instead of an error.

    Returns
    -------
    pandas.DataFrame
        One row per benchmark, by ``dataset_id``: ``dataset_id`` (string), ``n_items`` (Int64), ``n_items_source``
        (string: ``user``/``card``/``table``), ``leader_value`` (Float64, as published), ``resolution`` (Float64, see
        :func:`resolution`, in the benchmark's units).
    """
    if not isinstance(long, pd.DataFrame):
        raise TypeError(f"long must be a pandas DataFrame (the load_leaderboards frame); got {type(long).__name__}")
    require_columns(long, ("dataset_id", "model_id", "value"), "resolution_table", name="long")
    ids = sorted(long["dataset_id"].dropna().astype(str).unique())
    counts, reasons = {}, {}
    if n_items is None:
        import lbtools

        sizes = lbtools.benchmark_sizes(ids) if ids else None
        for dataset_id in ids:
            known = sizes[(sizes["dataset_id"] == dataset_id) & sizes["n_items"].notna()]
            if known.empty:
                reasons[dataset_id] = sizes.attrs.get("missing", {}).get(dataset_id, "no item count known")
            else:
                counts[dataset_id] = (int(known["n_items"].iloc[0]), str(known["n_items_source"].iloc[0]))
    elif isinstance(n_items, dict):
        counts = {d: (n_items[d], "user") for d in ids if d in n_items}
        reasons = {d: "not in n_items" for d in ids if d not in n_items}
    else:
        counts = {d: (n_items, "user") for d in ids}
    rows = []
    for dataset_id in ids:
        board = long[(long["dataset_id"] == dataset_id).fillna(False).to_numpy(dtype=bool)]
        values = board["value"].to_numpy(dtype="float64", na_value=np.nan)
        values = values[np.isfinite(values)]
        lower = _lower_is_better(board, "resolution_table")
        leader = (values.min() if lower else values.max()) if values.size else None
        n, source = counts.get(dataset_id, (None, None))
        gap = None
        if n is not None and values.size:
            try:
                gap = resolution(board, n_items=n, level=level, power=power)
            except ValueError as exc:
                reasons[dataset_id] = str(exc)
        rows.append((dataset_id, n, source, leader, gap))
    dtypes = {"dataset_id": "string", "n_items": "Int64", "n_items_source": "string", "leader_value": "Float64",
              "resolution": "Float64"}
    out = pd.DataFrame({c: pd.array([r[i] for r in rows], dtype=t) for i, (c, t) in enumerate(dtypes.items())})
    out.attrs = dict(long.attrs)
    out.attrs["missing"] = reasons
    return out


# --------------------------------------------------------------------------------------------
# one line for a notebook


def tie_summary(ranked, *, name: str | None = None, detail: bool = True) -> str:
    """One sentence on a ``rank_intervals`` result: how many models share the top tier, and who they are.

    E.g. ``"AIME 2026 (30 items): the top 9 are statistically tied at the 95 % level (a, b, …); 2 tiers among 12
    models."``; with ``detail=False`` only the headline: ``"the top 9 are statistically tied at the 95 % level"``.
    ``name`` defaults to the benchmark's dataset id.
    """
    if not isinstance(ranked, pd.DataFrame):
        raise TypeError(f"ranked must be the DataFrame of rank_intervals; got {type(ranked).__name__}")
    missing = [c for c in ("model_id", "tier") if c not in ranked.columns]
    if missing:
        raise ValueError(f"ranked: not a rank_intervals result (no column {', '.join(map(repr, missing))})")
    if ranked.empty:
        return "No models to rank."
    pct = f"{100 * ranked.attrs.get('level', 0.95):g} %"
    tiers = ranked["tier"].astype("Int64")
    top = ranked.loc[(tiers == 1).fillna(False).to_numpy(dtype=bool), "model_id"].astype(str).tolist()
    if len(top) == 1:
        lead = f"{top[0]} leads, ahead of every other model at the {pct} level"
    else:
        lead = f"the top {len(top)} are statistically tied at the {pct} level"
    if not detail:
        return lead
    if len(top) > 1:
        lead += " (" + ", ".join(top[:6]) + (f", … ({len(top) - 6} more)" if len(top) > 6 else "") + ")"
    n = ranked.attrs.get("n_items")
    if name is None and "dataset_id" in ranked.columns and ranked["dataset_id"].notna().any():
        name = str(ranked["dataset_id"].dropna().iloc[0])
    head = f"{name}{f' ({n} items)' if n else ''}: " if name else ""
    n_tiers = int(tiers.max())
    return f"{head}{lead}; {n_tiers} tier{'s' if n_tiers != 1 else ''} among {len(ranked)} models."
