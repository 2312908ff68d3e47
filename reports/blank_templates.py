"""Blank submission workbooks for one period: one per reporting unit the register counts in it (the
province, each district, each commune), written by workbook_format.writer.

Each template carries its cover filled in (level, code, name, period; `Ngày lập` is left for the
preparer, who fills it when the report is done), its villages or agencies listed from the register
with code, name (and an agency's type, which is register data too) and every other cell blank, the
district's "Tổng hợp" rows named, empty optional sheets with their dropdowns, and a first sheet of
instructions whose words live in templates/blank_template.yaml.

Each is marked as a blank template (a custom document property, catalog/workbook.yaml
`blank_template`): one left unfilled in the inbox is no submission (BLANK_TEMPLATE), while one with
any answer typed in is read as the unit's submission.

Files: OUT/PERIOD/<code>_<name>.xlsx for the province; OUT/PERIOD/<district code>/ for a district and
its communes (a commune whose parent is the province goes in OUT/PERIOD/<province code>/); and
OUT/PERIOD/<index_file>, one row per template, to know which file goes to whom.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import duckdb
import jinja2
import yaml

import catalog
from catalog.periods import bounds
from ingestion.register import load_register
from reports.csv_out import write_csv
from workbook_format.writer import write_submission

HERE = Path(__file__).resolve().parent
TEXT_FILE = HERE / "templates" / "blank_template.yaml"
INDEX_COLUMNS = ["level", "code", "name", "parent_code", "file", "rows_listed"]
# Template layouts whose rows come from the register: layout id -> (code column, name column, kind column)
_LISTED = {
    "villages": ("village_code", "village_name", None),
    "agencies": ("agency_code", "agency_name", "agency_kind"),
}
_SUMMARY_LAYOUT = "district_summary"
_FILE_NAME_UNSAFE = '<>:"/\\|?*'


@dataclass
class TemplateSummary:
    period: str
    folder: Path
    files: list[Path] = field(default_factory=list)
    by_level: dict[str, int] = field(default_factory=dict)
    index: Path | None = None


@dataclass(frozen=True)
class _Unit:
    level: str
    code: str
    name: str
    parent_code: str | None


@cache
def _text() -> dict:
    with open(TEXT_FILE, encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def write_templates(
    register_dir, period: str, out_dir, progress: Callable[[int, int], None] | None = None
) -> TemplateSummary:
    """Write the blank templates of `period` for the register in `register_dir` under OUT/PERIOD/.
    The register is checked as a build checks it (ingestion.register raises RegisterError)."""
    _, last_day = bounds(period)
    units, listed = _register_for(register_dir, last_day)
    folder = Path(out_dir) / period
    summary = TemplateSummary(period, folder)
    index_rows = []
    for done, unit in enumerate(units, start=1):
        sheets = _sheets(unit, listed)
        path = folder / _relative_path(unit)
        write_submission(
            path,
            level=unit.level,
            cover=_cover(unit, period),
            sheets=sheets,
            title=_fill(_text()["title"], unit, period, last_day),
            instructions=(_text()["sheet"], _instructions(unit, period, last_day)),
            blank_template=period,
        )
        summary.files.append(path)
        summary.by_level[unit.level] = summary.by_level.get(unit.level, 0) + 1
        rows_listed = sum(len(rows) for lid, rows in sheets.items() if lid in _LISTED)
        index_rows.append(
            [unit.level, unit.code, unit.name, unit.parent_code, path.relative_to(folder).as_posix(), rows_listed]
        )
        if progress:
            progress(done, len(units))
    summary.index = folder / _text()["index_file"]
    write_csv(summary.index, INDEX_COLUMNS, index_rows)
    return summary


def valid_on(alias: str, day: str) -> str:
    """The register's validity rule (contract section 2) as a SQL condition: dbt's own `valid_on` macro
    (dbt_project/macros/valid_on.sql), rendered here with plain Jinja. The templates of a period are
    written before any build, from the register alone, so they read no warehouse model; the rule is still
    written once."""
    return _valid_on_macro()(alias, day).strip()


@cache
def _valid_on_macro():
    source = (catalog.REPO / "dbt_project" / "macros" / "valid_on.sql").read_text(encoding="utf-8")
    return jinja2.Environment().from_string(source).module.valid_on


def _register_for(register_dir, last_day: dt.date) -> tuple[list[_Unit], dict[tuple[str, str], list[dict]]]:
    """The reporting units valid on the period's last day (contract section 2), province first, then
    each district followed by its communes; and per (layout id, reporter code) the rows to list."""
    con = duckdb.connect()
    try:
        load_register(con, register_dir)
        valid = valid_on("r", "$day")
        org = con.execute(
            f"select code, name, level, parent_code from raw.register_org_units as r where {valid} order by code",
            {"day": last_day},
        ).fetchall()
        agencies = con.execute(
            "select code, name, kind, managed_by, district_code, province_code from raw.register_agencies as r "
            f"where {valid} "
            "order by code",
            {"day": last_day},
        ).fetchall()
    finally:
        con.close()

    by_level: dict[str, list[_Unit]] = {}
    for code, name, level, parent in org:
        by_level.setdefault(level, []).append(_Unit(level, code, name, parent or None))
    provinces = by_level.get("province", [])
    units: list[_Unit] = list(provinces)
    communes = by_level.get("commune", [])
    for district in by_level.get("district", []):
        units.append(district)
        units.extend(c for c in communes if c.parent_code == district.code)
    units.extend(c for c in communes if c.parent_code in {p.code for p in provinces})

    listed: dict[tuple[str, str], list[dict]] = {}
    code_col, name_col, _ = _LISTED["villages"]
    for code, name, level, parent in org:
        if level == "village":
            listed.setdefault(("villages", parent), []).append({code_col: code, name_col: name})
    code_col, name_col, kind_col = _LISTED["agencies"]
    for code, name, kind, managed_by, district_code, province_code in agencies:
        reporter = district_code if managed_by == "district" else province_code  # the register filled it in
        listed.setdefault(("agencies", reporter), []).append({code_col: code, name_col: name, kind_col: kind})
    return units, listed


def _sheets(unit: _Unit, listed: dict) -> dict[str, list[dict]]:
    """Every sheet layout of the unit's level: register rows where the layout lists units, the named
    rows of a district's summary, else no rows (headers and dropdowns only)."""
    sheets: dict[str, list[dict]] = {}
    for layout_id, layout in catalog.sheet_specs_for(unit.level).items():
        if layout_id in _LISTED:
            sheets[layout_id] = listed.get((layout_id, unit.code), [])
        elif layout_id == _SUMMARY_LAYOUT:
            column = next(c for c, spec in layout["columns"].items() if spec["type"] == "enum")
            vocab = catalog.workbook()["vocab"][layout["columns"][column]["vocab"]]
            sheets[layout_id] = [{column: key} for key in vocab]
        else:
            sheets[layout_id] = []
    return sheets


def _cover(unit: _Unit, period: str) -> dict:
    """Level (the writer's default word), code, name and period; everything else blank."""
    return {"code": unit.code, "name": unit.name, "period": _period_words(period)}


def _period_words(period: str) -> str:
    """The period as people write it ("6 tháng đầu năm 2021"): the last words of workbook.yaml."""
    year, half = period.split("-")
    return catalog.workbook()["periods"][half][-1].format(year=year)


def _relative_path(unit: _Unit) -> Path:
    name = unicodedata.normalize("NFC", _text()["file_name"].format(unit_code=unit.code, unit_name=unit.name))
    name = "_".join("".join("_" if ch in _FILE_NAME_UNSAFE else ch for ch in name).split())
    folder = {"province": None, "district": unit.code}.get(unit.level, unit.parent_code)
    return Path(name) if folder is None else Path(folder) / name


def _placeholders(unit: _Unit, period: str, last_day: dt.date) -> dict:
    spec = catalog.workbook()
    yesno = spec["vocab"]["yesno"]
    words = _period_words(period)
    return {
        "unit_name": unit.name,
        "unit_code": unit.code,
        "unit_name_upper": unit.name.upper(),
        "period_words": words,
        "period_words_upper": words.upper(),
        "example_date": (last_day + dt.timedelta(days=5)).strftime("%d/%m/%Y"),
        "yes": yesno[True][0],
        "no": yesno[False][0],
        "cover_sheet": spec["cover"]["sheet"],
        "cover": {fid: f["label"] for fid, f in spec["cover"]["fields"].items()},
        "sheets": {lid: layout["sheet"] for lid, layout in spec["sheets"].items()},
        "headers": {
            lid: {cid: c["header"] for cid, c in layout["columns"].items()} for lid, layout in spec["sheets"].items()
        },
    }


def _fill(text: str, unit: _Unit, period: str, last_day: dt.date) -> str:
    return text.format_map(_placeholders(unit, period, last_day))


def _instructions(unit: _Unit, period: str, last_day: dt.date) -> list[str]:
    values = _placeholders(unit, period, last_day)
    out = []
    for line in _text()["lines"]:
        if isinstance(line, dict):
            if unit.level not in line["levels"]:
                continue
            line = line["text"]
        out.append(line.format_map(values))
    return out
