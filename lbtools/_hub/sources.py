"""Where a loader's raw responses come from: the live Hub (``client.HubClient``), or a snapshot folder replaying
recorded ones.

Both give the loaders the same raw JSON, so one parser serves both. ``auto`` probes the Hub (a few seconds at most;
the outcome is remembered for ``PROBE_MEMORY_S``, the one piece of state kept between loads) and falls back to the
snapshot with one warning when it can't be reached.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path

from .. import config
from .._snapshot_format import (HASHES, MAX_AGGREGATE_BYTES, MAX_REPO_FILE_BYTES, RESPONSES_DIR, check_recorded,
                               file_relpath, missing_recorded, read_bytes, read_manifest, regular_file,
                               response_relpath)
from ..errors import HubUnavailableError, NotFoundError, SnapshotError, SourceFallbackWarning, warn
from .client import AGGREGATE_FILE, AGGREGATE_REPO, HubClient
from .parse import loads_json

PROBE_TIMEOUT = 5.0
PROBE_MEMORY_S = 300.0

_probe_results: dict[str, tuple[float, str | None]] = {}
_warned: set[tuple[str, str]] = set()
_configured = -1  # the configure() call the two above belong to: each call forgets them
_lock = threading.Lock()


class SnapshotSource:
    """Recorded responses read from a snapshot folder (the layout of ``lbtools._snapshot_format``)."""

    kind = "snapshot"

    def __init__(self, root):
        self.root = Path(root)
        self.manifest = read_manifest(self.root)
        self.name = f"snapshot:{self.manifest.get('name') or self.root.name}"
        self.taken_at = self.manifest.get("taken_at")
        self._by_case = None  # {recorded path, casefolded: recorded path}, built on the first miss

    def get_json(self, path, params=None, *, what, refresh=False, paged=False, expect=None):
        # A recorded body of the wrong shape is reported by the parser, naming what it should have been.
        relpath = response_relpath(path, params)
        file = self.root / relpath
        try:
            raw = read_bytes(self.root, relpath)  # regular files inside it only
        except FileNotFoundError:
            meant = self._recorded_case_of(relpath)
            counts = self.manifest.get("counts") or {}
            if path.startswith("/api/models/") and "leaderboard_entries" in counts \
                    and "models_with_eval_results" not in counts:  # a save with --no-models records no model
                how = ("it was saved with --no-models, so it holds no model's eval results or metadata: save one "
                       "without --no-models (`lbtools snapshot save DIR`)")
            else:
                how = "take a snapshot that includes it with `lbtools snapshot save DIR --benchmarks ...`"
            raise missing_recorded(self.manifest, self.root, relpath) or NotFoundError(
                f"{what} is not in {self.name} (taken {self.taken_at})"
                + (f"; the snapshot has it as {meant} (ids are matched exactly here, case included)" if meant else "")
                + f"; {how}, or use the live Hub (LBTOOLS_SOURCE=hub)"
            ) from None
        except OSError as exc:
            raise SnapshotError(f"{file} in {self.name} can't be read ({exc.strerror or exc})") from exc
        check_recorded(self.manifest, self.root, relpath, raw, recorded_as=self._recorded_path(relpath))
        try:
            return loads_json(raw), self.taken_at
        except (ValueError, RecursionError) as exc:
            raise SnapshotError(f"{file} in {self.name} is not valid JSON ({exc}); the snapshot is damaged") from exc

    def _case_index(self) -> dict[str, str]:
        """``{recorded path, casefolded: recorded path}``, from the manifest (or the folder of a snapshot saved
        before manifests listed their files), built once per source: on a miss, never on a plain read."""
        if self._by_case is None:
            paths = self.manifest.get(HASHES)
            if paths is None:
                base = self.root / RESPONSES_DIR
                paths = [p.relative_to(self.root).as_posix() for p in base.rglob("*.json")] if base.is_dir() else []
            self._by_case = {p.casefold(): p for p in paths}
        return self._by_case

    def _recorded_path(self, relpath: str) -> str | None:
        """The path under which the save recorded what a file system that ignores case (macOS, Windows) found at
        ``relpath``: itself, or the recorded path in another case; None when nothing like it was recorded."""
        hashes = self.manifest.get(HASHES)
        if hashes is None or relpath in hashes:
            return relpath
        return self._case_index().get(relpath.casefold())

    def _recorded_case_of(self, relpath: str) -> str | None:
        """The id of the same request recorded under another case (the Hub matches ids ignoring case; a folder may
        not), or None."""
        recorded = self._case_index().get(relpath.casefold())
        if recorded is None or recorded == relpath:
            return None
        parts = recorded.split("/")  # responses/api/{datasets,models}/org/name[...]
        return f"{parts[3]}/{parts[4].split('@')[0].removesuffix('.json')}" if len(parts) > 4 else None

    def aggregate_file(self, *, revision=None, refresh=False):
        info = self.manifest.get("aggregate") or {}
        relpath = file_relpath("dataset", AGGREGATE_REPO, AGGREGATE_FILE)
        try:
            path = regular_file(self.root, relpath, MAX_AGGREGATE_BYTES)
        except FileNotFoundError:
            raise missing_recorded(self.manifest, self.root, relpath) or NotFoundError(
                f"the aggregate Parquet is not in {self.name}; it was saved without it") from None
        check_recorded(self.manifest, self.root, relpath)
        recorded = info.get("revision")
        if revision is not None and recorded is not None and revision != recorded:
            raise NotFoundError(
                f"{self.name} holds the aggregate at revision {recorded}, not {revision}; "
                "use the live Hub for other revisions"
            )
        return path, recorded, self.taken_at

    def repo_file(self, repo_id, filename, *, repo_type="dataset", refresh=False):
        """The path of a repository file recorded in the snapshot (a benchmark's ``eval.yaml``)."""
        relpath = file_relpath(repo_type, repo_id, filename)
        try:
            path = regular_file(self.root, relpath, MAX_REPO_FILE_BYTES)
        except FileNotFoundError:
            raise missing_recorded(self.manifest, self.root, relpath) or NotFoundError(
                f"{filename} of {repo_type} {repo_id} is not in {self.name}") from None
        check_recorded(self.manifest, self.root, relpath)
        return path

    def recorded_benchmarks(self):
        """The benchmark ids whose leaderboards were recorded, the failures noted when saving, and the official
        benchmarks that had no leaderboard yet."""
        return (list(self.manifest.get("benchmarks") or []), dict(self.manifest.get("failures") or {}),
                list(self.manifest.get("without_leaderboard") or []))


def resolve_source(settings, token=None):
    """The source a loader should read from now, following ``settings.source`` (see ``lbtools.configure``).

    ``token`` is checked first, whatever the source: a bad one is a ValueError/TypeError before anything else."""
    config.check_token(token)
    if settings.source == "snapshot":
        return SnapshotSource(settings.snapshot)
    if settings.offline:
        if settings.source == "hub":
            raise HubUnavailableError(
                "HF_HUB_OFFLINE is set but LBTOOLS_SOURCE=hub: unset HF_HUB_OFFLINE or use LBTOOLS_SOURCE=snapshot"
            )
        snapshot = SnapshotSource(settings.snapshot)
        _warn_once(settings.endpoint, snapshot, "HF_HUB_OFFLINE is set")
        return snapshot
    client = HubClient(settings, token, on_down=_forget_endpoint)  # the live source itself
    if settings.source == "hub":
        return client
    reason = _probe(client, min(settings.timeout, PROBE_TIMEOUT))
    if reason is None:
        return client
    snapshot = SnapshotSource(settings.snapshot)
    _warn_once(settings.endpoint, snapshot, f"the Hub at {settings.endpoint} can't be reached: {reason}")
    return snapshot


def _forget_if_configured() -> None:
    """Forget which endpoints were reachable and the fallbacks warned of when ``lbtools.configure`` was called since
    they were found (the next ``auto`` load probes again). Called holding ``_lock``."""
    global _configured
    if _configured != config.generation():
        _probe_results.clear()
        _warned.clear()
        _configured = config.generation()


def _forget_endpoint(endpoint: str) -> None:
    """A load found ``endpoint`` down: forget that a probe found it up, so the next ``auto`` load probes again and
    falls back to the snapshot, instead of failing slowly on every load until the probe's memory runs out."""
    with _lock:
        _probe_results.pop(endpoint, None)


def _probe(client, timeout: float) -> str | None:
    now = time.monotonic()
    with _lock:
        _forget_if_configured()
        known = _probe_results.get(client.endpoint)
    if known is not None and now - known[0] < PROBE_MEMORY_S:
        return known[1]
    reason = client.probe(timeout)
    with _lock:
        _forget_if_configured()
        _probe_results[client.endpoint] = (time.monotonic(), reason)
    return reason


def _warn_once(endpoint: str, snapshot: SnapshotSource, why: str) -> None:
    key = (endpoint, snapshot.name)
    with _lock:
        _forget_if_configured()
        if key in _warned:
            return
        _warned.add(key)
    warn(
        f"lbtools: {why}; using {snapshot.name} (data as of {snapshot.taken_at}) instead. "
        "Set LBTOOLS_SOURCE=hub to fail instead, or LBTOOLS_SOURCE=snapshot to skip the check.",
        SourceFallbackWarning,
        stacklevel=4,
    )
