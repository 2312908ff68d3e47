"""Runs the Great Expectations suites of `expectations/suites/` for one period as one checkpoint and
writes its results under OUT/PERIOD/data_docs/: `summary.json` and our own Vietnamese, self-contained
validation page `index.html` (reports.validation_page). Great Expectations' own Data Docs site is not
built: its frame is English and loads its scripts, styles and icons from CDNs.

The frames are written as Parquet batches next to the results (`data_docs/batches/`), so the checkpoint
validates every staged table in one run and an auditor can open exactly the rows that were validated.
Value sets, code patterns and the period's year reach the suites as suite parameters taken from the
catalogues, so no vocabulary is spelled twice.

A rebuild whose validated rows, suites and code are unchanged reuses the results already written for
the period (their summary records a fingerprint of those inputs) without importing Great Expectations;
with a `cache_dir` (the orchestrator keeps one beside the warehouse), also when they were written into
another output folder. Nothing written names a path of the build machine: the summary's `data_docs` is
relative to the period's folder.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import uuid
from collections.abc import Mapping
from importlib.metadata import version
from pathlib import Path

import catalog
import expectations
from expectations.frames import period_frames
from ingestion.register import MANAGED_BY, PARENT_LEVELS

DOCS_FOLDER = "data_docs"
SUMMARY_FILE = "summary.json"
INDEX = f"{DOCS_FOLDER}/index.html"  # relative to OUT/PERIOD, as reports.auditors links it
SAMPLE_SIZE = 20
VALUES_SHOWN = 5  # unexpected values listed per expectation on the page


def parameters(period: str) -> dict:
    """Suite parameters ($PARAMETER in the suites) from the catalogues and the period."""
    wb = catalog.workbook()
    vocab = wb["vocab"]
    widths = wb["code_width"]
    params = {
        "period_year": int(period[:4]),
        "ingestion_checks": sorted(c for c, spec in catalog.checks().items() if spec["runs_in"] == "ingestion"),
        "reporting_levels": sorted(wb["levels"]),
        "register_levels": sorted(PARENT_LEVELS),
        "managing_levels": sorted(MANAGED_BY),
        "agency_kinds": sorted(vocab["agency_kind"]),
        "support_types": sorted(vocab["support_type"]),
        "award_types": sorted(vocab["award_type"]),
        "recipient_kinds": sorted(vocab["recipient"]),
        "summary_items": sorted(vocab["summary_item"]),
        "model_groups": sorted(int(k) for k in vocab["model_group"]),
        "reporter_code_pattern": "^(" + "|".join(f"[0-9]{{{widths[level]}}}" for level in sorted(wb["levels"])) + ")$",
    }
    for level, width in widths.items():
        params[f"{level}_code_pattern"] = f"^[0-9]{{{width}}}$"
    return params


def fingerprint(frames: dict, definitions: dict, period: str) -> str | None:
    """What the Data Docs of a period depend on: the validated rows, the suites, their parameters, this
    module and the GX version. None when a frame cannot be hashed (then nothing is reused)."""
    import pandas as pd

    digest = hashlib.sha256()
    digest.update(
        json.dumps(
            [definitions, parameters(period), version("great_expectations")], sort_keys=True, default=str
        ).encode()
    )
    for source in _rendering_sources():
        digest.update(source.read_bytes())
    try:
        for name in sorted(frames):
            frame = frames[name]
            digest.update(json.dumps([name, list(map(str, frame.columns)), list(map(str, frame.dtypes))]).encode())
            digest.update(pd.util.hash_pandas_object(frame, index=False).values.tobytes())
    except TypeError:
        return None
    return digest.hexdigest()


def _rendering_sources() -> list[Path]:
    """The code and data that shape what is written: this module, the page's renderer and template,
    the Vietnamese phrases."""
    from reports import validation_page

    return [Path(__file__), *validation_page.sources(), expectations.PHRASES]


def _reusable(docs_dir: Path, key: str | None) -> dict | None:
    """The summary of the Data Docs already in `docs_dir` when they were built from the same inputs."""
    try:
        with open(docs_dir / SUMMARY_FILE, encoding="utf-8") as fh:
            summary = json.load(fh)
    except (OSError, ValueError):
        return None
    if key is None or summary.get("fingerprint") != key or not (docs_dir / "index.html").is_file():
        return None
    return {**summary, "reused": True}


def _context():
    import great_expectations as gx
    from great_expectations.data_context.types.base import (
        DataContextConfig,
        InMemoryStoreBackendDefaults,
        ProgressBarsConfig,
    )

    config = DataContextConfig(
        store_backend_defaults=InMemoryStoreBackendDefaults(init_temp_docs_sites=False),
        analytics_enabled=False,
        progress_bars=ProgressBarsConfig(globally=False),
        data_docs_sites={},
    )
    return gx.get_context(project_config=config, mode="ephemeral")


def run_period(source, period: str, out_dir: str | Path, cache_dir: str | Path | None = None) -> dict:
    """Validate the period's staged tables and write the results in `out_dir`/data_docs.

    `source` is a DuckDB connection to the warehouse, or a mapping of staged table name -> DataFrame
    (every suite's table must be there). Returns, and writes as data_docs/summary.json, per suite:
    success, rows validated, expectations evaluated and failed, each expectation with its result
    (`expectations`), and for each failed expectation its unexpected count and a sample of failing rows
    (file, sheet, Excel row or register code, value); `blocking_failures` lists the failed expectations
    marked `meta.blocking` (the figures cannot be trusted: publication waits). The page
    data_docs/index.html shows the same in Vietnamese."""
    definitions = expectations.suites()
    if isinstance(source, Mapping):
        missing = sorted(set(definitions) - set(source))
        if missing:
            raise KeyError(f"no frame for suites {missing}")
        frames = {name: source[name].reset_index(drop=True) for name in definitions}
    else:
        frames = period_frames(source, period, list(definitions))

    docs_dir = Path(out_dir) / DOCS_FOLDER
    key = fingerprint(frames, definitions, period)
    reused = _reusable(docs_dir, key)
    if reused:  # same rows, same suites: the results on disk are what this run would write (GX not imported)
        return reused
    cached = Path(cache_dir) / period if cache_dir is not None else None
    if cached is not None and _reusable(cached, key):  # the same docs, built for another output folder
        try:
            return _copy_docs(cached, docs_dir)
        except OSError:  # replaced meanwhile by a build of another warehouse in the same folder: validate
            pass
    import great_expectations as gx
    from great_expectations.core.run_identifier import RunIdentifier

    from reports import validation_page

    shutil.rmtree(docs_dir, ignore_errors=True)  # the results describe this run only
    batches = docs_dir / "batches"
    batches.mkdir(parents=True)
    for name, frame in frames.items():
        frame.to_parquet(batches / f"{name}.parquet", index=False)

    context = _context()
    source_def = context.data_sources.add_pandas_filesystem("antq_staged", base_directory=batches)
    validations = []
    for name, definition in definitions.items():
        batch = source_def.add_parquet_asset(name).add_batch_definition_path(period, path=f"{name}.parquet")
        suite = context.suites.add(gx.ExpectationSuite(**definition))
        validations.append(
            context.validation_definitions.add(
                gx.ValidationDefinition(name=f"{name} {period}", data=batch, suite=suite)
            )
        )
    checkpoint = context.checkpoints.add(
        gx.Checkpoint(
            name=f"antq {period}",
            validation_definitions=validations,
            actions=[],
            result_format={"result_format": "COMPLETE"},
        )
    )
    params = parameters(period)
    result = checkpoint.run(expectation_parameters=params, run_id=RunIdentifier(run_name=f"antq {period}"))

    summary = {**_summary(result, frames, definitions, period, params), "fingerprint": key, "reused": False}
    _write_summary(docs_dir, summary)
    validation_page.write(docs_dir / "index.html", summary)
    if cached is not None:
        try:
            _copy_docs(docs_dir, cached)
        except OSError:
            # the cache beside the warehouses of one folder is shared: a build of another warehouse put its
            # copy there meanwhile. Its copy stands (each carries the fingerprint of what it describes).
            pass
    return summary


def _write_summary(docs_dir: Path, summary: dict) -> None:
    with open(docs_dir / SUMMARY_FILE, "w", encoding="utf-8") as fh:
        json.dump(summary, fh, ensure_ascii=False, indent=1, default=str)


def _copy_docs(source: Path, dest: Path) -> dict:
    """Put a copy of the results in `source` at `dest` (replaced whole, through a temporary sibling of
    this process's own so that a reader never sees half of it) and return its summary."""
    partial = dest.with_name(f"{dest.name}.partial-{os.getpid()}-{uuid.uuid4().hex[:8]}")
    try:
        shutil.copytree(source, partial)
        shutil.rmtree(dest, ignore_errors=True)
        partial.rename(dest)
    finally:
        shutil.rmtree(partial, ignore_errors=True)
    summary = json.loads((dest / SUMMARY_FILE).read_text(encoding="utf-8"))
    return {**summary, "reused": True}


def _columns_of(kwargs: dict) -> list[str]:
    if "column" in kwargs:
        return [kwargs["column"]]
    if "column_A" in kwargs:
        return [kwargs["column_A"], kwargs["column_B"]]
    return list(kwargs.get("column_list", []))


def _plain(value):
    """A JSON-friendly scalar (numpy and pandas scalars, NaN/NA as None)."""
    if value is None:
        return None
    try:
        import pandas as pd

        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    return value.item() if hasattr(value, "item") else value


def _resolved(value, params: dict):
    """Suite parameters ({"$PARAMETER": name}) replaced by their value, for people to read."""
    if isinstance(value, dict):
        if set(value) == {"$PARAMETER"}:
            return params.get(value["$PARAMETER"], value["$PARAMETER"])
        return {k: _resolved(v, params) for k, v in value.items()}
    if isinstance(value, list):
        return [_resolved(v, params) for v in value]
    return value


_NOT_SHOWN = {"result_format", "catch_exceptions", "batch_id", "include_config"}


def _values(result: dict) -> list:
    """A few distinct unexpected values, JSON-friendly."""
    shown = []
    for value in result.get("partial_unexpected_list") or []:
        value = {k: _plain(v) for k, v in value.items()} if isinstance(value, dict) else _plain(value)
        if value not in shown:
            shown.append(value)
        if len(shown) == VALUES_SHOWN:
            break
    return shown


def _summary(result, frames: dict, definitions: dict, period: str, params: dict) -> dict:
    suites = {}
    for validation in result.run_results.values():
        name = validation.suite_name
        frame = frames[name]
        reference = definitions[name].get("meta", {}).get("row_reference", [])
        evaluated = []
        for er in validation.results:
            config = er.expectation_config
            meta = config.meta or {}
            outcome = er.result or {}
            columns = _columns_of(config.kwargs)
            sample = []
            if not er.success:
                for index in (outcome.get("unexpected_index_list") or [])[:SAMPLE_SIZE]:
                    row = frame.iloc[index] if isinstance(index, int) else None
                    if row is None:
                        continue
                    sample.append({c: _plain(row[c]) for c in [*reference, *columns] if c in frame.columns})
            evaluated.append(
                {
                    "type": config.type,
                    "columns": columns,
                    "kwargs": {
                        k: _resolved(v, params) for k, v in sorted(config.kwargs.items()) if k not in _NOT_SHOWN
                    },
                    "kind": meta.get("kind", "structure"),
                    "blocking": bool(meta.get("blocking", False)),
                    "finding": meta.get("finding"),
                    "description": config.description,
                    "success": bool(er.success),
                    "element_count": outcome.get("element_count"),
                    "unexpected_count": outcome.get("unexpected_count"),
                    "unexpected_percent": outcome.get("unexpected_percent"),
                    "observed_value": _plain(outcome.get("observed_value")),
                    "unexpected_values": [] if er.success else _values(outcome),
                    "error": (er.exception_info or {}).get("exception_message")
                    if (er.exception_info or {}).get("raised_exception")
                    else None,
                    "sample": sample,
                }
            )
        stats = validation.statistics
        failed = [e for e in evaluated if not e["success"]]
        suites[name] = {
            "success": bool(validation.success),
            "title_vi": definitions[name].get("meta", {}).get("title_vi", name),
            "rows": len(frame),
            "evaluated": stats["evaluated_expectations"],
            "failed": stats["unsuccessful_expectations"],
            "blocking_failed": sum(1 for e in failed if e["blocking"]),
            "failed_expectations": failed,
            "expectations": evaluated,
        }
    suites = dict(sorted(suites.items()))
    return {
        "period": period,
        "success": all(s["success"] for s in suites.values()),
        "data_docs": INDEX,
        "blocking_failures": [
            {"suite": n, **{k: e[k] for k in ("type", "columns", "description", "unexpected_count", "error")}}
            for n, s in suites.items()
            for e in s["failed_expectations"]
            if e["blocking"]
        ],
        "suites": suites,
    }
