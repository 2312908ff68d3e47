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


def latest_build(con, period: str) -> dict:
    """What the latest build recorded for the period did: its run id, and how many findings it found new,
    found again, closed, and left open. A build whose inputs were unchanged is not recorded (dbt's results
    were reused): the run is then an earlier one's. Empty before the first build."""
    if not exists(con):
        return {}
    row = con.execute(
        f"""
        with runs as (
            select last_seen_run as run, last_seen_at as recorded_at from {TABLE} where period = $period
            union all
            select closed_run, closed_at from {TABLE} where period = $period and closed_run is not null
        ),
        latest as (select arg_max(run, recorded_at) as run from runs)
        select
            latest.run,
            count_if(h.is_open and h.first_seen_run = latest.run),
            count_if(h.is_open and h.last_seen_run = latest.run and h.first_seen_run <> latest.run),
            count_if(not h.is_open and h.closed_run = latest.run),
            count_if(h.is_open)
        from {TABLE} as h, latest
        where h.period = $period
        group by latest.run
        """,
        {"period": period},
    ).fetchone()
    if row is None:
        return {}
    return dict(zip(("run", "new", "seen_again", "closed", "open"), row))
