"""Issue 25, the findings outside the Hub client and cache: 4 (loader side), 5, 6, 11, 13, 16, 17, 23, 27.

Each case is what a hostile user or a damaged file did, through the public API (or the ``lbtools`` command), with a
local Hub on 127.0.0.1 where the data must come from the Hub. A case that used to hang or exhaust memory runs in a
thread or a child process with a bound, so the old behaviour fails the test instead of stopping the suite.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import subprocess
import sys
import threading
import warnings
from pathlib import Path

import pandas as pd
import pytest

import lbtools
from bounded import finishes_within
from lbtools._snapshot_format import MANIFEST, file_relpath, response_relpath
from lbtools._hub.client import AGGREGATE_FILE, AGGREGATE_REPO
from lbtools.cli import main

ROOT = Path(__file__).resolve().parents[1]
SWE = "SWE-bench/SWE-bench_Verified"
BOUND_S = 20.0


def _within(call, seconds: float = BOUND_S) -> dict:
    """Run ``call`` in a thread; ``{"value"|"error": ...}``, or fail if it is still running after ``seconds``."""
    return finishes_within(call, seconds)


def _caught(call):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        value = call()
    return value, [w for w in caught if issubclass(w.category, lbtools.LbtoolsWarning)]


# -- findings 4, 13, 27: the aggregate in the long shape ----------------------------------------------------------


@pytest.fixture
def aggregate():
    return lbtools.load_aggregate()


def test_an_infinite_aggregate_score_is_left_out_with_a_warning(aggregate):
    """Finding 4: `inf` from the Parquet used to be kept silently (and then ranked first with certainty)."""
    top = aggregate["model_name"].iloc[0]
    aggregate.loc[0, "gpqa_score"] = math.inf
    aggregate.loc[1, "gpqa_score"] = -math.inf
    long, caught = _caught(lambda: lbtools.aggregate_to_long(aggregate))
    assert long["value"].map(lambda v: math.isfinite(v)).all()
    gpqa = long[long["dataset_id"] == "Idavidrein/gpqa"]
    assert top not in set(gpqa["model_id"])
    (warning,) = [w for w in caught if issubclass(w.category, lbtools.DataRepairedWarning)]
    assert "2 in 'gpqa_score' that are infinite" in str(warning.message) and "set to empty" in str(warning.message)


def test_a_text_score_column_is_read_as_numbers_with_a_warning(aggregate):
    """Finding 13: a text `*_score` column used to raise a raw TypeError from sort_values."""
    expected = lbtools.aggregate_to_long(aggregate)
    text = aggregate.astype({"gpqa_score": object})
    text["gpqa_score"] = [None if pd.isna(v) else str(v) for v in aggregate["gpqa_score"]]
    first = text["gpqa_score"].first_valid_index()
    text.loc[first, "gpqa_score"] = "n/a"
    long, caught = _caught(lambda: lbtools.aggregate_to_long(text))
    message = " ".join(str(w.message) for w in caught if issubclass(w.category, lbtools.DataRepairedWarning))
    assert "1 in 'gpqa_score' that are text, not numbers (e.g. 'n/a')" in message
    assert "given as text (read as numbers)" in message
    assert len(long) == len(expected) - 1
    keep = expected[~((expected["dataset_id"] == "Idavidrein/gpqa")
                      & (expected["model_id"] == aggregate.loc[first, "model_name"]))]
    pd.testing.assert_frame_equal(long.reset_index(drop=True)[["dataset_id", "model_id", "value"]],
                                  keep.reset_index(drop=True)[["dataset_id", "model_id", "value"]],
                                  check_dtype=False)


def test_a_model_listed_twice_gets_one_row_per_benchmark_and_a_warning(aggregate):
    """Finding 27: duplicated rows in the long frame, without a word."""
    expected = lbtools.aggregate_to_long(aggregate)
    at = aggregate["gpqa_score"].first_valid_index()
    again = aggregate.loc[[at]].assign(gpqa_score=1.0)  # a later, different row for the same model
    twice = pd.concat([aggregate, again], ignore_index=True)
    long, caught = _caught(lambda: lbtools.aggregate_to_long(twice))
    assert not long.duplicated(["model_id", "dataset_id"]).any()
    pd.testing.assert_frame_equal(long, expected)  # the first row's scores are kept
    (warning,) = [w for w in caught if issubclass(w.category, lbtools.DataRepairedWarning)]
    model = aggregate.loc[at, "model_name"]
    assert f"lists 1 models more than once ({model})" in str(warning.message)
    assert "kept the first score given for each benchmark" in str(warning.message)


# -- finding 5: crafted snapshots ---------------------------------------------------------------------------------


@pytest.fixture
def snapshot_copy(tmp_path, monkeypatch):
    """A copy of the bundled snapshot, selected as the source."""
    dest = tmp_path / "snap"
    shutil.copytree(lbtools.bundled_snapshot(), dest)
    monkeypatch.setenv("LBTOOLS_SNAPSHOT", str(dest))
    lbtools.configure(reset=True)
    return dest


def _board(root: Path) -> Path:
    return root / response_relpath(f"/api/datasets/{SWE}/leaderboard")


def _replace(path: Path, how: str, outside: Path | None = None) -> None:
    path.unlink()
    if how == "fifo":
        os.mkfifo(path)
    elif how == "outside":
        outside.write_text(json.dumps([]), encoding="utf-8")
        path.symlink_to(outside)
    else:
        path.symlink_to(how)


@pytest.mark.parametrize("how, says", [("fifo", "named pipe"), ("outside", "outside the snapshot folder")])
def test_a_crafted_leaderboard_file_is_a_snapshot_error(how, says, snapshot_copy, tmp_path):
    """A FIFO used to hang load_leaderboard; a symlink out of the folder was loaded silently."""
    _replace(_board(snapshot_copy), how, tmp_path / "elsewhere.json")
    outcome = _within(lambda: lbtools.load_leaderboard(SWE))
    assert isinstance(outcome.get("error"), lbtools.SnapshotError), outcome
    assert says in str(outcome["error"])


def test_a_symlink_to_dev_zero_is_a_snapshot_error_not_an_exhausted_memory(snapshot_copy):
    """Read in a child process limited to 1.5 GB, so the old behaviour (reading /dev/zero until memory runs out)
    fails this test instead of the machine."""
    _replace(_board(snapshot_copy), "/dev/zero")
    code = ("import resource, lbtools\n"
            "resource.setrlimit(resource.RLIMIT_AS, (1536 * 2**20, 1536 * 2**20))\n"
            "try:\n"
            f"    lbtools.load_leaderboard({SWE!r})\n"
            "except lbtools.SnapshotError as exc:\n"
            "    print('SnapshotError:', exc)\n")
    env = {**os.environ, "LBTOOLS_SNAPSHOT": str(snapshot_copy), "LBTOOLS_SOURCE": "snapshot"}
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
    assert done.stdout.startswith("SnapshotError:") and "outside the snapshot folder" in done.stdout, done.stderr[-2000:]


def test_a_crafted_aggregate_file_is_a_snapshot_error(snapshot_copy):
    _replace(snapshot_copy / file_relpath("dataset", AGGREGATE_REPO, AGGREGATE_FILE), "fifo")
    outcome = _within(lbtools.load_aggregate)
    assert isinstance(outcome.get("error"), lbtools.SnapshotError), outcome


def test_snapshot_info_on_a_fifo_manifest_fails_at_once(snapshot_copy, capsys):
    _replace(snapshot_copy / MANIFEST, "fifo")
    outcome = _within(lambda: main(["snapshot", "info", str(snapshot_copy)]))
    assert outcome.get("value") == 1, outcome
    assert "named pipe" in capsys.readouterr().err


def test_a_snapshot_reached_through_a_symlinked_folder_still_loads(tmp_path, monkeypatch):
    """Symlinks are fine where they stay inside: the snapshot folder itself may be a link."""
    link = tmp_path / "link"
    link.symlink_to(lbtools.bundled_snapshot(), target_is_directory=True)
    monkeypatch.setenv("LBTOOLS_SNAPSHOT", str(link))
    lbtools.configure(reset=True)
    assert len(lbtools.load_leaderboard(SWE)) == 23


# -- findings 6 and 16: lbtools export ----------------------------------------------------------------------------


def _export(target, capsys, *extra):
    code = main(["export", str(target), "--benchmarks", SWE, *extra])
    return code, capsys.readouterr()


def test_export_writes_through_a_symlink_and_keeps_it(tmp_path, capsys):
    real = tmp_path / "real.csv"
    real.write_text("old\n")
    real.chmod(0o640)
    link = tmp_path / "link.csv"
    link.symlink_to(real)
    code, _ = _export(link, capsys)
    assert code == 0
    assert link.is_symlink() and os.readlink(link) == str(real)
    assert len(pd.read_csv(real)) == 23 and oct(real.stat().st_mode & 0o777) == oct(0o640)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link.csv", "real.csv"]


def test_export_writes_into_a_named_pipe_and_leaves_it_a_pipe(tmp_path, capsys):
    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)
    received = {}
    reader = threading.Thread(target=lambda: received.setdefault("text", fifo.read_text()), daemon=True)
    reader.start()
    outcome = _within(lambda: _export(fifo, capsys))
    reader.join(BOUND_S)
    assert outcome["value"][0] == 0, outcome
    assert fifo.is_fifo()
    assert received["text"].startswith("dataset_id,rank,model_id,value") and received["text"].count("\n") == 24


def test_export_onto_a_device_writes_to_it_and_never_replaces_it(tmp_path, capsys):
    """Through links in tmp_path, so the test never touches /dev itself even on the old behaviour."""
    null, full = tmp_path / "null.parquet", tmp_path / "full.csv"
    null.symlink_to("/dev/null")
    full.symlink_to("/dev/full")
    code, _ = _export(null, capsys)
    assert code == 0 and null.is_symlink()
    code, out = _export(full, capsys)
    assert code == 1 and "No space left" in out.err and full.is_symlink()
    assert Path("/dev/full").is_char_device() and Path("/dev/null").is_char_device()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["full.csv", "null.parquet"]


def test_export_refuses_a_folder(tmp_path, capsys):
    code, out = _export(tmp_path, capsys, "--format", "csv")
    assert code == 1 and "is a folder" in out.err


def test_export_fails_when_every_benchmark_failed_and_writes_nothing(tmp_path, capsys):
    """Finding 16: it used to exit 0 after writing 0 rows."""
    target = tmp_path / "x.csv"
    with pytest.warns(lbtools.PartialLoadWarning):
        code = main(["export", str(target), "--benchmarks", "nobody/nothing", "nobody/else"])
    out = capsys.readouterr()
    assert code == 1 and not target.exists()
    assert "nothing written" in out.err and "every benchmark failed (2)" in out.err and "nobody/else" in out.err


# -- finding 17: the token mask -----------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["check HF_ENDPOINT", "hf_internal_testing/tiny", "hf_tokenizerconfigs_v2",
                                  "HF_HUB_OFFLINE=1", "hf_hub_download failed"])
def test_the_mask_leaves_what_is_not_a_token(text):
    assert lbtools.errors.mask_secrets(text) == text
    assert str(lbtools.NotFoundError(f"see {text}")) == f"see {text}"


def test_the_mask_still_hides_every_token_shape():
    token = "hf_AbCdEfGhIjKlMnOpQrStUvWxYz01234567"
    masked = lbtools.errors.mask_secrets(f"HF_TOKEN={token}. Bearer x.y.z, api_org_abcdefghijkl; ({token})")
    assert masked == "HF_TOKEN=hf_***. Bearer ***, api_org_***; (hf_***)"


# -- finding 23: one bad byte in one entry ------------------------------------------------------------------------


def _entry(model: str, value: float, rank: int, notes: str) -> dict:
    return {"rank": rank, "modelId": model, "value": value, "filename": ".eval_results/board.yaml",
            "verified": False, "author": {"name": model.split("/")[0], "type": "org"},
            "source": {"url": f"https://huggingface.co/{model}", "name": "Model Card", "isExternal": False},
            "notes": notes}


def test_one_invalid_utf8_byte_spoils_one_note_not_the_leaderboard(start_hub, tmp_path):
    board = [_entry("org/a", 81.5, 1, "fine"), _entry("org/b", 70.0, 2, "BADBYTE here"),
             _entry("org/c", 12.0, 3, "caf\u00e9")]
    raw = json.dumps(board, ensure_ascii=False).encode("utf-8").replace(b"BADBYTE", b"caf\xe9")
    root = tmp_path / "hub"
    path = root / response_relpath("/api/datasets/org/board/leaderboard")
    path.parent.mkdir(parents=True)
    path.write_bytes(raw)
    (root / "manifest.json").write_text("{}")
    start_hub(root=root)
    df, caught = _caught(lambda: lbtools.load_leaderboard("org/board"))
    assert list(df["model_id"]) == ["org/a", "org/b", "org/c"] and list(df["value"]) == [81.5, 70.0, 12.0]
    assert list(df["notes"]) == ["fine", "caf\ufffd here", "caf\u00e9"]
    assert any("notes values with invalid characters" in str(w.message) for w in caught)
    again, caught = _caught(lambda: lbtools.load_leaderboard("org/board"))  # from the cache: repaired the same way
    pd.testing.assert_frame_equal(again, df)
    assert any("notes values with invalid characters" in str(w.message) for w in caught)


# -- finding 11: long model names in a snapshot -------------------------------------------------------------------


def test_a_model_with_a_long_name_is_recorded_and_replayed(start_hub, tmp_path, monkeypatch):
    """The recorded file name held the whole expand query: names over 51 characters could not be saved."""
    model = "org/" + "a-very-long-model-name-" * 3 + "x" * 20  # 93 characters, as the Hub allows up to 96
    root = tmp_path / "hub"
    files = {
        response_relpath("/api/datasets", {"filter": "benchmark:official"}): [
            {"id": "org/board", "author": "org", "tags": ["benchmark:official"], "gated": False}],
        response_relpath("/api/datasets/org/board/leaderboard"): [_entry(model, 50.0, 1, "long")],
        response_relpath(f"/api/models/{model}"): {"id": model, "author": "org", "downloads": 3, "likes": 1,
                                                    "gated": False, "tags": [], "evalResults": []},
    }
    for rel, body in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(json.dumps(body))
    (root / "manifest.json").write_text("{}")
    start_hub(root=root)
    live = lbtools.load_model_info([model])
    dest = tmp_path / "snap"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", lbtools.PartialLoadWarning)
        lbtools.save_snapshot(dest, aggregate=False, progress=False)
    recorded = [p.name for p in (dest / "responses").rglob("*.json")]
    assert max(len(n.encode()) for n in recorded) <= 255
    monkeypatch.setenv("LBTOOLS_SOURCE", "snapshot")
    monkeypatch.setenv("LBTOOLS_SNAPSHOT", str(dest))
    lbtools.configure(reset=True)
    replayed = lbtools.load_model_info([model])
    assert replayed.attrs["source"] == "snapshot:snap" and not replayed.attrs.get("failures")
    pd.testing.assert_frame_equal(live.reset_index(drop=True), replayed.reset_index(drop=True))


def test_the_bundled_snapshot_keeps_its_readable_file_names():
    bundled = lbtools.bundled_snapshot()
    name = response_relpath("/api/models/Qwen/Qwen2-72B", {"expand": "evalResults"})
    assert name == "responses/api/models/Qwen/Qwen2-72B@expand%3DevalResults.json" and (bundled / name).is_file()
    assert not [p for p in (bundled / "responses").rglob("*@sha256-*")]


def test_the_parsers_repair_non_finite_values_with_a_warning(start_hub, tmp_path):
    """Finding 4, loader side: Infinity/NaN in a leaderboard or an eval result is set to empty and said (held before;
    kept here beside the aggregate's case)."""
    root = tmp_path / "hub"
    board = [_entry("org/a", 81.5, 1, "fine"), _entry("org/b", 70.0, 2, "x"), _entry("org/c", 12.0, 3, "y")]
    board[1]["value"] = math.inf
    results = [{"filename": ".eval_results/b.yaml", "verified": False,
                "data": {"dataset": {"id": "org/board", "task_id": "t"}, "value": value}}
               for value in (math.inf, math.nan, 0.5)]
    files = {response_relpath("/api/datasets/org/board/leaderboard"): board,
             response_relpath("/api/models/org/b"): {"id": "org/b", "author": "org", "evalResults": results}}
    for rel, body in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(json.dumps(body))  # Infinity and NaN, as JavaScript writes them
    (root / "manifest.json").write_text("{}")
    start_hub(root=root)
    df, caught = _caught(lambda: lbtools.load_leaderboard("org/board"))
    assert df["value"].isna().tolist() == [False, True, False]
    assert any(issubclass(w.category, lbtools.DataRepairedWarning) and "infinite" in str(w.message) for w in caught)
    evals, caught = _caught(lambda: lbtools.load_eval_results(["org/b"]))
    assert sorted(evals["value"].isna().tolist()) == [False, True, True]
    assert all(math.isfinite(v) for v in evals["value"].dropna())
    assert any(issubclass(w.category, lbtools.DataRepairedWarning) for w in caught)
