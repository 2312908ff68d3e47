"""Test-wide setup: Dagster runs go to a throwaway instance, never the project's dagster_home."""

from __future__ import annotations

import os
import shutil

import pytest


@pytest.hookimpl(tryfirst=True)  # before xdist's own hook, which reads the groups into the test ids
def pytest_collection_modifyitems(config, items):
    """Under `pytest -n 2 --dist loadgroup` (make test): each module whose fixtures are built once per
    module (most of them whole builds) runs on one worker, so they are built once, not once per worker.
    The session's demo build is made once per worker: grouping all its users would put most of the
    suite on one worker."""
    by_module: dict[str, list] = {}
    for item in items:
        by_module.setdefault(item.module.__name__, []).append(item)
    for module, module_items in by_module.items():
        defs = [d for item in module_items for ds in item._fixtureinfo.name2fixturedefs.values() for d in ds]
        if any(d.scope == "module" for d in defs):
            for item in module_items:
                item.add_marker(pytest.mark.xdist_group(module))


@pytest.fixture(autouse=True, scope="session")
def _dagster_home(tmp_path_factory):
    home = tmp_path_factory.mktemp("dagster_home")
    (home / "dagster.yaml").write_text("telemetry:\n  enabled: false\n", encoding="utf-8")
    previous = os.environ.get("DAGSTER_HOME")
    os.environ["DAGSTER_HOME"] = str(home)
    yield home
    if previous is None:
        os.environ.pop("DAGSTER_HOME", None)
    else:
        os.environ["DAGSTER_HOME"] = previous


# Ingestion tests write their workbooks cell by cell with openpyxl, odd layouts on purpose.
_COMMUNE_COVER = {
    "Cấp báo cáo": "Xã",
    "Mã đơn vị": "22915",
    "Tên đơn vị": "Phường Mũi Né",
    "Kỳ báo cáo": "2021-H1",
    "Ngày lập": "02/07/2021",
    "BCĐ xã ban hành kế hoạch": "Có",
    "Xã đăng ký An toàn về ANTT": "Có",
}
_VILLAGE_HEADER = [
    "Mã thôn",
    "Tên thôn, khu phố",
    "Ban hành kế hoạch",
    "Đăng ký An toàn về ANTT",
    "Tổng số hộ",
    "Số hộ đăng ký",
]


@pytest.fixture
def write_xlsx():
    """write_xlsx(path, {sheet name: [row, ...]}) -> path; a row is a list of cell values, None blank."""
    import openpyxl

    def write(path, sheets: dict) -> object:
        wb = openpyxl.Workbook()
        wb.remove(wb.active)
        for name, rows in sheets.items():
            ws = wb.create_sheet(name)
            for row in rows:
                ws.append(list(row))
        path.parent.mkdir(parents=True, exist_ok=True)
        wb.save(path)
        return path

    return write


@pytest.fixture
def commune_sheets():
    """commune_sheets(cover overrides, village rows, extra sheets) -> sheets for write_xlsx: a commune
    workbook (cover labels in column A, values in B; None drops a label) with its villages sheet."""

    def sheets(cover: dict | None = None, villages: list | None = None, extra: dict | None = None) -> dict:
        fields = {**_COMMUNE_COVER, **(cover or {})}
        rows = [[label, value] for label, value in fields.items() if value is not None]
        if villages is None:
            villages = [["22915001", "Khu phố 1", "Có", "Có", 500, 450]]
        return {"Thông tin chung": rows, "Thôn, khu phố": [_VILLAGE_HEADER, *villages], **(extra or {})}

    return sheets


@pytest.fixture(scope="session")
def demo_build(tmp_path_factory, _dagster_home):
    """The bundled demo built once per test session: 2020-H2 then 2021-H1 into one warehouse, as a
    data engineer would. Under xdist the workers share it (the first to need it builds it, the other
    waits): a demo build is the costliest fixture of the suite. Nobody writes to it: tests that change it
    take a copy (build_helpers.copy_build)."""
    from build_helpers import build
    from filelock import FileLock

    from demo.generate import generate_inbox
    from orchestration.defaults import DEMO_OFFICE_TEXT, DEMO_REGISTER

    root = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        root = root.parent  # the session's folder, above each worker's own
    tmp = root / "demo_build"
    inbox, out, warehouse = tmp / "inbox", tmp / "out", tmp / "warehouse.duckdb"
    done = tmp / "built"
    with FileLock(str(root / "demo_build.lock")):
        if not done.exists():
            shutil.rmtree(tmp, ignore_errors=True)
            tmp.mkdir()
            generate_inbox(DEMO_REGISTER, inbox)
            # the office's words beside the inbox, as in demo/ (reports.office_text): the report is the seed's
            shutil.copytree(DEMO_OFFICE_TEXT, tmp / "nhan_dinh")
            for period in ("2020-H2", "2021-H1"):
                build(tmp, period, inbox, DEMO_REGISTER, out, warehouse)
            done.touch()
    return {"tmp": tmp, "inbox": inbox, "out": out, "warehouse": warehouse}
