"""The response cache: a folder of answer files in the snapshot layout, fresh for a time-to-live.

``<cache>/<endpoint>/<who>/responses/api/...json`` holds the Hub's bytes for one request, as received, at the path a
snapshot would record it (``lbtools._snapshot_format``). ``<who>`` is ``anonymous``, or a salted SHA-256 of the token
(the salt is random and kept in the cache folder), so another token, or none, never reads an authenticated answer and
the token is never written. Only answers of the expected shape are written (the caller checks them first).

Every write goes to a temporary file beside its target and is renamed over it (``os.replace``): a reader in any
process sees the old answer, the new one or none, never half of one. The age of an answer is its file's modification
time. Folders are created ``0700`` and files ``0600``. A cache folder that another user owns or may write to is
ignored with a warning (anyone who can write there could plant answers); a file that is not a regular file owned by
this user (a symlink, a FIFO) is never read. A folder that can be read but not written is still read.
"""

from __future__ import annotations

import hashlib
import os
import re
import secrets
import stat
import tempfile
import time
from pathlib import Path

from ..errors import CacheWarning, warn
from .._snapshot_format import response_relpath
from .parse import loads_json

LAYOUT = "v4"  # folder of this layout inside the cache folder; older layouts are removed by clear_cache
SALT_FILE = "identity-salt"
FUTURE_TOLERANCE_S = 60.0
MAX_FILE_BYTES = 64 * 1024 * 1024


def _unsafe(st: os.stat_result) -> str | None:
    """Why a folder or file with this status can't be trusted, or None."""
    if st.st_uid != os.geteuid():
        return "is owned by another user"
    if st.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        return "is writable by other users"
    return None


class ResponseCache:
    """Answers of one endpoint for one identity (``token``: a ``config.Token`` or None) under ``root``; ``problem``
    says why it can't be used, if so."""

    def __init__(self, root, ttl: float, endpoint: str, token=None):
        self.root, self.ttl, self.warned, self.folder, self.problem = Path(root), ttl, False, None, None
        self.made: set[Path] = set()  # folders known to exist
        try:
            self._prepare_root()
            who = "anonymous" if token is None else hashlib.sha256(self._salt() + token.reveal().encode()).hexdigest()
            slug = re.sub(r"[^A-Za-z0-9.-]+", "_", endpoint.split("://", 1)[-1])[:80]
            self.folder = self.root / LAYOUT / f"{slug}-{hashlib.sha256(endpoint.encode()).hexdigest()[:8]}" / who[:40]
        except (OSError, ValueError) as exc:
            self.problem = str(exc)

    def _prepare_root(self) -> None:
        if not self.root.is_dir():
            self.root.mkdir(mode=0o700, parents=True, exist_ok=True)  # FileExistsError for a file in the way
        st = os.stat(self.root)
        why = _unsafe(st)
        if why:
            raise ValueError(f"the cache folder {self.root} {why}, so its answers can't be trusted; use a folder of "
                             "your own (LBTOOLS_CACHE) or `chmod 700` it")
        if st.st_mode & 0o077:
            os.chmod(self.root, 0o700)  # created by an older lbtools or a loose umask: readable by others

    def _salt(self) -> bytes:
        path = self.root / SALT_FILE
        for _ in range(2):
            salt = _read_own(path, 4096)
            if salt is not None:
                if len(salt) < 32:
                    raise ValueError(f"{path} is damaged; delete it")
                return salt
            # Written whole under a temporary name, then linked into place: a racing process reads all or nothing.
            fd, tmp = tempfile.mkstemp(dir=self.root, prefix=".salt-")
            try:
                os.write(fd, secrets.token_bytes(32))
                os.close(fd)
                try:
                    os.link(tmp, path)
                except FileExistsError:
                    pass
            finally:
                os.unlink(tmp)
        raise ValueError(f"{path} can't be read")

    def usable(self) -> bool:
        return self.problem is None or self.report(self.problem)

    def report(self, why: str) -> None:
        """One warning per load for a cache that can't be used (returns False)."""
        if not self.warned:
            self.warned = True
            warn(f"lbtools: could not use the response cache at {self.root} ({why}); loading goes on without it",
                 CacheWarning, stacklevel=6)
        return False

    def path(self, path: str, params=None) -> Path:
        return self.folder / response_relpath(path, params)  # a name too long for a file system is hashed there

    def get(self, path: str, params=None, *, expect=None):
        """``(body, stored_at)`` of a fresh, well-formed answer, else None; a damaged one is removed with a warning."""
        if self.folder is None:
            return None
        file = self.path(path, params)
        found = _read_own(file, MAX_FILE_BYTES, with_time=True)
        if found is None:
            return None
        raw, stored_at = found
        now = time.time()
        if now - stored_at > self.ttl or stored_at > now + FUTURE_TOLERANCE_S:
            return None
        try:
            body = loads_json(raw)  # as the live answer was read: one non-UTF-8 byte is repaired per record, later
            problem = expect(body) if expect is not None else None
        except (ValueError, RecursionError) as exc:
            problem = f"not JSON ({str(exc)[:100]})"
        if problem is not None:
            warn(f"lbtools cache: discarded a corrupt cache entry ({file}: {problem}); fetching it again",
                 CacheWarning, stacklevel=5)
            _unlink(file)
            return None
        return body, stored_at

    def put(self, path: str, params, raw: bytes) -> None:
        """Store ``raw`` (a well-formed answer) for ``GET path?params``; a folder that can't be written is reported."""
        if self.folder is None:
            return
        file = self.path(path, params)
        try:
            if file.parent not in self.made:
                _mkdirs(self.root, file.parent)
                self.made.add(file.parent)
            fd, tmp = tempfile.mkstemp(dir=file.parent, prefix=".tmp-")
            try:
                with os.fdopen(fd, "wb") as fh:
                    fh.write(raw)
                os.replace(tmp, file)
            except BaseException:
                _unlink(Path(tmp))
                raise
        except OSError as exc:
            self.report(f"{type(exc).__name__}: {exc.strerror or exc}")


def _mkdirs(root: Path, folder: Path) -> None:
    """``folder`` and the folders between it and ``root``, each ``0700`` (``os.makedirs`` applies a mode to the last
    one only)."""
    for part in reversed([folder, *folder.parents][: len(folder.relative_to(root).parts)]):
        if not part.is_dir():
            part.mkdir(mode=0o700, exist_ok=True)


def _read_own(path: Path, limit: int, with_time: bool = False):
    """The bytes of ``path`` if it is a regular file of this user's that others can't write, at most ``limit`` bytes;
    None otherwise (absent, a symlink, a FIFO, someone else's). Never follows a symlink, never blocks."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError:
        return None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode) or _unsafe(st) or st.st_size > limit:
            return None
        with os.fdopen(os.dup(fd), "rb") as fh:
            raw = fh.read(limit + 1)
        if len(raw) > limit:
            return None
        return (raw, st.st_mtime) if with_time else raw
    except OSError:
        return None
    finally:
        os.close(fd)


def _unlink(path: Path) -> None:
    try:
        path.unlink()
    except OSError:
        pass


def clear_cache() -> int:
    """Delete every cached Hub response (the Parquet stays in the Hub's own cache); returns how many were removed."""
    import shutil

    from ..config import settings

    root = settings().cache_dir
    if root is None or not Path(root).is_dir():
        return 0
    count = 0
    for name in (LAYOUT, "responses"):  # "responses": an older layout
        folder = Path(root) / name
        if folder.is_dir() and not folder.is_symlink():
            count += sum(1 for _ in folder.rglob("*.json"))
            shutil.rmtree(folder, ignore_errors=True)
    for name in ("responses.sqlite3", "responses.sqlite3-journal"):  # an older lbtools' database
        _unlink(Path(root) / name)
    return count
