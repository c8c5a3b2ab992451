"""Exceptions raised by lbtools. Each message says what to do next."""

from __future__ import annotations


class LbtoolsError(Exception):
    """Base class of every error lbtools raises on purpose."""


class GatedBenchmarkError(LbtoolsError):
    """The repository is gated and the request had no token with access to it."""


class NotFoundError(LbtoolsError):
    """The repository does not exist, is private, or has no leaderboard (or is not in the snapshot)."""


class RateLimitedError(LbtoolsError):
    """The Hub kept answering 429; ``wait_seconds`` says how long it asked us to wait."""

    def __init__(self, message: str, wait_seconds: float | None = None):
        super().__init__(message)
        self.wait_seconds = wait_seconds


class HubUnavailableError(LbtoolsError):
    """The Hub could not be reached or kept failing after retries."""


class BadResponseError(LbtoolsError):
    """The Hub answered, but with a body lbtools cannot read (not JSON, wrong shape, too large)."""


class SnapshotError(LbtoolsError):
    """A snapshot folder is missing, incomplete, or of a format this lbtools cannot read."""
