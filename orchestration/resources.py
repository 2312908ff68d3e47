"""Resources: where the inbox, register and outputs are, and the DuckDB warehouse."""
from __future__ import annotations

import os
from contextlib import contextmanager
from pathlib import Path

import dagster as dg
import duckdb

from orchestration import warehouse_lock
from orchestration.defaults import DEFAULT_OUT, DEFAULT_WAREHOUSE, DEMO_INBOX, DEMO_REGISTER
from orchestration.warehouse_lock import WarehouseLocked


class AntqPaths(dg.ConfigurableResource):
    """Folders the pipeline reads and writes (contract section 7 defaults: the bundled demo)."""

    inbox_dir: str = str(DEMO_INBOX)
    register_dir: str = str(DEMO_REGISTER)
    out_dir: str = str(DEFAULT_OUT)

    def period_dir(self, period: str) -> Path:
        path = Path(self.out_dir) / period
        path.mkdir(parents=True, exist_ok=True)
        return path


class Warehouse(dg.ConfigurableResource):
    """The DuckDB file. DuckDB lets one process hold it, so every asset that touches it takes an
    inter-process lock first (Dagster's `warehouse` pool serialises the ops of runs it launches)."""

    path: str = str(DEFAULT_WAREHOUSE)
    lock_timeout_s: float = warehouse_lock.DEFAULT_WAIT_S

    @contextmanager
    def locked(self):
        """The step lock (orchestration.warehouse_lock): one step at a time has the file open."""
        with warehouse_lock.step_lock(self.path, self.lock_timeout_s):
            yield

    @contextmanager
    def connect(self, read_only: bool = False):
        """A connection under the lock; closed before the lock is released."""
        with self.locked():
            try:
                con = duckdb.connect(self.path, read_only=read_only)
            except duckdb.IOException as exc:
                raise WarehouseLocked(warehouse_lock.open_failure(self.path, exc)) from exc
            try:
                yield con
            finally:
                con.close()

    @contextmanager
    def for_subprocess(self):
        """Hold the lock while a child process (dbt) opens the file, and tell it where the file is."""
        with self.locked():
            previous = os.environ.get("ANTQ_WAREHOUSE")
            os.environ["ANTQ_WAREHOUSE"] = str(Path(self.path).resolve())
            try:
                yield
            finally:
                if previous is None:
                    os.environ.pop("ANTQ_WAREHOUSE", None)
                else:
                    os.environ["ANTQ_WAREHOUSE"] = previous
