"""The period's published files of contract section 6: indicators.csv and dq_findings.csv."""
from __future__ import annotations

from pathlib import Path

from reports.csv_out import write_csv
from reports.messages import render

INDICATOR_COLUMNS = ["period", "indicator", "org_unit_code", "org_unit_level", "achieved", "total"]
FINDING_COLUMNS = ["period", "check", "severity", "org_unit_code", "source_file", "sheet", "row", "message"]


def write_indicators(con, period: str, out_dir: Path) -> tuple[Path, int]:
    rows = con.execute(
        """
        select period, indicator, org_unit_code, org_unit_level, achieved, total
        from main.mart_indicators where period = ?
        order by case org_unit_level when 'province' then 0 else 1 end, org_unit_code, sort_order
        """,
        [period],
    ).fetchall()
    path = out_dir / "indicators.csv"
    return path, write_csv(path, INDICATOR_COLUMNS, rows)


def findings(con, period: str) -> list[dict]:
    """The period's findings with their Vietnamese message, in the published order."""
    cur = con.execute(
        """
        select period, check_code, severity, org_unit_code, source_file, sheet_name, row_number, value_raw,
               params, district_code, commune_code
        from main.mart_dq_findings where period = ?
        """,
        [period],
    )
    names = [d[0] for d in cur.description]
    out = []
    for values in cur.fetchall():
        row = dict(zip(names, values))
        row["message"] = render(row["check_code"], row["params"])
        out.append(row)
    return out


def write_findings(rows: list[dict], out_dir: Path) -> tuple[Path, int]:
    path = out_dir / "dq_findings.csv"
    return path, write_csv(path, FINDING_COLUMNS, (
        [r["period"], r["check_code"], r["severity"], r["org_unit_code"], r["source_file"], r["sheet_name"],
         r["row_number"], r["message"]]
        for r in rows
    ))
