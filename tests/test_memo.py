"""The in-process layer in front of the disk cache (``lbtools._hub.memo``) and loads served from what is at hand.

A warm load in the same process reads no file and starts no thread, yet never serves what the disk no longer holds:
a file deleted, rewritten or damaged is read (and checked) again.
"""

from __future__ import annotations

import json

import pandas as pd
import pytest

import lbtools
from lbtools._hub import cache, fetch, memo

SWE = "SWE-bench/SWE-bench_Verified"


pytestmark = pytest.mark.usefixtures("empty_memory")


def _ids(facts):
    return sorted(set(facts["leaderboards"]) - {facts["gated_benchmark"]})


def _count_disk_reads(monkeypatch) -> list:
    reads = []
    original = cache.ResponseCache.get

    def get(self, key):
        reads.append(key)
        return original(self, key)

    monkeypatch.setattr(cache.ResponseCache, "get", get)
    return reads


def _no_threads(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("a thread pool was started for answers already at hand")

    monkeypatch.setattr(fetch, "ThreadPoolExecutor", refuse)


def test_a_warm_load_reads_no_file_sends_nothing_and_starts_no_thread(hub, facts, monkeypatch):
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


def test_a_file_rewritten_on_disk_is_read_again(hub, tmp_path):
    lbtools.load_leaderboard(SWE)
    (path,) = (tmp_path / "lbtools-cache").rglob("*.json")
    record = json.loads(path.read_bytes())
    record["body"][0]["value"] = 12.5  # another process stored a newer answer
    record["sha256"] = cache._digest(record["body"])
    path.write_text(json.dumps(record))
    df = lbtools.load_leaderboard(SWE)
    assert 12.5 in set(df["value"])
    assert len(hub.requests) == 1


def test_a_file_deleted_or_cleared_is_fetched_again(hub):
    lbtools.load_leaderboard(SWE)
    assert lbtools.clear_cache() >= 1
    lbtools.load_leaderboard(SWE)
    assert len(hub.requests) == 2


def test_a_file_damaged_after_it_was_remembered_is_discarded(hub, tmp_path):
    lbtools.load_leaderboard(SWE)
    (path,) = (tmp_path / "lbtools-cache").rglob("*.json")
    path.write_bytes(path.read_bytes()[:40])
    with pytest.warns(RuntimeWarning, match="corrupt cache file"):
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
    (path,) = [p for p in (tmp_path / "lbtools-cache").rglob("*.json")
               if json.loads(p.read_bytes())["url"].endswith(f"/{SWE}/leaderboard")]
    record = json.loads(path.read_bytes())
    record["body"] = {"error": "not a leaderboard"}
    record["sha256"] = cache._digest(record["body"])
    path.write_text(json.dumps(record))
    sent = len(hub.requests)
    df = lbtools.load_leaderboards(ids)
    assert df.attrs["failures"] == {}
    assert SWE in set(df["dataset_id"])
    assert hub.paths()[sent:] == [f"/api/datasets/{SWE}/leaderboard"]
    assert not path.exists() or json.loads(path.read_bytes())["body"] != {"error": "not a leaderboard"}


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
