"""Reading the files of a snapshot folder that may have been crafted: only regular files inside the folder, each
under a size cap; anything else (a FIFO, a device, a symlink to ``/dev/zero`` or to a file outside the folder, a file
larger than the cap) is a SnapshotError naming it, never a hang or an exhausted memory.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from ..errors import SnapshotError

MAX_RESPONSE_BYTES = 64 * 1024 * 1024  # as a live answer (the client's MAX_BODY_BYTES)
MAX_MANIFEST_BYTES = 16 * 1024 * 1024
MAX_REPO_FILE_BYTES = 16 * 1024 * 1024  # a benchmark's eval.yaml
MAX_AGGREGATE_BYTES = 2 * 1024 * 1024 * 1024  # the aggregate Parquet (~100 kB today)


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
