"""The half-yearly build: on a day after the submission deadline, in January and July, build the
half-year that has just closed (January: the previous year's H2; July: this year's H1).

When it runs is set by environment variables read when the definitions are built, by
`half_yearly_build()`, never at import (docs/operations.md): ANTQ_SCHEDULE_DAY (day of the month;
default the day after the submission deadline: ANTQ_SUBMISSION_DEADLINE_DAY, else catalog/settings.csv,
as dbt's mart_submissions reads it)
and ANTQ_SCHEDULE_HOUR (default 6), in the province's time zone (periods.LOCAL_TIMEZONE).
"""

import os

import dagster as dg

import catalog
from catalog import periods

BUILD_JOB = "build_period"
DEFAULT_HOUR = 6
MONTHS = "1,7"  # the months after each half-year closes


def _setting(name: str, default: int, low: int, high: int) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    if not raw.isdigit() or not low <= int(raw) <= high:
        raise ValueError(f"{name}={raw!r}: phải là số nguyên từ {low} đến {high}")
    return int(raw)


def deadline_day() -> int:
    """The submission deadline day, as dbt's mart_submissions reads it (catalog.submission_deadline_day)."""
    return catalog.submission_deadline_day()


def _build_tick(context: dg.ScheduleEvaluationContext) -> dg.RunRequest:
    day = periods.local_day(context.scheduled_execution_time)
    period = periods.last_closed(day)
    return dg.RunRequest(
        run_key=f"schedule:{period}:{day.isoformat()}",  # one run per tick, even if the tick is retried
        partition_key=period,
        tags={"antq/period": period, "antq/source": "schedule"},
    )


def half_yearly_build() -> dg.ScheduleDefinition:
    """The schedule, as the environment sets it when the definitions are built (not at import)."""
    day = _setting("ANTQ_SCHEDULE_DAY", min(deadline_day() + 1, 31), 1, 31)
    hour = _setting("ANTQ_SCHEDULE_HOUR", DEFAULT_HOUR, 0, 23)
    return dg.ScheduleDefinition(
        name="half_yearly_build",
        cron_schedule=f"0 {hour} {day} {MONTHS} *",
        execution_timezone=periods.LOCAL_TIMEZONE.key,
        job_name=BUILD_JOB,
        default_status=dg.DefaultScheduleStatus.RUNNING,
        description=(
            f"Ngày {day} tháng 1 và tháng 7, {hour:02d}:00 (giờ Việt Nam): lập số liệu của kỳ 6 tháng vừa kết thúc"
        ),
        execution_fn=_build_tick,
    )
