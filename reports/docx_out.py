"""Lays out report blocks (reports.markdown_blocks) as a Word document in the form of a Vietnamese
administrative text (Nghị định 30/2020/NĐ-CP, Phụ lục I): A4, Times New Roman 13, margins top and
bottom 2 cm, left 3 cm, right 1,5 cm, justified paragraphs with a first-line indent, "-" for list
items, page numbers centred at the top from the second page, the heading block and the signature as
borderless tables (short rules under the issuer, the motto and the title), bordered tables whose
rows never split and whose header row repeats, and the file's properties in Vietnamese."""

from __future__ import annotations

import datetime as dt
import io
import math
import unicodedata
from dataclasses import replace
from pathlib import Path
from xml.sax.saxutils import escape as xml_escape

from docx import Document
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.image.image import Image as DocxImage
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Emu, Pt, RGBColor

from reports import stable_zip
from reports.markdown_blocks import Block, Run
from reports.text_cells import visible

FONT = "Times New Roman"
BODY_PT = 13
TABLE_PT = 11
FORM_PT = 13  # heading block and signature (borderless tables); single lines differ through <span>
PAGE_NUMBER_PT = 13
_ALIGN = {
    "center": WD_ALIGN_PARAGRAPH.CENTER,
    "right": WD_ALIGN_PARAGRAPH.RIGHT,
    "left": WD_ALIGN_PARAGRAPH.LEFT,
    None: WD_ALIGN_PARAGRAPH.JUSTIFY,
}
_A4 = (Cm(21), Cm(29.7))
_MARGINS = {"top": Cm(2), "bottom": Cm(2), "left": Cm(3), "right": Cm(1.5)}
_FIRST_LINE = Cm(1)
_IMAGE_WIDTH = 0.85  # of the usable width
_IMAGE_MAX_HEIGHT = Cm(11)
_EMU_PER_PT = 12700
_CELL_PAD = Cm(0.381)  # left + right cell margins of the default table styles (108 twips each)
_UNBROKEN_CHARS = 20  # body lines up to this long (numbers, ratios, names) are not wrapped
_WIDTH_STEPS = 64  # column widths are shared out in this many steps of the table's width
_OTHER_LINES = 0.01  # weight of a line that does not make its row taller
_REBALANCE_COLUMNS = 8  # tables of up to this many columns get their widths rebalanced (_rebalance)
_REBALANCE_ROUNDS = 12
_SAMPLE_ROWS = 80  # long tables: the widths are fitted on this many rows, evenly spread
# Advance widths of Times New Roman, in ems (Vietnamese marks add none); others: 0.5, capitals 0.72
_CHAR_EM = {
    **dict.fromkeys(" .,", 0.25),
    **dict.fromkeys("ijlt:;/!'", 0.278),
    **dict.fromkeys("fr()-I[]", 0.333),
    **dict.fromkeys("sJ", 0.389),
    **dict.fromkeys('acez?\u201c\u201d"', 0.444),
    **dict.fromkeys("FPS", 0.556),
    **dict.fromkeys("+=<>", 0.564),
    **dict.fromkeys("ELTZ", 0.611),
    **dict.fromkeys("BCR", 0.667),
    **dict.fromkeys("w", 0.722),
    "m": 0.778,
    "%": 0.833,
    "M": 0.889,
    "W": 0.944,
    "\u2014": 1.0,
}
_SLACK_PT = 3  # per cell: the estimate is no exact measure, a line that only just fits may wrap
_PPR_AFTER_BORDER = (  # w:pPr children that come after w:pBdr (ECMA-376 order)
    "w:shd w:tabs w:suppressAutoHyphens w:kinsoku w:wordWrap w:overflowPunct w:topLinePunct w:autoSpaceDE "
    "w:autoSpaceDN w:bidi w:adjustRightInd w:snapToGrid w:spacing w:ind w:contextualSpacing w:mirrorIndents "
    "w:suppressOverlap w:jc w:textDirection w:textAlignment w:textboxTightWrap w:outlineLvl w:divId "
    "w:cnfStyle w:rPr w:sectPr w:pPrChange"
).split()
_APP_XML = (
    "<?xml version='1.0' encoding='UTF-8' standalone='yes'?>\n"
    '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties" '
    'xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">'
    "<Application>antq</Application><Company>{company}</Company></Properties>"
)


def write_docx(blocks: list[Block], path: Path, *, base_dir: Path, title: str, stamp: dt.datetime) -> Path:
    """Write `blocks` to `path`; images are read relative to `base_dir`. Core properties carry `stamp`
    (derived from the inputs), and so do the archive's members: the same blocks give the same bytes.
    Property blocks (`<!-- thuộc tính ...: ... -->`) fill the file's properties; `title` unless one
    gives the title."""
    writer = _Writer(base_dir)
    for block in blocks:
        writer.add(block)
    doc = writer.finish()
    _set_properties(doc, {"title": title, **writer.properties}, stamp)
    buffer = io.BytesIO()
    doc.save(buffer)
    return stable_zip.write(path, buffer.getvalue(), stamp)


class _Writer:
    """One pass over the blocks. Page breaks become "page break before" on the next paragraph and the
    room after a table "space before" on the next one, so no empty paragraph can spill onto a page of
    its own (the signature used to leave one behind)."""

    def __init__(self, base_dir: Path):
        self.doc = Document()
        self.base_dir = Path(base_dir)
        self.properties: dict[str, str] = {}
        self.break_before = False  # the next paragraph starts a page
        self.after_table = False  # the last thing written is a table
        self.last_paragraph = None  # the last body paragraph, if nothing came after it
        _setup_styles(self.doc)
        section = self.doc.sections[0]
        _setup_section(section, landscape=False)
        _page_number_header(section)

    def add(self, block: Block) -> None:
        kind = block.kind
        if kind == "heading":
            p = self._paragraph(heading_level=block.level)
            if block.level == 1:
                p.alignment = WD_ALIGN_PARAGRAPH.CENTER
            _add_runs(p, block.runs)
        elif kind == "paragraph":
            p = self._paragraph()
            p.alignment = _ALIGN[block.align]
            if block.align is None:
                p.paragraph_format.first_line_indent = _FIRST_LINE
            _add_runs(p, block.runs)
        elif kind == "bullet":
            # the administrative text's list item: a dash where a paragraph starts, lines running on
            # to the left margin like the paragraph's own
            p = self._paragraph()
            p.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
            p.paragraph_format.first_line_indent = _FIRST_LINE
            _add_runs(p, [Run("- "), *block.runs])
        elif kind == "rule":
            previous = self.last_paragraph
            p = self._paragraph()
            _rule(p, _usable_width(self.doc), block.percent)
            p.paragraph_format.keep_with_next = True
            if previous is not None:
                previous.paragraph_format.keep_with_next = True  # the title and its rule stay together
        elif kind == "table":
            self._table(block)
        elif kind == "image":
            self._image(block)
        elif kind == "section":
            section = self.doc.add_section(WD_SECTION.NEW_PAGE)
            _setup_section(section, landscape=block.orientation == "landscape")
            # a later section numbers its first page too, with the first section's header
            section.different_first_page_header_footer = False
            self.break_before = self.after_table = False
            self.last_paragraph = None
        elif kind == "page_break":
            self.break_before = True
        elif kind == "property":
            self.properties[block.name] = block.text

    def finish(self):
        if self.after_table:
            _filler(self.doc.add_paragraph())  # the body ends with a paragraph, as Word expects
        return self.doc

    def _paragraph(self, heading_level: int = 0):
        p = self.doc.add_heading(level=heading_level) if heading_level else self.doc.add_paragraph()
        if self.break_before:
            p.paragraph_format.page_break_before = True
        elif self.after_table and not heading_level:
            p.paragraph_format.space_before = Pt(6)
        self.break_before = self.after_table = False
        self.last_paragraph = p
        return p

    def _table(self, block: Block) -> None:
        doc = self.doc
        if self.after_table or self.break_before:
            # two tables in a row would merge into one; a page break needs a paragraph to carry it
            carrier = doc.add_paragraph()
            _filler(carrier)
            carrier.paragraph_format.page_break_before = self.break_before
            self.break_before = False
        after_text = self.last_paragraph is not None
        if after_text:
            # the caption above a table, or the last lines above the signature, go with it
            self.last_paragraph.paragraph_format.keep_with_next = True
        self.last_paragraph = None
        self.after_table = True
        _table(doc, block, after_text=after_text)

    def _image(self, block: Block) -> None:
        doc = self.doc
        p = self._paragraph()
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        p.paragraph_format.first_line_indent = Cm(0)
        p.paragraph_format.keep_with_next = True
        path = self.base_dir / block.path
        picture = DocxImage.from_file(str(path))
        width = int(_usable_width(doc) * _IMAGE_WIDTH)
        if width * picture.px_height / picture.px_width > _IMAGE_MAX_HEIGHT:  # tall charts keep to half a page
            p.add_run().add_picture(str(path), height=_IMAGE_MAX_HEIGHT)
        else:
            p.add_run().add_picture(str(path), width=width)
        if block.caption:
            cap = self._paragraph()
            cap.style = doc.styles["Caption"]
            cap.alignment = WD_ALIGN_PARAGRAPH.CENTER
            run = cap.add_run(visible(block.caption))
            run.italic = True


def _setup_styles(doc) -> None:
    normal = doc.styles["Normal"]
    _font(normal.element, BODY_PT)
    normal.paragraph_format.space_after = Pt(6)
    normal.paragraph_format.line_spacing = 1.15
    normal.paragraph_format.widow_control = True
    for name, size in (
        ("Heading 1", 14),
        ("Heading 2", BODY_PT),
        ("Heading 3", BODY_PT),
        ("Caption", 12),
        ("Header", PAGE_NUMBER_PT),
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


def _page_number_header(section) -> None:
    """The page number centred in the top margin, shown from the second page on (ND30: the first page
    carries none): a first-page header of its own, left empty."""
    section.different_first_page_header_footer = True
    section.first_page_header.is_linked_to_previous = False
    p = section.header.paragraphs[0]
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = p.add_run()
    for kind in ("begin", "instr", "separate", "end"):
        if kind == "instr":
            el = OxmlElement("w:instrText")
            el.set(qn("xml:space"), "preserve")
            el.text = " PAGE "
        else:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), kind)
        run._r.append(el)
    run.font.size = Pt(PAGE_NUMBER_PT)


def _add_runs(paragraph, runs: list[Run], size_pt: float | None = None, bold: bool = False) -> None:
    for r in runs:
        if r.line_break:
            paragraph.add_run().add_break()
        if not r.text:
            continue
        run = paragraph.add_run(visible(r.text))
        run.bold = r.bold or bold or None
        run.italic = r.italic or None
        size = r.size or size_pt
        if size:
            run.font.size = Pt(size)


def _filler(p) -> None:
    """An empty paragraph one point high: a separator that cannot push anything onto a new page."""
    pf = p.paragraph_format
    pf.space_before = pf.space_after = Pt(0)
    pf.line_spacing = Pt(1)


def _rule(p, container: int, percent: float) -> None:
    """A short centred line: an empty paragraph with a bottom border, indented to `percent` of
    `container` (EMU)."""
    length = int(container * percent / 100)
    pf = p.paragraph_format
    pf.first_line_indent = Cm(0)
    pf.left_indent = pf.right_indent = Emu(max((container - length) // 2, 0))
    pf.space_before = Pt(0)
    pf.space_after = Pt(6)
    pf.line_spacing = Pt(3)  # exact: the line sits just under the text above
    border = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("w:val", "single"), ("w:sz", "6"), ("w:space", "1"), ("w:color", "000000")):
        bottom.set(qn(key), value)
    border.append(bottom)
    p._p.get_or_add_pPr().insert_element_before(border, *_PPR_AFTER_BORDER)


def _table(doc, block: Block, after_text: bool = False) -> None:
    n_cols = len(block.column_align)
    table = doc.add_table(rows=len(block.rows), cols=n_cols)
    table.style = doc.styles["Normal Table" if block.borderless else "Table Grid"]
    table.autofit = False
    size = FORM_PT if block.borderless else TABLE_PT
    usable = _usable_width(doc)
    total = int(usable * block.width_percent / 100) if block.width_percent else usable
    if len(block.column_percent) == n_cols:
        widths = [int(total * p / sum(block.column_percent)) for p in block.column_percent]
    else:
        widths = _column_widths(block, total, size)
    _table_geometry(table, sum(widths), usable, doc.sections[-1])
    last = len(block.rows) - 1
    # One pass over the rows, each row's cells read once from its own <w:tr> (row.cells, python-docx
    # >= 1.2): table.cell(r, c) rebuilds the whole cell grid and table.rows[i] the list of rows on every
    # call, which made a table cost rows² × columns² (a 705-district annex never finished).
    for i, (row, texts) in enumerate(zip(table.rows, block.rows)):
        header = i == 0 and not block.borderless
        _row_property(row, "w:cantSplit")  # a row never breaks across pages
        if header:
            _row_property(row, "w:tblHeader")
        for j, (cell, runs) in enumerate(zip(row.cells, texts)):
            cell.width = widths[j]
            cell.vertical_alignment = (
                WD_CELL_VERTICAL_ALIGNMENT.TOP if block.borderless else WD_CELL_VERTICAL_ALIGNMENT.CENTER
            )
            align = _ALIGN["center" if header else block.column_align[j]]
            space_after = Pt(0 if block.borderless else 2)
            for p in _cell_paragraphs(cell, runs, widths[j] - _CELL_PAD, size, header, space_after):
                p.alignment = p.alignment if p.alignment is not None else align
                p.paragraph_format.first_line_indent = Cm(0)
                if block.borderless and i < last:
                    p.paragraph_format.keep_with_next = True  # a form's rows stay on one page
            if block.borderless and i == 0 and after_text:
                cell.paragraphs[0].paragraph_format.space_before = Pt(6)  # the signature's line of room
            if header:
                _shade(cell, "D9D9D9")
    for j, column in enumerate(table.columns):
        column.width = widths[j]


def _cell_paragraphs(cell, runs: list[Run], text_width: int, size: float, bold: bool, space_after: Pt) -> list:
    """The cell's text, one paragraph per stretch between rules and one per rule."""
    out: list = []
    stretch: list[Run] = []

    def new_paragraph():
        p = cell.paragraphs[0] if not out else cell.add_paragraph()
        out.append(p)
        return p

    def flush():
        p = new_paragraph()
        p.paragraph_format.space_after = space_after
        p.paragraph_format.line_spacing = 1.0
        _add_runs(p, stretch, size_pt=size, bold=bold)
        stretch.clear()

    for run in runs:
        if run.rule is None:
            if not stretch and out and run.line_break:
                run = replace(run, line_break=False)  # the rule above already ends the line
            stretch.append(run)
            continue
        if stretch or not out:
            flush()
        p = new_paragraph()
        _rule(p, text_width, run.rule)
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    if stretch or not out:
        flush()
    return out


def _table_geometry(table, width: int, usable: int, section) -> None:
    """The table's width; a table wider than the text runs into both margins in proportion to them."""
    tbl_pr = table._tbl.tblPr
    tbl_w = tbl_pr.find(qn("w:tblW"))
    if tbl_w is None:
        tbl_w = OxmlElement("w:tblW")
        tbl_pr.insert_element_before(tbl_w, "w:jc", "w:tblCellSpacing", "w:tblInd", "w:tblBorders", "w:shd")
    tbl_w.set(qn("w:w"), str(round(width / 635)))  # twips
    tbl_w.set(qn("w:type"), "dxa")
    extra = width - usable
    if extra > 0:
        left, right = section.left_margin, section.right_margin
        ind = OxmlElement("w:tblInd")
        ind.set(qn("w:w"), str(-round(extra * left / (left + right) / 635)))
        ind.set(qn("w:type"), "dxa")
        tbl_pr.insert_element_before(
            ind, "w:tblBorders", "w:shd", "w:tblLayout", "w:tblCellMar", "w:tblLook", "w:tblCaption"
        )


def _row_property(row, tag: str) -> None:
    el = OxmlElement(tag)
    el.set(qn("w:val"), "true")
    row._tr.get_or_add_trPr().append(el)


def _shade(cell, fill: str) -> None:
    tcpr = cell._tc.get_or_add_tcPr()
    shd = OxmlElement("w:shd")
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:color"), "auto")
    shd.set(qn("w:fill"), fill)
    tcpr.insert_element_before(shd, "w:noWrap", "w:tcMar", "w:textDirection", "w:tcFitText", "w:vAlign")


# --- column widths ------------------------------------------------------------------------------------


def _em(text: str, bold: bool = False) -> float:
    """Width of `text` in ems, from Times New Roman's advance widths; bold capitals run about 5% wider,
    bold small letters and figures about 10%."""
    total = 0.0
    for ch in unicodedata.normalize("NFD", text):
        if unicodedata.combining(ch):
            continue
        width = _CHAR_EM.get(ch, 0.72 if ch.isupper() else 0.5)
        total += width * (1 + (0.05 if ch.isupper() else 0.1)) if bold else width
    return total


def _cell_lines(runs: list[Run], size: float, bold: bool) -> list[list[float]]:
    """The cell's lines (between breaks), each as the widths of its words in points."""
    lines: list[list[float]] = [[]]
    carry = ""  # a word split between two runs (bold figure then plain text)
    carry_bold = False

    def end_word():
        nonlocal carry
        if carry:
            lines[-1].append(_em(carry, carry_bold) * size)
        carry = ""

    for r in runs:
        if r.line_break or r.rule is not None:
            end_word()
            lines.append([])
        for k, part in enumerate(r.text.split(" ")):
            if k:
                end_word()
            carry += part
            carry_bold = carry_bold or r.bold or bold
    end_word()
    return lines


def _line_count(lines: list[list[float]], width: float, space: float) -> int:
    """Lines the cell takes at `width` points, wrapping greedily between words."""
    count = 0
    for words in lines:
        used = None
        count += 1
        for w in words:
            if used is None:
                used = w
            elif used + space + w <= width:
                used += space + w
            else:
                count += 1
                used = w
            if used > width:  # a word wider than the column breaks inside
                count += math.ceil(used / width) - 1
                used = used % width
    return count


def _column_widths(block: Block, total: int, font_pt: float) -> list:
    """Column widths (EMU) that make the table as short as it can be: every column gets its longest
    word and its short body lines unbroken (numbers, names), then the rest of the width goes, a step at
    a time, to the column that saves the most lines per step. A label column beside two-line figures
    thus gets just enough to take two lines, not the width of its longest label."""
    n = len(block.column_align)
    rows = block.rows
    if len(rows) > _SAMPLE_ROWS:
        step_rows = len(rows) / (_SAMPLE_ROWS - 1)
        rows = [rows[0], *(rows[min(len(rows) - 1, round(k * step_rows))] for k in range(1, _SAMPLE_ROWS))]
    cells = [[_cell_lines(runs, font_pt, bold=i == 0) for runs in row] for i, row in enumerate(rows)]
    space = _CHAR_EM[" "] * font_pt
    minimum = [1.0] * n
    desired = [1.0] * n
    for i, row in enumerate(cells):
        for j, lines in enumerate(row):
            for words in lines:
                if not words:
                    continue
                line = sum(words) + space * (len(words) - 1)
                minimum[j] = max(minimum[j], max(words))
                if i > 0 and len(words) <= 3 and line <= _UNBROKEN_CHARS * 0.5 * font_pt:
                    minimum[j] = max(minimum[j], line)
                if i > 0 or len(cells) == 1:  # header labels may wrap; what is left goes to body lines
                    desired[j] = max(desired[j], line)
    pad = _CELL_PAD / _EMU_PER_PT + _SLACK_PT
    room = total / _EMU_PER_PT - pad * n  # points of text across the table
    if sum(minimum) >= room:
        chars = minimum
    else:
        chars = _share_out(cells, minimum, desired, room, space)
    scale = (total / _EMU_PER_PT) / sum(c + pad for c in chars)
    return [int((c + pad) * scale * _EMU_PER_PT) for c in chars]


def _share_out(cells, minimum: list[float], desired: list[float], room: float, space: float) -> list[float]:
    """Widths from `minimum` up to `room`, a few steps at a time to the column that saves the most lines
    per step. A row is as tall as its tallest cell; the lines of the other cells count a little too
    (`_OTHER_LINES`), so that two cells of one row that wrap alike are widened in turn rather than never."""
    n, m = len(minimum), len(cells)
    step = room / _WIDTH_STEPS
    steps = [0] * n
    spare = int((room - sum(minimum)) // step)
    floor = [[len(cell) for cell in row] for row in cells]  # a cell takes at least its own lines
    memo: dict = {}

    def lines(i: int, j: int, k: int) -> int:
        key = (i, j, k)
        if key not in memo:
            memo[key] = _line_count(cells[i][j], minimum[j] + k * step, space)
        return memo[key]

    while spare > 0:
        current = [[lines(i, j, steps[j]) for j in range(n)] for i in range(m)]
        heights = [max(row) for row in current]
        best = None  # ((saved per step, fewer steps, first column), column, steps)
        for j in range(n):
            if all(current[i][j] <= floor[i][j] for i in range(m)):
                continue
            others = [max([c for k, c in enumerate(row) if k != j], default=0) for row in current]
            for d in range(1, spare + 1):
                new = [lines(i, j, steps[j] + d) for i in range(m)]
                saved = sum(heights[i] - max(others[i], new[i]) for i in range(m))
                saved += _OTHER_LINES * sum(current[i][j] - new[i] for i in range(m))
                if saved > 0 and (best is None or (saved / d, -d, -j) > best[0]):
                    best = ((saved / d, -d, -j), j, d)
                if all(new[i] <= floor[i][j] for i in range(m)):
                    break
        if best is None:
            break
        _, j, d = best
        steps[j] += d
        spare -= d
    if n <= _REBALANCE_COLUMNS:
        spare = _rebalance(steps, spare, lines, m, n)
    widths = [w + k * step for w, k in zip(minimum, steps)]
    # what no line needs goes to the columns whose longest lines still wrap, else to all alike
    left = room - sum(widths)
    lack = [max(dw - w, 0) for dw, w in zip(desired, widths)]
    weights = lack if sum(lack) > 0 else widths
    return [w + left * k / sum(weights) for w, k in zip(widths, weights)]


def _rebalance(steps: list[int], spare: int, lines, m: int, n: int) -> int:
    """Improve `steps` (in place) by moving width between columns while the table gets shorter. The
    greedy share-out gives each step to one column, so two columns that wrap alike on the same rows ("Không
    so sánh được" in both the previous half-year and the change) never win a step: widening either alone
    saves no row. Here a move takes k steps from one column (or the unspent ones) and gives them to another,
    or k to each of two others. Returns the steps still unspent."""

    def cost(state: list[int]) -> float:
        rows = [[lines(i, j, state[j]) for j in range(n)] for i in range(m)]
        return sum(max(row) for row in rows) + _OTHER_LINES * sum(map(sum, rows))

    current = cost(steps)
    for _ in range(_REBALANCE_ROUNDS):
        best = None
        for a in [None, *range(n)]:  # None: the unspent steps
            have = spare if a is None else steps[a]
            for k in range(1, min(have, _WIDTH_STEPS // 4) + 1):
                targets = [(b,) for b in range(n) if b != a]
                if 2 * k <= have:
                    targets += [(b, c) for b in range(n) for c in range(b + 1, n) if a not in (b, c)]
                for to in targets:
                    trial = list(steps)
                    if a is not None:
                        trial[a] -= k * len(to)
                    for b in to:
                        trial[b] += k
                    value = cost(trial)
                    if value < current - 1e-9 and (best is None or value < best[0]):
                        best = (value, trial, 0 if a is not None else k * len(to))
        if best is None:
            break
        current, trial, spent = best
        steps[:] = trial
        spare -= spent
    return spare


# --- file properties ----------------------------------------------------------------------------------


def _set_properties(doc, values: dict[str, str], stamp: dt.datetime) -> None:
    """Core properties from `values`, in Vietnamese; every default of python-docx's template replaced
    (it names itself as author and description) and its thumbnail of an empty page dropped."""
    props = doc.core_properties
    author = values.get("author", "")
    props.title = values.get("title", "")
    props.subject = values.get("subject", "")
    props.author = props.last_modified_by = author
    props.keywords = values.get("keywords", "")
    props.category = values.get("category", "")
    props.comments = values.get("comments", "")
    props.language = "vi-VN"
    props.created = props.modified = stamp
    props.revision = 1
    package = doc.part.package
    for rel_id, rel in list(package.rels.items()):
        if rel.reltype == RT.THUMBNAIL:
            del package.rels[rel_id]
        elif rel.reltype == RT.EXTENDED_PROPERTIES:
            rel.target_part._blob = _APP_XML.format(company=xml_escape(author)).encode("utf-8")
