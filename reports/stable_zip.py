"""Office files (docx, xlsx) are zip archives whose members carry the time they were written. Rewriting
them with one timestamp derived from the inputs makes equal documents equal bytes."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from zipfile import ZIP_DEFLATED, ZipFile, ZipInfo


def write(path: Path, archive: bytes, stamp: dt.datetime) -> Path:
    """Write the zip `archive` to `path` with every member stamped `stamp`, in the same member order."""
    out = io.BytesIO()
    date_time = stamp.timetuple()[:6]
    with ZipFile(io.BytesIO(archive)) as src, ZipFile(out, "w", ZIP_DEFLATED) as dst:
        for member in src.infolist():
            info = ZipInfo(member.filename, date_time=date_time)
            info.compress_type = ZIP_DEFLATED
            info.external_attr = 0o100644 << 16
            dst.writestr(info, src.read(member.filename))
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(out.getvalue())
    return path


def save_workbook(wb, path: Path, stamp: dt.datetime) -> Path:
    """Save an openpyxl workbook with every time in it fixed to `stamp` (openpyxl's own save_workbook
    stamps the "modified" property with the clock; its ExcelWriter does not)."""
    from openpyxl.writer.excel import ExcelWriter

    wb.properties.created = wb.properties.modified = stamp
    buffer = io.BytesIO()
    ExcelWriter(wb, ZipFile(buffer, "w", ZIP_DEFLATED, allowZip64=True)).save()
    return write(path, buffer.getvalue(), stamp)
