"""A damaged or hostile snapshot is a SnapshotError naming what is wrong (issue 11, findings 12 and 14)."""

from __future__ import annotations

import json
import shutil

import pytest

import lbtools
from lbtools import cli
from lbtools._hub.client import AGGREGATE_FILE, AGGREGATE_REPO
from lbtools._snapshot_format import file_relpath


@pytest.fixture
def snapshot_copy(tmp_path):
    """A copy of the bundled snapshot and a function that rewrites fields of its manifest."""
    root = tmp_path / "copy"
    shutil.copytree(lbtools.bundled_snapshot(), root)

    def rewrite(**fields):
        path = root / "manifest.json"
        manifest = json.loads(path.read_text())
        manifest.update(fields)
        path.write_text(json.dumps(manifest))
        return root

    return rewrite


@pytest.mark.parametrize(
    "fields, named",
    [
        (dict(benchmarks=5), "benchmarks"),
        (dict(benchmarks="cais/hle"), "benchmarks"),
        (dict(benchmarks=["cais/hle", 5]), r"benchmarks\[1\]"),
        (dict(benchmarks=["../../../etc/passwd"]), r"benchmarks\[0\]"),
        (dict(failures=["cais/hle"]), "failures"),
        (dict(failures={"cais/hle": 5}), "failures"),
        (dict(aggregate="x"), "aggregate"),
        (dict(aggregate={"revision": 5}), r"aggregate\.revision"),
        (dict(format_version="1"), "format_version"),
        (dict(format_version=True), "format_version"),
        (dict(format_version=0), "format_version"),
        (dict(counts=[1, 2]), "counts"),
        (dict(counts={"benchmarks": "eleven"}), "counts"),
        (dict(name=5), "name"),
        (dict(taken_at=["yesterday"]), "taken_at"),
        (dict(authenticated="yes"), "authenticated"),
    ],
)
def test_a_manifest_field_of_the_wrong_type_is_a_snapshot_error_naming_it(fields, named, snapshot_copy):
    root = snapshot_copy(**fields)
    with pytest.raises(lbtools.SnapshotError, match=named):
        lbtools.snapshot_info(root)
    lbtools.configure(source="snapshot", snapshot=root)
    for call in (lbtools.load_leaderboards, lbtools.list_benchmarks, lbtools.load_aggregate):
        with pytest.raises(lbtools.SnapshotError, match=named):
            call()
    assert cli.main(["snapshot", "info", str(root)]) == cli.EXIT_ERROR


def test_a_manifest_that_is_not_utf8_is_a_snapshot_error(snapshot_copy):
    root = snapshot_copy()
    (root / "manifest.json").write_bytes(b'{"format_version": 1, "name": "\xff"}')
    with pytest.raises(lbtools.SnapshotError, match="manifest.json"):
        lbtools.snapshot_info(root)


def test_a_truncated_parquet_is_a_snapshot_error_naming_the_file(snapshot_copy):
    root = snapshot_copy(sha256=None)  # as saved before hashes: Parquet's own reading finds the damage
    parquet = root / file_relpath("dataset", AGGREGATE_REPO, AGGREGATE_FILE)
    parquet.write_bytes(parquet.read_bytes()[: parquet.stat().st_size // 2])
    lbtools.configure(source="snapshot", snapshot=root)
    with pytest.raises(lbtools.SnapshotError, match="train-00000-of-00001.parquet"):
        lbtools.load_aggregate()
    with pytest.raises(lbtools.SnapshotError, match="damaged"):
        lbtools.load_aggregate(columns=["model_name"])


def test_snapshot_info_escapes_control_characters(snapshot_copy, capsys):
    root = snapshot_copy(name="evil\x1b[2J\x1b[31mred", provenance="bell\x07 and\rcarriage",
                         counts={"x\x1b[1m": 1})
    assert cli.main(["snapshot", "info", str(root)]) == cli.EXIT_OK
    out = capsys.readouterr().out
    assert "\x1b" not in out and "\x07" not in out and "\r" not in out
    assert "\\x1b[31mred" in out and "bell\\x07" in out
    assert cli.main(["snapshot", "info", "--json", str(root)]) == cli.EXIT_OK
    out = capsys.readouterr().out
    assert "\x1b" not in out and json.loads(out)["name"] == "evil\x1b[2J\x1b[31mred"
