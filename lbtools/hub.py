"""The one module that talks to the Hub.

Every request goes through huggingface_hub's shared HTTP client (``get_session``), its headers (``build_hf_headers``:
token, user agent) and its error mapping (``hf_raise_for_status``). Raw JSON is kept, not the parsed dataclasses,
because those drop fields (``verified``, ``filename``) and a single bad eval-result file makes them fail a whole model.

What is added on top, because the typed calls lack it (see docs/HUB_API notes in the README):
- a timeout on every request (the shared client has none);
- retries with exponential backoff and jitter (tenacity) for 429, 5xx and transport errors, capped in attempts and time;
- rate-limit pacing from the ``RateLimit`` headers, shared by all threads, so a burst stops before the quota runs out
  and a 429 pauses every thread instead of starting a retry storm;
- a bound on requests in flight (``max_workers``);
- the disk cache.
"""

from __future__ import annotations

import threading
import time
from datetime import datetime, timezone
from pathlib import Path

from .errors import BadResponseError, GatedBenchmarkError, HubUnavailableError, NotFoundError, RateLimitedError

MAX_BODY_BYTES = 64 * 1024 * 1024
MAX_ATTEMPTS = 6
MAX_TIMEOUTS = 2
TRANSIENT_STATUS = (429, 500, 502, 503, 504)

_pacers: dict[str, "Pacer"] = {}
_slots: dict[tuple[str, int], threading.BoundedSemaphore] = {}
_registry_lock = threading.Lock()


def utc_now_iso() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")


class Pacer:
    """Shared view of one endpoint's rate-limit window, fed by every response's ``RateLimit`` headers."""

    def __init__(self):
        self._lock = threading.Lock()
        self.blocked_until = 0.0
        self.remaining: int | None = None
        self.quota: int | None = None
        self.reset_at: float | None = None
        self.in_flight = 0
        self._next_slot = 0.0

    def before_request(self) -> float:
        """Wait as long as the window requires, then count the request as sent; returns the seconds slept."""
        delay = self._reserve()
        with self._lock:
            self.in_flight += 1
        return delay

    def finished(self) -> None:
        """A request sent after ``before_request`` is over (answered or not)."""
        with self._lock:
            self.in_flight -= 1

    def _reserve(self) -> float:
        with self._lock:
            now = time.monotonic()
            if self.reset_at is not None and now >= self.reset_at:
                # A new window: the next answer tells us where we stand.
                self.remaining = None
                self.reset_at = None
            start = max(now, self.blocked_until)
            if self.remaining is not None and self.reset_at is not None:
                if self.remaining <= 0:
                    # Out of quota: every thread waits for the window to reset instead of collecting 429s.
                    self.blocked_until = max(self.blocked_until, self.reset_at + 0.05)
                    start = max(start, self.blocked_until)
                else:
                    low_water = max(1, (self.quota or 0) // 10)
                    if self.remaining <= low_water:
                        # Spread what is left of the quota over what is left of the window.
                        spacing = (self.reset_at - now) / self.remaining
                        start = max(start, self._next_slot)
                        self._next_slot = start + spacing
                    self.remaining -= 1
        delay = start - time.monotonic()
        if delay > 0:
            time.sleep(delay)
            return delay
        return 0.0

    def after_response(self, headers, status: int) -> float | None:
        """Record the window; on 429 block every thread for the wait the server asked for (returned)."""
        from huggingface_hub.utils import parse_ratelimit_headers

        info = parse_ratelimit_headers(headers)
        now = time.monotonic()
        wait = None
        with self._lock:
            if info is not None:
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
            if status == 429:
                wait = _retry_after(headers)
                if wait is None and info is not None:
                    wait = float(info.reset_in_seconds)
                if wait is None:
                    wait = 1.0
                self.blocked_until = max(self.blocked_until, now + wait)
        return wait


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
        except (TypeError, ValueError):
            return None


def pacer_for(endpoint: str) -> Pacer:
    with _registry_lock:
        return _pacers.setdefault(endpoint, Pacer())


def _slots_for(endpoint: str, max_workers: int) -> threading.BoundedSemaphore:
    with _registry_lock:
        return _slots.setdefault((endpoint, max_workers), threading.BoundedSemaphore(max_workers))


class _Transient(Exception):
    """A failure worth retrying; ``wait`` is what the server asked for, if it did."""

    def __init__(self, cause: BaseException, wait: float | None = None, timed_out: bool = False):
        super().__init__(str(cause))
        self.cause = cause
        self.wait = wait
        self.timed_out = timed_out


class HubClient:
    """Fetches raw JSON from one endpoint with a timeout, retries, pacing, a bound in flight and a cache.

    Parameters
    ----------
    settings : lbtools.config.Settings
    token : str, bool or None
        ``None``: ``HF_TOKEN`` or the cached login; ``False``: anonymous; a string: that token.
    """

    def __init__(self, settings, token=None, *, max_total: float | None = None):
        from huggingface_hub.utils import build_hf_headers

        from . import __version__

        self.settings = settings
        self.endpoint = settings.endpoint
        self.timeout = settings.timeout
        self.max_total = max_total if max_total is not None else max(120.0, 2 * settings.timeout)
        self._headers = build_hf_headers(token=token, library_name="lbtools", library_version=__version__)
        self.authenticated = "authorization" in {k.lower() for k in self._headers}
        self._token = token
        self.pacer = pacer_for(self.endpoint)
        self._slots = _slots_for(self.endpoint, settings.max_workers)
        self.cache = None
        if settings.cache_dir is not None and settings.cache_ttl > 0:
            from .cache import ResponseCache

            self.cache = ResponseCache(settings.cache_dir, settings.cache_ttl)

    # -- public -----------------------------------------------------------------------------------------------

    def get_json(self, path: str, params=None, *, what: str, refresh: bool = False, paged: bool = False):
        """``(body, fetched_at)`` for ``GET path?params``, from the cache when fresh.

        ``paged`` follows ``Link: rel="next"`` headers and returns all pages joined into one list.
        ``what`` names the thing fetched in error messages ("benchmark org/name").
        """
        from .cache import cache_key
        from .recording import canonical_query

        query = canonical_query(params)
        key = cache_key(self.endpoint, path, query, self.authenticated)
        if self.cache is not None and not refresh:
            hit = self.cache.get(key)
            if hit is not None:
                body, stored_at = hit
                return body, datetime.fromtimestamp(stored_at, timezone.utc).isoformat(timespec="seconds").replace(
                    "+00:00", "Z"
                )
        url = f"{self.endpoint}{path}"
        body = self._fetch_all_pages(url, params, what) if paged else self._fetch(url, params, what)[0]
        fetched_at = utc_now_iso()
        if self.cache is not None:
            self.cache.put(key, body, url=url + (f"?{query}" if query else ""), authenticated=self.authenticated)
        return body, fetched_at

    def download(self, repo_id: str, filename: str, *, repo_type: str = "dataset", revision: str | None = None,
                 refresh: bool = False) -> Path:
        """A file through the Hub's own download cache (ETag revalidation); retried like any request."""
        from huggingface_hub import hf_hub_download

        what = f"{repo_type} {repo_id}"

        def attempt():
            try:
                return Path(
                    hf_hub_download(
                        repo_id,
                        filename,
                        repo_type=repo_type,
                        revision=revision,
                        token=self._token,
                        endpoint=self.endpoint,
                        etag_timeout=self.timeout,
                        force_download=refresh,
                    )
                )
            except Exception as exc:  # noqa: BLE001 - classified just below
                raise self._classify(exc, what) from exc

        return self._with_retries(attempt, what)

    def probe(self, timeout: float) -> str | None:
        """``None`` when the endpoint answers HTTP within ``timeout`` s, else the reason it could not be reached."""
        import httpx2
        from huggingface_hub import get_session

        try:
            get_session().get(
                f"{self.endpoint}/api/datasets",
                params={"filter": "benchmark:official", "limit": 1},
                headers=self._headers,
                timeout=timeout,
            )
        except httpx2.TimeoutException:
            return f"no answer within {timeout:g} s"
        except (httpx2.HTTPError, OSError) as exc:
            return _describe(exc)
        return None

    # -- internals ------------------------------------------------------------------------------------------

    def _fetch_all_pages(self, url: str, params, what: str) -> list:
        items: list = []
        next_url, next_params = url, params
        seen = set()
        while next_url:
            body, response_links = self._fetch(next_url, next_params, what)
            if not isinstance(body, list):
                raise BadResponseError(f"{what}: expected a JSON list from {url}, got {type(body).__name__}")
            items.extend(body)
            link = response_links.get("next", {}).get("url")
            if link and link in seen:
                raise BadResponseError(f"{what}: the Hub's paging loops back to {link}")
            if link:
                seen.add(link)
            next_url, next_params = link, None
        return items

    def _fetch(self, url: str, params, what: str):
        def attempt():
            return self._request_once(url, params, what)

        return self._with_retries(attempt, what)

    def _request_once(self, url: str, params, what: str):
        import httpx2
        from huggingface_hub import get_session
        from huggingface_hub.errors import HfHubHTTPError, OfflineModeIsEnabled
        from huggingface_hub.utils import hf_raise_for_status

        with self._slots:
            self.pacer.before_request()
            try:
                response = get_session().get(url, params=params, headers=self._headers, timeout=self.timeout)
                wait = self.pacer.after_response(response.headers, response.status_code)
            except OfflineModeIsEnabled as exc:
                raise self._classify(exc, what) from exc
            except httpx2.TimeoutException as exc:
                raise _Transient(exc, timed_out=True) from exc
            except (httpx2.TransportError, OSError) as exc:
                # A ConnectError in another thread can close the shared client under us (ReadError): retry.
                raise _Transient(exc) from exc
            except RuntimeError as exc:  # "Cannot send a request, as the client has been closed."
                raise _Transient(exc) from exc
            finally:
                self.pacer.finished()
        try:
            hf_raise_for_status(response)
        except HfHubHTTPError as exc:
            raise self._classify(exc, what, wait=wait) from exc
        if len(response.content) > MAX_BODY_BYTES:
            raise BadResponseError(
                f"{what}: the Hub sent {len(response.content) / 1e6:.0f} MB, more than the {MAX_BODY_BYTES // 2**20} MiB "
                "lbtools accepts for one response; nothing was loaded from it"
            )
        try:
            body = response.json()
        except ValueError as exc:
            raise BadResponseError(f"{what}: the Hub's answer from {url} is not JSON ({exc})") from exc
        return body, response.links

    def _classify(self, exc: BaseException, what: str, wait: float | None = None) -> BaseException:
        """Map a huggingface_hub / transport error to a retryable marker or a clear lbtools error."""
        import httpx2
        from huggingface_hub.errors import GatedRepoError, HfHubHTTPError, OfflineModeIsEnabled, RepositoryNotFoundError

        if isinstance(exc, _Transient):
            return exc
        if isinstance(exc, OfflineModeIsEnabled):
            return HubUnavailableError(
                f"{what}: HF_HUB_OFFLINE is set, so the Hub is not contacted; "
                "use LBTOOLS_SOURCE=snapshot or unset HF_HUB_OFFLINE"
            )
        if isinstance(exc, GatedRepoError):
            return GatedBenchmarkError(
                f"{what} is gated: accept its access conditions on its Hub page, then authenticate with "
                "`hf auth login`, the HF_TOKEN environment variable, or token=... "
                + ("(the token given has no access to it)" if self.authenticated else "(no token was sent)")
            )
        if isinstance(exc, RepositoryNotFoundError):
            return NotFoundError(
                f"{what} was not found on {self.endpoint}, or it is private, or it has no leaderboard: check the id "
                "(lbtools.list_benchmarks() lists the official benchmarks)"
            )
        if isinstance(exc, HfHubHTTPError):
            status = exc.response.status_code if exc.response is not None else None
            if status in TRANSIENT_STATUS:
                if status == 429 and wait is None and exc.response is not None:
                    wait = _retry_after(exc.response.headers)
                return _Transient(exc, wait=wait)
            if status == 404:
                return NotFoundError(
                    f"{what} was not found on {self.endpoint} or has no leaderboard: check the id "
                    "(lbtools.list_benchmarks() lists the official benchmarks)"
                )
            if status in (401, 403):
                return GatedBenchmarkError(
                    f"{what}: the Hub refused access ({status}); if it is gated or private, authenticate with "
                    "`hf auth login`, HF_TOKEN, or token=..."
                )
            return HubUnavailableError(f"{what}: the Hub answered {status}: {_first_line(exc)}")
        if isinstance(exc, httpx2.TimeoutException):
            return _Transient(exc, timed_out=True)
        if isinstance(exc, (httpx2.TransportError, OSError)):
            return _Transient(exc)
        return exc

    def _with_retries(self, attempt, what: str):
        """Run ``attempt`` under tenacity: transient failures back off exponentially with jitter, bounded."""
        import tenacity

        timeouts = [0]
        started = time.monotonic()

        def should_stop(state: tenacity.RetryCallState) -> bool:
            exc = state.outcome.exception() if state.outcome else None
            if isinstance(exc, _Transient) and exc.timed_out:
                timeouts[0] += 1
            if state.attempt_number >= MAX_ATTEMPTS or timeouts[0] >= MAX_TIMEOUTS:
                return True
            elapsed = time.monotonic() - started
            wait = exc.wait if isinstance(exc, _Transient) and exc.wait is not None else 0.0
            return elapsed + wait > self.max_total

        backoff = tenacity.wait_exponential_jitter(multiplier=0.5, max=8, jitter=0.5)

        def wait_for(state: tenacity.RetryCallState) -> float:
            exc = state.outcome.exception()
            if isinstance(exc, _Transient) and exc.wait is not None:
                # The pacer already blocks every thread until then; add a little jitter so they don't stampede.
                import random

                return exc.wait + random.uniform(0, 0.25)
            return backoff(state)

        retrying = tenacity.Retrying(
            retry=tenacity.retry_if_exception_type(_Transient),
            stop=should_stop,
            wait=wait_for,
            reraise=True,
        )
        try:
            return retrying(attempt)
        except _Transient as failure:
            raise self._give_up(failure, what, time.monotonic() - started) from failure.cause

    def _give_up(self, failure: _Transient, what: str, elapsed: float) -> Exception:
        from huggingface_hub.errors import HfHubHTTPError

        cause = failure.cause
        if isinstance(cause, HfHubHTTPError) and cause.response is not None and cause.response.status_code == 429:
            wait = failure.wait
            return RateLimitedError(
                f"{what}: the Hub's rate limit is exhausted"
                + (f"; wait {wait:.0f} s and try again" if wait is not None else "; wait a few minutes and try again")
                + " (authenticated requests get a larger quota: `hf auth login` or HF_TOKEN)",
                wait_seconds=wait,
            )
        return HubUnavailableError(
            f"{what}: the Hub at {self.endpoint} failed after retrying for {elapsed:.1f} s ({_describe(cause)}); "
            "try again later, or work offline with LBTOOLS_SOURCE=snapshot"
        )


def _describe(exc: BaseException) -> str:
    name = type(exc).__name__
    text = _first_line(exc)
    return f"{name}: {text}" if text else name


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else ""

