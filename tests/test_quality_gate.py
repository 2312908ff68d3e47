"""Issue 11, items 2 and 5: the Great Expectations results in our own Vietnamese, offline page; no path of
the build machine in any published file; and quality gates publication: a blocking expectation that fails
on the staged tables leaves the published set as it was and `antq build` says why in one line, while
findings that only warn are published."""

from __future__ import annotations

import hashlib
import json
import re
import zipfile
from pathlib import Path

import pytest
from build_helpers import agency, submission, village, write_register

import expectations
from expectations import frames as frames_module
from orchestration import cli, groups
from reports import validation_page

REPO = Path(__file__).resolve().parent.parent
P = "2021-H1"


# -- the validation page and the published files of the demo (no new build) ---------------------------


def _published_files(period_dir: Path) -> list[Path]:
    return sorted(p for p in period_dir.resolve().rglob("*") if p.is_file())


def _contents(path: Path) -> list[tuple[str, bytes]]:
    """The bytes of a published file, or of each part of a zipped one (xlsx, docx)."""
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as z:
            return [(f"{path.name}!{n}", z.read(n)) for n in z.namelist()]
    return [(path.name, path.read_bytes())]


def test_no_path_of_the_build_machine_in_any_published_file(demo_build):
    machine = {str(demo_build["tmp"]), str(demo_build["tmp"].resolve()), str(REPO)}
    checked = 0
    for period in ("2020-H2", P):
        for path in _published_files(demo_build["out"] / period):
            for name, data in _contents(path):
                for root in machine:
                    assert root.encode() not in data, f"{path.relative_to(demo_build['out'].resolve())}: {name}"
                checked += 1
    assert checked > 40
    summary = json.loads((demo_build["out"] / P / "data_docs" / "summary.json").read_text(encoding="utf-8"))
    assert summary["data_docs"] == "data_docs/index.html"


def test_validation_page_is_vietnamese_and_offline(demo_build):
    docs = demo_build["out"] / P / "data_docs"
    page = (docs / "index.html").read_text(encoding="utf-8")
    assert '<html lang="vi">' in page and "Kết quả kiểm tra dữ liệu tự động — kỳ 2021-H1" in page
    assert not re.search(r"https?://", page)  # no CDN, no link out of the machine
    assert "<script" not in page and "<link" not in page and "<img" not in page
    summary = json.loads((docs / "summary.json").read_text(encoding="utf-8"))
    for name, suite in summary["suites"].items():  # one section per suite, each expectation as a sentence
        assert f'<h2 id="{name}">' in page
        assert len(suite["expectations"]) == suite["evaluated"] > 0
        for e in suite["expectations"]:
            assert validation_page.rule(e).split(";")[0].replace('"', "&#34;") in page
    assert "Cột source_file không được trống" in page
    assert "Tất cả 10 bộ kỳ vọng đều đạt." in page
    # Great Expectations' own English site is no longer built
    assert not (docs / "validations").exists() and not (docs / "static").exists()
    assert "Clear Filters" not in page


def test_every_expectation_type_has_its_vietnamese_sentence():
    phrases = expectations.phrases()["types"]
    for name, suite in expectations.suites().items():
        for e in suite["expectations"]:
            assert e["type"] in phrases, (name, e["type"])
            sentence = validation_page.rule({**e, "columns": []})
            assert sentence != e["type"] and not re.search(r"\{[a-z_A-Z]+\}", sentence), (name, sentence)
    assert (
        validation_page.rule(
            {
                "type": "expect_column_values_to_be_between",
                "kwargs": {"column": "households_total", "min_value": 0, "mostly": 0.95},
            }
        )
        == "Cột households_total không nhỏ hơn 0; đạt khi ít nhất 95 % số dòng thỏa mãn"
    )


def test_blocking_is_reserved_for_strict_structural_expectations():
    blocking = [
        (name, e)
        for name, suite in expectations.suites().items()
        for e in suite["expectations"]
        if expectations.blocking(e)
    ]
    assert len(blocking) >= 10
    for name, e in blocking:  # a share (`mostly`) or a content check is a data finding: it only warns
        assert e["meta"]["kind"] == "structure" and "mostly" not in e["kwargs"], (name, e["description"])
    # the suites of the data's own findings and of the cross-check sheet never block
    assert not [n for n, _ in blocking if n in ("stg_cell_issues", "stg_district_summary")]


def test_groups_read_in_the_order_the_data_flows():
    from orchestration.definitions import defs

    graph = defs.resolve_asset_graph()
    assert list(groups.ORDER) == sorted(groups.ORDER)  # the UI sorts groups by name
    assert {graph.get(k).group_name for k in graph.get_all_asset_keys()} == set(groups.ORDER)
    place = {g: i for i, g in enumerate(groups.ORDER)}
    for key in graph.get_all_asset_keys():
        for parent in graph.get(key).parent_keys:
            assert place[graph.get(parent).group_name] <= place[graph.get(key).group_name], (parent, key)
    # every published asset waits for the quality gate
    import dagster as dg

    for name in ("indicators_csv", "dq_findings_csv", "report_documents", "auditors_report", "period_release"):
        key = dg.AssetKey(name)
        assert graph.get(key).group_name == groups.PUBLICATION
        assert dg.AssetKey("data_docs") in graph.get(key).parent_keys or dg.AssetKey("data_docs") in {
            a for p in graph.get(key).parent_keys for a in graph.get(p).parent_keys
        }, name
    assert dg.AssetCheckKey(dg.AssetKey("data_docs"), "blocking_expectations_pass") in graph.asset_check_keys


# -- a small province: a warning publishes, a failed blocking expectation does not --------------------

ORG_UNITS = [
    ("99", "Tỉnh Thử Nghiệm", "province", ""),
    ("991", "Huyện Một", "district", "99"),
    ("99101", "Xã Một A", "commune", "991"),
    ("99101001", "Thôn 1", "village", "99101"),
    ("99101002", "Thôn 2", "village", "99101"),
]
AGENCIES = [("P1", "Sở Một", "co_quan", "province", "")]


def _inbox(folder: Path) -> Path:
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
    submission(folder, "h991.xlsx", "district", "991", "Huyện Một", P, district_steering_plan=True)
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
                village("99101001", "Thôn 1", True, True, 100, 90),
                village("99101002", "Thôn 2", True, True, 50, 60),  # registered above total: a warning
            ]
        },
    )
    return folder


def _antq(tmp: Path) -> int:
    return cli.main(
        [
            "build",
            P,
            "--inbox",
            str(tmp / "inbox"),
            "--register",
            str(tmp / "register"),
            "--out",
            str(tmp / "out"),
            "--warehouse",
            str(tmp / "warehouse.duckdb"),
        ]
    )


def _published(out: Path) -> dict[str, str]:
    period_dir = out / P
    return {
        str(p.relative_to(period_dir.resolve())): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in _published_files(period_dir)
    } | {"": str(period_dir.resolve())}


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("quality_gate")
    write_register(tmp / "register", ORG_UNITS, AGENCIES)
    _inbox(tmp / "inbox")
    assert _antq(tmp) == 0
    return tmp


def test_findings_that_only_warn_are_published(small):
    period_dir = small / "out" / P
    summary = json.loads((period_dir / "data_docs" / "summary.json").read_text(encoding="utf-8"))
    villages = summary["suites"]["stg_villages"]
    assert not villages["success"] and villages["blocking_failed"] == 0  # 1 village in 2 above total: WARN
    assert summary["blocking_failures"] == []
    with open(period_dir / "dq_findings.csv", encoding="utf-8") as fh:
        assert "HOUSEHOLDS_REGISTERED_EXCEED_TOTAL" in fh.read()
    page = (period_dir / "data_docs" / "index.html").read_text(encoding="utf-8")
    assert "không có kỳ vọng chặn công bố nào" in page


def test_a_failed_blocking_expectation_keeps_the_published_set(small, monkeypatch, capsys):
    before = _published(small / "out")
    real = frames_module.period_frames

    def with_a_row_read_twice(con, period, tables):
        """A staged table as a pipeline defect would leave it: one Excel row twice (counted twice)."""
        import pandas as pd

        got = real(con, period, tables)
        villages = got["stg_villages"]
        got["stg_villages"] = pd.concat([villages, villages.iloc[[0]]], ignore_index=True)
        return got

    monkeypatch.setattr(frames_module, "period_frames", with_a_row_read_twice)
    capsys.readouterr()
    assert _antq(small) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1, err
    line = err[0]
    assert line.startswith(
        "antq: không công bố, bộ tệp đang công bố giữ nguyên; kiểm tra chặn công bố không đạt: "
        "data_docs:blocking_expectations_pass — 1 kỳ vọng chặn công bố không đạt (số liệu sẽ sai): "
        "bảng stg_villages: Mỗi dòng Excel được đọc một lần (2 dòng) (nhật ký: "
    ), line
    assert _published(small / "out") == before  # same folder, same bytes
