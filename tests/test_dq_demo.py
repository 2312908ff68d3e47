"""The bundled demo with every check on: 2021-H1 keeps the seed's figures (contract section 8), raises only
the one expected resubmission, and passes its Great Expectations suites, which fail on a planted bad value."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from build_helpers import SEED, findings, indicators

import expectations
from expectations.frames import period_frames
from expectations.run import run_period

P = "2021-H1"


@pytest.fixture(scope="module")
def demo(demo_build):
    return {"tmp": demo_build["tmp"], "out": demo_build["out"] / P, "warehouse": demo_build["warehouse"]}


@pytest.fixture(scope="module")
def demo_frames(demo):
    con = duckdb.connect(str(demo["warehouse"]), read_only=True)
    try:
        return period_frames(con, P, list(expectations.suites()))
    finally:
        con.close()


def test_seed_figures_with_every_check_on(demo):
    figures = indicators(demo["out"])
    for indicator, value in SEED.items():
        assert figures[("60", indicator)] == value, indicator


def test_only_the_resubmission_is_reported(demo):
    found = findings(demo["out"])
    assert [(f["check"], f["severity"]) for f in found] == [("SUPERSEDED_SUBMISSION", "info")]


def test_suites_pass_on_the_demo(demo):
    import json

    with open(demo["out"] / "data_docs" / "summary.json", encoding="utf-8") as fh:
        summary = json.load(fh)
    assert summary["success"], {n: s["failed_expectations"] for n, s in summary["suites"].items() if not s["success"]}
    assert set(summary["suites"]) == set(expectations.suites())
    assert all(s["rows"] > 0 for n, s in summary["suites"].items() if n != "stg_cell_issues")
    assert (demo["out"] / "data_docs" / "index.html").exists()
    assert summary["blocking_failures"] == [] and summary["data_docs"] == "data_docs/index.html"


def test_suites_fail_on_a_planted_bad_value(demo, demo_frames, tmp_path):
    frames = {name: frame.copy() for name, frame in demo_frames.items()}
    villages = frames["stg_villages"]
    planted = villages.index[villages["row_valid"]][10]
    villages.loc[planted, "households_total"] = -3  # a negative count
    agencies = frames["stg_agencies"]
    agencies.loc[agencies.index[0], "agency_kind"] = "ngoai_danh_muc"  # a kind outside the vocabulary
    register = frames["stg_register_org_units"]
    villages_in_register = register["org_unit_level"] == "village"
    register.loc[villages_in_register, "org_unit_code"] = (  # "T2915001": not 8 digits
        "T" + register.loc[villages_in_register, "org_unit_code"].str[1:]
    )

    summary = run_period(frames, P, tmp_path)
    assert not summary["success"]
    failed = {n for n, s in summary["suites"].items() if not s["success"]}
    assert failed == {"stg_villages", "stg_agencies", "stg_register_org_units"}

    village_failures = summary["suites"]["stg_villages"]["failed_expectations"]
    assert [(e["columns"], e["unexpected_count"], e["kind"]) for e in village_failures] == [
        (["households_total"], 1, "structure")
    ]
    sample = village_failures[0]["sample"][0]
    assert (sample["source_file"], sample["sheet_name"], sample["row_number"], sample["households_total"]) == (
        villages.loc[planted, "source_file"],
        villages.loc[planted, "sheet_name"],
        int(villages.loc[planted, "row_number"]),
        -3,
    )
    codes = summary["suites"]["stg_register_org_units"]["failed_expectations"]
    assert [e["unexpected_count"] for e in codes] == [689]
    # a negative count and a kind outside the vocabulary would make figures wrong: they block publication;
    # the register's code width does not change a figure: it does not
    assert [(f["suite"], f["columns"]) for f in summary["blocking_failures"]] == [
        ("stg_agencies", ["agency_kind"]),
        ("stg_villages", ["households_total"]),
    ]
    page = (tmp_path / "data_docs" / "index.html").read_text(encoding="utf-8")
    assert "Không công bố: 2 kỳ vọng chặn công bố không đạt" in page and "ngoai_danh_muc" in page


def test_data_docs_are_copied_not_rebuilt_for_another_output_folder(demo_frames, tmp_path):
    """Same rows, another output folder (a rebuild with --out elsewhere): the Data Docs kept in the
    cache are copied there, pointing at their new place, instead of running the suites again."""
    import json

    first = run_period(demo_frames, P, tmp_path / "a", cache_dir=tmp_path / "cache")
    assert not first["reused"] and (tmp_path / "cache" / P / "index.html").exists()
    second = run_period(demo_frames, P, tmp_path / "b", cache_dir=tmp_path / "cache")
    docs = tmp_path / "b" / "data_docs"
    assert second["reused"] and second["suites"] == first["suites"]
    assert (docs / "index.html").exists() and not (tmp_path / "b" / "data_docs.partial").exists()
    assert second["data_docs"] == "data_docs/index.html"  # relative to the period's folder, wherever it is
    assert json.loads((docs / "summary.json").read_text(encoding="utf-8")) == {**first, "reused": False}
    changed = {name: frame.copy() for name, frame in demo_frames.items()}
    changed["stg_villages"].loc[changed["stg_villages"].index[0], "households_total"] += 1
    third = run_period(changed, P, tmp_path / "c", cache_dir=tmp_path / "cache")
    assert not third["reused"]  # other rows: validated again, and the cache now holds these
    assert not [p.name for p in (tmp_path / "cache").iterdir() if p.name != P]  # no temporary copy left


def test_a_cache_shared_with_another_build_never_fails_the_build(demo_frames, tmp_path, monkeypatch):
    """Two warehouses in one folder share its Data Docs cache, and two builds may run at once (a race
    once failed one of them). When the other build's copy lands between this one's steps, the cache
    write is given up, and a cache read that fails validates instead; no temporary copy stays."""
    import shutil

    from expectations import run as docs_run

    cache = tmp_path / "cache"
    run_period(demo_frames, P, tmp_path / "a", cache_dir=cache)  # the cache holds these rows' results

    def vanished(source, dest, **kwargs):  # the cache replaced while this build reads it
        raise FileNotFoundError(source)

    monkeypatch.setattr(docs_run.shutil, "copytree", vanished)
    assert run_period(demo_frames, P, tmp_path / "b", cache_dir=cache)["reused"] is False  # validated instead
    monkeypatch.undo()

    real_rename = Path.rename

    def raced(self, target):  # the other build's copy is put at the target first
        if Path(target).parent == cache and not Path(target).exists():
            shutil.copytree(self, target)
        return real_rename(self, target)

    monkeypatch.setattr(Path, "rename", raced)
    changed = {name: frame.copy() for name, frame in demo_frames.items()}
    changed["stg_villages"].loc[changed["stg_villages"].index[0], "households_total"] += 1
    assert not run_period(changed, P, tmp_path / "c", cache_dir=cache)["reused"]  # its cache write given up
    monkeypatch.undo()
    assert sorted(p.name for p in cache.iterdir()) == [P]


def test_auditors_report_of_the_demo(demo):
    page = (demo["out"] / "kiem_tra_du_lieu.html").read_text(encoding="utf-8")
    assert "135/135 báo cáo (100,00%)" in page
    assert "SUPERSEDED_SUBMISSION" in page and "_phien_ban_2.xlsx" in page


def test_who_had_to_report_is_counted_once_for_both_reports(demo):
    """mart_expected_submissions is the one rule: the winners and the MISSING_SUBMISSION findings make it up,
    the provincial report's completeness (reports.report_data) reads it, and every deadline is the
    catalogue's day (catalog/settings.csv) of the month after the half-year."""
    import datetime as dt

    import catalog
    from reports import report_data

    con = duckdb.connect(str(demo["warehouse"]), read_only=True)
    try:
        expected, received, on_time = con.execute(
            "select count(*), count_if(received), count_if(on_time) from main.mart_expected_submissions "
            "where period = ?",
            [P],
        ).fetchone()
        (winners,) = con.execute(
            "select count(*) from main.mart_submissions where period = ? and submission_status = 'winner'", [P]
        ).fetchone()
        (missing,) = con.execute(
            "select count(*) from main.mart_dq_findings where period = ? and check_code = 'MISSING_SUBMISSION'", [P]
        ).fetchone()
        deadlines = {
            d
            for (d,) in con.execute(
                "select distinct deadline from main.mart_submissions where period = ?", [P]
            ).fetchall()
        }
        completeness = report_data.load(con, P).completeness
    finally:
        con.close()
    assert (expected, received) == (winners + missing, winners) == (135, 135)
    assert on_time <= received
    assert (sum(completeness.expected.values()), sum(completeness.received.values())) == (expected, received)
    assert deadlines == {dt.date(2021, 7, catalog.submission_deadline_day())}
