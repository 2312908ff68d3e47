"""Decides, before any parser opens a file, whether it is a safe, readable .xlsx/.xlsm workbook.

The file is at most Limits.max_file_bytes. The zip central directory gives the declared sizes (never a
full decompression to find out); every member's first bytes tell XML from images and the like; every
XML member is then streamed whole (1 MB at a time, never held whole) and searched for DOCTYPE/ENTITY
declarations from its first byte to its last, and members holding a sheetData element for their cell
references. Decompression never goes past a member's declared size, and a member whose stream holds
more is refused. Nothing in a workbook is ever executed or followed: macros of a .xlsm are never run
and external links are never opened; the parser reads stored cell values only.

The same pass notes the parts holding Excel error cells (`t="e"`: #DIV/0!, #N/A, ...), which the
Excel reader gives as blanks: ingestion.excel_errors reads their text from those parts only.

The worksheet scan exists because the Excel reader allocates one slot per cell of the rectangle from
A1 to the last cell reference: a 5 KB file holding a value in A1 and one in XFD1048576 would ask for
half a terabyte and abort the process, which no `except` can catch.
"""

from __future__ import annotations

import io
import os
import re
import struct
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

from ingestion.reasons import reason

MB = 1024 * 1024
OLE2_SIGNATURE = bytes.fromhex("D0CF11E0A1B11AE1")  # legacy .xls, and encrypted .xlsx containers
ENCRYPTION_STREAM = "EncryptionInfo".encode("utf-16-le")  # directory entry names are UTF-16
_XML_LEAD = b"\xef\xbb\xbf \t\r\n"  # UTF-8 BOM and whitespace before the first tag
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")  # Excel writes UTF-8; nothing is checked in UTF-16
_DECLARATION = re.compile(rb"<!(?:doctype|entity)", re.IGNORECASE)
# the type attribute of an error cell, as spreadsheet programs write it; searched inside sheetData
# only, as a literal (a regex allowing other spellings would cost more than the rest of the check)
_ERROR_CELL = b't="e"'
_OVERLAP = 8  # bytes of a chunk's end searched again with the next chunk: "<!doctype" cut in two
_SHEET_DATA = b"sheetData"  # the reader takes cells from inside it only
# Quick pass: literal-prefixed patterns, which the regex engine finds fast. `<c r="B12"`, `<row r="12"`:
_REF = re.compile(rb' r="([A-Za-z]{0,3})([0-9]{1,7})"')
# a cell or row start tag whose references the quick pass cannot read (no ` r=`, or a namespace prefix)
_UNREFERENCED = re.compile(rb'<(?:c|row)(?=[\s/>])(?![^>]* r=")')
_PREFIXED = re.compile(rb":(?:c|row)(?=[\s/>])")
# Exact pass: every cell and row start tag, any prefix, any whitespace before `r`
_TAG = re.compile(rb"<(?:[\w.-]+:)?(row|c)(?=[\s/>])([^>]*)>")
_ANY_REF = re.compile(rb'\sr\s*=\s*["\']([A-Za-z]{0,3})([0-9]{1,7})["\']')
_SCAN_CHUNK = 1 * MB


@dataclass(frozen=True)
class Limits:
    max_file_bytes: int = 20 * MB
    max_uncompressed_bytes: int = 100 * MB  # sum of the members' declared sizes
    max_ratio: float = 100.0  # uncompressed / compressed, for members over ratio_floor_bytes
    ratio_floor_bytes: int = 1 * MB
    max_members: int = 10_000
    xml_prefix_bytes: int = 8192  # the first chunk of a member: tells XML from other content
    max_sheet_cells: int = 5_000_000  # rows x columns from A1 to the last cell reference


LIMITS = Limits()


@dataclass(frozen=True)
class Inspection:
    """What the check found: why the parser must not open the file (None: it may), and the XML parts
    holding Excel error cells."""

    reason: str | None
    error_parts: frozenset[str] = frozenset()


def unsafe_reason(path: str | os.PathLike, limits: Limits = LIMITS) -> str | None:
    """None when `path` is a workbook the parser may open, else why not (Vietnamese)."""
    return inspect(path, limits).reason


def inspect(path: str | os.PathLike, limits: Limits = LIMITS) -> Inspection:
    """The safety check of `path` (unsafe_reason), with the parts holding error cells."""
    path = Path(path)
    size = path.stat().st_size
    if size == 0:
        return Inspection(reason("empty_file"))
    if size > limits.max_file_bytes:
        return Inspection(reason("too_large", size_mb=size / MB, limit_mb=limits.max_file_bytes // MB))
    data = path.read_bytes()  # at most max_file_bytes
    if data.startswith(OLE2_SIGNATURE):
        return Inspection(reason("encrypted") if ENCRYPTION_STREAM in data else reason("legacy_xls"))
    if not data.startswith(b"PK"):
        return Inspection(reason("not_xlsx"))
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            return _inspect_zip(data, zf.infolist(), limits)
    except (
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        zlib.error,
        struct.error,
        EOFError,
        ValueError,
        NotImplementedError,
    ):
        return Inspection(reason("corrupt_zip"))


def _inspect_zip(data: bytes, members: list[zipfile.ZipInfo], limits: Limits) -> Inspection:
    why = _directory_reason(members, limits)
    if why:
        return Inspection(why)
    error_parts = set()
    for m in members:
        if m.is_dir():
            continue
        # XML is told by its content, not its name: a workbook may name and place its parts freely
        chunks = _inflate(data, m, limits.xml_prefix_bytes)
        prefix = next(chunks, b"")
        if prefix.startswith(_UTF16_BOMS):
            return Inspection(reason("xml_encoding", member=m.filename))
        if not prefix.lstrip(_XML_LEAD).startswith(b"<"):
            continue  # an image, vbaProject.bin: never parsed
        if b"\x00" in prefix:
            return Inspection(reason("xml_encoding", member=m.filename))
        # the whole member is searched, not its first bytes only: a declaration may follow any amount
        # of comment, and the reader would then refuse the file with a bare "XmlError"
        watch = _Watch(prefix)
        if watch.declaration:
            return Inspection(reason("xml_entity", member=m.filename))
        if len(prefix) == m.file_size and _SHEET_DATA not in prefix:
            next(chunks, None)  # read whole already, and holds no cells:
            continue  # only the end-of-stream check is left
        cells, errors = _sheet_cells(prefix, watch.follow(chunks), lambda m=m: _inflate(data, m, _SCAN_CHUNK))
        if watch.declaration:
            return Inspection(reason("xml_entity", member=m.filename))
        if cells > limits.max_sheet_cells:
            return Inspection(
                reason(
                    "sheet_too_large", member=m.filename, cells=_dotted(cells), limit=_dotted(limits.max_sheet_cells)
                )
            )
        if errors:
            error_parts.add(m.filename)
    return Inspection(None, frozenset(error_parts))


def _directory_reason(members: list[zipfile.ZipInfo], limits: Limits) -> str | None:
    """Why the zip directory alone refuses the file: member count, declared sizes, encryption."""
    if len(members) > limits.max_members:
        return reason("too_many_members", count=len(members), limit=limits.max_members)
    declared = sum(m.file_size for m in members)
    if declared > limits.max_uncompressed_bytes:
        return reason("zip_bomb_total", size_mb=declared / MB, limit_mb=limits.max_uncompressed_bytes // MB)
    for m in members:
        if m.flag_bits & 0x1:
            return reason("encrypted_member", member=m.filename)
        ratio = m.file_size / max(m.compress_size, 1)
        if m.file_size > limits.ratio_floor_bytes and ratio > limits.max_ratio:
            return reason("zip_bomb_ratio", ratio=ratio, member=m.filename)
    if not any(m.filename == "xl/workbook.xml" for m in members):
        return reason("no_workbook_xml")
    return None


class _Watch:
    """Searches an XML member's chunks, as they stream past, for DOCTYPE/ENTITY declarations. The last
    _OVERLAP bytes of a chunk are searched again with the start of the next, so that a `<!DOCTYPE` cut
    by a chunk boundary is seen; memory stays one chunk."""

    def __init__(self, prefix: bytes):
        self.declaration = False
        self._tail = b""
        self._see(prefix)

    def follow(self, chunks):
        """The chunks, each searched before it is passed on; they stop at a declaration (the file is
        refused whatever follows)."""
        for chunk in chunks:
            self._see(chunk)
            if self.declaration:
                return
            yield chunk

    def _see(self, chunk: bytes) -> None:
        # a literal test first: the regex runs only where a declaration may start
        for text in (chunk, self._tail + chunk[:_OVERLAP]):
            if b"<!" in text and _DECLARATION.search(text):
                self.declaration = True
        self._tail = chunk[-_OVERLAP:]


def _inflate(data: bytes, member: zipfile.ZipInfo, first: int):
    """The member's bytes in chunks (`first` bytes, then _SCAN_CHUNK at a time), never more than its
    declared size: decompression stops there whatever the stream holds."""
    offset = member.header_offset
    if data[offset : offset + 4] != b"PK\x03\x04":
        raise zipfile.BadZipFile("bad local header")
    name_len, extra_len = struct.unpack_from("<HH", data, offset + 26)
    start = offset + 30 + name_len + extra_len
    compressed = data[start : start + member.compress_size]
    left, size = member.file_size, first
    if member.compress_type == zipfile.ZIP_STORED:
        position = 0
        while left > 0 and position < len(compressed):
            chunk = compressed[position : position + min(size, left)]
            position += len(chunk)
            left -= len(chunk)
            yield chunk
            size = _SCAN_CHUNK
        return
    if member.compress_type != zipfile.ZIP_DEFLATED:
        raise NotImplementedError("compression method")
    inflater = zlib.decompressobj(-zlib.MAX_WBITS)
    while left > 0:
        chunk = inflater.decompress(compressed, min(size, left))
        if not chunk:
            return
        compressed = inflater.unconsumed_tail
        left -= len(chunk)
        yield chunk
        size = _SCAN_CHUNK
    if inflater.decompress(compressed, 1):
        raise zipfile.BadZipFile("member larger than its declared size")  # sizes that lie


def _dotted(n: int) -> str:
    """1234567 -> '1.234.567', as Vietnamese readers write it."""
    return f"{n:,}".replace(",", ".")


def _sheet_cells(prefix: bytes, rest, reopen) -> tuple[int, bool]:
    """(Rows x columns from A1 to the furthest cell of an XML member, whether it holds an error cell),
    streamed; (0, False) for a member without a sheetData element (the reader takes cells from nowhere
    else).

    The quick pass reads the `r` references; a member holding cells or rows without one (placed after
    the previous, as the reader does) gets an exact pass from `reopen()`. Pieces end at a '>', so an
    attribute is never cut in two."""
    max_row = max_col = 0
    unreferenced = 0
    errors = False
    for text in _sheet_data(_whole_tags(prefix, rest)):
        unreferenced += len(_UNREFERENCED.findall(text)) + len(_PREFIXED.findall(text))
        errors = errors or _ERROR_CELL in text
        refs = _REF.findall(text)
        if refs:
            letters, digits = zip(*refs)
            max_row = max(max_row, *map(int, digits))
            max_col = max(max_col, *map(_column_number, set(letters)))
    if unreferenced:
        chunks = reopen()
        return _placed_cells(next(chunks, b""), chunks), errors
    return max_row * max(max_col, 1), errors


def _placed_cells(prefix: bytes, rest) -> int:
    """Rows x columns, placing each cell and row as the reader does: at its reference, else one
    after the previous (cells restart at column 1 on each row)."""
    row = col = max_row = max_col = 0
    for text in _sheet_data(_whole_tags(prefix, rest)):
        for tag, attributes in _TAG.findall(text):
            ref = _ANY_REF.search(attributes)
            if tag == b"row":
                row, col = (int(ref.group(2)) if ref else row + 1), 0
            elif ref and ref.group(1):
                row, col = int(ref.group(2)), _column_number(ref.group(1))
            else:
                col += 1
            max_row, max_col = max(max_row, row), max(max_col, col)
    return max_row * max(max_col, 1)


def _sheet_data(pieces):
    """The pieces from the first sheetData tag on."""
    for text in pieces:
        start = text.find(_SHEET_DATA)
        if start >= 0:
            yield text[start:]
            yield from pieces
            return


def _whole_tags(prefix: bytes, rest):
    """The member's text in pieces that end at a '>', so that no tag is cut in two."""
    carry = prefix
    for chunk in rest:
        text = carry + chunk
        cut = text.rfind(b">") + 1
        yield text[:cut]
        carry = text[cut:][-_SCAN_CHUNK:]
    if carry:
        yield carry


def _column_number(letters: bytes) -> int:
    """b"A" -> 1, b"XFD" -> 16384; b"" (a row reference) -> 0."""
    n = 0
    for ch in letters.upper():
        n = n * 26 + (ch - 64)
    return n
