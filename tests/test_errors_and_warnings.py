"""Errors and warnings a researcher can catch and filter by kind; the public API visible to IDEs (issue 12, 4 and 6)."""

from __future__ import annotations

import pickle
import pydoc
import warnings

import pytest

import lbtools
from conftest import TOKEN

SWE = "SWE-bench/SWE-bench_Verified"
HLE = "cais/hle"


@pytest.mark.parametrize(
    "error, standard",
    [
        (lbtools.HubUnavailableError, ConnectionError),
        (lbtools.RateLimitedError, ConnectionError),
        (lbtools.NotFoundError, LookupError),
        (lbtools.BadResponseError, ValueError),
        (lbtools.SnapshotError, ValueError),
        (lbtools.AccessDeniedError, PermissionError),
        (lbtools.GatedBenchmarkError, PermissionError),
    ],
)
def test_every_error_is_also_a_standard_exception(error, standard):
    assert issubclass(error, lbtools.LbtoolsError) and issubclass(error, standard)
    instance = error("what happened; what to do")
    assert str(instance) == "what happened; what to do"
    assert str(pickle.loads(pickle.dumps(instance))) == str(instance)


def test_access_denied_and_gated_are_distinct():
    assert not issubclass(lbtools.AccessDeniedError, lbtools.GatedBenchmarkError)
    assert not issubclass(lbtools.GatedBenchmarkError, lbtools.AccessDeniedError)


def test_rate_limited_keeps_its_wait():
    error = lbtools.RateLimitedError("wait 3 s", wait_seconds=3.0)
    assert error.wait_seconds == 3.0 and pickle.loads(pickle.dumps(error)).wait_seconds == 3.0


def test_a_refused_token_is_access_denied_and_a_gated_repo_is_gated(start_hub, facts, monkeypatch):
    from lbtools._hub import client

    monkeypatch.setattr(client, "BACKOFF_MAX_S", 0.05)
    hub = start_hub(permanent={f"/api/datasets/{HLE}/leaderboard": (401, "Unauthorized")})
    with pytest.raises(lbtools.AccessDeniedError, match="invalid, expired") as info:
        lbtools.load_leaderboard(HLE, token=TOKEN)
    assert TOKEN not in str(info.value)
    with pytest.raises(lbtools.GatedBenchmarkError, match="gated"):
        lbtools.load_leaderboard(facts["gated_benchmark"])
    hub.stop()
    with pytest.raises(ConnectionError):  # a researcher's own except clause: the Hub is gone
        lbtools.load_leaderboard(SWE)


def test_a_missing_benchmark_is_a_lookup_error(start_hub):
    start_hub()
    with pytest.raises(LookupError):
        lbtools.load_leaderboard("nobody/nothing")


def test_each_kind_of_warning_can_be_filtered_alone(start_hub, facts):
    start_hub(permanent={f"/api/datasets/{HLE}/leaderboard": 404})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        warnings.filterwarnings("ignore", category=lbtools.PartialLoadWarning)
        df = lbtools.load_leaderboards([SWE, HLE])  # only a partial load: silenced
    assert list(df.attrs["failures"]) == [HLE]
    with warnings.catch_warnings():
        warnings.filterwarnings("error", category=lbtools.PartialLoadWarning)
        with pytest.raises(lbtools.PartialLoadWarning, match="1 of 2 benchmarks failed"):
            lbtools.load_leaderboards([SWE, HLE])
    for kind in (lbtools.DataRepairedWarning, lbtools.PartialLoadWarning, lbtools.SourceFallbackWarning,
                 lbtools.CacheWarning):
        assert issubclass(kind, lbtools.LbtoolsWarning) and issubclass(kind, UserWarning)


def test_a_data_repair_is_a_data_repaired_warning(start_hub):
    board = [{"rank": 1, "modelId": "org/a", "value": "51.5", "filename": "a.yaml", "verified": False,
              "author": {"name": "org", "type": "org"}}]
    start_hub(answers={f"/api/datasets/{SWE}/leaderboard": board})
    with pytest.warns(lbtools.DataRepairedWarning, match="values given as text"):
        df = lbtools.load_leaderboard(SWE)
    assert df["value"].iloc[0] == 51.5


def test_the_public_api_is_plain_attributes_listed_for_ides_and_help():
    import lbtools as package

    assert "__getattr__" not in vars(package)  # nothing is resolved lazily
    for name in package.__all__:
        assert name in vars(package), name
    for name in ("display_name", "clear_cache", "load_leaderboards", "AccessDeniedError", "LbtoolsWarning"):
        assert name in package.__all__
    page = pydoc.render_doc(package)
    assert "load_leaderboards" in page and "HubUnavailableError" in page and "write_csv" in page


def test_analysis_warnings_point_at_the_callers_line_through_wrappers():
    """A warning names the researcher's line, not lbtools' keyword-renaming decorator or the capability wrappers."""
    import numpy as np
    import pandas as pd

    from lbtools import analysis

    board = pd.DataFrame({"dataset_id": "org/b", "model_id": ["a", "b", "c", "d"], "value": [80.0, None, 60.0, 50.0]})
    table = pd.DataFrame({"dataset_id": np.repeat(["org/x", "org/y", "org/z"], 5),
                          "model_id": ["m1", "m2", "m3", "m4", "m5"] * 3,
                          "value": np.r_[[90.0, 80, 70, 60, np.nan], [85.0, 70, 72, 50, 40], [60.0, 50, 55, 30, 20]]})
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        analysis.rank_intervals(board, n_items=100, n_boot=200)  # decorated with renamed_keywords
        analysis.capability_index(table)  # a wrapper of fit_capability
    mine = [w for w in caught if issubclass(w.category, lbtools.AnalysisWarning)]
    assert len({str(w.message) for w in mine}) >= 2
    assert {w.filename for w in mine} == {__file__}
