"""The auditors' decisions on findings (issue 11, part 3): the review folder's reader on hand-made
workbooks, the feedback workbooks' selection, and the round trip through two real builds of a copy of the
demo: decisions filled in the published kiem_tra_du_lieu.xlsx with openpyxl are carried by the next
build, a corrected source makes its finding "resolved" with the build that resolved it while its decision
is kept, a must-fix finding lands in its unit's phan_hoi/CODE.xlsx, and broken review files are findings."""

from __future__ import annotations

import datetime as dt
import os
import shutil
from pathlib import Path

import duckdb
import openpyxl
import pytest
from build_helpers import build, copy_build, findings

import catalog
from ingestion import history_copy
from ingestion import reviews as reader
from orchestration.defaults import DEMO_REGISTER
from reports import feedback
from reports import reviews as report_reviews

P = "2021-H1"
KEY_A = "a" * 32
KEY_B = "b" * 12 + "c" * 20


# ------------------------------------------------------------------------------- reader, no build


def _review_workbook(path: Path, rows: list[list], reviewer: str | None = "Nguyễn Văn Kiểm") -> Path:
    """A workbook laid out as kiem_tra_du_lieu.xlsx: a summary, then the findings sheet."""
    wb = openpyxl.Workbook()
    summary = wb.active
    summary.title = reader.SUMMARY_SHEET
    summary.append(["Nội dung", "Giá trị"])
    summary.append(["Báo cáo kiểm tra dữ liệu", f"6 tháng đầu năm 2021 ({P})"])
    summary.append([reader.REVIEWER_LABEL, reviewer])
    ws = wb.create_sheet(reader.FINDINGS_SHEET)
    ws.append(["Mức độ", "Mã phát hiện", "Kết luận", "Ghi chú", "Người kết luận", "Ngày kết luận"])
    for row in rows:
        ws.append(row)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


def _known() -> reader.Known:
    return reader.Known({KEY_A: P, KEY_B: P})


def test_reader_takes_every_valid_row_and_names_each_bad_one(tmp_path):
    path = _review_workbook(
        tmp_path / "ket_luan" / "kl.xlsx",
        [
            ["Lỗi", KEY_A[:12], "  yêu cầu   SỬA ", "Sửa ô F2", None, None],  # any case and spacing
            ["Cảnh báo", KEY_B[:12], "Chấp nhận", None, "Lê Thị Soát", dt.datetime(2026, 1, 2, 9, 30)],
            ["Lỗi", "ffffffffffff", "Chấp nhận", None, None, None],  # no such finding
            ["Lỗi", KEY_A[:12], "đồng ý", None, None, None],  # not a decision
            ["Lỗi", KEY_B[:12], None, "chỉ có ghi chú", None, None],  # a note without a decision
            ["Lỗi", KEY_A[:12], None, None, None, None],  # nothing decided: no row
        ],
    )
    rows = reader.read_file(path, tmp_path / "ket_luan", _known())
    by_row = {r["row_number"]: r for r in rows}
    assert sorted(by_row) == [2, 3, 4, 5, 6]
    assert {k: by_row[2][k] for k in ("finding_key", "decision", "note", "reviewer", "problem")} == {
        "finding_key": KEY_A,
        "decision": "must_fix",
        "note": "Sửa ô F2",
        "reviewer": "Nguyễn Văn Kiểm",  # the summary's "Người kiểm tra"
        "problem": None,
    }
    assert by_row[2]["decided_at"] == by_row[2]["modified_at"]  # no date on the row: the file's time
    assert (by_row[3]["decision"], by_row[3]["reviewer"], by_row[3]["decided_at"]) == (
        "accepted",
        "Lê Thị Soát",
        dt.datetime(2026, 1, 2, 9, 30),
    )
    assert (by_row[4]["problem"], by_row[4]["finding_key"]) == (reader.UNKNOWN_FINDING, None)
    assert "ffffffffffff" in by_row[4]["problem_reason"]
    assert (by_row[5]["problem"], by_row[5]["finding_key"]) == (reader.BAD_DECISION, KEY_A)
    assert '"đồng ý"' in by_row[5]["problem_reason"]
    assert by_row[6]["problem"] == reader.BAD_DECISION
    assert {r["source_file"] for r in rows} == {"kl.xlsx"} and all(r["file_sha256"] for r in rows)


def test_the_decision_words_are_the_catalogues():
    labels = report_reviews.decision_labels()
    assert labels == ["Đã giải trình", "Chấp nhận", "Yêu cầu sửa"]
    assert set(reader.decision_words().values()) == {s for s, v in catalog.review_states().items() if v["decision"]}


def test_foreign_broken_and_other_files_are_problems_never_a_crash(tmp_path):
    folder = tmp_path / "ket_luan"
    folder.mkdir()
    (folder / "ghi_chu.txt").write_text("không phải bảng tính", encoding="utf-8")
    (folder / "hong.xlsx").write_bytes(b"PK\x03\x04 not really a zip")
    foreign = openpyxl.Workbook()
    foreign.active.append(["Họ tên", "Số điện thoại"])
    foreign.save(folder / "danh_ba.xlsx")
    (folder / "~$kl.xlsx").write_bytes(b"lock file of an open workbook")  # Excel's: ignored
    (folder / ".an").mkdir()
    (folder / ".an" / "x.xlsx").write_bytes(b"hidden")  # hidden: ignored
    _review_workbook(folder / "sub" / "kl.xlsx", [["Lỗi", KEY_A[:12], "Đã giải trình", None, None, None]])
    rows = reader.read_folder(folder, _known())
    problems = {r["source_file"]: r["problem_reason"] for r in rows if r.get("problem")}
    assert set(problems) == {"ghi_chu.txt", "hong.xlsx", "danh_ba.xlsx"}
    assert all(r["problem"] == reader.UNREADABLE for r in rows if r.get("problem"))
    assert problems["ghi_chu.txt"] == "không phải tệp .xlsx"
    assert '"Mã phát hiện"' in problems["danh_ba.xlsx"]
    assert [(r["source_file"], r["decision"]) for r in rows if not r.get("problem")] == [("sub/kl.xlsx", "explained")]


def test_load_replaces_the_table_and_a_missing_folder_is_empty(tmp_path):
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    con.execute("create table main.findings_history (finding_key varchar, period varchar)")  # the model's key columns
    folder = tmp_path / "ket_luan"
    _review_workbook(folder / "kl.xlsx", [["Lỗi", "0123456789ab", "Chấp nhận", None, None, None]])
    # the id is unknown until the history has it
    assert reader.load(con, folder)["problems"] == 1
    con.execute("insert into main.findings_history values ('0123456789abcdef', ?)", [P])
    assert reader.load(con, folder) == {"files": 1, "rows": 1, "decisions": 1, "problems": 0}
    assert con.execute("select finding_key, period, decision from raw.reviews").fetchall() == [
        ("0123456789abcdef", P, "accepted")
    ]
    assert reader.load(con, tmp_path / "nowhere")["rows"] == 0
    assert con.execute("select count(*) from raw.reviews").fetchone() == (0,)


def _finding(code, severity, source_file, state="open", **extra):
    return {
        "finding_key": (code + source_file).ljust(32, "0"),
        "check_code": code,
        "severity": severity,
        "source_file": source_file,
        "org_unit_code": extra.pop("org_unit_code", None),
        "unit_name": "",
        "sheet_name": "Thôn, khu phố",
        "row_number": 2,
        "value_raw": "1",
        "message": "…",
        "review_state": state,
        "decision_note": extra.pop("note", None),
        **extra,
    }


def test_feedback_goes_to_the_unit_that_sent_the_file(tmp_path):
    report = {
        "period": P,
        "period_label": "6 tháng đầu năm 2021",
        "deadline": dt.date(2021, 7, 20),
        "submissions": [
            {"source_file": "x1.xlsx", "reporter_code": "99101", "reporter_name": "Xã Một"},
            {"source_file": "x2.xlsx", "reporter_code": "99102", "reporter_name": "Xã Hai"},
        ],
        "findings": [
            _finding("HOUSEHOLDS_REGISTERED_EXCEED_TOTAL", "error", "x1.xlsx", org_unit_code="99101001"),
            _finding("NAME_MISMATCH", "warning", "x2.xlsx", "must_fix", note="Sửa tên thôn"),
            _finding("NAME_MISMATCH", "warning", "x1.xlsx", "accepted"),
            _finding("MISSING_VALUE", "warning", "x2.xlsx"),
            _finding("REVIEW_BAD_DECISION", "warning", "kl.xlsx", "must_fix"),
        ],
    }
    units = feedback.by_unit(report)
    assert {code: [f["check_code"] for f in u["findings"]] for code, u in units.items()} == {
        "99101": ["HOUSEHOLDS_REGISTERED_EXCEED_TOTAL"],  # a village's finding goes to its commune
        "99102": ["NAME_MISMATCH"],
    }
    written = feedback.write_all(report, tmp_path)
    assert [p.name for p in written] == ["99101.xlsx", "99102.xlsx"]
    rows = list(openpyxl.load_workbook(written[1])["Cần sửa"].iter_rows(values_only=True))
    header = rows[0]
    assert rows[1][header.index("Cách khắc phục")] == catalog.checks()["NAME_MISMATCH"]["fix_vi"]
    assert rows[1][header.index("Ghi chú của người kiểm tra")] == "Sửa tên thôn"
    info = dict(openpyxl.load_workbook(written[1])["Thông tin"].iter_rows(values_only=True))
    assert info["Hạn nộp báo cáo của kỳ"] == "20/07/2021" and info["Đơn vị"] == "Xã Hai (99102)"
    assert feedback.write_all({**report, "findings": []}, tmp_path / "none") == []
    assert (tmp_path / "none" / feedback.FOLDER).is_dir()  # written whole, even empty


def test_every_check_says_what_to_do():
    assert all(spec["fix_vi"].strip() for spec in catalog.checks().values())


# ----------------------------------------------------------------------------- the round trip

SHEET = "Thôn, khu phố"
ERROR, WARNING, INFO = "HOUSEHOLDS_REGISTERED_EXCEED_TOTAL", "NAME_MISMATCH", "SUPERSEDED_SUBMISSION"


def _sheet_rows(path: Path, sheet: str) -> list[dict]:
    rows = list(openpyxl.load_workbook(path, read_only=True)[sheet].iter_rows(values_only=True))
    return [dict(zip(rows[0], r)) for r in rows[1:]]


def _fill(published: Path, target: Path, decisions: dict[str, tuple[str, str | None]], reviewer: str, extra=()):
    """Fill "Kết luận" and "Ghi chú" of the published workbook as an auditor would, then save a copy."""
    wb = openpyxl.load_workbook(published)
    ws = wb[reader.FINDINGS_SHEET]
    head = [c.value for c in ws[1]]
    for row in ws.iter_rows(min_row=2):
        finding_id = row[head.index("Mã phát hiện")].value
        if finding_id in decisions:
            decision, note = decisions[finding_id]
            row[head.index("Kết luận")].value = decision
            row[head.index("Ghi chú")].value = note
    for finding_id, decision in extra:
        line = [None] * len(head)
        line[head.index("Mã phát hiện")], line[head.index("Kết luận")] = finding_id, decision
        ws.append(line)
    for row in wb[reader.SUMMARY_SHEET].iter_rows():
        if row[0].value == reader.REVIEWER_LABEL:
            row[1].value = reviewer
    target.parent.mkdir(parents=True, exist_ok=True)
    wb.save(target)
    return target


def _plant(path: Path, column: str, value) -> tuple[int, object]:
    """Write the first village's cell of `column` (the demo's layouts vary: the header is found); return
    its Excel row and what was there."""
    wb = openpyxl.load_workbook(path)
    ws = wb[SHEET]
    top, col = next((c.row, c.column) for row in ws.iter_rows(max_row=10) for c in row if c.value == column)
    cell = ws.cell(top + 1, col)
    before = cell.value
    cell.value = value
    wb.save(path)
    return top + 1, before


def _total(path: Path) -> int:
    ws = openpyxl.load_workbook(path, read_only=True)[SHEET]
    rows = list(ws.iter_rows(max_row=10, values_only=True))
    top = next(i for i, r in enumerate(rows) if "Tổng số hộ" in r)
    return rows[top + 1][rows[top].index("Tổng số hộ")]


def _by_check(rows: list[dict], code: str) -> dict:
    (row,) = [r for r in rows if r["Mã kiểm tra"] == code]
    return row


@pytest.fixture(scope="module")
def round_trip(demo_build, tmp_path_factory):
    """Two builds of a copy of the demo. Before the first: two planted defects (an error in commune
    22915, a warning in 22918) and a review folder with a decision on the demo's one finding plus broken
    files. Between them: the auditor marks both planted findings "Yêu cầu sửa" in the first build's
    workbook, and commune 22915 corrects its cell."""
    tmp = tmp_path_factory.mktemp("reviews")
    copy = copy_build(demo_build, tmp)
    inbox, out = copy["inbox"], copy["out"]
    review_dir = reader.default_folder(inbox)  # ket_luan beside the inbox: the default of --reviews
    error_file = next((inbox / P).glob("*/22915_*.xlsx"))
    warning_file = next((inbox / P).glob("*/22918_*.xlsx"))
    error_row, registered = _plant(error_file, "Số hộ đăng ký", _total(error_file) + 50)  # more than the total
    _plant(warning_file, "Tên thôn, khu phố", "Khu phố Mười Một")  # not the register's name

    demo_rows = _sheet_rows(demo_build["out"] / P / "kiem_tra_du_lieu.xlsx", reader.FINDINGS_SHEET)
    superseded = _by_check(demo_rows, INFO)["Mã phát hiện"]
    first = _fill(
        demo_build["out"] / P / "kiem_tra_du_lieu.xlsx",
        review_dir / "kl_1.xlsx",
        {superseded: ("Chấp nhận", "Xã đã gửi bản thay thế")},
        "Nguyễn Văn Kiểm",
        extra=[("ffffffffffff", "Chấp nhận")],
    )
    _review_workbook(review_dir / "kl_0.xlsx", [["Thông tin", superseded, "đồng ý", None, None, None]])
    (review_dir / "ghi_chu.txt").write_text("ghi chú riêng", encoding="utf-8")
    foreign = openpyxl.Workbook()
    foreign.active.append(["Họ tên", "Số điện thoại"])
    foreign.save(review_dir / "danh_ba.xlsx")
    build(tmp, P, inbox, DEMO_REGISTER, out)
    one = {
        "findings": _sheet_rows(out / P / "kiem_tra_du_lieu.xlsx", reader.FINDINGS_SHEET),
        "csv": findings(out / P),
        "feedback": sorted(p.name for p in (out / P / feedback.FOLDER).iterdir()),
        "xlsx": shutil.copy(out / P / "kiem_tra_du_lieu.xlsx", tmp / "first.xlsx"),
        "feedback_22915": _sheet_rows(out / P / feedback.FOLDER / "22915.xlsx", "Cần sửa"),
        "unknown_row": len(demo_rows) + 2,  # the row _fill added below the demo's findings
        "error_row": error_row,
    }

    ids = {code: _by_check(one["findings"], code)["Mã phát hiện"] for code in (ERROR, WARNING)}
    second = _fill(
        out / P / "kiem_tra_du_lieu.xlsx",
        review_dir / "kl_2.xlsx",
        {
            ids[ERROR]: ("Yêu cầu sửa", "Sửa số hộ đăng ký"),
            ids[WARNING]: ("Yêu cầu sửa", "Ghi tên thôn theo danh mục"),
        },
        "Lê Thị Soát",
    )
    later = os.stat(first).st_mtime + 60  # written after the first: its decisions are the latest
    os.utime(second, (later, later))
    _plant(error_file, "Số hộ đăng ký", registered)  # the commune corrects its cell
    started = dt.datetime.now().replace(microsecond=0)
    build(tmp, P, inbox, DEMO_REGISTER, out)
    finished = dt.datetime.now()
    return {
        "tmp": tmp,
        "out": out / P,
        "warehouse": copy["warehouse"],
        "review_dir": review_dir,
        "ids": {**ids, INFO: superseded},
        "one": one,
        "started": started,
        "finished": finished,
    }


def test_first_build_takes_the_decisions_and_reports_the_broken_review_files(round_trip):
    one, ids = round_trip["one"], round_trip["ids"]
    info = _by_check(one["findings"], INFO)
    assert (info["Kết luận"], info["Ghi chú"]) == ("Chấp nhận", "Xã đã gửi bản thay thế")
    assert info["Đã kết luận"].startswith("Nguyễn Văn Kiểm, ") and info["Đã kết luận"].endswith("(tệp kl_1.xlsx)")
    assert _by_check(one["findings"], ERROR)["Kết luận"] is None  # open
    problems = {(f["check"], f["source_file"], f["row"]) for f in one["csv"] if f["check"].startswith("REVIEW_")}
    assert problems == {
        ("REVIEW_FILE_UNREADABLE", "ghi_chu.txt", ""),
        ("REVIEW_FILE_UNREADABLE", "danh_ba.xlsx", ""),
        ("REVIEW_BAD_DECISION", "kl_0.xlsx", "2"),
        ("REVIEW_UNKNOWN_FINDING", "kl_1.xlsx", str(one["unknown_row"])),
    }
    # an error needs its unit's action; an accepted finding and an open warning do not
    assert one["feedback"] == ["22915.xlsx"]
    (row,) = one["feedback_22915"]
    assert (row["Mã phát hiện"], row["Vì sao cần sửa"], row["Trang"], row["Dòng"], row["Cột"]) == (
        ids[ERROR],
        "Lỗi",
        SHEET,
        one["error_row"],
        None,
    )
    assert row["Cách khắc phục"] == catalog.checks()[ERROR]["fix_vi"]


def test_the_findings_sheet_offers_the_three_decisions(round_trip):
    wb = openpyxl.load_workbook(round_trip["one"]["xlsx"])
    ws = wb[reader.FINDINGS_SHEET]
    head = [c.value for c in ws[1]]
    letter = openpyxl.utils.get_column_letter(head.index("Kết luận") + 1)
    (dv,) = ws.data_validations.dataValidation
    assert dv.formula1 == '"Đã giải trình,Chấp nhận,Yêu cầu sửa"'
    assert str(dv.sqref) == f"{letter}2:{letter}{ws.max_row}"
    # a finding about a review file names it without a link: links lead into the inbox
    review_rows = [r for r in ws.iter_rows(min_row=2) if r[head.index("Mã kiểm tra")].value.startswith("REVIEW_")]
    assert len(review_rows) == 4 and all(r[head.index("Tệp")].hyperlink is None for r in review_rows)
    summary = dict(r[:2] for r in wb[reader.SUMMARY_SHEET].iter_rows(values_only=True))
    assert reader.REVIEWER_LABEL in summary and summary["Phát hiện: chấp nhận"] == 1


def test_second_build_carries_the_decisions_and_resolves_the_corrected_finding(round_trip):
    out, ids = round_trip["out"], round_trip["ids"]
    rows = _sheet_rows(out / "kiem_tra_du_lieu.xlsx", reader.FINDINGS_SHEET)
    assert ids[ERROR] not in {r["Mã phát hiện"] for r in rows}  # corrected: no longer found
    warning = _by_check(rows, WARNING)
    assert (warning["Kết luận"], warning["Ghi chú"]) == ("Yêu cầu sửa", "Ghi tên thôn theo danh mục")
    assert warning["Đã kết luận"].startswith("Lê Thị Soát, ")
    # kl_2.xlsx restates the first decision unchanged: who decided it stays the first reviewer
    info = _by_check(rows, INFO)
    assert info["Kết luận"] == "Chấp nhận" and info["Đã kết luận"].startswith("Nguyễn Văn Kiểm, ")

    # the planted error also made its district's summary disagree: both are resolved by the correction
    gone = {r["Mã phát hiện"]: r for r in _sheet_rows(out / "kiem_tra_du_lieu.xlsx", report_reviews.RESOLVED_SHEET)}
    assert {r["Kiểm tra"] for r in gone.values()} == {
        catalog.checks()[code]["title_vi"] for code in (ERROR, "DISTRICT_SUMMARY_MISMATCH")
    }
    resolved = gone[ids[ERROR]]
    assert (resolved["Kết luận cuối"], resolved["Ghi chú"], resolved["Người kết luận"]) == (
        "Yêu cầu sửa",
        "Sửa số hộ đăng ký",
        "Lê Thị Soát",
    )
    assert round_trip["started"] <= resolved["Khắc phục từ lần lập"] <= round_trip["finished"]

    # the must-fix warning goes to its commune; the corrected commune has nothing left to do
    assert sorted(p.name for p in (out / feedback.FOLDER).iterdir()) == ["22918.xlsx"]
    (row,) = _sheet_rows(out / feedback.FOLDER / "22918.xlsx", "Cần sửa")
    assert (row["Mã phát hiện"], row["Vì sao cần sửa"], row["Ghi chú của người kiểm tra"]) == (
        ids[WARNING],
        feedback.REASON_MUST_FIX,
        "Ghi tên thôn theo danh mục",
    )

    # the page shows the decision and the resolved finding too
    page = (out / "kiem_tra_du_lieu.html").read_text(encoding="utf-8")
    assert ids[ERROR] in page and "Lê Thị Soát" in page and "Nguyễn Văn Kiểm" in page

    # the report's data-quality appendix counts the findings by state
    text = (out / f"bao_cao_{P}.md").read_text(encoding="utf-8")
    assert "yêu cầu sửa 01" in text and "chấp nhận 01" in text and "đã khắc phục 02" in text


def test_decisions_are_kept_in_the_warehouse_and_survive_a_rebuild(round_trip, tmp_path):
    ids = round_trip["ids"]
    con = duckdb.connect(str(round_trip["warehouse"]), read_only=True)
    try:
        kept = dict(con.execute("select finding_id, decision from main.fct_review_decisions").fetchall())
        closed = con.execute(
            "select closed_at from main.findings_history where finding_key like ? || '%'", [ids[ERROR]]
        ).fetchone()
    finally:
        con.close()
    assert kept == {ids[ERROR]: "must_fix", ids[WARNING]: "must_fix", ids[INFO]: "accepted"}
    assert closed[0] is not None
    # a rebuilt warehouse: the history comes back from its copy beside the warehouse, the decisions from
    # the review folder, read again (what the `reviews` asset does before dbt)
    fresh = duckdb.connect(str(tmp_path / "rebuilt.duckdb"))
    try:
        restored = history_copy.restore(fresh, str(round_trip["warehouse"]) + ".findings_history.parquet")
        counts = reader.load(fresh, round_trip["review_dir"])
    finally:
        fresh.close()
    assert restored > 0
    assert counts["decisions"] == 4  # kl_1: one; kl_2: the restated one and the two new ones
