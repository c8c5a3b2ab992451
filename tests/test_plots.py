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
    return [t.get_text() for t in ax.texts]


def test_ranking_bar(plots, leaderboards):
    x = leaderboards[leaderboards["dataset_id"] == "x"]
    ax = _check(plots.ranking_bar(x, top_n=3, labels={"x": "Bench X"}))
    assert len(ax.patches) == 3
    assert [t.get_text() for t in ax.get_yticklabels()] == [NASTY.replace("$", r"\$"), "b/m", "c/m"]
    assert ax.yaxis_inverted()  # best at the top
    assert _texts(ax) == ["90", "80", "80"]
    assert ax.get_title() == "Top 3 models on Bench X"
    colours = [p.get_facecolor() for p in ax.patches]
    assert colours[0] != colours[1] and colours[1] == colours[2]  # unverified vs verified
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["verified", "not verified"]


def test_ranking_bar_does_not_call_unknown_verification_unverified(plots, leaderboards):
    x = leaderboards[leaderboards["dataset_id"] == "x"].copy()
    x["verified"] = pd.array([True, None, None][: len(x)] + [None] * (len(x) - 3), dtype="boolean")
    ax = _check(plots.ranking_bar(x, top_n=3))
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "unknown" in legend and "not verified" not in legend
    x["verified"] = pd.array([None] * len(x), dtype="boolean")
    ax = _check(plots.ranking_bar(x, top_n=3))
    assert ax.get_legend() is None and "verification status not published" in ax.get_xlabel()
    assert len({p.get_facecolor() for p in ax.patches}) == 1


def test_ranking_bar_lower_is_better_and_one_benchmark(plots, leaderboards):
    y = leaderboards[leaderboards["dataset_id"] == "y"]
    ax = _check(plots.ranking_bar(y, title="custom $"))
    assert [t.get_text() for t in ax.get_yticklabels()][1:] == ["c/m", "f/m"]
    assert ax.get_title() == r"custom \$"
    with pytest.raises(ValueError, match="one benchmark"):
        plots.ranking_bar(leaderboards)


def test_race_bar(plots, leaderboards):
    x = leaderboards[leaderboards["dataset_id"] == "x"]
    ranking = A.ranking_as_of(x, "2024-03-01")
    ax = _check(plots.race_bar(ranking, "2024-03-01", labels={"x": "Bench X"}, xlim=(0, 100)))
    assert len(ax.patches) == 3
    assert ax.get_title() == "Top 3 on Bench X as of 2024-03-01"
    assert ax.get_xlim() == (0, 100)
    assert _texts(ax) == ["90", "80", "80"]
    # the same organisation keeps its colour from frame to frame
    again = _check(plots.race_bar(A.ranking_as_of(x, "2024-01-15"), "2024-01-15"))
    assert again.patches[0].get_facecolor() == ax.patches[1].get_facecolor()  # b/m
    empty = _check(plots.race_bar(A.ranking_as_of(x, "2000-01-01"), "2000-01-01"))
    assert len(empty.patches) == 0 and "no model" in _texts(empty)[0]


def test_correlation_heatmap(plots):
    m = pd.DataFrame(
        {"a": [1, 2, 3, 4, 5, np.nan], "b": [2, 1, 4, 3, 5, 6], "c": [1, np.nan, np.nan, np.nan, np.nan, 2]},
    )
    coef, overlap = A.benchmark_correlations(m, min_overlap=3)
    ax = _check(plots.correlation_heatmap(coef, overlap, min_overlap=3, order=["b", "a", "c"], labels={"a": "A$"}))
    texts = _texts(ax)
    assert len(texts) == 9
    shown = [t for t in texts if "\n" in t]
    assert sorted(shown) == ["0.80\nn=5", "0.80\nn=5", "1.00\nn=5", "1.00\nn=6"]
    assert sorted(t for t in texts if "\n" not in t) == ["n=1", "n=1", "n=2", "n=2", "n=2"]  # masked, grey
    assert [t.get_text() for t in ax.get_xticklabels()] == ["b", r"A\$", "c"]
    assert "blank below n = 3" in ax.get_title()
    fig = plots.correlation_heatmap(coef, overlap, min_overlap=3, method="kendall")
    assert fig.axes[0].get_title().startswith("Kendall correlation")


def test_pair_scatter(plots):
    m = pd.DataFrame(
        {"a": [1, 2, 3, 4, 5, np.nan], "b": [2, 1, 4, 3, 5, 6]},
        index=["m1", "m2", "m3", "m4", NASTY, "m6"],
    )
    ax = _check(plots.pair_scatter(m, "a", "b", ci=(0.8, 0.1, 0.95), labels={"a": "Alpha"}))
    (points,) = [c for c in ax.collections if c.get_gid() == "models"]
    assert len(points.get_offsets()) == 5
    assert _texts(ax) == ["m1", "m2", "m3", "m4", NASTY.replace("$", r"\$")]
    (line,) = [ln for ln in ax.lines if ln.get_gid() == "fit"]
    slope = np.diff(line.get_ydata()) / np.diff(line.get_xdata())
    assert slope[0] == pytest.approx(0.8)  # least squares: 8 / 10
    assert ax.get_title() == "Alpha vs b\nSpearman ρ = 0.80 (bootstrap CI 0.10 to 0.95), n = 5 models"
    assert ax.get_xlabel() == "Alpha"
    with pytest.raises(ValueError, match="'zz'"):
        plots.pair_scatter(m, "a", "zz")


def test_score_vs_parameters(plots, leaderboards):
    x = leaderboards[leaderboards["dataset_id"] == "x"]
    ax = _check(plots.score_vs_parameters(x, A.pareto_frontier(x)))
    by_gid = {c.get_gid(): len(c.get_offsets()) for c in ax.collections}
    assert by_gid == {"others": 2, "frontier": 1}  # c has no size, e no score
    (line,) = [ln for ln in ax.lines if ln.get_gid() == "frontier"]
    assert list(line.get_xdata()) == [1.0]
    assert ax.get_xscale() == "log"
    assert _texts(ax) == [NASTY.replace("$", r"\$")]
    assert ax.get_title() == (
        "Score vs size on x: 1 of 3 models on the Pareto frontier\n(2 without a parameter count or score not shown)"
    )


def test_score_vs_date(plots, leaderboards):
    ax = _check(plots.score_vs_date(leaderboards, labels={"y": "Why"}))
    assert [len(c.get_offsets()) for c in ax.collections] == [3, 3]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["x", "Why"]
    assert ax.get_title() == "Scores by model creation date on the Hub: 6 results (2 without a date or score not shown)"


def test_best_to_date_steps(plots, leaderboards):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        best = A.best_to_date(leaderboards)
    ax = _check(plots.best_to_date_steps(best, labels={"x": "Ex"}))
    assert len(ax.lines) == 2
    assert [ln.get_drawstyle() for ln in ax.lines] == ["steps-post", "steps-post"]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["Ex", "y"]
    assert len(_texts(ax)) == len(best) == 5
    # x's last record (Mar 1) is also the latest, so its line ends there; y's too
    assert [len(ln.get_xdata()) for ln in ax.lines] == [2, 3]
    assert ax.get_title() == "Best score to date on 2 benchmark(s): each step is a new best"


def test_model_profile_bars(plots, leaderboards):
    ranks = A.model_ranks(leaderboards, ["c/m", "b/m", NASTY])
    ax = _check(plots.model_profile_bars(ranks, value="percentile", labels={"y": "Why"}))
    assert len(ax.patches) == 5  # b/m is not on y
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["c/m", "b/m", NASTY.replace("$", r"\$")]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["x", "Why"]
    assert ax.get_title() == "Percentile on each leaderboard: 3 model(s) on 2 benchmark(s)"
    assert sorted(_texts(ax)) == sorted(["75", "66.67", "75", "100", "100"])
    with pytest.raises(ValueError, match="dedupe_results"):
        plots.model_profile_bars(pd.concat([ranks, ranks]))


def test_draws_into_a_given_axes(plots, leaderboards):
    import matplotlib.pyplot as plt

    fig, (left, right) = plt.subplots(1, 2)
    x = leaderboards[leaderboards["dataset_id"] == "x"]
    assert plots.ranking_bar(x, ax=left) is fig
    assert plots.score_vs_date(x, ax=right) is fig
    assert len(left.patches) == 4 and len(right.collections) == 1
