"""Issue 14: the work per file is bounded. A data sheet is read at most its row limit below its header
(catalog/workbook.yaml `row_limits`, scaled by the register), the cover at most its own; the rows past
the limit are not read and the sheet gets one SHEET_TOO_MANY_ROWS finding naming its size and the
limit, while the rows above the limit are read as usual (a valid row there is never lost).
Workbooks are written here with openpyxl, junk ones in write-only mode as a generator would."""

from __future__ import annotations

import time

import duckdb
import pytest
from build_helpers import build, findings, indicators, write_register
from openpyxl import Workbook
from python_calamine import CalamineWorkbook

import catalog
from ingestion.inbox import ingest_inbox
from ingestion.register import load_register
from ingestion.workbook import parse_workbook, register_row_limits, row_limits

TOO_MANY = "SHEET_TOO_MANY_ROWS"
VILLAGES = catalog.workbook()["sheets"]["villages"]["sheet"]
COVER = catalog.workbook()["cover"]["sheet"]
HEADER = ["Mã thôn", "Tên thôn, khu phố", "Ban hành kế hoạch", "Đăng ký An toàn về ANTT", "Tổng số hộ", "Số hộ đăng ký"]
FLOORS = {layout: spec["floor"] for layout, spec in catalog.workbook()["row_limits"].items()}


def _cover(code="22915", name="Phường Mũi Né"):
    return [
        ["Cấp báo cáo", "Xã"],
        ["Mã đơn vị", code],
        ["Tên đơn vị", name],
        ["Kỳ báo cáo", "2021-H1"],
        ["Ngày lập", "05/07/2021"],
        ["BCĐ xã ban hành kế hoạch", "Có"],
        ["Xã đăng ký An toàn về ANTT", "Có"],
    ]


def _write(path, cover: list[list], villages) -> object:
    """A commune workbook, streamed (openpyxl write-only): `villages` is an iterable of rows."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(COVER)
    for row in cover:
        ws.append(row)
    ws = wb.create_sheet(VILLAGES)
    ws.append(HEADER)
    for row in villages:
        ws.append(row)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


def _too_many(parsed) -> list[dict]:
    return [i for i in parsed.cell_issues if i["check_code"] == TOO_MANY]


def test_rows_past_the_limit_are_not_read_and_the_sheet_says_so(tmp_path):
    valid = [[f"22915{i:03d}", f"Khu phố {i}", "Có", "Có", 100, 90] for i in range(1, 4)]
    junk = [[None, f"rác {i}", None, "x"] for i in range(47)]  # 50 rows below the header
    path = _write(tmp_path / "xa.xlsx", _cover(), valid + junk)
    parsed = parse_workbook(path, "xa.xlsx", row_limits={"villages": 20})
    assert parsed.status == "ingested"
    rows = parsed.rows["villages"]
    assert [r["row_number"] for r in rows] == list(range(2, 22))  # the 20 rows under the header
    assert [r["village_code"] for r in rows if r["row_valid"]] == ["22915001", "22915002", "22915003"]
    (issue,) = _too_many(parsed)
    assert (issue["sheet_name"], issue["row_number"]) == (VILLAGES, 22)  # the first row not read
    assert '"Thôn, khu phố"' in issue["reason"] and "50 dòng" in issue["reason"]
    assert "tối đa 20 dòng" in issue["reason"] and "từ dòng 22" in issue["reason"]
    assert max(i["row_number"] or 0 for i in parsed.cell_issues) == 22


def test_a_sheet_within_its_limit_gives_no_finding(tmp_path):
    valid = [[f"22915{i:03d}", f"Khu phố {i}", "Có", "Có", 100, 90] for i in range(1, 21)]
    parsed = parse_workbook(_write(tmp_path / "xa.xlsx", _cover(), valid), "xa.xlsx", row_limits={"villages": 20})
    assert parsed.status == "ingested" and len(parsed.rows["villages"]) == 20
    assert _too_many(parsed) == []


def test_the_cover_is_bounded_too(tmp_path):
    cover = _cover() + [[f"ghi chú {i}", i] for i in range(300)]
    parsed = parse_workbook(_write(tmp_path / "xa.xlsx", cover, []), "xa.xlsx", row_limits={"cover": 50})
    assert parsed.status == "ingested" and parsed.cover["code"] == "22915"
    (issue,) = _too_many(parsed)
    assert (issue["sheet_name"], issue["row_number"]) == (COVER, 51)
    assert "307 dòng" in issue["reason"] and "tối đa 50 dòng" in issue["reason"]


def test_the_register_scales_the_limits(tmp_path):
    org = [
        ("97", "Tỉnh Thử", "province", ""),
        ("971", "Huyện Thử", "district", "97"),
        ("97101", "Xã Lớn", "commune", "971"),
        ("97102", "Xã Nhỏ", "commune", "971"),
    ]
    org += [(f"97101{i:03d}", f"Thôn {i}", "village", "97101") for i in range(1, 151)]
    org += [("97102001", "Thôn Một", "village", "97102")]
    agencies = [(f"A{i:03d}", f"Cơ quan {i}", "co_quan", "district", "971") for i in range(1, 31)]
    agencies += [(f"P{i:03d}", f"Sở {i}", "co_quan", "province", "") for i in range(1, 6)]
    con = duckdb.connect()
    load_register(con, write_register(tmp_path / "register", org, agencies))
    limits = register_row_limits(con)
    spec = catalog.workbook()["row_limits"]
    assert limits["villages"] == spec["villages"]["per_unit"] * 150 > FLOORS["villages"]
    assert limits["commune_models"] == max(FLOORS["commune_models"], spec["commune_models"]["per_unit"] * 150)
    assert limits["agencies"] == max(FLOORS["agencies"], spec["agencies"]["per_unit"] * 30)
    assert limits["force_support"] == FLOORS["force_support"]  # no register count to scale by
    assert row_limits() == FLOORS  # no register: the floors
    assert register_row_limits(duckdb.connect()) == FLOORS  # an empty warehouse too


def test_200000_junk_rows_are_read_in_seconds(tmp_path):
    """A workbook of 200,000 rows with a few cells each passes every safety limit; its ingest reads
    the rows up to the limit only, in a small multiple of a bare calamine read of the same file."""
    n = 200_000
    path = _write(tmp_path / "inbox" / "rac.xlsx", _cover(), ([None, f"rác {i}", None, "x"] for i in range(n)))

    started = time.perf_counter()
    wb = CalamineWorkbook.from_path(str(path))
    wb.get_sheet_by_name(VILLAGES).to_python(skip_empty_area=False)
    wb.close()
    floor = time.perf_counter() - started

    con = duckdb.connect(str(tmp_path / "warehouse.duckdb"))
    started = time.perf_counter()
    summary = ingest_inbox(con, tmp_path / "inbox")
    elapsed = time.perf_counter() - started
    print(f"\n{n} junk rows, {path.stat().st_size / 1e6:.1f} MB: ingest {elapsed:.2f} s, calamine read {floor:.2f} s")
    assert summary.ingested == 1
    limit = FLOORS["villages"]
    assert con.execute("select count(*) from raw.villages").fetchone()[0] == limit
    issues = con.execute("select row_number, reason from raw.cell_issues where check_code = ?", [TOO_MANY]).fetchall()
    assert len(issues) == 1 and issues[0][0] == limit + 2
    assert "200.000 dòng" in issues[0][1] and f"tối đa {limit:,} dòng".replace(",", ".") in issues[0][1]
    assert con.execute("select count(*) from raw.cell_issues").fetchone()[0] <= 4 * limit + 1
    assert elapsed < 4 * floor + 2.0, (elapsed, floor)


@pytest.fixture(scope="module")
def scaled_build(tmp_path_factory):
    """A build (the real assets) where the register makes the villages limit 1.200 (10 × 120 villages):
    the commune lists its 120 villages, then stray cells run down to row 1.400."""
    tmp = tmp_path_factory.mktemp("row_limits")
    villages = [(f"97101{i:03d}", f"Thôn {i}", "village", "97101") for i in range(1, 121)]
    register = write_register(
        tmp / "register", [("97", "Tỉnh Thử", "province", ""), ("97101", "Xã Lớn", "commune", "97"), *villages], []
    )
    rows = [[code, name, "Có", "Có", 100, 90] for code, name, _, _ in villages]
    rows += [[None] * 7 + [f"rác {i}"] for i in range(1_400 - 1 - len(rows))]  # column H: no header
    _write(tmp / "inbox" / "xa.xlsx", _cover("97101", "Xã Lớn"), rows)
    return build(tmp, "2021-H1", tmp / "inbox", register)


def test_the_build_passes_the_register_scaled_limit(scaled_build):
    found = [f for f in findings(scaled_build) if f["check"] == TOO_MANY]
    assert [(f["org_unit_code"], f["source_file"], f["sheet"], f["row"], f["severity"]) for f in found] == [
        ("97101", "xa.xlsx", VILLAGES, "1202", catalog.checks()[TOO_MANY]["severity"])
    ]
    assert "1.399 dòng" in found[0]["message"] and "tối đa 1.200 dòng" in found[0]["message"]
    got = indicators(scaled_build)
    assert got[("97", "safe_registered.villages")] == (120, 120)  # every valid row above the limit
