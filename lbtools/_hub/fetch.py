"""The per-request fetchers the loaders and ``save_snapshot`` share: one request each, parsed."""

from __future__ import annotations

from .._tables import display_names
from ..errors import NotFoundError
from .parse import (Problems, benchmark_ids, benchmark_records, card_counts, eval_result_records, eval_tasks,
                    expect_list, expect_object, leaderboard_records, model_info_record)
from .pool import one_line

# The fields of ``model_info`` that ``load_model_info`` asks for.
MODEL_INFO_EXPAND = ("author", "cardData", "createdAt", "downloads", "gated", "library_name", "likes", "pipeline_tag",
                     "safetensors", "tags")


def _benchmark_list(source, refresh):
    return source.get_json("/api/datasets", {"filter": "benchmark:official"}, what="the official benchmark list",
                           refresh=refresh, paged=True, expect=expect_list)


def fetch_benchmark_records(source, refresh):
    """The parsed official benchmark list (its problems warned) and when it was fetched."""
    body, fetched_at = _benchmark_list(source, refresh)
    problems = Problems()
    records = benchmark_records(body, problems, display_names())
    problems.warn(stacklevel=4)
    return records, fetched_at


def fetch_benchmark_ids(source, refresh) -> list[str]:
    """The official benchmarks' ids, sorted (problems with the listed ids warned), as ``list_benchmarks`` has them."""
    body, _ = _benchmark_list(source, refresh)
    problems = Problems()
    ids = sorted(benchmark_ids(body, problems))
    problems.warn(stacklevel=4)
    return ids


def fetch_leaderboard(source, dataset_id, base_model_only, refresh):
    """``(records, problems, fetched_at)`` of one leaderboard."""
    params = None if base_model_only is None else {"base_model": base_model_only}
    body, fetched_at = source.get_json(f"/api/datasets/{dataset_id}/leaderboard", params,
                                       what=f"benchmark {dataset_id}", refresh=refresh, expect=expect_list)
    problems = Problems()
    return leaderboard_records(body, dataset_id, problems), problems, fetched_at


def fetch_eval_results(source, model_id, refresh):
    body, fetched_at = source.get_json(f"/api/models/{model_id}", {"expand": "evalResults"}, what=f"model {model_id}",
                                       refresh=refresh, expect=expect_object)
    problems = Problems()
    return eval_result_records(body, model_id, problems), problems, fetched_at


def fetch_model_info(source, model_id, refresh):
    body, fetched_at = source.get_json(f"/api/models/{model_id}", [("expand", field) for field in MODEL_INFO_EXPAND],
                                       what=f"model {model_id}", refresh=refresh, expect=expect_object)
    problems = Problems()
    return [model_info_record(body, model_id, problems)], problems, fetched_at


def fetch_card_sizes(source, dataset_id, refresh):
    """``([(task_id, n)], reason)`` from a benchmark's dataset card and ``eval.yaml`` on ``source``; the list is empty
    (and ``reason`` says why) when they give no count. A card or file that is not there is "no count"; any other
    failure (the Hub down, a rate limit, a gated card) is raised, for the caller to report: a transient error must
    not pass for "this benchmark has no card"."""
    try:
        info, _ = source.get_json(f"/api/datasets/{dataset_id}", what=f"dataset {dataset_id}", refresh=refresh,
                                  expect=expect_object)
    except NotFoundError as exc:
        return [], f"no dataset card: {one_line(exc)}"
    tasks, why_no_tasks = [], ""
    try:
        path = source.repo_file(dataset_id, "eval.yaml", refresh=refresh)
        tasks = eval_tasks(path.read_text(encoding="utf-8"))
    except NotFoundError as exc:
        why_no_tasks = f"; no eval.yaml ({one_line(exc)})"
    except (ValueError, OSError) as exc:
        why_no_tasks = f"; eval.yaml unreadable ({one_line(exc)})"
    counts = card_counts(info, tasks)
    return (counts, "") if counts else ([], f"its card gives no num_examples for the split its eval.yaml names"
                                             f"{why_no_tasks}")
