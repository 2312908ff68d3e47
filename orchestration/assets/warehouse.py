"""dbt models (staging, intermediate, dimensions, facts, marts) and their tests as Dagster assets and
asset checks. Each run passes its half-year to dbt as ANTQ_PERIOD (orchestration.dbt says why), and dbt
runs only when what it reads changed since its last successful build of the warehouse.

What the UI shows of them comes from the dbt YAML, through `AntqDbtTranslator`: a model's or seed's
`description` (never its SQL), and for each dbt test the test's own `description` or, when it has none,
a Vietnamese sentence saying what it checks. Other assets name dbt models by `dbt_key(model)`, the key
dagster-dbt gives the model, never by a string of their own."""

import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings, dbt_assets, get_asset_key_for_model

from orchestration import groups
from orchestration.dbt import DbtBuild, dbt_inputs, dbt_project, require_manifest
from orchestration.partitions import half_year_partitions
from orchestration.resources import Warehouse

_SEVERITY_VI = {"error": "lỗi", "warn": "cảnh báo"}


class AntqDbtTranslator(DagsterDbtTranslator):
    """dbt resources as antq shows them: group `warehouse`, Vietnamese descriptions from the YAML."""

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        return groups.WAREHOUSE

    def get_description(self, dbt_resource_props: Mapping[str, Any]) -> str:
        """The YAML `description` of the model, seed or source; never its raw SQL."""
        text = (dbt_resource_props.get("description") or "").strip()
        if text:
            return text
        kind = {
            "model": "Bảng",
            "seed": "Danh mục (seed)",
            "snapshot": "Ảnh chụp (snapshot)",
            "source": "Bảng nguồn",
        }.get(dbt_resource_props.get("resource_type"), "Bảng")
        path = dbt_resource_props.get("original_file_path")
        return f"{kind} {dbt_resource_props['name']} của dbt" + (f" ({path})" if path else "")

    def get_asset_check_spec(
        self, asset_spec: dg.AssetSpec, manifest: Mapping[str, Any], unique_id: str, project
    ) -> dg.AssetCheckSpec | None:
        spec = super().get_asset_check_spec(asset_spec, manifest, unique_id, project)
        if spec is None:
            return None
        return spec._replace(description=test_description(manifest, manifest["nodes"][unique_id]))


def _node_name(manifest: Mapping[str, Any], unique_id: str | None) -> str | None:
    node = manifest.get("nodes", {}).get(unique_id) or manifest.get("sources", {}).get(unique_id)
    return node.get("name") if node else None


def _ref_name(text: str | None) -> str:
    """ "ref('dim_org_unit')" -> "dim_org_unit"."""
    found = re.search(r"""ref\(\s*['"]([^'"]+)['"]""", text or "")
    return found.group(1) if found else (text or "?")


def _values(values) -> str:
    return ", ".join(f"'{v}'" if isinstance(v, str) else str(v) for v in values or [])


def test_description(manifest: Mapping[str, Any], test: Mapping[str, Any]) -> str:
    """What a dbt test checks, for the UI: its YAML `description` (or `meta.description`) when it has
    one, else a Vietnamese sentence from the test's kind and arguments, ending with the test's kind and,
    when it only warns or looks at some rows, that too."""
    own = (
        test.get("description")
        or (test.get("meta") or {}).get("description")
        or ((test.get("config") or {}).get("meta") or {}).get("description")
        or ""
    ).strip()
    if own:
        return own
    meta = test.get("test_metadata") or {}
    kind = meta.get("name")
    kwargs = meta.get("kwargs") or {}
    table = _node_name(manifest, test.get("attached_node")) or next(
        (n for n in map(lambda u: _node_name(manifest, u), test.get("depends_on", {}).get("nodes", [])) if n), "?"
    )
    column = kwargs.get("column_name") or test.get("column_name")
    if kind == "not_null":
        text = f"Cột {column} của {table} không được trống"
    elif kind == "unique":
        text = f"Mỗi giá trị của cột {column} trong {table} chỉ xuất hiện một lần"
    elif kind == "accepted_values":
        text = f"Cột {column} của {table} chỉ nhận các giá trị {_values(kwargs.get('values'))}"
    elif kind == "relationships":
        text = (
            f"Mỗi giá trị của cột {column} trong {table} đều có trong cột {kwargs.get('field')} "
            f"của {_ref_name(kwargs.get('to'))}"
        )
    elif kind == "unique_combination_of_columns":
        text = (
            f"Mỗi tổ hợp ({', '.join(kwargs.get('combination_of_columns') or [])}) chỉ xuất hiện một lần trong {table}"
        )
    elif kind == "expression_is_true":
        text = f"Mọi dòng của {table} thỏa điều kiện `{kwargs.get('expression')}`"
    elif kind == "is_half_year_key":
        text = f"Cột {column} của {table} là mã kỳ 6 tháng dạng NĂM-H1 hoặc NĂM-H2"
    elif kind:
        text = f"Kiểm thử {kind} trên " + (f"cột {column} của {table}" if column else table)
    else:
        text = (
            f"Kiểm thử riêng {test['name']} ({test.get('original_file_path')}) trên {table}: "
            "không được có dòng nào vi phạm"
        )
    config = test.get("config") or {}
    notes = [f"{kind or 'singular'}"]
    if config.get("where"):
        notes.append(f"chỉ xét các dòng có {config['where']}")
    severity = str(config.get("severity") or "error").lower()
    if severity != "error":
        notes.append(f"mức {_SEVERITY_VI.get(severity, severity)}")
    return f"{text} ({'; '.join(notes)})"


require_manifest()  # missing or stale: a clear error (or prepared under `dagster dev`), nothing written

translator = AntqDbtTranslator(settings=DagsterDbtTranslatorSettings(enable_asset_checks=True))

_UNIQUE_ID = "dagster_dbt/unique_id"
_PASSED = {"pass"}
_MATERIALISED = {"success"}


def _import_later_steps() -> None:
    """While dbt works in its own process this one only waits on its log, with a core to spare: the
    libraries of the steps after it (Great Expectations, matplotlib, python-docx, openpyxl: seconds of
    imports) are loaded meanwhile. A failure here is left for the step that needs the module to report."""
    import importlib

    for module in ("great_expectations", "expectations.run", "reports.period_report", "reports.auditors"):
        try:
            importlib.import_module(module)
        except Exception:  # noqa: BLE001 - see docstring
            return


@dbt_assets(
    manifest=dbt_project.manifest_path,
    project=dbt_project,
    partitions_def=half_year_partitions,
    dagster_dbt_translator=translator,
    pool="warehouse",
)
def warehouse_models(context: dg.AssetExecutionContext, dbt: DbtBuild, warehouse: Warehouse):
    """dbt build of the warehouse for one half-year (seeds, models and their tests)."""
    assets = context.assets_def
    keys = {spec.metadata[_UNIQUE_ID]: spec.key for spec in assets.specs}
    checks = {spec.metadata[_UNIQUE_ID]: spec.key for spec in assets.check_specs}
    # dbt's artefacts live beside the warehouse they describe, under its lock: dbt's partial parsing then
    # carries over from one build to the next, and the last-build state is kept per warehouse file.
    target = Path(warehouse.path).resolve().parent / "dbt_target"
    with warehouse.locked():
        with warehouse.open(read_only=True) as con:
            inputs = dbt_inputs(con, context.partition_key)
        result = dbt.build(
            context.partition_key,
            target,
            warehouse.path,
            inputs,
            meanwhile=_import_later_steps,
            run_id=context.run.run_id,
        )
        with warehouse.open(read_only=True) as con:  # row counts of every table, in one query
            rows = dict(
                con.execute(
                    "select table_name, estimated_size from duckdb_tables() where schema_name = 'main'"
                ).fetchall()
            )
    # a reused build says so on every model and test, with the time of the dbt run it stands for
    reused = {"dbt_reused": True, "dbt_built_at": result.built_at} if result.reused else {"dbt_reused": False}
    for r in result.results:
        uid, status = r["unique_id"], r["status"]
        if uid in keys and status in _MATERIALISED:
            name = uid.split(".")[-1]
            yield dg.MaterializeResult(
                asset_key=keys[uid],
                metadata={
                    "unique_id": uid,
                    "execution_duration": round(r.get("execution_time") or 0.0, 3),
                    **({"dagster/row_count": rows[name]} if name in rows else {}),
                    **reused,
                },
            )
        elif uid in checks and status not in ("skipped",):
            yield dg.AssetCheckResult(
                asset_key=checks[uid].asset_key,
                check_name=checks[uid].name,
                passed=status in _PASSED,
                severity=dg.AssetCheckSeverity.WARN if status == "warn" else dg.AssetCheckSeverity.ERROR,
                metadata={"unique_id": uid, "status": status, "failures": r.get("failures") or 0, **reused},
            )
    if result.returncode != 0:
        raise dg.Failure(description=f"dbt build lỗi: {_failure_text(result)}")


def _failure_text(result) -> str:
    """The first failed dbt test named with its Vietnamese description (the pipeline's invariants are dbt
    tests: `antq build` prints this line), else dbt's first error."""
    failed = [
        r["unique_id"]
        for r in result.results
        if r["unique_id"].startswith("test.") and r["status"] in ("fail", "error")
    ]
    if failed:
        manifest = json.loads(Path(dbt_project.manifest_path).read_text(encoding="utf-8"))
        node = manifest["nodes"].get(failed[0])
        if node is not None:
            return f"kiểm tra {node['name']} không đạt: {test_description(manifest, node)}"
    return result.first_error() or "xem nhật ký dbt"


def dbt_key(model: str) -> dg.AssetKey:
    """The asset key dagster-dbt gives the dbt model, seed or snapshot `model` (a KeyError names it when
    the model is gone): how the other assets depend on dbt models."""
    return get_asset_key_for_model([warehouse_models], model)
