"""Reading and changing the response cache's database from a test, as another process or a damaged disk would."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from lbtools._hub.cache import DATABASE


def database(root) -> Path:
    return Path(root) / DATABASE


def rows(root) -> list[dict]:
    """Every row of the cache folder ``root``, as dicts (an absent database has none)."""
    path = database(root)
    if not path.exists():
        return []
    with sqlite3.connect(path) as con:
        con.row_factory = sqlite3.Row
        found = [dict(r) for r in con.execute("SELECT * FROM responses ORDER BY key")]
    con.close()
    return found


def update(root, key: str, **fields) -> None:
    """Rewrite columns of one row (another process storing a newer answer, or a damaged body)."""
    names = ", ".join(f"{name} = ?" for name in fields)
    con = sqlite3.connect(database(root))
    with con:
        assert con.execute(f"UPDATE responses SET {names} WHERE key = ?", (*fields.values(), key)).rowcount == 1
    con.close()


def damage_file(root, how: str) -> None:
    """Damage the database file itself, as a crash of the disk or a stray write would."""
    path = database(root)
    raw = path.read_bytes()
    if how == "truncated":
        path.write_bytes(raw[: len(raw) // 2])
    elif how == "emptied":
        path.write_bytes(b"")
    elif how == "garbage":
        path.write_bytes(os.urandom(len(raw)))
    elif how == "header-zeroed":
        path.write_bytes(b"\0" * 100 + raw[100:])
    else:
        raise ValueError(how)


FILE_DAMAGE = ["truncated", "emptied", "garbage", "header-zeroed"]
