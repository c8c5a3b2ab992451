"""Run a call in a thread and fail the test if it is still waiting after a bound (a hang is a failure, not a stuck
suite)."""

from __future__ import annotations

import threading
import warnings


def finishes_within(call, seconds: float) -> dict:
    """``{"value"|"error": ..., "warnings": [...]}`` of ``call()`` run in a daemon thread; an AssertionError if it is
    still running after ``seconds``."""
    outcome: dict = {}

    def run():
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                outcome["value"] = call()
            except BaseException as exc:  # noqa: BLE001 - inspected by the test
                outcome["error"] = exc
        outcome["warnings"] = caught

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(seconds)
    assert not thread.is_alive(), f"the call was still waiting after {seconds:g} s"
    return outcome
