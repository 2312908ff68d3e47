"""One writer for the sheets of the published workbooks, bao_cao_PERIOD.xlsx (reports.xlsx_report) and
kiem_tra_du_lieu.xlsx (reports.auditors): cells and their styles, header cells, column widths, row
heights of wrapped text, number formats and the page setup. Page setup lives here only.

- Text: every text cell goes through reports.text_cells.put_text (never a formula; control characters
  shown; `_xHHHH_` escaped, so Excel and LibreOffice show the text we meant).
- Numbers stay numbers, so that they sort and add up: counts `#,##0`, rates as fractions with `0.00%` (the
  period report, as its narrative rounds) or `0.0%` (the auditors' workbook). Each format carries the
  Vietnamese language tag `[$-42A]`: LibreOffice then shows 1.234 and 86,15% whatever the language of the
  machine; Excel shows the separators of the computer's regional settings (on a Vietnamese Windows '.'
  for thousands and ',' for decimals), the tag only names the language.
- Wrapped rows get their height from an estimate of their lines (column width, text, font): Excel keeps a
  row at its default height when the file gives none, so wrapped cells overlapped; LibreOffice fits rows
  that have no height but keeps those that have one. The estimate errs on the generous side.
- Printing: landscape, one page wide (fitToWidth=1, fitToHeight=0: as many pages down as needed), on A4
  when the table prints there at 70 % or more, otherwise on A3; the table's header rows repeat on every
  page; 1 cm side margins, centred horizontally; a running title at the head and "Trang N/M" at the foot.
  A table that would print below 70 % even on A3 (the 48-column annex: 50 %, figures of 5.5 pt) is
  printed instead as bands of whole column groups, each one page wide, at one scale of 70 % or more, its
  first columns (the units) repeated on every page (`column_bands`).
- The workbook's default font is Times New Roman 11, the font of the cells: Excel sizes columns in digits
  of that font, and LibreOffice, lacking Calibri (openpyxl's default), sized every column about 30 % wider
  in a wider substitute, so the pages did not come out as measured.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import unicodedata
import weakref
from collections.abc import Callable, Sequence
from copy import copy
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.utils.indexed_list import IndexedList
from openpyxl.worksheet.hyperlink import Hyperlink
from openpyxl.worksheet.pagebreak import Break

from reports.text_cells import put_text

FONT_NAME = "Times New Roman"
BODY = Font(name=FONT_NAME, size=11)
BOLD = Font(name=FONT_NAME, bold=True, size=11)
ITALIC = Font(name=FONT_NAME, italic=True, size=11)
TITLE = Font(name=FONT_NAME, bold=True, size=14)
LINK = Font(name=FONT_NAME, size=11, color="FF0563C1", underline="single")

_THIN = Side(style="thin", color="FF808080")
BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
HEADER_FILL = PatternFill("solid", start_color="FFD9D9D9", end_color="FFD9D9D9")
TOTAL_FILL = PatternFill("solid", start_color="FFF2F2F2", end_color="FFF2F2F2")
WRAP_CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
WRAP_LEFT = Alignment(horizontal="left", vertical="center", wrap_text=True)
MIDDLE = Alignment(vertical="center")

VI = "[$-42A]"  # Vietnamese: LibreOffice shows '.' thousands and ',' decimals (see the module docstring)
COUNT = VI + "#,##0"
RATE = VI + "0.00%"
COUNT_CHANGE = VI + "+#,##0;-#,##0;0"
POINTS = VI + "+0.00;-0.00;0.00"
DATE = "dd/mm/yyyy"
DATE_TIME = "dd/mm/yyyy hh:mm"
TEXT = "@"
WHOLE = "0"

FOOTER = "Trang &P/&N"
_A4, _A3 = 9, 8  # openpyxl's PAPERSIZE_A4, PAPERSIZE_A3
_PAPER_WIDE_PT = {_A4: 842.0, _A3: 1191.0}  # the long side, landscape
_SIDE_MARGIN_IN = 0.4  # about 1 cm
_LEAST_SCALE = 0.7  # below this on A4, the table goes on A3
_LINE_PT = 14.5  # one line of 11 pt Times New Roman with Vietnamese marks
_PAD_PT = 3.0
_MAX_ROW_PT = 409  # Excel's tallest row


# --- workbook ------------------------------------------------------------------------------------------


def new_workbook() -> Workbook:
    """An empty workbook whose default font is the cells' font (see the module docstring)."""
    wb = Workbook()
    wb.remove(wb.active)
    default = Font(name=FONT_NAME, size=11, family=1)
    wb._fonts = IndexedList([default])
    wb._named_styles["Normal"].font = default
    return wb


# --- cells -----------------------------------------------------------------------------------------------

# Per workbook: (cell style before styling, format, font, alignment, border, fill) -> the style ids they
# give. openpyxl hashes the whole Font/Alignment/Border object on every assignment, most of the workbook's
# time on a large province: the first cell of each combination is styled as usual (so the workbook's style
# tables fill in the same order, the same bytes), the others copy its ids.
_STYLES: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def default_format(value) -> str | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return COUNT
    if isinstance(value, dt.datetime):
        return DATE_TIME
    if isinstance(value, dt.date):
        return DATE
    return None


def put(ws, row: int, col: int, value, fmt: str | None = None, font=BODY, align=None, border=True, fill=None):
    """Write one cell: text as text (reports.text_cells), a Decimal as a float, numbers and dates with
    `fmt` (by default counts `#,##0` and dates `dd/mm/yyyy`)."""
    cell = ws.cell(row=row, column=col)
    if isinstance(value, str):
        put_text(cell, value)
    elif isinstance(value, Decimal):
        cell.value = float(value)
    elif value is not None:
        cell.value = value
    fmt = fmt or default_format(value)
    if align is None:
        align = WRAP_LEFT if isinstance(value, str) else MIDDLE
    styles = _STYLES.setdefault(ws.parent, {})
    # ids, not the objects' (costly) hashes; the entry keeps them alive, so their ids stay theirs
    key = (tuple(cell._style or ()), fmt, id(font), id(align), border, id(fill))
    known = styles.get(key)
    if known is not None:
        cell._style = copy(known[-1])
        return cell
    if fmt:
        cell.number_format = fmt
    cell.font = font
    cell.alignment = align
    if border:
        cell.border = BORDER
    if fill is not None:
        cell.fill = fill
    styles[key] = (font, align, fill, copy(cell._style))
    return cell


def header(ws, row: int, col: int, text: str, *, rows: int = 1, cols: int = 1) -> None:
    """A header cell (bold, centred, grey), merged over `rows` x `cols`."""
    for r in range(row, row + rows):
        for c in range(col, col + cols):
            put(ws, r, c, None, font=BOLD, align=WRAP_CENTER, fill=HEADER_FILL)
    put(ws, row, col, text, font=BOLD, align=WRAP_CENTER, fill=HEADER_FILL)
    if rows > 1 or cols > 1:
        ws.merge_cells(start_row=row, start_column=col, end_row=row + rows - 1, end_column=col + cols - 1)


def link(cell, target: dict | None) -> None:
    """A hyperlink on `cell` (target=relative path, location=sheet and cell), shown as a link."""
    if target:
        cell.hyperlink = Hyperlink(ref=cell.coordinate, **target)
        cell.font = LINK


def set_widths(ws, widths: Sequence[float]) -> None:
    for i, w in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = w


def width_of(ws, col: int) -> float:
    return ws.column_dimensions[get_column_letter(col)].width or 13.0  # openpyxl's default width


# --- row heights ------------------------------------------------------------------------------------------

# Advance widths of Times New Roman characters in em (from its metric twin, Liberation Serif): wrapping is
# estimated from this table, never from the fonts installed where antq runs, so that equal data give equal
# bytes everywhere. A Vietnamese letter is as wide as its base letter (a horn adds a little).
_EM_GROUPS = {
    0.18: "'",
    0.2: "|",
    0.25: " .,",
    0.28: "ijlt:;/",
    0.33: "frI!()[]-",
    0.39: "sJ",
    0.41: '"',
    0.44: "acez?",
    0.5: "bdghknopquvxy0123456789_#*",
    0.56: "FPS+=<>",
    0.61: "ELTZ",
    0.67: "BCR",
    0.72: "wADGHKNOQUVXYĐ",
    0.78: "m&",
    0.83: "%",
    0.89: "M",
    0.92: "@",
    0.94: "W",
}
_EM = {ch: em for em, chars in _EM_GROUPS.items() for ch in chars}
_HORN = "\u031b"
_BOLD_WIDER = 1.06
_SAFETY = 1.05  # estimate a little wide: a line that wraps earlier than estimated would be cut off


@functools.cache
def _char_em(ch: str) -> float:
    em = _EM.get(ch)
    if em is not None:
        return em
    parts = unicodedata.normalize("NFD", ch)
    base = _EM.get(parts[0])
    if base is None:
        return 0.6
    return base + (0.04 if _HORN in parts else 0.0)


def text_width_pt(text: str, size: float = 11, bold: bool = False) -> float:
    return sum(_char_em(ch) for ch in text) * size * (_BOLD_WIDER if bold else 1.0) * _SAFETY


def column_pt(width: float) -> float:
    """The printed width of a column of `width` (Excel's unit: digits of the default font, 7 px each at
    96 dpi, plus 5 px of padding)."""
    return (width * 7 + 5) * 0.75


def lines_of(text: str, width: float, size: float = 11, bold: bool = False) -> int:
    """Lines `text` takes in a wrapped cell `width` wide: words go on a line while they fit, a word too
    long for a line is broken (as Excel and LibreOffice do)."""
    room = max(column_pt(width) - 6, 6)  # less the cell's inner margins
    space = text_width_pt(" ", size, bold)
    lines = 0
    for paragraph in text.split("\n"):
        lines += 1
        used = 0.0
        for word in paragraph.split(" "):
            w = text_width_pt(word, size, bold)
            if used and used + space + w <= room:
                used += space + w
                continue
            if used:
                lines += 1
            # a word wider than the line takes the lines it fills
            extra = math.ceil(w / room) - 1 if w > room else 0
            lines += extra
            used = w - extra * room if w > room else w
    return max(lines, 1)


def fit_heights(ws, first: int, last: int) -> None:
    """Row heights for wrapped text between rows `first` and `last`. A cell merged across columns of one
    row counts with the width of those columns; one merged across rows is left to its rows."""
    spans: dict[tuple[int, int], float] = {}
    covered: set[tuple[int, int]] = set()
    for rng in ws.merged_cells.ranges:
        cells = list(rng.cells)
        covered.update(cells)
        if rng.min_row == rng.max_row:
            spans[(rng.min_row, rng.min_col)] = sum(width_of(ws, c) for c in range(rng.min_col, rng.max_col + 1))
    widths: dict[int, float] = {}
    for r, row in enumerate(ws.iter_rows(min_row=first, max_row=last, max_col=ws.max_column), start=first):
        height = 0.0
        for cell in row:
            if not isinstance(cell.value, str) or not cell.value:
                continue
            key = (cell.row, cell.column)
            width = spans.get(key)
            if width is None:
                if key in covered:
                    continue
                width = widths.get(cell.column)
                if width is None:
                    width = widths[cell.column] = width_of(ws, cell.column)
            font = cell.font
            size = float(font.sz or 11) if font is not None else 11.0
            bold = bool(font.b) if font is not None else False
            lines = lines_of(shown_text(cell.value), width, size, bold)
            if lines > 1 or size > 11:
                height = max(height, _LINE_PT * size / 11 * lines + _PAD_PT)
        if height:
            ws.row_dimensions[r].height = min(height, _MAX_ROW_PT)


def shown_text(stored: str) -> str:
    """The text a cell shows, from what it stores (the `_x005F_` escapes undone)."""
    return stored.replace("_x005F_", "_") if "_x005F_" in stored else stored


# --- printing ---------------------------------------------------------------------------------------------


def print_setup(
    ws,
    *,
    title_rows: tuple[int, int] | None,
    n_cols: int,
    caption: str | None = None,
    title_cols: str | None = None,
    portrait: bool = False,
    last_row: int | None = None,
    one_page: bool = False,
    bands: Bands | None = None,
) -> None:
    """The page setup of every sheet (see the module docstring): `title_rows` repeat on every page,
    `caption` is printed at the head of every page; `one_page` fits the sheet on one page, also in height
    (a short table that would leave a row or two on a page of its own); `bands` prints a table too wide
    for one page as bands of whole column groups (`column_bands`) instead of shrinking it."""
    table_pt = sum(column_pt(width_of(ws, c)) for c in range(1, max(n_cols, 1) + 1))
    ws.page_setup.orientation = "portrait" if portrait else "landscape"
    if bands is not None and len(bands.bands) > 1:
        # Excel ignores page breaks in a sheet fitted to a number of pages: a fixed scale instead
        ws.page_setup.paperSize = _A4
        ws.page_setup.scale = bands.scale
        ws.sheet_properties.pageSetUpPr.fitToPage = False
        for _, last in bands.bands[:-1]:
            ws.col_breaks.append(Break(id=last))  # zero-based index of the next band's first column
        title_cols = f"A:{get_column_letter(bands.fixed)}"
    else:
        ws.page_setup.paperSize = _A4 if portrait else paper_for(table_pt)
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 1 if one_page else 0
        ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_margins.left = ws.page_margins.right = _SIDE_MARGIN_IN
    ws.page_margins.top = ws.page_margins.bottom = 0.6
    ws.page_margins.header = ws.page_margins.footer = 0.3
    ws.print_options.horizontalCentered = True
    if title_rows:
        ws.print_title_rows = f"{title_rows[0]}:{title_rows[1]}"
    if title_cols:
        ws.print_title_cols = title_cols
    if caption:
        ws.oddHeader.center.text = caption.replace("&", "&&")
        ws.oddHeader.center.size = 9
        ws.oddHeader.center.font = f"{FONT_NAME},Italic"
    ws.oddFooter.center.text = FOOTER
    ws.oddFooter.center.size = 9
    ws.oddFooter.center.font = FONT_NAME
    rows = max(last_row or ws.max_row, 1)
    ws.print_area = f"A1:{get_column_letter(max(n_cols, 1))}{rows}"


@dataclass(frozen=True)
class Bands:
    """A table too wide for one page at a readable size, printed as bands of whole column groups side by
    side: `scale` percent, each band (first, last column) one page wide, the `fixed` first columns
    repeated on every page."""

    scale: int
    bands: list[tuple[int, int]]
    fixed: int


def column_bands(widths: Sequence[float], spans: Sequence[int], fixed: int) -> Bands:
    """Cut the columns after the `fixed` first ones into bands of whole groups (`spans`: the width of each
    group in columns) for A4 landscape: the fewest pages at `_LEAST_SCALE` or more, then the largest scale
    that keeps that many (Excel's scale is a whole percent). Widths are taken as the wider of Excel's and
    LibreOffice's, and a band leaves 3 % of the page free: a band that did not fit would be cut again."""
    printed = [max(column_pt(w), w * 5.5) for w in widths]
    fixed_pt = sum(printed[:fixed])
    room = (_PAPER_WIDE_PT[_A4] - 2 * 72 * _SIDE_MARGIN_IN) * 0.97

    def pack(scale: int) -> list[tuple[int, int]]:
        budget = room * 100 / scale - fixed_pt
        bands, first, used, col = [], fixed + 1, 0.0, fixed + 1
        for span in spans:
            group = sum(printed[col - 1 : col - 1 + span])
            if used and used + group > budget:
                bands.append((first, col - 1))
                first, used = col, 0.0
            used += group
            col += span
        bands.append((first, col - 1))
        return bands

    least = round(_LEAST_SCALE * 100)
    fewest = len(pack(least))
    scale = next(s for s in range(100, least - 1, -1) if len(pack(s)) <= fewest)
    return Bands(scale, pack(scale), fixed)


def paper_for(table_pt: float) -> int:
    """A4 when the table prints one page wide there at `_LEAST_SCALE` or more, otherwise A3."""
    printable = _PAPER_WIDE_PT[_A4] - 2 * 72 * _SIDE_MARGIN_IN
    return _A4 if table_pt * _LEAST_SCALE <= printable else _A3


# --- tables -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    """A column of a table: its title, how to get its value from a row, and how to show it. `fmt` is a
    number format or a function of the row giving one; `width` fixed, or from the content within
    `least`..`most`; `link` gives a hyperlink target (see `link`) for a row."""

    title: str
    get: Callable[[Any], Any]
    fmt: str | Callable[[Any], str | None] | None = None
    width: float | None = None
    least: float = 6
    most: float = 40
    align: Alignment | None = None
    link: Callable[[Any], dict | None] | None = None


def table(
    ws,
    columns: Sequence[Column],
    rows: Sequence,
    *,
    top: int = 1,
    caption: str | None = None,
    first_col_frozen: int = 1,
    empty: str | None = None,
    autofilter: bool = True,
) -> int:
    """A table: one header row at `top`, a row per item of `rows`, column widths, row heights, frozen
    header, filter and page setup (the header repeated on every page). Returns the last row written."""
    for j, col in enumerate(columns, start=1):
        header(ws, top, j, col.title)
    widths = [max(col.least, max(map(_shown_length, col.title.split()), default=0) + 1) for col in columns]
    for i, item in enumerate(rows, start=top + 1):
        for j, col in enumerate(columns, start=1):
            value = col.get(item)
            fmt = col.fmt(item) if callable(col.fmt) else col.fmt
            cell = put(ws, i, j, value, fmt, align=col.align)
            if col.link is not None:
                link(cell, col.link(item))
            if col.width is None:
                widths[j - 1] = max(widths[j - 1], min(_shown_length(value), col.most))
    last = top + len(rows)
    if not rows and empty:
        last = top + 1
        put(ws, last, 1, empty, font=ITALIC, border=False, align=MIDDLE)
    set_widths(ws, [col.width if col.width is not None else w for col, w in zip(columns, widths)])
    fit_heights(ws, top, last)
    ws.freeze_panes = ws.cell(row=top + 1, column=first_col_frozen)
    if autofilter and rows:
        ws.auto_filter.ref = f"A{top}:{get_column_letter(len(columns))}{last}"
    print_setup(ws, title_rows=(top, top), n_cols=len(columns), caption=caption, last_row=last)
    return last


def _shown_length(value) -> float:
    """About how wide a value shows, in column widths (the cell's margins included)."""
    if value is None:
        return 0
    if isinstance(value, dt.datetime):
        return 16
    if isinstance(value, dt.date):
        return 11
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        return len(f"{value:,}") + 3
    return shown_width(str(value))


def shown_width(text: str, bold: bool = False) -> int:
    """The column width that shows `text` on one line (each of its lines)."""
    widest = max((text_width_pt(line, bold=bold) for line in text.split("\n")), default=0.0)
    return math.ceil((widest + 6) / 0.75 / 7)
