"""Publication assets: the period's CSV files of contract section 6, written into the run's stage folder
(published under OUT/PERIOD/ by `period_release`)."""

import dagster as dg

import catalog
from orchestration import groups
from orchestration.assets.warehouse import dbt_key
from orchestration.partitions import half_year_partitions, partitioned_asset_check
from orchestration.resources import AntqPaths, Warehouse

DATA_DOCS = dg.AssetKey("data_docs")  # orchestration.assets.quality.data_docs (which imports this module)


@dg.asset(
    # the figures wait for the quality gate: the blocking checks on the staged tables (data_docs) and on
    # the marts (orchestration.assets.quality)
    deps=[dbt_key("mart_indicators"), DATA_DOCS],
    group_name=groups.PUBLICATION,
    partitions_def=half_year_partitions,
    pool="warehouse",
    kinds={"csv"},
)
def indicators_csv(context: dg.AssetExecutionContext, paths: AntqPaths, warehouse: Warehouse) -> dg.MaterializeResult:
    """indicators.csv: the published figures for the province and each district (contract section 6)."""
    from reports import published

    period = context.partition_key
    out_dir = paths.stage_dir(period, context.run.run_id)
    with warehouse.connect(read_only=True) as con:
        path, rows = published.write_indicators(con, period, out_dir)
        province = dict(
            con.execute(
                "select indicator, achieved from main.mart_indicators where period = ? and org_unit_level = 'province'",
                [period],
            ).fetchall()
        )
    return dg.MaterializeResult(
        metadata={
            "dagster/row_count": rows,
            "path": dg.MetadataValue.path(paths.public_path(period, path)),
            **{f"province.{k}": v for k, v in province.items()},
        }
    )


@partitioned_asset_check(asset=indicators_csv, blocking=True)
def every_indicator_published(context: dg.AssetCheckExecutionContext, paths: AntqPaths) -> dg.AssetCheckResult:
    """A failure of the pipeline itself: the file must hold every catalogue indicator for the province,
    and achieved never above total."""
    import csv

    path = paths.stage_dir(context.partition_key, context.run.run_id) / "indicators.csv"
    with open(path, encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    province = {r["indicator"] for r in rows if r["org_unit_level"] == "province"}
    missing = [i["indicator"] for i in catalog.indicators() if i["indicator"] not in province]
    over = [
        f"{r['org_unit_code']} {r['indicator']}" for r in rows if r["total"] and int(r["achieved"]) > int(r["total"])
    ]
    return dg.AssetCheckResult(
        passed=not missing and not over and bool(rows),
        metadata={
            "rows": len(rows),
            "missing_indicators": ", ".join(missing) or "—",
            "achieved_above_total": ", ".join(over[:20]) or "—",
        },
    )


@dg.asset(
    deps=[dbt_key("mart_dq_findings"), dbt_key("mart_submissions"), DATA_DOCS],
    group_name=groups.PUBLICATION,
    partitions_def=half_year_partitions,
    pool="warehouse",
    kinds={"csv"},
)
def dq_findings_csv(context: dg.AssetExecutionContext, paths: AntqPaths, warehouse: Warehouse) -> dg.MaterializeResult:
    """dq_findings.csv: one row per data-quality finding of the period, with its cell and a Vietnamese message."""
    from reports import published

    period = context.partition_key
    with warehouse.connect(read_only=True) as con:
        rows = published.findings(con, period)
    path, count = published.write_findings(rows, paths.stage_dir(period, context.run.run_id))
    by_severity = published.count_by(rows, "severity")
    return dg.MaterializeResult(
        metadata={
            "dagster/row_count": count,
            "path": dg.MetadataValue.path(paths.public_path(period, path)),
            **{f"severity.{k}": v for k, v in sorted(by_severity.items())},
        }
    )
