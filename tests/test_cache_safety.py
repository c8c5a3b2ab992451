"""The response cache on a shared or damaged machine (issue 25, findings 2, 8, 15, 18, 19, 20, 21).

The cache is a folder of answer files (``lbtools._hub.cache``): no database to lock or leave inside a transaction
(findings 2 and 8 are gone with SQLite; ``test_another_process_reading_the_cache_costs_a_load_nothing`` shows it).
"""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import textwrap
import threading
import time
import warnings

import pytest

import lbtools
from cache_db import answer_files
from conftest import TOKEN
from lbtools._hub.cache import SALT_FILE, ResponseCache
from lbtools.config import Token

SWE = "SWE-bench/SWE-bench_Verified"
AS_ROOT = os.geteuid() == 0


def _root(tmp_path):
    return tmp_path / "lbtools-cache"


def _board(facts, dataset_id=SWE):
    return [m for m, _ in facts["leaderboards"][dataset_id]]


# -- finding 19: private folders and files ----------------------------------------------------------------------


def test_the_cache_is_private_to_its_user(hub, facts, tmp_path):
    lbtools.load_leaderboard(SWE)
    lbtools.load_leaderboard(facts["gated_benchmark"], token=TOKEN)
    root = _root(tmp_path)
    paths = [root, *root.rglob("*")]
    assert len(answer_files(root)) == 2
    loose = [str(p) for p in paths if os.stat(p).st_mode & 0o077]
    assert loose == [], f"readable or writable by others: {loose}"


def test_a_cache_folder_created_readable_by_others_is_made_private(hub, tmp_path):
    root = _root(tmp_path)
    root.mkdir(mode=0o755)
    os.chmod(root, 0o755)  # an older lbtools, or a loose umask
    lbtools.load_leaderboard(SWE)
    assert stat.S_IMODE(os.stat(root).st_mode) == 0o700


# -- finding 15: a folder others may write is not trusted -------------------------------------------------------


def test_a_cache_folder_writable_by_others_is_ignored_with_a_warning(hub, facts, tmp_path):
    lbtools.load_leaderboard(SWE)
    root = _root(tmp_path)
    (answer,) = answer_files(root)
    planted = b'[{"rank": 1, "modelId": "evil/planted", "value": 100.0, "filename": "x", "verified": true, ' \
              b'"author": {"name": "evil", "type": "user"}}]'
    answer.write_bytes(planted)  # what another local user could do in a folder open to all
    os.chmod(root, 0o777)
    with pytest.warns(lbtools.CacheWarning, match="writable by other users"):
        df = lbtools.load_leaderboard(SWE)
    assert list(df["model_id"]) == _board(facts) and df.attrs["source"] == "hub"
    assert len(hub.requests) == 2


@pytest.mark.skipif(not AS_ROOT, reason="planting a file owned by another user needs root")
def test_an_answer_file_owned_by_another_user_is_never_read(hub, facts, tmp_path):
    lbtools.load_leaderboard(SWE)
    (answer,) = answer_files(_root(tmp_path))
    os.chown(answer, 12345, 12345)
    df = lbtools.load_leaderboard(SWE)
    assert list(df["model_id"]) == _board(facts) and len(hub.requests) == 2


# -- finding 21: links are not followed ---------------------------------------------------------------------------


def test_a_symlinked_answer_is_neither_read_nor_written_through(hub, facts, tmp_path):
    lbtools.load_leaderboard(SWE)
    (answer,) = answer_files(_root(tmp_path))
    outside = tmp_path / "elsewhere.json"
    outside.write_bytes(b'[{"rank": 1, "modelId": "evil/linked", "value": 1.0, "filename": "x", "verified": false, '
                        b'"author": {"name": "evil", "type": "user"}}]')
    before = outside.read_bytes()
    answer.unlink()
    answer.symlink_to(outside)
    df = lbtools.load_leaderboard(SWE)
    assert list(df["model_id"]) == _board(facts) and len(hub.requests) == 2  # not read: fetched
    assert outside.read_bytes() == before  # the answer replaced the link, not the file it pointed to
    assert not answer.is_symlink()


def test_a_fifo_in_the_cache_never_blocks_a_load(hub, facts, tmp_path):
    lbtools.load_leaderboard(SWE)
    (answer,) = answer_files(_root(tmp_path))
    answer.unlink()
    os.mkfifo(answer)
    outcome = {}
    thread = threading.Thread(target=lambda: outcome.setdefault("df", lbtools.load_leaderboard(SWE)), daemon=True)
    thread.start()
    thread.join(30)
    assert not thread.is_alive() and list(outcome["df"]["model_id"]) == _board(facts)


# -- finding 20: a cache that can be read but not written is still read ---------------------------------------


def test_a_read_only_cache_is_still_read(hub, facts, tmp_path):
    lbtools.load_leaderboard(SWE)
    root = _root(tmp_path)
    for path in [*root.rglob("*"), root]:
        os.chmod(path, 0o500 if path.is_dir() else 0o400)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # nothing to write, nothing to warn about
            df = lbtools.load_leaderboard(SWE)
        assert list(df["model_id"]) == _board(facts) and len(hub.requests) == 1  # from the cache
    finally:
        for path in [root, *root.rglob("*")]:
            os.chmod(path, 0o700 if path.is_dir() else 0o600)


# -- finding 18: racing first uses of a fresh folder agree on one salt ---------------------------------------


def test_racing_first_uses_of_a_fresh_cache_agree_on_one_identity(tmp_path):
    problems, folders = [], set()
    for trial in range(25):
        root = tmp_path / f"fresh-{trial}"
        barrier = threading.Barrier(8)

        def first_use():
            barrier.wait()
            cache = ResponseCache(root, 3600, "http://hub", Token(TOKEN))
            problems.append(cache.problem)
            folders.add(cache.folder)

        threads = [threading.Thread(target=first_use) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert len((root / SALT_FILE).read_bytes()) == 32
    assert problems == [None] * 200
    assert len(folders) == 25  # one identity per folder, the same for its 8 racers


# -- findings 2 and 8: another process reading the cache holds nothing up ------------------------------------

_READER = textwrap.dedent(
    r"""
    import sys, time
    from pathlib import Path
    files = [open(p, "rb") for p in Path(sys.argv[1]).rglob("*.json")]  # every answer held open, read slowly
    print("holding", flush=True)
    time.sleep(30)
    """
)


def test_another_process_reading_the_cache_costs_a_load_nothing(hub, facts, tmp_path):
    ids = sorted(set(facts["leaderboards"]) - {facts["gated_benchmark"]})
    lbtools.load_leaderboards(ids)
    reader = subprocess.Popen([sys.executable, "-c", _READER, str(_root(tmp_path))], stdout=subprocess.PIPE,
                              text=True)
    try:
        assert reader.stdout.readline().strip() == "holding"
        started = time.monotonic()
        lbtools.load_leaderboards(ids, refresh=True)  # every answer rewritten while another process reads them
        lbtools.load_leaderboards(ids)
        assert time.monotonic() - started < 5
    finally:
        reader.kill()
        reader.wait()
