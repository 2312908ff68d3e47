"""What the second demo's submissions say: the new Lâm Đồng in 2025-H2 and 2026-H1, one workbook per
commune (124) and one for the province per period, every unit reporting, built from the register with
fixed seeds. Unlike the first demo, whose figures are the seed's, this one invents its truth and
derives from it the figures a correct build must give (`targets`), independently of the pipeline.

One workbook is messy (MESSY_PERIOD): its village sheet has its headers in capitals with stray spaces
under a title row, and lists, besides its own villages, one village of a divided former commune that
went to another new commune (crosswalk.csv). That row is the other commune's: UNKNOWN_ORG_UNIT, and the
village counts once, through the commune it belongs to.

Nothing here touches the disk except reading the register; demo.generate writes the workbooks."""

from __future__ import annotations

import copy
import csv
import datetime as dt
import random
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import catalog
from demo import names
from demo.scenario import (
    LOCAL_TZ,
    MODEL_GROUP_SHARE,
    PeriodState,
    Submission,
    _agency_rows,
    _commune_sheets,
    _group,
    _group_factor,
    _model_row,
    _optional_sheets,
    _period_words,
    _report_dates,
    _slug,
    _top,
)
from demo.scenario import Register as ThreeLevelRegister
from demo.scenario import _period_submissions as three_level_submissions

SEED = 2026_06_30
PERIODS = ("2025-H2", "2026-H1")
# before the reform: the three former provinces, with districts (the register's rows valid on FORMER_DAY)
FORMER_PERIOD = "2025-H1"
FORMER_DAY = "2025-06-30"
# since the reform: the new province (the register's rows valid on NEW_DAY)
NEW_DAY = "2025-07-01"
MESSY_PERIOD = "2026-H1"
# share of units achieving, per period: plans and registrations grow from one half-year to the next
SHARES = {
    "2025-H1": {"agency_plan": 0.75, "agency_safe": 0.7, "steering": 0.86, "commune_safe": 0.8, "village_plan": 0.62,
                "village_safe": 0.78, "district_steering": 0.9},
    "2025-H2": {"agency_plan": 0.82, "agency_safe": 0.76, "steering": 0.9, "commune_safe": 0.85, "village_plan": 0.7,
                "village_safe": 0.84},
    "2026-H1": {"agency_plan": 0.9, "agency_safe": 0.85, "steering": 0.97, "commune_safe": 0.92, "village_plan": 0.8,
                "village_safe": 0.9},
}  # fmt: skip
# 2025-H1: each former province's
NEW_MODELS = {"2025-H1": 130, "2025-H2": 420, "2026-H1": 60}  # in communes; 2026-H1 keeps 2025-H2's, adds these
PROVINCE_MODELS = {"2025-H1": 10, "2025-H2": 30, "2026-H1": 4}
COMMUNES_WITHOUT_MODEL = {"2025-H1": 3, "2025-H2": 7, "2026-H1": 3}
FORCE_SUPPORT = {"2025-H1": (9, 3), "2025-H2": (26, 9), "2026-H1": (18, 6)}  # visits, hardship subsidies
# since 01/07/2024 (Luật Lực lượng tham gia bảo vệ an ninh, trật tự ở cơ sở) the core force at the base is
# one force in every commune and ward, in place of Bảo vệ dân phố and Công an xã bán chuyên trách
FORCE_TITLES = (
    "Tổ viên Tổ bảo vệ an ninh, trật tự",
    "Tổ trưởng Tổ bảo vệ an ninh, trật tự",
    "Tổ phó Tổ bảo vệ an ninh, trật tự",
)
AWARDS = {"2025-H1": (8, 2, 6), "2025-H2": (24, 5, 17), "2026-H1": (9, 3, 12)}  # medals, collectives, individuals


@dataclass
class Register:
    """One province of a register: its communes, their villages, its agencies; before the reform also its
    districts and their agencies (each commune's `parent_code` its district)."""

    province: dict
    communes: list[dict]
    villages: dict[str, list[dict]]  # commune code -> villages
    province_agencies: list[dict]
    crosswalk: list[dict] = field(default_factory=list)
    districts: list[dict] = field(default_factory=list)
    district_agencies: list[dict] = field(default_factory=list)

    @property
    def all_villages(self) -> list[dict]:
        return [v for c in self.communes for v in self.villages[c["code"]]]


def _read(folder: Path, name: str) -> list[dict]:
    path = Path(folder) / name
    if not path.is_file():
        return []
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _valid_on(row: dict, day: str) -> bool:
    """Contract section 2 on ISO date strings (an empty bound is open)."""
    return (not row["valid_from"] or row["valid_from"] <= day) and (not row["valid_to"] or row["valid_to"] >= day)


def load_registers(register_dir: Path, day: str = FORMER_DAY) -> list[Register]:
    """Each province of the register folder valid on `day` (three before the reform, one since), in code
    order, with its units and agencies valid that day."""
    units = sorted((u for u in _read(register_dir, "org_units.csv") if _valid_on(u, day)), key=lambda u: u["code"])
    agencies = [a for a in _read(register_dir, "agencies.csv") if _valid_on(a, day)]
    children: dict[str, list[dict]] = defaultdict(list)
    for u in units:
        children[u["parent_code"]].append(u)
    out = []
    for province in (u for u in units if u["level"] == "province"):
        districts = [u for u in children[province["code"]] if u["level"] == "district"]
        communes = [u for u in children[province["code"]] if u["level"] == "commune"]
        communes += [c for d in districts for c in children[d["code"]]]
        communes.sort(key=lambda u: u["code"])
        district_codes = {d["code"] for d in districts}
        out.append(
            Register(
                province,
                communes,
                {c["code"]: children[c["code"]] for c in communes},
                [a for a in agencies if a["managed_by"] == "province" and a["province_code"] == province["code"]],
                _read(register_dir, "crosswalk.csv"),
                districts,
                [a for a in agencies if a["district_code"] in district_codes],
            )
        )
    return out


def load_register(register_dir: Path) -> Register:
    """The register of the new province (one province)."""
    (register,) = load_registers(register_dir, NEW_DAY)
    return register


def build_submissions(
    register: Register, former: list[Register]
) -> tuple[list[Submission], dict[str, PeriodState], list[Submission], dict[str, PeriodState]]:
    """Every workbook of both periods, in a fixed order, and the truth they were written from; then the
    same for FORMER_PERIOD, per former province. The villages' truth runs on across the reform: 2025-H2
    starts from the former provinces' 2025-H1 (households, plans and registrations of the same village)."""
    rng = random.Random(SEED)
    people: set[str] = set()
    former_states = {r.province["code"]: _state(rng, r, FORMER_PERIOD, None, people) for r in former}
    villages_before = PeriodState()
    for st in former_states.values():
        villages_before.village_plan |= st.village_plan
        villages_before.village_safe |= st.village_safe
        villages_before.households |= st.households
    preparers = {u["code"]: names.person_name(rng, people) for u in [register.province, *register.communes]}
    states: dict[str, PeriodState] = {}
    for period in PERIODS:
        before = states.get(_previous(period))
        states[period] = _state(rng, register, period, before, people, before or villages_before)
    submissions: list[Submission] = []
    for period in PERIODS:
        submissions += _period_submissions(rng, register, period, states[period], preparers)
    former_submissions = []
    for r in former:
        former_submissions += _former_submissions(rng, r, former_states[r.province["code"]], people)
    return submissions, states, former_submissions, former_states


def _previous(period: str) -> str | None:
    i = PERIODS.index(period)
    return PERIODS[i - 1] if i else None


# --- the truth ----------------------------------------------------------------------------------------


def _state(
    rng: random.Random,
    reg: Register,
    period: str,
    before: PeriodState | None,
    people: set[str],
    villages_before: PeriodState | None = None,
) -> PeriodState:
    """Who achieved what in `period`; what was achieved before stays achieved (`villages_before`: the
    villages' part only, across the reform)."""
    share = SHARES[period]
    s = PeriodState()

    def pick(
        codes: list[str], key: str, factor: dict | None, kept: set[str], among: set[str] | None = None
    ) -> set[str]:
        n = round(share[key] * len(codes))
        return kept | _top(rng, [c for c in codes if c not in kept], n - len(kept), factor, among)

    agencies = [a["code"] for a in reg.province_agencies + reg.district_agencies]
    kind = _group_factor(rng, _group(reg.province_agencies + reg.district_agencies, "kind"), 0.6)
    s.agency_plan = pick(agencies, "agency_plan", kind, before.agency_plan if before else set())
    s.agency_safe = pick(agencies, "agency_safe", kind, before.agency_safe if before else set())
    communes = [c["code"] for c in reg.communes]
    s.commune_steering = pick(communes, "steering", None, before.commune_steering if before else set())
    if reg.districts:
        s.district_steering = pick([d["code"] for d in reg.districts], "district_steering", None, set())
    villages = reg.all_villages
    by_commune = _group_factor(rng, _group(villages, "parent_code"), 1.2)
    codes = [v["code"] for v in villages]
    s.village_plan = pick(codes, "village_plan", by_commune, villages_before.village_plan if villages_before else set())
    s.village_safe = pick(codes, "village_safe", by_commune, villages_before.village_safe if villages_before else set())
    # a commune registers safe only when at least half of its villages did (COMMUNE_SAFE_VILLAGES_NOT)
    mostly_safe = {
        c for c in communes if 2 * sum(v["code"] in s.village_safe for v in reg.villages[c]) >= len(reg.villages[c])
    }
    s.commune_safe = pick(communes, "commune_safe", None, before.commune_safe if before else set(), mostly_safe)
    s.households = _households(rng, reg, s, villages_before)
    _models(rng, reg, s, period, before)
    _force_support(rng, reg, s, period, people)
    _awards(rng, reg, s, period, people)
    return s


def _households(
    rng: random.Random, reg: Register, s: PeriodState, before: PeriodState | None
) -> dict[str, tuple[int, int]]:
    """(total, registered) per village; totals move a few % from one half-year to the next (well inside
    the 20 % outlier bound), registered households follow the village's registration."""
    out = {}
    for commune in reg.communes:
        urban = names.is_urban(commune["name"])
        for v in reg.villages[commune["code"]]:
            if before:
                total = round(before.households[v["code"]][0] * rng.uniform(0.99, 1.04))
            else:
                total = rng.randint(350, 880) if urban else rng.randint(140, 720)
            ratio = rng.uniform(0.86, 0.98) if v["code"] in s.village_safe else rng.uniform(0.5, 0.78)
            out[v["code"]] = (total, round(total * ratio))
    return out


def _models(rng: random.Random, reg: Register, s: PeriodState, period: str, before: PeriodState | None) -> None:
    """Models of the communes (a few communes have none) and of the province's agencies; a later period
    keeps the earlier models and adds new ones, founded in that year."""
    groups = list(MODEL_GROUP_SHARE)
    weights = list(MODEL_GROUP_SHARE.values())
    year = int(period[:4])
    if before:
        for reporter, rows in before.models.items():
            s.models[reporter] = list(rows)
    communes = reg.communes
    without = set() if before else {c["code"] for c in rng.sample(communes, COMMUNES_WITHOUT_MODEL[period])}
    if before:  # some communes without a model found their first
        lacking = [c["code"] for c in communes if not s.models.get(c["code"])]
        without = set(lacking[: COMMUNES_WITHOUT_MODEL[period]])
    eligible = [c for c in communes if c["code"] not in without]
    fresh = [c for c in eligible if not s.models.get(c["code"])]
    hosts = fresh + rng.choices(
        eligible, weights=[len(reg.villages[c["code"]]) for c in eligible], k=NEW_MODELS[period] - len(fresh)
    )
    for commune in hosts:
        villages = reg.villages[commune["code"]]
        village = rng.choice(villages) if villages and rng.random() < 0.45 else None
        row = _model_row(
            rng, rng.choices(groups, weights)[0], names.MODEL_NAMES, village, village["name"] if village else None
        )
        if before:
            row["founded_year"] = year
        s.models[commune["code"]].append(row)
    for _ in range(PROVINCE_MODELS[period]):
        agency = rng.choice(reg.province_agencies) if rng.random() < 0.7 else None
        row = _model_row(rng, rng.choices(groups, weights)[0], names.AGENCY_MODEL_NAMES, agency, None)
        if before:
            row["founded_year"] = year
        s.models[reg.province["code"]].append(row)


def _force_support(rng: random.Random, reg: Register, s: PeriodState, period: str, people: set[str]) -> None:
    """Visits and hardship subsidies to members of the base security teams, by the province and a few
    communes."""
    visits, subsidies = FORCE_SUPPORT[period]
    communes = rng.sample(reg.communes, 8)
    for i in range(visits):
        unit = reg.province if i % 3 == 0 else rng.choice(communes)
        s.force_support[unit["code"]].append(
            {
                "person_name": names.person_name(rng, people),
                "person_title": rng.choice(FORCE_TITLES),
                "support_type": "visit",
                "amount_vnd": rng.choice([500_000, 700_000, 1_000_000]),
            }
        )
    for _ in range(subsidies):
        unit = rng.choice([reg.province, *communes[:3]])
        s.force_support[unit["code"]].append(
            {
                "person_name": names.person_name(rng, people),
                "person_title": FORCE_TITLES[0],
                "support_type": "hardship_subsidy",
                "amount_vnd": rng.choice([2_000_000, 3_000_000, 5_000_000]),
            }
        )


def _awards(rng: random.Random, reg: Register, s: PeriodState, period: str, people: set[str]) -> None:
    """Medals (one decision of the Ministry) through the province; commendations from the province and
    a few communes. Each person is new, so nobody is decorated twice."""
    medals, collectives, individuals = AWARDS[period]
    decision = f"{rng.randint(1200, 4800)}/QĐ-BCA-X01"
    communes = rng.sample(reg.communes, 6)

    def add(unit: dict, kind: str, award: str, name: str, decision_no: str) -> None:
        s.awards[unit["code"]].append(
            {"recipient_kind": kind, "recipient_name": name, "award_type": award, "decision_no": decision_no}
        )

    for _ in range(medals):
        add(reg.province, "individual", "medal", names.person_name(rng, people), decision)
    for _ in range(collectives):
        commune = rng.choice(reg.communes)
        village = rng.choice(reg.villages[commune["code"]])
        place = f"{village['name']}, {names.in_sentence(commune['name'])}"
        add(reg.province, "collective", "commendation", rng.choice(names.VILLAGE_COLLECTIVES).format(place=place),
            f"{rng.randint(100, 999)}/QĐ-UBND")  # fmt: skip
    for i in range(individuals):
        unit = reg.province if i % 2 == 0 else rng.choice(communes)
        add(unit, "individual", "commendation", names.person_name(rng, people), f"{rng.randint(10, 999)}/QĐ-UBND")
    for rows in s.awards.values():
        rows.sort(key=lambda r: (r["award_type"], r["recipient_kind"]))


# --- the figures a correct build gives -------------------------------------------------------------------


def targets(
    reg: Register, states: dict[str, PeriodState], former: list[Register], former_states: dict[str, PeriodState]
) -> list[dict]:
    """Rows of indicators.csv (contract section 6) for every period, unit and indicator, computed from the
    truth. FORMER_PERIOD: each former province and each of its districts. Since the reform the province
    row only, as there is no district; the district level's indicators are 0 of 0."""
    out = []
    for r, s, period in [(r, former_states[r.province["code"]], FORMER_PERIOD) for r in former] + [
        (reg, states[p], p) for p in PERIODS
    ]:
        out += _unit_rows(period, r.province, "province", _figures(r, s, None))
        for d in r.districts:
            out += _unit_rows(period, d, "district", _figures(r, s, d["code"]))
    return out


def _unit_rows(period: str, unit: dict, level: str, figures: dict) -> list[dict]:
    return [
        {
            "period": period,
            "indicator": ind["indicator"],
            "org_unit_code": unit["code"],
            "org_unit_level": level,
            "achieved": figures[ind["indicator"]][0],
            "total": "" if figures[ind["indicator"]][1] is None else figures[ind["indicator"]][1],
        }
        for ind in catalog.indicators()
        if level == "province" or not ind["province_only"]
    ]


def _figures(reg: Register, s: PeriodState, district: str | None) -> dict[str, tuple[int, int | None]]:
    """Contract section 4 for the province (`district` None: everything, its own workbook's rows included)
    or for one district (its agencies, communes, villages and the rows of its and its communes' workbooks)."""
    communes = [c["code"] for c in reg.communes if district is None or c["parent_code"] == district]
    districts = [d["code"] for d in reg.districts if district is None or d["code"] == district]
    villages = [v["code"] for c in communes for v in reg.villages[c]]
    province_agencies = {a["code"] for a in reg.province_agencies}
    district_agencies = {a["code"] for a in reg.district_agencies if a["district_code"] in districts}
    reporters = communes + districts + ([reg.province["code"]] if district is None else [])
    models = [m for r in reporters for m in s.models.get(r, [])]
    groups = Counter(m["model_group"] for m in models)

    def count(table: dict[str, list[dict]], column: str, value: str, kind: str | None = None) -> int:
        rows = [row for r in reporters for row in table.get(r, [])]
        return sum(row[column] == value and (kind is None or row["recipient_kind"] == kind) for row in rows)

    return {
        "plan_issued.province_agencies": (len(s.agency_plan & province_agencies), len(province_agencies)),
        "plan_issued.district_agencies": (len(s.agency_plan & district_agencies), len(district_agencies)),
        "plan_issued.district_steering_committees": (len(s.district_steering & set(districts)), len(districts)),
        "plan_issued.commune_steering_committees": (len(s.commune_steering & set(communes)), len(communes)),
        "plan_issued.village_boards": (len(s.village_plan & set(villages)), len(villages)),
        "safe_registered.province_agencies": (len(s.agency_safe & province_agencies), len(province_agencies)),
        "safe_registered.district_agencies": (len(s.agency_safe & district_agencies), len(district_agencies)),
        "safe_registered.communes": (len(s.commune_safe & set(communes)), len(communes)),
        "safe_registered.villages": (len(s.village_safe & set(villages)), len(villages)),
        "safe_registered.households": (
            sum(s.households[v][1] for v in villages),
            sum(s.households[v][0] for v in villages),
        ),
        "models.total": (len(models), None),
        **{f"models.group_{g}": (groups[g], None) for g in MODEL_GROUP_SHARE},
        "models.communes_covered": (sum(bool(s.models.get(c)) for c in communes), len(communes)),
        "force_support.visits": (count(s.force_support, "support_type", "visit"), None),
        "force_support.hardship_subsidies": (count(s.force_support, "support_type", "hardship_subsidy"), None),
        "awards.medal_individuals": (count(s.awards, "award_type", "medal"), None),
        "awards.commendation_collectives": (count(s.awards, "award_type", "commendation", "collective"), None),
        "awards.commendation_individuals": (count(s.awards, "award_type", "commendation", "individual"), None),
    }


# --- from the truth to workbooks ----------------------------------------------------------------------------


def _period_submissions(
    rng: random.Random, reg: Register, period: str, s: PeriodState, preparers: dict[str, str]
) -> list[Submission]:
    """The communes' workbooks over the first week after the half-year, the province's on the tenth day."""
    first, last = _report_dates(period)
    span = (last - first).days
    out: list[Submission] = []

    def submission(level: str, unit: dict, day: int, cover_extra: dict, sheets: dict) -> Submission:
        created = first + dt.timedelta(days=day)
        title = None
        if rng.random() < 0.8:
            title = (
                "BÁO CÁO KẾT QUẢ XÂY DỰNG PHONG TRÀO TOÀN DÂN BẢO VỆ AN NINH TỔ QUỐC "
                f"{_period_words(period, True).upper()} - {unit['name'].upper()}"
            )
        cover = {
            "code": unit["code"],
            "name": unit["name"],
            "period": _period_words(period, rng.random() < 0.85),
            "created_on": created,
            "version": 1 if rng.random() < 0.7 else None,
            "preparer": preparers[unit["code"]],
            **cover_extra,
        }
        mtime = dt.datetime.combine(created, dt.time(16, 0), LOCAL_TZ) + dt.timedelta(minutes=len(out) % 120)
        relpath = f"{period}/{unit['code']}_{_slug(unit['name'])}.xlsx"
        return Submission(period, level, unit["code"], relpath, cover, sheets, title, mtime)

    written = {v["code"]: v["name"] for v in reg.all_villages}
    for commune in reg.communes:
        sheets = _commune_sheets(reg, s, commune, written)
        cover = {
            "commune_steering_plan": commune["code"] in s.commune_steering,
            "commune_safe": commune["code"] in s.commune_safe,
        }
        out.append(submission("commune", commune, rng.randint(0, span - 3), cover, sheets))
    code = reg.province["code"]
    sheets = {"agencies": _agency_rows(s, reg.province_agencies), "province_models": s.models.get(code, [])}
    out.append(submission("province", reg.province, span, {}, sheets | _optional_sheets(s, code)))
    return out


@dataclass(frozen=True)
class Messy:
    """The messy workbook: which file, and the village row it lists that belongs to another commune."""

    relpath: str
    commune_code: str
    village_code: str
    owner_code: str


def messy_file(reg: Register, submissions: list[Submission]) -> tuple[Submission, Messy]:
    """A commune that received part of a divided former commune lists one of that commune's villages
    which went to the other new commune (the crosswalk's village rows say where each went)."""
    divided = [r for r in reg.crosswalk if r["village_code"]]
    went = {r["village_code"]: r["new_code"] for r in divided}
    first = sorted(divided, key=lambda r: (r["default_destination"] != "true", r["village_code"]))[0]
    wrong = next(r for r in divided if r["former_code"] == first["former_code"] and r["new_code"] != first["new_code"])
    sub = next(x for x in submissions if x.period == MESSY_PERIOD and x.code == first["new_code"])
    owner = next(x for x in submissions if x.period == MESSY_PERIOD and x.code == went[wrong["village_code"]])
    row = next(r for r in owner.sheets["villages"] if r["village_code"] == wrong["village_code"])
    sub.sheets["villages"].append(copy.deepcopy(row))
    return sub, Messy(sub.relpath, sub.code, wrong["village_code"], owner.code)


def _former_submissions(rng: random.Random, reg: Register, s: PeriodState, people: set[str]) -> list[Submission]:
    """A former province's FORMER_PERIOD workbooks, one per commune, district and the province, through
    the first demo's writer of a three-level province (demo.scenario), district summaries included."""
    three_level = ThreeLevelRegister(
        province=reg.province,
        districts=reg.districts,
        communes={d["code"]: [c for c in reg.communes if c["parent_code"] == d["code"]] for d in reg.districts},
        villages=reg.villages,
        province_agencies=reg.province_agencies,
        district_agencies={
            d["code"]: [a for a in reg.district_agencies if a["district_code"] == d["code"]] for d in reg.districts
        },
    )
    units = [reg.province, *reg.districts, *reg.communes]
    preparers = {u["code"]: names.person_name(rng, people) for u in units}
    written = {v["code"]: v["name"] for v in reg.all_villages}
    return three_level_submissions(rng, three_level, FORMER_PERIOD, s, preparers, written)
