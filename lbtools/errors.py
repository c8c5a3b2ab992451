"""Exceptions and warnings of lbtools. Each message says what to do next.

Every exception also derives from the standard exception a researcher would reach for (``except ConnectionError``
catches a Hub that can't be reached, ``except LookupError`` a missing benchmark), and every warning is an
:class:`LbtoolsWarning`, so ``warnings.filterwarnings("ignore", category=lbtools.DataRepairedWarning)`` silences one
kind and keeps the others. No message lbtools builds ever shows a token: anything that looks like one is masked.
"""

from __future__ import annotations

import inspect
import os
import re
import warnings

# Hub tokens and any bearer credential, however they got into a text. A token is ``hf_`` or ``api_org_`` (lower
# case, as the Hub issues them) and a run of letters and digits that ends the word: not ``HF_ENDPOINT`` (an
# environment variable), not ``hf_internal_testing/tiny`` or ``hf_tokenizer_x`` (ids and names go on with ``_`` or
# ``/``).
_SECRET = re.compile(r"\b((?i:bearer)\s+)[^\s,;'\")]+|\b(hf|api_org)_[A-Za-z0-9]{8,}(?![A-Za-z0-9_/])")


def mask_secrets(text) -> str:
    """``text`` with anything token-like (``hf_…``, ``api_org_…``, ``Bearer …``) replaced by ``***``."""

    def replace(match: re.Match) -> str:
        if match.group(1):
            return f"{match.group(1)}***"
        return f"{match.group(2)}_***"

    return _SECRET.sub(replace, str(text))


class LbtoolsError(Exception):
    """Base class of every error lbtools raises on purpose. Its message never holds a token."""

    def __init__(self, message: str = "", *args):
        super().__init__(mask_secrets(message), *args)


class HubUnavailableError(LbtoolsError, ConnectionError):
    """The Hub could not be reached, answered with something that is not the Hub's, or kept failing after retries."""

    def __init__(self, message: str = ""):
        # One argument only: OSError would read a second one as an errno.
        LbtoolsError.__init__(self, message)


class RateLimitedError(LbtoolsError, ConnectionError):
    """The Hub kept answering 429; ``wait_seconds`` says how long it asked us to wait (``None``: it did not say)."""

    def __init__(self, message: str = "", wait_seconds: float | None = None):
        LbtoolsError.__init__(self, message)
        self.wait_seconds = wait_seconds

    def __reduce__(self):
        return type(self), (str(self), self.wait_seconds)


class GatedBenchmarkError(LbtoolsError, PermissionError):
    """The repository is gated and the request had no token with access to it: accept its conditions and log in."""

    def __init__(self, message: str = ""):
        LbtoolsError.__init__(self, message)


class AccessDeniedError(LbtoolsError, PermissionError):
    """The Hub refused the request's credentials: the token is invalid, expired, or not allowed to read this."""

    def __init__(self, message: str = ""):
        LbtoolsError.__init__(self, message)


class NotFoundError(LbtoolsError, LookupError):
    """The repository does not exist or is private (or it is not in the snapshot)."""


class BadResponseError(LbtoolsError, ValueError):
    """The Hub answered, but with a body lbtools cannot read (not JSON, wrong shape, too large)."""


class SnapshotError(LbtoolsError, ValueError):
    """A snapshot folder is missing, damaged, or of a format this lbtools cannot read; the message names the part."""


class LbtoolsWarning(UserWarning):
    """Base class of every warning lbtools issues."""


class DataRepairedWarning(LbtoolsWarning):
    """Some published values could not be used as they are: they were repaired or their records skipped (said how)."""


class PartialLoadWarning(LbtoolsWarning):
    """Some of the items asked for failed to load and are left out; ``df.attrs["failures"]`` says why for each."""


class AnalysisWarning(LbtoolsWarning):
    """An analysis left rows out or chose between them (one entry per model, no value, too few shared models): which
    rows and why."""


class SourceFallbackWarning(LbtoolsWarning):
    """``LBTOOLS_SOURCE=auto`` could not use the Hub and read the snapshot instead (said which, and as of when)."""


class CacheWarning(LbtoolsWarning, RuntimeWarning):
    """The response cache could not be read or written, or held a damaged file; loading went on without it."""


def warn(message: str, category: type[Warning], stacklevel: int = 2) -> None:
    """``warnings.warn`` with tokens masked; ``stacklevel`` counts from the caller of this function."""
    warnings.warn(mask_secrets(message), category, stacklevel=stacklevel + 1)


_PACKAGE = os.path.dirname(os.path.abspath(__file__)) + os.sep


def user_stacklevel() -> int:
    """The ``stacklevel`` that points a warning at the first frame outside lbtools (the researcher's line), however
    deep inside the package it is raised: through decorators, wrappers and bound views alike (pandas finds its
    ``find_stack_level`` the same way). Pass it as ``warnings.warn(..., stacklevel=user_stacklevel())``."""
    frame, level = inspect.currentframe().f_back, 1  # the function calling warnings.warn is level 1
    while frame is not None and frame.f_code.co_filename.startswith(_PACKAGE):
        frame, level = frame.f_back, level + 1
    return level
