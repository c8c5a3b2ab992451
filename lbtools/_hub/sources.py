"""Where a loader's raw responses come from: the live Hub (``client.HubClient``), or a snapshot folder replaying
recorded ones.

Both give the loaders the same raw JSON, so one parser serves both. ``auto`` probes the Hub (a few seconds at most;
the outcome is remembered for ``PROBE_MEMORY_S``, the one piece of state kept between loads) and falls back to the
snapshot with one warning when it can't be reached.
"""

from __future__ import annotations

import json
import os
import threading
import time
from pathlib import Path

from ..errors import HubUnavailableError, NotFoundError, SnapshotError, SourceFallbackWarning, warn
from . import snapfiles
from .parse import loads_json
from .recording import MANIFEST, file_relpath, response_relpath

SNAPSHOT_FORMAT_VERSION = 1
AGGREGATE_REPO = "OpenEvals/leaderboard-data"
AGGREGATE_FILE = "data/train-00000-of-00001.parquet"
PROBE_TIMEOUT = 5.0
PROBE_MEMORY_S = 300.0

_probe_results: dict[str, tuple[float, str | None]] = {}
_warned: set[tuple[str, str]] = set()
_lock = threading.Lock()


class SnapshotSource:
    """Recorded responses read from a snapshot folder (see ``lbtools._hub.recording``)."""

    kind = "snapshot"

    def __init__(self, root):
        self.root = Path(root)
        self.manifest = read_manifest(self.root)
        self.name = f"snapshot:{self.manifest.get('name') or self.root.name}"
        self.taken_at = self.manifest.get("taken_at")

    def get_json(self, path, params=None, *, what, refresh=False, paged=False, expect=None):
        # A recorded body of the wrong shape is reported by the parser, naming what it should have been.
        file = self.root / response_relpath(path, params)
        try:
            raw = snapfiles.read_bytes(self.root, response_relpath(path, params))  # regular files inside it only
        except FileNotFoundError:
            raise NotFoundError(
                f"{what} is not in {self.name} (taken {self.taken_at}); take a snapshot that includes it with "
                "`lbtools snapshot save DIR --benchmarks ...`, or use the live Hub (LBTOOLS_SOURCE=hub)"
            ) from None
        except OSError as exc:
            raise SnapshotError(f"{file} in {self.name} can't be read ({exc.strerror or exc})") from exc
        try:
            return loads_json(raw), self.taken_at
        except (ValueError, RecursionError) as exc:
            raise SnapshotError(f"{file} in {self.name} is not valid JSON ({exc}); the snapshot is damaged") from exc

    def aggregate_file(self, *, revision=None, refresh=False):
        info = self.manifest.get("aggregate") or {}
        try:
            path = snapfiles.regular_file(self.root, file_relpath("dataset", AGGREGATE_REPO, AGGREGATE_FILE),
                                          snapfiles.MAX_AGGREGATE_BYTES)
        except FileNotFoundError:
            raise NotFoundError(f"the aggregate Parquet is not in {self.name}; it was saved without it") from None
        recorded = info.get("revision")
        if revision is not None and recorded is not None and revision != recorded:
            raise NotFoundError(
                f"{self.name} holds the aggregate at revision {recorded}, not {revision}; "
                "use the live Hub for other revisions"
            )
        return path, recorded, self.taken_at

    def repo_file(self, repo_id, filename, *, repo_type="dataset", refresh=False):
        """The path of a repository file recorded in the snapshot (a benchmark's ``eval.yaml``)."""
        try:
            return snapfiles.regular_file(self.root, file_relpath(repo_type, repo_id, filename),
                                          snapfiles.MAX_REPO_FILE_BYTES)
        except FileNotFoundError:
            raise NotFoundError(f"{filename} of {repo_type} {repo_id} is not in {self.name}") from None

    def recorded_benchmarks(self):
        """The benchmark ids whose leaderboards were recorded, the failures noted when saving, and the official
        benchmarks that had no leaderboard yet."""
        return (list(self.manifest.get("benchmarks") or []), dict(self.manifest.get("failures") or {}),
                list(self.manifest.get("without_leaderboard") or []))


def read_manifest(root: Path) -> dict:
    """The manifest of a snapshot folder, checked; raises SnapshotError saying what is wrong."""
    root = Path(root)
    if not root.exists():
        raise SnapshotError(f"snapshot folder {root} does not exist")
    if not root.is_dir():
        raise SnapshotError(f"{root} is not a folder; a snapshot is a folder holding {MANIFEST}")
    path = root / MANIFEST
    if not os.path.lexists(path):
        raise SnapshotError(
            f"{root} is not an lbtools snapshot (no {MANIFEST}); an interrupted save leaves no manifest, so save again"
        )
    try:
        manifest = json.loads(snapfiles.read_bytes(root, MANIFEST, snapfiles.MAX_MANIFEST_BYTES).decode("utf-8"))
    except SnapshotError:
        raise
    except (ValueError, RecursionError) as exc:  # UnicodeDecodeError is a ValueError
        raise SnapshotError(f"{path} is not valid JSON ({str(exc)[:200]})") from None
    except OSError as exc:
        raise SnapshotError(f"{path} can't be read ({exc.strerror or exc})") from None
    if not isinstance(manifest, dict) or "format_version" not in manifest:
        raise SnapshotError(f"{path} is not an lbtools snapshot manifest (no format_version)")
    version = manifest["format_version"]
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise SnapshotError(f"{path}: format_version must be a whole number >= 1; got {version!r:.60}")
    if version > SNAPSHOT_FORMAT_VERSION:
        raise SnapshotError(
            f"{root} is a snapshot of format version {version}, newer than this lbtools reads "
            f"({SNAPSHOT_FORMAT_VERSION}); upgrade lbtools (pip install -U lbtools)"
        )
    _check_manifest(manifest, path)
    return manifest


def _check_manifest(manifest: dict, path: Path) -> None:
    """Every field lbtools reads has the type it needs; a SnapshotError names the first that does not."""
    from .parse import repo_id_problem

    def fail(field: str, expected: str, value) -> None:
        raise SnapshotError(f"{path}: {field} must be {expected}; got {type(value).__name__} {value!r:.60}")

    for field in ("name", "taken_at", "endpoint", "lbtools_version", "huggingface_hub_version", "provenance"):
        value = manifest.get(field)
        if value is not None and not isinstance(value, str):
            fail(field, "text", value)
    if "authenticated" in manifest and not isinstance(manifest["authenticated"], bool):
        fail("authenticated", "true or false", manifest["authenticated"])
    for field in ("benchmarks", "without_leaderboard"):
        ids = manifest.get(field)
        if ids is None:
            continue
        if not isinstance(ids, list):
            fail(field, "a list of dataset ids", ids)
        for index, item in enumerate(ids):
            if repo_id_problem(item, namespace=True) is not None:
                fail(f"{field}[{index}]", "a dataset id like 'org/name'", item)
    for field in ("failures", "other_failures"):
        value = manifest.get(field)
        if value is None:
            continue
        if not isinstance(value, dict):
            fail(field, "an object mapping each failed item to its reason", value)
        for key, reason in value.items():
            if not isinstance(reason, str):
                fail(f"{field}[{key!r}]", "text", reason)
    aggregate = manifest.get("aggregate")
    if aggregate is not None:
        if not isinstance(aggregate, dict):
            fail("aggregate", "an object (repo, file, revision) or null", aggregate)
        for key in ("repo", "file", "revision", "read_at"):
            if aggregate.get(key) is not None and not isinstance(aggregate[key], str):
                fail(f"aggregate.{key}", "text", aggregate[key])
    counts = manifest.get("counts")
    if counts is not None:
        if not isinstance(counts, dict):
            fail("counts", "an object of whole numbers", counts)
        for key, value in counts.items():
            if isinstance(value, bool) or not isinstance(value, int):
                fail(f"counts[{key!r}]", "a whole number", value)


def resolve_source(settings, token=None):
    """The source a loader should read from now, following ``settings.source`` (see ``lbtools.configure``).

    ``token`` is checked first, whatever the source: a bad one is a ValueError/TypeError before anything else."""
    from ..config import check_token

    check_token(token)
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
    from .client import HubClient

    client = HubClient(settings, token)  # the live source itself
    if settings.source == "hub":
        return client
    reason = _probe(client, min(settings.timeout, PROBE_TIMEOUT))
    if reason is None:
        return client
    snapshot = SnapshotSource(settings.snapshot)
    _warn_once(settings.endpoint, snapshot, f"the Hub at {settings.endpoint} can't be reached: {reason}")
    return snapshot


def forget_probes() -> None:
    """Forget which endpoints were reachable (the next ``auto`` load probes again)."""
    with _lock:
        _probe_results.clear()
        _warned.clear()


def _probe(client, timeout: float) -> str | None:
    now = time.monotonic()
    with _lock:
        known = _probe_results.get(client.endpoint)
    if known is not None and now - known[0] < PROBE_MEMORY_S:
        return known[1]
    reason = client.probe(timeout)
    with _lock:
        _probe_results[client.endpoint] = (time.monotonic(), reason)
    return reason


def _warn_once(endpoint: str, snapshot: SnapshotSource, why: str) -> None:
    key = (endpoint, snapshot.name)
    with _lock:
        if key in _warned:
            return
        _warned.add(key)
    warn(
        f"lbtools: {why}; using {snapshot.name} (data as of {snapshot.taken_at}) instead. "
        "Set LBTOOLS_SOURCE=hub to fail instead, or LBTOOLS_SOURCE=snapshot to skip the check.",
        SourceFallbackWarning,
        stacklevel=4,
    )
