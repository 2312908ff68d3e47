"""The auditors' data-quality report of a period (contract section 6): OUT/PERIOD/kiem_tra_du_lieu.html
(self-contained) and kiem_tra_du_lieu.xlsx, in Vietnamese.

It holds every finding grouped by severity, district and commune, each with its file, sheet, Excel row,
value, message, effect on the figures and history (first seen, times seen); the import summary of every
workbook; completeness and timeliness per district and for the province; the result of every check of
the catalogue; the Great Expectations suites with a link to their results page (data_docs/index.html).
Text that came from a submission is escaped in HTML and written as text, never as a formula, in the
workbook. This module collects the data and writes the workbook; reports.auditors_page writes the page
(a Jinja template).
"""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path
from urllib.parse import quote

import catalog
from ingestion.inbox import real_path
from ingestion.warehouse import rows_as_dicts
from reports import auditors_page, feedback, findings_history, published, reviews, vn_format
from reports import xlsx_sheet as xs
from reports.xlsx_sheet import COUNT, DATE_TIME, RATE, TEXT, WHOLE, WRAP_CENTER, Column

HTML_NAME = "kiem_tra_du_lieu.html"
XLSX_NAME = "kiem_tra_du_lieu.xlsx"
DATA_DOCS_INDEX = "data_docs/index.html"
GX_SUMMARY = "data_docs/summary.json"
SAMPLE_SIZE = 10

NO_DISTRICT = "Cấp tỉnh hoặc không rõ huyện"
NO_FINDINGS = "Không có phát hiện nào."
NO_COMMUNE = "Cấp huyện, cấp tỉnh hoặc không rõ xã"
NO_COMMUNE_TWO_LEVEL = "Cấp tỉnh hoặc không rõ xã"  # a period without a district level


# ---------------------------------------------------------------------------------------------- data


def check_summary(findings: list[dict]) -> dict[str, dict]:
    """Per catalogue check: how many findings of each severity, and a sample of them. A check passes
    when it found nothing of severity error or warning."""
    out = {}
    by_check: dict[str, list[dict]] = {}  # one pass over the findings, not one per check
    for f in findings:
        by_check.setdefault(f["check_code"], []).append(f)
    for code, spec in catalog.checks().items():
        rows = by_check.get(code, [])
        counted = published.count_by(rows, "severity")
        by_severity = {s: counted.get(s, 0) for s in catalog.SEVERITY_ORDER}
        out[code] = {
            "code": code,
            "title_vi": spec["title_vi"],
            "severity": spec["severity"],
            "effect_vi": spec["effect_vi"],
            "count": sum(counted.values()),
            "by_severity": by_severity,
            "passed": by_severity["error"] == 0 and by_severity["warning"] == 0,
            "sample": rows[:SAMPLE_SIZE],
        }
    return out


def _completeness(con, period: str, scopes: list[dict]) -> list[dict]:
    """Submissions received / expected and on time, per scope (province first, then each district), from
    main.mart_expected_submissions: the register units that must report, the ones MISSING_SUBMISSION
    names among them."""
    units = rows_as_dicts(
        con.execute(
            """
        select org_unit_code as code, org_unit_name as name, district_code, received, on_time
        from main.mart_expected_submissions where period = ?
        order by org_unit_code
        """,
            [period],
        )
    )
    # The units grouped by district once: filtering them all for each district was districts × communes.
    by_district: dict[str | None, list[dict]] = {}
    for u in units:
        by_district.setdefault(u["district_code"], []).append(u)
    out = []
    for scope in scopes:
        mine = units if scope["org_unit_level"] == "province" else by_district.get(scope["org_unit_code"], [])
        expected = len(mine)
        received = sum(1 for u in mine if u["received"])
        on_time = sum(1 for u in mine if u["received"] and u["on_time"])
        out.append(
            {
                "code": scope["org_unit_code"],
                "name": scope["org_unit_name"],
                "level": scope["org_unit_level"],
                "expected": expected,
                "received": received,
                "on_time": on_time,
                "late": received - on_time,
                "missing": sorted(f"{u['name'] or u['code']} ({u['code']})" for u in mine if not u["received"]),
            }
        )
    return out


def _unit_names(con, period: str) -> dict[str, str]:
    """Each unit's and agency's name in the period (a code re-used after the reform has the period's name)."""
    rows = con.execute("select unit_code, unit_name from main.mart_unit_names where period = ?", [period]).fetchall()
    return dict(rows)


def _gx_summary(out_dir: Path) -> dict | None:
    path = out_dir / GX_SUMMARY
    if not path.exists():
        return None
    with open(path, encoding="utf-8") as fh:
        return json.load(fh)


def collect(
    con, period: str, out_dir: str | Path, inbox_dir: str | Path | None = None, *, links_from: str | Path | None = None
) -> dict:
    """Everything the report shows, as plain data."""
    out_dir = Path(out_dir)
    links_from = Path(links_from) if links_from is not None else out_dir  # where people open the files
    checks = catalog.checks()
    findings = published.findings(con, period)
    history = findings_history.history(con, period)
    names = _unit_names(con, period)
    from reports.report_data import district_level

    has_districts = district_level(con, period)  # False: communes directly under the province (two levels)
    no_commune = NO_COMMUNE if has_districts else NO_COMMUNE_TWO_LEVEL
    for f in findings:
        past = history.get(f["finding_key"], {})
        f["first_seen_at"] = past.get("first_seen_at")
        f["times_seen"] = past.get("times_seen")
        f["title_vi"] = checks[f["check_code"]]["title_vi"]
        f["effect_vi"] = checks[f["check_code"]]["effect_vi"]
        f["district_name"] = names.get(f["district_code"], NO_DISTRICT) if f["district_code"] else NO_DISTRICT
        f["commune_name"] = names.get(f["commune_code"], f["commune_code"]) if f["commune_code"] else no_commune
        f["unit_name"] = names.get(f["org_unit_code"] or "", "")
        f["column"] = json.loads(f["params"]).get("column") if f["params"] else None  # a cell issue's header
        f["link"] = _source_link(inbox_dir, links_from, f["source_file"])
    findings.sort(
        key=lambda f: (
            catalog.SEVERITY_ORDER[f["severity"]],
            f["district_code"] or "",
            f["commune_code"] or "",
            f["source_file"] or "",
            f["sheet_name"] or "",
            f["row_number"] or 0,
            f["check_code"],
        )
    )

    scopes = rows_as_dicts(
        con.execute(
            """
        select distinct org_unit_code, org_unit_name, org_unit_level from main.mart_indicators where period = ?
        order by case org_unit_level when 'province' then 0 else 1 end, org_unit_code, org_unit_name
        """,
            [period],
        )
    )
    submissions = rows_as_dicts(
        con.execute(
            """
        select * from main.mart_submissions where period = ?
        order by case submission_status when 'rejected' then 0 when 'unknown_unit' then 1 else 2 end, source_file
        """,
            [period],
        )
    )
    per_file: dict[str, dict] = {}
    for f in findings:
        counts = per_file.setdefault(f["source_file"], {s: 0 for s in catalog.SEVERITY_ORDER})
        counts[f["severity"]] += 1
    for s in submissions:
        s["findings"] = per_file.get(s["source_file"], {sev: 0 for sev in catalog.SEVERITY_ORDER})
        s["link"] = _source_link(inbox_dir, links_from, s["source_file"])
        s["winner_link"] = _source_link(inbox_dir, links_from, s["winner_file"])
    label = con.execute("select period_label_vi from main.dim_period where period_key = ?", [period]).fetchone()
    deadline = next((s["deadline"] for s in submissions if s.get("deadline")), None)
    counted = published.count_by(findings, "severity")
    report = {
        "period": period,
        "period_label": label[0] if label else period,
        "district_level": has_districts,
        "inbox_link": _relative(Path(inbox_dir), links_from) if inbox_dir else None,
        "generated_at": dt.datetime.now().replace(microsecond=0),
        "deadline": deadline,
        "findings": findings,
        "checks": check_summary(findings),
        "submissions": submissions,
        "completeness": _completeness(con, period, scopes),
        "gx": _gx_summary(out_dir),
        "by_severity": {s: counted.get(s, 0) for s in catalog.SEVERITY_ORDER},
    }
    # each finding's review state, the counts by state, the resolved findings (reports.reviews)
    report.update(reviews.for_report(con, period, report["findings"]))
    report.update(auditors_page.for_report(con, period, report))  # the page's own data (part 1)
    from reports import approvals

    report.update(approvals.for_report(out_dir, period))  # the period's sign-off history (part 4)
    return report


def _url(path: str) -> str:
    """A relative link as a URL; bytes of a name that is not UTF-8 are percent-encoded as they are."""
    return quote(path, errors="surrogateescape")


def _source_link(inbox_dir, links_from: Path, source_file: str | None) -> str | None:
    """The inbox file as a path relative to `links_from`, the PUBLIC period folder OUT/PERIOD (a link to
    the build folder, OUT/.builds/PERIOD/<run>/, two levels deeper: a path relative to the build folder
    would not resolve from where people open the files). Computed on the paths as written, not resolved:
    the link works where the report is published, and in any copy that keeps the period folder and the
    inbox in the same relative position (the workbook's summary says which); a copy without the inbox
    still names the file, sheet, row and column of every finding."""
    if not inbox_dir or not source_file:
        return None
    # a name shown with \\xNN escapes (not UTF-8 on disk) links to the file's real bytes
    return _relative(real_path(Path(inbox_dir) / source_file), links_from)


# From OUT/PERIOD, "../.." is the folder that holds OUT: a link may climb that far and no further. An inbox
# elsewhere gets no link (its file names are still shown), so no folder name of the build machine above the
# published tree is written into a published file.
_MAX_UP = 2


def _relative(path: Path, start: Path) -> str | None:
    try:
        rel = os.path.relpath(os.path.abspath(path), os.path.abspath(start)).replace(os.sep, "/")
    except ValueError:  # another drive (Windows): no relative path
        return None
    ups = 0
    for part in rel.split("/"):
        if part != "..":
            break
        ups += 1
    return rel if ups <= _MAX_UP else None


# --------------------------------------------------------------------------------------- formatting


def _status_label(status: str | None) -> str:
    spec = catalog.submission_statuses().get(status or "")
    return spec["label_vi"] if spec else status or ""


def _level(level: str | None) -> str:
    words = catalog.workbook()["levels"].get(level or "")
    return words[0] if words else ""


def _cell_target(f: dict) -> dict | None:
    """A hyperlink to the finding's file, opening at its sheet and row when known."""
    if not f.get("link"):
        return None
    target = {"target": _url(f["link"])}
    if f.get("sheet_name"):
        sheet = f["sheet_name"].replace("'", "''")
        target["location"] = f"'{sheet}'!A{f['row_number'] or 1}"
    return target


def _file_target(s: dict) -> dict | None:
    return {"target": _url(s["link"])} if s.get("link") else None


# The tables of both files (HTML and xlsx): title, value, number format and, in the workbook, width.
LINKED_FILE_WIDTH = 48  # LibreOffice does not wrap a cell holding a link: room for a whole file name
FINDING_COLUMNS = [
    Column("Mức độ", lambda f: catalog.severity_label(f["severity"]), width=9, align=WRAP_CENTER),
    Column("Huyện", lambda f: f["district_name"], most=16),
    Column("Xã", lambda f: f["commune_name"], most=16),
    Column("Mã kiểm tra", lambda f: f["check_code"], most=26),
    Column("Kiểm tra", lambda f: f["title_vi"], most=24),
    Column("Mã đơn vị", lambda f: f["org_unit_code"] or "", TEXT, width=9),
    Column("Tên đơn vị", lambda f: f["unit_name"], most=20),
    Column("Tệp", lambda f: f["source_file"] or "", most=LINKED_FILE_WIDTH, link=_cell_target),
    Column("Trang", lambda f: f["sheet_name"] or "", most=14),
    Column("Dòng", lambda f: f["row_number"], WHOLE, width=7),
    Column("Cột", lambda f: f["column"] or "", most=14),
    Column("Giá trị", lambda f: f["value_raw"] or "", most=14),
    Column("Nội dung", lambda f: f["message"], most=40),
    Column("Ảnh hưởng đến số liệu", lambda f: f["effect_vi"], most=24),
    Column("Phát hiện lần đầu", lambda f: f["first_seen_at"], DATE_TIME, width=15),
    # findings_history.times_seen: the builds ("lần lập") that found it, the first one included
    Column("Số lần phát hiện", lambda f: f["times_seen"], COUNT, width=10),
    Column("Mã phát hiện", lambda f: f["finding_key"][:12], width=14),
]

SUBMISSION_COLUMNS = [
    Column("Tệp", lambda s: s["source_file"], most=LINKED_FILE_WIDTH, link=_file_target),
    Column("Cấp", lambda s: _level(s["reporter_level"]), most=9),
    Column("Mã đơn vị", lambda s: s["reporter_code"] or "", TEXT, width=9),
    Column("Tên đơn vị (ghi trên báo cáo)", lambda s: s["reporter_name"] or "", most=24),
    Column("Phiên bản", lambda s: s["version"], WHOLE, width=8),
    Column("Ngày lập", lambda s: s["created_on"], width=11),
    Column("Đúng hạn", lambda s: "" if s["on_time"] is None else ("Có" if s["on_time"] else "Không"), width=8),
    Column("Tình trạng", lambda s: _status_label(s["submission_status"]), most=30),
    Column("Dòng đã đọc", lambda s: s["rows_read"], COUNT, width=8),
    Column("Dòng được tính", lambda s: s["rows_counted"], COUNT, width=8),
    Column("Dòng bị loại", lambda s: s["rows_excluded"], COUNT, width=8),
    Column("Dòng Tổng hợp (đối chiếu)", lambda s: s["summary_rows_read"], COUNT, width=10),
    Column("Lỗi", lambda s: s["findings"]["error"], COUNT, width=6),
    Column("Cảnh báo", lambda s: s["findings"]["warning"], COUNT, width=8),
    Column("Thông tin", lambda s: s["findings"]["info"], COUNT, width=8),
    Column(
        "Lý do từ chối",
        lambda s: ((s["rejection_check"] or "") + ": " + (s["rejection_reason"] or "")) if s["rejection_check"] else "",
        most=30,
    ),
    Column(
        "Được thay bằng tệp",
        lambda s: s["winner_file"] if s["submission_status"] == "superseded" else "",
        most=30,
    ),
]

COMPLETENESS_COLUMNS = [
    Column("Mã", lambda c: c["code"], TEXT, width=8),
    Column("Đơn vị", lambda c: c["name"], most=24),
    Column("Báo cáo phải nộp", lambda c: c["expected"], COUNT, width=10),
    Column("Đã nhận", lambda c: c["received"], COUNT, width=9),
    Column("Tỷ lệ đầy đủ", lambda c: vn_format.rate_fraction(c["received"], c["expected"]), RATE, width=9),
    Column("Đúng hạn", lambda c: c["on_time"], COUNT, width=9),
    Column("Tỷ lệ đúng hạn", lambda c: vn_format.rate_fraction(c["on_time"], c["expected"]), RATE, width=9),
    Column("Nộp sau hạn", lambda c: c["late"], COUNT, width=9),
    Column("Chưa nộp", lambda c: "; ".join(c["missing"]), most=60),
]

CHECK_COLUMNS = [
    Column("Mã kiểm tra", lambda c: c["code"], most=32),
    Column("Kiểm tra", lambda c: c["title_vi"], most=40),
    Column("Mức độ", lambda c: catalog.severity_label(c["severity"]), width=10, align=WRAP_CENTER),
    Column("Ảnh hưởng đến số liệu", lambda c: c["effect_vi"], most=40),
    Column("Số phát hiện", lambda c: c["count"], COUNT, width=10),
    Column("Kết quả", lambda c: "Đạt" if c["passed"] else "Có lỗi/cảnh báo", width=15),
]

GX_COLUMNS = [
    Column("Bảng", lambda g: g["name"], most=28),
    Column("Nội dung", lambda g: g["title_vi"], most=40),
    Column("Số dòng kiểm tra", lambda g: g["rows"], COUNT, width=10),
    Column("Số kỳ vọng", lambda g: g["evaluated"], COUNT, width=10),
    Column("Không đạt", lambda g: g["failed"], COUNT, width=9),
    Column("Kết quả", lambda g: "Đạt" if g["success"] else "Không đạt", width=10),
    Column(
        "Kỳ vọng không đạt",
        lambda g: "; ".join(
            f"{e['description'] or e['type']} ({e['unexpected_count'] or 0} dòng)" for e in g["failed_expectations"]
        ),
        most=60,
    ),
]


def _gx_rows(report: dict) -> list[dict]:
    gx = report["gx"]
    return [] if not gx else [{"name": n, **s} for n, s in gx["suites"].items()]


# --------------------------------------------------------------------------------------------- xlsx

SUMMARY_COLUMNS = [
    Column("Nội dung", lambda line: line[0], width=44),
    Column("Giá trị", lambda line: line[1], fmt=lambda line: line[2], width=48, link=lambda line: line[3]),
]


def _inbox_note(report: dict) -> str | None:
    """Where the links of the file names lead, for whoever gets a copy of the folder."""
    inbox = report.get("inbox_link")
    if not inbox:
        return None
    return (
        f"Tên tệp của phát hiện và của tệp đã nhập là liên kết đến tệp gốc trong hộp thư, theo đường dẫn "
        f"tương đối từ thư mục {report['period']}: {inbox}/. Khi chép thư mục {report['period']} đi nơi khác, "
        f"chép kèm hộp thư vào đúng vị trí đó để liên kết còn mở được; nếu không, tìm ô cần sửa theo các "
        f"cột Tệp, Trang, Dòng, Cột."
    )


def _summary_lines(report: dict) -> list[tuple]:
    """(label, value, number format, link) of the summary sheet."""
    counts = report["by_severity"]
    lines: list[tuple] = [
        ("Báo cáo kiểm tra dữ liệu", f"{report['period_label']} ({report['period']})", None, None),
        ("Thời điểm lập", report["generated_at"], DATE_TIME, None),
        ("Hạn nộp báo cáo", report["deadline"], None, None),
        *(
            (f"Phát hiện mức {catalog.severity_label(s).lower()}", counts[s], COUNT, None)
            for s in catalog.SEVERITY_ORDER
        ),
    ]
    for c in report["completeness"]:
        if c["level"] == "province":
            lines += [
                ("Báo cáo đã nhận / phải nộp (toàn tỉnh)", f"{c['received']}/{c['expected']}", None, None),
                ("Tỷ lệ đầy đủ (toàn tỉnh)", vn_format.rate_fraction(c["received"], c["expected"]), RATE, None),
                ("Báo cáo đúng hạn / phải nộp (toàn tỉnh)", f"{c['on_time']}/{c['expected']}", None, None),
                ("Tỷ lệ đúng hạn (toàn tỉnh)", vn_format.rate_fraction(c["on_time"], c["expected"]), RATE, None),
            ]
    if report["gx"]:
        lines.append(("Great Expectations", "Đạt" if report["gx"]["success"] else "Không đạt", None, None))
        lines.append(("Kết quả kiểm tra tự động", DATA_DOCS_INDEX, None, {"target": DATA_DOCS_INDEX}))
    note = _inbox_note(report)
    if note:
        lines.append(("Liên kết đến tệp gốc", note, None, None))
    return lines


def finding_columns(report: dict) -> list[Column]:
    """The findings table's columns: no district column in a period without a district level."""
    if report.get("district_level", True):
        return FINDING_COLUMNS
    return [c for c in FINDING_COLUMNS if c.title != "Huyện"]


def completeness_rows(report: dict) -> list[dict]:
    """The completeness sheet's rows: the province, then each district; in a period without a district
    level, the province then each commune directly under it (the page's `communes`)."""
    if report.get("district_level", True):
        return report["completeness"]
    return [
        *report["completeness"],
        *(
            {
                "code": c["code"],
                "name": c["name"],
                "level": "commune",
                "expected": 1,
                "received": int(c["received"]),
                "on_time": int(c["on_time"]),
                "late": int(c["received"] and not c["on_time"]),
                "missing": [] if c["received"] else [f"{c['name']} ({c['code']})"],
            }
            for c in report.get("communes", [])
        ),
    ]


def write_xlsx(report: dict, path: Path) -> Path:
    """The workbook: a summary, then one table per sheet, each starting at A1 (header row, then one row
    per item) so that it sorts and filters; every sheet prints one page wide (reports.xlsx_sheet)."""
    wb = xs.new_workbook()
    sheets = [
        ("Tóm tắt", SUMMARY_COLUMNS, [*_summary_lines(report), *reviews.summary_lines(report)], {"autofilter": False}),
        ("Phát hiện", finding_columns(report) + reviews.REVIEW_COLUMNS, report["findings"], {"empty": NO_FINDINGS}),
        ("Đầy đủ, đúng hạn", COMPLETENESS_COLUMNS, completeness_rows(report), {}),
        ("Nhập tệp", SUBMISSION_COLUMNS, report["submissions"], {}),
        ("Các kiểm tra", CHECK_COLUMNS, list(report["checks"].values()), {}),
        ("Great Expectations", GX_COLUMNS, _gx_rows(report), {"empty": "Chưa chạy bộ kỳ vọng cho kỳ này."}),
        *reviews.xlsx_sheets(report),
    ]
    for title, columns, rows, options in sheets:
        ws = wb.create_sheet(title)
        caption = f"Kiểm tra dữ liệu {report['period_label']} ({report['period']}): {title}"
        xs.table(ws, columns, rows, caption=caption, **options)
    # the auditor's decision per finding, chosen from the catalogue's list (read back by ingestion.reviews)
    reviews.add_decision_list(
        wb["Phát hiện"], finding_columns(report) + reviews.REVIEW_COLUMNS, len(report["findings"])
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


def write_report(
    con, period: str, out_dir: str | Path, inbox_dir: str | Path | None = None, *, links_from: str | Path | None = None
) -> dict:
    """Write both files into `out_dir` and return their paths and headline counts. Links to the inbox are
    relative to `links_from` (default `out_dir`): the folder people will open the files in."""
    out_dir = Path(out_dir)
    report = collect(con, period, out_dir, inbox_dir, links_from=links_from)
    html_path = auditors_page.write(report, out_dir / HTML_NAME)
    xlsx_path = write_xlsx(report, out_dir / XLSX_NAME)
    feedback_files = feedback.write_all(report, out_dir)  # phan_hoi/CODE.xlsx per unit that must act
    province = next((c for c in report["completeness"] if c["level"] == "province"), None)
    return {
        "html": html_path,
        "xlsx": xlsx_path,
        "findings": len(report["findings"]),
        "by_severity": report["by_severity"],
        "submissions": len(report["submissions"]),
        "expected": province["expected"] if province else 0,
        "received": province["received"] if province else 0,
        "on_time": province["on_time"] if province else 0,
        "feedback_files": len(feedback_files),
        "review_counts": report["review_counts"],
    }
