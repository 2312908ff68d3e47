"""Is the DuckDB warehouse whole? And the way out when it is not.

A warehouse file cut short (a full disk, a copy interrupted, a crash of the machine during a checkpoint)
opens without complaint and fails only when a damaged block is read, which may be late in a build. So
every run reads every table once before it writes anything (`verify`, a fraction of a second for a
province), and a damaged file stops the run with a Vietnamese reason and the way out: the warehouse is
rebuildable from the inbox and the register, which `antq build --rebuild-warehouse` does after moving the
damaged file aside (`set_aside`). What only the warehouse knows, the findings history, is kept beside it
after every build and restored into a new warehouse (ingestion.history_copy).

Plain Python: the CLI uses it before importing Dagster.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import duckdb


class WarehouseDamaged(RuntimeError):
    """The warehouse file cannot be read whole; the message is one line, in Vietnamese."""


def damaged_message(warehouse: str | os.PathLike, exc: BaseException) -> str:
    first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
    return (
        f"kho dữ liệu {warehouse} bị hỏng ({first}); chưa công bố gì, bộ tệp đã công bố giữ nguyên. "
        "Kho được dựng lại từ hộp thư và danh mục: chạy lại lệnh với --rebuild-warehouse "
        "(tệp hỏng được giữ lại bên cạnh, lịch sử phát hiện được khôi phục)"
    )


def verify(warehouse: str | os.PathLike) -> int:
    """Read every table of the file once; return how many there are. Raise WarehouseDamaged when a block
    cannot be read. A missing file is whole (it will be created)."""
    path = Path(warehouse)
    if not path.exists():
        return 0
    try:
        con = duckdb.connect(str(path), read_only=True)
    except duckdb.IOException as exc:
        if "lock" in str(exc).lower():
            raise  # held by another process: not damage (warehouse_lock reports it)
        raise WarehouseDamaged(damaged_message(path, exc)) from exc
    except duckdb.Error as exc:
        raise WarehouseDamaged(damaged_message(path, exc)) from exc
    try:
        tables = con.execute(
            "select schema_name, table_name from duckdb_tables() "
            "where database_name = current_database() and not temporary"
        ).fetchall()
        for schema, table in tables:
            # hash(t) reads every column of every row: each block is read, and checksummed by DuckDB
            con.execute(f'select count(*), sum(hash(t)) from "{schema}"."{table}" as t').fetchone()
        return len(tables)
    except duckdb.Error as exc:
        raise WarehouseDamaged(damaged_message(path, exc)) from exc
    finally:
        con.close()


def set_aside(warehouse: str | os.PathLike, now: dt.datetime | None = None) -> Path | None:
    """Move the warehouse file (and its write-ahead log) aside, named with the time; return the new name
    of the file, or None when there was none. Nothing is deleted."""
    path = Path(warehouse)
    if not path.exists():
        return None
    stamp = (now or dt.datetime.now()).strftime("%Y%m%d-%H%M%S")
    target = path.with_name(f"{path.name}.hong-{stamp}")
    os.rename(path, target)
    wal = path.with_name(path.name + ".wal")
    if wal.exists():
        os.rename(wal, target.with_name(target.name + ".wal"))
    return target
