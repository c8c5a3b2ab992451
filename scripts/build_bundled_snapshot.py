"""Build the snapshot of real Hub data that ships in lbtools/data/ from the copies in data/sources/.

Run it with `make snapshot` (or `python scripts/build_bundled_snapshot.py`). The result is a recorded Hub in the same
layout `lbtools snapshot save` writes, so the loaders read it through the same parsing code as live answers.
What the sources lack stays empty; nothing is invented, except what the Hub's API requires of every entry: a
leaderboard entry's `author`, set to the model's own organisation (a placeholder, said in the manifest; the trust
audit reads no provenance from it, as no entry has `verified`):

- the official benchmark list: one dataset object per row of official_benchmarks.csv, with its `status`;
- leaderboards of the 11 benchmarks the aggregate covers, reconstructed from its `*_score` columns: ranked by value
  (higher first), ties by model id; `verified`, `filename`, `source`, `notes`, `lower_is_better` and `num_parameters`
  left empty. The aggregate does not say which models declare a base model, so the fine-tune view
  (`base_model=false`) holds the same entries as the default one;
- each model's eval results, reconstructed from its aggregate row (dataset id and value only);
- model metadata for the 56 models that have it (`createdAt`, `safetensors.total`, pipeline tag, license, base models);
- the aggregate Parquet itself (93 rows, 23 columns, values unchanged);
- tidy tables `tables/leaderboards.parquet`, `eval_results.parquet`, `models.parquet`: the loaders' frames of this
  snapshot (lbtools.snapshot.write_tables), for DuckDB, polars or Spark;
- no dataset cards or eval.yaml files: the sources hold none, so item counts (`lbtools.benchmark_sizes`, the rank
  intervals of `lbtools.analysis.rank_intervals`) come from lbtools' table `lbtools/data/benchmark_sizes.csv`, whose
  rows each carry a provenance URL; the manifest says so under `item_counts`.
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from lbtools._tables import aggregate_columns  # noqa: E402
from lbtools.config import BUNDLED_SNAPSHOT_NAME, bundled_snapshot  # noqa: E402
from lbtools.loaders import MODEL_INFO_EXPAND  # noqa: E402
from lbtools.snapshot import snapshot_info, write_gitattributes, write_manifest, write_tables  # noqa: E402
from lbtools._hub.client import AGGREGATE_FILE, AGGREGATE_REPO  # noqa: E402
from lbtools._snapshot_format import (HASHES, SNAPSHOT_FORMAT_VERSION, file_relpath,  # noqa: E402
                                      recorded_hashes, response_relpath)

SOURCES = ROOT / "data" / "sources"
AGGREGATE_CSV = SOURCES / "openevals_leaderboard_data_2026-03-25.csv"
AGGREGATE_SOURCE = SOURCES / "openevals_leaderboard_data_2026-03-25.source.json"


def write_json(root: Path, relpath: str, body) -> None:
    path = root / relpath
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(body, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


def benchmark_list() -> list[dict]:
    rows = pd.read_csv(SOURCES / "official_benchmarks.csv", dtype=str, keep_default_na=False)
    return [
        {"id": r.dataset_id, "author": r.dataset_id.split("/")[0], "tags": ["benchmark:official"], "status": r.status}
        for r in rows.itertuples()
    ]


def leaderboards(aggregate: pd.DataFrame) -> dict[str, list[dict]]:
    boards = {}
    for column, dataset_id in aggregate_columns().items():
        scored = aggregate.loc[aggregate[column].notna(), ["model_name", column]]
        ordered = sorted(zip(scored["model_name"], scored[column]), key=lambda mv: (-mv[1], mv[0]))
        boards[dataset_id] = [
            {"rank": rank, "modelId": model, "value": float(value), "author": {"name": model.split("/")[0]}}
            for rank, (model, value) in enumerate(ordered, start=1)
        ]
    return boards


def eval_results(aggregate: pd.DataFrame) -> dict[str, dict]:
    out = {}
    columns = aggregate_columns()
    for row in aggregate.itertuples(index=False):
        items = [
            {"data": {"dataset": {"id": dataset_id}, "value": float(getattr(row, column))}}
            for column, dataset_id in sorted(columns.items(), key=lambda kv: kv[1])
            if pd.notna(getattr(row, column))
        ]
        out[row.model_name] = {"id": row.model_name, "evalResults": items}
    return out


def model_metadata() -> dict[str, dict]:
    rows = pd.read_csv(SOURCES / "model_metadata.csv", dtype=str, keep_default_na=False)
    out = {}
    for r in rows.itertuples():
        body = {"id": r.model_id, "author": r.model_id.split("/")[0]}
        if r.hf_created_at:
            body["createdAt"] = r.hf_created_at
        if r.hf_safetensors_total:
            body["safetensors"] = {"total": int(r.hf_safetensors_total)}
        if r.pipeline_tag:
            body["pipeline_tag"] = r.pipeline_tag
        tags = []
        if r.license:
            body["cardData"] = {"license": r.license}
            tags.append(f"license:{r.license}")
        tags += [f"base_model:{b}" for b in r.base_models.split(",") if b]
        if tags:
            body["tags"] = tags
        out[r.model_id] = body
    return out


def build(dest: Path) -> dict:
    source_info = json.loads(AGGREGATE_SOURCE.read_text())
    sizes = pd.read_csv(ROOT / "lbtools" / "data" / "benchmark_sizes.csv")
    aggregate = pd.read_csv(AGGREGATE_CSV)
    tmp = dest.with_name(dest.name + ".building")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)

    write_json(tmp, response_relpath("/api/datasets", {"filter": "benchmark:official"}), benchmark_list())
    boards = leaderboards(aggregate)
    for dataset_id, entries in boards.items():
        write_json(tmp, response_relpath(f"/api/datasets/{dataset_id}/leaderboard"), entries)
        write_json(tmp, response_relpath(f"/api/datasets/{dataset_id}/leaderboard", {"base_model": False}), entries)
    for model_id, body in eval_results(aggregate).items():
        write_json(tmp, response_relpath(f"/api/models/{model_id}", {"expand": "evalResults"}), body)
    metadata = model_metadata()
    expand = [("expand", field) for field in MODEL_INFO_EXPAND]
    for model_id, body in metadata.items():
        write_json(tmp, response_relpath(f"/api/models/{model_id}", expand), body)
    parquet = tmp / file_relpath("dataset", AGGREGATE_REPO, AGGREGATE_FILE)
    parquet.parent.mkdir(parents=True, exist_ok=True)
    aggregate.to_parquet(parquet, index=False)

    fetched_at = source_info["fetched_at"]
    taken_at = pd.Timestamp(fetched_at).tz_convert("UTC").strftime("%Y-%m-%dT%H:%M:%SZ")
    manifest = {
        "format_version": SNAPSHOT_FORMAT_VERSION,
        "name": BUNDLED_SNAPSHOT_NAME,
        "taken_at": taken_at,
        "endpoint": "https://huggingface.co",
        "authenticated": False,
        "lbtools_version": "0.1.0",
        "huggingface_hub_version": None,
        "benchmarks": sorted(boards),
        "failures": {},
        "aggregate": {"repo": AGGREGATE_REPO, "file": AGGREGATE_FILE, "revision": None,
                      "read_at": fetched_at},
        "counts": {
            "benchmarks_listed": len(benchmark_list()),
            "benchmarks": len(boards),
            "leaderboard_entries": sum(len(v) for v in boards.values()),
            "models": int(aggregate["model_name"].nunique()),
            "models_with_eval_results": int(aggregate["model_name"].nunique()),
            "models_with_metadata": len(metadata),
            "aggregate_rows": len(aggregate),
            "aggregate_columns": aggregate.shape[1],
            "benchmarks_with_card_item_counts": 0,
        },
        "item_counts": {
            "source": "table",
            "table": "lbtools/data/benchmark_sizes.csv",
            "benchmarks_in_table": sorted(set(sizes["dataset_id"]) & set(boards)),
            "note": "No dataset cards or eval.yaml files were recorded (the sources hold none); item counts come from "
                    "lbtools' table, one provenance URL per row.",
        },
        "provenance": (
            f"Built by scripts/build_bundled_snapshot.py from real Hub data (data/README.md). The aggregate is the "
            f"OpenEvals/leaderboard-data Parquet as read on {fetched_at} ({source_info['provenance']['repo']} commit "
            f"{source_info['provenance']['commit'][:8]}), values unchanged; its revision was not recorded. "
            "The 11 leaderboards are RECONSTRUCTED from the aggregate's *_score columns as of that date (ranked by "
            "value, ties by model id; verified, filename, source, notes, lower_is_better and num_parameters unknown "
            "and left empty; author, which the API requires, is the model's own organisation, a placeholder and not a "
            "record of who published the entry; the fine-tune view equals the default view because the aggregate "
            "does not say which models declare a base model), not recorded from the leaderboard API. Eval results "
            "per model are reconstructed from the same rows. Model metadata (createdAt, safetensors.total, "
            "pipeline_tag, license, base models) for 56 models is a copy of Hub API results taken 2026-06-19. The "
            "benchmark list comes from official_benchmarks.csv; its status column says which ids were confirmed as "
            "listed. No dataset cards were recorded: item counts for rank intervals come from "
            "lbtools/data/benchmark_sizes.csv (provenance per row)."
        ),
        HASHES: recorded_hashes(tmp),
    }
    write_manifest(tmp, manifest)
    write_tables(tmp)  # tables/*.parquet: the loaders' frames of this snapshot, readable without lbtools
    write_gitattributes(tmp)  # no git checkout rewrites its line endings (their sha256 are in the manifest)
    shutil.rmtree(dest, ignore_errors=True)
    tmp.rename(dest)
    return snapshot_info(dest)  # with the tables' sha256, which write_tables added


if __name__ == "__main__":
    target = bundled_snapshot()
    result = build(target)
    print(f"wrote {target.relative_to(ROOT)}: {json.dumps(result['counts'])}")
