"""Test-wide setup: Dagster runs go to a throwaway instance, never the project's dagster_home.

`make test` runs `pytest -n 2 --dist loadfile`: each test module runs whole on one worker, so a module's
fixtures (most of them whole builds) are built once, not once per worker. (`--dist loadgroup` with marks
per module did not group anything under pytest 9, whose test ids no longer take xdist's group suffix.)"""

from __future__ import annotations

import os
from pathlib import Path

import pytest


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


def _session_root(config) -> Path:
    """The session's temporary folder, shared by the xdist workers (each has its own folder below it)."""
    root = config._tmp_path_factory.getbasetemp()
    return root.parent if os.environ.get("PYTEST_XDIST_WORKER") else root


@pytest.fixture(scope="session")
def demo_build(pytestconfig, _dagster_home):
    """The bundled demo built once per test session: 2020-H2 then 2021-H1 into one warehouse, as a
    data engineer would (build_helpers.shared_demo_build). Under xdist the workers share it: the first to
    need it builds it, the other waits for it. Nobody writes to it: tests that change it take a copy
    (build_helpers.copy_build)."""
    from build_helpers import shared_demo_build

    return shared_demo_build(_session_root(pytestconfig))
