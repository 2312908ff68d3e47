"""Writes the register of the second demo (contract section 2), one folder for both sides of the reform of
01/07/2025: before it (valid to 30/06/2025), the former provinces Bình Thuận 60, Đắk Nông 67 and Lâm Đồng 68
with their districts and communes from vietnamadminunits (registers/, structure 2021); since it (valid from
01/07/2025), the new Lâm Đồng (68) and its 124 communes from vietnam-provinces, and crosswalk.csv from the 329
former communes; plus invented villages and agencies.

The new units re-use codes of the former ones (68, and all 124 commune codes): a code is on two rows whose
validity does not overlap, which the contract allows and ingestion.register accepts. Villages are invented per
former commune (3-5 each), coded after it (its code + 3 digits) and keep that code across the reform: two rows,
under the former commune until 30/06/2025 and under the new commune they belong to since (crosswalk.csv names,
for a former commune divided between new communes, where each of its villages went). Agencies: the former
provinces' (and their districts') until 30/06/2025, the new province's since, each with its province_code.

The committed demo/lam_dong_2025/register/*.csv are what the pipeline reads; this is how they were made:
    python -m demo.lam_dong_2025.make_register [--out DIR]
"""

from __future__ import annotations

import argparse
import random
from collections import Counter, defaultdict
from pathlib import Path

from demo import names
from demo.lam_dong_2025 import FORMER_PROVINCES, PROVINCE, REGISTER
from demo.make_register import agency_row
from ingestion.register import (
    AGENCIES_FILE,
    AGENCY_COLUMNS,
    AGENCY_OPTIONAL_COLUMNS,
    CROSSWALK_COLUMNS,
    CROSSWALK_FILE,
    ORG_UNIT_COLUMNS,
    ORG_UNITS_FILE,
)
from registers.crosswalk import crosswalk_rows, write_csv
from registers.folder import org_unit_rows, validity
from registers.sources import RegisterBuildError, province_units

SEED = 68_2025
VILLAGES_PER_FORMER_COMMUNE = (3, 5)
PROVINCE_OFFICES = 60  # of names.PROVINCE_OFFICES
PROVINCE_SCHOOLS = 25
PROVINCE_COMPANIES = 15
_KIND_PREFIX = {"co_quan": "CQ", "nha_truong": "NT", "doanh_nghiep": "DN"}


def make_register(out_dir: Path = REGISTER) -> dict[str, int]:
    """Write org_units.csv, agencies.csv and crosswalk.csv into `out_dir`, the units of before the reform
    first; return row counts (`former_*`: valid to 30/06/2025)."""
    rng = random.Random(SEED)
    units = province_units(PROVINCE, "2025")
    moves, problems = crosswalk_rows(PROVINCE)
    if problems:
        raise RegisterBuildError("; ".join(problems))
    valid_from, valid_to = validity("2025")
    org_units = org_unit_rows(units.units, "2025")
    villages, crosswalk = _villages(rng, moves, valid_from)
    agencies = _agencies(rng, valid_from)
    former_units, former_agencies = _former_register(villages)

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    write_csv(out_dir / ORG_UNITS_FILE, ORG_UNIT_COLUMNS, former_units + org_units + villages)
    write_csv(out_dir / AGENCIES_FILE, AGENCY_COLUMNS + AGENCY_OPTIONAL_COLUMNS, former_agencies + agencies)
    write_csv(out_dir / CROSSWALK_FILE, CROSSWALK_COLUMNS, crosswalk)
    counts = Counter(u["level"] for u in org_units + villages)
    counts.update(f"former_{u['level']}" for u in former_units)
    counts["agencies"] = len(agencies)
    counts.update(f"former_agencies_{a['managed_by']}" for a in former_agencies)
    counts["crosswalk_rows"] = len(crosswalk)
    counts["former_communes"] = len({m["former_code"] for m in moves})
    return dict(counts)


def _villages(rng: random.Random, moves: list[dict], valid_from: str) -> tuple[list[dict], list[dict]]:
    """The villages of every former commune under the new commune they now belong to, and the crosswalk:
    the library's rows, where a divided former commune has one row per village instead."""
    by_former: dict[str, list[dict]] = defaultdict(list)
    for m in moves:
        by_former[m["former_code"]].append(m)
    taken: dict[str, set[str]] = defaultdict(set)  # new commune -> village names in it
    villages: list[dict] = []
    crosswalk: list[dict] = []
    for former_code, rows in sorted(by_former.items()):
        former_name = rows[0]["former_name"]
        count = rng.randint(*VILLAGES_PER_FORMER_COMMUNE)
        if len(rows) > 1:
            count = max(count, len(rows) + 1)
        # a divided commune: each destination gets at least one village, the default one the rest mostly
        rows = sorted(rows, key=lambda r: r["default_destination"] != "true")
        destinations = rows + [rows[0] if rng.random() < 0.7 else rng.choice(rows) for _ in range(count - len(rows))]
        for i, (name, move) in enumerate(zip(names.village_names(rng, former_name, count), destinations), start=1):
            code = f"{former_code}{i:03d}"
            if name in taken[move["new_code"]]:  # two merged communes each had a "Thôn 1"
                name = f"{name} {names.bare_name(former_name)}"
            taken[move["new_code"]].add(name)
            villages.append(
                {
                    "code": code,
                    "name": name,
                    "level": "village",
                    "parent_code": move["new_code"],
                    "valid_from": valid_from,
                    "valid_to": "",
                }
            )
            if len(rows) > 1:
                crosswalk.append({**move, "village_code": code})
        if len(rows) == 1:
            crosswalk.append(rows[0])
    return villages, crosswalk


def _agencies(rng: random.Random, valid_from: str) -> list[dict]:
    """Province-managed agencies only: there is no district to manage any."""
    used = set(names.PROVINCE_OFFICES) | set(names.PROVINCE_SCHOOLS) | set(names.PROVINCE_COMPANIES)
    offices = rng.sample(names.PROVINCE_OFFICES, PROVINCE_OFFICES)
    schools = rng.sample(names.PROVINCE_SCHOOLS, PROVINCE_SCHOOLS)
    companies = [names.company_name(rng, used) for _ in range(PROVINCE_COMPANIES)]
    rows = []
    for kind, pool in (("co_quan", offices), ("nha_truong", schools), ("doanh_nghiep", companies)):
        rows += [
            {
                **agency_row(f"{_KIND_PREFIX[kind]}T{i:03d}", name, kind),
                "valid_from": valid_from,
                "province_code": PROVINCE,
            }
            for i, name in enumerate(pool, start=1)
        ]
    return rows


FORMER_PROVINCE_AGENCIES = (20, 6, 4)  # offices, schools, companies of each former province
DISTRICT_AGENCIES = (3, 6)  # offices per district


def _former_register(villages: list[dict]) -> tuple[list[dict], list[dict]]:
    """The units and agencies of before the reform (valid to 30/06/2025): the former provinces 60, 67, 68 with
    their districts and communes from vietnamadminunits (registers/, structure 2021), `villages` (the new
    villages) under their former commune with the same code and name, and invented agencies of each former
    province and district."""
    rng = random.Random(SEED + 1)
    valid_from, valid_to = validity("2021")
    org_units, agencies = [], []
    for code in FORMER_PROVINCES:
        units = province_units(code, "2021").units
        org_units += org_unit_rows(units, "2021")
        agencies += _former_agencies(rng, code, [u for u in units if u.level == "district"], valid_to)
    communes = {u["code"] for u in org_units if u["level"] == "commune"}
    former_villages = [
        {**v, "parent_code": v["code"][:5], "valid_from": valid_from, "valid_to": valid_to} for v in villages
    ]
    if {v["parent_code"] for v in former_villages} != communes:
        raise RegisterBuildError("thôn của danh mục 2025 không khớp các xã cũ của ba tỉnh cũ")
    return org_units + former_villages, agencies


def _former_agencies(rng: random.Random, province: str, districts: list, valid_to: str) -> list[dict]:
    used = set(names.PROVINCE_COMPANIES)
    n_offices, n_schools, n_companies = FORMER_PROVINCE_AGENCIES
    pools = (
        ("co_quan", rng.sample(names.PROVINCE_OFFICES, n_offices)),
        ("nha_truong", rng.sample(names.PROVINCE_SCHOOLS, n_schools)),
        ("doanh_nghiep", [names.company_name(rng, used) for _ in range(n_companies)]),
    )
    rows = [
        {**agency_row(f"{province}-{_KIND_PREFIX[kind]}T{i:03d}", name, kind), "province_code": province}
        for kind, pool in pools
        for i, name in enumerate(pool, start=1)
    ]
    for d in districts:
        offices = rng.sample(names.DISTRICT_OFFICES, rng.randint(*DISTRICT_AGENCIES))
        rows += [
            {**agency_row(f"CQ-{d.code}-{i:03d}", o.format(d=names.in_sentence(d.name)), "co_quan", d.code),
             "province_code": province}
            for i, o in enumerate(offices, start=1)
        ]  # fmt: skip
    return [{**r, "valid_from": "", "valid_to": valid_to} for r in rows]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Tạo danh mục mẫu (demo) cho tỉnh Lâm Đồng mới (từ 01/07/2025) và ba tỉnh cũ (đến 30/06/2025)"
    )
    parser.add_argument("--out", type=Path, default=REGISTER, help="thư mục ghi danh mục")
    args = parser.parse_args(argv)
    counts = make_register(args.out)
    print(", ".join(f"{k}: {v}" for k, v in sorted(counts.items())))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
