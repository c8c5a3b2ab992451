"""The response cache holds only answers of the expected shape, keyed to who asked (issue 11, findings 5 and 8)."""

from __future__ import annotations

import pytest

import lbtools
from cache_db import answer_files, identities
from conftest import TOKEN

SWE = "SWE-bench/SWE-bench_Verified"


def _cache_rows(tmp_path):
    return answer_files(tmp_path / "lbtools-cache")


# -- finding 5: a bad 200 answer ----------------------------------------------------------------------------------


def test_an_error_object_answered_with_200_is_not_cached(start_hub, facts, tmp_path):
    path = f"/api/datasets/{SWE}/leaderboard"
    hub = start_hub(answers={path: {"error": "Internal error, please retry"}})
    with pytest.raises(lbtools.BadResponseError, match="Internal error, please retry"):
        lbtools.load_leaderboard(SWE)
    assert _cache_rows(tmp_path) == []
    hub.answers.clear()  # the Hub recovers: the next load fetches, not an hours-old error
    df = lbtools.load_leaderboard(SWE)
    assert list(df["model_id"]) == [m for m, _ in facts["leaderboards"][SWE]]
    assert hub.paths().count(path) == 2


def test_a_model_error_object_is_not_cached_either(start_hub, facts, tmp_path):
    model = facts["leaderboards"][SWE][0][0]
    hub = start_hub(answers={f"/api/models/{model}": {"error": "Internal error"}})
    with pytest.warns(lbtools.PartialLoadWarning):
        df = lbtools.load_model_info([model])
    assert df.empty and "Internal error" in df.attrs["failures"][model]
    hub.answers.clear()
    assert list(lbtools.load_model_info([model])["model_id"]) == [model]


# -- finding 8: identity -------------------------------------------------------------------------------------------


def test_another_token_or_none_never_reads_a_gated_answer_from_the_cache(start_hub, facts, tmp_path, monkeypatch):
    gated = facts["gated_benchmark"]
    hub = start_hub()
    right = lbtools.load_leaderboard(gated, token=TOKEN)
    assert len(right) == len(facts["leaderboards"][gated])
    with pytest.raises(lbtools.GatedBenchmarkError):
        lbtools.load_leaderboard(gated, token="hf_wrongTOKEN0123456789abcdefABCDEF")
    with pytest.raises(lbtools.GatedBenchmarkError):
        lbtools.load_leaderboard(gated, token=False)
    assert hub.paths().count(f"/api/datasets/{gated}/leaderboard") == 3  # each asked the Hub itself
    again = lbtools.load_leaderboard(gated, token=TOKEN)  # the right token still reads its own answer
    assert hub.paths().count(f"/api/datasets/{gated}/leaderboard") == 3
    assert list(again["model_id"]) == list(right["model_id"])


def test_the_cache_holds_a_salt_never_the_token(start_hub, facts, tmp_path):
    start_hub()
    lbtools.load_leaderboard(facts["gated_benchmark"], token=TOKEN)
    root = tmp_path / "lbtools-cache"
    salt = (root / "identity-salt").read_bytes()
    assert len(salt) >= 32
    for path in root.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            assert TOKEN.encode() not in data and TOKEN[3:].encode() not in data
    assert len(_cache_rows(tmp_path)) == 1 and identities(root) != {"anonymous"}


def test_two_cache_folders_key_the_same_token_differently(start_hub, facts, tmp_path, monkeypatch):
    """A salt per cache folder: a key says nothing about the token across folders."""
    start_hub()
    names = []
    for folder in ("a", "b"):
        monkeypatch.setenv("LBTOOLS_CACHE", str(tmp_path / folder))
        lbtools.load_leaderboard(facts["gated_benchmark"], token=TOKEN)
        names.append(identities(tmp_path / folder))
    assert names[0] and names[1] and not names[0] & names[1]


def test_anonymous_answers_are_shared_by_every_anonymous_load(start_hub, facts):
    hub = start_hub()
    lbtools.load_leaderboard(SWE, token=False)
    lbtools.load_leaderboard(SWE)  # no HF_TOKEN, no login: anonymous too
    assert hub.paths().count(f"/api/datasets/{SWE}/leaderboard") == 1
