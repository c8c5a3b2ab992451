"""Rank uncertainty on one leaderboard: which differences between published scores are real.

Only published scores exist (no per-item results), so each score is treated as a binomial proportion: a model that
solved ``k`` of ``n`` items has accuracy posterior ``Beta(k + 1, n - k + 1)`` under a flat prior. Draws of the whole
board from those posteriors give each model's rank interval and its probability of being first; simultaneous tests of
every pairwise difference (max-T step-down, Holm above 60 models) give confidence sets for all ranks at once, and the
tiers and "statistically tied" statements come from those (Mogstad, Romano, Shaikh & Wilhelm 2024). Item counts are
always passed in (``n_items=``): nothing here touches the network. See ``docs/inference.md``.

The independence assumption, and why: the models are treated as if each had answered its own sample of items. In
reality every model answers the same items, and a paired per-item analysis (McNemar, or a bootstrap over items) would
cancel the shared item difficulty and give narrower intervals. Leaderboards publish no per-item results, so the
independent model is the one the published numbers support; it errs on the side of calling models tied (intervals
too wide rather than too narrow). On Eval-Arena's real per-item results (``make validate``) score differences vary
0.55-0.75 times as much as independent binomials say, and each model's 95 % interval held its true rank 99.3-99.9 % of
the time.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd

from .._format import count
from .._format import score as _score
from ..errors import AnalysisWarning, user_stacklevel
from ._checks import as_generator, check_probability, refuse_non_finite, renamed_keywords, require_columns
from .tables import dedupe_results, detect_scale

__all__ = ["MAX_ITEMS", "leader_summary", "rank_intervals", "resolution", "resolution_table", "tie_summary"]

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


MAX_ITEMS = 100_000_000  # an item count above this is not a benchmark's size (and would only slow the draws)


def _shipped_table() -> dict:
    """``{dataset_id: (n, "table")}`` from lbtools' own item-count table, a file in the package (no network): the
    default when no ``n_items`` is given. The first row of a benchmark counts, as in ``benchmark_sizes()``."""
    from .._tables import item_count_rows

    table = {}
    for row in item_count_rows():
        if row["n_items"] is not None:
            table.setdefault(row["dataset_id"], (row["n_items"], "table"))
    return table


def _n_items_table(n_items, func: str) -> dict | None:
    """``{dataset_id: (n, source)}`` from a ``benchmark_sizes()`` frame (the first row with a count per benchmark, its
    own convention), a ``{dataset_id: n}`` mapping, or lbtools' shipped table when ``n_items`` is None; None for a
    plain number."""
    if n_items is None:
        return _shipped_table()
    if isinstance(n_items, pd.DataFrame):
        require_columns(n_items, ("dataset_id", "n_items"), func, name="n_items")
        known = n_items[n_items["n_items"].notna()]
        table = {}
        for row in known.itertuples(index=False):
            ds = str(row.dataset_id)
            if ds not in table:
                table[ds] = (row.n_items, str(getattr(row, "n_items_source", "user")))
        return table
    if isinstance(n_items, dict):
        return {str(k): (v, "user") for k, v in n_items.items()}
    return None


def _check_count(n, func: str, benchmark=None) -> int:
    where = f" for {benchmark}" if benchmark else ""
    if isinstance(n, bool) or not isinstance(n, (int, np.integer, float, np.floating)) or (
            isinstance(n, (float, np.floating)) and not float(n).is_integer()):
        raise TypeError(f"{func}: n_items{where} must be a whole number of items; got {n!r} ({type(n).__name__})")
    n = int(n)
    if n < 1:
        raise ValueError(f"{func}: n_items{where} must be at least 1; got {n}")
    if n > MAX_ITEMS:
        raise ValueError(f"{func}: n_items{where} is {n:,}, above {MAX_ITEMS:,}: that is not the number of questions "
                         "of a benchmark; pass the size of the split the scores were computed on")
    return n


def _n_items(board: pd.DataFrame, n_items, func: str) -> tuple[int, str]:
    """``(n, source)``: the item count of the board's benchmark, from ``n_items`` (a number, a ``{dataset_id: n}``
    mapping or the ``lbtools.benchmark_sizes()`` frame). Never looked up here: analysis does no network I/O."""
    benchmark = _dataset_id(board)
    how = ("pass n_items=<number of questions in the benchmark>"
           + (f", n_items={{{benchmark!r}: n}}" if benchmark else "")
           + " or n_items=lbtools.benchmark_sizes() (loaded in the notebook's data cell)")
    table = _n_items_table(n_items, func)
    if table is None:
        return _check_count(n_items, func, benchmark), "user"
    if benchmark is None or benchmark not in table:
        where = "lbtools' own item-count table" if n_items is None else "n_items"
        raise ValueError(f"{func}: {where} has no entry for benchmark {benchmark!r}; no item count is known for it "
                         f"(analysis never looks it up on the Hub); {how}")
    n, source = table[benchmark]
    return _check_count(n, func, benchmark), source


def _one_row_per_model(board: pd.DataFrame, func: str) -> pd.DataFrame:
    """The board with rows lacking a value dropped and duplicates resolved by the project's de-dup rule, warning
    which rows went."""
    values = pd.to_numeric(board["value"], errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
    refuse_non_finite(values, board["model_id"].astype("string").to_numpy(dtype=object), func)
    has_value = board["value"].notna().to_numpy(dtype=bool)
    if not has_value.all():
        gone = board.loc[~has_value, "model_id"].astype("string").tolist()
        warnings.warn(f"left out {count(len(gone), 'row')} without a value: {', '.join(map(str, gone[:10]))}",
                      AnalysisWarning, stacklevel=user_stacklevel())
        board = board[has_value]
    if not board["model_id"].duplicated().any():
        return board
    positions = board.set_axis(np.arange(len(board)))  # by position: a concatenated board repeats index labels
    with warnings.catch_warnings():
        # Its count is repeated below with the rows themselves.
        warnings.simplefilter("ignore", AnalysisWarning)
        kept = dedupe_results(positions, keys=("model_id",))
    dropped = board.iloc[np.setdiff1d(np.arange(len(board)), kept.index.to_numpy())]
    listed = "; ".join(f"{m} {v:g}" for m, v in zip(dropped["model_id"], dropped["value"].astype(float)))
    warnings.warn(
        f"{count(len(dropped), 'duplicate entry', 'duplicate entries')} dropped (one row per model): "
        f"{listed}",
        AnalysisWarning,
        stacklevel=user_stacklevel(),
    )
    return board.iloc[kept.index.to_numpy()]


# --------------------------------------------------------------------------------------------
# rank intervals


_NORMAL_VARIANCE = 100.0  # see _posterior_ranks
_SIMULTANEOUS_MAX_T_DRAWS = 1000  # draws of the max-T statistic (its 95 % quantile is stable to ±0.02 at 1,000)
_SIMULTANEOUS_MAX_T_MODELS = 60  # above this many models Holm's step-down replaces max-T (no draws, fast)
_SIMULTANEOUS_HOLM_MODELS = 2000  # above this many, Bonferroni in one step (nothing stored per pair)


def _posterior_ranks(k: np.ndarray, n: int, n_boot: int, gen, lower_is_better: bool) -> np.ndarray:
    """``(n_boot, m)`` ranks (1 = best, int32) of the models in draws of their accuracies from the posteriors
    ``Beta(k + 1, n - k + 1)`` (flat priors), drawn a block of draws at a time: memory is O(n_boot × m), nothing is
    allocated per item, so an item count of 10^8 costs what 100 does."""
    m = k.size
    a, b = k + 1.0, n - k + 1.0
    # Where a b / (a + b) > 100 (both shapes large: skewness under 0.2) the Beta is drawn from its normal
    # approximation, indistinguishable there and several times faster.
    normal = a * b / (a + b) > _NORMAL_VARIANCE
    mean = a / (a + b)
    sd = np.sqrt(a * b / ((a + b) ** 2 * (a + b + 1)))
    ranks = np.empty((n_boot, m), dtype=np.int32)
    step = max(1, 250_000 // max(m, 1))
    positions = np.arange(1, m + 1, dtype=np.int32)
    for start in range(0, n_boot, step):
        rows = min(step, n_boot - start)
        draws = np.empty((rows, m))
        if normal.any():
            draws[:, normal] = mean[normal] + sd[normal] * gen.standard_normal((rows, int(normal.sum())))
        if not normal.all():
            draws[:, ~normal] = gen.beta(a[~normal], b[~normal], size=(rows, int((~normal).sum())))
        order = np.argsort(draws if lower_is_better else -draws, axis=-1, kind="stable")
        block = np.empty((rows, m), dtype=np.int32)
        np.put_along_axis(block, order, np.broadcast_to(positions, (rows, m)), axis=-1)
        ranks[start:start + rows] = block
    return ranks


def _rank_quantiles(ranks: np.ndarray, alpha: float, k: np.ndarray | None = None):
    """``(rank_low, rank_high, p_top1)`` per model from ``(n_boot, m)`` ranks: the ``alpha / 2`` quantile by numpy's
    ``"lower"`` rule and the ``1 - alpha / 2`` one by its ``"higher"`` rule (so rounding never narrows an interval).
    Models with the same ``k`` (tied scores: the same posterior) get them from their pooled draws, so two equal
    scores never show different uncertainty by Monte Carlo noise. Sorts each model's column in place: memory
    O(n_boot × m), never m²."""
    p_top1 = (ranks == 1).mean(axis=0)
    ranks.sort(axis=0)

    def ends(n_draws):
        return math.floor(alpha / 2 * (n_draws - 1)), math.ceil((1 - alpha / 2) * (n_draws - 1))

    low_index, high_index = ends(ranks.shape[0])
    low, high = ranks[low_index].astype(np.int64), ranks[high_index].astype(np.int64)
    if k is not None:
        values, counts = np.unique(k, return_counts=True)
        for value in values[counts > 1]:
            tied = np.flatnonzero(k == value)
            pooled = np.sort(ranks[:, tied], axis=None)
            lo, hi = ends(pooled.size)
            low[tied], high[tied] = pooled[lo], pooled[hi]
            p_top1[tied] = p_top1[tied].mean()
    return low, high, p_top1


def _simultaneous_sets(k: np.ndarray, n: int, level: float, n_boot: int, gen, lower_is_better: bool):
    """Confidence sets for the ranks of all models at once, from simultaneous intervals for every pairwise
    difference of accuracies (Mogstad, Romano, Shaikh & Wilhelm 2024, their "all ranks" sets).

    Each difference ``θ_j - θ_k`` gets ``d̂ ± c · sqrt(se_j² + se_k²)`` with ``se_j² = p̃_j (1 - p̃_j) / n`` and
    ``p̃_j = (k_j + 1) / (n + 2)``; ``c`` is the ``level`` quantile of ``max_{j≠k} |Z_j se_j - Z_k se_k| /
    sqrt(se_j² + se_k²)`` over ``min(n_boot, 1000)`` draws of independent standard normals (max-T), recomputed
    step-down over the pairs not yet separated (Romano & Wolf 2005; the first step uses Bonferroni's value, an upper
    bound of the max-T one, so pairs far apart need no draws). Above 60 models (``_SIMULTANEOUS_MAX_T_MODELS``):
    Holm's step-down on the same z statistics (no draws; max-T gains little over it there); above 2,000, Bonferroni
    in one step (nothing stored per pair, so memory stays linear in the number of models). A model's set runs from
    1 + the number of models surely better to m − the number surely worse. Returns ``(low, high, c, how)``."""
    from scipy.special import ndtri

    m = k.size
    if m == 1:
        return np.ones(1, dtype=np.int64), np.ones(1, dtype=np.int64), 0.0, "one model"
    good = k / n if not lower_is_better else -k / n
    p_tilde = (k + 1.0) / (n + 2.0)
    se = np.sqrt(p_tilde * (1 - p_tilde) / n)
    if m <= _SIMULTANEOUS_MAX_T_MODELS:
        # Max-T with the step-down of Romano & Wolf (2005): the critical value is recomputed over the pairs not yet
        # separated until no further pair is; every pair separated at any step stays separated. Pairs are index
        # lists (j < k), so each step costs draws × pairs still open.
        rows_, cols_ = np.triu_indices(m, 1)
        pair_se = np.sqrt(se[rows_] ** 2 + se[cols_] ** 2)
        t_obs = np.abs(good[rows_] - good[cols_]) / pair_se
        n_draws = min(n_boot, _SIMULTANEOUS_MAX_T_DRAWS)
        e_all = gen.standard_normal((n_draws, m)) * se
        # First step: Bonferroni's value, an upper bound of the max-T one over all pairs (so still valid, and the
        # pairs it already separates need no draws); then max-T over the pairs left open, step by step.
        crit = float(ndtri(1 - (1 - level) / (m * (m - 1))))
        active = np.flatnonzero(t_obs <= crit)
        if active.size:
            # |Z_j se_j - Z_k se_k| / se_jk for every draw and every pair left open, computed once (float32).
            t_draws = (np.abs(e_all[:, rows_[active]] - e_all[:, cols_[active]]) / pair_se[active]).astype(np.float32)
            open_ = np.ones(active.size, dtype=bool)
            while open_.any():
                crit = float(np.quantile(t_draws[:, open_].max(axis=1), level, method="higher"))
                still = open_ & (t_obs[active] <= crit)
                if still.sum() == open_.sum():
                    break
                open_ = still
            active = active[open_]
        separated = np.ones(rows_.size, dtype=bool)
        separated[active] = False
        ahead = np.zeros(m, dtype=np.int64)  # models surely better than each model
        behind = np.zeros(m, dtype=np.int64)  # models surely worse
        first_better = good[rows_] > good[cols_]
        np.add.at(behind, rows_[separated & first_better], 1)
        np.add.at(ahead, cols_[separated & first_better], 1)
        np.add.at(ahead, rows_[separated & ~first_better], 1)
        np.add.at(behind, cols_[separated & ~first_better], 1)
        return 1 + ahead, m - behind, crit, "max-T step-down"
    alpha = 1 - level
    if m > _SIMULTANEOUS_HOLM_MODELS:
        # Bonferroni in one step, a block of rows at a time: nothing kept per pair, memory O(m × block).
        crit = float(ndtri(1 - alpha / (m * (m - 1))))
        better = np.empty(m, dtype=np.int64)
        worse = np.empty(m, dtype=np.int64)
        step = max(1, 500_000 // m)
        for start in range(0, m, step):
            j = slice(start, min(m, start + step))
            margin = crit * np.sqrt(se[j, None] ** 2 + se[None, :] ** 2)
            diff = good[None, :] - good[j, None]  # [j, k]: how much better k is than j
            better[j] = (diff - margin > 0).sum(axis=1)
            worse[j] = (-diff - margin > 0).sum(axis=1)
        return 1 + better, m - worse, crit, "Bonferroni"
    # Holm's step-down on the pairwise z statistics: no draws, valid whatever their dependence.
    alpha = 1 - level
    n_pairs = m * (m - 1) // 2
    # Holm: the i-th largest statistic (0-based) is rejected when it and all larger ones exceed
    # z_{1 - alpha / (2 (n_pairs - i))}. Find the largest statistics by blocks (only those above the plain
    # level's value can ever be rejected), then walk them in order.
    floor = float(ndtri(1 - alpha / 2))
    found_t, found_j, found_k = [], [], []
    step = max(1, 500_000 // m)
    for start in range(0, m, step):
        j = np.arange(start, min(m, start + step))
        t = np.abs(good[j, None] - good[None, :]) / np.sqrt(se[j, None] ** 2 + se[None, :] ** 2)
        t[np.arange(j.size), j] = 0.0
        t[j[:, None] >= np.arange(m)[None, :]] = 0.0  # each pair once (j < k)
        jj, kk = np.nonzero(t > floor)
        found_t.append(t[jj, kk])
        found_j.append(j[jj])
        found_k.append(kk)
    t_all = np.concatenate(found_t) if found_t else np.empty(0)
    order = np.argsort(-t_all, kind="stable")
    needed = ndtri(1 - alpha / (2 * (n_pairs - np.arange(order.size))))
    passed = t_all[order] > needed
    n_rejected = int(np.argmin(passed)) if not passed.all() else order.size
    chosen = order[:n_rejected]
    crit = float(needed[n_rejected]) if n_rejected < needed.size else floor
    rj, rk = np.concatenate(found_j)[chosen], np.concatenate(found_k)[chosen]
    better = np.zeros(m, dtype=np.int64)
    worse = np.zeros(m, dtype=np.int64)
    first_better = good[rj] > good[rk]
    np.add.at(worse, rj[first_better], 1)
    np.add.at(better, rk[first_better], 1)
    np.add.at(better, rj[~first_better], 1)
    np.add.at(worse, rk[~first_better], 1)
    how = "Holm"
    return 1 + better, m - worse, crit, how


def _tiers(rank_low: np.ndarray, published: np.ndarray) -> np.ndarray:
    """Tiers of models in ranking order (see ``rank_intervals``): a tier that starts at position ``s`` holds the
    models from there on whose simultaneous ``rank_low`` is at most ``s``; the first model that can't reach ``s``
    starts the next tier at its own position, unless it shares its published rank with the model before it."""
    tiers = np.empty(rank_low.size, dtype=np.int64)
    tier, start = 0, 0
    for position, (low, rank) in enumerate(zip(rank_low, published), start=1):
        if position == 1 or (low > start and rank != published[position - 2]):
            tier += 1
            start = position
        tiers[position - 1] = tier
    return tiers


@renamed_keywords(seed="rng", df="board")
def rank_intervals(board, *, n_items=None, level: float = 0.95, simultaneous: bool = False, n_boot: int = 2000,
                   rng=0) -> pd.DataFrame:
    """Each model's rank on one leaderboard with a ``level`` interval, its chance of being first and its tier.

    Each published score is a proportion ``p`` of ``n_items`` items (values on 0–100 are divided by 100), ``k = p ×
    n_items`` items solved (rounded). Two kinds of rank interval:

    - ``simultaneous=False`` (default): **each model's** ``level`` interval, read off ``n_boot`` draws of the whole
      board from the models' posteriors ``Beta(k + 1, n_items - k + 1)`` (independent flat priors; Goldstein &
      Spiegelhalter 1996): the ``(1 - level) / 2`` and ``(1 + level) / 2`` quantiles of the model's drawn ranks (the
      lower and the higher order statistic). Each interval holds its model's rank with about that probability; they
      do not all hold at once, so they are not read together ("the top 9 overlap").
    - ``simultaneous=True``: confidence **sets for all ranks at once** (Mogstad, Romano, Shaikh & Wilhelm 2024):
      simultaneous ``level`` tests of every pairwise difference of accuracies (max-T over the pairs with the
      Romano–Wolf step-down, see ``_simultaneous_sets``; Holm's step-down above 60 models); a model's set runs from
      1 + the number of models surely better to m − the number surely worse, and with probability at least
      ``level`` every model's true rank is in its set at the same time — asymptotically, as in Mogstad et al.
      (Wald statistics on normal approximations of the accuracies); conservative in every simulation run for it,
      15–30 items included (joint coverage 1.0 in 400 boards each).

    ``p_top1`` is the share of posterior draws in which the model is first: its posterior probability of being the
    best under flat priors. Tiers and ``tie_summary``'s "statistically tied" always come from the simultaneous sets
    (whatever ``simultaneous`` says): tier 1 is the models whose simultaneous set reaches rank 1 (at ``level``,
    jointly, none of them can be shown to be behind anyone); down the ranking, a tier that starts at position ``s``
    holds the models from there on whose simultaneous lower rank is at most ``s``; the first that can't reach ``s``
    starts the next tier. Tiers are contiguous blocks of the ranking (a partition) and equal published values always
    share a tier. Because the sets are simultaneous, a model can sit in tier 2 while its own marginal interval still
    touches the leader's.

    Independence: the models are treated as if each had answered its own items. All models of a leaderboard answer
    the same items, and a paired analysis of per-item results would give narrower intervals, but leaderboards publish
    no per-item results. The intervals therefore err towards "tied".

    Validation (``tests/test_ranks.py``, fixed seeds, ``n_boot=400``): 12 models 2 points apart (80 … 58 %), 300
    items, 200 boards: the simultaneous 95 % sets held every true rank at once in 200 of 200 boards (mean set width
    8.7 of 12 ranks: joint statements about 12 close models are necessarily vague); each model's 95 % interval held
    its true rank in 99.0 % of model-replicates, but all twelve held at once in only 89 % of boards, which is why
    tiers come from the simultaneous sets. ``p_top1`` is calibrated against the true leader when accuracies follow
    the flat prior (``test_p_top1_is_calibrated_against_the_true_leader``). On real per-item results (Eval-Arena's
    seven code benchmarks, 37-59 models, 164-800 items, 100 resampled leaderboards each; ``make validate``, see
    docs/inference.md) each model's 95 % interval held its true rank in 99.3-99.9 % of model-draws and the
    simultaneous sets held every rank at once in every draw: conservative, as the independence assumption implies.

    Parameters
    ----------
    board : pandas.DataFrame
        One benchmark's ``load_leaderboard`` frame (``model_id``, ``value``; ``dataset_id`` and ``lower_is_better``
        when present). Values on 0–1 or 0–100. Rows without a value are left out and a model's duplicate entries are
        resolved by ``lbtools.analysis.dedupe_results``, each with a warning naming the rows; an infinite value is a
        ValueError.
    n_items : int, dict or DataFrame
        Items (questions, tasks) each score is over: an int, a ``{dataset_id: n}`` mapping, or the frame of
        ``lbtools.benchmark_sizes()`` (the first row with a count for the benchmark). None: lbtools' own item-count
        table, a file in the package (a ValueError for a benchmark it doesn't list); analysis never looks counts up
        on the Hub. At most 10^8.
    level : float
        Coverage, in (0, 1).
    simultaneous : bool
        ``rank_low``/``rank_high`` as simultaneous sets for all ranks (True) or each model's interval (False).
    n_boot : int
        Posterior draws of the board (at least 100); the max-T critical value uses ``min(n_boot, 1000)`` draws.
    rng : int, numpy.random.Generator or None
        The random stream (SPEC 7; old name ``seed=``); the same int gives the same result.

    Returns
    -------
    pandas.DataFrame
        One row per model, by ``rank`` then ``model_id``:

        ==========  =======  ==================================================================
        dataset_id  string   the benchmark (empty when the board has none)
        model_id    string
        value       Float64  as published
        rank        Int64    the published ranking (ties share the best rank)
        rank_low    Int64    best rank within the interval (each model's, or simultaneous)
        rank_high   Int64    worst rank within the interval
        p_top1      Float64  posterior probability of being first (flat priors)
        tier        Int64    1 = could be first at ``level`` (simultaneous sets); 2 = the next group; …
        ==========  =======  ==================================================================

        ``attrs`` keeps the board's and adds ``n_items``, ``n_items_source``, ``level``, ``n_boot``, ``scale``,
        ``interval`` (``"each model's"`` or ``"simultaneous"``), ``tiers_from`` (``"simultaneous"``) and
        ``simultaneous_method`` (``"max-T step-down"``, ``"Holm"`` or ``"Bonferroni"``).

    Raises
    ------
    ValueError
        Values outside [0, 1] and [0, 100] or infinite; no item count given (the message says how to pass
        ``n_items=``); several benchmarks in ``board``; bad ``level``/``n_boot``/``n_items``.

    References
    ----------
    .. [1] M. Mogstad, J. P. Romano, A. M. Shaikh and D. Wilhelm, "Inference for ranks with applications to
       mobility across neighbourhoods and academic achievement across countries", *Review of Economic Studies* 91
       (2024), 476–518.
    .. [2] H. Goldstein and D. J. Spiegelhalter, "League tables and their limitations: statistical issues in
       comparisons of institutional performance", *JRSS A* 159 (1996), 385–443.
    .. [3] J. P. Romano and M. Wolf, "Exact and approximate stepdown methods for multiple hypothesis testing",
       *JASA* 100 (2005), 94–108.
    .. [4] S. Holm, "A simple sequentially rejective multiple test procedure", *Scandinavian Journal of Statistics*
       6 (1979), 65–70.
    .. [5] P. Hall and H. Miller, "Using the bootstrap to quantify the authority of an empirical ranking", *Annals of
       Statistics* 37 (2009), 3929–3959 (why resampled ranks are unreliable near ties).
    """
    func = "rank_intervals"
    board = _check_board(board, func)
    level = check_probability(level, "level", func)
    if isinstance(n_boot, bool) or not isinstance(n_boot, (int, np.integer)) or n_boot < 100:
        raise ValueError(f"{func}: n_boot must be an int of at least 100; got {n_boot!r}")
    if not isinstance(simultaneous, (bool, np.bool_)):
        raise TypeError(f"{func}: simultaneous must be True or False; got {simultaneous!r}")
    gen = as_generator(rng, func)
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
    k = np.rint(np.clip(values / scale, 0.0, 1.0) * n)

    ranks = _posterior_ranks(k, n, int(n_boot), gen, lower)
    rank_low, rank_high, p_top1 = _rank_quantiles(ranks, 1.0 - level, k)
    del ranks
    sim_low, sim_high, crit, how = _simultaneous_sets(k, n, level, int(n_boot), gen, lower)
    if simultaneous:
        rank_low, rank_high = sim_low, sim_high

    better = -values if not lower else values
    published = pd.Series(better).rank(method="min").to_numpy(dtype=np.int64)
    model_ids = rows["model_id"].astype("string").to_numpy(dtype=object)
    order = np.lexsort((model_ids.astype(str), published))
    out = pd.DataFrame(
        {
            "dataset_id": pd.array([benchmark] * values.size, dtype="string"),
            "model_id": pd.array(model_ids[order], dtype="string"),
            "value": pd.array(rows["value"].to_numpy(dtype="float64")[order], dtype="Float64"),
            "rank": pd.array(published[order], dtype="Int64"),
            "rank_low": pd.array(rank_low[order], dtype="Int64"),
            "rank_high": pd.array(rank_high[order], dtype="Int64"),
            "p_top1": pd.array(p_top1[order], dtype="Float64"),
            "tier": pd.array(_tiers(sim_low[order], published[order]), dtype="Int64"),
        }
    )
    out.attrs = dict(board.attrs)
    out.attrs.update(n_items=n, n_items_source=source, level=level, n_boot=int(n_boot),
                     scale="0-100" if scale == 100 else "0-1",
                     interval="simultaneous" if simultaneous else "each model's", tiers_from="simultaneous",
                     simultaneous_method=how, simultaneous_critical_value=crit)
    return out


# --------------------------------------------------------------------------------------------
# resolution


@renamed_keywords(df="board")
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
        As for ``rank_intervals`` (None: lbtools' own item-count table).
    power : float
        In (0, 1).

    Returns
    -------
    float
        The gap in the board's units (points on a 0–100 board, a proportion on a 0–1 board); ``inf`` when no gap
        within the scale can be resolved (too few items).

    Raises
    ------
    ValueError
        No item count known for the benchmark (not in ``n_items``, or not in lbtools' own table when it is None),
        an infinite value, values that are not proportions.

    References
    ----------
    .. [1] J. L. Fleiss, B. Levin and M. C. Paik, *Statistical Methods for Rates and Proportions*, 3rd ed., Wiley
       (2003), §4.2 (sample size for comparing two proportions).
    """
    from scipy.optimize import brentq
    from scipy.stats import norm

    func = "resolution"
    board = _check_board(board, func)
    level = check_probability(level)
    power = check_probability(power, "power")
    rows = board[board["value"].notna()]
    values = rows["value"].to_numpy(dtype="float64", na_value=np.nan)
    refuse_non_finite(values, rows["model_id"].astype("string").to_numpy(dtype=object), func)
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


@renamed_keywords(long="data")
def resolution_table(data, *, n_items=None, level: float = 0.95, power: float = 0.8) -> pd.DataFrame:
    """Item count and resolvable gap of every benchmark in a ``load_leaderboards`` frame (for a summary table).

    Item counts come from ``n_items``: the frame ``lbtools.benchmark_sizes()`` returns (load it in the notebook's data
    cell; its ``n_items_source`` is carried over), a ``{dataset_id: n}`` mapping, or one number for every benchmark.
    Nothing is looked up here (analysis does no network I/O). A benchmark without a count gets NA and its reason in
    ``attrs["missing"]`` instead of an error.

    Returns
    -------
    pandas.DataFrame
        One row per benchmark, by ``dataset_id``: ``dataset_id`` (string), ``n_items`` (Int64), ``n_items_source``
        (string: ``user``/``card``/``table``), ``leader_value`` (Float64, as published), ``resolution`` (Float64, see
        :func:`resolution`, in the benchmark's units).

    Raises
    ------
    ValueError
        ``n_items`` not given (the message says how), an infinite value.

    References
    ----------
    .. [1] J. L. Fleiss, B. Levin and M. C. Paik, *Statistical Methods for Rates and Proportions*, 3rd ed., Wiley
       (2003), §4.2.
    """
    func = "resolution_table"
    if not isinstance(data, pd.DataFrame):
        raise TypeError(f"{func}: data must be a pandas DataFrame (the load_leaderboards frame); "
                        f"got {type(data).__name__}")
    require_columns(data, ("dataset_id", "model_id", "value"), func, name="data")
    ids = sorted(data["dataset_id"].dropna().astype(str).unique())
    table = _n_items_table(n_items, func)
    if table is None:
        counts, reasons = {d: (n_items, "user") for d in ids}, {}
    else:
        counts = {d: table[d] for d in ids if d in table}
        missing_from = n_items.attrs.get("missing", {}) if isinstance(n_items, pd.DataFrame) else {}
        not_in = "not in lbtools' own item-count table; pass n_items=" if n_items is None else "not in n_items"
        reasons = {d: missing_from.get(d, f"no item count known ({not_in})") for d in ids if d not in table}
    rows = []
    for dataset_id in ids:
        board = data[(data["dataset_id"] == dataset_id).fillna(False).to_numpy(dtype=bool)]
        values = pd.to_numeric(board["value"], errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
        refuse_non_finite(values, board["model_id"].astype("string").to_numpy(dtype=object), func)
        values = values[np.isfinite(values)]
        lower = _lower_is_better(board, func)
        leader = (values.min() if lower else values.max()) if values.size else None
        n, source = counts.get(dataset_id, (None, None))
        gap = None
        if n is not None and values.size:
            try:
                n = _check_count(n, func, dataset_id)
                gap = resolution(board, n_items=n, level=level, power=power)
            except ValueError as exc:
                reasons[dataset_id] = str(exc)
        rows.append((dataset_id, n, source, leader, gap))
    dtypes = {"dataset_id": "string", "n_items": "Int64", "n_items_source": "string", "leader_value": "Float64",
              "resolution": "Float64"}
    out = pd.DataFrame({c: pd.array([r[i] for r in rows], dtype=t) for i, (c, t) in enumerate(dtypes.items())})
    out.attrs = dict(data.attrs)
    out.attrs["missing"] = reasons
    return out


# --------------------------------------------------------------------------------------------
# one line for a notebook


def tie_summary(ranked, *, name: str | None = None, detail: bool = True) -> str:
    """One sentence on a ``rank_intervals`` result: how many models share the top tier, and who they are.

    The tiers come from the simultaneous confidence sets (see :func:`rank_intervals`), so "statistically tied" is a
    joint statement: at the ``level``, none of the tied models can be shown to rank below first, all at once. E.g.
    ``"AIME 2026 (30 items): the top 9 are statistically tied at the 95 % level (simultaneous sets for all ranks:
    a, b, …); 2 tiers among 12 models."``; with ``detail=False`` only the headline: ``"the top 9 are statistically
    tied at the 95 % level"``. ``name`` defaults to the benchmark's dataset id.
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
    lead += " (simultaneous sets for all ranks"
    if len(top) > 1:
        lead += ": " + ", ".join(top[:6]) + (f" and {len(top) - 6} more" if len(top) > 6 else "")
    lead += ")"
    n = ranked.attrs.get("n_items")
    if name is None and "dataset_id" in ranked.columns and ranked["dataset_id"].notna().any():
        name = str(ranked["dataset_id"].dropna().iloc[0])
    head = f"{name}{f' ({n} items)' if n else ''}: " if name else ""
    n_tiers = int(tiers.max())
    return f"{head}{lead}; {n_tiers} tier{'s' if n_tiers != 1 else ''} among {len(ranked)} models."


def leader_summary(ranked, *, min_models: int = 5) -> str:
    """The headline about a leaderboard's leader, never from fewer than ``min_models`` models (at least 5).

    From a ``rank_intervals`` result: the leader, its value, each model's ``level`` interval of its rank, and how it
    stands against the runner-up. "Clear of the runner-up" only when the simultaneous sets separate the two (the
    ``tier`` column, as :func:`tie_summary` reads it): two marginal intervals that do not overlap are not a test,
    and the headline then says the two are tied when every rank is tested at once. E.g. ``"Top: a — 93.3 (each
    model's 95 % interval: ranks 1–3; it overlaps the runner-up's, b at 92.1, ranks 1–4: which of the two leads is
    not established)."``. With fewer models: ``"4 models on this board: too few for a headline; the table lists
    them."``.
    """
    if not isinstance(ranked, pd.DataFrame):
        raise TypeError(f"ranked must be the DataFrame of rank_intervals; got {type(ranked).__name__}")
    require_columns(ranked, ("model_id", "value", "rank_low", "rank_high"), "leader_summary", name="ranked")
    floor = max(int(min_models), 5)
    if len(ranked) < floor:
        return (f"{len(ranked)} model{'s' if len(ranked) != 1 else ''} on this board: too few for a headline "
                f"(fewer than {floor}); the table lists them.")
    pct = f"{100 * ranked.attrs.get('level', 0.95):g} %"
    kind = (f"simultaneous {pct} sets for all ranks" if ranked.attrs.get("interval") == "simultaneous"
            else f"each model's {pct} interval")
    first, second = ranked.iloc[0], ranked.iloc[1]

    def span(row):
        low, high = int(row["rank_low"]), int(row["rank_high"])
        return f"rank {low}" if low == high else f"ranks {low}–{high}"

    runner_up = f"{second['model_id']} at {_score(second['value'])}, {span(second)}"
    text = f"Top: {first['model_id']} — {_score(first['value'])} ({kind}: {span(first)}"
    tiers = pd.to_numeric(ranked[["tier"]].iloc[:2, 0], errors="coerce") if "tier" in ranked.columns else None
    apart_jointly = (int(tiers.iloc[1]) > int(tiers.iloc[0]) if tiers is not None and tiers.notna().all()
                     else ranked.attrs.get("interval") == "simultaneous")
    if int(second["rank_low"]) <= int(first["rank_high"]):
        text += f"; it overlaps the runner-up's, {runner_up}: which of the two leads is not established)"
    elif apart_jointly:
        text += f"; clear of the runner-up, {runner_up}, with every rank tested at once)"
    else:
        text += (f"; the runner-up, {runner_up}, is apart in these intervals but tied with it when every rank is "
                 "tested at once: which of the two leads is not established)")
    return text + "."
