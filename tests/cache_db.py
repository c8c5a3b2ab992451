"""Reading and changing the response cache's files from a test, as another process or a damaged disk would."""

from __future__ import annotations

from pathlib import Path


def answer_files(root) -> list[Path]:
    """Every cached answer under the cache folder ``root`` (none when it does not exist)."""
    return sorted(p for p in Path(root).rglob("*.json") if p.is_file() and not p.is_symlink())


def identities(root) -> set[str]:
    """The identity folders (``anonymous`` or a salted hash) that hold answers."""
    return {p.relative_to(root).parts[2] for p in answer_files(root)}
