"""Issue 13 end to end on a second local Hub: the fixture Hub plus a model listed twice on GPQA (34.59-style
unverified "with tools" above, a verified "main (not diamond)" entry below), the same model on the 0–1 benchmark
``lbtools-test/unit-scale-bench`` (0.998, like mbpp), and that benchmark's card naming it. The views are the
notebooks' own functions in miniature, bound with ``widgets.bind``; each check is on what a reader sees.
"""

from __future__ import annotations

import json
import shutil
import warnings

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from fixtures.build import MALFORMED_MODEL, OFFICIAL_FILTER, UNIT_SCALE_BENCHMARK  # noqa: E402

import lbtools  # noqa: E402
from lbtools import analysis, plots, widgets  # noqa: E402
from lbtools._snapshot_format import response_relpath  # noqa: E402

GPQA = "Idavidrein/gpqa"
GPQA_CARD_NAME = "GPQA: graduate-level Google-proof Q&A"
UNIT_NAME = "Unit-Scale Bench (synthetic)"
NO_BOARD = "lbtools-test/no-board-bench"


@pytest.fixture(scope="module")
def second_tree(hub_tree, tmp_path_factory):
    """``(root, twice, top)``: a copy of the fixture Hub with the duplicate GPQA entry and the 0–1 result added."""
    root, _ = hub_tree
    return build_second_tree(root, tmp_path_factory.mktemp("second-hub") / "tree")


def build_second_tree(root, dest):
    """A copy of the fixture Hub tree ``root`` at ``dest`` (with its gated benchmark and the malformed eval file of
    ``MALFORMED_MODEL``) plus: a model listed twice on GPQA, that model on the 0–1 benchmark, the 0–1 benchmark's
    and GPQA's card names, and an official benchmark without a leaderboard. Returns ``(dest, twice, top)``.
    Its cases are also served, in the bundled snapshot's shape and without provenance, to the dashboard's one browser
    render (tests/browser/test_voila.py, ``_add_awkward_cases``)."""
    shutil.copytree(root, dest)

    def edit(relpath, change):
        path = dest / relpath
        obj = json.loads(path.read_text(encoding="utf-8"))
        obj = change(obj) or obj
        path.write_text(json.dumps(obj), encoding="utf-8")

    board_path = response_relpath(f"/api/datasets/{GPQA}/leaderboard")
    board = json.loads((dest / board_path).read_text(encoding="utf-8"))
    first = board[0]
    twice = first["modelId"]
    top = float(first["value"])

    def add_duplicate(entries):
        first = dict(entries[0], notes="with tools", verified=False)
        second = dict(entries[0], value=round(top - 3.1, 2), verified=True, notes="main (not diamond)",
                      filename=".eval_results/gpqa_main.yaml")
        rest = entries[1:] + [second]
        ranked = sorted([first] + rest, key=lambda e: (-float(e["value"]), e["modelId"]))
        return [{**e, "rank": i} for i, e in enumerate(ranked, start=1)]

    edit(board_path, add_duplicate)
    edit(response_relpath(f"/api/datasets/{UNIT_SCALE_BENCHMARK}/leaderboard"), lambda entries: [
        {**e, "rank": i} for i, e in enumerate(sorted(entries + [dict(entries[0], modelId=twice, value=0.998)],
                                                      key=lambda e: -float(e["value"])), start=1)])

    def add_results(model):
        model["evalResults"] += [
            {"filename": ".eval_results/gpqa_main.yaml", "verified": True,
             "data": {"dataset": {"id": GPQA, "task_id": "gpqa_main"}, "value": round(top - 3.1, 2),
                      "notes": "main (not diamond)"}},
            {"filename": ".eval_results/unit.yaml", "verified": False,
             "data": {"dataset": {"id": UNIT_SCALE_BENCHMARK, "task_id": "default"}, "value": 0.998}},
        ]

    edit(response_relpath(f"/api/models/{twice}"), add_results)

    def name_the_unit_benchmark(listing):
        # issue 24 item 11: an official benchmark with no leaderboard yet (the Hub answers 404 for its board)
        listing.append({**listing[0], "id": NO_BOARD, "_id": "no-board", "cardData": {}})
        for obj in listing:
            if obj["id"] == UNIT_SCALE_BENCHMARK:
                obj["cardData"] = {"pretty_name": UNIT_NAME}
            if obj["id"] == GPQA:  # lbtools' table names it too: the benchmark's own name wins
                obj["cardData"] = {**(obj.get("cardData") or {}), "pretty_name": GPQA_CARD_NAME}

    edit(response_relpath("/api/datasets", OFFICIAL_FILTER), name_the_unit_benchmark)
    return dest, twice, top


@pytest.fixture
def second_hub(second_tree, start_hub):
    root, twice, top = second_tree
    start_hub(root=root)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        boards = lbtools.load_leaderboards(progress=False)
        labels = widgets.benchmark_labels(boards, lbtools.list_benchmarks())
    yield boards, labels, twice, top
    plt.close("all")


def test_one_entry_per_model_the_same_in_every_view_and_the_view_says_which(second_hub):
    boards, labels, twice, top = second_hub
    kept = round(top - 3.1, 2)
    assert (boards[(boards.dataset_id == GPQA) & (boards.model_id == twice)].value.tolist() == [top, kept])

    def show_ranking(benchmark):
        board = boards[boards.dataset_id == benchmark]
        ranked = analysis.top_n(board, 50)
        plots.ranking_bar(board, top_n=50, labels=labels)
        widgets.show_table(ranked, ["rank", "model_id", "value", "verified", "notes"])

    def show_model(model):
        widgets.show_table(analysis.model_ranks(boards, [model]))

    ranking = widgets.bind(show_ranking, benchmark=widgets.benchmark_picker(boards, labels, value=GPQA))
    ranks = widgets.bind(show_model, model=widgets.model_picker(boards, value=twice))
    shown = ranking.tables[0]
    assert shown.loc[shown.model_id == twice, ["value", "notes"]].values.tolist() == [[kept, "main (not diamond)"]]
    assert ranks.tables[0].set_index("dataset_id").loc[GPQA, "value"] == kept
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert analysis.scores_matrix(analysis.dedupe(boards)).loc[twice, GPQA] == kept
    for view in (ranking, ranks):  # the view says which entry it kept and why, at its top
        (note,) = [n for n in view.notes if twice in n]
        assert f"{twice} on {GPQA}: listed 2 times; kept {kept:g}" in note and "verified over" in note
        assert "(verified) verified" not in note  # issue 24 item 9: said once, plainly
        assert view.bundles[0]["text/html"].startswith('<ul class="lb-notes">')


def test_a_0_1_benchmark_is_drawn_on_0_100_and_named_from_its_card(second_hub):
    boards, labels, twice, top = second_hub
    assert labels[UNIT_SCALE_BENCHMARK] == UNIT_NAME  # the card's pretty_name, not "unit-scale-bench"
    assert labels[GPQA] == GPQA_CARD_NAME  # the card's name before lbtools' table ("GPQA (Diamond)")
    enriched = lbtools.enrich(boards[boards.model_id.str.startswith(twice.split("/")[0]) |
                                     (boards.dataset_id == UNIT_SCALE_BENCHMARK)], progress=False)
    enriched["created_at"] = enriched["created_at"].fillna(pd.Timestamp("2026-01-01", tz="UTC"))

    def show_best():
        scored = analysis.add_normalised(analysis.dedupe(enriched))
        plots.best_to_date_steps(analysis.best_to_date(scored, value="value_norm"), labels=labels)

    view = widgets.bind(show_best)
    fig = view.figures[0]
    unit = [ln for ax in fig.axes for ln in ax.lines if ln.get_label() == UNIT_NAME]
    assert unit and max(unit[0].get_ydata()) == pytest.approx(99.8)
    assert any(t.get_text() == f"Rescaled to 0–100 (published on a 0–1 scale, × 100): {UNIT_NAME}"
               for t in fig.texts)
    assert any("0-1 scale" in n and UNIT_SCALE_BENCHMARK in n for n in view.notes)

    def show_profile(models):
        results = analysis.dedupe(lbtools.load_eval_results(list(models), progress=False))
        plots.model_profile_bars(analysis.add_normalised(results, scales=analysis.benchmark_scales(boards)),
                                 value="value_norm", labels=labels)
        plots.model_profile_bars(analysis.model_ranks(boards, list(models)), value="percentile", labels=labels)

    profile = widgets.bind(show_profile, models=widgets.model_picker(boards, value=[twice], multiple=True))
    scores, percentiles = (f.axes[0] for f in profile.figures)
    heights = {t.get_text().replace("\n", " "): p.get_height() for t, p in zip(scores.get_xticklabels(), scores.patches)}
    assert heights[UNIT_NAME] == pytest.approx(99.8) and heights[labels[GPQA]] == pytest.approx(top - 3.1)
    assert scores.get_ylim()[0] == 0 and percentiles.get_ylim()[0] == 0 and percentiles.get_ylim()[1] >= 100


def test_a_models_parse_problems_stay_in_the_notes_on_every_redraw(second_hub):
    boards, labels, twice, top = second_hub
    results_of = widgets.cached(lambda model: lbtools.load_eval_results([model], progress=False))
    picker = widgets.model_picker(boards, value=MALFORMED_MODEL)
    view = widgets.bind(lambda model: widgets.show_table(results_of(model)), model=picker)
    first = [n for n in view.notes if MALFORMED_MODEL in n]
    assert first, view.notes
    picker.picker.value = twice
    picker.picker.value = MALFORMED_MODEL
    assert [n for n in view.notes if MALFORMED_MODEL in n] == first  # still said, complete, on the redraw


# --------------------------------------------------------------------------------------------
# issue 24 on the second local Hub


def test_the_banner_names_an_official_benchmark_without_a_leaderboard(second_hub):
    boards, labels, twice, top = second_hub
    assert NO_BOARD in boards.attrs["without_leaderboard"]
    banner = widgets.source_banner(boards)
    n = len(boards.attrs["without_leaderboard"])
    assert f"{n} official benchmarks have no leaderboard yet:" in banner and NO_BOARD in banner.replace("\\", "")


def test_verified_only_ranking_names_its_filter_and_its_dot_is_the_tables_rank(second_hub, tmp_path):
    """Items 2 and 3 as 01's view does them: the dot and the table's rank are one number, named alike; the
    heading, the figure title and the exported files say the board is filtered."""
    boards, labels, twice, top = second_hub

    def show_ranking(benchmark, verified_only):
        board = boards[boards.dataset_id == benchmark]
        filters = ["verified only" if verified_only else ""]
        if verified_only:
            board = board[board.verified.fillna(False)]
        widgets.heading(labels[benchmark], benchmark, filters=filters)
        intervals = analysis.rank_intervals(board, n_items=198)
        plots.rank_interval_plot(intervals, labels=labels, subset=filters)
        ranked = analysis.top_n(board, 50).drop(columns="rank").merge(
            intervals[["model_id", "rank", "rank_low", "rank_high"]], on="model_id")
        widgets.show_table(ranked, {"rank": "rank (ties share the best)", "model_id": "model",
                                    "published_rank": "rank on the full Hub board"})

    toggle = widgets.toggle("Verified only")
    view = widgets.bind(show_ranking, benchmark=widgets.benchmark_picker(boards, labels, value=GPQA),
                        verified_only=toggle)
    toggle.value = True
    ax = view.figures[0].axes[0]
    dots = [ln for ln in ax.lines if ln.get_marker() == "o"][0].get_xdata()
    table = view.tables[0]
    assert list(dots) == table["rank"].tolist()[:len(dots)]
    assert plots.RANK_NAME.split(",")[0] in ax.get_xlabel() and "rank (ties share the best)" in view.text()
    assert "(verified only)" in ax.get_title() and "filtered: verified only" in view.text()
    names = [p.name for p in widgets.save_view(view, tmp_path, "01_rankings")]
    assert all("verified-only" in n for n in names)
    assert not [n for n in view.notes if "site-packages" in n or "Warning" in n]
