"""The response cache's record format: the Hub's bytes stored as received, checked without re-encoding them."""

from __future__ import annotations

import hashlib
import json
import warnings

import pytest

import lbtools
from lbtools._hub import cache, memo

SWE = "SWE-bench/SWE-bench_Verified"


def _record_file(tmp_path):
    (path,) = (tmp_path / "lbtools-cache").rglob("*.json")
    return path


def test_a_cached_answer_holds_the_hubs_bytes_and_their_checksum(hub, tmp_path):
    import httpx2

    lbtools.load_leaderboard(SWE)
    raw = httpx2.get(f"{hub.url}/api/datasets/{SWE}/leaderboard").content
    data = _record_file(tmp_path).read_bytes()
    record = json.loads(data)
    assert record["format"] == cache.FORMAT == 2
    assert data.endswith(b',"body":' + raw + b"}")  # the body as the Hub sent it, last
    assert record["sha256"] == hashlib.sha256(raw).hexdigest()
    assert record["body"] == json.loads(raw)


def test_a_record_of_another_format_is_fetched_again_without_a_corruption_warning(hub, tmp_path):
    lbtools.load_leaderboard(SWE)
    path = _record_file(tmp_path)
    record = json.loads(path.read_bytes())
    record["format"] = 1  # written by an earlier lbtools: its checksum was computed another way
    record["sha256"] = "0" * 64
    path.write_text(json.dumps(record))
    memo.forget()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        df = lbtools.load_leaderboard(SWE)
    assert len(hub.requests) == 2 and len(df) > 0
    assert json.loads(path.read_bytes())["format"] == 2  # overwritten with the new answer


def test_a_byte_changed_inside_the_stored_body_is_caught(hub, tmp_path):
    lbtools.load_leaderboard(SWE)
    path = _record_file(tmp_path)
    data = path.read_bytes()
    record = json.loads(data)
    value = record["body"][0]["value"]
    changed = data.replace(json.dumps(value).encode(), json.dumps(value + 1).encode(), 1)
    assert changed != data
    path.write_bytes(changed)
    memo.forget()
    with pytest.warns(RuntimeWarning, match="corrupt cache file"):
        df = lbtools.load_leaderboard(SWE)
    assert value in set(df["value"]) and len(hub.requests) == 2
