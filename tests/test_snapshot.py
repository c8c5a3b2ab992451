"""Snapshots: save from a local Hub, stop it, replay identical frames; the bundled snapshot; choosing the source."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import warnings
from pathlib import Path

import pandas as pd
import pytest

import lbtools
from conftest import TOKEN
from lbtools._snapshot_format import response_relpath
from localhub import SilentServer

SWE = "SWE-bench/SWE-bench_Verified"
ROOT = Path(__file__).resolve().parents[1]


def frames(model_ids, benchmarks):
    """Every loader's output on the same inputs, for comparing two sources."""
    boards = lbtools.load_leaderboards(benchmarks)
    return {
        "list_benchmarks": lbtools.list_benchmarks(),
        "load_leaderboard": lbtools.load_leaderboard(SWE),
        "fine_tunes": lbtools.load_leaderboard("openai/gsm8k", base_model_only=False),
        "load_leaderboards": boards,
        "load_leaderboards_all": lbtools.load_leaderboards(),
        "load_eval_results": lbtools.load_eval_results(model_ids),
        "load_model_info": lbtools.load_model_info(model_ids),
        "enrich": lbtools.enrich(boards),
        "load_aggregate": lbtools.load_aggregate(),
        "aggregate_to_long": lbtools.aggregate_to_long(lbtools.load_aggregate()),
    }


def test_save_stop_replay_gives_identical_frames(start_hub, facts, tmp_path, monkeypatch):
    hub = start_hub()
    monkeypatch.setenv("HF_TOKEN", TOKEN)  # the gated benchmark is recorded too; the token is not
    benchmarks = ["cais/hle", SWE, "openai/gsm8k", facts["gated_benchmark"]]
    models = ["MiniMaxAI/MiniMax-M2.5", "moonshotai/Kimi-K2.5", "GAIR/OpenSWE-72B"]
    dest = tmp_path / "snap"
    with warnings.catch_warnings():
        # Official benchmarks without a leaderboard yet are a normal state: noted in the manifest, no warning.
        warnings.simplefilter("error", lbtools.PartialLoadWarning)
        lbtools.save_snapshot(dest, progress=False)
    with pytest.warns(UserWarning):
        live = frames(models, benchmarks)
    endpoint = hub.url
    hub.stop()

    monkeypatch.setenv("LBTOOLS_SOURCE", "snapshot")
    monkeypatch.setenv("LBTOOLS_SNAPSHOT", str(dest))
    monkeypatch.delenv("HF_TOKEN")
    with pytest.warns(UserWarning):
        replay = frames(models, benchmarks)
    for name in live:
        pd.testing.assert_frame_equal(live[name], replay[name], obj=name)
        assert replay[name].attrs["source"] == "snapshot:snap"
    manifest = json.loads((dest / "manifest.json").read_text())
    assert replay["load_leaderboard"].attrs["fetched_at"] == manifest["taken_at"]
    assert manifest["format_version"] == 1 and manifest["endpoint"] == endpoint
    assert manifest["authenticated"] is True
    recorded = sorted(p.relative_to(dest).as_posix() for d in ("responses", "files", "tables")
                      for p in (dest / d).rglob("*") if p.is_file())
    assert sorted(manifest["sha256"]) == recorded and len(recorded) > 20
    assert {"tables/leaderboards.parquet", "tables/eval_results.parquet", "tables/models.parquet"} < set(recorded)
    leaderboard = "responses/api/datasets/cais/hle/leaderboard.json"
    assert manifest["sha256"][leaderboard] == hashlib.sha256((dest / leaderboard).read_bytes()).hexdigest()
    assert lbtools.verify_snapshot(dest) == []
    assert facts["gated_benchmark"] in manifest["benchmarks"]
    assert manifest["failures"] == {}
    assert set(manifest["without_leaderboard"]) == set(facts["official_ids"]) - set(facts["leaderboards"])
    assert manifest["counts"]["aggregate_rows"] == 93
    assert len(manifest["aggregate"]["revision"]) == 40
    assert live["load_leaderboards_all"].attrs["failures"] == replay["load_leaderboards_all"].attrs["failures"]
    assert (live["load_leaderboards_all"].attrs["without_leaderboard"]
            == replay["load_leaderboards_all"].attrs["without_leaderboard"] == manifest["without_leaderboard"])
    for path in dest.rglob("*"):
        if path.is_file():
            assert TOKEN.encode() not in path.read_bytes()


@pytest.mark.parametrize("hashes", [True, False], ids=["manifest-with-sha256", "manifest-without"])
def test_a_recorded_leaderboard_gone_from_the_folder_is_a_damaged_snapshot_not_an_empty_board(tmp_path, hashes):
    copy = Path(shutil.copytree(lbtools.bundled_snapshot(), tmp_path / "copy"))
    (copy / "responses/api/datasets/cais/hle/leaderboard.json").unlink()
    if not hashes:  # as saved before snapshots recorded hashes: the manifest's list of benchmarks says it
        manifest = json.loads((copy / "manifest.json").read_text())
        del manifest["sha256"]
        (copy / "manifest.json").write_text(json.dumps(manifest))
    lbtools.configure(source="snapshot", snapshot=copy)
    with pytest.warns(lbtools.PartialLoadWarning, match="cais/hle.* is missing: the snapshot is damaged"):
        boards = lbtools.load_leaderboards()
    assert "cais/hle" in boards.attrs["failures"] and boards.attrs["without_leaderboard"] == []
    assert "cais/hle" not in set(boards["dataset_id"]) and boards["dataset_id"].nunique() == 10


def _bundled_copy(tmp_path) -> Path:
    return Path(shutil.copytree(lbtools.bundled_snapshot(), tmp_path / "copy"))


def test_a_file_changed_since_the_save_fails_its_benchmark_and_verify_names_it(tmp_path):
    copy = _bundled_copy(tmp_path)
    board = copy / "responses/api/datasets/cais/hle/leaderboard.json"
    entries = json.loads(board.read_text())
    entries[0]["value"] = entries[0]["value"] + 10  # valid JSON, another score: what a load must not take as recorded
    board.write_text(json.dumps(entries))
    lbtools.configure(source="snapshot", snapshot=copy)
    with pytest.warns(lbtools.PartialLoadWarning, match="hle/leaderboard.json changed since the snapshot was saved"):
        boards = lbtools.load_leaderboards()
    assert "cais/hle" in boards.attrs["failures"] and boards["dataset_id"].nunique() == 10
    with pytest.raises(lbtools.SnapshotError, match="changed since the snapshot was saved.*restore the original"):
        lbtools.load_leaderboard("cais/hle")
    assert lbtools.verify_snapshot(copy) == ["changed: responses/api/datasets/cais/hle/leaderboard.json"]


def test_a_file_added_or_removed_after_the_save_is_named(tmp_path):
    copy = _bundled_copy(tmp_path)
    added = copy / "responses/api/datasets/org/new/leaderboard.json"  # a request the save never made
    added.parent.mkdir(parents=True)
    added.write_text("[]")
    evals = next((copy / "responses/api/models/GAIR").glob("OpenSWE-72B@expand*evalResults.json"))
    evals.unlink()
    lbtools.configure(source="snapshot", snapshot=copy)
    with pytest.raises(lbtools.SnapshotError, match="org/new/leaderboard.json is not among the files the "
                                                    "snapshot's manifest lists: it was added after"):
        lbtools.load_leaderboard("org/new")
    with pytest.raises(lbtools.SnapshotError, match="was recorded when the snapshot was saved and is missing"):
        lbtools.load_eval_results(["GAIR/OpenSWE-72B"], errors="raise")
    assert lbtools.verify_snapshot(copy) == [
        f"missing: {evals.relative_to(copy).as_posix()}", "added: responses/api/datasets/org/new/leaderboard.json"]


def test_a_file_found_under_another_case_is_checked_against_its_recorded_hash(tmp_path):
    """What a file system that ignores case (macOS, Windows) does when a model id is typed in another case: the
    recorded file answers, and its hash is the recorded one's (a case-sensitive one finds nothing: not in snapshot)."""
    copy = _bundled_copy(tmp_path)
    params = {"expand": "evalResults"}
    recorded = copy / response_relpath("/api/models/GAIR/OpenSWE-72B", params)
    lower = copy / response_relpath("/api/models/gair/openswe-72b", params)
    lower.parent.mkdir()
    shutil.move(recorded, lower)  # where such a file system finds the recorded file for the lower-case request
    lbtools.configure(source="snapshot", snapshot=copy)
    results = lbtools.load_eval_results(["gair/openswe-72b"], errors="raise")
    assert len(results) > 0
    lower.write_text(lower.read_text().replace("OpenSWE", "OpenSWF"))
    with pytest.raises(lbtools.SnapshotError, match="changed since the snapshot was saved"):
        lbtools.load_eval_results(["gair/openswe-72b"], errors="raise")


def test_an_edited_table_is_named_by_verify_and_rewriting_the_tables_records_them_again(tmp_path):
    copy = _bundled_copy(tmp_path)
    table = copy / "tables/leaderboards.parquet"
    frame = pd.read_parquet(table)
    frame.loc[0, "value"] = 99.0  # what DuckDB or polars would read from the snapshot
    frame.to_parquet(table, index=False)
    assert lbtools.verify_snapshot(copy) == ["changed: tables/leaderboards.parquet"]
    lbtools.snapshot.write_tables(copy)  # the tables derived again from the recorded responses, and their hashes
    assert lbtools.verify_snapshot(copy) == []
    pd.testing.assert_frame_equal(pd.read_parquet(table),
                                  pd.read_parquet(lbtools.bundled_snapshot() / "tables/leaderboards.parquet"))


def test_an_id_in_another_case_than_recorded_is_named_with_the_recorded_case():
    lbtools.configure(source="snapshot")
    with pytest.raises(lbtools.NotFoundError, match=r"benchmark cais/HLE is not in snapshot:openevals-2026-03-25 "
                                                    r"\(taken .*\); the snapshot has it as cais/hle \(ids are matched "
                                                    r"exactly here, case included\)"):
        lbtools.load_leaderboard("cais/HLE")
    with pytest.warns(lbtools.PartialLoadWarning, match="the snapshot has it as MiniMaxAI/MiniMax-M2.5"):
        assert lbtools.load_eval_results(["minimaxai/minimax-m2.5"]).empty
    with pytest.raises(lbtools.NotFoundError) as other:  # another benchmark, not a typo: no guess
        lbtools.load_leaderboard("harborframework/terminal-bench-2.1")
    assert "has it as" not in str(other.value)
    # its eval results were recorded, its metadata not: no hint that would fail in the recorded case too
    with pytest.warns(lbtools.PartialLoadWarning) as said:
        lbtools.load_model_info(["fireredteam/firered-ocr"])
    assert "has it as" not in str(said[0].message)


def test_a_benchmark_id_typed_with_a_typo_gets_a_did_you_mean():
    lbtools.configure(source="snapshot")
    with pytest.raises(lbtools.NotFoundError, match=r"SWE-bench/SWE-bench_verifed is not in snapshot:.*; did you "
                                                    r"mean SWE-bench/SWE-bench_Verified\?$"):
        lbtools.load_leaderboard("SWE-bench/SWE-bench_verifed")
    with pytest.raises(lbtools.NotFoundError) as case:  # another case: named once, by the snapshot
        lbtools.load_leaderboard("cais/HLE")
    assert "did you mean" not in str(case.value) and "has it as cais/hle" in str(case.value)
    with pytest.raises(lbtools.NotFoundError) as nothing_near:
        lbtools.load_leaderboard("nobody/nothing")
    assert "did you mean" not in str(nothing_near.value)


def test_benchmark_sizes_says_which_typed_id_it_has_no_count_for_and_what_was_meant():
    lbtools.configure(source="snapshot")
    with pytest.warns(lbtools.PartialLoadWarning, match=r"benchmark_sizes: no item count for "
                                                        r"SWE-bench/SWE-bench_verifed \(did you mean "
                                                        r"SWE-bench/SWE-bench_Verified\?\)"):
        sizes = lbtools.benchmark_sizes(["SWE-bench/SWE-bench_verifed", "cais/hle"])
    assert sizes["n_items"].isna().tolist() == [True, False]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # every official benchmark: ids from the list, no typo to point out
        lbtools.benchmark_sizes()


def test_verify_names_symlinks_a_load_would_refuse_and_ignores_file_manager_litter(tmp_path):
    copy = _bundled_copy(tmp_path)
    evals = copy / response_relpath("/api/models/GAIR/OpenSWE-72B", {"expand": "evalResults"})
    outside = tmp_path / "outside.json"
    shutil.move(evals, outside)
    evals.symlink_to(outside)  # the same bytes, from outside the folder: loads refuse it, so verify must too
    shutil.move(copy / "responses/api/models/zai-org", tmp_path / "zai-org")
    (copy / "responses/api/models/zai-org").symlink_to(tmp_path / "zai-org")
    for litter in ("responses/.DS_Store", "tables/Thumbs.db", "files/desktop.ini", "responses/api/._x.json"):
        (copy / litter).write_text("")  # what Finder or Explorer leave: never read by a load
    assert lbtools.verify_snapshot(copy) == [
        "not a regular file: responses/api/models/zai-org (a symlink)",
        f"not a regular file: {evals.relative_to(copy).as_posix()} (a symlink)"]
    lbtools.configure(source="snapshot", snapshot=copy)
    with pytest.raises(lbtools.SnapshotError, match="points outside the snapshot folder"):
        lbtools.load_eval_results(["GAIR/OpenSWE-72B"], errors="raise")


def test_a_changed_aggregate_is_refused(tmp_path):
    copy = _bundled_copy(tmp_path)
    parquet = next((copy / "files").rglob("*.parquet"))
    frame = pd.read_parquet(parquet)
    frame.iloc[0, frame.columns.get_loc("model_name")] = "someone/else"
    frame.to_parquet(parquet, index=False)
    lbtools.configure(source="snapshot", snapshot=copy)
    with pytest.raises(lbtools.SnapshotError, match="train-00000-of-00001.parquet changed since the snapshot was saved"):
        lbtools.load_aggregate()


def test_a_snapshot_saved_before_hashes_loads_as_it_is_and_verify_says_there_is_nothing_to_check(tmp_path):
    copy = _bundled_copy(tmp_path)
    manifest = json.loads((copy / "manifest.json").read_text())
    del manifest["sha256"]
    (copy / "manifest.json").write_text(json.dumps(manifest))
    lbtools.configure(source="snapshot", snapshot=copy)
    assert lbtools.load_leaderboards()["dataset_id"].nunique() == 11
    with pytest.raises(lbtools.SnapshotError, match="records no sha256 of the files.*save a new snapshot"):
        lbtools.verify_snapshot(copy)


@pytest.mark.parametrize("value", ["abc", 12, "A" * 64])
def test_a_manifest_hash_that_is_not_a_sha256_is_named(tmp_path, value):
    copy = _bundled_copy(tmp_path)
    manifest = json.loads((copy / "manifest.json").read_text())
    manifest["sha256"]["responses/api/datasets/cais/hle/leaderboard.json"] = value
    (copy / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(lbtools.SnapshotError, match=r"sha256\['responses/api/datasets/cais/hle/leaderboard.json'\] "
                                                    "must be a sha256"):
        lbtools.snapshot_info(copy)


def test_git_never_rewrites_the_bundled_snapshots_line_endings():
    """Its files are checked by sha256: Git for Windows' autocrlf would change every JSON file's bytes."""
    files = [str(p.relative_to(ROOT)) for p in lbtools.bundled_snapshot().rglob("*") if p.is_file()]
    out = subprocess.run(["git", "-C", str(ROOT), "check-attr", "text", "--", *files], capture_output=True,
                         text=True, check=True).stdout.splitlines()
    assert len(out) == len(files) and all(line.endswith(": text: unset") for line in out), out[:3]


def test_the_bundled_snapshot_is_as_its_manifest_records():
    assert lbtools.verify_snapshot(lbtools.bundled_snapshot()) == []


def test_snapshot_only_replays_what_it_recorded(start_hub, tmp_path, monkeypatch):
    start_hub()
    dest = lbtools.save_snapshot(tmp_path / "small", benchmarks=["cais/hle"], models=False, aggregate=False,
                                 progress=False)
    lbtools.configure(source="snapshot", snapshot=dest)
    assert list(lbtools.load_leaderboards()["dataset_id"].unique()) == ["cais/hle"]
    with pytest.raises(lbtools.NotFoundError, match=r"not in snapshot:small .*; take a snapshot that includes it "
                                                    r"with `lbtools snapshot save DIR --benchmarks \.\.\.`"):
        lbtools.load_leaderboard(SWE)
    with pytest.raises(lbtools.NotFoundError, match="aggregate"):
        lbtools.load_aggregate()
    model = lbtools.load_leaderboard("cais/hle")["model_id"].iloc[0]  # on the one saved board, not its metadata:
    with pytest.raises(lbtools.NotFoundError, match=r"it was saved with --no-models, so it holds no model's eval "
                                                    r"results or metadata: save one without --no-models"):
        lbtools.load_model_info([model], errors="raise")


def test_bundled_snapshot_facts():
    lbtools.configure(source="snapshot")
    swe = lbtools.load_leaderboard(SWE)
    assert list(zip(swe["model_id"][:3], swe["value"][:3])) == [
        ("Qwen/Qwen3.5-397B-A17B", 76.4),
        ("MiniMaxAI/MiniMax-M2.5", 75.8),
        ("stepfun-ai/Step-3.5-Flash", 74.4),
    ]
    assert swe.attrs == {"source": "snapshot:openevals-2026-03-25", "fetched_at": "2026-03-25T19:09:12Z"}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", lbtools.LbtoolsWarning)
        nothing = [lbtools.load_eval_results([]), lbtools.load_model_info([]), lbtools.load_leaderboards(["no/such"]),
                   lbtools.benchmark_sizes()]
    assert [df.attrs["fetched_at"] for df in nothing] == ["2026-03-25T19:09:12Z"] * 4  # as of the snapshot, not None
    aggregate = lbtools.load_aggregate()
    assert aggregate.shape == (93, 23)
    source_csv = pd.read_csv(ROOT / "data/sources/openevals_leaderboard_data_2026-03-25.csv")
    for column in source_csv.columns:  # values unchanged
        left, right = aggregate[column], source_csv[column]
        if pd.api.types.is_numeric_dtype(right):
            assert (left.astype("float64").fillna(-1) == right.astype("float64").fillna(-1)).all(), column
        else:
            assert list(left.astype(object).where(left.notna(), None)) == list(right.where(right.notna(), None))
    boards = lbtools.load_leaderboards()
    assert boards["dataset_id"].nunique() == 11 and len(boards) == 207
    benchmarks = lbtools.list_benchmarks()
    assert len(benchmarks) == 23 and benchmarks["status"].notna().all()
    info = lbtools.load_model_info(["moonshotai/Kimi-K2.5"])
    assert info["num_parameters"].notna().all()
    manifest = lbtools.snapshot_info(lbtools.bundled_snapshot())
    assert "RECONSTRUCTED" in manifest["provenance"] and "2026-03-25" in manifest["provenance"]


def test_bundled_snapshot_is_what_the_build_script_writes(tmp_path):
    """The committed snapshot can be rebuilt from data/sources, file for file."""
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        import build_bundled_snapshot as build
    finally:
        sys.path.pop(0)
    dest = tmp_path / lbtools.bundled_snapshot().name
    build.build(dest)
    bundled = lbtools.bundled_snapshot()
    rebuilt = sorted(p.relative_to(dest) for p in dest.rglob("*") if p.is_file())
    assert rebuilt == sorted(p.relative_to(bundled) for p in bundled.rglob("*") if p.is_file())
    for rel in rebuilt:
        if rel.suffix == ".json" and rel.name != "manifest.json":
            assert (dest / rel).read_text() == (bundled / rel).read_text(), rel
    # The manifest too, but for the Parquet's sha256: its bytes follow pyarrow's version, its rows are compared below
    # (and each side's hashes match its own files)
    manifests = [json.loads((root / "manifest.json").read_text()) for root in (dest, bundled)]
    for manifest in manifests:
        manifest["sha256"] = {k: v for k, v in manifest["sha256"].items() if not k.endswith(".parquet")}
    assert manifests[0] == manifests[1]
    assert lbtools.verify_snapshot(dest) == lbtools.verify_snapshot(bundled) == []
    for rel in rebuilt:  # the aggregate and the tidy tables (tables/*.parquet)
        if rel.suffix == ".parquet":
            pd.testing.assert_frame_equal(pd.read_parquet(dest / rel), pd.read_parquet(bundled / rel), obj=str(rel))


# -- choosing the source ---------------------------------------------------------------------------------------


def test_auto_falls_back_from_a_silent_hub_within_the_bound(monkeypatch):
    server = SilentServer().start()
    try:
        monkeypatch.setenv("HF_ENDPOINT", server.url)
        monkeypatch.setenv("LBTOOLS_SOURCE", "auto")
        with pytest.warns(UserWarning, match=r"can't be reached.*snapshot:openevals-2026-03-25.*2026-03-25") as caught:
            df = lbtools.load_leaderboard(SWE)
        assert server.accepted == 1, server.accepted  # one probe waited out, not a request retried (seconds: make bench)
        assert df.attrs["source"] == "snapshot:openevals-2026-03-25"
        assert len([w for w in caught if "can't be reached" in str(w.message)]) == 1
        with warnings_recorded() as again:  # one visible warning per session, not per call
            lbtools.load_leaderboard("cais/hle")
        assert not [w for w in again if "can't be reached" in str(w.message)]
        assert server.accepted == 1  # the probe's outcome remembered
        lbtools.configure()  # e.g. after the network came back: the next auto load asks again, and says so again
        with pytest.warns(UserWarning, match="can't be reached"):
            lbtools.load_leaderboard(SWE)
        assert server.accepted == 2, server.accepted
    finally:
        server.stop()


def test_auto_falls_back_from_a_refusing_port_quickly(monkeypatch):
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again: connections are refused
    monkeypatch.setenv("HF_ENDPOINT", f"http://127.0.0.1:{port}")
    monkeypatch.setenv("LBTOOLS_SOURCE", "auto")
    with pytest.warns(UserWarning, match="can't be reached"):
        df = lbtools.load_leaderboard(SWE)
    assert df.attrs["source"].startswith("snapshot:")


def test_auto_uses_a_reachable_hub(hub, monkeypatch):
    monkeypatch.setenv("LBTOOLS_SOURCE", "auto")
    df = lbtools.load_leaderboard(SWE)
    assert df.attrs["source"] == "hub"


def test_auto_falls_back_on_the_next_load_once_a_load_finds_the_hub_gone(start_hub, monkeypatch):
    """A good probe was remembered for 5 minutes: after the Hub went away every load failed slowly in that time."""
    from lbtools._hub import client as lbhub

    for name in ("BACKOFF_INITIAL_S", "BACKOFF_MAX_S", "BACKOFF_JITTER_S"):  # the failing load's retrying is not
        monkeypatch.setattr(lbhub, name, getattr(lbhub, name) / 20)            # what is tested
    hub = start_hub()
    monkeypatch.setenv("LBTOOLS_SOURCE", "auto")
    assert lbtools.load_leaderboard(SWE).attrs["source"] == "hub"
    hub.stop()
    with pytest.raises(lbtools.HubUnavailableError):
        lbtools.load_leaderboard(SWE, refresh=True)  # the load in flight (past the cache) finds it gone …
    with pytest.warns(UserWarning, match="can't be reached"):
        df = lbtools.load_leaderboard(SWE, refresh=True)  # … and the next one probes again and falls back
    assert df.attrs["source"].startswith("snapshot:")


def test_hf_hub_offline_means_the_snapshot_without_trying(hub, monkeypatch):
    monkeypatch.setenv("LBTOOLS_SOURCE", "auto")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.warns(UserWarning, match="HF_HUB_OFFLINE"):
        df = lbtools.load_leaderboard(SWE)
    assert df.attrs["source"] == "snapshot:openevals-2026-03-25"
    assert hub.requests == []
    monkeypatch.setenv("LBTOOLS_SOURCE", "hub")
    with pytest.raises(lbtools.HubUnavailableError, match="HF_HUB_OFFLINE"):
        lbtools.load_leaderboard(SWE)


def test_source_hub_never_falls_back(monkeypatch):
    server = SilentServer().start()
    try:
        monkeypatch.setenv("HF_ENDPOINT", server.url)
        lbtools.configure(source="hub", timeout=0.5)
        with pytest.raises(lbtools.HubUnavailableError, match=r"within 0\.5 s \(2 timed-out tries.*LBTOOLS_SOURCE=snapshot"):
            lbtools.load_leaderboard(SWE)
        assert server.accepted == 2, server.accepted  # the two tries the timeout policy allows, then the error
    finally:
        server.stop()


def test_configure_picks_a_snapshot_from_code(start_hub, tmp_path):
    start_hub()
    dest = lbtools.save_snapshot(tmp_path / "pinned", benchmarks=["cais/hle"], models=False, aggregate=False,
                                 progress=False)
    settings = lbtools.configure(source="snapshot", snapshot=dest)
    assert settings.snapshot == dest
    assert lbtools.load_leaderboard("cais/hle").attrs["source"] == "snapshot:pinned"


# -- interrupted saves -----------------------------------------------------------------------------------------


def test_an_interrupted_save_leaves_no_loadable_snapshot(start_hub, tmp_path):
    hub = start_hub(latency=0.2)
    dest = tmp_path / "interrupted"
    env = {**os.environ, "HF_ENDPOINT": hub.url, "LBTOOLS_CACHE": "off", "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "lbtools", "snapshot", "save", str(dest), "--no-progress", "--max-workers", "1"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and len(hub.requests) < 4:
        time.sleep(0.05)
    assert len(hub.requests) >= 4, "the save never started"
    proc.send_signal(signal.SIGKILL)  # no chance to clean up: the worst case
    proc.wait(timeout=10)
    assert not dest.exists()
    partials = list(tmp_path.glob(".interrupted.partial-*"))
    assert partials, "expected the temporary folder of the killed save"
    for partial in partials:
        with pytest.raises(lbtools.SnapshotError, match="not an lbtools snapshot"):
            lbtools.configure(source="snapshot", snapshot=partial)
            lbtools.load_leaderboards()


def test_save_refuses_to_overwrite(start_hub, tmp_path):
    start_hub()
    (tmp_path / "exists").mkdir()
    with pytest.raises(FileExistsError, match="already exists"):
        lbtools.save_snapshot(tmp_path / "exists", progress=False)


def test_a_save_that_loses_a_race_for_its_folder_says_so_and_leaves_nothing(start_hub, tmp_path, monkeypatch):
    """Two saves started at once into one new folder: the one that finishes second was told Errno 39."""
    start_hub()
    dest = tmp_path / "snap"
    write_tables = lbtools.snapshot.write_tables

    def other_save_finishes_first(folder):
        (dest / "responses").mkdir(parents=True)  # what the other save's rename put there meanwhile
        (dest / "manifest.json").write_text("{}")
        return write_tables(folder)

    monkeypatch.setattr(lbtools.snapshot, "write_tables", other_save_finishes_first)
    with pytest.raises(FileExistsError, match=r"snap already exists; choose a new folder \(a snapshot is never "
                                              r"overwritten\)"):
        lbtools.save_snapshot(dest, benchmarks=["cais/hle"], models=False, aggregate=False, progress=False)
    assert [p.name for p in tmp_path.iterdir() if "snap" in p.name] == ["snap"]  # the loser's temporary folder: gone
    assert (dest / "manifest.json").read_text() == "{}"  # and the winner's folder untouched


def test_a_saved_snapshot_keeps_git_from_converting_its_line_endings(start_hub, tmp_path):
    start_hub()
    dest = lbtools.save_snapshot(tmp_path / "snap", benchmarks=["cais/hle"], models=False, aggregate=False,
                                 progress=False)
    assert "* -text" in (dest / ".gitattributes").read_text().splitlines()
    subprocess.run(["git", "-C", str(tmp_path), "init", "-q"], capture_output=True, check=True)
    out = subprocess.run(["git", "-C", str(tmp_path), "check-attr", "text", "--", "snap/manifest.json",
                          "snap/responses/api/datasets/cais/hle/leaderboard.json"], capture_output=True, text=True,
                         check=True).stdout.splitlines()
    assert out == ["snap/manifest.json: text: unset",
                   "snap/responses/api/datasets/cais/hle/leaderboard.json: text: unset"]


def test_save_with_hf_hub_offline_fails_at_once_and_leaves_nothing(tmp_path, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    started = time.monotonic()
    with pytest.raises(lbtools.HubUnavailableError, match="saving a snapshot records the live Hub, but "
                                                          "HF_HUB_OFFLINE is set"):
        lbtools.save_snapshot(tmp_path / "snap", progress=False)
    assert time.monotonic() - started < 1.0 and list(tmp_path.iterdir()) == []


def test_a_save_that_cannot_reach_the_hub_never_suggests_working_from_a_snapshot(tmp_path, monkeypatch):
    from lbtools._hub import client as lbhub

    monkeypatch.setattr(lbhub, "MAX_TOTAL_S", 1.0)  # the advice, not the retrying, is tested
    monkeypatch.setenv("HF_ENDPOINT", f"http://127.0.0.1:{_closed_port()}")
    monkeypatch.setenv("LBTOOLS_TIMEOUT", "0.5")
    with pytest.raises(lbtools.HubUnavailableError) as info:
        lbtools.save_snapshot(tmp_path / "snap", progress=False)
    assert "try again later" in str(info.value) and "LBTOOLS_SOURCE" not in str(info.value)
    with pytest.raises(lbtools.HubUnavailableError, match="work offline with LBTOOLS_SOURCE=snapshot"):
        lbtools.configure(source="hub")
        lbtools.load_leaderboard("cais/hle")  # a load's failure does suggest it


def _closed_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class warnings_recorded:
    def __enter__(self):
        import warnings

        self._cm = warnings.catch_warnings(record=True)
        caught = self._cm.__enter__()
        warnings.simplefilter("always")
        return caught

    def __exit__(self, *exc):
        return self._cm.__exit__(*exc)
