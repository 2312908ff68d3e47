"""The period a workbook's cover names, read cheaply and without the warehouse: for the inbox sensor,
which must not open DuckDB (a run may hold it) and must not parse whole workbooks on every tick.

The same gate and the same cover reading as a build (ingestion.safety, then ingestion.workbook's
cover parser): a file the build would reject before or at its cover gives None here too.
"""

from __future__ import annotations

import os
from pathlib import Path

from ingestion.inbox import real_path, walk
from ingestion.workbook import parse_cover


def read_period(path: str | os.PathLike) -> str | None:
    """The canonical period key ("2021-H1") the workbook's cover names, or None when the file is unsafe,
    unreadable or its cover has no valid period. A cover with a period but no valid level or code still
    names its period: the build of that period reports it (INVALID_COVER). `path` may be the inbox
    joined with a key of inbox_fingerprints: a name that is not UTF-8 is found by its real bytes."""
    path = real_path(path)
    return parse_cover(path, path.name).cover.get("period")


def inbox_fingerprints(inbox_dir: str | os.PathLike) -> dict[str, str]:
    """{path relative to the inbox: SHA-256} of the inbox's regular files, walked as ingestion walks it.
    Files ingestion rejects without reading (Excel's ~$ lock files, symlinks) are left out. The keys are
    the files' source_file, valid UTF-8 even for a name that is not (ingestion.inbox.source_name)."""
    return {e.source_file: e.sha256 for e in walk(Path(inbox_dir)) if e.sha256 is not None and e.rejection is None}
