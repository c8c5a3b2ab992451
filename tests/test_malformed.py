"""Malformed data from the Hub: every case is served by a local Hub built in tmp_path, loaded with the real client.

Each bad record sits between good ones. For every case the load must not crash, the good rows must keep their own
values (nothing shifted onto another model), and a UserWarning must say what was found and what was done; a body
that cannot be read at all (not JSON, not a list, too large) is a clear lbtools exception for that one request.
"""

from __future__ import annotations

import io
import json
import re
import warnings

import pandas as pd
import pytest

import lbtools
from lbtools._hub import client as lbhub
from lbtools._snapshot_format import response_relpath

MISSING = object()  # a field left out of a record

BAD = "bad-org/model-x"
BOARD = "malformed/board"
GOOD_A, GOOD_B = "good-org/model-a", "good-org/model-b"
OFFICIAL = {"filter": "benchmark:official"}


def _put(root, relpath: str, body) -> None:
    path = root / relpath
    path.parent.mkdir(parents=True, exist_ok=True)
    # json.dumps writes NaN / Infinity as the Hub's JavaScript would; bytes are served exactly as given.
    path.write_bytes(body if isinstance(body, bytes) else json.dumps(body).encode())


def _fill(record: dict, over: dict) -> dict:
    for key, value in over.items():
        if value is MISSING:
            record.pop(key, None)
        else:
            record[key] = value
    return record


def _serve(start_hub, root, files: dict):
    for relpath, body in files.items():
        _put(root, relpath, body)
    _put(root, "manifest.json", {"kind": "malformed-data test tree"})
    return start_hub(root=root)


def _warned(caught, pattern: str) -> bool:
    return any(issubclass(w.category, UserWarning) and re.search(pattern, str(w.message)) for w in caught)


def _load(call, pattern: str):
    """Run ``call``; assert a UserWarning matching ``pattern``; return the frame."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        df = call()
    messages = [str(w.message) for w in caught]
    assert _warned(caught, pattern), f"no warning matching {pattern!r} in {messages}"
    return df


# -- leaderboard entries ---------------------------------------------------------------------------------------


def entry(model: str, value, rank, /, **over) -> dict:
    """A leaderboard entry of the real Hub's shape."""
    return _fill(
        {
            "rank": rank,
            "modelId": model,
            "value": value,
            "filename": ".eval_results/board.yaml",
            "verified": False,
            "author": {"name": model.split("/")[0], "type": "org"},
            "source": {"url": f"https://huggingface.co/{model}", "name": "Model Card", "isExternal": False},
            "lower_is_better": False,
            "num_parameters": 7_000_000_000,
            "notes": f"notes of {model}",
        },
        over,
    )


GOOD_BOARD = [
    entry("good-org/model-a", 81.5, 1),
    entry("good-org/model-b", 70.25, 2, num_parameters=13_000_000_000),
    entry("good-org/model-c", 12.0, 3, notes="third"),
]


def bad(**over) -> dict:
    return entry(BAD, 45.0, 4, **over)


def assert_good_rows(df) -> None:
    """Each good entry is one row holding its own values: nothing shifted onto another model."""
    for good in GOOD_BOARD:
        rows = df[df["model_id"] == good["modelId"]]
        assert len(rows) == 1, good["modelId"]
        row = rows.iloc[0]
        assert row["rank"] == good["rank"] and row["value"] == good["value"]
        assert row["notes"] == good["notes"] and row["num_parameters"] == good["num_parameters"]
        assert row["source_url"] == good["source"]["url"] and row["author"] == good["author"]["name"]
    assert (df["dataset_id"] == BOARD).all()


def _values(rows) -> list:
    return [None if pd.isna(v) else v for v in rows["value"]]


LEADERBOARD_CASES = [
    # values
    pytest.param([bad(value="45.2")], r"values given as text \(e\.g\. 45\.2\); read as numbers",
                 lambda b: _values(b) == [45.2], id="value-as-text"),
    pytest.param([bad(value="45.2%")], r"with a % sign .*; read as numbers \(the number as written",
                 lambda b: _values(b) == [45.2], id="value-with-percent"),
    pytest.param([bad(value=None)], r"entries with no value; kept with an empty value",
                 lambda b: _values(b) == [None], id="value-null"),
    pytest.param([bad(value=MISSING)], r"entries with no value; kept with an empty value",
                 lambda b: _values(b) == [None], id="value-missing"),
    pytest.param([bad(value=float("nan"))], r"values that are NaN; set to empty",
                 lambda b: _values(b) == [None], id="value-nan"),
    pytest.param([bad(value=float("inf"))], r"values that are infinite.*; set to empty",
                 lambda b: _values(b) == [None], id="value-infinite"),
    pytest.param([bad(value=True)], r"values that are booleans, not numbers.*; set to empty",
                 lambda b: _values(b) == [None], id="value-boolean"),
    pytest.param([bad(value="n/a")], r"values that are not numbers \(e\.g\. n/a\); set to empty",
                 lambda b: _values(b) == [None], id="value-not-a-number"),
    pytest.param([bad(value={"score": 45})], r"values of type dict.*; set to empty",
                 lambda b: _values(b) == [None], id="value-object"),
    pytest.param([bad(value=250.0)], r"values outside 0–100 \(e\.g\. bad-org/model-x=250\); kept as published",
                 lambda b: _values(b) == [250.0], id="value-out-of-range"),
    pytest.param([bad(value=-3)], r"values outside 0–100.*kept as published",
                 lambda b: _values(b) == [-3.0], id="value-negative"),
    pytest.param([bad(value=10**400)], r"values too large to be numbers \(e\.g\. 401 digits\); set to empty",
                 lambda b: _values(b) == [None], id="value-absurdly-large"),
    # model ids
    pytest.param([bad(modelId=MISSING)], r"entries without a modelId; skipped", lambda b: len(b) == 0,
                 id="model-id-missing"),
    pytest.param([bad(modelId=12345)], r"entries without a modelId; skipped", lambda b: len(b) == 0,
                 id="model-id-not-text"),
    pytest.param([bad(modelId="   ")], r"entries without a modelId; skipped", lambda b: len(b) == 0,
                 id="model-id-blank"),
    pytest.param([bad(modelId="x/" + "y" * 500)], r"modelIds longer than 200 characters.*; skipped",
                 lambda b: len(b) == 0, id="model-id-absurdly-long"),
    pytest.param([bad(modelId=f"  {BAD} ")], r"modelIds with spaces around them.*; spaces removed",
                 lambda b: len(b) == 1, id="model-id-with-spaces"),
    # entries
    pytest.param(["just text"], r"leaderboard entries that are not objects.*; skipped", lambda b: len(b) == 0,
                 id="entry-text"),
    pytest.param([None], r"leaderboard entries that are not objects.*; skipped", lambda b: len(b) == 0,
                 id="entry-null"),
    pytest.param([[BAD, 45.0]], r"leaderboard entries that are not objects.*; skipped", lambda b: len(b) == 0,
                 id="entry-list"),
    pytest.param([bad(), bad()], r"leaderboard entries repeated identically \(e\.g\. bad-org/model-x\); kept once",
                 lambda b: _values(b) == [45.0], id="duplicate-entry"),
    pytest.param([bad(value=40.0), bad(value=41.0, rank=5)],
                 r"models listed more than once with different results.*; all kept",
                 lambda b: _values(b) == [40.0, 41.0], id="model-twice-different-results"),
    # ranks
    pytest.param([bad(rank=7)], r"gaps in the ranks; kept as published", lambda b: list(b["rank"]) == [7],
                 id="rank-gap"),
    pytest.param([bad(rank=2)], r"tied ranks; kept as published; ties ordered by model id",
                 lambda b: list(b["rank"]) == [2], id="rank-tie"),
    pytest.param([bad(rank=MISSING)], r"entries without a rank; placed last", lambda b: b.index[0] == 3,
                 id="rank-missing"),
    pytest.param([bad(rank="4")], r"rank values given as text.*; read as numbers", lambda b: list(b["rank"]) == [4],
                 id="rank-as-text"),
    pytest.param([bad(rank=2.5)], r"rank values that are not whole numbers.*; set to empty",
                 lambda b: b["rank"].isna().all(), id="rank-fraction"),
    pytest.param([bad(rank=0)], r"ranks below 1 \(e\.g\. 0\); kept as published", lambda b: list(b["rank"]) == [0],
                 id="rank-zero"),
    pytest.param([bad(rank=10**30)], r"rank values too large to store.*; set to empty",
                 lambda b: b["rank"].isna().all(), id="rank-absurdly-large"),
    # other fields
    pytest.param([bad(verified="yes")], r"verified values that are not booleans.*; set to empty",
                 lambda b: b["verified"].isna().all(), id="verified-not-boolean"),
    pytest.param([bad(verified="true")], r"verified values given as text.*; read as booleans",
                 lambda b: list(b["verified"]) == [True], id="verified-as-text"),
    pytest.param([bad(leaderboard_score_v2=1)],
                 r"entries with fields lbtools does not read \(e\.g\. leaderboard_score_v2\); those fields ignored",
                 lambda b: _values(b) == [45.0], id="unknown-field"),
    pytest.param([bad(source="https://example.org")], r"sources that are not objects.*; set to empty",
                 lambda b: b["source_url"].isna().all(), id="source-not-object"),
    pytest.param([bad(notes="x" * 20_000)], r"notes values longer than 10,000 characters; cut to 10,000",
                 lambda b: len(b["notes"].iloc[0]) == 10_000, id="notes-absurdly-long"),
    pytest.param([bad(num_parameters=10**16)], r"num_parameters values below 0 or above 10\^15.*; set to empty",
                 lambda b: b["num_parameters"].isna().all(), id="num-parameters-absurd"),
    pytest.param([bad(num_parameters=-5)], r"num_parameters values below 0 or above 10\^15.*; set to empty",
                 lambda b: b["num_parameters"].isna().all(), id="num-parameters-negative"),
    pytest.param([bad(pullRequest="43")], r"pullRequest values given as text.*; read as numbers",
                 lambda b: list(b["pull_request"]) == [43], id="pull-request-as-text"),
    pytest.param([bad(author=42)], r"author values given as numbers.*; kept as text",
                 lambda b: list(b["author"]) == ["42"], id="author-a-number"),
    pytest.param([bad(lower_is_better="sometimes")], r"lower_is_better values that are not booleans.*; set to empty",
                 lambda b: b["lower_is_better"].isna().all(), id="lower-is-better-not-boolean"),
    pytest.param([bad(filename=[".eval_results/a.yaml"])], r"filename values that are not text.*; set to empty",
                 lambda b: b["filename"].isna().all(), id="filename-a-list"),
]


@pytest.mark.parametrize("bad_entries, warning, check", LEADERBOARD_CASES)
def test_a_malformed_leaderboard_entry_is_handled_and_shifts_nothing(bad_entries, warning, check, start_hub,
                                                                       tmp_path):
    board = [GOOD_BOARD[0], *bad_entries, *GOOD_BOARD[1:]]
    _serve(start_hub, tmp_path / "hub", {response_relpath(f"/api/datasets/{BOARD}/leaderboard"): board})
    df = _load(lambda: lbtools.load_leaderboard(BOARD), warning)
    assert_good_rows(df)
    assert check(df[df["model_id"] == BAD])
    ranks = [(r is pd.NA, 0 if r is pd.NA else r) for r in df["rank"]]
    assert ranks == sorted(ranks)  # still ordered by rank, entries without one last


# -- whole bodies that can't be read ----------------------------------------------------------------------------

_GOOD_JSON = json.dumps(GOOD_BOARD).encode()

BODY_CASES = [
    pytest.param(b"<html><body>502 Bad Gateway</body></html>", r"is not JSON", id="body-html"),
    pytest.param(b"", r"is not JSON", id="body-empty"),
    pytest.param(_GOOD_JSON[: len(_GOOD_JSON) // 2], r"is not JSON", id="body-json-cut-short"),
    pytest.param(b"[" * 100_000 + b"]" * 100_000, r"not JSON \(nested too deeply\)", id="body-nested-too-deeply"),
    pytest.param({"entries": GOOD_BOARD}, r"expected a JSON list, got dict", id="body-an-object"),
    pytest.param(42, r"expected a JSON list, got int", id="body-a-number"),
    pytest.param({"error": "Internal failure while computing the leaderboard"}, r"answered with an error: Internal",
                 id="body-an-error-object"),
]


@pytest.mark.parametrize("body, message", BODY_CASES)
def test_a_leaderboard_body_that_cannot_be_read_is_a_clear_error_for_that_benchmark(body, message, start_hub,
                                                                                     tmp_path):
    hub = _serve(start_hub, tmp_path / "hub", {
        response_relpath(f"/api/datasets/{BOARD}/leaderboard"): body,
        response_relpath("/api/datasets/malformed/fine/leaderboard"): GOOD_BOARD,
    })
    with pytest.raises(lbtools.BadResponseError, match=message) as info:
        lbtools.load_leaderboard(BOARD)
    assert BOARD in str(info.value)
    assert len(hub.requests) == 1  # an answer that came in full is not retried
    with pytest.warns(UserWarning, match=r"1 of 2 benchmarks failed"):
        df = lbtools.load_leaderboards(["malformed/fine", BOARD])
    assert set(df["dataset_id"]) == {"malformed/fine"} and len(df) == len(GOOD_BOARD)
    assert re.search(message, df.attrs["failures"][BOARD])


def test_a_body_larger_than_the_limit_is_refused_without_loading_it(start_hub, tmp_path, monkeypatch):
    monkeypatch.setattr(lbhub, "MAX_BODY_BYTES", 50_000)
    huge = [entry(f"org/model-{i}", 50.0, i + 1, notes="n" * 500) for i in range(200)]  # ~150 kB
    hub = _serve(start_hub, tmp_path / "hub", {response_relpath(f"/api/datasets/{BOARD}/leaderboard"): huge})
    with pytest.raises(lbtools.BadResponseError, match=r"over the 0\.0476837 MiB lbtools accepts"):
        lbtools.load_leaderboard(BOARD)
    assert len(hub.requests) == 1


def test_user_text_is_kept_verbatim_and_escaped_when_rendered(start_hub, tmp_path):
    script = "<script>alert('x')</script><b onmouseover=alert(1)>hi</b>"
    board = [entry(BAD, 45.0, 1, notes=script, modelId=BAD)]
    _serve(start_hub, tmp_path / "hub", {response_relpath(f"/api/datasets/{BOARD}/leaderboard"): board})
    df = lbtools.load_leaderboard(BOARD)
    assert df["notes"].iloc[0] == script  # data unchanged
    html = df._repr_html_() + df.to_html()
    assert "<script>" not in html and "&lt;script&gt;" in html


# A modelId is an id, not text: one that is not an ASCII repo id is skipped (tests/test_hostile_input.py).
@pytest.mark.parametrize("field", ["notes", "filename"])
def test_text_that_is_not_valid_unicode_is_repaired_and_survives_the_cache(field, start_hub, tmp_path):
    """A lone surrogate is valid JSON but not text: Arrow-backed string columns would refuse the whole frame."""
    board = [*GOOD_BOARD, entry(BAD, 45.0, 4, **{field: f"bad-org/broken-\ud800-{field}"})]
    hub = _serve(start_hub, tmp_path / "hub", {response_relpath(f"/api/datasets/{BOARD}/leaderboard"): board})
    pattern = rf"{field} values with invalid characters \(lone surrogates\).*; those replaced by \ufffd"
    first = _load(lambda: lbtools.load_leaderboard(BOARD), pattern)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        second = lbtools.load_leaderboard(BOARD)  # from the cache, which stored the text escaped
    assert len(hub.requests) == 1 and not [w for w in caught if issubclass(w.category, RuntimeWarning)]
    assert_good_rows(first.iloc[:3])
    column = "model_id" if field == "modelId" else field
    assert first[column].iloc[3] == second[column].iloc[3] == f"bad-org/broken-\ufffd-{field}"


def test_a_byte_that_is_not_utf8_is_repaired_once_and_the_cached_answer_is_reused(start_hub, tmp_path):
    """The cache read its own file with plain json.loads: every warm load called it corrupt and fetched it again."""
    raw = json.dumps([*GOOD_BOARD, entry(BAD, 45.0, 4, notes="caf-e9")]).encode().replace(b"caf-e9", b"caf\xe9")
    hub = _serve(start_hub, tmp_path / "hub", {response_relpath(f"/api/datasets/{BOARD}/leaderboard"): raw})
    first = _load(lambda: lbtools.load_leaderboard(BOARD), r"notes values with invalid characters")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        second = lbtools.load_leaderboard(BOARD)
    assert len(hub.requests) == 1 and not [w for w in caught if issubclass(w.category, lbtools.CacheWarning)]
    assert first["notes"].iloc[3] == second["notes"].iloc[3] == "caf\ufffd"


# -- eval results ------------------------------------------------------------------------------------------------


def item(dataset: str, value, /, **over) -> dict:
    """An evalResults item of the API shape."""
    return _fill(
        {
            "filename": f".eval_results/{dataset.split('/')[1]}.yaml",
            "verified": False,
            "data": {
                "dataset": {"id": dataset, "task_id": "default"},
                "value": value,
                "date": "2026-01-15",
                "source": {"url": "https://example.org/paper", "name": "Paper"},
            },
        },
        over,
    )


GOOD_ITEMS = [item("bench-org/bench-1", 50.5), item("bench-org/bench-2", 61.0)]


def bad_item(**data_over) -> dict:
    it = item("bench-org/bench-3", 33.0)
    _fill(it["data"], data_over)
    return it


def _model(model_id: str, **over) -> dict:
    return _fill(
        {
            "id": model_id,
            "author": model_id.split("/")[0],
            "createdAt": "2025-06-01T00:00:00.000Z",
            "safetensors": {"parameters": {"BF16": 8_000_000_000}, "total": 8_000_000_000},
            "pipeline_tag": "text-generation",
            "library_name": "transformers",
            "cardData": {"license": "apache-2.0"},
            "tags": ["text-generation", "license:apache-2.0"],
            "downloads": 10,
            "likes": 2,
            "gated": False,
            "evalResults": list(GOOD_ITEMS),
        },
        over,
    )


def _serve_models(start_hub, root, bad_body):
    files = {response_relpath(f"/api/models/{m}"): _model(m) for m in (GOOD_A, GOOD_B)}
    files[response_relpath(f"/api/models/{BAD}")] = bad_body
    return _serve(start_hub, root, files)


def assert_good_eval_rows(df) -> None:
    expected = [(d["data"]["dataset"]["id"], d["data"]["value"]) for d in GOOD_ITEMS]
    for model_id in (GOOD_A, GOOD_B):
        rows = df[df["model_id"] == model_id]
        assert list(zip(rows["dataset_id"], rows["value"])) == expected
    assert list(dict.fromkeys(df["model_id"])) == [m for m in (GOOD_A, BAD, GOOD_B) if m in set(df["model_id"])]


EVAL_CASES = [
    pytest.param({"error": "Invalid .eval_results/broken.yaml: value: Expected number, received string"},
                 r"eval-result files the Hub could not parse.*broken\.yaml.*; skipped \(the model's other results",
                 lambda b: len(b) == 2, id="item-with-error"),
    pytest.param(bad_item(source={"name": "Paper without a link"}),
                 r"eval results whose source has a name but no url.*; kept, with no source_url",
                 lambda b: b["source_url"].isna().iloc[1] and b["source_name"].iloc[1] == "Paper without a link",
                 id="source-without-url"),
    pytest.param(bad_item(dataset=MISSING), r"eval results without a dataset id.*; skipped",
                 lambda b: len(b) == 2, id="item-without-dataset"),
    pytest.param("oops", r"eval results that are not objects.*; skipped", lambda b: len(b) == 2,
                 id="item-not-object"),
    pytest.param({"filename": ".eval_results/x.yaml", "data": "oops"}, r"eval results without a dataset id",
                 lambda b: len(b) == 2, id="item-data-not-object"),
    pytest.param(bad_item(value="45%"), r"values given as text with a % sign.*; read as numbers",
                 lambda b: list(b["value"])[1] == 45.0, id="item-value-percent"),
    pytest.param(bad_item(value=None), r"entries with no value; kept with an empty value",
                 lambda b: pd.isna(b["value"].iloc[1]), id="item-value-null"),
    pytest.param(bad_item(date="last tuesday"), r"date values that are not dates.*; set to empty",
                 lambda b: pd.isna(b["date"].iloc[1]), id="item-date-garbage"),
    pytest.param(bad_item(date="3000-01-01"), r"date values outside the years 1678–2261.*; set to empty",
                 lambda b: pd.isna(b["date"].iloc[1]), id="item-date-out-of-range"),
    pytest.param(bad_item(source="a string"), r"eval-result sources that are not objects.*; set to empty",
                 lambda b: pd.isna(b["source_url"].iloc[1]), id="item-source-not-object"),
]


@pytest.mark.parametrize("bad_eval, warning, check", EVAL_CASES)
def test_a_malformed_eval_result_loses_only_itself(bad_eval, warning, check, start_hub, tmp_path):
    body = _model(BAD, evalResults=[GOOD_ITEMS[0], bad_eval, GOOD_ITEMS[1]])
    _serve_models(start_hub, tmp_path / "hub", body)
    df = _load(lambda: lbtools.load_eval_results([GOOD_A, BAD, GOOD_B]), warning)
    assert_good_eval_rows(df)
    mine = df[df["model_id"] == BAD]
    assert (mine["dataset_id"].iloc[0], mine["value"].iloc[0]) == ("bench-org/bench-1", 50.5)
    assert (mine["dataset_id"].iloc[-1], mine["value"].iloc[-1]) == ("bench-org/bench-2", 61.0)
    assert check(mine.reset_index(drop=True))


def test_eval_results_that_are_not_a_list_are_ignored_with_a_warning(start_hub, tmp_path):
    _serve_models(start_hub, tmp_path / "hub", _model(BAD, evalResults={"bench-org/bench-1": 50.5}))
    df = _load(lambda: lbtools.load_eval_results([GOOD_A, BAD, GOOD_B]),
               r"evalResults fields that are not lists.*; ignored")
    assert_good_eval_rows(df)
    assert BAD not in set(df["model_id"]) and df.attrs["failures"] == {}


@pytest.mark.parametrize(
    "body, message",
    [
        pytest.param([_model(BAD)], r"expected a JSON object, got list", id="model-body-a-list"),
        pytest.param(b"{'id': 'not json'}", r"is not JSON", id="model-body-not-json"),
    ],
)
def test_a_model_body_that_cannot_be_read_fails_that_model_only(body, message, start_hub, tmp_path):
    _serve_models(start_hub, tmp_path / "hub", body)
    df = _load(lambda: lbtools.load_eval_results([GOOD_A, BAD, GOOD_B]), r"1 of 3 models failed")
    assert_good_eval_rows(df)
    assert re.search(message, df.attrs["failures"][BAD])
    info = _load(lambda: lbtools.load_model_info([GOOD_A, BAD, GOOD_B]), r"1 of 3 models failed")
    assert list(info["model_id"]) == [GOOD_A, GOOD_B]
    with pytest.raises(lbtools.BadResponseError, match=message):
        lbtools.load_model_info([BAD], errors="raise")


# -- model metadata ----------------------------------------------------------------------------------------------

MODEL_INFO_CASES = [
    pytest.param({"safetensors": {"total": "8000000000"}}, r"safetensors\.total values given as text",
                 lambda r: r["num_parameters"] == 8_000_000_000, id="parameters-as-text"),
    pytest.param({"safetensors": {"total": -1}}, r"safetensors\.total values below 0 or above 10\^15.*; set to empty",
                 lambda r: pd.isna(r["num_parameters"]), id="parameters-negative"),
    pytest.param({"safetensors": {"total": 10**17}}, r"safetensors\.total values below 0 or above 10\^15",
                 lambda r: pd.isna(r["num_parameters"]), id="parameters-absurd"),
    pytest.param({"safetensors": {"total": 10**30}}, r"safetensors\.total values too large to store.*; set to empty",
                 lambda r: pd.isna(r["num_parameters"]), id="parameters-overflow"),
    pytest.param({"safetensors": "8B"}, r"safetensors fields that are not objects; ignored",
                 lambda r: pd.isna(r["num_parameters"]), id="safetensors-not-object"),
    pytest.param({"createdAt": "last tuesday"}, r"createdAt values that are not dates.*; set to empty",
                 lambda r: pd.isna(r["created_at"]), id="created-at-garbage"),
    pytest.param({"createdAt": "2999-12-31T00:00:00.000Z"}, r"createdAt values outside the years.*; set to empty",
                 lambda r: pd.isna(r["created_at"]), id="created-at-out-of-range"),
    pytest.param({"downloads": "many"}, r"downloads values that are not whole numbers.*; set to empty",
                 lambda r: pd.isna(r["downloads"]), id="downloads-not-a-number"),
    pytest.param({"cardData": {"license": 3}}, r"license values given as numbers.*; kept as text",
                 lambda r: r["license"] == "3", id="license-a-number"),
    pytest.param({"pipeline_tag": {"task": "x"}}, r"pipeline_tag values that are not text.*; set to empty",
                 lambda r: pd.isna(r["pipeline_tag"]), id="pipeline-tag-an-object"),
]


def test_a_lone_surrogate_in_gated_or_a_base_model_tag_is_repaired_not_fatal():
    """Both raised a bare UnicodeEncodeError that sank the whole load, and save_snapshot's tables (Arrow strings).
    Checked on the parser: the local Hub re-encodes a model's body for ?expand=, which a lone surrogate breaks."""
    from lbtools._hub.parse import Problems, benchmark_records, model_info_record

    problems = Problems()
    record = model_info_record(_model(BAD, gated="manu\ud800l", tags=["base_model:org/x\ud800y"]), BAD, problems)
    assert record["gated"] == "manu\ufffdl" and record["base_models"] == ["org/x\ufffdy"]
    listed = benchmark_records([{"id": "org/bench", "gated": "\ud800", "tags": ["a\ud800"]}], problems, {})
    assert listed[0]["gated"] == "\ufffd" and listed[0]["tags"] == ["a\ufffd"]
    said = " ".join(problems.messages())
    for field in ("gated", "base_model", "tags"):
        assert f"{field} values with invalid characters (lone surrogates)" in said, said
    pd.DataFrame([record]).astype({"gated": "string"}).to_parquet(io.BytesIO())  # Arrow takes it now


@pytest.mark.parametrize("over, warning, check", MODEL_INFO_CASES)
def test_malformed_model_metadata_empties_one_field_of_one_model(over, warning, check, start_hub, tmp_path):
    _serve_models(start_hub, tmp_path / "hub", _model(BAD, **over))
    df = _load(lambda: lbtools.load_model_info([GOOD_A, BAD, GOOD_B]), warning)
    assert list(df["model_id"]) == [GOOD_A, BAD, GOOD_B]
    info = df.set_index("model_id")
    for model_id in (GOOD_A, GOOD_B):
        assert info.loc[model_id, "num_parameters"] == 8_000_000_000
        assert info.loc[model_id, "created_at"] == pd.Timestamp("2025-06-01", tz="UTC")
        assert info.loc[model_id, "license"] == "apache-2.0" and info.loc[model_id, "downloads"] == 10
    assert check(info.loc[BAD])
    assert info.loc[BAD, "author"] == "bad-org"


# -- the official benchmark list ---------------------------------------------------------------------------------


def dataset(dataset_id: str, /, **over) -> dict:
    return _fill(
        {
            "id": dataset_id,
            "author": dataset_id.split("/")[0],
            "createdAt": "2025-01-01T00:00:00.000Z",
            "lastModified": "2026-01-01T00:00:00.000Z",
            "gated": False,
            "downloads": 100,
            "likes": 5,
            "tags": ["benchmark:official"],
        },
        over,
    )


LISTING_CASES = [
    pytest.param([dataset("x/y", id=MISSING)], r"items without an id; skipped", None, id="listing-item-without-id"),
    pytest.param([dataset("good/one", downloads=1)], r"datasets listed twice \(e\.g\. good/one\); kept once", None,
                 id="listing-duplicate"),
    pytest.param([dataset("bad/ds", tags="benchmark:official")],
                 r"tag lists that are not lists of text.*; set to empty", lambda r: r["tags"] is None,
                 id="listing-tags-not-list"),
    pytest.param([dataset("bad/ds", downloads="12")], r"downloads values given as text.*; read as numbers",
                 lambda r: r["downloads"] == 12, id="listing-downloads-as-text"),
    pytest.param([dataset("bad/ds", createdAt=20250101)], r"createdAt values that are not dates.*; set to empty",
                 lambda r: pd.isna(r["created_at"]), id="listing-created-at-a-number"),
    pytest.param([42], r"items that are not objects.*; skipped", None, id="listing-item-not-object"),
]


@pytest.mark.parametrize("bad_items, warning, check", LISTING_CASES)
def test_a_malformed_benchmark_listing_item_is_handled(bad_items, warning, check, start_hub, tmp_path):
    good = [dataset("good/one"), dataset("good/two", downloads=200)]
    listing = [good[0], *bad_items, good[1]]
    _serve(start_hub, tmp_path / "hub", {response_relpath("/api/datasets", OFFICIAL): listing})
    df = _load(lambda: lbtools.list_benchmarks(), warning)
    info = df.set_index("dataset_id")
    assert info.loc["good/one", "downloads"] == 100 and info.loc["good/two", "downloads"] == 200
    assert info.loc["good/two", "created_at"] == pd.Timestamp("2025-01-01", tz="UTC")
    if check is not None:
        assert check(info.loc["bad/ds"])
    else:
        assert set(info.index) == {"good/one", "good/two"}


def test_a_listing_that_is_not_a_list_is_a_clear_error(start_hub, tmp_path):
    _serve(start_hub, tmp_path / "hub", {response_relpath("/api/datasets", OFFICIAL): b'{"datasets": []}'})
    with pytest.raises(lbtools.BadResponseError, match=r"official benchmark list.*expected a JSON list"):
        lbtools.list_benchmarks()
