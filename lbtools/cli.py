"""The ``lbtools`` command: save and inspect snapshots, export leaderboards as one table."""

from __future__ import annotations

import argparse
import sys
from contextlib import contextmanager

EXIT_OK, EXIT_ERROR, EXIT_USAGE = 0, 1, 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="lbtools",
        description="The Hugging Face Hub's benchmark leaderboard data: snapshots for offline, reproducible work, "
        "and exports. Authenticate for gated benchmarks with `hf auth login` or HF_TOKEN.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="{snapshot,export,report}")

    snapshot = commands.add_parser("snapshot", help="save, describe or verify a snapshot", description="Save, "
                                   "describe or verify a snapshot (a recorded Hub that the loaders replay offline).")
    actions = snapshot.add_subparsers(dest="action", required=True, metavar="{save,info,verify}")
    save = actions.add_parser(
        "save",
        help="record the Hub's leaderboard data into a new folder",
        description="Record the official benchmark list, leaderboards, the eval results and metadata of every model "
        "on them, and the aggregate Parquet into DIR (written to a temporary folder, renamed when complete). "
        "Use it with LBTOOLS_SNAPSHOT=DIR or lbtools.configure(snapshot=DIR).",
    )
    save.add_argument("dir", metavar="DIR", help="folder to create (must not exist)")
    save.add_argument("--benchmarks", nargs="+", metavar="ID", help="benchmark dataset ids (default: all official)")
    save.add_argument("--no-models", action="store_true", help="skip models' eval results and metadata")
    save.add_argument("--no-aggregate", action="store_true", help="skip the aggregate Parquet")
    save.add_argument("--max-workers", type=_max_workers, default=None, metavar="N",
                      help="requests in flight at most, 1 to 64 (default 8)")
    save.add_argument("--no-progress", action="store_true", help="no progress bars")

    info = actions.add_parser("info", help="describe a snapshot", description="Print a snapshot's manifest summary.")
    info.add_argument("dir", metavar="DIR")
    info.add_argument("--json", action="store_true", help="print the whole manifest as JSON")

    verify = actions.add_parser(
        "verify", help="check a snapshot's files against its manifest",
        description="Check every recorded file against the sha256 the manifest records: exit 0 when the snapshot is "
        "as it was saved, 1 with each missing, changed or added file listed.")
    verify.add_argument("dir", metavar="DIR")

    export = commands.add_parser(
        "export",
        help="write all leaderboards as one long table",
        description="Write the leaderboards (all official benchmarks by default) as one long table, one row per "
        "entry, with the documented columns. The source follows LBTOOLS_SOURCE / LBTOOLS_SNAPSHOT.",
    )
    export.add_argument("file", metavar="FILE")
    export.add_argument("--format", choices=("csv", "parquet"), default=None,
                        help="default: from FILE's extension (.csv or .parquet)")
    export.add_argument("--benchmarks", nargs="+", metavar="ID", help="benchmark dataset ids (default: all)")
    export.add_argument("--with-fine-tunes", action="store_true", help="include models that declare a base model")
    _report_parser(commands)
    return parser


def main(argv=None) -> int:
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse exits 2 on usage errors and 0 for --help
        return int(exc.code or 0)
    from .errors import LbtoolsError

    from .errors import mask_secrets

    try:
        with _plain_warnings():
            if args.command == "snapshot" and args.action == "save":
                return _save(args)
            if args.command == "snapshot" and args.action == "info":
                return _info(args)
            if args.command == "snapshot" and args.action == "verify":
                return _verify(args)
            if args.command == "report":
                return _report(args)
            return _export(args)
    except _UsageError as exc:
        print(f"lbtools: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except (LbtoolsError, FileExistsError, ValueError, TypeError, OSError) as exc:
        print(f"lbtools: error: {_printable(mask_secrets(exc))}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("lbtools: interrupted; nothing was left half-written", file=sys.stderr)
        return 130


def _max_workers(text: str) -> int:
    """``--max-workers`` checked where the command line is read, so a bad value is a usage error (exit 2)."""
    from .config import _workers

    try:
        n = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a whole number; got {text!r}") from None
    try:
        return _workers(n, "--max-workers")
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


@contextmanager
def _plain_warnings():
    """lbtools' warnings as one "lbtools: warning: …" line each on stderr, not as Python's "file:line: Category"
    with a line of lbtools' source under it: a command's user never sees the code."""
    import warnings

    from .errors import LbtoolsWarning

    python_format = warnings.formatwarning

    def plain(message, category, filename, lineno, line=None):
        if issubclass(category, LbtoolsWarning):
            text = str(message).removeprefix("lbtools: ")
            return f"lbtools: warning: {_printable(text)}\n"
        return python_format(message, category, filename, lineno, line)

    warnings.formatwarning = plain
    try:
        yield
    finally:
        warnings.formatwarning = python_format


class _UsageError(Exception):
    """A command line that can't be run as given."""


def _printable(value) -> str:
    """``value`` as text with control characters (from a manifest, an error) shown escaped, never sent raw to the
    terminal."""
    text = str(value)
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in text)


def _save(args) -> int:
    from .snapshot import save_snapshot

    path = save_snapshot(
        args.dir,
        benchmarks=args.benchmarks,
        models=not args.no_models,
        aggregate=not args.no_aggregate,
        max_workers=args.max_workers,
        progress=False if args.no_progress else None,
    )
    from .snapshot import snapshot_info

    manifest = snapshot_info(path)
    print(_summary(path, manifest))
    return EXIT_OK


def _info(args) -> int:
    import json

    from .snapshot import snapshot_info

    manifest = snapshot_info(args.dir)
    print(json.dumps(manifest, indent=2) if args.json else _summary(args.dir, manifest))
    return EXIT_OK


def _verify(args) -> int:
    from .snapshot import snapshot_info, verify_snapshot

    problems = verify_snapshot(args.dir)
    n = len(snapshot_info(args.dir)["sha256"])
    if problems:
        print(f"snapshot at {_printable(args.dir)} is not as it was saved:", file=sys.stderr)
        for line in problems:
            print(f"  {_printable(line)}", file=sys.stderr)
        return EXIT_ERROR
    print(f"snapshot at {_printable(args.dir)}: all {n} recorded files as saved (sha256)")
    return EXIT_OK


def _summary(path, manifest: dict) -> str:
    counts = manifest.get("counts") or {}
    p = _printable
    lines = [
        f"snapshot {p(manifest.get('name'))} at {p(path)}",
        f"  taken at      {p(manifest.get('taken_at'))} from {p(manifest.get('endpoint'))}",
        f"  format        {p(manifest.get('format_version'))} (lbtools {p(manifest.get('lbtools_version'))}, "
        f"huggingface_hub {p(manifest.get('huggingface_hub_version'))})",
        f"  benchmarks    {len(manifest.get('benchmarks') or [])}"
        + (f" ({len(manifest['failures'])} failed)" if manifest.get("failures") else ""),
    ]
    for key, value in counts.items():
        if key != "benchmarks":  # on its own line above, with the failures
            lines.append(f"  {p(key):<13} {p(value)}")
    aggregate = manifest.get("aggregate") or {}
    if aggregate:
        lines.append(f"  aggregate     {p(aggregate.get('repo'))} @ {p(aggregate.get('revision'))}")
    hashes = manifest.get("sha256")
    lines.append(f"  files         {len(hashes)} recorded, each with its sha256 (check: lbtools snapshot verify)"
                 if hashes is not None else "  files         no sha256 recorded (saved before snapshots had them)")
    if hashes is not None:  # names the whole content: cite it with the snapshot
        from pathlib import Path

        from ._snapshot_format import MANIFEST, sha256_file

        lines.append(f"  sha256        {sha256_file(Path(path) / MANIFEST)} (of manifest.json, which lists every "
                     "file's)")
    lines.append(f"  provenance    {p(manifest.get('provenance'))}")
    return "\n".join(lines)


def _export(args) -> int:
    from pathlib import Path

    from .loaders import load_leaderboards

    suffix = Path(args.file).suffix.lower()
    fmt = args.format or {".csv": "csv", ".parquet": "parquet", ".pq": "parquet"}.get(suffix)
    if fmt is None:
        raise _UsageError(
            f"can't tell the format of {args.file!r} from its extension {suffix or '(none)'}: name it .csv or "
            ".parquet, or pass --format csv|parquet"
        )
    df = load_leaderboards(args.benchmarks, base_model_only=False if args.with_fine_tunes else None)
    failed = df.attrs.get("failures") or {}
    if len(df) == 0:  # nothing to export: say why, exit 1, and leave FILE as it was
        reason = (f"every benchmark failed ({len(failed)}): "
                  + "; ".join(f"{k}: {v}" for k, v in sorted(failed.items())) if failed
                  else "the leaderboards asked for have no entries")
        print(f"lbtools: error: nothing written to {_printable(args.file)}: {_printable(reason)}", file=sys.stderr)
        return EXIT_ERROR
    if fmt == "csv":
        from .snapshot import write_csv

        write_csv(df, args.file)  # rows round-trip, formula-like text neutralised
    else:
        from .snapshot import written_whole

        with written_whole(args.file) as tmp:
            df.to_parquet(tmp, index=False)  # values exactly as loaded
    from ._format import count, verb

    print(
        f"wrote {count(len(df), 'row')} from {count(df['dataset_id'].nunique(), 'benchmark')} to {args.file} "
        f"(source {df.attrs.get('source')}, as of {df.attrs.get('fetched_at')})"
        + (f"; {count(len(failed), 'benchmark')} {verb(len(failed), 'has', 'have')} failed: "
           f"{', '.join(sorted(failed))}" if failed else "")
    )
    return EXIT_OK


def _report_parser(commands) -> None:
    report = commands.add_parser(
        "report",
        help="run the curated notebooks on one snapshot and write a citable static site",
        description="Execute the curated notebooks (notebooks/0*.ipynb) offline against one pinned snapshot and "
        "write OUT/index.html, a page per notebook with its figures, the CSV tables and figures they export, "
        "CITATION.cff and manifest.json (sha256 of the snapshot's files, the lock and every table). Two runs on "
        "one snapshot write the same tables and manifest, byte for byte.",
    )
    report.add_argument("out", metavar="OUT", help="folder to write (created; must be empty or absent)")
    report.add_argument("--snapshot", metavar="DIR", default=None, help="snapshot folder (default: the bundled one)")
    report.add_argument("--notebooks", nargs="+", metavar="PATH", default=None,
                        help="notebooks to run (default: notebooks/0*.ipynb of this checkout)")


def _report(args) -> int:
    from .report import main_report

    out = main_report(args.out, snapshot=args.snapshot, notebooks=args.notebooks)
    print(f"wrote the report to {out}/index.html")
    return EXIT_OK
