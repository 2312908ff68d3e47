"""The raw layer's tables and their column types (ARCHITECTURE.md, "The raw layer"), derived from
catalog/workbook.yaml so that a column added to the catalogue reaches the warehouse by itself."""

from __future__ import annotations

from functools import cache

import catalog

SCHEMA = "raw"
FILES = "files"
CELL_ISSUES = "cell_issues"
REGISTER_ORG_UNITS = "register_org_units"
REGISTER_AGENCIES = "register_agencies"
REGISTER_CROSSWALK = "register_crosswalk"

SQL_TYPES = {
    "code": "VARCHAR",
    "text": "VARCHAR",
    "enum": "VARCHAR",
    "period": "VARCHAR",
    "yesno": "BOOLEAN",
    "count": "BIGINT",
    "year": "INTEGER",
    "version": "INTEGER",
    "date": "DATE",
}
LINEAGE = [("source_file", "VARCHAR"), ("file_sha256", "VARCHAR"), ("sheet_name", "VARCHAR"), ("row_number", "INTEGER")]
_FILE_COLUMNS = [
    ("source_file", "VARCHAR"),
    ("file_sha256", "VARCHAR"),
    ("size_bytes", "BIGINT"),
    ("modified_at", "TIMESTAMP"),
    ("status", "VARCHAR"),
    ("check_code", "VARCHAR"),
    ("reason", "VARCHAR"),
    ("ingested_at", "TIMESTAMP"),
]
_CELL_ISSUE_COLUMNS = LINEAGE + [
    ("column_header", "VARCHAR"),
    ("value_raw", "VARCHAR"),
    ("check_code", "VARCHAR"),
    ("reason", "VARCHAR"),
    ("unit_code", "VARCHAR"),
]
_REGISTER_COLUMNS = {
    REGISTER_ORG_UNITS: [
        ("code", "VARCHAR"),
        ("name", "VARCHAR"),
        ("name_key", "VARCHAR"),
        ("level", "VARCHAR"),
        ("parent_code", "VARCHAR"),
        ("valid_from", "DATE"),
        ("valid_to", "DATE"),
    ],
    REGISTER_AGENCIES: [
        ("code", "VARCHAR"),
        ("name", "VARCHAR"),
        ("name_key", "VARCHAR"),
        ("kind", "VARCHAR"),
        ("managed_by", "VARCHAR"),
        ("district_code", "VARCHAR"),
        ("valid_from", "DATE"),
        ("valid_to", "DATE"),
        ("province_code", "VARCHAR"),
    ],
    # every row of the optional crosswalk.csv, kept: a bad one has row_valid false and its reason
    REGISTER_CROSSWALK: [
        ("line_number", "INTEGER"),
        ("former_code", "VARCHAR"),
        ("former_name", "VARCHAR"),
        ("new_code", "VARCHAR"),
        ("new_name", "VARCHAR"),
        ("effective_date", "DATE"),
        ("effective_date_raw", "VARCHAR"),
        ("divided", "BOOLEAN"),
        ("default_destination", "BOOLEAN"),
        ("village_code", "VARCHAR"),
        ("row_valid", "BOOLEAN"),
        ("severity", "VARCHAR"),
        ("reason", "VARCHAR"),
    ],
}


def value_columns(name: str, type_: str, keyed: bool) -> list[tuple[str, str]]:
    """`<name>` typed, `<name>_raw` text, and `<name>_key` when `keyed`."""
    cols = [(name, SQL_TYPES[type_]), (f"{name}_raw", "VARCHAR")]
    if keyed:
        cols.append((f"{name}_key", "VARCHAR"))
    return cols


def cover_field_keyed(spec: dict) -> bool:
    """The cover fields that carry a `_key`: required text (the unit's name, matched against the
    register); the optional preparer is stored as written only."""
    return spec["type"] == "text" and bool(spec.get("required"))


@cache
def tables() -> dict[str, list[tuple[str, str]]]:
    """Every raw table (without the schema prefix) -> [(column, DuckDB type)] in order."""
    wb = catalog.workbook()
    out: dict[str, list[tuple[str, str]]] = {}

    files = list(_FILE_COLUMNS)
    for name, spec in wb["cover"]["fields"].items():
        files += value_columns(name, spec["type"], cover_field_keyed(spec))
    out[FILES] = files

    for table in catalog.raw_tables():
        cols = list(LINEAGE)
        seen: set[str] = set()
        for layout in wb["sheets"].values():
            if layout["table"] != table:
                continue
            for name, spec in layout["columns"].items():
                if name not in seen:
                    seen.add(name)
                    cols += value_columns(name, spec["type"], spec["type"] == "text")
        cols.append(("row_valid", "BOOLEAN"))
        out[table] = cols

    out[CELL_ISSUES] = list(_CELL_ISSUE_COLUMNS)
    out.update(_REGISTER_COLUMNS)
    return out


def submission_tables() -> list[str]:
    """The raw tables whose rows come from inbox files (every one has a source_file column)."""
    return [FILES, *catalog.raw_tables(), CELL_ISSUES]


def create_sql(table: str) -> str:
    cols = ",\n  ".join(f"{name} {sql_type}" for name, sql_type in tables()[table])
    return f"CREATE TABLE IF NOT EXISTS {SCHEMA}.{table} (\n  {cols}\n)"
