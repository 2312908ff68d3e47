"""The auditors' decisions on findings, as the auditors' report shows them (issue 11, part 3).

A finding's state (catalog.review_states()): the latest decision read from the review folder
(main.fct_review_decisions, which dbt builds of the rows ingestion/reviews.py reads into raw.reviews), else
"open"; a finding of an earlier build that this build no longer finds (main.findings_history, closed) is
"resolved", with the build that resolved it and its last decision kept.

`for_report` annotates the findings of reports.auditors.collect() and gives the keys of the report's data
contract: per finding review_state, decision, decision_note, decided_by, decided_at, review_file,
resolved_in; `review_counts` {state: n} and `resolved_findings`. The rest writes the review columns of the
findings sheet of kiem_tra_du_lieu.xlsx (a "Kết luận" dropdown, "Ghi chú", "Người kết luận", "Ngày kết
luận"), the reviewer's line of its summary and its sheet of resolved findings."""

from __future__ import annotations

from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

import catalog
from ingestion import reviews as review_files
from ingestion.warehouse import rows_as_dicts, table_exists
from reports import published
from reports.xlsx_sheet import COUNT, DATE_TIME, WHOLE, Column

FINDINGS_SHEET = review_files.FINDINGS_SHEET
RESOLVED_SHEET = "Đã khắc phục"
_DECISION_FIELDS = ("decision", "decision_note", "decided_by", "decided_at", "review_file")


def state_label(state: str | None) -> str:
    return catalog.review_states()[state]["label_vi"] if state else ""


def decision_labels() -> list[str]:
    """The labels an auditor may write in "Kết luận", in catalogue order."""
    return [s["label_vi"] for s in catalog.review_states().values() if s["decision"]]


def decisions(con) -> dict[str, dict]:
    """finding_key -> its latest decision (any period); empty before the first build with the model."""
    if not table_exists(con, "fct_review_decisions"):
        return {}
    cur = con.execute(
        "select finding_key, decision, decision_note, decided_by, decided_at, review_file, decisions "
        "from main.fct_review_decisions"
    )
    return {row["finding_key"]: row for row in rows_as_dicts(cur)}


def _annotate(finding: dict, decision: dict | None, state: str | None = None) -> dict:
    finding["decision"] = decision["decision"] if decision else None
    for name in _DECISION_FIELDS[1:]:
        finding[name] = decision[name] if decision else None
    finding["review_state"] = state or finding["decision"] or "open"
    finding.setdefault("resolved_in", None)
    return finding


def resolved(con, period: str, known: dict[str, dict]) -> list[dict]:
    """The period's findings of earlier builds that the latest build no longer finds, latest resolved first,
    each with the build that resolved it (closed_at, closed_run) and its last decision."""
    if not table_exists(con, "findings_history"):
        return []
    cur = con.execute(
        """
        select h.finding_key, h.check_code, h.severity, h.org_unit_code, h.source_file, h.sheet_name,
               h.row_number, h.value_raw, h.params, h.first_seen_at, h.times_seen,
               h.closed_at as resolved_in, h.closed_run as resolved_run, coalesce(u.name, '') as unit_name
        from main.findings_history as h
        left join (
            select distinct on (unit_code) unit_code as code, unit_name as name from main.mart_unit_names
            where period = ? order by unit_code, unit_level
        ) as u on u.code = h.org_unit_code
        where h.period = ? and not h.is_open
        order by h.closed_at desc, h.finding_key
        """,
        [period, period],
    )
    checks = catalog.checks()
    out = []
    for f in rows_as_dicts(cur):
        f["title_vi"] = checks.get(f["check_code"], {}).get("title_vi", f["check_code"])
        f["message"] = published.message(f["check_code"], f.pop("params"))
        out.append(_annotate(f, known.get(f["finding_key"]), "resolved"))
    return out


def for_report(con, period: str, findings: list[dict]) -> dict:
    """Annotate `findings` (each with its finding_key) in place; return the report's review keys."""
    known = decisions(con)
    checks = catalog.checks()
    for f in findings:
        _annotate(f, known.get(f["finding_key"]))
        if checks[f["check_code"]]["runs_in"] == "reviews":
            f["link"] = None  # a review file is not in the inbox that links point into
    gone = resolved(con, period, known)
    counts = {state: 0 for state in catalog.review_states()}
    for f in findings:
        counts[f["review_state"]] += 1
    counts["resolved"] = len(gone)
    return {"review_counts": counts, "resolved_findings": gone}


def count_lines(report: dict) -> list[tuple[str, int]]:
    """(label, n) per state in catalogue order: the summary's and the appendix's counts."""
    counts = report.get("review_counts") or {}
    return [(spec["label_vi"], counts.get(state, 0)) for state, spec in catalog.review_states().items()]


# ------------------------------------------------------------------------------------------ workbook


def decided_text(f: dict) -> str:
    """Who decided, when and in which file: "Nguyễn Văn A, 02/12/2026 09:30 (tệp huyen_1.xlsx)"."""
    when = f["decided_at"].strftime("%d/%m/%Y %H:%M") if f.get("decided_at") else None
    text = ", ".join(filter(None, [f.get("decided_by"), when]))
    return text + (f" (tệp {f['review_file']})" if f.get("review_file") else "")


# Appended to the findings sheet's columns. "Kết luận" and "Ghi chú" carry the decision in force, so a copy
# of this workbook restates it; "Người kết luận" and "Ngày kết luận" are left for whoever changes a row
# (else the summary's "Người kiểm tra" and the file's time count). "Đã kết luận" shows who and when.
REVIEW_COLUMNS = [
    Column(review_files.DECISION_HEADER, lambda f: state_label(f["decision"]), width=14),
    Column(review_files.NOTE_HEADER, lambda f: f["decision_note"] or "", width=30),
    Column(review_files.REVIEWER_HEADER, lambda f: None, width=16),
    Column(review_files.DATE_HEADER, lambda f: None, DATE_TIME, width=15),
    Column("Đã kết luận", lambda f: decided_text(f), most=30),
]

RESOLVED_COLUMNS = [
    Column("Mã phát hiện", lambda f: f["finding_key"][:12], width=14),
    Column("Mức độ", lambda f: catalog.severity_label(f["severity"]) if f["severity"] else "", width=9),
    Column("Kiểm tra", lambda f: f["title_vi"], most=24),
    Column("Mã đơn vị", lambda f: f["org_unit_code"] or "", width=9),
    Column("Tên đơn vị", lambda f: f["unit_name"], most=20),
    Column("Tệp", lambda f: f["source_file"] or "", most=40),
    Column("Trang", lambda f: f["sheet_name"] or "", most=14),
    Column("Dòng", lambda f: f["row_number"], WHOLE, width=7),
    Column("Giá trị", lambda f: f["value_raw"] or "", most=14),
    Column("Nội dung", lambda f: f["message"] or "", most=40),
    Column("Phát hiện lần đầu", lambda f: f["first_seen_at"], DATE_TIME, width=15),
    Column("Số lần phát hiện", lambda f: f["times_seen"], COUNT, width=10),
    Column("Khắc phục từ lần lập", lambda f: f["resolved_in"], DATE_TIME, width=15),
    Column("Kết luận cuối", lambda f: state_label(f["decision"]), width=14),
    Column("Ghi chú", lambda f: f["decision_note"] or "", most=30),
    Column("Người kết luận", lambda f: f["decided_by"] or "", most=16),
    Column("Ngày kết luận", lambda f: f["decided_at"], DATE_TIME, width=15),
]


def summary_lines(report: dict) -> list[tuple]:
    """(label, value, number format, link) lines of the summary sheet: the reviewer's line to fill in
    (ingestion.reviews reads it back) and the findings by state."""
    lines: list[tuple] = [(review_files.REVIEWER_LABEL, None, None, None)]
    lines += [(f"Phát hiện: {label.lower()}", n, COUNT, None) for label, n in count_lines(report)]
    return lines


def xlsx_sheets(report: dict) -> list[tuple]:
    """(title, columns, rows, options) of the sheets this part adds to the workbook."""
    return [
        (
            RESOLVED_SHEET,
            RESOLVED_COLUMNS,
            report.get("resolved_findings") or [],
            {"empty": "Chưa có phát hiện nào được khắc phục."},
        )
    ]


def add_decision_list(ws, columns: list[Column], rows: int) -> None:
    """The "Kết luận" column of the findings sheet (header in row 1) gets a dropdown of the decisions."""
    titles = [c.title for c in columns]
    if review_files.DECISION_HEADER not in titles or rows == 0:
        return
    letter = get_column_letter(titles.index(review_files.DECISION_HEADER) + 1)
    dv = DataValidation(
        type="list",
        formula1='"' + ",".join(decision_labels()) + '"',
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="Kết luận ngoài danh sách",
        error="Chọn một kết luận trong danh sách: " + ", ".join(decision_labels()),
        promptTitle="Kết luận",
        prompt="Chọn kết luận cho phát hiện này",
        showInputMessage=True,
    )
    dv.add(f"{letter}2:{letter}{rows + 1}")
    ws.add_data_validation(dv)


def counts(con, period: str, findings: list[dict]) -> dict[str, int]:
    """The period's findings by review state (rows as reports.published.findings gives them), resolved
    ones included: the report's data-quality appendix."""
    return for_report(con, period, [dict(f) for f in findings])["review_counts"]
