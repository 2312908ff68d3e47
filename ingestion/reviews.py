"""The auditors' review files: filled-in copies of kiem_tra_du_lieu.xlsx put in the review folder
(`--reviews`, default `ket_luan/` beside the inbox). Every build reads the whole folder again into
raw.reviews, one row per decision read (or per problem found), each with its file, SHA-256, sheet and Excel
row: the folder is the source of truth for decisions, so a rebuilt warehouse has them all back.

A review row names a finding by its "Mã phát hiện" (the first characters of reports.findings_history's
key) and writes a decision in "Kết luận" (a label of catalog.review_states() where decision is true),
optionally a "Ghi chú", a "Người kết luận" and a "Ngày kết luận"; without them, the reviewer is the
"Người kiểm tra" of the summary sheet and the time is the file's modified time.

Reading never fails and never drops a valid row: a file that is not a readable workbook of ours, a row
with an unknown finding id or an unknown decision word becomes a row with `problem` set to a check code
of catalog/checks.csv (dbt's findings_reviews turns them into findings); the other rows of the file are
still taken."""

from __future__ import annotations

import datetime as dt
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa

import catalog
from ingestion.digest import sha256_of
from ingestion.normalize import clean_text, text_key
from ingestion.safety import unsafe_reason
from ingestion.warehouse import registered, table_exists

TABLE = "raw.reviews"
FINDINGS_SHEET = "Phát hiện"
SUMMARY_SHEET = "Tóm tắt"
ID_HEADER = "Mã phát hiện"
DECISION_HEADER = "Kết luận"
NOTE_HEADER = "Ghi chú"
REVIEWER_HEADER = "Người kết luận"
DATE_HEADER = "Ngày kết luận"
REVIEWER_LABEL = "Người kiểm tra"  # the summary sheet's line for the name of whoever filled the file in
MIN_ID_LENGTH = 8  # a shorter id could name several findings
HEADER_ROWS_SEARCHED = 10

FOLDER_NAME = "ket_luan"

UNREADABLE = "REVIEW_FILE_UNREADABLE"
UNKNOWN_FINDING = "REVIEW_UNKNOWN_FINDING"
BAD_DECISION = "REVIEW_BAD_DECISION"

COLUMNS = [
    ("source_file", pa.string(), "varchar"),
    ("file_sha256", pa.string(), "varchar"),
    ("modified_at", pa.timestamp("us"), "timestamp"),
    ("sheet_name", pa.string(), "varchar"),
    ("row_number", pa.int32(), "integer"),
    ("finding_id", pa.string(), "varchar"),
    ("finding_key", pa.string(), "varchar"),
    ("period", pa.string(), "varchar"),
    ("decision_raw", pa.string(), "varchar"),
    ("decision", pa.string(), "varchar"),
    ("note", pa.string(), "varchar"),
    ("reviewer", pa.string(), "varchar"),
    ("decided_at", pa.timestamp("us"), "timestamp"),
    ("problem", pa.string(), "varchar"),
    ("problem_reason", pa.string(), "varchar"),
]
_PERIOD = re.compile(r"\((\d{4}-H[12])\)")


@dataclass
class Known:
    """The findings a review may name: full key -> period (reports.findings_history), looked up by prefix."""

    periods: dict[str, str] = field(default_factory=dict)

    def lookup(self, finding_id: str) -> tuple[str | None, str | None]:
        """(full key, None) or (None, why not)."""
        wanted = finding_id.strip().lower()
        if len(wanted) < MIN_ID_LENGTH or not re.fullmatch(r"[0-9a-f]+", wanted):
            return None, f'"{finding_id}" không phải là mã phát hiện'
        matches = [k for k in self.periods if k.startswith(wanted)]
        if not matches:
            return None, f"không có phát hiện nào mang mã {finding_id}"
        if len(matches) > 1:
            return None, f"mã {finding_id} ứng với {len(matches)} phát hiện"
        return matches[0], None


def default_folder(inbox: str | os.PathLike) -> Path:
    """`ket_luan` beside the inbox: demo/inbox -> demo/ket_luan (as the office's `nhan_dinh`)."""
    return Path(inbox).resolve().parent / FOLDER_NAME


def decision_words() -> dict[str, str]:
    """Matching key of a label (or state name) -> the state an auditor may write."""
    words = {}
    for state, spec in catalog.review_states().items():
        if spec["decision"]:
            words[text_key(spec["label_vi"])] = state
            words[text_key(state)] = state
    return words


def review_files(folder: str | os.PathLike) -> list[Path]:
    """Every file of the folder and its subfolders, except hidden files and Excel's lock files (~$...)."""
    folder = Path(folder)
    if not folder.is_dir():
        return []
    return sorted(
        p
        for p in folder.rglob("*")
        if p.is_file()
        and not any(part.startswith(".") for part in p.relative_to(folder).parts)
        and not p.name.startswith("~$")
    )


def read_folder(folder: str | os.PathLike, known: Known) -> list[dict]:
    rows: list[dict] = []
    for path in review_files(folder):
        rows.extend(read_file(path, Path(folder), known))
    return rows


def read_file(path: Path, folder: Path, known: Known) -> list[dict]:
    """The rows of one review file, each with every column of raw.reviews; never raises."""
    return [{name: row.get(name) for name, _, _ in COLUMNS} for row in _read_file(path, folder, known)]


def _read_file(path: Path, folder: Path, known: Known) -> list[dict]:
    base = {"source_file": path.relative_to(folder).as_posix()}
    try:
        base["file_sha256"] = sha256_of(path)
        base["modified_at"] = dt.datetime.fromtimestamp(path.stat().st_mtime).replace(microsecond=0)
    except OSError as exc:
        return [{**base, "problem": UNREADABLE, "problem_reason": f"không mở được tệp ({exc.strerror})"}]
    if path.suffix.lower() != ".xlsx":
        return [{**base, "problem": UNREADABLE, "problem_reason": "không phải tệp .xlsx"}]
    try:
        reason = unsafe_reason(path)
        if reason:
            return [{**base, "problem": UNREADABLE, "problem_reason": reason}]
        return _read_workbook(path, base, known)
    except Exception as exc:  # a damaged workbook of any kind is a finding, never a failed build
        return [{**base, "problem": UNREADABLE, "problem_reason": f"không đọc được tệp ({type(exc).__name__})"}]


def _read_workbook(path: Path, base: dict, known: Known) -> list[dict]:
    import openpyxl

    wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        file_reviewer, file_period = _summary(wb)
        for ws in wb.worksheets:
            rows = list(ws.iter_rows(values_only=True))
            head = _header(rows)
            if head is not None:
                return _read_rows(ws.title, rows, head, {**base, "period": file_period}, file_reviewer, known)
    finally:
        wb.close()
    return [
        {
            **base,
            "problem": UNREADABLE,
            "problem_reason": f'không có trang "{FINDINGS_SHEET}" với các cột "{ID_HEADER}" và "{DECISION_HEADER}"',
        }
    ]


def _summary(wb) -> tuple[str | None, str | None]:
    """The reviewer's name and the period written on the summary sheet, when there is one."""
    if SUMMARY_SHEET not in wb.sheetnames:
        return None, None
    reviewer = period = None
    for row in wb[SUMMARY_SHEET].iter_rows(max_col=2, values_only=True):
        if not row or row[0] is None:
            continue
        label = text_key(row[0])
        value = row[1] if len(row) > 1 else None
        if label == text_key(REVIEWER_LABEL) and value is not None and clean_text(value):
            reviewer = clean_text(value)
        elif period is None and value is not None:
            match = _PERIOD.search(str(value))
            period = match.group(1) if match else None
    return reviewer, period


def _header(rows: list[tuple]) -> tuple[int, dict[str, int]] | None:
    """(index of the header row, column of each known header) when the sheet is our findings table."""
    wanted = {text_key(h): h for h in (ID_HEADER, DECISION_HEADER, NOTE_HEADER, REVIEWER_HEADER, DATE_HEADER)}
    for i, row in enumerate(rows[:HEADER_ROWS_SEARCHED]):
        found = {wanted[text_key(v)]: j for j, v in enumerate(row) if v is not None and text_key(v) in wanted}
        if ID_HEADER in found and DECISION_HEADER in found:
            return i, found
    return None


def _read_rows(sheet: str, rows: list[tuple], head: tuple[int, dict], base: dict, reviewer, known: Known) -> list:
    top, columns = head
    words = decision_words()
    out = []

    def cell(row, header):
        j = columns.get(header)
        return row[j] if j is not None and j < len(row) else None

    for i, row in enumerate(rows[top + 1 :], start=top + 2):  # Excel rows count from 1
        finding_id = clean_text(cell(row, ID_HEADER))
        decision_raw = clean_text(cell(row, DECISION_HEADER))
        note = clean_text(cell(row, NOTE_HEADER))
        if not decision_raw and not note:
            continue  # no decision on this finding
        entry = {
            **base,
            "sheet_name": sheet,
            "row_number": i,
            "finding_id": finding_id or None,
            "decision_raw": decision_raw or None,
            "note": note or None,
            "reviewer": clean_text(cell(row, REVIEWER_HEADER)) or reviewer,
            "decided_at": _when(cell(row, DATE_HEADER)) or base["modified_at"],
        }
        key, why = known.lookup(finding_id) if finding_id else (None, "dòng có kết luận nhưng không có mã phát hiện")
        if key is None:
            out.append({**entry, "problem": UNKNOWN_FINDING, "problem_reason": why})
            continue
        entry.update(finding_key=key, period=known.periods[key])
        state = words.get(text_key(decision_raw)) if decision_raw else None
        if state is None:
            why = f'"{decision_raw}" không phải là kết luận' if decision_raw else "có ghi chú nhưng chưa chọn kết luận"
            out.append({**entry, "problem": BAD_DECISION, "problem_reason": why})
            continue
        out.append({**entry, "decision": state})
    return out


def _when(value) -> dt.datetime | None:
    if isinstance(value, dt.datetime):
        return value.replace(microsecond=0)
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day)
    text = clean_text(value)
    for fmt in ("%d/%m/%Y %H:%M", "%d/%m/%Y", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d"):
        try:
            return dt.datetime.strptime(text, fmt)
        except ValueError:
            continue
    return None


def known_findings(con) -> Known:
    """Every finding the warehouse has ever seen (main.findings_history), any period."""
    if not table_exists(con, "findings_history"):
        return Known()
    return Known(dict(con.execute("select finding_key, period from main.findings_history").fetchall()))


def load(con, folder: str | os.PathLike | None) -> dict:
    """Replace raw.reviews with what the review folder holds now. Returns counts for the run's metadata."""
    rows = read_folder(folder, known_findings(con)) if folder else []
    con.execute("create schema if not exists raw")
    ddl = ", ".join(f"{name} {sql}" for name, _, sql in COLUMNS)
    table = pa.table(
        {name: pa.array([r.get(name) for r in rows], type=arrow) for name, arrow, _ in COLUMNS},
    )
    with registered(con, "_antq_new_reviews", table, transaction=True) as view:
        con.execute(f"create or replace table {TABLE} ({ddl})")
        con.execute(f"insert into {TABLE} by name select * from {view}")
    return {
        "files": len({r["source_file"] for r in rows}),
        "rows": len(rows),
        "decisions": sum(1 for r in rows if r.get("decision") and not r.get("problem")),
        "problems": sum(1 for r in rows if r.get("problem")),
    }
