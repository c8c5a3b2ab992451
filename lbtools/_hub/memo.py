"""An in-process layer in front of the disk response cache, so a warm load in the same process decodes nothing again.

Each entry remembers the fingerprint of the database row it mirrors (when it was stored and its checksum) as it was
read or written. A hit costs one indexed lookup of that fingerprint, without the body: a row deleted
(``lbtools.clear_cache``) or replaced by another process no longer matches, and the disk cache reads (and checks, or
discards) it again. Freshness is judged by the time the response was stored, exactly as on disk, and
``refresh=True`` never reads from here. Entries are bounded (least recently used first out), and they live only as
long as the process.

The bodies handed out are shared between loads: the parsers only read them.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict

MAX_ENTRIES = 4096

_entries: "OrderedDict[tuple[str, str], tuple[tuple, object, float]]" = OrderedDict()
_lock = threading.Lock()


def forget() -> None:
    """Drop every entry (the disk cache is untouched)."""
    with _lock:
        _entries.clear()


class MemoryLayer:
    """``get``/``prepare``/``put_rows`` like :class:`lbtools._hub.cache.ResponseCache`, answering from memory while
    the row is unchanged."""

    def __init__(self, disk):
        self.disk = disk
        self.root = str(disk.root)
        self.ttl = disk.ttl

    def get(self, key: str):
        """The cached ``(body, stored_at)`` if fresh, else ``None``."""
        slot = (self.root, key)
        with _lock:
            entry = _entries.get(slot)
        if entry is not None:
            fingerprint = self.disk.fingerprint(key)
            if fingerprint == entry[0]:
                with _lock:
                    if slot in _entries:
                        _entries.move_to_end(slot)
                _, body, stored_at = entry
                if time.time() - stored_at > self.ttl:
                    return None
                return body, stored_at
        hit = self.disk.read(key)  # reads, checks, discards a damaged row
        if hit is None:
            with _lock:
                _entries.pop(slot, None)
            return None
        body, stored_at, fingerprint = hit
        self._remember(slot, fingerprint, body, stored_at)
        return body, stored_at

    def prepare(self, key: str, body, url: str, authenticated: bool, raw: bytes | None = None,
                stored_at: float | None = None):
        return self.disk.prepare(key, body, url, authenticated, raw, stored_at)

    def put_rows(self, answers: list) -> bool:
        """``ResponseCache.put_rows`` of ``[(row, body)]``; each answer stored is remembered here too."""
        stored = self.disk.put_rows([row for row, _ in answers])
        for row, body in answers:
            slot = (self.root, row[0])
            if stored:
                self._remember(slot, (row[4], row[5]), body, row[4])
            else:
                with _lock:
                    _entries.pop(slot, None)
        return stored

    def is_empty(self) -> bool:
        return self.disk.is_empty()

    def identity(self, token: str):
        return self.disk.identity(token)

    def discard(self, key: str) -> None:
        with _lock:
            _entries.pop((self.root, key), None)
        self.disk.discard(key)

    def clear(self) -> int:
        forget()
        return self.disk.clear()

    @staticmethod
    def _remember(slot, fingerprint, body, stored_at) -> None:
        with _lock:
            _entries[slot] = (fingerprint, body, stored_at)
            _entries.move_to_end(slot)
            while len(_entries) > MAX_ENTRIES:
                _entries.popitem(last=False)
