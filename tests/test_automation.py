"""The half-yearly schedule and the inbox sensor, evaluated with Dagster's own test contexts against the
project's definitions (so partition keys and the job are checked as the daemon checks them)."""

from __future__ import annotations

import datetime as dt
import json

import dagster as dg
import pytest
from build_helpers import submission

from catalog import periods
from orchestration import schedules
from orchestration.definitions import defs
from orchestration.resources import AntqPaths

UTC = dt.UTC


def _tick(when: dt.datetime):
    schedule = defs.resolve_schedule_def("half_yearly_build")
    context = dg.build_schedule_context(scheduled_execution_time=when, repository_def=defs.get_repository_def())
    return schedule.evaluate_tick(context).run_requests


def test_schedule_fires_after_the_deadline_in_january_and_july_vietnam_time():
    schedule = defs.resolve_schedule_def("half_yearly_build")
    assert schedule.execution_timezone == "Asia/Ho_Chi_Minh"
    assert schedule.cron_schedule == f"0 6 {schedules.deadline_day() + 1} 1,7 *"
    assert schedule.job_name == "build_period"


@pytest.mark.parametrize(
    ("when", "period", "local_day"),
    [
        (dt.datetime(2021, 7, 20, 23, 0, tzinfo=UTC), "2021-H1", "2021-07-21"),  # July: this year's H1
        (dt.datetime(2022, 1, 20, 23, 0, tzinfo=UTC), "2021-H2", "2022-01-21"),  # January: last year's H2
        # 23:30 UTC on the 20th is already the 21st at 06:30 in Vietnam: the run key carries the local day
        (dt.datetime(2021, 7, 20, 23, 30, tzinfo=UTC), "2021-H1", "2021-07-21"),
        # 18:00 UTC on 31 December is 1 January in Vietnam: the half-year that closed is H2, not H1
        (dt.datetime(2021, 12, 31, 18, 0, tzinfo=UTC), "2021-H2", "2022-01-01"),
    ],
)
def test_schedule_requests_the_half_year_that_just_closed(when, period, local_day):
    (request,) = _tick(when)
    assert request.partition_key == period
    assert request.run_key == f"schedule:{period}:{local_day}"
    assert request.tags["antq/source"] == "schedule"


def test_schedule_day_and_hour_come_from_the_environment(monkeypatch):
    # read when the definitions are built, not when the module is imported
    monkeypatch.setenv("ANTQ_SCHEDULE_DAY", "25")
    monkeypatch.setenv("ANTQ_SCHEDULE_HOUR", "7")
    assert schedules.half_yearly_build().cron_schedule == "0 7 25 1,7 *"
    monkeypatch.delenv("ANTQ_SCHEDULE_DAY")
    monkeypatch.setenv("ANTQ_SUBMISSION_DEADLINE_DAY", "10")  # follows the deadline by default
    assert schedules.half_yearly_build().cron_schedule == "0 7 11 1,7 *"
    monkeypatch.setenv("ANTQ_SCHEDULE_DAY", "32")
    with pytest.raises(ValueError, match="ANTQ_SCHEDULE_DAY"):
        schedules.half_yearly_build()


# -- the inbox sensor --------------------------------------------------------------------------------


@pytest.fixture
def evaluate(tmp_path):
    """evaluate(cursor) -> (run requests, new cursor, skip message) of the sensor on tmp_path/inbox."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    sensor = defs.resolve_sensor_def("inbox_sensor")

    def run(cursor):
        with dg.instance_for_test() as instance:
            context = dg.build_sensor_context(
                cursor=cursor,
                instance=instance,
                resources={"paths": AntqPaths(inbox_dir=str(inbox))},
                repository_def=defs.get_repository_def(),
            )
            data = sensor.evaluate_tick(context)
        return data.run_requests, data.cursor, data.skip_message

    run.inbox = inbox
    return run


def _commune(inbox, name, period, version=1):
    return submission(inbox, name, "commune", "22915", "Phường Mũi Né", period, version=version)


def test_sensor_needs_no_warehouse():
    assert defs.resolve_sensor_def("inbox_sensor").required_resource_keys == {"paths"}


def test_sensor_requests_a_run_per_change_of_the_period_on_the_cover(evaluate):
    inbox = evaluate.inbox
    _commune(inbox, "a/xa_mui_ne.xlsx", "2021-H1")
    (first,), cursor, _ = evaluate(None)
    assert first.partition_key == "2021-H1" and first.tags["antq/source"] == "sensor"
    assert set(json.loads(cursor)) == {"a/xa_mui_ne.xlsx"}
    assert evaluate(None)[0][0].run_key == first.run_key  # re-evaluation: the same run key

    requests, cursor_again, skipped = evaluate(cursor)  # unchanged inbox: nothing
    assert requests == [] and skipped and cursor_again == cursor

    _commune(inbox, "a/xa_mui_ne.xlsx", "2021-H1", version=2)  # the same file, changed
    (changed,), cursor, _ = evaluate(cursor)
    assert changed.partition_key == "2021-H1" and changed.run_key != first.run_key

    _commune(inbox, "b/cu.xlsx", "6 tháng cuối năm 2020")  # two new files, two periods
    _commune(inbox, "b/moi.xlsx", "2021-H1")
    requests, cursor, _ = evaluate(cursor)
    assert sorted((r.partition_key, r.tags["antq/files"]) for r in requests) == [("2020-H2", "1"), ("2021-H1", "1")]

    (inbox / "b" / "cu.xlsx").unlink()  # a file gone requests nothing
    requests, cursor, _ = evaluate(cursor)
    assert requests == [] and "b/cu.xlsx" not in json.loads(cursor)


def test_sensor_never_drops_a_file_without_a_readable_cover(evaluate):
    inbox = evaluate.inbox
    (inbox / "hong.xlsx").write_bytes(b"not a workbook")
    (inbox / "~$dang_mo.xlsx").write_bytes(b"Excel's lock file")  # not a submission: ignored
    (alone,), cursor, _ = evaluate(None)
    # alone, it asks for the half-year whose reports are being collected, whose build reports it
    assert alone.partition_key == periods.last_closed(periods.local_day())
    assert alone.partition_key in defs.resolve_job_def("build_period").partitions_def.get_partition_keys()
    assert set(json.loads(cursor)) == {"hong.xlsx"}
    assert evaluate(cursor)[0] == []

    (inbox / "hong.xlsx").write_bytes(b"still not a workbook")  # with a readable file: its period's run
    _commune(inbox, "xa.xlsx", "2021-H1")
    (request,), _, _ = evaluate(cursor)
    assert request.partition_key == "2021-H1"
