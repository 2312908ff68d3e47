"""dbt's unit tests (`unit_tests:` in dbt_project/models/**/_*.yml): the findings history's bookkeeping (a
build adds, counts again, reopens and closes findings of its own period only), the finding keys that
reviewers' workbooks already carry, and a commune code re-mapped twice followed to its end across the
reform. They check SQL, not data, so `antq build` leaves them out; here they
run against a copy of the demo's warehouse, whose tables give dbt the input columns."""

from __future__ import annotations

import json
import os
import shutil
import subprocess

from orchestration.dbt import DBT_DIR, DBT_EXECUTABLE


def test_dbt_unit_tests_pass(demo_build, tmp_path):
    shutil.copy2(demo_build["warehouse"], tmp_path / "warehouse.duckdb")
    done = subprocess.run(
        [
            DBT_EXECUTABLE,
            "test",
            "--select",
            "test_type:unit",
            "--project-dir",
            str(DBT_DIR),
            "--profiles-dir",
            str(DBT_DIR),
            "--target-path",
            str(tmp_path / "target"),
            "--log-level-file",
            "none",
        ],
        cwd=tmp_path,
        env={
            **os.environ,
            "ANTQ_PERIOD": "2021-H1",
            "ANTQ_WAREHOUSE": "warehouse.duckdb",
            "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        },
        capture_output=True,
        text=True,
    )
    results = json.loads((tmp_path / "target" / "run_results.json").read_text(encoding="utf-8"))["results"]
    statuses = {r["unique_id"].split(".")[-1]: r["status"] for r in results}
    assert statuses == {
        "findings_history_records_a_build": "pass",
        "mart_dq_findings_keys": "pass",
        "int_commune_moves_follows_a_chain": "pass",
    }, done.stdout[-3000:]
    assert done.returncode == 0
