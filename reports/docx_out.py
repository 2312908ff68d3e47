"""Lays out report blocks (reports.markdown_blocks) as a Word document in the form of a Vietnamese
administrative text: A4, Times New Roman 13, margins of Nghị định 30/2020 (top and bottom 2 cm, left
3 cm, right 1,5 cm), justified paragraphs, bordered tables with a repeated header row."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

from docx import Document
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.image.image import Image as DocxImage
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

from reports import stable_zip
from reports.markdown_blocks import Block, Run, runs_text
from reports.text_cells import visible

FONT = "Times New Roman"
BODY_PT = 13
TABLE_PT = 11
_ALIGN = {
    "center": WD_ALIGN_PARAGRAPH.CENTER,
    "right": WD_ALIGN_PARAGRAPH.RIGHT,
    "left": WD_ALIGN_PARAGRAPH.LEFT,
    None: WD_ALIGN_PARAGRAPH.JUSTIFY,
}
_A4 = (Cm(21), Cm(29.7))
_MARGINS = {"top": Cm(2), "bottom": Cm(2), "left": Cm(3), "right": Cm(1.5)}
_IMAGE_WIDTH = 0.85  # of the usable width
_IMAGE_MAX_HEIGHT = Cm(11)
_CHAR_EM = 0.5  # average width of a Times New Roman character, in ems
_UNBROKEN_CHARS = 20  # body lines up to this long (numbers, ratios, names) are not wrapped


def write_docx(blocks: list[Block], path: Path, *, base_dir: Path, title: str, stamp: dt.datetime) -> Path:
    """Write `blocks` to `path`; images are read relative to `base_dir`. Core properties carry `stamp`
    (derived from the inputs), and so do the archive's members: the same blocks give the same bytes."""
    doc = Document()
    _setup_styles(doc)
    _setup_section(doc.sections[0], landscape=False)
    _page_number_footer(doc.sections[0])
    for block in blocks:
        if block.kind == "heading":
            _heading(doc, block)
        elif block.kind == "paragraph":
            p = doc.add_paragraph()
            p.alignment = _ALIGN[block.align]
            if block.align is None:
                p.paragraph_format.first_line_indent = Cm(1)
            _add_runs(p, block.runs)
        elif block.kind == "bullet":
            p = doc.add_paragraph(style="List Bullet")
            p.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
            _add_runs(p, block.runs)
        elif block.kind == "table":
            _table(doc, block)
        elif block.kind == "image":
            _image(doc, block, base_dir)
        elif block.kind == "section":
            section = doc.add_section(WD_SECTION.NEW_PAGE)
            _setup_section(section, landscape=block.orientation == "landscape")
        elif block.kind == "page_break":
            doc.add_page_break()
    props = doc.core_properties
    props.title = title
    props.author = props.last_modified_by = "antq"
    props.language = "vi-VN"
    props.created = props.modified = props.last_printed = stamp
    props.revision = 1
    buffer = io.BytesIO()
    doc.save(buffer)
    return stable_zip.write(path, buffer.getvalue(), stamp)


def _setup_styles(doc) -> None:
    normal = doc.styles["Normal"]
    _font(normal.element, BODY_PT)
    normal.paragraph_format.space_after = Pt(6)
    normal.paragraph_format.line_spacing = 1.15
    for name, size in (
        ("Heading 1", 14),
        ("Heading 2", BODY_PT),
        ("Heading 3", BODY_PT),
        ("List Bullet", BODY_PT),
        ("Caption", 12),
    ):
        style = doc.styles[name]
        _font(style.element, size)
        style.font.color.rgb = RGBColor(0, 0, 0)
        if name.startswith("Heading"):
            style.font.bold = True
            style.font.italic = False
            style.paragraph_format.space_before = Pt(12)
            style.paragraph_format.space_after = Pt(6)
            style.paragraph_format.keep_with_next = True


def _font(element, size_pt: int) -> None:
    """Times New Roman for every script (a theme font would win otherwise) and Vietnamese proofing."""
    rpr = element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in list(fonts.attrib):
        if attr.endswith("Theme"):
            del fonts.attrib[attr]
    for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(attr), FONT)
    for tag in ("w:sz", "w:szCs"):
        el = rpr.find(qn(tag))
        if el is None:
            el = OxmlElement(tag)
            rpr.append(el)
        el.set(qn("w:val"), str(size_pt * 2))
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)
    lang.set(qn("w:val"), "vi-VN")


def _setup_section(section, landscape: bool) -> None:
    width, height = _A4
    section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = (height, width) if landscape else (width, height)
    for side, value in _MARGINS.items():
        setattr(section, f"{side}_margin", value)


def _usable_width(doc):
    section = doc.sections[-1]
    return section.page_width - section.left_margin - section.right_margin


def _page_number_footer(section) -> None:
    p = section.footer.paragraphs[0]
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = p.add_run()
    for tag, attrs in (
        ("w:fldChar", {"w:fldCharType": "begin"}),
        ("w:instrText", {}),
        ("w:fldChar", {"w:fldCharType": "end"}),
    ):
        el = OxmlElement(tag)
        for k, v in attrs.items():
            el.set(qn(k), v)
        if tag == "w:instrText":
            el.set(qn("xml:space"), "preserve")
            el.text = " PAGE "
        run._r.append(el)
    run.font.size = Pt(11)


def _heading(doc, block: Block) -> None:
    p = doc.add_heading(level=block.level)
    if block.level == 1:
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _add_runs(p, block.runs)


def _add_runs(paragraph, runs: list[Run], size_pt: int | None = None, bold: bool = False) -> None:
    for r in runs:
        if r.line_break:
            paragraph.add_run().add_break()
        if not r.text:
            continue
        run = paragraph.add_run(visible(r.text))
        run.bold = r.bold or bold or None
        run.italic = r.italic or None
        if size_pt:
            run.font.size = Pt(size_pt)


def _table(doc, block: Block) -> None:
    n_cols = len(block.column_align)
    table = doc.add_table(rows=len(block.rows), cols=n_cols)
    table.style = doc.styles["Normal Table" if block.borderless else "Table Grid"]
    table.autofit = False
    size = BODY_PT - 1 if block.borderless else TABLE_PT
    usable = _usable_width(doc)
    if len(block.column_percent) == n_cols:
        widths = [int(usable * p / sum(block.column_percent)) for p in block.column_percent]
    else:
        widths = _column_widths(block, usable, size)
    # One pass over the rows, each row's cells read once from its own <w:tr> (row.cells, python-docx
    # >= 1.2): table.cell(r, c) rebuilds the whole cell grid and table.rows[i] the list of rows on every
    # call, which made a table cost rows² × columns² (a 705-district annex never finished).
    for i, (row, texts) in enumerate(zip(table.rows, block.rows)):
        header = i == 0 and not block.borderless
        if header:
            _repeat_header(row)
        for j, (cell, runs) in enumerate(zip(row.cells, texts)):
            cell.width = widths[j]
            cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
            p = cell.paragraphs[0]
            p.alignment = _ALIGN["center" if header else block.column_align[j]]
            p.paragraph_format.first_line_indent = Cm(0)
            p.paragraph_format.space_after = Pt(2 if not block.borderless else 0)
            p.paragraph_format.line_spacing = 1.0
            _add_runs(p, runs, size_pt=size, bold=header)
            if header:
                _shade(cell, "D9D9D9")
    for j, column in enumerate(table.columns):
        column.width = widths[j]
    doc.add_paragraph().paragraph_format.space_after = Pt(0)


def _column_widths(block: Block, usable, font_pt: int) -> list:
    """Column widths from the text, in characters: each column gets at least its longest word and its
    short body lines unbroken (numbers, names), then the room left goes to the columns whose lines are
    longer (labels), in proportion to what they lack. Filling the usable width."""
    n = len(block.column_align)
    minimum, desired = [3] * n, [3] * n
    for i, row in enumerate(block.rows):
        for j, runs in enumerate(row):
            for line in runs_text(runs).split("\n"):
                words = line.split()
                if not words:
                    continue
                minimum[j] = max(minimum[j], max(len(w) for w in words))
                if i > 0 and len(line) <= _UNBROKEN_CHARS:
                    minimum[j] = max(minimum[j], len(line))
                desired[j] = max(desired[j], len(line))
    pad = 3  # cell margins and bold headers, in characters
    minimum = [m + pad for m in minimum]
    desired = [d + pad for d in desired]
    room = usable / (font_pt * _CHAR_EM * 12700)  # EMU per point: 12700
    if sum(desired) <= room:
        chars = desired
    elif sum(minimum) >= room:
        chars = minimum
    else:
        lack = [d - m for d, m in zip(desired, minimum)]
        spare = room - sum(minimum)
        chars = [m + spare * k / sum(lack) for m, k in zip(minimum, lack)]
    total = sum(chars)
    return [int(usable * c / total) for c in chars]


def _repeat_header(row) -> None:
    trpr = row._tr.get_or_add_trPr()
    el = OxmlElement("w:tblHeader")
    el.set(qn("w:val"), "true")
    trpr.append(el)


def _shade(cell, fill: str) -> None:
    tcpr = cell._tc.get_or_add_tcPr()
    shd = OxmlElement("w:shd")
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:color"), "auto")
    shd.set(qn("w:fill"), fill)
    tcpr.append(shd)


def _image(doc, block: Block, base_dir: Path) -> None:
    p = doc.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    p.paragraph_format.first_line_indent = Cm(0)
    p.paragraph_format.keep_with_next = True
    path = Path(base_dir) / block.path
    picture = DocxImage.from_file(str(path))
    width = int(_usable_width(doc) * _IMAGE_WIDTH)
    if width * picture.px_height / picture.px_width > _IMAGE_MAX_HEIGHT:  # tall charts keep to half a page
        p.add_run().add_picture(str(path), height=_IMAGE_MAX_HEIGHT)
    else:
        p.add_run().add_picture(str(path), width=width)
    if block.caption:
        cap = doc.add_paragraph(style="Caption")
        cap.alignment = WD_ALIGN_PARAGRAPH.CENTER
        run = cap.add_run(visible(block.caption))
        run.italic = True
