"""The findings' record across builds, as reports read it and as it is kept safe. The table itself,
main.findings_history, is the dbt model dbt_project/models/findings/findings_history.sql (incremental,
never rebuilt): one row per finding ever published, with the builds that first and last found it, how
many found it, and whether the latest build of its period still does.

The warehouse is rebuildable from the inbox, the history is not: after every build a copy is written
beside the warehouse file (`back_up`), and a new or rebuilt warehouse gets it back before dbt runs
(`restore`), so the model goes on from it."""

from __future__ import annotations

import os
from pathlib import Path

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


def back_up(con, path: str | os.PathLike) -> int:
    """Write the table's copy beside the warehouse (Parquet, replaced in one rename). Returns its rows
    (0, and no file written, before the first build)."""
    if not exists(con):
        return 0
    path = Path(path)
    partial = path.with_name(path.name + ".partial")
    con.execute(f"copy (select * from {TABLE} order by finding_key) to '{_sql_path(partial)}' (format parquet)")
    fd = os.open(partial, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(partial, path)
    return con.execute(f"select count(*) from {TABLE}").fetchone()[0]


def restore(con, path: str | os.PathLike) -> int:
    """Into a warehouse without the table (a new or rebuilt one), load the copy kept by back_up.
    Returns the rows restored (0 when the table exists or there is no copy)."""
    if exists(con) or not Path(path).is_file():
        return 0
    con.execute(f"create table {TABLE} as select * from read_parquet('{_sql_path(path)}')")
    return con.execute(f"select count(*) from {TABLE}").fetchone()[0]


def _sql_path(path) -> str:
    return str(path).replace("'", "''")
