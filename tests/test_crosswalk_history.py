"""History across the 1 July 2025 reform (issue 13): a build after the reform compares with the periods before
it on today's boundaries (README, "Lịch sử qua sắp xếp đơn vị hành chính").

One tiny province, two builds into one warehouse: 2025-H1 under two former districts and four former communes,
then 2025-H2 with the communes since 01/07/2025 (no district): Xã An + Xã Bình merged into Xã An Bình, Xã Cát
divided between Xã Cát Đông and Xã Cát Tây (village rows say which village went where), Xã Đồng unchanged.
Every expected figure below is worked out by hand from the rows written here."""

from __future__ import annotations

import datetime as dt
import json

import duckdb
import pytest
from build_helpers import build, findings, indicators, submission, village, write_register

from reports import report_data
from reports.report_context import settings

H1, H2 = "2025-H1", "2025-H2"
REFORM = "2025-07-01"
END = "2025-06-30"
PROVINCE = "68"

ORG_UNITS = [
    ("68", "Tỉnh Lâm Đồng", "province", ""),
    ("681", "Huyện Một", "district", "68", "", END),
    ("682", "Huyện Hai", "district", "68", "", END),
    ("10001", "Xã An", "commune", "681", "", END),
    ("10002", "Xã Bình", "commune", "681", "", END),
    ("10003", "Xã Cát", "commune", "682", "", END),
    # unchanged by the reform: one row, directly under the province, valid throughout
    ("10004", "Xã Đồng", "commune", "68"),
    ("20001", "Xã An Bình", "commune", "68", REFORM, ""),
    ("20002", "Xã Cát Đông", "commune", "68", REFORM, ""),
    ("20003", "Xã Cát Tây", "commune", "68", REFORM, ""),
    # villages persist; the register lists them under their commune before the reform
    ("10001001", "Thôn An 1", "village", "10001"),
    ("10001002", "Thôn An 2", "village", "10001"),
    ("10002001", "Thôn Bình 1", "village", "10002"),
    ("10003001", "Thôn Cát 1", "village", "10003"),
    ("10003002", "Thôn Cát 2", "village", "10003"),
    ("10003003", "Thôn Cát 3", "village", "10003"),
    ("10004001", "Thôn Đồng 1", "village", "10004"),
    ("10004002", "Thôn Đồng 2", "village", "10004"),
]

CROSSWALK = [
    ("10001", "Xã An", "20001", "Xã An Bình", REFORM, "false", "true", ""),
    ("10002", "Xã Bình", "20001", "Xã An Bình", REFORM, "false", "true", ""),
    ("10003", "Xã Cát", "20002", "Xã Cát Đông", REFORM, "true", "true", ""),
    ("10003", "Xã Cát", "20003", "Xã Cát Tây", REFORM, "true", "false", ""),
    ("10003", "Xã Cát", "20002", "Xã Cát Đông", REFORM, "true", "", "10003001"),
    ("10003", "Xã Cát", "20002", "Xã Cát Đông", REFORM, "true", "", "10003002"),
    ("10003", "Xã Cát", "20003", "Xã Cát Tây", REFORM, "true", "", "10003003"),
    ("10004", "Xã Đồng", "10004", "Xã Đồng", REFORM, "false", "true", ""),
]


def _model(name, group, unit_code=None):
    return {"model_name": name, "model_group": group, "unit_code": unit_code, "founded_year": 2020}


def _commune(inbox, name, code, unit_name, period, villages, models=None):
    created = dt.date(2025, 7, 5) if period == H1 else dt.date(2026, 1, 5)
    sheets = {"villages": villages}
    if models:
        sheets["commune_models"] = models
    submission(
        inbox,
        name,
        "commune",
        code,
        unit_name,
        period,
        sheets=sheets,
        created_on=created,
        commune_steering_plan=True,
        commune_safe=True,
    )


def _h1(inbox):
    _commune(
        inbox,
        "h1/an.xlsx",
        "10001",
        "Xã An",
        H1,
        [village("10001001", "Thôn An 1", True, True, 100, 80), village("10001002", "Thôn An 2", False, True, 50, 40)],
        [_model("Camera an ninh", "1", "10001002")],
    )
    _commune(inbox, "h1/binh.xlsx", "10002", "Xã Bình", H1, [village("10002001", "Thôn Bình 1", True, False, 70, 30)])
    _commune(
        inbox,
        "h1/cat.xlsx",
        "10003",
        "Xã Cát",
        H1,
        [
            village("10003001", "Thôn Cát 1", True, True, 40, 40),
            village("10003002", "Thôn Cát 2", False, False, 60, 10),
            village("10003003", "Thôn Cát 3", True, True, 30, 20),
        ],
        # with a village: goes with it; without: goes with Xã Cát to its default destination, Xã Cát Đông
        [_model("Phòng chống ma túy", "4", "10003003"), _model("Người có uy tín", "2")],
    )
    _commune(
        inbox,
        "h1/dong.xlsx",
        "10004",
        "Xã Đồng",
        H1,
        [
            village("10004001", "Thôn Đồng 1", True, True, 90, 90),
            village("10004002", "Thôn Đồng 2", True, False, 20, 5),
        ],
    )


def _h2(inbox):
    # Xã An Bình lists the former Xã An's villages but not Thôn Bình 1 ...
    _commune(
        inbox,
        "h2/an_binh.xlsx",
        "20001",
        "Xã An Bình",
        H2,
        [village("10001001", "Thôn An 1", True, True, 100, 90), village("10001002", "Thôn An 2", True, True, 50, 45)],
    )
    # ... which comes in the workbook of the former Xã Bình (its old code on the cover): counted once, for Xã An
    # Bình; its second row names a village Xã An Bình already reported: not counted again
    _commune(
        inbox,
        "h2/binh_cu.xlsx",
        "10002",
        "Xã Bình",
        H2,
        [
            village("10002001", "Thôn Bình 1", True, True, 70, 60),
            village("10001001", "Thôn An 1", True, False, 100, 10),
        ],
    )
    _commune(
        inbox,
        "h2/cat_dong.xlsx",
        "20002",
        "Xã Cát Đông",
        H2,
        [village("10003001", "Thôn Cát 1", True, True, 40, 40), village("10003002", "Thôn Cát 2", True, True, 60, 50)],
    )
    # Xã Cát Tây also lists Thôn Cát 2, a village of the former Xã Cát that went to Xã Cát Đông
    _commune(
        inbox,
        "h2/cat_tay.xlsx",
        "20003",
        "Xã Cát Tây",
        H2,
        [village("10003003", "Thôn Cát 3", True, True, 30, 30), village("10003002", "Thôn Cát 2", False, False, 60, 1)],
    )
    _commune(
        inbox,
        "h2/dong.xlsx",
        "10004",
        "Xã Đồng",
        H2,
        [
            village("10004001", "Thôn Đồng 1", True, True, 90, 90),
            village("10004002", "Thôn Đồng 2", True, False, 20, 6),
        ],
    )


@pytest.fixture(scope="module")
def reform(tmp_path_factory):
    """2025-H1 built, then 2025-H2 built into the same warehouse (the inbox then holds both periods)."""
    tmp = tmp_path_factory.mktemp("reform")
    register = write_register(tmp / "register", ORG_UNITS, [], CROSSWALK)
    inbox = tmp / "inbox"
    inbox.mkdir()
    _h1(inbox)
    out_h1 = build(tmp, H1, inbox, register)
    _h2(inbox)
    out_h2 = build(tmp, H2, inbox, register)
    return {"tmp": tmp, "h1": out_h1, "h2": out_h2, "warehouse": tmp / "warehouse.duckdb"}


def _today(warehouse) -> dict[tuple[str, str], tuple]:
    """(org_unit_code, indicator) -> (comparable, achieved, total) of 2025-H1 on 2025-H2's boundaries."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        rows = con.execute(
            "select org_unit_code, indicator, comparable, achieved, total, via_default_destination, boundaries_since "
            "from main.mart_indicators_current_boundaries where boundaries_period = ? and period = ?",
            [H2, H1],
        ).fetchall()
    assert {r[6] for r in rows} == {dt.date(2025, 7, 1)}
    return {(r[0], r[1]): (r[2], r[3], r[4], r[5]) for r in rows}


# 2025-H1 on today's boundaries, by hand: Xã An Bình = Thôn An 1, An 2, Bình 1; Xã Cát Đông = Thôn Cát 1, Cát 2
# (+ the model without a village, by the default destination); Xã Cát Tây = Thôn Cát 3; Xã Đồng unchanged
EXPECTED_H1_TODAY = {
    "20001": {
        "plan_issued.village_boards": (2, 3),
        "safe_registered.villages": (2, 3),
        "safe_registered.households": (150, 220),
        "models.total": (1, None),
        "models.group_1": (1, None),
    },
    "20002": {
        "plan_issued.village_boards": (1, 2),
        "safe_registered.villages": (1, 2),
        "safe_registered.households": (50, 100),
        "models.total": (1, None),
        "models.group_2": (1, None),
    },
    "20003": {
        "plan_issued.village_boards": (1, 1),
        "safe_registered.villages": (1, 1),
        "safe_registered.households": (20, 30),
        "models.total": (1, None),
        "models.group_4": (1, None),
    },
    "10004": {
        "plan_issued.village_boards": (2, 2),
        "safe_registered.villages": (1, 2),
        "safe_registered.households": (95, 110),
        "models.total": (0, None),
    },
    PROVINCE: {
        "plan_issued.village_boards": (6, 8),
        "safe_registered.villages": (5, 8),
        "safe_registered.households": (315, 460),
        "models.total": (3, None),
    },
}


def test_village_figures_of_before_the_reform_follow_each_village_to_its_new_commune(reform):
    today = _today(reform["warehouse"])
    for code, figures in EXPECTED_H1_TODAY.items():
        for indicator, (achieved, total) in figures.items():
            assert today[(code, indicator)][:3] == (True, achieved, total), (code, indicator)
    # only the figures that went through a divided commune's default destination say so
    assert today[("20002", "models.group_2")][3] is True
    assert today[("20001", "safe_registered.households")][3] is False
    # the sums on today's boundaries are the province's 2025-H1 figures (villages are neither lost nor doubled)
    h1 = indicators(reform["h1"])
    for indicator in ("plan_issued.village_boards", "safe_registered.villages", "safe_registered.households"):
        assert h1[(PROVINCE, indicator)] == EXPECTED_H1_TODAY[PROVINCE][indicator]


def test_unit_level_figures_are_not_comparable_never_zero(reform):
    today = _today(reform["warehouse"])
    for code in ("20001", PROVINCE):
        for indicator in (
            "plan_issued.commune_steering_committees",
            "safe_registered.communes",
            "awards.medal_individuals",
        ):
            assert today[(code, indicator)][:3] == (False, None, None)


def test_a_village_reported_under_its_former_commune_is_a_finding_counted_once(reform):
    h2 = indicators(reform["h2"])
    # 8 villages, each counted once: Thôn Bình 1 from the former Xã Bình's workbook, Thôn Cát 2 from Xã Cát
    # Đông's; Xã Bình's Thôn An 1 row and Xã Cát Tây's Thôn Cát 2 row are not counted again
    assert h2[(PROVINCE, "plan_issued.village_boards")] == (8, 8)
    assert h2[(PROVINCE, "safe_registered.villages")] == (7, 8)
    assert h2[(PROVINCE, "safe_registered.households")] == (90 + 45 + 60 + 40 + 50 + 30 + 90 + 6, 460)
    found = findings(reform["h2"])
    former = [f for f in found if f["check"] == "REPORTED_UNDER_FORMER_COMMUNE"]
    by_code = {(f["org_unit_code"], f["source_file"]): f for f in former}
    assert set(by_code) == {
        ("10002", "h2/binh_cu.xlsx"),
        ("10002001", "h2/binh_cu.xlsx"),
        ("10001001", "h2/binh_cu.xlsx"),
        ("10003002", "h2/cat_tay.xlsx"),
    }
    counted = by_code[("10002001", "h2/binh_cu.xlsx")]["message"]
    assert "Xã An Bình (mã 20001)" in counted and "được tính một lần" in counted and "01/07/2025" in counted
    assert (
        "không được tính vì báo cáo của Xã An Bình đã có thôn này"
        in by_code[("10001001", "h2/binh_cu.xlsx")]["message"]
    )
    assert "Xã Cát Đông (mã 20002)" in by_code[("10003002", "h2/cat_tay.xlsx")]["message"]
    # the former commune's code is no longer an unknown unit, nor its villages
    assert not [f for f in found if f["check"] == "UNKNOWN_ORG_UNIT"]
    with duckdb.connect(str(reform["warehouse"]), read_only=True) as con:
        params = json.loads(
            con.execute(
                "select params from main.mart_dq_findings where check_code = 'REPORTED_UNDER_FORMER_COMMUNE' "
                "and org_unit_code = '10002'"
            ).fetchone()[0]
        )
    assert params["new_units"] == "Xã An Bình (mã 20001)"
    # the auditors find the former commune's findings under the commune it is part of now, with no district
    with duckdb.connect(str(reform["warehouse"]), read_only=True) as con:
        placed = set(
            con.execute(
                "select district_code, commune_code from main.mart_dq_findings "
                "where period = ? and source_file = 'h2/binh_cu.xlsx'",
                [H2],
            ).fetchall()
        )
    assert placed == {(None, "20001")}


def test_the_report_compares_on_todays_boundaries_and_says_so(reform):
    text = (reform["h2"] / f"bao_cao_{H2}.md").read_text(encoding="utf-8")
    words = settings()
    basis = "theo địa giới hành chính từ 01/07/2025"
    assert text.count(basis) == 1
    # Bảng 1 beside 2025-H1 on today's boundaries: the households' change, and the commune steering
    # committees' figures not comparable (never 0)
    assert "315/460" in text
    row = next(line for line in text.splitlines() if line.startswith("|") and "Ban Chỉ đạo cấp xã" in line)
    assert words["not_comparable"] in row
    # the trend runs across the reform, 2025-H1 read on today's boundaries
    with duckdb.connect(str(reform["warehouse"]), read_only=True) as con:
        data = report_data.load(con, H2)
    assert [p for p, _, _ in data.trend] == [H1, H2]
    assert data.boundaries_since == dt.date(2025, 7, 1)
    before = data.trend[0][2].figures
    assert (before["safe_registered.households"].achieved, before["safe_registered.households"].total) == (315, 460)
    steering = before["plan_issued.commune_steering_committees"]
    assert (steering.comparable, steering.achieved, steering.total) == (False, None, None)
    assert (reform["h2"] / "charts" / "xu_huong_cac_ky.png").is_file()
    # the 2025-H1 report itself has no such basis (it is before the reform)
    assert basis not in (reform["h1"] / f"bao_cao_{H1}.md").read_text(encoding="utf-8")
