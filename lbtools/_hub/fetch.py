"""Fetching many answers at once (``fan_out``), and the per-request fetchers the loaders and ``save_snapshot`` share."""

from __future__ import annotations

import threading
import time
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from contextlib import contextmanager

from .._tables import display_names
from ..errors import HubUnavailableError, LbtoolsError, mask_secrets
from .client import Cancelled, NotCached, current_task
from .parse import (Problems, benchmark_ids, benchmark_records, card_counts, eval_result_records, eval_tasks,
                    expect_list, expect_object, leaderboard_records, model_info_record)

# The fields of ``model_info`` that ``load_model_info`` asks for.
MODEL_INFO_EXPAND = ("author", "cardData", "createdAt", "downloads", "gated", "library_name", "likes", "pipeline_tag",
                     "safetensors", "tags")
_POLL_S = 0.1  # how long the caller's thread waits for the pool between looks at overdue attempts

# -- the fetchers: one request each, parsed ---------------------------------------------------------------------


def _benchmark_list(source, refresh):
    return source.get_json("/api/datasets", {"filter": "benchmark:official"}, what="the official benchmark list",
                           refresh=refresh, paged=True, expect=expect_list)


def fetch_benchmark_records(source, refresh):
    """The parsed official benchmark list (its problems warned) and when it was fetched."""
    body, fetched_at = _benchmark_list(source, refresh)
    problems = Problems()
    records = benchmark_records(body, problems, display_names())
    problems.warn(stacklevel=4)
    return records, fetched_at


def fetch_benchmark_ids(source, refresh) -> list[str]:
    """The official benchmarks' ids, sorted (problems with the listed ids warned), as ``list_benchmarks`` has them."""
    body, _ = _benchmark_list(source, refresh)
    problems = Problems()
    ids = sorted(benchmark_ids(body, problems))
    problems.warn(stacklevel=4)
    return ids


def fetch_leaderboard(source, dataset_id, base_model_only, refresh):
    """``(records, problems, fetched_at)`` of one leaderboard."""
    params = None if base_model_only is None else {"base_model": base_model_only}
    body, fetched_at = source.get_json(f"/api/datasets/{dataset_id}/leaderboard", params,
                                       what=f"benchmark {dataset_id}", refresh=refresh, expect=expect_list)
    problems = Problems()
    return leaderboard_records(body, dataset_id, problems), problems, fetched_at


def fetch_eval_results(source, model_id, refresh):
    body, fetched_at = source.get_json(f"/api/models/{model_id}", {"expand": "evalResults"}, what=f"model {model_id}",
                                       refresh=refresh, expect=expect_object)
    problems = Problems()
    return eval_result_records(body, model_id, problems), problems, fetched_at


def fetch_model_info(source, model_id, refresh):
    body, fetched_at = source.get_json(f"/api/models/{model_id}", [("expand", field) for field in MODEL_INFO_EXPAND],
                                       what=f"model {model_id}", refresh=refresh, expect=expect_object)
    problems = Problems()
    return [model_info_record(body, model_id, problems)], problems, fetched_at


# -- fan-out -------------------------------------------------------------------------------------------------------


def progress_enabled(progress) -> bool:
    if progress is not None:
        return bool(progress)
    import os
    import sys

    flags = (os.environ.get("HF_HUB_DISABLE_PROGRESS_BARS", ""), os.environ.get("TQDM_DISABLE", ""))
    if any(f.strip().lower() in ("1", "true", "yes", "on") for f in flags):
        return False
    return "ipykernel" in sys.modules or bool(getattr(sys.stderr, "isatty", lambda: False)())


class Task:
    """One key of a fan-out, as the client sees it (``client.current_task``): whether the load was cancelled,
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


def fetch_card_sizes(source, dataset_id, refresh):
    """``([(task_id, n)], reason)`` from a benchmark's dataset card and ``eval.yaml`` on ``source``; the list is empty
    (and ``reason`` says why) when they give no count."""
    try:
        info, _ = source.get_json(f"/api/datasets/{dataset_id}", what=f"dataset {dataset_id}", refresh=refresh,
                                  expect=expect_object)
    except LbtoolsError as exc:
        return [], f"no dataset card: {one_line(exc)}"
    tasks, why_no_tasks = [], ""
    try:
        path = source.repo_file(dataset_id, "eval.yaml", refresh=refresh)
        tasks = eval_tasks(path.read_text(encoding="utf-8"))
    except LbtoolsError as exc:
        why_no_tasks = f"; no eval.yaml ({one_line(exc)})"
    except (ValueError, OSError) as exc:
        why_no_tasks = f"; eval.yaml unreadable ({one_line(exc)})"
    counts = card_counts(info, tasks)
    return (counts, "") if counts else ([], f"its card gives no num_examples for the split its eval.yaml names"
                                             f"{why_no_tasks}")
