"""The local test Hub (tests/localhub.py) and its fixture tree (tests/fixtures/build.py) against the REAL client.

Everything runs on 127.0.0.1; nothing reaches huggingface.co.
"""

from __future__ import annotations

import csv
import json
import math
import os
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone
from pathlib import Path

import httpx2
import pandas as pd
import pyarrow.parquet as pq
import pytest
from huggingface_hub import HfApi, hf_hub_download
from huggingface_hub.errors import GatedRepoError, HfHubHTTPError, RepositoryNotFoundError
from huggingface_hub.utils import parse_ratelimit_headers

from fixtures.build import (
    AGGREGATE_CSV,
    AGGREGATE_FILE,
    AGGREGATE_REPO,
    DATA_DIR,
    build_hub_tree,
    synthetic_hub_tree,
)
from lbtools._snapshot_format import response_relpath
from localhub import FaultPlan, LocalHub, SilentServer, hub_env

TOKEN = "hf_lbtools_localhub_test_token"
PARQUET_URL = f"hf://datasets/{AGGREGATE_REPO}/{AGGREGATE_FILE}"


@pytest.fixture(scope="module")
def tree(tmp_path_factory):
    root = tmp_path_factory.mktemp("hubtree")
    return build_hub_tree(root, token=TOKEN)


@pytest.fixture(scope="module")
def shared_hub(tree):
    with LocalHub(tree["root"], page_size=5, gated=tree["gated"]) as hub:
        yield hub


@pytest.fixture
def hub(shared_hub):
    shared_hub.reset_stats()
    return shared_hub


@pytest.fixture
def api(hub):
    return HfApi(endpoint=hub.url, token=False)


def _client():
    return httpx2.Client(timeout=5)


# ---------------------------------------------------------------------------------------------------------------------
# the fixture tree


def test_fixture_data_is_an_unchanged_copy_of_the_shared_data():
    candidates = [Path(__file__).resolve().parents[2] / "shared" / "data", Path("/work/shared/data")]
    shared = next((p for p in candidates if p.is_dir()), None)
    if shared is None:
        pytest.skip("no shared data folder beside the repository")
    for p in DATA_DIR.iterdir():
        if p.name != "README.md":
            assert p.read_bytes() == (shared / p.name).read_bytes(), p.name


def test_aggregate_parquet_has_the_csv_values_unchanged(tree):
    table = pq.read_table(Path(tree["root"]) / tree["aggregate"]["relpath"])
    df = table.to_pandas()
    csv_df = pd.read_csv(AGGREGATE_CSV)
    assert df.shape == (93, 23)
    assert list(df.columns) == list(csv_df.columns)
    for col in [c for c in df.columns if c.endswith("_score")] + ["parameters_billions", "coverage_percent"]:
        assert str(table.schema.field(col).type) == "double", col
    pd.testing.assert_frame_equal(df, csv_df, check_dtype=False)


def test_model_records_hold_one_eval_result_per_score(tree):
    root = Path(tree["root"])
    with open(AGGREGATE_CSV, newline="") as f:
        rows = list(csv.DictReader(f))
    scores = [c for c in rows[0] if c.endswith("_score") and c != "aggregate_score"]
    assert sum(1 for r in rows for c in scores if r[c]) == 207
    extra = {tree["two_results"]["model"]: 1, **{m: v["error_items"] for m, v in tree["malformed_models"].items()}}
    for row in rows:
        rec = json.loads((root / response_relpath(f"/api/models/{row['model_name']}")).read_text())
        n = sum(1 for c in scores if row[c])
        assert len(rec["evalResults"]) == n + extra.get(row["model_name"], 0), row["model_name"]
    kimi = json.loads((root / response_relpath("/api/models/moonshotai/Kimi-K2.5")).read_text())["evalResults"]
    assert sum("error" in i for i in kimi) == 1
    assert sum(1 for i in kimi if "data" in i and "source" in i["data"] and "url" not in i["data"]["source"]) == 1


def test_leaderboards_follow_the_aggregate(tree):
    boards = tree["leaderboards"]
    assert set(tree["openevals_benchmarks"].values()) | {tree["gated_benchmark"], tree["unit_scale_benchmark"]} == set(
        boards
    )
    df = pd.read_csv(AGGREGATE_CSV)
    hidden = tree["base_model_variant"]["hidden_models"]
    for col, ds in tree["openevals_benchmarks"].items():
        expected = dict(zip(df["model_name"], df[col]))
        for model_id, value in boards[ds]:
            if model_id in expected:
                assert value == expected[model_id], (ds, model_id)
        on_board = {m for m, _ in boards[ds]}
        csv_models = set(df.loc[df[col].notna(), "model_name"])
        assert csv_models - on_board == (set(hidden) if ds == tree["base_model_variant"]["benchmark"] else set())


# ---------------------------------------------------------------------------------------------------------------------
# the real client against the hub


def test_list_datasets_pages_through_everything_in_order(hub, api, tree):
    ids = [d.id for d in api.list_datasets(benchmark=True)]
    assert ids == tree["official_ids"]
    assert len(ids) == 25
    gets = [r for r in hub.requests if r[1] == "/api/datasets"]
    assert len(gets) == math.ceil(25 / 5)
    assert gets[0][2] == "filter=benchmark%3Aofficial"
    limited = [d.id for d in api.list_datasets(benchmark=True, limit=7)]
    assert limited == tree["official_ids"][:7]
    datasets = {d.id: d for d in api.list_datasets(benchmark=True, expand=["gated", "createdAt"])}
    assert datasets[tree["gated_benchmark"]].gated == "manual"
    assert datasets["harborframework/terminal-bench-2.1"].sha == "2317b760e132c35b5c06d68e97affc4d9064da44"


def test_link_header_is_absolute(hub):
    with _client() as c:
        r = c.get(f"{hub.url}/api/datasets", params={"filter": "benchmark:official"})
    assert r.links["next"]["url"].startswith(f"{hub.url}/api/datasets?")
    assert "cursor=5" in r.links["next"]["url"]


def test_leaderboard_values_and_ranks(api, tree):
    board = api.get_dataset_leaderboard("SWE-bench/SWE-bench_Verified")
    # leaderboard-data-guide v1 example output
    assert [(e.rank, e.model_id, e.value) for e in board[:3]] == [
        (1, "Qwen/Qwen3.5-397B-A17B", 76.4),
        (2, "MiniMaxAI/MiniMax-M2.5", 75.8),
        (3, "stepfun-ai/Step-3.5-Flash", 74.4),
    ]
    assert [e.rank for e in board] == list(range(1, len(board) + 1))
    assert [e.value for e in board] == sorted((e.value for e in board), reverse=True)
    assert [(e.model_id, e.value) for e in board] == tree["leaderboards"]["SWE-bench/SWE-bench_Verified"]

    aime = api.get_dataset_leaderboard("MathArena/aime_2026")
    assert (aime[0].model_id, aime[0].value) == ("FINAL-Bench/Darwin-180B-RSI", 100)
    assert aime[0].notes.startswith("AIME 2026")
    assert aime[0].author.name == "FINAL-Bench"
    evasion = api.get_dataset_leaderboard("FutureMa/EvasionBench")
    assert evasion[0].source["isExternal"] is True and evasion[0].pull_request == 43
    ocr = api.get_dataset_leaderboard("allenai/olmOCR-bench")
    assert (ocr[0].model_id, ocr[0].verified) == (tree["verified_entry"][1], True)
    unit = api.get_dataset_leaderboard(tree["unit_scale_benchmark"])
    assert all(0 < e.value < 1 for e in unit) and unit[0].value == 0.734


def test_base_model_only_false_gives_more_rows(hub, api, tree):
    variant = tree["base_model_variant"]
    default = api.get_dataset_leaderboard(variant["benchmark"])
    explicit = api.get_dataset_leaderboard(variant["benchmark"], base_model_only=True)
    everything = api.get_dataset_leaderboard(variant["benchmark"], base_model_only=False)
    assert len(default) == len(explicit) == variant["default_rows"]
    assert len(everything) == variant["all_rows"] > len(default)
    assert set(variant["hidden_models"]) <= {e.model_id for e in everything}
    assert [r[2] for r in hub.requests] == ["", "base_model=true", "base_model=false"]


def test_gated_benchmark_needs_the_token(hub, api, tree):
    gated = tree["gated_benchmark"]
    with pytest.raises(GatedRepoError):
        api.get_dataset_leaderboard(gated)
    with pytest.raises(GatedRepoError):
        api.get_dataset_leaderboard(gated, token="hf_wrong")
    board = api.get_dataset_leaderboard(gated, token=TOKEN)
    assert [e.model_id for e in board] == [m for m, _ in tree["leaderboards"][gated]]
    assert [r[3] for r in hub.requests] == [False, True, True]
    assert TOKEN not in repr(hub.requests) + repr(hub.responses) + repr(hub.faults_injected)
    with _client() as c:
        r = c.get(f"{hub.url}/api/datasets/{gated}/leaderboard")
    assert r.status_code == 401 and r.headers["X-Error-Code"] == "GatedRepo" and r.headers["X-Error-Message"]


def test_missing_repo_raises_repository_not_found(api):
    with pytest.raises(RepositoryNotFoundError):
        api.get_dataset_leaderboard("nobody/no-such-benchmark")
    with pytest.raises(RepositoryNotFoundError):
        api.model_info("nobody/no-such-model", expand=["createdAt"])


def test_model_info_expand(hub, api):
    info = api.model_info("MiniMaxAI/MiniMax-M2.5", expand=["createdAt", "safetensors"])
    assert info.created_at == datetime(2026, 2, 12, 6, 5, 24, tzinfo=timezone.utc)
    assert info.safetensors.total == 228703644928
    assert hub.requests[-1][2] == "expand=createdAt&expand=safetensors"
    with _client() as c:
        body = c.get(f"{hub.url}/api/models/MiniMaxAI/MiniMax-M2.5", params=[("expand", "createdAt")]).json()
        assert set(body) == {"id", "createdAt"}
        no_meta = c.get(f"{hub.url}/api/models/FINAL-Bench/Darwin-180B-RSI", params=[("expand", "safetensors")])
        assert no_meta.json() == {"id": "FINAL-Bench/Darwin-180B-RSI"}  # an absent key stays absent
        full = c.get(f"{hub.url}/api/models/MiniMaxAI/MiniMax-M2.5").json()
        assert {"evalResults", "tags", "cardData", "pipeline_tag"} <= set(full)
    results = api.model_info("MiniMaxAI/MiniMax-M2.5", expand=["evalResults"]).eval_results
    swe = sorted(r.value for r in results if r.dataset_id == "SWE-bench/SWE-bench_Verified")
    assert swe == [75.8, 80.2]


def test_malformed_eval_results_break_the_typed_parser(api, tree):
    """The pitfall documented in HUB_API.md: one bad item takes the whole model_info call down."""
    (model,) = tree["malformed_models"]
    with pytest.raises((ValueError, KeyError)):
        api.model_info(model, expand=["evalResults"])


def test_unparsable_body_is_served_raw(tmp_path):
    path = tmp_path / response_relpath("/api/datasets/broken/bench/leaderboard")
    path.parent.mkdir(parents=True)
    path.write_bytes(b'[{"rank": 1, "modelId": ')
    with LocalHub(tmp_path) as hub:
        with _client() as c:
            r = c.get(f"{hub.url}/api/datasets/broken/bench/leaderboard")
        assert r.status_code == 200 and r.content == b'[{"rank": 1, "modelId": '
        assert r.headers["content-type"] == "application/json"
        with pytest.raises(ValueError):
            HfApi(endpoint=hub.url, token=False).get_dataset_leaderboard("broken/bench")


def test_hf_hub_download_and_cached_second_call(hub, tmp_path):
    kw = dict(repo_type="dataset", endpoint=hub.url, cache_dir=tmp_path, token=False)
    path = hf_hub_download(AGGREGATE_REPO, AGGREGATE_FILE, **kw)
    assert pd.read_parquet(path).shape == (93, 23)
    assert [r[0] for r in hub.requests] == ["HEAD", "GET"]
    hub.reset_stats()
    assert hf_hub_download(AGGREGATE_REPO, AGGREGATE_FILE, **kw) == path
    assert [r[0] for r in hub.requests] == ["HEAD"]


def test_resolve_headers_and_ranges(hub, tree):
    url = f"{hub.url}/datasets/{AGGREGATE_REPO}/resolve/main/{AGGREGATE_FILE}"
    data = (Path(tree["root"]) / tree["aggregate"]["relpath"]).read_bytes()
    with _client() as c:
        head = c.head(url)
        assert head.status_code == 200
        assert head.headers["X-Repo-Commit"] == tree["aggregate"]["sha"]
        assert len(head.headers["X-Repo-Commit"]) == 40
        assert head.headers["ETag"].startswith('"') and len(head.headers["ETag"]) == 66
        assert int(head.headers["Content-Length"]) == len(data)
        assert "X-Xet-Hash" not in head.headers
        full = c.get(url)
        assert full.status_code == 200 and full.content == data
        part = c.get(url, headers={"Range": "bytes=4-99"})
        assert part.status_code == 206 and part.content == data[4:100]
        assert part.headers["Content-Range"] == f"bytes 4-99/{len(data)}"
        tail = c.get(url, headers={"Range": "bytes=-8"})
        assert tail.status_code == 206 and tail.content == data[-8:]
        assert c.get(url, headers={"Range": f"bytes={len(data)}-"}).status_code == 416
        info = c.get(f"{hub.url}/api/datasets/{AGGREGATE_REPO}").json()
        assert info["id"] == AGGREGATE_REPO and info["sha"] == tree["aggregate"]["sha"]
        entries = c.get(f"{hub.url}/api/datasets/{AGGREGATE_REPO}/tree/main/data").json()
        assert entries == [
            {
                "type": "file",
                "oid": entries[0]["oid"],
                "size": len(data),
                "path": AGGREGATE_FILE,
                "lfs": {"oid": head.headers["ETag"].strip('"'), "size": len(data), "pointerSize": 134},
            }
        ]


def test_read_parquet_over_hf_protocol_in_a_subprocess(hub, tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("HF_")}
    env.update(hub_env(hub.url, tmp_path / "hf_home"))
    code = (
        "import pandas as pd\n"
        f"df = pd.read_parquet({PARQUET_URL!r})\n"
        "print(df.shape[0], df.shape[1], str(df['gpqa_score'].dtype))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["93", "23", "float64"], (out.stdout, out.stderr[-2000:])
    statuses = {(m, p.split("/")[1], s) for m, p, _q, s in hub.responses}
    assert ("GET", "api", 200) in statuses
    assert any(m == "GET" and "/resolve/" in p and s in (200, 206) for m, p, _q, s in hub.responses)


def test_hub_env():
    env = hub_env("http://127.0.0.1:1", Path("/tmp/x"))
    assert env == {
        "HF_ENDPOINT": "http://127.0.0.1:1",
        "HF_HOME": "/tmp/x",
        "HF_HUB_DISABLE_TELEMETRY": "1",
        "HF_HUB_DISABLE_XET": "1",
        "HF_HUB_DISABLE_PROGRESS_BARS": "1",
    }


# ---------------------------------------------------------------------------------------------------------------------
# latency, concurrency, rate limit


def test_max_in_flight_counts_concurrent_requests(tree):
    with LocalHub(tree["root"], latency=0.2) as hub:
        api = HfApi(endpoint=hub.url, token=False)
        benches = list(tree["openevals_benchmarks"].values())[:8]
        with ThreadPoolExecutor(8) as pool:
            boards = list(pool.map(api.get_dataset_leaderboard, benches))
        assert all(boards)
        assert 4 <= hub.max_in_flight <= 8  # served concurrently
        hub.reset_stats()
        api.get_dataset_leaderboard(benches[0])
        api.get_dataset_leaderboard(benches[1])
        assert hub.max_in_flight == 1


def test_ratelimit_headers_and_429(tree):
    with LocalHub(tree["root"], ratelimit=(3, 60)) as hub:
        with _client() as c:
            url = f"{hub.url}/api/datasets/cais/hle/leaderboard"
            infos = [parse_ratelimit_headers(c.get(url).headers) for _ in range(3)]
            assert [i.remaining for i in infos] == [2, 1, 0]
            assert all(i.limit == 3 and i.window_seconds == 60 and 0 < i.reset_in_seconds <= 60 for i in infos)
            assert infos[0].resource_type == "api"
            r = c.get(url)
            assert r.status_code == 429
            assert 0 < int(r.headers["Retry-After"]) <= 60
            assert parse_ratelimit_headers(r.headers).remaining == 0
        with pytest.raises(HfHubHTTPError) as err:
            HfApi(endpoint=hub.url, token=False).get_dataset_leaderboard("cais/hle")
        assert err.value.response.status_code == 429
        assert hub.count_429 == 2
        hub.reset_stats()  # a new window
        assert HfApi(endpoint=hub.url, token=False).get_dataset_leaderboard("cais/hle")


# ---------------------------------------------------------------------------------------------------------------------
# faults


URLS = [f"/api/datasets/{ds}/leaderboard" for ds in ("cais/hle", "Idavidrein/gpqa", "openai/gsm8k", "nobody/none")]


def _outcomes(hub, urls, repeats=6, threads=1):
    """Status (or exception name) of each request; per URL the requests are sequential."""

    def run(path):
        out = []
        with httpx2.Client(timeout=0.5) as c:
            for _ in range(repeats):
                try:
                    r = c.get(hub.url + path)
                    out.append(r.status_code if len(r.content) == int(r.headers["content-length"]) else "short")
                except httpx2.HTTPError as exc:
                    out.append(type(exc).__name__)
        return path, out

    with ThreadPoolExecutor(threads) as pool:
        return dict(pool.map(run, urls))


def test_fault_plan_is_deterministic_and_thread_independent(tree):
    plan = FaultPlan(rate=0.5, kinds=("429", "500", "503", "drop", "truncate"), seed=7, max_consecutive=2)
    with LocalHub(tree["root"], faults=plan) as hub:
        first = _outcomes(hub, URLS)
        faults_first = sorted(hub.faults_injected)
        hub.reset_stats()
        again = _outcomes(hub, URLS, threads=4)
        assert again == first
        assert sorted(hub.faults_injected) == faults_first
        assert 0 < len(faults_first) < len(URLS) * 6
        hub.set_faults(FaultPlan(rate=0.5, kinds=plan.kinds, seed=8, max_consecutive=2))
        other = _outcomes(hub, URLS)
        assert other != first
        hub.set_faults(None)
        assert all(o in (200, 404) for outs in _outcomes(hub, URLS, repeats=2).values() for o in outs)
    with LocalHub(tree["root"], faults=plan) as fresh:
        assert _outcomes(fresh, URLS) == first
    # the decision is a pure function
    assert [plan.decide("GET", "/x", n) for n in range(50)] == [plan.decide("GET", "/x", n) for n in range(50)]


def test_max_consecutive_caps_faults_per_url(tree):
    plan = FaultPlan(rate=1.0, kinds=("503",), seed=0, max_consecutive=2)
    with LocalHub(tree["root"], faults=plan) as hub:
        outs = _outcomes(hub, URLS[:1], repeats=6)[URLS[0]]
        assert outs == [503, 503, 200, 503, 503, 200]
        assert hub.count_429 == 0


@pytest.mark.parametrize(
    "kind, expected",
    [
        ("429", 429),
        ("500", 500),
        ("drop", "RemoteProtocolError"),
        ("truncate", "RemoteProtocolError"),
        ("silence", "ReadTimeout"),
    ],
)
def test_fault_kinds(tree, kind, expected):
    plan = FaultPlan(rate=1.0, kinds=(kind,), max_consecutive=1, silence_s=3)
    with LocalHub(tree["root"], faults=plan) as hub:
        with httpx2.Client(timeout=0.5) as c:
            url = f"{hub.url}/api/datasets/cais/hle/leaderboard"
            try:
                r = c.get(url)
                got = r.status_code
            except httpx2.HTTPError as exc:
                got = type(exc).__name__
            assert got == expected
            if kind == "429":
                assert r.headers["Retry-After"] == "1"
                assert r.headers["RateLimit"] == '"api";r=0;t=1'
                assert hub.count_429 == 1
            assert c.get(url).status_code == 200  # max_consecutive=1: the retry goes through
        assert hub.faults_injected == [("GET", "/api/datasets/cais/hle/leaderboard", "", kind)]


def test_list_datasets_retries_through_faults(tree):
    plan = FaultPlan(rate=1.0, kinds=("drop",), max_consecutive=1, prefixes=("/api/datasets",))
    with LocalHub(tree["root"], faults=plan) as hub:
        ids = [d.id for d in HfApi(endpoint=hub.url, token=False).list_datasets(benchmark=True)]
        assert ids == tree["official_ids"]
        assert [f[3] for f in hub.faults_injected] == ["drop"]  # dropped once, retried by the client


def test_permanent_failures(tree):
    permanent = {"/api/datasets/cais/hle": 500, "/api/datasets/Idavidrein": 404, "/api/models/zai-org": 401}
    with LocalHub(tree["root"], permanent=permanent) as hub:
        api = HfApi(endpoint=hub.url, token=False)
        with pytest.raises(HfHubHTTPError) as err:
            api.get_dataset_leaderboard("cais/hle")
        assert err.value.response.status_code == 500
        with pytest.raises(RepositoryNotFoundError):
            api.get_dataset_leaderboard("Idavidrein/gpqa")
        with pytest.raises(GatedRepoError):
            api.model_info("zai-org/GLM-5", expand=["createdAt"])
        assert api.get_dataset_leaderboard("openai/gsm8k")
        hub.set_permanent(None)
        assert api.get_dataset_leaderboard("cais/hle")


# ---------------------------------------------------------------------------------------------------------------------
# lifecycle and timeouts


def test_stop_closes_listener_and_open_connections(tree):
    hub = LocalHub(tree["root"]).start()
    url = hub.url
    port = hub.port
    c = httpx2.Client(timeout=2)
    assert c.get(f"{url}/api/datasets/cais/hle/leaderboard").status_code == 200  # a keep-alive connection is open
    hub.stop()
    with pytest.raises(httpx2.HTTPError):
        c.get(f"{url}/api/datasets/cais/hle/leaderboard")
    c.close()
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
    hub.stop()  # idempotent


def test_silent_server_times_out_the_client():
    with SilentServer() as silent:
        assert silent.url.startswith("http://127.0.0.1:")
        start = time.monotonic()
        with pytest.raises(httpx2.ReadTimeout):
            HfApi(endpoint=silent.url, token=False).get_dataset_leaderboard("cais/hle", timeout=1)
        assert time.monotonic() - start > 0.9  # it waited for the client's timeout (a lower bound only)


def test_synthetic_tree(tmp_path):
    facts = synthetic_hub_tree(tmp_path, 12, entries_per_benchmark=35, n_models=100, seed=1)
    assert facts["official_ids"][0] == "synthetic-org-0/bench-0"
    assert facts["official_ids"][11] == "synthetic-org-1/bench-11"
    with LocalHub(tmp_path, page_size=5) as hub:
        api = HfApi(endpoint=hub.url, token=False)
        assert [d.id for d in api.list_datasets(benchmark=True)] == facts["official_ids"]
        board = api.get_dataset_leaderboard("synthetic-org-1/bench-11")
        assert len(board) == 35
        assert [(e.model_id, e.value) for e in board] == facts["leaderboards"]["synthetic-org-1/bench-11"]
        info = api.model_info(board[0].model_id, expand=["evalResults", "createdAt", "safetensors"])
        assert any(r.dataset_id == "synthetic-org-1/bench-11" for r in info.eval_results)
    assert synthetic_hub_tree(tmp_path / "again", 12, seed=1)["leaderboards"] == facts["leaderboards"]
