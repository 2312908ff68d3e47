"""`antq`: the command line of contract section 7, and the blank templates.

    antq build PERIOD [--inbox DIR] [--register DIR] [--office-text DIR] [--reviews DIR] [--out DIR]
                      [--warehouse FILE] [--wait SECONDS] [--rebuild-warehouse] [--verbose] [--demo NAME]
    antq template PERIOD [--out DIR] [--register DIR] [--demo NAME]
    antq approve PERIOD --by NAME [--out DIR] [--warehouse FILE]
    antq reopen PERIOD --by NAME --reason TEXT [--out DIR] [--warehouse FILE]
    antq register PROVINCE [--structure 2025|2021] --out DIR [--force]

Exit status 0 when the command ran (a build whatever it found); 2 with a one-line reason when it could
not run. Arguments and the warehouse's locks are checked before Dagster is imported, so a wrong call
or a warehouse held by another program answers at once; `antq template` never imports Dagster."""

from __future__ import annotations

import contextlib
import os
import sys
import time
from pathlib import Path

from catalog import periods
from orchestration import defaults, progress, warehouse_health, warehouse_lock
from orchestration.defaults import DEFAULT_WAREHOUSE, DEMO_INBOX, DEMO_REGISTER

WAREHOUSE_TAG = "antq/warehouse"  # on every run `antq build` starts: which warehouse file it held


class CliError(Exception):
    """A reason the command could not run, shown as one line."""


def _parser():
    from orchestration.arguments import parser  # the arguments, their defaults and help, in Vietnamese

    return parser()


def _check_register(register: Path) -> None:
    """The register is read and validated once, in memory, before any run: a bad one is a reason the
    build cannot run (one line), not a failed step."""
    import duckdb

    from ingestion.register import RegisterError, load_register

    for name in ("org_units.csv", "agencies.csv"):
        if not (register / name).is_file():
            raise CliError(f"thư mục danh mục {register} thiếu tệp {name}")
    con = duckdb.connect()
    try:
        load_register(con, register)
    except RegisterError as exc:
        raise CliError(f"danh mục không hợp lệ: {exc}") from exc
    finally:
        con.close()


def _ensure_demo_inbox(inbox: Path) -> None:
    """A bundled demo's inbox is generated on first use, once even when two builds start together."""
    from filelock import FileLock

    lock = DEFAULT_WAREHOUSE.parent / "demo_inbox.lock"  # var/: not part of the repository
    lock.parent.mkdir(parents=True, exist_ok=True)
    with FileLock(str(lock)):
        if inbox.exists():
            return
        if inbox == DEMO_INBOX:
            from demo.generate import generate_inbox

            generate_inbox(DEMO_REGISTER, DEMO_INBOX)
        else:
            from demo.lam_dong_2025.generate import generate_inbox as generate_lam_dong

            generate_lam_dong(defaults.DEMOS["lam-dong-2025"].register, inbox)


def _check_paths(args) -> None:
    if args.inbox in {demo.inbox for demo in defaults.DEMOS.values()}:
        _ensure_demo_inbox(args.inbox)
    if not args.inbox.is_dir():
        raise CliError(f"không tìm thấy thư mục hộp thư: {args.inbox}")
    _check_register(args.register)
    if args.wait < 0:
        raise CliError(f"--wait phải là số giây không âm: {args.wait:g}")
    if args.office_text is not None and args.office_text.exists() and not args.office_text.is_dir():
        raise CliError(f"--office-text phải là một thư mục, không phải tệp: {args.office_text}")
    if args.reviews is not None and args.reviews.exists() and not args.reviews.is_dir():
        raise CliError(f"--reviews phải là một thư mục, không phải tệp: {args.reviews}")
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


def _blocked_publication(result) -> str | None:
    """Blocking asset checks that failed (orchestration.assets.quality): the published assets did not run
    and the published set is as it was. Each check's `reason` metadata says why, in Vietnamese."""
    import dagster as dg

    reasons = []
    for event in result.all_events:
        if event.event_type_value == "ASSET_CHECK_EVALUATION":
            check = event.event_specific_data
            if not check.passed and check.blocking and check.severity == dg.AssetCheckSeverity.ERROR:
                reason = check.metadata.get("reason")
                text = reason.value if reason is not None else "không đạt"
                reasons.append(f"{check.asset_key.to_user_string()}:{check.check_name} — {text}")
    if not reasons:
        return None
    return "không công bố, bộ tệp đang công bố giữ nguyên; kiểm tra chặn công bố không đạt: " + " | ".join(reasons)


def _failure_reason(result) -> str:
    blocked = _blocked_publication(result)
    if blocked:
        return blocked
    for event in result.all_events:
        if event.event_type_value == "STEP_FAILURE":
            error = event.step_failure_data.error
            while error.cause is not None and error.cls_name in ("DagsterExecutionStepExecutionError",):
                error = error.cause
            return f"bước {event.step_key} thất bại: {error.message.strip().splitlines()[0]}"
        if event.event_type_value == "RESOURCE_INIT_FAILURE" and event.engine_event_data.error:
            # e.g. a damaged warehouse, found before any step ran: its message is the reason
            message = event.engine_event_data.error.message.strip().splitlines()[0]
            return message.split(": ", 1)[1] if message.startswith(("orchestration.", "dagster.")) else message
    return "lần chạy Dagster không thành công"


def _approval_refusal(result) -> str | None:
    """The release's refusal to replace the published set of an approved period: not a fault, so its own
    line, naming the approval (reports.approvals.PeriodApproved), without the log's path."""
    for event in result.all_events:
        if event.event_type_value == "STEP_FAILURE":
            error = event.step_failure_data.error
            while error is not None:
                if error.cls_name == "PeriodApproved":
                    return error.message.strip().splitlines()[0].split(": ", 1)[-1]
                error = error.cause
    return None


def build(args) -> int:
    period = periods.validate(args.period)
    _check_paths(args)
    args.warehouse = args.warehouse.resolve()
    try:
        # One build at a time per warehouse, waiting up to --wait for another antq build; a holder
        # outside antq is reported at once (orchestration.warehouse_lock).
        with warehouse_lock.build_lock(args.warehouse, args.wait):
            with warehouse_lock.step_lock(args.warehouse, args.wait):
                if args.rebuild_warehouse:
                    _set_warehouse_aside(args.warehouse)
                warehouse_lock.ensure_not_held_elsewhere(args.warehouse)
            return _build_locked(args, period)
    except (warehouse_lock.WarehouseLocked, warehouse_health.WarehouseDamaged) as exc:
        raise CliError(str(exc)) from exc


def _set_warehouse_aside(warehouse: Path) -> None:
    """--rebuild-warehouse: the old file is renamed, never deleted; the run then builds a new one."""
    moved = warehouse_health.set_aside(warehouse)
    if moved is not None:
        print(f"antq: kho dữ liệu cũ được giữ lại tại {moved}; dựng lại kho từ hộp thư và danh mục", file=sys.stderr)


def _prepare_dbt_manifest() -> None:
    """The dbt manifest the definitions are built from, parsed now if missing or older than the dbt
    sources: loading the definitions never parses (orchestration.dbt)."""
    from orchestration.dbt import ManifestNotReady, ensure_manifest

    try:
        ensure_manifest()
    except ManifestNotReady as exc:
        raise CliError(str(exc)) from exc


def instance_home(warehouse: Path) -> Path:
    """The Dagster instance of this warehouse's runs: DAGSTER_HOME when the user set it, else
    WAREHOUSE.dagster_home beside the file; given the project's settings when it has none
    (orchestration.instance)."""
    from orchestration import instance

    home, _ = instance.home_for(warehouse)
    return instance.ensure_home(home)


def _build_locked(args, period: str) -> int:
    t0 = time.perf_counter()
    _prepare_dbt_manifest()
    home = instance_home(args.warehouse)

    import warnings

    import dagster as dg

    from orchestration.definitions import build_definitions
    from orchestration.instance import relax_event_log_durability

    relax_event_log_durability()
    # partitioned asset checks are a Dagster preview we use knowingly (orchestration.partitions): this
    # command's terminal is not the place for its warning
    warnings.filterwarnings("ignore", category=dg.PreviewWarning)

    defs = build_definitions(
        inbox=args.inbox.resolve(),
        register=args.register.resolve(),
        out=args.out.resolve(),
        warehouse_path=args.warehouse,
        office_text=office_folder(args),
        reviews=review_folder(args),
    )
    t_load = time.perf_counter() - t0
    # Without --verbose the terminal gets the summary or one line; the run's full log is in the instance.
    level = "INFO" if args.verbose else "CRITICAL"
    log_path = args.warehouse.parent / "logs" / f"build-{period}.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with contextlib.ExitStack() as stack:
        if not args.verbose:  # dagster-dbt echoes dbt's log on stdout: keep it in a file
            stack.enter_context(contextlib.redirect_stdout(stack.enter_context(open(log_path, "w", encoding="utf-8"))))
        stack.enter_context(progress.hand_terminal_to_steps())
        instance = stack.enter_context(dg.DagsterInstance.from_config(str(home)))
        _release_abandoned_runs(instance, args.warehouse)
        result = defs.resolve_job_def("build_period").execute_in_process(
            partition_key=period,
            instance=instance,
            raise_on_error=False,
            run_config={"loggers": {"console": {"config": {"log_level": level}}}},
            tags={"antq/period": period, "antq/source": "cli", WAREHOUSE_TAG: str(args.warehouse)},
        )
        steps = _step_seconds(instance, result.run_id)
    if not result.success:
        raise CliError(_approval_refusal(result) or f"{_failure_reason(result)} (nhật ký: {log_path})")
    _print_summary(args, period, result.run_id, steps, t_load, time.perf_counter() - t0)
    return 0


def _release_abandoned_runs(instance, warehouse: Path) -> list[str]:
    """A build killed mid-run (kill -9, a machine switched off) leaves its run "started" in the
    instance and its `warehouse` pool slot claimed, and every later build would wait for that slot
    for ever. The caller holds this warehouse's build lock, so no other build of it is alive: its
    runs still in progress are abandoned. Mark them failed and free their slots; return their ids."""
    import dagster as dg

    abandoned = instance.get_runs(
        filters=dg.RunsFilter(
            statuses=[dg.DagsterRunStatus.NOT_STARTED, dg.DagsterRunStatus.STARTING, dg.DagsterRunStatus.STARTED],
            tags={"antq/source": "cli", WAREHOUSE_TAG: str(warehouse)},
        )
    )
    for run in abandoned:
        instance.report_run_failed(
            run,
            message="Tiến trình antq build của lần chạy này đã dừng đột ngột; "
            "lệnh antq build sau đó đánh dấu thất bại và trả chỗ trong pool warehouse",
        )
        instance.event_log_storage.free_concurrency_slots_for_run(run.run_id)
    return [run.run_id for run in abandoned]


def review_folder(args) -> Path:
    return defaults.review_folder(args.reviews, args.inbox)


def office_folder(args) -> Path:
    return defaults.office_text_folder(args.office_text, args.inbox)


def _office_lines(args, period: str, provinces: list[str]) -> list[str]:
    """The office's files the report read, each with the required parts still to be written."""
    from reports import office_text

    several = len(provinces) > 1
    lines = []
    for code in provinces:
        office = office_text.read(office_text.file_path(office_folder(args), period, code if several else None))
        lines += office_text.summary_lines(office)
    return lines


def _print_summary(args, period: str, run_id: str, steps: dict, t_load: float, total: float) -> None:
    import duckdb

    from reports.published import build_summary
    from reports.report_data import provinces

    # under the step lock: a run launched from the UI may be using the file
    with warehouse_lock.step_lock(args.warehouse, args.wait):
        con = duckdb.connect(str(args.warehouse), read_only=True)
        try:
            figures = build_summary(con, period)
            codes = provinces(con, period)
        finally:
            con.close()
    out_dir = args.out.resolve() / period
    print(f"antq build {period}: xong trong {total:.1f} s (run {run_id[:8]})")
    print(f"  Tệp của kỳ: {figures['ingested']} đã nhận, {figures['rejected']} bị từ chối — hộp thư {args.inbox}")
    print(
        f"  Số liệu: {figures['indicator_rows']} dòng chỉ tiêu; phát hiện: "
        + (", ".join(f"{n} {label.lower()}" for label, n in figures["by_severity"]) or "không có")
    )
    history = figures["history"]
    if history:
        print(
            "  Lịch sử phát hiện: "
            + (
                f"{history['new']} mới, {history['seen_again']} còn lại, {history['closed']} đã khắc phục"
                if history["run"] == run_id
                # dbt's results were reused (inputs unchanged): this build found what that one did
                else f"không đổi từ lần lập {history['run'][:8]} (đầu vào không đổi)"
            )
        )
    office = _office_lines(args, period, codes)
    if office:
        print("  Nhận định của Phòng: " + office[0])
        for line in office[1:]:
            print(f"    {line}")
    print(f"  Kết quả: {out_dir}")
    for name in sorted(p.name for p in out_dir.iterdir()):
        print(f"    - {name}")
    print(
        f"  Thời gian: nạp định nghĩa {t_load:.1f} s; "
        + "; ".join(f"{k} {v:.1f} s" for k, v in sorted(steps.items(), key=lambda kv: -kv[1]))
    )


def template(args) -> int:
    """Blank templates of PERIOD for every reporting unit of the register (plain Python, no Dagster)."""
    import catalog
    from ingestion.register import RegisterError
    from reports.blank_templates import write_templates

    period = periods.validate(args.period)
    _check_register(args.register)
    try:
        summary = write_templates(
            args.register, period, args.out, progress=progress.reporter("Đang tạo {done}/{total} biểu mẫu")
        )
    except RegisterError as exc:
        raise CliError(str(exc)) from exc
    except OSError as exc:
        raise CliError(f"không ghi được biểu mẫu vào {args.out}: {exc}") from exc
    levels = {level: words[0] for level, words in catalog.workbook()["levels"].items()}
    print(f"antq template {period}: {len(summary.files)} biểu mẫu trong {summary.folder}")
    print("  " + ", ".join(f"cấp {levels.get(level, level)}: {n}" for level, n in summary.by_level.items()))
    print(f"  Danh sách: {summary.index}")
    return 0


def sign_off(args) -> int:
    """`antq approve` / `antq reopen`: one event appended to OUT/.approvals/PERIOD.jsonl (reports.approvals),
    then shown in the Dagster UI of the warehouse as an observation of the period's release."""
    from reports import approvals

    period = periods.validate(args.period)
    out = args.out.resolve()
    try:
        if args.command == "approve":
            event = approvals.approve(out, period, args.by)
        else:
            event = approvals.reopen(out, period, args.by, args.reason)
    except approvals.ApprovalError as exc:
        raise CliError(str(exc)) from exc
    print(f"antq {args.command} {period}: đã {approvals.describe(event)}")
    print(f"  manifest.json SHA-256 {event['manifest_sha256']}")
    print(f"  Nhật ký phê duyệt: {approvals.log_path(out, period)}")
    if args.command == "approve":
        print("  Các lần antq build sau vẫn cập nhật kho dữ liệu nhưng không thay bộ tệp đang công bố.")
    try:
        _observe_sign_off(args.warehouse, period, approvals.history(out, period))
    except Exception as exc:  # noqa: BLE001 - the log is the record; the UI's copy is a convenience
        print(
            f"antq: đã ghi nhật ký nhưng không ghi được vào giao diện Dagster ({type(exc).__name__})", file=sys.stderr
        )
    return 0


def _observe_sign_off(warehouse: Path, period: str, events: list[dict]) -> None:
    """The period's partition of `period_release` in the warehouse's Dagster instance gets the new state
    (an observation: nothing was materialised)."""
    from reports import approvals

    if not warehouse.resolve().exists() and "DAGSTER_HOME" not in os.environ:
        return  # no build ever ran on this warehouse: no UI to tell
    home = instance_home(warehouse.resolve())
    import dagster as dg

    with dg.DagsterInstance.from_config(str(home)) as instance:
        instance.report_runless_asset_event(
            dg.AssetObservation(
                asset_key=dg.AssetKey("period_release"),
                partition=period,
                description=approvals.state_text(events),
                metadata={**approvals.metadata(events), "approvals": dg.MetadataValue.md(approvals.markdown(events))},
            )
        )


def register(args) -> int:
    """A register folder of one province from the maintained lists (registers/; no Dagster)."""
    from registers.folder import report_lines, write_register
    from registers.sources import RegisterBuildError

    try:
        written = write_register(args.province, args.structure, args.out, force=args.force)
    except RegisterBuildError as exc:
        raise CliError(str(exc)) from exc
    except OSError as exc:
        raise CliError(f"không ghi được danh mục vào {args.out}: {exc}") from exc
    print("\n".join(report_lines(written)))
    return 0


def main(argv: list[str] | None = None) -> int:
    from orchestration.arguments import apply_demo

    args = apply_demo(_parser().parse_args(argv))
    try:
        if args.command == "build":
            return build(args)
        if args.command == "template":
            return template(args)
        if args.command in ("approve", "reopen"):
            return sign_off(args)
        if args.command == "register":
            return register(args)
    except (CliError, periods.PeriodError) as exc:
        print(f"antq: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("antq: đã dừng theo yêu cầu", file=sys.stderr)
        return 130
    except BrokenPipeError:  # the summary was piped into a reader that left (`| head`): nothing to say
        sys.stdout = open(os.devnull, "w")
        return 0
    except Exception as exc:  # noqa: BLE001 - contract section 7: one line, never a traceback
        first = (str(exc).strip().splitlines() or [""])[0]
        print(f"antq: lỗi không lường trước ({type(exc).__name__}: {first}); chạy lại với --verbose", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
