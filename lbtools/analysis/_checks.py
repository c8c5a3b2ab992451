"""Argument checks and small helpers shared by the analysis modules and the plots.

Each check raises a ``ValueError``/``TypeError`` that names the function and the argument, so a researcher reads
what to change (``rank_intervals: level must be a probability strictly between 0 and 1, e.g. 0.95; got 95``).
"""

from __future__ import annotations

import copy
import functools
import warnings
from collections.abc import Iterable

import numpy as np
import pandas as pd

from .._format import count


def _keep_attrs(out, source):
    """Copy ``source.attrs`` onto ``out`` (pandas drops them in some reshapes) and return ``out``."""
    out.attrs = copy.deepcopy(dict(source.attrs))
    return out


def require_columns(data: pd.DataFrame, columns: Iterable[str], func: str, *, name: str = "data") -> None:
    """A ValueError naming ``func``, the argument ``name`` and the columns it lacks (shared by the analysis modules
    and the plots)."""
    from .._tables import is_aggregate_frame

    missing = [c for c in columns if c not in data.columns]
    if missing:
        if is_aggregate_frame(data):
            how = (f"; {name} is load_aggregate()'s wide frame (one row per model): lbtools.aggregate_to_long({name}) "
                   "gives the long one, one row per (model, benchmark)")
        elif "created_at" in missing and "model_id" in data.columns:
            how = f"; add the models' creation dates with lbtools.enrich({name})"
        else:
            how = ""
        raise ValueError(
            f"{func}: {name} has no column {', '.join(repr(c) for c in missing)} "
            f"(columns are: {', '.join(map(str, data.columns))}){how}"
        )


def check_probability(value, name: str = "level", func: str | None = None) -> float:
    """``value`` as a float strictly between 0 and 1, else a ValueError naming the argument (and ``func``)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value < 1:
        where = f"{func}: " if func else ""
        raise ValueError(f"{where}{name} must be a probability strictly between 0 and 1, e.g. 0.95; got {value!r}")
    return float(value)


def check_whole(value, name: str, func: str, minimum: int = 1) -> int:
    """``value`` as an int of at least ``minimum``: a TypeError naming the argument for anything but a whole number
    (``2.7`` or ``"3"`` are not silently read as 2 or 3), a ValueError below ``minimum``."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{func}: {name} must be a whole number; got {value!r} ({type(value).__name__})")
    if value < minimum:
        raise ValueError(f"{func}: {name} must be at least {minimum}; got {name}={value!r}")
    return int(value)


def renamed_keywords(**old_to_new):
    """A decorator: the old keyword names of a function (``seed=``, ``ci=``, ``df=``, ``long=`` …) keep working for
    one release, each with a ``FutureWarning`` naming the new one (shared by the analysis modules).

    ``@renamed_keywords(seed="rng", ci="level")`` maps ``f(seed=3)`` to ``f(rng=3)``; passing both names is a
    TypeError.
    """
    def wrap(func):
        @functools.wraps(func)
        def inner(*args, **kwargs):
            for old, new in old_to_new.items():
                if old in kwargs:
                    if new in kwargs:
                        raise TypeError(f"{func.__name__}: pass {new}= only ({old}= is its old name)")
                    warnings.warn(f"{func.__name__}: {old}= is now {new}=; the old name will be removed in the next "
                                  "release", FutureWarning, stacklevel=2)
                    kwargs[new] = kwargs.pop(old)
            return func(*args, **kwargs)

        return inner

    return wrap


def as_generator(rng, func: str | None = None) -> np.random.Generator:
    """A ``numpy.random.Generator`` from ``rng`` (Scientific Python SPEC 7): an int or None seeds a new one, a
    Generator is used as it is (so consecutive calls continue its stream). Anything else is a TypeError."""
    if isinstance(rng, np.random.Generator):
        return rng
    where = f"{func}: " if func else ""
    if rng is None or (isinstance(rng, (int, np.integer)) and not isinstance(rng, bool)):
        if rng is not None and rng < 0:
            raise ValueError(f"{where}rng must be a seed of 0 or more (or a numpy.random.Generator); got rng={rng}")
        return np.random.default_rng(rng)
    raise TypeError(f"{where}rng must be an int, None or a numpy.random.Generator; got {type(rng).__name__}")


def refuse_non_finite(values: np.ndarray, labels, func: str, what: str = "value") -> None:
    """A ValueError naming the rows whose ``what`` is infinite (NaN means missing and is handled by the caller):
    analysis never ranks, correlates or averages an infinite score (the loaders repair them with a warning)."""
    bad = np.isinf(values)
    if bad.any():
        named = ", ".join(str(label) for label in np.asarray(labels, dtype=object)[bad][:10])
        raise ValueError(f"{func}: {count(int(bad.sum()), f'infinite {what}')} ({named}); an infinite score is not a "
                         "measurement: drop or repair those rows first (the loaders do, with a DataRepairedWarning)")


def _as_float(values) -> np.ndarray:
    """A float64 numpy array with NaN for every missing value (NA, None, NaN)."""
    if isinstance(values, pd.Series):
        s = values
    elif not hasattr(values, "__len__"):
        s = pd.Series(list(values) if hasattr(values, "__iter__") else [values])
    else:
        s = pd.Series(values if np.ndim(values) else [values])
    s = pd.to_numeric(s, errors="raise")
    return s.to_numpy(dtype="float64", na_value=np.nan)


def _names(items, limit: int = 20) -> str:
    items = [str(i) for i in items]
    shown = ", ".join(items[:limit])
    return shown + (f", … ({len(items) - limit} more)" if len(items) > limit else "")
