"""The findings history's copy beside the warehouse file. The warehouse is rebuildable from the inbox, the
history (dbt model findings_history, incremental) is not: after every build its table is written to a
Parquet file (`back_up`), and a new or rebuilt warehouse reads it back before dbt runs (`restore`), so the
model goes on from it and the review folder's finding ids are known again."""

from __future__ import annotations

import os
from pathlib import Path

from ingestion.warehouse import table_exists

TABLE = "main.findings_history"


def back_up(con, path: str | os.PathLike) -> int:
    """Write the table's copy beside the warehouse (Parquet, replaced in one rename). Returns its rows
    (0, and no file written, before the first build)."""
    if not table_exists(con, "findings_history"):
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
    if table_exists(con, "findings_history") or not Path(path).is_file():
        return 0
    con.execute(f"create table {TABLE} as select * from read_parquet('{_sql_path(path)}')")
    return con.execute(f"select count(*) from {TABLE}").fetchone()[0]


def _sql_path(path) -> str:
    return str(path).replace("'", "''")
