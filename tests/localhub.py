"""A local Hugging Face Hub for tests: a stdlib HTTP server on 127.0.0.1 that replays a snapshot folder.

The folder uses the layout of :mod:`lbtools._snapshot_format` (``responses/...json`` and ``files/<type>s/<id>/...``), so the
real ``huggingface_hub`` client (``HfApi(endpoint=hub.url)`` or ``HF_ENDPOINT=hub.url``) can be exercised end to end
with no network. The server answers the requests documented in ``docs/HUB_API.md`` (list of official benchmarks with
``Link`` paging, leaderboards, ``model_info`` with ``expand``, dataset info, tree, ``HEAD``/ranged ``GET`` on
``resolve``) and can add latency, gating, a fixed-window rate limit and deterministic faults.

    with LocalHub(root, page_size=5, gated={"org/bench": "hf_test"}) as hub:
        api = HfApi(endpoint=hub.url)
        ...
        assert hub.max_in_flight <= 16

Nothing here ever logs or stores a token value: request stats only say whether a request was authenticated.
"""

from __future__ import annotations

import hashlib
import hmac
import http.server
import json
import math
import os
import socket
import socketserver
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit

from lbtools._snapshot_format import file_relpath, response_relpath

__all__ = ["FaultPlan", "LocalHub", "SilentServer", "hub_env", "FAULT_KINDS"]

FAULT_KINDS = ("429", "500", "503", "drop", "truncate", "silence")

# Query parameters of the list endpoints that do not select the recorded body: paging, field selection.
_LIST_CONTROL_PARAMS = {"limit", "expand", "cursor", "full"}
_REPO_TYPES = {"datasets": "dataset", "models": "model", "spaces": "space"}
_ERROR_MESSAGES = {
    "RepoNotFound": "Repository not found",
    "GatedRepo": "Access to this repository is restricted. You must be authenticated and have access to it.",
    "EntryNotFound": "Entry not found",
    "RevisionNotFound": "Revision not found",
}
_REASONS = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    416: "Range Not Satisfiable",
    429: "Too Many Requests",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}


def hub_env(hub_url: str, home: Path) -> dict[str, str]:
    """Environment variables that point a ``huggingface_hub`` client (in a subprocess) at ``hub_url``.

    Merge them into a copy of ``os.environ`` *before* importing ``huggingface_hub`` (it reads them at import).
    Also drop ``HF_TOKEN`` from that copy if the test must run unauthenticated.
    """
    home = Path(home)
    return {
        "HF_ENDPOINT": hub_url,
        "HF_HOME": str(home),
        "HF_HUB_DISABLE_TELEMETRY": "1",
        "HF_HUB_DISABLE_XET": "1",
        "HF_HUB_DISABLE_PROGRESS_BARS": "1",
    }


# --------------------------------------------------------------------------------------------------------------------
# Fault injection


@dataclass(frozen=True)
class FaultPlan:
    """Which requests fail, decided deterministically.

    Each request is decided from a hash of ``(seed, method, path + sorted query, n)`` where ``n`` is how many times
    this exact method+URL was requested before (since the plan was installed or the stats were reset), so the outcome
    does not depend on thread scheduling. ``max_consecutive`` caps how many times in a row one URL faults, so a client
    that retries converges. ``prefixes`` (optional) restricts faults to paths starting with one of them.

    kinds: ``"429"`` (with ``Retry-After: 1``), ``"500"``, ``"502"``, ``"503"``, ``"504"``, ``"drop"`` (close the
    socket without answering), ``"truncate"`` (full Content-Length, half the body, close), ``"silence"`` (never
    answer; close after ``silence_s`` seconds).
    """

    rate: float = 0.25
    kinds: tuple[str, ...] = FAULT_KINDS
    seed: int = 0
    max_consecutive: int = 2
    silence_s: float = 5.0
    prefixes: tuple[str, ...] | None = None

    def __post_init__(self):
        if not 0.0 <= self.rate <= 1.0:
            raise ValueError(f"rate: must be within [0, 1], got {self.rate!r}")
        if not self.kinds:
            raise ValueError("kinds: at least one fault kind is needed")
        allowed = set(FAULT_KINDS) | {"502", "504"}
        unknown = [k for k in self.kinds if k not in allowed]
        if unknown:
            raise ValueError(f"kinds: unknown fault kinds {unknown!r} (allowed: {sorted(allowed)})")
        if self.max_consecutive < 0:
            raise ValueError("max_consecutive: must be >= 0")

    def applies_to(self, path: str) -> bool:
        return self.prefixes is None or any(path.startswith(p) for p in self.prefixes)

    def decide(self, method: str, url_key: str, n: int, consecutive: int = 0) -> str | None:
        """The fault kind for the ``n``-th request (0-based) of ``method url_key``, or None to answer normally.

        ``consecutive`` is how many of the immediately preceding requests of this URL faulted.
        """
        if consecutive >= self.max_consecutive or self.rate <= 0.0:
            return None
        digest = hashlib.sha256(f"{self.seed}\x00{method}\x00{url_key}\x00{n}".encode()).digest()
        draw = int.from_bytes(digest[:8], "big") / 2**64
        if draw >= self.rate:
            return None
        return self.kinds[int.from_bytes(digest[8:12], "big") % len(self.kinds)]


def canonical_url_key(path: str, query: str) -> str:
    """``path?sorted-query``: one key per request whatever the parameter order."""
    pairs = sorted(parse_qsl(query, keep_blank_values=True))
    return f"{path}?{urlencode(pairs)}" if pairs else path


# --------------------------------------------------------------------------------------------------------------------
# Responses


@dataclass
class _Response:
    status: int
    body: bytes = b""
    headers: list[tuple[str, str]] | None = None
    content_type: str = "application/json"
    content_length: int | None = None  # set for HEAD answers that stand for a body not sent


def _json_response(obj, status: int = 200, headers=None) -> _Response:
    return _Response(status, json.dumps(obj, ensure_ascii=False).encode("utf-8"), list(headers or []))


def _error(status: int, code: str | None = None, message: str | None = None) -> _Response:
    message = message or (_ERROR_MESSAGES.get(code) if code else None) or _REASONS.get(status, "Error")
    headers = [("X-Error-Message", message)]
    if code:
        headers.append(("X-Error-Code", code))
    return _json_response({"error": message}, status, headers)


def _load_json_or_raw(path: Path):
    """(parsed, raw): parsed is None when the file is not valid JSON (it is then served as-is)."""
    raw = path.read_bytes()
    try:
        return json.loads(raw), raw
    except ValueError:
        return None, raw


# --------------------------------------------------------------------------------------------------------------------
# HTTP plumbing


class _Server(http.server.ThreadingHTTPServer):
    request_queue_size = 128
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, hub: "LocalHub"):
        self.hub = hub
        super().__init__(("127.0.0.1", 0), _Handler)

    def server_bind(self):  # skip HTTPServer's socket.getfqdn(): a reverse DNS lookup can stall without network
        socketserver.TCPServer.server_bind(self)
        self.server_name, self.server_port = self.server_address[:2]

    def handle_error(self, request, client_address):  # a client hanging up is not an error worth printing
        pass


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    server_version = "lbtools-localhub/1"
    sys_version = ""

    def setup(self):
        super().setup()
        self.server.hub._track(self.connection)

    def finish(self):
        try:
            super().finish()
        finally:
            self.server.hub._untrack(self.connection)

    def log_message(self, format, *args):  # quiet: stats are in hub.requests
        pass

    def do_GET(self):
        self._dispatch("GET")

    def do_HEAD(self):
        self._dispatch("HEAD")

    def do_POST(self):
        self._dispatch("POST")

    def _dispatch(self, method: str):
        body = b""
        length = self.headers.get("Content-Length")
        if length:
            body = self.rfile.read(int(length))
        hub: LocalHub = self.server.hub
        action = hub._handle(method, self.path, self.headers, body)
        kind, resp = action
        if kind == "drop":
            self.close_connection = True
            return
        if kind == "silence":
            hub._stop_event.wait(resp)
            self.close_connection = True
            return
        if kind == "trickle":
            resp, phase, delay = resp
            self._trickle(resp, phase, delay)
            return
        self._send(resp, head=(method == "HEAD"), truncate=(kind == "truncate"))

    def _trickle(self, resp: _Response, phase: str, delay: float):
        """Send ``resp`` one byte every ``delay`` seconds: the whole of it (``"headers"``) or its body only."""
        head = [f"HTTP/1.1 {resp.status} {_REASONS.get(resp.status, 'OK')}", f"Content-Type: {resp.content_type}",
                f"Content-Length: {len(resp.body)}", "Connection: close"]
        head += [f"{k}: {v}" for k, v in resp.headers or []]
        head_bytes = ("\r\n".join(head) + "\r\n\r\n").encode("latin-1")
        slow = head_bytes + resp.body if phase == "headers" else resp.body
        self.close_connection = True
        stop = self.server.hub._stop_event
        try:
            if phase != "headers":
                self.wfile.write(head_bytes)
                self.wfile.flush()
            for i in range(len(slow)):
                if stop.wait(delay):
                    return
                self.wfile.write(slow[i:i + 1])
                self.wfile.flush()
        except OSError:  # the client gave up and closed: that is the point
            return

    def _send(self, resp: _Response, *, head: bool, truncate: bool):
        self.send_response_only(resp.status, _REASONS.get(resp.status))
        self.send_header("Date", self.date_time_string())
        self.send_header("Content-Type", resp.content_type)
        length = resp.content_length if resp.content_length is not None else len(resp.body)
        self.send_header("Content-Length", str(length))
        for key, value in resp.headers or []:
            self.send_header(key, value)
        if truncate:
            self.send_header("Connection", "close")
        self.end_headers()
        if not head:
            self.wfile.write(resp.body[: len(resp.body) // 2] if truncate else resp.body)
        self.wfile.flush()
        if truncate:
            self.close_connection = True


# --------------------------------------------------------------------------------------------------------------------
# The hub


class LocalHub:
    """A local Hub serving ``root`` (snapshot layout of ``lbtools._snapshot_format``) on ``http://127.0.0.1:<port>``.

    Options:
      page_size: items per page of ``/api/datasets`` (``Link: <absolute url>; rel="next"`` when more remain).
      latency: seconds slept before each answer (attribute ``hub.latency`` can be changed at runtime).
      gated: ``{repo_id: token}``; requests for those repos need ``Authorization: Bearer <token>``, else 401 GatedRepo.
      ratelimit: ``(quota, window_s)``: fixed windows (aligned on the start or the last ``reset_stats()``) over all
        requests; every answer carries ``RateLimit``/``RateLimit-Policy``; exhausted → 429 with ``Retry-After``.
      faults: a :class:`FaultPlan` (or None); ``hub.set_faults(plan)`` changes it at runtime.
      permanent: ``{path_prefix: status}`` (status or ``(status, error_code)``): those paths always fail;
        404 → ``RepoNotFound``, 401 → ``GatedRepo`` unless a code is given.
      trickle: ``{path_prefix: (phase, seconds_per_byte)}``: answers to those paths are sent one byte at a time, the
        whole answer (``"headers"``) or the body after prompt headers (``"body"``); a slow server every read of which
        arrives within any per-read timeout.
      agent_harnesses: the JSON body of ``/api/agent-harnesses`` (huggingface_hub's agent registry); None → 404.
      portal: answer every request with a 200 HTML sign-in page, as a captive portal does.
      answers: ``{path: body}``: exact paths answered 200 with this JSON body (a Hub answering nonsense).

    Stats (thread-safe, cleared by ``reset_stats()``): ``requests`` (list of ``(method, path, query_string,
    authenticated)``; path is percent-decoded, query raw; in arrival order), ``responses`` (``(method, path,
    query_string, status)``, status None for a dropped or silenced request; in answer order), ``max_in_flight``,
    ``count_429``, ``faults_injected`` (list of ``(method, path, query_string, kind)``).
    """

    def __init__(
        self,
        root: str | os.PathLike,
        *,
        page_size: int = 1000,
        latency: float = 0.0,
        gated: dict[str, str] | None = None,
        ratelimit: tuple[int, float] | None = None,
        faults: FaultPlan | None = None,
        permanent: dict[str, int | tuple[int, str]] | None = None,
        trickle: dict[str, tuple[str, float]] | None = None,
        agent_harnesses=None,
        portal: bool = False,
        answers: dict | None = None,
    ):
        self.root = Path(root)
        if page_size < 1:
            raise ValueError("page_size: must be >= 1")
        self.page_size = int(page_size)
        self.latency = float(latency)
        self._gated = dict(gated or {})
        if ratelimit is not None:
            quota, window = ratelimit
            if quota < 0 or window <= 0:
                raise ValueError("ratelimit: (quota >= 0, window_s > 0) expected")
        self._ratelimit = ratelimit
        self._faults = faults
        self._permanent = dict(permanent or {})
        for phase, delay in (trickle or {}).values():
            if phase not in ("headers", "body") or delay <= 0:
                raise ValueError("trickle: (\"headers\" or \"body\", seconds per byte > 0) expected")
        self._trickle = dict(trickle or {})
        self.agent_harnesses = agent_harnesses
        self.portal = bool(portal)
        self.answers = dict(answers or {})
        self._lock = threading.Lock()
        self._stop_event = threading.Event()
        self._connections: set[socket.socket] = set()
        self._hash_cache: dict[tuple, tuple[str, str]] = {}
        self._in_flight = 0
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self.reset_stats()

    # ---- lifecycle

    def start(self) -> "LocalHub":
        if self._server is not None:
            return self
        self._stop_event.clear()
        self._server = _Server(self)
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, name="localhub", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving, close the listening socket and every open connection."""
        server, self._server = self._server, None
        if server is None:
            return
        self._stop_event.set()
        server.shutdown()
        server.server_close()
        with self._lock:
            conns = list(self._connections)
            self._connections.clear()
        for conn in conns:
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            try:
                conn.close()
            except OSError:
                pass
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> "LocalHub":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("LocalHub is not running")
        return self._server.server_address[1]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    # ---- runtime configuration and stats

    def set_faults(self, plan: FaultPlan | None) -> None:
        """Install (or remove, with None) a fault plan; per-URL fault counters restart from zero."""
        with self._lock:
            self._faults = plan
            self._url_counts = {}
            self._url_consecutive = {}

    def set_permanent(self, permanent: dict[str, int | tuple[int, str]] | None) -> None:
        with self._lock:
            self._permanent = dict(permanent or {})

    def reset_stats(self) -> None:
        """Clear request stats, per-URL fault counters and the rate-limit window."""
        with self._lock:
            self.requests: list[tuple[str, str, str, bool]] = []
            self.faults_injected: list[tuple[str, str, str, str]] = []
            self.responses: list[tuple[str, str, str, int | None]] = []
            self.max_in_flight = 0  # requests still being answered keep counting in _in_flight
            self.count_429 = 0
            self._url_counts: dict[str, int] = {}
            self._url_consecutive: dict[str, int] = {}
            self._rl_origin = time.monotonic()
            self._rl_window_end = 0.0
            self._rl_used = 0

    def paths(self, method: str | None = None) -> list[str]:
        """Paths requested so far (optionally only for one method), in arrival order."""
        with self._lock:
            return [p for m, p, _q, _a in self.requests if method is None or m == method]

    # ---- connection tracking (so stop() really closes everything)

    def _track(self, conn):
        with self._lock:
            self._connections.add(conn)

    def _untrack(self, conn):
        with self._lock:
            self._connections.discard(conn)

    @contextmanager
    def _counting(self):
        with self._lock:
            self._in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self._in_flight)
        try:
            yield
        finally:
            with self._lock:
                self._in_flight -= 1

    # ---- request handling

    def _handle(self, method: str, raw_target: str, headers, body: bytes):
        """Returns (kind, payload): ("send"|"truncate", _Response), ("drop", None) or ("silence", seconds)."""
        kind, payload = self._answer(method, raw_target, headers, body)
        split = urlsplit(raw_target)
        status = payload.status if isinstance(payload, _Response) else None
        with self._lock:
            self.responses.append((method, "/".join(unquote(s) for s in split.path.split("/")), split.query, status))
        return kind, payload

    def _answer(self, method: str, raw_target: str, headers, body: bytes):
        split = urlsplit(raw_target)
        segments = [unquote(s) for s in split.path.split("/")]
        path = "/".join(segments)
        query = split.query
        auth = headers.get("Authorization") or ""
        bearer = auth[7:].strip() if auth[:7].lower() == "bearer " else ""
        url_key = canonical_url_key(path, query)
        with self._lock:
            self.requests.append((method, path, query, bool(bearer)))
            permanent = self._match_permanent(path)
            plan = self._faults
            fault = None
            if permanent is None and plan is not None and plan.applies_to(path):
                count_key = f"{method} {url_key}"
                n = self._url_counts.get(count_key, 0)
                self._url_counts[count_key] = n + 1
                consecutive = self._url_consecutive.get(count_key, 0)
                fault = plan.decide(method, url_key, n, consecutive)
                self._url_consecutive[count_key] = consecutive + 1 if fault else 0
                if fault:
                    self.faults_injected.append((method, path, query, fault))

        with self._counting():
            if self.latency > 0:
                self._stop_event.wait(self.latency)
            extra_headers: list[tuple[str, str]] = []
            if self._ratelimit is not None:
                allowed, remaining, reset_t = self._ratelimit_take()
                quota, window = self._ratelimit
                policy = f'"fixed window";"api";q={quota};w={max(1, round(window))}'
                extra_headers.append(("RateLimit-Policy", policy))
                if not allowed:
                    resp = _error(429, None, "You have been rate-limited; retry later.")
                    resp.headers += [("Retry-After", str(reset_t)), ("RateLimit", f'"api";r=0;t={reset_t}')]
                    return "send", self._finish(resp, extra_headers)
                extra_headers.append(("RateLimit", f'"api";r={remaining};t={reset_t}'))
            if permanent is not None:
                return "send", self._finish(permanent, extra_headers)
            if self.portal:
                page = b"<!DOCTYPE html><html><head><title>Sign in</title></head><body>Wi-Fi sign-in</body></html>"
                return "send", _Response(200, page, [], "text/html; charset=utf-8")
            if fault == "drop":
                return "drop", None
            if fault == "silence":
                return "silence", plan.silence_s
            if fault in ("429", "500", "502", "503", "504"):
                resp = _error(int(fault), None, f"injected fault {fault}")
                if fault == "429":
                    extra_headers = [(k, v) for k, v in extra_headers if k != "RateLimit"]
                    resp.headers += [("Retry-After", "1"), ("RateLimit", '"api";r=0;t=1')]
                return "send", self._finish(resp, extra_headers)
            repo = _repo_of(segments)
            if repo is not None and repo in self._gated:
                if not (bearer and hmac.compare_digest(bearer.encode(), self._gated[repo].encode())):
                    resp = _error(
                        401, "GatedRepo", f"Access to {repo} is restricted. You must have access to it and be "
                        "authenticated to access it. Please log in.",
                    )
                    return "send", self._finish(resp, extra_headers)
            try:
                if path in self.answers:
                    resp = _json_response(self.answers[path])
                elif path == "/api/agent-harnesses":
                    resp = (_error(404, None, "no agent registry here") if self.agent_harnesses is None
                            else _json_response(self.agent_harnesses))
                else:
                    resp = self._route(method, segments, path, query, body, headers)
            except Exception as exc:  # a bug in the fixture tree must show as a 500, not a hung client
                resp = _error(500, None, f"localhub: {type(exc).__name__}: {exc}")
            resp = self._finish(resp, extra_headers)
            slow = next((spec for prefix, spec in self._trickle.items() if path.startswith(prefix)), None)
            if slow is not None and method != "HEAD":
                return "trickle", (resp, *slow)
            return ("truncate" if fault == "truncate" and method != "HEAD" else "send"), resp

    def _finish(self, resp: _Response, extra_headers) -> _Response:
        resp.headers = list(resp.headers or []) + list(extra_headers)
        if resp.status == 429:
            with self._lock:
                self.count_429 += 1
        return resp

    def _match_permanent(self, path: str) -> _Response | None:
        best = None
        for prefix, spec in self._permanent.items():
            if path.startswith(prefix) and (best is None or len(prefix) > len(best[0])):
                best = (prefix, spec)
        if best is None:
            return None
        spec = best[1]
        status, code = (spec if isinstance(spec, tuple) else (spec, None))
        if code is None:
            code = {404: "RepoNotFound", 401: "GatedRepo"}.get(int(status))
        return _error(int(status), code, None if code else f"permanent failure {status}")

    def _ratelimit_take(self) -> tuple[bool, int, int]:
        """Count one request in the current fixed window (windows are aligned on the hub's start or last reset)."""
        quota, window = self._ratelimit
        with self._lock:
            now = time.monotonic()
            if now >= self._rl_window_end:
                elapsed = now - self._rl_origin
                self._rl_window_end = self._rl_origin + (math.floor(elapsed / window) + 1) * window
                self._rl_used = 0
            # whole seconds, rounded up: a client that waits t never comes back before the window ends
            reset_t = max(1, math.ceil(self._rl_window_end - now))
            if self._rl_used >= quota:
                return False, 0, reset_t
            self._rl_used += 1
            return True, quota - self._rl_used, reset_t

    # ---- routing

    def _route(self, method: str, segs: list[str], path: str, query: str, body: bytes, headers) -> _Response:
        # segs[0] == "" (leading slash)
        parts = [s for s in segs[1:]]
        params = parse_qsl(query, keep_blank_values=True)
        if method == "POST":
            if len(parts) >= 6 and parts[0] == "api" and parts[1] in _REPO_TYPES and parts[4] == "paths-info":
                repo_type, repo_id = _REPO_TYPES[parts[1]], f"{parts[2]}/{parts[3]}"
                form = parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True)
                return self._paths_info(repo_type, repo_id, [v for k, v in form if k == "paths"])
            return _error(405, None, f"POST {path} is not served by the local hub")

        if parts and parts[0] == "api":
            if len(parts) == 2 and parts[1] in _REPO_TYPES:
                return self._list(path, params)
            if len(parts) >= 3 and parts[1] in _REPO_TYPES:
                repo_type = _REPO_TYPES[parts[1]]
                rest = parts[2:]
                # {org}/{name} or a bare {name} (models such as "gpt2")
                if len(rest) >= 2 and rest[1] not in ("leaderboard", "tree", "revision", "paths-info"):
                    repo_id, tail = f"{rest[0]}/{rest[1]}", rest[2:]
                else:
                    repo_id, tail = rest[0], rest[1:]
                if not tail:
                    if repo_type == "model":
                        return self._model_info(repo_id, path, params)
                    return self._repo_info(repo_type, repo_id, path, params)
                if tail == ["leaderboard"] and repo_type == "dataset":
                    return self._leaderboard(path, params)
                if tail[0] == "revision" and len(tail) >= 2:
                    return self._repo_info(repo_type, repo_id, path, params)
                if tail[0] == "tree" and len(tail) >= 2:
                    return self._tree(repo_type, repo_id, "/".join(tail[2:]), params)
            exact = self._response_file(path, params)
            if exact is not None:
                return exact
            return _error(404, None, f"localhub: nothing recorded for {path}")

        # /datasets/{org}/{name}/resolve/{rev}/{file...} ; /{org}/{name}/resolve/... for models
        if method in ("GET", "HEAD"):
            if len(parts) >= 5 and parts[0] in ("datasets", "spaces") and parts[3] == "resolve":
                repo_type, repo_id = _REPO_TYPES[parts[0]], f"{parts[1]}/{parts[2]}"
                return self._resolve(method, repo_type, repo_id, "/".join(parts[5:]), headers.get("Range"))
            if len(parts) >= 4 and parts[2] == "resolve":
                repo_id = f"{parts[0]}/{parts[1]}"
                return self._resolve(method, "model", repo_id, "/".join(parts[4:]), headers.get("Range"))
        return _error(404, None, f"localhub: nothing served at {path}")

    def _file(self, relpath: str) -> Path | None:
        p = self.root / relpath
        return p if p.is_file() else None

    def _response_file(self, path: str, params) -> _Response | None:
        try:
            rel = response_relpath(path, params or None)
        except ValueError:
            return None
        p = self._file(rel)
        if p is None:
            return None
        return _Response(200, p.read_bytes(), [])

    def _list(self, path: str, params) -> _Response:
        select = [(k, v) for k, v in params if k not in _LIST_CONTROL_PARAMS]
        p = self._file(response_relpath(path, select or None))
        if p is None:
            return _json_response([])  # the Hub answers an empty list for a filter that matches nothing
        parsed, raw = _load_json_or_raw(p)
        if not isinstance(parsed, list):
            return _Response(200, raw, [])  # malformed on purpose: serve verbatim
        items = parsed
        limit = next((v for k, v in params if k == "limit"), None)
        if limit is not None:
            try:
                items = items[: max(0, int(limit))]
            except ValueError:
                return _error(400, None, f"limit: not an integer: {limit!r}")
        cursor = next((v for k, v in params if k == "cursor"), None)
        try:
            start = int(cursor) if cursor else 0
        except ValueError:
            return _error(400, None, f"cursor: invalid {cursor!r}")
        page = items[start : start + self.page_size]
        headers = []
        if start + self.page_size < len(items):
            next_params = [(k, v) for k, v in params if k != "cursor"] + [("cursor", str(start + self.page_size))]
            headers.append(("Link", f'<{self.url}{quote(path)}?{urlencode(next_params)}>; rel="next"'))
        return _json_response(page, 200, headers)

    def _leaderboard(self, path: str, params) -> _Response:
        resp = self._response_file(path, params)
        if resp is None and params:
            resp = self._response_file(path, None)
        if resp is None:
            return _error(404, "RepoNotFound")
        return resp

    def _model_info(self, repo_id: str, path: str, params) -> _Response:
        exact = self._response_file(path, params) if params else None
        if exact is not None:
            return exact
        p = self._file(response_relpath(f"/api/models/{repo_id}"))
        if p is None:
            return _error(404, "RepoNotFound")
        parsed, raw = _load_json_or_raw(p)
        expand = [v for k, v in params if k in ("expand", "expand[]")]
        if not expand or not isinstance(parsed, dict):
            return _Response(200, raw, [])
        out = {k: parsed[k] for k in ("id", "_id") if k in parsed}
        for key in expand:
            if key in parsed:
                out[key] = parsed[key]
        return _json_response(out)

    def _repo_info(self, repo_type: str, repo_id: str, path: str, params) -> _Response:
        exact = self._response_file(path, params)
        if exact is not None:
            return exact
        base = f"/api/{repo_type}s/{repo_id}"
        recorded = self._response_file(base, None)
        files = self._repo_files(repo_type, repo_id)
        if recorded is not None:
            parsed, _ = _load_json_or_raw(self.root / response_relpath(base))
            if isinstance(parsed, dict) and files and "siblings" not in parsed:
                parsed["siblings"] = [{"rfilename": f} for f in files]
                return _json_response(parsed)
            return recorded
        if not files:
            return _error(404, "RepoNotFound")
        return _json_response(
            {
                "id": repo_id,
                "author": repo_id.split("/")[0] if "/" in repo_id else None,
                "sha": self._commit(repo_type, repo_id),
                "private": False,
                "gated": False,
                "disabled": False,
                "siblings": [{"rfilename": f} for f in files],
            }
        )

    def _repo_dir(self, repo_type: str, repo_id: str) -> Path:
        return self.root / file_relpath(repo_type, repo_id, "")

    def _repo_files(self, repo_type: str, repo_id: str) -> list[str]:
        d = self._repo_dir(repo_type, repo_id)
        if not d.is_dir():
            return []
        return sorted(p.relative_to(d).as_posix() for p in d.rglob("*") if p.is_file())

    def _hashes(self, p: Path) -> tuple[str, str]:
        """(git blob sha1, sha256) of a file, cached by (path, size, mtime)."""
        st = p.stat()
        key = (str(p), st.st_size, st.st_mtime_ns)
        cached = self._hash_cache.get(key)
        if cached is None:
            data = p.read_bytes()
            git = hashlib.sha1(b"blob %d\x00" % len(data) + data).hexdigest()
            cached = (git, hashlib.sha256(data).hexdigest())
            self._hash_cache[key] = cached
        return cached

    def _commit(self, repo_type: str, repo_id: str) -> str:
        """The repo's commit: ``sha`` of its recorded info if any, else a hash of its files."""
        info = self._file(response_relpath(f"/api/{repo_type}s/{repo_id}"))
        if info is not None:
            parsed, _ = _load_json_or_raw(info)
            sha = parsed.get("sha") if isinstance(parsed, dict) else None
            if isinstance(sha, str) and len(sha) == 40:
                return sha
        h = hashlib.sha1(f"{repo_type}s/{repo_id}".encode())
        d = self._repo_dir(repo_type, repo_id)
        for f in self._repo_files(repo_type, repo_id):
            h.update(f"\x00{f}\x00{self._hashes(d / f)[1]}".encode())
        return h.hexdigest()

    def _entry(self, repo_type: str, repo_id: str, rel: str) -> dict:
        p = self._repo_dir(repo_type, repo_id) / rel
        if p.is_dir():
            h = hashlib.sha1(f"tree\x00{rel}".encode())
            for child in sorted(p.rglob("*")):
                if child.is_file():
                    h.update(self._hashes(child)[0].encode())
            return {"type": "directory", "oid": h.hexdigest(), "path": rel}
        git, sha256 = self._hashes(p)
        size = p.stat().st_size
        return {
            "type": "file",
            "oid": git,
            "size": size,
            "path": rel,
            "lfs": {"oid": sha256, "size": size, "pointerSize": 134},
        }

    def _tree(self, repo_type: str, repo_id: str, sub: str, params) -> _Response:
        d = self._repo_dir(repo_type, repo_id)
        if not d.is_dir():
            return _error(404, "RepoNotFound")
        target = d / sub if sub else d
        if not target.is_dir():
            return _error(404, "EntryNotFound", f"{sub} does not exist in {repo_id}")
        recursive = dict(params).get("recursive", "false").lower() in ("1", "true")
        children = sorted(target.rglob("*") if recursive else target.iterdir())
        entries = [self._entry(repo_type, repo_id, c.relative_to(d).as_posix()) for c in children]
        return _json_response(entries)

    def _paths_info(self, repo_type: str, repo_id: str, paths: list[str]) -> _Response:
        d = self._repo_dir(repo_type, repo_id)
        if not d.is_dir():
            return _error(404, "RepoNotFound")
        out = []
        for rel in paths:
            rel = rel.strip("/")
            if rel and (d / rel).exists() and ".." not in rel.split("/"):
                out.append(self._entry(repo_type, repo_id, rel))
        return _json_response(out)

    def _resolve(self, method: str, repo_type: str, repo_id: str, filename: str, rng: str | None) -> _Response:
        d = self._repo_dir(repo_type, repo_id)
        if not d.is_dir():
            return _error(404, "RepoNotFound")
        p = d / filename
        if ".." in filename.split("/") or not p.is_file():
            return _error(404, "EntryNotFound", f"{filename} does not exist in {repo_id}")
        _git, sha256 = self._hashes(p)
        size = p.stat().st_size
        headers = [
            ("X-Repo-Commit", self._commit(repo_type, repo_id)),
            ("ETag", f'"{sha256}"'),
            ("Accept-Ranges", "bytes"),
        ]
        resp = _Response(200, b"", headers, "application/octet-stream")
        if method == "HEAD":  # no body, but Content-Length is the file's size
            resp.content_length = size
            return resp
        data = p.read_bytes()
        if rng is None:
            resp.body = data
            return resp
        span = _parse_range(rng, size)
        if span is None:
            return _Response(416, b"", [("Content-Range", f"bytes */{size}")] + headers, "application/octet-stream")
        start, end = span
        resp.status = 206
        resp.body = data[start : end + 1]
        resp.headers.append(("Content-Range", f"bytes {start}-{end}/{size}"))
        return resp


def _parse_range(header: str, size: int) -> tuple[int, int] | None:
    """(start, end) inclusive for a single ``bytes=`` range, or None if unsatisfiable/unsupported."""
    header = header.strip()
    if not header.lower().startswith("bytes=") or "," in header:
        return None
    spec = header[6:].strip()
    first, _, last = spec.partition("-")
    try:
        if first == "":
            n = int(last)
            if n <= 0:
                return None
            return max(0, size - n), size - 1
        start = int(first)
        end = int(last) if last else size - 1
    except ValueError:
        return None
    end = min(end, size - 1)
    if start > end or start >= size:
        return None
    return start, end


def _repo_of(segments: list[str]) -> str | None:
    """The repo id a request is about (for gating), or None."""
    parts = segments[1:]
    if len(parts) >= 4 and parts[0] == "api" and parts[1] in _REPO_TYPES:
        return f"{parts[2]}/{parts[3]}"
    if len(parts) >= 4 and parts[0] in ("datasets", "spaces") and parts[3] == "resolve":
        return f"{parts[1]}/{parts[2]}"
    if len(parts) >= 3 and parts[2] == "resolve":
        return f"{parts[0]}/{parts[1]}"
    return None


# --------------------------------------------------------------------------------------------------------------------


class SilentServer:
    """Accepts TCP connections on 127.0.0.1 and never answers (for timeout tests)."""

    def __init__(self):
        self._sock: socket.socket | None = None
        self._conns: list[socket.socket] = []
        self._thread: threading.Thread | None = None
        self._stopped = threading.Event()
        self.accepted = 0

    def start(self) -> "SilentServer":
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", 0))
        sock.listen(128)
        sock.settimeout(0.05)
        self._sock = sock
        self._thread = threading.Thread(target=self._accept_loop, name="silentserver", daemon=True)
        self._thread.start()
        return self

    def _accept_loop(self):
        while not self._stopped.is_set():
            try:
                conn, _ = self._sock.accept()
            except (socket.timeout, TimeoutError):
                continue
            except OSError:
                return
            self._conns.append(conn)
            self.accepted += 1

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._sock.getsockname()[1]}"

    def stop(self) -> None:
        self._stopped.set()
        if self._thread is not None:
            self._thread.join(timeout=2)
        for c in self._conns:
            try:
                c.close()
            except OSError:
                pass
        if self._sock is not None:
            self._sock.close()

    def __enter__(self) -> "SilentServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
