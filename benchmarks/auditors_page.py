"""Size and time to first render of the auditors' page (kiem_tra_du_lieu.html) at national size.

    python -m benchmarks.auditors_page [--communes 10575] [--per-commune 3] [--repeat 3]
                                       [--units ../shared/data/vietnam_2021_org_units.csv] [--keep DIR]

The page is rendered by reports.auditors_page.render from a report dict shaped as reports.auditors.collect()
returns it, made up here from the GSO list of administrative units (no build needed): the first N communes
of the list with their districts and provinces, one winning workbook per commune and per district, one for
the province, 1 % of the communes with a superseded first version; `--per-commune` findings per commune on
average (0 to 2 × that, seeded), each with its sheet, row, column, value and the submitted row's cells
(the 6 cells of a villages row), a fifth of them with an auditor's decision; two approvals. The baseline,
measured in the same run, is the same generator at the size of the demo province (124 communes).

What is measured, per size: the page's bytes; headless Chromium (`chromium --headless --dump-dom`, no
network) opening the file: the page's own marker `data-first-render` (performance.now() when the findings
table is drawn, ms since navigation start: parsing, JSON.parse, first 200 rows) and `data-ready` (all
three long tables drawn), and the wall time of the whole Chromium process (startup included). Median of
--repeat runs. It is a measurement, not a test: it always exits 0.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import os
import random
import re
import shutil
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

import catalog
from catalog import REPO
from reports import auditors, auditors_page

UNITS = REPO.parent / "shared" / "data" / "vietnam_2021_org_units.csv"
PERIOD = "2021-H1"
DEADLINE = dt.date(2021, 7, 20)
VILLAGE_HEADERS = [c["header"] for c in catalog.workbook()["sheets"]["villages"]["columns"].values()]


def _units(path: Path) -> list[dict]:
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def synthetic_report(units: list[dict], communes: int, per_commune: float, seed: int = 2021) -> dict:
    """A report dict as collect() returns it, for the first `communes` communes of `units`."""
    rng = random.Random(seed)
    by_code = {u["code"]: u for u in units}
    chosen = [u for u in units if u["level"] == "commune"][:communes]
    districts = sorted({c["parent_code"] for c in chosen})
    checks = list(catalog.checks())
    states = list(catalog.review_states())
    severities = list(catalog.SEVERITY_ORDER)
    gen_at = dt.datetime(2021, 7, 25, 9, 0)
    findings, submissions, commune_rows = [], [], []

    def submission(level, code, name, district, version=1, status="winner", created=None):
        name_file = f"{PERIOD}/{district}/{level[0]}{code}_v{version}.xlsx"
        created = created or DEADLINE - dt.timedelta(days=rng.randint(-3, 18))
        submissions.append(
            {
                "period": PERIOD,
                "source_file": name_file,
                "reporter_level": level,
                "reporter_code": code,
                "reporter_name": name,
                "district_code": district,
                "version": version,
                "created_on": created,
                "submission_status": status,
                "rejection_check": None,
                "rejection_reason": None,
                "winner_file": name_file,
                "rows_read": rng.randint(4, 12),
                "rows_counted": 0,
                "rows_excluded": 0,
                "summary_rows_read": 0,
                "deadline": DEADLINE,
                "on_time": created <= DEADLINE,
                "link": f"../../inbox/{name_file}",
                "winner_link": None,
                "findings": {s: 0 for s in severities},
            }
        )
        return submissions[-1]

    for code in districts:
        submission("district", code, by_code[code]["name"], code)
    for i, c in enumerate(chosen):
        district = c["parent_code"]
        if i % 100 == 50:
            submission("commune", c["code"], c["name"], district, status="superseded")
        sub = submission("commune", c["code"], c["name"], district, version=2 if i % 100 == 50 else 1)
        commune_rows.append(
            {
                "code": c["code"],
                "name": c["name"],
                "district_code": district,
                "district_name": by_code[district]["name"],
                "received": True,
                "on_time": sub["on_time"],
                "created_on": sub["created_on"],
                "source_file": sub["source_file"],
            }
        )
        for _ in range(rng.randint(0, round(2 * per_commune))):
            severity = rng.choices(severities, weights=[1, 6, 3])[0]
            row = rng.randint(2, 12)
            village = f"{c['code']}{row:03d}"
            cells = [village, f"Thôn {row}", "Có", "Có", str(rng.randint(100, 900)), str(rng.randint(50, 950))]
            state = rng.choice(states[:4]) if rng.random() < 0.2 else "open"
            sub["findings"][severity] += 1
            findings.append(
                {
                    "period": PERIOD,
                    "check_code": rng.choice(checks),
                    "severity": severity,
                    "org_unit_code": c["code"],
                    "source_file": sub["source_file"],
                    "sheet_name": "Thôn, khu phố",
                    "row_number": row,
                    "value_raw": cells[5],
                    "params": None,
                    "district_code": district,
                    "commune_code": c["code"],
                    "message": (
                        f"Số hộ đăng ký ({cells[5]}) lớn hơn tổng số hộ ({cells[4]}) tại Thôn {row}, {c['name']}"
                    ),
                    "finding_key": f"{rng.getrandbits(64):016x}",
                    "first_seen_at": gen_at,
                    "times_seen": rng.randint(1, 4),
                    "title_vi": "",
                    "effect_vi": "",
                    "district_name": by_code[district]["name"],
                    "commune_name": c["name"],
                    "unit_name": c["name"],
                    "column": "Số hộ đăng ký",
                    "link": sub["link"],
                    "row_cells": [list(p) for p in zip(VILLAGE_HEADERS, cells)],
                    "review_state": state,
                    "decided_by": "Nguyễn Văn A" if state != "open" else None,
                    "decision_note": "Xã đã giải trình bằng văn bản" if state == "explained" else None,
                    "decided_at": gen_at if state != "open" else None,
                }
            )
    submission("province", "00", "Tỉnh", None)
    completeness = [{"code": "00", "name": "Toàn quốc (giả lập)", "level": "province"}]
    completeness += [{"code": d, "name": by_code[d]["name"], "level": "district"} for d in districts]
    for scope in completeness:
        mine = [s for s in submissions if s["submission_status"] == "winner"]
        if scope["level"] == "district":
            mine = [s for s in mine if s["district_code"] == scope["code"]]
        on_time = sum(1 for s in mine if s["on_time"])
        scope.update(expected=len(mine), received=len(mine), on_time=on_time, late=len(mine) - on_time, missing=[])
    counts = {s: sum(1 for f in findings if f["severity"] == s) for s in severities}
    return {
        "period": PERIOD,
        "period_label": "6 tháng đầu năm 2021",
        "inbox_link": "../../inbox",
        "generated_at": gen_at,
        "deadline": DEADLINE,
        "findings": findings,
        "checks": auditors.check_summary(findings),
        "submissions": submissions,
        "completeness": completeness,
        "gx": None,
        "by_severity": counts,
        "communes": commune_rows,
        "review_counts": {s: sum(1 for f in findings if f["review_state"] == s) for s in states},
        "approvals": [
            {
                "action": "approve",
                "by": "Trần Thị B",
                "at": "2021-07-26T10:00:00",
                "release": 1,
                "manifest_sha256": "ab" * 32,
                "reason": None,
            },
            {
                "action": "reopen",
                "by": "Trần Thị B",
                "at": "2021-07-27T08:00:00",
                "release": 1,
                "manifest_sha256": "ab" * 32,
                "reason": "Xã gửi lại báo cáo",
            },
        ],
    }


def chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


def open_in_chromium(page: Path, timeout: float = 120) -> dict:
    """Open the page headless, offline; the page's markers and the process's wall time."""
    start = time.perf_counter()
    done = subprocess.run(
        [
            chromium(),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--host-resolver-rules=MAP * ~NOTFOUND",
            "--dump-dom",
            page.resolve().as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    wall = time.perf_counter() - start
    marks = dict(re.findall(r'data-(first-render|ready)="(\d+)"', done.stdout[:4000]))
    return {"wall_s": wall, "first_ms": int(marks.get("first-render", -1)), "ready_ms": int(marks.get("ready", -1))}


def measure(report: dict, folder: Path, name: str, repeat: int) -> dict:
    t = time.perf_counter()
    path = auditors_page.write(report, folder / f"{name}.html")
    render_s = time.perf_counter() - t
    runs = [open_in_chromium(path) for _ in range(repeat)] if chromium() else []
    med = (lambda k: statistics.median(r[k] for r in runs)) if runs else (lambda k: float("nan"))
    return {
        "name": name,
        "findings": len(report["findings"]),
        "files": len(report["submissions"]),
        "communes": len(report["communes"]),
        "bytes": path.stat().st_size,
        "render_s": render_s,
        "first_ms": med("first_ms"),
        "ready_ms": med("ready_ms"),
        "wall_s": med("wall_s"),
    }


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--communes", type=int, default=10_575)
    ap.add_argument("--per-commune", type=float, default=3.0)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--units", type=Path, default=UNITS)
    ap.add_argument("--keep", type=Path, help="write the pages here (default: a temporary folder)")
    ap.add_argument(
        "--warehouse",
        type=Path,
        help="also the page of a built warehouse (e.g. `antq build` of benchmarks/province.py's N=10575 inbox), "
        "from reports.auditors.collect(); opened read-only",
    )
    ap.add_argument("--inbox", type=Path, help="that build's inbox (for the links)")
    args = ap.parse_args(argv)
    if not args.units.exists():
        print(f"Không có danh sách đơn vị hành chính {args.units}: dùng --units")
        return 0
    units = _units(args.units)
    folder = args.keep or Path(tempfile.mkdtemp(prefix="auditors_page_"))
    folder.mkdir(parents=True, exist_ok=True)
    print(f"load {os.getloadavg()[0]:.2f}; chromium: {chromium() or 'không có'}; pages in {folder}")
    base = measure(synthetic_report(units, 124, args.per_commune), folder, "N124", args.repeat)
    big = measure(synthetic_report(units, args.communes, args.per_commune), folder, f"N{args.communes}", args.repeat)
    built = None
    if args.warehouse:
        import duckdb

        con = duckdb.connect(str(args.warehouse), read_only=True)
        try:
            report = auditors.collect(con, PERIOD, folder / "built", args.inbox)
        finally:
            con.close()
        built = measure(report, folder, "built", args.repeat)
    head = (
        f"{'size':>8} {'findings':>9} {'files':>7} {'bytes':>12} {'render s':>9} {'first ms':>9} "
        f"{'ready ms':>9} {'chromium s':>11}"
    )
    print(head)
    for r in (base, big, *([built] if built else [])):
        print(
            f"{r['name']:>8} {r['findings']:>9,} {r['files']:>7,} {r['bytes']:>12,} {r['render_s']:>9.2f} "
            f"{r['first_ms']:>9.0f} {r['ready_ms']:>9.0f} {r['wall_s']:>11.2f}"
        )
    for r in (big, *([built] if built else [])):
        print(
            f"{'× ' + r['name']:>8} {r['findings'] / max(base['findings'], 1):>9.1f} "
            f"{r['files'] / base['files']:>7.1f} "
            f"{r['bytes'] / base['bytes']:>12.1f} {r['render_s'] / max(base['render_s'], 1e-9):>9.1f} "
            f"{r['first_ms'] / max(base['first_ms'], 1):>9.1f} {r['ready_ms'] / max(base['ready_ms'], 1):>9.1f} "
            f"{r['wall_s'] / base['wall_s']:>11.1f}"
        )
    if not args.keep:
        shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
