"""Saving and describing snapshots: a recorded Hub that the loaders replay through the same parsing code.

A save records every raw response into a temporary folder beside the destination and renames it into place only
when the manifest is written, so an interrupted save never leaves a folder that loads.
"""

from __future__ import annotations

import json
import os
import shutil
import uuid
from pathlib import Path

from ._hub.recording import MANIFEST, file_relpath, response_relpath
from ._hub.sources import AGGREGATE_FILE, AGGREGATE_REPO, SNAPSHOT_FORMAT_VERSION, HubSource, read_manifest


class RecordingSource:
    """Wraps a live source and writes each raw response it returns into a snapshot folder."""

    def __init__(self, inner, root: Path):
        self.inner = inner
        self.root = Path(root)
        self.name = inner.name

    def get_json(self, path, params=None, *, what, refresh=False, paged=False):
        body, fetched_at = self.inner.get_json(path, params, what=what, refresh=refresh, paged=paged)
        target = self.root / response_relpath(path, params)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps(body, ensure_ascii=True), encoding="utf-8")
        return body, fetched_at

    def aggregate_file(self, *, revision=None, refresh=False):
        path, commit, fetched_at = self.inner.aggregate_file(revision=revision, refresh=refresh)
        target = self.root / file_relpath("dataset", AGGREGATE_REPO, AGGREGATE_FILE)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target)
        return target, commit, fetched_at

    def repo_file(self, repo_id, filename, *, repo_type="dataset", refresh=False):
        path = self.inner.repo_file(repo_id, filename, repo_type=repo_type, refresh=refresh)
        target = self.root / file_relpath(repo_type, repo_id, filename)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target)
        return target

    def recorded_benchmarks(self):
        return None, {}


def save_snapshot(
    dest,
    *,
    benchmarks=None,
    models: bool = True,
    aggregate: bool = True,
    token=None,
    max_workers: int | None = None,
    progress: bool | None = None,
    provenance: str | None = None,
) -> Path:
    """Record the Hub's leaderboard data into the folder ``dest`` (which must not exist yet).

    Records the official benchmark list; the leaderboards of ``benchmarks`` (default: every official one) in the
    default view and with fine-tunes (``base_model=false``); their dataset infos and ``eval.yaml`` files (the item
    counts of ``benchmark_sizes``); when ``models``, the eval results and metadata of every
    model on them; when ``aggregate``, the aggregate Parquet. Failures are listed in the manifest, not fatal.

    Returns
    -------
    pathlib.Path
        ``dest``, complete with its ``manifest.json``.
    """
    import huggingface_hub

    from . import __version__, config
    from ._hub.client import HubClient, utc_iso
    from .loaders import _check_id_list, _fan_out, _fetch_eval_results, _fetch_leaderboard, _fetch_model_info
    from .loaders import _fetch_card_sizes

    dest = Path(dest)
    if dest.exists():
        raise FileExistsError(f"{dest} already exists; choose a new folder (a snapshot is never overwritten)")
    settings = config.settings(max_workers=max_workers)
    client = HubClient(settings, token)
    recorder = None
    tmp = dest.parent / f".{dest.name}.partial-{uuid.uuid4().hex[:8]}"
    tmp.mkdir(parents=True)
    try:
        recorder = RecordingSource(HubSource(client), tmp)
        taken_at = utc_iso()
        listing, _ = recorder.get_json(
            "/api/datasets", {"filter": "benchmark:official"}, what="the official benchmark list", refresh=True,
            paged=True,
        )
        if benchmarks is None:
            ids = sorted({item["id"] for item in listing if isinstance(item, dict) and isinstance(item.get("id"), str)})
        else:
            ids = _check_id_list(benchmarks, "benchmarks", namespace=True)
        fan = dict(max_workers=settings.max_workers, errors="warn", progress=progress)
        boards, failures = _fan_out(
            lambda d: _fetch_leaderboard(recorder, d, None, True), ids, desc="leaderboards", **fan
        )
        saved = sorted(boards)
        _fan_out(lambda d: _fetch_leaderboard(recorder, d, False, True), saved, desc="leaderboards + fine-tunes", **fan)
        # The dataset cards and eval.yaml files that give item counts (benchmark_sizes, rank_intervals offline).
        cards, _ = _fan_out(lambda d: _fetch_card_sizes(recorder, d, True), saved, desc="dataset cards", **fan)
        model_ids = sorted({r["model_id"] for d in saved for r in boards[d][0]})
        model_failures: dict = {}
        counts = {
            "benchmarks": len(saved),
            "leaderboard_entries": sum(len(boards[d][0]) for d in saved),
            "models": len(model_ids),
            "benchmarks_with_card_item_counts": sum(1 for d in saved if cards.get(d, ([], ""))[0]),
        }
        if models:
            evals, failed_evals = _fan_out(
                lambda m: _fetch_eval_results(recorder, m, True), model_ids, desc="eval results", **fan
            )
            infos, failed_infos = _fan_out(
                lambda m: _fetch_model_info(recorder, m, True), model_ids, desc="model info", **fan
            )
            model_failures = {**{f"eval results of {k}": v for k, v in failed_evals.items()},
                              **{f"model info of {k}": v for k, v in failed_infos.items()}}
            counts["models_with_eval_results"] = len(evals)
            counts["models_with_metadata"] = len(infos)
        aggregate_info = None
        if aggregate:
            import pyarrow.parquet as pq

            try:
                path, commit, _ = recorder.aggregate_file(refresh=True)
                aggregate_info = {"repo": AGGREGATE_REPO, "file": AGGREGATE_FILE, "revision": commit}
                counts["aggregate_rows"] = pq.read_metadata(path).num_rows
            except Exception as exc:  # noqa: BLE001 - recorded in the manifest
                model_failures["aggregate"] = " ".join(str(exc).split())
        manifest = {
            "format_version": SNAPSHOT_FORMAT_VERSION,
            "name": dest.name,
            "taken_at": taken_at,
            "endpoint": settings.endpoint,
            "authenticated": client.authenticated,
            "lbtools_version": __version__,
            "huggingface_hub_version": huggingface_hub.__version__,
            "benchmarks": saved,
            "failures": dict(sorted(failures.items())),
            "other_failures": dict(sorted(model_failures.items())),
            "aggregate": aggregate_info,
            "counts": counts,
            "provenance": provenance
            or f"Recorded with `lbtools snapshot save` from {settings.endpoint} at {taken_at}: raw API responses, "
            "one file per call, replayed by lbtools' loaders through the same parsing code as live answers.",
        }
        (tmp / MANIFEST).write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        os.rename(tmp, dest)
        if failures or model_failures:
            import warnings

            warnings.warn(
                f"lbtools: snapshot {dest.name} saved without {len(failures)} of {len(ids)} benchmarks and "
                f"{len(model_failures)} other items that failed; its manifest lists each with the reason",
                UserWarning,
                stacklevel=2,
            )
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return dest


def snapshot_info(path) -> dict:
    """The manifest of the snapshot at ``path`` (checked: raises SnapshotError saying what is wrong)."""
    return read_manifest(Path(path))
