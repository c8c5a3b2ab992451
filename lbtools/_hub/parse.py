"""Raw Hub JSON to records, one record at a time.

Every published value is kept as published when it is usable. When it is not (a number sent as text, a NaN, a
boolean where a number belongs, a missing id), the record is repaired or skipped and the fact is collected as a
*problem*, reported once per load as a warning that says what was done. Nothing here raises on one bad record; a body
of the wrong shape raises BadResponseError for that one response only.
"""

from __future__ import annotations

import functools
import json
import math
import re
from collections import defaultdict

from ..errors import BadResponseError, DataRepairedWarning, warn

MAX_TEXT = 10_000
MAX_MODEL_ID = 200  # a Hub repo id is at most 96 + 1 + 96 characters
# A Hub repo id, ASCII only, matched in full (no trailing newline, no Unicode lookalikes): ``[namespace/]name``.
_REPO_ID = re.compile(r"(?:[A-Za-z0-9_][A-Za-z0-9._-]{0,95}/)?[A-Za-z0-9_][A-Za-z0-9._-]{0,95}", re.ASCII)
MAX_INT = 2**63 - 1  # what an Int64 column holds
MAX_PARAMETERS = 10**15  # a thousand times the largest models published: beyond it a count is a data error

# What a leaderboard entry holds (docs/HUB_API); anything else is reported, since lbtools would silently drop it.
LEADERBOARD_FIELDS = frozenset(
    {"rank", "modelId", "value", "filename", "verified", "author", "source", "pullRequest", "notes",
     "lower_is_better", "num_parameters"}
)


class Problems:
    """Data problems found while parsing, grouped so each kind is reported once with a count and an example."""

    def __init__(self):
        self._seen: dict[tuple[str, str, str], list] = defaultdict(list)

    def add(self, context: str, what: str, action: str, example=None) -> None:
        self._seen[(context, what, action)].append(example)

    def extend(self, other: "Problems") -> None:
        for key, examples in other._seen.items():
            self._seen[key].extend(examples)

    def messages(self) -> list[str]:
        out = []
        for (context, what, action), examples in self._seen.items():
            shown = [repr(e) if not isinstance(e, str) else e for e in examples if e is not None][:3]
            example = f" (e.g. {', '.join(shown)})" if shown else ""
            count = len(examples)
            out.append(f"lbtools: {context}: {count} {what}{example}; {action}")
        return out

    def warn(self, stacklevel: int = 3) -> None:
        for message in self.messages():
            warn(message, DataRepairedWarning, stacklevel=stacklevel)

    def __bool__(self) -> bool:
        return bool(self._seen)


# -- ids and shapes --------------------------------------------------------------------------------------------


def repo_id_problem(value, *, namespace: bool) -> str | None:
    """Why ``value`` is not a Hub repo id (``org/name``, or a bare ``name`` when ``namespace`` is False), or None.

    The same rule for ids typed by a user and ids sent by the Hub: an id becomes part of a request's path, so
    ``../../api/whoami-v2`` or ``org/name\n`` must never pass. huggingface_hub's ``validate_repo_id`` decides what
    it can; the ASCII full match adds what it allows (a trailing newline, a leading dot, no namespace).
    """
    if not isinstance(value, str):
        return f"not a string ({type(value).__name__})"
    # The same models appear on most leaderboards: each id is judged once (a cold load checks ~35 ids per answer,
    # ~8 us each, holding the GIL while the next requests wait for it).
    if type(value) is not str:  # a subclass may hash or compare unlike the text it holds
        return _repo_id_problem.__wrapped__(value, namespace)
    return _repo_id_problem(value, namespace)


def closest_id(value: str, known, *, typos: bool = True) -> str | None:
    """The id in ``known`` that ``value`` most likely meant: the same id in another case, else (with ``typos``) the
    nearest spelling (``difflib``, ratio ≥ 0.9, compared ignoring case), else None.

    Only a user's own typing should get the nearest spelling: ``terminal-bench-2.1`` is a benchmark of its own, not a
    typo of ``terminal-bench-2.0``."""
    import difflib

    by_case = {}
    for k in known:
        by_case.setdefault(str(k).casefold(), str(k))
    wanted = str(value).casefold()
    if wanted in by_case:
        return by_case[wanted]
    near = difflib.get_close_matches(wanted, list(by_case), n=1, cutoff=0.9) if typos else []
    return by_case[near[0]] if near else None


@functools.lru_cache(maxsize=8192)
def _repo_id_problem(value: str, namespace: bool) -> str | None:
    if not _REPO_ID.fullmatch(value):
        return "not of the form org/name in ASCII letters, digits, '-', '_' and '.'"
    if namespace and "/" not in value:
        return "no organisation or user part (org/name)"
    if value.endswith(("-", ".")) or "/." in value or "/-" in value:
        return "a part that ends with '-' or '.' or starts with '.' or '-'"
    from huggingface_hub.errors import HFValidationError
    from huggingface_hub.utils import validate_repo_id

    try:
        validate_repo_id(value)
    except HFValidationError as exc:
        return str(exc).rstrip(".")
    return None


def expect_list(body) -> str | None:
    """Why ``body`` is not a list answer (the benchmark list, a leaderboard), or None."""
    if isinstance(body, list):
        return None
    return _not_expected(body, "a JSON list")


def expect_object(body) -> str | None:
    """Why ``body`` is not a repo-info answer (``model_info``), or None: an object that is not an error report."""
    if isinstance(body, dict) and not ("error" in body and "id" not in body):
        return None
    return _not_expected(body, "a JSON object")


def _not_expected(body, expected: str) -> str:
    if isinstance(body, dict) and "error" in body:
        return f"the Hub answered with an error: {_clip(str(body['error']), 200)}"
    return f"expected {expected}, got {type(body).__name__}"


def loads_json(raw: bytes):
    """The JSON value of an answer's bytes. Bytes that are not UTF-8 (one bad byte in one entry's notes) do not make
    the whole answer unreadable: they become lone surrogates inside their string, which ``to_text`` repairs per
    record with a warning, like any other invalid character."""
    try:
        return json.loads(raw)
    except UnicodeDecodeError:
        return json.loads(raw.decode("utf-8", "surrogateescape"))


# -- value coercion -------------------------------------------------------------------------------------------


def to_float(value, problems: Problems, context: str, field: str = "value"):
    if value is None:
        problems.add(context, f"entries with no {field}", "kept with an empty value")
        return None
    if isinstance(value, bool):
        problems.add(context, f"{field}s that are booleans, not numbers", "set to empty", value)
        return None
    if isinstance(value, (int, float)):
        try:
            number = float(value)
        except OverflowError:  # an integer of hundreds of digits
            problems.add(context, f"{field}s too large to be numbers", "set to empty", f"{len(str(abs(value)))} digits")
            return None
        if math.isnan(number):
            problems.add(context, f"{field}s that are NaN", "set to empty")
            return None
        if math.isinf(number):
            problems.add(context, f"{field}s that are infinite", "set to empty", value)
            return None
        return number
    if isinstance(value, str):
        text = value.strip()
        percent = text.endswith("%")
        try:
            number = float(text.rstrip("%").strip())
        except ValueError:
            problems.add(context, f"{field}s that are not numbers", "set to empty", _clip(value))
            return None
        if math.isnan(number) or math.isinf(number):
            problems.add(context, f"{field}s that are not finite numbers", "set to empty", _clip(value))
            return None
        problems.add(
            context,
            f"{field}s given as text" + (" with a % sign" if percent else ""),
            "read as numbers (the number as written, not divided by 100)",
            _clip(value),
        )
        return number
    problems.add(context, f"{field}s of type {type(value).__name__}", "set to empty", _clip(repr(value)))
    return None


def to_int(value, problems: Problems, context: str, field: str):
    if type(value) is int and -MAX_INT <= value <= MAX_INT:  # the common case, first (bool is not type int)
        return value
    if value is None:
        return None
    if isinstance(value, bool):
        problems.add(context, f"{field} values that are booleans", "set to empty", value)
        return None
    number = None
    if isinstance(value, int):
        number = value
    elif isinstance(value, float) and value.is_integer():
        number = int(value)
    elif isinstance(value, str) and value.strip().lstrip("-").isdigit() and len(value.strip()) <= 40:
        try:
            number = int(value.strip())
        except ValueError:  # digits int() does not read, such as superscripts
            number = None
        else:
            problems.add(context, f"{field} values given as text", "read as numbers", _clip(value))
    if number is None:
        problems.add(context, f"{field} values that are not whole numbers", "set to empty", _clip(repr(value)))
        return None
    if abs(number) > MAX_INT:
        problems.add(context, f"{field} values too large to store", "set to empty", _clip(str(number)))
        return None
    return number


def to_parameters(value, problems: Problems, context: str, field: str):
    """A parameter count: a whole number from 0 to ``MAX_PARAMETERS``."""
    number = to_int(value, problems, context, field)
    if number is not None and not 0 <= number <= MAX_PARAMETERS:
        problems.add(context, f"{field} values below 0 or above 10^15", "set to empty", number)
        return None
    return number


def to_bool(value, problems: Problems, context: str, field: str):
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        problems.add(context, f"{field} values given as text", "read as booleans", value)
        return value.strip().lower() == "true"
    if isinstance(value, int) and value in (0, 1):
        problems.add(context, f"{field} values given as 0/1", "read as booleans", value)
        return bool(value)
    problems.add(context, f"{field} values that are not booleans", "set to empty", _clip(repr(value)))
    return None


def to_text(value, problems: Problems, context: str, field: str):
    if type(value) is str and value.isascii() and len(value) <= MAX_TEXT:  # the common case, nothing to check
        return value
    if value is None:
        return None
    if isinstance(value, bool) or isinstance(value, (dict, list)):
        problems.add(context, f"{field} values that are not text", "set to empty", _clip(repr(value)))
        return None
    if isinstance(value, (int, float)):
        problems.add(context, f"{field} values given as numbers", "kept as text", value)
        return str(value)
    if not isinstance(value, str):
        problems.add(context, f"{field} values of type {type(value).__name__}", "set to empty")
        return None
    value = valid_unicode(value, problems, context, field)
    if len(value) > MAX_TEXT:
        problems.add(context, f"{field} values longer than {MAX_TEXT:,} characters", f"cut to {MAX_TEXT:,}")
        return value[:MAX_TEXT]
    return value


def valid_unicode(text: str, problems: Problems, context: str, field: str) -> str:
    """``text`` with lone surrogates (valid in JSON, not in Unicode text) replaced by U+FFFD.

    The frames' string columns are Arrow-backed and refuse such text, which would fail the whole load.
    """
    if text.isascii():
        return text
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        problems.add(context, f"{field} values with invalid characters (lone surrogates)", "those replaced by �",
                     _clip(text.encode("utf-8", "backslashreplace").decode("ascii")))
        return text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    return text


def to_time(value, problems: Problems, context: str, field: str):
    """A UTC ``pandas.Timestamp`` from an ISO date or time, or None."""
    if value is None:
        return None
    import pandas as pd

    if isinstance(value, str):
        try:
            stamp = pd.Timestamp(value)
        except (ValueError, TypeError, OverflowError):
            stamp = None
        if stamp is not None and not pd.isna(stamp):
            stamp = stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")
            try:
                # The frames hold nanosecond times: a year 3000 would fail the whole frame, not just this value.
                return stamp.as_unit("ns")
            except (ValueError, OverflowError):
                problems.add(context, f"{field} values outside the years 1678–2261", "set to empty", _clip(value))
                return None
    problems.add(context, f"{field} values that are not dates", "set to empty", _clip(repr(value)))
    return None


def _clip(text: str, limit: int = 40) -> str:
    text = str(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _body_list(body, what: str) -> list:
    problem = expect_list(body)
    if problem is not None:
        raise BadResponseError(f"{what}: {problem}")
    return body


# -- benchmarks ----------------------------------------------------------------------------------------------


def _listed(body, problems: Problems, context: str):
    """``(dataset_id, item)`` for each well-formed, first-listed item of the official benchmark list."""
    seen = set()
    for item in _body_list(body, "the official benchmark list"):
        if not isinstance(item, dict):
            problems.add(context, "items that are not objects", "skipped", _clip(repr(item)))
            continue
        dataset_id = item.get("id")
        if not isinstance(dataset_id, str) or not dataset_id:
            problems.add(context, "items without an id", "skipped")
            continue
        if repo_id_problem(dataset_id, namespace=True) is not None:
            problems.add(context, "ids that are not Hub dataset ids (never requested)", "skipped",
                         _clip(repr(dataset_id), 80))
            continue
        if dataset_id in seen:
            problems.add(context, "datasets listed twice", "kept once", dataset_id)
            continue
        seen.add(dataset_id)
        yield dataset_id, item


def benchmark_ids(body, problems: Problems) -> list[str]:
    """The ids of the official benchmark list, as ``benchmark_records`` would keep them, without reading the rest
    (``load_leaderboards`` needs only these: parsing the dates alone took ~2.5 ms of the time to its first request)."""
    return [dataset_id for dataset_id, _ in _listed(body, problems, "benchmark list")]


def benchmark_records(body, problems: Problems, display_names: dict) -> list[dict]:
    context = "benchmark list"
    records = []
    for dataset_id, item in _listed(body, problems, context):
        card = item.get("cardData") if isinstance(item.get("cardData"), dict) else {}
        tags = item.get("tags")
        if tags is not None and not (isinstance(tags, list) and all(isinstance(t, str) for t in tags)):
            problems.add(context, "tag lists that are not lists of text", "set to empty", dataset_id)
            tags = None
        gated = item.get("gated")
        records.append(
            {
                "dataset_id": dataset_id,
                # The benchmark's own name (its card's pretty_name) first; lbtools' table only where the card has none.
                "display_name": (to_text(card["pretty_name"], problems, context, "pretty_name")
                                 if isinstance(card.get("pretty_name"), str) else None)
                or display_names.get(dataset_id)
                or dataset_id.split("/")[-1],
                "author": to_text(item.get("author"), problems, context, "author") or dataset_id.split("/")[0],
                "created_at": to_time(item.get("createdAt"), problems, context, "createdAt"),
                "last_modified": to_time(item.get("lastModified"), problems, context, "lastModified"),
                "downloads": to_int(item.get("downloads"), problems, context, "downloads"),
                "likes": to_int(item.get("likes"), problems, context, "likes"),
                "gated": None if gated is None else to_text(str(gated).lower(), problems, context, "gated"),
                "tags": [valid_unicode(t, problems, context, "tags") for t in tags] if tags is not None else None,
                "status": to_text(item.get("status"), problems, context, "status"),
            }
        )
    return records


# -- leaderboards --------------------------------------------------------------------------------------------


def _fingerprint(entry) -> str:
    return json.dumps(entry, sort_keys=True, default=str)


def leaderboard_records(body, dataset_id: str, problems: Problems) -> list[dict]:
    """Records of one leaderboard, in the published order, ranks as published."""
    context = dataset_id
    entries = _body_list(body, f"leaderboard of {dataset_id}")
    records = []
    # An entry repeated identically has the same modelId: entries are serialised (to compare them whole) only for a
    # model seen before, which most leaderboards never have.
    first_of: dict[str, dict] = {}
    fingerprints: dict[str, set[str]] = {}
    per_model: dict[str, int] = defaultdict(int)
    for entry in entries:
        if not isinstance(entry, dict):
            problems.add(context, "leaderboard entries that are not objects", "skipped", _clip(repr(entry)))
            continue
        model_id = entry.get("modelId")
        if not isinstance(model_id, str) or not model_id.strip():
            problems.add(context, "leaderboard entries without a modelId", "skipped")
            continue
        if len(model_id) > MAX_MODEL_ID:
            problems.add(context, f"modelIds longer than {MAX_MODEL_ID} characters (not Hub ids)", "skipped",
                         _clip(model_id))
            continue
        if model_id != model_id.strip():
            problems.add(context, "modelIds with spaces around them", "spaces removed", model_id.strip())
            model_id = model_id.strip()
        if repo_id_problem(model_id, namespace=False) is not None:
            problems.add(context, "modelIds that are not Hub model ids (never requested)", "skipped",
                         _clip(repr(model_id), 80))
            continue
        if not LEADERBOARD_FIELDS.issuperset(entry):
            unknown = sorted(str(k) for k in entry if k not in LEADERBOARD_FIELDS)
            problems.add(context, "leaderboard entries with fields lbtools does not read", "those fields ignored",
                         _clip(", ".join(unknown)))
        if model_id not in first_of:
            first_of[model_id] = entry
        else:
            seen = fingerprints.setdefault(model_id, {_fingerprint(first_of[model_id])})
            fingerprint = _fingerprint(entry)
            if fingerprint in seen:
                problems.add(context, "leaderboard entries repeated identically", "kept once", model_id)
                continue
            seen.add(fingerprint)
        per_model[model_id] += 1
        author = entry.get("author")
        if isinstance(author, dict):
            author_name = to_text(author.get("name"), problems, context, "author.name")
            author_type = to_text(author.get("type"), problems, context, "author.type")
        else:
            author_name = to_text(author, problems, context, "author")
            author_type = None
        source = entry.get("source")
        if source is not None and not isinstance(source, dict):
            problems.add(context, "sources that are not objects", "set to empty", model_id)
            source = None
        source = source or {}
        lower = to_bool(entry.get("lower_is_better"), problems, context, "lower_is_better")
        value = to_float(entry.get("value"), problems, context)
        if value is not None and not lower and not 0 <= value <= 100:
            problems.add(context, "values outside 0–100", "kept as published", f"{model_id}={value:g}")
        records.append(
            {
                "dataset_id": dataset_id,
                "rank": to_int(entry.get("rank"), problems, context, "rank"),
                "model_id": model_id,
                "value": value,
                "verified": to_bool(entry.get("verified"), problems, context, "verified"),
                "author": author_name,
                "author_type": author_type,
                "source_url": to_text(source.get("url"), problems, context, "source.url"),
                "source_name": to_text(source.get("name"), problems, context, "source.name"),
                "source_is_external": to_bool(source.get("isExternal"), problems, context, "source.isExternal"),
                "filename": to_text(entry.get("filename"), problems, context, "filename"),
                "pull_request": to_int(entry.get("pullRequest"), problems, context, "pullRequest"),
                "notes": to_text(entry.get("notes"), problems, context, "notes"),
                "lower_is_better": lower,
                "num_parameters": to_parameters(entry.get("num_parameters"), problems, context, "num_parameters"),
            }
        )
    repeated = sorted(m for m, n in per_model.items() if n > 1)
    if repeated:
        for model_id in repeated:
            problems.add(context, "models listed more than once with different results", "all kept", model_id)
    ranks = [r["rank"] for r in records]
    if any(r is None for r in ranks):
        problems.add(context, "entries without a rank", "placed last", None)
    below = [r for r in ranks if r is not None and r < 1]
    if below:
        problems.add(context, "ranks below 1", "kept as published", below[0])
    known = sorted(r for r in ranks if r is not None)
    if known and known != list(range(1, len(known) + 1)):
        if len(set(known)) < len(known):
            problems.add(context, "tied ranks", "kept as published; ties ordered by model id")
        else:
            problems.add(context, "gaps in the ranks", "kept as published")
    records.sort(key=lambda r: (r["rank"] is None, r["rank"] if r["rank"] is not None else 0, r["model_id"]))
    return records


# -- eval results --------------------------------------------------------------------------------------------


def eval_result_records(body, model_id: str, problems: Problems) -> list[dict]:
    """One record per item of a model's ``evalResults``; a bad item is skipped, never the model."""
    context = model_id
    if not isinstance(body, dict):
        raise BadResponseError(f"eval results of {model_id}: expected a JSON object, got {type(body).__name__}")
    items = body.get("evalResults")
    if items is None:
        return []
    if not isinstance(items, list):
        problems.add(context, "evalResults fields that are not lists", "ignored", _clip(repr(items)))
        return []
    records = []
    for item in items:
        if not isinstance(item, dict):
            problems.add(context, "eval results that are not objects", "skipped", _clip(repr(item)))
            continue
        filename = item.get("filename") if isinstance(item.get("filename"), str) else None
        if "error" in item:
            problems.add(
                context,
                "eval-result files the Hub could not parse",
                "skipped (the model's other results are kept)",
                f"{filename or '?'}: {_clip(str(item['error']), 80)}",
            )
            continue
        data = item.get("data") if isinstance(item.get("data"), dict) else item
        dataset = data.get("dataset")
        if isinstance(dataset, dict):
            dataset_id, task_id = dataset.get("id"), dataset.get("task_id")
        elif isinstance(dataset, str):
            dataset_id, task_id = dataset, data.get("task_id")
        else:
            dataset_id, task_id = None, None
        if not isinstance(dataset_id, str) or not dataset_id:
            problems.add(context, "eval results without a dataset id", "skipped", filename)
            continue
        dataset_id = valid_unicode(dataset_id, problems, context, "dataset id")
        source = data.get("source")
        if source is not None and not isinstance(source, dict):
            problems.add(context, "eval-result sources that are not objects", "set to empty", filename)
            source = None
        source = source or {}
        source_name = source.get("name") or source.get("org") or source.get("user")
        if source_name and not source.get("url"):
            # huggingface_hub's EvalResultEntry rejects these, and with them the whole model: lbtools keeps them.
            problems.add(context, "eval results whose source has a name but no url", "kept, with no source_url",
                         filename)
        records.append(
            {
                "model_id": model_id,
                "dataset_id": dataset_id,
                "task_id": to_text(task_id, problems, context, "task_id"),
                "value": to_float(data.get("value"), problems, context),
                "verified": to_bool(item.get("verified"), problems, context, "verified"),
                "date": to_time(data.get("date"), problems, context, "date"),
                "source_url": to_text(source.get("url"), problems, context, "source.url"),
                "source_name": to_text(source_name, problems, context, "source.name"),
                "notes": to_text(data.get("notes"), problems, context, "notes"),
                "filename": to_text(filename, problems, context, "filename"),
                "pull_request": to_int(item.get("pullRequest"), problems, context, "pullRequest"),
            }
        )
    return records


# -- model metadata ------------------------------------------------------------------------------------------


def model_info_record(body, model_id: str, problems: Problems) -> dict:
    """Metadata of one model from its ``model_info`` JSON. Nothing is guessed: what the Hub lacks stays empty."""
    context = model_id
    if not isinstance(body, dict):
        raise BadResponseError(f"model info of {model_id}: expected a JSON object, got {type(body).__name__}")
    safetensors = body.get("safetensors")
    total = None
    if isinstance(safetensors, dict):
        total = to_parameters(safetensors.get("total"), problems, context, "safetensors.total")
    elif safetensors is not None:
        problems.add(context, "safetensors fields that are not objects", "ignored")
    card = body.get("cardData") if isinstance(body.get("cardData"), dict) else {}
    tags = body.get("tags") if isinstance(body.get("tags"), list) else []
    tags = [t for t in tags if isinstance(t, str)]
    license_ = card.get("license")
    if isinstance(license_, list):
        license_ = ", ".join(str(x) for x in license_)
    if not license_:
        license_ = next((t.split(":", 1)[1] for t in tags if t.startswith("license:")), None)
    base_models = []
    for tag in tags:
        if tag.startswith("base_model:"):
            base = tag.split(":")[-1]
            if base and base not in base_models:
                base_models.append(base)
    if not base_models:
        declared = card.get("base_model")
        declared = [declared] if isinstance(declared, str) else declared if isinstance(declared, list) else []
        base_models = [b for b in declared if isinstance(b, str)]
    base_models = [valid_unicode(b, problems, context, "base_model") for b in base_models]
    gated = body.get("gated")
    return {
        "model_id": model_id,
        "author": to_text(body.get("author"), problems, context, "author") or model_id.split("/")[0],
        "created_at": to_time(body.get("createdAt"), problems, context, "createdAt"),
        "num_parameters": total,
        "pipeline_tag": to_text(body.get("pipeline_tag"), problems, context, "pipeline_tag"),
        "library_name": to_text(body.get("library_name"), problems, context, "library_name"),
        "license": to_text(license_, problems, context, "license"),
        "base_models": base_models,
        "downloads": to_int(body.get("downloads"), problems, context, "downloads"),
        "likes": to_int(body.get("likes"), problems, context, "likes"),
        "gated": None if gated is None else to_text(str(gated).lower(), problems, context, "gated"),
    }


# -- dataset cards: item counts -------------------------------------------------------------------------------
# ``num_examples`` of ``cardData.dataset_info[config].splits[i]`` (``GET /api/datasets/{id}``) for the config and
# split each task of the dataset's ``eval.yaml`` names (``tasks: [{id, config, split}]``).


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
    config. Splits without an integer ``num_examples`` (from 1 to 10^12) are left out.
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
        config = str(entry.get("config_name") or "default")
        for split in entry["splits"]:
            n = split.get("num_examples") if isinstance(split, dict) else None
            # above 10^12 it is no count of examples (and 2^70 would not even fit the frame's Int64 column)
            if isinstance(n, int) and not isinstance(n, bool) and 0 < n <= 10**12 and split.get("name") is not None:
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
            config = next(iter(splits)) if len(splits) == 1 else "default"
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
