"""A disk cache of Hub API responses: one JSON file per request, written atomically, shared safely.

diskcache would pickle, and hishel caches httpx (not the httpx2 client huggingface_hub 2 uses), so this is a small
JSON store: ``filelock`` serialises writers across processes, ``os.replace`` makes each write atomic, and a file that
fails to parse is discarded and refetched. The key covers endpoint, path, parameters and whether the request was
authenticated; the token itself is never part of the key or the content.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import time
import warnings
from pathlib import Path

FORMAT = 1


def cache_key(endpoint: str, path: str, query: str, authenticated: bool) -> str:
    text = json.dumps([FORMAT, endpoint, path, query, bool(authenticated)])
    return hashlib.sha256(text.encode()).hexdigest()


class ResponseCache:
    """JSON bodies by key under ``root``, fresh for ``ttl`` seconds."""

    def __init__(self, root: Path, ttl: float):
        self.root = Path(root)
        self.ttl = ttl

    def _file(self, key: str) -> Path:
        return self.root / "responses" / key[:2] / f"{key}.json"

    def get(self, key: str):
        """The cached ``(body, stored_at)`` if fresh, else ``None``."""
        path = self._file(key)
        try:
            raw = path.read_bytes()
        except FileNotFoundError:
            return None
        try:
            record = json.loads(raw)
            stored_at = float(record["stored_at"])
            body = record["body"]
            if record.get("format") != FORMAT or record.get("sha256") != _digest(body):
                raise ValueError("checksum mismatch")
        except (ValueError, KeyError, TypeError) as exc:
            warnings.warn(
                f"lbtools cache: discarded a corrupt cache file ({path.name}: {exc}); fetching it again",
                RuntimeWarning,
                stacklevel=2,
            )
            _unlink(path)
            return None
        if time.time() - stored_at > self.ttl:
            return None
        return body, stored_at

    def put(self, key: str, body, url: str, authenticated: bool) -> None:
        """Store ``body`` atomically; two processes writing the same key never interleave."""
        from filelock import FileLock

        path = self._file(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        record = {
            "format": FORMAT,
            "url": url,
            "authenticated": bool(authenticated),
            "stored_at": time.time(),
            "sha256": _digest(body),
            "body": body,
        }
        data = json.dumps(record, ensure_ascii=False, separators=(",", ":")).encode()
        with FileLock(str(path) + ".lock", timeout=60):
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".json")
            try:
                with os.fdopen(fd, "wb") as fh:
                    fh.write(data)
                os.replace(tmp, path)
            except BaseException:
                _unlink(Path(tmp))
                raise

    def clear(self) -> int:
        """Delete every cached response; returns how many files were removed."""
        removed = 0
        base = self.root / "responses"
        if not base.exists():
            return 0
        for path in base.rglob("*.json"):
            _unlink(path)
            removed += 1
        for path in base.rglob("*.lock"):
            _unlink(path)
        return removed


def _digest(body) -> str:
    return hashlib.sha256(json.dumps(body, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def _unlink(path: Path) -> None:
    try:
        path.unlink()
    except FileNotFoundError:
        pass
