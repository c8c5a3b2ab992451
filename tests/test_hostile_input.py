"""Hostile or careless input, from the user and from the Hub (issue 11, findings 1, 10, 11, 13 and 14).

Tokens are checked before any request and never shown; settings are refused with an error naming them; ids are
checked by one ASCII repo-id rule whether a user typed them or the Hub sent them; one bad id never sinks a load.
"""

from __future__ import annotations

import math
import warnings

import pytest

import lbtools
from conftest import TOKEN

SWE = "SWE-bench/SWE-bench_Verified"
HLE = "cais/hle"


def _all_text(df, caught) -> str:
    return " ".join([str(w.message) for w in caught] + [str(v) for v in df.attrs.values()])


# -- finding 1: tokens -----------------------------------------------------------------------------------------


def test_a_token_read_from_a_file_with_its_newline_works(start_hub, facts):
    hub = start_hub()
    gated = facts["gated_benchmark"]
    df = lbtools.load_leaderboard(gated, token=TOKEN + "\n")
    assert len(df) == len(facts["leaderboards"][gated])
    assert hub.requests[-1][3] is True  # sent authenticated


@pytest.mark.parametrize("token", ["", "   \n", f"{TOKEN[:10]} {TOKEN[10:]}", f"{TOKEN}\x00", f"{TOKEN}é"],
                         ids=["empty", "blank", "inner-space", "control", "non-ascii"])
def test_an_unusable_token_is_a_value_error_before_any_request_that_never_echoes_it(token, start_hub):
    hub = start_hub()
    with pytest.raises(ValueError, match="token") as info:
        lbtools.load_leaderboard(SWE, token=token)
    assert hub.requests == []
    text = str(info.value)
    assert TOKEN[:10] not in text and TOKEN[10:] not in text


def test_a_token_in_the_hubs_answer_is_masked_in_errors_warnings_and_attrs(start_hub):
    """A server that repeats the credentials it got (a misconfigured proxy) in an error object answered with 200."""
    start_hub(answers={f"/api/datasets/{HLE}/leaderboard": {"error": f"bad credentials: Bearer {TOKEN} ({TOKEN})"}})
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        df = lbtools.load_leaderboards([SWE, HLE], token=TOKEN)
    text = _all_text(df, caught)
    assert "bad credentials: Bearer ***" in df.attrs["failures"][HLE]
    assert TOKEN not in text and TOKEN[3:] not in text
    with pytest.raises(lbtools.BadResponseError, match="bad credentials") as info:
        lbtools.load_leaderboard(HLE, token=TOKEN)
    assert TOKEN not in str(info.value) and TOKEN[3:] not in repr(info.value)


def test_masking_covers_every_token_shape():
    masked = lbtools.errors.mask_secrets(f"Authorization: Bearer {TOKEN}; api_org_abcdefghijkl; {TOKEN}")
    assert TOKEN not in masked and "abcdefghijkl" not in masked
    assert masked.count("***") == 3
    assert lbtools.errors.mask_secrets("hf_hub_download failed") == "hf_hub_download failed"


# -- finding 10: settings ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "call, error, name",
    [
        (lambda: lbtools.configure(timeout=math.nan), ValueError, "timeout"),
        (lambda: lbtools.configure(timeout=math.inf), ValueError, "timeout"),
        (lambda: lbtools.configure(timeout=1e308), ValueError, "timeout"),
        (lambda: lbtools.configure(timeout=10**400), ValueError, "timeout"),
        (lambda: lbtools.configure(cache_ttl=math.nan), ValueError, "cache_ttl"),
        (lambda: lbtools.configure(snapshot=5), TypeError, "snapshot"),
        (lambda: lbtools.configure(cache_dir=True), TypeError, "cache_dir"),
        (lambda: lbtools.configure(endpoint="ftp://example.org"), ValueError, "endpoint"),
        (lambda: lbtools.load_leaderboard(SWE, token=True), TypeError, "token"),
        (lambda: lbtools.load_leaderboard(SWE, token=123), TypeError, "token"),
        (lambda: lbtools.load_leaderboards([SWE], refresh="yes"), TypeError, "refresh"),
    ],
)
def test_bad_settings_name_the_setting(call, error, name):
    before = lbtools.settings()
    with pytest.raises(error, match=name):
        call()
    assert lbtools.settings() == before  # nothing half-applied


@pytest.mark.parametrize("variable", ["LBTOOLS_TIMEOUT", "LBTOOLS_CACHE_TTL"])
@pytest.mark.parametrize("value", ["nan", "inf", "1e308", "-1", "soon"])
def test_bad_environment_settings_name_the_variable(variable, value, monkeypatch):
    if variable == "LBTOOLS_CACHE_TTL" and value == "-1":
        value = "-5"
    with monkeypatch.context() as patch:
        patch.setenv(variable, value)
        with pytest.raises(ValueError, match=variable):
            lbtools.load_leaderboard(SWE)


# -- finding 11: ids -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "dataset_id",
    ["Idavidrein/gpqa\n", "Idavidrеin/gpqa", "Ｉdavidrein/gpqa", "../../api/whoami-v2", "org/na--me", "org/x.git",
     " org/name"],
    ids=["newline", "cyrillic-e", "fullwidth-i", "path", "double-dash", "git", "space"],
)
def test_ids_from_users_are_checked_in_full_and_in_ascii(dataset_id, start_hub):
    hub = start_hub()
    with pytest.raises(ValueError, match="dataset_id"):
        lbtools.load_leaderboard(dataset_id)
    with pytest.raises(ValueError, match=r"dataset_ids\[0\]"):
        lbtools.load_leaderboards([dataset_id])
    assert hub.requests == []


def test_a_single_id_string_is_a_list_of_one():
    one = lbtools.load_leaderboards(SWE)
    assert set(one["dataset_id"]) == {SWE}
    models = lbtools.load_model_info(one["model_id"].iloc[0])
    assert list(models["model_id"]) == [one["model_id"].iloc[0]]


BAD_HUB_IDS = ["../../api/whoami-v2", "evil/board\n", "оrg/cyrillic", "../x"]


def test_bad_benchmark_ids_from_the_hub_are_skipped_with_a_warning_naming_them(start_hub, monkeypatch):
    listing = [{"id": SWE}] + [{"id": bad} for bad in BAD_HUB_IDS]
    hub = start_hub(answers={"/api/datasets": listing})
    with pytest.warns(lbtools.DataRepairedWarning) as caught:
        df = lbtools.load_leaderboards(token=TOKEN)
    assert set(df["dataset_id"]) == {SWE}
    message = " ".join(str(w.message) for w in caught)
    assert "whoami" in message and "4 ids that are not Hub dataset ids" in message
    assert not [p for p in hub.paths() if "whoami" in p or "evil" in p or not p.isascii()]
    assert [p for p in hub.paths() if p.endswith("/leaderboard")] == [f"/api/datasets/{SWE}/leaderboard"]


def test_bad_model_ids_on_a_leaderboard_are_skipped_and_never_requested(start_hub, facts):
    board = [{"rank": i + 1, "modelId": m, "value": 50.0 - i, "filename": "x.yaml", "verified": False,
              "author": {"name": "a", "type": "user"}}
             for i, m in enumerate(["good-org/model", "../../api/whoami-v2", "bad/mоdel"])]
    hub = start_hub(answers={f"/api/datasets/{SWE}/leaderboard": board})
    with pytest.warns(lbtools.DataRepairedWarning, match="2 modelIds that are not Hub model ids.*whoami"):
        df = lbtools.load_leaderboard(SWE)
    assert list(df["model_id"]) == ["good-org/model"]
    with pytest.warns(lbtools.PartialLoadWarning):  # the fixture Hub has no such model
        lbtools.enrich(df)
    assert not [p for p in hub.paths() if "whoami" in p]


# -- finding 13: enrich ----------------------------------------------------------------------------------------


def test_one_bad_model_id_does_not_sink_enrich():
    board = lbtools.load_leaderboard(SWE)
    board.loc[len(board)] = board.iloc[0]
    board.loc[len(board) - 1, "model_id"] = "not a model id!"
    with pytest.warns(lbtools.PartialLoadWarning, match="enrich: no metadata"):
        out = lbtools.enrich(board)
    assert len(out) == len(board) and list(out["model_id"]) == list(board["model_id"])
    assert "not a Hub model id" in out.attrs["enrich_failures"]["not a model id!"]
    assert out["created_at"].notna().any()  # the others are enriched
    with pytest.raises(ValueError, match="model_id"):
        lbtools.enrich(board, errors="raise")


# -- finding 14: analysis argument --------------------------------------------------------------------------------


def test_add_normalised_of_a_list_is_a_type_error():
    from lbtools import analysis

    with pytest.raises(TypeError, match="data must be a pandas DataFrame"):
        analysis.add_normalised([1, 2])
