"""Text that came from submissions stays text wherever people open it: in a CSV opened in Excel (OWASP's
CSV-injection advice: a leading = + - @ tab or CR gets a leading apostrophe) and in an xlsx cell
(openpyxl stores any string beginning with "=" as a formula unless the cell is forced to text).

Control characters a cell can carry (NUL, BEL, ESC ...) are shown, not passed on: `visible` writes each
as [U+001B], so an auditor sees that the cell held one and no reader (a terminal, Excel, an XML parser)
acts on it. Line breaks and tabs become spaces, except in an xlsx cell, which holds them as text."""

from __future__ import annotations

import re

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\ufffe\uffff]")
_SPACES = {"\t": " ", "\n": " ", "\r": " "}


def visible(text: str, keep_whitespace: bool = False) -> str:
    """`text` with every control character written as [U+XXXX]; line breaks and tabs become a space, or
    stay with `keep_whitespace` (an xlsx cell holds them as text)."""
    if not _CONTROL.search(text):
        return text

    def shown(m: re.Match) -> str:
        ch = m.group(0)
        if ch in _SPACES:
            return ch if keep_whitespace else _SPACES[ch]
        return f"[U+{ord(ch):04X}]"

    return _CONTROL.sub(shown, text)


def looks_like_formula(text: str) -> bool:
    return text.startswith(FORMULA_STARTS)


def inert(value: object) -> object:
    """A CSV value as Excel must show it; numbers and empty values unchanged."""
    if isinstance(value, str):
        value = visible(value)
        if looks_like_formula(value):
            return "'" + value
    return value


def put_text(cell, text: object) -> None:
    """Store `text` in an openpyxl cell as a string, never a formula; when it looks like one, with Excel's
    quote prefix so that editing the cell keeps it text. Control characters are shown (`visible`)."""
    text = visible("" if text is None else str(text), keep_whitespace=True)
    cell.value = text
    cell.data_type = "s"
    if looks_like_formula(text):
        cell.quotePrefix = True
