"""Every loader against a local Hub speaking the real API, driven by the real huggingface_hub client."""

from __future__ import annotations

import warnings

import pandas as pd
import pytest

import lbtools
from cache_db import answer_files
from conftest import TOKEN
from lbtools._hub.schema import BENCHMARK_COLUMNS, EVAL_RESULT_COLUMNS, LEADERBOARD_COLUMNS, MODEL_INFO_COLUMNS

SWE = "SWE-bench/SWE-bench_Verified"


def assert_schema(df, columns):
    assert list(df.columns[: len(columns)]) == list(columns)
    for name, dtype in columns.items():
        assert str(df[name].dtype) == dtype, name


# -- list_benchmarks -------------------------------------------------------------------------------------------


def test_list_benchmarks_pages_through_every_official_benchmark(start_hub, facts):
    hub = start_hub(page_size=5)
    df = lbtools.list_benchmarks()
    assert_schema(df, BENCHMARK_COLUMNS)
    assert list(df["dataset_id"]) == sorted(facts["official_ids"])
    listing_requests = [r for r in hub.requests if r[1] == "/api/datasets"]
    assert len(listing_requests) == -(-len(facts["official_ids"]) // 5)  # every page, once
    assert df.attrs["source"] == "hub"
    assert df.attrs["fetched_at"].endswith("Z")
    gated = df.set_index("dataset_id").loc[facts["gated_benchmark"], "gated"]
    assert gated == "manual"
    assert df.set_index("dataset_id").loc[SWE, "display_name"] == "SWE-bench Verified"


# -- load_leaderboard ------------------------------------------------------------------------------------------


def test_leaderboard_values_columns_and_order(hub, facts):
    df = lbtools.load_leaderboard(SWE)
    assert_schema(df, LEADERBOARD_COLUMNS)
    assert list(zip(df["model_id"], df["value"])) == facts["leaderboards"][SWE]
    assert list(df["rank"]) == list(range(1, len(df) + 1))
    assert list(df["model_id"][:3]) == ["Qwen/Qwen3.5-397B-A17B", "MiniMaxAI/MiniMax-M2.5", "stepfun-ai/Step-3.5-Flash"]
    assert list(df["value"][:3]) == [76.4, 75.8, 74.4]
    assert df.attrs["source"] == "hub"


def test_leaderboard_keeps_published_fields(hub, facts):
    aime = lbtools.load_leaderboard("MathArena/aime_2026")
    first = aime.iloc[0]
    assert first["model_id"] == "FINAL-Bench/Darwin-180B-RSI"
    assert first["value"] == 100.0
    assert first["author_type"] == "org"
    assert first["source_name"] == "Model Card"
    assert first["filename"] == ".eval_results/aime_2026.yaml"
    assert first["num_parameters"] == 179999981459
    assert first["notes"].startswith("AIME 2026, all 30 problems")
    evasion = lbtools.load_leaderboard(facts["external_source_benchmark"])
    assert evasion.iloc[0]["source_is_external"] == True  # noqa: E712 (pandas NA-aware boolean)
    assert evasion.iloc[0]["pull_request"] == 43
    board, model = facts["verified_entry"]
    verified = lbtools.load_leaderboard(board).set_index("model_id")["verified"]
    assert verified[model] == True  # noqa: E712
    assert verified.drop(model).eq(False).all()


def test_base_model_only_false_includes_fine_tunes(hub, facts):
    variant = facts["base_model_variant"]
    default = lbtools.load_leaderboard(variant["benchmark"])
    everything = lbtools.load_leaderboard(variant["benchmark"], base_model_only=False)
    assert len(default) == variant["default_rows"]
    assert len(everything) == variant["all_rows"]
    assert set(everything["model_id"]) - set(default["model_id"]) == set(variant["hidden_models"])
    queries = [q for _, path, q, _ in hub.requests if path.endswith("/leaderboard")]
    assert queries == ["", "base_model=false"]


def test_values_on_a_unit_scale_are_kept_as_published(hub, facts):
    df = lbtools.load_leaderboard(facts["unit_scale_benchmark"])
    assert list(zip(df["model_id"], df["value"])) == facts["leaderboards"][facts["unit_scale_benchmark"]]
    assert df["value"].max() <= 1.0


def test_gated_benchmark_needs_a_token(hub, facts, monkeypatch):
    gated = facts["gated_benchmark"]
    with pytest.raises(lbtools.GatedBenchmarkError) as info:
        lbtools.load_leaderboard(gated)
    message = str(info.value)
    assert gated in message and "hf auth login" in message and "HF_TOKEN" in message and "token=" in message
    with pytest.raises(lbtools.GatedBenchmarkError) as info:
        lbtools.load_leaderboard(gated, token="hf_wrong")
    assert "hf_wrong" not in str(info.value)
    df = lbtools.load_leaderboard(gated, token=TOKEN)
    assert list(zip(df["model_id"], df["value"])) == facts["leaderboards"][gated]
    monkeypatch.setenv("HF_TOKEN", TOKEN)
    assert len(lbtools.load_leaderboard(gated, refresh=True)) == len(df)
    assert TOKEN not in repr(df.attrs)


def test_missing_benchmark_says_not_found(hub):
    with pytest.raises(lbtools.NotFoundError, match="not found.*no leaderboard"):
        lbtools.load_leaderboard("nobody/no-such-benchmark")


@pytest.mark.parametrize(
    "call, error, name",
    [
        (lambda: lbtools.load_leaderboard(123), TypeError, "dataset_id"),
        (lambda: lbtools.load_leaderboard("not a repo id"), ValueError, "dataset_id"),
        (lambda: lbtools.load_leaderboard("a/b/c"), ValueError, "dataset_id"),
        (lambda: lbtools.load_leaderboard(SWE, base_model_only="no"), TypeError, "base_model_only"),
        (lambda: lbtools.load_leaderboards(b"org/name"), TypeError, "dataset_ids"),
        (lambda: lbtools.load_leaderboards([SWE], errors="ignore"), ValueError, "errors"),
        (lambda: lbtools.load_leaderboards([SWE], max_workers=0), ValueError, "max_workers"),
        (lambda: lbtools.load_eval_results(42), TypeError, "model_ids"),
        (lambda: lbtools.load_eval_results([None]), TypeError, "model_ids"),
        (lambda: lbtools.load_model_info(["bad id!"]), ValueError, "model_ids"),
        (lambda: lbtools.enrich([1, 2]), TypeError, "df"),
        (lambda: lbtools.load_aggregate(columns="model_id"), TypeError, "columns"),
        (lambda: lbtools.configure(source="web"), ValueError, "source"),
    ],
)
def test_bad_arguments_name_the_argument(call, error, name):
    with pytest.raises(error, match=name):
        call()


def test_empty_lists_give_empty_frames_with_the_documented_columns(hub):
    for loader, columns in (
        (lbtools.load_leaderboards, LEADERBOARD_COLUMNS),
        (lbtools.load_eval_results, EVAL_RESULT_COLUMNS),
        (lbtools.load_model_info, MODEL_INFO_COLUMNS),
    ):
        df = loader([])
        assert len(df) == 0
        assert_schema(df, columns)
    assert hub.requests == []


# -- load_leaderboards -----------------------------------------------------------------------------------------


def test_load_leaderboards_all_official_reports_failures(hub, facts):
    from lbtools import widgets

    with pytest.warns(UserWarning, match=r"1 of \d+ benchmarks failed and is left out"):
        df = lbtools.load_leaderboards()
    # the notes line a notebook shows says what to do, not only that something failed
    note, = [n for n in widgets.bind(lbtools.load_leaderboards).notes if "failed" in n]
    assert note.startswith("1 of ") and f"{facts['gated_benchmark']} is gated" in note and "hf auth login" in note
    assert "df.attrs" not in note
    loaded = list(dict.fromkeys(df["dataset_id"]))
    expected = sorted(set(facts["leaderboards"]) - {facts["gated_benchmark"]})
    assert loaded == expected  # sorted by id, each benchmark by rank
    failures = df.attrs["failures"]
    assert "hf auth login" in failures[facts["gated_benchmark"]]
    # An official benchmark with no leaderboard yet is a normal state, not a failure (issue 12, item 6).
    without_board = set(facts["official_ids"]) - set(facts["leaderboards"])
    assert without_board and not without_board & set(failures)
    assert set(df.attrs["without_leaderboard"]) == without_board
    for dataset_id, rows in facts["leaderboards"].items():
        if dataset_id in expected:
            part = df[df["dataset_id"] == dataset_id]
            assert list(zip(part["model_id"], part["value"])) == rows


def test_load_leaderboards_in_the_order_asked_and_raise_mode(hub, facts):
    ids = ["cais/hle", SWE, "openai/gsm8k"]
    df = lbtools.load_leaderboards(ids)
    assert list(dict.fromkeys(df["dataset_id"])) == ids
    assert df.attrs["failures"] == {}
    with pytest.raises(lbtools.NotFoundError):
        lbtools.load_leaderboards(ids + ["nobody/missing"], errors="raise")
    with pytest.raises(lbtools.GatedBenchmarkError):
        lbtools.load_leaderboards([facts["gated_benchmark"]], errors="raise")


def test_in_flight_requests_never_exceed_max_workers(start_hub, facts):
    hub = start_hub(latency=0.05)
    ids = sorted(set(facts["leaderboards"]) - {facts["gated_benchmark"]})
    lbtools.load_leaderboards(ids, max_workers=3)
    assert 1 < hub.max_in_flight <= 3


# -- eval results ----------------------------------------------------------------------------------------------


def test_eval_results_survive_a_malformed_file(hub, facts):
    model, info = next(iter(facts["malformed_models"].items()))
    with pytest.warns(UserWarning) as caught:
        df = lbtools.load_eval_results([model])
    messages = [str(w.message) for w in caught]
    assert len(messages) == 2
    assert any("could not parse" in m and "skipped" in m for m in messages)
    assert any("source has a name but no url" in m and "kept" in m for m in messages)
    assert_schema(df, EVAL_RESULT_COLUMNS)
    expected = [(d, v) for d, rows in facts["leaderboards"].items() for m, v in rows if m == model]
    assert sorted(zip(df["dataset_id"], df["value"])) == sorted(expected)
    dataset_id, value = info["source_without_url"]
    row = df[(df["dataset_id"] == dataset_id) & (df["value"] == value)].iloc[0]
    assert row["source_name"] == "Model Card" and pd.isna(row["source_url"])
    assert df["filename"].notna().all() and df["verified"].notna().all()


def test_eval_results_keep_every_result_of_a_model(hub, facts):
    two = facts["two_results"]
    df = lbtools.load_eval_results([two["model"], "Qwen/Qwen3.5-397B-A17B"])
    assert list(dict.fromkeys(df["model_id"])) == [two["model"], "Qwen/Qwen3.5-397B-A17B"]
    mine = df[(df["model_id"] == two["model"]) & (df["dataset_id"] == two["benchmark"])]
    assert sorted(mine["value"]) == sorted(two["values"])
    assert set(mine["task_id"]) == {"swe_bench_%_resolved", "swe_bench_verified"}


def test_eval_results_of_a_missing_model_are_a_failure_not_a_crash(hub):
    with pytest.warns(UserWarning, match="1 of 2 models failed"):
        df = lbtools.load_eval_results(["Qwen/Qwen3.5-397B-A17B", "nobody/missing-model"])
    assert set(df["model_id"]) == {"Qwen/Qwen3.5-397B-A17B"}
    assert "not found" in df.attrs["failures"]["nobody/missing-model"]


# -- model info and enrich -------------------------------------------------------------------------------------


def test_model_info_reads_safetensors_total_and_created_at(hub):
    import csv
    from pathlib import Path

    rows = {r["model_id"]: r for r in csv.DictReader(open(Path(__file__).parents[1] / "data/sources/model_metadata.csv"))}
    with_meta = sorted(m for m, r in rows.items() if r["hf_safetensors_total"])[:6]
    without = "GAIR/OpenSWE-72B"  # 72B in its name, but the Hub data has no safetensors total for it
    assert without not in rows
    df = lbtools.load_model_info(with_meta + [without])
    assert_schema(df, MODEL_INFO_COLUMNS)
    assert list(df["model_id"]) == with_meta + [without]
    info = df.set_index("model_id")
    for model in with_meta:
        assert info.loc[model, "num_parameters"] == int(rows[model]["hf_safetensors_total"])
        assert info.loc[model, "created_at"] == pd.Timestamp(rows[model]["hf_created_at"])
    assert pd.isna(info.loc[without, "num_parameters"])
    assert pd.isna(info.loc[without, "created_at"])
    assert str(info["created_at"].dtype) == "datetime64[ns, UTC]"
    queried = {q for _, path, q, _ in hub.requests if path.startswith("/api/models/")}
    assert all("expand=safetensors" in q and "expand=createdAt" in q for q in queried)


def test_enrich_left_joins_without_changing_rows(hub):
    board = lbtools.load_leaderboard("allenai/olmOCR-bench")
    before = board.copy()
    board.index = board.index + 100  # a custom index survives
    out = lbtools.enrich(board)
    pd.testing.assert_frame_equal(board, before.set_axis(before.index + 100))  # input untouched
    assert len(out) == len(board) and list(out.index) == list(board.index)
    assert list(out["model_id"]) == list(board["model_id"])
    assert list(out.columns[: len(board.columns)]) == list(board.columns)
    for column in ("created_at", "num_parameters_model", "pipeline_tag", "license", "author_model"):
        assert column in out.columns
    info = lbtools.load_model_info(list(board["model_id"])).set_index("model_id")
    for _, row in out.iterrows():
        expected = info.loc[row["model_id"], "num_parameters"]
        assert (pd.isna(expected) and pd.isna(row["num_parameters_model"])) or expected == row["num_parameters_model"]


def test_enrich_keeps_models_without_metadata_and_says_so(hub):
    board = lbtools.load_leaderboard("SWE-bench/SWE-bench_Verified")
    board = pd.concat([board, board.iloc[:1].assign(model_id="nobody/absent-model")], ignore_index=True)
    with pytest.warns(UserWarning, match=r"enrich: no metadata for 1 of \d+ models; their rows are kept") as caught:
        out = lbtools.enrich(board)
    assert all(w.filename == __file__ for w in caught)  # the warning points at the caller
    assert len(out) == len(board) and out["model_id"].iloc[-1] == "nobody/absent-model"
    assert pd.isna(out["created_at"].iloc[-1])
    assert "not found" in out.attrs["enrich_failures"]["nobody/absent-model"]
    with pytest.warns(UserWarning, match="1 of 2 models failed and is left out — model nobody/absent-model") as caught:
        info = lbtools.load_model_info(["nobody/absent-model", "Qwen/Qwen3.5-397B-A17B"])
    assert all(w.filename == __file__ for w in caught)
    assert list(info["model_id"]) == ["Qwen/Qwen3.5-397B-A17B"]


# -- the aggregate ---------------------------------------------------------------------------------------------


def test_load_aggregate_reads_the_parquet_through_the_hub_cache(hub, facts):
    from pathlib import Path

    df = lbtools.load_aggregate()
    assert df.shape == (93, 23)
    csv = pd.read_csv(Path(__file__).parents[1] / "data/sources/openevals_leaderboard_data_2026-03-25.csv")
    assert list(df.columns) == list(csv.columns)
    pd.testing.assert_series_equal(df["gpqa_score"].astype("float64"), csv["gpqa_score"], check_names=False)
    assert len(df.attrs["revision"]) == 40
    downloads_before = len([r for r in hub.requests if "/resolve/" in r[1]])
    subset = lbtools.load_aggregate(columns=["model_name", "sweVerified_score"])
    assert list(subset.columns) == ["model_name", "sweVerified_score"]
    heads = [r for r in hub.requests if "/resolve/" in r[1]][downloads_before:]
    assert [r[0] for r in heads] == ["HEAD"]  # revalidated by ETag, not downloaded again
    with pytest.raises(ValueError, match="columns"):
        lbtools.load_aggregate(columns=["no_such_column"])


def test_the_downloaded_aggregate_is_reused_when_the_hub_is_gone(hub):
    """It was downloaded by commit, so the Hub's cache never recorded which commit main is, and a Hub that could not
    be reached was never answered from the copy at hand: two minutes of retries, then an error."""
    first = lbtools.load_aggregate()
    hub.stop()
    again = lbtools.load_aggregate()
    pd.testing.assert_frame_equal(again, first)
    assert again.attrs["revision"] == first.attrs["revision"]


def test_aggregate_to_long_matches_the_leaderboards(hub, facts):
    long = lbtools.aggregate_to_long(lbtools.load_aggregate())
    assert_schema(long, LEADERBOARD_COLUMNS)
    assert len(long) == 207
    assert set(long["dataset_id"]) == set(facts["openevals_benchmarks"].values())
    swe = long[long["dataset_id"] == SWE]
    assert list(swe["model_id"][:3]) == ["Qwen/Qwen3.5-397B-A17B", "MiniMaxAI/MiniMax-M2.5", "stepfun-ai/Step-3.5-Flash"]
    assert list(swe["rank"]) == list(range(1, len(swe) + 1))
    extra = lbtools.load_aggregate().assign(newBench_score=1.0)
    with pytest.warns(UserWarning, match="newBench_score"):
        assert len(lbtools.aggregate_to_long(extra)) == 207


# -- cache -----------------------------------------------------------------------------------------------------


def test_cache_hit_refresh_and_expiry(hub, monkeypatch):
    first = lbtools.load_leaderboard(SWE)
    assert len(hub.requests) == 1
    second = lbtools.load_leaderboard(SWE)
    assert len(hub.requests) == 1  # served from disk
    pd.testing.assert_frame_equal(first, second)
    lbtools.load_leaderboard(SWE, refresh=True)
    assert len(hub.requests) == 2
    lbtools.configure(cache_ttl=0.0001)
    import time

    time.sleep(0.01)
    lbtools.load_leaderboard(SWE)
    assert len(hub.requests) == 3
    assert lbtools.clear_cache() >= 1


def test_cache_is_keyed_by_authentication_and_never_holds_the_token(hub, facts, tmp_path):
    lbtools.load_leaderboard(SWE)
    lbtools.load_leaderboard(SWE, token=TOKEN)  # authenticated: a different entry, fetched again
    assert len(hub.requests) == 2 and [r[3] for r in hub.requests] == [False, True]
    lbtools.load_leaderboard(facts["gated_benchmark"], token=TOKEN)
    files = [p for p in (tmp_path / "lbtools-cache").rglob("*") if p.is_file()]
    assert files
    for path in files:
        assert TOKEN.encode() not in path.read_bytes()


def test_a_corrupt_cache_entry_is_discarded_and_refetched(hub, tmp_path):
    lbtools.load_leaderboard(SWE)
    (answer,) = answer_files(tmp_path / "lbtools-cache")
    answer.write_bytes(answer.read_bytes()[:50])  # cut short, as by a disk that lost the end of a write
    with pytest.warns(RuntimeWarning, match="corrupt cache entry"):
        df = lbtools.load_leaderboard(SWE)
    assert len(hub.requests) == 2 and len(df) > 3


# -- rate limits -----------------------------------------------------------------------------------------------


def test_pacing_stays_inside_the_rate_limit_window(start_hub, facts):
    import time

    hub = start_hub(ratelimit=(8, 2.0))
    ids = sorted(set(facts["openevals_benchmarks"].values()))  # 11 requests against a quota of 8 per 2 s
    started = time.monotonic()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no failure warnings: everything loads
        df = lbtools.load_leaderboards(ids, max_workers=4)
    assert set(df["dataset_id"]) == set(ids)
    assert hub.count_429 == 0
    assert time.monotonic() - started >= 1.0  # it waited for the next window instead of hitting 429


def test_a_429_is_waited_out_then_retried(start_hub, facts):
    from localhub import FaultPlan

    hub = start_hub(faults=FaultPlan(rate=1.0, kinds=("429",), seed=1, max_consecutive=1))
    df = lbtools.load_leaderboard(SWE)
    assert list(df["value"][:3]) == [76.4, 75.8, 74.4]
    assert hub.count_429 == 1 and len(hub.requests) == 2
