"""The public loaders: the Hub's leaderboard data as tidy DataFrames.

Each loader resolves its source once (live Hub or snapshot, see ``lbtools.configure``), fetches raw JSON through it,
parses it record by record (``lbtools._hub.parse``), and returns a frame with the documented columns and pandas nullable
dtypes, in a deterministic order, with ``attrs["source"]`` and ``attrs["fetched_at"]``.
"""

from __future__ import annotations

from . import _format as fmt
from . import config
from .config import Token
from ._hub.fetch import (
    MODEL_INFO_EXPAND,
    fetch_benchmark_ids,
    fetch_benchmark_records,
    fetch_card_sizes,
    fetch_eval_results,
    fetch_leaderboard,
    fetch_model_info,
)
from ._hub.parse import Problems, closest_id, repo_id_problem
from ._hub.pool import fan_out
from ._hub.schema import (
    BENCHMARK_COLUMNS,
    EVAL_RESULT_COLUMNS,
    LEADERBOARD_COLUMNS,
    MODEL_INFO_COLUMNS,
    columns_of,
    empty_frame,
    frame_of_columns,
    make_frame,
)
from ._hub.sources import resolve_source
from .errors import NotFoundError, PartialLoadWarning, SnapshotError, warn

__all__ = [
    "list_benchmarks",
    "load_leaderboard",
    "load_leaderboards",
    "load_eval_results",
    "load_model_info",
    "enrich",
    "load_aggregate",
    "aggregate_to_long",
    "benchmark_sizes",
    "MODEL_INFO_EXPAND",
]

ERRORS = ("warn", "raise")


# -- argument checks -----------------------------------------------------------------------------------------


def check_repo_id(value, name: str, *, namespace: bool = True) -> str:
    """``value`` if it is a Hub repo id (``org/name``; a bare ``name`` too unless ``namespace``), else a
    TypeError/ValueError naming the argument ``name``."""
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a repo id string like 'org/name'; got {type(value).__name__}")
    problem = repo_id_problem(value, namespace=namespace)
    if problem is not None:
        raise ValueError(f"{name} must be a Hub repo id like 'org/name'; got {value!r} ({problem})")
    return value


def check_id_list(values, name: str, *, namespace: bool) -> list[str]:
    """A de-duplicated list of ids, in first-seen order; a single id string counts as a list of one."""
    if isinstance(values, str):
        values = [values]
    if isinstance(values, bytes):
        raise TypeError(f"{name} must be an id string or a list of them; got bytes")
    if isinstance(values, (set, frozenset)):
        values = sorted(values, key=str)
    try:
        items = list(values)
    except TypeError:
        raise TypeError(f"{name} must be an id string or a list of them; got {type(values).__name__}") from None
    for index, item in enumerate(items):
        check_repo_id(item, f"{name}[{index}]", namespace=namespace)
    return list(dict.fromkeys(items))


def _check_errors(errors) -> str:
    if errors not in ERRORS:
        raise ValueError(f"errors must be 'warn' or 'raise'; got {errors!r}")
    return errors


def _check_optional_bool(value, name: str):
    if value is not None and not isinstance(value, bool):
        raise TypeError(f"{name} must be True, False or None; got {type(value).__name__}")
    return value


def _check_bool(value, name: str) -> bool:
    if not isinstance(value, bool):
        raise TypeError(f"{name} must be True or False; got {type(value).__name__}")
    return value


def _settings(max_workers=None):
    return config.settings(max_workers=max_workers)


def _stamp(df, source, fetched_at, **extra):
    df.attrs["source"] = source.name
    # nothing fetched: a snapshot's rows are still as of its time; a Hub that answered nothing has no time to give
    df.attrs["fetched_at"] = fetched_at if fetched_at is not None else getattr(source, "taken_at", None)
    df.attrs.update(extra)
    return df


def _report_failures(failures: dict, summary: str, *, stacklevel: int, attr: str = "failures") -> None:
    """One warning for all ``failures`` (``{what: reason}``): ``summary``, why (the only one's reason, or the
    first's), then where each reason is kept: the reason says what to do (log in for a gated benchmark …), so
    a notes line that drops the pointer still says it."""
    if failures:
        key, reason = next(iter(sorted(failures.items())))
        why = reason if key in str(reason) else f"{key}: {reason}"
        if len(failures) > 1:
            why = f"e.g. {why}"
        warn(f"lbtools: {summary} — {why} (df.attrs[{attr!r}] says why for each)", PartialLoadWarning,
             stacklevel=stacklevel)


def _load_many(fetch, keys, *, source, settings, columns, errors, progress, refresh, desc, what, failures=None,
               report_failures=True, stacklevel=4, **extra):
    """The frame of ``fetch(source, key) -> (records, problems, fetched_at)`` over ``keys``, fetched concurrently
    (``fan_out``).

    Records come in the order of ``keys``; data problems and (when ``report_failures``) failures are each reported
    once, and the failures (plus any given ones) land in ``attrs["failures"]``. ``stacklevel`` makes the warnings
    point at the caller of the public loader: 4 when that loader calls this directly.
    """
    def fetch_columns(src, key):
        records, problems, fetched_at = fetch(src, key)
        return columns_of(records, columns), problems, fetched_at

    results, fetch_failures = fan_out(lambda key: fetch_columns(source, key), keys, max_workers=settings.max_workers,
                                      errors=errors, progress=progress, desc=desc)
    return _frame_of(results, fetch_failures, keys, source=source, columns=columns, what=what, failures=failures,
                     report_failures=report_failures, stacklevel=stacklevel + 1, **extra)


def _frame_of(results, fetch_failures, keys, *, source, columns, what, failures, report_failures, stacklevel,
              **extra):
    problems = Problems()
    chunks, times = [], []
    for key in keys:
        if key in results:
            chunk, found, fetched_at = results[key]
            chunks.append(chunk)
            problems.extend(found)
            if fetched_at is not None:
                times.append(fetched_at)
    problems.warn(stacklevel=stacklevel)
    if report_failures:
        n = len(fetch_failures)
        _report_failures(fetch_failures, f"{n} of {len(keys)} {what} failed and {fmt.verb(n, 'is', 'are')} left out",
                         stacklevel=stacklevel)
    every_failure = {**(failures or {}), **fetch_failures}
    df = frame_of_columns(chunks, columns)
    return _stamp(df, source, min(times) if times else None, failures=dict(sorted(every_failure.items())), **extra)


# -- benchmarks ----------------------------------------------------------------------------------------------


def list_benchmarks(*, token=None, refresh: bool = False):
    """The Hub's official benchmark datasets (``list_datasets(benchmark=True)``).

    Parameters
    ----------
    token : str, bool or None
        ``None`` uses ``HF_TOKEN`` or the cached login (``hf auth login``); ``False`` sends no token.
    refresh : bool
        Bypass the response cache.

    Returns
    -------
    pandas.DataFrame
        One row per official benchmark, sorted by ``dataset_id``:

        ===============  ========================  ================================================
        dataset_id       string                    ``org/name``
        display_name     string                    readable name (lbtools' table, else the card's)
        author           string
        created_at       datetime64[ns, UTC]
        last_modified    datetime64[ns, UTC]
        downloads        Int64
        likes            Int64
        gated            string                    ``"false"``, ``"auto"`` or ``"manual"``
        tags             object (list of str)
        status           string                    only in the bundled snapshot (listed / unconfirmed / …)
        ===============  ========================  ================================================
    """
    token = Token.wrap(token)  # masked from here on: no frame below holds it raw
    _check_bool(refresh, "refresh")
    source = resolve_source(config.settings(), token)
    records, fetched_at = fetch_benchmark_records(source, refresh)
    df = make_frame(records, BENCHMARK_COLUMNS).sort_values("dataset_id", kind="stable").reset_index(drop=True)
    return _stamp(df, source, fetched_at)


# -- leaderboards --------------------------------------------------------------------------------------------


def load_leaderboard(dataset_id: str, *, base_model_only: bool | None = None, token=None, refresh: bool = False):
    """One benchmark's leaderboard (``get_dataset_leaderboard``), values exactly as published.

    Parameters
    ----------
    dataset_id : str
        The benchmark dataset, e.g. ``"SWE-bench/SWE-bench_Verified"``.
    base_model_only : bool or None
        ``None``: the Hub's default view (models that declare a ``base_model`` are hidden); ``False``: every
        submitted result, fine-tunes included; ``True``: ask explicitly for base models only.
    token : str, bool or None
        For gated benchmarks: ``None`` uses ``HF_TOKEN`` or ``hf auth login``'s token; ``False`` sends none.
    refresh : bool
        Bypass the response cache.

    Returns
    -------
    pandas.DataFrame
        One row per entry, ordered by ``rank`` (ties by ``model_id``; entries without a rank last):

        ==================  =========  ====================================================
        dataset_id          string
        rank                Int64      as published (gaps and ties kept, with a warning)
        model_id            string
        value               Float64    as published (0–1 or 0–100; see ``analysis.add_normalised``)
        verified            boolean
        author              string     the model's owner
        author_type         string     ``"org"`` or ``"user"``
        source_url          string
        source_name         string
        source_is_external  boolean
        filename            string     the ``.eval_results`` file in the model repo
        pull_request        Int64
        notes               string     user-submitted text
        lower_is_better     boolean
        num_parameters      Int64      as the leaderboard reports it
        ==================  =========  ====================================================

    Raises
    ------
    GatedBenchmarkError, NotFoundError, RateLimitedError, HubUnavailableError, BadResponseError
    """
    token = Token.wrap(token)  # masked from here on: no frame below holds it raw
    check_repo_id(dataset_id, "dataset_id")
    _check_optional_bool(base_model_only, "base_model_only")
    _check_bool(refresh, "refresh")
    source = resolve_source(config.settings(), token)
    try:
        records, problems, fetched_at = fetch_leaderboard(source, dataset_id, base_model_only, refresh)
    except NotFoundError as exc:
        recorded = source.recorded_benchmarks()[0]  # a snapshot's; None from the Hub
        meant = closest_id(dataset_id, [d for d in recorded or [] if d != dataset_id])
        if meant is None or meant.casefold() == dataset_id.casefold():  # nothing near, or the source named its case
            raise
        raise NotFoundError(f"{exc}; did you mean {meant}?") from None  # an id typed by hand: its likely typo
    problems.warn()
    return _stamp(make_frame(records, LEADERBOARD_COLUMNS), source, fetched_at)


def load_leaderboards(
    dataset_ids=None,
    *,
    base_model_only: bool | None = None,
    max_workers: int | None = None,
    errors: str = "warn",
    token=None,
    refresh: bool = False,
    progress: bool | None = None,
):
    """The leaderboards of many benchmarks as one long frame, fetched concurrently.

    Parameters
    ----------
    dataset_ids : list of str, str or None
        Benchmarks to load (one id string is a list of one); ``None`` loads every official benchmark (in a
        snapshot: every recorded one). An official benchmark with no leaderboard yet is not a failure: it is
        listed in ``df.attrs["without_leaderboard"]``.
    base_model_only : bool or None
        As in ``load_leaderboard``.
    max_workers : int, optional
        Requests in flight at most (default 8, or ``LBTOOLS_MAX_WORKERS``).
    errors : {"warn", "raise"}
        ``"warn"``: keep going, leave failed benchmarks out and say why in ``df.attrs["failures"]``
        (``{dataset_id: one-line reason}``) and one warning; ``"raise"``: raise the first failure.
    token, refresh
        As in ``load_leaderboard``.
    progress : bool, optional
        Show a progress bar (default: when interactive, unless ``HF_HUB_DISABLE_PROGRESS_BARS``/``TQDM_DISABLE``).

    Returns
    -------
    pandas.DataFrame
        The ``load_leaderboard`` columns; benchmarks in the order asked (``None``: sorted by id), each by rank.
    """
    token = Token.wrap(token)  # masked from here on: no frame below holds it raw
    _check_errors(errors)
    _check_optional_bool(base_model_only, "base_model_only")
    _check_bool(refresh, "refresh")
    if dataset_ids is not None:
        ids = check_id_list(dataset_ids, "dataset_ids", namespace=True)
    settings = _settings(max_workers)
    source = resolve_source(settings, token)
    failures: dict[str, str] = {}
    listed = dataset_ids is None
    without_leaderboard: list[str] = []
    recorded = None  # the ids a snapshot recorded (None from the Hub)
    if listed:
        recorded, recorded_failures, recorded_without = source.recorded_benchmarks()
        if recorded is None:
            # Only the ids are needed: no listing frame is built (list_benchmarks sorts them the same way).
            ids = fetch_benchmark_ids(source, refresh)
        else:
            ids = sorted(recorded)
            failures.update(recorded_failures)
            without_leaderboard.extend(recorded_without)

    def fetch(src, dataset_id):
        try:
            return fetch_leaderboard(src, dataset_id, base_model_only, refresh)
        except NotFoundError:
            if not listed:
                raise
            if recorded is not None:  # a snapshot's manifest says it recorded this leaderboard: its file is gone
                raise SnapshotError(f"{src.name} recorded the leaderboard of {dataset_id}, but its file is missing: "
                                    "the snapshot is damaged; take it again or restore the folder") from None
            # Listed as an official benchmark, so it exists: it has no leaderboard yet, a normal state.
            without_leaderboard.append(dataset_id)
            return [], Problems(), None

    df = _load_many(
        fetch,
        ids,
        source=source,
        settings=settings,
        columns=LEADERBOARD_COLUMNS,
        errors=errors,
        progress=progress,
        refresh=refresh,
        desc="leaderboards",
        what="benchmarks",
        failures=failures,
    )
    df.attrs["without_leaderboard"] = sorted(without_leaderboard)
    return df


# -- eval results --------------------------------------------------------------------------------------------


def load_eval_results(
    model_ids,
    *,
    max_workers: int | None = None,
    errors: str = "warn",
    token=None,
    refresh: bool = False,
    progress: bool | None = None,
):
    """Models' own eval results (``model_info(id, expand=["evalResults"])``), parsed from the raw JSON.

    Parsing per item keeps ``verified``, ``filename`` and ``pull_request`` (the typed client drops them), and an
    item the Hub could not parse (``{"error": …}``) or a source without a url never loses the model's other results.

    Parameters
    ----------
    model_ids : list of str, or str
        Model repo ids (one id string is a list of one; an empty list gives an empty frame).
    max_workers, errors, token, refresh, progress
        As in ``load_leaderboards``.

    Returns
    -------
    pandas.DataFrame
        One row per (model, result item), models in the order given, items in the Hub's order:

        ============  ===================  ============================================
        model_id      string
        dataset_id    string               the benchmark dataset
        task_id       string               as written by the submitter (spellings vary)
        value         Float64              as published
        verified      boolean
        date          datetime64[ns, UTC]  the evaluation date, when given
        source_url    string
        source_name   string
        notes         string               user-submitted text
        filename      string               the ``.eval_results`` file
        pull_request  Int64
        ============  ===================  ============================================
    """
    token = Token.wrap(token)  # masked from here on: no frame below holds it raw
    return _per_model(fetch_eval_results, EVAL_RESULT_COLUMNS, "eval results", model_ids, max_workers=max_workers,
                      errors=errors, token=token, refresh=refresh, progress=progress)


# -- model metadata ------------------------------------------------------------------------------------------

def load_model_info(
    model_ids,
    *,
    max_workers: int | None = None,
    errors: str = "warn",
    token=None,
    refresh: bool = False,
    progress: bool | None = None,
):
    """Hub metadata of models: creation date, parameter count and more (``model_info``).

    ``num_parameters`` is ``safetensors.total`` as the Hub reports it and ``created_at`` the repository's creation
    time; nothing is guessed from model names, so a model without safetensors metadata has an empty count.

    Parameters
    ----------
    model_ids : list of str, or str
        Model repo ids (one id string is a list of one).
    max_workers, errors, token, refresh, progress
        As in ``load_leaderboards``.

    Returns
    -------
    pandas.DataFrame
        One row per model that loaded, in the order given:

        ==============  ====================  ==============================================
        model_id        string
        author          string
        created_at      datetime64[ns, UTC]   when the repository was created on the Hub
        num_parameters  Int64                 ``safetensors.total``
        pipeline_tag    string
        library_name    string
        license         string                from the card, else the ``license:`` tag
        base_models     object (list of str)  from the ``base_model:`` tags, else the card
        downloads       Int64
        likes           Int64
        gated           string
        ==============  ====================  ==============================================
    """
    token = Token.wrap(token)  # masked from here on: no frame below holds it raw
    return _per_model(fetch_model_info, MODEL_INFO_COLUMNS, "model info", model_ids, max_workers=max_workers,
                      errors=errors, token=token, refresh=refresh, progress=progress)


def _per_model(fetch, columns, desc, model_ids, *, max_workers, errors, token, refresh, progress,
               report_failures=True, failures=None):
    """The frame of ``fetch(source, model_id, refresh)`` over ``model_ids``: ``load_eval_results``,
    ``load_model_info`` and ``enrich``, each one call above this, so warnings point at their caller."""
    _check_errors(errors)
    _check_bool(refresh, "refresh")
    ids = check_id_list(model_ids, "model_ids", namespace=False)
    settings = _settings(max_workers)
    source = resolve_source(settings, token)
    if not ids:
        return _stamp(empty_frame(columns), source, None, failures=dict(failures or {}))
    return _load_many(
        lambda src, model_id: fetch(src, model_id, refresh),
        ids,
        source=source,
        settings=settings,
        columns=columns,
        errors=errors,
        progress=progress,
        refresh=refresh,
        desc=desc,
        what="models",
        report_failures=report_failures,
        stacklevel=5,
        failures=failures,
    )


def enrich(df, *, on: str = "model_id", token=None, max_workers: int | None = None, errors: str = "warn",
           refresh: bool = False, progress: bool | None = None):
    """``df`` with the ``load_model_info`` columns joined on (a left join: same rows, same order).

    Columns ``df`` already has (``author``, ``num_parameters`` on leaderboards) are kept as they are, and the model
    metadata's own values are added beside them with the suffix ``_model`` (``num_parameters_model``). Models without
    metadata get empty values, never guesses; ``attrs["enrich_failures"]`` says why a model's metadata is missing.

    Returns
    -------
    pandas.DataFrame
        ``df``'s columns, then ``created_at``, ``num_parameters`` (or ``num_parameters_model``), ``pipeline_tag``,
        ``library_name``, ``license``, ``base_models``, ``downloads``, ``likes``, ``gated``.
    """
    token = Token.wrap(token)  # masked from here on: no frame below holds it raw
    import pandas as pd

    if not isinstance(df, pd.DataFrame):
        raise TypeError(f"df must be a pandas DataFrame; got {type(df).__name__}")
    if on not in df.columns:
        raise ValueError(f"on: column {on!r} is not in df (columns: {', '.join(map(str, df.columns))})")
    from ._tables import is_aggregate_frame

    if on == "model_id" and is_aggregate_frame(df) and not df[on].astype("string").str.contains("/").any():
        # the aggregate's model_id is a slug, no Hub id: every lookup would fail
        raise ValueError("enrich: df is load_aggregate()'s frame, whose model_id is a slug ('qwen-qwen2-72b'), not a "
                         "Hub model id: enrich it on its Hub ids with enrich(df, on='model_name'), or enrich "
                         "lbtools.aggregate_to_long(df)")
    _check_errors(errors)
    values = [m for m in pd.unique(df[on].dropna())]
    # A value that is not a Hub model id is never requested: its rows are kept, with empty metadata, and said why.
    invalid = {}
    for value in values:
        problem = repo_id_problem(value, namespace=False)
        if problem is not None:
            invalid[str(value)] = f"not a Hub model id ({problem}); not requested"
    if invalid and errors == "raise":
        first = next(iter(invalid))
        raise ValueError(f"{on}: {first!r} is {invalid[first]}")
    ids = [m for m in values if str(m) not in invalid]
    # enrich leaves no row out: a model without metadata is said in enrich's own words, not as a failed load.
    info = _per_model(fetch_model_info, MODEL_INFO_COLUMNS, "model info", ids, max_workers=max_workers, errors=errors,
                      token=token, refresh=refresh, progress=progress, report_failures=False, failures=invalid)
    missing = info.attrs.get("failures") or {}
    _report_failures(
        missing,
        f"enrich: no metadata for {len(missing)} of {len(values)} models; their rows are kept with empty metadata "
        "columns",
        attr="enrich_failures",
        stacklevel=3,
    )
    info = info.rename(columns={"model_id": on})
    rename = {c: f"{c}_model" for c in info.columns if c != on and c in df.columns}
    info = info.rename(columns=rename)
    out = df.merge(info, on=on, how="left", sort=False, validate="many_to_one")
    if len(out) != len(df):  # pragma: no cover - guarded by validate above
        raise AssertionError("enrich changed the number of rows")
    out.index = df.index
    out.attrs = dict(df.attrs)
    out.attrs["enriched_from"] = info.attrs.get("source")
    out.attrs["enrich_failures"] = info.attrs.get("failures", {})
    return out


# -- the aggregate Parquet ------------------------------------------------------------------------------------


def load_aggregate(*, columns=None, revision: str | None = None, token=None, refresh: bool = False):
    """The ``OpenEvals/leaderboard-data`` Parquet: one row per model, one ``*_score`` column per benchmark.

    Downloaded through the Hub's own cache (``hf_hub_download``: revalidated by ETag, reused offline).

    Parameters
    ----------
    columns : list of str, optional
        Read only these columns (a ValueError names any that the Parquet lacks).
    revision : str, optional
        A commit or branch of the dataset, to pin an analysis.
    token, refresh
        As in ``load_leaderboard``.

    Returns
    -------
    pandas.DataFrame
        The Parquet's own columns, values unchanged, in the file's row order; ``attrs["revision"]`` is its commit.
    """
    token = Token.wrap(token)  # masked from here on: no frame below holds it raw
    import pandas as pd
    import pyarrow.parquet as pq

    import pyarrow

    if columns is not None:
        columns = _check_id_like_columns(columns)
    if revision is not None and not isinstance(revision, str):
        raise TypeError(f"revision must be a string; got {type(revision).__name__}")
    _check_bool(refresh, "refresh")
    source = resolve_source(config.settings(), token)
    path, commit, fetched_at = source.aggregate_file(revision=revision, refresh=refresh)
    try:
        if columns is not None:
            available = pq.read_schema(path).names
            missing = [c for c in columns if c not in available]
            if missing:
                raise ValueError(f"columns: not in the aggregate: {missing}; it has {available}")
        df = pd.read_parquet(path, columns=columns, dtype_backend="numpy_nullable")
    except (pyarrow.ArrowException, OSError) as exc:
        # A truncated or damaged file: say which, in the error of where it came from.
        from .errors import BadResponseError, SnapshotError

        kind = SnapshotError if source.kind == "snapshot" else BadResponseError
        raise kind(f"the aggregate Parquet {path} in {source.name} can't be read ({str(exc)[:200]}); "
                   + ("the snapshot is damaged" if source.kind == "snapshot" else
                      "download it again with refresh=True")) from None
    return _stamp(df, source, fetched_at, revision=commit)


def _check_id_like_columns(columns) -> list[str]:
    if isinstance(columns, str):
        raise TypeError(f"columns must be a list of column names, not a string; use [{columns!r}]")
    columns = list(columns)
    for c in columns:
        if not isinstance(c, str):
            raise TypeError(f"columns must hold strings; got {type(c).__name__}")
    return columns


def aggregate_to_long(df):
    """The aggregate in the ``load_leaderboards`` shape: one row per (model, benchmark) score.

    Each ``*_score`` column is mapped to its benchmark dataset id by lbtools' declarative table
    (``lbtools/data/benchmarks.csv``); ``aggregate_score`` is a mean, not a benchmark, and is left out. A ``*_score``
    column the table does not know is left out with a warning naming it.

    Returns
    -------
    pandas.DataFrame
        The ``load_leaderboard`` columns. Filled: ``dataset_id``, ``model_id`` (the Parquet's ``model_name``, the Hub
        id), ``value`` (unchanged), ``author`` (``provider``), and ``rank`` (position by value, higher first, ties
        by model id: the Parquet has no ranks). The rest are empty. Sorted by dataset id, then rank.
    """
    import pandas as pd

    from ._tables import aggregate_columns

    if not isinstance(df, pd.DataFrame):
        raise TypeError(f"df must be a pandas DataFrame; got {type(df).__name__}")
    if "model_name" not in df.columns:
        raise ValueError("df: not the aggregate (no 'model_name' column); pass lbtools.load_aggregate()")
    mapping = aggregate_columns()
    score_columns = [c for c in df.columns if str(c).endswith("_score") and c != "aggregate_score"]
    unknown = [c for c in score_columns if c not in mapping]
    if unknown:
        warn(
            f"lbtools: aggregate columns {unknown} map to no known benchmark and are left out; "
            "add them to lbtools/data/benchmarks.csv",
            PartialLoadWarning,
            stacklevel=2,
        )
    known = [c for c in score_columns if c in mapping]
    ids = ["model_name"] + (["provider"] if "provider" in df.columns else [])
    scores = _numeric_scores(df[ids + known], known)
    long = scores.melt(id_vars=ids, value_vars=known, var_name="column", value_name="value")
    long = long[long["value"].notna()].assign(dataset_id=lambda d: d["column"].map(mapping))
    long = _one_score_per_model(long)
    # The Parquet has no ranks: position by value, higher first, ties by model id.
    long = long.sort_values(["dataset_id", "value", "model_name"], ascending=[True, False, True], kind="stable")
    long["rank"] = long.groupby("dataset_id")["value"].rank(method="first", ascending=False).astype(int)
    long = long.rename(columns={"model_name": "model_id", "provider": "author"})
    records = [
        {k: (None if k == "author" and pd.isna(v) else v) for k, v in r.items() if k != "column"}
        for r in long.astype({"value": "float64"}).to_dict("records")
    ]
    out = make_frame(records, LEADERBOARD_COLUMNS)
    out.attrs = {k: v for k, v in df.attrs.items() if k in ("source", "fetched_at", "revision")}
    return out


def _numeric_scores(df, columns):
    """``df`` with every score column as float64; text is read as numbers where it is one, and anything that is not
    a finite number (other text, ``inf``, ``-inf``) is set to empty, with one DataRepairedWarning saying what."""
    import numpy as np
    import pandas as pd

    from .errors import DataRepairedWarning

    out = df.copy()
    repaired: list[str] = []
    for column in columns:
        raw = out[column]
        if pd.api.types.is_bool_dtype(raw):
            numbers = pd.Series(np.nan, index=raw.index)
            bad = raw.notna()
            if bad.any():
                repaired.append(f"{int(bad.sum())} in {column!r} that are true/false, not numbers")
        else:
            if not pd.api.types.is_numeric_dtype(raw):
                numbers = pd.to_numeric(raw.astype(object), errors="coerce")
                text = raw.notna() & numbers.isna()
                if text.any():
                    example = str(raw[text].iloc[0])[:40]
                    repaired.append(f"{int(text.sum())} in {column!r} that are text, not numbers (e.g. {example!r})")
                as_text = raw.notna() & numbers.notna()
                if as_text.any():
                    repaired.append(f"{int(as_text.sum())} in {column!r} given as text (read as numbers)")
            else:
                numbers = raw
            numbers = numbers.astype("float64")
            infinite = np.isinf(numbers.to_numpy(dtype="float64", na_value=np.nan))
            if infinite.any():
                example = out.loc[infinite, "model_name"].iloc[0]
                repaired.append(f"{int(infinite.sum())} in {column!r} that are infinite (e.g. {example})")
                numbers = numbers.mask(infinite)
        out[column] = numbers.astype("float64")
    if repaired:
        warn(
            "lbtools: aggregate scores that are not finite numbers: " + "; ".join(repaired)
            + ". Those that are not numbers were set to empty (left out of the long table).",
            DataRepairedWarning,
            stacklevel=3,
        )
    return out


def _one_score_per_model(long):
    """The first score (in the Parquet's row order) of each (model, benchmark); a warning names the models listed
    more than once and says how many later scores were dropped."""
    from .errors import DataRepairedWarning

    twice = long.duplicated(["model_name", "dataset_id"], keep="first")
    if not twice.any():
        return long
    models = sorted(long.loc[twice, "model_name"].astype(str).unique())
    shown = ", ".join(models[:5]) + (f" and {len(models) - 5} more" if len(models) > 5 else "")
    warn(
        f"lbtools: the aggregate lists {len(models)} models more than once ({shown}); kept the first score given "
        f"for each benchmark (in the Parquet's row order) and dropped {int(twice.sum())} later ones",
        DataRepairedWarning,
        stacklevel=3,
    )
    return long[~twice]


# -- item counts ---------------------------------------------------------------------------------------------

SIZE_COLUMNS = {"dataset_id": "string", "task_id": "string", "n_items": "Int64", "n_items_source": "string"}


def _user_sizes(n_items, ids):
    """``{dataset_id: n}`` from the caller's ``n_items`` (an int for one benchmark, or a mapping)."""
    if n_items is None:
        return {}
    if isinstance(n_items, dict):
        pairs = n_items.items()
    elif isinstance(n_items, int) and not isinstance(n_items, bool):
        if ids is None or len(ids) != 1:
            raise ValueError("n_items: an int gives the size of one benchmark; pass dataset_ids=[one id], or "
                             "n_items={dataset_id: n} for several")
        pairs = [(ids[0], n_items)]
    else:
        raise TypeError(f"n_items must be an int, a {{dataset_id: int}} mapping or None; got {type(n_items).__name__}")
    out = {}
    for key, n in pairs:
        check_repo_id(key, "n_items key")
        if isinstance(n, bool) or not isinstance(n, int) or n < 1:
            raise ValueError(f"n_items[{key!r}] must be a positive int; got {n!r}")
        out[key] = n
    return out


def benchmark_sizes(dataset_ids=None, *, n_items=None, token=None, refresh: bool = False):
    """How many items (questions, tasks) each benchmark has: the ``n`` behind its scores.

    Sources, in this order, per benchmark:

    1. ``"user"``: the caller's ``n_items``;
    2. ``"card"``: the benchmark dataset's card on the Hub in use (``HfApi().dataset_info(id).card_data``, i.e.
       ``cardData.dataset_info[...].splits[i].num_examples``) for the config and split that each task of the
       dataset's ``eval.yaml`` names, or the only split when the card has one and there is no ``eval.yaml``;
    3. ``"table"``: lbtools' table ``lbtools/data/benchmark_sizes.csv`` (the official benchmarks of the bundled
       snapshot; each row has a provenance URL and a note saying where a count is uncertain).

    A benchmark none of them knows gets one row with ``n_items`` NA; ``attrs["missing"]`` says why for each. Snapshots
    record the cards and ``eval.yaml`` files they used, so this works offline on them too; the bundled snapshot has
    no cards and uses the table.

    Parameters
    ----------
    dataset_ids : list of str, optional
        Benchmark dataset ids; None: every official benchmark.
    n_items : int or dict, optional
        The caller's counts: an int when ``dataset_ids`` has one id, or ``{dataset_id: n}``.
    token, refresh
        As in ``load_leaderboard``.

    Returns
    -------
    pandas.DataFrame
        One row per (benchmark, task), benchmarks in the order given (sorted when ``dataset_ids`` is None), tasks in
        their ``eval.yaml`` / table order; the first row of a benchmark is the count ``rank_intervals`` uses:

        ==============  ======  ==============================================
        dataset_id      string
        task_id         string  the ``eval.yaml`` task id; NA when not known
        n_items         Int64   NA when no source knows it
        n_items_source  string  ``"user"``, ``"card"`` or ``"table"``; NA when missing
        ==============  ======  ==============================================
    """
    token = Token.wrap(token)  # masked from here on: no frame below holds it raw
    import pandas as pd

    from ._tables import item_count_rows

    ids = None if dataset_ids is None else check_id_list(dataset_ids, "dataset_ids", namespace=True)
    user = _user_sizes(n_items, ids)
    settings = _settings()
    source = resolve_source(settings, token)
    asked = ids is not None
    if ids is None:
        ids = fetch_benchmark_ids(source, refresh)
    to_fetch = [d for d in ids if d not in user]
    cards, failed = fan_out(
        lambda d: fetch_card_sizes(source, d, refresh),
        to_fetch,
        max_workers=settings.max_workers,
        errors="warn",
        progress=False,
        desc="dataset cards",
    )
    table: dict[str, list] = {}
    for row in item_count_rows():
        table.setdefault(row["dataset_id"], []).append(row)
    rows, missing, typos = [], {}, {}
    for dataset_id in ids:
        if dataset_id in user:
            rows.append((dataset_id, None, user[dataset_id], "user"))
            continue
        counts, reason = cards.get(dataset_id, ([], failed.get(dataset_id, "")))
        if counts:
            rows.extend((dataset_id, task, n, "card") for task, n in counts)
        elif dataset_id in table:
            rows.extend((dataset_id, r["task_id"], r["n_items"], "table") for r in table[dataset_id])
        else:
            rows.append((dataset_id, None, None, None))
            missing[dataset_id] = f"{reason}; not in lbtools' table either" if reason else "not in lbtools' table"
            meant = closest_id(dataset_id, table) if asked else None
            if meant is not None:  # an id typed in another case or misspelt: said, not left as a silent NA
                typos[dataset_id] = meant
    _report_failures(failed, f"{len(failed)} of {len(to_fetch)} dataset cards could not be read, so lbtools' table "
                             "gives their counts where it has them", stacklevel=3)
    if typos:
        warn("lbtools: benchmark_sizes: no item count for "
             + ", ".join(f"{d} (did you mean {m}?)" for d, m in typos.items())
             + " (df.attrs['missing'] says why for each)", PartialLoadWarning, stacklevel=2)
    columns = list(SIZE_COLUMNS)
    df = pd.DataFrame({c: pd.array([r[i] for r in rows], dtype=SIZE_COLUMNS[c]) for i, c in enumerate(columns)})
    return _stamp(df, source, None, missing=missing, failures=dict(sorted(failed.items())))
