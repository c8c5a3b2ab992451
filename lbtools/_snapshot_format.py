"""The snapshot folder's format: where each recorded answer lives, the manifest, and safe reading of its files.

A snapshot is a recorded Hub: each API call's raw JSON body is one file whose path is the request's URL path plus its
sorted query string, so the loaders replay it through the same parsing code as a live answer; the response cache and
the local test Hub use the same layout. A snapshot folder may have been crafted, so its files are read only if they
are regular files inside the folder, each under a size cap: anything else (a FIFO, a device, a symlink to
``/dev/zero`` or out of the folder, a file over its cap) is a SnapshotError naming it, never a hang or an exhausted
memory.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import stat
from pathlib import Path, PurePosixPath
from urllib.parse import quote, urlencode

from .errors import SnapshotError

SNAPSHOT_FORMAT_VERSION = 1
RESPONSES_DIR = "responses"
FILES_DIR = "files"
TABLES_DIR = "tables"  # the loaders' frames as Parquet (``lbtools.snapshot.write_tables``), for readers without lbtools
MANIFEST = "manifest.json"
_SHA256 = re.compile(r"[0-9a-f]{64}")
HASHES = "sha256"  # manifest field: {relative path: sha256} of every file a save wrote (responses/, files/, tables/)
MAX_NAME_BYTES = 255  # a file name's limit on common file systems; every name in the bundled snapshot is shorter


def canonical_query(params) -> str:
    """The query string with parameters sorted, so one request always maps to one file."""
    if not params:
        return ""
    items = params.items() if isinstance(params, dict) else params
    pairs = sorted((str(k), _param_str(v)) for k, v in items)
    return urlencode(pairs)


def response_relpath(path: str, params=None) -> str:
    """Relative path (POSIX) of the file holding the response to ``GET path?params``.

    >>> response_relpath("/api/datasets/org/bench/leaderboard", {"base_model": False})
    'responses/api/datasets/org/bench/leaderboard@base_model%3Dfalse.json'
    >>> response_relpath("/api/datasets", {"filter": "benchmark:official"})
    'responses/api/datasets@filter%3Dbenchmark%253Aofficial.json'
    """
    clean = PurePosixPath(path.lstrip("/"))
    if any(part in ("", ".", "..") for part in clean.parts):
        raise ValueError(f"path: not a Hub API path: {path!r}")
    query = canonical_query(params)
    suffix = "@" + quote(query, safe="") if query else ""
    if len(f"{clean.name}{suffix}.json".encode()) > MAX_NAME_BYTES:
        # A long model name with the whole expand query would not fit in a file name: the query's hash instead.
        suffix = "@sha256-" + hashlib.sha256(query.encode()).hexdigest()[:32]
    return f"{RESPONSES_DIR}/{clean}{suffix}.json"


def file_relpath(repo_type: str, repo_id: str, filename: str) -> str:
    """Relative path of a repository file (the aggregate Parquet) stored in a snapshot."""
    return f"{FILES_DIR}/{repo_type}s/{repo_id}/{filename}"


def _param_str(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


MAX_RESPONSE_BYTES = 64 * 1024 * 1024  # as a live answer (the client's MAX_BODY_BYTES)
MAX_MANIFEST_BYTES = 16 * 1024 * 1024
MAX_REPO_FILE_BYTES = 16 * 1024 * 1024  # a benchmark's eval.yaml
MAX_AGGREGATE_BYTES = 2 * 1024 * 1024 * 1024  # the aggregate Parquet (~100 kB today)


def sha256_file(path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def file_hashes(root, *, pattern: str = "**/*") -> dict[str, str]:
    """``{path relative to root (POSIX): sha256}`` of every file under ``root`` matching ``pattern``, sorted."""
    root = Path(root)
    files = sorted(p for p in root.glob(pattern) if p.is_file())
    return {p.relative_to(root).as_posix(): sha256_file(p) for p in files}


# What file managers leave in a folder they show (never part of a snapshot: no recorded name starts with a dot)
_LITTER = ("Thumbs.db", "desktop.ini")


def recorded_hashes(root) -> dict[str, str]:
    """The sha256 of every file under ``root``'s ``responses/``, ``files/`` and ``tables/`` (POSIX relative paths,
    sorted): what a save writes into the manifest, so a load (and :func:`verify_files`) can tell a file changed or
    added since."""
    return _scan(root)[0]


def _scan(root) -> tuple[dict[str, str], list[tuple[str, str]]]:
    """(``{path: sha256}`` of the regular files, ``(path, what it is)`` of the other entries) under the recorded
    folders; symlinks not followed (a load refuses them), dot files and file-manager litter (``.DS_Store``,
    ``Thumbs.db``) skipped."""
    root = Path(root)
    found, odd = {}, []
    for folder in (RESPONSES_DIR, FILES_DIR, TABLES_DIR):
        top = root / folder
        if os.path.islink(top):
            odd.append((folder, "a symlink"))
            continue
        for dirpath, dirnames, filenames in os.walk(top):
            here = Path(dirpath)
            for name in list(dirnames):
                if name.startswith(".") or os.path.islink(here / name):
                    dirnames.remove(name)
                    if not name.startswith("."):
                        odd.append(((here / name).relative_to(root).as_posix(), "a symlink"))
            for name in filenames:
                if name.startswith(".") or name in _LITTER:
                    continue
                path = here / name
                rel = path.relative_to(root).as_posix()
                mode = os.lstat(path).st_mode
                if stat.S_ISREG(mode):
                    found[rel] = sha256_file(path)
                else:
                    odd.append((rel, "a symlink" if stat.S_ISLNK(mode) else _kind(mode)))
    return dict(sorted(found.items())), odd


def check_recorded(manifest: dict, root: Path, relpath: str, data: bytes | None = None, *,
                   recorded_as: str | None = None) -> None:
    """A SnapshotError unless ``root/relpath`` (its bytes ``data``, or the file) is as the save recorded it, under
    ``relpath`` or the name ``recorded_as`` (what a file system that ignores case found it as).

    Snapshots saved before the manifest held hashes are read as they are."""
    hashes = manifest.get(HASHES)
    if hashes is None:
        return
    shown = Path(root) / relpath
    expected = hashes.get(recorded_as or relpath)
    if expected is None:
        raise SnapshotError(f"{shown} is not among the files the snapshot's manifest lists: it was added after the "
                            "snapshot was saved; remove it, or save a new snapshot")
    actual = hashlib.sha256(data).hexdigest() if data is not None else sha256_file(inside(root, relpath))
    if actual != expected:
        raise SnapshotError(f"{shown} changed since the snapshot was saved (its sha256 is not the one the manifest "
                            "records): the snapshot is damaged or was edited; restore the original, or save a new "
                            "snapshot")


def missing_recorded(manifest: dict, root: Path, relpath: str) -> SnapshotError | None:
    """The SnapshotError for a file the manifest lists but that is gone, or None when it was never recorded."""
    if relpath in (manifest.get(HASHES) or {}):
        return SnapshotError(f"{Path(root) / relpath} was recorded when the snapshot was saved and is missing: the "
                             "snapshot is damaged; restore the file, or save a new snapshot")
    return None


def verify_files(manifest: dict, root: Path) -> list[str]:
    """Every difference between the recorded files and the manifest's hashes, one line each (empty: intact); a
    SnapshotError when the manifest records none."""
    hashes = manifest.get(HASHES)
    if hashes is None:
        raise SnapshotError(f"{Path(root) / MANIFEST} records no sha256 of the files (the snapshot was saved before "
                            "snapshots recorded them), so there is nothing to check them against; save a new snapshot")
    found, odd = _scan(root)
    problems = [f"not a regular file: {path} ({what})" for path, what in odd]
    behind = tuple(path for path, _ in odd)  # a recorded file behind a symlink is named by the symlink's line
    problems += [f"missing: {k}" for k in hashes
                 if k not in found and not any(k == p or k.startswith(p + "/") for p in behind)]
    problems += [f"changed: {k}" for k, v in found.items() if k in hashes and hashes[k] != v]
    problems += [f"added: {k}" for k in found if k not in hashes]
    return problems


def _kind(mode: int) -> str:
    for test, name in ((stat.S_ISFIFO, "a named pipe (FIFO)"), (stat.S_ISCHR, "a character device"),
                       (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket"), (stat.S_ISDIR, "a folder")):
        if test(mode):
            return name
    return "not a regular file"


def inside(root: Path, relpath: str) -> Path:
    """The real path of ``root/relpath``, which must lie inside ``root``'s real path (symlinks followed), else a
    SnapshotError. Raises FileNotFoundError when nothing is there."""
    base = Path(os.path.realpath(root))
    target = Path(os.path.realpath(Path(root) / relpath))
    if target != base and base not in target.parents:
        raise SnapshotError(f"{Path(root) / relpath} points outside the snapshot folder ({target}); a snapshot "
                            "is read only from its own folder: it was tampered with")
    if not os.path.lexists(target):
        raise FileNotFoundError(str(Path(root) / relpath))
    return target


def regular_file(root: Path, relpath: str, limit: int) -> Path:
    """``root/relpath`` checked: inside the folder, a regular file, at most ``limit`` bytes (its real path)."""
    target = inside(root, relpath)
    st = os.stat(target)
    _check(Path(root) / relpath, st, limit)
    return target


def read_bytes(root: Path, relpath: str, limit: int = MAX_RESPONSE_BYTES) -> bytes:
    """The bytes of ``root/relpath`` after the checks of ``regular_file``; opened without blocking, so a FIFO put
    in its place is refused, not waited on. FileNotFoundError when it is missing."""
    target = inside(root, relpath)
    nonblocking = getattr(os, "O_NONBLOCK", 0)  # POSIX; elsewhere the stat below runs before any read
    fd = os.open(target, os.O_RDONLY | nonblocking | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NOCTTY", 0)
                 | getattr(os, "O_BINARY", 0))
    with os.fdopen(fd, "rb") as f:
        _check(Path(root) / relpath, os.fstat(f.fileno()), limit)
        if nonblocking:
            os.set_blocking(fd, True)
        data = f.read(limit + 1)
    if len(data) > limit:
        raise SnapshotError(f"{Path(root) / relpath} is larger than {limit:,} bytes; the snapshot is damaged")
    return data


def _check(shown: Path, st: os.stat_result, limit: int) -> None:
    if not stat.S_ISREG(st.st_mode):
        raise SnapshotError(f"{shown} is {_kind(st.st_mode)}; a snapshot holds regular files only: it was tampered "
                            "with")
    if st.st_size > limit:
        raise SnapshotError(f"{shown} is larger than {limit:,} bytes ({st.st_size:,}); the snapshot is damaged")


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
        manifest = json.loads(read_bytes(root, MANIFEST, MAX_MANIFEST_BYTES).decode("utf-8"))
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
    from ._hub.parse import repo_id_problem

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
    hashes = manifest.get(HASHES)
    if hashes is not None:
        if not isinstance(hashes, dict):
            fail(HASHES, "an object mapping each recorded file to its sha256", hashes)
        for key, value in hashes.items():
            if not (isinstance(value, str) and _SHA256.fullmatch(value)):
                fail(f"{HASHES}[{key!r}]", "a sha256 (64 lowercase hex digits)", value)
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
