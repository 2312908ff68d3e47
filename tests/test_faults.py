"""Fault injection: real `antq build` processes killed with SIGKILL at each stage boundary and at the points
of publication, a full disk under --out, a damaged warehouse, two builds publishing into one folder.

After each fault the published set is the previous one or the new one, whole: every file its manifest lists
is there with that SHA-256. After the faults, a normal build gives the same bytes as a clean build of the
same inputs into a new warehouse. Run alone with `pytest -m faults`."""

from __future__ import annotations

import csv
import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from build_helpers import agency, run_cli, submission, village, write_register

from orchestration.defaults import REPO
from reports.faults import KILL_AT_ENV

pytestmark = pytest.mark.faults

ANTQ = str(Path(sys.executable).parent / "antq")
P = "2021-H1"
BUILD_TIMEOUT_S = 600  # a bound against hanging, not a speed target
ORG_UNITS = [
    ("99", "Tỉnh Thử Nghiệm", "province", ""),
    ("991", "Huyện Một", "district", "99"),
    ("99101", "Xã Một A", "commune", "991"),
    ("99102", "Xã Một B", "commune", "991"),
    ("99101001", "Thôn 1", "village", "99101"),
    ("99101002", "Thôn 2", "village", "99101"),
    ("99102001", "Thôn 3", "village", "99102"),
]
AGENCIES = [
    ("P1", "Sở Một", "co_quan", "province", ""),
    ("D1", "Trường Tiểu học Một", "nha_truong", "district", "991"),
]
# the files whose bytes depend only on the inputs (the Data Docs and the auditors' page carry run times)
DETERMINISTIC = ("indicators.csv", "dq_findings.csv", f"bao_cao_{P}.md", f"bao_cao_{P}.docx", f"bao_cao_{P}.xlsx")


def _inbox(folder: Path, households: int) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    submission(
        folder,
        "tinh.xlsx",
        "province",
        "99",
        "Tỉnh Thử Nghiệm",
        P,
        sheets={"agencies": [agency("P1", "Sở Một", "co_quan", True, True)]},
    )
    submission(
        folder,
        "h991.xlsx",
        "district",
        "991",
        "Huyện Một",
        P,
        district_steering_plan=True,
        sheets={"agencies": [agency("D1", "Trường Tiểu học Một", "nha_truong", True, False)]},
    )
    submission(
        folder,
        "x99101.xlsx",
        "commune",
        "99101",
        "Xã Một A",
        P,
        commune_steering_plan=True,
        commune_safe=True,
        sheets={
            "villages": [
                village("99101001", "Thôn 1", True, True, households, 90),
                village("99101002", "Thôn 2", True, "chưa rõ", 50, 40),
            ]
        },
    )
    submission(
        folder,
        "x99102.xlsx",
        "commune",
        "99102",
        "Xã Một B",
        P,
        commune_steering_plan=True,
        commune_safe=False,
        sheets={"villages": [village("99102001", "Thôn 3", False, True, 70, 70)]},
    )
    return folder


def _antq(
    tmp: Path, inbox: Path, out: Path, warehouse: Path, *extra: str, kill_at: str | None = None, check: bool = True
) -> subprocess.CompletedProcess:
    """`antq build` of the small province: in a process of its own when it is to be killed at `kill_at`,
    else through the CLI's entry in this process (build_helpers.run_cli)."""
    argv = ["build", P, "--inbox", str(inbox), "--register", str(tmp / "register")]
    argv += ["--out", str(out), "--warehouse", str(warehouse), *extra]
    if kill_at is None:
        proc = run_cli(*argv)
    else:
        env = {**os.environ, KILL_AT_ENV: kill_at}
        proc = subprocess.run([ANTQ, *argv], cwd=REPO, env=env, capture_output=True, text=True, timeout=BUILD_TIMEOUT_S)
    if check and kill_at:
        assert proc.returncode == -signal.SIGKILL, (kill_at, proc.returncode, proc.stderr[-2000:])
    elif check:
        assert proc.returncode == 0, proc.stderr[-2000:]
    return proc


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def published_set(out: Path) -> dict[str, str]:
    """The published files of the period with their SHA-256, after checking the set against its manifest:
    every output and CSV the manifest lists is there with that hash."""
    period_dir = out / P
    manifest = json.loads((period_dir / "manifest.json").read_text(encoding="utf-8"))
    for name, sha in manifest["outputs"].items():
        assert _sha(period_dir / name) == sha, f"{name} does not match its manifest"
    for name in DETERMINISTIC + ("kiem_tra_du_lieu.html", "kiem_tra_du_lieu.xlsx", "data_docs/index.html"):
        assert (period_dir / name).is_file(), f"{name} missing from the published set"
    with open(period_dir / "dq_findings.csv", encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    assert rows and all(len(r) == 8 for r in rows), "dq_findings.csv cut short"
    return {name: _sha(period_dir / name) for name in DETERMINISTIC} | {"release": manifest["release"]}


@pytest.fixture(scope="module")
def baseline(tmp_path_factory):
    """One clean build of the small province (households 100), copied by each test that breaks something."""
    tmp = tmp_path_factory.mktemp("faults")
    write_register(tmp / "register", ORG_UNITS, AGENCIES)
    inbox, out, warehouse = _inbox(tmp / "inbox", households=100), tmp / "out", tmp / "warehouse.duckdb"
    _antq(tmp, inbox, out, warehouse)
    return {"tmp": tmp, "inbox": inbox, "out": out, "warehouse": warehouse, "set": published_set(out)}


def _copy(baseline: dict, dest: Path, out: Path | None = None) -> tuple[Path, Path]:
    """A private copy of the baseline's published folder and warehouse (with its findings history copy)."""
    out = out or dest / "out"
    shutil.copytree(baseline["out"], out, symlinks=True)  # OUT/PERIOD stays a relative link
    warehouse = dest / "warehouse.duckdb"
    for source in baseline["warehouse"].parent.glob(baseline["warehouse"].name + "*"):
        if not source.name.endswith(".lock"):
            shutil.copy2(source, dest / source.name)
    return out, warehouse


def test_killed_at_every_stage_boundary_leaves_a_whole_set_and_recovers(baseline, tmp_path):
    tmp, before = baseline["tmp"], baseline["set"]
    out, warehouse = _copy(baseline, tmp_path)
    inbox = _inbox(tmp_path / "inbox", households=120)  # new figures; each build below is killed
    for point in ("after:inbox", "after:warehouse_models", "publish:before_switch"):
        _antq(tmp, inbox, out, warehouse, kill_at=point)
        assert published_set(out) == before, f"killed at {point}: the published set changed"
    # killed just after the switch: the new set is published whole
    _antq(tmp, inbox, out, warehouse, kill_at="publish:after_switch")
    after_switch = published_set(out)
    assert after_switch != before and after_switch["release"] == before["release"] + 1

    # a normal build then equals a clean build of the same inputs in a new warehouse, byte for byte
    _antq(tmp, inbox, out, warehouse)
    recovered = published_set(out)
    clean_out = tmp_path / "clean_out"
    _antq(tmp, inbox, clean_out, tmp_path / "clean.duckdb")
    assert _figures(recovered) == _figures(published_set(clean_out))
    # the unfinished folders of the killed builds are gone; the current one and the one before stay
    folders = sorted(p.name for p in (out / ".builds" / P).iterdir())
    assert len(folders) == 2, folders


def _figures(published: dict) -> dict:
    return {k: v for k, v in published.items() if k != "release"}


def test_damaged_warehouse_stops_before_publishing_and_rebuilds(baseline, tmp_path):
    import duckdb

    tmp, before = baseline["tmp"], baseline["set"]
    out, warehouse = _copy(baseline, tmp_path)
    history = warehouse.with_name(warehouse.name + ".findings_history.parquet")
    kept_history = (
        duckdb.connect().execute(f"select count(*), min(first_seen_at) from read_parquet('{history}')").fetchone()
    )
    assert kept_history[0] > 0
    with open(warehouse, "r+b") as fh:  # a copy cut short, a full disk at a checkpoint
        fh.truncate(int(warehouse.stat().st_size * 0.6))

    proc = _antq(tmp, baseline["inbox"], out, warehouse, check=False)
    assert proc.returncode == 2
    line = proc.stderr.strip().splitlines()[-1]
    assert "bị hỏng" in line and "--rebuild-warehouse" in line, line
    assert published_set(out) == before

    proc = _antq(tmp, baseline["inbox"], out, warehouse, "--rebuild-warehouse")
    assert "được giữ lại tại" in proc.stderr
    kept = [p for p in tmp_path.iterdir() if p.name.startswith("warehouse.duckdb.hong-")]
    assert len(kept) == 1  # the damaged file is set aside, not deleted
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        restored = con.execute("select count(*), min(first_seen_at) from main.findings_history").fetchone()
    finally:
        con.close()
    # the findings keep their first sighting (the first build's), restored from the copy beside the warehouse
    assert restored == kept_history
    assert published_set(out) == before  # same inputs: same files, same release


def _mount_tmpfs(path: Path, size: str) -> bool:
    path.mkdir(parents=True, exist_ok=True)
    if os.geteuid() != 0 or shutil.which("mount") is None:
        return False
    proc = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)], capture_output=True)
    return proc.returncode == 0


def test_full_disk_under_out_keeps_the_published_set(baseline, tmp_path):
    tmp, before = baseline["tmp"], baseline["set"]
    disk = tmp_path / "small_disk"
    if not _mount_tmpfs(disk, "24m"):
        pytest.skip("mounting a small tmpfs needs root and mount(8); the full-disk case is not run here")
    try:
        out, warehouse = _copy(baseline, tmp_path, out=disk / "out")
        filler = disk / "filler"
        with open(filler, "wb") as fh:  # leave less room than one more set needs
            fh.write(b"\0" * max(shutil.disk_usage(disk).free - 64 * 1024, 0))
        inbox = _inbox(tmp_path / "inbox", households=120)
        proc = _antq(tmp, inbox, out, warehouse, check=False)
        assert proc.returncode == 2, proc.stderr
        assert "No space left" in proc.stderr, proc.stderr
        assert published_set(out) == before
        filler.unlink()
        _antq(tmp, inbox, out, warehouse)
        assert published_set(out)["release"] == before["release"] + 1
    finally:
        subprocess.run(["umount", "-l", str(disk)], capture_output=True)


def test_two_builds_into_one_folder_publish_one_whole_set(baseline, tmp_path):
    """Two builds of different inboxes, each with its own warehouse, publishing into one --out at once:
    the folder ends as one build's set, whole (its manifest names that build's inputs), never a mix."""
    tmp = baseline["tmp"]
    out = tmp_path / "out"
    inboxes = [_inbox(tmp_path / f"inbox{n}", households=h) for n, h in ((1, 100), (2, 130))]
    env = {k: v for k, v in os.environ.items() if k != KILL_AT_ENV}
    procs = [
        subprocess.Popen(
            [
                ANTQ,
                "build",
                P,
                "--inbox",
                str(inbox),
                "--register",
                str(tmp / "register"),
                "--out",
                str(out),
                "--warehouse",
                str(tmp_path / f"w{n}.duckdb"),
            ],
            cwd=REPO,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for n, inbox in enumerate(inboxes)
    ]
    for proc in procs:
        _, err = proc.communicate(timeout=BUILD_TIMEOUT_S)
        assert proc.returncode == 0, err.decode()[-2000:]
    published_set(out)  # whole, and each file matches the manifest
    manifest = json.loads((out / P / "manifest.json").read_text(encoding="utf-8"))
    inputs = {f["source_file"]: f["sha256"] for f in manifest["inputs"]}
    winner = [
        inbox
        for inbox in inboxes
        if inputs == {p.relative_to(inbox).as_posix(): _sha(p) for p in inbox.rglob("*.xlsx")}
    ]
    assert len(winner) == 1
    with open(out / P / "indicators.csv", encoding="utf-8", newline="") as fh:
        households = next(
            r
            for r in csv.DictReader(fh)
            if r["indicator"] == "safe_registered.households" and r["org_unit_level"] == "province"
        )
    # Thôn 2's row is excluded (an invalid yes/no), so the total is Thôn 1's and Thôn 3's
    assert households["total"] == str((100 if winner[0] == inboxes[0] else 130) + 70)
