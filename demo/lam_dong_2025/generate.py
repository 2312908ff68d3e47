"""Writes the second demo's inbox and its targets: the workbooks of demo.lam_dong_2025.scenario for
2025-H1 (the former provinces, before the reform), 2025-H2 and 2026-H1, in one inbox, byte for byte the same
on every run, and targets.csv, the figures a correct build gives.
Run through `python -m demo.generate --demo lam-dong-2025 [--register DIR] [--out DIR]`."""

from __future__ import annotations

import csv
from pathlib import Path

import openpyxl

import catalog
from demo.generate import write_submissions
from demo.lam_dong_2025 import INBOX, REGISTER, TARGETS, scenario
from reports import stable_zip
from workbook_format.writer import _stamp

TARGET_COLUMNS = ("period", "indicator", "org_unit_code", "org_unit_level", "achieved", "total")


def generate_inbox(
    register_dir: Path = REGISTER,
    inbox_dir: Path = INBOX,
    targets_path: Path = TARGETS,
) -> dict:
    """Write every workbook of the three periods under `inbox_dir` (their period folders are replaced) and
    targets.csv. Return a summary: the files written, counts by period and level, the messy file and its
    foreign village row."""
    register = scenario.load_register(Path(register_dir))
    former = scenario.load_registers(Path(register_dir), scenario.FORMER_DAY)
    submissions, states, former_submissions, former_states = scenario.build_submissions(register, former)
    messy_sub, messy = scenario.messy_file(register, submissions)
    summary = write_submissions(
        former_submissions + submissions, Path(inbox_dir), (scenario.FORMER_PERIOD, *scenario.PERIODS)
    )
    _mess_up_headers(Path(inbox_dir) / messy_sub.relpath, messy_sub)
    rows = scenario.targets(register, states, former, former_states)
    targets_path = Path(targets_path)
    targets_path.parent.mkdir(parents=True, exist_ok=True)
    with open(targets_path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=TARGET_COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return summary | {"messy": messy, "targets": str(targets_path)}


def _mess_up_headers(path: Path, sub) -> None:
    """The messy workbook's village headers as someone retyped them: capitals and doubled spaces (the same
    headers to the parser, contract section 3). Saved with the same stamps, so the bytes stay stable."""
    import os

    sheet = catalog.workbook()["sheets"]["villages"]
    headers = {c["header"] for c in sheet["columns"].values()}
    wb = openpyxl.load_workbook(path)
    ws = wb[sheet["sheet"]]
    for row in ws.iter_rows(min_row=1, max_row=10):
        if any(cell.value in headers for cell in row):
            for cell in row:
                if cell.value in headers:
                    cell.value = "  " + cell.value.upper().replace(" ", "  ") + " "
            break
    stable_zip.save_workbook(wb, path, _stamp(sub.cover.get("created_on")))
    stamp = sub.mtime.timestamp()
    os.utime(path, (stamp, stamp))
