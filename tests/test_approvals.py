"""Sign-off of a period (reports/approvals.py, `antq approve`, `antq reopen`).

One scenario through the real CLI (its entry, in this process) on the small province of the fault tests
(three builds): publish,
approve, a build with changed workbooks refused (exit 2, one line naming the approval, the published set
unchanged, the warehouse updated, no build folder left behind), reopen, a build publishing the new
release whose manifest lists the approval and the reopening. The rules of the log on hand-made folders."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import subprocess
from pathlib import Path

import duckdb
import pytest
from build_helpers import run_cli, write_register
from test_faults import AGENCIES, ORG_UNITS, P, _inbox, published_set

from reports import approvals, auditors, release

APPROVER, REOPENER = "Nguyễn Văn Phê", "Trần Thị Mở"


def _sign(command: str, out: Path, warehouse: Path, *extra: str) -> subprocess.CompletedProcess:
    return run_cli(command, P, "--out", out, "--warehouse", warehouse, *extra)


def _build(tmp: Path, inbox: Path, out: Path, warehouse: Path) -> subprocess.CompletedProcess:
    return run_cli("build", P, "--inbox", inbox, "--register", tmp / "register", "--out", out, "--warehouse", warehouse)


def _refused(proc: subprocess.CompletedProcess, *words: str) -> str:
    """Exit 2 and one line on stderr holding `words`, no traceback."""
    assert proc.returncode == 2, (proc.returncode, proc.stdout, proc.stderr)
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("antq: "), proc.stderr
    for word in words:
        assert word in lines[0], (word, lines[0])
    return lines[0]


def _figure(warehouse: Path, indicator: str) -> int:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return con.execute(
            "select total from main.mart_indicators where period = ? and indicator = ? and org_unit_level = 'province'",
            [P, indicator],
        ).fetchone()[0]
    finally:
        con.close()


def _release_observations(period: str) -> list[dict]:
    """Metadata of the observations of `period_release` the sign-off commands left in the tests' instance."""
    import dagster as dg

    with dg.DagsterInstance.get() as instance:
        records = instance.fetch_observations(dg.AssetKey("period_release"), limit=20).records
        return [
            {k: v.value for k, v in r.asset_observation.metadata.items()}
            for r in records
            if r.asset_observation.partition == period
        ]


def _last_release_metadata(period: str) -> dict:
    import dagster as dg

    with dg.DagsterInstance.get() as instance:
        records = instance.fetch_materializations(dg.AssetKey("period_release"), limit=1).records
        assert records and records[0].asset_materialization.partition == period
        return {k: v.value for k, v in records[0].asset_materialization.metadata.items()}


def test_approve_refuse_reopen_publish(tmp_path):
    write_register(tmp_path / "register", ORG_UNITS, AGENCIES)
    inbox, out, warehouse = _inbox(tmp_path / "inbox", households=100), tmp_path / "out", tmp_path / "w.duckdb"
    _refused(_sign("approve", out, warehouse, "--by", APPROVER), "chưa có bộ tệp công bố")

    assert _build(tmp_path, inbox, out, warehouse).returncode == 0
    first = published_set(out)
    assert first["release"] == 1
    _refused(_sign("reopen", out, warehouse, "--by", REOPENER, "--reason", "thử"), "chưa được phê duyệt")
    assert not approvals.log_path(out, P).exists()

    proc = _sign("approve", out, warehouse, "--by", APPROVER)
    assert proc.returncode == 0, proc.stderr
    manifest_sha = hashlib.sha256((out / P / "manifest.json").read_bytes()).hexdigest()
    assert APPROVER in proc.stdout and "lần phát hành số 1" in proc.stdout and manifest_sha in proc.stdout
    log_after_approval = approvals.log_path(out, P).read_bytes()
    _refused(_sign("approve", out, warehouse, "--by", REOPENER), "đã được phê duyệt", APPROVER, "antq reopen")
    assert approvals.log_path(out, P).read_bytes() == log_after_approval  # a refusal writes nothing
    observed = _release_observations(P)
    assert observed and observed[0]["approval_state"] == "đã phê duyệt" and observed[0]["approval_by"] == APPROVER

    # changed workbooks: the warehouse takes them, the approved published set stays as it was
    households_before = _figure(warehouse, "safe_registered.households")
    folders_before = sorted(p.name for p in (out / ".builds" / P).iterdir())
    _inbox(inbox, households=120)
    line = _refused(_build(tmp_path, inbox, out, warehouse), APPROVER, "lần phát hành số 1", "antq reopen")
    assert "nhật ký" not in line  # a refusal, not a fault: no log to read
    assert published_set(out) == first
    assert _figure(warehouse, "safe_registered.households") == households_before + 20  # the total of households
    assert sorted(p.name for p in (out / ".builds" / P).iterdir()) == folders_before  # its folder was removed

    proc = _sign("reopen", out, warehouse, "--by", REOPENER, "--reason", "Xã Một A gửi lại số hộ")
    assert proc.returncode == 0, proc.stderr
    assert REOPENER in proc.stdout and "Xã Một A gửi lại số hộ" in proc.stdout
    assert _build(tmp_path, inbox, out, warehouse).returncode == 0
    second = published_set(out)
    assert second["release"] == 2 and second != first

    manifest = json.loads((out / P / "manifest.json").read_text(encoding="utf-8"))
    events = manifest["approvals"]
    assert [(e["action"], e["by"], e["release"]) for e in events] == [
        ("approve", APPROVER, 1),
        ("reopen", REOPENER, 1),
    ]
    assert events[0]["manifest_sha256"] == manifest_sha and events[1]["reason"] == "Xã Một A gửi lại số hộ"
    assert "Xã Một A gửi lại số hộ" in (out / P / "changes.md").read_text(encoding="utf-8")
    # the log only grew: the approval's bytes are still its first line
    log = approvals.log_path(out, P).read_bytes()
    assert log.startswith(log_after_approval) and len(log.splitlines()) == 2
    meta = _last_release_metadata(P)
    assert meta["approval_state"] == "đã mở lại" and meta["approval_by"] == REOPENER and meta["release"] == 2
    # the auditors' report carries the history (key `approvals`, rendered by the page)
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        report = auditors.collect(con, P, out / P, inbox)
    finally:
        con.close()
    assert report["approvals"] == events


# ------------------------------------------------------------------------------- the log's rules


def _published(out: Path, number: int) -> str:
    folder = out / P
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "manifest.json").write_text(json.dumps({"period": P, "release": number}), encoding="utf-8")
    return hashlib.sha256((folder / "manifest.json").read_bytes()).hexdigest()


def test_state_is_the_last_event_and_the_log_only_grows(tmp_path):
    out = tmp_path / "out"
    with pytest.raises(approvals.ApprovalError, match="chưa có bộ tệp công bố"):
        approvals.approve(out, P, APPROVER)
    sha = _published(out, 4)
    assert approvals.check_can_publish(out, P) == []
    at = dt.datetime(2021, 7, 20, 9, 5)
    first = approvals.approve(out, P, f"  {APPROVER}\n", now=at)
    assert first["by"] == APPROVER and first["release"] == 4 and first["manifest_sha256"] == sha
    assert first["at"].startswith("2021-07-20T09:05:00") and first["reason"] is None
    with pytest.raises(approvals.PeriodApproved, match=f"phê duyệt bởi {APPROVER} lúc 20/07/2021 09:05"):
        approvals.check_can_publish(out, P)
    with pytest.raises(approvals.ApprovalError, match="--reason"):
        approvals.reopen(out, P, REOPENER, " ")
    approvals.reopen(out, P, REOPENER, "sửa số liệu")
    assert approvals.check_can_publish(out, P)[-1]["action"] == "reopen"
    with pytest.raises(approvals.ApprovalError, match="không có gì để mở lại"):
        approvals.reopen(out, P, REOPENER, "lần nữa")
    _published(out, 5)
    approvals.approve(out, P, REOPENER)
    events = approvals.history(out, P)
    assert [(e["action"], e["release"]) for e in events] == [("approve", 4), ("reopen", 4), ("approve", 5)]
    assert approvals.metadata(events)["approval_release"] == 5
    assert approvals.state_text(events).startswith("đã phê duyệt")
    # the auditors' report reads the same history from the run's build folder
    stage = out / ".builds" / P / "run-1"
    assert approvals.for_report(stage, P)["approvals"] == events == approvals.for_report(out / P, P)["approvals"]


def test_cut_short_line_is_no_event_and_a_damaged_line_blocks(tmp_path):
    out = tmp_path / "out"
    _published(out, 1)
    approvals.approve(out, P, APPROVER)
    path = approvals.log_path(out, P)
    with open(path, "ab") as fh:  # the machine stopped in the middle of a reopening's write
        fh.write(b'{"action": "reopen", "by": "X", "at": "2021-')
    assert approvals.approved(approvals.history(out, P))["by"] == APPROVER  # still approved
    approvals.reopen(out, P, REOPENER, "tiếp tục")  # written on its own line after the cut one
    assert [e["action"] for e in approvals.history(out, P)] == ["approve", "reopen"]

    with open(path, "ab") as fh:  # a whole line that is not an event (edited by hand)
        fh.write(b'{"action": "unlock"}\n')
    with pytest.raises(approvals.ApprovalError, match="hỏng ở dòng 4"):
        approvals.check_can_publish(out, P)
    assert approvals.for_report(out, P) == {"approvals": []}  # the page still renders


def test_approvals_do_not_make_a_new_release(tmp_path):
    """The sign-off history is written into a new release's manifest, outside its fingerprint."""
    from test_report_release import INPUTS, _files

    register = tmp_path / "register"
    write_register(register, ORG_UNITS, AGENCIES)
    period_dir = tmp_path / "out" / P
    outputs = _files(period_dir, 100)
    first = release.publish(period_dir, P, inputs=INPUTS, register_dir=register, outputs=outputs)
    assert first.manifest["approvals"] == []
    event = {"action": "approve", "by": APPROVER, "at": "2021-07-20T09:05:00+07:00", "release": 1}
    event |= {"manifest_sha256": "a" * 64, "reason": None}
    reopen = {**event, "action": "reopen", "by": REOPENER, "reason": "sửa"}
    same = release.publish(period_dir, P, inputs=INPUTS, register_dir=register, outputs=outputs, approvals=[event])
    assert (same.number, same.is_new) == (1, False) and same.manifest["approvals"] == []
    outputs = _files(period_dir, 120)
    second = release.publish(
        period_dir, P, inputs=INPUTS, register_dir=register, outputs=outputs, approvals=[event, reopen]
    )
    assert (second.number, second.is_new) == (2, True) and second.manifest["approvals"] == [event, reopen]
    assert f"mở lại bởi {REOPENER}" in (period_dir / release.CHANGES_MD).read_text(encoding="utf-8")


@pytest.mark.parametrize(
    "argv, words",
    [
        (["approve", P], "thiếu tham số bắt buộc: --by"),
        (["reopen", P, "--by", REOPENER], "thiếu tham số bắt buộc: --reason"),
        (["approve", "--help"], "người phê duyệt"),
        (["reopen", "--help"], "lý do mở lại"),
    ],
)
def test_arguments_in_vietnamese(capsys, argv, words):
    from orchestration import cli

    with pytest.raises(SystemExit) as exc:
        cli.main(argv)
    text = capsys.readouterr()
    assert exc.value.code == (0 if "--help" in argv else 2)
    assert words in text.out + text.err and "cách dùng:" in text.out + text.err


def test_invalid_period_or_empty_name_is_one_line(tmp_path, capsys):
    from orchestration import cli

    out = ["--out", str(tmp_path / "out"), "--warehouse", str(tmp_path / "w.duckdb")]
    assert cli.main(["approve", "2021-H3", "--by", APPROVER, *out]) == 2
    assert cli.main(["approve", P, "--by", "  ", *out]) == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 2 and all(line.startswith("antq: ") for line in lines), lines
    assert "--by không được để trống" in lines[1]
    assert not (tmp_path / "out" / approvals.LOG_DIR / f"{P}.jsonl").exists()
    assert cli.main(["reopen", P, "--by", REOPENER, "--reason", "x", *out]) == 2
    assert cli.main(["approve", P, "--by", APPROVER, *out]) == 2
    assert not (tmp_path / "out").exists()  # a refusal creates nothing
