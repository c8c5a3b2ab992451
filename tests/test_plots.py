"""Tests of lbtools.plots: each function returns a Figure with the expected marks and title."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from lbtools import analysis as A

# Would break the figure if read as mathtext (even number of "$", invalid TeX inside).
NASTY = "org/x$\\frac{$y"


@pytest.fixture(autouse=True)
def agg(monkeypatch):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    def no_show(*args, **kwargs):
        raise AssertionError("plots must not call plt.show()")

    monkeypatch.setattr(plt, "show", no_show)
    before = set(plt.get_fignums())
    yield
    for num in set(plt.get_fignums()) - before:
        plt.close(num)


@pytest.fixture
def plots():
    from lbtools import plots

    return plots


@pytest.fixture
def leaderboards():
    return pd.DataFrame(
        {
            "dataset_id": pd.array(["x"] * 5 + ["y"] * 3, dtype="string"),
            "rank": pd.array([1, 2, 3, 4, 5, 1, 2, 3], dtype="Int64"),
            "model_id": pd.array([NASTY, "b/m", "c/m", "d/m", "e/m", NASTY, "c/m", "f/m"], dtype="string"),
            "value": pd.array([90, 80, 80, 70, None, 1.0, 2.0, 3.0], dtype="Float64"),
            "verified": pd.array([False, True, True, False, False, True, None, False], dtype="boolean"),
            "lower_is_better": pd.array([False] * 5 + [True] * 3, dtype="boolean"),
            "num_parameters": pd.array([10**9, 2 * 10**9, None, 8 * 10**9, 10**10, 1, 2, 3], dtype="Int64"),
            "created_at": pd.to_datetime(
                ["2024-03-01", "2024-01-01", "2024-02-01", None]
                + ["2024-01-01", "2024-03-01", "2024-02-01", "2024-01-01"],
                utc=True,
            ),
        }
    )


def _check(fig):
    from matplotlib.figure import Figure

    assert isinstance(fig, Figure)
    fig.canvas.draw()  # any text read as broken mathtext would raise here
    return fig.axes[0]


def _texts(ax):
    """Every text drawn in the axes: Text artists and the cell values drawn as one collection (``.texts``)."""
    return [t.get_text() for t in ax.texts] + [t for c in ax.collections for t in getattr(c, "texts", [])]


def _readable(fig):
    """Sized for a notebook's width and every text at least 9 pt (issue 13: no downscaling, fonts readable)."""
    from matplotlib.text import Text

    width_px = fig.get_figwidth() * fig.dpi
    assert width_px <= 1000, f"{width_px:.0f} px is wider than a notebook shows unscaled"
    shown = [t for t in fig.findobj(Text) if t.get_text().strip() and t.get_visible()]
    small = [(t.get_text(), t.get_fontsize()) for t in shown if t.get_fontsize() < 9]
    assert not small, small
    fig.canvas.draw()  # laid out as shown: nothing drawn runs off the figure (07's axis label lost its end)
    drawn = fig.get_tightbbox(fig.canvas.get_renderer())  # inches
    w, h = fig.get_size_inches()
    assert drawn.x0 >= -0.01 and drawn.y0 >= -0.01 and drawn.x1 <= w + 0.01 and drawn.y1 <= h + 0.01, \
        f"cut off at the figure's edge: drawn over {drawn.bounds}, figure {w:g} × {h:g} in"


def _inside(fig, ax, texts):
    """Every label lies inside its axes, and no two labels overlap."""
    renderer = fig.canvas.get_renderer()
    box = ax.get_window_extent(renderer)
    extents = [t.get_window_extent(renderer) for t in texts]
    for t, e in zip(texts, extents):
        assert box.x0 - 1 <= e.x0 and e.x1 <= box.x1 + 1 and box.y0 - 1 <= e.y0 and e.y1 <= box.y1 + 1, t.get_text()
    for i in range(len(extents)):
        for j in range(i + 1, len(extents)):
            assert not extents[i].overlaps(extents[j]), (texts[i].get_text(), texts[j].get_text())


def test_ranking_bar(plots, leaderboards):
    x = leaderboards[leaderboards["dataset_id"] == "x"]
    fig = plots.ranking_bar(x, top_n=3, labels={"x": "Bench X"})
    ax = _check(fig)
    _readable(fig)
    assert len(ax.patches) == 3
    assert [t.get_text() for t in ax.get_yticklabels()] == [NASTY.replace("$", r"\$"), "b/m", "c/m"]
    assert ax.yaxis_inverted()  # best at the top
    assert _texts(ax) == ["90", "80", "80"]
    assert ax.get_title() == "Top 3 models on Bench X"
    colours = [p.get_facecolor() for p in ax.patches]
    assert colours[0] != colours[1] and colours[1] == colours[2]  # unverified vs verified
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["verified", "not verified"]


def test_ranking_bar_keeps_the_entry_the_one_rule_keeps(plots):
    """A model listed twice: the chart shows the verified entry (the one rule), and says so in a warning."""
    board = pd.DataFrame({
        "dataset_id": ["Idavidrein/gpqa"] * 3,
        "rank": pd.array([1, 2, 3], dtype="Int64"),
        "model_id": ["org/twice", "org/other", "org/twice"],
        "value": [34.59, 33.0, 31.49],
        "verified": pd.array([False, False, True], dtype="boolean"),
    })
    with pytest.warns(UserWarning, match=r"org/twice on Idavidrein/gpqa: listed 2 times; kept 31.49 .*verified over"):
        ax = _check(plots.ranking_bar(board))
    assert _texts(ax) == ["33", "31.49"]


def test_ranking_bar_does_not_call_unknown_verification_unverified(plots, leaderboards):
    x = leaderboards[leaderboards["dataset_id"] == "x"].copy()
    x["verified"] = pd.array([True, None, None][: len(x)] + [None] * (len(x) - 3), dtype="boolean")
    ax = _check(plots.ranking_bar(x, top_n=3))
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "unknown" in legend and "not verified" not in legend
    x["verified"] = pd.array([None] * len(x), dtype="boolean")
    ax = _check(plots.ranking_bar(x, top_n=3))
    assert ax.get_legend() is None  # nothing published: no "dark bars are verified" promise
    assert len({p.get_facecolor() for p in ax.patches}) == 1


def test_ranking_bar_lower_is_better_and_one_benchmark(plots, leaderboards):
    y = leaderboards[leaderboards["dataset_id"] == "y"]
    ax = _check(plots.ranking_bar(y, title="custom $"))
    assert [t.get_text() for t in ax.get_yticklabels()][1:] == ["c/m", "f/m"]
    assert ax.get_title() == r"custom \$"
    with pytest.raises(ValueError, match="one benchmark"):
        plots.ranking_bar(leaderboards)


def test_percentile_bars_axis_is_fixed_0_to_100(plots, leaderboards):
    ranks = A.model_ranks(leaderboards, ["d/m"])  # 4th of 4 on x: 25th percentile
    fig = plots.percentile_bars(ranks, labels={"x": "Bench X"})
    ax = _check(fig)
    _readable(fig)
    assert ax.get_xlim() == (0.0, 100.0)  # a low percentile never fills the plot like a leader
    assert _texts(ax) == ["25.0 (rank 4 of 4)"]
    assert ax.get_title() == "Where d/m ranks on 1 leaderboard"


def test_race_bar(plots, leaderboards):
    x = leaderboards[leaderboards["dataset_id"] == "x"]
    ranking = A.ranking_as_of(x, "2024-03-01")
    fig = plots.race_bar(ranking, "2024-03-01", labels={"x": "Bench X"}, xlim=(0, 100))
    ax = _check(fig)
    _readable(fig)
    assert len(ax.patches) == 3
    assert ax.get_title() == "Top 3 on Bench X as of 2024-03-01"
    assert ax.get_xlim() == (0, 100)
    assert _texts(ax) == ["90", "80", "80"]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [NASTY.split("/")[0].replace("$", r"\$"), "b", "c"]
    empty = _check(plots.race_bar(A.ranking_as_of(x, "2000-01-01"), "2000-01-01"))
    assert len(empty.patches) == 0 and "no model" in _texts(empty)[0]


def test_organisation_palette_colours_only_the_top_organisations_the_same_in_every_view(plots, leaderboards):
    """Issue 24 item 6: 39 organisations shared 30 colours (Qwen and google the same blue); now only the top ones
    are coloured, each distinctly, the rest one grey named "other organisations" in the legend."""
    from matplotlib.colors import to_rgb

    orgs = ["moonshotai", "deepseek-ai", "Qwen", "zai-org", "MiniMaxAI", "stepfun-ai", "meta-llama", "google",
            "openai", "mistralai", "allenai", "microsoft", "nvidia", "ibm", "tiiuae"]
    palette = plots.organisation_palette(orgs)
    coloured = [o for o in orgs if to_rgb(palette[o]) != to_rgb(plots._OTHER_COLOUR)]
    assert set(coloured) == set(sorted(orgs, key=str.casefold)[:plots.TOP_ORGANISATIONS])  # equal counts: by name
    assert len({to_rgb(palette[o]) for o in coloured}) == len(coloured)  # no two coloured ones alike
    assert {to_rgb(palette[o]) for o in orgs if o not in coloured} == {to_rgb(plots._OTHER_COLOUR)}
    assert to_rgb(plots._FRONTIER_COLOUR) not in {to_rgb(c) for c in palette.values()}  # the frontier stands apart
    board = pd.DataFrame({"dataset_id": ["x"] * 3, "model_id": ["moonshotai/K", "deepseek-ai/V", "Qwen/Q"],
                          "value": [3.0, 2.0, 1.0], "num_parameters": pd.array([10**12, 7 * 10**11, 4 * 10**11]),
                          "created_at": pd.to_datetime(["2025-01-01"] * 3, utc=True)})
    race = plots.race_bar(A.ranking_as_of(board, "2025-02-01"), "2025-02-01", palette=palette).axes[0]
    scatter = plots.score_vs_parameters(board, A.pareto_frontier(board), palette=palette).axes[0]
    assert [to_rgb(p.get_facecolor()) for p in race.patches] == [to_rgb(palette[o]) for o in
                                                                 ["moonshotai", "deepseek-ai", "Qwen"]]
    drawn = [to_rgb(c) for coll in scatter.collections for c in coll.get_facecolors()]
    assert set(drawn) == {to_rgb(palette[o]) for o in ["moonshotai", "deepseek-ai", "Qwen"]}
    assert "moonshotai" in [t.get_text() for t in scatter.get_legend().get_texts()]


def test_grey_organisations_share_one_legend_entry_and_equal_sizes_are_spread(plots):
    orgs = [f"org{i:02d}" for i in range(20)]
    board = pd.DataFrame({"dataset_id": ["x"] * 20, "model_id": [f"{o}/m" for o in orgs],
                          "value": np.linspace(50, 70, 20), "num_parameters": pd.array([7 * 10**9] * 20)})
    palette = plots.organisation_palette(orgs)
    ax = plots.score_vs_parameters(board, A.pareto_frontier(board), palette=palette, annotate_frontier=False).axes[0]
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert f"other organisations ({20 - plots.TOP_ORGANISATIONS})" in legend and "org19" not in legend
    xs = np.concatenate([c.get_offsets()[:, 0] for c in ax.collections])
    assert len(np.unique(xs)) == 20 and np.all(np.abs(np.log10(xs / 7e9)) <= 0.013)  # jittered, not stacked


def test_correlation_heatmap(plots):
    m = pd.DataFrame(
        {"a": [1, 2, 3, 4, 5, np.nan], "b": [2, 1, 4, 3, 5, 6], "c": [1, np.nan, np.nan, np.nan, np.nan, 2]},
    )
    coef, overlap = A.benchmark_correlations(m, min_overlap=3)
    fig = plots.correlation_heatmap(coef, overlap, min_overlap=3, order=["b", "a", "c"], labels={"a": "A$"})
    ax = _check(fig)
    _readable(fig)
    texts = _texts(ax)
    assert len(texts) == 9
    shown = [t for t in texts if "\n" in t]
    assert sorted(shown) == ["0.80*\nn=5", "0.80*\nn=5", "1.00\nn=5", "1.00\nn=6"]  # * : n < 10, weak
    assert len([p for p in ax.patches if p.get_gid() == "weak"]) == 2
    assert sorted(t for t in texts if "\n" not in t) == ["n=1", "n=1", "n=2", "n=2", "n=2"]  # masked, grey
    assert [t.get_text() for t in ax.get_xticklabels()] == ["b", r"A\$", "c"]
    assert "blank below n = 3" in ax.get_title() and "n < 10, weak" in ax.get_title()
    fig = plots.correlation_heatmap(coef, overlap, min_overlap=3, method="kendall")
    assert fig.axes[0].get_title().startswith("Kendall correlation")


def test_pair_scatter(plots):
    m = pd.DataFrame(
        {"a": [1, 2, 3, 4, 5, np.nan], "b": [2, 1, 4, 3, 5, 6]},
        index=["m1", "m2", "m3", "m4", NASTY, "m6"],
    )
    fig = plots.pair_scatter(m, "a", "b", ci=(0.8, 0.1, 0.95), labels={"a": "Alpha"})
    ax = _check(fig)
    _readable(fig)
    (points,) = [c for c in ax.collections if c.get_gid() == "models"]
    assert len(points.get_offsets()) == 5
    assert sorted(_texts(ax)) == sorted(["m1", "m2", "m3", "m4", NASTY.replace("$", r"\$")])
    (line,) = [ln for ln in ax.lines if ln.get_gid() == "fit"]
    slope = np.diff(line.get_ydata()) / np.diff(line.get_xdata())
    assert slope[0] == pytest.approx(0.8)  # least squares: 8 / 10
    assert ax.get_title() == ("Alpha vs b\nSpearman ρ = 0.80 (95% bootstrap CI 0.10 to 0.95, this pair alone), "
                              "n = 5 models — weak: fewer than 10 models")
    assert ax.get_xlabel() == "Alpha"
    with pytest.raises(ValueError, match="'zz'"):
        plots.pair_scatter(m, "a", "zz")


def test_pair_scatter_names_the_top_k_inside_the_axes_without_overlap(plots):
    rng = np.random.default_rng(0)
    x = rng.normal(60, 10, 40)
    m = pd.DataFrame({"a": x, "b": x + rng.normal(0, 3, 40)}, index=[f"org-{i}/model-{i}" for i in range(40)])
    fig = plots.pair_scatter(m, "a", "b")
    ax = _check(fig)
    named = len(ax.texts)
    assert 5 <= named <= plots.LABEL_TOP  # the top k, where a name fits
    _inside(fig, ax, ax.texts)
    assert any(f"Named: {named} of 40 models" in t.get_text() for t in fig.texts)


def test_score_vs_parameters(plots, leaderboards):
    x = leaderboards[leaderboards["dataset_id"] == "x"]
    fig = plots.score_vs_parameters(x, A.pareto_frontier(x))
    ax = _check(fig)
    _readable(fig)
    by_gid = {c.get_gid(): len(c.get_offsets()) for c in ax.collections}
    assert by_gid == {"others": 2, "frontier": 1}  # c has no size, e no score
    (line,) = [ln for ln in ax.lines if ln.get_gid() == "frontier"]
    assert list(line.get_xdata()) == [1e9]
    assert ax.get_xscale() == "log"
    assert _texts(ax) == [NASTY.replace("$", r"\$")]
    _inside(fig, ax, ax.texts)
    assert ax.get_title() == (
        "Score vs size on x: 1 of 3 models on the Pareto frontier\n(2 without a parameter count or score not shown)"
    )
    ticks = [ax.xaxis.get_major_formatter()(v, 0) for v in (1e9, 7e10, 1.06e12)]
    assert ticks == ["1B", "70B", "1.06T"]  # never 1.06e+03B


def test_score_vs_date(plots, leaderboards):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fig = plots.score_vs_date(leaderboards, labels={"y": "Why"})
    ax = _check(fig)
    assert [len(c.get_offsets()) for c in ax.collections] == [3, 3]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["x", "Why"]
    assert ax.get_title() == "Scores by model creation date on the Hub\n6 results (2 without a date or score not shown)"


def _mixed_scales():
    return pd.DataFrame({
        "dataset_id": ["mbpp"] * 3 + ["gpqa"] * 3,
        "model_id": ["a/1", "b/2", "c/3", "a/1", "b/2", "c/3"],
        "value": [0.998, 0.91, 0.5, 88.0, 70.0, 40.0],
        "created_at": pd.to_datetime(["2024-01-01", "2024-02-01", "2024-03-01"] * 2, utc=True),
    })


def test_a_mixed_scale_input_is_drawn_on_0_100_and_the_figure_says_what_was_rescaled(plots):
    df = _mixed_scales()
    with pytest.warns(UserWarning, match="0-1 scale"):
        long = A.add_normalised(df)
    best = A.best_to_date(long, value="value_norm")
    fig = plots.best_to_date_steps(best, labels={"mbpp": "MBPP"})
    ax = _check(fig)
    _readable(fig)
    mbpp = [ln for ln in ax.lines if ln.get_label() == "MBPP"][0]
    assert max(mbpp.get_ydata()) == pytest.approx(99.8)  # not a flat line near 0
    assert [t.get_text() for t in fig.texts] == ["Rescaled to 0–100 (published on a 0–1 scale, × 100): MBPP"]
    colours = [ln.get_color() for ln in ax.lines]
    assert len(set(colours)) == 2

    ranks = df.rename(columns={}).drop(columns="created_at")
    fig = plots.model_profile_bars(ranks, labels={"mbpp": "MBPP"})
    ax = _check(fig)
    heights = sorted(round(p.get_height(), 1) for p in ax.patches)
    assert heights == [40.0, 50.0, 70.0, 88.0, 91.0, 99.8]  # the 0.998 bar is visible beside the 88
    assert ax.get_ylim()[0] == 0 and "Rescaled" in fig.texts[0].get_text() and "MBPP" in fig.texts[0].get_text()


def test_best_to_date_steps(plots, leaderboards):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        best = A.best_to_date(leaderboards)
    ax = _check(plots.best_to_date_steps(best, labels={"x": "Ex"}))
    assert len(ax.lines) == 2
    assert [ln.get_drawstyle() for ln in ax.lines] == ["steps-post", "steps-post"]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["Ex", "y"]
    assert len(_texts(ax)) == len(best) == 5
    assert [len(ln.get_xdata()) for ln in ax.lines] == [2, 3]
    assert ax.get_title() == "Best score to date on 2 benchmarks: each step is a new best"


def test_best_to_date_steps_more_than_eight_benchmarks_are_small_multiples(plots):
    rows = [(f"b{i}", f"m/{j}", float(j + i), f"2024-0{j + 1}-01") for i in range(11) for j in range(3)]
    df = pd.DataFrame(rows, columns=["dataset_id", "model_id", "value", "created_at"])
    df["created_at"] = pd.to_datetime(df["created_at"], utc=True)
    fig = plots.best_to_date_steps(A.best_to_date(df))
    _readable(fig)
    panels = [ax for ax in fig.axes if ax.lines]
    assert len(panels) == 11 and [ax.get_title() for ax in panels][:2] == ["b0", "b1"]


def test_model_profile_bars(plots, leaderboards):
    ranks = A.model_ranks(leaderboards, ["c/m", "b/m", NASTY])
    fig = plots.model_profile_bars(ranks, value="percentile", labels={"y": "Why"})
    ax = _check(fig)
    _readable(fig)
    bars = [p for p in ax.patches if p.get_gid() != "no-result"]
    assert len(bars) == 5  # b/m is not on y…
    missing = [t for t in ax.texts if t.get_gid() == "no-result"]
    assert [t.get_text() for t in missing] == ["no result"]  # …and its slot says so (issue 24 item 5), not empty
    assert "published no result" in " ".join(t.get_text() for t in fig.texts)
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["c/m", "b/m", NASTY.replace("$", r"\$")]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["x", "Why"]
    assert ax.get_title() == "Percentile on each leaderboard: 3 models on 2 benchmarks"
    assert sorted(t.get_text() for t in ax.texts if t.get_gid() != "no-result") == sorted(
        ["75.0", "66.7", "75.0", "100.0", "100.0"])  # one decimal for every percentile, the leader's too
    assert ax.get_ylim()[0] == 0 and ax.get_ylim()[1] >= 100  # fixed, not fitted to the data
    assert ax.spines["left"].get_bounds() == (0, 100) and ax.get_yticks().tolist() == [0, 25, 50, 75, 100]  # not 118
    one = plots.model_profile_bars(A.model_ranks(leaderboards, ["d/m"]), value="percentile").axes[0]
    assert one.get_ylim()[0] == 0 and one.get_ylim()[1] >= 100
    with pytest.raises(ValueError, match="dedupe_results"):
        plots.model_profile_bars(pd.concat([ranks, ranks]))


def test_model_profile_bars_value_labels_do_not_overlap(plots):
    rows = [(f"org/m{i}", f"bench-{j}", 90 + i + j / 7) for i in range(5) for j in range(11)]
    df = pd.DataFrame(rows, columns=["model_id", "dataset_id", "percentile"])
    fig = plots.model_profile_bars(df, value="percentile")
    ax = _check(fig)
    _readable(fig)
    renderer = fig.canvas.get_renderer()
    boxes = [t.get_window_extent(renderer) for t in ax.texts]
    assert len(boxes) == 55
    assert not any(boxes[i].overlaps(boxes[j]) for i in range(55) for j in range(i + 1, 55))


def test_draws_into_a_given_axes(plots, leaderboards):
    import matplotlib.pyplot as plt

    fig, (left, right) = plt.subplots(1, 2)
    x = leaderboards[leaderboards["dataset_id"] == "x"]
    assert plots.ranking_bar(x, ax=left) is fig
    assert plots.score_vs_date(x, ax=right) is fig
    assert len(left.patches) == 4 and len(right.collections) == 1


def test_rank_interval_plot_is_readable_at_notebook_width(plots):
    board = pd.DataFrame({"dataset_id": ["d"] * 6, "model_id": [f"org/m{i}" for i in range(6)],
                          "value": [80.0, 79.0, 70.0, 60.0, 59.0, 40.0]})
    fig = plots.rank_interval_plot(A.rank_intervals(board, n_items=200), labels={"d": "Bench D"})
    _check(fig)
    _readable(fig)


# --------------------------------------------------------------------------------------------
# issue 24: figures that mislead, second round


def _panels_board(n_bench, low_high):
    rows = []
    for i in range(n_bench):
        lo, hi = low_high[i % len(low_high)]
        for j, v in enumerate(np.linspace(lo, hi, 3)):
            rows.append((f"b{i}", f"m/{j}", float(v), f"202{j + 3}-0{j + 2}-01"))
    df = pd.DataFrame(rows, columns=["dataset_id", "model_id", "value", "created_at"])
    df["created_at"] = pd.to_datetime(df["created_at"], utc=True)
    return A.best_to_date(df)


@pytest.mark.parametrize("n_bench", [3, 11])
def test_best_to_date_panels_share_one_0_100_axis_and_label_both_axes(plots, n_bench):
    """Item 1: MATH-500's 95.7 → 98.9 must not fill its panel like GPQA's 31 → 99."""
    fig = plots.best_to_date_steps(_panels_board(n_bench, [(95.7, 98.9), (31.0, 99.0)]))
    fig.canvas.draw()
    panels = [ax for ax in fig.axes if ax.lines]
    assert {ax.get_ylim() for ax in panels} == {(0.0, 100.0)}
    labels = [ax.get_xlabel() for ax in panels] + [ax.get_ylabel() for ax in panels]
    if fig._supxlabel is not None:
        labels += [fig._supxlabel.get_text(), fig._supylabel.get_text()]
    text = " ".join(labels)
    assert "repository was created" in text and "not its release" in text  # the caveat travels with the PNG
    assert "0–100" in text and "one axis for all" in text


def test_best_to_date_off_the_0_100_range_says_the_axis_is_shared_but_not_0_100(plots):
    fig = plots.best_to_date_steps(_panels_board(11, [(120.0, 300.0), (1.0, 2.0)]))
    panels = [ax for ax in fig.axes if ax.lines]
    assert len({ax.get_ylim() for ax in panels}) == 1
    assert "not 0–100" in fig._supylabel.get_text()


def test_date_ticks_name_the_first_year_and_one_date_warns_nothing(plots):
    df = pd.DataFrame({"dataset_id": ["x"] * 3, "model_id": ["a/1", "a/2", "a/3"], "value": [1.0, 2.0, 3.0],
                       "created_at": pd.to_datetime(["2024-07-01", "2025-01-15", "2025-07-01"], utc=True)})
    fig = plots.score_vs_date(df, hue=None)
    fig.canvas.draw()
    first = [t.get_text() for t in fig.axes[0].get_xticklabels() if t.get_text()][0]
    assert any(ch.isdigit() for ch in first) and "20" in first  # "Jul 2024", never a bare "Jul"
    one = df.assign(created_at=pd.to_datetime(["2025-01-15"] * 3, utc=True))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # matplotlib's AutoDateLocator warning was a notes line (item 8)
        plots.score_vs_date(one, hue=None).canvas.draw()


def test_rank_interval_plot_axis_spans_the_shown_models_and_names_the_dot_like_the_table(plots):
    board = pd.DataFrame({"dataset_id": ["x"] * 40, "model_id": [f"m/{i:02d}" for i in range(40)],
                          "value": np.r_[90.0, 80.0, 80.0, np.linspace(70, 20, 37)]})
    ranked = A.rank_intervals(board, n_items=2000)
    fig = plots.rank_interval_plot(ranked, top_n=10, subset=["verified only"])
    ax = _check(fig)
    assert ax.get_xlim()[1] < 20  # item 14: not the whole 40-model board at Top N = 10
    assert plots.RANK_NAME in ax.get_xlabel()
    dots = [ln for ln in ax.lines if ln.get_marker() == "o"][0]
    assert list(dots.get_xdata()[:3]) == [1, 2, 2]  # a tie shares the best rank, as in the table
    assert "(verified only)" in ax.get_title()  # item 3: a filtered figure says so


def test_subset_is_named_in_every_default_title(plots, leaderboards):
    x = leaderboards[leaderboards.dataset_id == "x"]
    assert "(organisation b)" in plots.score_vs_parameters(x, A.pareto_frontier(x), subset="organisation b"
                                                           ).axes[0].get_title()
    assert "(verified only)" in plots.ranking_bar(x, subset=["verified only", ""]).axes[0].get_title()
    assert "(organisation b)" in plots.score_vs_date(x, subset="organisation b").axes[0].get_title()


def _predictions():
    rows = []
    for m in range(4):
        rows.append((f"m/{m}", "a/hundred", 50.0 + m if m else np.nan, 51.0 + m))
        rows.append((f"m/{m}", "b/unit", 0.9 - m / 10 if m != 1 else np.nan, 0.8 - m / 10))
    return pd.DataFrame(rows, columns=["model_id", "dataset_id", "observed", "predicted"])


def test_filled_matrix_says_a_0_1_benchmark_is_drawn_times_100_and_keeps_its_title(plots):
    """Item 4 (the table beside it keeps 0.9472) and item 10 (title cut to '…scores, 20 mo')."""
    fig = plots.filled_matrix(_predictions(), labels={"b/unit": "Unit bench"})
    fig.canvas.draw()
    note = " ".join(t.get_text() for t in fig.texts)
    assert "× 100" in note and "Unit bench" in note
    assert fig.get_figwidth() == plots.WIDTH
    renderer = fig.canvas.get_renderer()
    title = fig.axes[0].title.get_window_extent(renderer)
    assert title.x0 >= 0 and title.x1 <= fig.get_figwidth() * fig.dpi  # never cut off


def test_validation_scatter_is_as_wide_as_the_others_with_its_legend_beside(plots):
    cells = pd.DataFrame({"observed": [10.0, 50.0, 90.0], "predicted": [12.0, 80.0, 88.0],
                          "pred_low": [5.0, 60.0, 80.0], "pred_high": [20.0, 90.0, 95.0]})
    fig = plots.predicted_vs_published(cells, method=None)
    fig.canvas.draw()
    assert fig.get_figwidth() == plots.WIDTH
    legend = fig.axes[0].get_legend().get_window_extent()
    assert legend.x0 >= fig.axes[0].get_window_extent().x1 - 1  # never over a point


def test_ranking_bar_legend_never_covers_a_bar_label(plots, leaderboards):
    x = leaderboards[leaderboards.dataset_id == "x"]
    ax = _check(plots.ranking_bar(x))
    legend = ax.get_legend().get_window_extent()
    assert legend.x0 >= ax.get_window_extent().x1 - 1


def test_parameter_counts_near_each_other_stay_apart():
    from lbtools import _format as fmt

    assert (fmt.parameters(684.5e9), fmt.parameters(685.4e9)) == ("684.5B", "685.4B")  # item 14: not one "685B"
    assert (fmt.parameters(70.6e9), fmt.parameters(7e9), fmt.parameters(1.06e12), fmt.parameters(400e9)) == (
        "70.6B", "7B", "1.06T", "400B")
    assert fmt.percentile(100) == "100.0" and fmt.percentile(80) == "80.0"  # item 12: one format


def test_odds_ratio_plot_draws_each_benchmark_on_a_log_axis_with_a_line_at_one(plots):
    selective = pd.DataFrame({"dataset_id": ["a/x", "b/y", "c/z"], "odds_ratio": [1.5, 0.8, np.nan],
                              "or_low": [1.1, 0.5, np.nan], "or_high": [2.0, 1.3, np.nan]})
    long = "GPQA: graduate-level Google-proof Q&A"  # a card's name, as 07 shows it: the axis label still whole
    fig = plots.odds_ratio_plot(selective, labels={"a/x": long})
    ax = fig.axes[0]
    assert ax.get_xscale() == "log"
    assert [t.get_text() for t in ax.get_yticklabels()] == [long, "b/y"]
    assert any(list(line.get_xdata()) == [1, 1] for line in ax.get_lines())  # no dependence
    assert "1 benchmark without an estimate left out" in ax.get_title()
    _readable(fig)
    def ticks(ax):  # the labels shown: ticks inside the axis' limits
        ax.figure.canvas.draw()
        low, high = ax.get_xlim()
        return [t.get_text() for t in ax.get_xticklabels() if t.get_text() and low <= t.get_position()[0] <= high]

    assert {"0.5", "1", "2"} <= set(ticks(ax)) and not [t for t in ticks(ax) if "$" in t], ticks(ax)  # not "5×10⁻¹"
    narrow = selective.assign(or_low=[0.9, 0.75, np.nan], or_high=[1.3, 1.1, np.nan], odds_ratio=[1.1, 0.9, np.nan])
    assert {"0.8", "1", "1.2"} <= set(ticks(plots.odds_ratio_plot(narrow).axes[0]))  # 1 (no dependence) labelled
    wide = selective.assign(or_low=[0.04, 0.5, np.nan], or_high=[6e4, 1.3, np.nan])
    shown = ticks(plots.odds_ratio_plot(wide).axes[0])
    assert "1" in shown and "1000" in shown and len(shown) <= 8  # powers of ten, few labels
    assert all(float(t) in {10.0 ** k for k in range(-3, 7)} for t in shown), shown


def test_self_report_gap_plot_draws_each_group_around_zero(plots):
    gap = pd.DataFrame({"author": ["org-a", "org-b", "(all)"], "n_pairs": [3, 0, 3], "gap": [2.0, np.nan, 2.0],
                        "gap_low": [0.5, np.nan, 0.5], "gap_high": [3.5, np.nan, 3.5]})
    fig = plots.self_report_gap_plot(gap, by="author")
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["org-a", "(all)"]
    assert any(list(line.get_xdata()) == [0, 0] for line in ax.get_lines())
    assert "1 group without an estimate left out" in ax.get_title()
    _readable(fig)


def test_filled_matrix_annotates_every_cell_without_a_text_artist_per_cell(plots):
    """Item 16: hundreds of ax.text cells (plus the layout measuring each) made 06's redraw take over a second; the
    values are one collection per style, every shown cell still annotated, published ones bold."""
    pred = _predictions()
    fig = plots.filled_matrix(pred)
    ax = fig.axes[0]
    values = [c for c in ax.collections if c.get_gid() == "cell-values"]
    shown = sum(len(c.texts) for c in values)
    assert shown == pred[["observed", "predicted"]].notna().any(axis=1).sum()
    assert len(ax.texts) == 0 and all(not c.get_in_layout() for c in values)
    (framed,) = [c for c in ax.collections if c.get_gid() == "published"]  # one square per published cell
    assert len(framed.get_paths()) == pred["observed"].notna().sum() and not framed.get_in_layout()


def _cut_texts(fig) -> list[str]:
    """Texts of a figure, as the notebooks save it (no tight bbox), that run past its edges."""
    from matplotlib.text import Text

    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    width, height = fig.get_figwidth() * fig.dpi, fig.get_figheight() * fig.dpi
    ticks = {id(t) for ax in fig.axes for axis in (ax.xaxis, ax.yaxis) for tick in axis.get_major_ticks()
             for t in (tick.label1, tick.label2)}
    drawn = {id(t) for ax in fig.axes for axis in (ax.xaxis, ax.yaxis)
             for tick in axis._update_ticks() for t in (tick.label1, tick.label2)}  # ticks inside the view
    cut = []
    for t in fig.findobj(Text):
        if not t.get_visible() or not t.get_text().strip() or (id(t) in ticks and id(t) not in drawn):
            continue
        box = t.get_window_extent(renderer)
        if box.x0 < -1 or box.x1 > width + 1 or box.y0 < -1 or box.y1 > height + 1:
            cut.append(t.get_text())
    return cut


def test_rank_interval_plot_shows_its_whole_axis_label(plots):
    """Browser pass on a local Hub: 01's rank axis label was cut at the figure's edge ("…simultaneous 95 % sets fo")."""
    board = pd.DataFrame({"dataset_id": ["x"] * 23, "model_id": [f"org/model-{i:02d}" for i in range(23)],
                          "value": np.linspace(76.4, 37.4, 23)})
    fig = plots.rank_interval_plot(A.rank_intervals(board, n_items=500), top_n=10)
    assert not _cut_texts(fig)


def test_score_vs_date_keeps_its_title_inside_the_figure(plots):
    """A long benchmark name with the count of rows left out ran past the figure's edge on one line."""
    df = pd.DataFrame({"dataset_id": ["org/long"] * 6, "model_id": [f"org{i % 3}/m{i}" for i in range(6)],
                       "value": [50.0, 60.0, 70.0, 80.0, np.nan, 55.0],
                       "created_at": pd.to_datetime(["2025-01-01", "2025-03-01", "2025-06-01", None, "2025-07-01",
                                                     "2025-08-01"], utc=True)})
    fig = plots.score_vs_date(df, labels={"org/long": "GPQA: graduate-level Google-proof Q&A (Diamond subset)"})
    assert "without a date or score not shown" in fig.axes[0].get_title()
    assert not _cut_texts(fig)


def test_model_profile_bars_show_long_benchmark_names_whole_and_keep_the_legend_off_them(plots):
    """Browser pass on a local Hub: a card's long name ("GPQA: graduate-level Google-proof Q&A") ran off the
    figure's left edge, and the legend under the axes sat among the rotated names."""
    names = {"a/gpqa": "GPQA: graduate-level Google-proof Q&A", "b/x": "EvasionBench", "c/hle": "Humanity's Last Exam"}
    rows = [(m, d, v) for m, base in (("org/one", 80.0), ("org/two", 60.0), ("org/three", 40.0))
            for d, v in zip(names, (base, base - 5, base - 30))]
    results = pd.DataFrame(rows, columns=["model_id", "dataset_id", "value"])
    fig = plots.model_profile_bars(results, labels=names)
    assert not _cut_texts(fig)
    ax = fig.axes[0]
    legend, title = ax.get_legend().get_window_extent(), ax.title.get_window_extent()
    assert legend.y0 >= ax.get_window_extent().y1 - 1 and title.y0 >= legend.y1 - 1  # above the bars, under the title


def test_correlation_heatmap_values_are_one_collection_per_colour_not_a_text_per_cell(plots):
    """Item 16: 02's heatmap drew a two-line Text per cell (196 on 14 benchmarks), most of a method change."""
    rng = np.random.default_rng(0)
    m = pd.DataFrame(rng.normal(size=(60, 14)), columns=[f"b{i}" for i in range(14)])
    coef, overlap = A.benchmark_correlations(m, min_overlap=5)
    ax = plots.correlation_heatmap(coef, overlap, min_overlap=5).axes[0]
    assert len(ax.texts) == 0 and len(_texts(ax)) == 14 * 14
    assert len([c for c in ax.collections if c.get_gid() == "cell-values"]) <= 3  # black, white, grey


def test_provenance_bars_stack_in_fixed_colours_with_the_legend_beside(plots):
    """07's provenance view: it was pandas' default bar plot, its benchmark names cut off at the left edge, its legend
    over the bars and its colours by column order (verified blue on one Hub, orange on another)."""
    mix = pd.DataFrame({"first_party": [3, 0], "verified": [1, 4], "unknown": [0, 2]},
                       index=["GPQA: graduate-level Google-proof Q&A", "b/y"])
    fig = plots.provenance_bars(mix)
    ax = fig.axes[0]
    _readable(fig)  # nothing cut off
    assert [t.get_text() for t in ax.get_yticklabels()] == list(mix.index)  # first row at the top
    legend = ax.get_legend()
    assert [t.get_text() for t in legend.get_texts()] == ["verified", "first party", "unknown"]
    colours = {t.get_text(): h.get_facecolor() for t, h in zip(legend.get_texts(), legend.legend_handles)}
    again = plots.provenance_bars(mix[["verified"]].assign(first_party=1)).axes[0].get_legend()
    assert {t.get_text(): h.get_facecolor() for t, h in zip(again.get_texts(), again.legend_handles)}["verified"] \
        == colours["verified"]  # one colour per provenance, whatever else is there
    assert legend.get_window_extent().x0 >= ax.get_window_extent().x1 - 1  # beside the bars, never over one
    widths = [p.get_width() for p in ax.patches]
    assert sorted(widths) == sorted([1, 4, 3, 0, 0, 2])  # every count drawn
    with pytest.raises(ValueError, match="mix"):
        plots.provenance_bars(mix.assign(other=1))
