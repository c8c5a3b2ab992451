"""The `lbtools` command: exit codes and messages a user sees."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from lbtools.cli import main

ROOT = Path(__file__).resolve().parents[1]


def run(args, capsys):
    code = main(args)
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("args", [["--help"], ["snapshot", "--help"], ["snapshot", "save", "--help"],
                                  ["snapshot", "info", "--help"], ["snapshot", "verify", "--help"],
                                  ["export", "--help"]])
def test_help_for_every_command(args, capsys):
    code, out, _ = run(args, capsys)
    assert code == 0
    assert out.startswith("usage: lbtools")


def test_usage_errors_exit_2(capsys):
    code, _, err = run(["snapshot"], capsys)
    assert code == 2 and "usage" in err
    code, _, err = run(["export", "x.csv", "--format", "xlsx"], capsys)
    assert code == 2 and "invalid choice" in err


def test_info_on_a_missing_folder(tmp_path, capsys):
    code, out, err = run(["snapshot", "info", str(tmp_path / "nope")], capsys)
    assert code == 1 and out == ""
    assert err.strip() == f"lbtools: error: snapshot folder {tmp_path / 'nope'} does not exist"


def test_info_on_a_folder_that_is_not_a_snapshot(tmp_path, capsys):
    code, _, err = run(["snapshot", "info", str(tmp_path)], capsys)
    assert code == 1 and "is not an lbtools snapshot (no manifest.json)" in err


def test_info_on_a_newer_format(tmp_path, capsys):
    (tmp_path / "manifest.json").write_text(json.dumps({"format_version": 99}))
    code, _, err = run(["snapshot", "info", str(tmp_path)], capsys)
    assert code == 1 and "format version 99, newer than this lbtools reads (1)" in err and "upgrade" in err


def test_info_of_the_bundled_snapshot(capsys):
    import lbtools

    code, out, _ = run(["snapshot", "info", str(lbtools.bundled_snapshot())], capsys)
    assert code == 0
    assert "openevals-2026-03-25" in out and "2026-03-25T19:09:12Z" in out and "aggregate_rows" in out
    code, out, _ = run(["snapshot", "info", "--json", str(lbtools.bundled_snapshot())], capsys)
    assert json.loads(out)["counts"]["aggregate_rows"] == 93


def test_verify_a_snapshot(tmp_path, capsys):
    import shutil

    import lbtools

    copy = Path(shutil.copytree(lbtools.bundled_snapshot(), tmp_path / "copy"))
    code, out, err = run(["snapshot", "verify", str(copy)], capsys)
    assert (code, err) == (0, "") and out.strip() == f"snapshot at {copy}: all 176 recorded files as saved (sha256)"
    code, out, _ = run(["snapshot", "info", str(copy)], capsys)
    assert "files         176 recorded, each with its sha256" in out
    manifest_sha = hashlib.sha256((copy / "manifest.json").read_bytes()).hexdigest()
    assert f"  sha256        {manifest_sha} (of manifest.json, which lists every file's)" in out
    (copy / "responses/api/datasets/cais/hle/leaderboard.json").write_text("[]")
    code, out, err = run(["snapshot", "verify", str(copy)], capsys)
    assert (code, out) == (1, "")
    assert err.splitlines() == [f"snapshot at {copy} is not as it was saved:",
                                "  changed: responses/api/datasets/cais/hle/leaderboard.json"]


@pytest.mark.parametrize("value", ["0", "65", "x"])
def test_a_bad_max_workers_is_a_usage_error(tmp_path, capsys, value):
    code, _, err = run(["snapshot", "save", str(tmp_path / "s"), "--max-workers", value], capsys)
    assert code == 2 and "--max-workers" in err and not (tmp_path / "s").exists()


def test_a_commands_warnings_are_plain_lines_without_lbtools_source(tmp_path):
    import shutil

    import lbtools

    damaged = Path(shutil.copytree(lbtools.bundled_snapshot(), tmp_path / "snap"))
    (damaged / "responses/api/datasets/cais/hle/leaderboard.json").unlink()
    env = {**os.environ, "LBTOOLS_SOURCE": "snapshot", "LBTOOLS_SNAPSHOT": str(damaged)}
    done = subprocess.run([sys.executable, "-m", "lbtools", "export", str(tmp_path / "x.csv")], env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stderr.startswith("lbtools: warning: 1 of 11 benchmarks failed and is left out — "), done.stderr
    assert len(done.stderr.strip().splitlines()) == 1 and ".py:" not in done.stderr  # no file:line, no source line
    assert done.stdout.startswith("wrote 177 rows from 10 benchmarks") and "1 benchmark has failed: cais/hle" in \
        done.stdout


def test_export_all_leaderboards_as_one_table(tmp_path, capsys):
    code, out, _ = run(["export", str(tmp_path / "all.csv")], capsys)
    assert code == 0 and "wrote 207 rows from 11 benchmarks" in out and "snapshot:openevals-2026-03-25" in out
    table = pd.read_csv(tmp_path / "all.csv")
    assert len(table) == 207 and list(table.columns[:4]) == ["dataset_id", "rank", "model_id", "value"]
    code, _, _ = run(["export", str(tmp_path / "two.parquet"), "--benchmarks", "cais/hle",
                      "SWE-bench/SWE-bench_Verified"], capsys)
    assert code == 0
    two = pd.read_parquet(tmp_path / "two.parquet")
    assert list(two["dataset_id"].unique()) == ["cais/hle", "SWE-bench/SWE-bench_Verified"]


def test_export_of_an_unknown_benchmark_fails_clearly(tmp_path, capsys):
    with pytest.warns(UserWarning):
        code, out, _ = run(["export", str(tmp_path / "x.csv"), "--benchmarks", "nobody/nothing", "cais/hle"], capsys)
    assert code == 0 and "1 benchmark has failed: nobody/nothing" in out


def test_snapshot_save_and_info_as_a_console_script(hub, tmp_path):
    exe = Path(sys.executable).with_name("lbtools")
    command = [str(exe)] if exe.exists() else [sys.executable, "-m", "lbtools"]
    env = {**os.environ}
    done = subprocess.run(command + ["snapshot", "save", str(tmp_path / "s"), "--benchmarks", "cais/hle",
                                     "--no-progress"], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "benchmarks    1" in done.stdout
    assert [line.split()[0] for line in done.stdout.splitlines()].count("benchmarks") == 1  # said once
    again = subprocess.run(command + ["snapshot", "save", str(tmp_path / "s")], env=env, capture_output=True,
                           text=True, timeout=60)
    assert again.returncode == 1 and "already exists" in again.stderr
