"""Shared by the build tests: write a register, run `antq build` in-process, read what it wrote."""
from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

from orchestration import cli
from reports.submission_workbook import write_submission

REGISTER_ORG_HEADER = ["code", "name", "level", "parent_code", "valid_from", "valid_to"]
REGISTER_AGENCY_HEADER = ["code", "name", "kind", "managed_by", "district_code", "valid_from", "valid_to"]


def write_register(folder: Path, org_units: list[tuple], agencies: list[tuple]) -> Path:
    """org_units rows: (code, name, level, parent_code[, valid_from, valid_to]);
    agencies rows: (code, name, kind, managed_by, district_code[, valid_from, valid_to])."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, header, rows in (("org_units.csv", REGISTER_ORG_HEADER, org_units),
                               ("agencies.csv", REGISTER_AGENCY_HEADER, agencies)):
        with open(folder / name, "w", encoding="utf-8", newline="") as fh:
            w = csv.writer(fh)
            w.writerow(header)
            for r in rows:
                w.writerow(list(r) + [""] * (len(header) - len(r)))
    return folder


def submission(inbox: Path, name: str, level: str, code: str, unit_name: str, period: str,
               sheets: dict | None = None, version: int | None = None,
               created_on: dt.date = dt.date(2021, 7, 5), **cover) -> Path:
    return write_submission(
        inbox / name, level=level,
        cover={"code": code, "name": unit_name, "period": period, "created_on": created_on,
               "version": version, **cover},
        sheets=sheets or {},
    )


def build(tmp: Path, period: str, inbox: Path, register: Path, out: Path | None = None,
          warehouse: Path | None = None) -> Path:
    """Run `antq build` as the CLI does (a real Dagster run, real dbt, a real DuckDB file)."""
    out = out or tmp / "out"
    warehouse = warehouse or tmp / "warehouse.duckdb"
    code = cli.main(["build", period, "--inbox", str(inbox), "--register", str(register),
                     "--out", str(out), "--warehouse", str(warehouse)])
    assert code == 0
    return out / period


def indicators(period_dir: Path) -> dict[tuple[str, str], tuple[int, int | None]]:
    """(org_unit_code, indicator) -> (achieved, total) from indicators.csv."""
    with open(period_dir / "indicators.csv", encoding="utf-8", newline="") as fh:
        return {
            (r["org_unit_code"], r["indicator"]): (int(r["achieved"]), int(r["total"]) if r["total"] else None)
            for r in csv.DictReader(fh)
        }


def findings(period_dir: Path) -> list[dict]:
    with open(period_dir / "dq_findings.csv", encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))
