"""The response cache's rows: the Hub's bytes stored as received, checked against their checksum when read."""

from __future__ import annotations

import hashlib
import json
import warnings

import pytest

import lbtools
from cache_db import rows, update
from lbtools._hub import cache, memo

SWE = "SWE-bench/SWE-bench_Verified"


def test_a_cached_answer_holds_the_hubs_bytes_and_their_checksum(hub, tmp_path):
    import httpx2

    lbtools.load_leaderboard(SWE)
    raw = httpx2.get(f"{hub.url}/api/datasets/{SWE}/leaderboard").content
    (row,) = rows(tmp_path / "lbtools-cache")
    assert row["format"] == cache.FORMAT == 3
    assert row["body"] == raw  # the body as the Hub sent it
    assert row["sha256"] == hashlib.sha256(raw).hexdigest()
    assert row["url"] == f"{hub.url}/api/datasets/{SWE}/leaderboard" and row["authenticated"] == 0
    assert not (tmp_path / "lbtools-cache" / "responses").exists()  # no file per answer


def test_a_row_of_another_format_is_fetched_again_without_a_corruption_warning(hub, tmp_path):
    lbtools.load_leaderboard(SWE)
    root = tmp_path / "lbtools-cache"
    (row,) = rows(root)
    update(root, row["key"], format=2, sha256="0" * 64)  # written by another lbtools: its checksum was another
    memo.forget()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        df = lbtools.load_leaderboard(SWE)
    assert len(hub.requests) == 2 and len(df) > 0
    assert [r["format"] for r in rows(root)] == [3]  # overwritten with the new answer


def test_a_byte_changed_inside_the_stored_body_is_caught(hub, tmp_path):
    lbtools.load_leaderboard(SWE)
    root = tmp_path / "lbtools-cache"
    (row,) = rows(root)
    value = json.loads(row["body"])[0]["value"]
    changed = row["body"].replace(json.dumps(value).encode(), json.dumps(value + 1).encode(), 1)
    assert changed != row["body"]
    update(root, row["key"], body=changed)
    memo.forget()
    with pytest.warns(RuntimeWarning, match="corrupt cache entry"):
        df = lbtools.load_leaderboard(SWE)
    assert value in set(df["value"]) and len(hub.requests) == 2


def test_the_older_one_file_per_answer_records_are_never_read_and_are_cleared(hub, tmp_path):
    root = tmp_path / "lbtools-cache"
    legacy = root / "responses" / ("ab" * 32 + ".json")
    legacy.parent.mkdir(parents=True)
    legacy.write_text(json.dumps({"format": 2, "stored_at": 0, "body": []}))
    lbtools.load_leaderboard(SWE)
    assert len(hub.requests) == 1
    assert lbtools.clear_cache() == 2  # the row, and the old record
    assert not legacy.exists() and rows(root) == []


def test_a_database_deleted_while_open_is_created_again_not_written_unseen(hub, tmp_path):
    """A folder emptied by hand (rm -r) while a notebook runs: its next answers go to a new file others can read."""
    root = tmp_path / "lbtools-cache"
    lbtools.load_leaderboard(SWE)
    (root / cache.DATABASE).unlink()
    memo.forget()
    lbtools.load_leaderboard(SWE)
    assert len(hub.requests) == 2
    assert len(rows(root)) == 1
