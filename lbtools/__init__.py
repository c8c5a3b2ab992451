"""lbtools: the Hugging Face Hub's benchmark leaderboard data as tidy pandas DataFrames.

Importing is cheap: pandas, huggingface_hub and the plotting stack load when a function first needs them.
"""

from __future__ import annotations

__version__ = "0.1.0"

_EXPORTS = {
    "list_benchmarks": "lbtools.loaders",
    "load_leaderboard": "lbtools.loaders",
    "load_leaderboards": "lbtools.loaders",
    "load_eval_results": "lbtools.loaders",
    "load_model_info": "lbtools.loaders",
    "enrich": "lbtools.loaders",
    "load_aggregate": "lbtools.loaders",
    "aggregate_to_long": "lbtools.loaders",
    "benchmark_sizes": "lbtools.loaders",
    "configure": "lbtools.config",
    "settings": "lbtools.config",
    "bundled_snapshot": "lbtools.config",
    "clear_cache": "lbtools._hub.cache",
    "save_snapshot": "lbtools.snapshot",
    "snapshot_info": "lbtools.snapshot",
    "display_name": "lbtools._hub.benchmarks",
    "LbtoolsError": "lbtools.errors",
    "GatedBenchmarkError": "lbtools.errors",
    "NotFoundError": "lbtools.errors",
    "RateLimitedError": "lbtools.errors",
    "HubUnavailableError": "lbtools.errors",
    "BadResponseError": "lbtools.errors",
    "SnapshotError": "lbtools.errors",
}

__all__ = sorted(_EXPORTS) + ["__version__"]


def __getattr__(name: str):
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'lbtools' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__():
    return __all__
