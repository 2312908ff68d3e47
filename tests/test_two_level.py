"""Since 1 July 2025 Vietnam has no district level: communes directly under the province must build."""

from __future__ import annotations

import datetime as dt

from build_helpers import build, findings, indicators, submission, write_register

P = "2025-H2"


def test_two_level_province_builds(tmp_path):
    register = write_register(
        tmp_path / "register",
        [
            ("98", "Tỉnh Hai Cấp", "province", ""),
            ("98001", "Phường Một", "commune", "98"),
            ("98002", "Xã Hai", "commune", "98"),
            ("98001001", "Khu phố 1", "village", "98001"),
            ("98002001", "Thôn 1", "village", "98002"),
            ("98002002", "Thôn 2", "village", "98002"),
        ],
        [
            ("T1", "Sở Một", "co_quan", "province", ""),
        ],
    )
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    created = dt.date(2026, 1, 5)
    submission(
        inbox,
        "tinh.xlsx",
        "province",
        "98",
        "Tỉnh Hai Cấp",
        P,
        created_on=created,
        sheets={
            "agencies": [
                {
                    "agency_code": "T1",
                    "agency_name": "Sở Một",
                    "agency_kind": "co_quan",
                    "plan_issued": True,
                    "safe_registered": True,
                }
            ]
        },
    )
    submission(
        inbox,
        "p1.xlsx",
        "commune",
        "98001",
        "Phường Một",
        P,
        created_on=created,
        commune_steering_plan=True,
        commune_safe=True,
        sheets={
            "villages": [
                {
                    "village_code": "98001001",
                    "village_name": "Khu phố 1",
                    "plan_issued": True,
                    "safe_registered": True,
                    "households_total": 300,
                    "households_registered": 280,
                }
            ],
            "commune_models": [{"model_name": "Camera an ninh", "model_group": "6"}],
        },
    )
    submission(
        inbox,
        "x2.xlsx",
        "commune",
        "98002",
        "Xã Hai",
        P,
        created_on=created,
        commune_steering_plan=False,
        commune_safe=True,
        sheets={
            "villages": [
                {
                    "village_code": "98002001",
                    "village_name": "Thôn 1",
                    "plan_issued": False,
                    "safe_registered": True,
                    "households_total": 120,
                    "households_registered": 100,
                },
                {
                    "village_code": "98002002",
                    "village_name": "Thôn 2",
                    "plan_issued": True,
                    "safe_registered": False,
                    "households_total": 80,
                    "households_registered": 0,
                },
            ]
        },
    )
    out = build(tmp_path, P, inbox, register)
    figures = indicators(out)
    assert {code for code, _ in figures} == {"98"}  # no district rows in a two-level province
    assert figures[("98", "plan_issued.district_steering_committees")] == (0, 0)
    assert figures[("98", "plan_issued.commune_steering_committees")] == (1, 2)
    assert figures[("98", "plan_issued.village_boards")] == (2, 3)
    assert figures[("98", "safe_registered.communes")] == (2, 2)
    assert figures[("98", "safe_registered.households")] == (380, 500)
    assert figures[("98", "models.communes_covered")] == (1, 2)
    assert figures[("98", "plan_issued.province_agencies")] == (1, 1)
    assert not [f for f in findings(out) if f["severity"] in ("error", "warning")]


def _register(folder, org_units: list[tuple], agencies: list[tuple]):
    """A register whose agencies.csv has contract section 2's optional province_code column (last)."""
    import csv

    folder.mkdir(parents=True, exist_ok=True)
    for name, header, rows in (
        ("org_units.csv", ["code", "name", "level", "parent_code", "valid_from", "valid_to"], org_units),
        (
            "agencies.csv",
            ["code", "name", "kind", "managed_by", "district_code", "valid_from", "valid_to", "province_code"],
            agencies,
        ),
    ):
        with open(folder / name, "w", encoding="utf-8", newline="") as fh:
            w = csv.writer(fh)
            w.writerow(header)
            w.writerows(rows)
    return folder


def _province_agencies(prefix: str, province: str, n: int, valid_from: str = "", valid_to: str = "") -> list[tuple]:
    return [
        (f"{prefix}{i:03d}", f"Cơ quan {prefix} {i}", "co_quan", "province", "", valid_from, valid_to, province)
        for i in range(1, n + 1)
    ]


def _listed(codes: list[str], achieved: int) -> list[dict]:
    """Agency rows of a province workbook: the first `achieved` issued a plan and registered."""
    return [
        {
            "agency_code": code,
            "agency_name": f"Cơ quan {code[:2]} {int(code[2:])}",
            "agency_kind": "co_quan",
            "plan_issued": i < achieved,
            "safe_registered": i < achieved,
        }
        for i, code in enumerate(codes)
    ]


def test_two_provinces_each_count_their_own_province_agencies(tmp_path):
    """Two provinces in one register (and one warehouse): each province row counts its own province-managed
    agencies (the seed's 168/195 for the first), never 0/0 and never the other's."""
    a_agencies = _province_agencies("TA", "60", 195)
    b_agencies = _province_agencies("TB", "61", 12)
    register = _register(
        tmp_path / "register",
        [
            ("60", "Tỉnh An", "province", "", "", ""),
            ("601", "Huyện An Một", "district", "60", "", ""),
            ("60101", "Xã An", "commune", "601", "", ""),
            ("60101001", "Thôn An", "village", "60101", "", ""),
            ("61", "Tỉnh Bình", "province", "", "", ""),
            ("611", "Huyện Bình Một", "district", "61", "", ""),
            ("61101", "Xã Bình", "commune", "611", "", ""),
            ("61101001", "Thôn Bình", "village", "61101", "", ""),
        ],
        a_agencies
        + b_agencies
        + [
            ("DA1", "Phòng An", "co_quan", "district", "601", "", "", ""),  # province from its district
            ("DB1", "Phòng Bình", "co_quan", "district", "611", "", "", "61"),
        ],
    )
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    created = dt.date(2021, 7, 5)
    submission(
        inbox,
        "tinh_an.xlsx",
        "province",
        "60",
        "Tỉnh An",
        "2021-H1",
        created_on=created,
        sheets={"agencies": _listed([a[0] for a in a_agencies], 168)},
    )
    submission(
        inbox,
        "tinh_binh.xlsx",
        "province",
        "61",
        "Tỉnh Bình",
        "2021-H1",
        created_on=created,
        sheets={"agencies": _listed([b[0] for b in b_agencies], 9)},
    )
    submission(
        inbox,
        "huyen_binh.xlsx",
        "district",
        "611",
        "Huyện Bình Một",
        "2021-H1",
        created_on=created,
        district_steering_plan=True,
        sheets={
            "agencies": [
                {
                    "agency_code": "DB1",
                    "agency_name": "Phòng Bình",
                    "agency_kind": "co_quan",
                    "plan_issued": True,
                    "safe_registered": True,
                }
            ]
        },
    )
    out = build(tmp_path, "2021-H1", inbox, register)
    figures = indicators(out)
    assert figures[("60", "plan_issued.province_agencies")] == (168, 195)
    assert figures[("60", "safe_registered.province_agencies")] == (168, 195)
    assert figures[("61", "plan_issued.province_agencies")] == (9, 12)
    assert figures[("61", "safe_registered.province_agencies")] == (9, 12)
    assert figures[("60", "plan_issued.district_agencies")] == (0, 1)
    assert figures[("61", "plan_issued.district_agencies")] == (1, 1)
    assert figures[("611", "plan_issued.district_agencies")] == (1, 1)
    found = findings(out)
    # neither province workbook is expected to list, nor may list, the other province's agencies
    assert not [f for f in found if f["check"] in ("UNKNOWN_ORG_UNIT", "MISSING_UNIT_ROW")]
    # one report per province
    assert len(list(out.glob("bao_cao_*.docx"))) == 2


def test_merged_province_counts_in_the_periods_it_is_valid(tmp_path):
    """The 1 July 2025 merger recorded with validity dates: the old province (valid to 30/06/2025) counts its
    province-managed agencies in 2025-H1, the new one (valid from 01/07/2025) its own in 2025-H2."""
    import duckdb

    old_agencies = _province_agencies("CU", "60", 4)  # open validity: the province ends
    new_agencies = _province_agencies("MO", "70", 3, valid_from="2025-07-01")
    register = _register(
        tmp_path / "register",
        [
            ("60", "Tỉnh Cũ", "province", "", "", "2025-06-30"),
            ("601", "Huyện Cũ", "district", "60", "", "2025-06-30"),
            ("60101", "Xã Cũ", "commune", "601", "", "2025-06-30"),
            ("60101001", "Thôn Cũ", "village", "60101", "", "2025-06-30"),
            ("70", "Tỉnh Mới", "province", "", "2025-07-01", ""),
            ("70001", "Xã Mới", "commune", "70", "2025-07-01", ""),
            ("70001001", "Thôn Mới", "village", "70001", "2025-07-01", ""),
        ],
        old_agencies
        + new_agencies
        + [
            ("DC1", "Phòng Cũ", "co_quan", "district", "601", "", "", ""),  # its district ends too
        ],
    )
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    submission(
        inbox,
        "tinh_cu.xlsx",
        "province",
        "60",
        "Tỉnh Cũ",
        "2025-H1",
        created_on=dt.date(2025, 7, 5),
        sheets={"agencies": _listed([a[0] for a in old_agencies], 3)},
    )
    submission(
        inbox,
        "tinh_moi.xlsx",
        "province",
        "70",
        "Tỉnh Mới",
        "2025-H2",
        created_on=dt.date(2026, 1, 5),
        sheets={"agencies": _listed([a[0] for a in new_agencies], 2)},
    )
    out = build(tmp_path, "2025-H2", inbox, register)
    figures = indicators(out)
    assert {code for code, _ in figures} == {"70"}
    assert figures[("70", "plan_issued.province_agencies")] == (2, 3)
    assert figures[("70", "safe_registered.province_agencies")] == (2, 3)
    assert figures[("70", "plan_issued.district_agencies")] == (0, 0)  # the old district's agency ended with it
    assert not [f for f in findings(out) if f["check"] in ("UNKNOWN_ORG_UNIT", "MISSING_UNIT_ROW")]
    # 2025-H1 is built too (its workbook is in the inbox): the old province's figures
    con = duckdb.connect(str(tmp_path / "warehouse.duckdb"), read_only=True)
    try:
        h1 = {
            (code, ind): (a, t)
            for code, ind, a, t in con.execute(
                "select org_unit_code, indicator, achieved, total from main.mart_indicators where period = '2025-H1'"
            ).fetchall()
        }
    finally:
        con.close()
    assert {code for code, _ in h1} == {"60", "601"}
    assert h1[("60", "plan_issued.province_agencies")] == (3, 4)
    assert h1[("60", "plan_issued.district_agencies")] == (0, 1)
