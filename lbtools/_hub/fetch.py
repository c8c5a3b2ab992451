"""Fetching many answers at once, and the per-request fetchers the loaders and ``save_snapshot`` share.

A fan-out reads what the source already holds (the response cache, a snapshot's files) in the caller's thread, and
sends the rest to a bounded thread pool; one failure never sinks the others, and Ctrl-C stops it at once: work not
started is cancelled, requests in flight are abandoned at their next wait, and nothing half-written is left.
"""

from __future__ import annotations

import itertools
import os
import queue
import threading
from concurrent.futures import ThreadPoolExecutor

from ..errors import LbtoolsError, mask_secrets
from .client import cancel_with
from .parse import (
    Problems,
    benchmark_ids,
    benchmark_records,
    eval_result_records,
    expect_list,
    expect_object,
    leaderboard_records,
)
from .parse import model_info_record, repo_id_problem

# The fields of ``model_info`` that ``load_model_info`` asks for.
MODEL_INFO_EXPAND = (
    "author",
    "cardData",
    "createdAt",
    "downloads",
    "gated",
    "library_name",
    "likes",
    "pipeline_tag",
    "safetensors",
    "tags",
)

# How long the caller's thread waits for a pool between looks at Ctrl-C (a wait in a pool can't be interrupted).
_POLL_S = 0.1
# A fan-out's answers come in bursts (the requests in flight were sent together): this long without one ends a burst.
IDLE_S = 0.005


# -- ids -----------------------------------------------------------------------------------------------------------


def check_repo_id(value, name: str, *, namespace: bool = True) -> str:
    """``value`` if it is a Hub repo id (``org/name``; a bare ``name`` too unless ``namespace``), else a
    TypeError/ValueError naming the argument ``name``."""
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a repo id string like 'org/name'; got {type(value).__name__}")
    problem = repo_id_problem(value, namespace=namespace)
    if problem is not None:
        raise ValueError(f"{name} must be a Hub repo id like 'org/name'; got {value!r} ({problem})")
    return value


def check_id_list(values, name: str, *, namespace: bool) -> list[str]:
    """A de-duplicated list of ids, in first-seen order; a single id string counts as a list of one."""
    if isinstance(values, str):
        values = [values]
    if isinstance(values, bytes):
        raise TypeError(f"{name} must be an id string or a list of them; got bytes")
    if isinstance(values, (set, frozenset)):
        values = sorted(values, key=str)
    try:
        items = list(values)
    except TypeError:
        raise TypeError(f"{name} must be an id string or a list of them; got {type(values).__name__}") from None
    out, seen = [], set()
    for index, item in enumerate(items):
        check_repo_id(item, f"{name}[{index}]", namespace=namespace)
        if item not in seen:
            seen.add(item)
            out.append(item)
    return out


# -- the fetchers: one request each, parsed ---------------------------------------------------------------------


def _benchmark_list(source, refresh):
    return source.get_json(
        "/api/datasets", {"filter": "benchmark:official"}, what="the official benchmark list", refresh=refresh,
        paged=True, expect=expect_list,
    )


def fetch_benchmark_records(source, refresh):
    """The parsed official benchmark list (its problems warned) and when it was fetched."""
    from .benchmarks import display_names

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


def leaderboard_params(base_model_only):
    return None if base_model_only is None else {"base_model": base_model_only}


def fetch_leaderboard(source, dataset_id, base_model_only, refresh):
    body, fetched_at = fetch_leaderboard_body(source, dataset_id, base_model_only, refresh)
    records, problems = parse_leaderboard(dataset_id, body)
    return records, problems, fetched_at


def fetch_leaderboard_body(source, dataset_id, base_model_only, refresh):
    """``(body, fetched_at)`` of one leaderboard, not parsed (``parse_leaderboard``)."""
    return source.get_json(
        f"/api/datasets/{dataset_id}/leaderboard",
        leaderboard_params(base_model_only),
        what=f"benchmark {dataset_id}",
        refresh=refresh,
        expect=expect_list,
    )


def parse_leaderboard(dataset_id, body):
    problems = Problems()
    return leaderboard_records(body, dataset_id, problems), problems


def fetch_eval_results(source, model_id, refresh):
    body, fetched_at = source.get_json(
        f"/api/models/{model_id}", {"expand": "evalResults"}, what=f"model {model_id}", refresh=refresh,
        expect=expect_object,
    )
    problems = Problems()
    return eval_result_records(body, model_id, problems), problems, fetched_at


def fetch_model_info(source, model_id, refresh):
    body, fetched_at = source.get_json(
        f"/api/models/{model_id}",
        [("expand", field) for field in MODEL_INFO_EXPAND],
        what=f"model {model_id}",
        refresh=refresh,
        expect=expect_object,
    )
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
    if "ipykernel" in sys.modules:
        return True
    return bool(getattr(sys.stderr, "isatty", lambda: False)())


def pool_size(source, max_workers: int, n_tasks: int) -> int:
    """Threads for a fan-out of ``n_tasks`` tasks.

    Against the Hub, twice ``max_workers``: the requests in flight are bounded by the client itself (``max_workers``
    sender threads per endpoint, ``lbtools._hub.client._Senders``), so while one thread parses and caches an answer,
    another's request is already queued and a sender sends it the moment it is free. A snapshot is read from local
    files: no more threads than ``max_workers``.
    """
    factor = 2 if getattr(source, "kind", None) == "hub" else 1
    return max(1, min(factor * max_workers, n_tasks))


class NotCached(Exception):
    """The answer is not in the response cache (nor held by the source): it must be fetched."""


class CachedOnly:
    """A view of a source that answers only from what it holds without a request (``source.cached_answer``)."""

    def __init__(self, source):
        self._cached_answer = source.cached_answer

    def get_json(self, path, params=None, *, what, refresh=False, paged=False, expect=None):
        hit = self._cached_answer(path, params, what=what, expect=expect)
        if hit is None:
            raise NotCached(what)
        return hit


def cached_reader(source, refresh: bool, fetch):
    """``key -> fetch(CachedOnly(source), key)`` for ``fan_out(read_cached=...)``; None when nothing can be read so
    (no cache, or ``refresh`` against the Hub)."""
    if not hasattr(source, "cached_answer") or (refresh and getattr(source, "kind", None) == "hub"):
        return None
    view = CachedOnly(source)
    return lambda key: fetch(view, key)


def fan_out(task, keys: list[str], *, max_workers: int, errors: str, progress, desc: str, threads: int | None = None,
            read_cached=None, on_idle=None, finish=None):
    """Run ``task(key)`` for every key on a bounded pool; returns ``({key: result}, {key: reason})``.

    ``read_cached(key)``, when given, runs in this thread for every key: answers already held are read without a
    thread, and each key it raises ``NotCached`` for goes to the pool at once, while the rest are looked up. ``threads``
    (default ``max_workers``) sizes the pool; requests in flight stay bounded by the Hub client. With
    ``errors="raise"`` the first failure cancels what has not started and is raised. Ctrl-C (or any exception here)
    cancels everything: pending tasks never start and running ones stop at their next wait. ``on_idle()``, when
    given, runs in this thread once no result has come for ``IDLE_S`` after one did: between the bursts in which
    answers arrive, while the next requests are in flight. ``finish(key, value)``, when given, turns each result of
    ``task`` or ``read_cached`` into the one returned, in this thread, at those same quiet moments while requests
    are still queued (so that it never holds the GIL while a request thread waits for it), then as results come.
    """
    results, failures = {}, {}
    if not keys:
        return results, failures
    bar = None
    if progress_enabled(progress) and len(keys) > 1:
        from tqdm.auto import tqdm

        bar = tqdm(total=len(keys), desc=desc, unit="req", leave=False)
    try:
        to_fetch = _not_held(keys, read_cached, errors, results, failures, bar, finish)
        first = next(to_fetch, None)
        if first is not None:  # else every answer was at hand: no thread was needed
            _run_pool(task, itertools.chain([first], to_fetch), threads or max_workers, errors, results, failures,
                      bar, on_idle, finish, max_workers)
    finally:
        if bar is not None:
            bar.close()
    return results, failures


def _not_held(keys, read_cached, errors, results, failures, bar, finish=None):
    """The keys ``read_cached`` does not answer, one by one: each is sent to the pool as soon as it is found, while
    the next ones are looked up (in the cache, not by the pool's threads, which only fetch)."""
    for key in keys:
        if read_cached is None:
            yield key
            continue
        try:
            value = read_cached(key)
            results[key] = value if finish is None else finish(key, value)
        except NotCached:
            yield key
            continue
        except Exception as exc:  # noqa: BLE001 - as in the pool
            if errors == "raise":
                raise
            failures[key] = one_line(exc)
        if bar is not None:
            bar.update(1)


_pools: dict[tuple[int, int], ThreadPoolExecutor] = {}
_pools_lock = threading.Lock()


def _pool(threads: int) -> tuple[ThreadPoolExecutor, bool]:
    """``(executor, shared)``: the fan-outs' threads of this size, kept between loads, so a load starts none (16
    thread starts put ~1 ms between the listing and the first leaderboard request, and joining them at the end more).
    Idle, they wait for work and hold nothing; they end with the process, or after a fan-out that was interrupted.
    A fan-out started inside one of them gets an executor of its own, which could not wait for a thread it holds."""
    if threading.current_thread().name.startswith("lbtools_"):
        return ThreadPoolExecutor(max_workers=threads, thread_name_prefix="lbtools_nested"), False
    # After a fork the parent's threads are gone from this process: its executors must not be used.
    slot = (os.getpid(), threads)
    with _pools_lock:
        pool = _pools.get(slot)
        if pool is None:
            pool = _pools[slot] = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="lbtools")
        return pool, True


def end_pools() -> None:
    """End the threads kept between fan-outs once they are idle (tests; otherwise they end with the process)."""
    with _pools_lock:
        pools = list(_pools.values())
        _pools.clear()
    for pool in pools:
        pool.shutdown(wait=True)


def _retire(pool: ThreadPoolExecutor) -> None:
    with _pools_lock:
        for slot, kept in list(_pools.items()):
            if kept is pool:
                del _pools[slot]


def _run_pool(task, keys, threads, errors, results, failures, bar, on_idle=None, finish=None, in_flight=0) -> None:
    cancel = threading.Event()
    # Outcomes come back through one queue: waiting on the futures themselves (``wait(FIRST_COMPLETED)``) installs
    # and removes a waiter on every pending future at each completion, O(n²) lock traffic against the workers.
    outcomes: queue.SimpleQueue = queue.SimpleQueue()

    def run(key):
        if cancel.is_set():
            return  # never started: the fan-out is being abandoned
        try:
            with cancel_with(cancel):
                outcomes.put((key, task(key), None))
        except BaseException as exc:  # noqa: BLE001 - handed to the caller's thread
            outcomes.put((key, None, exc))

    unfinished: list = []  # results of ``task`` that ``finish`` has not turned yet

    def finish_all():
        while unfinished:
            key, value = unfinished.pop(0)
            try:
                results[key] = finish(key, value)
            except Exception as exc:  # noqa: BLE001 - one result must not sink the others
                if errors == "raise":
                    raise
                failures[key] = one_line(exc)

    pool, shared = _pool(threads)
    futures = []
    try:
        for key in keys:
            futures.append(pool.submit(run, key))
        quiet_work = on_idle is not None or finish is not None
        busy = False  # a result came since the last quiet moment
        for received in range(1, len(futures) + 1):
            while True:
                try:
                    # Short waits, so that Ctrl-C in this thread is seen at once.
                    key, value, exc = outcomes.get(timeout=IDLE_S if busy and quiet_work else _POLL_S)
                    busy = True
                    break
                except queue.Empty:
                    if busy:
                        if finish is not None:
                            finish_all()
                        if on_idle is not None:
                            on_idle()
                    busy = False
            if exc is None:
                if finish is None:
                    results[key] = value
                else:
                    unfinished.append((key, value))
                    if len(futures) - received < in_flight:  # the last requests are in flight: nothing waits
                        finish_all()
            elif errors == "raise" or not isinstance(exc, Exception):
                raise exc
            else:  # one failure must not sink the others
                failures[key] = one_line(exc)
            if bar is not None:
                bar.update(1)
        finish_all()
    except BaseException:
        # Work not started never starts; running tasks stop at their next wait, and then their threads end: after
        # Ctrl-C or a raised failure no thread is kept waiting for the next load.
        cancel.set()
        for future in futures:
            future.cancel()
        if shared:
            _retire(pool)
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    if not shared:
        pool.shutdown(wait=True)


def one_line(exc: BaseException) -> str:
    text = " ".join(mask_secrets(str(exc)).split())
    if not isinstance(exc, LbtoolsError):
        text = f"{type(exc).__name__}: {text}"
    return text


def fetch_card_sizes(source, dataset_id, refresh):
    """``([(task_id, n)], reason)`` from a benchmark's dataset card and ``eval.yaml`` on ``source``; the list is empty
    (and ``reason`` says why) when they give no count."""
    from .sizes import card_counts, eval_tasks

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
    if counts:
        return counts, ""
    return [], f"its card gives no num_examples for the split its eval.yaml names{why_no_tasks}"
