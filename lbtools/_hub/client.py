"""The one module that talks to the Hub.

Every request goes through huggingface_hub's shared HTTP client (``get_session``), its headers (``build_hf_headers``:
token, user agent) and its error mapping (``hf_raise_for_status``). Raw JSON is kept, not the parsed dataclasses,
because those drop fields (``verified``, ``filename``) and a single bad eval-result file makes them fail a whole model.

What is added on top, because the typed calls lack it (see docs/HUB_API notes in the README):
- an overall deadline on every request, headers and body included (the shared client has none, and its per-read
  timeout lets a server that trickles bytes hold a call forever): each request runs in one of ``max_workers``
  long-lived sender threads that the caller waits for until the deadline, and whose sockets are shut when it passes;
  ``hf_hub_download`` runs in a helper thread the same way, its requests bounded by a request hook;
- no fetch of huggingface_hub's agent-harness registry from inside lbtools (best-effort telemetry with no overall
  bound, and a malformed answer breaks every later header build): the request hook refuses it, and headers are
  built without it when huggingface_hub can't build them;
- retries with exponential backoff and jitter (tenacity) for 429, 5xx and transport errors, capped in attempts, in
  timeouts (two, so an endpoint that never answers fails within 3× the timeout) and in total time;
- rate-limit pacing from the ``RateLimit`` headers, shared by all threads, so a burst stops before the quota runs out
  and a 429 pauses every thread instead of starting a retry storm;
- a fail-fast hold once an endpoint has stopped answering altogether (connections refused, or timeouts on several
  paths with nothing healthy in between), so a load of 60 benchmarks fails in one timeout budget rather than
  60 / max_workers of them; a 5xx on one path, a client-side error or a local disk error never holds it;
- a bound on requests in flight (``max_workers`` senders per endpoint) and on the size of a response body;
- the disk cache, keyed by the identity that fetched an answer (a salted hash of the token), holding only answers of
  the expected shape.
"""

from __future__ import annotations

import collections
import contextvars
import math
import random
import socket
import threading
import time
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import urljoin, urlsplit

from ..errors import (
    AccessDeniedError,
    BadResponseError,
    GatedBenchmarkError,
    HubUnavailableError,
    LbtoolsError,
    NotFoundError,
    RateLimitedError,
    mask_secrets,
)
from .parse import loads_json

MAX_BODY_BYTES = 64 * 1024 * 1024
MAX_PAGES = 1000
MAX_ATTEMPTS = 8
MAX_TIMEOUTS = 2
MAX_TOTAL_S = 120.0
BACKOFF_INITIAL_S = 0.5
BACKOFF_MAX_S = 4.0
BACKOFF_JITTER_S = 0.5
RETRY_AFTER_JITTER_S = 0.25
REQUEST_DEADLINE_FACTOR = 2.0  # one request, headers and body, ends within this many timeouts
HOLD_DOWN_S = 30.0
SILENT_PATHS_TO_HOLD = 2  # timeouts on this many different paths, nothing healthy between: the endpoint is down
PROBE_MAX_BYTES = 1 << 20
AGENT_REGISTRY_PATH = "/api/agent-harnesses"
TRANSIENT_STATUS = (429, 500, 502, 503, 504)

_pacers: dict[str, "Pacer"] = {}
_senders: dict[tuple[str, int], "_Senders"] = {}
_registry_lock = threading.Lock()

# The deadline of the lbtools request running in this context; read by the request hook below.
_current: contextvars.ContextVar["_Deadline | None"] = contextvars.ContextVar("lbtools_deadline", default=None)
# Set when the fan-out this thread works for was abandoned (Ctrl-C): stop at the next wait.
_cancel: contextvars.ContextVar[threading.Event | None] = contextvars.ContextVar("lbtools_cancel", default=None)
_CANCEL_POLL_S = 0.1


def utc_iso(timestamp: float | None = None) -> str:
    """``timestamp`` (seconds since the epoch; default now) as a UTC ISO time, e.g. ``2026-03-25T19:09:12Z``."""
    moment = datetime.now(timezone.utc) if timestamp is None else datetime.fromtimestamp(timestamp, timezone.utc)
    return moment.isoformat(timespec="seconds").replace("+00:00", "Z")


class _PacerWait(Exception):
    """The rate-limit window would hold this request longer than its retry budget allows."""

    def __init__(self, wait: float):
        super().__init__(f"rate limited for {wait:.0f} s more")
        self.wait = wait


class Pacer:
    """Shared view of one endpoint: its rate-limit window (from every response's ``RateLimit`` headers) and whether
    it still answers at all."""

    def __init__(self):
        self._lock = threading.Lock()
        self.blocked_until = 0.0
        self.remaining: int | None = None
        self.quota: int | None = None
        self.window: float | None = None
        self.reset_at: float | None = None
        self.in_flight = 0
        self._next_slot = 0.0
        self.last_healthy = 0.0
        self.silent_since: float | None = None
        self.silent_paths: set[str] = set()
        self.down_since: float | None = None
        self.down_reason = ""

    def before_request(self, deadline: float | None = None) -> float:
        """Wait as long as the window requires, then count the request as sent; returns the seconds slept.

        Raises ``_PacerWait`` instead of sleeping past ``deadline`` (a monotonic time): a notebook should hear
        "rate limited, wait 5 min" at once rather than hang for the whole window.
        """
        delay = self._reserve(deadline)
        with self._lock:
            self.in_flight += 1
        return delay

    def finished(self) -> None:
        """A request sent after ``before_request`` is over (answered or not)."""
        with self._lock:
            self.in_flight -= 1

    def _reserve(self, deadline: float | None) -> float:
        slept = 0.0
        while True:
            with self._lock:
                now = time.monotonic()
                if self.reset_at is not None and now >= self.reset_at:
                    if self.quota and self.window:
                        # A new window of a known policy: ``quota`` requests until it ends, not a burst of everyone
                        # waiting (the answers refine the count).
                        self.reset_at += (math.floor((now - self.reset_at) / self.window) + 1) * self.window
                        self.remaining = self.quota
                    else:
                        # A new window: the next answer tells us where we stand.
                        self.remaining = None
                        self.reset_at = None
                known = self.remaining is not None and self.reset_at is not None
                start = max(now, self.blocked_until)
                if known and self.remaining <= 0:
                    # Out of quota: every thread waits for the window to reset instead of collecting 429s.
                    self.blocked_until = max(self.blocked_until, self.reset_at + 0.05)
                    start = max(start, self.blocked_until)
                if start <= now:
                    if known:
                        low_water = max(1, (self.quota or 0) // 10)
                        if self.remaining <= low_water:
                            # Spread what is left of the quota over what is left of the window.
                            start = max(now, self._next_slot)
                            self._next_slot = start + (self.reset_at - now) / self.remaining
                        self.remaining -= 1
                    if deadline is not None and start > deadline:
                        raise _PacerWait(start - now)
                    break  # a slot is ours, now or at ``start``
                if deadline is not None and start > deadline:
                    raise _PacerWait(start - now)
            # Held: sleep, then look again. The window that opens may hold fewer requests than threads waiting for
            # it, and a 429 meanwhile may hold everyone longer.
            time.sleep(start - now)
            slept += start - now
        delay = start - time.monotonic()
        if delay > 0:
            time.sleep(delay)
            slept += delay
        return slept

    def after_response(self, headers, status: int) -> float | None:
        """Record the window; on 429 block every thread for the wait the server asked for (returned)."""
        info = _ratelimit_info(headers)
        now = time.monotonic()
        wait = None
        with self._lock:
            if status not in TRANSIENT_STATUS:
                self.last_healthy = now
                self.silent_since = None
                self.silent_paths.clear()
            # An answer about a window already over (sent before it ended) says nothing about this one.
            stale = info is not None and self.reset_at is not None and now + info.reset_in_seconds < self.reset_at - 1
            if info is not None and not stale:
                reset_at = now + info.reset_in_seconds
                # Requests still in flight may not be counted in this answer yet: assume they will be.
                others = max(0, self.in_flight - 1)
                estimate = info.remaining - others
                if self.reset_at is None or reset_at > self.reset_at + 1.0 or self.remaining is None:
                    self.remaining = estimate
                else:
                    self.remaining = min(self.remaining, estimate)
                self.reset_at = reset_at
                self.quota = info.limit or self.quota
                self.window = info.window_seconds or self.window
            if status == 429:
                wait = _wait_of_429(headers, info)
                self.blocked_until = max(self.blocked_until, now + wait)
        return wait

    def timed_out(self, sent: float, timeout: float, path: str) -> None:
        """A request for ``path`` sent at ``sent`` got no answer in time. When nothing healthy has come back for as
        long as a request may wait (``MAX_TIMEOUTS`` timeouts), from any thread, and requests for several paths went
        unanswered, the endpoint has stopped answering: hold it down. (Two requests that time out side by side are
        not enough: their retries may well be answered; one path that hangs says nothing about the others.)"""
        with self._lock:
            if self.last_healthy >= sent:
                return  # others got answers meanwhile: a slow request, not a silent endpoint
            if self.silent_since is None or sent < self.silent_since:
                self.silent_since = sent
            self.silent_paths.add(path)
            silent_for = time.monotonic() - self.silent_since
            if (silent_for >= 0.9 * MAX_TIMEOUTS * timeout and len(self.silent_paths) >= SILENT_PATHS_TO_HOLD
                    and self.down_since is None):
                self.down_since = time.monotonic()
                self.down_reason = f"no answer within {timeout:g} s"

    def gave_up(self, started: float, reason: str, *, unreachable: bool) -> None:
        """A request failed for good after retrying since ``started``. Only when it could not connect at all
        (``unreachable``) and nothing healthy came back meanwhile is the endpoint down: hold off new requests for a
        while (``down``). A 5xx, a dropped answer or a timeout on one path is that request's failure alone."""
        with self._lock:
            if unreachable and self.last_healthy < started:
                self.down_since = time.monotonic()
                self.down_reason = reason

    def down(self) -> tuple[float, str] | None:
        """``(seconds since, reason)`` while the endpoint is held as down, else None."""
        with self._lock:
            if self.down_since is None or self.last_healthy >= self.down_since:
                return None
            ago = time.monotonic() - self.down_since
            if ago >= HOLD_DOWN_S:
                self.down_since = None
                return None
            return ago, self.down_reason


def _ratelimit_info(headers):
    from huggingface_hub.utils import parse_ratelimit_headers

    try:
        return parse_ratelimit_headers(headers)
    except (ValueError, TypeError):  # a malformed header must not fail the request it came with
        return None


def _wait_of_429(headers, info=None) -> float:
    """What a 429 asks for: the longer of ``Retry-After`` and, when the quota is spent, the ``RateLimit`` reset
    (coming back earlier only collects another 429); one second when it says neither."""
    info = info if info is not None else _ratelimit_info(headers)
    waits = [_retry_after(headers)]
    if info is not None and (info.remaining <= 0 or waits[0] is None):
        waits.append(float(info.reset_in_seconds))
    waits = [w for w in waits if w is not None]
    return max(waits) if waits else 1.0


def _retry_after(headers) -> float | None:
    raw = headers.get("retry-after")
    if raw is None:
        return None
    try:
        return max(0.0, float(raw))
    except ValueError:
        from email.utils import parsedate_to_datetime

        try:
            return max(0.0, (parsedate_to_datetime(raw) - datetime.now(timezone.utc)).total_seconds())
        except (TypeError, ValueError, OverflowError):
            return None


def pacer_for(endpoint: str) -> Pacer:
    with _registry_lock:
        return _pacers.setdefault(endpoint, Pacer())


def forget_endpoints() -> None:
    """Forget every endpoint's rate-limit window and down state (tests; a notebook restarting its analysis)."""
    with _registry_lock:
        _pacers.clear()


def _senders_for(endpoint: str, max_workers: int) -> "_Senders":
    with _registry_lock:
        senders = _senders.get((endpoint, max_workers))
        if senders is None:
            senders = _senders[(endpoint, max_workers)] = _Senders(max_workers)
        return senders


class _Transient(Exception):
    """A failure worth retrying; ``wait`` is what the server asked for, if it did."""

    def __init__(self, cause: BaseException, wait: float | None = None, timed_out: bool = False):
        super().__init__(str(cause))
        self.cause = cause
        self.wait = wait
        self.timed_out = timed_out


class _DeadlineExceeded(Exception):
    """A request would start, or still be running, past its deadline."""


class _Refused(Exception):
    """The request hook refused a request lbtools must not cause (huggingface_hub's agent-harness registry)."""


class _Deadline:
    """The deadline of one lbtools request (or download attempt), and the connections it opened, so that they can be
    shut when it passes: that ends a helper thread blocked on a server trickling bytes."""

    def __init__(self, deadline: float, timeout: float, start_by: float | None = None):
        self.started = time.monotonic()
        self.deadline = deadline
        self.timeout = timeout
        # No request may start after ``start_by`` (a retrying download must not go on trying past its attempt).
        self.start_by = deadline if start_by is None else min(start_by, deadline)
        self._streams: list = []
        self._expired = False
        self._lock = threading.Lock()

    def trace(self, name: str, info: dict) -> None:
        """httpcore trace extension: remember each new connection's stream."""
        if name.endswith(("connect_tcp.complete", "start_tls.complete")):
            self.watch(info.get("return_value"))

    def watch(self, stream) -> None:
        if stream is None:
            return
        with self._lock:
            expired = self._expired
            if not expired:
                self._streams.append(stream)
        if expired:
            _shut(stream)

    def expire(self) -> None:
        with self._lock:
            self._expired = True
            streams, self._streams = self._streams, []
        for stream in streams:
            _shut(stream)


def _shut(stream) -> None:
    try:
        sock = stream.get_extra_info("socket")
        if sock is not None:
            sock.shutdown(socket.SHUT_RDWR)
    except (OSError, AttributeError):  # closed already
        pass


class Cancelled(Exception):
    """The fan-out this request was part of was abandoned (Ctrl-C in the caller's thread)."""


@contextmanager
def cancel_with(event: threading.Event):
    """Within this block, requests in this thread stop at their next wait once ``event`` is set."""
    token = _cancel.set(event)
    try:
        yield
    finally:
        _cancel.reset(token)


def _wait(event: threading.Event, seconds: float) -> bool:
    """``event.wait(seconds)`` that gives up early, raising ``Cancelled``, when this thread's work is cancelled."""
    cancel = _cancel.get()
    if cancel is None:
        return event.wait(seconds)
    end = time.monotonic() + seconds
    while True:
        if cancel.is_set():
            raise Cancelled("cancelled")
        left = end - time.monotonic()
        if event.wait(max(0.0, min(_CANCEL_POLL_S, left))):
            return True
        if left <= _CANCEL_POLL_S:
            return False


def _sleep(seconds: float) -> None:
    """tenacity's pause between tries, cut short by a cancel."""
    _wait(threading.Event(), seconds)


def _run_until(deadline: _Deadline, fn):
    """``fn()`` in a helper thread (with this context and ``deadline`` current), waited for until the deadline.

    Past it, the helper's connections are shut and ``_DeadlineExceeded`` is raised here; the wait is interruptible
    (Ctrl-C reaches the caller at once).
    """
    context = contextvars.copy_context()
    outcome: dict = {}
    done = threading.Event()

    def run():
        try:
            outcome["value"] = context.run(_with_deadline, deadline, fn)
        except BaseException as exc:  # noqa: BLE001 - handed to the caller
            outcome["error"] = exc
        finally:
            done.set()

    threading.Thread(target=run, name="lbtools-request", daemon=True).start()
    try:
        finished = _wait(done, max(0.0, deadline.deadline - time.monotonic()))
    except BaseException:
        deadline.expire()
        raise
    if not finished:
        deadline.expire()
        raise _DeadlineExceeded(f"no complete answer within {deadline.deadline - deadline.started:.3g} s")
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


def _with_deadline(deadline: _Deadline, fn):
    _current.set(deadline)
    return fn()


SENDER_IDLE_S = 2.0
_START_POLL_S = 0.1  # a sender with nothing to send for this long ends (a notebook's next load starts new ones)


class _Job:
    """One request handed to the senders: ``fn(job)`` runs in a sender, in the context of the thread that asked."""

    def __init__(self, fn):
        self.fn = fn
        self.context = contextvars.copy_context()
        self.done = threading.Event()
        self.bound: _Deadline | None = None
        self.outcome: dict = {}
        self.dropped = False  # the asker stopped waiting (Ctrl-C, cancel, deadline): its result is nobody's
        self.discounted = False  # its sender no longer counts towards the bound (guarded by the senders' lock)
        self.lock = threading.Lock()

    def start(self, bound: _Deadline) -> _Deadline:
        """Called by the sender once the request may go: from now on the asker waits until ``bound``."""
        with self.lock:
            if self.dropped:
                raise Cancelled("cancelled")
            self.bound = bound
        return bound

    def drop(self) -> None:
        """The asker gives up: a job not started never sends; a running one has its connections shut."""
        with self.lock:
            self.dropped = True
            bound = self.bound
        if bound is not None:
            bound.expire()


class _Senders:
    """``size`` long-lived threads that send requests and read the answers, nothing else: the bound on requests in
    flight for one endpoint, and no thread started per request.

    A sender that finishes an answer takes the next queued request at once, in the same thread, while the thread that
    asked decodes, caches and parses (a thread per request, or a semaphore between many threads, put one or two
    thread switches between an answer and the next request, each waiting for the GIL). A sender still stuck when its
    asker gave up (a trickled answer on a reused connection, whose socket lbtools never saw) stops counting and
    another may start, so the requests in flight stay at ``size`` besides abandoned ones, as with a semaphore."""

    def __init__(self, size: int):
        self.size = size
        self._cond = threading.Condition(threading.Lock())
        self._queue: collections.deque[_Job] = collections.deque()
        self._live = 0  # senders that count towards ``size`` (not stuck in an abandoned job)
        self._ready = 0  # senders that will take a queued job without being started: waiting, or just started

    def run(self, fn, on_deadline=None):
        """``fn(job)`` in a sender; waits (interruptibly, cancel-aware) for it, and until ``job.bound`` once the
        sender has started it. Past the bound: ``on_deadline()``, the connections shut, ``_DeadlineExceeded``."""
        job = _Job(fn)
        with self._cond:
            self._queue.append(job)
            if len(self._queue) > self._ready and self._live < self.size:
                self._spawn()
            else:
                self._cond.notify()
        try:
            # Only the answer wakes this thread: until a sender starts the job its bound is unknown, and it is looked
            # at every _START_POLL_S (a wake-up when the request is sent would take the GIL from the sender then).
            while not job.done.is_set():
                bound = job.bound
                left = _START_POLL_S if bound is None else bound.deadline - time.monotonic()
                if left <= 0:
                    if on_deadline is not None:
                        on_deadline()
                    self._abandon(job)
                    raise _DeadlineExceeded(f"no complete answer within {bound.deadline - bound.started:.3g} s")
                _wait(job.done, left)
        except BaseException:
            if not job.done.is_set():
                self._abandon(job)
            raise
        if "error" in job.outcome:
            raise job.outcome["error"]
        return job.outcome["value"]

    def _abandon(self, job: _Job) -> None:
        with self._cond:
            try:
                self._queue.remove(job)
            except ValueError:  # a sender holds it
                if not job.done.is_set() and not job.discounted:
                    # That sender may stay stuck for long: it stops counting, and another may send meanwhile.
                    job.discounted = True
                    self._live -= 1
                    if len(self._queue) > self._ready and self._live < self.size:
                        self._spawn()
        job.drop()

    def _spawn(self) -> None:  # holding self._cond
        self._live += 1
        self._ready += 1
        threading.Thread(target=self._serve, name="lbtools-sender", daemon=True).start()

    def _serve(self) -> None:
        with self._cond:
            while True:  # counted in ``_ready`` here
                while not self._queue:
                    if not self._cond.wait(SENDER_IDLE_S) and not self._queue:
                        self._ready -= 1
                        self._live -= 1
                        return
                job = self._queue.popleft()
                self._ready -= 1
                self._cond.release()
                try:
                    job.outcome["value"] = job.context.run(job.fn, job)
                except BaseException as exc:  # noqa: BLE001 - handed to the asker
                    job.outcome["error"] = exc
                finally:
                    job.done.set()
                    self._cond.acquire()
                if job.discounted:
                    # Its asker left and another sender may stand in for this one: go on only if there is room.
                    if self._live >= self.size:
                        return
                    self._live += 1
                self._ready += 1


def _bound_request(request) -> None:
    """httpx2 request hook: inside an lbtools request, bound every request by its deadline.

    ``hf_hub_download`` sets its own timeouts (10 s downloads, 60 s for the metadata retry) and retries internally;
    this keeps each of its requests within ``LBTOOLS_TIMEOUT`` and the time left, remembers its connections so they
    can be shut at the deadline, and stops it from starting new ones once the deadline has passed. It also refuses
    huggingface_hub's fetch of the agent-harness registry that ``build_hf_headers`` makes (telemetry with no overall
    bound). Outside lbtools (no deadline in this context) it does nothing.
    """
    current = _current.get()
    if current is None:
        return
    if request.url.path.endswith(AGENT_REGISTRY_PATH):
        raise _Refused("lbtools does not fetch huggingface_hub's agent-harness registry")
    now = time.monotonic()
    left = current.deadline - now
    if left <= 0 or now >= current.start_by:
        raise _DeadlineExceeded(f"no answer within {current.timeout:g} s")
    limit = min(current.timeout, left)
    timeouts = request.extensions.get("timeout") or {}
    bounded = {k: limit if timeouts.get(k) is None else min(timeouts[k], limit)
               for k in ("connect", "read", "write", "pool")}
    request.extensions = {**request.extensions, "timeout": bounded, "trace": current.trace}


def _watch_response(response) -> None:
    """httpx2 response hook: remember the connection of a reused-connection answer too."""
    current = _current.get()
    if current is not None:
        current.watch(response.extensions.get("network_stream"))


def _install_request_hook():
    """Add lbtools' hooks to huggingface_hub's shared client (recreated after ``close_session``) once."""
    from huggingface_hub import get_session

    session = get_session()
    hooks = session.event_hooks
    if _bound_request not in hooks["request"]:
        with _registry_lock:
            hooks = session.event_hooks
            if _bound_request not in hooks["request"]:
                session.event_hooks = {"request": [*hooks["request"], _bound_request],
                                       "response": [*hooks["response"], _watch_response]}


def _hub_headers(token: str | None, timeout: float) -> dict:
    """The headers of every request: huggingface_hub's (token, user agent), built without letting it fetch its
    agent-harness registry; lbtools' own when huggingface_hub fails to build them (a malformed registry cached by
    an earlier fetch makes ``build_hf_headers`` raise)."""
    import platform

    import huggingface_hub
    from huggingface_hub.utils import build_hf_headers

    from .. import __version__

    _install_request_hook()
    marker = _current.set(_Deadline(time.monotonic() + timeout, timeout))
    try:
        return build_hf_headers(token=token or False, library_name="lbtools", library_version=__version__)
    except Exception:  # noqa: BLE001 - huggingface_hub's user-agent telemetry must not stop a load
        headers = {"user-agent": f"lbtools/{__version__}; hf_hub/{huggingface_hub.__version__}; "
                                 f"python/{platform.python_version()}"}
        if token:
            headers["authorization"] = f"Bearer {token}"
        return headers
    finally:
        _current.reset(marker)


def resolve_token(token) -> str | None:
    """The token requests will carry: a checked ``token``, or for ``None`` the login / ``HF_TOKEN`` (unless
    ``HF_HUB_DISABLE_IMPLICIT_TOKEN``), or ``None`` for anonymous. Never echoes a token in an error."""
    from ..config import check_token

    token = check_token(token)
    if token is False:
        return None
    if token is not None:
        return token
    from huggingface_hub import constants, get_token

    if constants.HF_HUB_DISABLE_IMPLICIT_TOKEN:
        return None
    found = get_token()
    if found is None:
        return None
    try:
        return check_token(found)
    except ValueError:
        raise ValueError(
            "the token found in HF_TOKEN or saved by `hf auth login` holds spaces, control or non-ASCII characters "
            "(its value is not shown); set it again, or pass token=False to load without one"
        ) from None


class _Secret:
    """A token held so that no repr shows it (``vars(client)``, debuggers, tracebacks with locals)."""

    __slots__ = ("value",)

    def __init__(self, value):
        self.value = value

    def __repr__(self) -> str:
        return "<token hidden>" if isinstance(self.value, str) else repr(self.value)


class _MaskedHeaders(dict):
    """Request headers whose repr never shows the token (tracebacks with locals, debuggers, notebook reprs)."""

    def __repr__(self) -> str:
        return repr({k: ("***" if k.lower() == "authorization" else v) for k, v in self.items()})


class HubClient:
    """Fetches raw JSON from one endpoint with a timeout, retries, pacing, a bound in flight and a cache.

    Parameters
    ----------
    settings : lbtools.config.Settings
    token : str, bool or None
        ``None``: ``HF_TOKEN`` or the cached login; ``False``: anonymous; a string: that token.
    max_total : float, optional
        Seconds one request may spend retrying, waits included (default ``MAX_TOTAL_S``, at least 2 timeouts).
    """

    def __init__(self, settings, token=None, *, max_total: float | None = None):
        self.settings = settings
        self.endpoint = settings.endpoint
        self.timeout = settings.timeout
        self.max_total = max_total if max_total is not None else max(MAX_TOTAL_S, 2 * settings.timeout)
        resolved = resolve_token(token)
        self._headers = _MaskedHeaders(_hub_headers(resolved, self.timeout))
        self.authenticated = resolved is not None
        self._token = _Secret(resolved if resolved is not None else False)
        self.pacer = pacer_for(self.endpoint)
        self._senders = _senders_for(self.endpoint, settings.max_workers)
        self.cache = None
        self._identity = ""
        self._deferred: collections.deque | None = None  # answers to cache in batches (``deferred_writes``)
        self._missing: set | None = None  # keys found missing within that block: not looked up twice
        self._empty = False  # the cache held nothing when that block began
        if settings.cache_dir is not None and settings.cache_ttl > 0:
            from .cache import ResponseCache
            from .memo import MemoryLayer

            disk = ResponseCache(settings.cache_dir, settings.cache_ttl)
            # Answers to authenticated requests are keyed by who asked (a salted hash of the token), so another token
            # or none never reads them; without a salt (an unwritable folder) they are not cached at all.
            identity = disk.identity(resolved) if resolved is not None else ""
            if identity is not None:
                self._identity = identity
                # The in-process layer answers warm loads without re-reading the disk.
                self.cache = MemoryLayer(disk)

    def __repr__(self) -> str:
        return f"HubClient(endpoint={self.endpoint!r}, authenticated={self.authenticated})"

    # -- public -----------------------------------------------------------------------------------------------

    def get_json(self, path: str, params=None, *, what: str, refresh: bool = False, paged: bool = False,
                 expect=None):
        """``(body, fetched_at)`` for ``GET path?params``, from the cache when fresh.

        ``paged`` follows ``Link: rel="next"`` headers and returns all pages joined into one list.
        ``what`` names the thing fetched in error messages ("benchmark org/name"). ``expect(body)`` returns why a
        body is not of the expected shape (or None): such a body raises BadResponseError and is never cached, and
        such a cached body is discarded and fetched again.
        """
        if not refresh:
            hit = self.cached(path, params, expect=expect)
            if hit is not None:
                return hit
        url = f"{self.endpoint}{path}"
        # The answer's own bytes go to the cache with it, so it need not encode the body again (unless it came in
        # several pages).
        if paged:
            body, raw = self._fetch_all_pages(url, params, what)
        else:
            body, _, raw = self._fetch(url, params, what, with_raw=True)
        problem = expect(body) if expect is not None else None
        if problem is not None:
            raise BadResponseError(f"{what}: {problem}; nothing was loaded or cached from it")
        received = time.time()
        fetched_at = utc_iso(received)
        if self.cache is not None:
            query = self._query(params)
            row = self.cache.prepare(self._key(path, query), body, url + (f"?{query}" if query else ""),
                                     self.authenticated, raw, received)
            if row is not None:
                deferred = self._deferred
                if deferred is not None:
                    deferred.append((row, body))
                else:
                    self.cache.put_rows([(row, body)])
        return body, fetched_at

    @contextmanager
    def deferred_writes(self):
        """Within this block, answers go to the cache in batches, one transaction each: at each ``flush`` (a fan-out
        calls it when no answer has come for a moment, between the bursts of answers) and when the block ends.

        A commit per answer, made by the thread that received it while the other answers arrive, cost a cold load
        of 64 leaderboards about 7 ms (1.5 % of it) in the contention it caused; a batch costs ~0.2 ms per round of
        answers, written while the next requests are in flight. Nothing in a load reads what it deferred (it asks
        for each key once), and a key found missing is not looked up again in the block, nor any key of a cache that
        was empty when it began. What was received is cached even when the block ends by an error or Ctrl-C; a request
        still running after that caches its own answer. A block inside another defers to the outer one.
        """
        if self.cache is None or self._deferred is not None:
            yield
            return
        # A cache that held nothing when the load began (a first load, or after clear_cache) is not looked up.
        self._deferred, self._missing, self._empty = collections.deque(), set(), self.cache.is_empty()
        try:
            yield
        finally:
            self.flush()
            self._deferred, self._missing, self._empty = None, None, False

    def flush(self) -> None:
        """Cache the answers deferred so far (see ``deferred_writes``), in this thread."""
        deferred = self._deferred
        if deferred:
            # Taken one by one: an answer appended meanwhile by a fetching thread waits for the next flush.
            answers = [deferred.popleft() for _ in range(len(deferred))]
            self.cache.put_rows(answers)

    def cached(self, path: str, params=None, *, expect=None):
        """``(body, fetched_at)`` when the response cache holds a fresh answer to ``GET path?params`` (of the shape
        ``expect`` accepts, else it is discarded), else None. Never sends a request."""
        if self.cache is None or self._empty:
            return None
        key = self._key(path, self._query(params))
        missing = self._missing
        if missing is not None and key in missing:
            return None  # looked up already in this load (the caller's pass before the pool fetches it)
        hit = self.cache.get(key)
        if hit is None:
            if missing is not None:
                missing.add(key)
            return None
        body, stored_at = hit
        if expect is not None and expect(body) is not None:
            # Well-formed but not what this request answers (an error object cached by an older version): refetch.
            self.cache.discard(key)
            return None
        return body, utc_iso(stored_at)

    @staticmethod
    def _query(params) -> str:
        from .recording import canonical_query

        return canonical_query(params)

    def _key(self, path: str, query: str) -> str:
        from .cache import cache_key

        return cache_key(self.endpoint, path, query, self._identity)

    def download(self, repo_id: str, filename: str, *, repo_type: str = "dataset", revision: str | None = None,
                 refresh: bool = False) -> Path:
        """A file through the Hub's own download cache (ETag revalidation); retried like any request."""
        from huggingface_hub import hf_hub_download

        what = f"{repo_type} {repo_id}"

        def attempt(deadline: float):
            self._check_down(what)
            _install_request_hook()
            sent = time.monotonic()
            # A healthy HEAD + GET both start well within one timeout; a silent endpoint ends the attempt there. The
            # whole download (a large file may take a while) ends by the retry deadline.
            bound = _Deadline(deadline, self.timeout, start_by=sent + self.timeout)

            def download_once():
                return hf_hub_download(
                    repo_id,
                    filename,
                    repo_type=repo_type,
                    revision=revision,
                    token=self._token.value,
                    endpoint=self.endpoint,
                    etag_timeout=self.timeout,
                    force_download=refresh,
                )

            try:
                return Path(_run_until(bound, download_once))
            except Exception as exc:  # noqa: BLE001 - classified just below
                failure = self._classify(exc, what)
                if isinstance(failure, _Transient) and failure.timed_out:
                    self.pacer.timed_out(sent, self.timeout, f"{repo_type}/{repo_id}/{filename}")
                raise failure from exc

        return self._with_retries(attempt, what)

    def probe(self, timeout: float) -> str | None:
        """``None`` when the endpoint gives a Hub's answer within ``timeout`` s in all (headers and body), else the
        reason it can't be used: no answer, a server error, or an answer that is not the Hub's API (a captive portal's
        or a proxy's web page)."""
        import httpx2
        from huggingface_hub import get_session

        def ask():
            with get_session().stream(
                "GET",
                f"{self.endpoint}/api/datasets",
                params={"filter": "benchmark:official", "limit": 1},
                headers=self._headers,
                timeout=timeout,
            ) as response:
                body = b""
                for chunk in response.iter_bytes():
                    body += chunk
                    if len(body) > PROBE_MAX_BYTES:
                        break
                return response.status_code, response.headers.get("content-type", ""), body

        _install_request_hook()
        try:
            status, content_type, body = _run_until(_Deadline(time.monotonic() + timeout, timeout), ask)
        except (httpx2.TimeoutException, _DeadlineExceeded):
            return f"no answer within {timeout:g} s"
        except (httpx2.HTTPError, httpx2.InvalidURL, OSError, RuntimeError) as exc:
            return _describe(exc)
        if status >= 500:
            return f"it answered {status}"
        if status in (401, 403, 429):
            return None  # the Hub, refusing this token or rate limiting: the loads will say so
        if "html" in content_type.lower() or body.lstrip()[:1] == b"<":
            return f"it answered {status} with a web page, not the Hub's API (a captive portal, proxy or sign-in page?)"
        try:
            import json

            json.loads(body)
        except (ValueError, RecursionError):
            return f"it answered {status} with something that is not the Hub's API (not JSON)"
        if status >= 400:
            return f"it answered {status}"
        return None

    # -- internals ------------------------------------------------------------------------------------------

    def _fetch_all_pages(self, url: str, params, what: str) -> tuple[list, bytes | None]:
        """``(all pages' items, the answer's bytes when it was a single page)``."""
        items: list = []
        raw = None
        next_url, next_params = url, params
        seen = set()
        origin = _origin(self.endpoint)
        while next_url:
            if len(seen) >= MAX_PAGES:
                raise BadResponseError(f"{what}: the Hub's paging goes on past {MAX_PAGES} pages; stopped there")
            body, response_links, raw = self._fetch(next_url, next_params, what, with_raw=True)
            if not isinstance(body, list):
                raise BadResponseError(f"{what}: expected a JSON list from {url}, got {type(body).__name__}")
            items.extend(body)
            link = response_links.get("next", {}).get("url")
            if link:
                # The Hub sends absolute links; a relative one is read as a browser would.
                link = urljoin(next_url, link)
            if link and _origin(link) != origin:
                # Following it would send the token to another server.
                raise BadResponseError(
                    f"{what}: the Hub's next page points outside {self.endpoint} (to {urlsplit(link).netloc}); "
                    "not followed"
                )
            if link and link in seen:
                raise BadResponseError(f"{what}: the Hub's paging loops back to {link}")
            if link:
                seen.add(link)
            next_url, next_params = link, None
        return items, (raw if len(seen) == 0 else None)

    def _fetch(self, url: str, params, what: str, with_raw: bool = False):
        """``(body, links)``, or ``(body, links, the body's bytes)`` ``with_raw``."""
        def attempt(deadline: float):
            return self._request_once(url, params, what, deadline, with_raw)

        return self._with_retries(attempt, what)

    def _check_down(self, what: str) -> None:
        down = self.pacer.down()
        if down is not None:
            ago, reason = down
            raise HubUnavailableError(
                f"{what}: not requested, because the Hub at {self.endpoint} stopped answering {ago:.0f} s ago "
                f"({reason}); try again in {max(1, HOLD_DOWN_S - ago):.0f} s, or work offline with "
                "LBTOOLS_SOURCE=snapshot"
            )

    def _request_once(self, url: str, params, what: str, deadline: float, with_raw: bool = False):
        import httpx2
        from huggingface_hub.errors import HfHubHTTPError, OfflineModeIsEnabled
        from huggingface_hub.utils import hf_raise_for_status

        path = urlsplit(url).path
        sent_at: list[float] = []
        counted: list[bool] = []  # the pacer counts this request in flight (``before_request`` passed)
        once = threading.Lock()

        def finished():
            if once.acquire(blocking=False):
                self.pacer.finished()

        def send(job: _Job):
            # In a sender: everything between taking a slot and freeing it, as one unit.
            self._check_down(what)
            try:
                self.pacer.before_request(deadline)
            except _PacerWait as block:
                raise self._rate_limited(what, block.wait) from None
            counted.append(True)
            try:
                _install_request_hook()  # again: a shared client closed by a ConnectError is recreated without it
                sent = time.monotonic()
                sent_at.append(sent)
                # Headers and body within REQUEST_DEADLINE_FACTOR timeouts, whatever the server trickles.
                _current.set(job.start(_Deadline(min(deadline, sent + REQUEST_DEADLINE_FACTOR * self.timeout),
                                                 self.timeout)))
                try:
                    response = self._get(url, params, what)
                    return response, self.pacer.after_response(response.headers, response.status_code)
                except (LbtoolsError, _Transient, Cancelled):
                    raise
                except OfflineModeIsEnabled as exc:
                    raise self._classify(exc, what) from exc
                except (httpx2.HTTPError, httpx2.InvalidURL, OSError, RuntimeError) as exc:
                    # A ConnectError in another thread can close the shared client under us (ReadError, or
                    # "client has been closed"): _classify retries those.
                    failure = self._classify(exc, what)
                    if isinstance(failure, _Transient) and failure.timed_out and not job.dropped:
                        # Counted before this sender takes the next request, so that one sees an endpoint held down.
                        self.pacer.timed_out(sent, self.timeout, path)
                    raise failure from exc
                except Exception as exc:  # noqa: BLE001 - a surprise inside huggingface_hub/httpx2: an lbtools error
                    raise self._classify(exc, what) from exc
            finally:
                finished()

        def on_deadline():
            # Counted before another sender may stand in for the one still waiting.
            self.pacer.timed_out(sent_at[0], self.timeout, path)

        try:
            response, wait = self._senders.run(send, on_deadline)
        except _DeadlineExceeded as exc:
            raise self._classify(exc, what) from exc
        finally:
            if counted:  # else its sender never counted it, or will stop counting it itself
                finished()
        try:
            hf_raise_for_status(response)
        except HfHubHTTPError as exc:
            raise self._classify(exc, what, wait=wait) from exc
        try:
            body = loads_json(response.content)  # bad UTF-8 in one entry is repaired per record, not fatal
        except (ValueError, RecursionError) as exc:
            # Answered in full (a body cut short is a transport error, retried above) but unreadable: not retried.
            detail = "nested too deeply" if isinstance(exc, RecursionError) else _first_line(exc)
            raise BadResponseError(
                f"{what}: the Hub's answer from {url} is not JSON ({detail}); nothing was loaded from it"
            ) from None
        return (body, response.links, response.content) if with_raw else (body, response.links)

    def _get(self, url: str, params, what: str):
        """One GET, its body read in full but never past ``MAX_BODY_BYTES`` (the caller bounds its time)."""
        import httpx2
        from huggingface_hub import get_session

        with get_session().stream("GET", url, params=params, headers=self._headers, timeout=self.timeout) as response:
            declared = response.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > MAX_BODY_BYTES:
                raise self._too_large(what, int(declared))
            chunks, size = [], 0
            for chunk in response.iter_bytes():
                size += len(chunk)
                if size > MAX_BODY_BYTES:
                    raise self._too_large(what, size)
                chunks.append(chunk)
            # A plain response holding the decoded body: hf_raise_for_status and .json() read it like any other.
            headers = [(k, v) for k, v in response.headers.multi_items()
                       if k.lower() not in ("content-encoding", "content-length", "transfer-encoding")]
            return httpx2.Response(response.status_code, headers=headers, content=b"".join(chunks),
                                   request=response.request)

    def _too_large(self, what: str, size: int) -> BadResponseError:
        return BadResponseError(
            f"{what}: the Hub sent {size / 1e6:.1f} MB or more, over the {MAX_BODY_BYTES / 2**20:g} MiB lbtools "
            "accepts for one response; nothing was loaded from it"
        )

    def _access_denied(self, what: str, status: int) -> AccessDeniedError:
        if self.authenticated:
            advice = ("the token sent is invalid, expired, or may not read it: check it at "
                      "https://huggingface.co/settings/tokens, or pass token=False for public data")
        else:
            advice = "it needs a token: authenticate with `hf auth login`, HF_TOKEN, or token=..."
        return AccessDeniedError(f"{what}: the Hub refused access ({status}); {advice}")

    def _not_found(self, what: str) -> NotFoundError:
        if what.startswith("benchmark "):
            return NotFoundError(
                f"{what} was not found on {self.endpoint}, or it is private, or it has no leaderboard: check the id "
                "(lbtools.list_benchmarks() lists the official benchmarks)"
            )
        return NotFoundError(f"{what} was not found on {self.endpoint}, or it is private: check the id")

    def _rate_limited(self, what: str, wait: float | None) -> RateLimitedError:
        # The seconds said are wait_seconds rounded (0 for a Retry-After in the past): the two never disagree.
        when = f"wait {wait:.0f} s" if wait is not None else "wait a few minutes"
        return RateLimitedError(
            f"{what}: the Hub's rate limit is exhausted; {when} and try again "
            "(authenticated requests get a larger quota: `hf auth login` or HF_TOKEN)",
            wait_seconds=wait,
        )

    def _classify(self, exc: BaseException, what: str, wait: float | None = None) -> BaseException:
        """Map a huggingface_hub / transport error to a retryable marker or a clear lbtools error."""
        import httpx2
        from huggingface_hub.errors import (
            FileMetadataError,
            GatedRepoError,
            HfHubHTTPError,
            LocalEntryNotFoundError,
            OfflineModeIsEnabled,
            RepositoryNotFoundError,
        )

        if isinstance(exc, (_Transient, LbtoolsError, Cancelled)):
            return exc
        if isinstance(exc, _DeadlineExceeded):
            return _Transient(exc, timed_out=True)
        if isinstance(exc, _Refused):
            return BadResponseError(f"{what}: {exc}")
        if isinstance(exc, OfflineModeIsEnabled):
            return HubUnavailableError(
                f"{what}: HF_HUB_OFFLINE is set, so the Hub is not contacted; "
                "use LBTOOLS_SOURCE=snapshot or unset HF_HUB_OFFLINE"
            )
        if (isinstance(exc, (LocalEntryNotFoundError, ValueError)) and not isinstance(exc, HfHubHTTPError)
                and exc.__cause__ is not None):
            # hf_hub_download wraps the real failure of its metadata request ("cannot find the requested files in
            # the local cache", "Force download failed"): judge by that failure.
            return self._classify(exc.__cause__, what, wait)
        if isinstance(exc, LocalEntryNotFoundError):
            return HubUnavailableError(
                f"{what}: not in the local download cache, and the Hub was not asked ({_first_line(exc)})"
            )
        if isinstance(exc, FileMetadataError):
            return BadResponseError(
                f"{what}: {self.endpoint} answered without the file metadata the Hub sends ({_first_line(exc)}); "
                "check that HF_ENDPOINT points to a Hugging Face Hub"
            )
        if isinstance(exc, GatedRepoError):
            return GatedBenchmarkError(
                f"{what} is gated: accept its access conditions on its Hub page, then authenticate with "
                "`hf auth login`, the HF_TOKEN environment variable, or token=... "
                + ("(the token given has no access to it)" if self.authenticated else "(no token was sent)")
            )
        if isinstance(exc, RepositoryNotFoundError):
            if exc.response is not None and exc.response.status_code == 401 and self.authenticated:
                # The Hub answers a token it does not accept as it answers a missing repo, but with 401.
                return self._access_denied(what, 401)
            return self._not_found(what)
        if isinstance(exc, HfHubHTTPError):
            response = exc.response
            status = response.status_code if response is not None else None
            if status in TRANSIENT_STATUS:
                if status == 429 and wait is None:
                    wait = _wait_of_429(response.headers)
                return _Transient(exc, wait=wait)
            if status == 404:  # a 404 without the Hub's error code means the same
                return self._not_found(what)
            if status in (401, 403):
                return self._access_denied(what, status)
            return HubUnavailableError(
                f"{what}: the Hub answered {status} ({_first_line(exc)}); try again later, or work offline with "
                "LBTOOLS_SOURCE=snapshot"
            )
        if isinstance(exc, httpx2.TimeoutException):
            return _Transient(exc, timed_out=True)
        if isinstance(exc, (httpx2.UnsupportedProtocol, httpx2.InvalidURL, httpx2.TooManyRedirects)):
            return HubUnavailableError(
                f"{what}: can't request {self.endpoint} ({_describe(exc)}); check HF_ENDPOINT / configure(endpoint=...)"
            )
        if isinstance(exc, httpx2.LocalProtocolError):
            # The request could not even be sent (a header httpx refuses): nothing the Hub did, nothing to retry.
            return HubUnavailableError(f"{what}: lbtools could not send the request ({_describe(exc)})")
        if isinstance(exc, (httpx2.TransportError, httpx2.DecodingError)):
            return _Transient(exc)
        if isinstance(exc, OSError) and not isinstance(exc, httpx2.HTTPError):
            # A file on this machine (disk full, permissions in HF_HOME): the Hub is fine, retrying won't help.
            return OSError(
                exc.errno,
                mask_secrets(f"{what}: a local file operation failed ({_describe(exc)}); this is a problem on this "
                             "machine, not the Hub's: free disk space or check the permissions of HF_HOME"),
            )
        if isinstance(exc, RuntimeError) and "closed" in str(exc):
            # "Cannot send a request, as the client has been closed": another thread's ConnectError made
            # huggingface_hub close its shared client; the next attempt gets a new one.
            return _Transient(exc)
        if isinstance(exc, Exception):
            return BadResponseError(
                f"{what}: huggingface_hub failed unexpectedly ({_describe(exc)}); lbtools loaded nothing from this "
                "request: try again, or work offline with LBTOOLS_SOURCE=snapshot"
            )
        return exc

    def _with_retries(self, attempt, what: str):
        """Run ``attempt(deadline)`` under tenacity: transient failures back off exponentially with jitter, bounded
        by ``MAX_ATTEMPTS``, ``MAX_TIMEOUTS`` and ``max_total`` seconds."""
        import tenacity

        timeouts = [0]
        started = time.monotonic()
        deadline = started + self.max_total

        def should_stop(state: tenacity.RetryCallState) -> bool:
            exc = state.outcome.exception() if state.outcome else None
            if isinstance(exc, _Transient) and exc.timed_out:
                timeouts[0] += 1
            if state.attempt_number >= MAX_ATTEMPTS or timeouts[0] >= MAX_TIMEOUTS:
                return True
            # Never sleep past the cap only to be stopped by it.
            return time.monotonic() + state.upcoming_sleep > deadline

        backoff = tenacity.wait_exponential_jitter(
            multiplier=BACKOFF_INITIAL_S, max=BACKOFF_MAX_S, jitter=BACKOFF_JITTER_S
        )

        def wait_for(state: tenacity.RetryCallState) -> float:
            exc = state.outcome.exception()
            if isinstance(exc, _Transient) and exc.wait is not None:
                # The pacer already blocks every thread until then; add a little jitter so they don't stampede.
                return exc.wait + random.uniform(0, RETRY_AFTER_JITTER_S)
            if isinstance(exc, _Transient) and exc.timed_out:
                # Two timeouts end the request: keep the pause between them short so the whole stays under 3×.
                return min(backoff(state), self.timeout / 4)
            return backoff(state)

        retrying = tenacity.Retrying(
            retry=tenacity.retry_if_exception_type(_Transient),
            stop=should_stop,
            wait=wait_for,
            sleep=_sleep,
            reraise=True,
        )
        try:
            return retrying(attempt, deadline)
        except _Transient as failure:
            import httpx2

            error = self._give_up(failure, what, time.monotonic() - started, timeouts[0])
            # Refused connections say the endpoint is gone; timeouts hold it down through ``timed_out``.
            unreachable = isinstance(failure.cause, (httpx2.ConnectError, httpx2.ConnectTimeout))
            self.pacer.gave_up(started, _describe(failure.cause), unreachable=unreachable)
            raise error from failure.cause

    def _give_up(self, failure: _Transient, what: str, elapsed: float, timeouts: int) -> Exception:
        from huggingface_hub.errors import HfHubHTTPError

        cause = failure.cause
        if isinstance(cause, HfHubHTTPError) and cause.response is not None and cause.response.status_code == 429:
            return self._rate_limited(what, failure.wait)
        if timeouts >= MAX_TIMEOUTS or failure.timed_out:
            return HubUnavailableError(
                f"{what}: the Hub at {self.endpoint} did not answer within {self.timeout:g} s "
                f"({timeouts} timed-out tries, {elapsed:.1f} s in all); it may be down or unreachable: try again "
                "later, raise LBTOOLS_TIMEOUT on a slow connection, or work offline with LBTOOLS_SOURCE=snapshot"
            )
        return HubUnavailableError(
            f"{what}: the Hub at {self.endpoint} failed after retrying for {elapsed:.1f} s ({_describe(cause)}); "
            "try again later, or work offline with LBTOOLS_SOURCE=snapshot"
        )


def _origin(url: str) -> tuple[str, str, int | None]:
    parts = urlsplit(url)
    port = parts.port or {"http": 80, "https": 443}.get(parts.scheme.lower())
    return parts.scheme.lower(), (parts.hostname or "").lower(), port


def _describe(exc: BaseException) -> str:
    name = type(exc).__name__
    text = _first_line(exc)
    return f"{name}: {text}" if text else name


def _first_line(exc: BaseException) -> str:
    text = mask_secrets(str(exc)).strip()
    return text.splitlines()[0][:300] if text else ""
