"""Analysis of leaderboard frames: pure functions that take and return pandas objects (no network, files or plots).

One module per job, all re-exported here so that ``lbtools.analysis.<name>`` is the public spelling:

- ``tables``: scales and normalisation, the de-duplication rule, score matrices, Pareto frontiers, best-to-date
  curves, rankings and summaries.
- ``correlations``: rank correlations between benchmarks over shared models, bootstrap intervals, the strongest pair
  with an interval that allows for its selection, a clustering order.
- ``capability``: a latent-ability model of the sparse model × benchmark table: a capability index with
  intervals, benchmark difficulty and discrimination, predicted scores with prediction intervals, and their
  validation on held-out published cells.
- ``ranks``: rank intervals (each model's, or simultaneous sets for all ranks), tiers from the simultaneous sets,
  the leader's headline and the resolvable gap of one leaderboard from its published scores (``n_items=`` passed in).
- ``trust``: a trust audit: each entry's provenance, the gap between self-reported and independent scores, scores
  well above what a model's other scores predict (flagged at a false discovery rate), selective reporting.
"""

from __future__ import annotations

from .capability import (
    CapabilityFit,
    CapabilityValidation,
    benchmark_parameters,
    capability_index,
    cross_fit_predictions,
    fit_capability,
    predict_scores,
    validate_predictions,
)
from .correlations import (
    CORRELATION_METHODS,
    HEADLINE_MIN_MODELS,
    MIN_OVERLAP_FLOOR,
    WEAK_BELOW,
    CorrelationCI,
    Correlations,
    StrongestPair,
    benchmark_correlations,
    bootstrap_ci,
    cluster_order,
    correlation_coefficient,
    correlation_table,
    strongest_pair,
)
from .tables import (
    DEDUPE_RULE,
    DEDUPE_RULES,
    add_normalised,
    benchmark_scales,
    benchmark_summary,
    best_to_date,
    dedupe,
    dedupe_results,
    detect_scale,
    model_ranks,
    organisation,
    parameter_counts,
    pareto_frontier,
    ranking_as_of,
    rescaled,
    scores_matrix,
    top_n,
)
from .ranks import MAX_ITEMS, leader_summary, rank_intervals, resolution, resolution_table, tie_summary
from .trust import PROVENANCES, flag_outliers, provenance, selective_reporting, self_report_gap

__all__ = [
    "CapabilityFit",
    "CapabilityValidation",
    "cross_fit_predictions",
    "fit_capability",
    "CORRELATION_METHODS",
    "CorrelationCI",
    "Correlations",
    "DEDUPE_RULE",
    "DEDUPE_RULES",
    "HEADLINE_MIN_MODELS",
    "MAX_ITEMS",
    "StrongestPair",
    "MIN_OVERLAP_FLOOR",
    "PROVENANCES",
    "WEAK_BELOW",
    "add_normalised",
    "benchmark_parameters",
    "benchmark_correlations",
    "benchmark_scales",
    "benchmark_summary",
    "best_to_date",
    "bootstrap_ci",
    "capability_index",
    "cluster_order",
    "correlation_coefficient",
    "correlation_table",
    "dedupe",
    "dedupe_results",
    "detect_scale",
    "flag_outliers",
    "leader_summary",
    "model_ranks",
    "organisation",
    "parameter_counts",
    "pareto_frontier",
    "predict_scores",
    "provenance",
    "rank_intervals",
    "ranking_as_of",
    "rescaled",
    "resolution",
    "resolution_table",
    "scores_matrix",
    "selective_reporting",
    "self_report_gap",
    "strongest_pair",
    "tie_summary",
    "top_n",
    "validate_predictions",
]
