"""A citable, re-executable report of one pinned snapshot.

``lbtools report OUT --snapshot DIR`` executes the curated notebooks (papermill) against one snapshot, offline, and
writes a static site to ``OUT``: ``index.html``, one HTML page per notebook with its figures and tables, the CSV
tables and PNG/SVG figures the notebooks exported, a ``CITATION.cff`` and a ``manifest.json`` (sha256 of the
snapshot's files, of the lock file and of every table written; lbtools' version and git commit). The manifest and the
tables are byte-identical from one run to the next on the same snapshot: the time of the run is on the index page
only. The snapshot's own tidy Parquet tables are written by :func:`lbtools.snapshot.write_tables`.
"""

from __future__ import annotations

import html
import json
import os
import re
import subprocess
import sys
import tempfile
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path

from ._snapshot_format import MANIFEST, file_hashes, sha256_file

__all__ = ["run_report", "report_manifest", "citation_cff"]

REPORT_MANIFEST = "manifest.json"
REPORT_FORMAT = 1
_REPO = Path(__file__).resolve().parents[1]
# What makes matplotlib's files the same bytes on every run: a fixed SVG id salt (read from this rc file by the
# kernel) and a fixed date for the formats that write one.
_MATPLOTLIBRC = "svg.hashsalt : lbtools-report\n"


_SNAPSHOT_ID_TEXT = ("sha256 of the snapshot's manifest.json, which records the sha256 of every file of the snapshot "
                     "(check a copy with: lbtools snapshot verify DIR)")


# -- hashes, the manifest, the citation --------------------------------------------------------------------------


def git_commit(repo: Path = _REPO) -> dict | None:
    """``{"commit": sha, "dirty": bool}`` of the git checkout lbtools runs from, or None (an installed package)."""
    if not (repo / ".git").exists():
        return None
    try:
        commit = subprocess.run(["git", "-C", str(repo), "rev-parse", "HEAD"], capture_output=True, text=True,
                                check=True, timeout=10).stdout.strip()
        status = subprocess.run(["git", "-C", str(repo), "status", "--porcelain", "--untracked-files=no"],
                                capture_output=True, text=True, check=True, timeout=10).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    return {"commit": commit, "dirty": bool(status.strip())}


def lock_file(repo: Path = _REPO) -> Path | None:
    path = repo / "requirements" / "lock.txt"
    return path if path.is_file() else None


def report_manifest(snapshot, tables: dict[str, str], *, notebooks: dict[str, dict] | None = None,
                    figures: dict[str, str] | None = None, commit: dict | None = None,
                    lock: Path | None = None) -> dict:
    """What a report was made from and what it wrote, with no time of the run in it (so two runs on one snapshot
    give the same bytes): the snapshot's name, date, every file's sha256 and whether they match the sha256 its own
    manifest records (None when it records none); lbtools' version and git commit; the lock file's sha256; each
    notebook's sha256 and parameters; the sha256 of every table (and figure) written."""
    from . import __version__
    from .snapshot import snapshot_info, verify_snapshot

    snapshot = Path(snapshot)
    info = snapshot_info(snapshot)
    snapshot_files = file_hashes(snapshot)
    # true: every file as the snapshot's own manifest records it; null: that manifest records no hashes to check
    matches = verify_snapshot(snapshot) == [] if info.get("sha256") is not None else None
    return {
        "format_version": REPORT_FORMAT,
        "lbtools": {"version": __version__, "git_commit": (commit or {}).get("commit"),
                    "git_dirty": (commit or {}).get("dirty")},
        "lock": ({"file": "requirements/lock.txt", "sha256": sha256_file(lock)} if lock else None),
        "snapshot": {
            "name": info.get("name"),
            "taken_at": info.get("taken_at"),
            "endpoint": info.get("endpoint"),
            "files_match_its_manifest": matches,
            "files": dict(sorted(snapshot_files.items())),
        },
        "notebooks": dict(sorted((notebooks or {}).items())),
        "tables": dict(sorted(tables.items())),
        "figures": dict(sorted((figures or {}).items())),
    }


def write_json(path, data) -> None:
    Path(path).write_text(json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8")


def _q(value) -> str:
    """A YAML double-quoted scalar (JSON's string syntax is a subset of YAML's)."""
    return json.dumps(str(value), ensure_ascii=False)


def citation_cff(*, snapshot_name: str, snapshot_date: str, lbtools_version: str, commit: str | None = None,
                 endpoint: str | None = None, provenance: str | None = None,
                 snapshot_sha256: str | None = None) -> str:
    """The text of a ``CITATION.cff`` (Citation File Format 1.2.0) for a report of one snapshot.

    The report is the work cited (type ``dataset``, released on the snapshot's date); its references are lbtools
    (``software``, with its version and commit) and the snapshot of the Hub's leaderboard data it analysed, identified
    by ``snapshot_sha256``: the sha256 of its ``manifest.json``, which records every file's, so it names the snapshot's
    whole content (an identifier of type ``other``).
    """
    date = str(snapshot_date)[:10]
    message = (f"If you use figures or tables of this report, please cite it as below: the data are the snapshot "
               f"{snapshot_name} of the Hugging Face Hub's leaderboard data (taken {date}), analysed with lbtools "
               f"{lbtools_version}. Check a table against manifest.json (sha256).")
    lines = [
        "cff-version: 1.2.0",
        f"message: {_q(message)}",
        f"title: {_q(f'Leaderboard report of snapshot {snapshot_name}')}",
        "type: dataset",
        "authors:",
        f"  - name: {_q('lbtools contributors')}",
        f"version: {_q(f'{snapshot_name}+lbtools-{lbtools_version}')}",
        f"date-released: {_q(date)}",
        "keywords:",
        f"  - {_q('benchmarks')}",
        f"  - {_q('leaderboards')}",
        f"  - {_q('Hugging Face Hub')}",
        "references:",
        "  - type: software",
        f"    title: {_q('lbtools')}",
        f"    version: {_q(lbtools_version)}",
        "    authors:",
        f"      - name: {_q('lbtools contributors')}",
    ]
    if commit:
        lines.append(f"    commit: {_q(commit)}")
    lines += [
        "  - type: data",  # a reference's type: CFF 1.2.0 has "data" there ("dataset" is a top-level type only)
        f"    title: {_q(f'Snapshot {snapshot_name} of the Hugging Face Hub leaderboard data')}",
        "    authors:",
        f"      - name: {_q('Hugging Face Hub users and benchmark maintainers')}",
        f"    date-released: {_q(date)}",
    ]
    if endpoint and str(endpoint).startswith(("http://", "https://")):
        lines.append(f"    url: {_q(endpoint)}")
    if snapshot_sha256:
        lines += [
            "    identifiers:",
            "      - type: other",
            f"        value: {_q(f'sha256:{snapshot_sha256}')}",
            f"        description: {_q(_SNAPSHOT_ID_TEXT)}",
        ]
    if provenance:
        lines.append(f"    notes: {_q(provenance)}")
    return "\n".join(lines) + "\n"


# -- the report --------------------------------------------------------------------------------------------------


def default_notebooks() -> list[Path]:
    """The curated notebooks of the checkout lbtools runs from: ``notebooks/0*.ipynb``, sorted."""
    return sorted((_REPO / "notebooks").glob("0*.ipynb"))


def _set_environment(values: dict) -> None:
    for key, value in values.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


@contextmanager
def _environment(**values):
    """Set (or, for None, unset) environment variables within the block; the kernels papermill starts inherit them."""
    before = {k: os.environ.get(k) for k in values}
    try:
        _set_environment(values)
        yield
    finally:
        _set_environment(before)


def _epoch(taken_at: str | None) -> str:
    try:
        moment = datetime.strptime(str(taken_at)[:19], "%Y-%m-%dT%H:%M:%S").replace(tzinfo=timezone.utc)
    except ValueError:
        return "0"
    return str(int(moment.timestamp()))


class NotebookFailed(ValueError):
    """A notebook of the report raised: which one, at which cell, and the error, in one line."""


def _execute(notebook: Path, executed: Path, parameters: dict, kernel_name: str | None, cwd: Path) -> None:
    import nbformat
    import papermill
    from papermill.exceptions import PapermillExecutionError
    from traitlets.config import Config

    nb = nbformat.read(notebook, as_version=4)
    if "kernelspec" not in nb.metadata:  # written by nbformat or jupytext: papermill can't tell which kernel
        nb.metadata["kernelspec"] = {"name": kernel_name or "python3", "language": "python",
                                     "display_name": "Python 3"}
        with tempfile.TemporaryDirectory(prefix="lbtools-report-") as scratch:
            copy = Path(scratch) / notebook.name
            nbformat.write(nb, copy)
            return _execute(copy, executed, parameters, kernel_name, cwd)
    declared = papermill.inspect_notebook(str(notebook))
    given = {k: v for k, v in parameters.items() if k in declared}
    # The kernel talks to papermill over local sockets rather than TCP where the system has them: nothing listens on
    # a port, and the kernel has no "running over TCP without encryption" warning to print into the report's log.
    transport = {"KernelManager": {"transport": "ipc"}} if os.name == "posix" else {}
    try:
        papermill.execute_notebook(
            str(notebook), str(executed), parameters=given, kernel_name=kernel_name or "python3",
            cwd=str(cwd), progress_bar=False, log_output=False, report_mode=False, config=Config(transport),
        )
    except PapermillExecutionError as exc:
        raise NotebookFailed(f"notebook {notebook.name} failed at cell [{exc.exec_count}]: {exc.ename}: "
                             f"{exc.evalue}") from None
    # what papermill records of this run (each cell's start and end, the injected cell's random id) differs from
    # run to run and says nothing about the analysis: the published notebook carries none of it
    nb = nbformat.read(executed, as_version=4)
    nb.nbformat_minor = max(nb.nbformat_minor, 5)  # 4.5 keeps cell ids; before it a reader draws them at random
    nb.metadata.pop("papermill", None)
    own_ids = iter(json.loads(notebook.read_text(encoding="utf-8")).get("cells", []))
    for k, cell in enumerate(nb.cells):
        cell.metadata.pop("papermill", None)
        cell.metadata.pop("execution", None)
        if "injected-parameters" in cell.metadata.get("tags", []):
            cell["id"] = "injected-parameters"
        else:  # the notebook's own id, or its position where it has none (nbformat would draw one at random)
            cell["id"] = next(own_ids, {}).get("id") or f"cell-{k}"
    nbformat.write(nb, executed)


def _widget_outputs(model_id: str, state: dict, seen: set) -> tuple[list, list]:
    """The outputs held by the Output widgets under a widget view (in order), and its controls' "label: value"."""
    if model_id in seen or model_id not in state:
        return [], []
    seen.add(model_id)
    model = state[model_id]
    values = model.get("state") or {}
    if model.get("model_name") == "OutputModel":
        return list(values.get("outputs") or []), []
    outputs, controls = [], []
    description = values.get("description")
    if description:
        labels = values.get("_options_labels")
        index = values.get("index")
        value = values.get("value")
        if labels is not None and isinstance(index, int) and 0 <= index < len(labels):
            controls.append(f"{description.rstrip(': ')}: {labels[index]}")
        elif isinstance(value, bool):
            controls.append(f"{description.rstrip(': ')}: {'on' if value else 'off'}")
        elif value not in (None, "") and not isinstance(value, (dict, list)):
            controls.append(f"{description.rstrip(': ')}: {value}")
    for child in values.get("children") or []:
        if isinstance(child, str) and child.startswith("IPY_MODEL_"):
            out, ctl = _widget_outputs(child[len("IPY_MODEL_"):], state, seen)
            outputs += out
            controls += ctl
    return outputs, controls


_RELATIVE_LINK = re.compile(r"(?<!!)\[([^\]]+)\]\((?!https?://|mailto:|#)[^)]*\)")


def static_notebook(nb):
    """``nb`` with every widget view replaced by what its Output widgets showed (figures, tables, notes) and a
    line naming the pickers' values, and without widget state: a page that needs no JavaScript."""
    import nbformat

    state = ((nb.metadata.get("widgets") or {}).get("application/vnd.jupyter.widget-state+json") or {}).get(
        "state") or {}
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            # links to files beside the notebook (README.md) lead nowhere in the report: keep their text only
            cell.source = _RELATIVE_LINK.sub(r"\1", cell.source)
        if cell.cell_type != "code":
            continue
        outputs = []
        for output in cell.get("outputs", []):
            view = (output.get("data") or {}).get("application/vnd.jupyter.widget-view+json")
            if view is None:
                if output.get("output_type") != "stream" or output.get("name") != "stderr":
                    outputs.append(output)
                continue
            shown, controls = _widget_outputs(view.get("model_id", ""), state, set())
            if controls:
                outputs.append(nbformat.v4.new_output(
                    "display_data", data={"text/html": '<p class="lb-shown-for"><em>Shown for: '
                                          + html.escape("; ".join(controls)) + "</em></p>",
                                          "text/plain": "Shown for: " + "; ".join(controls)}))
            for item in shown:
                if item.get("output_type") in ("display_data", "execute_result"):
                    outputs.append(nbformat.v4.new_output("display_data", data=item.get("data") or {}))
                elif item.get("output_type") == "stream" and item.get("name") == "stdout":
                    outputs.append(nbformat.v4.new_output("stream", name="stdout", text=item.get("text", "")))
        cell["outputs"] = outputs
    nb.metadata.pop("widgets", None)
    return nb


def _html_page(nb, header_md: str) -> str:
    import nbformat
    from nbconvert import HTMLExporter

    header = nbformat.v4.new_markdown_cell(header_md)
    header["id"] = "lbtools-report-header"  # not a random one: the same page twice is the same bytes
    nb.cells.insert(0, header)
    exporter = HTMLExporter(template_name="lab")
    exporter.exclude_input = True
    exporter.exclude_input_prompt = True
    exporter.exclude_output_prompt = True
    exporter.embed_images = True
    body, _ = exporter.from_notebook_node(nb)
    return _without_remote_assets(body)


def _without_remote_assets(page: str) -> str:
    """Drop the scripts nbconvert adds that load code from a CDN (MathJax, require.js, mermaid): the pages are
    static and work offline."""
    def keep(match):
        return "" if re.search(r"https?://", match.group(0)) else match.group(0)

    return re.sub(r"<script\b[^>]*>.*?</script>", keep, page, flags=re.S)


_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+!|~<>-])")


def _markdown_text(value) -> str:
    """``value`` (a snapshot's name or time, from a folder someone else may have written) as literal Markdown text:
    HTML escaped and Markdown's punctuation backslashed, so it can be neither a tag nor a link."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", html.escape(str(value), quote=False))


def _title(notebook: Path) -> str | None:
    """The first Markdown heading of a notebook, as plain text."""
    import nbformat

    for cell in nbformat.read(notebook, as_version=4).cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("#"):
                    return line.lstrip("#").strip().replace("`", "")
    return None


def run_report(out, *, snapshot=None, notebooks=None, kernel_name: str | None = None, log=None) -> Path:
    """Execute ``notebooks`` (default: the curated ``notebooks/0*.ipynb``) against ``snapshot`` (default: the
    bundled one), offline, and write the report site into the folder ``out`` (created; must be empty or absent).

    Returns
    -------
    pathlib.Path
        ``out``, holding ``index.html``, ``pages/<notebook>.html``, ``exports/<notebook>/`` (CSV tables, PNG/SVG
        figures), ``notebooks/<notebook>.ipynb`` (executed), ``CITATION.cff`` and ``manifest.json``.
    """
    from .config import bundled_snapshot
    from .errors import SnapshotError
    from .snapshot import snapshot_info, verify_snapshot

    out = Path(out).resolve()
    if out.exists() and any(out.iterdir()):
        raise FileExistsError(f"{out} is not empty; choose a new folder for the report")
    snapshot = Path(snapshot).resolve() if snapshot is not None else bundled_snapshot()
    info = snapshot_info(snapshot)  # a SnapshotError says what is wrong before anything runs
    if info.get("sha256") is not None:  # a report cites the snapshot as saved, not an edited copy
        problems = verify_snapshot(snapshot)
        if problems:
            raise SnapshotError(f"snapshot {snapshot} is not as it was saved ({'; '.join(problems[:5])}"
                                f"{f' and {len(problems) - 5} more' if len(problems) > 5 else ''}); restore it, or "
                                "save a new snapshot, before citing it")
    paths = [Path(p).resolve() for p in (notebooks or default_notebooks())]
    if not paths:
        raise ValueError("no notebooks to run: pass --notebooks PATH ... (notebooks/0*.ipynb of a checkout)")
    for path in paths:
        if not path.is_file():
            raise FileNotFoundError(f"notebook {path} does not exist")
    names = [p.stem for p in paths]
    if len(set(names)) != len(names):
        raise ValueError(f"two notebooks share a name: {sorted(names)}")
    log = log or (lambda message: None)
    started = datetime.now(timezone.utc)
    existed = out.exists()
    try:
        _write_report(out, snapshot, info, paths, names, kernel_name, log, started)
    except BaseException:  # a failed or interrupted run leaves no half-written report behind (out was empty)
        import shutil

        if existed:
            for child in out.iterdir():
                if child.is_dir():
                    shutil.rmtree(child)
                else:
                    child.unlink()
        else:
            shutil.rmtree(out, ignore_errors=True)
        raise
    return out


def _write_report(out: Path, snapshot: Path, info: dict, paths: list, names: list, kernel_name, log, started) -> None:
    """Everything :func:`run_report` writes into ``out``."""
    import nbformat

    from . import __version__

    out.mkdir(parents=True, exist_ok=True)
    for folder in ("pages", "exports", "notebooks"):
        (out / folder).mkdir(exist_ok=True)

    with tempfile.TemporaryDirectory(prefix="lbtools-report-") as scratch:
        rc = Path(scratch) / "matplotlibrc"
        rc.write_text(_MATPLOTLIBRC, encoding="utf-8")
        env = dict(LBTOOLS_SOURCE="snapshot", LBTOOLS_SNAPSHOT=str(snapshot), HF_HUB_OFFLINE="1",
                   MATPLOTLIBRC=str(rc), SOURCE_DATE_EPOCH=_epoch(info.get("taken_at")), PYTHONHASHSEED="0",
                   MPLBACKEND=None, HF_HUB_DISABLE_PROGRESS_BARS="1", TQDM_DISABLE="1")
        notebook_facts = {}
        with _environment(**env):
            for path in paths:
                stem = path.stem
                # run in the report's folder, so the paths the notebook prints are relative to it: a published
                # page never shows where the report was built
                parameters = {"SOURCE": "snapshot", "SNAPSHOT": str(snapshot), "EXPORT_DIR": f"exports/{stem}"}
                log(f"running {path.name}")
                executed = out / "notebooks" / path.name
                _execute(path, executed, parameters, kernel_name, cwd=out)
                notebook_facts[stem] = {"sha256": sha256_file(path),
                                        "parameters": {k: v for k, v in parameters.items()
                                                       if k not in ("SNAPSHOT", "EXPORT_DIR")}}
                nb = static_notebook(nbformat.read(executed, as_version=4))
                header = (f"[← report index](../index.html) · snapshot **{_markdown_text(info.get('name'))}** "
                          f"(taken {_markdown_text(info.get('taken_at'))}) · lbtools {__version__} · "
                          f"[tables and figures](../index.html#{stem})")
                (out / "pages" / f"{stem}.html").write_text(_html_page(nb, header), encoding="utf-8")

    tables = {k: v for k, v in file_hashes(out, pattern="exports/**/*.csv").items()}
    figures = {k: v for k, v in file_hashes(out, pattern="exports/**/*").items() if not k.endswith(".csv")}
    commit = git_commit()
    manifest = report_manifest(snapshot, tables, notebooks=notebook_facts, figures=figures, commit=commit,
                               lock=lock_file())
    write_json(out / REPORT_MANIFEST, manifest)
    (out / "CITATION.cff").write_text(citation_cff(
        snapshot_name=info.get("name"), snapshot_date=info.get("taken_at") or "", lbtools_version=__version__,
        commit=(commit or {}).get("commit"), endpoint=info.get("endpoint"), provenance=info.get("provenance"),
        snapshot_sha256=manifest["snapshot"]["files"][MANIFEST] if info.get("sha256") is not None else None,
    ), encoding="utf-8")
    titles = {p.stem: _title(p) for p in paths}
    (out / "index.html").write_text(index_page(out, info, names, manifest, started, titles), encoding="utf-8")


def index_page(out: Path, info: dict, names: list[str], manifest: dict, started: datetime,
               titles: dict | None = None) -> str:
    """The report's front page: what it is, when it ran, from which snapshot, links to every page and file."""
    e = html.escape
    titles = titles or {}
    lbtools = manifest["lbtools"]
    commit = lbtools.get("git_commit")
    rows = []
    for name in names:
        files = sorted(p for p in (out / "exports" / name).glob("*") if p.is_file())
        pngs = [p for p in files if p.suffix == ".png"]
        thumb = next((p for p in pngs if p.stem == name), pngs[0] if pngs else None)
        title = titles.get(name) or name
        picture = (f'<a href="pages/{e(name)}.html"><img src="exports/{e(name)}/{e(thumb.name)}" '
                   f'alt="{e(name)}" loading="lazy"></a>' if thumb else "")
        links = " ".join(f'<a href="exports/{e(name)}/{e(p.name)}">{e(p.name)}</a>' for p in files)
        rows.append(f'<tr id="{e(name)}"><td><a href="pages/{e(name)}.html">{e(title)}</a><br>'
                    f'<a href="notebooks/{e(name)}.ipynb">executed notebook</a></td><td>{picture}</td>'
                    f'<td class="files">{links}</td></tr>')
    code = f"lbtools {e(lbtools['version'])}" + (f", commit <code>{e(commit[:12])}</code>" if commit else "") + (
        " (with uncommitted changes)" if lbtools.get("git_dirty") else "")
    lock = manifest.get("lock")
    lock_text = f", lock <code>{e(lock['sha256'][:12])}</code>" if lock else ""
    snapshot_id = manifest["snapshot"]["files"].get(MANIFEST, "")
    checked = {True: "every file of the snapshot matches the sha256 its manifest recorded when it was saved",
               False: "NOT as saved: some files of the snapshot differ from the sha256 its manifest recorded "
                      "(lbtools snapshot verify lists them)",
               None: "the snapshot's manifest records no sha256 of its files (it was saved before snapshots "
                     "recorded them), so they could not be checked against it",
               }[manifest["snapshot"].get("files_match_its_manifest")]
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>lbtools report: {e(str(info.get('name')))}</title>
<style>
body {{ font-family: system-ui, sans-serif; max-width: 70rem; margin: 2rem auto; padding: 0 1rem; color: #222; }}
table {{ border-collapse: collapse; width: 100%; }}
td, th {{ border-top: 1px solid #ddd; padding: .5rem; vertical-align: top; text-align: left; }}
img {{ max-width: 22rem; max-height: 14rem; }}
td.files a {{ display: inline-block; margin-right: .6rem; font-size: .9rem; }}
dt {{ font-weight: 600; }} dd {{ margin: 0 0 .5rem 0; }}
</style>
</head>
<body>
<h1>Leaderboard report of snapshot {e(str(info.get('name')))}</h1>
<p>The curated lbtools notebooks, executed offline against one pinned snapshot of the Hugging Face Hub's
leaderboard data. Each page shows what its notebook shows by default; the tables and figures it exported are
beside it. <code>manifest.json</code> lists the sha256 of the snapshot's files and of every table, so a reader can
check a figure's data; <code>CITATION.cff</code> says how to cite it.</p>
<dl>
<dt>Snapshot</dt><dd>{e(str(info.get('name')))}, taken {e(str(info.get('taken_at')))} from
{e(str(info.get('endpoint')))}; its manifest's sha256 <code>{e(snapshot_id)}</code></dd>
<dt>Provenance</dt><dd>{e(str(info.get('provenance') or ''))}</dd>
<dt>Checked</dt><dd>{checked}</dd>
<dt>Code</dt><dd>{code}{lock_text}</dd>
<dt>Run</dt><dd>{e(started.strftime('%Y-%m-%dT%H:%M:%SZ'))} (UTC)</dd>
<dt>Files</dt><dd><a href="manifest.json">manifest.json</a> · <a href="CITATION.cff">CITATION.cff</a></dd>
</dl>
<h2>Notebooks</h2>
<table>
<thead><tr><th>page</th><th>figure</th><th>tables and figures</th></tr></thead>
<tbody>
{chr(10).join(rows)}
</tbody>
</table>
</body>
</html>
"""


def main_report(out, *, snapshot=None, notebooks=None) -> Path:
    """What ``lbtools report`` runs: :func:`run_report` with progress lines on stderr."""
    from .errors import LbtoolsError

    try:
        import nbconvert  # noqa: F401
        import papermill  # noqa: F401
    except ImportError as exc:
        raise LbtoolsError(f"lbtools report needs papermill and nbconvert ({exc}): pip install 'lbtools[report]', "
                           "or `make setup`, which installs them") from None
    return run_report(out, snapshot=snapshot, notebooks=notebooks,
                      log=lambda message: print(f"lbtools report: {message}", file=sys.stderr, flush=True))
