"""A junk workbook must not make hundreds of thousands of findings: per file and check the first findings
(in row order) are listed, then one finding stands for the rest and says how many there are, so the
totals stay exact (mart_dq_findings, dbt var findings_per_file_limit)."""

from __future__ import annotations

import json
import re

import duckdb
import yaml
from build_helpers import build, findings, submission, write_register

from orchestration.dbt import DBT_DIR

P = "2021-H1"
VILLAGE_ROWS, MODEL_ROWS = 1000, 2000  # within the sheets' row limits (catalog/workbook.yaml row_limits)
LIMIT = 100


def test_the_default_limit_is_above_what_a_real_workbook_makes():
    limit = yaml.safe_load((DBT_DIR / "dbt_project.yml").read_text(encoding="utf-8"))["vars"]["findings_per_file_limit"]
    # a commune of 150 villages with both yes/no cells blank: 300 MISSING_VALUE; the seed's 195 province agencies: 390
    assert limit >= 2 * 195


def test_findings_beyond_the_limit_are_summarised_per_file_and_check(tmp_path, monkeypatch):
    monkeypatch.setenv("ANTQ_FINDINGS_PER_FILE_LIMIT", str(LIMIT))
    register = write_register(
        tmp_path / "register",
        [
            ("99", "Tỉnh Thử Nghiệm", "province", ""),
            ("991", "Huyện Một", "district", "99"),
            ("99101", "Xã Một A", "commune", "991"),
            ("99102", "Xã Một B", "commune", "991"),
            ("99101001", "Thôn 1", "village", "99101"),
            ("99102001", "Thôn 1", "village", "99102"),
        ],
        [],
    )
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    # 3,000 rows of junk: villages with an unknown code and a count that is not a number, models of no group
    villages = [
        {
            "village_code": f"X{i:05d}",
            "village_name": "Rác",
            "plan_issued": True,
            "safe_registered": True,
            "households_total": "nhiều",
            "households_registered": 1,
        }
        for i in range(VILLAGE_ROWS)
    ]
    models = [{"model_name": f"Mô hình {i}", "model_group": "9"} for i in range(MODEL_ROWS)]
    submission(
        inbox,
        "rac.xlsx",
        "commune",
        "99101",
        "Xã Một A",
        P,
        commune_steering_plan=True,
        commune_safe=True,
        sheets={"villages": villages, "commune_models": models},
    )
    # a file under the limit is listed whole
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
            "villages": [
                {
                    "village_code": f"Y{i}",
                    "village_name": "Lạ",
                    "plan_issued": True,
                    "safe_registered": True,
                    "households_total": 10,
                    "households_registered": 1,
                }
                for i in range(3)
            ]
        },
    )
    out = build(tmp_path, P, inbox, register)

    found = findings(out)
    expected = {
        "INVALID_VALUE": ("Mô hình", VILLAGE_ROWS + MODEL_ROWS),  # sheets in name order, then rows
        "UNKNOWN_ORG_UNIT": ("Thôn, khu phố", VILLAGE_ROWS),
    }
    for check, (sheet, total) in expected.items():
        mine = [f for f in found if f["check"] == check and f["source_file"] == "rac.xlsx"]
        assert len(mine) == LIMIT + 1, check
        assert {f["sheet"] for f in mine} == {sheet}, check
        rows = [int(f["row"]) for f in mine]
        first = min(rows)
        assert rows == list(range(first, first + LIMIT + 1)), check  # the first ones, in row order
        assert all("phát hiện cùng loại khác" not in f["message"] for f in mine[:-1])
        more = f"{total - LIMIT - 1:,}".replace(",", ".")
        assert mine[-1]["message"].endswith(f"; và {more} phát hiện cùng loại khác trong tệp này (không liệt kê)"), (
            check
        )
    assert len([f for f in found if f["check"] == "UNKNOWN_ORG_UNIT" and f["source_file"] == "x99102.xlsx"]) == 3
    # the file holds about 2 × (LIMIT + 1) findings, not 4,000
    assert len(found) < 3 * (LIMIT + 1) + 20

    # totals stay exact: each listed finding plus the ones it stands for
    con = duckdb.connect(str(tmp_path / "warehouse.duckdb"), read_only=True)
    try:
        totals = dict(
            con.execute(
                """
            select check_code, sum(1 + coalesce(cast(json_extract(params, '$.not_listed') as bigint), 0))
            from main.mart_dq_findings where period = ? and source_file = 'rac.xlsx' group by 1
            """,
                [P],
            ).fetchall()
        )
        not_listed = con.execute(
            "select params from main.mart_dq_findings where source_file = 'rac.xlsx' and params like '%not_listed%'"
        ).fetchall()
    finally:
        con.close()
    assert totals["INVALID_VALUE"] == VILLAGE_ROWS + MODEL_ROWS
    assert totals["UNKNOWN_ORG_UNIT"] == VILLAGE_ROWS
    assert sorted(json.loads(p)["not_listed"] for (p,) in not_listed) == [
        VILLAGE_ROWS - LIMIT - 1,
        VILLAGE_ROWS + MODEL_ROWS - LIMIT - 1,
    ]

    # the auditors' page stays small
    html = (out / "kiem_tra_du_lieu.html").read_text(encoding="utf-8")
    assert len(html) < 2_000_000
    assert len(re.findall("rac.xlsx", html)) < 4 * (LIMIT + 1) + 50
