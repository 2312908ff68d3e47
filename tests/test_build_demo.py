"""`antq build 2021-H1` on the bundled demo: the seed's figures to the digit (contract section 8),
districts adding up to the province, and byte-identical rebuilds."""

from __future__ import annotations

import dagster as dg
import duckdb
import pytest
from build_helpers import SEED, build, copy_build, indicators

import catalog
from orchestration.defaults import DEMO_REGISTER


@pytest.fixture(scope="module")
def demo(demo_build):
    return demo_build["tmp"], demo_build["inbox"], demo_build["out"] / "2021-H1"


def test_seed_figures(demo):
    _, _, out = demo
    figures = indicators(out)
    for indicator, value in SEED.items():
        assert figures[("60", indicator)] == value, indicator
    groups = sum(figures[("60", f"models.group_{g}")][0] for g in range(1, 7))
    assert groups == 986


def test_districts_add_up_to_province(demo):
    tmp, _, out = demo
    figures = indicators(out)
    districts = sorted({code for code, _ in figures if code != "60"})
    assert len(districts) == 10
    # What the province's own workbook adds, read from the facts (it has no district).
    con = duckdb.connect(str(tmp / "warehouse.duckdb"), read_only=True)
    try:
        own = dict(
            con.execute(
                """
            select indicator, sum(achieved) from main.int_indicator_contributions
            where period = '2021-H1' and district_code is null group by indicator
            """
            ).fetchall()
        )
    finally:
        con.close()
    for (code, indicator), (achieved, total) in figures.items():
        if code != "60" or indicator.endswith("province_agencies"):
            continue
        district_sum = sum(figures[(d, indicator)][0] for d in districts)
        assert district_sum + own.get(indicator, 0) == achieved, indicator
        if total is not None:
            assert sum(figures[(d, indicator)][1] for d in districts) == total, indicator
    assert own.get("models.total", 0) > 0  # the demo's province workbook has models of its own


def _metadata(asset: str) -> dict:
    """The metadata of the latest materialisation of `asset` in this test session's Dagster instance."""
    with dg.DagsterInstance.get() as instance:
        event = instance.get_latest_materialization_event(dg.AssetKey(asset))
    return {k: v.value for k, v in event.asset_materialization.metadata.items()}


def _dbt_reused() -> bool:
    """Whether the latest `antq build` of this test session reused the last dbt build's results."""
    return _metadata("mart_indicators")["dbt_reused"]


def test_rebuild_is_byte_identical(demo_build, tmp_path, capsys):
    # A cold build (a fresh warehouse) is compared with demo_build in test_concurrency.py, whose builds
    # start from an empty warehouse; here the same warehouse again.
    copy = copy_build(demo_build, tmp_path)
    first = (demo_build["out"] / "2021-H1" / "indicators.csv").read_bytes()
    history = _history(copy["warehouse"])
    warm = build(copy["tmp"], "2021-H1", copy["inbox"], DEMO_REGISTER, copy["out"], copy["warehouse"])
    assert _dbt_reused()  # same rows, same models: dbt's last results stand
    assert (warm / "indicators.csv").read_bytes() == first
    # it found the same findings as the build it reused: the history does not count it
    assert history and _history(copy["warehouse"]) == history
    assert _metadata("findings_history_copy")["history_run_is_this_run"] is False
    printed = capsys.readouterr().out
    assert "phát hiện: 1 thông tin" in printed  # the severities in the catalogue's words
    assert "Lịch sử phát hiện: không đổi từ lần lập" in printed


def _history(warehouse) -> dict[str, tuple]:
    """finding_key -> (times_seen, last_seen_run, is_open, params) of the warehouse's findings history."""
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        rows = con.execute(
            "select finding_key, times_seen, last_seen_run, is_open, params from main.findings_history"
        ).fetchall()
    finally:
        con.close()
    return {key: rest for key, *rest in rows}


def test_a_changed_workbook_runs_dbt_again(demo_build, tmp_path, capsys):
    """The reuse of dbt's results must never hide a change: one household figure edited in one
    commune's workbook reaches the published figures."""
    import openpyxl

    copy = copy_build(demo_build, tmp_path)
    before = indicators(demo_build["out"] / "2021-H1")[("60", "safe_registered.households")]
    # a warehouse of an older version, whose catalogue table lacks a column the catalogue has since gained,
    # still builds (dbt recreates the seeds rather than reloading them into the old table)
    history = _history(copy["warehouse"])
    con = duckdb.connect(str(copy["warehouse"]))
    try:
        con.execute("alter table main.checks drop column fix_vi")
        # and a findings history of that version: the rendered message, no params
        con.execute("alter table main.findings_history drop column params")
        con.execute("alter table main.findings_history add column message varchar default 'Thông báo cũ'")
        source = con.execute(
            "select min(source_file) from main.int_submissions where period = '2021-H1' "
            "and submission_status = 'winner' and reporter_level = 'commune'"
        ).fetchone()[0]
    finally:
        con.close()
    spec = catalog.workbook()["sheets"]["villages"]
    wb = openpyxl.load_workbook(copy["inbox"] / source)
    ws = wb[spec["sheet"]]
    headers = {spec["columns"][c]["header"] for c in ("village_code", "households_total")}
    header_row = next(row for row in ws.iter_rows() if headers <= {c.value for c in row})
    total = next(c for c in header_row if c.value == spec["columns"]["households_total"]["header"])
    cell = ws.cell(header_row[0].row + 1, total.column)
    cell.value += 1000
    path = copy["inbox"] / source
    wb.save(path)
    build(copy["tmp"], "2021-H1", copy["inbox"], DEMO_REGISTER, copy["out"], copy["warehouse"])
    assert not _dbt_reused()
    after = indicators(copy["out"] / "2021-H1")[("60", "safe_registered.households")]
    assert after == (before[0], before[1] + 1000)
    con = duckdb.connect(str(copy["warehouse"]), read_only=True)
    try:
        assert "fix_vi" in {r[0] for r in con.execute("describe main.checks").fetchall()}
    finally:
        con.close()
    # the findings still found were found once more, by this build; the old history kept its rows
    again = _history(copy["warehouse"])
    assert set(history) <= set(again)
    for key, (times, run, _, _) in history.items():
        if again[key][2]:  # still open
            assert again[key][0] == times + 1 and again[key][1] != run
    assert all(params is not None for _, _, is_open, params in again.values() if is_open)
    recorded = _metadata("findings_history_copy")
    assert recorded["history_run_is_this_run"] is True
    assert recorded["history_open"] == sum(1 for *_, is_open, _ in again.values() if is_open)
    assert recorded["history_seen_again"] + recorded["history_new"] == recorded["history_open"]
    assert (
        f"Lịch sử phát hiện: {recorded['history_new']} mới, {recorded['history_seen_again']} còn lại, "
        f"{recorded['history_closed']} đã khắc phục"
    ) in capsys.readouterr().out


def test_demo_inbox_lands_whole_with_lineage(demo_build):
    con = duckdb.connect(str(demo_build["warehouse"]), read_only=True)
    try:
        statuses = dict(con.execute("select status, count(*) from raw.files group by 1").fetchall())
        villages_2021 = con.execute(
            """
            select count(*) from raw.villages v
            join main.int_submissions s using (source_file)
            where s.period = '2021-H1' and s.submission_status = 'winner'
            """
        ).fetchone()[0]
        lineage_gaps = con.execute(
            "select count(*) from raw.villages where source_file is null or file_sha256 is null "
            "or sheet_name is null or row_number is null"
        ).fetchone()[0]
    finally:
        con.close()
    assert statuses == {"ingested": 2 * 135 + 1}  # both periods and the one resubmission; nothing rejected
    assert villages_2021 == 689
    assert lineage_gaps == 0
