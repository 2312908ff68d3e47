"""Two `antq build` processes on one warehouse and one Dagster instance, a warehouse held by a program
outside antq, and the progress counter on a terminal: real processes, real locks."""

from __future__ import annotations

import os
import pty
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import dagster as dg
import duckdb
import pytest
from filelock import FileLock, Timeout

from orchestration.defaults import DEMO_INBOX, DEMO_REGISTER, REPO

ANTQ = str(Path(sys.executable).parent / "antq")
BUILD_TIMEOUT_S = 900  # a bound against hanging, not a speed target


def _antq(*args, env=None, **kwargs) -> subprocess.Popen:
    return subprocess.Popen([ANTQ, *args], cwd=REPO, env={**os.environ, **(env or {})}, **kwargs)


def _drain(fd: int, sink: list[bytes]) -> threading.Thread:
    def read():
        while True:
            try:
                chunk = os.read(fd, 4096)
            except OSError:  # the terminal closed with the process
                return
            if not chunk:
                return
            sink.append(chunk)

    thread = threading.Thread(target=read, daemon=True)
    thread.start()
    return thread


def _wait_until_holding(proc: subprocess.Popen, lock_path: Path) -> None:
    """Return once `proc` holds the lock (a probe that gets it gives it back at once)."""
    probe = FileLock(str(lock_path))
    while proc.poll() is None:
        try:
            probe.acquire(timeout=0)
        except Timeout:
            return
        probe.release()
        threading.Event().wait(0.2)
    raise AssertionError(f"antq build ended before taking {lock_path.name}: {proc.returncode}")


@pytest.fixture(scope="module")
def two_builds(tmp_path_factory):
    """2021-H1 (on a terminal) and 2020-H2 started together on one warehouse and one instance."""
    if not DEMO_INBOX.exists():
        from demo.generate import generate_inbox

        generate_inbox(DEMO_REGISTER, DEMO_INBOX)
    tmp = tmp_path_factory.mktemp("concurrent")
    home = tmp / "dagster_home"
    home.mkdir()
    shutil.copyfile(REPO / "dagster_home" / "dagster.yaml", home / "dagster.yaml")  # pools, run limits
    warehouse = tmp / "warehouse.duckdb"
    common = [
        "--inbox",
        str(DEMO_INBOX),
        "--register",
        str(DEMO_REGISTER),
        "--out",
        str(tmp / "out"),
        "--warehouse",
        str(warehouse),
    ]
    env = {"DAGSTER_HOME": str(home)}

    master, terminal = pty.openpty()
    first_err: list[bytes] = []
    reader = _drain(master, first_err)
    first = _antq("build", "2021-H1", *common, env=env, stdout=subprocess.PIPE, stderr=terminal)
    os.close(terminal)
    # the terminal build takes the warehouse first, so it is the one that reads every workbook
    _wait_until_holding(first, Path(f"{warehouse}.build.lock"))
    second = _antq("build", "2020-H2", *common, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        second_out, second_err = second.communicate(timeout=BUILD_TIMEOUT_S)
        first_out, _ = first.communicate(timeout=BUILD_TIMEOUT_S)
    finally:
        for proc in (first, second):
            if proc.poll() is None:
                proc.kill()
    reader.join(timeout=30)
    os.close(master)
    return {
        "tmp": tmp,
        "home": home,
        "warehouse": warehouse,
        "out": tmp / "out",
        "first": (first.returncode, first_out.decode(), b"".join(first_err).decode("utf-8", "replace")),
        "second": (second.returncode, second_out.decode(), second_err.decode()),
    }


def test_two_builds_started_together_both_finish(two_builds):
    for name in ("first", "second"):
        code, out, err = two_builds[name]
        assert code == 0, f"{name}: {err[-2000:]}"
        assert "xong trong" in out


def test_builds_on_one_warehouse_run_one_after_the_other_in_one_instance(two_builds):
    with dg.DagsterInstance.from_config(str(two_builds["home"])) as instance:
        runs = {r.dagster_run.tags["antq/period"]: r for r in instance.get_run_records()}
    assert set(runs) == {"2021-H1", "2020-H2"}
    assert all(r.dagster_run.status == dg.DagsterRunStatus.SUCCESS for r in runs.values())
    # the second build waited for the whole first build, not only for its steps
    assert runs["2020-H2"].start_time >= runs["2021-H1"].end_time


def test_the_run_log_gets_the_ingestion_progress_by_tenths(two_builds):
    with dg.DagsterInstance.from_config(str(two_builds["home"])) as instance:
        (first,) = [r for r in instance.get_runs() if r.tags["antq/period"] == "2021-H1"]
        lines = [e.user_message for e in instance.all_logs(first.run_id) if "Đang đọc" in (e.user_message or "")]
    files = sum(1 for path in DEMO_INBOX.rglob("*") if path.is_file())
    assert 2 <= len(lines) <= 11 and lines[-1] == f"Đang đọc {files}/{files} tệp"


def test_each_period_equals_what_sequential_builds_write(two_builds, demo_build):
    # demo_build (conftest): the same demo inbox built 2020-H2 then 2021-H1, one after the other
    for period in ("2020-H2", "2021-H1"):
        for name in ("indicators.csv", "dq_findings.csv"):
            got = (two_builds["out"] / period / name).read_text(encoding="utf-8")
            assert got == (demo_build["out"] / period / name).read_text(encoding="utf-8"), f"{period}/{name}"


def test_the_warehouse_opens_cleanly_after_both_builds(two_builds):
    con = duckdb.connect(str(two_builds["warehouse"]))
    try:
        periods = con.execute("select period, count(*) from main.mart_indicators group by 1 order by 1").fetchall()
    finally:
        con.close()
    assert [p for p, n in periods] == ["2020-H2", "2021-H1"] and all(n > 0 for _, n in periods)


def test_a_terminal_sees_the_ingestion_counter_and_a_pipe_does_not(two_builds):
    _, _, terminal = two_builds["first"]
    terminal = terminal.replace("\r\n", "\n")  # the terminal's own line ends
    files = sum(1 for path in DEMO_INBOX.rglob("*") if path.is_file())
    assert f"\rĐang đọc {files}/{files} tệp\n" in terminal
    _, _, piped = two_builds["second"]
    assert "Đang đọc" not in piped


def _held_warehouse(tmp_path) -> Path:
    path = tmp_path / "warehouse.duckdb"
    duckdb.connect(str(path)).close()
    return path


def test_a_warehouse_held_outside_antq_fails_at_once_with_one_line(tmp_path):
    path = _held_warehouse(tmp_path)
    holder = duckdb.connect(str(path))  # a notebook or the duckdb shell keeps it open
    try:
        proc = _antq(
            "build",
            "2021-H1",
            "--inbox",
            str(DEMO_INBOX),
            "--out",
            str(tmp_path / "out"),
            "--warehouse",
            str(path),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={"DAGSTER_HOME": str(tmp_path)},
        )
        out, err = proc.communicate(timeout=120)  # the default --wait is 600 s: this must not wait
    finally:
        holder.close()
    assert proc.returncode == 2 and out == ""
    assert err.count("\n") == 1 and err.startswith("antq: ")
    assert f"PID {os.getpid()}" in err


def test_another_antq_build_is_waited_for_up_to_wait_seconds(tmp_path):
    path = _held_warehouse(tmp_path)
    with FileLock(f"{path}.build.lock"):  # as a running `antq build` holds it
        proc = _antq(
            "build",
            "2021-H1",
            "--inbox",
            str(DEMO_INBOX),
            "--out",
            str(tmp_path / "out"),
            "--warehouse",
            str(path),
            "--wait",
            "1",
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={"DAGSTER_HOME": str(tmp_path)},
        )
        out, err = proc.communicate(timeout=120)
    assert proc.returncode == 2 and out == ""
    assert err.count("\n") == 1 and "antq build khác" in err and "đã chờ 1 s" in err


def test_a_killed_build_does_not_block_the_next_one(tmp_path):
    """kill -9 leaves the run "started" and its pool slot claimed; the next build of the same warehouse
    (which holds the build lock, so the other is dead) fails that run and frees the slot."""
    from orchestration import cli

    def run_of(warehouse: Path, status) -> str:
        run = dg.DagsterRun(
            job_name="build_period", status=status, tags={"antq/source": "cli", cli.WAREHOUSE_TAG: str(warehouse)}
        )
        instance.add_run(run)
        return run.run_id

    with dg.instance_for_test() as instance:
        slots = instance.event_log_storage
        slots.set_concurrency_slots("warehouse", 1)
        ours, elsewhere = tmp_path / "a.duckdb", tmp_path / "b.duckdb"
        killed = run_of(ours, dg.DagsterRunStatus.STARTED)
        finished = run_of(ours, dg.DagsterRunStatus.SUCCESS)
        other = run_of(elsewhere, dg.DagsterRunStatus.STARTED)  # another warehouse's live build
        assert slots.claim_concurrency_slot("warehouse", killed, "warehouse_models").is_claimed

        assert cli._release_abandoned_runs(instance, ours) == [killed]
        assert instance.get_run_by_id(killed).status == dg.DagsterRunStatus.FAILURE
        assert instance.get_run_by_id(finished).status == dg.DagsterRunStatus.SUCCESS
        assert instance.get_run_by_id(other).status == dg.DagsterRunStatus.STARTED
        assert slots.get_concurrency_info("warehouse").active_slot_count == 0
        assert slots.claim_concurrency_slot("warehouse", "next-run", "register").is_claimed
