"""The period a workbook's cover names, read cheaply and without the warehouse: for the inbox sensor,
which must not open DuckDB (a run may hold it) and must not parse whole workbooks on every tick.

The same gate and the same cover reading as a build (ingestion.safety, then ingestion.workbook's
cover parser): a file the build would reject before or at its cover gives None here too.
"""
from __future__ import annotations

import os
from pathlib import Path

from python_calamine import CalamineWorkbook

from ingestion.inbox import _walk
from ingestion.normalize import text_key
from ingestion.safety import unsafe_reason
from ingestion.workbook import ParsedFile, _catalogue, _read_cover


def read_period(path: str | os.PathLike) -> str | None:
    """The canonical period key ("2021-H1") of the workbook's cover, or None when the file is unsafe,
    unreadable, has no cover sheet, or its cover lacks a valid level, code or period."""
    path = Path(path)
    try:
        if unsafe_reason(path):
            return None
        parsed = ParsedFile(path.name, None)
        wb = CalamineWorkbook.from_path(str(path))
        try:
            cover_key = _catalogue().cover_key
            name = next((n for n in wb.sheet_names if text_key(n) == cover_key), None)  # first match, as the parser
            if name is None:
                return None
            rows = wb.get_sheet_by_name(name).to_python(skip_empty_area=False)
            level = _read_cover(rows, name, parsed)
        finally:
            wb.close()
    except Exception:  # noqa: BLE001 - whatever the file does, the answer is "no readable period"
        return None
    return parsed.cover.get("period") if level is not None else None


def inbox_fingerprints(inbox_dir: str | os.PathLike) -> dict[str, str]:
    """{path relative to the inbox: SHA-256} of the inbox's regular files, walked as ingestion walks it.
    Files ingestion rejects without reading (Excel's ~$ lock files, symlinks) are left out."""
    return {e.source_file: e.sha256 for e in _walk(Path(inbox_dir))
            if e.sha256 is not None and e.rejection is None}
