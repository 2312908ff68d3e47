"""The same inputs publish the same bytes: every ORDER BY behind a published table is a total order, so two
findings on one row (two bad cells, two blank ones) come out in the same order in a cold build, another
cold build and a warm one, whatever the physical order of the marts."""

from __future__ import annotations

import json
import shutil

import duckdb
import pytest
from build_helpers import build, submission, village, write_register

from reports import published

P = "2021-H1"
ORG_UNITS = [
    ("99", "Tỉnh Thử Nghiệm", "province", ""),
    ("991", "Huyện Một", "district", "99"),
    ("99101", "Xã Một A", "commune", "991"),
    ("99101001", "Thôn 1", "village", "99101"),
    ("99101002", "Thôn 2", "village", "99101"),
    ("99101003", "Thôn 3", "village", "99101"),
]


def _inbox(folder):
    folder.mkdir()
    submission(
        folder,
        "x99101.xlsx",
        "commune",
        "99101",
        "Xã Một A",
        P,
        commune_steering_plan=True,
        commune_safe=True,
        sheets={
            "villages": [
                village("99101001", "Thôn 1", None, None, 100, 50),  # two blank yes/no cells
                village("99101002", "Thôn 2", True, True, "abc", "xyz"),  # two bad counts
                village("99101002", "Thôn 2", True, True, "abc", "abc"),  # ... and a duplicate row
                village("99101003", "Thôn 3", None, True, "?", "?"),  # three findings on one row
            ]
        },
    )
    return folder


@pytest.fixture(scope="module")
def builds(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("total_order")
    register = write_register(tmp / "register", ORG_UNITS, [])
    inbox = _inbox(tmp / "inbox")
    cold_a = build(tmp / "a", P, inbox, register)
    first = (cold_a / "dq_findings.csv").read_bytes()
    warm_a = build(tmp / "a", P, inbox, register)  # the first warehouse again
    return {
        "tmp": tmp,
        "cold_a": first,
        "warm_a": (warm_a / "dq_findings.csv").read_bytes(),
        "warehouse": tmp / "a" / "warehouse.duckdb",
    }


def test_cold_and_warm_builds_publish_the_same_findings_bytes(builds):
    text = builds["cold_a"].decode("utf-8")
    assert text.count("DUPLICATE_UNIT_ROW") == 1
    assert text.count("INVALID_VALUE") == 6 and text.count("MISSING_VALUE") == 3  # ties on the old order
    # another fresh warehouse stores the mart in another physical order at most: that case is
    # test_published_order_does_not_depend_on_the_marts_physical_order below, without a third build
    assert builds["warm_a"] == builds["cold_a"]


def test_published_order_does_not_depend_on_the_marts_physical_order(builds, tmp_path):
    copy = tmp_path / "warehouse.duckdb"
    shutil.copy2(builds["warehouse"], copy)
    con = duckdb.connect(str(copy))
    try:
        con.execute("set threads = 1")
        expected = published.findings(con, P)
        # the mart is stored in the published order already (its own ORDER BY is the same total order)
        stored = [
            r[0] for r in con.execute("select params from main.mart_dq_findings where period = ?", [P]).fetchall()
        ]
        assert stored == [f["params"] for f in expected]
        for seed in (0.1, 0.5, 0.9):
            con.execute(f"select setseed({seed})")
            con.execute(
                "create or replace table main.mart_dq_findings as select * from main.mart_dq_findings order by random()"
            )
            again = published.findings(con, P)
            assert again == expected  # finding_key included: the mart stores it
    finally:
        con.close()


def _finding(check, row, column, value, severity="error", **extra):
    return {
        "period": P,
        "check_code": check,
        "severity": severity,
        "org_unit_code": "99101002",
        "source_file": "x.xlsx",
        "sheet_name": "Thôn, khu phố",
        "row_number": row,
        "value_raw": value,
        "params": json.dumps({"column": column, "value": value, "reason": "r", **extra}, ensure_ascii=False),
        "district_code": "991",
        "commune_code": "99101",
    }


def test_two_findings_on_one_row_have_one_order():
    """Without a build: findings equal on every column the order used to name, in every physical order."""
    rows = [
        _finding("INVALID_VALUE", 3, "Tổng số hộ", "abc"),
        _finding("INVALID_VALUE", 3, "Số hộ đăng ký", "abc"),  # same value: only params differ
        _finding("MISSING_VALUE", 3, "Ban hành kế hoạch", "", "warning"),
        _finding("MISSING_VALUE", 3, "Đăng ký An toàn về ANTT", "", "warning"),
        _finding("INVALID_VALUE", 4, "Tổng số hộ", "x"),
        _finding("INVALID_VALUE", 4, "Tổng số hộ", "x", not_listed=7),  # the one standing for more
    ]
    con = duckdb.connect()
    try:
        con.execute("create schema if not exists main")
        con.execute(
            "create table base (period varchar, check_code varchar, severity varchar, org_unit_code varchar, "
            "source_file varchar, sheet_name varchar, row_number integer, value_raw varchar, "
            "params varchar, district_code varchar, commune_code varchar, finding_key varchar)"
        )
        con.executemany(
            "insert into base values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [[*r.values(), f"key{n}"] for n, r in enumerate(rows)],
        )
        orders = set()
        for seed in (0.0, 0.2, 0.4, 0.6, 0.8):
            con.execute(f"select setseed({seed})")
            con.execute("create or replace table main.mart_dq_findings as select * from base order by random()")
            found = published.findings(con, P)
            orders.add(tuple((f["check_code"], f["row_number"], f["params"]) for f in found))
            assert [f["check_code"] for f in found] == ["INVALID_VALUE"] * 4 + ["MISSING_VALUE"] * 2
            summary = [f for f in found if f["not_listed"]]
            assert len(summary) == 1 and summary[0]["not_listed"] == 7 and summary[0]["row_number"] == 4
            assert summary[0]["message"].endswith("; và 7 phát hiện cùng loại khác trong tệp này (không liệt kê)")
            assert sum(1 + f["not_listed"] for f in found) == 13
        assert len(orders) == 1
    finally:
        con.close()
