"""lbtools' own tables, read from the package's CSV files (no network): benchmark names and the aggregate's score
columns (``lbtools/data/benchmarks.csv``), and benchmark item counts (``lbtools/data/benchmark_sizes.csv``, one
provenance URL per row)."""

from __future__ import annotations

import csv
from functools import lru_cache
from pathlib import Path

DATA = Path(__file__).parent / "data"


@lru_cache(maxsize=None)
def _rows(name: str) -> tuple[dict, ...]:
    with (DATA / name).open(newline="", encoding="utf-8") as fh:
        return tuple(csv.DictReader(fh))


def display_names() -> dict[str, str]:
    """``{dataset_id: readable name}`` for the benchmarks lbtools knows by name."""
    return {row["dataset_id"]: row["display_name"] for row in _rows("benchmarks.csv") if row["display_name"]}


def display_name(dataset_id: str) -> str:
    """A readable name for a benchmark: the table's, else the part of the id after the slash."""
    return display_names().get(dataset_id) or dataset_id.split("/")[-1]


def aggregate_columns() -> dict[str, str]:
    """``{aggregate *_score column: dataset_id}`` for ``OpenEvals/leaderboard-data``."""
    return {row["openevals_column"]: row["dataset_id"] for row in _rows("benchmarks.csv") if row["openevals_column"]}


def is_aggregate_frame(df) -> bool:
    """Whether ``df`` looks like :func:`lbtools.load_aggregate`'s wide frame (one row per model, its ``model_id`` a
    slug, one ``*_score`` column per benchmark) rather than a loader's long one."""
    columns = set(map(str, df.columns))
    return "model_name" in columns and "dataset_id" not in columns and bool(columns & set(aggregate_columns()))


@lru_cache(maxsize=1)
def item_count_rows() -> tuple[dict, ...]:
    """The rows of lbtools' item-count table, in file order (``dataset_id, task_id, n_items, provenance, note``)."""
    return tuple({**row, "task_id": row["task_id"] or None, "n_items": int(row["n_items"]) if row["n_items"] else None}
                 for row in _rows("benchmark_sizes.csv"))
