"""Controls, the binder and safe rendering for the notebooks' views.

A view is a short function written in the notebook; :func:`bind` ties it to controls and redraws ONE
``ipywidgets.Output`` in place whenever a control changes (``observe(..., names="value")``,
``clear_output(wait=True)``), with the warnings of the current draw as a notes line at its top and an error as one
line of text, never a traceback::

    def show_ranking(benchmark, top_n):
        board = leaderboards[leaderboards.dataset_id == benchmark]
        ranked = analysis.top_n(board, top_n)
        plots.ranking_bar(board, top_n=top_n, labels=labels)
        widgets.show_table(ranked[["rank", "model_id", "value"]])

    ranking = widgets.bind(show_ranking, benchmark=widgets.benchmark_picker(leaderboards, labels),
                           top_n=widgets.top_n(10))

Inside a view, :func:`show_table`, :func:`note` and :func:`heading` show escaped HTML; figures drawn with pyplot are
shown and closed. Controls are plain ipywidgets widgets made readable: :func:`benchmark_picker`, :func:`model_picker`
(with a search box), :func:`top_n`, :func:`toggle` (disabled with a one-line reason when the data can't support it),
:func:`method_picker`, :func:`min_overlap`, :func:`organisation_picker`, :func:`date_player` (a slider with Play).
:func:`source_banner` says where the data came from; :func:`save` and :func:`save_view` write figures and tables.

CSS classes (for automation and styling): the view ``lb-view``, its output ``lb-output``, notes ``lb-notes``, an error
``lb-error``, a headline ``lb-top``, a heading ``lb-heading``, tables ``lb-table``, a note ``lb-note``; controls
``lb-benchmark-picker``, ``lb-model-picker`` (its list) and ``lb-model-search``, ``lb-top-n``, ``lb-method-picker``,
``lb-min-overlap``, ``lb-org-filter``, ``lb-date-slider``, ``lb-play``, and a toggle's class from its description
(``"Verified only"`` → ``lb-verified-only``).

Model ids, notes, source names and benchmark names are user-submitted text: every table cell and every line is
HTML-escaped; links are only made from ``http(s)`` URLs, with the URL escaped too. Widget labels are rendered as text by
ipywidgets (``description_allow_html`` is never set). ipywidgets, IPython and matplotlib are imported inside the
functions that need them.
"""

from __future__ import annotations

import base64
import builtins
import html
import io
import re
import warnings
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from . import _format as fmt
from . import analysis
from ._hub.parse import closest_id

__all__ = [
    "bind",
    "BoundView",
    "benchmark_labels",
    "benchmark_options",
    "benchmark_picker",
    "benchmark_subset",
    "readable_id",
    "statistic_format",
    "cached",
    "date_player",
    "format_coefficient",
    "format_count",
    "format_statistic",
    "format_interval",
    "format_parameters",
    "format_percentile",
    "format_value",
    "heading",
    "filter_text",
    "app_mode",
    "html_table",
    "method_picker",
    "min_overlap",
    "model_picker",
    "note",
    "notes",
    "organisation_picker",
    "save",
    "save_view",
    "show_figure",
    "show_table",
    "source_banner",
    "toggle",
    "top_n",
]


METHOD_OPTIONS = (("Spearman ρ (rank)", "spearman"), ("Kendall τ (rank)", "kendall"), ("Pearson r (linear)", "pearson"))
_PLAY_TIP = "Play: move on to the next day a model was created, one per tick, redrawing the view at each"
_PAUSE_TIP = "Pause: stay on the date shown"
_NO_DATE = "no dates"  # the date slider's one option when a benchmark has no dated model
_SAFE_URL = re.compile(r"^https?://[^\s]+$", re.IGNORECASE)
builtins_max = builtins.max
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+!|~>])")


# --------------------------------------------------------------------------------------------
# text helpers


def format_value(v) -> str:
    """A score as a reader expects it: ``76.4``, ``0.8234``, ``—`` when missing."""
    return fmt.score(v)


def format_parameters(n) -> str:
    """A parameter count with its unit: ``560M``, ``7B``, ``1.06T``; ``—`` when unknown."""
    return fmt.parameters(n)


def format_percentile(p) -> str:
    """A leaderboard percentile with one decimal (``95.7``; ``100`` for the leader)."""
    return fmt.percentile(p)


def format_interval(low, high, *, like=None, digits=None) -> str:
    """``"74.1 to 78.0"``: both ends with as many decimals as ``like`` (the point value) shows, or ``digits``."""
    return fmt.interval(low, high, like=like, digits=digits)


def format_coefficient(v) -> str:
    """A correlation coefficient with two decimals (``0.94``), ``n/a`` when undefined."""
    return fmt.coefficient(v)


def format_statistic(v, digits: int = 2) -> str:
    """A computed statistic with ``digits`` decimals (``0.42``), ``—`` when missing."""
    return fmt.statistic(v, digits)


def format_count(n, noun: str, plural: str | None = None) -> str:
    """``"no models"``, ``"1 model"``, ``"3 models"``."""
    return fmt.count(n, noun, plural)


# Columns whose cells read as one quantity wherever a table shows them.
_COLUMN_FORMATS = {
    "parameters": fmt.parameters,
    "num_parameters": fmt.parameters,
    "num_parameters_model": fmt.parameters,
    "percentile": fmt.percentile,
    "coefficient": fmt.coefficient,
    # computed statistics: the digits their precision supports, the same in every table
    "index": lambda v: fmt.statistic(v, 2),
    "index_low": lambda v: fmt.statistic(v, 2),
    "index_high": lambda v: fmt.statistic(v, 2),
    "ability": lambda v: fmt.statistic(v, 2),
    "ability_low": lambda v: fmt.statistic(v, 2),
    "ability_high": lambda v: fmt.statistic(v, 2),
    "difficulty": lambda v: fmt.statistic(v, 2),
    "discrimination": lambda v: fmt.statistic(v, 2),
    "residual_sd": lambda v: fmt.statistic(v, 2),
    "rmse": lambda v: fmt.statistic(v, 1),
    "cv_rmse": lambda v: fmt.statistic(v, 1),  # points on 0–100, like the RMSE (was 29.7632)
    "coverage": lambda v: fmt.statistic(100 * float(v), 0) + " %" if fmt._number(v) is not None else "—",
    "ci_low": lambda v: fmt.statistic(v, 2),
    "ci_high": lambda v: fmt.statistic(v, 2),
    "p_top1": lambda v: fmt.statistic(v, 2),
    "best_value": lambda v: fmt.statistic(v, 1),
    "best_value_norm": lambda v: fmt.statistic(v, 1),
    "value_norm": lambda v: fmt.statistic(v, 1),
    "resolution": fmt.resolution,  # on the benchmark's own scale: 0.06 on a 0–1 benchmark, not 0.0
    # the trust audit: a standardised score, probabilities, gaps in points, odds ratios, shares
    "z": lambda v: fmt.statistic(v, 2),
    "p_value": lambda v: fmt.statistic(v, 3),
    "q_value": lambda v: fmt.statistic(v, 3),
    "gap": lambda v: fmt.statistic(v, 1),
    "gap_low": lambda v: fmt.statistic(v, 1),
    "gap_high": lambda v: fmt.statistic(v, 1),
    "odds_ratio": lambda v: fmt.statistic(v, 2),
    "or_low": lambda v: fmt.statistic(v, 2),
    "or_high": lambda v: fmt.statistic(v, 2),
    "share_published": lambda v: fmt.statistic(100 * float(v), 0) + " %" if fmt._number(v) is not None else "—",
    # predictions on each benchmark's own scale: one decimal on 0–100 (70.2), three on 0–1 (0.947)
    "predicted": fmt.prediction,
    "pred_low": fmt.prediction,
    "pred_high": fmt.prediction,
}


# Columns whose values are codes: shown in words ("first_party" → "first party").
_COLUMN_WORDS = {"provenance": {"first_party": "first party", "third_party": "third party"}}


def _column_text(column, v) -> str:
    """One cell's text in its column's format (not yet escaped)."""
    if column in _COLUMN_WORDS and isinstance(v, str):
        return _COLUMN_WORDS[column].get(v, v)
    if column in _COLUMN_FORMATS and not isinstance(v, str):
        return _COLUMN_FORMATS[column](v)
    return _cell_text(v)


def statistic_format(column: str, digits: int):
    """Show ``column`` with ``digits`` decimals in every table (e.g. predictions on a benchmark's own scale)."""
    _COLUMN_FORMATS[column] = lambda v: fmt.statistic(v, digits)


def _cell_text(v) -> str:
    """Plain text of one table cell (not yet escaped)."""
    if isinstance(v, (list, tuple, np.ndarray)):
        return ", ".join(_cell_text(x) for x in v) or "—"
    if v is None or v is pd.NA or v is pd.NaT:
        return "—"
    if isinstance(v, (bool, np.bool_)):
        return "yes" if v else "no"
    if isinstance(v, pd.Timestamp):
        return v.strftime("%Y-%m-%d")
    if isinstance(v, (float, np.floating)):
        return format_value(v)
    try:
        if pd.isna(v):
            return "—"
    except (TypeError, ValueError):
        pass
    return str(v)


def _esc(text) -> str:
    return html.escape(str(text), quote=True)


def _md_escape(text) -> str:
    """Text safe to put in Markdown: HTML escaped, Markdown punctuation backslash-escaped."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", html.escape(str(text), quote=True))


def _link(url, text) -> str:
    """An escaped ``<a>`` for an http(s) URL; anything else is shown as escaped text."""
    text = _cell_text(text)
    if isinstance(url, str) and _SAFE_URL.match(url.strip()):
        shown = text if text != "—" else url
        return f'<a href="{_esc(url.strip())}" target="_blank" rel="noopener noreferrer">{_esc(shown)}</a>'
    return _esc(text)


def html_table(df: pd.DataFrame, columns=None, *, links: dict | None = None, css_class: str = "lb-table",
               max_rows: int | None = None) -> str:
    """An HTML table of ``df`` in which every cell is escaped text.

    Parameters
    ----------
    df : DataFrame
    columns : dict or list, optional
        ``{column: header}`` (or a list of columns) to show, in order; columns ``df`` lacks are skipped.
        Default: all columns.
    links : dict, optional
        ``{column: url_column}``: show the cell as a link to the row's URL when it is an ``http(s)`` URL
        (text and URL both escaped); e.g. ``{"source_name": "source_url"}``.
    css_class : str
    max_rows : int, optional
        Show at most this many rows and say how many were left out.

    Returns
    -------
    str
        ``<table class="lb-table">…</table>``. Missing values show as ``—``, booleans as ``yes``/``no``, dates as
        ``YYYY-MM-DD``, scores via :func:`format_value`. Nothing in ``df`` is ever interpreted as HTML.
    """
    if columns is None:
        columns = {c: c for c in df.columns}
    elif not isinstance(columns, dict):
        columns = {c: c for c in columns}
    columns = {c: h for c, h in columns.items() if c in df.columns}
    links = {c: u for c, u in (links or {}).items() if u in df.columns}
    rows = df if max_rows is None else df.head(max_rows)
    head = "".join(f"<th>{_esc(h)}</th>" for h in columns.values())
    body = []
    for _, row in rows.iterrows():
        cells = []
        for c in columns:
            if c in links:
                cells.append(f"<td>{_link(row[links[c]], row[c])}</td>")
            else:
                cells.append(f"<td>{_esc(_column_text(c, row[c]))}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    more = ""
    if max_rows is not None and len(df) > max_rows:
        more = f'<p class="lb-more">… {len(df) - max_rows} more rows (in the exported CSV)</p>'
    return (
        f'<table class="{_esc(css_class)}"><thead><tr>{head}</tr></thead>'
        f'<tbody>{"".join(body)}</tbody></table>{more}'
    )


def source_banner(df: pd.DataFrame, *, markup: str = "markdown") -> str:
    """One line saying where a frame's data came from and as of when.

    ``**Data:** snapshot:openevals-2026-03-25 (bundled snapshot), as of 2026-03-25T19:09:12Z`` or
    ``**Data:** live Hub (https://huggingface.co), fetched 2026-…``; benchmarks that failed to load are named.
    All text from the frame is escaped. ``markup="html"`` gives the same line as ``<p class="lb-source">…</p>``
    (for an ``ipywidgets.HTML``).
    """
    if markup == "html":
        plain = html.unescape(re.sub(r"\\(.)", r"\1", source_banner(df).replace("**", "")))
        return f'<p class="lb-source">{_esc(plain)}</p>'
    if markup != "markdown":
        raise ValueError(f"markup must be 'markdown' or 'html'; got markup={markup!r}")
    source = df.attrs.get("source")
    when = df.attrs.get("fetched_at") or "an unknown time"
    if source == "hub":
        from . import config

        endpoint = config.settings().endpoint
        line = f"**Data:** live Hub ({_md_escape(endpoint)}), fetched {_md_escape(when)}"
    elif isinstance(source, str) and source.startswith("snapshot:"):
        from . import config

        kind = "bundled snapshot" if source == f"snapshot:{config.BUNDLED_SNAPSHOT_NAME}" else "saved snapshot"
        line = f"**Data:** {_md_escape(source)} ({kind}), as of {_md_escape(when)}"
    else:
        line = f"**Data:** {_md_escape(source or 'unknown source')}, as of {_md_escape(when)}"
    failures = df.attrs.get("failures") or {}
    if failures:
        names = ", ".join(_md_escape(k) for k in list(failures)[:10])
        more = f" and {len(failures) - 10} more" if len(failures) > 10 else ""
        n = len(failures)
        line += (f" — {fmt.count(n, 'benchmark')} could not be loaded and {fmt.verb(n, 'is', 'are')} left out: "
                 f"{names}{more}")
    empty = [str(d) for d in (df.attrs.get("without_leaderboard") or []) if str(d) not in failures]
    if empty:
        names = ", ".join(_md_escape(k) for k in empty[:10])
        more = f" and {len(empty) - 10} more" if len(empty) > 10 else ""
        line += (f" — {fmt.count(len(empty), 'official benchmark')} {fmt.verb(len(empty), 'has', 'have')} no "
                 f"leaderboard yet: {names}{more}")
    return line


def benchmark_labels(data, benchmarks: pd.DataFrame | None = None) -> dict[str, str]:
    """``{dataset_id: readable name}`` for the benchmarks in ``data``.

    Parameters
    ----------
    data : DataFrame with a ``dataset_id`` column, or iterable of dataset ids
    benchmarks : DataFrame, optional
        ``lbtools.list_benchmarks()``: its ``display_name`` (lbtools' table, else the dataset card's ``pretty_name``)
        names the benchmarks it lists.

    Returns
    -------
    dict
        Names from ``benchmarks`` (the dataset card's pretty name), else from lbtools' table
        (:func:`lbtools.display_name`), else a readable form of the id (:func:`readable_id`: ``openai/openai_humaneval``
        → ``openai humaneval``); names that two benchmarks share get the dataset id appended, so every label picks
        one benchmark. Use the one mapping in every view, so a benchmark has one name everywhere.
    """
    from ._tables import display_names

    if isinstance(data, pd.DataFrame):
        ids = [str(d) for d in pd.unique(data["dataset_id"].dropna())]
    else:
        ids = [str(d) for d in dict.fromkeys(data)]
    known = dict(display_names())
    if benchmarks is not None and {"dataset_id", "display_name"} <= set(benchmarks.columns):
        known.update({
            str(d): str(n)
            for d, n in zip(benchmarks["dataset_id"], benchmarks["display_name"])
            if isinstance(d, str) and isinstance(n, str) and n.strip()
        })
    labels = {d: (known.get(d) or "").strip() or readable_id(d) for d in ids}
    counts = pd.Series(list(labels.values()), dtype=object).value_counts()
    return {d: (f"{n} ({d})" if counts[n] > 1 and n != d else n) for d, n in labels.items()}


def readable_id(dataset_id) -> str:
    """A dataset id made readable when no card or table names it: the name after the namespace, ``_`` as spaces
    (``HuggingFaceH4/aime_2024`` → ``aime 2024``)."""
    name = str(dataset_id).rsplit("/", 1)[-1]
    return " ".join(name.replace("_", " ").split()) or str(dataset_id)


def _natural(text: str) -> tuple:
    """A sort key that reads numbers as numbers: "bench-2" before "bench-10", "AIME 2025" before "AIME 2026"."""
    return tuple((0, int(part), "") if part.isdigit() else (1, 0, part) for part in re.split(r"(\d+)", text.casefold()))


def benchmark_options(ids, labels: dict | None = None) -> list[tuple[str, str]]:
    """``[(readable name, dataset_id)]`` for a picker's ``options``, in the order a reader counts ("bench-2" before
    "bench-10"); ``labels`` as from :func:`benchmark_labels` (default: computed from the ids)."""
    ids = [str(d) for d in dict.fromkeys(ids)]
    labels = dict(labels) if labels is not None else benchmark_labels(ids)
    return sorted(((labels.get(d, d), d) for d in ids), key=lambda o: (_natural(o[0]), o[1]))


def _benchmarks_with_entries(df: pd.DataFrame) -> list[str]:
    if not len(df):
        return []
    has_value = df["value"].notna().to_numpy(dtype=bool) if "value" in df.columns else np.ones(len(df), bool)
    return [str(d) for d in pd.unique(df.loc[has_value, "dataset_id"].dropna())]


def save(figure=None, table: pd.DataFrame | None = None, directory="exports", stem: str = "figure", *,
         dpi: int = 100) -> list[Path]:
    """Write a figure as ``<stem>.png`` and ``<stem>.svg`` and a table as ``<stem>.csv`` under ``directory``.

    The directory is created (with parents). Returns the paths written.
    """
    folder = Path(directory)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    if figure is not None:
        png, svg = folder / f"{stem}.png", folder / f"{stem}.svg"
        figure.savefig(png, dpi=dpi, bbox_inches="tight", metadata={"Software": None})
        import matplotlib

        # SVG element ids are random unless salted: the same figure saved twice is then the same bytes
        salt = {"svg.hashsalt": "lbtools"} if matplotlib.rcParams["svg.hashsalt"] is None else {}
        with matplotlib.rc_context(salt):
            figure.savefig(svg, bbox_inches="tight", metadata={"Date": None})
        paths += [png, svg]
    if table is not None:
        csv = folder / f"{stem}.csv"
        from .snapshot import write_csv

        write_csv(table, csv)  # lbtools' one CSV writer: rows round-trip, formula-like text neutralised
        paths.append(csv)
    return paths


def save_view(view, directory="exports", stem: str = "view", *, dpi: int = 100) -> list[Path]:
    """Write what a bound view (:func:`bind`) shows now: its figures as PNG and SVG, its tables as CSV.

    The first figure and table are ``<stem>.png/.svg/.csv``, further ones ``<stem>-2…``. When the view shows a
    filtered subset (``heading(..., filters=[...])``), the file names say so: ``01_rankings-verified-only.png``.
    Returns the paths written.
    """
    filters = list(getattr(view, "filters", []) or [])
    if filters:
        stem = f"{stem}-" + "-".join(_slug(f).removeprefix("lb-") for f in filters)
    paths = []
    for i in range(builtins_max(len(view.figures), len(view.tables))):
        name = stem if i == 0 else f"{stem}-{i + 1}"
        figure = view.figures[i] if i < len(view.figures) else None
        table = view.tables[i] if i < len(view.tables) else None
        paths += save(figure, table, directory, name, dpi=dpi)
    return paths


# --------------------------------------------------------------------------------------------
# output parts: display-data bundles


def _heading(title: str, subtitle: str | None = None) -> dict:
    sub = f' <span class="lb-subtitle">({_esc(subtitle)})</span>' if subtitle else ""
    return {"text/html": f'<h4 class="lb-heading">{_esc(title)}{sub}</h4>',
            "text/plain": title + (f" ({subtitle})" if subtitle else "")}


_FIGURE_DPI = 100  # shown figures: their size in inches × 100 pixels


def _figure_part(fig, dpi: int = _FIGURE_DPI) -> dict:
    # drawn once on an Agg canvas of its own: the layout and the drawing share one renderer, so each label is measured
    # once (savefig lays a figure out on a throwaway renderer, then measures every text again: 0.05–0.1 s a figure);
    # the figure gets its own canvas (inline, ipympl…) and dpi back
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.image import imsave

    own_canvas, own_dpi = fig.canvas, fig.dpi
    buf = io.BytesIO()
    try:
        canvas = FigureCanvasAgg(fig)
        fig.set_dpi(dpi)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # how matplotlib feels about drawing is never the reader's note
            canvas.draw()
        imsave(buf, np.asarray(canvas.buffer_rgba()), format="png",
               pil_kwargs={"compress_level": 1})  # shown once: the fastest zlib level, files as small here
    finally:
        fig.set_dpi(own_dpi)
        fig.set_canvas(own_canvas)
    title = fig.get_suptitle()
    if not title and fig.axes:
        title = fig.axes[0].get_title() or ""
    return {"image/png": base64.b64encode(buf.getvalue()).decode("ascii"), "text/plain": f"<figure: {title}>"}


# --------------------------------------------------------------------------------------------
# the binder: a view function in the notebook, redrawn in place when a control changes

_DEVELOPER_WARNINGS = (DeprecationWarning, PendingDeprecationWarning, ImportWarning, ResourceWarning)


class _Draw:
    """What one call of a view function showed: display bundles in order, figures, tables, notes."""

    def __init__(self, shell):
        self.shell = shell  # an IPython shell capturing display() calls, or None (then bundles are kept here)
        self.bundles: list[dict] = []
        self.figures: list = []
        self.tables: list[pd.DataFrame] = []
        self.notes: list[str] = []
        self.filters: list[str] = []
        self.before: set = set()

    def emit(self, bundle: dict) -> None:
        if self.shell is not None:
            from IPython.display import display

            display(bundle, raw=True)
        else:
            self.bundles.append(bundle)

    def flush_figures(self) -> None:
        """Show, in order, the figures the view function created since the last flush, and close them."""
        import matplotlib.pyplot as plt

        for num in sorted(set(plt.get_fignums()) - self.before):
            fig = plt.figure(num)
            self.figures.append(fig)
            self.emit(_figure_part(fig))
            plt.close(fig)


_DRAWS: list[_Draw] = []  # the draw in progress (a stack: a view function may call bind's refresh of another)


def _emit(bundle: dict) -> None:
    """Show a bundle: into the draw in progress, else with IPython's display()."""
    if _DRAWS:
        _DRAWS[-1].flush_figures()  # a figure drawn before this table or note appears above it
        _DRAWS[-1].emit(bundle)
    else:
        from IPython.display import display

        display(bundle, raw=True)


def show_figure(fig) -> None:
    """Show a matplotlib figure here, in order, and keep it for export (``view.figures``).

    For a figure kept across redraws (e.g. returned by a :func:`cached` function): its PNG is made once and shown
    again without drawing, so a view that redraws only part of what it shows stays fast. A figure still open in
    pyplot is closed here, so it is not shown twice.
    """
    import matplotlib.pyplot as plt

    if fig is None:
        return
    if fig in [plt.figure(n) for n in plt.get_fignums()]:
        plt.close(fig)  # shown here, not again by the view's own flush
    if _DRAWS:
        _DRAWS[-1].flush_figures()  # figures drawn before this one appear above it
        _DRAWS[-1].figures.append(fig)
    part = getattr(fig, "_lb_png_part", None)
    if part is None:
        part = _figure_part(fig)
        fig._lb_png_part = part
    if _DRAWS:
        _DRAWS[-1].emit(part)
    else:
        from IPython.display import display

        display(part, raw=True)


def show_table(df: pd.DataFrame, columns=None, *, max_rows: int | None = 25, caption: str | None = None,
               links: dict | None = None, hide_empty: bool = True, empty: str | None = None) -> None:
    """Show a DataFrame as an HTML table in which every cell is escaped text (class ``lb-table``).

    Parameters
    ----------
    df : DataFrame
    columns : dict or list, optional
        ``{column: header}`` (or a list of columns) to show, in order; columns ``df`` lacks are skipped.
    max_rows : int or None
        Show at most this many rows and say how many more there are (``None``: all).
    caption : str, optional
        A line above the table (escaped).
    links : dict, optional
        ``{column: url_column}``: the cell links to the row's URL when it is ``http(s)`` (see :func:`html_table`).
    hide_empty : bool
        Leave out columns with no value in any row, and name them in a line under the table (so a column the data
        doesn't publish is not offered as if it did).
    empty : str, optional
        What to say when ``df`` has no rows (why it is empty); an empty table is never shown bare.

    Cells read as one format per quantity: scores as published, ``parameters`` as ``7B``/``1.06T``, ``percentile``
    with one decimal, dates as ``YYYY-MM-DD``, missing values as ``—``. Inside a view bound with :func:`bind`, the
    frame is also kept for export (``view.tables``).
    """
    if not isinstance(df, pd.DataFrame):
        raise TypeError(f"df must be a pandas DataFrame; got {type(df).__name__}")
    if _DRAWS:
        _DRAWS[-1].tables.append(df)
    if not len(df):
        line = " ".join(str(empty or "No rows to show with these picks.").split())
        if caption:
            line = f"{caption}: {line[0].lower()}{line[1:]}"
        _emit({"text/html": f'<p class="lb-empty-table">{_esc(line)}</p>', "text/plain": line})
        return
    if columns is None:
        columns = {c: c for c in df.columns}
    elif not isinstance(columns, dict):
        columns = {c: c for c in columns}
    columns = {c: h for c, h in columns.items() if c in df.columns}
    empty = [h for c, h in columns.items() if len(df) and df[c].isna().all()] if hide_empty else []
    columns = {c: h for c, h in columns.items() if h not in empty}
    markup = html_table(df, columns, links=links, max_rows=max_rows)
    shown = df[list(columns)].head(max_rows if max_rows is not None else len(df))
    plain = pd.DataFrame({h: [_column_text(c, v) for v in shown[c]] for c, h in columns.items()}
                         ).to_string(index=False)  # the same formats as the HTML
    if empty:
        line = f"Not published in this data (columns left out): {', '.join(map(str, empty))}"
        markup += f'<p class="lb-empty-columns">{_esc(line)}</p>'
        plain += f"\n{line}"
    if caption:
        markup = f'<p class="lb-caption">{_esc(caption)}</p>' + markup
        plain = f"{caption}\n{plain}"
    _emit({"text/html": markup, "text/plain": plain})


@contextmanager
def notes():
    """Show the warnings raised inside the block as one tidy, escaped notes line (class ``lb-notes``).

    For a cell that loads data: ``with widgets.notes(): leaderboards = lbtools.load_leaderboards()`` says what the
    loaders repaired or could not load in one line under the cell, instead of warning boxes with file paths.
    Developer warnings (``DeprecationWarning`` …) are passed on.
    """
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        yield
    said = _notes_from(caught)
    if said:
        _emit(_notes_part(said))


def cached(fn):
    """``fn`` remembered per argument, with the warnings of its first call repeated on every later call.

    For loaders called inside a view (e.g. ``lbtools.load_eval_results`` for the models picked): data is fetched
    once, and what the loader said about it (a repaired value, a skipped result file) stays in the view's notes for as
    long as that data is shown, not only on the draw that fetched it.
    """
    import functools

    memo: dict = {}

    @functools.wraps(fn)
    def remembered(*args, **kwargs):
        key = (args, tuple(sorted(kwargs.items())))
        if key not in memo:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                result = fn(*args, **kwargs)
            memo[key] = (result, [(w.message, w.category) for w in caught])
        result, said = memo[key]
        for message, category in said:
            warnings.warn(message, category, stacklevel=2)
        return result

    return remembered


def note(text, *, css_class: str = "lb-note") -> None:
    """Show one line of text, escaped (class ``lb-note``; pass ``css_class`` for the headline ``"lb-top"``)."""
    line = " ".join(str(text).split())
    _emit({"text/html": f'<p class="{_esc(css_class)}">{_esc(line)}</p>', "text/plain": line})


def heading(text, subtitle=None, *, filters=()) -> None:
    """Show a small heading for a view (class ``lb-heading``), escaped.

    ``filters``: the filters in force (e.g. ``["verified only"]``), named in the heading ("… — filtered: verified
    only") and kept for export: :func:`save_view` puts them in the file names.
    """
    filters = [str(f) for f in filters if f]
    title = str(text) + (f" — filtered: {', '.join(filters)}" if filters else "")
    if _DRAWS:
        _DRAWS[-1].filters = filters
    _emit(_heading(title, None if subtitle is None else str(subtitle)))


def filter_text(filters) -> str:
    """``" (verified only)"``: the filters in force, for a figure title or a headline; ``""`` when none."""
    filters = [str(f) for f in filters if f]
    return f" ({', '.join(filters)})" if filters else ""


def _error_message(exc: BaseException) -> str:
    """One plain line: an lbtools error by its message; any other by its message without the function name that
    raised it ("predict_scores: …") and its type, so the reader sees what to change, not developer names."""
    from .errors import LbtoolsError

    text = " ".join(str(exc).split())
    if isinstance(exc, ValueError) and not isinstance(exc, LbtoolsError):
        text = re.sub(r"^[A-Za-z_][\w.]*(\(\))?: ", "", text)  # a pick the analysis can't use: say why, plainly
    elif not isinstance(exc, LbtoolsError):
        text = f"{type(exc).__name__}: {text}"  # anything else is a defect: its type helps a bug report
    return f"Could not draw this view with these picks: {text}"


def _notes_part(notes: list[str]) -> dict:
    items = "".join(f"<li>{_esc(n)}</li>" for n in notes)
    return {"text/html": f'<ul class="lb-notes">{items}</ul>', "text/plain": "\n".join(f"Note: {n}" for n in notes)}


_PLURAL_NOUNS = ("model", "benchmark", "result", "file", "row", "value", "score", "cell", "leaderboard")


def _tidy(message) -> str:
    """One plain line from a warning's message. lbtools' analysis words its notes for a reader at the source (counts
    with the right plural, no function names); what is tidied here is only what a console reader needs and a notes
    line doesn't: the ``lbtools:`` prefix and ``df.attrs[...]`` pointers of the loaders' warnings, and the function
    name that prefixes the capability fit's notes and ``enrich``'s ("fit_capability: …")."""
    text = " ".join(str(message).split())
    text = re.sub(r"^lbtools: ", "", text)
    text = re.sub(r"^[a-z_]+(\(\))?: (?=\S)", "", text)  # "fit_capability: item counts unknown …"
    text = re.sub(r" ?\(df\.attrs\[.*\)$", "", text)  # the loaders' last bracket, whatever brackets it holds
    text = re.sub(r"\b1 (" + "|".join(_PLURAL_NOUNS) + r")s\b", r"1 \1", text)  # the loaders' counts of one
    return text


def _from_a_library(w) -> bool:
    """A warning another library raised about itself (matplotlib's AutoDateLocator, SciPy's BCa …): not the
    reader's business, so never a note and never a stderr box."""
    from .errors import LbtoolsWarning

    if issubclass(w.category, LbtoolsWarning):
        return False
    if w.category.__module__ not in ("builtins", "__main__"):
        return True  # a library's own warning class (SciPy's DegenerateDataWarning for BCa …)
    where = str(w.filename).replace("\\", "/")
    if any(p in where for p in ("/site-packages/", "/dist-packages/", "/lib/python3")):
        return True
    # matplotlib attributes its warnings to the first frame outside itself (lbtools' figure code): known by text
    return str(w.message).startswith(_MATPLOTLIB_WARNINGS)


_MATPLOTLIB_WARNINGS = ("AutoDateLocator", "Tight layout", "constrained_layout", "Glyph ", "Matplotlib",
                        "FigureCanvasAgg", "No artists with labels", "Attempting to set identical")


def _notes_from(caught) -> list[str]:
    """The caught warnings as one-line notes, each once, in lbtools' own plain words; developer warnings
    (deprecations …) are passed on as such; other libraries' warnings are dropped."""
    notes: list[str] = []
    for w in caught:
        if _from_a_library(w):
            continue
        if issubclass(w.category, _DEVELOPER_WARNINGS):
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
        elif _tidy(w.message) not in notes:
            notes.append(_tidy(w.message))
    return _one_note_per_fact(notes)


def _same(text: str) -> str:
    """A line as compared for "the same fact": case, outer spaces and a final full stop aside."""
    return " ".join(str(text).split()).rstrip(".").casefold()


_DROPPED = re.compile(r"^(\d+) duplicate entr(?:y|ies) dropped \(one row per model\): (.+)$")


def _one_note_per_fact(notes: list[str]) -> list[str]:
    """Leave out a rank interval's "N duplicate entries dropped: model value; …" when the one de-duplication rule's
    own note already says, in plain words, which entry each of those models kept."""
    kept = []
    for n in notes:
        m = _DROPPED.match(n)
        models = [part.strip().rsplit(" ", 1)[0] for part in m[2].split(";")] if m else []
        said = models and all(any(f"{model} on " in other and "listed" in other for other in notes)
                              for model in models)
        if not said:
            kept.append(n)
    return kept


def bind(fn, **controls):
    """Bind a view function to controls: one output area redrawn in place whenever a control changes.

    ``fn(**{name: control.value})`` is called once now and again on every change of a control's ``value``
    (``observe(..., names="value")``; a change that leaves every value as it was drawn is skipped). What it shows
    goes into ONE ``ipywidgets.Output``, replaced as a whole (``clear_output(wait=True)`` in a kernel), so
    nothing flickers or stacks up:

    - matplotlib figures it creates (pyplot) are shown as PNG where they were drawn, then closed;
    - :func:`show_table`, :func:`note`, :func:`heading` and ``display(...)`` calls appear in order;
    - warnings it raises (``UserWarning``, ``RuntimeWarning`` and their subclasses, e.g. lbtools' own) are shown as
      one escaped notes list at the top (class ``lb-notes``), for this draw only; developer warnings
      (``DeprecationWarning`` …) are passed on;
    - an exception is shown as one escaped line (class ``lb-error``): an lbtools error by its message, any other
      with its type; never a traceback.

    Parameters
    ----------
    fn : callable
        The view function; its keyword arguments are the names of ``controls``.
    **controls : ipywidgets widgets (or anything with an observable ``value`` trait)
        Shown above the output, in order, wrapped onto several rows when they don't fit.

    Returns
    -------
    ipywidgets.VBox
        Class ``lb-view``; its output has class ``lb-output``. Besides the box's own children it has:
        ``output`` (the ``Output``), ``controls`` (``{name: widget}``), ``refresh()`` (draw again now),
        ``values()`` (the current arguments), and what the last draw showed: ``figures``, ``tables`` (frames given to
        :func:`show_table`), ``notes``, ``error`` (the exception or None), ``result`` (what ``fn`` returned),
        ``bundles``, ``text()``, ``html()``, ``redraws``.

    Notes
    -----
    At the first change of any bound control the kernel collects its garbage once and then calls ``gc.freeze()``:
    what lives at that moment (the imported libraries, the loaded data) is left out of Python's later full
    collections, which would otherwise walk it again every few redraws (0.15–0.2 s inside a redraw of notebook 06).
    Frozen objects are still freed when nothing refers to them; ``gc.unfreeze()`` undoes it.

    Examples
    --------
    >>> def show(benchmark, top_n):                                        # doctest: +SKIP
    ...     board = analysis.top_n(leaderboards[leaderboards.dataset_id == benchmark], top_n)
    ...     plots.ranking_bar(board)
    ...     widgets.show_table(board[["rank", "model_id", "value"]])
    >>> widgets.bind(show, benchmark=widgets.benchmark_picker(leaderboards, labels), top_n=widgets.top_n(10))
    """
    import ipywidgets as ipw

    if not callable(fn):
        raise TypeError(f"fn must be callable; got {type(fn).__name__}")
    for name, control in controls.items():
        if not (hasattr(control, "observe") and hasattr(control, "value")):
            raise TypeError(f"control {name}= must be a widget with a value (e.g. an ipywidgets Dropdown); "
                            f"got {type(control).__name__}")
    output = ipw.Output()
    output.add_class("lb-output")
    row = ipw.HBox(list(controls.values()), layout=ipw.Layout(flex_flow="row wrap", align_items="center"))
    row.add_class("lb-controls")
    box = _bound_box_class()(fn, dict(controls), output, children=[row, output] if controls else [output])
    box.add_class("lb-view")
    for control in controls.values():
        control.observe(_forget_fallback, names="value")
        control.observe(box._changed, names="value")
    box.refresh()
    return box


@lru_cache(maxsize=None)
def _freeze_once() -> None:
    """At a reader's first change of a control: collect once, then freeze what lives now (why: :func:`bind`'s Notes;
    measured in docs/notebooks.md). Only a reference cycle among the frozen objects that is dropped later is never
    reclaimed."""
    import gc

    gc.collect()
    gc.freeze()


@lru_cache(maxsize=None)
def _bound_box_class():
    import ipywidgets as ipw

    class BoundBox(ipw.VBox):
        """The box returned by :func:`lbtools.widgets.bind`."""

        def __init__(self, fn, controls, output, **kwargs):
            super().__init__(**kwargs)
            self.fn = fn
            self.controls = controls
            self.output = output
            self.figures, self.tables, self.notes, self.bundles, self.filters = [], [], [], (), []
            self.error = None
            self.result = None
            self.redraws = 0
            self._drawn_values = None

        def values(self) -> dict:
            """The arguments the view function gets now: ``{name: control.value}``."""
            return {name: c.value for name, c in self.controls.items()}

        def _changed(self, change=None):
            if _HOLD[0]:
                return  # a control is rewriting its options; the change that caused it redraws once it is done
            if self.values() != self._drawn_values:
                _freeze_once()
                self.refresh()

        def refresh(self) -> None:
            """Call the view function with the controls' current values and show what it draws."""
            import matplotlib.pyplot as plt
            from IPython import get_ipython

            values = self.values()
            shell = get_ipython()
            draw = _Draw(shell)
            draw.before = set(plt.get_fignums())
            stdout = io.StringIO()
            error, result = None, None
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                if shell is not None:
                    from IPython.utils.capture import capture_output

                    capture = capture_output(stdout=True, stderr=False, display=True)
                else:
                    from contextlib import redirect_stdout

                    capture = redirect_stdout(stdout)
                _DRAWS.append(draw)
                try:
                    with capture as captured:
                        try:
                            result = self.fn(**values)
                            draw.flush_figures()
                        except Exception as exc:  # noqa: BLE001 - shown to the reader, never as a traceback
                            error = exc
                            for num in set(plt.get_fignums()) - draw.before:
                                plt.close(num)
                finally:
                    _DRAWS.pop()
            if shell is not None:
                bundles = [dict(o.data) for o in captured.outputs]
                text = captured.stdout
            else:
                bundles = draw.bundles
                text = stdout.getvalue()
            if text.strip():
                bundles.append({"text/plain": text})
            notes = _notes_from(caught)
            said = {_same(b.get("text/plain", "")) for b in bundles}  # a note the view says itself: once, there
            notes = [n for n in notes if _same(n) not in said]
            notes += [n for n in _control_notes(self.controls) if n not in notes]
            if error is not None:
                bundles = [{"text/html": f'<p class="lb-error">{_esc(_error_message(error))}</p>',
                            "text/plain": _error_message(error)}]
                draw.figures, draw.tables = [], []
            if notes:
                bundles.insert(0, _notes_part(notes))
            self.figures, self.tables, self.notes, self.error, self.result = (
                draw.figures, draw.tables, notes, error, result)
            self.filters = list(draw.filters)
            self._drawn_values = values
            self._show(bundles)

        def _show(self, bundles) -> None:
            from IPython import get_ipython

            first = self.redraws == 0
            self.bundles = tuple(bundles)
            self.redraws += 1
            shell = get_ipython()
            if not first and shell is not None and getattr(shell, "kernel", None) is not None:
                from IPython.display import clear_output, publish_display_data

                with self.output:
                    clear_output(wait=True)
                    for data in bundles:
                        publish_display_data(data)
            else:
                # The first draw runs while its cell is still executing: capturing into an Output then makes
                # Voila's executor (nbclient) sometimes miss the cell's reply and hang, so set the state directly.
                self.output.outputs = tuple(
                    {"output_type": "display_data", "data": d, "metadata": {}} for d in bundles)

        def text(self) -> str:
            """The plain text of what the output shows now."""
            return "\n".join(b.get("text/plain", "") for b in self.bundles)

        def html(self) -> str:
            """The HTML of what the output shows now."""
            return "\n".join(b.get("text/html", "") for b in self.bundles)

    return BoundBox



# --------------------------------------------------------------------------------------------
# controls: each one a plain ipywidgets widget (or a small box with a ``value``), with its own CSS class

_HOLD = [0]  # > 0 while a control rewrites its options: bound views wait for the final value


@contextmanager
def _holding():
    _HOLD[0] += 1
    try:
        yield
    finally:
        _HOLD[0] -= 1


APP = {"defaults_notes": None}  # None: decide from the environment (Voilà: no notes about unchosen defaults)


def app_mode(on: bool = True) -> None:
    """Run the views as an app page (the dashboard): the reader never chose the notebooks' default parameters, so a
    default that is not in the data is replaced without a note about it."""
    APP["defaults_notes"] = not on


def _defaults_notes() -> bool:
    if APP["defaults_notes"] is not None:
        return APP["defaults_notes"]
    import os

    return not any(k.startswith("VOILA_") for k in os.environ)  # Voilà sets VOILA_* in its kernels


def _control_notes(controls) -> list[str]:
    """Notes that controls attach while they show something other than what was asked (a fallback): only until the
    reader picks something in that control, and never in an app page whose reader did not ask for the default."""
    notes = []
    if not _defaults_notes():
        return notes
    for control in controls.values():
        fallback = getattr(control, "_lb_fallback", None)
        if fallback is not None and control.value == fallback[0]:
            notes.append(fallback[1])
    return notes


def _forget_fallback(change) -> None:
    """The reader picked something: the fallback note is no longer theirs to read, even if they come back to it."""
    owner = change.get("owner") if isinstance(change, dict) else getattr(change, "owner", None)
    if owner is not None and not _HOLD[0] and getattr(owner, "_lb_fallback", None) is not None:
        if change["new"] != change["old"]:
            owner._lb_fallback = None


def _slug(text: str) -> str:
    return "lb-" + re.sub(r"[^a-z0-9]+", "-", str(text).casefold()).strip("-")


def benchmark_picker(frame, labels: dict | None = None, value=None, *, description: str = "Benchmark",
                     css_class: str = "lb-benchmark-picker"):
    """A ``Dropdown`` of the benchmarks with at least one score, by readable name (class ``lb-benchmark-picker``).

    Parameters
    ----------
    frame : DataFrame or iterable of dataset ids
        Leaderboard rows (benchmarks without a scored entry are not offered), or the ids to offer.
    labels : dict, optional
        ``{dataset_id: readable name}`` (default :func:`benchmark_labels`).
    value : str, optional
        The benchmark shown first. When it is not in the data the largest leaderboard is shown instead and a view
        bound to the picker says so at its top, until another benchmark is picked.
    description, css_class : str
        For a second picker in one view (e.g. ``description="x", css_class="lb-pair-a"``).

    Returns
    -------
    ipywidgets.Dropdown
        Its value is the dataset id.
    """
    import ipywidgets as ipw

    if isinstance(frame, pd.DataFrame):
        ids = _benchmarks_with_entries(frame)
        sizes = frame["dataset_id"].value_counts()
    else:
        ids = [str(d) for d in dict.fromkeys(frame)]
        sizes = pd.Series(1, index=ids)
    labels = dict(labels) if labels is not None else benchmark_labels(ids)
    fallback = None
    chosen = value
    same = closest_id(value, ids, typos=False) if value is not None and value not in ids else None
    if same is not None:  # the id typed in another case: the same repository on the Hub
        chosen = same
        fallback = (chosen, f"{value} is not in this data; showing {labels.get(chosen, chosen)} ({chosen}), the "
                            "same id in the data's case, instead.")
    elif value is None or value not in ids:
        ranked = sorted(ids, key=lambda d: (-int(sizes.get(d, 0)), labels.get(d, d).casefold()))
        chosen = ranked[0] if ranked else None
        if value is not None and chosen is not None:
            fallback = (chosen, f"{value} is not in this data{_did_you_mean(value, ids)}; showing "
                                f"{labels.get(chosen, chosen)}, the largest leaderboard, instead.")
    w = ipw.Dropdown(options=benchmark_options(ids, labels), value=chosen, description=description,
                     style={"description_width": "initial"}, layout=ipw.Layout(width="24rem"))
    w.add_class(css_class)
    w._lb_fallback = fallback
    return w


def benchmark_subset(ids, labels: dict | None = None, value=None, *, rows: int = 6,
                     description: str = "Benchmarks"):
    """A ``SelectMultiple`` of benchmarks by readable name (class ``lb-benchmark-subset``; value: a tuple of ids).

    ``value``: the ids picked at the start (default: all); ids not in ``ids`` are left out and a view bound to the
    picker says so at its top, until another pick.
    """
    import ipywidgets as ipw

    ids = [str(d) for d in dict.fromkeys(ids)]
    labels = dict(labels) if labels is not None else benchmark_labels(ids)
    asked = ids if value is None else ([value] if isinstance(value, str) else [str(v) for v in value])
    kept, said = _asked_ids(asked, ids)
    w = ipw.SelectMultiple(options=benchmark_options(ids, labels), value=tuple(kept),
                           rows=rows, description=description, style={"description_width": "initial"},
                           layout=ipw.Layout(width="30rem"))  # a card's long name whole, not "GPQA: graduate-le"
    w.add_class("lb-benchmark-subset")
    w._lb_fallback = (w.value, said) if said else None
    return w


def _asked_ids(asked, offered):
    """The ids asked for that are offered, each one typed in another case taken in the data's case (the same
    repository on the Hub), the others left out; and the note saying so (None when all were offered). A misspelt id
    is never swapped for a near one (``aime_2025`` is not ``aime_2026``): the note asks whether it was meant."""
    kept, recased, left_out = [], [], []
    for a in asked:
        same = a if a in offered else closest_id(a, offered, typos=False)
        if same is None:
            left_out.append(f"{a}{_did_you_mean(a, offered)}")
        else:
            kept.append(same)
            if same != a:
                recased.append(f"{a} → {same}")
    said = " ".join(part for part in (
        f"Not in this data, shown in the data's case: {', '.join(recased)}." if recased else "",
        f"Not in this data, left out: {', '.join(left_out)}." if left_out else "") if part)
    return list(dict.fromkeys(kept)), said or None


def _did_you_mean(value, offered) -> str:
    near = closest_id(value, offered)
    return f" (did you mean {near}?)" if near is not None else ""


def method_picker(value: str = "spearman"):
    """A ``Dropdown`` of correlation methods (class ``lb-method-picker``): Spearman ρ, Kendall τ, Pearson r."""
    import ipywidgets as ipw

    if value not in analysis.CORRELATION_METHODS:
        raise ValueError(f"value must be one of {analysis.CORRELATION_METHODS}; got value={value!r}")
    w = ipw.Dropdown(options=list(METHOD_OPTIONS), value=value, description="Method",
                     style={"description_width": "initial"})
    w.add_class("lb-method-picker")
    return w


def top_n(n: int = 10, max: int | dict = 50, *, follow=None):  # noqa: A002 - reads as the slider's own word
    """An ``IntSlider`` "Top N" from 1 (class ``lb-top-n``).

    Parameters
    ----------
    n : int
        The starting value (clipped to the maximum).
    max : int or dict
        The largest N; or ``{key: size}`` (e.g. entries per benchmark) with ``follow`` the control whose value is
        the key, so the maximum follows the leaderboard shown.
    follow : widget, optional
        E.g. the benchmark picker.
    """
    import ipywidgets as ipw

    sizes = max if isinstance(max, dict) else None
    if sizes is not None and follow is None:
        raise ValueError("top_n: max given per key needs follow= (the control whose value picks the key)")

    def largest(key=None):
        if sizes is None:
            return int(max)
        return int(sizes.get(key, 1) or 1)

    top = builtins_max(1, largest(follow.value if follow is not None else None))
    w = ipw.IntSlider(value=int(min(builtins_max(1, int(n)), top)), min=1, max=top, description="Top N",
                      continuous_update=False)
    w.add_class("lb-top-n")
    if follow is not None:
        def _follow(change):
            want = int(n) if w.value >= w.max else w.value  # at the old maximum: back to the asked-for N
            with _holding():
                w.max = builtins_max(1, largest(change["new"]))
                w.value = int(min(builtins_max(1, want), w.max))

        follow.observe(_follow, names="value")
    return w


def toggle(description: str, value: bool = False, disabled_reason: str | None = None, *,
           css_class: str | None = None):
    """A ``Checkbox`` (class from the description: "Verified only" → ``lb-verified-only``).

    Parameters
    ----------
    description : str
    value : bool
    disabled_reason : str, optional
        When the data can't support the option: the box is unticked, disabled, and says why in its label
        ("Verified only — no entry in this data is marked verified").
    css_class : str, optional
    """
    import ipywidgets as ipw

    label = description if not disabled_reason else f"{description} — {disabled_reason}"
    w = ipw.Checkbox(value=bool(value) and not disabled_reason, description=label, indent=False,
                     disabled=bool(disabled_reason), layout=ipw.Layout(width="auto"))
    w.add_class(css_class or _slug(description))
    w.disabled_reason = disabled_reason
    return w


def min_overlap(value: int = 5, max: int = 50):  # noqa: A002
    """An ``IntSlider`` "Min overlap" (class ``lb-min-overlap``): the fewest shared models a coefficient may rest on.

    Never below 3 (a correlation of two points is always ±1); ``value`` is clipped to [3, ``max``].
    """
    import ipywidgets as ipw

    top = builtins_max(3, int(max))
    w = ipw.IntSlider(value=int(min(builtins_max(3, int(value)), top)), min=3, max=top, description="Min overlap",
                      continuous_update=False, style={"description_width": "initial"})
    w.add_class("lb-min-overlap")
    return w


def _search_options(all_options: list[str], query: str, keep=()) -> list[str]:
    """Options containing ``query`` (case-insensitive), plus the ``keep`` ones, in ``all_options`` order."""
    q = (query or "").strip().casefold()
    keep = set(keep)
    return [o for o in all_options if o in keep or not q or q in o.casefold()]


@lru_cache(maxsize=None)
def _picker_box_class():
    import ipywidgets as ipw
    import traitlets

    class PickerBox(ipw.HBox):
        """Several widgets acting as one control: ``value`` (a Python-side trait) is what a view gets."""

        value = traitlets.Any(allow_none=True)

    return PickerBox


def model_picker(models, value=None, *, multiple: bool = False, rows: int = 8, description: str = "Model"):
    """A model picker with a search box (classes ``lb-model-picker`` on the list, ``lb-model-search`` on the box).

    Parameters
    ----------
    models : iterable of str, or DataFrame with ``model_id``
        The models offered (sorted case-insensitively).
    value : str or list of str, optional
        Picked at the start; ids not offered are left out and a bound view says so.
    multiple : bool
        A ``SelectMultiple`` (value: a tuple of ids) instead of a ``Dropdown`` (value: one id).

    Returns
    -------
    ipywidgets.HBox
        With a ``value`` trait to bind (``.search`` and ``.picker`` are the two widgets). Searching narrows the list
        (on Enter); the picked models stay listed; in a single picker a search that excludes the current model picks
        the first match.
    """
    import ipywidgets as ipw

    if isinstance(models, pd.DataFrame):
        models = models["model_id"].dropna()
    options = sorted({str(m) for m in models}, key=lambda m: (m.casefold(), m))
    search = ipw.Text(value="", placeholder="filter models…", description="Search", continuous_update=False,
                      layout=ipw.Layout(width="16rem"))
    search.add_class("lb-model-search")
    asked = [] if value is None else ([value] if isinstance(value, str) else list(value))
    kept, said = _asked_ids(asked if multiple else asked[:1], options)
    if multiple:
        start = tuple(kept)
        picker = ipw.SelectMultiple(options=options, value=start, rows=rows, description=description,
                                    style={"description_width": "initial"}, layout=ipw.Layout(width="30rem"))
    else:
        start = kept[0] if kept else (options[0] if options else None)
        picker = ipw.Dropdown(options=options, value=start, description=description,
                              style={"description_width": "initial"}, layout=ipw.Layout(width="30rem"))
    picker.add_class("lb-model-picker")
    box = _picker_box_class()(children=[search, picker], layout=ipw.Layout(align_items="flex-start"))
    box.add_class("lb-model-box")
    box.search, box.picker = search, picker
    box.value = picker.value
    if said and not multiple and start is not None:  # as the benchmark picker says it
        said = (f"{asked[0]} is not in this data; showing {start}, the same id in the data's case, instead."
                if kept else f"{asked[0]} is not in this data{_did_you_mean(asked[0], options)}; showing {start} "
                             "instead.")
    box._lb_fallback = (box.value, said) if said else None

    def _searched(change):
        current = picker.value
        keep = current if multiple else ([current] if current is not None else [])
        shown = _search_options(options, change["new"], keep if multiple else ())
        with _holding():
            if multiple:
                picker.options = shown
                picker.value = tuple(m for m in shown if m in keep)
            else:
                picker.options = shown or ([current] if current else [])
                picker.value = current if current in picker.options else (shown[0] if shown else None)
        box.value = picker.value

    def _picked(change):
        if not _HOLD[0]:
            box.value = change["new"]

    search.observe(_searched, names="value")
    picker.observe(_picked, names="value")
    return box


def organisation_picker(frame: pd.DataFrame, *, follow=None, value: str = ""):
    """A ``Dropdown`` of organisations (model-id namespaces) with an "All organisations" first (``lb-org-filter``).

    With ``follow`` (a benchmark picker) it offers the organisations on the benchmark shown, and keeps its value
    when the benchmark changes if that organisation is on the new one (else back to all). Value ``""``: all.
    """
    import ipywidgets as ipw

    orgs = analysis.organisation(frame["model_id"].astype("string"))

    def options(dataset_id=None):
        on = orgs if dataset_id is None else orgs[(frame["dataset_id"] == dataset_id).fillna(False).to_numpy(bool)]
        names = sorted({str(o) for o in on.dropna() if str(o)}, key=str.casefold)
        return [("All organisations", "")] + [(o, o) for o in names]

    opts = options(follow.value if follow is not None else None)
    offered = {v.casefold(): v for _, v in opts if v}
    start = offered.get(str(value or "").casefold(), "")  # "qwen" finds Qwen
    w = ipw.Dropdown(options=opts, value=start, description="Organisation", style={"description_width": "initial"},
                     layout=ipw.Layout(width="20rem"))
    w.add_class("lb-org-filter")
    w._lb_fallback = ("", f"No model of an organisation {value} on this benchmark; showing all organisations.") \
        if value and not start else None
    if follow is not None:
        def _follow(change):
            current = w.value
            new = options(change["new"])
            with _holding():
                w.options = new
                w.value = current if current in [v for _, v in new] else ""

        follow.observe(_follow, names="value")
    return w


def _utc(when) -> pd.Timestamp:
    when = pd.Timestamp(when)
    return when.tz_localize("UTC") if when.tzinfo is None else when.tz_convert("UTC")


def date_player(frame: pd.DataFrame, *, follow=None, value=None, date: str = "created_at",
                interval_ms: int = 800):
    """A date slider with a Play button (classes ``lb-date-slider`` and ``lb-play``).

    The slider offers the days on which a model of the benchmark shown (``follow``, a benchmark picker) was created;
    its ``value`` is the end of that day (UTC), or None when no row has a date. Play moves the slider one step per tick
    from where it is (from the first day when it is at the last), so the frame drawn is always the one the slider
    shows; the same button, then labelled Pause, leaves the slider where it is. The button (``.button``, a
    ``ToggleButton``) carries its label and a tooltip; the ticks come from a hidden ``ipywidgets.Play`` (``.play``).

    Parameters
    ----------
    frame : DataFrame
        Rows with ``dataset_id`` and ``date``.
    follow : widget, optional
        The benchmark picker; without it, all rows' dates.
    value : date-like, optional
        Start at the last day on or before it (default: the latest day).
    """
    import ipywidgets as ipw

    def days(dataset_id=None):
        rows = frame if dataset_id is None else frame[(frame["dataset_id"] == dataset_id).fillna(False)
                                                      .to_numpy(bool)]
        when = pd.to_datetime(rows[date], utc=True).dropna() if date in rows.columns else pd.Series([], dtype=object)
        end = pd.Timedelta(days=1) - pd.Timedelta(microseconds=1)
        return [(d.strftime("%Y-%m-%d"), d + end) for d in sorted({t.normalize() for t in when})]

    def index_of(options, as_of):
        if as_of is None:
            return len(options) - 1
        cutoff = _utc(as_of)
        before = [i for i, (_, v) in enumerate(options) if v.normalize() <= cutoff]
        return before[-1] if before else 0

    opts = days(follow.value if follow is not None else None)
    slider = ipw.SelectionSlider(options=opts or [("no dates", _NO_DATE)], description="As of",
                                 continuous_update=False, disabled=not opts, layout=ipw.Layout(width="30rem"))
    slider.add_class("lb-date-slider")
    early = None
    if opts:
        slider.index = index_of(opts, value)
        if value is not None and pd.Timestamp(opts[0][1]).normalize() > _utc(value):  # before the first day
            early = (slider.value, f"No model here was created by {pd.Timestamp(value):%Y-%m-%d}; showing the first "
                                   f"day one was, {opts[0][0]}.")
    # The ticking is ipywidgets' Play (a timer in the browser), kept out of sight: its own buttons are bare icons
    # with no label, title or aria-label. The reader gets one labelled button with a tooltip instead.
    play = ipw.Play(min=0, max=builtins_max(1, len(opts) - 1), step=1, interval=int(interval_ms),
                    disabled=len(opts) < 2, show_repeat=False, layout=ipw.Layout(display="none"))
    button = ipw.ToggleButton(value=False, description="Play", icon="play", tooltip=_PLAY_TIP,
                              disabled=len(opts) < 2, layout=ipw.Layout(width="auto"))
    button.add_class("lb-play")
    box = _picker_box_class()(children=[button, slider, play], layout=ipw.Layout(align_items="center"))
    box.slider, box.play, box.button = slider, play, button
    box.value = None if slider.value is _NO_DATE else slider.value
    box._lb_fallback = early
    state = {"own": False}

    def _set_play(v):
        state["own"] = True
        try:
            play.value = v
        finally:
            state["own"] = False

    def _pressed(change):
        play.playing = bool(change["new"])

    def _playing(change):
        with button.hold_sync():  # label, icon and tooltip reach the page in one message, never half changed
            button.value = bool(change["new"])  # the button follows the ticker (it stops itself at the last day)
            button.description, button.icon = ("Pause", "pause") if change["new"] else ("Play", "play")
            button.tooltip = _PAUSE_TIP if change["new"] else _PLAY_TIP
        if change["new"] and slider.value is not _NO_DATE and slider.index is not None:
            if slider.index >= len(slider.options) - 1:
                slider.index = 0
            _set_play(slider.index)

    def _tick(change):
        # Only the Play button's own step (+1 while playing) moves the slider; Stop resetting Play to its minimum
        # and our own re-syncs do not.
        if state["own"] or change["new"] != change["old"] + 1 or slider.value is _NO_DATE:
            return
        last = len(slider.options) - 1
        if slider.index < last:
            slider.index = slider.index + 1
        if slider.index >= last:
            play.playing = False

    def _slid(change):
        if not _HOLD[0]:
            box.value = None if change["new"] is _NO_DATE else change["new"]

    def _follow(change):
        new = days(change["new"])
        with _holding():
            play.playing = False
            slider.options = new or [("no dates", _NO_DATE)]
            slider.disabled = not new
            play.disabled = button.disabled = len(new) < 2
            play.max = builtins_max(1, len(new) - 1)
            if new:
                slider.index = len(new) - 1
            _set_play(0)
        box.value = None if slider.value is _NO_DATE else slider.value

    button.observe(_pressed, names="value")
    play.observe(_playing, names="playing")
    play.observe(_tick, names="value")
    slider.observe(_slid, names="value")
    if follow is not None:
        follow.observe(_follow, names="value")
    return box


def __getattr__(name):
    if name == "BoundView":  # the class of what bind returns (built on ipywidgets.VBox, imported on first use)
        return _bound_box_class()
    raise AttributeError(f"module 'lbtools.widgets' has no attribute {name!r}")
