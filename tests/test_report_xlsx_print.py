"""The two published workbooks on paper and as data (issue 10, part 3): bao_cao_PERIOD.xlsx and the
auditors' kiem_tra_du_lieu.xlsx, as the demo build writes them. Every sheet prints one page wide with its
header rows repeated and "Trang N/M" at the foot; rates and counts are numbers with number formats; text
that reads as an OOXML `_xHHHH_` code is stored escaped; wrapped rows have heights; the links to the inbox
resolve from the public period folder. How the pages look through LibreOffice is
tests/test_documents_rendered.py's part."""

from __future__ import annotations

import os
import re
import unicodedata
from pathlib import Path
from urllib.parse import unquote

import openpyxl
import pytest
from python_calamine import CalamineWorkbook

from catalog import REPO
from reports import auditors_page, xlsx_sheet
from reports.text_cells import xlsx_text
from reports.xlsx_report import SHEETS

PERIOD = "2021-H1"
REPORT = f"bao_cao_{PERIOD}.xlsx"
AUDIT = "kiem_tra_du_lieu.xlsx"
ESCAPED_NAME = "2021-H1/596/23023_xa_song_luy.xlsx"  # a demo file whose name LibreOffice read as a line break
PERCENT_AS_TEXT = re.compile(r"^[+-]?\d[\d.,]*\s?%$")


@pytest.fixture(scope="module")
def folder(demo_build) -> Path:
    return demo_build["out"] / PERIOD


@pytest.fixture(scope="module")
def books(folder) -> dict:
    return {name: openpyxl.load_workbook(folder / name) for name in (REPORT, AUDIT)}


def _header(ws, title: str) -> tuple[int, int]:
    """(row, column) of the first header cell holding `title`."""
    for row in ws.iter_rows():
        for cell in row:
            if cell.value == title:
                return cell.row, cell.column
    raise AssertionError(f"{ws.title}: no header {title!r}")


def _column(ws, title: str) -> list:
    row, col = _header(ws, title)
    return [
        ws.cell(row=r, column=col)
        for r in range(row + 1, ws.max_row + 1)
        if ws.cell(row=r, column=col).value is not None
    ]


# --- printing -----------------------------------------------------------------------------------------


A4_PRINTABLE_PT = 842 - 2 * 72 * 0.4  # landscape, 1 cm side margins
LEAST_PT = 7  # the smallest type a reader reads on paper (the cells are 11 pt)


@pytest.mark.parametrize("name", [REPORT, AUDIT])
def test_every_sheet_prints_one_page_wide(books, name):
    for ws in books[name].worksheets:
        setup = ws.page_setup
        charts = name == REPORT and ws.title == SHEETS["charts"]
        annex = name == REPORT and ws.title == SHEETS["annex"]
        assert setup.orientation == ("portrait" if charts else "landscape"), ws.title
        assert ws.print_options.horizontalCentered, ws.title
        assert ws.oddFooter.center.text == "Trang &P/&N", ws.title
        assert ws.page_margins.left <= 0.5 and ws.page_margins.right <= 0.5, ws.title
        if not annex:  # the annex: bands of whole indicators, below
            assert ws.sheet_properties.pageSetUpPr.fitToPage, ws.title
            assert int(setup.fitToWidth) == 1, ws.title
            one_page = name == REPORT and ws.title == SHEETS["summary"]
            assert int(setup.fitToHeight) == (1 if one_page else 0), ws.title
            assert ws.col_breaks.count == 0, ws.title
        if not charts:
            # the table's header row(s) repeat on every page: the rows of its first header cell
            first = int(re.findall(r"\d+", ws.print_title_rows)[0])
            assert ws.cell(row=first, column=1).fill.fgColor.rgb == xlsx_sheet.HEADER_FILL.fgColor.rgb, ws.title
            assert ws.oddHeader.center.text, ws.title  # the running title


def test_annex_prints_in_bands_of_whole_indicators(books):
    """The 48-column annex, one page wide, would print its figures at 5.5 pt even on A3: it prints on A4
    as bands, each one page wide at one scale that keeps 7 pt, a page break only between two indicators,
    the unit columns (STT, Mã, Đơn vị) repeated, five or more columns of figures on every page."""
    ws = books[REPORT][SHEETS["annex"]]
    setup = ws.page_setup
    assert ws.max_column >= 40 and not ws.sheet_properties.pageSetUpPr.fitToPage
    assert str(setup.paperSize) == str(ws.PAPERSIZE_A4)
    scale = int(setup.scale)
    assert 11 * scale / 100 >= LEAST_PT and scale <= 100
    assert ws.print_title_cols in ("A:C", "$A:$C")
    starts = [b.id + 1 for b in ws.col_breaks.brk]  # the first column of each band after the first
    assert 1 <= len(starts) <= 4
    header_row, _ = _header(ws, "STT")
    groups = {c.column for c in ws[header_row] if c.column > 3 and c.value}  # where an indicator begins
    assert set(starts) <= groups, (starts, sorted(groups))
    edges = [4, *starts, ws.max_column + 1]
    fixed = sum(xlsx_sheet.column_pt(xlsx_sheet.width_of(ws, c)) for c in (1, 2, 3))
    for first, end in zip(edges, edges[1:]):
        assert end - first >= 5
        band = sum(xlsx_sheet.column_pt(xlsx_sheet.width_of(ws, c)) for c in range(first, end))
        assert (fixed + band) * scale / 100 <= A4_PRINTABLE_PT, (first, end)


def test_paper_follows_the_table_width(books):
    """A table that prints one page wide at 70 % or more on A4 stays on A4, a wider one goes on A3."""
    assert str(books[REPORT][SHEETS["summary"]].page_setup.paperSize) == "9"  # A4
    sizes = set()
    for book in books.values():
        for ws in book.worksheets:
            if ws.page_setup.orientation == "portrait" or not ws.sheet_properties.pageSetUpPr.fitToPage:
                continue
            width = sum(xlsx_sheet.column_pt(xlsx_sheet.width_of(ws, c)) for c in range(1, ws.max_column + 1))
            a4 = width * 0.7 <= A4_PRINTABLE_PT
            assert str(ws.page_setup.paperSize) == str(ws.PAPERSIZE_A4 if a4 else ws.PAPERSIZE_A3), ws.title
            sizes.add(a4)
    assert sizes == {True, False}  # both cases are met (the auditors' list of findings is on A3)


def test_auditors_workbook_tables_start_at_a1_with_a_filter(books):
    for ws in books[AUDIT].worksheets:
        assert ws.print_title_rows in ("1:1", "$1:$1"), ws.title
        assert ws.freeze_panes == "A2", ws.title
    assert books[AUDIT]["Nhập tệp"].auto_filter.ref.startswith("A1:")


# --- numbers ------------------------------------------------------------------------------------------


def _number(value) -> bool:
    """A number cell (openpyxl reads 1.0 back as 1)."""
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def test_rates_and_counts_are_numbers(books):
    audit = books[AUDIT]
    ws = audit["Đầy đủ, đúng hạn"]
    expected = _column(ws, "Báo cáo phải nộp")
    received = _column(ws, "Đã nhận")
    rates = _column(ws, "Tỷ lệ đầy đủ")
    on_time = _column(ws, "Tỷ lệ đúng hạn")
    assert len(rates) == len(expected) >= 2
    for e, r, rate, late in zip(expected, received, rates, on_time):
        assert isinstance(e.value, int) and e.number_format == xlsx_sheet.COUNT
        assert _number(rate.value) and rate.number_format == xlsx_sheet.RATE
        assert _number(late.value) and late.number_format == xlsx_sheet.RATE
        assert rate.value == pytest.approx(r.value / e.value, abs=0.0005)
    summary = {row[0].value: row[1] for row in audit["Tóm tắt"].iter_rows(min_row=2)}
    assert _number(summary["Tỷ lệ đầy đủ (toàn tỉnh)"].value)
    assert summary["Tỷ lệ đầy đủ (toàn tỉnh)"].number_format == xlsx_sheet.RATE
    assert re.fullmatch(r"\d+/\d+", summary["Báo cáo đã nhận / phải nộp (toàn tỉnh)"].value)  # a ratio stays text

    annex = books[REPORT][SHEETS["annex"]]
    header_row, _ = _header(annex, "Tỷ lệ")  # the second header row: Số đạt, Tổng số, Tỷ lệ
    rate_cols = [c.column for c in annex[header_row] if c.value == "Tỷ lệ"]
    assert len(rate_cols) >= 10
    cells = [annex.cell(row=r, column=c) for c in rate_cols for r in range(header_row + 1, annex.max_row + 1)]
    filled = [c for c in cells if c.value is not None]
    assert filled and all(_number(c.value) and c.number_format == xlsx_sheet.RATE for c in filled)
    assert xlsx_sheet.RATE.startswith("[$-42A]") and xlsx_sheet.COUNT.startswith("[$-42A]")  # Vietnamese


@pytest.mark.parametrize("name", [REPORT, AUDIT])
def test_no_percentage_or_count_stored_as_text(books, name):
    for ws in books[name].worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, str):
                    assert not PERCENT_AS_TEXT.match(cell.value), (ws.title, cell.coordinate, cell.value)


# --- text ---------------------------------------------------------------------------------------------


TRICKY = ["23023_x00a0_song.xlsx", "a_xa_b", "x_x005F_y", "_x1_x2_", "_x0041_", "Thôn_xABCD_", "plain _x_ text"]


def test_xstring_escaping_round_trip(tmp_path):
    """Text written through the sheet writer comes back as written from a reader that decodes `_xHHHH_` as
    Excel does (python-calamine), and is stored escaped (openpyxl reads the stored form)."""
    wb = xlsx_sheet.new_workbook()
    xlsx_sheet.table(wb.create_sheet("T"), [xlsx_sheet.Column("Tên", lambda t: t)], TRICKY)
    path = tmp_path / "t.xlsx"
    wb.save(path)
    stored = [c.value for c in openpyxl.load_workbook(path)["T"]["A"][1:]]
    assert stored[0] == "23023_x005F_x00a0_song.xlsx"
    assert stored[1] == "a_x005F_xa_b"  # LibreOffice reads `_xa_` (fewer than four digits) as a line break
    assert stored == [xlsx_text(t) for t in TRICKY]
    assert stored[-1] == "plain _x_ text"  # nothing to escape
    read = [row[0] for row in CalamineWorkbook.from_path(str(path)).get_sheet_by_name("T").to_python()[1:]]
    assert read == TRICKY


@pytest.mark.parametrize("name", [REPORT, AUDIT])
def test_published_file_names_are_stored_escaped(folder, books, name):
    sheet = SHEETS["files"] if name == REPORT else "Nhập tệp"
    stored = {c.value for c in _column(books[name][sheet], "Tệp")}
    assert xlsx_text(ESCAPED_NAME) in stored and ESCAPED_NAME not in stored
    rows = CalamineWorkbook.from_path(str(folder / name)).get_sheet_by_name(sheet).to_python()
    assert any(ESCAPED_NAME in row for row in rows)  # read as Excel reads it: the file's own name


@pytest.mark.parametrize("name", [REPORT, AUDIT])
def test_wrapped_rows_have_heights(books, name):
    """A row whose wrapped text cannot fit one line of its column (judged generously: 1.5 characters per
    unit of width) has a height for its lines; spreadsheet programs do not all grow it on opening."""
    checked = 0
    for ws in books[name].worksheets:
        merged = {c for rng in ws.merged_cells.ranges for c in rng.cells}
        for row in ws.iter_rows():
            for cell in row:
                if not isinstance(cell.value, str) or (cell.row, cell.column) in merged:
                    continue
                if not (cell.alignment and cell.alignment.wrap_text):
                    continue
                width = xlsx_sheet.width_of(ws, cell.column)
                lines = max(len(part) for part in cell.value.split("\n")) / (1.5 * width)
                if lines > 1:
                    height = ws.row_dimensions[cell.row].height
                    assert height and height >= 14 * min(int(lines) + 1, 3), (ws.title, cell.coordinate, height)
                    checked += 1
    assert checked, f"{name}: no wrapped row to check"


def test_times_seen_label(books, folder):
    header = [c.value for c in books[AUDIT]["Phát hiện"][1]]
    assert "Số lần phát hiện" in header and "Số lần lập thấy" not in header
    assert "Số lần lập thấy" not in (folder / "kiem_tra_du_lieu.html").read_text(encoding="utf-8")


def _has_ti_le(text: str) -> bool:
    return "tỉ lệ" in unicodedata.normalize("NFC", text).lower()


def test_ty_le_spelled_one_way(folder, books):
    """ "Tỷ lệ" everywhere: in the sources people's words come from, and in what the build wrote."""
    found = []
    for top in ("catalog", "dbt_project", "reports", "ingestion", "orchestration", "expectations", "docs", "demo"):
        for path in (REPO / top).rglob("*"):
            if path.is_file() and path.suffix in {".py", ".yaml", ".yml", ".csv", ".md", ".j2", ".sql", ".json"}:
                if _has_ti_le(path.read_text(encoding="utf-8", errors="replace")):
                    found.append(str(path.relative_to(REPO)))
    for name in (f"bao_cao_{PERIOD}.md", "kiem_tra_du_lieu.html", "dq_findings.csv"):
        if _has_ti_le((folder / name).read_text(encoding="utf-8")):
            found.append(name)
    for name, book in books.items():
        for ws in book.worksheets:
            if any(_has_ti_le(c.value) for row in ws.iter_rows() for c in row if isinstance(c.value, str)):
                found.append(f"{name}: {ws.title}")
    assert not found, f'"Tỉ lệ" instead of "Tỷ lệ" in {found}'


# --- links --------------------------------------------------------------------------------------------


def _resolves(public: Path, href: str) -> Path | None:
    """The file a relative link opens from the public folder, as Excel and a browser resolve it: on the
    path as written (OUT/PERIOD is a link to a build folder two levels deeper)."""
    assert not os.path.isabs(unquote(href)) and "\\" not in href and "://" not in href, href
    target = Path(os.path.normpath(public / unquote(href)))
    return target if target.is_file() else None


def test_links_resolve_from_the_public_folder(demo_build, folder, books):
    assert folder.is_symlink()  # the public folder, not the build folder it shows
    inbox = demo_build["inbox"]
    links = 0
    for sheet in ("Phát hiện", "Nhập tệp"):
        for cell in _column(books[AUDIT][sheet], "Tệp"):
            if cell.hyperlink is None:
                continue
            opened = _resolves(folder, cell.hyperlink.target)
            assert opened is not None, (sheet, cell.value, cell.hyperlink.target)
            assert opened.is_relative_to(inbox) and opened.name in xlsx_sheet.shown_text(cell.value)
            # the same link from the build folder (two levels deeper) would lead elsewhere
            assert _resolves(folder.resolve(), cell.hyperlink.target) is None
            links += 1
    assert links >= 100
    page = (folder / "kiem_tra_du_lieu.html").read_text(encoding="utf-8")
    drawn = auditors_page.file_links(page)  # the links the page's script draws from its data
    hrefs = [h for h in re.findall(r'href="([^"]+)"', page) + drawn if h.endswith(".xlsx") and "/" in h]
    assert hrefs and all(_resolves(folder, h) for h in hrefs)
    # the workbook says where the inbox must sit beside a copy of the folder
    summary = {row[0].value: row[1].value for row in books[AUDIT]["Tóm tắt"].iter_rows(min_row=2)}
    inbox_link = os.path.relpath(inbox, folder).replace(os.sep, "/")
    assert f"{inbox_link}/" in summary["Liên kết đến tệp gốc"]


def test_a_copy_with_the_inbox_in_place_keeps_its_links(demo_build, folder, books, tmp_path):
    """Copy OUT/PERIOD (its files, not the link) and the inbox to another place, keeping their relative
    position: the links still open the files."""
    import shutil

    inbox = demo_build["inbox"]
    relative = Path(os.path.relpath(inbox, folder))
    copy = tmp_path / "gui_di" / "ket_qua" / PERIOD
    shutil.copytree(folder, copy, symlinks=False)
    shutil.copytree(inbox, Path(os.path.normpath(copy / relative)))
    wb = openpyxl.load_workbook(copy / AUDIT)
    cells = [c for c in _column(wb["Nhập tệp"], "Tệp") if c.hyperlink is not None]
    assert cells and all(_resolves(copy, c.hyperlink.target) for c in cells)
