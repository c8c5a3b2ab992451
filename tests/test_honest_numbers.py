"""Issue 13 on the computing side: one de-duplication rule for every view, correlations that say how much they rest
on, scales decided per benchmark, one number format per quantity."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from lbtools import _format as fmt
from lbtools import analysis as A


def _gpqa_twice():
    """A model listed twice on GPQA: 34.59 unverified "with tools" (rank 1), 31.49 verified (rank 3)."""
    return pd.DataFrame({
        "dataset_id": pd.array(["Idavidrein/gpqa"] * 4 + ["TIGER-Lab/MMLU-Pro"] * 2, dtype="string"),
        "rank": pd.array([1, 2, 3, 4, 1, 2], dtype="Int64"),
        "model_id": pd.array(["org/twice", "org/b", "org/twice", "org/c", "org/twice", "org/b"], dtype="string"),
        "value": pd.array([34.59, 33.0, 31.49, 20.0, 80.0, 70.0], dtype="Float64"),
        "verified": pd.array([False, False, True, False, None, None], dtype="boolean"),
        "notes": pd.array(["with tools", None, "main (not diamond)", None, None, None], dtype="string"),
    })


def test_dedupe_prefers_verified_then_the_hubs_rank_and_says_which_entry_it_kept():
    board = _gpqa_twice()
    with pytest.warns(UserWarning) as caught:
        kept = A.dedupe(board)
    assert len(kept) == 5 and kept.loc[kept["model_id"] == "org/twice", "value"].tolist() == [31.49, 80.0]
    (message,) = [str(w.message) for w in caught]
    assert message.startswith("org/twice on Idavidrein/gpqa: listed 2 times; kept 31.49 (rank 3) verified "
                              "(verified) over 34.59 (rank 1)")
    unverified = board.assign(verified=pd.array([None] * 6, dtype="boolean"))
    with pytest.warns(UserWarning, match=r"kept 34.59 \(rank 1\) \(the Hub's better rank\) over 31.49"):
        assert A.dedupe(unverified)["value"].tolist()[:3] == [34.59, 33.0, 20.0]


def test_every_view_keeps_the_same_entry():
    board = _gpqa_twice()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ranking = A.top_n(board, 10)
        ranks = A.model_ranks(board, ["org/twice"])
        matrix = A.scores_matrix(A.dedupe(board))
        as_of = A.ranking_as_of(board[board["dataset_id"] == "Idavidrein/gpqa"].assign(
            created_at=pd.Timestamp("2025-01-01", tz="UTC")), "2025-02-01")
    gpqa = ranking[ranking["dataset_id"] == "Idavidrein/gpqa"]
    assert gpqa.loc[gpqa["model_id"] == "org/twice", "value"].tolist() == [31.49]
    assert ranks.loc[ranks["dataset_id"] == "Idavidrein/gpqa", ["value", "rank"]].values.tolist() == [[31.49, 3]]
    assert matrix.loc["org/twice", "Idavidrein/gpqa"] == 31.49
    assert as_of.loc[as_of["model_id"] == "org/twice", "value"].tolist() == [31.49]
    # the rank and percentile are those of the kept entry among the board's 3 models (one entry each)
    assert ranks.loc[ranks["dataset_id"] == "Idavidrein/gpqa", ["n_entries", "percentile"]].values.tolist() == [
        [3, pytest.approx(200 / 3)]]


def test_model_ranks_names_only_the_asked_for_models_duplicates():
    board = _gpqa_twice()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        A.model_ranks(board, ["org/b"])
    assert [str(w.message) for w in caught] == []
    with pytest.warns(UserWarning, match="org/twice on Idavidrein/gpqa"):
        A.model_ranks(board, ["org/twice"])


def test_strongest_pair_is_weak_below_ten_models_and_carries_an_interval():
    rng = np.random.default_rng(1)
    base = rng.normal(size=40)
    matrix = pd.DataFrame({
        "few": np.r_[base[:6] * 1.0, [np.nan] * 34],  # 6 models agreeing perfectly with "many"
        "many": base,
        "other": base + rng.normal(scale=1.0, size=40),
    })
    with pytest.raises(ValueError, match="at least 3"):
        A.strongest_pair(matrix, min_overlap=2)
    top = A.strongest_pair(matrix, min_overlap=5, n_boot=500)
    assert (top["benchmark_a"], top["benchmark_b"], top["n_models"], top["weak"]) == ("few", "many", 6, True)
    assert top["coefficient"] == pytest.approx(1.0)
    top = A.strongest_pair(matrix, min_overlap=10, n_boot=500)
    assert (top["benchmark_a"], top["benchmark_b"], top["weak"]) == ("many", "other", False)
    assert top["ci_low"] < top["coefficient"] < top["ci_high"]
    assert A.strongest_pair(matrix[["few"]], min_overlap=5) is None


def test_bootstrap_interval_covers_the_true_spearman_rho():
    """Simulation: bivariate normal with rho = 0.6, so Spearman's rho_s = 6/pi * arcsin(0.3) = 0.582; 200 samples of
    30 models. Measured coverage of the 95 % percentile interval: 0.975 (195 of 200, seed 7), mean width 0.54; a
    correct method meets >= 0.88."""
    rng = np.random.default_rng(7)
    truth = 6 / np.pi * np.arcsin(0.6 / 2)
    cov = [[1, 0.6], [0.6, 1]]
    hits = 0
    for i in range(200):
        x, y = rng.multivariate_normal([0, 0], cov, size=30).T
        _, low, high = A.bootstrap_ci(x, y, n_boot=1000, seed=i)
        hits += low <= truth <= high
    assert hits / 200 >= 0.88


def test_scales_decided_on_the_whole_board_carry_over_to_a_few_results():
    boards = pd.DataFrame({"dataset_id": ["mbpp"] * 3 + ["gpqa"] * 3,
                           "value": [0.998, 0.5, 0.2, 88.0, 0.9, 40.0]})
    scales = A.benchmark_scales(boards)
    assert scales == {"gpqa": "0-100", "mbpp": "0-1"}
    one = pd.DataFrame({"dataset_id": ["gpqa", "mbpp"], "value": [0.9, 0.998]})  # alone, 0.9 would look 0-1
    with pytest.warns(UserWarning, match="mbpp"):
        out = A.add_normalised(one, scales=scales)
    assert out["value_norm"].tolist() == [0.9, pytest.approx(99.8)]
    assert A.rescaled(out) == ["mbpp"]


def test_parameter_counts_never_guess():
    df = pd.DataFrame({
        "model_id": ["a/7b-model", "b/x", "c/y"],
        "num_parameters": pd.array([None, 5_000, None], dtype="Int64"),
        "num_parameters_model": pd.array([7_000, None, None], dtype="Int64"),
    })
    out = A.parameter_counts(df)
    assert out["parameters"].tolist()[:2] == [7_000, 5_000] and out["parameters"].isna().tolist()[2]
    assert out["parameters_from"].tolist()[:2] == ["model info", "leaderboard"]


@pytest.mark.parametrize("n, text", [(1.06e12, "1.06T"), (7e9, "7B"), (70.6e9, "70.6B"), (5.6e8, "560M"),
                                     (None, "—"), (0, "—")])
def test_parameter_counts_read_with_their_unit(n, text):
    assert fmt.parameters(n) == text


def test_one_format_per_quantity():
    assert fmt.percentile(95.652) == "95.7" and fmt.percentile(100.0) == "100" and fmt.percentile(None) == "—"
    assert fmt.interval(74.12, 78.0, like=76.4) == "74.1 to 78.0"  # as many decimals as the point value shows
    assert fmt.interval(0.04, 0.8, digits=2) == "0.04 to 0.80"
    assert fmt.coefficient(0.8) == "0.80" and fmt.coefficient(float("nan")) == "n/a"
    assert fmt.count(0, "model") == "no models" and fmt.count(1, "model") == "1 model"
    assert fmt.count(1200, "entry", "entries") == "1,200 entries"
    assert fmt.score(76.4) == "76.4" and fmt.score(74.0) == "74" and fmt.score(pd.NA) == "—"


def test_aggregate_to_long_ranks_ties_by_model_id_and_keeps_values():
    import lbtools

    agg = pd.DataFrame({"model_name": ["z/b", "a/c", "m/a", "q/q"], "provider": ["z", None, "m", "q"],
                        "gpqa_score": [80.0, 80.0, 90.0, None], "hle_score": [None, 12.5, 3.0, 7.0]})
    long = lbtools.aggregate_to_long(agg)
    gpqa = long[long.dataset_id == "Idavidrein/gpqa"]
    assert gpqa[["model_id", "rank", "value"]].values.tolist() == [["m/a", 1, 90.0], ["a/c", 2, 80.0],
                                                                    ["z/b", 3, 80.0]]
    assert gpqa["author"].isna().tolist() == [False, True, False]
    assert long[long.dataset_id == "cais/hle"]["model_id"].tolist() == ["a/c", "q/q", "m/a"]
