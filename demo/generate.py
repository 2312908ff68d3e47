"""Writes the demo inbox: the workbooks of demo.scenario for 2020-H2 and 2021-H1, byte for byte the
same on every run, with fixed file modification times.

    python -m demo.generate [--register DIR] [--out DIR]
"""

from __future__ import annotations

import argparse
import os
import shutil
from collections import Counter
from pathlib import Path

from demo import scenario
from reports.submission_workbook import write_submission

HERE = Path(__file__).resolve().parent
DEFAULT_REGISTER = HERE / "register"
DEFAULT_INBOX = HERE / "inbox"


def generate_inbox(register_dir: Path, inbox_dir: Path) -> dict:
    """Write every demo workbook under `inbox_dir` (its demo period folders are replaced) and return
    a summary: the files written, counts by period and level, and the superseded files."""
    register = scenario.load_register(Path(register_dir))
    submissions = scenario.build_submissions(register)
    inbox_dir = Path(inbox_dir)
    for period in scenario.PERIODS:
        shutil.rmtree(inbox_dir / period, ignore_errors=True)

    for sub in submissions:
        path = write_submission(
            inbox_dir / sub.relpath, level=sub.level, cover=sub.cover, sheets=sub.sheets, title=sub.title
        )
        stamp = sub.mtime.timestamp()
        os.utime(path, (stamp, stamp))

    by_period: dict[str, Counter] = {p: Counter() for p in scenario.PERIODS}
    for sub in submissions:
        by_period[sub.period][sub.level] += 1
    return {
        "inbox": str(inbox_dir),
        "files": [s.relpath for s in submissions],
        "by_period": {p: dict(c) for p, c in by_period.items()},
        "superseded": [s.relpath for s in submissions if s.superseded],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Tạo hộp thư báo cáo mẫu (demo) cho 2 kỳ 2020-H2 và 2021-H1")
    parser.add_argument("--register", type=Path, default=DEFAULT_REGISTER, help="thư mục danh mục")
    parser.add_argument("--out", type=Path, default=DEFAULT_INBOX, help="thư mục hộp thư báo cáo")
    args = parser.parse_args(argv)
    summary = generate_inbox(args.register, args.out)
    for period, counts in summary["by_period"].items():
        print(f"{period}: " + ", ".join(f"{level} {n}" for level, n in sorted(counts.items())))
    print(f"Đã ghi {len(summary['files'])} tệp vào {summary['inbox']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
