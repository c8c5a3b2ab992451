"""Analysis of leaderboard frames: pure functions that take and return pandas objects (no network, files or plots).

One module per job, all re-exported here so that ``lbtools.analysis.<name>`` is the public spelling:

- ``tables``: scales and normalisation, the de-duplication rule, score matrices, correlations, Pareto frontiers,
  best-to-date curves, rankings and summaries.
- ``ranks``: rank intervals, tiers and the resolvable gap of one leaderboard from its published scores.
"""

from __future__ import annotations

from .tables import (
    CORRELATION_METHODS,
    DEDUPE_RULES,
    add_normalised,
    benchmark_correlations,
    benchmark_summary,
    best_to_date,
    bootstrap_ci,
    cluster_order,
    correlation_coefficient,
    correlation_table,
    dedupe_results,
    detect_scale,
    model_ranks,
    organisation,
    pareto_frontier,
    ranking_as_of,
    scores_matrix,
    top_n,
)
from .ranks import rank_intervals, resolution, resolution_table, tie_summary

__all__ = [
    "CORRELATION_METHODS",
    "DEDUPE_RULES",
    "add_normalised",
    "benchmark_correlations",
    "benchmark_summary",
    "best_to_date",
    "bootstrap_ci",
    "cluster_order",
    "correlation_coefficient",
    "correlation_table",
    "dedupe_results",
    "detect_scale",
    "model_ranks",
    "organisation",
    "pareto_frontier",
    "rank_intervals",
    "ranking_as_of",
    "resolution",
    "resolution_table",
    "scores_matrix",
    "tie_summary",
    "top_n",
]
