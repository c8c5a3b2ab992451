"""One number format per quantity, shared by the figures (``plots``) and the tables and lines (``widgets``).

Plain functions on numbers; nothing here escapes text (the caller does, for its medium).
"""

from __future__ import annotations

import math

__all__ = ["coefficient", "count", "interval", "parameters", "percentile", "prediction", "resolution", "score", "statistic",
           "verb"]


def _number(v):
    """``float(v)``, or None when ``v`` is missing or not a finite number."""
    if v is None:
        return None
    try:
        f = float(v)
    except (TypeError, ValueError):
        return None
    return f if math.isfinite(f) else None


def _decimals(v: float) -> int:
    """Decimals that show a score as published would be read: up to 4 significant digits, at most 4 decimals."""
    text = f"{round(v, 4):g}"
    return len(text.split(".")[1]) if "." in text and "e" not in text else 0


def score(v) -> str:
    """A score as a reader expects it: ``76.4``, ``0.8234``, ``74``; ``—`` when missing."""
    f = _number(v)
    if f is None:
        return "—" if v is None or not isinstance(v, str) else v
    return f"{round(f, 4):g}"


def interval(low, high, *, like=None, digits: int | None = None) -> str:
    """``"0.04 to 0.80"``: both ends with as many decimals as ``like`` (the point value) is shown with.

    ``digits`` fixes the decimals instead. A missing end gives ``"—"``.
    """
    lo, hi = _number(low), _number(high)
    if lo is None or hi is None:
        return "—"
    if digits is None:
        point = _number(like)
        digits = _decimals(point) if point is not None else builtin_max(_decimals(lo), _decimals(hi))
    return f"{lo:.{digits}f} to {hi:.{digits}f}"


def coefficient(v) -> str:
    """A correlation coefficient with two decimals (``0.94``, ``-0.10``), ``n/a`` when undefined."""
    f = _number(v)
    return "n/a" if f is None else f"{f:.2f}"


def percentile(v) -> str:
    """A percentile on a leaderboard with one decimal everywhere (``95.7``, ``100.0`` for the leader), ``—`` when
    missing."""
    f = _number(v)
    if f is None:
        return "—"
    return f"{min(f, 100.0):.1f}"


def parameters(n) -> str:
    """A parameter count with its unit: ``560M``, ``7B``, ``70.6B``, ``1.06T``; ``—`` when unknown."""
    f = _number(n)
    if f is None or f <= 0:
        return "—"
    for unit, size in (("T", 1e12), ("B", 1e9), ("M", 1e6), ("K", 1e3)):
        if f >= size:
            scaled = f / size
            # three significant digits, but never fewer than one decimal above 100 units: 684.5B and 685.4B differ
            text = f"{scaled:.1f}".removesuffix(".0") if scaled >= 100 else f"{scaled:.3g}"
            return f"{text}{unit}"
    return f"{f:.0f}"


def count(n: int, noun: str, plural: str | None = None) -> str:
    """``"no models"``, ``"1 model"``, ``"3 models"``."""
    n = int(n)
    many = plural or f"{noun}s"
    if n == 0:
        return f"no {many}"
    return f"{n:,} {noun if n == 1 else many}"


def statistic(v, digits: int = 2) -> str:
    """A computed statistic (an index, a residual, a predicted score) with a fixed number of decimals; ``—`` when
    missing. Pick ``digits`` from what its precision supports: 1 for a prediction on 0–100, 2 for an index."""
    f = _number(v)
    return "—" if f is None else f"{f:.{int(digits)}f}"


def prediction(v) -> str:
    """A predicted score on its benchmark's own scale: one decimal on 0–100 (``70.2``, ``84.0``), three on 0–1
    (``0.947``); ``—`` when missing."""
    f = _number(v)
    if f is None:
        return "—"
    return f"{f:.3f}" if abs(f) <= 1.5 else f"{f:.1f}"


def resolution(v) -> str:
    """The smallest score gap a benchmark's items resolve, on its own scale: one decimal from 1 up (``8.3``), two
    significant digits below (``0.06`` on a 0–1 benchmark, never ``0.0``); ``—`` when missing."""
    f = _number(v)
    if f is None:
        return "—"
    return f"{f:.1f}" if abs(f) >= 1 else f"{f:.2g}"


def verb(n: int, one: str, many: str) -> str:
    """``one`` when ``n`` is 1, else ``many``: ``f"{count(n, 'benchmark')} {verb(n, 'is', 'are')} left out"``."""
    return one if int(n) == 1 else many


builtin_max = max
