"""Who may open the DuckDB warehouse, and how long to wait for it.

DuckDB lets one process hold the file (even a read-only reader excludes a writer), so antq takes
inter-process file locks beside it:

- the step lock `FILE.lock`: held by every asset step while it has the file open (the Warehouse
  resource), by dbt's subprocess through its parent, and by `antq build` while it reads its summary.
  Runs launched from the UI, the schedule or the sensor wait for each other on it.
- the build lock `FILE.build.lock`: held by `antq build` from before its run starts until it has
  printed its summary, so two builds on one warehouse run one after the other instead of taking
  turns step by step (each build's summary reads the marts its own run wrote).

They are two files because a file lock is not re-entrant across lock objects: the steps of a CLI build
run inside the CLI's process and take the step lock while the CLI holds the build lock.

Anything that is not antq (a notebook, the duckdb shell, a BI tool) takes neither lock:
`ensure_not_held_elsewhere` finds such a holder by opening the file, which DuckDB refuses at once, so
the CLI fails fast instead of waiting. Plain Python: the CLI checks this before importing Dagster.
"""

from __future__ import annotations

import re
from contextlib import contextmanager
from pathlib import Path

import duckdb
from filelock import FileLock, Timeout

DEFAULT_WAIT_S = 600.0
_HOLDER_PID = re.compile(r"\(PID (\d+)\)")


class WarehouseLocked(RuntimeError):
    """The warehouse is held by another process; the message is one line, in Vietnamese."""


@contextmanager
def _held(lock_path: Path, wait_s: float, busy: str):
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(lock_path))
    try:
        lock.acquire(timeout=wait_s)
    except Timeout as exc:
        raise WarehouseLocked(f"{busy} (đã chờ {wait_s:.0f} s)") from exc
    try:
        yield
    finally:
        lock.release()


def step_lock(warehouse: str | Path, wait_s: float = DEFAULT_WAIT_S):
    """Held while one step (or the CLI's summary) has the DuckDB file open."""
    return _held(Path(f"{warehouse}.lock"), wait_s, f"kho dữ liệu {warehouse} đang được một lần chạy antq khác sử dụng")


def build_lock(warehouse: str | Path, wait_s: float = DEFAULT_WAIT_S):
    """Held by `antq build` for its whole run."""
    return _held(
        Path(f"{warehouse}.build.lock"), wait_s, f"kho dữ liệu {warehouse} đang được một lệnh antq build khác sử dụng"
    )


def open_failure(warehouse: str | Path, exc: duckdb.Error) -> str:
    """One line saying why DuckDB would not open the file, naming the holder's PID when it is known."""
    text = str(exc)
    holder = _HOLDER_PID.search(text)
    if holder:
        return (
            f"kho dữ liệu {warehouse} đang bị một tiến trình khác giữ (PID {holder.group(1)}); "
            "hãy đóng tiến trình đó rồi chạy lại"
        )
    first = text.strip().splitlines()[0] if text.strip() else type(exc).__name__
    return f"không mở được kho dữ liệu {warehouse}: {first}"


def ensure_not_held_elsewhere(warehouse: str | Path) -> None:
    """Raise WarehouseLocked at once when a process outside antq holds the file. Call it under the
    step lock, so that an antq step which has the file open is waited for, not reported."""
    if not Path(warehouse).exists():
        return
    try:
        con = duckdb.connect(str(warehouse))  # read-write: conflicts with any holder, reader or writer
    except duckdb.Error as exc:
        if _HOLDER_PID.search(str(exc)) or "lock" in str(exc).lower():
            raise WarehouseLocked(open_failure(warehouse, exc)) from exc
        from orchestration.warehouse_health import WarehouseDamaged, damaged_message

        raise WarehouseDamaged(damaged_message(warehouse, exc)) from exc
    con.close()
