"""Tables from leaderboard and eval-result frames: scales, de-duplication, matrices, frontiers, rankings.

Everything here takes and returns pandas objects and is pure: no network, no files, no plotting.
Input frames are the ones the loaders return (see ``load_leaderboards``, ``load_eval_results`` and
``enrich``); a value is never overwritten, derived numbers go into new columns beside it.
``data.attrs`` (``source``, ``fetched_at``, ...) are carried over to every frame returned.

Rules that several functions share:

- **Better.** A higher value is better unless the benchmark's ``lower_is_better`` is True: one benchmark has
  one direction, lower-is-better when any of its rows says so (a missing column or missing values mean higher
  is better).
- **Ties.** Where rows are ordered by value, equal values are ordered by ``model_id`` ascending,
  so results never depend on the input order.
- **Missing data.** Rows with a missing value (or date, or parameter count) are left out of a
  computation, never imputed; each docstring says which rows are left out, and the functions
  whose job is not filtering (``dedupe_results``, ``best_to_date``) count them in a ``AnalysisWarning``.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from .._format import count
from ..errors import AnalysisWarning, user_stacklevel
from ._checks import (_as_float, _keep_attrs, _names, check_whole, refuse_non_finite, renamed_keywords,
                      require_columns)

__all__ = [
    "DEDUPE_RULE",
    "DEDUPE_RULES",
    "add_normalised",
    "benchmark_scales",
    "benchmark_summary",
    "best_to_date",
    "dedupe",
    "dedupe_results",
    "detect_scale",
    "model_ranks",
    "organisation",
    "parameter_counts",
    "pareto_frontier",
    "ranking_as_of",
    "rescaled",
    "scores_matrix",
    "top_n",
]

DEDUPE_RULES = ("best", "latest", "first")


SCALES = ("0-1", "0-100", "unknown")


# --------------------------------------------------------------------------------------------
# small shared helpers


def _lower_is_better(data: pd.DataFrame) -> np.ndarray:
    """Per row: True where the row's benchmark is lower-is-better, i.e. any of its rows says ``lower_is_better``
    (one benchmark has one direction, as :func:`scores_matrix` and the capability model read it); False when
    missing or absent."""
    if "lower_is_better" not in data.columns:
        return np.zeros(len(data), dtype=bool)
    flags = data["lower_is_better"].astype("boolean").fillna(False)
    if "dataset_id" in data.columns and flags.any():
        flags = flags.groupby(data["dataset_id"].astype("string").fillna(""), sort=False).transform("any")
    return flags.to_numpy(dtype=bool)


def _goodness(data: pd.DataFrame, value: str) -> np.ndarray:
    """The value signed so that larger is always better (NaN where missing)."""
    v = _as_float(data[value])
    return np.where(_lower_is_better(data), -v, v)


def _to_utc(values: pd.Series) -> pd.Series:
    """A tz-aware UTC datetime Series (naive times are taken as UTC)."""
    if isinstance(values.dtype, pd.DatetimeTZDtype):
        return values.dt.tz_convert("UTC")
    return pd.to_datetime(values, utc=True)


# --------------------------------------------------------------------------------------------
# scales


def detect_scale(values) -> str:
    """Guess whether scores are published on a 0–1 or a 0–100 scale.

    Only non-missing, finite values are looked at.

    - ``"0-1"``: every value is within [0, 1] and at least one lies strictly between 0 and 1.
    - ``"0-100"``: every value is within [0, 100] and at least one is above 1.
    - ``"unknown"``: anything else: no values, a value below 0 or above 100 (an Elo rating, a
      perplexity, ...), or only the values 0 and 1, which fit both scales.

    A 0–100 benchmark on which every model scored at most 1 % is indistinguishable from a 0–1 one
    and is reported as ``"0-1"``; pass such benchmarks through their own display table if it matters.

    Parameters
    ----------
    values : array-like of numbers
        May hold ``pd.NA``, ``None`` or ``NaN``.

    Returns
    -------
    str
        One of ``"0-1"``, ``"0-100"``, ``"unknown"``.
    """
    v = _as_float(values)
    v = v[np.isfinite(v)]
    if v.size == 0 or v.min() < 0:
        return "unknown"
    if v.max() <= 1:
        return "0-1" if np.any((v > 0) & (v < 1)) else "unknown"
    if v.max() <= 100:
        return "0-100"
    return "unknown"


@renamed_keywords(df="data")
def add_normalised(data: pd.DataFrame, *, value: str = "value", by: str | None = "dataset_id",
                   scales: dict | None = None) -> pd.DataFrame:
    """Add a 0–100 version of ``value`` beside it, deciding the scale per benchmark.

    The scale of each ``by`` group (each benchmark) is decided by :func:`detect_scale` on all of
    the group's values. Values of a ``"0-1"`` benchmark are multiplied by 100, values of a
    ``"0-100"`` benchmark are kept, values of an ``"unknown"`` benchmark become NA. ``value``
    itself is never changed. Calling the function again recomputes both columns.

    Warns (``AnalysisWarning``), once per kind and naming the benchmarks:

    - benchmarks found on a 0–1 scale (multiplied by 100 in the new column);
    - benchmarks whose scale is unknown (NA in the new column);
    - benchmarks on a 0–100 scale holding values strictly between 0 and 1 while their median is
      above 10, which looks like a few results submitted on a 0–1 scale (kept as they are).

    Parameters
    ----------
    data : DataFrame
        Rows with a numeric ``value`` column and a ``by`` column.
    value : str
        The column to normalise.
    by : str or None
        The benchmark column; ``None`` decides one scale for the whole frame.
    scales : dict, optional
        ``{benchmark: "0-1" | "0-100" | "unknown"}`` decided elsewhere (e.g. :func:`benchmark_scales` of the whole
        leaderboards, when ``data`` holds a few models' results); other benchmarks are detected here.

    Returns
    -------
    DataFrame
        A copy of ``data`` (same rows, index and attrs) with two columns inserted right after ``value``:

        - ``f"{value}_norm"`` (Float64): the value on a 0–100 scale, NA when the scale is unknown;
        - ``scale`` (string): ``"0-1"``, ``"0-100"`` or ``"unknown"``, the scale of the row's benchmark.
    """
    if not isinstance(data, pd.DataFrame):
        raise TypeError(f"add_normalised: data must be a pandas DataFrame; got {type(data).__name__}")
    require_columns(data, [value] + ([by] if by is not None else []), "add_normalised")
    norm_col = f"{value}_norm"
    out = data.drop(columns=[c for c in (norm_col, "scale") if c in data.columns and c != value]).copy()
    v = _as_float(out[value])

    if by is None:
        codes = np.zeros(len(out), dtype=np.int64)
        group_names = ["all rows"]
    else:
        codes, uniques = pd.factorize(out[by], use_na_sentinel=False)
        group_names = list(uniques)

    scale = np.empty(len(out), dtype=object)
    norm = np.full(len(out), np.nan)
    on_unit, unknown, mixed = [], [], []
    for code, name in enumerate(group_names):
        rows = codes == code
        gv = v[rows]
        s = (scales or {}).get(name) or detect_scale(gv)
        scale[rows] = s
        label = "<NA>" if name is None or (not isinstance(name, str) and pd.isna(name)) else name
        if s == "0-1":
            norm[rows] = gv * 100
            on_unit.append(label)
        elif s == "0-100":
            norm[rows] = gv
            finite = gv[np.isfinite(gv)]
            if np.any((finite > 0) & (finite < 1)) and np.median(finite) > 10:
                mixed.append(label)
        elif np.isfinite(gv).any():
            unknown.append(label)

    pos = out.columns.get_loc(value) + 1
    out.insert(pos, norm_col, pd.array(norm, dtype="Float64"))
    out.insert(pos + 1, "scale", pd.array(scale, dtype="string"))

    if on_unit:
        warnings.warn(
            f"{count(len(on_unit), 'benchmark')} on a 0-1 scale, multiplied by 100 to read on 0–100: "
            f"{_names(sorted(on_unit))}",
            AnalysisWarning,
            stacklevel=user_stacklevel(),
        )
    if unknown:
        warnings.warn(
            f"scale unknown (values outside [0, 100], or only 0 and 1) for "
            f"{count(len(unknown), 'benchmark')}, not put on 0–100: {_names(sorted(unknown))}",
            AnalysisWarning,
            stacklevel=user_stacklevel(),
        )
    if mixed:
        warnings.warn(
            f"{count(len(mixed), 'benchmark')} on a 0-100 scale also {'holds' if len(mixed) == 1 else 'hold'} values between 0 and 1, "
            f"perhaps submitted on a 0-1 scale (kept as published): {_names(sorted(mixed))}",
            AnalysisWarning,
            stacklevel=user_stacklevel(),
        )
    return _keep_attrs(out, data)


@renamed_keywords(df="data")
def benchmark_scales(data: pd.DataFrame, *, value: str = "value", by: str = "dataset_id") -> dict:
    """``{benchmark: scale}`` (``"0-1"``, ``"0-100"``, ``"unknown"``) by :func:`detect_scale` on each one's values."""
    require_columns(data, [value, by], "benchmark_scales")
    return {str(name): detect_scale(g) for name, g in data.groupby(by, sort=True)[value]}


@renamed_keywords(df="data")
def rescaled(data: pd.DataFrame, *, by: str = "dataset_id") -> list[str]:
    """The benchmarks of a frame from :func:`add_normalised` whose ``value_norm`` is the value × 100 (sorted)."""
    require_columns(data, [by, "scale"], "rescaled")
    return sorted({str(b) for b, sc in zip(data[by], data["scale"]) if sc == "0-1" and not pd.isna(b)})


@renamed_keywords(df="data")
def parameter_counts(data: pd.DataFrame) -> pd.DataFrame:
    """``data`` with ``parameters`` (Int64) and ``parameters_from`` (string) columns, never guessed.

    The count is the model's ``safetensors.total`` from ``enrich`` (``num_parameters_model`` on a leaderboard,
    ``num_parameters`` on other frames), else the count the leaderboard itself published (``num_parameters`` beside a
    ``num_parameters_model`` column); ``parameters_from`` says which (``"model info"``, ``"leaderboard"``) and is NA
    where neither is known.
    """
    out = data.copy()
    model = "num_parameters_model" if "num_parameters_model" in data.columns else "num_parameters"
    board = "num_parameters" if model == "num_parameters_model" else None
    first = out[model].astype("Int64") if model in out.columns else pd.Series(pd.NA, index=out.index, dtype="Int64")
    second = out[board].astype("Int64") if board else pd.Series(pd.NA, index=out.index, dtype="Int64")
    first = first.where(first > 0)
    second = second.where(second > 0)
    out["parameters"] = first.fillna(second).astype("Int64")
    source = pd.Series(pd.NA, index=out.index, dtype="string")
    source[second.notna().to_numpy(dtype=bool)] = "leaderboard"
    source[first.notna().to_numpy(dtype=bool)] = "model info"
    out["parameters_from"] = source
    return _keep_attrs(out, data)


# --------------------------------------------------------------------------------------------
# de-duplication and the score matrix


DEDUPE_RULE = (
    "one entry per model and benchmark: a verified entry first; then the Hub's better (smaller) published rank; "
    "then the better value; then filename and task_id ascending; then the first listed"
)


def _dedupe(data: pd.DataFrame, rule: str, keys: list) -> tuple[np.ndarray, list]:
    """Positions of the kept rows (in order of first appearance) and ``[(key values, message)]`` per duplicate."""
    n = len(data)
    work = pd.DataFrame({f"__k{i}": data[k].array for i, k in enumerate(keys)}, index=pd.RangeIndex(n))
    key_cols = list(work.columns)
    work["__pos"] = np.arange(n)
    work["__group"] = work.groupby(key_cols, dropna=False, sort=False).ngroup().to_numpy()

    by, ascending = [], []
    if rule == "latest":
        work["__date"] = _to_utc(data["date"]).to_numpy()
        by.append("__date")
        ascending.append(False)
    verified = (data["verified"].astype("boolean").fillna(False).to_numpy(dtype=bool) if "verified" in data.columns
                else np.zeros(n, dtype=bool))
    rank = (data["rank"].astype("Float64").to_numpy(dtype="float64", na_value=np.nan) if "rank" in data.columns
            else np.full(n, np.nan))
    if rule in ("best", "latest"):
        work["__verified"] = verified
        work["__rank"] = rank
        work["__better"] = -_goodness(data, "value")
        by += ["__verified", "__rank", "__better"]
        ascending += [False, True, True]
        for col in ("filename", "task_id"):
            if col in data.columns:
                work[f"__{col}"] = data[col].astype("string").array
                by.append(f"__{col}")
                ascending.append(True)
    by.append("__pos")
    ascending.append(True)

    ordered = work.sort_values(by, ascending=ascending, na_position="last")
    kept = ordered.drop_duplicates("__group", keep="first").sort_values("__group")["__pos"].to_numpy()
    details = []
    if len(kept) < n:
        values = _as_float(data["value"]) if "value" in data.columns else np.full(n, np.nan)
        sizes = work["__group"].value_counts()
        for pos in kept:
            group = work["__group"].iat[pos]
            if sizes[group] < 2:
                continue
            others = [int(p) for p in ordered.loc[ordered["__group"] == group, "__pos"] if p != pos]
            why = _why_kept(pos, others, rule, verified, rank, values)
            what = str(data[keys[0]].iat[pos])
            if keys[0] == "model_id" and "dataset_id" in data.columns:
                what += f" on {data['dataset_id'].iat[pos]}"
            kept_text = _entry_text(pos, verified, rank, values)
            dropped = ", ".join(_entry_text(p, verified, rank, values) for p in others)
            # "kept 31.49 verified", not "verified (verified)"; the reason after both entries, not a second bracket
            because = "" if why == "verified" else f": {why}"
            details.append((tuple(data[k].iat[pos] for k in keys),
                            f"{what}: listed {len(others) + 1} times; kept {kept_text} over {dropped}{because}"))
    return kept, details


def _entry_text(pos, verified, rank, values) -> str:
    v = values[pos]
    text = f"{v:g}" if np.isfinite(v) else "no value"
    if np.isfinite(rank[pos]):
        text += f" (rank {int(rank[pos])})"
    if verified[pos]:
        text += " verified"
    return text


def _why_kept(pos, others, rule, verified, rank, values) -> str:
    if rule == "first":
        return "listed first"
    if rule == "latest":
        return "the latest date"
    if verified[pos] and not all(verified[o] for o in others):
        return "verified"
    if np.isfinite(rank[pos]) and any(not np.isfinite(rank[o]) or rank[o] > rank[pos] for o in others):
        return "the Hub's better rank"
    if np.isfinite(values[pos]) and any(not np.isfinite(values[o]) or values[o] != values[pos] for o in others):
        return "the better value"
    return "listed first among equals"


@renamed_keywords(df="data")
def dedupe_results(
    data: pd.DataFrame,
    *,
    rule: str = "best",
    keys: Sequence[str] = ("model_id", "dataset_id"),
) -> pd.DataFrame:
    """Keep one row per ``keys`` (by default one result per model and benchmark), by a stated rule.

    Rules, each a complete ordering so the choice never depends on chance:

    - ``"best"`` (the rule every lbtools view uses, see :func:`dedupe`): a verified result beats an
      unverified one (missing ``verified`` counts as unverified); then the Hub's better published
      ``rank`` (smaller; missing last); then the better value (highest, or lowest where
      ``lower_is_better`` is True; a missing value comes last); then ``filename`` ascending, then
      ``task_id`` ascending; then the row that comes first.
    - ``"latest"``: the newest ``date`` (a missing date comes last); then as ``"best"``.
    - ``"first"``: the row that comes first in ``data`` (for a leaderboard: the best-ranked entry).

    Columns a rule refers to but ``data`` lacks are skipped (``verified``, ``rank``, ``filename``,
    ``task_id``, ``lower_is_better``), except ``date`` for ``"latest"`` and ``value`` for
    ``"best"``/``"latest"``, which are required.

    Warns (``AnalysisWarning``) with the number of rows dropped and the rule, and for each duplicate which
    entry was kept, why, and over which values, when any are dropped.

    Parameters
    ----------
    data : DataFrame
        Leaderboard rows or eval results.
    rule : {"best", "latest", "first"}
    keys : sequence of str
        Columns identifying one result; missing key values form their own group.

    Returns
    -------
    DataFrame
        The kept rows of ``data`` with all of its columns, dtypes, index labels and attrs,
        in the order in which each key first appears in ``data``.
    """
    if rule not in DEDUPE_RULES:
        raise ValueError(f"rule must be one of {', '.join(map(repr, DEDUPE_RULES))}; got rule={rule!r}")
    keys = [keys] if isinstance(keys, str) else list(keys)
    require_columns(data, keys, "dedupe_results")
    if rule in ("best", "latest"):
        require_columns(data, ["value"], f"dedupe_results(rule={rule!r})")
    if rule == "latest":
        require_columns(data, ["date"], "dedupe_results(rule='latest')")
    kept, details = _dedupe(data, rule, keys)
    dropped = len(data) - len(kept)
    if dropped:
        warnings.warn(
            f"dropped {dropped} of {len(data)} rows (rule={rule!r}), keeping one row per "
            f"({', '.join(keys)}): " + "; ".join(d[1] for d in details),
            AnalysisWarning,
            stacklevel=user_stacklevel(),
        )
    return _keep_attrs(data.iloc[kept], data)


@renamed_keywords(df="data")
def dedupe(data: pd.DataFrame, *, keys: Sequence[str] = ("model_id", "dataset_id")) -> pd.DataFrame:
    """One entry per model and benchmark, by lbtools' one rule (:data:`DEDUPE_RULE`), used by every view.

    A model listed several times on one benchmark keeps: a verified entry first; then the entry the Hub ranks
    better; then the better value; then ``filename``/``task_id`` ascending; then the first listed. A
    ``AnalysisWarning`` names each duplicate, the entry kept, why, and the values set aside, e.g.
    ``"org/model on Idavidrein/gpqa: listed 2 times; kept 31.49 (rank 9) verified over 34.59 (rank 5)"``.

    Parameters
    ----------
    data : DataFrame
        Leaderboard rows (``load_leaderboards``) or eval results (``load_eval_results``): ``value`` required.
    keys : sequence of str

    Returns
    -------
    DataFrame
        The kept rows with all columns, index labels and attrs, in order of first appearance.
    """
    keys = [keys] if isinstance(keys, str) else list(keys)
    require_columns(data, keys + ["value"], "dedupe")
    kept, details = _dedupe(data, "best", keys)
    for _, message in details:
        warnings.warn(f"{message} — {DEDUPE_RULE.split(':')[0]}: verified, then the Hub's rank, then the value",
                      AnalysisWarning, stacklevel=user_stacklevel())
    return _keep_attrs(data.iloc[kept], data)


@renamed_keywords(df="data")
def scores_matrix(
    data: pd.DataFrame,
    *,
    value: str = "value",
    index: str = "model_id",
    columns: str = "dataset_id",
) -> pd.DataFrame:
    """Reshape scores to a model × benchmark matrix.

    Parameters
    ----------
    data : DataFrame
        At most one row per (``index``, ``columns``) pair; rows missing either are ignored.
    value, index, columns : str
        Column names.

    Returns
    -------
    DataFrame
        float64, one row per ``index`` value (e.g. model id), one column per ``columns`` value
        (e.g. benchmark id), both sorted ascending; NaN where a model has no score. Index and
        columns are named after ``index`` and ``columns``; attrs are kept.

    Raises
    ------
    ValueError
        When a (model, benchmark) pair has several rows: call :func:`dedupe_results` first.
    """
    require_columns(data, [value, index, columns], "scores_matrix")
    d = data[[index, columns, value]]
    d = d[d[index].notna() & d[columns].notna()]
    dup = d.duplicated([index, columns], keep=False)
    if dup.any():
        pairs = d.loc[dup, [index, columns]].drop_duplicates()
        first = tuple(pairs.iloc[0])
        raise ValueError(
            f"scores_matrix: {count(len(pairs), f'({index}, {columns}) pair')} {'has' if len(pairs) == 1 else 'have'} "
            f"several rows, e.g. {first}; "
            f"call dedupe_results(data) first to keep one row per pair by a stated rule"
        )
    wide = d.pivot(index=index, columns=columns, values=value).sort_index(axis=0).sort_index(axis=1)
    out = pd.DataFrame(wide.to_numpy(dtype="float64", na_value=np.nan), index=wide.index, columns=wide.columns)
    out.index.name, out.columns.name = index, columns
    return _keep_attrs(out, data)


@renamed_keywords(df="data")
# --------------------------------------------------------------------------------------------
# size and time


def pareto_frontier(
    data: pd.DataFrame,
    *,
    x: str = "num_parameters",
    y: str = "value",
    lower_is_better: bool = False,
    by: str | None = None,
) -> pd.Series:
    """Which rows are on the Pareto frontier of score against size.

    A row is dominated when another row has fewer-or-equal ``x`` (parameters) and a
    better-or-equal ``y`` (score), and is strictly better in at least one. Rows that are not
    dominated are on the frontier; identical rows do not dominate each other. Rows with a
    missing ``x`` or ``y`` are never on the frontier (nothing is imputed).

    Parameters
    ----------
    data : DataFrame
    x : str
        The cost column (smaller is better), by default the parameter count.
    y : str
        The score column.
    lower_is_better : bool
        Whether a smaller ``y`` is better.
    by : str or None
        Compute one frontier per group (e.g. ``"dataset_id"``); ``None`` treats ``data`` as one group.

    Returns
    -------
    Series
        bool, named ``"on_frontier"``, with the index of ``data``.
    """
    require_columns(data, [x, y] + ([by] if by else []), "pareto_frontier")
    xv = _as_float(data[x])
    yv = _as_float(data[y])
    if lower_is_better:
        yv = -yv
    result = np.zeros(len(data), dtype=bool)
    if by is None:
        groups = [np.arange(len(data))]
    else:
        codes, _ = pd.factorize(data[by], use_na_sentinel=False)
        groups = [np.flatnonzero(codes == c) for c in np.unique(codes)]
    for rows in groups:
        rows = rows[np.isfinite(xv[rows]) & np.isfinite(yv[rows])]
        if rows.size == 0:
            continue
        gx, gy = xv[rows], yv[rows]
        order = np.lexsort((-gy, gx))  # by x ascending, then best y first
        best_before = -np.inf  # best y among rows with a strictly smaller x
        i = 0
        while i < order.size:
            j = i
            while j < order.size and gx[order[j]] == gx[order[i]]:
                j += 1
            same_x = order[i:j]
            group_best = gy[same_x].max()
            for r in same_x:
                dominated = best_before >= gy[r] or group_best > gy[r]
                result[rows[r]] = not dominated
            best_before = max(best_before, group_best)
            i = j
    return pd.Series(result, index=data.index, name="on_frontier")


@renamed_keywords(df="data")
def best_to_date(
    data: pd.DataFrame,
    *,
    date: str = "created_at",
    value: str = "value",
    by: str = "dataset_id",
) -> pd.DataFrame:
    """The state of the art over time: per benchmark, each row that beat every earlier one.

    Rows are taken in date order (equal dates: better value first, then ``model_id``); a row is
    kept when its value is strictly better than the best so far. Better means higher, or lower
    where the benchmark's ``lower_is_better`` is True. Rows without a date are left out and
    counted in a ``AnalysisWarning``; rows without a value are left out too.

    Parameters
    ----------
    data : DataFrame
        Rows with ``by``, ``date``, ``value`` and ``model_id``, e.g. an enriched leaderboard
        (``created_at`` is the model's creation date on the Hub) or eval results (``date``).
    date, value, by : str
        Column names.

    Returns
    -------
    DataFrame
        One row per improvement, ordered by benchmark then date, index 0..n-1, attrs kept:

        - ``by`` (string), e.g. ``dataset_id``;
        - ``date`` (datetime, UTC): when the record was set;
        - ``best_value`` (Float64): the new best value;
        - ``model_id`` (string): the model that set it;
        - ``scale`` (string), when ``data`` has one (from :func:`add_normalised`), so a plot can say what it rescaled.
    """
    require_columns(data, [by, date, value, "model_id"], "best_to_date")
    when = _to_utc(data[date])
    v = _as_float(data[value])
    no_date = when.isna().to_numpy()
    if no_date.any():
        warnings.warn(
            f"left out {int(no_date.sum())} of {count(len(data), 'row')} without a date "
            + ("(no creation date known for their models: no model metadata for them in this data)"
               if date == "created_at" else f"(no {date!r})"),
            AnalysisWarning,
            stacklevel=user_stacklevel(),
        )
    keep = ~no_date & np.isfinite(v)
    work = pd.DataFrame(
        {
            "by": data[by].astype("string").to_numpy(),
            "date": when.array,
            "value": v,
            "good": _goodness(data, value),
            "model_id": data["model_id"].astype("string").to_numpy(),
            "scale": data["scale"].astype("string").to_numpy() if "scale" in data.columns else None,
        }
    )
    work = work[keep]
    pieces = []
    for name, g in work.groupby("by", sort=True, dropna=False):
        g = g.sort_values(["date", "good", "model_id"], ascending=[True, False, True], kind="stable")
        prior_best = np.maximum.accumulate(np.r_[-np.inf, g["good"].to_numpy()[:-1]])
        pieces.append(g[g["good"].to_numpy() > prior_best])
    if pieces:
        rec = pd.concat(pieces, ignore_index=True)
    else:
        rec = work.iloc[0:0].reset_index(drop=True)
    out = pd.DataFrame(
        {
            by: pd.array(rec["by"].to_numpy(), dtype="string"),
            "date": rec["date"].reset_index(drop=True),
            "best_value": pd.array(rec["value"].to_numpy(), dtype="Float64"),
            "model_id": pd.array(rec["model_id"].to_numpy(), dtype="string"),
        }
    )
    if "scale" in data.columns:
        out["scale"] = pd.array(rec["scale"].to_numpy(), dtype="string")
    return _keep_attrs(out, data)


# --------------------------------------------------------------------------------------------
# rankings


def _ranked(data: pd.DataFrame, value: str, by: str | None) -> pd.DataFrame:
    """Rows with a value, each model once by the one de-duplication rule, in ranking order within each group.

    Duplicates are named in a ``AnalysisWarning`` (see :func:`dedupe`). Returns ``data``'s rows plus ``__group``
    (groups sorted by name) in ranking order.
    """
    values = _as_float(data[value])
    refuse_non_finite(values, data["model_id"].astype("string").to_numpy(dtype=object), "ranking")
    d = data[np.isfinite(values)]
    grouped = by is not None and by in d.columns
    keys = ["model_id"] + ([by] if grouped else [])
    if "value" in d.columns:
        kept, details = _dedupe(d, "best", keys)
        for _, message in details:
            warnings.warn(f"{message} — {DEDUPE_RULE.split(':')[0]}: verified, then the Hub's rank, then the value",
                          AnalysisWarning, stacklevel=user_stacklevel())
        d = d.iloc[kept]
    sort = pd.DataFrame(
        {
            "good": _goodness(d, value),
            "model": d["model_id"].astype("string").to_numpy(),
            "pos": np.arange(len(d)),
            "group": d[by].astype("string").to_numpy() if grouped else "",
        }
    )
    sort = sort.sort_values(["group", "good", "model", "pos"], ascending=[True, False, True, True],
                            na_position="last")
    sort = sort.drop_duplicates(["group", "model"], keep="first")
    out = d.iloc[sort["pos"].to_numpy()].copy()
    out["__group"] = sort["group"].to_numpy()
    return out


def _with_rank(ranked: pd.DataFrame, source: pd.DataFrame, n: int | None, value: str = "value") -> pd.DataFrame:
    """``ranked`` (best first within each ``__group``) cut to its first ``n`` rows per group, with ``rank``: 1 + the
    rows strictly better, so equal values share the best rank (as in rank_intervals and model_ranks)."""
    position = ranked.groupby("__group", sort=False, dropna=False).cumcount() + 1
    rank = position.groupby([ranked["__group"], ranked[value]], sort=False, dropna=False).transform("min")
    ranked = ranked.assign(__rank=rank.to_numpy())
    if n is not None:
        ranked = ranked[(position <= n).to_numpy()]
    out = ranked.drop(columns=["__group"])
    if "rank" in out.columns:
        out = out.rename(columns={"rank": "published_rank"})
    out = out.rename(columns={"__rank": "rank"})
    out["rank"] = out["rank"].astype("Int64")
    out = out[["rank"] + [c for c in out.columns if c != "rank"]].reset_index(drop=True)
    return _keep_attrs(out, source)


@renamed_keywords(df="data")
def top_n(
    data: pd.DataFrame,
    n: int = 10,
    *,
    value: str = "value",
    by: str | None = "dataset_id",
    verified_only: bool = False,
) -> pd.DataFrame:
    """The best ``n`` models of each benchmark.

    Rows without a value are left out; with ``verified_only`` so are rows whose ``verified`` is
    not True. Each model is counted once per benchmark, by the rule of :func:`dedupe` (a verified entry first, then
    the Hub's better rank, then the better value), so a verified entry is kept over a better unverified one; the
    duplicates are named in an ``AnalysisWarning``. Order: higher value first (lower where ``lower_is_better`` is
    True), equal values by ``model_id``.

    Parameters
    ----------
    data : DataFrame
        Leaderboard rows (or eval results) with ``model_id`` and ``value``.
    n : int
        How many models per benchmark.
    value : str
        The column to rank by (e.g. ``"value_norm"``).
    by : str or None
        The benchmark column; ``None`` (or a column ``data`` lacks) ranks the whole frame as one.
    verified_only : bool
        Keep only verified results (needs a ``verified`` column).

    Returns
    -------
    DataFrame
        Up to ``n`` rows per benchmark, benchmarks in ascending order, index 0..k-1, attrs kept:
        ``rank`` (Int64: 1 + the rows kept that are strictly better, so equal values share the best rank, as in
        :func:`lbtools.analysis.rank_intervals` and :func:`model_ranks`) first, then all columns of ``data``; a
        published ``rank`` column is kept as ``published_rank``.
    """
    require_columns(data, [value, "model_id"], "top_n")
    n = check_whole(n, "n", "top_n")
    d = data
    if verified_only:
        require_columns(data, ["verified"], "top_n(verified_only=True)")
        d = data[data["verified"].astype("boolean").fillna(False).to_numpy(dtype=bool)]
    return _with_rank(_ranked(d, value, by), data, int(n), value)


@renamed_keywords(df="data")
def ranking_as_of(
    data: pd.DataFrame,
    when,
    *,
    date: str = "created_at",
    top_n: int = 10,
    value: str = "value",
) -> pd.DataFrame:
    """The top of one benchmark's ranking among the rows that existed at ``when``.

    Only rows whose ``date`` is on or before ``when`` count (rows without a date or value never
    do); each model is counted once, by the rule of :func:`dedupe` (verified first, then the Hub's rank, then the
    value). Order: higher value first (lower where
    ``lower_is_better`` is True), equal values by ``model_id``. This replays a leaderboard with
    today's results, so it answers "how would the models available then rank", not "what the
    leaderboard showed then".

    Parameters
    ----------
    data : DataFrame
        The rows of ONE benchmark (a frame with several ``dataset_id`` values is refused).
    when : str, datetime or Timestamp
        The cut-off, inclusive; a time without a zone is taken as UTC and a bare date as its midnight.
    date : str
        The date column (``created_at`` for an enriched leaderboard, ``date`` for eval results).
    top_n : int
    value : str

    Returns
    -------
    DataFrame
        Up to ``top_n`` rows, index 0..k-1, attrs kept: ``rank`` (Int64, 1..k) first, then the
        columns of ``data``; a published ``rank`` column is kept as ``published_rank``.
    """
    require_columns(data, [date, value, "model_id"], "ranking_as_of")
    if "dataset_id" in data.columns and data["dataset_id"].nunique(dropna=True) > 1:
        raise ValueError(
            "ranking_as_of ranks one benchmark; filter data to one dataset_id first "
            f"(found {data['dataset_id'].nunique(dropna=True)})"
        )
    try:
        cutoff = pd.Timestamp(when)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"ranking_as_of: when must be a date, e.g. '2025-06-30'; got {when!r}") from exc
    if pd.isna(cutoff):
        raise ValueError(f"ranking_as_of: when must be a date, e.g. '2025-06-30'; got {when!r}")
    cutoff = cutoff.tz_localize("UTC") if cutoff.tzinfo is None else cutoff.tz_convert("UTC")
    dates = _to_utc(data[date])
    d = data[(dates <= cutoff).fillna(False).to_numpy(dtype=bool)]
    return _with_rank(_ranked(d, value, None), data, check_whole(top_n, "top_n", "ranking_as_of"), value)


@renamed_keywords(leaderboards="data")
def model_ranks(data: pd.DataFrame, model_ids) -> pd.DataFrame:
    """Where some models stand on every leaderboard they appear on.

    For each benchmark a model appears on with a value (one entry per model by the rule of
    :func:`dedupe`, applied to every model on the board; the asked-for models' duplicates are named
    in a ``AnalysisWarning``): ``rank``, 1 + the number of entries with a strictly better value (ties share
    the best rank, as in :func:`top_n` and :func:`lbtools.analysis.rank_intervals`), and ``published_rank``, the
    leaderboard's rank as published (which orders ties its own way; NA where ``data`` has none); ``n_entries``, the number of models with a value on
    that benchmark; and ``percentile``, the share of those entries whose value it beats or equals, itself
    included (as ``scipy.stats.percentileofscore(kind="weak")``): 100 for the leader, 100/n for a sole last,
    so that ``percentile = 100 (n_entries − rank + 1) / n_entries`` — the rank and the percentile always agree.
    Better means higher, or lower where ``lower_is_better`` is True. Models found on no
    leaderboard are named in a ``AnalysisWarning``.

    Parameters
    ----------
    data : DataFrame
        Leaderboard rows of one or many benchmarks (``model_id``, ``dataset_id``, ``value``).
    model_ids : str or iterable of str

    Returns
    -------
    DataFrame
        One row per (model, benchmark), models in the order given then benchmarks ascending,
        index 0..k-1, attrs kept: ``model_id``, ``dataset_id`` (string), ``rank`` (Int64),
        ``value`` (Float64), ``n_entries`` (Int64), ``percentile`` (Float64, 0–100, NA without a value),
        ``published_rank`` (Int64).
    """
    require_columns(data, ["model_id", "dataset_id", "value"], "model_ranks")
    if not isinstance(model_ids, str) and (not isinstance(model_ids, Iterable) or isinstance(model_ids, Mapping)):
        raise TypeError(f"model_ranks: model_ids must be a model id or a list of them; got {model_ids!r}")
    wanted = [model_ids] if isinstance(model_ids, str) else list(dict.fromkeys(model_ids))
    if not all(isinstance(m, str) for m in wanted):
        raise TypeError(f"model_ranks: model_ids must be model ids (str); got {model_ids!r}")
    values = _as_float(data["value"])
    refuse_non_finite(values, data["model_id"].astype("string").to_numpy(dtype=object), "model_ranks")
    scored = data[np.isfinite(values)]
    kept, details = _dedupe(scored, "best", ["model_id", "dataset_id"])
    for key, message in details:
        if key[0] in wanted:  # only the duplicates of the models asked about concern the reader
            warnings.warn(f"{message} — {DEDUPE_RULE.split(':')[0]}: verified, then the Hub's rank, then the value",
                          AnalysisWarning, stacklevel=user_stacklevel())
    lb = scored.iloc[kept]
    good_all = _goodness(lb, "value")
    ds_all = lb["dataset_id"].astype("string")
    mid_all = lb["model_id"].astype("string")
    published = (
        lb["rank"].astype("Int64").to_numpy(dtype="float64", na_value=np.nan)
        if "rank" in lb.columns
        else np.full(len(lb), np.nan)
    )
    rows = []
    for mid in wanted:
        hits = np.flatnonzero((mid_all == mid).fillna(False).to_numpy(dtype=bool))
        per_ds = {ds_all.iat[h]: h for h in hits if not pd.isna(ds_all.iat[h])}
        for ds in sorted(per_ds):
            h = per_ds[ds]
            in_ds = (ds_all == ds).fillna(False).to_numpy(dtype=bool)
            vals = good_all[in_ds]
            g = good_all[h]
            pct = 100.0 * (vals <= g).sum() / len(vals)
            raw = _as_float(lb["value"].iloc[[h]])[0]
            rows.append((mid, ds, 1 + int((vals > g).sum()), raw, len(vals), pct, published[h]))
    missing = [m for m in wanted if not any(r[0] == m for r in rows)]
    if missing:
        warnings.warn(f"not on any of these leaderboards: {_names(missing)}", AnalysisWarning,
                      stacklevel=user_stacklevel())

    def col(i, dtype):
        values = [None if (isinstance(r[i], float) and np.isnan(r[i])) else r[i] for r in rows]
        return pd.array(values, dtype=dtype)

    out = pd.DataFrame(
        {
            "model_id": col(0, "string"),
            "dataset_id": col(1, "string"),
            "rank": pd.array([None if np.isnan(r[2]) else int(r[2]) for r in rows], dtype="Int64"),
            "value": col(3, "Float64"),
            "n_entries": pd.array([r[4] for r in rows], dtype="Int64"),
            "percentile": col(5, "Float64"),
            "published_rank": pd.array([None if np.isnan(r[6]) else int(r[6]) for r in rows], dtype="Int64"),
        }
    )
    return _keep_attrs(out, data)


def organisation(model_id):
    """The namespace of a Hub model id: the text before the first ``/``.

    ``"meta-llama/Llama-3.1-8B"`` → ``"meta-llama"``. An id without a namespace (old canonical
    ids such as ``"gpt2"``) gives ``""``; a missing id gives NA.

    Parameters
    ----------
    model_id : str or Series of str

    Returns
    -------
    str or Series
        A str for a str; for a Series, a string Series with the same index.
    """
    if isinstance(model_id, pd.Series):
        s = model_id.astype("string")
        ns = s.str.extract(r"^([^/]*)/", expand=False).astype("string")
        return ns.mask(s.notna() & ns.isna(), "").rename(model_id.name)
    if model_id is None or (not isinstance(model_id, str) and pd.isna(model_id)):
        return pd.NA
    return model_id.split("/", 1)[0] if "/" in model_id else ""


@renamed_keywords(df="data")
def benchmark_summary(data: pd.DataFrame, *, value: str = "value", by: str = "dataset_id") -> pd.DataFrame:
    """One line per benchmark: how many entries, how many verified, the range of values, the scale.

    Returns
    -------
    DataFrame
        One row per benchmark, ascending, index 0..k-1, attrs kept:
        ``by`` (string), ``n_entries`` (Int64, rows), ``n_models`` (Int64, distinct models),
        ``n_with_value`` (Int64), ``n_verified`` (Int64, NA where no entry says whether it is verified),
        ``min``, ``median``, ``max`` (Float64, of ``value``), ``scale`` (string, see
        :func:`detect_scale`), ``lower_is_better`` (boolean, True if any row says so).
    """
    require_columns(data, [by, value, "model_id"], "benchmark_summary")
    v = _as_float(data[value])
    lower = _lower_is_better(data)
    verified = (
        data["verified"].astype("boolean").fillna(False).to_numpy(dtype=bool) if "verified" in data.columns else None
    )
    said = data["verified"].notna().to_numpy(dtype=bool) if "verified" in data.columns else None
    names = data[by].astype("string")
    rows = []
    for name in sorted(names.dropna().unique()):
        m = (names == name).fillna(False).to_numpy(dtype=bool)
        gv = v[m]
        fin = gv[np.isfinite(gv)]
        rows.append(
            {
                by: name,
                "n_entries": int(m.sum()),
                "n_models": int(data.loc[m, "model_id"].nunique()),
                "n_with_value": int(fin.size),
                "n_verified": int(verified[m].sum()) if verified is not None and said[m].any() else None,
                "min": float(fin.min()) if fin.size else None,
                "median": float(np.median(fin)) if fin.size else None,
                "max": float(fin.max()) if fin.size else None,
                "scale": detect_scale(gv),
                "lower_is_better": bool(lower[m].any()),
            }
        )
    dtypes = {
        by: "string",
        "n_entries": "Int64",
        "n_models": "Int64",
        "n_with_value": "Int64",
        "n_verified": "Int64",
        "min": "Float64",
        "median": "Float64",
        "max": "Float64",
        "scale": "string",
        "lower_is_better": "boolean",
    }
    out = pd.DataFrame({c: pd.array([r[c] for r in rows], dtype=t) for c, t in dtypes.items()})
    return _keep_attrs(out, data)
