"""``make validate``'s inference part (benchmarks/validate_inference.py) on small tables with a known truth.

The real tables live outside the repository (``../shared/data/external``); here the script reads tables of the same
format written to a temporary folder, so a change in the analysis API that breaks ``make validate`` fails a test.
"""

from __future__ import annotations

import gzip
import importlib.util
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

SCRIPT = Path(__file__).resolve().parents[1] / "benchmarks" / "validate_inference.py"


@pytest.fixture(scope="module")
def script():
    spec = importlib.util.spec_from_file_location("validate_inference", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _write_external(root: Path) -> None:
    gen = np.random.default_rng(7)
    arena = root / "eval_arena" / "raw"
    arena.mkdir(parents=True)
    accuracy = np.linspace(0.9, 0.3, 8)  # 8 models well apart
    with gzip.open(arena / "toy.jsonl.gz", "wt", encoding="utf-8") as f:
        for m, p in enumerate(accuracy):
            for item in range(300):
                row = {"benchmark_id": "toy", "model": f"model-{m}", "example_id": f"q{item}",
                       "pass1": float(gen.random() < p)}
                f.write(json.dumps(row) + "\n")
    obsscaling = root / "obsscaling" / "raw"
    obsscaling.mkdir(parents=True)
    columns = ["MMLU", "ARC-C", "HellaSwag", "Winograd", "TruthfulQA", "GSM8K", "XWinograd", "HumanEval"]
    ability = gen.normal(size=120)
    scores = {c: ability + gen.normal(scale=0.5 + i / 4, size=120) for i, c in enumerate(columns)}
    pd.DataFrame({"Model": [f"m{i}" for i in range(120)], **scores}).to_csv(
        obsscaling / "base_llm_benchmark_eval.csv", index=False)


def test_validate_inference_runs_on_tables_of_the_real_format(script, tmp_path, capsys):
    _write_external(tmp_path)
    assert script.main(["--external", str(tmp_path), "--draws", "6"]) == 0
    out = capsys.readouterr().out
    # 8 models 8 points apart on 300 items: every interval holds, and the leader is always in tier 1
    assert "| toy | 8 | 300 | 1.000 | 1.000 | 1.000 |" in out
    assert "PASS: each model's interval holds its true rank" in out
    assert "PASS: the simultaneous sets hold every true rank at once" in out
    assert "## Correlation intervals on ObsScaling's base-model table" in out
    assert "| 10 | 120 | 28 |" in out and "| 25 | 120 | 28 |" in out


def test_validate_inference_says_where_it_looked_when_the_tables_are_absent(script, tmp_path, capsys):
    assert script.main(["--external", str(tmp_path / "nowhere")]) == 2
    assert "nothing to validate" in capsys.readouterr().out
