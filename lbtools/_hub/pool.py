"""Fetching many answers at once: ``fan_out`` runs one task per key in a thread pool made for the load, and
``run_bounded`` runs one call that way; the task a worker thread works for (``current_task``) tells the client when
the load was cancelled and how long an attempt may take."""

from __future__ import annotations

import contextvars
import os
import sys
import threading
import time
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from contextlib import contextmanager

from ..errors import HubUnavailableError, LbtoolsError, mask_secrets

_POLL_S = 0.1  # how long the caller's thread waits for the pool between looks at overdue attempts

# The fan-out task this thread works for (``Task``): where an attempt says when it started, and how a cancelled load
# stops its waits. ``None`` outside a fan-out.
current_task: contextvars.ContextVar = contextvars.ContextVar("lbtools_task", default=None)


class NotCached(Exception):
    """Raised in a cache-only pass (``fan_out``): the answer must be fetched by the pool."""


class Cancelled(Exception):
    """The load this request belongs to was abandoned (Ctrl-C in the caller's thread)."""


def progress_enabled(progress) -> bool:
    if progress is not None:
        return bool(progress)
    flags = (os.environ.get("HF_HUB_DISABLE_PROGRESS_BARS", ""), os.environ.get("TQDM_DISABLE", ""))
    if any(f.strip().lower() in ("1", "true", "yes", "on") for f in flags):
        return False
    return "ipykernel" in sys.modules or bool(getattr(sys.stderr, "isatty", lambda: False)())


class Task:
    """One key of a fan-out, as the client sees it (``current_task``): whether the load was cancelled,
    whether only answers at hand may be used, and when the attempt now running started and how long it may take."""

    def __init__(self, cancelled: threading.Event, cache_only: bool = False):
        self.cancelled, self.cache_only = cancelled, cache_only
        self.running: tuple[float, float, str] | None = None  # (started, limit, message)

    @contextmanager
    def attempt(self, limit: float, message: str):
        self.running = (time.monotonic(), limit, message)
        try:
            yield
        finally:
            self.running = None

    def overdue(self, now: float) -> str | None:
        running = self.running
        return running[2] if running is not None and now - running[0] > running[1] else None


def run_bounded(call):
    """``call()`` in a worker thread, waited for by this one: interruptible, and bounded by the attempt deadlines
    (``Task.attempt``) the client sets."""
    results, _ = fan_out(lambda _: call(), [0], max_workers=1, errors="raise", progress=False, desc="",
                         at_hand=False)
    return results[0]


def fan_out(task, keys: list, *, max_workers: int, errors: str, progress, desc: str, at_hand: bool = True):
    """Run ``task(key)`` for every key; returns ``({key: result}, {key: one-line reason})``.

    Each key is first tried in this thread with only what is at hand (the response cache, a snapshot's files); a key
    that needs a request (``NotCached``) goes at once to a ``ThreadPoolExecutor`` of ``max_workers`` threads made for
    this call and ended with it, while the next keys are looked up. One failure never sinks the others
    (``errors="warn"``); with ``errors="raise"`` the first one is raised. This thread waits in short steps: Ctrl-C
    stops it at once (work not started is cancelled, requests in
    flight stop at their next wait, within their timeout), and an attempt past its deadline without an answer is
    given up here (its thread ends when the server lets go, or at its read timeout).
    """
    results, failures, bar = {}, {}, None
    if progress_enabled(progress) and len(keys) > 1:
        from tqdm.auto import tqdm

        bar = tqdm(total=len(keys), desc=desc, unit="req", leave=False)

    def done(key, value=None, exc=None):
        if exc is None:
            results[key] = value
        elif errors == "raise" or not isinstance(exc, Exception):
            raise exc
        else:
            failures[key] = one_line(exc)
        if bar is not None:
            bar.update(1)

    def to_fetch(cancelled):
        for key in keys:
            if not at_hand:
                yield key
                continue
            marker = current_task.set(Task(cancelled, cache_only=True))
            try:
                outcome = (task(key), None)
            except NotCached:
                outcome = None
            except Exception as exc:  # noqa: BLE001 - reported by done()
                outcome = (None, exc)
            finally:
                current_task.reset(marker)
            if outcome is None:
                yield key
            else:
                done(key, *outcome)

    try:
        _run_pool(task, to_fetch, max_workers, done)
    finally:
        if bar is not None:
            bar.close()
    return results, failures


def _run_pool(task, to_fetch, max_workers, done) -> None:
    cancelled = threading.Event()

    def run(key, state):
        if cancelled.is_set():
            raise Cancelled("cancelled")
        current_task.set(state)
        return task(key)

    pool, futures, abandoned = None, {}, False

    def finish(future):
        exc = future.exception()
        done(futures[future][0], None if exc else future.result(), exc)

    try:
        for key in to_fetch(cancelled):
            if pool is None:  # no thread for a load answered from what is at hand
                pool = ThreadPoolExecutor(max_workers=max_workers, thread_name_prefix="lbtools")
            state = Task(cancelled)
            futures[pool.submit(run, key, state)] = (key, state)
        pending = set(futures)
        while pending:
            ready, pending = wait(pending, timeout=_POLL_S, return_when=FIRST_COMPLETED)
            for future in ready:
                finish(future)
            for future in list(pending):
                message = futures[future][1].overdue(time.monotonic())
                if message is not None:  # its thread ends when the server lets go, or at its read timeout
                    pending.discard(future)
                    abandoned = True
                    done(futures[future][0], exc=HubUnavailableError(message))
    except BaseException:
        abandoned = True
        raise
    finally:
        if abandoned:
            cancelled.set()
        if pool is not None:  # threads end here; after Ctrl-C, a failure or an attempt given up, without a wait
            pool.shutdown(wait=not abandoned, cancel_futures=True)


def one_line(exc: BaseException) -> str:
    text = " ".join(mask_secrets(str(exc)).split())
    return text if isinstance(exc, LbtoolsError) else f"{type(exc).__name__}: {text}"
