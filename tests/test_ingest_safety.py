"""ingestion.safety: every kind of unsafe or unreadable file is refused, before any parser opens it,
with its Vietnamese reason; parse_workbook turns the refusal into UNREADABLE_FILE."""

from __future__ import annotations

import os
import zipfile

import openpyxl
import pytest

from ingestion.safety import MB, OLE2_SIGNATURE, Limits, inspect, unsafe_reason
from ingestion.workbook import parse_workbook


@pytest.fixture
def good(tmp_path, write_xlsx, commune_sheets):
    return write_xlsx(tmp_path / "good.xlsx", commune_sheets())


def rewrite_zip(src, dst, replace: dict[str, bytes] | None = None, extra: dict[str, bytes] | None = None):
    """Copy the zip `src` to `dst`, replacing or adding members."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            zout.writestr(info.filename, (replace or {}).get(info.filename, zin.read(info)))
        for name, data in (extra or {}).items():
            zout.writestr(name, data)
    return dst


def bomb(path, members: dict[str, int]):
    """A zip holding `members` of that many zero bytes each (streamed, so memory stays small), plus
    an empty xl/workbook.xml."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("xl/workbook.xml", "<workbook/>")
        for name, size in members.items():
            with zf.open(name, "w", force_zip64=True) as fh:
                block = b"\0" * MB
                for _ in range(size // MB):
                    fh.write(block)
    return path


def test_a_good_workbook_is_safe(good):
    assert unsafe_reason(good) is None


def test_random_bytes(tmp_path):
    path = tmp_path / "rac.xlsx"
    path.write_bytes(b"\x00garbage" * 600)
    assert unsafe_reason(path) == "không phải tệp Excel .xlsx"


def test_text_file(tmp_path):
    path = tmp_path / "ghi_chu.txt"
    path.write_text("Báo cáo gửi sau", encoding="utf-8")
    assert unsafe_reason(path) == "không phải tệp Excel .xlsx"


def test_empty_file(tmp_path):
    path = tmp_path / "rong.xlsx"
    path.write_bytes(b"")
    assert unsafe_reason(path) == "tệp rỗng (0 byte)"


def test_truncated_zip(tmp_path, good):
    path = tmp_path / "cut.xlsx"
    path.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    assert unsafe_reason(path) == "tệp .xlsx bị hỏng hoặc không đầy đủ"


def test_legacy_xls(tmp_path):
    path = tmp_path / "cu.xls"
    path.write_bytes(OLE2_SIGNATURE + b"\0" * 504 + "Workbook".encode("utf-16-le") + b"\0" * 2000)
    assert unsafe_reason(path).startswith("định dạng Excel cũ (.xls)")


def test_password_protected_workbook(tmp_path):
    path = tmp_path / "matkhau.xlsx"
    path.write_bytes(
        OLE2_SIGNATURE
        + b"\0" * 504
        + "EncryptionInfo".encode("utf-16-le")
        + b"\0" * 64
        + "EncryptedPackage".encode("utf-16-le")
        + b"\0" * 2000
    )
    assert unsafe_reason(path).startswith("tệp được đặt mật khẩu")


def test_too_large_on_disk(good):
    assert unsafe_reason(good, Limits(max_file_bytes=1000)).startswith("tệp quá lớn")


def test_zip_bomb_by_compression_ratio(tmp_path):
    path = bomb(tmp_path / "ratio.xlsx", {"xl/media/image1.bin": 8 * MB})
    assert path.stat().st_size < MB
    assert unsafe_reason(path).startswith("tỷ lệ nén bất thường")


def test_zip_bomb_by_total_size(tmp_path):
    path = bomb(tmp_path / "total.xlsx", {"xl/media/image1.bin": 101 * MB})
    assert path.stat().st_size < 2 * MB
    assert unsafe_reason(path).startswith("dung lượng sau giải nén quá lớn")


def test_xml_entity_bomb(tmp_path, good):
    with zipfile.ZipFile(good) as zf:
        xml = zf.read("xl/workbook.xml")
    evil = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]>'
        + xml.split(b"?>", 1)[-1]
    )
    path = rewrite_zip(good, tmp_path / "entity.xlsx", {"xl/workbook.xml": evil})
    assert unsafe_reason(path) == "thành phần xl/workbook.xml chứa khai báo DOCTYPE/ENTITY, không an toàn"


def test_utf16_xml_member(tmp_path, good):
    with zipfile.ZipFile(good) as zf:
        xml = zf.read("xl/workbook.xml")
    path = rewrite_zip(good, tmp_path / "utf16.xlsx", {"xl/workbook.xml": xml.decode().encode("utf-16")})
    assert unsafe_reason(path) == "thành phần xl/workbook.xml không dùng bảng mã UTF-8"


def test_zip_without_workbook_xml(tmp_path):
    path = tmp_path / "word.xlsx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("word/document.xml", "<document/>")
    assert unsafe_reason(path) == "không có xl/workbook.xml, không phải sổ tính Excel"


def test_far_apart_cells_are_refused_before_the_reader_allocates_them(tmp_path):
    """A value in A1 and one in XFD1048576 would make the Excel reader allocate the whole sheet and
    abort the process; the check refuses the 5 KB file instead."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Thông tin chung"
    ws["A1"] = "Cấp báo cáo"
    ws["XFD1048576"] = "x"
    path = tmp_path / "sparse.xlsx"
    wb.save(path)
    assert path.stat().st_size < 10_000
    assert unsafe_reason(path).startswith("trang tính xl/worksheets/sheet1.xml có vùng dữ liệu quá lớn")
    parsed = parse_workbook(path, "sparse.xlsx")
    assert (parsed.status, parsed.check_code) == ("rejected", "UNREADABLE_FILE")


def test_cells_without_references_still_count(tmp_path, good):
    """Cells with no `r` attribute are placed one after another: a row of them at the last row."""
    with zipfile.ZipFile(good) as zf:
        sheet = zf.read("xl/worksheets/sheet1.xml")
    many = b'<row r="1048576">' + b'<c t="inlineStr"><is><t>x</t></is></c>' * 10 + b"</row>"
    sheet = sheet.replace(b"</sheetData>", many + b"</sheetData>")
    path = rewrite_zip(good, tmp_path / "norefs.xlsx", {"xl/worksheets/sheet1.xml": sheet})
    assert unsafe_reason(path).startswith("trang tính xl/worksheets/sheet1.xml có vùng dữ liệu quá lớn")


def test_parse_workbook_refuses_an_unsafe_file_without_opening_it(tmp_path, monkeypatch):
    path = tmp_path / "cu.xls"
    path.write_bytes(OLE2_SIGNATURE + b"\0" * 1000)

    def never(*_):
        raise AssertionError("the parser opened an unsafe file")

    monkeypatch.setattr("ingestion.workbook.CalamineWorkbook.from_path", never, raising=False)
    monkeypatch.setattr("ingestion.workbook.CalamineWorkbook.from_filelike", never, raising=False)
    parsed = parse_workbook(path, "cu.xls")
    assert (parsed.status, parsed.check_code) == ("rejected", "UNREADABLE_FILE")
    assert parsed.reason.startswith("định dạng Excel cũ (.xls)")


def test_xml_is_recognised_by_content_not_by_name(tmp_path, good):
    hidden = b'<worksheet><sheetData><row r="1048576"><c r="XFD1048576"><v>1</v></c></row></sheetData></worksheet>'
    path = rewrite_zip(good, tmp_path / "hidden.xlsx", extra={"xl/worksheets/data.bin": hidden})
    assert unsafe_reason(path).startswith("trang tính xl/worksheets/data.bin có vùng dữ liệu quá lớn")
    image = b"\x89PNG\r\n\x1a\n" + b"\x00" * 5000
    path = rewrite_zip(good, tmp_path / "image.xlsx", extra={"xl/media/image1.png": image})
    assert unsafe_reason(path) is None


def test_member_larger_than_its_declared_size(tmp_path, good):
    """Sizes in the zip directory that lie are refused, not trusted and not followed."""
    data = bytearray(good.read_bytes())
    with zipfile.ZipFile(good) as zf:
        info = zf.getinfo("xl/workbook.xml")
    smaller = (info.file_size // 2).to_bytes(4, "little")
    data[info.header_offset + 22 : info.header_offset + 26] = smaller  # local header
    name = info.filename.encode()
    entry = data.find(b"PK\x01\x02")
    while entry >= 0:  # central directory
        if data[entry + 46 : entry + 46 + len(name)] == name:
            data[entry + 24 : entry + 28] = smaller
        entry = data.find(b"PK\x01\x02", entry + 4)
    path = tmp_path / "lying.xlsx"
    path.write_bytes(bytes(data))
    with zipfile.ZipFile(path) as zf:
        assert zf.getinfo("xl/workbook.xml").file_size == info.file_size // 2
    assert unsafe_reason(path) == "tệp .xlsx bị hỏng hoặc không đầy đủ"


def declaration_at(xml: bytes, at: int, declaration: bytes = b'<!DOCTYPE x [<!ENTITY a "aaaa">]>') -> bytes:
    """`xml` with `declaration` starting `at` bytes into the part, after an XML comment of random hex
    (compressible only about twice: no ratio limit is hit)."""
    head, body = (b'<?xml version="1.0" encoding="UTF-8"?>\n', xml.split(b"?>", 1)[-1])
    pad = at - len(head) - len(b"<!---->")
    comment = b"<!--" + os.urandom(pad // 2 + 1).hex().encode()[:pad] + b"-->"
    out = head + comment + declaration + body
    assert out.index(declaration) == at
    return out


@pytest.mark.parametrize("member", ["xl/workbook.xml", "xl/worksheets/sheet1.xml"])
@pytest.mark.parametrize(
    "at",
    [
        10 * 1024,  # past the first 8 KB, the only bytes searched before
        Limits().xml_prefix_bytes - 4,  # cut in two by the first chunk boundary
        Limits().xml_prefix_bytes + MB - 5,  # cut in two by the second
    ],
)
def test_a_declaration_anywhere_in_an_xml_part_is_refused(tmp_path, good, member, at):
    with zipfile.ZipFile(good) as zf:
        xml = zf.read(member)
    path = rewrite_zip(good, tmp_path / "deep.xlsx", {member: declaration_at(xml, at)})
    why = f"thành phần {member} chứa khai báo DOCTYPE/ENTITY, không an toàn"
    assert unsafe_reason(path) == why
    parsed = parse_workbook(path, "deep.xlsx")
    assert (parsed.status, parsed.check_code, parsed.reason) == ("rejected", "UNREADABLE_FILE", why)


def test_a_doctype_without_entities_is_refused_too(tmp_path, good):
    with zipfile.ZipFile(good) as zf:
        xml = zf.read("xl/workbook.xml")
    path = rewrite_zip(
        good, tmp_path / "doctype.xlsx", {"xl/workbook.xml": declaration_at(xml, 12_000, b"<!doctype workbook>")}
    )
    assert unsafe_reason(path) == "thành phần xl/workbook.xml chứa khai báo DOCTYPE/ENTITY, không an toàn"


def test_the_check_notes_the_parts_holding_error_cells(tmp_path, good):
    """Error cells (which the reader gives as blanks) are looked for in those parts only."""
    assert inspect(good).error_parts == frozenset()
    wb = openpyxl.load_workbook(good)
    wb["Thôn, khu phố"]["E2"].value = "#DIV/0!"
    wb["Thôn, khu phố"]["E2"].data_type = "e"
    wb.save(tmp_path / "loi.xlsx")
    found = inspect(tmp_path / "loi.xlsx")
    assert (found.reason, found.error_parts) == (None, frozenset({"xl/worksheets/sheet2.xml"}))
