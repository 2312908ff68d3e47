"""registers/ and `antq register` (issue 13): registers written from the maintained libraries
(vietnam-provinces, vietnamadminunits), checked against each other and against the GSO list of
01/07/2021, and read back by ingestion/register.py (crosswalk.csv included) and dbt's staging model."""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import duckdb
import pytest

from ingestion.register import CROSSWALK_COLUMNS, ORG_UNIT_COLUMNS, load_register
from orchestration.cli import main
from registers import sources

ROOT = Path(__file__).resolve().parents[1]
GSO = sources.read_gso()
needs_gso = pytest.mark.skipif(GSO is None, reason=f"no GSO list at {sources.GSO_FILE}")


def read(path: Path) -> list[dict]:
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="module")
def lam_dong(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("lam_dong")
    assert main(["register", "lam dong", "--structure", "2025", "--out", str(out)]) == 0
    return out


@pytest.fixture(scope="module")
def binh_thuan_2021(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("binh_thuan")
    assert main(["register", "Bình Thuận", "--structure", "2021", "--out", str(out)]) == 0
    return out


@pytest.mark.parametrize("query", ["lam dong", "LÂM ĐỒNG", "Tỉnh Lâm Đồng", "68", " lâm   đồng "])
def test_province_lookup_ignores_accents_and_case(query):
    assert sources.find_province(query, "2025")[0] == "68"


def test_unknown_province_suggests_close_names():
    with pytest.raises(sources.RegisterBuildError, match="Lâm Đồng"):
        sources.find_province("lam dng", "2025")
    # a former province asked for in the 2025 structure: where it went
    with pytest.raises(sources.RegisterBuildError, match=r"nay thuộc Tỉnh Lâm Đồng \(68\)"):
        sources.find_province("binh thuan", "2025")
    assert sources.find_province("binh thuan", "2021")[0] == "60"


def test_2025_register_matches_the_library(lam_dong):
    from vietnam_provinces import Ward

    rows = read(lam_dong / "org_units.csv")
    assert list(rows[0]) == list(ORG_UNIT_COLUMNS)
    communes = {r["code"]: r for r in rows if r["level"] == "commune"}
    expected = {str(int(w.code)).zfill(5): w.name for w in Ward.iter_by_province(68)}
    assert {c: r["name"] for c, r in communes.items()} == expected
    assert Counter(r["level"] for r in rows) == {"province": 1, "commune": len(expected)}
    assert {r["parent_code"] for r in communes.values()} == {"68"}
    assert {(r["valid_from"], r["valid_to"]) for r in rows} == {(sources.REFORM_DATE.isoformat(), "")}
    assert read(lam_dong / "agencies.csv") == []
    assert (lam_dong / "agencies.csv").read_text(encoding="utf-8").startswith("code,name,kind,managed_by")


@needs_gso
def test_2021_register_against_the_gso_list(binh_thuan_2021):
    rows = read(binh_thuan_2021 / "org_units.csv")
    gso = [r for r in GSO if r["code"] == "60" or r["parent_code"] == "60"]
    gso_districts = {r["code"]: r["name"] for r in gso if r["level"] == "district"}
    gso += [r for r in GSO if r["parent_code"] in gso_districts]
    assert len(gso_districts) == 10 and sum(r["level"] == "commune" for r in gso) == 124  # shared/data/README.md
    # districts: the same 10 codes and names, communes under the same districts
    assert {r["code"]: r["name"] for r in rows if r["level"] == "district"} == gso_districts
    gso_parent = {r["code"]: r["parent_code"] for r in gso if r["level"] == "commune"}
    lib = {r["code"]: r for r in rows if r["level"] == "commune"}
    assert set(lib) <= set(gso_parent)
    assert all(gso_parent[c] == r["parent_code"] for c, r in lib.items())
    assert {(r["valid_from"], r["valid_to"]) for r in rows} == {("", "2025-06-30")}
    # the library's list is the last before 01/07/2025: the communes merged since 2021 are what the
    # cross-check reports, by code
    check = sources.check_2021("60")
    missing = sorted(set(gso_parent) - set(lib))
    assert bool(missing) == (not check.ok)
    assert all(code in " ".join(check.differences) for code in missing)
    assert not (binh_thuan_2021 / "crosswalk.csv").exists()


def test_2025_libraries_agree_on_the_province():
    """vietnam-provinces and vietnamadminunits list the same number of communes in every province; the
    codes they disagree on are reported, not hidden."""
    whole = sources.check_2025()
    assert whole.compared.startswith("cả nước: 3321 xã (vietnam-provinces), 3321 xã (vietnamadminunits)")
    for code in sources.provinces("2025"):
        check = sources.check_2025(code)
        vp, vau = check.compared.split(": ", 1)[1].split(", ")
        assert vp.split()[0] == vau.split()[0], check.compared


def test_crosswalk_covers_every_former_commune(lam_dong):
    rows = read(lam_dong / "crosswalk.csv")
    assert list(rows[0]) == list(CROSSWALK_COLUMNS)
    former = {
        u.code for p in ("60", "67", "68") for u in sources.province_units(p, "2021").units if u.level == "commune"
    }
    assert {r["former_code"] for r in rows} == former
    new = {r["code"] for r in read(lam_dong / "org_units.csv") if r["level"] == "commune"}
    assert {r["new_code"] for r in rows} == new  # every new commune receives, nothing outside the province
    assert {r["effective_date"] for r in rows} == {"2025-07-01"}
    assert {r["village_code"] for r in rows} == {""}
    whole = [r for r in rows if r["divided"] == "false"]
    assert max(Counter(r["new_code"] for r in whole).values()) > 1  # merged: several former -> one new
    destinations = Counter(r["former_code"] for r in rows)
    divided = {c for c, n in destinations.items() if n > 1}
    assert divided == {r["former_code"] for r in rows if r["divided"] == "true"}
    for code in divided:  # one destination is the library's default
        assert sum(r["default_destination"] == "true" for r in rows if r["former_code"] == code) == 1
    assert divided, "vietnamadminunits 1.0.4 divides communes of Bình Thuận (Phong Phú, Hòa Thắng)"


def test_written_register_loads(lam_dong, binh_thuan_2021, tmp_path):
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    counts = load_register(con, binh_thuan_2021)
    assert counts["org_units_by_level"]["district"] == 10 and counts["register_crosswalk"] == 0
    counts = load_register(con, lam_dong)
    crosswalk_rows = len(read(lam_dong / "crosswalk.csv"))
    assert counts["register_crosswalk"] == crosswalk_rows
    assert con.execute("select count(*) from raw.register_crosswalk where row_valid").fetchone()[0] == crosswalk_rows
    # the divided communes have no village rows yet: flagged info, rows kept
    info = con.execute("select distinct former_code from raw.register_crosswalk where severity = 'info'").fetchall()
    assert {c for (c,) in info} == {
        r["former_code"] for r in read(lam_dong / "crosswalk.csv") if r["divided"] == "true"
    }


def test_crosswalk_bad_rows_are_reported_not_lost(lam_dong, tmp_path):
    folder = tmp_path / "reg"
    folder.mkdir()
    org = (lam_dong / "org_units.csv").read_text(encoding="utf-8")
    divided = next(r for r in read(lam_dong / "crosswalk.csv") if r["divided"] == "true")
    village = divided["new_code"] + "001"
    (folder / "org_units.csv").write_text(org + f"{village},Thôn 1,village,{divided['new_code']},2025-07-01,\n")
    (folder / "agencies.csv").write_text((lam_dong / "agencies.csv").read_text(encoding="utf-8"))
    written = read(lam_dong / "crosswalk.csv")
    good = written[:5] + [r for r in written if r["former_code"] == divided["former_code"]]
    bad = {
        "new_code": {**good[0], "new_code": "99999"},  # not a commune of the register
        "date": {**good[1], "effective_date": "01/07/2025"},  # not an ISO date
        "flag": {**good[2], "divided": "maybe"},
        "duplicate": good[3],
        "village": {**divided, "village_code": "99999999"},  # a village not in the register
    }
    rows_in = good + [{**divided, "village_code": village}] + list(bad.values())  # that village row is fine
    with open(folder / "crosswalk.csv", "w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=CROSSWALK_COLUMNS)
        writer.writeheader()
        writer.writerows(rows_in)
    con = duckdb.connect()
    counts = load_register(con, folder)
    assert counts["register_crosswalk"] == len(good) + 1
    rows = con.execute("select line_number, row_valid, reason from raw.register_crosswalk order by 1").fetchall()
    assert len(rows) == len(rows_in)
    invalid = {line: why for line, ok, why in rows if not ok}
    first_bad = len(good) + 1 + 2  # the header is line 1
    line = dict(zip(bad, range(first_bad, first_bad + len(bad))))
    assert sorted(invalid) == sorted(line.values())
    assert "99999" in invalid[line["new_code"]] and "01/07/2025" in invalid[line["date"]]
    assert "maybe" in invalid[line["flag"]] and "99999999" in invalid[line["village"]]
    assert f"trùng dòng {3 + 2}" in invalid[line["duplicate"]]
    # the village row lifts the divided commune's info flag: the findings are the bad rows, one line each
    assert len(counts["crosswalk_findings"]) == len(invalid)
    assert all(f.startswith("crosswalk.csv dòng ") for f in counts["crosswalk_findings"])


def test_crosswalk_staging_model_builds(lam_dong, tmp_path):
    """The staging model over raw.register_crosswalk, and its tests, with real dbt on a real warehouse."""
    warehouse = tmp_path / "w.duckdb"
    con = duckdb.connect(str(warehouse))
    load_register(con, lam_dong)
    con.close()
    env = {**os.environ, "ANTQ_WAREHOUSE": str(warehouse), "DBT_LOG_PATH": str(tmp_path / "logs")}
    # cautious: only the tests of these two models, not those of models not built here
    command = ["build", "--select", "stg_register_crosswalk stg_register_org_units", "--indirect-selection", "cautious"]
    done = subprocess.run(
        [str(Path(sys.executable).parent / "dbt"), *command, "--target-path", str(tmp_path / "t")],
        cwd=ROOT / "dbt_project",
        env=env,
        capture_output=True,
        text=True,
    )
    assert "stg_register_crosswalk" in done.stdout
    assert done.returncode == 0, done.stdout[-3000:]
    con = duckdb.connect(str(warehouse), read_only=True)
    n, divided = con.execute(
        "select count(*), count(*) filter (where is_divided) from main.stg_register_crosswalk"
    ).fetchone()
    assert n == len(read(lam_dong / "crosswalk.csv")) and divided > 0


def test_register_command_refuses(lam_dong, tmp_path, capsys):
    assert main(["register", "atlantis", "--out", str(tmp_path / "x")]) == 2
    assert 'không có tỉnh "atlantis"' in capsys.readouterr().err
    assert not (tmp_path / "x").exists()
    before = (lam_dong / "org_units.csv").read_bytes()
    assert main(["register", "68", "--out", str(lam_dong)]) == 2
    err = capsys.readouterr().err
    assert "--force" in err and len(err.strip().splitlines()) == 1
    assert (lam_dong / "org_units.csv").read_bytes() == before
    assert main(["register", "68", "--out", str(lam_dong), "--force"]) == 0
    out = capsys.readouterr().out
    assert "level=village" in out and "agencies.csv" in out
    assert (lam_dong / "org_units.csv").read_bytes() == before  # the same data, written again
