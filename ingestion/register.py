"""Loads the register (contract section 2: org_units.csv and agencies.csv) into
raw.register_org_units and raw.register_agencies, after checking it whole: a register that fails a
check raises RegisterError and leaves the warehouse as it was.

The optional crosswalk.csv (issue 13: former commune -> new commune since 01/07/2025, written by
`antq register`) is read row by row into raw.register_crosswalk: a bad row is kept with row_valid false
and its reason, so no valid row is lost for one bad one."""

from __future__ import annotations

import csv
import datetime as dt
import os
import re
from collections import Counter
from pathlib import Path

import catalog
from ingestion.normalize import clean_text, text_key
from ingestion.reasons import reason
from ingestion.schema import REGISTER_AGENCIES, REGISTER_CROSSWALK, REGISTER_ORG_UNITS
from ingestion.warehouse import ensure_raw_tables, insert_rows

ORG_UNITS_FILE = "org_units.csv"
AGENCIES_FILE = "agencies.csv"
ORG_UNIT_COLUMNS = ("code", "name", "level", "parent_code", "valid_from", "valid_to")
AGENCY_COLUMNS = ("code", "name", "kind", "managed_by", "district_code", "valid_from", "valid_to")
# contract section 2: optional; required on province-managed rows when org_units.csv holds several provinces
AGENCY_OPTIONAL_COLUMNS = ("province_code",)
CROSSWALK_FILE = "crosswalk.csv"
# the header `antq register` writes (registers.crosswalk); the names are there for people, the flags
# may be left blank (divided is then worked out from the rows)
CROSSWALK_COLUMNS = (
    "former_code",
    "former_name",
    "new_code",
    "new_name",
    "effective_date",
    "divided",
    "default_destination",
    "village_code",
)
CROSSWALK_REQUIRED = ("former_code", "new_code", "effective_date")
_FLAGS = {"true": True, "false": False}
# contract section 1: who may be whose parent (since 2025 a commune's parent may be the province)
PARENT_LEVELS = {
    "province": (),
    "district": ("province",),
    "commune": ("district", "province"),
    "village": ("commune",),
}
MANAGED_BY = ("province", "district")
_DIGITS = re.compile(r"[0-9]+")


class RegisterError(ValueError):
    """The register cannot be used; the message is one line, Vietnamese / English."""


def load_register(con, register_dir: str | os.PathLike) -> dict:
    """Check and load the register folder; return row counts keyed by raw table, and a breakdown:
    {"register_org_units": n, "register_agencies": n, "org_units_by_level": {...},
    "agencies_by_managed_by": {...}, "register_crosswalk": valid rows, "crosswalk_findings": [line, ...]}."""
    folder = Path(register_dir)
    if not folder.is_dir():
        raise RegisterError(reason("reg_missing_dir", path=folder))
    org_units = _org_units(_read_csv(folder / ORG_UNITS_FILE, ORG_UNIT_COLUMNS))
    agencies = _agencies(_read_csv(folder / AGENCIES_FILE, AGENCY_COLUMNS, AGENCY_OPTIONAL_COLUMNS), org_units)

    crosswalk = _crosswalk(folder / CROSSWALK_FILE, org_units)

    ensure_raw_tables(con)
    con.begin()
    try:
        for table, rows in (
            (REGISTER_ORG_UNITS, org_units),
            (REGISTER_AGENCIES, agencies),
            (REGISTER_CROSSWALK, crosswalk),
        ):
            con.execute(f"DELETE FROM raw.{table}")
            insert_rows(con, table, rows)
        con.commit()
    except BaseException:
        con.rollback()
        raise
    return {
        REGISTER_ORG_UNITS: len(org_units),
        REGISTER_AGENCIES: len(agencies),
        "org_units_by_level": dict(Counter(r["level"] for r in org_units)),
        "agencies_by_managed_by": dict(Counter(r["managed_by"] for r in agencies)),
        REGISTER_CROSSWALK: sum(r["row_valid"] for r in crosswalk),
        "crosswalk_findings": [
            reason("cw_finding", file=CROSSWALK_FILE, line=r["line_number"], reason=r["reason"])
            for r in crosswalk
            if r["reason"]
        ],
    }


def _read_csv(path: Path, columns: tuple[str, ...], optional: tuple[str, ...] = ()) -> list[tuple[int, dict]]:
    """(line number, row with stripped values) of every non-blank data row. An `optional` column the
    file does not have reads as '' on every row."""
    if not path.is_file():
        raise RegisterError(reason("reg_missing_file", path=path))
    try:
        with open(path, encoding="utf-8-sig", newline="") as fh:
            reader = csv.DictReader(fh)
            header = [h.strip() for h in reader.fieldnames or []]
            missing = [c for c in columns if c not in header]
            if missing:
                raise RegisterError(reason("reg_missing_columns", file=path.name, columns=", ".join(missing)))
            reader.fieldnames = header
            rows = []
            for row in reader:
                values = {c: (row.get(c) or "").strip() for c in (*columns, *optional)}
                if any(values.values()):
                    rows.append((reader.line_num, values))
            return rows
    except UnicodeDecodeError:
        raise RegisterError(reason("reg_bad_encoding", file=path.name)) from None


def _pad(code: str, width: int | None) -> str:
    """A digit code that lost its leading zeros (Excel) gets them back."""
    if width and len(code) < width and _DIGITS.fullmatch(code):
        return code.zfill(width)
    return code


def _date(file: str, line: int, column: str, value: str) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise RegisterError(reason("reg_bad_date", file=file, line=line, column=column, value=value)) from None


def _common(file: str, line: int, row: dict) -> dict:
    for column in ("code", "name"):
        if not row[column]:
            raise RegisterError(reason("reg_blank", file=file, line=line, column=column))
    valid_from = _date(file, line, "valid_from", row["valid_from"])
    valid_to = _date(file, line, "valid_to", row["valid_to"])
    if valid_from and valid_to and valid_from > valid_to:
        raise RegisterError(reason("reg_date_order", file=file, line=line))
    name = clean_text(row["name"])
    return {"name": name, "name_key": text_key(name), "valid_from": valid_from, "valid_to": valid_to}


def _check_value(file: str, line: int, column: str, value: str, allowed) -> None:
    if value not in allowed:
        raise RegisterError(
            reason("reg_bad_value", file=file, line=line, column=column, value=value, allowed=", ".join(allowed))
        )


def _org_units(rows: list[tuple[int, dict]]) -> list[dict]:
    """The units, each parent_code resolved to its code as written in the register. A code may be on
    several rows of the same level whose validity does not overlap (a unit re-created after a reform:
    Vietnam's new communes of 01/07/2025 reuse former communes' codes); the parent of a row is the row of
    the parent code valid during it (the only row of that code, or the one whose validity overlaps)."""
    widths = catalog.workbook()["code_width"]
    out: list[dict] = []
    rows_of: dict[str, list[dict]] = {}
    for line, row in rows:
        _check_value(ORG_UNITS_FILE, line, "level", row["level"], list(PARENT_LEVELS))
        record = _common(ORG_UNITS_FILE, line, row)
        code = _pad(row["code"], widths.get(row["level"]))
        record = {"code": code, "level": row["level"], "parent_code": row["parent_code"], **record, "_line": line}
        for earlier in rows_of.get(code, []):
            if earlier["level"] != record["level"] or _overlap(earlier, record):
                raise RegisterError(
                    reason("reg_duplicate_validity", file=ORG_UNITS_FILE, line=line, code=code, first=earlier["_line"])
                )
        rows_of.setdefault(code, []).append(record)
        out.append(record)

    for record in out:
        line, level, parent = record["_line"], record["level"], record["parent_code"]
        allowed = PARENT_LEVELS[level]
        if not allowed:
            if parent:
                raise RegisterError(
                    reason("reg_parent_for_province", file=ORG_UNITS_FILE, line=line, code=record["code"])
                )
            record["parent_code"] = None
            continue
        candidates = [parent] + [_pad(parent, widths.get(lv)) for lv in allowed]
        match = next((c for c in candidates if c and rows_of.get(c) and rows_of[c][0]["level"] in allowed), None)
        if match is None:
            raise RegisterError(
                reason(
                    "reg_missing_parent",
                    file=ORG_UNITS_FILE,
                    line=line,
                    parent=parent,
                    code=record["code"],
                    allowed="/".join(allowed),
                )
            )
        versions = rows_of[match]
        if len(versions) > 1 and sum(_overlap(v, record) for v in versions) != 1:
            raise RegisterError(
                reason(
                    "reg_parent_validity",
                    file=ORG_UNITS_FILE,
                    line=line,
                    parent=match,
                    code=record["code"],
                    lines=", ".join(str(v["_line"]) for v in versions),
                )
            )
        record["parent_code"] = match
    for record in out:
        del record["_line"]
    return out


def _overlap(a: dict, b: dict) -> bool:
    """Whether the validity intervals of two rows share a day (an empty bound is open)."""
    return (a["valid_from"] or dt.date.min) <= (b["valid_to"] or dt.date.max) and (b["valid_from"] or dt.date.min) <= (
        a["valid_to"] or dt.date.max
    )


def _agencies(rows: list[tuple[int, dict]], org_units: list[dict]) -> list[dict]:
    """The agencies, each with the province it belongs to (`province_code`): as given, else its district's
    province, else the register's only province (contract section 2)."""
    kinds = list(catalog.workbook()["vocab"]["agency_kind"])
    district_width = catalog.workbook()["code_width"]["district"]
    province_width = catalog.workbook()["code_width"]["province"]
    # a district's parent is its province (PARENT_LEVELS)
    province_of = {r["code"]: r["parent_code"] for r in org_units if r["level"] == "district"}
    provinces = sorted({r["code"] for r in org_units if r["level"] == "province"})
    out: list[dict] = []
    first_line: dict[str, int] = {}
    for line, row in rows:
        _check_value(AGENCIES_FILE, line, "kind", row["kind"], kinds)
        _check_value(AGENCIES_FILE, line, "managed_by", row["managed_by"], MANAGED_BY)
        record = _common(AGENCIES_FILE, line, row)
        code = clean_text(row["code"])
        if code in first_line:
            raise RegisterError(
                reason("reg_duplicate", file=AGENCIES_FILE, line=line, code=code, first=first_line[code])
            )
        first_line[code] = line
        district = row["district_code"]
        if bool(district) != (row["managed_by"] == "district"):
            raise RegisterError(reason("reg_district_code", file=AGENCIES_FILE, line=line))
        if district:
            district = _pad(district, district_width)
            if district not in province_of:
                raise RegisterError(reason("reg_unknown_district", file=AGENCIES_FILE, line=line, code=district))
        province = _agency_province(line, row["province_code"], district, province_of, provinces, province_width)
        out.append(
            {
                "code": code,
                "kind": row["kind"],
                "managed_by": row["managed_by"],
                "district_code": district or None,
                **record,
                "province_code": province,
            }
        )
    return out


def _agency_province(
    line: int, given: str, district: str, province_of: dict[str, str], provinces: list[str], width: int
) -> str | None:
    """The agency's province: `given` (it must be a province of the register, and its district's province
    when it has a district), else the district's province, else the register's only province. A
    province-managed agency of a register of several provinces must say which."""
    if given:
        given = _pad(given, width)
        if given not in provinces:
            raise RegisterError(reason("reg_unknown_province", file=AGENCIES_FILE, line=line, code=given))
        if district and province_of[district] != given:
            raise RegisterError(
                reason(
                    "reg_province_mismatch",
                    file=AGENCIES_FILE,
                    line=line,
                    code=given,
                    district=district,
                    district_province=province_of[district],
                )
            )
        return given
    if district:
        return province_of[district]
    if len(provinces) > 1:
        raise RegisterError(
            reason("reg_province_code_required", file=AGENCIES_FILE, line=line, provinces=", ".join(provinces))
        )
    return provinces[0] if provinces else None


def _crosswalk(path: Path, org_units: list[dict]) -> list[dict]:
    """Every row of crosswalk.csv (none when the file is absent), each checked on its own: an error
    leaves row_valid false with its reason; a warning or info keeps the row valid with its reason."""
    if not path.is_file():
        return []
    optional = tuple(c for c in CROSSWALK_COLUMNS if c not in CROSSWALK_REQUIRED)
    widths = catalog.workbook()["code_width"]
    level_of = {r["code"]: r["level"] for r in org_units}
    # former codes can be checked only when the register still lists the communes of before the change
    has_former = any(r["level"] == "commune" and r["valid_to"] for r in org_units)
    out: list[dict] = []
    first_line: dict[tuple, int] = {}
    for line, row in _read_csv(path, CROSSWALK_REQUIRED, optional):
        former = _pad(row["former_code"], widths["commune"])
        new = _pad(row["new_code"], widths["commune"])
        village = _pad(row["village_code"], widths["village"])
        record = {
            "line_number": line,
            "former_code": former,
            "former_name": clean_text(row["former_name"]) or None,
            "new_code": new,
            "new_name": clean_text(row["new_name"]) or None,
            "effective_date": None,
            "effective_date_raw": row["effective_date"],
            "divided": _FLAGS.get(row["divided"].lower()),
            "default_destination": _FLAGS.get(row["default_destination"].lower()),
            "village_code": village or None,
            "row_valid": True,
            "severity": None,
            "reason": None,
        }
        error = _crosswalk_error(row, former, new, village, level_of, has_former)
        if error is None:
            record["effective_date"] = dt.date.fromisoformat(row["effective_date"])
            key = (former, new, village)
            if key in first_line:
                error = reason("cw_duplicate", first=first_line[key])
            else:
                first_line[key] = line
        if error:
            record.update(row_valid=False, severity="error", reason=error)
        out.append(record)
    _check_divided(out)
    return out


def _crosswalk_error(row: dict, former: str, new: str, village: str, level_of: dict, has_former: bool) -> str | None:
    for column in CROSSWALK_REQUIRED:
        if not row[column]:
            return reason("cw_blank", column=column)
    try:
        dt.date.fromisoformat(row["effective_date"])
    except ValueError:
        return reason("cw_bad_date", value=row["effective_date"])
    for column in ("divided", "default_destination"):
        if row[column] and row[column].lower() not in _FLAGS:
            return reason("cw_bad_flag", column=column, value=row[column])
    if level_of.get(new) != "commune":
        return reason("cw_unknown_new", code=new)
    if has_former and level_of.get(former) != "commune":
        return reason("cw_unknown_former", code=former)
    if village and level_of.get(village) != "village":
        return reason("cw_unknown_village", code=village)
    return None


def _check_divided(rows: list[dict]) -> None:
    """`divided` from the valid rows: a former commune going to several new communes is divided (a
    written value that disagrees is corrected, with a warning); a divided commune without any village
    row is flagged (info): its villages must be listed to say which goes where."""
    valid = [r for r in rows if r["row_valid"]]
    targets: dict[str, set[str]] = {}
    villages: dict[str, int] = Counter()
    for r in valid:
        targets.setdefault(r["former_code"], set()).add(r["new_code"])
        villages[r["former_code"]] += bool(r["village_code"])
    for r in valid:
        n = len(targets[r["former_code"]])
        divided = n > 1
        if r["divided"] is not None and r["divided"] != divided:
            r.update(
                severity="warning",
                reason=reason(
                    "cw_divided_mismatch",
                    written=str(r["divided"]).lower(),
                    code=r["former_code"],
                    n=n,
                    value=str(divided).lower(),
                ),
            )
        r["divided"] = divided
        if divided and not villages[r["former_code"]] and r["severity"] is None:
            r.update(severity="info", reason=reason("cw_divided_no_villages", code=r["former_code"], n=n))
