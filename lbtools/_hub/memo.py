"""An in-process layer in front of the disk response cache, so a warm load in the same process re-reads nothing.

Each entry remembers the identity of the cache file it mirrors (inode, size, modification time) when it was read or
written. A hit costs one ``stat``: a file that was deleted (``lbtools.clear_cache``), replaced by another process, or
damaged on disk no longer matches, and the disk cache reads (and checks, or discards) it again. Freshness is judged
by the time the response was stored, exactly as on disk, and ``refresh=True`` never reads from here. Entries are
bounded (least recently used first out), and they live only as long as the process: nothing new is ever written.

The bodies handed out are shared between loads: the parsers only read them.
"""

from __future__ import annotations

import os
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


def _signature(path) -> tuple | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_ino, st.st_size, st.st_mtime_ns)


class MemoryLayer:
    """``get``/``put`` like :class:`lbtools._hub.cache.ResponseCache`, answering from memory while the file is unchanged."""

    def __init__(self, disk):
        self.disk = disk
        self.root = str(disk.root)
        self.ttl = disk.ttl

    def get(self, key: str):
        """The cached ``(body, stored_at)`` if fresh, else ``None``."""
        slot = (self.root, key)
        signature = _signature(self.disk._file(key))
        if signature is None:
            with _lock:
                _entries.pop(slot, None)
            return self.disk.get(key)
        with _lock:
            entry = _entries.get(slot)
            if entry is not None and entry[0] == signature:
                _entries.move_to_end(slot)
        if entry is not None and entry[0] == signature:
            _, body, stored_at = entry
            if time.time() - stored_at > self.ttl:
                return None
            return body, stored_at
        hit = self.disk.get(key)  # reads, checks, discards a damaged file
        if hit is not None:
            # The signature taken before the read: if the file changed meanwhile, the next get reads it again.
            self._remember(slot, signature, *hit)
        else:
            with _lock:
                _entries.pop(slot, None)
        return hit

    def put(self, key: str, body, url: str, authenticated: bool, raw: bytes | None = None):
        stored_at = self.disk.put(key, body, url=url, authenticated=authenticated, raw=raw)
        slot = (self.root, key)
        signature = _signature(self.disk._file(key))
        if signature is None or not isinstance(stored_at, float):
            with _lock:
                _entries.pop(slot, None)
        else:
            self._remember(slot, signature, body, stored_at)
        return stored_at

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
    def _remember(slot, signature, body, stored_at) -> None:
        with _lock:
            _entries[slot] = (signature, body, stored_at)
            _entries.move_to_end(slot)
            while len(_entries) > MAX_ENTRIES:
                _entries.popitem(last=False)
