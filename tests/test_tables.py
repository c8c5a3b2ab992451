"""Snapshots carry tidy Parquet tables (tables/leaderboards.parquet, eval_results, models): the loaders' frames,
readable by any Parquet reader without lbtools."""

from __future__ import annotations

import json
import subprocess
import sys

import pandas as pd
import pytest

import lbtools

TABLES = ("leaderboards.parquet", "eval_results.parquet", "models.parquet")


def test_bundled_snapshot_tables_read_without_lbtools():
    """pyarrow alone (lbtools never imported) reads the bundled leaderboards table: >= 100 rows, the documented
    columns."""
    path = lbtools.bundled_snapshot() / "tables" / "leaderboards.parquet"
    code = (
        "import json, sys, pyarrow.parquet as pq\n"
        f"t = pq.read_table({str(path)!r})\n"
        "assert 'lbtools' not in sys.modules\n"
        "print(json.dumps({'rows': t.num_rows, 'columns': t.column_names,"
        " 'datasets': len(set(t.column('dataset_id').to_pylist()))}))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd="/")
    facts = json.loads(out.stdout)
    assert facts["rows"] == 207 and facts["datasets"] == 11
    assert {"dataset_id", "rank", "model_id", "value", "verified", "source_url"} <= set(facts["columns"])


def test_bundled_snapshot_tables_are_the_loaders_frames(monkeypatch):
    monkeypatch.setenv("LBTOOLS_SOURCE", "snapshot")
    monkeypatch.delenv("LBTOOLS_SNAPSHOT", raising=False)
    folder = lbtools.bundled_snapshot() / "tables"
    boards = lbtools.load_leaderboards(progress=False)
    pd.testing.assert_frame_equal(pd.read_parquet(folder / "leaderboards.parquet"), boards, check_like=False)
    ids = sorted(boards["model_id"].unique())
    with pytest.warns(lbtools.PartialLoadWarning):  # 37 of the 93 models have no metadata in the snapshot
        info = lbtools.load_model_info(ids, progress=False)
    pd.testing.assert_frame_equal(pd.read_parquet(folder / "models.parquet"), info)
    evals = lbtools.load_eval_results(ids, progress=False)
    pd.testing.assert_frame_equal(pd.read_parquet(folder / "eval_results.parquet"), evals)
    assert len(info) == 56 and len(evals) == 207


def test_snapshot_save_writes_the_tables(start_hub, tmp_path, monkeypatch):
    """`lbtools snapshot save` (here against the local Hub) writes the three tables, equal to what the loaders
    read back from the saved snapshot."""
    start_hub()
    dest = lbtools.save_snapshot(tmp_path / "snap", benchmarks=["cais/hle", "SWE-bench/SWE-bench_Verified"],
                                 aggregate=False, progress=False)
    assert sorted(p.name for p in (dest / "tables").iterdir()) == sorted(TABLES)
    monkeypatch.setenv("LBTOOLS_SOURCE", "snapshot")
    monkeypatch.setenv("LBTOOLS_SNAPSHOT", str(dest))
    boards = lbtools.load_leaderboards(progress=False)
    table = pd.read_parquet(dest / "tables" / "leaderboards.parquet")
    pd.testing.assert_frame_equal(table, boards)
    assert set(table["dataset_id"]) == {"cais/hle", "SWE-bench/SWE-bench_Verified"} and len(table) > 0
    models = pd.read_parquet(dest / "tables" / "models.parquet")
    assert set(models["model_id"]) <= set(boards["model_id"]) and len(models) > 0
    evals = pd.read_parquet(dest / "tables" / "eval_results.parquet")
    assert set(evals["model_id"]) <= set(boards["model_id"]) and len(evals) > 0


def test_a_snapshot_without_models_has_only_the_leaderboards_table(start_hub, tmp_path):
    start_hub()
    dest = lbtools.save_snapshot(tmp_path / "small", benchmarks=["cais/hle"], models=False, aggregate=False,
                                 progress=False)
    assert [p.name for p in (dest / "tables").iterdir()] == ["leaderboards.parquet"]
    assert set(pd.read_parquet(dest / "tables" / "leaderboards.parquet")["dataset_id"]) == {"cais/hle"}

