"""Report assets: the report for the provincial office (Word, Markdown, Excel, charts) and the period's
release record (manifest.json, changes against the previous release) under OUT/PERIOD/."""

import dagster as dg

from orchestration import groups
from orchestration.assets.publication import dq_findings_csv, indicators_csv
from orchestration.assets.quality import auditors_report, data_docs
from orchestration.assets.warehouse import dbt_key
from orchestration.partitions import half_year_partitions
from orchestration.resources import AntqPaths, Warehouse

_PREVIEW_CHARS = 6000


@dg.asset(
    # after indicators_csv, so the blocking checks on the published figures hold the report back too
    deps=[
        indicators_csv,
        data_docs,  # the quality gate (blocking checks on data_docs and the marts) holds the report back
        *(
            dbt_key(name)
            for name in (
                "mart_indicators",
                "mart_indicators_current_boundaries",  # the previous half-year and trend across a reform
                "mart_dq_findings",
                "mart_submissions",
                "fct_models",
                "dim_period",
                "fct_review_decisions",
                "findings_history",  # the appendix counts the findings by review state, resolved ones included
            )
        ),
    ],
    group_name=groups.PUBLICATION,
    partitions_def=half_year_partitions,
    pool="warehouse",
    kinds={"docx", "excel", "markdown"},
)
def report_documents(context: dg.AssetExecutionContext, paths: AntqPaths, warehouse: Warehouse) -> dg.MaterializeResult:
    """Báo cáo 6 tháng: văn bản (.docx, .md) theo mẫu reports/templates/ và nhận định của Phòng (tệp KỲ.md
    của thư mục nhận định, được tạo với các đề mục trống khi chưa có), bảng Excel, biểu đồ (PNG)."""
    from reports import period_report, report_data  # matplotlib, python-docx, openpyxl: only in this step

    period = context.partition_key
    with warehouse.connect(read_only=True) as con:
        codes = report_data.provinces(con, period)
        data = [report_data.load(con, period, code) for code in codes]
    # rendering happens with the warehouse closed
    out_dir = paths.stage_dir(period, context.run.run_id)
    office_dir = paths.office_dir()
    written = [
        period_report.write_report(d, out_dir, several_provinces=len(data) > 1, office_dir=office_dir) for d in data
    ]
    metadata: dict = {"provinces": len(written)}
    for files in written:
        prefix = f"{files.docx.stem}."
        metadata.update(
            {
                f"{prefix}docx": dg.MetadataValue.path(paths.public_path(period, files.docx)),
                f"{prefix}md": dg.MetadataValue.path(paths.public_path(period, files.markdown)),
                f"{prefix}xlsx": dg.MetadataValue.path(paths.public_path(period, files.xlsx)),
                f"{prefix}charts": len([p for p in files.charts.values() if p]),
                **_office_metadata(prefix, files.office),
            }
        )
    if written:
        first = data[0]
        metadata.update(
            {
                "dagster/row_count": len(first.districts) + 1,
                "findings": len(first.findings),
                "preview": dg.MetadataValue.md(written[0].text[:_PREVIEW_CHARS]),
            }
        )
    return dg.MaterializeResult(metadata=metadata)


def _office_metadata(prefix: str, office) -> dict:
    """Which office file the report took its own words from, and the parts still to be written there."""
    unfilled = [p.heading for p in office.unfilled]
    return {
        f"{prefix}office_text": dg.MetadataValue.path(str(office.path)),
        f"{prefix}office_text_created": office.created,
        f"{prefix}office_text_unfilled": len(unfilled),
        f"{prefix}office_text_unfilled_parts": dg.MetadataValue.text("; ".join(unfilled)),
        f"{prefix}office_text_problem": dg.MetadataValue.text(
            "; ".join(filter(None, [office.problem, *(f"đề mục không nhận ra: {h}" for h in office.unknown)]))
        ),
    }


@dg.asset(
    # last: every file of the period is in the run's stage folder before it is published
    deps=[report_documents, indicators_csv, dq_findings_csv, auditors_report, data_docs],
    group_name=groups.PUBLICATION,
    partitions_def=half_year_partitions,
    pool="warehouse",
    kinds={"json"},
)
def period_release(context: dg.AssetExecutionContext, paths: AntqPaths, warehouse: Warehouse) -> dg.MaterializeResult:
    """Công bố kỳ: manifest.json (tệp đầu vào, danh mục, phiên bản mã, lịch sử phê duyệt), changes.md/json so với
    lần trước, rồi thay bộ tệp đang công bố OUT/PERIOD bằng bộ tệp của lần chạy này trong một thao tác (không bao giờ
    lẫn hai bộ). Kỳ đã phê duyệt (antq approve) thì không thay: bước này thất bại, nêu người và lúc phê duyệt, cho đến
    khi kỳ được mở lại (antq reopen)."""
    from reports import approvals, atomic_folder, release

    period = context.partition_key
    stage = paths.stage_dir(period, context.run.run_id)
    # the sign-off is checked and the folder switched under one lock: an approval cannot slip in between
    with approvals.lock(paths.out_dir, period):
        try:
            events = approvals.check_can_publish(paths.out_dir, period)
        except approvals.PeriodApproved as exc:
            # the warehouse is up to date; the published set stays as approved, this run's folder goes
            atomic_folder.discard(paths.out_dir, period, stage)
            events = approvals.history(paths.out_dir, period)
            raise dg.Failure(description=str(exc), metadata=approvals.metadata(events)) from exc
        # a run that rebuilt only some assets publishes them beside the rest of the published set
        carried = atomic_folder.carry_forward(stage, atomic_folder.current(paths.out_dir, period))
        with warehouse.connect(read_only=True) as con:
            inputs = release.input_files(con, period)
            names = release.unit_names(con, period)
        outputs = sorted(p for pattern in ("bao_cao_*", "charts/**/*.png") for p in stage.glob(pattern) if p.is_file())
        office_files = sorted(paths.office_dir().glob(f"{period}*.md"))
        result = release.publish(
            stage,
            period,
            inputs=inputs,
            register_dir=paths.register_dir,
            outputs=outputs,
            names=names,
            office_files=office_files,
            approvals=events,
        )
        changes_md = (stage / release.CHANGES_MD).read_text(encoding="utf-8")
        atomic_folder.switch(paths.out_dir, period, stage)
    changes = result.changes
    return dg.MaterializeResult(
        metadata={
            **approvals.metadata(events),
            "approvals": dg.MetadataValue.md(approvals.markdown(events)),
            "release": result.number,
            "new_release": result.is_new,
            "published": dg.MetadataValue.path(str(paths.public_dir(period))),
            "carried_forward_files": len(carried),
            "input_files": len(inputs),
            "figures_changed": len(changes.get("figures", [])),
            "inputs_added": len(changes.get("inputs", {}).get("added", [])),
            "inputs_changed": len(changes.get("inputs", {}).get("changed", [])),
            "inputs_removed": len(changes.get("inputs", {}).get("removed", [])),
            "manifest": dg.MetadataValue.path(str(paths.public_dir(period) / release.MANIFEST)),
            "changes": dg.MetadataValue.md(changes_md[:_PREVIEW_CHARS]),
        }
    )
