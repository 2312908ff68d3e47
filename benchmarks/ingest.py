"""Ingestion speed, as ratios against baselines measured in the same run.

Writes N commune workbooks (cover, villages, models, core-force support; about 9 KB each, written by
reports.submission_workbook) into a temporary folder, then prints files/second for
  (a) ingest_inbox into a fresh DuckDB file (safety checks, parsing, lineage, one transaction),
  (b) a bare python-calamine read of the same sheets into lists, in this process (the floor),
  (c) a naive loop of pandas.read_excel(path, sheet_name=None, engine="openpyxl"),
and the ratios a/b (target >= 1/3) and a/c (target >= 10). Also (a') a re-run on the unchanged inbox.

    python -m benchmarks.ingest [--n 1000] [--workers N] [--keep DIR]
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import shutil
import tempfile
import time
from pathlib import Path

import duckdb
import pandas as pd
from python_calamine import CalamineWorkbook, SheetVisibleEnum

from ingestion.inbox import ingest_inbox
from reports.submission_workbook import write_submission

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
            villages.append({"village_code": f"{code}{v:03d}", "village_name": f"Thôn {v}",
                             "plan_issued": rng.random() < 0.7, "safe_registered": rng.random() < 0.95,
                             "households_total": total, "households_registered": rng.randint(total // 2, total)})
        models = [{"model_name": f"Mô hình tự quản số {m}", "model_group": str(rng.randint(1, 6)),
                   "unit_code": rng.choice(villages)["village_code"], "founded_year": rng.randint(2010, 2021)}
                  for m in range(1, rng.randint(5, 10) + 1)]
        support = [{"person_name": f"Nguyễn Văn {chr(65 + s)}", "person_title": "Tổ trưởng tổ bảo vệ an ninh",
                    "support_type": rng.choice(["visit", "hardship_subsidy"]), "amount_vnd": 500_000}
                   for s in range(rng.randint(1, 3))]
        path = folder / f"{code[:3]}/xa_{code}.xlsx"
        write_submission(path, level="commune", title="Báo cáo 6 tháng đầu năm 2021",
                         cover={"code": code, "name": f"Xã {code}", "period": "2021-H1",
                                "created_on": dt.date(2021, 7, 2), "preparer": "Trần Thị B",
                                "commune_steering_plan": True, "commune_safe": True},
                         sheets={"villages": villages, "commune_models": models, "force_support": support})
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


def timed(fn, *args):
    started = time.perf_counter()
    result = fn(*args)
    return time.perf_counter() - started, result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Đo tốc độ đọc hộp thư báo cáo (ingestion benchmark)")
    parser.add_argument("--n", type=int, default=1000, help="number of workbooks (default 1000)")
    parser.add_argument("--workers", type=int, default=None, help="ingest_inbox workers (default: cores)")
    parser.add_argument("--keep", type=Path, default=None, help="write the workbooks here and keep them")
    args = parser.parse_args(argv)

    work = Path(tempfile.mkdtemp(prefix="antq-bench-"))
    inbox = args.keep or work / "inbox"
    try:
        gen_seconds, paths = timed(write_inbox, inbox, args.n)
        size = sum(p.stat().st_size for p in paths) / len(paths)
        print(f"{args.n} workbooks written in {gen_seconds:.1f} s (mean {size / 1024:.1f} KB), "
              f"{os.cpu_count()} cores")

        b_seconds, cells = timed(bare_calamine, paths)
        con = duckdb.connect(str(work / "bench.duckdb"))
        a_seconds, summary = timed(lambda: ingest_inbox(con, inbox, workers=args.workers))
        rerun_seconds, rerun = timed(lambda: ingest_inbox(con, inbox, workers=args.workers))
        con.close()
        assert summary.ingested == args.n and rerun.parsed == 0, (summary, rerun)
        c_seconds, _ = timed(naive_pandas, paths)

        rate = {k: args.n / s for k, s in (("a", a_seconds), ("b", b_seconds), ("c", c_seconds))}
        print(f"(a)  ingest_inbox, fresh DuckDB    {a_seconds:7.2f} s  {rate['a']:8.0f} files/s  "
              f"({sum(summary.rows_by_table.values())} rows)")
        print(f"(a') ingest_inbox, unchanged rerun {rerun_seconds:7.2f} s  {args.n / rerun_seconds:8.0f} files/s")
        print(f"(b)  bare calamine read (floor)    {b_seconds:7.2f} s  {rate['b']:8.0f} files/s  ({cells} cells)")
        print(f"(c)  naive pandas.read_excel loop  {c_seconds:7.2f} s  {rate['c']:8.0f} files/s")
        a_b, a_c = rate["a"] / rate["b"], rate["a"] / rate["c"]
        print(f"a/b = {a_b:.2f}  (target >= {TARGET_VS_FLOOR:.2f}: {'đạt' if a_b >= TARGET_VS_FLOOR else 'CHƯA ĐẠT'})")
        print(f"a/c = {a_c:.1f}  (target >= {TARGET_VS_PANDAS:.0f}: {'đạt' if a_c >= TARGET_VS_PANDAS else 'CHƯA ĐẠT'})")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
