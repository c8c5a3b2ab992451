"""Where a recorded Hub response lives inside a snapshot folder.

A snapshot is a recorded Hub: each API call's raw JSON body is one file whose path is the request's URL path
plus its sorted query string, so the loaders can replay it through the same parsing code as a live answer.
The local test Hub uses the same mapping to serve a snapshot folder back over HTTP.
"""

from __future__ import annotations

import hashlib
from pathlib import PurePosixPath
from urllib.parse import quote, urlencode

RESPONSES_DIR = "responses"
FILES_DIR = "files"
MANIFEST = "manifest.json"
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
