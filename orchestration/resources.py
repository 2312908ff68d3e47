"""Resources: where the inbox, register and outputs are, and the DuckDB warehouse."""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path

import dagster as dg
import duckdb

from orchestration import defaults, instance, warehouse_health, warehouse_lock
from orchestration.defaults import DEFAULT_OUT, DEFAULT_WAREHOUSE, DEMO_INBOX, DEMO_REGISTER
from orchestration.warehouse_lock import WarehouseLocked


class AntqPaths(dg.ConfigurableResource):
    """Folders the pipeline reads and writes (contract section 7 defaults: the bundled demo)."""

    inbox_dir: str = str(DEMO_INBOX)
    register_dir: str = str(DEMO_REGISTER)
    out_dir: str = str(DEFAULT_OUT)
    office_text_dir: str = ""  # the office's own words per period (reports.office_text); "": nhan_dinh beside the inbox
    reviews_dir: str = ""  # the auditors' filled-in review files (ingestion.reviews); "": ket_luan beside the inbox

    def office_dir(self) -> Path:
        """Where the office's file of each period is read (and created when missing)."""
        return defaults.office_text_folder(self.office_text_dir, self.inbox_dir)

    def review_dir(self) -> Path:
        """Where the auditors put their filled-in copies of kiem_tra_du_lieu.xlsx (read at every build)."""
        return defaults.review_folder(self.reviews_dir, self.inbox_dir)

    def stage_dir(self, period: str, run_id: str) -> Path:
        """Where this run writes the period's files; `period_release` publishes the folder as a whole
        (reports.atomic_folder), so a failed run leaves the published set untouched."""
        from reports import atomic_folder

        return atomic_folder.stage(self.out_dir, period, run_id)

    def public_dir(self, period: str) -> Path:
        """OUT/PERIOD, where people open the published files (what metadata links point at)."""
        return Path(self.out_dir) / period

    def public_path(self, period: str, staged: str | Path) -> str:
        """The path a file written in the period's stage folder has once published (metadata links)."""
        from reports import atomic_folder

        relative = Path(staged).relative_to(atomic_folder.builds_dir(self.out_dir, period)).parts[1:]
        return str(self.public_dir(period).joinpath(*relative))


class Warehouse(dg.ConfigurableResource):
    """The DuckDB file. DuckDB lets one process hold it, so every asset that touches it takes an
    inter-process lock first (Dagster's `warehouse` pool serialises the ops of runs it launches)."""

    path: str = str(DEFAULT_WAREHOUSE)
    lock_timeout_s: float = warehouse_lock.DEFAULT_WAIT_S

    def setup_for_execution(self, context: dg.InitResourceContext) -> None:
        # every run touches the warehouse: the run's event log is made cheap here (orchestration.instance)
        instance.relax_event_log_durability()
        # a damaged file stops the run before any step writes or publishes (orchestration.warehouse_health)
        with self.locked():
            warehouse_health.verify(self.path)

    def beside(self, name: str) -> Path:
        """A file kept next to the warehouse file, named after it (e.g. warehouse.duckdb.findings_history.parquet)."""
        path = Path(self.path)
        return path.with_name(f"{path.name}.{name}")

    @contextmanager
    def locked(self):
        """The step lock (orchestration.warehouse_lock): one step at a time has the file open."""
        with warehouse_lock.step_lock(self.path, self.lock_timeout_s):
            yield

    @contextmanager
    def connect(self, read_only: bool = False):
        """A connection under the lock; closed before the lock is released."""
        with self.locked(), self.open(read_only=read_only) as con:
            yield con

    @contextmanager
    def open(self, read_only: bool = False):
        """A connection for a caller that already holds `locked()` (the lock is not re-entrant)."""
        try:
            con = duckdb.connect(self.path, read_only=read_only)
        except duckdb.IOException as exc:
            raise WarehouseLocked(warehouse_lock.open_failure(self.path, exc)) from exc
        try:
            yield con
        finally:
            con.close()
