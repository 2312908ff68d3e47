"""Writes a register folder (contract section 2) for one province from the maintained libraries:
org_units.csv (the province, its districts in the 2021 structure, its communes), agencies.csv with its
header only, and for the 2025 structure crosswalk.csv (registers.crosswalk).

Validity (contract section 2: a unit counts in a period when valid on the period's last day):
- 2025 units: valid_from 2025-07-01, valid_to open.
- 2021 units: valid_from open, valid_to 2025-06-30. Open rather than the GSO list date 2021-07-01: the
  list is a snapshot of units that existed long before, and a 2020-H2 or 2021-H1 report (ending before
  that date) must still find them."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from ingestion.register import AGENCIES_FILE, AGENCY_COLUMNS, CROSSWALK_FILE, ORG_UNIT_COLUMNS, ORG_UNITS_FILE
from registers.crosswalk import write_crosswalk, write_csv
from registers.sources import REFORM_DATE, CheckResult, RegisterBuildError, cross_checks, province_units

OUTPUT_FILES = (ORG_UNITS_FILE, AGENCIES_FILE, CROSSWALK_FILE)


@dataclass
class Written:
    code: str
    name: str
    structure: str
    folder: Path
    files: list[str]
    counts: dict[str, int]
    crosswalk: dict | None = None
    checks: list[CheckResult] = field(default_factory=list)


def validity(structure: str) -> tuple[str, str]:
    """(valid_from, valid_to) of every unit of `structure`."""
    if structure == "2025":
        return REFORM_DATE.isoformat(), ""
    return "", (REFORM_DATE - dt.timedelta(days=1)).isoformat()


def org_unit_rows(units, structure: str) -> list[dict]:
    """org_units.csv rows of the library's units in `structure`, with that structure's validity dates."""
    valid_from, valid_to = validity(structure)
    return [
        {
            "code": u.code,
            "name": u.name,
            "level": u.level,
            "parent_code": u.parent_code,
            "valid_from": valid_from,
            "valid_to": valid_to,
        }
        for u in units
    ]


def write_register(province: str, structure: str, out: Path, force: bool = False) -> Written:
    """Write the register of `province` (name or code) in `structure` into `out`. Refuses (RegisterBuildError)
    an unknown province, an `out` that is a file, or a non-empty output file already there unless `force`."""
    out = Path(out)
    units = province_units(province, structure)  # an unknown province stops here, before any file
    if out.exists() and not out.is_dir():
        raise RegisterBuildError(f"--out phải là một thư mục, không phải tệp: {out}")
    names = [ORG_UNITS_FILE, AGENCIES_FILE] + ([CROSSWALK_FILE] if structure == "2025" else [])
    taken = [n for n in names if (out / n).is_file() and (out / n).stat().st_size > 0]
    if taken and not force:
        raise RegisterBuildError(
            f"thư mục {out} đã có {', '.join(taken)}; chọn thư mục khác hoặc thêm --force để ghi đè"
        )
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise RegisterBuildError(f"không tạo được thư mục {out}: {exc}") from exc
    rows = org_unit_rows(units.units, structure)
    write_csv(out / ORG_UNITS_FILE, ORG_UNIT_COLUMNS, rows)
    write_csv(out / AGENCIES_FILE, AGENCY_COLUMNS, [])
    written = Written(units.code, units.name, structure, out, names[:2], dict(Counter(u.level for u in units.units)))
    if structure == "2025":
        written.crosswalk = write_crosswalk(units.code, out / CROSSWALK_FILE)
        written.files.append(CROSSWALK_FILE)
    written.checks = cross_checks(units.code, structure)
    return written


LEVEL_WORDS = {"province": "tỉnh", "district": "huyện", "commune": "xã"}


def report_lines(w: Written) -> list[str]:
    """What `antq register` prints, in Vietnamese: the files, the counts, the cross-checks, and what the
    office adds itself."""
    counts = ", ".join(f"{n} {LEVEL_WORDS.get(level, level)}" for level, n in w.counts.items())
    valid_from, valid_to = validity(w.structure)
    lines = [
        f"antq register: {w.name} ({w.code}), cơ cấu {w.structure} -> {w.folder}",
        f"  {ORG_UNITS_FILE}: {counts}; valid_from = {valid_from or 'để trống'}, valid_to = {valid_to or 'để trống'}",
        f"  {AGENCIES_FILE}: chỉ có dòng tiêu đề",
    ]
    if w.crosswalk:
        cw = w.crosswalk
        lines.append(
            f"  {CROSSWALK_FILE}: {cw['rows']} dòng, {cw['former']} xã cũ -> {cw['new']} xã mới "
            f"(hiệu lực {REFORM_DATE:%d/%m/%Y}); {cw['merged']} xã mới gộp từ nhiều xã cũ, "
            f"{cw['divided']} xã cũ chia cho nhiều xã mới"
        )
    lines.append("  Đối chiếu:")
    for check in w.checks:
        lines.append(f"    - {check.title}: {check.compared}: " + ("khớp" if check.ok else "có khác biệt"))
        lines += [f"        {d}" for d in check.differences]
    lines += [
        "  Phòng tự bổ sung:",
        f"    - thôn, khu phố: thêm vào {ORG_UNITS_FILE}, mỗi thôn một dòng level=village, parent_code = mã xã "
        "của thôn, mã = mã xã + 3 chữ số;",
        f"    - cơ quan, doanh nghiệp, nhà trường: thêm vào {AGENCIES_FILE} (kind, managed_by, district_code).",
    ]
    if w.crosswalk and w.crosswalk["divided"]:
        lines.append(
            f"    - xã cũ bị chia cho nhiều xã mới (divided = true trong {CROSSWALK_FILE}): ghi từng thôn của xã cũ "
            "vào cột village_code ở dòng của xã mới mà thôn đó chuyển về (village_code trống = cả xã)."
        )
    return lines
