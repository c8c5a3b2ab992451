"""Settings: where data comes from, where it is cached, how long to wait.

Values are read when a loader runs, never at import: ``configure()`` overrides win over environment variables,
which win over the defaults.
"""

from __future__ import annotations

import math
import os
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

SOURCES = ("auto", "hub", "snapshot")
BUNDLED_SNAPSHOT_NAME = "openevals-2026-03-25"
DEFAULT_TIMEOUT = 30.0
DEFAULT_CACHE_TTL = 6 * 3600.0
DEFAULT_MAX_WORKERS = 8
MAX_TIMEOUT = 3600.0  # an hour for one request: past it a value is a typo (1e308), not a slow network
MAX_CACHE_TTL = 365 * 86400.0

_overrides: dict = {}
_generation = 0  # configure() calls so far: what a load remembers between loads is forgotten at each


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

    Every call also forgets which endpoints answered ``auto``'s probe (remembered for 5 minutes otherwise), so the
    next ``auto`` load asks again: after the network came back, ``lbtools.configure()`` is enough.

    Returns
    -------
    Settings
        The settings now in force.

    Raises
    ------
    ValueError, TypeError
        Naming the setting that is wrong (a timeout of NaN, ``inf`` or ``1e308``, a path that is not a path, ...);
        nothing is changed then.
    """
    # Everything is checked before anything is set: a bad argument leaves the settings as they were.
    given = {}
    if source is not None:
        _check_source(source, "source")
        given["source"] = source
    if snapshot is not None:
        given["snapshot"] = Path(_path_like(snapshot, "snapshot"))
    if endpoint is not None:
        given["endpoint"] = _check_endpoint(endpoint, "endpoint")
    if cache_dir is not None:
        given["cache_dir"] = _cache_dir_from(_path_like(cache_dir, "cache_dir"))
    if cache_ttl is not None:
        given["cache_ttl"] = _seconds(cache_ttl, "cache_ttl", allow_zero=True, upper=MAX_CACHE_TTL)
    if timeout is not None:
        given["timeout"] = _seconds(timeout, "timeout", upper=MAX_TIMEOUT)
    if max_workers is not None:
        given["max_workers"] = _workers(max_workers, "max_workers")
    if not isinstance(reset, bool):
        raise TypeError(f"reset must be True or False; got {type(reset).__name__}")
    global _generation
    if reset:
        _overrides.clear()
    _overrides.update(given)
    _generation += 1
    return settings()


def generation() -> int:
    """How many times ``configure`` was called: ``auto``'s probe outcomes are remembered within one generation."""
    return _generation


@contextmanager
def restored():
    """Within this block ``configure`` may be called freely: the ``configure`` settings before it are back after."""
    saved = dict(_overrides)
    try:
        yield
    finally:
        _overrides.clear()
        _overrides.update(saved)


def settings(**per_call) -> Settings:
    """The settings in force now, with per-call values (``None`` meaning "not given") applied last."""
    env = os.environ
    source = _overrides.get("source") or env.get("LBTOOLS_SOURCE") or "auto"
    _check_source(source, "LBTOOLS_SOURCE")
    snapshot = _overrides.get("snapshot") or (Path(env["LBTOOLS_SNAPSHOT"]) if env.get("LBTOOLS_SNAPSHOT") else None)
    endpoint = _overrides.get("endpoint") or _check_endpoint(env.get("HF_ENDPOINT") or "https://huggingface.co",
                                                             "HF_ENDPOINT")
    if "cache_dir" in _overrides:
        cache_dir = _overrides["cache_dir"]
    else:
        cache_dir = _cache_dir_from(env.get("LBTOOLS_CACHE"))
    s = Settings(
        source=source,
        snapshot=snapshot or bundled_snapshot(),
        endpoint=endpoint.rstrip("/"),
        cache_dir=cache_dir,
        cache_ttl=_overrides.get(
            "cache_ttl", _env_float("LBTOOLS_CACHE_TTL", DEFAULT_CACHE_TTL, allow_zero=True, upper=MAX_CACHE_TTL)
        ),
        timeout=_overrides.get("timeout", _env_float("LBTOOLS_TIMEOUT", DEFAULT_TIMEOUT, upper=MAX_TIMEOUT)),
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


def _seconds(value, name: str, *, allow_zero: bool = False, upper: float) -> float:
    """A finite number of seconds within ``(0 or [0, upper]``; NaN, infinities and absurd values are refused."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"{name} must be a number of seconds; got {type(value).__name__}")
    try:
        number = float(value)
    except OverflowError:
        number = math.inf
    if math.isnan(number) or not (0 <= number <= upper) or (number == 0 and not allow_zero):
        low = ">= 0" if allow_zero else "> 0"
        raise ValueError(f"{name} must be a finite number of seconds, {low} and at most {upper:g}; got {value!r}")
    return number


def _path_like(value, name: str) -> str:
    if isinstance(value, bool) or not isinstance(value, (str, os.PathLike)):
        raise TypeError(f"{name} must be a path (str or os.PathLike); got {type(value).__name__}")
    return os.fspath(value)


def _check_endpoint(value, name: str) -> str:
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a URL string; got {type(value).__name__}")
    text = value.strip().rstrip("/")
    if not text.lower().startswith(("http://", "https://")) or any(c.isspace() or ord(c) < 32 for c in text):
        raise ValueError(f"{name} must be an http(s) URL such as https://huggingface.co; got {value!r}")
    return text


class Token:
    """A Hub token held so that no repr, str or traceback with locals shows it: ``***``. ``reveal()`` gives it."""

    __slots__ = ("_value",)

    def __init__(self, value: str):
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "***"

    __str__ = __repr__

    def __reduce__(self):
        raise TypeError("a token is not pickled")

    @staticmethod
    def wrap(token):
        """``token`` as handed to a loader, with a string wrapped (nothing checked yet: that can't fail here)."""
        return Token(token) if isinstance(token, str) else token


def check_token(token):
    """The token to send: ``None`` (the login or ``HF_TOKEN``), ``False`` (none) or a cleaned :class:`Token`.

    Surrounding whitespace (a newline read from a file) is removed. A token that is empty, holds spaces or control
    characters, or is not text is refused here, before any request, by a message that never repeats it.
    """
    token = Token.wrap(token)
    if token is None or token is False:
        return token
    if not isinstance(token, Token) or not isinstance(token.reveal(), str):
        raise TypeError(
            f"token must be a string, False (send none) or None (use HF_TOKEN or `hf auth login`); got "
            f"{type(token).__name__}"
        )
    token = Token(token.reveal().strip())
    if not token.reveal():
        raise ValueError("token is empty; pass token=None to use HF_TOKEN or the login, or token=False for none")
    if (not token.reveal().isascii() or not token.reveal().isprintable()
            or any(c.isspace() for c in token.reveal())):
        raise ValueError(
            "token holds spaces, control or non-ASCII characters, so it can't be a Hub token (its value is not "
            "shown); copy it again from https://huggingface.co/settings/tokens"
        )
    return token


def _workers(value, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an int; got {type(value).__name__}")
    if not 1 <= value <= 64:
        raise ValueError(f"{name} must be between 1 and 64; got {value}")
    return value


def _env_float(name: str, default: float, *, allow_zero: bool = False, upper: float) -> float:
    raw = os.environ.get(name)
    if raw is None or not raw.strip():
        return default
    try:
        number = float(raw)
    except ValueError:
        raise ValueError(f"{name} must be a number of seconds; got {raw!r}") from None
    return _seconds(number, name, allow_zero=allow_zero, upper=upper)


def _env_workers() -> int:
    raw = os.environ.get("LBTOOLS_MAX_WORKERS")
    if raw in (None, ""):
        return DEFAULT_MAX_WORKERS
    try:
        return _workers(int(raw), "LBTOOLS_MAX_WORKERS")
    except (TypeError, ValueError) as exc:
        raise ValueError(f"LBTOOLS_MAX_WORKERS must be an int between 1 and 64; got {raw!r}") from exc
