"""The findings' record across builds, as the auditors' files read it. The table, main.findings_history,
is the dbt model dbt_project/models/findings/findings_history.sql (incremental, never rebuilt): one row per
finding ever published, with the builds that first and last found it, how many found it, and whether the
latest build of its period still does. Its copy beside the warehouse: ingestion/history_copy.py."""

from __future__ import annotations

from ingestion.warehouse import rows_as_dicts, table_exists

TABLE = "main.findings_history"


def exists(con) -> bool:
    return table_exists(con, "findings_history")


def history(con, period: str) -> dict[str, dict]:
    """finding_key -> its history row, for the period (none before the first build)."""
    if not exists(con):
        return {}
    cur = con.execute(f"select * from {TABLE} where period = ?", [period])
    return {row["finding_key"]: row for row in rows_as_dicts(cur)}
