"""The Word report as a signable administrative document (Nghị định 30/2020/NĐ-CP, Phụ lục I): the
heading block, the short rules, the page numbers, the signature kept with the text, list dashes, tables
whose rows do not split, and the file's properties. Read from the docx XML of the demo's report; the
expected texts come from reports/templates/bao_cao.yaml, not from copies of it."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zipfile import ZipFile

import docx
import duckdb
import pytest
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Pt

from reports import period_report, report_context, report_data
from reports.docx_out import _A4, _CELL_PAD, _MARGINS, _cell_lines, _column_widths, _line_count, write_docx
from reports.markdown_blocks import inline, parse, runs_text

PERIOD = "2021-H1"


def _write(warehouse: Path, out: Path) -> tuple[Path, report_data.ReportData]:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        data = report_data.load(con, PERIOD, report_data.provinces(con, PERIOD)[0])
    finally:
        con.close()
    files = period_report.write_report(data, out)
    return files.docx, data


@pytest.fixture(scope="module")
def report(demo_build, tmp_path_factory):
    path, data = _write(demo_build["warehouse"], tmp_path_factory.mktemp("docx_form"))
    return {"path": path, "doc": docx.Document(str(path)), "head": report_context.heading(data), "data": data}


def _body_tables(doc):
    """The tables of the body in document order, with the borderless ones (heading, signature) marked."""
    out = []
    for table in doc.tables:
        style = table._tbl.tblPr.find(qn("w:tblStyle"))
        out.append((table, style is None or style.get(qn("w:val")) != "TableGrid"))
    return out


def _rule_of(p) -> bool:
    """A short rule: an empty paragraph with a bottom border."""
    return not p.text and bool(p._p.xpath("./w:pPr/w:pBdr/w:bottom"))


def _usable(section) -> int:
    return section.page_width - section.left_margin - section.right_margin


# --- heading block -------------------------------------------------------------------------------------


def test_heading_block_is_a_two_column_table_with_room_for_the_issuer(report):
    doc, head = report["doc"], report["head"]
    table, borderless = _body_tables(doc)[0]
    assert borderless and len(table.columns) == 2
    left, right = table.rows[0].cells
    assert head.issuer_parent in left.text and head.issuer in left.text
    assert head.nation in right.text and head.motto in right.text
    # wider than the text, into the margins, as printed forms are
    widths = [c.width for c in table.columns]
    assert sum(widths) > _usable(doc.sections[0])
    indent = table._tbl.tblPr.find(qn("w:tblInd"))
    assert indent is not None and int(indent.get(qn("w:w"))) < 0
    # the issuer's name takes at most two lines at its size in the left column
    issuer = next(r for p in left.paragraphs for r in p.runs if r.text == head.issuer)
    size = (issuer.font.size or Pt(13)).pt
    lines = _cell_lines(inline(f"**{head.issuer}**"), size, bold=True)
    assert _line_count(lines, (widths[0] - _CELL_PAD) / 12700, 0.25 * size) <= 2


def test_rules_under_issuer_motto_and_title(report):
    doc = report["doc"]
    table, _ = _body_tables(doc)[0]
    for cell in table.rows[0].cells:
        rules = [p for p in cell.paragraphs if _rule_of(p)]
        assert len(rules) == 1, cell.text
        # short and centred: equal indents on both sides
        pf = rules[0].paragraph_format
        assert pf.left_indent == pf.right_indent and pf.left_indent > 0
        assert _rule_of(cell.paragraphs[-1]) and not _rule_of(cell.paragraphs[0])  # under the text
    # under the title: the paragraph after the title, a third or so of the text width
    body = doc.paragraphs
    title_at = next(i for i, p in enumerate(body) if report["head"].title_lines[0] in p.text)
    rule = body[title_at + 1]
    assert _rule_of(rule) and not rule.text
    length = _usable(doc.sections[0]) - rule.paragraph_format.left_indent - rule.paragraph_format.right_indent
    assert 0.2 < length / _usable(doc.sections[0]) < 0.5


def test_motto_bold_14_and_place_date_italic(report):
    doc, head = report["doc"], report["head"]
    table, _ = _body_tables(doc)[0]
    motto = [r for p in table.rows[0].cells[1].paragraphs for r in p.runs if r.text == head.motto]
    assert motto and all(r.bold and r.font.size == Pt(14) for r in motto)
    nation = [r for p in table.rows[0].cells[1].paragraphs for r in p.runs if r.text == head.nation]
    assert nation and all(r.bold for r in nation)
    place = [r for p in table.rows[1].cells[1].paragraphs for r in p.runs if r.text == head.place_date]
    assert place and all(r.italic and r.font.size >= Pt(13) for r in place)


def test_document_number_carries_the_office_code(report):
    doc = report["doc"]
    table, _ = _body_tables(doc)[0]
    code = report_context.settings()["office_code"]
    number = table.rows[1].cells[0].text
    assert number.startswith("Số:") and number.endswith(f"/BC-{code}"), number


def test_title_lines_as_set_and_bold_14(report):
    doc, head = report["doc"], report["head"]
    title = next(p for p in doc.paragraphs if head.title_lines[0] in p.text)
    assert title.text.split("\n") == head.title_lines  # broken where the settings break it
    assert head.title_lines[-1] == report["data"].period_label  # the period is not left alone on a line
    runs = [r for r in title.runs if r.text.strip()]
    assert runs and all(r.bold and r.font.size == Pt(14) for r in runs)
    assert title.alignment == WD_ALIGN_PARAGRAPH.CENTER


# --- page numbers ----------------------------------------------------------------------------------------


def _has_page_field(part) -> bool:
    return any((el.text or "").strip() == "PAGE" for p in part.paragraphs for el in p._p.iter(qn("w:instrText")))


def test_page_numbers_top_centre_from_the_second_page(report):
    doc = report["doc"]
    first = doc.sections[0]
    assert first.different_first_page_header_footer  # w:titlePg
    assert first._sectPr.find(qn("w:titlePg")) is not None
    assert _has_page_field(first.header)
    header_p = next(p for p in first.header.paragraphs if p._p.find(".//" + qn("w:instrText")) is not None)
    assert header_p.alignment == WD_ALIGN_PARAGRAPH.CENTER
    assert not first.first_page_header.is_linked_to_previous and not _has_page_field(first.first_page_header)
    # the landscape annex numbers its first page too, with the same header
    assert len(doc.sections) > 1
    for section in doc.sections[1:]:
        assert not section.different_first_page_header_footer and section.header.is_linked_to_previous
    for section in doc.sections:
        assert not _has_page_field(section.footer) and not _has_page_field(section.first_page_footer)


# --- signature -------------------------------------------------------------------------------------------


def _signature(doc):
    return [t for t, borderless in _body_tables(doc) if borderless][-1]


def test_signature_block_from_the_settings(report):
    doc, head = report["doc"], report["head"]
    table = _signature(doc)
    recipients, signer = table.rows[-1].cells
    sign = report_context.settings()["signature"]
    lines = signer.text.split("\n")
    title = [sign["authority"], sign["position"]] if sign["authority"] else [sign["position"]]
    assert lines[: len(title)] == title and lines[-1] == sign["name"]
    assert lines.count("") == sign["blank_lines"] >= 3  # room to sign and seal
    assert all(r.bold and r.font.size >= Pt(13) for p in signer.paragraphs for r in p.runs if r.text.strip())
    # Nơi nhận: bold italic 12, its list 11 with a dash each
    label, *listed = [r for r in recipients.paragraphs[0].runs if r.text.strip()]
    assert label.text == "Nơi nhận:" and label.bold and label.italic and label.font.size == Pt(12)
    assert [r.text for r in listed] == [f"- {line}" for line in head.recipients]
    assert all(r.font.size == Pt(11) and not r.bold for r in listed)


def test_signature_kept_with_the_last_paragraph(report):
    doc = report["doc"]
    table = _signature(doc)
    before = table._tbl.getprevious()
    assert before.tag == qn("w:p") and before.xpath("string(.)").strip()  # the last paragraph of the text
    ppr = before.find(qn("w:pPr"))
    assert ppr is not None and ppr.find(qn("w:keepNext")) is not None
    for row in table.rows:
        assert row._tr.trPr is not None and row._tr.trPr.find(qn("w:cantSplit")) is not None
    for row in table.rows[:-1]:
        assert all(p.paragraph_format.keep_with_next for c in row.cells for p in c.paragraphs)
    # no empty paragraph after it that could spill onto a page of its own: the annex's heading starts
    # its page itself
    after = table._tbl.getnext()
    assert after.tag == qn("w:p") and after.xpath("string(.)").strip()
    assert after.xpath("./w:pPr/w:pageBreakBefore")


def test_signature_of_the_province_overrides_the_default(demo_build, tmp_path, monkeypatch):
    settings = report_context.settings()
    code = _province_code(demo_build["warehouse"])
    own = {"authority": "KT. TRƯỞNG PHÒNG", "position": "PHÓ TRƯỞNG PHÒNG", "name": "Thượng tá Lê Văn Thử"}
    monkeypatch.setattr(
        report_context, "settings", lambda: {**settings, "signature_by_province": {code: own, "99": {"name": "x"}}}
    )
    path, _ = _write(demo_build["warehouse"], tmp_path)
    signer = _signature(docx.Document(str(path))).rows[-1].cells[1].text.split("\n")
    assert signer[:2] == ["KT. TRƯỞNG PHÒNG", "PHÓ TRƯỞNG PHÒNG"] and signer[-1] == own["name"]


def _province_code(warehouse: Path) -> str:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return report_data.load(con, PERIOD, report_data.provinces(con, PERIOD)[0]).province.code
    finally:
        con.close()


# --- body ------------------------------------------------------------------------------------------------


def test_list_items_start_with_a_dash(report):
    doc = report["doc"]
    markdown = report["path"].with_suffix(".md").read_text(encoding="utf-8")
    items = [line[2:].strip() for line in markdown.splitlines() if line.startswith("- ")]
    assert items
    texts = {p.text for p in doc.paragraphs}
    for item in items:
        assert f"- {runs_text(inline(item))}" in texts, item
    with ZipFile(report["path"]) as z:
        body = z.read("word/document.xml").decode("utf-8")
    assert "•" not in body and "<w:numPr>" not in body
    assert all(p.style.name != "List Bullet" for p in doc.paragraphs)


def test_table_rows_never_split_and_headers_repeat(report):
    doc = report["doc"]
    bordered = [t for t, borderless in _body_tables(doc) if not borderless]
    assert bordered
    for table in bordered:
        for row in table.rows:
            assert row._tr.trPr is not None and row._tr.trPr.find(qn("w:cantSplit")) is not None
        assert table.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None


def test_table_1_label_column_takes_no_more_lines_than_the_figures(report):
    doc = report["doc"]
    table = next(t for t, borderless in _body_tables(doc) if not borderless and t.rows[0].cells[0].text == "STT")
    widths = [c.width for c in table.columns]
    assert max(widths) == widths[1]  # the indicator's label is the widest column
    label_width = (widths[1] - _CELL_PAD) / 12700
    number_width = (widths[0] - _CELL_PAD) / 12700
    assert _line_count(_cell_lines(inline("**STT**"), 11, True), number_width, 2.75) == 1
    for row in table.rows[1:]:
        cells = row.cells
        figures = max(len(c.text.split("\n")) for c in cells[2:])
        label = _line_count(_cell_lines(inline(cells[1].text), 11, False), label_width, 2.75)
        assert label <= max(figures, 2), cells[1].text


# Bảng 1 of a half-year after the reform (tests/test_crosswalk_history.py), as the report writes it
_REFORM_TABLE_1 = Path(__file__).parent / "data" / "bang_1_after_reform.md"


def test_two_columns_that_wrap_alike_are_widened_together():
    """Bảng 1 across a reform: the previous half-year and the change both read "Không so sánh được" on the
    same rows. Widening one alone saves no row, so a one-column-at-a-time share-out left both on three
    lines; they take two, and no label takes more than two."""
    markdown = _REFORM_TABLE_1.read_text(encoding="utf-8")
    (block,) = [b for b in parse(markdown) if b.rows]
    usable = _A4[0] - _MARGINS["left"] - _MARGINS["right"]
    widths = [(w - _CELL_PAD) / 12700 for w in _column_widths(block, usable, 11)]

    def lines(text: str, column: int) -> int:
        return _line_count(_cell_lines(inline(text), 11, False), widths[column], 2.75)

    rows = [line.strip("|").split(" | ") for line in markdown.strip().splitlines()[2:]]
    assert all(lines(row[1].strip(), 1) <= 2 for row in rows)
    assert lines("Không so sánh được", 3) <= 2 and lines("Không so sánh được", 4) <= 2


# --- file properties -------------------------------------------------------------------------------------


def test_properties_in_vietnamese_without_python_docx(report):
    props = report["doc"].core_properties
    given = report["head"].document_properties
    assert props.title == report["head"].title
    assert (props.subject, props.author, props.keywords, props.category, props.comments) == (
        given.subject,
        given.author,
        given.keywords,
        given.category,
        given.comments,
    )
    assert props.last_modified_by == given.author and props.language == "vi-VN"
    with ZipFile(report["path"]) as z:
        names = z.namelist()
        for name in names:
            if name.startswith("docProps/"):
                assert b"python-docx" not in z.read(name).lower(), name
        assert not any("thumbnail" in n for n in names)
        assert given.author.encode("utf-8") in z.read("docProps/app.xml")


def test_same_blocks_same_bytes(report, tmp_path):
    markdown = report["path"].with_suffix(".md").read_text(encoding="utf-8")
    stamp = dt.datetime(2021, 7, 10)
    paths = [tmp_path / f"{k}.docx" for k in (1, 2)]
    for path in paths:
        write_docx(parse(markdown), path, base_dir=report["path"].parent, title="t", stamp=stamp)
    assert paths[0].read_bytes() == paths[1].read_bytes()


# --- the Markdown it is written in -----------------------------------------------------------------------


def test_markdown_rules_sizes_widths_and_properties():
    blocks = parse(
        "<!-- thuộc tính tác giả: Phòng PV05, Công an Bình Thuận -->\n<!-- thuộc tính ghi nhớ: không -->\n"
        "<!-- bảng: không viền -->\n<!-- rộng: 110% -->\n"
        '| a<hr width="40%"> | <span style="font-size: 14pt">**b**</span> c |\n| --- | --- |\n\n'
        "**Tên**\n<hr>\n"
    )
    assert [b.kind for b in blocks] == ["property", "table", "paragraph", "rule"]
    assert (blocks[0].name, blocks[0].text) == ("author", "Phòng PV05, Công an Bình Thuận")  # case kept
    table = blocks[1]
    assert table.borderless and table.width_percent == 110
    a, b = table.rows[0]
    assert [(r.text, r.rule) for r in a] == [("a", None), ("", 40.0)]
    assert [(r.text, r.bold, r.size) for r in b] == [("b", True, 14.0), (" c", False, None)]
    assert blocks[3].percent == pytest.approx(100 / 3)
    # data text cannot open a tag: escaped, it stays literal
    assert [r.text for r in inline(r"\<hr\> \<span style=x\>")] == ["<hr> <span style=x>"]
