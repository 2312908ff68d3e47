"""Quality assets and checks of a period: the Great Expectations validation of the staged tables (our own
Vietnamese page in OUT/PERIOD/data_docs/), the findings history's copy beside the warehouse, the auditors'
report, one asset check per catalogue check on the findings mart, and the blocking check that stops
publication when a blocking expectation fails (the figures would be wrong). Every published asset depends
on these, so a failed blocking check leaves the published set as it was and `antq build` prints the check's
`reason`. The pipeline's own invariants (no file or row lost, no unit counted twice) are dbt tests
(dbt_project/tests/), shown as checks of the models they test: one that fails stops the dbt step."""

import json
from pathlib import Path

import dagster as dg

import catalog
import expectations
from orchestration import groups
from orchestration.assets.publication import dq_findings_csv
from orchestration.assets.warehouse import dbt_key
from orchestration.partitions import half_year_partitions, partitioned_asset_check, partitioned_check_spec
from orchestration.resources import AntqPaths, Warehouse

SUITES = list(expectations.suites())
# keys of dbt models come from dagster-dbt's translation of the manifest: a renamed model or a key prefix
# fails here, at definitions load, instead of leaving a dependency on an asset that does not exist
FINDINGS = dbt_key("mart_dq_findings")
SUBMISSIONS = dbt_key("mart_submissions")
HISTORY = dbt_key("findings_history")
SAMPLE_ROWS = 20


def _md_table(rows: list[dict], columns: list[str]) -> dg.MetadataValue:
    """A markdown table of sample rows for the Dagster UI."""
    if not rows:
        return dg.MetadataValue.md("—")

    from reports.text_cells import visible

    def text(value) -> str:
        return "" if value is None else visible(str(value)).replace("|", "\\|")

    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    lines += ["| " + " | ".join(text(r.get(c)) for c in columns) + " |" for r in rows[:SAMPLE_ROWS]]
    return dg.MetadataValue.md("\n".join(lines))


# ------------------------------------------------------------------------------ Great Expectations


@dg.asset(
    deps=[dbt_key(name) for name in SUITES],
    group_name=groups.QUALITY,
    partitions_def=half_year_partitions,
    pool="warehouse",
    kinds={"great_expectations", "html"},
    check_specs=[
        partitioned_check_spec(
            f"suite_{name}", asset="data_docs", description=f"Bộ kỳ vọng Great Expectations của bảng {name}"
        )
        for name in SUITES
    ],
)
def data_docs(context: dg.AssetExecutionContext, paths: AntqPaths, warehouse: Warehouse):
    """Kiểm tra tự động (Great Expectations) các bảng đã chuẩn hóa của kỳ: trang kết quả tiếng Việt
    OUT/PERIOD/data_docs/index.html, tóm tắt summary.json và các dòng đã kiểm tra (batches/). Một bộ kỳ
    vọng không đạt là lỗi (ERROR) khi một kỳ vọng cấu trúc không đạt, là cảnh báo (WARN) khi chỉ một tỷ lệ
    nội dung (`mostly`) không đạt; kỳ vọng "chặn công bố" không đạt thì kiểm tra
    blocking_expectations_pass giữ bộ tệp đang công bố như cũ."""
    from expectations.frames import period_frames
    from expectations.run import run_period  # imports Great Expectations: only when this asset runs

    period = context.partition_key
    with warehouse.connect(read_only=True) as con:
        frames = period_frames(con, period, SUITES)
    # the last Data Docs of each period are kept beside the warehouse too: a build into another output
    # folder from the same rows copies them instead of validating again
    cache = Path(warehouse.path).resolve().parent / "data_docs_cache"
    stage = paths.stage_dir(period, context.run.run_id)
    summary = run_period(frames, period, stage, cache_dir=cache)
    page = paths.public_path(period, stage / summary["data_docs"])
    checks = []
    for name, suite in summary["suites"].items():
        failed = suite["failed_expectations"]
        structural = [e for e in failed if e["kind"] == "structure"]
        samples = [{"expectation": e["description"] or e["type"], **row} for e in failed for row in e["sample"]]
        checks.append(
            dg.AssetCheckResult(
                check_name=f"suite_{name}",
                passed=suite["success"],
                severity=dg.AssetCheckSeverity.ERROR if structural else dg.AssetCheckSeverity.WARN,
                metadata={
                    "rows": suite["rows"],
                    "expectations": suite["evaluated"],
                    "failed": suite["failed"],
                    "failed_expectations": dg.MetadataValue.md(
                        "\n".join(f"- {e['description'] or e['type']}: {e['unexpected_count']} dòng" for e in failed)
                        or "—"
                    ),
                    "sample": _md_table(
                        samples, sorted({k for r in samples for k in r}, key=lambda k: k != "expectation")
                    ),
                },
            )
        )
    return dg.MaterializeResult(
        metadata={
            "index": dg.MetadataValue.path(page),
            "url": dg.MetadataValue.url("file://" + page),
            "success": summary["success"],
            "blocking_failures": len(summary["blocking_failures"]),
            "reused_unchanged_docs": summary.get("reused", False),
            **{f"suite.{n}": "đạt" if s["success"] else "không đạt" for n, s in summary["suites"].items()},
        },
        check_results=checks,
    )


def _validation_summary(paths: AntqPaths, period: str, run_id: str) -> dict:
    """data_docs/summary.json of this run's stage folder, else (a run that checks without validating
    again) of the published set."""
    from expectations.run import DOCS_FOLDER, SUMMARY_FILE

    for folder in (paths.stage_dir(period, run_id), paths.public_dir(period)):
        path = folder / DOCS_FOLDER / SUMMARY_FILE
        if path.is_file():
            return json.loads(path.read_text(encoding="utf-8"))
    raise FileNotFoundError(f"chưa có kết quả kiểm tra Great Expectations của kỳ {period}: lập data_docs trước")


def blocking_reason(failures: list[dict]) -> str:
    """One Vietnamese sentence naming the failed blocking expectations (summary's `blocking_failures`)."""
    parts = [
        f"bảng {f['suite']}: {f['description'] or f['type']}"
        + (f" ({f['unexpected_count']} dòng)" if f.get("unexpected_count") else "")
        + (f" (lỗi: {f['error']})" if f.get("error") else "")
        for f in failures
    ]
    return f"{len(failures)} kỳ vọng chặn công bố không đạt (số liệu sẽ sai): " + "; ".join(parts)


@partitioned_asset_check(
    asset=data_docs,
    blocking=True,
    description="Không kỳ vọng Great Expectations nào được đánh dấu chặn công bố (meta.blocking) không đạt: "
    "nếu có, số liệu công bố sẽ sai (một dòng đếm hai lần, một số đếm âm, một giá trị ngoài danh mục "
    "được đếm), nên các tài sản công bố không chạy và bộ tệp đang công bố giữ nguyên. Các kỳ vọng khác "
    "không đạt chỉ là cảnh báo.",
)
def blocking_expectations_pass(context: dg.AssetCheckExecutionContext, paths: AntqPaths) -> dg.AssetCheckResult:
    period = context.partition_key
    summary = _validation_summary(paths, period, context.run.run_id)
    failures = summary.get("blocking_failures", [])
    return dg.AssetCheckResult(
        passed=not failures,
        severity=dg.AssetCheckSeverity.ERROR,
        metadata={
            "blocking_failures": len(failures),
            "reason": dg.MetadataValue.text(blocking_reason(failures) if failures else "—"),
            "sample": _md_table(failures, ["suite", "description", "unexpected_count", "error"]),
        },
    )


# ------------------------------------------------------------------------- findings, one per check


@dg.multi_asset_check(
    name="findings_by_check",
    specs=[
        partitioned_check_spec(
            code.lower(),
            asset=FINDINGS,
            description=f"{spec['title_vi']} ({code}, {spec['severity']}): {spec['effect_vi']}",
        )
        for code, spec in catalog.checks().items()
    ],
    pool="warehouse",
)
def findings_by_check(context: dg.AssetCheckExecutionContext, warehouse: Warehouse):
    """One result per catalogue check: how many findings it made in the period and a sample of them with
    file, sheet, row and message. Never blocking: findings are the data's, the figures already follow
    each check's effect. Passed = no finding of severity error or warning."""
    from reports import auditors, published

    with warehouse.connect(read_only=True) as con:
        rows = published.findings(con, context.partition_key)
    for code, s in auditors.check_summary(rows).items():
        yield dg.AssetCheckResult(
            asset_key=FINDINGS,
            check_name=code.lower(),
            passed=s["passed"],
            severity=dg.AssetCheckSeverity.WARN,
            metadata={
                "findings": s["count"],
                **{f"severity.{sev}": n for sev, n in s["by_severity"].items()},
                "sample": _md_table(
                    s["sample"], ["org_unit_code", "source_file", "sheet_name", "row_number", "message"]
                ),
            },
        )


# ---------------------------------------------------------------- findings history, auditors' report


@dg.asset(
    deps=[HISTORY],
    group_name=groups.QUALITY,
    partitions_def=half_year_partitions,
    pool="warehouse",
    kinds={"parquet"},
)
def findings_history_copy(context: dg.AssetExecutionContext, warehouse: Warehouse) -> dg.MaterializeResult:
    """Bản sao lịch sử phát hiện (bảng dbt findings_history) cạnh tệp kho dữ liệu: kho dữ liệu dựng lại được
    từ hộp thư, lịch sử thì không; kho mới hoặc dựng lại được nạp lại bản sao này trước khi chạy dbt."""
    from ingestion import history_copy
    from reports import findings_history

    backup = warehouse.beside("findings_history.parquet")
    with warehouse.connect() as con:
        rows = history_copy.back_up(con, backup)
        latest = findings_history.latest_build(con, context.partition_key)
    # the counts of the build the history last recorded: this run's, unless dbt's results were reused
    recorded = {f"history_{k}": v for k, v in latest.items() if k != "run"}
    return dg.MaterializeResult(
        metadata={
            "dagster/row_count": rows,
            "backup": dg.MetadataValue.path(str(backup)),
            "history_run": latest.get("run") or "",
            "history_run_is_this_run": latest.get("run") == context.run.run_id,
            **recorded,
        }
    )


@dg.asset(
    # a published file (kiem_tra_du_lieu.*): after the quality gate, with the other published assets
    deps=[SUBMISSIONS, FINDINGS, HISTORY, findings_history_copy, data_docs, dq_findings_csv],
    group_name=groups.PUBLICATION,
    partitions_def=half_year_partitions,
    pool="warehouse",
    kinds={"html", "xlsx"},
)
def auditors_report(context: dg.AssetExecutionContext, paths: AntqPaths, warehouse: Warehouse) -> dg.MaterializeResult:
    """The auditors' data-quality report: kiem_tra_du_lieu.html and .xlsx in OUT/PERIOD/, and a feedback
    workbook per unit that must correct its report, phan_hoi/CODE.xlsx."""
    from reports import auditors

    period = context.partition_key
    with warehouse.connect(read_only=True) as con:
        result = auditors.write_report(
            con,
            period,
            paths.stage_dir(period, context.run.run_id),
            paths.inbox_dir,
            links_from=paths.public_dir(period),
        )
    return dg.MaterializeResult(
        metadata={
            "html": dg.MetadataValue.path(paths.public_path(period, result["html"])),
            "xlsx": dg.MetadataValue.path(paths.public_path(period, result["xlsx"])),
            "findings": result["findings"],
            **{f"severity.{s}": n for s, n in result["by_severity"].items()},
            "workbooks": result["submissions"],
            "submissions_expected": result["expected"],
            "submissions_received": result["received"],
            "submissions_on_time": result["on_time"],
            "feedback_workbooks": result["feedback_files"],  # phan_hoi/CODE.xlsx (reports.feedback)
            **{f"review.{state}": n for state, n in result["review_counts"].items()},
        }
    )
