"""Feedback workbooks (issue 11): OUT/PERIOD/phan_hoi/CODE.xlsx, one per reporting unit with findings that
need its action, so the province sends each unit only its own list.

A finding needs the unit's action when it is an error, or when an auditor marked it "Yêu cầu sửa"
(review state must_fix, reports.reviews). It goes to the unit that sent the workbook it was found in
(the reporter of its file: a village's finding goes to its commune), else to the unit it names (a missing
submission). Findings about the auditors' own review folder and findings no unit can be told of (a file
whose reporter could not be read) stay in the auditors' report only.

Each workbook says what is wrong (the message), where in the unit's own file (file, sheet, Excel row,
column, value), what to do (catalog/checks.csv `fix_vi`) and the period's deadline. Written by
reports.xlsx_sheet like every other table antq publishes."""

from __future__ import annotations

import re
from pathlib import Path

import catalog
from reports import xlsx_sheet as xs
from reports.xlsx_sheet import WHOLE, Column

FOLDER = "phan_hoi"
REASON_ERROR = "Lỗi"
REASON_MUST_FIX = "Người kiểm tra yêu cầu sửa"


def needs_action(finding: dict) -> bool:
    if catalog.checks()[finding["check_code"]]["runs_in"] == "reviews":
        return False
    return finding["severity"] == "error" or finding.get("review_state") == "must_fix"


def _reporters(report: dict) -> dict[str, tuple[str, str]]:
    """source_file -> (reporter code, name) of every workbook whose reporter was read."""
    out = {}
    for s in report.get("submissions", []):
        if s.get("reporter_code"):
            out[s["source_file"]] = (s["reporter_code"], s.get("reporter_name") or "")
    return out


def by_unit(report: dict) -> dict[str, dict]:
    """unit code -> {"name", "findings"} for every unit with findings that need its action."""
    reporters = _reporters(report)
    units: dict[str, dict] = {}
    for f in report["findings"]:
        if not needs_action(f):
            continue
        code, name = reporters.get(f.get("source_file") or "", (f.get("org_unit_code"), f.get("unit_name") or ""))
        if not code:
            continue
        unit = units.setdefault(code, {"name": name, "findings": []})
        unit["name"] = unit["name"] or name
        unit["findings"].append(f)
    return dict(sorted(units.items()))


def file_name(code: str) -> str:
    """CODE.xlsx; a character a file name cannot hold becomes _ (codes are digits and letters)."""
    return re.sub(r"[^0-9A-Za-z_.-]", "_", code) + ".xlsx"


def _reason(f: dict) -> str:
    reasons = []
    if f["severity"] == "error":
        reasons.append(REASON_ERROR)
    if f.get("review_state") == "must_fix":
        reasons.append(REASON_MUST_FIX)
    return ", ".join(reasons)


COLUMNS = [
    Column("Mã phát hiện", lambda f: f["finding_key"][:12], width=14),
    Column("Vì sao cần sửa", _reason, most=20),
    Column("Nội dung", lambda f: f["message"], most=40),
    Column("Tệp", lambda f: f["source_file"] or "", most=40),
    Column("Trang", lambda f: f["sheet_name"] or "", most=14),
    Column("Dòng", lambda f: f["row_number"], WHOLE, width=7),
    Column("Cột", lambda f: f.get("column") or "", most=14),
    Column("Giá trị", lambda f: f["value_raw"] or "", most=14),
    Column("Cách khắc phục", lambda f: catalog.checks()[f["check_code"]]["fix_vi"], most=40),
    Column("Ghi chú của người kiểm tra", lambda f: f.get("decision_note") or "", most=30),
]
SUMMARY_COLUMNS = [
    Column("Nội dung", lambda line: line[0], width=30),
    Column("Giá trị", lambda line: line[1], width=60),
]


def _summary(report: dict, code: str, unit: dict) -> list[tuple]:
    deadline = report.get("deadline")
    return [
        ("Đơn vị", f"{unit['name']} ({code})" if unit["name"] else code),
        ("Kỳ báo cáo", f"{report['period_label']} ({report['period']})"),
        ("Hạn nộp báo cáo của kỳ", deadline.strftime("%d/%m/%Y") if deadline else "—"),
        ("Số việc cần sửa", len(unit["findings"])),
        (
            "Cách làm",
            'Sửa từng ô nêu ở trang "Cần sửa" trong tệp báo cáo của đơn vị (tệp, trang, dòng, cột), '
            "tăng số Phiên bản ở trang thông tin chung rồi gửi lại tệp đã sửa; phát hiện đã sửa sẽ hết ở lần lập sau.",
        ),
    ]


def write_all(report: dict, out_dir: str | Path) -> list[Path]:
    """Write OUT_DIR/phan_hoi/CODE.xlsx for every unit that must act; the folder is always written (empty
    when no unit must act), so a published set never keeps the workbook of a unit with nothing left to do."""
    folder = Path(out_dir) / FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for code, unit in by_unit(report).items():
        wb = xs.new_workbook()
        caption = f"Phản hồi kiểm tra dữ liệu {report['period_label']} ({report['period']}): {code}"
        xs.table(
            wb.create_sheet("Thông tin"),
            SUMMARY_COLUMNS,
            _summary(report, code, unit),
            caption=caption,
            autofilter=False,
        )
        xs.table(wb.create_sheet("Cần sửa"), COLUMNS, unit["findings"], caption=caption)
        path = folder / file_name(code)
        wb.save(path)
        written.append(path)
    return written
