"""Text that came from submissions stays text wherever people open it: in a CSV opened in Excel (OWASP's
CSV-injection advice: a leading = + - @ tab or CR gets a leading apostrophe) and in an xlsx cell
(openpyxl stores any string beginning with "=" as a formula unless the cell is forced to text).

Control characters a cell can carry (NUL, BEL, ESC ...) are shown, not passed on: `visible` writes each
as [U+001B], so an auditor sees that the cell held one and no reader (a terminal, Excel, an XML parser)
acts on it. Line breaks and tabs become spaces, except in an xlsx cell, which holds them as text.

An xlsx cell's text is an OOXML ST_Xstring, in which `_xHHHH_` stands for the character U+HHHH: Excel and
LibreOffice show a file named "23023_x000a_song.xlsx" with a line break (LibreOffice even decodes one to
three hex digits: "23023_xa_song_luy.xlsx" is shown as "23023⏎song_luy.xlsx"). openpyxl writes the text
as it is, and reads it back as it is. `xlsx_text` escapes the underscore of anything that reads as such a
code (`_x005F_`, the escaped '_'), so every reader shows the text we meant."""

from __future__ import annotations

import re

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\ufffe\uffff]")
_SPACES = {"\t": " ", "\n": " ", "\r": " "}
# `_x` + hex digits + `_`: four digits per the standard, fewer as LibreOffice also reads them
_XSTRING_CODE = re.compile(r"_(?=x[0-9A-Fa-f]{1,4}_)")


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


def xlsx_text(text: str) -> str:
    """`text` as an xlsx cell stores it so that Excel and LibreOffice show `text`: control characters
    shown (`visible`), each `_xHHHH_`-like run escaped as `_x005F_xHHHH_`."""
    return _XSTRING_CODE.sub("_x005F_", visible(text, keep_whitespace=True))


def put_text(cell, text: object, *, stored: bool = False) -> None:
    """Store `text` in an openpyxl cell as a string, never a formula; when it looks like one, with Excel's
    quote prefix so that editing the cell keeps it text. Every text cell of the published workbooks comes
    through here (`xlsx_text`). With `stored`, `text` is already what Excel stores (the test workbooks
    plant a NUL as Excel does, `_x0000_`): only control characters are shown."""
    text = "" if text is None else str(text)
    text = visible(text, keep_whitespace=True) if stored else xlsx_text(text)
    cell.value = text
    cell.data_type = "s"
    if looks_like_formula(text):
        cell.quotePrefix = True
