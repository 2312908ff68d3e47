"""A made-up province of N communes with the shape of a real one, for benchmarks/build.py.

About 15 communes a district, 7 villages a commune (4 to 10), 60 district-managed agencies a district
and 200 province-managed agencies. Every unit reports for one period (2021-H1): one workbook for the
province, one per district, one per commune; 1 % of the communes (every hundredth, from the fiftieth)
also sent a first version that their second one supersedes.

The register (org_units.csv, agencies.csv) is drawn from one seeded generator; the content of each
unit's workbook from a generator seeded with the unit's code, so any one workbook can be written again
on its own (the incremental benchmark does) and the workbooks can be written by several processes.
Everything is written by workbook_format.writer.write_submission, with fixed file times.

    generate(N, folder)            # folder/register/*.csv, folder/inbox/2021-H1/<district>/*.xlsx
    ensure_generated(N, cache)     # the same, reused when cache/N<N>/complete.json says it is complete
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import os
import random
import shutil
import time
import unicodedata
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field, replace
from pathlib import Path

import catalog
from demo import names
from demo.make_register import agency_row
from workbook_format.writer import write_submission

GENERATOR_VERSION = 1  # bump when the content changes: cached provinces are then regenerated
SEED = 2021_0630
PERIOD = "2021-H1"
PERIOD_WORDS = ("2021-H1", "6 tháng đầu năm 2021")
FIRST_DAY = dt.date(2021, 7, 1)
LOCAL_TZ = dt.timezone(dt.timedelta(hours=7))
MARKER = "complete.json"

COMMUNES_PER_DISTRICT = 15
VILLAGES_PER_COMMUNE = (4, 10)  # uniform: 7 on average
DISTRICT_AGENCIES = 60
PROVINCE_AGENCIES = 200
PROVINCE_MODELS = 40
RESUBMIT_EVERY = 100  # commune i resubmits when i % 100 == 50: 1 %
URBAN_SHARE = 0.12  # phường and thị trấn among the communes
MODEL_GROUP_WEIGHTS = {"1": 62, "2": 85, "3": 148, "4": 171, "5": 120, "6": 400}

ORG_UNIT_COLUMNS = ["code", "name", "level", "parent_code", "valid_from", "valid_to"]
AGENCY_COLUMNS = ["code", "name", "kind", "managed_by", "district_code", "valid_from", "valid_to"]
_KIND_PREFIX = {"co_quan": "CQ", "nha_truong": "NT", "doanh_nghiep": "DN"}
_SINCE = "2015-01-01"


# --- the register -----------------------------------------------------------------------------------


@dataclass
class Register:
    province: dict
    districts: list[dict]
    communes: dict[str, list[dict]] = field(default_factory=dict)  # district -> communes
    villages: dict[str, list[dict]] = field(default_factory=dict)  # commune -> villages
    district_agencies: dict[str, list[dict]] = field(default_factory=dict)  # district -> agencies
    province_agencies: list[dict] = field(default_factory=list)

    @property
    def all_communes(self) -> list[dict]:
        return [c for d in self.districts for c in self.communes[d["code"]]]


def _widths() -> dict[str, int]:
    return catalog.workbook()["code_width"]


def _code(level: str, number: int) -> str:
    width = _widths()[level]
    code = f"{number:0{width}d}"
    if len(code) > width:
        raise ValueError(f"{level} number {number} does not fit in {width} digits")
    return code


def _place(rng: random.Random, used: set[str]) -> str:
    """A two-syllable place name not in `used` (a number is added once the pairs run out)."""
    for _ in range(50):
        first, second = rng.choice(names.PLACE_FIRST), rng.choice(names.PLACE_SECOND)
        name = f"{first} {second}"
        if first != second and name not in used:
            used.add(name)
            return name
    name = f"{rng.choice(names.PLACE_FIRST)} {rng.choice(names.PLACE_SECOND)} {len(used) + 1}"
    used.add(name)
    return name


def _split(total: int, parts: int) -> list[int]:
    return [total // parts + (1 if i < total % parts else 0) for i in range(parts)]


def plan_register(n_communes: int, seed: int = SEED) -> Register:
    """The register of a province of `n_communes` communes (deterministic for a seed)."""
    rng = random.Random(seed)
    n_districts = max(1, round(n_communes / COMMUNES_PER_DISTRICT))
    reg = Register(
        province={
            "code": _code("province", 60),
            "name": "Tỉnh Thử Nghiệm",
            "level": "province",
            "parent_code": "",
            "valid_from": "",
            "valid_to": "",
        },
        districts=[],
    )
    district_names: set[str] = set()
    commune_number = 0
    for d, size in enumerate(_split(n_communes, n_districts)):
        prefix = rng.choices(["Huyện ", "Thị xã ", "Thành phố "], weights=[85, 10, 5])[0]
        district = {
            "code": _code("district", 101 + d),
            "name": prefix + _place(rng, district_names),
            "level": "district",
            "parent_code": reg.province["code"],
            "valid_from": "",
            "valid_to": "",
        }
        reg.districts.append(district)
        commune_names: set[str] = set()
        communes = []
        for _ in range(size):
            commune_number += 1
            prefix = rng.choice(["Phường ", "Thị trấn "]) if rng.random() < URBAN_SHARE else "Xã "
            commune = {
                "code": _code("commune", commune_number),
                "name": prefix + _place(rng, commune_names),
                "level": "commune",
                "parent_code": district["code"],
                "valid_from": "",
                "valid_to": "",
            }
            communes.append(commune)
            count = rng.randint(*VILLAGES_PER_COMMUNE)
            reg.villages[commune["code"]] = [
                {
                    "code": f"{commune['code']}{i:03d}",
                    "name": name,
                    "level": "village",
                    "parent_code": commune["code"],
                    "valid_from": _SINCE,
                    "valid_to": "",
                }
                for i, name in enumerate(names.village_names(rng, commune["name"], count), start=1)
            ]
        reg.communes[district["code"]] = communes
        reg.district_agencies[district["code"]] = _district_agencies(rng, district, communes)
    reg.province_agencies = _province_agencies(rng)
    return reg


def _province_agencies(rng: random.Random) -> list[dict]:
    offices = list(names.PROVINCE_OFFICES)
    schools = list(names.PROVINCE_SCHOOLS)
    companies: list[str] = []
    used: set[str] = set()
    while len(offices) + len(schools) + len(companies) < PROVINCE_AGENCIES:
        companies.append(names.company_name(rng, used))
    rows = []
    for kind, pool in (("co_quan", offices), ("nha_truong", schools), ("doanh_nghiep", companies)):
        rows += [agency_row(f"{_KIND_PREFIX[kind]}T{i:03d}", name, kind) for i, name in enumerate(pool, start=1)]
    return rows[:PROVINCE_AGENCIES]


def _district_agencies(rng: random.Random, district: dict, communes: list[dict]) -> list[dict]:
    where = names.in_sentence(district["name"])
    offices = [o.format(d=where) for o in names.DISTRICT_OFFICES]
    places = [names.bare_name(c["name"]) for c in communes] or [names.bare_name(district["name"])]
    n_schools = round(DISTRICT_AGENCIES * 0.4)
    schools = [
        f"{names.SCHOOL_LEVELS[i % 3]} {places[(i // 3) % len(places)]}"
        + (f" {i // (3 * len(places)) + 1}" if i >= 3 * len(places) else "")
        for i in range(n_schools)
    ]
    used: set[str] = set()
    n_companies = DISTRICT_AGENCIES - len(offices) - len(schools)
    companies = [names.company_name(rng, used, rng.choice(places)) for _ in range(n_companies)]
    rows = []
    for kind, pool in (("co_quan", offices), ("nha_truong", schools), ("doanh_nghiep", companies)):
        rows += [
            agency_row(f"{_KIND_PREFIX[kind]}-{district['code']}-{i:03d}", name, kind, district["code"])
            for i, name in enumerate(pool, start=1)
        ]
    return rows


def write_register(reg: Register, folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    units = [reg.province, *reg.districts]
    for commune in reg.all_communes:
        units.append(commune)
    units += [v for c in reg.all_communes for v in reg.villages[c["code"]]]
    agencies = reg.province_agencies + [a for d in reg.districts for a in reg.district_agencies[d["code"]]]
    for name, columns, rows in (("org_units.csv", ORG_UNIT_COLUMNS, units), ("agencies.csv", AGENCY_COLUMNS, agencies)):
        with open(folder / name, "w", encoding="utf-8", newline="") as fh:
            writer = csv.DictWriter(fh, fieldnames=columns, lineterminator="\n")
            writer.writeheader()
            writer.writerows(rows)


def read_register(folder: Path) -> Register:
    """The Register back from org_units.csv and agencies.csv (what the workbooks are drawn from)."""
    with open(folder / "org_units.csv", encoding="utf-8", newline="") as fh:
        units = list(csv.DictReader(fh))
    with open(folder / "agencies.csv", encoding="utf-8", newline="") as fh:
        agencies = list(csv.DictReader(fh))
    (province,) = [u for u in units if u["level"] == "province"]
    reg = Register(province=province, districts=[u for u in units if u["level"] == "district"])
    for d in reg.districts:
        reg.communes[d["code"]] = []
        reg.district_agencies[d["code"]] = []
    for u in units:
        if u["level"] == "commune":
            reg.communes[u["parent_code"]].append(u)
            reg.villages[u["code"]] = []
    for u in units:
        if u["level"] == "village":
            reg.villages[u["parent_code"]].append(u)
    for a in agencies:
        if a["managed_by"] == "district":
            reg.district_agencies[a["district_code"]].append(a)
        else:
            reg.province_agencies.append(a)
    return reg


# --- the workbooks ----------------------------------------------------------------------------------


@dataclass
class Submission:
    """The arguments of write_submission, and where the file goes (relative to the inbox)."""

    level: str
    relpath: str
    cover: dict
    sheets: dict[str, list[dict]]
    title: str | None = None


def _unit_rng(seed: int, code: str, salt: str = "") -> random.Random:
    return random.Random(f"{seed}:{code}:{salt}")


def _slug(text: str) -> str:
    plain = unicodedata.normalize("NFD", text.replace("Đ", "D").replace("đ", "d"))
    plain = "".join(ch for ch in plain if not unicodedata.combining(ch))
    return "_".join("".join(ch if ch.isalnum() else " " for ch in plain.lower()).split())


def _title(rng: random.Random, unit: dict) -> str | None:
    if rng.random() < 0.2:
        return None
    return (
        "BÁO CÁO KẾT QUẢ XÂY DỰNG PHONG TRÀO TOÀN DÂN BẢO VỆ AN NINH TỔ QUỐC "
        f"{PERIOD_WORDS[1].upper()} - {unit['name'].upper()}"
    )


def _cover(rng: random.Random, unit: dict, day: int, **extra) -> dict:
    return {
        "code": unit["code"],
        "name": unit["name"],
        "period": rng.choice(PERIOD_WORDS),
        "created_on": FIRST_DAY + dt.timedelta(days=day),
        "version": 1 if rng.random() < 0.7 else None,
        "preparer": names.person_name(rng, set()),
        **extra,
    }


def _model(rng: random.Random, pool: dict[str, list[str]], unit_code: str | None, unit_name: str | None) -> dict:
    group = rng.choices(list(MODEL_GROUP_WEIGHTS), weights=list(MODEL_GROUP_WEIGHTS.values()))[0]
    name = rng.choice(pool[group])
    year = rng.choices(range(2012, 2022), weights=[1, 1, 2, 2, 3, 3, 3, 3, 3, 2])[0] if rng.random() < 0.6 else None
    return {
        "model_name": f"{name} {unit_name}" if unit_name else name,
        "model_group": group,
        "unit_code": unit_code,
        "founded_year": year,
    }


def _force_support(rng: random.Random, rows: int, urban: bool) -> list[dict]:
    titles = names.FORCE_TITLES_URBAN if urban else names.FORCE_TITLES_RURAL
    out = []
    for _ in range(rows):
        subsidy = urban and rng.random() < 0.3
        out.append(
            {
                "person_name": names.person_name(rng, set()),
                "person_title": rng.choice(titles),
                "support_type": "hardship_subsidy" if subsidy else "visit",
                "amount_vnd": rng.choice([2_000_000, 3_000_000] if subsidy else [500_000, 1_000_000]),
            }
        )
    return out


def _awards(rng: random.Random, rows: int, place: str, medals: bool) -> list[dict]:
    out = []
    for _ in range(rows):
        if medals and rng.random() < 0.5:
            out.append(
                {
                    "recipient_kind": "individual",
                    "recipient_name": names.person_name(rng, set()),
                    "award_type": "medal",
                    "decision_no": f"{rng.randint(1200, 4800)}/QĐ-BCA-X01",
                }
            )
        elif rng.random() < 0.3:
            out.append(
                {
                    "recipient_kind": "collective",
                    "recipient_name": rng.choice(names.COMMUNE_COLLECTIVES).format(place=place),
                    "award_type": "commendation",
                    "decision_no": f"{rng.randint(100, 999)}/QĐ-UBND",
                }
            )
        else:
            out.append(
                {
                    "recipient_kind": "individual",
                    "recipient_name": names.person_name(rng, set()),
                    "award_type": "commendation",
                    "decision_no": f"{rng.randint(10, 999)}/QĐ-UBND",
                }
            )
    return sorted(out, key=lambda r: (r["award_type"], r["recipient_kind"]))


def commune_submissions(reg: Register, commune: dict, index: int, seed: int = SEED) -> list[Submission]:
    """The commune's workbook; for a resubmitting commune its superseded first version, then version 2."""
    rng = _unit_rng(seed, commune["code"])
    urban = names.is_urban(commune["name"])
    villages = []
    for v in reg.villages[commune["code"]]:
        total = rng.randint(350, 880) if urban else rng.randint(150, 760)
        villages.append(
            {
                "village_code": v["code"],
                "village_name": v["name"],
                "plan_issued": rng.random() < 0.75,
                "safe_registered": rng.random() < 0.92,
                "households_total": total,
                "households_registered": round(total * rng.uniform(0.8, 0.98)),
            }
        )
    models = []
    for _ in range(rng.randint(3, 12)):
        village = rng.choice(reg.villages[commune["code"]]) if rng.random() < 0.45 else None
        models.append(_model(rng, names.MODEL_NAMES, village and village["code"], village and village["name"]))
    sheets: dict[str, list[dict]] = {"villages": villages, "commune_models": models}
    if rng.random() < 0.10:
        sheets["force_support"] = _force_support(rng, rng.randint(1, 3), urban)
    if rng.random() < 0.05:
        sheets["awards"] = _awards(rng, rng.randint(1, 2), names.in_sentence(commune["name"]), medals=False)
    day = rng.randint(0, 5)
    cover = _cover(rng, commune, day, commune_steering_plan=rng.random() < 0.95, commune_safe=rng.random() < 0.93)
    relpath = f"{PERIOD}/{commune['parent_code']}/{commune['code']}_{_slug(commune['name'])}.xlsx"
    final = Submission("commune", relpath, cover, sheets, _title(rng, commune))
    if index % RESUBMIT_EVERY != RESUBMIT_EVERY // 2:
        return [final]
    first_villages = [dict(v) for v in villages]
    first_villages[0]["households_registered"] = max(0, first_villages[0]["households_registered"] - 12)
    first_villages[-1]["plan_issued"] = not first_villages[-1]["plan_issued"]
    first = Submission(
        "commune",
        relpath,
        {**cover, "version": 1},
        {**sheets, "villages": first_villages, "commune_models": models[:-1]},
        final.title,
    )
    final = replace(
        final,
        relpath=relpath.replace(".xlsx", "_phien_ban_2.xlsx"),
        cover={**cover, "version": 2, "created_on": cover["created_on"] + dt.timedelta(days=4)},
    )
    return [first, final]


def _district_summary(finals: list[Submission]) -> list[dict]:
    villages = [v for s in finals for v in s.sheets["villages"]]
    figures = {
        "commune_steering_plan": (sum(bool(s.cover["commune_steering_plan"]) for s in finals), len(finals)),
        "village_board_plan": (sum(v["plan_issued"] for v in villages), len(villages)),
        "commune_safe": (sum(bool(s.cover["commune_safe"]) for s in finals), len(finals)),
        "village_safe": (sum(v["safe_registered"] for v in villages), len(villages)),
        "household_safe": (
            sum(v["households_registered"] for v in villages),
            sum(v["households_total"] for v in villages),
        ),
        "models": (sum(len(s.sheets["commune_models"]) for s in finals), None),
    }
    return [
        {"summary_item": item, "achieved": figures[item][0], "total": figures[item][1]}
        for item in catalog.workbook()["vocab"]["summary_item"]
    ]


def _agency_rows(rng: random.Random, agencies: list[dict]) -> list[dict]:
    rows = []
    for a in agencies:
        plan = rng.random() < 0.88
        rows.append(
            {
                "agency_code": a["code"],
                "agency_name": a["name"],
                "agency_kind": a["kind"],
                "plan_issued": plan,
                "safe_registered": plan and rng.random() < 0.97,
            }
        )
    return rows


def district_submissions(reg: Register, district: dict, first_index: int, seed: int = SEED) -> list[Submission]:
    """The district's communes' workbooks, then the district's own (its summary computed from them)."""
    out: list[Submission] = []
    finals = []
    for i, commune in enumerate(reg.communes[district["code"]]):
        subs = commune_submissions(reg, commune, first_index + i, seed)
        out += subs
        finals.append(subs[-1])
    rng = _unit_rng(seed, district["code"])
    sheets = {
        "agencies": _agency_rows(rng, reg.district_agencies[district["code"]]),
        "district_summary": _district_summary(finals),
    }
    if rng.random() < 0.3:
        sheets["force_support"] = _force_support(rng, rng.randint(1, 3), urban=rng.random() < 0.5)
    if rng.random() < 0.3:
        sheets["awards"] = _awards(rng, rng.randint(1, 3), names.in_sentence(district["name"]), medals=True)
    cover = _cover(rng, district, rng.randint(6, 8), district_steering_plan=rng.random() < 0.9)
    relpath = f"{PERIOD}/{district['code']}/{district['code']}_{_slug(district['name'])}.xlsx"
    out.append(Submission("district", relpath, cover, sheets, _title(rng, district)))
    return out


def province_submission(reg: Register, seed: int = SEED) -> Submission:
    rng = _unit_rng(seed, reg.province["code"])
    models = []
    for _ in range(PROVINCE_MODELS):
        agency = rng.choice(reg.province_agencies) if rng.random() < 0.7 else None
        models.append(_model(rng, names.AGENCY_MODEL_NAMES, agency and agency["code"], None))
    sheets = {
        "agencies": _agency_rows(rng, reg.province_agencies),
        "province_models": models,
        "force_support": _force_support(rng, 6, urban=True),
        "awards": _awards(rng, 15, names.in_sentence(reg.province["name"]), medals=True),
    }
    relpath = f"{PERIOD}/{reg.province['code']}_{_slug(reg.province['name'])}.xlsx"
    return Submission("province", relpath, _cover(rng, reg.province, 9), sheets, _title(rng, reg.province))


def write(sub: Submission, inbox: Path) -> Path:
    """Write one workbook (replacing, never writing through, a file already there: the benchmark's
    inboxes are hard links to the cached one) with a fixed modification time."""
    path = inbox / sub.relpath
    if path.exists():
        path.unlink()
    write_submission(path, level=sub.level, cover=sub.cover, sheets=sub.sheets, title=sub.title)
    created = sub.cover["created_on"]
    stamp = dt.datetime.combine(created, dt.time(16, 0), LOCAL_TZ).timestamp()
    os.utime(path, (stamp, stamp))
    return path


# --- generating, in parallel, and the cache ---------------------------------------------------------

_worker_register: Register | None = None


def _init_worker(register_dir: str) -> None:
    global _worker_register
    _worker_register = read_register(Path(register_dir))


def _write_districts(task: tuple[list[tuple[str, int]], str, int]) -> int:
    """Worker: write the workbooks of some districts; return how many."""
    districts, inbox, seed = task
    reg = _worker_register
    by_code = {d["code"]: d for d in reg.districts}
    written = 0
    for code, first_index in districts:
        for sub in district_submissions(reg, by_code[code], first_index, seed):
            write(sub, Path(inbox))
            written += 1
    return written


def generate(
    n_communes: int,
    folder: Path,
    *,
    workers: int = 2,
    seed: int = SEED,
    progress: Callable[[int, int], None] | None = None,
) -> dict:
    """Write folder/register and folder/inbox for a province of `n_communes`; return counts."""
    reg = plan_register(n_communes, seed)
    register_dir, inbox = folder / "register", folder / "inbox"
    write_register(reg, register_dir)
    reg = read_register(register_dir)  # the workbooks are drawn from what the CSVs say

    tasks, index, batch = [], 0, []
    for district in reg.districts:
        batch.append((district["code"], index))
        index += len(reg.communes[district["code"]])
        if len(batch) == 4:
            tasks.append((batch, str(inbox), seed))
            batch = []
    if batch:
        tasks.append((batch, str(inbox), seed))

    expected = (
        1
        + len(reg.districts)
        + n_communes
        + sum(1 for i in range(n_communes) if i % RESUBMIT_EVERY == RESUBMIT_EVERY // 2)
    )
    write(province_submission(reg, seed), inbox)
    written = 1
    with ProcessPoolExecutor(max_workers=workers, initializer=_init_worker, initargs=(str(register_dir),)) as pool:
        for future in as_completed([pool.submit(_write_districts, t) for t in tasks]):
            written += future.result()
            if progress:
                progress(written, expected)
    return {
        "communes": n_communes,
        "districts": len(reg.districts),
        "villages": sum(len(v) for v in reg.villages.values()),
        "agencies": len(reg.province_agencies) + sum(len(a) for a in reg.district_agencies.values()),
        "workbooks": written,
        "resubmissions": written - 1 - len(reg.districts) - n_communes,
    }


def rewrite_commune(
    register_dir: Path, inbox: Path, commune_code: str, *, extra_households: int, seed: int = SEED
) -> Path:
    """Write one commune's (final) workbook again with its first village's household total raised by
    `extra_households`: the change a commune makes when it corrects a figure."""
    reg = read_register(register_dir)
    communes = reg.all_communes
    index = next(i for i, c in enumerate(communes) if c["code"] == commune_code)
    sub = commune_submissions(reg, communes[index], index, seed)[-1]
    villages = [dict(v) for v in sub.sheets["villages"]]
    villages[0]["households_total"] += extra_households
    return write(replace(sub, sheets={**sub.sheets, "villages": villages}), inbox)


def ensure_generated(
    n_communes: int, cache: Path, *, regenerate: bool = False, workers: int = 2, log: Callable[[str], None] = print
) -> tuple[Path, dict]:
    """cache/N<n> with register/ and inbox/, generated unless its marker says it is complete and current."""
    folder = cache / f"N{n_communes}"
    marker = folder / MARKER
    if not regenerate and marker.is_file():
        info = json.loads(marker.read_text(encoding="utf-8"))
        if info.get("generator") == GENERATOR_VERSION and info.get("seed") == SEED:
            return folder, info
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    started = time.perf_counter()
    step = [0.0]

    def progress(done: int, total: int) -> None:
        if done / total >= step[0] + 0.1 or done == total:
            step[0] = done / total
            log(f"  N={n_communes}: {done}/{total} workbooks written ({time.perf_counter() - started:.0f} s)")

    counts = generate(n_communes, folder, workers=workers, progress=progress)
    info = {
        "generator": GENERATOR_VERSION,
        "seed": SEED,
        "period": PERIOD,
        **counts,
        "seconds": round(time.perf_counter() - started, 1),
    }
    marker.write_text(json.dumps(info, indent=2) + "\n", encoding="utf-8")
    return folder, info
