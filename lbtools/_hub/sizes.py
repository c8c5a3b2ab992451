"""Item counts of benchmarks: from a dataset card's ``dataset_info`` (``cardData`` of ``GET /api/datasets/{id}``:
``dataset_info[config].splits[i].num_examples``) for the config and split each task of the dataset's ``eval.yaml``
names (``tasks: [{id, config, split}]``), or from lbtools' own table (``lbtools/data/benchmark_sizes.csv``, one
provenance URL per row)."""

from __future__ import annotations

import csv
from functools import lru_cache
from pathlib import Path

TABLE = Path(__file__).parent.parent / "data" / "benchmark_sizes.csv"
DEFAULT_CONFIG = "default"


@lru_cache(maxsize=1)
def table_rows() -> tuple[dict, ...]:
    """The rows of lbtools' item-count table, in file order (``dataset_id, task_id, n_items, provenance, note``)."""
    with TABLE.open(newline="", encoding="utf-8") as fh:
        return tuple(
            {**row, "task_id": row["task_id"] or None, "n_items": int(row["n_items"]) if row["n_items"] else None}
            for row in csv.DictReader(fh)
        )


def eval_tasks(text: str) -> list[dict]:
    """``[{"id", "config", "split"}]`` of an ``eval.yaml`` text, in its order (missing fields are None).

    Raises ValueError when the text is not YAML or has no task list.
    """
    import yaml

    try:
        doc = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ValueError(f"eval.yaml is not valid YAML ({' '.join(str(exc).split())[:200]})") from None
    tasks = doc.get("tasks") if isinstance(doc, dict) else None
    if not isinstance(tasks, list):
        raise ValueError("eval.yaml has no `tasks:` list")
    out = []
    for task in tasks:
        if not isinstance(task, dict):
            continue
        out.append({k: (str(task[k]) if task.get(k) is not None else None) for k in ("id", "config", "split")})
    return out


def card_splits(info) -> dict[str, dict[str, int]]:
    """``{config: {split: num_examples}}`` from a ``GET /api/datasets/{id}`` body (its ``cardData.dataset_info``).

    ``dataset_info`` is one dict (one config; ``config_name`` absent means ``"default"``) or a list of dicts, one per
    config. Splits without an integer ``num_examples`` are left out.
    """
    card = info.get("cardData") if isinstance(info, dict) else None
    infos = card.get("dataset_info") if isinstance(card, dict) else None
    if isinstance(infos, dict):
        infos = [infos]
    if not isinstance(infos, list):
        return {}
    out: dict[str, dict[str, int]] = {}
    for entry in infos:
        if not isinstance(entry, dict) or not isinstance(entry.get("splits"), list):
            continue
        config = str(entry.get("config_name") or DEFAULT_CONFIG)
        for split in entry["splits"]:
            n = split.get("num_examples") if isinstance(split, dict) else None
            if isinstance(n, int) and not isinstance(n, bool) and n > 0 and split.get("name") is not None:
                out.setdefault(config, {})[str(split["name"])] = n
    return out


def card_counts(info, tasks: list[dict]) -> list[tuple[str | None, int]]:
    """``[(task_id, n_items)]`` the card gives: for each task of ``eval.yaml`` (in its order), the split of its
    config (the only config or ``default`` when it names none; the only split when it names none); without an
    ``eval.yaml``, the only split of the only config. Tasks the card can't answer are left out."""
    splits = card_splits(info)
    if not splits:
        return []
    if not tasks:
        if len(splits) == 1:
            (only,) = splits.values()
            if len(only) == 1:
                return [(None, next(iter(only.values())))]
        return []
    out = []
    for task in tasks:
        config = task.get("config")
        if config is None:
            config = next(iter(splits)) if len(splits) == 1 else DEFAULT_CONFIG
        counts = splits.get(config)
        if not counts:
            continue
        split = task.get("split")
        if split is None:
            n = next(iter(counts.values())) if len(counts) == 1 else None
        else:
            n = counts.get(split)
        if n is not None:
            out.append((task.get("id"), n))
    return out
