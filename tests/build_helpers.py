"""Shared by the build tests: write a register, run `antq build` in-process, read what it wrote."""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import io
import subprocess
from pathlib import Path

from orchestration import cli
from workbook_format.writer import write_submission

REGISTER_ORG_HEADER = ["code", "name", "level", "parent_code", "valid_from", "valid_to"]
REGISTER_AGENCY_HEADER = ["code", "name", "kind", "managed_by", "district_code", "valid_from", "valid_to"]


# Contract section 8: the seed report's figures for 6 tháng đầu năm 2021.
SEED = {
    "plan_issued.province_agencies": (168, 195),
    "plan_issued.district_agencies": (562, 632),
    "plan_issued.district_steering_committees": (10, 10),
    "plan_issued.commune_steering_committees": (124, 124),
    "plan_issued.village_boards": (496, 689),
    "safe_registered.province_agencies": (168, 195),
    "safe_registered.district_agencies": (555, 632),
    "safe_registered.communes": (124, 124),
    "safe_registered.villages": (689, 689),
    "safe_registered.households": (299882, 332093),
    "models.total": (986, None),
    "models.communes_covered": (124, 124),
    "force_support.visits": (22, None),
    "force_support.hardship_subsidies": (8, None),
    "awards.medal_individuals": (36, None),
    "awards.commendation_collectives": (4, None),
    "awards.commendation_individuals": (19, None),
}


def village(code, name, plan, safe, total, registered):
    return {
        "village_code": code,
        "village_name": name,
        "plan_issued": plan,
        "safe_registered": safe,
        "households_total": total,
        "households_registered": registered,
    }


def agency(code, name, kind, plan, safe):
    return {"agency_code": code, "agency_name": name, "agency_kind": kind, "plan_issued": plan, "safe_registered": safe}


def write_register(
    folder: Path, org_units: list[tuple], agencies: list[tuple], crosswalk: list[tuple] | None = None
) -> Path:
    """org_units rows: (code, name, level, parent_code[, valid_from, valid_to]);
    agencies rows: (code, name, kind, managed_by, district_code[, valid_from, valid_to]);
    crosswalk rows (written to crosswalk.csv when given): (former_code, former_name, new_code, new_name,
    effective_date[, divided, default_destination, village_code])."""
    from ingestion.register import CROSSWALK_COLUMNS

    folder.mkdir(parents=True, exist_ok=True)
    files = [("org_units.csv", REGISTER_ORG_HEADER, org_units), ("agencies.csv", REGISTER_AGENCY_HEADER, agencies)]
    if crosswalk is not None:
        files.append(("crosswalk.csv", list(CROSSWALK_COLUMNS), crosswalk))
    for name, header, rows in files:
        with open(folder / name, "w", encoding="utf-8", newline="") as fh:
            w = csv.writer(fh)
            w.writerow(header)
            for r in rows:
                w.writerow(list(r) + [""] * (len(header) - len(r)))
    return folder


def submission(
    inbox: Path,
    name: str,
    level: str,
    code: str,
    unit_name: str,
    period: str,
    sheets: dict | None = None,
    version: int | None = None,
    created_on: dt.date = dt.date(2021, 7, 5),
    **cover,
) -> Path:
    return write_submission(
        inbox / name,
        level=level,
        cover={
            "code": code,
            "name": unit_name,
            "period": period,
            "created_on": created_on,
            "version": version,
            **cover,
        },
        sheets=sheets or {},
    )


def build(
    tmp: Path, period: str, inbox: Path, register: Path, out: Path | None = None, warehouse: Path | None = None
) -> Path:
    """Run `antq build` as the CLI does (a real Dagster run, real dbt, a real DuckDB file)."""
    out = out or tmp / "out"
    warehouse = warehouse or tmp / "warehouse.duckdb"
    code = cli.main(
        [
            "build",
            period,
            "--inbox",
            str(inbox),
            "--register",
            str(register),
            "--out",
            str(out),
            "--warehouse",
            str(warehouse),
        ]
    )
    assert code == 0
    return out / period


def run_cli(*argv: str) -> subprocess.CompletedProcess:
    """`antq ARGV` through the CLI's own entry in this process: its exit code and what it printed. A
    subprocess would pay Python's start, Dagster's and dbt's imports and the definitions again (seconds
    each); the tests that need a process of its own (killed, concurrent) start one."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli.main([str(a) for a in argv])
    return subprocess.CompletedProcess(["antq", *argv], code, out.getvalue(), err.getvalue())


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


def shared_demo_build(root: Path) -> dict:
    """The bundled demo built once under `root`: its inbox, 2020-H2 then 2021-H1 into one warehouse, with the
    office's words beside the inbox (as in demo/, so the report is the seed's). Whoever comes first builds
    it (under xdist, the first worker to need it); the others wait for the
    lock and take the finished build."""
    import shutil

    from filelock import FileLock

    from demo.generate import generate_inbox
    from orchestration.defaults import DEMO_OFFICE_TEXT, DEMO_REGISTER

    tmp = root / "demo_build"
    inbox, out, warehouse = tmp / "inbox", tmp / "out", tmp / "warehouse.duckdb"
    with FileLock(str(root / "demo_build.lock")):
        if not (tmp / "built").exists():
            shutil.rmtree(tmp, ignore_errors=True)
            tmp.mkdir()
            generate_inbox(DEMO_REGISTER, inbox)
            shutil.copytree(DEMO_OFFICE_TEXT, tmp / "nhan_dinh")
            for period in ("2020-H2", "2021-H1"):
                build(tmp, period, inbox, DEMO_REGISTER, out, warehouse)
            (tmp / "built").touch()
    return {"tmp": tmp, "inbox": inbox, "out": out, "warehouse": warehouse}


def copy_build(source: dict, dest: Path) -> dict:
    """A private copy of a built demo (inbox with its file times, the office's words beside it, outputs,
    warehouse and dbt's state) for a test that changes it."""
    import shutil

    from reports import office_text

    shutil.copytree(source["inbox"], dest / "inbox")
    if office_text.default_folder(source["inbox"]).is_dir():
        shutil.copytree(office_text.default_folder(source["inbox"]), office_text.default_folder(dest / "inbox"))
    shutil.copytree(source["out"], dest / "out", symlinks=True)  # OUT/PERIOD is a link into OUT/.builds
    shutil.copy2(source["warehouse"], dest / "warehouse.duckdb")
    # dbt's artefacts and its last-build state beside the warehouse: a build of unchanged inputs on the
    # copy reuses dbt's results, as it would on the original
    dbt_target = source["warehouse"].parent / "dbt_target"
    if dbt_target.is_dir():
        shutil.copytree(dbt_target, dest / "dbt_target")
    return {"tmp": dest, "inbox": dest / "inbox", "out": dest / "out", "warehouse": dest / "warehouse.duckdb"}
