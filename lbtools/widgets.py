"""Interactive views for the notebooks: ipywidgets pickers that redraw one output area in place.

Each builder (``rankings_view``, ``model_ranks_view``, ``correlations_view``, ``metadata_view``, ``race_view``,
``profile_view``) returns a :class:`View`: controls composed with ``HBox``/``VBox``, observed with
``observe(..., names="value")``, and ONE ``ipywidgets.Output`` that every change redraws with
``clear_output(wait=True)``, so nothing flickers or stacks up. A view displays itself (put it last in a cell), and
``view.current_figure()`` / ``view.current_table()`` / ``view.export(directory, stem)`` hand what it shows to an export
cell.

Every widget carries a stable CSS class for automation and styling: the main output area ``lb-output``, the benchmark
``Dropdown`` ``lb-benchmark-picker``, and ``lb-top-n``, ``lb-verified-only``, ``lb-fine-tunes``, ``lb-method-picker``,
``lb-min-overlap``, ``lb-pair-a``, ``lb-pair-b``, ``lb-org-filter``, ``lb-date-slider``, ``lb-play``,
``lb-model-picker``, ``lb-model-search``. Inside an output, the one-line answer a reader looks for first (e.g.
``Top: Qwen/Qwen3.5-397B-A17B — 76.4``) is in an element with class ``lb-top``, tables have class ``lb-table``.

Model ids, notes, source names and benchmark names are user-submitted text: every table cell and every line of text is
HTML-escaped (:func:`html_table`); links are only made from ``http(s)`` URLs, with the URL escaped too. Widget labels
(``Dropdown`` options, descriptions) are rendered as text by ipywidgets; ``description_allow_html`` is never set.

ipywidgets, IPython and matplotlib are imported inside the functions that need them.
"""

from __future__ import annotations

import base64
import html
import io
import re
import warnings
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pandas as pd

from . import analysis

__all__ = [
    "CSS_CLASSES",
    "View",
    "benchmark_labels",
    "correlations_view",
    "format_value",
    "html_table",
    "metadata_view",
    "model_ranks_view",
    "parameter_counts",
    "profile_view",
    "race_view",
    "rankings_view",
    "save",
    "source_banner",
]

CSS_CLASSES = {
    "output": "lb-output",
    "benchmark": "lb-benchmark-picker",
    "top_n": "lb-top-n",
    "verified_only": "lb-verified-only",
    "fine_tunes": "lb-fine-tunes",
    "method": "lb-method-picker",
    "min_overlap": "lb-min-overlap",
    "pair_a": "lb-pair-a",
    "pair_b": "lb-pair-b",
    "organisation": "lb-org-filter",
    "date": "lb-date-slider",
    "play": "lb-play",
    "model": "lb-model-picker",
    "search": "lb-model-search",
}

METHOD_OPTIONS = (("Spearman ρ (rank)", "spearman"), ("Kendall τ (rank)", "kendall"), ("Pearson r (linear)", "pearson"))
_METHOD_SYMBOL = {"spearman": "Spearman ρ", "kendall": "Kendall τ", "pearson": "Pearson r"}
_NO_DATE = "no dates"  # the date slider's one option when a benchmark has no dated model
_SAFE_URL = re.compile(r"^https?://[^\s]+$", re.IGNORECASE)
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+!|~>])")


# --------------------------------------------------------------------------------------------
# text helpers


def format_value(v) -> str:
    """A score as a reader expects it: ``76.4``, ``0.8234``, ``—`` when missing."""
    if v is None or v is pd.NA:
        return "—"
    try:
        f = float(v)
    except (TypeError, ValueError):
        return str(v)
    if not np.isfinite(f):
        return "—"
    return f"{round(f, 4):g}"


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
                cells.append(f"<td>{_esc(_cell_text(row[c]))}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    more = ""
    if max_rows is not None and len(df) > max_rows:
        more = f'<p class="lb-more">… {len(df) - max_rows} more rows (in the exported CSV)</p>'
    return (
        f'<table class="{_esc(css_class)}"><thead><tr>{head}</tr></thead>'
        f'<tbody>{"".join(body)}</tbody></table>{more}'
    )


def source_banner(df: pd.DataFrame) -> str:
    """One line of Markdown saying where a frame's data came from and as of when.

    ``**Data:** snapshot:openevals-2026-03-25 (bundled snapshot), as of 2026-03-25T19:09:12Z`` or
    ``**Data:** live Hub (https://huggingface.co), fetched 2026-…``; benchmarks that failed to load are named.
    All text from the frame is escaped.
    """
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
        line += f" — {len(failures)} could not be loaded and are left out: {names}{more}"
    return line


def benchmark_labels(data, benchmarks: pd.DataFrame | None = None) -> dict[str, str]:
    """``{dataset_id: readable name}`` for the benchmarks in ``data``.

    Parameters
    ----------
    data : DataFrame with a ``dataset_id`` column, or iterable of dataset ids
    benchmarks : DataFrame, optional
        ``lbtools.list_benchmarks()``: its ``display_name`` wins (lbtools' table, else the dataset card's).

    Returns
    -------
    dict
        Names come from ``benchmarks``, else :func:`lbtools.display_name`; names that two benchmarks share get the
        dataset id appended, so every label picks one benchmark.
    """
    from ._hub.benchmarks import display_name

    if isinstance(data, pd.DataFrame):
        ids = [str(d) for d in pd.unique(data["dataset_id"].dropna())]
    else:
        ids = [str(d) for d in dict.fromkeys(data)]
    known = {}
    if benchmarks is not None and {"dataset_id", "display_name"} <= set(benchmarks.columns):
        known = {
            str(d): str(n)
            for d, n in zip(benchmarks["dataset_id"], benchmarks["display_name"])
            if isinstance(d, str) and isinstance(n, str) and n.strip()
        }
    labels = {d: (known.get(d) or display_name(d)).strip() or d for d in ids}
    counts = pd.Series(list(labels.values())).value_counts()
    return {d: (f"{n} ({d})" if counts[n] > 1 else n) for d, n in labels.items()}


def _benchmark_options(ids, labels) -> list[tuple[str, str]]:
    return sorted(((labels.get(d, d), d) for d in ids), key=lambda o: (o[0].casefold(), o[1]))


def _benchmarks_with_entries(df: pd.DataFrame) -> list[str]:
    if not len(df):
        return []
    has_value = df["value"].notna().to_numpy(dtype=bool) if "value" in df.columns else np.ones(len(df), bool)
    return [str(d) for d in pd.unique(df.loc[has_value, "dataset_id"].dropna())]


def parameter_counts(df: pd.DataFrame) -> pd.DataFrame:
    """``df`` with ``parameters`` (Int64) and ``parameters_from`` (string) columns, never guessed.

    The count is the model's ``safetensors.total`` from ``enrich`` (``num_parameters_model`` on a leaderboard,
    ``num_parameters`` on other frames), else the count the leaderboard itself published (``num_parameters`` beside a
    ``num_parameters_model`` column); ``parameters_from`` says which (``"model info"``, ``"leaderboard"``) and is NA
    where neither is known.
    """
    out = df.copy()
    model = "num_parameters_model" if "num_parameters_model" in df.columns else "num_parameters"
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
    return out


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
        figure.savefig(svg, bbox_inches="tight", metadata={"Date": None})
        paths += [png, svg]
    if table is not None:
        csv = folder / f"{stem}.csv"
        from .snapshot import write_csv

        write_csv(table, csv)  # lbtools' one CSV writer: rows round-trip, formula-like text neutralised
        paths.append(csv)
    return paths


# --------------------------------------------------------------------------------------------
# output parts: display-data bundles


def _html_part(markup: str, plain: str = "") -> dict:
    return {"text/html": markup, "text/plain": plain or re.sub(r"<[^>]+>", "", html.unescape(markup))}


def _p(text: str, css: str | None = None) -> dict:
    cls = f' class="{css}"' if css else ""
    return {"text/html": f"<p{cls}>{_esc(text)}</p>", "text/plain": text}


def _heading(title: str, subtitle: str | None = None) -> dict:
    sub = f' <span class="lb-subtitle">({_esc(subtitle)})</span>' if subtitle else ""
    return {"text/html": f'<h4 class="lb-heading">{_esc(title)}{sub}</h4>',
            "text/plain": title + (f" ({subtitle})" if subtitle else "")}


def _figure_part(fig, dpi: int = 100) -> dict:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, bbox_inches="tight")
    title = ""
    if fig.axes:
        title = fig.axes[0].get_title() or ""
    return {"image/png": base64.b64encode(buf.getvalue()).decode("ascii"), "text/plain": f"<figure: {title}>"}


def _table_part(df, columns, *, links=None, max_rows=None) -> dict:
    plain_cols = [c for c in (columns if not isinstance(columns, dict) else columns.keys()) if c in df.columns]
    return {
        "text/html": html_table(df, columns, links=links, max_rows=max_rows),
        "text/plain": df[plain_cols].head(max_rows or len(df)).to_string(index=False),
    }


# --------------------------------------------------------------------------------------------
# the view base class


class View:
    """A set of controls and one output area that redraws when a control changes.

    Attributes
    ----------
    widget : ipywidgets.VBox
        The whole view; displaying the view displays this.
    controls : dict
        ``{name: widget}`` for every control (``"benchmark"``, ``"top_n"``, …).
    output : ipywidgets.Output
        The area redrawn in place (class ``lb-output`` for a notebook's main view).
    bundles : tuple of dict
        The display-data bundles shown by the last redraw (``{"text/html": …}``, ``{"image/png": …}``).
    redraws : int
        How many times the output was drawn.
    error : Exception or None
        What went wrong in the last redraw (shown as text in the output too).
    """

    def __init__(self, *, labels=None, output_class: str = "lb-output"):
        import ipywidgets as widgets

        self.labels = dict(labels or {})
        self.controls: dict = {}
        self.output = widgets.Output()
        self.output.add_class(output_class)
        self.widget = None
        self.bundles: tuple = ()
        self.redraws = 0
        self.error = None
        self.startup_notes: list[str] = []
        self._figure = None
        self._table = None
        self._hold = 0

    # -- what subclasses provide
    def _draw(self) -> list[dict]:  # pragma: no cover - abstract
        raise NotImplementedError

    # -- public surface
    def current_figure(self):
        """The figure shown now (a matplotlib Figure, closed in pyplot but still drawable), or None."""
        return self._figure

    def current_table(self) -> pd.DataFrame | None:
        """The table shown now, as a DataFrame (a copy), or None."""
        return None if self._table is None else self._table.copy()

    def text(self) -> str:
        """The plain text of what the output shows now (for checks)."""
        return "\n".join(b.get("text/plain", "") for b in self.bundles)

    def html(self) -> str:
        """The HTML of what the output shows now (for checks)."""
        return "\n".join(b.get("text/html", "") for b in self.bundles)

    def export(self, directory="exports", stem: str = "view", *, dpi: int = 100) -> list[Path]:
        """Write the current figure (PNG and SVG) and table (CSV); see :func:`save`."""
        return save(self.current_figure(), self.current_table(), directory, stem, dpi=dpi)

    def refresh(self, change=None) -> None:
        """Redraw the output from the controls' current values."""
        if self._hold:
            return
        import matplotlib.pyplot as plt

        old = self._figure
        self._figure, self._table, self.error = None, None, None
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", UserWarning)
            try:
                parts = self._draw()
            except Exception as exc:  # noqa: BLE001 - shown to the reader instead of breaking the view
                self.error = exc
                if self._figure is not None:
                    plt.close(self._figure)
                    self._figure = None
                parts = [_error_part(exc)]
        notes = list(dict.fromkeys(self.startup_notes + [
            " ".join(str(w.message).split()) for w in caught if issubclass(w.category, UserWarning)
        ]))
        for w in caught:
            if not issubclass(w.category, UserWarning):
                warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
        if notes:
            items = "".join(f"<li>{_esc(n)}</li>" for n in notes)
            parts.append(_html_part(f'<ul class="lb-notes">{items}</ul>', "\n".join(notes)))
        if old is not None and old is not self._figure:
            plt.close(old)
        self._show(parts)

    def _show(self, parts: list[dict]) -> None:
        from IPython import get_ipython

        first_draw = self.redraws == 0
        self.bundles = tuple(parts)
        self.redraws += 1
        shell = get_ipython()
        if not first_draw and shell is not None and getattr(shell, "kernel", None) is not None:
            from IPython.display import clear_output, publish_display_data

            with self.output:
                clear_output(wait=True)
                for data in parts:
                    publish_display_data(data)
        else:
            # The first draw happens while its cell is still executing: capturing into an Output then makes
            # Voila's executor (nbclient) sometimes miss the cell's reply and hang, so set the state directly.
            self.output.outputs = tuple({"output_type": "display_data", "data": d, "metadata": {}} for d in parts)

    def _show_figure(self, fig) -> dict:
        """The figure as a PNG part; the figure is kept for export and closed in pyplot so nothing stacks."""
        import matplotlib.pyplot as plt

        self._figure = fig
        part = _figure_part(fig)
        plt.close(fig)
        return part

    @contextmanager
    def _batch(self):
        """Change several controls with one redraw at the end."""
        self._hold += 1
        try:
            yield
        finally:
            self._hold -= 1

    def _observe(self, *controls) -> None:
        for c in controls:
            c.observe(self._changed, names="value")

    def _changed(self, change) -> None:
        self.refresh()

    def _label(self, dataset_id) -> str:
        from ._hub.benchmarks import display_name

        return self.labels.get(dataset_id) or display_name(str(dataset_id))

    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)

    def __repr__(self) -> str:
        return f"<{type(self).__name__}: {', '.join(self.controls)}>"


def _error_part(exc: Exception) -> dict:
    from .errors import LbtoolsError

    what = "" if isinstance(exc, LbtoolsError) else f"{type(exc).__name__}: "
    text = f"Could not show this view: {what}{' '.join(str(exc).split())}"
    return _p(text, "lb-error")


def _search_box():
    """The text box that filters a model picker (applied on Enter, not on every key)."""
    import ipywidgets as widgets

    search = widgets.Text(value="", placeholder="filter models…", description="Search", continuous_update=False)
    search.add_class(CSS_CLASSES["search"])
    return search


def _dropdown(options, value, description, css, **kwargs):
    import ipywidgets as widgets

    values = [o[1] if isinstance(o, tuple) else o for o in options]
    w = widgets.Dropdown(
        options=options,
        value=value if value in values else (values[0] if values else None),
        description=description,
        style={"description_width": "initial"},
        **kwargs,
    )
    w.add_class(css)
    return w


def _pick(value, available: list, what: str, notes: list):
    """``value`` when available, else the first available (with a note saying so)."""
    if value is None or value in available:
        return value if value is not None else (available[0] if available else None)
    fallback = available[0] if available else None
    notes.append(f"{what} {value!r} is not in this data; showing {fallback!r} instead.")
    return fallback


def _bench_frame(df: pd.DataFrame, dataset_id) -> pd.DataFrame:
    return df[(df["dataset_id"] == dataset_id).fillna(False).to_numpy(dtype=bool)]


def _lower_is_better(df: pd.DataFrame) -> bool:
    return "lower_is_better" in df.columns and bool(df["lower_is_better"].astype("boolean").fillna(False).any())


def _search_options(all_options: list[str], query: str, keep=()) -> list[str]:
    """Options containing ``query`` (case-insensitive), plus the ``keep`` ones, in ``all_options`` order."""
    q = (query or "").strip().casefold()
    keep = set(keep)
    return [o for o in all_options if o in keep or not q or q in o.casefold()]


# --------------------------------------------------------------------------------------------
# 01 rankings


_RANK_COLUMNS = {
    "rank": "#",
    "model_id": "model",
    "value": "score",
    "verified": "verified",
    "source_name": "source",
    "notes": "notes",
    "published_rank": "published rank",
}


class RankingsView(View):
    """One benchmark's leaderboard: top-N bars with value labels and a ranked table."""

    def __init__(self, leaderboards, *, labels=None, benchmark=None, top_n=10, verified_only=False,
                 fine_tunes=False, load_fine_tunes=None, max_top_n=50):
        import ipywidgets as widgets

        self.leaderboards = leaderboards
        ids = _benchmarks_with_entries(leaderboards)
        super().__init__(labels=labels if labels is not None else benchmark_labels(ids))
        self.load_fine_tunes = load_fine_tunes
        self._fine_tune_frames: dict = {}
        benchmark = _pick(benchmark, ids, "Benchmark", self.startup_notes)
        b = _dropdown(_benchmark_options(ids, self.labels), benchmark, "Benchmark", CSS_CLASSES["benchmark"],
                      layout=widgets.Layout(width="24rem"))
        n = widgets.IntSlider(value=int(min(max(1, top_n), max_top_n)), min=1, max=int(max_top_n),
                              description="Top N", continuous_update=False)
        n.add_class(CSS_CLASSES["top_n"])
        v = widgets.Checkbox(value=bool(verified_only), description="Verified only", indent=False)
        v.add_class(CSS_CLASSES["verified_only"])
        f = widgets.Checkbox(value=bool(fine_tunes), description="Include fine-tunes", indent=False,
                             disabled=load_fine_tunes is None,
                             tooltip="Every submitted result, models that declare a base_model included "
                                     "(base_model_only=False)")
        f.add_class(CSS_CLASSES["fine_tunes"])
        self.controls = {"benchmark": b, "top_n": n, "verified_only": v, "fine_tunes": f}
        self.widget = widgets.VBox([widgets.HBox([b, n]), widgets.HBox([v, f]), self.output])
        self.widget.add_class("lb-view")
        self._observe(b, n, v, f)
        self.refresh()

    def _frame(self, dataset_id):
        if not self.controls["fine_tunes"].value:
            return _bench_frame(self.leaderboards, dataset_id), "base models only (the Hub's default view)"
        if dataset_id not in self._fine_tune_frames:
            self._fine_tune_frames[dataset_id] = self.load_fine_tunes(dataset_id)
        frame = _bench_frame(self._fine_tune_frames[dataset_id], dataset_id)
        return frame, "fine-tunes included (base_model_only=False)"

    def _draw(self):
        from . import plots

        ds = self.controls["benchmark"].value
        if ds is None:
            failures = self.leaderboards.attrs.get("failures") or {}
            return [_p(f"No leaderboard could be loaded ({len(failures)} failed).", "lb-error")]
        name = self._label(ds)
        parts = [_heading(name, ds)]
        frame, view_text = self._frame(ds)
        top_n = int(self.controls["top_n"].value)
        verified_only = bool(self.controls["verified_only"].value)
        shown = frame
        if verified_only:
            ok = frame["verified"].astype("boolean").fillna(False) if "verified" in frame.columns else None
            shown = frame[ok.to_numpy(dtype=bool)] if ok is not None else frame.iloc[0:0]
        ranked = analysis.top_n(frame.iloc[0:0] if not len(shown) else shown, top_n, by=None)
        keep = ["dataset_id"] + [c for c in list(_RANK_COLUMNS) + ["source_url"] if c in ranked.columns]
        self._table = ranked[list(dict.fromkeys(keep))]
        if not len(ranked):
            why = "none is marked verified" if verified_only and len(frame) else "none has a score"
            parts.append(_p(f"No entries to rank: the leaderboard has {len(frame)} entries and {why}.", "lb-top"))
            return parts
        first = ranked.iloc[0]
        order = " (lower is better)" if _lower_is_better(frame) else ""
        parts.append(_p(f"Top: {first['model_id']} — {format_value(first['value'])}{order}", "lb-top"))
        parts.append(_p(
            f"Showing {len(ranked)} of {len(shown)} entries"
            + (" marked verified" if verified_only else "")
            + f"; {view_text}.",
            "lb-counts",
        ))
        parts.append(self._show_figure(plots.ranking_bar(shown, top_n=top_n, labels=self.labels)))
        parts.append(_table_part(ranked, _RANK_COLUMNS, links={"source_name": "source_url"}))
        return parts


def rankings_view(leaderboards: pd.DataFrame, *, labels: dict | None = None, benchmark: str | None = None,
                  top_n: int = 10, verified_only: bool = False, fine_tunes: bool = False, load_fine_tunes=None,
                  max_top_n: int = 50) -> RankingsView:
    """A benchmark picker, top-N slider, verified-only and include-fine-tunes toggles over one ranking.

    Parameters
    ----------
    leaderboards : DataFrame
        ``lbtools.load_leaderboards()``: the picker offers every benchmark with at least one scored entry.
    labels : dict, optional
        ``{dataset_id: readable name}`` (default :func:`benchmark_labels`).
    benchmark : str, optional
        Shown first (default: the first by name; an id not in the data falls back with a note).
    top_n : int
    verified_only, fine_tunes : bool
        Initial toggle states.
    load_fine_tunes : callable, optional
        ``dataset_id -> leaderboard frame`` with fine-tunes, e.g.
        ``lambda d: lbtools.load_leaderboard(d, base_model_only=False)``; called once per benchmark when the toggle
        is on. Without it the toggle is disabled. A failure is shown as text in the output.

    Returns
    -------
    RankingsView
        Controls ``benchmark`` (``lb-benchmark-picker``), ``top_n`` (``lb-top-n``), ``verified_only``
        (``lb-verified-only``), ``fine_tunes`` (``lb-fine-tunes``); output ``lb-output`` with a line
        ``Top: <model> — <score>`` (class ``lb-top``), a bar chart and a ranked table (verified, source, notes as text).
    """
    return RankingsView(leaderboards, labels=labels, benchmark=benchmark, top_n=top_n, verified_only=verified_only,
                        fine_tunes=fine_tunes, load_fine_tunes=load_fine_tunes, max_top_n=max_top_n)


class ModelRanksView(View):
    """Where one model ranks on every leaderboard it appears on."""

    def __init__(self, leaderboards, *, labels=None, model=None, output_class="lb-ranks-output"):
        import ipywidgets as widgets

        self.leaderboards = leaderboards
        super().__init__(labels=labels if labels is not None else benchmark_labels(leaderboards),
                         output_class=output_class)
        self.models = sorted({str(m) for m in leaderboards["model_id"].dropna()}, key=str.casefold)
        model = _pick(model, self.models, "Model", self.startup_notes)
        search = _search_box()
        picker = _dropdown(self.models, model, "Model", CSS_CLASSES["model"], layout=widgets.Layout(width="30rem"))
        self.controls = {"search": search, "model": picker}
        self.widget = widgets.VBox([widgets.HBox([search, picker]), self.output])
        self.widget.add_class("lb-view")
        search.observe(self._searched, names="value")
        self._observe(picker)
        self.refresh()

    def _searched(self, change):
        picker = self.controls["model"]
        current = picker.value
        options = _search_options(self.models, change["new"])
        with self._batch():
            picker.options = options
            picker.value = current if current in options else (options[0] if options else None)
        self.refresh()

    def _draw(self):
        from . import plots

        model = self.controls["model"].value
        if model is None:
            return [_p("No model matches the search.", "lb-top")]
        ranks = analysis.model_ranks(self.leaderboards, [model])
        leaders = analysis.top_n(self.leaderboards, 1)
        leader = dict(zip(leaders["dataset_id"], zip(leaders["model_id"], leaders["value"])))
        table = ranks.copy()
        table.insert(2, "benchmark", [self._label(d) for d in table["dataset_id"]])
        table["rank_of"] = [f"{_cell_text(r)} of {n}" for r, n in zip(table["rank"], table["n_entries"])]
        table["leader"] = [leader.get(d, (None, None))[0] for d in table["dataset_id"]]
        table["leader_value"] = [leader.get(d, (None, None))[1] for d in table["dataset_id"]]
        self._table = table
        parts = [_heading(f"Where {model} ranks")]
        if not len(table):
            parts.append(_p(f"{model} is on none of these leaderboards.", "lb-top"))
            return parts
        firsts = int((table["rank"] == 1).fillna(False).sum())
        parts.append(_p(
            f"{model}: on {len(table)} leaderboard(s), first on {firsts}; median percentile "
            f"{format_value(table['percentile'].astype('Float64').median())}",
            "lb-top",
        ))
        parts.append(self._show_figure(plots.model_profile_bars(ranks, value="percentile", labels=self.labels)))
        parts.append(_table_part(table, {
            "benchmark": "benchmark", "rank_of": "rank", "value": "score", "percentile": "percentile",
            "leader": "leader", "leader_value": "leader's score",
        }))
        return parts


def model_ranks_view(leaderboards: pd.DataFrame, *, labels: dict | None = None, model: str | None = None,
                     output_class: str = "lb-ranks-output") -> ModelRanksView:
    """"Where does model X rank on every benchmark": a model search and picker over ``model_ranks``.

    Controls ``search`` (``lb-model-search``) and ``model`` (``lb-model-picker``); the output (class
    ``lb-ranks-output``, so a notebook keeps one ``lb-output``) shows percentile bars and a table of rank, score,
    percentile and each leaderboard's leader.
    """
    return ModelRanksView(leaderboards, labels=labels, model=model, output_class=output_class)


# --------------------------------------------------------------------------------------------
# 02 correlations


class PairView(View):
    """Two benchmarks' scores as a labelled scatter with a fitted line and a bootstrap interval."""

    def __init__(self, matrix, *, labels, pair, method_control, min_overlap_control, n_boot=2000, seed=0,
                 output_class="lb-pair-output"):
        import ipywidgets as widgets

        super().__init__(labels=labels, output_class=output_class)
        self.matrix = matrix
        self.n_boot, self.seed = int(n_boot), seed
        self._method, self._min_overlap = method_control, min_overlap_control
        ids = [str(c) for c in matrix.columns]
        options = _benchmark_options(ids, self.labels)
        a, b = _default_pair(matrix) if pair is None else tuple(pair)
        a = _pick(a, ids, "Benchmark", self.startup_notes)
        b = _pick(b, ids, "Benchmark", self.startup_notes)
        pa = _dropdown(options, a, "x", CSS_CLASSES["pair_a"], layout=widgets.Layout(width="20rem"))
        pb = _dropdown(options, b, "y", CSS_CLASSES["pair_b"], layout=widgets.Layout(width="20rem"))
        self.controls = {"a": pa, "b": pb}
        self.widget = widgets.VBox([widgets.HBox([pa, pb]), self.output])
        self.widget.add_class("lb-view")
        self._observe(pa, pb)

    def _draw(self):
        from . import plots

        a, b = self.controls["a"].value, self.controls["b"].value
        method = self._method.value
        min_overlap = int(self._min_overlap.value)
        if a is None or b is None:
            return [_p("No benchmarks to compare.", "lb-top")]
        if a == b:
            return [_p("Pick two different benchmarks.", "lb-top")]
        pair = self.matrix[[a, b]].dropna()
        self._table = pair.reset_index().rename(columns={a: f"{a} score", b: f"{b} score"})
        parts = [_heading(f"{self._label(a)} vs {self._label(b)}")]
        n = len(pair)
        if n < 3:
            parts.append(_p(f"Only {n} model(s) have a score on both: too few for a coefficient.", "lb-top"))
            return parts
        est, low, high = analysis.bootstrap_ci(pair[a], pair[b], method=method, n_boot=self.n_boot, seed=self.seed)
        parts.append(_p(
            f"{_METHOD_SYMBOL[method]} = {format_value(round(est, 2))} "
            f"(95% bootstrap CI {format_value(round(low, 2))} to {format_value(round(high, 2))}, "
            f"{self.n_boot} resamples), n = {n} models",
            "lb-top",
        ))
        if n < min_overlap:
            parts.append(_p(f"{n} shared models is below the minimum overlap of {min_overlap}: "
                            "the heatmap leaves this pair blank.", "lb-counts"))
        fig = plots.pair_scatter(self.matrix, a, b, method=method, ci=(est, low, high), labels=self.labels)
        parts.append(self._show_figure(fig))
        parts.append(_table_part(self._table, list(self._table.columns), max_rows=50))
        return parts


def _default_pair(matrix: pd.DataFrame) -> tuple:
    """The two benchmarks with the most models in common (first in column order on ties)."""
    cols = list(matrix.columns)
    if len(cols) < 2:
        return (cols[0] if cols else None, cols[0] if cols else None)
    present = matrix.notna().to_numpy(dtype=np.int64)
    overlap = present.T @ present
    np.fill_diagonal(overlap, -1)
    i, j = np.unravel_index(int(np.argmax(overlap)), overlap.shape)
    return cols[min(i, j)], cols[max(i, j)]


class CorrelationsView(View):
    """Benchmark × benchmark correlations as a clustered heatmap, with a pair scatter below."""

    def __init__(self, matrix, *, labels=None, method="spearman", min_overlap=5, pair=None, n_boot=2000, seed=0):
        import ipywidgets as widgets

        super().__init__(labels=labels if labels is not None else benchmark_labels([str(c) for c in matrix.columns]))
        self.matrix = matrix
        if method not in analysis.CORRELATION_METHODS:
            raise ValueError(f"method must be one of {analysis.CORRELATION_METHODS}; got {method!r}")
        present = matrix.notna().to_numpy(dtype=np.int64)
        overlap = present.T @ present
        np.fill_diagonal(overlap, 0)
        top = max(3, int(overlap.max()) if overlap.size else 3)
        m = _dropdown(list(METHOD_OPTIONS), method, "Method", CSS_CLASSES["method"])
        k = widgets.IntSlider(value=int(min(max(2, min_overlap), top)), min=2, max=top, description="Min overlap",
                              continuous_update=False, style={"description_width": "initial"})
        k.add_class(CSS_CLASSES["min_overlap"])
        self.pair = PairView(matrix, labels=self.labels, pair=pair, method_control=m, min_overlap_control=k,
                             n_boot=n_boot, seed=seed)
        self.controls = {"method": m, "min_overlap": k, "pair_a": self.pair.controls["a"],
                         "pair_b": self.pair.controls["b"]}
        self.widget = widgets.VBox([widgets.HBox([m, k]), self.output, self.pair.widget])
        self.widget.add_class("lb-view")
        self._observe(m, k)
        m.observe(self.pair._changed, names="value")
        k.observe(self.pair._changed, names="value")
        self.refresh()
        self.pair.refresh()

    def _draw(self):
        from . import plots

        method, k = self.controls["method"].value, int(self.controls["min_overlap"].value)
        coef, overlap = analysis.benchmark_correlations(self.matrix, method=method, min_overlap=k)
        order = analysis.cluster_order(coef)
        table = analysis.correlation_table(self.matrix, method=method, min_overlap=k)
        table.insert(2, "name_a", [self._label(d) for d in table["benchmark_a"]])
        table.insert(3, "name_b", [self._label(d) for d in table["benchmark_b"]])
        self._table = table
        reported = table[table["coefficient"].notna()]
        parts = [_heading(f"{_METHOD_SYMBOL[method]} between {self.matrix.shape[1]} benchmarks",
                          f"{self.matrix.shape[0]} models")]
        if len(reported):
            best = reported.loc[reported["coefficient"].astype("float64").idxmax()]
            parts.append(_p(
                f"Strongest: {best['name_a']} & {best['name_b']} — {format_value(round(best['coefficient'], 2))} "
                f"(n = {best['n_models']})",
                "lb-top",
            ))
        else:
            parts.append(_p(f"No pair of benchmarks shares {k} or more models.", "lb-top"))
        parts.append(_p(f"{len(reported)} of {len(table)} pairs share at least {k} models; the others are blank "
                        "(grey n = shared models). Order: hierarchical clustering on 1 − coefficient.", "lb-counts"))
        fig = plots.correlation_heatmap(coef, overlap, min_overlap=k, order=order, labels=self.labels, method=method)
        parts.append(self._show_figure(fig))
        return parts


def correlations_view(matrix: pd.DataFrame, *, labels: dict | None = None, method: str = "spearman",
                      min_overlap: int = 5, pair=None, n_boot: int = 2000, seed: int = 0) -> CorrelationsView:
    """Correlations between benchmarks over shared models: method picker, minimum overlap, pair scatter.

    Parameters
    ----------
    matrix : DataFrame
        Models × benchmarks (``analysis.scores_matrix`` of de-duplicated leaderboard rows).
    method : {"spearman", "kendall", "pearson"}
    min_overlap : int
        Pairs with fewer shared models are masked (blank, with their ``n``).
    pair : (str, str), optional
        The two benchmarks of the scatter (default: the pair with the most shared models).
    n_boot, seed
        Bootstrap resamples and seed for the 95 % interval of the pair's coefficient.

    Returns
    -------
    CorrelationsView
        Controls ``method`` (``lb-method-picker``), ``min_overlap`` (``lb-min-overlap``), ``pair_a`` (``lb-pair-a``),
        ``pair_b`` (``lb-pair-b``); the heatmap in ``output`` (``lb-output``; table: ``correlation_table``), the scatter
        in ``view.pair.output`` (``lb-pair-output``; ``view.pair.current_figure()``).
    """
    return CorrelationsView(matrix, labels=labels, method=method, min_overlap=min_overlap, pair=pair,
                            n_boot=n_boot, seed=seed)


# --------------------------------------------------------------------------------------------
# 03 model metadata


class MetadataView(View):
    """Score against parameter count (Pareto frontier) and against creation date, by benchmark and organisation."""

    ALL = ""

    def __init__(self, enriched, *, labels=None, benchmark=None, organisation=None):
        import ipywidgets as widgets

        df = parameter_counts(enriched)
        df["organisation"] = analysis.organisation(df["model_id"])
        self.data = df
        ids = _benchmarks_with_entries(df)
        super().__init__(labels=labels if labels is not None else benchmark_labels(ids))
        benchmark = _pick(benchmark, ids, "Benchmark", self.startup_notes)
        b = _dropdown(_benchmark_options(ids, self.labels), benchmark, "Benchmark", CSS_CLASSES["benchmark"],
                      layout=widgets.Layout(width="24rem"))
        o = _dropdown(self._org_options(benchmark), organisation or self.ALL, "Organisation",
                      CSS_CLASSES["organisation"], layout=widgets.Layout(width="20rem"))
        self.controls = {"benchmark": b, "organisation": o}
        self.widget = widgets.VBox([widgets.HBox([b, o]), self.output])
        self.widget.add_class("lb-view")
        b.observe(self._benchmark_changed, names="value")
        self._observe(o)
        self.refresh()

    def _org_options(self, dataset_id):
        orgs = sorted({str(x) for x in _bench_frame(self.data, dataset_id)["organisation"].dropna()}, key=str.casefold)
        return [("All organisations", self.ALL)] + [(x or "(no namespace)", x) for x in orgs if x]

    def _benchmark_changed(self, change):
        o = self.controls["organisation"]
        current = o.value
        with self._batch():
            o.options = self._org_options(change["new"])
            values = [v for _, v in o.options]
            o.value = current if current in values else self.ALL
        self.refresh()

    def _draw(self):
        import matplotlib.pyplot as plt

        from . import plots

        ds, org = self.controls["benchmark"].value, self.controls["organisation"].value
        if ds is None:
            return [_p("No leaderboard to show.", "lb-top")]
        df = _bench_frame(self.data, ds)
        df = df[df["value"].notna().to_numpy(dtype=bool)]
        if org:
            df = df[(df["organisation"] == org).fillna(False).to_numpy(dtype=bool)]
        name = self._label(ds)
        parts = [_heading(name + (f" — {org}" if org else ""), ds)]
        has_params = df["parameters"].notna().to_numpy(dtype=bool)
        has_date = (df["created_at"].notna().to_numpy(dtype=bool) if "created_at" in df.columns
                    else np.zeros(len(df), bool))
        lower = _lower_is_better(df)
        frontier = analysis.pareto_frontier(df, x="parameters", y="value", lower_is_better=lower)
        front = df[frontier.to_numpy(dtype=bool)].sort_values("parameters")
        if len(front):
            items = ", ".join(f"{m} ({_billions(p)}, {format_value(v)})"
                              for m, p, v in zip(front["model_id"], front["parameters"], front["value"]))
            parts.append(_p(f"Pareto frontier ({len(front)} of {int(has_params.sum())} with a parameter count): "
                            f"{items}", "lb-top"))
        else:
            parts.append(_p("No model here has a parameter count: no Pareto frontier.", "lb-top"))
        missing = df[~(has_params & has_date)]
        parts.append(_p(
            f"{len(df)} models: {int(has_params.sum())} with a parameter count, {int(has_date.sum())} with a creation "
            f"date; {len(missing)} without one or both are counted here and left out of the plot that needs it "
            "(never imputed).",
            "lb-counts",
        ))
        if len(df):
            fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(14, 5.5), layout="constrained")
            plots.score_vs_parameters(df, frontier, x="parameters", labels=self.labels, ax=ax1)
            plots.score_vs_date(df, hue=None, labels=self.labels, ax=ax2)
            parts.append(self._show_figure(fig))
        table = df.assign(on_frontier=frontier.to_numpy(dtype=bool),
                          parameters_b=[_billions(p) for p in df["parameters"]])
        table = table.sort_values(["value", "model_id"], ascending=[lower, True], kind="stable")
        cols = ["model_id", "organisation", "value", "parameters", "parameters_from", "created_at", "on_frontier"]
        self._table = table[["dataset_id"] + [c for c in cols if c in table.columns]].reset_index(drop=True)
        if len(missing):
            parts.append(_p("Without metadata (not plotted where it is needed):", "lb-missing-title"))
            parts.append(_table_part(missing.assign(
                parameters_b=[_billions(p) for p in missing["parameters"]]),
                {"model_id": "model", "value": "score", "parameters_b": "parameters", "created_at": "created"}))
        parts.append(_table_part(table, {
            "model_id": "model", "organisation": "organisation", "value": "score", "parameters_b": "parameters",
            "parameters_from": "count from", "created_at": "repo created", "on_frontier": "on frontier",
        }))
        return parts


def _billions(p) -> str:
    if p is None or p is pd.NA or (isinstance(p, float) and not np.isfinite(p)):
        return "—"
    return f"{float(p) / 1e9:.3g}B"


def metadata_view(enriched: pd.DataFrame, *, labels: dict | None = None, benchmark: str | None = None,
                  organisation: str | None = None) -> MetadataView:
    """Score vs parameters (log scale, Pareto frontier) and vs creation date, with an organisation filter.

    Parameters
    ----------
    enriched : DataFrame
        ``lbtools.enrich(lbtools.load_leaderboards())``: the parameter count is the model's ``safetensors.total``
        (``num_parameters_model``), else the leaderboard's own ``num_parameters`` (:func:`parameter_counts`); the date
        ``created_at`` is the Hub repository's creation date. Models without them are counted and listed, never
        imputed.
    organisation : str, optional
        A model-id namespace to show alone (default: all).

    Returns
    -------
    MetadataView
        Controls ``benchmark`` (``lb-benchmark-picker``) and ``organisation`` (``lb-org-filter``).
    """
    return MetadataView(enriched, labels=labels, benchmark=benchmark, organisation=organisation)


# --------------------------------------------------------------------------------------------
# 04 progress over time


class RaceView(View):
    """The top-N ranking of one benchmark as of a date, with a Play button stepping through the dates."""

    DATE_NOTE = ("The date is each model's Hub repository creation date (not its release or evaluation date): the "
                 "ranking replays today's scores among the models whose repository existed by then.")

    def __init__(self, enriched, *, labels=None, benchmark=None, top_n=10, as_of=None, interval_ms=800):
        import ipywidgets as widgets

        self.data = enriched
        ids = _benchmarks_with_entries(enriched)
        super().__init__(labels=labels if labels is not None else benchmark_labels(ids))
        benchmark = _pick(benchmark, ids, "Benchmark", self.startup_notes)
        b = _dropdown(_benchmark_options(ids, self.labels), benchmark, "Benchmark", CSS_CLASSES["benchmark"],
                      layout=widgets.Layout(width="24rem"))
        n = widgets.IntSlider(value=int(max(1, top_n)), min=1, max=30, description="Top N", continuous_update=False)
        n.add_class(CSS_CLASSES["top_n"])
        options = self._date_options(benchmark)
        d = widgets.SelectionSlider(options=options or [("no dates", _NO_DATE)], description="As of",
                                    continuous_update=False, layout=widgets.Layout(width="34rem"))
        d.add_class(CSS_CLASSES["date"])
        play = widgets.Play(min=0, max=max(0, len(options) - 1), step=1, interval=int(interval_ms),
                            description="Play", repeat=False)
        play.add_class(CSS_CLASSES["play"])
        self.controls = {"benchmark": b, "top_n": n, "date": d, "play": play}
        self._link = widgets.link((play, "value"), (d, "index"))
        self._set_date(as_of)
        self.widget = widgets.VBox([widgets.HBox([b, n]), widgets.HBox([play, d]), self.output])
        self.widget.add_class("lb-view")
        b.observe(self._benchmark_changed, names="value")
        self._observe(n, d)
        self.refresh()

    def _date_options(self, dataset_id):
        if dataset_id is None:
            return []
        df = _bench_frame(self.data, dataset_id)
        dates = df["created_at"].dropna() if "created_at" in df.columns else pd.Series([], dtype=object)
        if not len(dates):
            return []
        days = sorted({_utc(t).normalize() for t in dates})
        end = pd.Timedelta(days=1) - pd.Timedelta(microseconds=1)
        return [(day.strftime("%Y-%m-%d"), day + end) for day in days]

    def _set_date(self, as_of=None):
        """Point the slider at ``as_of`` (the last day on or before it), else at the latest date."""
        d = self.controls["date"]
        values = [v for _, v in d.options]
        if not values or values[0] is _NO_DATE:
            return
        index = len(values) - 1
        if as_of is not None:
            cutoff = _utc(as_of)
            before = [i for i, v in enumerate(values) if v.normalize() <= cutoff]
            index = before[-1] if before else 0
        d.index = index

    def _benchmark_changed(self, change):
        d, play = self.controls["date"], self.controls["play"]
        options = self._date_options(change["new"])
        with self._batch():
            play.playing = False
            play.value = 0
            play.max = max(0, len(options) - 1)
            d.options = options or [("no dates", _NO_DATE)]
            self._set_date(None)
        self.refresh()

    def _draw(self):
        from . import plots

        ds = self.controls["benchmark"].value
        when = self.controls["date"].value
        top_n = int(self.controls["top_n"].value)
        if ds is None:
            return [_p("No leaderboard to show.", "lb-top")]
        df = _bench_frame(self.data, ds)
        parts = [_heading(self._label(ds), ds)]
        if when is None or when is _NO_DATE:
            parts.append(_p("Nothing to replay: there is no creation date for any model on this leaderboard.", "lb-top"))
            return parts
        day = when.strftime("%Y-%m-%d")
        ranking = analysis.ranking_as_of(df, when, date="created_at", top_n=top_n)
        self._table = ranking[[c for c in ["rank", "model_id", "value", "created_at", "dataset_id"]
                               if c in ranking.columns]].assign(as_of=day)
        if len(ranking):
            first = ranking.iloc[0]
            parts.append(_p(f"Top as of {day}: {first['model_id']} — {format_value(first['value'])}", "lb-top"))
        else:
            parts.append(_p(f"As of {day} no model with a score existed yet.", "lb-top"))
        undated = int(df["created_at"].isna().sum())
        parts.append(_p(self.DATE_NOTE + (f" {undated} of {len(df)} entries have no creation date and never enter."
                                          if undated else ""), "lb-date-note"))
        values = df["value"].astype("Float64").dropna().to_numpy(dtype="float64")
        xlim = (0.0, float(values.max()) * 1.15) if len(values) and values.min() >= 0 and values.max() > 0 else None
        parts.append(self._show_figure(plots.race_bar(ranking, when, labels=self.labels, xlim=xlim)))
        parts.append(_table_part(ranking.assign(created=ranking["created_at"]) if len(ranking) else ranking,
                                 {"rank": "#", "model_id": "model", "value": "score", "created": "repo created"}))
        return parts


def _utc(when) -> pd.Timestamp:
    """A UTC Timestamp (a time without a zone is taken as UTC)."""
    t = pd.Timestamp(when)
    return t.tz_localize("UTC") if t.tzinfo is None else t.tz_convert("UTC")


def race_view(enriched: pd.DataFrame, *, labels: dict | None = None, benchmark: str | None = None, top_n: int = 10,
              as_of=None, interval_ms: int = 800) -> RaceView:
    """The "race": a benchmark's top-N as of a date, a date slider and a Play button.

    Parameters
    ----------
    enriched : DataFrame
        Leaderboard rows with ``created_at`` (``lbtools.enrich``): the Hub repository's creation date, which this view
        says plainly; rows without it never enter the race.
    as_of : date-like, optional
        The slider's starting date (default: the latest).
    interval_ms : int
        Time between frames when playing.

    Returns
    -------
    RaceView
        Controls ``benchmark`` (``lb-benchmark-picker``), ``top_n`` (``lb-top-n``), ``date`` (``lb-date-slider``, a
        ``SelectionSlider`` of the days on which a model of the benchmark was created), ``play`` (``lb-play``, linked
        to the slider's index).
    """
    return RaceView(enriched, labels=labels, benchmark=benchmark, top_n=top_n, as_of=as_of, interval_ms=interval_ms)


# --------------------------------------------------------------------------------------------
# 05 model profile


class ProfileView(View):
    """1–5 models side by side: their own eval results across benchmarks and their ranks on each leaderboard."""

    def __init__(self, leaderboards, *, results=None, labels=None, models=None, max_models=5):
        import ipywidgets as widgets

        self.leaderboards = leaderboards
        self.max_models = int(max_models)
        self._results = results
        self._cache: dict[str, pd.DataFrame] = {}
        self._failures: dict[str, str] = {}
        super().__init__(labels=labels)
        pool = {str(m) for m in leaderboards["model_id"].dropna()}
        if isinstance(results, pd.DataFrame):
            pool |= {str(m) for m in results["model_id"].dropna()}
        self.models = sorted(pool, key=str.casefold)
        chosen = [m for m in (models or []) if m in self.models]
        for m in (models or []):
            if m not in self.models:
                self.startup_notes.append(f"Model {m!r} is on none of these leaderboards and is not offered.")
        if len(chosen) > self.max_models:
            self.startup_notes.append(f"Showing the first {self.max_models} of {len(chosen)} models asked for.")
            chosen = chosen[: self.max_models]
        if not chosen and len(leaderboards):
            # Nothing asked for is here (another Hub, another snapshot): start from the leader of the largest board.
            largest = leaderboards["dataset_id"].value_counts().index[0]
            board = leaderboards[(leaderboards["dataset_id"] == largest).fillna(False).to_numpy(dtype=bool)]
            leader = str(board.sort_values(["rank", "model_id"], na_position="last").iloc[0]["model_id"])
            chosen = [leader]
            self.startup_notes.append(f"Starting with {leader}, the leader of {self._label(largest)}.")
        search = _search_box()
        picker = widgets.SelectMultiple(options=self.models, value=tuple(chosen), rows=8,
                                        description=f"Models (1–{self.max_models})",
                                        style={"description_width": "initial"}, layout=widgets.Layout(width="34rem"))
        picker.add_class(CSS_CLASSES["model"])
        self.controls = {"search": search, "models": picker}
        self.widget = widgets.VBox([widgets.HBox([search]), picker, self.output])
        self.widget.add_class("lb-view")
        self._selection = tuple(chosen)
        self._too_many = False
        search.observe(self._searched, names="value")
        picker.observe(self._picked, names="value")
        self.refresh()

    def _searched(self, change):
        picker = self.controls["models"]
        keep = self._selection
        with self._batch():
            picker.options = _search_options(self.models, change["new"], keep)
            picker.value = tuple(m for m in picker.options if m in keep)
        # the selection is unchanged: no redraw needed

    def _picked(self, change):
        if self._hold:
            return
        new = tuple(change["new"])
        if len(new) > self.max_models:
            with self._batch():
                self.controls["models"].value = self._selection
            self._too_many = True
        else:
            self._selection = new
            self._too_many = False
        self.refresh()

    def _load(self, models) -> pd.DataFrame:
        if isinstance(self._results, pd.DataFrame):
            r = self._results
            return r[r["model_id"].isin(models).fillna(False).to_numpy(dtype=bool)]
        if self._results is None:
            return pd.DataFrame(columns=["model_id", "dataset_id", "value"])
        todo = [m for m in models if m not in self._cache and m not in self._failures]
        if todo:
            fresh = self._results(todo)
            for m in todo:
                self._cache[m] = fresh[(fresh["model_id"] == m).fillna(False).to_numpy(dtype=bool)]
            self._failures.update(fresh.attrs.get("failures") or {})
        frames = [self._cache[m] for m in models if m in self._cache]
        return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=["model_id", "dataset_id",
                                                                                          "value"])

    def _draw(self):
        import matplotlib.pyplot as plt

        from . import plots

        models = list(self._selection)
        parts = []
        if self._too_many:
            parts.append(_p(f"Pick at most {self.max_models} models; the selection was kept as it was.", "lb-counts"))
        if not models:
            parts.append(_p("Pick 1–5 models in the list above.", "lb-top"))
            return parts
        results = self._load(models)
        failed = [m for m in models if m in self._failures]
        if failed:
            parts.append(_p("Eval results could not be loaded for: " + "; ".join(
                f"{m} ({self._failures[m]})" for m in failed), "lb-error"))
        results = results[results["value"].notna().to_numpy(dtype=bool)] if len(results) else results
        deduped = analysis.dedupe_results(results, rule="best") if len(results) else results
        ranks = analysis.model_ranks(self.leaderboards, models)
        summary = []
        for m in models:
            r = ranks[ranks["model_id"] == m]
            n_results = int((deduped["model_id"] == m).sum()) if len(deduped) else 0
            if len(r):
                best = r.sort_values(["percentile", "dataset_id"], ascending=[False, True]).iloc[0]
                where = (f"best rank {_cell_text(best['rank'])} of {best['n_entries']} "
                         f"on {self._label(best['dataset_id'])}")
            else:
                where = "on no leaderboard here"
            summary.append(f"{m}: {n_results} eval result(s); {where}")
        items = "".join(f"<li>{_esc(s)}</li>" for s in summary)
        parts.insert(0, _html_part(f'<ul class="lb-top">{items}</ul>', "\n".join(summary)))
        benches = list(pd.unique(pd.concat([deduped["dataset_id"] if len(deduped) else pd.Series([], dtype=object),
                                            ranks["dataset_id"]]).dropna()))
        if benches:
            fig, (ax1, ax2) = plt.subplots(2, 1, figsize=(max(8.0, 1.2 + 0.9 * len(benches)), 9),
                                           layout="constrained")
            if len(deduped):
                plots.model_profile_bars(deduped, labels=self.labels, ax=ax1,
                                         title="Eval results published in the model repos (as published)")
            else:
                ax1.set_axis_off()
                ax1.text(0.5, 0.5, "no eval results in the model repos", ha="center", transform=ax1.transAxes)
            if len(ranks):
                plots.model_profile_bars(ranks, value="percentile", labels=self.labels, ax=ax2,
                                         title="Position on each benchmark's leaderboard (percentile, 100 = leader)")
            else:
                ax2.set_axis_off()
            parts.append(self._show_figure(fig))
        table = self._merge(deduped, ranks)
        self._table = table
        parts.append(_table_part(table, {
            "model_id": "model", "benchmark": "benchmark", "value": "eval result", "verified": "verified",
            "source_name": "source", "notes": "notes", "date": "date", "rank_of": "leaderboard rank",
            "percentile": "percentile",
        }, links={"source_name": "source_url"}))
        return parts

    def _merge(self, results, ranks) -> pd.DataFrame:
        cols = ["model_id", "dataset_id", "task_id", "value", "verified", "source_name", "source_url", "notes", "date"]
        left = results[[c for c in cols if c in results.columns]] if len(results) else pd.DataFrame(
            columns=["model_id", "dataset_id", "value"])
        right = ranks.rename(columns={"value": "leaderboard_value"})[
            ["model_id", "dataset_id", "rank", "n_entries", "percentile", "leaderboard_value"]]
        left = left.astype({"model_id": "string", "dataset_id": "string"})
        right = right.astype({"model_id": "string", "dataset_id": "string"})
        table = left.merge(right, on=["model_id", "dataset_id"], how="outer")
        order = {m: i for i, m in enumerate(self._selection)}
        table["__m"] = table["model_id"].map(order)
        table = table.sort_values(["__m", "dataset_id"], kind="stable").drop(columns="__m").reset_index(drop=True)
        table.insert(2, "benchmark", [self._label(d) for d in table["dataset_id"]])
        table["rank_of"] = [f"{_cell_text(r)} of {_cell_text(n)}" if not pd.isna(r) else "—"
                            for r, n in zip(table["rank"], table["n_entries"])]
        return table


def profile_view(leaderboards: pd.DataFrame, *, results=None, labels: dict | None = None, models=None,
                 max_models: int = 5) -> ProfileView:
    """Pick 1–5 models: their eval results (grouped bars and a table) beside their rank on each leaderboard.

    Parameters
    ----------
    leaderboards : DataFrame
        ``lbtools.load_leaderboards()``: the models offered, and ranks via ``analysis.model_ranks``.
    results : DataFrame or callable, optional
        ``lbtools.load_eval_results`` (called for newly picked models only, results kept) or its result for the
        models; de-duplicated with ``analysis.dedupe_results(rule="best")`` (a warning says how many rows).
    models : list of str, optional
        Picked at the start (at most ``max_models``).

    Returns
    -------
    ProfileView
        Controls ``search`` (``lb-model-search``) and ``models`` (``lb-model-picker``, a ``SelectMultiple``; picking a
        sixth model is refused with a note). The table shows verified / source / notes as text beside each model's
        leaderboard rank and percentile.
    """
    return ProfileView(leaderboards, results=results, labels=labels, models=models, max_models=max_models)
