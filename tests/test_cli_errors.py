"""Contract section 7: a build that cannot run exits non-zero with a one-line reason."""

from __future__ import annotations

import subprocess
import sys

import pytest

ANTQ = [sys.executable, "-m", "orchestration.cli"]


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([*ANTQ, *args], capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("period", ["2021-H3", "2021H1", "H1-2021", "1999-H1", "2999-H2"])
def test_bad_period(period, tmp_path):
    r = run("build", period, "--out", str(tmp_path / "out"), "--warehouse", str(tmp_path / "w.duckdb"))
    assert r.returncode == 2
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("antq: ") and "kỳ báo cáo" in lines[0]
    assert not (tmp_path / "w.duckdb").exists()


def test_missing_inbox(tmp_path):
    r = run("build", "2021-H1", "--inbox", str(tmp_path / "nowhere"), "--out", str(tmp_path / "out"))
    assert r.returncode == 2
    assert r.stderr.strip().splitlines() == [f"antq: không tìm thấy thư mục hộp thư: {tmp_path / 'nowhere'}"]


def test_register_without_files(tmp_path):
    (tmp_path / "inbox").mkdir()
    (tmp_path / "register").mkdir()
    r = run(
        "build",
        "2021-H1",
        "--inbox",
        str(tmp_path / "inbox"),
        "--register",
        str(tmp_path / "register"),
        "--out",
        str(tmp_path / "out"),
    )
    assert r.returncode == 2
    assert len(r.stderr.strip().splitlines()) == 1 and "org_units.csv" in r.stderr


def test_warehouse_is_a_folder(tmp_path):
    (tmp_path / "inbox").mkdir()
    r = run("build", "2021-H1", "--inbox", str(tmp_path / "inbox"), "--warehouse", str(tmp_path))
    assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1


def test_invalid_register_is_one_line_before_any_run(tmp_path):
    from orchestration.defaults import DEMO_REGISTER

    register = tmp_path / "register"
    register.mkdir()
    (register / "agencies.csv").write_bytes((DEMO_REGISTER / "agencies.csv").read_bytes())
    lines = (DEMO_REGISTER / "org_units.csv").read_text(encoding="utf-8").splitlines()
    lines[2] = lines[2].replace(",district,", ",huyen,")
    (register / "org_units.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (tmp_path / "inbox").mkdir()
    r = run(
        "build",
        "2021-H1",
        "--inbox",
        str(tmp_path / "inbox"),
        "--register",
        str(register),
        "--out",
        str(tmp_path / "out"),
        "--warehouse",
        str(tmp_path / "w.duckdb"),
    )
    assert r.returncode == 2
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and "danh mục không hợp lệ" in lines[0] and "huyen" in lines[0]
    assert not (tmp_path / "w.duckdb").exists()
