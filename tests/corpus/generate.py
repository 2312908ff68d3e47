"""The bad-input corpus: one small register and an inbox of one file per way a submission can go wrong
(contract section 5, issue 14), beside the good files whose rows must all land. Every file is written
here, by code (no binary blob is kept in git): the project's own workbook writer for workbooks,
openpyxl for error cells and odd cells, zipfile for hostile packages, raw bytes for the rest.

    python -m tests.corpus.generate --out DIR     # DIR/inbox, DIR/register, DIR/cases.md

`cases()` gives the definitions (no I/O; tests parametrise over them), `generate(inbox, register)` writes
the register and every case's files and returns the same list. A Case says what it exercises, the
findings it must give (check, org_unit_code, sheet, row, source_file, as dq_findings.csv spells them) or a
predicate over the findings, and the rows it must land: every village and agency row with the Excel row
it is on, whether raw.*.row_valid must be true and whether the row counts in the published figures.
tests/test_corpus.py builds the corpus once and checks all of it; see README.md beside this file.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import hashlib
import io
import os
import re
import shutil
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path
from typing import NamedTuple

P = "2021-H1"
CREATED = dt.date(2021, 7, 5)  # before the default deadline (20/07/2021): never late
ZIP_TIME = (2021, 7, 5, 8, 0, 0)  # member time of the zips written here: same bytes each run

# -- the register: 1 province, 2 districts, their communes and villages, a few agencies ---------------
PROVINCE = ("96", "Tỉnh Kiểm Thử")
DISTRICTS = {"961": "Huyện Một", "962": "Huyện Hai"}
# commune code -> (name, district, names of its villages 001, 002, ...)
COMMUNES: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "96101": ("Xã Đạt Chuẩn", "961", ("Thôn Phú Hòa", "Thôn Đông")),
    "96102": ("Xã Số Sai", "961", ("Thôn 1", "Thôn 2", "Thôn 3", "Thôn 4")),
    "96103": ("Xã Ô Trống", "961", ("Thôn 1", "Thôn 2")),
    "96104": ("Xã Hộ Vượt", "961", ("Thôn 1", "Thôn 2")),
    "96105": ("Xã Dòng Lặp", "961", ("Thôn 1", "Thôn 2")),
    "96106": ("Xã Mượn Thôn", "961", ("Thôn 1", "Thôn 2")),
    "96107": ("Xã Sai Tên", "961", ("Thôn Phú Hòa", "Thôn Hòa Bình")),
    "96108": ("Xã Thiếu Thôn", "961", ("Thôn 1", "Thôn 2", "Thôn 3")),
    "96201": ("Xã Nộp Lại", "962", ("Thôn 1", "Thôn 2")),
    "96202": ("Xã Tên Tệp Lạ", "962", ("Thôn 1", "Thôn 2")),
    "96203": ("Xã Số Khổng Lồ", "962", ("Thôn 1", "Thôn 2", "Thôn 3")),
    "96204": ("Xã Ô Lỗi", "962", ("Thôn 1", "Thôn 2", "Thôn 3", "Thôn 4")),
    "96205": ("Xã Ký Tự Ẩn", "962", ("Thôn 1", "Thôn 2")),
    "96206": ("Xã Ký Tự Điều Khiển", "962", ("Thôn Sáu A", "Thôn Sáu B")),
    "96207": ("Xã Trang Dài", "962", ("Thôn 1", "Thôn 2")),
    "96208": ("Xã Biểu Mẫu Trống", "962", ("Thôn 1", "Thôn 2")),
    "96209": ("Xã Im Lặng", "962", ("Thôn 1", "Thôn 2")),
}
# agency code -> (name, kind, managed_by, district_code)
AGENCIES: dict[str, tuple[str, str, str, str]] = {
    "P01": ("Sở Kiểm Thử", "co_quan", "province", ""),
    "P02": ("Trường THPT Kiểm Thử", "nha_truong", "province", ""),
    "D01-961": ("Trường Tiểu học Một", "nha_truong", "district", "961"),
    "D02-961": ("Công ty TNHH Một", "doanh_nghiep", "district", "961"),
    "D01-962": ("Trạm Y tế Hai", "co_quan", "district", "962"),
}
UNREGISTERED_COMMUNE = "96999"


def villages_of(commune: str) -> dict[str, str]:
    """{village code: name} of a register commune."""
    return {f"{commune}{i:03d}": name for i, name in enumerate(COMMUNES[commune][2], 1)}


def register_villages() -> dict[str, tuple[str, str]]:
    """{village code: (commune, district)} of the whole register."""
    return {v: (c, spec[1]) for c, spec in COMMUNES.items() for v in villages_of(c)}


def write_register(folder: Path) -> Path:
    """org_units.csv and agencies.csv (contract section 2)."""
    folder.mkdir(parents=True, exist_ok=True)
    org = [(PROVINCE[0], PROVINCE[1], "province", "")]
    org += [(code, name, "district", PROVINCE[0]) for code, name in DISTRICTS.items()]
    org += [(code, spec[0], "commune", spec[1]) for code, spec in COMMUNES.items()]
    org += [(v, name, "village", c) for c in COMMUNES for v, name in villages_of(c).items()]
    agencies = [(code, name, kind, managed, district) for code, (name, kind, managed, district) in AGENCIES.items()]
    for name, header, rows in (
        ("org_units.csv", ["code", "name", "level", "parent_code", "valid_from", "valid_to"], org),
        ("agencies.csv", ["code", "name", "kind", "managed_by", "district_code", "valid_from", "valid_to"], agencies),
    ):
        with open(folder / name, "w", encoding="utf-8", newline="") as fh:
            w = csv.writer(fh, lineterminator="\n")
            w.writerow(header)
            for r in rows:
                w.writerow(list(r) + [""] * (len(header) - len(r)))
    return folder


# -- workbook vocabulary, from the catalogue ----------------------------------------------------------


def _catalogue():
    import catalog

    return catalog.workbook()


def sheet_name(layout_id: str) -> str:
    return _catalogue()["sheets"][layout_id]["sheet"]


def cover_sheet() -> str:
    return _catalogue()["cover"]["sheet"]


def cover_row(level: str, field_id: str) -> int:
    """The Excel row of a cover field in a workbook written by workbook_format.writer (no title):
    the fields of the level in catalogue order, from row 1."""
    fields = [fid for fid, f in _catalogue()["cover"]["fields"].items() if level in f.get("levels", [level])]
    return fields.index(field_id) + 1


def villages_row_limit() -> int:
    """Rows read at most below the villages header for this register (catalog row_limits, scaled)."""
    from ingestion.workbook import row_limits

    per_commune = max(len(spec[2]) for spec in COMMUNES.values())
    per_reporter = max(
        sum(1 for a in AGENCIES.values() if (a[2], a[3]) == key) for key in {(a[2], a[3]) for a in AGENCIES.values()}
    )
    return row_limits({"villages_per_commune": per_commune, "agencies_per_reporter": per_reporter})["villages"]


def reason_text(key: str) -> str:
    """The fixed opening of an ingestion reason (ingestion.reasons), up to its first placeholder."""
    from ingestion.reasons import VI

    return VI[key].split("{", 1)[0]


# -- what a case expects ------------------------------------------------------------------------------


class Finding(NamedTuple):
    """One row of dq_findings.csv as the test compares it ('' for an empty cell)."""

    check: str
    org_unit_code: str
    sheet: str
    row: str
    source_file: str


def finding(check: str, org: str = "", sheet: str = "", row: int | str = "", file: str = "") -> Finding:
    return Finding(check, org, sheet, str(row), file)


@dataclass(frozen=True)
class V:
    """One row of a "Thôn, khu phố" sheet: the cells as written, and what must come of them.
    `village`: the register village it is about (default: the code cell); `valid`: raw.villages.row_valid;
    `counts`: the village is achieved (or not) through this row; `households`: its two household
    figures enter the sums."""

    code: object
    name: object
    plan: object
    safe: object
    total: object
    registered: object
    village: str | None = None
    valid: bool = True
    counts: bool = True
    households: bool = True

    def cells(self) -> dict:
        return {
            "village_code": self.code,
            "village_name": self.name,
            "plan_issued": self.plan,
            "safe_registered": self.safe,
            "households_total": self.total,
            "households_registered": self.registered,
        }


@dataclass(frozen=True)
class A:
    """One row of a "Cơ quan, DN, nhà trường" sheet (see V)."""

    code: str
    plan: bool
    safe: bool
    valid: bool = True
    counts: bool = True

    def cells(self) -> dict:
        name, kind, _, _ = AGENCIES[self.code]
        return {
            "agency_code": self.code,
            "agency_name": name,
            "agency_kind": kind,
            "plan_issued": self.plan,
            "safe_registered": self.safe,
        }


class VillageRow(NamedTuple):
    source_file: str
    row: int
    village: str
    plan: bool
    safe: bool
    total: int | None
    registered: int | None
    valid: bool
    counts: bool
    households: bool


class AgencyRow(NamedTuple):
    source_file: str
    row: int
    agency: str
    plan: bool
    safe: bool
    valid: bool
    counts: bool


class CoverRow(NamedTuple):
    """A workbook's cover as the figures read it: `counts` when it is its registered unit's winner."""

    source_file: str
    level: str
    code: str
    steering: bool
    safe: bool
    counts: bool


@dataclass(frozen=True)
class File:
    """One inbox entry of a case: its source_file, how to write it, the rows it must land."""

    source_file: str
    write: Callable[[Path], None] = field(repr=False, compare=False)
    villages: tuple[VillageRow, ...] = ()
    agencies: tuple[AgencyRow, ...] = ()
    covers: tuple[CoverRow, ...] = ()


@dataclass(frozen=True)
class Case:
    """One entry of the corpus.

    `expected`: the findings the case must give, exactly: every finding on one of its files is listed here,
    and so is every finding without a file that it causes (MISSING_SUBMISSION). `predicate`, when given,
    replaces that exact comparison: it receives every finding of the build and must hold (the case then
    claims every finding on its files). `messages`: text a listed finding's message must hold.
    `rows_land`: its valid rows must land in raw.* and count in the published figures (V/A say row by row)."""

    name: str
    exercises: str
    entries: tuple[File, ...] = field(repr=False)
    expected: tuple[Finding, ...] = ()
    predicate: Callable[[list[dict]], bool] | None = field(default=None, repr=False, compare=False)
    rows_land: bool = False
    messages: tuple[tuple[Finding, str], ...] = ()

    @property
    def files(self) -> tuple[str, ...]:
        """Its files, as source_file (relative to the inbox; undecodable name bytes as \\xNN)."""
        return tuple(e.source_file for e in self.entries)

    @property
    def villages(self) -> tuple[VillageRow, ...]:
        return tuple(r for e in self.entries for r in e.villages)

    @property
    def agencies(self) -> tuple[AgencyRow, ...]:
        return tuple(r for e in self.entries for r in e.agencies)

    @property
    def covers(self) -> tuple[CoverRow, ...]:
        return tuple(r for e in self.entries for r in e.covers)

    def write(self, inbox: Path) -> None:
        for entry in self.entries:
            entry.write(inbox)


# -- writers ------------------------------------------------------------------------------------------


def _yes(value: object) -> bool:
    return value is True


def _safe_enough(commune: str, rows: list[V]) -> bool:
    """The cover's "Xã đăng ký An toàn" answer that raises no COMMUNE_SAFE_VILLAGES_NOT: yes when at least
    half of the commune's register villages registered through a counted row."""
    safe = {r.village or r.code for r in rows if r.counts and _yes(r.safe)}
    return 2 * len(safe & set(villages_of(commune))) >= len(villages_of(commune))


def _write_workbook(path: Path, level: str, cover: dict, sheets: dict, blank_template: str | None = None) -> Path:
    from workbook_format.writer import write_submission

    return write_submission(path, level=level, cover=cover, sheets=sheets, blank_template=blank_template)


def _at(inbox: Path, source_file: str) -> Path:
    path = inbox / source_file
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


def commune_file(
    source_file: str,
    commune: str,
    rows: list[V],
    *,
    cover: dict | None = None,
    sheets: dict | None = None,
    post: Callable[[Path], None] | None = None,
    counts: bool = True,
    disk_name: bytes | None = None,
) -> File:
    """A commune workbook written by workbook_format.writer: the villages sheet from `rows` (Excel row
    2 on), `cover` overriding the register's identity. `post` tampers with the written file; `disk_name`
    is the file's real name as bytes when it is not valid UTF-8 (source_file then shows them as \\xNN).
    `counts`: the file is its commune's winning submission."""
    name = COMMUNES[commune][0] if commune in COMMUNES else "Xã Không Có Trong Danh Mục"
    full_cover = {
        "code": commune,
        "name": name,
        "period": P,
        "created_on": CREATED,
        "commune_steering_plan": True,
        "commune_safe": _safe_enough(commune, rows) if commune in COMMUNES else True,
        **(cover or {}),
    }
    all_sheets = {"villages": [r.cells() for r in rows], **(sheets or {})}

    def write(inbox: Path) -> None:
        path = _at(inbox, source_file)
        if disk_name is not None:
            path = path.with_name("_corpus_tmp.xlsx")
        _write_workbook(path, "commune", full_cover, all_sheets)
        if post is not None:
            post(path)
        if disk_name is not None:
            os.rename(path, os.path.join(os.fsencode(path.parent), disk_name))

    villages = tuple(
        VillageRow(
            source_file,
            i,
            r.village or str(r.code),
            _yes(r.plan),
            _yes(r.safe),
            r.total if isinstance(r.total, int) else None,
            r.registered if isinstance(r.registered, int) else None,
            r.valid,
            r.counts and counts,
            r.households and r.counts and counts,
        )
        for i, r in enumerate(rows, 2)
    )
    covers = (
        CoverRow(
            source_file,
            "commune",
            commune,
            _yes(full_cover["commune_steering_plan"]),
            _yes(full_cover["commune_safe"]),
            counts and commune in COMMUNES,
        ),
    )
    return File(source_file, write, villages, (), covers)


def agencies_file(
    source_file: str, level: str, code: str, rows: list[A], *, steering: bool = True, sheets: dict | None = None
) -> File:
    """A district or province workbook listing agencies."""
    name = PROVINCE[1] if level == "province" else DISTRICTS[code]
    cover = {"code": code, "name": name, "period": P, "created_on": CREATED}
    if level == "district":
        cover["district_steering_plan"] = steering
    all_sheets = {"agencies": [r.cells() for r in rows], **(sheets or {})}

    def write(inbox: Path) -> None:
        _write_workbook(_at(inbox, source_file), level, cover, all_sheets)

    agencies = tuple(
        AgencyRow(source_file, i, r.code, r.plan, r.safe, r.valid, r.counts) for i, r in enumerate(rows, 2)
    )
    covers = (CoverRow(source_file, level, code, steering, False, True),)
    return File(source_file, write, (), agencies, covers)


def raw_file(source_file: str, data: Callable[[], bytes]) -> File:
    def write(inbox: Path) -> None:
        _at(inbox, source_file).write_bytes(data())

    return File(source_file, write)


@cache
def _good_commune_bytes(commune: str = "96101") -> bytes:
    """A valid commune workbook's bytes: the base of the hostile packages."""
    with _scratch() as folder:
        commune_file("base.xlsx", commune, _good_rows(commune)).write(folder)
        return (folder / "base.xlsx").read_bytes()


class _scratch:
    """A temporary folder (tempfile, removed afterwards)."""

    def __enter__(self) -> Path:
        import tempfile

        self._dir = tempfile.mkdtemp(prefix="antq_corpus_")
        return Path(self._dir)

    def __exit__(self, *exc) -> None:
        shutil.rmtree(self._dir, ignore_errors=True)


def _zip_members(data: bytes) -> list[tuple[str, bytes]]:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return [(info.filename, zf.read(info)) for info in zf.infolist()]


def _write_zip(members: list[tuple[str, bytes]], big: dict[str, int] | None = None) -> bytes:
    """A zip of `members`; `big` adds members of that many zero bytes, streamed in."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, content in members:
            info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, content)
        for name, size in (big or {}).items():
            info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            with zf.open(info, "w", force_zip64=True) as fh:
                block = b"\0" * (1 << 20)
                for _ in range(size >> 20):
                    fh.write(block)
    return buf.getvalue()


def _rewrite(data: bytes, replace: dict[str, Callable[[bytes], bytes]]) -> bytes:
    return _write_zip(
        [(name, replace[name](content) if name in replace else content) for name, content in _zip_members(data)]
    )


def _sheet_part(data: bytes, sheet: str) -> str:
    """The package part of the worksheet named `sheet`."""
    members = dict(_zip_members(data))
    rel_id = re.search(
        rb'<sheet [^>]*name="' + re.escape(sheet.encode()) + rb'"[^>]*r:id="([^"]+)"', members["xl/workbook.xml"]
    ).group(1)
    target = re.search(
        rb'Id="' + re.escape(rel_id) + rb'"[^>]*Target="([^"]+)"|Target="([^"]+)"[^>]*Id="' + re.escape(rel_id) + rb'"',
        members["xl/_rels/workbook.xml.rels"],
    )
    target = (target.group(1) or target.group(2)).decode()
    return target.lstrip("/") if target.startswith("/") else f"xl/{target}"


def _hex_padding(n: int) -> bytes:
    """n bytes of deterministic hex (compresses only about twice: no ratio limit is hit)."""
    out, seed = b"", b"antq-corpus"
    while len(out) < n:
        seed = hashlib.sha256(seed).digest()
        out += seed.hex().encode()
    return out[:n]


def _doctype_after(xml: bytes, at: int) -> bytes:
    """`xml` with a DOCTYPE starting `at` bytes in, after an XML comment (the technique of
    tests/test_ingest_safety.py declaration_at)."""
    declaration = b'<!DOCTYPE x [<!ENTITY a "aaaa">]>'
    head, body = b'<?xml version="1.0" encoding="UTF-8"?>\n', xml.split(b"?>", 1)[-1]
    pad = at - len(head) - len(b"<!---->")
    out = head + b"<!--" + _hex_padding(pad) + b"-->" + declaration + body
    assert out.index(declaration) == at
    return out


def _billion_laughs(xml: bytes) -> bytes:
    entities = [b'<!ENTITY lol "lol">'] + [
        b'<!ENTITY lol%d "%s">'
        % (i, b"".join(b"&lol%s;" % (b"" if i == 1 else str(i - 1).encode()) for _ in range(10)))
        for i in range(1, 10)
    ]
    body = xml.split(b"?>", 1)[-1].replace(b'name="', b'name="&lol9;', 1)
    return b'<?xml version="1.0"?>\n<!DOCTYPE lolz [' + b"".join(entities) + b"]>" + body


def _far_cell(xml: bytes) -> bytes:
    """A value in XFD1048576: the reader would allocate 17 billion cells."""
    return xml.replace(
        b"</sheetData>", b'<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row></sheetData>'
    )


def _openpyxl_edit(edit: Callable[[object], None]) -> Callable[[Path], None]:
    def post(path: Path) -> None:
        import openpyxl

        wb = openpyxl.load_workbook(path)
        edit(wb)
        wb.save(path)

    return post


def _error_cells(cells: dict[str, str]) -> Callable[[Path], None]:
    """Excel error cells in the villages sheet: {"E2": "#DIV/0!"}."""

    def edit(wb) -> None:
        ws = wb[sheet_name("villages")]
        for ref, error in cells.items():
            ws[ref].value = error
            ws[ref].data_type = "e"

    return _openpyxl_edit(edit)


def _stray_cell(row: int, text: str) -> Callable[[Path], None]:
    def edit(wb) -> None:
        wb[sheet_name("villages")].cell(row=row, column=1, value=text)

    return _openpyxl_edit(edit)


def _drop_sheet(sheet: str) -> Callable[[Path], None]:
    def edit(wb) -> None:
        del wb[sheet]

    return _openpyxl_edit(edit)


def _good_rows(commune: str, start: int = 0) -> list[V]:
    """Every register village of the commune, valid, with figures that differ per village."""
    rows = []
    for i, (code, name) in enumerate(villages_of(commune).items(), 1):
        n = int(commune[-3:]) * 10 + i + start
        rows.append(V(code, name, True, i % 2 == 1 or n % 3 == 0, 100 + n, 60 + n // 2))
    return rows


def _v(commune: str, i: int) -> str:
    return f"{commune}{i:03d}"


def _name(commune: str, i: int) -> str:
    return villages_of(commune)[_v(commune, i)]


# -- the cases ----------------------------------------------------------------------------------------


def cases() -> list[Case]:
    """Every case of the corpus (definitions only: nothing is written)."""
    villages, agencies, cover = sheet_name("villages"), sheet_name("agencies"), cover_sheet()
    out: list[Case] = []

    def add(
        name: str, exercises: str, *entries: File, expected=(), predicate=None, rows_land=False, messages=()
    ) -> None:
        out.append(Case(name, exercises, tuple(entries), tuple(expected), predicate, rows_land, tuple(messages)))

    def unreadable(file: str, key: str, org: str = "") -> tuple[tuple[Finding, ...], tuple]:
        f = finding("UNREADABLE_FILE", org, "", "", file)
        return (f,), ((f, reason_text(key)),)

    # good files: every row lands, no finding
    add(
        "good_province",
        "a clean province workbook: its agencies count",
        agencies_file("tinh/t96.xlsx", "province", "96", [A("P01", True, True), A("P02", False, True)]),
        rows_land=True,
    )
    add(
        "good_commune",
        "a clean commune workbook (a tone mark in the old place still matches the register)",
        commune_file(
            "xa/x96101.xlsx",
            "96101",
            [
                V(_v("96101", 1), "Thôn Phú Hoà", True, True, 250, 200),
                V(_v("96101", 2), "Thôn Đông", True, False, 180, 90),
            ],
        ),
        rows_land=True,
    )

    # contract section 5: files that are not readable workbooks (no cover: no unit, every period built)
    def garbage() -> bytes:
        return _hex_padding(600).replace(b"a", b"\x00")

    for name, file, key, data, what in [
        ("corrupt_not_zip", "hong/hong.xlsx", "not_xlsx", garbage, "random bytes named .xlsx"),
        (
            "truncated_zip",
            "hong/cat_do.xlsx",
            "corrupt_zip",
            lambda: _good_commune_bytes()[:3000],
            "a workbook cut short (half a zip)",
        ),
        (
            "encrypted",
            "hong/mat_khau.xlsx",
            "encrypted",
            lambda: (
                bytes.fromhex("D0CF11E0A1B11AE1")
                + b"\0" * 504
                + "EncryptionInfo".encode("utf-16-le")
                + b"\0" * 64
                + "EncryptedPackage".encode("utf-16-le")
                + b"\0" * 2000
            ),
            "a password-protected workbook (OLE container with an EncryptionInfo stream)",
        ),
        (
            "legacy_xls",
            "hong/bao_cao_cu.xls",
            "legacy_xls",
            lambda: bytes.fromhex("D0CF11E0A1B11AE1") + b"\0" * 504 + "Workbook".encode("utf-16-le") + b"\0" * 2000,
            "a legacy .xls (OLE container)",
        ),
        (
            "text_file",
            "hong/ghi_chu.txt",
            "not_xlsx",
            lambda: "Xã sẽ gửi báo cáo sau.\n".encode(),
            "a .txt note in the inbox",
        ),
        (
            "csv_file",
            "hong/so_lieu.csv",
            "not_xlsx",
            lambda: "Mã thôn,Tổng số hộ\n96101001,250\n".encode(),
            "a .csv export in the inbox",
        ),
        (
            "zip_bomb",
            "hong/bom_nen.xlsx",
            "zip_bomb_ratio",
            lambda: _write_zip(_zip_members(_good_commune_bytes()), big={"xl/media/image1.bin": 8 << 20}),
            "a zip bomb: 8 MB of zeros compressed a thousand times",
        ),
        (
            "billion_laughs",
            "hong/billion_laughs.xlsx",
            "xml_entity",
            lambda: _rewrite(_good_commune_bytes(), {"xl/workbook.xml": _billion_laughs}),
            "an XML entity bomb (billion laughs) in xl/workbook.xml",
        ),
        (
            "doctype_after_10kb",
            "hong/doctype_sau_10kb.xlsx",
            "xml_entity",
            lambda: (lambda d: _rewrite(d, {_sheet_part(d, cover): lambda x: _doctype_after(x, 10 * 1024)}))(
                _good_commune_bytes()
            ),
            "a DOCTYPE placed after 10 KB of XML comment in a sheet part",
        ),
        (
            "oversized_sheet",
            "hong/vung_qua_lon.xlsx",
            "sheet_too_large",
            lambda: (lambda d: _rewrite(d, {_sheet_part(d, villages): _far_cell}))(_good_commune_bytes()),
            "a sheet whose dimension runs to XFD1048576 (beyond the safety limit on cells)",
        ),
    ]:
        expected, messages = unreadable(file, key)
        add(name, what, raw_file(file, data), expected=expected, messages=messages)

    def lock_file() -> File:
        file = "xa/~$x96101.xlsx"
        return File(file, lambda inbox: _at(inbox, file).write_bytes(b"\x0bNguyen Van A" + b" " * 150))

    expected, messages = unreadable("xa/~$x96101.xlsx", "lock_file")
    add(
        "excel_lock_file",
        "an Excel lock file (~$name.xlsx) left beside the workbook",
        lock_file(),
        expected=expected,
        messages=messages,
    )

    def symlink() -> File:
        file = "xa/lien_ket.xlsx"

        def write(inbox: Path) -> None:
            _at(inbox, file).symlink_to("x96101.xlsx")  # relative: the good commune's workbook

        return File(file, write)

    expected, messages = unreadable("xa/lien_ket.xlsx", "symlink")
    add(
        "symlink",
        "a symbolic link in the inbox (to a good workbook): recorded, never followed",
        symlink(),
        expected=expected,
        messages=messages,
    )

    # contract section 5: readable covers that name a unit, files that still contribute nothing
    file = "bia/thieu_trang.xlsx"
    expected, messages = unreadable(file, "missing_required_sheet", "96101")
    add(
        "missing_required_sheet",
        "a commune workbook without its required villages sheet",
        commune_file(file, "96101", _good_rows("96101"), post=_drop_sheet(villages), counts=False),
        expected=expected,
        messages=messages,
    )

    def bad_cover(name: str, file: str, what: str, cover_fields: dict, org: str, fragment: str) -> None:
        f = finding("INVALID_COVER", org, cover, "", file)
        add(
            name,
            what,
            commune_file(file, "96101", _good_rows("96101"), cover=cover_fields, counts=False),
            expected=[f],
            messages=[(f, fragment)],
        )

    labels = {fid: spec["label"] for fid, spec in _catalogue()["cover"]["fields"].items()}
    from ingestion.reasons import reason

    bad_cover(
        "cover_without_level",
        "bia/khong_cap.xlsx",
        "a cover without Cấp báo cáo",
        {"level": None},
        "96101",
        reason("cover_missing", label=labels["level"]),
    )
    bad_cover(
        "cover_without_code",
        "bia/khong_ma.xlsx",
        "a cover without Mã đơn vị",
        {"code": None},
        "",
        reason("cover_missing", label=labels["code"]),
    )
    bad_cover(
        "cover_without_period",
        "bia/khong_ky.xlsx",
        "a cover without Kỳ báo cáo",
        {"period": None},
        "96101",
        reason("cover_missing", label=labels["period"]),
    )
    bad_cover(
        "unknown_period_text",
        "bia/ky_la.xlsx",
        "a period the vocabulary does not know (Quý II năm 2021)",
        {"period": "Quý II năm 2021"},
        "96101",
        reason_text("not_period"),
    )

    file = "bia/x96999.xlsx"
    add(
        "unknown_org_unit_cover",
        "a cover code that is not in the register",
        commune_file(
            file,
            UNREGISTERED_COMMUNE,
            [V(_v(UNREGISTERED_COMMUNE, 1), "Thôn Lạ", True, True, 10, 5, counts=False)],
            counts=False,
        ),
        expected=[finding("UNKNOWN_ORG_UNIT", UNREGISTERED_COMMUNE, cover, "", file)],
    )

    # contract section 5: row findings in winning workbooks; every other row still counts
    file = "xa/x96102.xlsx"
    add(
        "invalid_counts",
        'counts "abc", -5 and "1,5" (INVALID_VALUE, row excluded); the valid row counts',
        commune_file(
            file,
            "96102",
            [
                V(_v("96102", 1), "Thôn 1", True, True, 120, 100),
                V(_v("96102", 2), "Thôn 2", True, True, "abc", 50, valid=False, counts=False),
                V(_v("96102", 3), "Thôn 3", True, True, 80, -5, valid=False, counts=False),
                V(_v("96102", 4), "Thôn 4", True, True, "1,5", 1, valid=False, counts=False),
            ],
        ),
        expected=[
            finding("INVALID_VALUE", _v("96102", 2), villages, 3, file),
            finding("INVALID_VALUE", _v("96102", 3), villages, 4, file),
            finding("INVALID_VALUE", _v("96102", 4), villages, 5, file),
        ],
        messages=[
            (finding("INVALID_VALUE", _v("96102", 2), villages, 3, file), '"abc"'),
            (finding("INVALID_VALUE", _v("96102", 4), villages, 5, file), '"1,5"'),
        ],
        rows_land=True,
    )

    file = "xa/x96103.xlsx"
    add(
        "blank_yes_no",
        "a blank yes/no cell: read as no (MISSING_VALUE), the row counts",
        commune_file(
            file,
            "96103",
            [V(_v("96103", 1), "Thôn 1", None, True, 90, 45), V(_v("96103", 2), "Thôn 2", True, True, 70, 70)],
        ),
        expected=[finding("MISSING_VALUE", _v("96103", 1), villages, 2, file)],
        rows_land=True,
    )

    file = "xa/x96104.xlsx"
    add(
        "registered_exceeds_total",
        "Số hộ đăng ký > Tổng số hộ: both household figures of the village excluded",
        commune_file(
            file,
            "96104",
            [
                V(_v("96104", 1), "Thôn 1", True, True, 50, 51, households=False),
                V(_v("96104", 2), "Thôn 2", True, True, 64, 32),
            ],
        ),
        expected=[finding("HOUSEHOLDS_REGISTERED_EXCEED_TOTAL", _v("96104", 1), villages, 2, file)],
        rows_land=True,
    )

    file = "xa/x96105.xlsx"
    add(
        "duplicate_village_row",
        "a village listed twice: the first row counts, the later one is excluded",
        commune_file(
            file,
            "96105",
            [
                V(_v("96105", 1), "Thôn 1", True, True, 40, 30),
                V(_v("96105", 2), "Thôn 2", False, True, 41, 31),
                V(_v("96105", 1), "Thôn 1", False, False, 999, 1, counts=False),
            ],
        ),
        expected=[finding("DUPLICATE_UNIT_ROW", _v("96105", 1), villages, 4, file)],
        rows_land=True,
    )

    file = "xa/x96106.xlsx"
    add(
        "village_of_another_commune",
        "a village code of another commune (96101's): the row counts nowhere",
        commune_file(
            file, "96106", [*_good_rows("96106"), V(_v("96101", 1), "Thôn Phú Hòa", True, True, 7, 7, counts=False)]
        ),
        expected=[finding("UNKNOWN_ORG_UNIT", _v("96101", 1), villages, 4, file)],
        rows_land=True,
    )

    file = "xa/x96107.xlsx"
    add(
        "name_mismatch",
        "a village name unlike the register's (NAME_MISMATCH, a warning: the row counts)",
        commune_file(
            file,
            "96107",
            [
                V(_v("96107", 1), "Thôn Phú Hoà", True, True, 33, 22),
                V(_v("96107", 2), "Thôn Hoà Binh", True, True, 34, 23),
            ],
        ),
        expected=[finding("NAME_MISMATCH", _v("96107", 2), villages, 3, file)],
        rows_land=True,
    )

    file = "xa/x96108.xlsx"
    add(
        "missing_village_row",
        "a register village the commune does not list (MISSING_UNIT_ROW)",
        commune_file(file, "96108", _good_rows("96108")[:2]),
        expected=[finding("MISSING_UNIT_ROW", _v("96108", 3), villages, "", file)],
        rows_land=True,
    )

    old, new = "xa/x96201_v1.xlsx", "xa/x96201_v2.xlsx"
    add(
        "superseded_version",
        "two versions of one commune: version 2 counts, version 1 is history",
        commune_file(
            old,
            "96201",
            [replace(r, counts=False) for r in _good_rows("96201")],
            cover={"version": 1, "created_on": dt.date(2021, 7, 2)},
            counts=False,
        ),
        commune_file(
            new, "96201", _good_rows("96201", start=5), cover={"version": 2, "created_on": dt.date(2021, 7, 10)}
        ),
        expected=[finding("SUPERSEDED_SUBMISSION", "96201", "", "", old)],
        messages=[(finding("SUPERSEDED_SUBMISSION", "96201", "", "", old), new)],
        rows_land=True,
    )

    # districts
    file = "huyen/h961.xlsx"
    add(
        "agency_of_another_district",
        "a district lists another district's agency: that row counts nowhere",
        agencies_file(
            file,
            "district",
            "961",
            [A("D01-961", True, True), A("D02-961", True, False), A("D01-962", False, False, counts=False)],
        ),
        expected=[finding("UNKNOWN_ORG_UNIT", "D01-962", agencies, 4, file)],
        rows_land=True,
    )

    file = "huyen/h962.xlsx"
    summary = sheet_name("district_summary")
    add(
        "district_summary_mismatch",
        'a "Tổng hợp" figure no commune workbook can give (999/999)',
        agencies_file(
            file,
            "district",
            "962",
            [A("D01-962", True, True)],
            steering=False,
            sheets={"district_summary": [{"summary_item": "village_safe", "achieved": 999, "total": 999}]},
        ),
        expected=[finding("DISTRICT_SUMMARY_MISMATCH", "962", summary, 2, file)],
        messages=[(finding("DISTRICT_SUMMARY_MISMATCH", "962", summary, 2, file), "999/999")],
        rows_land=True,
    )

    # contract section 5: units that send nothing
    add(
        "unit_sends_nothing",
        "a register commune with no file at all",
        expected=[finding("MISSING_SUBMISSION", "96209")],
    )

    # issue 14
    shown = "xa/b\\xe1o_c\\xe1o.xlsx"
    add(
        "non_utf8_file_name",
        "a file name that is not UTF-8 (Latin-1 bytes): rows land, source_file shows \\xNN",
        commune_file(
            shown,
            "96202",
            [V(_v("96202", 1), "Thôn 1", True, None, 77, 66), V(_v("96202", 2), "Thôn 2", True, True, 78, 67)],
            disk_name=b"b\xe1o_c\xe1o.xlsx",
        ),
        expected=[finding("MISSING_VALUE", _v("96202", 1), villages, 2, shown)],
        rows_land=True,
    )

    file = "xa/x96203.xlsx"
    near = 2**63 - 808  # a valid BIGINT each; their sum is not

    def huge_rows_named(findings: list[dict], file: str = file) -> bool:
        rows = {f["row"] for f in findings if f["source_file"] == file}
        return {"2", "3"} <= rows

    add(
        "counts_near_2_63",
        "two household counts near 2**63 in one workbook: the build finishes and a "
        "finding names each row (whatever its check)",
        commune_file(
            file,
            "96203",
            [
                V(_v("96203", 1), "Thôn 1", True, True, str(near), 5, valid=False, counts=False),
                V(_v("96203", 2), "Thôn 2", True, True, str(near + 1), 6, valid=False, counts=False),
                V(_v("96203", 3), "Thôn 3", True, True, 95, 94),
            ],
        ),
        predicate=huge_rows_named,
        rows_land=True,
    )

    file = "xa/x96204.xlsx"
    errors = [
        ("E2", "#DIV/0!", 2, "households_total"),
        ("C3", "#N/A", 3, "plan_issued"),
        ("F4", "#REF!", 4, "households_registered"),
    ]
    # rows 2-4 hold the errors (villages 1-3), row 5 (village 4) is valid and counts
    rows = [
        V(_v("96204", i), f"Thôn {i}", True, True, 200 + i, 100 + i, valid=i == 4, counts=i == 4) for i in range(1, 5)
    ]
    error_findings = [finding("INVALID_VALUE", _v("96204", row - 1), villages, row, file) for _, _, row, _ in errors]
    add(
        "excel_error_cells",
        "Excel error cells (#DIV/0!, #N/A, #REF!) in count and yes/no columns: INVALID_VALUE naming the error",
        commune_file(file, "96204", rows, post=_error_cells({ref: err for ref, err, _, _ in errors})),
        expected=error_findings,
        messages=[(f, f'"{err}"') for f, (_, err, _, _) in zip(error_findings, errors)],
        rows_land=True,
    )

    file = "xa/x96205.xlsx"
    add(
        "zero_width_space",
        "U+200B inside the cover code and inside a village code: a warning, and the commune and village still count",
        commune_file(
            file,
            "96205",
            [
                V(_v("96205", 1), "Thôn 1", True, True, 61, 41),
                V("96205\u200b002", "Thôn 2", True, True, 62, 42, village=_v("96205", 2)),
            ],
            cover={"code": "962\u200b05"},
        ),
        expected=[
            finding("INVISIBLE_CHARACTER", "96205", cover, cover_row("commune", "code"), file),
            finding("INVISIBLE_CHARACTER", _v("96205", 2), villages, 3, file),
        ],
        messages=[
            (finding("INVISIBLE_CHARACTER", "96205", cover, cover_row("commune", "code"), file), "U+200B"),
            (finding("INVISIBLE_CHARACTER", _v("96205", 2), villages, 3, file), "U+200B"),
        ],
        rows_land=True,
    )

    # NUL, ESC, BEL as Excel stores them in a cell (_xHHHH_), which the reader turns back into the characters
    file = "xa/x96206.xlsx"
    awards = sheet_name("awards")
    controlled = "Thôn_x0000_ Sáu_x001B_ A_x0007_"
    recipient = "Đội_x0007_ dân phòng_x001B_ số_x0000_ 1"
    name_finding = finding("NAME_MISMATCH", _v("96206", 1), villages, 2, file)
    medal_finding = finding("MEDAL_TO_COLLECTIVE", "96206", awards, 2, file)
    add(
        "control_characters",
        "NUL, ESC and BEL in a village name and in a free-text cell (an award's Tên): "
        "shown as [U+0000] ..., never raw, in dq_findings.csv and kiem_tra_du_lieu.html",
        commune_file(
            file,
            "96206",
            [V(_v("96206", 1), controlled, True, True, 55, 44), V(_v("96206", 2), "Thôn Sáu B", True, True, 56, 45)],
            cover={"preparer": "Nguyễn_x001B_ Văn_x0007_ A"},
            sheets={
                "awards": [
                    {
                        "recipient_kind": "collective",
                        "recipient_name": recipient,
                        "award_type": "medal",
                        "decision_no": "12/QĐ_x0000_",
                    }
                ]
            },
        ),
        expected=[name_finding, medal_finding],
        messages=[
            (name_finding, "Thôn[U+0000] Sáu[U+001B] A[U+0007]"),
            (medal_finding, "Đội[U+0007] dân phòng[U+001B] số[U+0000] 1"),
        ],
        rows_land=True,
    )

    file = "xa/x96207.xlsx"
    too_many = finding("SHEET_TOO_MANY_ROWS", "96207", villages, 1 + villages_row_limit() + 1, file)
    add(
        "sheet_too_many_rows",
        "a stray cell at row 1,500 of the villages sheet, past its row limit: "
        "SHEET_TOO_MANY_ROWS, the rows above it count",
        commune_file(file, "96207", _good_rows("96207"), post=_stray_cell(1500, "ghi chú")),
        expected=[too_many],
        rows_land=True,
    )

    file = "xa/mau_96208.xlsx"

    def blank_template(inbox: Path, file: str = file) -> None:
        _write_workbook(
            _at(inbox, file),
            "commune",
            {"code": "96208", "name": COMMUNES["96208"][0], "period": "6 tháng đầu năm 2021"},
            {"villages": [{"village_code": v, "village_name": n} for v, n in villages_of("96208").items()]},
            blank_template=P,
        )

    add(
        "blank_template",
        "an unfilled blank template (antq template) is no submission: BLANK_TEMPLATE, and the "
        "commune still has MISSING_SUBMISSION",
        File(file, blank_template),
        expected=[finding("BLANK_TEMPLATE", "96208", "", "", file), finding("MISSING_SUBMISSION", "96208")],
    )

    names = [c.name for c in out]
    assert len(names) == len(set(names)), "case names must be unique"
    return out


def generate(inbox_dir: str | os.PathLike, register_dir: str | os.PathLike) -> list[Case]:
    """Write the register and every case's files; return the cases."""
    inbox, register = Path(inbox_dir), Path(register_dir)
    write_register(register)
    inbox.mkdir(parents=True, exist_ok=True)
    found = cases()
    for case in found:
        case.write(inbox)
    return found


def describe(found: list[Case]) -> str:
    """The cases as a Markdown table, for a person looking at the corpus."""
    lines = [
        "# antq bad-input corpus",
        "",
        f"Period {P}. Register: {PROVINCE[1]} ({PROVINCE[0]}), "
        f"{len(DISTRICTS)} districts, {len(COMMUNES)} communes, {len(register_villages())} villages, "
        f"{len(AGENCIES)} agencies.",
        "",
        "| case | files | exercises | expected findings (check, unit, sheet, row) | rows land |",
        "|---|---|---|---|---|",
    ]
    for c in found:
        expected = "; ".join(
            f"{f.check} {f.org_unit_code or '-'} {f.sheet or '-'} {f.row or '-'}" for f in c.expected
        ) or ("(predicate)" if c.predicate else "none")
        lines.append(
            f"| {c.name} | {', '.join(c.files) or '-'} | {c.exercises} | {expected} | "
            f"{'yes' if c.rows_land else 'no'} |"
        )
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Write the antq bad-input corpus (inbox and register).")
    parser.add_argument("--out", required=True, help="folder to write DIR/inbox, DIR/register, DIR/cases.md")
    args = parser.parse_args(argv)
    out = Path(args.out)
    if (out / "inbox").exists() or (out / "register").exists():
        parser.exit(2, f"{out} already holds an inbox or register: give a new folder\n")
    found = generate(out / "inbox", out / "register")
    (out / "cases.md").write_text(describe(found), encoding="utf-8")
    print(
        f"{len(found)} cases, {sum(len(c.files) for c in found)} files in {out / 'inbox'}; "
        f"register in {out / 'register'}; list in {out / 'cases.md'}"
    )
    print(
        f"build it: antq build {P} --inbox {out / 'inbox'} --register {out / 'register'} --out {out / 'out'} "
        f"--warehouse {out / 'warehouse.duckdb'}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
