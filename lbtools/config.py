"""Settings: where data comes from, where it is cached, how long to wait.

Values are read when a loader runs, never at import: ``configure()`` overrides win over environment variables,
which win over the defaults.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from pathlib import Path

SOURCES = ("auto", "hub", "snapshot")
BUNDLED_SNAPSHOT_NAME = "openevals-2026-03-25"
DEFAULT_TIMEOUT = 30.0
DEFAULT_CACHE_TTL = 6 * 3600.0
DEFAULT_MAX_WORKERS = 8

_overrides: dict = {}


@dataclass(frozen=True)
class Settings:
    """The resolved settings a loader runs with."""

    source: str
    snapshot: Path
    endpoint: str
    cache_dir: Path | None
    cache_ttl: float
    timeout: float
    max_workers: int
    offline: bool


def bundled_snapshot() -> Path:
    """Path of the snapshot of real Hub data that ships inside the package."""
    return Path(__file__).parent / "data" / BUNDLED_SNAPSHOT_NAME


def configure(
    *,
    source: str | None = None,
    snapshot: str | os.PathLike | None = None,
    endpoint: str | None = None,
    cache_dir: str | os.PathLike | None = None,
    cache_ttl: float | None = None,
    timeout: float | None = None,
    max_workers: int | None = None,
    reset: bool = False,
) -> Settings:
    """Choose the data source and tune fetching from code (the same knobs as the ``LBTOOLS_*`` variables).

    Parameters
    ----------
    source : {"auto", "hub", "snapshot"}, optional
        ``auto`` (default) uses the Hub and falls back to the snapshot with a warning when the Hub can't be reached;
        ``hub`` never falls back; ``snapshot`` never touches the network. Env: ``LBTOOLS_SOURCE``.
    snapshot : path, optional
        Snapshot folder to read (default: the bundled one). Pin an analysis by pointing this at a saved snapshot.
        Env: ``LBTOOLS_SNAPSHOT``.
    endpoint : str, optional
        Hub URL (default ``HF_ENDPOINT`` or https://huggingface.co).
    cache_dir : path, optional
        Response cache folder (default: the user cache dir; env ``LBTOOLS_CACHE``; ``""`` or ``"off"`` disables it).
    cache_ttl : float, optional
        Seconds a cached response stays fresh (env ``LBTOOLS_CACHE_TTL``, default 6 h).
    timeout : float, optional
        Seconds to wait for any one request (env ``LBTOOLS_TIMEOUT``, default 30).
    max_workers : int, optional
        Requests in flight at most (env ``LBTOOLS_MAX_WORKERS``, default 8).
    reset : bool
        Forget every earlier ``configure`` call first.

    Returns
    -------
    Settings
        The settings now in force.
    """
    if reset:
        _overrides.clear()
    if source is not None:
        _check_source(source, "source")
        _overrides["source"] = source
    if snapshot is not None:
        _overrides["snapshot"] = Path(snapshot)
    if endpoint is not None:
        _overrides["endpoint"] = str(endpoint).rstrip("/")
    if cache_dir is not None:
        _overrides["cache_dir"] = _cache_dir_from(str(cache_dir))
    if cache_ttl is not None:
        _overrides["cache_ttl"] = _positive(cache_ttl, "cache_ttl", allow_zero=True)
    if timeout is not None:
        _overrides["timeout"] = _positive(timeout, "timeout")
    if max_workers is not None:
        _overrides["max_workers"] = _workers(max_workers, "max_workers")
    return settings()


def settings(**per_call) -> Settings:
    """The settings in force now, with per-call values (``None`` meaning "not given") applied last."""
    env = os.environ
    source = _overrides.get("source") or env.get("LBTOOLS_SOURCE") or "auto"
    _check_source(source, "LBTOOLS_SOURCE")
    snapshot = _overrides.get("snapshot") or (Path(env["LBTOOLS_SNAPSHOT"]) if env.get("LBTOOLS_SNAPSHOT") else None)
    endpoint = _overrides.get("endpoint") or env.get("HF_ENDPOINT") or "https://huggingface.co"
    if "cache_dir" in _overrides:
        cache_dir = _overrides["cache_dir"]
    else:
        cache_dir = _cache_dir_from(env.get("LBTOOLS_CACHE"))
    s = Settings(
        source=source,
        snapshot=snapshot or bundled_snapshot(),
        endpoint=endpoint.rstrip("/"),
        cache_dir=cache_dir,
        cache_ttl=_overrides.get("cache_ttl", _env_float("LBTOOLS_CACHE_TTL", DEFAULT_CACHE_TTL, allow_zero=True)),
        timeout=_overrides.get("timeout", _env_float("LBTOOLS_TIMEOUT", DEFAULT_TIMEOUT)),
        max_workers=_overrides.get("max_workers", _env_workers()),
        offline=env.get("HF_HUB_OFFLINE", "").strip().lower() in ("1", "true", "yes", "on"),
    )
    given = {k: v for k, v in per_call.items() if v is not None}
    if "max_workers" in given:
        given["max_workers"] = _workers(given["max_workers"], "max_workers")
    return replace(s, **given)


def _cache_dir_from(value: str | None) -> Path | None:
    if value is None:
        from platformdirs import user_cache_dir

        return Path(user_cache_dir("lbtools"))
    if value.strip().lower() in ("", "off", "none", "0"):
        return None
    return Path(value).expanduser()


def _check_source(value: str, name: str) -> None:
    if value not in SOURCES:
        raise ValueError(f"{name} must be one of {', '.join(SOURCES)}; got {value!r}")


def _positive(value, name: str, allow_zero: bool = False) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"{name} must be a number of seconds; got {type(value).__name__}")
    if value < 0 or (value == 0 and not allow_zero):
        raise ValueError(f"{name} must be {'>= 0' if allow_zero else '> 0'}; got {value!r}")
    return float(value)


def _workers(value, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an int; got {type(value).__name__}")
    if not 1 <= value <= 64:
        raise ValueError(f"{name} must be between 1 and 64; got {value}")
    return value


def _env_float(name: str, default: float, allow_zero: bool = False) -> float:
    raw = os.environ.get(name)
    if raw in (None, ""):
        return default
    try:
        return _positive(float(raw), name, allow_zero=allow_zero)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must be a number of seconds; got {raw!r}") from exc


def _env_workers() -> int:
    raw = os.environ.get("LBTOOLS_MAX_WORKERS")
    if raw in (None, ""):
        return DEFAULT_MAX_WORKERS
    try:
        return _workers(int(raw), "LBTOOLS_MAX_WORKERS")
    except (TypeError, ValueError) as exc:
        raise ValueError(f"LBTOOLS_MAX_WORKERS must be an int between 1 and 64; got {raw!r}") from exc
