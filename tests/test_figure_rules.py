"""Contract section 4, rule by rule, on a small province written here and built through Dagster and dbt."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest
from build_helpers import agency, build, findings, indicators, submission, village, write_register

P = "2021-H1"

ORG_UNITS = [
    ("99", "Tỉnh Thử Nghiệm", "province", ""),
    ("991", "Huyện Một", "district", "99"),
    ("992", "Huyện Hai", "district", "99"),
    ("99101", "Xã Một A", "commune", "991"),
    ("99102", "Xã Một B", "commune", "991"),
    ("99201", "Xã Hai A", "commune", "992"),
    ("99101001", "Thôn 1", "village", "99101"),
    ("99101002", "Thôn 2", "village", "99101"),
    ("99102001", "Thôn Phú Hòa", "village", "99102"),
    ("99201001", "Thôn 1", "village", "99201"),
    ("99201002", "Thôn 2", "village", "99201"),
    ("99201003", "Thôn 3 (giải thể)", "village", "99201", "", "2020-12-31"),  # not valid in 2021-H1
]
AGENCIES = [
    ("P1", "Sở Một", "co_quan", "province", ""),
    ("P2", "Trường THPT Hai", "nha_truong", "province", ""),
    ("D1-991", "Trường Tiểu học Một", "nha_truong", "district", "991"),
    ("D2-991", "Công ty TNHH Hai", "doanh_nghiep", "district", "991"),
    ("D1-992", "Trạm Y tế Ba", "co_quan", "district", "992"),
]


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("small_province")
    register = write_register(tmp / "register", ORG_UNITS, AGENCIES)
    inbox = tmp / "inbox"
    inbox.mkdir()
    submission(
        inbox,
        "tinh.xlsx",
        "province",
        "99",
        "Tỉnh Thử Nghiệm",
        P,
        sheets={
            "agencies": [
                agency("P1", "Sở Một", "co_quan", True, True),
                agency("P2", "Trường THPT Hai", "nha_truong", False, True),
            ],
            "province_models": [{"model_name": "Camera an ninh", "model_group": "6", "unit_code": "P1"}],
            "awards": [{"recipient_kind": "individual", "recipient_name": "Nguyễn Văn A", "award_type": "medal"}],
        },
    )
    submission(
        inbox,
        "h991.xlsx",
        "district",
        "991",
        "Huyện Một",
        P,
        district_steering_plan=True,
        sheets={
            "agencies": [
                agency("D1-991", "Trường Tiểu học Một", "nha_truong", True, True),
                agency("D2-991", "Công ty TNHH Hai", "doanh_nghiep", True, False),
                agency("XX", "Đơn vị lạ", "co_quan", True, True),  # not in the register
                agency("D1-992", "Trạm Y tế Ba", "co_quan", True, True),
            ],  # another district's
            "force_support": [{"person_name": "Trần B", "support_type": "visit"}],
        },
    )
    # District 992 sends nothing: MISSING_SUBMISSION, its units stay in the totals.
    # Commune 99101 sends twice: version 1 is superseded by version 2.
    submission(
        inbox,
        "x99101_v1.xlsx",
        "commune",
        "99101",
        "Xã Một A",
        P,
        version=1,
        commune_steering_plan=True,
        commune_safe=True,
        sheets={
            "villages": [
                village("99101001", "Thôn 1", True, True, 100, 100),
                village("99101002", "Thôn 2", True, True, 50, 50),
            ],
            "commune_models": [{"model_name": "Cũ", "model_group": "2"}] * 5,
        },
    )
    submission(
        inbox,
        "x99101_v2.xlsx",
        "commune",
        "99101",
        "Xã Một A",
        P,
        version=2,
        created_on=dt.date(2021, 7, 1),
        commune_steering_plan=True,
        commune_safe=True,
        sheets={
            "villages": [
                village("99101001", "Thôn 1", True, True, 100, 80),
                village("99101002", "Thôn 2", False, True, 50, 60),  # registered > total
                village("99101001", "Thôn 1", False, False, 1, 1),
            ],  # duplicate: excluded
            "commune_models": [
                {"model_name": "Tổ tự quản", "model_group": "1", "unit_code": "99101001"},
                {"model_name": "Xóm không ma túy", "model_group": "phòng, chống ma túy"},
                {"model_name": "Nhóm lạ", "model_group": "9"},
            ],  # invalid: excluded
            "awards": [
                {"recipient_kind": "collective", "recipient_name": "Tổ bảo vệ dân phố", "award_type": "commendation"}
            ],
        },
    )
    submission(
        inbox,
        "x99102.xlsx",
        "commune",
        "99102",
        "Xã Một B",
        P,
        commune_steering_plan=True,
        commune_safe=True,
        sheets={
            "villages": [village("99102001", "Thôn Phú Hoà", True, None, "1.234", 1000)],  # blank safe
        },
    )
    submission(
        inbox,
        "x99201.xlsx",
        "commune",
        "99201",
        "Xã Hai A",
        P,
        commune_steering_plan=True,
        commune_safe=False,
        sheets={
            "villages": [village("99201001", "Thôn 1", True, True, 200, 150)],  # Thôn 2 not listed
        },
    )
    out = build(tmp, P, inbox, register)
    return indicators(out), findings(out)


def test_province_figures(built):
    figures, _ = built
    expected = {
        "plan_issued.province_agencies": (1, 2),
        "plan_issued.district_agencies": (2, 3),
        "plan_issued.district_steering_committees": (1, 2),
        "plan_issued.commune_steering_committees": (3, 3),
        "plan_issued.village_boards": (3, 5),
        "safe_registered.province_agencies": (2, 2),
        "safe_registered.district_agencies": (1, 3),
        "safe_registered.communes": (2, 3),
        "safe_registered.villages": (3, 5),
        "safe_registered.households": (80 + 1000 + 150, 100 + 1234 + 200),
        "models.total": (3, None),
        "models.group_1": (1, None),
        "models.group_2": (0, None),
        "models.group_4": (1, None),
        "models.group_6": (1, None),
        "models.communes_covered": (1, 3),
        "force_support.visits": (1, None),
        "force_support.hardship_subsidies": (0, None),
        "awards.medal_individuals": (1, None),
        "awards.commendation_collectives": (1, None),
        "awards.commendation_individuals": (0, None),
    }
    for indicator, value in expected.items():
        assert figures[("99", indicator)] == value, indicator


def test_missing_submission_keeps_units_in_totals(built):
    figures, found = built
    assert figures[("992", "plan_issued.district_steering_committees")] == (0, 1)
    assert figures[("992", "plan_issued.district_agencies")] == (0, 1)
    assert figures[("992", "safe_registered.villages")] == (1, 2)
    assert any(f["check"] == "MISSING_SUBMISSION" and f["org_unit_code"] == "992" for f in found)


def test_resubmission_winner_and_superseded(built):
    figures, found = built
    # version 2 wins: its 2 valid models count, not version 1's five
    assert figures[("991", "models.total")] == (2, None)
    superseded = [f for f in found if f["check"] == "SUPERSEDED_SUBMISSION"]
    assert [f["source_file"] for f in superseded] == ["x99101_v1.xlsx"]
    assert superseded[0]["severity"] == "info"


def test_excluded_rows_and_their_findings(built):
    figures, found = built
    by_check = Counter(f["check"] for f in found)
    assert figures[("991", "safe_registered.households")] == (80 + 1000, 100 + 1234)
    assert figures[("991", "plan_issued.village_boards")] == (2, 3)  # the duplicate row does not count
    unknown = {f["org_unit_code"] for f in found if f["check"] == "UNKNOWN_ORG_UNIT"}
    assert unknown == {"XX", "D1-992"}
    dup = [f for f in found if f["check"] == "DUPLICATE_UNIT_ROW"]
    assert len(dup) == 1 and dup[0]["org_unit_code"] == "99101001" and dup[0]["source_file"] == "x99101_v2.xlsx"
    exceed = [f for f in found if f["check"] == "HOUSEHOLDS_REGISTERED_EXCEED_TOTAL"]
    assert len(exceed) == 1 and exceed[0]["org_unit_code"] == "99101002" and "60" in exceed[0]["message"]
    assert any(f["check"] == "INVALID_VALUE" and f["sheet"] == "Mô hình" for f in found)
    missing_value = [f for f in found if f["check"] == "MISSING_VALUE"]
    assert [f["org_unit_code"] for f in missing_value] == ["99102001"]
    missing_row = [f for f in found if f["check"] == "MISSING_UNIT_ROW"]
    assert [f["org_unit_code"] for f in missing_row] == ["99201002"]
    assert by_check["NAME_MISMATCH"] == 0  # "Phú Hoà" = "Phú Hòa"


def test_province_workbook_rows_only_in_province_row(built):
    figures, _ = built
    districts = ("991", "992")
    for indicator in ("models.total", "models.group_6", "awards.medal_individuals"):
        assert sum(figures[(d, indicator)][0] for d in districts) == figures[("99", indicator)][0] - 1
    assert ("991", "plan_issued.province_agencies") not in figures


def test_every_indicator_on_every_row(built):
    import catalog

    figures, _ = built
    for ind in catalog.indicators():
        assert ("99", ind["indicator"]) in figures
        for d in ("991", "992"):
            assert ((d, ind["indicator"]) in figures) != ind["province_only"]


def test_household_counts_near_the_int64_limit_are_excluded_and_the_build_finishes(tmp_path):
    """Two villages of 2^62+ households each pass "a non-negative integer below 2^63", but no village has
    that many households: each such cell is an INVALID_VALUE naming its file, sheet and row (the row is
    excluded), and no sum overflows: the build finishes with the other villages' figures."""
    register = write_register(tmp_path / "register", ORG_UNITS, AGENCIES)
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    huge = 2**62
    submission(
        inbox,
        "x99101.xlsx",
        "commune",
        "99101",
        "Xã Một A",
        P,
        commune_steering_plan=True,
        commune_safe=True,
        sheets={
            "villages": [
                village("99101001", "Thôn 1", True, True, huge, huge),
                village("99101002", "Thôn 2", True, True, huge + 2**60, huge),
            ],
        },
    )
    submission(
        inbox,
        "x99102.xlsx",
        "commune",
        "99102",
        "Xã Một B",
        P,
        commune_steering_plan=True,
        commune_safe=True,
        sheets={
            "villages": [village("99102001", "Thôn Phú Hòa", True, True, 1234, 1000)],
        },
    )
    out = build(tmp_path, P, inbox, register)  # exit 0
    figures = indicators(out)
    assert figures[("99", "safe_registered.households")] == (1000, 1234)
    assert figures[("991", "safe_registered.households")] == (1000, 1234)
    assert figures[("99", "safe_registered.villages")] == (1, 5)  # the two huge rows are excluded
    invalid = [f for f in findings(out) if f["check"] == "INVALID_VALUE"]
    assert {(f["org_unit_code"], f["source_file"], f["sheet"]) for f in invalid} == {
        ("99101001", "x99101.xlsx", "Thôn, khu phố"),
        ("99101002", "x99101.xlsx", "Thôn, khu phố"),
    }
    rows = {f["org_unit_code"]: f["row"] for f in invalid}
    assert rows["99101001"] and rows["99101002"] and rows["99101001"] != rows["99101002"]
    assert len(invalid) == 4  # both count cells of both rows
    assert all("Tổng số hộ" in f["message"] or "Số hộ đăng ký" in f["message"] for f in invalid)
    assert all("100.000.000" in f["message"] for f in invalid)  # the bound, said in the message
