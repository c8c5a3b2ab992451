"""The one module that talks to the Hub: raw JSON through huggingface_hub's shared client, retried with tenacity.

Raw JSON is kept, not huggingface_hub's parsed dataclasses, which drop fields (``verified``, ``filename``) and fail a
whole model for one bad eval-result file. On top of ``get_session()`` and ``hf_raise_for_status``:

- every request has a timeout (``timeout=``: the shared client has none), and its body is read in chunks under a
  deadline of ``REQUEST_DEADLINE_FACTOR`` timeouts and a size cap, so a server trickling bytes is cut off; requests
  run in the load's thread pool, whose caller stops waiting for an attempt past its deadline (``pool.fan_out``);
- retries (tenacity) for 429, 5xx and transport errors, with exponential backoff and jitter, capped in attempts, in
  timed-out tries (two: a silent endpoint fails within 3× the timeout) and in total time; a 429's wait comes from
  ``Retry-After`` or ``RateLimit`` (``parse_ratelimit_headers``), clamped to ``MAX_WAIT_S``;
- per load (one ``HubClient``), a 429 pauses the load's other requests, and an endpoint that stopped answering fails
  the rest of the load at once; nothing is remembered from one load to the next;
- the response cache (``lbtools._hub.cache``), holding only answers of the expected shape, per identity.
"""

from __future__ import annotations

import json
import math
import platform
import random
import threading
import time
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import urljoin, urlsplit

from ..config import Token, check_token
from ..errors import (AccessDeniedError, BadResponseError, GatedBenchmarkError, HubUnavailableError, LbtoolsError,
                      NotFoundError, RateLimitedError, mask_secrets)
from .cache import ResponseCache
from .parse import loads_json
from .pool import Cancelled, NotCached, current_task, run_bounded

AGGREGATE_REPO = "OpenEvals/leaderboard-data"  # the official benchmarks' results in one Parquet
AGGREGATE_FILE = "data/train-00000-of-00001.parquet"

MAX_BODY_BYTES = 64 * 1024 * 1024  # one response
MAX_CALL_BYTES = 256 * 1024 * 1024  # all pages of one call
MAX_PAGES = 1000
MAX_ATTEMPTS = 8
MAX_TIMEOUTS = 2
MAX_TOTAL_S = 120.0
MAX_WAIT_S = 3600.0  # a Retry-After past an hour is a server's mistake, not advice
MAX_PACE_S = 300.0  # the Hub's rate-limit window: a quota spent on a 200 pauses a load at most this long
BACKOFF_INITIAL_S = 0.5
BACKOFF_MAX_S = 4.0
BACKOFF_JITTER_S = 0.5
REQUEST_DEADLINE_FACTOR = 2.0  # one request, headers and body, ends within this many timeouts
PROBE_MAX_BYTES = 1 << 20
TRANSIENT_STATUS = (429, 500, 502, 503, 504)


def utc_iso(timestamp: float | None = None) -> str:
    """``timestamp`` (seconds since the epoch; default now) as a UTC ISO time, e.g. ``2026-03-25T19:09:12Z``."""
    moment = datetime.now(timezone.utc) if timestamp is None else datetime.fromtimestamp(timestamp, timezone.utc)
    return moment.isoformat(timespec="seconds").replace("+00:00", "Z")


class _Transient(Exception):
    """A failure worth retrying; ``wait`` is what the server asked for, if it did."""

    def __init__(self, cause: BaseException, wait: float | None = None, timed_out: bool = False):
        super().__init__(str(cause))
        self.cause, self.wait, self.timed_out = cause, wait, timed_out


def _clamp(seconds: float) -> float:
    return min(MAX_WAIT_S, max(0.0, seconds)) if math.isfinite(seconds) else MAX_WAIT_S


def _retry_after(headers) -> float | None:
    """``Retry-After`` (seconds or an HTTP date) in seconds, clamped; None when absent or unreadable."""
    from email.utils import parsedate_to_datetime

    raw = headers.get("retry-after")
    try:
        return None if raw is None else _clamp(float(raw))
    except ValueError:
        try:
            return _clamp((parsedate_to_datetime(raw) - datetime.now(timezone.utc)).total_seconds())
        except (TypeError, ValueError, OverflowError):
            return None


def _ratelimit(headers):
    from huggingface_hub.utils import parse_ratelimit_headers

    try:
        return parse_ratelimit_headers(headers)
    except (ValueError, TypeError):  # a malformed header must not fail the request it came with
        return None


def _wait_of_429(headers) -> float:
    """What a 429 asks for: the longer of ``Retry-After`` and, when the quota is spent, the ``RateLimit`` reset;
    one second when it says neither; never more than ``MAX_WAIT_S``."""
    info = _ratelimit(headers)
    waits = [_retry_after(headers)]
    if info is not None and (info.remaining <= 0 or waits[0] is None):
        waits.append(_clamp(float(info.reset_in_seconds)))
    waits = [w for w in waits if w is not None]
    return max(waits) if waits else 1.0


def resolve_token(token):
    """The token requests will carry, as a masked ``config.Token``: a checked ``token``, or for ``None`` the login or
    ``HF_TOKEN`` (unless ``HF_HUB_DISABLE_IMPLICIT_TOKEN``); ``None`` for anonymous. Never echoes a token."""
    from huggingface_hub.utils import get_token_to_send

    token = check_token(token)
    if token is not None:
        return token or None
    found = get_token_to_send(None)  # None under HF_HUB_DISABLE_IMPLICIT_TOKEN
    if found is None:
        return None
    try:
        return check_token(Token(found))
    except ValueError:
        raise ValueError(
            "the token found in HF_TOKEN or saved by `hf auth login` holds spaces, control or non-ASCII characters "
            "(its value is not shown); set it again, or pass token=False to load without one"
        ) from None


class _MaskedHeaders(dict):
    """Request headers whose repr never shows the token (tracebacks with locals, debuggers, notebook reprs)."""

    def __repr__(self) -> str:
        return repr({k: ("***" if k.lower() == "authorization" else v) for k, v in self.items()})


def _headers(token) -> _MaskedHeaders:
    """huggingface_hub's headers without its agent detection (a registry fetch with no overall bound)."""
    import huggingface_hub

    from .. import __version__

    agent = f"lbtools/{__version__}; hf_hub/{huggingface_hub.__version__}; python/{platform.python_version()}"
    return _MaskedHeaders({"user-agent": agent, **({"authorization": f"Bearer {token.reveal()}"} if token else {})})


class HubClient:
    """Fetches raw JSON from one endpoint, with timeouts, retries and the response cache; one per load. It is the
    live source of the loaders (``sources.SnapshotSource`` is the recorded one).

    ``token``: ``None`` (``HF_TOKEN`` or the login), ``False`` (anonymous), a string or ``config.Token``.
    ``max_total``: seconds one call may spend retrying, waits included (default ``MAX_TOTAL_S``).
    ``recording``: the client of a snapshot save, whose failures never suggest working from a snapshot instead.
    """

    def __init__(self, settings, token=None, *, max_total: float | None = None, on_down=None, recording=False):
        self.endpoint, self.timeout = settings.endpoint, settings.timeout
        self.max_total = max_total if max_total is not None else max(MAX_TOTAL_S, 2 * settings.timeout)
        self._token = resolve_token(token)  # a config.Token (masked) or None
        self.authenticated = self._token is not None
        self._headers = _headers(self._token)
        self.cache = None
        if settings.cache_dir is not None and settings.cache_ttl > 0:
            self.cache = ResponseCache(settings.cache_dir, settings.cache_ttl, self.endpoint, self._token)
            if not self.cache.usable():
                self.cache = None
        self.paused_until = self.last_answer = 0.0  # a 429 pauses this load; when it last got an answer
        # The rate-limit window as the answers' RateLimit headers tell it: requests left (None: unknown) until when.
        self.in_flight, self.quota_left, self.quota_reset, self._lock = 0, None, 0.0, threading.Lock()
        self.down: str | None = None  # why this load stopped sending requests
        self._on_down = on_down  # told the endpoint when it is found down (auto's probe memory forgets it)
        self._recording = recording

    kind = name = "hub"

    def __repr__(self) -> str:
        return f"HubClient(endpoint={self.endpoint!r}, authenticated={self.authenticated})"

    def recorded_benchmarks(self):
        return None, {}, []  # nothing recorded: the live list is the list

    # -- public ---------------------------------------------------------------------------------------------------

    def get_json(self, path: str, params=None, *, what: str, refresh: bool = False, paged: bool = False,
                 expect=None):
        """``(body, fetched_at)`` for ``GET path?params``, from the cache when fresh.

        ``paged`` follows ``Link: rel="next"`` and joins the pages into one list. ``expect(body)`` says why a body is
        not of the expected shape (or None): such a body raises BadResponseError and is never cached."""
        if self.cache is not None and not refresh:
            hit = self.cache.get(path, params, expect=expect)
            if hit is not None:
                return hit[0], utc_iso(hit[1])

        def fetch():
            body, raw = self._pages(path, params, what, paged)
            problem = expect(body) if expect is not None else None
            if problem is not None:
                raise BadResponseError(f"{what}: {problem}; nothing was loaded or cached from it")
            if self.cache is not None:
                self.cache.put(path, params, raw)
            return body, utc_iso()

        return _in_task(fetch, what)

    def download(self, repo_id: str, filename: str, *, repo_type: str = "dataset", revision: str | None = None,
                 refresh: bool = False):
        """``(local path, commit)`` of a repository file through the Hub's own download cache (ETag revalidation)."""
        from huggingface_hub import hf_hub_download

        what = f"{repo_type} {repo_id}"

        def get(revision, dry_run):  # the token is passed, never bound to a name here: tracebacks with locals
            return hf_hub_download(repo_id, filename, repo_type=repo_type, revision=revision, dry_run=dry_run,
                                   endpoint=self.endpoint, etag_timeout=self.timeout, force_download=refresh,
                                   token=self._token.reveal() if self._token else False)

        def attempt(deadline):
            info = get(revision, True)  # one HEAD: the commit, and whether the cached copy is current
            # by the revision asked for (main), not the commit: only then does the Hub's cache record which commit
            # main is, so that an unreachable Hub is answered from the copy already downloaded
            path = get(revision, False) if info.will_download else info.local_path
            self.last_answer = time.monotonic()
            return Path(path), info.commit_hash

        return _in_task(lambda: self._retried(what, self.max_total, attempt), what)

    def aggregate_file(self, *, revision=None, refresh=False):
        """``(local path, commit, fetched_at)`` of the aggregate Parquet."""
        return (*self.download(AGGREGATE_REPO, AGGREGATE_FILE, revision=revision, refresh=refresh), utc_iso())

    def repo_file(self, repo_id, filename, *, repo_type="dataset", refresh=False):
        """The local path of a repository file (a benchmark's ``eval.yaml``), through the Hub's download cache."""
        return self.download(repo_id, filename, repo_type=repo_type, refresh=refresh)[0]

    def probe(self, timeout: float) -> str | None:
        """``None`` when the endpoint gives a Hub's answer within ``timeout`` s (headers and body), else why not:
        no answer, a server error, or an answer that is not the Hub's API (a captive portal's web page)."""
        import httpx2

        silent = f"no answer within {timeout:g} s"

        def ask():
            with current_task.get().attempt(timeout + 0.5, silent):
                return self._get(f"{self.endpoint}/api/datasets", {"filter": "benchmark:official", "limit": 1},
                                 "the probe", time.monotonic() + timeout, timeout, PROBE_MAX_BYTES)

        try:
            response = run_bounded(ask)
        except (_Transient, HubUnavailableError, httpx2.TimeoutException):
            return silent  # no complete answer in time
        except BadResponseError:
            return None  # it answered, too much: the Hub's API all the same
        except Exception as exc:  # noqa: BLE001 - any failure to get an answer is the reason
            return _describe(exc)
        status, body = response.status_code, response.content
        if status in (401, 403, 429):
            return None  # the Hub, refusing this token or rate limiting: the loads will say so
        if status < 500 and ("html" in response.headers.get("content-type", "").lower() or body.lstrip()[:1] == b"<"):
            return f"it answered {status} with a web page, not the Hub's API (a captive portal, proxy or sign-in page?)"
        try:
            json.loads(body)
        except (ValueError, RecursionError):
            return f"it answered {status}" if status >= 500 else \
                f"it answered {status} with something that is not the Hub's API (not JSON)"
        return f"it answered {status}" if status >= 400 else None

    # -- one request --------------------------------------------------------------------------------------------

    def _pages(self, path, params, what, paged):
        """``(body, raw bytes to cache)``: one answer, or every page of a paged listing joined (bounded in count,
        total bytes and time)."""
        url, origin = f"{self.endpoint}{path}", _origin(self.endpoint)
        items, seen, total, raw = [], set(), 0, b""
        ends = time.monotonic() + self.max_total
        while url:
            if time.monotonic() > ends:
                raise BadResponseError(f"{what}: the Hub's paging went on for over {self.max_total:g} s; stopped")
            response, body = self._request(url, params, what, MAX_CALL_BYTES - total)
            raw, total = response.content, total + len(response.content)
            if not paged:
                return body, raw
            if not isinstance(body, list):
                raise BadResponseError(f"{what}: expected a JSON list from {url}, got {type(body).__name__}")
            items.extend(body)
            link = response.links.get("next", {}).get("url")
            link = urljoin(url, link) if link else None
            if link and _origin(link) != origin:  # following it would send the token to another server
                raise BadResponseError(f"{what}: the Hub's next page points outside {self.endpoint} (to "
                                       f"{urlsplit(link).netloc}); not followed")
            if link in seen or len(seen) >= MAX_PAGES:
                raise BadResponseError(f"{what}: the Hub's paging loops back to {link}" if link in seen else
                                       f"{what}: the Hub's paging goes on past {MAX_PAGES} pages; stopped there")
            seen.add(link)
            url, params = link, None
        return items, (raw if len(seen) == 1 else json.dumps(items).encode())

    def _request(self, url, params, what, budget):
        """One GET, retried: ``(response, its JSON body)``, a response of at most ``budget`` bytes."""
        from huggingface_hub.utils import hf_raise_for_status

        bound = REQUEST_DEADLINE_FACTOR * self.timeout

        def attempt(deadline):
            response = self._get(url, params, what, min(deadline, time.monotonic() + bound), self.timeout,
                                 min(MAX_BODY_BYTES, budget))
            self._note_answer(response)
            hf_raise_for_status(response)
            try:
                return response, loads_json(response.content)  # bad UTF-8 in one entry is repaired per record
            except (ValueError, RecursionError) as exc:
                if isinstance(exc, json.JSONDecodeError) and response.extensions.get("lbtools_ends_when_closed"):
                    raise _Transient(exc) from None  # a cut can't be told from the body's end: ask again
                detail = "nested too deeply" if isinstance(exc, RecursionError) else _first_line(exc)
                raise BadResponseError(f"{what}: the Hub's answer from {url} is not JSON ({detail}); nothing was "
                                       "loaded from it") from None

        return self._retried(what, bound + 1.0, attempt)

    def _get(self, url, params, what, deadline, timeout, limit):
        """A GET whose body is read in chunks, never past ``deadline`` (monotonic) nor past ``limit`` bytes."""
        import httpx2
        from huggingface_hub import get_session

        with get_session().stream("GET", url, params=params, headers=self._headers, timeout=timeout) as response:
            declared = response.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > limit:
                raise self._too_large(what, int(declared), limit)
            chunks, size = [], 0
            for chunk in response.iter_bytes():
                size += len(chunk)
                if size > limit:
                    raise self._too_large(what, size, limit)
                if time.monotonic() > deadline:
                    raise _Transient(TimeoutError(f"no complete answer within {REQUEST_DEADLINE_FACTOR * timeout:g} s"),
                                     timed_out=True)
                chunks.append(chunk)
            headers = [(k, v) for k, v in response.headers.multi_items()
                       if k.lower() not in ("content-encoding", "content-length", "transfer-encoding")]
            # neither a length nor chunks: the body ends when the connection closes, so a cut looks like the end
            ends_when_closed = not declared and "chunked" not in response.headers.get("transfer-encoding", "")
            return httpx2.Response(response.status_code, headers=headers, content=b"".join(chunks),
                                   request=response.request, extensions={"lbtools_ends_when_closed": ends_when_closed})

    def _before_request(self, what: str, deadline: float) -> None:
        if self.down is not None:
            raise self._unavailable(what, f"stopped answering during this load ({self.down}), so this was not "
                                          "requested")
        while True:
            with self._lock:
                now = time.monotonic()
                if self.quota_left is not None and now >= self.quota_reset:
                    self.quota_left = None  # a new window: the next answer says where it stands
                if self.quota_left is not None and self.quota_left <= 0:  # spent: wait for the window to end
                    self.paused_until = max(self.paused_until, self.quota_reset)
                left = self.paused_until - now
                if left <= 0:
                    self.in_flight += 1
                    self.quota_left = None if self.quota_left is None else self.quota_left - 1
                    return
            if left + self.timeout > deadline - now:  # said at once, not after a wait that leaves no time to ask
                raise self._rate_limited(what, left)
            _sleep(left)

    def _note_answer(self, response) -> None:
        """What an answer says of the window: a 429 pauses the load for its wait; ``RateLimit`` gives the requests
        left (less the load's others in flight, which it does not count yet; ``in_flight`` still counts this one) and
        when the window ends (on a 200, a reset past ``MAX_PACE_S`` is not believed). Of two answers of one window,
        the one leaving fewer requests is believed: answers are not processed in the order the Hub counted them."""
        info, now = _ratelimit(response.headers), time.monotonic()
        with self._lock:
            self.last_answer = now
            if response.status_code == 429:
                self.paused_until = max(self.paused_until, now + _wait_of_429(response.headers))
            if info is not None and info.reset_in_seconds <= MAX_PACE_S:
                left, reset = info.remaining - (self.in_flight - 1), now + info.reset_in_seconds
                same_window = self.quota_left is not None and reset <= self.quota_reset + 1
                self.quota_left = min(self.quota_left, left) if same_window else left
                self.quota_reset = reset

    def _overdue(self, what: str) -> str:
        """The message of an attempt the caller stopped waiting for (no headers within its deadline)."""
        return str(self._unavailable(what, f"did not answer within {self.timeout:g} s", silent=True))

    # -- retrying ----------------------------------------------------------------------------------------------

    def _retried(self, what: str, limit: float, call):
        """``call(deadline)`` under tenacity: transient failures back off exponentially with jitter, bounded by
        ``MAX_ATTEMPTS``, ``MAX_TIMEOUTS`` and ``max_total`` seconds. Each attempt first waits out the load's pause,
        is given up by the load past ``limit`` s (``pool.Task.attempt``), counts as in flight while it runs, and
        fails classified."""
        import tenacity

        def attempt(deadline):
            self._before_request(what, deadline)
            try:
                with current_task.get().attempt(limit, self._overdue(what)):
                    return call(deadline)
            except Exception as exc:  # noqa: BLE001 - classified
                raise self._classify(exc, what) from exc
            finally:
                with self._lock:
                    self.in_flight -= 1

        timeouts, started = [0], time.monotonic()
        deadline = started + self.max_total
        backoff = tenacity.wait_exponential_jitter(multiplier=BACKOFF_INITIAL_S, max=BACKOFF_MAX_S,
                                                   jitter=BACKOFF_JITTER_S)

        def wait_for(state):
            exc = state.outcome.exception()
            if exc.wait is not None:  # a 429 waits what it says; one that says "0" backs off like any failure
                return (exc.wait if exc.wait > 0 else backoff(state)) + random.uniform(0, 0.25)
            if exc.timed_out:  # two timeouts end the request: the pause between them is short
                return min(backoff(state), self.timeout / 4)
            return backoff(state)

        def should_stop(state):
            exc = state.outcome.exception()
            timeouts[0] += bool(exc.timed_out)
            if state.attempt_number >= MAX_ATTEMPTS or timeouts[0] >= MAX_TIMEOUTS:
                return True
            # never sleep only to be stopped by the cap; a rate limit's wait that, with one timeout for the request
            # after it, passes the budget ends the request at once, as _before_request ends the load's others
            after = self.timeout if exc.wait is not None else 0.0
            return time.monotonic() + wait_for(state) + after > deadline

        retrying = tenacity.Retrying(retry=tenacity.retry_if_exception_type(_Transient), stop=should_stop,
                                     wait=wait_for, sleep=_sleep, reraise=True)
        try:
            return retrying(attempt, deadline)
        except _Transient as failure:
            raise self._give_up(failure, what, started, timeouts[0]) from failure.cause

    def _give_up(self, failure: _Transient, what: str, started: float, timeouts: int) -> Exception:
        import httpx2

        elapsed = time.monotonic() - started
        response = getattr(failure.cause, "response", None)
        if response is not None and response.status_code == 429:
            return self._rate_limited(what, failure.wait)
        unreachable = timeouts >= MAX_TIMEOUTS or isinstance(failure.cause, (httpx2.ConnectError,
                                                                            httpx2.ConnectTimeout))
        if unreachable and self.last_answer < started:
            self.down = f"no answer within {self.timeout:g} s" if timeouts else _describe(failure.cause)
            if self._on_down is not None:
                self._on_down(self.endpoint)
        if timeouts >= MAX_TIMEOUTS or failure.timed_out:
            return self._unavailable(what, f"did not answer within {self.timeout:g} s ({timeouts} timed-out tries, "
                                           f"{elapsed:.1f} s in all)", silent=True)
        return self._unavailable(what, f"failed after retrying for {elapsed:.1f} s ({_describe(failure.cause)})")

    # -- errors ---------------------------------------------------------------------------------------------------

    def _unavailable(self, what: str, happened: str, silent: bool = False) -> HubUnavailableError:
        """``{what}: the Hub at {endpoint} {happened}``, and what to do."""
        advice = ("it may be down or unreachable: try again later, raise LBTOOLS_TIMEOUT on a slow connection"
                  if silent else "try again later")
        return HubUnavailableError(f"{what}: the Hub at {self.endpoint} {happened}; {advice}{self._offline_advice()}")

    def _offline_advice(self) -> str:
        """Working from a snapshot is advice for a load, never for a save (which records the Hub)."""
        return "" if self._recording else ", or work offline with LBTOOLS_SOURCE=snapshot"

    def _too_large(self, what: str, size: int, limit: int) -> BadResponseError:
        if limit >= MAX_BODY_BYTES:  # one answer
            over = (f"the Hub sent {size / 1e6:.1f} MB or more, over the {limit / 2**20:g} MiB lbtools accepts for one "
                    "answer")
        else:  # a page that takes a listing past its budget (``limit`` is what was left of it)
            over = (f"the Hub's pages of this listing went over the {MAX_CALL_BYTES / 2**20:g} MiB lbtools accepts for "
                    "all of them")
        return BadResponseError(f"{what}: {over}; nothing was loaded from it")

    def _rate_limited(self, what: str, wait: float | None) -> RateLimitedError:
        when = f"wait {wait:.0f} s" if wait is not None and wait >= 1 else "wait a few minutes"  # never "wait 0 s"
        return RateLimitedError(f"{what}: the Hub's rate limit is exhausted; {when} and try again (authenticated "
                                "requests get a larger quota: `hf auth login` or HF_TOKEN)", wait_seconds=wait)

    def _not_found(self, what: str) -> NotFoundError:
        board = what.startswith("benchmark ")
        return NotFoundError(f"{what} was not found on {self.endpoint}, or it is private"
                             + (", or it has no leaderboard: check the id (lbtools.list_benchmarks() lists the "
                                "official benchmarks)" if board else ": check the id"))

    def _access_denied(self, what: str, status: int) -> AccessDeniedError:
        advice = ("the token sent is invalid, expired, or may not read it: check it at "
                  "https://huggingface.co/settings/tokens, or pass token=False for public data" if self.authenticated
                  else "it needs a token: authenticate with `hf auth login`, HF_TOKEN, or token=...")
        return AccessDeniedError(f"{what}: the Hub refused access ({status}); {advice}")

    def _classify(self, exc: BaseException, what: str) -> BaseException:
        """A huggingface_hub / transport error as a retryable ``_Transient`` or a clear lbtools error (by type)."""
        import httpx2
        from huggingface_hub.errors import (FileMetadataError, GatedRepoError, HfHubHTTPError, LocalEntryNotFoundError,
                                            OfflineModeIsEnabled, RepositoryNotFoundError)

        if isinstance(exc, (_Transient, LbtoolsError, Cancelled)):
            return exc
        if isinstance(exc, OfflineModeIsEnabled):
            return HubUnavailableError(f"{what}: HF_HUB_OFFLINE is set, so the Hub is not contacted; use "
                                       "LBTOOLS_SOURCE=snapshot or unset HF_HUB_OFFLINE")
        if (isinstance(exc, (LocalEntryNotFoundError, ValueError)) and not isinstance(exc, HfHubHTTPError)
                and exc.__cause__ is not None):
            return self._classify(exc.__cause__, what)  # hf_hub_download wraps the real failure: judge by it
        if isinstance(exc, LocalEntryNotFoundError):
            return HubUnavailableError(f"{what}: not in the local download cache, and the Hub was not asked "
                                       f"({_first_line(exc)})")
        if isinstance(exc, FileMetadataError):
            return BadResponseError(f"{what}: {self.endpoint} answered without the file metadata the Hub sends "
                                    f"({_first_line(exc)}); check that HF_ENDPOINT points to a Hugging Face Hub")
        if isinstance(exc, GatedRepoError):
            return GatedBenchmarkError(
                f"{what} is gated: accept its access conditions on its Hub page, then authenticate with "
                "`hf auth login`, the HF_TOKEN environment variable, or token=... "
                + ("(the token given has no access to it)" if self.authenticated else "(no token was sent)")
            )
        if isinstance(exc, RepositoryNotFoundError):
            if exc.response is not None and exc.response.status_code == 401 and self.authenticated:
                return self._access_denied(what, 401)
            return self._not_found(what)
        if isinstance(exc, HfHubHTTPError):
            status = exc.response.status_code if exc.response is not None else None
            if status in TRANSIENT_STATUS:
                return _Transient(exc, wait=_wait_of_429(exc.response.headers) if status == 429 else None)
            if status == 404:
                return self._not_found(what)
            if status in (401, 403):
                return self._access_denied(what, status)
            return self._unavailable(what, f"answered {status} ({_first_line(exc)})")
        if isinstance(exc, httpx2.TimeoutException):
            return _Transient(exc, timed_out=True)
        if isinstance(exc, (httpx2.UnsupportedProtocol, httpx2.InvalidURL, httpx2.TooManyRedirects)):
            return HubUnavailableError(f"{what}: can't request {self.endpoint} ({_describe(exc)}); check "
                                       "HF_ENDPOINT / configure(endpoint=...)")
        if isinstance(exc, httpx2.LocalProtocolError):
            return HubUnavailableError(f"{what}: lbtools could not send the request ({_describe(exc)})")
        if isinstance(exc, (httpx2.TransportError, httpx2.DecodingError, httpx2.StreamError)):
            return _Transient(exc)
        if isinstance(exc, RuntimeError):
            # huggingface_hub closed its shared client (after another thread's ConnectError) under this request:
            # the next attempt gets a new one.
            return _Transient(exc)
        if isinstance(exc, OSError) and not isinstance(exc, httpx2.HTTPError):
            return OSError(exc.errno, mask_secrets(
                f"{what}: a local file operation failed ({_describe(exc)}); this is a problem on this machine, not "
                "the Hub's: free disk space or check the permissions of HF_HOME"))
        if isinstance(exc, Exception):
            return BadResponseError(f"{what}: huggingface_hub failed unexpectedly ({_describe(exc)}); lbtools "
                                    "loaded nothing from this request: try again" + self._offline_advice())
        return exc


def _in_task(call, what: str):
    """``call()`` in a fan-out's worker: at once inside one, through ``run_bounded`` outside (interruptible and
    bounded); never in a cache-only pass (``NotCached``)."""
    task = current_task.get()
    if task is None:
        return run_bounded(call)
    if task.cache_only:
        raise NotCached(what)
    return call()


def _sleep(seconds: float) -> None:
    """A pause between tries, cut short (``Cancelled``) when the load is abandoned."""
    task = current_task.get()
    if task is None:
        time.sleep(seconds)
    elif task.cancelled.wait(seconds):
        raise Cancelled("cancelled")


def _origin(url: str) -> tuple[str, str, int | None]:
    parts = urlsplit(url)
    return parts.scheme.lower(), (parts.hostname or "").lower(), parts.port or {"http": 80, "https": 443}.get(
        parts.scheme.lower())


def _describe(exc: BaseException) -> str:
    text = _first_line(exc)
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _first_line(exc: BaseException) -> str:
    text = mask_secrets(str(exc)).strip()
    return text.splitlines()[0][:300] if text else ""
