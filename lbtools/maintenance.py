"""Housekeeping of what lbtools keeps on disk."""

from __future__ import annotations


def clear_cache() -> int:
    """Delete every cached Hub response (the Parquet stays in the Hub's own cache); returns the files removed."""
    from .cache import ResponseCache
    from .config import settings

    s = settings()
    if s.cache_dir is None:
        return 0
    return ResponseCache(s.cache_dir, s.cache_ttl).clear()
