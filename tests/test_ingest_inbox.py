"""ingest_inbox on a real DuckDB file: every file of the inbox is recorded, bad ones with their reason,
all rows of the good ones land with their lineage, and re-runs replace exactly what changed."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import zipfile

import duckdb
import pytest

from ingestion import inbox as inbox_module
from ingestion.inbox import ingest_inbox
from ingestion.safety import OLE2_SIGNATURE
from ingestion.schema import tables

VILLAGES_A = [
    ["22915001", "Khu phố 1", "Có", "Có", 500, 450],
    [None, None, None, None, None, None],
    ["22915002", "Khu phố 2", "Không", "Có", "1.234", 1000],
    [None, "Tổng cộng", None, None, 1734, 1450],
]
MODELS_B = [
    ["Tên mô hình", "Nhóm", "Mã thôn", "Năm thành lập"],
    ["Camera an ninh", "3", "22918001", 2019],
    ["Sai nhóm", "9", None, None],
]


@pytest.fixture
def con(tmp_path):
    connection = duckdb.connect(str(tmp_path / "warehouse.duckdb"))
    yield connection
    connection.close()


@pytest.fixture
def inbox(tmp_path, write_xlsx, commune_sheets):
    """Two good commune workbooks (one in a subfolder) beside one file of every bad kind."""
    box = tmp_path / "inbox"
    good = write_xlsx(box / "2021-H1/xa_22915.xlsx", commune_sheets(villages=VILLAGES_A))
    write_xlsx(
        box / "2021-H1/huyen_593/xa_22918.xlsx",
        commune_sheets(
            {"Mã đơn vị": 22918, "Tên đơn vị": "Phường Hàm Tiến"},
            [["22918001", "Khu phố 1", "Có", None, 300, 200]],
            {"Mô hình": MODELS_B},
        ),
    )
    (box / "rac.xlsx").write_bytes(b"\x00garbage" * 500)
    (box / "cut.xlsx").write_bytes(good.read_bytes()[:3000])
    (box / "cu.xls").write_bytes(OLE2_SIGNATURE + b"\0" * 2000)
    (box / "matkhau.xlsx").write_bytes(OLE2_SIGNATURE + b"\0" * 500 + "EncryptionInfo".encode("utf-16-le"))
    with zipfile.ZipFile(box / "bom.xlsx", "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("xl/workbook.xml", "<workbook/>")
        zf.writestr("xl/media/image1.bin", b"\0" * (4 * 1024 * 1024))
    with zipfile.ZipFile(box / "entity.xlsx", "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("xl/workbook.xml", '<!DOCTYPE x [<!ENTITY a "aaaa">]><workbook>&a;</workbook>')
    missing_sheet = commune_sheets()
    del missing_sheet["Thôn, khu phố"]
    write_xlsx(box / "thieu_trang.xlsx", missing_sheet)
    write_xlsx(box / "khong_cap.xlsx", commune_sheets({"Cấp báo cáo": None}))
    (box / "ghi_chu.txt").write_text("gửi bổ sung sau", encoding="utf-8")
    (box / "2021-H1/~$xa_22915.xlsx").write_bytes(b"\x0bNguyen Van A" + b" " * 150)
    return box


EXPECTED_STATUS = {
    "2021-H1/xa_22915.xlsx": ("ingested", None, None),
    "2021-H1/huyen_593/xa_22918.xlsx": ("ingested", None, None),
    "2021-H1/~$xa_22915.xlsx": ("rejected", "UNREADABLE_FILE", "tệp khóa tạm"),
    "bom.xlsx": ("rejected", "UNREADABLE_FILE", "tỷ lệ nén bất thường"),
    "cu.xls": ("rejected", "UNREADABLE_FILE", "định dạng Excel cũ (.xls)"),
    "cut.xlsx": ("rejected", "UNREADABLE_FILE", "tệp .xlsx bị hỏng hoặc không đầy đủ"),
    "entity.xlsx": ("rejected", "UNREADABLE_FILE", "thành phần xl/workbook.xml chứa khai báo DOCTYPE/ENTITY"),
    "ghi_chu.txt": ("rejected", "UNREADABLE_FILE", "không phải tệp Excel .xlsx"),
    "khong_cap.xlsx": ("rejected", "INVALID_COVER", 'thiếu "Cấp báo cáo"'),
    "matkhau.xlsx": ("rejected", "UNREADABLE_FILE", "tệp được đặt mật khẩu"),
    "rac.xlsx": ("rejected", "UNREADABLE_FILE", "không phải tệp Excel .xlsx"),
    "thieu_trang.xlsx": ("rejected", "UNREADABLE_FILE", 'thiếu trang bắt buộc "Thôn, khu phố"'),
}


def files_table(con) -> dict[str, tuple]:
    rows = con.execute("select source_file, status, check_code, reason from raw.files").fetchall()
    return {f: (status, code, why) for f, status, code, why in rows}


def snapshot(con) -> dict[str, list]:
    """Every raw submission table, sorted, without the run's timestamp."""
    out = {}
    for table in ("villages", "models", "cell_issues"):
        out[table] = sorted(con.execute(f"select * from raw.{table}").fetchall(), key=repr)
    out["files"] = sorted(con.execute("select * exclude (ingested_at) from raw.files").fetchall(), key=repr)
    return out


def test_every_file_is_recorded_and_all_good_rows_land(con, inbox):
    summary = ingest_inbox(con, inbox)
    assert (summary.files_seen, summary.parsed, summary.ingested, summary.rejected) == (12, 11, 2, 10)
    assert (summary.unchanged, summary.removed) == (0, 0)

    found = files_table(con)
    assert set(found) == set(EXPECTED_STATUS)
    for source, (status, code, why) in EXPECTED_STATUS.items():
        assert found[source][:2] == (status, code), source
        assert (found[source][2] or "").startswith(why or ""), (source, found[source][2])

    rows = con.execute(
        "select source_file, sheet_name, row_number, village_code, households_total, "
        "file_sha256 from raw.villages order by source_file, row_number"
    ).fetchall()
    sha_a = hashlib.sha256((inbox / "2021-H1/xa_22915.xlsx").read_bytes()).hexdigest()
    assert [r[:5] for r in rows] == [
        ("2021-H1/huyen_593/xa_22918.xlsx", "Thôn, khu phố", 2, "22918001", 300),
        ("2021-H1/xa_22915.xlsx", "Thôn, khu phố", 2, "22915001", 500),
        ("2021-H1/xa_22915.xlsx", "Thôn, khu phố", 4, "22915002", 1234),
    ]
    assert rows[1][5] == sha_a
    assert summary.rows_by_table["villages"] == 3 and summary.rows_by_table["models"] == 2

    models = con.execute("select model_name, model_group, row_valid from raw.models order by row_number").fetchall()
    assert models == [("Camera an ninh", "3", True), ("Sai nhóm", None, False)]
    issues = con.execute(
        "select source_file, sheet_name, row_number, column_header, check_code, unit_code "
        "from raw.cell_issues order by row_number"
    ).fetchall()
    assert issues == [
        ("2021-H1/huyen_593/xa_22918.xlsx", "Thôn, khu phố", 2, "Đăng ký An toàn về ANTT", "MISSING_VALUE", "22918001"),
        ("2021-H1/huyen_593/xa_22918.xlsx", "Mô hình", 3, "Nhóm", "INVALID_VALUE", None),
    ]
    cover = con.execute(
        "select code, period, created_on, version, commune_safe from raw.files "
        "where source_file = '2021-H1/huyen_593/xa_22918.xlsx'"
    ).fetchone()
    assert cover == ("22918", "2021-H1", dt.date(2021, 7, 2), 1, True)
    invalid = con.execute("select code, name from raw.files where source_file = 'khong_cap.xlsx'").fetchone()
    assert invalid == ("22915", "Phường Mũi Né")  # what was readable names the reporting unit


def test_unchanged_inbox_is_not_parsed_again(con, inbox):
    ingest_inbox(con, inbox)
    before = snapshot(con)
    summary = ingest_inbox(con, inbox)
    assert (summary.parsed, summary.unchanged, summary.ingested, summary.rejected, summary.removed) == (0, 12, 0, 0, 0)
    assert snapshot(con) == before

    summary = ingest_inbox(con, inbox, reparse=True)  # after a parser or catalogue change
    assert (summary.parsed, summary.unchanged, summary.ingested, summary.rejected) == (11, 0, 2, 10)
    assert snapshot(con) == before


def test_changed_file_replaces_its_rows_and_removed_file_takes_them(con, inbox, write_xlsx, commune_sheets):
    ingest_inbox(con, inbox)
    write_xlsx(
        inbox / "2021-H1/xa_22915.xlsx", commune_sheets(villages=[["22915003", "Khu phố 3", "Có", "Có", 80, 70]])
    )
    (inbox / "2021-H1/huyen_593/xa_22918.xlsx").unlink()
    (inbox / "ghi_chu.txt").unlink()

    summary = ingest_inbox(con, inbox)
    assert (summary.files_seen, summary.parsed, summary.ingested, summary.removed) == (10, 1, 1, 2)
    assert con.execute("select source_file, village_code from raw.villages").fetchall() == [
        ("2021-H1/xa_22915.xlsx", "22915003")
    ]
    for table in ("models", "cell_issues"):
        assert con.execute(f"select count(*) from raw.{table}").fetchone() == (0,)
    assert set(files_table(con)) == set(EXPECTED_STATUS) - {"2021-H1/huyen_593/xa_22918.xlsx", "ghi_chu.txt"}


def test_parallel_parsing_gives_the_same_tables(tmp_path, write_xlsx, commune_sheets):
    box = tmp_path / "many"
    for i in range(inbox_module.SERIAL_BELOW + 8):
        code = f"{22900 + i}"
        villages = [
            [f"{code}{v:03d}", f"Thôn {v}", "Có", "x" if v % 2 else "Không", 100 + i, 50 + v] for v in range(1, 4)
        ]
        write_xlsx(box / f"xa_{code}.xlsx", commune_sheets({"Mã đơn vị": code}, villages, {"Mô hình": MODELS_B}))
    (box / "rac.xlsx").write_bytes(b"not a workbook")
    calls = []
    results = {}
    for workers in (1, 2):
        con = duckdb.connect(str(tmp_path / f"w{workers}.duckdb"))
        summary = ingest_inbox(con, box, workers=workers, progress=lambda d, t, w=workers: calls.append((w, d, t)))
        assert (summary.parsed, summary.ingested, summary.rejected) == (41, 40, 1)
        results[workers] = snapshot(con)
        con.close()
    assert results[1] == results[2]
    assert len(results[2]["villages"]) == 120
    assert (2, 41, 41) in calls and (1, 41, 41) in calls
    assert all(done <= total == 41 for _, done, total in calls)


def crash_on_marked_file(tasks):
    """A worker task that kills its process for one file, as a crash in native code would."""
    if any(source.endswith("crash.xlsx") for _, source, _ in tasks):
        os._exit(3)
    return inbox_module.parse_chunk(tasks)


def test_a_file_killing_its_worker_is_the_only_one_lost(tmp_path, write_xlsx, commune_sheets):
    names = [f"xa_{i}.xlsx" for i in range(inbox_module.SERIAL_BELOW)] + ["crash.xlsx"]
    tasks = []
    for name in names:
        path = write_xlsx(tmp_path / name, commune_sheets())
        tasks.append((str(path), name, None))
    chunks = inbox_module._parse_all(tasks, 2, None, parse=crash_on_marked_file)
    by_name = {r.source_file: r for chunk in chunks for r in chunk.files}
    assert set(by_name) == set(names)
    assert by_name["crash.xlsx"].check_code == "UNREADABLE_FILE"
    assert by_name["crash.xlsx"].reason == "trình đọc Excel dừng đột ngột khi mở tệp này"
    assert all(by_name[n].status == "ingested" for n in names if n != "crash.xlsx")


def test_raw_tables_have_the_architecture_schema(con, inbox):
    ingest_inbox(con, inbox)
    columns = {}
    for table, column, sql_type in con.execute(
        "select table_name, column_name, data_type from information_schema.columns "
        "where table_schema = 'raw' order by table_name, ordinal_position"
    ).fetchall():
        columns.setdefault(table, []).append((column, sql_type))
    assert columns == tables()
    files = dict(columns["files"])
    assert [c for c, _ in columns["files"][:8]] == [
        "source_file",
        "file_sha256",
        "size_bytes",
        "modified_at",
        "status",
        "check_code",
        "reason",
        "ingested_at",
    ]
    assert (files["created_on"], files["version"], files["modified_at"], files["commune_safe"]) == (
        "DATE",
        "INTEGER",
        "TIMESTAMP",
        "BOOLEAN",
    )
    assert "name_key" in files and "name_raw" in files
    villages = dict(columns["villages"])
    assert (
        villages["households_total"],
        villages["plan_issued"],
        villages["village_name_key"],
        villages["row_number"],
        villages["row_valid"],
    ) == ("BIGINT", "BOOLEAN", "VARCHAR", "INTEGER", "BOOLEAN")
    assert dict(columns["models"])["founded_year"] == "INTEGER"


def test_modified_at_is_the_file_mtime_in_utc(con, tmp_path, write_xlsx, commune_sheets):
    box = tmp_path / "box"
    path = write_xlsx(box / "xa.xlsx", commune_sheets())
    stamp = dt.datetime(2021, 7, 3, 8, 30, tzinfo=dt.UTC)
    os.utime(path, (stamp.timestamp(), stamp.timestamp()))
    ingest_inbox(con, box)
    assert con.execute("select modified_at, size_bytes from raw.files").fetchone() == (
        stamp.replace(tzinfo=None),
        path.stat().st_size,
    )


def test_symlinks_are_recorded_not_followed(con, tmp_path, write_xlsx, commune_sheets):
    outside = write_xlsx(tmp_path / "outside/xa.xlsx", commune_sheets())
    box = tmp_path / "box"
    box.mkdir()
    (box / "link.xlsx").symlink_to(outside)
    (box / "linkdir").symlink_to(outside.parent, target_is_directory=True)
    ingest_inbox(con, box)
    assert files_table(con) == {
        "link.xlsx": ("rejected", "UNREADABLE_FILE", inbox_module.reason("symlink")),
        "linkdir": ("rejected", "UNREADABLE_FILE", inbox_module.reason("symlink")),
    }
    assert con.execute("select count(*) from raw.villages").fetchone() == (0,)


def test_outdated_raw_tables_are_rebuilt_and_every_file_parsed(con, tmp_path, write_xlsx, commune_sheets):
    box = tmp_path / "box"
    write_xlsx(box / "xa.xlsx", commune_sheets())
    ingest_inbox(con, box)
    con.execute("alter table raw.villages drop column village_name_key")
    summary = ingest_inbox(con, box)
    assert summary.parsed == 1
    assert con.execute("select village_name_key from raw.villages").fetchall() == [("khu phố 1",)]


def test_missing_inbox_folder_is_an_error(con, tmp_path):
    with pytest.raises(NotADirectoryError):
        ingest_inbox(con, tmp_path / "nowhere")


def write_bytes_path(folder, name: bytes, data: bytes) -> bytes:
    """Write `data` to the file `name` (raw bytes, maybe not UTF-8) in `folder`; return its bytes path,
    as a Windows zip with Vietnamese names leaves them when unpacked on Linux."""
    path = os.path.join(os.fsencode(folder), name)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    try:
        os.write(fd, data)
    finally:
        os.close(fd)
    return path


def test_a_file_name_that_is_not_utf8_is_ingested_under_a_stable_name(con, tmp_path, write_xlsx, commune_sheets):
    from ingestion.cover import inbox_fingerprints, read_period

    box = tmp_path / "box"
    box.mkdir()
    data = write_xlsx(tmp_path / "src.xlsx", commune_sheets()).read_bytes()
    write_bytes_path(box, b"b\xe1o_c\xe1o.xlsx", data)  # Latin-1 bytes: not UTF-8
    os.mkdir(os.path.join(os.fsencode(box), b"huy\xea\xean"))
    write_bytes_path(os.path.join(os.fsencode(box), b"huy\xea\xean"), "xã.xlsx".encode(), data)
    shown = {"b\\xe1o_c\\xe1o.xlsx", "huy\\xea\\xean/xã.xlsx"}  # undecodable bytes as \xNN

    summary = ingest_inbox(con, box)
    assert (summary.files_seen, summary.parsed, summary.ingested, summary.rejected) == (2, 2, 2, 0)
    assert files_table(con) == {name: ("ingested", None, None) for name in shown}
    rows = con.execute("select source_file, village_code, file_sha256 from raw.villages").fetchall()
    sha = hashlib.sha256(data).hexdigest()
    assert sorted(rows) == sorted((name, "22915001", sha) for name in shown)
    for (name,) in con.execute("select source_file from raw.files").fetchall():
        name.encode("utf-8")  # valid UTF-8 all the way

    before = snapshot(con)
    again = ingest_inbox(con, box)  # same path, same SHA-256
    assert (again.parsed, again.unchanged, again.ingested, again.removed) == (0, 2, 0, 0)
    assert snapshot(con) == before

    fingerprints = inbox_fingerprints(box)  # the sensor's view
    assert fingerprints == {name: sha for name in shown}
    json.dumps(fingerprints, ensure_ascii=False).encode("utf-8")
    assert {read_period(box / name) for name in fingerprints} == {"2021-H1"}
