"""Decides, before any parser opens a file, whether it is a safe, readable .xlsx/.xlsm workbook.

Only the file's first bytes, the zip central directory (declared sizes, never a full decompression to
find out) and the XML members are read: a bounded prefix for DOCTYPE/ENTITY declarations, then a
streamed scan for cell references (never held whole in memory). Nothing in a workbook is ever
executed or followed: macros of a .xlsm are never run and external links are never opened; the parser
reads stored cell values only.

The worksheet scan exists because the Excel reader allocates one slot per cell of the rectangle from
A1 to the last cell reference: a 5 KB file holding a value in A1 and one in XFD1048576 would ask for
half a terabyte and abort the process, which no `except` can catch.
"""
from __future__ import annotations

import os
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

from ingestion.reasons import reason

MB = 1024 * 1024
OLE2_SIGNATURE = bytes.fromhex("D0CF11E0A1B11AE1")      # legacy .xls, and encrypted .xlsx containers
ENCRYPTION_STREAM = "EncryptionInfo".encode("utf-16-le")  # directory entry names are UTF-16
_XML_SUFFIXES = (".xml", ".rels", ".vml")
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")               # Excel writes UTF-8; nothing is checked in UTF-16
_REF = re.compile(rb'\sr="([A-Z]{0,3})([0-9]{1,7})"')     # <c r="B12" ...> and <row r="12" ...>
_CELL_TAG = re.compile(rb"<c[\s>/]")
_ROW_TAG = re.compile(rb"<row[\s>/]")
_SCAN_CHUNK = 1 * MB
_OVERLAP = 32                                             # longer than any reference


@dataclass(frozen=True)
class Limits:
    max_file_bytes: int = 20 * MB
    max_uncompressed_bytes: int = 100 * MB   # sum of the members' declared sizes
    max_ratio: float = 100.0                 # uncompressed / compressed, for members over ratio_floor_bytes
    ratio_floor_bytes: int = 1 * MB
    max_members: int = 10_000
    xml_prefix_bytes: int = 8192             # read this much of every XML member for DOCTYPE/ENTITY
    max_sheet_cells: int = 5_000_000         # rows x columns from A1 to the last cell reference


LIMITS = Limits()


def unsafe_reason(path: str | os.PathLike, limits: Limits = LIMITS) -> str | None:
    """None when `path` is a workbook the parser may open, else why not (Vietnamese)."""
    path = Path(path)
    size = path.stat().st_size
    if size == 0:
        return reason("empty_file")
    if size > limits.max_file_bytes:
        return reason("too_large", size_mb=size / MB, limit_mb=limits.max_file_bytes // MB)
    with open(path, "rb") as fh:
        head = fh.read(len(OLE2_SIGNATURE))
    if head == OLE2_SIGNATURE:
        return reason("encrypted") if _has_encryption_stream(path) else reason("legacy_xls")
    if not head.startswith(b"PK"):
        return reason("not_xlsx")
    try:
        with zipfile.ZipFile(path) as zf:
            return _zip_reason(zf, limits)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, ValueError, NotImplementedError,
            OSError, RuntimeError):
        # RuntimeError: zipfile's own complaint about an encrypted member it cannot read
        return reason("corrupt_zip")


def _has_encryption_stream(path: Path) -> bool:
    """True when an OLE2 container names an EncryptionInfo stream (an encrypted OOXML workbook).

    The file is at most Limits.max_file_bytes, so reading it whole is bounded."""
    return ENCRYPTION_STREAM in path.read_bytes()


def _zip_reason(zf: zipfile.ZipFile, limits: Limits) -> str | None:
    members = zf.infolist()
    if len(members) > limits.max_members:
        return reason("too_many_members", count=len(members), limit=limits.max_members)
    declared = sum(m.file_size for m in members)
    if declared > limits.max_uncompressed_bytes:
        return reason("zip_bomb_total", size_mb=declared / MB, limit_mb=limits.max_uncompressed_bytes // MB)
    for m in members:
        if m.flag_bits & 0x1:
            return reason("encrypted_member", member=m.filename)
        if m.file_size > limits.ratio_floor_bytes and m.file_size / max(m.compress_size, 1) > limits.max_ratio:
            return reason("zip_bomb_ratio", ratio=m.file_size / max(m.compress_size, 1), member=m.filename)
    if "xl/workbook.xml" not in zf.NameToInfo:
        return reason("no_workbook_xml")
    for m in members:
        if m.is_dir() or not m.filename.lower().endswith(_XML_SUFFIXES):
            continue
        with zf.open(m) as fh:
            prefix = fh.read(limits.xml_prefix_bytes)
            if prefix.startswith(_UTF16_BOMS) or b"\x00" in prefix:
                return reason("xml_encoding", member=m.filename)
            lowered = prefix.lower()
            if b"<!doctype" in lowered or b"<!entity" in lowered:
                return reason("xml_entity", member=m.filename)
            # every XML member, not only xl/worksheets/*: a workbook may place its sheets anywhere
            cells = _sheet_cells(prefix, fh)
            if cells > limits.max_sheet_cells:
                return reason("sheet_too_large", member=m.filename, cells=_dotted(cells),
                              limit=_dotted(limits.max_sheet_cells))
    return None


def _dotted(n: int) -> str:
    """1234567 -> '1.234.567', as Vietnamese readers write it."""
    return f"{n:,}".replace(",", ".")


def _sheet_cells(prefix: bytes, rest) -> int:
    """Rows x columns from A1 to the furthest cell of an XML member, streamed.

    A cell or row element without an `r` reference is placed after the previous one, so each of
    those widens the bound by one. Run on every XML member (a calcChain or comment part names real
    cells too, so this only errs towards caution). The stream cannot outgrow the member's declared
    size (zipfile stops there), which the central-directory check has already bounded. Each round
    scans the previous round's last bytes again, so an element cut by a chunk boundary is seen
    whole; counting one twice only errs towards caution."""
    max_row = max_col = 0
    cells = cell_refs = rows = row_refs = 0
    columns: dict[bytes, int] = {}
    text = prefix
    while text:
        cells += len(_CELL_TAG.findall(text))
        rows += len(_ROW_TAG.findall(text))
        for letters, digits in _REF.findall(text):
            row = int(digits)
            if row > max_row:
                max_row = row
            if letters:
                cell_refs += 1
                col = columns.get(letters)
                if col is None:
                    col = columns[letters] = _column_number(letters)
                if col > max_col:
                    max_col = col
            else:
                row_refs += 1
        chunk = rest.read(_SCAN_CHUNK)
        text = text[-_OVERLAP:] + chunk if chunk else b""
    max_row += max(0, rows - row_refs)
    max_col += max(0, cells - cell_refs)
    return max_row * max(max_col, 1)


def _column_number(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + (ch - 64)
    return n
