"""Reads one submission workbook into rows of the raw tables, as contract section 3 fixes it.

`parse_workbook` is a pure function of the file: it runs ingestion.safety first, then reads the cover
and the data sheets of the workbook's level with python-calamine (stored values only: formulas give
their cached result, macros and external links are never touched; an error result such as #DIV/0!,
which the reader gives as a blank, is put back from the sheet's XML by ingestion.excel_errors, so that
it is an INVALID_VALUE naming the error, not a blank). Sheet names, headers, cover labels,
vocabularies, column types, code widths and totals-row prefixes all come from catalog/workbook.yaml.

The work per file is bounded (issue 14): a sheet is read at most its row limit (workbook.yaml
`row_limits`, scaled by the register: register_row_limits), so a workbook of junk rows costs seconds.
A blank template of `antq template` that nobody filled in is told from a submission (BLANK_TEMPLATE).
"""

from __future__ import annotations

import os
import posixpath
import re
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from xml.etree import ElementTree

from python_calamine import CalamineWorkbook

import catalog
from ingestion.cells import INVALID_VALUE, ExcelError, convert, raw_text
from ingestion.digest import sha256_of
from ingestion.excel_errors import Positions, error_cells
from ingestion.normalize import text_key
from ingestion.reasons import reason
from ingestion.safety import inspect
from ingestion.schema import REGISTER_AGENCIES, REGISTER_ORG_UNITS, SCHEMA
from workbook_format.catalogue import Layout
from workbook_format.catalogue import catalogue as _catalogue

UNREADABLE_FILE = "UNREADABLE_FILE"
INVALID_COVER = "INVALID_COVER"
SHEET_HEADER_NOT_FOUND = "SHEET_HEADER_NOT_FOUND"
SHEET_TOO_MANY_ROWS = "SHEET_TOO_MANY_ROWS"
BLANK_TEMPLATE = "BLANK_TEMPLATE"
COVER_LIMIT = "cover"  # the cover's key in workbook.yaml row_limits
INGESTED = "ingested"
REJECTED = "rejected"
IDENTITY_FIELDS = ("level", "code", "period")  # cover fields without which a file has no identity


@dataclass
class ParsedFile:
    """One inbox file read: its outcome, its cover (raw.files columns) and its rows."""

    source_file: str
    file_sha256: str | None
    status: str = INGESTED
    check_code: str | None = None
    reason: str | None = None
    cover: dict = field(default_factory=dict)  # raw.files cover columns
    rows: dict[str, list[dict]] = field(default_factory=dict)  # raw table -> row dicts
    cell_issues: list[dict] = field(default_factory=list)  # raw.cell_issues row dicts

    def reject(self, check_code: str, why: str) -> ParsedFile:
        """Mark the file rejected; its rows and cell issues are dropped, its cover fields kept."""
        self.status, self.check_code, self.reason = REJECTED, check_code, why
        self.rows.clear()
        self.cell_issues.clear()
        return self


# Register counts a row limit may scale by (workbook.yaml row_limits `scale`), each the largest over
# reporters; the whole register, whatever the validity dates, so the bound is never too tight.
_SCALES = {
    "villages_per_commune": (
        f"select count(*) from {SCHEMA}.{REGISTER_ORG_UNITS} where level = 'village' group by parent_code"
    ),
    "agencies_per_reporter": f"select count(*) from {SCHEMA}.{REGISTER_AGENCIES} group by managed_by, district_code",
}


def row_limits(scale: Mapping[str, int] | None = None) -> dict[str, int]:
    """Rows read at most, per sheet layout id and for the cover ("cover"): workbook.yaml row_limits,
    max(floor, per_unit x scale[the entry's scale]); without `scale`, the floors."""
    out = {}
    for key, spec in catalog.workbook()["row_limits"].items():
        if "scale" in spec and spec["scale"] not in _SCALES:
            raise ValueError(f"row_limits.{key}: unknown scale {spec['scale']!r}; expected one of {sorted(_SCALES)}")
        count = int((scale or {}).get(spec.get("scale"), 0))
        out[key] = max(int(spec["floor"]), int(spec.get("per_unit", 0)) * count)
    return out


def register_row_limits(con) -> dict[str, int]:
    """row_limits scaled by the register loaded in the DuckDB connection `con` (raw.register_*, as
    ingestion.register loads it); the floors when no register is loaded."""
    loaded = con.execute(
        "select count(*) from information_schema.tables where table_schema = ? and table_name in (?, ?)",
        [SCHEMA, REGISTER_ORG_UNITS, REGISTER_AGENCIES],
    ).fetchone()[0]
    if loaded < 2:
        return row_limits()
    return row_limits(
        {
            name: con.execute(f"select coalesce(max(n), 0) from ({sql}) as t(n)").fetchone()[0]
            for name, sql in _SCALES.items()
        }
    )


@cache
def _floors() -> dict[str, int]:
    return row_limits()


def parse_workbook(
    path: str | os.PathLike,
    source_file: str,
    *,
    file_sha256: str | None = None,
    row_limits: Mapping[str, int] | None = None,
) -> ParsedFile:
    """Read the workbook at `path`; `source_file` is its path relative to the inbox.

    Never raises for a bad file: an unsafe or unreadable file, a missing cover or required sheet gives
    a rejected ParsedFile (UNREADABLE_FILE), a cover without a valid level, code or period one with
    INVALID_COVER; any exception while reading becomes UNREADABLE_FILE naming the exception's class.
    An unfilled blank template is rejected as BLANK_TEMPLATE.

    `row_limits`: rows read at most per layout id and "cover" (register_row_limits); a key left out
    takes workbook.yaml's floor. A sheet running further gets SHEET_TOO_MANY_ROWS; its rows above the
    limit are read as usual.
    """
    return _guarded(path, source_file, file_sha256, cover_only=False, row_limits=row_limits)


def parse_cover(path: str | os.PathLike, source_file: str, *, file_sha256: str | None = None) -> ParsedFile:
    """The safety check and the cover only (no data sheet is read): a file's identity, cheaply, with
    the same outcome parse_workbook gives for an unsafe file or an invalid cover."""
    return _guarded(path, source_file, file_sha256, cover_only=True)


def _guarded(
    path, source_file: str, file_sha256: str | None, cover_only: bool, row_limits: Mapping[str, int] | None = None
) -> ParsedFile:
    parsed = ParsedFile(source_file, file_sha256)
    limits = {**_floors(), **(row_limits or {})}
    try:
        if parsed.file_sha256 is None:
            parsed.file_sha256 = sha256_of(path)
        inspection = inspect(path)
        if inspection.reason:
            return parsed.reject(UNREADABLE_FILE, inspection.reason)
        _parse(Path(path), parsed, cover_only, inspection.error_parts, limits)
    except OSError as exc:
        parsed.reject(UNREADABLE_FILE, reason("os_error", error=type(exc).__name__))
    except Exception as exc:  # noqa: BLE001 - one bad file must never stop an inbox run
        # the cover fields read before the failure stay: they name the reporting unit
        parsed.reject(UNREADABLE_FILE, reason("parser_error", error=type(exc).__name__))
    return parsed


def parse_many(
    tasks: list[tuple[str, str, str | None]], row_limits: Mapping[str, int] | None = None
) -> list[ParsedFile]:
    """parse_workbook over (path, source_file, sha256) tasks."""
    return [
        parse_workbook(path, source_file, file_sha256=sha, row_limits=row_limits) for path, source_file, sha in tasks
    ]


def _parse(
    path: Path, parsed: ParsedFile, cover_only: bool, error_parts: frozenset[str], limits: Mapping[str, int]
) -> None:
    cat = _catalogue()
    errors = error_cells(path, error_parts) if error_parts else {}
    # opened by Python, not by the reader from a str: a name that is not valid UTF-8 (ingestion.inbox
    # source_name) reaches the reader as a file, where its str path would be re-encoded and not found
    with open(path, "rb") as fh:
        wb = CalamineWorkbook.from_filelike(fh)
    try:
        sheet_names: dict[str, str] = {}
        for name in wb.sheet_names:
            sheet_names.setdefault(text_key(name), name)  # first sheet wins when two names match

        cover_name = sheet_names.get(cat.cover_key)
        if cover_name is None:
            parsed.reject(UNREADABLE_FILE, reason("no_cover_sheet", sheet=cat.cover_sheet))
            return
        cover_limit = limits[COVER_LIMIT]
        cover_rows, cover_last = _sheet_rows(wb, cover_name, errors, cover_limit)
        level = _read_cover(cover_rows, cover_name, parsed)
        if level is None or cover_only:
            return
        if cover_last > cover_limit:
            parsed.cell_issues.append(_too_many_rows(parsed, cover_name, 0, cover_last, cover_limit))

        layouts = cat.layouts[level]
        for layout in layouts:
            if layout.required and layout.sheet_key not in sheet_names:
                parsed.reject(
                    UNREADABLE_FILE, reason("missing_required_sheet", sheet=layout.sheet, level=cat.level_words[level])
                )
                return
        located = []
        for layout in layouts:
            name = sheet_names.get(layout.sheet_key)
            if name is None:
                continue
            # the header row is searched in the first rows; `limit` rows below it are read at most
            limit = limits[layout.layout_id]
            rows, last_row = _sheet_rows(wb, name, errors, cat.header_rows + limit)
            header_index, mapping, missing = _find_header(rows, layout, cat.header_rows)
            if header_index is not None:
                del rows[header_index + 1 + limit :]
                if last_row - (header_index + 1) > limit:
                    parsed.cell_issues.append(_too_many_rows(parsed, name, header_index + 1, last_row, limit))
                located.append((layout, name, rows, header_index, mapping))
            elif layout.required:
                parsed.reject(
                    UNREADABLE_FILE,
                    reason(
                        "required_sheet_no_header", sheet=layout.sheet, rows=cat.header_rows, missing=_quoted(missing)
                    ),
                )
                return
            else:
                parsed.cell_issues.append(
                    _issue(
                        parsed,
                        name,
                        None,
                        ", ".join(missing),
                        "",
                        SHEET_HEADER_NOT_FOUND,
                        reason("header_not_found", rows=cat.header_rows, missing=_quoted(missing)),
                        None,
                    )
                )
        for layout, name, rows, header_index, mapping in located:
            _read_rows(parsed, layout, name, rows, header_index, mapping, cat.totals_prefixes)
    finally:
        wb.close()
    if _answers_nothing(parsed, level):
        # only now is the marker looked for: a workbook with any answer is a submission whatever it carries
        period = _template_marker(path)
        if period is not None:
            parsed.reject(BLANK_TEMPLATE, reason("blank_template", period=period or "?"))


def _sheet_rows(wb, name: str, errors: dict[str, Positions], nrows: int) -> tuple[list[list], int]:
    """The sheet's first `nrows` rows of cells from A1 (row index = Excel row - 1), with ExcelError
    where the reader gave a blank for an error cell; and the Excel number of the sheet's last row
    holding a cell (0 for an empty sheet). Only the rows returned become Python objects."""
    sheet = wb.get_sheet_by_name(name)
    rows = sheet.to_python(skip_empty_area=False, nrows=nrows)
    for (row, col), text in errors.get(name, {}).items():
        if row < len(rows) and col < len(rows[row]) and rows[row][col] == "":
            rows[row][col] = ExcelError(text)
    return rows, (sheet.end[0] + 1 if sheet.end else 0)


def _too_many_rows(parsed: ParsedFile, sheet: str, top: int, last_row: int, limit: int) -> dict:
    """SHEET_TOO_MANY_ROWS on the first row not read: the sheet runs to Excel row `last_row`, more
    than `limit` rows below row `top` (its header row; 0 for the cover, read from its first row)."""
    first_skipped = top + limit + 1
    key = "too_many_rows" if top else "too_many_cover_rows"
    why = reason(
        key, sheet=sheet, rows=_dotted(last_row - top), limit=_dotted(limit), first_skipped=_dotted(first_skipped)
    )
    return _issue(parsed, sheet, first_skipped, "", "", SHEET_TOO_MANY_ROWS, why, None)


def _dotted(n: int) -> str:
    """1234567 -> '1.234.567', as Vietnamese readers write it."""
    return f"{n:,}".replace(",", ".")


def _answers_nothing(parsed: ParsedFile, level: str) -> bool:
    """Whether the workbook, read in full, holds nothing beyond what a blank template carries
    (workbook.yaml blank_template.prefilled): no cover answer and no value in a column the template
    leaves empty (a sheet without listed rows: no row at all)."""
    cat = _catalogue()
    if parsed.status != INGESTED or any(parsed.cover.get(c) for c in cat.cover_answers):
        return False
    if any(i["check_code"] == SHEET_TOO_MANY_ROWS for i in parsed.cell_issues):
        return False  # rows were left unread: they may hold answers
    for layout in cat.layouts[level]:
        for record in parsed.rows.get(layout.table, ()):
            if any(record[c] for c in layout.answers):
                return False
    return True


_CUSTOM_PROPERTIES_REL = "/custom-properties"  # end of the package relationship's type
_ROOT_RELS = "_rels/.rels"
_SMALL_PART_BYTES = 1 << 20
_DECLARATION = re.compile(rb"<!(?:doctype|entity)", re.IGNORECASE)


def _template_marker(path: Path) -> str | None:
    """The value of the blank-template custom document property (workbook.yaml blank_template), or None
    when the workbook has none. The custom properties part is found through the package's root
    relationships, wherever the program that saved the file put it."""
    want = _catalogue().template_property
    try:
        with open(path, "rb") as fh, zipfile.ZipFile(fh) as zf:
            rels = _small_part(zf, _ROOT_RELS)
            part = None
            for rel in ElementTree.fromstring(rels).iter() if rels else ():
                if (rel.get("Type") or "").endswith(_CUSTOM_PROPERTIES_REL):
                    part = posixpath.normpath((rel.get("Target") or "").lstrip("/"))
            data = _small_part(zf, part) if part else None
        for prop in ElementTree.fromstring(data) if data else ():
            if (prop.get("name") or "").strip().casefold() == want:
                return "".join(prop.itertext()).strip()
    except (ElementTree.ParseError, zipfile.BadZipFile):
        pass  # unreadable properties mark nothing
    return None


def _small_part(zf: zipfile.ZipFile, name: str) -> bytes | None:
    """A package part of at most 1 MB declaring no DTD or entity (never expanded), else None."""
    try:
        info = zf.getinfo(name)
    except KeyError:
        return None
    if info.file_size > _SMALL_PART_BYTES:
        return None
    data = zf.read(info)
    return None if _DECLARATION.search(data) else data


def _quoted(headers: list[str]) -> str:
    return ", ".join(f'"{h}"' for h in headers)


def _issue(
    parsed: ParsedFile,
    sheet: str,
    row_number: int | None,
    column_header: str,
    value_raw: str,
    check_code: str,
    why: str,
    unit_code: str | None,
) -> dict:
    return {
        "source_file": parsed.source_file,
        "file_sha256": parsed.file_sha256,
        "sheet_name": sheet,
        "row_number": row_number,
        "column_header": column_header,
        "value_raw": value_raw,
        "check_code": check_code,
        "reason": why,
        "unit_code": unit_code,
    }


def _read_cover(rows: list[list], sheet: str, parsed: ParsedFile) -> str | None:
    """Fill parsed.cover; return the level, or None after rejecting the file (INVALID_COVER).

    Labels are read from column A and values from column B, in any order; the first row carrying a
    label wins."""
    cat = _catalogue()
    found: dict[str, tuple[object, int]] = {}
    for index, row in enumerate(rows):
        if not row:
            continue
        name = cat.cover_by_label.get(text_key(raw_text(row[0])))
        if name is not None and name not in found:
            found[name] = (row[1] if len(row) > 1 else "", index + 1)

    cover = parsed.cover
    problems: list[str] = []
    issues: list[dict] = []
    level: str | None = None
    for name, spec in cat.cover.items():
        r = spec.rule
        cell, row_number = found.get(name, ("", None))
        raw = raw_text(cell)
        if r.type == "code":
            r = r.with_width(cat.code_width.get(level) if level else None)
        applicable = spec.levels is None or level in spec.levels
        value, issue = convert(r, cell, raw) if applicable else (None, None)
        cover[name], cover[f"{name}_raw"] = value, raw
        if spec.keyed:
            cover[f"{name}_key"] = text_key(value) if value is not None else None
        if name == "level":
            level = value
        if issue is None:
            continue
        if name in IDENTITY_FIELDS and issue[0] == INVALID_VALUE:  # a warning leaves the cover valid
            problems.append(
                reason("cover_missing", label=r.header)
                if raw == ""
                else reason("cover_invalid", label=r.header, value=raw, reason=issue[1])
            )
        else:
            issues.append(_issue(parsed, sheet, row_number, r.header, raw, issue[0], issue[1], None))
    if problems:
        parsed.reject(INVALID_COVER, "; ".join(problems))
        return None
    parsed.cell_issues.extend(issues)
    return level


def _find_header(rows: list[list], layout: Layout, search_rows: int):
    """(header row index, column index per rule, []) for the first row within `search_rows` holding
    every header of the layout, or (None, None, missing headers of the closest row)."""
    wanted = [r.header_key for r in layout.rules]
    best_missing = [r.header for r in layout.rules]
    for index, row in enumerate(rows[:search_rows]):
        positions: dict[str, int] = {}
        for col, cell in enumerate(row):
            if cell != "" and cell is not None:
                positions.setdefault(text_key(raw_text(cell)), col)
        mapping = [positions.get(key) for key in wanted]
        missing = [r.header for r, col in zip(layout.rules, mapping) if col is None]
        if not missing:
            return index, mapping, []
        if len(missing) < len(best_missing):
            best_missing = missing
    return None, None, best_missing


def _is_totals_row(row: list, raws: list[str], layout: Layout, prefixes: tuple[str, ...]) -> bool:
    """A row whose code cell is empty and whose first text begins with a totals prefix ("Tổng",
    "Cộng"). A layout without a code column uses a stricter test, so that a model named
    "Cộng đồng ..." is not taken for a total: its required vocabulary cells must be blank too."""
    if layout.unit_index is not None and raws[layout.unit_index] != "":
        return False
    first = next((c for c in row if isinstance(c, str) and c.strip()), None)
    if first is None or not text_key(first).startswith(prefixes):
        return False
    return layout.unit_index is not None or all(raws[i] == "" for i in layout.required_enums)


def _read_rows(
    parsed: ParsedFile,
    layout: Layout,
    sheet: str,
    rows: list[list],
    header_index: int,
    mapping: list[int],
    prefixes: tuple[str, ...],
) -> None:
    out = parsed.rows.setdefault(layout.table, [])
    rules = layout.rules
    unit_name = rules[layout.unit_index].name if layout.unit_index is not None else None
    for index in range(header_index + 1, len(rows)):
        row = rows[index]
        cells = [row[col] for col in mapping]
        raws = [raw_text(cell) for cell in cells]
        if not any(raws) or _is_totals_row(row, raws, layout, prefixes):
            continue
        record = {
            "source_file": parsed.source_file,
            "file_sha256": parsed.file_sha256,
            "sheet_name": sheet,
            "row_number": index + 1,
        }
        issues = []
        valid = True
        for r, cell, raw in zip(rules, cells, raws):
            value, issue = convert(r, cell, raw)
            record[r.name] = value
            record[f"{r.name}_raw"] = raw
            if r.type == "text":
                record[f"{r.name}_key"] = text_key(value) if value is not None else None
            if issue is not None:
                issues.append((r.header, raw, issue))
                if issue[0] == INVALID_VALUE:
                    valid = False
        record["row_valid"] = valid
        out.append(record)
        unit_code = record[unit_name] if unit_name else None
        for header, raw, (check_code, why) in issues:
            parsed.cell_issues.append(_issue(parsed, sheet, index + 1, header, raw, check_code, why, unit_code))
