"""The response cache shared by several processes (two notebooks on one machine), and damaged cache files.

Writers and readers in separate processes hammer the same answers of one cache folder: every read must be a miss or
a complete, valid answer (each write is a whole file renamed into place). A damaged answer file is discarded with a
warning and fetched again.
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
from cache_db import answer_files

ROOT = Path(__file__).resolve().parents[1]
SWE = "SWE-bench/SWE-bench_Verified"

_WORKER = textwrap.dedent(
    r"""
    import json, random, sys, warnings
    warnings.simplefilter("error")  # a read that finds a damaged file warns: make it fail this worker
    from lbtools._hub.cache import ResponseCache

    root, worker, rounds = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    cache = ResponseCache(root, 3600, "http://hub", None)
    paths = [f"/api/datasets/org/b{k}/leaderboard" for k in range(4)]  # four answers, shared by every worker
    rng = random.Random(worker)
    reads = hits = writes = 0
    for n in range(rounds):
        path = rng.choice(paths)
        if rng.random() < 0.5:
            payload = [worker, n] + [rng.random() for _ in range(rng.randrange(100, 3000))]  # up to ~60 kB
            cache.put(path, None, json.dumps({"path": path, "payload": payload, "sum": sum(payload)}).encode())
            writes += 1
        else:
            reads += 1
            hit = cache.get(path)
            if hit is not None:
                body, stored_at = hit
                assert body["path"] == path and sum(body["payload"]) == body["sum"], "a torn answer was read"
                hits += 1
    print(json.dumps({"reads": reads, "hits": hits, "writes": writes}))
    """
)


def _env():
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    return env


def test_processes_writing_and_reading_the_same_answers_never_see_a_torn_one(tmp_path):
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
    assert len(answer_files(root)) == 4  # no temporary file left behind
    assert not [p for p in root.rglob(".tmp-*")]
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
        df = lbtools.load_leaderboards(ids, refresh=(n % 2 == 0))  # rewrite the shared answers, then read them
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
    assert len(answer_files(tmp_path / "shared-cache")) == len(ids)


# -- damaged answers -----------------------------------------------------------------------------------------------

DAMAGE = {
    "truncated": lambda raw: raw[: len(raw) // 2],
    "empty": lambda raw: b"",
    "garbage": lambda raw: os.urandom(len(raw)),
    "wrong-shape": lambda raw: b'{"error": "an object where a list belongs"}',
}


@pytest.mark.parametrize("how", list(DAMAGE))
def test_a_damaged_cache_entry_is_discarded_with_a_warning_and_fetched_again(how, hub, tmp_path):
    first = lbtools.load_leaderboard(SWE)
    (answer,) = answer_files(tmp_path / "lbtools-cache")
    answer.write_bytes(DAMAGE[how](answer.read_bytes()))
    with pytest.warns(RuntimeWarning, match=r"discarded a corrupt cache entry .*; fetching it again"):
        again = lbtools.load_leaderboard(SWE)
    assert len(hub.requests) == 2  # fetched again
    first.attrs, again.attrs = {}, {}
    assert again.equals(first)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        lbtools.load_leaderboard(SWE)  # the refetched answer is whole again
    assert len(hub.requests) == 2


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
