"""Figures for the analyses in :mod:`lbtools.analysis`.

Each function draws one figure and returns the :class:`matplotlib.figure.Figure`; the title says
what it shows. Figures are created with ``pyplot`` and never shown or closed here: inside a view
bound with :func:`lbtools.widgets.bind` they are shown and closed for you. Pass ``ax=`` to draw
into an existing Axes instead.

Figures are sized for a notebook's width (at most 10 in at 100 dpi, so JupyterLab shows them
unscaled at 1400 px) with every text at least 9 pt. Where several benchmarks share an axis, scores
are drawn on 0–100 (``value_norm``) and the figure names the benchmarks rescaled from 0–1;
percentile axes are fixed 0–100. Organisations keep one colour across figures through
:func:`organisation_palette`; model names are placed only where they fit.

``subset=`` (a string or a list such as ``["verified only"]``) names the filters the data went through in a figure's
default title, so a filtered figure never reads as the whole board (exported PNGs included).

Model ids, notes and benchmark names are user-submitted text: ``$`` is escaped everywhere so it
is never read as mathtext. ``labels`` maps dataset ids to display names wherever benchmarks are
shown. matplotlib is imported inside the functions.
"""

from __future__ import annotations

import re
import textwrap
from functools import lru_cache

import numpy as np
import pandas as pd

from . import _format as fmt
from . import analysis
from .analysis._checks import require_columns

__all__ = [
    "best_to_date_steps",
    "correlation_heatmap",
    "model_profile_bars",
    "organisation_palette",
    "pair_scatter",
    "percentile_bars",
    "race_bar",
    "rank_interval_plot",
    "ranking_bar",
    "score_vs_date",
    "score_vs_parameters",
]

# Sizes for a notebook's width: at 100 dpi a 10-inch figure is 1000 px, shown unscaled in JupyterLab at 1400 px.
WIDTH = 10.0
DPI = 100
FONT = 10  # every text is at least 9 pt
SMALL = 9
SMALL_MULTIPLES_ABOVE = 8  # more benchmarks than this on one axis: one panel each
LABEL_TOP = 10  # points labelled with their model id in a scatter

_METHOD_SYMBOL = {"spearman": "Spearman ρ", "kendall": "Kendall τ", "pearson": "Pearson r"}
_VERIFIED_COLOUR = "#1f78b4"
_UNVERIFIED_COLOUR = "#a6cee3"
_UNKNOWN_COLOUR = "#c9c9c9"
_NEUTRAL_COLOUR = "#6a8caf"
_STATE_COLOURS = {"verified": _VERIFIED_COLOUR, "not verified": _UNVERIFIED_COLOUR, "unknown": _UNKNOWN_COLOUR}
_FRONTIER_COLOUR = "#000000"  # black: no organisation's colour (tab10 has none), so the frontier stands apart
_OTHER_COLOUR = "#bdbdbd"
_LINE_COLOUR = "#d95f02"
TOP_ORGANISATIONS = 9  # organisations with a colour of their own; the rest share grey ("other organisations")
OTHER_ORGANISATIONS = "other organisations"


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


def _subset(subset) -> str:
    """``" (verified only)"``: the filters a figure's data went through, named in its default title."""
    if not subset:
        return ""
    text = subset if isinstance(subset, str) else ", ".join(str(s) for s in subset if s)
    return f" ({text})" if text else ""


def _value_label(value: str) -> str:
    return {
        "value": "score (as published)",
        "value_norm": "score (0–100; 0–1 benchmarks × 100)",
        "percentile": "percentile on the leaderboard (100 = leader)",
        "best_value": "best score",
        "best_value_norm": "best score (0–100)",
    }.get(value, value)


def _fmt(v) -> str:
    return fmt.score(v) if v is not None and np.isfinite(v) else ""


def _axes(ax, figsize):
    if ax is not None:
        return ax.figure, ax
    import matplotlib.pyplot as plt

    return plt.subplots(figsize=figsize, dpi=DPI, layout="constrained")


def _only_benchmark(df: pd.DataFrame):
    """The single dataset id of ``df``, or None when it has none or several."""
    if "dataset_id" not in df.columns:
        return None
    ids = df["dataset_id"].dropna().unique()
    return ids[0] if len(ids) == 1 else None


def _lower_is_better(df: pd.DataFrame) -> bool:
    return "lower_is_better" in df.columns and bool(df["lower_is_better"].astype("boolean").fillna(False).any())


def _distinct_colours(n: int) -> list:
    """``n`` colours no two alike: tab10, then tab20b and tab20c (never tab20's light/dark pairs side by side)."""
    import matplotlib

    pool = list(matplotlib.colormaps["tab10"].colors)
    for name in ("tab20b", "tab20c"):
        cmap = matplotlib.colormaps[name]
        pool += [cmap(i) for i in (0, 4, 8, 12, 16, 2, 6, 10, 14, 18)]
    return [pool[i % len(pool)] for i in range(n)]


def organisation_palette(data) -> dict:
    """One colour per organisation (model-id namespace), the same in every figure given this palette.

    Parameters
    ----------
    data : DataFrame with ``model_id``, or iterable of organisation names
        Build it once from all the data a notebook shows (e.g. the leaderboards) and pass it as ``palette=`` to each
        figure, so an organisation keeps its colour in every view.

    Returns
    -------
    dict
        ``{organisation: RGBA}``: the :data:`TOP_ORGANISATIONS` organisations with the most entries take tab10's
        colours (equal counts in name order, tab10's grey never used), every other organisation the same light grey,
        so no two coloured organisations can be confused; figures name the grey ones "other organisations".
    """
    if isinstance(data, pd.DataFrame):
        names = analysis.organisation(data["model_id"].astype("string")).dropna()
    else:
        names = pd.Series(list(data), dtype="string").dropna()
    counts = names.astype(str).value_counts()
    # The organisations seen most take the ten most distinct colours; ties by name, so the order is stable.
    orgs = sorted(counts.index, key=lambda o: (-int(counts[o]), o.casefold(), o))
    from matplotlib.colors import to_rgba

    import matplotlib

    colours = [c for i, c in enumerate(matplotlib.colormaps["tab10"].colors) if i != 7]  # 7: tab10's grey
    top = dict(zip(orgs[:TOP_ORGANISATIONS], colours))
    return {o: to_rgba(top.get(o, _OTHER_COLOUR)) for o in orgs}


def _is_other(colour) -> bool:
    from matplotlib.colors import to_rgba

    return to_rgba(colour) == to_rgba(_OTHER_COLOUR)


def _organisation_handles(orgs, palette, marker=None) -> list:
    """Legend handles: each coloured organisation shown, then one grey "other organisations" entry."""
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    shown = list(dict.fromkeys(orgs))
    coloured = [o for o in shown if not _is_other(palette.get(o, _OTHER_COLOUR))]
    others = len(shown) - len(coloured)

    def handle(colour, label):
        if marker:
            return Line2D([], [], marker=marker, ls="", color=colour, label=label)
        return Patch(color=colour, label=label)

    handles = [handle(palette[o], _legend_text(o or "(no namespace)")) for o in coloured]
    if others:
        handles.append(handle(_OTHER_COLOUR, f"{OTHER_ORGANISATIONS} ({others})"))
    return handles


def _organisation_legend(ax, orgs, palette) -> None:
    handles = _organisation_handles(orgs, palette)
    ax.legend(handles=handles, title="organisation", fontsize=SMALL, title_fontsize=SMALL, frameon=False,
              loc="upper left", bbox_to_anchor=(1.0, 1.0))


def _naive_utc(values: pd.Series) -> pd.Series:
    """Datetimes as naive UTC values, which every matplotlib date converter accepts."""
    s = values if isinstance(values.dtype, pd.DatetimeTZDtype) else pd.to_datetime(values, utc=True)
    return s.dt.tz_convert("UTC").dt.tz_localize(None)


def _date_formatter_class():
    import matplotlib.dates as mdates

    class YearFirst(mdates.ConciseDateFormatter):
        """ConciseDateFormatter whose first tick always says its year ("Jul 2024 | 2025 | Jul", not "Jul | 2025 | Jul")."""

        def format_ticks(self, values):
            labels = list(super().format_ticks(values))
            if labels and len(values) and not re.search(r"\d{4}", labels[0]):
                labels[0] = f"{labels[0]} {mdates.num2date(values[0]):%Y}".strip()
            return labels

        def get_offset(self):
            return ""  # the year is on the ticks

    return YearFirst


def _date_axis(ax) -> None:
    import matplotlib.dates as mdates

    low, high = ax.get_xlim()
    if high - low < 2:  # one date (or none): a month each side, else the locator can't pick an interval
        mid = (low + high) / 2 if np.isfinite(low + high) else mdates.date2num(pd.Timestamp("2025-01-01"))
        ax.set_xlim(mid - 31, mid + 31)
    locator = mdates.AutoDateLocator(minticks=3, maxticks=6)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(_date_formatter_class()(locator))


def _hbars(ax, names, values, colours, *, value_label: str, labels=None) -> None:
    """Horizontal bars, first name at the top, each labelled with its value (inside the axes)."""
    y = np.arange(len(names))
    bars = ax.barh(y, values, color=colours)
    ax.bar_label(bars, labels=labels if labels is not None else [_fmt(v) for v in values], padding=3,
                 fontsize=SMALL)
    ax.set_yticks(y, labels=[_esc(n) for n in names])
    ax.invert_yaxis()
    ax.set_xlabel(_esc(value_label))
    ax.margins(x=0.12)
    ax.spines[["top", "right"]].set_visible(False)


def _note(fig, text: str) -> None:
    """A line of small print under the figure (e.g. which benchmarks were rescaled)."""
    fig.text(0.0, 0.0, _esc(text), fontsize=SMALL, color="0.3", ha="left", va="bottom", gid="note")
    if fig.get_layout_engine() is not None:
        fig.get_layout_engine().set(h_pad=0.15)


def _rescaled_text(rescaled, labels) -> str:
    """The small print naming the benchmarks drawn × 100; "" when none."""
    names = ", ".join(_bench(b, labels) for b in rescaled)
    return f"Rescaled to 0–100 (published on a 0–1 scale, × 100): {names}" if rescaled else ""


def _rescaled_note(fig, rescaled, labels) -> None:
    if rescaled:
        _note(fig, _rescaled_text(rescaled, labels))


def _normalised(df: pd.DataFrame, value: str):
    """(frame, column, rescaled benchmarks): the values on 0–100 when several benchmarks share the axis."""
    if value != "value" or "dataset_id" not in df.columns or df["dataset_id"].nunique(dropna=True) < 2:
        return df, value, []
    if "value_norm" not in df.columns:
        import warnings as _w

        with _w.catch_warnings():
            _w.simplefilter("ignore")  # said on the figure instead
            df = analysis.add_normalised(df)
    return df, "value_norm", analysis.rescaled(df)


_LABEL_SPOTS = ((5, 4, "left", "bottom"), (5, -4, "left", "top"), (-5, 4, "right", "bottom"),
                (-5, -4, "right", "top"), (0, 9, "center", "bottom"), (0, -9, "center", "top"))


def _reserve_note(fig) -> None:
    """The room :func:`_note` makes under the axes, made before the layout is settled."""
    if fig.get_layout_engine() is not None:
        fig.get_layout_engine().set(h_pad=0.15)


def _keep_layout(fig) -> None:
    """Keep the layout :func:`_label_points` settled (its names lie inside the axes, so it is final): saving the
    figure then doesn't work it out again (about 0.15 s a figure)."""
    if fig.get_layout_engine() is not None:
        fig.set_layout_engine("none")


def _label_points(ax, names, xs, ys, *, avoid_x=(), avoid_y=()) -> list:
    """Name points where a name fits, in the order given: beside its point, inside the axes, clear of every name
    already placed and of the other points (``avoid_x/avoid_y`` too). A name that fits nowhere is left out, so
    names never overlap; returns the texts placed."""
    from matplotlib.text import Text
    from matplotlib.transforms import Bbox

    fig = ax.figure
    engine = fig.get_layout_engine()
    if engine is not None:
        engine.execute(fig)  # settle the layout: sizes in pixels are final (nothing drawn)
    else:
        fig.draw_without_rendering()
    renderer = fig.canvas.get_renderer()
    frame = ax.get_window_extent(renderer)
    all_x = np.r_[np.asarray(xs, dtype=float), np.asarray(avoid_x, dtype=float)]
    all_y = np.r_[np.asarray(ys, dtype=float), np.asarray(avoid_y, dtype=float)]
    points = ax.transData.transform(np.column_stack([all_x, all_y])) if len(all_x) else np.empty((0, 2))
    placed, boxes = [], []
    for i, (name, x, y) in enumerate(zip(names, xs, ys)):
        others = np.delete(points, i, axis=0)
        for dx, dy, ha, va in _LABEL_SPOTS:
            text = ax.annotate(_esc(name), (x, y), xytext=(dx, dy), textcoords="offset points", ha=ha, va=va,
                               fontsize=SMALL, color="0.2",
                               arrowprops={"arrowstyle": "-", "color": "0.55", "lw": 0.7, "shrinkA": 0,
                                           "shrinkB": 3})  # a short leader: which point the name belongs to
            # the name's box and its point: the leader lies between them (measuring the leader itself, clipped to
            # the name's box, cost ~1 ms a try)
            text.update_positions(renderer)
            box = Bbox.union([Text.get_window_extent(text, renderer), Bbox([points[i], points[i]])]).expanded(1.04, 1.1)
            inside = frame.x0 <= box.x0 and box.x1 <= frame.x1 and frame.y0 <= box.y0 and box.y1 <= frame.y1
            covers = ((others[:, 0] >= box.x0 - 3) & (others[:, 0] <= box.x1 + 3) & (others[:, 1] >= box.y0 - 3)
                      & (others[:, 1] <= box.y1 + 3)).any() if len(others) else False
            if inside and not covers and not any(box.overlaps(b) for b in boxes):
                placed.append(text)
                boxes.append(box)
                break
            text.remove()
    return placed


# --------------------------------------------------------------------------------------------
# rankings


def ranking_bar(
    df: pd.DataFrame,
    *,
    top_n: int = 15,
    value: str = "value",
    title: str | None = None,
    labels: dict | None = None,
    subset=None,
    ax=None,
):
    """Horizontal bars of the best ``top_n`` models of one benchmark, best at the top.

    Models are ordered as by :func:`lbtools.analysis.top_n` (higher value first, lower where
    ``lower_is_better``; each model once, by :func:`lbtools.analysis.dedupe`). When ``df`` has a ``verified`` column
    that says something, bars of verified results are dark, unverified ones light, and ones whose status is not
    published grey (with a legend); when no row says, one colour and no legend. Each bar is labelled with its value.

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
    fig, ax = _axes(ax, (WIDTH, 0.32 * max(len(ranked), 3) + 1.3))
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
        colours = [_NEUTRAL_COLOUR] * len(ranked)
    _hbars(ax, ranked["model_id"].tolist(), values, colours, value_label=_value_label(value))
    present = [state for state in _STATE_COLOURS if states and state in states]
    if present and present != ["unknown"]:
        from matplotlib.patches import Patch

        handles = [Patch(color=_STATE_COLOURS[state], label=state) for state in present]
        ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=SMALL, frameon=False,
                  title="result", title_fontsize=SMALL)  # beside the bars: never over a bar's label
    if title is None:
        bench = _only_benchmark(df)
        where = f" on {_bench(bench, labels)}" if bench is not None else ""
        order = " (lower is better)" if _lower_is_better(df) else ""
        where += _subset(subset)
        title = f"Top {fmt.count(len(ranked), 'model')}{where}{order}" if len(ranked) else f"No entries to rank{where}"
    ax.set_title(_esc(title))
    return fig


def percentile_bars(ranks: pd.DataFrame, *, labels: dict | None = None, title: str | None = None, ax=None):
    """Where one model stands on each leaderboard: its percentile (100 = the leader) on a fixed 0–100 axis.

    Parameters
    ----------
    ranks : DataFrame
        :func:`lbtools.analysis.model_ranks` of one model (``dataset_id``, ``rank``, ``n_entries``, ``percentile``).
    labels : dict, optional
        Dataset id → display name.

    Returns
    -------
    matplotlib.figure.Figure
        One bar per benchmark (best percentile at the top), labelled "rank r of n"; the axis is always 0–100, so a
        20th-percentile model never fills the plot like a leader.
    """
    r = ranks.sort_values(["percentile", "dataset_id"], ascending=[False, True], kind="stable")
    fig, ax = _axes(ax, (WIDTH, 0.4 * max(len(r), 3) + 1.3))
    names = [_bench(d, labels) for d in r["dataset_id"]]
    pct = r["percentile"].to_numpy(dtype="float64", na_value=np.nan)
    text = [f"{fmt.percentile(p)} (rank {fmt.score(k)} of {fmt.score(n)})"
            for p, k, n in zip(pct, r["rank"], r["n_entries"])]
    _hbars(ax, names, pct, [_NEUTRAL_COLOUR] * len(r), value_label=_value_label("percentile"), labels=text)
    ax.set_xlim(0, 100)
    ax.margins(x=0)
    ax.set_xticks([0, 25, 50, 75, 100])
    if title is None:
        models = list(dict.fromkeys(r["model_id"].dropna()))
        who = models[0] if len(models) == 1 else f"{len(models)} models"
        title = f"Where {who} ranks on {fmt.count(len(r), 'leaderboard')}"
    ax.set_title(_esc(title))
    return fig


def race_bar(
    ranking: pd.DataFrame,
    when,
    *,
    value: str = "value",
    title: str | None = None,
    labels: dict | None = None,
    palette: dict | None = None,
    xlim: tuple[float, float] | None = None,
    ax=None,
):
    """The ranking of one benchmark at a date, as bars coloured by organisation, with a legend.

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
    palette : dict, optional
        :func:`organisation_palette` of all the data shown, so organisations keep their colours across frames and
        views (default: one built from ``ranking``).
    xlim : (float, float), optional
        Fix the value axis, so that frames of a race compare.
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib.figure.Figure
        Bars ordered by ``rank`` (1 at the top).
    """
    r = ranking.sort_values("rank", kind="stable") if "rank" in ranking.columns else ranking
    fig, ax = _axes(ax, (WIDTH, 0.32 * max(len(r), 3) + 1.5))
    names = r["model_id"].tolist()
    orgs = [analysis.organisation(str(m)) for m in names]
    palette = dict(palette) if palette is not None else organisation_palette(orgs)
    for o in orgs:
        palette.setdefault(o, _OTHER_COLOUR)
    _hbars(ax, names, r[value].to_numpy(dtype="float64", na_value=np.nan), [palette[o] for o in orgs],
           value_label=_value_label(value))
    if xlim is not None:
        ax.set_xlim(*xlim)
    day = pd.Timestamp(when).strftime("%Y-%m-%d")
    if len(r) == 0:
        ax.text(0.5, 0.5, f"no model with a score existed by {day}", ha="center", va="center",
                transform=ax.transAxes)
    else:
        _organisation_legend(ax, orgs, palette)
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

    Benchmarks share the value axis, so scores are drawn on 0–100 (``value_norm``; 0–1 benchmarks × 100, said
    under the figure); percentiles are drawn on a fixed 0–100 axis.

    Parameters
    ----------
    results : DataFrame
        One row per (``model_id``, ``dataset_id``), e.g. :func:`lbtools.analysis.model_ranks`
        (use ``value="percentile"`` to compare positions across benchmarks) or deduplicated eval results
        (with ``value_norm`` from :func:`lbtools.analysis.add_normalised` when its scales were decided on the whole
        leaderboards).
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
        When a (model, benchmark) pair has several rows (see :func:`lbtools.analysis.dedupe`).
    """
    models = list(dict.fromkeys(results["model_id"].dropna().tolist()))
    results, shown, rescaled = _normalised(results, value)
    matrix = analysis.scores_matrix(results, value=shown)
    matrix = matrix.reindex([m for m in models if m in matrix.index])
    benches = list(matrix.columns)
    n_models = max(len(models), 1)
    fig, ax = _axes(ax, (WIDTH, 5.2))
    width = 0.8 / n_models
    x = np.arange(len(benches))
    colours = _distinct_colours(len(matrix.index))
    vertical = n_models * len(benches) > 12  # narrow bars: labels upright, so they never run into each other
    missing = 0
    for i, model in enumerate(matrix.index):
        heights = matrix.loc[model].to_numpy(dtype="float64")
        have = np.isfinite(heights)
        bars = ax.bar(x[have] - 0.4 + width * (i + 0.5), heights[have], width, label=_legend_text(model),
                      color=colours[i])
        for xi in x[~have] - 0.4 + width * (i + 0.5):  # a missing result is said, never an empty slot like a 0
            missing += 1
            ax.text(xi, 1, "no result", rotation=90, ha="center", va="bottom", fontsize=SMALL, color=colours[i],
                    fontstyle="italic", gid="no-result")
        text = [fmt.percentile(h) if value == "percentile" else fmt.statistic(h, 1) if shown == "value_norm"
                else fmt.score(h) for h in heights[have]]
        ax.bar_label(bars, labels=text, padding=2, fontsize=SMALL, rotation=90 if vertical else 0)
    ax.set_xlim(-0.5, len(benches) - 0.5)  # the groups edge to edge: every bar as wide as the axes allow
    # long names on two lines ("GPQA: graduate-level Google-proof Q&A" ran off the figure's left edge)
    ax.set_xticks(x, labels=[_esc(textwrap.fill(_bench(b, labels), 22)) for b in benches], rotation=30, ha="right",
                  rotation_mode="anchor")
    ax.set_ylabel(_esc(_value_label(shown)))
    if value == "percentile" or shown == "value_norm":
        ax.set_ylim(0, 100)
        ax.set_yticks([0, 25, 50, 75, 100])
        ax.set_ylim(0, 118 if vertical else 108)  # room for the labels above a 100 …
        ax.spines["left"].set_bounds(0, 100)  # … while the axis drawn runs 0–100, the quantity's own range
    ax.spines[["top", "right"]].set_visible(False)
    if len(matrix.index):
        # above the axes, under the title: below them, long benchmark names ran into it
        ax.legend(fontsize=SMALL, frameon=False, loc="lower center", bbox_to_anchor=(0.5, 1.0),
                  ncols=min(len(matrix.index), 3))
    notes = []
    if missing:
        notes.append("“no result”: the model published no result on that benchmark (not a score of 0).")
    if rescaled:
        notes.append(_rescaled_text(rescaled, labels))
    if notes:
        _note(fig, "  ".join(notes))
    if title is None:
        what = "Percentile on each leaderboard" if value == "percentile" else _value_label(shown).capitalize()
        title = (f"{what}: {fmt.count(len(matrix.index), 'model')} on "
                 f"{fmt.count(len(benches), 'benchmark')}")
    rows = -(-len(matrix.index) // 3)
    ax.set_title(_esc(title), pad=8 + 20 * rows)  # above the legend
    return fig


# --------------------------------------------------------------------------------------------
# correlations


def _heatmap(c, blank, annot, names, method, ax) -> None:
    """Coefficients as coloured cells (RdBu_r, −1 … 1) with their annotation in a colour that reads on the cell.

    Drawn with ``imshow`` and texts: seaborn's heatmap drew the whole figure once more to pick its text colours
    (half a second of every redraw in 02)."""
    import matplotlib

    cmap = matplotlib.colormaps["RdBu_r"]
    norm = matplotlib.colors.Normalize(-1, 1)
    k = len(names)
    rgba = cmap(norm(np.nan_to_num(c, nan=0.0)))
    rgba[blank] = (1, 1, 1, 0)
    ax.imshow(rgba, aspect="equal", interpolation="nearest", extent=(0, k, k, 0))
    cells: dict = {}  # colour -> [(x, y, text)]: one collection each (a Text per cell was most of 02's redraw)
    for i in range(k):
        for j in range(k):
            if annot[i, j]:
                light = sum(rgba[i, j, :3] * (0.299, 0.587, 0.114)) > 0.45
                cells.setdefault("black" if light else "white", []).append((j + 0.5, i + 0.5, annot[i, j]))
    for colour, where in cells.items():
        _cell_texts(ax, where, bold=None, colour=colour)
    ax.set_xlim(0, k)
    ax.set_ylim(k, 0)
    ax.set_xticks(np.arange(k) + 0.5, labels=names)
    ax.set_yticks(np.arange(k) + 0.5, labels=names)
    ax.tick_params(length=0)
    for spine in ax.spines.values():
        spine.set_visible(False)
    ax.figure.colorbar(matplotlib.cm.ScalarMappable(norm=norm, cmap=cmap), ax=ax, shrink=0.8,
                       label=_METHOD_SYMBOL.get(method, "coefficient"))


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

    A cell shows the coefficient and ``n=<shared models>``; a cell resting on fewer than 10 models
    (:data:`lbtools.analysis.WEAK_BELOW`) is marked weak with a ``*`` and hatched. Cells with fewer than
    ``min_overlap`` shared models (or an undefined coefficient) are left blank apart from a grey ``n=..``, so a
    missing colour never passes for a zero correlation.

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
    from matplotlib.patches import Rectangle

    order = list(coef.index) if order is None else list(order)
    c = coef.reindex(index=order, columns=order).to_numpy(dtype="float64", na_value=np.nan)
    n = overlap.reindex(index=order, columns=order).to_numpy(dtype="float64", na_value=0).astype(int)
    blank = (n < min_overlap) | ~np.isfinite(c)
    weak = ~blank & (n < analysis.WEAK_BELOW)
    np.fill_diagonal(weak, False)
    k = len(order)
    annot = np.array(
        [[(f"{c[i, j]:.2f}{'*' if weak[i, j] else ''}\nn={n[i, j]}" if not blank[i, j] else "") for j in range(k)]
         for i in range(k)],
        dtype=object,
    )
    names = [_esc(_bench(b, labels)) for b in order]
    side = min(WIDTH, max(6.0, 2.4 + 0.72 * k))
    fig, ax = _axes(ax, (side, side * 0.86))
    _heatmap(c, blank, annot, names, method, ax)
    _cell_texts(ax, [(j + 0.5, i + 0.5, f"n={n[i, j]}") for i in range(k) for j in range(k) if blank[i, j]],
                bold=None, colour="0.55")
    for i in range(k):
        for j in range(k):
            if weak[i, j]:
                ax.add_patch(Rectangle((j, i), 1, 1, fill=False, hatch="///", edgecolor="0.45", lw=0, gid="weak"))
    ax.set_xlabel("")
    ax.set_ylabel("")
    ax.tick_params(axis="x", labelrotation=45)
    for t in ax.get_xticklabels():
        t.set_horizontalalignment("right")
    if title is None:
        what = f"{_METHOD_SYMBOL[method].split(' ')[0]} correlation" if method in _METHOD_SYMBOL else "Correlation"
        break_ = " " if side >= 8 else "\n"  # a few benchmarks make a narrow figure: the key on two lines there
        title = (
            f"{what} between benchmarks over shared models\n"
            f"(n = models with both scores; blank below n = {min_overlap};{break_}"
            f"* hatched: n < {analysis.WEAK_BELOW}, weak)"
        )
    ax.set_title(_esc(title))
    return fig


def _label_candidates(x: np.ndarray, y: np.ndarray, k: int) -> np.ndarray:
    """Indices of the ``k`` points worth naming: the best on both axes together, then the farthest off the trend."""
    if len(x) <= k:
        return np.arange(len(x))
    from scipy.stats import rankdata

    both = rankdata(-x) + rankdata(-y)
    off = np.abs(rankdata(x) - rankdata(y))
    top = list(np.argsort(both, kind="stable")[: k - k // 3])
    for i in np.argsort(-off, kind="stable"):
        if len(top) >= k:
            break
        if i not in top:
            top.append(i)
    return np.array(sorted(top))


def pair_scatter(
    matrix: pd.DataFrame,
    a: str,
    b: str,
    *,
    method: str = "spearman",
    ci=None,
    labels: dict | None = None,
    annotate: int | bool = LABEL_TOP,
    title: str | None = None,
    ax=None,
):
    """Scores on two benchmarks, one point per model, with a least-squares line.

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
    annotate : int or bool
        Name at most this many models (the best on both, then the farthest off the trend; ``True``: all), each
        beside its point where it fits inside the axes without covering another name or point; the figure says how
        many were named.
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
    own = ax is None  # a figure of our own: its layout may be kept once the names are placed
    fig, ax = _axes(ax, (WIDTH, 6.2))
    ax.scatter(x, y, s=30, color=_VERIFIED_COLOUR, zorder=3, gid="models")
    if len(x) >= 2 and np.unique(x).size > 1:
        slope, intercept = np.polyfit(x, y, 1)
        xs = np.array([x.min(), x.max()])
        ax.plot(xs, slope * xs + intercept, color=_LINE_COLOUR, lw=1.2, label="least-squares line", gid="fit")
    k = len(x) if annotate is True else int(annotate or 0)
    ax.set_xlabel(_esc(_bench(a, labels)))
    ax.set_ylabel(_esc(_bench(b, labels)))
    ax.spines[["top", "right"]].set_visible(False)
    ax.margins(0.08)
    if title is None:
        coefficient = analysis.correlation_coefficient(x, y, method=method)
        stat = f"{_METHOD_SYMBOL.get(method, method)} = {fmt.coefficient(coefficient)}"
        if ci is not None:
            low, high = tuple(ci)[-2:]
            level = getattr(ci, "level", 0.95)
            # not adjusted for picking this pair out of many, as strongest_pair's headline interval is: said so
            stat += f" ({level:.0%} bootstrap CI {fmt.interval(low, high, digits=2)}, this pair alone)"
        weak = " — weak: fewer than 10 models" if len(x) < analysis.WEAK_BELOW else ""
        title = f"{_bench(a, labels)} vs {_bench(b, labels)}\n{stat}, n = {len(x)} models{weak}"
    ax.set_title(_esc(title))  # before the names are placed: the layout they settle is then final
    if k:
        chosen = _label_candidates(x, y, k)
        rest = np.setdiff1d(np.arange(len(x)), chosen)
        _reserve_note(fig)  # room for "Named: k of n" in the layout the names settle
        named = _label_points(ax, [pair.index[i] for i in chosen], x[chosen], y[chosen], avoid_x=x[rest],
                              avoid_y=y[rest])
        if len(named) < len(x):
            _note(fig, f"Named: {len(named)} of {len(x)} models (the best on both and the farthest off the trend, "
                       "where a name fits).")
        if own:
            _keep_layout(fig)
    return fig


def _jitter(params: np.ndarray, drawn: np.ndarray) -> np.ndarray:
    """Parameter counts with equal ones spread a little apart on the log axis (±3 % at most), deterministic."""
    out = params.astype("float64").copy()
    values, inverse, counts = np.unique(np.where(drawn, params, np.nan), return_inverse=True, return_counts=True)
    for k, (value, n) in enumerate(zip(values, counts)):
        if n > 1 and np.isfinite(value):
            idx = np.flatnonzero((inverse == k) & drawn)
            out[idx] = value * np.power(10.0, np.linspace(-0.012, 0.012, len(idx)))
    return out


def _parameter_ticks(ax) -> None:
    """Log-axis tick labels as parameter counts (``500M``, ``7B``, ``1.06T``), never powers of ten."""
    from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

    ax.xaxis.set_major_locator(LogLocator(base=10, subs=(1.0, 3.0)))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _pos: fmt.parameters(v)))
    ax.xaxis.set_minor_formatter(NullFormatter())


# --------------------------------------------------------------------------------------------
# size and time


def score_vs_parameters(
    df: pd.DataFrame,
    frontier_mask,
    *,
    value: str = "value",
    x: str = "num_parameters",
    labels: dict | None = None,
    palette: dict | None = None,
    annotate_frontier: bool = True,
    title: str | None = None,
    subset=None,
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
    palette : dict, optional
        :func:`organisation_palette`: colour the points by organisation (with a legend) instead of grey.
    annotate_frontier : bool
        Label the frontier's points with their model ids (moved off each other, inside the axes).
    title : str, optional
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib.figure.Figure
        Collections with gid ``"others"`` and ``"frontier"`` hold the points; the line with gid
        ``"frontier"`` joins the frontier as a staircase. The x axis reads in parameters (``7B``, ``1.06T``).
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
    spread = _jitter(params, drawn)  # equal parameter counts side by side, not on top of each other
    own = ax is None
    fig, ax = _axes(ax, (WIDTH, 6.0))
    if palette is not None:
        orgs = np.array([analysis.organisation(str(m)) for m in df["model_id"]], dtype=object)
        colours = [palette.get(o, _OTHER_COLOUR) for o in orgs[others]]
        ax.scatter(spread[others], v[others], s=26, color=colours, alpha=0.75, linewidth=0, gid="others", zorder=2)
        ax.scatter(spread[front], v[front], s=60, color=[palette.get(o, _OTHER_COLOUR) for o in orgs[front]],
                   edgecolor=_FRONTIER_COLOUR, linewidth=1.8, alpha=0.9, gid="frontier", zorder=3)
    else:
        ax.scatter(spread[others], v[others], s=26, color=_OTHER_COLOUR, alpha=0.75, label="dominated",
                   gid="others", zorder=2)
        ax.scatter(spread[front], v[front], s=46, color=_FRONTIER_COLOUR, label="Pareto frontier", gid="frontier",
                   zorder=3)
    order = np.argsort(params[front], kind="stable")
    ax.plot(params[front][order], v[front][order], drawstyle="steps-post", color=_FRONTIER_COLOUR, lw=1.2,
            gid="frontier", label="Pareto frontier" if palette is not None else None)
    ax.set_xscale("log")
    _parameter_ticks(ax)
    ax.set_xlabel("parameters (log scale)")
    ax.set_ylabel(_esc(_value_label(value)))
    ax.spines[["top", "right"]].set_visible(False)
    ax.margins(0.08)
    if drawn.any():
        if palette is not None:
            from matplotlib.lines import Line2D

            shown = sorted({o for o in orgs[drawn]}, key=str.casefold)
            handles = _organisation_handles(shown, {o: palette.get(o, _OTHER_COLOUR) for o in shown}, marker="o")
            handles.append(Line2D([], [], color=_FRONTIER_COLOUR, marker="o", mfc="none", label="Pareto frontier"))
            ax.legend(handles=handles, fontsize=SMALL, frameon=False, loc="upper left", bbox_to_anchor=(1.0, 1.0),
                      ncols=1 if len(handles) <= 14 else 2)
        else:
            ax.legend(fontsize=SMALL, frameon=False, loc="lower right")
    if title is None:
        bench = _only_benchmark(df)
        on = f" on {_bench(bench, labels)}" if bench is not None else ""
        title = (f"Score vs size{on}{_subset(subset)}: {int(front.sum())} of {fmt.count(int(drawn.sum()), 'model')} "
                 "on the Pareto frontier")
        if (~drawn).sum():
            title += f"\n({int((~drawn).sum())} without a parameter count or score not shown)"
    ax.set_title(_esc(title))  # before the names are placed: the layout they settle is then final
    if annotate_frontier and front.any():
        _reserve_note(fig)  # room for "Named: k of n" in the layout the names settle
        named = _label_points(ax, df["model_id"].to_numpy()[front], spread[front], v[front],
                              avoid_x=spread[others], avoid_y=v[others])
        if len(named) < int(front.sum()):
            _note(fig, f"Named: {len(named)} of {int(front.sum())} frontier models (where a name fits).")
        if own:
            _keep_layout(fig)
    return fig


def score_vs_date(
    df: pd.DataFrame,
    *,
    value: str = "value",
    date: str = "created_at",
    hue: str | None = "dataset_id",
    labels: dict | None = None,
    title: str | None = None,
    subset=None,
    ax=None,
):
    """Scores against a date (by default the model's creation on the Hub), one colour per benchmark.

    Several benchmarks share the value axis: scores are drawn on 0–100 (``value_norm``) and the rescaled
    benchmarks are named under the figure.

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
    df, value, rescaled = _normalised(df, value)
    dates = _naive_utc(df[date])
    v = df[value].to_numpy(dtype="float64", na_value=np.nan)
    drawn = dates.notna().to_numpy() & np.isfinite(v)
    fig, ax = _axes(ax, (WIDTH, 5.0))
    if hue is not None and hue in df.columns:
        groups = df[hue].astype("string")
        names = sorted(groups[drawn].dropna().unique())
        for name, colour in zip(names, _distinct_colours(len(names))):
            m = drawn & (groups == name).fillna(False).to_numpy(dtype=bool)
            ax.scatter(dates[m], v[m], s=24, label=_legend_text(_bench(name, labels)), color=colour)
        if ax.collections:
            ax.legend(fontsize=SMALL, frameon=False, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    else:
        ax.scatter(dates[drawn], v[drawn], s=24, color=_VERIFIED_COLOUR)
    _date_axis(ax)
    when = "model creation date on the Hub" if date == "created_at" else str(date)
    ax.set_xlabel(_esc(f"{when} (UTC)"))
    ax.set_ylabel(_esc(_value_label(value)))
    ax.spines[["top", "right"]].set_visible(False)
    _rescaled_note(fig, rescaled, labels)
    if title is None:
        bench = _only_benchmark(df)
        on = f" on {_bench(bench, labels)}" if bench is not None else ""
        # two lines: on one, a long benchmark name and the counts ran past the figure's edge
        title = f"Scores{on}{_subset(subset)} by {when}\n{fmt.count(int(drawn.sum()), 'result')}"
        if (~drawn).sum():
            title += f" ({int((~drawn).sum())} without a date or score not shown)"
    ax.set_title(_esc(title), wrap=True)  # a long benchmark name wraps inside the figure
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

    Up to 8 benchmarks share one axis, each in its own distinct colour; with more, each gets its own small panel.
    Every panel shares one score axis: 0–100 when every value lies on it (``value_norm``), else one common range,
    and the figure says so. The x axis is the date the record's model repository was created on the Hub (not its
    release or evaluation date), and its label says so, in the exported PNG too. When ``best`` has a ``scale`` column (from :func:`lbtools.analysis.best_to_date`
    on a frame with ``value_norm``) the rescaled benchmarks are named under the figure.

    Parameters
    ----------
    best : DataFrame
        The result of :func:`lbtools.analysis.best_to_date` (``by``, ``date``, ``best_value``, ``model_id``), computed
        on ``value_norm`` wherever benchmarks of different scales are compared.
    by : str
    labels : dict, optional
        Dataset id → display name.
    annotate : bool, optional
        Label each record with the model that set it; by default only when at most 3 benchmarks are drawn.
    title : str, optional
    ax : matplotlib Axes, optional
        Only for up to 8 benchmarks (one axis).

    Returns
    -------
    matplotlib.figure.Figure
        One line per benchmark (ascending), each held flat up to the latest record of all benchmarks.
    """
    import matplotlib.pyplot as plt

    dates = _naive_utc(best["date"])
    values = best["best_value"].to_numpy(dtype="float64", na_value=np.nan)
    end = dates.max() if len(best) else None
    groups = best[by].astype("string")
    names = sorted(groups.dropna().unique())
    if annotate is None:
        annotate = len(names) <= 3
    multiples = len(names) > SMALL_MULTIPLES_ABOVE
    if multiples:
        cols = 3
        rows = -(-len(names) // cols)
        height = 2.1 * rows + 1.6
        # Fixed margins (in inches), not the constrained layout: it measured every panel's ticks again and again,
        # about 1 s of a redraw for 11 panels.
        fig, axes = plt.subplots(rows, cols, figsize=(WIDTH, height), dpi=DPI, sharex=True, sharey=True,
                                 squeeze=False, gridspec_kw={"left": 0.85 / WIDTH, "right": 1 - 0.15 / WIDTH,
                                                             "top": 1 - 0.75 / height, "bottom": 0.85 / height,
                                                             "hspace": 0.55, "wspace": 0.12})
        panels = list(axes.ravel())
        for extra in panels[len(names):]:
            extra.set_axis_off()
        for above in panels[len(names) - cols:len(names)]:  # the last panel of its column: its dates shown
            above.tick_params(labelbottom=True)
    else:
        fig, one = _axes(ax, (WIDTH, 5.2))
        panels = [one] * len(names) or [one]
    colours = _distinct_colours(len(names))
    for name, colour, panel in zip(names, colours, panels):
        m = (groups == name).fillna(False).to_numpy(dtype=bool)
        xs, ys = list(dates[m]), list(values[m])
        n_records = len(xs)
        if end is not None and xs[-1] < end:
            xs.append(end)
            ys.append(ys[-1])
        panel.plot(xs, ys, drawstyle="steps-post", marker="o", markevery=list(range(n_records)), ms=4, lw=1.6,
                   color=colour if not multiples else _VERIFIED_COLOUR, label=_legend_text(_bench(name, labels)))
        if annotate:
            for model, xi, yi in zip(best["model_id"].to_numpy()[m], dates[m], values[m]):
                panel.annotate(_esc(model), (xi, yi), xytext=(3, 4), textcoords="offset points", fontsize=SMALL,
                               color="0.3")
        if multiples:
            panel.set_title(_esc(_bench(name, labels)), fontsize=FONT)
        if not multiples:
            _date_axis(panel)
        panel.spines[["top", "right"]].set_visible(False)
        panel.tick_params(labelsize=SMALL)
    if multiples and names:
        # The panels share their dates: pick the ticks once and fix them (an automatic date locator on each of
        # 11 panels was most of a redraw).
        from matplotlib.ticker import FixedFormatter, FixedLocator

        _date_axis(panels[0])
        locs = [v for v in panels[0].xaxis.get_major_locator()() if panels[0].get_xlim()[0] <= v
                <= panels[0].get_xlim()[1]]
        texts = panels[0].xaxis.get_major_formatter().format_ticks(locs)
        panels[0].xaxis.set_major_locator(FixedLocator(locs))
        panels[0].xaxis.set_major_formatter(FixedFormatter(texts))
    finite = values[np.isfinite(values)]
    on_hundred = bool(len(finite)) and finite.min() >= 0 and finite.max() <= 100
    if on_hundred:
        for panel in panels:
            panel.set_ylim(0, 100)
            panel.set_yticks([0, 25, 50, 75, 100] if not multiples else [0, 50, 100])
            for line in panel.lines:
                line.set_clip_on(False)  # a record of 100 sits on the top edge, drawn whole
        y_label = "best score to date (0–100, one axis for all)"
    else:
        y_label = "best score to date (one axis for all, not 0–100)"
    x_label = "date the model's Hub repository was created (UTC; not its release or evaluation date)"
    if not multiples:
        panels[0].set_xlabel(x_label)
        panels[0].set_ylabel(y_label)
        if panels[0].lines:
            panels[0].legend(fontsize=SMALL, frameon=False, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    else:
        fig.supxlabel(x_label, fontsize=FONT, y=0.3 / fig.get_figheight())
        fig.supylabel(y_label, fontsize=FONT, x=0.1 / WIDTH)
    rescaled = sorted({str(b) for b, sc in zip(best[by], best["scale"]) if sc == "0-1"}) if "scale" in best else []
    _rescaled_note(fig, rescaled, labels)
    if title is None:
        title = f"Best score to date on {fmt.count(len(names), 'benchmark')}: each step is a new best"
    if multiples:
        fig.suptitle(_esc(title), fontsize=FONT + 2, y=1 - 0.15 / fig.get_figheight())
    else:
        panels[0].set_title(_esc(title))
    return fig


# --------------------------------------------------------------------------------------------
# rank uncertainty (lbtools.analysis.rank_intervals)

_TIER_SHADES = ("#e8eef6", "#ffffff")
RANK_NAME = "rank on this board, tied scores share the best"  # the dot; tables name their rank column the same
_INTERVAL_COLOUR = "#1f78b4"


def rank_interval_plot(ranked: pd.DataFrame, *, title: str | None = None, top_n: int | None = None,
                       labels: dict | None = None, subset=None, ax=None):
    """Each model's rank interval on one leaderboard, best at the top, with its tier shaded.

    A line spans each model's ``rank_low`` … ``rank_high`` (each model's ``level`` interval of
    :func:`lbtools.analysis.rank_intervals`, or the simultaneous sets when it was called with ``simultaneous=True``;
    the axis label says which), a dot marks its published rank, and its published value is written after the line.
    Tiers (from the simultaneous sets for all ranks) are bands of alternating shade; the title ends with the headline
    of :func:`lbtools.analysis.tie_summary` ("the top k are statistically tied").

    Parameters
    ----------
    ranked : DataFrame
        The result of ``analysis.rank_intervals`` (one benchmark).
    title : str, optional
        First line of the title; default: the benchmark's name (``labels``) and its item count.
    top_n : int, optional
        Show only the best ``top_n`` models (the axis still counts every model's rank).
    labels : dict, optional
        Dataset id → display name.
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib.figure.Figure
    """
    needed = ["model_id", "value", "rank", "rank_low", "rank_high", "tier"]
    if not isinstance(ranked, pd.DataFrame):
        raise TypeError(f"ranked must be the DataFrame of analysis.rank_intervals; got {type(ranked).__name__}")
    missing = [c for c in needed if c not in ranked.columns]
    if missing:
        raise ValueError(f"ranked: not a rank_intervals result (no column {', '.join(map(repr, missing))})")
    if top_n is not None and (isinstance(top_n, bool) or not isinstance(top_n, int) or top_n < 1):
        raise ValueError(f"top_n must be a positive int or None; got {top_n!r}")
    shown = ranked if top_n is None else ranked.head(top_n)
    k = len(shown)
    fig, ax = _axes(ax, (WIDTH, 0.32 * max(k, 3) + 1.5))
    y = np.arange(k)
    low = shown["rank_low"].to_numpy(dtype="float64", na_value=np.nan)
    high = shown["rank_high"].to_numpy(dtype="float64", na_value=np.nan)
    rank = shown["rank"].to_numpy(dtype="float64", na_value=np.nan)
    tiers = shown["tier"].to_numpy(dtype="float64", na_value=np.nan)
    for i, tier in enumerate(pd.unique(tiers)):
        rows = np.flatnonzero(tiers == tier)
        ax.axhspan(rows.min() - 0.5, rows.max() + 0.5, color=_TIER_SHADES[i % 2], zorder=0, lw=0,
                   label="_tier")
        ax.text(0.995, rows.min() - 0.45, f"tier {int(tier)}", transform=ax.get_yaxis_transform(), ha="right",
                va="top", fontsize=SMALL, color="#555555")
    ax.hlines(y, low, high, color=_INTERVAL_COLOUR, lw=3, alpha=0.6, zorder=2)
    ax.plot(rank, y, "o", color=_INTERVAL_COLOUR, ms=5, zorder=3)
    for yi, hi, v in zip(y, high, shown["value"].to_numpy(dtype="float64", na_value=np.nan)):
        ax.text(hi + 0.25, yi, _fmt(v), va="center", ha="left", fontsize=SMALL, zorder=4)
    # The axis spans the ranks of the models shown (at Top N = 10 not the whole board), room for the values after.
    right = max(np.nanmax(high) if k and np.isfinite(high).any() else 1, np.nanmax(rank) if k else 1)
    ax.set_xlim(0.5, right + 0.5 + max(1.0, 0.12 * right))
    ax.set_ylim(k - 0.5, -0.5)
    ax.set_yticks(y, labels=[_esc(m) for m in shown["model_id"]])
    pct = f"{100 * ranked.attrs.get('level', 0.95):g} %"
    line = (f"simultaneous {pct} sets" if ranked.attrs.get("interval") == "simultaneous"
            else f"each model's {pct} interval")
    # two lines: on one, the label ran past a 1000 px figure's edge ("…simultaneous 95 % sets fo")
    ax.set_xlabel(f"rank (line: {line}; dot: {RANK_NAME};\ntiers: simultaneous {pct} sets for all ranks)")
    ax.xaxis.get_major_locator().set_params(integer=True)
    ax.spines[["top", "right"]].set_visible(False)
    if title is None:
        bench = _only_benchmark(ranked)
        n = ranked.attrs.get("n_items")
        title = ((_bench(bench, labels) if bench is not None else "Rank intervals") + _subset(subset)
                 + (f" ({n} items)" if n else ""))
    ax.set_title(_esc(f"{title}\n{analysis.tie_summary(ranked, detail=False)}"), fontsize=10)
    return fig


# --------------------------------------------------------------------------------------------
# capability index and predicted scores (lbtools.analysis.capability)

__all__ += ["capability_forest", "filled_matrix", "odds_ratio_plot", "predicted_vs_published", "provenance_bars",
            "self_report_gap_plot"]

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
        ``model_id``, ``ability``, ``ability_low``, ``ability_high``, ``n_benchmarks`` (:func:`capability_index`;
        the ``index`` columns of earlier releases are read too).
    top_n : int or None
        Show the ``top_n`` highest rows (None: all).
    title : str, optional
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib.figure.Figure
    """
    # ``ability`` columns since capability_index renamed them (``index`` ones, from before, still draw)
    c_mid, c_low, c_high = ("index", "index_low", "index_high") if "ability" not in index.columns else \
        ("ability", "ability_low", "ability_high")
    require_columns(index, ("model_id", c_mid, c_low, c_high, "n_benchmarks"), "capability_forest", name="index")
    rows = index.sort_values([c_mid, "model_id"], ascending=[False, True], kind="mergesort")
    rows = rows[rows[c_mid].notna()]  # a model with no ability on the index (a part of the table apart) has no row
    if top_n is not None:
        rows = rows.head(top_n)
    mid = rows[c_mid].to_numpy(dtype="float64", na_value=np.nan)
    low = rows[c_low].to_numpy(dtype="float64", na_value=np.nan)
    high = rows[c_high].to_numpy(dtype="float64", na_value=np.nan)
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
            ax.text(right, yi, label, ha="right", va="center", fontsize=9, color="0.35", in_layout=False)  # inside
    ax.set_xlabel("capability index (0 = mean model, 1 = one SD of ability)\nn = benchmarks the model published", fontsize=9)
    ax.tick_params(axis="x", labelsize=9)
    ax.spines[["top", "right"]].set_visible(False)
    if title is None:
        level = index.attrs.get("capability", {}).get("level")
        interval = f"{level:.0%} intervals" if level else "intervals"
        title = f"Capability index: top {fmt.count(len(rows), 'model')}, {interval}"
    ax.set_title(_esc(title), fontsize=10, y=1.0)  # nothing above the axes: no need to measure it at every draw
    return fig


def _interval_rows(names, mid, low, high, *, reference: float, xlabel: str, title: str, log: bool = False, ax=None):
    """One row per name: a dot at ``mid`` and a line from ``low`` to ``high``, a dotted line at ``reference``."""
    fig, ax = _axes(ax, (8, 0.35 * max(len(names), 3) + 1.2))
    y = np.arange(len(names))
    ax.hlines(y, low, high, color=_NEUTRAL_COLOUR, lw=2)
    ax.plot(mid, y, "o", color=_PUBLISHED_COLOUR, ms=5)
    ax.axvline(reference, color="0.6", lw=0.8, ls=":")
    if log:
        from matplotlib.ticker import FuncFormatter, LogLocator, MaxNLocator, NullFormatter

        ax.set_xscale("log")
        ends = np.concatenate([np.asarray(low, float), np.asarray(high, float), [reference]])
        ends = ends[np.isfinite(ends) & (ends > 0)]
        decades = np.log10(ends.max() / ends.min()) if ends.size else 0.0
        # 0.8, 0.9, 1, 1.1 … within a decade; 0.5, 1, 2 over two; powers of ten over a wide range
        ax.xaxis.set_major_locator(MaxNLocator(nbins=7, steps=[1, 2, 5, 10]) if decades < 0.8 else LogLocator(
            base=10, subs=(1.0, 2.0, 5.0) if decades <= 2 else (1.0,), numticks=12))
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _pos: f"{v:g}"))  # "0.5", "2", not "5×10⁻¹"
        ax.xaxis.set_minor_formatter(NullFormatter())
    ax.set_yticks(y, labels=[_esc(n) for n in names], fontsize=9)
    ax.invert_yaxis()
    ax.set_xlabel(xlabel, fontsize=9)
    ax.tick_params(axis="x", labelsize=9)
    ax.spines[["top", "right"]].set_visible(False)
    ax.set_title(_esc(title), fontsize=10)
    return fig


_PROVENANCE_COLOURS = {"verified": _VERIFIED_COLOUR, "third party": "#33a02c", "first party": "#ff7f00",
                       "unknown": _UNKNOWN_COLOUR}  # self-reports stand out; the same colour in every figure


def provenance_bars(mix: pd.DataFrame, *, title: str | None = None, ax=None):
    """Who reported the entries of each benchmark: one stacked bar per row of ``mix``.

    Parameters
    ----------
    mix : DataFrame
        Entry counts: one row per benchmark (its name as the index, drawn top to bottom in order), one column per
        provenance — ``verified``, ``third party``, ``first party``, ``unknown`` (``first_party`` … as
        :func:`lbtools.analysis.provenance` names them are read too). Stacked in that order, each in a fixed colour,
        the legend beside the bars.
    title : str, optional
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib.figure.Figure
    """
    if not isinstance(mix, pd.DataFrame):
        raise TypeError(f"mix must be a DataFrame of entry counts; got {type(mix).__name__}")
    counts = mix.rename(columns=lambda c: str(c).replace("_", " "))
    unknown = [c for c in counts.columns if c not in _PROVENANCE_COLOURS]
    if unknown:
        raise ValueError(f"mix: columns must be among {list(_PROVENANCE_COLOURS)}; got {unknown}")
    fig, ax = _axes(ax, (WIDTH, 0.35 * max(len(counts), 3) + 1.3))
    y = np.arange(len(counts))
    left = np.zeros(len(counts))
    for kind, colour in _PROVENANCE_COLOURS.items():
        if kind in counts.columns:
            width = counts[kind].to_numpy(dtype="float64", na_value=0.0)
            ax.barh(y, width, left=left, color=colour, label=kind)
            left += width
    ax.set_yticks(y, labels=[_esc(n) for n in counts.index], fontsize=SMALL)
    ax.invert_yaxis()
    ax.set_xlabel("entries", fontsize=SMALL)
    ax.tick_params(axis="x", labelsize=SMALL)
    ax.spines[["top", "right"]].set_visible(False)
    if len(counts.columns):
        ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=SMALL, frameon=False, title="provenance",
                  title_fontsize=SMALL)  # beside the bars: never over one
    ax.set_title(_esc(title or f"Who reported the entries of {fmt.count(len(counts), 'benchmark')}"), fontsize=10)
    return fig


def _left_out(n: int, what: str) -> str:
    return f"\n({fmt.count(n, what)} without an estimate left out)" if n else ""  # a line of its own


def odds_ratio_plot(selective: pd.DataFrame, *, labels: dict | None = None, title: str | None = None, ax=None):
    """Selective reporting per benchmark (:func:`lbtools.analysis.selective_reporting`): the odds ratio of publishing
    per +10 points of predicted score, with its interval, on a log axis; a line marks 1 (publishing does not depend
    on the predicted score). Rows without an odds ratio are left out and counted in the title.

    Parameters
    ----------
    selective : DataFrame
        ``dataset_id``, ``odds_ratio``, ``or_low``, ``or_high``.
    labels : dict, optional
        ``{dataset_id: display name}``.
    title : str, optional
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib.figure.Figure
    """
    require_columns(selective, ("dataset_id", "odds_ratio", "or_low", "or_high"), "odds_ratio_plot", name="selective")
    rows = selective.dropna(subset=["odds_ratio", "or_low", "or_high"])
    return _interval_rows(
        [_bench(d, labels) for d in rows["dataset_id"]],
        *(rows[c].to_numpy(dtype="float64", na_value=np.nan) for c in ("odds_ratio", "or_low", "or_high")),
        reference=1.0, log=True, ax=ax,
        xlabel="odds of publishing per +10 points of predicted score\n(log scale; 1 = no dependence)",
        title=title or "Do stronger models publish more?" + _left_out(len(selective) - len(rows), "benchmark"))


def self_report_gap_plot(gap: pd.DataFrame, *, by: str = "dataset_id", labels: dict | None = None,
                         title: str | None = None, ax=None):
    """Self-reported minus independent score per group (:func:`lbtools.analysis.self_report_gap`), with its interval,
    in points; a line marks 0 (no gap). Groups without an estimate are left out and counted in the title.

    Parameters
    ----------
    gap : DataFrame
        ``<by>``, ``gap``, ``gap_low``, ``gap_high``.
    by : str
        The group column (``"dataset_id"``, ``"author"``; the ``"(all)"`` row is drawn too).
    labels : dict, optional
        ``{dataset_id: display name}``.
    title : str, optional
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib.figure.Figure
    """
    require_columns(gap, (by, "gap", "gap_low", "gap_high"), "self_report_gap_plot", name="gap")
    rows = gap.dropna(subset=["gap", "gap_low", "gap_high"])
    return _interval_rows(
        [_bench(g, labels) for g in rows[by]],
        *(rows[c].to_numpy(dtype="float64", na_value=np.nan) for c in ("gap", "gap_low", "gap_high")),
        reference=0.0, ax=ax, xlabel="first party − independent score (points; 0 = no gap)",
        title=title or "Self-reported minus independent scores" + _left_out(len(gap) - len(rows), "group"))


def _to_hundred(values: np.ndarray, scale: str) -> np.ndarray:
    return values * 100 if scale == "0-1" else values


@lru_cache(maxsize=512)
def _text_path(text: str, bold: bool, size: float):
    """``text`` as a path in points, centred on (0, 0): bold (True), italic (False) or regular (None)."""
    from matplotlib.font_manager import FontProperties
    from matplotlib.path import Path
    from matplotlib.textpath import TextPath

    prop = FontProperties(size=size, weight="bold" if bold else "normal",
                          style="italic" if bold is False else "normal")  # bold=None: regular, upright
    lines = text.split("\n")  # several lines: stacked, each centred, 1.2 × the size apart
    parts = [TextPath((0, 0), line, prop=prop) for line in lines]
    if len(parts) > 1:
        vertices, codes = [], []
        for k, part in enumerate(parts):
            if not len(part.vertices):
                continue
            drawn = part.vertices[part.codes != Path.CLOSEPOLY]  # control points (a CLOSEPOLY's is a dummy 0, 0)
            x0, x1 = drawn[:, 0].min(), drawn[:, 0].max()  # close to the glyphs' box, and cheap
            vertices.append(part.vertices - ((x0 + x1) / 2, 1.2 * size * k))
            codes.append(part.codes)
        path = Path(np.concatenate(vertices), np.concatenate(codes)) if vertices else parts[0]
    else:
        path = parts[0]
    if not len(path.vertices):
        return path
    drawn = path.vertices[path.codes != Path.CLOSEPOLY]  # not get_extents: slow on curves
    (x0, y0), (x1, y1) = drawn.min(axis=0), drawn.max(axis=0)
    return Path(path.vertices - ((x0 + x1) / 2, (y0 + y1) / 2), path.codes)


def _cell_texts(ax, where, *, bold, colour, size: float = SMALL) -> None:
    """Short texts (a table's cell values) centred on data points ``[(x, y, text)]``, drawn as ONE collection of
    glyph outlines: hundreds of ``ax.text`` objects made a redraw of the filled table take about a second. The
    collection (gid ``cell-values``) keeps the texts, in order, as ``.texts``."""
    from matplotlib.collections import PathCollection
    from matplotlib.transforms import Affine2D

    if not where:
        return
    coll = PathCollection([_text_path(t, bold, size) for _, _, t in where], sizes=None,
                          offsets=[(x, y) for x, y, _ in where], offset_transform=ax.transData,
                          transform=Affine2D().scale(1 / 72) + ax.figure.dpi_scale_trans,
                          facecolors=colour, edgecolors="none", linewidths=0, zorder=3, gid="cell-values")
    coll.set_in_layout(False)
    coll.texts = [t for _, _, t in where]
    ax.add_collection(coll, autolim=False)


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
    from matplotlib.collections import PolyCollection

    require_columns(predictions, ("model_id", "dataset_id", "observed", "predicted"), "filled_matrix", name="predictions")
    df = predictions.copy()
    df["_published"] = df["observed"].notna()
    codes, benches = pd.factorize(df["dataset_id"], sort=True)
    benches = list(benches)
    values = df[["observed", "predicted"]].to_numpy(dtype="float64", na_value=np.nan)
    scales = {b: analysis.detect_scale(values[codes == j].ravel()) for j, b in enumerate(benches)}  # a groupby: 11 ms
    if order is None:
        counts = df.groupby("model_id")["_published"].sum()
        order = sorted(counts.index, key=lambda m: (-counts[m], m))
    present = set(df["model_id"])
    models = [m for m in order if m in present][:max_models]
    obs = df.pivot(index="model_id", columns="dataset_id", values="observed").reindex(index=models, columns=benches)
    pred = df.pivot(index="model_id", columns="dataset_id", values="predicted").reindex(index=models, columns=benches)
    o = np.array(obs.to_numpy(dtype="float64", na_value=np.nan))  # own copies: rescaled in place below
    p = np.array(pred.to_numpy(dtype="float64", na_value=np.nan))
    for j, b in enumerate(benches):
        o[:, j] = _to_hundred(o[:, j], scales[b])
        p[:, j] = _to_hundred(p[:, j], scales[b])
    shown = np.where(np.isfinite(o), o, p)
    published = np.isfinite(o)

    fig, ax = _axes(ax, (WIDTH, 0.34 * max(len(models), 3) + 2.2))
    cmap = matplotlib.colormaps["viridis"]
    norm = matplotlib.colors.Normalize(0, 100)
    rgba = cmap(norm(np.nan_to_num(shown, nan=0.0)))
    rgba[~published] = 0.45 * rgba[~published] + 0.55  # predicted cells: washed out towards white
    rgba[~np.isfinite(shown)] = (1, 1, 1, 1)
    ax.imshow(rgba, aspect="auto", interpolation="nearest", extent=(-0.5, len(benches) - 0.5, len(models) - 0.5, -0.5))
    cells: dict = {}  # (bold, colour) -> [(x, y, text)]: each cell's value, drawn as one collection per style
    frames = []  # published cells' squares, drawn as one collection
    unlinked = []  # cells neither published nor predicted
    for i in range(len(models)):
        for j in range(len(benches)):
            v = shown[i, j]
            if not np.isfinite(v):  # neither published nor predicted: hatched, never a blank a reader must guess
                unlinked.append([(j - 0.5, i - 0.5), (j + 0.5, i - 0.5), (j + 0.5, i + 0.5), (j - 0.5, i + 0.5)])
                continue
            if published[i, j]:
                frames.append([(j - 0.5, i - 0.5), (j + 0.5, i - 0.5), (j + 0.5, i + 0.5), (j - 0.5, i + 0.5)])
                dark = sum(rgba[i, j, :3] * (0.299, 0.587, 0.114)) < 0.5
                cells.setdefault((True, "white" if dark else "black"), []).append((j, i, f"{v:.0f}"))
            else:
                cells.setdefault((False, "0.3"), []).append((j, i, f"{v:.0f}"))
    # frames lie inside the axes: left out of the layout, which would measure each one
    ax.add_collection(PolyCollection(frames, facecolors="none", edgecolors="black", linewidths=1.2, gid="published",
                                     in_layout=False), autolim=False)
    if unlinked:
        ax.add_collection(PolyCollection(unlinked, facecolors="none", edgecolors="0.7", hatch="///", linewidths=0,
                                         gid="not-predicted", in_layout=False), autolim=False)
    for (bold, colour), where in cells.items():
        _cell_texts(ax, where, bold=bold, colour=colour)
    ax.set_xticks(range(len(benches)), labels=[_esc(_bench(b, labels)) for b in benches], fontsize=9, rotation=40, ha="right")
    ax.set_yticks(range(len(models)), labels=[_esc(m) for m in models], fontsize=9)
    sm = matplotlib.cm.ScalarMappable(norm=norm, cmap=cmap)
    rescaled = [b for b in benches if scales[b] == "0-1"]
    fig.colorbar(sm, ax=ax, label="score (0–100; 0–1 benchmarks × 100)" if rescaled else "score (0–100)",
                 shrink=0.8)
    notes = [_rescaled_text(rescaled, labels),
             "Hatched: not predicted, nothing the model published is tied to that benchmark (no model links them)."
             if unlinked else ""]
    if any(notes):
        _note(fig, "\n".join(n for n in notes if n))
    if title is None:
        title = (
            f"Published (framed, bold) and predicted (light, italic) scores, {fmt.count(len(models), 'model')}\n"
            "predicted cells are not published results"
        )
    # y=1: nothing is drawn above the axes, so matplotlib need not measure it at every draw (0.05 s a redraw)
    ax.set_title(_esc(title), fontsize=10, wrap=True, y=1.0)
    return fig


def predicted_vs_published(cells: pd.DataFrame, *, method: str | None = "lbtools", title: str | None = None, ax=None):
    """Predicted against published score on held-out cells, with each prediction's interval.

    Points inside their interval are dark, points outside it orange; the diagonal is a perfect prediction. The
    title gives the RMSE and the share of cells covered. Both axes run from 0 to 100.

    Parameters
    ----------
    cells : DataFrame
        ``observed``, ``predicted``, ``pred_low``, ``pred_high`` on 0–100, e.g.
        the cells of ``validate_predictions(..., return_cells=True)``; filtered to ``method`` when it has a ``method`` column.
    method : str or None
    title : str, optional
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib.figure.Figure
    """
    require_columns(cells, ("observed", "predicted", "pred_low", "pred_high"), "predicted_vs_published", name="cells")
    if method is not None and "method" in cells.columns:
        cells = cells[cells["method"] == method]
    obs, pred, low, high = (cells[c].to_numpy(dtype="float64", na_value=np.nan) for c in ("observed", "predicted", "pred_low", "pred_high"))
    inside = (obs >= low) & (obs <= high)
    fig, ax = _axes(ax, (WIDTH, 6.5))
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
        ax.legend(fontsize=9, frameon=False, loc="upper left", bbox_to_anchor=(1.02, 1.0))  # beside, never on a point
    if title is None:
        rmse = float(np.sqrt(np.mean((pred - obs) ** 2))) if len(obs) else float("nan")
        held = "held-out published cells" if method else "Held-out published cells"
        splits = sorted(set(cells["split"].dropna().astype(str))) if "split" in cells.columns else []
        if splits:  # which cells were held out: a random split's numbers are not a time split's
            repeats = int(cells["repeat"].nunique()) if "repeat" in cells.columns else 1
            held += (f" ({' and '.join(splits)} split{'s' if len(splits) > 1 else ''}"
                     + (f", {repeats} repeats)" if repeats > 1 else ")"))
        title = (f"{method} on {held}" if method else held) + (
            f": RMSE {rmse:.1f}, {inside.mean() if len(obs) else float('nan'):.0%} inside their interval")
    ax.set_title(_esc(title), fontsize=10)
    return fig
