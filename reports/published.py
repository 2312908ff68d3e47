"""The period's published files of contract section 6 (indicators.csv and dq_findings.csv), the findings as
they are published (`findings`, read by every report) and the summary `antq build` prints of them."""

from __future__ import annotations

import json
from pathlib import Path

import catalog
from ingestion.warehouse import rows_as_dicts
from reports import findings_history, vn_format
from reports.csv_out import write_csv
from reports.messages import render

INDICATOR_COLUMNS = ["period", "indicator", "org_unit_code", "org_unit_level", "achieved", "total"]
FINDING_COLUMNS = ["period", "check", "severity", "org_unit_code", "source_file", "sheet", "row", "message"]
# The finding that stands for the findings of its check and file beyond the listing limit
# (mart_dq_findings, params.not_listed) says how many it stands for.
NOT_LISTED_VI = "; và {n} phát hiện cùng loại khác trong tệp này (không liệt kê)"


def write_indicators(con, period: str, out_dir: Path) -> tuple[Path, int]:
    rows = con.execute(
        """
        select period, indicator, org_unit_code, org_unit_level, achieved, total
        from main.mart_indicators where period = ?
        order by case org_unit_level when 'province' then 0 else 1 end, org_unit_code, sort_order, indicator
        """,
        [period],
    ).fetchall()
    path = out_dir / "indicators.csv"
    return path, write_csv(path, INDICATOR_COLUMNS, rows)


def findings(con, period: str) -> list[dict]:
    """The period's findings with their Vietnamese message and finding_key, in the published order: a total
    order (every column of a finding takes part), so the same findings always come out in the same order
    whatever the table's physical order. `not_listed`: how many more findings of its check and file the row stands for
    (0 but for the last listed one of a file over the limit); a count of findings is
    sum(1 + not_listed)."""
    severity_order = " ".join(f"when '{name}' then {rank}" for name, rank in catalog.SEVERITY_ORDER.items())
    cur = con.execute(
        f"""
        select period, check_code, severity, org_unit_code, source_file, sheet_name, row_number, value_raw,
               params, district_code, commune_code, finding_key
        from main.mart_dq_findings where period = ?
        order by case severity {severity_order} end, check_code, source_file nulls first,
                 sheet_name nulls first, row_number nulls first, org_unit_code nulls last,
                 value_raw nulls first, params nulls first, district_code nulls first, commune_code nulls first
        """,
        [period],
    )
    out = []
    for row in rows_as_dicts(cur):
        row["message"] = message(row["check_code"], row["params"])
        row["not_listed"] = _not_listed(row["params"])
        out.append(row)
    return out


def message(check_code: str, params: str | None) -> str:
    """A finding's Vietnamese message: the check's template filled from `params`, and how many findings it
    stands for beyond the listing limit."""
    text = render(check_code, params)
    if not_listed := _not_listed(params):
        text += NOT_LISTED_VI.format(n=vn_format.number(not_listed))
    return text


def _not_listed(params: str | None) -> int:
    return int((json.loads(params) if params else {}).get("not_listed") or 0)


def weight(finding: dict) -> int:
    """How many findings a published row stands for (1, or more for a file's last listed one over the limit)."""
    return 1 + finding.get("not_listed", 0)


def count_by(findings: list[dict], key: str) -> dict[str, int]:
    """Findings counted by `key` (e.g. "severity", "check_code"), each row by its weight."""
    counts: dict[str, int] = {}
    for f in findings:
        counts[f[key]] = counts.get(f[key], 0) + weight(f)
    return counts


def write_findings(rows: list[dict], out_dir: Path) -> tuple[Path, int]:
    path = out_dir / "dq_findings.csv"
    return path, write_csv(
        path,
        FINDING_COLUMNS,
        (
            [
                r["period"],
                r["check_code"],
                r["severity"],
                r["org_unit_code"],
                r["source_file"],
                r["sheet_name"],
                r["row_number"],
                r["message"],
            ]
            for r in rows
        ),
    )


def build_summary(con, period: str) -> dict:
    """What `antq build` prints of a period: its inbox files received and rejected (the import summary),
    its published indicator rows, its findings by severity (each row by its weight, labels in Vietnamese)
    and what the findings history recorded of the latest build that computed them."""
    ingested, rejected = con.execute(
        "select count_if(file_status = 'ingested'), count_if(file_status = 'rejected') "
        "from main.mart_submissions where period = ?",
        [period],
    ).fetchone()
    (indicator_rows,) = con.execute("select count(*) from main.mart_indicators where period = ?", [period]).fetchone()
    counts = dict(
        con.execute(
            # a file's findings over the limit are one row standing for the rest (params.not_listed)
            "select severity, sum(1 + coalesce(cast(json_extract(params, '$.not_listed') as bigint), 0)) "
            "from main.mart_dq_findings where period = ? group by 1",
            [period],
        ).fetchall()
    )
    # most severe first, in the catalogue's words ("Lỗi", "Cảnh báo", "Thông tin")
    by_severity = [(catalog.severity_label(s), counts[s]) for s in catalog.SEVERITY_ORDER if s in counts]
    return {
        "ingested": ingested,
        "rejected": rejected,
        "indicator_rows": indicator_rows,
        "by_severity": by_severity,
        "history": findings_history.latest_build(con, period),
    }
