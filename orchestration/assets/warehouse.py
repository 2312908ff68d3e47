"""dbt models (staging, intermediate, dimensions, facts, marts) and their tests as Dagster assets and
asset checks. Each run passes its half-year to dbt as ANTQ_PERIOD (orchestration.dbt says why), and dbt
runs only when what it reads changed since its last successful build of the warehouse."""

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings, dbt_assets

from orchestration.dbt import DbtBuild, dbt_inputs, dbt_project, ensure_manifest
from orchestration.partitions import half_year_partitions
from orchestration.resources import Warehouse


class AntqDbtTranslator(DagsterDbtTranslator):
    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        return "warehouse"


ensure_manifest()  # a fresh clone or edited models: parse once, before the decorator reads it

translator = AntqDbtTranslator(settings=DagsterDbtTranslatorSettings(enable_asset_checks=True))

_UNIQUE_ID = "dagster_dbt/unique_id"
_PASSED = {"pass"}
_MATERIALISED = {"success"}


def _import_later_steps() -> None:
    """While dbt works in its own process this one only waits on its log, with a core to spare: the
    libraries of the steps after it (Great Expectations, matplotlib, python-docx, openpyxl: seconds of
    imports) are loaded meanwhile. A failure here is left for the step that needs the module to report."""
    import importlib

    for module in ("great_expectations", "expectations.docs_view", "reports.period_report", "reports.auditors"):
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
        result = dbt.build(context.partition_key, target, warehouse.path, inputs, meanwhile=_import_later_steps)
        with warehouse.open(read_only=True) as con:  # row counts of every table, in one query
            rows = dict(con.execute("select table_name, estimated_size from duckdb_tables() "
                                    "where schema_name = 'main'").fetchall())
    # a reused build says so on every model and test, with the time of the dbt run it stands for
    reused = {"dbt_reused": True, "dbt_built_at": result.built_at} if result.reused else {"dbt_reused": False}
    for r in result.results:
        uid, status = r["unique_id"], r["status"]
        if uid in keys and status in _MATERIALISED:
            name = uid.split(".")[-1]
            yield dg.MaterializeResult(asset_key=keys[uid], metadata={
                "unique_id": uid,
                "execution_duration": round(r.get("execution_time") or 0.0, 3),
                **({"dagster/row_count": rows[name]} if name in rows else {}),
                **reused,
            })
        elif uid in checks and status not in ("skipped",):
            yield dg.AssetCheckResult(
                asset_key=checks[uid].asset_key, check_name=checks[uid].name,
                passed=status in _PASSED,
                severity=dg.AssetCheckSeverity.WARN if status == "warn" else dg.AssetCheckSeverity.ERROR,
                metadata={"unique_id": uid, "status": status, "failures": r.get("failures") or 0, **reused},
            )
    if result.returncode != 0:
        raise dg.Failure(description=f"dbt build lỗi: {result.first_error() or 'xem nhật ký dbt'}")
