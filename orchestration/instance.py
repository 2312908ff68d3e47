"""The Dagster instance's event log, made cheap to write.

Dagster's SQLite event log opens a connection for every event and commits it with SQLite's default
`synchronous=FULL`, and the last connection to close checkpoints its WAL with an fsync: about 7 ms an
event on these machines, and a build writes some 850 (every dbt model and test is an asset event
twice, in the run's file and in the asset index). With `synchronous=OFF` an event costs a fraction of
a millisecond. What is given up is only the run history's durability against a power cut or an
operating-system crash (a killed process loses nothing committed); the warehouse and the published
files do not live there. Called by `antq build` and when a run's resources start (runs launched from
the UI, the schedule or the sensor)."""
from __future__ import annotations

import sqlite3

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
