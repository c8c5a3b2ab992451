"""Unit tests of lbtools.analysis on small hand-made frames (expected values worked out by hand)."""

from __future__ import annotations

import subprocess
import sys
import warnings

import numpy as np
import pandas as pd
import pytest

import lbtools
from lbtools import analysis as A

UTC = "UTC"


def s(values, dtype):
    return pd.array(values, dtype=dtype)


def ts(*values):
    return pd.to_datetime(list(values), utc=True)


@pytest.fixture
def no_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        yield


@pytest.fixture
def leaderboards():
    """Two benchmarks: x (higher is better) and y (lower is better)."""
    df = pd.DataFrame(
        {
            "dataset_id": s(["x"] * 5 + ["y"] * 3, "string"),
            "rank": s([1, 2, 3, 4, 5, 1, 2, 3], "Int64"),
            "model_id": s(["org/a", "b", "c", "d", "e", "org/a", "c", "f"], "string"),
            "value": s([90, 80, 80, 70, None, 1.0, 2.0, 3.0], "Float64"),
            "verified": s([False, True, True, False, False, True, None, False], "boolean"),
            "lower_is_better": s([False] * 5 + [True] * 3, "boolean"),
            "created_at": ts(
                "2024-03-01", "2024-01-01", "2024-02-01", None, "2024-01-01", "2024-03-01", "2024-02-01", "2024-01-01"
            ),
        }
    )
    df.attrs = {"source": "snapshot:test", "fetched_at": "2026-03-25T00:00:00+00:00"}
    return df


# --------------------------------------------------------------------------------------------
# detect_scale / add_normalised


@pytest.mark.parametrize(
    "values, expected",
    [
        ([0.5, 1, None, np.nan], "0-1"),
        (s([0.2, None], "Float64"), "0-1"),
        ([np.inf, 0.5], "0-1"),
        ([0, 1, 1], "unknown"),  # only 0 and 1 fit both scales
        ([0, 45.5, 100], "0-100"),
        ([1, 2], "0-100"),
        ([-1, 0.5], "unknown"),
        ([101, 50], "unknown"),
        ([], "unknown"),
        ([None, np.nan], "unknown"),
    ],
)
def test_detect_scale(values, expected):
    assert A.detect_scale(values) == expected


def _mixed_scales():
    df = pd.DataFrame(
        {
            "dataset_id": s(["u/unit", "u/unit", "p/pct", "p/pct", "e/elo", "e/elo"], "string"),
            "model_id": s(list("abcdef"), "string"),
            "value": s([0.5, 0.25, 80, None, 1500, 1200], "Float64"),
            "verified": s([True] * 6, "boolean"),
        }
    )
    df.attrs = {"source": "hub", "fetched_at": "t"}
    return df


def test_add_normalised_values_columns_and_warnings():
    df = _mixed_scales()
    with pytest.warns(UserWarning) as record:
        out = A.add_normalised(df)
    messages = [str(w.message) for w in record]
    assert len(messages) == 2
    assert "0-1 scale" in messages[0] and "u/unit" in messages[0] and "multiplied by 100" in messages[0]
    assert "p/pct" not in messages[0]
    assert "unknown" in messages[1] and "e/elo" in messages[1]

    assert list(out.columns) == ["dataset_id", "model_id", "value", "value_norm", "scale", "verified"]
    assert out["value_norm"].dtype == "Float64"
    assert out["scale"].dtype == "string"
    assert out["value_norm"].tolist() == [50.0, 25.0, 80.0, pd.NA, pd.NA, pd.NA]
    assert out["scale"].tolist() == ["0-1", "0-1", "0-100", "0-100", "unknown", "unknown"]
    pd.testing.assert_series_equal(out["value"], df["value"])  # never overwritten
    assert "value_norm" not in df.columns  # a copy
    assert out.attrs == df.attrs


def test_add_normalised_no_warning_on_0_100_and_idempotent(no_warnings):
    df = pd.DataFrame({"dataset_id": ["a", "a", "b"], "value": [10.0, 99.5, 3.0]})
    once = A.add_normalised(df)
    twice = A.add_normalised(once)
    assert list(twice.columns) == ["dataset_id", "value", "value_norm", "scale"]
    assert twice["value_norm"].tolist() == [10.0, 99.5, 3.0]


def test_add_normalised_whole_frame_and_other_column():
    df = pd.DataFrame({"score": [0.1, 0.9]})
    with pytest.warns(UserWarning, match="0-1 scale"):
        out = A.add_normalised(df, value="score", by=None)
    assert list(out.columns) == ["score", "score_norm", "scale"]
    assert out["score_norm"].tolist() == pytest.approx([10.0, 90.0])


def test_add_normalised_warns_on_values_that_look_mixed():
    df = pd.DataFrame({"dataset_id": ["g"] * 3, "value": [80.0, 70.0, 0.85]})
    with pytest.warns(UserWarning, match=r"between 0 and 1.*: g"):
        out = A.add_normalised(df)
    assert out["value_norm"].tolist() == [80.0, 70.0, 0.85]  # kept as published


# --------------------------------------------------------------------------------------------
# dedupe_results


@pytest.fixture
def results():
    df = pd.DataFrame(
        {
            "model_id": s(["m1", "m2", "m1", "m1", "m2"], "string"),
            "dataset_id": s(["d"] * 5, "string"),
            "task_id": s(["t"] * 5, "string"),
            "value": s([70, 60, 80, 80, 65], "Float64"),
            "verified": s([True, False, False, False, False], "boolean"),
            "filename": s(["b.yaml", "a", "z.yaml", "a.yaml", "x"], "string"),
            "date": ts("2024-01-01", "2024-02-01", "2024-03-01", "2023-01-01", None),
        },
        index=[10, 11, 12, 13, 14],
    )
    df.attrs = {"source": "hub", "fetched_at": "t"}
    return df


@pytest.mark.parametrize(
    "rule, kept",
    [
        ("best", [10, 14]),  # m1: verified 70 beats unverified 80; m2: 65 > 60
        ("latest", [12, 11]),  # m1: 2024-03-01; m2: a known date beats a missing one
        ("first", [10, 11]),
    ],
)
def test_dedupe_rules(results, rule, kept):
    with pytest.warns(lbtools.AnalysisWarning, match=rf"dropped 3 of 5 rows \(rule='{rule}'\)"):
        out = A.dedupe_results(results, rule=rule)
    assert out.index.tolist() == kept
    assert list(out.columns) == list(results.columns)
    assert (out.dtypes == results.dtypes).all()
    assert out.attrs == results.attrs


def test_dedupe_best_ties_by_filename_then_task_id(results):
    unverified = results.drop(columns="verified")
    with pytest.warns(UserWarning):
        out = A.dedupe_results(unverified)
    assert out.index.tolist() == [13, 14]  # m1: 80 vs 80, "a.yaml" < "z.yaml"

    same_file = pd.DataFrame(
        {
            "model_id": ["m", "m"],
            "dataset_id": ["d", "d"],
            "value": [5.0, 5.0],
            "filename": ["f", "f"],
            "task_id": ["b", "a"],
        }
    )
    with pytest.warns(UserWarning):
        assert A.dedupe_results(same_file).index.tolist() == [1]


def test_dedupe_lower_is_better_and_first_appearance_order():
    df = pd.DataFrame(
        {
            "model_id": ["m1", "m2", "m1", "m2"],
            "dataset_id": ["d", "e", "d", "e"],  # e is lower-is-better
            "value": [60.0, 50.0, 90.0, 40.0],
            "lower_is_better": s([False, True, False, True], "boolean"),
        }
    )
    with pytest.warns(UserWarning, match="dropped 2 of 4"):
        out = A.dedupe_results(df)
    # m1 first appeared first, so it comes first even though its kept row is the later one
    assert out.index.tolist() == [2, 3]
    assert out["value"].tolist() == [90.0, 40.0]


def test_dedupe_missing_value_loses_and_no_warning_without_duplicates(no_warnings):
    df = pd.DataFrame({"model_id": ["m", "n"], "dataset_id": ["d", "d"], "value": [1.0, 2.0]})
    assert A.dedupe_results(df).index.tolist() == [0, 1]
    na_first = pd.DataFrame({"model_id": ["m", "m"], "dataset_id": ["d", "d"], "value": s([None, 1.0], "Float64")})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert A.dedupe_results(na_first).index.tolist() == [1]


def test_dedupe_missing_filename_and_missing_key():
    df = pd.DataFrame(
        {
            "model_id": s(["m", None, "m", None, "m"], "string"),
            "dataset_id": ["d"] * 5,
            "value": [1.0, 2.0, 1.0, 3.0, 1.0],
            "filename": s([None, "a", "b", None, "a"], "string"),
        }
    )
    with pytest.warns(UserWarning, match="dropped 3 of 5"):
        out = A.dedupe_results(df)
    # m: equal values, filename "a" < "b" < missing; the missing model id is a group of its own
    assert out.index.tolist() == [4, 3]


def test_dedupe_errors(results):
    with pytest.raises(ValueError, match="rule"):
        A.dedupe_results(results, rule="mean")
    with pytest.raises(ValueError, match="'date'"):
        A.dedupe_results(results.drop(columns="date"), rule="latest")


# --------------------------------------------------------------------------------------------
# scores_matrix


def test_scores_matrix(leaderboards):
    m = A.scores_matrix(leaderboards)
    assert m.index.tolist() == ["b", "c", "d", "e", "f", "org/a"]
    assert m.columns.tolist() == ["x", "y"]
    assert m.index.name == "model_id" and m.columns.name == "dataset_id"
    assert (m.dtypes == "float64").all()
    assert m.loc["org/a", "x"] == 90.0 and m.loc["c", "y"] == 2.0
    assert np.isnan(m.loc["e", "x"]) and np.isnan(m.loc["b", "y"])
    assert m.attrs == leaderboards.attrs


def test_scores_matrix_refuses_duplicates(leaderboards):
    doubled = pd.concat([leaderboards, leaderboards.iloc[[0]]])
    with pytest.raises(ValueError, match=r"1 \(model_id, dataset_id\).*dedupe_results"):
        A.scores_matrix(doubled)


# --------------------------------------------------------------------------------------------
# correlations


@pytest.fixture
def matrix():
    m = pd.DataFrame(
        {
            "a": [1, 2, 3, 4, 5, np.nan],
            "b": [2, 1, 4, 3, 5, 6],
            "c": [5, 4, 3, 2, 1, np.nan],
            "d": [1, np.nan, np.nan, np.nan, np.nan, 2],
        },
        index=pd.Index(list("uvwxyz"), name="model_id"),
    )
    m.columns.name = "dataset_id"
    m.attrs = {"source": "hub", "fetched_at": "t"}
    return m


def test_benchmark_correlations_spearman(matrix):
    coef, overlap = A.benchmark_correlations(matrix, min_overlap=3)
    # a vs b: rank differences (-1, 1, -1, 1, 0): rho = 1 - 6 * 4 / (5 * 24) = 0.8
    assert coef.loc["a", "b"] == pytest.approx(0.8)
    assert coef.loc["a", "c"] == pytest.approx(-1.0)
    assert coef.loc["b", "c"] == pytest.approx(-0.8)  # differences (-3, -3, 1, 1, 4): 1 - 6 * 36 / 120
    assert coef.loc["b", "a"] == coef.loc["a", "b"]
    assert [coef.loc[k, k] for k in "abc"] == [1.0, 1.0, 1.0]
    assert coef["d"].isna().all() and coef.loc["d"].isna().all()  # d has 2 scores < 3
    assert overlap.to_numpy().tolist() == [[5, 5, 5, 1], [5, 6, 5, 2], [5, 5, 5, 1], [1, 2, 1, 2]]
    assert overlap.dtypes.eq("int64").all() and coef.dtypes.eq("float64").all()
    assert coef.index.tolist() == coef.columns.tolist() == ["a", "b", "c", "d"]
    assert coef.attrs == matrix.attrs == overlap.attrs


def test_benchmark_correlations_other_methods(matrix):
    coef, _ = A.benchmark_correlations(matrix, method="pearson", min_overlap=3)
    assert coef.loc["a", "b"] == pytest.approx(0.8)  # 8 / sqrt(10 * 10)
    coef, _ = A.benchmark_correlations(matrix, method="kendall", min_overlap=3)
    assert coef.loc["a", "b"] == pytest.approx(0.6)  # 2 discordant pairs of 10: (8 - 2) / 10


def test_benchmark_correlations_min_overlap_masks(matrix):
    coef, overlap = A.benchmark_correlations(matrix, min_overlap=6)
    assert coef.loc["b", "b"] == 1.0  # the only benchmark with 6 scores
    assert coef.isna().sum().sum() == 15
    assert overlap.loc["a", "b"] == 5


def test_benchmark_correlations_constant_and_errors():
    m = pd.DataFrame({"a": [1.0, 2, 3], "k": [7.0, 7, 7]})
    coef, _ = A.benchmark_correlations(m, min_overlap=3)
    assert np.isnan(coef.loc["a", "k"]) and np.isnan(coef.loc["k", "k"]) and coef.loc["a", "a"] == 1.0
    with pytest.raises(ValueError, match="method"):
        A.benchmark_correlations(m, method="cosine")
    for too_few in (0, 2):  # two models always correlate perfectly: never below 3
        with pytest.raises(ValueError, match="min_overlap must be an integer of at least 3"):
            A.benchmark_correlations(m, min_overlap=too_few)


def test_correlation_table(matrix):
    table = A.correlation_table(matrix, min_overlap=3)
    assert list(table.columns) == ["benchmark_a", "benchmark_b", "coefficient", "n_models", "weak"]
    assert table[["benchmark_a", "benchmark_b"]].values.tolist() == [
        ["a", "b"], ["a", "c"], ["a", "d"], ["b", "c"], ["b", "d"], ["c", "d"],
    ]  # fmt: skip
    assert table["coefficient"].round(6).tolist() == [0.8, -1.0, pd.NA, -0.8, pd.NA, pd.NA]
    assert table["n_models"].tolist() == [5, 5, 1, 5, 2, 1]
    assert table.dtypes.astype(str).tolist() == ["string", "string", "Float64", "Int64", "boolean"]
    assert table["weak"].all()  # every pair rests on fewer than 10 models
    assert table.attrs == matrix.attrs


def test_correlation_table_orders_each_pair():
    m = pd.DataFrame({"z": [1.0, 2, 3], "a": [3.0, 2, 1]})
    table = A.correlation_table(m, min_overlap=3)
    assert table[["benchmark_a", "benchmark_b"]].values.tolist() == [["a", "z"]]
    assert table["coefficient"].tolist() == [-1.0]


def test_correlation_coefficient_matches_scipy():
    from scipy import stats

    rng = np.random.default_rng(3)
    x = rng.integers(0, 6, 25).astype(float)  # with ties
    y = x + rng.normal(size=25)
    assert A.correlation_coefficient(x, y, method="spearman") == pytest.approx(stats.spearmanr(x, y)[0])
    assert A.correlation_coefficient(x, y, method="kendall") == pytest.approx(stats.kendalltau(x, y)[0])
    assert A.correlation_coefficient(x, y, method="pearson") == pytest.approx(stats.pearsonr(x, y)[0])


# --------------------------------------------------------------------------------------------
# bootstrap_ci


def test_bootstrap_ci_exact_on_a_monotone_relation():
    # every resample gives rho = 1: the bootstrap sees no uncertainty, so the interval is Fisher's z (Bonett-Wright)
    # and a plain-words AnalysisWarning says so (never [1, 1] from 5 models)
    with pytest.warns(lbtools.AnalysisWarning, match="can't measure its uncertainty"):
        res = A.bootstrap_ci([1, 2, 3, 4, 5], [2, 4, 6, 8, 10])
    assert res.estimate == 1.0 and res.interval == "fisher" and res.high <= 1.0 and res.low < 0.9


@pytest.mark.parametrize("method", ["spearman", "kendall", "pearson"])
def test_bootstrap_ci_deterministic_and_contains_estimate(method):
    from scipy import stats

    rng = np.random.default_rng(7)
    x = rng.normal(size=40)
    y = x + rng.normal(size=40)
    x[0], y[1] = np.nan, np.nan  # pairs with a missing side are dropped
    first = A.bootstrap_ci(x, y, method=method, n_boot=500, rng=1)
    assert first == A.bootstrap_ci(x, y, method=method, n_boot=500, rng=1)
    assert first != A.bootstrap_ci(x, y, method=method, n_boot=500, rng=2)
    estimate, low, high = first
    ok = ~np.isnan(x) & ~np.isnan(y)
    reference = {"spearman": stats.spearmanr, "kendall": stats.kendalltau, "pearson": stats.pearsonr}[method]
    assert estimate == pytest.approx(reference(x[ok], y[ok])[0])
    assert low < estimate < high
    assert -1 <= low and high <= 1
    narrow = A.bootstrap_ci(x, y, method=method, n_boot=500, rng=1, level=0.5)
    assert low < narrow.low < narrow.high < high


def test_bootstrap_ci_aligns_series_and_checks_inputs():
    x = pd.Series([1.0, 2, 3, 4], index=list("abcd"))
    y = pd.Series([40.0, 30, 20, 10], index=list("dcba"))  # the same order once aligned
    with pytest.warns(lbtools.AnalysisWarning, match="can't measure its uncertainty"):  # 4 pairs, all in order
        assert A.bootstrap_ci(x, y, n_boot=50).estimate == pytest.approx(1.0)
    with pytest.raises(ValueError, match="at least 3 pairs"):
        A.bootstrap_ci([1, 2, None], [1, 2, 3])
    with pytest.raises(ValueError, match="method"):
        A.bootstrap_ci([1, 2, 3], [1, 2, 3], method="cos")
    with pytest.raises(ValueError, match="level"):
        A.bootstrap_ci([1, 2, 3], [1, 2, 3], level=95)


# --------------------------------------------------------------------------------------------
# cluster_order


def _corr(labels, values):
    return pd.DataFrame(values, index=labels, columns=labels)


def test_cluster_order_groups_correlated_benchmarks():
    labels = ["a", "c", "b", "d"]
    # a~b (0.9) and c~d (0.8); across the groups about 0
    corr = _corr(labels, [[1, 0.1, 0.9, 0.0], [0.1, 1, 0.0, 0.8], [0.9, 0.0, 1, 0.1], [0.0, 0.8, 0.1, 1]])
    order = A.cluster_order(corr)
    assert sorted(order) == ["a", "b", "c", "d"]
    assert abs(order.index("a") - order.index("b")) == 1
    assert abs(order.index("c") - order.index("d")) == 1
    assert A.cluster_order(corr) == order  # deterministic

    with_nan = corr.copy()
    with_nan.loc["a", "d"] = with_nan.loc["d", "a"] = np.nan  # NaN counts as a zero correlation
    assert A.cluster_order(with_nan) == order


def test_cluster_order_small_and_invalid():
    assert A.cluster_order(_corr(["x"], [[1.0]])) == ["x"]
    assert A.cluster_order(_corr(["y", "x"], [[1.0, np.nan], [np.nan, 1.0]])) == ["y", "x"]
    assert A.cluster_order(pd.DataFrame()) == []
    with pytest.raises(ValueError, match="square"):
        A.cluster_order(pd.DataFrame([[1.0, 0.5]], index=["a"], columns=["a", "b"]))


# --------------------------------------------------------------------------------------------
# pareto_frontier


def _sizes():
    return pd.DataFrame(
        {
            "model_id": list("abcdefgh"),
            "num_parameters": s([1, 2, 2, 4, 4, None, 8, 1], "Int64"),
            "value": s([50, 60, 55, 60, 70, 99, 70, None], "Float64"),
        },
        index=list("ABCDEFGH"),
    )


def test_pareto_frontier():
    front = A.pareto_frontier(_sizes())
    # C (2, 55) < B (2, 60); D (4, 60) ties B's score with more parameters; G (8, 70) ties E
    # F and H lack a parameter count or a score
    assert front.to_dict() == dict(A=True, B=True, C=False, D=False, E=True, F=False, G=False, H=False)
    assert front.dtype == bool and front.name == "on_frontier"


def test_pareto_frontier_lower_is_better_and_identical_rows():
    assert A.pareto_frontier(_sizes(), lower_is_better=True).tolist() == [True] + [False] * 7
    same = pd.DataFrame({"num_parameters": [3, 3], "value": [9.0, 9.0]})
    assert A.pareto_frontier(same).tolist() == [True, True]


def test_pareto_frontier_by_group():
    df = pd.DataFrame({"dataset_id": ["p", "p", "q"], "num_parameters": [1, 2, 5], "value": [10.0, 5.0, 1.0]})
    assert A.pareto_frontier(df).tolist() == [True, False, False]
    assert A.pareto_frontier(df, by="dataset_id").tolist() == [True, False, True]


# --------------------------------------------------------------------------------------------
# best_to_date / ranking_as_of


def test_best_to_date(leaderboards):
    with pytest.warns(UserWarning, match="left out 1 of 8 rows without a date"):
        best = A.best_to_date(leaderboards)
    assert list(best.columns) == ["dataset_id", "date", "best_value", "model_id"]
    assert best.values.tolist() == [
        # x: b sets 80; c's 80 on Feb 1 is no improvement; e has no value; d has no date
        ["x", pd.Timestamp("2024-01-01", tz=UTC), 80.0, "b"],
        ["x", pd.Timestamp("2024-03-01", tz=UTC), 90.0, "org/a"],
        # y: lower is better
        ["y", pd.Timestamp("2024-01-01", tz=UTC), 3.0, "f"],
        ["y", pd.Timestamp("2024-02-01", tz=UTC), 2.0, "c"],
        ["y", pd.Timestamp("2024-03-01", tz=UTC), 1.0, "org/a"],
    ]
    assert best["best_value"].dtype == "Float64" and best["model_id"].dtype == "string"
    assert str(best["date"].dt.tz) == "UTC"
    assert best.attrs == leaderboards.attrs


def test_best_to_date_same_day(no_warnings):
    df = pd.DataFrame(
        {
            "dataset_id": ["k"] * 3,
            "model_id": ["z", "y", "x"],
            "value": [5.0, 7.0, 7.0],
            "date": ts("2024-05-01", "2024-05-01", "2024-05-01"),
        }
    )
    best = A.best_to_date(df, date="date")
    assert best["model_id"].tolist() == ["x"]  # the best of the day; equal values by model_id


def test_ranking_as_of(leaderboards):
    x = leaderboards[leaderboards["dataset_id"] == "x"]
    r = A.ranking_as_of(x, "2024-02-15")
    assert r["model_id"].tolist() == ["b", "c"]  # tie at 80 listed by model_id; e has no value
    assert r["rank"].tolist() == [1, 1] and r["rank"].dtype == "Int64"  # and ranked together
    assert r.columns[0] == "rank" and r["published_rank"].tolist() == [2, 3]
    assert r.attrs == leaderboards.attrs
    assert A.ranking_as_of(x, "2024-03-01", top_n=2)["model_id"].tolist() == ["org/a", "b"]  # inclusive
    # 2024-02-01T00:00+02:00 is 2024-01-31 22:00 UTC: c (2024-02-01 UTC) did not exist yet
    assert A.ranking_as_of(x, "2024-02-01T00:00:00+02:00")["model_id"].tolist() == ["b"]
    assert A.ranking_as_of(x, "2020-01-01").empty


def test_ranking_as_of_lower_is_better_and_one_benchmark(leaderboards):
    y = leaderboards[leaderboards["dataset_id"] == "y"]
    assert A.ranking_as_of(y, "2030-01-01")["model_id"].tolist() == ["org/a", "c", "f"]
    with pytest.raises(ValueError, match="one benchmark"):
        A.ranking_as_of(leaderboards, "2030-01-01")


# --------------------------------------------------------------------------------------------
# top_n / model_ranks / organisation / benchmark_summary


def test_top_n(leaderboards):
    top = A.top_n(leaderboards, 2)
    assert top[["dataset_id", "rank", "model_id"]].values.tolist() == [
        ["x", 1, "org/a"], ["x", 2, "b"], ["y", 1, "org/a"], ["y", 2, "c"],
    ]  # fmt: skip
    assert top["published_rank"].tolist() == [1, 2, 1, 2]
    verified = A.top_n(leaderboards, 2, verified_only=True)
    assert verified[["dataset_id", "rank", "model_id"]].values.tolist() == [
        ["x", 1, "b"], ["x", 1, "c"], ["y", 1, "org/a"],
    ]  # fmt: skip  (b and c tie at 80: one rank, as in rank_intervals and model_ranks)
    assert verified.attrs == leaderboards.attrs
    with pytest.raises(ValueError, match="n must be"):
        A.top_n(leaderboards, 0)


def test_one_benchmark_has_one_direction_when_only_some_rows_say_lower_is_better():
    df = pd.DataFrame({"dataset_id": "x", "model_id": ["a", "b", "c", "d"], "value": [10.0, 20.0, 30.0, 40.0],
                       "lower_is_better": pd.array([True, None, None, None], dtype="boolean")})
    assert A.top_n(df, 4)["model_id"].tolist() == ["a", "b", "c", "d"]  # lowest first, every row
    ranks = A.model_ranks(df, ["d"])
    assert ranks["rank"].tolist() == [4] and ranks["percentile"].tolist() == [25.0]


@pytest.mark.parametrize(
    "call, error, match",
    [
        (lambda lb: A.top_n(lb, None), TypeError, "top_n: n must be a whole number; got None"),
        (lambda lb: A.top_n(lb, 2.7), TypeError, "top_n: n must be a whole number; got 2.7"),  # not read as 2
        (lambda lb: A.top_n(lb, "3"), TypeError, "top_n: n must be a whole number"),
        (lambda lb: A.model_ranks(lb, None), TypeError, "model_ranks: model_ids must be"),
        (lambda lb: A.model_ranks(lb, 5), TypeError, "model_ranks: model_ids must be"),
        (lambda lb: A.ranking_as_of(lb[lb.dataset_id == "x"], None), ValueError, "when must be a date"),
        (lambda lb: A.ranking_as_of(lb[lb.dataset_id == "x"], "soon"), ValueError, "when must be a date"),
        (lambda lb: A.ranking_as_of(lb[lb.dataset_id == "x"], "2025-01-01", top_n=1.5), TypeError, "top_n must be"),
        (lambda lb: A.bootstrap_ci([1, 2, 3, 4, 5], [2, 1, 4, 3, 5], rng=-1), ValueError, "rng must be a seed of 0"),
    ],
)
def test_bad_arguments_are_named(leaderboards, call, error, match):
    with pytest.raises(error, match=match):
        call(leaderboards)


def test_top_n_counts_each_model_once():
    df = pd.DataFrame({"model_id": ["m", "n", "m"], "value": [1.0, 2.0, 3.0]})
    with pytest.warns(lbtools.AnalysisWarning, match="m: listed 2 times; kept 3"):
        top = A.top_n(df, 5, by=None)
    assert top["model_id"].tolist() == ["m", "n"] and top["value"].tolist() == [3.0, 2.0]


def test_model_ranks(leaderboards):
    with pytest.warns(lbtools.AnalysisWarning, match="not on any of these leaderboards: zz"):
        ranks = A.model_ranks(leaderboards, ["c", "org/a", "zz"])
    assert list(ranks.columns) == ["model_id", "dataset_id", "rank", "value", "n_entries", "percentile",
                                   "published_rank"]
    assert ranks.dtypes.astype(str).tolist() == ["string", "string", "Int64", "Float64", "Int64", "Float64", "Int64"]
    assert ranks[["model_id", "dataset_id", "rank", "value", "n_entries", "published_rank"]].values.tolist() == [
        ["c", "x", 2, 80.0, 4, 3],  # tied with b at 80: ranks share the best, the Hub put c third
        ["c", "y", 2, 2.0, 3, 2],
        ["org/a", "x", 1, 90.0, 4, 1],
        ["org/a", "y", 1, 1.0, 3, 1],
    ]
    n = ranks["n_entries"].astype(float)
    assert (ranks["percentile"] == 100 * (n - ranks["rank"].astype(float) + 1) / n).all()  # they always agree
    # c on x: 90, 80, 80, 70 -> it beats or equals 3 of 4; on y (lower is better) 2 of 3
    assert ranks["percentile"].tolist() == pytest.approx([75.0, 200 / 3, 100.0, 100.0])
    assert ranks.attrs == leaderboards.attrs


def test_model_ranks_without_published_rank(leaderboards, no_warnings):
    ranks = A.model_ranks(leaderboards.drop(columns="rank"), "c")
    assert ranks["rank"].tolist() == [2, 2]  # one strictly better entry on each


def test_organisation():
    assert A.organisation("meta-llama/Llama-3.1-8B") == "meta-llama"
    assert A.organisation("gpt2") == ""
    out = A.organisation(pd.Series(["a/b/c", "gpt2", None], index=[5, 6, 7]))
    assert out.tolist() == ["a", "", pd.NA] and out.dtype == "string" and out.index.tolist() == [5, 6, 7]


def test_benchmark_summary(leaderboards):
    summary = A.benchmark_summary(leaderboards)
    assert summary["dataset_id"].tolist() == ["x", "y"]
    assert summary["n_entries"].tolist() == [5, 3]
    assert summary["n_with_value"].tolist() == [4, 3]
    assert summary["n_verified"].tolist() == [2, 1]
    assert summary["median"].tolist() == [80.0, 2.0]
    assert summary["scale"].tolist() == ["0-100", "0-100"]
    assert summary["lower_is_better"].tolist() == [False, True]


def test_import_is_light():
    code = (
        "import sys, lbtools.analysis, lbtools.plots; "
        "print(sorted({'scipy', 'matplotlib', 'seaborn'} & set(sys.modules)))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


# -- a frame from another loader: the message says what to pass instead ---------------------------------------------


def test_a_long_frame_given_where_a_score_matrix_goes_names_scores_matrix():
    boards = lbtools.load_leaderboards()
    for func in (A.benchmark_correlations, A.correlation_table, A.strongest_pair):
        with pytest.raises(ValueError, match=rf"{func.__name__}: matrix must be models × benchmarks of scores, but "
                                             r"its columns 'dataset_id', .* are not numbers; this is a loaders' long "
                                             r"frame \(one row per entry\): pass analysis.scores_matrix\(data\)"):
            func(boards)
    with pytest.raises(TypeError, match="benchmark_correlations: matrix must be a DataFrame"):
        A.benchmark_correlations([[1, 2], [3, 4]])
    matrix = A.scores_matrix(boards)
    expected = A.benchmark_correlations(matrix).coefficients
    assert expected.shape == (11, 11)
    # numbers held as objects, and a matrix with a repeated column name, are still matrices of numbers
    pd.testing.assert_frame_equal(A.benchmark_correlations(matrix.astype(object)).coefficients, expected)
    twice = pd.concat([matrix.iloc[:, :2], matrix.iloc[:, :1]], axis=1)
    assert A.benchmark_correlations(twice, min_overlap=3).coefficients.shape == (3, 3)


def test_the_aggregate_given_where_a_long_frame_goes_names_aggregate_to_long():
    agg = lbtools.load_aggregate()
    with pytest.raises(ValueError, match=r"board is load_aggregate\(\)'s wide frame \(one row per model\): "
                                         r"lbtools.aggregate_to_long\(board\) gives the long one"):
        A.rank_intervals(agg)
    with pytest.raises(ValueError, match=r"scores_matrix\(lbtools.aggregate_to_long\(agg\)\)"):
        A.strongest_pair(agg)
    with pytest.raises(ValueError, match=r"enrich: df is load_aggregate\(\)'s frame, whose model_id is a slug .* "
                                         r"enrich\(df, on='model_name'\)"):
        lbtools.enrich(agg)
    with pytest.warns(lbtools.PartialLoadWarning):  # the 37 models of the snapshot without metadata, said
        enriched = lbtools.enrich(agg, on="model_name")
    assert enriched["created_at"].notna().sum() == 56 and len(enriched) == len(agg)
    with pytest.warns(lbtools.PartialLoadWarning):  # its model_id made Hub ids: enriched as any frame is
        assert lbtools.enrich(agg.assign(model_id=agg["model_name"]))["created_at"].notna().sum() == 56


def test_a_dated_analysis_without_dates_says_to_enrich():
    with pytest.raises(ValueError, match=r"ranking_as_of: data has no column 'created_at' .*; add the models' "
                                         r"creation dates with lbtools.enrich\(data\)"):
        A.ranking_as_of(lbtools.load_leaderboards(), "2026-01-01")
