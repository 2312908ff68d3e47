"""Releases of a period (reports/release.py) on hand-written files: first release, an identical
publication, moved figures, added / changed / removed input files, a changed register."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from reports import release

HEADER = "period,indicator,org_unit_code,org_unit_level,achieved,total\n"
NOW = dt.datetime(2021, 7, 12, 8, 30, tzinfo=dt.UTC)


def _files(period_dir, households: int, document: bytes = b"report") -> list:
    period_dir.mkdir(parents=True, exist_ok=True)
    (period_dir / "indicators.csv").write_text(
        HEADER + f"2021-H1,safe_registered.households,60,province,{households},332093\n"
        "2021-H1,models.total,60,province,986,\n",
        encoding="utf-8",
    )
    (period_dir / "dq_findings.csv").write_text("period,check,severity\n", encoding="utf-8")
    (period_dir / "bao_cao_2021-H1.docx").write_bytes(document)
    return [period_dir / "bao_cao_2021-H1.docx"]


@pytest.fixture
def register(tmp_path):
    folder = tmp_path / "register"
    folder.mkdir()
    (folder / "org_units.csv").write_text("code,name,level,parent_code,valid_from,valid_to\n", encoding="utf-8")
    (folder / "agencies.csv").write_text(
        "code,name,kind,managed_by,district_code,valid_from,valid_to\n", encoding="utf-8"
    )
    return folder


INPUTS = [
    {"source_file": "2021-H1/a.xlsx", "sha256": "a" * 64, "size_bytes": 10, "status": "ingested"},
    {"source_file": "2021-H1/b.xlsx", "sha256": "b" * 64, "size_bytes": 10, "status": "ingested"},
]


def _publish(period_dir, register, inputs, outputs):
    return release.publish(
        period_dir,
        "2021-H1",
        inputs=inputs,
        register_dir=register,
        outputs=outputs,
        names={"60": "Tỉnh Bình Thuận"},
        now=NOW,
    )


def test_first_then_identical_then_changed(tmp_path, register):
    period_dir = tmp_path / "out" / "2021-H1"
    first = _publish(period_dir, register, INPUTS, _files(period_dir, 299882))
    assert (first.number, first.is_new, first.changes["first_release"]) == (1, True, True)
    manifest = json.loads((period_dir / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["build_time"] == NOW.isoformat(timespec="seconds")
    assert manifest["register"]["files"]["org_units.csv"] == release.sha256_of(register / "org_units.csv")
    assert manifest["outputs"]["bao_cao_2021-H1.docx"] == release.sha256_of(period_dir / "bao_cao_2021-H1.docx")
    assert "lần phát hành đầu tiên" in (period_dir / "changes.md").read_text(encoding="utf-8")

    same = _publish(period_dir, register, INPUTS, _files(period_dir, 299882))
    assert (same.number, same.is_new) == (1, False)
    assert not (period_dir / "releases" / "2").exists()

    moved_inputs = [
        dict(INPUTS[0], sha256="c" * 64),
        {"source_file": "2021-H1/new.xlsx", "sha256": "d" * 64, "size_bytes": 5, "status": "ingested"},
    ]
    (register / "org_units.csv").write_text(
        "code,name,level,parent_code,valid_from,valid_to\n60,Tỉnh,province,,,\n", encoding="utf-8"
    )
    second = _publish(period_dir, register, moved_inputs, _files(period_dir, 299881, b"report 2"))
    assert (second.number, second.is_new) == (2, True)
    changes = json.loads((period_dir / "changes.json").read_text(encoding="utf-8"))
    assert changes["previous_release"] == 1
    assert changes["figures"] == [
        {
            "org_unit_code": "60",
            "org_unit_name": "Tỉnh Bình Thuận",
            "indicator": "safe_registered.households",
            "label": "Hộ gia đình đăng ký An toàn về ANTT",
            "old_achieved": 299882,
            "old_total": 332093,
            "new_achieved": 299881,
            "new_total": 332093,
        }
    ]
    assert changes["inputs"] == {
        "added": [{"source_file": "2021-H1/new.xlsx", "sha256": "d" * 64}],
        "changed": [{"source_file": "2021-H1/a.xlsx", "old_sha256": "a" * 64, "new_sha256": "c" * 64}],
        "removed": [{"source_file": "2021-H1/b.xlsx", "sha256": "b" * 64}],
    }
    assert changes["register_changed"] is True
    assert "bao_cao_2021-H1.docx" in changes["outputs_changed"]
    page = (period_dir / "changes.md").read_text(encoding="utf-8")
    assert (
        "| Tỉnh Bình Thuận (60) | Hộ gia đình đăng ký An toàn về ANTT (safe_registered.households) | "
        "299.882/332.093 | 299.881/332.093 |" in page
    )
    for line in ("- Thêm: `2021-H1/new.xlsx`", "- Thay đổi: `2021-H1/a.xlsx`", "- Bỏ đi: `2021-H1/b.xlsx`"):
        assert line in page
    # each release keeps the figures it published
    assert "299882" in (period_dir / "releases" / "1" / "indicators.csv").read_text(encoding="utf-8")
    assert "299881" in (period_dir / "releases" / "2" / "indicators.csv").read_text(encoding="utf-8")


def test_publish_needs_the_published_csv(tmp_path, register):
    period_dir = tmp_path / "2021-H1"
    period_dir.mkdir()
    with pytest.raises(FileNotFoundError, match="indicators.csv"):
        _publish(period_dir, register, INPUTS, [])
