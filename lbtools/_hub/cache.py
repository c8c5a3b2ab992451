"""A disk cache of Hub API responses: one SQLite database per cache folder (``responses.sqlite3``), shared safely.

Each answer is one row: the Hub's bytes as received, their SHA-256, the url, whether it was authenticated and when it
was stored. SQLite (the standard library's ``sqlite3``, as requests-cache's default backend) rather than a file per
answer: creating a file cost 0.1–1 ms of kernel CPU on the machines measured, 30–65 ms for the 65 answers of a cold
``load_leaderboards()``, competing with the requests themselves; a row costs tens of microseconds. A transaction
makes every write whole, so a reader in any process sees a complete row or none; the rollback journal (TRUNCATE
mode) works where SQLite's WAL does not (network file systems), and SQLite's locks let several processes share a
folder. There is no fsync (``synchronous=OFF``): a power cut may lose the last answers or damage the file, and both
are caught: a database SQLite cannot read is discarded (with a warning) and rebuilt, a row whose body does not match
its checksum is discarded and fetched again. The cache only ever saves requests: a folder it cannot use is reported
once and the load goes on without it.

The key covers endpoint, path, parameters and who asked: nobody for an anonymous request, else a salted SHA-256 of
the token (the salt is random, kept in the cache folder), so another token, or none, never reads an authenticated
answer, and the token itself is never part of the key or the content.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import threading
import time
from pathlib import Path

from ..errors import CacheWarning, warn

# 3: one SQLite database per folder (2 was a JSON file per answer, never read now; ``clear`` still removes them).
# A row of another format is a plain miss.
FORMAT = 3
DATABASE = "responses.sqlite3"
LEGACY_DIR = "responses"
SALT_FILE = "identity-salt"
FUTURE_TOLERANCE_S = 60.0
# How long a write waits for another process's transaction before it gives up (the load goes on without caching).
BUSY_TIMEOUT_S = 10.0
# Databases kept open in this process (one per cache folder used); the least recently opened is closed first.
MAX_OPEN = 8

_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS responses ("
    "key TEXT PRIMARY KEY, format INTEGER NOT NULL, url TEXT NOT NULL, authenticated INTEGER NOT NULL, "
    "stored_at REAL NOT NULL, sha256 TEXT NOT NULL, body BLOB NOT NULL)"
)

_reported: set[tuple[str, str]] = set()
_open: dict[str, "_Database"] = {}
_open_lock = threading.Lock()


def cache_key(endpoint: str, path: str, query: str, identity: str) -> str:
    """The key of ``GET endpoint+path?query`` asked by ``identity`` (``""`` anonymous, else ``ResponseCache.identity``)."""
    text = json.dumps([FORMAT, endpoint, path, query, identity])
    return hashlib.sha256(text.encode()).hexdigest()


class _Damaged(Exception):
    """SQLite cannot read the database file: it is discarded and rebuilt."""


class _Database:
    """One open connection to a folder's database, used by every thread of this process in turn."""

    def __init__(self, path: Path):
        import sqlite3

        self.path = path
        self.pid = os.getpid()
        self.lock = threading.Lock()
        path.parent.mkdir(parents=True, exist_ok=True)
        # isolation_level=None: each statement is its own transaction, committed at once.
        self.connection = sqlite3.connect(path, timeout=BUSY_TIMEOUT_S, isolation_level=None,
                                          check_same_thread=False)
        try:
            self.run("PRAGMA journal_mode=TRUNCATE")  # the journal file is kept, not created per transaction
            self.run("PRAGMA synchronous=OFF")
            self.run(_SCHEMA)
            # Rows no setting could still serve: the database stays the size of what is in use.
            from ..config import MAX_CACHE_TTL

            self.run("DELETE FROM responses WHERE stored_at < ?", (time.time() - MAX_CACHE_TTL,))
        except BaseException:
            self.connection.close()
            raise
        st = os.stat(path)
        self.file_id = (st.st_dev, st.st_ino)

    def run(self, sql: str, args=(), *, fetch: bool = False, many: bool = False):
        """``sql`` with ``args``, or (``many``) with each tuple of ``args``, all in one transaction."""
        import sqlite3

        with self.lock:
            try:
                if many:
                    return self._run_many(sql, args)
                cursor = self.connection.execute(sql, args)
                return cursor.fetchone() if fetch else cursor.rowcount
            except sqlite3.OperationalError as exc:
                if "no such table" in str(exc):  # the file was emptied or replaced under this connection
                    raise _Damaged(str(exc)) from exc
                raise  # locked, read-only, disk full: the folder, not the file's content
            except sqlite3.DatabaseError as exc:  # "file is not a database", "database disk image is malformed"
                raise _Damaged(str(exc)) from exc

    def _run_many(self, sql: str, rows) -> int:
        self.connection.execute("BEGIN IMMEDIATE")
        try:
            count = self.connection.executemany(sql, rows).rowcount
        except BaseException:
            self.connection.rollback()
            raise
        self.connection.execute("COMMIT")
        return count

    def close(self) -> None:
        with self.lock:
            self.connection.close()


def _database(root: Path, *, create: bool = True) -> _Database | None:
    """This process's connection to ``root``'s database, opened (and the file created) on first use, and again when
    the file was deleted or replaced meanwhile (a cleared folder must not keep receiving rows nobody can read).

    Without ``create``, a database that does not exist yet is ``None`` (nothing to read): the first write creates it,
    which in a load happens between bursts of answers (``HubClient.deferred_writes``), not before the first request.
    """
    path = root / DATABASE
    name = str(path)
    if not create and name not in _open and not path.exists():
        return None
    with _open_lock:
        db = _open.get(name)
        if db is not None:
            try:
                st = os.stat(path)
                same = (st.st_dev, st.st_ino) == db.file_id
            except OSError:
                same = False
            # A connection inherited through fork must not be used either (SQLite's rule).
            if same and db.pid == os.getpid():
                return db
            del _open[name]
            db.close()
        db = _Database(path)
        _open[name] = db
        while len(_open) > MAX_OPEN:
            _open.pop(next(iter(_open))).close()
        return db


def _forget_database(root: Path) -> None:
    with _open_lock:
        db = _open.pop(str(root / DATABASE), None)
    if db is not None:
        db.close()


def forget_databases() -> None:
    """Close every database this process opened (tests; a notebook that deleted its cache folder)."""
    with _open_lock:
        dbs = list(_open.values())
        _open.clear()
    for db in dbs:
        db.close()


class ResponseCache:
    """JSON bodies by key under ``root``, fresh for ``ttl`` seconds."""

    def __init__(self, root: Path, ttl: float):
        self.root = Path(root)
        self.ttl = ttl

    @property
    def database(self) -> Path:
        return self.root / DATABASE

    # -- identity ------------------------------------------------------------------------------------------------

    def identity(self, token: str) -> str | None:
        """A salted hash standing for ``token`` in cache keys; ``None`` when no salt can be kept (then answers to
        authenticated requests are not cached, rather than cached under a guessable key)."""
        try:
            salt = self._salt()
        except OSError as exc:
            _report_once(self.root, exc)
            return None
        return hashlib.sha256(salt + token.encode("utf-8")).hexdigest()

    def _salt(self) -> bytes:
        path = self.root / SALT_FILE
        try:
            salt = path.read_bytes()
        except FileNotFoundError:
            salt = b""
        if len(salt) >= 32:
            return salt
        self.root.mkdir(parents=True, exist_ok=True)
        fresh = secrets.token_bytes(32)
        try:
            # O_EXCL: of two processes creating it, one wins and both use its salt.
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            salt = path.read_bytes()
            if len(salt) < 32:
                raise OSError(f"{path.name} is damaged; delete it") from None
            return salt
        with os.fdopen(fd, "wb") as fh:
            fh.write(fresh)
        return fresh

    # -- rows ----------------------------------------------------------------------------------------------------

    def _run(self, sql: str, args=(), *, fetch: bool = False, many: bool = False, default=None, create: bool = False):
        """``sql`` on this folder's database; ``default`` when there is none yet (unless ``create``) or the folder
        can't be used (reported once). A database SQLite can't read is discarded with a warning, and the statement
        runs once more on a new, empty one."""
        import sqlite3

        for attempt in (1, 2):
            try:
                db = _database(self.root, create=create)
                if db is None:
                    return default
                return db.run(sql, args, fetch=fetch, many=many)
            except _Damaged as exc:
                if attempt == 2:
                    _report_once(self.root, exc)
                    return default
                self._discard_database(exc)
            except (OSError, sqlite3.Error) as exc:
                _report_once(self.root, exc)
                return default
        return default

    def _discard_database(self, exc: BaseException) -> None:
        _forget_database(self.root)
        warn(f"lbtools cache: discarded a corrupt cache database ({self.database}: {str(exc)[:200]}); its answers "
             "will be fetched again", CacheWarning, stacklevel=5)
        for suffix in ("", "-journal"):
            _unlink(Path(f"{self.database}{suffix}"))

    def is_empty(self) -> bool:
        """Does this folder hold no answer at all (no database yet, or no row)? One query at most."""
        return self._run("SELECT 1 FROM responses LIMIT 1", fetch=True) is None

    def fingerprint(self, key: str):
        """``(stored_at, sha256)`` of the row for ``key`` without reading its body, or ``None``: what the in-process
        layer compares with the row it remembers."""
        row = self._run("SELECT format, stored_at, sha256 FROM responses WHERE key = ?", (key,), fetch=True)
        if row is None or row[0] != FORMAT:
            return None
        return row[1], row[2]

    def read(self, key: str):
        """``(body, stored_at, fingerprint)`` of a fresh row, else ``None``; a row whose body fails its checksum is
        discarded with a warning."""
        row = self._run("SELECT format, stored_at, sha256, body FROM responses WHERE key = ?", (key,), fetch=True)
        if row is None:
            return None
        fmt, stored_at, digest, data = row
        if fmt != FORMAT:
            return None  # written by another version of lbtools: fetched again and overwritten, not "corrupt"
        try:
            if not isinstance(data, bytes) or hashlib.sha256(data).hexdigest() != digest:
                raise ValueError("checksum mismatch")
            body = json.loads(data)
            stored_at = float(stored_at)
        except (ValueError, TypeError, RecursionError) as exc:
            # Written in one transaction, a row is only ever damaged from outside (a power cut before the data reached
            # the disk, a hand edit): the checksum catches what SQLite still reads.
            reason = "nested too deeply" if isinstance(exc, RecursionError) else str(exc)[:200]
            warn(f"lbtools cache: discarded a corrupt cache entry ({key[:16]}…: {reason}); fetching it again",
                 CacheWarning, stacklevel=3)
            self.discard(key)
            return None
        age = time.time() - stored_at
        if age > self.ttl or age < -FUTURE_TOLERANCE_S:  # a time in the future is a clock jump: don't trust it
            return None
        return body, stored_at, (stored_at, digest)

    def get(self, key: str):
        """The cached ``(body, stored_at)`` if fresh, else ``None``."""
        hit = self.read(key)
        return None if hit is None else hit[:2]

    def put(self, key: str, body, url: str, authenticated: bool, raw: bytes | None = None):
        """Store ``body`` now; returns ``stored_at``, or ``None`` when it could not be stored (reported once; the
        load goes on). ``raw``: the JSON text ``body`` was decoded from, stored as it is when it is UTF-8 (else the
        body is encoded)."""
        row = self.prepare(key, body, url, authenticated, raw)
        if row is None or not self.put_rows([row]):
            return None
        return row[4]

    def prepare(self, key: str, body, url: str, authenticated: bool, raw: bytes | None = None,
                stored_at: float | None = None):
        """The row ``put_rows`` stores for this answer (its text and checksum computed now, in the thread that
        received it), or ``None`` when the body can't be stored (reported once). ``stored_at``: when it was received
        (default now)."""
        try:
            text = raw if raw is not None and _is_utf8_json(raw) else _encode(body)
        except (RecursionError, ValueError) as exc:
            _report_once(self.root, exc)
            return None
        stored_at = time.time() if stored_at is None else stored_at
        return key, FORMAT, url, int(bool(authenticated)), stored_at, hashlib.sha256(text).hexdigest(), text

    def put_rows(self, rows: list) -> bool:
        """Store rows made by ``prepare``, in one transaction (a commit costs more than a row: about 0.1 ms each
        against 1.5 ms for 64 rows at once, measured here); False when they could not be stored (reported once)."""
        if not rows:
            return True
        written = self._run(
            "INSERT OR REPLACE INTO responses (key, format, url, authenticated, stored_at, sha256, body) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            rows, many=True, create=True,
        )
        return written is not None

    def discard(self, key: str) -> None:
        """Delete the cached answer for ``key`` (damaged, or of the wrong shape)."""
        self._run("DELETE FROM responses WHERE key = ?", (key,))

    def clear(self) -> int:
        """Delete every cached response (and any file of the older one-file-per-answer layout); returns how many."""
        removed = 0
        removed += self._run("DELETE FROM responses", default=0) or 0
        legacy = self.root / LEGACY_DIR
        if legacy.is_dir():
            for pattern in ("*.json", "*.lock", ".tmp-*"):
                for path in legacy.rglob(pattern):
                    _unlink(path)
                    removed += pattern == "*.json"
        return removed


def _encode(value) -> bytes:
    # ASCII: a lone surrogate in user-submitted text (valid JSON, not encodable as UTF-8) round-trips escaped.
    return json.dumps(value, ensure_ascii=True, separators=(",", ":")).encode("ascii")


def _is_utf8_json(raw: bytes) -> bool:
    """Can ``raw`` be stored as it is? (json.loads also reads UTF-16/32 and a BOM.)"""
    if raw.startswith(b"\xef\xbb\xbf") or not raw.strip():
        return False
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _report_once(root: Path, exc: BaseException) -> None:
    """One warning per cache folder and kind of failure: the cache is an optimisation, never a reason to fail."""
    reason = "data nested too deeply" if isinstance(exc, RecursionError) else f"{type(exc).__name__}: {exc}"
    key = (str(root), type(exc).__name__)
    if key in _reported:
        return
    _reported.add(key)
    warn(
        f"lbtools cache: could not use the response cache in {root} ({reason}); loading goes on without it "
        "(set LBTOOLS_CACHE to another folder, or LBTOOLS_CACHE=off)",
        CacheWarning,
        stacklevel=5,
    )


def _unlink(path: Path) -> None:
    try:
        path.unlink()
    except OSError:  # gone already, or not ours to delete: either way nothing to do
        pass


def clear_cache() -> int:
    """Delete every cached Hub response (the Parquet stays in the Hub's own cache); returns how many were removed."""
    from ..config import settings

    s = settings()
    if s.cache_dir is None:
        return 0
    return ResponseCache(s.cache_dir, s.cache_ttl).clear()
