"""Ingestion speed, as ratios against baselines measured in the same run.

Writes N commune workbooks (cover, villages, models, core-force support; about 9 KB each, written by
workbook_format.writer) into a temporary folder, then prints files/second for
  (a) ingest_inbox into a fresh DuckDB file (safety checks, parsing, lineage, one transaction),
  (b) a bare python-calamine read of the same sheets into lists, in this process (the floor),
  (c) a naive loop of pandas.read_excel(path, sheet_name=None, engine="openpyxl"),
and the ratios a/b (target >= 1/3) and a/c (target >= 10). Also (a') a re-run on the unchanged inbox.
The machine is shared: (a) and (b) run --repeat times, interleaved, and the best of each counts.

    python -m benchmarks.ingest [--n 1000] [--workers N] [--repeat 3] [--keep DIR]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd
from python_calamine import CalamineWorkbook, SheetVisibleEnum

from ingestion.inbox import ingest_inbox
from workbook_format.writer import write_submission

TARGET_VS_FLOOR = 1 / 3
TARGET_VS_PANDAS = 10.0


def write_inbox(folder: Path, n: int, seed: int = 2021) -> list[Path]:
    """N distinct commune workbooks with realistic content: 4-8 villages, 5-10 models, 1-3 support rows."""
    rng = random.Random(seed)
    paths = []
    for i in range(n):
        code = f"{22000 + i:05d}"
        villages = []
        for v in range(1, rng.randint(4, 8) + 1):
            total = rng.randint(150, 900)
            villages.append(
                {
                    "village_code": f"{code}{v:03d}",
                    "village_name": f"Thôn {v}",
                    "plan_issued": rng.random() < 0.7,
                    "safe_registered": rng.random() < 0.95,
                    "households_total": total,
                    "households_registered": rng.randint(total // 2, total),
                }
            )
        models = [
            {
                "model_name": f"Mô hình tự quản số {m}",
                "model_group": str(rng.randint(1, 6)),
                "unit_code": rng.choice(villages)["village_code"],
                "founded_year": rng.randint(2010, 2021),
            }
            for m in range(1, rng.randint(5, 10) + 1)
        ]
        support = [
            {
                "person_name": f"Nguyễn Văn {chr(65 + s)}",
                "person_title": "Tổ trưởng tổ bảo vệ an ninh",
                "support_type": rng.choice(["visit", "hardship_subsidy"]),
                "amount_vnd": 500_000,
            }
            for s in range(rng.randint(1, 3))
        ]
        path = folder / f"{code[:3]}/xa_{code}.xlsx"
        write_submission(
            path,
            level="commune",
            title="Báo cáo 6 tháng đầu năm 2021",
            cover={
                "code": code,
                "name": f"Xã {code}",
                "period": "2021-H1",
                "created_on": dt.date(2021, 7, 2),
                "preparer": "Trần Thị B",
                "commune_steering_plan": True,
                "commune_safe": True,
            },
            sheets={"villages": villages, "commune_models": models, "force_support": support},
        )
        paths.append(path)
    return paths


def bare_calamine(paths: list[Path]) -> int:
    """Read every visible sheet of every file into Python lists; return the number of cells."""
    cells = 0
    for path in paths:
        wb = CalamineWorkbook.from_path(str(path))
        for meta in wb.sheets_metadata:
            if meta.visible == SheetVisibleEnum.Visible:
                rows = wb.get_sheet_by_name(meta.name).to_python()
                cells += sum(len(r) for r in rows)
        wb.close()
    return cells


def naive_pandas(paths: list[Path]) -> int:
    frames = 0
    for path in paths:
        frames += len(pd.read_excel(path, sheet_name=None, engine="openpyxl"))
    return frames


@dataclass
class Measure:
    wall: float  # seconds
    cpu: float  # seconds of CPU, this process and its finished children (the parser workers)


def measured(fn, *args, **kwargs):
    def cpu() -> float:
        t = os.times()
        return t.user + t.system + t.children_user + t.children_system

    cpu_before, started = cpu(), time.perf_counter()
    result = fn(*args, **kwargs)
    return Measure(time.perf_counter() - started, cpu() - cpu_before), result


def fresh_ingest(work: Path, inbox: Path, run: int, workers: int | None):
    """ingest_inbox into a new DuckDB file, then the same again on the unchanged inbox."""
    con = duckdb.connect(str(work / f"bench_{run}.duckdb"))
    try:
        first, summary = measured(ingest_inbox, con, inbox, workers=workers)
        again, rerun = measured(ingest_inbox, con, inbox, workers=workers)
    finally:
        con.close()
    return first, summary, again, rerun


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Đo tốc độ đọc hộp thư báo cáo (ingestion benchmark)")
    parser.add_argument("--n", type=int, default=1000, help="number of workbooks (default 1000)")
    parser.add_argument("--workers", type=int, default=None, help="ingest_inbox workers (default: cores)")
    parser.add_argument(
        "--repeat", type=int, default=3, help="runs of (a) and (b), interleaved; the best of each counts (default 3)"
    )
    parser.add_argument("--keep", type=Path, default=None, help="write the workbooks here and keep them")
    args = parser.parse_args(argv)

    work = Path(tempfile.mkdtemp(prefix="antq-bench-"))
    inbox = args.keep or work / "inbox"
    try:
        generated, paths = measured(write_inbox, inbox, args.n)
        size = sum(p.stat().st_size for p in paths) / len(paths)
        cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
        print(
            f"{args.n} workbooks written in {generated.wall:.1f} s (mean {size / 1024:.1f} KB); "
            f"{cores} cores, load average {os.getloadavg()[0]:.1f}"
        )

        a_runs, b_runs, rerun_runs = [], [], []
        for run in range(args.repeat):
            b_run, cells = measured(bare_calamine, paths)
            a_run, summary, rerun_run, rerun = fresh_ingest(work, inbox, run, args.workers)
            assert summary.ingested == args.n and rerun.parsed == 0, (summary, rerun)
            a_runs.append(a_run)
            b_runs.append(b_run)
            rerun_runs.append(rerun_run)
        c, _ = measured(naive_pandas, paths)
        a = min(a_runs, key=lambda m: m.wall)
        b = min(b_runs, key=lambda m: m.wall)
        rerun_best = min(rerun_runs, key=lambda m: m.wall)

        def line(label: str, m: Measure, note: str = "") -> None:
            print(
                f"{label:34} {m.wall:6.2f} s {args.n / m.wall:7.0f} files/s "
                f"{1000 * m.cpu / args.n:6.2f} ms CPU/file  {note}"
            )

        print(f"best of {args.repeat} for (a) and (b); (a) runs: " + ", ".join(f"{m.wall:.2f} s" for m in a_runs))
        line("(a)  ingest_inbox, fresh DuckDB", a, f"({sum(summary.rows_by_table.values())} rows)")
        line("(a') ingest_inbox, unchanged rerun", rerun_best)
        line("(b)  bare calamine read (floor)", b, f"({cells} cells)")
        line("(c)  naive pandas.read_excel loop", c)
        a_b, a_c = b.wall / a.wall, c.wall / a.wall
        print(f"a/b = {a_b:.2f}  (target >= {TARGET_VS_FLOOR:.2f}: {_verdict(a_b >= TARGET_VS_FLOOR)})")
        print(f"a/c = {a_c:.1f}  (target >= {TARGET_VS_PANDAS:.0f}: {_verdict(a_c >= TARGET_VS_PANDAS)})")
        print(
            f"CPU per file: (a) costs {a.cpu / b.cpu:.1f}x the floor; on {cores} idle cores "
            f"a/b would be about {min(1.0, cores * b.cpu / a.cpu):.2f}"
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


def _verdict(ok: bool) -> str:
    return "đạt" if ok else "CHƯA ĐẠT"


if __name__ == "__main__":
    raise SystemExit(main())
