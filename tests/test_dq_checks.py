"""Every data-quality check (contract section 5 and antq's own) on a messy inbox written here: each fires
exactly where it was planted (check, unit, file, sheet, Excel row), the figures follow section 5's effects,
and the auditors' report, the findings history and the Dagster asset checks trace each finding."""

from __future__ import annotations

import datetime as dt
import html
import re

import dagster as dg
import duckdb
import openpyxl
import pytest
from build_helpers import agency, build, findings, indicators, submission, village, write_register

import catalog
from ingestion.warehouse import rows_as_dicts
from workbook_format.writer import write_submission

P, Q = "2021-H1", "2020-H2"
LATE = dt.date(2021, 7, 25)  # after the default deadline of 2021-H1, 20/07/2021
INJECTED = "=1+2 <script>alert(1)</script>"

ORG_UNITS = [
    ("99", "Tỉnh Thử Nghiệm", "province", ""),
    ("991", "Huyện Một", "district", "99"),
    ("992", "Huyện Hai", "district", "99"),
    ("993", "Huyện Ba", "district", "99"),
    ("99101", "Xã Một A", "commune", "991"),
    ("99102", "Xã Một B", "commune", "991"),
    ("99103", "Xã Một C", "commune", "991"),
    ("99104", "Xã Một D", "commune", "991"),
    ("99201", "Xã Hai A", "commune", "992"),
    ("99301", "Xã Ba A", "commune", "993"),
    ("99101001", "Thôn 1", "village", "99101"),
    ("99101002", "Thôn 2", "village", "99101"),
    ("99101003", "Thôn 3", "village", "99101"),
    ("99102001", "Thôn Phú Hòa", "village", "99102"),
    ("99103001", "Thôn 1", "village", "99103"),
    ("99104001", "Thôn 1", "village", "99104"),
    ("99104002", "Thôn 2", "village", "99104"),
    ("99201001", "Thôn 1", "village", "99201"),
    ("99201002", "Thôn 2", "village", "99201"),
    ("99301001", "Thôn 1", "village", "99301"),
    ("99301002", "Thôn 2", "village", "99301"),
    ("99301003", "Thôn 3", "village", "99301"),
]
AGENCIES = [
    ("P1", "Sở Một", "co_quan", "province", ""),
    ("P2", "Trường THPT Hai", "nha_truong", "province", ""),
    ("D1-991", "Trường Tiểu học Một", "nha_truong", "district", "991"),
    ("D2-991", "Công ty TNHH Hai", "doanh_nghiep", "district", "991"),
    ("D1-992", "Trạm Y tế Ba", "co_quan", "district", "992"),
    ("D1-993", "Ban Quản lý Ba", "co_quan", "district", "993"),
]

VILLAGES = "Thôn, khu phố"
AGENCY_SHEET = "Cơ quan, DN, nhà trường"
COVER = "Thông tin chung"


def medal(name, kind="individual"):
    return {"recipient_kind": kind, "recipient_name": name, "award_type": "medal"}


def write_previous_period(inbox):
    q = inbox / "2020-H2"
    on = dt.date(2021, 1, 5)
    submission(
        q,
        "x99102.xlsx",
        "commune",
        "99102",
        "Xã Một B",
        Q,
        created_on=on,
        commune_steering_plan=True,
        commune_safe=True,
        sheets={
            "villages": [village("99102001", "Thôn Phú Hòa", True, True, 50, 40)],
            "awards": [medal("Trần Thị Bình")],
        },
    )
    submission(
        q,
        "x99104.xlsx",
        "commune",
        "99104",
        "Xã Một D",
        Q,
        created_on=on,
        commune_steering_plan=True,
        commune_safe=True,
        sheets={
            "villages": [
                village("99104001", "Thôn 1", True, True, 60, 50),
                village("99104002", "Thôn 2", True, True, 70, 60),
            ]
        },
    )
    submission(
        q,
        "x99201.xlsx",
        "commune",
        "99201",
        "Xã Hai A",
        Q,
        created_on=on,
        commune_steering_plan=True,
        commune_safe=True,
        sheets={
            "villages": [
                village("99201001", "Thôn 1", True, True, 200, 150),
                village("99201002", "Thôn 2", True, True, 100, 90),
            ]
        },
    )


def write_period(inbox):
    p = inbox / "2021-H1"
    submission(
        p,
        "tinh.xlsx",
        "province",
        "99",
        "Tỉnh Thử Nghiệm",
        P,
        sheets={
            "agencies": [
                agency("P1", "Sở Một", "co_quan", True, True),  # row 2
                agency("P2", "Trường THPT Hai", "co_quan", True, False),  # row 3: kind differs
                agency("P1", "Sở Một", "co_quan", False, False),
            ],  # row 4: duplicate
            "province_models": [
                {"model_name": "Camera an ninh", "model_group": "6", "unit_code": "P1", "founded_year": 2022}
            ],  # row 2: after 2021
            "awards": [
                medal("Nguyễn Văn An"),  # row 2: twice
                medal("Đội dân phòng", "collective"),
            ],  # row 3: collective
        },
    )
    submission(
        p,
        "h991.xlsx",
        "district",
        "991",
        "Huyện Một",
        P,
        district_steering_plan=True,
        sheets={
            "agencies": [
                agency("D1-991", "Trường Tiểu học Một", "nha_truong", True, True),  # row 2
                agency("XX", "Đơn vị lạ", "co_quan", True, True),  # row 3: unknown
                agency("D1-992", "Trạm Y tế Ba", "co_quan", True, True),
            ],  # row 4: other district
            "district_summary": [
                {"summary_item": "commune_steering_plan", "achieved": 3, "total": 4},  # row 2: right
                {"summary_item": "village_safe", "achieved": 9, "total": 10},  # row 3: wrong
                {"summary_item": "models", "achieved": 1, "total": 99},
            ],  # row 4: right
            "awards": [medal("nguyễn  văn AN")],  # row 2: first listing
        },
    )
    submission(
        p,
        "x99101.xlsx",
        "commune",
        "99101",
        "Xã Một A",
        P,
        commune_steering_plan=True,
        commune_safe=True,
        sheets={
            "villages": [
                village("99101001", "Thôn 1", True, True, 100, 80),  # row 2
                village("99101002", "Thôn Hai", True, True, 790, 812),  # row 3: > total, name
                village("99101003", "Thôn 3", True, True, "abc", 10),  # row 4: invalid count
                village("99101001", "Thôn 1", False, False, 1, 1),  # row 5: duplicate
                village("99201001", "Thôn 1", True, True, 5, 5),
            ],  # row 6: other commune's
            "commune_models": [
                {"model_name": "Tổ tự quản", "model_group": "1", "unit_code": "99101001"},
                {"model_name": "Tổ lạ", "model_group": "2", "unit_code": "99102001"},
            ],
        },
    )
    submission(
        p,
        "x99102_v1.xlsx",
        "commune",
        "99102",
        "Xã Một B",
        P,
        version=1,
        commune_steering_plan=False,
        commune_safe=False,
        sheets={"villages": [village("99102001", "Thôn Phú Hòa", False, False, 50, 0)]},
    )
    submission(
        p,
        "x99102_v2.xlsx",
        "commune",
        "99102",
        "Xã Một B",
        P,
        version=2,
        commune_steering_plan=True,
        commune_safe=False,
        sheets={
            "villages": [village("99102001", "Thôn Phú Hoà", True, None, 50, 40)],  # row 2: blank safe
            "awards": [medal("Trần Thị Bình")],  # row 2: also in 2020-H2
        },
    )
    submission(
        p,
        "x99104.xlsx",
        "commune",
        "99104",
        "Xã Một D",
        P,
        commune_steering_plan=True,
        commune_safe=True,
        sheets={
            "villages": [
                village("99104001", "Thôn 1", True, True, 60, 50),  # as in 2020-H2
                village("99104002", "Thôn 2", True, True, 70, 60),
            ]
        },
    )
    submission(
        p,
        "x99201.xlsx",
        "commune",
        "99201",
        INJECTED,
        P,
        created_on=LATE,
        commune_steering_plan=True,
        commune_safe=True,
        sheets={"villages": [village("99201001", "Thôn 1", True, True, 300, 150)]},
    )  # +50 %; Thôn 2 missing
    x99301 = submission(
        p,
        "x99301.xlsx",
        "commune",
        "99301",
        "Xã Ba A",
        P,
        commune_steering_plan=True,
        commune_safe=True,
        sheets={
            "villages": [
                village("99301001", "Thôn 1", True, True, 40, 30),
                village("99301002\u200b", "Thôn 2", True, False, 40, 20),  # row 3
                village("99301003", "Thôn 3", True, False, 40, 10),
            ]
        },
    )  # 1 of 3 safe
    wb = openpyxl.load_workbook(x99301)  # a stray note far below the list: the sheet is over its row limit
    wb[VILLAGES].cell(row=1500, column=1, value="ghi chú")
    wb.save(x99301)
    # commune 99103 left its blank template (antq template) in the inbox and sent nothing else
    write_submission(
        p / "mau_99103.xlsx",
        level="commune",
        blank_template=P,
        cover={"code": "99103", "name": "Xã Một C", "period": P},
        sheets={},
    )
    # District 993's workbook lacks its required sheet; 992 and commune 99103 send nothing.
    h993 = submission(
        p,
        "h993.xlsx",
        "district",
        "993",
        "Huyện Ba",
        P,
        district_steering_plan=True,
        sheets={"agencies": [agency("D1-993", "Ban Quản lý Ba", "co_quan", True, True)]},
    )
    wb = openpyxl.load_workbook(h993)
    del wb[AGENCY_SHEET]
    wb.save(h993)
    submission(
        p,
        "x99999.xlsx",
        "commune",
        "99999",
        "Xã Không Có",
        P,
        sheets={"villages": [village("99999001", "Thôn 1", True, True, 10, 5)]},
    )
    submission(p, "ky_sai.xlsx", "commune", "99101", "Xã Một A", "2021-H3")
    (inbox / "hong.xlsx").write_bytes(b"this is not a workbook")


# (check, org_unit_code, source_file, sheet, row) of every finding planted for 2021-H1
EXPECTED = {
    ("UNREADABLE_FILE", "", "hong.xlsx", "", ""),
    ("UNREADABLE_FILE", "993", "2021-H1/h993.xlsx", "", ""),
    ("INVALID_COVER", "99101", "2021-H1/ky_sai.xlsx", COVER, ""),
    ("UNKNOWN_ORG_UNIT", "99999", "2021-H1/x99999.xlsx", COVER, ""),
    ("UNKNOWN_ORG_UNIT", "99201001", "2021-H1/x99101.xlsx", VILLAGES, "6"),
    ("UNKNOWN_ORG_UNIT", "99102001", "2021-H1/x99101.xlsx", "Mô hình", "3"),
    ("UNKNOWN_ORG_UNIT", "XX", "2021-H1/h991.xlsx", AGENCY_SHEET, "3"),
    ("UNKNOWN_ORG_UNIT", "D1-992", "2021-H1/h991.xlsx", AGENCY_SHEET, "4"),
    ("MISSING_SUBMISSION", "992", "", "", ""),
    ("MISSING_SUBMISSION", "993", "", "", ""),
    ("MISSING_SUBMISSION", "99103", "", "", ""),
    ("MISSING_UNIT_ROW", "D2-991", "2021-H1/h991.xlsx", AGENCY_SHEET, ""),
    ("MISSING_UNIT_ROW", "99201002", "2021-H1/x99201.xlsx", VILLAGES, ""),
    ("DUPLICATE_UNIT_ROW", "99101001", "2021-H1/x99101.xlsx", VILLAGES, "5"),
    ("DUPLICATE_UNIT_ROW", "P1", "2021-H1/tinh.xlsx", AGENCY_SHEET, "4"),
    ("INVALID_VALUE", "99101003", "2021-H1/x99101.xlsx", VILLAGES, "4"),
    ("MISSING_VALUE", "99102001", "2021-H1/x99102_v2.xlsx", VILLAGES, "2"),
    ("HOUSEHOLDS_REGISTERED_EXCEED_TOTAL", "99101002", "2021-H1/x99101.xlsx", VILLAGES, "3"),
    ("SUPERSEDED_SUBMISSION", "99102", "2021-H1/x99102_v1.xlsx", "", ""),
    ("DISTRICT_SUMMARY_MISMATCH", "991", "2021-H1/h991.xlsx", "Tổng hợp", "3"),
    ("HOUSEHOLDS_CHANGE_OUTLIER", "99201001", "2021-H1/x99201.xlsx", VILLAGES, "2"),
    ("NAME_MISMATCH", "99101002", "2021-H1/x99101.xlsx", VILLAGES, "3"),
    ("NAME_MISMATCH", "99201", "2021-H1/x99201.xlsx", COVER, ""),
    # antq's own checks
    ("LATE_SUBMISSION", "99201", "2021-H1/x99201.xlsx", COVER, ""),
    ("AGENCY_KIND_MISMATCH", "P2", "2021-H1/tinh.xlsx", AGENCY_SHEET, "3"),
    ("COMMUNE_SAFE_VILLAGES_NOT", "99301", "2021-H1/x99301.xlsx", COVER, ""),
    ("MEDAL_AWARDED_TWICE", "99", "2021-H1/tinh.xlsx", "Khen thưởng", "2"),
    ("MEDAL_AWARDED_TWICE", "99102", "2021-H1/x99102_v2.xlsx", "Khen thưởng", "2"),
    ("MEDAL_TO_COLLECTIVE", "99", "2021-H1/tinh.xlsx", "Khen thưởng", "3"),
    ("MODEL_FOUNDED_AFTER_PERIOD", "P1", "2021-H1/tinh.xlsx", "Mô hình", "2"),
    ("FIGURES_COPIED_FROM_PREVIOUS", "99104", "2021-H1/x99104.xlsx", VILLAGES, ""),
    ("INVISIBLE_CHARACTER", "99301002", "2021-H1/x99301.xlsx", VILLAGES, "3"),
    ("BLANK_TEMPLATE", "99103", "2021-H1/mau_99103.xlsx", "", ""),
    ("SHEET_TOO_MANY_ROWS", "99301", "2021-H1/x99301.xlsx", VILLAGES, "1002"),
}


@pytest.fixture(scope="module")
def messy(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("messy_province")
    register = write_register(tmp / "register", ORG_UNITS, AGENCIES)
    inbox = tmp / "inbox"
    write_previous_period(inbox)
    write_period(inbox)
    out = build(tmp, P, inbox, register)
    return {"out": out, "warehouse": tmp / "warehouse.duckdb", "findings": findings(out), "figures": indicators(out)}


def test_every_check_fires_exactly_where_planted(messy):
    found = {(f["check"], f["org_unit_code"], f["source_file"], f["sheet"], f["row"]) for f in messy["findings"]}
    assert found - EXPECTED == set(), "unplanted findings"
    assert EXPECTED - found == set(), "planted findings not found"
    assert len(messy["findings"]) == len(EXPECTED)
    assert {f["period"] for f in messy["findings"]} == {P}
    planted_codes = {e[0] for e in EXPECTED}
    # the review folder's checks are planted in tests/test_reviews.py
    reviews = {code for code, spec in catalog.checks().items() if spec["runs_in"] == "reviews"}
    # REPORTED_UNDER_FORMER_COMMUNE needs a register across a reform: planted in tests/test_crosswalk_history.py
    reform = {"REPORTED_UNDER_FORMER_COMMUNE"}
    assert planted_codes == set(catalog.checks()) - {"SHEET_HEADER_NOT_FOUND"} - reviews - reform


def test_severity_comes_from_the_catalogue(messy):
    checks = catalog.checks()
    for f in messy["findings"]:
        assert f["severity"] == checks[f["check"]]["severity"], f


def test_messages_are_vietnamese_and_actionable(messy):
    by_key = {(f["check"], f["org_unit_code"]): f["message"] for f in messy["findings"]}
    assert (
        by_key[("HOUSEHOLDS_REGISTERED_EXCEED_TOTAL", "99101002")]
        == "Số hộ đăng ký (812) lớn hơn tổng số hộ (790) tại Thôn 2, Xã Một A"
    )
    assert (
        by_key[("LATE_SUBMISSION", "99201")] == "Báo cáo của Xã Hai A lập ngày 25/07/2021, sau hạn 20/07/2021 là 5 ngày"
    )
    assert (
        '"Cơ quan"' in by_key[("AGENCY_KIND_MISMATCH", "P2")]
        and '"Nhà trường"' in by_key[("AGENCY_KIND_MISMATCH", "P2")]
    )
    assert "1/3 thôn, khu phố" in by_key[("COMMUNE_SAFE_VILLAGES_NOT", "99301")]
    assert "kỳ 2020-H2" in by_key[("MEDAL_AWARDED_TWICE", "99102")]
    assert "2021-H1/h991.xlsx, dòng 2" in by_key[("MEDAL_AWARDED_TWICE", "99")]
    assert "huyện báo cáo 9/10, tính từ báo cáo của các xã là 4/7" in by_key[("DISTRICT_SUMMARY_MISMATCH", "991")]
    assert "+50,0 %" in by_key[("HOUSEHOLDS_CHANGE_OUTLIER", "99201001")]
    assert "2021-H1/x99102_v2.xlsx" in by_key[("SUPERSEDED_SUBMISSION", "99102")]
    for f in messy["findings"]:
        assert "?" not in f["message"] and "{" not in f["message"], f  # every placeholder filled
        assert not re.search(r"\b(commune|district|province|co_quan|nha_truong|doanh_nghiep)\b", f["message"]), f


def test_figures_follow_the_effects(messy):
    figures = messy["figures"]
    expected = {
        # P1's first row counts, its duplicate does not; P2's kind differs from the register: no effect
        "plan_issued.province_agencies": (2, 2),
        "safe_registered.province_agencies": (1, 2),
        # D2-991 not listed, D1-992 listed by the wrong district, 993's file unreadable: not achieved
        "plan_issued.district_agencies": (1, 4),
        # 993's cover says yes but its file contributes nothing; 992 sent nothing
        "plan_issued.district_steering_committees": (1, 3),
        # the unknown commune 99999 adds nothing; 99102's version 2 wins over version 1
        "plan_issued.commune_steering_committees": (5, 6),
        "safe_registered.communes": (4, 6),
        # invalid row, duplicate row, missing rows and the other commune's village are not achieved
        "plan_issued.village_boards": (9, 12),
        # a blank yes/no is "no"
        "safe_registered.villages": (6, 12),
        # 99101002's 812 > 790: both its figures excluded
        "safe_registered.households": (80 + 40 + 50 + 60 + 150 + 30 + 20 + 10, 100 + 50 + 60 + 70 + 300 + 120),
        # the model on another commune's village does not count; one founded "after" the period does
        "models.total": (2, None),
        "models.group_1": (1, None),
        "models.group_2": (0, None),
        "models.group_6": (1, None),
        "models.communes_covered": (1, 6),
        # medals listed twice still count (a warning); a medal to a collective counts nowhere
        "awards.medal_individuals": (3, None),
        "awards.commendation_collectives": (0, None),
    }
    for indicator, value in expected.items():
        assert figures[("99", indicator)] == value, indicator
    assert figures[("991", "safe_registered.villages")] == (4, 7)
    assert figures[("991", "safe_registered.households")] == (80 + 40 + 50 + 60, 100 + 50 + 60 + 70)
    assert figures[("992", "plan_issued.district_steering_committees")] == (0, 1)
    assert figures[("992", "plan_issued.village_boards")] == (1, 2)


def test_findings_belong_to_the_reporter_that_must_correct_them(messy):
    con = duckdb.connect(str(messy["warehouse"]), read_only=True)
    try:
        rows = con.execute(
            "select check_code, org_unit_code, district_code, commune_code from main.mart_dq_findings where period = ?",
            [P],
        ).fetchall()
        submissions = {
            r[0]: r[1:]
            for r in con.execute(
                "select source_file, submission_status, rows_read, rows_counted, rows_excluded, on_time, deadline "
                "from main.mart_submissions where period = ?",
                [P],
            ).fetchall()
        }
    finally:
        con.close()
    where = {(c, o): (d, m) for c, o, d, m in rows}
    # 99201001 belongs to commune 99201 (district 992) but was listed by 99101: the finding is 99101's
    assert where[("UNKNOWN_ORG_UNIT", "99201001")] == ("991", "99101")
    assert where[("UNKNOWN_ORG_UNIT", "D1-992")] == ("991", None)
    assert where[("MISSING_SUBMISSION", "99103")] == ("991", "99103")
    assert where[("MISSING_SUBMISSION", "992")] == ("992", None)
    assert where[("UNREADABLE_FILE", None)] == (None, None)  # no readable cover
    assert where[("UNREADABLE_FILE", "993")] == ("993", None)
    # the import summary accounts for every file of the period
    assert submissions["2021-H1/x99102_v1.xlsx"][0] == "superseded"
    assert submissions["2021-H1/x99999.xlsx"][0] == "unknown_unit"
    assert submissions["hong.xlsx"][0] == "rejected"
    assert submissions["2021-H1/x99101.xlsx"][1:4] == (5 + 2, 2 + 1, 4)
    assert submissions["2021-H1/x99201.xlsx"][4] is False
    assert submissions["2021-H1/x99201.xlsx"][5] == dt.date(2021, 7, 20)
    assert submissions["2021-H1/x99301.xlsx"][4] is True


def test_auditors_report_traces_each_finding_to_its_cell(messy):
    out = messy["out"]
    page = (out / "kiem_tra_du_lieu.html").read_text(encoding="utf-8")
    assert "<script>alert" not in page and html.escape(INJECTED) in page
    # a planted finding with its file, sheet and row, under its district and commune
    assert "Số hộ đăng ký (812) lớn hơn tổng số hộ (790) tại Thôn 2, Xã Một A" in page
    assert "2021-H1/x99101.xlsx" in page and "Huyện Một" in page
    assert "data_docs/index.html" in page

    wb = openpyxl.load_workbook(out / "kiem_tra_du_lieu.xlsx")
    ws = wb["Phát hiện"]
    header = [c.value for c in ws[1]]
    rows = [dict(zip(header, (c.value for c in r))) for r in ws.iter_rows(min_row=2)]
    exceed = [r for r in rows if r["Mã kiểm tra"] == "HOUSEHOLDS_REGISTERED_EXCEED_TOTAL"]
    assert len(exceed) == 1
    assert (
        exceed[0]["Tệp"],
        exceed[0]["Trang"],
        exceed[0]["Dòng"],
        exceed[0]["Giá trị"],
        exceed[0]["Huyện"],
        exceed[0]["Xã"],
    ) == ("2021-H1/x99101.xlsx", VILLAGES, 3, "812", "Huyện Một", "Xã Một A")
    # the file cell links to the inbox workbook, opening at the finding's sheet and row
    file_cell = next(
        r[header.index("Tệp")]
        for r in ws.iter_rows(min_row=2)
        if r[header.index("Mã kiểm tra")].value == "HOUSEHOLDS_REGISTERED_EXCEED_TOTAL"
    )
    assert file_cell.hyperlink.location == f"'{VILLAGES}'!A3"
    assert file_cell.hyperlink.target.endswith("inbox/2021-H1/x99101.xlsx")
    invalid = next(r for r in rows if r["Mã kiểm tra"] == "INVALID_VALUE")
    assert (invalid["Trang"], invalid["Dòng"], invalid["Cột"], invalid["Giá trị"]) == (VILLAGES, 4, "Tổng số hộ", "abc")
    assert len(rows) == len(EXPECTED)
    # submission text stays text: nothing in the workbook is a formula
    for sheet in wb.worksheets:
        for r in sheet.iter_rows():
            for c in r:
                assert c.data_type != "f", (sheet.title, c.coordinate, c.value)
    injected = [r for r in rows if r["Giá trị"] == INJECTED]
    assert injected and injected[0]["Mã kiểm tra"] == "NAME_MISMATCH"

    completeness = {r[0].value: [c.value for c in r] for r in wb["Đầy đủ, đúng hạn"].iter_rows(min_row=2)}
    header = [c.value for c in wb["Đầy đủ, đúng hạn"][1]]
    province = dict(zip(header, completeness["99"]))
    # expected: province, 3 districts, 6 communes; received: all but 992, 993, 99103; late: 99201
    assert (province["Báo cáo phải nộp"], province["Đã nhận"], province["Đúng hạn"], province["Nộp sau hạn"]) == (
        10,
        7,
        6,
        1,
    )
    imports = [c.value for c in next(wb["Nhập tệp"].iter_rows(min_row=1, max_row=1))]
    assert "Lý do từ chối" in imports


def test_findings_history_keeps_every_finding(messy):
    con = duckdb.connect(str(messy["warehouse"]), read_only=True)
    try:
        rows = con.execute(
            "select check_code, is_open, times_seen, first_seen_run = last_seen_run from main.findings_history "
            "where period = ?",
            [P],
        ).fetchall()
    finally:
        con.close()
    assert len(rows) == len(EXPECTED)
    assert all(is_open and times == 1 and same for _, is_open, times, same in rows)


def test_dagster_checks_show_each_check_per_partition(messy):
    with dg.DagsterInstance.get() as instance:

        def latest(asset: str, name: str, partitioned: bool = True):
            records = instance.event_log_storage.get_asset_check_execution_history(
                dg.AssetCheckKey(dg.AssetKey(asset), name), limit=1
            )
            assert records, (asset, name)
            evaluation = records[0].event.dagster_event.event_specific_data
            assert evaluation.partition == (P if partitioned else None)  # dbt's checks name no partition
            return evaluation.passed, evaluation.metadata, evaluation.severity

        passed, metadata, severity = latest("mart_dq_findings", "households_registered_exceed_total")
        assert not passed and severity == dg.AssetCheckSeverity.WARN and metadata["findings"].value == 1
        assert "2021-H1/x99101.xlsx" in metadata["sample"].value
        passed, metadata, _ = latest("mart_dq_findings", "superseded_submission")
        assert passed and metadata["findings"].value == 1  # info only
        assert latest("mart_dq_findings", "sheet_header_not_found")[0]
        # the pipeline lost nothing and counts no unit twice, however messy the data (dbt tests)
        assert latest("mart_submissions", "assert_every_file_accounted_for", partitioned=False)[0]
        assert latest("mart_submissions", "assert_no_row_lost", partitioned=False)[0]
        assert latest("mart_submissions", "assert_one_winner_per_reporter", partitioned=False)[0]
        assert latest("fct_unit_status", "assert_each_unit_counted_once", partitioned=False)[0]
        # 1 of the few valid village rows has more registered households than households: above the
        # suite's 5 % tolerance, a warning (content), with the row as sample
        passed, metadata, severity = latest("data_docs", "suite_stg_villages")
        assert not passed and severity == dg.AssetCheckSeverity.WARN
        assert "x99101.xlsx" in metadata["sample"].value
        assert latest("data_docs", "suite_stg_register_org_units")[0]


def test_pipeline_invariants_catch_a_lost_file_a_lost_row_and_double_counting(messy, tmp_path):
    """What the invariant dbt tests (dbt_project/tests/assert_*.sql, as the build compiled them) find, on a
    copy of the built warehouse tampered with as a bug would."""
    import shutil

    compiled = messy["warehouse"].parent / "dbt_target" / "compiled" / "antq" / "tests"
    copy = tmp_path / "tampered" / messy["warehouse"].name  # same file name: the compiled SQL names it
    copy.parent.mkdir()
    shutil.copy(messy["warehouse"], copy)
    con = duckdb.connect(str(copy))

    def offending(test: str) -> list[dict]:
        return rows_as_dicts(con.execute((compiled / f"{test}.sql").read_text(encoding="utf-8")))

    invariants = (
        "assert_every_file_accounted_for",
        "assert_no_row_lost",
        "assert_one_winner_per_reporter",
        "assert_each_unit_counted_once",
    )
    try:
        for test in invariants:
            assert offending(test) == [], test
        con.execute("delete from main.mart_submissions where source_file = 'hong.xlsx'")
        con.execute(
            "update main.mart_submissions set rows_read = rows_read - 1 where source_file = '2021-H1/x99301.xlsx'"
        )
        con.execute(
            "update main.mart_submissions set submission_status = 'winner' where source_file = '2021-H1/x99102_v1.xlsx'"
        )
        con.execute(
            "insert into main.fct_unit_status select * from main.fct_unit_status "
            "where period = ? and unit_code = '99301001'",
            [P],
        )
        assert {r["source_file"] for r in offending("assert_every_file_accounted_for")} == {"hong.xlsx"}
        assert [
            (r["source_file"], r["staged_rows"], r["rows_in_summary"]) for r in offending("assert_no_row_lost")
        ] == [("2021-H1/x99301.xlsx", 3, 2)]
        assert [(r["reporter_code"], r["winners"]) for r in offending("assert_one_winner_per_reporter")] == [
            ("99102", 2)
        ]
        assert [(r["unit_code"], r["times"]) for r in offending("assert_each_unit_counted_once")] == [("99301001", 2)]
    finally:
        con.close()
