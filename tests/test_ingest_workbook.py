"""parse_workbook against contract section 3: the matching rules, the value vocabularies, the cover
and the sheet rules. Workbooks are written cell by cell with openpyxl, odd layouts on purpose."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import unicodedata
import zipfile

import openpyxl
import pytest

import ingestion.workbook as workbook_module
from ingestion.reasons import reason
from ingestion.workbook import parse_cover, parse_workbook

MODEL_HEADER = ["Tên mô hình", "Nhóm", "Mã thôn", "Năm thành lập"]


def nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


def parse(path):
    return parse_workbook(path, path.name)


def issues_of(parsed, check_code=None):
    return [i for i in parsed.cell_issues if check_code is None or i["check_code"] == check_code]


def test_good_commune_workbook_has_lineage(tmp_path, write_xlsx, commune_sheets):
    path = write_xlsx(tmp_path / "xa.xlsx", commune_sheets())
    parsed = parse(path)
    assert (parsed.status, parsed.check_code, parsed.reason) == ("ingested", None, None)
    assert parsed.cover["level"] == "commune" and parsed.cover["code"] == "22915"
    assert parsed.cover["name"] == "Phường Mũi Né" and parsed.cover["name_key"] == "phường mũi né"
    (row,) = parsed.rows["villages"]
    assert row["source_file"] == "xa.xlsx"
    assert row["file_sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    assert (row["sheet_name"], row["row_number"], row["row_valid"]) == ("Thôn, khu phố", 2, True)
    assert row["village_code"] == "22915001" and row["village_name_key"] == "khu phố 1"
    assert (row["households_total"], row["households_total_raw"]) == (500, "500")
    assert parsed.cell_issues == []


def test_nfd_case_and_whitespace_in_sheet_names_headers_labels(tmp_path, write_xlsx):
    cover = [
        [nfd("  CẤP   BÁO CÁO "), nfd("xã")],
        [nfd("mã ĐƠN vị"), "22915"],
        ["TÊN ĐƠN VỊ", "Phường Mũi Né"],
        [nfd("kỳ báo cáo"), "2021-h1"],
        ["ngày lập", "02/07/2021"],
    ]
    header = [
        nfd(h.upper()) + "  "
        for h in [
            "Mã thôn",
            "Tên thôn, khu phố",
            "Ban hành kế hoạch",
            "Đăng ký  An toàn về ANTT",
            "Tổng số hộ",
            "Số hộ đăng ký",
        ]
    ]
    sheets = {
        nfd("THÔNG TIN CHUNG"): cover,
        nfd(" thôn,  KHU phố"): [header, ["22915001", "Thôn 1", "có", "KHÔNG", 10, 5]],
    }
    parsed = parse(write_xlsx(tmp_path / "nfd.xlsx", sheets))
    assert parsed.status == "ingested", parsed.reason
    assert (parsed.cover["level"], parsed.cover["period"]) == ("commune", "2021-H1")
    (row,) = parsed.rows["villages"]
    assert row["sheet_name"] == nfd(" thôn,  KHU phố")  # as written in the workbook
    assert (row["plan_issued"], row["safe_registered"]) == (True, False)


def test_header_below_a_title_with_shuffled_and_extra_columns(tmp_path, write_xlsx, commune_sheets):
    villages = [
        ["DANH SÁCH THÔN, KHU PHỐ"],
        [None],
        ["(Kèm theo báo cáo 6 tháng)"],
        [
            "STT",
            "Số hộ đăng ký",
            "Tên thôn, khu phố",
            "Ghi chú",
            "Tổng số hộ",
            "Mã thôn",
            "Đăng ký An toàn về ANTT",
            "Ban hành kế hoạch",
        ],
        [1, 40, "Thôn A", "mới", 50, "22915001", "Có", "Không"],
        [2, 70, "Thôn B", None, 80, "22915002", "Không", "Có"],
    ]
    sheets = commune_sheets()
    sheets["Thôn, khu phố"] = villages
    parsed = parse(write_xlsx(tmp_path / "title.xlsx", sheets))
    rows = parsed.rows["villages"]
    assert [r["row_number"] for r in rows] == [5, 6]
    a, b = rows
    assert (
        a["village_code"],
        a["village_name"],
        a["households_total"],
        a["households_registered"],
        a["plan_issued"],
        a["safe_registered"],
    ) == ("22915001", "Thôn A", 50, 40, False, True)
    assert (b["village_code"], b["plan_issued"], b["safe_registered"]) == ("22915002", True, False)
    assert not any(k.startswith(("STT", "Ghi")) for k in a)


def test_totals_rows_and_blank_rows_are_skipped(tmp_path, write_xlsx, commune_sheets):
    villages = [
        ["22915001", "Thôn 1", "Có", "Có", 100, 90],
        [None, None, None, None, None, None],
        ["22915002", "Thôn 2", "Có", "Có", 200, 150],
        [None, "Tổng cộng", None, None, 300, 240],
        [None, "  CỘNG:", None, None, 300, 240],
        ["   ", "", None, None, None, None],
    ]
    parsed = parse(write_xlsx(tmp_path / "totals.xlsx", commune_sheets(villages=villages)))
    assert [r["row_number"] for r in parsed.rows["villages"]] == [2, 4]
    assert parsed.cell_issues == []


def test_totals_prefix_does_not_drop_a_named_model(tmp_path, write_xlsx, commune_sheets):
    models = [
        MODEL_HEADER,
        ["Cộng đồng bình yên", 6, "22915001", 2020],
        ["Tổ tự quản", "1", None, None],
        ["Cộng", None, None, None],
    ]
    parsed = parse(write_xlsx(tmp_path / "models.xlsx", commune_sheets(extra={"Mô hình": models})))
    names = [r["model_name"] for r in parsed.rows["models"]]
    assert names == ["Cộng đồng bình yên", "Tổ tự quản"]


def test_numeric_codes_are_zero_padded_to_their_level_width(tmp_path, write_xlsx, commune_sheets):
    villages = [[123001, "Thôn 1", "Có", "Có", 10, 5], ["00123002", "Thôn 2", "Có", "Có", 10, 5]]
    parsed = parse(write_xlsx(tmp_path / "pad.xlsx", commune_sheets({"Mã đơn vị": 123}, villages)))
    assert (parsed.cover["code"], parsed.cover["code_raw"]) == ("00123", "123")
    assert [(r["village_code"], r["village_code_raw"]) for r in parsed.rows["villages"]] == [
        ("00123001", "123001"),
        ("00123002", "00123002"),
    ]

    parsed = parse(write_xlsx(tmp_path / "float.xlsx", commune_sheets({"Mã đơn vị": 22915.0})))
    assert parsed.cover["code"] == "22915"


@pytest.mark.parametrize(
    "cell, expected, issue",
    [
        (500, 500, None),
        (500.0, 500, None),
        ("42", 42, None),
        ("1.234", 1234, None),
        ("1.234.567", 1234567, None),
        (1.5, None, "INVALID_VALUE"),
        (-3, None, "INVALID_VALUE"),
        ("1,5", None, "INVALID_VALUE"),
        ("12.34", None, "INVALID_VALUE"),
        ("năm trăm", None, "INVALID_VALUE"),
        (None, None, "MISSING_VALUE"),
    ],
)
def test_count_values(tmp_path, write_xlsx, commune_sheets, cell, expected, issue):
    villages = [["22915001", "Thôn 1", "Có", "Có", cell, 5]]
    parsed = parse(write_xlsx(tmp_path / "count.xlsx", commune_sheets(villages=villages)))
    (row,) = parsed.rows["villages"]
    assert row["households_total"] == expected
    assert row["row_valid"] == (issue != "INVALID_VALUE")  # a blank count keeps the row
    found = [(i["column_header"], i["check_code"]) for i in parsed.cell_issues]
    assert found == ([("Tổng số hộ", issue)] if issue else [])
    if issue == "INVALID_VALUE":
        assert parsed.cell_issues[0]["reason"] == "không phải số nguyên không âm"


@pytest.mark.parametrize(
    "cell, expected",
    [
        ("Có", True),
        ("x", True),
        ("X", True),
        (1, True),
        ("1", True),
        (True, True),
        ("TRUE", True),
        ("Không", False),
        ("  không ", False),
        (0, False),
        (False, False),
        ("FALSE", False),
    ],
)
def test_yes_no_vocabulary(tmp_path, write_xlsx, commune_sheets, cell, expected):
    villages = [["22915001", "Thôn 1", cell, "Có", 10, 5]]
    parsed = parse(write_xlsx(tmp_path / "yn.xlsx", commune_sheets(villages=villages)))
    (row,) = parsed.rows["villages"]
    assert (row["plan_issued"], row["row_valid"]) == (expected, True)
    assert parsed.cell_issues == []


def test_blank_and_invalid_yes_no(tmp_path, write_xlsx, commune_sheets):
    villages = [["22915001", "Thôn 1", None, "có lẽ", 10, 5]]
    parsed = parse(write_xlsx(tmp_path / "yn.xlsx", commune_sheets(villages=villages)))
    (row,) = parsed.rows["villages"]
    assert (row["plan_issued"], row["plan_issued_raw"]) == (False, "")
    assert (row["safe_registered"], row["safe_registered_raw"], row["row_valid"]) == (None, "có lẽ", False)
    by_header = {i["column_header"]: i for i in parsed.cell_issues}
    assert by_header["Ban hành kế hoạch"]["check_code"] == "MISSING_VALUE"
    invalid = by_header["Đăng ký An toàn về ANTT"]
    assert (invalid["check_code"], invalid["reason"], invalid["value_raw"]) == (
        "INVALID_VALUE",
        "không thuộc danh mục: Có/Không",
        "có lẽ",
    )
    assert (invalid["sheet_name"], invalid["row_number"], invalid["unit_code"]) == ("Thôn, khu phố", 2, "22915001")
    assert invalid["source_file"] == "yn.xlsx" and len(invalid["file_sha256"]) == 64


def test_model_groups_by_number_or_name_and_years(tmp_path, write_xlsx, commune_sheets):
    models = [
        MODEL_HEADER,
        ["M1", "3", "22915001", 2019],
        ["M2", 3, None, "2020"],
        ["M3", "Đảm bảo trật tự an toàn giao thông", None, None],
        ["M4", "TÁI HOÀ NHẬP CỘNG ĐỒNG", None, None],  # old tone placement: hoà
        ["M5", nfd("phòng, chống ma tuý"), None, None],  # tuý, decomposed
        ["M6", "7", None, 1800],
        ["M7", None, 22915002, None],
    ]
    parsed = parse(write_xlsx(tmp_path / "groups.xlsx", commune_sheets(extra={"Mô hình": models})))
    rows = {r["model_name"]: r for r in parsed.rows["models"]}
    assert [rows[m]["model_group"] for m in ("M1", "M2", "M3", "M4", "M5")] == ["3", "3", "3", "1", "4"]
    assert [rows[m]["founded_year"] for m in ("M1", "M2", "M3")] == [2019, 2020, None]
    assert rows["M7"]["unit_code"] == "22915002"
    assert [m for m, r in rows.items() if not r["row_valid"]] == ["M6", "M7"]
    reasons = {(i["row_number"], i["column_header"]): i["reason"] for i in parsed.cell_issues}
    assert reasons == {
        (7, "Nhóm"): "không thuộc danh mục: 1/2/3/4/5/6",
        (7, "Năm thành lập"): "không phải năm hợp lệ (1900–2100)",
        (8, "Nhóm"): "bỏ trống",
    }


@pytest.mark.parametrize("created_on", [dt.datetime(2021, 7, 2), "02/07/2021", "2/7/2021"])
def test_created_on_as_excel_date_or_text(tmp_path, write_xlsx, commune_sheets, created_on):
    parsed = parse(write_xlsx(tmp_path / "d.xlsx", commune_sheets({"Ngày lập": created_on})))
    assert parsed.cover["created_on"] == dt.date(2021, 7, 2)


def test_invalid_created_on_is_a_cell_issue_not_a_rejection(tmp_path, write_xlsx, commune_sheets):
    parsed = parse(write_xlsx(tmp_path / "d.xlsx", commune_sheets({"Ngày lập": "31/02/2021"})))
    assert parsed.status == "ingested"
    assert parsed.cover["created_on"] is None
    (issue,) = issues_of(parsed)
    assert (issue["sheet_name"], issue["column_header"], issue["check_code"], issue["row_number"]) == (
        "Thông tin chung",
        "Ngày lập",
        "INVALID_VALUE",
        5,
    )


@pytest.mark.parametrize(
    "written, period",
    [
        ("2021-H1", "2021-H1"),
        ("6 tháng đầu năm 2021", "2021-H1"),
        (nfd("6 THÁNG  CUỐI NĂM 2020"), "2020-H2"),
        ("2020-h2", "2020-H2"),
    ],
)
def test_period_words(tmp_path, write_xlsx, commune_sheets, written, period):
    parsed = parse(write_xlsx(tmp_path / "p.xlsx", commune_sheets({"Kỳ báo cáo": written})))
    assert (parsed.cover["period"], parsed.cover["period_raw"]) == (period, written)


@pytest.mark.parametrize(
    "written, version, issue",
    [
        (None, 1, False),
        ("2", 2, False),
        (3, 3, False),
        ("hai", None, True),
        (0, None, True),
    ],
)
def test_version(tmp_path, write_xlsx, commune_sheets, written, version, issue):
    parsed = parse(write_xlsx(tmp_path / "v.xlsx", commune_sheets({"Phiên bản": written})))
    assert parsed.status == "ingested"
    assert parsed.cover["version"] == version
    assert [i["column_header"] for i in parsed.cell_issues] == (["Phiên bản"] if issue else [])


def test_blank_cover_yes_no_of_a_commune_is_no_with_a_warning(tmp_path, write_xlsx, commune_sheets):
    parsed = parse(write_xlsx(tmp_path / "c.xlsx", commune_sheets({"Xã đăng ký An toàn về ANTT": None})))
    assert parsed.cover["commune_safe"] is False
    assert parsed.cover["district_steering_plan"] is None  # not a district's field
    (issue,) = parsed.cell_issues
    assert (issue["column_header"], issue["check_code"], issue["row_number"]) == (
        "Xã đăng ký An toàn về ANTT",
        "MISSING_VALUE",
        None,
    )


@pytest.mark.parametrize(
    "cover, label, kept",
    [
        ({"Cấp báo cáo": None}, "Cấp báo cáo", {"code": "22915", "period": "2021-H1"}),
        ({"Cấp báo cáo": "Phường"}, "Cấp báo cáo", {"code": "22915", "name": "Phường Mũi Né"}),
        ({"Mã đơn vị": None}, "Mã đơn vị", {"level": "commune", "period": "2021-H1"}),
        ({"Mã đơn vị": 229.15}, "Mã đơn vị", {"level": "commune", "code_raw": "229.15"}),
        ({"Kỳ báo cáo": None}, "Kỳ báo cáo", {"level": "commune", "code": "22915"}),
        ({"Kỳ báo cáo": "năm 2021"}, "Kỳ báo cáo", {"code": "22915", "period_raw": "năm 2021"}),
    ],
)
def test_cover_without_valid_level_code_or_period_is_rejected(tmp_path, write_xlsx, commune_sheets, cover, label, kept):
    parsed = parse(write_xlsx(tmp_path / "bad.xlsx", commune_sheets(cover)))
    assert (parsed.status, parsed.check_code) == ("rejected", "INVALID_COVER")
    assert f'"{label}"' in parsed.reason
    assert {k: parsed.cover[k] for k in kept} == kept
    assert parsed.rows == {} and parsed.cell_issues == []


def test_cover_naming_several_problems(tmp_path, write_xlsx, commune_sheets):
    sheets = commune_sheets({"Cấp báo cáo": None, "Kỳ báo cáo": "x"})
    parsed = parse(write_xlsx(tmp_path / "bad.xlsx", sheets))
    assert (
        parsed.reason == 'thiếu "Cấp báo cáo"; "Kỳ báo cáo" không hợp lệ: "x" '
        "(không phải kỳ báo cáo hợp lệ (ví dụ 2021-H1 hoặc 6 tháng đầu năm 2021))"
    )


def test_missing_cover_sheet(tmp_path, write_xlsx, commune_sheets):
    sheets = commune_sheets()
    sheets["Bìa"] = sheets.pop("Thông tin chung")
    parsed = parse(write_xlsx(tmp_path / "nocover.xlsx", sheets))
    assert (parsed.status, parsed.check_code, parsed.reason) == (
        "rejected",
        "UNREADABLE_FILE",
        'không có trang "Thông tin chung"',
    )


def test_required_sheet_missing(tmp_path, write_xlsx, commune_sheets):
    sheets = commune_sheets()
    del sheets["Thôn, khu phố"]
    parsed = parse(write_xlsx(tmp_path / "novillages.xlsx", sheets))
    assert (parsed.status, parsed.check_code) == ("rejected", "UNREADABLE_FILE")
    assert parsed.reason == 'thiếu trang bắt buộc "Thôn, khu phố" của báo cáo cấp Xã'
    assert parsed.cover["code"] == "22915"  # the finding can name the unit


def test_required_sheet_without_its_headers(tmp_path, write_xlsx, commune_sheets):
    sheets = commune_sheets()
    sheets["Thôn, khu phố"] = [["Mã thôn", "Tên thôn"], ["22915001", "Thôn 1"]]
    parsed = parse(write_xlsx(tmp_path / "badvillages.xlsx", sheets))
    assert (parsed.status, parsed.check_code) == ("rejected", "UNREADABLE_FILE")
    assert '"Tên thôn, khu phố"' in parsed.reason and '"Số hộ đăng ký"' in parsed.reason


def test_optional_sheet_without_headers_is_a_sheet_issue(tmp_path, write_xlsx, commune_sheets):
    models = [["Tên mô hình", "Nhóm"], ["Camera", "3"]]
    sheets = commune_sheets(extra={"Mô hình": models, "Khen thưởng": [["Đối tượng"]] + [[None]] * 12})
    parsed = parse(write_xlsx(tmp_path / "nomodels.xlsx", sheets))
    assert parsed.status == "ingested"
    assert len(parsed.rows["villages"]) == 1 and "models" not in parsed.rows
    issues = {i["sheet_name"]: i for i in issues_of(parsed, "SHEET_HEADER_NOT_FOUND")}
    assert set(issues) == {"Mô hình", "Khen thưởng"}
    assert issues["Mô hình"]["row_number"] is None
    assert issues["Mô hình"]["column_header"] == "Mã thôn, Năm thành lập"
    assert '"Mã thôn", "Năm thành lập"' in issues["Mô hình"]["reason"]


def test_header_beyond_the_search_rows_is_not_found(tmp_path, write_xlsx, commune_sheets):
    models = [[None]] * 10 + [MODEL_HEADER, ["Camera", "3", None, None]]
    parsed = parse(write_xlsx(tmp_path / "deep.xlsx", commune_sheets(extra={"Mô hình": models})))
    assert [i["check_code"] for i in parsed.cell_issues] == ["SHEET_HEADER_NOT_FOUND"]


def test_district_workbook(tmp_path, write_xlsx):
    cover = [
        ["Cấp báo cáo", "Huyện"],
        ["Mã đơn vị", 593],
        ["Tên đơn vị", "Thành phố Phan Thiết"],
        ["Kỳ báo cáo", "6 tháng đầu năm 2021"],
        ["Ngày lập", dt.date(2021, 7, 5)],
        ["BCĐ huyện ban hành kế hoạch", "x"],
        ["Người lập", "  Trần   Thị B "],
    ]
    agencies = [
        ["Mã đơn vị", "Tên đơn vị", "Loại hình", "Ban hành kế hoạch", "Đăng ký An toàn về ANTT"],
        ["CQ-593-001", "Phòng Nội vụ", "Cơ quan", "Có", "Có"],
        [12, "Công ty A", "doanh nghiệp", "Không", None],
        [None, "Tổng cộng", None, None, None],
    ]
    summary = [
        ["Chỉ tiêu", "Số đạt", "Tổng số"],
        ["BCĐ xã ban hành kế hoạch", 10, 12],
        ["Mô hình tự phòng, tự quản", "1.002", None],
    ]
    parsed = parse(
        write_xlsx(
            tmp_path / "huyen.xlsx",
            {"Thông tin chung": cover, "Cơ quan, DN, nhà trường": agencies, "Tổng hợp": summary},
        )
    )
    assert parsed.status == "ingested", parsed.reason
    c = parsed.cover
    assert (c["level"], c["code"], c["period"], c["district_steering_plan"]) == ("district", "593", "2021-H1", True)
    assert (c["commune_safe"], c["preparer"], c["preparer_raw"]) == (None, "Trần Thị B", "  Trần   Thị B ")
    assert [(r["agency_code"], r["agency_kind"]) for r in parsed.rows["agencies"]] == [
        ("CQ-593-001", "co_quan"),
        ("12", "doanh_nghiep"),
    ]
    assert [(r["summary_item"], r["achieved"], r["total"]) for r in parsed.rows["district_summary"]] == [
        ("commune_steering_plan", 10, 12),
        ("models", 1002, None),
    ]
    assert [(i["column_header"], i["check_code"], i["unit_code"]) for i in parsed.cell_issues] == [
        ("Đăng ký An toàn về ANTT", "MISSING_VALUE", "12")
    ]


def test_province_workbook_and_xlsm_extension(tmp_path, write_xlsx):
    cover = [
        ["Cấp báo cáo", "Tỉnh"],
        ["Mã đơn vị", 60],
        ["Tên đơn vị", "Tỉnh Bình Thuận"],
        ["Kỳ báo cáo", "2021-H1"],
        ["Ngày lập", "05/07/2021"],
        ["Phiên bản", 2],
    ]
    agencies = [
        ["Mã đơn vị", "Tên đơn vị", "Loại hình", "Ban hành kế hoạch", "Đăng ký An toàn về ANTT"],
        ["CQT001", "Sở Nội vụ", "Cơ quan", "Có", "Có"],
    ]
    models = [["Tên mô hình", "Nhóm", "Mã đơn vị", "Năm thành lập"], ["Cơ quan an toàn", 6, "CQT001", 2018]]
    awards = [
        ["Đối tượng", "Tên", "Hình thức", "Số quyết định"],
        ["Cá nhân", "Nguyễn Văn A", "Kỷ niệm chương Bảo vệ an ninh Tổ quốc", 1234],
    ]
    parsed = parse(
        write_xlsx(
            tmp_path / "tinh.xlsm",
            {"Thông tin chung": cover, "Cơ quan, DN, nhà trường": agencies, "Mô hình": models, "Khen thưởng": awards},
        )
    )
    assert parsed.status == "ingested", parsed.reason
    assert (parsed.cover["code"], parsed.cover["version"]) == ("60", 2)
    assert [(r["unit_code"], r["model_group"]) for r in parsed.rows["models"]] == [("CQT001", "6")]
    (award,) = parsed.rows["awards"]
    assert (award["recipient_kind"], award["award_type"], award["decision_no"]) == ("individual", "medal", "1234")


def test_any_exception_while_reading_becomes_unreadable_file(tmp_path, write_xlsx, commune_sheets, monkeypatch):
    path = write_xlsx(tmp_path / "ok.xlsx", commune_sheets())

    class Exploding:
        @staticmethod
        def from_filelike(_):
            raise ZeroDivisionError("boom")

    monkeypatch.setattr(workbook_module, "CalamineWorkbook", Exploding)
    parsed = parse(path)
    assert (parsed.status, parsed.check_code) == ("rejected", "UNREADABLE_FILE")
    assert "ZeroDivisionError" in parsed.reason
    assert parsed.file_sha256 == hashlib.sha256(path.read_bytes()).hexdigest()


def test_parse_cover_reads_the_identity_only(tmp_path, write_xlsx, commune_sheets):
    sheets = commune_sheets({"Kỳ báo cáo": "6 tháng cuối năm 2020"})
    del sheets["Thôn, khu phố"]  # no data sheet is looked at
    parsed = parse_cover(write_xlsx(tmp_path / "c.xlsx", sheets), "c.xlsx")
    assert (parsed.status, parsed.cover["period"], parsed.cover["code"], parsed.rows) == (
        "ingested",
        "2020-H2",
        "22915",
        {},
    )
    bad = parse_cover(write_xlsx(tmp_path / "b.xlsx", commune_sheets({"Kỳ báo cáo": None})), "b.xlsx")
    assert bad.check_code == "INVALID_COVER"


EXCEL_ERRORS = ["#DIV/0!", "#N/A", "#REF!", "#VALUE!", "#NAME?", "#NUM!", "#NULL!"]


def put_cells(path, cells: dict[str, dict[str, tuple[str, str]]]):
    """Overwrite cells of a written workbook: {sheet: {"E2": (value, openpyxl data_type)}}; data_type
    "e" makes an Excel error cell (<c t="e"><v>#N/A</v></c>), "s" a text cell however it looks."""
    wb = openpyxl.load_workbook(path)
    for sheet, refs in cells.items():
        for ref, (value, data_type) in refs.items():
            wb[sheet][ref].value = value
            wb[sheet][ref].data_type = data_type
    wb.save(path)
    return path


def test_excel_error_cells_are_invalid_values_naming_the_error(tmp_path, write_xlsx, commune_sheets):
    villages = [[f"22915{v:03d}", f"Thôn {v}", "Có", "Có", 100, 50] for v in range(1, 9)]
    models = [MODEL_HEADER, ["M1", "3", "22915001", 2019], ["M2", "3", "22915001", 2019], ["M3", "3", "22915001", 2019]]
    path = write_xlsx(tmp_path / "loi.xlsx", commune_sheets(villages=villages, extra={"Mô hình": models}))
    planted = {
        ("Thôn, khu phố", 2, "Tổng số hộ"): ("E2", "#DIV/0!"),  # count
        ("Thôn, khu phố", 3, "Ban hành kế hoạch"): ("C3", "#N/A"),  # yes/no
        ("Thôn, khu phố", 4, "Mã thôn"): ("A4", "#REF!"),  # code
        ("Thôn, khu phố", 5, "Tên thôn, khu phố"): ("B5", "#VALUE!"),  # text
        ("Thôn, khu phố", 6, "Số hộ đăng ký"): ("F6", "#NAME?"),  # count
        ("Mô hình", 2, "Nhóm"): ("B2", "#NUM!"),  # enum
        ("Mô hình", 3, "Năm thành lập"): ("D3", "#NULL!"),  # year
        ("Thông tin chung", 5, "Ngày lập"): ("B5", "#N/A"),  # cover date
    }
    cells: dict = {}
    for (sheet, _, _), (ref, error) in planted.items():
        cells.setdefault(sheet, {})[ref] = (error, "e")
    cells["Thôn, khu phố"]["B8"] = ("#N/A", "s")  # text that only looks like an error
    parsed = parse(put_cells(path, cells))

    assert parsed.status == "ingested", parsed.reason
    found = {(i["sheet_name"], i["row_number"], i["column_header"]): i for i in parsed.cell_issues}
    assert set(found) == set(planted)
    for key, (_, error) in planted.items():
        issue = found[key]
        assert (issue["check_code"], issue["value_raw"]) == ("INVALID_VALUE", error), key
        assert issue["reason"] == reason("excel_error", error=error), key
        assert f'"{error}"' in issue["reason"]
    rows = {r["row_number"]: r for r in parsed.rows["villages"]}
    assert [n for n, r in rows.items() if not r["row_valid"]] == [2, 3, 4, 5, 6]
    assert (rows[2]["households_total"], rows[2]["households_total_raw"]) == (None, "#DIV/0!")
    assert (rows[3]["plan_issued"], rows[3]["plan_issued_raw"]) == (None, "#N/A")
    assert (rows[8]["village_name"], rows[8]["row_valid"]) == ("#N/A", True)
    assert [r["row_valid"] for r in parsed.rows["models"]] == [False, False, True]
    assert (parsed.cover["created_on"], parsed.cover["created_on_raw"]) == (None, "#N/A")


def test_formula_whose_cached_result_is_an_error(tmp_path, write_xlsx, commune_sheets):
    """Excel stores a formula's last result: <c t="e"><f>E2/0</f><v>#DIV/0!</v></c>."""
    villages = [["22915001", "Thôn 1", "Có", "Có", 100, "=E2/0"], ["22915002", "Thôn 2", "Có", "Có", 80, "=E3"]]
    path = write_xlsx(tmp_path / "f.xlsx", commune_sheets(villages=villages))
    with zipfile.ZipFile(path) as zf:
        members = {info.filename: zf.read(info) for info in zf.infolist()}
    sheet = "xl/worksheets/sheet2.xml"
    members[sheet], n = re.subn(
        rb'<c r="F2"([^>]*)><f>E2/0</f><v\s*/?>(?:</v>)?',
        rb'<c r="F2"\1 t="e"><f>E2/0</f><v>#DIV/0!</v>',
        members[sheet],
    )
    assert n == 1
    members[sheet] = re.sub(rb"<f>E3</f><v\s*/?>(?:</v>)?", rb"<f>E3</f><v>80</v>", members[sheet])
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    parsed = parse(path)
    (issue,) = parsed.cell_issues
    assert (issue["row_number"], issue["column_header"], issue["check_code"], issue["value_raw"]) == (
        2,
        "Số hộ đăng ký",
        "INVALID_VALUE",
        "#DIV/0!",
    )
    assert issue["reason"] == reason("excel_error", error="#DIV/0!")
    assert [(r["households_registered"], r["row_valid"]) for r in parsed.rows["villages"]] == [
        (None, False),
        (80, True),
    ]


@pytest.mark.parametrize("error", EXCEL_ERRORS)
def test_excel_error_in_the_cover_code_rejects_the_cover(tmp_path, write_xlsx, commune_sheets, error):
    path = write_xlsx(tmp_path / "c.xlsx", commune_sheets())
    parsed = parse(put_cells(path, {"Thông tin chung": {"B2": (error, "e")}}))
    assert (parsed.status, parsed.check_code) == ("rejected", "INVALID_COVER")
    assert parsed.reason == reason(
        "cover_invalid", label="Mã đơn vị", value=error, reason=reason("excel_error", error=error)
    )


INVISIBLE = {
    "\u200b": "U+200B",
    "\u200c": "U+200C",
    "\u200d": "U+200D",
    "\u2060": "U+2060",
    "\ufeff": "U+FEFF",
    "\u00ad": "U+00AD",
    "\u00a0": "U+00A0",
}


def test_invisible_characters_in_codes_are_dropped_and_reported(tmp_path, write_xlsx, commune_sheets):
    """A code pasted from the web or Word looks right and matched nothing: the commune or village was
    lost (UNKNOWN_ORG_UNIT with a code that looks like the registered one)."""
    villages = [
        [f"22915{v:03d}"[:5] + ch + f"{v:03d}", f"Thôn {v}", "Có", "Có", 10, 5] for v, ch in enumerate(INVISIBLE, 1)
    ]
    villages.append(["\ufeff22915008\u200b", "Thôn 8", "Có", "Có", 10, 5])
    parsed = parse(write_xlsx(tmp_path / "an.xlsx", commune_sheets({"Mã đơn vị": "22915\u200b"}, villages)))
    assert parsed.status == "ingested", parsed.reason
    assert (parsed.cover["code"], parsed.cover["code_raw"]) == ("22915", "22915\u200b")
    rows = parsed.rows["villages"]
    assert [r["village_code"] for r in rows] == [f"22915{v:03d}" for v in range(1, 9)]
    assert all(r["row_valid"] for r in rows)
    issues = issues_of(parsed, "INVISIBLE_CHARACTER")
    assert [(i["sheet_name"], i["row_number"], i["column_header"]) for i in issues] == [
        ("Thông tin chung", 2, "Mã đơn vị")
    ] + [("Thôn, khu phố", n, "Mã thôn") for n in range(2, 10)]
    assert issues[0]["reason"] == 'mã "22915" có ký tự ẩn (U+200B), đã được bỏ khi đối chiếu'
    for issue, (ch, point) in zip(issues[1:], INVISIBLE.items()):
        assert point in issue["reason"] and issue["value_raw"].replace(ch, "") == issue["unit_code"]
    assert "(U+FEFF, U+200B)" in issues[-1]["reason"] and issues[-1]["unit_code"] == "22915008"
    assert len(parsed.cell_issues) == len(issues)


def test_invisible_characters_in_names_and_words_match_and_are_reported(tmp_path, write_xlsx, commune_sheets):
    header = [
        "Mã\u200b thôn",
        "Tên thôn,\u00a0khu phố",
        "Ban hành kế hoạch\u2060",
        "Đăng ký An toàn về ANTT",
        "Tổng số hộ",
        "Số hộ đăng ký",
    ]
    sheets = commune_sheets({"Cấp báo cáo": "X\u00adã", "Kỳ báo cáo": "2021\u200d-H1"})
    sheets["Thôn,\u200b khu phố"] = [header, ["22915001", "Khu\u200c phố 1", "C\u00adó", "Không\ufeff", 10, "5\u200b"]]
    del sheets["Thôn, khu phố"]
    parsed = parse(write_xlsx(tmp_path / "ten.xlsx", sheets))
    assert parsed.status == "ingested", parsed.reason
    assert (parsed.cover["level"], parsed.cover["period"]) == ("commune", "2021-H1")
    (row,) = parsed.rows["villages"]
    assert (row["village_name"], row["village_name_key"]) == ("Khu phố 1", "khu phố 1")
    assert (row["plan_issued"], row["safe_registered"], row["households_registered"], row["row_valid"]) == (
        True,
        False,
        5,
        True,
    )
    found = {(i["row_number"], i["column_header"]): i["reason"] for i in issues_of(parsed, "INVISIBLE_CHARACTER")}
    assert found == {
        (1, "Cấp báo cáo"): '"Xã" có ký tự ẩn (U+00AD), đã được bỏ khi đối chiếu',
        (4, "Kỳ báo cáo"): '"2021-H1" có ký tự ẩn (U+200D), đã được bỏ khi đối chiếu',
        (2, "Tên thôn, khu phố"): '"Khu phố 1" có ký tự ẩn (U+200C), đã được bỏ khi đối chiếu',
        (2, "Ban hành kế hoạch"): '"Có" có ký tự ẩn (U+00AD), đã được bỏ khi đối chiếu',
        (2, "Đăng ký An toàn về ANTT"): '"Không" có ký tự ẩn (U+FEFF), đã được bỏ khi đối chiếu',
        (2, "Số hộ đăng ký"): '"5" có ký tự ẩn (U+200B), đã được bỏ khi đối chiếu',
    }
    assert len(parsed.cell_issues) == len(found)


def test_invisible_character_is_a_catalogue_warning_that_leaves_figures_alone():
    import catalog
    from reports.messages import render

    spec = catalog.checks()["INVISIBLE_CHARACTER"]
    assert (spec["severity"], spec["runs_in"], spec["blocks_figures"]) == ("warning", "ingestion", False)
    message = render(
        "INVISIBLE_CHARACTER",
        {
            "column": "Mã thôn",
            "value": "22915\u200b001",
            "reason": reason("invisible_in_code", value="22915001", chars="U+200B"),
        },
    )
    assert message == 'Cột "Mã thôn": mã "22915001" có ký tự ẩn (U+200B), đã được bỏ khi đối chiếu'
