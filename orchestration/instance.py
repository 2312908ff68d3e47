"""The Dagster instance of a warehouse, and its event log made cheap to write.

One instance per warehouse: the runs of a warehouse are kept beside it, in `WAREHOUSE.dagster_home/`
(var/warehouse.duckdb -> var/warehouse.duckdb.dagster_home/), so the UI of one warehouse never shows a
partition materialised by a build of another. A DAGSTER_HOME set by the user wins. The instance's
settings (pools, run queue, telemetry off) are the project's, dagster_home/dagster.yaml, copied into a
new instance. Plain Python: `antq build` finds the instance before it imports Dagster, and `make ui`
asks for the default warehouse's (`python -m orchestration.instance`).

The event log:

Dagster's SQLite event log opens a connection for every event and commits it with SQLite's default
`synchronous=FULL`, and the last connection to close checkpoints its WAL with an fsync: about 7 ms an
event on these machines, and a build writes some 850 (every dbt model and test is an asset event
twice, in the run's file and in the asset index). With `synchronous=OFF` an event costs a fraction of
a millisecond. What is given up is only the run history's durability against a power cut or an
operating-system crash (a killed process loses nothing committed); the warehouse and the published
files do not live there. Called by `antq build` and when a run's resources start (runs launched from
the UI, the schedule or the sensor)."""

from __future__ import annotations

import os
import shutil
import sqlite3
import sys
from collections.abc import Mapping
from pathlib import Path

from orchestration.defaults import DEFAULT_WAREHOUSE, REPO

PROJECT_SETTINGS = REPO / "dagster_home" / "dagster.yaml"  # pools, run queue, telemetry off
HOME_SUFFIX = ".dagster_home"


def home_beside(warehouse: str | os.PathLike) -> Path:
    """The instance folder kept beside the warehouse file: WAREHOUSE.dagster_home."""
    path = Path(warehouse).resolve()
    return path.with_name(path.name + HOME_SUFFIX)


def home_for(warehouse: str | os.PathLike, environ: Mapping[str, str] = os.environ) -> tuple[Path, bool]:
    """(the Dagster instance folder of runs on `warehouse`, whether DAGSTER_HOME chose it). An explicit
    DAGSTER_HOME wins (the tests' throwaway instance, or a user's own); else the folder beside it."""
    explicit = environ.get("DAGSTER_HOME", "").strip()
    if explicit:
        return Path(explicit), True
    return home_beside(warehouse), False


def ensure_home(home: Path) -> Path:
    """Create the instance folder, with the project's settings when it has none (an existing
    dagster.yaml, the user's or an earlier copy, is left as it is); return it."""
    home.mkdir(parents=True, exist_ok=True)
    settings = home / "dagster.yaml"
    if not settings.exists():
        shutil.copyfile(PROJECT_SETTINGS, settings)
    return home


_registered = False


def relax_event_log_durability() -> None:
    """Every SQLite connection that SQLAlchemy opens in this process from now on skips fsync."""
    global _registered
    if _registered:
        return
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    @event.listens_for(Engine, "connect")
    def _no_fsync(dbapi_connection, _record) -> None:
        if isinstance(dbapi_connection, sqlite3.Connection):
            dbapi_connection.execute("PRAGMA synchronous=OFF")

    _registered = True


def main(argv: list[str] | None = None) -> int:
    """`python -m orchestration.instance [WAREHOUSE]`: prepare the instance of WAREHOUSE (default the
    bundled var/warehouse.duckdb), or DAGSTER_HOME when set, and print its folder (`make ui`)."""
    args = sys.argv[1:] if argv is None else argv
    home, _ = home_for(args[0] if args else DEFAULT_WAREHOUSE)
    print(ensure_home(home))
    return 0


if __name__ == "__main__":
    sys.exit(main())
