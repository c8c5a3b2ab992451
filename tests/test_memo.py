"""The in-process layer in front of the disk cache (``lbtools._hub.memo``) and loads served from what is at hand.

A warm load in the same process reads no cached body and starts no thread, yet never serves what the disk no longer
holds: a row deleted or rewritten, or a database damaged, is read (and checked) again.
"""

from __future__ import annotations

import hashlib
import json

import pandas as pd
import pytest

import lbtools
from cache_db import damage_file, rows, update
from lbtools._hub import cache, fetch, memo

SWE = "SWE-bench/SWE-bench_Verified"


pytestmark = pytest.mark.usefixtures("empty_memory")


def _ids(facts):
    return sorted(set(facts["leaderboards"]) - {facts["gated_benchmark"]})


def _count_disk_reads(monkeypatch) -> list:
    reads = []
    original = cache.ResponseCache.read

    def read(self, key):
        reads.append(key)
        return original(self, key)

    monkeypatch.setattr(cache.ResponseCache, "read", read)
    return reads


def _no_threads(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("a thread pool was used for answers already at hand")

    monkeypatch.setattr(fetch, "_pool", refuse)


def test_a_warm_load_reads_no_body_sends_nothing_and_starts_no_thread(hub, facts, monkeypatch):
    ids = _ids(facts)
    cold = lbtools.load_leaderboards(ids)
    sent = len(hub.requests)
    reads = _count_disk_reads(monkeypatch)
    _no_threads(monkeypatch)
    warm = lbtools.load_leaderboards(ids)
    assert len(hub.requests) == sent
    assert reads == []
    pd.testing.assert_frame_equal(warm, cold)
    assert warm.attrs["source"] == cold.attrs["source"] and warm.attrs["failures"] == cold.attrs["failures"]


def test_a_new_process_finds_the_disk_cache(hub, facts, monkeypatch):
    """Forgetting the memory stands for a new process: the disk answers, checked, in the caller's thread."""
    ids = _ids(facts)
    cold = lbtools.load_leaderboards(ids)
    sent = len(hub.requests)
    memo.forget()
    reads = _count_disk_reads(monkeypatch)
    _no_threads(monkeypatch)
    warm = lbtools.load_leaderboards(ids)
    assert len(hub.requests) == sent
    assert len(reads) == len(ids)
    pd.testing.assert_frame_equal(warm, cold)


def test_a_row_rewritten_by_another_process_is_read_again(hub, tmp_path):
    lbtools.load_leaderboard(SWE)
    root = tmp_path / "lbtools-cache"
    (row,) = rows(root)
    body = json.loads(row["body"])
    body[0]["value"] = 12.5  # another process stored a newer answer
    raw = json.dumps(body).encode()
    update(root, row["key"], body=raw, sha256=hashlib.sha256(raw).hexdigest(), stored_at=row["stored_at"] + 1)
    df = lbtools.load_leaderboard(SWE)
    assert 12.5 in set(df["value"])
    assert len(hub.requests) == 1


def test_a_row_cleared_is_fetched_again(hub):
    lbtools.load_leaderboard(SWE)
    assert lbtools.clear_cache() >= 1
    lbtools.load_leaderboard(SWE)
    assert len(hub.requests) == 2


def test_a_database_damaged_after_it_was_remembered_is_discarded(hub, tmp_path):
    lbtools.load_leaderboard(SWE)
    damage_file(tmp_path / "lbtools-cache", "garbage")
    with pytest.warns(RuntimeWarning, match="corrupt cache database"):
        lbtools.load_leaderboard(SWE)
    assert len(hub.requests) == 2


def test_a_refresh_of_many_fetches_every_one(hub, facts):
    ids = _ids(facts)
    lbtools.load_leaderboards(ids)
    lbtools.load_leaderboards(ids, refresh=True)
    listed = [p for p in hub.paths() if p.endswith("/leaderboard")]
    assert len(listed) == 2 * len(ids)


def test_a_partly_cached_load_fetches_only_the_rest(hub, facts):
    ids = _ids(facts)
    lbtools.load_leaderboards(ids[:4])
    hub.reset_stats()
    df = lbtools.load_leaderboards(ids)
    fetched = sorted(p.rsplit("/leaderboard", 1)[0].removeprefix("/api/datasets/") for p in hub.paths())
    assert fetched == sorted(ids[4:])
    assert list(dict.fromkeys(df["dataset_id"])) == ids


def test_a_wrong_shaped_cached_answer_is_discarded_and_fetched_again(hub, facts, tmp_path):
    """An answer at hand of the wrong shape (an error object with a valid checksum, left by an older version) is
    never raised to the user: it is discarded and fetched again (issue 11, finding 5)."""
    ids = _ids(facts)
    lbtools.load_leaderboards(ids)
    root = tmp_path / "lbtools-cache"
    (row,) = [r for r in rows(root) if r["url"].endswith(f"/{SWE}/leaderboard")]
    wrong = json.dumps({"error": "not a leaderboard"}).encode()
    update(root, row["key"], body=wrong, sha256=hashlib.sha256(wrong).hexdigest())
    sent = len(hub.requests)
    df = lbtools.load_leaderboards(ids)
    assert df.attrs["failures"] == {}
    assert SWE in set(df["dataset_id"])
    assert hub.paths()[sent:] == [f"/api/datasets/{SWE}/leaderboard"]
    assert [r["body"] for r in rows(root) if r["key"] == row["key"]] != [wrong]


def test_the_memory_is_bounded(hub, facts, monkeypatch):
    monkeypatch.setattr(memo, "MAX_ENTRIES", 3)
    lbtools.load_leaderboards(_ids(facts))
    assert len(memo._entries) == 3


def test_snapshot_loads_read_in_the_callers_thread(monkeypatch):
    _no_threads(monkeypatch)
    df = lbtools.load_leaderboards()
    assert len(df) > 0 and df.attrs["source"].startswith("snapshot:")
    with pytest.raises(lbtools.NotFoundError, match="benchmark nobody/missing"):
        lbtools.load_leaderboards(["nobody/missing"], errors="raise")


def test_the_pool_oversubscribes_only_against_the_hub():
    class Hub:
        kind = "hub"

    class Snapshot:
        kind = "snapshot"

    assert fetch.pool_size(Hub(), 8, 64) == 16
    assert fetch.pool_size(Hub(), 8, 5) == 5
    assert fetch.pool_size(Snapshot(), 8, 64) == 8


def test_a_load_into_an_empty_cache_looks_nothing_up_and_caches_every_answer(hub, facts, tmp_path, monkeypatch):
    ids = _ids(facts)
    reads = _count_disk_reads(monkeypatch)
    lbtools.load_leaderboards(ids)
    assert reads == []  # one query found the cache empty: no lookup per key
    assert len(rows(tmp_path / "lbtools-cache")) == len(ids)


def test_a_partly_cached_load_looks_each_key_up_once(hub, facts, monkeypatch):
    ids = _ids(facts)
    lbtools.load_leaderboards(ids[:4])
    memo.forget()
    reads = _count_disk_reads(monkeypatch)
    lbtools.load_leaderboards(ids)
    assert sorted(reads) == sorted(set(reads)) and len(reads) == len(ids)  # the pool's tasks don't look up again


def test_a_loads_answers_are_cached_in_batches(hub, facts, monkeypatch):
    ids = _ids(facts)
    batches = []
    original = cache.ResponseCache.put_rows

    def put_rows(self, rows_):
        batches.append(len(rows_))
        return original(self, rows_)

    monkeypatch.setattr(cache.ResponseCache, "put_rows", put_rows)
    lbtools.load_leaderboards(ids)
    assert sum(batches) == len(ids) and len(batches) < len(ids)
