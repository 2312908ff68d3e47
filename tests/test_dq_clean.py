"""A clean inbox raises nothing of severity warning or error, although its names are written with the
other tone-mark placement, in NFD form or in other case, its codes typed as numbers, its period in words,
and one workbook is dated after the default deadline but within a configured one."""

from __future__ import annotations

import datetime as dt
import json
import unicodedata

import duckdb
import pytest
from build_helpers import build, findings, indicators, submission, write_register

P, Q = "2021-H1", "2020-H2"
P_WORDS = "6 tháng đầu năm 2021"

ORG_UNITS = [
    ("08", "Tỉnh Sạch Sẽ", "province", ""),
    ("081", "Huyện Thủy Tiên", "district", "08"),
    ("082", "Huyện Quỳnh Lâm", "district", "08"),
    ("08101", "Xã Hòa Bình", "commune", "081"),
    ("08102", "Phường Tân Lập", "commune", "081"),
    ("08201", "Xã Quỳnh Hoa", "commune", "082"),
    ("08101001", "Thôn Phú Hòa", "village", "08101"),
    ("08101002", "Khu phố 2", "village", "08101"),
    ("08102001", "Khu phố Tân Lập", "village", "08102"),
    ("08201001", "Thôn Thủy Lợi", "village", "08201"),
    ("08201002", "Thôn Quyết Thắng", "village", "08201"),
]
AGENCIES = [
    ("SO-01", "Sở Tư pháp", "co_quan", "province", ""),
    ("SO-02", "Trường THPT Hòa Bình", "nha_truong", "province", ""),
    ("081-A", "Trường Tiểu học Thủy Tiên", "nha_truong", "district", "081"),
    ("082-A", "Công ty Cổ phần Quỳnh Lâm", "doanh_nghiep", "district", "082"),
]


def nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


def village(code, name, total, registered, plan=True, safe=True):
    return {
        "village_code": code,
        "village_name": name,
        "plan_issued": plan,
        "safe_registered": safe,
        "households_total": total,
        "households_registered": registered,
    }


def agency(code, name, kind):
    return {"agency_code": code, "agency_name": name, "agency_kind": kind, "plan_issued": True, "safe_registered": True}


def write_inbox(inbox):
    # The previous period: close figures (no outlier), not copied, other medal recipients.
    q_on = dt.date(2021, 1, 8)
    submission(
        inbox,
        "q/xa_hoa_binh.xlsx",
        "commune",
        8101,
        "Xã Hòa Bình",
        "6 tháng cuối năm 2020",
        created_on=q_on,
        commune_steering_plan=True,
        commune_safe=True,
        sheets={
            "villages": [village(8101001, "Thôn Phú Hòa", 400, 350), village(8101002, "Khu phố 2", 300, 260)],
            "awards": [{"recipient_kind": "individual", "recipient_name": "Lê Văn Tám", "award_type": "medal"}],
        },
    )
    # This period.
    submission(
        inbox,
        "p/tinh.xlsx",
        "province",
        8,
        "TỈNH SẠCH SẼ",
        P_WORDS,
        sheets={
            "agencies": [
                agency("SO-01", "Sở Tư Pháp", "co_quan"),
                agency("SO-02", "Trường THPT Hoà Bình", "nha_truong"),
            ],
            "province_models": [
                {"model_name": "Cơ quan an toàn", "model_group": "6", "unit_code": "SO-01", "founded_year": 2019}
            ],
            "awards": [{"recipient_kind": "individual", "recipient_name": "Phạm Thị Hòa", "award_type": "medal"}],
        },
    )
    submission(
        inbox,
        "p/huyen_081.xlsx",
        "district",
        81,
        "Huyện Thuỷ Tiên",
        P_WORDS,
        district_steering_plan=True,
        sheets={
            "agencies": [agency("081-A", nfd("Trường Tiểu học Thủy Tiên"), "nha_truong")],
            "district_summary": [
                {"summary_item": "commune_steering_plan", "achieved": 2, "total": 2},
                {"summary_item": "village_board_plan", "achieved": 3, "total": 3},
                {"summary_item": "commune_safe", "achieved": 2, "total": 2},
                {"summary_item": "village_safe", "achieved": 3, "total": 3},
                {"summary_item": "household_safe", "achieved": "1.120", "total": "1.250"},
                {"summary_item": "models", "achieved": 2},
            ],
            "awards": [{"recipient_kind": "individual", "recipient_name": "Võ Văn Kiệt", "award_type": "commendation"}],
        },
    )
    submission(
        inbox,
        "p/huyen_082.xlsx",
        "district",
        82,
        nfd("Huyện Quỳnh Lâm"),
        P_WORDS,
        district_steering_plan=True,
        created_on=dt.date(2021, 7, 25),
        sheets={"agencies": [agency("082-A", "công ty cổ phần quỳnh lâm", "doanh_nghiep")]},
    )
    submission(
        inbox,
        "p/xa_hoa_binh.xlsx",
        "commune",
        8101,
        "Xã Hoà Bình",
        P_WORDS,
        commune_steering_plan=True,
        commune_safe=True,
        sheets={
            "villages": [village(8101001, "Thôn Phú Hoà", 420, 360), village(8101002, "khu phố 2", 310, 270)],
            "commune_models": [
                {
                    "model_name": "Tổ tự quản",
                    "model_group": "tái hoà nhập cộng đồng",
                    "unit_code": 8101001,
                    "founded_year": 2018,
                }
            ],
            "force_support": [{"person_name": "Đinh Văn Hùng", "support_type": "visit", "amount_vnd": "500.000"}],
            "awards": [{"recipient_kind": "individual", "recipient_name": "Nguyễn Thị Thuỷ", "award_type": "medal"}],
        },
    )
    submission(
        inbox,
        "p/phuong_tan_lap.xlsx",
        "commune",
        8102,
        nfd("Phường Tân Lập"),
        P_WORDS,
        commune_steering_plan=True,
        commune_safe=True,
        sheets={
            "villages": [village(8102001, nfd("Khu phố Tân Lập"), 520, 490)],
            "commune_models": [{"model_name": "Camera an ninh", "model_group": "6"}],
        },
    )
    submission(
        inbox,
        "p/xa_quynh_hoa.xlsx",
        "commune",
        8201,
        "Xã Quỳnh Hoa",
        P_WORDS,
        commune_steering_plan=True,
        commune_safe=True,
        sheets={
            "villages": [
                village(8201001, "Thôn Thuỷ Lợi", 150, 120),
                village(8201002, "Thôn Quyết Thắng", 90, 90, plan=False, safe=False),
            ],
        },
    )


@pytest.fixture(scope="module")
def clean(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("clean_province")
    register = write_register(tmp / "register", ORG_UNITS, AGENCIES)
    inbox = tmp / "inbox"
    write_inbox(inbox)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("ANTQ_SUBMISSION_DEADLINE_DAY", "31")  # huyen_082.xlsx (25/07) is on time
        out = build(tmp, P, inbox, register)
    return {"out": out, "warehouse": tmp / "warehouse.duckdb"}


def test_nothing_to_warn_about(clean):
    found = findings(clean["out"])
    assert [f for f in found if f["severity"] in ("error", "warning")] == []
    assert found == []  # not even information: no resubmission, nothing late against 31/07


def test_the_configured_deadline_is_used(clean):
    con = duckdb.connect(str(clean["warehouse"]), read_only=True)
    try:
        rows = con.execute(
            "select distinct deadline, bool_and(on_time) from main.mart_submissions where period = ? group by 1", [P]
        ).fetchall()
    finally:
        con.close()
    assert rows == [(dt.date(2021, 7, 31), True)]


def test_every_unit_counts(clean):
    figures = indicators(clean["out"])
    expected = {
        "plan_issued.province_agencies": (2, 2),
        "plan_issued.district_agencies": (2, 2),
        "plan_issued.district_steering_committees": (2, 2),
        "plan_issued.commune_steering_committees": (3, 3),
        "plan_issued.village_boards": (4, 5),
        "safe_registered.communes": (3, 3),
        "safe_registered.villages": (4, 5),
        "safe_registered.households": (360 + 270 + 490 + 120 + 90, 420 + 310 + 520 + 150 + 90),
        "models.total": (3, None),
        "models.communes_covered": (2, 3),
        "force_support.visits": (1, None),
        "awards.medal_individuals": (2, None),
        "awards.commendation_individuals": (1, None),
    }
    for indicator, value in expected.items():
        assert figures[("08", indicator)] == value, indicator


def test_suites_and_report_agree(clean):
    out = clean["out"]
    with open(out / "data_docs" / "summary.json", encoding="utf-8") as fh:
        summary = json.load(fh)
    assert summary["success"], {n: s["failed_expectations"] for n, s in summary["suites"].items() if not s["success"]}
    assert (out / "data_docs" / "index.html").exists()
    page = (out / "kiem_tra_du_lieu.html").read_text(encoding="utf-8")
    assert "6/6 báo cáo (100,00%)" in page  # completeness and timeliness of the province
    assert "Không có phát hiện nào." in page
