"""Writes the demo inbox: the workbooks of demo.scenario for 2020-H2 and 2021-H1, byte for byte the
same on every run, with fixed file modification times.

    python -m demo.generate [--register DIR] [--out DIR]
    python -m demo.generate --demo lam-dong-2025 [--register DIR] [--out DIR] [--targets FILE]  (demo.lam_dong_2025)
"""

from __future__ import annotations

import argparse
import os
import shutil
from collections import Counter
from pathlib import Path

from demo import scenario
from workbook_format.writer import write_submission

HERE = Path(__file__).resolve().parent
DEFAULT_REGISTER = HERE / "register"
DEFAULT_INBOX = HERE / "inbox"
DEMOS = ("binh-thuan-2021", "lam-dong-2025")  # the first is the default everywhere


def generate_inbox(register_dir: Path, inbox_dir: Path) -> dict:
    """Write every demo workbook under `inbox_dir` (its demo period folders are replaced) and return
    a summary: the files written, counts by period and level, and the superseded files."""
    register = scenario.load_register(Path(register_dir))
    return write_submissions(scenario.build_submissions(register), Path(inbox_dir), scenario.PERIODS)


def write_submissions(submissions: list[scenario.Submission], inbox_dir: Path, periods: tuple[str, ...]) -> dict:
    """Write the workbooks of `submissions` under `inbox_dir` (the folders of `periods` are replaced), each
    with its fixed modification time; return the summary of generate_inbox."""
    for period in periods:
        shutil.rmtree(inbox_dir / period, ignore_errors=True)

    for sub in submissions:
        path = write_submission(
            inbox_dir / sub.relpath, level=sub.level, cover=sub.cover, sheets=sub.sheets, title=sub.title
        )
        stamp = sub.mtime.timestamp()
        os.utime(path, (stamp, stamp))

    by_period: dict[str, Counter] = {p: Counter() for p in periods}
    for sub in submissions:
        by_period[sub.period][sub.level] += 1
    return {
        "inbox": str(inbox_dir),
        "files": [s.relpath for s in submissions],
        "by_period": {p: dict(c) for p, c in by_period.items()},
        "superseded": [s.relpath for s in submissions if s.superseded],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Tạo hộp thư báo cáo mẫu (demo)")
    parser.add_argument(
        "--demo",
        choices=DEMOS,
        default=DEMOS[0],
        help="bộ mẫu: binh-thuan-2021 (2020-H2, 2021-H1, tỉnh, huyện, xã) hoặc lam-dong-2025 (2025-H1 của ba "
        "tỉnh cũ; 2025-H2, 2026-H1 của tỉnh Lâm Đồng mới, tỉnh và xã) (mặc định: %(default)s)",
    )
    parser.add_argument("--register", type=Path, default=None, help="thư mục danh mục (mặc định: của bộ mẫu)")
    parser.add_argument("--out", type=Path, default=None, help="thư mục hộp thư báo cáo (mặc định: của bộ mẫu)")
    parser.add_argument(
        "--targets", type=Path, default=None, help="lam-dong-2025: tệp số liệu đích (mặc định: targets.csv của bộ mẫu)"
    )
    args = parser.parse_args(argv)
    if args.demo == DEMOS[0]:
        summary = generate_inbox(args.register or DEFAULT_REGISTER, args.out or DEFAULT_INBOX)
    else:
        from demo import lam_dong_2025
        from demo.lam_dong_2025.generate import generate_inbox as generate_lam_dong

        summary = generate_lam_dong(
            args.register or lam_dong_2025.REGISTER,
            args.out or lam_dong_2025.INBOX,
            args.targets or lam_dong_2025.TARGETS,
        )
        print(f"Số liệu đích: {summary['targets']}; tệp có lỗi cố ý: {summary['messy'].relpath}")
    for period, counts in summary["by_period"].items():
        print(f"{period}: " + ", ".join(f"{level} {n}" for level, n in sorted(counts.items())))
    print(f"Đã ghi {len(summary['files'])} tệp vào {summary['inbox']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
