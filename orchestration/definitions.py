"""The one Definitions object of antq: `dagster dev -m orchestration.definitions`."""

from __future__ import annotations

import os

import dagster as dg

from orchestration.assets import ingestion, publication, quality, report, warehouse
from orchestration.dbt import DbtBuild
from orchestration.defaults import DEFAULT_OUT, DEFAULT_WAREHOUSE, DEMO_INBOX, DEMO_REGISTER
from orchestration.resources import AntqPaths, Warehouse
from orchestration.schedules import BUILD_JOB, half_yearly_build
from orchestration.sensors import inbox_sensor
from reports.faults import kill_point

ASSET_MODULES = [ingestion, warehouse, publication, report, quality]


@dg.success_hook(name="fault_point")
def fault_point(context: dg.HookContext) -> None:
    """A stage boundary for the fault-injection tests: ANTQ_KILL_AT=after:<step key> kills the run here."""
    kill_point(f"after:{context.step_key}")


build_job = dg.define_asset_job(
    BUILD_JOB,
    selection=dg.AssetSelection.all(),
    description="Lập toàn bộ số liệu, kiểm tra và báo cáo của một kỳ 6 tháng",
    # One process for the whole run, whoever launches it (UI, schedule, sensor, antq build): the warehouse
    # has one writer at a time anyway, and a process per step would load the definitions 15 times.
    executor_def=dg.in_process_executor,
    hooks={fault_point},
)


def resources(inbox=None, register=None, out=None, warehouse_path=None, office_text=None, reviews=None) -> dict:
    """Resources from arguments, else ANTQ_* environment variables, else the bundled demo (the office's
    words: `nhan_dinh` beside the inbox)."""
    env = os.environ.get
    return {
        "paths": AntqPaths(
            inbox_dir=str(inbox or env("ANTQ_INBOX", DEMO_INBOX)),
            register_dir=str(register or env("ANTQ_REGISTER", DEMO_REGISTER)),
            out_dir=str(out or env("ANTQ_OUT", DEFAULT_OUT)),
            office_text_dir=str(office_text or env("ANTQ_OFFICE_TEXT", "")),
            reviews_dir=str(reviews or env("ANTQ_REVIEWS", "")),
        ),
        "warehouse": Warehouse(path=str(warehouse_path or env("ANTQ_WAREHOUSE", DEFAULT_WAREHOUSE))),
        "dbt": DbtBuild(),
    }


def build_definitions(**paths) -> dg.Definitions:
    return dg.Definitions(
        assets=dg.load_assets_from_modules(ASSET_MODULES),
        asset_checks=dg.load_asset_checks_from_modules(ASSET_MODULES),
        jobs=[build_job],
        schedules=[half_yearly_build()],
        sensors=[inbox_sensor],
        resources=resources(**paths),
    )


defs = build_definitions()
