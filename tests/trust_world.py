"""A simulated Hub with provenance and a known truth, for the trust audit (``lbtools.analysis.trust``).

Not data: every id here is synthetic (``trust-org-K/model-J``, ``trust-bench/bench-JJ``, ``community-U``).

The world (defaults: the Done-when of issue 21):

* 160 models of 20 organisations, 14 benchmarks (two published on a 0–1 scale), each with an item count;
* true scores from a two-dimensional logit factor model, ``logit p_ij = b_j + a_j · θ_i + e_ij`` (``θ_i ~ N(0, I)``,
  misfit ``e_ij ~ N(0, 0.12²)``); a published value is a fresh binomial draw of ``n_j`` items at ``p_ij`` (rounded
  to 0.1 point), so two entries of one cell differ by measurement noise only;
* first-party entries (``author`` = the model's organisation, not verified): published with odds ×1.5 per +10 points
  of true score (``selective=True``; at random otherwise), ~55 % of cells, at least 2 per model;
* ``inflate_share`` (6 %) of first-party entries, among those at most 80 points, are raised by 10–20 points
  (uniform, rounded to 0.1) — none when ``inflate=False``;
* ``independent_share`` (25 %) of all cells, at random, also hold an independent entry drawn without inflation:
  30 % verified (``verified: true``), 70 % third party (a community account or another organisation, submitted by
  pull request, ``source.isExternal: true``).

:func:`simulate` returns the entries as a ``load_leaderboards``-shaped frame with the truth beside it;
:func:`write_hub_tree` writes the same entries as a local Hub tree that ``tests/localhub.py`` serves (layout of
``lbtools._snapshot_format``, as ``tests/fixtures/build.py`` writes it): the official benchmark list, one leaderboard
per benchmark, a record per model with its ``evalResults``, dataset records and a manifest.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from fixtures.build import FIXED_DATE, OFFICIAL_FILTER, _dataset_object, _write_json

from lbtools._snapshot_format import MANIFEST, response_relpath

N_MODELS, N_BENCHMARKS, N_ORGS = 160, 14, 20
UNIT_SCALE = (3, 10)  # benchmarks published on 0–1
ITEMS = (198, 300, 500, 500, 800, 1000, 1319, 2000)


@dataclass
class World:
    entries: pd.DataFrame  # the load_leaderboards shape, plus nothing else
    truth: pd.DataFrame  # one row per (model, benchmark): true_pct, first_party, independent, inflation
    n_items: dict  # dataset_id -> items
    seed: int
    params: dict = field(default_factory=dict)

    @property
    def inflated(self) -> pd.DataFrame:
        return self.truth[self.truth.inflation > 0]

    @property
    def true_gap(self) -> float:
        """Mean inflation (points) over the cells with both a first-party and an independent entry."""
        pairs = self.truth[self.truth.first_party & self.truth.independent]
        return float(pairs.inflation.mean())


def simulate(seed: int = 0, *, inflate: bool = True, selective: bool = True, n_models: int = N_MODELS,
             n_benchmarks: int = N_BENCHMARKS, inflate_share: float = 0.06, independent_share: float = 0.25,
             misfit: float = 0.12) -> World:
    rng = np.random.default_rng(seed)
    models = [f"trust-org-{i % N_ORGS}/model-{i}" for i in range(n_models)]
    benches = [f"trust-bench/bench-{j:02d}" for j in range(n_benchmarks)]
    items = rng.choice(ITEMS, size=n_benchmarks)
    theta = rng.normal(size=(n_models, 2))
    b = rng.uniform(-1.2, 1.6, size=n_benchmarks)
    a = np.column_stack([rng.uniform(0.7, 1.4, size=n_benchmarks), rng.normal(0, 0.35, size=n_benchmarks)])
    logit = b[None, :] + theta @ a.T + rng.normal(0, misfit, size=(n_models, n_benchmarks))
    p = 1 / (1 + np.exp(-logit))
    true_pct = 100 * p

    def draw():
        return np.round(100 * rng.binomial(items[None, :], p) / items[None, :], 1)

    # first-party publishing: odds x1.5 per +10 points (selective) or at random, ~55 % overall
    if selective:
        prob = 1 / (1 + np.exp(-(0.2 + np.log(1.5) * (true_pct - 50) / 10)))
    else:
        prob = np.full(p.shape, 0.55)
    first = rng.random(p.shape) < prob
    for i in range(n_models):  # at least 2 first-party scores per model
        if first[i].sum() < 2:
            first[i, rng.choice(n_benchmarks, 2, replace=False)] = True
    first_value = draw()
    inflation = np.zeros(p.shape)
    if inflate:
        eligible = np.flatnonzero(first & (first_value <= 80))
        k = int(round(inflate_share * first.sum()))
        pick = rng.choice(eligible, size=k, replace=False)
        inflation.flat[pick] = np.round(rng.uniform(10, 20, size=k), 1)
    first_value = np.round(first_value + inflation, 1)
    independent = rng.random(p.shape) < independent_share
    indep_value = draw()
    verified = rng.random(p.shape) < 0.3
    others = [f"community-{u}" for u in range(12)]

    rows = []
    pr = 1
    for i, mid in enumerate(models):
        org = mid.split("/")[0]
        for j, ds in enumerate(benches):
            unit = j in UNIT_SCALE
            fn = f".eval_results/bench-{j:02d}.yaml"

            def value(v):
                return round(v / 100, 4) if unit else float(v)

            if first[i, j]:
                rows.append(dict(dataset_id=ds, model_id=mid, value=value(first_value[i, j]), verified=False,
                                 author=org, author_type="org", source_url=f"https://huggingface.co/{mid}",
                                 source_name="Model card", source_is_external=False, filename=fn,
                                 pull_request=None))
            if independent[i, j]:
                if verified[i, j]:
                    rows.append(dict(dataset_id=ds, model_id=mid, value=value(indep_value[i, j]), verified=True,
                                     author=org, author_type="org", source_url=f"https://huggingface.co/{mid}",
                                     source_name="Verified run", source_is_external=False,
                                     filename=f".eval_results/bench-{j:02d}-verified.yaml", pull_request=None))
                else:
                    u = int(rng.integers(len(others) + 4))
                    who = others[u] if u < len(others) else f"trust-org-{(i + 1 + u) % N_ORGS}"
                    if who == org:
                        who = others[0]
                    rows.append(dict(dataset_id=ds, model_id=mid, value=value(indep_value[i, j]), verified=False,
                                     author=who, author_type="user" if who.startswith("community") else "org",
                                     source_url=f"https://huggingface.co/{mid}/discussions/{pr}",
                                     source_name="Community evaluation", source_is_external=True,
                                     filename=f".eval_results/bench-{j:02d}-{who}.yaml", pull_request=pr))
                    pr += 1
    df = pd.DataFrame(rows)
    lower = {ds: False for ds in benches}
    df["lower_is_better"] = df.dataset_id.map(lower)
    df["notes"] = None
    df["num_parameters"] = None
    # rank within each board, by value descending then model id (as the Hub orders a board)
    df = df.sort_values(["dataset_id", "value", "model_id"], ascending=[True, False, True], kind="mergesort")
    df["rank"] = df.groupby("dataset_id").cumcount() + 1
    cols = ["dataset_id", "rank", "model_id", "value", "verified", "author", "author_type", "source_url",
            "source_name", "source_is_external", "filename", "pull_request", "notes", "lower_is_better",
            "num_parameters"]
    df = df[cols].reset_index(drop=True).astype({
        "dataset_id": "string", "rank": "Int64", "model_id": "string", "value": "Float64", "verified": "boolean",
        "author": "string", "author_type": "string", "source_url": "string", "source_name": "string",
        "source_is_external": "boolean", "filename": "string", "pull_request": "Int64", "notes": "string",
        "lower_is_better": "boolean", "num_parameters": "Int64"})
    df.attrs = {"source": "simulation", "fetched_at": FIXED_DATE}
    truth = pd.DataFrame({
        "model_id": np.repeat(models, n_benchmarks), "dataset_id": np.tile(benches, n_models),
        "true_pct": true_pct.ravel(), "first_party": first.ravel(), "independent": independent.ravel(),
        "inflation": inflation.ravel(),
    })
    return World(df, truth, dict(zip(benches, items.astype(int).tolist())), seed,
                 dict(inflate=inflate, selective=selective, misfit=misfit))


# --------------------------------------------------------------------------------------------------------------------
# the Hub tree


def write_hub_tree(world: World, dest: Path) -> dict:
    """Write ``world.entries`` as a local Hub tree under ``dest``; return facts (``official_ids``, ``models``)."""
    dest = Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    e = world.entries
    benches = sorted(e.dataset_id.unique())
    listing = [_dataset_object(ds, tags=("lbtools-test:synthetic",)) for ds in benches]
    _write_json(dest, response_relpath("/api/datasets", OFFICIAL_FILTER), listing)
    for obj in listing:  # a one-split card per benchmark: lbtools.benchmark_sizes reads the item count from it
        card = {"dataset_info": {"splits": [{"name": "test", "num_examples": int(world.n_items[obj["id"]])}]}}
        _write_json(dest, response_relpath(f"/api/datasets/{obj['id']}"), {**obj, "cardData": card})
    records: dict[str, dict] = {}
    for ds in benches:
        board = []
        for r in e[e.dataset_id == ds].itertuples(index=False):
            entry = {
                "rank": int(r.rank), "filename": r.filename, "value": float(r.value), "verified": bool(r.verified),
                "modelId": r.model_id, "author": {"name": r.author, "type": r.author_type},
                "source": {"url": r.source_url, "name": r.source_name, "isExternal": bool(r.source_is_external)},
                "lower_is_better": False,
            }
            if not pd.isna(r.pull_request):
                entry["pullRequest"] = int(r.pull_request)
            board.append(entry)
            rec = records.setdefault(r.model_id, {
                "id": r.model_id, "author": r.model_id.split("/")[0], "private": False, "gated": False,
                "disabled": False, "downloads": 0, "likes": 0, "tags": ["lbtools-test:synthetic"],
                "createdAt": FIXED_DATE, "evalResults": []})
            item = {"filename": r.filename, "verified": bool(r.verified),
                    "data": {"dataset": {"id": ds, "task_id": "default"}, "value": float(r.value),
                             "source": {"url": r.source_url, "name": r.source_name}}}
            if not pd.isna(r.pull_request):
                item["pullRequest"] = int(r.pull_request)
            rec["evalResults"].append(item)
        _write_json(dest, response_relpath(f"/api/datasets/{ds}/leaderboard"), board)
    for mid, rec in records.items():
        _write_json(dest, response_relpath(f"/api/models/{mid}"), rec)
    _write_json(dest, MANIFEST, {"kind": "lbtools trust-audit world (tests/trust_world.py)", "as_of": FIXED_DATE,
                                 "synthetic": True, "seed": world.seed, "params": world.params})
    return {"root": dest, "official_ids": benches, "models": sorted(records)}
