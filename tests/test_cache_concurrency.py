"""The response cache shared by several processes (two notebooks on one machine), and damaged caches.

Writers and readers in separate processes hammer the same keys of one cache folder: every read must be a miss or a
complete, valid record. A damaged entry, or a damaged database file, is discarded with a warning and fetched again.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import textwrap
import warnings
from pathlib import Path

import pytest

import lbtools
from cache_db import FILE_DAMAGE, damage_file, rows, update
from lbtools._hub import memo
from lbtools._hub.cache import ResponseCache, cache_key

ROOT = Path(__file__).resolve().parents[1]
SWE = "SWE-bench/SWE-bench_Verified"

_WORKER = textwrap.dedent(
    r"""
    import json, random, sys, warnings
    warnings.simplefilter("error")  # a read that finds a damaged file warns: make it fail this worker
    from lbtools._hub.cache import ResponseCache

    root, worker, rounds = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    cache = ResponseCache(root, ttl=3600)
    keys = [f"{k:02x}" + "ab" * 31 for k in range(4)]  # four keys, shared by every worker
    rng = random.Random(worker)
    reads = hits = writes = 0
    for n in range(rounds):
        key = rng.choice(keys)
        if rng.random() < 0.5:
            payload = [worker, n] + [rng.random() for _ in range(rng.randrange(100, 3000))]  # up to ~60 kB
            body = {"key": key, "worker": worker, "n": n, "payload": payload, "sum": sum(payload)}
            assert cache.put(key, body, url=f"http://hub/{key}", authenticated=False) is not None
            writes += 1
        else:
            reads += 1
            hit = cache.get(key)
            if hit is not None:
                body, stored_at = hit
                # complete and whole: the record of this key, its payload intact
                assert body["key"] == key and sum(body["payload"]) == body["sum"], "a torn record was read"
                hits += 1
    print(json.dumps({"reads": reads, "hits": hits, "writes": writes}))
    """
)


def _env():
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    return env


def test_processes_writing_and_reading_the_same_keys_never_see_a_torn_record(tmp_path):
    root = tmp_path / "shared-cache"
    workers, rounds = 4, 150
    procs = [
        subprocess.Popen([sys.executable, "-c", _WORKER, str(root), str(w), str(rounds)], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True, env=_env())
        for w in range(workers)
    ]
    results = []
    for proc in procs:
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err[-2000:]
        results.append(json.loads(out.strip().splitlines()[-1]))
    assert sum(r["hits"] for r in results) > 0 and sum(r["writes"] for r in results) > 0
    stored = rows(root)
    assert len(stored) == 4
    cache = ResponseCache(root, ttl=3600)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for row in stored:
            body, _ = cache.get(row["key"])
            assert body["key"] == row["key"] and sum(body["payload"]) == body["sum"]
    print(f"\n{workers} processes × {rounds} rounds: {sum(r['writes'] for r in results)} writes, "
          f"{sum(r['reads'] for r in results)} reads, {sum(r['hits'] for r in results)} hits, 0 torn")


_NOTEBOOK = textwrap.dedent(
    r"""
    import json, sys, warnings
    warnings.simplefilter("error")
    import lbtools
    ids = sys.argv[1].split(",")
    counts = []
    for n in range(6):
        df = lbtools.load_leaderboards(ids, refresh=(n % 2 == 0))  # rewrite the shared entries, then read them
        counts.append(len(df))
    print(json.dumps(counts))
    """
)


def test_two_notebooks_sharing_a_cache_folder_load_the_same_data(start_hub, facts, tmp_path):
    hub = start_hub()
    ids = sorted(facts["openevals_benchmarks"].values())
    expected = sum(len(facts["leaderboards"][d]) for d in ids)
    env = _env()
    env["LBTOOLS_CACHE"] = str(tmp_path / "shared-cache")
    env["HF_ENDPOINT"] = hub.url
    procs = [
        subprocess.Popen([sys.executable, "-c", _NOTEBOOK, ",".join(ids)], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True, env=env)
        for _ in range(2)
    ]
    for proc in procs:
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err[-2000:]
        assert json.loads(out.strip().splitlines()[-1]) == [expected] * 6
    assert len(rows(tmp_path / "shared-cache")) == len(ids)


# -- damaged entries and files -----------------------------------------------------------------------------------


def _damage_row(root, key: str, how: str) -> None:
    (row,) = [r for r in rows(root) if r["key"] == key]
    body = row["body"]
    if how == "truncated":
        update(root, key, body=body[: len(body) // 2])
    elif how == "empty":
        update(root, key, body=b"")
    elif how == "garbage":
        update(root, key, body=os.urandom(len(body)))
    elif how == "body-changed":  # valid JSON, but not what was stored: the checksum tells
        record = json.loads(body)
        record[0]["value"] = 0.0
        update(root, key, body=json.dumps(record).encode())
    elif how == "checksum-changed":
        update(root, key, sha256="0" * 64)
    elif how == "text-not-bytes":  # a hand edit storing the body as SQL text
        update(root, key, body=body.decode())


ROW_DAMAGE = ["truncated", "empty", "garbage", "body-changed", "checksum-changed", "text-not-bytes"]


@pytest.mark.parametrize("how", ROW_DAMAGE)
def test_a_damaged_cache_entry_is_discarded_with_a_warning_and_fetched_again(how, hub, tmp_path):
    first = lbtools.load_leaderboard(SWE)
    root = tmp_path / "lbtools-cache"
    (row,) = rows(root)
    _damage_row(root, row["key"], how)
    memo.forget()  # another process, which never saw the answer whole
    with pytest.warns(RuntimeWarning, match=r"discarded a corrupt cache entry .*; fetching it again"):
        again = lbtools.load_leaderboard(SWE)
    assert len(hub.requests) == 2  # fetched again
    first.attrs, again.attrs = {}, {}
    assert again.equals(first)
    memo.forget()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        lbtools.load_leaderboard(SWE)  # the refetched entry is whole again
    assert len(hub.requests) == 2


@pytest.mark.parametrize("how", FILE_DAMAGE)
def test_a_damaged_cache_database_is_discarded_with_a_warning_and_rebuilt(how, hub, tmp_path):
    first = lbtools.load_leaderboard(SWE)
    root = tmp_path / "lbtools-cache"
    damage_file(root, how)
    memo.forget()
    with pytest.warns(RuntimeWarning, match=r"discarded a corrupt cache database .*; its answers will be fetched"):
        again = lbtools.load_leaderboard(SWE)
    assert len(hub.requests) == 2
    first.attrs, again.attrs = {}, {}
    assert again.equals(first)
    assert len(rows(root)) == 1  # a new database, holding the answer fetched again
    memo.forget()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        lbtools.load_leaderboard(SWE)
    assert len(hub.requests) == 2


@pytest.mark.parametrize("how", ROW_DAMAGE)
def test_the_cache_reports_damage_itself(how, tmp_path):
    cache = ResponseCache(tmp_path, ttl=3600)
    key = cache_key("http://hub", "/api/x", "", "")
    cache.put(key, [{"value": 1.5}], url="http://hub/api/x", authenticated=False)
    _damage_row(tmp_path, key, how)
    with pytest.warns(RuntimeWarning, match="corrupt cache entry"):
        assert cache.get(key) is None
    assert rows(tmp_path) == []  # discarded
    assert cache.get(key) is None  # and now a plain miss, no second warning


def test_a_cache_folder_that_cannot_be_written_never_fails_a_load(hub, tmp_path, monkeypatch):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder should be")
    monkeypatch.setenv("LBTOOLS_CACHE", str(blocker))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        df = lbtools.load_leaderboards([SWE, "cais/hle"])
    assert set(df["dataset_id"]) == {SWE, "cais/hle"}
    messages = [str(w.message) for w in caught if issubclass(w.category, RuntimeWarning)]
    assert any(re.search(r"could not use the response cache.*loading goes on without it", m) for m in messages)
    assert len(messages) == 1  # once, not once per request
