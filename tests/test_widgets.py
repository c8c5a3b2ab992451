"""The notebook views (lbtools.widgets): controls redraw one output, CSS classes, escaping of user text, export.

Views are built outside a kernel here, where they write their output widget's state directly; ``view.bundles`` is
what the last redraw showed (the same in a kernel). Data: small hand-made frames, and the bundled snapshot.
"""

from __future__ import annotations

import subprocess
import sys

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

import lbtools  # noqa: E402
from lbtools import analysis, widgets  # noqa: E402

XSS = "<img src=x onerror=alert(1)>"
XSS_ESCAPED = "&lt;img src=x onerror=alert(1)&gt;"


# --------------------------------------------------------------------------------------------
# data


def _leaderboards():
    rows = [
        # dataset, model, value, verified, source_name, source_url, notes
        ("org/alpha", "model-a/alpha", 91.5, True, "Paper", "https://example.org/paper", None),
        ("org/alpha", "model-b/beta", 88.0, False, "<b>bold</b>", "javascript:alert(1)", XSS),
        ("org/alpha", "model-c/gamma", 70.25, None, None, None, "plain note"),
        ("org/alpha", "model-d/delta", 60.0, True, None, None, None),
        ("org/beta", "model-b/beta", 76.4, True, "Leaderboard", "https://example.org/lb", None),
        ("org/beta", "model-a/alpha", 50.0, False, None, None, None),
        ("org/beta", "model-c/gamma", 40.0, None, None, None, None),
        ("org/beta", "model-d/delta", 30.0, True, None, None, None),
        ("org/gamma", "model-c/gamma", 10.0, None, None, None, None),
        ("org/gamma", "model-a/alpha", 20.0, None, None, None, None),
        ("org/gamma", "model-b/beta", 30.0, None, None, None, None),
        ("org/gamma", "model-d/delta", 40.0, None, None, None, None),
    ]
    df = pd.DataFrame(rows, columns=["dataset_id", "model_id", "value", "verified", "source_name", "source_url",
                                     "notes"])
    df["rank"] = df.groupby("dataset_id")["value"].rank(ascending=False).astype("Int64")
    df = df.astype({"dataset_id": "string", "model_id": "string", "value": "Float64", "verified": "boolean",
                    "source_name": "string", "source_url": "string", "notes": "string"})
    df["lower_is_better"] = pd.array([None] * len(df), dtype="boolean")
    df.attrs.update(source="snapshot:test", fetched_at="2026-01-01T00:00:00Z", failures={})
    return df


LABELS = {"org/alpha": "Alpha bench", "org/beta": "Beta bench", "org/gamma": "Gamma bench"}


def _enriched():
    df = _leaderboards()
    created = {
        "model-a/alpha": "2025-01-10T12:00:00Z",
        "model-b/beta": "2025-03-05T08:00:00Z",
        "model-c/gamma": "2025-06-01T00:00:00Z",
        "model-d/delta": None,
    }
    params = {"model-a/alpha": 70e9, "model-b/beta": 7e9, "model-c/gamma": None, "model-d/delta": None}
    df["created_at"] = pd.to_datetime(df["model_id"].map(created), utc=True)
    df["num_parameters"] = pd.array([None] * len(df), dtype="Int64")
    df["num_parameters_model"] = pd.array([params[m] for m in df["model_id"]], dtype="Int64")
    return df


def _html_of(view) -> str:
    """The HTML the output widget holds now (its own state, not only the view's record)."""
    return "\n".join(o["data"].get("text/html", "") for o in view.output.outputs)


def _assert_escaped(markup: str):
    assert "<img" not in markup
    assert "onerror=alert(1)>" not in markup
    assert "<b>bold</b>" not in markup
    assert 'href="javascript' not in markup.lower()


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


# --------------------------------------------------------------------------------------------
# helpers


def test_format_value():
    assert widgets.format_value(76.4) == "76.4"
    assert widgets.format_value(0.82345) in ("0.8234", "0.8235")
    assert widgets.format_value(74.0) == "74"
    assert widgets.format_value(None) == "—"
    assert widgets.format_value(pd.NA) == "—"
    assert widgets.format_value(float("nan")) == "—"


def test_html_table_escapes_every_cell_and_header():
    df = pd.DataFrame({"model_id": ["a/<script>x</script>"], "notes": [XSS], "<th>": ["&amp;"]})
    markup = widgets.html_table(df)
    assert "<script>" not in markup and "&lt;script&gt;" in markup
    assert XSS_ESCAPED in markup and "<img" not in markup
    assert "<th>&lt;th&gt;</th>" in markup
    assert "&amp;amp;" in markup  # an entity in the data is shown as typed, not decoded


def test_html_table_links_only_http_urls_and_escapes_them():
    df = pd.DataFrame({
        "source_name": ["ok", "bad", "quote", None],
        "source_url": ["https://example.org/a?x=1&y=2", "javascript:alert(1)", 'https://e.org/"onmouseover="x', None],
    })
    markup = widgets.html_table(df, ["source_name"], links={"source_name": "source_url"})
    assert '<a href="https://example.org/a?x=1&amp;y=2"' in markup
    assert 'rel="noopener noreferrer"' in markup
    assert "javascript" not in markup
    assert '"onmouseover' not in markup and "&quot;onmouseover=&quot;x" in markup
    assert markup.count("<a ") == 2


def test_html_table_formats_missing_booleans_dates_and_limits_rows():
    df = pd.DataFrame({
        "verified": pd.array([True, False, None], dtype="boolean"),
        "date": pd.to_datetime(["2025-01-02", None, "2025-03-04"], utc=True),
        "value": pd.array([1.5, None, 3.0], dtype="Float64"),
    })
    markup = widgets.html_table(df, max_rows=2)
    assert "<td>yes</td>" in markup and "<td>no</td>" in markup
    assert "<td>2025-01-02</td>" in markup and "2025-03-04" not in markup
    assert markup.count("<td>—</td>") == 2
    assert "1 more rows" in markup


def test_source_banner_snapshot_hub_and_failures(monkeypatch):
    df = pd.DataFrame({"x": [1]})
    df.attrs.update(source="snapshot:openevals-2026-03-25", fetched_at="2026-03-25T19:09:12Z")
    banner = widgets.source_banner(df)
    assert banner == "**Data:** snapshot:openevals-2026-03-25 (bundled snapshot), as of 2026-03-25T19:09:12Z"
    monkeypatch.setenv("HF_ENDPOINT", "http://127.0.0.1:9")
    df.attrs.update(source="hub", fetched_at="2026-04-01T00:00:00Z", failures={"evil/<b>x</b>": "gone"})
    banner = widgets.source_banner(df)
    assert banner.startswith("**Data:** live Hub (http://127.0.0.1:9), fetched 2026-04-01T00:00:00Z")
    assert "1 could not be loaded" in banner and "<b>" not in banner and "&lt;b&gt;" in banner


def test_benchmark_labels_prefer_the_listing_and_disambiguate():
    listing = pd.DataFrame({"dataset_id": ["org/alpha", "org/beta"], "display_name": ["Same", "Same"]})
    labels = widgets.benchmark_labels(["org/alpha", "org/beta", "SWE-bench/SWE-bench_Verified"], listing)
    assert labels == {
        "org/alpha": "Same (org/alpha)",
        "org/beta": "Same (org/beta)",
        "SWE-bench/SWE-bench_Verified": "SWE-bench Verified",
    }
    assert widgets.benchmark_labels(_leaderboards()) == {"org/alpha": "alpha", "org/beta": "beta",
                                                          "org/gamma": "gamma"}


def test_parameter_counts_never_guess():
    df = pd.DataFrame({
        "model_id": ["a/7b-model", "b/x", "c/y"],
        "num_parameters": pd.array([None, 5_000, None], dtype="Int64"),
        "num_parameters_model": pd.array([7_000, None, None], dtype="Int64"),
    })
    out = widgets.parameter_counts(df)
    assert out["parameters"].tolist()[:2] == [7_000, 5_000] and out["parameters"].isna().tolist()[2]
    assert out["parameters_from"].tolist()[:2] == ["model info", "leaderboard"]
    assert out["parameters_from"].isna().tolist()[2]


def test_importing_widgets_loads_no_ui_or_plotting_library():
    code = (
        "import sys, lbtools.widgets\n"
        "heavy = [m for m in ('ipywidgets', 'matplotlib', 'seaborn', 'IPython') if m in sys.modules]\n"
        "assert not heavy, heavy\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


# --------------------------------------------------------------------------------------------
# 01 rankings


def test_rankings_view_redraws_on_benchmark_change_and_carries_classes():
    view = widgets.rankings_view(_leaderboards(), labels=LABELS, benchmark="org/alpha")
    c = view.controls
    assert "lb-benchmark-picker" in c["benchmark"]._dom_classes
    assert "lb-top-n" in c["top_n"]._dom_classes
    assert "lb-verified-only" in c["verified_only"]._dom_classes
    assert "lb-fine-tunes" in c["fine_tunes"]._dom_classes
    assert "lb-output" in view.output._dom_classes
    assert list(c["benchmark"].options) == [("Alpha bench", "org/alpha"), ("Beta bench", "org/beta"),
                                            ("Gamma bench", "org/gamma")]
    assert "Top: model-a/alpha — 91.5" in view.text()
    before, redraws = view.output.outputs, view.redraws

    c["benchmark"].value = "org/beta"
    assert view.redraws == redraws + 1
    assert view.output.outputs != before
    assert "Top: model-b/beta — 76.4" in _html_of(view)
    assert "model-a/alpha — 91.5" not in view.text()
    assert any("image/png" in o["data"] for o in view.output.outputs)
    assert view.current_table()["model_id"].tolist() == ["model-b/beta", "model-a/alpha", "model-c/gamma",
                                                          "model-d/delta"]
    assert plt.get_fignums() == []  # shown as PNG, closed in pyplot: nothing stacks


def test_rankings_view_escapes_user_text_in_the_table():
    view = widgets.rankings_view(_leaderboards(), labels=LABELS, benchmark="org/alpha")
    markup = _html_of(view)
    assert XSS_ESCAPED in markup
    assert "&lt;b&gt;bold&lt;/b&gt;" in markup
    _assert_escaped(markup)
    assert '<a href="https://example.org/paper"' in markup


def test_rankings_view_top_n_and_verified_only():
    view = widgets.rankings_view(_leaderboards(), labels=LABELS, benchmark="org/alpha", top_n=2)
    assert len(view.current_table()) == 2
    view.controls["top_n"].value = 3
    assert len(view.current_table()) == 3
    view.controls["verified_only"].value = True
    table = view.current_table()
    assert table["model_id"].tolist() == ["model-a/alpha", "model-d/delta"]
    assert table["rank"].tolist() == [1, 2]
    view.controls["benchmark"].value = "org/gamma"  # nothing verified there
    assert "none is marked verified" in view.text()
    assert view.current_figure() is None and view.error is None


def test_rankings_view_fine_tunes_loaded_once_per_benchmark():
    calls = []

    def load(dataset_id):
        calls.append(dataset_id)
        df = _leaderboards()
        extra = pd.DataFrame({"dataset_id": [dataset_id], "model_id": ["tuner/fine-tune"], "value": [99.0]})
        return pd.concat([df, extra], ignore_index=True)

    view = widgets.rankings_view(_leaderboards(), labels=LABELS, benchmark="org/beta", load_fine_tunes=load)
    assert not view.controls["fine_tunes"].disabled
    view.controls["fine_tunes"].value = True
    assert "Top: tuner/fine-tune — 99" in view.text() and "fine-tunes included" in view.text()
    view.controls["top_n"].value = 5
    view.controls["fine_tunes"].value = False
    assert "Top: model-b/beta — 76.4" in view.text()
    view.controls["fine_tunes"].value = True
    assert calls == ["org/beta"]


def test_rankings_view_shows_a_load_failure_as_text():
    def load(dataset_id):
        raise lbtools.NotFoundError(f"benchmark {dataset_id} <has no> fine-tune view in this snapshot")

    view = widgets.rankings_view(_leaderboards(), labels=LABELS, benchmark="org/beta", load_fine_tunes=load)
    view.controls["fine_tunes"].value = True
    assert isinstance(view.error, lbtools.NotFoundError)
    markup = _html_of(view)
    assert 'class="lb-error"' in markup and "&lt;has no&gt;" in markup and "<has no>" not in markup
    view.controls["fine_tunes"].value = False  # the view keeps working
    assert view.error is None and "Top: model-b/beta" in view.text()


def test_rankings_view_without_fine_tune_loader_disables_the_toggle_and_falls_back_on_unknown_benchmark():
    view = widgets.rankings_view(_leaderboards(), labels=LABELS, benchmark="nope/missing")
    assert view.controls["fine_tunes"].disabled
    assert view.controls["benchmark"].value == "org/alpha"
    assert "not in this data" in view.text()


def test_rankings_view_on_the_bundled_snapshot():
    lb = lbtools.load_leaderboards()
    view = widgets.rankings_view(
        lb, benchmark="SWE-bench/SWE-bench_Verified",
        load_fine_tunes=lambda d: lbtools.load_leaderboard(d, base_model_only=False),
    )
    assert len(view.controls["benchmark"].options) == 11
    assert ("SWE-bench Verified", "SWE-bench/SWE-bench_Verified") in view.controls["benchmark"].options
    assert "Top: Qwen/Qwen3.5-397B-A17B — 76.4" in view.text()
    assert view.current_table()["model_id"].tolist()[:3] == [
        "Qwen/Qwen3.5-397B-A17B", "MiniMaxAI/MiniMax-M2.5", "stepfun-ai/Step-3.5-Flash"]
    view.controls["benchmark"].value = "cais/hle"
    top = analysis.top_n(lb[lb["dataset_id"] == "cais/hle"], 1, by=None).iloc[0]
    assert f"Top: {top['model_id']} — {widgets.format_value(top['value'])}" in view.text()
    view.controls["fine_tunes"].value = True
    assert view.error is None and "fine-tunes included" in view.text()


def test_model_ranks_view_search_and_pick():
    view = widgets.model_ranks_view(_leaderboards(), labels=LABELS, model="model-b/beta")
    assert "lb-model-picker" in view.controls["model"]._dom_classes
    assert "lb-model-search" in view.controls["search"]._dom_classes
    assert "lb-ranks-output" in view.output._dom_classes and "lb-output" not in view.output._dom_classes
    table = view.current_table().set_index("dataset_id")
    assert table.loc["org/beta", "rank"] == 1 and table.loc["org/alpha", "rank"] == 2
    view.controls["search"].value = "GAMMA"
    assert list(view.controls["model"].options) == ["model-c/gamma"]
    assert view.current_table()["model_id"].unique().tolist() == ["model-c/gamma"]
    view.controls["search"].value = "no such model"
    assert "No model matches" in view.text() and view.error is None


# --------------------------------------------------------------------------------------------
# 02 correlations


def _matrix(seed=0, models=30):
    rng = np.random.default_rng(seed)
    skill = rng.normal(size=models)
    data = {
        "org/a": skill + rng.normal(scale=0.3, size=models),
        "org/b": skill + rng.normal(scale=0.3, size=models),
        "org/c": rng.normal(size=models),
        "org/d": skill,
    }
    m = pd.DataFrame(data, index=[f"m/{i}" for i in range(models)])
    m.iloc[:26, 3] = np.nan  # org/d: 4 models only
    m.index.name, m.columns.name = "model_id", "dataset_id"
    return m


def test_correlations_view_controls_redraw_heatmap_and_pair():
    view = widgets.correlations_view(_matrix(), labels={"org/a": "A", "org/b": "B", "org/c": "C", "org/d": "D"},
                                     min_overlap=5, n_boot=200)
    c = view.controls
    for name, css in [("method", "lb-method-picker"), ("min_overlap", "lb-min-overlap"), ("pair_a", "lb-pair-a"),
                      ("pair_b", "lb-pair-b")]:
        assert css in c[name]._dom_classes
    assert "lb-output" in view.output._dom_classes and "lb-pair-output" in view.pair.output._dom_classes
    assert [v for _, v in c["method"].options] == ["spearman", "kendall", "pearson"]
    assert "Strongest: A & B" in view.text()
    assert "Spearman ρ =" in view.pair.text() and "n = 30 models" in view.pair.text()
    table = view.current_table()
    assert set(table.columns) >= {"benchmark_a", "benchmark_b", "coefficient", "n_models"}
    assert table.loc[(table.benchmark_a == "org/a") & (table.benchmark_b == "org/d"), "coefficient"].isna().all()

    heat, pair = view.redraws, view.pair.redraws
    c["method"].value = "kendall"
    assert view.redraws == heat + 1 and view.pair.redraws == pair + 1
    assert "Kendall τ" in view.text() and "Kendall τ =" in view.pair.text()
    c["min_overlap"].value = 3
    t = view.current_table()
    assert t.loc[(t.benchmark_a == "org/a") & (t.benchmark_b == "org/d"), "coefficient"].notna().all()
    c["pair_a"].value, c["pair_b"].value = "org/c", "org/c"
    assert "Pick two different benchmarks" in view.pair.text()
    c["pair_b"].value = "org/d"
    assert "n = 4 models" in view.pair.text()
    assert view.pair.current_figure() is not None and view.error is None and view.pair.error is None
    assert plt.get_fignums() == []


def test_correlations_view_default_pair_has_the_most_shared_models():
    m = _matrix()
    m.iloc[:10, 1] = np.nan
    view = widgets.correlations_view(m, n_boot=50)
    assert (view.controls["pair_a"].value, view.controls["pair_b"].value) == ("org/a", "org/c")


def test_correlations_view_escapes_model_ids_in_the_pair_table():
    m = _matrix(models=6)
    m.index = [XSS] + [f"m/{i}" for i in range(5)]
    m.index.name = "model_id"
    view = widgets.correlations_view(m, pair=("org/a", "org/b"), n_boot=50)
    markup = "\n".join(o["data"].get("text/html", "") for o in view.pair.output.outputs)
    assert XSS_ESCAPED in markup
    _assert_escaped(markup)


# --------------------------------------------------------------------------------------------
# 03 metadata


def test_metadata_view_counts_missing_metadata_and_filters_by_organisation():
    view = widgets.metadata_view(_enriched(), labels=LABELS, benchmark="org/alpha")
    assert "lb-benchmark-picker" in view.controls["benchmark"]._dom_classes
    assert "lb-org-filter" in view.controls["organisation"]._dom_classes
    text = view.text()
    assert "4 models: 2 with a parameter count, 3 with a creation date" in text
    assert "Pareto frontier (2 of 2" in text
    table = view.current_table().set_index("model_id")
    assert table["parameters"].isna().sum() == 2  # never imputed
    assert not table.loc[["model-c/gamma", "model-d/delta"], "on_frontier"].any()
    assert [v for _, v in view.controls["organisation"].options] == ["", "model-a", "model-b", "model-c", "model-d"]

    view.controls["organisation"].value = "model-b"
    assert view.current_table()["model_id"].tolist() == ["model-b/beta"]
    assert "Pareto frontier (1 of 1" in view.text()
    view.controls["benchmark"].value = "org/beta"  # the organisation stays picked where it exists
    assert view.controls["organisation"].value == "model-b"
    assert view.current_table()["dataset_id"].unique().tolist() == ["org/beta"]
    assert view.error is None and plt.get_fignums() == []


def test_metadata_view_on_the_bundled_snapshot():
    enriched = lbtools.enrich(lbtools.load_leaderboards())
    view = widgets.metadata_view(enriched, benchmark="TIGER-Lab/MMLU-Pro")
    table = view.current_table()
    assert len(table) == 35 and table["parameters"].notna().sum() == 28 and table["on_frontier"].sum() == 8
    assert "7 without one or both" in view.text()


# --------------------------------------------------------------------------------------------
# 04 race


def test_race_view_date_slider_and_play_redraw():
    view = widgets.race_view(_enriched(), labels=LABELS, benchmark="org/alpha", top_n=3)
    c = view.controls
    for name, css in [("benchmark", "lb-benchmark-picker"), ("top_n", "lb-top-n"), ("date", "lb-date-slider"),
                      ("play", "lb-play")]:
        assert css in c[name]._dom_classes
    assert [label for label, _ in c["date"].options] == ["2025-01-10", "2025-03-05", "2025-06-01"]
    assert c["date"].index == 2 and c["play"].max == 2
    assert "Top as of 2025-06-01: model-a/alpha — 91.5" in view.text()
    assert "Hub repository creation date" in view.text()
    assert "1 of 4 entries have no creation date" in view.text()

    redraws = view.redraws
    c["play"].value = 0  # what the Play button does, step by step
    assert c["date"].index == 0 and view.redraws == redraws + 1
    assert "Top as of 2025-01-10: model-a/alpha — 91.5" in view.text()
    assert view.current_table()["model_id"].tolist() == ["model-a/alpha"]

    c["benchmark"].value = "org/beta"
    assert c["date"].index == 2 and c["play"].value == 2
    assert "Top as of 2025-06-01: model-b/beta — 76.4" in view.text()
    c["date"].index = 0
    assert c["play"].value == 0
    assert "Top as of 2025-01-10: model-a/alpha — 50" in view.text()
    assert view.error is None and plt.get_fignums() == []


def test_race_view_as_of_starts_at_the_last_date_before():
    view = widgets.race_view(_enriched(), labels=LABELS, benchmark="org/beta", as_of="2025-04-01")
    assert view.controls["date"].label == "2025-03-05"
    assert "Top as of 2025-03-05: model-b/beta — 76.4" in view.text()


def test_race_view_without_dates_says_so():
    df = _enriched()
    df["created_at"] = pd.NaT
    view = widgets.race_view(df, labels=LABELS, benchmark="org/alpha")
    assert "no creation date" in view.text() and view.error is None


# --------------------------------------------------------------------------------------------
# 05 profile


def _results_loader(calls):
    def load(model_ids):
        calls.append(list(model_ids))
        lb = _leaderboards()
        out = lb[lb["model_id"].isin(model_ids)][["model_id", "dataset_id", "value", "verified", "source_name",
                                                  "source_url", "notes"]].copy()
        out["task_id"] = pd.array([None] * len(out), dtype="string")
        out["date"] = pd.NaT
        out.attrs.update(source="snapshot:test", failures={})
        return out.reset_index(drop=True)

    return load


def test_profile_view_picks_loads_lazily_and_escapes():
    calls = []
    view = widgets.profile_view(_leaderboards(), results=_results_loader(calls), labels=LABELS,
                                models=["model-b/beta"])
    assert "lb-model-picker" in view.controls["models"]._dom_classes
    assert "lb-model-search" in view.controls["search"]._dom_classes
    assert "lb-output" in view.output._dom_classes
    assert calls == [["model-b/beta"]]
    assert "model-b/beta: 3 eval result(s); best rank 1 of 4 on Beta bench" in view.text()
    markup = _html_of(view)
    assert XSS_ESCAPED in markup and "&lt;b&gt;bold&lt;/b&gt;" in markup
    _assert_escaped(markup)

    view.controls["models"].value = ("model-a/alpha", "model-b/beta")
    assert calls == [["model-b/beta"], ["model-a/alpha"]]
    table = view.current_table()
    assert not table.duplicated(["model_id", "dataset_id"]).any()
    row = table[(table.model_id == "model-a/alpha") & (table.dataset_id == "org/alpha")].iloc[0]
    assert (row["rank"], row["n_entries"], row["rank_of"]) == (1, 4, "1 of 4")
    assert view.current_figure() is not None and plt.get_fignums() == []


def test_profile_view_starts_from_a_leader_when_no_model_asked_for_is_there():
    lb = _leaderboards()
    largest = lb["dataset_id"].value_counts().index[0]
    leader = lb[lb["dataset_id"] == largest].sort_values(["rank", "model_id"]).iloc[0]["model_id"]
    view = widgets.profile_view(lb, results=None, labels=LABELS, models=["nobody/absent"])
    assert view.controls["models"].value == (leader,)
    assert view.error is None and view.current_table() is not None
    assert any("nobody/absent" in note for note in view.startup_notes)


def test_profile_view_search_keeps_the_selection_and_refuses_a_sixth_model():
    lb = _leaderboards()
    extra = pd.DataFrame({"dataset_id": ["org/alpha"] * 3, "model_id": ["x/1", "x/2", "x/3"],
                          "value": [1.0, 2.0, 3.0]})
    lb = pd.concat([lb, extra], ignore_index=True)
    view = widgets.profile_view(lb, results=None, labels=LABELS, models=["model-a/alpha", "model-b/beta"])
    redraws = view.redraws
    view.controls["search"].value = "x/"
    assert set(view.controls["models"].options) == {"model-a/alpha", "model-b/beta", "x/1", "x/2", "x/3"}
    assert view.controls["models"].value == ("model-a/alpha", "model-b/beta")
    assert view.redraws == redraws
    view.controls["models"].value = ("model-a/alpha", "model-b/beta", "x/1", "x/2", "x/3")
    assert len(view.current_table()["model_id"].unique()) == 5
    view.controls["search"].value = ""
    view.controls["models"].value = tuple(view.controls["models"].options[:6])
    assert len(view.controls["models"].value) == 5
    assert "at most 5" in view.text()


def test_profile_view_on_the_bundled_snapshot():
    lb = lbtools.load_leaderboards()
    view = widgets.profile_view(lb, results=lbtools.load_eval_results,
                                models=["Qwen/Qwen3.5-397B-A17B", "zai-org/GLM-4.7"])
    t = view.current_table()
    row = t[(t.model_id == "Qwen/Qwen3.5-397B-A17B") & (t.dataset_id == "SWE-bench/SWE-bench_Verified")].iloc[0]
    assert (row["rank"], row["n_entries"], float(row["value"])) == (1, 23, 76.4)
    assert view.error is None


# --------------------------------------------------------------------------------------------
# export and display


def test_export_writes_png_svg_csv(tmp_path):
    view = widgets.rankings_view(_leaderboards(), labels=LABELS, benchmark="org/alpha")
    paths = view.export(tmp_path / "deep" / "exports", "01_rankings")
    assert [p.name for p in paths] == ["01_rankings.png", "01_rankings.svg", "01_rankings.csv"]
    assert paths[0].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "<svg" in paths[1].read_text()
    csv = pd.read_csv(paths[2])
    assert csv["model_id"].tolist()[0] == "model-a/alpha" and XSS in csv["notes"].tolist()


def test_view_displays_as_its_widget():
    view = widgets.rankings_view(_leaderboards(), labels=LABELS)
    bundle = view._repr_mimebundle_()
    assert bundle["application/vnd.jupyter.widget-view+json"]["model_id"] == view.widget.model_id
    assert view.output in view.widget.children
    assert all(getattr(w, "description_allow_html", False) is False for w in view.controls.values())


def test_in_a_kernel_the_output_is_redrawn_with_clear_output_wait(monkeypatch):
    """In a kernel a redraw goes through the Output: clear_output(wait=True), then the new parts, nothing stacked."""
    import IPython
    import IPython.display

    calls = []

    class Shell:
        kernel = object()

    view = widgets.rankings_view(_leaderboards(), labels=LABELS, benchmark="org/alpha")
    monkeypatch.setattr(IPython, "get_ipython", lambda: Shell())
    monkeypatch.setattr(IPython.display, "clear_output", lambda wait=False: calls.append(("clear", wait)))
    monkeypatch.setattr(IPython.display, "publish_display_data",
                        lambda data, metadata=None, **kw: calls.append(("show", sorted(data))))
    view.controls["benchmark"].value = "org/beta"
    assert calls[0] == ("clear", True)
    assert [c[0] for c in calls[1:]] == ["show"] * (len(calls) - 1) and len(calls) - 1 == len(view.bundles)
    assert ["image/png", "text/plain"] in [c[1] for c in calls]
    assert "Top: model-b/beta — 76.4" in view.text()


def test_rankings_view_empty_table_keeps_its_columns():
    view = widgets.rankings_view(_leaderboards(), labels=LABELS, benchmark="org/gamma", verified_only=True)
    table = view.current_table()
    assert len(table) == 0 and {"rank", "model_id", "value", "verified", "notes"} <= set(table.columns)


def test_race_view_accepts_naive_dates():
    df = _enriched()
    df["created_at"] = df["created_at"].dt.tz_localize(None)
    view = widgets.race_view(df, labels=LABELS, benchmark="org/alpha", as_of="2025-03-31")
    assert view.controls["date"].label == "2025-03-05" and view.error is None
    assert "Top as of 2025-03-05: model-a/alpha — 91.5" in view.text()
