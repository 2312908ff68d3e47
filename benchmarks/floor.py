"""The floor of a build: the work no pipeline can avoid to publish the figures of an inbox.

1. read every sheet of every workbook with python-calamine (values only; no safety checks, no
   lineage, no cell findings), keeping the rows below each sheet's header as typed columns;
2. insert them into a fresh in-memory DuckDB, one insert per table (files, villages, agencies,
   models, force_support, awards, district_summary) from Arrow, plus the two register CSVs;
3. run the marts' arithmetic directly in SQL: winning submission per unit, households total and
   registered by district and province, villages and communes with a plan / registered safe, agencies
   by management level, models by group, force support and awards by kind.

It runs in one process, serially; the build's parser uses every core, so on 2 cores the build could
in principle go below this floor's wall time for its reading part. Everything the build does beyond
this (Dagster, dbt's materialisations and tests, data-quality findings, Great Expectations, the
documents and the release) is what the ratio build/floor measures.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pyarrow as pa
from python_calamine import CalamineWorkbook

import catalog

TABLES = ("villages", "agencies", "models", "force_support", "awards", "district_summary")

FLOOR_SQL = {
    "winners": """
        create table winners as
        select source_file, level, code from (
            select *, row_number() over (partition by level, code
                                         order by coalesce(version, 1) desc, created_on desc) as rn
            from files) where rn = 1""",
    "households_by_district": """
        select coalesce(c.parent_code, 'province') as scope, sum(v.households_total) as total,
               sum(v.households_registered) as registered,
               count(*) filter (where v.plan_issued) as villages_plan,
               count(*) filter (where v.safe_registered) as villages_safe, count(*) as villages
        from villages v join winners w using (source_file) join org_units c on c.code = w.code
        where v.households_registered <= v.households_total
        group by rollup (c.parent_code)""",
    "communes_by_district": """
        select coalesce(c.parent_code, 'province') as scope,
               count(*) filter (where f.commune_steering_plan) as plan,
               count(*) filter (where f.commune_safe) as safe, count(*) as communes
        from files f join winners w using (source_file) join org_units c on c.code = w.code
        where w.level = 'commune' group by rollup (c.parent_code)""",
    "agencies_by_level": """
        select a.managed_by, a.district_code, count(*) filter (where r.plan_issued) as plan,
               count(*) filter (where r.safe_registered) as safe, count(*) as agencies
        from agencies r join winners w using (source_file) join register_agencies a on a.code = r.agency_code
        group by rollup (a.managed_by, a.district_code)""",
    "models_by_group": """
        select coalesce(c.parent_code, w.code) as scope, m.model_group, count(*) as models
        from models m join winners w using (source_file) left join org_units c on c.code = w.code
        group by rollup (coalesce(c.parent_code, w.code), m.model_group)""",
    "support_and_awards": """
        select 'force_support' as what, support_type as kind, count(*) from force_support
            join winners using (source_file) group by 1, 2
        union all
        select 'awards', award_type || '/' || recipient_kind, count(*) from awards
            join winners using (source_file) group by 1, 2""",
}


@dataclass
class FloorResult:
    seconds: float
    read_seconds: float
    insert_seconds: float
    sql_seconds: float
    files: int
    rows: int


def _layouts() -> dict[str, dict[str, tuple[str, list[str], list[str], list[str]]]]:
    """level -> sheet name -> (table, column ids, headers, column types)."""
    spec = catalog.workbook()
    out: dict[str, dict] = {level: {} for level in spec["levels"]}
    for layout in spec["sheets"].values():
        cols = layout["columns"]
        for level in layout["levels"]:
            out[level][layout["sheet"]] = (
                layout["table"],
                list(cols),
                [c["header"] for c in cols.values()],
                [c["type"] for c in cols.values()],
            )
    return out


def _words() -> tuple[dict[str, str], dict[str, str], set]:
    spec = catalog.workbook()
    levels = {w: level for level, words in spec["levels"].items() for w in words}
    labels = {f["label"]: fid for fid, f in spec["cover"]["fields"].items()}
    yes = {str(w).casefold() for w in spec["vocab"]["yesno"][True]}
    return levels, labels, yes


def _value(cell, ctype: str, yes: set):
    if cell == "" or cell is None:
        return None
    if ctype == "yesno":
        return str(cell).strip().casefold() in yes
    if ctype in ("count", "year", "version"):
        try:
            return int(float(cell))
        except (TypeError, ValueError):
            return None
    if isinstance(cell, float) and cell.is_integer():
        cell = int(cell)
    return str(cell).strip()


def read_inbox(paths: list[Path], inbox: Path) -> dict[str, dict[str, list]]:
    """Every sheet of every workbook read; rows of the known sheets as columns by raw table."""
    layouts = _layouts()
    levels, labels, yes = _words()
    spec = catalog.workbook()
    cover_sheet = spec["cover"]["sheet"]
    columns: dict[str, dict[str, list]] = {"files": {}}
    cover_cols = [
        "source_file",
        "level",
        "code",
        "period",
        "version",
        "created_on",
        "commune_steering_plan",
        "commune_safe",
        "district_steering_plan",
    ]
    columns["files"] = {c: [] for c in cover_cols}
    for table in TABLES:
        ids = next(ids for lv in layouts.values() for t, ids, _, _ in lv.values() if t == table)
        columns[table] = {"source_file": [], **{c: [] for c in ids}}

    for path in paths:
        source = path.relative_to(inbox).as_posix()
        wb = CalamineWorkbook.from_path(str(path))
        sheets = {name: wb.get_sheet_by_name(name).to_python() for name in wb.sheet_names}
        wb.close()
        cover = {labels[r[0]]: r[1] for r in sheets.get(cover_sheet, []) if len(r) > 1 and r[0] in labels}
        level = levels.get(cover.get("level"))
        created = cover.get("created_on")
        record = {
            "source_file": source,
            "level": level,
            "code": _value(cover.get("code"), "code", yes),
            "period": cover.get("period"),
            "version": _value(cover.get("version"), "version", yes),
            "created_on": created if isinstance(created, (dt.date, dt.datetime)) else None,
        }
        for flag in ("commune_steering_plan", "commune_safe", "district_steering_plan"):
            record[flag] = _value(cover.get(flag), "yesno", yes)
        for c in cover_cols:
            columns["files"][c].append(record[c])
        for sheet, (table, ids, headers, types) in layouts.get(level, {}).items():
            rows = sheets.get(sheet)
            if not rows:
                continue
            start = next((i for i, r in enumerate(rows[:10]) if list(r[: len(headers)]) == headers), None)
            if start is None:
                continue
            target = columns[table]
            for r in rows[start + 1 :]:
                if not any(c != "" for c in r):
                    continue
                target["source_file"].append(source)
                for cid, ctype, cell in zip(ids, types, r):
                    target[cid].append(_value(cell, ctype, yes))
    return columns


def load_and_aggregate(columns: dict[str, dict[str, list]], register: Path) -> tuple[float, float, int]:
    """One insert per table into a fresh DuckDB, then the mart SQL; (insert s, SQL s, rows)."""
    con = duckdb.connect()
    try:
        started = time.perf_counter()
        rows = 0
        for table, cols in columns.items():
            arrow = pa.table(cols)
            rows += arrow.num_rows
            con.register("incoming", arrow)
            con.execute(f"create table {table} as select * from incoming")
            con.unregister("incoming")
        for name, csv_file in (("org_units", "org_units.csv"), ("register_agencies", "agencies.csv")):
            con.execute(
                f"create table {name} as select * from read_csv(?, all_varchar = true)", [str(register / csv_file)]
            )
        inserted = time.perf_counter()
        for sql in FLOOR_SQL.values():
            con.execute(sql).fetchall()
        return inserted - started, time.perf_counter() - inserted, rows
    finally:
        con.close()


def _warm_up() -> None:
    """One-time library initialisation (pyarrow's first conversion of dates, DuckDB's first
    connection) is not part of the floor."""
    con = duckdb.connect()
    con.register("warm_up", pa.table({"d": [dt.date(2021, 1, 1)], "s": ["x"], "n": [1]}))
    con.execute("select count(*) from warm_up").fetchall()
    con.close()


def measure_floor(inbox: Path, register: Path) -> FloorResult:
    _warm_up()
    started = time.perf_counter()
    paths = sorted(inbox.rglob("*.xlsx"))
    columns = read_inbox(paths, inbox)
    read = time.perf_counter() - started
    insert_s, sql_s, rows = load_and_aggregate(columns, register)
    return FloorResult(time.perf_counter() - started, read, insert_s, sql_s, len(paths), rows)
