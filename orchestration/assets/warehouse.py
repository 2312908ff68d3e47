"""dbt models (staging, intermediate, dimensions, facts, marts) and their tests as Dagster assets and
asset checks. Each run passes its half-year as the dbt var `period`."""

import json
from pathlib import Path
from collections.abc import Mapping
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings, DbtCliResource, dbt_assets

from orchestration.dbt import dbt_project, ensure_manifest
from orchestration.partitions import half_year_partitions
from orchestration.resources import Warehouse


class AntqDbtTranslator(DagsterDbtTranslator):
    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        return "warehouse"


ensure_manifest()  # a fresh clone or edited models: parse once, before the decorator reads it

translator = AntqDbtTranslator(settings=DagsterDbtTranslatorSettings(enable_asset_checks=True))


@dbt_assets(
    manifest=dbt_project.manifest_path,
    project=dbt_project,
    partitions_def=half_year_partitions,
    dagster_dbt_translator=translator,
    pool="warehouse",
)
def warehouse_models(context: dg.AssetExecutionContext, dbt: DbtCliResource, warehouse: Warehouse):
    """dbt build of the warehouse for one half-year (seeds, models and their tests)."""
    args = ["build", "--vars", json.dumps({"period": context.partition_key})]
    # dbt's artefacts live beside the warehouse they describe, under its lock: dbt's partial parsing then
    # carries over from one build to the next (several seconds each) and two warehouses never share them.
    target = Path(warehouse.path).resolve().parent / "dbt_target"
    with warehouse.for_subprocess():
        yield from dbt.cli(args, context=context, target_path=target).stream()
