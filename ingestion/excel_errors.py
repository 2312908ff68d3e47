"""Excel error cells (#DIV/0!, #N/A, #REF!, ...). The Excel reader gives a blank for them, which would
make a broken formula look like an empty cell (MISSING_VALUE, row counted). ingestion.safety notes,
in the pass it makes over every XML part anyway, the parts holding a cell of type "e"; their error
texts are read here, from those parts only, so a workbook without errors costs nothing more.
"""

from __future__ import annotations

import os
import posixpath
import re
import zipfile
from xml.etree import ElementTree

WORKBOOK_PART = "xl/workbook.xml"
WORKBOOK_RELS = "xl/_rels/workbook.xml.rels"
UNKNOWN_ERROR = "#?"  # an error cell without its text (never written by Excel)
_REF = re.compile(r"([A-Za-z]{1,3})([0-9]{1,7})$")

Positions = dict[tuple[int, int], str]  # (row index, column index), A1 = (0, 0) -> error text


def error_cells(path: str | os.PathLike, parts: frozenset[str]) -> dict[str, Positions]:
    """{sheet name as the workbook spells it: {(row, column) index: error text}} for the worksheets
    among `parts` (the XML parts ingestion.safety found holding an error cell)."""
    out: dict[str, Positions] = {}
    with open(path, "rb") as fh, zipfile.ZipFile(fh) as zf:
        for part, sheet in _sheet_parts(zf).items():
            if part in parts:
                with zf.open(part) as member:
                    out[sheet] = _errors(member)
    return out


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _sheet_parts(zf: zipfile.ZipFile) -> dict[str, str]:
    """{worksheet part: sheet name} from the workbook part and its relationships."""
    targets = {}
    for rel in ElementTree.fromstring(zf.read(WORKBOOK_RELS)).iter():
        if _local(rel.tag) == "Relationship" and rel.get("Target"):
            target = rel.get("Target")
            # a target is relative to xl/ unless it starts with "/" (the package root)
            targets[rel.get("Id")] = (
                target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))
            )
    parts = {}
    for sheet in ElementTree.fromstring(zf.read(WORKBOOK_PART)).iter():
        if _local(sheet.tag) != "sheet":
            continue
        rel_id = next((v for k, v in sheet.attrib.items() if _local(k) == "id"), None)
        if rel_id in targets and sheet.get("name") is not None:
            parts[targets[rel_id]] = sheet.get("name")
    return parts


def _errors(member) -> Positions:
    """The error cells of one worksheet part, placed as the reader places cells: at their reference,
    else one after the previous (a row restarts at column 1)."""
    found: Positions = {}
    row = col = -1
    for event, elem in ElementTree.iterparse(member, events=("start", "end")):
        tag = _local(elem.tag)
        if event == "start":
            if tag == "row":
                r = elem.get("r")
                row = int(r) - 1 if r and r.isdigit() else row + 1
                col = -1
            continue
        if tag == "c":
            match = _REF.match(elem.get("r") or "")
            if match:
                row, col = int(match.group(2)) - 1, _column_index(match.group(1))
            else:
                col += 1
            if elem.get("t") == "e":
                value = next((child.text for child in elem if _local(child.tag) == "v"), None)
                found[(row, col)] = (value or "").strip() or UNKNOWN_ERROR
            elem.clear()
        elif tag == "row":
            elem.clear()
    return found


def _column_index(letters: str) -> int:
    """ "A" -> 0, "XFD" -> 16383."""
    n = 0
    for ch in letters.upper():
        n = n * 26 + (ord(ch) - 64)
    return n - 1
