"""lbtools: the Hugging Face Hub's benchmark leaderboard data as tidy pandas DataFrames.

Loaders (live Hub, cache or snapshot, see ``configure``): ``list_benchmarks``, ``load_leaderboard``,
``load_leaderboards``, ``load_eval_results``, ``load_model_info``, ``enrich``, ``load_aggregate``,
``aggregate_to_long``. Snapshots and exports: ``save_snapshot``, ``snapshot_info``, ``verify_snapshot``,
``write_csv``. Analysis, plots and notebook widgets live in the submodules ``lbtools.analysis``, ``lbtools.plots`` and
``lbtools.widgets``.

Errors derive from standard exceptions (``HubUnavailableError`` is a ``ConnectionError``, ``NotFoundError`` a
``LookupError``, ...) and warnings from ``LbtoolsWarning``, so both can be caught or filtered by kind.
"""

from __future__ import annotations

__version__ = "0.1.0"

from ._tables import display_name
from ._hub.cache import clear_cache
from .config import Settings, bundled_snapshot, configure, settings
from .errors import (
    AccessDeniedError,
    AnalysisWarning,
    BadResponseError,
    CacheWarning,
    DataRepairedWarning,
    GatedBenchmarkError,
    HubUnavailableError,
    LbtoolsError,
    LbtoolsWarning,
    NotFoundError,
    PartialLoadWarning,
    RateLimitedError,
    SnapshotError,
    SourceFallbackWarning,
)
from .loaders import (
    aggregate_to_long,
    benchmark_sizes,
    enrich,
    list_benchmarks,
    load_aggregate,
    load_eval_results,
    load_leaderboard,
    load_leaderboards,
    load_model_info,
)
from .snapshot import save_snapshot, snapshot_info, verify_snapshot, write_csv

__all__ = [
    # loaders
    "list_benchmarks",
    "load_leaderboard",
    "load_leaderboards",
    "load_eval_results",
    "load_model_info",
    "enrich",
    "load_aggregate",
    "aggregate_to_long",
    "benchmark_sizes",
    "display_name",
    # settings, cache
    "configure",
    "settings",
    "Settings",
    "bundled_snapshot",
    "clear_cache",
    # snapshots and exports
    "save_snapshot",
    "snapshot_info",
    "verify_snapshot",
    "write_csv",
    # errors
    "LbtoolsError",
    "HubUnavailableError",
    "RateLimitedError",
    "AccessDeniedError",
    "GatedBenchmarkError",
    "NotFoundError",
    "BadResponseError",
    "SnapshotError",
    # warnings
    "LbtoolsWarning",
    "DataRepairedWarning",
    "PartialLoadWarning",
    "SourceFallbackWarning",
    "CacheWarning",
    "AnalysisWarning",
    "__version__",
]
