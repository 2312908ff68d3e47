"""The findings' record across builds: warehouse table main.findings_history, one row per finding ever
seen, with when (and in which run) it was first and last seen and whether the latest build of its period
still finds it. dbt rebuilds the marts on every build; this table is written by Python only, so it keeps
what the marts forget.

A finding's key is a hash of what identifies it: period, check, unit, file, sheet, Excel row and the value
found (a corrected value is a new finding, and the old one is closed). Identical findings are told apart by
their order of occurrence."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from pathlib import Path

import pyarrow as pa

from ingestion.warehouse import registered, rows_as_dicts

TABLE = "main.findings_history"
KEY_FIELDS = ("period", "check_code", "org_unit_code", "source_file", "sheet_name", "row_number", "value_raw")

_DDL = f"""
create table if not exists {TABLE} (
    finding_key     varchar primary key,
    period          varchar not null,
    check_code      varchar not null,
    severity        varchar,
    org_unit_code   varchar,
    source_file     varchar,
    sheet_name      varchar,
    row_number      integer,
    value_raw       varchar,
    message         varchar,
    first_seen_at   timestamp not null,
    first_seen_run  varchar,
    last_seen_at    timestamp not null,
    last_seen_run   varchar,
    times_seen      integer not null,
    is_open         boolean not null,
    closed_at       timestamp,
    closed_run      varchar
)
"""


def finding_keys(rows: list[dict]) -> list[str]:
    """The stable key of each finding, in order."""
    seen: dict[str, int] = {}
    keys = []
    for row in rows:
        text = "\x1f".join("" if row.get(f) is None else str(row.get(f)) for f in KEY_FIELDS)
        occurrence = seen.get(text, 0)
        seen[text] = occurrence + 1
        keys.append(hashlib.sha256(f"{text}\x1e{occurrence}".encode()).hexdigest()[:32])
    return keys


def ensure_table(con) -> None:
    con.execute(_DDL)


def record_build(con, period: str, rows: list[dict], run_id: str, at: dt.datetime | None = None) -> dict:
    """Record the findings of one build of `period` (rows as reports.published.findings gives them).

    New findings are added; findings seen again get last_seen (and reopen if they had been closed);
    open findings of the period that this build no longer finds are closed. Returns the counts."""
    at = at or dt.datetime.now().replace(microsecond=0)
    ensure_table(con)
    current = pa.table(
        {
            "finding_key": pa.array(finding_keys(rows), type=pa.string()),
            **{
                f: pa.array([r[f] for r in rows], type=pa.string())
                for f in (
                    "period",
                    "check_code",
                    "severity",
                    "org_unit_code",
                    "source_file",
                    "sheet_name",
                    "value_raw",
                    "message",
                )
            },
            "row_number": pa.array([r["row_number"] for r in rows], type=pa.int32()),
        }
    )
    with registered(con, "_antq_current_findings", current, transaction=True) as view:
        ((seen_again, reopened),) = con.execute(
            f"""select coalesce(count_if(h.is_open), 0), coalesce(count_if(not h.is_open), 0)
                from {view} as c join {TABLE} as h using (finding_key)"""
        ).fetchall()
        ((closed,),) = con.execute(
            f"""select count(*) from {TABLE} as h
                where h.period = ? and h.is_open and h.finding_key not in (select finding_key from {view})""",
            [period],
        ).fetchall()
        con.execute(
            f"""update {TABLE} as h
                set last_seen_at = $at, last_seen_run = $run, times_seen = h.times_seen + 1, is_open = true,
                    closed_at = null, closed_run = null, severity = c.severity, message = c.message
                from {view} as c where c.finding_key = h.finding_key""",
            {"at": at, "run": run_id},
        )
        con.execute(
            f"""update {TABLE} set is_open = false, closed_at = $at, closed_run = $run
                where period = $period and is_open and finding_key not in (select finding_key from {view})""",
            {"at": at, "run": run_id, "period": period},
        )
        new = con.execute(
            f"""insert into {TABLE}
                select c.finding_key, c.period, c.check_code, c.severity, c.org_unit_code, c.source_file,
                       c.sheet_name, c.row_number, c.value_raw, c.message, $at, $run, $at, $run, 1, true, null, null
                from {view} as c
                where c.finding_key not in (select finding_key from {TABLE})""",
            {"at": at, "run": run_id},
        ).fetchone()[0]
    return {"open": len(rows), "new": new, "seen_again": seen_again, "reopened": reopened, "closed": closed}


def record_period(con, period: str, run_id: str, backup: str | os.PathLike) -> dict:
    """One build's step: restore the table from its copy when the warehouse lacks it (a new or rebuilt
    warehouse), record the period's published findings (reports.published), keep the copy up to date.
    Returns the counts of record_build, `restored_from_backup` and the table's `rows`."""
    from reports import published

    restored = restore(con, backup)
    counts = record_build(con, period, published.findings(con, period), run_id)
    (rows,) = con.execute(f"select count(*) from {TABLE}").fetchone()
    back_up(con, backup)
    return {**counts, "restored_from_backup": restored, "rows": rows}


def history(con, period: str) -> dict[str, dict]:
    """finding_key -> its history row, for the period (none before the first record_build)."""
    exists = con.execute(
        "select count(*) from information_schema.tables where table_schema = 'main' and table_name = 'findings_history'"
    ).fetchone()[0]
    if not exists:
        return {}
    cur = con.execute(f"select * from {TABLE} where period = ?", [period])
    return {row["finding_key"]: row for row in rows_as_dicts(cur)}


def back_up(con, path: str | os.PathLike) -> None:
    """Keep a copy of the table beside the warehouse (Parquet, replaced in one rename): the warehouse is
    rebuildable from the inbox, the history is not."""
    path = Path(path)
    partial = path.with_name(path.name + ".partial")
    ensure_table(con)
    con.execute(f"copy (select * from {TABLE} order by finding_key) to '{_sql_path(partial)}' (format parquet)")
    fd = os.open(partial, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(partial, path)


def restore(con, path: str | os.PathLike) -> int:
    """Into a warehouse without the table (a new or rebuilt one), load the copy kept by back_up.
    Returns the rows restored (0 when the table exists or there is no copy)."""
    exists = con.execute(
        "select count(*) from information_schema.tables where table_schema = 'main' and table_name = 'findings_history'"
    ).fetchone()[0]
    if exists or not Path(path).is_file():
        return 0
    ensure_table(con)
    con.execute(f"insert into {TABLE} select * from read_parquet('{_sql_path(path)}')")
    return con.execute(f"select count(*) from {TABLE}").fetchone()[0]


def _sql_path(path) -> str:
    return str(path).replace("'", "''")
