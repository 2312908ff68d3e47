"""The small Markdown the report templates are written in, read into blocks a document writer lays out.

Blocks: headings (`#`..`###`), paragraphs, bullet lists (`- `), pipe tables, images (`![caption](path)`)
and directives written as HTML comments on their own line, which Markdown viewers do not show:
`<!-- căn: giữa -->` / `<!-- căn: phải -->` align the next paragraph, `<!-- bảng: không viền -->`
draws the next table without borders, `<!-- cột: 40 60 -->` gives its column widths in percent of the
page, `<!-- rộng: 110 -->` makes it that wide in percent of the text width (over 100: into the margins),
`<!-- trang: ngang -->` / `<!-- trang: dọc -->` start a landscape / portrait section and
`<!-- trang: mới -->` a new page. `<!-- thuộc tính tác giả: ... -->` (also `tiêu đề`, `chủ đề`,
`từ khóa`, `thể loại`, `chú thích`) sets a property of the document file.
A line `<hr width="30%">` is a short centred rule (the width in percent of the text or cell width; a
third without one), as under the issuer, the motto and the title of an administrative document.
Inline: `**bold**`, `*italic*`, `<br>` (line break), `<hr ...>` (a rule inside a table cell),
`<span style="font-size: 14pt">...</span>` (a size other than the block's) and backslash escapes
(see `escape`).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from reports.text_cells import visible

_ESCAPABLE = "\\`*_[]|<>#"
_DIRECTIVE = re.compile(r"^<!--\s*(.*?)\s*-->$")
_IMAGE = re.compile(r"^!\[(?P<caption>[^\]]*)\]\((?P<path>[^)]+)\)$")
_HEADING = re.compile(r"^(#{1,3})\s+(.*)$")
_DELIMITER_CELL = re.compile(r"^:?-{3,}:?$")
_BREAK = re.compile(r"<br\s*/?>", re.IGNORECASE)
_RULE = re.compile(r"""<hr(?:\s+width\s*=\s*["']?(\d+(?:[.,]\d+)?)\s*%?["']?)?\s*/?>""", re.IGNORECASE)
_SIZE_OPEN = re.compile(
    r"""<span\s+style\s*=\s*["']\s*font-size\s*:\s*(\d+(?:[.,]\d+)?)\s*pt\s*;?\s*["']\s*>""", re.IGNORECASE
)
_SIZE_CLOSE = re.compile(r"</span\s*>", re.IGNORECASE)
DEFAULT_RULE_PERCENT = 100 / 3
# Property directives and the core property each sets
PROPERTIES = {
    "tiêu đề": "title",
    "chủ đề": "subject",
    "tác giả": "author",
    "từ khóa": "keywords",
    "thể loại": "category",
    "chú thích": "comments",
}


@dataclass(frozen=True)
class Run:
    text: str
    bold: bool = False
    italic: bool = False
    line_break: bool = False  # a line break before this run's text
    size: float | None = None  # font size in points; None: the block's
    rule: float | None = None  # a short rule (percent of the cell's width) in place of text


@dataclass
class Block:
    kind: str  # heading|paragraph|bullet|table|image|section|page_break|rule|property
    runs: list[Run] = field(default_factory=list)
    level: int = 0  # heading level
    align: str | None = None  # 'center' | 'right' | 'left' for paragraphs
    rows: list[list[list[Run]]] = field(default_factory=list)  # table cells as runs
    column_align: list[str] = field(default_factory=list)
    borderless: bool = False
    column_percent: list[float] = field(default_factory=list)  # given widths; empty: from the text
    width_percent: float = 0  # table width in percent of the text width; 0: the text width
    percent: float = 0  # rule: its length in percent of the text width
    name: str = ""  # property: the core property's name (its value is the text)
    path: str = ""  # image path (relative to the Markdown file)
    caption: str = ""
    orientation: str = ""  # section: 'landscape' | 'portrait'

    @property
    def text(self) -> str:
        return runs_text(self.runs)


def escape(text: str) -> str:
    """Data text (names from the register or submissions) made literal inside the template's Markdown."""
    text = " ".join(visible(str(text)).split())  # no line breaks inside a paragraph or table cell
    return "".join("\\" + ch if ch in _ESCAPABLE else ch for ch in text)


def runs_text(runs: list[Run]) -> str:
    return "".join(("\n" if r.line_break or r.rule is not None else "") + r.text for r in runs)


def parse(markdown: str) -> list[Block]:
    blocks: list[Block] = []
    pending: dict = {}
    lines = markdown.splitlines()
    i = 0
    while i < len(lines):
        line = lines[i].strip()
        if not line:
            i += 1
            continue
        directive = _DIRECTIVE.match(line)
        if directive:
            _apply_directive(directive.group(1), pending, blocks)
            i += 1
            continue
        rule = _RULE.fullmatch(line)
        if rule:
            blocks.append(Block("rule", percent=_rule_percent(rule)))
            i += 1
            continue
        heading = _HEADING.match(line)
        image = _IMAGE.match(line)
        if heading:
            blocks.append(Block("heading", inline(heading.group(2)), level=len(heading.group(1))))
            i += 1
        elif image:
            blocks.append(Block("image", path=image.group("path").strip(), caption=image.group("caption").strip()))
            i += 1
        elif line.startswith("|"):
            rows = []
            while i < len(lines) and lines[i].strip().startswith("|"):
                rows.append(_cells(lines[i].strip()))
                i += 1
            table = _table(rows, borderless=pending.pop("borderless", False))
            table.column_percent = pending.pop("column_percent", [])
            table.width_percent = pending.pop("width_percent", 0)
            blocks.append(table)
        elif line.startswith("- "):
            while i < len(lines) and lines[i].strip().startswith("- "):
                blocks.append(Block("bullet", inline(lines[i].strip()[2:])))
                i += 1
        else:
            para = []
            while i < len(lines) and lines[i].strip() and not _starts_block(lines[i].strip()):
                para.append(lines[i].strip())
                i += 1
            blocks.append(Block("paragraph", inline(" ".join(para)), align=pending.pop("align", None)))
    return blocks


def _normal(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).lower().split())


def _apply_directive(text: str, pending: dict, blocks: list[Block]) -> None:
    raw_key, _, raw_value = text.partition(":")
    key, value = _normal(raw_key), _normal(raw_value)
    if key.startswith("thuộc tính ") and key[len("thuộc tính ") :] in PROPERTIES:
        # the value keeps its case and spelling: it is shown in the file's properties
        name = PROPERTIES[key[len("thuộc tính ") :]]
        blocks.append(Block("property", [Run(" ".join(raw_value.split()))], name=name))
    elif key == "căn" and value in ("giữa", "phải", "trái"):
        pending["align"] = {"giữa": "center", "phải": "right", "trái": "left"}[value]
    elif key == "bảng" and value == "không viền":
        pending["borderless"] = True
    elif key == "cột" and value and all(_is_number(w) for w in value.split()):
        pending["column_percent"] = [float(w.replace(",", ".")) for w in value.split()]
    elif key == "rộng" and _is_number(value.rstrip("%").strip()):
        pending["width_percent"] = float(value.rstrip("%").strip().replace(",", "."))
    elif key == "trang" and value in ("ngang", "dọc"):
        blocks.append(Block("section", orientation="landscape" if value == "ngang" else "portrait"))
    elif key == "trang" and value == "mới":
        blocks.append(Block("page_break"))
    # any other comment is a note for the template's editors


def _is_number(word: str) -> bool:
    try:
        return float(word.replace(",", ".")) > 0
    except ValueError:
        return False


def _starts_block(line: str) -> bool:
    return bool(line.startswith(("|", "- ", "#", "<!--")) or _IMAGE.match(line) or _RULE.fullmatch(line))


def _rule_percent(match: re.Match) -> float:
    given = match.group(1)
    return min(float(given.replace(",", ".")), 100.0) if given else DEFAULT_RULE_PERCENT


def _cells(line: str) -> list[str]:
    """Cells of a pipe-table row; an escaped pipe stays inside its cell."""
    body = line[1:-1] if line.endswith("|") and not line.endswith("\\|") else line[1:]
    cells, current, i = [], "", 0
    while i < len(body):
        ch = body[i]
        if ch == "\\" and i + 1 < len(body):
            current += body[i : i + 2]
            i += 2
            continue
        if ch == "|":
            cells.append(current.strip())
            current = ""
        else:
            current += ch
        i += 1
    cells.append(current.strip())
    return cells


def _table(rows: list[list[str]], borderless: bool) -> Block:
    column_align: list[str] = []
    if len(rows) >= 2 and all(_DELIMITER_CELL.match(c) for c in rows[1] if c):
        for c in rows[1]:
            column_align.append(
                "center" if c.startswith(":") and c.endswith(":") else "right" if c.endswith(":") else "left"
            )
        rows = [rows[0], *rows[2:]]
    width = max(len(r) for r in rows)
    cells = [[inline(c) for c in r + [""] * (width - len(r))] for r in rows]
    column_align += ["left"] * (width - len(column_align))
    return Block("table", rows=cells, column_align=column_align, borderless=borderless)


def inline(text: str) -> list[Run]:
    """Runs of text with bold / italic / sizes / line breaks / rules; backslash escapes are made literal."""
    runs: list[Run] = []
    bold = italic = False
    sizes: list[float] = []  # open <span style="font-size: ..."> tags, innermost last
    buf = ""
    pending_break = False
    i = 0

    def flush():
        nonlocal buf, pending_break
        if buf or pending_break:
            runs.append(Run(buf, bold, italic, pending_break, sizes[-1] if sizes else None))
        buf, pending_break = "", False

    while i < len(text):
        if text[i] == "\\" and i + 1 < len(text) and text[i + 1] in _ESCAPABLE:
            buf += text[i + 1]
            i += 2
            continue
        brk = _BREAK.match(text, i)
        if brk:
            flush()
            pending_break = True
            i = brk.end()
            continue
        rule = _RULE.match(text, i)
        if rule:
            flush()
            runs.append(Run("", rule=_rule_percent(rule)))
            i = rule.end()
            continue
        size = _SIZE_OPEN.match(text, i)
        if size:
            flush()
            sizes.append(float(size.group(1).replace(",", ".")))
            i = size.end()
            continue
        close = _SIZE_CLOSE.match(text, i) if sizes else None
        if close:
            flush()
            sizes.pop()
            i = close.end()
            continue
        if text.startswith("**", i):
            flush()
            bold = not bold
            i += 2
            continue
        if text[i] == "*":
            flush()
            italic = not italic
            i += 1
            continue
        buf += text[i]
        i += 1
    flush()
    return runs
