"""The rows each suite validates, read from the DuckDB warehouse as pandas frames.

A table with a `period` column (stg_files) gives the period's files and the files of no readable period;
a table with `source_file` gives the rows of the period's files; any other table (the register) is read
whole."""

from __future__ import annotations

import re

import pandas as pd

_IDENTIFIER = re.compile(r"^[a-z_][a-z0-9_]*$")


def _columns(con, table: str) -> set[str]:
    rows = con.execute(
        "select column_name from information_schema.columns where table_schema = 'main' and table_name = ?",
        [table],
    ).fetchall()
    if not rows:
        raise LookupError(f"main.{table} is not in the warehouse: build the dbt models first")
    return {r[0] for r in rows}


def period_frames(con, period: str, tables: list[str]) -> dict[str, pd.DataFrame]:
    frames = {}
    for table in tables:
        if not _IDENTIFIER.match(table):
            raise ValueError(f"not a table name: {table!r}")
        columns = _columns(con, table)
        if "period" in columns:
            sql, params = f"select * from main.{table} where period = ? or period is null", [period]
        elif "source_file" in columns:
            sql = (
                f"select * from main.{table} where source_file in "
                "(select source_file from main.stg_files where period = ?)"
            )
            params = [period]
        else:
            sql, params = f"select * from main.{table}", []
        frames[table] = con.execute(sql + " order by all", params).df()
    return frames
