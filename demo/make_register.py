"""Writes the demo register (contract section 2) for Bình Thuận: the province, its 10 districts and 124
communes as the GSO listed them on 01/07/2021, plus 689 made-up villages and 827 made-up agencies.

The committed demo/register/*.csv are what the pipeline reads; this script is how they were made:
    python -m demo.make_register [--source FILE] [--out DIR]
"""

from __future__ import annotations

import argparse
import csv
import random
from collections import Counter
from pathlib import Path

from demo import names

HERE = Path(__file__).resolve().parent
DEFAULT_SOURCE = HERE.parent.parent / "shared" / "data" / "binh_thuan_2021_org_units.csv"
DEFAULT_OUT = HERE / "register"

SEED = 60_2021
VILLAGES = 689  # contract section 8
PROVINCE_AGENCIES = 195
DISTRICT_AGENCIES = 632
MIN_VILLAGES_PER_COMMUNE = 2
INVENTED_FROM = "2015-01-01"  # villages and agencies exist since before any demo period

ORG_UNIT_COLUMNS = ["code", "name", "level", "parent_code", "valid_from", "valid_to"]
AGENCY_COLUMNS = ["code", "name", "kind", "managed_by", "district_code", "valid_from", "valid_to"]
_KIND_PREFIX = {"co_quan": "CQ", "nha_truong": "NT", "doanh_nghiep": "DN"}


def make_register(source: Path = DEFAULT_SOURCE, out_dir: Path = DEFAULT_OUT) -> dict[str, int]:
    """Write org_units.csv and agencies.csv into `out_dir`; return row counts by level / management."""
    rng = random.Random(SEED)
    gso = _read_gso(Path(source))
    villages = _villages(rng, [u for u in gso if u["level"] == "commune"])
    agencies = _province_agencies(rng) + _district_agencies(rng, gso)

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    org_units = [{**u, "valid_from": "", "valid_to": ""} for u in gso] + villages
    _write_csv(out_dir / "org_units.csv", ORG_UNIT_COLUMNS, org_units)
    _write_csv(out_dir / "agencies.csv", AGENCY_COLUMNS, agencies)
    counts = Counter(u["level"] for u in org_units)
    counts.update(f"agencies_{a['managed_by']}" for a in agencies)
    return dict(counts)


def _read_gso(source: Path) -> list[dict]:
    with open(source, encoding="utf-8", newline="") as fh:
        rows = [{k: r[k] for k in ("code", "name", "level", "parent_code")} for r in csv.DictReader(fh)]
    order = {"province": 0, "district": 1, "commune": 2}
    return sorted(rows, key=lambda r: (order[r["level"]], r["code"]))


def _spread(rng: random.Random, total: int, weights: list[float]) -> list[int]:
    """`total` split over len(weights) slots, at random in proportion to the weights."""
    counts = [0] * len(weights)
    for i in rng.choices(range(len(weights)), weights=weights, k=total):
        counts[i] += 1
    return counts


def _villages(rng: random.Random, communes: list[dict]) -> list[dict]:
    weights = [(1.3 if names.is_urban(c["name"]) else 1.0) * rng.lognormvariate(0, 0.5) for c in communes]
    extra = _spread(rng, VILLAGES - MIN_VILLAGES_PER_COMMUNE * len(communes), weights)
    rows = []
    for commune, more in zip(communes, extra):
        for i, name in enumerate(names.village_names(rng, commune["name"], MIN_VILLAGES_PER_COMMUNE + more), start=1):
            rows.append(
                {
                    "code": f"{commune['code']}{i:03d}",
                    "name": name,
                    "level": "village",
                    "parent_code": commune["code"],
                    "valid_from": INVENTED_FROM,
                    "valid_to": "",
                }
            )
    return rows


def agency_row(code: str, name: str, kind: str, district_code: str = "") -> dict:
    """One agencies.csv row: managed by its district when it has one, else by the province."""
    return {
        "code": code,
        "name": name,
        "kind": kind,
        "managed_by": "district" if district_code else "province",
        "district_code": district_code,
        "valid_from": INVENTED_FROM,
        "valid_to": "",
    }


def _province_agencies(rng: random.Random) -> list[dict]:
    used = set(names.PROVINCE_OFFICES) | set(names.PROVINCE_SCHOOLS) | set(names.PROVINCE_COMPANIES)
    companies = list(names.PROVINCE_COMPANIES)
    n_companies = PROVINCE_AGENCIES - len(names.PROVINCE_OFFICES) - len(names.PROVINCE_SCHOOLS)
    while len(companies) < n_companies:
        companies.append(names.company_name(rng, used))
    rows = []
    for kind, pool in (
        ("co_quan", names.PROVINCE_OFFICES),
        ("nha_truong", names.PROVINCE_SCHOOLS),
        ("doanh_nghiep", companies),
    ):
        rows += [agency_row(f"{_KIND_PREFIX[kind]}T{i:03d}", name, kind) for i, name in enumerate(pool, start=1)]
    return rows


def _district_agencies(rng: random.Random, gso: list[dict]) -> list[dict]:
    districts = [u for u in gso if u["level"] == "district"]
    communes = {d["code"]: [u for u in gso if u["parent_code"] == d["code"]] for d in districts}
    # bigger and more urban districts have more agencies
    weights = [
        4
        + sum(1.4 if names.is_urban(c["name"]) else 1.0 for c in communes[d["code"]])
        + (4 if not d["name"].startswith("Huyện ") else 0)
        for d in districts
    ]
    quotas = _largest_remainder(DISTRICT_AGENCIES, [w * rng.uniform(0.9, 1.1) for w in weights])

    used: set[str] = set()
    rows = []
    for district, quota in zip(districts, quotas):
        where = names.in_sentence(district["name"])
        offices = [o.format(d=where) for o in _offices_for(district["name"])]
        n_offices = min(len(offices), round(quota * 0.3))
        n_schools = round(quota * 0.4)
        schools = _schools(rng, communes[district["code"]])[:n_schools]
        places = [names.bare_name(c["name"]) for c in communes[district["code"]]]
        companies = [names.company_name(rng, used, rng.choice(places)) for _ in range(quota - n_offices - len(schools))]
        for kind, pool in (("co_quan", offices[:n_offices]), ("nha_truong", schools), ("doanh_nghiep", companies)):
            rows += [
                agency_row(f"{_KIND_PREFIX[kind]}-{district['code']}-{i:03d}", name, kind, district["code"])
                for i, name in enumerate(pool, start=1)
            ]
    return rows


def _offices_for(district_name: str) -> list[str]:
    if district_name.startswith("Huyện "):
        return names.DISTRICT_OFFICES
    # a city or town has urban-management offices instead of rural ones
    urban = {
        "Phòng Nông nghiệp và Phát triển nông thôn {d}": "Phòng Kinh tế {d}",
        "Phòng Kinh tế và Hạ tầng {d}": "Phòng Quản lý đô thị {d}",
        "Hạt Kiểm lâm {d}": "Đội Quản lý trật tự đô thị {d}",
    }
    return [urban.get(o, o) for o in names.DISTRICT_OFFICES if o != "Phòng Dân tộc {d}"]


def _schools(rng: random.Random, communes: list[dict]) -> list[str]:
    candidates = []
    for commune in communes:
        place = names.bare_name(commune["name"])
        candidates += [f"{level} {place}" for level in names.SCHOOL_LEVELS]
        candidates += [f"{names.SCHOOL_LEVELS[1]} {place} 2", f"{names.SCHOOL_LEVELS[0]} {place} 2"]
    firsts = candidates[::5] + candidates[1::5] + candidates[2::5]  # every commune's main schools first
    seconds = candidates[3::5] + candidates[4::5]
    rng.shuffle(firsts)
    rng.shuffle(seconds)
    seen: list[str] = []
    for name in firsts + seconds:
        if name not in seen:
            seen.append(name)
    return seen


def _largest_remainder(total: int, weights: list[float]) -> list[int]:
    shares = [total * w / sum(weights) for w in weights]
    counts = [int(s) for s in shares]
    by_remainder = sorted(range(len(shares)), key=lambda i: shares[i] - counts[i], reverse=True)
    for i in by_remainder[: total - sum(counts)]:
        counts[i] += 1
    return counts


def _write_csv(path: Path, columns: list[str], rows: list[dict]) -> None:
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Tạo danh mục mẫu (demo) cho tỉnh Bình Thuận")
    parser.add_argument(
        "--source", type=Path, default=DEFAULT_SOURCE, help="danh sách đơn vị hành chính của Tổng cục Thống kê (CSV)"
    )
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="thư mục ghi danh mục")
    args = parser.parse_args(argv)
    counts = make_register(args.source, args.out)
    print(", ".join(f"{k}: {v}" for k, v in sorted(counts.items())))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
