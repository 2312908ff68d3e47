"""What the demo submissions say: for 2020-H2 and 2021-H1, one workbook's content per commune, district
and the province, built from the demo register with fixed seeds. A correct build of 2021-H1 gives every
figure of contract section 8; 2020-H2 is a plausible, somewhat weaker earlier half-year.

Nothing here touches the disk except reading the register; demo.generate writes the workbooks.
"""

from __future__ import annotations

import copy
import csv
import datetime as dt
import random
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import catalog
from demo import names

SEED = 2021_06_30
PERIODS = ("2020-H2", "2021-H1")
RESUBMISSION_PERIOD = "2021-H1"
LOCAL_TZ = dt.timezone(dt.timedelta(hours=7))
HOUSEHOLDS_RANGE = (150, 900)
MODEL_GROUP_SHARE = {"1": 62, "2": 85, "3": 148, "4": 171, "5": 120, "6": 400}  # of 986 models
TONE_VARIANT_VILLAGES = 6  # village rows written with the other tone-mark placement


@dataclass(frozen=True)
class Targets:
    """Province-wide figures a correct build gives (None: follows from the earlier choices)."""

    province_agency_plan: int
    province_agency_safe: int
    district_agency_plan: int
    district_agency_safe: int
    district_steering: int
    commune_steering: int
    commune_safe: int
    village_plan: int
    village_safe: int
    households_registered: int | None
    households_total: int | None
    commune_models: int | None
    province_models: int | None
    visits: int
    subsidies: int
    medals: int
    commendation_collectives: int
    commendation_individuals: int


TARGETS = {
    # contract section 8; 986 models = 946 in communes + 40 at province-managed agencies
    "2021-H1": Targets(168, 168, 562, 555, 10, 124, 124, 496, 689, 299_882, 332_093, 946, 40, 22, 8, 36, 4, 19),
    "2020-H2": Targets(151, 146, 518, 489, 10, 120, 116, 431, 641, None, None, None, None, 17, 5, 30, 3, 14),
}


@dataclass
class Register:
    province: dict
    districts: list[dict]
    communes: dict[str, list[dict]]  # district code -> communes
    villages: dict[str, list[dict]]  # commune code -> villages
    province_agencies: list[dict]
    district_agencies: dict[str, list[dict]]  # district code -> agencies

    @property
    def all_communes(self) -> list[dict]:
        return [c for d in self.districts for c in self.communes[d["code"]]]

    @property
    def all_villages(self) -> list[dict]:
        return [v for c in self.all_communes for v in self.villages[c["code"]]]

    @property
    def all_district_agencies(self) -> list[dict]:
        return [a for d in self.districts for a in self.district_agencies[d["code"]]]


def load_register(register_dir: Path) -> Register:
    with open(Path(register_dir) / "org_units.csv", encoding="utf-8", newline="") as fh:
        units = list(csv.DictReader(fh))
    with open(Path(register_dir) / "agencies.csv", encoding="utf-8", newline="") as fh:
        agencies = list(csv.DictReader(fh))
    by_level: dict[str, list[dict]] = defaultdict(list)
    for u in sorted(units, key=lambda u: u["code"]):
        by_level[u["level"]].append(u)
    (province,) = by_level["province"]
    children: dict[str, list[dict]] = defaultdict(list)
    for u in units:
        children[u["parent_code"]].append(u)
    for kids in children.values():
        kids.sort(key=lambda u: u["code"])
    district_agencies: dict[str, list[dict]] = defaultdict(list)
    for a in agencies:
        if a["managed_by"] == "district":
            district_agencies[a["district_code"]].append(a)
    return Register(
        province=province,
        districts=by_level["district"],
        communes={d["code"]: children[d["code"]] for d in by_level["district"]},
        villages={c["code"]: children[c["code"]] for c in by_level["commune"]},
        province_agencies=[a for a in agencies if a["managed_by"] == "province"],
        district_agencies=dict(district_agencies),
    )


@dataclass
class Submission:
    """One workbook to write: the arguments of workbook_format.writer.write_submission and where."""

    period: str
    level: str
    code: str
    relpath: str
    cover: dict
    sheets: dict[str, list[dict]]
    title: str | None
    mtime: dt.datetime
    superseded: bool = False


@dataclass
class PeriodState:
    """Who achieved what in one period; the workbooks are written from it."""

    agency_plan: set[str] = field(default_factory=set)
    agency_safe: set[str] = field(default_factory=set)
    district_steering: set[str] = field(default_factory=set)
    commune_steering: set[str] = field(default_factory=set)
    commune_safe: set[str] = field(default_factory=set)
    village_plan: set[str] = field(default_factory=set)
    village_safe: set[str] = field(default_factory=set)
    households: dict[str, tuple[int, int]] = field(default_factory=dict)  # village -> (total, registered)
    models: dict[str, list[dict]] = field(default_factory=lambda: defaultdict(list))
    force_support: dict[str, list[dict]] = field(default_factory=lambda: defaultdict(list))
    awards: dict[str, list[dict]] = field(default_factory=lambda: defaultdict(list))


def build_submissions(register: Register) -> list[Submission]:
    """Every demo workbook of both periods, in a fixed order."""
    rng = random.Random(SEED)
    people: set[str] = set()  # nobody appears twice, so nobody gets the medal twice
    preparers = {
        u["code"]: names.person_name(rng, people)
        for u in [register.province, *register.districts, *register.all_communes]
    }
    written_names = _village_written_names(rng, register)

    states = {"2021-H1": _state_2021_h1(rng, register, people)}
    states["2020-H2"] = _state_2020_h2(rng, register, states["2021-H1"], people)

    submissions: list[Submission] = []
    for period in PERIODS:
        submissions += _period_submissions(rng, register, period, states[period], preparers, written_names)
    return _with_resubmission(rng, register, submissions)


# --- the states -------------------------------------------------------------------------------------


def _top(
    rng: random.Random, codes: list[str], n: int, factor: dict[str, float] | None = None, among: set[str] | None = None
) -> set[str]:
    """`n` codes picked with a per-code propensity, so some groups do much better than others."""
    pool = [c for c in codes if among is None or c in among]
    scored = sorted(pool, key=lambda c: (factor or {}).get(c, 0.0) + rng.gauss(0, 1), reverse=True)
    return set(scored[:n])


def _group_factor(rng: random.Random, groups: dict[str, list[str]], spread: float) -> dict[str, float]:
    factor = {}
    for members in groups.values():
        f = rng.gauss(0, spread)
        factor.update({m: f for m in members})
    return factor


def _fit(rng: random.Random, values: list[int], target: int, lo: list[int], hi: list[int]) -> list[int]:
    """Scale `values` to sum exactly to `target`, each staying within [lo, hi]."""
    if not sum(lo) <= target <= sum(hi):
        raise ValueError("target out of reach")
    scale = target / sum(values)
    out = [min(max(round(v * scale), low), high) for v, low, high in zip(values, lo, hi)]
    diff = target - sum(out)
    while diff:
        i = rng.randrange(len(out))
        step = 1 if diff > 0 else -1
        if lo[i] <= out[i] + step <= hi[i]:
            out[i] += step
            diff -= step
    return out


def _spread(rng: random.Random, total: int, weights: list[float]) -> list[int]:
    counts = [0] * len(weights)
    for i in rng.choices(range(len(weights)), weights=weights, k=total):
        counts[i] += 1
    return counts


def _state_2021_h1(rng: random.Random, reg: Register, people: set[str]) -> PeriodState:
    t = TARGETS["2021-H1"]
    s = PeriodState()
    province_codes = [a["code"] for a in reg.province_agencies]
    kind_factor = _group_factor(rng, _group(reg.province_agencies, "kind"), 0.6)
    s.agency_plan |= _top(rng, province_codes, t.province_agency_plan, kind_factor)
    s.agency_safe |= _top(
        rng,
        province_codes,
        t.province_agency_safe,
        {c: kind_factor[c] + (1.5 if c in s.agency_plan else 0) for c in province_codes},
    )
    district_codes = [a["code"] for a in reg.all_district_agencies]
    district_factor = _group_factor(rng, _group(reg.all_district_agencies, "district_code"), 0.8)
    s.agency_plan |= _top(rng, district_codes, t.district_agency_plan, district_factor)
    s.agency_safe |= _top(
        rng,
        district_codes,
        t.district_agency_safe,
        {c: district_factor[c] + (1.5 if c in s.agency_plan else 0) for c in district_codes},
    )
    s.district_steering = _top(rng, [d["code"] for d in reg.districts], t.district_steering)
    communes = [c["code"] for c in reg.all_communes]
    s.commune_steering = _top(rng, communes, t.commune_steering)
    s.commune_safe = _top(rng, communes, t.commune_safe)

    villages = reg.all_villages
    village_codes = [v["code"] for v in villages]
    commune_factor = _group_factor(rng, _group(villages, "parent_code"), 1.2)
    s.village_plan = _top(rng, village_codes, t.village_plan, commune_factor)
    s.village_safe = _top(rng, village_codes, t.village_safe, commune_factor)
    s.households = _households(rng, reg, t.households_total, t.households_registered)

    _models_2021(rng, reg, s, t)
    _force_support(rng, reg, s, t, people)
    _awards(rng, reg, s, t, people)
    return s


def _state_2020_h2(rng: random.Random, reg: Register, later: PeriodState, people: set[str]) -> PeriodState:
    """Half a year earlier: fewer plans and registrations (each a subset of 2021-H1's), a few % fewer
    households per village, and the models not yet founded."""
    t = TARGETS["2020-H2"]
    s = PeriodState()
    province_codes = [a["code"] for a in reg.province_agencies]
    district_codes = [a["code"] for a in reg.all_district_agencies]
    s.agency_plan = _top(rng, province_codes, t.province_agency_plan, among=later.agency_plan) | _top(
        rng, district_codes, t.district_agency_plan, among=later.agency_plan
    )
    s.agency_safe = _top(rng, province_codes, t.province_agency_safe, among=later.agency_safe) | _top(
        rng, district_codes, t.district_agency_safe, among=later.agency_safe
    )
    s.district_steering = _top(
        rng, [d["code"] for d in reg.districts], t.district_steering, among=later.district_steering
    )
    communes = [c["code"] for c in reg.all_communes]
    s.commune_steering = _top(rng, communes, t.commune_steering, among=later.commune_steering)
    s.commune_safe = _top(rng, communes, t.commune_safe, among=later.commune_safe)
    village_codes = [v["code"] for v in reg.all_villages]
    s.village_plan = _top(rng, village_codes, t.village_plan, among=later.village_plan)
    s.village_safe = _top(rng, village_codes, t.village_safe, among=later.village_safe)
    for code, (total, registered) in later.households.items():
        earlier_total = round(total * rng.uniform(0.96, 1.0))  # well inside the 20 % outlier bound
        ratio = rng.uniform(0.86, 0.97) if code in s.village_safe else rng.uniform(0.55, 0.75)
        s.households[code] = (earlier_total, min(earlier_total, round(registered * ratio)))
    for reporter, rows in later.models.items():
        s.models[reporter] = [
            m for m in rows if (m["founded_year"] or 0) < 2021 and (m["founded_year"] or rng.random() < 0.9)
        ]
    _force_support(rng, reg, s, t, people)
    _awards(rng, reg, s, t, people)
    return s


def _group(rows: list[dict], key: str) -> dict[str, list[str]]:
    groups: dict[str, list[str]] = defaultdict(list)
    for r in rows:
        groups[r[key]].append(r["code"])
    return groups


def _households(rng: random.Random, reg: Register, total: int, registered: int) -> dict[str, tuple[int, int]]:
    lo, hi = HOUSEHOLDS_RANGE
    villages, base = [], []
    for commune in reg.all_communes:
        urban = names.is_urban(commune["name"])
        for v in reg.villages[commune["code"]]:
            villages.append(v["code"])
            base.append(rng.randint(350, 880) if urban else rng.randint(160, 760))
    n = len(villages)
    totals = _fit(rng, base, total, [lo] * n, [hi] * n)
    wanted = [round(x * rng.uniform(0.82, 0.98)) for x in totals]
    regs = _fit(rng, wanted, registered, [round(x * 0.7) for x in totals], totals)
    return {v: (x, r) for v, x, r in zip(villages, totals, regs)}


def _model_row(
    rng: random.Random, group: str, pool: dict[str, list[str]], unit: dict | None, unit_label: str | None
) -> dict:
    name = rng.choice(pool[group])
    year = None
    if rng.random() < 0.6:
        year = rng.choices(range(2012, 2022), weights=[1, 1, 2, 2, 3, 3, 3, 3, 3, 2])[0]
    return {
        "model_name": f"{name} {unit_label}" if unit_label else name,
        "model_group": group,
        "unit_code": unit["code"] if unit else None,
        "founded_year": year,
    }


def _models_2021(rng: random.Random, reg: Register, s: PeriodState, t: Targets) -> None:
    groups = [g for g, n in MODEL_GROUP_SHARE.items() for _ in range(n)]
    if len(groups) != t.commune_models + t.province_models:
        raise ValueError("model group shares do not add up to the model total")
    rng.shuffle(groups)
    communes = reg.all_communes
    weights = [len(reg.villages[c["code"]]) * rng.lognormvariate(0, 0.4) for c in communes]
    per_commune = [1 + k for k in _spread(rng, t.commune_models - len(communes), weights)]
    for commune, count in zip(communes, per_commune):
        villages = reg.villages[commune["code"]]
        for _ in range(count):
            village = rng.choice(villages) if rng.random() < 0.45 else None
            s.models[commune["code"]].append(
                _model_row(rng, groups.pop(), names.MODEL_NAMES, village, village["name"] if village else None)
            )
    for _ in range(t.province_models):
        agency = rng.choice(reg.province_agencies) if rng.random() < 0.7 else None
        s.models[reg.province["code"]].append(_model_row(rng, groups.pop(), names.AGENCY_MODEL_NAMES, agency, None))


def _force_support(rng: random.Random, reg: Register, s: PeriodState, t: Targets, people: set[str]) -> None:
    """Visits and hardship subsidies, reported by the province, a few districts and a few communes;
    subsidies go to Bảo vệ dân phố, who serve in phường and thị trấn."""
    districts = rng.sample(reg.districts, 3)
    communes = rng.sample(reg.all_communes, 8)
    urban_communes = [c for c in communes if names.is_urban(c["name"])] or communes[:1]
    reporters = [reg.province, *districts, *communes]
    for i in range(t.visits):
        unit = reporters[i] if i < len(reporters) else rng.choice(reporters)
        if unit["level"] != "commune":
            titles = names.FORCE_TITLES_URBAN + names.FORCE_TITLES_RURAL
        elif names.is_urban(unit["name"]):
            titles = names.FORCE_TITLES_URBAN
        else:
            titles = names.FORCE_TITLES_RURAL
        s.force_support[unit["code"]].append(
            {
                "person_name": names.person_name(rng, people),
                "person_title": rng.choice(titles),
                "support_type": "visit",
                "amount_vnd": rng.choice([500_000, 700_000, 1_000_000]),
            }
        )
    for _ in range(t.subsidies):
        unit = rng.choice([reg.province, *districts, *urban_communes])
        s.force_support[unit["code"]].append(
            {
                "person_name": names.person_name(rng, people),
                "person_title": names.FORCE_TITLES_URBAN[0],
                "support_type": "hardship_subsidy",
                "amount_vnd": rng.choice([2_000_000, 3_000_000, 5_000_000]),
            }
        )


def _awards(rng: random.Random, reg: Register, s: PeriodState, t: Targets, people: set[str]) -> None:
    """Medals (one decision of the Ministry) reach individuals through the province and the districts;
    commendations come from every level. Each person is new, so nobody is decorated twice."""
    medal_decision = f"{rng.randint(1200, 4800)}/QĐ-BCA-X01"
    communes = rng.sample(reg.all_communes, 6)

    def add(unit: dict, kind: str, award: str, name: str, decision: str) -> None:
        s.awards[unit["code"]].append(
            {"recipient_kind": kind, "recipient_name": name, "award_type": award, "decision_no": decision}
        )

    for i in range(t.medals):
        unit = reg.province if i < t.medals // 3 else rng.choice(reg.districts)
        add(unit, "individual", "medal", names.person_name(rng, people), medal_decision)
    for i in range(t.commendation_collectives):
        commune = rng.choice(reg.all_communes)
        where = names.in_sentence(commune["name"])
        if i % 2 == 0:
            unit, name = reg.province, rng.choice(names.COMMUNE_COLLECTIVES).format(place=where)
        else:
            village = rng.choice(reg.villages[commune["code"]])
            unit = rng.choice(reg.districts)
            name = rng.choice(names.VILLAGE_COLLECTIVES).format(place=f"{village['name']}, {where}")
        add(unit, "collective", "commendation", name, f"{rng.randint(100, 999)}/QĐ-UBND")
    for i in range(t.commendation_individuals):
        unit = (reg.province, rng.choice(reg.districts), rng.choice(communes))[i % 3]
        add(unit, "individual", "commendation", names.person_name(rng, people), f"{rng.randint(10, 999)}/QĐ-UBND")
    for rows in s.awards.values():
        rows.sort(key=lambda r: (r["award_type"], r["recipient_kind"]))


# --- from states to workbooks -----------------------------------------------------------------------


def _village_written_names(rng: random.Random, reg: Register) -> dict[str, str]:
    """Village names as the communes write them: the register's, except a few in the other
    tone-mark placement (the same name for the pipeline)."""
    written = {v["code"]: v["name"] for v in reg.all_villages}
    variable = [c for c, n in written.items() if names.other_tone_placement(n) != n]
    for code in rng.sample(variable, min(TONE_VARIANT_VILLAGES, len(variable))):
        written[code] = names.other_tone_placement(written[code])
    return written


def _period_words(period: str, long: bool) -> str:
    year, half = period.split("-")
    words = catalog.workbook()["periods"][half]
    return (words[-1] if long else words[0]).format(year=year)


def _report_dates(period: str) -> tuple[dt.date, dt.date]:
    """The first ten days after the half-year ends."""
    year, half = int(period[:4]), period[-2:]
    first = dt.date(year, 7, 1) if half == "H1" else dt.date(year + 1, 1, 1)
    return first, first + dt.timedelta(days=9)


def _slug(text: str) -> str:
    plain = unicodedata.normalize("NFD", text.replace("Đ", "D").replace("đ", "d"))
    plain = "".join(ch for ch in plain if not unicodedata.combining(ch))
    return "_".join("".join(ch if ch.isalnum() else " " for ch in plain.lower()).split())


def _period_submissions(
    rng: random.Random,
    reg: Register,
    period: str,
    s: PeriodState,
    preparers: dict[str, str],
    written_names: dict[str, str],
) -> list[Submission]:
    first, last = _report_dates(period)
    out: list[Submission] = []

    def submission(level: str, unit: dict, folder: str, day: int, cover_extra: dict, sheets: dict) -> Submission:
        created = first + dt.timedelta(days=day)
        long_period = rng.random() < 0.85
        title = None
        if rng.random() < 0.8:
            title = (
                "BÁO CÁO KẾT QUẢ XÂY DỰNG PHONG TRÀO TOÀN DÂN BẢO VỆ AN NINH TỔ QUỐC "
                f"{_period_words(period, True).upper()} - {unit['name'].upper()}"
            )
        cover = {
            "code": unit["code"],
            "name": unit["name"],
            "period": _period_words(period, long_period),
            "created_on": created,
            "version": 1 if rng.random() < 0.7 else None,
            "preparer": preparers[unit["code"]],
            **cover_extra,
        }
        mtime = dt.datetime.combine(created, dt.time(16, 0), LOCAL_TZ) + dt.timedelta(minutes=len(out) % 120)
        return Submission(
            period,
            level,
            unit["code"],
            f"{period}/{folder}{unit['code']}_{_slug(unit['name'])}.xlsx",
            cover,
            sheets,
            title,
            mtime,
        )

    span = (last - first).days
    for district in reg.districts:
        folder = f"{district['code']}/"
        for commune in reg.communes[district["code"]]:
            out.append(
                submission(
                    "commune",
                    commune,
                    folder,
                    rng.randint(0, span - 4),
                    {
                        "commune_steering_plan": commune["code"] in s.commune_steering,
                        "commune_safe": commune["code"] in s.commune_safe,
                    },
                    _commune_sheets(reg, s, commune, written_names),
                )
            )
        out.append(
            submission(
                "district",
                district,
                folder,
                rng.randint(span - 4, span - 2),
                {"district_steering_plan": district["code"] in s.district_steering},
                _district_sheets(reg, s, district),
            )
        )
    out.append(submission("province", reg.province, "", span, {}, _province_sheets(reg, s)))
    return out


def _commune_sheets(
    reg: Register, s: PeriodState, commune: dict, written_names: dict[str, str]
) -> dict[str, list[dict]]:
    villages = []
    for v in reg.villages[commune["code"]]:
        total, registered = s.households[v["code"]]
        villages.append(
            {
                "village_code": v["code"],
                "village_name": written_names[v["code"]],
                "plan_issued": v["code"] in s.village_plan,
                "safe_registered": v["code"] in s.village_safe,
                "households_total": total,
                "households_registered": registered,
            }
        )
    sheets = {"villages": villages, "commune_models": s.models.get(commune["code"], [])}
    return sheets | _optional_sheets(s, commune["code"])


def _agency_rows(s: PeriodState, agencies: list[dict]) -> list[dict]:
    return [
        {
            "agency_code": a["code"],
            "agency_name": a["name"],
            "agency_kind": a["kind"],
            "plan_issued": a["code"] in s.agency_plan,
            "safe_registered": a["code"] in s.agency_safe,
        }
        for a in agencies
    ]


def _district_sheets(reg: Register, s: PeriodState, district: dict) -> dict[str, list[dict]]:
    sheets = {
        "agencies": _agency_rows(s, reg.district_agencies.get(district["code"], [])),
        "district_summary": district_summary(reg, s, district["code"]),
    }
    return sheets | _optional_sheets(s, district["code"])


def _province_sheets(reg: Register, s: PeriodState) -> dict[str, list[dict]]:
    code = reg.province["code"]
    sheets = {"agencies": _agency_rows(s, reg.province_agencies), "province_models": s.models.get(code, [])}
    return sheets | _optional_sheets(s, code)


def _optional_sheets(s: PeriodState, code: str) -> dict[str, list[dict]]:
    sheets = {}
    if s.force_support.get(code):
        sheets["force_support"] = s.force_support[code]
    if s.awards.get(code):
        sheets["awards"] = s.awards[code]
    return sheets


def district_summary(reg: Register, s: PeriodState, district_code: str) -> list[dict]:
    """The district's "Tổng hợp" rows, computed from its communes' data, one per catalogue item."""
    communes = [c["code"] for c in reg.communes[district_code]]
    villages = [v["code"] for c in communes for v in reg.villages[c]]
    figures = {
        "commune_steering_plan": (sum(c in s.commune_steering for c in communes), len(communes)),
        "village_board_plan": (sum(v in s.village_plan for v in villages), len(villages)),
        "commune_safe": (sum(c in s.commune_safe for c in communes), len(communes)),
        "village_safe": (sum(v in s.village_safe for v in villages), len(villages)),
        "household_safe": (sum(s.households[v][1] for v in villages), sum(s.households[v][0] for v in villages)),
        "models": (sum(len(s.models.get(c, [])) for c in communes), None),
    }
    return [
        {"summary_item": item, "achieved": figures[item][0], "total": figures[item][1]}
        for item in catalog.workbook()["vocab"]["summary_item"]
    ]


def _with_resubmission(rng: random.Random, reg: Register, subs: list[Submission]) -> list[Submission]:
    """One commune of RESUBMISSION_PERIOD sends a first version with a few wrong values, then the
    correct one as version 2 a few days later; the first is superseded."""
    candidates = [
        x
        for x in subs
        if x.period == RESUBMISSION_PERIOD
        and x.level == "commune"
        and any(v["plan_issued"] for v in x.sheets["villages"])
        and len(x.sheets["villages"]) >= 3
        and len(x.sheets["commune_models"]) >= 2
    ]
    final = rng.choice(candidates)
    first = copy.deepcopy(final)
    first.superseded = True
    first_date = final.cover["created_on"]
    final.cover["created_on"] = first_date + dt.timedelta(days=4)
    final.cover["version"] = 2
    final.mtime += dt.timedelta(days=4)
    final.relpath = final.relpath.replace(".xlsx", "_phien_ban_2.xlsx")
    first.cover["version"] = 1
    villages = first.sheets["villages"]
    planned = next(v for v in villages if v["plan_issued"])
    planned["plan_issued"] = False
    other = next(v for v in villages if v is not planned)
    other["households_registered"] = max(0, other["households_registered"] - 12)
    first.sheets["commune_models"] = first.sheets["commune_models"][:-1]
    return subs[: subs.index(final)] + [first] + subs[subs.index(final) :]
