"""Writes submission workbooks (contract section 3) from catalog/workbook.yaml: the one writer behind
blank templates, the demo inbox and test fixtures.

Values are written literally unless they have an obvious workbook form: bool -> the first yes/no word,
a vocabulary key of an enum column -> that entry's first word, date -> a dd/mm/yyyy date cell, int ->
a number cell, str -> a text cell (never a formula). So tests can still write wrong values on purpose.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from openpyxl import Workbook
from openpyxl.packaging.custom import StringProperty
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation

import catalog
from reports import stable_zip
from reports.text_cells import put_text

LISTS_SHEET = "DanhMuc"  # hidden sheet holding dropdown lists too long for an inline formula
VALIDATION_ROWS = 1000  # dropdowns reach this many rows below the header
_INLINE_LIST_LIMIT = 255  # Excel's limit on a list formula typed in the validation itself
_SHEET_NAME_LIMIT = 31
_DEFAULT_STAMP = dt.datetime(2000, 1, 1)

_HEADER_FONT = Font(bold=True)
_HEADER_FILL = PatternFill("solid", start_color="FFDDEBF7", end_color="FFDDEBF7")
_TITLE_FONT = Font(bold=True, size=13)
_NUMBER_FORMATS = {"code": "@", "count": "#,##0", "year": "0", "version": "0"}
_DATE_FORMAT = "dd/mm/yyyy"


def write_submission(
    path,
    *,
    level: str,
    cover: dict,
    sheets: dict[str, list[dict]],
    title: str | None = None,
    instructions: tuple[str, list[str]] | None = None,
    blank_template: str | None = None,
) -> Path:
    """Write one submission workbook of `level` to `path` and return the path.

    `cover` maps cover field ids to values; `sheets` maps layout ids of workbook.yaml to row dicts
    keyed by column ids. Required layouts of the level are written even when not given.
    `instructions` (sheet name, lines) adds a first sheet, open when the file opens, holding the lines
    (the first one as a heading); its name must not be one the parser reads.
    `blank_template` (a period key) marks the workbook as a blank template of that period, with the
    custom document property of workbook.yaml `blank_template`: ingestion then tells it, left unfilled,
    from a submission. Only cells listed there as `prefilled` may be given.
    """
    spec = catalog.workbook()
    if level not in spec["levels"]:
        raise ValueError(f"unknown level {level!r}; expected one of {sorted(spec['levels'])}")
    layouts = _layouts_to_write(level, sheets)

    wb = Workbook()
    lists = _ListSheet(wb)
    _write_cover(wb.active, level, cover, title, lists)
    for layout_id, layout in layouts:
        if len(layout["sheet"]) > _SHEET_NAME_LIMIT:
            raise ValueError(f"sheet name {layout['sheet']!r} is longer than Excel allows")
        ws = wb.create_sheet(layout["sheet"])
        _write_table(ws, layout, sheets.get(layout_id, []), title, lists)
    if instructions is not None:
        _write_instructions(wb, *instructions)
    lists.finish()

    if blank_template is not None:
        _check_prefilled(cover, sheets)
        wb.custom_doc_props.append(StringProperty(name=spec["blank_template"]["property"], value=blank_template))
    stamp = _stamp(cover.get("created_on"))
    wb.properties.creator = "antq"
    wb.properties.title = title
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    stable_zip.save_workbook(wb, path, stamp)
    return path


def _check_prefilled(cover: dict, sheets: dict[str, list[dict]]) -> None:
    """A blank template carries the prefilled cells only: anything else would be an answer, and the
    template would be read as a submission."""
    prefilled = catalog.workbook()["blank_template"]["prefilled"]
    given = {f for f, v in cover.items() if v is not None} - set(prefilled["cover"])
    if given:
        raise ValueError(f"a blank template cannot carry cover fields {sorted(given)}")
    for layout_id, rows in sheets.items():
        given = {c for row in rows for c, v in row.items() if v is not None}
        given -= set(prefilled.get(layout_id, ()))
        if given:
            raise ValueError(f"a blank template cannot carry columns {sorted(given)} in {layout_id!r}")


def _layouts_to_write(level: str, sheets: dict) -> list[tuple[str, dict]]:
    all_layouts = catalog.workbook()["sheets"]
    for layout_id in sheets:
        if layout_id not in all_layouts:
            raise ValueError(f"unknown sheet layout {layout_id!r}")
        if level not in all_layouts[layout_id]["levels"]:
            raise ValueError(f"sheet layout {layout_id!r} does not apply to a {level} workbook")
    return [
        (lid, layout)
        for lid, layout in all_layouts.items()
        if level in layout["levels"] and (lid in sheets or layout["levels"][level] == "required")
    ]


def _cover_fields(level: str) -> dict[str, dict]:
    fields = catalog.workbook()["cover"]["fields"]
    return {fid: f for fid, f in fields.items() if level in f.get("levels", [level])}


def _write_cover(ws, level: str, cover: dict, title: str | None, lists: _ListSheet) -> None:
    spec = catalog.workbook()
    ws.title = spec["cover"]["sheet"]
    fields = _cover_fields(level)
    unknown = set(cover) - set(fields)
    if unknown:
        raise ValueError(f"cover fields {sorted(unknown)} do not apply to a {level} workbook")

    first = _write_title(ws, title)
    label_width = 0
    value_width = 12
    for i, (fid, field) in enumerate(fields.items()):
        row = first + i
        label = ws.cell(row=row, column=1)
        put_text(label, field["label"])
        label.font = _HEADER_FONT
        label_width = max(label_width, len(field["label"]))
        value = cover.get(fid, spec["levels"][level][0] if fid == "level" else None)
        cell = ws.cell(row=row, column=2)
        _put(cell, value, field["type"], field.get("vocab"))
        value_width = max(value_width, _display_len(value))
        words = None
        if field["type"] == "yesno":
            words = _yesno_words()
        elif fid == "level":
            words = [entry[0] for entry in spec["levels"].values()]
        if words:
            _add_validation(ws, lists, field["label"], words, cell.coordinate)
    ws.column_dimensions["A"].width = label_width + 4
    ws.column_dimensions["B"].width = min(value_width + 4, 60)


def _write_table(ws, layout: dict, rows: list[dict], title: str | None, lists: _ListSheet) -> None:
    columns = layout["columns"]
    header_row = _write_title(ws, title)
    for j, col in enumerate(columns.values(), start=1):
        cell = ws.cell(row=header_row, column=j)
        put_text(cell, col["header"])
        cell.font = _HEADER_FONT
        cell.fill = _HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="center")

    widths = [len(col["header"]) for col in columns.values()]
    for i, row in enumerate(rows, start=header_row + 1):
        unknown = set(row) - set(columns)
        if unknown:
            raise ValueError(f"columns {sorted(unknown)} are not in sheet {layout['sheet']!r}")
        for j, (cid, col) in enumerate(columns.items(), start=1):
            value = row.get(cid)
            _put(ws.cell(row=i, column=j), value, col["type"], col.get("vocab"))
            widths[j - 1] = max(widths[j - 1], _display_len(value))

    last = header_row + max(VALIDATION_ROWS, len(rows))
    for j, col in enumerate(columns.values(), start=1):
        letter = get_column_letter(j)
        dim = ws.column_dimensions[letter]
        dim.width = min(max(widths[j - 1], 8) + 3, 60)
        if col["type"] in _NUMBER_FORMATS:
            # new cells typed under the header take the column's format, so codes stay text
            dim.number_format = _NUMBER_FORMATS[col["type"]]
        words = _column_words(col)
        if words:
            _add_validation(ws, lists, col["header"], words, f"{letter}{header_row + 1}:{letter}{last}")
    ws.freeze_panes = ws.cell(row=header_row + 1, column=1)


def _write_instructions(wb: Workbook, sheet: str, lines: list[str]) -> None:
    spec = catalog.workbook()
    taken = {
        spec["cover"]["sheet"].casefold(),
        LISTS_SHEET.casefold(),
        *(layout["sheet"].casefold() for layout in spec["sheets"].values()),
    }
    if sheet.casefold() in taken or len(sheet) > _SHEET_NAME_LIMIT:
        raise ValueError(f"{sheet!r} cannot name the instructions sheet")
    ws = wb.create_sheet(sheet, 0)
    for other in wb.worksheets:  # one selected tab: Excel edits every selected (grouped) sheet at once
        other.sheet_view.tabSelected = other is ws
    wb.active = 0
    for row, line in enumerate(lines, start=1):
        if not line:
            continue  # a blank line between paragraphs
        cell = ws.cell(row=row, column=1)
        put_text(cell, line)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        if row == 1:
            cell.font = _TITLE_FONT
    ws.column_dimensions["A"].width = 110


def _write_title(ws, title: str | None) -> int:
    """Title row and blank row when there is a title; returns the first row after them."""
    if not title:
        return 1
    cell = ws.cell(row=1, column=1)
    put_text(cell, title)
    cell.font = _TITLE_FONT
    return 3


def _put(cell, value, ctype: str, vocab: str | None) -> None:
    if value is None:
        return
    if isinstance(value, bool):
        cell.value = _yesno_words()[0 if value else 1]
    elif isinstance(value, (dt.date, dt.datetime)):
        cell.value = value
        cell.number_format = _DATE_FORMAT
    elif isinstance(value, (int, float)):
        cell.value = value
        if ctype in ("count", "year", "version"):
            cell.number_format = _NUMBER_FORMATS[ctype]
    elif isinstance(value, str):
        entries = _vocab(vocab) if ctype == "enum" and vocab else {}
        put_text(cell, entries[value][0] if value in entries else value, stored=True)  # as Excel stores it
        if ctype == "code":
            cell.number_format = "@"
    else:
        raise TypeError(f"cannot write a {type(value).__name__} into a workbook cell")


def _vocab(name: str) -> dict:
    spec = catalog.workbook()
    return spec["levels"] if name == "levels" else spec["vocab"][name]


def _yesno_words() -> list[str]:
    vocab = catalog.workbook()["vocab"]["yesno"]
    return [vocab[True][0], vocab[False][0]]


def _column_words(col: dict) -> list[str] | None:
    """Dropdown words: the first yes/no words; every word of an enum (names as well as numbers)."""
    if col["type"] == "yesno":
        return _yesno_words()
    if col["type"] == "enum":
        words: list[str] = []
        for entry in _vocab(col["vocab"]).values():
            words.extend(w for w in entry if w not in words)
        return words
    return None


def _display_len(value) -> int:
    if value is None:
        return 0
    if isinstance(value, (dt.date, dt.datetime)):
        return 10
    return len(str(value))


def _add_validation(ws, lists: _ListSheet, header: str, words: list[str], sqref: str) -> None:
    inline = ",".join(words)
    if len(inline) + 2 <= _INLINE_LIST_LIMIT and not any("," in w or '"' in w for w in words):
        formula = f'"{inline}"'
    else:
        formula = lists.range_for(header, words)
    dv = DataValidation(
        type="list",
        formula1=formula,
        allow_blank=True,
        showErrorMessage=True,
        errorStyle="warning",
        errorTitle="Giá trị ngoài danh sách",
        error="Giá trị này không có trong danh sách. Vẫn giữ?",
        promptTitle=header[:32],
        prompt="Chọn trong danh sách",
        showInputMessage=True,
    )
    dv.add(sqref)
    ws.add_data_validation(dv)


class _ListSheet:
    """The hidden sheet of dropdown lists, one column per distinct list, created on first use."""

    def __init__(self, wb: Workbook):
        self._wb = wb
        self._ws = None
        self._ranges: dict[tuple[str, ...], str] = {}

    def range_for(self, header: str, words: list[str]) -> str:
        key = tuple(words)
        if key not in self._ranges:
            if self._ws is None:
                self._ws = self._wb.create_sheet(LISTS_SHEET)
            col = len(self._ranges) + 1
            put_text(self._ws.cell(row=1, column=col), header)
            for i, word in enumerate(words, start=2):
                put_text(self._ws.cell(row=i, column=col), word)
            letter = get_column_letter(col)
            self._ranges[key] = f"{quote_sheetname(LISTS_SHEET)}!${letter}$2:${letter}${len(words) + 1}"
        return self._ranges[key]

    def finish(self) -> None:
        """Move the list sheet to the end and hide it."""
        if self._ws is not None:
            self._wb.move_sheet(self._ws, offset=len(self._wb.sheetnames) - 1 - self._wb.sheetnames.index(LISTS_SHEET))
            self._ws.sheet_state = "hidden"


def _stamp(created_on) -> dt.datetime:
    if isinstance(created_on, dt.datetime):
        return created_on.replace(tzinfo=None, microsecond=0)
    if isinstance(created_on, dt.date):
        return dt.datetime(created_on.year, created_on.month, created_on.day, 8, 0)
    return _DEFAULT_STAMP
