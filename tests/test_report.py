"""`lbtools report`: the manifest and CITATION.cff writers (fast), the static pages' widget outputs, the command's
errors, and one slow run of the report twice on the bundled snapshot (byte-identical tables and manifest), on a tiny
notebook of tests/fixtures/report/ rather than the curated ones."""

from __future__ import annotations

import hashlib
import json
import os
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml

import lbtools
from lbtools import report
from lbtools.cli import main

REPO = Path(__file__).resolve().parents[1]

# Citation File Format 1.2.0 (https://github.com/citation-file-format/citation-file-format, schema.json): the keys
# a file may hold, those it must hold, and the reference types used here.
CFF_KEYS = {"abstract", "authors", "cff-version", "commit", "contact", "date-released", "doi", "identifiers",
            "keywords", "license", "license-url", "message", "preferred-citation", "references", "repository",
            "repository-artifact", "repository-code", "title", "type", "url", "version"}
CFF_REQUIRED = {"authors", "cff-version", "message", "title"}
REFERENCE_REQUIRED = {"authors", "title", "type"}
# the reference "type" enum of CFF 1.2.0's schema.json (definitions.reference.properties.type), which has "data",
# not "dataset": that one is only a top-level type; GitHub, Zenodo and cffconvert reject a reference typed "dataset"
REFERENCE_TYPES = {"art", "article", "audiovisual", "bill", "blog", "book", "catalogue", "conference-paper",
                   "conference", "data", "database", "dictionary", "edited-work", "encyclopedia", "film-broadcast",
                   "generic", "government-document", "grant", "hearing", "historical-work", "legal-case",
                   "legal-rule", "magazine-article", "manual", "map", "multimedia", "music", "newspaper-article",
                   "pamphlet", "patent", "personal-communication", "proceedings", "report", "serial", "slides",
                   "software-code", "software-container", "software-executable", "software-virtual-machine",
                   "software", "sound-recording", "standard", "statute", "thesis", "unpublished", "video", "website"}
DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")


def check_cff(text: str) -> dict:
    """Parse a CITATION.cff and check it against CFF 1.2.0's structure; returns the parsed mapping."""
    cff = yaml.safe_load(text)
    assert isinstance(cff, dict)
    assert CFF_REQUIRED <= set(cff), CFF_REQUIRED - set(cff)
    assert set(cff) <= CFF_KEYS, set(cff) - CFF_KEYS
    assert cff["cff-version"] == "1.2.0"
    assert isinstance(cff["message"], str) and cff["message"]
    assert isinstance(cff["title"], str) and cff["title"]
    assert cff.get("type", "software") in ("software", "dataset")

    def check_authors(authors):
        assert isinstance(authors, list) and authors
        for author in authors:
            assert isinstance(author, dict) and (author.get("name") or author.get("family-names")), author

    check_authors(cff["authors"])
    if "date-released" in cff:
        assert isinstance(cff["date-released"], str) and DATE.match(cff["date-released"]), cff["date-released"]
    if "version" in cff:
        assert isinstance(cff["version"], (str, int, float))
    for ref in cff.get("references", []):
        assert REFERENCE_REQUIRED <= set(ref), ref
        assert ref["type"] in REFERENCE_TYPES
        check_authors(ref["authors"])
        if "date-released" in ref:
            assert DATE.match(ref["date-released"])
        for identifier in ref.get("identifiers", []):  # schema.json definitions.identifier: doi, url, swh or other
            assert set(identifier) <= {"type", "value", "description"} and identifier["type"] in (
                "doi", "url", "swh", "other"), identifier
            assert isinstance(identifier["value"], str) and identifier["value"]
    return cff


# -- fast: the writers -------------------------------------------------------------------------------------------


def test_citation_cff_is_valid_cff_1_2_and_names_the_snapshot_and_version():
    text = report.citation_cff(snapshot_name="my-snap", snapshot_date="2026-11-26T10:00:00Z", lbtools_version="9.9",
                               commit="a" * 40, endpoint="https://huggingface.co",
                               provenance='Recorded "with quotes", a colon: and a # hash\nand a newline')
    cff = check_cff(text)
    assert cff["date-released"] == "2026-11-26"
    assert "my-snap" in cff["title"] and "my-snap" in cff["message"] and "9.9" in cff["message"]
    software, data = cff["references"]
    assert software == {"type": "software", "title": "lbtools", "version": "9.9",
                        "authors": [{"name": "lbtools contributors"}], "commit": "a" * 40}
    assert data["type"] == "data" and data["date-released"] == "2026-11-26"
    assert data["notes"] == 'Recorded "with quotes", a colon: and a # hash\nand a newline'
    assert "identifiers" not in data  # no manifest hash given: no identifier claimed
    identified = check_cff(report.citation_cff(snapshot_name="s", snapshot_date="2026-01-02", lbtools_version="0.1.0",
                                               snapshot_sha256="f" * 64))
    (identifier,) = identified["references"][1]["identifiers"]
    assert identifier["type"] == "other" and identifier["value"] == "sha256:" + "f" * 64
    assert "manifest.json" in identifier["description"] and "lbtools snapshot verify" in identifier["description"]


def test_citation_cff_without_commit_or_url():
    cff = check_cff(report.citation_cff(snapshot_name="s", snapshot_date="2026-01-02", lbtools_version="0.1.0"))
    assert "commit" not in cff["references"][0] and "url" not in cff["references"][1]


def test_report_manifest_hashes_the_snapshot_and_is_the_same_bytes_twice(tmp_path):
    snapshot = lbtools.bundled_snapshot()
    tables = {"exports/b/t.csv": "2" * 64, "exports/a/t.csv": "1" * 64}
    lock = tmp_path / "lock.txt"
    lock.write_text("pandas==3.1.1\n")
    first, second = tmp_path / "m1.json", tmp_path / "m2.json"
    for path in (first, second):
        report.write_json(path, report.report_manifest(snapshot, tables, commit={"commit": "c" * 40, "dirty": False},
                                                       lock=lock))
    assert first.read_bytes() == second.read_bytes()
    manifest = json.loads(first.read_text())
    assert list(manifest["tables"]) == ["exports/a/t.csv", "exports/b/t.csv"]
    assert manifest["lock"]["sha256"] == hashlib.sha256(b"pandas==3.1.1\n").hexdigest()
    assert manifest["lbtools"] == {"version": lbtools.__version__, "git_commit": "c" * 40, "git_dirty": False}
    files = manifest["snapshot"]["files"]
    assert files["manifest.json"] == hashlib.sha256((snapshot / "manifest.json").read_bytes()).hexdigest()
    assert "tables/leaderboards.parquet" in files and list(files) == sorted(files)
    assert len(files) == sum(1 for p in snapshot.rglob("*") if p.is_file())
    assert manifest["snapshot"]["name"] == "openevals-2026-03-25"
    assert manifest["snapshot"]["files_match_its_manifest"] is True
    text = first.read_text()
    assert str(snapshot) not in text  # no absolute path: the same on any machine
    assert not re.search(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?!Z\")", text.replace("2026-03-25T19:09:12Z", ""))


def test_the_front_page_says_whether_the_snapshots_files_were_checked(tmp_path):
    import shutil
    from datetime import datetime, timezone

    old = Path(shutil.copytree(lbtools.bundled_snapshot(), tmp_path / "old"))
    saved = json.loads((old / "manifest.json").read_text())
    del saved["sha256"]  # as saved before snapshots recorded hashes
    (old / "manifest.json").write_text(json.dumps(saved))
    edited = Path(shutil.copytree(lbtools.bundled_snapshot(), tmp_path / "edited"))
    (edited / "responses/api/datasets/cais/hle/leaderboard.json").write_text("[]")  # e.g. during a report's run
    when = datetime(2026, 12, 7, tzinfo=timezone.utc)
    for snapshot, expected, said in ((lbtools.bundled_snapshot(), True, "every file of the snapshot matches the "
                                      "sha256 its manifest recorded when it was saved"),
                                     (edited, False, "NOT as saved: some files of the snapshot differ"),
                                     (old, None, "records no sha256 of its files (it was saved before snapshots "
                                      "recorded them), so they could not be checked against it")):
        manifest = report.report_manifest(snapshot, {})
        assert manifest["snapshot"]["files_match_its_manifest"] is expected
        page = report.index_page(tmp_path, lbtools.snapshot_info(snapshot), [], manifest, when)
        checked = page.split("<dt>Checked</dt><dd>")[1].split("</dd>")[0]
        assert said in checked
        manifest_sha = hashlib.sha256((snapshot / "manifest.json").read_bytes()).hexdigest()
        assert f"its manifest's sha256 <code>{manifest_sha}</code>" in page


def test_static_notebook_shows_what_the_output_widgets_held():
    """A widget view is replaced by the outputs its Output widget held and a line with the pickers' values; the
    widget state (which would need JavaScript from a CDN) is dropped."""
    import nbformat

    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("widgets.bind(...)")
    cell.outputs = [nbformat.v4.new_output("display_data", data={
        "application/vnd.jupyter.widget-view+json": {"model_id": "box", "version_major": 2, "version_minor": 0},
        "text/plain": "BoundBox(...)"})]
    nb.cells.append(cell)
    state = {
        "box": {"model_name": "VBoxModel", "state": {"children": ["IPY_MODEL_row", "IPY_MODEL_out"]}},
        "row": {"model_name": "HBoxModel", "state": {"children": ["IPY_MODEL_pick", "IPY_MODEL_flag"]}},
        "pick": {"model_name": "DropdownModel", "state": {"description": "Benchmark", "index": 1,
                                                          "_options_labels": ["A", "B <b>"]}},
        "flag": {"model_name": "CheckboxModel", "state": {"description": "Verified only", "value": False}},
        "out": {"model_name": "OutputModel", "state": {"outputs": [
            {"output_type": "display_data", "data": {"image/png": "iVBORw0KGgo=", "text/plain": "<figure>"},
             "metadata": {}},
            {"output_type": "stream", "name": "stdout", "text": "a note\n"}]}},
    }
    nb.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": {"state": state}}
    out = report.static_notebook(nb)
    outputs = out.cells[0].outputs
    assert "widgets" not in out.metadata
    assert outputs[0]["data"]["text/plain"] == "Shown for: Benchmark: B <b>; Verified only: off"
    assert "B &lt;b&gt;" in outputs[0]["data"]["text/html"]
    assert outputs[1]["data"]["image/png"] == "iVBORw0KGgo=" and outputs[2]["text"] == "a note\n"
    assert not any("application/vnd.jupyter.widget-view+json" in (o.get("data") or {}) for o in outputs)


def test_remote_scripts_are_dropped_from_pages():
    page = ('<script src="https://cdn.example/x.js"></script><script type="module">import m from '
            '"https://cdnjs.example/m.mjs";</script><script>var local = 1;</script>')
    assert report._without_remote_assets(page) == "<script>var local = 1;</script>"


def test_default_notebooks_are_found_by_glob():
    found = [p.name for p in report.default_notebooks()]
    assert found == sorted(p.name for p in (REPO / "notebooks").glob("0*.ipynb")) and "01_rankings.ipynb" in found
    assert "dashboard.ipynb" not in found


def test_report_command_refuses_a_non_empty_folder_and_a_bad_snapshot(tmp_path, capsys):
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "keep.txt").write_text("mine")
    assert main(["report", str(tmp_path / "out")]) == 1
    assert "not empty" in capsys.readouterr().err
    assert (tmp_path / "out" / "keep.txt").read_text() == "mine"
    assert main(["report", str(tmp_path / "new"), "--snapshot", str(tmp_path / "nothing")]) == 1
    assert "nothing" in capsys.readouterr().err and not (tmp_path / "new").exists()


def test_report_refuses_an_edited_snapshot_before_running_anything(tmp_path, capsys):
    import shutil

    copy = Path(shutil.copytree(lbtools.bundled_snapshot(), tmp_path / "copy"))
    (copy / "responses/api/datasets/openai/gsm8k/leaderboard.json").write_text("[]")
    assert main(["report", str(tmp_path / "new"), "--snapshot", str(copy)]) == 1
    err = capsys.readouterr().err
    assert ("is not as it was saved (changed: responses/api/datasets/openai/gsm8k/leaderboard.json); restore it, or "
            "save a new snapshot, before citing it") in err
    assert not (tmp_path / "new").exists()


# -- slow: the report itself, twice ------------------------------------------------------------------------------


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links, self.images = [], []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        if tag == "img" and attrs.get("src"):
            self.images.append(attrs["src"])


# A tiny notebook kept under tests/ (a parameters cell, one bound view with a figure and a table, an export cell),
# not the curated ones: the suite executes each curated notebook at most twice (docs/testing.md), in its headless
# facts run and in the dashboard. That `lbtools report` finds the curated notebooks by default is
# test_default_notebooks_are_found_by_glob (fast); that they run top to bottom is tests/test_notebook_facts.py.
REPORT_NOTEBOOK = REPO / "tests" / "fixtures" / "report" / "tiny_report.ipynb"


@pytest.mark.slow
def test_report_twice_on_the_bundled_snapshot_gives_the_same_tables_and_manifest(tmp_path, monkeypatch, capfd):
    monkeypatch.setenv("LBTOOLS_SOURCE", "snapshot")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    notebooks = [str(REPORT_NOTEBOOK)]
    monkeypatch.chdir(tmp_path)  # OUT relative to where the command runs, not to the notebooks' folder
    for out in ("one", "two"):
        assert main(["report", out, "--snapshot", str(lbtools.bundled_snapshot()), "--notebooks", *notebooks]) == 0
    # what the command printed, the kernels' own output included: lbtools' progress lines, no kernel warnings
    printed = capfd.readouterr()
    assert "lbtools report: running tiny_report.ipynb" in printed.out + printed.err
    if os.name == "posix":
        assert "WARNING" not in printed.err, printed.err[-2000:]
    one, two = tmp_path / "one", tmp_path / "two"
    assert (one / "manifest.json").read_bytes() == (two / "manifest.json").read_bytes()
    manifest = json.loads((one / "manifest.json").read_text())
    tables = sorted(p.relative_to(one).as_posix() for p in one.glob("exports/*/*.csv"))
    assert tables and tables == sorted(manifest["tables"])
    for rel in tables:
        data = (one / rel).read_bytes()
        assert data == (two / rel).read_bytes(), rel
        assert hashlib.sha256(data).hexdigest() == manifest["tables"][rel]
    for rel, digest in manifest["figures"].items():  # figures too: SVG ids salted, no dates
        assert hashlib.sha256((two / rel).read_bytes()).hexdigest() == digest, rel
    assert any(rel.endswith(".svg") for rel in manifest["figures"])
    assert manifest["snapshot"]["name"] == "openevals-2026-03-25"
    assert set(manifest["notebooks"]) == {"tiny_report"}
    assert sorted(manifest["tables"]) == ["exports/tiny_report/tiny.csv"]
    assert sorted(manifest["figures"]) == ["exports/tiny_report/tiny.png", "exports/tiny_report/tiny.svg"]

    # index.html links every page, and every link and image of the index resolves to a file
    parser = _Links()
    parser.feed((one / "index.html").read_text(encoding="utf-8"))
    for stem in manifest["notebooks"]:
        assert f"pages/{stem}.html" in parser.links
        page = (one / "pages" / f"{stem}.html").read_text(encoding="utf-8")
        assert "data:image/png;base64," in page, f"{stem}: no figure on its page"
        assert not re.search(r'<script[^>]*src="https?://', page), f"{stem}: loads a script from the network"
        links = _Links()
        links.feed(page)
        for target in links.links:  # the page's own links (back to the index, ...) lead to files of the report
            if not target.startswith(("http://", "https://", "#", "mailto:", "data:")):
                assert (one / "pages" / target.split("#")[0]).resolve().is_file(), f"{stem}: link {target}"
    for target in parser.links + parser.images:
        if not target.startswith(("http://", "https://")):
            assert (one / target).is_file(), target
    assert "manifest.json" in parser.links and "CITATION.cff" in parser.links
    cff = check_cff((one / "CITATION.cff").read_text(encoding="utf-8"))
    assert cff["date-released"] == "2026-03-25" and "openevals-2026-03-25" in cff["title"]
    assert cff["references"][0]["version"] == lbtools.__version__
    # the published page: the same bytes twice; it and the executed notebook (whose widgets' model ids the kernel
    # draws at random) carry no run times and nothing of where the report was built
    page = (one / "pages/tiny_report.html").read_text(encoding="utf-8")
    assert page == (two / "pages/tiny_report.html").read_text(encoding="utf-8")
    for text in (page, (one / "notebooks/tiny_report.ipynb").read_text(encoding="utf-8")):
        assert str(tmp_path) not in text and "start_time" not in text and "end_time" not in text


@pytest.mark.slow
def test_a_failing_notebook_is_one_line_and_leaves_no_half_written_report(tmp_path, monkeypatch, capsys):
    import nbformat

    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    broken = nbformat.read(REPORT_NOTEBOOK, as_version=4)
    broken.cells.append(nbformat.v4.new_code_cell("raise RuntimeError('the data moved')"))
    nbformat.write(broken, tmp_path / "broken.ipynb")
    out = tmp_path / "out"
    assert main(["report", str(out), "--notebooks", str(REPORT_NOTEBOOK), str(tmp_path / "broken.ipynb")]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1].startswith("lbtools: error: notebook broken.ipynb failed at cell [") and \
        err[-1].endswith("]: RuntimeError: the data moved"), err
    assert not out.exists()  # tiny_report ran first: its pages and exports are gone too, so OUT can be reused


@pytest.mark.slow
def test_a_snapshot_of_one_benchmark_reports_what_its_views_can_not_show(tmp_path, monkeypatch, capsys):
    """`snapshot save --benchmarks ID` makes such a snapshot; 06 and 07 stopped the report with a ValueError."""
    import shutil

    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    one = Path(shutil.copytree(lbtools.bundled_snapshot(), tmp_path / "one"))
    manifest = json.loads((one / "manifest.json").read_text())
    manifest["benchmarks"] = ["cais/hle"]  # the other boards' files stay, unread (and as saved)
    (one / "manifest.json").write_text(json.dumps(manifest))
    out = tmp_path / "out"
    notebooks = [str(REPO / "notebooks" / f"{stem}.ipynb") for stem in ("06_capability_index", "07_trust_audit")]
    assert main(["report", str(out), "--snapshot", str(one), "--notebooks", *notebooks]) == 0, capsys.readouterr().err
    capability = (out / "pages" / "06_capability_index.html").read_text(encoding="utf-8")
    assert "This data has scores on one benchmark: there is nothing to predict a held-out score from." in capability
    trust = (out / "pages" / "07_trust_audit.html").read_text(encoding="utf-8")
    assert trust.count("This data has scores on 1 benchmark of ") == 2  # the flags and the selective reporting
    assert "which needs 2 benchmarks and 3 models at least" in trust


@pytest.mark.slow
def test_a_notebook_without_a_kernelspec_runs(tmp_path, monkeypatch):
    """One written by nbformat or jupytext: papermill's parameter inspection said 'No kernel name found'."""
    import nbformat

    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    bare = nbformat.read(REPORT_NOTEBOOK, as_version=4)
    bare.metadata.pop("kernelspec", None)
    nbformat.write(bare, tmp_path / "bare.ipynb")
    assert main(["report", str(tmp_path / "out"), "--notebooks", str(tmp_path / "bare.ipynb")]) == 0
    assert (tmp_path / "out" / "exports" / "bare" / "tiny.csv").is_file()


def test_a_snapshots_name_is_text_on_the_published_page_never_markup():
    import nbformat

    name = 'evil<img src=x onerror=alert(1)>[link](javascript:alert(2)) **bold**'
    header = f"snapshot **{report._markdown_text(name)}** (taken {report._markdown_text('2026-03-25T19:09:12Z')})"
    page = report._html_page(nbformat.v4.new_notebook(), header)
    assert "<img" not in page and "javascript:" not in page.split("evil")[1].split("</p>")[0].replace(
        "(javascript:alert(2))", "") and "&lt;img src=x onerror=alert(1)&gt;" in page
    assert "[link](javascript:alert(2)) **bold**" in page and "2026-03-25T19:09:12Z" in page
