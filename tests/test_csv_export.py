"""Every CSV lbtools writes reads back row for row and is safe in a spreadsheet (issue 11, findings 6, 7 and 14).

One writer (``lbtools.write_csv``) serves ``lbtools export`` and the notebooks' exports (``widgets.save``).
"""

from __future__ import annotations

import pandas as pd
import pytest

import lbtools
from lbtools import cli

SWE = "SWE-bench/SWE-bench_Verified"
HOSTILE = {
    "notes": ["line one\rline two", '=HYPERLINK("http://evil.example","click")', "-5", "plain, with \"quotes\"",
              "ends with CR\r", None],
    "source_name": ["+cmd|' /C calc'!A0", "@SUM(1,2)", "\tTab", "\rCR first", "Paper", "-2+3"],
    "filename": [".eval_results/a\r.yaml", "a\nb.yaml", "c\r\nd.yaml", "x.yaml", "=1+1", "y.yaml"],
}


def _board():
    entries = []
    for i in range(6):
        entries.append({
            "rank": i + 1, "modelId": f"org/model-{i}", "value": 50.0 - 10 * i, "verified": bool(i % 2),
            "filename": HOSTILE["filename"][i], "notes": HOSTILE["notes"][i],
            "source": {"url": "https://example.org/paper", "name": HOSTILE["source_name"][i], "isExternal": True},
            "author": {"name": "org", "type": "org"},
        })
    return entries


@pytest.fixture
def hostile_hub(start_hub):
    return start_hub(answers={f"/api/datasets/{SWE}/leaderboard": _board()})


def _expected_text(value):
    if value is None:
        return ""
    if value.startswith(("=", "+", "@", "\t", "\r")) or (value.startswith("-") and value != "-5"):
        return "'" + value
    return value


def test_the_cli_csv_export_reads_back_row_for_row_with_formulas_neutralised(hostile_hub, tmp_path, capsys):
    out = tmp_path / "boards.csv"
    assert cli.main(["export", str(out), "--benchmarks", SWE]) == 0
    back = pd.read_csv(out, keep_default_na=False, dtype=str)
    assert len(back) == 6
    for column, values in HOSTILE.items():
        assert list(back[column]) == [_expected_text(v) for v in values], column
    assert list(back["model_id"]) == [f"org/model-{i}" for i in range(6)]
    # numbers stay numbers
    numbers = pd.read_csv(out)
    assert list(numbers["value"]) == [50.0, 40.0, 30.0, 20.0, 10.0, 0.0]
    assert numbers["rank"].dtype.kind == "i"


def test_the_parquet_export_keeps_every_value_unaltered(hostile_hub, tmp_path):
    out = tmp_path / "boards.parquet"
    assert cli.main(["export", str(out), "--benchmarks", SWE]) == 0
    back = pd.read_parquet(out)
    for column, values in HOSTILE.items():
        assert [None if pd.isna(v) else v for v in back[column]] == values, column


def test_write_csv_keeps_negative_numbers_and_missing_values():
    df = pd.DataFrame({"model_id": ["a/b", "c/d"], "value": pd.array([-1.5, None], dtype="Float64"),
                       "delta": [-3, 4], "notes": pd.array(["-1e3", pd.NA], dtype="string")})
    import io

    buffer = io.StringIO()
    lbtools.write_csv(df, buffer)
    back = pd.read_csv(io.StringIO(buffer.getvalue()))
    assert back["value"].iloc[0] == -1.5 and pd.isna(back["value"].iloc[1])
    assert list(back["delta"]) == [-3, 4]
    assert back["notes"].iloc[0] == -1000.0  # text that is just a number is left as it is


def test_the_notebook_export_uses_the_same_writer(tmp_path):
    from lbtools import widgets

    table = pd.DataFrame({"model_id": ["org/m"], "notes": ["=cmd()\rsecond line"]})
    (path,) = widgets.save(table=table, directory=tmp_path, stem="t")
    back = pd.read_csv(path, dtype=str)
    assert len(back) == 1 and back["notes"].iloc[0] == "'=cmd()\rsecond line"


@pytest.mark.parametrize("name", ["out.xlsx", "out.json", "out.foo", "out"])
def test_an_export_to_an_unknown_extension_is_refused(name, tmp_path, capsys):
    target = tmp_path / name
    assert cli.main(["export", str(target)]) == cli.EXIT_USAGE
    assert not target.exists()
    assert "--format" in capsys.readouterr().err


def test_an_explicit_format_allows_any_name(tmp_path):
    target = tmp_path / "out.txt"
    assert cli.main(["export", str(target), "--format", "csv", "--benchmarks", SWE]) == 0
    assert len(pd.read_csv(target)) == len(lbtools.load_leaderboard(SWE))


def test_a_failed_export_leaves_no_file(tmp_path):
    class Unprintable:
        def __str__(self):
            raise KeyboardInterrupt  # as if Ctrl-C arrived while the rows were written

    df = pd.DataFrame({"model_id": ["org/a", "org/b"], "notes": ["fine", Unprintable()]})
    with pytest.raises(KeyboardInterrupt):
        lbtools.write_csv(df, tmp_path / "out.csv")
    assert list(tmp_path.iterdir()) == []
