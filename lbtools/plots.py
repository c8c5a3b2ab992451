"""Figures for the analyses in :mod:`lbtools.analysis`.

Each function draws one figure and returns the :class:`matplotlib.figure.Figure`; the title says
what it shows. Figures are created with ``pyplot`` (so Jupyter's inline backend shows a figure
left open at the end of a cell) and never shown or closed here: a caller drawing into an
``ipywidgets.Output`` should ``display(fig)`` then ``plt.close(fig)``. Pass ``ax=`` to draw into
an existing Axes instead.

Model ids, notes and benchmark names are user-submitted text: ``$`` is escaped everywhere so it
is never read as mathtext. ``labels`` maps dataset ids to display names wherever benchmarks are
shown. matplotlib, and seaborn for the heatmap, are imported inside the functions.
"""

from __future__ import annotations

import warnings
import zlib

import numpy as np
import pandas as pd

from . import analysis

__all__ = [
    "best_to_date_steps",
    "correlation_heatmap",
    "model_profile_bars",
    "pair_scatter",
    "race_bar",
    "ranking_bar",
    "score_vs_date",
    "score_vs_parameters",
]

_METHOD_SYMBOL = {"spearman": "Spearman ρ", "kendall": "Kendall τ", "pearson": "Pearson r"}
_VERIFIED_COLOUR = "#1f78b4"
_UNVERIFIED_COLOUR = "#a6cee3"
_UNKNOWN_COLOUR = "#c9c9c9"
_NEUTRAL_COLOUR = "#6a8caf"
_STATE_COLOURS = {"verified": _VERIFIED_COLOUR, "not verified": _UNVERIFIED_COLOUR, "unknown": _UNKNOWN_COLOUR}
_FRONTIER_COLOUR = "#d95f02"
_OTHER_COLOUR = "#9e9e9e"


# --------------------------------------------------------------------------------------------
# helpers


def _esc(text) -> str:
    """Text safe from mathtext: every ``$`` is escaped."""
    return str(text).replace("$", r"\$")


def _legend_text(text) -> str:
    # matplotlib hides legend entries whose label starts with "_"
    s = _esc(text)
    return " " + s if s.startswith("_") else s


def _bench(dataset_id, labels) -> str:
    """The display name of a benchmark (raw text: escape it where it is drawn)."""
    return str(labels.get(dataset_id, dataset_id) if labels else dataset_id)


def _value_label(value: str) -> str:
    return {
        "value": "score (as published)",
        "value_norm": "score (0–100)",
        "percentile": "percentile on the leaderboard (100 = leader)",
        "best_value": "best score",
    }.get(value, value)


def _fmt(v) -> str:
    return "" if v is None or not np.isfinite(v) else f"{v:.4g}"


def _axes(ax, figsize):
    if ax is not None:
        return ax.figure, ax
    import matplotlib.pyplot as plt

    return plt.subplots(figsize=figsize, layout="constrained")


def _only_benchmark(df: pd.DataFrame):
    """The single dataset id of ``df``, or None when it has none or several."""
    if "dataset_id" not in df.columns:
        return None
    ids = df["dataset_id"].dropna().unique()
    return ids[0] if len(ids) == 1 else None


def _lower_is_better(df: pd.DataFrame) -> bool:
    return "lower_is_better" in df.columns and bool(df["lower_is_better"].astype("boolean").fillna(False).any())


def _stable_colour(key: str):
    """A colour that depends only on ``key`` (an organisation keeps its colour across figures)."""
    import matplotlib

    cmap = matplotlib.colormaps["tab20"]
    return cmap(zlib.crc32(str(key).encode("utf-8")) % cmap.N)


def _palette(n: int) -> list:
    """``n`` distinct colours (tab10, or tab20 beyond 10; repeated beyond 20)."""
    import matplotlib

    cmap = matplotlib.colormaps["tab10" if n <= 10 else "tab20"]
    return [cmap(i % cmap.N) for i in range(n)]


def _naive_utc(values: pd.Series) -> pd.Series:
    """Datetimes as naive UTC values, which every matplotlib date converter accepts."""
    s = values if isinstance(values.dtype, pd.DatetimeTZDtype) else pd.to_datetime(values, utc=True)
    return s.dt.tz_convert("UTC").dt.tz_localize(None)


def _date_axis(ax) -> None:
    import matplotlib.dates as mdates

    locator = mdates.AutoDateLocator()
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))


def _hbars(ax, names, values, colours, *, value_label: str) -> None:
    """Horizontal bars, first name at the top, each labelled with its value."""
    y = np.arange(len(names))
    bars = ax.barh(y, values, color=colours)
    ax.bar_label(bars, labels=[_fmt(v) for v in values], padding=3, fontsize=8)
    ax.set_yticks(y, labels=[_esc(n) for n in names])
    ax.invert_yaxis()
    ax.set_xlabel(_esc(value_label))
    ax.margins(x=0.12)
    ax.spines[["top", "right"]].set_visible(False)


# --------------------------------------------------------------------------------------------
# rankings


def ranking_bar(
    df: pd.DataFrame,
    *,
    top_n: int = 15,
    value: str = "value",
    title: str | None = None,
    labels: dict | None = None,
    ax=None,
):
    """Horizontal bars of the best ``top_n`` models of one benchmark, best at the top.

    Models are ordered as by :func:`lbtools.analysis.top_n` (higher value first, lower where
    ``lower_is_better``; each model once). When ``df`` has a ``verified`` column, bars of verified results
    are dark, unverified ones light, and ones whose status is not published grey. Each bar is labelled with
    its value.

    Parameters
    ----------
    df : DataFrame
        One benchmark's rows with ``model_id`` and ``value``.
    top_n : int
    value : str
        The column to show (e.g. ``"value_norm"``).
    title : str, optional
        Default: "Top N models on <benchmark>".
    labels : dict, optional
        Dataset id → display name.
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib.figure.Figure
    """
    if "dataset_id" in df.columns and df["dataset_id"].nunique(dropna=True) > 1:
        raise ValueError("ranking_bar shows one benchmark; filter df to one dataset_id first")
    ranked = analysis.top_n(df, top_n, value=value, by=None)
    fig, ax = _axes(ax, (8, 0.35 * max(len(ranked), 3) + 1.2))
    values = ranked[value].to_numpy(dtype="float64", na_value=np.nan)
    states = None
    if "verified" in ranked.columns:
        # Three states: the Hub says verified, says not verified, or does not say (e.g. reconstructed data).
        flags = ranked["verified"].astype("boolean")
        states = ["unknown" if pd.isna(v) else "verified" if v else "not verified" for v in flags]
        if set(states) == {"unknown"}:
            colours = [_NEUTRAL_COLOUR] * len(ranked)  # nothing to tell apart: no status colours at all
        else:
            colours = [_STATE_COLOURS[state] for state in states]
    else:
        colours = [_VERIFIED_COLOUR] * len(ranked)
    _hbars(ax, ranked["model_id"].tolist(), values, colours, value_label=_value_label(value))
    present = [state for state in _STATE_COLOURS if states and state in states]
    if present and present != ["unknown"]:
        from matplotlib.patches import Patch

        handles = [Patch(color=_STATE_COLOURS[state], label=state) for state in present]
        # Outside the bars, so it never covers a value label.
        ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8, frameon=False)
    elif present == ["unknown"]:
        ax.set_xlabel(ax.get_xlabel() + " — verification status not published")
    if title is None:
        bench = _only_benchmark(df)
        where = f" on {_bench(bench, labels)}" if bench is not None else f" by {value}"
        order = " (lower is better)" if _lower_is_better(df) else ""
        title = f"Top {len(ranked)} models{where}{order}"
    ax.set_title(_esc(title))
    return fig


def race_bar(
    ranking: pd.DataFrame,
    when,
    *,
    value: str = "value",
    title: str | None = None,
    labels: dict | None = None,
    xlim: tuple[float, float] | None = None,
    ax=None,
):
    """The ranking of one benchmark at a date, as bars coloured by organisation.

    Parameters
    ----------
    ranking : DataFrame
        The result of :func:`lbtools.analysis.ranking_as_of` (``rank``, ``model_id``, ``value``).
    when : str, datetime or Timestamp
        The date of the ranking, shown in the title.
    value : str
    title : str, optional
        Default: "Top N on <benchmark> as of <date>".
    labels : dict, optional
        Dataset id → display name.
    xlim : (float, float), optional
        Fix the value axis, so that frames of a race compare.
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib.figure.Figure
        Bars ordered by ``rank`` (1 at the top); the same organisation always gets the same colour.
    """
    r = ranking.sort_values("rank", kind="stable") if "rank" in ranking.columns else ranking
    fig, ax = _axes(ax, (8, 0.35 * max(len(r), 3) + 1.2))
    names = r["model_id"].tolist()
    colours = [_stable_colour(analysis.organisation(str(m))) for m in names]
    _hbars(ax, names, r[value].to_numpy(dtype="float64", na_value=np.nan), colours, value_label=_value_label(value))
    if xlim is not None:
        ax.set_xlim(*xlim)
    stamp = pd.Timestamp(when)
    day = stamp.strftime("%Y-%m-%d")
    if len(r) == 0:
        ax.text(0.5, 0.5, f"no model with a score existed by {day}", ha="center", va="center", transform=ax.transAxes)
    if title is None:
        bench = _only_benchmark(r)
        on = f" on {_bench(bench, labels)}" if bench is not None else ""
        title = f"Top {len(r)}{on} as of {day}"
    ax.set_title(_esc(title))
    return fig


def model_profile_bars(
    results: pd.DataFrame,
    *,
    value: str = "value",
    title: str | None = None,
    labels: dict | None = None,
    ax=None,
):
    """Grouped bars: one group per benchmark, one bar per model, each labelled with its value.

    Parameters
    ----------
    results : DataFrame
        One row per (``model_id``, ``dataset_id``), e.g. :func:`lbtools.analysis.model_ranks`
        (use ``value="percentile"`` to compare positions across benchmarks) or leaderboard rows.
    value : str
    title : str, optional
    labels : dict, optional
        Dataset id → display name.
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib.figure.Figure
        Missing (model, benchmark) pairs have no bar.

    Raises
    ------
    ValueError
        When a (model, benchmark) pair has several rows (see :func:`lbtools.analysis.dedupe_results`).
    """
    models = list(dict.fromkeys(results["model_id"].dropna().tolist()))
    matrix = analysis.scores_matrix(results, value=value)
    matrix = matrix.reindex([m for m in models if m in matrix.index])
    benches = list(matrix.columns)
    n_models = max(len(models), 1)
    fig, ax = _axes(ax, (max(6.0, 1.0 + len(benches) * (0.5 + 0.35 * n_models)), 4.8))
    width = 0.8 / n_models
    x = np.arange(len(benches))
    colours = _palette(len(matrix.index))
    for i, model in enumerate(matrix.index):
        heights = matrix.loc[model].to_numpy(dtype="float64")
        have = np.isfinite(heights)
        bars = ax.bar(
            x[have] - 0.4 + width * (i + 0.5),
            heights[have],
            width,
            label=_legend_text(model),
            color=colours[i],
        )
        ax.bar_label(bars, labels=[_fmt(h) for h in heights[have]], padding=2, fontsize=7)
    ax.set_xticks(x, labels=[_esc(_bench(b, labels)) for b in benches], rotation=30, ha="right")
    ax.set_ylabel(_esc(_value_label(value)))
    ax.spines[["top", "right"]].set_visible(False)
    if len(matrix.index):
        ax.legend(fontsize=8, frameon=False, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    if title is None:
        what = "Percentile on each leaderboard" if value == "percentile" else f"{_value_label(value).capitalize()}"
        title = f"{what}: {len(matrix.index)} model(s) on {len(benches)} benchmark(s)"
    ax.set_title(_esc(title))
    return fig


# --------------------------------------------------------------------------------------------
# correlations


def _heatmap(sns, c, blank, annot, names, method, ax) -> None:
    sns.heatmap(
        pd.DataFrame(c),
        mask=blank,
        annot=annot,
        fmt="",
        annot_kws={"fontsize": 7},
        vmin=-1,
        vmax=1,
        center=0,
        cmap="RdBu_r",
        square=True,
        linewidths=0.5,
        xticklabels=names,
        yticklabels=names,
        cbar_kws={"label": _METHOD_SYMBOL.get(method, "coefficient"), "shrink": 0.8},
        ax=ax,
    )


def correlation_heatmap(
    coef: pd.DataFrame,
    overlap: pd.DataFrame,
    *,
    min_overlap: int = 5,
    order: list | None = None,
    labels: dict | None = None,
    method: str | None = None,
    title: str | None = None,
    ax=None,
):
    """Heatmap of benchmark correlations, each cell annotated with its coefficient and overlap.

    A cell shows the coefficient and ``n=<shared models>``; cells with fewer than
    ``min_overlap`` shared models (or an undefined coefficient) are left blank apart from a grey
    ``n=..``, so a missing colour never passes for a zero correlation.

    Parameters
    ----------
    coef, overlap : DataFrame
        The two results of :func:`lbtools.analysis.benchmark_correlations`.
    min_overlap : int
    order : list of str, optional
        Benchmark order (e.g. :func:`lbtools.analysis.cluster_order`); default: as in ``coef``.
    labels : dict, optional
        Dataset id → display name.
    method : str, optional
        Named in the default title.
    title : str, optional
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib.figure.Figure
    """
    import seaborn as sns

    order = list(coef.index) if order is None else list(order)
    c = coef.reindex(index=order, columns=order).to_numpy(dtype="float64", na_value=np.nan)
    n = overlap.reindex(index=order, columns=order).to_numpy(dtype="float64", na_value=0).astype(int)
    blank = (n < min_overlap) | ~np.isfinite(c)
    k = len(order)
    annot = np.array(
        [[f"{c[i, j]:.2f}\nn={n[i, j]}" if not blank[i, j] else "" for j in range(k)] for i in range(k)],
        dtype=object,
    )
    names = [_esc(_bench(b, labels)) for b in order]
    fig, ax = _axes(ax, (max(5.0, 1.6 + 0.85 * k), max(4.0, 1.2 + 0.75 * k)))
    with warnings.catch_warnings():
        # seaborn 0.13 calls a Colormap method that matplotlib 3.11 plans to deprecate
        warnings.filterwarnings("ignore", category=PendingDeprecationWarning, module="seaborn")
        _heatmap(sns, c, blank, annot, names, method, ax)
    for i in range(k):
        for j in range(k):
            if blank[i, j]:
                ax.text(j + 0.5, i + 0.5, f"n={n[i, j]}", ha="center", va="center", fontsize=7, color="0.55")
    ax.set_xlabel("")
    ax.set_ylabel("")
    ax.tick_params(axis="x", labelrotation=45)
    for t in ax.get_xticklabels():
        t.set_horizontalalignment("right")
    if title is None:
        what = _METHOD_SYMBOL.get(method, "Correlation").split(" ")[0] if method else "Correlation"
        title = (
            f"{what} correlation between benchmarks over shared models\n"
            f"(n = models with both scores; blank below n = {min_overlap})"
        )
    ax.set_title(_esc(title), fontsize=10)
    return fig


def pair_scatter(
    matrix: pd.DataFrame,
    a: str,
    b: str,
    *,
    method: str = "spearman",
    ci=None,
    labels: dict | None = None,
    annotate: bool = True,
    title: str | None = None,
    ax=None,
):
    """Scores on two benchmarks, one labelled point per model, with a least-squares line.

    Parameters
    ----------
    matrix : DataFrame
        Models × benchmarks (:func:`lbtools.analysis.scores_matrix`); models missing either
        score are left out.
    a, b : str
        Benchmarks on the x and y axes.
    method : {"spearman", "kendall", "pearson"}
        The coefficient named in the title (the line is always a straight least-squares fit).
    ci : (low, high) or (estimate, low, high), optional
        A confidence interval to show, e.g. from :func:`lbtools.analysis.bootstrap_ci`.
    labels : dict, optional
        Dataset id → display name.
    annotate : bool
        Label each point with its model id.
    title : str, optional
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib.figure.Figure
    """
    for col in (a, b):
        if col not in matrix.columns:
            raise ValueError(f"pair_scatter: {col!r} is not a column of matrix")
    pair = matrix[[a, b]].astype("float64").dropna()
    x, y = pair[a].to_numpy(), pair[b].to_numpy()
    fig, ax = _axes(ax, (7, 5.5))
    ax.scatter(x, y, s=28, color=_VERIFIED_COLOUR, zorder=3, gid="models")
    if annotate:
        for model, xi, yi in zip(pair.index, x, y):
            ax.annotate(_esc(model), (xi, yi), xytext=(4, 3), textcoords="offset points", fontsize=7, color="0.25")
    if len(x) >= 2 and np.unique(x).size > 1:
        slope, intercept = np.polyfit(x, y, 1)
        xs = np.array([x.min(), x.max()])
        ax.plot(xs, slope * xs + intercept, color=_FRONTIER_COLOUR, lw=1.2, label="least-squares line", gid="fit")
    ax.set_xlabel(_esc(_bench(a, labels)))
    ax.set_ylabel(_esc(_bench(b, labels)))
    ax.spines[["top", "right"]].set_visible(False)
    if title is None:
        coefficient = analysis.correlation_coefficient(x, y, method=method)
        stat = f"{_METHOD_SYMBOL.get(method, method)} = {_fmt_coef(coefficient)}"
        if ci is not None:
            low, high = tuple(ci)[-2:]
            stat += f" (bootstrap CI {_fmt_coef(low)} to {_fmt_coef(high)})"
        title = f"{_bench(a, labels)} vs {_bench(b, labels)}\n{stat}, n = {len(x)} models"
    ax.set_title(_esc(title), fontsize=10)
    return fig


def _plain_log_ticks(ax, values: np.ndarray) -> None:
    """Log-axis tick labels as plain numbers (0.5, 7, 70) instead of powers of ten."""
    from matplotlib.ticker import FuncFormatter, NullFormatter

    plain = FuncFormatter(lambda v, _pos: f"{v:g}")
    ax.xaxis.set_major_formatter(plain)
    narrow = values.size and values.max() / values.min() < 30
    ax.xaxis.set_minor_formatter(plain if narrow else NullFormatter())


def _fmt_coef(v) -> str:
    return "n/a" if v is None or not np.isfinite(v) else f"{v:.2f}"


# --------------------------------------------------------------------------------------------
# size and time


def score_vs_parameters(
    df: pd.DataFrame,
    frontier_mask,
    *,
    value: str = "value",
    x: str = "num_parameters",
    labels: dict | None = None,
    annotate_frontier: bool = True,
    title: str | None = None,
    ax=None,
):
    """Score against parameter count (log scale), with the Pareto frontier highlighted and joined.

    Parameters
    ----------
    df : DataFrame
        Rows with ``x`` (parameters) and ``value``; rows missing either (or with ``x`` <= 0) are
        not drawn and are counted in the title.
    frontier_mask : Series of bool or array-like
        :func:`lbtools.analysis.pareto_frontier` of ``df`` (aligned on the index when a Series).
    value, x : str
    labels : dict, optional
        Dataset id → display name.
    annotate_frontier : bool
        Label the frontier's points with their model ids.
    title : str, optional
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib.figure.Figure
        Collections with gid ``"others"`` and ``"frontier"`` hold the points; the line with gid
        ``"frontier"`` joins the frontier as a staircase.
    """
    if isinstance(frontier_mask, pd.Series):
        mask = frontier_mask.reindex(df.index).fillna(False).to_numpy(dtype=bool)
    else:
        mask = np.asarray(frontier_mask, dtype=bool)
    params = df[x].to_numpy(dtype="float64", na_value=np.nan)
    v = df[value].to_numpy(dtype="float64", na_value=np.nan)
    drawn = np.isfinite(params) & (params > 0) & np.isfinite(v)
    front = drawn & mask
    others = drawn & ~mask
    fig, ax = _axes(ax, (8, 5.5))
    billions = params / 1e9
    ax.scatter(billions[others], v[others], s=22, color=_OTHER_COLOUR, label="dominated", gid="others", zorder=2)
    ax.scatter(
        billions[front], v[front], s=40, color=_FRONTIER_COLOUR, label="Pareto frontier", gid="frontier", zorder=3
    )
    order = np.argsort(billions[front], kind="stable")
    ax.plot(
        billions[front][order],
        v[front][order],
        drawstyle="steps-post",
        color=_FRONTIER_COLOUR,
        lw=1.2,
        gid="frontier",
    )
    if annotate_frontier:
        for model, xi, yi in zip(df["model_id"].to_numpy()[front], billions[front], v[front]):
            ax.annotate(_esc(model), (xi, yi), xytext=(4, 3), textcoords="offset points", fontsize=7)
    ax.set_xscale("log")
    _plain_log_ticks(ax, billions[drawn])
    ax.set_xlabel("parameters (billions, log scale)")
    ax.set_ylabel(_esc(_value_label(value)))
    ax.spines[["top", "right"]].set_visible(False)
    if drawn.any():
        ax.legend(fontsize=8, frameon=False)
    if title is None:
        bench = _only_benchmark(df)
        on = f" on {_bench(bench, labels)}" if bench is not None else ""
        title = f"Score vs size{on}: {int(front.sum())} of {int(drawn.sum())} models on the Pareto frontier"
        if (~drawn).sum():
            title += f"\n({int((~drawn).sum())} without a parameter count or score not shown)"
    ax.set_title(_esc(title), fontsize=10)
    return fig


def score_vs_date(
    df: pd.DataFrame,
    *,
    value: str = "value",
    date: str = "created_at",
    hue: str | None = "dataset_id",
    labels: dict | None = None,
    title: str | None = None,
    ax=None,
):
    """Scores against a date (by default the model's creation on the Hub), one colour per benchmark.

    Parameters
    ----------
    df : DataFrame
        Rows with ``date`` and ``value``; rows missing either are not drawn (counted in the title).
    value, date : str
    hue : str or None
        Colour by this column (a legend entry per value); ``None`` for one colour.
    labels : dict, optional
        Dataset id → display name (for the legend).
    title : str, optional
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib.figure.Figure
        One scatter collection per ``hue`` group, in ascending order.
    """
    dates = _naive_utc(df[date])
    v = df[value].to_numpy(dtype="float64", na_value=np.nan)
    drawn = dates.notna().to_numpy() & np.isfinite(v)
    fig, ax = _axes(ax, (8, 5))
    if hue is not None and hue in df.columns:
        groups = df[hue].astype("string")
        names = sorted(groups[drawn].dropna().unique())
        for name, colour in zip(names, _palette(len(names))):
            m = drawn & (groups == name).fillna(False).to_numpy(dtype=bool)
            ax.scatter(dates[m], v[m], s=22, label=_legend_text(_bench(name, labels)), color=colour)
        if ax.collections:
            ax.legend(fontsize=8, frameon=False, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    else:
        ax.scatter(dates[drawn], v[drawn], s=22, color=_VERIFIED_COLOUR)
    _date_axis(ax)
    when = "model creation date on the Hub" if date == "created_at" else str(date)
    ax.set_xlabel(_esc(f"{when} (UTC)"))
    ax.set_ylabel(_esc(_value_label(value)))
    ax.spines[["top", "right"]].set_visible(False)
    if title is None:
        bench = _only_benchmark(df)
        on = f" on {_bench(bench, labels)}" if bench is not None else ""
        title = f"Scores{on} by {when}: {int(drawn.sum())} results"
        if (~drawn).sum():
            title += f" ({int((~drawn).sum())} without a date or score not shown)"
    ax.set_title(_esc(title), fontsize=10)
    return fig


def best_to_date_steps(
    best: pd.DataFrame,
    *,
    by: str = "dataset_id",
    labels: dict | None = None,
    annotate: bool | None = None,
    title: str | None = None,
    ax=None,
):
    """The best score to date of each benchmark as a step line (each step: a new record).

    Parameters
    ----------
    best : DataFrame
        The result of :func:`lbtools.analysis.best_to_date` (``by``, ``date``, ``best_value``, ``model_id``).
    by : str
    labels : dict, optional
        Dataset id → display name (for the legend).
    annotate : bool, optional
        Label each record with the model that set it; by default only when at most 3
        benchmarks are drawn (more would be unreadable).
    title : str, optional
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib.figure.Figure
        One line per benchmark (ascending), each held flat up to the latest record of all benchmarks.
    """
    dates = _naive_utc(best["date"])
    values = best["best_value"].to_numpy(dtype="float64", na_value=np.nan)
    fig, ax = _axes(ax, (9, 5))
    end = dates.max() if len(best) else None
    groups = best[by].astype("string")
    names = sorted(groups.dropna().unique())
    if annotate is None:
        annotate = len(names) <= 3
    for name, colour in zip(names, _palette(len(names))):
        m = (groups == name).fillna(False).to_numpy(dtype=bool)
        xs = list(dates[m])
        ys = list(values[m])
        n_records = len(xs)
        if end is not None and xs[-1] < end:
            xs.append(end)
            ys.append(ys[-1])
        ax.plot(
            xs,
            ys,
            drawstyle="steps-post",
            marker="o",
            markevery=list(range(n_records)),
            ms=4,
            lw=1.4,
            color=colour,
            label=_legend_text(_bench(name, labels)),
        )
        if annotate:
            for model, xi, yi in zip(best["model_id"].to_numpy()[m], dates[m], values[m]):
                ax.annotate(_esc(model), (xi, yi), xytext=(3, 4), textcoords="offset points", fontsize=6, color="0.3")
    _date_axis(ax)
    ax.set_xlabel("date (UTC)")
    ax.set_ylabel(_value_label("best_value"))
    ax.spines[["top", "right"]].set_visible(False)
    if ax.lines:
        ax.legend(fontsize=8, frameon=False, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    if title is None:
        n = groups.nunique(dropna=True)
        title = f"Best score to date on {n} benchmark(s): each step is a new best"
    ax.set_title(_esc(title), fontsize=10)
    return fig


# --------------------------------------------------------------------------------------------
# capability index and predicted scores (lbtools.analysis.capability)

__all__ += ["capability_forest", "filled_matrix", "predicted_vs_published"]

_PUBLISHED_COLOUR = "#1f3f66"
_PREDICTED_COLOUR = "#d95f02"


def capability_forest(index: pd.DataFrame, *, top_n: int | None = 30, title: str | None = None, ax=None):
    """A forest plot of :func:`lbtools.analysis.capability_index`: one row per model, most capable at the top.

    Each row shows the index as a dot and its interval as a line; the number of benchmarks the model published
    is written inside the axes at the right of each row (fewer benchmarks: a wider interval). A dotted line
    marks 0, the mean model of the fitted population.

    Parameters
    ----------
    index : DataFrame
        ``model_id``, ``index``, ``index_low``, ``index_high``, ``n_benchmarks``.
    top_n : int or None
        Show the ``top_n`` highest rows (None: all).
    title : str, optional
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib.figure.Figure
    """
    missing = [c for c in ("model_id", "index", "index_low", "index_high", "n_benchmarks") if c not in index.columns]
    if missing:
        raise ValueError(f"capability_forest: index has no column {', '.join(map(repr, missing))}")
    rows = index.sort_values(["index", "model_id"], ascending=[False, True], kind="mergesort")
    if top_n is not None:
        rows = rows.head(top_n)
    mid = rows["index"].to_numpy(dtype="float64", na_value=np.nan)
    low = rows["index_low"].to_numpy(dtype="float64", na_value=np.nan)
    high = rows["index_high"].to_numpy(dtype="float64", na_value=np.nan)
    counts = rows["n_benchmarks"].to_numpy(dtype="float64", na_value=np.nan)
    fig, ax = _axes(ax, (8, 0.3 * max(len(rows), 3) + 1.3))
    y = np.arange(len(rows))
    ax.hlines(y, low, high, color=_NEUTRAL_COLOUR, lw=2)
    ax.plot(mid, y, "o", color=_PUBLISHED_COLOUR, ms=5)
    ax.axvline(0, color="0.6", lw=0.8, ls=":")
    ax.set_yticks(y, labels=[_esc(m) for m in rows["model_id"]], fontsize=9)
    ax.invert_yaxis()
    if len(rows):
        span = np.nanmax(high) - np.nanmin(low)
        right = np.nanmax(high) + 0.18 * max(span, 1e-9)
        ax.set_xlim(np.nanmin(low) - 0.05 * max(span, 1e-9), right)
        for yi, n in zip(y, counts):
            label = f"n={int(n)}" if np.isfinite(n) else ""
            ax.text(right, yi, label, ha="right", va="center", fontsize=9, color="0.35")
    ax.set_xlabel("capability index (0 = mean model, 1 = one SD of ability)\nn = benchmarks the model published", fontsize=9)
    ax.tick_params(axis="x", labelsize=9)
    ax.spines[["top", "right"]].set_visible(False)
    if title is None:
        level = index.attrs.get("capability", {}).get("level")
        interval = f"{level:.0%} intervals" if level else "intervals"
        title = f"Capability index: top {len(rows)} models, {interval}"
    ax.set_title(_esc(title), fontsize=10)
    return fig


def _to_hundred(values: np.ndarray, scale: str) -> np.ndarray:
    return values * 100 if scale == "0-1" else values


def filled_matrix(
    predictions: pd.DataFrame,
    *,
    labels: dict | None = None,
    max_models: int = 30,
    order: list | None = None,
    title: str | None = None,
    ax=None,
):
    """The model × benchmark table filled by :func:`lbtools.analysis.predict_scores`, every cell annotated.

    Published cells are drawn in full colour with a dark frame and their published value; predicted cells are
    lighter, their value in grey italics. Colours are on a common 0–100 scale (a 0–1 benchmark is multiplied by
    100 for the colour and the annotation). Predictions are not published results.

    Parameters
    ----------
    predictions : DataFrame
        ``model_id``, ``dataset_id``, ``observed``, ``predicted``.
    labels : dict, optional
        Dataset id → display name.
    max_models : int
        Show at most this many models: the first ones of ``order``, else those with the most published cells.
    order : list of str, optional
        Model ids, top to bottom.
    title : str, optional
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib.figure.Figure
    """
    import matplotlib
    from matplotlib.patches import Rectangle

    missing = [c for c in ("model_id", "dataset_id", "observed", "predicted") if c not in predictions.columns]
    if missing:
        raise ValueError(f"filled_matrix: predictions has no column {', '.join(map(repr, missing))}")
    df = predictions.copy()
    df["_published"] = df["observed"].notna()
    benches = sorted(df["dataset_id"].dropna().unique())
    scales = {b: analysis.detect_scale(df.loc[df["dataset_id"] == b, ["observed", "predicted"]].stack()) for b in benches}
    if order is None:
        counts = df.groupby("model_id")["_published"].sum()
        order = sorted(counts.index, key=lambda m: (-counts[m], m))
    models = [m for m in order if m in set(df["model_id"])][:max_models]
    obs = df.pivot(index="model_id", columns="dataset_id", values="observed").reindex(index=models, columns=benches)
    pred = df.pivot(index="model_id", columns="dataset_id", values="predicted").reindex(index=models, columns=benches)
    o = obs.to_numpy(dtype="float64", na_value=np.nan)
    p = pred.to_numpy(dtype="float64", na_value=np.nan)
    for j, b in enumerate(benches):
        o[:, j] = _to_hundred(o[:, j], scales[b])
        p[:, j] = _to_hundred(p[:, j], scales[b])
    shown = np.where(np.isfinite(o), o, p)
    published = np.isfinite(o)

    fig, ax = _axes(ax, (max(6.0, 2.5 + 0.75 * len(benches)), 0.34 * max(len(models), 3) + 1.8))
    cmap = matplotlib.colormaps["viridis"]
    norm = matplotlib.colors.Normalize(0, 100)
    rgba = cmap(norm(np.nan_to_num(shown, nan=0.0)))
    rgba[~published] = 0.45 * rgba[~published] + 0.55  # predicted cells: washed out towards white
    rgba[~np.isfinite(shown)] = (1, 1, 1, 1)
    ax.imshow(rgba, aspect="auto", interpolation="nearest", extent=(-0.5, len(benches) - 0.5, len(models) - 0.5, -0.5))
    for i in range(len(models)):
        for j in range(len(benches)):
            v = shown[i, j]
            if not np.isfinite(v):
                continue
            if published[i, j]:
                ax.add_patch(Rectangle((j - 0.5, i - 0.5), 1, 1, fill=False, edgecolor="black", lw=1.2, gid="published"))
                dark = sum(rgba[i, j, :3] * (0.299, 0.587, 0.114)) < 0.5
                ax.text(j, i, f"{v:.0f}", ha="center", va="center", fontsize=9, fontweight="bold",
                        color="white" if dark else "black")
            else:
                ax.text(j, i, f"{v:.0f}", ha="center", va="center", fontsize=9, fontstyle="italic", color="0.3")
    ax.set_xticks(range(len(benches)), labels=[_esc(_bench(b, labels)) for b in benches], fontsize=9, rotation=40, ha="right")
    ax.set_yticks(range(len(models)), labels=[_esc(m) for m in models], fontsize=9)
    sm = matplotlib.cm.ScalarMappable(norm=norm, cmap=cmap)
    fig.colorbar(sm, ax=ax, label="score (0–100)", shrink=0.8)
    if title is None:
        title = (
            f"Published (framed, bold) and predicted (light, italic) scores, {len(models)} models\n"
            "predicted cells are not published results"
        )
    ax.set_title(_esc(title), fontsize=10)
    return fig


def predicted_vs_published(cells: pd.DataFrame, *, method: str | None = "lbtools", title: str | None = None, ax=None):
    """Predicted against published score on held-out cells, with each prediction's interval.

    Points inside their interval are dark, points outside it orange; the diagonal is a perfect prediction. The
    title gives the RMSE and the share of cells covered. Both axes run from 0 to 100.

    Parameters
    ----------
    cells : DataFrame
        ``observed``, ``predicted``, ``pred_low``, ``pred_high`` on 0–100, e.g.
        ``validate_predictions(...).attrs["predictions"]``; filtered to ``method`` when it has a ``method`` column.
    method : str or None
    title : str, optional
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib.figure.Figure
    """
    missing = [c for c in ("observed", "predicted", "pred_low", "pred_high") if c not in cells.columns]
    if missing:
        raise ValueError(f"predicted_vs_published: cells has no column {', '.join(map(repr, missing))}")
    if method is not None and "method" in cells.columns:
        cells = cells[cells["method"] == method]
    obs, pred, low, high = (cells[c].to_numpy(dtype="float64", na_value=np.nan) for c in ("observed", "predicted", "pred_low", "pred_high"))
    inside = (obs >= low) & (obs <= high)
    fig, ax = _axes(ax, (6, 6))
    ax.plot([0, 100], [0, 100], color="0.6", lw=1, ls="--")
    for sel, colour, label in ((inside, _PUBLISHED_COLOUR, "inside its interval"), (~inside, _PREDICTED_COLOUR, "outside its interval")):
        if sel.any():
            ax.errorbar(obs[sel], pred[sel], yerr=[pred[sel] - low[sel], high[sel] - pred[sel]], fmt="o", ms=3.5,
                        color=colour, ecolor=colour, elinewidth=0.8, alpha=0.75, label=f"{label} ({int(sel.sum())})")
    ax.set_xlim(0, 100)
    ax.set_ylim(0, 100)
    ax.set_aspect("equal")
    ax.set_xlabel("published score (0–100)", fontsize=9)
    ax.set_ylabel("predicted without it (0–100)", fontsize=9)
    ax.tick_params(labelsize=9)
    ax.spines[["top", "right"]].set_visible(False)
    if len(obs):
        ax.legend(fontsize=9, frameon=False, loc="upper left")
    if title is None:
        rmse = float(np.sqrt(np.mean((pred - obs) ** 2))) if len(obs) else float("nan")
        title = f"Held-out published cells: RMSE {rmse:.1f}, {inside.mean() if len(obs) else float('nan'):.0%} inside their interval"
        if method:
            title = f"{method}. " + title
    ax.set_title(_esc(title), fontsize=10)
    return fig
