"""The project's catalogues, kept as data files beside this module and read once.

- workbook.yaml   sheets, headers, cover labels and value vocabularies (contract section 3)
- indicators.csv  the published indicators (contract section 4) with their Vietnamese labels
- checks.csv      the data-quality checks (contract section 5): severity, effect, Vietnamese message
- severities.csv  finding severities in order, with their Vietnamese label
- submission_statuses.csv  what became of an inbox file, with the auditors' and the report's words
- settings.csv    the pipeline's settings (the submission deadline day)

dbt reads the CSV files as seeds (see dbt_project/dbt_project.yml), so there is one copy.
"""

from __future__ import annotations

import csv
import os
from functools import cache
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
REPO = HERE.parent  # the repository: every module that needs its root takes it from here


@cache
def workbook() -> dict:
    with open(HERE / "workbook.yaml", encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def _read_csv(name: str) -> list[dict]:
    with open(HERE / name, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


@cache
def indicators() -> list[dict]:
    """Published indicators in report order."""
    rows = _read_csv("indicators.csv")
    for r in rows:
        r["sort_order"] = int(r["sort_order"])
        r["has_total"] = r["has_total"] == "true"
        r["province_only"] = r["province_only"] == "true"
        # counts the district level itself: not applicable in a period whose register has no district
        r["district_level"] = r["district_level"] == "true"
        # re-expressed exactly on today's boundaries across the 2025 reform (README "Lịch sử qua sắp xếp")
        r["comparable_across_reform"] = r["comparable_across_reform"] == "true"
    return sorted(rows, key=lambda r: r["sort_order"])


@cache
def checks() -> dict[str, dict]:
    """Data-quality checks by code."""
    rows = _read_csv("checks.csv")
    for r in rows:
        r["blocks_figures"] = r["blocks_figures"] == "true"
    return {r["code"]: r for r in rows}


@cache
def severities() -> dict[str, dict]:
    """Finding severities in order (error, warning, info) with their Vietnamese label."""
    rows = sorted(_read_csv("severities.csv"), key=lambda r: int(r["sort_order"]))
    return {r["severity"]: r for r in rows}


@cache
def review_states() -> dict[str, dict]:
    """The states of a finding in the auditors' review, in order (review_states.csv): `decision` marks the
    three an auditor writes in the "Kết luận" column; "open" and "resolved" come from the builds."""
    rows = sorted(_read_csv("review_states.csv"), key=lambda r: int(r["sort_order"]))
    return {r["state"]: {**r, "decision": r["decision"] == "true"} for r in rows}


@cache
def submission_statuses() -> dict[str, dict]:
    """What became of an inbox file (submission_statuses.csv, a dbt seed too), in report order, with the
    auditors' label (`label_vi`) and the report's phrase (`phrase_vi`)."""
    rows = sorted(_read_csv("submission_statuses.csv"), key=lambda r: int(r["sort_order"]))
    return {r["status"]: r for r in rows}


@cache
def settings() -> dict[str, str]:
    """The pipeline's settings (settings.csv, a dbt seed too): name -> value as text."""
    return {r["setting"]: r["value"] for r in _read_csv("settings.csv")}


def submission_deadline_day() -> int:
    """Day of the month after the half-year by which workbooks are due: ANTQ_SUBMISSION_DEADLINE_DAY when
    set, else settings.csv (dbt's mart_submissions reads the same two). A bad value raises ValueError."""
    raw = os.environ.get("ANTQ_SUBMISSION_DEADLINE_DAY", "").strip() or settings()["submission_deadline_day"]
    if not raw.isdigit() or not 1 <= int(raw) <= 31:
        raise ValueError(f"ANTQ_SUBMISSION_DEADLINE_DAY={raw!r}: phải là số nguyên từ 1 đến 31")
    return int(raw)


def severity_label(severity: str) -> str:
    return severities()[severity]["label_vi"]


SEVERITY_ORDER = {name: i for i, name in enumerate(severities())}


def sheet_specs_for(level: str) -> dict[str, dict]:
    """The sheet layouts a workbook of `level` may carry, keyed by layout id."""
    return {k: s for k, s in workbook()["sheets"].items() if level in s["levels"]}


def raw_table_columns(table: str) -> list[str]:
    """Parsed value columns of a raw table (each also has a `<col>_raw` text column)."""
    cols: list[str] = []
    for spec in workbook()["sheets"].values():
        if spec["table"] == table:
            for c in spec["columns"]:
                if c not in cols:
                    cols.append(c)
    return cols


def raw_tables() -> list[str]:
    seen: list[str] = []
    for spec in workbook()["sheets"].values():
        if spec["table"] not in seen:
            seen.append(spec["table"])
    return seen
