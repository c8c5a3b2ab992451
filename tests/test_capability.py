"""lbtools.analysis.capability: predictions, capability index and validation, checked against simulated truth.

Simulations draw a model × benchmark table from a known logit model: abilities θ_i ~ N(0, I_k), benchmark
slopes and intercepts, a model-misfit term, binomial noise on each benchmark's items, and 20 % of the cells
published, in one case more often for able models (selective reporting). Measured with these seeds (the module
docstring of lbtools.analysis.capability has the spread over 16 simulations, and the README):

- ``validate_predictions``, 400 models × 20 benchmarks, k = 2, random cells: lbtools RMSE 0.65 × the two-way
  additive baseline, 90 % intervals covering 0.94; with missingness depending on ability 0.71 ×, 0.92.
- ``predict_scores``' 90 % intervals cover 0.93 of the unpublished cells' simulated scores (selective: 0.90).
- ``capability_index``, 300 models × 15 benchmarks, k = 1: 90 % intervals cover the true ability (on the
  fitted population's scale) for 0.88 of the models (selective: 0.92), mean width 0.6 with 2 benchmarks and
  0.35 with 5 or more.
"""

from __future__ import annotations

import itertools
import warnings

import numpy as np
import pandas as pd
import pytest

import lbtools
from lbtools import analysis

COLUMNS = ["model_id", "dataset_id", "observed", "predicted", "pred_low", "pred_high"]


def simulate(n_models=400, n_bench=20, k=2, fill=0.2, seed=0, selective=0.0, misfit=0.2, unit_scale_every=3):
    """A load_leaderboards-shaped frame from a known model, and the truth (every cell's score, abilities)."""
    rng = np.random.default_rng(seed)
    theta = rng.normal(size=(n_models, k))
    a = np.abs(rng.normal(1.0, 0.3, size=(n_bench, 1))) * np.ones((1, k))
    if k > 1:
        a[:, 1:] = rng.normal(0, 0.6, size=(n_bench, k - 1))
    b = rng.normal(0, 1.2, size=n_bench)
    n_items = rng.integers(100, 1000, size=n_bench)
    p = 1 / (1 + np.exp(-(b + theta @ a.T + rng.normal(0, misfit, size=(n_models, n_bench)))))
    score = rng.binomial(n_items, p) / n_items * 100
    z = np.log(fill / (1 - fill)) + selective * theta[:, :1]
    obs = rng.random((n_models, n_bench)) < 1 / (1 + np.exp(-z))
    ids = np.array([f"org/model-{i:04d}" for i in range(n_models)])
    bids = np.array([f"bench/b{j:02d}" for j in range(n_bench)])
    ii, jj = np.nonzero(obs)
    unit = (jj % unit_scale_every == 0) if unit_scale_every else np.zeros(jj.size, bool)
    long = pd.DataFrame(
        {
            "model_id": pd.array(ids[ii], dtype="string"),
            "dataset_id": pd.array(bids[jj], dtype="string"),
            "value": pd.array(np.where(unit, score[ii, jj] / 100, score[ii, jj]), dtype="Float64"),
        }
    )
    truth = {
        "theta": pd.DataFrame(theta, index=ids),
        "score": pd.DataFrame(score, index=ids, columns=bids),
        "published": pd.DataFrame(obs, index=ids, columns=bids),
        "n_items": dict(zip(bids, n_items.tolist())),
        "unit": {b: j % unit_scale_every == 0 if unit_scale_every else False for j, b in enumerate(bids)},
    }
    return long, truth


def quiet(fn, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        return fn(*args, **kwargs)


@pytest.fixture(scope="module")
def sim():
    return simulate()


@pytest.fixture(scope="module")
def sim_selective():
    return simulate(seed=1, selective=1.0)


@pytest.fixture
def snapshot_long():
    lbtools.configure(source="snapshot")
    return lbtools.load_leaderboards()


# --------------------------------------------------------------------------------------------
# predictions against simulated truth


@pytest.mark.parametrize("which", ["sim", "sim_selective"])
def test_validation_beats_additive_and_covers(which, request):
    long, truth = request.getfixturevalue(which)
    table, cells = quiet(analysis.validate_predictions, long, splits=2, seed=0, n_items=truth["n_items"],
                         return_cells=True)
    assert list(table.columns) == ["method", "split", "rmse", "coverage", "n_cells"]
    assert set(table["method"]) == set(analysis.capability.VALIDATION_METHODS)
    assert set(table["split"]) == {"random"}  # no created_at column
    t = table.set_index("method")
    ratio = t.loc["lbtools", "rmse"] / t.loc["two-way additive", "rmse"]
    assert ratio <= 0.75, t
    assert 0.85 <= t.loc["lbtools", "coverage"] <= 0.95, t
    # the baselines' intervals come from the same conformal recipe, so they cover too
    for method in ("benchmark mean", "two-way additive", "low-rank SVD"):
        assert 0.82 <= t.loc[method, "coverage"] <= 0.97, t
    # each split holds out 10 % of the published cells
    assert t.loc["lbtools", "n_cells"] == 2 * round(0.1 * len(long))
    assert len(cells) == len(VALIDATION := analysis.capability.VALIDATION_METHODS) * t.loc["lbtools", "n_cells"]
    assert set(cells["method"]) == set(VALIDATION)


@pytest.mark.parametrize("which", ["sim", "sim_selective"])
def test_prediction_intervals_cover_unpublished_scores(which, request):
    long, truth = request.getfixturevalue(which)
    pred = quiet(analysis.predict_scores, long, n_items=truth["n_items"])
    unpublished = pred[pred["observed"].isna()]
    true = truth["score"].stack().rename("true")
    rows = unpublished.join(true, on=["model_id", "dataset_id"])
    unit = rows["dataset_id"].map(truth["unit"]).to_numpy(bool)
    scaled = np.where(unit, rows["true"] / 100, rows["true"])
    inside = (rows["pred_low"].to_numpy(float) <= scaled) & (scaled <= rows["pred_high"].to_numpy(float))
    assert 0.85 <= inside.mean() <= 0.95
    # on the published scale: 0-1 benchmarks come back on 0-1
    assert rows.loc[unit, "pred_high"].max() <= 1.0 and rows.loc[~unit, "pred_high"].max() > 1.0


def test_predict_scores_shape_columns_dtypes(sim):
    long, truth = sim
    pred = quiet(analysis.predict_scores, long, min_benchmarks=3)
    assert list(pred.columns) == COLUMNS
    assert [str(t) for t in pred.dtypes] == ["string", "string", "Float64", "Float64", "Float64", "Float64"]
    counts = long.groupby("model_id").size()
    kept = sorted(counts[counts >= 3].index)
    assert len(pred) == len(kept) * long["dataset_id"].nunique()
    assert sorted(pred["model_id"].unique()) == kept
    # observed is the published value, untouched
    merged = pred.dropna(subset=["observed"]).merge(long, on=["model_id", "dataset_id"])
    assert np.array_equal(merged["observed"].to_numpy(float), merged["value"].to_numpy(float))
    assert pred["observed"].notna().sum() == long[long["model_id"].isin(kept)].shape[0]
    low, mid, high = (pred[c].to_numpy(float) for c in ("pred_low", "predicted", "pred_high"))
    assert (low <= mid).all() and (mid <= high).all()
    info = pred.attrs["capability"]
    assert info["k"] in (1, 2, 3) and info["level"] == 0.9 and np.isfinite(info["conformal_q"])


def test_predict_scores_is_deterministic_and_level_widens(sim):
    long, _ = sim
    one = quiet(analysis.predict_scores, long, seed=3)
    two = quiet(analysis.predict_scores, long, seed=3)
    pd.testing.assert_frame_equal(one, two)
    wide = quiet(analysis.predict_scores, long, seed=3, level=0.97)
    width = lambda df: (df["pred_high"] - df["pred_low"]).to_numpy(float)  # noqa: E731
    assert (width(wide) >= width(one) - 1e-9).all() and width(wide).mean() > width(one).mean()


def test_scale_and_direction_are_kept(snapshot_long):
    base = quiet(analysis.predict_scores, snapshot_long)
    gpqa = "Idavidrein/gpqa"
    # the same benchmark published on 0-1: predictions come back on 0-1, equal up to the factor
    unit = snapshot_long.copy()
    rows = unit["dataset_id"] == gpqa
    unit.loc[rows, "value"] = unit.loc[rows, "value"] / 100
    on_unit = quiet(analysis.predict_scores, unit)
    a = base[base["dataset_id"] == gpqa][["predicted", "pred_low", "pred_high"]].to_numpy(float)
    b = on_unit[on_unit["dataset_id"] == gpqa][["predicted", "pred_low", "pred_high"]].to_numpy(float)
    np.testing.assert_allclose(b * 100, a, rtol=1e-6)
    # lower is better: published as an error rate 100 - score, predicted as 100 - the prediction
    flipped = snapshot_long.copy()
    flipped.loc[rows, "value"] = 100 - flipped.loc[rows, "value"]
    flipped["lower_is_better"] = pd.array(rows.to_numpy(), dtype="boolean")
    err = quiet(analysis.predict_scores, flipped)
    c = err[err["dataset_id"] == gpqa]
    np.testing.assert_allclose(100 - c["predicted"].to_numpy(float), a[:, 0], rtol=1e-6)
    np.testing.assert_allclose(100 - c["pred_high"].to_numpy(float), a[:, 1], rtol=1e-6)


def test_item_counts_are_used_and_skipping_them_is_said(sim):
    long, truth = sim
    with pytest.warns(UserWarning, match="binomial"):
        without = analysis.predict_scores(long)
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        with_items = analysis.predict_scores(long, n_items=truth["n_items"])
    assert not with_items.attrs["capability"]["notes"]
    assert not np.allclose(without["pred_low"].to_numpy(float), with_items["pred_low"].to_numpy(float))


@pytest.mark.filterwarnings("ignore:validate_predictions. item counts unknown")
def test_time_split_needs_created_at(snapshot_long):
    long, _ = simulate(n_models=200, seed=2)
    rng = np.random.default_rng(0)
    dates = pd.Series(pd.to_datetime("2025-01-01", utc=True) + pd.to_timedelta(rng.integers(0, 365, 200), unit="D"),
                      index=[f"org/model-{i:04d}" for i in range(200)])
    dated = long.assign(created_at=long["model_id"].map(dates))
    table, cells = analysis.validate_predictions(dated, splits=1, return_cells=True)
    assert set(table["split"]) == {"random", "time"}
    time_rows = table[table["split"] == "time"].set_index("method")
    assert time_rows.loc["lbtools", "rmse"] < time_rows.loc["two-way additive", "rmse"]
    # the held-out cells are the newest models'
    held = cells[(cells["split"] == "time") & (cells["method"] == "lbtools")]["model_id"].unique()
    newest = dates[sorted(set(long["model_id"]))].sort_values()
    assert set(held) <= set(newest.index[len(newest) // 2:])
    with pytest.warns(UserWarning, match="time split skipped"):
        analysis.validate_predictions(snapshot_long, splits=1)


# --------------------------------------------------------------------------------------------
# the capability index


@pytest.mark.parametrize("seed,selective", [(0, 0.0), (1, 1.0)])
def test_index_intervals_cover_true_ability(seed, selective):
    long, truth = simulate(n_models=300, n_bench=15, k=1, seed=seed, selective=selective)
    index = quiet(analysis.capability_index, long, n_items=truth["n_items"])
    fitted = sorted(set(long["model_id"]))
    theta = truth["theta"][0]
    # the index is in SD units of the fitted population, 0 = its mean
    true = ((theta - theta[fitted].mean()) / theta[fitted].std(ddof=0)).reindex(index["model_id"]).to_numpy()
    low, high = index["index_low"].to_numpy(float), index["index_high"].to_numpy(float)
    inside = (low <= true) & (true <= high)
    assert 0.85 <= inside.mean() <= 0.95
    assert np.corrcoef(true, index["index"].to_numpy(float))[0, 1] > 0.95
    width = pd.Series(high - low).groupby(index["n_benchmarks"].to_numpy()).mean()
    assert width[2] > width[3] > width[width.index >= 5].max()


def test_index_columns_order_and_parameters(sim):
    long, _ = sim
    index = quiet(analysis.capability_index, long, min_benchmarks=4)
    assert list(index.columns) == ["model_id", "index", "index_low", "index_high", "n_benchmarks"]
    assert [str(t) for t in index.dtypes] == ["string", "Float64", "Float64", "Float64", "Int64"]
    assert index["index"].is_monotonic_decreasing
    assert (index["n_benchmarks"] >= 4).all()
    assert (index["index_low"] < index["index"]).all() and (index["index"] < index["index_high"]).all()
    params = quiet(analysis.benchmark_parameters, long)
    assert list(params.columns) == ["dataset_id", "difficulty", "discrimination", "discrimination_se", "residual_sd",
                                    "n_models", "n_items"]
    assert list(params["dataset_id"]) == sorted(long["dataset_id"].unique())
    assert (params["discrimination"] > 0).all()
    # frames from here combine like any other (nothing in attrs that pandas cannot compare)
    assert len(pd.concat([index, index])) == 2 * len(index) and len(index.merge(index, on="model_id")) == len(index)


def test_index_on_a_benchmark_subset(snapshot_long):
    subset = ["Idavidrein/gpqa", "TIGER-Lab/MMLU-Pro", "cais/hle"]
    index = quiet(analysis.capability_index, snapshot_long, benchmarks=subset)
    on_subset = snapshot_long[snapshot_long["dataset_id"].isin(subset)].groupby("model_id").size()
    assert sorted(index["model_id"]) == sorted(on_subset[on_subset >= 2].index)
    params = quiet(analysis.benchmark_parameters, snapshot_long, benchmarks=subset)
    assert list(params["dataset_id"]) == sorted(subset)
    assert params.set_index("dataset_id")["n_models"].to_dict() == \
        snapshot_long[snapshot_long["dataset_id"].isin(subset)].groupby("dataset_id").size().to_dict()


# --------------------------------------------------------------------------------------------
# the bundled snapshot and bad input


def test_runs_on_the_bundled_snapshot(snapshot_long):
    pred = quiet(analysis.predict_scores, snapshot_long)
    counts = snapshot_long.groupby("model_id").size()
    assert len(pred) == int((counts >= 2).sum()) * snapshot_long["dataset_id"].nunique()
    assert pred.attrs["source"].startswith("snapshot:")
    assert ((pred["pred_low"] >= 0) & (pred["pred_high"] <= 100)).all()
    index = quiet(analysis.capability_index, snapshot_long)
    assert len(index) == int((counts >= 2).sum())
    # where one model beats another on every one of 3 or more shared benchmarks, the index orders them the same way
    matrix = analysis.scores_matrix(analysis.dedupe(snapshot_long))
    position = dict(zip(index["model_id"], index["index"]))
    pairs = agree = 0
    for a, b in itertools.combinations(index["model_id"], 2):
        diff = (matrix.loc[a] - matrix.loc[b]).dropna()
        if len(diff) >= 3 and ((diff > 0).all() or (diff < 0).all()):
            pairs += 1
            agree += bool((diff > 0).all()) == bool(position[a] > position[b])
    assert pairs >= 50 and agree == pairs
    table = quiet(analysis.validate_predictions, snapshot_long, splits=2)
    t = table.set_index("method")
    assert t.loc["lbtools", "rmse"] < t.loc["benchmark mean", "rmse"]


@pytest.mark.parametrize(
    "call,match",
    [
        (lambda long: analysis.predict_scores(long, level=1.5), "level"),
        (lambda long: analysis.predict_scores(long, min_benchmarks=0), "min_benchmarks"),
        (lambda long: analysis.predict_scores(long, n_items={"Idavidrein/gpqa": -3}), "n_items"),
        (lambda long: analysis.predict_scores(long.drop(columns=["value"])), "value"),
        (lambda long: analysis.capability_index(long, benchmarks=["Idavidrein/gpqa", "no/such"]), "benchmarks"),
        (lambda long: analysis.capability_index(long, benchmarks=["Idavidrein/gpqa"]), "benchmarks"),
        (lambda long: analysis.validate_predictions(long, holdout=0.7), "holdout"),
        (lambda long: analysis.validate_predictions(long, splits=0), "splits"),
    ],
)
def test_bad_arguments_are_named(snapshot_long, call, match):
    with pytest.raises(ValueError, match=match):
        quiet(call, snapshot_long)


def test_type_errors_are_named(snapshot_long):
    with pytest.raises(TypeError, match="long"):
        analysis.predict_scores(snapshot_long.to_dict())
    with pytest.raises(TypeError, match="benchmarks"):
        analysis.capability_index(snapshot_long, benchmarks="Idavidrein/gpqa")
    with pytest.raises(TypeError, match="n_items"):
        analysis.predict_scores(snapshot_long, n_items=[100])


@pytest.mark.filterwarnings("ignore:predict_scores. item counts unknown")
def test_deduplicates_by_the_project_rule(snapshot_long):
    twice = pd.concat([snapshot_long, snapshot_long.head(5).assign(value=1.0)], ignore_index=True)
    with pytest.warns(UserWarning, match="listed 2 times"):
        pred = analysis.predict_scores(twice)
    base = quiet(analysis.predict_scores, snapshot_long)
    pd.testing.assert_frame_equal(pred, base)


# --------------------------------------------------------------------------------------------
# plots


@pytest.fixture
def agg():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    yield plt
    plt.close("all")


def test_capability_forest(agg, snapshot_long):
    from lbtools import plots

    index = quiet(analysis.capability_index, snapshot_long)
    fig = plots.capability_forest(index, top_n=12)
    ax = fig.axes[0]
    names = [t.get_text() for t in ax.get_yticklabels()]
    assert names == list(index["model_id"].head(12))  # most capable at the top
    low, high = ax.get_xlim()
    assert low <= index["index_low"].head(12).min() and index["index_high"].head(12).max() <= high
    counts = [t for t in ax.texts if t.get_text().startswith("n=")]
    assert [t.get_text() for t in counts] == [f"n={n}" for n in index["n_benchmarks"].head(12)]
    assert all(low <= t.get_position()[0] <= high for t in counts)  # labels inside the axes
    assert min(t.get_fontsize() for t in counts + ax.get_yticklabels()) >= 9
    assert fig.get_size_inches()[0] * fig.dpi <= 1000


def test_filled_matrix_marks_published_cells(agg, snapshot_long):
    from lbtools import plots

    pred = quiet(analysis.predict_scores, snapshot_long)
    order = list(quiet(analysis.capability_index, snapshot_long)["model_id"])
    fig = plots.filled_matrix(pred, order=order, max_models=15)
    ax = fig.axes[0]
    shown = pred[pred["model_id"].isin(order[:15])]
    framed = [p for p in ax.patches if p.get_gid() == "published"]
    assert len(framed) == shown["observed"].notna().sum()
    bold = [t for t in ax.texts if t.get_fontweight() == "bold"]
    italic = [t for t in ax.texts if t.get_fontstyle() == "italic"]
    assert len(bold) == len(framed) and len(italic) == shown["observed"].isna().sum()
    assert [t.get_text() for t in ax.get_yticklabels()] == order[:15]
    assert "not published results" in ax.get_title()
    assert fig.get_size_inches()[0] * fig.dpi <= 1000


def test_predicted_vs_published(agg, snapshot_long):
    from lbtools import plots

    table, cells = quiet(analysis.validate_predictions, snapshot_long, splits=2, return_cells=True)
    fig = plots.predicted_vs_published(cells, method="lbtools")
    ax = fig.axes[0]
    assert ax.get_xlim() == (0, 100) and ax.get_ylim() == (0, 100)
    mine = cells[cells["method"] == "lbtools"]
    inside = ((mine["pred_low"] <= mine["observed"]) & (mine["observed"] <= mine["pred_high"])).sum()
    labels = ax.get_legend_handles_labels()[1]
    assert f"inside its interval ({inside})" in labels
    assert f"{inside / len(mine):.0%} inside" in ax.get_title()


def test_too_few_cells_give_whole_scale_intervals_and_say_so():
    long = pd.DataFrame({"model_id": ["a", "b", "a", "b", "c"], "dataset_id": ["x", "x", "y", "y", "x"],
                         "value": [50.0, 60.0, 70.0, 65.0, 40.0]})
    with pytest.warns(UserWarning, match="too few published cells"):
        pred = analysis.predict_scores(long, n_items={"x": 100, "y": 100})
    assert (pred["pred_low"] == 0).all() and (pred["pred_high"] == 100).all()
