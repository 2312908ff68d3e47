"""Turns one worksheet cell into its typed value, by the column types of catalog/workbook.yaml
(code, text, yesno, count, year, enum, and for the cover date, period, version), together with the
cell issue to record when the cell is blank or outside its vocabulary.

Cells arrive as the Excel reader gives them: str, float (integers too), bool, date/datetime, or ''
for a blank, and ExcelError where the sheet holds an error cell (ingestion.excel_errors). Every
vocabulary comparison goes through ingestion.normalize.text_key.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from dataclasses import dataclass
from functools import cache

import catalog
from ingestion.normalize import clean_text, code_points, drop_hidden, hidden_characters, shows_something, text_key
from ingestion.reasons import reason

INVALID_VALUE = "INVALID_VALUE"
MISSING_VALUE = "MISSING_VALUE"
INVISIBLE_CHARACTER = "INVISIBLE_CHARACTER"

Issue = tuple[str, str]  # (check_code, Vietnamese reason)

_DIGITS = re.compile(r"[0-9]+")
_THOUSANDS = re.compile(r"[0-9]{1,3}(?:\.[0-9]{3})+")  # "1.234", "1.234.567"
_DMY = re.compile(r"([0-9]{1,2})[/.\-]([0-9]{1,2})[/.\-]([0-9]{4})")
_ISO = re.compile(r"([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})")
_EXCEL_EPOCH = dt.date(1899, 12, 30)
_MAX_EXCEL_SERIAL = 2958465  # 31/12/9999
_MAX_BIGINT = 2**63 - 1
_YEARS = range(1900, 2101)
_MIDNIGHT = dt.time()


@dataclass(frozen=True, slots=True)
class ExcelError:
    """An Excel error cell, by its text ("#DIV/0!", "#N/A", ...): a broken formula, never a value."""

    text: str

    def __str__(self) -> str:
        return self.text


@dataclass(frozen=True, slots=True)
class Rule:
    """How to read one catalogue column or cover field."""

    name: str
    header: str  # the header or cover label, as the catalogue spells it
    header_key: str
    type: str
    required: bool = False
    width: int | None = None  # code columns: zero-pad digit codes to this width
    lookup: dict | None = None  # enum/yesno: text_key(word) -> vocabulary key
    words: str = ""  # enum/yesno: the vocabulary as users read it, "Có/Không"
    max: int | None = None  # count columns: the catalogue's plausibility bound (workbook.yaml `max`)

    def with_width(self, width: int | None) -> Rule:
        return dataclasses.replace(self, width=width)


def rule(name: str, spec: dict) -> Rule:
    """The reading rule of a catalogue column (`header`) or cover field (`label`)."""
    header = spec.get("header") or spec["label"]
    lookup, words = _vocabulary(spec["vocab"]) if "vocab" in spec else (None, "")
    if spec["type"] == "yesno":
        lookup, words = _vocabulary("yesno")
    return Rule(
        name=name,
        header=header,
        header_key=text_key(header),
        type=spec["type"],
        required=bool(spec.get("required")),
        width=spec.get("width"),
        lookup=lookup,
        words=words,
        max=spec.get("max"),
    )


@cache
def _vocabulary(name: str) -> tuple[dict, str]:
    """A vocabulary of workbook.yaml (under `vocab`, or a top-level mapping such as `levels`)."""
    spec = catalog.workbook()
    entries = spec["vocab"].get(name) or spec[name]
    lookup = {text_key(word): key for key, words in entries.items() for word in words}
    return lookup, "/".join(str(words[0]) for words in entries.values())


@cache
def _period_patterns() -> tuple[tuple[re.Pattern, str], ...]:
    patterns = []
    for half, templates in catalog.workbook()["periods"].items():
        for template in templates:
            parts = [re.escape(p) for p in text_key(template).split("{year}")]
            patterns.append((re.compile(r"([0-9]{4})".join(parts)), str(half)))
    return tuple(patterns)


def raw_text(cell: object) -> str:
    """A cell as text: integers without '.0', dates ISO, '' for a blank cell or one holding only
    whitespace and characters that show nothing."""
    if cell is None:
        return ""
    if isinstance(cell, str):
        if cell.isascii():
            return cell if cell.strip() else ""
        return cell if shows_something(cell) else ""
    if isinstance(cell, bool):
        return "TRUE" if cell else "FALSE"
    if isinstance(cell, float):
        return str(int(cell)) if cell.is_integer() else repr(cell)
    if isinstance(cell, dt.datetime):
        return cell.date().isoformat() if cell.time() == _MIDNIGHT else cell.isoformat(sep=" ")
    if isinstance(cell, dt.date):
        return cell.isoformat()
    return str(cell)


def convert(r: Rule, cell: object, raw: str) -> tuple[object, Issue | None]:
    """(typed value, issue or None) of `cell` whose raw_text is `raw`."""
    if raw == "":
        return _BLANK[r.type](r)
    if type(cell) is ExcelError:  # whatever the column's type: the cell holds no value at all
        return _invalid("excel_error", error=cell.text)
    if type(cell) is str and not cell.isascii():
        hidden = hidden_characters(cell, code=r.type == "code")
        if hidden:
            return _without_hidden(r, drop_hidden(cell, code=r.type == "code"), hidden)
    return _CONVERT[r.type](r, cell, raw)


def _without_hidden(r: Rule, cell: str, hidden: list[str]) -> tuple[object, Issue | None]:
    """The value of a text cell read without the characters that show nothing in it. They are reported
    (a warning) unless the cell has an issue of its own: the value looked right and matched nothing."""
    raw = raw_text(cell)
    value, issue = convert(r, cell, raw)
    if issue is None:
        key = "invisible_in_code" if r.type == "code" else "invisible_in_value"
        issue = (INVISIBLE_CHARACTER, reason(key, value=clean_text(raw), chars=code_points(hidden)))
    return value, issue


def _invalid(key: str, **values) -> tuple[None, Issue]:
    return None, (INVALID_VALUE, reason(key, **values))


def _blank_required(r: Rule) -> tuple[None, Issue | None]:
    return (None, (INVALID_VALUE, reason("blank_required"))) if r.required else (None, None)


_BLANK = {
    "code": _blank_required,
    "text": _blank_required,
    "enum": _blank_required,
    "year": _blank_required,
    "date": _blank_required,
    "period": _blank_required,
    "yesno": lambda r: (False, (MISSING_VALUE, reason("blank_yesno"))),
    "count": lambda r: (None, (MISSING_VALUE, reason("blank_count")) if r.required else None),
    "version": lambda r: (1, None),
}


def _whole_number(cell: object) -> int | None:
    """A numeric cell's integer value, or a text cell of ASCII digits; None otherwise."""
    if isinstance(cell, bool):
        return None
    if isinstance(cell, float):
        return int(cell) if cell.is_integer() else None
    if isinstance(cell, int):
        return cell
    if isinstance(cell, str):
        text = cell.strip()
        return _digits_value(text) if _DIGITS.fullmatch(text) else None
    return None


def _digits_value(digits: str) -> int:
    """The integer of a string of ASCII digits; beyond 19 significant digits, a number larger than any
    bound checked here (int() refuses more than 4300 digits: the whole file would be lost for a cell)."""
    significant = digits.lstrip("0")
    return int(significant or "0") if len(significant) <= 19 else _MAX_BIGINT + 1


def _code(r: Rule, cell: object, raw: str):
    if isinstance(cell, (bool, dt.date)):
        return _invalid("not_code")
    if isinstance(cell, float) and not (cell.is_integer() and cell >= 0):
        return _invalid("not_code")
    code = clean_text(raw)
    if r.width and len(code) < r.width and _DIGITS.fullmatch(code):
        code = code.zfill(r.width)
    return code, None


def _text(r: Rule, cell: object, raw: str):
    return clean_text(raw), None


def _lookup(r: Rule, cell: object, raw: str):
    value = r.lookup.get(text_key(raw))
    if value is None:
        return _invalid("not_in_vocab", words=r.words)
    return (value if r.type == "yesno" else str(value)), None


def _count(r: Rule, cell: object, raw: str):
    if isinstance(cell, str) and _THOUSANDS.fullmatch(cell.strip()):
        n = _digits_value(cell.strip().replace(".", ""))
    else:
        n = _whole_number(cell)
    if n is None or n < 0 or n > _MAX_BIGINT:
        return _invalid("not_count")
    if r.max is not None and n > r.max:
        return _invalid("count_too_large", max=f"{r.max:,}".replace(",", "."))
    return n, None


def _year(r: Rule, cell: object, raw: str):
    n = _whole_number(cell)
    return (n, None) if n in _YEARS else _invalid("not_year")


def _date(r: Rule, cell: object, raw: str):
    if isinstance(cell, dt.datetime):
        return cell.date(), None
    if isinstance(cell, dt.date):
        return cell, None
    serial = _whole_number(cell) if isinstance(cell, (int, float)) else None
    if serial is not None and 1 <= serial <= _MAX_EXCEL_SERIAL:
        return _EXCEL_EPOCH + dt.timedelta(days=serial), None  # a date cell without a date format
    if isinstance(cell, str):
        text = cell.strip()
        match = _DMY.fullmatch(text)
        try:
            if match:
                day, month, year = (int(g) for g in match.groups())
                return dt.date(year, month, day), None
            match = _ISO.fullmatch(text)
            if match:
                year, month, day = (int(g) for g in match.groups())
                return dt.date(year, month, day), None
        except ValueError:
            pass
    return _invalid("not_date")


def _period(r: Rule, cell: object, raw: str):
    key = text_key(raw)
    for pattern, half in _period_patterns():
        match = pattern.fullmatch(key)
        if match:
            return f"{match.group(1)}-{half}", None
    return _invalid("not_period")


def _version(r: Rule, cell: object, raw: str):
    n = _whole_number(cell)
    return (n, None) if n is not None and 1 <= n <= 2**31 - 1 else _invalid("not_version")


_CONVERT = {
    "code": _code,
    "text": _text,
    "enum": _lookup,
    "yesno": _lookup,
    "count": _count,
    "year": _year,
    "date": _date,
    "period": _period,
    "version": _version,
}
