"""The period's Excel report for the provincial office: summary with the previous half-year, the
per-district annex, models by group, data quality (by check, and every finding with its cell), the
files received, and the charts. Laid out as Vietnamese official tables: heading block, bold centred
title, frozen header rows, A4 landscape.

Every text cell is written as text: a name from a submission that begins with '=', '+', '-', '@', a tab
or a line break is never stored as a formula (reports.text_cells)."""

from __future__ import annotations

import datetime as dt
import math
import weakref
from collections import Counter
from copy import copy
from decimal import Decimal
from pathlib import Path

from openpyxl import Workbook
from openpyxl.drawing.image import Image
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.pagebreak import Break

import catalog
from reports import published, stable_zip
from reports.charts import DPI as CHART_DPI
from reports.report_context import heading, settings, severity_label, unit_views
from reports.report_data import ReportData, model_groups
from reports.text_cells import put_text

SHEETS = {
    "summary": "Tổng hợp",
    "annex": "Phụ lục theo huyện",
    "models": "Mô hình theo nhóm",
    "quality": "Chất lượng dữ liệu",
    "findings": "Danh sách phát hiện",
    "files": "Tệp đã nhận",
    "charts": "Biểu đồ",
}
COUNT_FORMAT = "#,##0"
RATE_FORMAT = "0.00%"
COUNT_CHANGE_FORMAT = "+#,##0;-#,##0;0"
POINTS_FORMAT = "+0.00;-0.00;0.00"
DATE_FORMAT = "dd/mm/yyyy"

_THIN = Side(style="thin", color="FF808080")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_HEADER_FILL = PatternFill("solid", start_color="FFD9D9D9", end_color="FFD9D9D9")
_TOTAL_FILL = PatternFill("solid", start_color="FFF2F2F2", end_color="FFF2F2F2")
_BOLD = Font(name="Times New Roman", bold=True, size=11)
_BODY = Font(name="Times New Roman", size=11)
_TITLE = Font(name="Times New Roman", bold=True, size=14)
_ITALIC = Font(name="Times New Roman", italic=True, size=11)
_WRAP_CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
_WRAP_LEFT = Alignment(horizontal="left", vertical="center", wrap_text=True)
_MIDDLE = Alignment(vertical="center")
_ROW_PX = 20  # a default row is 15 pt, 20 px at Excel's 96 dpi
_LINE_PT = 14.5  # one line of 11 pt text
_CHARS_PER_WIDTH = 1.0  # Times New Roman 11 characters per unit of column width (a little generous)
_PAGE_PT = 740  # printable width of A4 landscape with the margins below, in points, less a margin
_ANNEX_SCALE = 80  # print scale of the annex, whose column groups go onto several pages


def write_xlsx(data: ReportData, path: Path, *, charts: dict[str, Path | None], stamp: dt.datetime) -> Path:
    """Write the workbook; `stamp` (derived from the inputs) fixes its dates, so equal data give equal bytes."""
    head = heading(data)
    wb = Workbook()
    wb.remove(wb.active)
    _summary(wb.create_sheet(SHEETS["summary"]), data, head)
    _annex(wb.create_sheet(SHEETS["annex"]), data, head)
    _models(wb.create_sheet(SHEETS["models"]), data, head)
    _quality(wb.create_sheet(SHEETS["quality"]), data, head)
    _findings(wb.create_sheet(SHEETS["findings"]), data, head)
    _files(wb.create_sheet(SHEETS["files"]), data, head)
    _charts(wb.create_sheet(SHEETS["charts"]), data, head, charts)
    wb.properties.creator = wb.properties.lastModifiedBy = "antq"
    wb.properties.title = head.title
    wb.properties.language = "vi-VN"
    return stable_zip.save_workbook(wb, path, stamp)


# --- cells -----------------------------------------------------------------------------------------------

# Per workbook: (cell style before styling, format, font, alignment, border) -> the style ids they give.
# openpyxl hashes the whole Font/Alignment/Border object on every assignment, most of the workbook's time
# on a large province: the first cell of each combination is styled as usual (so the workbook's style
# tables fill in the same order, the same bytes), the others copy its ids.
_STYLES: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _put(ws, row: int, col: int, value, fmt: str | None = None, font=_BODY, align=None, border=True):
    cell = ws.cell(row=row, column=col)
    if isinstance(value, str):
        put_text(cell, value)
    elif isinstance(value, Decimal):
        cell.value = float(value)
    elif value is not None:
        cell.value = value
    if align is None:
        align = _WRAP_LEFT if isinstance(value, str) else _MIDDLE
    styles = _STYLES.setdefault(ws.parent, {})
    # ids, not the objects' (costly) hashes; the entry keeps font and align alive, so their ids stay theirs
    key = (tuple(cell._style or ()), fmt, id(font), id(align), border)
    known = styles.get(key)
    if known is not None:
        cell._style = copy(known[2])
        return cell
    if fmt:
        cell.number_format = fmt
    cell.font = font
    cell.alignment = align
    if border:
        cell.border = _BORDER
    styles[key] = (font, align, copy(cell._style))
    return cell


def _rate(rate_value: Decimal | None) -> Decimal | None:
    """A printed rate (percent, two decimals) as the fraction Excel formats with 0.00%."""
    return None if rate_value is None else rate_value / 100


def _text_width(rows: list[dict], key: str, least: int, most: int = 70) -> int:
    """A column width that shows the longest value of `key` on one line, within bounds."""
    return min(most, max([least] + [len(str(r[key])) + 2 for r in rows if r.get(key)]))


def _header(ws, row: int, col: int, text: str, *, rows: int = 1, cols: int = 1) -> None:
    for r in range(row, row + rows):
        for c in range(col, col + cols):
            cell = ws.cell(row=r, column=c)
            cell.border = _BORDER
            cell.fill = _HEADER_FILL
    cell = ws.cell(row=row, column=col)
    put_text(cell, text)
    cell.font = _BOLD
    cell.alignment = _WRAP_CENTER
    if rows > 1 or cols > 1:
        ws.merge_cells(start_row=row, start_column=col, end_row=row + rows - 1, end_column=col + cols - 1)


def _widths(ws, widths: list[float]) -> None:
    for i, w in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = w


def _fit_heights(ws, first: int, last: int) -> None:
    """Row heights for wrapped text: spreadsheet programs do not all grow a row on opening the file."""
    merged = {cell for rng in ws.merged_cells.ranges for cell in rng.cells}
    # The rows in one iter_rows over the sheet's columns, found once: `ws[r]` recounts the sheet's
    # columns over every cell on each call (rows² × columns for a sheet). Same cells, same order.
    widths: dict[int, float] = {}
    for r, row in enumerate(ws.iter_rows(min_row=first, max_row=last, max_col=ws.max_column), start=first):
        lines = 1
        for cell in row:
            if not isinstance(cell.value, str) or (cell.row, cell.column) in merged:
                continue
            width = widths.get(cell.column)
            if width is None:
                width = widths[cell.column] = ws.column_dimensions[get_column_letter(cell.column)].width or 10
            for part in cell.value.split("\n"):
                lines = max(lines, math.ceil(len(part) * _CHARS_PER_WIDTH / max(width - 1, 1)))
        if lines > 1:
            ws.row_dimensions[r].height = _LINE_PT * lines + 3


# --- layout --------------------------------------------------------------------------------------------


def _heading_block(ws, head, title: str, subtitle: str, n_cols: int, left: int | None = None) -> int:
    """Heading block (issuer over the first `left` columns, national title right), then the bold centred
    title; returns the first free row."""
    left = left or max(2, n_cols * 2 // 5)
    rows = [(head.issuer_parent, _BODY, head.nation, _BOLD), (head.issuer, _BOLD, head.motto, _BOLD)]
    for r, (ltext, lfont, rtext, rfont) in enumerate(rows, start=1):
        for col, span, text, font in ((1, left, ltext, lfont), (left + 1, n_cols - left, rtext, rfont)):
            cell = ws.cell(row=r, column=col)
            put_text(cell, text)
            cell.font = font
            cell.alignment = _WRAP_CENTER
            if span > 1:
                ws.merge_cells(start_row=r, start_column=col, end_row=r, end_column=col + span - 1)
        ws.row_dimensions[r].height = 30
    for r, text, font, height in ((4, title, _TITLE, 36), (5, subtitle, _ITALIC, 18)):
        cell = ws.cell(row=r, column=1)
        put_text(cell, text)
        cell.font = font
        cell.alignment = _WRAP_CENTER
        ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=max(n_cols, 1))
        ws.row_dimensions[r].height = height
    return 7


def _print_setup(
    ws, header_rows: tuple[int, int], n_cols: int, title_cols: str | None = None, pages_wide: int = 1
) -> None:
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = pages_wide
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = ws.page_margins.bottom = 0.5
    ws.print_options.horizontalCentered = True
    ws.print_title_rows = f"{header_rows[0]}:{header_rows[1]}"
    if title_cols:
        ws.print_title_cols = title_cols
    ws.oddFooter.center.text = "Trang &P/&N"
    ws.print_area = f"A1:{get_column_letter(max(n_cols, 1))}{max(ws.max_row, 1)}"


def _subtitle(data: ReportData) -> str:
    return (
        f"Kỳ báo cáo: {data.period_label} ({data.period}); số liệu theo các báo cáo lập đến {data.data_date:%d/%m/%Y}"
    )


# --- sheets --------------------------------------------------------------------------------------------


def _summary(ws, data: ReportData, head) -> None:
    views = unit_views(data.province, data.previous_province)
    has_prev = data.previous_period is not None
    n_cols = 10 if has_prev else 5
    row = _heading_block(ws, head, head.table_title, _subtitle(data), n_cols)
    _header(ws, row, 1, "STT", rows=2)
    _header(ws, row, 2, "Chỉ tiêu", rows=2)
    _header(ws, row, 3, data.period_label, cols=3)
    for i, text in enumerate(("Số đạt", "Tổng số", "Tỷ lệ")):
        _header(ws, row + 1, 3 + i, text)
    if has_prev:
        _header(ws, row, 6, data.previous_label, cols=3)
        for i, text in enumerate(("Số đạt", "Tổng số", "Tỷ lệ")):
            _header(ws, row + 1, 6 + i, text)
        _header(ws, row, 9, "So với kỳ trước", cols=2)
        _header(ws, row + 1, 9, "Tăng, giảm số đạt")
        _header(ws, row + 1, 10, "Tăng, giảm tỷ lệ (điểm %)")
    first = row + 2
    for i, v in enumerate(views.values()):
        r = first + i
        _put(ws, r, 1, i + 1, align=_WRAP_CENTER)
        _put(ws, r, 2, v.label)
        _put(ws, r, 3, v.achieved, COUNT_FORMAT)
        _put(ws, r, 4, v.total, COUNT_FORMAT)
        _put(ws, r, 5, _rate(v.rate_value), RATE_FORMAT)
        if has_prev:
            p = v.prev
            _put(ws, r, 6, p.achieved if p else None, COUNT_FORMAT)
            _put(ws, r, 7, p.total if p else None, COUNT_FORMAT)
            _put(ws, r, 8, _rate(p.rate_value) if p else None, RATE_FORMAT)
            _put(ws, r, 9, v.delta, COUNT_CHANGE_FORMAT)
            _put(ws, r, 10, v.delta_points, POINTS_FORMAT)
    _widths(ws, [6, 58, 11, 11, 10, 11, 11, 10, 12, 13][:n_cols])
    _fit_heights(ws, row, first + len(views))
    ws.freeze_panes = ws.cell(row=first, column=3)
    note_row = first + len(views) + 1
    put_text(
        ws.cell(row=note_row, column=1),
        "Tỷ lệ làm tròn hai chữ số thập phân; chỉ ghi 100,00% khi đạt tất cả, 0,00% khi không đạt đơn vị nào.",
    )
    ws.cell(row=note_row, column=1).font = _ITALIC
    _print_setup(ws, (row, row + 1), n_cols)


def _annex(ws, data: ReportData, head) -> None:
    indicators = catalog.indicators()
    spans = [3 if i["has_total"] else 1 for i in indicators]
    n_cols = 3 + sum(spans)
    row = _heading_block(
        ws,
        head,
        f"PHỤ LỤC: KẾT QUẢ THEO ĐƠN VỊ HÀNH CHÍNH CẤP HUYỆN, {data.period_label.upper()}",
        _subtitle(data),
        min(n_cols, 16),
        left=3,
    )
    _header(ws, row, 1, "STT", rows=2)
    _header(ws, row, 2, "Mã", rows=2)
    _header(ws, row, 3, "Đơn vị", rows=2)
    col = 4
    for spec, span in zip(indicators, spans):
        _header(ws, row, col, spec["label_vi"], cols=span)
        words = ("Số đạt", "Tổng số", "Tỷ lệ") if span == 3 else ("Số lượng",)
        for k, text in enumerate(words):
            _header(ws, row + 1, col + k, text)
        col += span
    ws.row_dimensions[row].height = 64
    units = [*data.districts, data.province]
    first = row + 2
    for i, unit in enumerate(units):
        r = first + i
        is_total = unit is data.province
        font = _BOLD if is_total else _BODY
        _put(ws, r, 1, None if is_total else i + 1, align=_WRAP_CENTER)
        _put(ws, r, 2, unit.code, "@", font=font)
        _put(ws, r, 3, "Toàn tỉnh" if is_total else unit.name, font=font)
        views = unit_views(unit)
        col = 4
        for spec, span in zip(indicators, spans):
            v = views.get(spec["indicator"])
            values = (
                ((v.achieved, v.total, _rate(v.rate_value)) if span == 3 else (v.achieved,)) if v else (None,) * span
            )
            for k, value in enumerate(values):
                _put(ws, r, col + k, value, RATE_FORMAT if k == 2 else COUNT_FORMAT, font=font)
            col += span
        if is_total:
            for c in range(1, n_cols + 1):
                ws.cell(row=r, column=c).fill = _TOTAL_FILL
    widths = [6, 8, 26] + [10 if span == 3 else 12 for span in spans for _ in range(span)]
    _widths(ws, widths)
    _fit_heights(ws, first, first + len(units))
    ws.freeze_panes = ws.cell(row=first, column=4)
    _print_setup(ws, (row, row + 1), n_cols, title_cols="A:C")
    _annex_page_breaks(ws, widths, spans)


def _annex_page_breaks(ws, widths: list[float], spans: list[int]) -> None:
    """Print the annex at a fixed scale with page breaks between indicator groups (never inside one),
    the unit columns repeated on every page."""
    ws.sheet_properties.pageSetUpPr.fitToPage = False
    ws.page_setup.scale = _ANNEX_SCALE
    to_pt = 6.0 * _ANNEX_SCALE / 100  # points per unit of column width at the print scale (generous)
    budget = _PAGE_PT - sum(widths[:3]) * to_pt
    used, col = 0.0, 4
    for span in spans:
        group = sum(widths[col - 1 : col - 1 + span]) * to_pt
        if used and used + group > budget:
            ws.col_breaks.append(Break(id=col - 1))
            used = 0.0
        used += group
        col += span


def _models(ws, data: ReportData, head) -> None:
    groups = model_groups()
    labels = {i["indicator"]: i["label_vi"] for i in catalog.indicators()}
    names = settings()["model_rows"]
    n_cols = 3 + len(groups)
    row = _heading_block(
        ws, head, f"MÔ HÌNH “TỰ PHÒNG, TỰ QUẢN” THEO NHÓM, {data.period_label.upper()}", _subtitle(data), n_cols
    )
    _header(ws, row, 1, "STT")
    _header(ws, row, 2, "Đơn vị")
    for k, (_, indicator) in enumerate(groups):
        _header(ws, row, 3 + k, labels[indicator])
    _header(ws, row, 3 + len(groups), "Tổng số")
    ws.row_dimensions[row].height = 64
    totals: Counter = Counter()
    r = row
    for i, line in enumerate(data.model_rows, start=1):
        r = row + i
        _put(ws, r, 1, i, align=_WRAP_CENTER)
        _put(ws, r, 2, line.name if line.kind == "district" else names[line.kind])
        for k, (group, _) in enumerate(groups):
            _put(ws, r, 3 + k, line.by_group.get(group, 0), COUNT_FORMAT)
        _put(ws, r, 3 + len(groups), sum(line.by_group.values()), COUNT_FORMAT)
        totals.update(line.by_group)
    r += 1
    _put(ws, r, 1, None)
    _put(ws, r, 2, "Toàn tỉnh", font=_BOLD)
    for k, (group, _) in enumerate(groups):
        _put(ws, r, 3 + k, totals.get(group, 0), COUNT_FORMAT, font=_BOLD)
    _put(ws, r, 3 + len(groups), sum(totals.values()), COUNT_FORMAT, font=_BOLD)
    for c in range(1, n_cols + 1):
        ws.cell(row=r, column=c).fill = _TOTAL_FILL
    _widths(ws, [6, 40] + [16] * len(groups) + [11])
    _fit_heights(ws, row + 1, r)
    ws.freeze_panes = ws.cell(row=row + 1, column=3)
    _print_setup(ws, (row, row), n_cols)


def _quality(ws, data: ReportData, head) -> None:
    checks = catalog.checks()
    counts = published.count_by(data.findings, "check_code")
    c = data.completeness
    levels = settings()["reporter_level"]
    n_cols = 5
    row = _heading_block(ws, head, f"KIỂM TRA CHẤT LƯỢNG DỮ LIỆU, {data.period_label.upper()}", _subtitle(data), n_cols)
    lines = [
        f"Đơn vị đã có báo cáo hợp lệ: {sum(c.received.values())}/{sum(c.expected.values())} ("
        + "; ".join(f"{levels[k]}: {c.received[k]}/{c.expected[k]}" for k in c.expected if c.expected[k])
        + ")",
        "Tệp trong hộp thư của kỳ: "
        + "; ".join(
            f"{word}: {c.files_by_status[s]}"
            for s, word in settings()["file_status"].items()
            if c.files_by_status.get(s)
        ),
        "Phát hiện: " + "; ".join(f"{severity_label(s)}: {n}" for s, n in c.findings_by_severity.items()),
    ]
    for line in lines:
        cell = ws.cell(row=row, column=1)
        put_text(cell, line)
        cell.font = _BODY
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=n_cols)
        row += 1
    row += 1
    for k, text in enumerate(
        ("Mã kiểm tra", "Nội dung kiểm tra", "Mức độ", "Số phát hiện", "Ảnh hưởng đến số liệu"), start=1
    ):
        _header(ws, row, k, text)
    header_row = row
    ordered = sorted(checks.values(), key=lambda ch: (catalog.SEVERITY_ORDER[ch["severity"]], ch["code"]))
    for ch in ordered:
        row += 1
        _put(ws, row, 1, ch["code"])
        _put(ws, row, 2, ch["title_vi"])
        _put(ws, row, 3, severity_label(ch["severity"]), align=_WRAP_CENTER)
        _put(ws, row, 4, counts.get(ch["code"], 0), COUNT_FORMAT, font=_BOLD if counts.get(ch["code"]) else _BODY)
        _put(ws, row, 5, ch["effect_vi"])
    _widths(ws, [36, 46, 12, 13, 46])
    _fit_heights(ws, header_row, row)
    ws.freeze_panes = ws.cell(row=header_row + 1, column=1)
    _print_setup(ws, (header_row, header_row), n_cols)


def _findings(ws, data: ReportData, head) -> None:
    columns = ("STT", "Mức độ", "Mã kiểm tra", "Mã đơn vị", "Tệp", "Trang", "Dòng", "Nội dung")
    n_cols = len(columns)
    row = _heading_block(
        ws, head, f"DANH SÁCH PHÁT HIỆN VỀ CHẤT LƯỢNG DỮ LIỆU, {data.period_label.upper()}", _subtitle(data), n_cols
    )
    for k, text in enumerate(columns, start=1):
        _header(ws, row, k, text)
    for i, f in enumerate(data.findings, start=1):
        r = row + i
        _put(ws, r, 1, i, align=_WRAP_CENTER)
        _put(ws, r, 2, severity_label(f["severity"]), align=_WRAP_CENTER)
        _put(ws, r, 3, f["check_code"])
        _put(ws, r, 4, f["org_unit_code"], "@")
        _put(ws, r, 5, f["source_file"])
        _put(ws, r, 6, f["sheet_name"])
        _put(ws, r, 7, f["row_number"], "0")
        _put(ws, r, 8, f["message"])
    if not data.findings:
        _put(ws, row + 1, 1, "Không có phát hiện nào trong kỳ.", border=False, font=_ITALIC)
    _widths(ws, [6, 11, 30, 12, _text_width(data.findings, "source_file", 40), 20, 7, 70])
    _fit_heights(ws, row + 1, row + len(data.findings))
    ws.freeze_panes = ws.cell(row=row + 1, column=1)
    ws.auto_filter.ref = f"A{row}:{get_column_letter(n_cols)}{row + max(len(data.findings), 1)}"
    _print_setup(ws, (row, row), n_cols)


def _files(ws, data: ReportData, head) -> None:
    columns = (
        "STT",
        "Tệp",
        "Cấp",
        "Mã đơn vị",
        "Tên đơn vị (như ghi trong tệp)",
        "Phiên bản",
        "Ngày lập",
        "Tình trạng",
        "Số dòng đọc",
        "Số dòng được tính",
        "Số dòng bị loại",
        "Lý do",
    )
    n_cols = len(columns)
    levels, statuses = settings()["reporter_level"], settings()["file_status"]
    row = _heading_block(ws, head, f"CÁC TỆP BÁO CÁO ĐÃ NHẬN, {data.period_label.upper()}", _subtitle(data), n_cols)
    for k, text in enumerate(columns, start=1):
        _header(ws, row, k, text)
    for i, s in enumerate(data.submissions, start=1):
        r = row + i
        _put(ws, r, 1, i, align=_WRAP_CENTER)
        _put(ws, r, 2, s["source_file"])
        _put(ws, r, 3, levels.get(s["reporter_level"], s["reporter_level"]))
        _put(ws, r, 4, s["reporter_code"], "@")
        _put(ws, r, 5, s["reporter_name"])
        _put(ws, r, 6, s["version"], "0")
        _put(ws, r, 7, s["created_on"], DATE_FORMAT)
        status = s["submission_status"] or "unknown_unit"
        _put(ws, r, 8, statuses.get(status, status))
        _put(ws, r, 9, s["rows_read"], COUNT_FORMAT)
        _put(ws, r, 10, s["rows_counted"], COUNT_FORMAT)
        _put(ws, r, 11, s["rows_excluded"], COUNT_FORMAT)
        _put(ws, r, 12, s["rejection_reason"])
    _widths(ws, [6, _text_width(data.submissions, "source_file", 44), 10, 10, 30, 9, 11, 26, 10, 10, 10, 40])
    _fit_heights(ws, row, row + len(data.submissions))
    ws.freeze_panes = ws.cell(row=row + 1, column=3)
    ws.auto_filter.ref = f"A{row}:{get_column_letter(n_cols)}{row + max(len(data.submissions), 1)}"
    _print_setup(ws, (row, row), n_cols)


def _charts(ws, data: ReportData, head, charts: dict[str, Path | None]) -> None:
    row = _heading_block(ws, head, f"BIỂU ĐỒ, {data.period_label.upper()}", _subtitle(data), 10)
    for path in charts.values():
        if path is None:
            continue
        image = Image(str(path))
        # openpyxl shows an image one pixel per screen pixel: back to the chart's size in inches
        image.width, image.height = (round(image.width * 96 / CHART_DPI), round(image.height * 96 / CHART_DPI))
        ws.add_image(image, f"A{row}")
        row += math.ceil(image.height / _ROW_PX) + 2
    _widths(ws, [10] * 10)
    ws.page_setup.orientation = "portrait"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
