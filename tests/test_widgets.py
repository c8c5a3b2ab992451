"""lbtools.widgets: the binder (one output redrawn in place, notes at the top, errors as text), the pickers, the
escaped tables and lines, the source banner, export.

Views are bound outside a kernel here, where the binder writes its output widget's state directly; ``view.bundles``
is what the last draw showed (the same in a kernel). Data: small hand-made frames.
"""
from __future__ import annotations

import base64
import io
import struct
import subprocess
import sys
import warnings

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from lbtools import analysis, widgets  # noqa: E402

XSS = "<img src=x onerror=alert(1)>"
XSS_ESCAPED = "&lt;img src=x onerror=alert(1)&gt;"


# --------------------------------------------------------------------------------------------
# data


def _leaderboards():
    rows = [
        # dataset, model, value, verified, source_name, source_url, notes
        ("org/alpha", "model-a/alpha", 91.5, True, "Paper", "https://example.org/paper", None),
        ("org/alpha", "model-b/beta", 88.0, False, "<b>bold</b>", "javascript:alert(1)", XSS),
        ("org/alpha", "model-c/gamma", 70.25, None, None, None, "plain note"),
        ("org/alpha", "model-d/delta", 60.0, True, None, None, None),
        ("org/beta", "model-b/beta", 76.4, True, "Leaderboard", "https://example.org/lb", None),
        ("org/beta", "model-a/alpha", 50.0, False, None, None, None),
        ("org/beta", "model-c/gamma", 40.0, None, None, None, None),
        ("org/beta", "model-d/delta", 30.0, True, None, None, None),
        ("org/gamma", "model-c/gamma", 10.0, None, None, None, None),
        ("org/gamma", "model-a/alpha", 20.0, None, None, None, None),
        ("org/gamma", "model-b/beta", 30.0, None, None, None, None),
        ("org/gamma", "model-d/delta", 40.0, None, None, None, None),
    ]
    df = pd.DataFrame(rows, columns=["dataset_id", "model_id", "value", "verified", "source_name", "source_url",
                                     "notes"])
    df["rank"] = df.groupby("dataset_id")["value"].rank(ascending=False).astype("Int64")
    df = df.astype({"dataset_id": "string", "model_id": "string", "value": "Float64", "verified": "boolean",
                    "source_name": "string", "source_url": "string", "notes": "string"})
    df["lower_is_better"] = pd.array([None] * len(df), dtype="boolean")
    df.attrs.update(source="snapshot:test", fetched_at="2026-01-01T00:00:00Z", failures={})
    return df


LABELS = {"org/alpha": "Alpha bench", "org/beta": "Beta bench", "org/gamma": "Gamma bench"}


def _enriched():
    df = _leaderboards()
    created = {
        "model-a/alpha": "2025-01-10T12:00:00Z",
        "model-b/beta": "2025-03-05T08:00:00Z",
        "model-c/gamma": "2025-06-01T00:00:00Z",
        "model-d/delta": None,
    }
    params = {"model-a/alpha": 70e9, "model-b/beta": 7e9, "model-c/gamma": None, "model-d/delta": None}
    df["created_at"] = pd.to_datetime(df["model_id"].map(created), utc=True)
    df["num_parameters"] = pd.array([None] * len(df), dtype="Int64")
    df["num_parameters_model"] = pd.array([params[m] for m in df["model_id"]], dtype="Int64")
    return df


def _html_of(view) -> str:
    """The HTML the output widget holds now (its own state, not only the view's record)."""
    return "\n".join(o["data"].get("text/html", "") for o in view.output.outputs)


def _assert_escaped(markup: str):
    assert "<img" not in markup
    assert "onerror=alert(1)>" not in markup
    assert "<b>bold</b>" not in markup
    assert 'href="javascript' not in markup.lower()


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


# --------------------------------------------------------------------------------------------
# helpers


def test_format_value():
    assert widgets.format_value(76.4) == "76.4"
    assert widgets.format_value(0.82345) in ("0.8234", "0.8235")
    assert widgets.format_value(74.0) == "74"
    assert widgets.format_value(None) == "—"
    assert widgets.format_value(pd.NA) == "—"
    assert widgets.format_value(float("nan")) == "—"


def test_html_table_escapes_every_cell_and_header():
    df = pd.DataFrame({"model_id": ["a/<script>x</script>"], "notes": [XSS], "<th>": ["&amp;"]})
    markup = widgets.html_table(df)
    assert "<script>" not in markup and "&lt;script&gt;" in markup
    assert XSS_ESCAPED in markup and "<img" not in markup
    assert "<th>&lt;th&gt;</th>" in markup
    assert "&amp;amp;" in markup  # an entity in the data is shown as typed, not decoded


def test_html_table_links_only_http_urls_and_escapes_them():
    df = pd.DataFrame({
        "source_name": ["ok", "bad", "quote", None],
        "source_url": ["https://example.org/a?x=1&y=2", "javascript:alert(1)", 'https://e.org/"onmouseover="x', None],
    })
    markup = widgets.html_table(df, ["source_name"], links={"source_name": "source_url"})
    assert '<a href="https://example.org/a?x=1&amp;y=2"' in markup
    assert 'rel="noopener noreferrer"' in markup
    assert "javascript" not in markup
    assert '"onmouseover' not in markup and "&quot;onmouseover=&quot;x" in markup
    assert markup.count("<a ") == 2


def test_html_table_formats_missing_booleans_dates_and_limits_rows():
    df = pd.DataFrame({
        "verified": pd.array([True, False, None], dtype="boolean"),
        "date": pd.to_datetime(["2025-01-02", None, "2025-03-04"], utc=True),
        "value": pd.array([1.5, None, 3.0], dtype="Float64"),
    })
    markup = widgets.html_table(df, max_rows=2)
    assert "<td>yes</td>" in markup and "<td>no</td>" in markup
    assert "<td>2025-01-02</td>" in markup and "2025-03-04" not in markup
    assert markup.count("<td>—</td>") == 2
    assert "1 more rows" in markup


def test_source_banner_snapshot_hub_and_failures(monkeypatch):
    df = pd.DataFrame({"x": [1]})
    df.attrs.update(source="snapshot:openevals-2026-03-25", fetched_at="2026-03-25T19:09:12Z")
    banner = widgets.source_banner(df)
    assert banner == "**Data:** snapshot:openevals-2026-03-25 (bundled snapshot), as of 2026-03-25T19:09:12Z"
    monkeypatch.setenv("HF_ENDPOINT", "http://127.0.0.1:9")
    df.attrs.update(source="hub", fetched_at="2026-04-01T00:00:00Z", failures={"evil/<b>x</b>": "gone"})
    banner = widgets.source_banner(df)
    assert banner.startswith("**Data:** live Hub (http://127.0.0.1:9), fetched 2026-04-01T00:00:00Z")
    assert "1 benchmark could not be loaded and is left out" in banner  # plural right (issue 24 item 9)
    assert "<b>" not in banner and "&lt;b&gt;" in banner
    df.attrs.update(failures={"a/x": "gone", "b/y": "gone"}, without_leaderboard=["c/new", "a/x"])
    banner = widgets.source_banner(df)
    assert "2 benchmarks could not be loaded and are left out: a/x, b/y" in banner
    # issue 24 item 11: an official benchmark without a leaderboard is mentioned, not only the failed ones
    assert "1 official benchmark has no leaderboard yet: c/new" in banner


def test_benchmark_labels_prefer_the_listing_and_disambiguate():
    listing = pd.DataFrame({"dataset_id": ["org/alpha", "org/beta"], "display_name": ["Same", "Same"]})
    labels = widgets.benchmark_labels(["org/alpha", "org/beta", "SWE-bench/SWE-bench_Verified"], listing)
    assert labels == {
        "org/alpha": "Same (org/alpha)",
        "org/beta": "Same (org/beta)",
        "SWE-bench/SWE-bench_Verified": "SWE-bench Verified",
    }
    # Not named anywhere: a readable form of the id (issue 24 item 13), the same wherever the mapping is used
    assert widgets.benchmark_labels(_leaderboards()) == {"org/alpha": "alpha", "org/beta": "beta",
                                                          "org/gamma": "gamma"}
    assert widgets.benchmark_labels(["openai/openai_humaneval", "a/aime_2024", "b/aime_2024"]) == {
        "openai/openai_humaneval": "openai humaneval", "a/aime_2024": "aime 2024 (a/aime_2024)",
        "b/aime_2024": "aime 2024 (b/aime_2024)"}


def test_importing_widgets_loads_no_ui_or_plotting_library():
    code = (
        "import sys, lbtools.widgets\n"
        "heavy = [m for m in ('ipywidgets', 'matplotlib', 'seaborn', 'IPython') if m in sys.modules]\n"
        "assert not heavy, heavy\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


# --------------------------------------------------------------------------------------------
# bind


def _output_html(view) -> str:
    """The HTML the output widget holds now (its own state, not only the view's record)."""
    return "\n".join(o["data"].get("text/html", "") for o in view.output.outputs)


def test_bind_draws_now_and_on_every_change_in_one_output():
    calls = []

    def show(benchmark, top_n):
        calls.append((benchmark, top_n))
        board = analysis.top_n(_leaderboards().query("dataset_id == @benchmark"), top_n)
        widgets.note(f"Top: {board.iloc[0]['model_id']}", css_class="lb-top")
        widgets.show_table(board, ["rank", "model_id", "value"])
        return board

    b = widgets.benchmark_picker(_leaderboards(), LABELS, value="org/alpha")
    n = widgets.top_n(2, max=10)
    view = widgets.bind(show, benchmark=b, top_n=n)
    assert calls == [("org/alpha", 2)] and view.redraws == 1
    assert "Top: model-a/alpha" in view.text() and len(view.result) == 2
    b.value = "org/beta"
    n.value = 3
    assert calls == [("org/alpha", 2), ("org/beta", 2), ("org/beta", 3)]
    assert "Top: model-b/beta" in view.text() and "Top: model-a/alpha" not in view.text()
    assert view.output.outputs and len(view.output.outputs) == len(view.bundles) == 2  # replaced, not stacked
    assert 'class="lb-top"' in _output_html(view) and 'class="lb-table"' in _output_html(view)
    assert view.tables[0]["model_id"].tolist() == ["model-b/beta", "model-a/alpha", "model-c/gamma"]
    assert view.values() == {"benchmark": "org/beta", "top_n": 3}
    assert "lb-view" in view._dom_classes and "lb-output" in view.output._dom_classes
    assert view.output in view.children and b in view.children[0].children
    view.refresh()
    assert len(calls) == 4 and view.redraws == 4


def test_a_readers_first_change_collects_then_spares_what_lives_from_later_full_collections():
    """Redraws stay quick: at the first change of a control, what the kernel holds then (pandas, matplotlib, the data)
    is left out of Python's later full collections, which otherwise walk it all again every few redraws (0.15–0.2 s
    each in notebook 06). What is garbage at that moment is collected first, never kept for good."""
    import gc
    import weakref

    from lbtools.widgets import _freeze_once

    class Node:
        pass

    _freeze_once.cache_clear()
    gc.unfreeze()
    try:
        b = widgets.benchmark_picker(_leaderboards(), LABELS, value="org/alpha")
        widgets.bind(lambda benchmark: None, benchmark=b)
        assert gc.get_freeze_count() == 0  # not when the notebook runs: at the reader's first change
        cycle = Node()
        cycle.self = cycle
        dropped = weakref.ref(cycle)
        del cycle
        kept = [Node() for _ in range(100)]
        b.value = "org/beta"
        assert dropped() is None  # the garbage of the moment was collected, not frozen
        assert gc.get_freeze_count() >= len(kept)
        frozen = gc.get_freeze_count()
        b.value = "org/gamma"
        assert gc.get_freeze_count() == frozen  # once per kernel
    finally:
        gc.unfreeze()
        _freeze_once.cache_clear()


def test_bind_skips_a_change_that_leaves_every_value_as_drawn():
    calls = []
    b = widgets.benchmark_picker(_leaderboards(), LABELS, value="org/alpha")
    n = widgets.top_n(4, max={"org/alpha": 4, "org/beta": 4, "org/gamma": 2}, follow=b)
    widgets.bind(lambda benchmark, top_n: calls.append((benchmark, top_n)), benchmark=b, top_n=n)
    b.value = "org/gamma"  # also lowers Top N's maximum, and so its value: ONE redraw with both
    assert calls == [("org/alpha", 4), ("org/gamma", 2)]


def test_bind_shows_figures_in_order_and_closes_them():
    def show(k):
        fig, ax = plt.subplots(figsize=(8, 3))
        ax.plot([0, k])
        widgets.show_table(pd.DataFrame({"k": [k]}))
        plt.subplots(figsize=(4, 3))

    before = plt.get_fignums()
    view = widgets.bind(show, k=widgets.top_n(1, max=5))
    kinds = [("image/png" in b, "text/html" in b) for b in view.bundles]
    assert kinds == [(True, False), (False, True), (True, False)]
    assert plt.get_fignums() == before and len(view.figures) == 2
    png = base64.b64decode(view.bundles[0]["image/png"])
    width, height = struct.unpack(">II", png[16:24])
    assert (width, height) == (800, 300)  # the figure's size at 100 dpi, not cropped or scaled


def test_shown_png_is_the_figure_savefig_draws_and_leaves_its_dpi_and_canvas_alone():
    from matplotlib.figure import Figure
    from PIL import Image

    fig = Figure(figsize=(5, 3), layout="constrained", dpi=72)  # kept by the caller, as a cached figure is
    ax = fig.add_subplot()
    ax.barh(range(3), [1, 2, 3])
    ax.set_yticks(range(3), labels=["org/a-long-model-name-7B", "b", "c"])
    ax.set_title("laid out by constrained layout")
    canvas = fig.canvas
    view = widgets.bind(lambda: widgets.show_figure(fig))
    assert fig.dpi == 72 and fig.canvas is canvas  # its own canvas back (inline, ipympl…), not the one drawn on
    expected = io.BytesIO()
    fig.savefig(expected, format="png", dpi=100)
    got = np.asarray(Image.open(io.BytesIO(base64.b64decode(view.bundles[0]["image/png"]))))
    assert got.shape == (300, 500, 4)
    assert np.array_equal(got, np.asarray(Image.open(expected)))


def test_bind_shows_warnings_as_escaped_notes_at_the_top_for_this_draw_only():
    def show(flag):
        widgets.note("body")
        if flag:
            warnings.warn("dropped 2 rows:\n  <b>model-x</b>", UserWarning)
            warnings.warn("dropped 2 rows:\n  <b>model-x</b>", UserWarning)

    t = widgets.toggle("Warn", value=True)
    view = widgets.bind(show, flag=t)
    assert view.notes == ["dropped 2 rows: <b>model-x</b>"]
    assert 'class="lb-notes"' in view.bundles[0]["text/html"]
    assert "&lt;b&gt;model-x&lt;/b&gt;" in _output_html(view) and "<b>model-x" not in _output_html(view)
    t.value = False
    assert view.notes == [] and "lb-notes" not in _output_html(view) and "body" in view.text()


def test_bind_passes_developer_warnings_on():
    def show(x):
        warnings.warn("old api", DeprecationWarning)

    with pytest.warns(DeprecationWarning, match="old api"):
        view = widgets.bind(show, x=widgets.toggle("X"))
    assert view.notes == []


def test_bind_shows_an_error_as_one_escaped_line_never_a_traceback():
    from lbtools.errors import NotFoundError

    def show(kind):
        plt.subplots()
        widgets.note("half drawn")
        if kind == "lbtools":
            raise NotFoundError("benchmark <b>x</b> not found: check the id")
        raise KeyError("<script>")

    kind = widgets.benchmark_picker(["lbtools", "other"], value="lbtools", css_class="lb-kind")
    before = plt.get_fignums()
    view = widgets.bind(show, kind=kind)
    assert isinstance(view.error, NotFoundError)
    assert view.text() == "Could not draw this view with these picks: benchmark <b>x</b> not found: check the id"
    assert 'class="lb-error"' in view.html() and "&lt;b&gt;x&lt;/b&gt;" in view.html()
    assert plt.get_fignums() == before and view.figures == []
    kind.value = "other"
    assert view.text() == "Could not draw this view with these picks: KeyError: '<script>'"
    assert "Traceback" not in view.text() and "<script>" not in view.html()


def test_bind_refuses_what_is_not_a_control():
    with pytest.raises(TypeError, match="top_n="):
        widgets.bind(lambda top_n: None, top_n=5)
    with pytest.raises(TypeError, match="fn must be callable"):
        widgets.bind("show")


def test_in_a_kernel_a_redraw_goes_through_the_output_with_clear_output_wait(monkeypatch):
    """In a kernel, display() calls inside the view are captured and the output is redrawn with
    clear_output(wait=True) then the new bundles: nothing stacks up."""
    import IPython
    import IPython.display
    from IPython.core.interactiveshell import InteractiveShell

    shell = InteractiveShell.instance()
    try:
        calls = []
        b = widgets.benchmark_picker(_leaderboards(), LABELS, value="org/alpha")

        def show(benchmark):
            IPython.display.display(IPython.display.HTML(f"<p>plain display {benchmark}</p>"))
            widgets.note(f"note {benchmark}")

        view = widgets.bind(show, benchmark=b)
        assert "note org/alpha" in view.text() and "plain display org/alpha" in view.html()
        shell.kernel = object()
        monkeypatch.setattr(IPython.display, "clear_output", lambda wait=False: calls.append(("clear", wait)))
        monkeypatch.setattr(IPython.display, "publish_display_data",
                            lambda data, metadata=None, **kw: calls.append(("show", data.get("text/plain"))))
        b.value = "org/beta"
        assert calls[0] == ("clear", True)
        assert [c[0] for c in calls[1:]] == ["show", "show"] and "note org/beta" in calls[-1][1]
    finally:
        InteractiveShell.clear_instance()


# --------------------------------------------------------------------------------------------
# show_table and note


def test_show_table_is_escaped_with_a_caption_and_a_row_limit():
    df = pd.DataFrame({"model_id": [XSS, "b", "c"], "value": [1.0, 2.0, 3.0]})
    view = widgets.bind(lambda k: widgets.show_table(df, {"model_id": "model"}, max_rows=2, caption="<i>c</i>"),
                        k=widgets.toggle("K"))
    markup = view.html()
    _assert_escaped(markup)
    assert XSS_ESCAPED in markup and "<th>model</th>" in markup and "<th>value</th>" not in markup
    assert '<p class="lb-caption">&lt;i&gt;c&lt;/i&gt;</p>' in markup and "1 more rows" in markup
    assert view.tables[0] is df
    with pytest.raises(TypeError, match="DataFrame"):
        widgets.show_table([1, 2])


def test_note_is_one_escaped_line():
    view = widgets.bind(lambda k: widgets.note("two\n  lines <b>x</b>"), k=widgets.toggle("K"))
    assert view.html() == '<p class="lb-note">two lines &lt;b&gt;x&lt;/b&gt;</p>'


# --------------------------------------------------------------------------------------------
# pickers


def test_benchmark_picker_offers_scored_benchmarks_by_name_and_falls_back_with_a_note():
    df = _leaderboards()
    df.loc[df["dataset_id"] == "org/gamma", "value"] = pd.NA
    b = widgets.benchmark_picker(df, LABELS)
    assert b.options == (("Alpha bench", "org/alpha"), ("Beta bench", "org/beta"))
    assert "lb-benchmark-picker" in b._dom_classes
    missing = widgets.benchmark_picker(_leaderboards(), LABELS, value="org/none")
    view = widgets.bind(lambda benchmark: widgets.note(benchmark), benchmark=missing)
    assert missing.value == "org/alpha"  # the largest leaderboard (ties by name)
    assert view.notes == ["org/none is not in this data; showing Alpha bench, the largest leaderboard, instead."]
    assert view.bundles[0]["text/html"].startswith('<ul class="lb-notes">')
    missing.value = "org/beta"
    assert view.notes == []  # the note belongs to the fallback, not to what the user picked


def test_top_n_max_follows_the_board_size():
    b = widgets.benchmark_picker(_leaderboards(), LABELS, value="org/alpha")
    n = widgets.top_n(10, max={"org/alpha": 4, "org/beta": 3}, follow=b)
    assert (n.min, n.max, n.value) == (1, 4, 4) and "lb-top-n" in n._dom_classes
    b.value = "org/beta"
    assert (n.max, n.value) == (3, 3)
    with pytest.raises(ValueError, match="follow="):
        widgets.top_n(5, max={"a": 1})


def test_toggle_disabled_with_its_reason_in_the_label():
    t = widgets.toggle("Verified only", value=True, disabled_reason="no entry in this data is marked verified")
    assert t.disabled and t.value is False
    assert t.description == "Verified only — no entry in this data is marked verified"
    assert "lb-verified-only" in t._dom_classes
    assert widgets.toggle("Include fine-tunes", css_class="lb-fine-tunes")._dom_classes == ("lb-fine-tunes",)
    assert not getattr(t, "description_allow_html", False)


def test_method_picker_and_min_overlap_never_below_three():
    m = widgets.method_picker("kendall")
    assert m.value == "kendall" and [v for _, v in m.options] == ["spearman", "kendall", "pearson"]
    assert "lb-method-picker" in m._dom_classes
    k = widgets.min_overlap(2, max=40)
    assert (k.min, k.value, k.max) == (3, 3, 40) and "lb-min-overlap" in k._dom_classes
    with pytest.raises(ValueError, match="value must be one of"):
        widgets.method_picker("cosine")


def test_model_picker_search_keeps_the_selection_and_names_models_not_offered():
    box = widgets.model_picker(_leaderboards(), value=["model-b/beta", "nobody/none"], multiple=True)
    assert box.value == ("model-b/beta",)
    assert "lb-model-picker" in box.picker._dom_classes and "lb-model-search" in box.search._dom_classes
    drawn = []
    view = widgets.bind(lambda models: drawn.append(models), models=box)
    assert view.notes == ["Not in this data, left out: nobody/none."]
    box.search.value = "ALPHA"
    assert box.picker.options == ("model-a/alpha", "model-b/beta") and box.value == ("model-b/beta",)
    assert drawn == [("model-b/beta",)]  # searching changes no pick: no redraw
    box.picker.value = ("model-a/alpha", "model-b/beta")
    assert drawn[-1] == ("model-a/alpha", "model-b/beta") and view.notes == []
    single = widgets.model_picker(["b/x", "a/y", "a/z"], value="a/z")
    assert single.picker.options == ("a/y", "a/z", "b/x") and single.value == "a/z"
    single.search.value = "b/"
    assert single.value == "b/x"  # a search excluding the current model picks the first match
    other = widgets.model_picker(["b/x", "a/y"], value="nobody/none")  # 01's MODEL not in the data
    assert other.value == "a/y" and widgets.bind(lambda m: None, m=other).notes == [
        "nobody/none is not in this data; showing a/y instead."]


def test_organisation_picker_keeps_its_value_across_benchmarks_where_it_applies():
    df = _leaderboards()
    df = pd.concat([df, pd.DataFrame({"dataset_id": ["org/delta"], "model_id": ["model-z/zeta"], "value": [1.0]})],
                   ignore_index=True)
    b = widgets.benchmark_picker(df, LABELS, value="org/alpha")
    o = widgets.organisation_picker(df, follow=b, value="model-b")
    drawn = []
    widgets.bind(lambda benchmark, org: drawn.append((benchmark, org)), benchmark=b, org=o)
    assert [v for _, v in o.options] == ["", "model-a", "model-b", "model-c", "model-d"]
    b.value = "org/beta"
    assert o.value == "model-b"
    b.value = "org/delta"
    assert o.value == "" and [v for _, v in o.options] == ["", "model-z"]
    assert drawn == [("org/alpha", "model-b"), ("org/beta", "model-b"), ("org/delta", "")]


def _dated():
    df = _leaderboards()
    created = {"model-a/alpha": "2025-01-10T12:00:00Z", "model-b/beta": "2025-03-05T08:00:00Z",
               "model-c/gamma": "2025-06-01T00:00:00Z", "model-d/delta": None}
    df["created_at"] = pd.to_datetime(df["model_id"].map(created), utc=True)
    return df


def test_date_player_play_draws_the_frame_the_slider_shows_and_stop_keeps_the_date():
    b = widgets.benchmark_picker(_dated(), LABELS, value="org/alpha")
    d = widgets.date_player(_dated(), follow=b, value="2025-03-31")
    assert "lb-date-slider" in d.slider._dom_classes and "lb-play" in d.button._dom_classes
    assert [label for label, _ in d.slider.options] == ["2025-01-10", "2025-03-05", "2025-06-01"]
    drawn = []
    widgets.bind(lambda when: drawn.append(when.strftime("%Y-%m-%d")), when=d)
    assert drawn == ["2025-03-05"]
    d.play.playing = True  # what the Play button does in the browser: playing, then +1 per tick
    d.play.value += 1
    assert d.slider.value.strftime("%Y-%m-%d") == drawn[-1] == "2025-06-01"
    assert d.play.playing is False  # the last day: stops there
    d.play.value = d.play.min  # the Stop button resets Play to its minimum
    assert drawn[-1] == "2025-06-01" and d.slider.index == 2
    d.play.playing = True  # at the last day, Play starts over from the first
    assert drawn[-1] == "2025-01-10"
    d.play.value += 1
    assert drawn[-1] == "2025-03-05"


def test_date_player_follows_the_benchmark_and_says_when_there_are_no_dates():
    df = _dated()
    df.loc[df["dataset_id"] == "org/gamma", "created_at"] = pd.NaT
    b = widgets.benchmark_picker(df, LABELS, value="org/alpha")
    d = widgets.date_player(df, follow=b)
    drawn = []
    widgets.bind(lambda benchmark, when: drawn.append((benchmark, when)), benchmark=b, when=d)
    b.value = "org/gamma"
    assert drawn[-1] == ("org/gamma", None) and d.slider.disabled and d.play.disabled
    b.value = "org/beta"
    assert drawn[-1][1].strftime("%Y-%m-%d") == "2025-06-01" and len(drawn) == 3


# --------------------------------------------------------------------------------------------
# export


def test_save_view_writes_the_last_draws_figures_and_tables(tmp_path):
    def show(k):
        fig, ax = plt.subplots()
        ax.bar(["a"], [k])
        widgets.show_table(pd.DataFrame({"k": [k]}))

    view = widgets.bind(show, k=widgets.top_n(3, max=5))
    paths = widgets.save_view(view, tmp_path / "out", "01_view")
    assert sorted(p.name for p in paths) == ["01_view.csv", "01_view.png", "01_view.svg"]
    assert (tmp_path / "out" / "01_view.csv").read_text() == "k\n3\n"
    assert (tmp_path / "out" / "01_view.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    again = widgets.save_view(view, tmp_path / "again", "01_view")  # the same view saved twice: the same bytes
    assert [p.read_bytes() for p in sorted(paths)] == [p.read_bytes() for p in sorted(again)]


def test_show_table_leaves_out_columns_the_data_does_not_publish_and_formats_quantities():
    df = pd.DataFrame({"model_id": ["a/x", "b/y"], "notes": pd.array([None, None], dtype="string"),
                       "parameters": pd.array([1_060_000_000_000, None], dtype="Int64"),
                       "percentile": [95.652, 100.0]})
    view = widgets.bind(lambda k: widgets.show_table(df, {"model_id": "model", "notes": "notes",
                                                          "parameters": "size", "percentile": "pct"}),
                        k=widgets.toggle("K"))
    markup = view.html()
    assert "<th>notes</th>" not in markup and "columns left out): notes" in markup
    assert "<td>1.06T</td>" in markup and "<td>95.7</td>" in markup and "<td>100.0</td>" in markup


def test_cached_loads_once_and_repeats_what_the_loader_said():
    calls = []

    def load(model):
        calls.append(model)
        warnings.warn(f"{model}: 1 result file could not be parsed and was skipped", UserWarning)
        return pd.DataFrame({"model_id": [model]})

    results_of = widgets.cached(load)
    picker = widgets.model_picker(["a/x", "b/y"], value="a/x")
    view = widgets.bind(lambda model: widgets.show_table(results_of(model)), model=picker)
    picker.picker.value = "b/y"
    picker.picker.value = "a/x"
    assert calls == ["a/x", "b/y"]  # fetched once each
    assert view.notes == ["a/x: 1 result file could not be parsed and was skipped"]  # still said on the redraw


# --------------------------------------------------------------------------------------------
# issue 24: notes, errors, filters, formats


def test_library_warnings_are_never_a_note_and_lbtools_notes_speak_plainly(recwarn):
    """Items 8 and 9: matplotlib's AutoDateLocator warning and SciPy's BCa warning leaked into the notes line."""
    import matplotlib.dates as mdates
    from scipy.stats import DegenerateDataWarning

    from lbtools.errors import AnalysisWarning

    def show(k):
        fig, ax = plt.subplots()
        ax.plot(pd.to_datetime(["2025-01-01"] * 2), [1, 2])
        ax.xaxis.set_major_locator(mdates.AutoDateLocator(minticks=30, maxticks=31))
        warnings.warn("The BCa confidence interval cannot be calculated.", DegenerateDataWarning)
        # what is still tidied at display: the loaders' console prefix and pointer, a fit's function name; the
        # reason stays (it says what to do), brackets and all
        warnings.warn("lbtools: 1 of 3 benchmarks failed and is left out — benchmark x/gated is gated: log in "
                      "(no token was sent) (df.attrs['failures'] says why for each)", AnalysisWarning)
        warnings.warn("fit_capability: item counts unknown for 9 benchmarks", AnalysisWarning)
        warnings.warn("fit_capability: item counts unknown for 9 benchmarks", AnalysisWarning)  # said once

    view = widgets.bind(show, k=widgets.toggle("K"))
    assert view.notes == ["1 of 3 benchmarks failed and is left out — benchmark x/gated is gated: log in "
                          "(no token was sent)", "item counts unknown for 9 benchmarks"]
    assert not [w for w in recwarn if "AutoDateLocator" in str(w.message) or "BCa" in str(w.message)]


def test_a_fallback_note_is_for_the_default_only_until_the_reader_picks():
    """Item 7: the note came back after the reader picked something themselves."""
    picker = widgets.benchmark_picker(_leaderboards(), LABELS, value="org/none")
    view = widgets.bind(lambda benchmark: widgets.note(benchmark), benchmark=picker)
    assert len(view.notes) == 1
    picker.value = "org/beta"
    picker.value = "org/alpha"  # back to the fallback's benchmark, picked by the reader this time
    assert view.notes == []


def test_a_picker_given_something_not_in_the_data_says_what_it_shows_instead():
    """Found by running the notebooks with awkward parameters: 03's organisation filter was dropped without a word
    (and "qwen" did not find Qwen), 04's date before every creation date showed the first one silently, 06's list
    of benchmarks with one unknown id stopped the notebook with a TraitError."""
    df = _dated()
    org = widgets.organisation_picker(df, value="MODEL-B")  # any case
    assert org.value == "model-b" and widgets.bind(lambda o: None, o=org).notes == []
    org = widgets.organisation_picker(df, value="nobody")
    assert org.value == "" and widgets.bind(lambda o: None, o=org).notes == [
        "No model of an organisation nobody on this benchmark; showing all organisations."]
    early = widgets.date_player(df, value="2020-01-01")
    assert early.slider.label == "2025-01-10" and widgets.bind(lambda d: None, d=early).notes == [
        "No model here was created by 2020-01-01; showing the first day one was, 2025-01-10."]
    assert widgets.bind(lambda d: None, d=widgets.date_player(df, value="2025-04-01")).notes == []  # a day before it
    subset = widgets.benchmark_subset(["org/alpha", "org/beta"], LABELS, ["org/beta", "org/none"])
    assert subset.value == ("org/beta",) and widgets.bind(lambda b: None, b=subset).notes == [
        "Not in this data, left out: org/none."]
    assert widgets.benchmark_subset(["org/alpha", "org/beta"], LABELS).value == ("org/alpha", "org/beta")


def test_an_id_typed_in_another_case_is_taken_in_the_datas_case_and_a_misspelt_one_is_asked_about():
    """Found by a newcomer: 01 with MODEL="qwen/qwen3.5-397b-a17b" showed (and exported) an unrelated model. Another
    case is the same repository on the Hub; a near spelling may be another benchmark (aime_2025 is not aime_2026), so
    it is only asked about."""
    models = ["Qwen/Qwen3.5-397B-A17B", "MiniMaxAI/MiniMax-M2.5", "zai-org/GLM-5"]
    single = widgets.model_picker(models, value="qwen/qwen3.5-397b-a17b")
    assert single.value == "Qwen/Qwen3.5-397B-A17B" and widgets.bind(lambda m: None, m=single).notes == [
        "qwen/qwen3.5-397b-a17b is not in this data; showing Qwen/Qwen3.5-397B-A17B, the same id in the data's "
        "case, instead."]
    typo = widgets.model_picker(models, value="zai-org/GLM-6")
    assert typo.value == "MiniMaxAI/MiniMax-M2.5" and widgets.bind(lambda m: None, m=typo).notes == [
        "zai-org/GLM-6 is not in this data (did you mean zai-org/GLM-5?); showing MiniMaxAI/MiniMax-M2.5 instead."]
    several = widgets.model_picker(models, value=["MINIMAXAI/MiniMax-M2.5", "MiniMaxAI/MiniMax-M2.7", "nobody/none"],
                                   multiple=True)
    assert several.value == ("MiniMaxAI/MiniMax-M2.5",) and widgets.bind(lambda m: None, m=several).notes == [
        "Not in this data, shown in the data's case: MINIMAXAI/MiniMax-M2.5 → MiniMaxAI/MiniMax-M2.5. "
        "Not in this data, left out: MiniMaxAI/MiniMax-M2.7 (did you mean MiniMaxAI/MiniMax-M2.5?), nobody/none."]
    listed = widgets.model_picker(models, value=["zai-org/GLM-5", "nobody/none"])  # a list in a single picker
    assert listed.value == "zai-org/GLM-5" and widgets.bind(lambda m: None, m=listed).notes == []
    bench = widgets.benchmark_picker(_leaderboards(), LABELS, value="ORG/Beta")
    assert bench.value == "org/beta" and widgets.bind(lambda b: None, b=bench).notes == [
        "ORG/Beta is not in this data; showing Beta bench (org/beta), the same id in the data's case, instead."]
    near = widgets.benchmark_picker(_leaderboards(), LABELS, value="org/betaa")
    assert near.value == "org/alpha" and widgets.bind(lambda b: None, b=near).notes == [
        "org/betaa is not in this data (did you mean org/beta?); showing Alpha bench, the largest leaderboard, "
        "instead."]
    subset = widgets.benchmark_subset(["org/alpha", "org/beta"], LABELS, ["ORG/alpha", "org/betta"])
    assert subset.value == ("org/alpha",) and widgets.bind(lambda b: None, b=subset).notes == [
        "Not in this data, shown in the data's case: ORG/alpha → org/alpha. Not in this data, left out: org/betta "
        "(did you mean org/beta?)."]


def test_closest_id_takes_case_always_and_typos_only_when_asked():
    from lbtools._hub.parse import closest_id

    known = ["cais/hle", "SWE-bench/SWE-bench_Verified", "harborframework/terminal-bench-2.0"]
    assert closest_id("CAIS/HLE", known, typos=False) == "cais/hle"
    assert closest_id("SWE-bench/SWE-bench_verifed", known) == "SWE-bench/SWE-bench_Verified"
    assert closest_id("SWE-bench/SWE-bench_verifed", known, typos=False) is None
    assert closest_id("openai/gsm8k", known) is None


def test_an_app_page_never_notes_defaults_its_reader_did_not_choose(monkeypatch):
    monkeypatch.setitem(widgets.APP, "defaults_notes", None)
    monkeypatch.setenv("VOILA_BASE_URL", "/")
    view = widgets.bind(lambda benchmark: None,
                        benchmark=widgets.benchmark_picker(_leaderboards(), LABELS, value="org/none"))
    assert view.notes == []
    monkeypatch.delenv("VOILA_BASE_URL")
    widgets.app_mode(True)
    try:
        view.refresh()
        assert view.notes == []
    finally:
        widgets.APP["defaults_notes"] = None


def test_a_degenerate_pick_is_a_plain_message_not_a_developer_error():
    """Item 10: "ValueError: predict_scores: long must hold scores on at least 2 benchmarks"."""
    def show(k):
        raise ValueError("predict_scores: long must hold scores on at least 2 benchmarks")

    view = widgets.bind(show, k=widgets.toggle("K"))
    assert "ValueError" not in view.text() and "predict_scores" not in view.text()


def test_an_empty_table_says_why():
    view = widgets.bind(lambda k: widgets.show_table(_leaderboards().head(0), empty="Every model published every "
                                                     "benchmark: nothing to predict."), k=widgets.toggle("K"))
    assert "<table" not in view.html() and "nothing to predict" in view.text()
    bare = widgets.bind(lambda k: widgets.show_table(_leaderboards().head(0)), k=widgets.toggle("K"))
    assert "<table" not in bare.html() and "No rows" in bare.text()


def test_a_filtered_view_names_its_filters_in_its_heading_and_its_exported_files(tmp_path):
    """Item 3: with Verified only the heading and the exported PNG/CSV lost the filter."""
    def show(verified_only):
        widgets.heading("GPQA", "Idavidrein/gpqa", filters=["verified only" if verified_only else ""])
        plt.subplots()
        widgets.show_table(_leaderboards().head(2))

    toggle = widgets.toggle("Verified only")
    view = widgets.bind(show, verified_only=toggle)
    assert "filtered" not in view.text()
    assert [p.name for p in widgets.save_view(view, tmp_path, "01_rankings")][0] == "01_rankings.png"
    toggle.value = True
    assert "GPQA — filtered: verified only" in view.text()
    names = [p.name for p in widgets.save_view(view, tmp_path, "01_rankings")]
    assert names == ["01_rankings-verified-only.png", "01_rankings-verified-only.svg",
                     "01_rankings-verified-only.csv"]


def test_statistics_have_one_format_in_every_table():
    """Item 12: not 70.1867 [55.803, 82.5329]; percentiles with one decimal, the leader's too."""
    df = pd.DataFrame({"model_id": ["a/x"], "index": [1.23456], "index_low": [0.5], "residual_sd": [3.14159],
                       "predicted": [70.1867], "pred_low": [55.803], "pred_high": [0.94721], "percentile": [100.0]})
    markup = widgets.html_table(df)
    for cell in ("1.23", "0.50", "3.14", "70.2", "55.8", "0.947", "100.0"):  # predictions: 1 decimal on 0–100
        assert f"<td>{cell}</td>" in markup, cell


def test_trust_audit_statistics_have_one_format_in_every_table():
    """Not a z of 4.0094 beside a q of 1: the trust audit's columns read like the other statistics."""
    df = pd.DataFrame({"z": [4.00942], "p_value": [0.01234], "q_value": [1.0], "gap": [2.345], "odds_ratio": [1.5912],
                       "share_published": [0.4321]})
    markup = widgets.html_table(df)
    for cell in ("4.01", "0.012", "1.000", "2.3", "1.59", "43 %"):
        assert f"<td>{cell}</td>" in markup, cell


def test_play_is_one_labelled_button_with_a_tooltip_that_says_pause_while_playing():
    """Item 14: ipywidgets' Play draws bare icon buttons (no text, title or aria-label, whatever its tooltip says):
    the reader's button is a labelled ToggleButton; the Play only ticks, out of sight."""
    import ipywidgets as ipw

    df = _leaderboards().assign(created_at=pd.to_datetime(["2025-01-01", "2025-02-01", "2025-03-01"] * 4, utc=True))
    player = widgets.date_player(df, value="2025-01-01")
    button = player.button
    assert isinstance(button, ipw.ToggleButton) and "lb-play" in button._dom_classes
    assert (button.description, button.icon) == ("Play", "play") and button.tooltip.startswith("Play:")
    assert player.play.layout.display == "none" and [w for w in player.children if isinstance(w, ipw.Play)] == \
        [player.play]
    button.value = True  # the reader presses Play
    assert player.play.playing and (button.description, button.icon) == ("Pause", "pause")
    assert button.tooltip.startswith("Pause:")
    player.play.value += 1  # one tick
    player.play.value += 1  # the last day: playing stops, the button says Play again
    assert player.slider.index == 2 and not player.play.playing
    assert (button.value, button.description) == (False, "Play")


def test_notebooks_carry_a_complete_language_info_so_they_open_unmodified():
    """Item 14: JupyterLab filled in `language_info` on opening, so a notebook showed as modified at once."""
    import json
    from pathlib import Path

    for path in sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("*.ipynb")):
        info = json.loads(path.read_text(encoding="utf-8"))["metadata"]["language_info"]
        assert {"codemirror_mode", "file_extension", "mimetype", "name", "nbconvert_exporter", "pygments_lexer",
                "version"} <= set(info), path.name


def test_one_note_per_fact_a_duplicate_is_explained_once():
    """Item 9: "1 duplicate entries dropped by lbtools.analysis.dedupe_results" right after the plain-words note."""
    from lbtools.errors import AnalysisWarning

    def show(k):
        warnings.warn("a/m on x/gpqa: listed 2 times; kept 91.34 (rank 3) verified over 94.44 (rank 1) — one entry "
                      "per model and benchmark: verified, then the Hub's rank, then the value", AnalysisWarning)
        warnings.warn("1 duplicate entry dropped (one row per model): a/m 94.44", AnalysisWarning)
        warnings.warn("1 duplicate entry dropped (one row per model): b/other 3", AnalysisWarning)

    view = widgets.bind(show, k=widgets.toggle("K"))
    assert len(view.notes) == 2 and view.notes[0].startswith("a/m on x/gpqa: listed 2 times")
    assert view.notes[1] == "1 duplicate entry dropped (one row per model): b/other 3"  # not said elsewhere: kept


def test_show_figure_draws_a_kept_figure_once_and_shows_it_on_every_redraw():
    """Item 16: 02 redrew its heatmap when only the scatter's pair changed."""
    drawn = []

    @widgets.cached
    def heatmap(method):
        fig, ax = plt.subplots()
        ax.plot([1, 2], [1, 2])
        drawn.append(method)
        return fig

    def show(method, other):
        widgets.show_figure(heatmap(method))
        plt.subplots()  # the part that changes
        widgets.note(other)

    other = widgets.toggle("Other")
    view = widgets.bind(show, method=widgets.toggle("M"), other=other)
    first = [b["image/png"] for b in view.bundles if "image/png" in b]
    other.value = True
    again = [b["image/png"] for b in view.bundles if "image/png" in b]
    assert drawn == [False] and len(first) == len(again) == 2 and again[0] == first[0]
    assert len(view.figures) == 2  # both exported


def test_analysis_notes_are_plain_words_at_their_source():
    """Leftover of item 9: the analysis said "rank_intervals: 1 duplicate entries dropped by
    lbtools.analysis.dedupe_results", "kept … verified (verified)", "best_to_date: …", "9 benchmark(s)", and only the
    notes line tidied it; a console or a test reading the warning got the developer's words."""
    import re

    from lbtools import analysis

    board = pd.DataFrame({"dataset_id": ["x/b"] * 7, "model_id": ["a/m", "a/m", "b/n", "c/o", "d/p", "e/q", "f/r"],
                          "value": [94.44, 91.3, 80.0, 70.0, 60.0, 50.0, 40.0], "verified": [False, True] + [None] * 5,
                          "rank": [1, 2, 3, 4, 5, 6, 7]})
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        analysis.dedupe(board)
        analysis.rank_intervals(board.drop(columns="verified"), n_items=200)
        analysis.best_to_date(board.assign(date=pd.NaT, created_at=pd.NaT))
        analysis.add_normalised(pd.DataFrame({"dataset_id": ["u/unit"] * 3, "value": [0.1, 0.5, 0.9]}))
    said = [str(w.message) for w in caught]
    assert any("a/m on x/b: listed 2 times; kept 91.3 (rank 2) verified over 94.44 (rank 1)" in m for m in said), said
    assert "1 duplicate entry dropped (one row per model): a/m 91.3" in said, said
    assert ("left out 7 of 7 rows without a date (no creation date known for their models: no model metadata for "
            "them in this data)") in said, said
    assert any(m.startswith("1 benchmark on a 0-1 scale, multiplied by 100") for m in said), said
    for m in said:
        assert not re.match(r"^[a-z_]+: ", m), m  # no function name in front
        assert "(s)" not in m and "lbtools.analysis" not in m and "(verified)" not in m, m
        assert not re.search(r"\b1 (models|entries|rows|benchmarks|cells)\b", m), m


def test_no_lbtools_message_counts_with_a_plural_in_brackets():
    """"9 benchmark(s)": counts are worded with lbtools._format.count at the source, in every module."""
    import re
    from pathlib import Path

    root = Path(widgets.__file__).resolve().parent
    found = [f"{p.relative_to(root)}:{i}" for p in sorted(root.rglob("*.py"))
             for i, line in enumerate(p.read_text(encoding="utf-8").splitlines(), start=1)
             if re.search(r"[\"'][^\"']*\b(?!str\b|len\b)[a-z]{3,}\(s\)", line) and "http(s)" not in line]  # in a string literal
    assert not found, found


def test_provenance_and_resolution_read_as_words_and_numbers_a_reader_uses():
    """Browser pass on a local Hub: 01's 'reported by' column and 07's flags read "first_party"; 01's overview said a
    0–1 benchmark's items resolve "0.0"."""
    df = pd.DataFrame({"provenance": ["first_party", "third_party", "verified", None],
                       "resolution": [8.31, 0.0596, 22.3, np.nan], "cv_rmse": [29.7632, 27.488, 5.0, np.nan]})
    markup = widgets.html_table(df)  # 06's cross-validated error read 29.7632 on 160 × 14
    for cell in ("first party", "third party", "verified", "8.3", "0.06", "22.3", "29.8", "27.5", "5.0"):
        assert f"<td>{cell}</td>" in markup, cell
    assert "first_party" not in markup and "<td>0.0</td>" not in markup


def test_benchmarks_are_offered_in_the_order_a_reader_counts():
    """Browser pass on 160 models × 14 benchmarks: the picker read bench-0, bench-1, bench-10, bench-11, … bench-2."""
    ids = [f"org/bench-{i}" for i in range(12)]
    picker = widgets.benchmark_picker(ids, {d: d.split("/")[1] for d in ids})
    assert [label for label, _ in picker.options] == [f"bench-{i}" for i in range(12)]


def test_a_multiple_pick_of_benchmarks_is_offered_in_the_same_order():
    """06's benchmark subset and 07's benchmark filter listed bench-10 before bench-9 (make bench, 160 × 14)."""
    ids = [f"org/bench-{i}" for i in (11, 9, 10, 9)]
    assert widgets.benchmark_options(ids, {d: d.split("/")[1] for d in ids}) == [
        ("bench-9", "org/bench-9"), ("bench-10", "org/bench-10"), ("bench-11", "org/bench-11")]
    assert [label for label, _ in widgets.benchmark_options(["HuggingFaceH4/aime_2024"])] == ["aime 2024"]


def test_a_note_the_view_says_itself_is_not_repeated_in_the_notes_line():
    """Browser pass on 160 × 14: 07's gap view said "no (model, benchmark) cell has both a first-party and an
    independent entry" in its notes and "No cell has both … nothing to compare." as its headline."""
    from lbtools.errors import AnalysisWarning

    def show(k):
        warnings.warn("no cell has both a first-party and an independent score: nothing to compare", AnalysisWarning)
        warnings.warn("another fact", AnalysisWarning)
        widgets.note("No cell has both a first-party and an independent score: nothing to compare.", css_class="lb-top")

    view = widgets.bind(show, k=widgets.toggle("K"))
    assert view.notes == ["another fact"]
