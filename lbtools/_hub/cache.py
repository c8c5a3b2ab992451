"""A disk cache of Hub API responses: one JSON file per request, written atomically, shared safely.

diskcache would pickle, and hishel caches httpx (not the httpx2 client huggingface_hub 2 uses), so this is a small
JSON store. Each writer writes a temporary file of its own and ``os.replace`` puts it in place, so a reader in any
process sees a whole record or none; no lock is taken (creating a lock file per key cost more than the write, and
two writers of one key each replace the file whole). A file that fails to parse or whose checksum does not match its
body is discarded and refetched. The cache only ever saves requests: a file it cannot read or write is reported once
and the load goes on without it. The key covers endpoint, path, parameters and who asked: nobody for an anonymous
request, else a salted SHA-256 of the token (the salt is random, kept in the cache folder), so another token, or none,
never reads an authenticated answer, and the token itself is never part of the key or the content.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import os
import secrets
import threading
import time
from pathlib import Path

from ..errors import CacheWarning, warn

# 2: the key holds who asked (a salted hash of the token), and the checksum covers the body exactly as written
# (compact ASCII JSON, keys in the Hub's order), so reading checks the bytes without encoding the body again.
# A file of another format is a plain miss.
FORMAT = 2
SALT_FILE = "identity-salt"
FUTURE_TOLERANCE_S = 60.0

_reported: set[tuple[str, str]] = set()
_written = itertools.count()


def cache_key(endpoint: str, path: str, query: str, identity: str) -> str:
    """The key of ``GET endpoint+path?query`` asked by ``identity`` (``""`` anonymous, else ``ResponseCache.identity``)."""
    text = json.dumps([FORMAT, endpoint, path, query, identity])
    return hashlib.sha256(text.encode()).hexdigest()


class ResponseCache:
    """JSON bodies by key under ``root``, fresh for ``ttl`` seconds."""

    def __init__(self, root: Path, ttl: float):
        self.root = Path(root)
        self.ttl = ttl

    def _file(self, key: str) -> Path:
        # One folder for all: creating a folder costs as much as writing a record, and a cold load of 60 answers
        # would create ~55 sub-folders of a two-letter fan-out (ext4, xfs, btrfs index large folders themselves).
        # Records of the older fan-out layout are never read, and ``clear`` still removes them.
        return self.root / "responses" / f"{key}.json"

    def identity(self, token: str) -> str | None:
        """A salted hash standing for ``token`` in cache keys; ``None`` when no salt can be kept (then answers to
        authenticated requests are not cached, rather than cached under a guessable key)."""
        try:
            salt = self._salt()
        except OSError as exc:
            _report_once(self.root, "keep the identity salt of", exc)
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

    def discard(self, key: str) -> None:
        """Delete the cached answer for ``key`` (it was of the wrong shape)."""
        _unlink(self._file(key))

    def get(self, key: str):
        """The cached ``(body, stored_at)`` if fresh, else ``None``."""
        path = self._file(key)
        try:
            raw = path.read_bytes()
        except FileNotFoundError:
            return None
        except OSError as exc:  # unreadable (permissions, a folder in its place): a miss, not a failed load
            _report_once(self.root, "read", exc)
            return None
        try:
            record = json.loads(raw)
            if isinstance(record, dict) and record.get("format") != FORMAT and "format" in record:
                return None  # written by another version of lbtools: fetched again and overwritten, not "corrupt"
            stored_at = float(record["stored_at"])
            body = record["body"]
            if not _checksum_matches(raw, body, record.get("sha256")):
                raise ValueError("checksum mismatch")
        except (ValueError, KeyError, TypeError, RecursionError) as exc:
            # Written atomically, a file is only ever damaged from outside (a crash before the data reached the
            # disk, a disk full, a hand edit): the checksum catches what still parses.
            reason = "nested too deeply" if isinstance(exc, RecursionError) else str(exc)[:200]
            warn(f"lbtools cache: discarded a corrupt cache file ({path.name}: {reason}); fetching it again",
                 CacheWarning, stacklevel=2)
            _unlink(path)
            return None
        age = time.time() - stored_at
        if age > self.ttl or age < -FUTURE_TOLERANCE_S:  # a time in the future is a clock jump: don't trust it
            return None
        return body, stored_at

    def put(self, key: str, body, url: str, authenticated: bool, raw: bytes | None = None) -> float | None:
        """Store ``body`` atomically; two processes writing the same key never interleave. Returns ``stored_at``,
        or ``None`` when it could not be stored (reported once; the load goes on). ``raw``: the JSON text ``body``
        was decoded from, stored as it is when it is UTF-8 (else the body is encoded)."""
        try:
            return self._put(key, body, url, authenticated, raw)
        except (OSError, RecursionError, ValueError) as exc:
            _report_once(self.root, "write", exc)
            return None

    def _put(self, key: str, body, url: str, authenticated: bool, raw: bytes | None = None) -> float:
        path = self._file(key)
        if not path.parent.is_dir():  # a stat: cheaper than a mkdir that fails with EEXIST
            path.parent.mkdir(parents=True, exist_ok=True)
        text = raw if raw is not None and _is_utf8_json(raw) else _encode(body)
        stored_at = time.time()
        head = {
            "format": FORMAT,
            "url": url,
            "authenticated": bool(authenticated),
            "stored_at": stored_at,
            "sha256": hashlib.sha256(text).hexdigest(),
        }
        # One JSON object, the body last and spelled exactly as hashed (as the Hub sent it, or encoded once here).
        data = _encode(head)[:-1] + _BODY_KEY + text + b"}"
        # Not *.json: a temporary file left by a crash never looks like a record. No fsync: a record lost or zeroed by
        # a power cut fails its checksum and is fetched again. Two writers of one key each replace the file whole.
        # The name is this writer's own (process, thread, a counter), so no random name has to be drawn and retried.
        tmp = path.parent / f".tmp-{os.getpid()}-{threading.get_ident()}-{next(_written)}.part"
        try:
            with open(tmp, "xb") as fh:
                fh.write(data)
            os.replace(tmp, path)
        except BaseException:
            _unlink(tmp)
            raise
        return stored_at

    def clear(self) -> int:
        """Delete every cached response; returns how many files were removed."""
        removed = 0
        base = self.root / "responses"
        if not base.exists():
            return 0
        for path in base.rglob("*.json"):
            _unlink(path)
            removed += 1
        for pattern in ("*.lock", ".tmp-*"):
            for path in base.rglob(pattern):
                _unlink(path)
        return removed


_BODY_KEY = b',"body":'


def _encode(value) -> bytes:
    # ASCII: a lone surrogate in user-submitted text (valid JSON, not encodable as UTF-8) round-trips escaped.
    return json.dumps(value, ensure_ascii=True, separators=(",", ":")).encode("ascii")


def _is_utf8_json(raw: bytes) -> bool:
    """Can ``raw`` stand inside a UTF-8 record as it is? (json.loads also reads UTF-16/32 and a BOM.)"""
    if raw.startswith(b"\xef\xbb\xbf") or not raw.strip():
        return False
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _digest(body) -> str:
    """The checksum of a body: sha256 of its compact ASCII JSON, keys in their order."""
    return hashlib.sha256(_encode(body)).hexdigest()


def _checksum_matches(raw: bytes, body, expected) -> bool:
    """Does ``expected`` match the body? A file this module wrote holds the hashed bytes as they are (the body is
    its last member), so they are hashed without encoding the body again; any other layout of a valid record (a file
    rewritten by hand or by another tool) is checked by encoding the parsed body."""
    if not isinstance(expected, str):
        return False
    start = raw.find(_BODY_KEY)
    if start != -1 and hashlib.sha256(raw[start + len(_BODY_KEY):].rstrip()[:-1]).hexdigest() == expected:
        return True
    return _digest(body) == expected


def _report_once(root: Path, action: str, exc: BaseException) -> None:
    """One warning per cache folder and kind of failure: the cache is an optimisation, never a reason to fail."""
    key = (str(root), action)
    if key in _reported:
        return
    _reported.add(key)
    reason = "data nested too deeply" if isinstance(exc, RecursionError) else f"{type(exc).__name__}: {exc}"
    warn(
        f"lbtools cache: could not {action} the response cache in {root} ({reason}); loading goes on without it "
        "(set LBTOOLS_CACHE to another folder, or LBTOOLS_CACHE=off)",
        CacheWarning,
        stacklevel=4,
    )


def _unlink(path: Path) -> None:
    try:
        path.unlink()
    except OSError:  # gone already, or not ours to delete: either way nothing to do
        pass


def clear_cache() -> int:
    """Delete every cached Hub response (the Parquet stays in the Hub's own cache); returns the files removed."""
    from ..config import settings

    s = settings()
    if s.cache_dir is None:
        return 0
    return ResponseCache(s.cache_dir, s.cache_ttl).clear()
