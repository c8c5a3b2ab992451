"""Saving and describing snapshots: a recorded Hub that the loaders replay through the same parsing code.

A save records every raw response into a temporary folder beside the destination and renames it into place only
when the manifest is written, so an interrupted save (an error, Ctrl-C, SIGTERM) never leaves a folder that loads,
and removes its temporary folder.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import threading
import uuid
import warnings
from contextlib import contextmanager
from pathlib import Path

from . import config
from ._hub.client import AGGREGATE_FILE, AGGREGATE_REPO, HubClient, utc_iso
from ._hub.fetch import fetch_card_sizes, fetch_eval_results, fetch_leaderboard, fetch_model_info
from ._hub.pool import Cancelled, fan_out, one_line
from ._hub.parse import Problems, benchmark_records, expect_list
from ._snapshot_format import (HASHES, MANIFEST, SNAPSHOT_FORMAT_VERSION, TABLES_DIR, file_hashes, file_relpath,
                               read_manifest, recorded_hashes, response_relpath, verify_files)
from .errors import HubUnavailableError, NotFoundError, PartialLoadWarning, warn
from .loaders import check_id_list, load_eval_results, load_leaderboards, load_model_info

__all__ = ["save_snapshot", "snapshot_info", "verify_snapshot", "write_csv", "write_tables"]

# What a spreadsheet reads as a formula at the start of a cell (OWASP, "CSV Injection").
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


class RecordingSource:
    """Wraps a live source and writes each raw response it returns into a snapshot folder."""

    def __init__(self, inner, root: Path):
        self.inner = inner
        self.root = Path(root)
        self.name = inner.name
        self._lock = threading.Lock()
        self._closed = False

    def close(self) -> None:
        """No write after this: a request still in flight when a save is interrupted never recreates its folder."""
        with self._lock:
            self._closed = True

    def _write(self, relpath: str, write) -> Path:
        target = self.root / relpath
        with self._lock:
            if self._closed:
                raise Cancelled("the snapshot save was interrupted")
            target.parent.mkdir(parents=True, exist_ok=True)
            write(target)
        return target

    def get_json(self, path, params=None, *, what, refresh=False, paged=False, expect=None):
        body, fetched_at = self.inner.get_json(path, params, what=what, refresh=refresh, paged=paged, expect=expect)
        self._write(response_relpath(path, params),
                    lambda target: target.write_text(json.dumps(body, ensure_ascii=True), encoding="utf-8"))
        return body, fetched_at

    def aggregate_file(self, *, revision=None, refresh=False):
        path, commit, fetched_at = self.inner.aggregate_file(revision=revision, refresh=refresh)
        target = self._write(file_relpath("dataset", AGGREGATE_REPO, AGGREGATE_FILE),
                             lambda target: shutil.copyfile(path, target))
        return target, commit, fetched_at

    def repo_file(self, repo_id, filename, *, repo_type="dataset", refresh=False):
        path = self.inner.repo_file(repo_id, filename, repo_type=repo_type, refresh=refresh)
        return self._write(file_relpath(repo_type, repo_id, filename), lambda target: shutil.copyfile(path, target))

    def recorded_benchmarks(self):
        return None, {}, []


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
    default view and with fine-tunes (``base_model=false``); when ``models``, the eval results and metadata of every
    model on them; when ``aggregate``, the aggregate Parquet. Failures are listed in the manifest, not fatal. The
    manifest records the sha256 of every recorded file; loads check each file they read against it (see
    :func:`verify_snapshot`).

    Returns
    -------
    pathlib.Path
        ``dest``, complete with its ``manifest.json``.
    """
    token = config.Token.wrap(token)  # masked from here on: no frame below holds it raw
    if isinstance(dest, bool) or not isinstance(dest, (str, os.PathLike)):
        raise TypeError(f"dest must be a path (str or os.PathLike); got {type(dest).__name__}")
    dest = Path(dest)
    if dest.exists():
        raise FileExistsError(f"{dest} already exists; choose a new folder (a snapshot is never overwritten)")
    ids = None if benchmarks is None else check_id_list(benchmarks, "benchmarks", namespace=True)
    if provenance is not None and not isinstance(provenance, str):
        raise TypeError(f"provenance must be a string; got {type(provenance).__name__}")
    settings = config.settings(max_workers=max_workers)
    if settings.offline:  # huggingface_hub's own switch for no network: a save would only retry and fail
        raise HubUnavailableError("saving a snapshot records the live Hub, but HF_HUB_OFFLINE is set (no network); "
                                  "unset it to save")
    client = HubClient(settings, token, recording=True)
    tmp = dest.parent / f".{dest.name}.partial-{uuid.uuid4().hex[:8]}"
    tmp.mkdir(parents=True)
    recorder = RecordingSource(client, tmp)
    try:
        with _terminate_as_exit():
            return _save(dest, tmp, ids, client, settings, models, aggregate, progress, provenance, recorder)
    except BaseException:
        recorder.close()  # requests still in flight write nothing more
        shutil.rmtree(tmp, ignore_errors=True)
        raise


@contextmanager
def _terminate_as_exit():
    """Within this block SIGTERM raises SystemExit (in the main thread), so a save cleans up as for Ctrl-C."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(signum, frame):
        raise SystemExit(128 + signum)

    try:
        previous = signal.signal(signal.SIGTERM, stop)
    except (ValueError, OSError):  # not allowed here (an embedded interpreter): nothing to restore
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _save(dest, tmp, ids, client, settings, models, aggregate, progress, provenance, recorder) -> Path:
    """The recording itself, into ``tmp``, renamed to ``dest`` when the manifest is written."""
    import huggingface_hub

    from . import __version__

    taken_at = utc_iso()
    listing, _ = recorder.get_json(
        "/api/datasets", {"filter": "benchmark:official"}, what="the official benchmark list", refresh=True,
        paged=True, expect=expect_list,
    )
    listed = ids is None
    if listed:
        # The ids a load would request: the parser's rule, so a hostile id in the list is never requested.
        problems = Problems()
        ids = sorted({record["dataset_id"] for record in benchmark_records(listing, problems, {})})
        problems.warn(stacklevel=4)
    without_leaderboard: list[str] = []

    def fetch_board(dataset_id):
        try:
            return fetch_leaderboard(recorder, dataset_id, None, True)
        except NotFoundError:
            if not listed:
                raise
            without_leaderboard.append(dataset_id)  # official, so it exists: no leaderboard yet
            return None

    fan = dict(max_workers=settings.max_workers, errors="warn", progress=progress)
    boards, failures = fan_out(fetch_board, ids, desc="leaderboards", **fan)
    boards = {d: board for d, board in boards.items() if board is not None}
    saved = sorted(boards)
    _, fine_tune_failures = fan_out(lambda d: fetch_leaderboard(recorder, d, False, True), saved,
                                    desc="leaderboards + fine-tunes", **fan)
    # The dataset cards and eval.yaml files that give item counts (benchmark_sizes, rank_intervals offline).
    cards, card_failures = fan_out(lambda d: fetch_card_sizes(recorder, d, True), saved, desc="dataset cards", **fan)
    model_ids = sorted({r["model_id"] for d in saved for r in boards[d][0]})
    model_failures: dict = {**{f"leaderboard with fine-tunes of {k}": v for k, v in fine_tune_failures.items()},
                            **{f"dataset card of {k}": v for k, v in card_failures.items()}}
    counts = {
        "benchmarks": len(saved),
        "leaderboard_entries": sum(len(boards[d][0]) for d in saved),
        "models": len(model_ids),
        "benchmarks_with_card_item_counts": sum(1 for d in saved if cards.get(d, ([], ""))[0]),
    }
    if models:
        evals, failed_evals = fan_out(
            lambda m: fetch_eval_results(recorder, m, True), model_ids, desc="eval results", **fan
        )
        infos, failed_infos = fan_out(
            lambda m: fetch_model_info(recorder, m, True), model_ids, desc="model info", **fan
        )
        model_failures.update({f"eval results of {k}": v for k, v in failed_evals.items()})
        model_failures.update({f"model info of {k}": v for k, v in failed_infos.items()})
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
            model_failures["aggregate"] = one_line(exc)
    manifest = {
        "format_version": SNAPSHOT_FORMAT_VERSION,
        "name": dest.name,
        "taken_at": taken_at,
        "endpoint": settings.endpoint,
        "authenticated": client.authenticated,
        "lbtools_version": __version__,
        "huggingface_hub_version": huggingface_hub.__version__,
        "benchmarks": saved,
        "without_leaderboard": sorted(without_leaderboard),
        "failures": dict(sorted(failures.items())),
        "other_failures": dict(sorted(model_failures.items())),
        "aggregate": aggregate_info,
        "counts": counts,
        "provenance": provenance
        or f"Recorded with `lbtools snapshot save` from {settings.endpoint} at {taken_at}: raw API responses, "
        "one file per call, replayed by lbtools' loaders through the same parsing code as live answers.",
        HASHES: recorded_hashes(tmp),  # every recorded file, checked when a load reads it
    }
    write_manifest(tmp, manifest)
    write_tables(tmp)  # tables/*.parquet: the loaders' frames, for DuckDB, polars or Spark (their sha256 added)
    write_gitattributes(tmp)
    try:
        os.rename(tmp, dest)
    except OSError:
        if os.path.lexists(dest):  # another save made it meanwhile (the check at the start was before ours)
            raise FileExistsError(f"{dest} already exists; choose a new folder (a snapshot is never overwritten)") \
                from None
        raise
    if failures or model_failures:
        warn(
            f"lbtools: snapshot {dest.name} saved without "
            + " and ".join(part for part in (
                f"{len(failures)} of {len(ids)} benchmarks" if failures else "",
                f"{len(model_failures)} other {'item' if len(model_failures) == 1 else 'items'}" if model_failures
                else "") if part)
            + " that failed; its manifest lists each with the reason",
            PartialLoadWarning,
            stacklevel=4,
        )
    return dest


# -- tidy tables in a snapshot -----------------------------------------------------------------------------------


def write_tables(snapshot) -> list[Path]:
    """Write the snapshot's tidy Parquet tables into ``<snapshot>/tables/`` and return their paths.

    ``leaderboards.parquet`` holds :func:`lbtools.load_leaderboards`' frame (every recorded benchmark, default view),
    ``eval_results.parquet`` :func:`lbtools.load_eval_results`' and ``models.parquet``
    :func:`lbtools.load_model_info`' for every model on those leaderboards, each with the loaders' documented
    columns and dtypes, rows sorted as the loaders sort them. Items the snapshot did not record (models without
    metadata) are left out of the table, not an error; a snapshot saved with ``--no-models`` gets only
    ``leaderboards.parquet``. Plain Parquet: any Parquet
    reader (pyarrow, DuckDB, polars, Spark) reads them without lbtools. When the manifest records the files' sha256,
    the tables' are recorded there too (replacing the previous tables'), so :func:`verify_snapshot` checks them.
    """
    root = Path(snapshot)
    counts = read_manifest(root).get("counts") or {}
    folder = root / TABLES_DIR
    folder.mkdir(exist_ok=True)
    with config.restored(), warnings.catch_warnings():
        config.configure(source="snapshot", snapshot=root)
        # what the snapshot lacks (failed or unrecorded items) is already in its manifest
        warnings.simplefilter("ignore")
        boards = load_leaderboards(progress=False)
        model_ids = sorted(boards["model_id"].dropna().unique().tolist())
        # a save with --no-models recorded neither: no table rather than an empty one
        evals = load_eval_results(model_ids, progress=False) if "models_with_eval_results" in counts else None
        models = load_model_info(model_ids, progress=False) if "models_with_metadata" in counts else None
    written = []
    for name, frame in (("leaderboards.parquet", boards), ("eval_results.parquet", evals),
                        ("models.parquet", models)):
        if frame is None:
            continue
        frame = frame.reset_index(drop=True)
        frame.attrs = {}  # the snapshot's manifest says where and when; no run-dependent metadata in the file
        target = folder / name
        frame.to_parquet(target, index=False)
        written.append(target)
    manifest = read_manifest(root)
    if manifest.get(HASHES) is not None:
        hashes = {k: v for k, v in manifest[HASHES].items() if not k.startswith(f"{TABLES_DIR}/")}
        hashes.update(file_hashes(root, pattern=f"{TABLES_DIR}/*.parquet"))
        manifest[HASHES] = dict(sorted(hashes.items()))
        write_manifest(root, manifest)
    return written


def write_gitattributes(root) -> None:
    """A ``.gitattributes`` in the snapshot folder that keeps git from converting its files' line endings (Git for
    Windows' ``core.autocrlf``), which would change their sha256: a snapshot committed to a repository verifies in
    every clone."""
    (Path(root) / ".gitattributes").write_text(
        "# lbtools snapshot: every file is checked byte for byte against the sha256 in manifest.json\n* -text\n",
        encoding="utf-8")


def write_manifest(root, manifest: dict) -> None:
    """``root/manifest.json``, written whole (a temporary file renamed over it)."""
    with written_whole(Path(root) / MANIFEST) as tmp:
        Path(tmp).write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def write_csv(df, path) -> None:
    """Write ``df`` as a CSV that reads back row for row and is safe to open in a spreadsheet.

    Every text cell that holds a line break (even a lone ``\\r``) is quoted, so ``pandas.read_csv`` reads the same
    rows back. A text cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return (a model id or note
    written as ``=HYPERLINK(...)``) gets a leading ``'``, as OWASP recommends against formula injection, so a
    spreadsheet shows it as text instead of running it; numbers (in number columns, or text that is just a number
    such as ``-5``) are written unchanged. Parquet exports need none of this and are written unaltered.

    Parameters
    ----------
    df : pandas.DataFrame
    path : str, os.PathLike or a text buffer
        Where to write (UTF-8, no index column).
    """
    import pandas as pd

    if not isinstance(df, pd.DataFrame):
        raise TypeError(f"df must be a pandas DataFrame; got {type(df).__name__}")
    if isinstance(path, bool) or not (isinstance(path, (str, os.PathLike)) or hasattr(path, "write")):
        raise TypeError(f"path must be a file path (str or os.PathLike) or a text buffer; got {type(path).__name__}")
    safe = df.copy()
    for column in safe.columns:
        series = safe[column]
        if pd.api.types.is_numeric_dtype(series) or pd.api.types.is_bool_dtype(series) \
                or pd.api.types.is_datetime64_any_dtype(series):
            continue
        safe[column] = series.map(_neutralised, na_action="ignore").astype(object)
    safe.columns = [_neutralised(str(c)) for c in safe.columns]
    # "\r\n" line ends: the csv module quotes every field holding either character, so a lone \r can't split a row.
    if hasattr(path, "write"):
        safe.to_csv(path, index=False, lineterminator="\r\n")
        return
    with written_whole(path) as tmp:
        safe.to_csv(tmp, index=False, lineterminator="\r\n", encoding="utf-8")


@contextmanager
def written_whole(path):
    """A path to write ``path``'s new content to.

    For a regular file (or a new one): a temporary file beside it, renamed over it only when the block ends normally
    and removed otherwise (an error, Ctrl-C), so an interrupted export never leaves a half-written file. A symlink is
    written through: the file it points to is replaced, the link stays. A named pipe or a character device
    (``/dev/stdout``) is written directly, never replaced by a file; anything else (a folder, a socket, a block
    device) is refused with an OSError.
    """
    import stat

    path = Path(path)
    target = Path(os.path.realpath(path)) if path.is_symlink() else path
    try:
        st = os.stat(target)
    except FileNotFoundError:
        st = None
    if st is not None and (stat.S_ISFIFO(st.st_mode) or stat.S_ISCHR(st.st_mode)):
        yield target  # a pipe or a device: written as it is, nothing to rename over it
        return
    if st is not None and not stat.S_ISREG(st.st_mode):
        kind = "a folder" if stat.S_ISDIR(st.st_mode) else "a block device" if stat.S_ISBLK(st.st_mode) else \
            "a socket" if stat.S_ISSOCK(st.st_mode) else "not a regular file"
        raise OSError(f"{path} is {kind}; refusing to write a table there: name a file")
    tmp = target.with_name(f".{target.name}.partial-{uuid.uuid4().hex[:8]}")
    try:
        yield tmp
        if st is not None:
            try:
                os.chmod(tmp, stat.S_IMODE(st.st_mode))  # the file keeps its permissions
            except OSError:
                pass
        os.replace(tmp, target)
    except BaseException:
        try:
            tmp.unlink()
        except OSError:
            pass
        raise


def _neutralised(value):
    text = value if isinstance(value, str) else str(value) if isinstance(value, (list, tuple, dict)) else value
    if isinstance(text, str) and text.startswith(_FORMULA_START) and not _NUMBER.fullmatch(text):
        return "'" + text
    return text


def snapshot_info(path) -> dict:
    """The manifest of the snapshot at ``path`` (checked: raises SnapshotError saying what is wrong)."""
    return read_manifest(Path(path))


def verify_snapshot(path) -> list[str]:
    """Check every recorded file of the snapshot at ``path`` against the sha256 its manifest records.

    Returns one line per difference (``missing: …``, ``changed: …``, ``added: …``), empty when the snapshot is as it
    was saved. Loads check each file they read in the same way; this checks them all at once, before citing one.
    """
    path = Path(path)
    return verify_files(read_manifest(path), path)
