"""Text that came from submissions stays text wherever people open it: in a CSV opened in Excel (OWASP's
CSV-injection advice: a leading = + - @ tab or CR gets a leading apostrophe) and in an xlsx cell
(openpyxl stores any string beginning with "=" as a formula unless the cell is forced to text)."""
from __future__ import annotations

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def looks_like_formula(text: str) -> bool:
    return text.startswith(FORMULA_STARTS)


def inert(value: object) -> object:
    """A CSV value as Excel must show it; numbers and empty values unchanged."""
    if isinstance(value, str) and looks_like_formula(value):
        return "'" + value
    return value


def put_text(cell, text: object) -> None:
    """Store `text` in an openpyxl cell as a string, never a formula; when it looks like one, with Excel's
    quote prefix so that editing the cell keeps it text. Characters XML cannot hold are dropped."""
    text = ILLEGAL_CHARACTERS_RE.sub("", "" if text is None else str(text))
    cell.value = text
    cell.data_type = "s"
    if looks_like_formula(text):
        cell.quotePrefix = True
