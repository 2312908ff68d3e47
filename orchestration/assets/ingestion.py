"""Ingestion assets: the register and the inbox land in the raw tables that dbt reads as sources."""

import dagster as dg

import catalog
from orchestration import groups
from orchestration.partitions import half_year_partitions, partitioned_asset_check
from orchestration.progress import reporter
from orchestration.resources import AntqPaths, Warehouse

RAW_INBOX_TABLES = ["files", *catalog.raw_tables(), "cell_issues"]
RAW_REGISTER_TABLES = ["register_org_units", "register_agencies", "register_crosswalk"]


@dg.multi_asset(
    specs=[
        dg.AssetSpec(["raw", t], description=f"Danh mục (register): bảng raw.{t}", kinds={"duckdb"})
        for t in RAW_REGISTER_TABLES
    ],
    group_name=groups.INGESTION,
    partitions_def=half_year_partitions,
    pool="warehouse",
    can_subset=False,
)
def register(context: dg.AssetExecutionContext, paths: AntqPaths, warehouse: Warehouse):
    """Loads the register (org_units.csv, agencies.csv): who must report, and the denominators."""
    from ingestion.register import load_register

    with warehouse.connect() as con:
        counts = load_register(con, paths.register_dir)
    for table in RAW_REGISTER_TABLES:
        yield dg.MaterializeResult(
            asset_key=["raw", table],
            metadata={"dagster/row_count": counts.get(table, 0), "register": dg.MetadataValue.path(paths.register_dir)},
        )


@dg.multi_asset(
    specs=[
        # the register bounds the rows read per sheet (row limits scaled by its counts): it loads first
        dg.AssetSpec(
            ["raw", t],
            description=f"Báo cáo nộp lên: bảng raw.{t}",
            kinds={"duckdb"},
            deps=[dg.AssetKey(["raw", r]) for r in RAW_REGISTER_TABLES],
        )
        for t in RAW_INBOX_TABLES
    ],
    group_name=groups.INGESTION,
    partitions_def=half_year_partitions,
    pool="warehouse",
    can_subset=False,
)
def inbox(context: dg.AssetExecutionContext, paths: AntqPaths, warehouse: Warehouse):
    """Reads every workbook of the inbox (all periods; unchanged files are not parsed again) into the
    raw tables, each row with its file, SHA-256, sheet and Excel row. Unreadable files are recorded.
    Each sheet is read at most its row limit, scaled by the register loaded before (issue 14)."""
    from ingestion.inbox import ingest_inbox  # pyarrow, python-calamine: only in this step
    from ingestion.workbook import register_row_limits

    with warehouse.connect() as con:
        row_limits = register_row_limits(con)
        # every tenth in the run log; a live counter too when `antq build` runs on a terminal
        summary = ingest_inbox(
            con,
            paths.inbox_dir,
            row_limits=row_limits,
            progress=reporter("Đang đọc {done}/{total} tệp", log=context.log.info),
        )
        counts = {t: con.execute(f"select count(*) from raw.{t}").fetchone()[0] for t in RAW_INBOX_TABLES}
        period_files = con.execute(
            "select count(*) filter (where status = 'ingested'), count(*) filter (where status = 'rejected') "
            "from raw.files where period = ? or period is null",
            [context.partition_key],
        ).fetchone()
    context.log.info(
        f"Hộp thư: {summary.files_seen} tệp, đọc mới {summary.parsed}, không đổi {summary.unchanged}, "
        f"bị từ chối {summary.rejected}, đã gỡ {summary.removed} ({summary.seconds:.1f} s)"
    )
    for table in RAW_INBOX_TABLES:
        metadata = {"dagster/row_count": counts[table]}
        if table == "files":
            metadata.update(
                {
                    "files_seen": summary.files_seen,
                    "files_parsed": summary.parsed,
                    "files_unchanged": summary.unchanged,
                    "files_ingested": summary.ingested,
                    "files_rejected": summary.rejected,
                    "files_removed": summary.removed,
                    "period_files_ingested": period_files[0],
                    "period_files_rejected": period_files[1],
                    "seconds": round(summary.seconds, 2),
                    "row_limits": dg.MetadataValue.json(row_limits),
                    "inbox": dg.MetadataValue.path(paths.inbox_dir),
                }
            )
        yield dg.MaterializeResult(asset_key=["raw", table], metadata=metadata)


@partitioned_asset_check(asset=dg.AssetKey(["raw", "files"]), blocking=False)
def no_rejected_files(context: dg.AssetCheckExecutionContext, warehouse: Warehouse) -> dg.AssetCheckResult:
    """Every file of the period (or with no readable period) is readable; rejected ones are listed."""
    with warehouse.connect(read_only=True) as con:
        rows = con.execute(
            "select source_file, check_code, reason from raw.files "
            "where status = 'rejected' and (period = ? or period is null) order by source_file",
            [context.partition_key],
        ).fetchall()
    return dg.AssetCheckResult(
        passed=not rows,
        severity=dg.AssetCheckSeverity.WARN,
        metadata={
            "rejected_files": len(rows),
            "sample": dg.MetadataValue.md("\n".join(f"- `{f}` {c}: {r}" for f, c, r in rows[:20]) or "—"),
        },
    )


@dg.asset(
    key=["raw", "reviews"],
    description="Kết luận của người kiểm tra: bảng raw.reviews",
    group_name=groups.INGESTION,
    partitions_def=half_year_partitions,
    pool="warehouse",
    kinds={"duckdb"},
)
def reviews(context: dg.AssetExecutionContext, paths: AntqPaths, warehouse: Warehouse) -> dg.MaterializeResult:
    """Reads every file of the review folder (copies of kiem_tra_du_lieu.xlsx with "Kết luận" filled in)
    again into raw.reviews, before dbt: the folder is the source of truth for decisions, so a rebuilt
    warehouse has them all. Finding ids are matched against the findings history, restored first into a
    new or rebuilt warehouse (ingestion.history_copy); a file or row that cannot be taken is recorded
    as a problem, never dropped silently."""
    from ingestion import history_copy
    from ingestion import reviews as review_files

    folder = paths.review_dir()
    with warehouse.connect() as con:
        restored = history_copy.restore(con, warehouse.beside("findings_history.parquet"))
        counts = review_files.load(con, folder)
    context.log.info(
        f"Thư mục kết luận {folder}: {counts['files']} tệp, {counts['decisions']} kết luận, "
        f"{counts['problems']} dòng lỗi"
    )
    return dg.MaterializeResult(
        metadata={
            "dagster/row_count": counts["rows"],
            "review_files": counts["files"],
            "decisions": counts["decisions"],
            "problems": counts["problems"],
            "history_restored_from_backup": restored,
            "reviews": dg.MetadataValue.path(str(folder)),
        }
    )
