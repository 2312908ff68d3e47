"""`antq`: the command line of contract section 7.

    antq build PERIOD [--inbox DIR] [--register DIR] [--out DIR] [--warehouse FILE]

Exit status 0 when the build ran, whatever it found; 2 with a one-line reason when it could not run.
Arguments are checked before Dagster is imported, so a wrong call answers at once."""
from __future__ import annotations

import argparse
import contextlib
import os
import sys
import time
from pathlib import Path

from orchestration import periods
from orchestration.resources import DEFAULT_OUT, DEFAULT_WAREHOUSE, DEMO_INBOX, DEMO_REGISTER, REPO


class CliError(Exception):
    """A reason the command could not run, shown as one line."""


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="antq", description="Lập số liệu báo cáo 6 tháng phong trào Toàn dân bảo vệ an ninh Tổ quốc")
    sub = p.add_subparsers(dest="command", required=True)
    b = sub.add_parser("build", help="lập số liệu, kiểm tra và báo cáo của một kỳ (vd. 2021-H1)")
    b.add_argument("period")
    b.add_argument("--inbox", type=Path, default=DEMO_INBOX, help="thư mục chứa các tệp báo cáo (.xlsx)")
    b.add_argument("--register", type=Path, default=DEMO_REGISTER, help="thư mục danh mục (org_units.csv, agencies.csv)")
    b.add_argument("--out", type=Path, default=DEFAULT_OUT, help="thư mục kết quả")
    b.add_argument("--warehouse", type=Path, default=DEFAULT_WAREHOUSE, help="tệp DuckDB của kho dữ liệu")
    b.add_argument("--verbose", action="store_true", help="in nhật ký chi tiết của Dagster")
    return p


def _check_paths(args) -> None:
    if args.inbox == DEMO_INBOX and not DEMO_INBOX.exists():
        from demo.generate import generate_inbox  # the bundled demo is generated on first use

        generate_inbox(DEMO_REGISTER, DEMO_INBOX)
    if not args.inbox.is_dir():
        raise CliError(f"không tìm thấy thư mục hộp thư: {args.inbox}")
    for name in ("org_units.csv", "agencies.csv"):
        if not (args.register / name).is_file():
            raise CliError(f"thư mục danh mục {args.register} thiếu tệp {name}")
    if args.warehouse.exists() and args.warehouse.is_dir():
        raise CliError(f"--warehouse phải là một tệp, không phải thư mục: {args.warehouse}")
    try:
        args.out.mkdir(parents=True, exist_ok=True)
        args.warehouse.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise CliError(f"không tạo được thư mục: {exc}") from exc


def _step_seconds(instance, run_id: str) -> dict[str, float]:
    """Wall time per step, from the run's step statistics."""
    return {
        stat.step_key: stat.end_time - stat.start_time
        for stat in instance.get_run_step_stats(run_id)
        if stat.start_time and stat.end_time
    }


def _failure_reason(result) -> str:
    for event in result.all_events:
        if event.event_type_value == "STEP_FAILURE":
            error = event.step_failure_data.error
            while error.cause is not None and error.cls_name in ("DagsterExecutionStepExecutionError",):
                error = error.cause
            return f"bước {event.step_key} thất bại: {error.message.strip().splitlines()[0]}"
    return "lần chạy Dagster không thành công"


def build(args) -> int:
    period = periods.validate(args.period)
    _check_paths(args)
    args.warehouse = args.warehouse.resolve()
    os.environ.setdefault("DAGSTER_HOME", str(REPO / "dagster_home"))
    t0 = time.perf_counter()

    import dagster as dg

    from orchestration.definitions import build_definitions

    defs = build_definitions(inbox=args.inbox.resolve(), register=args.register.resolve(),
                             out=args.out.resolve(), warehouse_path=args.warehouse)
    t_load = time.perf_counter() - t0
    level = "INFO" if args.verbose else "ERROR"
    log_path = args.warehouse.parent / "logs" / f"build-{period}.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    # dagster-dbt echoes dbt's log on stdout: keep it in a file unless --verbose.
    echo = contextlib.nullcontext() if args.verbose else contextlib.redirect_stdout(open(log_path, "w", encoding="utf-8"))
    with echo, dg.DagsterInstance.get() as instance:
        result = defs.resolve_job_def("build_period").execute_in_process(
            partition_key=period,
            instance=instance,
            raise_on_error=False,
            run_config={"loggers": {"console": {"config": {"log_level": level}}}},
            tags={"antq/period": period, "antq/source": "cli"},
        )
        steps = _step_seconds(instance, result.run_id)
    if not result.success:
        raise CliError(f"{_failure_reason(result)} (nhật ký: {log_path})")
    _print_summary(args, period, result.run_id, steps, t_load, time.perf_counter() - t0)
    return 0


def _print_summary(args, period: str, run_id: str, steps: dict, t_load: float, total: float) -> None:
    import duckdb

    con = duckdb.connect(str(args.warehouse), read_only=True)
    try:
        ingested, rejected = con.execute(
            "select count(*) filter (where status = 'ingested'), count(*) filter (where status = 'rejected') "
            "from raw.files where period = ? or period is null", [period]).fetchone()
        n_rows = con.execute("select count(*) from main.mart_indicators where period = ?", [period]).fetchone()[0]
        severities = con.execute(
            "select severity, count(*) from main.mart_dq_findings where period = ? group by 1 order by 1", [period]
        ).fetchall()
    finally:
        con.close()
    out_dir = args.out.resolve() / period
    print(f"antq build {period}: xong trong {total:.1f} s (run {run_id[:8]})")
    print(f"  Tệp của kỳ: {ingested} đã nhận, {rejected} bị từ chối — hộp thư {args.inbox}")
    print(f"  Số liệu: {n_rows} dòng chỉ tiêu; phát hiện: "
          + (", ".join(f"{n} {s}" for s, n in severities) or "không có"))
    print(f"  Kết quả: {out_dir}")
    for name in sorted(p.name for p in out_dir.iterdir()):
        print(f"    - {name}")
    print("  Thời gian: nạp định nghĩa {:.1f} s; ".format(t_load)
          + "; ".join(f"{k} {v:.1f} s" for k, v in sorted(steps.items(), key=lambda kv: -kv[1])))


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.command == "build":
            return build(args)
    except (CliError, periods.PeriodError) as exc:
        print(f"antq: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("antq: đã dừng theo yêu cầu", file=sys.stderr)
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
