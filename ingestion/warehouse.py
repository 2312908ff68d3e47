"""Writes rows into the raw tables of the DuckDB warehouse: creates the tables (ingestion.schema),
turns plain Python row dicts into one Arrow table per raw table and inserts it in a single statement.
Also the one way every module reads query results as dicts (`rows_as_dicts`)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from operator import itemgetter

import pyarrow as pa

from ingestion.schema import SCHEMA, create_sql, submission_tables, tables

_ARROW_TYPES = {
    "VARCHAR": pa.string(),
    "BOOLEAN": pa.bool_(),
    "BIGINT": pa.int64(),
    "INTEGER": pa.int32(),
    "DATE": pa.date32(),
    "TIMESTAMP": pa.timestamp("us"),
}


def rows_as_dicts(cur) -> list[dict]:
    """The rows of an executed DuckDB cursor as dicts keyed by column name."""
    names = [d[0] for d in cur.description]
    return [dict(zip(names, row)) for row in cur.fetchall()]


def table_exists(con, name: str, schema: str = "main") -> bool:
    """Whether the warehouse has the table (or view) `schema.name` (a model of an earlier build, say)."""
    return bool(
        con.execute(
            "select count(*) from information_schema.tables where table_schema = ? and table_name = ?", [schema, name]
        ).fetchone()[0]
    )


def ensure_raw_tables(con) -> None:
    """Create schema `raw` and every raw table that does not exist yet.

    A table whose columns no longer match the catalogue is dropped and created again; if it is a
    submission table, all of them are (raw.files included), so every inbox file is parsed again."""
    con.execute(f"CREATE SCHEMA IF NOT EXISTS {SCHEMA}")
    existing: dict[str, list[tuple[str, str]]] = {}
    for table, column, sql_type in con.execute(
        "SELECT table_name, column_name, data_type FROM information_schema.columns "
        "WHERE table_schema = ? ORDER BY table_name, ordinal_position",
        [SCHEMA],
    ).fetchall():
        existing.setdefault(table, []).append((column, sql_type))
    stale = {t for t, cols in tables().items() if t in existing and existing[t] != cols}
    if stale & set(submission_tables()):
        stale |= set(submission_tables())
    for table in sorted(stale):
        con.execute(f"DROP TABLE IF EXISTS {SCHEMA}.{table}")
    for table in tables():
        con.execute(create_sql(table))


def arrow_table(table: str, rows: list[dict]) -> pa.Table:
    """The rows of raw `table` as one Arrow table with the warehouse's column types.
    A key missing from a row dict is NULL."""
    cols = tables()[table]
    names = [name for name, _ in cols]
    try:
        values = list(map(itemgetter(*names), rows))  # the common case, at C speed
    except KeyError:
        values = [tuple(row.get(name) for name in names) for row in rows]
    columns = list(zip(*values)) if values else [()] * len(names)
    schema = pa.schema([(name, _ARROW_TYPES[sql_type]) for name, sql_type in cols])
    arrays = [pa.array(column, type=field.type) for column, field in zip(columns, schema)]
    return pa.Table.from_arrays(arrays, schema=schema)


def insert_rows(con, table: str, rows: list[dict]) -> int:
    """Append `rows` to raw `table` (see insert_arrow)."""
    return insert_arrow(con, table, arrow_table(table, rows)) if rows else 0


def insert_arrow(con, table: str, rows: pa.Table) -> int:
    """Append an Arrow table to raw `table` with one INSERT ... SELECT, matching columns by name."""
    with registered(con, f"_antq_new_{table}", rows) as view:
        con.execute(f"INSERT INTO {SCHEMA}.{table} BY NAME SELECT * FROM {view}")
    return rows.num_rows


@contextmanager
def registered(con, name: str, table: pa.Table, *, transaction: bool = False) -> Iterator[str]:
    """`table` readable in SQL as `name` for the block (then unregistered). With `transaction`, the block
    is one transaction: committed when it ends, rolled back when it raises."""
    con.register(name, table)
    try:
        if not transaction:
            yield name
            return
        con.execute("begin transaction")
        try:
            yield name
        except BaseException:
            con.execute("rollback")
            raise
        con.execute("commit")
    finally:
        con.unregister(name)


def delete_source_files(con, table: str, source_files: list[str]) -> None:
    """Remove from raw `table` every row that came from one of `source_files`."""
    if not source_files:
        return
    stale = pa.table({"source_file": pa.array(source_files, pa.string())})
    with registered(con, "_antq_stale_files", stale) as view:
        con.execute(f"DELETE FROM {SCHEMA}.{table} WHERE source_file IN (SELECT source_file FROM {view})")
