"""The period's Excel report for the provincial office: summary with the previous half-year, the
per-district annex, models by group, data quality (by check, and every finding with its cell), the
files received, and the charts. Laid out as Vietnamese official tables: heading block, bold centred
title, frozen header rows; printed one page wide (the 48-column annex in bands of whole indicators, each
one page wide), header rows repeated, "Trang N/M" at the foot (reports.xlsx_sheet, shared with the
auditors' workbook).

Every text cell is written as text: a name from a submission that begins with '=', '+', '-', '@', a tab
or a line break is never stored as a formula (reports.text_cells). Counts and rates are numbers with
number formats (reports.xlsx_sheet), so that they sort and add up."""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter
from decimal import Decimal
from pathlib import Path

from openpyxl.drawing.image import Image

import catalog
from reports import published, report_context, stable_zip
from reports import xlsx_sheet as xs
from reports.charts import DPI as CHART_DPI
from reports.report_context import heading, province_views, settings, severity_label, unit_views
from reports.report_data import ReportData, model_groups
from reports.xlsx_sheet import BODY, BOLD, COUNT, ITALIC, RATE, TOTAL_FILL, WRAP_CENTER, WRAP_LEFT, Column

SHEETS = {
    "summary": "Tổng hợp",
    "annex": "Phụ lục theo huyện",
    "models": "Mô hình theo nhóm",
    "quality": "Chất lượng dữ liệu",
    "findings": "Danh sách phát hiện",
    "files": "Tệp đã nhận",
    "charts": "Biểu đồ",
}
COUNT_FORMAT = COUNT
RATE_FORMAT = RATE
_ROW_PX = 20  # a default row is 15 pt, 20 px at Excel's 96 dpi
_HEADING_ROWS = (30, 30, None, 36, 18)  # least heights of the heading block's rows 1..5


def write_xlsx(data: ReportData, path: Path, *, charts: dict[str, Path | None], stamp: dt.datetime) -> Path:
    """Write the workbook; `stamp` (derived from the inputs) fixes its dates, so equal data give equal bytes."""
    head = heading(data)
    wb = xs.new_workbook()
    _summary(wb.create_sheet(SHEETS["summary"]), data, head)
    if data.district_level:  # two-level structure: no district, no annex by district
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


def _rate(rate_value: Decimal | None) -> Decimal | None:
    """A printed rate (percent, two decimals) as the fraction Excel formats with 0.00%."""
    return None if rate_value is None else rate_value / 100


def _caption(ws, data: ReportData) -> str:
    """The running title at the head of every printed page."""
    return f"{ws.title}, {data.period_label}"


# --- layout --------------------------------------------------------------------------------------------


def _heading_block(
    ws,
    head,
    title: str,
    subtitle: str,
    n_cols: int,
    left: int | None = None,
    right: int | None = None,
    first: int = 1,
) -> int:
    """Heading block (issuer over `left` columns from column `first`, national title over the last
    `right` up to `n_cols`, by default the rest), then the bold centred title; returns the first free
    row. Row heights come with `_finish`, once the widths are known."""
    span = n_cols - first + 1
    left = left or max(2, span * 2 // 5)
    right = right or span - left
    rows = [(head.issuer_parent, BODY, head.nation, BOLD), (head.issuer, BOLD, head.motto, BOLD)]
    for r, (ltext, lfont, rtext, rfont) in enumerate(rows, start=1):
        for col, width, text, font in ((first, left, ltext, lfont), (n_cols - right + 1, right, rtext, rfont)):
            xs.put(ws, r, col, text, font=font, align=WRAP_CENTER, border=False)
            if width > 1:
                ws.merge_cells(start_row=r, start_column=col, end_row=r, end_column=col + width - 1)
    for r, text, font in ((4, title, xs.TITLE), (5, subtitle, ITALIC)):
        xs.put(ws, r, first, text, font=font, align=WRAP_CENTER, border=False)
        ws.merge_cells(start_row=r, start_column=first, end_row=r, end_column=max(n_cols, first))
    return 7


def _finish(
    ws,
    data: ReportData,
    header_rows: tuple[int, int],
    n_cols: int,
    last: int,
    one_page: bool = False,
    bands: xs.Bands | None = None,
) -> None:
    """Row heights of the heading block and the table, and the page setup (`one_page`: the sheet is one
    table of the indicators, printed on one page)."""
    xs.fit_heights(ws, 1, last)
    for r, least in enumerate(_HEADING_ROWS, start=1):
        if least:
            ws.row_dimensions[r].height = max(least, ws.row_dimensions[r].height or 0)
    xs.print_setup(
        ws, title_rows=header_rows, n_cols=n_cols, caption=_caption(ws, data), one_page=one_page, bands=bands
    )


def _subtitle(data: ReportData) -> str:
    return (
        f"Kỳ báo cáo: {data.period_label} ({data.period}); số liệu theo các báo cáo lập đến {data.data_date:%d/%m/%Y}"
    )


# --- sheets --------------------------------------------------------------------------------------------


def _summary(ws, data: ReportData, head) -> None:
    views = province_views(data)
    has_prev = data.previous_period is not None
    n_cols = 10 if has_prev else 5
    row = _heading_block(ws, head, head.table_title, _subtitle(data), n_cols)
    xs.header(ws, row, 1, "STT", rows=2)
    xs.header(ws, row, 2, "Chỉ tiêu", rows=2)
    xs.header(ws, row, 3, data.period_label, cols=3)
    for i, text in enumerate(("Số đạt", "Tổng số", "Tỷ lệ")):
        xs.header(ws, row + 1, 3 + i, text)
    if has_prev:
        xs.header(ws, row, 6, data.previous_label, cols=3)
        for i, text in enumerate(("Số đạt", "Tổng số", "Tỷ lệ")):
            xs.header(ws, row + 1, 6 + i, text)
        xs.header(ws, row, 9, "So với kỳ trước", cols=2)
        xs.header(ws, row + 1, 9, "Tăng, giảm số đạt")
        xs.header(ws, row + 1, 10, "Tăng, giảm tỷ lệ (điểm %)")
    first = row + 2
    for i, v in enumerate(views.values()):
        r = first + i
        xs.put(ws, r, 1, i + 1, align=WRAP_CENTER)
        xs.put(ws, r, 2, v.label)
        if not v.applicable:  # a district-level indicator without a district level: words, never 0/0
            _words(ws, r, 3, 5, v.ratio)
            if has_prev:
                if v.change_text and v.prev.comparable:  # the previous half-year had the level: its figures
                    xs.put(ws, r, 6, v.prev.achieved, COUNT)
                    xs.put(ws, r, 7, v.prev.total, COUNT)
                    xs.put(ws, r, 8, _rate(v.prev.rate_value), RATE)
                else:
                    _words(ws, r, 6, 8, v.ratio)
                _words(ws, r, 9, 10, v.change_text)
            continue
        xs.put(ws, r, 3, v.achieved, COUNT)
        xs.put(ws, r, 4, v.total, COUNT)
        xs.put(ws, r, 5, _rate(v.rate_value), RATE)
        if has_prev and v.prev is not None and not v.prev.comparable:  # before a reform (issue 13): words, never 0
            _words(ws, r, 6, 8, v.prev.ratio)
            _words(ws, r, 9, 10, v.change_text)
        elif has_prev:
            p = v.prev
            xs.put(ws, r, 6, p.achieved if p else None, COUNT)
            xs.put(ws, r, 7, p.total if p else None, COUNT)
            xs.put(ws, r, 8, _rate(p.rate_value) if p else None, RATE)
            xs.put(ws, r, 9, v.delta, xs.COUNT_CHANGE)
            xs.put(ws, r, 10, v.delta_points, xs.POINTS)
    xs.set_widths(ws, [6, 64, 11, 11, 10, 11, 11, 10, 12, 13][:n_cols])
    ws.freeze_panes = ws.cell(row=first, column=3)
    note_row = first + len(views) + 1
    xs.put(
        ws,
        note_row,
        1,
        "Tỷ lệ làm tròn hai chữ số thập phân; chỉ ghi 100,00% khi đạt tất cả, 0,00% khi không đạt đơn vị nào.",
        font=ITALIC,
        align=WRAP_LEFT,
        border=False,
    )
    ws.merge_cells(start_row=note_row, start_column=1, end_row=note_row, end_column=n_cols)
    _finish(ws, data, (row, row + 1), n_cols, note_row, one_page=True)


def _words(ws, row: int, first: int, last: int, text: str) -> None:
    """Text over the figure cells `first`..`last` of a row, centred (e.g. "Không áp dụng")."""
    for col in range(first, last + 1):
        xs.put(ws, row, col, text if col == first else None, align=WRAP_CENTER)
    ws.merge_cells(start_row=row, start_column=first, end_row=row, end_column=last)


def _annex(ws, data: ReportData, head) -> None:
    """One table of every unit by every indicator, 48 columns: printed as bands of whole indicators, each
    one A4 page wide, the unit columns repeated (reports.xlsx_sheet.column_bands); one page wide on A3 it
    would print at half size."""
    indicators = catalog.indicators()
    spans = [3 if i["has_total"] else 1 for i in indicators]
    n_cols = 3 + sum(spans)
    units = [*data.districts, data.province]
    # as narrow as the figures allow (299.882, 100,00%), so that the table prints as large as it can
    name_width = min(30, max(16, *(xs.shown_width(u.name, bold=True) for u in units)))
    widths = [5, 6, name_width] + [8 if span == 3 else 9 for span in spans for _ in range(span)]
    xs.set_widths(ws, widths)
    bands = xs.column_bands(widths, spans, fixed=3)
    # The heading block and title on the first page only: right of the unit columns, which every page
    # repeats (a heading in them would print again, cut, on every page).
    first_page = bands.bands[0][1]
    row = _heading_block(
        ws,
        head,
        f"PHỤ LỤC: KẾT QUẢ THEO ĐƠN VỊ HÀNH CHÍNH CẤP HUYỆN, {data.period_label.upper()}",
        _subtitle(data),
        first_page,
        left=6,
        right=6,
        first=4,
    )
    xs.header(ws, row, 1, "STT", rows=2)
    xs.header(ws, row, 2, "Mã", rows=2)
    xs.header(ws, row, 3, "Đơn vị", rows=2)
    col = 4
    for spec, span in zip(indicators, spans):
        xs.header(ws, row, col, spec["label_vi"], cols=span)
        words = ("Số đạt", "Tổng số", "Tỷ lệ") if span == 3 else ("Số lượng",)
        for k, text in enumerate(words):
            xs.header(ws, row + 1, col + k, text)
        col += span
    first = row + 2
    for i, unit in enumerate(units):
        r = first + i
        is_total = unit is data.province
        font, fill = (BOLD, TOTAL_FILL) if is_total else (BODY, None)
        xs.put(ws, r, 1, None if is_total else i + 1, align=WRAP_CENTER, fill=fill)
        xs.put(ws, r, 2, unit.code, xs.TEXT, font=font, fill=fill)
        xs.put(ws, r, 3, "Toàn tỉnh" if is_total else unit.name, font=font, fill=fill)
        views = unit_views(unit)
        col = 4
        for spec, span in zip(indicators, spans):
            v = views.get(spec["indicator"])
            values = (
                ((v.achieved, v.total, _rate(v.rate_value)) if span == 3 else (v.achieved,)) if v else (None,) * span
            )
            for k, value in enumerate(values):
                xs.put(ws, r, col + k, value, RATE if k == 2 else COUNT, font=font, fill=fill)
            col += span
    ws.freeze_panes = ws.cell(row=first, column=4)
    _finish(ws, data, (row, row + 1), n_cols, first + len(units) - 1, bands=bands)


def _models(ws, data: ReportData, head) -> None:
    groups = model_groups()
    labels = {i["indicator"]: i["label_vi"] for i in catalog.indicators()}
    names = settings()["model_rows"]
    n_cols = 3 + len(groups)
    row = _heading_block(
        ws, head, f"MÔ HÌNH “TỰ PHÒNG, TỰ QUẢN” THEO NHÓM, {data.period_label.upper()}", _subtitle(data), n_cols
    )
    xs.header(ws, row, 1, "STT")
    xs.header(ws, row, 2, "Đơn vị")
    for k, (_, indicator) in enumerate(groups):
        xs.header(ws, row, 3 + k, labels[indicator])
    xs.header(ws, row, 3 + len(groups), "Tổng số")
    totals: Counter = Counter()
    r = row
    for i, line in enumerate(data.model_rows, start=1):
        r = row + i
        xs.put(ws, r, 1, i, align=WRAP_CENTER)
        xs.put(ws, r, 2, line.name if line.kind == "district" else names[line.kind])
        for k, (group, _) in enumerate(groups):
            xs.put(ws, r, 3 + k, line.by_group.get(group, 0), COUNT)
        xs.put(ws, r, 3 + len(groups), sum(line.by_group.values()), COUNT)
        totals.update(line.by_group)
    r += 1
    xs.put(ws, r, 1, None, fill=TOTAL_FILL)
    xs.put(ws, r, 2, "Toàn tỉnh", font=BOLD, fill=TOTAL_FILL)
    for k, (group, _) in enumerate(groups):
        xs.put(ws, r, 3 + k, totals.get(group, 0), COUNT, font=BOLD, fill=TOTAL_FILL)
    xs.put(ws, r, 3 + len(groups), sum(totals.values()), COUNT, font=BOLD, fill=TOTAL_FILL)
    xs.set_widths(ws, [6, 40] + [16] * len(groups) + [11])
    ws.freeze_panes = ws.cell(row=row + 1, column=3)
    _finish(ws, data, (row, row), n_cols, r)


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
            f"{word}: {c.files_by_status[s]}" for s, word in _status_words().items() if c.files_by_status.get(s)
        ),
        "Phát hiện: " + "; ".join(f"{severity_label(s)}: {n}" for s, n in c.findings_by_severity.items()),
    ]
    for line in lines:
        xs.put(ws, row, 1, line, border=False)
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=n_cols)
        row += 1
    row += 1
    ordered = sorted(checks.values(), key=lambda ch: (catalog.SEVERITY_ORDER[ch["severity"]], ch["code"]))
    columns = [
        Column("Mã kiểm tra", lambda ch: ch["code"], most=44),
        Column("Nội dung kiểm tra", lambda ch: ch["title_vi"], width=46),
        Column("Mức độ", lambda ch: severity_label(ch["severity"]), width=12, align=WRAP_CENTER),
        Column("Số phát hiện", lambda ch: counts.get(ch["code"], 0), COUNT, width=13),
        Column("Ảnh hưởng đến số liệu", lambda ch: ch["effect_vi"], width=46),
    ]
    last = xs.table(ws, columns, ordered, top=row, autofilter=False)
    for r, ch in enumerate(ordered, start=row + 1):
        if counts.get(ch["code"]):
            ws.cell(row=r, column=4).font = BOLD
    _finish(ws, data, (row, row), n_cols, last)


def _findings(ws, data: ReportData, head) -> None:
    columns = [
        Column("STT", lambda x: x[0], width=6, align=WRAP_CENTER),
        Column("Mức độ", lambda x: severity_label(x[1]["severity"]), width=11, align=WRAP_CENTER),
        Column("Mã kiểm tra", lambda x: x[1]["check_code"], most=40),
        Column("Mã đơn vị", lambda x: x[1]["org_unit_code"], xs.TEXT, width=12),
        Column("Tệp", lambda x: x[1]["source_file"], least=20, most=40),
        Column("Trang", lambda x: x[1]["sheet_name"], width=20),
        Column("Dòng", lambda x: x[1]["row_number"], xs.WHOLE, width=7),
        Column("Nội dung", lambda x: x[1]["message"], width=70),
    ]
    row = _heading_block(
        ws, head, f"DANH SÁCH PHÁT HIỆN VỀ CHẤT LƯỢNG DỮ LIỆU, {data.period_label.upper()}", _subtitle(data), 8
    )
    rows = list(enumerate(data.findings, start=1))
    last = xs.table(ws, columns, rows, top=row, empty="Không có phát hiện nào trong kỳ.")
    _finish(ws, data, (row, row), len(columns), last)


def _files(ws, data: ReportData, head) -> None:
    levels, statuses = settings()["reporter_level"], _status_words()
    columns = [
        Column("STT", lambda x: x[0], width=6, align=WRAP_CENTER),
        Column("Tệp", lambda x: x[1]["source_file"], least=20, most=44),
        Column("Cấp", lambda x: levels.get(x[1]["reporter_level"], x[1]["reporter_level"]), width=9),
        Column("Mã đơn vị", lambda x: x[1]["reporter_code"], xs.TEXT, width=9),
        Column("Tên đơn vị (như ghi trong tệp)", lambda x: x[1]["reporter_name"], width=26),
        Column("Phiên bản", lambda x: x[1]["version"], xs.WHOLE, width=8),
        Column("Ngày lập", lambda x: x[1]["created_on"], xs.DATE, width=11),
        Column("Tình trạng", lambda x: _status(statuses, x[1]), width=22),
        Column("Số dòng đọc", lambda x: x[1]["rows_read"], COUNT, width=8),
        Column("Số dòng được tính", lambda x: x[1]["rows_counted"], COUNT, width=9),
        Column("Số dòng bị loại", lambda x: x[1]["rows_excluded"], COUNT, width=8),
        Column("Lý do", lambda x: x[1]["rejection_reason"], width=36),
    ]
    row = _heading_block(
        ws, head, f"CÁC TỆP BÁO CÁO ĐÃ NHẬN, {data.period_label.upper()}", _subtitle(data), len(columns)
    )
    last = xs.table(ws, columns, list(enumerate(data.submissions, start=1)), top=row, first_col_frozen=3)
    _finish(ws, data, (row, row), len(columns), last)


def _status_words() -> dict[str, str]:
    """What became of each inbox file, in the report's words (catalog/submission_statuses.csv)."""
    return {status: spec["phrase_vi"] for status, spec in catalog.submission_statuses().items()}


def _status(statuses: dict, s: dict) -> str:
    status = s["submission_status"] or "unknown_unit"
    return statuses.get(status, status)


def _charts(ws, data: ReportData, head, charts: dict[str, Path | None]) -> None:
    row = _heading_block(ws, head, f"BIỂU ĐỒ, {data.period_label.upper()}", _subtitle(data), 10)
    captions = report_context.chart_captions(data, [key for key, path in charts.items() if path])
    for key, caption in captions.items():
        # the images carry no title: the caption above each one, as in the document
        xs.put(ws, row, 1, caption, font=BOLD, align=WRAP_CENTER, border=False)
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=10)
        row += 1
        image = Image(str(charts[key]))
        # openpyxl shows an image one pixel per screen pixel: back to the chart's size in inches
        image.width, image.height = (round(image.width * 96 / CHART_DPI), round(image.height * 96 / CHART_DPI))
        ws.add_image(image, f"A{row}")
        row += math.ceil(image.height / _ROW_PX) + 2
    xs.set_widths(ws, [10] * 10)
    xs.fit_heights(ws, 1, row)
    xs.print_setup(ws, title_rows=None, n_cols=10, caption=_caption(ws, data), portrait=True, last_row=row)
