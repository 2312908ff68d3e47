"""Since 1 July 2025 Vietnam has no district level: communes directly under the province must build."""
from __future__ import annotations

import datetime as dt

from build_helpers import build, findings, indicators, submission, write_register

P = "2025-H2"


def test_two_level_province_builds(tmp_path):
    register = write_register(tmp_path / "register", [
        ("98", "Tỉnh Hai Cấp", "province", ""),
        ("98001", "Phường Một", "commune", "98"),
        ("98002", "Xã Hai", "commune", "98"),
        ("98001001", "Khu phố 1", "village", "98001"),
        ("98002001", "Thôn 1", "village", "98002"),
        ("98002002", "Thôn 2", "village", "98002"),
    ], [
        ("T1", "Sở Một", "co_quan", "province", ""),
    ])
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    created = dt.date(2026, 1, 5)
    submission(inbox, "tinh.xlsx", "province", "98", "Tỉnh Hai Cấp", P, created_on=created, sheets={
        "agencies": [{"agency_code": "T1", "agency_name": "Sở Một", "agency_kind": "co_quan",
                      "plan_issued": True, "safe_registered": True}]})
    submission(inbox, "p1.xlsx", "commune", "98001", "Phường Một", P, created_on=created,
               commune_steering_plan=True, commune_safe=True, sheets={
                   "villages": [{"village_code": "98001001", "village_name": "Khu phố 1", "plan_issued": True,
                                 "safe_registered": True, "households_total": 300, "households_registered": 280}],
                   "commune_models": [{"model_name": "Camera an ninh", "model_group": "6"}]})
    submission(inbox, "x2.xlsx", "commune", "98002", "Xã Hai", P, created_on=created,
               commune_steering_plan=False, commune_safe=True, sheets={
                   "villages": [{"village_code": "98002001", "village_name": "Thôn 1", "plan_issued": False,
                                 "safe_registered": True, "households_total": 120, "households_registered": 100},
                                {"village_code": "98002002", "village_name": "Thôn 2", "plan_issued": True,
                                 "safe_registered": False, "households_total": 80, "households_registered": 0}]})
    out = build(tmp_path, P, inbox, register)
    figures = indicators(out)
    assert {code for code, _ in figures} == {"98"}   # no district rows in a two-level province
    assert figures[("98", "plan_issued.district_steering_committees")] == (0, 0)
    assert figures[("98", "plan_issued.commune_steering_committees")] == (1, 2)
    assert figures[("98", "plan_issued.village_boards")] == (2, 3)
    assert figures[("98", "safe_registered.communes")] == (2, 2)
    assert figures[("98", "safe_registered.households")] == (380, 500)
    assert figures[("98", "models.communes_covered")] == (1, 2)
    assert figures[("98", "plan_issued.province_agencies")] == (1, 1)
    assert not [f for f in findings(out) if f["severity"] in ("error", "warning")]
