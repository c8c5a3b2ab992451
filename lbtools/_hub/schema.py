"""The documented columns of every loader's frame and their pandas nullable dtypes, in order."""

from __future__ import annotations

import itertools

UTC_TIME = "datetime64[ns, UTC]"

BENCHMARK_COLUMNS = {
    "dataset_id": "string",
    "display_name": "string",
    "author": "string",
    "created_at": UTC_TIME,
    "last_modified": UTC_TIME,
    "downloads": "Int64",
    "likes": "Int64",
    "gated": "string",
    "tags": "object",
    "status": "string",
}

LEADERBOARD_COLUMNS = {
    "dataset_id": "string",
    "rank": "Int64",
    "model_id": "string",
    "value": "Float64",
    "verified": "boolean",
    "author": "string",
    "author_type": "string",
    "source_url": "string",
    "source_name": "string",
    "source_is_external": "boolean",
    "filename": "string",
    "pull_request": "Int64",
    "notes": "string",
    "lower_is_better": "boolean",
    "num_parameters": "Int64",
}

EVAL_RESULT_COLUMNS = {
    "model_id": "string",
    "dataset_id": "string",
    "task_id": "string",
    "value": "Float64",
    "verified": "boolean",
    "date": UTC_TIME,
    "source_url": "string",
    "source_name": "string",
    "notes": "string",
    "filename": "string",
    "pull_request": "Int64",
}

MODEL_INFO_COLUMNS = {
    "model_id": "string",
    "author": "string",
    "created_at": UTC_TIME,
    "num_parameters": "Int64",
    "pipeline_tag": "string",
    "library_name": "string",
    "license": "string",
    "base_models": "object",
    "downloads": "Int64",
    "likes": "Int64",
    "gated": "string",
}


def empty_frame(columns: dict):
    import pandas as pd

    return pd.DataFrame({name: pd.Series([], dtype=dtype) for name, dtype in columns.items()})


def make_frame(records: list[dict], columns: dict):
    """A frame with exactly ``columns`` (missing keys become NA) in their declared dtypes."""
    return frame_of_columns([columns_of(records, columns)], columns)


def columns_of(records: list[dict], columns: dict) -> dict[str, list]:
    """``records`` as one list per column (a missing key is None): what ``frame_of_columns`` joins. A fan-out makes
    these as each answer arrives, so the frame at its end only joins lists."""
    return {name: [record.get(name) for record in records] for name in columns}


def frame_of_columns(chunks: list[dict], columns: dict):
    """The frame of ``columns_of`` chunks, in order."""
    import pandas as pd

    if not any(chunk[next(iter(columns))] for chunk in chunks):
        return empty_frame(columns)
    data = {name: _column(list(itertools.chain.from_iterable(chunk[name] for chunk in chunks)), dtype)
            for name, dtype in columns.items()}
    return pd.DataFrame(data, copy=False)


# Nullable dtypes built through Arrow: its C++ conversion of a list is 2–4× faster than ``pd.array``'s inference
# (about 2 ms of a 2,240-row leaderboard frame), and ``__from_arrow__`` is how pandas itself reads Arrow data.
_ARROW_TYPES = {"string": "large_string", "Int64": "int64", "Float64": "float64", "boolean": "bool_"}


def _column(values: list, dtype: str):
    import pandas as pd

    if dtype == UTC_TIME:
        return pd.to_datetime(pd.Series(values, dtype="object"), utc=True, errors="coerce").astype(UTC_TIME)
    if dtype == "object":
        return pd.Series(values, dtype="object")
    arrow_type = _ARROW_TYPES.get(dtype)
    if arrow_type is not None:
        import pyarrow as pa

        try:
            array = pa.array(values, type=getattr(pa, arrow_type)(), from_pandas=True)
            return pd.api.types.pandas_dtype(dtype).__from_arrow__(array)
        except (pa.ArrowException, TypeError, ValueError, OverflowError):
            pass  # what Arrow refuses (an integer past 64 bits, a value of another type), pandas converts or explains
    return pd.array(values, dtype=dtype)
