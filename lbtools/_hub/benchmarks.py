"""The declarative benchmark table: dataset id → readable name, and which aggregate column holds its scores."""

from __future__ import annotations

import csv
from functools import lru_cache
from pathlib import Path

TABLE = Path(__file__).parent.parent / "data" / "benchmarks.csv"


@lru_cache(maxsize=1)
def _rows() -> tuple[dict, ...]:
    with TABLE.open(newline="", encoding="utf-8") as fh:
        return tuple(csv.DictReader(fh))


def display_names() -> dict[str, str]:
    """``{dataset_id: readable name}`` for the benchmarks lbtools knows by name."""
    return {row["dataset_id"]: row["display_name"] for row in _rows() if row["display_name"]}


def display_name(dataset_id: str) -> str:
    """A readable name for a benchmark: the table's, else the part of the id after the slash."""
    return display_names().get(dataset_id) or dataset_id.split("/")[-1]


def aggregate_columns() -> dict[str, str]:
    """``{aggregate *_score column: dataset_id}`` for ``OpenEvals/leaderboard-data``."""
    return {row["openevals_column"]: row["dataset_id"] for row in _rows() if row["openevals_column"]}
